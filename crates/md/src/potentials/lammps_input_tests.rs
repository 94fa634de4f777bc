use super::*;

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}
fn els(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}
fn lj(text: &str, e: &[&str]) -> Result<LammpsPotential> {
    parse("in", &lines(text), &els(e), &[], None).map(|x| x.potential)
}
fn pair(p: &LammpsPotential, a: &str, b: &str) -> (f64, f64, f64) {
    match p {
        LammpsPotential::LjCut { pairs, .. } => {
            let q = pairs.iter().find(|q| (q.a == a && q.b == b) || (q.a == b && q.b == a)).expect("pair listed");
            (q.epsilon, q.sigma, q.cutoff.expect("explicit cutoff"))
        }
        _ => panic!("not lj/cut"),
    }
}

#[test]
fn lj_mixing_follows_lammps_init_one() {
    let text = "# two species\npair_style lj/cut 8.0\n\npair_coeff 1 1 0.01 3.4\npair_coeff 2 2 0.02 3.6 9.0 # own cutoff\n";
    let geo = lj(text, &["Ar", "Kr"]).unwrap();
    let (e, s, c) = pair(&geo, "Ar", "Kr");
    assert_eq!(e, (0.01f64 * 0.02).sqrt());
    assert_eq!(s, (3.4f64 * 3.6).sqrt());
    assert_eq!(c, (8.0f64 * 9.0).sqrt());
    let ari = lj(&format!("{text}pair_modify mix arithmetic shift yes\n"), &["Ar", "Kr"]).unwrap();
    let (_, s, c) = pair(&ari, "Ar", "Kr");
    assert_eq!((s, c), (3.5, 8.5));
    assert!(matches!(ari, LammpsPotential::LjCut { shift: true, mixing: Mixing::LorentzBerthelot, .. }));
    assert_eq!(pair(&ari, "Kr", "Kr"), (0.02, 3.6, 9.0));
}

#[test]
fn lj_wildcards_swap_and_continuation() {
    let p = lj("pair_style lj/cut 6.0\npair_coeff * * 0.01 3.0\npair_coeff 3 1 0.05 2.5 &\n 7.0\n", &["A", "B", "C"]).unwrap();
    assert_eq!(pair(&p, "B", "C"), (0.01, 3.0, 6.0));
    assert_eq!(pair(&p, "A", "C"), (0.05, 2.5, 7.0));
    let p = lj("pair_style lj/cut/omp 6.0\npair_coeff 2* 2* 0.02 3.0\npair_coeff *1 * 0.01 3.0", &["A", "B"]).unwrap();
    assert_eq!(pair(&p, "B", "B").0, 0.02);
    assert_eq!(pair(&p, "A", "B").0, 0.01);
    p.build().unwrap();
}

#[test]
fn errors_name_the_problem_and_line() {
    let e = lj("pair_style tersoff\n", &["Si"]).unwrap_err().to_string();
    assert!(e.contains("tersoff") && e.contains(":1:"), "{e}");
    let e = lj("pair_style lj/charmm/coul/long 8.0 10.0\n", &["Na"]).unwrap_err().to_string();
    assert!(e.contains("lj/charmm/coul/long") && e.contains("not supported"), "{e}");
    let e = lj("pair_style lj/cut 8\npair_coeff 1 1 0.01\n", &["Ar"]).unwrap_err().to_string();
    assert!(e.contains(":2:") && e.contains("pair_coeff 1 1 0.01"), "{e}");
    let e = lj("pair_style lj/cut 8\npair_coeff 1 1 0.01 abc\n", &["Ar"]).unwrap_err().to_string();
    assert!(e.contains("sigma 'abc'"), "{e}");
    let e = lj("pair_style lj/cut 8\npair_coeff 1 3 0.01 3\n", &["Ar", "Kr"]).unwrap_err().to_string();
    assert!(e.contains("type '3'"), "{e}");
    let e = lj("pair_style lj/cut 8\npair_coeff 1 1 0.01 3\n", &["Ar", "Kr"]).unwrap_err().to_string();
    assert!(e.contains("type 2 (Kr)"), "{e}");
    let e = lj("pair_coeff 1 1 0.01 3\n", &["Ar"]).unwrap_err().to_string();
    assert!(e.contains("before pair_style"), "{e}");
    let e = lj("pair_style lj/cut 8\npair_coeff 1 1 0.01 3\nkspace_style pppm 1e-5\n", &["Ar"]).unwrap_err().to_string();
    assert!(e.contains("kspace_style") && e.contains(":3:"), "{e}");
    let e = lj("pair_style lj/cut 8\npair_modify tail yes\n", &["Ar"]).unwrap_err().to_string();
    assert!(e.contains("tail yes"), "{e}");
    let e = lj("pair_style eam/alloy\npair_coeff * * /no/such/file.eam.alloy Cu\n", &["Cu"]).unwrap_err();
    assert!(matches!(&e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound), "{e}");
    assert!(e.to_string().contains("/no/such/file.eam.alloy"));
    let e = lj("pair_style lj/cut 8\n", &["Ar", "Ar"]).unwrap_err().to_string();
    assert!(e.contains("distinct"), "{e}");
    let e = lj("", &["Ar"]).unwrap_err().to_string();
    assert!(e.contains("no pair_style"), "{e}");
}

#[test]
fn files_are_found_in_the_search_path_in_order() {
    let dir = std::env::temp_dir().join(format!("sb_lmp_in_{}", std::process::id()));
    let sub = dir.join("b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("x.eam.alloy"), "dummy").unwrap();
    let found = resolve_file("x.eam.alloy", &[dir.clone(), sub.clone()]).unwrap();
    assert_eq!(found, sub.join("x.eam.alloy"));
    let e = resolve_file("y.eam", &[dir.clone(), sub.clone()]).unwrap_err().to_string();
    assert!(e.contains("y.eam") && e.contains("not found"), "{e}");
    let p = parse("in", &lines("pair_style eam/fs\npair_coeff * * x.eam.alloy NULL Cu\n"), &els(&["Ni", "Cu"]), &[sub.clone()], Some(vec![0.0, 1.0]))
        .unwrap();
    assert_eq!(p.charges, Some(vec![0.0, 1.0]));
    match p.potential {
        LammpsPotential::EamSetfl { style, elements, .. } => {
            assert_eq!(style, EamStyle::FinnisSinclair);
            assert_eq!(elements, vec!["Cu".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let e = parse("in", &lines("pair_style eam/alloy\npair_coeff * * x.eam.alloy Ni\n"), &els(&["Ni", "Cu"]), &[sub.clone()], None).unwrap_err();
    assert!(e.to_string().contains("one element (or NULL) per atom type"), "{e}");
    let e = parse("in", &lines("pair_style eam/alloy\npair_coeff * * x.eam.alloy Cu Ni\n"), &els(&["Ni", "Cu"]), &[sub.clone()], None).unwrap_err();
    assert!(e.to_string().contains("maps type 1 to 'Cu'"), "{e}");
    let e = parse("in", &lines("pair_style eam\npair_coeff 1 1 x.eam.alloy\n"), &els(&["Ni", "Cu"]), &[sub], None).unwrap_err();
    assert!(e.to_string().contains("type 2 (Cu)"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn tersoff_and_sw_lines() {
    let dir = std::env::temp_dir().join(format!("sb-lammps-input-manybody-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("X.tersoff"), "Si Si Si 3 1 1.3 4.8 2.0 0 22.9 0.33 1.3 95.3 3.0 0.2 3.2 3264.7\n").unwrap();
    let search = [dir.clone()];
    let p = parse("in", &lines("pair_style tersoff/omp shift 0.05\npair_coeff * * X.tersoff Si NULL\n"), &els(&["Si", "C"]), &search, None).unwrap();
    match &p.potential {
        LammpsPotential::Tersoff { elements, shift, .. } => assert_eq!((elements.as_slice(), *shift), (&els(&["Si"])[..], Some(0.05))),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.potential.to_spec().style(), "tersoff");
    let p = parse("in", &lines("pair_style sw\npair_coeff * * X.tersoff Si\n"), &els(&["Si"]), &search, None).unwrap();
    assert_eq!(p.potential.pair_style(), "sw");
    let e = parse("in", &lines("pair_style tersoff shift\n"), &els(&["Si"]), &search, None).unwrap_err().to_string();
    assert!(e.contains("in:1:") && e.contains("'shift δ'"), "{e}");
    let e = parse("in", &lines("pair_style sw\npair_coeff 1 1 X.tersoff Si\n"), &els(&["Si"]), &search, None).unwrap_err().to_string();
    assert!(e.contains("in:2:") && e.contains("sw needs pair_coeff * * file"), "{e}");
    let e = parse("in", &lines("pair_style sw\npair_coeff * * X.tersoff Si C\n"), &els(&["Si", "Ge"]), &search, None).unwrap_err().to_string();
    assert!(e.contains("maps type 2 to 'C'"), "{e}");
}

#[test]
fn lj_cut_coul_long_is_lj_cut_overlaid_with_coul_long() {
    let read = |text: &str| {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        parse("in", &lines, &["Na".to_string(), "Cl".to_string()], &[], Some(vec![1.0, -1.0]))
    };
    let p = read("pair_style lj/cut/coul/long 8.0 9.0\npair_coeff 1 1 0.01 2.5\npair_coeff 2 2 0.02 3.5 7.0\npair_modify mix arithmetic shift yes table 0\nkspace_style ewald 1e-6").unwrap();
    let PotentialSpec::Hybrid { styles, .. } = p.to_spec().unwrap() else { panic!("hybrid") };
    let PotentialSpec::LjCut(lj) = &styles[0] else { panic!("lj/cut first") };
    assert!(lj.shift && lj.cutoff == 8.0);
    // arithmetic mixing of σ and of the cutoffs (LAMMPS init_one)
    let nacl = lj.pairs.iter().find(|q| q.a == "Na" && q.b == "Cl").unwrap();
    assert_eq!((nacl.sigma, nacl.cutoff), (3.0, Some(7.5)));
    let PotentialSpec::Coulomb(c) = &styles[1] else { panic!("coul/long second") };
    assert_eq!(c.cutoff, 9.0);
    assert!(c.kspace.is_some());
    let pot = p.build().unwrap();
    assert_eq!(pot.cutoff(), 9.0);
    let e = read("pair_style lj/cut/coul/long\n").unwrap_err().to_string();
    assert!(e.contains("cut_lj"), "{e}");
    let e = read("pair_style lj/cut/coul/long 8.0\npair_coeff * * 0.01 2.5 8.0 9.0\nkspace_style ewald 1e-6").unwrap_err().to_string();
    assert!(e.contains("epsilon sigma [cut_lj]"), "{e}");
    let e = read("pair_style lj/cut/coul/long 8.0\npair_coeff * * 0.01 2.5").and_then(|p| p.build()).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("kspace_style"), "{e}");
}

use super::*;
use crate::structure::Structure;

fn distances(s: &Structure, a: &str, b: &str, rmax: f64) -> Vec<f64> {
    let mut nl = crate::neighbors::NeighborList::new(rmax, 0.0).unwrap();
    nl.build(&s.cell, &s.positions, &s.types).unwrap();
    let sym = s.symbols();
    let mut out = Vec::new();
    for c in 0..nl.centers.len() {
        let i = nl.centers[c] as usize;
        for &j in nl.neighbors_of(c) {
            let (oi, oj) = (nl.ext_owner[i] as usize, nl.ext_owner[j as usize] as usize);
            if (sym[oi] == a && sym[oj] == b) || (sym[oi] == b && sym[oj] == a) {
                let (p, q) = (nl.ext_pos[i], nl.ext_pos[j as usize]);
                out.push(((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt());
            }
        }
    }
    out.sort_by(|x, y| x.partial_cmp(y).unwrap());
    out
}

fn shortest(s: &Structure, a: &str, b: &str) -> f64 {
    distances(s, a, b, 6.0)[0]
}

fn count(s: &Structure, e: &str) -> usize {
    s.symbols().iter().filter(|x| *x == e).count()
}

#[test]
fn every_prototype_builds_with_its_formula() {
    // (name, atoms in the conventional cell, formula units: element → count per formula unit)
    let expected: &[(&str, usize, &[(&str, usize)])] = &[
        ("perovskite", 5, &[("Sr", 1), ("Ti", 1), ("O", 3)]),
        ("rocksalt", 8, &[("Mg", 1), ("O", 1)]),
        ("corundum", 30, &[("Al", 2), ("O", 3)]),
        ("spinel", 56, &[("Mg", 1), ("Al", 2), ("O", 4)]),
        ("layered", 12, &[("Li", 1), ("Co", 1), ("O", 2)]),
        ("olivine", 28, &[("Li", 1), ("Fe", 1), ("P", 1), ("O", 4)]),
        ("wurtzite", 4, &[("Ga", 1), ("N", 1)]),
        ("zincblende", 8, &[("Si", 1), ("C", 1)]),
        ("diamond", 8, &[("Si", 1)]),
        ("fluorite", 12, &[("Ce", 1), ("O", 2)]),
        ("alpha-quartz", 9, &[("Si", 1), ("O", 2)]),
    ];
    assert_eq!(expected.len(), PROTOTYPES.len());
    for (name, n, formula) in expected {
        let s = prototype(name, [1, 1, 1]).unwrap();
        assert_eq!(s.len(), *n, "{name}");
        let z = n / formula.iter().map(|f| f.1).sum::<usize>();
        for (e, k) in *formula {
            assert_eq!(count(&s, e), z * k, "{name}: {e}");
        }
        for site in find(name).unwrap().sites {
            assert!(site.multiplicity() > 0);
        }
    }
}

#[test]
fn nearest_neighbour_distances_follow_the_geometry() {
    let sto = prototype("perovskite", [1, 1, 1]).unwrap();
    let a = 3.9053;
    assert!((shortest(&sto, "Ti", "O") - a / 2.0).abs() < 1e-12);
    assert!((shortest(&sto, "Sr", "O") - a / 2f64.sqrt()).abs() < 1e-12);
    let mgo = prototype("rocksalt", [1, 1, 1]).unwrap();
    assert!((shortest(&mgo, "Mg", "O") - 4.2117 / 2.0).abs() < 1e-12);
    let sic = prototype("zincblende", [1, 1, 1]).unwrap();
    assert!((shortest(&sic, "Si", "C") - 4.3596 * 3f64.sqrt() / 4.0).abs() < 1e-12);
    let si = prototype("diamond", [1, 1, 1]).unwrap();
    assert!((shortest(&si, "Si", "Si") - 5.431020511 * 3f64.sqrt() / 4.0).abs() < 1e-12);
    let ceo2 = prototype("fluorite", [1, 1, 1]).unwrap();
    assert!((shortest(&ceo2, "Ce", "O") - 5.4113 * 3f64.sqrt() / 4.0).abs() < 1e-12);
    // wurtzite: the bond along c is u·c; the three others sqrt(a²/3 + (1/2 − u)² c²)
    let gan = prototype("wurtzite", [1, 1, 1]).unwrap();
    let (a, c, u): (f64, f64, f64) = (3.1893, 5.1851, 0.377);
    let d = distances(&gan, "Ga", "N", 2.5);
    let other = (a * a / 3.0 + (0.5 - u) * (0.5 - u) * c * c).sqrt();
    assert!(d.iter().any(|x| (x - u * c).abs() < 1e-12));
    assert!(d.iter().any(|x| (x - other).abs() < 1e-12));
    // corundum: Al–O 1.86 and 1.97 Å (three each), Lutterotti & Scardi 1990 / Lewis et al. 1982
    let al2o3 = prototype("corundum", [1, 1, 1]).unwrap();
    let d = distances(&al2o3, "Al", "O", 2.2);
    assert!((d[0] - 1.855).abs() < 0.01, "{d:?}");
    assert!((d[d.len() - 1] - 1.97).abs() < 0.01, "{d:?}");
    // every Al has six O within 2.2 Å (each pair counted once per Al)
    assert_eq!(d.len(), 6 * 12);
    // LiCoO2: CoO6 with Co–O 1.92 Å, LiO6 with Li–O 2.09 Å
    let lco = prototype("layered", [1, 1, 1]).unwrap();
    assert!((shortest(&lco, "Co", "O") - 1.92).abs() < 0.01);
    assert!((shortest(&lco, "Li", "O") - 2.09).abs() < 0.01);
    assert_eq!(distances(&lco, "Co", "O", 2.0).len(), 6 * 3);
    // LiFePO4: PO4 tetrahedra, P–O 1.52–1.56 Å; FeO6 octahedra 2.06–2.25 Å
    let lfp = prototype("olivine", [1, 1, 1]).unwrap();
    let po = distances(&lfp, "P", "O", 1.8);
    assert_eq!(po.len(), 4 * 4);
    assert!(po.iter().all(|d| (1.50..1.57).contains(d)), "{po:?}");
    let feo = distances(&lfp, "Fe", "O", 2.4);
    assert_eq!(feo.len(), 6 * 4);
    assert!(feo.iter().all(|d| (2.0..2.3).contains(d)), "{feo:?}");
    // spinel: MgO4 tetrahedra and AlO6 octahedra
    let sp = prototype("spinel", [1, 1, 1]).unwrap();
    assert_eq!(distances(&sp, "Mg", "O", 2.1).len(), 4 * 8);
    assert_eq!(distances(&sp, "Al", "O", 2.1).len(), 6 * 16);
    // alpha-quartz: corner-sharing SiO4 tetrahedra, Si–O 1.605 and 1.614 Å (two each), no O–O
    // or Si–Si closer than 2.6 / 3.0 Å (a wrong setting puts atoms on top of each other)
    let qz = prototype("alpha-quartz", [1, 1, 1]).unwrap();
    let sio = distances(&qz, "Si", "O", 1.8);
    assert_eq!(sio.len(), 4 * 3, "{sio:?}");
    assert!(sio.iter().all(|d| (1.60..1.62).contains(d)), "{sio:?}");
    assert!(shortest(&qz, "O", "O") > 2.6 && shortest(&qz, "Si", "Si") > 3.0);
}

#[test]
fn densities_match_the_formula_weight() {
    // SrTiO3: 183.49 g/mol per 59.56 Å^3 → 5.117 g/cm³ (Dx = 5.116 Mg m⁻³ in the source)
    let (_, r) = StructureSpec::new("perovskite").build_with_report().unwrap();
    assert!((r.density_g_cm3 - 5.116).abs() < 0.005, "{}", r.density_g_cm3);
    // alpha-Al2O3: 3.987 g/cm³ (X-ray density from a, c)
    let (_, r) = StructureSpec::new("corundum").build_with_report().unwrap();
    assert!((r.density_g_cm3 - 3.987).abs() < 0.005, "{}", r.density_g_cm3);
    // CeO2: 7.215 g/cm³ (SSHADE solid-phase entry CeO2); Si: 2.329 g/cm³; MgAl2O4: 3.58 g/cm³
    for (name, rho, tol) in [("fluorite", 7.215, 0.002), ("diamond", 2.329, 0.001), ("spinel", 3.58, 0.01)] {
        let (_, r) = StructureSpec::new(name).build_with_report().unwrap();
        assert!((r.density_g_cm3 - rho).abs() < tol, "{name}: {}", r.density_g_cm3);
    }
    // LiFePO4: 3.60 g/cm³
    let (_, r) = StructureSpec::new("olivine").build_with_report().unwrap();
    assert!((r.density_g_cm3 - 3.60).abs() < 0.01, "{}", r.density_g_cm3);
}

#[test]
fn overrides_of_elements_and_lattice_parameters() {
    let spec: StructureSpec = serde_json::from_str(r#"{"lattice": "perovskite", "elements": {"A": "Ba", "B": "Zr"}, "a": 4.19}"#).unwrap();
    let (s, r) = spec.build_with_report().unwrap();
    assert_eq!(s.symbols(), vec!["Ba", "Zr", "O", "O", "O"]);
    assert!((r.a - 4.19).abs() < 1e-15);
    // hexagonal with a only: c/a of the default kept
    let mut w = StructureSpec::new("wurtzite");
    w.elements = Some(Elements::List(vec!["Zn".into(), "O".into()]));
    w.a = Some(3.25);
    w.params.insert("u".into(), 0.382);
    let (_, r) = w.build_with_report().unwrap();
    assert!((r.c / r.a - 5.1851 / 3.1893).abs() < 1e-12);
    assert_eq!(r.params["u"], 0.382);
    assert!(!r.notes.is_empty());
}

#[test]
fn supercells_and_orthogonal_hexagonal_cells() {
    let mut spec = StructureSpec::new("perovskite");
    spec.supercell = Some(Repeat::Three([2, 3, 1]));
    assert_eq!(spec.build().unwrap().len(), 30);
    for name in ["wurtzite", "corundum", "layered"] {
        let mut spec = StructureSpec::new(name);
        let plain = spec.build().unwrap();
        spec.orthogonal = true;
        spec.supercell = Some(Repeat::One(2));
        let (s, r) = spec.build_with_report().unwrap();
        assert_eq!(s.len(), plain.len() * 2 * 8, "{name}");
        let m = s.cell.matrix();
        let dot = |i: usize, j: usize| (0..3).map(|k| m[i][k] * m[j][k]).sum::<f64>().abs();
        assert!(dot(0, 1) < 1e-9 && dot(0, 2) < 1e-9 && dot(1, 2) < 1e-9, "{name}: {m:?}");
        assert_eq!(r.supercell, [[2, 0, 0], [2, 4, 0], [0, 0, 2]]);
        let species: Vec<String> = plain.species.clone();
        for a in &species {
            for b in &species {
                assert!((shortest(&s, a, b) - shortest(&plain, a, b)).abs() < 1e-9, "{name} {a}-{b}");
            }
        }
        assert!((s.cell.volume() - 16.0 * plain.cell.volume()).abs() < 1e-6);
    }
}

#[test]
fn random_substitution_is_seeded_and_exact() {
    let spec: StructureSpec = serde_json::from_str(
        r#"{"lattice": "layered", "supercell": [3, 3, 1], "seed": 7,
            "substitutions": [{"site": "B", "fractions": {"Co": 0.3333333333, "Ni": 0.3333333333, "Mn": 0.3333333334}}]}"#,
    )
    .unwrap();
    let (s, r) = spec.build_with_report().unwrap();
    assert_eq!(s.len(), 108);
    for e in ["Co", "Ni", "Mn"] {
        assert_eq!(count(&s, e), 9);
    }
    assert_eq!(r.substitutions[0].sites, 27);
    let again = spec.build().unwrap();
    assert_eq!(s.symbols(), again.symbols());
    let mut other = spec.clone();
    other.seed = 8;
    assert_ne!(s.symbols(), other.build().unwrap().symbols());
    // only the B sublattice changed
    assert_eq!(count(&s, "Li"), 27);
    assert_eq!(count(&s, "O"), 54);
}

#[test]
fn charge_report_and_oxygen_vacancy_compensation() {
    let spec: StructureSpec = serde_json::from_str(
        r#"{"lattice": "perovskite", "supercell": 2, "seed": 1,
            "substitutions": [{"site": "Ti", "fractions": {"Ti": 0.75, "Fe": 0.25}}],
            "charges": {"Sr": 2, "Ti": 4, "Fe": 3, "O": -2}, "compensate": "O"}"#,
    )
    .unwrap();
    let (s, r) = spec.build_with_report().unwrap();
    let q = r.charge.unwrap();
    assert_eq!(q.net_charge_pristine, 0.0);
    assert_eq!(q.net_charge_defective, -2.0);
    let c = q.compensation.unwrap();
    assert_eq!((c.removed, c.exact_count), (1, 1.0));
    assert_eq!(q.net_charge_final, 0.0);
    assert!(q.neutral);
    assert_eq!((count(&s, "O"), count(&s, "Fe")), (23, 2));
    // one Fe in 8: half an O vacancy would be needed → rounded, and reported as non-neutral
    let mut odd = spec.clone();
    odd.substitutions[0].fractions = [("Ti".to_string(), 0.875), ("Fe".to_string(), 0.125)].into_iter().collect();
    let (_, r) = odd.build_with_report().unwrap();
    let q = r.charge.unwrap();
    assert!(!q.neutral);
    assert_eq!(q.compensation.unwrap().exact_count, 0.5);
    assert!(r.notes.iter().any(|n| n.contains("NOT neutral")));
    // without compensation the deficit is reported, not fixed
    let mut plain = spec.clone();
    plain.compensate = None;
    let (s, r) = plain.build_with_report().unwrap();
    assert_eq!(count(&s, "O"), 24);
    assert_eq!(r.charge.unwrap().net_charge_final, -2.0);
    // removing a cation cannot fix a negative net charge
    let mut wrong = spec.clone();
    wrong.compensate = Some("Sr".into());
    assert!(wrong.build().unwrap_err().to_string().contains("opposite"));
    // a species without a charge
    let mut missing = spec.clone();
    missing.charges.remove("Fe");
    assert!(missing.build().unwrap_err().to_string().contains("no charge given for species Fe"));
}

#[test]
fn vacancies_by_fraction_and_count() {
    let spec: StructureSpec =
        serde_json::from_str(r#"{"lattice": "fluorite", "supercell": 2, "vacancies": [{"site": "X", "fraction": 0.0625}, {"site": "Ce", "count": 1}]}"#).unwrap();
    let (s, r) = spec.build_with_report().unwrap();
    assert_eq!(count(&s, "O"), 64 - 4);
    assert_eq!(count(&s, "Ce"), 31);
    assert_eq!(r.vacancies[0].removed, 4);
    let bad: StructureSpec = serde_json::from_str(r#"{"lattice": "fluorite", "vacancies": [{"site": "O", "fraction": 0.1, "count": 1}]}"#).unwrap();
    assert!(bad.build().is_err());
}

#[test]
fn bad_input_gives_clear_errors() {
    let e = StructureSpec::new("perovskitee").build().unwrap_err().to_string();
    assert!(e.contains("perovskite") && e.contains("olivine") && e.contains("fcc"), "{e}");
    let mut s = StructureSpec::new("perovskite");
    s.elements = Some(Elements::List(vec!["Sr".into(), "Ti".into()]));
    let e = s.build().unwrap_err().to_string();
    assert!(e.contains("takes 3 elements"), "{e}");
    let mut s = StructureSpec::new("perovskite");
    s.elements = Some(Elements::Map([("Q".to_string(), "Ba".to_string())].into_iter().collect()));
    assert!(s.build().unwrap_err().to_string().contains("sublattices A, B, X"));
    for a in [-1.0, 0.0, f64::NAN] {
        let mut s = StructureSpec::new("rocksalt");
        s.a = Some(a);
        assert!(s.build().unwrap_err().to_string().contains("positive"));
    }
    // another compound without a: the defaults belong to the default compound
    let mut s = StructureSpec::new("perovskite");
    s.elements = Some(Elements::List(vec!["Ba".into(), "Zr".into(), "O".into()]));
    assert!(s.build().unwrap_err().to_string().contains("those of SrTiO3"));
    let mut s = StructureSpec::new("rocksalt");
    s.c = Some(5.0);
    assert!(s.build().unwrap_err().to_string().contains("cubic"));
    let mut s = StructureSpec::new("layered");
    s.substitutions.push(Substitution { site: "B".into(), fractions: [("Co".to_string(), 0.5), ("Ni".to_string(), 0.4)].into_iter().collect() });
    assert!(s.build().unwrap_err().to_string().contains("sum to 1"));
    // overlapping atoms: N on top of Ga
    let mut s = StructureSpec::new("wurtzite");
    s.params.insert("u".into(), 0.0);
    assert!(matches!(s.build().unwrap_err(), Error::Overlap { .. }));
    // a free parameter that puts an atom on a special position
    let mut s = StructureSpec::new("spinel");
    s.params.insert("x_X".into(), 0.125);
    assert!(s.build().unwrap_err().to_string().contains("special position"));
    let mut s = StructureSpec::new("spinel");
    s.params.insert("q".into(), 0.1);
    assert!(s.build().unwrap_err().to_string().contains("x_X"));
    // unknown keys in a material file
    assert!(serde_json::from_str::<StructureSpec>(r#"{"lattice": "spinel", "superceLL": 2}"#).is_err());
    let mut s = StructureSpec::new("olivine");
    s.supercell = Some(Repeat::Three([1, 0, 1]));
    assert!(s.build().is_err());
}

#[test]
fn metal_lattices_go_through_bulk() {
    let spec: StructureSpec = serde_json::from_str(r#"{"lattice": "fcc", "elements": ["Cu"], "a": 3.615, "supercell": 3}"#).unwrap();
    let s = spec.build().unwrap();
    let b = crate::lattice::bulk(&crate::lattice::BulkSpec {
        lattice: Lattice::Fcc,
        species: vec!["Cu".into()],
        a: 3.615,
        c: None,
        orientation: None,
        repeat: [3, 3, 3],
        orthogonal: false,
        masses: None,
    })
    .unwrap();
    assert_eq!(s.len(), b.len());
    assert!((s.cell.volume() - b.cell.volume()).abs() < 1e-9);
    assert!((shortest(&s, "Cu", "Cu") - 3.615 / 2f64.sqrt()).abs() < 1e-12);
    let no_a: StructureSpec = serde_json::from_str(r#"{"lattice": "bcc", "elements": "Fe"}"#).unwrap();
    assert!(no_a.build().unwrap_err().to_string().contains("lattice constant"));
}

#[test]
fn toml_shape_round_trips_through_serde() {
    let spec: StructureSpec = serde_json::from_str(
        r#"{"lattice": "perovskite", "elements": {"A": "Sr", "B": "Ti", "X": "O"}, "a": 3.905, "supercell": [3, 3, 3]}"#,
    )
    .unwrap();
    let text = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<StructureSpec>(&text).unwrap(), spec);
    assert_eq!(spec.build().unwrap().len(), 135);
    let alias: StructureSpec = serde_json::from_str(r#"{"lattice": "rocksalt", "repeat": 2}"#).unwrap();
    assert_eq!(alias.supercell, Some(Repeat::One(2)));
}

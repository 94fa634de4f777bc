//! EAM checks that need no oracle: forces are −∂E/∂x (finite differences), the virial is the
//! strain derivative of the energy, Zhou 2004 crystal energies match the published lattice sums,
//! and malformed files give clear errors. (Agreement with LAMMPS: tests/test_eam_oracle.py.)

use scalebridge_md::cell::{matmul, voigt_deformation, Cell, Mat3};
use scalebridge_md::computes::per_atom::eam_density;
use scalebridge_md::potentials::eam::load_funcfl;
use scalebridge_md::potentials::{load, EmbeddedAtom, Zhou2004};
use scalebridge_md::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn potentials_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials");
    d.exists().then_some(d)
}

fn alloy(species: &[&str], a: f64, lat: Lattice, seed: u64, triclinic: bool) -> Structure {
    let spec = BulkSpec {
        lattice: lat,
        species: vec![species[0].to_string()],
        a,
        c: None,
        orientation: None,
        repeat: [3, 3, 3],
        orthogonal: true,
        masses: None,
    };
    let mut s = bulk(&spec).unwrap();
    if species.len() > 1 {
        let comp: Vec<(String, f64)> = species.iter().map(|e| (e.to_string(), 1.0)).collect();
        s = random_solid_solution(&s, &comp, seed, None).unwrap();
    }
    // deterministic perturbation
    let mut x = seed as f64 * 0.123 + 0.1;
    for p in s.positions.iter_mut() {
        for c in p.iter_mut() {
            x = (x * 9.73 + 0.31).fract();
            *c += 0.15 * (x - 0.5);
        }
    }
    if triclinic {
        let f: Mat3 = [[1.0, 0.0, 0.0], [0.12, 1.02, 0.0], [-0.08, 0.1, 0.98]];
        let h = matmul(s.cell.matrix(), &f);
        let cell = Cell::new(h).unwrap();
        let old = s.cell.clone();
        s.positions = s.positions.iter().map(|r| cell.cartesian(&old.fractional(r))).collect();
        s.cell = cell;
    }
    s
}

fn energy(ev: &mut Evaluator, s: &Structure) -> f64 {
    ev.compute_all(s).unwrap().energy
}

fn check_fd(pot: Arc<dyn Potential>, s: &Structure) {
    let mut ev = Evaluator::new(pot.clone(), 1.0, 2).unwrap();
    let out = ev.compute_all(s).unwrap().clone();
    // per-atom sums
    let e_sum: f64 = out.per_atom_energy.iter().sum();
    assert!((e_sum - out.energy).abs() < 1e-9 * out.energy.abs());
    for q in 0..6 {
        let v: f64 = out.per_atom_virial.iter().map(|w| w[q]).sum();
        assert!((v - out.virial[q]).abs() < 1e-9 * (1.0 + out.virial[q].abs()));
    }
    // the per-atom extras are computes now, not force outputs
    assert_eq!(eam_density(pot.as_ref(), s, 2).unwrap().len(), s.len());
    // forces by central differences
    let h = 1e-5;
    for &i in &[0usize, 7, 31, s.len() - 1] {
        for k in 0..3 {
            let mut sp = s.clone();
            sp.positions[i][k] += h;
            let ep = energy(&mut ev, &sp);
            let mut sm = s.clone();
            sm.positions[i][k] -= h;
            let em = energy(&mut ev, &sm);
            let fd = -(ep - em) / (2.0 * h);
            let f = out.forces[i][k];
            assert!((fd - f).abs() < 1e-6 * (1.0 + f.abs()), "atom {i} comp {k}: fd {fd} vs {f}");
        }
    }
    // virial W_ab = -∂E/∂ε_ab (symmetric strain, positions deform with the cell)
    for q in 0..6 {
        let strained = |e: f64| s.deformed(&voigt_deformation(q, e)).unwrap();
        let d = 1e-6;
        let ep = energy(&mut ev, &strained(d));
        let em = energy(&mut ev, &strained(-d));
        let w = -(ep - em) / (2.0 * d);
        assert!((w - out.virial[q]).abs() < 1e-5 * (1.0 + out.virial[q].abs()), "virial {q}: {w} vs {}", out.virial[q]);
    }
}

#[test]
fn zhou_alloy_forces_and_virial_are_derivatives() {
    let z = Zhou2004::new(&["Cu".into(), "Ni".into(), "Ag".into()]).unwrap();
    let pot = Arc::new(z.potential().unwrap());
    check_fd(pot.clone(), &alloy(&["Cu", "Ni", "Ag"], 3.6, Lattice::Fcc, 3, false));
    check_fd(pot, &alloy(&["Cu", "Ni", "Ag"], 3.6, Lattice::Fcc, 4, true));
}

#[test]
fn file_potentials_forces_and_virial_are_derivatives() {
    let Some(d) = potentials_dir() else { return };
    let fs = Arc::new(load(&d.join("CuZr_mm.eam.fs"), None).unwrap());
    check_fd(fs, &alloy(&["Cu", "Zr"], 3.9, Lattice::Fcc, 5, true));
    let fl = Arc::new(load_funcfl(&[("Cu".into(), &d.join("Cu_u3.eam")), ("Ni".into(), &d.join("Ni_u3.eam"))]).unwrap());
    check_fd(fl, &alloy(&["Cu", "Ni"], 3.58, Lattice::Fcc, 6, false));
}

#[test]
fn results_identical_across_thread_counts() {
    let z = Zhou2004::new(&["Fe".into(), "Cr".into()]).unwrap();
    let pot: Arc<dyn Potential> = Arc::new(z.potential().unwrap());
    let s = alloy(&["Fe", "Cr"], 2.87, Lattice::Bcc, 9, true);
    let mut e1 = Evaluator::new(pot.clone(), 1.0, 1).unwrap();
    let mut e2 = Evaluator::new(pot, 1.0, 2).unwrap();
    let o1 = e1.compute_all(&s).unwrap().clone();
    let o2 = e2.compute_all(&s).unwrap().clone();
    assert!((o1.energy - o2.energy).abs() <= 1e-12 * o1.energy.abs());
    for (a, b) in o1.forces.iter().zip(&o2.forces) {
        for k in 0..3 {
            assert!((a[k] - b[k]).abs() <= 1e-12 * (1.0 + a[k].abs()));
        }
    }
}

fn lattice_energy(pot: &EmbeddedAtom, el: &str, lat: Lattice, a: f64) -> f64 {
    let spec = BulkSpec { lattice: lat, species: vec![el.into()], a, c: None, orientation: None, repeat: [4, 4, 4], orthogonal: true, masses: None };
    let s = bulk(&spec).unwrap();
    let mut ev = Evaluator::new(Arc::new(pot.clone()), 0.5, 1).unwrap();
    ev.compute_all(&s).unwrap().energy / s.len() as f64
}

#[test]
fn zhou_cohesive_energies_match_published_lattice_sums() {
    // literature_values.md: Zhou 2004, static lattice sums of the analytic functions.
    for (el, lat, a, ec) in [("Cu", Lattice::Fcc, 3.6150, 3.540), ("Ni", Lattice::Fcc, 3.5196, 4.450), ("Fe", Lattice::Bcc, 2.8660, 4.290), ("Ta", Lattice::Bcc, 3.3025, 8.090)] {
        let z = Zhou2004::new(&[el.to_string()]).unwrap();
        let e = lattice_energy(&z.potential().unwrap(), el, lat, a);
        assert!((e + ec).abs() < 2e-3, "{el}: {e} vs -{ec}");
    }
}

#[test]
fn zhou_setfl_round_trip() {
    let z = Zhou2004::new(&["Cu".into(), "Ta".into()]).unwrap();
    let dir = std::env::temp_dir().join(format!("sb-eam-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("CuTa_zhou.eam.alloy");
    z.write_setfl(&p).unwrap();
    let back = load(&p, None).unwrap();
    assert_eq!(back.tables(), &z.tables());
    let sub = load(&p, Some(&["Ta".to_string()])).unwrap();
    assert_eq!(sub.elements(), &["Ta".to_string()]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn malformed_files_give_clear_errors() {
    let dir = std::env::temp_dir().join(format!("sb-eam-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let z = Zhou2004::new(&["Cu".into()]).unwrap();
    let good = dir.join("good.eam.alloy");
    z.write_setfl(&good).unwrap();
    let text = std::fs::read_to_string(&good).unwrap();
    // truncated
    let cut = dir.join("trunc.eam.alloy");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let e = load(&cut, None).unwrap_err().to_string();
    assert!(e.contains("truncated") && e.contains("trunc.eam.alloy"), "{e}");
    // not a number
    let bad = dir.join("nan.eam.alloy");
    std::fs::write(&bad, text.replacen("\n-", "\nabc -", 1)).unwrap();
    let e = load(&bad, None).unwrap_err().to_string();
    assert!(e.contains("not a number"), "{e}");
    // element list
    let e = load(&good, Some(&["Ni".to_string()])).unwrap_err().to_string();
    assert!(e.contains("Ni") && e.contains("Cu"), "{e}");
    // grid not covering the cutoff
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let w: Vec<String> = lines[4].split_whitespace().map(String::from).collect();
    lines[4] = format!("{} {} {} {} 99.0", w[0], w[1], w[2], w[3]);
    let short = dir.join("short.eam.alloy");
    std::fs::write(&short, lines.join("\n")).unwrap();
    let e = load(&short, None).unwrap_err().to_string();
    assert!(e.contains("does not cover the cutoff"), "{e}");
    // missing file
    assert!(matches!(load(&dir.join("none.eam"), None), Err(Error::Io { .. })));
    std::fs::remove_dir_all(&dir).ok();
}

//! Finite-difference force checks, per-atom sums, a short NVE run and the error cases of the
//! ionic styles (the LAMMPS agreement itself is tests/test_ionic.py).

use crate::cell::Cell;
use crate::evaluator::Evaluator;
use crate::potentials::spec::PotentialSpec;
use crate::potentials::Potential;
use crate::structure::Structure;
use std::sync::Arc;

/// A perturbed rock-salt MgO supercell (2×2×2 conventional cells, a = 4.21 Å, 64 atoms).
fn mgo(seed: u64, jitter: f64) -> Structure {
    let a = 4.21;
    let mut pos = Vec::new();
    let mut sym = Vec::new();
    let mut s = seed;
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * jitter
    };
    for i in 0..2 {
        for j in 0..2 {
            for k in 0..2 {
                for (f, el) in [
                    ([0.0, 0.0, 0.0], "Mg"),
                    ([0.5, 0.5, 0.0], "Mg"),
                    ([0.5, 0.0, 0.5], "Mg"),
                    ([0.0, 0.5, 0.5], "Mg"),
                    ([0.5, 0.0, 0.0], "O"),
                    ([0.0, 0.5, 0.0], "O"),
                    ([0.0, 0.0, 0.5], "O"),
                    ([0.5, 0.5, 0.5], "O"),
                ] {
                    pos.push([(i as f64 + f[0]) * a + rnd(), (j as f64 + f[1]) * a + rnd(), (k as f64 + f[2]) * a + rnd()]);
                    sym.push(el.to_string());
                }
            }
        }
    }
    let cell = Cell::new([[2.0 * a, 0.0, 0.0], [0.3, 2.0 * a, 0.0], [-0.2, 0.4, 2.0 * a]]).unwrap();
    Structure::from_symbols(cell, pos, &sym, None).unwrap()
}

fn build(json: &str) -> Arc<dyn Potential> {
    PotentialSpec::from_json(json).unwrap().build().unwrap()
}

const BUCK: &str = r#"{"pair_style": "buck", "elements": ["Mg", "O"], "cutoff": 7.0, "shift": true, "pairs": [
  {"a": "Mg", "b": "O", "A": 1428.5, "rho": 0.2945, "C": 0.0},
  {"a": "O", "b": "O", "A": 22764.0, "rho": 0.149, "C": 27.88, "cutoff": 6.5},
  {"a": "Mg", "b": "Mg", "A": 0.0, "rho": 1.0, "C": 0.0}]}"#;
const BORN: &str = r#"{"pair_style": "born", "elements": ["Mg", "O"], "cutoff": 7.0, "pairs": [
  {"a": "Mg", "b": "O", "A": 0.2, "rho": 0.3, "sigma": 2.1, "C": 5.0, "D": 2.0},
  {"a": "O", "b": "O", "A": 0.1, "rho": 0.25, "sigma": 2.9, "C": 20.0, "D": 1.0},
  {"a": "Mg", "b": "Mg", "A": 0.05, "rho": 0.3, "sigma": 2.5, "C": 0.0, "D": 0.0}]}"#;
const PEDONE_DSF: &str = r#"{"pair_style": "hybrid/overlay", "charges": {"Mg": 1.2, "O": -1.2}, "styles": [
  {"pair_style": "pedone", "elements": ["Mg", "O"], "cutoff": 7.0, "pairs": [
     {"a": "Mg", "b": "O", "D0": 0.038908, "alpha": 2.281, "r0": 2.586, "C0": 5.0},
     {"a": "O", "b": "O", "D0": 0.042395, "alpha": 1.379316, "r0": 3.618701, "C0": 22.0}]},
  {"pair_style": "coul/dsf", "alpha": 0.25, "cutoff": 7.5}]}"#;

/// Energy, forces (central differences) and per-atom sums of a potential on a structure.
fn check_forces(pot: Arc<dyn Potential>, s: &Structure, tol: f64) {
    let mut ev = Evaluator::new(pot.clone(), 1.0, 1).unwrap();
    let out = ev.compute_all(s).unwrap().clone();
    let esum: f64 = out.per_atom_energy.iter().sum();
    assert!((esum - out.energy).abs() < 1e-9 * out.energy.abs().max(1.0), "per-atom energies {esum} vs {}", out.energy);
    for k in 0..6 {
        let vs: f64 = out.per_atom_virial.iter().map(|v| v[k]).sum();
        assert!((vs - out.virial[k]).abs() < 1e-9 * out.virial[k].abs().max(1.0), "per-atom virial {k}");
    }
    let h = 1e-5;
    for i in [0usize, 5, 17, 40, 63] {
        for d in 0..3 {
            let mut p = s.clone();
            p.positions[i][d] += h;
            let ep = Evaluator::new(pot.clone(), 1.0, 1).unwrap().compute_all(&p).unwrap().energy;
            p.positions[i][d] -= 2.0 * h;
            let em = Evaluator::new(pot.clone(), 1.0, 1).unwrap().compute_all(&p).unwrap().energy;
            let fd = -(ep - em) / (2.0 * h);
            let f = out.forces[i][d];
            assert!((fd - f).abs() < tol * f.abs().max(0.1), "{} atom {i} dir {d}: analytic {f}, numeric {fd}", pot.pair_style());
        }
    }
    // the virial from a homogeneous strain: W_xx = −dE/dε_xx
    let eps = 1e-6;
    let strained = |e: f64| {
        let f = [[1.0 + e, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        Evaluator::new(pot.clone(), 1.0, 1).unwrap().compute_all(&s.deformed(&f).unwrap()).unwrap().energy
    };
    let wxx = -(strained(eps) - strained(-eps)) / (2.0 * eps);
    assert!((wxx - out.virial[0]).abs() < tol * out.virial[0].abs().max(1.0), "virial xx {wxx} vs {}", out.virial[0]);
}

#[test]
fn forces_are_minus_the_energy_gradient() {
    let s = mgo(7, 0.15);
    check_forces(build(BUCK), &s, 1e-6);
    check_forces(build(BORN), &s, 1e-6);
    // coul/dsf evaluates erfc(αr) with LAMMPS's polynomial (|error| < 1.5e-7) but its shifts with
    // the exact erfc, so its force is the energy gradient to ~1e-6 eV/Å only (LAMMPS's numbers)
    check_forces(build(PEDONE_DSF), &s, 1e-4);
}

#[test]
fn nve_conserves_energy() {
    use crate::units::FTM2V;
    let pot = build(PEDONE_DSF);
    let mut s = mgo(3, 0.05);
    let mut ev = Evaluator::new(pot, 1.0, 1).unwrap();
    ev.request = crate::potentials::Request::global();
    let mut v = vec![[0.0f64; 3]; s.len()];
    let dt = 0.001;
    let mut f = ev.compute(&s).unwrap().forces.clone();
    let e0 = ev.output.energy;
    let kinetic = |v: &[[f64; 3]], s: &Structure| -> f64 {
        v.iter().zip(&s.masses).map(|(v, m)| 0.5 * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2])).sum::<f64>() / FTM2V
    };
    let mut worst = 0.0f64;
    for _ in 0..300 {
        for i in 0..s.len() {
            for d in 0..3 {
                v[i][d] += 0.5 * dt * FTM2V * f[i][d] / s.masses[i];
                s.positions[i][d] += dt * v[i][d];
            }
        }
        f = ev.compute(&s).unwrap().forces.clone();
        for i in 0..s.len() {
            for d in 0..3 {
                v[i][d] += 0.5 * dt * FTM2V * f[i][d] / s.masses[i];
            }
        }
        let etot = ev.output.energy + kinetic(&v, &s);
        worst = worst.max((etot - e0).abs());
    }
    let ke_scale = kinetic(&v, &s).max(1e-3);
    assert!(worst < 0.02 * ke_scale, "energy drift {worst} eV (kinetic {ke_scale} eV)");
}

#[test]
fn errors_name_the_problem() {
    let s = mgo(1, 0.05);
    let err = |json: &str| -> String {
        match PotentialSpec::from_json(json).and_then(|p| p.build()) {
            Err(e) => e.to_string(),
            Ok(p) => Evaluator::new(p, 1.0, 1).unwrap().compute_all(&s).map(|_| ()).unwrap_err().to_string(),
        }
    };
    // buck without an unlike pair: no mixing
    let e = err(r#"{"pair_style": "buck", "elements": ["Mg", "O"], "cutoff": 7.0, "pairs": [{"a": "Mg", "b": "Mg", "A": 1, "rho": 0.3, "C": 0}, {"a": "O", "b": "O", "A": 1, "rho": 0.3, "C": 0}]}"#);
    assert!(e.contains("Mg-O") && e.contains("mixing"), "{e}");
    // an element in a pair that is not one of the elements
    let e = err(r#"{"pair_style": "buck", "elements": ["Mg", "O"], "cutoff": 7.0, "pairs": [{"a": "Mg", "b": "Xx", "A": 1, "rho": 0.3, "C": 0}]}"#);
    assert!(e.contains("Xx"), "{e}");
    // missing charge
    let e = err(r#"{"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 7.0, "charges": {"Mg": 2.0}}"#);
    assert!(e.contains("no charge for species 'O'"), "{e}");
    let e = err(r#"{"pair_style": "coul/wolf", "alpha": 0.2, "cutoff": 7.0}"#);
    assert!(e.contains("charges"), "{e}");
    // non-neutral cell, then allowed with neutralize
    let e = err(r#"{"pair_style": "coul/cut", "cutoff": 7.0, "charges": {"Mg": 2.0, "O": -1.0}}"#);
    assert!(e.contains("net charge") && e.contains("32.000000"), "{e}");
    let ok = build(r#"{"pair_style": "coul/cut", "cutoff": 7.0, "charges": {"Mg": 2.0, "O": -1.0}, "neutralize": true}"#);
    Evaluator::new(ok, 1.0, 1).unwrap().compute_all(&s).unwrap();
    // negative rho, unknown key
    let e = err(r#"{"pair_style": "buck", "elements": ["O"], "cutoff": 7.0, "pairs": [{"a": "O", "b": "O", "A": 1, "rho": -0.3, "C": 0}]}"#);
    assert!(e.contains("rho"), "{e}");
    let e = err(r#"{"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 7.0, "charge": {}}"#);
    assert!(e.contains("unknown key 'charge'"), "{e}");
}

#[test]
fn json_round_trip_and_hybrid_needs() {
    for j in [BUCK, BORN, PEDONE_DSF] {
        let spec = PotentialSpec::from_json(j).unwrap();
        assert_eq!(PotentialSpec::from_json(&spec.to_json()).unwrap(), spec);
    }
    let p = build(PEDONE_DSF);
    assert_eq!(p.pair_style(), "hybrid/overlay");
    assert_eq!(p.needs().cutoff, 7.5);
    assert!(!p.needs().whole_configuration);
}

#[test]
fn pedone_library_by_name() {
    let spec = PotentialSpec::from_json(
        r#"{"generator": "pedone2006", "elements": ["Ca", "O"], "cutoff": 7.0, "coulomb": {"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 7.0}}"#,
    )
    .unwrap();
    let PotentialSpec::Hybrid { styles, charges } = &spec else { panic!("hybrid") };
    let c = charges.as_ref().unwrap();
    assert_eq!((c.get("Ca"), c.get("O")), (Some(1.2), Some(-1.2)));
    assert_eq!(styles.len(), 2);
    spec.build().unwrap();
    let e = PotentialSpec::from_json(r#"{"generator": "pedone2006", "elements": ["Unobtainium", "O"], "cutoff": 7.0, "coulomb": {"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 7.0}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Unobtainium"), "{e}");
}

#[test]
fn every_shipped_set_parses_and_du_teter_makes_lifepo4_neutral() {
    use crate::potentials::ionic::library::{parse, SETS};
    for set in SETS {
        let p = parse(set).unwrap_or_else(|e| panic!("{}: {e}", set.name));
        assert!(!p.pairs.is_empty(), "{}", set.name);
        // every row and charge carries where it was checked
        assert!(p.pairs.iter().all(|(_, cite)| !cite.is_empty()), "{}: a pair_coeff row without its source", set.name);
        assert!(p.charges.iter().all(|(_, _, cite)| !cite.is_empty()), "{}: a charge without its source", set.name);
    }
    let spec = PotentialSpec::from_json(
        r#"{"generator": "buckingham", "set": "du_teter", "elements": ["Li", "Fe", "P", "O"], "cutoff": 10.0,
            "coulomb": {"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 10.0}}"#,
    )
    .unwrap();
    let PotentialSpec::Hybrid { styles, charges } = &spec else { panic!("hybrid") };
    let c = charges.as_ref().unwrap();
    let q = |s: &str| c.get(s).unwrap();
    // LiFePO4: 0.6 + 1.2 + 3.0 - 4 x 1.2 = 0
    assert!((q("Li") + q("Fe") + q("P") + 4.0 * q("O")).abs() < 1e-12);
    let PotentialSpec::ShortRange(sr) = &styles[0] else { panic!("short range first") };
    assert_eq!(sr.pairs.len(), 4);
    spec.build().unwrap();
    // a pedone set is not a buckingham set
    let e = PotentialSpec::from_json(
        r#"{"generator": "buckingham", "set": "pedone2006", "elements": ["Li", "O"], "cutoff": 10.0, "coulomb": {"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 10.0}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("pedone"), "{e}");
}

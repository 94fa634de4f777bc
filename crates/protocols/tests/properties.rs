//! Property protocols against exact references that need no oracle: static elastic constants of
//! the Lennard-Jones fcc crystal from lattice sums (../shared/reference/literature_values.md),
//! the Cauchy relation C12 = C44 of pair potentials, and resumable stages.

use scalebridge_md::prelude::*;
use scalebridge_protocols::elastic::{static_constants, StaticOptions};
use scalebridge_protocols::report::{Silent, StageCache};
use std::sync::Arc;

/// ε/σ³ → GPa for ε = 1 eV, σ = 1 Å is 160.2 GPa; use reduced units ε = σ = 1 directly.
const EV_A3_GPA: f64 = 160.217_65;

fn lj_fcc(rc: f64, a: f64) -> (Structure, Arc<dyn Potential>) {
    let spec = BulkSpec {
        lattice: Lattice::Fcc,
        species: vec!["X".into()],
        a,
        c: None,
        orientation: None,
        repeat: [4, 4, 4],
        orthogonal: false,
        masses: Some(vec![1.0]),
    };
    let s = bulk(&spec).unwrap();
    let lj = LennardJones::new(vec!["X".into()], vec![1.0], vec![1.0], rc, false, Mixing::LorentzBerthelot, vec![]).unwrap();
    (s, Arc::new(lj))
}

#[test]
fn lj_static_elastic_constants_match_lattice_sums() {
    // (cutoff σ, a0 σ, C11, C12 = C44) in ε/σ³, unshifted lj/cut
    for (rc, a0, c11, c12) in [(2.5, 1.54960, 97.71, 55.63), (3.0, 1.54638, 101.05, 57.28)] {
        let (s, pot) = lj_fcc(rc, 1.55);
        let r = static_constants(&s, pot, &StaticOptions { fmax: 1e-8, ..Default::default() }, &StageCache::default(), &mut Silent).unwrap();
        let c: Vec<Vec<f64>> = r.c_gpa.iter().map(|row| row.iter().map(|v| v / EV_A3_GPA).collect()).collect();
        let a = (4.0 * r.state["volume_per_atom"].value).cbrt();
        assert!((a - a0).abs() < 2e-4, "rc {rc}: a0 {a} vs {a0}");
        assert!((c[0][0] - c11).abs() < 0.005 * c11, "rc {rc}: C11 {} vs {c11}", c[0][0]);
        assert!((c[0][1] - c12).abs() < 0.005 * c12, "rc {rc}: C12 {} vs {c12}", c[0][1]);
        assert!((c[3][3] - c[0][1]).abs() < 1e-3 * c12, "Cauchy relation C12 = C44 broken: {} vs {}", c[0][1], c[3][3]);
        assert!(r.moduli.born_stable && r.warnings.is_empty(), "{:?}", r.warnings);
    }
}

#[test]
fn stage_cache_resumes_without_recomputing() {
    let dir = std::env::temp_dir().join(format!("sb-stage-test-{}", std::process::id()));
    let cache = StageCache::new(Some(dir.clone()), "task");
    let mut calls = 0;
    let a: f64 = cache.get_or_run("x", || { calls += 1; Ok(1.5) }).unwrap();
    let b: f64 = cache.get_or_run("x", || { calls += 1; Ok(2.5) }).unwrap();
    assert_eq!((a, b, calls), (1.5, 1.5, 1));
    // a failing stage leaves nothing behind
    let e: Result<f64, _> = cache.get_or_run("y", || Err(scalebridge_md::error::Error::invalid("y", 0, "fails")));
    assert!(e.is_err() && !dir.join("task/y.json").exists());
    std::fs::remove_dir_all(dir).ok();
}

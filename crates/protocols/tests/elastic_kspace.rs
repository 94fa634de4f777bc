//! The 0 K elastic protocol with long-range Coulomb: the k-space parameters (g, PPPM mesh, Ewald
//! k-vectors) are chosen once on the relaxed reference cell and kept for every strained cell
//! (`Potential::pinned_for`, LAMMPS `kspace_modify gewald … mesh …`), so that σ(ε) is one smooth
//! function and the finite-difference C is symmetric, cubic and equal to the converged Ewald C.
//! MgO rocksalt with the Lewis & Catlow Buckingham set (formal charges ±2).

use scalebridge_md::potentials::kspace::{CoulLong, KSpaceStyle};
use scalebridge_md::potentials::spec::PotentialSpec;
use scalebridge_md::potentials::Configuration;
use scalebridge_md::prelude::*;
use scalebridge_md::crystals::{Repeat, StructureSpec};
use scalebridge_protocols::elastic::{static_constants, ElasticResult, StaticOptions};
use scalebridge_protocols::report::{Silent, StageCache};
use std::sync::Arc;

/// MgO rocksalt, `m³` conventional cells of edge `a` (the crystal prototype's default compound).
fn mgo(a: f64, m: usize) -> Structure {
    StructureSpec { a: Some(a), supercell: Some(Repeat::Three([m; 3])), ..StructureSpec::new("rocksalt") }.build().unwrap()
}

/// C of a cubic crystal before symmetrisation: symmetric, C11 = C22 = C33, C12 = C13 = C23,
/// C44 = C55 = C66 (each to 1e-4 of C11), and no warning other than the cohesive-energy note.
fn assert_cubic(p: &ElasticResult) {
    let c = p.c_gpa;
    let cmax = c[0][0];
    assert!(p.asymmetry_gpa < 1e-4 * cmax, "asymmetry {} GPa", p.asymmetry_gpa);
    for (i, j) in [(1, 1), (2, 2)] {
        assert!((c[i][j] - c[0][0]).abs() < 1e-4 * cmax, "C{}{} {} vs C11 {}", i + 1, j + 1, c[i][j], c[0][0]);
    }
    for (i, j) in [(0, 2), (1, 2)] {
        assert!((c[i][j] - c[0][1]).abs() < 1e-4 * cmax, "C{}{} {} vs C12 {}", i + 1, j + 1, c[i][j], c[0][1]);
    }
    for i in [4, 5] {
        assert!((c[i][i] - c[3][3]).abs() < 1e-4 * cmax, "C{}{} {} vs C44 {}", i + 1, i + 1, c[i][i], c[3][3]);
    }
    assert!(p.warnings.iter().all(|w| w.contains("cohesive energy")), "{:?}", p.warnings);
}

fn buck_coul_long(kspace: &str) -> Arc<dyn Potential> {
    let spec = format!(
        r#"{{"pair_style": "hybrid/overlay", "charges": {{"Mg": 2.0, "O": -2.0}}, "styles": [
            {{"pair_style": "buck", "elements": ["Mg", "O"], "cutoff": 6.0, "pairs": [
                {{"a": "Mg", "b": "Mg", "A": 0.0, "rho": 1.0, "C": 0.0}},
                {{"a": "Mg", "b": "O", "A": 1428.5, "rho": 0.2945, "C": 0.0}},
                {{"a": "O", "b": "O", "A": 22764.0, "rho": 0.149, "C": 27.88}}]}},
            {{"pair_style": "coul/long", "cutoff": 6.0, "kspace": {kspace}}}]}}"#
    );
    PotentialSpec::from_json(&spec).unwrap().build().unwrap()
}

fn coul_long(p: &Arc<dyn Potential>) -> &CoulLong {
    let h = p.as_any().downcast_ref::<scalebridge_md::potentials::hybrid::Hybrid>().expect("hybrid");
    h.members().iter().find_map(|m| m.as_any().downcast_ref::<CoulLong>()).expect("coul/long member")
}

#[test]
fn pinned_potential_keeps_the_reference_choice_on_strained_cells() {
    let s = mgo(4.21, 3);
    for style in ["pppm", "ewald"] {
        let pot = buck_coul_long(&format!(r#"{{"style": "{style}", "accuracy": 1e-5}}"#));
        let pinned = scalebridge_md::potentials::pinned_for(&pot, &s).unwrap();
        let c = Configuration::new(&s, None);
        let r0 = coul_long(&pot).resolve(&c).unwrap();
        let k = &coul_long(&pinned).kspace;
        assert_eq!(k.gewald, Some(r0.g_ewald), "{style}");
        match k.style {
            KSpaceStyle::Pppm => assert_eq!(k.mesh, Some(r0.grid)),
            KSpaceStyle::Ewald => assert_eq!(k.kmax_ewald, Some(r0.grid)),
        }
        // same numbers on the reference cell
        let e = |p: &Arc<dyn Potential>, s: &Structure| Evaluator::new(p.clone(), 1.0, 1).unwrap().compute_all(s).unwrap().energy;
        let (e0, e1) = (e(&pot, &s), e(&pinned, &s));
        assert!((e0 - e1).abs() <= 1e-12 * e0.abs(), "{style}: {e0} vs pinned {e1}");
        // a strained cell: the free potential re-chooses g (it depends on the volume), the pinned one does not
        let t = s.deformed(&scalebridge_md::cell::voigt_deformation(0, 0.01)).unwrap();
        let ct = Configuration::new(&t, None);
        assert_ne!(coul_long(&pot).resolve(&ct).unwrap().g_ewald, r0.g_ewald, "{style}");
        assert_eq!(coul_long(&pinned).resolve(&ct).unwrap().g_ewald, r0.g_ewald, "{style}");
        // pinning twice changes nothing
        assert!(pinned.pinned_for(&ct).unwrap().is_none(), "{style}");
    }
}

#[test]
fn pppm_elastic_constants_are_cubic_symmetric_and_cauchy() {
    let s = mgo(4.21, 2);
    let opts = StaticOptions { fmax: 1e-6, ..Default::default() };
    let run = |k: &str| static_constants(&s, buck_coul_long(k), &opts, &StageCache::default(), &mut Silent).unwrap();
    let p = run(r#"{"style": "pppm", "accuracy": 1e-5}"#);
    let c = p.c_gpa;
    let cmax = c[0][0];
    println!("pppm C11 {:.4} C12 {:.4} C44 {:.4}; asymmetry {:.2e} GPa", c[0][0], c[0][1], c[3][3], p.asymmetry_gpa);
    // symmetric before symmetrisation, cubic, linear (no warning)
    assert_cubic(&p);
    // rigid-ion rocksalt, central forces, zero pressure: Cauchy relation C12 = C44
    assert!((c[0][1] - c[3][3]).abs() < 1e-4 * cmax, "Cauchy C12 {} vs C44 {}", c[0][1], c[3][3]);
}

/// Slow (about 1 min on 2 cores): `cargo test --release -p scalebridge-protocols --test elastic_kspace -- --ignored`.
#[test]
#[ignore]
fn pppm_elastic_constants_are_cubic_and_equal_converged_ewald() {
    let s = mgo(4.21, 2);
    let opts = StaticOptions { fmax: 1e-6, ..Default::default() };
    let run = |k: &str| static_constants(&s, buck_coul_long(k), &opts, &StageCache::default(), &mut Silent).unwrap();
    let p = run(r#"{"style": "pppm", "accuracy": 1e-5}"#);
    let e = run(r#"{"style": "ewald", "accuracy": 1e-8}"#);
    let (c, ce) = (p.c_gpa, e.c_gpa);
    let cmax = c[0][0];
    println!("pppm C11 {:.4} C12 {:.4} C44 {:.4}; ewald {:.4} {:.4} {:.4}; asymmetry {:.2e} GPa", c[0][0], c[0][1], c[3][3], ce[0][0], ce[0][1], ce[3][3], p.asymmetry_gpa);
    // symmetric before symmetrisation, cubic, linear (no warning)
    assert_cubic(&p);
    // PPPM at 1e-5 against converged Ewald: every entry within 0.05 % of C11
    for i in 0..6 {
        for j in 0..6 {
            assert!((c[i][j] - ce[i][j]).abs() < 5e-4 * cmax, "C{}{}: pppm {} vs ewald {}", i + 1, j + 1, c[i][j], ce[i][j]);
        }
    }
    // rigid-ion rocksalt: Cauchy relation C12 = C44 holds for central forces at zero pressure
    assert!((ce[0][1] - ce[3][3]).abs() < 1e-3 * cmax, "Cauchy C12 {} vs C44 {}", ce[0][1], ce[3][3]);
}

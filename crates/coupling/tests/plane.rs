//! 2-D plane-strain force-based coupling (docs/coupling.md §7): fcc Al (`Al_mm.eam.fs`), block
//! axes x = [100], y = [010], periodic thickness z = [001] (one cubic edge), the continuum's
//! stiffness from the 0 K elastic protocol with the same potential.
//!
//! * Patch test: under a uniform strain every residual force (atoms of the atomistic region with
//!   their pad, free nodes) is ≤ 1e-10 × the force scale of that strain.
//! * Against full atomistics: a block with a hole in the middle under shear; the coupled model's
//!   atoms agree with the fully atomistic solution of the whole block far better than the same
//!   atomistic region with an affinely displaced (rigid) surround.

use scalebridge_coupling::plane::{compare, ForceBased2d, FullAtomistic2d, PlaneOptions};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::sync::Arc;

mod common;

fn setup() -> Option<(Structure, Arc<dyn Potential>, [[f64; 6]; 6])> {
    common::al_unit()
}

#[test]
fn patch_test_uniform_strain_has_no_ghost_forces() {
    let Some((unit, pot, c)) = setup() else { return };
    // cubic stiffness from the elastic protocol (its values are checked against LAMMPS in the
    // protocol's own tests): C11 ≈ 110.7, C12 ≈ 61.7, C44 ≈ 32.8 GPa for Al_mm.eam.fs
    let rel = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs());
    assert!(rel(c[0][0], c[1][1]) && rel(c[0][0], c[2][2]) && rel(c[0][1], c[0][2]) && rel(c[3][3], c[5][5]), "{c:?}");
    assert!(c[0][0] > c[0][1] && c[0][1] > 0.0 && c[3][3] > 0.0 && c[0][5].abs() < 1e-6, "{c:?}");
    let opts = PlaneOptions { block: [10, 10], atomistic: [3, 3], ..PlaneOptions::default() };
    let mut m = ForceBased2d::new(&unit, pot, &c, &opts).unwrap();
    let (na, npad, nn) = m.sizes();
    assert!(na > 100 && npad > na && nn > 50, "{na} {npad} {nn}");
    for h in [[[0.01, 0.0], [0.0, 0.0]], [[0.01, 0.004], [-0.002, -0.006]]] {
        let r = m.patch_test(&h).unwrap();
        eprintln!("patch {h:?}: atoms {:.2e}, nodes {:.2e}, scale {:.3e} eV/Å", r.max_atom_force, r.max_node_force, r.reference_force);
        assert!(r.reference_force > 1e-2, "the strain produces forces against an undeformed pad: {r:?}");
        assert!(r.max_atom_force <= 1e-10 * r.reference_force, "{r:?}");
        assert!(r.max_node_force <= 1e-10 * r.reference_force, "{r:?}");
        // and relaxation leaves the uniform state where it is
        m.set_affine(&h);
        let (_, fmax) = m.relax().unwrap();
        assert!(fmax < 1e-10, "{fmax}");
    }
}

#[test]
fn hole_under_shear_matches_full_atomistics() {
    let Some((unit, pot, c)) = setup() else { return };
    let gamma = 0.02;
    let h = [[0.0, gamma], [0.0, 0.0]];
    let opts = PlaneOptions { block: [12, 12], atomistic: [4, 4], hole_radius: 5.0, fmax: 1e-5, ..PlaneOptions::default() };
    let mut exact = FullAtomistic2d::new(&unit, pot.clone(), &opts).unwrap();
    exact.set_load(&h, true);
    exact.relax().unwrap();
    let mut model = ForceBased2d::new(&unit, pot.clone(), &c, &opts).unwrap();
    model.set_affine(&h);
    model.relax().unwrap();
    let cmp = compare(&model, &exact, &h).unwrap();
    // the same atomistic region in a rigid (affine) surround: a full-atomistic block whose
    // boundary layer starts at the atomistic region's edge
    let b = (2.0 * pot.needs().cutoff / unit.cell.matrix()[0][0]).ceil() as i64;
    let ropts = PlaneOptions { block: [opts.atomistic[0] + b + 1, opts.atomistic[1] + b + 1], boundary_layer: Some(b as f64 * unit.cell.matrix()[0][0] - 1e-3), ..opts.clone() };
    let mut rigid = FullAtomistic2d::new(&unit, pot, &ropts).unwrap();
    rigid.set_load(&h, true);
    rigid.relax().unwrap();
    let mut rigid_max = 0.0f64;
    for (k, &s) in model.atom_sites().iter().enumerate() {
        let _ = k;
        // sites of the same reference position in the other block
        let r = model.block.sites[s];
        let t = rigid.block.sites.iter().position(|q| (q[0] - r[0]).abs() < 1e-6 && (q[1] - r[1]).abs() < 1e-6 && (q[2] - r[2]).abs() < 1e-6).unwrap();
        let ur = rigid.displacement_of(t).unwrap_or_else(|| {
            let a = [h[0][1] * r[1], 0.0, 0.0];
            a
        });
        let ue = exact.displacement_of(s).unwrap();
        let d = ((ur[0] - ue[0]).powi(2) + (ur[1] - ue[1]).powi(2) + (ur[2] - ue[2]).powi(2)).sqrt();
        rigid_max = rigid_max.max(d);
    }
    let (na, npad, nn) = model.sizes();
    eprintln!(
        "hole r=5 Å, γ={gamma}: N_A={na} pad={npad} nodes={nn} full={:?}; max non-affine {:.4} Å; coupled max dev {:.2e} rms {:.2e} e {:.2e} Å; rigid surround max dev {:.2e} Å; E_A model {:.6} exact {:.6} eV",
        exact.sizes(), cmp.max_nonaffine, cmp.max_deviation, cmp.rms_deviation, cmp.e_angstrom, rigid_max, cmp.energy_model, cmp.energy_exact
    );
    assert!(cmp.max_nonaffine > 0.05, "the hole must perturb the field: {cmp:?}");
    assert!(cmp.max_deviation < 0.1 * cmp.max_nonaffine, "{cmp:?}");
    assert!(cmp.max_deviation < 0.5 * rigid_max, "coupled {} vs rigid surround {}", cmp.max_deviation, rigid_max);
}

/// Recovered-gradient pad placement: still no ghost forces under a uniform strain (the correction
/// vanishes for linear fields), and for the hole under shear the region's displacements come
/// closer to full atomistics than with linear interpolation (in the Lomer case the cell-centre pad
/// atoms placed linearly carried the whole region-energy error, docs/coupling.md).
#[test]
fn recovered_pad_placement_is_exact_for_uniform_strain_and_closer_to_full_atomistics() {
    use scalebridge_coupling::plane::PadInterpolation;
    let Some((unit, pot, c)) = setup() else { return };
    let popts = PlaneOptions { block: [10, 10], atomistic: [3, 3], pad_interpolation: PadInterpolation::Recovered, ..PlaneOptions::default() };
    let mut m = ForceBased2d::new(&unit, pot.clone(), &c, &popts).unwrap();
    let r = m.patch_test(&[[0.01, 0.004], [-0.002, -0.006]]).unwrap();
    assert!(r.max_atom_force <= 1e-10 * r.reference_force && r.max_node_force <= 1e-10 * r.reference_force, "{r:?}");
    let h = [[0.0, 0.02], [0.0, 0.0]];
    let opts = PlaneOptions { block: [12, 12], atomistic: [4, 4], hole_radius: 5.0, fmax: 1e-5, ..PlaneOptions::default() };
    let mut exact = FullAtomistic2d::new(&unit, pot.clone(), &opts).unwrap();
    exact.set_load(&h, true);
    exact.relax().unwrap();
    exact.set_mobile_and_evaluate().unwrap();
    let mut out = Vec::new();
    for pad in [PadInterpolation::Linear, PadInterpolation::Recovered] {
        let mut model = ForceBased2d::new(&unit, pot.clone(), &c, &PlaneOptions { pad_interpolation: pad, ..opts.clone() }).unwrap();
        model.set_affine(&h);
        model.relax().unwrap();
        let cmp = compare(&model, &exact, &h).unwrap();
        eprintln!("{pad:?}: max deviation {:.3e} Å, rms {:.3e} Å, region energy error {:+.3e} eV", cmp.max_deviation, cmp.rms_deviation, cmp.energy_model - cmp.energy_exact);
        out.push(cmp);
    }
    // displacements: 6.4e-3 → 3.4e-3 Å (max), 3.2e-3 → 1.8e-3 Å (rms); the region energy error of
    // this small case (1.5e-3 eV, the hole's surface inside the region) is not the pad's and does
    // not change, so it is printed, not asserted
    assert!(out[1].max_deviation < 0.7 * out[0].max_deviation, "max deviation: recovered {} vs linear {}", out[1].max_deviation, out[0].max_deviation);
    assert!(out[1].rms_deviation < 0.7 * out[0].rms_deviation, "rms deviation: recovered {} vs linear {}", out[1].rms_deviation, out[0].rms_deviation);
}

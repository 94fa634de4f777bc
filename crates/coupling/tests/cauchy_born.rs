//! The Cauchy–Born continuum of the plane models (docs/coupling.md §7): fcc Al (`Al_mm.eam.fs`).
//!
//! * The Piola stress is the gradient of the energy density (central differences of W).
//! * At F = I the tangent is the 0 K elastic protocol's stiffness (C_iJkL in plane strain).
//! * The third-order expansion about a sheared state reproduces the exact Cauchy–Born stress
//!   at 2 % away from it far better than its linear part.
//! * The coupled model with the Cauchy–Born continuum passes the patch test (no ghost forces under
//!   a uniform strain) and, under shear of a block with a hole, agrees with full atomistics at
//!   least as well as the linear continuum.

use scalebridge_coupling::plane::cauchy_born::CauchyBorn;
use scalebridge_coupling::plane::{compare, ContinuumLaw, ForceBased2d, FullAtomistic2d, PlaneOptions};
use scalebridge_core::units::EV_PER_A3_IN_GPA;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use std::sync::Arc;

mod common;

fn setup() -> Option<(Structure, Arc<dyn Potential>, [[f64; 6]; 6])> {
    common::al_unit()
}

#[test]
fn stress_is_the_energy_gradient_and_the_tangent_at_rest_is_the_elastic_stiffness() {
    let Some((unit, pot, c)) = setup() else { return };
    let mut cb = CauchyBorn::new(&unit, pot).unwrap();
    let g = [0.012, 0.031, -0.004, -0.009];
    let (_, p) = cb.at(g).unwrap();
    let h = 1e-5;
    for k in 0..4 {
        let (mut gp, mut gm) = (g, g);
        gp[k] += h;
        gm[k] -= h;
        let dw = (cb.at(gp).unwrap().0 - cb.at(gm).unwrap().0) / (2.0 * h);
        assert!((dw - p[k]).abs() < 2e-6 * p.iter().fold(0.0f64, |m, v| m.max(v.abs())), "component {k}: dW/dF {dw} vs P {}", p[k]);
    }
    let e = cb.expansion(&[[0.0; 2]; 2]).unwrap();
    assert!(e.p0().iter().all(|v| v.abs() < 1e-4), "relaxed unit: P(I) = {:?}", e.p0());
    // plane strain C_iJkL from the Voigt stiffness (xx yy zz yz xz xy): index pairs xx=0, xy=5, yy=1;
    // the protocol's central differences of ±1e-3 against the fit's slope over ±3 %: the same law
    // within 2 % (the tangent at one point is not well defined for a tabulated potential)
    let voigt = |i: usize, j: usize| match (i, j) {
        (0, 0) => 0,
        (1, 1) => 1,
        _ => 5,
    };
    let pairs = [(0, 0), (0, 1), (1, 0), (1, 1)];
    for (p, &(i, j)) in pairs.iter().enumerate() {
        for (q, &(k, l)) in pairs.iter().enumerate() {
            let cij = c[voigt(i, j)][voigt(k, l)] / EV_PER_A3_IN_GPA;
            assert!((e.a[p][q] - cij).abs() < 0.02 * c[0][0] / EV_PER_A3_IN_GPA, "A[{p}][{q}] {} vs C {}", e.a[p][q], cij);
        }
    }
}

/// About a sheared state (the Lomer load at γ = 0.03) the expansion gives the exact Cauchy–Born
/// stress at gradients up to 2 % away from it, lattice rotations included, ≥ 20× closer than
/// the linearisation `P(H) + A·D` the linear-elastic continuum amounts to.
#[test]
fn the_expansion_follows_the_exact_cauchy_born_stress_around_a_sheared_state() {
    let Some((unit, pot, _c)) = setup() else { return };
    let mut cb = CauchyBorn::new(&unit, pot).unwrap();
    let h = [[0.0, 0.03], [0.0, 0.0]];
    let e = cb.expansion(&h).unwrap();
    let p0 = e.p0();
    let mut state = 12345u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    let (mut err_poly, mut err_lin, mut scale) = (0.0f64, 0.0f64, 0.0f64);
    let mut gs = Vec::new();
    for k in 0..40 {
        let d: [f64; 4] = if k < 4 {
            // rigid rotations of the sheared state by ±1, ±2 degrees
            let t = [1.0f64, -1.0, 2.0, -2.0][k].to_radians();
            let (c, s) = (t.cos(), t.sin());
            let f = [[1.0, 0.03], [0.0, 1.0]];
            let r = [[c * f[0][0] - s * f[1][0], c * f[0][1] - s * f[1][1]], [s * f[0][0] + c * f[1][0], s * f[0][1] + c * f[1][1]]];
            [r[0][0] - 1.0, r[0][1] - 0.03, r[1][0], r[1][1] - 1.0]
        } else {
            [0.02 * next(), 0.02 * next(), 0.02 * next(), 0.02 * next()]
        };
        let g = [h[0][0] + d[0], h[0][1] + d[1], h[1][0] + d[2], h[1][1] + d[3]];
        gs.push(g);
        let (_, p) = cb.at(g).unwrap();
        let q = e.stress(d);
        for i in 0..4 {
            let lin = p0[i] + (0..4).map(|j| e.a[i][j] * d[j]).sum::<f64>();
            err_poly = err_poly.max((q[i] - p[i]).abs());
            err_lin = err_lin.max((lin - p[i]).abs());
            scale = scale.max((p[i] - p0[i]).abs());
        }
    }
    eprintln!("stress error: expansion {:.2e}, linearisation {:.2e}, scale {:.2e} eV/Å³", err_poly, err_lin, scale);
    assert!(err_poly < 0.02 * scale, "{err_poly} vs scale {scale}");
    assert!(err_poly * 20.0 < err_lin, "expansion {err_poly} vs linearisation {err_lin}");
    let (rel, sc) = cb.check(&e, &gs).unwrap();
    assert!((rel - err_poly / scale).abs() < 1e-12 && (sc - scale).abs() < 1e-15, "{rel} {sc}");
}

/// The coupled model with the Cauchy–Born continuum: no ghost forces under uniform strains
/// (atoms and free nodes at round-off), and under shear of a block with a hole its atoms agree
/// with the fully atomistic solution at least as well as with the linear continuum (the
/// expansion point follows the boundary layer; the predictor keeps the elements in range).
#[test]
fn cauchy_born_model_passes_the_patch_test_and_follows_full_atomistics() {
    let Some((unit, pot, c)) = setup() else { return };
    let opts = PlaneOptions { block: [10, 10], atomistic: [3, 3], continuum: ContinuumLaw::CauchyBorn, ..PlaneOptions::default() };
    let mut m = ForceBased2d::new(&unit, pot.clone(), &c, &opts).unwrap();
    for h in [[[0.01, 0.0], [0.0, 0.0]], [[0.01, 0.004], [-0.002, -0.006]]] {
        let r = m.patch_test(&h).unwrap();
        eprintln!("CB patch {h:?}: atoms {:.2e}, nodes {:.2e}, scale {:.3e} eV/Å", r.max_atom_force, r.max_node_force, r.reference_force);
        assert!(r.reference_force > 1e-2, "{r:?}");
        assert!(r.max_atom_force <= 1e-10 * r.reference_force, "{r:?}");
        assert!(r.max_node_force <= 1e-10 * r.reference_force, "{r:?}");
        m.set_affine(&h);
        let (_, fmax) = m.relax().unwrap();
        assert!(fmax < opts.fmax, "{fmax}");
        let check = m.cauchy_born_check(10).unwrap().expect("Cauchy-Born");
        assert!(check.1 < 1e-9, "a uniform strain leaves no element off the expansion point: {}", check.1);
    }
    // a hole under shear, in two load steps (the second moves the boundary layer by 0.01·y)
    let base = PlaneOptions { block: [12, 12], atomistic: [4, 4], hole_radius: 5.0, ..PlaneOptions::default() };
    let mut exact = FullAtomistic2d::new(&unit, pot.clone(), &base).unwrap();
    let mut dev = Vec::new();
    for law in [ContinuumLaw::Linear, ContinuumLaw::CauchyBorn] {
        let mut model = ForceBased2d::new(&unit, pot.clone(), &c, &PlaneOptions { continuum: law, ..base.clone() }).unwrap();
        model.set_affine(&[[0.0; 2]; 2]);
        for g in [0.01, 0.02] {
            model.set_boundary(&[[0.0, g], [0.0, 0.0]]);
            model.relax().unwrap();
        }
        dev.push(model);
    }
    let h = [[0.0, 0.02], [0.0, 0.0]];
    exact.set_load(&h, true);
    exact.relax().unwrap();
    exact.set_mobile_and_evaluate().unwrap();
    let lin = compare(&dev[0], &exact, &h).unwrap();
    let cb = compare(&dev[1], &exact, &h).unwrap();
    eprintln!("hole, shear 0.02: max deviation linear {:.3e} Å, Cauchy-Born {:.3e} Å (non-affine field {:.3e} Å); energy error linear {:.2e}, CB {:.2e} eV", lin.max_deviation, cb.max_deviation, cb.max_nonaffine, lin.energy_model - lin.energy_exact, cb.energy_model - cb.energy_exact);
    assert!(cb.max_deviation < 0.1 * cb.max_nonaffine, "{cb:?}");
    assert!(cb.max_deviation <= 1.05 * lin.max_deviation, "Cauchy-Born {} vs linear {}", cb.max_deviation, lin.max_deviation);
}

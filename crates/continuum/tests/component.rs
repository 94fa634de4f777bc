//! Component analysis: plate with a hole (Kirsch), bar in tension (exact), transient heat
//! conduction in a slab (Fourier series).
use scalebridge_continuum::fem::component::{plate_with_hole, solve, BoundaryConditions, Face};
use scalebridge_continuum::fem::heat::{transient, HeatProblem};
use scalebridge_continuum::{Grid, Material, SolverOptions};

#[test]
fn bar_in_uniaxial_tension_is_exact() {
    // Free lateral faces, traction on x = L: uniform σ_xx, ε_xx = σ/E, ε_yy = −ν σ/E.
    let g = Grid::uniform([12, 4, 4], 0).unwrap().with_voxel_size(1e-3).unwrap();
    let m = Material::isotropic(200.0, 0.3, 50.0);
    let bc = BoundaryConditions {
        fixed_faces: vec![(Face::XMin, 0, 0.0)],
        fixed_nodes: vec![([0, 0, 0], 1, 0.0), ([0, 0, 0], 2, 0.0), ([0, 4, 0], 2, 0.0)],
        tractions: vec![(Face::XMax, [0.1, 0.0, 0.0])],
    };
    let r = solve(&g, &[m], &bc, &SolverOptions { tol: 1e-10, ..Default::default() }).unwrap();
    for s in &r.fields.stress_gpa {
        assert!((s[0] - 0.1).abs() < 1e-7 && s[1].abs() < 1e-7, "{s:?}");
    }
    for e in &r.fields.strain {
        assert!((e[0] - 0.1 / 200.0).abs() < 1e-9 && (e[1] + 0.3 * 0.1 / 200.0).abs() < 1e-9);
    }
    assert!((r.fields.von_mises_stats.max - 0.1).abs() < 1e-7);
}

#[test]
fn plate_with_hole_kirsch_factor_three() {
    // Quarter plate, plane stress, hole diameter / width = 1/8, hole radius 6 and 8 voxels
    // (boundary voxels carry their solid area fraction). Reference: Kirsch's 3 for the infinite
    // plate, Heywood's finite-width gross-section value 3.05 at d/W = 1/8.
    let m = Material::isotropic(70.0, 0.33, 150.0);
    let o = SolverOptions { tol: 1e-8, max_iter: 20_000, ..Default::default() };
    for (hw, r) in [(48, 6.0), (64, 8.0)] {
        let p = plate_with_hole(hw, r, &m, 0.05, &o).unwrap();
        assert!((p.width_over_diameter - 4.0 * hw as f64 / (4.0 * r)).abs() < 1e-12);
        assert!((p.kt_heywood - 3.0513).abs() < 1e-3);
        assert!((p.kt - p.kt_heywood).abs() / p.kt_heywood < 0.05, "{p:?}");
        assert!((p.kt - 3.0).abs() < 0.2, "Kt {} ≈ 3", p.kt);
    }
    // Heywood's formula itself tends to Kirsch's 3 as the plate widens.
    let narrow = plate_with_hole(24, 6.0, &m, 0.05, &o).unwrap();
    assert!(narrow.kt_heywood > 3.2 && narrow.kt_element > 2.9);
}

#[test]
fn transient_heat_slab_matches_fourier_series() {
    // Slab 0 ≤ x ≤ L, T(0) = 1, T(L) = 0 from t = 0, initially 0; insulated sides.
    let n = 40;
    let h = 1e-3;
    let l = n as f64 * h;
    let (k, rc) = (1.0, 1e6); // α = 1e-6 m²/s
    let alpha = k / rc;
    let g = Grid::uniform([n, 1, 1], 0).unwrap().with_voxel_size(h).unwrap();
    let m = Material::isotropic(1.0, 0.3, k).with_heat_capacity(rc);
    let p = HeatProblem { initial_k: 0.0, fixed_faces: vec![(Face::XMin, 1.0), (Face::XMax, 0.0)], dt_s: 0.5, steps: 400, record_every: 200 };
    let r = transient(&g, &[m], &p, &SolverOptions::default()).unwrap();
    let t_end = r.times_s[r.times_s.len() - 1];
    assert!((t_end - 200.0).abs() < 1e-9);
    let exact = |x: f64, t: f64| {
        let mut s = 1.0 - x / l;
        for q in 1..200 {
            let qf = q as f64 * std::f64::consts::PI;
            s -= 2.0 / qf * (qf * x / l).sin() * (-qf * qf * alpha * t / (l * l)).exp();
        }
        s
    };
    let temps = &r.temperatures_k[r.temperatures_k.len() - 1];
    let [_, ny, nz] = r.node_dims;
    let mut max_err: f64 = 0.0;
    for i in 0..=n {
        let v = temps[(i * ny) * nz];
        max_err = max_err.max((v - exact(i as f64 * h, t_end)).abs());
    }
    assert!(max_err < 0.01, "max error {max_err}");
}

//! Analytic checks of the Voigt toolbox.

use super::*;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Copper, GPa (Simmons & Wang): a strongly anisotropic cubic crystal (Zener ≈ 3.2).
const CU: (f64, f64, f64) = (168.4, 121.4, 75.4);

fn rot_z(t: f64) -> [[f64; 3]; 3] {
    [[t.cos(), -t.sin(), 0.0], [t.sin(), t.cos(), 0.0], [0.0, 0.0, 1.0]]
}

/// A generic rotation: R = Rz(a) Rx(b) Rz(c).
fn euler(a: f64, b: f64, c: f64) -> [[f64; 3]; 3] {
    let rx = [[1.0, 0.0, 0.0], [0.0, b.cos(), -b.sin()], [0.0, b.sin(), b.cos()]];
    let mul = |p: &[[f64; 3]; 3], q: &[[f64; 3]; 3]| {
        let mut m = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] = (0..3).map(|k| p[i][k] * q[k][j]).sum();
            }
        }
        m
    };
    mul(&mul(&rot_z(a), &rx), &rot_z(c))
}

#[test]
fn isotropic_moduli_from_lame_constants() {
    let (lambda, mu) = (60.0, 30.0);
    let c = cubic(lambda + 2.0 * mu, lambda, mu);
    let vrh = Vrh::of(&c).unwrap();
    let k = lambda + 2.0 * mu / 3.0;
    for v in [vrh.bulk_voigt, vrh.bulk_reuss, vrh.bulk_hill] {
        assert!(rel(v, k) < 1e-12, "{v} vs {k}");
    }
    for v in [vrh.shear_voigt, vrh.shear_reuss, vrh.shear_hill] {
        assert!(rel(v, mu) < 1e-12, "{v} vs {mu}");
    }
    let (e, nu) = vrh.young_poisson();
    assert!(rel(e, mu * (3.0 * lambda + 2.0 * mu) / (lambda + mu)) < 1e-12);
    assert!(rel(nu, lambda / (2.0 * (lambda + mu))) < 1e-12);
    assert!(vrh.universal_anisotropy().abs() < 1e-12);
    assert!(rel(zener_anisotropy(&c), 1.0) < 1e-12);
    assert!(rel(vrh.pugh_ratio(), mu / k) < 1e-12);
    // `isotropic(K, G)` is the same matrix
    let c2 = isotropic(k, mu);
    for i in 0..6 {
        for j in 0..6 {
            assert!((c[i][j] - c2[i][j]).abs() < 1e-12);
        }
    }
    let m = IsotropicModuli::project(&c);
    assert!(rel(m.e_gpa, e) < 1e-12 && rel(m.nu, nu) < 1e-12);
}

#[test]
fn cubic_voigt_reuss_closed_forms() {
    let (c11, c12, c44) = CU;
    let c = cubic(c11, c12, c44);
    let vrh = Vrh::of(&c).unwrap();
    let k = (c11 + 2.0 * c12) / 3.0;
    assert!(rel(vrh.bulk_voigt, k) < 1e-12 && rel(vrh.bulk_reuss, k) < 1e-12);
    assert!(rel(vrh.shear_voigt, (c11 - c12 + 3.0 * c44) / 5.0) < 1e-12);
    let gr = 5.0 * (c11 - c12) * c44 / (4.0 * c44 + 3.0 * (c11 - c12));
    assert!(rel(vrh.shear_reuss, gr) < 1e-12);
    assert!(vrh.shear_reuss < vrh.shear_hill && vrh.shear_hill < vrh.shear_voigt);
    assert!(rel(zener_anisotropy(&c), 2.0 * c44 / (c11 - c12)) < 1e-12);
    let r = IsotropicModuli::reuss(&c).unwrap();
    assert!(rel(r.g_gpa, gr) < 1e-12);
}

#[test]
fn inverse_times_stiffness_is_identity_and_matches_cubic_compliance() {
    let (c11, c12, c44) = CU;
    let mut c = cubic(c11, c12, c44);
    // break the symmetry so that every pivot path is exercised
    c[0][5] = 7.0;
    c[5][0] = 7.0;
    c[3][4] = -4.0;
    c[4][3] = -4.0;
    let s = invert(&c).unwrap();
    for i in 0..6 {
        for j in 0..6 {
            let p: f64 = (0..6).map(|k| s[i][k] * c[k][j]).sum();
            assert!((p - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13, "(S C)[{i}][{j}] = {p}");
        }
    }
    let s = invert(&cubic(c11, c12, c44)).unwrap();
    let d = (c11 - c12) * (c11 + 2.0 * c12);
    assert!(rel(s[0][0], (c11 + c12) / d) < 1e-12);
    assert!(rel(s[0][1], -c12 / d) < 1e-12);
    assert!(rel(s[3][3], 1.0 / c44) < 1e-12);
    // singular: C11 = C12 makes the deviatoric block vanish
    assert!(invert(&cubic(100.0, 100.0, 50.0)).is_none());
    assert!(invert(&[[0.0; 6]; 6]).is_none());
    assert!(Vrh::of(&cubic(100.0, 100.0, 50.0)).is_none());
}

#[test]
fn born_stability_matches_the_cubic_criteria_and_the_eigenvalues() {
    let (c11, c12, c44) = CU;
    let ev = eigenvalues6(&cubic(c11, c12, c44));
    let mut expect = vec![c11 + 2.0 * c12, c11 - c12, c11 - c12, c44, c44, c44];
    expect.sort_by(|a, b| a.total_cmp(b));
    for (a, b) in ev.iter().zip(&expect) {
        assert!(rel(*a, *b) < 1e-12, "{ev:?} vs {expect:?}");
    }
    let cases = [
        (168.4, 121.4, 75.4, true),
        (100.0, 120.0, 50.0, false), // C11 < C12
        (100.0, -60.0, 50.0, false), // C11 + 2 C12 < 0
        (100.0, 50.0, -1.0, false),  // C44 < 0
        (100.0, -40.0, 10.0, true),  // negative C12 but stable
    ];
    for (a, b, d, stable) in cases {
        assert_eq!(born_stable_cubic(a, b, d), stable, "{a} {b} {d}");
        assert_eq!(born_stable(&cubic(a, b, d)), stable, "{a} {b} {d}");
        assert_eq!(is_positive_definite(&cubic(a, b, d)), stable, "{a} {b} {d}");
    }
}

#[test]
fn rotation_keeps_the_vrh_moduli_and_cubic_symmetry() {
    let (c11, c12, c44) = CU;
    let c = cubic(c11, c12, c44);
    let base = Vrh::of(&c).unwrap();
    for r in [euler(0.3, 1.1, -0.7), euler(2.0, 0.4, 1.3), rot_z(0.25)] {
        let cr = rotate(&c, &r);
        let v = Vrh::of(&cr).unwrap();
        for (a, b) in [(v.bulk_voigt, base.bulk_voigt), (v.bulk_reuss, base.bulk_reuss), (v.shear_voigt, base.shear_voigt), (v.shear_reuss, base.shear_reuss)] {
            assert!(rel(a, b) < 1e-12, "{a} vs {b}");
        }
        // rotating back restores C
        let rt = [[r[0][0], r[1][0], r[2][0]], [r[0][1], r[1][1], r[2][1]], [r[0][2], r[1][2], r[2][2]]];
        let back = rotate(&cr, &rt);
        for i in 0..6 {
            for j in 0..6 {
                assert!((back[i][j] - c[i][j]).abs() < 1e-10);
            }
        }
    }
    // 90° about z maps a cubic crystal onto itself
    let c90 = rotate(&c, &rot_z(std::f64::consts::FRAC_PI_2));
    for i in 0..6 {
        for j in 0..6 {
            assert!((c90[i][j] - c[i][j]).abs() < 1e-10);
        }
    }
    // 45° about z: C'11 = (C11 + C12)/2 + C44, C'12 = (C11 + C12)/2 − C44, C'66 = (C11 − C12)/2
    let c45 = rotate(&c, &rot_z(std::f64::consts::FRAC_PI_4));
    assert!(rel(c45[0][0], 0.5 * (c11 + c12) + c44) < 1e-12);
    assert!(rel(c45[0][1], 0.5 * (c11 + c12) - c44) < 1e-12);
    assert!(rel(c45[5][5], 0.5 * (c11 - c12)) < 1e-12);
    assert!(rel(c45[2][2], c11) < 1e-12 && rel(c45[3][3], c44) < 1e-12);
}

#[test]
fn sound_velocities_and_debye_temperature() {
    let (k, g, rho) = (100.0, 40.0, 5.0);
    let v = SoundVelocities::of(k, g, rho).unwrap();
    // GPa / (g/cm³) = 1e9 Pa / 1e3 kg/m³ = 1e6 m²/s²
    assert!(rel(v.longitudinal, ((k + 4.0 * g / 3.0) * 1e9 / (rho * 1e3)).sqrt()) < 1e-12);
    assert!(rel(v.transverse, (g * 1e9 / (rho * 1e3)).sqrt()) < 1e-12);
    assert!(v.transverse < v.mean && v.mean < v.longitudinal);
    // Θ_D = h/k_B (3n/4π)^(1/3) v_m: with n = 4π/3 per m³ (1e-30 per Å³ × 4π/3) the cube root is 1
    let unit = SoundVelocities { longitudinal: 1.0, transverse: 1.0, mean: 1.0 };
    let theta = unit.debye_temperature(4.0 * std::f64::consts::PI / 3.0 * 1e-30);
    assert!(rel(theta, 6.626_070_15e-34 / 1.380_649e-23) < 1e-12);
    assert!(SoundVelocities::of(k, -1.0, rho).is_none());
}

//! Laminate (normal along z): exact results — Voigt (arithmetic) averages along the layers and
//! Reuss (harmonic) across them — to 1e-6, from both the FFT and the FE solver.
use scalebridge_continuum::bounds::{laminate_conductivity, laminate_stiffness};
use scalebridge_continuum::material::{cubic_stiffness, isotropic_stiffness};
use scalebridge_continuum::microstructure::laminate;
use scalebridge_continuum::{fem, fft, Material, SolverOptions};

fn opts() -> SolverOptions {
    SolverOptions { tol: 1e-10, ..Default::default() }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}

fn check_c(c: &[[f64; 6]; 6], exact: &[[f64; 6]; 6], what: &str) {
    for i in 0..6 {
        for j in 0..6 {
            let err = (c[i][j] - exact[i][j]).abs() / exact[0][0];
            assert!(err < 1e-6, "{what} C{}{}: {} vs exact {}", i + 1, j + 1, c[i][j], exact[i][j]);
        }
    }
}

#[test]
fn isotropic_layers_voigt_along_reuss_across() {
    let (e1, nu1, k1) = (70.0, 0.33, 200.0);
    let (e2, nu2, k2) = (400.0, 0.2, 30.0);
    let g = laminate([4, 4, 16], 0.25, 1).unwrap();
    let mats = vec![Material::isotropic(e1, nu1, k1), Material::isotropic(e2, nu2, k2)];
    let f = [0.75, 0.25];
    let exact = laminate_stiffness(&[isotropic_stiffness(e1, nu1), isotropic_stiffness(e2, nu2)], &f).unwrap();
    // Hand-checkable entries: transverse shear is the Reuss average, in-plane shear the Voigt one.
    let g1 = e1 / (2.0 * (1.0 + nu1));
    let g2 = e2 / (2.0 * (1.0 + nu2));
    assert!(rel(exact[3][3], 1.0 / (f[0] / g1 + f[1] / g2)) < 1e-12);
    assert!(rel(exact[5][5], f[0] * g1 + f[1] * g2) < 1e-12);
    // C33 is the Reuss average of the P-wave (constrained) moduli λ+2μ.
    let p = |e: f64, nu: f64| e * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu));
    assert!(rel(exact[2][2], 1.0 / (f[0] / p(e1, nu1) + f[1] / p(e2, nu2))) < 1e-12);

    let r = fft::homogenize_elastic(&g, &mats, &opts()).unwrap();
    check_c(&r.c_gpa, &exact, "fft");
    let r = fem::homogenize_elastic(&g, &mats, &opts()).unwrap();
    check_c(&r.c_gpa, &exact, "fem");

    let kx = laminate_conductivity(&[k1, k2], &f).unwrap();
    assert!(rel(kx[2][2], 1.0 / (f[0] / k1 + f[1] / k2)) < 1e-12);
    for t in [fft::homogenize_thermal(&g, &mats, &opts()).unwrap(), fem::homogenize_thermal(&g, &mats, &opts()).unwrap()] {
        for i in 0..3 {
            assert!(rel(t.kappa_w_mk[i][i], kx[i][i]) < 1e-6, "{} kappa_{i}{i}: {} vs {}", t.provenance.solver, t.kappa_w_mk[i][i], kx[i][i]);
        }
    }
}

#[test]
fn anisotropic_rotated_layers_match_lamination_theory() {
    // A cubic crystal rotated 30° about z next to an isotropic layer, 3 bilayers.
    let cu = Material::cubic(168.4, 121.4, 75.4, 400.0);
    let rot = {
        let (s, c) = (30f64.to_radians().sin(), 30f64.to_radians().cos());
        [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
    };
    let cu_r = cu.rotated(&rot);
    let al = Material::isotropic(70.0, 0.33, 237.0);
    let g = laminate([2, 2, 12], 0.5, 3).unwrap();
    let exact = laminate_stiffness(&[al.stiffness_gpa, cu_r.stiffness_gpa], &[0.5, 0.5]).unwrap();
    assert!(rel(cu_r.stiffness_gpa[0][0], cubic_stiffness(168.4, 121.4, 75.4)[0][0]) > 1e-3, "rotation changes C11");
    let r = fft::homogenize_elastic(&g, &[al.clone(), cu_r.clone()], &opts()).unwrap();
    check_c(&r.c_gpa, &exact, "fft anisotropic");
    let r = fem::homogenize_elastic(&g, &[al, cu_r], &opts()).unwrap();
    check_c(&r.c_gpa, &exact, "fem anisotropic");
}

//! Laminate: the exact result (Voigt along the layers, Reuss across) to 1e-6.
use scalebridge_continuum::bounds::{laminate_conductivity, laminate_stiffness};
use scalebridge_continuum::material::isotropic_stiffness;
use scalebridge_continuum::microstructure::laminate;
use scalebridge_continuum::{fem, fft, Material, SolverOptions};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}

fn opts() -> SolverOptions {
    SolverOptions { tol: 1e-10, ..Default::default() }
}

#[test]
fn laminate_exact_elastic_and_thermal_fft() {
    let (e1, nu1, k1) = (70.0, 0.33, 200.0);
    let (e2, nu2, k2) = (400.0, 0.2, 30.0);
    let g = laminate([8, 8, 16], 0.25, 1).unwrap();
    let mats = vec![Material::isotropic(e1, nu1, k1), Material::isotropic(e2, nu2, k2)];
    let f = [0.75, 0.25];
    let exact = laminate_stiffness(&[isotropic_stiffness(e1, nu1), isotropic_stiffness(e2, nu2)], &f).unwrap();
    let r = fft::homogenize_elastic(&g, &mats, &opts()).unwrap();
    for i in 0..6 {
        for j in 0..6 {
            let err = (r.c_gpa[i][j] - exact[i][j]).abs() / exact[0][0];
            assert!(err < 1e-6, "C{}{}: {} vs exact {}", i + 1, j + 1, r.c_gpa[i][j], exact[i][j]);
        }
    }
    // Across the layers: E_zz from the Reuss average of the plane-strain moduli; shear G_yz Reuss.
    let g1 = e1 / (2.0 * (1.0 + nu1));
    let g2 = e2 / (2.0 * (1.0 + nu2));
    let reuss_g = 1.0 / (f[0] / g1 + f[1] / g2);
    assert!(rel(r.c_gpa[3][3], reuss_g) < 1e-6);
    assert!(rel(r.c_gpa[5][5], f[0] * g1 + f[1] * g2) < 1e-6, "in-plane shear is the Voigt average");
    let t = fft::homogenize_thermal(&g, &mats, &opts()).unwrap();
    let kx = laminate_conductivity(&[k1, k2], &f).unwrap();
    for i in 0..3 {
        assert!(rel(t.kappa_w_mk[i][i], kx[i][i]) < 1e-6, "kappa_{i}{i}: {} vs {}", t.kappa_w_mk[i][i], kx[i][i]);
    }
}

//! Spheres in a matrix: Hashin–Shtrikman bounds, the dilute Eshelby limit and Maxwell–Garnett.
mod common;
use scalebridge_continuum::bounds::{dilute_spheres, hashin_shtrikman_conductivity, hashin_shtrikman_elastic, k_g_from_e_nu, maxwell_garnett};
use scalebridge_continuum::microstructure::{spheres, SphereOptions};
use scalebridge_continuum::{fft, Material, SolverOptions};


#[test]
fn dilute_sphere_approaches_eshelby_and_maxwell_garnett() {
    // Stiff, conducting sphere (contrast 10) at ~1.6 % in a periodic cell, refined 32³ → 48³.
    // Reference: Eshelby's dilute result; at this fraction the interaction (Mori–Tanaka = HS lower
    // bound) raises the first-order coefficient by only 1.4 %.
    let (em, num, km) = (70.0, 0.3, 10.0);
    let (ei, nui, ki) = (700.0, 0.3, 100.0);
    let mats = vec![Material::isotropic(em, num, km), Material::isotropic(ei, nui, ki)];
    let (k_m, g_m) = k_g_from_e_nu(em, num);
    let (k_i, g_i) = k_g_from_e_nu(ei, nui);
    let o = SolverOptions::default();
    let mut errs = Vec::new();
    for (n, r) in [(32usize, 5.0), (48, 7.5)] {
        let g = common::single_sphere(n, r);
        let f = g.phase_fractions(2)[1];
        assert!(f > 0.014 && f < 0.018, "fraction {f}");
        let res = fft::homogenize_elastic(&g, &mats, &o).unwrap();
        let (kd, gd) = dilute_spheres((k_m, g_m), (k_i, g_i), f);
        // The first-order coefficients (K − K_m)/f and (G − G_m)/f against Eshelby's.
        let ek = ((res.isotropic.k_gpa - k_m) / f) / ((kd - k_m) / f) - 1.0;
        let eg = ((res.isotropic.g_gpa - g_m) / f) / ((gd - g_m) / f) - 1.0;
        let t = fft::homogenize_thermal(&g, &mats, &o).unwrap();
        let et = ((t.kappa_iso_w_mk - km) / f) / ((maxwell_garnett(km, ki, f) - km) / f) - 1.0;
        errs.push((ek, eg, et));
    }
    let (k32, g32, t32) = errs[0];
    let (k48, g48, t48) = errs[1];
    assert!(k48.abs() < k32.abs() && g48.abs() < g32.abs() && t48.abs() < t32.abs(), "errors shrink with resolution: {errs:?}");
    assert!(k48.abs() < 0.045 && g48.abs() < 0.045, "elastic first-order coefficients within 4.5 % of Eshelby: {errs:?}");
    assert!(t48.abs() < 0.045, "conductivity within 4.5 % of Maxwell–Garnett: {errs:?}");
}

#[test]
fn random_spheres_inside_hashin_shtrikman_bounds() {
    let g = spheres([40; 3], &SphereOptions { fraction: 0.25, radius: 4.5, radius_cv: 0.1, gap: 1.0, seed: 7 }).unwrap();
    let f = g.phase_fractions(2);
    assert!((f[1] - 0.25).abs() < 0.03, "fraction {}", f[1]);
    let (em, num, km) = (3.0, 0.35, 0.2); // polymer
    let (ei, nui, ki) = (72.0, 0.22, 1.4); // glass
    let mats = vec![Material::isotropic(em, num, km), Material::isotropic(ei, nui, ki)];
    let o = SolverOptions::default();
    let r = fft::homogenize_elastic(&g, &mats, &o).unwrap();
    let kg = [k_g_from_e_nu(em, num), k_g_from_e_nu(ei, nui)];
    let ((kl, gl), (ku, gu)) = hashin_shtrikman_elastic(&kg, &f).unwrap();
    let (k, gg) = (r.isotropic.k_gpa, r.isotropic.g_gpa);
    assert!(kl <= k && k <= ku, "K {k} outside HS [{kl}, {ku}]");
    assert!(gl <= gg && gg <= gu, "G {gg} outside HS [{gl}, {gu}]");
    // Matrix-inclusion morphology: close to the lower bound (matrix as reference).
    assert!((k - kl) / (ku - kl) < 0.25 && (gg - gl) / (gu - gl) < 0.25);
    let t = fft::homogenize_thermal(&g, &mats, &o).unwrap();
    let (tl, tu) = hashin_shtrikman_conductivity(&[km, ki], &f).unwrap();
    assert!(tl <= t.kappa_iso_w_mk && t.kappa_iso_w_mk <= tu, "kappa {} outside HS [{tl}, {tu}]", t.kappa_iso_w_mk);
    // Nearly isotropic, small anisotropy from a finite sample.
    assert!((r.c_gpa[0][0] - r.c_gpa[1][1]).abs() / r.c_gpa[0][0] < 0.03);
}

#[test]
fn porous_medium_inside_bounds_and_converges_with_voids() {
    use scalebridge_continuum::microstructure::pores;
    let g = pores([32; 3], 0.2, 3.0, 5).unwrap();
    let f = g.phase_fractions(2);
    let mats = vec![Material::isotropic(200.0, 0.3, 50.0), Material::void()];
    let r = fft::homogenize_elastic(&g, &mats, &SolverOptions::default()).unwrap();
    let kg = [k_g_from_e_nu(200.0, 0.3), (0.0, 0.0)];
    let (_, (ku, gu)) = hashin_shtrikman_elastic(&kg, &f).unwrap();
    assert!(r.isotropic.k_gpa > 0.0 && r.isotropic.k_gpa <= ku && r.isotropic.g_gpa <= gu);
    assert!(r.iterations.iter().all(|&i| i < 1000), "CG converges with voids: {:?}", r.iterations);
    assert_eq!(r.provenance.solver, "fft-rotated-cg", "voids select the rotated scheme");
    let t = fft::homogenize_thermal(&g, &mats, &SolverOptions::default()).unwrap();
    let (_, tu) = hashin_shtrikman_conductivity(&[50.0, 0.0], &f).unwrap();
    assert!(t.kappa_iso_w_mk > 0.0 && t.kappa_iso_w_mk <= tu);
}

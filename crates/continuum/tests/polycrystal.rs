//! Random polycrystal of cubic grains (Cu): K exact, G between Voigt and Reuss and close to the
//! self-consistent (Hershey–Kröner) estimate.
use scalebridge_continuum::bounds::{self_consistent_cubic, voigt_reuss_polycrystal};
use scalebridge_continuum::microstructure::{polycrystal_materials, voronoi, Texture};
use scalebridge_continuum::{fft, Material, SolverOptions};

// Cu single-crystal constants at room temperature (Simmons & Wang 1971), GPa.
const C11: f64 = 168.4;
const C12: f64 = 121.4;
const C44: f64 = 75.4;

#[test]
fn hershey_estimate_matches_literature() {
    // Published SC shear modulus of Cu from these constants: 48.3 GPa (e.g. Ledbetter 1973: 48.3).
    let sc = self_consistent_cubic(C11, C12, C44).unwrap();
    assert!((sc.g_gpa - 48.3).abs() < 0.2, "G_SC = {}", sc.g_gpa);
    assert!((sc.k_gpa - 137.07).abs() < 0.01);
    let cu = Material::cubic(C11, C12, C44, 400.0);
    let (v, r) = voigt_reuss_polycrystal(&cu.stiffness_gpa).unwrap();
    assert!((v.g_gpa - 54.64).abs() < 0.01 && (r.g_gpa - 40.03).abs() < 0.02, "Voigt {} Reuss {}", v.g_gpa, r.g_gpa);
}

#[test]
fn random_cu_polycrystal_between_voigt_reuss_near_self_consistent() {
    let (g, rots) = voronoi([32; 3], 60, Texture::Random, 11).unwrap();
    let cu = Material::cubic(C11, C12, C44, 400.0);
    let mats = polycrystal_materials(&cu, &rots);
    let r = fft::homogenize_elastic(&g, &mats, &SolverOptions::default()).unwrap();
    let (v, re) = voigt_reuss_polycrystal(&cu.stiffness_gpa).unwrap();
    let sc = self_consistent_cubic(C11, C12, C44).unwrap();
    // Hydrostatic strain is an exact solution for cubic grains: K is exact.
    assert!((r.isotropic.k_gpa - sc.k_gpa).abs() / sc.k_gpa < 1e-5, "K {} vs {}", r.isotropic.k_gpa, sc.k_gpa);
    let gg = r.isotropic.g_gpa;
    assert!(re.g_gpa < gg && gg < v.g_gpa, "G {gg} outside Reuss–Voigt [{}, {}]", re.g_gpa, v.g_gpa);
    assert!((gg - sc.g_gpa).abs() / sc.g_gpa < 0.04, "G {gg} vs self-consistent {}", sc.g_gpa);
    // Thermal: cubic grains are thermally isotropic, so the conductivity is exact.
    let t = fft::homogenize_thermal(&g, &mats, &SolverOptions::default()).unwrap();
    assert!((t.kappa_iso_w_mk - 400.0).abs() < 1e-6);
}

#[test]
fn fibre_texture_makes_transversely_isotropic_response() {
    let (g, rots) = voronoi([24; 3], 40, Texture::Fibre { axis: [0.0, 0.0, 1.0], spread_deg: 5.0 }, 3).unwrap();
    let cu = Material::cubic(C11, C12, C44, 400.0);
    let r = fft::homogenize_elastic(&g, &polycrystal_materials(&cu, &rots), &SolverOptions::default()).unwrap();
    // <001> fibre: C33 near the single-crystal C11 (168), in-plane C11 stiffer than C33.
    assert!((r.c_gpa[2][2] - C11).abs() / C11 < 0.05, "C33 {}", r.c_gpa[2][2]);
    assert!(r.c_gpa[0][0] > r.c_gpa[2][2]);
}

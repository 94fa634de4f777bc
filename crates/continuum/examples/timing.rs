//! Timing of the FFT (and FEM) homogenisation on a 64³ two-phase composite (contrast 10).
use scalebridge_continuum::microstructure::{spheres, SphereOptions};
use scalebridge_continuum::{fft, Material, SolverOptions};
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(64);
    let which = std::env::args().nth(2).unwrap_or_else(|| "fft".into());
    let g = spheres([n; 3], &SphereOptions { fraction: 0.2, radius: n as f64 / 10.0, seed: 3, ..Default::default() }).unwrap();
    let mats = vec![Material::isotropic(10.0, 0.3, 1.0), Material::isotropic(100.0, 0.3, 10.0)];
    let o = SolverOptions::default();
    let t = std::time::Instant::now();
    let r = match which.as_str() {
        "fft" => fft::homogenize_elastic(&g, &mats, &o).unwrap(),
        _ => scalebridge_continuum::fem::homogenize_elastic(&g, &mats, &o).unwrap(),
    };
    println!("{which} {n}^3: {:.3} s iters {:?} C11 {:.5} C12 {:.5} C44 {:.5} E {:.4}", t.elapsed().as_secs_f64(), r.iterations, r.c_gpa[0][0], r.c_gpa[0][1], r.c_gpa[3][3], r.isotropic.e_gpa);
    let t = std::time::Instant::now();
    let r = match which.as_str() {
        "fft" => fft::homogenize_thermal(&g, &mats, &o).unwrap(),
        _ => scalebridge_continuum::fem::homogenize_thermal(&g, &mats, &o).unwrap(),
    };
    println!("{which} thermal {n}^3: {:.3} s iters {:?} k {:.5}", t.elapsed().as_secs_f64(), r.iterations, r.kappa_iso_w_mk);
}

use scalebridge_continuum::fem::component::plate_with_hole;
use scalebridge_continuum::{Material, SolverOptions};
fn main() {
    let m = Material::isotropic(70.0, 0.33, 150.0);
    for (hw, r) in [(24usize, 6.0), (32, 8.0), (48, 12.0), (48, 6.0), (64, 8.0), (96, 12.0)] {
        let o = SolverOptions { tol: 1e-8, max_iter: 50_000, ..Default::default() };
        let t = std::time::Instant::now();
        let p = plate_with_hole(hw, r, &m, 0.05, &o).unwrap();
        println!("hw {hw} R {r}: kt {:.4} elem {:.4} heywood {:.4} it {} {:.1}s", p.kt, p.kt_element, p.kt_heywood, p.iterations, t.elapsed().as_secs_f64());
    }
}

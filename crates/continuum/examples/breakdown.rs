//! Time the pieces of one FFT-solver iteration at n³ (development aid).
use rustfft::num_complex::Complex64;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(64);
    let reps = 20;
    let planner_dims = [n; 3];
    let mut bufs: Vec<Vec<Complex64>> = (0..3).map(|_| vec![Complex64::new(1.0, 0.5); n * n * n]).collect();
    let fft = scalebridge_continuum::fft::bench_support::Fft3Handle::new(planner_dims);
    let t = std::time::Instant::now();
    for _ in 0..reps {
        for b in bufs.iter_mut() {
            fft.forward(b);
        }
        for b in bufs.iter_mut() {
            fft.inverse(b);
        }
    }
    println!("3 fwd + 3 inv FFT {n}^3: {:.2} ms", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
    let t = std::time::Instant::now();
    for _ in 0..reps {
        scalebridge_continuum::fft::bench_support::project(&mut bufs, planner_dims);
    }
    println!("projection: {:.2} ms", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
    let x = vec![1.0f64; n * n * n * 6];
    let t = std::time::Instant::now();
    let mut s = 0.0;
    for _ in 0..reps {
        s += scalebridge_continuum::fft::bench_support::dot(&x, &x);
    }
    println!("FEM matvec: {:.2} ms", scalebridge_continuum::fem::bench_support::matvec_seconds(n, 10) * 1e3);
    println!("one dot of 6-comp field: {:.2} ms ({s})", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
}
#[allow(dead_code)]
fn unused() {}

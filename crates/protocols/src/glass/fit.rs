//! The bilinear (continuous two-line, hinge) fit of specific volume against temperature and its
//! bootstrap over seeds and over the fit window.
//!
//! Model: `v(T) = v_g + b_glass·min(T − T_g, 0) + b_liquid·max(T − T_g, 0)`. For a fixed hinge
//! `T_g` the model is linear in `(v_g, b_glass, b_liquid)` (least squares, 3×3 normal
//! equations); the residual sum of squares `S(T_g)` is minimised over the hinge by a grid scan
//! between the `m`-th lowest and `m`-th highest temperatures (`m` = fewest points per branch)
//! followed by golden-section refinement around the best grid point. Exact bilinear data give
//! the hinge back to round-off.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, Normal};
use scalebridge_md::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A fitted hinge.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bilinear {
    /// Hinge temperature (T_g), K.
    pub t_g: f64,
    /// Value at the hinge.
    pub v_g: f64,
    /// Slope below the hinge (glass), per K.
    pub slope_glass: f64,
    /// Slope above the hinge (liquid), per K.
    pub slope_liquid: f64,
    /// Residual sum of squares.
    pub rss: f64,
}

impl Bilinear {
    /// The model at `t`.
    pub fn at(&self, t: f64) -> f64 {
        self.v_g + self.slope_glass * (t - self.t_g).min(0.0) + self.slope_liquid * (t - self.t_g).max(0.0)
    }
}

fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&a);
    let scale = a.iter().flatten().fold(0.0f64, |s, x| s.max(x.abs()));
    if !(d.is_finite() && d.abs() > 1e-14 * scale.powi(3)) {
        return None;
    }
    Some(std::array::from_fn(|k| {
        let mut m = a;
        for i in 0..3 {
            m[i][k] = b[i];
        }
        det(&m) / d
    }))
}

/// Least squares at a fixed hinge `h`: (v_g, b_glass, b_liquid, rss).
fn at_hinge(t: &[f64], v: &[f64], h: f64) -> Option<(f64, f64, f64, f64)> {
    let mut a = [[0.0; 3]; 3];
    let mut b = [0.0; 3];
    for (&ti, &vi) in t.iter().zip(v) {
        let x = [1.0, (ti - h).min(0.0), (ti - h).max(0.0)];
        for i in 0..3 {
            for j in 0..3 {
                a[i][j] += x[i] * x[j];
            }
            b[i] += x[i] * vi;
        }
    }
    let c = solve3(a, b)?;
    let rss = t.iter().zip(v).map(|(&ti, &vi)| (vi - c[0] - c[1] * (ti - h).min(0.0) - c[2] * (ti - h).max(0.0)).powi(2)).sum();
    Some((c[0], c[1], c[2], rss))
}

/// Bilinear fit of `v(t)` with at least `min_per_branch` points on each side of the hinge.
pub fn bilinear_fit(t: &[f64], v: &[f64], min_per_branch: usize) -> Result<Bilinear> {
    let m = min_per_branch.max(2);
    if t.len() != v.len() {
        return Err(Error::invalid("fit points", format!("{} temperatures, {} values", t.len(), v.len()), "must have the same length"));
    }
    if t.len() < 2 * m + 1 {
        return Err(Error::invalid("fit points", t.len(), &format!("a bilinear fit with {m} points per branch needs at least {}", 2 * m + 1)));
    }
    if let Some(x) = t.iter().chain(v).find(|x| !x.is_finite()) {
        return Err(Error::invalid("fit points", x, "must be finite"));
    }
    let mut ts = t.to_vec();
    ts.sort_by(f64::total_cmp);
    let (lo, hi) = (ts[m - 1], ts[ts.len() - m]);
    if hi <= lo {
        return Err(Error::invalid("fit points", format!("{lo}..{hi} K"), "temperatures must be distinct"));
    }
    let rss = |h: f64| at_hinge(t, v, h).map_or(f64::INFINITY, |c| c.3);
    let grid = 400;
    let step = (hi - lo) / grid as f64;
    let (mut best, mut best_rss) = (lo, f64::INFINITY);
    for k in 0..=grid {
        let h = lo + k as f64 * step;
        let r = rss(h);
        if r < best_rss {
            (best, best_rss) = (h, r);
        }
    }
    // golden section in [best − step, best + step] (within [lo, hi])
    let (mut a, mut b) = ((best - step).max(lo), (best + step).min(hi));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (rss(c), rss(d));
    for _ in 0..200 {
        if (b - a).abs() < 1e-12 * (1.0 + best.abs()) {
            break;
        }
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - g * (b - a);
            fc = rss(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + g * (b - a);
            fd = rss(d);
        }
    }
    let h = if rss(0.5 * (a + b)) <= best_rss { 0.5 * (a + b) } else { best };
    let (v_g, slope_glass, slope_liquid, rss) =
        at_hinge(t, v, h).ok_or_else(|| Error::invalid("fit points", t.len(), "the bilinear fit is singular (all points on one side?)"))?;
    Ok(Bilinear { t_g: h, v_g, slope_glass, slope_liquid, rss })
}

/// Inputs of the T_g bootstrap: the temperatures of the fit window (any order) and, per seed,
/// the values and their standard errors there.
pub struct Curves<'a> {
    pub t: &'a [f64],
    pub per_seed: &'a [Vec<f64>],
    pub stderr: &'a [Vec<f64>],
}

/// Bootstrap of the hinge: each resample draws seeds with replacement (their mean curve; with
/// one seed, each point perturbed by its own standard error instead), trims a uniform random
/// number of points, up to `jitter` of them, from each end of the window (sorted by T), and fits.
/// Returns the resampled hinges (their standard deviation is the standard error of T_g).
pub fn bootstrap_hinge(c: &Curves<'_>, samples: usize, jitter: f64, min_per_branch: usize, seed: u64) -> Result<Vec<f64>> {
    let ns = c.per_seed.len();
    if ns == 0 || c.stderr.len() != ns || c.per_seed.iter().chain(c.stderr).any(|v| v.len() != c.t.len()) {
        return Err(Error::invalid("curves", ns, "one curve and one error row per seed, each as long as the temperatures"));
    }
    let mut order: Vec<usize> = (0..c.t.len()).collect();
    order.sort_by(|&a, &b| c.t[a].total_cmp(&c.t[b]));
    let n = order.len();
    let need = 2 * min_per_branch.max(2) + 1;
    let max_trim = ((jitter * n as f64).floor() as usize).min(n.saturating_sub(need) / 2);
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    let std_normal = Normal::new(0.0, 1.0).map_err(|e| Error::invalid("normal", 1.0, &e.to_string()))?;
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        let mut y = vec![0.0; n];
        if ns == 1 {
            for (k, &i) in order.iter().enumerate() {
                y[k] = c.per_seed[0][i] + c.stderr[0][i] * std_normal.sample(&mut rng);
            }
        } else {
            for _ in 0..ns {
                let s = rng.random_range(0..ns);
                for (k, &i) in order.iter().enumerate() {
                    y[k] += c.per_seed[s][i] / ns as f64;
                }
            }
        }
        let (a, b) = (rng.random_range(0..=max_trim), rng.random_range(0..=max_trim));
        let t: Vec<f64> = order[a..n - b].iter().map(|&i| c.t[i]).collect();
        out.push(bilinear_fit(&t, &y[a..n - b], min_per_branch)?.t_g);
    }
    Ok(out)
}

/// Sample standard deviation.
pub fn std_dev(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hinge(t: f64) -> f64 {
        // glass 2e-4 Å³/K, liquid 8e-4 Å³/K, hinge at 713.25 K (between ladder points)
        16.0 + 2e-4 * (t - 713.25).min(0.0) + 8e-4 * (t - 713.25).max(0.0)
    }

    #[test]
    fn exact_bilinear_data_give_the_hinge_back() {
        let t: Vec<f64> = (0..35).map(|k| 2000.0 - 50.0 * k as f64).collect();
        let v: Vec<f64> = t.iter().map(|&x| hinge(x)).collect();
        let f = bilinear_fit(&t, &v, 3).expect("fit");
        assert!((f.t_g - 713.25).abs() < 1e-6, "{}", f.t_g);
        assert!((f.slope_glass - 2e-4).abs() < 1e-12 && (f.slope_liquid - 8e-4).abs() < 1e-12, "{f:?}");
        assert!((f.v_g - 16.0).abs() < 1e-10 && f.rss < 1e-20, "{f:?}");
    }

    #[test]
    fn bad_fit_inputs_are_named() {
        let e = bilinear_fit(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 3).expect_err("short").to_string();
        assert!(e.contains("at least 7"), "{e}");
        let t: Vec<f64> = (0..10).map(f64::from).collect();
        let mut v = t.clone();
        v[4] = f64::NAN;
        let e = bilinear_fit(&t, &v, 3).expect_err("nan").to_string();
        assert!(e.contains("finite"), "{e}");
    }

    #[test]
    fn bootstrap_error_shrinks_with_more_seeds() {
        let t: Vec<f64> = (0..35).map(|k| 2000.0 - 50.0 * k as f64).collect();
        let mut rng = ChaCha12Rng::seed_from_u64(7);
        let noise = Normal::new(0.0, 0.004).expect("normal");
        let curves = |n: usize, rng: &mut ChaCha12Rng| -> Vec<Vec<f64>> { (0..n).map(|_| t.iter().map(|&x| hinge(x) + noise.sample(rng)).collect()).collect() };
        let spread = |n: usize, rng: &mut ChaCha12Rng| {
            let c = curves(n, rng);
            let e = vec![vec![0.004; t.len()]; n];
            std_dev(&bootstrap_hinge(&Curves { t: &t, per_seed: &c, stderr: &e }, 300, 0.0, 3, 11).expect("bootstrap"))
        };
        let (s2, s32) = (spread(2, &mut rng), spread(32, &mut rng));
        // ∝ 1/√n_seeds: 4× smaller from 2 to 32 seeds; demand at least 2×
        assert!(s32 > 0.0 && s32 < 0.5 * s2, "2 seeds: {s2} K, 32 seeds: {s32} K");
    }
}

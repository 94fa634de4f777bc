//! Gaussian-process regression (faer Cholesky): RBF and Matérn 3/2, 5/2 kernels with an isotropic
//! length scale on standardised features, hyperparameters (length scale, signal and noise
//! variance) by maximising the log marginal likelihood (Nelder–Mead in log space), and the
//! predictive standard deviation of a new observation (latent variance + noise).

use crate::data::{check_targets, Matrix};
use crate::error::{MlError, Result};
use crate::eval::quantile;
use faer::linalg::solvers::Solve;
use faer::{Mat, Par, Side};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kernel {
    Rbf,
    Matern32,
    Matern52,
}

impl Kernel {
    /// Correlation at scaled distance r = |x − x'| / ℓ.
    #[inline]
    pub fn corr(self, r2: f64) -> f64 {
        match self {
            Kernel::Rbf => (-0.5 * r2).exp(),
            Kernel::Matern32 => {
                let a = (3.0 * r2).sqrt();
                (1.0 + a) * (-a).exp()
            }
            Kernel::Matern52 => {
                let a = (5.0 * r2).sqrt();
                (1.0 + a + 5.0 * r2 / 3.0) * (-a).exp()
            }
        }
    }
    pub fn parse(s: &str) -> Result<Kernel> {
        match s.to_ascii_lowercase().as_str() {
            "rbf" => Ok(Kernel::Rbf),
            "matern32" | "matern1.5" => Ok(Kernel::Matern32),
            "matern52" | "matern2.5" => Ok(Kernel::Matern52),
            _ => Err(MlError::param("kernel", s, "expected rbf, matern32 or matern52")),
        }
    }
}

/// Hyperparameters in natural units (of standardised features and targets). Fields left out
/// of JSON take the defaults (length scale 1, signal variance 1, noise variance 0.1: the
/// starting point of the optimisation, whose length scale is otherwise the median distance).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default)]
pub struct GpHyper {
    pub length_scale: f64,
    pub signal_variance: f64,
    pub noise_variance: f64,
}

impl Default for GpHyper {
    fn default() -> Self {
        GpHyper { length_scale: 1.0, signal_variance: 1.0, noise_variance: 0.1 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GpParams {
    pub kernel: Kernel,
    /// Optimise the hyperparameters by marginal likelihood (else use `initial`).
    pub optimize: bool,
    pub initial: Option<GpHyper>,
    /// Random subsample of the training rows above this size (cost O(n³)).
    pub max_train: usize,
    pub seed: u64,
}

impl Default for GpParams {
    fn default() -> Self {
        GpParams {
            kernel: Kernel::Matern52,
            optimize: true,
            initial: None,
            max_train: 1500,
            seed: 0,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GpRegressor {
    pub params: GpParams,
    pub hyper: GpHyper,
    pub log_marginal_likelihood: f64,
    pub n_features: usize,
    /// Standardisation of features: median imputation, centring, scaling.
    pub x_median: Vec<f64>,
    pub x_mean: Vec<f64>,
    pub x_scale: Vec<f64>,
    pub y_mean: f64,
    pub y_scale: f64,
    /// Standardised training inputs (row-major n × d) and K⁻¹y.
    pub x_train: Matrix,
    pub alpha: Vec<f64>,
    #[serde(skip)]
    chol: OnceLock<std::result::Result<Mat<f64>, String>>,
}

impl Clone for GpRegressor {
    fn clone(&self) -> Self {
        GpRegressor {
            params: self.params.clone(),
            hyper: self.hyper,
            log_marginal_likelihood: self.log_marginal_likelihood,
            n_features: self.n_features,
            x_median: self.x_median.clone(),
            x_mean: self.x_mean.clone(),
            x_scale: self.x_scale.clone(),
            y_mean: self.y_mean,
            y_scale: self.y_scale,
            x_train: self.x_train.clone(),
            alpha: self.alpha.clone(),
            chol: OnceLock::new(),
        }
    }
}

fn sq_dists(x: &Matrix) -> Vec<f64> {
    let n = x.n_rows;
    let mut d = vec![0.0; n * n];
    d.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let xi = x.row(i);
        for (j, o) in row.iter_mut().enumerate() {
            *o = xi
                .iter()
                .zip(x.row(j))
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
        }
    });
    d
}

fn cov_matrix(d2: &[f64], n: usize, k: Kernel, h: &GpHyper) -> Mat<f64> {
    let inv_l2 = 1.0 / (h.length_scale * h.length_scale);
    Mat::from_fn(n, n, |i, j| {
        let c = h.signal_variance * k.corr(d2[i * n + j] * inv_l2);
        if i == j {
            c + h.noise_variance
        } else {
            c
        }
    })
}

/// (negative log marginal likelihood, Cholesky factor, alpha) for standardised y.
fn nlml(d2: &[f64], y: &[f64], k: Kernel, h: &GpHyper) -> Option<(f64, Mat<f64>, Vec<f64>)> {
    let n = y.len();
    let kmat = cov_matrix(d2, n, k, h);
    let llt = kmat.as_ref().llt(Side::Lower).ok()?;
    let ym = Mat::from_fn(n, 1, |i, _| y[i]);
    let a = llt.solve(&ym);
    let l = llt.L().to_owned();
    let logdet: f64 = (0..n).map(|i| l[(i, i)].ln()).sum();
    let fit: f64 = (0..n).map(|i| y[i] * a[(i, 0)]).sum();
    let v = 0.5 * fit + logdet + 0.5 * n as f64 * (2.0 * std::f64::consts::PI).ln();
    v.is_finite()
        .then(|| (v, l, (0..n).map(|i| a[(i, 0)]).collect()))
}

/// Minimise `f` with Nelder–Mead from `x0` (initial step `step`).
pub fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, x0: &[f64], step: f64, iters: usize) -> (Vec<f64>, f64) {
    let d = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = (0..=d)
        .map(|i| {
            let mut x = x0.to_vec();
            if i > 0 {
                x[i - 1] += step;
            }
            let v = f(&x);
            (x, v)
        })
        .collect();
    for _ in 0..iters {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let c: Vec<f64> = (0..d)
            .map(|j| simplex[..d].iter().map(|s| s.0[j]).sum::<f64>() / d as f64)
            .collect();
        let worst = simplex[d].clone();
        let pt = |t: f64| -> Vec<f64> { (0..d).map(|j| c[j] + t * (worst.0[j] - c[j])).collect() };
        let xr = pt(-1.0);
        let fr = f(&xr);
        if fr < simplex[0].1 {
            let xe = pt(-2.0);
            let fe = f(&xe);
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (xr, fr);
        } else {
            let xc = if fr < worst.1 { pt(-0.5) } else { pt(0.5) };
            let fc = f(&xc);
            if fc < worst.1.min(fr) {
                simplex[d] = (xc, fc);
            } else {
                let best = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    let x: Vec<f64> = (0..d).map(|j| best[j] + 0.5 * (s.0[j] - best[j])).collect();
                    let v = f(&x);
                    *s = (x, v);
                }
            }
        }
        let spread = simplex.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max)
            - simplex.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        if spread.abs() < 1e-7 {
            break;
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, v) = simplex.swap_remove(0);
    (x, v)
}

impl GpRegressor {
    pub fn fit(x: &Matrix, y: &[f64], params: &GpParams) -> Result<GpRegressor> {
        check_targets(y, x.n_rows)?;
        x.check_no_inf("features")?;
        if x.n_rows < 1 {
            return Err(MlError::NotEnoughData {
                what: "Gaussian process".into(),
                needed: 1,
                have: x.n_rows,
            });
        }
        if params.max_train < 1 {
            return Err(MlError::param("max_train", params.max_train, "must be >= 1"));
        }
        let mut idx: Vec<usize> = (0..x.n_rows).collect();
        if idx.len() > params.max_train {
            idx.shuffle(&mut StdRng::seed_from_u64(params.seed));
            idx.truncate(params.max_train);
            idx.sort_unstable();
        }
        let (n, d) = (idx.len(), x.n_cols);
        let xs = x.select_rows(&idx);
        let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        // preprocessing
        let mut x_median = vec![0.0; d];
        let mut x_mean = vec![0.0; d];
        let mut x_scale = vec![1.0; d];
        for j in 0..d {
            let col: Vec<f64> = (0..n).map(|i| xs.get(i, j)).filter(|v| v.is_finite()).collect();
            x_median[j] = if col.is_empty() { 0.0 } else { quantile(&col, 0.5) };
            let filled: Vec<f64> = (0..n)
                .map(|i| {
                    let v = xs.get(i, j);
                    if v.is_finite() {
                        v
                    } else {
                        x_median[j]
                    }
                })
                .collect();
            let m = filled.iter().sum::<f64>() / n as f64;
            let s = (filled.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64).sqrt();
            x_mean[j] = m;
            x_scale[j] = if s > 1e-12 { s } else { 1.0 };
        }
        let y_mean = ys.iter().sum::<f64>() / n as f64;
        let ysd = (ys.iter().map(|v| (v - y_mean) * (v - y_mean)).sum::<f64>() / n as f64).sqrt();
        let y_scale = if ysd > 1e-12 { ysd } else { 1.0 };
        let mut gp = GpRegressor {
            params: params.clone(),
            hyper: GpHyper::default(),
            log_marginal_likelihood: f64::NAN,
            n_features: d,
            x_median,
            x_mean,
            x_scale,
            y_mean,
            y_scale,
            x_train: Matrix {
                n_rows: 0,
                n_cols: d,
                data: Vec::new(),
            },
            alpha: Vec::new(),
            chol: OnceLock::new(),
        };
        let xt = gp.standardise(&xs);
        let yt: Vec<f64> = ys.iter().map(|v| (v - y_mean) / y_scale).collect();
        let d2 = sq_dists(&xt);
        // initial length scale: median pairwise distance
        let sample: Vec<f64> = d2.iter().step_by(7).copied().filter(|v| *v > 0.0).collect();
        let med = quantile(&sample, 0.5).sqrt();
        let h0 = params.initial.unwrap_or(GpHyper {
            length_scale: if med.is_finite() && med > 0.0 { med } else { GpHyper::default().length_scale },
            ..GpHyper::default()
        });
        let k = params.kernel;
        let to_h = |t: &[f64]| GpHyper {
            length_scale: t[0].clamp(-7.0, 7.0).exp(),
            signal_variance: t[1].clamp(-7.0, 7.0).exp(),
            noise_variance: t[2].clamp(-12.0, 3.0).exp(),
        };
        let hyper = if params.optimize {
            let f = |t: &[f64]| nlml(&d2, &yt, k, &to_h(t)).map_or(1e300, |r| r.0);
            let t0 = [
                h0.length_scale.ln(),
                h0.signal_variance.ln(),
                h0.noise_variance.ln(),
            ];
            let (t, _) = nelder_mead(&f, &t0, 1.0, 200);
            to_h(&t)
        } else {
            h0
        };
        let (v, l, alpha) = nlml(&d2, &yt, k, &hyper).ok_or_else(|| MlError::Numerical {
            what: "Gaussian process".into(),
            reason: format!("covariance not positive definite for {hyper:?}"),
        })?;
        gp.hyper = hyper;
        gp.log_marginal_likelihood = -v;
        gp.x_train = xt;
        gp.alpha = alpha;
        let _ = gp.chol.set(Ok(l));
        Ok(gp)
    }

    fn standardise(&self, x: &Matrix) -> Matrix {
        let d = self.n_features;
        let mut out = x.clone();
        for row in out.data.chunks_mut(d.max(1)) {
            for j in 0..d.min(row.len()) {
                let v = if row[j].is_finite() { row[j] } else { self.x_median[j] };
                row[j] = (v - self.x_mean[j]) / self.x_scale[j];
            }
        }
        out
    }

    fn cholesky(&self) -> Result<&Mat<f64>> {
        let r = self.chol.get_or_init(|| {
            let n = self.x_train.n_rows;
            let d2 = sq_dists(&self.x_train);
            let kmat = cov_matrix(&d2, n, self.params.kernel, &self.hyper);
            kmat.as_ref()
                .llt(Side::Lower)
                .map(|c| c.L().to_owned())
                .map_err(|e| format!("{e:?}"))
        });
        r.as_ref().map_err(|e| MlError::Numerical {
            what: "Gaussian process Cholesky".into(),
            reason: e.clone(),
        })
    }

    /// Predictive mean and standard deviation (of a new noisy observation).
    pub fn predict_with_std(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
        if x.n_cols != self.n_features {
            return Err(MlError::ShapeMismatch {
                what: "features".into(),
                expected: self.n_features.to_string(),
                got: x.n_cols.to_string(),
            });
        }
        x.check_no_inf("features")?;
        let l = self.cholesky()?;
        let xs = self.standardise(x);
        let n = self.x_train.n_rows;
        let h = self.hyper;
        let inv_l2 = 1.0 / (h.length_scale * h.length_scale);
        let mut mu = Vec::with_capacity(x.n_rows);
        let mut sd = Vec::with_capacity(x.n_rows);
        const CHUNK: usize = 2048;
        for c0 in (0..x.n_rows).step_by(CHUNK) {
            let m = CHUNK.min(x.n_rows - c0);
            let mut ks = Mat::<f64>::zeros(n, m);
            let cols: Vec<Vec<f64>> = (0..m)
                .into_par_iter()
                .map(|c| {
                    let xr = xs.row(c0 + c);
                    (0..n)
                        .map(|i| {
                            let r2: f64 = xr
                                .iter()
                                .zip(self.x_train.row(i))
                                .map(|(a, b)| (a - b) * (a - b))
                                .sum();
                            h.signal_variance * self.params.kernel.corr(r2 * inv_l2)
                        })
                        .collect()
                })
                .collect();
            for (c, col) in cols.iter().enumerate() {
                for (i, v) in col.iter().enumerate() {
                    ks[(i, c)] = *v;
                }
                let m_std: f64 = col.iter().zip(&self.alpha).map(|(a, b)| a * b).sum();
                mu.push(self.y_mean + self.y_scale * m_std);
            }
            faer::linalg::triangular_solve::solve_lower_triangular_in_place(
                l.as_ref(),
                ks.as_mut(),
                Par::rayon(0),
            );
            for c in 0..m {
                let q: f64 = (0..n).map(|i| ks[(i, c)] * ks[(i, c)]).sum();
                let var = (h.signal_variance - q).max(0.0) + h.noise_variance;
                sd.push(self.y_scale * var.sqrt());
            }
        }
        Ok((mu, sd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_point_posterior_matches_closed_form() {
        // x = 0, 1 ; y standardised to -1, +1 ; RBF, l = 1, sf2 = 1, sn2 = 0.01
        let x = Matrix::new(2, 1, vec![0.0, 1.0]).unwrap();
        let y = [-1.0, 1.0];
        let h = GpHyper {
            length_scale: 1.0,
            signal_variance: 1.0,
            noise_variance: 0.01,
        };
        let gp = GpRegressor::fit(
            &Matrix::new(3, 1, vec![0.0, 1.0, 0.5]).unwrap(),
            &[-1.0, 1.0, 0.0],
            &GpParams {
                kernel: Kernel::Rbf,
                optimize: false,
                initial: Some(h),
                max_train: 10,
                seed: 0,
            },
        )
        .unwrap();
        // closed form for 3 points computed with the same standardisation by hand below
        let xs: Vec<f64> = [0.0, 1.0, 0.5].iter().map(|v| (v - gp.x_mean[0]) / gp.x_scale[0]).collect();
        let ys: Vec<f64> = [-1.0, 1.0, 0.0].iter().map(|v| (v - gp.y_mean) / gp.y_scale).collect();
        let k = |a: f64, b: f64| (-0.5 * (a - b) * (a - b)).exp();
        // solve 3x3 by Cramer's rule
        let mut a = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                a[i][j] = k(xs[i], xs[j]) + if i == j { 0.01 } else { 0.0 };
            }
        }
        let det = |m: &[[f64; 3]; 3]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let d = det(&a);
        let mut alpha = [0.0; 3];
        for c in 0..3 {
            let mut m = a;
            for r in 0..3 {
                m[r][c] = ys[r];
            }
            alpha[c] = det(&m) / d;
        }
        for (i, al) in alpha.iter().enumerate() {
            assert!((gp.alpha[i] - al).abs() < 1e-9, "{:?} vs {alpha:?}", gp.alpha);
        }
        let xq = 0.25;
        let xqs = (xq - gp.x_mean[0]) / gp.x_scale[0];
        let mu_ref = gp.y_mean + gp.y_scale * (0..3).map(|i| k(xqs, xs[i]) * alpha[i]).sum::<f64>();
        let (mu, sd) = gp.predict_with_std(&Matrix::new(1, 1, vec![xq]).unwrap()).unwrap();
        assert!((mu[0] - mu_ref).abs() < 1e-9);
        assert!(sd[0] > 0.0 && sd[0] < gp.y_scale);
        let _ = (x, y);
    }

    #[test]
    fn learns_smooth_function_with_calibrated_std() {
        let mut rng = StdRng::seed_from_u64(3);
        use rand::Rng;
        let n = 300;
        let xs: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 6.0).collect();
        let noise = 0.1;
        let f = |x: f64| x.sin() + 0.3 * x;
        let ys: Vec<f64> = xs
            .iter()
            .map(|&x| {
                let u: f64 = rng.random::<f64>();
                let v: f64 = rng.random::<f64>();
                let z = (-2.0 * u.max(1e-300).ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos();
                f(x) + noise * z
            })
            .collect();
        let x = Matrix::new(n, 1, xs).unwrap();
        let gp = GpRegressor::fit(&x, &ys, &GpParams::default()).unwrap();
        // noise level recovered (in data units)
        let sn = gp.hyper.noise_variance.sqrt() * gp.y_scale;
        assert!((sn - noise).abs() < 0.03, "noise sd {sn}");
        let xq: Vec<f64> = (0..200).map(|i| 0.2 + 5.6 * i as f64 / 199.0).collect();
        let (mu, sd) = gp.predict_with_std(&Matrix::new(200, 1, xq.clone()).unwrap()).unwrap();
        let err = xq.iter().zip(&mu).map(|(x, m)| (f(*x) - m).abs()).fold(0.0, f64::max);
        assert!(err < 0.06, "max error {err}");
        for s in &sd {
            assert!(*s > 0.09 && *s < 0.15, "sd {s}");
        }
        // a point far outside the data reverts to the prior
        let (m_far, s_far) = gp.predict_with_std(&Matrix::new(1, 1, vec![60.0]).unwrap()).unwrap();
        assert!((m_far[0] - gp.y_mean).abs() < 1e-6 * gp.y_scale.max(1.0) + 1e-6);
        assert!(s_far[0] > 0.9 * gp.y_scale);
    }

    #[test]
    fn nelder_mead_finds_rosenbrock_minimum() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let (x, v) = nelder_mead(&f, &[-1.2, 1.0], 0.5, 2000);
        assert!(v < 1e-6 && (x[0] - 1.0).abs() < 1e-2 && (x[1] - 1.0).abs() < 1e-2, "{x:?} {v}");
    }
}

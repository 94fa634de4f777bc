//! Time correlation of a sampled signal and its running integral: the on-the-fly
//! [`Correlator`] (LAMMPS `fix ave/correlate ... type full ave running`), the trapezoidal
//! [`running_integral`] (LAMMPS `trap()`) and the plateau rule [`pick_plateau`].

use super::PlateauWindow;
use scalebridge_md::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// On-the-fly linear correlator of a `dim`-component signal sampled at a fixed interval, with
/// every sample used as a time origin (LAMMPS `fix ave/correlate ... type full ave running`):
///
/// `C_ab(k) = (1/n_k) Σ_t x_a(t) x_b(t + k)`, `k = 0 … lags−1`,
///
/// where `n_k` counts the pairs seen at lag `k`. Memory and work per sample are `O(lags·dim²)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correlator {
    dim: usize,
    lags: usize,
    /// Ring buffer of the last `lags` samples, `lags × dim`.
    history: Vec<f64>,
    /// Slot of the next sample in `history`.
    head: usize,
    /// Samples pushed so far.
    samples: u64,
    /// Sums of `x_a(t) x_b(t+k)`, `lags × dim × dim`.
    sums: Vec<f64>,
    counts: Vec<u64>,
}

impl Correlator {
    /// A correlator of `dim` components over `lags` lags (lag 0 included).
    pub fn new(dim: usize, lags: usize) -> Result<Self> {
        if dim == 0 {
            return Err(Error::invalid("correlator dimension", dim, "must be at least 1"));
        }
        if lags == 0 {
            return Err(Error::invalid("correlator lags", lags, "must be at least 1"));
        }
        Ok(Correlator {
            dim,
            lags,
            history: vec![0.0; lags * dim],
            head: 0,
            samples: 0,
            sums: vec![0.0; lags * dim * dim],
            counts: vec![0; lags],
        })
    }

    /// Add the next sample (`dim` values).
    pub fn push(&mut self, x: &[f64]) -> Result<()> {
        let d = self.dim;
        if x.len() != d {
            return Err(Error::Shape(format!("correlator of {d} components got a sample of {}", x.len())));
        }
        self.history[self.head * d..(self.head + 1) * d].copy_from_slice(x);
        let seen = (self.samples as usize + 1).min(self.lags);
        for k in 0..seen {
            // the origin k samples back
            let slot = (self.head + self.lags - k) % self.lags;
            let y = &self.history[slot * d..(slot + 1) * d];
            let s = &mut self.sums[k * d * d..(k + 1) * d * d];
            for a in 0..d {
                for b in 0..d {
                    s[a * d + b] += y[a] * x[b];
                }
            }
            self.counts[k] += 1;
        }
        self.head = (self.head + 1) % self.lags;
        self.samples += 1;
        Ok(())
    }

    /// Samples pushed.
    pub fn samples(&self) -> u64 {
        self.samples
    }
    /// Number of lags.
    pub fn lags(&self) -> usize {
        self.lags
    }
    /// Pairs accumulated at every lag.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// `C_ab(k)` as `lags` rows of `dim × dim` (row-major `a·dim + b`); lags with no pair are 0.
    pub fn correlation(&self) -> Vec<Vec<f64>> {
        let dd = self.dim * self.dim;
        (0..self.lags)
            .map(|k| {
                let c = self.counts[k].max(1) as f64;
                self.sums[k * dd..(k + 1) * dd].iter().map(|s| s / c).collect()
            })
            .collect()
    }
}

/// Trapezoidal running integral `I(k) = Σ_{j<k} ½ (y_j + y_{j+1}) Δ` (`I(0) = 0`).
pub fn running_integral(y: &[f64], delta: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(y.len());
    let mut acc = 0.0;
    for (k, v) in y.iter().enumerate() {
        if k > 0 {
            acc += 0.5 * (y[k - 1] + v) * delta;
        }
        out.push(acc);
    }
    out
}

/// Choose the plateau window of a running integral from the autocorrelation `acf` (lag 0
/// first, sampled every `delta` ps): the window starts at the first lag `k₀ ≥ 1` with
/// `acf[k₀] ≤ 0` and ends at `min(2 k₀, n − 1)`. Without a crossing it is the last tenth of the
/// lags. Returns the window and warnings for windows that are truncated or missing.
pub fn pick_plateau(acf: &[f64], delta: f64) -> Result<(PlateauWindow, Vec<String>)> {
    let n = acf.len();
    if n < 3 {
        return Err(Error::invalid("autocorrelation length", n, "needs at least 3 lags"));
    }
    if !(acf[0].is_finite() && acf[0] > 0.0) {
        return Err(Error::invalid("autocorrelation at lag 0", acf[0], "must be positive (a non-zero fluctuating signal)"));
    }
    let mut warnings = Vec::new();
    let t_max = (n - 1) as f64 * delta;
    let crossing = acf.iter().skip(1).position(|&c| c <= 0.0).map(|p| p + 1);
    let (start, end, rule) = match crossing {
        Some(k0) if k0 < n - 1 => {
            let end = (2 * k0).min(n - 1);
            if 2 * k0 > n - 1 {
                warnings.push(format!(
                    "plateau window truncated at the end of the correlation time ({t_max:.4} ps): the HCACF first reaches zero at {:.4} ps; increase the correlation time",
                    k0 as f64 * delta
                ));
            }
            if k0 < 3 {
                warnings.push(format!(
                    "the HCACF reaches zero after {k0} sample(s) ({:.4} ps): sample the heat current more often",
                    k0 as f64 * delta
                ));
            }
            (k0, end, "mean of the running integral from the first zero crossing t0 of the normalised HCACF to min(2 t0, correlation time)")
        }
        _ => {
            warnings.push(format!(
                "running integral has no plateau: the HCACF has not decayed to zero within the correlation time ({t_max:.4} ps); \
                 κ is the mean over the last tenth of the window and is not converged: increase the correlation time and the production"
            ));
            let start = (n - 1 - (n - 1) / 10).min(n - 2);
            (start, n - 1, "no zero crossing: mean of the running integral over the last tenth of the correlation time")
        }
    };
    Ok((
        PlateauWindow {
            start: start as f64 * delta,
            end: end as f64 * delta,
            start_index: start,
            end_index: end,
            zero_crossing: crossing.map(|k| k as f64 * delta),
            rule: rule.to_string(),
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalebridge_core::stats;
    use rand::SeedableRng;
    use rand_chacha::ChaCha12Rng;
    use rand_distr::{Distribution, StandardNormal};

    /// AR(1) series of unit variance: ACF `φ^k`.
    fn ar1(n: usize, phi: f64, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha12Rng::seed_from_u64(seed);
        let s = (1.0 - phi * phi).sqrt();
        let mut x: f64 = StandardNormal.sample(&mut rng);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                x = phi * x + s * z;
                x
            })
            .collect()
    }

    #[test]
    fn correlator_equals_brute_force_sums() {
        let n = 57;
        let lags = 10;
        let a = ar1(n, 0.5, 1);
        let b = ar1(n, 0.3, 2);
        let mut c = Correlator::new(2, lags).unwrap();
        for t in 0..n {
            c.push(&[a[t], b[t]]).unwrap();
        }
        let corr = c.correlation();
        for k in 0..lags {
            assert_eq!(c.counts()[k], (n - k) as u64);
            let x = [&a, &b];
            for p in 0..2 {
                for q in 0..2 {
                    let brute: f64 = (0..n - k).map(|t| x[p][t] * x[q][t + k]).sum::<f64>() / (n - k) as f64;
                    assert!((corr[k][p * 2 + q] - brute).abs() < 1e-12, "k={k} p={p} q={q}");
                }
            }
        }
        assert!(c.push(&[1.0]).is_err());
        assert!(Correlator::new(0, 3).is_err() && Correlator::new(3, 0).is_err());
    }

    #[test]
    fn exponential_correlation_integral_and_plateau() {
        // AR(1) with φ = 0.9: ACF φ^k, trapezoidal integral to ∞ = (1 + φ) / (2 (1 − φ)) = 9.5
        let phi: f64 = 0.9;
        let exact = (1.0 + phi) / (2.0 * (1.0 - phi));
        let n = 400_000;
        let lags = 400;
        let mut c = Correlator::new(3, lags).unwrap();
        let xs: Vec<Vec<f64>> = (0..3).map(|d| ar1(n, phi, 10 + d)).collect();
        for t in 0..n {
            c.push(&[xs[0][t], xs[1][t], xs[2][t]]).unwrap();
        }
        let corr = c.correlation();
        let diag: Vec<f64> = corr.iter().map(|m| (m[0] + m[4] + m[8]) / 3.0).collect();
        for k in [0usize, 1, 5, 10] {
            assert!((diag[k] - phi.powi(k as i32)).abs() < 0.02, "C({k}) = {} vs {}", diag[k], phi.powi(k as i32));
        }
        let norm: Vec<f64> = diag.iter().map(|d| d / diag[0]).collect();
        let (w, warns) = pick_plateau(&norm, 1.0).unwrap();
        assert!(warns.is_empty(), "{warns:?}");
        // the ACF falls below the noise (~ 1/sqrt(n) ≈ 0.002) near φ^k = 0.002, k ≈ 60
        assert!(w.start_index > 25 && w.start_index < 200 && w.end_index <= lags - 1, "{w:?}");
        let integral = running_integral(&diag, 1.0);
        let plateau = stats::mean(&integral[w.start_index..=w.end_index]);
        assert!((plateau - exact).abs() < 0.05 * exact, "plateau {plateau} vs exact {exact}");
    }

    #[test]
    fn plateau_rule_on_analytic_curves() {
        // exp(−k/10) − 0.01 crosses zero at k = 10 ln 100 ≈ 46.05 → first lag 47
        let acf: Vec<f64> = (0..200).map(|k| (-(k as f64) / 10.0).exp() - 0.01).collect();
        let (w, warns) = pick_plateau(&acf, 0.5).unwrap();
        assert_eq!((w.start_index, w.end_index), (47, 94));
        assert!((w.start - 23.5).abs() < 1e-12 && (w.end - 47.0).abs() < 1e-12 && warns.is_empty());
        // truncated window
        let (w, warns) = pick_plateau(&acf[..60], 0.5).unwrap();
        assert_eq!((w.start_index, w.end_index), (47, 59));
        assert!(warns.len() == 1 && warns[0].contains("truncated"));
        // never decays: warning, last tenth
        let slow: Vec<f64> = (0..101).map(|k| (-(k as f64) / 1000.0).exp()).collect();
        let (w, warns) = pick_plateau(&slow, 1.0).unwrap();
        assert_eq!((w.start_index, w.end_index), (90, 100));
        assert!(warns[0].contains("no plateau") && w.zero_crossing.is_none());
        assert!(pick_plateau(&[0.0, 1.0, 2.0], 1.0).is_err());
        assert!(pick_plateau(&[1.0, 0.5], 1.0).is_err());
        // trapezoid of a line is exact
        let r = running_integral(&[0.0, 1.0, 2.0, 3.0], 2.0);
        assert_eq!(r, vec![0.0, 1.0, 4.0, 9.0]);
    }

}

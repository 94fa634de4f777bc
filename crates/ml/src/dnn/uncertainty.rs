//! Deep-ensemble uncertainty (Lakshminarayanan et al., NeurIPS 2017).
//!
//! With M members predicting `ŷ_m` (original units), the prediction is the ensemble mean
//! `μ = (1/M) Σ_m ŷ_m` and the raw spread `σ_raw = √((1/M) Σ_m (ŷ_m − μ)²)`. The reported
//! `σ = s_k · σ_raw` per target `k`, with `s_k` set on the validation split by
//! [`calibrate_sigma_scale`] (the same rule as the GBM's quantile σ) so that 68.27 % of
//! held-out residuals fall within ±σ.

use crate::eval::calibrate_sigma_scale;

/// Mean and raw spread over members. `preds[m]` is n × k row-major.
pub fn ensemble_mean_std(preds: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let Some(first) = preds.first() else {
        return (Vec::new(), Vec::new());
    };
    let m = preds.len() as f64;
    let len = first.len();
    let mut mu = vec![0.0; len];
    for p in preds {
        for (a, b) in mu.iter_mut().zip(p) {
            *a += b / m;
        }
    }
    let mut var = vec![0.0; len];
    for p in preds {
        for ((v, b), a) in var.iter_mut().zip(p).zip(&mu) {
            *v += (b - a) * (b - a) / m;
        }
    }
    (mu, var.into_iter().map(f64::sqrt).collect())
}

/// Per-target σ scale from validation targets (n × k, NaN = missing), ensemble means and raw σ.
pub fn calibrate(y: &[f64], mu: &[f64], raw: &[f64], k: usize) -> Vec<f64> {
    (0..k)
        .map(|j| {
            let idx = (j..y.len()).step_by(k.max(1)).filter(|&i| y[i].is_finite());
            let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
            for i in idx {
                a.push(y[i]);
                b.push(mu[i]);
                c.push(raw[i]);
            }
            calibrate_sigma_scale(&a, &b, &c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_and_calibration() {
        let (mu, sd) = ensemble_mean_std(&[vec![1.0, 2.0], vec![3.0, 2.0]]);
        assert_eq!(mu, vec![2.0, 2.0]);
        assert_eq!(sd, vec![1.0, 0.0]);
        // residuals 0..99 with unit raw σ: the 68.27 % quantile of |r|
        let y: Vec<f64> = (0..100).map(f64::from).collect();
        let s = calibrate(&y, &vec![0.0; 100], &vec![1.0; 100], 1);
        assert!((s[0] - 67.586).abs() < 0.01, "{s:?}");
    }
}

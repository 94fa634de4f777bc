//! Statistics of correlated time series (block averaging) and least-squares line fits, shared
//! by every protocol.

use crate::error::{Error, Result};

/// Mean of `x`.
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance (n − 1).
pub fn variance(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1) as f64
}

/// Mean and standard error of independent samples.
pub fn mean_stderr(x: &[f64]) -> (f64, f64) {
    (mean(x), (variance(x) / x.len() as f64).sqrt())
}

/// Mean and standard error of a correlated series by block averaging with `blocks` blocks
/// (the tail that does not fill a block is dropped). Needs at least 2 blocks.
pub fn block_mean_stderr(x: &[f64], blocks: usize) -> Result<(f64, f64)> {
    if blocks < 2 || x.len() < blocks {
        return Err(Error::invalid("series length", x.len(), &format!("too short for {blocks} blocks")));
    }
    let b = x.len() / blocks;
    let means: Vec<f64> = (0..blocks).map(|k| mean(&x[k * b..(k + 1) * b])).collect();
    Ok((mean(&x[..b * blocks]), (variance(&means) / blocks as f64).sqrt()))
}

/// Least-squares line `y = a + b x`: returns `(a, b, stderr_a, stderr_b)` from the residuals
/// (ordinary least squares; the errors assume independent residuals).
pub fn linear_fit(x: &[f64], y: &[f64]) -> Result<(f64, f64, f64, f64)> {
    let n = x.len();
    if n != y.len() || n < 3 {
        return Err(Error::invalid("fit points", n, "a line fit needs at least 3 (x, y) pairs"));
    }
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    if sxx <= 0.0 {
        return Err(Error::invalid("fit abscissae", "all equal", "cannot fit a line"));
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let b = sxy / sxx;
    let a = my - b * mx;
    let rss: f64 = x.iter().zip(y).map(|(xi, yi)| (yi - a - b * xi).powi(2)).sum();
    let s2 = rss / (n - 2) as f64;
    let se_b = (s2 / sxx).sqrt();
    let se_a = (s2 * (1.0 / n as f64 + mx * mx / sxx)).sqrt();
    Ok((a, b, se_a, se_b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_fit_recovers_slope_and_errors_scale() {
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 + 0.5 * v).collect();
        let (a, b, sa, sb) = linear_fit(&x, &y).unwrap();
        assert!((a - 2.0).abs() < 1e-12 && (b - 0.5).abs() < 1e-12 && sa < 1e-10 && sb < 1e-10);
        assert!(linear_fit(&x[..2], &y[..2]).is_err());
    }

    #[test]
    fn block_average_of_iid_matches_naive_error() {
        // deterministic pseudo-noise: alternating series has mean 0 and tiny block error
        let x: Vec<f64> = (0..1000).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let (m, e) = block_mean_stderr(&x, 10).unwrap();
        assert!(m.abs() < 1e-12 && e < 1e-12);
        assert!(block_mean_stderr(&x[..5], 10).is_err());
    }
}

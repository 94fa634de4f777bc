//! The temperature-gradient fit of the NEMD profile: fit slabs and the folded least-squares line.

use super::*;

/// Slabs used in the gradient fit and their distance from the cold slab, in slab widths.
pub(super) fn fit_points(n: usize) -> (Vec<usize>, Vec<f64>) {
    let half = n / 2;
    let skip = if n >= 12 { 2 } else { 1 };
    let mut slabs: Vec<usize> = (skip..=half - skip).chain(half + skip..=n - skip).collect();
    if n == 4 {
        slabs = (0..n).collect();
    }
    let dist = slabs.iter().map(|&j| if j <= half { j as f64 } else { (n - j) as f64 }).collect();
    (slabs, dist)
}

/// Least-squares line through the folded profile `T(d)` over the fit slabs with a common slope
/// and one intercept per half (a constant offset between the halves does not bias the
/// gradient; with 4 slabs, one intercept). Returns `(mean intercept K, slope K per slab width,
/// residual sum of squares K², degrees of freedom)`.
pub(super) fn fold_fit(profile: &[f64], slabs: &[usize], dist: &[f64], n: usize) -> Result<(f64, f64, f64, usize)> {
    let y: Vec<f64> = slabs.iter().map(|&j| profile.get(j).copied().unwrap_or(f64::NAN)).collect();
    if y.iter().any(|t| !t.is_finite()) {
        return Err(Error::invalid("slab temperature", "NaN", "a slab had no atoms: use fewer slabs"));
    }
    let group = |j: usize| if n > 4 && j > n / 2 { 1 } else { 0 };
    let groups = if n > 4 { 2 } else { 1 };
    let (mut sx, mut sy, mut cnt) = ([0.0; 2], [0.0; 2], [0.0; 2]);
    for ((&j, &d), &t) in slabs.iter().zip(dist).zip(&y) {
        let h = group(j);
        sx[h] += d;
        sy[h] += t;
        cnt[h] += 1.0;
    }
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for ((&j, &d), &t) in slabs.iter().zip(dist).zip(&y) {
        let h = group(j);
        let (mx, my) = (sx[h] / cnt[h], sy[h] / cnt[h]);
        sxx += (d - mx) * (d - mx);
        sxy += (d - mx) * (t - my);
    }
    if sxx.is_nan() || sxx <= 0.0 || slabs.len() <= groups {
        return Err(Error::invalid("gradient fit", slabs.len(), "too few slab positions for a line"));
    }
    let g = sxy / sxx;
    let a: Vec<f64> = (0..groups).map(|h| (sy[h] - g * sx[h]) / cnt[h]).collect();
    let rss: f64 = slabs.iter().zip(dist).zip(&y).map(|((&j, &d), &t)| (t - a[group(j)] - g * d).powi(2)).sum();
    Ok((stats::mean(&a), g, rss, slabs.len() - groups - 1))
}

/// Slope of one half (`lower` = slabs 1 … N/2−1) against z, K per slab width, or None when
/// fewer than 3 points remain.
pub(super) fn half_slope(profile: &[f64], slabs: &[usize], n: usize, lower: bool) -> Option<f64> {
    let pts: Vec<(f64, f64)> = slabs
        .iter()
        .filter(|&&j| j != 0 && j != n / 2 && ((j < n / 2) == lower))
        .map(|&j| (j as f64, profile[j]))
        .collect();
    if pts.len() < 3 {
        return None;
    }
    let (x, y): (Vec<f64>, Vec<f64>) = pts.into_iter().unzip();
    stats::linear_fit(&x, &y).ok().map(|f| f.1)
}

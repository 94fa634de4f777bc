//! Piecewise-linear encoding (PLE) of numerical features (Gorishniy, Rubachev & Babenko,
//! "On Embeddings for Numerical Features in Tabular Deep Learning", NeurIPS 2022).
//!
//! Each feature column `j` gets bin edges `e_0 < e_1 < … < e_T` at the quantiles
//! `0, 1/T, …, 1` of its training values (equal edges merged, so a binary column has one bin).
//! A value `x` becomes `T` numbers, one per bin:
//!
//! ```text
//! PLE_t(x) = clamp((x − e_{t−1}) / (e_t − e_{t−1}), 0, 1),   t = 1 … T
//! ```
//!
//! i.e. 1 for the bins below `x`, the position of `x` inside its own bin, 0 above; each of these
//! numbers is then standardised over the training rows, `(PLE_t − μ_t) / s_t`. The token's
//! linear embedding of these numbers is then a learned piecewise-linear function of each
//! feature, with kinks at the training quantiles: the threshold-like responses that make tree
//! ensembles strong on tabular data, which a linear embedding of standardised values cannot
//! express. Missing values (NaN) take the training median.

use crate::data::Matrix;
use crate::error::{MlError, Result};
use serde::{Deserialize, Serialize};

/// Fitted bin edges of every feature column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PiecewiseLinear {
    /// Increasing bin edges per feature column (at least 2 each).
    pub edges: Vec<Vec<f64>>,
    /// Value that replaces a missing (NaN) feature: the training median.
    pub fill: Vec<f64>,
    /// Training mean μ_t of each encoded number, per column and bin.
    pub shift: Vec<Vec<f64>>,
    /// Training standard deviation s_t (1 where it vanishes), per column and bin.
    pub scale: Vec<Vec<f64>>,
}

/// Quantile `q ∈ [0, 1]` of sorted values, linear interpolation between order statistics
/// (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

/// [`PiecewiseLinear::code`] of a value `v` (NaN already replaced) against strictly increasing
/// edges `e[0..=top]`; entries of `e` past `top` must be +∞ (padding, as in the flat coder of
/// `infer`).
#[inline(always)]
pub(crate) fn code_on_edges(e: &[f64], top: usize, v: f64) -> (usize, f32) {
    // e[m] <= v < e[m+1], or m = T; a branch-free count (a binary search over ~9 edges
    // mispredicts on most steps, and so would branches on the cases below); padding counts only
    // for v = +∞
    let m = e[1..].iter().map(|&edge| usize::from(edge <= v)).sum::<usize>().min(top);
    let (lo, hi) = (e[m], e[(m + 1).min(top)]);
    let f = (v - lo) / (hi - lo);
    // below the first edge f ≤ 0 (m = 0), at or above the last one m = T: both encode as
    // (m, 0); the edges increase strictly, so in between 0 ≤ f < 1
    let f = if m == top || f.is_nan() || f < 0.0 { 0.0 } else { f };
    (m, f as f32)
}

impl PiecewiseLinear {
    /// Edges at the quantiles of the finite values of `rows` of every column of `x`, `bins` bins
    /// (≥ 1) before equal edges are merged.
    pub fn fit(x: &Matrix, rows: &[usize], bins: usize) -> PiecewiseLinear {
        let bins = bins.max(1);
        let (mut edges, mut fill) = (Vec::with_capacity(x.n_cols), Vec::with_capacity(x.n_cols));
        for j in 0..x.n_cols {
            let mut v: Vec<f64> = rows.iter().map(|&i| x.get(i, j)).filter(|v| v.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                edges.push(vec![-0.5, 0.5]);
                fill.push(0.0);
                continue;
            }
            let mut e: Vec<f64> = Vec::with_capacity(bins + 1);
            for t in 0..=bins {
                let q = quantile(&v, t as f64 / bins as f64);
                let tol = 1e-12 * q.abs().max(1.0);
                if e.last().is_none_or(|&last| q - last > tol) {
                    e.push(q);
                }
            }
            if e.len() < 2 {
                // constant column: one bin centred on the value (encodes to 0.5)
                e = vec![e[0] - 0.5, e[0] + 0.5];
            }
            edges.push(e);
            fill.push(quantile(&v, 0.5));
        }
        let mut p = PiecewiseLinear { shift: Vec::new(), scale: Vec::new(), edges, fill };
        // standardisation of the encoded numbers over the same rows (NaN → the median)
        for j in 0..x.n_cols {
            let nb = p.width(j);
            let (mut sum, mut sq) = (vec![0.0f64; nb], vec![0.0f64; nb]);
            for &i in rows {
                let v = x.get(i, j);
                let v = if v.is_nan() { p.fill[j] } else { v };
                for (t, w) in p.edges[j].windows(2).enumerate() {
                    let u = Self::unit(v, w[0], w[1]);
                    sum[t] += u;
                    sq[t] += u * u;
                }
            }
            let n = rows.len().max(1) as f64;
            let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
            let sd: Vec<f64> = sq
                .iter()
                .zip(&mean)
                .map(|(q, m)| {
                    let s = (q / n - m * m).max(0.0).sqrt();
                    if s > 1e-6 { s } else { 1.0 }
                })
                .collect();
            p.shift.push(mean);
            p.scale.push(sd);
        }
        p
    }

    /// Position of `v` in the bin `[lo, hi]`, clamped to [0, 1].
    #[inline]
    fn unit(v: f64, lo: f64, hi: f64) -> f64 {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    }

    /// Encoded width of column `j` (its number of bins).
    pub fn width(&self, j: usize) -> usize {
        self.edges[j].len() - 1
    }

    /// Append the standardised encoding of value `v` of column `j` to `out`.
    #[inline]
    pub fn encode_into(&self, j: usize, v: f64, out: &mut Vec<f32>) {
        let v = if v.is_nan() { self.fill[j] } else { v };
        for (t, w) in self.edges[j].windows(2).enumerate() {
            out.push(((Self::unit(v, w[0], w[1]) - self.shift[j][t]) / self.scale[j][t]) as f32);
        }
    }

    /// Compact form of the encoding before standardisation: the bin `m` holding `v` and the
    /// position `f ∈ [0, 1)` inside it, the encoding being `m` ones, then `f`, then zeros
    /// (below the first edge: `(0, 0)`; at or above the last: `(T, 0)`).
    #[inline]
    pub fn code(&self, j: usize, v: f64) -> (usize, f32) {
        let e = &self.edges[j];
        code_on_edges(e, e.len() - 1, if v.is_nan() { self.fill[j] } else { v })
    }

    /// Check the fitted state against `n` feature columns (used after deserialisation).
    pub fn check(&self, n: usize) -> Result<()> {
        let widths_ok = |v: &[Vec<f64>]| v.len() == n && v.iter().zip(&self.edges).all(|(a, e)| a.len() + 1 == e.len());
        if self.edges.len() != n || self.fill.len() != n || !widths_ok(&self.shift) || !widths_ok(&self.scale) {
            return Err(MlError::ShapeMismatch {
                what: "piecewise-linear encoding".into(),
                expected: format!("{n} columns"),
                got: format!("{} edge lists, {} fill values", self.edges.len(), self.fill.len()),
            });
        }
        for (j, e) in self.edges.iter().enumerate() {
            let ok = e.len() >= 2 && e.iter().all(|v| v.is_finite()) && e.windows(2).all(|w| w[1] > w[0]);
            let scaled = self.shift[j].iter().all(|v| v.is_finite()) && self.scale[j].iter().all(|v| v.is_finite() && *v > 0.0);
            if !ok || !scaled || !self.fill[j].is_finite() {
                return Err(MlError::param(
                    "piecewise-linear encoding",
                    format!("column {j}"),
                    "needs >= 2 finite, increasing bin edges, finite shifts, positive scales and a finite fill value",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_training_quantiles_and_encoding_is_piecewise_linear() {
        // column 0: 0..=8 (4 bins → edges 0 2 4 6 8); column 1: binary; column 2: constant
        let n = 9;
        let mut data = Vec::new();
        for i in 0..n {
            data.extend([i as f64, (i % 2) as f64, 3.0]);
        }
        let x = Matrix::new(n, 3, data).unwrap();
        let rows: Vec<usize> = (0..n).collect();
        let p = PiecewiseLinear::fit(&x, &rows, 4);
        assert_eq!(p.edges[0], vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(p.edges[1], vec![0.0, 1.0]);
        assert_eq!(p.edges[2], vec![2.5, 3.5]);
        assert_eq!((p.width(0), p.width(1), p.width(2)), (4, 1, 1));
        assert_eq!(p.fill, vec![4.0, 0.0, 3.0]);
        // standardisation over the training rows: bin 1 of column 0 encodes 0,0,.5,1,1,... (mean 7/9)
        assert!((p.shift[0][0] - 7.5 / 9.0).abs() < 1e-12 && (p.shift[1][0] - 4.0 / 9.0).abs() < 1e-12);
        assert_eq!((p.shift[2][0], p.scale[2][0]), (0.5, 1.0), "constant column: scale 1");
        // raw encoding: undo the standardisation
        let enc = |j: usize, v| {
            let mut o = Vec::new();
            p.encode_into(j, v, &mut o);
            o.iter().enumerate().map(|(t, u)| ((f64::from(*u) * p.scale[j][t] + p.shift[j][t]) * 1e5).round() as f32 / 1e5).collect::<Vec<f32>>()
        };
        assert_eq!(enc(0, 5.0), vec![1.0, 1.0, 0.5, 0.0]);
        assert_eq!(enc(0, -3.0), vec![0.0; 4]);
        assert_eq!(enc(0, 100.0), vec![1.0; 4]);
        assert_eq!(enc(0, f64::NAN), enc(0, 4.0));
        assert_eq!(enc(1, 1.0), vec![1.0]);
        assert_eq!(enc(2, 3.0), vec![0.5]);
        // the compact code gives the same encoding
        for v in [-3.0, 0.0, 0.7, 2.0, 5.0, 7.99, 8.0, 100.0, f64::NAN] {
            let (m, f) = p.code(0, v);
            let mut want = vec![1.0f32; m];
            if m < 4 {
                want.push(f);
                want.resize(4, 0.0);
            }
            assert_eq!(enc(0, v), want, "value {v}");
        }
        // the encoding's sum recovers the bin coordinate: monotone in x
        let s = |v| enc(0, v).iter().sum::<f32>();
        assert!(s(1.0) < s(2.5) && s(2.5) < s(7.9));
        p.check(3).unwrap();
        assert!(p.check(2).is_err());
        let mut bad = p.clone();
        bad.edges[0] = vec![1.0, 1.0];
        assert!(bad.check(3).is_err());
    }

    #[test]
    fn nan_values_are_ignored_when_fitting() {
        let x = Matrix::new(4, 1, vec![f64::NAN, 1.0, 2.0, 3.0]).unwrap();
        let p = PiecewiseLinear::fit(&x, &[0, 1, 2, 3], 2);
        assert_eq!(p.edges[0], vec![1.0, 2.0, 3.0]);
        assert_eq!(p.fill[0], 2.0);
        let all_nan = Matrix::new(2, 1, vec![f64::NAN; 2]).unwrap();
        let q = PiecewiseLinear::fit(&all_nan, &[0, 1], 8);
        q.check(1).unwrap();
    }
}

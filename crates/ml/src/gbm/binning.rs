//! Feature binning (LightGBM-style): each feature is mapped to at most `max_bin` ordered bins by
//! distinct values or equal-frequency quantiles; bin 0 is reserved for missing values (NaN).

use crate::data::Matrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Upper bounds of bins 1..=n (the last is +inf): `bin(x) = 1 + #{u : u < x}`, so
/// `x <= upper[b - 1]` exactly when `bin(x) <= b`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BinMapper {
    pub upper: Vec<f64>,
}

impl BinMapper {
    pub fn fit(values: &mut [f64], max_bin: usize) -> BinMapper {
        let max_bin = max_bin.clamp(2, 255);
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for x in v.iter().copied() {
            match distinct.last_mut() {
                Some((d, c)) if *d == x => *c += 1,
                _ => distinct.push((x, 1)),
            }
        }
        let mut upper = Vec::new();
        if distinct.len() <= max_bin {
            for w in distinct.windows(2) {
                upper.push(0.5 * (w[0].0 + w[1].0));
            }
        } else {
            let per_bin = v.len() as f64 / max_bin as f64;
            let mut acc = 0usize;
            let mut next = per_bin;
            for w in distinct.windows(2) {
                acc += w[0].1;
                if acc as f64 >= next && upper.len() + 1 < max_bin {
                    upper.push(0.5 * (w[0].0 + w[1].0));
                    while next <= acc as f64 {
                        next += per_bin;
                    }
                }
            }
        }
        upper.push(f64::INFINITY);
        BinMapper { upper }
    }

    /// Number of non-missing bins.
    pub fn n_bins(&self) -> usize {
        self.upper.len()
    }

    #[inline]
    pub fn bin(&self, x: f64) -> u8 {
        if x.is_nan() {
            0
        } else {
            (1 + self.upper.partition_point(|&u| u < x)).min(255) as u8
        }
    }
}

/// Feature-major binned copy of a matrix.
#[derive(Debug, Clone)]
pub struct BinnedData {
    pub n_rows: usize,
    /// `cols[f][row]`
    pub cols: Vec<Vec<u8>>,
    /// Total bins per feature including the missing bin 0.
    pub n_bins: Vec<usize>,
}

/// Fit one mapper per feature on (at most 200 000 rows of) `x`.
pub fn fit_mappers(x: &Matrix, max_bin: usize) -> Vec<BinMapper> {
    let stride = (x.n_rows / 200_000).max(1);
    (0..x.n_cols)
        .into_par_iter()
        .map(|j| {
            let mut col: Vec<f64> = (0..x.n_rows).step_by(stride).map(|i| x.get(i, j)).collect();
            BinMapper::fit(&mut col, max_bin)
        })
        .collect()
}

pub fn bin_matrix(x: &Matrix, mappers: &[BinMapper]) -> BinnedData {
    let cols = mappers
        .par_iter()
        .enumerate()
        .map(|(j, m)| (0..x.n_rows).map(|i| m.bin(x.get(i, j))).collect())
        .collect();
    BinnedData {
        n_rows: x.n_rows,
        cols,
        n_bins: mappers.iter().map(|m| m.n_bins() + 1).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_values_get_own_bins() {
        let mut v = vec![3.0, 1.0, 2.0, 2.0, f64::NAN];
        let m = BinMapper::fit(&mut v, 255);
        assert_eq!(m.upper, vec![1.5, 2.5, f64::INFINITY]);
        assert_eq!(m.bin(f64::NAN), 0);
        assert_eq!(m.bin(1.0), 1);
        assert_eq!(m.bin(1.5), 1);
        assert_eq!(m.bin(2.0), 2);
        assert_eq!(m.bin(100.0), 3);
        assert_eq!(m.bin(-100.0), 1);
    }

    #[test]
    fn quantile_bins_are_balanced() {
        let mut v: Vec<f64> = (0..10_000).map(|i| (i as f64).sqrt()).collect();
        let m = BinMapper::fit(&mut v, 10);
        assert_eq!(m.n_bins(), 10);
        let mut counts = [0usize; 11];
        for x in &v {
            counts[m.bin(*x) as usize] += 1;
        }
        for c in &counts[1..] {
            assert!((900..=1100).contains(c), "{counts:?}");
        }
    }
}

//! Composition featurisation: Magpie-style statistics of elemental properties
//! (fraction-weighted mean, average deviation, min, max, range, mode) plus stoichiometry norms.
//! Results are cached per formula string and computed in parallel.

use crate::data::Matrix;
use crate::elements::ElementTable;
use crate::error::Result;
use crate::formula::{parse_formula, Composition};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub const STATS: [&str; 6] = ["mean", "avg_dev", "min", "max", "range", "mode"];
const NORMS: [f64; 5] = [2.0, 3.0, 5.0, 7.0, 10.0];

/// Composition featuriser with a thread-safe cache. Cheap to clone (the cache is shared).
#[derive(Debug, Clone, Default)]
pub struct Featurizer {
    cache: Arc<RwLock<HashMap<String, Arc<Vec<f64>>>>>,
}

impl Featurizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feature names, in output order.
    pub fn feature_names() -> Vec<String> {
        let t = ElementTable::get();
        let mut names = vec!["n_elements".to_string()];
        names.extend(NORMS.iter().map(|p| format!("norm_{p}")));
        for p in &t.properties {
            for s in STATS {
                names.push(format!("{s}_{p}"));
            }
        }
        names
    }

    pub fn n_features() -> usize {
        1 + NORMS.len() + ElementTable::get().properties.len() * STATS.len()
    }

    /// Features of a parsed composition. Properties unknown for some elements are averaged over
    /// the elements that have them (weights renormalised); NaN if none has them.
    pub fn composition_features(comp: &Composition) -> Vec<f64> {
        let t = ElementTable::get();
        let fr = comp.fractions();
        let mut out = Vec::with_capacity(Self::n_features());
        out.push(fr.len() as f64);
        for p in NORMS {
            out.push(fr.iter().map(|(_, f)| f.powf(p)).sum::<f64>().powf(1.0 / p));
        }
        for p in 0..t.properties.len() {
            let vals: Vec<(f64, f64)> = fr
                .iter()
                .filter_map(|&(e, f)| {
                    let v = t.values.get(e).and_then(|r| r.get(p)).copied()?;
                    v.is_finite().then_some((v, f))
                })
                .collect();
            let wsum: f64 = vals.iter().map(|x| x.1).sum();
            if vals.is_empty() || wsum <= 0.0 {
                out.extend([f64::NAN; 6]);
                continue;
            }
            let mean = vals.iter().map(|(v, w)| v * w).sum::<f64>() / wsum;
            let dev = vals.iter().map(|(v, w)| w * (v - mean).abs()).sum::<f64>() / wsum;
            let min = vals.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
            let max = vals.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max);
            // mode: value of the most abundant element; ties broken by the smaller value
            let mut mode = (f64::NEG_INFINITY, f64::INFINITY);
            for &(v, w) in &vals {
                if w > mode.0 + 1e-12 || ((w - mode.0).abs() <= 1e-12 && v < mode.1) {
                    mode = (w, v);
                }
            }
            out.extend([mean, dev, min, max, max - min, mode.1]);
        }
        out
    }

    /// Features of one formula (cached).
    pub fn featurize(&self, formula: &str) -> Result<Arc<Vec<f64>>> {
        if let Ok(c) = self.cache.read() {
            if let Some(v) = c.get(formula) {
                return Ok(v.clone());
            }
        }
        let comp = parse_formula(formula)?;
        let v = Arc::new(Self::composition_features(&comp));
        if let Ok(mut c) = self.cache.write() {
            c.insert(formula.to_string(), v.clone());
        }
        Ok(v)
    }

    /// Featurise many formulas in parallel. Each entry is either the features or the error.
    pub fn featurize_many(&self, formulas: &[String]) -> Vec<Result<Arc<Vec<f64>>>> {
        formulas.par_iter().map(|f| self.featurize(f)).collect()
    }

    /// Featurise into a matrix; fails on the first bad formula (use `featurize_many` to skip).
    pub fn featurize_matrix(&self, formulas: &[String]) -> Result<Matrix> {
        let nf = Self::n_features();
        let mut data = Vec::with_capacity(formulas.len() * nf);
        for r in self.featurize_many(formulas) {
            data.extend_from_slice(&r?);
        }
        Matrix::new(formulas.len(), nf, data)
    }

    pub fn cache_len(&self) -> usize {
        self.cache.read().map(|c| c.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feat(f: &str, name: &str) -> f64 {
        let names = Featurizer::feature_names();
        let i = names.iter().position(|n| n == name).unwrap();
        Featurizer::new().featurize(f).unwrap()[i]
    }

    #[test]
    fn statistics_match_hand_values() {
        // Fe2O3: fractions 0.4 Fe (Z=26), 0.6 O (Z=8)
        assert!((feat("Fe2O3", "mean_Number") - (0.4 * 26.0 + 0.6 * 8.0)).abs() < 1e-12);
        let mean = 15.2;
        let dev = 0.4 * (26.0f64 - mean).abs() + 0.6 * (8.0f64 - mean).abs();
        assert!((feat("Fe2O3", "avg_dev_Number") - dev).abs() < 1e-12);
        assert_eq!(feat("Fe2O3", "min_Number"), 8.0);
        assert_eq!(feat("Fe2O3", "max_Number"), 26.0);
        assert_eq!(feat("Fe2O3", "range_Number"), 18.0);
        assert_eq!(feat("Fe2O3", "mode_Number"), 8.0);
        assert_eq!(feat("NaCl", "mode_Number"), 11.0); // tie -> smaller value
        assert_eq!(feat("Fe2O3", "n_elements"), 2.0);
        let l2 = (0.4f64.powi(2) + 0.6f64.powi(2)).sqrt();
        assert!((feat("Fe2O3", "norm_2") - l2).abs() < 1e-12);
        assert_eq!(feat("Cu", "avg_dev_Number"), 0.0);
        assert_eq!(feat("Cu", "norm_7"), 1.0);
    }

    #[test]
    fn cache_and_errors() {
        let f = Featurizer::new();
        let v = f.featurize_many(&["Fe2O3".into(), "Fe2O3".into(), "Qq".into()]);
        assert!(v[0].is_ok() && v[2].is_err());
        assert_eq!(f.cache_len(), 1);
        assert_eq!(Featurizer::feature_names().len(), Featurizer::n_features());
        assert_eq!(v[0].as_ref().unwrap().len(), Featurizer::n_features());
    }
}

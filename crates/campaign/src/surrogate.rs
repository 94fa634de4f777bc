//! The surrogate: one model per target property (GP, GBM or DNN from `scalebridge-ml`) on the
//! candidates' composition and cheap features (element fractions, fraction-weighted elemental
//! properties, lattice/microstructure/class one-hots, temperature); the targets' goals folded
//! into one utility; acquisition scores; cross-validated accuracy on the simulated candidates.

use crate::error::Result;
use crate::space::Candidate;
use crate::spec::{Campaign, Goal};
use scalebridge_ml::data::Matrix;
use scalebridge_ml::model::{kind_from_name, Model, ModelKind};
use scalebridge_ml::{GbmParams, GpParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Feature matrix of `cands` (one row each; columns fixed by the whole space so rows agree).
pub fn features(campaign: &Campaign, all: &[Candidate], rows: &[usize]) -> Matrix {
    let elements: BTreeSet<&str> = all.iter().flat_map(|c| c.composition.iter().map(|e| e.0.as_str())).collect();
    let lattices: BTreeSet<&str> = all.iter().map(|c| c.lattice.as_str()).collect();
    let classes: BTreeSet<&str> = all.iter().map(|c| c.class.as_str()).collect();
    let n_ms = campaign.space.microstructures.len();
    let table = scalebridge_ml::elements::ElementTable::get();
    // elemental properties known for every element of the space
    let props: Vec<usize> = (0..table.properties.len())
        .filter(|&p| elements.iter().all(|e| table.index_of(e).and_then(|i| table.property(i, &table.properties[p])).is_some_and(f64::is_finite)))
        .collect();
    let tmax = all.iter().map(|c| c.temperature_k).fold(1.0, f64::max);
    let mut data = Vec::new();
    for &r in rows {
        let c = &all[r];
        for e in &elements {
            data.push(c.composition.iter().find(|x| x.0 == *e).map_or(0.0, |x| x.1));
        }
        for &p in &props {
            let name = &table.properties[p];
            let v: f64 = c.composition.iter().map(|(e, f)| f * table.index_of(e).and_then(|i| table.property(i, name)).unwrap_or(0.0)).sum();
            data.push(v);
        }
        for l in &lattices {
            data.push(f64::from(u8::from(c.lattice == *l)));
        }
        for k in &classes {
            data.push(f64::from(u8::from(c.class == *k)));
        }
        if n_ms > 1 {
            for m in 0..n_ms {
                data.push(f64::from(u8::from(c.microstructure == Some(m))));
            }
        }
        data.push(c.temperature_k / tmax);
    }
    let n_cols = if rows.is_empty() { 0 } else { data.len() / rows.len() };
    Matrix { n_rows: rows.len(), n_cols, data }
}

/// The model kind of the campaign, tuned for the few rows a campaign has.
pub fn model_kind(campaign: &Campaign, seed: u64) -> Result<ModelKind> {
    Ok(match campaign.search.model.as_str() {
        "gp" => ModelKind::Gp(GpParams { seed, ..GpParams::default() }),
        "gbm" => ModelKind::Gbm(GbmParams { seed, n_estimators: 200, learning_rate: 0.1, num_leaves: 8, min_data_in_leaf: 2, early_stopping_rounds: 0, validation_fraction: 0.0, feature_fraction: 1.0, bagging_fraction: 1.0, ..GbmParams::default() }),
        other => kind_from_name(other, seed)?,
    })
}

/// Per-target models fitted on the simulated candidates.
pub struct Surrogate {
    pub models: Vec<Option<Model>>,
}

/// Predictions of every target for some rows: `mu[target][row]`, `sd[target][row]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Predictions {
    pub mu: Vec<Vec<f64>>,
    pub sd: Vec<Vec<f64>>,
}

impl Surrogate {
    /// Fit one model per target on `x` (rows) and `y[target][row]` (NaN rows skipped per target).
    pub fn fit(campaign: &Campaign, x: &Matrix, y: &[Vec<f64>]) -> Result<Surrogate> {
        let mut models = Vec::new();
        for (t, yt) in y.iter().enumerate() {
            let keep: Vec<usize> = (0..yt.len()).filter(|&i| yt[i].is_finite()).collect();
            if keep.len() < 3 {
                models.push(None);
                continue;
            }
            let xs = x.select_rows(&keep);
            let ys: Vec<f64> = keep.iter().map(|&i| yt[i]).collect();
            models.push(Some(model_kind(campaign, campaign.search.seed + t as u64)?.fit(&xs, &ys)?));
        }
        Ok(Surrogate { models })
    }

    pub fn predict(&self, x: &Matrix) -> Result<Predictions> {
        let mut p = Predictions::default();
        for m in &self.models {
            let (mu, sd) = match m {
                Some(m) => m.predict_with_std(x)?,
                None => (vec![f64::NAN; x.n_rows], vec![f64::NAN; x.n_rows]),
            };
            p.mu.push(mu);
            p.sd.push(sd);
        }
        Ok(p)
    }
}

/// Scales of the targets (standard deviation of the simulated values, at least 1e-9 of their
/// magnitude), so that targets in GPa and in W/m/K weigh alike in the utility.
pub fn scales(y: &[Vec<f64>]) -> Vec<f64> {
    y.iter()
        .map(|v| {
            let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            if f.len() < 2 {
                return 1.0;
            }
            let m = f.iter().sum::<f64>() / f.len() as f64;
            let s = (f.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (f.len() - 1) as f64).sqrt();
            s.max(1e-9 * m.abs()).max(1e-12)
        })
        .collect()
}

/// The utility (larger is better) of target values `v` (one per target) and its standard
/// deviation from `sd`: Σ over max/min targets of ±v/scale, minus 10 × the violation/scale of
/// each bound target (a bound that is met adds nothing).
pub fn utility(targets: &[crate::spec::Target], scales: &[f64], v: &[f64], sd: &[f64]) -> (f64, f64) {
    let (mut u, mut var) = (0.0, 0.0);
    for (i, t) in targets.iter().enumerate() {
        let (x, s, k) = (v[i], sd.get(i).copied().unwrap_or(0.0), scales[i]);
        if !x.is_finite() {
            return (f64::NEG_INFINITY, 0.0);
        }
        let s = if s.is_finite() { s } else { 0.0 };
        match t.goal {
            Goal::Max => {
                u += x / k;
                var += (s / k).powi(2);
            }
            Goal::Min => {
                u -= x / k;
                var += (s / k).powi(2);
            }
            Goal::AtLeast(b) => {
                let viol = (b - x).max(0.0);
                u -= 10.0 * viol / k;
                if viol > 0.0 || s > (x - b).abs() {
                    var += (10.0 * s / k).powi(2) * 0.25;
                }
            }
            Goal::AtMost(b) => {
                let viol = (x - b).max(0.0);
                u -= 10.0 * viol / k;
                if viol > 0.0 || s > (x - b).abs() {
                    var += (10.0 * s / k).powi(2) * 0.25;
                }
            }
        }
    }
    (u, var.sqrt())
}

/// Acquisition score (larger is picked first) of utility mean `u` and σ `s`; `best` is the best
/// simulated utility.
pub fn acquisition(name: &str, u: f64, s: f64, best: f64) -> f64 {
    match name {
        "ucb" => u + 2.0 * s,
        "ei" => scalebridge_ml::active::expected_improvement(u, s, best, 0.0),
        "variance" => s,
        _ => 0.0,
    }
}

/// Held-out accuracy of the surrogate: k-fold (k = min(5, n)) cross-validated predictions of
/// each target on the simulated candidates.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Accuracy {
    pub property: String,
    pub n: usize,
    pub mae: f64,
    pub r2: f64,
    /// Out-of-fold predictions (same order as `y`).
    pub predicted: Vec<f64>,
    pub y: Vec<f64>,
    pub sd: Vec<f64>,
}

pub fn cross_validate(campaign: &Campaign, x: &Matrix, y: &[Vec<f64>]) -> Result<Vec<Accuracy>> {
    let mut out = Vec::new();
    for (t, yt) in y.iter().enumerate() {
        let keep: Vec<usize> = (0..yt.len()).filter(|&i| yt[i].is_finite()).collect();
        let n = keep.len();
        let property = campaign.targets[t].property.clone();
        if n < 4 {
            out.push(Accuracy { property, n, mae: f64::NAN, r2: f64::NAN, predicted: vec![], y: vec![], sd: vec![] });
            continue;
        }
        let k = n.min(5);
        let (mut pred, mut sd) = (vec![f64::NAN; n], vec![f64::NAN; n]);
        for fold in 0..k {
            let train: Vec<usize> = (0..n).filter(|i| i % k != fold).map(|i| keep[i]).collect();
            let test: Vec<usize> = (0..n).filter(|i| i % k == fold).collect();
            let ys: Vec<f64> = train.iter().map(|&i| yt[i]).collect();
            let m = model_kind(campaign, campaign.search.seed + t as u64)?.fit(&x.select_rows(&train), &ys)?;
            let rows: Vec<usize> = test.iter().map(|&i| keep[i]).collect();
            let (mu, s) = m.predict_with_std(&x.select_rows(&rows))?;
            for (j, &i) in test.iter().enumerate() {
                pred[i] = mu[j];
                sd[i] = s[j];
            }
        }
        let ys: Vec<f64> = keep.iter().map(|&i| yt[i]).collect();
        out.push(Accuracy { property, n, mae: scalebridge_ml::eval::mae(&ys, &pred), r2: scalebridge_ml::eval::r2(&ys, &pred), predicted: pred, y: ys, sd });
    }
    Ok(out)
}

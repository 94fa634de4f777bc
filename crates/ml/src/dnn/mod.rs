//! Scale-fusion deep network (burn, CPU NdArray backend with autodiff); cargo feature `dnn`.
//!
//! Each scale's descriptors become tokens ([`tokens`]), embedded linearly with a learned scale
//! embedding, fused by a Transformer encoder, a squeeze-and-excitation gate and a cross-scale
//! attention ([`fusion`], [`net`]), projected into a shared latent space and read out by one head
//! per target (multi-task loss with task weights). Training ([`train`]): Adam with L2 weight
//! decay, linear warm-up then step decay, mini-batches, early stopping on a held-out split with
//! the best weights restored; inputs and targets standardised (saved with the model).
//! Uncertainty ([`uncertainty`]): a deep ensemble whose spread is calibrated on the held-out
//! split. Persistence ([`persist`]): burnpack records inside the model JSON.

#[cfg(target_arch = "x86_64")]
mod avx512;
pub mod bridge;
pub mod encoding;
pub mod fusion;
pub mod infer;
pub mod net;
pub mod persist;
pub mod tokens;
pub mod train;
pub mod uncertainty;

use crate::data::{check_targets, Matrix};
use crate::error::{MlError, Result};
use crate::featurize::Featurizer;
use encoding::PiecewiseLinear;
use burn::tensor::Device;
use net::{FusionNet, NetConfig};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tokens::{CompositionSplit, GroupDef, Scale, TokenLayout};
pub use train::Loss;
use train::{train_member, MemberInfo, Prepared};

/// The CPU device (burn's NdArray backend, as the project chose; burn 0.22 marks it deprecated
/// in favour of `Device::flex()`, a one-line change here).
#[allow(deprecated)]
pub(crate) fn cpu() -> Device {
    Device::ndarray()
}

/// The CPU device with autodiff (training).
pub(crate) fn cpu_autodiff() -> Device {
    cpu().autodiff()
}

/// Hyperparameters of the scale-fusion DNN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DnnParams {
    /// Token width d (embedding and encoder).
    pub d_model: usize,
    pub n_heads: usize,
    /// Transformer encoder layers.
    pub n_layers: usize,
    /// Hidden width of the encoder's GELU feed-forward block.
    pub d_ff: usize,
    /// Width of the shared latent space.
    pub d_latent: usize,
    pub dropout: f64,
    /// Squeeze-and-excitation bottleneck d / r.
    pub se_reduction: usize,
    pub use_se: bool,
    pub use_cross_attention: bool,
    /// Peak Adam learning rate (reached after the warm-up).
    pub learning_rate: f64,
    /// Linear warm-up from learning_rate / steps to learning_rate over this many epochs.
    pub warmup_epochs: usize,
    /// Multiply the learning rate by `decay_gamma` every this many epochs after the warm-up.
    pub decay_every_epochs: usize,
    pub decay_gamma: f64,
    /// L2 penalty λ added to the gradient (g + λw), i.e. loss + λ/2 ‖w‖².
    pub weight_decay: f64,
    /// Training (and early-stopping) loss on standardised targets.
    pub loss: Loss,
    pub batch_size: usize,
    pub max_epochs: usize,
    /// Stop when the validation loss has not improved for this many epochs.
    pub patience: usize,
    /// Fraction of the rows held out: half for σ calibration (held out from every member), half
    /// for early stopping (drawn per member from the non-calibration rows, so each member trains
    /// on a different subset); below 40 held-out rows the same rows serve both.
    pub validation_fraction: f64,
    /// Ensemble members (≥ 2 for a σ).
    pub n_members: usize,
    /// Weight of each target in the loss (default: equal); normalised to sum 1.
    pub task_weights: Option<Vec<f64>>,
    /// Weight of the cross-scale bridge regulariser (0 = off; needs ≥ 2 scales).
    pub bridge_weight: f64,
    /// Explicit tokens; `None` = column-name prefixes and the composition split.
    pub groups: Option<Vec<GroupDef>>,
    pub composition_split: CompositionSplit,
    /// Widest token (columns); wider groups are cut into several tokens.
    pub max_token_width: usize,
    /// Names of the feature columns (for the prefix rules). `None`: the composition feature
    /// names when there are exactly that many columns, otherwise `x0, x1, ...`.
    pub feature_names: Option<Vec<String>>,
    /// Replace missing (NaN) features by the training mean (median with `ple_bins` > 0);
    /// otherwise NaN is an error.
    pub impute_missing: bool,
    /// Piecewise-linear encoding of every feature with this many quantile bins before the token
    /// embedding ([`encoding`]); 0 = standardised values instead.
    pub ple_bins: usize,
    pub seed: u64,
}

impl Default for DnnParams {
    fn default() -> Self {
        DnnParams {
            d_model: 32,
            n_heads: 4,
            n_layers: 2,
            d_ff: 64,
            d_latent: 32,
            dropout: 0.1,
            se_reduction: 4,
            use_se: true,
            use_cross_attention: true,
            learning_rate: 1e-3,
            warmup_epochs: 5,
            decay_every_epochs: 60,
            decay_gamma: 0.5,
            weight_decay: 1e-4,
            loss: Loss::L1,
            batch_size: 64,
            max_epochs: 300,
            patience: 30,
            validation_fraction: 0.15,
            n_members: 3,
            task_weights: None,
            bridge_weight: 0.0,
            groups: None,
            composition_split: CompositionSplit::ByStat,
            max_token_width: 64,
            feature_names: None,
            impute_missing: false,
            ple_bins: 8,
            seed: 0,
        }
    }
}

impl DnnParams {
    pub fn validate(&self) -> Result<()> {
        let at_least = |name: &str, v: usize, min: usize| {
            if v >= min {
                Ok(())
            } else {
                Err(MlError::param(name, v, &format!("must be >= {min}")))
            }
        };
        at_least("d_model", self.d_model, 1)?;
        at_least("n_heads", self.n_heads, 1)?;
        at_least("n_layers", self.n_layers, 1)?;
        at_least("d_ff", self.d_ff, 1)?;
        at_least("d_latent", self.d_latent, 1)?;
        at_least("se_reduction", self.se_reduction, 1)?;
        at_least("batch_size", self.batch_size, 1)?;
        at_least("max_epochs", self.max_epochs, 1)?;
        at_least("patience", self.patience, 1)?;
        at_least("n_members", self.n_members, 1)?;
        at_least("decay_every_epochs", self.decay_every_epochs, 1)?;
        at_least("max_token_width", self.max_token_width, 1)?;
        if self.d_model.checked_rem(self.n_heads) != Some(0) {
            return Err(MlError::param(
                "n_heads",
                self.n_heads,
                &format!("must divide d_model = {}", self.d_model),
            ));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(MlError::param("learning_rate", self.learning_rate, "must be in (0, 1]"));
        }
        if !(self.decay_gamma > 0.0 && self.decay_gamma <= 1.0) {
            return Err(MlError::param("decay_gamma", self.decay_gamma, "must be in (0, 1]"));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(MlError::param("dropout", self.dropout, "must be in [0, 1)"));
        }
        for (n, v) in [("weight_decay", self.weight_decay), ("bridge_weight", self.bridge_weight)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(MlError::param(n, v, "must be a finite number >= 0"));
            }
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction <= 0.5) {
            return Err(MlError::param(
                "validation_fraction",
                self.validation_fraction,
                "must be in (0, 0.5] (early stopping and σ calibration need a held-out split)",
            ));
        }
        if let Loss::Huber { delta } = self.loss {
            if !(delta.is_finite() && delta > 0.0) {
                return Err(MlError::param("loss.Huber.delta", delta, "must be a positive finite number"));
            }
        }
        if let Some(w) = &self.task_weights {
            if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || w.iter().sum::<f64>() <= 0.0 {
                return Err(MlError::param(
                    "task_weights",
                    format!("{w:?}"),
                    "must be finite, >= 0 and not all zero",
                ));
            }
        }
        Ok(())
    }

    fn names(&self, n: usize) -> Result<Vec<String>> {
        match &self.feature_names {
            Some(v) if v.len() == n => Ok(v.clone()),
            Some(v) => Err(MlError::ShapeMismatch {
                what: "feature_names".into(),
                expected: n.to_string(),
                got: v.len().to_string(),
            }),
            None if n == Featurizer::n_features() => Ok(Featurizer::feature_names()),
            None => Ok((0..n).map(|i| format!("x{i}")).collect()),
        }
    }
}

/// A fitted scale-fusion DNN ensemble with its preprocessing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "persist::DnnFile")]
pub struct DnnRegressor {
    pub params: DnnParams,
    pub n_features: usize,
    pub layout: TokenLayout,
    pub net_config: NetConfig,
    /// Feature standardisation x' = (x − mean) / scale (training split, NaN ignored).
    pub x_mean: Vec<f64>,
    pub x_scale: Vec<f64>,
    /// Piecewise-linear encoding (replaces the standardisation when `params.ple_bins` > 0).
    pub ple: Option<PiecewiseLinear>,
    /// Target standardisation per task.
    pub y_mean: Vec<f64>,
    pub y_scale: Vec<f64>,
    /// σ = std_scale · ensemble spread, per task.
    pub std_scale: Vec<f64>,
    pub members: Vec<MemberInfo>,
    /// Burnpack records of the members, base64.
    pub weights: Vec<String>,
    #[serde(skip)]
    nets: Vec<FusionNet>,
    /// The members' weights copied out of burn for batch inference (`infer.rs`).
    #[serde(skip)]
    fast: Vec<infer::FastNet>,
}

fn mean_scale(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let vals: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    if vals.is_empty() {
        return (0.0, 1.0);
    }
    let n = vals.len() as f64;
    let m = vals.iter().sum::<f64>() / n;
    let s = (vals.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
    (m, if s > 1e-12 { s } else { 1.0 })
}

/// The burn-free inference form of a member ([`infer`]), fed by piecewise-linear codes when
/// the model encodes its inputs.
pub(crate) fn fast_net(net: &FusionNet, c: &NetConfig, ple: Option<&PiecewiseLinear>, layout: &TokenLayout) -> Result<infer::FastNet> {
    let f = infer::FastNet::from_burn(net, c)?;
    match ple {
        Some(p) => f.with_ple(p, layout),
        None => Ok(f),
    }
}

/// Network input width of each token: its column count, or the columns' bin counts under a
/// piecewise-linear encoding.
pub(crate) fn input_widths(layout: &TokenLayout, ple: Option<&PiecewiseLinear>) -> Vec<usize> {
    match ple {
        None => layout.widths(),
        Some(p) => layout.groups.iter().map(|g| g.columns.iter().map(|&j| p.width(j)).sum()).collect(),
    }
}

impl DnnRegressor {
    /// Fit one target (every value finite).
    pub fn fit(x: &Matrix, y: &[f64], p: &DnnParams) -> Result<DnnRegressor> {
        check_targets(y, x.n_rows)?;
        Self::fit_multi(x, &Matrix::new(y.len(), 1, y.to_vec())?, p)
    }

    /// Fit several targets at once (multi-task): `y` is n × k, NaN marks a missing target (the
    /// row still trains the other tasks); every row needs at least one target.
    pub fn fit_multi(x: &Matrix, y: &Matrix, p: &DnnParams) -> Result<DnnRegressor> {
        p.validate()?;
        let (n, d, k) = (x.n_rows, x.n_cols, y.n_cols);
        if y.n_rows != n {
            return Err(MlError::ShapeMismatch {
                what: "targets".into(),
                expected: format!("{n} rows"),
                got: y.n_rows.to_string(),
            });
        }
        if k == 0 {
            return Err(MlError::param("targets", 0, "need at least one target column"));
        }
        if let Some(w) = &p.task_weights {
            if w.len() != k {
                return Err(MlError::ShapeMismatch {
                    what: "task_weights".into(),
                    expected: k.to_string(),
                    got: w.len().to_string(),
                });
            }
        }
        if let Some(i) = y.data.iter().position(|v| v.is_infinite()) {
            return Err(MlError::NonFinite { what: "targets".into(), index: i });
        }
        if let Some(r) = (0..n).find(|&r| y.row(r).iter().all(|v| v.is_nan())) {
            return Err(MlError::NonFinite { what: "targets (row with no target)".into(), index: r });
        }
        Self::check_x(x, d, p.impute_missing)?;
        const MIN_ROWS: usize = 10;
        if n < MIN_ROWS {
            return Err(MlError::NotEnoughData { what: "DNN training".into(), needed: MIN_ROWS, have: n });
        }
        let names = p.names(d)?;
        let layout = TokenLayout::build(&names, p.groups.as_deref(), p.composition_split, p.max_token_width)?;
        // Calibration rows `ci` are held out from every member (σ is calibrated on them: residuals
        // on rows that chose the epoch would be optimistic). Each member draws its own early-
        // stopping rows from the rest and trains on the remainder, so the members see different
        // data (more diversity, all non-calibration rows used). Below 40 held-out rows the
        // stopping rows double as calibration rows.
        let mut idx: Vec<usize> = (0..n).collect();
        idx.shuffle(&mut StdRng::seed_from_u64(p.seed ^ 0x9e37_79b9));
        let n_val = ((n as f64 * p.validation_fraction).round() as usize).clamp(2, n / 2);
        let n_cal = if n_val >= 40 { n_val / 2 } else { 0 };
        let n_stop = n_val - n_cal;
        let mut ci = idx[..n_cal].to_vec();
        let rest = idx[n_cal..].to_vec();
        let seeds: Vec<u64> = (0..p.n_members as u64).map(|m| p.seed.wrapping_add(m.wrapping_mul(7919))).collect();
        let splits: Vec<(Vec<usize>, Vec<usize>)> = seeds
            .iter()
            .map(|&s| {
                let mut r = rest.clone();
                if n_cal > 0 {
                    r.shuffle(&mut StdRng::seed_from_u64(s ^ 0x2545_f491_4f6c_dd1d));
                }
                let (mut vi, mut ti) = (r[..n_stop].to_vec(), r[n_stop..].to_vec());
                vi.sort_unstable();
                ti.sort_unstable();
                (vi, ti)
            })
            .collect();
        if ci.is_empty() {
            ci = splits.first().map(|s| s.0.clone()).unwrap_or_default();
        }
        ci.sort_unstable();
        let mut ti = rest.clone();
        ti.sort_unstable();
        let (x_mean, x_scale): (Vec<f64>, Vec<f64>) =
            (0..d).map(|j| mean_scale(ti.iter().map(|&i| x.get(i, j)))).unzip();
        let (y_mean, y_scale): (Vec<f64>, Vec<f64>) =
            (0..k).map(|j| mean_scale(ti.iter().map(|&i| y.get(i, j)))).unzip();
        for j in 0..k {
            if ti.iter().all(|&i| y.get(i, j).is_nan()) {
                return Err(MlError::NotEnoughData { what: format!("training values of target {j}"), needed: 1, have: 0 });
            }
        }
        let ple = (p.ple_bins > 0).then(|| PiecewiseLinear::fit(x, &ti, p.ple_bins));
        let net_config = NetConfig {
            token_widths: input_widths(&layout, ple.as_ref()),
            scale_ids: layout.scale_ids(),
            n_scales: Scale::COUNT,
            d_model: p.d_model,
            n_heads: p.n_heads,
            n_layers: p.n_layers,
            d_ff: p.d_ff,
            d_latent: p.d_latent,
            n_targets: k,
            dropout: p.dropout,
            se_reduction: p.se_reduction,
            use_se: p.use_se,
            use_cross_attention: p.use_cross_attention,
        };
        let mut reg = DnnRegressor {
            params: p.clone(),
            n_features: d,
            layout,
            net_config,
            x_mean,
            x_scale,
            ple,
            y_mean,
            y_scale,
            std_scale: vec![1.0; k],
            members: Vec::new(),
            weights: Vec::new(),
            nets: Vec::new(),
            fast: Vec::new(),
        };
        let task_w: Vec<f64> = p.task_weights.clone().unwrap_or_else(|| vec![1.0; k]);
        let wsum: f64 = task_w.iter().sum();
        let task_w: Vec<f32> = task_w.iter().map(|w| (w / wsum) as f32).collect();
        let d_in: usize = reg.net_config.token_widths.iter().sum();
        let datas: Vec<Prepared> = splits
            .iter()
            .map(|(vi, ti)| {
                let (y_tr, m_tr) = reg.targets(y, ti);
                let (y_va, m_va) = reg.targets(y, vi);
                Prepared {
                    d: d_in,
                    k,
                    x_tr: { let m = x.select_rows(ti); reg.inputs(&m, 0..m.n_rows) },
                    y_tr,
                    m_tr,
                    x_va: { let m = x.select_rows(vi); reg.inputs(&m, 0..m.n_rows) },
                    y_va,
                    m_va,
                    task_w: task_w.clone(),
                }
            })
            .collect();
        let c = &reg.net_config;
        let trained: Vec<Result<(FusionNet, MemberInfo)>> = seeds
            .par_iter()
            .zip(datas.par_iter())
            .map(|(&s, data)| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| train_member(c, p, data, s)))
                    .unwrap_or_else(|e| {
                        let msg = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        Err(MlError::Numerical { what: format!("DNN training (member seed {s})"), reason: format!("burn panicked: {msg}") })
                    })
            })
            .collect();
        for t in trained {
            let (net, info) = t?;
            reg.weights.push(persist::encode_net(&net)?);
            reg.fast.push(fast_net(&net, &reg.net_config, reg.ple.as_ref(), &reg.layout)?);
            reg.nets.push(net);
            reg.members.push(info);
        }
        // σ calibration on the held-out calibration rows
        if reg.nets.len() >= 2 {
            let xv = x.select_rows(&ci);
            let (mu, raw) = reg.ensemble(&xv)?;
            let yv: Vec<f64> = ci.iter().flat_map(|&i| y.row(i).to_vec()).collect();
            reg.std_scale = uncertainty::calibrate(&yv, &mu, &raw, k);
        }
        Ok(reg)
    }

    fn check_x(x: &Matrix, d: usize, impute: bool) -> Result<()> {
        if x.n_cols != d {
            return Err(MlError::ShapeMismatch { what: "features".into(), expected: d.to_string(), got: x.n_cols.to_string() });
        }
        x.check_no_inf("features")?;
        if !impute {
            if let Some(i) = x.data.iter().position(|v| v.is_nan()) {
                return Err(MlError::NonFinite {
                    what: format!("features (row {}, column {}; missing values are not allowed with impute_missing = false)", i / d.max(1), i % d.max(1)),
                    index: i,
                });
            }
        }
        Ok(())
    }

    /// Network inputs (f32) of rows `rows` with the token columns contiguous: the
    /// piecewise-linear encoding (NaN → training median), or standardised values (NaN → 0, the
    /// training mean).
    fn inputs(&self, x: &Matrix, rows: std::ops::Range<usize>) -> Vec<f32> {
        if let Some(ple) = &self.ple {
            let order = self.layout.order();
            let width: usize = self.net_config.token_widths.iter().sum();
            let mut out = Vec::with_capacity(rows.len() * width);
            for r in rows {
                let row = x.row(r);
                for &j in &order {
                    ple.encode_into(j, row[j], &mut out);
                }
            }
            return out;
        }
        let cols: Vec<(usize, f64, f64)> =
            self.layout.order().into_iter().map(|j| (j, self.x_mean[j], 1.0 / self.x_scale[j])).collect();
        let mut out = Vec::with_capacity(rows.len() * cols.len());
        for r in rows {
            let row = x.row(r);
            out.extend(cols.iter().map(|&(j, m, inv)| {
                let v = (row[j] - m) * inv;
                if v.is_nan() { 0.0 } else { v as f32 }
            }));
        }
        out
    }

    /// Standardised targets and mask for rows `idx`.
    fn targets(&self, y: &Matrix, idx: &[usize]) -> (Vec<f32>, Vec<f32>) {
        let k = y.n_cols;
        let (mut t, mut m) = (Vec::with_capacity(idx.len() * k), Vec::with_capacity(idx.len() * k));
        for &i in idx {
            for j in 0..k {
                let v = y.get(i, j);
                let ok = v.is_finite();
                t.push(if ok { ((v - self.y_mean[j]) / self.y_scale[j]) as f32 } else { 0.0 });
                m.push(if ok { 1.0 } else { 0.0 });
            }
        }
        (t, m)
    }

    /// Ensemble mean and raw spread (original units), n × k row-major.
    fn ensemble(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
        Self::check_x(x, self.n_features, self.params.impute_missing)?;
        let k = self.net_config.n_targets;
        // row blocks converted to f32 inside the parallel loop (no full-size copy of x)
        const BLOCK: usize = 1024;
        let blocks: Vec<std::ops::Range<usize>> =
            (0..x.n_rows).step_by(BLOCK).map(|r| r..(r + BLOCK).min(x.n_rows)).collect();
        let coder = self.ple.as_ref().map(|ple| infer::PleCoder::new(ple, &self.layout));
        let parts: Vec<(Vec<f64>, Vec<f64>)> = blocks
            .into_par_iter()
            .map(|rows| {
                let outputs: Vec<Vec<f32>> = match &coder {
                    Some(coder) => {
                        infer::PleCodes::with(coder, x, rows, |codes| {
                            self.fast.iter().map(|net| net.forward_codes(codes)).collect()
                        })
                    }
                    None => {
                        let chunk = self.inputs(x, rows);
                        self.fast.iter().map(|net| net.forward(&chunk)).collect()
                    }
                };
                let preds: Vec<Vec<f64>> = outputs
                    .iter()
                    .map(|out| {
                        out.iter()
                            .enumerate()
                            .map(|(i, v)| f64::from(*v) * self.y_scale[i % k] + self.y_mean[i % k])
                            .collect()
                    })
                    .collect();
                uncertainty::ensemble_mean_std(&preds)
            })
            .collect();
        let (mut mu, mut sd) = (Vec::with_capacity(x.n_rows * k), Vec::with_capacity(x.n_rows * k));
        for (m, s) in parts {
            mu.extend(m);
            sd.extend(s);
        }
        Ok((mu, sd))
    }

    /// Mean predictions and calibrated σ for all targets (n × k row-major each). σ is NaN for a
    /// single-member model.
    pub fn predict_multi(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
        let (mu, raw) = self.ensemble(x)?;
        let k = self.net_config.n_targets;
        let sd = raw
            .iter()
            .enumerate()
            .map(|(i, s)| if self.nets.len() >= 2 { self.std_scale[i % k] * s.max(1e-12) } else { f64::NAN })
            .collect();
        Ok((mu, sd))
    }

    /// Mean and σ of the first target.
    pub fn predict_with_std(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
        let (mu, sd) = self.predict_multi(x)?;
        let k = self.net_config.n_targets.max(1);
        Ok((mu.into_iter().step_by(k).collect(), sd.into_iter().step_by(k).collect()))
    }

    pub fn predict(&self, x: &Matrix) -> Result<Vec<f64>> {
        self.predict_with_std(x).map(|r| r.0)
    }

    pub fn n_targets(&self) -> usize {
        self.net_config.n_targets
    }

    /// Number of trainable parameters of one member.
    pub fn n_params(&self) -> usize {
        use burn::module::Module;
        self.nets.first().map_or(0, Module::num_params)
    }
}

#[cfg(test)]
mod tests;

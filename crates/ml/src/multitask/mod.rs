//! The multi-task scale-fusion DNN on a feature table (cargo feature `dnn`): ONE shared
//! network ([`DnnRegressor::fit_multi`]) with one head per target.
//!
//! - Inputs: the numeric columns whose `scale` metadata is a feature scale (composition,
//!   atomistic, mesoscale, continuum, physics; [`MultiTaskSpec::scales`] restricts them, minus
//!   [`MultiTaskSpec::exclude`] and minus columns with no value at all); one token group per
//!   scale ([`groups_from_scales`], no name convention). Identifier, target and uncertainty
//!   columns are never inputs.
//! - Targets: numeric columns; a target that would also be an input (a column of a selected
//!   feature scale) is an error. A row with a missing (NaN) target still trains the other heads:
//!   its element is masked out of that head's loss. Rows with no target at all are left out.
//! - Bridge term (`DnnParams::bridge_weight` = W > 0): the loss adds W × the bridge residual of
//!   the batch, the mean squared deviation of the per-scale latent views from their mean
//!   ([`crate::dnn::bridge`]); it needs inputs of at least two scales.
//! - Missing input values are imputed (training median under the piecewise-linear encoding,
//!   mean otherwise): [`default_params`].
//! - Prediction checks that every input column is present with the unit it was trained with.

pub mod cv;

use crate::data::Matrix;
use crate::dnn::tokens::groups_from_scales;
use crate::dnn::{DnnParams, DnnRegressor};
use crate::error::{MlError, Result};
use crate::eval::Metrics;
use scalebridge_features::{FeatureTable, Scale};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// File name of a multi-task model inside its directory.
pub const MULTITASK_FILE: &str = "multitask.json";
/// The `kind` field of a multi-task model file.
pub const KIND: &str = "multitask-dnn";

/// Which columns the multi-task net learns from and predicts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MultiTaskSpec {
    pub targets: Vec<String>,
    /// Feature scales used as inputs; `None`: all five.
    pub scales: Option<Vec<Scale>>,
    /// Columns never used as inputs.
    pub exclude: Vec<String>,
}

/// An input column: name, scale and unit (checked again at prediction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputColumn {
    pub name: String,
    pub scale: Scale,
    pub unit: String,
}

/// A target with its unit and training record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    pub name: String,
    pub unit: String,
    /// Training rows with a value of this target.
    pub n_train: usize,
    /// Metrics on those training rows (optimistic; for sanity only).
    pub train_metrics: Metrics,
}

/// A fitted multi-task model with everything needed to predict from a feature table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiTaskModel {
    /// Always [`KIND`].
    pub kind: String,
    pub version: String,
    pub targets: Vec<TargetInfo>,
    pub inputs: Vec<InputColumn>,
    /// Rows trained on (at least one target present).
    pub n_train: usize,
    /// Rows left out because every target was missing.
    pub n_dropped: usize,
    /// Bridge residual of the fitted net on the training rows (`None`: inputs of one scale).
    pub bridge_residual: Option<f64>,
    /// FNV-1a hash of the training file (or data) contents.
    pub input_hash: String,
    pub model: DnnRegressor,
}

/// Predictions of every target: `mean[j][i]`, `std[j][i]` for target `j`, row `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    pub targets: Vec<String>,
    pub mean: Vec<Vec<f64>>,
    pub std: Vec<Vec<f64>>,
}

/// DNN parameters of a table fit: the DNN defaults, except that missing input values are
/// imputed (feature tables have holes by construction: a column a producer could not compute).
pub fn default_params() -> DnnParams {
    DnnParams { impute_missing: true, ..DnnParams::default() }
}

/// [`default_params`] overlaid with the keys of a JSON object (the bindings pass only what the
/// user set).
pub fn params_from_json(json: &str) -> Result<DnnParams> {
    let mut base = serde_json::to_value(default_params())?;
    let given: serde_json::Value = serde_json::from_str(json)?;
    let given = given.as_object().ok_or_else(|| MlError::param("params", json, "must be a JSON object"))?;
    if let Some(b) = base.as_object_mut() {
        for (k, v) in given {
            if !v.is_null() {
                b.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(serde_json::from_value(base)?)
}

/// Check the targets of `spec` against `table` and select the input columns.
pub fn select_inputs(table: &FeatureTable, spec: &MultiTaskSpec) -> Result<Vec<InputColumn>> {
    if spec.targets.is_empty() {
        return Err(MlError::param("targets", "[]", "give at least one target column"));
    }
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    for (i, t) in spec.targets.iter().enumerate() {
        if spec.targets[..i].contains(t) {
            return Err(MlError::param("targets", t, "is given twice"));
        }
        let c = table
            .column(t)
            .ok_or_else(|| MlError::param("target", t, &format!("is not a column of the table (columns: {names:?})")))?;
        if c.floats().is_none() {
            return Err(MlError::param("target", t, &format!("is a text column (scale {}), not numeric", c.scale)));
        }
        let selected = spec.scales.as_ref().map_or(true, |s| s.contains(&c.scale));
        if c.scale.is_feature() && selected && !spec.exclude.contains(t) {
            return Err(MlError::param(
                "target",
                t,
                &format!(
                    "is also an input: its scale is {} (a feature scale); predict it from the other scales (--scales without {}) or exclude it from the inputs (--exclude {t})",
                    c.scale, c.scale
                ),
            ));
        }
    }
    if let Some(s) = spec.scales.as_ref().and_then(|v| v.iter().find(|s| !s.is_feature())) {
        return Err(MlError::param("scales", s, "is not a feature scale (composition, atomistic, mesoscale, continuum, physics)"));
    }
    let inputs: Vec<InputColumn> = table
        .feature_columns(spec.scales.as_deref())
        .into_iter()
        .filter(|c| !spec.targets.contains(&c.name) && !spec.exclude.contains(&c.name))
        .filter(|c| c.floats().is_some_and(|v| v.iter().any(|x| x.is_finite())))
        .map(|c| InputColumn { name: c.name.clone(), scale: c.scale, unit: c.unit.clone() })
        .collect();
    if inputs.is_empty() {
        return Err(MlError::param(
            "scales",
            format!("{:?}", spec.scales),
            "select no numeric feature column with a value (scales composition, atomistic, mesoscale, continuum, physics)",
        ));
    }
    Ok(inputs)
}

/// The input matrix (rows × inputs, NaN kept) of `table`; every input must be present, numeric
/// and in the trained unit.
pub fn design(table: &FeatureTable, inputs: &[InputColumn]) -> Result<Matrix> {
    let n = table.n_rows();
    let cols: Vec<&[f64]> = inputs
        .iter()
        .map(|c| {
            let col = table.column(&c.name).ok_or_else(|| {
                MlError::param("column", &c.name, &format!("(scale {}, unit {}) is an input of the model but missing from the table", c.scale, c.unit))
            })?;
            if col.unit != c.unit {
                return Err(MlError::param(
                    "column",
                    &c.name,
                    &format!("has unit {:?} in the table but the model was trained with {:?}", col.unit, c.unit),
                ));
            }
            col.floats().ok_or_else(|| MlError::param("column", &c.name, "is a text column, not numeric"))
        })
        .collect::<Result<_>>()?;
    let mut data = Vec::with_capacity(n * cols.len());
    for i in 0..n {
        data.extend(cols.iter().map(|c| c[i]));
    }
    Matrix::new(n, cols.len(), data)
}

/// The target matrix (rows × targets, NaN = missing) and the rows with at least one target.
pub fn target_matrix(table: &FeatureTable, targets: &[String]) -> Result<(Matrix, Vec<usize>)> {
    let cols: Vec<&[f64]> = targets.iter().map(|t| table.floats(t).map_err(|e| MlError::param("target", t, &e.to_string()))).collect::<Result<_>>()?;
    for (t, c) in targets.iter().zip(&cols) {
        if let Some(i) = c.iter().position(|v| v.is_infinite()) {
            return Err(MlError::NonFinite { what: format!("target {t}"), index: i });
        }
    }
    let n = table.n_rows();
    let mut data = Vec::with_capacity(n * cols.len());
    for i in 0..n {
        data.extend(cols.iter().map(|c| c[i]));
    }
    let keep = (0..n).filter(|&i| cols.iter().any(|c| c[i].is_finite())).collect();
    Ok((Matrix::new(n, cols.len(), data)?, keep))
}

impl MultiTaskModel {
    /// Fit one shared network on every target of `spec` (rows × targets with NaN masks).
    pub fn fit(table: &FeatureTable, spec: &MultiTaskSpec, params: &DnnParams, input_hash: &str) -> Result<MultiTaskModel> {
        let inputs = select_inputs(table, spec)?;
        let (y_all, keep) = target_matrix(table, &spec.targets)?;
        let x = design(table, &inputs)?.select_rows(&keep);
        let y = y_all.select_rows(&keep);
        for (j, t) in spec.targets.iter().enumerate() {
            if (0..y.n_rows).all(|i| y.get(i, j).is_nan()) {
                return Err(MlError::NotEnoughData { what: format!("values of target {t}"), needed: 1, have: 0 });
            }
        }
        let cols: Vec<(String, Scale)> = inputs.iter().map(|c| (c.name.clone(), c.scale)).collect();
        let n_scales = {
            let mut s: Vec<Scale> = cols.iter().map(|c| c.1).collect();
            s.sort();
            s.dedup();
            s.len()
        };
        if params.bridge_weight > 0.0 && n_scales < 2 {
            return Err(MlError::param(
                "bridge_weight",
                params.bridge_weight,
                &format!("needs inputs of at least two feature scales (the bridge residual compares the scales' latent views); the inputs are all of scale {}", cols[0].1),
            ));
        }
        let p = DnnParams {
            feature_names: Some(cols.iter().map(|c| c.0.clone()).collect()),
            groups: Some(groups_from_scales(&cols)),
            ..params.clone()
        };
        let model = DnnRegressor::fit_multi(&x, &y, &p)?;
        let (mu, sd) = model.predict_multi(&x)?;
        let k = spec.targets.len();
        let targets = spec
            .targets
            .iter()
            .enumerate()
            .map(|(j, t)| {
                let rows: Vec<usize> = (0..y.n_rows).filter(|&i| y.get(i, j).is_finite()).collect();
                let pick = |v: &[f64]| rows.iter().map(|&i| v[i * k + j]).collect::<Vec<f64>>();
                let yt: Vec<f64> = rows.iter().map(|&i| y.get(i, j)).collect();
                let unit = table.column(t).map_or_else(|| "1".to_string(), |c| c.unit.clone());
                TargetInfo { name: t.clone(), unit, n_train: rows.len(), train_metrics: Metrics::compute(&yt, &pick(&mu), Some(&pick(&sd))) }
            })
            .collect();
        let bridge_residual = model.bridge_residual(&x)?;
        Ok(MultiTaskModel {
            kind: KIND.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            targets,
            inputs,
            n_train: keep.len(),
            n_dropped: table.n_rows() - keep.len(),
            bridge_residual,
            input_hash: input_hash.to_string(),
            model,
        })
    }

    pub fn target_names(&self) -> Vec<String> {
        self.targets.iter().map(|t| t.name.clone()).collect()
    }

    /// Mean and calibrated σ of every target for every row of `table` (σ NaN for one member).
    pub fn predict(&self, table: &FeatureTable) -> Result<Predictions> {
        let x = design(table, &self.inputs)?;
        let (mu, sd) = self.model.predict_multi(&x)?;
        let k = self.targets.len();
        let split = |v: &[f64]| -> Vec<Vec<f64>> { (0..k).map(|j| (0..x.n_rows).map(|i| v[i * k + j]).collect()).collect() };
        Ok(Predictions { targets: self.target_names(), mean: split(&mu), std: split(&sd) })
    }

    /// Bridge residual of the fitted net on the rows of `table` (`None`: inputs of one scale).
    pub fn bridge_residual(&self, table: &FeatureTable) -> Result<Option<f64>> {
        self.model.bridge_residual(&design(table, &self.inputs)?)
    }

    /// Write `dir/multitask.json` (through a temporary file: never half-written).
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| MlError::io(dir, e))?;
        let p = dir.join(MULTITASK_FILE);
        let tmp = dir.join(format!("{MULTITASK_FILE}.partial"));
        {
            let f = std::fs::File::create(&tmp).map_err(|e| MlError::io(&tmp, e))?;
            let mut w = std::io::BufWriter::new(f);
            serde_json::to_writer(&mut w, self)?;
            std::io::Write::flush(&mut w).map_err(|e| MlError::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, &p).map_err(|e| MlError::io(&p, e))
    }

    /// Read a model written by [`MultiTaskModel::save`] (a directory or the file itself).
    pub fn load(path: &Path) -> Result<MultiTaskModel> {
        let p = if path.is_dir() { path.join(MULTITASK_FILE) } else { path.to_path_buf() };
        let f = std::fs::File::open(&p).map_err(|e| MlError::io(&p, e))?;
        let m: MultiTaskModel = serde_json::from_reader(std::io::BufReader::new(f))?;
        if m.kind != KIND {
            return Err(MlError::param("kind", &m.kind, &format!("{} is not a multi-task model file (kind {KIND})", p.display())));
        }
        if m.inputs.len() != m.model.n_features || m.targets.len() != m.model.n_targets() {
            return Err(MlError::ShapeMismatch {
                what: format!("model file {}", p.display()),
                expected: format!("{} inputs, {} targets", m.model.n_features, m.model.n_targets()),
                got: format!("{} inputs, {} targets", m.inputs.len(), m.targets.len()),
            });
        }
        Ok(m)
    }

    /// Whether `dir` holds a multi-task model.
    pub fn is_multitask_dir(dir: &Path) -> bool {
        dir.join(MULTITASK_FILE).is_file()
    }
}

#[cfg(test)]
mod tests;

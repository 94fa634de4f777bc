//! Model kinds, fitted models and trained-model files (model + preprocessing, serde JSON).

use crate::data::{Matrix, Preprocessor};
#[cfg(feature = "dnn")]
use crate::dnn::{DnnParams, DnnRegressor};
use crate::error::{MlError, Result};
use crate::eval::{Metrics, Regressor};
use crate::gbm::{GbmParams, GbmRegressor};
use crate::gp::{GpParams, GpRegressor};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which model to fit, with its hyperparameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ModelKind {
    Gbm(GbmParams),
    Gp(GpParams),
    #[cfg(feature = "dnn")]
    Dnn(DnnParams),
}

impl ModelKind {
    pub fn fit(&self, x: &Matrix, y: &[f64]) -> Result<Model> {
        self.fit_with_progress(x, y, &|_, _| {})
    }
    pub fn fit_with_progress(
        &self,
        x: &Matrix,
        y: &[f64],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Model> {
        match self {
            ModelKind::Gbm(p) => Ok(Model::Gbm(GbmRegressor::fit_with_progress(x, y, p, progress)?)),
            ModelKind::Gp(p) => Ok(Model::Gp(GpRegressor::fit(x, y, p)?)),
            #[cfg(feature = "dnn")]
            ModelKind::Dnn(p) => Ok(Model::Dnn(Box::new(DnnRegressor::fit(x, y, p)?))),
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            ModelKind::Gbm(_) => "gbm",
            ModelKind::Gp(_) => "gp",
            #[cfg(feature = "dnn")]
            ModelKind::Dnn(_) => "dnn",
        }
    }
    /// Same kind with another seed (for repeated CV and ensembles).
    pub fn with_seed(&self, seed: u64) -> ModelKind {
        match self {
            ModelKind::Gbm(p) => ModelKind::Gbm(GbmParams { seed, ..p.clone() }),
            ModelKind::Gp(p) => ModelKind::Gp(GpParams { seed, ..p.clone() }),
            #[cfg(feature = "dnn")]
            ModelKind::Dnn(p) => ModelKind::Dnn(DnnParams { seed, ..p.clone() }),
        }
    }
    /// Tell the model the names of the feature columns (the DNN groups columns into scale
    /// tokens by name; the other models ignore names).
    pub fn with_feature_names(self, names: &[String]) -> ModelKind {
        match self {
            #[cfg(feature = "dnn")]
            ModelKind::Dnn(p) => ModelKind::Dnn(DnnParams { feature_names: Some(names.to_vec()), ..p }),
            other => {
                let _ = names;
                other
            }
        }
    }
}

impl ModelKind {
    /// Token groups from the scales of the feature columns (the `scale` metadata of a feature
    /// table, no name convention): the DNN gets one token group per scale, named after it
    /// (physics columns use the DNN's `Other` scale embedding); groups wider than
    /// `max_token_width` are cut into consecutive tokens of that scale. Other models ignore it.
    pub fn with_column_scales(self, columns: &[(String, scalebridge_features::Scale)]) -> ModelKind {
        match self {
            #[cfg(feature = "dnn")]
            ModelKind::Dnn(p) => {
                let groups = crate::dnn::tokens::groups_from_scales(columns);
                ModelKind::Dnn(DnnParams { groups: Some(groups), ..p })
            }
            other => {
                let _ = columns;
                other
            }
        }
    }
}

/// A fitted model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Model {
    Gbm(GbmRegressor),
    Gp(GpRegressor),
    #[cfg(feature = "dnn")]
    Dnn(Box<DnnRegressor>),
}

impl Model {
    pub fn predict_with_std(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
        match self {
            Model::Gbm(m) => m.predict_with_std(x),
            Model::Gp(m) => m.predict_with_std(x),
            #[cfg(feature = "dnn")]
            Model::Dnn(m) => m.predict_with_std(x),
        }
    }
    /// Validate a deserialised model so that a corrupted file gives an error, not a panic.
    pub fn check(&self) -> Result<()> {
        match self {
            Model::Gbm(m) => m.check_structure(),
            // shapes and weights are checked when the model is deserialised
            #[cfg(feature = "dnn")]
            Model::Dnn(_) => Ok(()),
            Model::Gp(m) => {
                let n = m.x_train.n_rows;
                let d = m.n_features;
                if m.x_train.n_cols != d
                    || m.x_train.data.len() != n * d
                    || m.alpha.len() != n
                    || m.x_mean.len() != d
                    || m.x_scale.len() != d
                    || m.x_median.len() != d
                {
                    return Err(MlError::ShapeMismatch {
                        what: "GP model arrays".into(),
                        expected: format!("{n} training rows x {d} features"),
                        got: format!(
                            "x_train {}x{} ({} values), alpha {}",
                            m.x_train.n_rows,
                            m.x_train.n_cols,
                            m.x_train.data.len(),
                            m.alpha.len()
                        ),
                    });
                }
                Ok(())
            }
        }
    }

    /// Mean prediction only (skips the σ models).
    pub fn predict(&self, x: &Matrix) -> Result<Vec<f64>> {
        match self {
            Model::Gbm(m) => m.predict(x),
            Model::Gp(m) => m.predict_with_std(x).map(|r| r.0),
            #[cfg(feature = "dnn")]
            Model::Dnn(m) => m.predict(x),
        }
    }
    pub fn n_features(&self) -> usize {
        match self {
            Model::Gbm(m) => m.n_features,
            Model::Gp(m) => m.n_features,
            #[cfg(feature = "dnn")]
            Model::Dnn(m) => m.n_features,
        }
    }
}

/// An unfitted kind plus (after `fit`) the model: the `Regressor` used by CV and active learning.
#[derive(Debug, Clone)]
pub struct Estimator {
    pub kind: ModelKind,
    pub fitted: Option<Model>,
}

impl Estimator {
    pub fn new(kind: ModelKind) -> Self {
        Estimator { kind, fitted: None }
    }
}

impl Regressor for Estimator {
    fn fit(&mut self, x: &Matrix, y: &[f64]) -> Result<()> {
        self.fitted = Some(self.kind.fit(x, y)?);
        Ok(())
    }
    fn predict_with_std(&self, x: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
        match &self.fitted {
            Some(m) => m.predict_with_std(x),
            None => Err(MlError::param("model", "unfitted", "call fit before predict")),
        }
    }
}

/// Everything needed to predict from a CSV file: preprocessing + model + provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainedModel {
    pub version: String,
    pub target: String,
    pub preprocessor: Preprocessor,
    pub model: Model,
    pub n_train: usize,
    pub n_skipped: usize,
    /// Metrics on the training rows (optimistic; for sanity only).
    pub train_metrics: Metrics,
    /// FNV-1a hash of the training file contents.
    pub input_hash: String,
}

pub const MODEL_FILE: &str = "model.json";

impl TrainedModel {
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| MlError::io(dir, e))?;
        let p = dir.join(MODEL_FILE);
        let f = std::fs::File::create(&p).map_err(|e| MlError::io(&p, e))?;
        serde_json::to_writer(std::io::BufWriter::new(f), self)?;
        Ok(())
    }
    pub fn load(dir: &Path) -> Result<TrainedModel> {
        let p = if dir.is_dir() {
            dir.join(MODEL_FILE)
        } else {
            dir.to_path_buf()
        };
        let f = std::fs::File::open(&p).map_err(|e| MlError::io(&p, e))?;
        let tm: TrainedModel = serde_json::from_reader(std::io::BufReader::new(f))?;
        tm.model.check()?;
        if tm.preprocessor.feature_names.len() != tm.model.n_features() {
            return Err(MlError::ShapeMismatch {
                what: format!("model file {}", p.display()),
                expected: tm.model.n_features().to_string(),
                got: tm.preprocessor.feature_names.len().to_string(),
            });
        }
        Ok(tm)
    }
}

/// 64-bit FNV-1a hash, hex (provenance of training inputs).
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Build a model kind from its name (`gbm`, `gp`, `dnn`) for a table featurised from a CSV (the
/// CLI's `train`/`evaluate`): default hyperparameters, except that the DNN imputes missing
/// features, since composition features of such tables are NaN by construction for some
/// formulas (the GBM routes NaN itself; a caller's own feature matrix keeps
/// `DnnParams::default()`, where NaN is an error unless `impute_missing` is set).
pub fn kind_from_name(name: &str, seed: u64) -> Result<ModelKind> {
    match name.to_ascii_lowercase().as_str() {
        "gbm" => Ok(ModelKind::Gbm(GbmParams {
            seed,
            ..GbmParams::default()
        })),
        "gp" => Ok(ModelKind::Gp(GpParams {
            seed,
            ..GpParams::default()
        })),
        #[cfg(feature = "dnn")]
        "dnn" => Ok(ModelKind::Dnn(DnnParams {
            seed,
            impute_missing: true,
            ..DnnParams::default()
        })),
        #[cfg(not(feature = "dnn"))]
        "dnn" => Err(MlError::param(
            "model",
            name,
            "the scale-fusion DNN is not available in this build (rebuild with the cargo feature `dnn`; use gbm or gp)",
        )),
        _ => Err(MlError::param("model", name, "expected gbm, gp or dnn")),
    }
}

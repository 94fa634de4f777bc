//! scalebridge-ml: composition featurisation, gradient boosting, Gaussian processes, evaluation
//! and active learning for materials-property surrogates.

pub mod active;
pub mod active_options;
pub mod data;
#[cfg(feature = "dnn")]
pub mod dnn;
pub mod elements;
pub mod error;
pub mod eval;
pub mod featurize;
pub mod formula;
pub mod gbm;
pub mod gp;
pub mod model;
#[cfg(feature = "dnn")]
pub mod multitask;
pub mod plot;
pub mod tagged;

#[cfg(feature = "dnn")]
pub use dnn::{DnnParams, DnnRegressor};
pub use data::{Matrix, Preprocessor, Skipped, Table};
pub use error::{MlError, Result};
pub use featurize::Featurizer;
pub use formula::{parse_formula, Composition};
pub use gbm::{GbmParams, GbmRegressor};
pub use gp::{GpParams, GpRegressor, Kernel};
pub use model::{Model, ModelKind, TrainedModel};

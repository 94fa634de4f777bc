//! Errors of the benchmark: bad benchmark/design files, pipeline or store failures, I/O.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EvaluationError {
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("results store: {0}")]
    Storage(String),
    #[error(transparent)]
    Pipeline(#[from] scalebridge_pipeline::PipelineError),
    #[error(transparent)]
    Features(#[from] scalebridge_features::FeatureError),
    #[error(transparent)]
    Ml(#[from] scalebridge_ml::MlError),
}

pub type Result<T> = std::result::Result<T, EvaluationError>;

pub fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> EvaluationError {
    EvaluationError::InvalidParameter { name: name.into(), value: value.to_string(), reason: reason.into() }
}

pub fn io(path: &std::path::Path, source: std::io::Error) -> EvaluationError {
    EvaluationError::Io { path: path.display().to_string(), source }
}

pub fn storage(e: impl std::fmt::Display) -> EvaluationError {
    EvaluationError::Storage(e.to_string())
}

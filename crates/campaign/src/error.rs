//! Errors of the campaign crate.

use thiserror::Error;

/// Everything that can go wrong in `scalebridge-campaign`.
#[derive(Debug, Error)]
pub enum CampaignError {
    /// The campaign file is malformed: unknown key, wrong type or impossible value. Names the key
    /// and the (1-based) line of the TOML text.
    #[error("{path}, line {line}: key `{key}`: {msg}")]
    Parse { path: String, line: usize, key: String, msg: String },
    /// A scalar or option has an impossible value (outside a campaign file).
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    /// A file could not be read or written.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The results database failed (unreachable, read-only, full disk, ...).
    #[error("storage error: {0}")]
    Storage(String),
    /// A candidate's material description was rejected by the pipeline.
    #[error(transparent)]
    Pipeline(#[from] scalebridge_pipeline::PipelineError),
    /// The surrogate model failed.
    #[error(transparent)]
    Ml(#[from] scalebridge_ml::MlError),
    /// The run was interrupted (SIGINT); what finished is stored.
    #[error("interrupted: {0}")]
    Interrupted(String),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, CampaignError>;

pub(crate) fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> CampaignError {
    CampaignError::InvalidParameter { name: name.to_string(), value: value.to_string(), reason: reason.to_string() }
}

pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> CampaignError {
    CampaignError::Io { path: path.display().to_string(), source }
}

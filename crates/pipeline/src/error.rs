//! Errors of the pipeline.

use thiserror::Error;

/// Everything that can go wrong in `scalebridge-pipeline`.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// The material description is malformed: unknown key, wrong type or impossible value. Names
    /// the key and the (1-based) line of the TOML text.
    #[error("{path}, line {line}: key `{key}`: {msg}")]
    Parse { path: String, line: usize, key: String, msg: String },
    /// A scalar or option has an impossible value (outside a description file).
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    /// A file could not be read or written.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An error of the MD engine or a protocol (interruptions included).
    #[error(transparent)]
    Md(#[from] scalebridge_md::error::Error),
    /// An error of the continuum engine.
    #[error(transparent)]
    Continuum(#[from] scalebridge_continuum::ContinuumError),
    /// An error of the shared core (stage store, Voigt toolbox).
    #[error(transparent)]
    Core(#[from] scalebridge_core::Error),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, PipelineError>;

pub(crate) fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> PipelineError {
    PipelineError::InvalidParameter { name: name.to_string(), value: value.to_string(), reason: reason.to_string() }
}

pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> PipelineError {
    PipelineError::Io { path: path.display().to_string(), source }
}

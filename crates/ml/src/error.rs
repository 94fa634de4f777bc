//! Errors of the ML layer. Every variant names the problem and the offending value.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum MlError {
    /// A chemical formula could not be parsed.
    #[error("cannot parse formula {formula:?} at character {position}: {reason}")]
    FormulaParse {
        formula: String,
        position: usize,
        reason: String,
    },
    /// A symbol that is not in the element table.
    #[error("unknown element {symbol:?} in formula {formula:?}")]
    UnknownElement { symbol: String, formula: String },
    /// A parameter outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        name: String,
        value: String,
        reason: String,
    },
    /// A NaN or infinite value where a finite one is needed.
    #[error("non-finite value in {what} at index {index}")]
    NonFinite { what: String, index: usize },
    /// Arrays whose shapes do not agree.
    #[error("shape mismatch for {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        what: String,
        expected: String,
        got: String,
    },
    /// Not enough data to do what was asked.
    #[error("not enough data for {what}: need at least {needed}, have {have}")]
    NotEnoughData {
        what: String,
        needed: usize,
        have: usize,
    },
    /// A numerical procedure failed (e.g. a covariance matrix that is not positive definite).
    #[error("numerical failure in {what}: {reason}")]
    Numerical { what: String, reason: String },
    /// A problem in a data file (CSV) at a given line.
    #[error("{path}: line {line}: {msg}")]
    Parse {
        path: String,
        line: usize,
        msg: String,
    },
    /// A model file that cannot be read or written as JSON.
    #[error("model serialisation: {0}")]
    Serde(#[from] serde_json::Error),
    /// File-system errors.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, MlError>;

impl MlError {
    pub(crate) fn param(name: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        MlError::InvalidParameter {
            name: name.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }
    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        MlError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

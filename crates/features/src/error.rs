//! Errors of the feature table.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    /// Two columns of different units placed in one normalisation group.
    #[error("unit mismatch in group {group:?}: column {column:?} is in {unit:?} but column {other_column:?} of the same group is in {other_unit:?}")]
    UnitMismatch { group: String, column: String, unit: String, other_column: String, other_unit: String },
    /// A column without a unit (use "1" for dimensionless).
    #[error("column {column:?} has no unit (use \"1\" for a dimensionless quantity)")]
    MissingUnit { column: String },
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    #[error("{what}: expected {expected}, got {got}")]
    ShapeMismatch { what: String, expected: String, got: String },
    #[error("I/O error on {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("Parquet/Arrow error on {path}: {msg}")]
    Format { path: String, msg: String },
    /// A record of an imported property file that does not have the documented shape.
    #[error("{database} file {file}: record {record}: field {field:?}: {reason}")]
    Malformed { database: String, file: String, record: String, field: String, reason: String },
}

pub type Result<T> = std::result::Result<T, FeatureError>;

impl FeatureError {
    pub fn param(name: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        FeatureError::InvalidParameter { name: name.into(), value: value.to_string(), reason: reason.into() }
    }
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        FeatureError::Io { path: path.display().to_string(), source }
    }
    pub fn format(path: &Path, msg: impl std::fmt::Display) -> Self {
        FeatureError::Format { path: path.display().to_string(), msg: msg.to_string() }
    }
}

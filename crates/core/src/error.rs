//! Errors of the shared core. Each variant names the problem and the offending value.

use thiserror::Error;

/// Everything that can go wrong in `scalebridge-core`.
#[derive(Debug, Error)]
pub enum Error {
    /// A parameter outside its physical or numerical range.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    /// NaN or infinity in an input array.
    #[error("non-finite {what} at index {index}")]
    NonFinite { what: String, index: usize },
    /// A matrix that has no inverse (a stiffness without a compliance, ...).
    #[error("{what} is singular: {reason}")]
    Singular { what: String, reason: String },
    /// A long calculation stopped by its caller (Ctrl-C, a progress callback) after `done`
    /// units of work; finished stages are kept.
    #[error("{what} interrupted after {done} units of work")]
    Interrupted { what: String, done: u64 },
    /// A value that could not be serialised or a stored record that could not be read back.
    #[error("cannot (de)serialise {what}: {reason}")]
    Serialization { what: String, reason: String },
    /// Input/output failure with the path involved.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Result alias of the core crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        Error::InvalidParameter { name: name.to_string(), value: value.to_string(), reason: reason.to_string() }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io { path: path.display().to_string(), source }
    }
}

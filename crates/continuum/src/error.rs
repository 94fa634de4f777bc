//! Errors of the continuum engine.

use thiserror::Error;

/// Everything that can go wrong in `scalebridge-continuum`.
#[derive(Debug, Error)]
pub enum ContinuumError {
    /// A scalar or option has an impossible value.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    /// A phase's material data are not physical (negative modulus, not positive definite, NaN).
    #[error("invalid material for phase {phase}: {reason}")]
    InvalidMaterial { phase: usize, reason: String },
    /// The phase table is empty.
    #[error("the phase table is empty: at least one phase (the matrix) is needed")]
    EmptyPhaseTable,
    /// The grid is malformed (zero size, wrong number of voxels, phase index out of range).
    #[error("invalid grid: {reason}")]
    InvalidGrid { reason: String },
    /// No voxel carries load (every voxel is a void, or no matrix phase is left).
    #[error("the grid has no load-bearing matrix phase: {reason}")]
    NoMatrixPhase { reason: String },
    /// An iterative solver stopped before reaching its tolerance.
    #[error("{solver} did not converge: residual {residual:.3e} after {iters} iterations (tolerance {tol:.1e})")]
    NotConverged { solver: String, iters: usize, residual: f64, tol: f64 },
    /// A NaN or infinity appeared.
    #[error("non-finite value in {what} at index {index}")]
    NonFinite { what: String, index: usize },
    /// A file could not be parsed.
    #[error("cannot parse {path} (line {line}): {msg}")]
    Parse { path: String, line: usize, msg: String },
    /// A file could not be read or written.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An error of the shared core (Voigt toolbox, provenance, statistics).
    #[error(transparent)]
    Core(#[from] scalebridge_core::Error),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, ContinuumError>;

pub(crate) fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> ContinuumError {
    ContinuumError::InvalidParameter { name: name.to_string(), value: value.to_string(), reason: reason.to_string() }
}

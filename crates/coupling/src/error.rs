//! Errors of the coupling crate.

use thiserror::Error;

/// Everything that can go wrong in `scalebridge-coupling`.
#[derive(Debug, Error)]
pub enum CouplingError {
    /// A scalar or option has an impossible value.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    /// A NaN or infinity appeared (the run became unstable).
    #[error("non-finite value in {what} at step {step}")]
    NonFinite { what: String, step: usize },
    /// An iterative solver stopped before reaching its tolerance.
    #[error("{solver} did not converge: residual {residual:.3e} after {iters} iterations (tolerance {tol:.1e})")]
    NotConverged { solver: String, iters: usize, residual: f64, tol: f64 },
    /// A requested case or method exists in the interface but is not implemented yet.
    #[error("not implemented yet: {what}")]
    NotImplemented { what: String },
    /// An error of the MD engine.
    #[error(transparent)]
    Md(#[from] scalebridge_md::error::Error),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, CouplingError>;

pub(crate) fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> CouplingError {
    CouplingError::InvalidParameter { name: name.to_string(), value: value.to_string(), reason: reason.to_string() }
}

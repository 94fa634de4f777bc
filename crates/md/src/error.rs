//! Errors of the MD engine. Each variant names the problem and the offending value.

use thiserror::Error;

/// Everything that can go wrong in `scalebridge-md`.
#[derive(Debug, Error)]
pub enum Error {
    /// A parameter outside its physical or numerical range.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    /// A species present in the structure that the potential does not describe.
    #[error("unknown species '{species}' for {potential} (known: {known})")]
    UnknownSpecies { species: String, potential: String, known: String },
    /// NaN or infinity in an input array.
    #[error("non-finite {what} at index {index}")]
    NonFinite { what: String, index: usize },
    /// Two atoms closer than the potential allows.
    #[error("atoms {i} and {j} overlap: r = {r:.4} Å < {min:.4} Å")]
    Overlap { i: usize, j: usize, r: f64, min: f64 },
    /// A degenerate (zero-volume or left-handed) cell.
    #[error("degenerate cell: volume {volume:.3e} Å^3 ({reason})")]
    DegenerateCell { volume: f64, reason: String },
    /// Shapes of input arrays that do not agree.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// Malformed input file.
    #[error("{path}:{line}: {msg}")]
    Parse { path: String, line: usize, msg: String },
    /// An iterative method that did not converge.
    #[error("{what} did not converge after {iters} iterations (residual {residual:.3e})")]
    NotConverged { what: String, iters: usize, residual: f64 },
    /// A long calculation stopped by its caller (Ctrl-C, a progress callback); finished stages
    /// are kept and a rerun with the same inputs resumes from them.
    #[error("{what} interrupted after {done} units of work")]
    Interrupted { what: String, done: u64 },
    /// Input/output failure with the path involved.
    #[error("{path}: {source}")]
    Io { path: String, #[source] source: std::io::Error },
    /// An error of the shared core (statistics, provenance, stage store, Voigt toolbox).
    #[error(transparent)]
    Core(#[from] scalebridge_core::Error),
}

/// Result alias of the MD crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        Error::InvalidParameter { name: name.to_string(), value: value.to_string(), reason: reason.to_string() }
    }
}

//! One bridge from engine errors to Python exceptions (exhaustive: a new variant must be mapped
//! before this compiles).

use crate::guard::{CalculationFailed, InputError, StorageError};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyPermissionError};
use pyo3::PyErr;
use scalebridge_core::Error as CoreError;
use scalebridge_md::error::Error as MdError;

/// Newtype so that `?` converts engine errors into Python exceptions.
pub struct PyMdErr(pub MdError);

impl From<MdError> for PyMdErr {
    fn from(e: MdError) -> Self {
        PyMdErr(e)
    }
}

impl From<PyMdErr> for PyErr {
    fn from(e: PyMdErr) -> PyErr {
        let msg = e.0.to_string();
        match e.0 {
            MdError::InvalidParameter { .. }
            | MdError::UnknownSpecies { .. }
            | MdError::NonFinite { .. }
            | MdError::Overlap { .. }
            | MdError::DegenerateCell { .. }
            | MdError::Shape(_)
            | MdError::Parse { .. } => InputError::new_err(msg),
            MdError::NotConverged { .. } => CalculationFailed::new_err(msg),
            MdError::Interrupted { .. } => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
            MdError::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
                std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
                _ => PyOSError::new_err(msg),
            },
            MdError::Core(e) => core_err(e),
        }
    }
}

/// Convert an engine result.
pub fn md<T>(r: Result<T, MdError>) -> Result<T, PyErr> {
    r.map_err(|e| PyMdErr(e).into())
}

/// Exhaustive mapping of the shared core's errors (used by every crate that wraps them).
pub fn core_err(e: CoreError) -> PyErr {
    let msg = e.to_string();
    match e {
        CoreError::InvalidParameter { .. } | CoreError::NonFinite { .. } | CoreError::Singular { .. } => InputError::new_err(msg),
        CoreError::Interrupted { .. } => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
        CoreError::Serialization { .. } => StorageError::new_err(msg),
        CoreError::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
    }
}

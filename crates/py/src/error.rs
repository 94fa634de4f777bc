//! One bridge from engine errors to Python exceptions (exhaustive: a new variant must be mapped
//! before this compiles).

use crate::guard::{CalculationFailed, InputError};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyPermissionError};
use pyo3::PyErr;
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
        // An exception raised inside a Python callback (an ASE calculator) is raised as itself.
        if let Some(original) = crate::callback::take_pending() {
            return original;
        }
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
        }
    }
}

/// Convert an engine result.
pub fn md<T>(r: Result<T, MdError>) -> Result<T, PyErr> {
    r.map_err(|e| PyMdErr(e).into())
}

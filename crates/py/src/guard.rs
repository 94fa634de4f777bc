//! Boundary helpers: no Rust panic may cross into Python.

use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

pyo3::import_exception!(scalebridge.exceptions, InputError);
pyo3::import_exception!(scalebridge.exceptions, CalculationFailed);
pyo3::import_exception!(scalebridge.exceptions, StorageError);
pyo3::import_exception!(scalebridge.exceptions, ScalebridgeError);

/// Run `f` (typically inside `py.detach`) and turn a panic into `CalculationFailed`.
/// This is the last line of defence; inputs are validated before we get here.
pub fn no_panic<T, F: FnOnce() -> PyResult<T>>(what: &str, f: F) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = if let Some(s) = payload.downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "unknown panic".to_string()
            };
            Err(CalculationFailed::new_err(format!(
                "internal error in {what}: {msg} (please report this as a bug)"
            )))
        }
    }
}

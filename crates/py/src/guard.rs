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

/// Progress towards a Python callable `callback(done, total, stage)`, at most every 0.2 s; also
/// checks Ctrl-C. A callback returning `False`, raising, or a pending KeyboardInterrupt stops the
/// calculation (the exception is restored for the caller).
pub struct PyProgress {
    callback: Option<Py<PyAny>>,
    last: std::time::Instant,
}

impl PyProgress {
    pub fn new(callback: Option<Py<PyAny>>) -> Self {
        PyProgress { callback, last: std::time::Instant::now() }
    }
}

impl scalebridge_core::progress::Progress for PyProgress {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool {
        if self.last.elapsed().as_secs_f64() < 0.2 && done < total {
            return true;
        }
        self.last = std::time::Instant::now();
        Python::attach(|py| {
            if py.check_signals().is_err() {
                return false;
            }
            match &self.callback {
                None => true,
                Some(cb) => match cb.call1(py, (done, total, stage)) {
                    Ok(r) => r.extract::<bool>(py).unwrap_or(true),
                    Err(e) => {
                        e.restore(py);
                        false
                    }
                },
            }
        })
    }
}

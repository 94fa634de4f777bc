//! Bindings of `scalebridge-store` (the results database) and the feature-table importers.
//! Conversions and error mapping only: JSON text crosses the boundary, Python parses it.

use crate::error::IntoPyResult;
use crate::guard::no_panic;
use pyo3::prelude::*;
use scalebridge_store::{Claim, Store};
use std::path::PathBuf;

/// A results store (SQLite file or PostgreSQL database); safe to share between threads.
#[pyclass(name = "Store", module = "scalebridge._scalebridge", frozen)]
pub struct PyStore {
    inner: Store,
}

fn detach<T: Send>(py: Python<'_>, what: &str, f: impl FnOnce() -> PyResult<T> + Send) -> PyResult<T> {
    py.detach(|| no_panic(what, f))
}

#[pymethods]
impl PyStore {
    #[new]
    fn new(py: Python<'_>, url: String) -> PyResult<Self> {
        let inner = detach(py, "store open", || Store::open(&url).py())?;
        Ok(PyStore { inner })
    }

    /// The URL without password.
    #[getter]
    fn url(&self) -> String {
        self.inner.url()
    }

    /// Lease of new claims, seconds.
    fn set_lease(&self, seconds: f64) -> PyResult<()> {
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(crate::guard::InputError::new_err(format!("lease seconds = {seconds}: must be a finite number >= 0")));
        }
        self.inner.set_lease(std::time::Duration::from_secs_f64(seconds));
        Ok(())
    }

    /// `("new", None)`, `("running", None)` or `("done", result_json)`.
    fn claim(&self, py: Python<'_>, campaign: String, task_hash: String, candidate_json: String, worker: String) -> PyResult<(String, Option<String>)> {
        let c = detach(py, "store claim", || self.inner.claim(&campaign, &task_hash, &candidate_json, &worker).py())?;
        Ok(match c {
            Claim::New => ("new".into(), None),
            Claim::Running => ("running".into(), None),
            Claim::Done(r) => ("done".into(), Some(r)),
        })
    }

    /// Register `(task_hash, candidate_json)` pairs as pending; returns how many were new.
    fn add_pending(&self, py: Python<'_>, campaign: String, tasks: Vec<(String, String)>) -> PyResult<usize> {
        detach(py, "store add_pending", || self.inner.add_pending(&campaign, &tasks).py())
    }

    fn renew(&self, py: Python<'_>, campaign: String, task_hash: String, worker: String) -> PyResult<bool> {
        detach(py, "store renew", || self.inner.renew(&campaign, &task_hash, &worker).py())
    }

    fn put_result(&self, py: Python<'_>, campaign: String, task_hash: String, result_json: String) -> PyResult<bool> {
        detach(py, "store put_result", || self.inner.put_result(&campaign, &task_hash, &result_json).py())
    }

    fn mark_failed(&self, py: Python<'_>, campaign: String, task_hash: String, error: String) -> PyResult<()> {
        detach(py, "store mark_failed", || self.inner.mark_failed(&campaign, &task_hash, &error).py())
    }

    fn result(&self, py: Python<'_>, campaign: String, task_hash: String) -> PyResult<Option<String>> {
        detach(py, "store result", || self.inner.result(&campaign, &task_hash).py())
    }

    /// Every task of a campaign, as JSON (a list of task rows).
    fn tasks_json(&self, py: Python<'_>, campaign: String) -> PyResult<String> {
        let rows = detach(py, "store tasks", || self.inner.tasks(&campaign).py())?;
        serde_json::to_string(&rows).map_err(|e| crate::guard::CalculationFailed::new_err(e.to_string()))
    }

    /// Task counts as JSON (`done`, `failed`, `pending`, `running`, `duplicates`).
    fn counts_json(&self, py: Python<'_>, campaign: String) -> PyResult<String> {
        let c = detach(py, "store counts", || self.inner.counts(&campaign).py())?;
        serde_json::to_string(&c).map_err(|e| crate::guard::CalculationFailed::new_err(e.to_string()))
    }

    fn campaigns(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        detach(py, "store campaigns", || self.inner.campaigns().py())
    }

    fn put_campaign(&self, py: Python<'_>, name: String, json: String) -> PyResult<()> {
        detach(py, "store put_campaign", || self.inner.put_campaign(&name, &json).py())
    }

    fn campaign(&self, py: Python<'_>, name: String) -> PyResult<Option<String>> {
        detach(py, "store campaign", || self.inner.campaign(&name).py())
    }

    /// `(stage, json)` pairs of a task's stored stages.
    fn stages(&self, py: Python<'_>, task_hash: String) -> PyResult<Vec<(String, String)>> {
        detach(py, "store stages", || self.inner.stages(&task_hash).py())
    }

    fn put_blob(&self, py: Python<'_>, data: Vec<u8>) -> PyResult<String> {
        detach(py, "store put_blob", || self.inner.put_blob(&data).py())
    }

    fn blob_path(&self, py: Python<'_>, hash: String) -> PyResult<PathBuf> {
        detach(py, "store blob_path", || self.inner.blob_path(&hash).py())
    }

    /// The campaign's finished results as a feature table, JSON (`{"columns": [...]}`).
    fn results_table_json(&self, py: Python<'_>, campaign: String) -> PyResult<String> {
        let t = detach(py, "store results_table", || self.inner.results_table(&campaign).py())?;
        serde_json::to_string(&t).map_err(|e| crate::guard::CalculationFailed::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!("Store({:?})", self.inner.url())
    }
}

/// A property file of `source` (mp, jarvis, aflow, oqmd, matbench) as a feature table, JSON.
#[pyfunction]
#[pyo3(signature = (source, path, target_unit=None))]
fn import_table_json(py: Python<'_>, source: String, path: PathBuf, target_unit: Option<String>) -> PyResult<String> {
    use scalebridge_features::importers::{import_file, ImportOptions, Source};
    let t = detach(py, "import", || {
        let src = Source::parse(&source).map_err(|e| crate::guard::InputError::new_err(e.to_string()))?;
        import_file(src, &path, &ImportOptions { target_unit }).map_err(|e| match e {
            scalebridge_features::FeatureError::Io { .. } => pyo3::exceptions::PyOSError::new_err(e.to_string()),
            other => crate::guard::InputError::new_err(other.to_string()),
        })
    })?;
    serde_json::to_string(&t).map_err(|e| crate::guard::CalculationFailed::new_err(e.to_string()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStore>()?;
    m.add_function(wrap_pyfunction!(import_table_json, m)?)?;
    Ok(())
}

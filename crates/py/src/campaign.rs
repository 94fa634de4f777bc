//! Bindings of `scalebridge-campaign`: the pure steps a driver needs (next batch, evaluate one
//! candidate), the local run, status and report. The Dask driver lives in
//! `python/scalebridge/campaign.py`; no defaults here (`None` lets Rust decide).

use crate::error::IntoPyResult;
use crate::guard::{no_panic, InputError};
use pyo3::prelude::*;
use scalebridge_campaign as camp;
use serde_json::json;

fn to_json(v: &serde_json::Value) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
}

/// The next batch of candidates of the campaign file `path` (a JSON list of candidates; empty
/// when the budget is spent).
#[pyfunction]
fn campaign_next_batch(py: Python<'_>, path: String) -> PyResult<String> {
    py.detach(|| {
        no_panic("campaign next batch", || {
            let c = camp::load(&path).py()?;
            let store = camp::open_store(&c).py()?;
            let state = camp::State::load(c, store.as_ref()).py()?;
            let batch = state.next_batch().py()?;
            let v: Vec<serde_json::Value> = batch.iter().map(|&i| json!(state.candidates[i])).collect();
            to_json(&json!(v))
        })
    })
}

/// Evaluate one candidate (JSON) of the campaign `path` as `worker`: claim, describe, store.
/// Returns `{"status": "computed"|"stored"|"busy"|"failed", "result"?, "error"?}`.
#[pyfunction]
fn campaign_evaluate(py: Python<'_>, path: String, candidate_json: String, worker: Option<String>) -> PyResult<String> {
    py.detach(|| {
        no_panic("campaign evaluate", || {
            let c = camp::load(&path).py()?;
            let cand: camp::space::Candidate = serde_json::from_str(&candidate_json).map_err(|e| InputError::new_err(format!("candidate: {e}")))?;
            let store = camp::open_store(&c).py()?;
            let log = camp::engine::Log::open(&c, false).py()?;
            let w = worker.unwrap_or_else(camp::engine::worker_name);
            let v = match camp::evaluate(&c, store.as_ref(), &cand, &w, Some(&log)).py()? {
                camp::Outcome::Computed(r) => json!({"status": "computed", "result": r}),
                camp::Outcome::Stored(r) => json!({"status": "stored", "result": r}),
                camp::Outcome::Busy => json!({"status": "busy"}),
                camp::Outcome::Failed(e) => json!({"status": "failed", "error": e}),
            };
            to_json(&v)
        })
    })
}

/// The worker name local runs claim tasks under (a restarted driver reclaims its own tasks).
#[pyfunction]
fn campaign_worker_name() -> String {
    camp::engine::worker_name()
}

/// Run the campaign in this process (threads: 0 = all cores). Returns the run summary JSON.
#[pyfunction]
#[pyo3(signature = (path, threads=None))]
fn campaign_run(py: Python<'_>, path: String, threads: Option<usize>) -> PyResult<String> {
    py.detach(|| {
        no_panic("campaign run", || {
            let c = camp::load(&path).py()?;
            let store = camp::open_store(&c).py()?;
            let s = camp::run_local(&c, store, threads.unwrap_or(0), true, &|_, _, _, _| {}).py()?;
            to_json(&json!(s))
        })
    })
}

/// Copy the campaign file next to its results (a driver calls this once before its first batch).
#[pyfunction]
fn campaign_prepare(py: Python<'_>, path: String) -> PyResult<String> {
    py.detach(|| {
        no_panic("campaign prepare", || {
            let c = camp::load(&path).py()?;
            camp::engine::save_campaign_copy(&c).py()?;
            to_json(&json!({"name": c.name, "budget": c.search.budget, "database": c.output.database, "directory": c.output.directory}))
        })
    })
}

/// The status document of a campaign file or its database / output directory.
#[pyfunction]
#[pyo3(signature = (path, top=None))]
fn campaign_status(py: Python<'_>, path: String, top: Option<usize>) -> PyResult<String> {
    py.detach(|| {
        no_panic("campaign status", || {
            let c = camp::load(&path).py()?;
            let store = camp::open_store(&c).py()?;
            to_json(&camp::status(&c, store.as_ref(), top.unwrap_or(10)).py()?)
        })
    })
}

/// Write the HTML report; returns its path.
#[pyfunction]
fn campaign_report(py: Python<'_>, path: String) -> PyResult<String> {
    py.detach(|| {
        no_panic("campaign report", || {
            let c = camp::load(&path).py()?;
            let store = camp::open_store(&c).py()?;
            Ok(camp::report::write_report(&c, store.as_ref()).py()?.display().to_string())
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(campaign_next_batch, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_worker_name, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_run, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_prepare, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_status, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_report, m)?)?;
    Ok(())
}

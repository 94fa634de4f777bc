//! Bindings of `scalebridge-pipeline`: `describe` of a material description (a TOML file or the
//! same dictionary as JSON). Conversions, progress and error mapping only; defaults live in Rust.

use crate::error::IntoPyResult;
use crate::guard::{no_panic, InputError, PyProgress};
use pyo3::prelude::*;
use scalebridge_pipeline::{describe_json, DescribeOptions, Material};
use std::path::PathBuf;


/// Describe a material: `path` (a TOML file) or `material_json` (the dictionary as JSON, relative
/// files resolved against `base_dir`). Returns the description JSON (a list for a list of
/// temperatures). A stage failure recorded by an earlier run is raised again (same exception,
/// same message) without computing, unless `retry_failed`.
#[pyfunction]
#[pyo3(signature = (path=None, material_json=None, base_dir=None, quick=None, out=None, cache_dir=None, threads=None, progress=None, database=None, retry_failed=None))]
#[allow(clippy::too_many_arguments)]
fn describe(
    py: Python<'_>,
    path: Option<PathBuf>,
    material_json: Option<String>,
    base_dir: Option<PathBuf>,
    quick: Option<bool>,
    out: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
    database: Option<String>,
    retry_failed: Option<bool>,
) -> PyResult<String> {
    let material = match (path, material_json) {
        (Some(p), None) => py.detach(|| Material::from_file(&p)).py()?,
        (None, Some(j)) => {
            let v: serde_json::Value = serde_json::from_str(&j).map_err(|e| InputError::new_err(format!("material dictionary: {e}")))?;
            Material::from_json(&v, &base_dir.unwrap_or_default()).py()?
        }
        _ => return Err(InputError::new_err("give a material description file or a dictionary (one of them)")),
    };
    let mut opts = DescribeOptions { quick: quick.unwrap_or_default(), out, cache_dir, store: None, threads, preset: None, retry_failed: retry_failed.unwrap_or_default(), failures: Default::default() };
    // the stages go into the results database (default: results.db in the cache root), as on the CLI
    let (store, _) = py.detach(|| scalebridge_campaign::store::describe_stages(database.as_deref(), &opts.cache_root())).py()?;
    opts.store = Some(store);
    let mut prog = PyProgress::new(progress);
    py.detach(|| {
        no_panic("describe", || {
            let v = describe_json(&material, &opts, &mut prog).py()?;
            serde_json::to_string(&v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(describe, m)?)?;
    Ok(())
}

//! Bindings of the property protocols. One entry point, `run_protocol`, takes the protocol's
//! options as JSON and returns its typed result as JSON (the Python layer wraps it in
//! `scalebridge.properties.PropertyResult`). Conversions, progress and error mapping only.

use crate::error::md;
use crate::guard::{no_panic, InputError};
use crate::md::{structure_from, PyPotential};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use scalebridge_md::error::Result as MdResult;
use scalebridge_md::potentials::Potential;
use scalebridge_md::properties::report::{Progress, StageCache};
use scalebridge_md::structure::Structure;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// Progress towards a Python callable `callback(done, total, stage)`; also checks Ctrl-C.
/// A callback returning `False` (or a pending KeyboardInterrupt) interrupts the protocol.
struct PyProgress {
    callback: Option<Py<PyAny>>,
    last: std::time::Instant,
}

impl Progress for PyProgress {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool {
        // talk to Python at most every 0.2 s
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

fn parse<T: DeserializeOwned>(protocol: &str, options: &str) -> PyResult<T> {
    serde_json::from_str(options).map_err(|e| InputError::new_err(format!("options of protocol '{protocol}': {e}")))
}

fn json<T: Serialize>(r: MdResult<T>) -> PyResult<String> {
    let v = md(r)?;
    serde_json::to_string(&v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
}

/// Run one protocol. Each arm parses the protocol's options and serialises its result.
fn dispatch(
    protocol: &str,
    s: &Structure,
    pot: Arc<dyn Potential>,
    options: &str,
    cache: &StageCache,
    progress: &mut dyn Progress,
) -> PyResult<String> {
    use scalebridge_md::properties as p;
    match protocol {
        "elastic/static" => json(p::elastic::static_constants(s, pot, &parse(protocol, options)?, cache, progress)),
        "elastic/thermal" => json(p::elastic::thermal_constants(s, pot, &parse(protocol, options)?, cache, progress)),
        other => Err(InputError::new_err(format!(
            "unknown protocol '{other}' (known: elastic/static, elastic/thermal)"
        ))),
    }
}

/// Run the property protocol `protocol` on a structure with `options` (JSON) and return the
/// result as JSON. Finished stages are kept under `cache_dir` so a rerun resumes.
#[pyfunction]
#[pyo3(signature = (protocol, cell, positions, symbols, masses, potential, options, cache_dir=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn run_protocol(
    py: Python<'_>,
    protocol: &str,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    options: &str,
    cache_dir: Option<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let s = structure_from(cell, positions, symbols, masses)?;
    let pot = potential.inner.clone();
    md(pot.check_species(&s.species))?;
    let task = scalebridge_md::properties::report::sha256_hex(format!("{protocol}\n{}\n{}\n{options}", s.hash(), pot.fingerprint()).as_bytes());
    let cache = StageCache::new(cache_dir.map(Into::into), &task);
    let mut prog = PyProgress { callback: progress, last: std::time::Instant::now() };
    let out = py.detach(|| no_panic(protocol, || dispatch(protocol, &s, pot, options, &cache, &mut prog)));
    // a Python exception raised inside the progress callback takes precedence
    if let Some(e) = PyErr::take(py) {
        return Err(e);
    }
    out
}

/// Plot series (JSON list of `Series`) to an SVG file.
#[pyfunction]
fn plot_series(series: &str, path: &str, title: &str) -> PyResult<()> {
    let s: Vec<scalebridge_md::properties::report::Series> =
        serde_json::from_str(series).map_err(|e| InputError::new_err(format!("series: {e}")))?;
    no_panic("plot_series", || md(scalebridge_md::properties::plot::plot_series(&s, std::path::Path::new(path), title)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_protocol, m)?)?;
    m.add_function(wrap_pyfunction!(plot_series, m)?)?;
    Ok(())
}

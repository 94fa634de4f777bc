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
        p::melting::PROTOCOL | "melting" => {
            let opts = parse::<p::melting::MeltingOptions>(protocol, options)?;
            json(p::melting::melting_temperature(s, pot, &opts, cache, progress))
        }
        other => Err(InputError::new_err(format!("unknown protocol '{other}' (known: {})", p::melting::PROTOCOL))),
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

/// Per-atom phase labels of a structure. `method`: `"cna"` (adaptive CNA), `"cna-fixed"`
/// (conventional CNA with `cutoff` Å, LAMMPS `compute cna/atom`), `"q6"` (Steinhardt q6 over
/// `neighbors` nearest neighbours) or `"q6-averaged"` (Lechner–Dellago). Returns the LAMMPS CNA
/// codes (1 fcc, 2 hcp, 3 bcc, 4 ico, 5 other) as floats for the CNA methods, q6 values otherwise.
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, method, cutoff=None, neighbors=12))]
fn phase_labels(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    method: &str,
    cutoff: Option<f64>,
    neighbors: usize,
) -> PyResult<Vec<f64>> {
    use scalebridge_md::properties::phase_id::{common_neighbor_analysis, steinhardt_q6, CnaCutoff};
    let masses = Some(vec![1.0; symbols.len()]);
    let s = structure_from(cell, positions, symbols, masses)?;
    let method = method.to_string();
    py.detach(|| {
        no_panic("phase_labels", || {
            let codes = |c: CnaCutoff| md(common_neighbor_analysis(&s, c)).map(|v| v.into_iter().map(|p| p.code() as f64).collect());
            match method.as_str() {
                "cna" => codes(CnaCutoff::Adaptive),
                "cna-fixed" => match cutoff {
                    Some(rc) => codes(CnaCutoff::Fixed(rc)),
                    None => Err(InputError::new_err("method 'cna-fixed' needs a cutoff (Å)")),
                },
                "q6" => md(steinhardt_q6(&s, neighbors, false)),
                "q6-averaged" => md(steinhardt_q6(&s, neighbors, true)),
                other => Err(InputError::new_err(format!("unknown phase method '{other}' (cna, cna-fixed, q6, q6-averaged)"))),
            }
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_protocol, m)?)?;
    m.add_function(wrap_pyfunction!(phase_labels, m)?)?;
    Ok(())
}

//! Bindings of the property protocols. One entry point, `run_protocol`, takes the protocol's
//! options as JSON and returns its typed result as JSON (the Python layer wraps it in
//! `scalebridge.properties.PropertyResult`). Conversions, progress and error mapping only.

use crate::error::md;
use crate::guard::{no_panic, InputError};
use crate::md::{structure_from, PyPotential};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use scalebridge_md::error::Result as MdResult;
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::properties::heat_flux::compute_heat_current;
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
        "thermal_conductivity/green_kubo" => {
            let opts = parse::<p::green_kubo::GreenKuboOptions>(protocol, options)?;
            json(p::green_kubo::green_kubo(s, pot, &opts, cache, progress))
        }
        "thermal_conductivity/muller_plathe" => {
            let opts = parse::<p::nemd::NemdOptions>(protocol, options)?;
            json(p::nemd::muller_plathe(s, pot, &opts, cache, progress))
        }
        other => Err(InputError::new_err(format!("unknown protocol '{other}'"))),
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

/// Heat current of a configuration with velocities (Å/ps), as LAMMPS `compute heat/flux` with
/// `ke/atom`, `pe/atom` and `centroid/stress/atom NULL virial`: returns `(J, J_conv)` in eV·Å/ps
/// (not divided by the volume).
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, masses, velocities, potential, threads=1))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn heat_flux(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    velocities: PyReadonlyArray2<f64>,
    potential: &PyPotential,
    threads: usize,
) -> PyResult<(Vec<f64>, Vec<f64>)> {
    let s = structure_from(cell, positions, symbols, masses)?;
    let v = velocities.as_array();
    if v.shape() != [s.len(), 3] {
        return Err(InputError::new_err(format!("velocities must have shape ({}, 3), got {:?}", s.len(), v.shape())));
    }
    let v: Vec<[f64; 3]> = v.outer_iter().map(|r| [r[0], r[1], r[2]]).collect();
    let pot = potential.inner.clone();
    py.detach(|| {
        no_panic("heat_flux", || {
            let mut ev = md(Evaluator::new(pot, DEFAULT_SKIN, threads))?;
            let j = md(compute_heat_current(&mut ev, &s, &v))?;
            Ok((j.total.to_vec(), j.convective.to_vec()))
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_protocol, m)?)?;
    m.add_function(wrap_pyfunction!(heat_flux, m)?)?;
    Ok(())
}

//! Bindings of the atomistic–continuum coupling crate (docs/coupling.md): the 1-D pulse
//! benchmark, the 2-D plane-strain statics and the 3-D indentation. Options travel as JSON so that every default is
//! Rust's (`PulseOptions`, `PlaneStatics`); conversions and error mapping only.

use crate::error::IntoPyResult;
use crate::guard::{no_panic, InputError};
use crate::md::{structure_from, PyPotential};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use scalebridge_coupling::plane::{plane_statics, PlaneStatics};
use scalebridge_coupling::pulse::{pulse1d, PulseOptions};
use scalebridge_coupling::solid::{indent3d, IndentOptions};

fn parse<T: serde::de::DeserializeOwned + Default>(what: &str, options: Option<&str>) -> PyResult<T> {
    match options {
        None => Ok(T::default()),
        Some(t) => serde_json::from_str(t).map_err(|e| InputError::new_err(format!("{what} options: {e}"))),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
}

/// The 1-D pulse benchmark (`PulseOptions` as JSON; `None` = all defaults): the energy budget
/// of a long and a short pulse through the coupled chain, as JSON.
#[pyfunction]
#[pyo3(signature = (options=None))]
fn coupling_pulse1d(py: Python<'_>, options: Option<&str>) -> PyResult<String> {
    let opts: PulseOptions = parse("pulse1d", options)?;
    let r = py.detach(|| no_panic("coupling_pulse1d", || pulse1d(&opts).py()))?;
    to_json(&r)
}

/// 2-D plane-strain force-based statics of a block of the orthorhombic unit cell (x, y in the
/// plane, z the periodic thickness) with `potential`; `options` is `PlaneStatics` as JSON.
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, masses, potential, options=None))]
fn coupling_plane_statics(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    options: Option<&str>,
) -> PyResult<String> {
    let unit = structure_from(cell, positions, symbols, masses)?;
    let case: PlaneStatics = parse("plane statics", options)?;
    let pot = potential.inner.clone();
    let r = py.detach(|| no_panic("coupling_plane_statics", || plane_statics(&unit, pot, &case).py()))?;
    to_json(&r)
}

/// 3-D force-based statics: a spherical indenter in the (001) surface of an fcc block of
/// `symbol` with `potential`, the coupled model against the fully atomistic block; `options` is
/// `IndentOptions` as JSON.
#[pyfunction]
#[pyo3(signature = (potential, symbol, options=None))]
fn coupling_indent3d(py: Python<'_>, potential: &PyPotential, symbol: String, options: Option<&str>) -> PyResult<String> {
    let o: IndentOptions = parse("indent3d", options)?;
    let pot = potential.inner.clone();
    let r = py.detach(|| no_panic("coupling_indent3d", || indent3d(pot, &symbol, &o).py()))?;
    to_json(&r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(coupling_indent3d, m)?)?;
    m.add_function(wrap_pyfunction!(coupling_pulse1d, m)?)?;
    m.add_function(wrap_pyfunction!(coupling_plane_statics, m)?)?;
    Ok(())
}

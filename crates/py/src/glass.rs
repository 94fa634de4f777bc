//! Bindings of the amorphous-solid tools: disorder descriptors of one structure and the
//! built-in glass formers (the protocols themselves run through `run_protocol`).

use crate::error::md;
use crate::guard::{no_panic, InputError};
use crate::md::structure_from;
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use scalebridge_protocols::glass::systems;

fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
}

/// Disorder descriptors (non-crystalline fractions by CNA and q̄6, coordination statistics at
/// the first g(r) minimum, partial RDFs, defect density) as JSON.
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, r_max=None, bins=None))]
fn disorder(py: Python<'_>, cell: PyReadonlyArray2<f64>, positions: PyReadonlyArray2<f64>, symbols: Vec<String>, r_max: Option<f64>, bins: Option<usize>) -> PyResult<String> {
    let ones = Some(vec![1.0; symbols.len()]);
    let s = structure_from(cell, positions, symbols, ones)?;
    let d = py.detach(|| no_panic("disorder", || md(scalebridge_md::computes::disorder::disorder(&s, r_max, bins))))?;
    to_json(&d)
}

/// A built-in glass former's start structure as JSON `{cell, positions, symbols, masses}`:
/// `kob-andersen` or `cu64zr36`, `repeat`³ fcc cells, random occupation from `seed`.
#[pyfunction]
#[pyo3(signature = (name, repeat, seed))]
fn glass_former(name: &str, repeat: usize, seed: u64) -> PyResult<String> {
    let s = no_panic("glass_former", || match name {
        "kob-andersen" => md(systems::kob_andersen_start(repeat, seed)),
        "cu64zr36" => md(systems::cuzr_start(repeat, seed)),
        other => Err(InputError::new_err(format!("unknown glass former '{other}' (kob-andersen, cu64zr36)"))),
    })?;
    let symbols: Vec<&String> = s.types.iter().map(|&t| &s.species[t]).collect();
    to_json(&serde_json::json!({ "cell": s.cell.matrix(), "positions": s.positions, "symbols": symbols, "masses": s.masses }))
}

/// The Kob–Andersen potential specification (JSON, metal units).
#[pyfunction]
fn kob_andersen_spec() -> PyResult<String> {
    Ok(systems::kob_andersen().to_json())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(disorder, m)?)?;
    m.add_function(wrap_pyfunction!(glass_former, m)?)?;
    m.add_function(wrap_pyfunction!(kob_andersen_spec, m)?)?;
    Ok(())
}

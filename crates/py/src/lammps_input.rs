//! Binding of the LAMMPS input reader: `potential_from_lammps(lines, elements, search, charges, neutralize)`.

use crate::error::md;
use crate::md::PyPotential;
use pyo3::prelude::*;
use scalebridge_md::potentials::lammps_input;
use std::path::PathBuf;

/// A potential from LAMMPS input lines; `elements[i]` is atom type i+1; relative potential files
/// are looked up in `search` in order.
#[pyfunction]
#[pyo3(signature = (lines, elements, search, charges=None, neutralize=None))]
fn potential_from_lammps(
    py: Python<'_>,
    lines: Vec<String>,
    elements: Vec<String>,
    search: Vec<String>,
    charges: Option<Vec<f64>>,
    neutralize: Option<bool>,
) -> PyResult<PyPotential> {
    let search: Vec<PathBuf> = search.into_iter().map(PathBuf::from).collect();
    let inner = py.detach(|| {
        crate::guard::no_panic("from_lammps", || {
            let mut parsed = md(lammps_input::parse(
                "LAMMPS input",
                &lines,
                &elements,
                &search,
                charges,
            ))?;
            if let Some(n) = neutralize {
                parsed.neutralize = n;
            }
            md(parsed.build())
        })
    })?;
    Ok(PyPotential { inner })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(potential_from_lammps, m)?)?;
    Ok(())
}

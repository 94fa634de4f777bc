//! Bindings of the EAM potentials (files and the Zhou 2004 generator). They return the shared
//! `Potential` handle of `md.rs`, so calculators and simulations accept them unchanged.

use crate::error::md;
use crate::guard::no_panic;
use crate::md::PyPotential;
use pyo3::prelude::*;
use scalebridge_md::potentials::eam::EamStyle;
use scalebridge_md::potentials::{PotentialSpec, Zhou2004};
use std::path::PathBuf;

/// Load an EAM file (`.eam` funcfl, `.eam.alloy` setfl or `.eam.fs` Finnis–Sinclair; the format
/// is detected from the file). `elements`: the file's elements to use (setfl/fs, default all) or
/// the name of the funcfl file's element (default: from its atomic number).
#[pyfunction]
#[pyo3(signature = (path, elements=None))]
fn eam_load(py: Python<'_>, path: PathBuf, elements: Option<Vec<String>>) -> PyResult<PyPotential> {
    let inner = py.detach(|| no_panic("eam_load", || md(PotentialSpec::eam_file(&path, elements.as_deref()).and_then(|s| s.build()))))?;
    Ok(PyPotential { inner })
}

/// Combine several funcfl files into one `eam` potential: `files` is a list of
/// (element name, path); cross pairs use LAMMPS's `r·φ_ab = 27.2·0.529·Z_a·Z_b`.
#[pyfunction]
fn eam_load_funcfl(py: Python<'_>, files: Vec<(String, PathBuf)>) -> PyResult<PyPotential> {
    let (elements, files): (Vec<String>, Vec<PathBuf>) = files.into_iter().unzip();
    let spec = PotentialSpec::Eam { style: EamStyle::Funcfl, files, elements: Some(elements) };
    let inner = py.detach(|| no_panic("eam_load_funcfl", || md(spec.build())))?;
    Ok(PyPotential { inner })
}

/// The Zhou–Johnson–Wadley (2004) EAM for `elements`, tabulated as the published setfl files.
#[pyfunction]
fn zhou2004(py: Python<'_>, elements: Vec<String>) -> PyResult<PyPotential> {
    let inner = py.detach(|| no_panic("zhou2004", || md(PotentialSpec::Zhou2004 { elements }.build())))?;
    Ok(PyPotential { inner })
}

/// Write the Zhou 2004 tabulation for `elements` as a setfl (`.eam.alloy`) file at `path`.
#[pyfunction]
fn zhou2004_write_setfl(py: Python<'_>, elements: Vec<String>, path: PathBuf) -> PyResult<()> {
    py.detach(|| no_panic("zhou2004_write_setfl", || md(Zhou2004::new(&elements).and_then(|z| z.write_setfl(&path)))))
}

/// Register the EAM functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(eam_load, m)?)?;
    m.add_function(wrap_pyfunction!(eam_load_funcfl, m)?)?;
    m.add_function(wrap_pyfunction!(zhou2004, m)?)?;
    m.add_function(wrap_pyfunction!(zhou2004_write_setfl, m)?)?;
    Ok(())
}

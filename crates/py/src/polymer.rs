//! Bindings of the molecular tools: the polymer builders, data files that keep their topology,
//! and LAMMPS force-field lines (pair + bonded + special_bonds) over a topology.

use crate::error::md;
use crate::guard::{no_panic, InputError};
use crate::md::{structure_from, PyPotential};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use scalebridge_md::structure::Structure;
use scalebridge_md::topology::builders::PolymerSpec;
use scalebridge_md::topology::{data_file, MolecularStyle, Topology};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn to_json(v: &serde_json::Value) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
}

fn system_json(s: &Structure, t: &Topology) -> serde_json::Value {
    let symbols: Vec<&String> = s.types.iter().map(|&k| &s.species[k]).collect();
    serde_json::json!({ "cell": s.cell.matrix(), "positions": s.positions, "symbols": symbols, "masses": s.masses, "topology": t })
}

fn topology_from(text: &str) -> PyResult<Topology> {
    let t: Topology = serde_json::from_str(text).map_err(|e| InputError::new_err(format!("topology: {e}")))?;
    md(t.validate())?;
    Ok(t)
}

/// Build a molecular system from a builder description (JSON with a `builder` key); returns JSON
/// `{cell, positions, symbols, masses, topology, lammps, report}`; writes the data file to
/// `data_path` when given.
#[pyfunction]
#[pyo3(signature = (spec, data_path=None))]
fn build_polymer(py: Python<'_>, spec: &str, data_path: Option<PathBuf>) -> PyResult<String> {
    let spec = md(PolymerSpec::from_json(spec))?;
    let sys = py.detach(|| no_panic("build_polymer", || md(spec.build())))?;
    if let Some(p) = &data_path {
        md(sys.write_data(p))?;
    }
    let mut v = system_json(&sys.structure, &sys.topology);
    v["lammps"] = serde_json::json!(sys.lammps);
    v["report"] = serde_json::to_value(&sys.report).map_err(|e| InputError::new_err(e.to_string()))?;
    v["spec"] = serde_json::to_value(&spec).map_err(|e| InputError::new_err(e.to_string()))?;
    to_json(&v)
}

/// Read a LAMMPS data file with topology (`atom_style` full or molecular); JSON
/// `{cell, positions, symbols, masses, topology}`.
#[pyfunction]
#[pyo3(signature = (path, atom_style, elements=None))]
fn read_molecular_data(path: PathBuf, atom_style: &str, elements: Option<Vec<String>>) -> PyResult<String> {
    let style: MolecularStyle = md(atom_style.parse())?;
    let f = no_panic("read_molecular_data", || md(data_file::read(&path, style, &elements.unwrap_or_default())))?;
    to_json(&system_json(&f.structure, &f.topology))
}

/// Write a structure with its topology (JSON) as a LAMMPS data file.
#[pyfunction]
#[pyo3(signature = (path, cell, positions, symbols, masses, topology))]
fn write_molecular_data(path: PathBuf, cell: PyReadonlyArray2<f64>, positions: PyReadonlyArray2<f64>, symbols: Vec<String>, masses: Vec<f64>, topology: &str) -> PyResult<()> {
    let s = structure_from(cell, positions, symbols, Some(masses))?;
    let t = topology_from(topology)?;
    no_panic("write_molecular_data", || md(data_file::write(Path::new(&path), &s, &t)))
}

/// A potential from LAMMPS lines over a topology (JSON): the pair style, `bond_style`/...
/// coefficients and `special_bonds`; `labels[i]` names atom type i+1, `symbols` are the
/// per-atom species.
#[pyfunction]
#[pyo3(signature = (lines, labels, symbols, topology, search))]
fn potential_from_lammps_molecular(py: Python<'_>, lines: Vec<String>, labels: Vec<String>, symbols: Vec<String>, topology: &str, search: Vec<String>) -> PyResult<PyPotential> {
    let t = Arc::new(topology_from(topology)?);
    let search: Vec<PathBuf> = search.into_iter().map(PathBuf::from).collect();
    let inner = py.detach(|| {
        no_panic("from_lammps", || {
            let m = md(scalebridge_md::potentials::bonded::input::parse("LAMMPS input", &lines, t, &labels, &symbols, &search))?;
            md(m.combined())
        })
    })?;
    Ok(PyPotential { inner })
}

/// Chain statistics (bond lengths, ⟨R²⟩, ⟨R_g²⟩, ⟨R²(n)⟩/n of the linear chains) of a configuration
/// with its topology (JSON); returns JSON (`scalebridge_md::topology::analysis::ChainStatistics`).
#[pyfunction]
#[pyo3(signature = (cell, positions, topology))]
fn chain_statistics(py: Python<'_>, cell: PyReadonlyArray2<f64>, positions: PyReadonlyArray2<f64>, topology: &str) -> PyResult<String> {
    let t = topology_from(topology)?;
    let n = t.len();
    let mut masses: Vec<f64> = t.atom_types.iter().map(|&k| t.type_masses[k]).collect();
    if positions.as_array().shape().first() != Some(&n) {
        masses.clear(); // the structure check below names the mismatch
    }
    let labels: Vec<String> = t.atom_types.iter().map(|&k| (k + 1).to_string()).collect();
    let s = structure_from(cell, positions, labels, (!masses.is_empty()).then_some(masses))?;
    let c = py.detach(|| no_panic("chain_statistics", || md(scalebridge_md::topology::analysis::chain_statistics(&s, &t))))?;
    to_json(&serde_json::to_value(&c).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))?)
}

/// Is this a LAMMPS command of the molecular reader (bond_style, ..., special_bonds)?
#[pyfunction]
fn is_molecular_command(cmd: &str) -> bool {
    scalebridge_md::potentials::bonded::input::is_molecular_command(cmd)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(build_polymer, m)?)?;
    m.add_function(wrap_pyfunction!(read_molecular_data, m)?)?;
    m.add_function(wrap_pyfunction!(write_molecular_data, m)?)?;
    m.add_function(wrap_pyfunction!(potential_from_lammps_molecular, m)?)?;
    m.add_function(wrap_pyfunction!(is_molecular_command, m)?)?;
    m.add_function(wrap_pyfunction!(chain_statistics, m)?)?;
    Ok(())
}

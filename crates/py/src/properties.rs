//! Bindings of the property protocols. One entry point, `run_protocol`, takes the protocol's
//! options as JSON and returns its typed result as JSON (the Python layer wraps it in
//! `scalebridge.properties.PropertyResult`). Conversions, progress and error mapping only.

use crate::error::md;
use crate::guard::{no_panic, InputError, PyProgress};
use crate::md::{structure_from, PyPotential};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use scalebridge_md::error::Result as MdResult;
use scalebridge_md::evaluator::{Evaluator, DEFAULT_SKIN};
use scalebridge_md::computes::heat_flux::compute_heat_current;
use scalebridge_protocols::Context;


fn json<T: serde::Serialize>(r: MdResult<T>) -> PyResult<String> {
    let v = md(r)?;
    serde_json::to_string(&v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
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
    let opts: serde_json::Value =
        serde_json::from_str(options).map_err(|e| InputError::new_err(format!("options of protocol '{protocol}': {e}")))?;
    let mut prog = PyProgress::new(progress);
    let out = py.detach(|| {
        no_panic(protocol, || {
            let mut ctx = Context::new(&mut prog).with_cache_dir(cache_dir.map(Into::into));
            let v = md(scalebridge_protocols::run(protocol, &s, pot, &opts, &mut ctx))?;
            serde_json::to_string(&v).map_err(|e| InputError::new_err(format!("result serialisation: {e}")))
        })
    });
    // a Python exception raised inside the progress callback takes precedence
    if let Some(e) = PyErr::take(py) {
        return Err(e);
    }
    out
}

/// Plot series (JSON list of `Series`) to an SVG file.
#[pyfunction]
fn plot_series(series: &str, path: &str, title: &str) -> PyResult<()> {
    let s: Vec<scalebridge_core::Series> =
        serde_json::from_str(series).map_err(|e| InputError::new_err(format!("series: {e}")))?;
    no_panic("plot_series", || md(scalebridge_protocols::plot::plot_series(&s, std::path::Path::new(path), title)))
}

/// RDF up to `r_max` (Å) with `bins` bins: (r, [(a, b, g, running coordination), ...]); the
/// first entry is the total ("*", "*").
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, r_max, bins=None))]
#[allow(clippy::type_complexity)]
fn rdf(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    r_max: f64,
    bins: Option<usize>,
) -> PyResult<(Vec<f64>, Vec<(String, String, Vec<f64>, Vec<f64>)>)> {
    let bins = bins.unwrap_or(scalebridge_md::computes::descriptors::DEFAULT_RDF_BINS);
    let ones = Some(vec![1.0; symbols.len()]);
    let s = structure_from(cell, positions, symbols, ones)?;
    let r = py.detach(|| no_panic("rdf", || md(scalebridge_md::computes::descriptors::rdf(&s, r_max, bins))))?;
    Ok((r.r, r.pairs))
}

/// Minimum-image displacements (Å) of the atoms of a structure from a reference (same order).
#[pyfunction]
fn displacements<'py>(
    py: Python<'py>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    reference_positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let ones = Some(vec![1.0; symbols.len()]);
    let r = structure_from(cell.clone(), reference_positions, symbols.clone(), ones.clone())?;
    let s = structure_from(cell, positions, symbols, ones)?;
    let d = md(scalebridge_md::computes::descriptors::displacements(&s, &r))?;
    crate::md::vec3_array(py, &d)
}

/// Local temperature (K) of every atom averaged over neighbours within `radius` (Å).
#[pyfunction]
fn local_temperature(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Vec<f64>,
    velocities: PyReadonlyArray2<f64>,
    radius: f64,
) -> PyResult<Vec<f64>> {
    let s = structure_from(cell, positions, symbols, Some(masses))?;
    let v = crate::md::vec3_rows(velocities, "velocities")?;
    py.detach(|| no_panic("local_temperature", || md(scalebridge_md::computes::descriptors::local_temperature(&s, &v, radius))))
}

/// Bond statistics with a potential: dict with bonds, mean_coordination, mean_bond_length (Å),
/// mean_bond_energy (eV per bond).
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, masses, potential, bond_cutoff))]
fn bond_statistics(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    bond_cutoff: f64,
) -> PyResult<String> {
    let s = structure_from(cell, positions, symbols, masses)?;
    let pot = potential.inner.clone();
    py.detach(|| {
        no_panic("bond_statistics", || {
            md(pot.check_species(&s.species))?;
            let iso = md(scalebridge_protocols::elastic::isolated_atom_energies(&pot, &s))?;
            json(scalebridge_md::computes::descriptors::bond_stats(&s, pot.clone(), bond_cutoff, &iso))
        })
    })
}

/// Heat current of a configuration with velocities (Å/ps), as LAMMPS `compute heat/flux` with
/// `ke/atom`, `pe/atom` and `centroid/stress/atom NULL virial`: returns `(J, J_conv)` in eV·Å/ps
/// (not divided by the volume).
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, masses, velocities, potential, threads=None))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn heat_flux(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    velocities: PyReadonlyArray2<f64>,
    potential: &PyPotential,
    threads: Option<usize>,
) -> PyResult<(Vec<f64>, Vec<f64>)> {
    let threads = threads.unwrap_or(scalebridge_md::evaluator::DEFAULT_THREADS);
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


/// Per-atom phase labels of a structure. `method`: `"cna"` (adaptive CNA), `"cna-fixed"`
/// (conventional CNA with `cutoff` Å, LAMMPS `compute cna/atom`), `"q6"` (Steinhardt q6 over
/// `neighbors` nearest neighbours) or `"q6-averaged"` (Lechner–Dellago). Returns the LAMMPS CNA
/// codes (1 fcc, 2 hcp, 3 bcc, 4 ico, 5 other) as floats for the CNA methods, q6 values otherwise.
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, method, cutoff=None, neighbors=None, threshold=None))]
#[allow(clippy::too_many_arguments)]
fn phase_labels(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    method: &str,
    cutoff: Option<f64>,
    neighbors: Option<usize>,
    threshold: Option<f64>,
) -> PyResult<Vec<f64>> {
    use scalebridge_md::computes::phase_id::{common_neighbor_analysis, solid_mask, steinhardt_q6, CnaCutoff, PhaseMethod};
    let masses = Some(vec![1.0; symbols.len()]);
    let s = structure_from(cell, positions, symbols, masses)?;
    let method = method.to_string();
    // the classifier's defaults (12 neighbours, threshold 0.3) live in PhaseMethod
    let (neighbors, threshold) = match PhaseMethod::default() {
        PhaseMethod::Q6 { neighbors: n, threshold: t, .. } | PhaseMethod::SublatticeQ6 { neighbors: n, threshold: t, .. } => (neighbors.unwrap_or(n), threshold.unwrap_or(t)),
        PhaseMethod::Cna => (neighbors.unwrap_or(12), threshold.unwrap_or(0.3)),
    };
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
                "q6-solid" => md(solid_mask(&s, &PhaseMethod::Q6 { neighbors, averaged: true, threshold })).map(|m| m.into_iter().map(|b| b as u8 as f64).collect()),
                other => Err(InputError::new_err(format!("unknown phase method '{other}' (cna, cna-fixed, q6, q6-averaged, q6-solid)"))),
            }
        })
    })
}

/// Zero-pressure lattice constant at 0 K of `lattice` made of `species` with `potential`,
/// starting from `start` or from an energy scan (what the CLI does without `--a`).
#[pyfunction]
#[pyo3(signature = (potential, lattice, species, start=None))]
fn equilibrium_lattice_constant(py: Python<'_>, potential: &PyPotential, lattice: &str, species: Vec<String>, start: Option<f64>) -> PyResult<f64> {
    let lat: scalebridge_md::lattice::Lattice = md(lattice.parse())?;
    let pot = potential.inner.clone();
    py.detach(|| {
        no_panic("equilibrium_lattice_constant", || {
            md(scalebridge_protocols::lattice_constant::equilibrium_lattice_constant(&pot, lat, &species, start))
        })
    })
}

/// The options the protocol `name` runs with for the JSON `options` (every default filled in;
/// an unknown key is an error naming it), as JSON text: what its result's provenance records.
#[pyfunction]
fn protocol_options(name: &str, options: &str) -> PyResult<String> {
    let v: serde_json::Value = serde_json::from_str(options).map_err(|e| InputError::new_err(format!("options are not JSON: {e}")))?;
    let r = no_panic("protocol_options", || md(scalebridge_protocols::registry::resolved_options(name, &v)))?;
    Ok(r.to_string())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_protocol, m)?)?;
    m.add_function(wrap_pyfunction!(plot_series, m)?)?;
    m.add_function(wrap_pyfunction!(rdf, m)?)?;
    m.add_function(wrap_pyfunction!(displacements, m)?)?;
    m.add_function(wrap_pyfunction!(local_temperature, m)?)?;
    m.add_function(wrap_pyfunction!(bond_statistics, m)?)?;
    m.add_function(wrap_pyfunction!(heat_flux, m)?)?;
    m.add_function(wrap_pyfunction!(phase_labels, m)?)?;
    m.add_function(wrap_pyfunction!(equilibrium_lattice_constant, m)?)?;
    m.add_function(wrap_pyfunction!(protocol_options, m)?)?;
    Ok(())
}

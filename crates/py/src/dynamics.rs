//! Bindings of the thermostats, barostats and minimisers (issue 3). Conversions only.

use crate::error::md;
use crate::guard::{no_panic, InputError};
use crate::md::{structure_from, vec3_array, PyPotential};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scalebridge_md::integrators::{factory, Integrator};
use scalebridge_md::minimize::{minimize as md_minimize, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::prelude::*;

fn tensor6(p: Option<Vec<f64>>, what: &str) -> PyResult<[f64; 6]> {
    match p {
        None => Ok([0.0; 6]),
        Some(v) if v.len() == 1 => Ok([v[0], v[0], v[0], 0.0, 0.0, 0.0]),
        Some(v) if v.len() == 6 => Ok([v[0], v[1], v[2], v[3], v[4], v[5]]),
        Some(v) => Err(InputError::new_err(format!("{what} must be a scalar or 6 Voigt components, got {} values", v.len()))),
    }
}

/// Relax a structure. Returns a dict with the relaxed `cell`, `positions`, `energy` (eV),
/// `fmax` (eV/Å), `stress_residual` and `pressure` (eV/Å³), `iterations`, `evaluations`.
/// Raises CalculationFailed when it does not converge.
#[pyfunction]
/// Settings left as `None` take [`MinimizeOptions::default`] (and FIRE, the default skin, all
/// cores).
#[pyo3(signature = (cell, positions, symbols, masses, potential, algorithm=None, fmax=None, stress_tol=None, max_iter=None, max_step=None, relax_cell=None, pressure=None, skin=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn minimize<'py>(
    py: Python<'py>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    algorithm: Option<&str>,
    fmax: Option<f64>,
    stress_tol: Option<f64>,
    max_iter: Option<usize>,
    max_step: Option<f64>,
    relax_cell: Option<&str>,
    pressure: Option<Vec<f64>>,
    skin: Option<f64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut s = structure_from(cell, positions, symbols, masses)?;
    let cell_relax = match relax_cell {
        None => None,
        Some(d) => Some(CellRelax { dof: md(d.parse::<CellDof>())?, target: tensor6(pressure, "pressure")?, cell_factor: None }),
    };
    let d = MinimizeOptions::default();
    let opts = MinimizeOptions {
        fmax: fmax.unwrap_or(d.fmax),
        stress_tol: stress_tol.unwrap_or(d.stress_tol),
        max_iter: max_iter.unwrap_or(d.max_iter),
        max_step: max_step.unwrap_or(d.max_step),
        cell: cell_relax,
    };
    let (skin, threads) = (skin.unwrap_or(scalebridge_md::evaluator::DEFAULT_SKIN), threads.unwrap_or(scalebridge_md::evaluator::DEFAULT_THREADS));
    let algorithm = algorithm.unwrap_or("fire");
    let pot = potential.inner.clone();
    let alg = algorithm.to_string();
    let (rep, s) = py.detach(|| {
        no_panic("minimize", || {
            let mut ev = md(Evaluator::new(pot, skin, threads))?;
            let rep = md(md_minimize(&mut s, &mut ev, &alg, &opts))?;
            Ok((rep, s))
        })
    })?;
    let d = PyDict::new(py);
    d.set_item("cell", s.cell.matrix().iter().map(|r| r.to_vec()).collect::<Vec<_>>())?;
    d.set_item("positions", vec3_array(py, &s.positions)?)?;
    d.set_item("energy", rep.energy)?;
    d.set_item("fmax", rep.fmax)?;
    d.set_item("stress_residual", rep.stress_residual)?;
    d.set_item("pressure", rep.pressure.to_vec())?;
    d.set_item("volume", rep.volume)?;
    d.set_item("iterations", rep.iterations)?;
    d.set_item("evaluations", rep.evaluations)?;
    d.set_item("algorithm", rep.algorithm)?;
    d.set_item("version", rep.version)?;
    Ok(d)
}

/// Ensemble settings of a simulation (all optional except for the ensembles that need them;
/// `None` takes the engine's default, `factory::EnsembleSpec::default`).
#[derive(Clone, Debug)]
pub struct EnsembleSpec<'a> {
    pub temperature: Option<f64>,
    pub damping: Option<f64>,
    pub seed: Option<u64>,
    pub pressure: Option<Vec<f64>>,
    pub pressure_damping: Option<f64>,
    pub coupling: Option<&'a str>,
    pub bulk_modulus: Option<f64>,
}

/// Build the integrator of an ensemble (the one factory, `scalebridge_md::integrators::factory`):
/// `nve`, `nvt-langevin` (BAOAB), `nvt` (Nosé–Hoover chain), `npt` (MTK) or `berendsen`.
pub fn make_integrator(ensemble: &str, e: &EnsembleSpec<'_>) -> PyResult<Box<dyn Integrator>> {
    let pressure = match &e.pressure {
        None => None,
        Some(p) => Some(tensor6(Some(p.clone()), "pressure")?),
    };
    let d = factory::EnsembleSpec::default();
    let spec = factory::EnsembleSpec {
        temperature: e.temperature,
        damping: e.damping,
        seed: e.seed.unwrap_or(d.seed),
        pressure,
        pressure_damping: e.pressure_damping.unwrap_or(d.pressure_damping),
        coupling: e.coupling.map(str::to_string).unwrap_or(d.coupling),
        bulk_modulus: e.bulk_modulus,
    };
    md(factory::make(ensemble, &spec))
}

/// Number of neighbours of every atom within `cutoff` (Å), periodic images counted.
#[pyfunction]
fn coordination_numbers(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    cutoff: f64,
) -> PyResult<Vec<f64>> {
    let s = structure_from(cell, positions, symbols, masses)?;
    py.detach(|| {
        no_panic("coordination_numbers", || {
            md(scalebridge_md::computes::per_atom::coordination(&s, cutoff))
        })
    })
}

/// Per-atom embedding (host electron) density of a many-body potential (EAM), and the number of
/// neighbours within the potential's cutoff: (density, coordination).
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, masses, potential, threads=None))]
fn embedding_density(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    threads: Option<usize>,
) -> PyResult<(Vec<f64>, Vec<f64>)> {
    let threads = threads.unwrap_or(scalebridge_md::evaluator::DEFAULT_THREADS);
    let s = structure_from(cell, positions, symbols, masses)?;
    let pot = potential.inner.clone();
    py.detach(|| {
        no_panic("embedding_density", || {
            use scalebridge_md::computes::per_atom::{coordination, eam_density};
            let d = md(eam_density(pot.as_ref(), &s, threads))?;
            Ok((d, md(coordination(&s, pot.cutoff()))?))
        })
    })
}

/// Register the dynamics bindings.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(coordination_numbers, m)?)?;
    m.add_function(wrap_pyfunction!(embedding_density, m)?)?;
    m.add_function(wrap_pyfunction!(minimize, m)?)?;
    Ok(())
}

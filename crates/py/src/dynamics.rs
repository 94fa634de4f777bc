//! Bindings of the thermostats, barostats and minimisers (issue 3). Conversions only.

use crate::error::md;
use crate::guard::{no_panic, InputError};
use crate::md::{structure_from, PyPotential};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scalebridge_md::integrators::{Berendsen, BerendsenBarostat, Coupling, Integrator, Langevin, NoseHoover, Npt};
use scalebridge_md::minimize::{minimize as md_minimize, CellDof, CellRelax, MinimizeOptions};
use scalebridge_md::prelude::*;
use scalebridge_md::thermo::THERMO_COLUMNS;

fn vec3_array<'py>(py: Python<'py>, v: &[Vec3]) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let flat: Vec<f64> = v.iter().flat_map(|x| x.iter().copied()).collect();
    let a = Array2::from_shape_vec((v.len(), 3), flat).map_err(|e| InputError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

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
#[pyo3(signature = (cell, positions, symbols, masses, potential, algorithm="fire", fmax=1e-4, stress_tol=1e-7, max_iter=5000, max_step=0.2, relax_cell=None, pressure=None, skin=1.0, threads=0))]
#[allow(clippy::too_many_arguments)]
fn minimize<'py>(
    py: Python<'py>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    algorithm: &str,
    fmax: f64,
    stress_tol: f64,
    max_iter: usize,
    max_step: f64,
    relax_cell: Option<&str>,
    pressure: Option<Vec<f64>>,
    skin: f64,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let mut s = structure_from(cell, positions, symbols, masses)?;
    let cell_relax = match relax_cell {
        None => None,
        Some(d) => Some(CellRelax { dof: md(d.parse::<CellDof>())?, target: tensor6(pressure, "pressure")?, cell_factor: None }),
    };
    let opts = MinimizeOptions { fmax, stress_tol, max_iter, max_step, cell: cell_relax };
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

/// MD in a thermodynamic ensemble: `nvt-langevin`, `nvt` (Nosé–Hoover chain), `npt` (MTK) or
/// `berendsen` (with a barostat when `pressure` is given).
#[pyclass(name = "Dynamics", module = "scalebridge._scalebridge")]
pub struct PyDynamics {
    inner: Simulation,
}

#[pymethods]
impl PyDynamics {
    #[new]
    #[pyo3(signature = (cell, positions, symbols, masses, potential, timestep, ensemble, temperature, damping, seed=0, pressure=None, pressure_damping=1.0, coupling="iso", bulk_modulus=None, skin=1.0, threads=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        cell: PyReadonlyArray2<f64>,
        positions: PyReadonlyArray2<f64>,
        symbols: Vec<String>,
        masses: Option<Vec<f64>>,
        potential: &PyPotential,
        timestep: f64,
        ensemble: &str,
        temperature: f64,
        damping: f64,
        seed: u64,
        pressure: Option<Vec<f64>>,
        pressure_damping: f64,
        coupling: &str,
        bulk_modulus: Option<f64>,
        skin: f64,
        threads: usize,
    ) -> PyResult<Self> {
        let s = structure_from(cell, positions, symbols, masses)?;
        let integ: Box<dyn Integrator> = match ensemble {
            "nvt-langevin" | "langevin" => Box::new(md(Langevin::new(temperature, damping, seed))?),
            "nvt" | "nvt-nose-hoover" => Box::new(md(NoseHoover::new(temperature, damping))?),
            "npt" => {
                let c = md(coupling.parse::<Coupling>())?;
                Box::new(md(Npt::new(temperature, damping, tensor6(pressure, "pressure")?, pressure_damping, c))?)
            }
            "berendsen" => {
                let baro = match pressure {
                    None => None,
                    Some(p) => {
                        let p = tensor6(Some(p), "pressure")?;
                        let b = bulk_modulus.ok_or_else(|| InputError::new_err("berendsen with a pressure needs bulk_modulus (eV/Å³)"))?;
                        Some(BerendsenBarostat {
                            pressure: (p[0] + p[1] + p[2]) / 3.0,
                            damping: pressure_damping,
                            bulk_modulus: b,
                            anisotropic: coupling == "aniso",
                        })
                    }
                };
                Box::new(md(Berendsen::new(temperature, damping, baro))?)
            }
            other => return Err(InputError::new_err(format!("unknown ensemble '{other}' (nvt-langevin, nvt, npt, berendsen)"))),
        };
        let sim = md(Simulation::new(s, potential.inner.clone(), integ, timestep, skin, threads))?;
        Ok(PyDynamics { inner: sim })
    }

    /// Maxwell–Boltzmann velocities at `temperature` (K), zero momentum, from `seed`.
    fn create_velocities(&mut self, temperature: f64, seed: u64) -> PyResult<()> {
        md(self.inner.create_velocities(temperature, seed))
    }

    /// Record thermo rows every `every` steps (0 = off).
    #[setter]
    fn set_thermo_every(&mut self, every: u64) {
        self.inner.thermo_every = every;
    }

    /// Run `steps` steps with the GIL released; Ctrl-C is checked every `check_every` steps.
    #[pyo3(signature = (steps, check_every=500))]
    fn run(&mut self, py: Python<'_>, steps: u64, check_every: u64) -> PyResult<u64> {
        let mut done = 0;
        let chunk = check_every.max(1);
        while done < steps {
            let n = chunk.min(steps - done);
            let sim = &mut self.inner;
            done += py.detach(|| no_panic("Dynamics.run", || md(sim.run(n, |_| true))))?;
            py.check_signals()?;
        }
        Ok(done)
    }

    /// Recorded thermo rows as a dict of column -> list.
    fn thermo_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (c, name) in THERMO_COLUMNS.iter().enumerate() {
            let col: Vec<f64> = self.inner.thermo.iter().map(|r| r.values()[c]).collect();
            d.set_item(*name, col)?;
        }
        Ok(d)
    }

    #[getter]
    fn positions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        vec3_array(py, &self.inner.state.structure.positions)
    }
    #[getter]
    fn velocities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        vec3_array(py, &self.inner.state.velocities)
    }
    #[getter]
    fn cell(&self) -> Vec<Vec<f64>> {
        self.inner.state.structure.cell.matrix().iter().map(|r| r.to_vec()).collect()
    }
    #[getter]
    fn step(&self) -> u64 {
        self.inner.state.step
    }
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
            let mut nl = md(scalebridge_md::neighbors::NeighborList::new(cutoff, 0.0))?;
            md(nl.build(&s.cell, &s.positions, &s.types))?;
            Ok(scalebridge_md::potentials::eam::coordination_numbers(&nl, cutoff, s.len()))
        })
    })
}

/// Per-atom embedding (host electron) density of a many-body potential (EAM), and the number of
/// neighbours within the potential's cutoff: (density, coordination).
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, masses, potential, threads=0))]
fn embedding_density(
    py: Python<'_>,
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    masses: Option<Vec<f64>>,
    potential: &PyPotential,
    threads: usize,
) -> PyResult<(Vec<f64>, Vec<f64>)> {
    let s = structure_from(cell, positions, symbols, masses)?;
    let pot = potential.inner.clone();
    let style = pot.pair_style().to_string();
    let (d, c) = py.detach(|| {
        no_panic("embedding_density", || {
            let mut ev = md(Evaluator::new(pot, 1.0, threads))?;
            let o = md(ev.compute_all(&s))?;
            Ok((o.density.clone(), o.coordination.clone()))
        })
    })?;
    if d.is_empty() {
        return Err(InputError::new_err(format!("pair style {style} has no embedding density (EAM potentials do)")));
    }
    Ok((d, c))
}

/// Register the dynamics bindings.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(coordination_numbers, m)?)?;
    m.add_function(wrap_pyfunction!(embedding_density, m)?)?;
    m.add_function(wrap_pyfunction!(minimize, m)?)?;
    m.add_class::<PyDynamics>()?;
    Ok(())
}

//! Bindings of the MD engine: structures, potentials, force evaluation and simulations.
//! Conversions and error mapping only; physics lives in `scalebridge-md`.

use crate::dynamics::{make_integrator, EnsembleSpec};
use crate::error::md;
use crate::guard::{no_panic, InputError};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scalebridge_md::potentials::spec::{parse_mixing, LjCutSpec, PotentialSpec};
use scalebridge_md::prelude::{
    bulk, BulkSpec, Cell, Checkpoint, Evaluator, Lattice, Output, PairParams, Potential, RebuildPolicy, Simulation,
    Structure, Vec3,
};
use scalebridge_md::thermo::THERMO_COLUMNS;
use std::sync::Arc;

/// A potential (any pair style), shared by calculators and simulations.
#[pyclass(name = "Potential", module = "scalebridge._scalebridge", frozen)]
pub struct PyPotential {
    pub inner: Arc<dyn Potential>,
}

#[pymethods]
impl PyPotential {
    /// Lennard-Jones (`lj/cut`). `pairs`: list of (a, b, epsilon, sigma, cutoff or None).
    #[staticmethod]
    #[pyo3(signature = (species, epsilon, sigma, cutoff, shift=false, mixing="arithmetic", pairs=Vec::new()))]
    fn lennard_jones(
        species: Vec<String>,
        epsilon: Vec<f64>,
        sigma: Vec<f64>,
        cutoff: f64,
        shift: bool,
        mixing: &str,
        pairs: Vec<(String, String, f64, f64, Option<f64>)>,
    ) -> PyResult<Self> {
        let pairs = pairs.into_iter().map(|(a, b, epsilon, sigma, cutoff)| PairParams { a, b, epsilon, sigma, cutoff }).collect();
        let spec = PotentialSpec::LjCut(LjCutSpec { elements: species, epsilon, sigma, cutoff, shift, mixing: md(parse_mixing(mixing))?, pairs });
        Ok(PyPotential { inner: md(spec.build())? })
    }

    /// The potential of a JSON specification keyed by the LAMMPS style (see
    /// `scalebridge_md::potentials::spec`), e.g. `{"pair_style": "eam/alloy", "files": [...],
    /// "elements": [...]}`; the same as `potential_from_spec`.
    #[staticmethod]
    fn from_spec(py: Python<'_>, spec: &str) -> PyResult<Self> {
        potential_from_spec(py, spec)
    }

    /// LAMMPS pair style name.
    #[getter]
    fn pair_style(&self) -> String {
        self.inner.pair_style().to_string()
    }
    /// Largest cutoff, Å.
    #[getter]
    fn cutoff(&self) -> f64 {
        self.inner.cutoff()
    }
    /// Species described.
    #[getter]
    fn species(&self) -> Vec<String> {
        self.inner.species()
    }
    /// Parameter fingerprint (hashed into provenance).
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }
    fn __repr__(&self) -> String {
        format!("Potential({}, species={:?}, cutoff={})", self.inner.pair_style(), self.inner.species(), self.inner.cutoff())
    }
}

/// The potential described by a JSON specification keyed by the LAMMPS style:
/// `{"pair_style": "eam/alloy", "files": ["Cu_mishin1.eam.alloy"], "elements": ["Cu"]}`,
/// `{"pair_style": "lj/cut", "elements": [...], "epsilon": [...], "sigma": [...], "cutoff": ...}`,
/// `{"generator": "zhou2004", "elements": [...]}`. An unknown style raises InputError naming it.
#[pyfunction]
pub fn potential_from_spec(py: Python<'_>, spec: &str) -> PyResult<PyPotential> {
    let inner = py.detach(|| no_panic("potential_from_spec", || md(PotentialSpec::from_json(spec).and_then(|s| s.build()))))?;
    Ok(PyPotential { inner })
}

/// Build a validated structure from numpy arrays.
pub fn structure_from(cell: PyReadonlyArray2<f64>, positions: PyReadonlyArray2<f64>, symbols: Vec<String>, masses: Option<Vec<f64>>) -> PyResult<Structure> {
    let c = cell.as_array();
    if c.shape() != [3, 3] {
        return Err(InputError::new_err(format!("cell must have shape (3, 3), got {:?}", c.shape())));
    }
    let m = [[c[[0, 0]], c[[0, 1]], c[[0, 2]]], [c[[1, 0]], c[[1, 1]], c[[1, 2]]], [c[[2, 0]], c[[2, 1]], c[[2, 2]]]];
    let pos = vec3_rows(positions, "positions")?;
    let cell = md(Cell::new(m))?;
    md(Structure::from_symbols(cell, pos, &symbols, masses))
}

/// Rows of an (N, 3) array; `what` names it in the error.
pub fn vec3_rows(a: PyReadonlyArray2<f64>, what: &str) -> PyResult<Vec<Vec3>> {
    let p = a.as_array();
    if p.ndim() != 2 || p.shape()[1] != 3 {
        return Err(InputError::new_err(format!("{what} must have shape (N, 3), got {:?}", p.shape())));
    }
    Ok(p.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect())
}

pub fn vec3_array<'py>(py: Python<'py>, v: &[Vec3]) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let flat: Vec<f64> = v.iter().flat_map(|x| x.iter().copied()).collect();
    let a = Array2::from_shape_vec((v.len(), 3), flat).map_err(|e| InputError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

fn voigt_array<'py>(py: Python<'py>, v: &[[f64; 6]]) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let flat: Vec<f64> = v.iter().flat_map(|x| x.iter().copied()).collect();
    let a = Array2::from_shape_vec((v.len(), 6), flat).map_err(|e| InputError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

fn output_dict<'py>(py: Python<'py>, o: &Output) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("energy", o.energy)?;
    d.set_item("forces", vec3_array(py, &o.forces)?)?;
    d.set_item("virial", o.virial.to_vec())?;
    if !o.per_atom_energy.is_empty() {
        d.set_item("energies", o.per_atom_energy.clone().into_pyarray(py))?;
    }
    if !o.per_atom_virial.is_empty() {
        d.set_item("virials", voigt_array(py, &o.per_atom_virial)?)?;
    }
    Ok(d)
}

/// Force evaluator: a potential bound to a neighbour list and thread pool, reused across calls.
#[pyclass(name = "Evaluator", module = "scalebridge._scalebridge")]
pub struct PyEvaluator {
    inner: Evaluator,
}

#[pymethods]
impl PyEvaluator {
    #[new]
    #[pyo3(signature = (potential, skin=None, threads=None))]
    fn new(potential: &PyPotential, skin: Option<f64>, threads: Option<usize>) -> PyResult<Self> {
        let skin = skin.unwrap_or(scalebridge_md::evaluator::DEFAULT_SKIN);
        let threads = threads.unwrap_or(scalebridge_md::evaluator::DEFAULT_THREADS);
        Ok(PyEvaluator { inner: md(Evaluator::new(potential.inner.clone(), skin, threads))? })
    }

    /// Energy (eV), forces (eV/Å), virial (eV, Voigt xx yy zz yz xz xy, LAMMPS sign), per-atom
    /// energies and virials of one configuration.
    #[pyo3(signature = (cell, positions, symbols, masses=None))]
    fn compute<'py>(
        &mut self,
        py: Python<'py>,
        cell: PyReadonlyArray2<f64>,
        positions: PyReadonlyArray2<f64>,
        symbols: Vec<String>,
        masses: Option<Vec<f64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = structure_from(cell, positions, symbols, masses)?;
        let ev = &mut self.inner;
        let out = py.detach(|| no_panic("compute", || md(ev.compute_all(&s).map(|o| o.clone()))))?;
        output_dict(py, &out)
    }

    /// Number of worker threads.
    #[getter]
    fn threads(&self) -> usize {
        self.inner.threads()
    }
}

/// Build a crystal; returns (cell, positions, symbols, masses).
#[pyfunction]
#[pyo3(signature = (lattice, species, a, c=None, orientation=None, repeat=(1, 1, 1), orthogonal=false, masses=None))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn build_bulk<'py>(
    py: Python<'py>,
    lattice: &str,
    species: Vec<String>,
    a: f64,
    c: Option<f64>,
    orientation: Option<[[i32; 3]; 3]>,
    repeat: (usize, usize, usize),
    orthogonal: bool,
    masses: Option<Vec<f64>>,
) -> PyResult<(Vec<Vec<f64>>, Bound<'py, numpy::PyArray2<f64>>, Vec<String>, Vec<f64>)> {
    let spec = BulkSpec {
        lattice: md(lattice.parse::<Lattice>())?,
        species,
        a,
        c,
        orientation,
        repeat: [repeat.0, repeat.1, repeat.2],
        orthogonal,
        masses,
    };
    let s = no_panic("bulk", || md(bulk(&spec)))?;
    let cell = s.cell.matrix().iter().map(|r| r.to_vec()).collect();
    Ok((cell, vec3_array(py, &s.positions)?, s.symbols(), s.masses.clone()))
}

/// Random solid solution on the sites of a structure; returns (symbols, masses).
#[pyfunction]
#[pyo3(signature = (cell, positions, symbols, composition, seed, masses=None))]
pub fn random_solid_solution(
    cell: PyReadonlyArray2<f64>,
    positions: PyReadonlyArray2<f64>,
    symbols: Vec<String>,
    composition: Vec<(String, f64)>,
    seed: u64,
    masses: Option<Vec<f64>>,
) -> PyResult<(Vec<String>, Vec<f64>)> {
    let n = symbols.len();
    let s = structure_from(cell, positions, symbols, Some(vec![1.0; n]))?;
    let r = no_panic("random_solid_solution", || md(scalebridge_md::lattice::random_solid_solution(&s, &composition, seed, masses.as_deref())))?;
    Ok((r.symbols(), r.masses))
}

/// Build a crystal from a `StructureSpec` given as JSON; returns (cell, positions, symbols,
/// masses, report JSON).
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn build_structure<'py>(
    py: Python<'py>,
    spec_json: &str,
) -> PyResult<(Vec<Vec<f64>>, Bound<'py, numpy::PyArray2<f64>>, Vec<String>, Vec<f64>, String)> {
    let spec: scalebridge_md::crystals::StructureSpec =
        serde_json::from_str(spec_json).map_err(|e| InputError::new_err(format!("invalid structure description: {e}")))?;
    let (s, report) = no_panic("build_structure", || md(spec.build_with_report()))?;
    let report = serde_json::to_string(&report).map_err(|e| InputError::new_err(e.to_string()))?;
    let cell = s.cell.matrix().iter().map(|r| r.to_vec()).collect();
    Ok((cell, vec3_array(py, &s.positions)?, s.symbols(), s.masses.clone(), report))
}

/// The prototype table (space group, setting, Wyckoff sites, default parameters, citation) as JSON.
#[pyfunction]
pub fn structure_prototypes() -> PyResult<String> {
    serde_json::to_string(scalebridge_md::crystals::PROTOTYPES).map_err(|e| InputError::new_err(e.to_string()))
}

/// Maxwell–Boltzmann velocities (Å/ps) at `temperature` (K) with zero momentum.
#[pyfunction]
pub fn maxwell_boltzmann<'py>(py: Python<'py>, masses: Vec<f64>, temperature: f64, seed: u64) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    for (i, m) in masses.iter().enumerate() {
        if !(m.is_finite() && *m > 0.0) {
            return Err(InputError::new_err(format!("invalid mass = {m} (atom {i}): masses must be positive and finite")));
        }
    }
    let v = md(scalebridge_md::velocities::maxwell_boltzmann(&masses, temperature, seed))?;
    vec3_array(py, &v)
}

/// A molecular-dynamics run.
#[pyclass(name = "Simulation", module = "scalebridge._scalebridge")]
pub struct PySimulation {
    inner: Simulation,
}

/// Time step of a `Simulation` made without one, ps (1 fs: stable for metals and argon).
pub const DEFAULT_TIMESTEP_PS: f64 = 0.001;

#[pymethods]
impl PySimulation {
    #[new]
    /// Every setting but the structure and the potential is optional (Python passes `None` for
    /// what the user did not give): time step [`DEFAULT_TIMESTEP_PS`], skin
    /// [`scalebridge_md::evaluator::DEFAULT_SKIN`], all cores, NVE, and the ensemble settings of
    /// `scalebridge_md::integrators::factory::EnsembleSpec::default` (seed, barostat damping,
    /// coupling).
    #[pyo3(signature = (cell, positions, symbols, masses, potential, timestep=None, skin=None, threads=None, ensemble=None,
        temperature=None, damping=None, seed=None, pressure=None, pressure_damping=None, coupling=None, bulk_modulus=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        cell: PyReadonlyArray2<f64>,
        positions: PyReadonlyArray2<f64>,
        symbols: Vec<String>,
        masses: Option<Vec<f64>>,
        potential: &PyPotential,
        timestep: Option<f64>,
        skin: Option<f64>,
        threads: Option<usize>,
        ensemble: Option<&str>,
        temperature: Option<f64>,
        damping: Option<f64>,
        seed: Option<u64>,
        pressure: Option<Vec<f64>>,
        pressure_damping: Option<f64>,
        coupling: Option<&str>,
        bulk_modulus: Option<f64>,
    ) -> PyResult<Self> {
        let s = structure_from(cell, positions, symbols, masses)?;
        let spec = EnsembleSpec { temperature, damping, seed, pressure, pressure_damping, coupling, bulk_modulus };
        let integ = make_integrator(ensemble.unwrap_or("nve"), &spec)?;
        let (timestep, skin) = (timestep.unwrap_or(DEFAULT_TIMESTEP_PS), skin.unwrap_or(scalebridge_md::evaluator::DEFAULT_SKIN));
        let sim = md(Simulation::new(s, potential.inner.clone(), integ, timestep, skin, threads.unwrap_or(scalebridge_md::evaluator::DEFAULT_THREADS)))?;
        Ok(PySimulation { inner: sim })
    }

    /// Maxwell–Boltzmann velocities at `temperature` (K) with zero momentum, from `seed`.
    fn create_velocities(&mut self, temperature: f64, seed: u64) -> PyResult<()> {
        md(self.inner.create_velocities(temperature, seed))
    }

    /// Set velocities, Å/ps, shape (N, 3).
    fn set_velocities(&mut self, v: PyReadonlyArray2<f64>) -> PyResult<()> {
        md(self.inner.set_velocities(vec3_rows(v, "velocities")?))
    }

    /// Neighbour-list rebuild policy (LAMMPS `neigh_modify every N check yes|no`).
    fn set_rebuild_policy(&mut self, every: usize, check: bool) {
        self.inner.evaluator.set_rebuild_policy(RebuildPolicy { every: every.max(1), check });
    }

    /// Record thermo rows every `every` steps (0 = off).
    #[setter]
    fn set_thermo_every(&mut self, every: u64) {
        self.inner.thermo_every = every;
    }
    #[getter]
    fn get_thermo_every(&self) -> u64 {
        self.inner.thermo_every
    }

    /// Write an extxyz frame every `stride` steps to `path` (None to stop).
    #[pyo3(signature = (path, stride=1, append=false))]
    fn set_trajectory(&mut self, path: Option<String>, stride: u64, append: bool) -> PyResult<()> {
        self.inner.trajectory = match path {
            None => None,
            Some(p) => Some(md(scalebridge_md::trajectory::TrajectoryWriter::new(&p, stride, append))?),
        };
        Ok(())
    }

    /// Run `steps` steps with the GIL released, checking for Ctrl-C every `check_every` steps.
    /// Returns the number of steps done.
    #[pyo3(signature = (steps, check_every=200))]
    fn run(&mut self, py: Python<'_>, steps: u64, check_every: u64) -> PyResult<u64> {
        let mut done = 0;
        let chunk = check_every.max(1);
        while done < steps {
            let n = chunk.min(steps - done);
            let sim = &mut self.inner;
            done += py.detach(|| no_panic("Simulation.run", || md(sim.run(n, |_| true))))?;
            py.check_signals()?;
        }
        Ok(done)
    }

    /// Forces, energy and virial of the current state.
    fn setup(&mut self) -> PyResult<()> {
        md(self.inner.setup())
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
    fn forces<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        vec3_array(py, &self.inner.evaluator.output.forces)
    }
    #[getter]
    fn cell(&self) -> Vec<Vec<f64>> {
        self.inner.state.structure.cell.matrix().iter().map(|r| r.to_vec()).collect()
    }
    #[getter]
    fn symbols(&self) -> Vec<String> {
        self.inner.state.structure.symbols()
    }
    #[getter]
    fn masses(&self) -> Vec<f64> {
        self.inner.state.structure.masses.clone()
    }
    #[getter]
    fn step(&self) -> u64 {
        self.inner.state.step
    }
    #[getter]
    fn time(&self) -> f64 {
        self.inner.state.time
    }
    #[getter]
    fn timestep(&self) -> f64 {
        self.inner.timestep
    }

    /// Thermo of the current state as a dict of column -> value.
    fn current_thermo<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let row = self.inner.current_thermo();
        let d = PyDict::new(py);
        for (k, v) in THERMO_COLUMNS.iter().zip(row.values()) {
            d.set_item(*k, v)?;
        }
        Ok(d)
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

    /// Write recorded thermo rows as CSV (atomic replace).
    fn write_thermo_csv(&self, path: &str) -> PyResult<()> {
        md(scalebridge_md::thermo::write_csv(std::path::Path::new(path), &self.inner.thermo))
    }

    /// JSON checkpoint of the full state (resume with `restore`).
    fn checkpoint(&mut self) -> PyResult<String> {
        serde_json::to_string(&self.inner.checkpoint()).map_err(|e| InputError::new_err(e.to_string()))
    }

    /// Restore a checkpoint written by `checkpoint` with the same potential.
    fn restore(&mut self, text: &str) -> PyResult<()> {
        let c: Checkpoint = serde_json::from_str(text).map_err(|e| InputError::new_err(format!("malformed checkpoint: {e}")))?;
        md(self.inner.restore(c))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPotential>()?;
    m.add_function(wrap_pyfunction!(potential_from_spec, m)?)?;
    m.add_class::<PyEvaluator>()?;
    m.add_class::<PySimulation>()?;
    m.add_function(wrap_pyfunction!(build_bulk, m)?)?;
    m.add_function(wrap_pyfunction!(random_solid_solution, m)?)?;
    m.add_function(wrap_pyfunction!(maxwell_boltzmann, m)?)?;
    m.add_function(wrap_pyfunction!(build_structure, m)?)?;
    m.add_function(wrap_pyfunction!(structure_prototypes, m)?)?;
    Ok(())
}

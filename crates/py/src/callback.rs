//! A force provider that calls back into Python: any ASE calculator (energy, forces, stress;
//! per-atom `energies` and `stresses` when it implements them) drives the engine's protocols.
//!
//! The Python side (`scalebridge.potentials.as_potential`) wraps the calculator in an adapter,
//! `adapter(cell, positions, symbols, per_atom) -> (energy, forces, stress, energies | None,
//! stresses | None)` in ASE units (eV, eV/Å, eV/Å³, stress tension-positive); this module turns
//! them into the engine's [`Output`] (virial `W = −σ·V`, LAMMPS sign); per-atom energies or
//! virials the calculator does not implement are left empty (the heat flux then names them). The potential needs no
//! neighbour list: it is handed the whole configuration.
//!
//! A Python exception inside the calculator stops the calculation with an engine error and is
//! kept here ([`take_pending`]); the error bridge raises the original exception instead of the
//! engine's message, so the user sees their calculator's own error.

use crate::guard::CalculationFailed;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::{Configuration, Needs, Output, Potential, Request, Scratch};
use std::sync::Mutex;

/// The Python exception of the last failed callback, waiting to be raised.
/// Kept with the message of the engine error it became, so that it replaces only that error.
static PENDING: Mutex<Option<(String, PyErr)>> = Mutex::new(None);

/// Take the Python exception a callback raised, to raise it in place of the engine error it
/// caused: only when `message` (the error about to be raised) carries that engine error's
/// message. Any other error finds it stale and it is dropped, so it can never stand in for an
/// unrelated later error.
pub fn take_pending(message: &str) -> Option<PyErr> {
    let (engine_msg, original) = PENDING.lock().ok()?.take()?;
    message.contains(&engine_msg).then_some(original)
}

/// An ASE calculator seen as a potential.
pub struct CallbackPotential {
    adapter: Py<PyAny>,
    /// `ase:<calculator class>`.
    name: String,
    fingerprint: String,
    /// One evaluation at a time: the adapter keeps one `Atoms` object and the calculator its
    /// state, and Python may switch threads inside a call. Taken before the GIL, never after.
    serial: Mutex<()>,
}

impl std::fmt::Debug for CallbackPotential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallbackPotential({})", self.name)
    }
}

fn bad(name: &str, reason: String) -> Error {
    Error::InvalidParameter { name: "ASE calculator".into(), value: name.to_string(), reason }
}

impl CallbackPotential {
    fn call(&self, py: Python<'_>, config: &Configuration<'_>, req: Request, out: &mut Output) -> std::result::Result<(), CallbackError> {
        let n = config.len();
        let h = config.cell.matrix();
        let cell = Array2::from_shape_vec((3, 3), h.iter().flatten().copied().collect()).map_err(|e| CallbackError::Engine(bad(&self.name, e.to_string())))?;
        let pos = Array2::from_shape_vec((n, 3), config.positions.iter().flatten().copied().collect())
            .map_err(|e| CallbackError::Engine(bad(&self.name, e.to_string())))?;
        let symbols: Vec<&str> = config.types.iter().map(|&t| config.species[t].as_str()).collect();
        let per_atom = req.per_atom_energy || req.per_atom_virial;
        let args = (cell.into_pyarray(py), pos.into_pyarray(py), symbols, per_atom);
        let r = self.adapter.bind(py).call1(args).map_err(CallbackError::Python)?;
        let t = r.cast::<PyTuple>().map_err(|e| CallbackError::Python(e.into()))?;
        if t.len() != 5 {
            return Err(CallbackError::Engine(bad(&self.name, format!("adapter returned {} values, expected 5", t.len()))));
        }
        let energy: f64 = t.get_item(0).and_then(|x| x.extract()).map_err(CallbackError::Python)?;
        let forces = t.get_item(1).map_err(CallbackError::Python)?.extract::<PyReadonlyArray2<f64>>().map_err(|e| CallbackError::Python(e.into()))?;
        let stress = t.get_item(2).map_err(CallbackError::Python)?.extract::<PyReadonlyArray1<f64>>().map_err(|e| CallbackError::Python(e.into()))?;
        let f = forces.as_array();
        let s = stress.as_array();
        if f.shape() != [n, 3] {
            return Err(CallbackError::Engine(bad(&self.name, format!("forces have shape {:?}, expected ({n}, 3)", f.shape()))));
        }
        if s.len() != 6 {
            return Err(CallbackError::Engine(bad(&self.name, format!("stress has {} components, expected 6 (Voigt)", s.len()))));
        }
        let volume = config.cell.volume();
        let finite = |v: f64, what: &str, i: usize| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(CallbackError::Engine(Error::NonFinite { what: format!("{what} from {}", self.name), index: i }))
            }
        };
        out.energy += finite(energy, "energy", 0)?;
        for i in 0..n {
            for k in 0..3 {
                out.forces[i][k] += finite(f[[i, k]], "force", i)?;
            }
        }
        for k in 0..6 {
            out.virial[k] -= finite(s[k], "stress", k)? * volume;
        }
        if req.per_atom_energy {
            let e = t.get_item(3).map_err(CallbackError::Python)?;
            if e.is_none() {
                // Not provided: left empty, so a consumer that needs them (the heat flux) says so.
                out.per_atom_energy.clear();
            } else {
            let e = e.extract::<PyReadonlyArray1<f64>>().map_err(|e| CallbackError::Python(e.into()))?;
            let e = e.as_array();
            if e.len() != n {
                return Err(CallbackError::Engine(bad(&self.name, format!("{} per-atom energies for {n} atoms", e.len()))));
            }
            for i in 0..n {
                out.per_atom_energy[i] += finite(e[i], "per-atom energy", i)?;
            }
            }
        }
        if req.per_atom_virial {
            let w = t.get_item(4).map_err(CallbackError::Python)?;
            if w.is_none() {
                out.per_atom_virial.clear();
            } else {
            let w = w.extract::<PyReadonlyArray2<f64>>().map_err(|e| CallbackError::Python(e.into()))?;
            let w = w.as_array();
            if w.shape() != [n, 6] {
                return Err(CallbackError::Engine(bad(&self.name, format!("per-atom stresses have shape {:?}, expected ({n}, 6)", w.shape()))));
            }
            for i in 0..n {
                for k in 0..6 {
                    out.per_atom_virial[i][k] -= finite(w[[i, k]], "per-atom stress", i)? * volume;
                }
            }
            }
        }
        Ok(())
    }
}

enum CallbackError {
    Python(PyErr),
    Engine(Error),
}

impl Potential for CallbackPotential {
    fn pair_style(&self) -> &str {
        &self.name
    }
    fn cutoff(&self) -> f64 {
        0.0
    }
    fn needs(&self) -> Needs {
        Needs::whole_configuration()
    }
    fn species(&self) -> Vec<String> {
        Vec::new()
    }
    /// The calculator decides which species it describes (it raises otherwise).
    fn check_species(&self, _species: &[String]) -> Result<()> {
        Ok(())
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, _scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let _one = self.serial.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match Python::attach(|py| self.call(py, config, req, out)) {
            Ok(()) => Ok(()),
            Err(CallbackError::Engine(e)) => Err(e),
            Err(CallbackError::Python(e)) => {
                let msg = Python::attach(|py| e.to_string_bound_or(py));
                let engine = bad(&self.name, format!("the calculator raised {msg}"));
                if let Ok(mut p) = PENDING.lock() {
                    *p = Some((engine.to_string(), e));
                }
                Err(engine)
            }
        }
    }
    fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }
}

trait ErrText {
    fn to_string_bound_or(&self, py: Python<'_>) -> String;
}

impl ErrText for PyErr {
    fn to_string_bound_or(&self, py: Python<'_>) -> String {
        let ty = self.get_type(py).name().map(|s| s.to_string()).unwrap_or_else(|_| "an exception".into());
        format!("{ty}: {}", self.value(py))
    }
}

/// Wrap a Python adapter (see the module docs) as a potential. `name` is the calculator's
/// class name; `fingerprint` identifies the calculator and its parameters in provenance.
#[pyfunction]
fn callback_potential(adapter: Py<PyAny>, name: String, fingerprint: String) -> PyResult<crate::md::PyPotential> {
    if name.is_empty() {
        return Err(CalculationFailed::new_err("callback potential needs a name"));
    }
    let p = CallbackPotential { adapter, name: format!("ase:{name}"), fingerprint, serial: Mutex::new(()) };
    Ok(crate::md::PyPotential { inner: std::sync::Arc::new(p) })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(callback_potential, m)?)?;
    Ok(())
}

//! A molecular-dynamics run: state, force evaluator and integrator, plus outputs (thermo rows,
//! trajectory) at their strides, interruption and checkpoint/resume.

use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::integrators::{Integrator, MdState};
use crate::potentials::{Potential, Request};
use crate::structure::Structure;
use crate::thermo::ThermoRow;
use crate::trajectory::TrajectoryWriter;
use crate::velocities::maxwell_boltzmann;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Serializable snapshot of a run, enough to resume it exactly.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    pub state: MdState,
    pub timestep: f64,
    pub thermo: Vec<ThermoRow>,
    /// Potential fingerprint; resuming with another potential is refused.
    pub potential: String,
    /// Integrator name and internal state (thermostat/barostat variables, noise stream).
    #[serde(default)]
    pub integrator: String,
    #[serde(default)]
    pub integrator_state: serde_json::Value,
    pub version: String,
}

/// An MD simulation.
#[derive(Debug)]
pub struct Simulation {
    pub state: MdState,
    pub evaluator: Evaluator,
    pub integrator: Box<dyn Integrator>,
    /// Time step, ps.
    pub timestep: f64,
    /// Record a thermo row every this many steps (0 = never).
    pub thermo_every: u64,
    /// Recorded thermo rows.
    pub thermo: Vec<ThermoRow>,
    /// Optional trajectory output.
    pub trajectory: Option<TrajectoryWriter>,
    ready: bool,
    /// Whether the run's parameters are fixed (done once, at the first [`Simulation::setup`]).
    pinned: bool,
    /// The potential as given, when the evaluator holds a copy pinned for the run
    /// ([`Potential::pinned_for_run`]); checkpoints name this one.
    unpinned: Option<Arc<dyn Potential>>,
}

impl Simulation {
    /// New simulation; velocities start at zero. `timestep` in ps, `skin` in Å,
    /// `threads` = 0 for all cores.
    pub fn new(
        structure: Structure,
        potential: Arc<dyn Potential>,
        integrator: Box<dyn Integrator>,
        timestep: f64,
        skin: f64,
        threads: usize,
    ) -> Result<Self> {
        structure.validate()?;
        potential.check_species(&structure.species)?;
        if !(timestep.is_finite() && timestep > 0.0) {
            return Err(Error::invalid("timestep", timestep, "must be positive (ps)"));
        }
        let n = structure.len();
        let evaluator = Evaluator::new(potential, skin, threads)?;
        Ok(Simulation {
            state: MdState { structure, velocities: vec![[0.0; 3]; n], step: 0, time: 0.0 },
            evaluator,
            integrator,
            timestep,
            thermo_every: 0,
            thermo: Vec::new(),
            trajectory: None,
            ready: false,
            pinned: false,
            unpinned: None,
        })
    }

    /// The potential as given (the evaluator may hold a copy pinned for the run, see
    /// [`Simulation::setup`]).
    pub fn potential(&self) -> &Arc<dyn Potential> {
        self.unpinned.as_ref().unwrap_or_else(|| self.evaluator.potential())
    }

    /// Set velocities (Å/ps).
    pub fn set_velocities(&mut self, v: Vec<Vec3>) -> Result<()> {
        if v.len() != self.state.structure.len() {
            return Err(Error::Shape(format!("{} velocities for {} atoms", v.len(), self.state.structure.len())));
        }
        for (i, x) in v.iter().enumerate() {
            if !x.iter().all(|c| c.is_finite()) {
                return Err(Error::NonFinite { what: "velocity".into(), index: i });
            }
        }
        self.state.velocities = v;
        Ok(())
    }

    /// Maxwell–Boltzmann velocities at `temperature` (K), zero momentum, from `seed`.
    pub fn create_velocities(&mut self, temperature: f64, seed: u64) -> Result<()> {
        let v = maxwell_boltzmann(&self.state.structure.masses, temperature, seed)?;
        self.set_velocities(v)
    }

    /// Compute forces, energy and virial of the current state (and record a thermo row).
    ///
    /// The first setup also fixes, for the rest of this simulation, the parameters LAMMPS
    /// chooses once per `run` (`KSpace::init`): coul/long's g and PPPM mesh are chosen on the
    /// current cell and kept while an NPT box changes, and only the geometry (Ewald k-vector
    /// limits and vectors, the PPPM influence function) follows the cell, as LAMMPS's
    /// `KSpace::setup` after each box change ([`Potential::pinned_for_run`]). A simulation
    /// restored from a checkpoint into a new `Simulation` chooses them on the restored cell, as
    /// a LAMMPS `run` after `read_restart` does.
    pub fn setup(&mut self) -> Result<()> {
        if !self.pinned {
            self.unpinned = self.evaluator.pin_for_run(&self.state.structure)?;
            self.pinned = true;
        }
        self.evaluator.request = Request::global();
        self.evaluator.compute(&self.state.structure)?;
        self.ready = true;
        if self.thermo_every > 0 && self.thermo.last().map(|r| r.step) != Some(self.state.step) {
            self.thermo.push(self.current_thermo());
        }
        Ok(())
    }

    /// Thermo row of the current state (energy and virial of the last evaluation).
    pub fn current_thermo(&self) -> ThermoRow {
        let o = &self.evaluator.output;
        let s = &self.state;
        ThermoRow::new(s.step, s.time, &s.structure.masses, &s.velocities, o.energy, &o.virial, s.structure.cell.volume())
    }

    /// Run `nsteps` steps. `progress(done)` is called after every step; returning false
    /// interrupts the run cleanly (state, thermo and trajectory stay consistent). Returns the
    /// number of steps done.
    pub fn run(&mut self, nsteps: u64, mut progress: impl FnMut(u64) -> bool + Send) -> Result<u64> {
        if !self.ready {
            self.setup()?;
        }
        // the whole loop runs in the evaluator's pool, so integrators' parallel loops use it too
        let pool = self.evaluator.pool();
        pool.install(|| self.run_steps(nsteps, &mut progress))
    }

    fn run_steps(&mut self, nsteps: u64, progress: &mut (impl FnMut(u64) -> bool + Send)) -> Result<u64> {
        for done in 1..=nsteps {
            let next = self.state.step + 1;
            let want_thermo = self.thermo_every > 0 && next % self.thermo_every == 0;
            let want_traj = self.trajectory.as_ref().is_some_and(|t| next % t.stride == 0);
            let want = want_thermo || want_traj || done == nsteps;
            self.evaluator.request = if want { Request::global() } else { Request::default() };
            self.integrator.step(&mut self.state, &mut self.evaluator, self.timestep)?;
            if want_thermo {
                self.thermo.push(self.current_thermo());
            }
            if want_traj {
                let o = &self.evaluator.output;
                let s = &self.state;
                if let Some(t) = self.trajectory.as_mut() {
                    t.write_frame(&s.structure, &s.velocities, &o.forces, o.energy, s.step, s.time)?;
                }
            }
            if !progress(done) {
                return Ok(done);
            }
        }
        Ok(nsteps)
    }

    /// Snapshot for resuming later. The neighbour list is rebuilt at the next step, as it is
    /// after `restore`, so a resumed run is bit-identical to the uninterrupted one.
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.evaluator.invalidate();
        self.ready = false;
        Checkpoint {
            state: self.state.clone(),
            timestep: self.timestep,
            thermo: self.thermo.clone(),
            potential: self.potential().fingerprint(),
            integrator: self.integrator.name().to_string(),
            integrator_state: self.integrator.save_state(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Restore a snapshot taken with the same potential.
    pub fn restore(&mut self, c: Checkpoint) -> Result<()> {
        if c.potential != self.potential().fingerprint() {
            return Err(Error::invalid("checkpoint", "potential", "was written with a different potential"));
        }
        if !c.integrator.is_empty() && c.integrator != self.integrator.name() {
            return Err(Error::invalid(
                "checkpoint",
                &c.integrator,
                &format!("was written by integrator '{}', this simulation uses '{}'", c.integrator, self.integrator.name()),
            ));
        }
        c.state.structure.validate()?;
        self.integrator.load_state(&c.integrator_state)?;
        self.state = c.state;
        self.timestep = c.timestep;
        self.thermo = c.thermo;
        self.evaluator.invalidate();
        self.ready = false;
        Ok(())
    }
}

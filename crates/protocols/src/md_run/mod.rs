//! The one MD-run driver of the protocols: the shared option block ([`MdRunOptions`], resolved
//! against each protocol's defaults into an [`MdRun`]), the thermostat choice ([`Thermostat`],
//! built by the engine's integrator factory `scalebridge_md::integrators::factory`), the shared
//! checks of the run options ([`validate_common`]), NVT equilibration from seeded
//! Maxwell–Boltzmann velocities ([`equilibrated`]) and a stepping loop with sampling, progress
//! and interruption ([`drive`], [`run_steps`]).

mod options;
pub use options::{resolved, DenyUnknownKeys, MdRun, MdRunOptions, Resolve, WithMdRun};

pub use crate::report::run_steps;
use crate::report::Progress;
use scalebridge_md::error::{Error, Result};
use scalebridge_md::integrators::factory::{self, EnsembleSpec};
use scalebridge_md::integrators::{Integrator, VelocityVerlet};
use scalebridge_md::potentials::{Potential, Request};
use scalebridge_md::simulation::Simulation;
use scalebridge_md::structure::Structure;
use scalebridge_md::velocities::zero_momentum;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Thermostat of the NVT equilibration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Thermostat {
    /// Nosé–Hoover chain (LAMMPS `fix nvt`), deterministic, conserves momentum.
    #[default]
    NoseHoover,
    /// Langevin (BAOAB) with noise seeded by the run's seed; the centre-of-mass velocity it
    /// gives is removed before the NVE stage.
    Langevin,
}

/// Checks shared by the thermal-conductivity protocols (the MD block is checked when it is
/// resolved, [`MdRunOptions::run`]).
pub fn validate_common(temperature: f64, seeds: &[u64]) -> Result<()> {
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(Error::invalid("temperature", temperature, "must be positive (K)"));
    }
    if seeds.is_empty() {
        return Err(Error::invalid("seeds", "[]", "give at least one seed"));
    }
    for (i, s) in seeds.iter().enumerate() {
        if seeds[..i].contains(s) {
            return Err(Error::invalid("seeds", s, "seeds must be distinct (a repeated seed repeats the same run)"));
        }
    }
    Ok(())
}

/// Where a stage stands in a protocol's progress: steps done before it, planned in all, and
/// its name.
#[derive(Clone, Copy, Debug)]
pub struct Stage<'a> {
    pub base: u64,
    pub total: u64,
    pub name: &'a str,
}

impl MdRun {
    /// A simulation of `structure` with `integrator` at this block's time step, skin and threads.
    pub fn simulation(&self, structure: Structure, potential: &Arc<dyn Potential>, integrator: Box<dyn Integrator>) -> Result<Simulation> {
        Simulation::new(structure, potential.clone(), integrator, self.timestep, self.skin, self.threads)
    }

    /// This block's NVT integrator at `temperature` (its thermostat, damping and `seed`).
    pub fn nvt(&self, temperature: f64, seed: u64) -> Result<Box<dyn Integrator>> {
        thermostat(self.thermostat, temperature, self.thermostat_damping, seed)
    }

    /// This block's MTK NPT integrator at `temperature` K and hydrostatic `pressure` eV/Å³.
    pub fn npt(&self, temperature: f64, pressure: f64, coupling: &str) -> Result<Box<dyn Integrator>> {
        npt(temperature, self.thermostat_damping, pressure, self.pressure_damping, coupling)
    }
}

/// An MTK NPT integrator (the engine's factory) at `temperature` K and hydrostatic pressure
/// `pressure` eV/Å³, with box `coupling` (`iso`, `aniso`, `tri`).
pub fn npt(temperature: f64, damping: f64, pressure: f64, pressure_damping: f64, coupling: &str) -> Result<Box<dyn Integrator>> {
    let spec = EnsembleSpec {
        temperature: Some(temperature),
        damping: Some(damping),
        pressure: Some([pressure, pressure, pressure, 0.0, 0.0, 0.0]),
        pressure_damping,
        coupling: coupling.into(),
        ..EnsembleSpec::default()
    };
    factory::make("npt", &spec)
}

/// Integrator of the equilibration stage.
pub fn thermostat(kind: Thermostat, temperature: f64, damping: f64, seed: u64) -> Result<Box<dyn Integrator>> {
    let name = match kind {
        Thermostat::NoseHoover => "nvt",
        Thermostat::Langevin => "nvt-langevin",
    };
    factory::make(name, &EnsembleSpec { temperature: Some(temperature), damping: Some(damping), seed, ..EnsembleSpec::default() })
}

/// A simulation of `structure` with velocities at `temperature` from `seed`, equilibrated
/// for `md.equilibration_steps` NVT steps (the block's thermostat) and switched to NVE with
/// zero total momentum; forces are current.
pub fn equilibrated(
    structure: &Structure,
    potential: &Arc<dyn Potential>,
    md: &MdRun,
    temperature: f64,
    seed: u64,
    progress: &mut dyn Progress,
    at: Stage<'_>,
) -> Result<Simulation> {
    let mut sim = md.simulation(structure.clone(), potential, md.nvt(temperature, seed)?)?;
    sim.create_velocities(temperature, seed)?;
    sim.setup()?;
    if md.equilibration_steps > 0 {
        run_steps(&mut sim, md.equilibration_steps, progress, at.base, at.total, at.name)?;
    }
    let masses = sim.state.structure.masses.clone();
    zero_momentum(&masses, &mut sim.state.velocities);
    sim.integrator = Box::new(VelocityVerlet);
    Ok(sim)
}

/// Run `steps` steps of `sim`'s integrator, evaluating `request` on steps that are multiples
/// of `every` (forces only otherwise) and calling `after(sim, step)` after every step
/// (`step` = 1 … `steps`). Progress is reported as `base + step` of `total` every 100 steps;
/// an interruption becomes [`Error::Interrupted`]. Runs inside the evaluator's thread pool.
#[allow(clippy::too_many_arguments)]
pub fn drive(
    sim: &mut Simulation,
    steps: u64,
    every: u64,
    request: Request,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
    stage: &str,
    mut after: impl FnMut(&mut Simulation, u64) -> Result<()> + Send,
) -> Result<()> {
    let pool = sim.evaluator.pool();
    pool.install(|| {
        for step in 1..=steps {
            sim.evaluator.request = if every > 0 && step % every == 0 { request } else { Request::default() };
            let dt = sim.timestep;
            sim.integrator.step(&mut sim.state, &mut sim.evaluator, dt)?;
            after(sim, step)?;
            if (step % 100 == 0 || step == steps) && !progress.update(base + step, total, stage) {
                return Err(Error::Interrupted { what: stage.to_string(), done: base + step });
            }
        }
        Ok(())
    })
}


/// Full pressure tensor of the current state, eV/Å³, Voigt (xx yy zz yz xz xy, compression
/// positive): `(Σ m v⊗v + W) / V` from the kinetic tensor and the virial of the last evaluation.
pub fn pressure_tensor(sim: &Simulation) -> [f64; 6] {
    let s = &sim.state.structure;
    let kt = scalebridge_md::velocities::kinetic_tensor(&s.masses, &sim.state.velocities);
    let w = &sim.evaluator.output.virial;
    let v = s.cell.volume();
    std::array::from_fn(|k| (kt[k] + w[k]) / v)
}

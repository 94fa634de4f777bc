//! Velocity Verlet (LAMMPS `fix nve`): microcanonical dynamics.
//!
//! `v(t+½Δt) = v(t) + ½Δt F(t)/m`, `r(t+Δt) = r(t) + Δt v(t+½Δt)`,
//! `v(t+Δt) = v(t+½Δt) + ½Δt F(t+Δt)/m`, with `F/m` converted by `ftm2v`.
//! Time-reversible and symplectic: the energy error is bounded, O(Δt²), with no secular drift
//! beyond round-off and neighbour-list truncation.

use super::{Integrator, MdState};
use crate::error::Result;
use crate::evaluator::Evaluator;
use crate::units::FTM2V;
use rayon::prelude::*;

/// Velocity Verlet integrator.
#[derive(Clone, Debug, Default)]
pub struct VelocityVerlet;

/// Half kick `v += ½ dt F/m`.
pub fn half_kick(state: &mut MdState, forces: &[[f64; 3]], dt: f64) {
    let h = 0.5 * dt * FTM2V;
    state.velocities.par_iter_mut().zip(forces.par_iter().zip(state.structure.masses.par_iter())).with_min_len(4096).for_each(
        |(v, (f, m))| {
            let s = h / m;
            v[0] += s * f[0];
            v[1] += s * f[1];
            v[2] += s * f[2];
        },
    );
}

/// Drift `r += dt v`.
pub fn drift(state: &mut MdState, dt: f64) {
    state.structure.positions.par_iter_mut().zip(state.velocities.par_iter()).with_min_len(4096).for_each(|(r, v)| {
        r[0] += dt * v[0];
        r[1] += dt * v[1];
        r[2] += dt * v[2];
    });
}

impl Integrator for VelocityVerlet {
    fn name(&self) -> &str {
        "nve"
    }
    fn step(&mut self, state: &mut MdState, eval: &mut Evaluator, dt: f64) -> Result<()> {
        half_kick(state, &eval.output.forces, dt);
        drift(state, dt);
        eval.compute(&state.structure)?;
        half_kick(state, &eval.output.forces, dt);
        state.step += 1;
        state.time += dt;
        Ok(())
    }
}

//! Langevin dynamics, BAOAB splitting (Leimkuhler & Matthews, J. Chem. Phys. 138, 174102 (2013)):
//! half kick (B), half drift (A), exact Ornstein–Uhlenbeck velocity update (O), half drift,
//! force evaluation, half kick. Samples the canonical ensemble of all 3N velocity components
//! (the centre of mass is thermalised too). Seeded: the same seed gives the same trajectory.

use super::velocity_verlet::half_kick;
use super::{Integrator, MdState};
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::units::{BOLTZMANN, MVV2E};
use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, StandardNormal};

/// Langevin thermostat with BAOAB integration.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Langevin {
    /// Target temperature, K.
    pub temperature: f64,
    /// Damping time 1/γ, ps.
    pub damping: f64,
    rng: ChaCha12Rng,
}

impl Langevin {
    /// `temperature` in K, `damping` (1/γ) in ps, `seed` for the noise.
    pub fn new(temperature: f64, damping: f64, seed: u64) -> Result<Self> {
        if !(temperature.is_finite() && temperature >= 0.0) {
            return Err(Error::invalid("temperature", temperature, "must be non-negative (K)"));
        }
        if !(damping.is_finite() && damping > 0.0) {
            return Err(Error::invalid("damping", damping, "must be positive (ps)"));
        }
        Ok(Langevin { temperature, damping, rng: ChaCha12Rng::seed_from_u64(seed) })
    }
}

fn half_drift(state: &mut MdState, dt: f64) {
    for (r, v) in state.structure.positions.iter_mut().zip(&state.velocities) {
        for k in 0..3 {
            r[k] += 0.5 * dt * v[k];
        }
    }
}

impl Integrator for Langevin {
    super::serde_state!();
    fn name(&self) -> &str {
        "langevin/baoab"
    }
    fn step(&mut self, state: &mut MdState, eval: &mut Evaluator, dt: f64) -> Result<()> {
        half_kick(state, &eval.output.forces, dt);
        half_drift(state, dt);
        let c1 = (-dt / self.damping).exp();
        let c2 = (1.0 - c1 * c1).max(0.0).sqrt();
        let kt = BOLTZMANN * self.temperature;
        for (v, m) in state.velocities.iter_mut().zip(&state.structure.masses) {
            let s = c2 * (kt / (m * MVV2E)).sqrt();
            for c in v.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut self.rng);
                *c = c1 * *c + s * z;
            }
        }
        half_drift(state, dt);
        eval.compute(&state.structure)?;
        half_kick(state, &eval.output.forces, dt);
        state.step += 1;
        state.time += dt;
        Ok(())
    }
}

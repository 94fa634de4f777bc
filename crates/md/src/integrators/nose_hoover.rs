//! Nosé–Hoover chain thermostat (LAMMPS `fix nvt`): velocity Verlet with a chain of
//! thermostats (Martyna, Klein, Tuckerman, J. Chem. Phys. 97, 2635 (1992)) integrated by the
//! Trotter splitting of Martyna et al., Mol. Phys. 87, 1117 (1996), exactly as LAMMPS's
//! `FixNH::nhc_temp_integrate` (chain length 3, one loop, masses `Q₁ = N_f k T τ²`,
//! `Q_k = k T τ²`). Deterministic.

use super::velocity_verlet::{drift, half_kick};
use super::{Integrator, MdState};
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::units::BOLTZMANN;
use crate::velocities::{degrees_of_freedom, kinetic_energy};

/// State and parameters of a Nosé–Hoover chain acting on a kinetic energy.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NoseHooverChain {
    /// Target temperature, K.
    pub temperature: f64,
    /// Damping time τ, ps (LAMMPS `Tdamp`).
    pub damping: f64,
    pub eta: Vec<f64>,
    pub eta_dot: Vec<f64>,
    eta_dotdot: Vec<f64>,
    eta_mass: Vec<f64>,
}

impl NoseHooverChain {
    /// Chain of `length` thermostats (LAMMPS default 3).
    pub fn new(temperature: f64, damping: f64, length: usize) -> Result<Self> {
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(Error::invalid("temperature", temperature, "must be positive (K)"));
        }
        if !(damping.is_finite() && damping > 0.0) {
            return Err(Error::invalid("damping", damping, "must be positive (ps)"));
        }
        if length == 0 {
            return Err(Error::invalid("chain length", length, "must be at least 1"));
        }
        Ok(NoseHooverChain {
            temperature,
            damping,
            eta: vec![0.0; length],
            eta_dot: vec![0.0; length + 1],
            eta_dotdot: vec![0.0; length],
            eta_mass: vec![0.0; length],
        })
    }

    /// Half-step chain update (LAMMPS `nhc_temp_integrate`); returns the velocity scale factor.
    /// `ke2` is twice the current kinetic energy (`N_f k T_current`), `tdof` the degrees of freedom.
    pub fn half_step(&mut self, ke2: f64, tdof: f64, dt: f64) -> f64 {
        self.half_step_impl(ke2, tdof, tdof, dt)
    }

    /// Chain update for a barostat (LAMMPS `nhc_press_integrate`): every chain mass is `kT τ²`
    /// and the first element drives `ke2` towards `dof·kT`.
    pub fn half_step_with_first_mass(&mut self, ke2: f64, dof: f64, dt: f64) -> f64 {
        self.half_step_impl(ke2, dof, 1.0, dt)
    }

    fn half_step_impl(&mut self, ke2: f64, tdof: f64, mass_dof: f64, dt: f64) -> f64 {
        let m = self.eta.len();
        let kt = BOLTZMANN * self.temperature;
        let tfreq = 1.0 / self.damping;
        let (dthalf, dt4, dt8) = (0.5 * dt, 0.25 * dt, 0.125 * dt);
        self.eta_mass[0] = mass_dof * kt / (tfreq * tfreq);
        for k in 1..m {
            self.eta_mass[k] = kt / (tfreq * tfreq);
        }
        if m > 1 {
            // LAMMPS recomputes the upper accelerations from the current chain before the loop
            for k in 1..m {
                self.eta_dotdot[k] = (self.eta_mass[k - 1] * self.eta_dot[k - 1] * self.eta_dot[k - 1] - kt) / self.eta_mass[k];
            }
        }
        let ke_target = tdof * kt;
        let mut kecurrent = ke2;
        self.eta_dotdot[0] = (kecurrent - ke_target) / self.eta_mass[0];
        for k in (1..m).rev() {
            let e = (-dt8 * self.eta_dot[k + 1]).exp();
            self.eta_dot[k] *= e;
            self.eta_dot[k] += self.eta_dotdot[k] * dt4;
            self.eta_dot[k] *= e;
        }
        let expfac = (-dt8 * self.eta_dot[1]).exp();
        self.eta_dot[0] *= expfac;
        self.eta_dot[0] += self.eta_dotdot[0] * dt4;
        self.eta_dot[0] *= expfac;
        let factor = (-dthalf * self.eta_dot[0]).exp();
        kecurrent *= factor * factor;
        self.eta_dotdot[0] = (kecurrent - ke_target) / self.eta_mass[0];
        for k in 0..m {
            self.eta[k] += dthalf * self.eta_dot[k];
        }
        self.eta_dot[0] *= expfac;
        self.eta_dot[0] += self.eta_dotdot[0] * dt4;
        self.eta_dot[0] *= expfac;
        for k in 1..m {
            let e = (-dt8 * self.eta_dot[k + 1]).exp();
            self.eta_dot[k] *= e;
            self.eta_dotdot[k] = (self.eta_mass[k - 1] * self.eta_dot[k - 1] * self.eta_dot[k - 1] - kt) / self.eta_mass[k];
            self.eta_dot[k] += self.eta_dotdot[k] * dt4;
            self.eta_dot[k] *= e;
        }
        factor
    }

    /// Energy stored in the chain (conserved-quantity bookkeeping), eV.
    pub fn energy(&self, tdof: f64) -> f64 {
        let kt = BOLTZMANN * self.temperature;
        let mut e = 0.0;
        for k in 0..self.eta.len() {
            e += 0.5 * self.eta_mass[k] * self.eta_dot[k] * self.eta_dot[k];
            e += if k == 0 { tdof * kt * self.eta[0] } else { kt * self.eta[k] };
        }
        e
    }
}

/// NVT with a Nosé–Hoover chain (LAMMPS `fix nvt temp T T Tdamp`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NoseHoover {
    pub chain: NoseHooverChain,
}

impl NoseHoover {
    /// `temperature` K, `damping` ps (LAMMPS suggests ~100 time steps), chain length 3.
    pub fn new(temperature: f64, damping: f64) -> Result<Self> {
        Ok(NoseHoover { chain: NoseHooverChain::new(temperature, damping, 3)? })
    }
}

pub(crate) fn scale_velocities(state: &mut MdState, f: f64) {
    for v in state.velocities.iter_mut() {
        for c in v.iter_mut() {
            *c *= f;
        }
    }
}

impl Integrator for NoseHoover {
    super::serde_state!();
    fn name(&self) -> &str {
        "nvt"
    }
    fn step(&mut self, state: &mut MdState, eval: &mut Evaluator, dt: f64) -> Result<()> {
        let tdof = degrees_of_freedom(state.structure.len());
        let ke2 = 2.0 * kinetic_energy(&state.structure.masses, &state.velocities);
        let f = self.chain.half_step(ke2, tdof, dt);
        scale_velocities(state, f);
        half_kick(state, &eval.output.forces, dt);
        drift(state, dt);
        eval.compute(&state.structure)?;
        half_kick(state, &eval.output.forces, dt);
        let ke2 = 2.0 * kinetic_energy(&state.structure.masses, &state.velocities);
        let f = self.chain.half_step(ke2, tdof, dt);
        scale_velocities(state, f);
        state.step += 1;
        state.time += dt;
        Ok(())
    }
}

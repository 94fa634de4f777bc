//! Berendsen weak coupling (J. Chem. Phys. 81, 3684 (1984)) for quick equilibration; it does not
//! sample the canonical ensemble. Thermostat as LAMMPS `fix temp/berendsen`
//! (`λ = √(1 + Δt/τ_T (T₀/T − 1))` applied after each velocity-Verlet step); optional barostat as
//! LAMMPS `fix press/berendsen` (`μ_k = [1 − Δt/τ_P (P₀ − P_k)/B]^{1/3}`, isotropic or per axis).

use super::nose_hoover::scale_velocities;
use super::velocity_verlet::{drift, half_kick};
use super::{Integrator, MdState};
use crate::cell::Cell;
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::velocities::{kinetic_tensor, temperature};

/// Berendsen barostat settings (pressures in eV/Å³, compression positive).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct BerendsenBarostat {
    /// Target pressure, eV/Å³.
    pub pressure: f64,
    /// Coupling time τ_P, ps.
    pub damping: f64,
    /// Bulk modulus estimate B, eV/Å³ (sets the coupling strength).
    pub bulk_modulus: f64,
    /// Scale the three axes independently (otherwise isotropically).
    pub anisotropic: bool,
}

/// Berendsen thermostat, optionally with a barostat.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Berendsen {
    /// Target temperature, K.
    pub temperature: f64,
    /// Coupling time τ_T, ps.
    pub damping: f64,
    pub barostat: Option<BerendsenBarostat>,
}

impl Berendsen {
    pub fn new(temperature: f64, damping: f64, barostat: Option<BerendsenBarostat>) -> Result<Self> {
        if !(temperature.is_finite() && temperature >= 0.0) {
            return Err(Error::invalid("temperature", temperature, "must be non-negative (K)"));
        }
        if !(damping.is_finite() && damping > 0.0) {
            return Err(Error::invalid("damping", damping, "must be positive (ps)"));
        }
        if let Some(b) = &barostat {
            if !(b.damping.is_finite() && b.damping > 0.0) {
                return Err(Error::invalid("pressure damping", b.damping, "must be positive (ps)"));
            }
            if !(b.bulk_modulus.is_finite() && b.bulk_modulus > 0.0) {
                return Err(Error::invalid("bulk modulus", b.bulk_modulus, "must be positive (eV/Å³)"));
            }
            if !b.pressure.is_finite() {
                return Err(Error::invalid("pressure", b.pressure, "must be finite"));
            }
        }
        Ok(Berendsen { temperature, damping, barostat })
    }
}

impl Integrator for Berendsen {
    super::serde_state!();
    fn name(&self) -> &str {
        "berendsen"
    }
    fn step(&mut self, state: &mut MdState, eval: &mut Evaluator, dt: f64) -> Result<()> {
        if self.barostat.is_some() {
            eval.request.virial = true;
        }
        half_kick(state, &eval.output.forces, dt);
        drift(state, dt);
        eval.compute(&state.structure)?;
        half_kick(state, &eval.output.forces, dt);
        let t = temperature(&state.structure.masses, &state.velocities);
        if t > 0.0 {
            let l2 = 1.0 + dt / self.damping * (self.temperature / t - 1.0);
            scale_velocities(state, l2.max(0.0).sqrt());
        }
        if let Some(b) = &self.barostat {
            let v = state.structure.cell.volume();
            let kt = kinetic_tensor(&state.structure.masses, &state.velocities);
            let w = eval.output.virial;
            let p: Vec<f64> = (0..3).map(|k| (kt[k] + w[k]) / v).collect();
            let mu: [f64; 3] = if b.anisotropic {
                [0, 1, 2].map(|k| (1.0 - dt / b.damping * (b.pressure - p[k]) / b.bulk_modulus).max(0.5).cbrt())
            } else {
                let pm = (p[0] + p[1] + p[2]) / 3.0;
                let m = (1.0 - dt / b.damping * (b.pressure - pm) / b.bulk_modulus).max(0.5).cbrt();
                [m, m, m]
            };
            let h = *state.structure.cell.matrix();
            let old = state.structure.cell.clone();
            let new_h = [0, 1, 2].map(|r| [h[r][0] * mu[0], h[r][1] * mu[1], h[r][2] * mu[2]]);
            let cell = Cell::new(new_h)?;
            for r in state.structure.positions.iter_mut() {
                *r = cell.cartesian(&old.fractional(r));
            }
            state.structure.cell = cell;
        }
        state.step += 1;
        state.time += dt;
        Ok(())
    }
}

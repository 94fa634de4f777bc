//! Options of the `elastic` protocol: one block for both regimes. `temperature == 0` (the
//! default) runs the 0 K protocol ([`StaticOptions`]), a positive temperature the
//! finite-temperature one ([`ThermalOptions`]); the strain defaults to 1e-3 at 0 K and 1e-2 at
//! finite temperature. This is the one place that branch lives (CLI and Python call it).

use super::{StaticOptions, ThermalOptions};
use serde::{Deserialize, Serialize};

/// Options of the `elastic` protocol (every field optional in JSON; defaults as in
/// [`StaticOptions`] and [`ThermalOptions`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticOptions {
    /// Temperature, K; 0 = static constants with internal relaxation.
    pub temperature: f64,
    /// Strain amplitude δ (default 1e-3 at 0 K, 1e-2 at finite temperature).
    pub strain: Option<f64>,
    /// Pressure of the reference state, GPa.
    pub pressure_gpa: f64,
    /// 0 K: relax atoms and cell before straining.
    pub relax_cell: bool,
    /// 0 K: force tolerance of every relaxation, eV/Å.
    pub fmax: f64,
    /// 0 K: tolerance of the ±δ / ±2δ linearity check.
    pub linearity_tol: f64,
    /// Finite T: time step, ps.
    pub timestep: f64,
    /// Finite T: NPT equilibration steps.
    pub npt_steps: u64,
    /// Finite T: NVT equilibration steps per strain.
    pub equilibration_steps: u64,
    /// Finite T: NVT production steps per strain.
    pub production_steps: u64,
    /// Finite T: stress sampling interval, steps.
    pub sample_every: u64,
    /// Finite T: blocks of the standard errors.
    pub blocks: usize,
    /// Finite T: thermostat damping, ps.
    pub damping: f64,
    /// Finite T: barostat damping, ps.
    pub pressure_damping: f64,
    /// Finite T: seed of the initial velocities.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

impl Default for ElasticOptions {
    fn default() -> Self {
        let s = StaticOptions::default();
        let t = ThermalOptions::default();
        ElasticOptions {
            temperature: 0.0,
            strain: None,
            pressure_gpa: 0.0,
            relax_cell: s.relax_cell,
            fmax: s.fmax,
            linearity_tol: s.linearity_tol,
            timestep: t.timestep,
            npt_steps: t.npt_steps,
            equilibration_steps: t.equilibration_steps,
            production_steps: t.production_steps,
            sample_every: t.sample_every,
            blocks: t.blocks,
            damping: t.damping,
            pressure_damping: t.pressure_damping,
            seed: t.seed,
            threads: 0,
        }
    }
}

impl ElasticOptions {
    /// Whether these options select the 0 K protocol.
    pub fn is_static(&self) -> bool {
        self.temperature == 0.0
    }

    /// The 0 K options.
    pub fn static_options(&self) -> StaticOptions {
        StaticOptions {
            strain: self.strain.unwrap_or(StaticOptions::default().strain),
            relax_cell: self.relax_cell,
            pressure_gpa: self.pressure_gpa,
            fmax: self.fmax,
            linearity_tol: self.linearity_tol,
            threads: self.threads,
        }
    }

    /// The finite-temperature options.
    pub fn thermal_options(&self) -> ThermalOptions {
        ThermalOptions {
            temperature: self.temperature,
            pressure_gpa: self.pressure_gpa,
            strain: self.strain.unwrap_or(ThermalOptions::default().strain),
            timestep: self.timestep,
            npt_steps: self.npt_steps,
            equilibration_steps: self.equilibration_steps,
            production_steps: self.production_steps,
            sample_every: self.sample_every,
            blocks: self.blocks,
            damping: self.damping,
            pressure_damping: self.pressure_damping,
            seed: self.seed,
            threads: self.threads,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_zero_selects_static_and_strain_defaults_follow_the_regime() {
        let o: ElasticOptions = serde_json::from_str("{}").expect("defaults");
        assert!(o.is_static());
        assert_eq!(o.static_options().strain, 1e-3);
        let t: ElasticOptions = serde_json::from_str(r#"{"temperature": 300}"#).expect("T");
        assert!(!t.is_static());
        assert_eq!(t.thermal_options().strain, 1e-2);
        assert_eq!(t.thermal_options().temperature, 300.0);
        let s: ElasticOptions = serde_json::from_str(r#"{"strain": 0.002}"#).expect("strain");
        assert_eq!(s.static_options().strain, 0.002);
        assert!(serde_json::from_str::<ElasticOptions>(r#"{"bogus": 1}"#).is_err());
    }
}

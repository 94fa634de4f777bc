//! Options of the `elastic` protocol: one block for both regimes. `temperature == 0` (the
//! default) runs the 0 K protocol ([`StaticOptions`]), a positive temperature the
//! finite-temperature one ([`ThermalOptions`]); the strain defaults to 1e-3 at 0 K and 1e-2 at
//! finite temperature. This is the one place that branch lives (CLI and Python call it).

use super::{StaticOptions, StressSampling, ThermalOptions};
use crate::md_run::{DenyUnknownKeys, MdRunOptions};
use serde::{Deserialize, Serialize};

/// Options of the `elastic` protocol (every field optional in JSON; defaults as in
/// [`StaticOptions`] and [`ThermalOptions`]; the shared MD block and the finite-temperature run
/// lengths are flattened into the same object and used at finite temperature only, except
/// `threads`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
    /// Finite T: run lengths.
    #[serde(flatten)]
    pub sampling: StressSampling,
    /// Finite T: the shared MD-run block (`threads` at 0 K too).
    #[serde(flatten)]
    pub md: MdRunOptions,
    #[serde(flatten)]
    pub unknown: DenyUnknownKeys,
}

crate::with_md_run!(ElasticOptions, super::ELASTIC_MD);

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
            sampling: t.sampling,
            md: t.md,
            unknown: DenyUnknownKeys,
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
            threads: self.md.threads.unwrap_or(0),
        }
    }

    /// The finite-temperature options.
    pub fn thermal_options(&self) -> ThermalOptions {
        ThermalOptions {
            temperature: self.temperature,
            pressure_gpa: self.pressure_gpa,
            strain: self.strain.unwrap_or(ThermalOptions::default().strain),
            sampling: self.sampling.clone(),
            md: self.md.clone(),
            unknown: DenyUnknownKeys,
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
        let e = serde_json::from_str::<ElasticOptions>(r#"{"bogus": 1}"#).expect_err("unknown key").to_string();
        assert!(e.contains("bogus"), "{e}");
        // the documented keys and their aliases reach the shared block
        let a: ElasticOptions = serde_json::from_str(r#"{"temperature": 300, "damping": 0.2, "timestep": 0.001, "npt_steps": 10}"#).expect("keys");
        assert_eq!(a.md.thermostat_damping, Some(0.2));
        assert_eq!(a.thermal_options().md.timestep, Some(0.001));
        assert_eq!(a.thermal_options().sampling.npt_steps, 10);
        let b: ElasticOptions = serde_json::from_str(r#"{"thermostat_damping": 0.2, "timestep_ps": 0.001}"#).expect("aliases");
        assert_eq!((b.md.thermostat_damping, b.md.timestep), (a.md.thermostat_damping, a.md.timestep));
    }
}

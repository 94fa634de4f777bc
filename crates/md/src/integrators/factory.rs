//! One factory for integrators by ensemble name, used by the Python bindings, the protocols and
//! the CLI: `nve`, `nvt-langevin` (BAOAB), `nvt` (Nosé–Hoover chain), `npt` (MTK) or
//! `berendsen` (with a barostat when a pressure is given).

use super::{Berendsen, BerendsenBarostat, Coupling, Integrator, Langevin, NoseHoover, Npt, VelocityVerlet};
use crate::error::{Error, Result};

/// Ensemble settings (all optional except for the ensembles that need them). Pressures are
/// Voigt tensors in eV/Å³ (xx yy zz yz xz xy, compression positive).
#[derive(Clone, Debug)]
pub struct EnsembleSpec {
    /// Target temperature, K.
    pub temperature: Option<f64>,
    /// Thermostat damping time, ps.
    pub damping: Option<f64>,
    /// Seed of the stochastic thermostats.
    pub seed: u64,
    /// Target pressure tensor, eV/Å³ (`None`: no barostat for `berendsen`, zero for `npt`).
    pub pressure: Option<[f64; 6]>,
    /// Barostat damping time, ps.
    pub pressure_damping: f64,
    /// Box coupling of the barostat: `iso`, `aniso` or `tri`.
    pub coupling: String,
    /// Bulk modulus guess of the Berendsen barostat, eV/Å³.
    pub bulk_modulus: Option<f64>,
}

impl Default for EnsembleSpec {
    fn default() -> Self {
        EnsembleSpec { temperature: None, damping: None, seed: 1, pressure: None, pressure_damping: 1.0, coupling: "iso".into(), bulk_modulus: None }
    }
}

/// Ensemble names accepted by [`make`].
pub const ENSEMBLES: &str = "nve, nvt-langevin, nvt, npt, berendsen";

/// Build the integrator of `ensemble` (aliases: `velocity-verlet`, `langevin`, `nvt-nose-hoover`).
pub fn make(ensemble: &str, e: &EnsembleSpec) -> Result<Box<dyn Integrator>> {
    let need = |v: Option<f64>, what: &str| v.ok_or_else(|| Error::invalid("ensemble", ensemble, &format!("it needs {what}")));
    Ok(match ensemble {
        "nve" | "velocity-verlet" => Box::new(VelocityVerlet),
        "nvt-langevin" | "langevin" => Box::new(Langevin::new(need(e.temperature, "temperature")?, need(e.damping, "damping")?, e.seed)?),
        "nvt" | "nvt-nose-hoover" | "nose-hoover" => Box::new(NoseHoover::new(need(e.temperature, "temperature")?, need(e.damping, "damping")?)?),
        "npt" => {
            let c = e.coupling.parse::<Coupling>()?;
            let p = e.pressure.unwrap_or([0.0; 6]);
            Box::new(Npt::new(need(e.temperature, "temperature")?, need(e.damping, "damping")?, p, e.pressure_damping, c)?)
        }
        "berendsen" => {
            let baro = match e.pressure {
                None => None,
                Some(p) => Some(BerendsenBarostat {
                    pressure: (p[0] + p[1] + p[2]) / 3.0,
                    damping: e.pressure_damping,
                    bulk_modulus: need(e.bulk_modulus, "bulk_modulus (eV/Å³) for its barostat")?,
                    anisotropic: e.coupling == "aniso",
                }),
            };
            Box::new(Berendsen::new(need(e.temperature, "temperature")?, need(e.damping, "damping")?, baro)?)
        }
        other => return Err(Error::invalid("ensemble", other, &format!("unknown ensemble (known: {ENSEMBLES})"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_missing_settings() {
        let spec = EnsembleSpec { temperature: Some(300.0), damping: Some(0.1), ..EnsembleSpec::default() };
        for (name, want) in [("nve", "nve"), ("nvt", "nvt"), ("langevin", "langevin"), ("npt", "npt"), ("berendsen", "berendsen")] {
            assert!(make(name, &spec).expect("builds").name().contains(want), "{name}");
        }
        let err = make("nvt", &EnsembleSpec::default()).expect_err("needs temperature").to_string();
        assert!(err.contains("needs temperature"), "{err}");
        let err = make("npx", &spec).expect_err("unknown").to_string();
        assert!(err.contains("unknown ensemble"), "{err}");
    }
}

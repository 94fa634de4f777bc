//! Cutoff Coulomb styles with per-species charges ([`super::charges::Charges`]), evaluated as
//! LAMMPS does in metal units (`qqrd2e` = [`QQR2E_METAL`]):
//!
//! - `coul/cut` ([`CoulCut`]): bare `q_i q_j/r` inside the cutoff (not shifted, as LAMMPS);
//! - `coul/wolf` ([`CoulWolf`]): Wolf et al., J. Chem. Phys. 110, 8254 (1999), LAMMPS
//!   conventions (energy shifted, force damped-shifted, self term per atom);
//! - `coul/dsf` ([`CoulDsf`]): damped shifted force, Fennell & Gezelter, J. Chem. Phys. 124,
//!   234104 (2006), with LAMMPS's polynomial erfc in the pair term and its self term.
//!
//! Every style needs a charge for each species (an error names a missing one) and a neutral
//! cell unless `neutralize` is set (see [`super::charges`]).

pub mod cut;
pub mod dsf;
pub mod wolf;

pub use cut::CoulCut;
pub use dsf::CoulDsf;
pub use wolf::CoulWolf;

pub use super::charges::{erfc, Charges, QQR2E_METAL};
use crate::error::{Error, Result};

/// `√π` (LAMMPS `MY_PIS`).
pub const MY_PIS: f64 = 1.772_453_850_905_516;

/// Check a cutoff and (where the style has one) a damping parameter α.
pub(crate) fn check_cutoff_alpha(style: &str, cutoff: f64, alpha: Option<f64>) -> Result<()> {
    if !(cutoff.is_finite() && cutoff > 0.0) {
        return Err(Error::invalid(&format!("{style} cutoff"), cutoff, "must be positive and finite (Å)"));
    }
    if let Some(a) = alpha {
        if !(a.is_finite() && a >= 0.0) {
            return Err(Error::invalid(&format!("{style} alpha"), a, "must be non-negative and finite (1/Å)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

//! `pair_style coul/cut r_c`: `E = qqrd2e·q_i q_j / r` for `r < r_c` (no shift).

use super::{check_cutoff_alpha, Charges, QQR2E_METAL};
use crate::error::Result;
use crate::potentials::pairwise::compute_pairs;
use crate::potentials::{Configuration, Output, Potential, Request, Scratch};
use serde::Serialize;

/// Cut Coulomb.
#[derive(Clone, Debug, Serialize)]
pub struct CoulCut {
    /// Cutoff, Å.
    pub cutoff: f64,
    /// Per-species charges.
    pub charges: Charges,
}

impl CoulCut {
    /// Validated.
    pub fn new(cutoff: f64, charges: Charges) -> Result<Self> {
        check_cutoff_alpha("coul/cut", cutoff, None)?;
        charges.validate()?;
        Ok(CoulCut { cutoff, charges })
    }
}

impl Potential for CoulCut {
    fn pair_style(&self) -> &str {
        "coul/cut"
    }
    fn cutoff(&self) -> f64 {
        self.cutoff
    }
    fn species(&self) -> Vec<String> {
        self.charges.species()
    }
    fn check_species(&self, species: &[String]) -> Result<()> {
        self.charges.check_species(species, "coul/cut")
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let q = self.charges.per_atom(config, "coul/cut")?;
        let cutsq = self.cutoff * self.cutoff;
        compute_pairs(config, req, scratch, out, |i, j, r2| {
            if r2 >= cutsq {
                return None;
            }
            let r2inv = 1.0 / r2;
            let forcecoul = QQR2E_METAL * q[i] * q[j] * r2inv.sqrt();
            Some((forcecoul, forcecoul * r2inv))
        })
    }
}

//! `pair_style coul/wolf α r_c` with LAMMPS's conventions (`pair_coul_wolf.cpp`):
//! pair energy `qqrd2e·q_i q_j [erfc(αr)/r − erfc(αr_c)/r_c]` (shifted energy), pair force
//! `qqrd2e·q_i q_j [erfc(αr)/r² + 2α/√π·e^{−α²r²}/r + f_shift]` with
//! `f_shift = −(erfc(αr_c)/r_c + 2α/√π·e^{−α²r_c²})/r_c` (the force is also shifted to zero at
//! the cutoff, so it is not exactly the derivative of the energy — LAMMPS's choice, kept), and a
//! self energy `−(erfc(αr_c)/(2r_c) + α/√π)·qqrd2e·q_i²` per atom.

use super::{check_cutoff_alpha, erfc, Charges, MY_PIS, QQR2E_METAL};
use crate::error::Result;
use crate::potentials::pairwise::{add_self_energy, compute_pairs};
use crate::potentials::{Configuration, Output, Potential, Request, Scratch};
use serde::Serialize;

/// Wolf-summed Coulomb.
#[derive(Clone, Debug, Serialize)]
pub struct CoulWolf {
    /// Damping parameter α, 1/Å.
    pub alpha: f64,
    /// Cutoff, Å.
    pub cutoff: f64,
    /// Per-species charges.
    pub charges: Charges,
}

impl CoulWolf {
    /// Validated.
    pub fn new(alpha: f64, cutoff: f64, charges: Charges) -> Result<Self> {
        check_cutoff_alpha("coul/wolf", cutoff, Some(alpha))?;
        charges.validate()?;
        Ok(CoulWolf { alpha, cutoff, charges })
    }
}

impl Potential for CoulWolf {
    fn pair_style(&self) -> &str {
        "coul/wolf"
    }
    fn cutoff(&self) -> f64 {
        self.cutoff
    }
    fn species(&self) -> Vec<String> {
        self.charges.species()
    }
    fn check_species(&self, species: &[String]) -> Result<()> {
        self.charges.check_species(species, "coul/wolf")
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let q = self.charges.per_atom(config, "coul/wolf")?;
        let (alf, rc) = (self.alpha, self.cutoff);
        let e_shift = erfc(alf * rc) / rc;
        let f_shift = -(e_shift + 2.0 * alf / MY_PIS * (-alf * alf * rc * rc).exp()) / rc;
        add_self_energy(req, out, |i| -(e_shift / 2.0 + alf / MY_PIS) * q[i] * q[i] * QQR2E_METAL, q.len());
        let cutsq = rc * rc;
        compute_pairs(config, req, scratch, out, |i, j, rsq| {
            if rsq >= cutsq {
                return None;
            }
            let r = rsq.sqrt();
            let prefactor = QQR2E_METAL * q[i] * q[j] / r;
            let erfcc = erfc(alf * r);
            let erfcd = (-alf * alf * r * r).exp();
            let v_sh = (erfcc - e_shift * r) * prefactor;
            let dvdrr = erfcc / rsq + 2.0 * alf / MY_PIS * erfcd / r + f_shift;
            let forcecoul = dvdrr * rsq * prefactor;
            Some((v_sh, forcecoul / rsq))
        })
    }
}

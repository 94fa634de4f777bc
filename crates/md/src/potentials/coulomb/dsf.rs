//! `pair_style coul/dsf α r_c` with LAMMPS's conventions (`pair_coul_dsf.cpp`): damped shifted
//! force (Fennell & Gezelter 2006). With `f_shift = −(erfc(αr_c)/r_c² + 2α/√π·e^{−α²r_c²}/r_c)`
//! and `e_shift = erfc(αr_c)/r_c − f_shift·r_c` (exact erfc), the pair energy is
//! `qqrd2e·q_i q_j [erfc(αr)/r − e_shift − r·f_shift]` and the self energy per atom
//! `−(e_shift/2 + α/√π)·qqrd2e·q_i²`; inside the cutoff LAMMPS evaluates erfc(αr) with the
//! Abramowitz–Stegun polynomial (7.1.26, |error| < 1.5e-7), and so do we, to give its numbers.

use super::{check_cutoff_alpha, erfc, Charges, MY_PIS, QQR2E_METAL};
use crate::error::Result;
use crate::potentials::pairwise::{add_self_energy, compute_pairs};
use crate::potentials::{Configuration, Output, Potential, Request, Scratch};
use serde::Serialize;

const EWALD_P: f64 = 0.3275911;
const A1: f64 = 0.254829592;
const A2: f64 = -0.284496736;
const A3: f64 = 1.421413741;
const A4: f64 = -1.453152027;
const A5: f64 = 1.061405429;

/// Damped-shifted-force Coulomb.
#[derive(Clone, Debug, Serialize)]
pub struct CoulDsf {
    /// Damping parameter α, 1/Å.
    pub alpha: f64,
    /// Cutoff, Å.
    pub cutoff: f64,
    /// Per-species charges.
    pub charges: Charges,
}

impl CoulDsf {
    /// Validated.
    pub fn new(alpha: f64, cutoff: f64, charges: Charges) -> Result<Self> {
        check_cutoff_alpha("coul/dsf", cutoff, Some(alpha))?;
        charges.validate()?;
        Ok(CoulDsf { alpha, cutoff, charges })
    }

    /// `(e_shift, f_shift)` as LAMMPS's `init_style` computes them.
    pub fn shifts(&self) -> (f64, f64) {
        let (a, rc) = (self.alpha, self.cutoff);
        let erfcc = erfc(a * rc);
        let erfcd = (-a * a * rc * rc).exp();
        let f_shift = -(erfcc / (rc * rc) + 2.0 / MY_PIS * a * erfcd / rc);
        (erfcc / rc - f_shift * rc, f_shift)
    }
}

impl Potential for CoulDsf {
    fn pair_style(&self) -> &str {
        "coul/dsf"
    }
    fn cutoff(&self) -> f64 {
        self.cutoff
    }
    fn species(&self) -> Vec<String> {
        self.charges.species()
    }
    fn check_species(&self, species: &[String]) -> Result<()> {
        self.charges.check_species(species, "coul/dsf")
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let q = self.charges.per_atom(config, "coul/dsf")?;
        let alpha = self.alpha;
        let (e_shift, f_shift) = self.shifts();
        add_self_energy(req, out, |i| -(e_shift / 2.0 + alpha / MY_PIS) * q[i] * q[i] * QQR2E_METAL, q.len());
        let cutsq = self.cutoff * self.cutoff;
        compute_pairs(config, req, scratch, out, |i, j, rsq| {
            if rsq >= cutsq {
                return None;
            }
            let r2inv = 1.0 / rsq;
            let r = rsq.sqrt();
            let prefactor = QQR2E_METAL * q[i] * q[j] / r;
            let erfcd = (-alpha * alpha * rsq).exp();
            let t = 1.0 / (1.0 + EWALD_P * alpha * r);
            let erfcc = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * erfcd;
            let forcecoul = prefactor * (erfcc / r + 2.0 * alpha / MY_PIS * erfcd + r * f_shift) * r;
            let ecoul = prefactor * (erfcc - r * e_shift - rsq * f_shift);
            Some((ecoul, forcecoul * r2inv))
        })
    }
}

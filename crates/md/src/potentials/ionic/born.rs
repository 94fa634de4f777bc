//! Born–Mayer–Huggins (LAMMPS `pair_style born`): `E(r) = A·exp((σ − r)/ρ) − C/r⁶ + D/r⁸`;
//! `pair_coeff i j A ρ σ C D [cutoff]` (A in eV, ρ and σ in Å, C in eV·Å⁶, D in eV·Å⁸).

use super::{check_values, PairForm};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Born–Mayer–Huggins parameters of one pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Born {
    #[serde(rename = "A")]
    pub a: f64,
    pub rho: f64,
    pub sigma: f64,
    #[serde(rename = "C")]
    pub c: f64,
    #[serde(rename = "D")]
    pub d: f64,
}

impl PairForm for Born {
    const STYLE: &'static str = "born";
    const KEYS: &'static [&'static str] = &["A", "rho", "sigma", "C", "D"];
    fn from_values(v: &[f64], pair: &str) -> Result<Self> {
        check_values(Self::STYLE, pair, Self::KEYS, v)?;
        if v[1] <= 0.0 {
            return Err(Error::invalid(&format!("born rho of pair {pair}"), v[1], "must be positive (Å)"));
        }
        Ok(Born { a: v[0], rho: v[1], sigma: v[2], c: v[3], d: v[4] })
    }
    fn values(&self) -> Vec<f64> {
        vec![self.a, self.rho, self.sigma, self.c, self.d]
    }
    #[inline]
    fn eval(&self, r2: f64) -> (f64, f64) {
        let r2inv = 1.0 / r2;
        let r6inv = r2inv * r2inv * r2inv;
        let r = r2.sqrt();
        let rexp = ((self.sigma - r) * (1.0 / self.rho)).exp();
        let force = self.a / self.rho * r * rexp - 6.0 * self.c * r6inv + 8.0 * self.d * r2inv * r6inv;
        (self.a * rexp - self.c * r6inv + self.d * r6inv * r2inv, force * r2inv)
    }
    fn offset(&self, rc: f64) -> f64 {
        self.a * ((self.sigma - rc) / self.rho).exp() - self.c / rc.powi(6) + self.d / rc.powi(8)
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

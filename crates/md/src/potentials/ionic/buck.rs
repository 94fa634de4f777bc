//! Buckingham (LAMMPS `pair_style buck`): `E(r) = A·exp(−r/ρ) − C/r⁶`;
//! `pair_coeff i j A ρ C [cutoff]` (A in eV, ρ in Å, C in eV·Å⁶).

use super::{check_values, PairForm};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Buckingham parameters of one pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Buck {
    #[serde(rename = "A")]
    pub a: f64,
    pub rho: f64,
    #[serde(rename = "C")]
    pub c: f64,
}

impl PairForm for Buck {
    const STYLE: &'static str = "buck";
    const KEYS: &'static [&'static str] = &["A", "rho", "C"];
    fn from_values(v: &[f64], pair: &str) -> Result<Self> {
        check_values(Self::STYLE, pair, Self::KEYS, v)?;
        if v[1] <= 0.0 {
            return Err(Error::invalid(&format!("buck rho of pair {pair}"), v[1], "must be positive (Å)"));
        }
        Ok(Buck { a: v[0], rho: v[1], c: v[2] })
    }
    fn values(&self) -> Vec<f64> {
        vec![self.a, self.rho, self.c]
    }
    #[inline]
    fn eval(&self, r2: f64) -> (f64, f64) {
        let r2inv = 1.0 / r2;
        let r6inv = r2inv * r2inv * r2inv;
        let r = r2.sqrt();
        let rexp = (-r * (1.0 / self.rho)).exp();
        let force = self.a / self.rho * r * rexp - 6.0 * self.c * r6inv;
        (self.a * rexp - self.c * r6inv, force * r2inv)
    }
    fn offset(&self, rc: f64) -> f64 {
        self.a * (-rc / self.rho).exp() - self.c / rc.powi(6)
    }
    type Kernel = BuckKernel;
    fn kernel(&self) -> Option<BuckKernel> {
        if self.a == 0.0 && self.c == 0.0 {
            return None;
        }
        Some(BuckKernel { a: self.a, rhoinv: 1.0 / self.rho, buck1: self.a / self.rho, buck2: 6.0 * self.c, c: self.c })
    }
    #[inline(always)]
    fn eval_kernel(k: &BuckKernel, _r2: f64, r: f64, r2inv: f64) -> (f64, f64) {
        let r6inv = r2inv * r2inv * r2inv;
        let rexp = (-r * k.rhoinv).exp();
        let force = k.buck1 * r * rexp - k.buck2 * r6inv;
        (k.a * rexp - k.c * r6inv, force * r2inv)
    }
}

/// Buckingham constants of one pair for the fused kernel (LAMMPS `rhoinv`, `buck1`, `buck2`).
#[derive(Clone, Copy, Debug)]
pub struct BuckKernel {
    a: f64,
    rhoinv: f64,
    buck1: f64,
    buck2: f64,
    c: f64,
}

//! The 1-D ingredients: a nearest-neighbour pair potential on a chain, the Cauchy–Born (or
//! linearised) bar element built from the same potential, and graded meshes.
//!
//! A chain of atoms at spacing `a` (the minimum of φ) has strain energy per bond φ(a(1+ε)); the
//! Cauchy–Born element of reference length `L` therefore stores `W = (L/a) φ(a(1+ε))` with
//! `ε = (u₂ − u₁)/L`, and its nodal force is `∓φ'(a(1+ε))`, exactly the bond force of the
//! uniformly strained chain. The linear-elastic element replaces φ'(a(1+ε)) by `k a ε` with
//! `k = φ''(a)` (the 1-D elastic constant `E·A = k a` of the same potential). Masses are lumped:
//! each element gives `m L/(2a)` to both its nodes.

use crate::error::{invalid, Result};
use serde::{Deserialize, Serialize};

/// Lennard-Jones pair potential between nearest neighbours only, metal units.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct PairChain {
    /// Well depth ε, eV.
    pub epsilon: f64,
    /// σ, Å.
    pub sigma: f64,
    /// Atomic mass, amu.
    pub mass: f64,
}

impl Default for PairChain {
    /// Argon (ε = 0.0104 eV, σ = 3.40 Å, m = 39.948 amu).
    fn default() -> Self {
        PairChain { epsilon: 0.0104, sigma: 3.40, mass: 39.948 }
    }
}

impl PairChain {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("epsilon", self.epsilon), ("sigma", self.sigma), ("mass", self.mass)] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(invalid(name, v, "must be positive and finite"));
            }
        }
        Ok(())
    }
    /// Equilibrium spacing 2^(1/6) σ, Å.
    pub fn spacing(&self) -> f64 {
        2f64.powf(1.0 / 6.0) * self.sigma
    }
    /// φ(r), eV.
    pub fn phi(&self, r: f64) -> f64 {
        let s6 = (self.sigma / r).powi(6);
        4.0 * self.epsilon * (s6 * s6 - s6)
    }
    /// φ'(r), eV/Å (positive = attractive, i.e. tension).
    pub fn dphi(&self, r: f64) -> f64 {
        let s6 = (self.sigma / r).powi(6);
        4.0 * self.epsilon * (-12.0 * s6 * s6 + 6.0 * s6) / r
    }
    /// φ''(r), eV/Å².
    pub fn d2phi(&self, r: f64) -> f64 {
        let s6 = (self.sigma / r).powi(6);
        4.0 * self.epsilon * (156.0 * s6 * s6 - 42.0 * s6) / (r * r)
    }
    /// Spring constant k = φ''(a), eV/Å².
    pub fn stiffness(&self) -> f64 {
        self.d2phi(self.spacing())
    }
    /// Long-wave sound speed a √(k/m), Å/ps.
    pub fn sound_speed(&self) -> f64 {
        self.spacing() * (self.stiffness() * scalebridge_md::units::FTM2V / self.mass).sqrt()
    }
    /// Largest lattice frequency 2√(k/m), rad/ps.
    pub fn max_frequency(&self) -> f64 {
        2.0 * (self.stiffness() * scalebridge_md::units::FTM2V / self.mass).sqrt()
    }
}

/// How the continuum's elements turn strain into stress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Continuum {
    /// Cauchy–Born: the element stores what the uniformly strained chain stores.
    CauchyBorn,
    /// Linear elasticity with the stiffness of the same potential.
    Linear,
}

impl PairChain {
    /// Element energy (eV) and axial force (eV/Å, tension positive) for reference length `len`
    /// and strain `eps`, relative to the unstrained element.
    pub fn element(&self, model: Continuum, len: f64, eps: f64) -> (f64, f64) {
        let a = self.spacing();
        match model {
            Continuum::CauchyBorn => ((len / a) * (self.phi(a * (1.0 + eps)) - self.phi(a)), self.dphi(a * (1.0 + eps))),
            Continuum::Linear => {
                let k = self.stiffness();
                (0.5 * (len / a) * k * a * a * eps * eps, k * a * eps)
            }
        }
    }
    /// Element tangent d(force)/d(Δu), eV/Å².
    pub fn element_tangent(&self, model: Continuum, len: f64, eps: f64) -> f64 {
        let a = self.spacing();
        match model {
            Continuum::CauchyBorn => self.d2phi(a * (1.0 + eps)) * a / len,
            Continuum::Linear => self.stiffness() * a / len,
        }
    }
}

/// Node positions of a mesh starting at `x0` with elements of `first` length, each the previous
/// times `growth`, rounded to whole lattice spacings `a` and capped at `max`, until `length` is
/// covered (the last element ends at or beyond `x0 + length`).
pub fn graded_mesh(x0: f64, a: f64, first: f64, growth: f64, max: f64, length: f64) -> Result<Vec<f64>> {
    if !(first >= a && max >= first && growth >= 1.0 && length > 0.0 && a > 0.0) {
        return Err(invalid("mesh", format!("first {first}, growth {growth}, max {max}, length {length}"), "need a ≤ first ≤ max, growth ≥ 1, length > 0"));
    }
    let mut x = vec![x0];
    let mut h = first;
    while x[x.len() - 1] < x0 + length - 1e-9 {
        let n = (h / a).round().max(1.0);
        let last = x[x.len() - 1];
        x.push(last + n * a);
        h = (h * growth).min(max);
        if x.len() > 10_000_000 {
            return Err(invalid("mesh", length, "more than 10^7 nodes"));
        }
    }
    Ok(x)
}

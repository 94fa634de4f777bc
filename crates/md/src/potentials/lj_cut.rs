//! Lennard-Jones 12-6 with a cutoff (LAMMPS `pair_style lj/cut`).
//!
//! `E(r) = 4ε[(σ/r)^12 − (σ/r)^6] − E_shift` for `r < r_c`, zero beyond, where
//! `E_shift = 4ε[(σ/r_c)^12 − (σ/r_c)^6]` when `shift` is on (LAMMPS `pair_modify shift yes`)
//! and zero otherwise. Unlike-pair parameters follow Lorentz–Berthelot mixing by default
//! (`σ_ij = (σ_i + σ_j)/2`, `ε_ij = √(ε_i ε_j)`, LAMMPS `pair_modify mix arithmetic`) unless
//! given explicitly. Units: ε in eV, σ and r_c in Å.
//!
//! Example: argon, ε = 0.0104 eV, σ = 3.40 Å; the pair minimum sits at r = 2^(1/6) σ = 3.816 Å
//! with E = −ε.

use super::{pair_loop, Output, Potential, Request, Scratch};
use crate::error::{Error, Result};
use crate::neighbors::NeighborList;
use serde::{Deserialize, Serialize};

/// Mixing rule for unlike pairs without explicit parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mixing {
    /// σ arithmetic mean, ε geometric mean (Lorentz–Berthelot, LAMMPS `arithmetic`).
    LorentzBerthelot,
    /// σ and ε geometric means (LAMMPS `geometric`, its default).
    Geometric,
}

/// Explicit parameters of one unlike (or like) pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairParams {
    pub a: String,
    pub b: String,
    /// ε, eV.
    pub epsilon: f64,
    /// σ, Å.
    pub sigma: f64,
    /// Pair cutoff, Å (defaults to the global cutoff).
    pub cutoff: Option<f64>,
}

/// Multi-species Lennard-Jones potential.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LennardJones {
    /// Species names.
    pub species: Vec<String>,
    /// ε per species, eV.
    pub epsilon: Vec<f64>,
    /// σ per species, Å.
    pub sigma: Vec<f64>,
    /// Global cutoff, Å.
    pub cutoff: f64,
    /// Shift energies to zero at the cutoff.
    pub shift: bool,
    /// Mixing rule.
    pub mixing: Mixing,
    /// Explicit pair parameters (override mixing).
    pub pairs: Vec<PairParams>,
    /// Atoms closer than `overlap_fraction · σ_ij` are rejected as overlapping.
    pub overlap_fraction: f64,
}

/// Precomputed coefficients of one type pair (LAMMPS `lj1..lj4`, `offset`, `cutsq`).
#[derive(Clone, Copy, Debug, Default)]
struct Coeff {
    lj1: f64,
    lj2: f64,
    lj3: f64,
    lj4: f64,
    offset: f64,
    cutsq: f64,
    minsq: f64,
}

impl LennardJones {
    /// Build and validate a potential. `species`, `epsilon`, `sigma` are parallel lists.
    pub fn new(
        species: Vec<String>,
        epsilon: Vec<f64>,
        sigma: Vec<f64>,
        cutoff: f64,
        shift: bool,
        mixing: Mixing,
        pairs: Vec<PairParams>,
    ) -> Result<Self> {
        if species.is_empty() {
            return Err(Error::invalid("species", "[]", "at least one species is needed"));
        }
        if epsilon.len() != species.len() || sigma.len() != species.len() {
            return Err(Error::Shape(format!(
                "{} species, {} epsilons, {} sigmas",
                species.len(),
                epsilon.len(),
                sigma.len()
            )));
        }
        for (i, s) in species.iter().enumerate() {
            if species[..i].contains(s) {
                return Err(Error::invalid("species", s, "listed twice"));
            }
            check_eps_sigma(&format!("{s}"), epsilon[i], sigma[i])?;
        }
        if !(cutoff.is_finite() && cutoff > 0.0) {
            return Err(Error::invalid("cutoff", cutoff, "must be positive and finite (Å)"));
        }
        for p in &pairs {
            for s in [&p.a, &p.b] {
                if !species.contains(s) {
                    return Err(Error::UnknownSpecies {
                        species: s.clone(),
                        potential: "lj/cut pairs".into(),
                        known: species.join(", "),
                    });
                }
            }
            check_eps_sigma(&format!("{}-{}", p.a, p.b), p.epsilon, p.sigma)?;
            if let Some(rc) = p.cutoff {
                if !(rc.is_finite() && rc > 0.0) {
                    return Err(Error::invalid(&format!("cutoff of pair {}-{}", p.a, p.b), rc, "must be positive (Å)"));
                }
            }
        }
        Ok(LennardJones { species, epsilon, sigma, cutoff, shift, mixing, pairs, overlap_fraction: 0.1 })
    }

    /// ε (eV), σ (Å) and cutoff (Å) of the pair of species indices `i`, `j` (potential order).
    pub fn pair(&self, i: usize, j: usize) -> (f64, f64, f64) {
        let (a, b) = (&self.species[i], &self.species[j]);
        for p in self.pairs.iter().rev() {
            if (&p.a == a && &p.b == b) || (&p.a == b && &p.b == a) {
                return (p.epsilon, p.sigma, p.cutoff.unwrap_or(self.cutoff));
            }
        }
        let eps = (self.epsilon[i] * self.epsilon[j]).sqrt();
        let sigma = match self.mixing {
            Mixing::LorentzBerthelot => 0.5 * (self.sigma[i] + self.sigma[j]),
            Mixing::Geometric => (self.sigma[i] * self.sigma[j]).sqrt(),
        };
        (eps, sigma, self.cutoff)
    }

    /// Pair energy (eV) and `−(dE/dr)/r` (eV/Å²) at squared distance `r2` for species `i`, `j`;
    /// zero beyond the cutoff.
    pub fn energy_force(&self, i: usize, j: usize, r2: f64) -> (f64, f64) {
        let c = self.coeff(i, j);
        if r2 >= c.cutsq {
            return (0.0, 0.0);
        }
        let r2inv = 1.0 / r2;
        let r6inv = r2inv * r2inv * r2inv;
        (r6inv * (c.lj3 * r6inv - c.lj4) - c.offset, r6inv * (c.lj1 * r6inv - c.lj2) * r2inv)
    }

    fn coeff(&self, i: usize, j: usize) -> Coeff {
        let (eps, sigma, rc) = self.pair(i, j);
        let s6 = sigma.powi(6);
        let offset = if self.shift {
            let ratio = (sigma / rc).powi(6);
            4.0 * eps * (ratio * ratio - ratio)
        } else {
            0.0
        };
        let min = self.overlap_fraction * sigma;
        Coeff {
            lj1: 48.0 * eps * s6 * s6,
            lj2: 24.0 * eps * s6,
            lj3: 4.0 * eps * s6 * s6,
            lj4: 4.0 * eps * s6,
            offset,
            cutsq: rc * rc,
            minsq: min * min,
        }
    }

    fn type_map(&self, species: &[String]) -> Result<Vec<usize>> {
        self.check_species(species)?;
        Ok(species.iter().map(|s| self.species.iter().position(|k| k == s).unwrap_or(0)).collect())
    }
}

fn check_eps_sigma(what: &str, eps: f64, sigma: f64) -> Result<()> {
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(Error::invalid(&format!("epsilon of {what}"), eps, "must be non-negative and finite (eV)"));
    }
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(Error::invalid(&format!("sigma of {what}"), sigma, "must be positive and finite (Å)"));
    }
    Ok(())
}

impl Potential for LennardJones {
    fn pair_style(&self) -> &str {
        "lj/cut"
    }
    fn cutoff(&self) -> f64 {
        let mut rc = self.cutoff;
        for p in &self.pairs {
            if let Some(c) = p.cutoff {
                rc = rc.max(c);
            }
        }
        rc
    }
    fn species(&self) -> Vec<String> {
        self.species.clone()
    }
    fn fingerprint(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn compute(&self, species: &[String], nl: &NeighborList, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let map = self.type_map(species)?;
        let nt = species.len();
        let mut table = vec![Coeff::default(); nt * nt];
        for a in 0..nt {
            for b in 0..nt {
                table[a * nt + b] = self.coeff(map[a], map[b]);
            }
        }
        let pos = &nl.ext_pos;
        let typ = &nl.ext_type;
        let per_atom = req.per_atom_energy || req.per_atom_virial;
        pair_loop(nl, req, scratch, out, |range, buf| {
            let mut energy = 0.0;
            let mut virial = [0.0; 6];
            let mut overlap: Option<(usize, usize, f64, f64)> = None;
            for c in range {
                let i = nl.centers[c] as usize;
                let xi = pos[i];
                let row = &table[typ[i] as usize * nt..(typ[i] as usize + 1) * nt];
                let mut fi = [0.0; 3];
                for &j in &nl.neighbors[nl.offsets[c]..nl.offsets[c + 1]] {
                    let j = j as usize;
                    let xj = pos[j];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    let r2 = dx * dx + dy * dy + dz * dz;
                    let k = &row[typ[j] as usize];
                    if r2 < k.cutsq {
                        if r2 < k.minsq {
                            overlap = Some((i, j, r2.sqrt(), k.minsq.sqrt()));
                        }
                        let r2inv = 1.0 / r2;
                        let r6inv = r2inv * r2inv * r2inv;
                        let fpair = r6inv * (k.lj1 * r6inv - k.lj2) * r2inv;
                        fi[0] += dx * fpair;
                        fi[1] += dy * fpair;
                        fi[2] += dz * fpair;
                        let fj = &mut buf.forces[j];
                        fj[0] -= dx * fpair;
                        fj[1] -= dy * fpair;
                        fj[2] -= dz * fpair;
                        if req.energy || per_atom {
                            let e = r6inv * (k.lj3 * r6inv - k.lj4) - k.offset;
                            energy += e;
                            let v = [dx * dx * fpair, dy * dy * fpair, dz * dz * fpair, dy * dz * fpair, dx * dz * fpair, dx * dy * fpair];
                            if req.virial {
                                for q in 0..6 {
                                    virial[q] += v[q];
                                }
                            }
                            if req.per_atom_energy {
                                buf.per_atom_energy[i] += 0.5 * e;
                                buf.per_atom_energy[j] += 0.5 * e;
                            }
                            if req.per_atom_virial {
                                for q in 0..6 {
                                    buf.per_atom_virial[i][q] += 0.5 * v[q];
                                    buf.per_atom_virial[j][q] += 0.5 * v[q];
                                }
                            }
                        } else if req.virial {
                            virial[0] += dx * dx * fpair;
                            virial[1] += dy * dy * fpair;
                            virial[2] += dz * dz * fpair;
                            virial[3] += dy * dz * fpair;
                            virial[4] += dx * dz * fpair;
                            virial[5] += dx * dy * fpair;
                        }
                    }
                }
                let f = &mut buf.forces[i];
                f[0] += fi[0];
                f[1] += fi[1];
                f[2] += fi[2];
            }
            if let Some((i, j, r, min)) = overlap {
                return Err(Error::Overlap { i: nl.ext_owner[i] as usize, j: nl.ext_owner[j] as usize, r, min });
            }
            buf.energy += energy;
            for q in 0..6 {
                buf.virial[q] += virial[q];
            }
            Ok(())
        })
    }
}

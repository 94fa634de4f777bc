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

use super::{pair_loop, Configuration, Output, Potential, Request, Scratch};
use crate::error::{Error, Result};
use crate::neighbors::ListKind;
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

    fn reads_pairs(&self, forced: Option<crate::nbnxm::KernelPath>) -> bool {
        // the cluster kernels search their own cluster pairs
        use crate::nbnxm::{KernelPath, Style};
        let path = forced.map(Ok).unwrap_or_else(|| KernelPath::selected_for(Style::LjCut));
        !matches!(path, Ok(p) if p != KernelPath::Legacy)
    }
    fn compute(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let species = config.species;
        let nl = config.images(ListKind::Half)?;
        if !species.iter().all(|s| self.species.contains(s)) {
            self.check_species(species)?; // names the unknown species
        }
        let nt = species.len();
        // the per-type-pair table lives on the stack up to 8 species (no per-step allocation)
        let mut table_stack = [Coeff::default(); 64];
        let mut table_heap = Vec::new();
        let table: &mut [Coeff] = if nt * nt <= table_stack.len() {
            &mut table_stack[..nt * nt]
        } else {
            table_heap.resize(nt * nt, Coeff::default());
            &mut table_heap
        };
        let index = |s: &String| self.species.iter().position(|k| k == s).unwrap_or(0);
        for a in 0..nt {
            for b in 0..nt {
                table[a * nt + b] = self.coeff(index(&species[a]), index(&species[b]));
            }
        }
        let table: &[Coeff] = table;
        if let Some(path) = scratch.nbnxm.cluster_path(crate::nbnxm::Style::LjCut)? {
            // the table is kept in the scratch (no allocation per step)
            let mut t = std::mem::take(&mut scratch.nbnxm.lj_table);
            t.nt = nt;
            for v in [&mut t.lj1, &mut t.lj2, &mut t.lj3, &mut t.lj4, &mut t.offset, &mut t.cutsq, &mut t.minsq] {
                v.clear();
            }
            for c in table {
                t.lj1.push(c.lj1);
                t.lj2.push(c.lj2);
                t.lj3.push(c.lj3);
                t.lj4.push(c.lj4);
                t.offset.push(c.offset);
                t.cutsq.push(c.cutsq);
                t.minsq.push(c.minsq);
            }
            let done = crate::nbnxm::lj::compute(path, nl, config.cell.volume(), &t, req, &mut scratch.nbnxm, out);
            scratch.nbnxm.lj_table = t;
            return done;
        }
        let nl = config.neighbors(ListKind::Half)?;
        let pos = &nl.ext_pos;
        let typ = &nl.ext_type;
        // several species sharing one cutoff (and overlap distance): only ε, σ vary per pair
        let uniform_cut = table.iter().all(|c| c.cutsq == table[0].cutsq && c.minsq == table[0].minsq);
        pair_loop(nl, req, scratch, out, |range, buf| {
            let mut k = Kernel::new(table, nt, req);
            for c in range {
                let i = nl.centers[c] as usize;
                let list = nl.neighbors_of(c);
                for block in list.chunks(BLOCK) {
                    if nt == 1 {
                        k.block::<SINGLE>(i, block, pos, typ, buf);
                    } else if uniform_cut {
                        k.block::<UNIFORM_CUT>(i, block, pos, typ, buf);
                    } else {
                        k.block::<GENERAL>(i, block, pos, typ, buf);
                    }
                }
            }
            if let Some((i, j, r, min)) = k.overlap {
                return Err(Error::Overlap { i: nl.ext_owner[i] as usize, j: nl.ext_owner[j] as usize, r, min });
            }
            buf.energy += k.energy;
            for q in 0..6 {
                buf.virial[q] += k.virial[q];
            }
            Ok(())
        })
    }
}

/// Neighbours processed together: gathered into local arrays, evaluated in a branch-free loop
/// the compiler vectorises (AVX2/AVX-512), then scattered.
const BLOCK: usize = 64;

/// Kernel variants: one species (coefficients are scalars); several species with one cutoff
/// and overlap distance (ε and σ gathered per pair); the general case.
const SINGLE: u8 = 0;
const UNIFORM_CUT: u8 = 1;
const GENERAL: u8 = 2;

/// Block-wise LJ kernel with its local arrays and accumulators.
struct Kernel<'a> {
    table: &'a [Coeff],
    nt: usize,
    req: Request,
    dx: [f64; BLOCK],
    dy: [f64; BLOCK],
    dz: [f64; BLOCK],
    lj1: [f64; BLOCK],
    lj2: [f64; BLOCK],
    cutsq: [f64; BLOCK],
    minsq: [f64; BLOCK],
    fpair: [f64; BLOCK],
    energy: f64,
    virial: [f64; 6],
    overlap: Option<(usize, usize, f64, f64)>,
}

impl<'a> Kernel<'a> {
    fn new(table: &'a [Coeff], nt: usize, req: Request) -> Self {
        Kernel {
            table,
            nt,
            req,
            dx: [0.0; BLOCK],
            dy: [0.0; BLOCK],
            dz: [0.0; BLOCK],
            lj1: [0.0; BLOCK],
            lj2: [0.0; BLOCK],
            cutsq: [0.0; BLOCK],
            minsq: [0.0; BLOCK],
            fpair: [0.0; BLOCK],
            energy: 0.0,
            virial: [0.0; 6],
            overlap: None,
        }
    }

    /// One block of neighbours of centre `i`; `MODE` is [`SINGLE`], [`UNIFORM_CUT`] or
    /// [`GENERAL`] (the same arithmetic in each, only what is gathered per pair differs).
    #[inline(always)]
    fn block<const MODE: u8>(&mut self, i: usize, block: &[u32], pos: &[[f64; 3]], typ: &[u16], buf: &mut super::ThreadBuffer) {
        let m = block.len();
        let xi = pos[i];
        let row = typ[i] as usize * self.nt;
        // gather
        for (q, &j) in block.iter().enumerate() {
            let xj = pos[j as usize];
            self.dx[q] = xi[0] - xj[0];
            self.dy[q] = xi[1] - xj[1];
            self.dz[q] = xi[2] - xj[2];
            if MODE != SINGLE {
                let c = &self.table[row + typ[j as usize] as usize];
                self.lj1[q] = c.lj1;
                self.lj2[q] = c.lj2;
                if MODE == GENERAL {
                    self.cutsq[q] = c.cutsq;
                    self.minsq[q] = c.minsq;
                }
            }
        }
        // evaluate (branch-free, vectorised)
        let mut bad = 0u32;
        if MODE == SINGLE {
            let c = self.table[0];
            for q in 0..m {
                let r2 = self.dx[q] * self.dx[q] + self.dy[q] * self.dy[q] + self.dz[q] * self.dz[q];
                let r2inv = 1.0 / r2;
                let r6inv = r2inv * r2inv * r2inv;
                let f = r6inv * (c.lj1 * r6inv - c.lj2) * r2inv;
                self.fpair[q] = if r2 < c.cutsq { f } else { 0.0 };
                bad += (r2 < c.minsq) as u32;
            }
            if bad > 0 {
                self.minsq[..m].fill(c.minsq);
            }
        } else if MODE == UNIFORM_CUT {
            let (cutsq, minsq) = (self.table[0].cutsq, self.table[0].minsq);
            for q in 0..m {
                let r2 = self.dx[q] * self.dx[q] + self.dy[q] * self.dy[q] + self.dz[q] * self.dz[q];
                let r2inv = 1.0 / r2;
                let r6inv = r2inv * r2inv * r2inv;
                let f = r6inv * (self.lj1[q] * r6inv - self.lj2[q]) * r2inv;
                self.fpair[q] = if r2 < cutsq { f } else { 0.0 };
                bad += (r2 < minsq) as u32;
            }
            if bad > 0 {
                self.minsq[..m].fill(minsq);
            }
        } else {
            for q in 0..m {
                let r2 = self.dx[q] * self.dx[q] + self.dy[q] * self.dy[q] + self.dz[q] * self.dz[q];
                let r2inv = 1.0 / r2;
                let r6inv = r2inv * r2inv * r2inv;
                let f = r6inv * (self.lj1[q] * r6inv - self.lj2[q]) * r2inv;
                self.fpair[q] = if r2 < self.cutsq[q] { f } else { 0.0 };
                bad += (r2 < self.minsq[q]) as u32;
            }
        }
        if bad > 0 {
            for (q, &j) in block.iter().enumerate() {
                let r2 = self.dx[q] * self.dx[q] + self.dy[q] * self.dy[q] + self.dz[q] * self.dz[q];
                if r2 < self.minsq[q] {
                    self.overlap = Some((i, j as usize, r2.sqrt(), self.minsq[q].sqrt()));
                }
            }
        }
        // scatter (Newton's third law)
        let mut fi = [0.0; 3];
        for (q, &j) in block.iter().enumerate() {
            let fp = self.fpair[q];
            let (dx, dy, dz) = (self.dx[q], self.dy[q], self.dz[q]);
            fi[0] += dx * fp;
            fi[1] += dy * fp;
            fi[2] += dz * fp;
            let fj = &mut buf.forces[j as usize];
            fj[0] -= dx * fp;
            fj[1] -= dy * fp;
            fj[2] -= dz * fp;
        }
        let f = &mut buf.forces[i];
        f[0] += fi[0];
        f[1] += fi[1];
        f[2] += fi[2];
        let req = self.req;
        if req.energy || req.virial || req.per_atom_energy || req.per_atom_virial {
            for (q, &j) in block.iter().enumerate() {
                let r2 = self.dx[q] * self.dx[q] + self.dy[q] * self.dy[q] + self.dz[q] * self.dz[q];
                let c = &self.table[row + typ[j as usize] as usize];
                if r2 >= c.cutsq {
                    continue;
                }
                let fp = self.fpair[q];
                let (dx, dy, dz) = (self.dx[q], self.dy[q], self.dz[q]);
                let r2inv = 1.0 / r2;
                let r6inv = r2inv * r2inv * r2inv;
                let e = r6inv * (c.lj3 * r6inv - c.lj4) - c.offset;
                let v = [dx * dx * fp, dy * dy * fp, dz * dz * fp, dy * dz * fp, dx * dz * fp, dx * dy * fp];
                self.energy += e;
                for k in 0..6 {
                    self.virial[k] += v[k];
                }
                let j = j as usize;
                if req.per_atom_energy {
                    buf.per_atom_energy[i] += 0.5 * e;
                    buf.per_atom_energy[j] += 0.5 * e;
                }
                if req.per_atom_virial {
                    for k in 0..6 {
                        buf.per_atom_virial[i][k] += 0.5 * v[k];
                        buf.per_atom_virial[j][k] += 0.5 * v[k];
                    }
                }
            }
        }
    }
}

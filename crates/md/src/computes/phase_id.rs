//! Per-atom phase identification: common-neighbour analysis (conventional and adaptive) and
//! Steinhardt bond-orientational order (Q6, optionally Lechner–Dellago averaged).
//!
//! ## Common-neighbour analysis (CNA)
//! For atom *i* with near neighbours *N(i)* (bonded if closer than a cutoff `r_c`), every bond
//! *i–j* gets the signature `(n_cn, n_b, b_max, b_min)`: the number of common neighbours of *i*
//! and *j* (atoms within `r_c` of both), the number of bonds among those common neighbours, and
//! the largest and smallest number of such bonds any one common neighbour takes part in. This is
//! LAMMPS `compute cna/atom` (Honeycutt & Andersen, J. Phys. Chem. 91, 4950 (1987); Faken &
//! Jónsson, Comput. Mater. Sci. 2, 279 (1994)):
//! - 12 neighbours, all `(4,2,1,1)` → **fcc**; six `(4,2,1,1)` and six `(4,2,2,0)` → **hcp**;
//!   all `(5,5,2,2)` → **icosahedral**;
//! - 14 neighbours, eight `(6,6,2,2)` and six `(4,4,2,2)` → **bcc**;
//! - anything else → **other**.
//!
//! [`CnaCutoff::Fixed`] uses one global cutoff, exactly as LAMMPS (typical choices
//! `r_c = ½(1 + 1/√2)·a ≈ 0.854 a` for fcc, `½(1 + √2)·a ≈ 1.207 a` for bcc, with `a` the cubic
//! lattice constant). [`CnaCutoff::Adaptive`] is the adaptive CNA of Stukowski (Modelling Simul.
//! Mater. Sci. Eng. 20, 045021 (2012)), which needs no cutoff: for the 12-neighbour structures it
//! takes the 12 nearest neighbours and the local cutoff `r_c = (1+√2)/2 · (1/12)Σ_{j≤12} r_j`;
//! if that fails, the 14 nearest with `r_c = (1+√2)/4 · [(2/√3)(1/8)Σ_{j≤8} r_j + (1/6)Σ_{9≤j≤14} r_j]`
//! for bcc. Bonds among the neighbour set are then those shorter than the local cutoff.
//!
//! ## Steinhardt Q6
//! `q_6m(i) = (1/N_b) Σ_{j∈N_b(i)} Y_6m(r̂_ij)`, `q_6(i) = [4π/13 Σ_m |q_6m(i)|²]^{1/2}`
//! (Steinhardt, Nelson & Ronchetti, Phys. Rev. B 28, 784 (1983)), over the `N_b` nearest
//! neighbours. The averaged form of Lechner & Dellago (J. Chem. Phys. 129, 114707 (2008)) first
//! averages `q_6m` over the atom and its neighbours, `q̄_6m(i) = 1/(N_b+1) Σ_{k∈{i}∪N_b(i)} q_6m(k)`,
//! which separates solid from liquid far more sharply. Perfect lattices (12 nearest neighbours):
//! fcc 0.5745, hcp 0.4848; bcc with 14 neighbours 0.5107. Thermal crystals near melting have
//! `q̄_6 ≈ 0.4–0.5`, liquids `q̄_6 ≈ 0.1–0.2`; the default solid threshold is 0.3.
//!
//! Distances in Å; all functions accept any periodic (triclinic) cell.

use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::neighbors::NeighborList;
use crate::structure::Structure;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Structure type of one atom, numbered as LAMMPS `compute cna/atom`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Phase {
    Fcc = 1,
    Hcp = 2,
    Bcc = 3,
    Ico = 4,
    Other = 5,
}

impl Phase {
    /// LAMMPS `cna/atom` code (1 fcc, 2 hcp, 3 bcc, 4 icosahedral, 5 other).
    pub fn code(self) -> i32 {
        self as i32
    }
    /// Lower-case name (`"fcc"`, `"hcp"`, `"bcc"`, `"ico"`, `"other"`).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Fcc => "fcc",
            Phase::Hcp => "hcp",
            Phase::Bcc => "bcc",
            Phase::Ico => "ico",
            Phase::Other => "other",
        }
    }
    /// A crystalline (fcc, hcp, bcc) environment.
    pub fn is_crystalline(self) -> bool {
        matches!(self, Phase::Fcc | Phase::Hcp | Phase::Bcc)
    }
}

/// Cutoff of the common-neighbour analysis.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CnaCutoff {
    /// Adaptive CNA (Stukowski 2012): per-atom local cutoffs, no parameter.
    Adaptive,
    /// Conventional CNA with one cutoff, Å (LAMMPS `compute cna/atom <cutoff>`).
    Fixed(f64),
}

/// How the melting protocol (and [`solid_mask`]) decides that an atom is solid.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PhaseMethod {
    /// Adaptive CNA: fcc, hcp and bcc atoms are solid.
    Cna,
    /// Steinhardt Q6 over the `neighbors` nearest neighbours (Lechner–Dellago averaged if
    /// `averaged`): solid if `q6 > threshold`. Fields left out take the defaults (12
    /// neighbours, averaged, threshold 0.3), so `{"method": "q6"}` is the default classifier.
    Q6 {
        #[serde(default = "q6_neighbors")]
        neighbors: usize,
        #[serde(default = "q6_averaged")]
        averaged: bool,
        #[serde(default = "q6_threshold")]
        threshold: f64,
    },
    /// Steinhardt Q6 over each atom's `neighbors` nearest neighbours **of its own species** (its
    /// sublattice; Lechner–Dellago averaged over those neighbours if `averaged`): for ionic
    /// crystals whose all-atom neighbourhood mixes shells (rock salt: 6 unlike neighbours, then 12
    /// like ones; fluorite) while a species sits on a simple lattice (the fcc cations of MgO and
    /// ZrO₂). Same defaults as `q6`.
    SublatticeQ6 {
        #[serde(default = "q6_neighbors")]
        neighbors: usize,
        #[serde(default = "q6_averaged")]
        averaged: bool,
        #[serde(default = "q6_threshold")]
        threshold: f64,
    },
}

fn q6_neighbors() -> usize {
    12
}
fn q6_averaged() -> bool {
    true
}
fn q6_threshold() -> f64 {
    0.3
}

impl Default for PhaseMethod {
    fn default() -> Self {
        PhaseMethod::Q6 { neighbors: q6_neighbors(), averaged: q6_averaged(), threshold: q6_threshold() }
    }
}

impl PhaseMethod {
    /// The classifier for diamond-structure (tetrahedral) crystals: averaged q̄6 over the 16
    /// nearest neighbours (first shell of 4 and second of 12), solid above 0.15. The default
    /// (12 neighbours) mixes the first shell with an arbitrary 8 of the 12 second neighbours:
    /// Stillinger–Weber Si at 1700 K then gives q̄6 ≈ 0.15–0.20 in the crystal, below the
    /// threshold 0.3, i.e. everything "liquid". With 16 neighbours the SW crystal at 1700 K has
    /// q̄6 = 0.21–0.27 and the liquid 0.03–0.11 (measured, 512 atoms, Si.sw).
    pub fn diamond() -> Self {
        PhaseMethod::Q6 { neighbors: 16, averaged: true, threshold: 0.15 }
    }

    /// Q6 of each species' own sublattice with the default settings.
    pub fn sublattice() -> Self {
        PhaseMethod::SublatticeQ6 { neighbors: q6_neighbors(), averaged: q6_averaged(), threshold: q6_threshold() }
    }

    /// The default classifier for the crystal `s`: [`PhaseMethod::diamond`] if `s` is
    /// tetrahedrally coordinated ([`is_tetrahedral`]); else [`PhaseMethod::default`] if it calls
    /// at least 90 % of `s` solid (metals, random alloys); else, for a crystal of several species,
    /// [`PhaseMethod::sublattice`] if it calls more of `s` solid than the default (rock salt,
    /// fluorite: the default's 12 nearest neighbours mix the unlike and like shells and call the
    /// perfect crystal liquid).
    pub fn default_for(s: &Structure) -> Result<Self> {
        if is_tetrahedral(s)? {
            return Ok(PhaseMethod::diamond());
        }
        let f_default = solid_fraction(s, &PhaseMethod::default())?;
        if f_default >= 0.9 || s.species.len() < 2 {
            return Ok(PhaseMethod::default());
        }
        let f_sub = solid_fraction(s, &PhaseMethod::sublattice())?;
        Ok(if f_sub > f_default { PhaseMethod::sublattice() } else { PhaseMethod::default() })
    }
}

/// True if at least 90 % of the atoms of the (crystalline) structure `s` have four nearest
/// neighbours clearly separated from the rest (5th-neighbour distance > 1.3 × the 4th; diamond
/// and zincblende: √(8/3) ≈ 1.63; close-packed and bcc lattices: 1.0).
pub fn is_tetrahedral(s: &Structure) -> Result<bool> {
    s.validate()?;
    let lists = nearest_lists(s, 5)?;
    if lists.is_empty() {
        return Ok(false);
    }
    let tetra = lists.iter().filter(|l| l.len() >= 5 && l[4].r2 > 1.3 * 1.3 * l[3].r2).count();
    Ok(tetra as f64 >= 0.9 * lists.len() as f64)
}

/// One neighbour of an atom: its index, the separation vector `r_j − r_i` (Å) and its square.
#[derive(Clone, Copy, Debug)]
struct Nb {
    j: u32,
    d: Vec3,
    r2: f64,
}

/// Full neighbour lists within `cutoff` (Å), each sorted by distance.
fn full_lists(s: &Structure, cutoff: f64) -> Result<Vec<Vec<Nb>>> {
    let mut nl = NeighborList::new(cutoff, 0.0)?;
    nl.build(&s.cell, &s.positions, &s.types)?;
    let n = s.len();
    let mut lists: Vec<Vec<Nb>> = vec![Vec::new(); n];
    let rc2 = cutoff * cutoff;
    for (k, &c) in nl.centers.iter().enumerate() {
        let (c, i) = (c as usize, nl.ext_owner[c as usize] as usize);
        let pc = nl.ext_pos[c];
        for &e in nl.neighbors_of(k) {
            let e = e as usize;
            let pe = nl.ext_pos[e];
            let d = [pe[0] - pc[0], pe[1] - pc[1], pe[2] - pc[2]];
            let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if r2 >= rc2 {
                continue;
            }
            let j = nl.ext_owner[e] as usize;
            lists[i].push(Nb { j: j as u32, d, r2 });
            lists[j].push(Nb { j: i as u32, d: [-d[0], -d[1], -d[2]], r2 });
        }
    }
    lists.par_iter_mut().for_each(|l| l.sort_by(|a, b| a.r2.total_cmp(&b.r2)));
    Ok(lists)
}

/// Full neighbour lists holding at least `min_count` neighbours per atom where the density
/// allows it (the search radius grows until every atom has them, up to 3 tries).
fn nearest_lists(s: &Structure, min_count: usize) -> Result<Vec<Vec<Nb>>> {
    let n = s.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let v = s.cell.volume();
    // radius of a sphere holding min_count atoms at the mean density, with margin
    let mut r = 1.35 * (3.0 * min_count as f64 * v / (4.0 * std::f64::consts::PI * n as f64)).cbrt();
    let mut lists = full_lists(s, r)?;
    for _ in 0..3 {
        if lists.iter().all(|l| l.len() >= min_count) {
            break;
        }
        r *= 1.25;
        lists = full_lists(s, r)?;
    }
    Ok(lists)
}

/// CNA signature `(n_cn, n_b, b_max, b_min)` of the bond to neighbour `m` of the set `nbs`
/// (vectors relative to the central atom) with squared cutoff `rc2`.
fn signature(nbs: &[Vec3], m: usize, rc2: f64) -> (usize, usize, usize, usize) {
    let dj = nbs[m];
    let mut common = [[0.0f64; 3]; 16];
    let mut nc = 0;
    for (k, dk) in nbs.iter().enumerate() {
        if k == m {
            continue;
        }
        if dist2(dk, &dj) < rc2 {
            if nc == common.len() {
                return (usize::MAX, 0, 0, 0);
            }
            common[nc] = *dk;
            nc += 1;
        }
    }
    let mut bonds = [0usize; 16];
    let mut nb = 0;
    for a in 0..nc {
        for b in a + 1..nc {
            if dist2(&common[a], &common[b]) < rc2 {
                nb += 1;
                bonds[a] += 1;
                bonds[b] += 1;
            }
        }
    }
    let bmax = bonds[..nc].iter().copied().max().unwrap_or(0);
    let bmin = bonds[..nc].iter().copied().min().unwrap_or(0);
    (nc, nb, bmax, bmin)
}

#[inline]
fn dist2(a: &Vec3, b: &Vec3) -> f64 {
    let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
}

/// Classify one atom from its neighbour vectors (all within the cutoff `rc2`), as LAMMPS.
fn classify(nbs: &[Vec3], rc2: f64) -> Phase {
    match nbs.len() {
        12 => {
            let (mut fcc, mut hcp, mut ico) = (0, 0, 0);
            for m in 0..12 {
                match signature(nbs, m, rc2) {
                    (4, 2, 1, 1) => fcc += 1,
                    (4, 2, 2, 0) => hcp += 1,
                    (5, 5, 2, 2) => ico += 1,
                    _ => {}
                }
            }
            if fcc == 12 {
                Phase::Fcc
            } else if fcc == 6 && hcp == 6 {
                Phase::Hcp
            } else if ico == 12 {
                Phase::Ico
            } else {
                Phase::Other
            }
        }
        14 => {
            let (mut b4, mut b6) = (0, 0);
            for m in 0..14 {
                match signature(nbs, m, rc2) {
                    (4, 4, 2, 2) => b4 += 1,
                    (6, 6, 2, 2) => b6 += 1,
                    _ => {}
                }
            }
            if b4 == 6 && b6 == 8 {
                Phase::Bcc
            } else {
                Phase::Other
            }
        }
        _ => Phase::Other,
    }
}

/// Adaptive CNA of one atom from its distance-sorted neighbours.
fn classify_adaptive(nbs: &[Nb]) -> Phase {
    const F: f64 = 0.5 * (1.0 + std::f64::consts::SQRT_2);
    if nbs.len() >= 12 {
        let rc = F * nbs[..12].iter().map(|b| b.r2.sqrt()).sum::<f64>() / 12.0;
        let v: Vec<Vec3> = nbs[..12].iter().map(|b| b.d).collect();
        let p = classify(&v, rc * rc);
        if p != Phase::Other {
            return p;
        }
    }
    if nbs.len() >= 14 {
        let r8 = nbs[..8].iter().map(|b| b.r2.sqrt()).sum::<f64>() / 8.0;
        let r6 = nbs[8..14].iter().map(|b| b.r2.sqrt()).sum::<f64>() / 6.0;
        let rc = 0.5 * F * (2.0 / 3f64.sqrt() * r8 + r6);
        let v: Vec<Vec3> = nbs[..14].iter().map(|b| b.d).collect();
        return classify(&v, rc * rc);
    }
    Phase::Other
}

/// Per-atom structure types by common-neighbour analysis (see the module documentation).
/// `Fixed(r_c)` reproduces LAMMPS `compute cna/atom r_c` (r_c in Å).
pub fn common_neighbor_analysis(s: &Structure, cutoff: CnaCutoff) -> Result<Vec<Phase>> {
    s.validate()?;
    match cutoff {
        CnaCutoff::Fixed(rc) => {
            if !(rc.is_finite() && rc > 0.0) {
                return Err(Error::invalid("CNA cutoff", rc, "must be positive (Å)"));
            }
            let lists = full_lists(s, rc)?;
            Ok(lists
                .par_iter()
                .map(|l| {
                    let v: Vec<Vec3> = l.iter().map(|b| b.d).collect();
                    classify(&v, rc * rc)
                })
                .collect())
        }
        CnaCutoff::Adaptive => {
            let lists = nearest_lists(s, 14)?;
            Ok(lists.par_iter().map(|l| classify_adaptive(l)).collect())
        }
    }
}

/// `(m, Re, Im)` of the unnormalised `r^6 · P_6^m(cos θ) e^{imφ}` for m = 0..6 divided by r^6,
/// times the normalisation of `Y_6m`, for a unit vector `(x, y, z)`.
fn y6(u: &Vec3) -> [(f64, f64); 7] {
    let (x, y, z) = (u[0], u[1], u[2]);
    let z2 = z * z;
    // d^m P_6 / dz^m
    let dp = [
        (231.0 * z2 * z2 * z2 - 315.0 * z2 * z2 + 105.0 * z2 - 5.0) / 16.0,
        (1386.0 * z2 * z2 * z - 1260.0 * z2 * z + 210.0 * z) / 16.0,
        (6930.0 * z2 * z2 - 3780.0 * z2 + 210.0) / 16.0,
        (27720.0 * z2 * z - 7560.0 * z) / 16.0,
        (83160.0 * z2 - 7560.0) / 16.0,
        166320.0 * z / 16.0,
        166320.0 / 16.0,
    ];
    // sqrt(13/(4π) (6−m)!/(6+m)!)
    const FACT: [f64; 13] = [
        1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0, 3628800.0, 39916800.0, 479001600.0,
    ];
    let mut out = [(0.0, 0.0); 7];
    // (x + i y)^m = sin^m θ e^{imφ}
    let (mut re, mut im) = (1.0, 0.0);
    for m in 0..7 {
        let norm = (13.0 / (4.0 * std::f64::consts::PI) * FACT[6 - m] / FACT[6 + m]).sqrt();
        out[m] = (norm * dp[m] * re, norm * dp[m] * im);
        let (r2, i2) = (re * x - im * y, re * y + im * x);
        re = r2;
        im = i2;
    }
    out
}

/// `q_6m` for m = 0..6 as (Re, Im).
type Q6m = [(f64, f64); 7];

/// `q_6m` (m = 0..6; negative m follow by symmetry) of every atom over its `k` nearest
/// neighbours, and the neighbour indices used.
fn q6m(s: &Structure, k: usize) -> Result<(Vec<Q6m>, Vec<Vec<u32>>)> {
    if k == 0 {
        return Err(Error::invalid("Q6 neighbours", k, "must be at least 1"));
    }
    q6m_of(nearest_lists(s, k)?, k)
}

/// Full neighbour lists of same-species neighbours only, at least `k` per atom where the
/// structure allows (the search radius grows until every atom has them, up to 4 tries).
fn species_lists(s: &Structure, k: usize) -> Result<Vec<Vec<Nb>>> {
    let n = s.len();
    let mut counts = vec![0usize; s.species.len()];
    for &t in &s.types {
        counts[t] += 1;
    }
    let rarest = counts.iter().copied().filter(|&c| c > 0).min().unwrap_or(1);
    let mut want = (k * n).div_ceil(rarest.max(1));
    let mut lists = Vec::new();
    for _ in 0..4 {
        lists = nearest_lists(s, want)?;
        for (i, l) in lists.iter_mut().enumerate() {
            l.retain(|b| s.types[b.j as usize] == s.types[i]);
        }
        if lists.iter().all(|l| l.len() >= k) {
            break;
        }
        want *= 2;
    }
    Ok(lists)
}

/// `q_6m` of every atom over the first `k` entries of its (distance-sorted) list.
fn q6m_of(lists: Vec<Vec<Nb>>, k: usize) -> Result<(Vec<Q6m>, Vec<Vec<u32>>)> {
    let qm: Vec<Q6m> = lists
        .par_iter()
        .map(|l| {
            let mut acc = [(0.0, 0.0); 7];
            let nb = l.len().min(k);
            for b in &l[..nb] {
                let r = b.r2.sqrt();
                let y = y6(&[b.d[0] / r, b.d[1] / r, b.d[2] / r]);
                for m in 0..7 {
                    acc[m].0 += y[m].0;
                    acc[m].1 += y[m].1;
                }
            }
            if nb > 0 {
                for a in acc.iter_mut() {
                    a.0 /= nb as f64;
                    a.1 /= nb as f64;
                }
            }
            acc
        })
        .collect();
    let idx = lists.iter().map(|l| l.iter().take(k).map(|b| b.j).collect()).collect();
    Ok((qm, idx))
}

fn q_from_qm(q: &[(f64, f64); 7]) -> f64 {
    let mut s = q[0].0 * q[0].0 + q[0].1 * q[0].1;
    for a in &q[1..] {
        s += 2.0 * (a.0 * a.0 + a.1 * a.1);
    }
    (4.0 * std::f64::consts::PI / 13.0 * s).sqrt()
}

/// Per-atom Steinhardt `q_6` over the `neighbors` nearest neighbours; Lechner–Dellago averaged
/// `q̄_6` if `averaged`. Dimensionless, in [0, 1].
pub fn steinhardt_q6(s: &Structure, neighbors: usize, averaged: bool) -> Result<Vec<f64>> {
    s.validate()?;
    let (qm, idx) = q6m(s, neighbors)?;
    Ok(q6_values(&qm, &idx, averaged))
}

/// Per-atom `q_6` (or `q̄_6`) over the `neighbors` nearest neighbours of the atom's own species.
pub fn sublattice_q6(s: &Structure, neighbors: usize, averaged: bool) -> Result<Vec<f64>> {
    s.validate()?;
    if neighbors == 0 {
        return Err(Error::invalid("Q6 neighbours", neighbors, "must be at least 1"));
    }
    let (qm, idx) = q6m_of(species_lists(s, neighbors)?, neighbors)?;
    Ok(q6_values(&qm, &idx, averaged))
}

fn q6_values(qm: &[Q6m], idx: &[Vec<u32>], averaged: bool) -> Vec<f64> {
    if !averaged {
        return qm.par_iter().map(q_from_qm).collect();
    }
    (0..qm.len())
        .into_par_iter()
        .map(|i| {
            let mut acc = qm[i];
            for &j in &idx[i] {
                for m in 0..7 {
                    acc[m].0 += qm[j as usize][m].0;
                    acc[m].1 += qm[j as usize][m].1;
                }
            }
            let c = 1.0 / (idx[i].len() + 1) as f64;
            for a in acc.iter_mut() {
                a.0 *= c;
                a.1 *= c;
            }
            q_from_qm(&acc)
        })
        .collect()
}

/// Per-atom solid (true) / liquid (false) labels by `method`.
pub fn solid_mask(s: &Structure, method: &PhaseMethod) -> Result<Vec<bool>> {
    match *method {
        PhaseMethod::Cna => Ok(common_neighbor_analysis(s, CnaCutoff::Adaptive)?.into_iter().map(Phase::is_crystalline).collect()),
        PhaseMethod::Q6 { neighbors, averaged, threshold } => {
            if !(threshold.is_finite() && threshold > 0.0 && threshold < 1.0) {
                return Err(Error::invalid("Q6 threshold", threshold, "must lie in (0, 1)"));
            }
            Ok(steinhardt_q6(s, neighbors, averaged)?.into_iter().map(|q| q > threshold).collect())
        }
        PhaseMethod::SublatticeQ6 { neighbors, averaged, threshold } => {
            if !(threshold.is_finite() && threshold > 0.0 && threshold < 1.0) {
                return Err(Error::invalid("Q6 threshold", threshold, "must lie in (0, 1)"));
            }
            Ok(sublattice_q6(s, neighbors, averaged)?.into_iter().map(|q| q > threshold).collect())
        }
    }
}

/// Fraction of solid atoms (see [`solid_mask`]).
pub fn solid_fraction(s: &Structure, method: &PhaseMethod) -> Result<f64> {
    let m = solid_mask(s, method)?;
    if m.is_empty() {
        return Err(Error::invalid("structure", "empty", "no atoms"));
    }
    Ok(m.iter().filter(|&&b| b).count() as f64 / m.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{bulk, BulkSpec, Lattice};

    fn crystal(lattice: Lattice, a: f64, repeat: [usize; 3]) -> Structure {
        bulk(&BulkSpec {
            lattice,
            species: vec!["Cu".into()],
            a,
            c: None,
            orientation: None,
            repeat,
            orthogonal: lattice == Lattice::Hcp,
            masses: None,
        })
        .unwrap()
    }

    #[test]
    fn perfect_lattices_are_fully_classified() {
        for (lat, a, want, rc) in [
            (Lattice::Fcc, 3.615, Phase::Fcc, 0.854 * 3.615),
            (Lattice::Bcc, 2.87, Phase::Bcc, 1.207 * 2.87),
            (Lattice::Hcp, 2.5, Phase::Hcp, 0.854 * 2.5 * std::f64::consts::SQRT_2),
        ] {
            let s = crystal(lat, a, [4, 4, 4]);
            let ad = common_neighbor_analysis(&s, CnaCutoff::Adaptive).unwrap();
            assert!(ad.iter().all(|&p| p == want), "{lat:?} adaptive: {:?}", &ad[..4]);
            let fx = common_neighbor_analysis(&s, CnaCutoff::Fixed(rc)).unwrap();
            assert!(fx.iter().all(|&p| p == want), "{lat:?} fixed");
        }
    }

    #[test]
    fn q6_of_perfect_lattices_matches_published_values() {
        // Steinhardt et al. (1983) / Lechner & Dellago (2008): fcc 0.57452, hcp 0.48476 (12 nn),
        // bcc 0.51069 (14 nn)
        let fcc = steinhardt_q6(&crystal(Lattice::Fcc, 3.615, [3, 3, 3]), 12, false).unwrap();
        let hcp = steinhardt_q6(&crystal(Lattice::Hcp, 2.5, [4, 3, 3]), 12, false).unwrap();
        let bcc = steinhardt_q6(&crystal(Lattice::Bcc, 2.87, [4, 4, 4]), 14, false).unwrap();
        for (q, want) in [(fcc, 0.57452), (hcp, 0.48476), (bcc, 0.51069)] {
            assert!(q.iter().all(|v| (v - want).abs() < 2e-5), "{} vs {want}", q[0]);
        }
        let avg = steinhardt_q6(&crystal(Lattice::Fcc, 3.615, [3, 3, 3]), 12, true).unwrap();
        assert!(avg.iter().all(|v| (v - 0.57452).abs() < 2e-5));
    }

    #[test]
    fn diamond_is_detected_and_gets_its_own_classifier() {
        let d = crystal(Lattice::Diamond, 5.431, [3, 3, 3]);
        assert!(is_tetrahedral(&d).unwrap());
        assert_eq!(PhaseMethod::default_for(&d).unwrap(), PhaseMethod::diamond());
        // the diamond classifier calls the perfect crystal solid; the fcc default does not
        assert!(solid_mask(&d, &PhaseMethod::diamond()).unwrap().iter().all(|&b| b));
        for (lat, a) in [(Lattice::Fcc, 3.615), (Lattice::Bcc, 2.87)] {
            let c = crystal(lat, a, [4, 4, 4]);
            assert!(!is_tetrahedral(&c).unwrap(), "{lat:?}");
            assert_eq!(PhaseMethod::default_for(&c).unwrap(), PhaseMethod::default());
        }
    }

    #[test]
    fn randomised_positions_are_not_crystalline() {
        use rand::{Rng, SeedableRng};
        let mut s = crystal(Lattice::Fcc, 3.615, [4, 4, 4]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let l = s.cell.matrix()[0][0];
        for p in s.positions.iter_mut() {
            *p = [rng.random::<f64>() * l, rng.random::<f64>() * l, rng.random::<f64>() * l];
        }
        let f = solid_fraction(&s, &PhaseMethod::Cna).unwrap();
        assert!(f < 0.05, "random gas classified {f} crystalline");
        let q = solid_fraction(&s, &PhaseMethod::default()).unwrap();
        assert!(q < 0.05, "random gas {q} solid by Q6");
    }

    /// Rock salt and fluorite: the default Q6 (12 nearest of any species) calls none of the perfect
    /// crystal solid, so `default_for` takes the sublattice classifier, which calls the perfect
    /// crystal (and a 0.05 Å rattle of it) solid (fluorite: its cations) and the same atoms at
    /// random positions liquid;
    /// fcc Cu and a random fcc alloy keep the default.
    #[test]
    fn ionic_crystals_get_the_sublattice_classifier() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for name in ["rocksalt", "fluorite"] {
            let s = crate::crystals::prototype(name, [3, 3, 3]).unwrap();
            let f_default = solid_fraction(&s, &PhaseMethod::default()).unwrap();
            assert!(f_default < 0.9, "{name}: the default Q6 now calls {f_default} solid; the case this test is about is gone");
            let m = PhaseMethod::default_for(&s).unwrap();
            assert_eq!(m, PhaseMethod::sublattice(), "{name}");
            // rock salt: both sublattices fcc; fluorite: the cations fcc (a third of the atoms), the
            // anions simple cubic (6 like neighbours, so 12 mix two shells): the cations carry it
            let f_sub = solid_fraction(&s, &m).unwrap();
            let want = if name == "rocksalt" { 0.99 } else { 1.0 / 3.0 - 1e-9 };
            assert!(f_sub > want, "{name}: {f_sub}");
            let mut r = s.clone();
            for p in r.positions.iter_mut() {
                for c in p.iter_mut() {
                    *c += 0.05 * (2.0 * rng.random::<f64>() - 1.0);
                }
            }
            assert!(solid_fraction(&r, &m).unwrap() > 0.95 * want, "{name} rattled");
            let l = s.cell.matrix()[0][0];
            for p in r.positions.iter_mut() {
                *p = [rng.random::<f64>() * l, rng.random::<f64>() * l, rng.random::<f64>() * l];
            }
            let f = solid_fraction(&r, &m).unwrap();
            assert!(f < 0.05, "{name}: random positions {f} solid by the sublattice Q6");
        }
        let cu = crystal(Lattice::Fcc, 3.615, [3, 3, 3]);
        assert_eq!(PhaseMethod::default_for(&cu).unwrap(), PhaseMethod::default());
        let mut alloy = cu.clone();
        alloy.species = vec!["Cu".into(), "Ni".into()];
        for (i, t) in alloy.types.iter_mut().enumerate() {
            *t = (i * 7 / 3) % 2;
        }
        assert_eq!(PhaseMethod::default_for(&alloy).unwrap(), PhaseMethod::default());
    }
}

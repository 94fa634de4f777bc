//! `special_bonds`: scaling of the pair interactions between atoms 1-2, 1-3 and 1-4 apart in the
//! bond graph (LAMMPS `special_bonds lj/coul|lj|coul f12 f13 f14`, `amber`, `charmm`,
//! `dreiding`, `fene`; default 0 0 0, every bonded neighbour excluded).
//!
//! How it is computed: the pair style itself runs unchanged over every pair (no exclusions in
//! the neighbour list), and [`SpecialBonds`] is a separate correction term over the (short)
//! list of special pairs that subtracts `(1 − f)` times the pair energy, force and virial of each
//! special pair within the cutoff — exactly what LAMMPS obtains by scaling (or, for f = 0,
//! dropping) those pairs in its list. LAMMPS marks special partners by atom id, so every periodic
//! image of a partner within the cutoff is scaled; so is it here (small cells included).
//! Supported pair terms: `lj/cut` (with or without `shift`) and the Coulomb part of `coul/long`
//! (`lj/cut/coul/long`, `hybrid/overlay lj/cut … coul/long …`): for a special pair within the
//! Coulomb cutoff LAMMPS's `pair_lj_cut_coul_long.cpp` uses
//! `qqrd2e q_i q_j/r · (erfc(g r) − (1 − f_coul))`, i.e. the full `(1 − f_coul) q_i q_j/r` that
//! the k-space sum contains is removed again; this correction subtracts exactly that term (the
//! erfc part stays in the coul/long pair term).

use super::{minimum_image, parallel, tally};
use crate::cell::Vec3;
use crate::error::{Error, Result};
use crate::potentials::lj_cut::LennardJones;
use crate::potentials::{Configuration, Needs, Output, Potential, Request, Scratch};
use crate::topology::Topology;
use std::sync::Arc;

/// The lj and coul factors for 1-2, 1-3 and 1-4 pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpecialFactors {
    pub lj: [f64; 3],
    pub coul: [f64; 3],
}

impl Default for SpecialFactors {
    /// LAMMPS's default: `special_bonds lj/coul 0.0 0.0 0.0`.
    fn default() -> Self {
        SpecialFactors { lj: [0.0; 3], coul: [0.0; 3] }
    }
}

impl SpecialFactors {
    /// Parse the words after `special_bonds` (keywords may follow each other, later ones win).
    pub fn parse(words: &[&str]) -> Result<Self> {
        let mut f = SpecialFactors::default();
        let mut k = 0;
        let three = |k: usize, kw: &str| -> Result<[f64; 3]> {
            let mut v = [0.0; 3];
            for (q, x) in v.iter_mut().enumerate() {
                let w = words.get(k + 1 + q).ok_or_else(|| Error::invalid("special_bonds", kw, "needs three factors (1-2 1-3 1-4)"))?;
                *x = w.parse::<f64>().ok().filter(|x| (0.0..=1.0).contains(x)).ok_or_else(|| Error::invalid(&format!("special_bonds {kw} factor"), w, "must be a number in [0, 1]"))?;
            }
            Ok(v)
        };
        if words.is_empty() {
            return Err(Error::invalid("special_bonds", "", "needs a keyword (lj/coul, lj, coul, amber, charmm, dreiding, fene)"));
        }
        while k < words.len() {
            match words[k] {
                "lj/coul" => {
                    let v = three(k, "lj/coul")?;
                    f.lj = v;
                    f.coul = v;
                    k += 4;
                }
                "lj" => {
                    f.lj = three(k, "lj")?;
                    k += 4;
                }
                "coul" => {
                    f.coul = three(k, "coul")?;
                    k += 4;
                }
                "amber" => {
                    f = SpecialFactors { lj: [0.0, 0.0, 0.5], coul: [0.0, 0.0, 5.0 / 6.0] };
                    k += 1;
                }
                "charmm" => {
                    f = SpecialFactors { lj: [0.0; 3], coul: [0.0; 3] };
                    k += 1;
                }
                "dreiding" => {
                    f = SpecialFactors { lj: [0.0, 0.0, 1.0], coul: [0.0, 0.0, 1.0] };
                    k += 1;
                }
                "fene" => {
                    f = SpecialFactors { lj: [0.0, 1.0, 1.0], coul: [0.0, 1.0, 1.0] };
                    k += 1;
                }
                other => {
                    return Err(Error::invalid(
                        "special_bonds keyword",
                        other,
                        "supported: lj/coul, lj, coul, amber, charmm, dreiding, fene (angle/dihedral/one/five are not)",
                    ))
                }
            }
        }
        Ok(f)
    }
}

/// The Coulomb part of the correction: per-atom charges and the real-space cutoff of `coul/long`.
#[derive(Clone, Debug)]
pub struct CoulCorrection {
    /// Charge of every atom, e.
    pub q: Vec<f64>,
    /// Real-space Coulomb cutoff, Å (LAMMPS applies the correction only within it).
    pub cutoff: f64,
}

/// The correction term of `special_bonds` for an `lj/cut` and/or `coul/long` pair term.
#[derive(Clone, Debug)]
pub struct SpecialBonds {
    /// `(i, j, order − 1)` with `1 − f_lj ≠ 0` (with an LJ term) or `1 − f_coul ≠ 0` (with a
    /// Coulomb term).
    pairs: Vec<(usize, usize, usize)>,
    factors: SpecialFactors,
    /// The LJ term and the potential species index of every atom.
    lj: Option<(Arc<LennardJones>, Vec<usize>)>,
    coul: Option<CoulCorrection>,
    n: usize,
    /// The species of the structure (for `Potential::species`).
    species: Vec<String>,
    /// Atom → force slot (2 per pair: i, then j, in pair order).
    incidence: parallel::Incidence,
}

impl SpecialBonds {
    /// The correction for `topology`'s special pairs on the `lj` term (with `symbols`, the
    /// structure's per-atom species names) and/or the Coulomb term `coul`.
    pub fn new(topology: &Topology, factors: SpecialFactors, lj: Option<Arc<LennardJones>>, coul: Option<CoulCorrection>, symbols: &[String]) -> Result<Self> {
        if symbols.len() != topology.len() {
            return Err(Error::Shape(format!("{} symbols for a topology of {} atoms", symbols.len(), topology.len())));
        }
        let lj = match lj {
            Some(lj) => {
                let types = symbols
                    .iter()
                    .map(|s| {
                        lj.species.iter().position(|x| x == s).ok_or_else(|| Error::UnknownSpecies { species: s.clone(), potential: "lj/cut".into(), known: lj.species.join(", ") })
                    })
                    .collect::<Result<Vec<usize>>>()?;
                Some((lj, types))
            }
            None => None,
        };
        if let Some(c) = &coul {
            if c.q.len() != topology.len() {
                return Err(Error::Shape(format!("{} charges for a topology of {} atoms", c.q.len(), topology.len())));
            }
            if !(c.cutoff.is_finite() && c.cutoff > 0.0) {
                return Err(Error::invalid("coul/long cutoff", c.cutoff, "must be positive and finite (Å)"));
            }
        }
        let (has_lj, has_coul) = (lj.is_some(), coul.is_some());
        let pairs: Vec<(usize, usize, usize)> = topology
            .special_pairs()
            .into_iter()
            .map(|(i, j, o)| (i, j, o as usize - 1))
            .filter(|p| (has_lj && factors.lj[p.2] != 1.0) || (has_coul && factors.coul[p.2] != 1.0))
            .collect();
        let atom_of_slot: Vec<usize> = pairs.iter().flat_map(|&(i, j, _)| [i, j]).collect();
        let incidence = parallel::Incidence::new(topology.len(), &atom_of_slot);
        let mut species: Vec<String> = Vec::new();
        for s in symbols {
            if !species.contains(s) {
                species.push(s.clone());
            }
        }
        Ok(SpecialBonds { pairs, factors, lj, coul, n: topology.len(), species, incidence })
    }
    /// The factors.
    pub fn factors(&self) -> SpecialFactors {
        self.factors
    }
    /// Number of special pairs corrected.
    pub fn n_pairs(&self) -> usize {
        self.pairs.len()
    }
    /// Every image of special pair `(i, j, order − 1)` within `rc` that contributes, in image
    /// order: `visit(d, f_i, −e)` with `d = x_i − x_j` of that image and the force on `i`.
    fn pair_images(&self, cfg: &Configuration<'_>, (i, j, o): (usize, usize, usize), m: &[i64], rc: f64, mut visit: impl FnMut(Vec3, Vec3, f64)) {
        let qqrd2e = crate::potentials::kspace::QQRD2E_METAL;
        let (s_lj, s_c) = (1.0 - self.factors.lj[o], 1.0 - self.factors.coul[o]);
        let p = &cfg.positions;
        let d0 = minimum_image(cfg.cell, [p[i][0] - p[j][0], p[i][1] - p[j][1], p[i][2] - p[j][2]]);
        for a in -m[0]..=m[0] {
            for b in -m[1]..=m[1] {
                for c in -m[2]..=m[2] {
                    let t = cfg.cell.cartesian(&[a as f64, b as f64, c as f64]);
                    let d = [d0[0] + t[0], d0[1] + t[1], d0[2] + t[2]];
                    let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                    if r2 >= rc * rc {
                        continue;
                    }
                    let (mut e, mut fpair) = (0.0, 0.0);
                    if let Some((lj, ty)) = &self.lj {
                        if s_lj != 0.0 {
                            let (el, fl) = lj.energy_force(ty[i], ty[j], r2);
                            e += s_lj * el;
                            fpair += s_lj * fl;
                        }
                    }
                    if let Some(cc) = &self.coul {
                        let qq = qqrd2e * cc.q[i] * cc.q[j];
                        if s_c != 0.0 && qq != 0.0 && r2 < cc.cutoff * cc.cutoff {
                            let r = r2.sqrt();
                            e += s_c * qq / r;
                            fpair += s_c * qq / (r * r2);
                        }
                    }
                    if e == 0.0 && fpair == 0.0 {
                        continue;
                    }
                    visit(d, [-fpair * d[0], -fpair * d[1], -fpair * d[2]], -e);
                }
            }
        }
    }

    fn max_cutoff(&self) -> f64 {
        let lj = self.lj.as_ref().map(|(p, _)| Potential::cutoff(&**p)).unwrap_or(0.0);
        lj.max(self.coul.as_ref().map(|c| c.cutoff).unwrap_or(0.0))
    }
}

impl Potential for SpecialBonds {
    fn pair_style(&self) -> &str {
        "special_bonds"
    }
    fn cutoff(&self) -> f64 {
        0.0
    }
    fn needs(&self) -> Needs {
        Needs { list: crate::neighbors::ListKind::None, cutoff: 0.0, whole_configuration: true }
    }
    fn species(&self) -> Vec<String> {
        self.species.clone()
    }
    /// Bound to its topology atom by atom (each atom's LJ type was resolved when it was built),
    /// like [`super::Bonded`]: a species the structure lists without any atom of it (a builder's
    /// type table) is not an error; the atom count is checked in `compute`.
    fn check_species(&self, species: &[String]) -> Result<()> {
        let _ = species;
        Ok(())
    }
    fn compute(&self, cfg: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        if cfg.len() != self.n {
            return Err(Error::Shape(format!("special_bonds of {} atoms for a structure of {}", self.n, cfg.len())));
        }
        let rc = self.max_cutoff();
        let w = cfg.cell.widths();
        // images n_a with |f_a + n_a| w_a <= r_c for a minimum-image fractional f_a in [-1/2, 1/2]:
        // |n_a| <= 1/2 + r_c / w_a (a hair more for f_a rounded just past 1/2), so a cell wider
        // than 2 r_c visits the minimum image only
        let m: Vec<i64> = w.iter().map(|x| (rc / x + 0.5 + 1e-9).floor() as i64).collect();
        // wider than 2 r_c in every direction: at most one image of a pair is within r_c (two
        // images differ by a lattice vector longer than the narrowest width), so each pair is one
        // term and the pairs can be evaluated in parallel ([`parallel`], bit for bit)
        if !(req.per_atom_energy || req.per_atom_virial) && w.iter().all(|&x| x > 2.0 * rc) {
            use rayon::prelude::*;
            let Scratch { term_forces, term_records, .. } = scratch;
            term_forces.resize(self.incidence.n_slots(), [0.0; 3]);
            term_records.resize(self.pairs.len(), (0.0, [0.0; 6]));
            term_forces.par_chunks_mut(2).zip(term_records.par_iter_mut()).zip(self.pairs.par_iter()).with_min_len(256).for_each(|((sl, rec), &pair)| {
                sl.fill([0.0; 3]);
                *rec = (0.0, [0.0; 6]);
                self.pair_images(cfg, pair, &m, rc, |d, f, e| {
                    let fs = [f, [-f[0], -f[1], -f[2]]];
                    sl.copy_from_slice(&fs);
                    *rec = (e, parallel::term_virial(&[d, [0.0; 3]], &fs));
                });
            });
            parallel::sum_in_order(&scratch.term_records, req.virial, &mut out.energy, &mut out.virial);
            self.incidence.gather(&scratch.term_forces, &mut out.forces);
            return Ok(());
        }
        for &pair in &self.pairs {
            let (i, j, _) = pair;
            self.pair_images(cfg, pair, &m, rc, |d, f, e| tally(out, req, &[i, j], &[d, [0.0; 3]], &[f, [-f[0], -f[1], -f[2]]], e));
        }
        Ok(())
    }
    fn fingerprint(&self) -> String {
        let lj = self.lj.as_ref().map(|(p, _)| p.fingerprint()).unwrap_or_default();
        let coul = self.coul.as_ref().map(|c| format!("coul cutoff {} q {:?}", c.cutoff, c.q)).unwrap_or_default();
        format!("special_bonds[lj {:?} coul {:?}; {} pairs; {lj}; {coul}]", self.factors.lj, self.factors.coul, self.pairs.len())
    }
}

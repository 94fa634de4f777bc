//! `special_bonds`: scaling of the pair interactions between atoms 1-2, 1-3 and 1-4 apart in the
//! bond graph (LAMMPS `special_bonds lj/coul|lj|coul f12 f13 f14`, `amber`, `charmm`,
//! `dreiding`, `fene`; default 0 0 0, every bonded neighbour excluded).
//!
//! How it is computed: the pair style itself runs unchanged over every pair (no exclusions in
//! the neighbour list), and [`SpecialBonds`] is a separate correction term over the (short)
//! list of special pairs that subtracts `(1 − f)` times the pair energy, force and virial of each
//! special pair within the cutoff — exactly what LAMMPS obtains by scaling (or, for f = 0,
//! dropping) those pairs in its list. The pair is taken at its minimum image: the cell must be
//! wider than twice the pair cutoff so that no other image of a special pair interacts (LAMMPS
//! would scale every image). Supported pair term: `lj/cut` (with or without `shift`).
//! Coulomb factors are read and kept; a Coulomb pair term with per-atom charges is not yet
//! corrected (an error says so).

use super::{minimum_image, tally};
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

/// The correction term of `special_bonds` for an `lj/cut` pair term.
#[derive(Clone, Debug)]
pub struct SpecialBonds {
    /// `(i, j, order − 1)` with `1 − f_lj ≠ 0`.
    pairs: Vec<(usize, usize, usize)>,
    factors: SpecialFactors,
    lj: Arc<LennardJones>,
    /// Potential species index of every atom.
    lj_type: Vec<usize>,
    n: usize,
}

impl SpecialBonds {
    /// The correction for `topology`'s special pairs on the `lj` term; `symbols` are the
    /// structure's per-atom species names.
    pub fn new(topology: &Topology, factors: SpecialFactors, lj: Arc<LennardJones>, symbols: &[String]) -> Result<Self> {
        if symbols.len() != topology.len() {
            return Err(Error::Shape(format!("{} symbols for a topology of {} atoms", symbols.len(), topology.len())));
        }
        let lj_type = symbols
            .iter()
            .map(|s| {
                lj.species.iter().position(|x| x == s).ok_or_else(|| Error::UnknownSpecies { species: s.clone(), potential: "lj/cut".into(), known: lj.species.join(", ") })
            })
            .collect::<Result<Vec<usize>>>()?;
        let pairs = topology.special_pairs().into_iter().filter(|p| factors.lj[p.2 as usize - 1] != 1.0).map(|(i, j, o)| (i, j, o as usize - 1)).collect();
        Ok(SpecialBonds { pairs, factors, lj, lj_type, n: topology.len() })
    }
    /// The factors.
    pub fn factors(&self) -> SpecialFactors {
        self.factors
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
        self.lj.species.clone()
    }
    fn compute(&self, cfg: &Configuration<'_>, req: Request, _scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        if cfg.len() != self.n {
            return Err(Error::Shape(format!("special_bonds of {} atoms for a structure of {}", self.n, cfg.len())));
        }
        let w = cfg.cell.widths();
        if w.iter().any(|x| *x < 2.0 * Potential::cutoff(&*self.lj)) {
            return Err(Error::invalid(
                "cell width",
                format!("{:.4}", w.iter().cloned().fold(f64::INFINITY, f64::min)),
                &format!("special_bonds needs a cell wider than twice the pair cutoff ({} Å)", Potential::cutoff(&*self.lj)),
            ));
        }
        for &(i, j, o) in &self.pairs {
            let s = 1.0 - self.factors.lj[o];
            let p = &cfg.positions;
            let d = minimum_image(cfg.cell, [p[i][0] - p[j][0], p[i][1] - p[j][1], p[i][2] - p[j][2]]);
            let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            let (e, fpair) = self.lj.energy_force(self.lj_type[i], self.lj_type[j], r2);
            if e == 0.0 && fpair == 0.0 {
                continue;
            }
            let f = [-s * fpair * d[0], -s * fpair * d[1], -s * fpair * d[2]];
            tally(out, req, &[i, j], &[d, [0.0; 3]], &[f, [-f[0], -f[1], -f[2]]], -s * e);
        }
        Ok(())
    }
    fn fingerprint(&self) -> String {
        format!("special_bonds[lj {:?} coul {:?}; {} pairs; {}]", self.factors.lj, self.factors.coul, self.pairs.len(), self.lj.fingerprint())
    }
}

//! EAM forces on a leading subset of the atoms only (the coupled models' atomistic region with its
//! pad: the outer pad atoms are there only for the densities of the inner ones).
//!
//! Atoms `0..n_force` need forces; atoms `0..n_density` (`n_density ≥ n_force`) need their host
//! density and `F'(ρ)`; the rest are neighbours only. The force on atom `i < n_force` is
//! `Σ_j (F'_i ρ'_{j→i} + F'_j ρ'_{i→j} + φ'_ij) r̂_ij` over its neighbours `j` within the cutoff,
//! so it is exact as long as every such `j` is below `n_density` (checked on every pair: the call
//! reports `false` and leaves `forces` unspecified otherwise). The same spline lookups as the full
//! kernel ([`super::kernel`]), in another summation order: forces agree with a full evaluation to
//! round-off. Serial (the subsets are small).

use super::potential::{force_knot_eval, DensityKnot, EmbeddedAtom, ForceKnot};
use crate::error::{Error, Result};
use crate::neighbors::{ListKind, NeighborList};

/// Work arrays of [`EmbeddedAtom::forces_on_subset`], kept between calls.
#[derive(Clone, Debug, Default)]
pub struct SubsetScratch {
    rho: Vec<f64>,
    fp: Vec<f64>,
    /// The pairs within the cutoff that touch a force atom (extended indices) and their distance.
    pi: Vec<u32>,
    pj: Vec<u32>,
    pr: Vec<f64>,
}

impl EmbeddedAtom {
    /// Forces (eV/Å) on atoms `0..n_force` of a structure of `types` over `species`, from the
    /// half list `nl` (current), with host densities computed for atoms `0..n_density` only.
    /// `forces` is resized to `n_force`. Returns `Ok(false)` when an atom at or beyond
    /// `n_density` lies within the cutoff of an atom below `n_force` (the subset is too small;
    /// evaluate everything instead).
    #[allow(clippy::too_many_arguments)]
    pub fn forces_on_subset(
        &self,
        species: &[String],
        types: &[usize],
        nl: &NeighborList,
        n_force: usize,
        n_density: usize,
        scratch: &mut SubsetScratch,
        forces: &mut Vec<[f64; 3]>,
    ) -> Result<bool> {
        if nl.kind != ListKind::Half {
            return Err(Error::invalid("neighbour list", format!("{:?}", nl.kind), "the EAM subset forces need a half list"));
        }
        let n = types.len();
        if n_force > n_density || n_density > n {
            return Err(Error::invalid("subset", format!("n_force {n_force}, n_density {n_density}, atoms {n}"), "need n_force ≤ n_density ≤ the number of atoms"));
        }
        let map = self.type_map(species)?;
        let ne = self.tables.elements.len();
        let knot = |a: usize, b: usize| map[types[a]] * ne + map[types[b]];
        let cutsq = self.tables.cut * self.tables.cut;
        let rdr = self.rdr;
        let nr1 = self.tables.nr - 1;
        let pos = &nl.ext_pos;
        let owner = &nl.ext_owner;
        let locate = |r: f64| {
            let p = r * rdr + 1.0;
            let m = (p as usize).min(nr1);
            (m, (p - m as f64).min(1.0))
        };
        let SubsetScratch { rho, fp, pi, pj, pr } = scratch;
        // pass 1: densities of 0..n_density; the pairs that touch a force atom kept for pass 2
        rho.clear();
        rho.resize(n_density, 0.0);
        pi.clear();
        pj.clear();
        pr.clear();
        for c in 0..nl.centers.len() {
            let i = nl.centers[c];
            let oi = owner[i as usize] as usize;
            let xi = pos[i as usize];
            let force_i = oi < n_force;
            let dens_i = oi < n_density;
            for &j in nl.neighbors_of(c) {
                let oj = owner[j as usize] as usize;
                if !dens_i && oj >= n_density {
                    continue;
                }
                let xj = pos[j as usize];
                let rsq = (xi[0] - xj[0]).powi(2) + (xi[1] - xj[1]).powi(2) + (xi[2] - xj[2]).powi(2);
                if rsq >= cutsq {
                    continue;
                }
                let r = rsq.sqrt();
                let (m, p) = locate(r);
                let kn: &DensityKnot = &self.density_knots[knot(oi, oj)][m - 1];
                if dens_i {
                    rho[oi] += ((kn[0] * p + kn[1]) * p + kn[2]) * p + kn[3];
                }
                if oj < n_density {
                    rho[oj] += ((kn[4] * p + kn[5]) * p + kn[6]) * p + kn[7];
                }
                if force_i || oj < n_force {
                    if !dens_i || oj >= n_density {
                        return Ok(false);
                    }
                    pi.push(i);
                    pj.push(j);
                    pr.push(r);
                }
            }
        }
        fp.clear();
        fp.extend((0..n_density).map(|i| self.embedding(map[types[i]], rho[i]).1));
        // pass 2: forces on 0..n_force
        forces.clear();
        forces.resize(n_force, [0.0; 3]);
        for ((&i, &j), &r) in pi.iter().zip(pj.iter()).zip(pr.iter()) {
            let (i, j) = (i as usize, j as usize);
            let (oi, oj) = (owner[i] as usize, owner[j] as usize);
            let (xi, xj) = (pos[i], pos[j]);
            let d = [xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]];
            let (m, p) = locate(r);
            let k: &ForceKnot = &self.force_knots[knot(oi, oj)][m - 1];
            let recip = 1.0 / r;
            let (rhoip, rhojp, _phi, phip) = force_knot_eval(k, p, recip);
            let fpair = -(fp[oi] * rhojp + fp[oj] * rhoip + phip) * recip;
            if oi < n_force {
                for q in 0..3 {
                    forces[oi][q] += d[q] * fpair;
                }
            }
            if oj < n_force {
                for q in 0..3 {
                    forces[oj][q] -= d[q] * fpair;
                }
            }
        }
        Ok(true)
    }
}

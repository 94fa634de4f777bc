//! The EAM force kernel (LAMMPS `PairEAM::compute`): pass 1 accumulates host densities over the
//! half list, then `F(ρ)` and `F'(ρ)` per atom, pass 2 the pair forces, energies and virials.

use super::potential::{force_knot_eval, DensityKnot, EmbeddedAtom, ForceKnot};
use crate::error::Result;
use crate::neighbors::{ListKind, NeighborList};
use crate::potentials::{pair_loop, Configuration, Output, Request, Scratch, ThreadBuffer};
use rayon::prelude::*;
impl EmbeddedAtom {
    /// Knot-table index per structure-type pair (`a·nt + b`) for the structure's `species`.
    fn pair_tables(&self, species: &[String]) -> Result<(Vec<usize>, Vec<usize>)> {
        let (mut map, mut pair_of) = (Vec::new(), Vec::new());
        self.pair_tables_into(species, &mut map, &mut pair_of)?;
        Ok((map, pair_of))
    }

    /// [`Self::pair_tables`] into reused vectors (cleared first): `map` from structure type to
    /// the file's element, `pair_of` the knot table per type pair. Allocation-free once warm.
    fn pair_tables_into(&self, species: &[String], map: &mut Vec<usize>, pair_of: &mut Vec<usize>) -> Result<()> {
        map.clear();
        for s in species {
            match self.element_index(s) {
                Some(e) => map.push(e),
                // the error path (names the unknown species) may allocate
                None => return self.type_map(species).map(|_| ()),
            }
        }
        let nt = species.len();
        let ne = self.tables.elements.len();
        pair_of.clear();
        pair_of.resize(nt * nt, 0);
        for a in 0..nt {
            for b in 0..nt {
                pair_of[a * nt + b] = map[a] * ne + map[b];
            }
        }
        Ok(())
    }

    /// Host electron density `ρ_i` of every atom (the file's density unit) for a structure
    /// whose species are `species`, over the half list `nl` (current image positions): pass 1
    /// of the force evaluation on its own, with the same summation order.
    pub fn host_density(&self, species: &[String], nl: &NeighborList) -> Result<Vec<f64>> {
        let (_, pair_of) = self.pair_tables(species)?;
        let mut scratch = Scratch::default();
        Ok(self.density_pass(nl, species.len(), &pair_of, nl.center_of.len(), &mut scratch))
    }

    /// Pass 1: densities into per-thread image buffers, folded onto the `n` owner atoms
    /// (returned; the vector is `scratch.atom_scalar`'s storage). Leaves every thread's pairs
    /// within the cutoff in its buffer for pass 2.
    fn density_pass(&self, nl: &NeighborList, nt: usize, pair_of: &[usize], n: usize, scratch: &mut Scratch) -> Vec<f64> {
        let n_ext = nl.n_ext();
        let cutsq = self.tables.cut * self.tables.cut;
        let rdr = self.rdr;
        let nr1 = self.tables.nr - 1;
        let pos = &nl.ext_pos;
        let typ = &nl.ext_type;
        let nthreads = rayon::current_num_threads().max(1);
        let Scratch { buffers, ranges, atom_scalar, .. } = scratch;
        nl.balanced_ranges_into(nthreads, ranges);
        buffers.resize_with(ranges.len(), Default::default);
        let dknots = &self.density_knots;
        // one element pair only (pure metals): skip the per-pair type lookup
        let uniform = pair_of.iter().all(|&x| x == pair_of[0]);
        let d0: &[DensityKnot] = &dknots[pair_of[0]];
        buffers.par_iter_mut().zip(ranges.par_iter()).for_each(|(buf, range)| {
            let range = range.clone();
            let ThreadBuffer { scalar: rho, pair_index, pair_dist, pair_count, stage_index: tj, stage_dist: tr, .. } = buf;
            rho.clear();
            crate::neighbors::reserve_headroom(rho, n_ext);
            rho.resize(n_ext, 0.0);
            pair_index.clear();
            pair_dist.clear();
            pair_count.clear();
            // expected share of list pairs inside the cutoff (uniform density), with a margin
            let total = nl.offsets[range.end] - nl.offsets[range.start];
            let share = ((nl.cutoff / (nl.cutoff + nl.skin)).powi(3) * 1.15).min(1.0);
            let want = (total as f64 * share) as usize + 64;
            pair_index.reserve(want.saturating_sub(pair_index.len()));
            pair_dist.reserve(want.saturating_sub(pair_dist.len()));
            for c in range {
                let i = nl.centers[c] as usize;
                let xi = pos[i];
                let ti = typ[i] as usize;
                let nbrs = &nl.neighbors[nl.offsets[c]..nl.offsets[c + 1]];
                // branch-free compaction of the pairs within the cutoff
                if tj.len() < nbrs.len() {
                    tj.resize(nbrs.len(), 0);
                    tr.resize(nbrs.len(), 0.0);
                }
                let mut k = 0usize;
                for &j in nbrs {
                    let xj = pos[j as usize];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    let rsq = dx * dx + dy * dy + dz * dz;
                    tj[k] = j;
                    tr[k] = rsq;
                    k += (rsq < cutsq) as usize;
                }
                let (tj, tr) = (&tj[..k], &mut tr[..k]);
                for r in tr.iter_mut() {
                    *r = r.sqrt();
                }
                let mut rho_i = 0.0;
                for (&j, &r) in tj.iter().zip(tr.iter()) {
                    let j = j as usize;
                    let p = r * rdr + 1.0;
                    let m = (p as usize).min(nr1);
                    let p = (p - m as f64).min(1.0);
                    let tab: &[DensityKnot] = if uniform { d0 } else { &dknots[pair_of[ti * nt + typ[j] as usize]] };
                    let kn = &tab[m - 1];
                    rho_i += ((kn[0] * p + kn[1]) * p + kn[2]) * p + kn[3];
                    rho[j] += ((kn[4] * p + kn[5]) * p + kn[6]) * p + kn[7];
                }
                rho[i] += rho_i;
                pair_index.extend_from_slice(tj);
                pair_dist.extend_from_slice(tr);
                pair_count.push(k as u32);
            }
        });
        // fold onto owners
        let mut rho_atom = std::mem::take(atom_scalar);
        rho_atom.clear();
        rho_atom.resize(n, 0.0);
        for buf in buffers.iter() {
            for (e, v) in buf.scalar.iter().enumerate() {
                rho_atom[nl.ext_owner[e] as usize] += v;
            }
        }
        rho_atom
    }

    /// Both passes (the [`crate::potentials::Potential::compute`] of EAM).
    pub(super) fn compute_passes(&self, config: &Configuration<'_>, req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let mut map = std::mem::take(&mut scratch.atom_index);
        let mut pair_of = std::mem::take(&mut scratch.pair_table);
        let tables = self.pair_tables_into(config.species, &mut map, &mut pair_of);
        let result = tables.and_then(|()| self.compute_with_tables(config, &map, &pair_of, req, scratch, out));
        scratch.atom_index = map;
        scratch.pair_table = pair_of;
        result
    }

    fn compute_with_tables(&self, config: &Configuration<'_>, map: &[usize], pair_of: &[usize], req: Request, scratch: &mut Scratch, out: &mut Output) -> Result<()> {
        let nl = config.neighbors(ListKind::Half)?;
        let nt = config.species.len();
        if let Some(path) = scratch.nbnxm.cluster_path()? {
            let t = crate::nbnxm::eam::EamTables {
                rdr: self.rdr,
                nr1: self.tables.nr - 1,
                cutsq: self.tables.cut * self.tables.cut,
                density: &self.density_knots,
                force: &self.force_knots,
                pair_of,
                nt,
            };
            let embed = |ty: usize, rho: f64| self.embedding(map[ty], rho);
            return crate::nbnxm::eam::compute(path, nl, config.cell.volume(), &t, config.types, embed, req, &mut scratch.nbnxm, out);
        }
        let n = out.forces.len();
        let rdr = self.rdr;
        let nr1 = self.tables.nr - 1;
        let pos = &nl.ext_pos;
        let typ = &nl.ext_type;
        let uniform = pair_of.iter().all(|&x| x == pair_of[0]);
        let rho_atom = self.density_pass(nl, nt, pair_of, n, scratch);
        // embedding energies and F'(ρ) (the structure's types are the images' owners' types)
        let atom_types = config.types;
        let mut fp_atom = std::mem::take(&mut scratch.atom_scalar2);
        fp_atom.clear();
        fp_atom.resize(n, 0.0);
        let mut e_embed = 0.0;
        for i in 0..n {
            let (phi, fp) = self.embedding(map[atom_types[i]], rho_atom[i]);
            fp_atom[i] = fp;
            e_embed += phi;
            if req.per_atom_energy {
                out.per_atom_energy[i] += phi;
            }
        }
        if req.energy {
            out.energy += e_embed;
        }
        let mut fp_vec = std::mem::take(&mut scratch.image_scalar);
        fp_vec.clear();
        crate::neighbors::reserve_headroom(&mut fp_vec, nl.n_ext());
        fp_vec.extend(nl.ext_owner.iter().map(|&o| fp_atom[o as usize]));
        let fp_ext: &[f64] = &fp_vec;

        // ---- pass 2: forces ----
        let fknots = &self.force_knots;
        let f0: &[ForceKnot] = &fknots[pair_of[0]];
        let want_e = req.energy || req.per_atom_energy;
        let result = pair_loop(nl, req, scratch, out, |range, buf| {
            let mut energy = 0.0;
            let mut virial = [0.0; 6];
            let ThreadBuffer { forces, per_atom_energy, per_atom_virial, pair_index, pair_dist, pair_count, .. } = buf;
            let mut off = 0usize;
            for (c, &cnt) in range.zip(pair_count.iter()) {
                let i = nl.centers[c] as usize;
                let xi = pos[i];
                let ti = typ[i] as usize;
                let fpi = fp_ext[i];
                let mut fi = [0.0; 3];
                let end = off + cnt as usize;
                for (&j, &r) in pair_index[off..end].iter().zip(&pair_dist[off..end]) {
                    let j = j as usize;
                    let xj = pos[j];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    let p = r * rdr + 1.0;
                    let m = (p as usize).min(nr1);
                    let p = (p - m as f64).min(1.0);
                    let tab: &[ForceKnot] = if uniform { f0 } else { &fknots[pair_of[ti * nt + typ[j] as usize]] };
                    let k = &tab[m - 1];
                    let recip = 1.0 / r;
                    let (rhoip, rhojp, phi, phip) = force_knot_eval(k, p, recip);
                    let psip = fpi * rhojp + fp_ext[j] * rhoip + phip;
                    let fpair = -psip * recip;
                    fi[0] += dx * fpair;
                    fi[1] += dy * fpair;
                    fi[2] += dz * fpair;
                    let fj = &mut forces[j];
                    fj[0] -= dx * fpair;
                    fj[1] -= dy * fpair;
                    fj[2] -= dz * fpair;
                    if want_e {
                        energy += phi;
                        if req.per_atom_energy {
                            per_atom_energy[i] += 0.5 * phi;
                            per_atom_energy[j] += 0.5 * phi;
                        }
                    }
                    if req.virial || req.per_atom_virial {
                        let v = [dx * dx * fpair, dy * dy * fpair, dz * dz * fpair, dy * dz * fpair, dx * dz * fpair, dx * dy * fpair];
                        for q in 0..6 {
                            virial[q] += v[q];
                        }
                        if req.per_atom_virial {
                            for q in 0..6 {
                                per_atom_virial[i][q] += 0.5 * v[q];
                                per_atom_virial[j][q] += 0.5 * v[q];
                            }
                        }
                    }
                }
                off = end;
                let f = &mut forces[i];
                f[0] += fi[0];
                f[1] += fi[1];
                f[2] += fi[2];
            }
            if req.energy {
                buf.energy += energy;
            }
            if req.virial {
                for q in 0..6 {
                    buf.virial[q] += virial[q];
                }
            }
            Ok(())
        });
        scratch.image_scalar = fp_vec;
        scratch.atom_scalar = rho_atom;
        scratch.atom_scalar2 = fp_atom;
        result
    }
}

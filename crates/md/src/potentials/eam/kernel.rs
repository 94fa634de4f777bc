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
        // ... and of a symmetric one (ρ_{i→j} = ρ_{j→i}): one spline evaluation per pair
        let sym = uniform && self.symmetric[pair_of[0]];
        buffers.par_iter_mut().zip(ranges.par_iter()).for_each(|(buf, range)| {
            let range = range.clone();
            // the densities live in the thread's force buffer (dead until pass 2 resets it), so
            // pass 1 costs no per-image memory of its own
            let ThreadBuffer { forces, pair_bits, stage_index: tj, stage_dist: tr, .. } = buf;
            forces.clear();
            crate::neighbors::reserve_headroom(forces, n_ext);
            forces.resize(n_ext, [0.0; 3]);
            let rho = &mut forces.as_flattened_mut()[..n_ext];
            // one bit per listed pair (within the cutoff or not), one u64 word per 64 entries
            // of each centre: 1/32 of the list's own size
            pair_bits.clear();
            let total = nl.pair_offset(range.end) - nl.pair_offset(range.start);
            pair_bits.reserve(total / 64 + range.len());
            let arg = DensityArgs { nl, pos, typ, cutsq, rdr, nr1, nt, pair_of, dknots, d0 };
            if sym {
                arg.centres::<true>(range, rho, tj, tr, pair_bits)
            } else {
                arg.centres::<false>(range, rho, tj, tr, pair_bits)
            }
        });
        // fold onto owners, in parallel over atoms: each atom adds its images' densities buffer
        // by buffer in image order (its images are listed in ascending order), the same sums
        // as a serial sweep over the images
        let mut rho_atom = std::mem::take(atom_scalar);
        rho_atom.clear();
        rho_atom.resize(n, 0.0);
        let buffers = &*buffers;
        rho_atom.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, r)| {
            let images = nl.images_of(i);
            for buf in buffers {
                let rho = buf.forces.as_flattened();
                for &e in images {
                    *r += rho[e as usize];
                }
            }
        });
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
        if let Some(path) = scratch.nbnxm.cluster_path(crate::nbnxm::Style::Eam)? {
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
        let n_ext = nl.n_ext();
        let mut fp_atom = self.density_pass(nl, nt, pair_of, n, scratch);
        // embedding energies and F'(ρ) (the structure's types are the images' owners' types).
        // F' overwrites ρ per atom (dead after the fold) and F' per image goes into the one
        // shared per-image scalar; the embedding energies, when wanted, pass through that
        // buffer first and are summed in atom order.
        let atom_types = config.types;
        let mut fp_vec = std::mem::take(&mut scratch.image_scalar);
        fp_vec.clear();
        crate::neighbors::reserve_headroom(&mut fp_vec, n_ext);
        fp_vec.resize(n, 0.0);
        let want_embed = req.energy || req.per_atom_energy;
        {
            let phi_tmp = &mut fp_vec[..n];
            fp_atom.par_iter_mut().zip(phi_tmp.par_iter_mut()).enumerate().with_min_len(1024).for_each(|(i, (r, e))| {
                let (phi, fp) = self.embedding(map[atom_types[i]], *r);
                *r = fp;
                *e = phi;
            });
            if want_embed {
                let mut e_embed = 0.0;
                for (i, &phi) in phi_tmp.iter().enumerate() {
                    e_embed += phi;
                    if req.per_atom_energy {
                        out.per_atom_energy[i] += phi;
                    }
                }
                if req.energy {
                    out.energy += e_embed;
                }
            }
        }
        fp_vec.clear();
        fp_vec.resize(n_ext, 0.0);
        {
            let fp_atom = &fp_atom;
            fp_vec.par_iter_mut().zip(nl.ext_owner.par_iter()).with_min_len(4096).for_each(|(f, &o)| *f = fp_atom[o as usize]);
        }
        let fp_ext: &[f64] = &fp_vec;

        // ---- pass 2: forces ----
        let fknots = &self.force_knots;
        let f0: &[ForceKnot] = &fknots[pair_of[0]];
        let sym = uniform && self.symmetric[pair_of[0]];
        let result = pair_loop(nl, req, scratch, out, |range, buf| {
            let mut energy = 0.0;
            let mut virial = [0.0; 6];
            let ThreadBuffer { forces, per_atom_energy, per_atom_virial, pair_bits, stage_index, stage_pair, stage_dist, .. } = buf;
            let arg = ForceArgs { nl, pos, typ, rdr, nr1, nt, pair_of, fknots, f0, fp_ext, req };
            let bufs = ForceBuffers { forces, per_atom_energy, per_atom_virial };
            if sym {
                arg.centres::<true>(range, pair_bits, stage_pair, stage_dist, stage_index, bufs, &mut energy, &mut virial);
            } else {
                arg.centres::<false>(range, pair_bits, stage_pair, stage_dist, stage_index, bufs, &mut energy, &mut virial);
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
        scratch.atom_scalar = fp_atom;
        result
    }
}

/// The read-only inputs of pass 1 over a range of centres.
struct DensityArgs<'a> {
    nl: &'a NeighborList,
    pos: &'a [crate::cell::Vec3],
    typ: &'a [u16],
    cutsq: f64,
    rdr: f64,
    nr1: usize,
    nt: usize,
    pair_of: &'a [usize],
    dknots: &'a [Vec<DensityKnot>],
    d0: &'a [DensityKnot],
}

impl DensityArgs<'_> {
    /// Pass 1 over the centres `range`: densities into `rho` (per image), which listed pairs
    /// lie within the cutoff appended to `pair_bits` (bit `q % 64` of word `q / 64` of the
    /// centre's words: its list entry `q`). `SYM`: one element pair whose
    /// two density splines are the same (each pair's spline evaluated once, added to both
    /// atoms: the same sums as evaluating it twice).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn centres<const SYM: bool>(
        &self,
        range: std::ops::Range<usize>,
        rho: &mut [f64],
        tj: &mut Vec<u32>,
        tr: &mut Vec<f64>,
        pair_bits: &mut Vec<u64>,
    ) {
        let DensityArgs { nl, pos, typ, cutsq, rdr, nr1, nt, pair_of, dknots, d0 } = *self;
        let uniform = SYM || pair_of.iter().all(|&x| x == pair_of[0]);
        for c in range {
            let i = nl.centers[c] as usize;
            let xi = pos[i];
            let ti = typ[i] as usize;
            let nbrs = nl.neighbors_of(c);
            if tj.len() < nbrs.len() {
                tj.resize(nbrs.len(), 0);
                tr.resize(nbrs.len(), 0.0);
            }
            // branch-free compaction of the pairs within the cutoff (into local slices, so the
            // staging pointers stay in registers)
            let (sj, sr) = (&mut tj[..nbrs.len()], &mut tr[..nbrs.len()]);
            let mut k = 0usize;
            for (words, chunk) in nbrs.chunks(64).enumerate() {
                let mut word = 0u64;
                for (b, &j) in chunk.iter().enumerate() {
                    let q = 64 * words + b;
                    let xj = pos[j as usize];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    let rsq = dx * dx + dy * dy + dz * dz;
                    let w = k.min(q);
                    sj[w] = j;
                    sr[w] = rsq;
                    let inside = rsq < cutsq;
                    k += inside as usize;
                    word |= (inside as u64) << b;
                }
                pair_bits.push(word);
            }
            let (sj, sr) = (&sj[..k], &mut sr[..k]);
            for r in sr.iter_mut() {
                *r = r.sqrt();
            }
            let mut rho_i = 0.0;
            for (&j, &r) in sj.iter().zip(sr.iter()) {
                let j = j as usize;
                let p = r * rdr + 1.0;
                let m = (p as usize).min(nr1);
                let p = (p - m as f64).min(1.0);
                if SYM {
                    let kn = &d0[m - 1];
                    let v = ((kn[0] * p + kn[1]) * p + kn[2]) * p + kn[3];
                    rho_i += v;
                    rho[j] += v;
                } else {
                    let tab: &[DensityKnot] = if uniform { d0 } else { &dknots[pair_of[ti * nt + typ[j] as usize]] };
                    let kn = &tab[m - 1];
                    rho_i += ((kn[0] * p + kn[1]) * p + kn[2]) * p + kn[3];
                    rho[j] += ((kn[4] * p + kn[5]) * p + kn[6]) * p + kn[7];
                }
            }
            rho[i] += rho_i;
        }
    }
}

/// The read-only inputs of pass 2 over a range of centres.
struct ForceArgs<'a> {
    nl: &'a NeighborList,
    pos: &'a [crate::cell::Vec3],
    typ: &'a [u16],
    rdr: f64,
    nr1: usize,
    nt: usize,
    pair_of: &'a [usize],
    fknots: &'a [Vec<ForceKnot>],
    f0: &'a [ForceKnot],
    fp_ext: &'a [f64],
    req: Request,
}

/// A thread's per-image accumulators of pass 2.
struct ForceBuffers<'a> {
    forces: &'a mut Vec<crate::cell::Vec3>,
    per_atom_energy: &'a mut Vec<f64>,
    per_atom_virial: &'a mut Vec<[f64; 6]>,
}

impl ForceArgs<'_> {
    /// Pass 2 over the centres `range` and the pairs pass 1 marked within the cutoff (the
    /// same range, so the centres' bit words follow each other in `pair_bits`). `SYM`: one
    /// element pair with a symmetric density spline (ρ′ evaluated once per pair and used for
    /// both atoms: the same arithmetic as evaluating it twice).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn centres<const SYM: bool>(
        &self,
        range: std::ops::Range<usize>,
        pair_bits: &[u64],
        picked: &mut Vec<u32>,
        stage: &mut Vec<f64>,
        knot: &mut Vec<u32>,
        bufs: ForceBuffers<'_>,
        energy: &mut f64,
        virial: &mut [f64; 6],
    ) {
        let ForceArgs { nl, pos, typ, rdr, nr1, nt, pair_of, fknots, f0, fp_ext, req } = *self;
        let ForceBuffers { forces, per_atom_energy, per_atom_virial } = bufs;
        let uniform = SYM || pair_of.iter().all(|&x| x == pair_of[0]);
        let want_e = req.energy || req.per_atom_energy;
        let (mut e_sum, mut w) = (*energy, *virial);
        let mut off = 0usize;
        for c in range {
            let i = nl.centers[c] as usize;
            let xi = pos[i];
            let ti = typ[i] as usize;
            let fpi = fp_ext[i];
            let mut fi = [0.0; 3];
            // the pairs within the cutoff, in list order (the set bits of pass 1's words) ...
            let nbrs = nl.neighbors_of(c);
            let nw = nbrs.len().div_ceil(64);
            let words = &pair_bits[off..off + nw];
            off += nw;
            // with the distances again, by pass 1's arithmetic (bit-identical r); then r's table
            // position and 1/r in one vectorisable sweep: cheaper than keeping 8 bytes per pair
            // between the passes
            let l = nbrs.len();
            if picked.len() < l {
                picked.resize(l, 0);
            }
            if stage.len() < 2 * l {
                stage.resize(2 * l, 0.0);
            }
            if knot.len() < l {
                knot.resize(l, 0);
            }
            let (ps, ri) = stage[..2 * l].split_at_mut(l);
            let mut k = 0usize;
            for (wi, &word) in words.iter().enumerate() {
                let mut w = word;
                while w != 0 {
                    let j = nbrs[64 * wi + w.trailing_zeros() as usize];
                    let xj = pos[j as usize];
                    let dx = xi[0] - xj[0];
                    let dy = xi[1] - xj[1];
                    let dz = xi[2] - xj[2];
                    picked[k] = j;
                    ps[k] = dx * dx + dy * dy + dz * dz;
                    k += 1;
                    w &= w - 1;
                }
            }
            let nk = k;
            let idx = &picked[..nk];
            let (ps, ri, ms) = (&mut ps[..nk], &mut ri[..nk], &mut knot[..nk]);
            for ((pq, v), mq) in ps.iter_mut().zip(ri.iter_mut()).zip(ms.iter_mut()) {
                let r = pq.sqrt();
                *v = 1.0 / r;
                let p = r * rdr + 1.0;
                let m = (p as usize).min(nr1);
                *pq = (p - m as f64).min(1.0);
                *mq = m as u32;
            }
            for q in 0..nk {
                let (j, p, recip, m) = (idx[q] as usize, ps[q], ri[q], ms[q] as usize);
                let xj = pos[j];
                let dx = xi[0] - xj[0];
                let dy = xi[1] - xj[1];
                let dz = xi[2] - xj[2];
                let (psip, phi) = if SYM {
                    let k = &f0[m - 1];
                    let rp = (k[0] * p + k[1]) * p + k[2];
                    let z2p = (k[6] * p + k[7]) * p + k[8];
                    let z2 = ((k[9] * p + k[10]) * p + k[11]) * p + k[12];
                    let phi = z2 * recip;
                    let phip = z2p * recip - phi * recip;
                    (fpi * rp + fp_ext[j] * rp + phip, phi)
                } else {
                    let tab: &[ForceKnot] = if uniform { f0 } else { &fknots[pair_of[ti * nt + typ[j] as usize]] };
                    let (rhoip, rhojp, phi, phip) = force_knot_eval(&tab[m - 1], p, recip);
                    (fpi * rhojp + fp_ext[j] * rhoip + phip, phi)
                };
                let fpair = -psip * recip;
                fi[0] += dx * fpair;
                fi[1] += dy * fpair;
                fi[2] += dz * fpair;
                let fj = &mut forces[j];
                fj[0] -= dx * fpair;
                fj[1] -= dy * fpair;
                fj[2] -= dz * fpair;
                if want_e {
                    e_sum += phi;
                    if req.per_atom_energy {
                        per_atom_energy[i] += 0.5 * phi;
                        per_atom_energy[j] += 0.5 * phi;
                    }
                }
                if req.virial || req.per_atom_virial {
                    let v = [dx * dx * fpair, dy * dy * fpair, dz * dz * fpair, dy * dz * fpair, dx * dz * fpair, dx * dy * fpair];
                    for q in 0..6 {
                        w[q] += v[q];
                    }
                    if req.per_atom_virial {
                        for q in 0..6 {
                            per_atom_virial[i][q] += 0.5 * v[q];
                            per_atom_virial[j][q] += 0.5 * v[q];
                        }
                    }
                }
            }
            let f = &mut forces[i];
            f[0] += fi[0];
            f[1] += fi[1];
            f[2] += fi[2];
        }
        *energy = e_sum;
        *virial = w;
    }
}

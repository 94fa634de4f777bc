//! The private cluster layout of one neighbour-list build: spatial sort of the extended set
//! into padded clusters, cluster bounding boxes, and the cluster-pair list with its masks.

use super::tally::lanes;
use super::{force_index, SlotBuffer, CLUSTER};
use crate::neighbors::{reserve_headroom, NeighborList};
use crate::potentials::{Output, Request};
use rayon::prelude::*;
use std::ops::Range;

/// Marks a padding slot.
pub const PAD: u32 = u32::MAX;
const C: usize = CLUSTER;

/// Cluster layout and cluster-pair list (rebuilt when the neighbour list is).
#[derive(Clone, Debug, Default)]
pub struct Layout {
    generation: u64,
    /// Extended image of every slot (`PAD` for padding).
    pub slot_ext: Vec<u32>,
    /// Slot of every extended image.
    pub slot_of_ext: Vec<u32>,
    /// Owner atom of every slot (0 for padding).
    pub slot_owner: Vec<u32>,
    /// Structure type of every slot (0 for padding).
    pub slot_type: Vec<u32>,
    /// Positions per slot (structure of arrays), Å; padding far away.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub z: Vec<f64>,
    /// Clusters that hold at least one centre (zero image), in layout order.
    pub ci: Vec<u32>,
    /// Offsets into `cj`/`mask`, one per entry of `ci` plus one.
    pub ci_start: Vec<usize>,
    /// j clusters of every i cluster.
    pub cj: Vec<u32>,
    /// Bit `4p + q`: the pair (slot p of the i cluster, slot q of the j cluster) is evaluated.
    pub mask: Vec<u16>,
    scratch_order: Vec<u32>,
    col_start: Vec<usize>,
    parts: Vec<(Vec<u32>, Vec<u16>, Vec<u32>)>,
    /// Work arrays of a build, kept so that rebuilding allocates nothing once warm.
    work: BuildWork,
}

/// Work arrays of [`Layout::build`].
#[derive(Clone, Debug, Default)]
struct BuildWork {
    count: Vec<usize>,
    fill: Vec<usize>,
    centre: Vec<bool>,
    key: Vec<u32>,
    bb: Vec<[[f64; 3]; 2]>,
}

#[derive(Clone, Copy)]
struct Grid {
    lo: [f64; 2],
    a: [f64; 2],
    n: [usize; 2],
}

impl Grid {
    fn col(&self, x: f64, k: usize) -> usize {
        (((x - self.lo[k]) / self.a[k]).floor().max(0.0) as usize).min(self.n[k] - 1)
    }
}

impl Layout {
    /// Heap bytes held (allocated capacity).
    pub fn heap_bytes(&self) -> usize {
        fn b<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let parts: usize = self.parts.iter().map(|(a, m, c)| b(a) + b(m) + b(c)).sum();
        b(&self.slot_ext) + b(&self.slot_of_ext) + b(&self.slot_owner) + b(&self.slot_type) + b(&self.x) + b(&self.y) + b(&self.z)
            + b(&self.ci) + b(&self.ci_start) + b(&self.cj) + b(&self.mask) + b(&self.scratch_order) + b(&self.col_start) + parts
            + b(&self.work.count) + b(&self.work.fill) + b(&self.work.centre) + b(&self.work.key) + b(&self.work.bb)
    }

    /// Bring the layout up to date with `nl` (rebuild after a list build, then gather the
    /// current positions). `volume` is the cell volume (Å³), for the cluster size.
    pub fn update(&mut self, nl: &NeighborList, volume: f64) {
        if self.generation != nl.generation || self.slot_of_ext.len() != nl.n_ext() {
            self.build(nl, volume);
            self.generation = nl.generation;
        }
        self.gather(nl);
    }

    /// Copy the current image positions into the slots.
    pub fn gather(&mut self, nl: &NeighborList) {
        let pos = &nl.ext_pos;
        let se = &self.slot_ext;
        self.x
            .par_iter_mut()
            .zip(self.y.par_iter_mut().zip(self.z.par_iter_mut()))
            .enumerate()
            .with_min_len(2048)
            .for_each(|(s, (x, (y, z)))| {
                let e = se[s];
                if e == PAD {
                    let far = 1.0e7 * (1.0 + (s % C) as f64);
                    (*x, *y, *z) = (far, far, far);
                } else {
                    let p = pos[e as usize];
                    (*x, *y, *z) = (p[0], p[1], p[2]);
                }
            });
    }

    fn build(&mut self, nl: &NeighborList, volume: f64) {
        let n_ext = nl.n_ext();
        let pos = &nl.ext_pos;
        let n = nl.center_of.len().max(1);
        // x-y columns about one cluster wide (GROMACS: C atoms per column cell on average)
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for p in pos {
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        if n_ext == 0 {
            lo = [0.0; 3];
            hi = [0.0; 3];
        }
        let density = n as f64 / volume.abs().max(1e-30);
        let mut edge = (C as f64 / density).cbrt().max(1e-3);
        let span = [(hi[0] - lo[0]).max(1e-9), (hi[1] - lo[1]).max(1e-9)];
        while (span[0] / edge).ceil() * (span[1] / edge).ceil() > (4 * n_ext + 16) as f64 {
            edge *= 1.5;
        }
        let nx = ((span[0] / edge).ceil() as usize).max(1);
        let ny = ((span[1] / edge).ceil() as usize).max(1);
        let grid = Grid { lo: [lo[0], lo[1]], a: [edge, edge], n: [nx, ny] };
        let ncol = nx * ny;
        // counting sort by column, then by z within each column
        let col_of = |e: usize| grid.col(pos[e][0], 0) * ny + grid.col(pos[e][1], 1);
        let mut work = std::mem::take(&mut self.work);
        let BuildWork { count, fill, centre, key, bb } = &mut work;
        count.clear();
        reserve_headroom(count, ncol + 1);
        count.resize(ncol + 1, 0);
        for e in 0..n_ext {
            count[col_of(e) + 1] += 1;
        }
        for c in 0..ncol {
            count[c + 1] += count[c];
        }
        let order = &mut self.scratch_order;
        order.clear();
        reserve_headroom(order, n_ext);
        order.resize(n_ext, 0);
        fill.clear();
        reserve_headroom(fill, ncol + 1);
        fill.extend_from_slice(count);
        for e in 0..n_ext {
            let c = col_of(e);
            order[fill[c]] = e as u32;
            fill[c] += 1;
        }
        for c in 0..ncol {
            order[count[c]..count[c + 1]].sort_unstable_by(|&a, &b| pos[a as usize][2].total_cmp(&pos[b as usize][2]).then(a.cmp(&b)));
        }
        // padded slots: each column starts a new cluster
        self.col_start.clear();
        reserve_headroom(&mut self.col_start, ncol + 1);
        self.col_start.push(0);
        for c in 0..ncol {
            let m = count[c + 1] - count[c];
            let last = *self.col_start.last().unwrap_or(&0);
            self.col_start.push(last + m.div_ceil(C));
        }
        let ncl = *self.col_start.last().unwrap_or(&0);
        let ns = ncl * C;
        for v in [&mut self.slot_ext, &mut self.slot_owner, &mut self.slot_type, &mut *key] {
            v.clear();
            reserve_headroom(v, ns);
        }
        for v in [&mut self.x, &mut self.y, &mut self.z] {
            v.clear();
            reserve_headroom(v, ns);
        }
        self.slot_of_ext.clear();
        reserve_headroom(&mut self.slot_of_ext, n_ext);
        centre.clear();
        reserve_headroom(centre, ns);
        self.slot_ext.resize(ns, PAD);
        for c in 0..ncol {
            let s0 = self.col_start[c] * C;
            for (k, &e) in order[count[c]..count[c + 1]].iter().enumerate() {
                self.slot_ext[s0 + k] = e;
            }
        }
        self.slot_of_ext.clear();
        self.slot_of_ext.resize(n_ext, 0);
        self.slot_owner.clear();
        self.slot_owner.resize(ns, 0);
        self.slot_type.clear();
        self.slot_type.resize(ns, 0);
        // per slot: centre flag and half-list key of the image (2·owner + lexicographically
        // positive image), as in `neighbors.rs`
        centre.resize(ns, false);
        key.resize(ns, 0);
        for (s, &e) in self.slot_ext.iter().enumerate() {
            if e == PAD {
                continue;
            }
            let e = e as usize;
            self.slot_of_ext[e] = s as u32;
            let o = nl.ext_owner[e];
            self.slot_owner[s] = o;
            self.slot_type[s] = nl.ext_type[e] as u32;
            let c0 = nl.center_of[o as usize] as usize;
            centre[s] = c0 == e;
            let (t, t0) = (nl.ext_translation[e], nl.ext_translation[c0]);
            let img = [t[0] - t0[0], t[1] - t0[1], t[2] - t0[2]];
            key[s] = 2 * o + (img > [0, 0, 0]) as u32;
        }
        self.x.clear();
        self.x.resize(ns, 0.0);
        self.y.clear();
        self.y.resize(ns, 0.0);
        self.z.clear();
        self.z.resize(ns, 0.0);
        self.gather(nl);
        // bounding boxes
        bb.clear();
        reserve_headroom(bb, ncl);
        bb.resize(ncl, [[0.0f64; 3]; 2]);
        for (c, b) in bb.iter_mut().enumerate() {
            let mut l = [f64::INFINITY; 3];
            let mut h = [f64::NEG_INFINITY; 3];
            for s in c * C..c * C + C {
                if self.slot_ext[s] != PAD {
                    let p = [self.x[s], self.y[s], self.z[s]];
                    for k in 0..3 {
                        l[k] = l[k].min(p[k]);
                        h[k] = h[k].max(p[k]);
                    }
                }
            }
            *b = [l, h];
        }
        self.ci.clear();
        reserve_headroom(&mut self.ci, ncl);
        self.ci.extend((0..ncl as u32).filter(|&c| (0..C).any(|k| centre[c as usize * C + k])));
        // cluster-pair search, in parallel chunks of i clusters
        let rcs = nl.cutoff + nl.skin;
        let rcs2 = rcs * rcs;
        // waves of chunks searched in parallel and appended in order: the per-chunk output is
        // held for one wave only, never for the whole list
        const CHUNK: usize = 256;
        const WAVE: usize = 8;
        self.parts.resize_with(WAVE, Default::default);
        let (xs, ys, zs) = (&self.x, &self.y, &self.z);
        let col_start = &self.col_start;
        let (centre, key, bb) = (&*centre, &*key, &*bb);
        let search = |(cj, mk, cnt): &mut (Vec<u32>, Vec<u16>, Vec<u32>), chunk: &[u32]| {
            cj.clear();
            mk.clear();
            cnt.clear();
            // per column, the first cluster not entirely below the last i cluster's reach:
            // i clusters come column by column in ascending z, so it only moves up until the
            // i column changes (direct-mapped by column; reset when the reach drops)
            let mut cursor = [(usize::MAX, 0usize); 64];
            let mut last_zlo = f64::NEG_INFINITY;
            for &ic in chunk {
                let ic = ic as usize;
                let before = cj.len();
                let [il, ih] = bb[ic];
                let x0 = grid.col(il[0] - rcs, 0);
                let x1 = grid.col(ih[0] + rcs, 0);
                let y0 = grid.col(il[1] - rcs, 1);
                let y1 = grid.col(ih[1] + rcs, 1);
                let zlo = il[2] - rcs;
                if zlo < last_zlo {
                    cursor = [(usize::MAX, 0); 64];
                }
                last_zlo = zlo;
                for cx in x0..=x1 {
                    for cy in y0..=y1 {
                        let col = cx * ny + cy;
                        let (c0, c1) = (col_start[col], col_start[col + 1]);
                        // clusters are sorted by z within a column: skip those entirely below
                        let cached = &mut cursor[col % 64];
                        let mut first = if cached.0 == col { cached.1 } else { c0 + bb[c0..c1].partition_point(|b| b[1][2] < zlo) };
                        while first < c1 && bb[first][1][2] < zlo {
                            first += 1;
                        }
                        *cached = (col, first);
                        for jc in first..c1 {
                            let [jl, jh] = bb[jc];
                            if jl[2] > ih[2] + rcs {
                                break;
                            }
                            // a cluster of centres only before the i cluster: every pair is
                            // the other cluster's (centre pairs go to the lower slot)
                            let j0 = jc * C;
                            let cq: [bool; C] = std::array::from_fn(|q| centre[j0 + q]);
                            if jc < ic && cq.iter().all(|&c| c) {
                                continue;
                            }
                            let mut d2 = 0.0;
                            for k in 0..3 {
                                let g = (jl[k] - ih[k]).max(il[k] - jh[k]).max(0.0);
                                d2 += g * g;
                            }
                            if d2 >= rcs2 {
                                continue;
                            }
                            // branch-free over the four j slots (this loop dominates a build)
                            let kq: [u32; C] = std::array::from_fn(|q| key[j0 + q]);
                            let (xq, yq, zq) = (lanes(xs, j0), lanes(ys, j0), lanes(zs, j0));
                            let mut m = 0u16;
                            for p in 0..C {
                                let sp = ic * C + p;
                                if !centre[sp] {
                                    continue;
                                }
                                let kp = key[sp] & !1;
                                let (xp, yp, zp) = (xs[sp], ys[sp], zs[sp]);
                                let mut row = 0u16;
                                for q in 0..C {
                                    // a centre j: later slots only (no self pair); an image:
                                    // the half-list key rule of `neighbors.rs`
                                    let keep = if cq[q] { j0 + q > sp } else { kq[q] > kp };
                                    let (dx, dy, dz) = (xp - xq[q], yp - yq[q], zp - zq[q]);
                                    let near = dx * dx + dy * dy + dz * dz < rcs2;
                                    row |= ((keep & near) as u16) << q;
                                }
                                m |= row << (p * C);
                            }
                            if m != 0 {
                                cj.push(jc as u32);
                                mk.push(m);
                            }
                        }
                    }
                }
                cnt.push((cj.len() - before) as u32);
            }
        };
        self.ci_start.clear();
        reserve_headroom(&mut self.ci_start, self.ci.len() + 1);
        self.ci_start.push(0);
        self.cj.clear();
        self.mask.clear();
        let mut acc = 0usize;
        for wave in self.ci.chunks(WAVE * CHUNK) {
            let np = wave.len().div_ceil(CHUNK);
            self.parts[..np].par_iter_mut().zip(wave.par_chunks(CHUNK)).for_each(|(part, chunk)| search(part, chunk));
            let add: usize = self.parts[..np].iter().map(|(cj, _, _)| cj.len()).sum();
            let need = self.cj.len() + add;
            reserve_headroom(&mut self.cj, need);
            reserve_headroom(&mut self.mask, need);
            for (cj, mk, cnt) in &self.parts[..np] {
                for &c in cnt {
                    acc += c as usize;
                    self.ci_start.push(acc);
                }
                self.cj.extend_from_slice(cj);
                self.mask.extend_from_slice(mk);
            }
        }
        self.work = work;
    }

    /// Number of slots (clusters × [`CLUSTER`]).
    pub fn n_slots(&self) -> usize {
        self.slot_ext.len()
    }

    /// Split the i clusters into `parts` contiguous ranges with about equal numbers of cluster
    /// pairs.
    pub fn balanced_ranges(&self, parts: usize) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(parts.max(1));
        self.balanced_ranges_into(parts, &mut out);
        out
    }

    /// [`Self::balanced_ranges`] into `out` (cleared first; allocation-free once warm).
    pub fn balanced_ranges_into(&self, parts: usize, out: &mut Vec<Range<usize>>) {
        out.clear();
        let ni = self.ci.len();
        let parts = parts.max(1).min(ni.max(1));
        let total = self.cj.len() + ni;
        let mut start = 0;
        for p in 1..=parts {
            let end = if p == parts {
                ni
            } else {
                let target = total * p / parts;
                let mut e = start;
                while e < ni && self.ci_start[e] + e < target {
                    e += 1;
                }
                e
            };
            out.push(start..end);
            start = end;
        }
    }

    /// Add the per-thread slot forces (and per-atom energies/virials if requested), energies
    /// and virials to `out`, summing the images of every atom.
    pub fn fold(&self, nl: &NeighborList, req: Request, buffers: &[SlotBuffer], out: &mut Output) {
        for b in buffers {
            out.energy += b.energy;
            for k in 0..6 {
                out.virial[k] += b.virial[k];
            }
        }
        let slots = |i: usize| nl.images_of(i).iter().map(|&e| self.slot_of_ext[e as usize] as usize);
        out.forces.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
            for b in buffers {
                for s in slots(i) {
                    let o = force_index(s, 0);
                    t[0] += b.f[o];
                    t[1] += b.f[o + CLUSTER];
                    t[2] += b.f[o + 2 * CLUSTER];
                }
            }
        });
        if req.per_atom_energy {
            out.per_atom_energy.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
                for b in buffers {
                    for s in slots(i) {
                        *t += b.pe[s];
                    }
                }
            });
        }
        if req.per_atom_virial {
            out.per_atom_virial.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
                for b in buffers {
                    for s in slots(i) {
                        for k in 0..6 {
                            t[k] += b.pv[s][k];
                        }
                    }
                }
            });
        }
    }

    /// Sum a per-slot scalar over threads and images onto the atoms (into `atom`, length n).
    pub fn fold_scalar(&self, nl: &NeighborList, buffers: &[SlotBuffer], atom: &mut Vec<f64>, n: usize) {
        atom.clear();
        atom.resize(n, 0.0);
        atom.par_iter_mut().enumerate().with_min_len(1024).for_each(|(i, t)| {
            for b in buffers {
                for &e in nl.images_of(i) {
                    *t += b.scalar[self.slot_of_ext[e as usize] as usize];
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    /// Cluster-pair statistics of the LJ benchmark system (printed; `--ignored --nocapture`).
    #[test]
    #[ignore]
    fn lj_bench_cluster_statistics() {
        let s = bulk(&BulkSpec { lattice: Lattice::Fcc, species: vec!["Ar".into()], a: 5.2597, c: None, orientation: None, repeat: [20, 20, 20], orthogonal: true, masses: None }).unwrap();
        let (rc, skin) = (8.5, 1.02);
        let mut nl = crate::neighbors::NeighborList::new(rc, skin).unwrap();
        nl.build(&s.cell, &s.positions, &s.types).unwrap();
        let mut l = super::Layout::default();
        l.update(&nl, s.cell.volume());
        let (mut halves, mut lanes_on) = (0usize, 0usize);
        for (ii, &ic) in l.ci.iter().enumerate() {
            for k in l.ci_start[ii]..l.ci_start[ii + 1] {
                let m = l.mask[k];
                halves += (m & 0xFF != 0) as usize + (m >> 8 != 0) as usize;
                for b in 0..16 {
                    if (m >> b) & 1 != 0 {
                        let (i, j) = (ic as usize * 4 + b / 4, l.cj[k] as usize * 4 + b % 4);
                        let d = [l.x[i] - l.x[j], l.y[i] - l.y[j], l.z[i] - l.z[j]];
                        lanes_on += ((d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) < rc * rc) as usize;
                    }
                }
            }
        }
        let n = s.len() as f64;
        eprintln!(
            "atoms {} slots {} i-clusters {} cluster pairs {} ({:.1}/atom) halves {} lanes {:.1}/atom, in cutoff {:.1}/atom (efficiency {:.2}), list pairs {:.1}/atom",
            s.len(), l.n_slots(), l.ci.len(), l.cj.len(), l.cj.len() as f64 / n, halves, 8.0 * halves as f64 / n, lanes_on as f64 / n,
            lanes_on as f64 / (8.0 * halves as f64), nl.n_pairs() as f64 / n
        );
    }
}

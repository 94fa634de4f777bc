//! `lj/cut` on cluster pairs (LAMMPS `PairLJCut::compute` arithmetic, pair by pair).

use super::layout::Layout;
use super::tally::{add_i, add_j, lanes, Totals};
use super::{KernelPath, SlotBuffer, State, CLUSTER as C};
use crate::error::Result;
use crate::neighbors::NeighborList;
use crate::potentials::{Output, Request};
use rayon::prelude::*;
use std::ops::Range;

/// LAMMPS `lj1..lj4`, `offset`, `cutsq` and the overlap limit per structure-type pair
/// (`a·nt + b`), flat.
#[derive(Clone, Debug, Default)]
pub struct LjTable {
    pub nt: usize,
    pub lj1: Vec<f64>,
    pub lj2: Vec<f64>,
    pub lj3: Vec<f64>,
    pub lj4: Vec<f64>,
    pub offset: Vec<f64>,
    pub cutsq: Vec<f64>,
    pub minsq: Vec<f64>,
}

impl LjTable {
    fn uniform(&self) -> bool {
        [&self.lj1, &self.lj2, &self.lj3, &self.lj4, &self.offset, &self.cutsq, &self.minsq]
            .iter()
            .all(|v| v.iter().all(|x| x.to_bits() == v[0].to_bits()))
    }
}

struct Args<'a> {
    l: &'a Layout,
    t: &'a LjTable,
}

/// Evaluate `lj/cut` on the cluster pairs of `nl` into `out` with kernel `path`. Returns
/// `Ok(false)`, leaving `out` untouched, when two atoms overlap (closer than the table's limit):
/// the caller then reports the overlap as the legacy kernel does.
pub fn compute(path: KernelPath, nl: &NeighborList, volume: f64, table: &LjTable, req: Request, st: &mut State, out: &mut Output) -> Result<bool> {
    st.layout.update(nl, volume);
    st.layout.balanced_ranges_into(rayon::current_num_threads().max(1), &mut st.ranges);
    st.buffers.resize_with(st.ranges.len(), Default::default);
    let ns = st.layout.n_slots();
    let pa = req.per_atom_energy || req.per_atom_virial;
    let ev = req.energy || req.virial || pa;
    let single = table.uniform();
    let args = Args { l: &st.layout, t: table };
    st.buffers.par_iter_mut().zip(st.ranges.par_iter()).for_each(|(b, r)| {
        b.reset(ns, true, false, pa, pa);
        dispatch(path, &args, r.clone(), b, single, ev, pa);
    });
    if st.buffers.iter().any(|b| b.flag) {
        return Ok(false);
    }
    st.layout.fold(nl, req, &st.buffers, out);
    Ok(true)
}

fn dispatch(path: KernelPath, a: &Args, r: Range<usize>, b: &mut SlotBuffer, single: bool, ev: bool, pa: bool) {
    // SAFETY: the AVX paths are only selected when `KernelPath::available` found the features.
    unsafe {
        match path {
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx512 => avx512(a, r, b, single, ev, pa),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx2 => avx2(a, r, b, single, ev, pa),
            _ => portable(a, r, b, single, ev, pa),
        }
    }
}

macro_rules! variant {
    ($name:ident $(, $feat:literal)?) => {
        $(#[target_feature(enable = $feat)])?
        unsafe fn $name(a: &Args, r: Range<usize>, b: &mut SlotBuffer, single: bool, ev: bool, pa: bool) {
            match (single, ev, pa) {
                (true, false, _) => run::<true, false, false>(a, r, b),
                (true, true, false) => run::<true, true, false>(a, r, b),
                (true, true, true) => run::<true, true, true>(a, r, b),
                (false, false, _) => run::<false, false, false>(a, r, b),
                (false, true, false) => run::<false, true, false>(a, r, b),
                (false, true, true) => run::<false, true, true>(a, r, b),
            }
        }
    };
}
variant!(portable);
#[cfg(target_arch = "x86_64")]
variant!(avx2, "avx2,fma");
#[cfg(target_arch = "x86_64")]
variant!(avx512, "avx512f,avx512vl,avx2,fma");

/// The kernel over i clusters `range`. `SINGLE`: one coefficient set; `EV`: energy and virial;
/// `PA`: per-atom energy and virial.
#[inline(always)]
fn run<const SINGLE: bool, const EV: bool, const PA: bool>(a: &Args, range: Range<usize>, b: &mut SlotBuffer) {
    let (l, t) = (a.l, a.t);
    let nt = t.nt;
    let (c1, c2, c3, c4, c0, ccut, cmin) = (t.lj1[0], t.lj2[0], t.lj3[0], t.lj4[0], t.offset[0], t.cutsq[0], t.minsq[0]);
    let mut tot = Totals::new();
    let mut bad = false;
    for ii in range {
        let si = l.ci[ii] as usize * C;
        let (xi, yi, zi) = (lanes(&l.x, si), lanes(&l.y, si), lanes(&l.z, si));
        let ti: [usize; C] = std::array::from_fn(|p| l.slot_type[si + p] as usize * nt);
        let mut fix = [[0.0; C]; C];
        let mut fiy = [[0.0; C]; C];
        let mut fiz = [[0.0; C]; C];
        for k in l.ci_start[ii]..l.ci_start[ii + 1] {
            let sj = l.cj[k] as usize * C;
            let mask = l.mask[k] as u32;
            let (xj, yj, zj) = (lanes(&l.x, sj), lanes(&l.y, sj), lanes(&l.z, sj));
            let tj: [usize; C] = std::array::from_fn(|q| l.slot_type[sj + q] as usize);
            let mut fjx = [0.0; C];
            let mut fjy = [0.0; C];
            let mut fjz = [0.0; C];
            for p in 0..C {
                let row = (mask >> (C * p)) & 0xF;
                if row == 0 {
                    continue;
                }
                for q in 0..C {
                    let dx = xi[p] - xj[q];
                    let dy = yi[p] - yj[q];
                    let dz = zi[p] - zj[q];
                    let r2 = dx * dx + dy * dy + dz * dz;
                    let (lj1, lj2, cutsq, minsq) = if SINGLE {
                        (c1, c2, ccut, cmin)
                    } else {
                        let ix = ti[p] + tj[q];
                        (t.lj1[ix], t.lj2[ix], t.cutsq[ix], t.minsq[ix])
                    };
                    let on = (row >> q) & 1 != 0 && r2 < cutsq;
                    let r2inv = 1.0 / r2;
                    let r6inv = r2inv * r2inv * r2inv;
                    let f = r6inv * (lj1 * r6inv - lj2) * r2inv;
                    let fp = if on { f } else { 0.0 };
                    bad |= on & (r2 < minsq);
                    let (fx, fy, fz) = (dx * fp, dy * fp, dz * fp);
                    fix[p][q] += fx;
                    fiy[p][q] += fy;
                    fiz[p][q] += fz;
                    fjx[q] -= fx;
                    fjy[q] -= fy;
                    fjz[q] -= fz;
                    if EV {
                        let (lj3, lj4, off) = if SINGLE {
                            (c3, c4, c0)
                        } else {
                            let ix = ti[p] + tj[q];
                            (t.lj3[ix], t.lj4[ix], t.offset[ix])
                        };
                        let e = r6inv * (lj3 * r6inv - lj4) - off;
                        let e = if on { e } else { 0.0 };
                        tot.pair::<PA>(b, si + p, sj + q, q, on, e, [dx, dy, dz], fp);
                    }
                }
            }
            add_j(b, sj, &fjx, &fjy, &fjz);
        }
        add_i(b, si, &fix, &fiy, &fiz);
    }
    if EV {
        tot.flush(b);
    }
    b.flag |= bad;
}

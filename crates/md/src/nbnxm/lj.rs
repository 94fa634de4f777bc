//! `lj/cut` on cluster pairs (LAMMPS `PairLJCut::compute` arithmetic, pair by pair).

use super::layout::Layout;
use super::simd::{self, Lanes};
use super::{KernelPath, SlotBuffer, State, CLUSTER as C};
use crate::error::{Error, Result};
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

/// Evaluate `lj/cut` on the cluster pairs of `nl` into `out` with kernel `path` (the list's
/// pair list is not read: it may be absent). Two atoms closer than the table's limit are an
/// [`Error::Overlap`] naming them, and leave `out` untouched.
pub fn compute(path: KernelPath, nl: &NeighborList, volume: f64, table: &LjTable, req: Request, st: &mut State, out: &mut Output) -> Result<()> {
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
        return Err(overlap(&st.layout, table));
    }
    st.layout.fold(nl, req, &st.buffers, out);
    Ok(())
}

/// The first listed pair (in layout order) closer than its overlap limit, as an error.
fn overlap(l: &Layout, t: &LjTable) -> Error {
    for (ii, &ic) in l.ci.iter().enumerate() {
        let si = ic as usize * C;
        for k in l.ci_start[ii]..l.ci_start[ii + 1] {
            let sj = l.cj[k] as usize * C;
            for bit in 0..C * C {
                if (l.mask[k] >> bit) & 1 == 0 {
                    continue;
                }
                let (i, j) = (si + bit / C, sj + bit % C);
                let d = [l.x[i] - l.x[j], l.y[i] - l.y[j], l.z[i] - l.z[j]];
                // r² exactly as the kernel forms it (fused multiply-adds: a plain sum can differ by
                // one rounding right at the limit)
                let r2 = d[2].mul_add(d[2], d[1].mul_add(d[1], d[0] * d[0]));
                let ix = l.slot_type[i] as usize * t.nt + l.slot_type[j] as usize;
                if r2 < t.cutsq[ix] && r2 < t.minsq[ix] {
                    return Error::Overlap { i: l.slot_owner[i] as usize, j: l.slot_owner[j] as usize, r: r2.sqrt(), min: t.minsq[ix].sqrt() };
                }
            }
        }
    }
    Error::invalid("lj/cut cluster kernel", "overlap flag", "raised without an overlapping pair (a bug: please report)")
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
    ($name:ident, $lanes:ty $(, $feat:literal)?) => {
        $(#[target_feature(enable = $feat)])?
        unsafe fn $name(a: &Args, r: Range<usize>, b: &mut SlotBuffer, single: bool, ev: bool, pa: bool) {
            match (single, ev, pa) {
                (true, false, _) => forces::<$lanes, true, false, false>(a, r, b),
                (true, true, false) => forces::<$lanes, true, true, false>(a, r, b),
                (true, true, true) => forces::<$lanes, true, true, true>(a, r, b),
                (false, false, _) => forces::<$lanes, false, false, false>(a, r, b),
                (false, true, false) => forces::<$lanes, false, true, false>(a, r, b),
                (false, true, true) => forces::<$lanes, false, true, true>(a, r, b),
            }
        }
    };
}
variant!(portable, simd::Portable);
#[cfg(target_arch = "x86_64")]
variant!(avx2, simd::Avx2, "avx2,fma");
#[cfg(target_arch = "x86_64")]
variant!(avx512, simd::Avx512, "avx512f,avx512vl,avx2,fma");

/// Forces, with `EV` energy and virial (thermo steps, every NPT step), with `PA` also per-atom
/// energy and virial (half of each pair to each atom, as LAMMPS's `ev_tally`); `SINGLE`: one
/// coefficient set, else per-lane table lookups. Written once against
/// [`Lanes`] (two i atoms × the four j atoms per vector, accumulators in registers), so the
/// portable, AVX2 and AVX-512 instances agree bit for bit. Per pair the arithmetic is LAMMPS's
/// (`r2inv = 1/r²`, `r6inv = r2inv³`, `fpair = r6inv (lj1 r6inv − lj2) r2inv`).
#[inline(always)]
unsafe fn forces<S: Lanes, const SINGLE: bool, const EV: bool, const PA: bool>(a: &Args, range: Range<usize>, b: &mut SlotBuffer) {
    let (l, t) = (a.l, a.t);
    let one = S::splat(1.0);
    let k1 = [S::splat(t.lj1[0]), S::splat(t.lj2[0]), S::splat(t.cutsq[0]), S::splat(t.minsq[0]), one];
    let ke1 = [S::splat(t.lj3[0]), S::splat(t.lj4[0]), S::splat(t.offset[0])];
    // several coefficient sets: per-lane lookups of the type-pair table (index a·nt + b)
    let (nt, st) = (t.nt as i32, l.slot_type.as_ptr());
    let lookup = |idx: &[i32; 8]| {
        let g = |v: &Vec<f64>| S::gather(v.as_ptr(), idx);
        let k = [g(&t.lj1), g(&t.lj2), g(&t.cutsq), g(&t.minsq), one];
        let ke = if EV { [g(&t.lj3), g(&t.lj4), g(&t.offset)] } else { ke1 };
        (k, ke)
    };
    // energy, then the virial in Voigt order (xx yy zz yz xz xy), per lane
    let mut ev = [S::zero(); 7];
    let (x, y, z) = (l.x.as_ptr(), l.y.as_ptr(), l.z.as_ptr());
    let bf = b.f.as_mut_ptr();
    // per-atom energy and virial per slot (only with `PA`)
    let (bpe, bpv) = (b.pe.as_mut_ptr(), b.pv.as_mut_ptr());
    let mut bad = S::none();
    // raw pointers up front: stores through `bf` would otherwise make the compiler reload the
    // list's heads every iteration
    let (cjs, masks, starts) = (l.cj.as_ptr(), l.mask.as_ptr(), l.ci_start.as_ptr());
    for ii in range {
        let si = l.ci[ii] as usize * C;
        let row = |p: *const f64, s: usize| S::rows(*p.add(s), *p.add(s + 1));
        let ra = [row(x, si), row(y, si), row(z, si)];
        let rb = [row(x, si + 2), row(y, si + 2), row(z, si + 2)];
        let mut fa = [S::zero(); 3];
        let mut fb = [S::zero(); 3];
        // per-atom energy and virial of the i rows (`PA`)
        let mut pa = [S::zero(); 7];
        let mut pb = [S::zero(); 7];
        let ti: [i32; C] = std::array::from_fn(|p| if SINGLE { 0 } else { *st.add(si + p) as i32 * nt });
        for kk in *starts.add(ii)..*starts.add(ii + 1) {
            let sj = *cjs.add(kk) as usize * C;
            let m = *masks.add(kk);
            let xj = [S::dup4(x.add(sj)), S::dup4(y.add(sj)), S::dup4(z.add(sj))];
            let mut fj = [S::zero(); 3];
            let mut pj = [S::zero(); 7];
            let (lo, hi) = (m as u8, (m >> 8) as u8);
            let tj: [i32; C] = std::array::from_fn(|q| if SINGLE { 0 } else { *st.add(sj + q) as i32 });
            let idx = |p: usize| -> [i32; 8] { std::array::from_fn(|k| ti[p + k / C] + tj[k % C]) };
            if lo != 0 {
                let (k, ke) = if SINGLE { (k1, ke1) } else { lookup(&idx(0)) };
                half::<S, EV, PA>(ra, xj, lo, k, ke, &mut fa, &mut fj, &mut bad, &mut ev, &mut pa, &mut pj);
            }
            if hi != 0 {
                let (k, ke) = if SINGLE { (k1, ke1) } else { lookup(&idx(2)) };
                half::<S, EV, PA>(rb, xj, hi, k, ke, &mut fb, &mut fj, &mut bad, &mut ev, &mut pb, &mut pj);
            }
            let o = bf.add(3 * sj);
            S::add_halves_to(fj[0], o);
            S::add_halves_to(fj[1], o.add(C));
            S::add_halves_to(fj[2], o.add(2 * C));
            if PA {
                S::add_halves_to(pj[0], bpe.add(sj));
                let mut o = [0.0; 8];
                for c in 0..6 {
                    S::store(pj[1 + c], &mut o);
                    for q in 0..C {
                        (*bpv.add(sj + q))[c] += o[q] + o[q + C];
                    }
                }
            }
        }
        let fi = bf.add(3 * si);
        for (rows, p) in [(&fa, 0), (&fb, 2)] {
            for (c, v) in rows.iter().enumerate() {
                let [s0, s1] = row_sums::<S>(*v);
                *fi.add(c * C + p) += s0;
                *fi.add(c * C + p + 1) += s1;
            }
        }
        if PA {
            for (acc, p) in [(&pa, 0), (&pb, 2)] {
                for (c, v) in acc.iter().enumerate() {
                    let [s0, s1] = row_sums::<S>(*v);
                    if c == 0 {
                        *bpe.add(si + p) += s0;
                        *bpe.add(si + p + 1) += s1;
                    } else {
                        (*bpv.add(si + p))[c - 1] += s0;
                        (*bpv.add(si + p + 1))[c - 1] += s1;
                    }
                }
            }
        }
    }
    b.flag |= S::any(bad);
    if EV {
        let mut o = [0.0; 8];
        let mut sum = |v: S::V| {
            S::store(v, &mut o);
            o.iter().sum::<f64>()
        };
        b.energy += sum(ev[0]);
        for c in 0..6 {
            b.virial[c] += sum(ev[1 + c]);
        }
    }
}

/// The two i rows' sums of a vector (lanes 0–3, lanes 4–7), each in lane order.
#[inline(always)]
unsafe fn row_sums<S: Lanes>(v: S::V) -> [f64; 2] {
    let mut o = [0.0; 8];
    S::store(v, &mut o);
    [((o[0] + o[1]) + o[2]) + o[3], ((o[4] + o[5]) + o[6]) + o[7]]
}

/// One half cluster pair: the rows `xi` (two i atoms) against the j atoms `xj`, pairs of `m`;
/// `k` = lj1, lj2, cutsq, minsq, 1; `ke` = lj3, lj4, offset. Adds the pair forces to `fi` and
/// subtracts them from `fj`; with `EV` adds energy and virial per lane to `ev`, with `PA` half
/// of each to the i rows' `pi` and the j atoms' `pj` (energy, then the virial).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn half<S: Lanes, const EV: bool, const PA: bool>(
    xi: [S::V; 3],
    xj: [S::V; 3],
    m: u8,
    k: [S::V; 5],
    ke: [S::V; 3],
    fi: &mut [S::V; 3],
    fj: &mut [S::V; 3],
    bad: &mut S::M,
    ev: &mut [S::V; 7],
    pi: &mut [S::V; 7],
    pj: &mut [S::V; 7],
) {
    let [lj1, lj2, cut, min, one] = k;
    let dx = S::sub(xi[0], xj[0]);
    let dy = S::sub(xi[1], xj[1]);
    let dz = S::sub(xi[2], xj[2]);
    let r2 = S::fma(dz, dz, S::fma(dy, dy, S::mul(dx, dx)));
    let on = S::and(S::bits(m), S::lt(r2, cut));
    *bad = S::or(*bad, S::and(on, S::lt(r2, min)));
    let r2inv = S::div(one, r2);
    let r6inv = S::mul(S::mul(r2inv, r2inv), r2inv);
    let f = S::keep(on, S::mul(S::mul(r6inv, S::sub(S::mul(lj1, r6inv), lj2)), r2inv));
    fi[0] = S::fma(dx, f, fi[0]);
    fi[1] = S::fma(dy, f, fi[1]);
    fi[2] = S::fma(dz, f, fi[2]);
    fj[0] = S::fnma(dx, f, fj[0]);
    fj[1] = S::fnma(dy, f, fj[1]);
    fj[2] = S::fnma(dz, f, fj[2]);
    if EV {
        let [lj3, lj4, off] = ke;
        // LAMMPS: evdwl = r6inv (lj3 r6inv − lj4) − offset; virial = Δ ⊗ Δ fpair
        let e = S::keep(on, S::sub(S::mul(r6inv, S::sub(S::mul(lj3, r6inv), lj4)), off));
        ev[0] = S::add(ev[0], e);
        let (fx, fy, fz) = (S::mul(dx, f), S::mul(dy, f), S::mul(dz, f));
        ev[1] = S::fma(dx, fx, ev[1]);
        ev[2] = S::fma(dy, fy, ev[2]);
        ev[3] = S::fma(dz, fz, ev[3]);
        ev[4] = S::fma(dy, fz, ev[4]);
        ev[5] = S::fma(dx, fz, ev[5]);
        ev[6] = S::fma(dx, fy, ev[6]);
        if PA {
            let h = S::splat(0.5);
            let v = [e, S::mul(dx, fx), S::mul(dy, fy), S::mul(dz, fz), S::mul(dy, fz), S::mul(dx, fz), S::mul(dx, fy)];
            for c in 0..7 {
                let hv = S::mul(h, v[c]);
                pi[c] = S::add(pi[c], hv);
                pj[c] = S::add(pj[c], hv);
            }
        }
    }
}

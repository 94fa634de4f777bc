//! Both EAM passes on cluster pairs (LAMMPS `PairEAM::compute` arithmetic, pair by pair): pass 1
//! host densities, then `F(ρ)`, `F'(ρ)` per atom, pass 2 forces, energies and virials. The
//! spline-table lookups are per-lane gathers; nothing is stored between the passes but `F'`.

use crate::potentials::eam::potential::force_knot_eval;
use super::layout::Layout;
use super::tally::{add_i, add_j, lanes, Totals};
use super::{KernelPath, SlotBuffer, State, CLUSTER as C};
use crate::error::Result;
use crate::neighbors::NeighborList;
use crate::potentials::{Output, Request};
use rayon::prelude::*;
use std::ops::Range;

/// The tables of an EAM potential bound to a structure's types.
pub struct EamTables<'a> {
    /// 1/Δr of the r tables.
    pub rdr: f64,
    /// Number of r knots minus one.
    pub nr1: usize,
    /// Cutoff squared, Å².
    pub cutsq: f64,
    /// Density knots per element pair (`ρ` of both atoms, as `eam/kernel.rs`).
    pub density: &'a [Vec<[f64; 8]>],
    /// Force knots per element pair.
    pub force: &'a [Vec<[f64; 13]>],
    /// Element pair of every structure-type pair `a·nt + b`.
    pub pair_of: &'a [usize],
    /// Number of structure types.
    pub nt: usize,
}

struct Args<'a> {
    l: &'a Layout,
    t: &'a EamTables<'a>,
    fp: &'a [f64],
}

/// Evaluate EAM on the cluster pairs of `nl` into `out`. `embed(type, ρ)` gives `(F, F')` for a
/// structure type; `types` are the atoms' structure types.
#[allow(clippy::too_many_arguments)]
pub fn compute<F>(path: KernelPath, nl: &NeighborList, volume: f64, t: &EamTables<'_>, types: &[usize], embed: F, req: Request, st: &mut State, out: &mut Output) -> Result<()>
where
    F: Fn(usize, f64) -> (f64, f64) + Sync,
{
    st.layout.update(nl, volume);
    let n = types.len();
    st.layout.balanced_ranges_into(rayon::current_num_threads().max(1), &mut st.ranges);
    st.buffers.resize_with(st.ranges.len(), Default::default);
    let ns = st.layout.n_slots();
    let uniform = t.pair_of.iter().all(|&x| x == t.pair_of[0]);
    // pass 1
    {
        let args = Args { l: &st.layout, t, fp: &[] };
        st.buffers.par_iter_mut().zip(st.ranges.par_iter()).for_each(|(b, r)| {
            b.reset(ns, false, true, false, false);
            dispatch(path, &args, r.clone(), b, true, uniform, false, false);
        });
    }
    let State { layout, buffers, atom_a: rho, atom_b: fp_atom, slot_scalar: fp_slot, ranges, chunk_sums, .. } = st;
    layout.fold_scalar(nl, buffers, rho, n);
    // embedding, in parallel; energies summed in fixed chunks (deterministic)
    fp_atom.clear();
    fp_atom.resize(n, 0.0);
    let mut phi_atom = std::mem::take(rho);
    phi_atom.par_iter_mut().zip(fp_atom.par_iter_mut()).zip(types.par_iter()).with_min_len(1024).for_each(|((r, fp), &ty)| {
        let (phi, d) = embed(ty, *r);
        *r = phi;
        *fp = d;
    });
    if req.energy {
        chunk_sums.clear();
        chunk_sums.resize(phi_atom.len().div_ceil(4096), 0.0);
        chunk_sums.par_iter_mut().zip(phi_atom.par_chunks(4096)).for_each(|(s, c)| *s = c.iter().sum::<f64>());
        out.energy += chunk_sums.iter().sum::<f64>();
    }
    if req.per_atom_energy {
        for (e, phi) in out.per_atom_energy.iter_mut().zip(&phi_atom) {
            *e += phi;
        }
    }
    *rho = phi_atom;
    fp_slot.clear();
    crate::neighbors::reserve_headroom(fp_slot, ns);
    fp_slot.resize(ns, 0.0);
    let (se, so) = (&layout.slot_ext, &layout.slot_owner);
    fp_slot.par_iter_mut().enumerate().with_min_len(4096).for_each(|(s, v)| {
        *v = if se[s] == super::layout::PAD { 0.0 } else { fp_atom[so[s] as usize] };
    });
    // pass 2
    let pa = req.per_atom_energy || req.per_atom_virial;
    let ev = req.energy || req.virial || pa;
    let args = Args { l: layout, t, fp: fp_slot };
    buffers.par_iter_mut().zip(ranges.par_iter()).for_each(|(b, r)| {
        b.reset(ns, true, false, pa, pa);
        dispatch(path, &args, r.clone(), b, false, uniform, ev, pa);
    });
    for b in buffers.iter_mut() {
        // as the legacy kernel: pair energy and virial only where requested
        if !req.energy {
            b.energy = 0.0;
        }
        if !req.virial {
            b.virial = [0.0; 6];
        }
    }
    layout.fold(nl, req, buffers, out);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn dispatch(path: KernelPath, a: &Args, r: Range<usize>, b: &mut SlotBuffer, density: bool, uniform: bool, ev: bool, pa: bool) {
    // SAFETY: the AVX paths are only selected when `KernelPath::available` found the features.
    unsafe {
        match path {
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx512 => avx512(a, r, b, density, uniform, ev, pa),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx2 => avx2(a, r, b, density, uniform, ev, pa),
            _ => portable(a, r, b, density, uniform, ev, pa),
        }
    }
}

macro_rules! variant {
    ($name:ident $(, $feat:literal)?) => {
        $(#[target_feature(enable = $feat)])?
        #[allow(clippy::too_many_arguments)]
        unsafe fn $name(a: &Args, r: Range<usize>, b: &mut SlotBuffer, density: bool, uniform: bool, ev: bool, pa: bool) {
            match (density, uniform, ev, pa) {
                (true, true, _, _) => rho_pass::<true>(a, r, b),
                (true, false, _, _) => rho_pass::<false>(a, r, b),
                (false, true, false, _) => force_pass::<true, false, false>(a, r, b),
                (false, true, true, false) => force_pass::<true, true, false>(a, r, b),
                (false, true, true, true) => force_pass::<true, true, true>(a, r, b),
                (false, false, false, _) => force_pass::<false, false, false>(a, r, b),
                (false, false, true, false) => force_pass::<false, true, false>(a, r, b),
                (false, false, true, true) => force_pass::<false, true, true>(a, r, b),
            }
        }
    };
}
variant!(portable);
#[cfg(target_arch = "x86_64")]
variant!(avx2, "avx2,fma");
#[cfg(target_arch = "x86_64")]
variant!(avx512, "avx512f,avx512vl,avx2,fma");

/// Table row and fraction of distance `r` (LAMMPS: `p = r·rdr + 1`, `m = min(int p, nr−1)`,
/// `p = min(p − m, 1)`; `m ≥ 1` always, also for lanes masked out).
#[inline(always)]
fn knot(r: f64, rdr: f64, nr1: usize) -> (usize, f64) {
    let p = r * rdr + 1.0;
    let m = (p as usize).clamp(1, nr1);
    (m - 1, (p - m as f64).min(1.0))
}

/// Pass 1: densities of both atoms of every pair into `b.scalar`.
#[inline(always)]
fn rho_pass<const UNIFORM: bool>(a: &Args, range: Range<usize>, b: &mut SlotBuffer) {
    let (l, t) = (a.l, a.t);
    let (nt, rdr, nr1, cutsq) = (t.nt, t.rdr, t.nr1, t.cutsq);
    let d0: &[[f64; 8]] = &t.density[t.pair_of[0]];
    for ii in range {
        let si = l.ci[ii] as usize * C;
        let (xi, yi, zi) = (lanes(&l.x, si), lanes(&l.y, si), lanes(&l.z, si));
        let ti: [usize; C] = std::array::from_fn(|p| l.slot_type[si + p] as usize * nt);
        let mut rhoi = [[0.0; C]; C];
        for k in l.ci_start[ii]..l.ci_start[ii + 1] {
            let sj = l.cj[k] as usize * C;
            let mask = l.mask[k] as u32;
            let (xj, yj, zj) = (lanes(&l.x, sj), lanes(&l.y, sj), lanes(&l.z, sj));
            let tj: [usize; C] = std::array::from_fn(|q| l.slot_type[sj + q] as usize);
            let mut rhoj = [0.0; C];
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
                    let on = (row >> q) & 1 != 0 && r2 < cutsq;
                    let (m, f) = knot(r2.sqrt(), rdr, nr1);
                    let tab: &[[f64; 8]] = if UNIFORM { d0 } else { &t.density[t.pair_of[ti[p] + tj[q]]] };
                    let kn = &tab[m];
                    let ri = ((kn[0] * f + kn[1]) * f + kn[2]) * f + kn[3];
                    let rj = ((kn[4] * f + kn[5]) * f + kn[6]) * f + kn[7];
                    rhoi[p][q] += if on { ri } else { 0.0 };
                    rhoj[q] += if on { rj } else { 0.0 };
                }
            }
            for q in 0..C {
                b.scalar[sj + q] += rhoj[q];
            }
        }
        for p in 0..C {
            b.scalar[si + p] += rhoi[p].iter().sum::<f64>();
        }
    }
}

/// Pass 2: pair forces (embedding and pair terms), energies and virials.
#[inline(always)]
fn force_pass<const UNIFORM: bool, const EV: bool, const PA: bool>(a: &Args, range: Range<usize>, b: &mut SlotBuffer) {
    let (l, t, fps) = (a.l, a.t, a.fp);
    let (nt, rdr, nr1, cutsq) = (t.nt, t.rdr, t.nr1, t.cutsq);
    let f0: &[[f64; 13]] = &t.force[t.pair_of[0]];
    let mut tot = Totals::new();
    for ii in range {
        let si = l.ci[ii] as usize * C;
        let (xi, yi, zi) = (lanes(&l.x, si), lanes(&l.y, si), lanes(&l.z, si));
        let fpi = lanes(fps, si);
        let ti: [usize; C] = std::array::from_fn(|p| l.slot_type[si + p] as usize * nt);
        let mut fix = [[0.0; C]; C];
        let mut fiy = [[0.0; C]; C];
        let mut fiz = [[0.0; C]; C];
        for k in l.ci_start[ii]..l.ci_start[ii + 1] {
            let sj = l.cj[k] as usize * C;
            let mask = l.mask[k] as u32;
            let (xj, yj, zj) = (lanes(&l.x, sj), lanes(&l.y, sj), lanes(&l.z, sj));
            let fpj = lanes(fps, sj);
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
                    let on = (row >> q) & 1 != 0 && r2 < cutsq;
                    let r = r2.sqrt();
                    let (m, f) = knot(r, rdr, nr1);
                    let tab: &[[f64; 13]] = if UNIFORM { f0 } else { &t.force[t.pair_of[ti[p] + tj[q]]] };
                    let k = &tab[m];
                    let recip = 1.0 / r;
                    let (rhoip, rhojp, phi, phip) = force_knot_eval(k, f, recip);
                    let psip = fpi[p] * rhojp + fpj[q] * rhoip + phip;
                    let fpair = if on { -psip * recip } else { 0.0 };
                    let (fx, fy, fz) = (dx * fpair, dy * fpair, dz * fpair);
                    fix[p][q] += fx;
                    fiy[p][q] += fy;
                    fiz[p][q] += fz;
                    fjx[q] -= fx;
                    fjy[q] -= fy;
                    fjz[q] -= fz;
                    if EV {
                        let phi = if on { phi } else { 0.0 };
                        tot.pair::<PA>(b, si + p, sj + q, q, on, phi, [dx, dy, dz], fpair);
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
}

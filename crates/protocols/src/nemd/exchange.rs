//! The Müller-Plathe kinetic-energy exchange: slab assignment and the velocity swap.

use super::*;

/// Slab (0 … n−1) of every atom along the third cell vector.
pub(super) fn slab_of(state: &MdState, n: usize, out: &mut Vec<usize>) {
    out.clear();
    let cell = &state.structure.cell;
    out.extend(state.structure.positions.iter().map(|r| {
        let s = cell.fractional(r)[2].rem_euclid(1.0);
        ((s * n as f64) as usize).min(n - 1)
    }));
}

pub(super) fn kinetic(m: f64, v: &[f64; 3]) -> f64 {
    0.5 * MVV2E * m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
}

/// One Müller-Plathe exchange; returns the energy moved into the hot slab (eV), or None when
/// a slab is empty.
pub(super) fn swap(state: &mut MdState, slab: &[usize], hot_slab: usize) -> Option<f64> {
    let masses = &state.structure.masses;
    let v = &state.velocities;
    let mut hottest: Option<(usize, f64)> = None;
    let mut coldest: Option<(usize, f64)> = None;
    for (i, &s) in slab.iter().enumerate() {
        if s == 0 {
            let k = kinetic(masses[i], &v[i]);
            if hottest.is_none_or(|(_, h)| k > h) {
                hottest = Some((i, k));
            }
        } else if s == hot_slab {
            let k = kinetic(masses[i], &v[i]);
            if coldest.is_none_or(|(_, c)| k < c) {
                coldest = Some((i, k));
            }
        }
    }
    let ((i, _), (j, kj)) = (hottest?, coldest?);
    let (mi, mj) = (masses[i], masses[j]);
    let (vi, vj) = (state.velocities[i], state.velocities[j]);
    let mut vcm = [0.0; 3];
    for k in 0..3 {
        vcm[k] = (mi * vi[k] + mj * vj[k]) / (mi + mj);
    }
    let vi_new = [2.0 * vcm[0] - vi[0], 2.0 * vcm[1] - vi[1], 2.0 * vcm[2] - vi[2]];
    let vj_new = [2.0 * vcm[0] - vj[0], 2.0 * vcm[1] - vj[1], 2.0 * vcm[2] - vj[2]];
    state.velocities[i] = vi_new;
    state.velocities[j] = vj_new;
    Some(kinetic(mj, &vj_new) - kj)
}

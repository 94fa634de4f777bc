//! Accumulation shared by the LJ and EAM force kernels: lane loads, one pair's energy and virial,
//! and folding a cluster pair's forces and the lane totals into a thread's [`SlotBuffer`]. The
//! order of operations is the kernels' own, so results are unchanged bit for bit.

use super::{force_index, SlotBuffer, CLUSTER as C};

/// The `C` lanes of a cluster starting at slot `s`.
#[inline(always)]
pub(super) fn lanes(v: &[f64], s: usize) -> [f64; C] {
    let mut o = [0.0; C];
    o.copy_from_slice(&v[s..s + C]);
    o
}

/// Lane accumulators of energy and virial (Voigt xx yy zz yz xz xy) over a thread's clusters.
pub(super) struct Totals {
    pub e: [f64; C],
    pub v: [[f64; C]; 6],
}

impl Totals {
    #[inline(always)]
    pub fn new() -> Self {
        Totals { e: [0.0; C], v: [[0.0; C]; 6] }
    }

    /// One pair (slot `i` = `si + p`, slot `j` = `sj + q`) with separation `d`, force factor
    /// `fpair` and energy `e` (both already zero when the pair is off): its energy and virial into
    /// lane `q`, and with `PA` half of each into both atoms' per-atom slots.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn pair<const PA: bool>(&mut self, b: &mut SlotBuffer, i: usize, j: usize, q: usize, on: bool, e: f64, d: [f64; 3], fpair: f64) {
        let [dx, dy, dz] = d;
        let v = [dx * dx * fpair, dy * dy * fpair, dz * dz * fpair, dy * dz * fpair, dx * dz * fpair, dx * dy * fpair];
        self.e[q] += e;
        for c in 0..6 {
            self.v[c][q] += v[c];
        }
        if PA && on {
            b.pe[i] += 0.5 * e;
            b.pe[j] += 0.5 * e;
            for c in 0..6 {
                b.pv[i][c] += 0.5 * v[c];
                b.pv[j][c] += 0.5 * v[c];
            }
        }
    }

    /// The lane totals into the buffer's energy and virial.
    #[inline(always)]
    pub fn flush(&self, b: &mut SlotBuffer) {
        b.energy += self.e.iter().sum::<f64>();
        for c in 0..6 {
            b.virial[c] += self.v[c].iter().sum::<f64>();
        }
    }
}

/// Forces on the j cluster at slot `sj` after one cluster pair.
#[inline(always)]
pub(super) fn add_j(b: &mut SlotBuffer, sj: usize, fx: &[f64; C], fy: &[f64; C], fz: &[f64; C]) {
    let o = force_index(sj, 0);
    for q in 0..C {
        b.f[o + q] += fx[q];
        b.f[o + C + q] += fy[q];
        b.f[o + 2 * C + q] += fz[q];
    }
}

/// Forces on the i cluster at slot `si` after all its j clusters (per-lane partial sums).
#[inline(always)]
pub(super) fn add_i(b: &mut SlotBuffer, si: usize, fx: &[[f64; C]; C], fy: &[[f64; C]; C], fz: &[[f64; C]; C]) {
    let o = force_index(si, 0);
    for p in 0..C {
        b.f[o + p] += fx[p].iter().sum::<f64>();
        b.f[o + C + p] += fy[p].iter().sum::<f64>();
        b.f[o + 2 * C + p] += fz[p].iter().sum::<f64>();
    }
}

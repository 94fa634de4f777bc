//! Mean-squared displacement (LAMMPS `compute msd` with multiple time origins): an on-the-fly
//! accumulator over blocks of samples, per species and in total, and the unwrapping of periodic
//! positions between samples.

use crate::cell::{Cell, Vec3};

/// On-the-fly MSD with multiple time origins grouped into blocks.
pub struct MsdAccumulator {
    pub max_lag: usize,
    pub origin_every: usize,
    pub samples_per_block: usize,
    /// Active origins: (block, sample index, unwrapped positions at the origin).
    pub origins: Vec<(usize, usize, Vec<[f64; 3]>)>,
    /// sums[block][species or total][lag] and counts[block][lag]
    pub sums: Vec<Vec<Vec<f64>>>,
    pub counts: Vec<Vec<f64>>,
}

impl MsdAccumulator {
    /// Add sample `k` (unwrapped positions; `types` per atom; `natoms_of[sp]` atoms of species
    /// `sp`, the last entry all atoms).
    pub fn add(&mut self, k: usize, unwrapped: &[[f64; 3]], types: &[usize], nspecies: usize, natoms_of: &[f64]) {
        let block = k / self.samples_per_block;
        // start a new origin if its whole window fits in its block
        if k % self.origin_every == 0 && block < self.sums.len() && (k % self.samples_per_block) + self.max_lag < self.samples_per_block {
            self.origins.push((block, k, unwrapped.to_vec()));
        }
        let max_lag = self.max_lag;
        self.origins.retain(|(_, k0, _)| k - k0 < max_lag);
        for (b, k0, r0) in &self.origins {
            let lag = k - k0;
            let mut per = vec![0.0; nspecies + 1];
            for ((r, q), &t) in unwrapped.iter().zip(r0).zip(types) {
                let d2 = (r[0] - q[0]).powi(2) + (r[1] - q[1]).powi(2) + (r[2] - q[2]).powi(2);
                per[t] += d2;
                per[nspecies] += d2;
            }
            for (sp, v) in per.iter().enumerate() {
                self.sums[*b][sp][lag] += v / natoms_of[sp];
            }
            self.counts[*b][lag] += 1.0;
        }
    }
}

/// Advance the unwrapped positions `unwrapped` by the minimum-image displacement of every atom
/// since the last sample (`last_frac`, fractional coordinates, updated in place). Valid when no
/// atom moves more than half a cell between samples.
pub fn unwrap_step(cell: &Cell, positions: &[Vec3], last_frac: &mut [Vec3], unwrapped: &mut [Vec3]) {
    for ((u, lf), r) in unwrapped.iter_mut().zip(last_frac.iter_mut()).zip(positions) {
        let f = cell.fractional(r);
        let mut d = [f[0] - lf[0], f[1] - lf[1], f[2] - lf[2]];
        for x in d.iter_mut() {
            *x -= x.round();
        }
        let dr = cell.cartesian(&d);
        for c in 0..3 {
            u[c] += dr[c];
        }
        *lf = f;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballistic_motion_gives_quadratic_msd_and_unwrapping_crosses_the_boundary() {
        let cell = Cell::orthorhombic(10.0, 10.0, 10.0).expect("cell");
        // one atom moving 0.9 Å per sample along x through the periodic boundary
        let mut r = vec![[9.5, 5.0, 5.0]];
        let mut last = vec![cell.fractional(&r[0])];
        let mut un = r.clone();
        let mut acc = MsdAccumulator { max_lag: 4, origin_every: 100, samples_per_block: 10, origins: Vec::new(), sums: vec![vec![vec![0.0; 4]; 2]; 1], counts: vec![vec![0.0; 4]; 1] };
        acc.add(0, &un, &[0], 1, &[1.0, 1.0]);
        for k in 1..4 {
            r[0][0] = (r[0][0] + 0.9) % 10.0;
            unwrap_step(&cell, &r, &mut last, &mut un);
            acc.add(k, &un, &[0], 1, &[1.0, 1.0]);
        }
        assert!((un[0][0] - (9.5 + 2.7)).abs() < 1e-12, "{:?}", un);
        for lag in 0..4 {
            let msd = acc.sums[0][1][lag] / acc.counts[0][lag];
            assert!((msd - (0.9 * lag as f64).powi(2)).abs() < 1e-12, "lag {lag}: {msd}");
        }
    }
}

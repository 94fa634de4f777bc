//! A bin grid over a cubic periodic box for the builders' overlap checks and the push-off
//! (positions may be unwrapped; bins use wrapped coordinates, distances the minimum image).

use crate::cell::Vec3;

/// Minimum-image difference `b − a` in a cubic box of side `l`.
pub fn min_image(a: &Vec3, b: &Vec3, l: f64) -> Vec3 {
    [0, 1, 2].map(|d| {
        let x = b[d] - a[d];
        x - l * (x / l).round()
    })
}

/// Bins of side ≥ `rc` over `[0, l)³`.
pub struct Grid {
    l: f64,
    nb: usize,
    bins: Vec<Vec<usize>>,
}

impl Grid {
    /// An empty grid for interaction range `rc` (at least one bin per side; with fewer than three
    /// bins per side every pair is visited once through the de-duplicated neighbour bins).
    pub fn new(l: f64, rc: f64) -> Self {
        let nb = ((l / rc).floor() as usize).clamp(1, 64);
        Grid { l, nb, bins: vec![Vec::new(); nb * nb * nb] }
    }

    fn coords(&self, p: &Vec3) -> [usize; 3] {
        p.map(|x| {
            let f = x / self.l;
            let f = f - f.floor();
            ((f * self.nb as f64) as usize).min(self.nb - 1)
        })
    }

    fn index(&self, c: [usize; 3]) -> usize {
        (c[0] * self.nb + c[1]) * self.nb + c[2]
    }

    /// Add atom `i` at `p`.
    pub fn insert(&mut self, i: usize, p: &Vec3) {
        let k = self.index(self.coords(p));
        self.bins[k].push(i);
    }

    /// A grid holding all `positions`.
    pub fn filled(l: f64, rc: f64, positions: &[Vec3]) -> Self {
        let mut g = Grid::new(l, rc);
        for (i, p) in positions.iter().enumerate() {
            g.insert(i, p);
        }
        g
    }

    /// Every stored atom in the 27 bins around `p` (each once), as `f(j)`.
    pub fn around(&self, p: &Vec3, mut f: impl FnMut(usize)) {
        let c = self.coords(p);
        let n = self.nb as i64;
        let mut seen: [usize; 27] = [usize::MAX; 27];
        let mut k = 0;
        for dx in -1i64..=1 {
            for dy in -1i64..=1 {
                for dz in -1i64..=1 {
                    let cc = [(c[0] as i64 + dx).rem_euclid(n) as usize, (c[1] as i64 + dy).rem_euclid(n) as usize, (c[2] as i64 + dz).rem_euclid(n) as usize];
                    let idx = self.index(cc);
                    if seen[..k].contains(&idx) {
                        continue;
                    }
                    seen[k] = idx;
                    k += 1;
                    for &j in &self.bins[idx] {
                        f(j);
                    }
                }
            }
        }
    }
}

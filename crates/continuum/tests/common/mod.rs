//! Helpers shared by the continuum integration tests.
#![allow(dead_code)]
use scalebridge_continuum::Grid;

/// One centred sphere of radius `r` voxels (phase 1) in an n³ matrix (phase 0).
pub fn single_sphere(n: usize, r: f64) -> Grid {
    let mut g = Grid::uniform([n; 3], 0).unwrap();
    let c = n as f64 / 2.0;
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                let d2 = (i as f64 + 0.5 - c).powi(2) + (j as f64 + 0.5 - c).powi(2) + (k as f64 + 0.5 - c).powi(2);
                if d2 <= r * r {
                    let idx = g.index(i, j, k);
                    g.phases_mut()[idx] = 1;
                }
            }
        }
    }
    g
}

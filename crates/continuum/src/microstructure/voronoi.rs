use super::{check_dims, min_image, random_rotation};
use crate::error::{invalid, Result};
use crate::grid::Grid;
use crate::linalg::{axis_angle, matmul3};
use crate::material::Material;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Grain-orientation distribution of a polycrystal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Texture {
    /// Uniformly random orientations.
    Random,
    /// Fibre texture: the crystal z axis ([001]) near `axis` with a Gaussian tilt of
    /// `spread_deg` degrees, random spin about it.
    Fibre { axis: [f64; 3], spread_deg: f64 },
}

/// Periodic Voronoi polycrystal: voxel phase = grain index (0..n_grains). Returns the grid and one
/// rotation matrix (crystal → sample) per grain.
pub fn voronoi(n: [usize; 3], n_grains: usize, texture: Texture, seed: u64) -> Result<(Grid, Vec<[[f64; 3]; 3]>)> {
    check_dims(n)?;
    if n_grains == 0 || n_grains > u16::MAX as usize {
        return Err(invalid("n_grains", n_grains, "must lie in 1..=65535"));
    }
    let l = [n[0] as f64, n[1] as f64, n[2] as f64];
    let mut rng = StdRng::seed_from_u64(seed);
    let seeds: Vec<[f64; 3]> = (0..n_grains).map(|_| [rng.random::<f64>() * l[0], rng.random::<f64>() * l[1], rng.random::<f64>() * l[2]]).collect();
    let mut rots = Vec::with_capacity(n_grains);
    for _ in 0..n_grains {
        let r = match texture {
            Texture::Random => random_rotation(&mut rng),
            Texture::Fibre { axis, spread_deg } => {
                let nrm = (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]).sqrt();
                if !(nrm > 0.0) || !spread_deg.is_finite() {
                    return Err(invalid("texture axis", format!("{axis:?}"), "must be a non-zero vector with a finite spread"));
                }
                let a = [axis[0] / nrm, axis[1] / nrm, axis[2] / nrm];
                // Map z to a, spin about z, then tilt about a random axis ⟂ a.
                let spin = axis_angle([0.0, 0.0, 1.0], std::f64::consts::TAU * rng.random::<f64>());
                let cz = [0.0, 0.0, 1.0];
                let cross = [cz[1] * a[2] - cz[2] * a[1], cz[2] * a[0] - cz[0] * a[2], cz[0] * a[1] - cz[1] * a[0]];
                let cn = (cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]).sqrt();
                let align = if cn < 1e-12 {
                    if a[2] > 0.0 { axis_angle([1.0, 0.0, 0.0], 0.0) } else { axis_angle([1.0, 0.0, 0.0], std::f64::consts::PI) }
                } else {
                    axis_angle(cross, a[2].clamp(-1.0, 1.0).acos())
                };
                let tilt_angle = spread_deg.to_radians() * rng.sample::<f64, _>(StandardNormal);
                let phi = std::f64::consts::TAU * rng.random::<f64>();
                // random unit vector perpendicular to a
                let t0 = if a[0].abs() < 0.9 { [1.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0] };
                let mut p1 = [a[1] * t0[2] - a[2] * t0[1], a[2] * t0[0] - a[0] * t0[2], a[0] * t0[1] - a[1] * t0[0]];
                let pn = (p1[0] * p1[0] + p1[1] * p1[1] + p1[2] * p1[2]).sqrt();
                p1 = [p1[0] / pn, p1[1] / pn, p1[2] / pn];
                let p2 = [a[1] * p1[2] - a[2] * p1[1], a[2] * p1[0] - a[0] * p1[2], a[0] * p1[1] - a[1] * p1[0]];
                let tax = [phi.cos() * p1[0] + phi.sin() * p2[0], phi.cos() * p1[1] + phi.sin() * p2[1], phi.cos() * p1[2] + phi.sin() * p2[2]];
                matmul3(&axis_angle(tax, tilt_angle), &matmul3(&align, &spin))
            }
        };
        rots.push(r);
    }
    let mut g = Grid::uniform(n, 0)?;
    let (n1, n2) = (n[1], n[2]);
    g.phases_mut().par_iter_mut().enumerate().for_each(|(idx, p)| {
        let k = idx % n2;
        let j = (idx / n2) % n1;
        let i = idx / (n1 * n2);
        let x = [i as f64 + 0.5, j as f64 + 0.5, k as f64 + 0.5];
        let mut best = (f64::MAX, 0usize);
        for (s, c) in seeds.iter().enumerate() {
            let d2: f64 = (0..3).map(|q| min_image(x[q] - c[q], l[q]).powi(2)).sum();
            if d2 < best.0 {
                best = (d2, s);
            }
        }
        *p = best.1 as u16;
    });
    Ok((g, rots))
}

/// One rotated copy of `crystal` per grain orientation (the phase table of a Voronoi grid).
pub fn polycrystal_materials(crystal: &Material, rotations: &[[[f64; 3]; 3]]) -> Vec<Material> {
    rotations.iter().enumerate().map(|(i, r)| crystal.rotated(r).named(&format!("{} grain {i}", crystal.name))).collect()
}

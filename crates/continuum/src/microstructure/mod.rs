//! Microstructure generators on periodic voxel grids: laminates, random non-overlapping spheres and
//! ellipsoids, aligned or random short fibres, porous media and Voronoi polycrystals with grain
//! orientations. Phase 0 is the matrix, phase 1 the inclusions or pores, unless stated otherwise.
//! Sizes are in voxels. All generators are deterministic for a given seed.

mod fibres;
pub mod generate;
mod inclusions;
mod laminate;
mod voronoi;

pub use fibres::{fibres, FibreOptions};
pub use inclusions::{ellipsoids, pores, spheres, EllipsoidOptions, SphereOptions};
pub use generate::{default_grain_crystal, generate, GenerateOptions, Generated};
pub use laminate::laminate;
pub use voronoi::{polycrystal_materials, voronoi, Texture};

use crate::error::{invalid, Result};

pub(crate) fn check_dims(n: [usize; 3]) -> Result<()> {
    if n.iter().any(|&d| d == 0 || d > 4096) {
        return Err(invalid("resolution", format!("{n:?}"), "each dimension must lie in 1..=4096"));
    }
    Ok(())
}

pub(crate) fn check_fraction(f: f64, max: f64) -> Result<()> {
    if !(f.is_finite() && f >= 0.0) {
        return Err(invalid("fraction", f, "must be a finite number ≥ 0"));
    }
    if f >= 1.0 {
        return Err(invalid("fraction", f, "leaves no matrix phase (must be < 1)"));
    }
    if f > max {
        return Err(invalid("fraction", f, &format!("cannot be reached by this generator (maximum {max})")));
    }
    Ok(())
}

/// Minimum-image difference on a periodic axis of length `l`.
#[inline]
pub(crate) fn min_image(d: f64, l: f64) -> f64 {
    d - l * (d / l).round()
}

/// Uniformly distributed random rotation (Shoemake 1992).
pub(crate) fn random_rotation<R: rand::Rng>(rng: &mut R) -> [[f64; 3]; 3] {
    let u1: f64 = rng.random();
    let u2: f64 = rng.random();
    let u3: f64 = rng.random();
    let tau = std::f64::consts::TAU;
    let q = [(1.0 - u1).sqrt() * (tau * u2).sin(), (1.0 - u1).sqrt() * (tau * u2).cos(), u1.sqrt() * (tau * u3).sin(), u1.sqrt() * (tau * u3).cos()];
    crate::linalg::quat_to_matrix(q)
}

/// Uniform random unit vector.
pub(crate) fn random_direction<R: rand::Rng>(rng: &mut R) -> [f64; 3] {
    let z: f64 = 2.0 * rng.random::<f64>() - 1.0;
    let phi = std::f64::consts::TAU * rng.random::<f64>();
    let s = (1.0 - z * z).max(0.0).sqrt();
    [s * phi.cos(), s * phi.sin(), z]
}

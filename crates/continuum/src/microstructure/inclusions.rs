use super::{check_dims, check_fraction, min_image, random_rotation};
use crate::error::{invalid, Result};
use crate::grid::Grid;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// Random non-overlapping spheres (random sequential addition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SphereOptions {
    /// Target volume fraction of the spheres.
    pub fraction: f64,
    /// Mean radius in voxels.
    pub radius: f64,
    /// Coefficient of variation of the radius (0 = monodisperse; normal, clipped at ±2σ).
    pub radius_cv: f64,
    /// Minimum surface gap in voxels.
    pub gap: f64,
    pub seed: u64,
}

impl Default for SphereOptions {
    fn default() -> Self {
        SphereOptions { fraction: 0.2, radius: 5.0, radius_cv: 0.0, gap: 1.0, seed: 1 }
    }
}

/// Random non-overlapping ellipsoids with semi-axes `radius × axes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EllipsoidOptions {
    pub fraction: f64,
    /// Scale in voxels.
    pub radius: f64,
    /// Relative semi-axes (a, b, c).
    pub axes: [f64; 3],
    /// Random orientations (true) or axes aligned with x, y, z (false).
    pub random_orientation: bool,
    pub gap: f64,
    pub seed: u64,
}

struct Body {
    c: [f64; 3],
    bound: f64,
    semi: [f64; 3],
    rot: [[f64; 3]; 3],
}

fn place(n: [usize; 3], target: f64, gap: f64, seed: u64, mut make: impl FnMut(&mut StdRng) -> ([f64; 3], [[f64; 3]; 3])) -> Result<Vec<Body>> {
    let l = [n[0] as f64, n[1] as f64, n[2] as f64];
    let vol = l[0] * l[1] * l[2];
    let mut rng = StdRng::seed_from_u64(seed);
    let mut bodies: Vec<Body> = Vec::new();
    let mut filled = 0.0;
    let mut fails = 0usize;
    while filled < target * vol {
        let (semi, rot) = make(&mut rng);
        let bound = semi.iter().cloned().fold(0.0, f64::max);
        if 2.0 * bound + gap >= l.iter().cloned().fold(f64::MAX, f64::min) {
            return Err(invalid("radius", bound, "inclusions do not fit in the periodic cell"));
        }
        let c = [rng.random::<f64>() * l[0], rng.random::<f64>() * l[1], rng.random::<f64>() * l[2]];
        let ok = bodies.iter().all(|b| {
            let d2: f64 = (0..3).map(|k| min_image(c[k] - b.c[k], l[k]).powi(2)).sum();
            d2.sqrt() >= bound + b.bound + gap
        });
        if ok {
            filled += 4.0 / 3.0 * std::f64::consts::PI * semi[0] * semi[1] * semi[2];
            bodies.push(Body { c, bound, semi, rot });
            fails = 0;
        } else {
            fails += 1;
            if fails > 200_000 {
                return Err(invalid("fraction", target, &format!("jammed at {:.3} after 200000 failed insertions; lower the fraction or the gap", filled / vol)));
            }
        }
    }
    Ok(bodies)
}

fn voxelize(n: [usize; 3], bodies: &[Body], phase: u16) -> Result<Grid> {
    let mut g = Grid::uniform(n, 0)?;
    let l = [n[0] as f64, n[1] as f64, n[2] as f64];
    for b in bodies {
        let r = b.bound.ceil() as i64 + 1;
        let ctr = [b.c[0].floor() as i64, b.c[1].floor() as i64, b.c[2].floor() as i64];
        for di in -r..=r {
            for dj in -r..=r {
                for dk in -r..=r {
                    let v = [ctr[0] + di, ctr[1] + dj, ctr[2] + dk];
                    let mut d = [0.0; 3];
                    for k in 0..3 {
                        d[k] = min_image(v[k] as f64 + 0.5 - b.c[k], l[k]);
                    }
                    // body frame: x_body = Rᵀ d
                    let mut s = 0.0;
                    for a in 0..3 {
                        let xb = b.rot[0][a] * d[0] + b.rot[1][a] * d[1] + b.rot[2][a] * d[2];
                        s += (xb / b.semi[a]).powi(2);
                    }
                    if s <= 1.0 {
                        let i = v[0].rem_euclid(n[0] as i64) as usize;
                        let j = v[1].rem_euclid(n[1] as i64) as usize;
                        let k = v[2].rem_euclid(n[2] as i64) as usize;
                        let idx = g.index(i, j, k);
                        g.phases_mut()[idx] = phase;
                    }
                }
            }
        }
    }
    Ok(g)
}

const EYE: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// Random non-overlapping spheres of phase 1 in a phase-0 matrix.
pub fn spheres(n: [usize; 3], o: &SphereOptions) -> Result<Grid> {
    check_dims(n)?;
    check_fraction(o.fraction, 0.45)?;
    if !(o.radius >= 0.5 && o.radius.is_finite()) {
        return Err(invalid("radius", o.radius, "must be at least 0.5 voxel"));
    }
    if !(o.radius_cv >= 0.0 && o.radius_cv < 1.0) || !(o.gap >= 0.0 && o.gap.is_finite()) {
        return Err(invalid("radius_cv/gap", format!("{}/{}", o.radius_cv, o.gap), "need 0 ≤ cv < 1 and gap ≥ 0"));
    }
    let bodies = place(n, o.fraction, o.gap, o.seed, |rng| {
        let z: f64 = rng.sample::<f64, _>(StandardNormal).clamp(-2.0, 2.0);
        let r = (o.radius * (1.0 + o.radius_cv * z)).max(0.5);
        ([r; 3], EYE)
    })?;
    voxelize(n, &bodies, 1)
}

/// Random non-overlapping ellipsoids of phase 1 (non-overlap checked on bounding spheres).
pub fn ellipsoids(n: [usize; 3], o: &EllipsoidOptions) -> Result<Grid> {
    check_dims(n)?;
    check_fraction(o.fraction, 0.3)?;
    if o.axes.iter().any(|a| !(*a > 0.0 && a.is_finite())) || !(o.radius > 0.0) {
        return Err(invalid("axes", format!("{:?}", o.axes), "semi-axes must be positive"));
    }
    let bodies = place(n, o.fraction, o.gap, o.seed, |rng| {
        let rot = if o.random_orientation { random_rotation(rng) } else { EYE };
        ([o.radius * o.axes[0], o.radius * o.axes[1], o.radius * o.axes[2]], rot)
    })?;
    voxelize(n, &bodies, 1)
}

/// Porous medium: overlapping spherical pores (phase 1) of radius `radius` voxels added at random
/// until the voxel porosity reaches `fraction`. Use a void phase (`Material::void()`) for phase 1.
pub fn pores(n: [usize; 3], fraction: f64, radius: f64, seed: u64) -> Result<Grid> {
    check_dims(n)?;
    check_fraction(fraction, 0.9)?;
    if !(radius >= 0.5 && radius.is_finite()) {
        return Err(invalid("radius", radius, "must be at least 0.5 voxel"));
    }
    let mut g = Grid::uniform(n, 0)?;
    let l = [n[0] as f64, n[1] as f64, n[2] as f64];
    let target = (fraction * g.len() as f64).round() as usize;
    let mut count = 0usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let r = radius.ceil() as i64 + 1;
    while count < target {
        let c = [rng.random::<f64>() * l[0], rng.random::<f64>() * l[1], rng.random::<f64>() * l[2]];
        let ctr = [c[0].floor() as i64, c[1].floor() as i64, c[2].floor() as i64];
        for di in -r..=r {
            for dj in -r..=r {
                for dk in -r..=r {
                    let v = [ctr[0] + di, ctr[1] + dj, ctr[2] + dk];
                    let d2: f64 = (0..3).map(|k| (v[k] as f64 + 0.5 - c[k]).powi(2)).sum();
                    if d2 <= radius * radius {
                        let i = v[0].rem_euclid(n[0] as i64) as usize;
                        let j = v[1].rem_euclid(n[1] as i64) as usize;
                        let k = v[2].rem_euclid(n[2] as i64) as usize;
                        let idx = g.index(i, j, k);
                        if g.phases()[idx] == 0 && count < target {
                            g.phases_mut()[idx] = 1;
                            count += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(g)
}

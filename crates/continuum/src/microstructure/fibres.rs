use super::{check_dims, check_fraction, min_image, random_direction};
use crate::error::{invalid, Result};
use crate::grid::Grid;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Short cylindrical fibres (phase 1), aligned or randomly oriented, non-overlapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FibreOptions {
    pub fraction: f64,
    /// Fibre radius in voxels.
    pub radius: f64,
    /// Fibre length (cylinder axis) in voxels.
    pub length: f64,
    /// Alignment axis (unit vector); `None` for random 3-D orientations.
    pub aligned: Option<[f64; 3]>,
    pub gap: f64,
    pub seed: u64,
}

impl Default for FibreOptions {
    fn default() -> Self {
        FibreOptions { fraction: 0.15, radius: 2.5, length: 20.0, aligned: Some([0.0, 0.0, 1.0]), gap: 1.0, seed: 1 }
    }
}

fn seg_dist(p1: [f64; 3], d1: [f64; 3], p2: [f64; 3], d2: [f64; 3]) -> f64 {
    // Segments p + t d, t ∈ [-1/2, 1/2] (d carries the length). Closest points (Ericson 2005).
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let a0 = [p1[0] - 0.5 * d1[0], p1[1] - 0.5 * d1[1], p1[2] - 0.5 * d1[2]];
    let b0 = [p2[0] - 0.5 * d2[0], p2[1] - 0.5 * d2[1], p2[2] - 0.5 * d2[2]];
    let r = [a0[0] - b0[0], a0[1] - b0[1], a0[2] - b0[2]];
    let (a, e, f) = (dot(d1, d1), dot(d2, d2), dot(d2, r));
    let c = dot(d1, r);
    let b = dot(d1, d2);
    let eps = 1e-12;
    let (s, t) = if a <= eps && e <= eps {
        (0.0, 0.0)
    } else if a <= eps {
        (0.0, (f / e).clamp(0.0, 1.0))
    } else if e <= eps {
        ((-c / a).clamp(0.0, 1.0), 0.0)
    } else {
        let den = a * e - b * b;
        let mut s = if den > eps { ((b * f - c * e) / den).clamp(0.0, 1.0) } else { 0.0 };
        let mut t = (b * s + f) / e;
        if t < 0.0 {
            t = 0.0;
            s = (-c / a).clamp(0.0, 1.0);
        } else if t > 1.0 {
            t = 1.0;
            s = ((b - c) / a).clamp(0.0, 1.0);
        }
        (s, t)
    };
    let q = [a0[0] + s * d1[0] - b0[0] - t * d2[0], a0[1] + s * d1[1] - b0[1] - t * d2[1], a0[2] + s * d1[2] - b0[2] - t * d2[2]];
    dot(q, q).sqrt()
}

/// Generate fibres of phase 1 in a phase-0 matrix (random sequential addition).
pub fn fibres(n: [usize; 3], o: &FibreOptions) -> Result<Grid> {
    check_dims(n)?;
    check_fraction(o.fraction, 0.35)?;
    let l = [n[0] as f64, n[1] as f64, n[2] as f64];
    let lmin = l.iter().cloned().fold(f64::MAX, f64::min);
    if !(o.radius >= 0.5 && o.length >= 0.0 && o.length + 2.0 * o.radius < lmin) {
        return Err(invalid("fibre size", format!("radius {} length {}", o.radius, o.length), "needs radius ≥ 0.5 and length + diameter below the cell size"));
    }
    let axis = match o.aligned {
        Some(a) => {
            let nrm = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
            if !(nrm > 0.0 && nrm.is_finite()) {
                return Err(invalid("aligned", format!("{a:?}"), "axis must be a non-zero vector"));
            }
            Some([a[0] / nrm, a[1] / nrm, a[2] / nrm])
        }
        None => None,
    };
    let vol = l[0] * l[1] * l[2];
    let vf = std::f64::consts::PI * o.radius * o.radius * o.length + 4.0 / 3.0 * std::f64::consts::PI * o.radius.powi(3);
    let mut rng = StdRng::seed_from_u64(o.seed);
    let mut fib: Vec<([f64; 3], [f64; 3])> = Vec::new();
    let mut filled = 0.0;
    let mut fails = 0usize;
    while filled < o.fraction * vol {
        let u = axis.unwrap_or_else(|| random_direction(&mut rng));
        let d = [u[0] * o.length, u[1] * o.length, u[2] * o.length];
        let c = [rng.random::<f64>() * l[0], rng.random::<f64>() * l[1], rng.random::<f64>() * l[2]];
        let ok = fib.iter().all(|(c2, d2)| {
            let rel = [c2[0] - c[0], c2[1] - c[1], c2[2] - c[2]];
            let img = [c[0] + min_image(rel[0], l[0]), c[1] + min_image(rel[1], l[1]), c[2] + min_image(rel[2], l[2])];
            seg_dist(c, d, img, *d2) >= 2.0 * o.radius + o.gap
        });
        if ok {
            fib.push((c, d));
            filled += vf;
            fails = 0;
        } else {
            fails += 1;
            if fails > 200_000 {
                return Err(invalid("fraction", o.fraction, "fibres jammed; lower the fraction, length or gap"));
            }
        }
    }
    let mut g = Grid::uniform(n, 0)?;
    let ext = (0.5 * o.length + o.radius).ceil() as i64 + 1;
    for (c, d) in &fib {
        let ctr = [c[0].floor() as i64, c[1].floor() as i64, c[2].floor() as i64];
        for di in -ext..=ext {
            for dj in -ext..=ext {
                for dk in -ext..=ext {
                    let v = [ctr[0] + di, ctr[1] + dj, ctr[2] + dk];
                    let p = [v[0] as f64 + 0.5, v[1] as f64 + 0.5, v[2] as f64 + 0.5];
                    if seg_dist(*c, *d, p, [0.0; 3]) <= o.radius {
                        let i = v[0].rem_euclid(n[0] as i64) as usize;
                        let j = v[1].rem_euclid(n[1] as i64) as usize;
                        let k = v[2].rem_euclid(n[2] as i64) as usize;
                        let idx = g.index(i, j, k);
                        g.phases_mut()[idx] = 1;
                    }
                }
            }
        }
    }
    Ok(g)
}

//! Random-walk chain growth with overlap avoidance in a cubic periodic box.
//!
//! Each chain starts at a random point; every next bead is placed one bond length from the last,
//! in a random direction (freely jointed, bead-spring) or at the fixed bond angle with a torsion
//! drawn from the trans/gauche states (united-atom chains). A candidate closer than the exclusion
//! distance to any bead placed before (other than the last `skip` beads of its own chain) is
//! rejected and another drawn, up to `tries` times; when all fail the candidate farthest from its
//! neighbours is kept and counted (`forced`): the soft push-off ([`super::pushoff`]) removes such
//! overlaps afterwards, and the final distance check refuses any that remain.

use super::grid::{min_image, Grid};
use crate::cell::{cross, dot, norm, Vec3};
use rand::Rng;
use rand_chacha::ChaCha12Rng;
use std::f64::consts::PI;

/// The local geometry of a chain.
#[derive(Clone, Copy, Debug)]
pub enum Geometry {
    /// Random bond directions of length `bond`.
    FreelyJointed { bond: f64 },
    /// Bond length, bond angle (degrees) and the probability of a trans torsion (gauche ± share
    /// the rest equally; every torsion is jittered by up to ±15°).
    Rotational { bond: f64, angle_deg: f64, trans: f64 },
}

/// Growth options.
#[derive(Clone, Copy, Debug)]
pub struct Walk {
    pub geometry: Geometry,
    /// Smallest accepted distance to a bead placed before.
    pub exclusion: f64,
    /// Beads at the end of a chain's own growing tail not checked (1: the bonded one).
    pub skip: usize,
    /// Candidates drawn per bead before the best is kept.
    pub tries: usize,
}

/// Grown positions (chains consecutive, unwrapped along each chain) and the number of beads
/// placed closer than the exclusion distance.
pub struct Grown {
    pub positions: Vec<Vec3>,
    pub forced: usize,
}

fn unit_vector(rng: &mut ChaCha12Rng) -> Vec3 {
    let z: f64 = rng.random_range(-1.0..1.0);
    let phi: f64 = rng.random_range(0.0..2.0 * PI);
    let s = (1.0 - z * z).sqrt();
    [s * phi.cos(), s * phi.sin(), z]
}

/// The position `bond` from `c` with angle b–c–d = `angle` and dihedral a–b–c–d = `torsion`
/// (radians; natural-extension reference frame).
fn place(a: &Vec3, b: &Vec3, c: &Vec3, bond: f64, angle: f64, torsion: f64) -> Vec3 {
    let bc = [c[0] - b[0], c[1] - b[1], c[2] - b[2]];
    let lbc = norm(&bc);
    let bc = bc.map(|x| x / lbc);
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let mut n = cross(&ab, &bc);
    let ln = norm(&n);
    if ln < 1e-12 {
        // a, b, c collinear: any perpendicular
        let t = if bc[0].abs() < 0.9 { [1.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0] };
        n = cross(&t, &bc);
    }
    let ln = norm(&n);
    let n = n.map(|x| x / ln);
    let m = cross(&n, &bc);
    let d2 = [-bond * angle.cos(), bond * angle.sin() * torsion.cos(), bond * angle.sin() * torsion.sin()];
    [0, 1, 2].map(|k| c[k] + d2[0] * bc[k] + d2[1] * m[k] + d2[2] * n[k])
}

/// Grow chains of the given lengths in a cubic box of side `l`.
pub fn grow(lengths: &[usize], l: f64, walk: &Walk, rng: &mut ChaCha12Rng) -> Grown {
    let total: usize = lengths.iter().sum();
    let mut pos: Vec<Vec3> = Vec::with_capacity(total);
    let mut grid = Grid::new(l, walk.exclusion.max(1e-9));
    let mut forced = 0;
    for &len in lengths {
        let start = pos.len();
        for k in 0..len {
            let mut best: Option<(f64, Vec3)> = None;
            for _ in 0..walk.tries.max(1) {
                let cand = candidate(&pos[start..], k, l, &walk.geometry, rng);
                // nearest bead placed before, skipping the chain's own last `skip` beads
                let own_skip = start + k.saturating_sub(walk.skip);
                let mut dmin = f64::INFINITY;
                grid.around(&cand, |j| {
                    if j >= own_skip {
                        return;
                    }
                    let r = norm(&min_image(&cand, &pos[j], l));
                    dmin = dmin.min(r);
                });
                if best.as_ref().is_none_or(|(d, _)| dmin > *d) {
                    best = Some((dmin, cand));
                }
                if dmin >= walk.exclusion {
                    break;
                }
            }
            let (d, p) = best.unwrap_or((f64::INFINITY, [0.0; 3]));
            if d < walk.exclusion {
                forced += 1;
            }
            grid.insert(pos.len(), &p);
            pos.push(p);
        }
    }
    Grown { positions: pos, forced }
}

fn candidate(chain: &[Vec3], k: usize, l: f64, g: &Geometry, rng: &mut ChaCha12Rng) -> Vec3 {
    if k == 0 {
        return [rng.random_range(0.0..l), rng.random_range(0.0..l), rng.random_range(0.0..l)];
    }
    let last = chain[k - 1];
    match *g {
        Geometry::FreelyJointed { bond } => {
            let u = unit_vector(rng);
            [0, 1, 2].map(|d| last[d] + bond * u[d])
        }
        Geometry::Rotational { bond, angle_deg, trans } => {
            let theta = angle_deg.to_radians();
            if k == 1 {
                let u = unit_vector(rng);
                return [0, 1, 2].map(|d| last[d] + bond * u[d]);
            }
            let b = chain[k - 2];
            let a = if k >= 3 {
                chain[k - 3]
            } else {
                // any reference point off the b–c axis: a random torsion for the first angle
                let u = unit_vector(rng);
                [0, 1, 2].map(|d| b[d] + u[d])
            };
            let x: f64 = rng.random_range(0.0..1.0);
            let phi0 = if x < trans { 180.0 } else if x < trans + 0.5 * (1.0 - trans) { 60.0 } else { -60.0 };
            let phi = (phi0 + rng.random_range(-15.0..15.0f64)).to_radians();
            place(&a, &b, &last, bond, theta, phi)
        }
    }
}

/// Angle a–b–c in degrees (for checks).
pub fn angle_deg(a: &Vec3, b: &Vec3, c: &Vec3) -> f64 {
    let u = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    let v = [c[0] - b[0], c[1] - b[1], c[2] - b[2]];
    (dot(&u, &v) / (norm(&u) * norm(&v))).clamp(-1.0, 1.0).acos().to_degrees()
}

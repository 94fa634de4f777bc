//! Soft push-off: removes the overlaps left by chain growth (or created by cross-linking) while
//! keeping the chemistry. Steepest descent, with a step normalised by the largest force and
//! adapted to the energy, on
//!
//!   E = Σ_{non-excluded pairs, r < r_c} A [1 + cos(π r / r_c)]  +  Σ_springs k (r − r₀)²
//!
//! (the soft term is LAMMPS's `pair_style soft`; springs hold bonds, and 1-3 distances where the
//! chain has a bond angle, at their target lengths). It stops when no non-excluded pair is closer
//! than `target` and every spring is within `spring_tolerance` (relative) of its length; if that is
//! not reached within `max_steps` it returns an overlap error naming the closest pair.

use super::grid::{min_image, Grid};
use crate::cell::{norm, Vec3};
use crate::error::{Error, Result};
use std::f64::consts::PI;

/// Push-off settings (lengths in the system's unit).
#[derive(Clone, Debug)]
pub struct PushOff {
    /// Range of the soft repulsion.
    pub cutoff: f64,
    /// Smallest non-excluded distance accepted.
    pub target: f64,
    /// `(i, j, r0)` springs.
    pub springs: Vec<(usize, usize, f64)>,
    /// Largest relative spring deviation accepted.
    pub spring_tolerance: f64,
    /// Sorted partners of every atom that the soft term skips.
    pub excluded: Vec<Vec<usize>>,
    pub max_steps: usize,
}

/// What the push-off did.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct PushOffReport {
    pub steps: usize,
    /// Smallest non-excluded distance at the end.
    pub min_distance: f64,
    /// Largest relative spring deviation at the end.
    pub max_spring_deviation: f64,
}

struct Eval {
    energy: f64,
    forces: Vec<Vec3>,
    closest: (usize, usize, f64),
    spring_dev: f64,
}

fn evaluate(pos: &[Vec3], l: f64, p: &PushOff) -> Eval {
    let rc = p.cutoff;
    let a = 1.0;
    let k = 100.0 / (rc * rc);
    let grid = Grid::filled(l, rc, pos);
    let mut forces = vec![[0.0; 3]; pos.len()];
    let mut energy = 0.0;
    let mut closest = (0, 0, f64::INFINITY);
    for (i, pi) in pos.iter().enumerate() {
        grid.around(pi, |j| {
            if j <= i || p.excluded[i].binary_search(&j).is_ok() {
                return;
            }
            let d = min_image(pi, &pos[j], l);
            let r = norm(&d);
            if r < closest.2 {
                closest = (i, j, r);
            }
            if r >= rc {
                return;
            }
            energy += a * (1.0 + (PI * r / rc).cos());
            // repulsive: −dE/dr = A π/rc sin(π r/rc) > 0
            let f = a * PI / rc * (PI * r / rc).sin() / r.max(1e-9);
            for c in 0..3 {
                forces[i][c] -= f * d[c];
                forces[j][c] += f * d[c];
            }
        });
    }
    let mut spring_dev: f64 = 0.0;
    for &(i, j, r0) in &p.springs {
        let d = min_image(&pos[i], &pos[j], l);
        let r = norm(&d).max(1e-12);
        energy += k * (r - r0) * (r - r0);
        spring_dev = spring_dev.max(((r - r0) / r0).abs());
        let f = -2.0 * k * (r - r0) / r;
        for c in 0..3 {
            forces[i][c] -= f * d[c];
            forces[j][c] += f * d[c];
        }
    }
    Eval { energy, forces, closest, spring_dev }
}

/// Push `pos` (cubic box of side `l`) apart; see the module documentation.
pub fn push_off(pos: &mut [Vec3], l: f64, p: &PushOff) -> Result<PushOffReport> {
    if p.excluded.len() != pos.len() {
        return Err(Error::Shape(format!("{} exclusion lists for {} atoms", p.excluded.len(), pos.len())));
    }
    let mut step = 0.02 * p.cutoff;
    let mut ev = evaluate(pos, l, p);
    for n in 0..=p.max_steps {
        if ev.closest.2 >= p.target && ev.spring_dev <= p.spring_tolerance {
            return Ok(PushOffReport { steps: n, min_distance: ev.closest.2, max_spring_deviation: ev.spring_dev });
        }
        if n == p.max_steps {
            break;
        }
        let fmax = ev.forces.iter().map(norm).fold(0.0, f64::max);
        if fmax <= 0.0 || !fmax.is_finite() {
            break;
        }
        let old: Vec<Vec3> = pos.to_vec();
        for (x, f) in pos.iter_mut().zip(&ev.forces) {
            for c in 0..3 {
                x[c] += step * f[c] / fmax;
            }
        }
        let next = evaluate(pos, l, p);
        if next.energy <= ev.energy {
            ev = next;
            step = (step * 1.1).min(0.05 * p.cutoff);
        } else {
            pos.copy_from_slice(&old);
            step *= 0.5;
            if step < 1e-9 * p.cutoff {
                // the descent has converged on a state that does not meet the targets
                break;
            }
        }
    }
    let (i, j, r) = ev.closest;
    if r < p.target {
        return Err(Error::Overlap { i, j, r, min: p.target });
    }
    Err(Error::invalid(
        "push-off",
        format!("largest bond deviation {:.3} %", 100.0 * ev.spring_dev),
        &format!("the bonds could not be brought within {:.1} % of their lengths in {} steps (lower the density)", 100.0 * p.spring_tolerance, p.max_steps),
    ))
}

/// Sorted exclusion lists: partners within `depth` bonds (1: bonded, 2: also 1-3, 3: also 1-4).
pub fn exclusions(n: usize, bonds: &[(usize, usize)], depth: usize) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for &(i, j) in bonds {
        adj[i].push(j);
        adj[j].push(i);
    }
    let mut out = vec![Vec::new(); n];
    for i in 0..n {
        let mut seen = vec![i];
        let mut frontier = vec![i];
        for _ in 0..depth {
            let mut next = Vec::new();
            for &a in &frontier {
                for &b in &adj[a] {
                    if !seen.contains(&b) {
                        seen.push(b);
                        next.push(b);
                    }
                }
            }
            frontier = next;
        }
        seen.retain(|&x| x != i);
        seen.sort_unstable();
        out[i] = seen;
    }
    out
}

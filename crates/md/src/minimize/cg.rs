//! Nonlinear conjugate gradients (Polak–Ribière+, restarts on loss of descent) with a
//! backtracking line search on the objective of [`super::Problem`] (LAMMPS `min_style cg`
//! minimises the same function; its line search differs).

use super::{MinimizeOptions, MinimizeReport, Problem};
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::structure::Structure;

/// Relative energy change below which the line search reads the directional derivative instead
/// of the energy (a few hundred times the rounding of an energy summed over ~10⁴ terms).
const ENERGY_NOISE: f64 = 1e-12;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimise with conjugate gradients; on success `structure` holds the relaxed configuration
/// (on [`Error::NotConverged`] it is left as it was; see [`cg_keep_last`]).
pub fn cg(structure: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<MinimizeReport> {
    let mut s = structure.clone();
    match run(&mut s, eval, opts)? {
        Outcome::Converged(r) => {
            *structure = s;
            Ok(r)
        }
        Outcome::Stopped { report, line_search_failed } => Err(Error::NotConverged {
            what: if line_search_failed { "CG minimisation (line search failed)" } else { "CG minimisation" }.into(),
            iters: report.iterations,
            residual: report.residual(opts),
        }),
    }
}

/// Conjugate gradients that always leave the last accepted state in `structure`: `(report,
/// true)` when converged, `(report, false)` when stopped at `max_iter` or by a failed line search.
pub fn cg_keep_last(structure: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<(MinimizeReport, bool)> {
    match run(structure, eval, opts)? {
        Outcome::Converged(r) => Ok((r, true)),
        Outcome::Stopped { report, .. } => Ok((report, false)),
    }
}

enum Outcome {
    Converged(MinimizeReport),
    Stopped { report: MinimizeReport, line_search_failed: bool },
}

/// The iteration; `structure` receives the last accepted state on every outcome.
fn run(structure: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<Outcome> {
    let mut p = Problem::new(eval, structure, opts)?;
    let mut x = p.x();
    let (mut e, mut g) = p.evaluate()?;
    let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut alpha_prev = 0.0f64;
    for it in 0..opts.max_iter {
        if p.converged(opts) {
            let r = p.report("cg", it);
            *structure = p.s.clone();
            return Ok(Outcome::Converged(r));
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
        }
        let dmax = d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if dmax == 0.0 {
            break;
        }
        // initial step: the previous one, capped by max_step
        let cap = opts.max_step / dmax;
        let mut alpha = if alpha_prev > 0.0 { (2.0 * alpha_prev).min(cap) } else { cap.min(1.0 / dmax) };
        let x0 = x.clone();
        let mut accepted = None;
        for _ in 0..40 {
            for ((xi, x0i), di) in x.iter_mut().zip(&x0).zip(&d) {
                *xi = x0i + alpha * di;
            }
            p.set_x(&x)?;
            let (e1, g1) = p.evaluate()?;
            if e1 <= e + 1e-4 * alpha * slope {
                accepted = Some((e1, g1));
                break;
            }
            // Near convergence the energy change falls to round-off (summation order) and
            // the energy test above accepts or rejects by noise; there the directional
            // derivative decides, as LAMMPS's `linestyle quadratic` does below its EMACH: a
            // step that still descends, or overshoots to a point at least twice as flat, is
            // accepted, a larger overshoot is cut back to the secant estimate of the minimum.
            if (e1 - e).abs() <= ENERGY_NOISE * (e.abs() + 1.0) {
                let slope1 = dot(&g1, &d);
                if slope1 <= 0.5 * slope.abs() {
                    accepted = Some((e1, g1));
                    break;
                }
                let a_sec = alpha * slope / (slope - slope1);
                alpha = if a_sec.is_finite() && a_sec > 0.0 && a_sec < alpha { a_sec } else { 0.5 * alpha };
                continue;
            }
            // quadratic interpolation step, safeguarded
            let a_new = -slope * alpha * alpha / (2.0 * (e1 - e - slope * alpha));
            alpha = if a_new.is_finite() && a_new > 0.1 * alpha && a_new < 0.9 * alpha { a_new } else { 0.5 * alpha };
        }
        let Some((e1, g1)) = accepted else {
            // no descent possible at round-off level: accept the start point if converged
            x = x0;
            p.set_x(&x)?;
            p.evaluate()?;
            let r = p.report("cg", it);
            *structure = p.s.clone();
            if p.converged(opts) {
                return Ok(Outcome::Converged(r));
            }
            return Ok(Outcome::Stopped { report: r, line_search_failed: true });
        };
        alpha_prev = alpha;
        let beta = {
            let num = dot(&g1, &g1) - dot(&g1, &g);
            let den = dot(&g, &g);
            if den > 0.0 { (num / den).max(0.0) } else { 0.0 }
        };
        let restart = (it + 1) % p.dim().max(1) == 0;
        for (di, gi) in d.iter_mut().zip(&g1) {
            *di = if restart { -gi } else { -gi + beta * *di };
        }
        e = e1;
        g = g1;
    }
    let r = p.report("cg", opts.max_iter);
    *structure = p.s.clone();
    if p.converged(opts) {
        return Ok(Outcome::Converged(r));
    }
    Ok(Outcome::Stopped { report: r, line_search_failed: false })
}

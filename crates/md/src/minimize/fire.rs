//! FIRE, the fast inertial relaxation engine (Bitzek et al., Phys. Rev. Lett. 97, 170201 (2006)),
//! in the form ASE uses (unit masses, a cap on the step length), over the generalised coordinates
//! of [`super::Problem`].

use super::{MinimizeOptions, MinimizeReport, Problem};
use crate::error::{Error, Result};
use crate::evaluator::Evaluator;
use crate::structure::Structure;

/// Minimise with FIRE; on success `structure` holds the relaxed configuration (on
/// [`Error::NotConverged`] it is left as it was; see [`fire_keep_last`]).
pub fn fire(structure: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<MinimizeReport> {
    let mut s = structure.clone();
    let (r, converged) = fire_keep_last(&mut s, eval, opts)?;
    if converged {
        *structure = s;
        return Ok(r);
    }
    Err(Error::NotConverged { what: "FIRE minimisation".into(), iters: opts.max_iter, residual: r.residual(opts) })
}

/// FIRE that always leaves its last state in `structure`: `(report, true)` when converged,
/// `(report, false)` when it stopped at `max_iter` (the report then says how far it got).
pub fn fire_keep_last(structure: &mut Structure, eval: &mut Evaluator, opts: &MinimizeOptions) -> Result<(MinimizeReport, bool)> {
    let (dt_max, n_min, f_inc, f_dec, a_start, f_a) = (1.0f64, 5usize, 1.1f64, 0.5f64, 0.1f64, 0.99f64);
    let mut p = Problem::new(eval, structure, opts)?;
    let mut x = p.x();
    let mut v = vec![0.0; x.len()];
    let mut dt = 0.1f64;
    let mut a = a_start;
    let mut n_pos = 0usize;
    for it in 0..opts.max_iter {
        let (_, g) = p.evaluate()?;
        if p.converged(opts) {
            let r = p.report("fire", it);
            *structure = p.s.clone();
            return Ok((r, true));
        }
        let power: f64 = g.iter().zip(&v).map(|(gi, vi)| -gi * vi).sum();
        if power > 0.0 {
            let vn = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            let fn_ = g.iter().map(|x| x * x).sum::<f64>().sqrt();
            if fn_ > 0.0 {
                for (vi, gi) in v.iter_mut().zip(&g) {
                    *vi = (1.0 - a) * *vi - a * gi / fn_ * vn;
                }
            }
            if n_pos > n_min {
                dt = (dt * f_inc).min(dt_max);
                a *= f_a;
            }
            n_pos += 1;
        } else {
            v.iter_mut().for_each(|x| *x = 0.0);
            a = a_start;
            dt *= f_dec;
            n_pos = 0;
        }
        for (vi, gi) in v.iter_mut().zip(&g) {
            *vi -= dt * gi;
        }
        let mut dx: Vec<f64> = v.iter().map(|vi| dt * vi).collect();
        let norm = dx.iter().map(|d| d * d).sum::<f64>().sqrt();
        if norm > opts.max_step {
            let s = opts.max_step / norm;
            dx.iter_mut().for_each(|d| *d *= s);
        }
        for (xi, d) in x.iter_mut().zip(&dx) {
            *xi += d;
        }
        p.set_x(&x)?;
    }
    let (_, _) = p.evaluate()?;
    let r = p.report("fire", opts.max_iter);
    *structure = p.s.clone();
    Ok((r, p.converged(opts)))
}

//! Shared solver pieces: options, load cases and a preconditioned conjugate-gradient loop on flat
//! vectors (rayon-parallel reductions).

use crate::error::{ContinuumError, Result};
use rayon::prelude::*;
use std::sync::Arc;

/// Callback `(load_case, n_load_cases, iteration, relative_residual)` for progress bars.
pub type ProgressFn = Arc<dyn Fn(usize, usize, usize, f64) + Send + Sync>;

/// Options of the iterative solvers.
#[derive(Clone)]
pub struct SolverOptions {
    /// Relative residual tolerance ‖r‖/‖b‖.
    pub tol: f64,
    /// Iteration cap per load case.
    pub max_iter: usize,
    /// Optional progress callback.
    pub progress: Option<ProgressFn>,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions { tol: 1e-6, max_iter: 2000, progress: None }
    }
}

impl std::fmt::Debug for SolverOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolverOptions").field("tol", &self.tol).field("max_iter", &self.max_iter).finish()
    }
}

impl SolverOptions {
    pub(crate) fn validate(&self) -> Result<()> {
        if !(self.tol > 0.0 && self.tol < 1.0) {
            return Err(crate::error::invalid("tol", self.tol, "must lie in (0, 1)"));
        }
        if self.max_iter == 0 {
            return Err(crate::error::invalid("max_iter", 0, "must be at least 1"));
        }
        Ok(())
    }
    pub(crate) fn report(&self, load: usize, nloads: usize, it: usize, res: f64) {
        if let Some(p) = &self.progress {
            p(load, nloads, it, res);
        }
    }
}

/// A macroscopic load case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Load {
    /// Macroscopic strain, Voigt order with engineering shears (γ = 2ε).
    Strain([f64; 6]),
    /// Macroscopic temperature gradient, K/m.
    Gradient([f64; 3]),
}

const MIN_LEN: usize = 4096;

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.par_iter().with_min_len(MIN_LEN).zip(b.par_iter()).map(|(x, y)| x * y).sum()
}

/// Preconditioned CG for a symmetric positive (semi-)definite operator with a consistent right-hand
/// side. `x` starts at zero. Returns (iterations, relative residual ‖r‖/‖b‖). A right-hand side
/// below `1e-13 · bscale` (rounding noise of an exactly cancelling load) counts as zero.
#[allow(clippy::too_many_arguments)]
pub(crate) fn pcg(
    b: Vec<f64>,
    x: &mut [f64],
    mut apply: impl FnMut(&[f64], &mut [f64]) -> Option<f64>,
    mut precond: Option<&mut dyn FnMut(&[f64], &mut [f64])>,
    bscale: f64,
    tol: f64,
    max_iter: usize,
    solver: &str,
    mut progress: impl FnMut(usize, f64),
) -> Result<(usize, f64)> {
    let n = b.len();
    x.par_iter_mut().for_each(|v| *v = 0.0);
    let bnorm = dot(&b, &b).sqrt();
    if !bnorm.is_finite() {
        return Err(ContinuumError::NonFinite { what: format!("{solver} right-hand side"), index: 0 });
    }
    if bnorm == 0.0 || bnorm <= 1e-13 * bscale {
        return Ok((0, 0.0));
    }
    let mut r = b;
    let mut z = if precond.is_some() { vec![0.0; n] } else { Vec::new() };
    if let Some(pc) = precond.as_mut() {
        pc(&r, &mut z);
    }
    let mut p = if precond.is_some() { z.clone() } else { r.clone() };
    let mut ap = vec![0.0; n];
    let mut rz = if precond.is_some() { dot(&r, &z) } else { dot(&r, &r) };
    let mut res = 1.0;
    for it in 1..=max_iter {
        // `apply` may return p·Ap computed in the same pass.
        let pap = match apply(&p, &mut ap) {
            Some(v) => v,
            None => dot(&p, &ap),
        };
        if !(pap > 0.0) {
            if pap.is_finite() && res <= tol.sqrt() {
                // Breakdown at machine precision of a semi-definite operator: accept.
                return Ok((it, res));
            }
            return Err(ContinuumError::NotConverged { solver: solver.into(), iters: it, residual: res, tol });
        }
        let alpha = rz / pap;
        let rr: f64 = x
            .par_iter_mut()
            .with_min_len(MIN_LEN)
            .zip(r.par_iter_mut())
            .zip(p.par_iter().zip(ap.par_iter()))
            .map(|((xi, ri), (pi, api))| {
                *xi += alpha * pi;
                *ri -= alpha * api;
                *ri * *ri
            })
            .sum();
        res = rr.sqrt() / bnorm;
        if !res.is_finite() {
            // A residual that blows up is a numerical failure of the solve, not bad input.
            return Err(ContinuumError::NotConverged { solver: format!("{solver} (non-finite residual)"), iters: it, residual: res, tol });
        }
        progress(it, res);
        if res <= tol {
            return Ok((it, res));
        }
        let rz_new = if let Some(pc) = precond.as_mut() {
            pc(&r, &mut z);
            dot(&r, &z)
        } else {
            rr
        };
        let beta = rz_new / rz;
        rz = rz_new;
        let src = if precond.is_some() { &z } else { &r };
        p.par_iter_mut().with_min_len(MIN_LEN).zip(src.par_iter()).for_each(|(pi, si)| *pi = si + beta * *pi);
    }
    Err(ContinuumError::NotConverged { solver: solver.into(), iters: max_iter, residual: res, tol })
}

//! FIRE relaxation (Bitzek et al., PRL 97, 170201 (2006); the LAMMPS/ASE variant) driven by a
//! force callback, so that forces which are not the gradient of one energy (the force-based
//! coupling) can be relaxed as well.

use crate::error::{CouplingError, Result};
use scalebridge_md::units::FTM2V;

/// FIRE settings.
#[derive(Clone, Copy, Debug)]
pub struct Fire {
    /// Stop when the largest force component is below this, eV/Å.
    pub fmax: f64,
    /// Iteration cap.
    pub max_iter: usize,
    /// Initial and largest time step, ps.
    pub dt: f64,
    pub dt_max: f64,
}

/// Relax `x` (3 dofs per atom, masses in amu) under `force(x)`; returns (iterations, final largest
/// force component).
pub fn fire(x: &mut [f64], masses: &[f64], fire: &Fire, mut force: impl FnMut(&[f64]) -> Result<Vec<f64>>) -> Result<(usize, f64)> {
    let n = x.len();
    let mut v = vec![0.0; n];
    let (n_min, f_inc, f_dec, a_start, f_alpha) = (5usize, 1.1, 0.5, 0.1, 0.99);
    let mut dt = fire.dt;
    let mut alpha = a_start;
    let mut since = 0usize;
    let mut fmax = f64::INFINITY;
    for it in 0..fire.max_iter {
        let f = force(x)?;
        fmax = f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if !fmax.is_finite() {
            return Err(CouplingError::NonFinite { what: "forces in the relaxation".into(), step: it });
        }
        if fmax < fire.fmax {
            return Ok((it, fmax));
        }
        let p: f64 = f.iter().zip(&v).map(|(a, b)| a * b).sum();
        if p > 0.0 {
            let vn = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            let fn_ = f.iter().map(|a| a * a).sum::<f64>().sqrt().max(1e-300);
            for k in 0..n {
                v[k] = (1.0 - alpha) * v[k] + alpha * vn * f[k] / fn_;
            }
            if since > n_min {
                dt = (dt * f_inc).min(fire.dt_max);
                alpha *= f_alpha;
            }
            since += 1;
        } else {
            v.iter_mut().for_each(|a| *a = 0.0);
            dt *= f_dec;
            alpha = a_start;
            since = 0;
        }
        for k in 0..n {
            v[k] += dt * FTM2V * f[k] / masses[k / 3];
            x[k] += dt * v[k];
        }
    }
    Err(CouplingError::NotConverged { solver: "FIRE relaxation".into(), iters: fire.max_iter, residual: fmax, tol: fire.fmax })
}

//! Fourier–Galerkin Green operators (Moulinec–Suquet discretisation, projection form): orthogonal
//! projections onto compatible (zero-mean, curl-free) fields. Zero and Nyquist frequencies are
//! removed, which keeps the operator real and symmetric.

use crate::linalg::SQRT2;
use rustfft::num_complex::Complex64;

use super::fft3::freq;

/// Unit wave vector of frequency index (a, b, c), or None for k = 0 and Nyquist frequencies.
#[inline]
pub(crate) fn unit_wave(idx: [usize; 3], dims: [usize; 3]) -> Option<[f64; 3]> {
    let mut xi = [0.0; 3];
    for d in 0..3 {
        let (f, nyq) = freq(idx[d], dims[d]);
        if nyq {
            return None;
        }
        xi[d] = f / dims[d] as f64;
    }
    let n = (xi[0] * xi[0] + xi[1] * xi[1] + xi[2] * xi[2]).sqrt();
    if n == 0.0 {
        return None;
    }
    Some([xi[0] / n, xi[1] / n, xi[2] / n])
}

/// Unit "rotated" wave vector of Willot's scheme (2015): the finite-difference gradient at voxel
/// centres from voxel-corner values, k_x ∝ sin(θx/2) cos(θy/2) cos(θz/2) (cyclic), which is the
/// one-point-integrated hex8 strain. None where it vanishes (k = 0 and the hourglass modes).
#[inline]
pub(crate) fn unit_wave_rotated(idx: [usize; 3], dims: [usize; 3]) -> Option<[f64; 3]> {
    let mut s = [0.0; 3];
    let mut c = [0.0; 3];
    for d in 0..3 {
        let th = std::f64::consts::PI * idx[d] as f64 / dims[d] as f64;
        s[d] = th.sin();
        c[d] = th.cos();
    }
    let k = [s[0] * c[1] * c[2], c[0] * s[1] * c[2], c[0] * c[1] * s[2]];
    let n = (k[0] * k[0] + k[1] * k[1] + k[2] * k[2]).sqrt();
    if n < 1e-12 {
        return None;
    }
    Some([k[0] / n, k[1] / n, k[2] / n])
}

/// Project a symmetric strain (Mandel, complex) onto {sym(n ⊗ u)}: u = 2τn − (n·τ·n) n.
#[inline]
pub(crate) fn project_strain(n: &[f64; 3], m: &mut [Complex64]) {
    let h = 1.0 / SQRT2;
    let t = [[m[0], m[5] * h, m[4] * h], [m[5] * h, m[1], m[3] * h], [m[4] * h, m[3] * h, m[2]]];
    let mut tn = [Complex64::default(); 3];
    for i in 0..3 {
        tn[i] = t[i][0] * n[0] + t[i][1] * n[1] + t[i][2] * n[2];
    }
    let s = tn[0] * n[0] + tn[1] * n[1] + tn[2] * n[2];
    let u = [tn[0] * 2.0 - s * n[0], tn[1] * 2.0 - s * n[1], tn[2] * 2.0 - s * n[2]];
    m[0] = u[0] * n[0];
    m[1] = u[1] * n[1];
    m[2] = u[2] * n[2];
    m[3] = (u[1] * n[2] + u[2] * n[1]) * h;
    m[4] = (u[0] * n[2] + u[2] * n[0]) * h;
    m[5] = (u[0] * n[1] + u[1] * n[0]) * h;
}

/// Project a vector onto gradients {n (n·g)}.
#[inline]
pub(crate) fn project_gradient(n: &[f64; 3], g: &mut [Complex64]) {
    let s = g[0] * n[0] + g[1] * n[1] + g[2] * n[2];
    g[0] = s * n[0];
    g[1] = s * n[1];
    g[2] = s * n[2];
}

//! Three-dimensional complex FFT on a C-ordered grid built from rustfft 1-D plans, parallel over
//! lines with rayon, plus the application of real, even (k ↔ −k) Fourier multipliers to real
//! fields packed two components per complex array.

use rayon::prelude::*;
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// A raw pointer shared across rayon tasks that write disjoint index sets.
#[derive(Clone, Copy)]
struct SyncPtr(*mut Complex64);
// SAFETY: only used where every task touches a disjoint set of indices (documented at each use).
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}

const BLOCK: usize = 16;

/// Forward and inverse 3-D transforms of one grid size.
pub(crate) struct Fft3 {
    n: [usize; 3],
    fwd: [Arc<dyn Fft<f64>>; 3],
    inv: [Arc<dyn Fft<f64>>; 3],
}

impl Fft3 {
    pub(crate) fn new(n: [usize; 3]) -> Self {
        let mut planner = FftPlanner::new();
        let fwd = [planner.plan_fft_forward(n[0]), planner.plan_fft_forward(n[1]), planner.plan_fft_forward(n[2])];
        let inv = [planner.plan_fft_inverse(n[0]), planner.plan_fft_inverse(n[1]), planner.plan_fft_inverse(n[2])];
        Fft3 { n, fwd, inv }
    }

    pub(crate) fn forward(&self, data: &mut [Complex64]) {
        self.run(data, &self.fwd);
    }

    /// Unnormalised inverse (multiply by 1/N yourself).
    pub(crate) fn inverse(&self, data: &mut [Complex64]) {
        self.run(data, &self.inv);
    }

    fn run(&self, data: &mut [Complex64], plans: &[Arc<dyn Fft<f64>>; 3]) {
        let [n0, n1, n2] = self.n;
        debug_assert_eq!(data.len(), n0 * n1 * n2);
        // Axis 2: contiguous lines.
        if n2 > 1 {
            let p = &plans[2];
            let rows = (8192 / n2).max(1);
            data.par_chunks_mut(n2 * rows).for_each(|chunk| {
                let mut scratch = vec![Complex64::default(); p.get_inplace_scratch_len()];
                p.process_with_scratch(chunk, &mut scratch);
            });
        }
        // Axis 1: inside each i-plane, gather blocks of columns.
        if n1 > 1 {
            let p = &plans[1];
            data.par_chunks_mut(n1 * n2).for_each(|plane| {
                let mut scratch = vec![Complex64::default(); p.get_inplace_scratch_len()];
                let mut buf = vec![Complex64::default(); n1 * BLOCK];
                let mut k0 = 0;
                while k0 < n2 {
                    let b = BLOCK.min(n2 - k0);
                    for j in 0..n1 {
                        for kk in 0..b {
                            buf[kk * n1 + j] = plane[j * n2 + k0 + kk];
                        }
                    }
                    p.process_with_scratch(&mut buf[..b * n1], &mut scratch);
                    for j in 0..n1 {
                        for kk in 0..b {
                            plane[j * n2 + k0 + kk] = buf[kk * n1 + j];
                        }
                    }
                    k0 += b;
                }
            });
        }
        // Axis 0: strided lines; task j owns indices (i*n1 + j)*n2 + k for all i, k.
        if n0 > 1 {
            let p = &plans[0];
            let ptr = SyncPtr(data.as_mut_ptr());
            (0..n1).into_par_iter().for_each(|j| {
                let ptr = ptr;
                let mut scratch = vec![Complex64::default(); p.get_inplace_scratch_len()];
                let mut buf = vec![Complex64::default(); n0 * BLOCK];
                let mut k0 = 0;
                while k0 < n2 {
                    let b = BLOCK.min(n2 - k0);
                    for i in 0..n0 {
                        let base = (i * n1 + j) * n2 + k0;
                        for kk in 0..b {
                            // SAFETY: index < n0*n1*n2 and belongs to this task's j only.
                            buf[kk * n0 + i] = unsafe { *ptr.0.add(base + kk) };
                        }
                    }
                    p.process_with_scratch(&mut buf[..b * n0], &mut scratch);
                    for i in 0..n0 {
                        let base = (i * n1 + j) * n2 + k0;
                        for kk in 0..b {
                            // SAFETY: as above.
                            unsafe { *ptr.0.add(base + kk) = buf[kk * n0 + i] };
                        }
                    }
                    k0 += b;
                }
            });
        }
    }
}

/// Signed integer frequency of index `a` on an axis of `n` points, and whether it is the Nyquist
/// frequency of an even-sized axis.
#[inline]
pub(crate) fn freq(a: usize, n: usize) -> (f64, bool) {
    let nyq = n % 2 == 0 && 2 * a == n;
    let f = if 2 * a <= n { a as f64 } else { a as f64 - n as f64 };
    (f, nyq)
}

/// Pack `nc` real components per voxel (flat, voxel-major) into ⌈nc/2⌉ complex arrays:
/// array p holds component 2p in the real and 2p+1 in the imaginary part.
pub(crate) fn pack(x: &[f64], nc: usize, bufs: &mut [Vec<Complex64>]) {
    for (p, buf) in bufs.iter_mut().enumerate() {
        let c0 = 2 * p;
        let c1 = 2 * p + 1;
        buf.par_iter_mut().with_min_len(4096).enumerate().for_each(|(v, z)| {
            let re = x[v * nc + c0];
            let im = if c1 < nc { x[v * nc + c1] } else { 0.0 };
            *z = Complex64::new(re, im);
        });
    }
}

/// Inverse of [`pack`], multiplying by `scale`.
pub(crate) fn unpack(bufs: &[Vec<Complex64>], nc: usize, scale: f64, out: &mut [f64]) {
    out.par_chunks_mut(nc).with_min_len(1024).enumerate().for_each(|(v, o)| {
        for (p, buf) in bufs.iter().enumerate() {
            let z = buf[v];
            o[2 * p] = z.re * scale;
            if 2 * p + 1 < nc {
                o[2 * p + 1] = z.im * scale;
            }
        }
    });
}

/// Apply, in Fourier space, an operator that is real and even in the wave vector
/// (M(k) = M(−k) real) to packed real fields. `op(index, comps)` replaces the `nc` complex Fourier
/// components at frequency index (a, b, c) by M(k)·comps.
pub(crate) fn apply_even_real_op<F>(bufs: &mut [Vec<Complex64>], nc: usize, dims: [usize; 3], op: F)
where
    F: Fn([usize; 3], &mut [Complex64]) + Sync,
{
    let [n0, n1, n2] = dims;
    let np = bufs.len();
    let ptrs: Vec<SyncPtr> = bufs.iter_mut().map(|b| SyncPtr(b.as_mut_ptr())).collect();
    let half_i = Complex64::new(0.0, -0.5);
    let iu = Complex64::new(0.0, 1.0);
    // Task a handles planes a and (n0 - a) % n0; tasks are disjoint.
    let tasks: Vec<usize> = (0..n0).filter(|&a| a <= (n0 - a) % n0).collect();
    tasks.par_iter().for_each(|&a| {
        let ptrs = &ptrs;
        let a2 = (n0 - a) % n0;
        let mut tau = [Complex64::default(); 8];
        for b in 0..n1 {
            let b2 = (n1 - b) % n1;
            for c in 0..n2 {
                let c2 = (n2 - c) % n2;
                if a == a2 && (b, c) > (b2, c2) {
                    continue;
                }
                let i1 = (a * n1 + b) * n2 + c;
                let i2 = (a2 * n1 + b2) * n2 + c2;
                for p in 0..np {
                    // SAFETY: i1 and i2 lie in planes a and a2, owned by this task only.
                    let (z1, z2) = unsafe { (*ptrs[p].0.add(i1), *ptrs[p].0.add(i2)) };
                    tau[2 * p] = (z1 + z2.conj()) * 0.5;
                    tau[2 * p + 1] = (z1 - z2.conj()) * half_i;
                }
                op([a, b, c], &mut tau[..nc]);
                for p in 0..np {
                    let s0 = tau[2 * p];
                    let s1 = if 2 * p + 1 < nc { tau[2 * p + 1] } else { Complex64::default() };
                    // SAFETY: as above.
                    unsafe {
                        *ptrs[p].0.add(i1) = s0 + iu * s1;
                        if i2 != i1 {
                            *ptrs[p].0.add(i2) = s0.conj() + iu * s1.conj();
                        }
                    }
                }
            }
        }
    });
}

//! AVX-512 versions of the inference kernels of [`super::infer`], chosen at run time when the
//! CPU has AVX-512F (`is_x86_feature_detected!`); the portable kernels are the reference and
//! the fallback.
//!
//! Why by hand: the portable kernels hold 16 samples per `[f32; 16]` and LLVM, tuned for these
//! CPUs, splits them into two 256-bit halves (`prefer-256-bit`), which doubles the instruction
//! count and, in the attention kernel, spills the 7 scores + 8 outputs (30 half-registers) to the
//! stack. Here one `__m512` is one lane group, so scores and outputs stay in 15 registers.
//! The attention and look-up embedding kernels perform the same operations in the same order as
//! their portable twins (same fused multiply-adds, same polynomial for eˣ), so their results are
//! bit-identical; GELU (refined reciprocal instead of a division) and LayerNorm (tree reductions)
//! agree to f32 round-off (all tested in `infer.rs`).
//!
//! The buffers the kernels stream through are 64-byte aligned (`infer::Aligned`): an unaligned
//! 512-bit load straddles two cache lines, and that alone made the look-up embedding 1.6× slower.

#![cfg(target_arch = "x86_64")]

use super::infer::{AttentionIn, Queries, ERF_DEN, ERF_NUM, EXP_LN2, EXP_POLY};
use std::arch::x86_64::*;

/// Whether the kernels of this module run: the CPU has AVX-512F and the environment variable
/// `SCALEBRIDGE_NO_AVX512` is not set (it selects the portable kernels, e.g. to reproduce a
/// machine without AVX-512 to the last bit, or to test them).
pub fn available() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx512f") && std::env::var_os("SCALEBRIDGE_NO_AVX512").is_none()
    })
}

/// eˣ, lane-wise: [`super::infer`]'s `exp_f32` (Cephes `expf`) with 2ⁿ applied by `vscalefps`
/// (exact for the clamped range, like the portable exponent-bit construction).
#[target_feature(enable = "avx512f")]
fn exp(x: __m512) -> __m512 {
    // operands in this order so that NaN propagates like `f32::clamp` (vmaxps/vminps return
    // their second operand when either is NaN)
    let x = _mm512_min_ps(_mm512_set1_ps(88.0), _mm512_max_ps(_mm512_set1_ps(-87.0), x));
    let n = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(_mm512_fmadd_ps(
        x,
        _mm512_set1_ps(std::f32::consts::LOG2_E),
        _mm512_set1_ps(0.5),
    ));
    let r = _mm512_fmadd_ps(n, _mm512_set1_ps(-EXP_LN2[1]), _mm512_fmadd_ps(n, _mm512_set1_ps(-EXP_LN2[0]), x));
    let mut y = _mm512_set1_ps(EXP_POLY[0]);
    for c in &EXP_POLY[1..] {
        y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(*c));
    }
    let y = _mm512_fmadd_ps(_mm512_mul_ps(y, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0)));
    _mm512_scalef_ps(y, n)
}

/// Scaled dot-product attention with the layout and arguments of `infer::attention` for head
/// width 8 and up to 12 keys; `None` (nothing written) for other shapes.
pub fn attention(a: &AttentionIn<'_>, out: &mut [f32], ld_out: usize) -> Option<()> {
    let AttentionIn { q, tq, k, v, ld_kv, tk, b, d, heads } = *a;
    if heads == 0 || d != 8 * heads || !b.is_multiple_of(16) || !available() {
        return None;
    }
    // every load and store of the kernel lies inside these bounds (`None`: they overflow)
    let span = |ld: usize, t: usize| (d - 1).checked_mul(ld)?.checked_add(t.checked_mul(b)?);
    let (kv_len, out_len) = (span(ld_kv, tk)?, span(ld_out, tq)?);
    assert!(k.len() >= kv_len && v.len() >= kv_len, "attention: key/value buffers too short");
    assert!(out.len() >= out_len, "attention: output buffer too short");
    match q {
        Queries::PerSample { q, ld } => assert!(q.len() >= span(ld, tq)?, "attention: query buffer too short"),
        Queries::Shared(q) => assert!(q.len() >= d && tq == 1, "attention: shared query"),
    }
    macro_rules! dispatch {
        ($($t:literal)*) => {
            match tk {
                // SAFETY: AVX-512F is available (checked above) and the bounds hold (asserted).
                $($t => unsafe { attention_8::<$t>(a, out, ld_out) },)*
                _ => return None,
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12);
    Some(())
}

/// [`attention`] for `TK` keys and head width 8: per 16 samples, query and head, the `TK` scores
/// accumulate side by side over the head's 8 columns, then the 8 outputs over the `TK` keys.
///
/// # Safety
/// AVX-512F must be available and the buffers as long as [`attention`] asserts.
#[target_feature(enable = "avx512f")]
unsafe fn attention_8<const TK: usize>(a: &AttentionIn<'_>, out: &mut [f32], ld_out: usize) {
    let AttentionIn { q, tq, k, v, ld_kv, b, heads, .. } = *a;
    const DK: usize = 8;
    let scale = _mm512_set1_ps(1.0 / (DK as f32).sqrt());
    let (kp, vp, op) = (k.as_ptr(), v.as_ptr(), out.as_mut_ptr());
    for s in (0..b).step_by(16) {
        for h in 0..heads {
            for i in 0..tq {
                let mut p = [_mm512_setzero_ps(); TK];
                for cc in 0..DK {
                    let c = h * DK + cc;
                    let qc = match q {
                        Queries::PerSample { q, ld } => _mm512_loadu_ps(q.as_ptr().add(c * ld + i * b + s)),
                        Queries::Shared(q) => _mm512_set1_ps(q[c]),
                    };
                    let kc = kp.add(c * ld_kv + s);
                    for (j, pj) in p.iter_mut().enumerate() {
                        *pj = _mm512_fmadd_ps(qc, _mm512_loadu_ps(kc.add(j * b)), *pj);
                    }
                }
                let mut max = _mm512_set1_ps(f32::NEG_INFINITY);
                for pj in p.iter_mut() {
                    *pj = _mm512_mul_ps(*pj, scale);
                    max = _mm512_max_ps(max, *pj);
                }
                let mut sum = _mm512_setzero_ps();
                for pj in p.iter_mut() {
                    *pj = exp(_mm512_sub_ps(*pj, max));
                    sum = _mm512_add_ps(sum, *pj);
                }
                let mut o = [_mm512_setzero_ps(); DK];
                for (j, pj) in p.iter().enumerate() {
                    for (cc, oc) in o.iter_mut().enumerate() {
                        *oc = _mm512_fmadd_ps(*pj, _mm512_loadu_ps(vp.add((h * DK + cc) * ld_kv + j * b + s)), *oc);
                    }
                }
                let inv = _mm512_div_ps(_mm512_set1_ps(1.0), sum);
                for (cc, oc) in o.iter().enumerate() {
                    _mm512_storeu_ps(op.add((h * DK + cc) * ld_out + i * b + s), _mm512_mul_ps(*oc, inv));
                }
            }
        }
    }
}

/// erf(x) for 16 lanes: `infer::erf_f32`'s rational function with the division replaced by a
/// reciprocal estimate refined by one Newton step (relative error ~2⁻²⁸, below f32 round-off;
/// a 512-bit division costs as much as the rest of the function).
#[target_feature(enable = "avx512f")]
fn erf(x: __m512) -> __m512 {
    let x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-4.0)), _mm512_set1_ps(4.0));
    let x2 = _mm512_mul_ps(x, x);
    let mut p = _mm512_set1_ps(ERF_NUM[0]);
    for a in &ERF_NUM[1..] {
        p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(*a));
    }
    let mut q = _mm512_set1_ps(ERF_DEN[0]);
    for b in &ERF_DEN[1..] {
        q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(*b));
    }
    let r = _mm512_rcp14_ps(q);
    let r = _mm512_mul_ps(r, _mm512_fnmadd_ps(q, r, _mm512_set1_ps(2.0)));
    _mm512_mul_ps(_mm512_mul_ps(x, p), r)
}

/// Exact-erf GELU in place (`infer::gelu`); `false` (nothing done) without AVX-512F.
pub fn gelu(v: &mut [f32]) -> bool {
    if !available() {
        return false;
    }
    // SAFETY: AVX-512F is available.
    unsafe { gelu_512(v) };
    true
}

#[target_feature(enable = "avx512f")]
fn gelu_512(v: &mut [f32]) {
    let (half, one, s2) = (_mm512_set1_ps(0.5), _mm512_set1_ps(1.0), _mm512_set1_ps(std::f32::consts::FRAC_1_SQRT_2));
    let gelu = |x: __m512| _mm512_mul_ps(_mm512_mul_ps(half, x), _mm512_add_ps(one, erf(_mm512_mul_ps(x, s2))));
    let mut chunks = v.chunks_exact_mut(16);
    for c in &mut chunks {
        // SAFETY: `c` holds 16 values.
        unsafe { _mm512_storeu_ps(c.as_mut_ptr(), gelu(_mm512_loadu_ps(c.as_ptr()))) };
    }
    let tail = chunks.into_remainder();
    let mask: __mmask16 = (1u32 << tail.len()).wrapping_sub(1) as __mmask16;
    // SAFETY: the mask covers exactly the `tail.len()` < 16 values of `tail`.
    unsafe {
        let x = _mm512_maskz_loadu_ps(mask, tail.as_ptr());
        _mm512_mask_storeu_ps(tail.as_mut_ptr(), mask, gelu(x));
    }
}

/// Row-wise LayerNorm `(x − mean)/√(var + ε) γ + β` over rows of width `d` = 16, 32, 48 or 64
/// (`infer::Norm::apply`); `false` (nothing done) for other widths or without AVX-512F.
pub fn layer_norm(x: &[f32], y: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) -> bool {
    let d = gamma.len();
    if !available() || beta.len() != d || x.len() != y.len() || !x.len().is_multiple_of(d.max(1)) {
        return false;
    }
    // SAFETY: AVX-512F is available; the kernels read and write whole rows of width 16·NV = d.
    unsafe {
        match d {
            16 => layer_norm_512::<1>(x, y, gamma, beta, eps),
            32 => layer_norm_512::<2>(x, y, gamma, beta, eps),
            48 => layer_norm_512::<3>(x, y, gamma, beta, eps),
            64 => layer_norm_512::<4>(x, y, gamma, beta, eps),
            _ => return false,
        }
    }
    true
}

/// # Safety
/// AVX-512F must be available and `gamma`, `beta` of length 16·NV.
#[target_feature(enable = "avx512f")]
unsafe fn layer_norm_512<const NV: usize>(x: &[f32], y: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let d = 16 * NV;
    let inv_d = 1.0 / d as f32;
    let g: [__m512; NV] = std::array::from_fn(|i| _mm512_loadu_ps(gamma.as_ptr().add(16 * i)));
    let bt: [__m512; NV] = std::array::from_fn(|i| _mm512_loadu_ps(beta.as_ptr().add(16 * i)));
    for (xr, yr) in x.chunks_exact(d).zip(y.chunks_exact_mut(d)) {
        let v: [__m512; NV] = std::array::from_fn(|i| _mm512_loadu_ps(xr.as_ptr().add(16 * i)));
        let mean = _mm512_set1_ps(
            _mm512_reduce_add_ps(v.iter().fold(_mm512_setzero_ps(), |a, b| _mm512_add_ps(a, *b))) * inv_d,
        );
        let dv: [__m512; NV] = std::array::from_fn(|i| _mm512_sub_ps(v[i], mean));
        let var = _mm512_reduce_add_ps(dv.iter().fold(_mm512_setzero_ps(), |a, b| _mm512_fmadd_ps(*b, *b, a))) * inv_d;
        let inv = _mm512_set1_ps(1.0 / (var + eps).sqrt());
        for i in 0..NV {
            _mm512_storeu_ps(yr.as_mut_ptr().add(16 * i), _mm512_fmadd_ps(_mm512_mul_ps(dv[i], inv), g[i], bt[i]));
        }
    }
}

/// The look-up token embedding of `infer::PleTables::embed` for width d = 32: for each run
/// `tiles` of features of one token (`(token, first, end)` in code order) and each sample s,
/// `h[token·b + s] += Σ_c P[r] + f · W[r]` with (r, f) = (`row[c·b + s]`, `frac[c·b + s]`) and
/// table row r = `pw[64 r..64 r + 64]` = `[P | W]`. `false` (nothing done) without AVX-512F or
/// for another width.
pub fn embed_codes(
    tiles: &[(usize, usize, usize)],
    pw: &[f32],
    row: &[u32],
    frac: &[f32],
    b: usize,
    d: usize,
    h: &mut [f32],
) -> bool {
    if d != 32 || !b.is_multiple_of(2) || !available() {
        return false;
    }
    // SAFETY: AVX-512F is available.
    unsafe { embed_codes_32(tiles, pw, row, frac, b, h) };
    true
}

#[target_feature(enable = "avx512f")]
fn embed_codes_32(tiles: &[(usize, usize, usize)], pw: &[f32], row: &[u32], frac: &[f32], b: usize, h: &mut [f32]) {
    const D: usize = 32;
    // one table row's share, `P[r] + f · W[r]`, as two registers
    let term = |c: usize, s: usize| -> (__m512, __m512) {
        let r = row[c * b + s] as usize;
        let t = &pw[r * 2 * D..(r + 1) * 2 * D];
        let f = _mm512_set1_ps(frac[c * b + s]);
        // SAFETY: `t` holds 64 values.
        unsafe {
            let t = t.as_ptr();
            (
                _mm512_fmadd_ps(_mm512_loadu_ps(t.add(32)), f, _mm512_loadu_ps(t)),
                _mm512_fmadd_ps(_mm512_loadu_ps(t.add(48)), f, _mm512_loadu_ps(t.add(16))),
            )
        }
    };
    for &(k, c0, c1) in tiles {
        let hk = &mut h[k * b * D..(k + 1) * b * D];
        // two samples at a time: four independent accumulation chains
        for (s2, hr) in hk.chunks_exact_mut(2 * D).enumerate() {
            let s = 2 * s2;
            // SAFETY: `hr` holds 64 values.
            unsafe {
                let hp = hr.as_mut_ptr();
                let mut a = [
                    _mm512_loadu_ps(hp),
                    _mm512_loadu_ps(hp.add(16)),
                    _mm512_loadu_ps(hp.add(32)),
                    _mm512_loadu_ps(hp.add(48)),
                ];
                for c in c0..c1 {
                    let (x0, x1) = term(c, s);
                    let (y0, y1) = term(c, s + 1);
                    a[0] = _mm512_add_ps(a[0], x0);
                    a[1] = _mm512_add_ps(a[1], x1);
                    a[2] = _mm512_add_ps(a[2], y0);
                    a[3] = _mm512_add_ps(a[3], y1);
                }
                for (i, ai) in a.iter().enumerate() {
                    _mm512_storeu_ps(hp.add(16 * i), *ai);
                }
            }
        }
    }
}

//! The scaled dot-product attention kernel: 16 samples per SIMD register, column-major
//! operands with token-major rows (portable reference; AVX-512 in [`crate::dnn::avx512`]).

use super::*;

/// SIMD lanes of the attention kernel: 16 samples side by side (one AVX-512 register of f32).
pub(crate) const LANES: usize = 16;
pub(crate) type Lanes = [f32; LANES];

/// Where the attention kernel finds the queries.
#[derive(Clone, Copy)]
pub(crate) enum Queries<'a> {
    /// Column-major `tq·b × d` (token-major rows: element (i, s, c) at `c·ld + i·b + s`).
    PerSample { q: &'a [f32], ld: usize },
    /// One projected query shared by every sample (`tq` = 1), length d.
    Shared(&'a [f32]),
}

/// The first [`LANES`] values of a contiguous run (one vector load).
#[inline(always)]
pub(crate) fn load(src: &[f32]) -> Lanes {
    *<&Lanes>::try_from(&src[..LANES]).expect("LANES values")
}

/// Operands of one attention call: `tq` queries `q` over `tk` keys `k` and values `v`, `b`
/// samples (a multiple of [`LANES`]), `heads` heads over `d` columns. Everything is column-major
/// with token-major rows, so for a fixed (token, column) the samples are contiguous:
/// keys/values (j, s, c) at `c·ld_kv + j·b + s`.
#[derive(Clone, Copy)]
pub(crate) struct AttentionIn<'a> {
    pub q: Queries<'a>,
    pub tq: usize,
    pub k: &'a [f32],
    pub v: &'a [f32],
    pub ld_kv: usize,
    pub tk: usize,
    pub b: usize,
    pub d: usize,
    pub heads: usize,
}

/// Scaled dot-product attention of `a`, output (i, s, c) at `c·ld_out + i·b + s`. The kernel runs
/// [`LANES`] samples at once and every score, softmax and weighted sum is a vertical SIMD
/// operation (per sample the problem is only 7 × 7 per head).
pub(crate) fn attention(a: &AttentionIn<'_>, out: &mut [f32], ld_out: usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::dnn::avx512::attention(a, out, ld_out).is_some() {
        return;
    }
    attention_portable(a, out, ld_out);
}

/// [`attention`] in portable code (the reference of the AVX-512 kernel).
pub(crate) fn attention_portable(a: &AttentionIn<'_>, out: &mut [f32], ld_out: usize) {
    let AttentionIn { q, tq, k, v, ld_kv, tk, b, d, heads } = *a;
    let dk = d / heads;
    debug_assert_eq!(b % LANES, 0);
    let scale = 1.0 / (dk as f32).sqrt();
    // scores for all keys accumulate side by side (tk independent fused multiply-add chains
    // over the head's columns), likewise the outputs over the keys
    let (mut p, mut o) = (vec![[0.0f32; LANES]; tk], vec![[0.0f32; LANES]; dk]);
    for s in (0..b).step_by(LANES) {
        for h in 0..heads {
            for i in 0..tq {
                p.fill([0.0; LANES]);
                for cc in 0..dk {
                    let c = h * dk + cc;
                    let qc = match q {
                        Queries::PerSample { q, ld } => load(&q[c * ld + i * b + s..]),
                        Queries::Shared(q) => [q[c]; LANES],
                    };
                    let kc = &k[c * ld_kv + s..];
                    for (j, pj) in p.iter_mut().enumerate() {
                        let kk = load(&kc[j * b..]);
                        for l in 0..LANES {
                            pj[l] = qc[l].mul_add(kk[l], pj[l]);
                        }
                    }
                }
                let mut max: Lanes = [f32::NEG_INFINITY; LANES];
                for pj in p.iter_mut() {
                    for l in 0..LANES {
                        pj[l] *= scale;
                        max[l] = max[l].max(pj[l]);
                    }
                }
                let mut sum: Lanes = [0.0; LANES];
                for pj in p.iter_mut() {
                    for l in 0..LANES {
                        pj[l] = exp_f32(pj[l] - max[l]);
                        sum[l] += pj[l];
                    }
                }
                o.fill([0.0; LANES]);
                for (j, pj) in p.iter().enumerate() {
                    for (cc, oc) in o.iter_mut().enumerate() {
                        let vv = load(&v[(h * dk + cc) * ld_kv + j * b + s..]);
                        for l in 0..LANES {
                            oc[l] = pj[l].mul_add(vv[l], oc[l]);
                        }
                    }
                }
                sum.iter_mut().for_each(|v| *v = 1.0 / *v);
                for (cc, oc) in o.iter().enumerate() {
                    let dst = &mut out[(h * dk + cc) * ld_out + i * b + s..][..LANES];
                    for l in 0..LANES {
                        dst[l] = oc[l] * sum[l];
                    }
                }
            }
        }
    }
}

//! Batch inference of a trained [`FusionNet`] without burn's tensor machinery.
//!
//! The network is tiny per sample (7 tokens × d 32) but is evaluated on 10⁵–10⁶ rows, so burn's
//! NdArray backend spends most of its time on dispatch and on many 7 × 7 batched matmuls. Here the
//! same forward pass (see `net.rs`) runs on plain `f32` buffers, block by block:
//! - every dense layer over a block of 64 samples is one GEMM `(B·T) × d_in · d_in × d_out` (faer),
//!   the three attention projections fused into one;
//! - token rows are token-major and the attention operands column-major, so the attention kernel
//!   runs 16 samples per SIMD register (vertical operations only; per sample it is 7 × 7);
//! - GELU's erf and the softmax exp are branch-free polynomials that vectorise, reductions use
//!   independent partial sums, and `mul_add` gives fused multiply-adds;
//! - the cross-scale query `q W_q + b_q` is a constant of the trained net and is precomputed;
//! - with the piecewise-linear input encoding ([`super::encoding`]) the token embedding is a
//!   table look-up instead of a GEMM over the ~8× wider encoded row: a value in bin `m` at
//!   fraction `f` encodes as (1, …, 1, f, 0, …, 0), so its share of `x W` is
//!   `P[m] + f · W[m]` with `P[m] = Σ_{i<m} W[i]` precomputed ([`PleCodes`], `PleTables`);
//! - on CPUs with AVX-512F the attention, look-up embedding, GELU and LayerNorm kernels run as
//!   explicit 512-bit code ([`super::avx512`], chosen at run time); the portable kernels here are
//!   their reference and fallback. Work buffers are 64-byte aligned ([`Aligned`]) and kept per
//!   thread between calls.
//!
//! The weights are copied out of the burn module once ([`FastNet::from_burn`]); agreement with
//! burn's forward pass is tested to f32 round-off for every fusion-module switch (`tests.rs`).
//! Throughput of the default model (3 members, piecewise-linear encoding, 2 threads, from
//! Python): 1.4–1.5·10⁵ predictions/s against 1.1·10⁴ for burn's forward (docs/ml.md).

use super::encoding::{code_on_edges, PiecewiseLinear};
use super::fusion::{CrossScaleAttention, SqueezeExcite};
use super::net::{FusionNet, NetConfig};
use super::tokens::TokenLayout;
use crate::data::Matrix;
use crate::error::{MlError, Result};
use burn::nn::attention::MultiHeadAttention;
use burn::nn::{LayerNorm, Linear};
use burn::tensor::Tensor;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use std::cell::RefCell;

/// Rows per forward block: 64 keep every buffer of a block below malloc's mmap threshold and in L2.
const BLOCK: usize = 64;

mod attention;
mod buffers;
mod layers;
mod lookup;
#[cfg(test)]
mod tests;

pub(crate) use attention::*;
pub(crate) use buffers::*;
pub(crate) use layers::*;
pub(crate) use lookup::*;
pub use lookup::{PleCoder, PleCodes};

fn values<const D: usize>(t: Tensor<D>, what: &str) -> Result<Vec<f32>> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| MlError::Numerical { what: format!("DNN weights ({what})"), reason: format!("{e:?}") })
}

#[derive(Debug, Clone)]
struct EncoderLayer {
    norm_attn: Norm,
    qkv: Dense,
    out: Dense,
    norm_ff: Norm,
    ff_in: Dense,
    ff_out: Dense,
}

fn mha_parts(m: &MultiHeadAttention) -> Result<[Dense; 4]> {
    Ok([
        Dense::from_burn(&m.query)?,
        Dense::from_burn(&m.key)?,
        Dense::from_burn(&m.value)?,
        Dense::from_burn(&m.output)?,
    ])
}

#[derive(Debug, Clone)]
struct Se {
    reduce: Dense,
    channel: Dense,
    token: Dense,
}

impl Se {
    fn from_burn(s: &SqueezeExcite) -> Result<Se> {
        Ok(Se {
            reduce: Dense::from_burn(&s.reduce)?,
            channel: Dense::from_burn(&s.channel)?,
            token: Dense::from_burn(&s.token)?,
        })
    }
}

#[derive(Debug, Clone)]
struct Cross {
    /// Projected learned query q W_q + b_q (d).
    q: Vec<f32>,
    kv: Dense,
    out: Dense,
}

impl Cross {
    fn from_burn(c: &CrossScaleAttention) -> Result<Cross> {
        let [wq, wk, wv, wo] = mha_parts(&c.mha)?;
        let q0 = values(c.query.val(), "cross-attention query")?;
        Ok(Cross { q: wq.forward(&q0, 1), kv: Dense::concat(&[wk, wv]), out: wo })
    }
}

/// Input of one block: encoded / standardised rows, or piecewise-linear codes.
#[derive(Clone, Copy)]
enum Input<'a> {
    Dense(&'a [f32]),
    Codes(&'a [u32], &'a [f32]),
}

/// The forward pass of one [`FusionNet`] on plain buffers.
#[derive(Debug, Clone)]
pub struct FastNet {
    ple: Option<PleTables>,
    embed: Vec<Dense>,
    /// Token offsets in the (reordered) input row.
    starts: Vec<usize>,
    /// Scale embedding row of each token (T × d).
    scale_rows: Vec<f32>,
    layers: Vec<EncoderLayer>,
    se: Option<Se>,
    cross: Option<Cross>,
    norm: Norm,
    latent: Dense,
    head: Dense,
    d: usize,
    heads: usize,
    n_features: usize,
}

impl FastNet {
    pub fn from_burn(net: &FusionNet, c: &NetConfig) -> Result<FastNet> {
        let p = net;
        let d = c.d_model;
        let table = values(p.scale_embed.weight.val(), "scale embedding")?;
        let scale_rows = c.scale_ids.iter().flat_map(|&s| table[s * d..(s + 1) * d].iter().copied()).collect();
        let mut starts = Vec::with_capacity(c.token_widths.len());
        let mut acc = 0;
        for &w in &c.token_widths {
            starts.push(acc);
            acc += w;
        }
        let layers = p
            .encoder
            .layers
            .iter()
            .map(|l| {
                let [q, k, v, o] = mha_parts(&l.mha)?;
                Ok(EncoderLayer {
                    norm_attn: Norm::from_burn(&l.norm_2)?,
                    qkv: Dense::concat(&[q, k, v]),
                    out: o,
                    norm_ff: Norm::from_burn(&l.norm_1)?,
                    ff_in: Dense::from_burn(&l.pwff.linear_inner)?,
                    ff_out: Dense::from_burn(&l.pwff.linear_outer)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(FastNet {
            ple: None,
            embed: p.embed.iter().map(Dense::from_burn).collect::<Result<_>>()?,
            starts,
            scale_rows,
            layers,
            se: p.se.as_ref().map(Se::from_burn).transpose()?,
            cross: p.cross.as_ref().map(Cross::from_burn).transpose()?,
            norm: Norm::from_burn(&p.norm)?,
            latent: Dense::from_burn(&p.latent)?,
            head: Dense::from_burn(&p.head)?,
            d,
            heads: c.n_heads,
            n_features: acc,
        })
    }

    /// The same net fed by [`PleCodes`] ([`FastNet::forward_codes`]) of a model whose inputs are
    /// the piecewise-linear encoding `ple` of the columns of `layout`.
    pub fn with_ple(mut self, ple: &PiecewiseLinear, layout: &TokenLayout) -> Result<FastNet> {
        let d = self.d;
        let mut pw = Vec::new();
        let mut t =
            PleTables { token: Vec::new(), pw: Aligned::default(), n_rows: 0, bias: Vec::new(), tiles: Vec::new() };
        for (k, g) in layout.groups.iter().enumerate() {
            let lin = &self.embed[k];
            let n_in: usize = g.columns.iter().map(|&j| ple.width(j)).sum();
            if lin.n_out != d || lin.n_in != n_in {
                return Err(MlError::ShapeMismatch {
                    what: format!("token {} embedding", g.name),
                    expected: format!("{n_in} encoded inputs x {d}"),
                    got: format!("{} x {}", lin.n_in, lin.n_out),
                });
            }
            let mut bias: Vec<f64> = lin.b.iter().map(|&v| f64::from(v)).collect();
            let mut r0 = 0;
            for &j in &g.columns {
                let nb = ple.width(j);
                t.token.push(k);
                t.n_rows += nb + 1;
                let mut acc = vec![0.0f64; d];
                for m in 0..=nb {
                    pw.extend(acc.iter().map(|&v| v as f32));
                    if m < nb {
                        let (mu, s) = (ple.shift[j][m], ple.scale[j][m]);
                        let row = &lin.w[(r0 + m) * d..(r0 + m + 1) * d];
                        for ((a, bi), &v) in acc.iter_mut().zip(bias.iter_mut()).zip(row) {
                            let wv = f64::from(v) / s;
                            *a += wv;
                            *bi -= wv * mu;
                        }
                        pw.extend(row.iter().map(|&v| (f64::from(v) / s) as f32));
                    } else {
                        pw.extend(std::iter::repeat_n(0.0, d));
                    }
                }
                r0 += nb;
            }
            t.bias.extend(bias.iter().map(|&v| v as f32));
        }
        t.pw = Aligned::from_slice(&pw);
        t.tiles = PleTables::tiles(&t.token);
        self.ple = Some(t);
        Ok(self)
    }

    /// Predictions (rows × n_targets, standardised units) from piecewise-linear codes; needs
    /// [`FastNet::with_ple`].
    pub fn forward_codes(&self, codes: &PleCodes) -> Vec<f32> {
        if let Some(tb) = &self.ple {
            assert!(codes.table_rows == tb.n_rows && codes.n_features == tb.token.len(), "codes of another encoding");
        }
        let nf = codes.n_features;
        let padded = codes.row.len() / nf.max(1);
        let mut out = Vec::with_capacity(padded * self.n_targets());
        Scratch::with(self.scratch_dims(), |sc| {
            for r0 in (0..padded).step_by(BLOCK) {
                let b = BLOCK.min(padded - r0);
                let input = Input::Codes(&codes.row[r0 * nf..(r0 + b) * nf], &codes.frac[r0 * nf..(r0 + b) * nf]);
                out.extend(self.forward_block(input, b, sc));
            }
        });
        out.truncate(codes.rows * self.n_targets());
        out
    }

    pub fn n_targets(&self) -> usize {
        self.head.n_out
    }

    /// Work buffers for one [`BLOCK`] of rows.
    fn scratch_dims(&self) -> (usize, usize, usize) {
        (BLOCK.div_ceil(LANES) * LANES * self.embed.len(), self.d, self.layers.first().map_or(0, |l| l.ff_in.n_out))
    }

    /// Predictions (rows × n_targets, standardised units) for `x` (rows × n_features, token
    /// columns contiguous, as `FusionNet::forward`).
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        let nf = self.n_features;
        let rows = x.len() / nf.max(1);
        let mut out = Vec::with_capacity(rows * self.n_targets());
        Scratch::with(self.scratch_dims(), |sc| {
            for chunk in x.chunks(BLOCK * nf) {
                let b = chunk.len() / nf;
                if b.is_multiple_of(LANES) {
                    out.extend(self.forward_block(Input::Dense(chunk), b, sc));
                } else {
                    // pad the last block with zero rows to whole SIMD lanes, drop their outputs
                    let padded = b.div_ceil(LANES) * LANES;
                    let mut xp = chunk.to_vec();
                    xp.resize(padded * nf, 0.0);
                    out.extend(&self.forward_block(Input::Dense(&xp), padded, sc)[..b * self.n_targets()]);
                }
            }
        });
        out
    }

    /// One block of `b` rows. Rows of the token matrices are token-major (row t·b + s), so each
    /// token's embedding is one contiguous GEMM output and the attention operands (written
    /// column-major by their GEMMs) have the samples contiguous for the SIMD kernel.
    fn forward_block(&self, x: Input<'_>, b: usize, sc: &mut Scratch) -> Vec<f32> {
        let (d, t, nf) = (self.d, self.embed.len(), self.n_features);
        let bt = b * t;
        let d_ff = self.layers.first().map_or(0, |l| l.ff_in.n_out);
        let h = &mut sc.h[..bt * d];
        let y = &mut sc.y[..bt * d];
        let qkv = &mut sc.qkv[..bt * 3 * d];
        let ctx = &mut sc.ctx[..bt * d];
        let f = &mut sc.ff[..bt * d_ff];
        // tokens: h[t, s] = x[s, cols_t] W_t + b_t + scale_t
        match x {
            Input::Dense(x) => {
                for (k, (lin, &start)) in self.embed.iter().zip(&self.starts).enumerate() {
                    let hk = &mut h[k * b * d..(k + 1) * b * d];
                    lin.apply(&x[start..], nf, b, hk, d, false);
                }
            }
            Input::Codes(row, frac) => {
                let tb = self.ple.as_ref().expect("forward_codes needs FastNet::with_ple");
                for (k, bias) in tb.bias.chunks_exact(d).enumerate() {
                    h[k * b * d..(k + 1) * b * d].chunks_exact_mut(d).for_each(|r| r.copy_from_slice(bias));
                }
                tb.embed(row, frac, b, d, h);
            }
        }
        for (k, srow) in self.scale_rows.chunks_exact(d).enumerate() {
            h[k * b * d..(k + 1) * b * d]
                .chunks_exact_mut(d)
                .for_each(|r| r.iter_mut().zip(srow).for_each(|(v, s)| *v += s));
        }
        // pre-norm encoder layers
        for l in &self.layers {
            l.norm_attn.apply(h, y);
            l.qkv.apply_col_major(y, bt, qkv);
            let (q, kv) = qkv.split_at(bt * d);
            let (k, v) = kv.split_at(bt * d);
            let a = AttentionIn {
                q: Queries::PerSample { q, ld: bt },
                tq: t,
                k,
                v,
                ld_kv: bt,
                tk: t,
                b,
                d,
                heads: self.heads,
            };
            attention(&a, ctx, bt);
            let cm = MatRef::from_column_major_slice(ctx, bt, d);
            l.out.bias_rows(h, bt, d, false);
            let hm = MatMut::from_column_major_slice_with_stride_mut(h, d, bt, d).transpose_mut();
            l.out.gemm(cm, hm);
            l.norm_ff.apply(h, y);
            l.ff_in.apply(y, d, bt, f, d_ff, false);
            gelu(f);
            l.ff_out.apply(f, d_ff, bt, h, d, true);
        }
        let mean_tokens = |h: &[f32]| -> Vec<f32> {
            let mut m = vec![0.0f32; b * d];
            for hk in h.chunks_exact(b * d) {
                m.iter_mut().zip(hk).for_each(|(a, v)| *a += v);
            }
            m.iter_mut().for_each(|a| *a /= t as f32);
            m
        };
        if let Some(se) = &self.se {
            let mut u = se.reduce.forward(&mean_tokens(h), b);
            gelu(&mut u);
            let mut gc = se.channel.forward(&u, b);
            let mut gt = se.token.forward(&u, b);
            sigmoid2(&mut gc);
            sigmoid2(&mut gt);
            for (k, hk) in h.chunks_exact_mut(b * d).enumerate() {
                for (s, (hr, gcr)) in hk.chunks_exact_mut(d).zip(gc.chunks_exact(d)).enumerate() {
                    let g = gt[s * t + k];
                    hr.iter_mut().zip(gcr).for_each(|(v, c)| *v *= c * g);
                }
            }
        }
        let mut fused = mean_tokens(h);
        if let Some(cr) = &self.cross {
            let kv = &mut qkv[..bt * 2 * d];
            cr.kv.apply_col_major(h, bt, kv);
            let (k, v) = kv.split_at(bt * d);
            let mut c = vec![0.0f32; b * d];
            let a = AttentionIn { q: Queries::Shared(&cr.q), tq: 1, k, v, ld_kv: bt, tk: t, b, d, heads: self.heads };
            attention(&a, &mut c, b);
            let cm = MatRef::from_column_major_slice(&c, b, d);
            cr.out.bias_rows(&mut fused, b, d, false);
            let fm = MatMut::from_column_major_slice_with_stride_mut(&mut fused, d, b, d).transpose_mut();
            cr.out.gemm(cm, fm);
        }
        let mut nrm = vec![0.0f32; b * d];
        self.norm.apply(&fused, &mut nrm);
        let mut z = self.latent.forward(&nrm, b);
        gelu(&mut z);
        self.head.forward(&z, b)
    }
}

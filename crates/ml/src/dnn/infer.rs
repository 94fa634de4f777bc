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

/// burn's LayerNorm default ε (`LayerNormConfig`, `TransformerEncoderConfig::layer_norm_eps`).
const LN_EPS: f32 = 1e-5;

fn values<const D: usize>(t: Tensor<D>, what: &str) -> Result<Vec<f32>> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| MlError::Numerical { what: format!("DNN weights ({what})"), reason: format!("{e:?}") })
}

/// y = x W + b with W stored d_in × d_out row-major (burn's `LinearLayout::Row`).
#[derive(Debug, Clone)]
struct Dense {
    w: Vec<f32>,
    b: Vec<f32>,
    n_in: usize,
    n_out: usize,
}

impl Dense {
    fn from_burn(l: &Linear) -> Result<Dense> {
        let [n_in, n_out] = l.weight.val().dims();
        let w = values(l.weight.val(), "linear weight")?;
        let b = match &l.bias {
            Some(b) => values(b.val(), "linear bias")?,
            None => vec![0.0; n_out],
        };
        Ok(Dense { w, b, n_in, n_out })
    }

    /// Columns side by side: `[x W₁ + b₁ | x W₂ + b₂ | …]` as one layer (one GEMM instead of several).
    fn concat(parts: &[Dense]) -> Dense {
        let n_in = parts[0].n_in;
        let n_out: usize = parts.iter().map(|p| p.n_out).sum();
        let mut w = Vec::with_capacity(n_in * n_out);
        for i in 0..n_in {
            for p in parts {
                w.extend_from_slice(&p.w[i * p.n_out..(i + 1) * p.n_out]);
            }
        }
        Dense { w, b: parts.iter().flat_map(|p| p.b.iter().copied()).collect(), n_in, n_out }
    }

    /// `y += x W` on faer views (any strides; the bias is added by the callers, which know the
    /// output layout).
    fn gemm(&self, x: MatRef<'_, f32>, y: MatMut<'_, f32>) {
        if x.nrows() == 0 {
            return;
        }
        let wm = MatRef::from_row_major_slice(&self.w, self.n_in, self.n_out);
        matmul(y, Accum::Add, x, wm, 1.0f32, Par::Seq);
    }

    /// Row-major output rows (stride `ys`): `y = b` (`replace`) or `y += b`.
    fn bias_rows(&self, y: &mut [f32], rows: usize, ys: usize, replace: bool) {
        for r in 0..rows {
            let yr = &mut y[r * ys..r * ys + self.n_out];
            if replace {
                yr.copy_from_slice(&self.b);
            } else {
                yr.iter_mut().zip(&self.b).for_each(|(v, b)| *v += b);
            }
        }
    }

    /// `y[r, ..n_out] (+)= x[r, ..n_in] W + b` for `rows` rows; `xs`, `ys` are row strides.
    fn apply(&self, x: &[f32], xs: usize, rows: usize, y: &mut [f32], ys: usize, accumulate: bool) {
        if rows == 0 {
            return;
        }
        let xl = (rows - 1) * xs + self.n_in;
        let yl = (rows - 1) * ys + self.n_out;
        let xm = MatRef::from_row_major_slice_with_stride(&x[..xl], rows, self.n_in, xs);
        self.bias_rows(y, rows, ys, !accumulate);
        // row-major view as the transpose of a column-major one: faer 0.24.4's
        // `from_row_major_slice_with_stride_mut` swaps the strides (gives a column-major view)
        let ym = MatMut::from_column_major_slice_with_stride_mut(&mut y[..yl], self.n_out, rows, ys).transpose_mut();
        self.gemm(xm, ym);
    }

    /// `y = x W + b` from a dense row-major `rows × n_in` input into a column-major
    /// `rows × n_out` output (`y[c·rows + r]`), the layout the attention kernel reads.
    fn apply_col_major(&self, x: &[f32], rows: usize, y: &mut [f32]) {
        let xm = MatRef::from_row_major_slice(&x[..rows * self.n_in], rows, self.n_in);
        for (col, b) in y[..rows * self.n_out].chunks_exact_mut(rows.max(1)).zip(&self.b) {
            col.fill(*b);
        }
        let ym = MatMut::from_column_major_slice_mut(&mut y[..rows * self.n_out], rows, self.n_out);
        self.gemm(xm, ym);
    }

    /// Convenience: a fresh `rows × n_out` output from a dense `rows × n_in` input.
    fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut y = vec![0.0; rows * self.n_out];
        self.apply(x, self.n_in, rows, &mut y, self.n_out, false);
        y
    }
}

#[derive(Debug, Clone)]
struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

impl Norm {
    fn from_burn(n: &LayerNorm) -> Result<Norm> {
        let gamma = values(n.gamma.val(), "layer norm γ")?;
        let beta = match &n.beta {
            Some(b) => values(b.val(), "layer norm β")?,
            None => vec![0.0; gamma.len()],
        };
        Ok(Norm { gamma, beta })
    }

    /// Row-wise (x − mean) / √(var + ε) γ + β (biased variance), `x` → `y`.
    fn apply(&self, x: &[f32], y: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if super::avx512::layer_norm(x, y, &self.gamma, &self.beta, LN_EPS) {
            return;
        }
        self.apply_portable(x, y);
    }

    fn apply_portable(&self, x: &[f32], y: &mut [f32]) {
        let d = self.gamma.len();
        let inv_d = 1.0 / d as f32;
        for (xr, yr) in x.chunks_exact(d).zip(y.chunks_exact_mut(d)) {
            let mean = lane_sum(xr, |v| v) * inv_d;
            let var = lane_sum(xr, |v| (v - mean) * (v - mean)) * inv_d;
            let inv = 1.0 / (var + LN_EPS).sqrt();
            for (((o, xv), g), bta) in yr.iter_mut().zip(xr).zip(&self.gamma).zip(&self.beta) {
                *o = ((xv - mean) * inv).mul_add(*g, *bta);
            }
        }
    }
}

/// Numerator and denominator coefficients (in x², highest power first) of [`erf_f32`].
#[allow(clippy::excessive_precision)]
pub(super) const ERF_NUM: [f32; 7] =
    [-2.726_142_3e-10, 2.770_681_4e-8, -2.101_024e-6, -5.692_506_4e-5, -7.349_906_3e-4, -2.954_600e-3, -1.609_603_3e-2];
#[allow(clippy::excessive_precision)]
pub(super) const ERF_DEN: [f32; 5] = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2];
/// ln 2 split into an exactly representable leading part and the remainder (Cephes `expf`), for
/// the argument reduction x − n ln 2 of [`exp_f32`].
#[allow(clippy::excessive_precision)]
pub(super) const EXP_LN2: [f32; 2] = [0.693_359_4, -2.121_944_4e-4];
/// Polynomial of [`exp_f32`] on the reduced argument (highest power first).
#[allow(clippy::excessive_precision)]
pub(super) const EXP_POLY: [f32; 6] =
    [1.987_569_2e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1];

/// erf for f32 as a rational function of x² on [−4, 4] (±1 beyond): the approximation Eigen and
/// XLA use for single precision; |error| < 5e-7 against erf (checked in the tests). Only
/// multiply-adds and one division, so loops over it vectorise (libm's `erff` does not).
#[inline(always)]
fn erf_f32(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = ERF_NUM[0];
    for a in &ERF_NUM[1..] {
        p = p.mul_add(x2, *a);
    }
    let mut q = ERF_DEN[0];
    for b in &ERF_DEN[1..] {
        q = q.mul_add(x2, *b);
    }
    x * p / q
}

/// e^x for f32 (Cephes `expf`: x = n ln 2 + r, degree-5 polynomial in r, 2ⁿ from the exponent
/// bits); relative error < 1e-7 for x ≥ −87 (smaller x underflow to ≈ 0). Vectorises.
#[inline(always)]
fn exp_f32(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = x.mul_add(std::f32::consts::LOG2_E, 0.5).floor();
    let r = n.mul_add(-EXP_LN2[1], n.mul_add(-EXP_LN2[0], x));
    let mut y = EXP_POLY[0];
    for c in &EXP_POLY[1..] {
        y = y.mul_add(r, *c);
    }
    let y = (y * r).mul_add(r, r + 1.0);
    // 2ⁿ from the exponent bits; n read back from the mantissa of n + 1.5·2²³ (integer ops only,
    // which vectorise, unlike a saturating float → int cast)
    let n_bits = (n + 12_582_912.0).to_bits().wrapping_sub(0x4B40_0000);
    y * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

/// Σ f(x) with eight independent partial sums (a sequential f32 sum cannot be vectorised: the
/// compiler may not reassociate it, so a 32-wide row costs 32 dependent additions).
#[inline(always)]
fn lane_sum(x: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0.0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        for l in 0..8 {
            acc[l] += f(c[l]);
        }
    }
    let tail: f32 = chunks.remainder().iter().map(|v| f(*v)).sum();
    acc.iter().sum::<f32>() + tail
}

/// Exact-erf GELU, as burn's `gelu`: x Φ(x) = x (1 + erf(x/√2)) / 2.
fn gelu(v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if super::avx512::gelu(v) {
        return;
    }
    gelu_portable(v);
}

fn gelu_portable(v: &mut [f32]) {
    for x in v {
        *x = 0.5 * *x * (1.0 + erf_f32(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

fn sigmoid2(v: &mut [f32]) {
    for x in v {
        *x = 2.0 / (1.0 + exp_f32(-*x));
    }
}

/// SIMD lanes of the attention kernel: 16 samples side by side (one AVX-512 register of f32).
const LANES: usize = 16;
type Lanes = [f32; LANES];

/// Where the attention kernel finds the queries.
#[derive(Clone, Copy)]
pub(super) enum Queries<'a> {
    /// Column-major `tq·b × d` (token-major rows: element (i, s, c) at `c·ld + i·b + s`).
    PerSample { q: &'a [f32], ld: usize },
    /// One projected query shared by every sample (`tq` = 1), length d.
    Shared(&'a [f32]),
}

/// The first [`LANES`] values of a contiguous run (one vector load).
#[inline(always)]
fn load(src: &[f32]) -> Lanes {
    *<&Lanes>::try_from(&src[..LANES]).expect("LANES values")
}

/// Operands of one attention call: `tq` queries `q` over `tk` keys `k` and values `v`, `b`
/// samples (a multiple of [`LANES`]), `heads` heads over `d` columns. Everything is column-major
/// with token-major rows, so for a fixed (token, column) the samples are contiguous:
/// keys/values (j, s, c) at `c·ld_kv + j·b + s`.
#[derive(Clone, Copy)]
pub(super) struct AttentionIn<'a> {
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
fn attention(a: &AttentionIn<'_>, out: &mut [f32], ld_out: usize) {
    #[cfg(target_arch = "x86_64")]
    if super::avx512::attention(a, out, ld_out).is_some() {
        return;
    }
    attention_portable(a, out, ld_out);
}

/// [`attention`] in portable code (the reference of the AVX-512 kernel).
fn attention_portable(a: &AttentionIn<'_>, out: &mut [f32], ld_out: usize) {
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

/// An `f32` buffer whose first value is 64-byte aligned: with rows of a multiple of 16 values,
/// every 512-bit load and store of a row stays inside one cache line (an unaligned buffer
/// splits each of them over two lines, which halves the load throughput of the kernels).
#[derive(Debug, Clone, Default)]
pub(super) struct Aligned {
    lines: Vec<Line>,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; 16]);

impl Aligned {
    pub(super) fn zeros(len: usize) -> Aligned {
        Aligned { lines: vec![Line([0.0; 16]); len.div_ceil(16)], len }
    }

    fn from_slice(v: &[f32]) -> Aligned {
        let mut a = Aligned::zeros(v.len());
        a.copy_from_slice(v);
        a
    }
}

impl std::ops::Deref for Aligned {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        // SAFETY: `Line` is `repr(C)` over `[f32; 16]`, so the lines are `16·lines.len() ≥ len`
        // contiguous, initialised f32 values.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.len) }
    }
}

impl std::ops::DerefMut for Aligned {
    fn deref_mut(&mut self) -> &mut [f32] {
        // SAFETY: as in `deref`, with exclusive access through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f32>(), self.len) }
    }
}

/// Work buffers of one block, kept per thread between calls ([`Scratch::with`]).
struct Scratch {
    /// (token rows, d, d_ff) they are sized for.
    dims: (usize, usize, usize),
    h: Aligned,
    y: Aligned,
    qkv: Aligned,
    ctx: Aligned,
    ff: Aligned,
}

impl Scratch {
    /// For `rows` token rows of width `d` and feed-forward width `d_ff`.
    fn new((rows, d, d_ff): (usize, usize, usize)) -> Scratch {
        let z = Aligned::zeros;
        Scratch {
            dims: (rows, d, d_ff),
            h: z(rows * d),
            y: z(rows * d),
            qkv: z(rows * 3 * d),
            ctx: z(rows * d),
            ff: z(rows * d_ff),
        }
    }

    /// Runs `f` with this thread's buffers of size `dims`, allocated on first use and kept (half
    /// a megabyte freshly allocated per call costs an mmap and its page faults every time).
    fn with<R>(dims: (usize, usize, usize), f: impl FnOnce(&mut Scratch) -> R) -> R {
        thread_local! {
            static CACHE: RefCell<Option<Scratch>> = const { RefCell::new(None) };
        }
        with_cached(&CACHE, |c| c.filter(|s| s.dims == dims).unwrap_or_else(|| Scratch::new(dims)), f)
    }
}

/// Runs `f` on a value kept in the thread-local `cache` between calls: `prepare` turns the kept
/// value (`None` on first use, or after a panic inside `f`) into the one to use, and it is put
/// back afterwards (taken out meanwhile, so a nested call prepares its own).
fn with_cached<T: 'static, R>(
    cache: &'static std::thread::LocalKey<RefCell<Option<T>>>,
    prepare: impl FnOnce(Option<T>) -> T,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let mut value = prepare(cache.with(|c| c.borrow_mut().take()));
    let r = f(&mut value);
    cache.with(|c| *c.borrow_mut() = Some(value));
    r
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

/// Bin index and in-bin fraction of every feature of a block of rows (the piecewise-linear
/// encoding in compact form, computed once and shared by the ensemble's members). The bin `m`
/// of feature `c` is stored as its row `base_c + m` of the look-up tables (`PleTables`, one
/// block of `width + 1` rows per feature, in code order). Rows are padded with codes (table
/// row 0, fraction 0) to whole SIMD lanes, their outputs dropped, and codes are stored
/// feature-major within each forward block of [`BLOCK`] rows (index `r0·nf + c·b + s`), so the
/// look-up embedding reads them contiguously.
pub struct PleCodes {
    row: Vec<u32>,
    frac: Vec<f32>,
    rows: usize,
    n_features: usize,
    /// Rows of the look-up tables these codes index (every `row` entry is below it).
    table_rows: usize,
}

/// The piecewise-linear encoding in code order as flat arrays, for [`PleCodes`]: per code
/// column c its input column, first table row, number of bins and NaN fill, and its edges padded
/// with +∞ to a common stride (one bounds-checked slice per value instead of two vectors).
pub struct PleCoder {
    col: Vec<usize>,
    base: Vec<u32>,
    top: Vec<usize>,
    fill: Vec<f64>,
    edges: Vec<f64>,
    stride: usize,
    table_rows: usize,
}

impl PleCoder {
    pub fn new(ple: &PiecewiseLinear, layout: &TokenLayout) -> PleCoder {
        let col = layout.order();
        let stride = col.iter().map(|&j| ple.edges[j].len()).max().unwrap_or(1) + 1;
        let mut c = PleCoder {
            base: Vec::with_capacity(col.len()),
            top: Vec::with_capacity(col.len()),
            fill: col.iter().map(|&j| ple.fill[j]).collect(),
            edges: Vec::with_capacity(col.len() * stride),
            stride,
            table_rows: 0,
            col,
        };
        for &j in &c.col {
            let e = &ple.edges[j];
            c.base.push(c.table_rows as u32);
            c.top.push(e.len() - 1);
            c.edges.extend(e.iter().copied().chain(std::iter::repeat_n(f64::INFINITY, stride - e.len())));
            c.table_rows += e.len();
        }
        assert!(u32::try_from(c.table_rows).is_ok(), "look-up table rows fit u32");
        c
    }

    /// (bin, fraction) of value `v` of code column `c`: [`PiecewiseLinear::code`] on the flat
    /// arrays (the same function on padded edges).
    #[inline(always)]
    fn code(&self, c: usize, v: f64) -> (usize, f32) {
        let e = &self.edges[c * self.stride..(c + 1) * self.stride];
        code_on_edges(e, self.top[c], if v.is_nan() { self.fill[c] } else { v })
    }
}

impl PleCodes {
    /// Codes of `rows` of `x`.
    pub fn new(coder: &PleCoder, x: &Matrix, rows: std::ops::Range<usize>) -> PleCodes {
        let mut codes = PleCodes { row: Vec::new(), frac: Vec::new(), rows: 0, n_features: 0, table_rows: 0 };
        codes.fill(coder, x, rows);
        codes
    }

    /// Runs `f` on the codes of `rows` of `x`, computed into this thread's buffers (kept between
    /// calls: a fresh megabyte-sized allocation per block costs its page faults every time).
    pub fn with<R>(coder: &PleCoder, x: &Matrix, rows: std::ops::Range<usize>, f: impl FnOnce(&PleCodes) -> R) -> R {
        thread_local! {
            static CACHE: RefCell<Option<PleCodes>> = const { RefCell::new(None) };
        }
        let prepare = move |kept: Option<PleCodes>| match kept {
            Some(mut c) => {
                c.fill(coder, x, rows);
                c
            }
            None => PleCodes::new(coder, x, rows),
        };
        with_cached(&CACHE, prepare, |c| f(c))
    }

    /// Recompute in place (the buffers are reused).
    fn fill(&mut self, coder: &PleCoder, x: &Matrix, rows: std::ops::Range<usize>) {
        let n = rows.len();
        let padded = n.div_ceil(LANES) * LANES;
        let nf = coder.col.len();
        let (row_of, frac) = (&mut self.row, &mut self.frac);
        row_of.clear();
        row_of.resize(padded * nf, 0);
        frac.clear();
        frac.resize(padded * nf, 0.0);
        let start = rows.start;
        for r0 in (0..n).step_by(BLOCK) {
            let b = BLOCK.min(padded - r0);
            for s in 0..b.min(n - r0) {
                let row = x.row(start + r0 + s);
                for (c, (&j, &b0)) in coder.col.iter().zip(&coder.base).enumerate() {
                    let (m, f) = coder.code(c, row[j]);
                    let i = r0 * nf + c * b + s;
                    row_of[i] = b0 + m as u32;
                    frac[i] = f;
                }
            }
        }
        (self.rows, self.n_features, self.table_rows) = (n, nf, coder.table_rows);
    }
}

/// Prefix sums of the token embeddings' weight rows per encoded feature, with the
/// standardisation `(u_i − μ_i)/s_i` of the encoding folded in (`W'[i] = W[i]/s_i`, the
/// constant `−Σ_i W'[i] μ_i` moved into the token's bias). Feature c owns rows
/// `base_c ..= base_c + width_c`; row `base_c + m` holds `[P[m] | W'[m]]` (2·d values) with
/// `P[m] = Σ_{i<m} W'[i]` and `W'[m]` zero for the top bin.
#[derive(Debug, Clone)]
struct PleTables {
    /// Token of each encoded feature, in code order.
    token: Vec<usize>,
    /// `n_rows × 2d`: prefix sum and weight row side by side (one cache-friendly row per code).
    pw: Aligned,
    n_rows: usize,
    /// Token biases (T × d) including the folded constants.
    bias: Vec<f32>,
    /// Runs of up to [`EMBED_TILE`] consecutive features of one token, `(token, first, end)`:
    /// a sample's embedding row stays in registers across a run.
    tiles: Vec<(usize, usize, usize)>,
}

/// Features per run of the look-up embedding (their tables, 4 × 9 × 256 B, stay in L1).
const EMBED_TILE: usize = 4;

impl PleTables {
    fn tiles(token: &[usize]) -> Vec<(usize, usize, usize)> {
        let mut tiles = Vec::new();
        let mut c0 = 0;
        while c0 < token.len() {
            let mut c1 = c0 + 1;
            while c1 < token.len() && c1 < c0 + EMBED_TILE && token[c1] == token[c0] {
                c1 += 1;
            }
            tiles.push((token[c0], c0, c1));
            c0 = c1;
        }
        tiles
    }

    /// `h[k·b + s] += Σ_{c of token k} P[r] + f · W'[r]` over the codes (r, f) = (`row[c·b + s]`,
    /// `frac[c·b + s]`): the token embeddings of `b` samples (`h` holds the biases on entry).
    fn embed(&self, row: &[u32], frac: &[f32], b: usize, d: usize, h: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if super::avx512::embed_codes(&self.tiles, &self.pw, row, frac, b, d, h) {
            return;
        }
        self.embed_portable(row, frac, b, d, h);
    }

    fn embed_portable(&self, row: &[u32], frac: &[f32], b: usize, d: usize, h: &mut [f32]) {
        for &(k, c0, c1) in &self.tiles {
            for s in 0..b {
                let hr = &mut h[(k * b + s) * d..(k * b + s + 1) * d];
                for c in c0..c1 {
                    let (r, f) = (row[c * b + s] as usize, frac[c * b + s]);
                    let (p, w) = self.pw[r * 2 * d..(r + 1) * 2 * d].split_at(d);
                    if d == 32 {
                        // the default width as a constant: fully unrolled fused multiply-adds
                        axpy_fixed::<32>(hr, p, w, f);
                    } else {
                        for ((v, pi), wi) in hr.iter_mut().zip(p).zip(w) {
                            *v += wi.mul_add(f, *pi);
                        }
                    }
                }
            }
        }
    }
}

/// `h += p + f·w` on `N`-wide rows, as arrays: a fully unrolled loop (constant-length slices
/// were 40 % slower here: LLVM did not unroll the three-way zip).
#[inline(always)]
fn axpy_fixed<const N: usize>(h: &mut [f32], p: &[f32], w: &[f32], f: f32) {
    let (h, p, w): (&mut [f32; N], &[f32; N], &[f32; N]) = match (h.try_into(), p.try_into(), w.try_into()) {
        (Ok(h), Ok(p), Ok(w)) => (h, p, w),
        _ => unreachable!("rows of width N"),
    };
    for i in 0..N {
        h[i] += w[i].mul_add(f, p[i]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_and_exp_approximations() {
        for i in -4000..=4000 {
            let x = i as f32 * 1.5e-3;
            assert!((erf_f32(x) - libm::erff(x)).abs() < 6e-7, "erf({x})");
            assert!((erf_f32(x * 4.0) - libm::erff(x * 4.0)).abs() < 6e-7, "erf({})", x * 4.0);
            let y = i as f32 * 0.02; // [-80, 80]
            assert!((exp_f32(y) / y.exp() - 1.0).abs() < 3e-7, "exp({y})");
        }
        assert!((erf_f32(10.0) - 1.0).abs() < 2e-7);
        assert!(exp_f32(-200.0) < 1e-37);
    }

    /// The AVX-512 attention kernel (where the CPU has it) equals the portable one bit for bit,
    /// for per-sample and shared queries and for a shape it does not cover (head width 4).
    #[test]
    fn attention_kernels_agree() {
        let wave = |n: usize, a: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * a).sin() * 3.0).collect() };
        for (t, heads, d) in [(7, 4, 32), (3, 2, 16), (12, 4, 32), (7, 8, 32)] {
            let b = 32;
            let bt = b * t;
            let (q, k, v) = (wave(bt * d, 0.37), wave(bt * d, 0.91), wave(bt * d, 1.3));
            let cases: [(Queries<'_>, usize, usize); 2] =
                [(Queries::PerSample { q: &q, ld: bt }, t, bt), (Queries::Shared(&q[..d]), 1, b)];
            for (qs, tq, ld_out) in cases {
                let a = AttentionIn { q: qs, tq, k: &k, v: &v, ld_kv: bt, tk: t, b, d, heads };
                let (mut fast, mut slow) = (vec![0.0f32; ld_out * d], vec![0.0f32; ld_out * d]);
                attention(&a, &mut fast, ld_out);
                attention_portable(&a, &mut slow, ld_out);
                assert!(slow.iter().all(|x| x.is_finite()) && slow.iter().any(|x| *x != 0.0));
                assert_eq!(fast, slow, "t {t} heads {heads} d {d} tq {tq}");
                // a NaN or infinite key poisons its samples in both kernels (never a made-up value)
                for bad in [f32::NAN, f32::INFINITY] {
                    let mut kb = k.clone();
                    kb[3] = bad; // column 0, token 0, sample 3
                    let (mut fast, mut slow) = (vec![0.0f32; ld_out * d], vec![0.0f32; ld_out * d]);
                    let a = AttentionIn { k: &kb, ..a };
                    attention(&a, &mut fast, ld_out);
                    attention_portable(&a, &mut slow, ld_out);
                    for (i, (f, s)) in fast.iter().zip(&slow).enumerate() {
                        assert_eq!(f.is_nan(), s.is_nan(), "{bad} at output {i}");
                        assert!(s.is_nan() || f == s, "{bad} at output {i}: {f} vs {s}");
                    }
                    assert!(slow[3].is_nan(), "sample 3, head 0 gets NaN from a {bad} key");
                }
                // and against a plain softmax(q kᵀ/√dk) v for one sample, query and head
                let dk = d / heads;
                let (s, i, h) = (5, tq - 1, heads - 1);
                let qv = |c: usize| match qs {
                    Queries::PerSample { q, ld } => q[c * ld + i * b + s],
                    Queries::Shared(q) => q[c],
                };
                let sc: Vec<f64> = (0..t)
                    .map(|j| {
                        (0..dk)
                            .map(|cc| {
                                let c = h * dk + cc;
                                f64::from(qv(c)) * f64::from(k[c * bt + j * b + s])
                            })
                            .sum::<f64>()
                            / (dk as f64).sqrt()
                    })
                    .collect();
                let mx = sc.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = sc.iter().map(|x| (x - mx).exp()).sum();
                for cc in 0..dk {
                    let c = h * dk + cc;
                    let want: f64 = (0..t).map(|j| (sc[j] - mx).exp() / z * f64::from(v[c * bt + j * b + s])).sum();
                    let got = f64::from(slow[c * ld_out + i * b + s]);
                    assert!((got - want).abs() < 1e-5 * (1.0 + want.abs()), "c {c}: {got} vs {want}");
                }
            }
        }
    }

    /// GELU, LayerNorm and the look-up embedding: the dispatched kernels (AVX-512 where the CPU
    /// has it) agree with the portable ones — the embedding exactly, GELU and LayerNorm to f32
    /// round-off (reciprocal refinement, reduction order).
    #[test]
    fn elementwise_kernels_agree() {
        let wave =
            |n: usize, a: f32, amp: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * a).sin() * amp + 0.1).collect() };
        for n in [0, 5, 16, 37, 448 * 64] {
            let x = wave(n, 0.013, 6.0);
            let (mut fast, mut slow) = (x.clone(), x.clone());
            gelu(&mut fast);
            gelu_portable(&mut slow);
            for ((f, s), x) in fast.iter().zip(&slow).zip(&x) {
                assert!((f - s).abs() <= 2e-7 * (1.0 + x.abs()), "gelu({x}): {f} vs {s}");
            }
        }
        for d in [16, 32, 24, 64] {
            let norm = Norm { gamma: wave(d, 0.7, 1.0), beta: wave(d, 0.3, 0.5) };
            let x = wave(d * 50, 0.29, 4.0);
            let (mut fast, mut slow) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            norm.apply(&x, &mut fast);
            norm.apply_portable(&x, &mut slow);
            for (f, s) in fast.iter().zip(&slow) {
                assert!((f - s).abs() <= 2e-6 * (1.0 + s.abs()), "layer norm d {d}: {f} vs {s}");
            }
        }
        for d in [32, 8] {
            // three tokens of 5, 1 and 6 features, 3 table rows each
            let token = [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2];
            let nc = token.len();
            let tb = PleTables {
                token: token.to_vec(),
                pw: Aligned::from_slice(&wave(3 * nc * 2 * d, 0.17, 1.0)),
                n_rows: 3 * nc,
                bias: Vec::new(),
                tiles: PleTables::tiles(&token),
            };
            assert_eq!(tb.tiles, [(0, 0, 4), (0, 4, 5), (1, 5, 6), (2, 6, 10), (2, 10, 12)]);
            let b = 32;
            let row: Vec<u32> = (0..nc * b).map(|i| (3 * (i / b) + i * 7 % 3) as u32).collect();
            let frac = wave(nc * b, 0.53, 0.5);
            let h0 = wave(3 * b * d, 0.05, 1.0);
            let (mut fast, mut slow) = (h0.clone(), h0.clone());
            tb.embed(&row, &frac, b, d, &mut fast);
            tb.embed_portable(&row, &frac, b, d, &mut slow);
            assert_eq!(fast, slow, "d {d}");
            // one entry by hand: token 2, sample 9, column 3
            let (k, s, col) = (2, 9, 3);
            let want = (6..12).fold(h0[(k * b + s) * d + col], |acc, c| {
                let r = row[c * b + s] as usize * 2 * d;
                acc + tb.pw[r + d + col].mul_add(frac[c * b + s], tb.pw[r + col])
            });
            assert_eq!(slow[(k * b + s) * d + col], want);
        }
    }

    /// The flat coder gives exactly [`PiecewiseLinear::code`]'s (bin, fraction), and its table
    /// rows are each column's first row plus the bin, in the layout's order.
    #[test]
    fn flat_coder_matches_the_encoding() {
        use super::super::tokens::{Scale, TokenGroup};
        // columns: 9 distinct values (8 bins), binary, constant, all NaN, two bins
        let vals: Vec<[f64; 5]> = (0..40)
            .map(|i| [f64::from(i) * 0.25, f64::from(i % 2), 3.0, f64::NAN, if i < 20 { 0.0 } else { f64::from(i) }])
            .collect();
        let x = Matrix::new(40, 5, vals.iter().flatten().copied().collect()).unwrap();
        let ple = PiecewiseLinear::fit(&x, &(0..40).collect::<Vec<_>>(), 8);
        let group =
            |name: &str, columns: Vec<usize>| TokenGroup { name: name.into(), scale: Scale::Atomistic, columns };
        let layout = TokenLayout { groups: vec![group("a", vec![3, 0]), group("b", vec![4, 2, 1])], n_features: 5 };
        let coder = PleCoder::new(&ple, &layout);
        let mut probes = vec![f64::NAN, f64::NEG_INFINITY, -1e300, 1e300, -0.0];
        for e in ple.edges.iter().flatten() {
            probes.extend([*e, e - 1e-9, e + 1e-9, e * (1.0 - 1e-16), e + 0.1]);
        }
        let mut base = 0;
        for (c, &j) in layout.order().iter().enumerate() {
            assert_eq!(coder.base[c] as usize, base, "column {j}");
            base += ple.width(j) + 1;
            for &v in &probes {
                let (a, b) = (coder.code(c, v), ple.code(j, v));
                assert!(a.0 == b.0 && a.1.to_bits() == b.1.to_bits(), "column {j}, value {v}: {a:?} vs {b:?}");
            }
        }
        assert_eq!(coder.table_rows, base);
    }

    #[test]
    fn dense_apply_matches_naive_product() {
        for (n_in, n_out, rows, xs, ys) in
            [(5, 3, 9, 5, 3), (5, 3, 9, 5, 4), (5, 3, 9, 7, 3), (5, 3, 9, 7, 4), (32, 96, 300, 32, 96)]
        {
            eprintln!("case {n_in} {n_out} {rows} {xs} {ys}");
            check_dense(n_in, n_out, rows, xs, ys);
        }
    }

    fn check_dense(n_in: usize, n_out: usize, rows: usize, xs: usize, ys: usize) {
        let w: Vec<f32> = (0..n_in * n_out).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..n_out).map(|i| i as f32 - 1.0).collect();
        let dense = Dense { w: w.clone(), b: b.clone(), n_in, n_out };
        let x: Vec<f32> = (0..rows * xs).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut y = vec![0.5f32; rows * ys];
        dense.apply(&x, xs, rows, &mut y, ys, true);
        for r in 0..rows {
            for o in 0..n_out {
                let want = 0.5 + b[o] + (0..n_in).map(|i| x[r * xs + i] * w[i * n_out + o]).sum::<f32>();
                assert!((y[r * ys + o] - want).abs() < 1e-5, "row {r} col {o}: {} vs {want}", y[r * ys + o]);
            }
            if ys > n_out {
                assert_eq!(y[r * ys + n_out], 0.5, "column past n_out untouched");
            }
        }
    }
}

#[cfg(test)]
mod bench_kernels {
    use super::*;

    /// Time per (feature, sample) of the look-up embedding (`--ignored --nocapture`).
    #[test]
    #[ignore]
    fn embed_kernel_speed() {
        let (nc, d, b, rows) = (216usize, 32usize, 64usize, 9usize);
        let token: Vec<usize> = (0..nc).map(|c| c * 7 / nc).collect();
        let wave = |n: usize, a: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * a).sin()).collect() };
        let tb = PleTables {
            token: token.clone(),
            pw: Aligned::from_slice(&wave(rows * nc * 2 * d, 0.17)),
            n_rows: rows * nc,
            bias: Vec::new(),
            tiles: PleTables::tiles(&token),
        };
        let row: Vec<u32> = (0..nc * b).map(|i| (rows * (i / b) + (i * 7919) % rows) as u32).collect();
        let frac = wave(nc * b, 0.53);
        let mut h = Aligned::zeros(7 * b * d);
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let reps = 20_000;
            for _ in 0..reps {
                tb.embed(&row, &frac, b, d, &mut h);
            }
            let dt = t.elapsed().as_secs_f64();
            eprintln!("embed: {:.2} ns per (feature, sample), h[0] {}", dt / (reps * nc * b) as f64 * 1e9, h[0]);
        }
    }
}

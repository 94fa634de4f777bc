//! Dense layers (faer GEMM), LayerNorm and the element-wise activations (GELU with a
//! vectorising erf, sigmoid, the softmax exp): portable kernels, with AVX-512 twins in
//! [`crate::dnn::avx512`].

use super::*;

/// burn's LayerNorm default ε (`LayerNormConfig`, `TransformerEncoderConfig::layer_norm_eps`).
pub(crate) const LN_EPS: f32 = 1e-5;

/// y = x W + b with W stored d_in × d_out row-major (burn's `LinearLayout::Row`).
#[derive(Debug, Clone)]
pub(crate) struct Dense {
    pub(crate) w: Vec<f32>,
    pub(crate) b: Vec<f32>,
    pub(crate) n_in: usize,
    pub(crate) n_out: usize,
}

impl Dense {
    pub(crate) fn from_burn(l: &Linear) -> Result<Dense> {
        let [n_in, n_out] = l.weight.val().dims();
        let w = values(l.weight.val(), "linear weight")?;
        let b = match &l.bias {
            Some(b) => values(b.val(), "linear bias")?,
            None => vec![0.0; n_out],
        };
        Ok(Dense { w, b, n_in, n_out })
    }

    /// Columns side by side: `[x W₁ + b₁ | x W₂ + b₂ | …]` as one layer (one GEMM instead of several).
    pub(crate) fn concat(parts: &[Dense]) -> Dense {
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
    pub(crate) fn gemm(&self, x: MatRef<'_, f32>, y: MatMut<'_, f32>) {
        if x.nrows() == 0 {
            return;
        }
        let wm = MatRef::from_row_major_slice(&self.w, self.n_in, self.n_out);
        matmul(y, Accum::Add, x, wm, 1.0f32, Par::Seq);
    }

    /// Row-major output rows (stride `ys`): `y = b` (`replace`) or `y += b`.
    pub(crate) fn bias_rows(&self, y: &mut [f32], rows: usize, ys: usize, replace: bool) {
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
    pub(crate) fn apply(&self, x: &[f32], xs: usize, rows: usize, y: &mut [f32], ys: usize, accumulate: bool) {
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
    pub(crate) fn apply_col_major(&self, x: &[f32], rows: usize, y: &mut [f32]) {
        let xm = MatRef::from_row_major_slice(&x[..rows * self.n_in], rows, self.n_in);
        for (col, b) in y[..rows * self.n_out].chunks_exact_mut(rows.max(1)).zip(&self.b) {
            col.fill(*b);
        }
        let ym = MatMut::from_column_major_slice_mut(&mut y[..rows * self.n_out], rows, self.n_out);
        self.gemm(xm, ym);
    }

    /// Convenience: a fresh `rows × n_out` output from a dense `rows × n_in` input.
    pub(crate) fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut y = vec![0.0; rows * self.n_out];
        self.apply(x, self.n_in, rows, &mut y, self.n_out, false);
        y
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Norm {
    pub(crate) gamma: Vec<f32>,
    pub(crate) beta: Vec<f32>,
}

impl Norm {
    pub(crate) fn from_burn(n: &LayerNorm) -> Result<Norm> {
        let gamma = values(n.gamma.val(), "layer norm γ")?;
        let beta = match &n.beta {
            Some(b) => values(b.val(), "layer norm β")?,
            None => vec![0.0; gamma.len()],
        };
        Ok(Norm { gamma, beta })
    }

    /// Row-wise (x − mean) / √(var + ε) γ + β (biased variance), `x` → `y`.
    pub(crate) fn apply(&self, x: &[f32], y: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::dnn::avx512::layer_norm(x, y, &self.gamma, &self.beta, LN_EPS) {
            return;
        }
        self.apply_portable(x, y);
    }

    pub(crate) fn apply_portable(&self, x: &[f32], y: &mut [f32]) {
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
pub(crate) const ERF_NUM: [f32; 7] =
    [-2.726_142_3e-10, 2.770_681_4e-8, -2.101_024e-6, -5.692_506_4e-5, -7.349_906_3e-4, -2.954_600e-3, -1.609_603_3e-2];
#[allow(clippy::excessive_precision)]
pub(crate) const ERF_DEN: [f32; 5] = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2];
/// ln 2 split into an exactly representable leading part and the remainder (Cephes `expf`), for
/// the argument reduction x − n ln 2 of [`exp_f32`].
#[allow(clippy::excessive_precision)]
pub(crate) const EXP_LN2: [f32; 2] = [0.693_359_4, -2.121_944_4e-4];
/// Polynomial of [`exp_f32`] on the reduced argument (highest power first).
#[allow(clippy::excessive_precision)]
pub(crate) const EXP_POLY: [f32; 6] =
    [1.987_569_2e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1];

/// erf for f32 as a rational function of x² on [−4, 4] (±1 beyond): the approximation Eigen and
/// XLA use for single precision; |error| < 5e-7 against erf (checked in the tests). Only
/// multiply-adds and one division, so loops over it vectorise (libm's `erff` does not).
#[inline(always)]
pub(crate) fn erf_f32(x: f32) -> f32 {
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
pub(crate) fn exp_f32(x: f32) -> f32 {
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
pub(crate) fn lane_sum(x: &[f32], f: impl Fn(f32) -> f32) -> f32 {
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
pub(crate) fn gelu(v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::dnn::avx512::gelu(v) {
        return;
    }
    gelu_portable(v);
}

pub(crate) fn gelu_portable(v: &mut [f32]) {
    for x in v {
        *x = 0.5 * *x * (1.0 + erf_f32(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

pub(crate) fn sigmoid2(v: &mut [f32]) {
    for x in v {
        *x = 2.0 / (1.0 + exp_f32(-*x));
    }
}

//! The piecewise-linear input encoding as look-up tables: per-row bin codes ([`PleCodes`],
//! [`PleCoder`]) and the prefix-summed embedding tables that replace the embedding GEMM.

use super::*;

/// Bin index and in-bin fraction of every feature of a block of rows (the piecewise-linear
/// encoding in compact form, computed once and shared by the ensemble's members). The bin `m`
/// of feature `c` is stored as its row `base_c + m` of the look-up tables (`PleTables`, one
/// block of `width + 1` rows per feature, in code order). Rows are padded with codes (table
/// row 0, fraction 0) to whole SIMD lanes, their outputs dropped, and codes are stored
/// feature-major within each forward block of [`BLOCK`] rows (index `r0·nf + c·b + s`), so the
/// look-up embedding reads them contiguously.
pub struct PleCodes {
    pub(crate) row: Vec<u32>,
    pub(crate) frac: Vec<f32>,
    pub(crate) rows: usize,
    pub(crate) n_features: usize,
    /// Rows of the look-up tables these codes index (every `row` entry is below it).
    pub(crate) table_rows: usize,
}

/// The piecewise-linear encoding in code order as flat arrays, for [`PleCodes`]: per code
/// column c its input column, first table row, number of bins and NaN fill, and its edges padded
/// with +∞ to a common stride (one bounds-checked slice per value instead of two vectors).
pub struct PleCoder {
    pub(crate) col: Vec<usize>,
    pub(crate) base: Vec<u32>,
    pub(crate) top: Vec<usize>,
    pub(crate) fill: Vec<f64>,
    pub(crate) edges: Vec<f64>,
    pub(crate) stride: usize,
    pub(crate) table_rows: usize,
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
    pub(crate) fn code(&self, c: usize, v: f64) -> (usize, f32) {
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
    pub(crate) fn fill(&mut self, coder: &PleCoder, x: &Matrix, rows: std::ops::Range<usize>) {
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
pub(crate) struct PleTables {
    /// Token of each encoded feature, in code order.
    pub(crate) token: Vec<usize>,
    /// `n_rows × 2d`: prefix sum and weight row side by side (one cache-friendly row per code).
    pub(crate) pw: Aligned,
    pub(crate) n_rows: usize,
    /// Token biases (T × d) including the folded constants.
    pub(crate) bias: Vec<f32>,
    /// Runs of up to [`EMBED_TILE`] consecutive features of one token, `(token, first, end)`:
    /// a sample's embedding row stays in registers across a run.
    pub(crate) tiles: Vec<(usize, usize, usize)>,
}

/// Features per run of the look-up embedding (their tables, 4 × 9 × 256 B, stay in L1).
pub(crate) const EMBED_TILE: usize = 4;

impl PleTables {
    pub(crate) fn tiles(token: &[usize]) -> Vec<(usize, usize, usize)> {
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
    pub(crate) fn embed(&self, row: &[u32], frac: &[f32], b: usize, d: usize, h: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::dnn::avx512::embed_codes(&self.tiles, &self.pw, row, frac, b, d, h) {
            return;
        }
        self.embed_portable(row, frac, b, d, h);
    }

    pub(crate) fn embed_portable(&self, row: &[u32], frac: &[f32], b: usize, d: usize, h: &mut [f32]) {
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
pub(crate) fn axpy_fixed<const N: usize>(h: &mut [f32], p: &[f32], w: &[f32], f: f32) {
    let (h, p, w): (&mut [f32; N], &[f32; N], &[f32; N]) = match (h.try_into(), p.try_into(), w.try_into()) {
        (Ok(h), Ok(p), Ok(w)) => (h, p, w),
        _ => unreachable!("rows of width N"),
    };
    for i in 0..N {
        h[i] += w[i].mul_add(f, p[i]);
    }
}

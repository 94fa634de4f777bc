//! Eight f64 lanes for the cluster kernels: two i atoms (lanes 0–3 and 4–7) against the four
//! atoms of a j cluster (GROMACS's "2xNN" arrangement on a 4×4 cluster pair).
//!
//! One kernel source is written against [`Lanes`] and instantiated three times: [`Portable`]
//! (plain arrays, the reference), [`Avx2`] (two `__m256d`) and [`Avx512`] (one `__m512d`). Every
//! operation is a lane-wise, correctly rounded IEEE operation (sub, mul, div, and fused
//! multiply-add: `f64::mul_add` in the portable path, the FMA instructions in the others; no
//! approximate reciprocal), and masks only ever zero a lane, so the three give bit-identical
//! results by construction. (Replacing the division by a single-precision or `rcp14`
//! reciprocal with two Newton steps was measured slower on the LJ benchmark: the kernel is
//! bound by its instruction count, not by the divider.) `core::arch` intrinsics are used directly: `std::simd` is not stable,
//! and the crates that wrap it choose the instruction set at compile time, while these kernels
//! choose it at run time.

/// A set of eight f64 lanes and the lane masks that go with it.
///
/// # Safety
/// Implementations for an instruction set may only be called from code compiled with (or
/// running on a CPU with) that instruction set; [`super::KernelPath::available`] checks it.
pub(super) unsafe trait Lanes {
    type V: Copy;
    type M: Copy;
    unsafe fn zero() -> Self::V;
    unsafe fn splat(x: f64) -> Self::V;
    /// `a` in lanes 0–3, `b` in lanes 4–7.
    unsafe fn rows(a: f64, b: f64) -> Self::V;
    /// `base[idx[k]]` in lane `k` (table lookups; exact, so every instance agrees).
    unsafe fn gather(base: *const f64, idx: &[i32; 8]) -> Self::V;
    /// `p[0..4]` in lanes 0–3 and again in lanes 4–7.
    unsafe fn dup4(p: *const f64) -> Self::V;
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn sub(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn div(a: Self::V, b: Self::V) -> Self::V;
    /// `a·b + c` rounded once (IEEE fused multiply-add).
    unsafe fn fma(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `c − a·b` rounded once.
    unsafe fn fnma(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// Lanes where `a < b` (ordered, false for NaN).
    unsafe fn lt(a: Self::V, b: Self::V) -> Self::M;
    /// Lane `k` set where bit `k` of `m` is.
    unsafe fn bits(m: u8) -> Self::M;
    unsafe fn and(a: Self::M, b: Self::M) -> Self::M;
    unsafe fn or(a: Self::M, b: Self::M) -> Self::M;
    unsafe fn none() -> Self::M;
    unsafe fn any(m: Self::M) -> bool;
    /// `v` on the lanes of `m`, +0 elsewhere.
    unsafe fn keep(m: Self::M, v: Self::V) -> Self::V;
    unsafe fn store(v: Self::V, out: &mut [f64; 8]);
    /// `p[q] += v[q] + v[q + 4]` for `q` in 0..4.
    unsafe fn add_halves_to(v: Self::V, p: *mut f64);
}

/// The reference: plain arrays.
pub(super) struct Portable;

unsafe impl Lanes for Portable {
    type V = [f64; 8];
    type M = u8;
    #[inline(always)]
    unsafe fn zero() -> [f64; 8] {
        [0.0; 8]
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> [f64; 8] {
        [x; 8]
    }
    #[inline(always)]
    unsafe fn rows(a: f64, b: f64) -> [f64; 8] {
        [a, a, a, a, b, b, b, b]
    }
    #[inline(always)]
    unsafe fn gather(base: *const f64, idx: &[i32; 8]) -> [f64; 8] {
        std::array::from_fn(|k| *base.add(idx[k] as usize))
    }
    #[inline(always)]
    unsafe fn dup4(p: *const f64) -> [f64; 8] {
        let q = std::slice::from_raw_parts(p, 4);
        [q[0], q[1], q[2], q[3], q[0], q[1], q[2], q[3]]
    }
    #[inline(always)]
    unsafe fn add(a: [f64; 8], b: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| a[k] + b[k])
    }
    #[inline(always)]
    unsafe fn sub(a: [f64; 8], b: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| a[k] - b[k])
    }
    #[inline(always)]
    unsafe fn mul(a: [f64; 8], b: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| a[k] * b[k])
    }
    #[inline(always)]
    unsafe fn div(a: [f64; 8], b: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| a[k] / b[k])
    }
    #[inline(always)]
    unsafe fn fma(a: [f64; 8], b: [f64; 8], c: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| a[k].mul_add(b[k], c[k]))
    }
    #[inline(always)]
    unsafe fn fnma(a: [f64; 8], b: [f64; 8], c: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| (-a[k]).mul_add(b[k], c[k]))
    }
    #[inline(always)]
    unsafe fn lt(a: [f64; 8], b: [f64; 8]) -> u8 {
        (0..8).fold(0u8, |m, k| m | (((a[k] < b[k]) as u8) << k))
    }
    #[inline(always)]
    unsafe fn bits(m: u8) -> u8 {
        m
    }
    #[inline(always)]
    unsafe fn and(a: u8, b: u8) -> u8 {
        a & b
    }
    #[inline(always)]
    unsafe fn or(a: u8, b: u8) -> u8 {
        a | b
    }
    #[inline(always)]
    unsafe fn none() -> u8 {
        0
    }
    #[inline(always)]
    unsafe fn any(m: u8) -> bool {
        m != 0
    }
    #[inline(always)]
    unsafe fn keep(m: u8, v: [f64; 8]) -> [f64; 8] {
        std::array::from_fn(|k| if (m >> k) & 1 != 0 { v[k] } else { 0.0 })
    }
    #[inline(always)]
    unsafe fn store(v: [f64; 8], out: &mut [f64; 8]) {
        *out = v;
    }
    #[inline(always)]
    unsafe fn add_halves_to(v: [f64; 8], p: *mut f64) {
        for q in 0..4 {
            *p.add(q) += v[q] + v[q + 4];
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes;
    use std::arch::x86_64::*;

    /// AVX2: two `__m256d`, masks as all-ones lanes.
    pub(in crate::nbnxm) struct Avx2;

    unsafe impl Lanes for Avx2 {
        type V = [__m256d; 2];
        type M = [__m256d; 2];
        #[inline(always)]
        unsafe fn zero() -> Self::V {
            [_mm256_setzero_pd(); 2]
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self::V {
            [_mm256_set1_pd(x); 2]
        }
        #[inline(always)]
        unsafe fn rows(a: f64, b: f64) -> Self::V {
            [_mm256_set1_pd(a), _mm256_set1_pd(b)]
        }
        #[inline(always)]
        unsafe fn gather(base: *const f64, idx: &[i32; 8]) -> Self::V {
            let i = _mm256_loadu_si256(idx.as_ptr() as *const __m256i);
            [_mm256_i32gather_pd::<8>(base, _mm256_castsi256_si128(i)), _mm256_i32gather_pd::<8>(base, _mm256_extracti128_si256::<1>(i))]
        }
        #[inline(always)]
        unsafe fn dup4(p: *const f64) -> Self::V {
            let v = _mm256_loadu_pd(p);
            [v, v]
        }
        #[inline(always)]
        unsafe fn add(a: Self::V, b: Self::V) -> Self::V {
            [_mm256_add_pd(a[0], b[0]), _mm256_add_pd(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn sub(a: Self::V, b: Self::V) -> Self::V {
            [_mm256_sub_pd(a[0], b[0]), _mm256_sub_pd(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn mul(a: Self::V, b: Self::V) -> Self::V {
            [_mm256_mul_pd(a[0], b[0]), _mm256_mul_pd(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn div(a: Self::V, b: Self::V) -> Self::V {
            [_mm256_div_pd(a[0], b[0]), _mm256_div_pd(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn fma(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
            [_mm256_fmadd_pd(a[0], b[0], c[0]), _mm256_fmadd_pd(a[1], b[1], c[1])]
        }
        #[inline(always)]
        unsafe fn fnma(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
            [_mm256_fnmadd_pd(a[0], b[0], c[0]), _mm256_fnmadd_pd(a[1], b[1], c[1])]
        }
        #[inline(always)]
        unsafe fn lt(a: Self::V, b: Self::V) -> Self::M {
            [_mm256_cmp_pd::<_CMP_LT_OQ>(a[0], b[0]), _mm256_cmp_pd::<_CMP_LT_OQ>(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn bits(m: u8) -> Self::M {
            let v = _mm256_set1_epi64x(m as i64);
            let lo = _mm256_setr_epi64x(1, 2, 4, 8);
            let hi = _mm256_setr_epi64x(16, 32, 64, 128);
            [
                _mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_and_si256(v, lo), lo)),
                _mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_and_si256(v, hi), hi)),
            ]
        }
        #[inline(always)]
        unsafe fn and(a: Self::M, b: Self::M) -> Self::M {
            [_mm256_and_pd(a[0], b[0]), _mm256_and_pd(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn or(a: Self::M, b: Self::M) -> Self::M {
            [_mm256_or_pd(a[0], b[0]), _mm256_or_pd(a[1], b[1])]
        }
        #[inline(always)]
        unsafe fn none() -> Self::M {
            [_mm256_setzero_pd(); 2]
        }
        #[inline(always)]
        unsafe fn any(m: Self::M) -> bool {
            _mm256_movemask_pd(_mm256_or_pd(m[0], m[1])) != 0
        }
        #[inline(always)]
        unsafe fn keep(m: Self::M, v: Self::V) -> Self::V {
            [_mm256_and_pd(m[0], v[0]), _mm256_and_pd(m[1], v[1])]
        }
        #[inline(always)]
        unsafe fn store(v: Self::V, out: &mut [f64; 8]) {
            _mm256_storeu_pd(out.as_mut_ptr(), v[0]);
            _mm256_storeu_pd(out.as_mut_ptr().add(4), v[1]);
        }
        #[inline(always)]
        unsafe fn add_halves_to(v: Self::V, p: *mut f64) {
            _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), _mm256_add_pd(v[0], v[1])));
        }
    }

    /// AVX-512F: one `__m512d`, masks as `__mmask8`.
    pub(in crate::nbnxm) struct Avx512;

    unsafe impl Lanes for Avx512 {
        type V = __m512d;
        type M = __mmask8;
        #[inline(always)]
        unsafe fn zero() -> __m512d {
            _mm512_setzero_pd()
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> __m512d {
            _mm512_set1_pd(x)
        }
        #[inline(always)]
        unsafe fn rows(a: f64, b: f64) -> __m512d {
            _mm512_insertf64x4::<1>(_mm512_set1_pd(a), _mm256_set1_pd(b))
        }
        #[inline(always)]
        unsafe fn gather(base: *const f64, idx: &[i32; 8]) -> __m512d {
            _mm512_i32gather_pd::<8>(_mm256_loadu_si256(idx.as_ptr() as *const __m256i), base)
        }
        #[inline(always)]
        unsafe fn dup4(p: *const f64) -> __m512d {
            _mm512_broadcast_f64x4(_mm256_loadu_pd(p))
        }
        #[inline(always)]
        unsafe fn add(a: __m512d, b: __m512d) -> __m512d {
            _mm512_add_pd(a, b)
        }
        #[inline(always)]
        unsafe fn sub(a: __m512d, b: __m512d) -> __m512d {
            _mm512_sub_pd(a, b)
        }
        #[inline(always)]
        unsafe fn mul(a: __m512d, b: __m512d) -> __m512d {
            _mm512_mul_pd(a, b)
        }
        #[inline(always)]
        unsafe fn div(a: __m512d, b: __m512d) -> __m512d {
            _mm512_div_pd(a, b)
        }
        #[inline(always)]
        unsafe fn fma(a: __m512d, b: __m512d, c: __m512d) -> __m512d {
            _mm512_fmadd_pd(a, b, c)
        }
        #[inline(always)]
        unsafe fn fnma(a: __m512d, b: __m512d, c: __m512d) -> __m512d {
            _mm512_fnmadd_pd(a, b, c)
        }
        #[inline(always)]
        unsafe fn lt(a: __m512d, b: __m512d) -> __mmask8 {
            _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, b)
        }
        #[inline(always)]
        unsafe fn bits(m: u8) -> __mmask8 {
            m
        }
        #[inline(always)]
        unsafe fn and(a: __mmask8, b: __mmask8) -> __mmask8 {
            a & b
        }
        #[inline(always)]
        unsafe fn or(a: __mmask8, b: __mmask8) -> __mmask8 {
            a | b
        }
        #[inline(always)]
        unsafe fn none() -> __mmask8 {
            0
        }
        #[inline(always)]
        unsafe fn any(m: __mmask8) -> bool {
            m != 0
        }
        #[inline(always)]
        unsafe fn keep(m: __mmask8, v: __m512d) -> __m512d {
            _mm512_maskz_mov_pd(m, v)
        }
        #[inline(always)]
        unsafe fn store(v: __m512d, out: &mut [f64; 8]) {
            _mm512_storeu_pd(out.as_mut_ptr(), v)
        }
        #[inline(always)]
        unsafe fn add_halves_to(v: __m512d, p: *mut f64) {
            let h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd::<1>(v));
            _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), h));
        }
    }
}

//! The Cauchy–Born continuum of the plane-strain models: the strain-energy density of the
//! potential's own crystal under a homogeneous in-plane deformation, and its third-order
//! expansion about the applied homogeneous gradient that the coupled solver uses.
//!
//! * `W(F)`: the energy of the periodic unit cell (relaxed at F = I) deformed affinely by the
//!   plane-strain gradient `F = I + ∇u` (in-plane 2 × 2 block, `F_zz = 1`, no out-of-plane shear),
//!   per reference volume, relative to the undeformed cell (eV/Å³). Exact for a Bravais lattice
//!   (every atom a centre of inversion, no internal relaxation), which the plane models' units are.
//! * `P(F) = ∂W/∂F`: the first Piola–Kirchhoff stress from the evaluator's virial,
//!   `P = −W_vir F⁻ᵀ / V₀` (Cauchy stress `σ = −W_vir / V`, tension positive, `P = J σ F⁻ᵀ`).
//! * [`Expansion`]: about the boundary's homogeneous gradient `H`, `W` as a polynomial of degree
//!   4 in the Green–Lagrange strain's deviation `ΔE = E − E(H)` (engineering shear, 34 monomials),
//!   fitted by least squares (faer QR) to the exact second Piola–Kirchhoff stress `S = F⁻¹ P` over
//!   `ΔE ∈ {−δ, −δ/2, 0, δ/2, δ}³` (δ = [`FIT_RANGE`]); `P = F ∂W/∂E`. A function of `E` is
//!   frame-indifferent exactly, so the lattice rotations around defects cost no spurious stress.
//!   In the continuum `|ΔE|` is the strain the atomistic region's defects leave in it (a few per
//!   cent). [`CauchyBorn::check`] measures the expansion's stress against the exact `P(F)` at
//!   given gradients.
//!
//! Why a fit over the range and degree 4: `Al_mm.eam.fs`'s ∂P_xx/∂F_xx along [100] is 0.711 and
//! 0.688 eV/Å³ by central differences of ±2 % and ±0.25 % (a quadratic term of −9 eV/Å³ and a
//! cubic one of ≈ 60 eV/Å³ in the stress), and tabulated potentials (LAMMPS `eam` splines) have
//! second derivatives that jump at every knot (∂P_xx/∂F_xx at rest: 0.691, 0.664 and 0.656 eV/Å³
//! by central differences of 1e-3, 1e-4 and 1e-5), so derivatives at one point are not a law.
//!
//! Components are ordered `[F_xx, F_xy, F_yx, F_yy]` (`F_iJ = ∂x_i/∂X_J`).

use crate::error::{invalid, Result};
use scalebridge_md::evaluator::Evaluator;
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use faer::linalg::solvers::SolveLstsq;
use faer::Mat;
use std::sync::Arc;

/// Half-width δ of the Green-strain range (per engineering component) the expansion is fitted over.
pub const FIT_RANGE: f64 = 0.03;

/// Exponents of the 34 monomials `e₀^a e₁^b e₂^c`, 1 ≤ a + b + c ≤ 4.
fn monomials() -> Vec<[u32; 3]> {
    let mut m = Vec::with_capacity(34);
    for deg in 1..=4u32 {
        for a in (0..=deg).rev() {
            for b in (0..=(deg - a)).rev() {
                m.push([a, b, deg - a - b]);
            }
        }
    }
    m
}

/// Inverse of a 2×2 matrix (the callers' matrices have det F > 0.1).
fn inverse2(f: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
    [[f[1][1] / det, -f[0][1] / det], [-f[1][0] / det, f[0][0] / det]]
}

/// Green–Lagrange strain of the in-plane gradient `g` (`F = I + g`): `[E_xx, E_yy, 2 E_xy]`.
pub fn green_strain(g: Grad4) -> [f64; 3] {
    let f = [[1.0 + g[0], g[1]], [g[2], 1.0 + g[3]]];
    let c = |a: usize, b: usize| f[0][a] * f[0][b] + f[1][a] * f[1][b];
    [0.5 * (c(0, 0) - 1.0), 0.5 * (c(1, 1) - 1.0), c(0, 1)]
}

/// In-plane gradient components `[xx, xy, yx, yy]`.
pub type Grad4 = [f64; 4];

fn to4(h: &[[f64; 2]; 2]) -> Grad4 {
    [h[0][0], h[0][1], h[1][0], h[1][1]]
}

/// The crystal's Cauchy–Born response (energy density and Piola stress at any in-plane gradient).
pub struct CauchyBorn {
    unit: Structure,
    eval: Evaluator,
    v0: f64,
    e0: f64,
}

impl std::fmt::Debug for CauchyBorn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CauchyBorn").field("atoms", &self.unit.len()).field("v0", &self.v0).finish()
    }
}

impl CauchyBorn {
    /// The response of `unit` (the relaxed periodic unit cell of the block) under `potential`.
    pub fn new(unit: &Structure, potential: Arc<dyn Potential>) -> Result<CauchyBorn> {
        let mut eval = Evaluator::new(potential, 0.0, 1)?;
        let e0 = eval.compute_all(unit)?.energy;
        let v0 = unit.cell.volume();
        Ok(CauchyBorn { unit: unit.clone(), eval, v0, e0 })
    }

    /// Energy density relative to the undeformed cell (eV/Å³) and Piola stress (eV/Å³) at the
    /// displacement gradient `g` (`F = I + g`).
    pub fn at(&mut self, g: Grad4) -> Result<(f64, Grad4)> {
        let f = [[1.0 + g[0], g[1], 0.0], [g[2], 1.0 + g[3], 0.0], [0.0, 0.0, 1.0]];
        let det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
        if !(det > 0.1 && det.is_finite()) {
            return Err(invalid("Cauchy-Born gradient", format!("{g:?}"), "the element is inverted or collapsed (det F ≤ 0.1)"));
        }
        // Structure::deformed maps row vectors r' = r · M, i.e. M = Fᵀ
        let m = [[f[0][0], f[1][0], 0.0], [f[0][1], f[1][1], 0.0], [0.0, 0.0, 1.0]];
        let s = self.unit.deformed(&m)?;
        let out = self.eval.compute_all(&s)?;
        let w = out.virial; // xx yy zz yz xz xy
        let wm = [[w[0], w[5], w[4]], [w[5], w[1], w[3]], [w[4], w[3], w[2]]];
        // F⁻¹ of the in-plane block (F_zz = 1)
        let inv = inverse2([[f[0][0], f[0][1]], [f[1][0], f[1][1]]]);
        // P_iJ = −(1/V₀) Σ_k W_ik (F⁻¹)_Jk
        let mut p = [0.0; 4];
        for i in 0..2 {
            for jj in 0..2 {
                p[2 * i + jj] = -(wm[i][0] * inv[jj][0] + wm[i][1] * inv[jj][1]) / self.v0;
            }
        }
        Ok(((out.energy - self.e0) / self.v0, p))
    }

    /// The expansion about the in-plane gradient `h` (see the module documentation): `W(H)`
    /// exact, the polynomial fitted to `S` at 125 strains around `E(H)` (stretches `F = √C`).
    pub fn expansion(&mut self, h: &[[f64; 2]; 2]) -> Result<Expansion> {
        let h4 = to4(h);
        let (w0, _) = self.at(h4)?;
        let eh = green_strain(h4);
        let mons = monomials();
        let d = FIT_RANGE;
        let level = |k: usize| (k as f64 - 2.0) * 0.5 * d;
        let mut a = Mat::<f64>::zeros(3 * 125, mons.len());
        let mut b = Mat::<f64>::zeros(3 * 125, 1);
        for m in 0..125usize {
            let de = [level(m % 5), level((m / 5) % 5), level(m / 25)];
            let e = [eh[0] + de[0], eh[1] + de[1], eh[2] + de[2]];
            // C = I + 2E, F = √C (symmetric square root of the 2×2 SPD matrix)
            let c = [[1.0 + 2.0 * e[0], e[2]], [e[2], 1.0 + 2.0 * e[1]]];
            let sdet = (c[0][0] * c[1][1] - c[0][1] * c[1][0]).sqrt();
            let tr = (c[0][0] + c[1][1] + 2.0 * sdet).sqrt();
            let f = [[(c[0][0] + sdet) / tr, c[0][1] / tr], [c[1][0] / tr, (c[1][1] + sdet) / tr]];
            let (_, p) = self.at([f[0][0] - 1.0, f[0][1], f[1][0], f[1][1] - 1.0])?;
            // S = F⁻¹ P
            let inv = inverse2(f);
            let pm = [[p[0], p[1]], [p[2], p[3]]];
            let sm = |i: usize, j: usize| inv[i][0] * pm[0][j] + inv[i][1] * pm[1][j];
            let sv = [sm(0, 0), sm(1, 1), 0.5 * (sm(0, 1) + sm(1, 0))];
            for k in 0..3 {
                b[(3 * m + k, 0)] = sv[k];
                for (q, mon) in mons.iter().enumerate() {
                    a[(3 * m + k, q)] = mono_grad(mon, de, k);
                }
            }
        }
        let sol = a.qr().solve_lstsq(&b);
        let coef: Vec<f64> = (0..mons.len()).map(|q| sol[(q, 0)]).collect();
        if !coef.iter().all(|v| v.is_finite()) {
            return Err(invalid("Cauchy-Born expansion", format!("{h:?}"), "the stress fit is not finite"));
        }
        let mut e = Expansion { h: h4, eh, w0, mons, coef, a: [[0.0; 4]; 4] };
        e.a = e.tangent_at([0.0; 4]);
        Ok(e)
    }

    /// Largest |P_expansion(g) − P(g)| over the gradients `gs`, relative to the largest |P(g) − P(H)|
    /// (the stress the deviation from H carries), with that scale (eV/Å³).
    pub fn check(&mut self, e: &Expansion, gs: &[Grad4]) -> Result<(f64, f64)> {
        let (mut err, mut scale) = (0.0f64, 0.0f64);
        let p0 = e.p0();
        for g in gs {
            let (_, p) = self.at(*g)?;
            let d = [g[0] - e.h[0], g[1] - e.h[1], g[2] - e.h[2], g[3] - e.h[3]];
            let q = e.stress(d);
            for i in 0..4 {
                err = err.max((q[i] - p[i]).abs());
                scale = scale.max((p[i] - p0[i]).abs());
            }
        }
        Ok((err / scale.max(1e-300), scale))
    }
}

/// `∂(e^mon)/∂e_k` at `e`.
fn mono_grad(mon: &[u32; 3], e: [f64; 3], k: usize) -> f64 {
    if mon[k] == 0 {
        return 0.0;
    }
    let mut v = mon[k] as f64;
    for j in 0..3 {
        let p = if j == k { mon[j] - 1 } else { mon[j] };
        v *= e[j].powi(p as i32);
    }
    v
}

/// `∂²(e^mon)/∂e_k∂e_l` at `e`.
fn mono_hess(mon: &[u32; 3], e: [f64; 3], k: usize, l: usize) -> f64 {
    let mut p = *mon;
    let mut v = 1.0;
    for j in [k, l] {
        if p[j] == 0 {
            return 0.0;
        }
        v *= p[j] as f64;
        p[j] -= 1;
    }
    v * (0..3).map(|j| e[j].powi(p[j] as i32)).product::<f64>()
}

/// The Cauchy–Born energy density about the gradient `h`: `W = w0 + Σ coef·ΔE^mon` (eV/Å³) with
/// `ΔE = E(H + D) − E(H)` in `[E_xx, E_yy, 2 E_xy]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expansion {
    /// The expansion point H (displacement gradient `[xx, xy, yx, yy]`) and its Green strain.
    pub h: Grad4,
    pub eh: [f64; 3],
    pub w0: f64,
    mons: Vec<[u32; 3]>,
    coef: Vec<f64>,
    /// In-plane tangent ∂P/∂F at H (4 × 4, eV/Å³).
    pub a: [[f64; 4]; 4],
}

impl Expansion {
    fn strain_dev(&self, d: Grad4) -> ([[f64; 2]; 2], [f64; 3]) {
        let g = [self.h[0] + d[0], self.h[1] + d[1], self.h[2] + d[2], self.h[3] + d[3]];
        let e = green_strain(g);
        ([[1.0 + g[0], g[1]], [g[2], 1.0 + g[3]]], [e[0] - self.eh[0], e[1] - self.eh[1], e[2] - self.eh[2]])
    }

    /// Second Piola–Kirchhoff stress `[S_xx, S_yy, S_xy]` at the strain deviation `de`.
    fn second_pk(&self, de: [f64; 3]) -> [f64; 3] {
        let mut s = [0.0; 3];
        for (m, c) in self.mons.iter().zip(&self.coef) {
            for (k, sk) in s.iter_mut().enumerate() {
                *sk += c * mono_grad(m, de, k);
            }
        }
        s
    }

    /// First Piola stress `[xx, xy, yx, yy]` at `H + d`: `P = F S`.
    pub fn stress(&self, d: Grad4) -> Grad4 {
        let (f, de) = self.strain_dev(d);
        let s = self.second_pk(de);
        let sm = [[s[0], s[2]], [s[2], s[1]]];
        let p = |i: usize, j: usize| f[i][0] * sm[0][j] + f[i][1] * sm[1][j];
        [p(0, 0), p(0, 1), p(1, 0), p(1, 1)]
    }

    /// Energy density at `H + d`, relative to the undeformed crystal.
    pub fn energy(&self, d: Grad4) -> f64 {
        let (_, de) = self.strain_dev(d);
        self.w0 + self.mons.iter().zip(&self.coef).map(|(m, c)| c * (0..3).map(|j| de[j].powi(m[j] as i32)).product::<f64>()).sum::<f64>()
    }

    /// `∂P/∂F` at `H + d` (4 × 4): `A_iJkL = δ_ik S_JL + F_iM F_kN ℂ_MJNL`.
    pub fn tangent_at(&self, d: Grad4) -> [[f64; 4]; 4] {
        let (f, de) = self.strain_dev(d);
        let s = self.second_pk(de);
        let sm = [[s[0], s[2]], [s[2], s[1]]];
        let v = |i: usize, j: usize| if i == j { i } else { 2 };
        let mut hess = [[0.0; 3]; 3];
        for (m, c) in self.mons.iter().zip(&self.coef) {
            for k in 0..3 {
                for l in 0..3 {
                    hess[k][l] += c * mono_hess(m, de, k, l);
                }
            }
        }
        let mut a = [[0.0; 4]; 4];
        for i in 0..2 {
            for jj in 0..2 {
                for k in 0..2 {
                    for ll in 0..2 {
                        let mut x = if i == k { sm[jj][ll] } else { 0.0 };
                        for mm in 0..2 {
                            for nn in 0..2 {
                                x += f[i][mm] * f[k][nn] * hess[v(mm, jj)][v(nn, ll)];
                            }
                        }
                        a[2 * i + jj][2 * k + ll] = x;
                    }
                }
            }
        }
        a
    }

    /// In-plane tangent `∂P/∂F` at the expansion point (4 × 4, eV/Å³).
    pub fn tangent(&self) -> &[[f64; 4]; 4] {
        &self.a
    }

    /// The stress at the expansion point.
    pub fn p0(&self) -> Grad4 {
        self.stress([0.0; 4])
    }
}

//! Analytic bounds and estimates for effective properties: Voigt/Reuss, Hashin–Shtrikman
//! (multi-phase, isotropic phases, Walpole form), Maxwell–Garnett, dilute Eshelby spheres and the
//! self-consistent (Hershey–Kröner) estimate of a random cubic polycrystal.
//! Moduli in GPa, conductivities in W/m/K, fractions in [0, 1].

use crate::error::{invalid, Result};
use crate::linalg::invert;
use crate::results::IsotropicModuli;

fn check_fractions(f: &[f64]) -> Result<()> {
    if f.is_empty() || f.iter().any(|x| !(0.0..=1.0).contains(x)) || (f.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
        return Err(invalid("fractions", format!("{f:?}"), "must be in [0, 1] and sum to 1"));
    }
    Ok(())
}

/// Voigt (arithmetic) average of stiffness matrices.
pub fn voigt_stiffness(c: &[[[f64; 6]; 6]], f: &[f64]) -> Result<[[f64; 6]; 6]> {
    check_fractions(f)?;
    if c.len() != f.len() {
        return Err(invalid("phases", c.len(), "need one fraction per phase"));
    }
    let mut out = [[0.0; 6]; 6];
    for (ci, fi) in c.iter().zip(f) {
        for i in 0..6 {
            for j in 0..6 {
                out[i][j] += fi * ci[i][j];
            }
        }
    }
    Ok(out)
}

/// Reuss (harmonic) average of stiffness matrices: (Σ f S)⁻¹.
pub fn reuss_stiffness(c: &[[[f64; 6]; 6]], f: &[f64]) -> Result<[[f64; 6]; 6]> {
    check_fractions(f)?;
    let mut s = [[0.0; 6]; 6];
    for (ci, fi) in c.iter().zip(f) {
        let si = invert(ci).ok_or_else(|| invalid("stiffness", format!("{ci:?}"), "is singular; the Reuss average needs compliances"))?;
        for i in 0..6 {
            for j in 0..6 {
                s[i][j] += fi * si[i][j];
            }
        }
    }
    invert(&s).ok_or_else(|| invalid("compliance", "average", "is singular"))
}

/// Exact effective stiffness of a laminate with layer normal along z (axis 2): the in-plane
/// response is Voigt-like and the normal/transverse-shear response Reuss-like. Valid for any
/// anisotropic layers (Backus / classical lamination result for a periodic stack).
pub fn laminate_stiffness(c: &[[[f64; 6]; 6]], f: &[f64]) -> Result<[[f64; 6]; 6]> {
    check_fractions(f)?;
    // Split strain into "continuous" in-plane components (xx, yy, xy: 0,1,5) and "continuous"
    // tractions (zz, yz, xz: 2,3,4). Average the partially inverted (hybrid) matrices.
    let tin = [0usize, 1, 5];
    let tout = [2usize, 3, 4];
    // For each phase: σ_out = A e_in + B e_out ; σ_in = D e_in + E e_out. Solve for e_out:
    // e_out = B⁻¹(σ_out − A e_in). Hybrid H maps (e_in, σ_out) → (σ_in, e_out).
    let mut hsum = [[0.0; 6]; 6];
    for (ci, fi) in c.iter().zip(f) {
        let mut a = [[0.0; 3]; 3];
        let mut b = [[0.0; 3]; 3];
        let mut d = [[0.0; 3]; 3];
        let mut e = [[0.0; 3]; 3];
        for (r, &ro) in tout.iter().enumerate() {
            for (s, &si) in tin.iter().enumerate() {
                a[r][s] = ci[ro][si];
            }
            for (s, &so) in tout.iter().enumerate() {
                b[r][s] = ci[ro][so];
            }
        }
        for (r, &ri) in tin.iter().enumerate() {
            for (s, &si) in tin.iter().enumerate() {
                d[r][s] = ci[ri][si];
            }
            for (s, &so) in tout.iter().enumerate() {
                e[r][s] = ci[ri][so];
            }
        }
        let bi = invert(&b).ok_or_else(|| invalid("stiffness", format!("{ci:?}"), "laminate layer has a singular normal block"))?;
        // e_out = Bi σ_out − Bi A e_in ; σ_in = (D − E Bi A) e_in + E Bi σ_out
        let mut h = [[0.0; 6]; 6];
        for r in 0..3 {
            for s in 0..3 {
                let mut bia = 0.0;
                let mut ebi = 0.0;
                let mut ebia = 0.0;
                for t in 0..3 {
                    bia += bi[r][t] * a[t][s];
                    ebi += e[r][t] * bi[t][s];
                    for u in 0..3 {
                        ebia += e[r][t] * bi[t][u] * a[u][s];
                    }
                }
                h[r][s] = d[r][s] - ebia; // σ_in ← e_in
                h[r][3 + s] = ebi; // σ_in ← σ_out
                h[3 + r][s] = -bia; // e_out ← e_in
                h[3 + r][3 + s] = bi[r][s]; // e_out ← σ_out
            }
        }
        for r in 0..6 {
            for s in 0..6 {
                hsum[r][s] += fi * h[r][s];
            }
        }
    }
    // Invert the hybrid back: from H = [[P, Q], [R, Bi]] recover C.
    let mut bi = [[0.0; 3]; 3];
    let mut p = [[0.0; 3]; 3];
    let mut q = [[0.0; 3]; 3];
    let mut r = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            p[i][j] = hsum[i][j];
            q[i][j] = hsum[i][3 + j];
            r[i][j] = hsum[3 + i][j];
            bi[i][j] = hsum[3 + i][3 + j];
        }
    }
    let b = invert(&bi).ok_or_else(|| invalid("laminate", "average", "singular"))?;
    // B = inv(Bi); A = −B R; E = Q B; D = P + E Bi A = P − Q R... (since E Bi A = Q B Bi (−B R) = −Q B R)
    let mut out = [[0.0; 6]; 6];
    for i in 0..3 {
        for j in 0..3 {
            let mut a = 0.0;
            let mut e = 0.0;
            let mut qbr = 0.0;
            for t in 0..3 {
                a -= b[i][t] * r[t][j];
                e += q[i][t] * b[t][j];
                for u in 0..3 {
                    qbr += q[i][t] * b[t][u] * r[u][j];
                }
            }
            out[tout[i]][tin[j]] = a;
            out[tout[i]][tout[j]] = b[i][j];
            out[tin[i]][tout[j]] = e;
            out[tin[i]][tin[j]] = p[i][j] - qbr;
        }
    }
    Ok(out)
}

/// Laminate conductivity with normal along z: arithmetic in-plane, harmonic across.
pub fn laminate_conductivity(k: &[f64], f: &[f64]) -> Result<[[f64; 3]; 3]> {
    check_fractions(f)?;
    let par: f64 = k.iter().zip(f).map(|(k, f)| k * f).sum();
    let ser_inv: f64 = k.iter().zip(f).map(|(k, f)| f / k).sum();
    Ok([[par, 0.0, 0.0], [0.0, par, 0.0], [0.0, 0.0, 1.0 / ser_inv]])
}

/// Hashin–Shtrikman bounds on (K, G) for isotropic phases given as (K, G) pairs (GPa).
/// Returns ((K_lower, G_lower), (K_upper, G_upper)) in the Walpole form (valid for any ordering).
pub fn hashin_shtrikman_elastic(kg: &[(f64, f64)], f: &[f64]) -> Result<((f64, f64), (f64, f64))> {
    check_fractions(f)?;
    let kmax = kg.iter().map(|p| p.0).fold(f64::MIN, f64::max);
    let kmin = kg.iter().map(|p| p.0).fold(f64::MAX, f64::min);
    let gmax = kg.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let gmin = kg.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    let kbound = |gs: f64| -> f64 {
        let a = 4.0 / 3.0 * gs;
        let s: f64 = kg.iter().zip(f).map(|(p, fi)| fi / (p.0 + a)).sum();
        1.0 / s - a
    };
    let zeta = |k: f64, g: f64| if k + 2.0 * g > 0.0 { g / 6.0 * (9.0 * k + 8.0 * g) / (k + 2.0 * g) } else { 0.0 };
    let gbound = |z: f64| -> f64 {
        let s: f64 = kg.iter().zip(f).map(|(p, fi)| fi / (p.1 + z)).sum();
        1.0 / s - z
    };
    let lower = (kbound(gmin), if zeta(kmin, gmin) > 0.0 { gbound(zeta(kmin, gmin)) } else { 0.0 });
    let upper = (kbound(gmax), gbound(zeta(kmax, gmax)));
    Ok((lower, upper))
}

/// Hashin–Shtrikman bounds on an isotropic conductivity (3-D): (lower, upper).
pub fn hashin_shtrikman_conductivity(k: &[f64], f: &[f64]) -> Result<(f64, f64)> {
    check_fractions(f)?;
    let b = |ks: f64| -> f64 {
        let s: f64 = k.iter().zip(f).map(|(ki, fi)| fi / (ki + 2.0 * ks)).sum();
        1.0 / s - 2.0 * ks
    };
    let kmin = k.iter().cloned().fold(f64::MAX, f64::min);
    let kmax = k.iter().cloned().fold(f64::MIN, f64::max);
    Ok((if kmin > 0.0 { b(kmin) } else { 0.0 }, b(kmax)))
}

/// Maxwell–Garnett conductivity of spheres (κ_i, fraction f) in a matrix κ_m.
pub fn maxwell_garnett(k_matrix: f64, k_incl: f64, f: f64) -> f64 {
    let d = k_incl - k_matrix;
    k_matrix * (k_incl + 2.0 * k_matrix + 2.0 * f * d) / (k_incl + 2.0 * k_matrix - f * d)
}

/// Dilute (non-interacting) Eshelby estimate for spheres (K_i, G_i) at fraction f in a matrix
/// (K_m, G_m): exact to first order in f. Returns (K, G).
pub fn dilute_spheres(matrix: (f64, f64), incl: (f64, f64), f: f64) -> (f64, f64) {
    let (km, gm) = matrix;
    let (ki, gi) = incl;
    let num = 3.0 * km - 2.0 * gm;
    let nu_m = num / (2.0 * (3.0 * km + gm));
    let alpha = (1.0 + nu_m) / (3.0 * (1.0 - nu_m));
    let beta = 2.0 * (4.0 - 5.0 * nu_m) / (15.0 * (1.0 - nu_m));
    let k = km + f * (ki - km) / (1.0 + alpha * (ki - km) / km);
    let g = gm + f * (gi - gm) / (1.0 + beta * (gi - gm) / gm);
    (k, g)
}

/// Voigt and Reuss isotropic averages (K, G) of one anisotropic crystal over random orientations.
pub fn voigt_reuss_polycrystal(c: &[[f64; 6]; 6]) -> Result<(IsotropicModuli, IsotropicModuli)> {
    let r = IsotropicModuli::reuss(c).ok_or_else(|| invalid("stiffness", format!("{c:?}"), "is singular"))?;
    Ok((IsotropicModuli::project(c), r))
}

/// Self-consistent estimate (Hershey 1954, Kröner 1958) of a random polycrystal of cubic grains:
/// K = (C11 + 2 C12)/3 and G the positive root of
/// 8G³ + (5C11 + 4C12)G² − C44(7C11 − 4C12)G − C44(C11 − C12)(C11 + 2C12) = 0.
pub fn self_consistent_cubic(c11: f64, c12: f64, c44: f64) -> Result<IsotropicModuli> {
    if !(c11 > c12.abs() && c11 + 2.0 * c12 > 0.0 && c44 > 0.0) {
        return Err(invalid("cubic constants", format!("C11={c11}, C12={c12}, C44={c44}"), "are not positive definite"));
    }
    let f = |g: f64| 8.0 * g.powi(3) + (5.0 * c11 + 4.0 * c12) * g * g - c44 * (7.0 * c11 - 4.0 * c12) * g - c44 * (c11 - c12) * (c11 + 2.0 * c12);
    // f(0) < 0 and f → +∞: bisection on [0, max(C11, C44)].
    let (mut lo, mut hi) = (0.0, c11.max(c44).max(c11 - c12));
    while f(hi) < 0.0 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(IsotropicModuli::from_k_g((c11 + 2.0 * c12) / 3.0, 0.5 * (lo + hi)))
}

/// Bulk and shear moduli (K, G) of an isotropic phase from E (GPa) and ν.
pub fn k_g_from_e_nu(e: f64, nu: f64) -> (f64, f64) {
    (e / (3.0 * (1.0 - 2.0 * nu)), e / (2.0 * (1.0 + nu)))
}

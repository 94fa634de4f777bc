//! The Voigt stiffness toolbox shared by the md and continuum engines.
//!
//! Voigt order xx yy zz yz xz xy everywhere; stiffnesses in any one unit (GPa in results).
//! Inverse (compliance), rotation of a 6×6 stiffness by a 3×3 rotation, Voigt/Reuss/Hill bulk
//! and shear moduli, Born stability, and the moduli derived from them (Young's modulus,
//! Poisson's ratio, Pugh ratio, Zener and universal anisotropy, sound velocities, Debye
//! temperature).

// Index loops mirror the tensor formulas (C_ijkl, Gauss–Jordan, Jacobi) they implement.
#![allow(clippy::needless_range_loop)]

use crate::units;
use serde::{Deserialize, Serialize};

/// A 6×6 Voigt stiffness (or compliance) matrix.
pub type Stiffness = [[f64; 6]; 6];
/// A rank-4 tensor `t[i][j][k][l]`.
pub type Tensor4 = [[[[f64; 3]; 3]; 3]; 3];

/// Inverse of an n×n matrix by Gauss–Jordan with partial pivoting; `None` if singular (a pivot
/// below 1e-13 of the largest entry) or if the matrix is zero or not finite.
pub fn invert<const N: usize>(a: &[[f64; N]; N]) -> Option<[[f64; N]; N]> {
    let mut m = *a;
    let mut inv = [[0.0; N]; N];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let scale = a.iter().flatten().fold(0.0f64, |s, v| s.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return None;
    }
    for col in 0..N {
        let mut piv = col;
        for r in col + 1..N {
            if m[r][col].abs() > m[piv][col].abs() {
                piv = r;
            }
        }
        if m[piv][col].abs() <= 1e-13 * scale {
            return None;
        }
        m.swap(col, piv);
        inv.swap(col, piv);
        let d = m[col][col];
        for c in 0..N {
            m[col][c] /= d;
            inv[col][c] /= d;
        }
        for r in 0..N {
            if r != col {
                let f = m[r][col];
                if f != 0.0 {
                    for c in 0..N {
                        m[r][c] -= f * m[col][c];
                        inv[r][c] -= f * inv[col][c];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// True when the symmetric matrix is positive definite (Cholesky succeeds with a relative
/// floor of 1e-12 of the largest diagonal entry).
pub fn is_positive_definite<const N: usize>(a: &[[f64; N]; N]) -> bool {
    let scale = (0..N).fold(0.0f64, |s, i| s.max(a[i][i].abs()));
    if scale <= 0.0 || !scale.is_finite() {
        return false;
    }
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let mut s = a[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            if i == j {
                if s <= 1e-12 * scale {
                    return false;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    true
}

/// Eigenvalues of a symmetric 6×6 matrix (cyclic Jacobi), ascending.
pub fn eigenvalues6(c: &Stiffness) -> Vec<f64> {
    let mut a = *c;
    for _sweep in 0..100 {
        let off: f64 = (0..6).flat_map(|i| (0..6).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i][j] * a[i][j]).sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..6 {
            for q in p + 1..6 {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let cs = 1.0 / (t * t + 1.0).sqrt();
                let sn = t * cs;
                for k in 0..6 {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = cs * akp - sn * akq;
                    a[k][q] = sn * akp + cs * akq;
                }
                for k in 0..6 {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = cs * apk - sn * aqk;
                    a[q][k] = sn * apk + cs * aqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..6).map(|i| a[i][i]).collect();
    ev.sort_by(|x, y| x.total_cmp(y));
    ev
}

/// Born (mechanical) stability of a crystal of any symmetry: every eigenvalue of the symmetric
/// stiffness is positive (the strain energy is positive definite).
pub fn born_stable(c: &Stiffness) -> bool {
    eigenvalues6(c).iter().all(|&e| e > 0.0)
}

/// Born stability of a cubic crystal in closed form: C11 − C12 > 0, C11 + 2 C12 > 0, C44 > 0.
pub fn born_stable_cubic(c11: f64, c12: f64, c44: f64) -> bool {
    c11 - c12 > 0.0 && c11 + 2.0 * c12 > 0.0 && c44 > 0.0
}

/// Cubic stiffness matrix from C11, C12, C44.
pub fn cubic(c11: f64, c12: f64, c44: f64) -> Stiffness {
    let mut c = [[0.0; 6]; 6];
    for i in 0..3 {
        for j in 0..3 {
            c[i][j] = if i == j { c11 } else { c12 };
        }
        c[i + 3][i + 3] = c44;
    }
    c
}

/// Isotropic stiffness matrix from the bulk modulus `k` and the shear modulus `g`
/// (λ = K − 2G/3: C11 = λ + 2G, C12 = λ, C44 = G).
pub fn isotropic(k: f64, g: f64) -> Stiffness {
    let lambda = k - 2.0 * g / 3.0;
    cubic(lambda + 2.0 * g, lambda, g)
}

/// Voigt index of the symmetric pair (i, j): xx yy zz yz xz xy.
pub fn voigt_index(i: usize, j: usize) -> usize {
    match (i, j) {
        (0, 0) => 0,
        (1, 1) => 1,
        (2, 2) => 2,
        (1, 2) | (2, 1) => 3,
        (0, 2) | (2, 0) => 4,
        _ => 5,
    }
}

/// The rank-4 tensor of a Voigt stiffness.
pub fn to_tensor4(c: &Stiffness) -> Tensor4 {
    let mut t = [[[[0.0; 3]; 3]; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            for k in 0..3 {
                for l in 0..3 {
                    t[i][j][k][l] = c[voigt_index(i, j)][voigt_index(k, l)];
                }
            }
        }
    }
    t
}

/// The Voigt matrix of a rank-4 stiffness tensor with the minor symmetries.
pub fn from_tensor4(t: &Tensor4) -> Stiffness {
    let pairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)];
    let mut c = [[0.0; 6]; 6];
    for (a, &(i, j)) in pairs.iter().enumerate() {
        for (b, &(k, l)) in pairs.iter().enumerate() {
            c[a][b] = t[i][j][k][l];
        }
    }
    c
}

/// C'_ijkl = R_ia R_jb R_kc R_ld C_abcd, one index at a time.
pub fn rotate_tensor4(t: &Tensor4, r: &[[f64; 3]; 3]) -> Tensor4 {
    let mut a = *t;
    for slot in 0..4 {
        let mut b = [[[[0.0; 3]; 3]; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                for k in 0..3 {
                    for l in 0..3 {
                        let mut s = 0.0;
                        for m in 0..3 {
                            let (v, rr) = match slot {
                                0 => (a[m][j][k][l], r[i][m]),
                                1 => (a[i][m][k][l], r[j][m]),
                                2 => (a[i][j][m][l], r[k][m]),
                                _ => (a[i][j][k][m], r[l][m]),
                            };
                            s += rr * v;
                        }
                        b[i][j][k][l] = s;
                    }
                }
            }
        }
        a = b;
    }
    a
}

/// The stiffness `c` rotated by the rotation matrix `r` (crystal → sample frame):
/// C' = R⊗R⊗R⊗R : C.
pub fn rotate(c: &Stiffness, r: &[[f64; 3]; 3]) -> Stiffness {
    from_tensor4(&rotate_tensor4(&to_tensor4(c), r))
}

/// Voigt (uniform strain) bulk and shear moduli of a stiffness: (K_V, G_V). Equal to the
/// orthogonal projection of `c` onto the isotropic tensors.
pub fn voigt_bulk_shear(c: &Stiffness) -> (f64, f64) {
    let a = c[0][0] + c[1][1] + c[2][2];
    let b = c[0][1] + c[1][2] + c[0][2];
    let s = c[3][3] + c[4][4] + c[5][5];
    ((a + 2.0 * b) / 9.0, (a - b + 3.0 * s) / 15.0)
}

/// Reuss (uniform stress) bulk and shear moduli from a compliance `s` = C⁻¹: (K_R, G_R).
pub fn reuss_bulk_shear(s: &Stiffness) -> (f64, f64) {
    let a = s[0][0] + s[1][1] + s[2][2];
    let b = s[0][1] + s[1][2] + s[0][2];
    let d = s[3][3] + s[4][4] + s[5][5];
    (1.0 / (a + 2.0 * b), 15.0 / (4.0 * a - 4.0 * b + 3.0 * d))
}

/// Young's modulus and Poisson's ratio of an isotropic solid from its bulk and shear moduli.
pub fn young_poisson(k: f64, g: f64) -> (f64, f64) {
    (9.0 * k * g / (3.0 * k + g), (3.0 * k - 2.0 * g) / (2.0 * (3.0 * k + g)))
}

/// Zener anisotropy ratio 2 C44 / (C11 − C12) (1 for an isotropic solid).
pub fn zener_anisotropy(c: &Stiffness) -> f64 {
    2.0 * c[3][3] / (c[0][0] - c[0][1])
}

/// Voigt, Reuss and Hill (their mean) bulk and shear moduli of one stiffness.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vrh {
    pub bulk_voigt: f64,
    pub bulk_reuss: f64,
    pub bulk_hill: f64,
    pub shear_voigt: f64,
    pub shear_reuss: f64,
    pub shear_hill: f64,
}

impl Vrh {
    /// The averages of `c`; `None` when `c` is singular (no compliance).
    pub fn of(c: &Stiffness) -> Option<Self> {
        let s = invert(c)?;
        let (bv, gv) = voigt_bulk_shear(c);
        let (br, gr) = reuss_bulk_shear(&s);
        Some(Vrh { bulk_voigt: bv, bulk_reuss: br, bulk_hill: 0.5 * (bv + br), shear_voigt: gv, shear_reuss: gr, shear_hill: 0.5 * (gv + gr) })
    }
    /// Young's modulus and Poisson's ratio of the Hill moduli.
    pub fn young_poisson(&self) -> (f64, f64) {
        young_poisson(self.bulk_hill, self.shear_hill)
    }
    /// Pugh ratio G_H / K_H (above ~0.57: brittle).
    pub fn pugh_ratio(&self) -> f64 {
        self.shear_hill / self.bulk_hill
    }
    /// Universal anisotropy index 5 G_V/G_R + K_V/K_R − 6 (Ranganathan & Ostoja-Starzewski 2008;
    /// 0 for an isotropic solid).
    pub fn universal_anisotropy(&self) -> f64 {
        5.0 * self.shear_voigt / self.shear_reuss + self.bulk_voigt / self.bulk_reuss - 6.0
    }
}

/// Isotropic moduli, GPa (ν dimensionless).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsotropicModuli {
    #[serde(rename = "E_GPa")]
    pub e_gpa: f64,
    pub nu: f64,
    #[serde(rename = "K_GPa")]
    pub k_gpa: f64,
    #[serde(rename = "G_GPa")]
    pub g_gpa: f64,
}

impl IsotropicModuli {
    /// From bulk and shear moduli.
    pub fn from_k_g(k: f64, g: f64) -> Self {
        let (e, nu) = young_poisson(k, g);
        IsotropicModuli { e_gpa: e, nu, k_gpa: k, g_gpa: g }
    }

    /// Isotropic projection of a Voigt stiffness (orthogonal projection onto the isotropic
    /// tensors: K = C_iijj/9, G from the deviatoric trace), equal to the Voigt average of C.
    pub fn project(c: &Stiffness) -> Self {
        let (k, g) = voigt_bulk_shear(c);
        Self::from_k_g(k, g)
    }

    /// Reuss average of C (uniform stress); `None` when `c` is singular.
    pub fn reuss(c: &Stiffness) -> Option<Self> {
        let (k, g) = reuss_bulk_shear(&invert(c)?);
        Some(Self::from_k_g(k, g))
    }
}

/// Longitudinal, transverse and mean sound velocities of an isotropic solid, m/s.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoundVelocities {
    pub longitudinal: f64,
    pub transverse: f64,
    pub mean: f64,
}

impl SoundVelocities {
    /// From the bulk and shear moduli (GPa) and the mass density (g/cm³); `None` unless all
    /// three are positive.
    pub fn of(k: f64, g: f64, density: f64) -> Option<Self> {
        if !(k > 0.0 && g > 0.0 && density > 0.0) {
            return None;
        }
        let vl = ((k + 4.0 * g / 3.0) / density * units::GPA_PER_G_CM3_IN_M2_PER_S2).sqrt();
        let vt = (g / density * units::GPA_PER_G_CM3_IN_M2_PER_S2).sqrt();
        let vm = (3.0 / (2.0 / vt.powi(3) + 1.0 / vl.powi(3))).cbrt();
        Some(SoundVelocities { longitudinal: vl, transverse: vt, mean: vm })
    }

    /// Debye temperature, K, of a solid with this mean sound velocity and `number_density`
    /// atoms per Å³: Θ_D = h/k_B (3n/4π)^(1/3) v_m.
    pub fn debye_temperature(&self, number_density: f64) -> f64 {
        let n = number_density * units::PER_A3_IN_PER_M3;
        units::PLANCK_J_S / units::BOLTZMANN_J_PER_K * (3.0 * n / (4.0 * std::f64::consts::PI)).cbrt() * self.mean
    }
}

#[cfg(test)]
mod tests;

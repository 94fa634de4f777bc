//! Small dense linear algebra (6×6 and 3×3) and tensor index helpers.

pub(crate) const SQRT2: f64 = std::f64::consts::SQRT_2;
/// Mandel weights: Mandel component = Voigt tensor component × weight (shear ×√2).
pub(crate) const MANDEL_W: [f64; 6] = [1.0, 1.0, 1.0, SQRT2, SQRT2, SQRT2];

/// Voigt index of the symmetric pair (i, j): xx yy zz yz xz xy.
pub(crate) fn voigt(i: usize, j: usize) -> usize {
    match (i, j) {
        (0, 0) => 0,
        (1, 1) => 1,
        (2, 2) => 2,
        (1, 2) | (2, 1) => 3,
        (0, 2) | (2, 0) => 4,
        _ => 5,
    }
}

/// Inverse of an n×n matrix by Gauss–Jordan with partial pivoting; None if singular.
pub(crate) fn invert<const N: usize>(a: &[[f64; N]; N]) -> Option<[[f64; N]; N]> {
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

/// True when the symmetric matrix is positive definite (Cholesky succeeds with a relative floor).
pub(crate) fn is_positive_definite<const N: usize>(a: &[[f64; N]; N]) -> bool {
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

pub(crate) fn max_asymmetry<const N: usize>(a: &[[f64; N]; N]) -> f64 {
    let scale = a.iter().flatten().fold(0.0f64, |s, v| s.max(v.abs())).max(1e-300);
    let mut m = 0.0f64;
    for i in 0..N {
        for j in 0..N {
            m = m.max((a[i][j] - a[j][i]).abs() / scale);
        }
    }
    m
}

pub(crate) fn symmetrize<const N: usize>(a: &mut [[f64; N]; N]) {
    for i in 0..N {
        for j in i + 1..N {
            let m = 0.5 * (a[i][j] + a[j][i]);
            a[i][j] = m;
            a[j][i] = m;
        }
    }
}

pub(crate) fn voigt_to_mandel(c: &[[f64; 6]; 6]) -> [[f64; 6]; 6] {
    let mut m = [[0.0; 6]; 6];
    for i in 0..6 {
        for j in 0..6 {
            m[i][j] = c[i][j] * MANDEL_W[i] * MANDEL_W[j];
        }
    }
    m
}

#[allow(dead_code)]
pub(crate) fn mandel_to_voigt(m: &[[f64; 6]; 6]) -> [[f64; 6]; 6] {
    let mut c = [[0.0; 6]; 6];
    for i in 0..6 {
        for j in 0..6 {
            c[i][j] = m[i][j] / (MANDEL_W[i] * MANDEL_W[j]);
        }
    }
    c
}

pub(crate) type Tensor4 = [[[[f64; 3]; 3]; 3]; 3];

pub(crate) fn voigt_to_tensor4(c: &[[f64; 6]; 6]) -> Tensor4 {
    let mut t = [[[[0.0; 3]; 3]; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            for k in 0..3 {
                for l in 0..3 {
                    t[i][j][k][l] = c[voigt(i, j)][voigt(k, l)];
                }
            }
        }
    }
    t
}

pub(crate) fn tensor4_to_voigt(t: &Tensor4) -> [[f64; 6]; 6] {
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
pub(crate) fn rotate_tensor4(t: &Tensor4, r: &[[f64; 3]; 3]) -> Tensor4 {
    let mut a = *t;
    for slot in 0..4 {
        let mut b = [[[[0.0; 3]; 3]; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                for k in 0..3 {
                    for l in 0..3 {
                        let mut s = 0.0;
                        for m in 0..3 {
                            let v = match slot {
                                0 => a[m][j][k][l],
                                1 => a[i][m][k][l],
                                2 => a[i][j][m][l],
                                _ => a[i][j][k][m],
                            };
                            let rr = match slot {
                                0 => r[i][m],
                                1 => r[j][m],
                                2 => r[k][m],
                                _ => r[l][m],
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

pub(crate) fn rotate_tensor2(k: &[[f64; 3]; 3], r: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut out = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let mut s = 0.0;
            for a in 0..3 {
                for b in 0..3 {
                    s += r[i][a] * r[j][b] * k[a][b];
                }
            }
            out[i][j] = s;
        }
    }
    out
}

/// Rotation matrix from a unit quaternion (w, x, y, z).
pub(crate) fn quat_to_matrix(q: [f64; 4]) -> [[f64; 3]; 3] {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt().max(1e-300);
    let (w, x, y, z) = (q[0] / n, q[1] / n, q[2] / n, q[3] / n);
    [
        [1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - w * z), 2.0 * (x * z + w * y)],
        [2.0 * (x * y + w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - w * x)],
        [2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y)],
    ]
}

/// Rotation by `angle` about the unit axis `a` (Rodrigues).
pub(crate) fn axis_angle(a: [f64; 3], angle: f64) -> [[f64; 3]; 3] {
    let n = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt().max(1e-300);
    let h = 0.5 * angle;
    let s = h.sin() / n;
    quat_to_matrix([h.cos(), a[0] * s, a[1] * s, a[2] * s])
}

pub(crate) fn matmul3(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut c = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            c[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    c
}

pub(crate) fn matvec<const N: usize>(a: &[[f64; N]; N], x: &[f64; N]) -> [f64; N] {
    let mut y = [0.0; N];
    for i in 0..N {
        let mut s = 0.0;
        for j in 0..N {
            s += a[i][j] * x[j];
        }
        y[i] = s;
    }
    y
}

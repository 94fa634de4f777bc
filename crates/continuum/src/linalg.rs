//! Small dense linear algebra (6×6 and 3×3) and tensor index helpers. The inverse and the
//! positive-definiteness test are the core's Voigt toolbox (`scalebridge_core::voigt`).

pub(crate) use scalebridge_core::voigt::{invert, is_positive_definite};

pub(crate) const SQRT2: f64 = std::f64::consts::SQRT_2;
/// Mandel weights: Mandel component = Voigt tensor component × weight (shear ×√2).
pub(crate) const MANDEL_W: [f64; 6] = [1.0, 1.0, 1.0, SQRT2, SQRT2, SQRT2];

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

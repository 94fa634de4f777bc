//! LAMMPS's interpolation of EAM tables: the 7-coefficient cubic spline of
//! `PairEAM::interpolate` (every table) and the four-point Lagrange regridding of `file2array`
//! (funcfl files).

/// LAMMPS's 7-coefficient cubic spline knot: `[3c/Δ, 2b/Δ, a/Δ, c, b, a, f]` so that
/// value = `((k3 p + k4) p + k5) p + k6` and derivative = `(k0 p + k1) p + k2`.
pub type Knot = [f64; 7];

/// LAMMPS `PairEAM::interpolate`: spline coefficients of `f` (n values, spacing `delta`).
pub fn interpolate(f: &[f64], delta: f64) -> Vec<Knot> {
    let n = f.len();
    let mut s = vec![[0.0; 7]; n];
    for m in 0..n {
        s[m][6] = f[m];
    }
    // 1-based LAMMPS indices m ↦ m-1 here.
    s[0][5] = s[1][6] - s[0][6];
    s[1][5] = 0.5 * (s[2][6] - s[0][6]);
    s[n - 2][5] = 0.5 * (s[n - 1][6] - s[n - 3][6]);
    s[n - 1][5] = s[n - 1][6] - s[n - 2][6];
    for m in 2..n - 2 {
        s[m][5] = ((s[m - 2][6] - s[m + 2][6]) + 8.0 * (s[m + 1][6] - s[m - 1][6])) / 12.0;
    }
    for m in 0..n - 1 {
        s[m][4] = 3.0 * (s[m + 1][6] - s[m][6]) - 2.0 * s[m][5] - s[m + 1][5];
        s[m][3] = s[m][5] + s[m + 1][5] - 2.0 * (s[m + 1][6] - s[m][6]);
    }
    s[n - 1][4] = 0.0;
    s[n - 1][3] = 0.0;
    for k in s.iter_mut() {
        k[2] = k[5] / delta;
        k[1] = 2.0 * k[4] / delta;
        k[0] = 3.0 * k[3] / delta;
    }
    s
}

/// Four-point Lagrange interpolation of a 1-based table `f` (index 1..=n, spacing `df`) at `x`,
/// exactly as LAMMPS `file2array`.
pub fn lagrange(f: &[f64], df: f64, x: f64) -> f64 {
    let sixth = 1.0 / 6.0;
    let n = f.len() as i64; // f is 0-based here: f[k-1] is LAMMPS f[k]
    let mut p = x / df + 1.0;
    let mut k = p as i64;
    k = k.min(n - 2);
    k = k.max(2);
    p -= k as f64;
    p = p.min(2.0);
    let cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
    let cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
    let cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
    let cof4 = sixth * p * (p * p - 1.0);
    let k = k as usize;
    cof1 * f[k - 2] + cof2 * f[k - 1] + cof3 * f[k] + cof4 * f[k + 1]
}

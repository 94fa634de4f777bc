//! Atoms → fields by kernel averaging (Hardy-style, normalised): displacement, small strain,
//! virial stress and temperature at arbitrary points.
//!
//! With the compact Lucy kernel `w(r) = (1 + 3r/h)(1 − r/h)³` (r < h) and weights `w_i` of the
//! atoms' **reference** positions `X_i` around the point `x`:
//! - displacement `ū = Σ w_i u_i / Σ w_i`;
//! - displacement gradient `G` by weighted least squares, `u_i ≈ ū + G (X_i − X̄)`
//!   (`X̄` the weighted mean position), strain `ε = sym G` (Voigt, engineering shears); a linear
//!   field is reproduced exactly;
//! - virial stress `σ = −Σ w_i (W_i + m_i δv_i ⊗ δv_i) / (Ω Σ w_i)` with the per-atom virials
//!   `W_i` (eV, LAMMPS sign, Voigt) and the atomic volume `Ω`; GPa, tension positive; δv the
//!   velocity relative to the kernel-averaged one (the kinetic part is included when velocities
//!   are given);
//! - temperature `T = Σ w_i m_i |δv_i|² / (3 k_B Σ w_i)`.

use crate::error::{invalid, Result};
use scalebridge_core::units::{BOLTZMANN, EV_PER_A3_IN_GPA, MVV2E};
use scalebridge_md::cell::Vec3;
use serde::{Deserialize, Serialize};

/// The atoms to average.
#[derive(Clone, Copy, Debug)]
pub struct AtomData<'a> {
    /// Reference positions, Å.
    pub reference: &'a [Vec3],
    /// Displacements from the reference, Å.
    pub displacements: &'a [Vec3],
    /// Masses, amu.
    pub masses: &'a [f64],
    /// Velocities, Å/ps (for the kinetic stress and the temperature).
    pub velocities: Option<&'a [Vec3]>,
    /// Per-atom virials, eV, Voigt xx yy zz yz xz xy (LAMMPS sign: stress = −W/V).
    pub virials: Option<&'a [[f64; 6]]>,
    /// Volume per atom, Å³ (for the stress).
    pub atomic_volume: Option<f64>,
}

/// Fields at one point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FieldPoint {
    pub point: Vec3,
    /// Atoms inside the kernel and the sum of their weights.
    pub n_atoms: usize,
    pub weight: f64,
    /// Kernel-averaged displacement, Å.
    pub displacement: Vec3,
    /// Small strain, Voigt (engineering shears); `None` when the atoms in the kernel do not span
    /// three dimensions.
    pub strain: Option<[f64; 6]>,
    /// Virial stress, GPa, tension positive (when virials and the atomic volume are given).
    pub stress_gpa: Option<[f64; 6]>,
    /// Temperature, K (when velocities are given).
    pub temperature_k: Option<f64>,
}

/// The Lucy kernel of radius `h` (unnormalised: the averages divide by Σ w).
pub fn lucy(r: f64, h: f64) -> f64 {
    if r >= h {
        return 0.0;
    }
    let q = r / h;
    (1.0 + 3.0 * q) * (1.0 - q).powi(3)
}

fn inverse3(a: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    if !(det.abs() > 1e-10 * scale.powi(3)) {
        return None;
    }
    let mut inv = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let (i1, i2) = ((j + 1) % 3, (j + 2) % 3);
            let (j1, j2) = ((i + 1) % 3, (i + 2) % 3);
            inv[i][j] = (a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1]) / det;
        }
    }
    Some(inv)
}

/// Kernel-averaged fields at `points` with kernel radius `radius` Å.
pub fn kernel_fields(atoms: &AtomData<'_>, points: &[Vec3], radius: f64) -> Result<Vec<FieldPoint>> {
    let n = atoms.reference.len();
    if !(radius > 0.0 && radius.is_finite()) {
        return Err(invalid("radius", radius, "the kernel radius must be positive (Å)"));
    }
    if atoms.displacements.len() != n || atoms.masses.len() != n {
        return Err(invalid("atoms", n, "reference positions, displacements and masses need one entry per atom"));
    }
    if atoms.velocities.is_some_and(|v| v.len() != n) || atoms.virials.is_some_and(|v| v.len() != n) {
        return Err(invalid("atoms", n, "velocities and virials need one entry per atom"));
    }
    if let Some(om) = atoms.atomic_volume {
        if !(om > 0.0 && om.is_finite()) {
            return Err(invalid("atomic_volume", om, "must be positive (Å³)"));
        }
    }
    let mut out = Vec::with_capacity(points.len());
    for &p in points {
        let mut idx = Vec::new();
        let mut wts = Vec::new();
        for (i, x) in atoms.reference.iter().enumerate() {
            let r = ((x[0] - p[0]).powi(2) + (x[1] - p[1]).powi(2) + (x[2] - p[2]).powi(2)).sqrt();
            let w = lucy(r, radius);
            if w > 0.0 {
                idx.push(i);
                wts.push(w);
            }
        }
        let wsum: f64 = wts.iter().sum();
        if idx.is_empty() {
            return Err(invalid("points", format!("{p:?}"), "no atom within the kernel radius of this point"));
        }
        let avg = |f: &dyn Fn(usize) -> Vec3| -> Vec3 {
            let mut s = [0.0; 3];
            for (&i, &w) in idx.iter().zip(&wts) {
                let v = f(i);
                for d in 0..3 {
                    s[d] += w * v[d];
                }
            }
            s.map(|v| v / wsum)
        };
        let ubar = avg(&|i| atoms.displacements[i]);
        let xbar = avg(&|i| atoms.reference[i]);
        let mut a = [[0.0; 3]; 3];
        let mut b = [[0.0; 3]; 3];
        for (&i, &w) in idx.iter().zip(&wts) {
            let dx: Vec3 = std::array::from_fn(|d| atoms.reference[i][d] - xbar[d]);
            let du: Vec3 = std::array::from_fn(|d| atoms.displacements[i][d] - ubar[d]);
            for r in 0..3 {
                for c in 0..3 {
                    a[r][c] += w * dx[r] * dx[c];
                    b[r][c] += w * du[r] * dx[c];
                }
            }
        }
        let strain = inverse3(&a).map(|ai| {
            let mut g = [[0.0; 3]; 3];
            for r in 0..3 {
                for c in 0..3 {
                    g[r][c] = (0..3).map(|k| b[r][k] * ai[k][c]).sum();
                }
            }
            [g[0][0], g[1][1], g[2][2], g[1][2] + g[2][1], g[0][2] + g[2][0], g[0][1] + g[1][0]]
        });
        let vbar = atoms.velocities.map(|v| avg(&|i| v[i]));
        let kinetic = |i: usize| -> [f64; 6] {
            match (atoms.velocities, vbar) {
                (Some(v), Some(vb)) => {
                    let d: Vec3 = std::array::from_fn(|k| v[i][k] - vb[k]);
                    let m = atoms.masses[i] * MVV2E;
                    [m * d[0] * d[0], m * d[1] * d[1], m * d[2] * d[2], m * d[1] * d[2], m * d[0] * d[2], m * d[0] * d[1]]
                }
                _ => [0.0; 6],
            }
        };
        let stress_gpa = match (atoms.virials, atoms.atomic_volume) {
            (Some(wv), Some(om)) => {
                let mut s = [0.0; 6];
                for (&i, &w) in idx.iter().zip(&wts) {
                    let k = kinetic(i);
                    for c in 0..6 {
                        s[c] -= w * (wv[i][c] + k[c]);
                    }
                }
                Some(s.map(|v| v / (om * wsum) * EV_PER_A3_IN_GPA))
            }
            _ => None,
        };
        let temperature_k = atoms.velocities.map(|_| {
            let e: f64 = idx.iter().zip(&wts).map(|(&i, &w)| {
                let k = kinetic(i);
                w * (k[0] + k[1] + k[2])
            }).sum();
            e / (3.0 * BOLTZMANN * wsum)
        });
        out.push(FieldPoint { point: p, n_atoms: idx.len(), weight: wsum, displacement: ubar, strain, stress_gpa, temperature_k });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lattice(n: i32, a: f64) -> Vec<Vec3> {
        let mut v = Vec::new();
        for i in -n..=n {
            for j in -n..=n {
                for k in -n..=n {
                    v.push([i as f64 * a, j as f64 * a + 0.1 * i as f64, k as f64 * a]);
                }
            }
        }
        v
    }

    #[test]
    fn linear_field_gives_exact_displacement_and_strain() {
        let x = lattice(4, 2.5);
        let h = [[0.01, 0.003, -0.002], [0.004, -0.005, 0.001], [0.0, 0.002, 0.006]];
        let c = [0.1, -0.2, 0.05];
        let u: Vec<Vec3> = x.iter().map(|p| std::array::from_fn(|r| c[r] + (0..3).map(|k| h[r][k] * p[k]).sum::<f64>())).collect();
        let m = vec![26.98; x.len()];
        let atoms = AtomData { reference: &x, displacements: &u, masses: &m, velocities: None, virials: None, atomic_volume: None };
        let pts = [[0.3, -0.7, 1.1], [2.0, 1.0, -1.5]];
        for f in kernel_fields(&atoms, &pts, 6.0).unwrap() {
            let e = f.strain.unwrap();
            let want = [h[0][0], h[1][1], h[2][2], h[1][2] + h[2][1], h[0][2] + h[2][0], h[0][1] + h[1][0]];
            for k in 0..6 {
                assert!((e[k] - want[k]).abs() < 1e-12, "{e:?} {want:?}");
            }
            // the average displacement is the field at the weighted mean position (linear field)
            assert!(f.n_atoms > 20 && f.stress_gpa.is_none() && f.temperature_k.is_none());
        }
        assert!(kernel_fields(&atoms, &[[100.0, 0.0, 0.0]], 6.0).is_err());
        assert!(kernel_fields(&atoms, &pts, -1.0).is_err());
    }

    #[test]
    fn uniform_virials_and_velocities_give_the_global_stress_and_temperature() {
        let x = lattice(3, 2.5);
        let n = x.len();
        let u = vec![[0.0; 3]; n];
        let m = vec![26.98; n];
        let w = vec![[-0.3, -0.2, -0.1, 0.01, 0.02, 0.03]; n];
        // alternating velocities: zero mean, every atom the same speed
        let v0 = 5.0;
        let v: Vec<Vec3> = (0..n).map(|i| if i % 2 == 0 { [v0, 0.0, 0.0] } else { [-v0, 0.0, 0.0] }).collect();
        let om = 16.5;
        let atoms = AtomData { reference: &x, displacements: &u, masses: &m, velocities: None, virials: Some(&w), atomic_volume: Some(om) };
        let f = &kernel_fields(&atoms, &[[0.0; 3]], 5.0).unwrap()[0];
        let s = f.stress_gpa.unwrap();
        for k in 0..6 {
            assert!((s[k] + w[0][k] / om * EV_PER_A3_IN_GPA).abs() < 1e-10, "{s:?}");
        }
        // a kernel covering every atom: the global temperature Σ m v² / (3 N k_B)
        let atoms = AtomData { velocities: Some(&v), ..atoms };
        let f = &kernel_fields(&atoms, &[[0.0; 3]], 1e4).unwrap()[0];
        let t_global = m[0] * MVV2E * v0 * v0 / (3.0 * BOLTZMANN);
        let vbar = (if n % 2 == 1 { v0 } else { 0.0 }) / n as f64; // odd count: one extra +v0
        let t_expect = t_global - m[0] * MVV2E * vbar * vbar / (3.0 * BOLTZMANN);
        let t = f.temperature_k.unwrap();
        assert!((t - t_expect).abs() < 1e-3 * t_expect, "{t} {t_expect}");
    }
}

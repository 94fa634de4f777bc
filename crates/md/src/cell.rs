//! Periodic triclinic simulation cells.
//!
//! The cell matrix `H` holds the lattice vectors **a**, **b**, **c** as rows (ASE convention), in Å.
//! Cartesian positions are `r = s · H` for fractional coordinates `s`.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub type Vec3 = [f64; 3];
pub type Mat3 = [[f64; 3]; 3];

#[inline]
pub fn dot(a: &Vec3, b: &Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
#[inline]
pub fn cross(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
#[inline]
pub fn norm(a: &Vec3) -> f64 {
    dot(a, a).sqrt()
}

/// A fully periodic triclinic cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Lattice vectors as rows, Å.
    matrix: Mat3,
    /// Inverse of `matrix` (columns are reciprocal vectors without 2π), 1/Å.
    inverse: Mat3,
}

impl Cell {
    /// Build a cell from lattice vectors (rows, Å). Rejects non-finite entries and cells whose
    /// volume is zero or negative (left-handed) relative to their edge lengths.
    pub fn new(matrix: Mat3) -> Result<Self> {
        for (k, row) in matrix.iter().enumerate() {
            for (l, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(Error::NonFinite { what: "cell component".into(), index: 3 * k + l });
                }
            }
        }
        let volume = dot(&matrix[0], &cross(&matrix[1], &matrix[2]));
        let scale = norm(&matrix[0]) * norm(&matrix[1]) * norm(&matrix[2]);
        if !(volume > 1e-9 * scale) || scale == 0.0 {
            let reason = if volume < 0.0 && volume.abs() > 1e-9 * scale {
                "lattice vectors are left-handed; reorder them"
            } else {
                "lattice vectors are (nearly) linearly dependent or zero"
            };
            return Err(Error::DegenerateCell { volume, reason: reason.into() });
        }
        let inverse = invert(&matrix, volume);
        Ok(Cell { matrix, inverse })
    }

    /// Orthorhombic cell with edge lengths `lx, ly, lz` (Å).
    pub fn orthorhombic(lx: f64, ly: f64, lz: f64) -> Result<Self> {
        Cell::new([[lx, 0.0, 0.0], [0.0, ly, 0.0], [0.0, 0.0, lz]])
    }

    /// Lattice vectors as rows, Å.
    pub fn matrix(&self) -> &Mat3 {
        &self.matrix
    }
    /// Inverse cell matrix, 1/Å.
    pub fn inverse(&self) -> &Mat3 {
        &self.inverse
    }
    /// Volume, Å³.
    pub fn volume(&self) -> f64 {
        dot(&self.matrix[0], &cross(&self.matrix[1], &self.matrix[2]))
    }
    /// Perpendicular widths (distance between opposite faces) along each lattice direction, Å.
    pub fn widths(&self) -> Vec3 {
        let v = self.volume();
        let h = &self.matrix;
        [v / norm(&cross(&h[1], &h[2])), v / norm(&cross(&h[2], &h[0])), v / norm(&cross(&h[0], &h[1]))]
    }
    /// Fractional coordinates of a Cartesian point.
    #[inline]
    pub fn fractional(&self, r: &Vec3) -> Vec3 {
        let m = &self.inverse;
        [
            r[0] * m[0][0] + r[1] * m[1][0] + r[2] * m[2][0],
            r[0] * m[0][1] + r[1] * m[1][1] + r[2] * m[2][1],
            r[0] * m[0][2] + r[1] * m[1][2] + r[2] * m[2][2],
        ]
    }
    /// Cartesian point of fractional coordinates.
    #[inline]
    pub fn cartesian(&self, s: &Vec3) -> Vec3 {
        let h = &self.matrix;
        [
            s[0] * h[0][0] + s[1] * h[1][0] + s[2] * h[2][0],
            s[0] * h[0][1] + s[1] * h[1][1] + s[2] * h[2][1],
            s[0] * h[0][2] + s[1] * h[1][2] + s[2] * h[2][2],
        ]
    }
    /// Apply a homogeneous deformation `r' = r · (I + ε)` to the lattice vectors (rows).
    pub fn deformed(&self, f: &Mat3) -> Result<Cell> {
        Cell::new(matmul(&self.matrix, f))
    }
}

/// Deformation gradient (row convention, `r' = r · F`) of a small symmetric strain with one
/// Voigt component `q` (xx yy zz yz xz xy) of size `e`; shear components are engineering strains
/// (`ε_ab = ε_ba = e/2`).
pub fn voigt_deformation(q: usize, e: f64) -> Mat3 {
    const PAIRS: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)];
    let (a, b) = PAIRS[q % 6];
    let mut f = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    if a == b {
        f[a][a] += e;
    } else {
        f[a][b] += 0.5 * e;
        f[b][a] += 0.5 * e;
    }
    f
}

/// 3×3 matrix product `a · b`.
pub fn matmul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut c = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        }
    }
    c
}

fn invert(h: &Mat3, det: f64) -> Mat3 {
    let c0 = cross(&h[1], &h[2]);
    let c1 = cross(&h[2], &h[0]);
    let c2 = cross(&h[0], &h[1]);
    // inverse = [c0 c1 c2] (as columns) / det
    [
        [c0[0] / det, c1[0] / det, c2[0] / det],
        [c0[1] / det, c1[1] / det, c2[1] / det],
        [c0[2] / det, c1[2] / det, c2[2] / det],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_roundtrip_and_widths() {
        let c = Cell::new([[4.0, 0.0, 0.0], [1.5, 3.5, 0.0], [-0.7, 0.9, 5.0]]).unwrap();
        let r = [1.234, -2.5, 3.75];
        let back = c.cartesian(&c.fractional(&r));
        for k in 0..3 {
            assert!((back[k] - r[k]).abs() < 1e-13);
        }
        // Lower-triangular (LAMMPS) cell: widths are lz, ly*lz/.. etc; check the c-width is lz.
        assert!((c.widths()[2] - 5.0).abs() < 1e-12);
        assert!((c.volume() - 4.0 * 3.5 * 5.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_degenerate() {
        assert!(Cell::new([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]]).is_err());
        assert!(Cell::new([[0.0; 3]; 3]).is_err());
        assert!(Cell::new([[f64::NAN, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).is_err());
        assert!(Cell::new([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]).is_err());
    }
}

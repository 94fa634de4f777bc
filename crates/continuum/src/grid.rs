//! Periodic voxel grids holding one phase index per voxel.
//!
//! Layout: C order, `index = (i * ny + j) * nz + k` with i along x, j along y, k along z, i.e. the
//! same as a numpy array of shape (nx, ny, nz).

use crate::error::{ContinuumError, Result};
use crate::material::Material;
use serde::{Deserialize, Serialize};

/// A voxel grid of phase indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    dims: [usize; 3],
    /// Edge length of one cubic voxel in metres (only matters for component and heat analysis).
    pub voxel_size_m: f64,
    phases: Vec<u16>,
}

/// Largest grid accepted (voxels), so that a typo cannot allocate terabytes.
pub const MAX_VOXELS: usize = 1 << 30;

impl Grid {
    /// Build a grid; `phases.len()` must equal `dims[0]*dims[1]*dims[2]`.
    pub fn new(dims: [usize; 3], phases: Vec<u16>) -> Result<Self> {
        if dims.iter().any(|&d| d == 0) {
            return Err(ContinuumError::InvalidGrid { reason: format!("dimensions {dims:?} contain a zero") });
        }
        let n = dims[0].checked_mul(dims[1]).and_then(|x| x.checked_mul(dims[2])).filter(|&n| n <= MAX_VOXELS);
        let n = n.ok_or_else(|| ContinuumError::InvalidGrid { reason: format!("dimensions {dims:?} exceed {MAX_VOXELS} voxels") })?;
        if phases.len() != n {
            return Err(ContinuumError::InvalidGrid { reason: format!("{} phase values for a {dims:?} grid of {n} voxels", phases.len()) });
        }
        Ok(Grid { dims, voxel_size_m: 1.0, phases })
    }

    /// A grid filled with one phase.
    pub fn uniform(dims: [usize; 3], phase: u16) -> Result<Self> {
        let n = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).unwrap_or(usize::MAX);
        if n == 0 || n > MAX_VOXELS {
            return Err(ContinuumError::InvalidGrid { reason: format!("dimensions {dims:?} are empty or exceed {MAX_VOXELS} voxels") });
        }
        Grid::new(dims, vec![phase; n])
    }

    /// Set the voxel edge length in metres.
    pub fn with_voxel_size(mut self, h_m: f64) -> Result<Self> {
        if !(h_m > 0.0 && h_m.is_finite()) {
            return Err(crate::error::invalid("voxel_size_m", h_m, "must be positive and finite"));
        }
        self.voxel_size_m = h_m;
        Ok(self)
    }

    /// Grid dimensions (nx, ny, nz).
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.phases.len()
    }

    /// Never true for a constructed grid.
    pub fn is_empty(&self) -> bool {
        self.phases.is_empty()
    }

    /// Phase indices in C order.
    pub fn phases(&self) -> &[u16] {
        &self.phases
    }

    /// Mutable phase indices.
    pub fn phases_mut(&mut self) -> &mut [u16] {
        &mut self.phases
    }

    /// Linear index of voxel (i, j, k).
    #[inline]
    pub fn index(&self, i: usize, j: usize, k: usize) -> usize {
        (i * self.dims[1] + j) * self.dims[2] + k
    }

    /// Largest phase index + 1.
    pub fn n_phases(&self) -> usize {
        self.phases.iter().copied().max().map_or(0, |m| m as usize + 1)
    }

    /// Volume fraction of each phase 0..n.
    pub fn phase_fractions(&self, n: usize) -> Vec<f64> {
        let mut c = vec![0usize; n.max(self.n_phases())];
        for &p in &self.phases {
            c[p as usize] += 1;
        }
        c.iter().map(|&x| x as f64 / self.len() as f64).collect()
    }

    /// Check the grid against a phase table for an elastic (`thermal = false`) or thermal problem:
    /// the table is non-empty and physical, every index is in range and some voxel carries load.
    pub fn check(&self, materials: &[Material], thermal: bool) -> Result<()> {
        crate::material::validate_table(materials)?;
        let n = self.n_phases();
        if n > materials.len() {
            return Err(ContinuumError::InvalidGrid {
                reason: format!("the grid uses phase index {} but the phase table has {} entries", n - 1, materials.len()),
            });
        }
        let fr = self.phase_fractions(materials.len());
        let solid: f64 = fr
            .iter()
            .zip(materials)
            .filter(|(_, m)| if thermal { !m.is_void_thermal() } else { !m.is_void_elastic() })
            .map(|(f, _)| *f)
            .sum();
        if solid <= 0.0 {
            return Err(ContinuumError::NoMatrixPhase {
                reason: format!("every voxel is a {} void", if thermal { "thermal" } else { "elastic" }),
            });
        }
        Ok(())
    }
}

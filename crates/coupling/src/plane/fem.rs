//! Plane-strain linear-triangle (constant-strain) elements and the Dirichlet-condensed linear
//! solve of the continuum region, factored once with faer's sparse Cholesky.

use super::mesh::TriMesh;
use crate::error::{invalid, CouplingError, Result};
use faer::linalg::solvers::Solve;
use faer::sparse::linalg::solvers::Llt;
use faer::sparse::{SparseColMat, Triplet};
use faer::{Mat, Side};
use std::collections::BTreeMap;

/// In-plane stiffness (eV/Å³) of plane strain, engineering shear: rows/columns xx, yy, xy, taken
/// from a full Voigt stiffness (xx yy zz yz xz xy).
pub fn plane_strain_d(c_voigt: &[[f64; 6]; 6]) -> [[f64; 3]; 3] {
    let idx = [0usize, 1, 5];
    let mut d = [[0.0; 3]; 3];
    for (a, &p) in idx.iter().enumerate() {
        for (b, &q) in idx.iter().enumerate() {
            d[a][b] = c_voigt[p][q];
        }
    }
    d
}

/// Strain–displacement matrix (3×6) and area of triangle `t`.
pub fn bmatrix(mesh: &TriMesh, t: usize) -> ([[f64; 6]; 3], f64) {
    let n = mesh.tris[t];
    let p = [mesh.nodes[n[0]], mesh.nodes[n[1]], mesh.nodes[n[2]]];
    let two_a = (p[1][0] - p[0][0]) * (p[2][1] - p[0][1]) - (p[2][0] - p[0][0]) * (p[1][1] - p[0][1]);
    let mut bm = [[0.0; 6]; 3];
    for i in 0..3 {
        let (j, k) = ((i + 1) % 3, (i + 2) % 3);
        let b = (p[j][1] - p[k][1]) / two_a;
        let c = (p[k][0] - p[j][0]) / two_a;
        bm[0][2 * i] = b;
        bm[1][2 * i + 1] = c;
        bm[2][2 * i] = c;
        bm[2][2 * i + 1] = b;
    }
    (bm, 0.5 * two_a)
}

/// Element stiffness (6×6, eV/Å²) of triangle `t` for a slab of `thickness` Å.
pub fn element_stiffness(mesh: &TriMesh, t: usize, d: &[[f64; 3]; 3], thickness: f64) -> [[f64; 6]; 6] {
    let (b, area) = bmatrix(mesh, t);
    let mut k = [[0.0; 6]; 6];
    for p in 0..6 {
        for q in 0..6 {
            let mut s = 0.0;
            for m in 0..3 {
                for n in 0..3 {
                    s += b[m][p] * d[m][n] * b[n][q];
                }
            }
            k[p][q] = thickness * area * s;
        }
    }
    k
}

/// Shape-function gradients `(∂N_a/∂x, ∂N_a/∂y)` of the three nodes and the area of triangle `t`.
pub fn shape_gradients(mesh: &TriMesh, t: usize) -> ([[f64; 2]; 3], f64) {
    let (b, area) = bmatrix(mesh, t);
    ([[b[0][0], b[1][1]], [b[0][2], b[1][3]], [b[0][4], b[1][5]]], area)
}

/// Element tangent (6×6, eV/Å²) of triangle `t` for the in-plane tangent `a` = ∂P/∂F (4×4,
/// components xx, xy, yx, yy, eV/Å³; not minor-symmetric under a pre-stress) and a slab of
/// `thickness` Å: `K_(a i),(b k) = V Σ_JL ∂N_a/∂X_J a[2i+J][2k+L] ∂N_b/∂X_L`.
pub fn element_tangent(mesh: &TriMesh, t: usize, a: &[[f64; 4]; 4], thickness: f64) -> [[f64; 6]; 6] {
    let (g, area) = shape_gradients(mesh, t);
    let v = thickness * area;
    let mut k = [[0.0; 6]; 6];
    for na in 0..3 {
        for i in 0..2 {
            for nb in 0..3 {
                for kk in 0..2 {
                    let mut s = 0.0;
                    for j in 0..2 {
                        for l in 0..2 {
                            s += g[na][j] * a[2 * i + j][2 * kk + l] * g[nb][l];
                        }
                    }
                    k[2 * na + i][2 * nb + kk] = v * s;
                }
            }
        }
    }
    k
}

/// The assembled stiffness (rows of (column, value)), and the free-dof factorisation.
pub struct Continuum {
    /// Global stiffness by row: (column, value), 2 dofs per node (x, y).
    pub rows: Vec<Vec<(usize, f64)>>,
    /// Free dofs (in order of the factorised matrix) and, per dof, its free index or `None`.
    pub free: Vec<usize>,
    slot: Vec<Option<usize>>,
    llt: Llt<usize, f64>,
}

impl std::fmt::Debug for Continuum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Continuum").field("dofs", &self.rows.len()).field("free", &self.free.len()).finish()
    }
}

impl Continuum {
    /// Assemble the mesh's stiffness and factor the block of the dofs not in `fixed_nodes`.
    pub fn new(mesh: &TriMesh, d: &[[f64; 3]; 3], thickness: f64, fixed_nodes: &[bool]) -> Result<Continuum> {
        Continuum::assemble(mesh, fixed_nodes, |t| element_stiffness(mesh, t, d, thickness))
    }

    /// Assemble the mesh's tangent for the in-plane `∂P/∂F` (see [`element_tangent`]) and factor
    /// the block of the dofs not in `fixed_nodes`.
    pub fn with_tangent(mesh: &TriMesh, a: &[[f64; 4]; 4], thickness: f64, fixed_nodes: &[bool]) -> Result<Continuum> {
        Continuum::assemble(mesh, fixed_nodes, |t| element_tangent(mesh, t, a, thickness))
    }

    /// Triangle `t`'s 6×6 matrix from `element`, assembled over the mesh and factored.
    fn assemble(mesh: &TriMesh, fixed_nodes: &[bool], element: impl Fn(usize) -> [[f64; 6]; 6]) -> Result<Continuum> {
        let ndof = 2 * mesh.nodes.len();
        let elements: Vec<(Vec<usize>, Vec<f64>)> = (0..mesh.tris.len())
            .map(|t| {
                let k = element(t);
                let n = mesh.tris[t];
                let dofs = (0..6).map(|q| 2 * n[q / 2] + q % 2).collect();
                (dofs, k.iter().flatten().copied().collect())
            })
            .collect();
        let fixed: Vec<bool> = (0..ndof).map(|dof| fixed_nodes[dof / 2]).collect();
        Continuum::from_elements(ndof, &elements, &fixed)
    }

    /// One (modified) Newton step of the free dofs for the internal-force residual `residual`
    /// (2 per node, eV/Å): `u_f ← u_f − K_ff⁻¹ r_f` with the factored tangent; returns the
    /// largest |change|, Å.
    pub fn newton_step(&self, u: &mut [f64], residual: &[f64]) -> f64 {
        let n = self.free.len();
        let mut rhs = Mat::<f64>::zeros(n, 1);
        for (fi, &dof) in self.free.iter().enumerate() {
            rhs[(fi, 0)] = -residual[dof];
        }
        self.llt.solve_in_place(rhs.as_mut());
        let mut big = 0.0f64;
        for (fi, &dof) in self.free.iter().enumerate() {
            u[dof] += rhs[(fi, 0)];
            big = big.max(rhs[(fi, 0)].abs());
        }
        big
    }

    /// Assemble element matrices (each: its global dofs and its row-major stiffness) over `ndof`
    /// dofs and factor the block of the dofs not in `fixed` (any element type, any dimension).
    pub fn from_elements(ndof: usize, elements: &[(Vec<usize>, Vec<f64>)], fixed: &[bool]) -> Result<Continuum> {
        let mut acc: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); ndof];
        for (dofs, k) in elements {
            let m = dofs.len();
            for (a, &ga) in dofs.iter().enumerate() {
                for (b, &gb) in dofs.iter().enumerate() {
                    *acc[ga].entry(gb).or_insert(0.0) += k[a * m + b];
                }
            }
        }
        let rows: Vec<Vec<(usize, f64)>> = acc.into_iter().map(|r| r.into_iter().collect()).collect();
        let mut slot = vec![None; ndof];
        let mut free = Vec::new();
        for (dof, s) in slot.iter_mut().enumerate() {
            if !fixed[dof] {
                *s = Some(free.len());
                free.push(dof);
            }
        }
        if free.is_empty() {
            return Err(invalid("mesh", 0, "the continuum has no free nodes"));
        }
        let mut trip = Vec::new();
        for (fi, &dof) in free.iter().enumerate() {
            for &(c, v) in &rows[dof] {
                if let Some(fj) = slot[c] {
                    if fj <= fi {
                        trip.push(Triplet::new(fi, fj, v));
                    }
                }
            }
        }
        let n = free.len();
        let kff = SparseColMat::<usize, f64>::try_new_from_triplets(n, n, &trip)
            .map_err(|e| invalid("stiffness", format!("{e:?}"), "could not assemble the sparse stiffness"))?;
        let llt = kff.sp_cholesky(Side::Lower).map_err(|e| CouplingError::NotConverged {
            solver: format!("sparse Cholesky of the continuum stiffness ({e:?}; is the stiffness positive definite?)"),
            iters: 0,
            residual: f64::NAN,
            tol: 0.0,
        })?;
        Ok(Continuum { rows, free, slot, llt })
    }

    /// Given the displacements `u` (2 per node) with the fixed dofs set, overwrite the free dofs
    /// with the equilibrium solution `K_ff u_f = −K_fd u_d`.
    pub fn solve(&self, u: &mut [f64]) {
        let n = self.free.len();
        let mut rhs = Mat::<f64>::zeros(n, 1);
        for (fi, &dof) in self.free.iter().enumerate() {
            let mut s = 0.0;
            for &(c, v) in &self.rows[dof] {
                if self.slot[c].is_none() {
                    s -= v * u[c];
                }
            }
            rhs[(fi, 0)] = s;
        }
        self.llt.solve_in_place(rhs.as_mut());
        for (fi, &dof) in self.free.iter().enumerate() {
            u[dof] = rhs[(fi, 0)];
        }
    }

    /// The condensed response of the free dofs `outputs` to the fixed dofs `inputs`: the dense
    /// matrix `G` (outputs × inputs, column-major) with `u_out = G u_in` when every other fixed
    /// dof is zero, i.e. `G = S_out K_ff⁻¹ (−K_f,in)`. One forward/backward solve per input with
    /// the one factorisation, `block` right-hand sides at a time. An output that is not a free
    /// dof is an error.
    pub fn response(&self, inputs: &[usize], outputs: &[usize], block: usize) -> Result<Mat<f64>> {
        let n = self.free.len();
        let out_slot: Vec<usize> = outputs
            .iter()
            .map(|&d| self.slot.get(d).copied().flatten().ok_or_else(|| invalid("response output", d, "not a free dof")))
            .collect::<Result<_>>()?;
        if let Some(&d) = inputs.iter().find(|&&d| d >= self.slot.len() || self.slot[d].is_some()) {
            return Err(invalid("response input", d, "not a fixed dof"));
        }
        let mut g = Mat::<f64>::zeros(outputs.len(), inputs.len());
        let block = block.max(1);
        for start in (0..inputs.len()).step_by(block) {
            let cols = &inputs[start..(start + block).min(inputs.len())];
            let mut rhs = Mat::<f64>::zeros(n, cols.len());
            for (c, &d) in cols.iter().enumerate() {
                // K symmetric: column d of K_f,in is row d restricted to the free dofs
                for &(f, v) in &self.rows[d] {
                    if let Some(fi) = self.slot[f] {
                        rhs[(fi, c)] = -v;
                    }
                }
            }
            self.llt.solve_in_place(rhs.as_mut());
            for c in 0..cols.len() {
                for (o, &fi) in out_slot.iter().enumerate() {
                    g[(o, start + c)] = rhs[(fi, c)];
                }
            }
        }
        Ok(g)
    }

    /// Nodal forces −K u (eV/Å), 2 per node.
    pub fn forces(&self, u: &[f64]) -> Vec<f64> {
        self.rows.iter().map(|r| -r.iter().map(|&(c, v)| v * u[c]).sum::<f64>()).collect()
    }

    /// Strain energy ½ uᵀ K u, eV.
    pub fn energy(&self, u: &[f64]) -> f64 {
        let f = self.forces(u);
        -0.5 * f.iter().zip(u).map(|(a, b)| a * b).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::super::mesh::{grid_lines, TriMesh};
    use super::*;

    #[test]
    fn linear_field_is_reproduced_and_rigid_motion_costs_nothing() {
        let g = grid_lines(2, 6, 8, 1.4, 3).unwrap();
        let m = TriMesh::new(g.clone(), g, [1.5, 2.0], [2, 2]).unwrap();
        // isotropic plane strain, arbitrary units
        let (l, mu) = (0.6, 0.3);
        let d = [[l + 2.0 * mu, l, 0.0], [l, l + 2.0 * mu, 0.0], [0.0, 0.0, mu]];
        // fixed: the hole's edge and the outer edge
        let fixed: Vec<bool> = m.node_ij.iter().map(|ij| ij[0].abs().max(ij[1].abs()) == 2 || ij[0].abs() == 8 || ij[1].abs() == 8).collect();
        let c = Continuum::new(&m, &d, 2.5, &fixed).unwrap();
        let h = [[0.01, 0.004], [-0.002, 0.003]];
        let exact: Vec<f64> = m.nodes.iter().flat_map(|p| [h[0][0] * p[0] + h[0][1] * p[1], h[1][0] * p[0] + h[1][1] * p[1]]).collect();
        let mut u: Vec<f64> = exact.iter().enumerate().map(|(k, &v)| if fixed[k / 2] { v } else { 0.0 }).collect();
        c.solve(&mut u);
        let dev = u.iter().zip(&exact).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(dev < 1e-12, "{dev}");
        // rigid rotation: zero forces
        let rot: Vec<f64> = m.nodes.iter().flat_map(|p| [-1e-3 * p[1], 1e-3 * p[0]]).collect();
        assert!(c.forces(&rot).iter().all(|f| f.abs() < 1e-14));
        // energy of a uniform strain = volume × ½ εᵀDε
        let eps = [h[0][0], h[1][1], h[0][1] + h[1][0]];
        let w: f64 = (0..3).map(|a| (0..3).map(|b| 0.5 * eps[a] * d[a][b] * eps[b]).sum::<f64>()).sum();
        let vol = 2.5 * (24.0 * 32.0 - 6.0 * 8.0);
        assert!((c.energy(&exact) - w * vol).abs() < 1e-12 * w * vol, "{} {}", c.energy(&exact), w * vol);
    }
}

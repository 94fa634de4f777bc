//! Graded tensor-product meshes of linear (4-node, constant-strain) tetrahedra around a box-shaped
//! hole (the atomistic region): every hexahedral grid cell outside the hole is split into the six
//! Kuhn (Freudenthal) tetrahedra along a main diagonal, mirrored into each octant (so the mesh
//! keeps the block's mirror symmetries), which is conforming across cells. Grid
//! lines sit on whole node pitches, so every node is a lattice site.

use crate::error::{invalid, Result};

/// The six permutations of the axes; tetrahedron `p` of a cell holds the local points with
/// `s[π0] ≥ s[π1] ≥ s[π2]`.
const PERMS: [[usize; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/// Bit d set when cell `idx`'s centre lies at negative coordinate d: its Kuhn split is mirrored
/// along d, so that the mesh has the mirror symmetries x → −x, y → −y (z → −z) of the block (one
/// main diagonal everywhere would break them and leave spurious shear stresses).
fn mirror_mask(lines: &[Vec<i64>; 3], idx: [usize; 3]) -> usize {
    (0..3).filter(|&d| lines[d][idx[d]] + lines[d][idx[d] + 1] < 0).map(|d| 1 << d).sum()
}

/// A tetrahedral mesh on tensor-product grid lines with the cells inside the box `hole_lo..hole_hi`
/// left out.
#[derive(Clone, Debug)]
pub struct TetMesh {
    /// Grid lines per direction (whole pitches).
    pub lines: [Vec<i64>; 3],
    /// Node positions, Å, and grid indices (pitches).
    pub nodes: Vec<[f64; 3]>,
    pub node_ijk: Vec<[i64; 3]>,
    /// Tetrahedra (node indices).
    pub tets: Vec<[usize; 4]>,
    /// Per grid cell: the index of its first tetrahedron (six in a row), or none in the hole.
    cell_first: Vec<Option<usize>>,
    pitch: [f64; 3],
}

impl TetMesh {
    /// Build the mesh; the hole's faces must lie on grid lines.
    pub fn new(lines: [Vec<i64>; 3], pitch: [f64; 3], hole_lo: [i64; 3], hole_hi: [i64; 3]) -> Result<TetMesh> {
        let n = [lines[0].len(), lines[1].len(), lines[2].len()];
        if n.iter().any(|&k| k < 2) {
            return Err(invalid("grid", format!("{n:?} lines"), "need at least two grid lines per direction"));
        }
        let cells = (n[0] - 1) * (n[1] - 1) * (n[2] - 1);
        let cell_of = |a: usize, b: usize, c: usize| (a * (n[1] - 1) + b) * (n[2] - 1) + c;
        let mut id = vec![usize::MAX; n[0] * n[1] * n[2]];
        let mut nodes = Vec::new();
        let mut node_ijk = Vec::new();
        let mut tets = Vec::new();
        let mut cell_first = vec![None; cells];
        for a in 0..n[0] - 1 {
            for b in 0..n[1] - 1 {
                for c in 0..n[2] - 1 {
                    let idx = [a, b, c];
                    let in_hole = (0..3).all(|d| lines[d][idx[d]] >= hole_lo[d] && lines[d][idx[d] + 1] <= hole_hi[d]);
                    if in_hole {
                        continue;
                    }
                    // corner (bits x, y, z) → node id
                    let mut corner = [0usize; 8];
                    for (bits, slot) in corner.iter_mut().enumerate() {
                        let (da, db, dc) = (bits & 1, (bits >> 1) & 1, (bits >> 2) & 1);
                        let key = ((a + da) * n[1] + b + db) * n[2] + c + dc;
                        if id[key] == usize::MAX {
                            id[key] = nodes.len();
                            let g = [lines[0][a + da], lines[1][b + db], lines[2][c + dc]];
                            nodes.push([g[0] as f64 * pitch[0], g[1] as f64 * pitch[1], g[2] as f64 * pitch[2]]);
                            node_ijk.push(g);
                        }
                        *slot = id[key];
                    }
                    cell_first[cell_of(a, b, c)] = Some(tets.len());
                    // the Kuhn split mirrored into every octant (conforming: a face's diagonal
                    // depends only on the mirror flags of its own two directions)
                    let m = mirror_mask(&lines, idx);
                    for p in PERMS {
                        let e1 = 1 << p[0];
                        let e2 = e1 | (1 << p[1]);
                        tets.push([corner[m], corner[e1 ^ m], corner[e2 ^ m], corner[7 ^ m]]);
                    }
                }
            }
        }
        // a cell of the hole must not straddle its faces
        for d in 0..3 {
            for v in [hole_lo[d], hole_hi[d]] {
                if v > lines[d][0] && v < *lines[d].last().unwrap_or(&0) && !lines[d].contains(&v) {
                    return Err(invalid("grid", v, "the hole's faces must lie on grid lines"));
                }
            }
        }
        Ok(TetMesh { lines, nodes, node_ijk, tets, cell_first, pitch })
    }

    /// The tetrahedron containing `p` (Å) and its barycentric weights (in the order of its
    /// nodes), or `None` in the hole or outside the mesh.
    pub fn locate(&self, p: [f64; 3]) -> Option<(usize, [f64; 4])> {
        let tol = 1e-9;
        let mut idx = [0usize; 3];
        let mut s = [0.0; 3];
        for d in 0..3 {
            let g = &self.lines[d];
            let h = self.pitch[d];
            let (first, last) = (*g.first()? as f64 * h, *g.last()? as f64 * h);
            if p[d] < first - tol || p[d] > last + tol {
                return None;
            }
            let k = g.partition_point(|&v| (v as f64) * h <= p[d] + tol).saturating_sub(1).min(g.len() - 2);
            idx[d] = k;
            let (x0, x1) = (g[k] as f64 * h, g[k + 1] as f64 * h);
            s[d] = ((p[d] - x0) / (x1 - x0)).clamp(0.0, 1.0);
        }
        let n1 = self.lines[1].len() - 1;
        let n2 = self.lines[2].len() - 1;
        let first = self.cell_first[(idx[0] * n1 + idx[1]) * n2 + idx[2]]?;
        let m = mirror_mask(&self.lines, idx);
        for (d, sd) in s.iter_mut().enumerate() {
            if m & (1 << d) != 0 {
                *sd = 1.0 - *sd;
            }
        }
        let mut order = [0usize, 1, 2];
        order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
        let q = PERMS.iter().position(|p| *p == order)?;
        let (a, b, c) = (s[order[0]], s[order[1]], s[order[2]]);
        Some((first + q, [1.0 - a, a - b, b - c, c]))
    }

    /// Gradients of the four shape functions (Å⁻¹) and the volume (Å³) of tetrahedron `t`.
    pub fn gradients(&self, t: usize) -> ([[f64; 3]; 4], f64) {
        let n = self.tets[t];
        let p0 = self.nodes[n[0]];
        let mut j = [[0.0; 3]; 3]; // rows: edges p_k − p0
        for k in 0..3 {
            for d in 0..3 {
                j[k][d] = self.nodes[n[k + 1]][d] - p0[d];
            }
        }
        let det = j[0][0] * (j[1][1] * j[2][2] - j[1][2] * j[2][1]) - j[0][1] * (j[1][0] * j[2][2] - j[1][2] * j[2][0]) + j[0][2] * (j[1][0] * j[2][1] - j[1][1] * j[2][0]);
        // inverse of J (rows = edges): ∇N_k (k = 1..3) is column k−1 of J⁻¹
        let inv = [
            [(j[1][1] * j[2][2] - j[1][2] * j[2][1]) / det, (j[0][2] * j[2][1] - j[0][1] * j[2][2]) / det, (j[0][1] * j[1][2] - j[0][2] * j[1][1]) / det],
            [(j[1][2] * j[2][0] - j[1][0] * j[2][2]) / det, (j[0][0] * j[2][2] - j[0][2] * j[2][0]) / det, (j[0][2] * j[1][0] - j[0][0] * j[1][2]) / det],
            [(j[1][0] * j[2][1] - j[1][1] * j[2][0]) / det, (j[0][1] * j[2][0] - j[0][0] * j[2][1]) / det, (j[0][0] * j[1][1] - j[0][1] * j[1][0]) / det],
        ];
        let mut g = [[0.0; 3]; 4];
        for k in 0..3 {
            for d in 0..3 {
                g[k + 1][d] = inv[d][k];
                g[0][d] -= inv[d][k];
            }
        }
        (g, det.abs() / 6.0)
    }

    /// Element stiffness (12×12 row-major, eV/Å²) of tetrahedron `t` for the Voigt stiffness `c`
    /// (eV/Å³; xx yy zz yz xz xy, engineering shear).
    pub fn element_stiffness(&self, t: usize, c: &[[f64; 6]; 6]) -> Vec<f64> {
        let (g, vol) = self.gradients(t);
        let mut bm = [[0.0; 12]; 6];
        for (i, gi) in g.iter().enumerate() {
            let (x, y, z) = (3 * i, 3 * i + 1, 3 * i + 2);
            bm[0][x] = gi[0];
            bm[1][y] = gi[1];
            bm[2][z] = gi[2];
            bm[3][y] = gi[2];
            bm[3][z] = gi[1];
            bm[4][x] = gi[2];
            bm[4][z] = gi[0];
            bm[5][x] = gi[1];
            bm[5][y] = gi[0];
        }
        let mut k = vec![0.0; 144];
        for p in 0..12 {
            for q in 0..12 {
                let mut s = 0.0;
                for m in 0..6 {
                    if bm[m][p] == 0.0 {
                        continue;
                    }
                    for n in 0..6 {
                        s += bm[m][p] * c[m][n] * bm[n][q];
                    }
                }
                k[p * 12 + q] = vol * s;
            }
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plane::mesh::grid_lines;

    #[test]
    fn kuhn_mesh_fills_the_block_minus_the_hole_and_locates_points() {
        let g = grid_lines(2, 5, 7, 1.5, 3).unwrap();
        let m = TetMesh::new([g.clone(), g.clone(), g], [1.0, 1.5, 2.0], [-2, -2, -2], [2, 2, 2]).unwrap();
        let vol: f64 = (0..m.tets.len()).map(|t| m.gradients(t).1).sum();
        let want = 14.0 * 21.0 * 28.0 - 4.0 * 6.0 * 8.0;
        assert!((vol - want).abs() < 1e-9 * want, "{vol} {want}");
        assert!(m.locate([0.5, 0.5, 0.5]).is_none());
        assert!(m.locate([100.0, 0.0, 0.0]).is_none());
        for p in [[2.7, -4.1, 9.3], [-6.9, 10.4, -13.9], [3.0, 3.0, 4.0]] {
            let (t, w) = m.locate(p).unwrap();
            assert!(w.iter().all(|&x| x >= -1e-12));
            let mut q = [0.0; 3];
            for (k, &n) in m.tets[t].iter().enumerate() {
                for d in 0..3 {
                    q[d] += w[k] * m.nodes[n][d];
                }
            }
            assert!((0..3).all(|d| (q[d] - p[d]).abs() < 1e-12), "{p:?} {q:?}");
        }
        // gradients reproduce a linear field exactly
        let f = |x: [f64; 3]| 0.3 * x[0] - 0.2 * x[1] + 0.7 * x[2];
        for t in [0, 5, m.tets.len() - 1] {
            let (g, _) = m.gradients(t);
            for d in 0..3 {
                let s: f64 = (0..4).map(|k| g[k][d] * f(m.nodes[m.tets[t][k]])).sum();
                assert!((s - [0.3, -0.2, 0.7][d]).abs() < 1e-12);
            }
        }
    }
}

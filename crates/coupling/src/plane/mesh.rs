//! Graded tensor-product meshes of linear (3-node) triangles around a rectangular hole (the
//! atomistic region). Grid lines sit on whole node pitches, so that every node is a lattice site
//! when the pitch is a lattice period with a site at the origin.

use crate::error::{invalid, Result};

/// Grid-line positions (whole pitches) of one direction: every pitch across the atomistic region
/// `[-a, a]`, then steps growing by `growth` (at most `max_step`) out to `n`, with a line at the
/// start of the boundary layer `b` (`a < b ≤ n`).
pub fn grid_lines(a: i64, b: i64, n: i64, growth: f64, max_step: i64) -> Result<Vec<i64>> {
    if !(a >= 1 && a < b && b <= n) {
        return Err(invalid("mesh half-widths", format!("atomistic {a}, boundary layer from {b}, block {n}"), "need 1 ≤ atomistic < boundary-layer start ≤ block (in node pitches)"));
    }
    if !(growth >= 1.0 && growth.is_finite()) {
        return Err(invalid("growth", growth, "the element growth factor must be ≥ 1"));
    }
    if max_step < 1 {
        return Err(invalid("max_element", max_step, "the largest element must be at least one pitch"));
    }
    let mut pos: Vec<i64> = (0..=a).collect();
    let mut p = a;
    let mut h = 1.0f64;
    while p < n {
        let step = (h.round() as i64).clamp(1, max_step);
        let target = if p < b { b } else { n };
        let mut next = (p + step).min(target);
        // avoid a sliver at the end of a stretch
        if target - next > 0 && target - next < (step + 1) / 2 && target - p <= max_step {
            next = target;
        }
        pos.push(next);
        p = next;
        h = (h * growth).min(max_step as f64);
    }
    let mut all: Vec<i64> = pos.iter().rev().filter(|&&x| x > 0).map(|&x| -x).collect();
    all.extend(pos);
    Ok(all)
}

/// A triangle mesh on tensor-product grid lines with the cells inside `[-ax, ax] × [-ay, ay]`
/// left out.
#[derive(Clone, Debug)]
pub struct TriMesh {
    /// Grid lines in x and y (whole pitches).
    pub gx: Vec<i64>,
    pub gy: Vec<i64>,
    /// Node positions, Å.
    pub nodes: Vec<[f64; 2]>,
    /// Node grid indices (whole pitches).
    pub node_ij: Vec<[i64; 2]>,
    /// Triangles (node indices, counter-clockwise).
    pub tris: Vec<[usize; 3]>,
    /// Per grid cell (column-major: `cx * (ny-1) + cy`): its two triangles, or none inside the hole.
    cell_tris: Vec<Option<[usize; 2]>>,
    pitch: [f64; 2],
}

impl TriMesh {
    /// Build the mesh from grid lines (whole pitches), the pitch (Å) and the hole half-widths
    /// (whole pitches; grid lines must include ±ax and ±ay).
    pub fn new(gx: Vec<i64>, gy: Vec<i64>, pitch: [f64; 2], hole: [i64; 2]) -> Result<TriMesh> {
        let inside = |i: i64, j: i64| i.abs() < hole[0] && j.abs() < hole[1];
        let (nx, ny) = (gx.len(), gy.len());
        if nx < 2 || ny < 2 {
            return Err(invalid("grid", format!("{nx}×{ny} lines"), "need at least two grid lines per direction"));
        }
        let mut id = vec![usize::MAX; nx * ny];
        let mut nodes = Vec::new();
        let mut node_ij = Vec::new();
        for (a, &i) in gx.iter().enumerate() {
            for (b, &j) in gy.iter().enumerate() {
                if inside(i, j) {
                    continue;
                }
                id[a * ny + b] = nodes.len();
                nodes.push([i as f64 * pitch[0], j as f64 * pitch[1]]);
                node_ij.push([i, j]);
            }
        }
        let mut tris = Vec::new();
        let mut cell_tris = vec![None; (nx - 1) * (ny - 1)];
        for a in 0..nx - 1 {
            for b in 0..ny - 1 {
                let in_hole = gx[a] >= -hole[0] && gx[a + 1] <= hole[0] && gy[b] >= -hole[1] && gy[b + 1] <= hole[1];
                if in_hole {
                    continue;
                }
                let n00 = id[a * ny + b];
                let n10 = id[(a + 1) * ny + b];
                let n01 = id[a * ny + b + 1];
                let n11 = id[(a + 1) * ny + b + 1];
                if [n00, n10, n01, n11].contains(&usize::MAX) {
                    return Err(invalid("grid", format!("cell ({}, {})", gx[a], gy[b]), "a mesh cell outside the hole has a corner inside it (grid lines must include the hole's edges)"));
                }
                let t = tris.len();
                tris.push([n00, n10, n11]);
                tris.push([n00, n11, n01]);
                cell_tris[a * (ny - 1) + b] = Some([t, t + 1]);
            }
        }
        Ok(TriMesh { gx, gy, nodes, node_ij, tris, cell_tris, pitch })
    }

    /// The triangle containing the point `p` (Å) and its barycentric weights, or `None` when the
    /// point lies in the hole or outside the mesh.
    pub fn locate(&self, p: [f64; 2]) -> Option<(usize, [f64; 3])> {
        let tol = 1e-9;
        let find = |g: &[i64], x: f64, h: f64| -> Option<usize> {
            let first = *g.first()? as f64 * h;
            let last = *g.last()? as f64 * h;
            if x < first - tol || x > last + tol {
                return None;
            }
            let k = g.partition_point(|&v| (v as f64) * h <= x + tol);
            Some(k.saturating_sub(1).min(g.len() - 2))
        };
        let a = find(&self.gx, p[0], self.pitch[0])?;
        let b = find(&self.gy, p[1], self.pitch[1])?;
        let [t0, t1] = self.cell_tris[a * (self.gy.len() - 1) + b]?;
        for t in [t0, t1] {
            let w = self.barycentric(t, p);
            if w.iter().all(|&x| x >= -1e-9) {
                return Some((t, w));
            }
        }
        None
    }

    /// Barycentric coordinates of `p` in triangle `t`.
    pub fn barycentric(&self, t: usize, p: [f64; 2]) -> [f64; 3] {
        let [a, b, c] = self.tris[t];
        let (pa, pb, pc) = (self.nodes[a], self.nodes[b], self.nodes[c]);
        let det = (pb[0] - pa[0]) * (pc[1] - pa[1]) - (pc[0] - pa[0]) * (pb[1] - pa[1]);
        let l1 = ((pb[0] - p[0]) * (pc[1] - p[1]) - (pc[0] - p[0]) * (pb[1] - p[1])) / det;
        let l2 = ((pc[0] - p[0]) * (pa[1] - p[1]) - (pa[0] - p[0]) * (pc[1] - p[1])) / det;
        [l1, l2, 1.0 - l1 - l2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graded_lines_are_symmetric_and_cover_the_block() {
        let g = grid_lines(5, 30, 34, 1.3, 6).unwrap();
        assert_eq!(g.first(), Some(&-34));
        assert_eq!(g.last(), Some(&34));
        assert!(g.contains(&30) && g.contains(&-30) && g.contains(&5));
        assert!(g.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 6));
        for k in 0..g.len() {
            assert_eq!(g[k], -g[g.len() - 1 - k]);
        }
        assert!(grid_lines(5, 5, 10, 1.2, 4).is_err());
    }

    #[test]
    fn mesh_locates_points_and_skips_the_hole() {
        let g = grid_lines(2, 6, 8, 1.5, 3).unwrap();
        let m = TriMesh::new(g.clone(), g, [1.0, 2.0], [2, 2]).unwrap();
        assert!(m.locate([0.5, 0.5]).is_none());
        let (t, w) = m.locate([2.5, 4.7]).unwrap();
        let [a, b, c] = m.tris[t];
        let x: f64 = w[0] * m.nodes[a][0] + w[1] * m.nodes[b][0] + w[2] * m.nodes[c][0];
        let y: f64 = w[0] * m.nodes[a][1] + w[1] * m.nodes[b][1] + w[2] * m.nodes[c][1];
        assert!((x - 2.5).abs() < 1e-12 && (y - 4.7).abs() < 1e-12);
        assert!(m.locate([100.0, 0.0]).is_none());
        // total area = block minus hole
        let area: f64 = m.tris.iter().map(|t| {
            let (p, q, r) = (m.nodes[t[0]], m.nodes[t[1]], m.nodes[t[2]]);
            0.5 * ((q[0] - p[0]) * (r[1] - p[1]) - (r[0] - p[0]) * (q[1] - p[1]))
        }).sum();
        assert!((area - (16.0 * 32.0 - 4.0 * 8.0)).abs() < 1e-9, "{area}");
    }
}

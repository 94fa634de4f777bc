//! Structured voxel meshes (periodic or bounded) and the matrix-free element loop y = Σ_e Pᵀ k_e P u.
//! Parallel over slabs of node planes: each task owns its node planes and recomputes the one
//! element plane it shares with its neighbour, so no two tasks write the same entry.

use super::element::corner;
use rayon::prelude::*;

/// Node numbering of a voxel mesh of `ne` elements per axis.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VoxelMesh {
    pub ne: [usize; 3],
    pub nn: [usize; 3],
    pub periodic: bool,
}

impl VoxelMesh {
    pub(crate) fn new(ne: [usize; 3], periodic: bool) -> Self {
        let nn = if periodic { ne } else { [ne[0] + 1, ne[1] + 1, ne[2] + 1] };
        VoxelMesh { ne, nn, periodic }
    }
    pub(crate) fn n_nodes(&self) -> usize {
        self.nn[0] * self.nn[1] * self.nn[2]
    }
    #[inline]
    pub(crate) fn up(&self, i: usize, d: usize) -> usize {
        if self.periodic && i + 1 == self.nn[d] {
            0
        } else {
            i + 1
        }
    }
    #[inline]
    pub(crate) fn node(&self, i: usize, j: usize, k: usize) -> usize {
        (i * self.nn[1] + j) * self.nn[2] + k
    }
    /// The 8 node indices of element (i, j, k) in local order.
    #[inline]
    pub(crate) fn element_nodes(&self, i: usize, j: usize, k: usize) -> [usize; 8] {
        let ii = [i, self.up(i, 0)];
        let jj = [j, self.up(j, 1)];
        let kk = [k, self.up(k, 2)];
        let mut n = [0; 8];
        for (a, na) in n.iter_mut().enumerate() {
            let c = corner(a);
            *na = self.node(ii[c[0]], jj[c[1]], kk[c[2]]);
        }
        n
    }
    pub(crate) fn elem_index(&self, i: usize, j: usize, k: usize) -> usize {
        (i * self.ne[1] + j) * self.ne[2] + k
    }
}

/// y[node dofs] = Σ_e f(e, u_e) scattered, with `D` dofs per node and `NE = 8·D` per element.
/// `f` returns None to skip an element (voids).
pub(crate) fn element_loop<const D: usize, const NE: usize, F>(mesh: &VoxelMesh, u: &[f64], y: &mut [f64], f: F)
where
    F: Fn(usize, &[f64; NE]) -> Option<[f64; NE]> + Sync,
{
    element_loop_ext::<D, NE, _, _>(mesh, u, y, false, |_| false, f)
}

/// As [`element_loop`]; `accumulate` adds into `y` instead of overwriting it, and elements for
/// which `skip(e)` holds are not even gathered.
pub(crate) fn element_loop_ext<const D: usize, const NE: usize, F, S>(mesh: &VoxelMesh, u: &[f64], y: &mut [f64], accumulate: bool, skip: S, f: F)
where
    F: Fn(usize, &[f64; NE]) -> Option<[f64; NE]> + Sync,
    S: Fn(usize) -> bool + Sync,
{
    let plane = mesh.nn[1] * mesh.nn[2] * D;
    let n0 = mesh.nn[0];
    let chunks = (rayon::current_num_threads() * 2).clamp(1, n0);
    let w = n0.div_ceil(chunks);
    let ne0 = mesh.ne[0];
    y.par_chunks_mut(plane * w).enumerate().for_each(|(c, ychunk)| {
        let p0 = c * w;
        let p1 = (p0 + w).min(n0);
        if !accumulate {
            ychunk.iter_mut().for_each(|v| *v = 0.0);
        }
        let owned = |p: usize| p >= p0 && p < p1;
        for ei in 0..ne0 {
            let lo = ei;
            let hi = mesh.up(ei, 0);
            if !owned(lo) && !owned(hi) {
                continue;
            }
            for ej in 0..mesh.ne[1] {
                for ek in 0..mesh.ne[2] {
                    if skip(mesh.elem_index(ei, ej, ek)) {
                        continue;
                    }
                    let nodes = mesh.element_nodes(ei, ej, ek);
                    let mut ue = [0.0; NE];
                    for a in 0..8 {
                        for d in 0..D {
                            ue[D * a + d] = u[nodes[a] * D + d];
                        }
                    }
                    let e = mesh.elem_index(ei, ej, ek);
                    if let Some(ye) = f(e, &ue) {
                        for a in 0..8 {
                            let pl = if corner(a)[0] == 0 { lo } else { hi };
                            if owned(pl) {
                                let base = nodes[a] * D - p0 * plane;
                                for d in 0..D {
                                    ychunk[base + d] += ye[D * a + d];
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

/// Dense symmetric element matrix times vector.
#[inline]
pub(crate) fn kmul<const NE: usize>(k: &[[f64; NE]; NE], u: &[f64; NE]) -> [f64; NE] {
    let mut y = [0.0; NE];
    for (kj, uj) in k.iter().zip(u.iter()) {
        for (yi, kij) in y.iter_mut().zip(kj.iter()) {
            *yi += kij * uj;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fem::element;

    #[test]
    fn operator_is_symmetric_and_positive() {
        for (dims, periodic) in [([4, 5, 6], true), ([3, 4, 5], false), ([16, 16, 16], true)] {
            let mesh = VoxelMesh::new(dims, periodic);
            let c1 = crate::material::isotropic_stiffness(70.0, 0.33);
            let c2 = crate::material::isotropic_stiffness(400.0, 0.2);
            let k = [element::elastic_stiffness(&c1, 1.0), element::elastic_stiffness(&c2, 1.0)];
            let ne = dims[0] * dims[1] * dims[2];
            let ph: Vec<usize> = (0..ne).map(|e| (e * 7 / 3) % 2).collect();
            let n = mesh.n_nodes() * 3;
            let x: Vec<f64> = (0..n).map(|i| (i * 37 % 101) as f64 / 50.0 - 1.0).collect();
            let y: Vec<f64> = (0..n).map(|i| (i * 53 % 97) as f64 / 48.0 - 1.0).collect();
            let mut kx = vec![0.0; n];
            let mut ky = vec![0.0; n];
            element_loop::<3, 24, _>(&mesh, &x, &mut kx, |e, ue| Some(kmul(&k[ph[e]], ue)));
            element_loop::<3, 24, _>(&mesh, &y, &mut ky, |e, ue| Some(kmul(&k[ph[e]], ue)));
            let a: f64 = x.iter().zip(&ky).map(|(p, q)| p * q).sum();
            let b: f64 = y.iter().zip(&kx).map(|(p, q)| p * q).sum();
            let xkx: f64 = x.iter().zip(&kx).map(|(p, q)| p * q).sum();
            // serial reference
            let mut kx2 = vec![0.0; n];
            for i in 0..dims[0] { for j in 0..dims[1] { for kk in 0..dims[2] {
                let nodes = mesh.element_nodes(i, j, kk);
                let e = mesh.elem_index(i, j, kk);
                let mut ue = [0.0; 24];
                for a in 0..8 { for d in 0..3 { ue[3*a+d] = x[nodes[a]*3+d]; } }
                let ye = kmul(&k[ph[e]], &ue);
                for a in 0..8 { for d in 0..3 { kx2[nodes[a]*3+d] += ye[3*a+d]; } }
            }}}
            let diff: f64 = kx.iter().zip(&kx2).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
            assert!(diff < 1e-9, "{dims:?} parallel vs serial differ by {diff}");
            assert!((a - b).abs() < 1e-9 * a.abs().max(1.0), "{dims:?} {a} {b}");
            assert!(xkx > 0.0);
        }
    }
}

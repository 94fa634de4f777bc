//! Voxel finite elements: trilinear hexahedra (hex8), matrix-free, preconditioned CG.
//!
//! * [`homogenize_elastic`], [`homogenize_thermal`]: periodic homogenisation (cross-check of the
//!   FFT solver; a different discretisation that converges to the same limit).
//! * [`component`]: bounded parts under Dirichlet/Neumann loads (tension, bending, plate with hole).
//! * [`heat`]: transient heat conduction, backward Euler.

pub mod component;
mod element;
pub mod heat;
mod mesh;
mod periodic;

pub use periodic::{homogenize_elastic, homogenize_elastic_with, homogenize_thermal, homogenize_thermal_with, local_fields_elastic, Preconditioner};

/// Development hooks for timing the pieces (not a stable API).
#[doc(hidden)]
pub mod bench_support {
    use super::element::{elastic_stiffness, NE_EL};
    use super::mesh::{element_loop, kmul, VoxelMesh};
    /// Seconds per elastic matrix-free product on an n³ periodic two-phase mesh.
    pub fn matvec_seconds(n: usize, reps: usize) -> f64 {
        let mesh = VoxelMesh::new([n; 3], true);
        let k = [elastic_stiffness(&crate::material::isotropic_stiffness(10.0, 0.3), 1.0), elastic_stiffness(&crate::material::isotropic_stiffness(100.0, 0.3), 1.0)];
        let ph: Vec<usize> = (0..n * n * n).map(|e| (e / 7) % 2).collect();
        let x = vec![1.0; mesh.n_nodes() * 3];
        let mut y = vec![0.0; mesh.n_nodes() * 3];
        let t = std::time::Instant::now();
        for _ in 0..reps {
            element_loop::<3, NE_EL, _>(&mesh, &x, &mut y, |e, ue| Some(kmul(&k[ph[e]], ue)));
        }
        t.elapsed().as_secs_f64() / reps as f64
    }
}

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

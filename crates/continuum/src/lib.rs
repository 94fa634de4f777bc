//! `scalebridge-continuum`: voxel microstructures, FFT (Fourier–Galerkin) and voxel finite-element
//! homogenisation, component-level stress and transient heat analysis.
//!
//! Units: elastic moduli and stresses in GPa, thermal conductivity in W/m/K, lengths in metres where
//! a physical size matters (component analysis, heat), strains dimensionless. Six-component tensors
//! use Voigt order xx yy zz yz xz xy; a stiffness matrix in Voigt notation acts on engineering
//! shear strains (γ = 2ε).

pub mod bounds;
pub mod error;
pub mod fem;
pub mod fft;
pub mod grid;
pub mod io;
pub mod material;
pub mod microstructure;
pub mod results;
pub(crate) mod linalg;
pub(crate) mod solver;

pub use error::{ContinuumError, Result};
pub use grid::Grid;
pub use material::Material;
pub use results::{ElasticResult, FieldStats, IsotropicModuli, LocalFields, Provenance, ThermalResult};
pub use solver::{Load, SolverOptions};

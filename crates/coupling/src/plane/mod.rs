//! 2-D plane-strain coupling (periodic thickness along z): an atomistic region inside a graded
//! mesh of linear triangles, force-based (ghost-force free) statics, and the fully atomistic
//! reference of the same block (docs/coupling.md §7).
//!
//! - [`block`]: the crystal block (a unit cell replicated in the plane, a site on every grid point);
//! - [`mesh`]: graded tensor-product triangle meshes around the atomistic region, point location;
//! - [`fem`]: plane-strain constant-strain triangles, assembly, the Dirichlet-condensed solve
//!   (faer's sparse Cholesky, factored once);
//! - [`model`]: [`ForceBased2d`] (the coupled model, patch test) and [`FullAtomistic2d`];
//! - [`stiffness`]: the continuum stiffness from the same potential (the 0 K elastic protocol);
//! - [`cauchy_born`]: the Cauchy–Born continuum (the crystal's own response, expanded about the load).

pub(crate) mod atoms;
pub mod block;
pub mod cauchy_born;
pub mod fem;
pub mod lomer;
pub mod mesh;
pub mod model;
pub mod relax;
pub mod run;
pub mod stiffness;

pub use model::{compare, Comparison, ContinuumLaw, ForceBased2d, PadInterpolation, FullAtomistic2d, PatchReport, PlaneOptions};
pub use run::{plane_statics, PlaneStatics, PlaneStaticsReport};
pub use stiffness::relaxed_unit_and_stiffness;

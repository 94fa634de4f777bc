//! 3-D force-based (ghost-force free) atomistic–continuum statics (docs/coupling_3d.md):
//!
//! - [`block`]: the crystal block (a cubic unit replicated over a box, a site on every grid point);
//! - [`mesh`]: graded tensor-product meshes of linear tetrahedra (six Kuhn tetrahedra per
//!   hexahedral cell) around the box-shaped atomistic region, point location;
//! - [`model`]: [`ForceBased3d`] (the coupled model, patch test, a spherical indenter) and
//!   [`FullAtomistic3d`] (the exact reference of the same block);
//! - [`indent`]: the nanoindentation case of `bench coupling --case crack`.

pub mod block;
mod full;
pub mod indent;
pub mod mesh;
pub mod model;
mod response;
pub mod surface;

pub use indent::{full_size, indent3d, IndentOptions, IndentReport};
pub use model::{ForceBased3d, FullAtomistic3d, Indenter, SolidOptions};

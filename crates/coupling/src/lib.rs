//! # scalebridge-coupling
//!
//! Concurrent atomistic–continuum coupling (docs/coupling.md):
//!
//! - [`free`]: MD with free (vacuum-padded) directions and fixed / prescribed-displacement /
//!   pushed atom groups with per-group forces, LAMMPS-exact;
//! - [`chain`]: the 1-D atomistic chain (nearest-neighbour pair potential) and the Cauchy–Born
//!   bar elements built from the same pair potential, graded meshes, lumped masses;
//! - [`coupled`]: the force-based (CADD-like, ghost-force free) and bridging-domain (Arlequin,
//!   Lagrange-multiplier velocity constraint) couplings of the two, statics and explicit dynamics,
//!   with a fine-scale (stadium) damping band that absorbs waves the mesh cannot carry;
//! - [`bridging`]: the bridging-domain (Arlequin) coupling with an exact Lagrange-multiplier
//!   velocity constraint in the overlap;
//! - [`fields`]: kernel-averaged atom → field mappings (displacement, strain, virial stress,
//!   temperature);
//! - [`plane`]: 2-D plane-strain force-based statics (linear triangles, faer sparse Cholesky) and
//!   the fully atomistic reference; the Lomer-dipole driver;
//! - [`solid`]: 3-D force-based statics (linear tetrahedra on a graded mesh), the fully atomistic
//!   reference, the nanoindentation case;
//! - [`pulse`]: the wave benchmark (reflected, transmitted and absorbed energy, drift) and the
//!   patch test.

pub mod bridging;
pub mod chain;
pub mod coupled;
pub mod error;
pub mod fields;
pub mod free;
pub mod plane;
pub mod pulse;
pub mod solid;

pub use error::{CouplingError, Result};

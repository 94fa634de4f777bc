//! # scalebridge-md
//!
//! Molecular dynamics that agrees with LAMMPS to round-off: periodic triclinic cells, crystal
//! builders, Verlet neighbour lists over explicit periodic images, pair and many-body
//! potentials, integrators, thermo and trajectory output. Metal units throughout ([`units`]).
//!
//! ```
//! use scalebridge_md::prelude::*;
//! use std::sync::Arc;
//! let spec = BulkSpec { lattice: Lattice::Fcc, species: vec!["Ar".into()], a: 5.26, c: None,
//!     orientation: None, repeat: [3, 3, 3], orthogonal: false, masses: None };
//! let s = bulk(&spec).unwrap();
//! let lj = LennardJones::new(vec!["Ar".into()], vec![0.0104], vec![3.40], 8.5, false,
//!     Mixing::LorentzBerthelot, vec![]).unwrap();
//! let mut ev = Evaluator::new(Arc::new(lj), 1.0, 1).unwrap();
//! let out = ev.compute_all(&s).unwrap();
//! assert!(out.energy < 0.0);
//! ```

pub mod cell;
pub mod computes;
pub mod crystals;
pub mod elements;
pub mod error;
pub mod evaluator;
pub mod integrators;
pub mod io;
pub mod lammps_data;
pub mod lattice;
pub mod minimize;
pub mod nbnxm;
pub mod neighbors;
pub mod potentials;
pub mod provenance;
pub mod simulation;
pub mod single_point;
pub mod structure;
pub mod thermo;
pub mod topology;
pub mod trajectory;
pub mod units;
pub mod velocities;

/// The commonly used types.
pub mod prelude {
    pub use crate::cell::{Cell, Mat3, Vec3};
    pub use crate::error::Error;
    pub use crate::evaluator::Evaluator;
    pub use crate::integrators::{Integrator, MdState, VelocityVerlet};
    pub use crate::lattice::{bulk, random_solid_solution, BulkSpec, Lattice};
    pub use crate::neighbors::{NeighborList, RebuildPolicy};
    pub use crate::potentials::lj_cut::{Mixing, PairParams};
    pub use crate::potentials::{LennardJones, Output, Potential, Request};
    pub use crate::simulation::{Checkpoint, Simulation};
    pub use crate::structure::Structure;
    pub use crate::thermo::ThermoRow;
}

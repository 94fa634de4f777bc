//! Computes: quantities measured on a configuration (or a pair of them), the analogue of LAMMPS
//! `compute` commands. The property protocols (crate `scalebridge-protocols`) are built on them.
//!
//! | module | quantity |
//! |---|---|
//! | [`descriptors`] | RDF, coordination, bond energy per bond, displacements, local temperature |
//! | [`phase_id`] | per-atom phase identification: (adaptive) CNA, Steinhardt Q6 |
//! | [`heat_flux`] | microscopic heat current (LAMMPS `compute heat/flux`) |
//! | [`per_atom`] | coordination numbers within a cutoff, EAM host electron density |
//! | [`msd`] | mean-squared displacement with multiple time origins (LAMMPS `compute msd`) |
//! | [`disorder`] | non-crystalline fraction, coordination statistics, partial RDFs, defect density |

pub mod descriptors;
pub mod disorder;
pub mod heat_flux;
pub mod msd;
pub mod per_atom;
pub mod phase_id;

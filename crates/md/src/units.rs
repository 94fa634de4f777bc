//! Units. Everything inside scalebridge is in LAMMPS *metal* units (Å, eV, ps, amu, K; eV/Å³
//! internally, GPa in reports). The constants live in [`scalebridge_core::units`], the one source
//! that the Python package reads too; they are re-exported here so that existing paths keep
//! working.

pub use scalebridge_core::units::*;

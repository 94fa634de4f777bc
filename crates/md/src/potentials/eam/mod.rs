//! Embedded-atom method (LAMMPS `pair_style eam`, `eam/alloy`, `eam/fs`), tabulated.
//!
//! `E = Σ_i F_i(ρ_i) + ½ Σ_{i≠j} φ_ij(r_ij)`, `ρ_i = Σ_{j≠i} ρ_{j→i}(r_ij)`, where
//! `ρ_{a→b}(r)` is the density an atom of element `a` contributes at an atom of element `b`
//! (it depends on `a` only for funcfl and setfl files, on both for Finnis–Sinclair files).
//!
//! The tables and their interpolation are LAMMPS's (`pair_eam.cpp`), reproduced operation by
//! operation so that energies, forces and virials agree to round-off:
//! - funcfl (`.eam`, DYNAMO single-element) files are brought onto one common grid by
//!   four-point Lagrange interpolation (`file2array`): `dr = max dr_f`, `drho = max drho_f`,
//!   `nr = ⌊max_f (nr_f − 1)·dr_f / dr + ½⌋`, likewise `nrho`; the pair term is tabulated as
//!   `r·φ_ab = 27.2 · 0.529 · Z_a(r) · Z_b(r)` (Hartree·Bohr → eV·Å, LAMMPS's constants);
//! - setfl (`.eam.alloy`) and Finnis–Sinclair (`.eam.fs`) tables are used as read
//!   ([`setfl`], [`fs`]);
//! - every table becomes a cubic spline with 7 coefficients per knot (`interpolate`);
//!   lookups use `p = r/dr + 1`, `m = min(⌊p⌋, nr−1)`, `p = min(p − m, 1)`;
//! - a density beyond the table, `ρ > ρ_max = (nrho−1)·drho`, adds `F'(ρ_max)(ρ − ρ_max)` to
//!   the energy (linear extrapolation, as LAMMPS).
//!
//! Energies in eV, distances in Å, densities in the file's own unit.
//!
//! The per-atom virial splits each pair's `r_ij ⊗ f_ij` equally between the two atoms; EAM forces
//! are central pairwise forces, so this *is* the centroid form (LAMMPS
//! `compute centroid/stress/atom` equals `stress/atom` for EAM).
//!
//! Modules: [`tables`] (the tables on a common grid, [`EamStyle`]), [`spline`] (LAMMPS's
//! interpolation), [`reader`] (the token reader of potential files), the file formats
//! [`funcfl`], [`setfl`] and [`fs`], [`format`] (detecting a file's format and reading it),
//! [`potential`] ([`EmbeddedAtom`]: tables turned into kernel knots) and [`kernel`] (the density
//! and force passes).

pub mod format;
pub mod fs;
pub mod funcfl;
pub mod kernel;
pub mod potential;
pub(crate) mod reader;
pub mod setfl;
pub mod spline;
mod subset;
pub mod tables;

pub use format::{detect_style, load_as};
pub use fs::read_fs;
pub use funcfl::{funcfl_tables, load_funcfl, read_funcfl, Funcfl};
pub use potential::EmbeddedAtom;
pub use subset::SubsetScratch;
pub use setfl::{read_setfl, write_setfl, ElementInfo};
pub use tables::{z2r_index, EamStyle, EamTables};

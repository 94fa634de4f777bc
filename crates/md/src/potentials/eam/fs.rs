//! Finnis–Sinclair setfl files (LAMMPS `pair_style eam/fs`): reader.
//!
//! Same layout as setfl ([`super::setfl`]) except that each element's section holds `N`
//! density functions after `F(ρ)`: entry `b` of element `a`'s section is `ρ_{a→b}(r)`, the
//! density an atom of element `a` contributes at an atom of element `b` (LAMMPS
//! `type2rhor[i][j] = map[i]·N + map[j]`, used as `ρ_i += ρ_{type2rhor[j][i]}(r_ij)`).

use super::setfl::read_sections;
use super::tables::EamTables;
use crate::error::Result;
use std::path::Path;

/// Read a Finnis–Sinclair file; `elements` selects (and orders) the elements (all when `None`).
pub fn read_fs(path: &Path, elements: Option<&[String]>) -> Result<EamTables> {
    read_sections(path, elements, true)
}

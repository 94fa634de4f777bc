//! Finnis–Sinclair setfl files (LAMMPS `pair_style eam/fs`): reader.
//!
//! Same layout as setfl ([`super::setfl`]) except that each element's section holds `N`
//! density functions after `F(ρ)`: entry `b` of element `a`'s section is `ρ_{a→b}(r)`, the
//! density an atom of element `a` contributes at an atom of element `b` (LAMMPS
//! `type2rhor[i][j] = map[i]·N + map[j]`, used as `ρ_i += ρ_{type2rhor[j][i]}(r_ij)`).

use super::reader::{read_text, select_elements, Reader};
use super::setfl::{read_element_line, read_header, read_pairs, subset};
use super::tables::EamTables;
use crate::error::Result;
use std::path::Path;

/// Read a Finnis–Sinclair file; `elements` selects (and orders) the elements (all when `None`).
pub fn read_fs(path: &Path, elements: Option<&[String]>) -> Result<EamTables> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let mut r = Reader::new(&name, &text);
    let h = read_header(&mut r)?;
    let keep = select_elements(&name, &h.elements, elements)?;
    let ne = h.elements.len();
    let (mut numbers, mut masses, mut frho) = (vec![], vec![], vec![]);
    let mut rhor = Vec::with_capacity(ne * ne);
    for a in &h.elements {
        let (z, m) = read_element_line(&mut r, a)?;
        numbers.push(z);
        masses.push(m);
        frho.push(r.next_values(h.nrho, &format!("F(rho) of {a}"))?);
        for b in &h.elements {
            rhor.push(r.next_values(h.nr, &format!("rho(r) of {a} at {b}"))?);
        }
    }
    let z2r = read_pairs(&mut r, &h.elements, h.nr)?;
    Ok(subset(h.tables(numbers, masses, frho, rhor, z2r), &keep))
}

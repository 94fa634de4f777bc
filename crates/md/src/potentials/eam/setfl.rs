//! DYNAMO setfl files (LAMMPS `pair_style eam/alloy`): reader and writer.
//!
//! Layout (LAMMPS `PairEAMAlloy::read_file`): three comment lines; `N El_1 ... El_N`;
//! `nrho drho nr dr cutoff`; for each element a line `Z mass a0 lattice` followed by `nrho`
//! values of `F(ρ)` and `nr` values of `ρ(r)`; then `nr` values of `r·φ_ab(r)` for every pair
//! `a ≥ b` in the order (1,1), (2,1), (2,2), (3,1), ... Values may be spread over lines freely.
//! The potential itself is evaluated by [`super::EmbeddedAtom`].

use super::reader::{check_grid, parse_f64, parse_usize, read_text, select_elements, Reader};
use super::tables::{z2r_index, EamTables};
use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Parsed header of a setfl-family file, positioned after the grid line.
pub(crate) struct SetflHeader {
    pub elements: Vec<String>,
    pub nrho: usize,
    pub drho: f64,
    pub nr: usize,
    pub dr: f64,
    pub cut: f64,
}

impl SetflHeader {
    /// Full tables on this header's grids (shared by the setfl and Finnis–Sinclair readers).
    pub(crate) fn tables(&self, numbers: Vec<u32>, masses: Vec<f64>, frho: Vec<Vec<f64>>, rhor: Vec<Vec<f64>>, z2r: Vec<Vec<f64>>) -> EamTables {
        EamTables {
            elements: self.elements.clone(),
            numbers,
            masses,
            nrho: self.nrho,
            drho: self.drho,
            nr: self.nr,
            dr: self.dr,
            cut: self.cut,
            rhomax: (self.nrho - 1) as f64 * self.drho,
            frho,
            rhor,
            z2r,
        }
    }
}

pub(crate) fn read_header(r: &mut Reader) -> Result<SetflHeader> {
    for k in 1..=3 {
        r.skip_line(&format!("comment line {k}"))?;
    }
    let (l4, w) = r.next_words(1, "element line 'N El_1 ... El_N' (line 4)")?;
    let ne = parse_usize(r, l4, w[0], "number of elements")?;
    if ne == 0 || w.len() != ne + 1 {
        return Err(r.err(l4, format!("element line declares {ne} elements but names {}", w.len() - 1)));
    }
    let elements: Vec<String> = w[1..].iter().map(|s| s.to_string()).collect();
    let (l5, w) = r.next_words(5, "grid line 'nrho drho nr dr cutoff' (line 5)")?;
    let nrho = parse_usize(r, l5, w[0], "nrho")?;
    let nr = parse_usize(r, l5, w[2], "nr")?;
    let num = |k: usize| parse_f64(w[k]).ok_or_else(|| r.err(l5, format!("'{}' is not a number", w[k])));
    let (drho, dr, cut) = (num(1)?, num(3)?, num(4)?);
    check_grid(r, l5, nrho, drho, nr, dr, cut)?;
    Ok(SetflHeader { elements, nrho, drho, nr, dr, cut })
}

/// Read the `Z mass ...` line of element `name`.
pub(crate) fn read_element_line(r: &mut Reader, name: &str) -> Result<(u32, f64)> {
    let (l, w) = r.next_words(2, &format!("'Z mass a0 lattice' line of {name}"))?;
    let z = parse_usize(r, l, w[0], &format!("atomic number of {name}"))? as u32;
    let m = parse_f64(w[1]).ok_or_else(|| r.err(l, format!("mass '{}' of {name} is not a number", w[1])))?;
    Ok((z, m))
}

/// Read the pair section (`r·φ`) for `ne` elements.
pub(crate) fn read_pairs(r: &mut Reader, elements: &[String], nr: usize) -> Result<Vec<Vec<f64>>> {
    let ne = elements.len();
    let mut z2r = Vec::with_capacity(ne * (ne + 1) / 2);
    for i in 0..ne {
        for j in 0..=i {
            z2r.push(r.next_values(nr, &format!("r*phi(r) of {}-{}", elements[i], elements[j]))?);
        }
    }
    Ok(z2r)
}

/// Keep the tables of the `keep` elements (indices into the file's list).
pub(crate) fn subset(full: EamTables, keep: &[usize]) -> EamTables {
    let ne = full.elements.len();
    let pick = |v: &Vec<String>| keep.iter().map(|&k| v[k].clone()).collect::<Vec<_>>();
    let mut rhor = Vec::with_capacity(keep.len() * keep.len());
    for &a in keep {
        for &b in keep {
            rhor.push(full.rhor[a * ne + b].clone());
        }
    }
    let mut z2r = Vec::new();
    for (i, &a) in keep.iter().enumerate() {
        for &b in &keep[..=i] {
            z2r.push(full.z2r[z2r_index(a, b)].clone());
        }
    }
    EamTables {
        elements: pick(&full.elements),
        numbers: keep.iter().map(|&k| full.numbers[k]).collect(),
        masses: keep.iter().map(|&k| full.masses[k]).collect(),
        frho: keep.iter().map(|&k| full.frho[k].clone()).collect(),
        rhor,
        z2r,
        ..full
    }
}

/// Read a setfl file; `elements` selects (and orders) the elements to use (all when `None`).
pub fn read_setfl(path: &Path, elements: Option<&[String]>) -> Result<EamTables> {
    read_sections(path, elements, false)
}

/// Read a setfl-layout file (setfl, or Finnis–Sinclair when `per_pair_density`: `N` density
/// functions `ρ_{a→b}` after each element's `F(ρ)` instead of one `ρ_a` used for every `b`);
/// `elements` selects (and orders) the elements to use (all when `None`).
pub(super) fn read_sections(path: &Path, elements: Option<&[String]>, per_pair_density: bool) -> Result<EamTables> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let mut r = Reader::new(&name, &text);
    let h = read_header(&mut r)?;
    let keep = select_elements(&name, &h.elements, elements)?;
    let ne = h.elements.len();
    let (mut numbers, mut masses, mut frho) = (vec![], vec![], vec![]);
    // rhor[a·N + b]: the density an atom of element a contributes at an atom of element b
    let mut rhor = Vec::with_capacity(ne * ne);
    for a in &h.elements {
        let (z, m) = read_element_line(&mut r, a)?;
        numbers.push(z);
        masses.push(m);
        frho.push(r.next_values(h.nrho, &format!("F(rho) of {a}"))?);
        if per_pair_density {
            for b in &h.elements {
                rhor.push(r.next_values(h.nr, &format!("rho(r) of {a} at {b}"))?);
            }
        } else {
            let rho = r.next_values(h.nr, &format!("rho(r) of {a}"))?;
            rhor.extend((0..ne).map(|_| rho.clone()));
        }
    }
    let z2r = read_pairs(&mut r, &h.elements, h.nr)?;
    Ok(subset(h.tables(numbers, masses, frho, rhor, z2r), &keep))
}

/// Lattice description written on each element line (`a0 lattice`), informative only.
#[derive(Clone, Debug)]
pub struct ElementInfo {
    pub lattice_constant: f64,
    pub lattice: String,
}

/// Write `tables` as a setfl file that LAMMPS `eam/alloy` reads back to the same numbers
/// (values printed with 17 significant digits, five per line). The density function of element
/// `a` is `rhor[a·n + a]` (setfl densities depend on the emitting element only).
pub fn write_setfl(path: &Path, tables: &EamTables, comments: [&str; 3], info: &[ElementInfo]) -> Result<()> {
    let t = tables;
    let ne = t.elements.len();
    if info.len() != ne {
        return Err(Error::Shape(format!("{} element infos for {ne} elements", info.len())));
    }
    let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), source: e };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut w = std::io::BufWriter::new(file);
    for c in comments {
        writeln!(w, "{}", c.replace(['\n', '\r'], " ")).map_err(io)?;
    }
    writeln!(w, "{} {}", ne, t.elements.join(" ")).map_err(io)?;
    writeln!(w, "{} {:.16e} {} {:.16e} {:.16e}", t.nrho, t.drho, t.nr, t.dr, t.cut).map_err(io)?;
    let block = |w: &mut std::io::BufWriter<std::fs::File>, v: &[f64]| -> std::io::Result<()> {
        for chunk in v.chunks(5) {
            let line: Vec<String> = chunk.iter().map(|x| format!("{x:.16e}")).collect();
            writeln!(w, "{}", line.join(" "))?;
        }
        Ok(())
    };
    for a in 0..ne {
        writeln!(w, "{} {:.16e} {:.16e} {}", t.numbers[a], t.masses[a], info[a].lattice_constant, info[a].lattice).map_err(io)?;
        block(&mut w, &t.frho[a]).map_err(io)?;
        block(&mut w, &t.rhor[a * ne + a]).map_err(io)?;
    }
    for z in &t.z2r {
        block(&mut w, z).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(())
}

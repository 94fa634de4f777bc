//! Structure files: extended XYZ, VASP POSCAR, CIF and LAMMPS data files, read into a
//! [`Structure`] (plus per-atom charges where the file has them).
//!
//! The format is chosen from the file name (`.xyz`/`.extxyz`; `POSCAR`, `CONTCAR`, `.vasp`,
//! `.poscar`; `.cif`; `.data`, `.lmp`, `.lammps`, `data.*`), or given explicitly.

pub mod cif;
pub mod lammps_data;
pub mod poscar;

use crate::error::{Error, Result};
use crate::structure::Structure;
use std::path::Path;

/// A structure file's formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    ExtXyz,
    Poscar,
    Cif,
    LammpsData,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "extxyz" | "xyz" => Ok(Format::ExtXyz),
            "poscar" | "vasp" => Ok(Format::Poscar),
            "cif" => Ok(Format::Cif),
            "lammps-data" | "lammps_data" | "data" => Ok(Format::LammpsData),
            other => Err(Error::invalid("format", other, "extxyz, poscar, cif or lammps-data")),
        }
    }
}

/// How to read a LAMMPS data file's `Atoms` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomStyle {
    /// `id type x y z`.
    Atomic,
    /// `id type q x y z`.
    Charge,
}

impl std::str::FromStr for AtomStyle {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "atomic" => Ok(AtomStyle::Atomic),
            "charge" => Ok(AtomStyle::Charge),
            "molecular" | "full" | "bond" | "angle" => {
                Err(Error::invalid("atom style", s, "molecular styles with topology are not supported yet (atomic, charge)"))
            }
            other => Err(Error::invalid("atom style", other, "atomic or charge")),
        }
    }
}

/// A structure read from a file, with per-atom charges (e) when the file carries them.
#[derive(Clone, Debug)]
pub struct StructureFile {
    pub structure: Structure,
    pub charges: Option<Vec<f64>>,
}

/// Guess the format from the file name.
pub fn detect_format(path: &Path) -> Result<Format> {
    let name = path.file_name().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let ext = path.extension().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    Ok(match ext.as_str() {
        "xyz" | "extxyz" => Format::ExtXyz,
        "vasp" | "poscar" => Format::Poscar,
        "cif" => Format::Cif,
        "data" | "lmp" | "lammps" | "lammpsdata" => Format::LammpsData,
        _ if name.starts_with("poscar") || name.starts_with("contcar") => Format::Poscar,
        _ if name.starts_with("data.") => Format::LammpsData,
        _ => {
            return Err(Error::invalid(
                "structure file",
                path.display(),
                "cannot tell the format from the name (.xyz/.extxyz, POSCAR/CONTCAR/.vasp, .cif, .data/.lmp)",
            ))
        }
    })
}

/// Read a structure file. `elements[i]` names LAMMPS atom type `i + 1` (data files; POSCAR files
/// without a species line take their species from it too); `atom_style` applies to data files.
pub fn read_structure(path: &Path, format: Option<Format>, elements: &[String], atom_style: Option<AtomStyle>) -> Result<StructureFile> {
    let format = match format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })?;
    let name = path.display().to_string();
    if atom_style == Some(AtomStyle::Charge) && format != Format::LammpsData {
        return Err(Error::invalid("atom style", "charge", "charges are read from LAMMPS data files only"));
    }
    match format {
        Format::ExtXyz => Ok(StructureFile { structure: crate::trajectory::read_extxyz(path)?, charges: None }),
        Format::Poscar => Ok(StructureFile { structure: poscar::parse(&name, &text, elements)?, charges: None }),
        Format::Cif => Ok(StructureFile { structure: cif::parse(&name, &text)?, charges: None }),
        Format::LammpsData => lammps_data::parse(&name, &text, elements, atom_style),
    }
}

/// Reject atoms closer than `r_min` (Å) to each other or to a periodic image of themselves.
pub fn check_separation(s: &Structure, r_min: f64) -> Result<()> {
    let mut nl = crate::neighbors::NeighborList::new(r_min, 0.0)?;
    nl.build(&s.cell, &s.positions, &s.types)?;
    for c in 0..nl.centers.len() {
        let i = nl.centers[c] as usize;
        for &j in nl.neighbors_of(c) {
            let (p, q) = (nl.ext_pos[i], nl.ext_pos[j as usize]);
            let r = ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt();
            if r < r_min {
                return Err(Error::Overlap { i: nl.ext_owner[i] as usize, j: nl.ext_owner[j as usize] as usize, r, min: r_min });
            }
        }
    }
    Ok(())
}

/// Tokens of a line without a trailing `#` comment.
pub(crate) fn words(line: &str) -> Vec<&str> {
    line.split('#').next().unwrap_or("").split_whitespace().collect()
}

/// Parse a number with an error naming the file, line and what it is.
pub(crate) fn num(path: &str, line: usize, w: &str, what: &str) -> Result<f64> {
    match w.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::Parse { path: path.to_string(), line, msg: format!("{what} '{w}' is not a finite number") }),
    }
}

#[cfg(test)]
mod tests;

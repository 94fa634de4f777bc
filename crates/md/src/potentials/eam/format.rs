//! Which EAM file format a file is in, and reading a file in a given format.

use super::funcfl::{funcfl_tables, read_funcfl, symbol_of};
use super::potential::EmbeddedAtom;
use super::reader::{parse_f64, read_text};
use super::tables::EamStyle;
use crate::error::{Error, Result};
use std::path::Path;

/// Detect the format of an EAM file: by extension (`.eam`, `.eam.alloy`/`.setfl`, `.eam.fs`),
/// otherwise from its content.
pub fn detect_style(path: &Path) -> Result<EamStyle> {
    let name = path.file_name().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".he") || name.ends_with(".cdeam") || name.ends_with(".poly") {
        return Err(Error::invalid(
            "EAM file",
            path.display(),
            "eam/he, eam/cd and eam/alloy polynomial formats are not supported (funcfl .eam, setfl .eam.alloy and .eam.fs are)",
        ));
    }
    if name.ends_with(".eam.fs") || name.ends_with(".fs") {
        return Ok(EamStyle::FinnisSinclair);
    }
    if name.ends_with(".eam.alloy") || name.ends_with(".setfl") || name.ends_with(".alloy") {
        return Ok(EamStyle::Alloy);
    }
    if name.ends_with(".eam") || name.ends_with(".funcfl") {
        return Ok(EamStyle::Funcfl);
    }
    // Content: setfl-family files have "N El1 ... ElN" on their 4th line.
    let text = read_text(path)?;
    let lines: Vec<&str> = text.lines().collect();
    let p = path.display().to_string();
    let l4: Vec<&str> = lines.get(3).map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let is_setfl = l4.len() >= 2
        && l4[0].parse::<usize>().map(|n| n + 1 == l4.len()).unwrap_or(false)
        && l4[1..].iter().all(|w| parse_f64(w).is_none());
    if !is_setfl {
        return Ok(EamStyle::Funcfl);
    }
    // setfl vs Finnis–Sinclair: count the numbers after the grid line.
    let ne = l4.len() - 1;
    let g: Vec<&str> = lines.get(4).map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let (nrho, nr) = match (g.first().and_then(|w| w.parse::<usize>().ok()), g.get(2).and_then(|w| w.parse::<usize>().ok())) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Error::Parse { path: p, line: 5, msg: "expected 'nrho drho nr dr cutoff'".into() }),
    };
    let count: usize = lines[5..].iter().map(|l| l.split('#').next().unwrap_or("").split_whitespace().count()).sum();
    let pairs = ne * (ne + 1) / 2 * nr;
    let alloy = ne * (4 + nrho + nr) + pairs;
    let fs = ne * (4 + nrho + ne * nr) + pairs;
    Ok(if count.abs_diff(fs) < count.abs_diff(alloy) { EamStyle::FinnisSinclair } else { EamStyle::Alloy })
}

/// Read an EAM file in the given format (LAMMPS `pair_style eam`, `eam/alloy`, `eam/fs`
/// reading `path` whatever its name); `elements` as in [`crate::potentials::load`].
pub fn load_as(style: EamStyle, path: &Path, elements: Option<&[String]>) -> Result<EmbeddedAtom> {
    match style {
        EamStyle::Funcfl => {
            let f = read_funcfl(path)?;
            let name = match elements {
                None => symbol_of(f.number).ok_or_else(|| {
                    Error::invalid("elements", "None", &format!("atomic number {} in {} is not an element; name it", f.number, path.display()))
                })?,
                Some([one]) => one.clone(),
                Some(other) => {
                    return Err(Error::invalid(
                        "elements",
                        format!("{other:?}"),
                        "a funcfl (.eam) file describes exactly one element; give one name, or combine files with load_funcfl",
                    ))
                }
            };
            let t = funcfl_tables(&[f], &[name])?;
            EmbeddedAtom::from_tables(EamStyle::Funcfl, t, &path.display().to_string())
        }
        EamStyle::Alloy => {
            let t = super::setfl::read_setfl(path, elements)?;
            EmbeddedAtom::from_tables(EamStyle::Alloy, t, &path.display().to_string())
        }
        EamStyle::FinnisSinclair => {
            let t = super::fs::read_fs(path, elements)?;
            EmbeddedAtom::from_tables(EamStyle::FinnisSinclair, t, &path.display().to_string())
        }
    }
}

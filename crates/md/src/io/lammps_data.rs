//! LAMMPS data files (`read_data`), atom styles `atomic` and `charge`, as LAMMPS and
//! `ase.io.write(format="lammps-data")` write them.
//!
//! Header: `N atoms`, `M atom types`, `xlo xhi`, `ylo yhi`, `zlo zhi`, optional `xy xz yz`;
//! sections `Masses` (optional: standard atomic masses of `elements` otherwise), `Atoms`
//! (`id type x y z [ix iy iz]` or `id type q x y z [ix iy iz]`) and `Velocities` (ignored). The
//! cell is a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz); atoms keep the file's order, and
//! image flags unwrap positions. Atom type `i + 1` is `elements[i]`. Topology (bonds, angles)
//! and force-field sections (`Pair Coeffs`, ...) are rejected with a clear error.

use super::{num, words, AtomStyle, StructureFile};
use crate::cell::Cell;
use crate::elements::atomic_mass;
use crate::error::{Error, Result};
use crate::structure::Structure;

/// Section headers LAMMPS knows that this reader does not take.
const REJECTED: &[&str] = &[
    "Bonds", "Angles", "Dihedrals", "Impropers", "Pair Coeffs", "PairIJ Coeffs", "Bond Coeffs", "Angle Coeffs",
    "Dihedral Coeffs", "Improper Coeffs", "Ellipsoids", "Lines", "Triangles", "Bodies",
];

/// Parse the text of a data file named `path`.
pub fn parse(path: &str, text: &str, elements: &[String], atom_style: Option<AtomStyle>) -> Result<StructureFile> {
    let perr = |line: usize, msg: String| Error::Parse { path: path.to_string(), line, msg };
    let lines: Vec<&str> = text.lines().collect();
    let h = parse_header(path, &lines)?;
    if let Some(k) = h.counts.iter().position(|&c| c > 0) {
        return Err(perr(
            h.count_lines[k],
            format!("{} {}s: molecular topology needs atom style full or molecular (this file is read as atomic/charge)", h.counts[k], crate::topology::TERM_KINDS[k]),
        ));
    }
    let (n, nt, cell, bounds) = (h.natoms, h.ntypes, h.cell, h.lo);
    let mut k = h.body;
    if elements.len() != nt {
        return Err(Error::invalid(
            "elements",
            if elements.is_empty() { "(none)".to_string() } else { elements.join(",") },
            &format!("the data file {path} has {nt} atom types: give one element per type (type i+1 is elements[i])"),
        ));
    }
    let mut masses: Vec<Option<f64>> = vec![None; nt];
    let mut atoms: Option<Vec<(usize, [f64; 3], f64)>> = None;
    let mut style = atom_style;
    while k < lines.len() {
        let raw = lines[k].trim();
        let ln = k + 1;
        k += 1;
        if raw.is_empty() {
            continue;
        }
        let (head, hint) = match raw.split_once('#') {
            Some((h, c)) => (h.trim(), c.trim()),
            None => (raw, ""),
        };
        // Body lines of a section follow after one blank line.
        let body = |k: &mut usize, rows: usize| -> Result<Vec<(usize, Vec<&str>)>> {
            let mut out = Vec::with_capacity(rows);
            while out.len() < rows {
                let line = lines.get(*k).ok_or_else(|| perr(*k, format!("the {head} section ends early: {} of {rows} lines", out.len())))?;
                *k += 1;
                let w = words(line);
                if !w.is_empty() {
                    out.push((*k, w));
                }
            }
            Ok(out)
        };
        match head {
            "Masses" => {
                for (ln, w) in body(&mut k, nt)? {
                    if w.len() < 2 {
                        return Err(perr(ln, "expected 'type mass'".into()));
                    }
                    let t = type_index(path, ln, w[0], nt)?;
                    let m = num(path, ln, w[1], "mass")?;
                    masses[t] = Some(m);
                }
            }
            "Atoms" => {
                let from_file = match hint {
                    "" => None,
                    h => Some(h.parse::<AtomStyle>().map_err(|e| perr(ln, e.to_string()))?),
                };
                let s = match (style, from_file) {
                    (Some(a), Some(b)) if a != b => {
                        return Err(perr(ln, format!("the Atoms section is '# {hint}' but the atom style asked for is {a:?}")));
                    }
                    (Some(a), _) | (None, Some(a)) => a,
                    (None, None) => AtomStyle::Atomic,
                };
                style = Some(s);
                let q = usize::from(s == AtomStyle::Charge);
                let mut rows = Vec::with_capacity(n);
                let mut seen = std::collections::HashSet::with_capacity(n);
                for (ln, w) in body(&mut k, n)? {
                    if w.len() != 5 + q && w.len() != 8 + q {
                        return Err(perr(ln, format!("atom style {s:?} expects {} or {} columns, found {}", 5 + q, 8 + q, w.len())));
                    }
                    let id = count(path, ln, w[0], "atom id")?;
                    if !seen.insert(id) {
                        return Err(perr(ln, format!("atom id {id} appears twice")));
                    }
                    let t = type_index(path, ln, w[1], nt)?;
                    let charge = if q == 1 { num(path, ln, w[2], "charge")? } else { 0.0 };
                    let mut p = [num(path, ln, w[2 + q], "x")?, num(path, ln, w[3 + q], "y")?, num(path, ln, w[4 + q], "z")?];
                    if w.len() == 8 + q {
                        let h = cell.matrix();
                        for d in 0..3 {
                            let img: i64 = w[5 + q + d].parse().map_err(|_| perr(ln, format!("image flag '{}' is not an integer", w[5 + q + d])))?;
                            for (c, pc) in p.iter_mut().enumerate() {
                                *pc += img as f64 * h[d][c];
                            }
                        }
                    }
                    rows.push((t, p, charge));
                }
                atoms = Some(rows);
            }
            "Velocities" => {
                body(&mut k, n)?;
            }
            h if REJECTED.contains(&h) => {
                return Err(perr(ln, format!("section '{h}' is not supported (give the force field as LAMMPS input lines; topology arrives with the polymer styles)")));
            }
            h => return Err(perr(ln, format!("unknown section '{h}'"))),
        }
    }
    let atoms = atoms.ok_or_else(|| perr(lines.len(), "no Atoms section".into()))?;
    let mut type_mass = Vec::with_capacity(nt);
    for (t, m) in masses.iter().enumerate() {
        type_mass.push(match m {
            Some(m) => *m,
            None => atomic_mass(&elements[t]).ok_or_else(|| {
                Error::invalid("mass", &elements[t], &format!("type {} has no Masses entry in {path} and is not an element symbol", t + 1))
            })?,
        });
    }
    let symbols: Vec<String> = atoms.iter().map(|(t, _, _)| elements[*t].clone()).collect();
    let positions = atoms.iter().map(|(_, p, _)| [p[0] - bounds[0], p[1] - bounds[1], p[2] - bounds[2]]).collect();
    let m = atoms.iter().map(|(t, _, _)| type_mass[*t]).collect();
    let structure = Structure::from_symbols(cell, positions, &symbols, Some(m))?;
    let charges = (style == Some(AtomStyle::Charge)).then(|| atoms.iter().map(|(_, _, q)| *q).collect());
    Ok(StructureFile { structure, charges })
}

/// The header of a data file: counts, cell and where the sections start.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub natoms: usize,
    pub ntypes: usize,
    /// Numbers of bonds, angles, dihedrals, impropers, and the lines that give them.
    pub counts: [usize; 4],
    pub count_lines: [usize; 4],
    /// Numbers of bond, angle, dihedral, improper types.
    pub type_counts: [usize; 4],
    /// The cell a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz) and its origin (xlo, ylo, zlo).
    pub cell: Cell,
    pub lo: [f64; 3],
    /// Index (0-based) of the first line after the header.
    pub body: usize,
}

/// Read the header (until the first section keyword); the first line is a title.
pub(crate) fn parse_header(path: &str, lines: &[&str]) -> Result<Header> {
    let perr = |line: usize, msg: String| Error::Parse { path: path.to_string(), line, msg };
    let (mut natoms, mut ntypes) = (None::<usize>, None::<usize>);
    let mut bounds = [[0.0f64; 2]; 3];
    let mut have = [false; 3];
    let mut tilt = [0.0f64; 3];
    let (mut counts, mut count_lines, mut type_counts) = ([0usize; 4], [0usize; 4], [0usize; 4]);
    let mut k = 1;
    while k < lines.len() {
        let w = words(lines[k]);
        let ln = k + 1;
        if w.is_empty() {
            k += 1;
            continue;
        }
        let key = w[1..].join(" ");
        if w[0].parse::<f64>().is_err() {
            break; // a section header
        }
        let term = |name: &str| crate::topology::TERM_KINDS.iter().position(|t| *t == name);
        match key.as_str() {
            "atoms" => natoms = Some(count(path, ln, w[0], "atoms")?),
            "atom types" => ntypes = Some(count(path, ln, w[0], "atom types")?),
            "bonds" | "angles" | "dihedrals" | "impropers" => {
                let t = term(key.trim_end_matches('s')).unwrap_or(0);
                counts[t] = count(path, ln, w[0], &key)?;
                count_lines[t] = ln;
            }
            "bond types" | "angle types" | "dihedral types" | "improper types" => {
                let t = term(&w[1]).unwrap_or(0);
                type_counts[t] = count(path, ln, w[0], &key)?;
            }
            "extra bond per atom" | "extra angle per atom" | "extra dihedral per atom" | "extra improper per atom" | "extra special per atom" => {}
            _ if w.len() == 4 && ["xlo xhi", "ylo yhi", "zlo zhi"].contains(&w[2..].join(" ").as_str()) => {
                let d = ["xlo", "ylo", "zlo"].iter().position(|x| *x == w[2]).unwrap_or(0);
                bounds[d] = [num(path, ln, w[0], w[2])?, num(path, ln, w[1], w[3])?];
                have[d] = true;
            }
            _ if w.len() == 6 && w[3..].join(" ") == "xy xz yz" => {
                for q in 0..3 {
                    tilt[q] = num(path, ln, w[q], w[3 + q])?;
                }
            }
            _ => return Err(perr(ln, format!("unknown header line '{}'", lines[k].trim()))),
        }
        k += 1;
    }
    let natoms = natoms.ok_or_else(|| perr(1, "no 'N atoms' header line".into()))?;
    let ntypes = ntypes.ok_or_else(|| perr(1, "no 'M atom types' header line".into()))?;
    if let Some(d) = have.iter().position(|h| !h) {
        return Err(perr(1, format!("no '{} {}' header line", ["xlo", "ylo", "zlo"][d], ["xhi", "yhi", "zhi"][d])));
    }
    let lx = bounds[0][1] - bounds[0][0];
    let ly = bounds[1][1] - bounds[1][0];
    let lz = bounds[2][1] - bounds[2][0];
    let cell = Cell::new([[lx, 0.0, 0.0], [tilt[0], ly, 0.0], [tilt[1], tilt[2], lz]])?;
    Ok(Header { natoms, ntypes, counts, count_lines, type_counts, cell, lo: [bounds[0][0], bounds[1][0], bounds[2][0]], body: k })
}

pub(crate) fn count(path: &str, line: usize, w: &str, what: &str) -> Result<usize> {
    w.parse::<usize>().map_err(|_| Error::Parse { path: path.to_string(), line, msg: format!("{what}: '{w}' is not a non-negative integer") })
}

pub(crate) fn type_index(path: &str, line: usize, w: &str, nt: usize) -> Result<usize> {
    match w.parse::<usize>() {
        Ok(t) if (1..=nt).contains(&t) => Ok(t - 1),
        _ => Err(Error::Parse { path: path.to_string(), line, msg: format!("atom type '{w}' is not in 1..{nt}") }),
    }
}

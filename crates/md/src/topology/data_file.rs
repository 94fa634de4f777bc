//! LAMMPS data files with molecular topology (`atom_style full` and `molecular`), read and
//! written.
//!
//! The header is read by the same code as atomic files ([`crate::io::lammps_data`]); besides
//! `Masses`, `Atoms` and `Velocities` (ignored on reading) the sections `Bonds`, `Angles`,
//! `Dihedrals`, `Impropers` and the force-field sections `Pair Coeffs`, `PairIJ Coeffs`,
//! `Bond Coeffs`, `Angle Coeffs`, `Dihedral Coeffs`, `Improper Coeffs` are read (the latter
//! verbatim, see [`CoeffSection`]). Masses come from the file (a type without a `Masses` entry is
//! an error unless its element is a symbol); charges come from the `full` Atoms section.
//!
//! Species: type `i + 1` is `elements[i]` when elements are given; without them the species are
//! the type numbers as labels (`"1"`, `"2"`, ...), as for bead-spring models.
//!
//! Errors name the file, the line and the problem: wrong column counts, a bond (angle, ...)
//! naming an atom id that is not in `Atoms` (dangling), a term type beyond the header's count,
//! missing masses, atoms closer than [`OVERLAP_DISTANCE`] (coincident atoms), and class2
//! cross-term sections, which are not supported.

use super::{CoeffSection, MolecularStyle, Term, Topology, TERM_KINDS};
use crate::cell::Vec3;
use crate::elements::atomic_mass;
use crate::error::{Error, Result};
use crate::io::lammps_data::{count, parse_header, type_index};
use crate::io::{num, words};
use crate::structure::Structure;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Atoms closer than this (in the file's length unit) are rejected as overlapping.
pub const OVERLAP_DISTANCE: f64 = 1e-3;

const TERM_SECTIONS: [&str; 4] = ["Bonds", "Angles", "Dihedrals", "Impropers"];
const COEFF_SECTIONS: [&str; 6] = ["Pair Coeffs", "PairIJ Coeffs", "Bond Coeffs", "Angle Coeffs", "Dihedral Coeffs", "Improper Coeffs"];
const REJECTED: &[&str] = &[
    "BondBond Coeffs", "BondAngle Coeffs", "MiddleBondTorsion Coeffs", "EndBondTorsion Coeffs", "AngleTorsion Coeffs",
    "AngleAngleTorsion Coeffs", "BondBond13 Coeffs", "AngleAngle Coeffs", "Ellipsoids", "Lines", "Triangles", "Bodies",
];

/// A structure with its topology.
#[derive(Clone, Debug)]
pub struct MolecularFile {
    pub structure: Structure,
    pub topology: Topology,
}

/// Read a molecular data file.
pub fn read(path: &Path, style: MolecularStyle, elements: &[String]) -> Result<MolecularFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })?;
    parse(&path.display().to_string(), &text, style, elements)
}

struct Rows<'a> {
    path: &'a str,
    lines: &'a [&'a str],
}

impl<'a> Rows<'a> {
    /// The next `rows` non-blank lines from `*k` as (1-based line, words).
    fn take(&self, k: &mut usize, rows: usize, head: &str) -> Result<Vec<(usize, Vec<&'a str>)>> {
        let mut out = Vec::with_capacity(rows);
        while out.len() < rows {
            let line = self.lines.get(*k).ok_or_else(|| Error::Parse {
                path: self.path.to_string(),
                line: *k,
                msg: format!("the {head} section ends early: {} of {rows} lines", out.len()),
            })?;
            *k += 1;
            let w = words(line);
            if !w.is_empty() {
                out.push((*k, w));
            }
        }
        Ok(out)
    }
}

/// Parse the text of a molecular data file named `path`.
pub fn parse(path: &str, text: &str, style: MolecularStyle, elements: &[String]) -> Result<MolecularFile> {
    let perr = |line: usize, msg: String| Error::Parse { path: path.to_string(), line, msg };
    let lines: Vec<&str> = text.lines().collect();
    let h = parse_header(path, &lines)?;
    let (n, nt) = (h.natoms, h.ntypes);
    if !elements.is_empty() && elements.len() != nt {
        return Err(Error::invalid(
            "elements",
            elements.join(","),
            &format!("the data file {path} has {nt} atom types: give one element per type (type i+1 is elements[i]) or none"),
        ));
    }
    let rows = Rows { path, lines: &lines };
    let mut k = h.body;
    let mut masses: Vec<Option<f64>> = vec![None; nt];
    let mut atoms: Option<Vec<(u64, usize, i64, f64, Vec3, usize)>> = None;
    let mut raw_terms: [Vec<(usize, usize, Vec<u64>)>; 4] = Default::default();
    let mut seen_terms = [false; 4];
    let mut coeffs: Vec<(String, CoeffSection)> = Vec::new();
    let q = usize::from(style == MolecularStyle::Full);
    while k < lines.len() {
        let raw = lines[k].trim();
        let ln = k + 1;
        k += 1;
        if raw.is_empty() {
            continue;
        }
        let (head, hint) = match raw.split_once('#') {
            Some((hd, c)) => (hd.trim(), c.trim()),
            None => (raw, ""),
        };
        if let Some(t) = TERM_SECTIONS.iter().position(|s| *s == head) {
            if seen_terms[t] {
                return Err(perr(ln, format!("section {head} appears twice")));
            }
            seen_terms[t] = true;
            let width = 4 + t.min(2);
            for (ln, w) in rows.take(&mut k, h.counts[t], head)? {
                if w.len() != width {
                    return Err(perr(ln, format!("{head}: expected {width} columns (id type {}), found {}", ["a1 a2", "a1 a2 a3", "a1 a2 a3 a4"][width - 4], w.len())));
                }
                let kind = count(path, ln, w[1], &format!("{} type", TERM_KINDS[t]))?;
                if kind == 0 || kind > h.type_counts[t] {
                    return Err(perr(ln, format!("{} type {kind} is not in 1..{} (the '{} types' header)", TERM_KINDS[t], h.type_counts[t], TERM_KINDS[t])));
                }
                let ids = w[2..].iter().map(|x| count(path, ln, x, "atom id").map(|v| v as u64)).collect::<Result<Vec<u64>>>()?;
                raw_terms[t].push((ln, kind - 1, ids));
            }
            continue;
        }
        if COEFF_SECTIONS.contains(&head) {
            let (ntypes_here, what) = match head {
                "Pair Coeffs" => (nt, "atom"),
                "PairIJ Coeffs" => (nt * (nt + 1) / 2, "atom"),
                _ => {
                    let t = COEFF_SECTIONS.iter().position(|s| *s == head).unwrap_or(2) - 2;
                    (h.type_counts[t], TERM_KINDS[t])
                }
            };
            let mut sec = CoeffSection { style: (!hint.is_empty()).then(|| hint.to_string()), rows: Vec::new() };
            for (ln, w) in rows.take(&mut k, ntypes_here, head)? {
                let ty = count(path, ln, w[0], &format!("{what} type"))?;
                if ty == 0 || ty > if head == "PairIJ Coeffs" { nt } else { ntypes_here } {
                    return Err(perr(ln, format!("{head}: {what} type {ty} is out of range")));
                }
                sec.rows.push((ty, w[1..].iter().map(|s| s.to_string()).collect()));
            }
            coeffs.push((head.to_string(), sec));
            continue;
        }
        match head {
            "Masses" => {
                for (ln, w) in rows.take(&mut k, nt, head)? {
                    if w.len() != 2 {
                        return Err(perr(ln, format!("Masses: expected 2 columns (type mass), found {}", w.len())));
                    }
                    let t = type_index(path, ln, w[0], nt)?;
                    let m = num(path, ln, w[1], "mass")?;
                    if m <= 0.0 {
                        return Err(perr(ln, format!("mass {m} of type {} is not positive", t + 1)));
                    }
                    masses[t] = Some(m);
                }
            }
            "Atoms" => {
                if !hint.is_empty() && hint != style.name() {
                    return Err(perr(ln, format!("the Atoms section is '# {hint}' but the atom style asked for is the molecular style {}", style.name())));
                }
                let mut out = Vec::with_capacity(n);
                let hm = h.cell.matrix();
                for (ln, w) in rows.take(&mut k, n, head)? {
                    if w.len() != 6 + q && w.len() != 9 + q {
                        return Err(perr(
                            ln,
                            format!("atom style {} expects {} or {} columns (id mol type{} x y z [ix iy iz]), found {}", style.name(), 6 + q, 9 + q, if q == 1 { " q" } else { "" }, w.len()),
                        ));
                    }
                    let id = count(path, ln, w[0], "atom id")? as u64;
                    let mol: i64 = w[1].parse().map_err(|_| perr(ln, format!("molecule id '{}' is not an integer", w[1])))?;
                    let t = type_index(path, ln, w[2], nt)?;
                    let charge = if q == 1 { num(path, ln, w[3], "charge")? } else { 0.0 };
                    let mut p = [num(path, ln, w[3 + q], "x")?, num(path, ln, w[4 + q], "y")?, num(path, ln, w[5 + q], "z")?];
                    if w.len() == 9 + q {
                        for d in 0..3 {
                            let img: i64 = w[6 + q + d].parse().map_err(|_| perr(ln, format!("image flag '{}' is not an integer", w[6 + q + d])))?;
                            for (c, pc) in p.iter_mut().enumerate() {
                                *pc += img as f64 * hm[d][c];
                            }
                        }
                    }
                    out.push((id, t, mol, charge, [p[0] - h.lo[0], p[1] - h.lo[1], p[2] - h.lo[2]], ln));
                }
                atoms = Some(out);
            }
            "Velocities" => {
                rows.take(&mut k, n, head)?;
            }
            hd if REJECTED.contains(&hd) => return Err(perr(ln, format!("section '{hd}' is not supported (class2 and non-point-particle sections)"))),
            hd => return Err(perr(ln, format!("unknown section '{hd}'"))),
        }
    }
    let atoms = atoms.ok_or_else(|| perr(lines.len(), "no Atoms section".into()))?;
    for t in 0..4 {
        if h.counts[t] > 0 && !seen_terms[t] {
            return Err(perr(h.count_lines[t], format!("the header declares {} {}s but there is no {} section", h.counts[t], TERM_KINDS[t], TERM_SECTIONS[t])));
        }
    }
    let mut index: HashMap<u64, usize> = HashMap::with_capacity(n);
    for (i, a) in atoms.iter().enumerate() {
        if index.insert(a.0, i).is_some() {
            return Err(perr(a.5, format!("atom id {} appears twice", a.0)));
        }
    }
    let resolve = |t: usize| -> Result<Vec<(usize, Vec<usize>)>> {
        raw_terms[t]
            .iter()
            .map(|(ln, kind, ids)| {
                let idx = ids
                    .iter()
                    .map(|id| index.get(id).copied().ok_or_else(|| perr(*ln, format!("{} names atom id {id}, which is not in the Atoms section (dangling {})", TERM_SECTIONS[t], TERM_KINDS[t]))))
                    .collect::<Result<Vec<usize>>>()?;
                for (a, i) in idx.iter().enumerate() {
                    if idx[..a].contains(i) {
                        return Err(perr(*ln, format!("{} names atom id {} twice", TERM_SECTIONS[t], ids[a])));
                    }
                }
                Ok((*kind, idx))
            })
            .collect()
    };
    let bonds = resolve(0)?.into_iter().map(|(kind, a)| Term { kind, atoms: [a[0], a[1]] }).collect();
    let angles = resolve(1)?.into_iter().map(|(kind, a)| Term { kind, atoms: [a[0], a[1], a[2]] }).collect();
    let dihedrals = resolve(2)?.into_iter().map(|(kind, a)| Term { kind, atoms: [a[0], a[1], a[2], a[3]] }).collect();
    let impropers = resolve(3)?.into_iter().map(|(kind, a)| Term { kind, atoms: [a[0], a[1], a[2], a[3]] }).collect();
    let labels: Vec<String> = if elements.is_empty() { (1..=nt).map(|t| t.to_string()).collect() } else { elements.to_vec() };
    let mut type_masses = Vec::with_capacity(nt);
    for (t, m) in masses.iter().enumerate() {
        type_masses.push(match m {
            Some(m) => *m,
            None => atomic_mass(&labels[t]).ok_or_else(|| {
                Error::invalid("mass", &labels[t], &format!("atom type {} has no Masses entry in {path} (and no element symbol to take a standard mass from)", t + 1))
            })?,
        });
    }
    let symbols: Vec<String> = atoms.iter().map(|a| labels[a.1].clone()).collect();
    let positions: Vec<Vec3> = atoms.iter().map(|a| a.4).collect();
    let m = atoms.iter().map(|a| type_masses[a.1]).collect();
    let structure = Structure::from_symbols(h.cell.clone(), positions, &symbols, Some(m))?;
    check_overlap(&structure, OVERLAP_DISTANCE)?;
    let topology = Topology {
        style,
        atom_types: atoms.iter().map(|a| a.1).collect(),
        type_masses,
        molecule: atoms.iter().map(|a| a.2).collect(),
        charges: (style == MolecularStyle::Full).then(|| atoms.iter().map(|a| a.3).collect()),
        bonds,
        angles,
        dihedrals,
        impropers,
        n_term_types: h.type_counts,
        coeffs,
    };
    topology.validate()?;
    Ok(MolecularFile { structure, topology })
}

/// Reject atoms closer than `r_min` to each other (minimum image), with a bin grid (no
/// neighbour list: `r_min` is far below any cutoff).
pub fn check_overlap(s: &Structure, r_min: f64) -> Result<()> {
    let n = s.len();
    if n < 2 {
        return Ok(());
    }
    let w = s.cell.widths();
    let nb: Vec<usize> = w.iter().map(|x| ((x / r_min.max(1e-300)).floor() as usize).clamp(1, ((n as f64).cbrt().ceil() as usize).max(1))).collect();
    let frac: Vec<Vec3> = s.positions.iter().map(|p| {
        let f = s.cell.fractional(p);
        [f[0] - f[0].floor(), f[1] - f[1].floor(), f[2] - f[2].floor()]
    }).collect();
    let bin = |f: &Vec3| -> [usize; 3] { [0, 1, 2].map(|d| ((f[d] * nb[d] as f64) as usize).min(nb[d] - 1)) };
    let mut bins: HashMap<[usize; 3], Vec<usize>> = HashMap::new();
    for (i, f) in frac.iter().enumerate() {
        bins.entry(bin(f)).or_default().push(i);
    }
    let h = s.cell.matrix();
    for (i, f) in frac.iter().enumerate() {
        let b = bin(f);
        let mut done = std::collections::BTreeSet::new();
        for dx in -1i64..=1 {
            for dy in -1i64..=1 {
                for dz in -1i64..=1 {
                    let key = [0, 1, 2].map(|d| ((b[d] as i64 + [dx, dy, dz][d]).rem_euclid(nb[d] as i64)) as usize);
                    if !done.insert(key) {
                        continue;
                    }
                    for &j in bins.get(&key).map(|v| v.as_slice()).unwrap_or(&[]) {
                        if j <= i {
                            continue;
                        }
                        let d = [0, 1, 2].map(|c| {
                            let x = frac[j][c] - f[c];
                            x - x.round()
                        });
                        let r = (0..3).map(|c| (d[0] * h[0][c] + d[1] * h[1][c] + d[2] * h[2][c]).powi(2)).sum::<f64>().sqrt();
                        if r < r_min {
                            return Err(Error::Overlap { i, j, r, min: r_min });
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Write `s` with its topology as a LAMMPS data file (ids 1..N in structure order, atom types
/// from the topology, its force-field sections again), through a temporary file renamed into
/// place so that no half-written file is left.
pub fn write(path: &Path, s: &Structure, topo: &Topology) -> Result<()> {
    topo.validate()?;
    if topo.len() != s.len() {
        return Err(Error::Shape(format!("topology of {} atoms for a structure of {}", topo.len(), s.len())));
    }
    let h = s.cell.matrix();
    let tol = 1e-12 * (h[0][0].abs() + h[1][1].abs() + h[2][2].abs());
    if h[0][1].abs() > tol || h[0][2].abs() > tol || h[1][2].abs() > tol {
        return Err(Error::invalid("cell", format!("{h:?}"), "LAMMPS needs a lower-triangular cell (a along x, b in the xy plane)"));
    }
    let mut t = String::new();
    let c = topo.counts();
    t.push_str(&format!("LAMMPS data file written by scalebridge (atom_style {})\n\n{} atoms\n{} atom types\n", topo.style.name(), s.len(), topo.type_masses.len()));
    for k in 0..4 {
        t.push_str(&format!("{} {}s\n{} {} types\n", c[k], TERM_KINDS[k], topo.n_term_types[k], TERM_KINDS[k]));
    }
    t.push_str(&format!("\n0.0 {:.17e} xlo xhi\n0.0 {:.17e} ylo yhi\n0.0 {:.17e} zlo zhi\n", h[0][0], h[1][1], h[2][2]));
    if h[1][0] != 0.0 || h[2][0] != 0.0 || h[2][1] != 0.0 {
        t.push_str(&format!("{:.17e} {:.17e} {:.17e} xy xz yz\n", h[1][0], h[2][0], h[2][1]));
    }
    t.push_str("\nMasses\n\n");
    for (k, m) in topo.type_masses.iter().enumerate() {
        t.push_str(&format!("{} {:.17e}\n", k + 1, m));
    }
    for (name, sec) in &topo.coeffs {
        t.push_str(&format!("\n{name}{}\n\n", sec.style.as_ref().map(|x| format!(" # {x}")).unwrap_or_default()));
        for (ty, w) in &sec.rows {
            t.push_str(&format!("{ty} {}\n", w.join(" ")));
        }
    }
    t.push_str(&format!("\nAtoms # {}\n\n", topo.style.name()));
    for (i, p) in s.positions.iter().enumerate() {
        let q = topo.charges.as_ref().map(|q| format!(" {:.17e}", q[i])).unwrap_or_default();
        t.push_str(&format!("{} {} {}{q} {:.17e} {:.17e} {:.17e}\n", i + 1, topo.molecule[i], topo.atom_types[i] + 1, p[0], p[1], p[2]));
    }
    fn terms<const N: usize>(t: &mut String, head: &str, terms: &[Term<N>]) {
        if terms.is_empty() {
            return;
        }
        t.push_str(&format!("\n{head}\n\n"));
        for (k, x) in terms.iter().enumerate() {
            let ids: Vec<String> = x.atoms.iter().map(|a| (a + 1).to_string()).collect();
            t.push_str(&format!("{} {} {}\n", k + 1, x.kind + 1, ids.join(" ")));
        }
    }
    terms(&mut t, "Bonds", &topo.bonds);
    terms(&mut t, "Angles", &topo.angles);
    terms(&mut t, "Dihedrals", &topo.dihedrals);
    terms(&mut t, "Impropers", &topo.impropers);
    let io = |e| Error::Io { path: path.display().to_string(), source: e };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(t.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io)
}

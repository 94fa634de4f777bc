//! LAMMPS input lines (`pair_style`, `pair_coeff`, `pair_modify`) read as they are, so a LAMMPS
//! user's potential definition can be used unchanged.
//!
//! Atom type `i + 1` is `elements[i]`. Supported today: `lj/cut` (global cutoff, per-pair
//! `pair_coeff i j ε σ [r_c]` with `*`/`m*n` wildcards, `pair_modify mix geometric|arithmetic`
//! (LAMMPS default geometric) and `shift yes|no`), `eam` (funcfl, `pair_coeff i i file`, one file
//! per type), `eam/alloy` and `eam/fs` (`pair_coeff * * file El1 El2 ...`), `tersoff` (optional
//! `shift δ`) and `sw` (`pair_coeff * * file El1 El2 ...`, NULL for unmapped types). Every unset unlike
//! pair is mixed exactly as LAMMPS's `init_one` does (ε, σ and the cutoff), and the result lists
//! every type pair explicitly. Accelerator suffixes (`/omp`, `/opt`, `/gpu`, `/kk`, `/intel`)
//! are accepted: they do not change the physics. Any other style or command is an error naming
//! it and its line.

use crate::error::{Error, Result};
use crate::potentials::eam::EamStyle;
use crate::potentials::lj_cut::{Mixing, PairParams};
use crate::potentials::spec::{LjCutSpec, PotentialSpec};
use std::path::{Path, PathBuf};

/// Styles this reader turns into potentials.
pub const SUPPORTED_PAIR_STYLES: &[&str] = &[
    "lj/cut",
    "eam",
    "eam/alloy",
    "eam/fs",
    "buck",
    "born",
    "pedone",
    "coul/cut",
    "coul/wolf",
    "coul/dsf",
    "hybrid/overlay",
    "buck/coul/cut",
    "coul/long",
    "buck/coul/long",
    "tersoff",
    "sw",
    "lj/cut/coul/long",
];

/// Accelerator variants of a style (same physics).
const ACCELERATOR_SUFFIXES: &[&str] = &["/omp", "/opt", "/gpu", "/kk", "/intel"];

/// A potential defined by LAMMPS input lines, resolved (files found, pairs mixed).
#[derive(Clone, Debug, PartialEq)]
pub enum LammpsPotential {
    /// `pair_style lj/cut`: per-type ε/σ (the `i i` coefficients) and every type pair explicit.
    LjCut {
        species: Vec<String>,
        epsilon: Vec<f64>,
        sigma: Vec<f64>,
        cutoff: f64,
        shift: bool,
        mixing: Mixing,
        pairs: Vec<PairParams>,
    },
    /// `pair_style eam`: one funcfl file per element (`(element, file)`).
    EamFuncfl { files: Vec<(String, PathBuf)> },
    /// `pair_style eam/alloy` or `eam/fs`: one file and the elements it is asked for.
    EamSetfl { style: EamStyle, file: PathBuf, elements: Vec<String> },
    /// A style read straight into its specification (the ionic styles and `hybrid/overlay`).
    Spec(PotentialSpec),
    /// `pair_style tersoff [shift δ]`: one file and the elements it is asked for.
    Tersoff { file: PathBuf, elements: Vec<String>, shift: Option<f64> },
    /// `pair_style sw`: one file and the elements it is asked for.
    Sw { file: PathBuf, elements: Vec<String> },
}

impl LammpsPotential {
    /// The LAMMPS style name.
    pub fn pair_style(&self) -> &'static str {
        match self {
            LammpsPotential::LjCut { .. } => "lj/cut",
            LammpsPotential::EamFuncfl { .. } => "eam",
            LammpsPotential::EamSetfl { style, .. } => style.pair_style(),
            LammpsPotential::Spec(s) => crate::potentials::spec::KNOWN_PAIR_STYLES.iter().copied().find(|k| *k == s.style()).unwrap_or("unknown"),
            LammpsPotential::Tersoff { .. } => "tersoff",
            LammpsPotential::Sw { .. } => "sw",
        }
    }

    /// The serialisable specification (every type pair of `lj/cut` explicit).
    pub fn to_spec(&self) -> PotentialSpec {
        match self.clone() {
            LammpsPotential::LjCut { species, epsilon, sigma, cutoff, shift, mixing, pairs } => {
                PotentialSpec::LjCut(LjCutSpec { elements: species, epsilon, sigma, cutoff, shift, mixing, pairs })
            }
            LammpsPotential::EamFuncfl { files } => {
                let (elements, files): (Vec<String>, Vec<PathBuf>) = files.into_iter().unzip();
                PotentialSpec::Eam { style: EamStyle::Funcfl, files, elements: Some(elements) }
            }
            LammpsPotential::EamSetfl { style, file, elements } => PotentialSpec::Eam { style, files: vec![file], elements: Some(elements) },
            LammpsPotential::Spec(s) => s,
            LammpsPotential::Tersoff { file, elements, shift } => PotentialSpec::Tersoff { file, elements: Some(elements), shift },
            LammpsPotential::Sw { file, elements } => PotentialSpec::Sw { file, elements: Some(elements) },
        }
    }

    /// Construct the potential ([`PotentialSpec::build`]).
    pub fn build(&self) -> Result<std::sync::Arc<dyn crate::potentials::Potential>> {
        self.to_spec().build()
    }
}

/// The parsed LAMMPS potential with the per-type charges it was given (used by the Coulomb
/// styles; ignored by the others).
#[derive(Clone, Debug, PartialEq)]
pub struct LammpsInput {
    pub potential: LammpsPotential,
    /// Per-type charges, e (when given).
    pub charges: Option<Vec<f64>>,
    /// Element of each atom type (type i+1 is `elements[i]`).
    pub elements: Vec<String>,
    /// Allow a non-neutral cell (neutralising background); set by the caller (default false).
    pub neutralize: bool,
}

impl LammpsInput {
    /// The per-type charges as per-species charges (with `neutralize`), if any were given.
    pub fn species_charges(&self) -> Result<Option<crate::potentials::charges::Charges>> {
        match &self.charges {
            Some(q) => Ok(Some(crate::potentials::charges::Charges::new(self.elements.iter().cloned().zip(q.iter().copied()), self.neutralize)?)),
            None if self.neutralize => Ok(Some(crate::potentials::charges::Charges { neutralize: true, ..Default::default() })),
            None => Ok(None),
        }
    }

    /// The specification with the charges given to every Coulomb style.
    pub fn to_spec(&self) -> Result<PotentialSpec> {
        let mut spec = self.potential.to_spec();
        spec.inherit_charges(&self.species_charges()?);
        Ok(spec)
    }

    /// Construct the potential, charges included ([`PotentialSpec::build`]).
    pub fn build(&self) -> Result<std::sync::Arc<dyn crate::potentials::Potential>> {
        self.to_spec()?.build()
    }
}

/// Where a line came from, for errors: the input's name and the 1-based line number.
struct Line<'a> {
    source: &'a str,
    number: usize,
    words: Vec<String>,
}

impl Line<'_> {
    fn err(&self, msg: impl Into<String>) -> Error {
        Error::Parse { path: self.source.to_string(), line: self.number, msg: msg.into() }
    }
    fn number(&self, k: usize, what: &str) -> Result<f64> {
        let w = self.words.get(k).ok_or_else(|| self.err(format!("{}: missing {what}", self.words.join(" "))))?;
        let v: f64 = w.parse().map_err(|_| self.err(format!("{}: {what} '{w}' is not a number", self.words.join(" "))))?;
        if !v.is_finite() {
            return Err(self.err(format!("{}: {what} '{w}' is not finite", self.words.join(" "))));
        }
        Ok(v)
    }
}

/// Split input lines into commands: `#` comments removed, `&` continuations joined, blank lines
/// skipped; each command keeps the number of its first line.
fn commands<'a>(source: &'a str, lines: &[String]) -> Result<Vec<Line<'a>>> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let flat: Vec<&str> = lines.iter().flat_map(|l| l.split('\n')).collect();
    for (k, piece) in flat.iter().enumerate() {
        {
            let text = piece.split('#').next().unwrap_or("").trim_end();
            let (first, mut text) = match pending.take() {
                Some((n, mut acc)) => {
                    acc.push(' ');
                    acc.push_str(text.trim_start());
                    (n, acc)
                }
                None => (k + 1, text.to_string()),
            };
            if let Some(stripped) = text.strip_suffix('&') {
                text = stripped.to_string();
                pending = Some((first, text));
                continue;
            }
            let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
            if words.is_empty() {
                continue;
            }
            let line = Line { source, number: first, words };
            if line.words.iter().any(|w| w.contains('$') || w.contains('"') || w.contains('\'')) {
                return Err(line.err(format!("{}: variables and quoted arguments are not supported; give literal values", line.words.join(" "))));
            }
            out.push(line);
        }
    }
    if let Some((n, _)) = pending {
        return Err(Error::Parse { path: source.to_string(), line: n, msg: "continuation '&' at the end of the input".into() });
    }
    Ok(out)
}

/// A type range `i`, `*`, `m*`, `*n`, `m*n` (1-based, inclusive) over `ntypes` types.
fn type_range(line: &Line, w: &str, ntypes: usize) -> Result<(usize, usize)> {
    let bad = || line.err(format!("{}: type '{w}' is not a type number in 1..{ntypes} or a range m*n", line.words.join(" ")));
    let parse = |s: &str, default: usize| -> Result<usize> {
        if s.is_empty() {
            Ok(default)
        } else {
            s.parse::<usize>().map_err(|_| bad())
        }
    };
    let (lo, hi) = match w.split_once('*') {
        Some((a, b)) => (parse(a, 1)?, parse(b, ntypes)?),
        None => {
            let v = parse(w, 0)?;
            (v, v)
        }
    };
    if lo < 1 || hi > ntypes || lo > hi {
        return Err(bad());
    }
    Ok((lo, hi))
}

/// Find a potential file: as given if absolute, else against each of `search` in turn.
pub fn resolve_file(name: &str, search: &[PathBuf]) -> Result<PathBuf> {
    let p = Path::new(name);
    if p.is_absolute() {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
    } else {
        for d in search {
            let c = d.join(p);
            if c.is_file() {
                return Ok(c);
            }
        }
    }
    let looked: Vec<String> = if p.is_absolute() { vec![name.to_string()] } else { search.iter().map(|d| d.join(p).display().to_string()).collect() };
    Err(Error::Io {
        path: name.to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, format!("potential file not found (looked for {})", looked.join(", "))),
    })
}

/// The style name without an accelerator suffix.
fn base_style(style: &str) -> &str {
    for s in ACCELERATOR_SUFFIXES {
        if let Some(b) = style.strip_suffix(s) {
            return b;
        }
    }
    style
}

#[derive(Default)]
struct LjState {
    cutoff: f64,
    /// (ε, σ, r_c) of set pairs, indexed `i * n + j` with i <= j (0-based).
    set: Vec<Option<(f64, f64, f64)>>,
}

/// Per-style state while reading.
enum Style {
    None,
    LjCut(LjState),
    Eam(Vec<Option<PathBuf>>),
    Setfl { style: EamStyle, file: Option<(PathBuf, Vec<Option<String>>)> },
    Ionic(ionic::IonicState),
    /// `tersoff` / `sw`: the style name, tersoff's shift and the `pair_coeff * * file ...` mapping.
    Manybody { name: &'static str, shift: Option<f64>, file: Option<(PathBuf, Vec<Option<String>>)> },
    /// `lj/cut/coul/long cut_lj [cut_coul]`: the lj/cut coefficients and the Coulomb cutoff (read
    /// as `hybrid/overlay lj/cut cut_lj coul/long cut_coul`, the same physics).
    LjCoulLong(LjState, f64),
}

#[path = "lammps_ionic.rs"]
mod ionic;
pub use ionic::{COMBINED_STYLES, IONIC_STYLES};

#[path = "lammps_kspace.rs"]
mod kspace;

/// Read LAMMPS input lines into a potential. `elements[i]` is atom type `i + 1`; relative file
/// names are looked up in `search` (in order); `source` names the input in errors.
pub fn parse(source: &str, lines: &[String], elements: &[String], search: &[PathBuf], charges: Option<Vec<f64>>) -> Result<LammpsInput> {
    let n = elements.len();
    if n == 0 {
        return Err(Error::invalid("elements", "[]", "name the element of every LAMMPS atom type (type i+1 is elements[i])"));
    }
    for (i, e) in elements.iter().enumerate() {
        if e.is_empty() || elements[..i].contains(e) {
            return Err(Error::invalid("elements", elements.join(","), "element names must be non-empty and distinct (one per atom type)"));
        }
    }
    if let Some(q) = &charges {
        if q.len() != n {
            return Err(Error::Shape(format!("{} charges for {n} atom types", q.len())));
        }
        if let Some(i) = q.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite { what: "charge".into(), index: i });
        }
    }
    let mut style = Style::None;
    let mut style_line = 0usize;
    let mut mixing = Mixing::Geometric;
    let mut shift = false;
    let mut kspace_settings: Option<crate::potentials::kspace::KSpaceSettings> = None;
    let mut kspace_line = 0;
    for line in commands(source, lines)? {
        let w = &line.words;
        let whole = w.join(" ");
        match w[0].as_str() {
            "pair_style" => {
                let name = w.get(1).ok_or_else(|| line.err("pair_style: missing style name"))?;
                style_line = line.number;
                style = match base_style(name) {
                    "lj/cut" => {
                        if w.len() != 3 {
                            return Err(line.err(format!("{whole}: lj/cut takes one global cutoff (pair_style lj/cut r_c)")));
                        }
                        let rc = line.number(2, "cutoff")?;
                        if rc <= 0.0 {
                            return Err(line.err(format!("{whole}: cutoff must be positive")));
                        }
                        Style::LjCut(LjState { cutoff: rc, set: vec![None; n * n] })
                    }
                    "eam" | "eam/alloy" | "eam/fs" if w.len() != 2 => {
                        return Err(line.err(format!("{whole}: {name} takes no arguments")));
                    }
                    "eam" => Style::Eam(vec![None; n]),
                    "eam/alloy" => Style::Setfl { style: EamStyle::Alloy, file: None },
                    "eam/fs" => Style::Setfl { style: EamStyle::FinnisSinclair, file: None },
                    "buck" | "born" | "pedone" | "coul/cut" | "coul/wolf" | "coul/dsf" | "hybrid/overlay" | "buck/coul/cut" | "coul/long" | "buck/coul/long" => {
                        Style::Ionic(ionic::settings(&line, n)?)
                    }
                    "tersoff" => {
                        let shift = match &w[2..] {
                            [] => None,
                            [k, _] if k == "shift" => Some(line.number(3, "shift")?),
                            _ => return Err(line.err(format!("{whole}: tersoff takes no arguments or 'shift δ'"))),
                        };
                        Style::Manybody { name: "tersoff", shift, file: None }
                    }
                    "lj/cut/coul/long" => {
                        if w.len() != 3 && w.len() != 4 {
                            return Err(line.err(format!("{whole}: lj/cut/coul/long takes cut_lj [cut_coul]")));
                        }
                        let rc = line.number(2, "cut_lj")?;
                        let rcoul = if w.len() == 4 { line.number(3, "cut_coul")? } else { rc };
                        if rc <= 0.0 || rcoul <= 0.0 {
                            return Err(line.err(format!("{whole}: cutoffs must be positive")));
                        }
                        Style::LjCoulLong(LjState { cutoff: rc, set: vec![None; n * n] }, rcoul)
                    }
                    "sw" => {
                        if w.len() != 2 {
                            return Err(line.err(format!("{whole}: sw takes no arguments here (threebody off is not supported)")));
                        }
                        Style::Manybody { name: "sw", shift: None, file: None }
                    }
                    other => {
                        return Err(line.err(format!(
                            "pair_style {other} is not supported yet (supported: {})",
                            SUPPORTED_PAIR_STYLES.join(", ")
                        )))
                    }
                };
            }
            "pair_coeff" => coeff(&line, &mut style, elements, search)?,
            "pair_modify" => {
                let mut k = 1;
                if w.len() < 3 {
                    return Err(line.err(format!("{whole}: expected keyword/value pairs (mix geometric|arithmetic, shift yes|no)")));
                }
                while k < w.len() {
                    let val = w.get(k + 1).map(String::as_str).ok_or_else(|| line.err(format!("{whole}: '{}' needs a value", w[k])))?;
                    match (w[k].as_str(), val) {
                        ("mix", "geometric") => mixing = Mixing::Geometric,
                        ("mix", "arithmetic") => mixing = Mixing::LorentzBerthelot,
                        ("shift", "yes") => shift = true,
                        ("shift", "no") => shift = false,
                        ("tail", "no") => {}
                        // scalebridge evaluates coul/long's erfc as LAMMPS does with `table 0`
                        // (see docs/kspace.md); LAMMPS's tables differ from it by ~1e-6
                        ("table", v) if v.parse::<u32>().is_ok() => {}
                        ("mix", v) | ("shift", v) | ("tail", v) => {
                            return Err(line.err(format!("{whole}: {} {v} is not supported (mix geometric|arithmetic, shift yes|no, tail no)", w[k])))
                        }
                        (key, _) => return Err(line.err(format!("{whole}: pair_modify keyword '{key}' is not supported (mix, shift)"))),
                    }
                    k += 2;
                }
            }
            "kspace_style" => {
                kspace_settings = Some(kspace::style(&line)?);
                kspace_line = line.number;
            }
            "kspace_modify" => kspace::modify(&line, &mut kspace_settings)?,
            "units" => {
                if w.get(1).map(String::as_str) != Some("metal") || w.len() != 2 {
                    return Err(line.err(format!("{whole}: only units metal is supported (eV, Å)")));
                }
            }
            // Settings that do not change energies or forces.
            "mass" | "neighbor" | "neigh_modify" | "atom_modify" | "thermo" | "thermo_style" => {}
            other => {
                return Err(line.err(format!(
                    "LAMMPS command '{other}' is not supported yet (supported: pair_style, pair_coeff, pair_modify, kspace_style, kspace_modify, units metal)"
                )))
            }
        }
    }
    let mut potential = finish(source, style, style_line, elements, mixing, shift)?;
    kspace::attach(source, kspace_line, &mut potential, kspace_settings)?;
    Ok(LammpsInput { potential, charges, elements: elements.to_vec(), neutralize: false })
}

fn coeff(line: &Line, style: &mut Style, elements: &[String], search: &[PathBuf]) -> Result<()> {
    let w = &line.words;
    let whole = w.join(" ");
    let n = elements.len();
    if w.len() < 3 {
        return Err(line.err(format!("{whole}: expected pair_coeff I J ...")));
    }
    let (mut ilo, mut ihi) = type_range(line, &w[1], n)?;
    let (mut jlo, mut jhi) = type_range(line, &w[2], n)?;
    // LAMMPS swaps two plain type numbers given as `J I`.
    if ilo == ihi && jlo == jhi && ilo > jlo {
        std::mem::swap(&mut ilo, &mut jlo);
        std::mem::swap(&mut ihi, &mut jhi);
    }
    match style {
        Style::None => Err(line.err("pair_coeff before pair_style")),
        Style::Ionic(st) => ionic::coeff(line, st, elements, ilo, ihi, jlo, jhi),
        Style::LjCut(st) | Style::LjCoulLong(st, _) => {
            if w.len() != 5 && w.len() != 6 {
                return Err(line.err(format!("{whole}: lj/cut and lj/cut/coul/long take pair_coeff I J epsilon sigma [cut_lj]")));
            }
            let eps = line.number(3, "epsilon")?;
            let sigma = line.number(4, "sigma")?;
            let rc = if w.len() == 6 { line.number(5, "cutoff")? } else { st.cutoff };
            if eps < 0.0 || sigma <= 0.0 || rc <= 0.0 {
                return Err(line.err(format!("{whole}: epsilon must be >= 0, sigma and cutoff > 0")));
            }
            let mut count = 0;
            for i in ilo..=ihi {
                for j in jlo.max(i)..=jhi {
                    st.set[(i - 1) * n + (j - 1)] = Some((eps, sigma, rc));
                    count += 1;
                }
            }
            if count == 0 {
                return Err(line.err(format!("{whole}: sets no pair (I must not exceed J)")));
            }
            Ok(())
        }
        Style::Eam(files) => {
            if w.len() != 4 {
                return Err(line.err(format!("{whole}: eam takes pair_coeff I I file (one funcfl file per type)")));
            }
            let path = resolve_file(&w[3], search)?;
            let mut count = 0;
            for i in ilo..=ihi {
                if (jlo..=jhi).contains(&i) {
                    files[i - 1] = Some(path.clone());
                    count += 1;
                }
            }
            if count == 0 {
                return Err(line.err(format!("{whole}: eam sets only like pairs I I (cross pairs are mixed)")));
            }
            Ok(())
        }
        Style::Setfl { style, file } => {
            if (ilo, ihi, jlo, jhi) != (1, n, 1, n) || !w[1].starts_with('*') || !w[2].starts_with('*') {
                return Err(line.err(format!("{whole}: {} needs pair_coeff * * file El1 ... El{n}", style.pair_style())));
            }
            if w.len() != 4 + n {
                return Err(line.err(format!(
                    "{whole}: {} needs one element (or NULL) per atom type after the file: {n} types ({}), {} given",
                    style.pair_style(),
                    elements.join(", "),
                    w.len().saturating_sub(4)
                )));
            }
            let path = resolve_file(&w[3], search)?;
            let map = w[4..].iter().map(|e| (e != "NULL").then(|| e.clone())).collect();
            *file = Some((path, map));
            Ok(())
        }
        Style::Manybody { name, file, .. } => {
            if (ilo, ihi, jlo, jhi) != (1, n, 1, n) || w[1] != "*" || w[2] != "*" {
                return Err(line.err(format!("{whole}: {name} needs pair_coeff * * file El1 ... El{n}")));
            }
            if w.len() != 4 + n {
                return Err(line.err(format!(
                    "{whole}: {name} needs one element (or NULL) per atom type after the file: {n} types ({}), {} given",
                    elements.join(", "),
                    w.len().saturating_sub(4)
                )));
            }
            let path = resolve_file(&w[3], search)?;
            let map = w[4..].iter().map(|e| (e != "NULL").then(|| e.clone())).collect();
            *file = Some((path, map));
            Ok(())
        }
    }
}

fn finish(source: &str, style: Style, style_line: usize, elements: &[String], mixing: Mixing, shift: bool) -> Result<LammpsPotential> {
    let n = elements.len();
    let missing = |what: String| Error::Parse { path: source.to_string(), line: style_line, msg: what };
    match style {
        Style::None => Err(Error::Parse { path: source.to_string(), line: 0, msg: "no pair_style command".into() }),
        Style::Ionic(st) => Ok(LammpsPotential::Spec(ionic::finish(source, style_line, st, elements, shift)?)),
        Style::LjCut(st) => {
            let like = |i: usize| st.set[i * n + i];
            let mut epsilon = Vec::with_capacity(n);
            let mut sigma = Vec::with_capacity(n);
            for (i, el) in elements.iter().enumerate() {
                let (e, s, _) = like(i).ok_or_else(|| missing(format!("lj/cut: no pair_coeff for type {} ({el}) with itself", i + 1)))?;
                epsilon.push(e);
                sigma.push(s);
            }
            let mut pairs = Vec::new();
            for i in 0..n {
                for j in i..n {
                    let (eps, sig, rc) = match st.set[i * n + j] {
                        Some(v) => v,
                        None => {
                            let (ei, si, ci) = like(i).unwrap_or_default();
                            let (ej, sj, cj) = like(j).unwrap_or_default();
                            match mixing {
                                Mixing::Geometric => ((ei * ej).sqrt(), (si * sj).sqrt(), (ci * cj).sqrt()),
                                Mixing::LorentzBerthelot => ((ei * ej).sqrt(), 0.5 * (si + sj), 0.5 * (ci + cj)),
                            }
                        }
                    };
                    pairs.push(PairParams { a: elements[i].clone(), b: elements[j].clone(), epsilon: eps, sigma: sig, cutoff: Some(rc) });
                }
            }
            Ok(LammpsPotential::LjCut { species: elements.to_vec(), epsilon, sigma, cutoff: st.cutoff, shift, mixing, pairs })
        }
        Style::LjCoulLong(st, rcoul) => {
            // LAMMPS lj/cut/coul/long = lj/cut (its mixing and shift) + coul/long in one loop
            let lj = finish(source, Style::LjCut(st), style_line, elements, mixing, shift)?.to_spec();
            let coul = PotentialSpec::Coulomb(crate::potentials::spec_ionic::CoulombSpec {
                style: crate::potentials::spec_ionic::CoulStyle::Long,
                alpha: None,
                cutoff: rcoul,
                charges: None,
                kspace: None,
            });
            Ok(LammpsPotential::Spec(PotentialSpec::Hybrid { styles: vec![lj, coul], charges: None }))
        }
        Style::Eam(files) => {
            let mut out = Vec::with_capacity(n);
            for (i, f) in files.into_iter().enumerate() {
                let f = f.ok_or_else(|| missing(format!("eam: no pair_coeff {} {} file for type {} ({})", i + 1, i + 1, i + 1, elements[i])))?;
                out.push((elements[i].clone(), f));
            }
            Ok(LammpsPotential::EamFuncfl { files: out })
        }
        Style::Setfl { style, file } => {
            let (file, map) = file.ok_or_else(|| missing(format!("{}: no pair_coeff * * file ...", style.pair_style())))?;
            let mut used = Vec::new();
            for (i, m) in map.iter().enumerate() {
                match m {
                    Some(e) if e == &elements[i] => used.push(e.clone()),
                    Some(e) => {
                        return Err(missing(format!(
                            "{}: pair_coeff maps type {} to '{e}' but elements[{i}] is '{}' (the elements name the LAMMPS atom types in order)",
                            style.pair_style(),
                            i + 1,
                            elements[i]
                        )))
                    }
                    None => {}
                }
            }
            if used.is_empty() {
                return Err(missing(format!("{}: every type is NULL", style.pair_style())));
            }
            Ok(LammpsPotential::EamSetfl { style, file, elements: used })
        }
        Style::Manybody { name, shift, file } => {
            let (file, map) = file.ok_or_else(|| missing(format!("{name}: no pair_coeff * * file ...")))?;
            let mut used = Vec::new();
            for (i, m) in map.iter().enumerate() {
                match m {
                    Some(e) if e == &elements[i] => used.push(e.clone()),
                    Some(e) => {
                        return Err(missing(format!(
                            "{name}: pair_coeff maps type {} to '{e}' but elements[{i}] is '{}' (the elements name the LAMMPS atom types in order)",
                            i + 1,
                            elements[i]
                        )))
                    }
                    None => {}
                }
            }
            if used.is_empty() {
                return Err(missing(format!("{name}: every type is NULL")));
            }
            Ok(if name == "tersoff" { LammpsPotential::Tersoff { file, elements: used, shift } } else { LammpsPotential::Sw { file, elements: used } })
        }
    }
}

#[cfg(test)]
#[path = "lammps_input_tests.rs"]
mod tests;

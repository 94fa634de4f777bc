//! Token reader over potential files with LAMMPS `PotentialFileReader` semantics, and the
//! checks shared by the EAM file formats.

use crate::error::{Error, Result};
use std::path::Path;

/// Token reader over a potential file with LAMMPS `PotentialFileReader` semantics: `#` starts a
/// comment, blank lines are skipped when reading values, a value list may span lines and the
/// rest of its last line is ignored.
pub(crate) struct Reader<'a> {
    path: String,
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(path: &str, text: &'a str) -> Self {
        Reader { path: path.to_string(), lines: text.lines().collect(), next: 0 }
    }
    pub(crate) fn err(&self, line: usize, msg: impl Into<String>) -> Error {
        Error::Parse { path: self.path.clone(), line, msg: msg.into() }
    }
    pub(crate) fn skip_line(&mut self, what: &str) -> Result<()> {
        if self.next >= self.lines.len() {
            return Err(self.err(self.next + 1, format!("file ends before {what}")));
        }
        self.next += 1;
        Ok(())
    }
    /// Next non-empty line (comments stripped) as words; at least `min` of them.
    pub(crate) fn next_words(&mut self, min: usize, what: &str) -> Result<(usize, Vec<&'a str>)> {
        while self.next < self.lines.len() {
            let raw = self.lines[self.next];
            self.next += 1;
            let body = raw.split('#').next().unwrap_or("");
            let words: Vec<&str> = body.split_whitespace().collect();
            if words.is_empty() {
                continue;
            }
            if words.len() < min {
                return Err(self.err(self.next, format!("{what}: expected at least {min} values, found {}", words.len())));
            }
            return Ok((self.next, words));
        }
        Err(self.err(self.next + 1, format!("file ends before {what}")))
    }
    /// `n` floating-point values spanning as many lines as needed.
    pub(crate) fn next_values(&mut self, n: usize, what: &str) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.next >= self.lines.len() {
                return Err(self.err(
                    self.next,
                    format!("file is truncated: expected {n} values of {what}, found {} before the end", out.len()),
                ));
            }
            let raw = self.lines[self.next];
            self.next += 1;
            let body = raw.split('#').next().unwrap_or("");
            for w in body.split_whitespace() {
                if out.len() == n {
                    break;
                }
                let v = parse_f64(w).ok_or_else(|| self.err(self.next, format!("{what}: '{w}' is not a number")))?;
                out.push(v);
            }
        }
        Ok(out)
    }
}

/// Parse a number as C's `strtod` would for well-formed input (also Fortran `D` exponents).
pub(crate) fn parse_f64(w: &str) -> Option<f64> {
    match w.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) => w.replace(['D', 'd'], "e").parse::<f64>().ok(),
    }
}

pub(crate) fn parse_usize(reader: &Reader, line: usize, w: &str, what: &str) -> Result<usize> {
    w.parse::<usize>().map_err(|_| reader.err(line, format!("{what}: '{w}' is not a non-negative integer")))
}

pub(crate) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })
}

pub(crate) fn check_grid(r: &Reader, line: usize, nrho: usize, drho: f64, nr: usize, dr: f64, cut: f64) -> Result<()> {
    if nrho < 5 || nr < 5 {
        return Err(r.err(line, format!("grid sizes nrho = {nrho}, nr = {nr}: need at least 5 points")));
    }
    if nrho > 10_000_000 || nr > 10_000_000 {
        return Err(r.err(line, format!("grid sizes nrho = {nrho}, nr = {nr} are implausibly large")));
    }
    if !(drho.is_finite() && drho > 0.0 && dr.is_finite() && dr > 0.0) {
        return Err(r.err(line, format!("grid spacings drho = {drho}, dr = {dr} must be positive")));
    }
    if !(cut.is_finite() && cut > 0.0) {
        return Err(r.err(line, format!("cutoff {cut} must be positive")));
    }
    if cut > nr as f64 * dr * (1.0 + 1e-9) {
        return Err(r.err(
            line,
            format!("the r grid ({nr} points × {dr} Å, up to {:.6} Å) does not cover the cutoff {cut} Å", (nr - 1) as f64 * dr),
        ));
    }
    Ok(())
}

/// Select `wanted` elements (by name) from a file's element list: returns their indices.
pub(crate) fn select_elements(path: &str, file_elements: &[String], wanted: Option<&[String]>) -> Result<Vec<usize>> {
    match wanted {
        None => Ok((0..file_elements.len()).collect()),
        Some(w) => {
            if w.is_empty() {
                return Err(Error::invalid("elements", "[]", "give at least one element"));
            }
            let mut idx = Vec::with_capacity(w.len());
            for (k, e) in w.iter().enumerate() {
                if w[..k].contains(e) {
                    return Err(Error::invalid("elements", e, "listed twice"));
                }
                match file_elements.iter().position(|f| f == e) {
                    Some(i) => idx.push(i),
                    None => {
                        return Err(Error::UnknownSpecies {
                            species: e.clone(),
                            potential: path.to_string(),
                            known: file_elements.join(", "),
                        })
                    }
                }
            }
            Ok(idx)
        }
    }
}

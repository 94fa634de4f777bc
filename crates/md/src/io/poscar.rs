//! VASP POSCAR/CONTCAR files (VASP 5 with a species line, or VASP 4 with the species given as
//! `elements`): comment, scale (negative: the cell volume in Å³), three lattice rows, species,
//! counts, optional `Selective dynamics`, `Direct`/`Cartesian`, positions.

use super::{num, words};
use crate::cell::Cell;
use crate::error::{Error, Result};
use crate::structure::Structure;

/// Parse the text of a POSCAR file named `path`.
pub fn parse(path: &str, text: &str, elements: &[String]) -> Result<Structure> {
    let perr = |line: usize, msg: String| Error::Parse { path: path.to_string(), line, msg };
    let lines: Vec<&str> = text.lines().collect();
    let get = |k: usize, what: &str| -> Result<Vec<&str>> {
        let l = lines.get(k).ok_or_else(|| perr(k + 1, format!("the file ends before the {what}")))?;
        Ok(words(l))
    };
    let w = get(1, "scale factor")?;
    let scale = num(path, 2, w.first().copied().unwrap_or(""), "scale factor")?;
    let mut h = [[0.0; 3]; 3];
    for (r, row) in h.iter_mut().enumerate() {
        let w = get(2 + r, "lattice vectors")?;
        if w.len() < 3 {
            return Err(perr(3 + r, format!("lattice vector needs 3 numbers, found {}", w.len())));
        }
        for c in 0..3 {
            row[c] = num(path, 3 + r, w[c], "lattice vector component")?;
        }
    }
    let raw_volume = Cell::new(h).map(|c| c.volume()).unwrap_or(0.0);
    let factor = if scale < 0.0 {
        if raw_volume <= 0.0 {
            return Err(perr(2, "a negative scale (a volume) needs a non-degenerate cell".into()));
        }
        (-scale / raw_volume).cbrt()
    } else if scale > 0.0 {
        scale
    } else {
        return Err(perr(2, "scale factor 0".into()));
    };
    for row in h.iter_mut() {
        for x in row.iter_mut() {
            *x *= factor;
        }
    }
    let cell = Cell::new(h)?;
    let mut k = 5;
    let w5 = get(5, "species or counts line")?;
    let names: Vec<String> = if w5.first().map(|s| s.parse::<usize>().is_ok()).unwrap_or(false) {
        if elements.is_empty() {
            return Err(perr(6, "no species line (VASP 4 format): give the species with --elements".into()));
        }
        elements.to_vec()
    } else {
        k = 6;
        w5.iter().map(|s| s.split('/').next().unwrap_or(s).split('_').next().unwrap_or(s).to_string()).collect()
    };
    let wc = get(k, "counts line")?;
    if wc.len() != names.len() {
        return Err(perr(k + 1, format!("{} species ({}) but {} counts", names.len(), names.join(" "), wc.len())));
    }
    let mut symbols = Vec::new();
    for (name, c) in names.iter().zip(&wc) {
        let c: usize = c.parse().map_err(|_| perr(k + 1, format!("count '{c}' is not a non-negative integer")))?;
        symbols.extend(std::iter::repeat_n(name.clone(), c));
    }
    k += 1;
    let mut mode = get(k, "coordinate mode")?.join(" ");
    if mode.starts_with(['S', 's']) {
        k += 1;
        mode = get(k, "coordinate mode")?.join(" ");
    }
    let direct = match mode.chars().next() {
        Some('D' | 'd') => true,
        Some('C' | 'c' | 'K' | 'k') => false,
        _ => return Err(perr(k + 1, format!("expected Direct or Cartesian, found '{mode}'"))),
    };
    let mut positions = Vec::with_capacity(symbols.len());
    for a in 0..symbols.len() {
        let ln = k + 2 + a;
        let w = get(k + 1 + a, "positions")?;
        if w.len() < 3 {
            return Err(perr(ln, format!("position needs 3 numbers, found {}", w.len())));
        }
        let v = [num(path, ln, w[0], "x")?, num(path, ln, w[1], "y")?, num(path, ln, w[2], "z")?];
        positions.push(if direct { cell.cartesian(&v) } else { [v[0] * factor, v[1] * factor, v[2] * factor] });
    }
    Structure::from_symbols(cell, positions, &symbols, None)
}

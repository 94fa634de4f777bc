//! What the element-triplet many-body styles (`tersoff`, `sw`) share: their potential-file format
//! and the LAMMPS conventions of their kernels.
//!
//! **File format** (LAMMPS `PotentialFileReader`): `#` starts a comment, blank lines are skipped,
//! an entry is three element names followed by the style's parameters and may span several
//! lines (lines are joined until the entry has all its words). Entries whose three elements are
//! not all among the requested ones are skipped; every ordered triplet of the requested elements
//! must then have exactly one entry (an error names a missing or duplicated triplet). A `UNITS:`
//! tag on the first line must say `metal`.
//!
//! **Tallies** (LAMMPS `ev_tally`, `v_tally3`, `ev_tally3`, which `compute pe/atom` and
//! `compute stress/atom` report): a pair term gives half its energy and virial to each atom; a
//! three-body term with forces `f_j`, `f_k` on the outer atoms and `d_1 = x_j − x_i`,
//! `d_2 = x_k − x_i` has the virial `W = d_1 ⊗ f_j + d_2 ⊗ f_k` and gives a third of it to each of
//! i, j, k. That tensor is not symmetric per term: as LAMMPS, the xy component is `Σ d_x f_y`, xz
//! `Σ d_x f_z` and yz `Σ d_y f_z`.

use super::{Request, ThreadBuffer};
use crate::error::{Error, Result};
use std::path::Path;

/// One entry of a triplet file: element names, values, and the line it starts on.
#[derive(Clone, Debug)]
pub struct TripletEntry {
    pub elements: [String; 3],
    pub values: Vec<f64>,
    pub line: usize,
}

/// The entries of a potential file for `elements`, indexed `(i * n + j) * n + k` for the triplet
/// `elements[i] elements[j] elements[k]`. `nvalues`: parameters per entry after the three names;
/// `style` names the pair style in errors.
pub fn read_triplets(path: &Path, elements: &[String], nvalues: usize, style: &str) -> Result<Vec<TripletEntry>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: name.clone(), source: e })?;
    parse_triplets(&name, &text, elements, nvalues, style)
}

/// [`read_triplets`] on the text of a file (`name` for errors).
pub fn parse_triplets(name: &str, text: &str, elements: &[String], nvalues: usize, style: &str) -> Result<Vec<TripletEntry>> {
    let err = |line: usize, msg: String| Error::Parse { path: name.to_string(), line, msg };
    if elements.is_empty() {
        return Err(Error::invalid("elements", "[]", &format!("{style} needs at least one element")));
    }
    if let Some(first) = text.lines().next() {
        if let Some(pos) = first.find("UNITS:") {
            let unit = first[pos + 6..].split_whitespace().next().unwrap_or("");
            if unit != "metal" {
                return Err(err(1, format!("{style} file is in units '{unit}'; scalebridge reads metal units (eV, Å) only")));
            }
        }
    }
    let nwords = 3 + nvalues;
    let lines: Vec<&str> = text.lines().collect();
    let n = elements.len();
    let index = |w: &str| elements.iter().position(|e| e == w);
    let mut table: Vec<Option<TripletEntry>> = vec![None; n * n * n];
    let mut k = 0;
    while k < lines.len() {
        let start = k + 1;
        let mut words: Vec<&str> = Vec::new();
        while k < lines.len() {
            let body = lines[k].split('#').next().unwrap_or("");
            k += 1;
            words.extend(body.split_whitespace());
            if words.is_empty() || words.len() >= nwords {
                break;
            }
        }
        if words.is_empty() {
            continue;
        }
        if words.len() != nwords {
            return Err(err(
                start,
                format!("{style} entry '{}': expected 3 element names and {nvalues} parameters, found {} words", words[..words.len().min(3)].join(" "), words.len()),
            ));
        }
        let (Some(i), Some(j), Some(l)) = (index(words[0]), index(words[1]), index(words[2])) else {
            continue;
        };
        let mut values = Vec::with_capacity(nvalues);
        for w in &words[3..] {
            let v = super::eam::reader::parse_f64(w)
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(start, format!("{style} entry {} {} {}: '{w}' is not a finite number", words[0], words[1], words[2])))?;
            values.push(v);
        }
        let slot = &mut table[(i * n + j) * n + l];
        if let Some(prev) = slot {
            return Err(err(
                start,
                format!("{style} file has a duplicate entry for {} {} {} (first on line {})", words[0], words[1], words[2], prev.line),
            ));
        }
        *slot = Some(TripletEntry { elements: [words[0].into(), words[1].into(), words[2].into()], values, line: start });
    }
    let mut out = Vec::with_capacity(n * n * n);
    for (t, e) in table.into_iter().enumerate() {
        let (i, j, l) = (t / (n * n), (t / n) % n, t % n);
        out.push(e.ok_or_else(|| {
            err(0, format!("{style} file is missing an entry for the triplet {} {} {}", elements[i], elements[j], elements[l]))
        })?);
    }
    Ok(out)
}

/// The elements of a triplet file in order of first appearance (the default element list).
pub fn file_elements(path: &Path, nvalues: usize, style: &str) -> Result<Vec<String>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io { path: name.clone(), source: e })?;
    let mut out: Vec<String> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for line in text.lines() {
        words.extend(line.split('#').next().unwrap_or("").split_whitespace());
        if words.len() >= 3 + nvalues {
            for w in &words[..3] {
                if !out.iter().any(|e| e == w) {
                    out.push(w.to_string());
                }
            }
            words.clear();
        }
    }
    // an incomplete last entry: name its elements so that the reader reports its format
    for w in words.iter().take(3) {
        if super::eam::reader::parse_f64(w).is_none() && !out.iter().any(|e| e == w) {
            out.push(w.to_string());
        }
    }
    if out.is_empty() {
        return Err(Error::Parse { path: name, line: 0, msg: format!("no {style} entries in the file") });
    }
    Ok(out)
}

/// Check that `elements` are non-empty and distinct.
pub fn check_elements(elements: &[String], style: &str) -> Result<()> {
    for (i, e) in elements.iter().enumerate() {
        if e.is_empty() || elements[..i].contains(e) {
            return Err(Error::invalid("elements", elements.join(","), &format!("{style}: element names must be non-empty and distinct")));
        }
    }
    Ok(())
}

/// LAMMPS's rule for taking a pair term once from a full list (atom ids `tag = index + 1`):
/// from the lower id when the id sum is even, from the higher when odd; an atom and its own
/// periodic image by the image's position (higher z, then y, then x).
#[inline(always)]
pub fn lammps_takes_pair(oi: usize, oj: usize, xi: &[f64; 3], xj: &[f64; 3]) -> bool {
    if oi > oj {
        (oi + oj) % 2 == 1
    } else if oi < oj {
        (oi + oj) % 2 == 0
    } else {
        !(xj[2] < xi[2] || (xj[2] == xi[2] && xj[1] < xi[1]) || (xj[2] == xi[2] && xj[1] == xi[1] && xj[0] < xi[0]))
    }
}

/// Add force `f` to image `e`.
#[inline(always)]
pub fn add_force(buf: &mut ThreadBuffer, e: usize, f: [f64; 3]) {
    let t = &mut buf.forces[e];
    t[0] += f[0];
    t[1] += f[1];
    t[2] += f[2];
}

/// Pair term between images `i` and `j` with energy `e` and virial `fpair · d ⊗ d` (any sign
/// convention of `d`, since it appears twice): totals, and half to each atom when requested.
#[inline(always)]
pub fn tally_pair(buf: &mut ThreadBuffer, req: Request, i: usize, j: usize, e: f64, fpair: f64, d: [f64; 3]) {
    let v = [d[0] * d[0] * fpair, d[1] * d[1] * fpair, d[2] * d[2] * fpair, d[1] * d[2] * fpair, d[0] * d[2] * fpair, d[0] * d[1] * fpair];
    buf.energy += e;
    for q in 0..6 {
        buf.virial[q] += v[q];
    }
    if req.per_atom_energy {
        buf.per_atom_energy[i] += 0.5 * e;
        buf.per_atom_energy[j] += 0.5 * e;
    }
    if req.per_atom_virial {
        for a in [i, j] {
            let t = &mut buf.per_atom_virial[a];
            for q in 0..6 {
                t[q] += 0.5 * v[q];
            }
        }
    }
}

/// Three-body term (centre `i`, outer `j`, `k`) with energy `e`, forces `fj`, `fk` on the outer
/// atoms and `d1 = x_j − x_i`, `d2 = x_k − x_i`: totals, and a third to each atom when requested
/// (the LAMMPS component convention of the module docs).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn tally3(buf: &mut ThreadBuffer, req: Request, ijk: [usize; 3], e: f64, d1: [f64; 3], fj: [f64; 3], d2: [f64; 3], fk: [f64; 3]) {
    let v = [
        d1[0] * fj[0] + d2[0] * fk[0],
        d1[1] * fj[1] + d2[1] * fk[1],
        d1[2] * fj[2] + d2[2] * fk[2],
        d1[1] * fj[2] + d2[1] * fk[2],
        d1[0] * fj[2] + d2[0] * fk[2],
        d1[0] * fj[1] + d2[0] * fk[1],
    ];
    buf.energy += e;
    for q in 0..6 {
        buf.virial[q] += v[q];
    }
    const THIRD: f64 = 1.0 / 3.0;
    if req.per_atom_energy && e != 0.0 {
        for a in ijk {
            buf.per_atom_energy[a] += THIRD * e;
        }
    }
    if req.per_atom_virial {
        for a in ijk {
            let t = &mut buf.per_atom_virial[a];
            for q in 0..6 {
                t[q] += THIRD * v[q];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn els(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn entries_span_lines_skip_comments_and_unused_elements() {
        let text = "# UNITS: metal\nA A A 1 2 # comment\n 3\n\nA A B 1 2 3\nB B B 9 9 9\nX A A 1 1 1\n";
        let t = parse_triplets("f", text, &els(&["A"]), 3, "test").unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].values, vec![1.0, 2.0, 3.0]);
        assert_eq!(t[0].line, 2);
    }

    #[test]
    fn missing_duplicate_and_malformed_entries_are_named() {
        let text = "A A A 1 2 3\nB B B 1 2 3\nA A B 1 2 3\n";
        let e = parse_triplets("f", text, &els(&["A", "B"]), 3, "test").unwrap_err().to_string();
        assert!(e.contains("missing an entry for the triplet A B A"), "{e}");
        let e = parse_triplets("f", "A A A 1 2 3\nA A A 1 2 3\n", &els(&["A"]), 3, "test").unwrap_err().to_string();
        assert!(e.contains("duplicate entry for A A A") && e.contains("f:2:"), "{e}");
        let e = parse_triplets("f", "A A A 1 x 3\n", &els(&["A"]), 3, "test").unwrap_err().to_string();
        assert!(e.contains("'x' is not a finite number"), "{e}");
        let e = parse_triplets("f", "A A A 1 2 3 4\n", &els(&["A"]), 3, "test").unwrap_err().to_string();
        assert!(e.contains("found 7 words"), "{e}");
        let e = parse_triplets("f", "A A A 1 2\n", &els(&["A"]), 3, "test").unwrap_err().to_string();
        assert!(e.contains("found 5 words"), "{e}");
        let e = parse_triplets("f", "# DATE: x UNITS: real\nA A A 1 2 3\n", &els(&["A"]), 3, "test").unwrap_err().to_string();
        assert!(e.contains("units 'real'"), "{e}");
    }

    #[test]
    fn pair_rule_takes_each_pair_once() {
        let x = [0.0, 0.0, 0.0];
        for a in 0..6 {
            for b in 0..6 {
                if a != b {
                    assert!(lammps_takes_pair(a, b, &x, &x) ^ lammps_takes_pair(b, a, &x, &x));
                }
            }
        }
        let y = [1.0, 0.0, 0.0];
        assert!(lammps_takes_pair(3, 3, &x, &y) ^ lammps_takes_pair(3, 3, &y, &x));
    }
}

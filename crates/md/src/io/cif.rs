//! CIF files (the first data block): cell parameters, symmetry operations
//! (`_space_group_symop_operation_xyz` or `_symmetry_equiv_pos_as_xyz`; identity if absent) and
//! atom sites (`_atom_site_fract_x/y/z`, `_atom_site_type_symbol` or the label's element).
//! Sites are expanded by the operations and duplicates (within 1e-4 in fractional coordinates)
//! merged. The cell is oriented as ASE's `cellpar_to_cell` does (a along x, b in the xy plane).
//! Partially occupied sites are rejected.

use crate::cell::Cell;
use crate::error::{Error, Result};
use crate::structure::Structure;

/// A CIF token with the line it starts on.
struct Tok {
    text: String,
    line: usize,
    quoted: bool,
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((k, line)) = lines.next() {
        if let Some(rest) = line.strip_prefix(';') {
            // Semicolon text field up to a line starting with ';'.
            let mut s = rest.to_string();
            for (_, l) in lines.by_ref() {
                if l.starts_with(';') {
                    break;
                }
                s.push('\n');
                s.push_str(l);
            }
            out.push(Tok { text: s, line: k + 1, quoted: true });
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c == '#' {
                break;
            } else if c == '\'' || c == '"' {
                let mut j = i + 1;
                // A quote ends at the same quote followed by whitespace or the line end.
                while j < chars.len() && !(chars[j] == c && (j + 1 == chars.len() || chars[j + 1].is_whitespace())) {
                    j += 1;
                }
                out.push(Tok { text: chars[i + 1..j.min(chars.len())].iter().collect(), line: k + 1, quoted: true });
                i = j + 1;
            } else {
                let mut j = i;
                while j < chars.len() && !chars[j].is_whitespace() {
                    j += 1;
                }
                out.push(Tok { text: chars[i..j].iter().collect(), line: k + 1, quoted: false });
                i = j;
            }
        }
    }
    out
}

/// A number with an optional standard uncertainty in parentheses, `1.234(5)`.
fn value(path: &str, t: &Tok) -> Result<f64> {
    let s = t.text.split('(').next().unwrap_or("");
    s.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| Error::Parse { path: path.to_string(), line: t.line, msg: format!("'{}' is not a number", t.text) })
}

/// One symmetry operation: fractional `x' = R x + t`.
type Op = ([[f64; 3]; 3], [f64; 3]);

fn parse_op(path: &str, t: &Tok) -> Result<Op> {
    let bad = || Error::Parse { path: path.to_string(), line: t.line, msg: format!("cannot read symmetry operation '{}'", t.text) };
    let parts: Vec<&str> = t.text.split(',').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let mut r = [[0.0; 3]; 3];
    let mut tr = [0.0; 3];
    for (row, p) in parts.iter().enumerate() {
        let s: String = p.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        let mut i = 0;
        let b = s.as_bytes();
        if b.is_empty() {
            return Err(bad());
        }
        while i < b.len() {
            let mut sign = 1.0;
            if b[i] == b'+' || b[i] == b'-' {
                sign = if b[i] == b'-' { -1.0 } else { 1.0 };
                i += 1;
            }
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'/') {
                i += 1;
            }
            let coef = if start < i {
                let n = &s[start..i];
                match n.split_once('/') {
                    Some((a, d)) => a.parse::<f64>().map_err(|_| bad())? / d.parse::<f64>().map_err(|_| bad())?,
                    None => n.parse::<f64>().map_err(|_| bad())?,
                }
            } else {
                1.0
            };
            if i < b.len() && b[i] == b'*' {
                i += 1;
            }
            match b.get(i) {
                Some(v @ (b'x' | b'y' | b'z')) => {
                    r[row][(v - b'x') as usize] += sign * coef;
                    i += 1;
                }
                _ if start < i => tr[row] += sign * coef,
                _ => return Err(bad()),
            }
        }
    }
    Ok((r, tr))
}

/// The element of a CIF type symbol or label: `Fe2+` → `Fe`, `Cu1` → `Cu`, `O2-` → `O`.
fn element_of(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if (i == 0 && c.is_ascii_uppercase()) || (i > 0 && c.is_ascii_lowercase()) {
            out.push(c);
        } else if i == 0 && c.is_ascii_lowercase() {
            out.push(c.to_ascii_uppercase());
        } else {
            break;
        }
    }
    out
}

/// Parse the text of a CIF file named `path`.
pub fn parse(path: &str, text: &str) -> Result<Structure> {
    let perr = |line: usize, msg: String| Error::Parse { path: path.to_string(), line, msg };
    let toks = tokenize(text);
    let mut items: Vec<(&Tok, &Tok)> = Vec::new();
    let mut loops: Vec<(Vec<String>, Vec<&Tok>)> = Vec::new();
    let mut i = 0;
    let mut blocks = 0;
    while i < toks.len() {
        let t = &toks[i];
        let low = t.text.to_ascii_lowercase();
        if !t.quoted && low.starts_with("data_") {
            blocks += 1;
            if blocks > 1 {
                break; // first data block only
            }
            i += 1;
        } else if !t.quoted && low == "loop_" {
            i += 1;
            let mut names = Vec::new();
            while i < toks.len() && !toks[i].quoted && toks[i].text.starts_with('_') {
                names.push(toks[i].text.to_ascii_lowercase());
                i += 1;
            }
            let mut vals = Vec::new();
            while i < toks.len() {
                let u = &toks[i];
                let l = u.text.to_ascii_lowercase();
                if !u.quoted && (u.text.starts_with('_') || l == "loop_" || l.starts_with("data_")) {
                    break;
                }
                vals.push(u);
                i += 1;
            }
            if names.is_empty() || vals.len() % names.len() != 0 {
                return Err(perr(t.line, format!("loop_ with {} names and {} values", names.len(), vals.len())));
            }
            loops.push((names, vals));
        } else if !t.quoted && t.text.starts_with('_') {
            let v = toks.get(i + 1).ok_or_else(|| perr(t.line, format!("{} has no value", t.text)))?;
            items.push((t, v));
            i += 2;
        } else {
            i += 1;
        }
    }
    let item = |name: &str| items.iter().find(|(k, _)| k.text.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    let mut par = [0.0; 6];
    for (k, name) in ["_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"]
        .iter()
        .enumerate()
    {
        par[k] = value(path, item(name).ok_or_else(|| perr(1, format!("no {name}: only periodic crystals are supported")))?)?;
    }
    let cell = Cell::new(cellpar_to_cell(par))?;
    let column = |names: &[&str]| -> Option<(usize, usize)> {
        loops.iter().enumerate().find_map(|(li, (n, _))| names.iter().find_map(|want| n.iter().position(|x| x == want)).map(|c| (li, c)))
    };
    let mut ops: Vec<Op> = Vec::new();
    if let Some((li, c)) = column(&["_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz"]) {
        let (names, vals) = &loops[li];
        for row in vals.chunks(names.len()) {
            ops.push(parse_op(path, row[c])?);
        }
    }
    if ops.is_empty() {
        ops.push(([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [0.0; 3]));
    }
    let (li, cx) = column(&["_atom_site_fract_x"]).ok_or_else(|| perr(1, "no _atom_site_fract_x loop (Cartesian-only CIFs are not supported)".into()))?;
    let (names, vals) = &loops[li];
    let col = |n: &str| names.iter().position(|x| x == n);
    let (cy, cz) = match (col("_atom_site_fract_y"), col("_atom_site_fract_z")) {
        (Some(y), Some(z)) => (y, z),
        _ => return Err(perr(vals.first().map(|t| t.line).unwrap_or(1), "atom sites need fract_x, fract_y and fract_z".into())),
    };
    let csym = col("_atom_site_type_symbol").or(col("_atom_site_label")).ok_or_else(|| perr(1, "atom sites need _atom_site_type_symbol or _atom_site_label".into()))?;
    let cocc = col("_atom_site_occupancy");
    let mut frac: Vec<[f64; 3]> = Vec::new();
    let mut symbols: Vec<String> = Vec::new();
    for row in vals.chunks(names.len()) {
        if let Some(co) = cocc {
            if row[co].text != "?" && row[co].text != "." {
                let occ = value(path, row[co])?;
                if (occ - 1.0).abs() > 1e-3 {
                    return Err(perr(row[co].line, format!("site {} has occupancy {occ}: partial occupancy is not supported", row[0].text)));
                }
            }
        }
        let el = element_of(&row[csym].text);
        if el.is_empty() {
            return Err(perr(row[csym].line, format!("cannot tell the element of site '{}'", row[csym].text)));
        }
        let f = [value(path, row[cx])?, value(path, row[cy])?, value(path, row[cz])?];
        for (r, t) in &ops {
            let mut g = [0.0; 3];
            for d in 0..3 {
                let x = r[d][0] * f[0] + r[d][1] * f[1] + r[d][2] * f[2] + t[d];
                g[d] = x - x.floor();
                if g[d] >= 1.0 - 1e-12 {
                    g[d] = 0.0;
                }
            }
            let dup = frac.iter().any(|h| (0..3).all(|d| {
                let e = (g[d] - h[d]).abs();
                e.min(1.0 - e) < 1e-4
            }));
            if !dup {
                frac.push(g);
                symbols.push(el.clone());
            }
        }
    }
    let positions = frac.iter().map(|f| cell.cartesian(f)).collect();
    Structure::from_symbols(cell, positions, &symbols, None)
}

/// Lattice vectors (rows) from a, b, c (Å), α, β, γ (degrees), as ASE's `cellpar_to_cell`.
pub fn cellpar_to_cell(p: [f64; 6]) -> [[f64; 3]; 3] {
    let cosd = |deg: f64| if (deg - 90.0).abs() < 1e-10 { 0.0 } else { deg.to_radians().cos() };
    let (ca, cb, cg) = (cosd(p[3]), cosd(p[4]), cosd(p[5]));
    let sg = if (p[5] - 90.0).abs() < 1e-10 { 1.0 } else { p[5].to_radians().sin() };
    let cy = (ca - cb * cg) / sg;
    let cz2 = 1.0 - cb * cb - cy * cy;
    [[p[0], 0.0, 0.0], [p[1] * cg, p[1] * sg, 0.0], [p[2] * cb, p[2] * cy, p[2] * cz2.max(0.0).sqrt()]]
}

//! From a prototype and its parameters to a conventional cell with atoms, and supercells of
//! any cell (diagonal repeats, the orthogonal cell of a hexagonal lattice, or a general integer
//! matrix).

use super::prototypes::{CellKind, Coord, Prototype};
use super::symmetry::{operations, orbit, wrap};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// A cell (rows, Å) and atoms as (fractional position, role index).
#[derive(Clone, Debug)]
pub struct Motif {
    pub cell: [[f64; 3]; 3],
    pub atoms: Vec<([f64; 3], usize)>,
}

/// Lattice parameters and free Wyckoff parameters resolved against the prototype's defaults.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub params: BTreeMap<String, f64>,
    pub notes: Vec<String>,
}

fn positive(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Error::invalid(name, v, "a lattice parameter must be a positive, finite length (Å)"))
    }
}

/// Resolve a, b, c and the free parameters. Given only a for a non-cubic prototype, the default
/// ratios b/a and c/a are kept (and said so in the notes).
pub fn resolve(p: &Prototype, a: Option<f64>, b: Option<f64>, c: Option<f64>, params: &BTreeMap<String, f64>) -> Result<Resolved> {
    let mut notes = Vec::new();
    let a_val = positive("a", a.unwrap_or(p.a))?;
    let scale = a_val / p.a;
    let (b_val, c_val) = match p.cell {
        CellKind::Cubic => {
            for (n, v) in [("b", b), ("c", c)] {
                if let Some(v) = v {
                    return Err(Error::invalid(n, v, &format!("{} is cubic: give only a", p.name)));
                }
            }
            (a_val, a_val)
        }
        CellKind::Hexagonal => {
            if let Some(b) = b {
                return Err(Error::invalid("b", b, &format!("{} has hexagonal axes (b = a): give a and c", p.name)));
            }
            let c0 = p.c.unwrap_or(p.a);
            let c_val = match c {
                Some(c) => positive("c", c)?,
                None => {
                    if a.is_some() {
                        notes.push(format!("c = {:.6} Å from the default c/a = {:.6}", c0 * scale, c0 / p.a));
                    }
                    c0 * scale
                }
            };
            (a_val, c_val)
        }
        CellKind::Orthorhombic => {
            let (b0, c0) = (p.b.unwrap_or(p.a), p.c.unwrap_or(p.a));
            let bv = match b {
                Some(b) => positive("b", b)?,
                None => {
                    if a.is_some() {
                        notes.push(format!("b = {:.6} Å from the default b/a = {:.6}", b0 * scale, b0 / p.a));
                    }
                    b0 * scale
                }
            };
            let cv = match c {
                Some(c) => positive("c", c)?,
                None => {
                    if a.is_some() {
                        notes.push(format!("c = {:.6} Å from the default c/a = {:.6}", c0 * scale, c0 / p.a));
                    }
                    c0 * scale
                }
            };
            (bv, cv)
        }
    };
    let mut resolved: BTreeMap<String, f64> = p.params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    for (k, v) in params {
        if !resolved.contains_key(k) {
            let known: Vec<&str> = p.params.iter().map(|x| x.0).collect();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            return Err(Error::invalid("Wyckoff parameter", k, &format!("{} has free parameters: {known}", p.name)));
        }
        if !v.is_finite() {
            return Err(Error::invalid(k, v, "a Wyckoff parameter must be a finite fractional coordinate"));
        }
        resolved.insert(k.clone(), *v);
    }
    Ok(Resolved { a: a_val, b: b_val, c: c_val, params: resolved, notes })
}

/// The conventional cell of `p` with every Wyckoff orbit expanded.
pub fn conventional(p: &Prototype, r: &Resolved) -> Result<Motif> {
    let gamma = if p.cell == CellKind::Hexagonal { 120.0 } else { 90.0 };
    let cell = crate::io::cif::cellpar_to_cell([r.a, r.b, r.c, 90.0, 90.0, gamma]);
    let ops = operations(p.space_group)?;
    let mut atoms = Vec::new();
    for site in p.sites {
        let mut x = [0.0; 3];
        for (k, c) in site.position.iter().enumerate() {
            x[k] = match c {
                Coord::Fixed(v) => *v,
                Coord::Param(name) => *r.params.get(*name).ok_or_else(|| Error::invalid("Wyckoff parameter", name, "missing from the prototype table"))?,
            };
        }
        let role = p.roles.iter().position(|q| *q == site.role).ok_or_else(|| Error::invalid("role", site.role, "not a role of the prototype"))?;
        let images = orbit(&ops, &x);
        if images.len() != site.multiplicity() {
            return Err(Error::invalid(
                "Wyckoff parameters",
                format!("{} {} at {:?}", site.label, site.wyckoff, x),
                &format!("the position has {} images instead of {}: it sits on a special position of higher symmetry (atoms would coincide)", images.len(), site.multiplicity()),
            ));
        }
        atoms.extend(images.into_iter().map(|f| (f, role)));
    }
    Ok(Motif { cell, atoms })
}

/// The transformation to the orthogonal (orthohexagonal) cell of a hexagonal lattice:
/// A = a, B = a + 2b, C = c (twice the volume).
pub const ORTHOHEXAGONAL: [[i32; 3]; 3] = [[1, 0, 0], [1, 2, 0], [0, 0, 1]];

fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

fn inverse3(m: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let d = det3(m);
    let mut inv = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let (a, b) = ((j + 1) % 3, (j + 2) % 3);
            let (c, e) = ((i + 1) % 3, (i + 2) % 3);
            inv[i][j] = (m[a][c] * m[b][e] - m[a][e] * m[b][c]) / d;
        }
    }
    inv
}

/// The supercell with lattice vectors `P · cell` (rows; P integer with det > 0).
pub fn supercell(m: &Motif, p: [[i32; 3]; 3]) -> Result<Motif> {
    let pf = p.map(|r| r.map(f64::from));
    let det = det3(&pf);
    if det < 0.5 {
        return Err(Error::invalid("supercell matrix", format!("{p:?}"), "must have a positive determinant (right-handed, non-degenerate)"));
    }
    let n_cells = det.round() as usize;
    if n_cells.saturating_mul(m.atoms.len()) > 50_000_000 {
        return Err(Error::invalid("supercell", format!("{p:?}"), "more than 5e7 atoms"));
    }
    let mut cell = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            cell[i][j] = (0..3).map(|k| pf[i][k] * m.cell[k][j]).sum();
        }
    }
    // fractional coordinates in the new cell: f_new = f_old · P⁻¹
    let pinv = inverse3(&pf);
    // range of old-cell translations that can land inside the new cell: the corners of P
    let mut lo = [0i32; 3];
    let mut hi = [0i32; 3];
    for corner in 0..8 {
        for k in 0..3 {
            let v: i32 = (0..3).filter(|i| corner >> i & 1 == 1).map(|i| p[i][k]).sum();
            lo[k] = lo[k].min(v);
            hi[k] = hi[k].max(v);
        }
    }
    let tol = 1e-9;
    let mut atoms = Vec::with_capacity(n_cells * m.atoms.len());
    for i in lo[0] - 1..=hi[0] + 1 {
        for j in lo[1] - 1..=hi[1] + 1 {
            for k in lo[2] - 1..=hi[2] + 1 {
                for (f, role) in &m.atoms {
                    let old = [f[0] + f64::from(i), f[1] + f64::from(j), f[2] + f64::from(k)];
                    let new: [f64; 3] = std::array::from_fn(|c| (0..3).map(|r| old[r] * pinv[r][c]).sum());
                    if new.iter().all(|&x| x >= -tol && x < 1.0 - tol) {
                        atoms.push((new.map(wrap), *role));
                    }
                }
            }
        }
    }
    if atoms.len() != n_cells * m.atoms.len() {
        return Err(Error::invalid(
            "supercell matrix",
            format!("{p:?}"),
            &format!("found {} atoms, expected {} (internal error: please report)", atoms.len(), n_cells * m.atoms.len()),
        ));
    }
    Ok(Motif { cell, atoms })
}

/// Diagonal repeats as a matrix.
pub fn diagonal(n: [usize; 3]) -> Result<[[i32; 3]; 3]> {
    let mut p = [[0i32; 3]; 3];
    for k in 0..3 {
        if n[k] == 0 || n[k] > 1000 {
            return Err(Error::invalid("supercell", format!("{n:?}"), "repeats must be between 1 and 1000"));
        }
        p[k][k] = n[k] as i32;
    }
    Ok(p)
}

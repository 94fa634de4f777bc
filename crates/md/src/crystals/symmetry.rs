//! Space-group operations of the prototypes' groups and Wyckoff-orbit expansion.
//!
//! The general positions are those of the International Tables for Crystallography, Vol. A:
//! the cubic groups are generated from their point groups (m-3m: the 48 signed permutations;
//! -43m: those with an even number of sign changes) with the translations of the non-symmorphic
//! cosets; the others are written out as in the Tables' `x,y,z` notation. Centring translations
//! (F, R obverse) are applied on top.

use crate::error::{Error, Result};

/// One operation on fractional coordinates: `x' = R x + t`.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub r: [[f64; 3]; 3],
    pub t: [f64; 3],
}

impl Op {
    fn apply(&self, x: &[f64; 3]) -> [f64; 3] {
        let mut y = self.t;
        for (i, yi) in y.iter_mut().enumerate() {
            for j in 0..3 {
                *yi += self.r[i][j] * x[j];
            }
        }
        y
    }
}

/// Parse one operation written as in the International Tables / CIF (`-x+1/2,y,z+1/2`).
pub fn parse_op(text: &str) -> Result<Op> {
    let bad = || Error::invalid("symmetry operation", text, "expected three comma-separated expressions in x, y, z");
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let mut r = [[0.0; 3]; 3];
    let mut t = [0.0; 3];
    for (row, part) in parts.iter().enumerate() {
        let s: Vec<char> = part.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
        if s.is_empty() {
            return Err(bad());
        }
        let mut i = 0;
        while i < s.len() {
            let mut sign = 1.0;
            if s[i] == '+' || s[i] == '-' {
                if s[i] == '-' {
                    sign = -1.0;
                }
                i += 1;
            }
            let start = i;
            while i < s.len() && (s[i].is_ascii_digit() || s[i] == '/' || s[i] == '.') {
                i += 1;
            }
            let number: String = s[start..i].iter().collect();
            let coef = if number.is_empty() {
                1.0
            } else {
                match number.split_once('/') {
                    Some((n, d)) => n.parse::<f64>().map_err(|_| bad())? / d.parse::<f64>().map_err(|_| bad())?,
                    None => number.parse::<f64>().map_err(|_| bad())?,
                }
            };
            match s.get(i) {
                Some(v @ ('x' | 'y' | 'z')) => {
                    r[row][(*v as u8 - b'x') as usize] += sign * coef;
                    i += 1;
                }
                _ if !number.is_empty() => t[row] += sign * coef,
                _ => return Err(bad()),
            }
        }
    }
    Ok(Op { r, t })
}

/// Signed permutation matrices; `even_signs` keeps those with an even number of −1 entries.
fn signed_permutations(even_signs: bool) -> Vec<[[f64; 3]; 3]> {
    let perms = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [1, 0, 2], [0, 2, 1], [2, 1, 0]];
    let mut out = Vec::new();
    for p in perms {
        for signs in 0..8u32 {
            let negs = signs.count_ones();
            if even_signs && negs % 2 == 1 {
                continue;
            }
            let mut m = [[0.0; 3]; 3];
            for (row, &col) in p.iter().enumerate() {
                m[row][col] = if signs >> row & 1 == 1 { -1.0 } else { 1.0 };
            }
            out.push(m);
        }
    }
    out
}

fn parse_all(ops: &[&str]) -> Result<Vec<Op>> {
    ops.iter().map(|o| parse_op(o)).collect()
}

const F_CENTRING: [[f64; 3]; 4] = [[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]];
const R_CENTRING: [[f64; 3]; 3] = [[0.0, 0.0, 0.0], [2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0], [1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]];

/// The operations (centring included) of a space group in the setting the prototypes use:
/// 221, 225, 216 standard; 227 origin choice 2; 166 and 167 hexagonal axes (obverse);
/// 62 Pnma; 186 P6₃mc; 154 P3₂21.
pub fn operations(number: u16) -> Result<Vec<Op>> {
    let (base, centring): (Vec<Op>, &[[f64; 3]]) = match number {
        221 => (signed_permutations(false).into_iter().map(|r| Op { r, t: [0.0; 3] }).collect(), &[[0.0; 3]]),
        225 => (signed_permutations(false).into_iter().map(|r| Op { r, t: [0.0; 3] }).collect(), &F_CENTRING),
        216 => (signed_permutations(true).into_iter().map(|r| Op { r, t: [0.0; 3] }).collect(), &F_CENTRING),
        227 => {
            // Origin choice 1 (origin at -43m): {(g, 0)} ∪ {(−g, ¼¼¼)} for g in -43m; then moved
            // to origin choice 2 (origin at the inversion centre, x₂ = x₁ − ⅛⅛⅛):
            // t₂ = R s + t₁ − s with s = ⅛⅛⅛.
            let s = [0.125; 3];
            let mut v = Vec::new();
            for g in signed_permutations(true) {
                for (sign, t1) in [(1.0, [0.0; 3]), (-1.0, [0.25; 3])] {
                    let r = g.map(|row| row.map(|x| sign * x));
                    let rs = Op { r, t: [0.0; 3] }.apply(&s);
                    v.push(Op { r, t: [rs[0] + t1[0] - s[0], rs[1] + t1[1] - s[1], rs[2] + t1[2] - s[2]] });
                }
            }
            (v, &F_CENTRING)
        }
        166 => (
            parse_all(&[
                "x,y,z", "-y,x-y,z", "-x+y,-x,z", "y,x,-z", "x-y,-y,-z", "-x,-x+y,-z",
                "-x,-y,-z", "y,-x+y,-z", "x-y,x,-z", "-y,-x,z", "-x+y,y,z", "x,x-y,z",
            ])?,
            &R_CENTRING,
        ),
        167 => (
            parse_all(&[
                "x,y,z", "-y,x-y,z", "-x+y,-x,z", "y,x,-z+1/2", "x-y,-y,-z+1/2", "-x,-x+y,-z+1/2",
                "-x,-y,-z", "y,-x+y,-z", "x-y,x,-z", "-y,-x,z+1/2", "-x+y,y,z+1/2", "x,x-y,z+1/2",
            ])?,
            &R_CENTRING,
        ),
        186 => (
            parse_all(&[
                "x,y,z", "-y,x-y,z", "-x+y,-x,z", "-x,-y,z+1/2", "y,-x+y,z+1/2", "x-y,x,z+1/2",
                "-y,-x,z", "-x+y,y,z", "x,x-y,z", "y,x,z+1/2", "x-y,-y,z+1/2", "-x,-x+y,z+1/2",
            ])?,
            &[[0.0; 3]],
        ),
        154 => (
            parse_all(&["x,y,z", "-y,x-y,z+2/3", "-x+y,-x,z+1/3", "y,x,-z", "x-y,-y,-z+1/3", "-x,-x+y,-z+2/3"])?,
            &[[0.0; 3]],
        ),
        62 => (
            parse_all(&[
                "x,y,z", "-x+1/2,-y,z+1/2", "-x,y+1/2,-z", "x+1/2,-y+1/2,-z+1/2",
                "-x,-y,-z", "x+1/2,y,-z+1/2", "x,-y+1/2,z", "-x+1/2,y+1/2,z+1/2",
            ])?,
            &[[0.0; 3]],
        ),
        other => return Err(Error::invalid("space group", other, "no operations tabulated (221, 225, 216, 227, 166, 167, 186, 154, 62)")),
    };
    let mut out = Vec::with_capacity(base.len() * centring.len());
    for c in centring {
        for op in &base {
            out.push(Op { r: op.r, t: [op.t[0] + c[0], op.t[1] + c[1], op.t[2] + c[2]] });
        }
    }
    Ok(out)
}

/// Wrap a fractional coordinate into [0, 1) (values within 1e-10 of 1 become 0).
pub fn wrap(x: f64) -> f64 {
    let w = x - x.floor();
    if w >= 1.0 - 1e-10 {
        0.0
    } else {
        w
    }
}

/// The distinct images of `x` under `ops`, wrapped into [0, 1), in order of first appearance
/// (duplicates within 1e-6 in fractional coordinates, periodic, are merged).
pub fn orbit(ops: &[Op], x: &[f64; 3]) -> Vec<[f64; 3]> {
    let mut out: Vec<[f64; 3]> = Vec::new();
    for op in ops {
        let y = op.apply(x).map(wrap);
        let dup = out.iter().any(|z| {
            (0..3).all(|k| {
                let d = (y[k] - z[k]).abs();
                d.min(1.0 - d) < 1e-6
            })
        });
        if !dup {
            out.push(y);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_orders_and_general_position_multiplicities() {
        // order of the group modulo lattice translations (general position multiplicity)
        for (n, order) in [(221, 48), (225, 192), (216, 96), (227, 192), (166, 36), (167, 36), (186, 12), (154, 6), (62, 8)] {
            let ops = operations(n).unwrap();
            assert_eq!(ops.len(), order, "space group {n}");
            let general = orbit(&ops, &[0.0123, 0.0456, 0.0789]);
            assert_eq!(general.len(), order, "general position of {n}");
        }
    }

    #[test]
    fn parse_op_reads_fractions_and_rejects_garbage() {
        let op = parse_op("-x+1/2, y-x, z+1/2").unwrap();
        assert_eq!(op.r, [[-1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
        assert_eq!(op.t, [0.5, 0.0, 0.5]);
        assert!(parse_op("x,y").is_err());
        assert!(parse_op("x,q,z").is_err());
    }
}

//! Chemical formula parser: `Fe2O3`, `Ca(OH)2`, `Li0.5CoO2`, `Ba(Zr0.1Ti0.9)O3`, `[Cu(NH3)4]SO4`,
//! hydrates `CuSO4·5H2O` / `CuSO4*5H2O`. Amounts may be fractional; whitespace is ignored.

use crate::elements::ElementTable;
use crate::error::{MlError, Result};

/// A parsed composition: element indices (Z - 1) with positive amounts, sorted by index, merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Composition {
    pub elements: Vec<(usize, f64)>,
}

impl Composition {
    /// Total number of atoms in the formula unit.
    pub fn total(&self) -> f64 {
        self.elements.iter().map(|(_, a)| a).sum()
    }
    /// Atomic fractions (sum to 1).
    pub fn fractions(&self) -> Vec<(usize, f64)> {
        let t = self.total();
        self.elements.iter().map(|&(e, a)| (e, a / t)).collect()
    }
    /// Amount of an element by symbol (0 when absent).
    pub fn amount(&self, symbol: &str) -> f64 {
        let t = ElementTable::get();
        match t.index_of(symbol) {
            Some(i) => self
                .elements
                .iter()
                .find(|(e, _)| *e == i)
                .map_or(0.0, |(_, a)| *a),
            None => 0.0,
        }
    }
}

impl Composition {
    /// Chemical class by the most electronegative-type constituent, for stratified splits and
    /// leave-one-class-out transfer: `oxide`, `halide`, `chalcogenide`, `pnictide`, `carbide`,
    /// `boride`, `hydride`, `intermetallic` (metals only) or `other`. Checked in that order, so
    /// an oxyfluoride is an oxide.
    pub fn class(&self) -> &'static str {
        let has = |sym: &[&str]| sym.iter().any(|s| self.amount(s) > 0.0);
        const NONMETALS: [&str; 17] = ["H", "He", "B", "C", "N", "O", "F", "Ne", "Si", "P", "S", "Cl", "Ar", "Se", "Br", "Kr", "I"];
        const OTHER_NONMETALS: [&str; 6] = ["Ge", "As", "Te", "Xe", "At", "Rn"];
        if has(&["O"]) {
            "oxide"
        } else if has(&["F", "Cl", "Br", "I"]) {
            "halide"
        } else if has(&["S", "Se", "Te"]) {
            "chalcogenide"
        } else if has(&["N", "P", "As"]) {
            "pnictide"
        } else if has(&["C"]) {
            "carbide"
        } else if has(&["B"]) {
            "boride"
        } else if has(&["H"]) {
            "hydride"
        } else if !has(&NONMETALS) && !has(&OTHER_NONMETALS) {
            "intermetallic"
        } else {
            "other"
        }
    }
}

struct Parser<'a> {
    s: Vec<char>,
    pos: usize,
    formula: &'a str,
    table: &'static ElementTable,
}

impl Parser<'_> {
    fn err(&self, reason: &str) -> MlError {
        MlError::FormulaParse {
            formula: self.formula.to_string(),
            position: self.pos,
            reason: reason.to_string(),
        }
    }
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }
    fn number(&mut self) -> Result<Option<f64>> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || c == '.' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if start == self.pos {
            return Ok(None);
        }
        let text: String = self.s[start..self.pos].iter().collect();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => {
                self.pos = start;
                Err(self.err(&format!("invalid amount {text:?}")))
            }
        }
    }
    /// group := item* ; stops at a closing bracket, a hydrate separator or the end.
    fn group(&mut self, out: &mut Vec<(usize, f64)>, depth: usize) -> Result<()> {
        if depth > 32 {
            return Err(self.err("brackets nested too deeply"));
        }
        loop {
            match self.peek() {
                None | Some(')') | Some(']') | Some('·') | Some('*') => return Ok(()),
                Some(c @ ('(' | '[')) => {
                    let close = if c == '(' { ')' } else { ']' };
                    self.pos += 1;
                    let mut inner = Vec::new();
                    self.group(&mut inner, depth + 1)?;
                    if self.peek() != Some(close) {
                        return Err(self.err(&format!("missing closing {close:?}")));
                    }
                    self.pos += 1;
                    let m = self.number()?.unwrap_or(1.0);
                    out.extend(inner.into_iter().map(|(e, a)| (e, a * m)));
                }
                Some(c) if c.is_ascii_uppercase() => {
                    let start = self.pos;
                    self.pos += 1;
                    while matches!(self.peek(), Some(l) if l.is_ascii_lowercase()) {
                        self.pos += 1;
                    }
                    let sym: String = self.s[start..self.pos].iter().collect();
                    let idx = self.table.index_of(&sym).ok_or_else(|| MlError::UnknownElement {
                        symbol: sym.clone(),
                        formula: self.formula.to_string(),
                    })?;
                    let a = self.number()?.unwrap_or(1.0);
                    out.push((idx, a));
                }
                Some(c) if c.is_ascii_lowercase() => {
                    return Err(self.err(&format!(
                        "element symbols start with a capital letter, found {c:?}"
                    )))
                }
                Some(c) => return Err(self.err(&format!("unexpected character {c:?}"))),
            }
        }
    }
}

/// Parse a formula into a merged, sorted composition.
pub fn parse_formula(formula: &str) -> Result<Composition> {
    let s: Vec<char> = formula.chars().filter(|c| !c.is_whitespace()).collect();
    let mut p = Parser {
        s,
        pos: 0,
        formula,
        table: ElementTable::get(),
    };
    if p.s.is_empty() {
        return Err(p.err("empty formula"));
    }
    let mut raw = Vec::new();
    p.group(&mut raw, 0)?;
    while let Some(c) = p.peek() {
        match c {
            '·' | '*' => {
                p.pos += 1;
                let m = p.number()?.unwrap_or(1.0);
                let mut part = Vec::new();
                p.group(&mut part, 0)?;
                raw.extend(part.into_iter().map(|(e, a)| (e, a * m)));
            }
            ')' | ']' => return Err(p.err(&format!("unmatched {c:?}"))),
            _ => return Err(p.err(&format!("unexpected character {c:?}"))),
        }
    }
    let mut merged: Vec<(usize, f64)> = Vec::new();
    raw.sort_by_key(|&(e, _)| e);
    for (e, a) in raw {
        match merged.last_mut() {
            Some((le, la)) if *le == e => *la += a,
            _ => merged.push((e, a)),
        }
    }
    merged.retain(|&(_, a)| a > 0.0);
    if merged.is_empty() {
        return Err(MlError::FormulaParse {
            formula: formula.to_string(),
            position: 0,
            reason: "no element with a positive amount".into(),
        });
    }
    Ok(Composition { elements: merged })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amt(f: &str, el: &str) -> f64 {
        parse_formula(f).unwrap().amount(el)
    }

    #[test]
    fn chemical_classes() {
        let c = |f: &str| parse_formula(f).unwrap().class();
        assert_eq!(c("Fe2O3"), "oxide");
        assert_eq!(c("LiFO2"), "oxide");
        assert_eq!(c("NaCl"), "halide");
        assert_eq!(c("MoS2"), "chalcogenide");
        assert_eq!(c("GaN"), "pnictide");
        assert_eq!(c("SiC"), "carbide");
        assert_eq!(c("MgB2"), "boride");
        assert_eq!(c("TiH2"), "hydride");
        assert_eq!(c("Ni3Al"), "intermetallic");
        assert_eq!(c("Si"), "other");
    }

    #[test]
    fn simple_and_nested() {
        assert_eq!(amt("Fe2O3", "Fe"), 2.0);
        assert_eq!(amt("Fe2O3", "O"), 3.0);
        assert_eq!(amt("Ca(OH)2", "H"), 2.0);
        assert_eq!(amt("Ca(OH)2", "O"), 2.0);
        assert_eq!(amt("[Cu(NH3)4]SO4", "H"), 12.0);
        assert_eq!(amt("[Cu(NH3)4]SO4", "O"), 4.0);
        assert_eq!(amt("CuSO4·5H2O", "H"), 10.0);
        assert_eq!(amt("CuSO4*5H2O", "O"), 9.0);
        assert_eq!(amt("NaCl", "Cl"), 1.0);
        assert_eq!(amt("CO", "C"), 1.0);
        assert_eq!(amt("Co", "Co"), 1.0);
        assert_eq!(amt(" Mg O ", "Mg"), 1.0);
        assert_eq!(amt("FeOFe", "Fe"), 2.0); // repeated elements merge
    }

    #[test]
    fn fractional() {
        let c = parse_formula("Ba(Zr0.1Ti0.9)O3").unwrap();
        assert!((c.amount("Zr") - 0.1).abs() < 1e-12);
        assert!((c.amount("Ti") - 0.9).abs() < 1e-12);
        assert!((c.total() - 5.0).abs() < 1e-12);
        let f = parse_formula("Li0.5CoO2").unwrap().fractions();
        let s: f64 = f.iter().map(|x| x.1).sum();
        assert!((s - 1.0).abs() < 1e-12);
    }

    #[test]
    fn errors_are_clear() {
        let e = parse_formula("Xx2O").unwrap_err().to_string();
        assert!(e.contains("unknown element \"Xx\""), "{e}");
        assert!(matches!(parse_formula(""), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("Fe2(O3"), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("Fe2O3)"), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("fe2o3"), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("Fe1.2.3"), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("Fe0"), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("Fe-2"), Err(MlError::FormulaParse { .. })));
        assert!(matches!(parse_formula("Uue"), Err(MlError::UnknownElement { .. })));
    }
}

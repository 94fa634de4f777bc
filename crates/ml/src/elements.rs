//! The element property table shipped with the crate (`data/elements.csv`).
//!
//! Generated once from the Magpie elemental tables distributed in matminer 0.10.1 by
//! `data/generate_elements.py` (see that file for sources and licences). Missing values are NaN.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/elements.csv");

/// Elemental properties for H..Lr (Z = 1..=103).
#[derive(Debug)]
pub struct ElementTable {
    /// Property names (column order of `values`).
    pub properties: Vec<String>,
    /// Element symbols, index = Z - 1.
    pub symbols: Vec<String>,
    /// `values[z - 1][p]`: property `p` of element `z`; NaN when unknown.
    pub values: Vec<Vec<f64>>,
    index: HashMap<String, usize>,
}

impl ElementTable {
    /// The shipped table (parsed once).
    pub fn get() -> &'static ElementTable {
        static T: OnceLock<ElementTable> = OnceLock::new();
        T.get_or_init(|| Self::parse(TABLE))
    }

    fn parse(text: &str) -> ElementTable {
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap_or("")
            .split(',')
            .map(str::to_string)
            .collect();
        let properties: Vec<String> = header.iter().skip(2).cloned().collect();
        let mut symbols = Vec::new();
        let mut values = Vec::new();
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let mut it = line.split(',');
            let sym = it.next().unwrap_or("").to_string();
            let _z = it.next();
            let row: Vec<f64> = (0..properties.len())
                .map(|_| {
                    it.next()
                        .and_then(|t| t.trim().parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                })
                .collect();
            symbols.push(sym);
            values.push(row);
        }
        let index = symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
        ElementTable {
            properties,
            symbols,
            values,
            index,
        }
    }

    /// Index (Z - 1) of an element symbol such as `"Fe"`.
    pub fn index_of(&self, symbol: &str) -> Option<usize> {
        self.index.get(symbol).copied()
    }

    /// Value of property `name` for the element at `index`.
    pub fn property(&self, index: usize, name: &str) -> Option<f64> {
        let p = self.properties.iter().position(|q| q == name)?;
        self.values.get(index).and_then(|r| r.get(p)).copied()
    }

    pub fn n_elements(&self) -> usize {
        self.symbols.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_known_values() {
        let t = ElementTable::get();
        assert_eq!(t.n_elements(), 103);
        let fe = t.index_of("Fe").unwrap();
        assert_eq!(fe, 25);
        // Reference values: Fe Z = 26, atomic weight 55.845, Pauling electronegativity 1.83.
        assert_eq!(t.property(fe, "Number"), Some(26.0));
        assert!((t.property(fe, "AtomicWeight").unwrap() - 55.845).abs() < 1e-9);
        assert!((t.property(fe, "Electronegativity").unwrap() - 1.83).abs() < 1e-9);
        let o = t.index_of("O").unwrap();
        assert_eq!(t.property(o, "Row"), Some(2.0));
        assert_eq!(t.property(o, "Column"), Some(16.0));
        assert!(t.index_of("Xx").is_none());
    }
}

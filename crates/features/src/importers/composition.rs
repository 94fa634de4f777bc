//! Compositions as the property databases write them: a formula (`Al2O3`, `Ag(AuS)2`,
//! `Ag1Al1`, `Al2 O3`, `Fe0.5Ni0.5`), an element → amount map, or species + counts lists.
//! The result is atomic fractions by element symbol (checked against the periodic table).

/// The 118 element symbols.
const SYMBOLS: [&str; 118] = [
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu",
    "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La",
    "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po",
    "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg",
    "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
];

/// Whether `s` is an element symbol.
pub fn is_element(s: &str) -> bool {
    SYMBOLS.contains(&s)
}

/// Atomic fractions from (symbol, amount) pairs: merged, unknown symbols and non-positive or
/// non-finite amounts refused, sorted by symbol.
pub fn fractions(pairs: &[(String, f64)]) -> Result<Vec<(String, f64)>, String> {
    let mut merged: Vec<(String, f64)> = Vec::new();
    for (el, a) in pairs {
        if !is_element(el) {
            return Err(format!("unknown element {el:?}"));
        }
        if !a.is_finite() || *a < 0.0 {
            return Err(format!("amount of {el} is {a}"));
        }
        match merged.iter_mut().find(|(e, _)| e == el) {
            Some((_, x)) => *x += a,
            None => merged.push((el.clone(), *a)),
        }
    }
    merged.retain(|(_, a)| *a > 0.0);
    let total: f64 = merged.iter().map(|(_, a)| a).sum();
    if merged.is_empty() || total <= 0.0 {
        return Err("no element with a positive amount".into());
    }
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(merged.into_iter().map(|(e, a)| (e, a / total)).collect())
}

/// Parse a formula into (symbol, amount) pairs (parentheses and brackets nest; whitespace is
/// ignored; amounts may be fractional).
pub fn parse_formula(formula: &str) -> Result<Vec<(String, f64)>, String> {
    let chars: Vec<char> = formula.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.is_empty() {
        return Err("empty formula".into());
    }
    let mut pos = 0;
    let out = group(&chars, &mut pos, 0, formula)?;
    if pos < chars.len() {
        return Err(format!("formula {formula:?}: unexpected {:?} at position {pos}", chars[pos]));
    }
    Ok(out)
}

fn number(s: &[char], pos: &mut usize) -> Option<f64> {
    let start = *pos;
    while *pos < s.len() && (s[*pos].is_ascii_digit() || s[*pos] == '.') {
        *pos += 1;
    }
    (start < *pos).then(|| s[start..*pos].iter().collect::<String>().parse().ok()).flatten()
}

fn group(s: &[char], pos: &mut usize, depth: usize, formula: &str) -> Result<Vec<(String, f64)>, String> {
    let mut out = Vec::new();
    while *pos < s.len() {
        let c = s[*pos];
        if c == '(' || c == '[' {
            if depth > 16 {
                return Err(format!("formula {formula:?}: parentheses nested too deep"));
            }
            *pos += 1;
            let inner = group(s, pos, depth + 1, formula)?;
            let close = if c == '(' { ')' } else { ']' };
            if *pos >= s.len() || s[*pos] != close {
                return Err(format!("formula {formula:?}: unclosed {c:?}"));
            }
            *pos += 1;
            let m = number(s, pos).unwrap_or(1.0);
            out.extend(inner.into_iter().map(|(e, a)| (e, a * m)));
        } else if c == ')' || c == ']' {
            if depth == 0 {
                return Err(format!("formula {formula:?}: unmatched {c:?}"));
            }
            return Ok(out);
        } else if c.is_ascii_uppercase() {
            let mut sym = c.to_string();
            *pos += 1;
            if *pos < s.len() && s[*pos].is_ascii_lowercase() {
                sym.push(s[*pos]);
                *pos += 1;
            }
            if !is_element(&sym) {
                return Err(format!("formula {formula:?}: unknown element {sym:?}"));
            }
            let a = number(s, pos).unwrap_or(1.0);
            out.push((sym, a));
        } else {
            return Err(format!("formula {formula:?}: unexpected {c:?} at position {pos}", pos = *pos));
        }
    }
    if depth > 0 {
        return Err(format!("formula {formula:?}: unclosed parenthesis"));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formulas_of_every_source_parse() {
        let f = |s: &str| fractions(&parse_formula(s).unwrap()).unwrap();
        assert_eq!(f("Al2O3"), vec![("Al".into(), 0.4), ("O".into(), 0.6)]);
        assert_eq!(f("Al2 O3"), f("Al2O3"));
        assert_eq!(f("Ag1Al1"), vec![("Ag".into(), 0.5), ("Al".into(), 0.5)]);
        // Ag(AuS)2 = Ag Au2 S2
        assert_eq!(f("Ag(AuS)2"), vec![("Ag".into(), 0.2), ("Au".into(), 0.4), ("S".into(), 0.4)]);
        assert_eq!(f("Fe0.5Ni0.5"), vec![("Fe".into(), 0.5), ("Ni".into(), 0.5)]);
        for bad in ["", "Xx2", "al2o3", "Fe(Ni", "Fe)2", "Fe-O"] {
            assert!(parse_formula(bad).and_then(|p| fractions(&p)).is_err(), "{bad}");
        }
    }
}

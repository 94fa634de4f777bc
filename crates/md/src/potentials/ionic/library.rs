//! Published ionic parameter sets, shipped as text in the form LAMMPS users write them
//! (`pair_coeff A B p1 p2 ... # citation`, with element names in place of type numbers, and
//! `charge El q # citation` lines), usable by name from a specification:
//!
//! - `{"generator": "pedone2006", "elements": ["Ca", "O"], "cutoff": 15.0,
//!   "coulomb": {"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 12.0}}`: Pedone et al.,
//!   J. Phys. Chem. B 110, 11780 (2006) — `pedone` short-range pairs among `elements` plus the
//!   Coulomb style given in `coulomb` with the set's partial charges, as `hybrid/overlay`;
//! - `{"generator": "buckingham", "set": "srtio3_formal", "elements": ["Sr", "Ti", "O"], "cutoff": 10.0,
//!   "coulomb": {...}}`: a named Buckingham set (see [`SETS`]): `srtio3_formal` (a perovskite
//!   titanate, formal charges) and `du_teter` (Teter/Du partial charges; Li, Fe²⁺, P, O: covers
//!   LiFePO₄ but does not hold its olivine structure, see docs/ionic.md).
//!
//! `neutralize` may be given as in any Coulomb specification. Only rows whose values were
//! checked against a published source are shipped (see the files' headers).

use crate::error::{Error, Result};
use crate::potentials::charges::Charges;
use crate::potentials::spec::PotentialSpec;
use crate::potentials::spec_ionic::{take_charges, IonicPair, IonicStyle, ShortRangeSpec};
use serde_json::{Map, Value};

/// A named parameter set: name, style, file text.
pub struct ParameterSet {
    pub name: &'static str,
    pub style: IonicStyle,
    pub text: &'static str,
}

/// The shipped sets.
pub const SETS: &[ParameterSet] = &[
    ParameterSet { name: "pedone2006", style: IonicStyle::Pedone, text: include_str!("data/pedone2006.lammps") },
    ParameterSet { name: "srtio3_formal", style: IonicStyle::Buck, text: include_str!("data/srtio3_formal.lammps") },
    ParameterSet { name: "du_teter", style: IonicStyle::Buck, text: include_str!("data/du_teter.lammps") },
];

/// A parsed set: pairs and charges with their citations.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSet {
    pub style: IonicStyle,
    pub pairs: Vec<(IonicPair, String)>,
    pub charges: Vec<(String, f64, String)>,
}

/// The set called `name`.
pub fn find(name: &str) -> Result<&'static ParameterSet> {
    SETS.iter().find(|s| s.name == name).ok_or_else(|| {
        Error::invalid("parameter set", name, &format!("unknown (shipped: {})", SETS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")))
    })
}

/// Parse a set's text.
pub fn parse(set: &ParameterSet) -> Result<ParsedSet> {
    let mut pairs = Vec::new();
    let mut charges = Vec::new();
    let err = |n: usize, msg: String| Error::Parse { path: format!("{}.lammps", set.name), line: n + 1, msg };
    for (n, raw) in set.text.lines().enumerate() {
        let (body, cite) = raw.split_once('#').map(|(a, b)| (a, b.trim().to_string())).unwrap_or((raw, String::new()));
        let w: Vec<&str> = body.split_whitespace().collect();
        let num = |s: &str| s.parse::<f64>().map_err(|_| err(n, format!("'{s}' is not a number")));
        match w.first().copied() {
            None => {}
            Some("pair_coeff") => {
                let k = set.style.keys().len();
                if w.len() != 3 + k {
                    return Err(err(n, format!("pair_coeff A B needs {k} values ({})", set.style.keys().join(" "))));
                }
                let values = w[3..].iter().map(|s| num(s)).collect::<Result<Vec<_>>>()?;
                pairs.push((IonicPair { a: w[1].into(), b: w[2].into(), values, cutoff: None }, cite));
            }
            Some("charge") if w.len() == 3 => charges.push((w[1].to_string(), num(w[2])?, cite)),
            Some(other) => return Err(err(n, format!("unexpected '{other}' (pair_coeff or charge lines)"))),
        }
    }
    Ok(ParsedSet { style: set.style, pairs, charges })
}

/// The `hybrid/overlay` specification of a generator (`pedone2006`, `buckingham`).
pub fn spec_from_generator(generator: &str, mut map: Map<String, Value>) -> Result<PotentialSpec> {
    let set_name = match generator {
        "buckingham" => match map.remove("set") {
            Some(Value::String(s)) => s,
            other => return Err(Error::invalid("buckingham set", format!("{other:?}"), "name a shipped Buckingham set with \"set\"")),
        },
        g => g.to_string(),
    };
    let set = find(&set_name)?;
    if generator == "buckingham" && set.style != IonicStyle::Buck {
        return Err(Error::invalid("buckingham set", &set_name, &format!("is a {} set (use {{\"generator\": \"{}\"}})", set.style.name(), set.name)));
    }
    let parsed = parse(set)?;
    let elements: Vec<String> = match map.remove("elements") {
        Some(v) => serde_json::from_value(v).map_err(|e| Error::invalid(&format!("{generator} elements"), "specification", &e.to_string()))?,
        None => return Err(Error::invalid(generator, "specification", "needs \"elements\"")),
    };
    let cutoff = match map.remove("cutoff") {
        Some(v) => v.as_f64().ok_or_else(|| Error::invalid(&format!("{generator} cutoff"), &v, "must be a number (Å)"))?,
        None => return Err(Error::invalid(generator, "specification", "needs \"cutoff\" (short-range cutoff, Å)")),
    };
    let shift = matches!(map.remove("shift"), Some(Value::Bool(true)));
    let user_charges = take_charges(&mut map, generator)?;
    let coulomb = match map.remove("coulomb") {
        Some(v) => PotentialSpec::from_value(v)?,
        None => {
            return Err(Error::invalid(
                generator,
                "specification",
                "needs \"coulomb\": the Coulomb style to pair with the set, e.g. {\"pair_style\": \"coul/dsf\", \"alpha\": 0.2, \"cutoff\": 12.0}",
            ))
        }
    };
    if let Some(k) = map.keys().next() {
        return Err(Error::invalid(generator, format!("unknown key '{k}'"), "allowed keys: elements, cutoff, shift, coulomb, charges, neutralize (and set)"));
    }
    for e in &elements {
        if !parsed.charges.iter().any(|(s, _, _)| s == e) && !parsed.pairs.iter().any(|(p, _)| &p.a == e || &p.b == e) {
            return Err(Error::UnknownSpecies { species: e.clone(), potential: format!("parameter set {set_name}"), known: known(&parsed).join(", ") });
        }
    }
    let pairs: Vec<IonicPair> = parsed
        .pairs
        .iter()
        .filter(|(p, _)| elements.contains(&p.a) && elements.contains(&p.b))
        .map(|(p, _)| p.clone())
        .collect();
    let mut charges = Charges::new(
        parsed.charges.iter().filter(|(s, _, _)| elements.contains(s)).map(|(s, q, _)| (s.clone(), *q)),
        false,
    )?;
    if let Some(u) = user_charges {
        charges.neutralize = u.neutralize;
        for (s, q) in u.by_species {
            charges.by_species.insert(s, q);
        }
    }
    let short = PotentialSpec::ShortRange(ShortRangeSpec { style: parsed.style, elements, cutoff, shift, pairs });
    Ok(PotentialSpec::Hybrid { styles: vec![short, coulomb], charges: Some(charges) })
}

fn known(p: &ParsedSet) -> Vec<String> {
    let mut out: Vec<String> = p.charges.iter().map(|(s, _, _)| s.clone()).collect();
    for (q, _) in &p.pairs {
        for s in [&q.a, &q.b] {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

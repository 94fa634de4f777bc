//! Specifications of the ionic styles (short-range `buck`, `born`, `pedone`; cutoff Coulomb
//! `coul/cut`, `coul/wolf`, `coul/dsf`; `hybrid/overlay`), their JSON forms and builders. The
//! variants live in [`super::spec::PotentialSpec`]; this module holds their parameters.
//!
//! JSON forms:
//! - `{"pair_style": "buck", "elements": ["Sr", "Ti", "O"], "cutoff": 10.0, "shift": false,
//!   "pairs": [{"a": "Sr", "b": "O", "A": 1952.39, "rho": 0.33685, "C": 19.22, "cutoff": null}, ...]}`
//!   (`born`: keys `A rho sigma C D`; `pedone`: `D0 alpha r0 C0`; pair keys are the LAMMPS
//!   `pair_coeff` parameters in order; every pair must be listed: no mixing);
//! - `{"pair_style": "coul/dsf", "alpha": 0.2, "cutoff": 10.0, "charges": {"Sr": 2, "Ti": 4, "O": -2},
//!   "neutralize": false}` (also `coul/wolf` with `alpha`, `coul/cut` without);
//! - `{"pair_style": "hybrid/overlay", "styles": [spec, spec, ...], "charges": {...},
//!   "neutralize": false}`: the members are summed; `charges`/`neutralize` given here apply to
//!   every Coulomb member that does not give its own.
//!
//! - `{"pair_style": "coul/long", "cutoff": 10.0, "charges": {...}, "kspace": {"style": "pppm",
//!   "accuracy": 1e-5, "gewald": null, "mesh": null, "order": 5, "kmax_ewald": null}}`: real-space
//!   Ewald with a k-space solver (see [`super::kspace`] and docs/kspace.md).
//!
//! `neutralize` (default false) allows a cell with a net charge (uniform neutralising
//! background); without it a non-neutral cell is an error naming the net charge.

use super::charges::Charges;
use super::coulomb::{CoulCut, CoulDsf, CoulWolf};
use super::ionic::{Born, Buck, PairEntry, PairForm, Pedone, ShortRange};
use super::Potential;
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The short-range ionic styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IonicStyle {
    Buck,
    Born,
    Pedone,
}

impl IonicStyle {
    /// LAMMPS name.
    pub fn name(self) -> &'static str {
        match self {
            IonicStyle::Buck => "buck",
            IonicStyle::Born => "born",
            IonicStyle::Pedone => "pedone",
        }
    }
    /// Parameter names in `pair_coeff` order.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            IonicStyle::Buck => Buck::KEYS,
            IonicStyle::Born => Born::KEYS,
            IonicStyle::Pedone => Pedone::KEYS,
        }
    }
    /// By LAMMPS name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "buck" => Some(IonicStyle::Buck),
            "born" => Some(IonicStyle::Born),
            "pedone" => Some(IonicStyle::Pedone),
            _ => None,
        }
    }
}

/// One pair of a short-range style: parameters in `pair_coeff` order and an optional cutoff.
#[derive(Clone, Debug, PartialEq)]
pub struct IonicPair {
    pub a: String,
    pub b: String,
    pub values: Vec<f64>,
    pub cutoff: Option<f64>,
}

/// Parameters of a short-range ionic style.
#[derive(Clone, Debug, PartialEq)]
pub struct ShortRangeSpec {
    pub style: IonicStyle,
    pub elements: Vec<String>,
    /// Global cutoff, Å.
    pub cutoff: f64,
    /// LAMMPS `pair_modify shift yes`.
    pub shift: bool,
    pub pairs: Vec<IonicPair>,
}

/// The cutoff Coulomb styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoulStyle {
    Cut,
    Wolf,
    Dsf,
    /// `coul/long` with a k-space solver (`ewald`, `pppm`).
    Long,
}

impl CoulStyle {
    /// LAMMPS name.
    pub fn name(self) -> &'static str {
        match self {
            CoulStyle::Cut => "coul/cut",
            CoulStyle::Wolf => "coul/wolf",
            CoulStyle::Dsf => "coul/dsf",
            CoulStyle::Long => "coul/long",
        }
    }
    /// By LAMMPS name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "coul/cut" => Some(CoulStyle::Cut),
            "coul/wolf" => Some(CoulStyle::Wolf),
            "coul/dsf" => Some(CoulStyle::Dsf),
            "coul/long" => Some(CoulStyle::Long),
            _ => None,
        }
    }
}

/// Parameters of a cutoff Coulomb style.
#[derive(Clone, Debug, PartialEq)]
pub struct CoulombSpec {
    pub style: CoulStyle,
    /// Damping α, 1/Å (`coul/wolf`, `coul/dsf`).
    pub alpha: Option<f64>,
    /// Cutoff, Å.
    pub cutoff: f64,
    /// Per-species charges (may come from an enclosing `hybrid/overlay` or from `from_lammps`).
    pub charges: Option<Charges>,
    /// The k-space solver of `coul/long` (`kspace_style`/`kspace_modify`); `None` for the others.
    pub kspace: Option<super::kspace::KSpaceSettings>,
}

fn bad(what: &str, v: impl std::fmt::Display, why: &str) -> Error {
    Error::invalid(what, v, why)
}

fn take_f64(map: &mut Map<String, Value>, key: &str, what: &str) -> Result<Option<f64>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or_else(|| bad(&format!("{what} {key}"), &v, "must be a number")),
    }
}

fn deny_rest(map: &Map<String, Value>, what: &str, allowed: &str) -> Result<()> {
    match map.keys().next() {
        Some(k) => Err(bad(what, format!("unknown key '{k}'"), &format!("allowed keys: {allowed}"))),
        None => Ok(()),
    }
}

/// `charges` and `neutralize` keys of a specification (removed from `map`).
pub fn take_charges(map: &mut Map<String, Value>, what: &str) -> Result<Option<Charges>> {
    let neutralize = match map.remove("neutralize") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(v) => return Err(bad(&format!("{what} neutralize"), v, "must be true or false")),
    };
    match map.remove("charges") {
        None | Some(Value::Null) => match neutralize {
            Some(n) => Ok(Some(Charges { by_species: BTreeMap::new(), neutralize: n })),
            None => Ok(None),
        },
        Some(Value::Object(m)) => {
            let mut pairs = Vec::new();
            for (s, q) in m {
                let q = q.as_f64().ok_or_else(|| bad(&format!("charge of {s}"), &q, "must be a number (e)"))?;
                pairs.push((s, q));
            }
            Ok(Some(Charges::new(pairs, neutralize.unwrap_or(false))?))
        }
        Some(v) => Err(bad(&format!("{what} charges"), v, "must be a mapping {\"species\": charge in e}")),
    }
}

fn put_charges(m: &mut Map<String, Value>, c: &Option<Charges>) {
    if let Some(c) = c {
        if !c.by_species.is_empty() {
            m.insert("charges".into(), json!(c.by_species));
        }
        if c.neutralize {
            m.insert("neutralize".into(), json!(true));
        }
    }
}

impl ShortRangeSpec {
    /// From the JSON object (without `pair_style`).
    pub fn from_map(style: IonicStyle, mut map: Map<String, Value>) -> Result<Self> {
        let name = style.name();
        let elements: Vec<String> = match map.remove("elements") {
            Some(v) => serde_json::from_value(v).map_err(|e| bad(&format!("{name} elements"), "specification", &e.to_string()))?,
            None => return Err(bad(name, "specification", "needs \"elements\" (the species, in order)")),
        };
        let cutoff = take_f64(&mut map, "cutoff", name)?.ok_or_else(|| bad(name, "specification", "needs \"cutoff\" (global cutoff, Å)"))?;
        let shift = match map.remove("shift") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(v) => return Err(bad(&format!("{name} shift"), v, "must be true or false")),
        };
        let mut pairs = Vec::new();
        match map.remove("pairs") {
            Some(Value::Array(list)) => {
                for p in list {
                    let Value::Object(mut pm) = p else { return Err(bad(&format!("{name} pairs"), p, "each pair must be an object")) };
                    let mut name_of = |k: &str| -> Result<String> {
                        match pm.remove(k) {
                            Some(Value::String(s)) => Ok(s),
                            other => Err(bad(&format!("{name} pair {k}"), format!("{other:?}"), "must be a species name")),
                        }
                    };
                    let (a, b) = (name_of("a")?, name_of("b")?);
                    let what = format!("{name} pair {a}-{b}");
                    let mut values = Vec::new();
                    for k in style.keys() {
                        values.push(take_f64(&mut pm, k, &what)?.ok_or_else(|| bad(&what, "specification", &format!("needs \"{k}\" (keys: {})", style.keys().join(", "))))?);
                    }
                    let cutoff = take_f64(&mut pm, "cutoff", &what)?;
                    deny_rest(&pm, &what, &format!("a, b, {}, cutoff", style.keys().join(", ")))?;
                    pairs.push(IonicPair { a, b, values, cutoff });
                }
            }
            Some(v) => return Err(bad(&format!("{name} pairs"), v, "must be a list of pairs")),
            None => return Err(bad(name, "specification", "needs \"pairs\" (every pair explicitly: no mixing)")),
        }
        deny_rest(&map, name, "elements, cutoff, shift, pairs")?;
        Ok(ShortRangeSpec { style, elements, cutoff, shift, pairs })
    }

    /// The JSON value.
    pub fn to_value(&self) -> Value {
        let pairs: Vec<Value> = self
            .pairs
            .iter()
            .map(|p| {
                let mut m = Map::new();
                m.insert("a".into(), json!(p.a));
                m.insert("b".into(), json!(p.b));
                for (k, v) in self.style.keys().iter().zip(&p.values) {
                    m.insert((*k).into(), json!(v));
                }
                m.insert("cutoff".into(), json!(p.cutoff));
                Value::Object(m)
            })
            .collect();
        json!({"pair_style": self.style.name(), "elements": self.elements, "cutoff": self.cutoff, "shift": self.shift, "pairs": pairs})
    }

    /// Build; `complete` demands every pair (standalone) — `false` inside `hybrid/overlay`.
    pub fn build(&self, complete: bool) -> Result<Arc<dyn Potential>> {
        fn make<F: PairForm>(s: &ShortRangeSpec, complete: bool) -> Result<Arc<dyn Potential>> {
            let mut pairs = Vec::with_capacity(s.pairs.len());
            for p in &s.pairs {
                let params = F::from_values(&p.values, &format!("{}-{}", p.a, p.b))?;
                pairs.push(PairEntry { a: p.a.clone(), b: p.b.clone(), params, cutoff: p.cutoff });
            }
            Ok(Arc::new(ShortRange::<F>::new(s.elements.clone(), s.cutoff, s.shift, pairs, complete)?))
        }
        match self.style {
            IonicStyle::Buck => make::<Buck>(self, complete),
            IonicStyle::Born => make::<Born>(self, complete),
            IonicStyle::Pedone => make::<Pedone>(self, complete),
        }
    }
}

impl CoulombSpec {
    /// From the JSON object (without `pair_style`).
    pub fn from_map(style: CoulStyle, mut map: Map<String, Value>) -> Result<Self> {
        let name = style.name();
        let alpha = take_f64(&mut map, "alpha", name)?;
        let cutoff = take_f64(&mut map, "cutoff", name)?.ok_or_else(|| bad(name, "specification", "needs \"cutoff\" (Å)"))?;
        match (style, alpha) {
            (CoulStyle::Cut, Some(a)) => return Err(bad("coul/cut alpha", a, "coul/cut has no damping parameter")),
            (CoulStyle::Wolf | CoulStyle::Dsf, None) => return Err(bad(name, "specification", "needs \"alpha\" (damping, 1/Å)")),
            _ => {}
        }
        let charges = take_charges(&mut map, name)?;
        let kspace = match (style, map.remove("kspace")) {
            (CoulStyle::Long, Some(v)) => {
                let k: super::kspace::KSpaceSettings = serde_json::from_value(v).map_err(|e| bad("coul/long kspace", "specification", &e.to_string()))?;
                k.validate()?;
                Some(k)
            }
            (CoulStyle::Long, None) => {
                return Err(bad(
                    "coul/long",
                    "specification",
                    "needs \"kspace\": {\"style\": \"ewald\" or \"pppm\", \"accuracy\": relative accuracy, ...} (LAMMPS kspace_style)",
                ))
            }
            (_, Some(_)) => return Err(bad(name, "kspace", "only coul/long takes a k-space solver")),
            (_, None) => None,
        };
        let allowed = if style == CoulStyle::Long { "cutoff, charges, neutralize, kspace" } else { "alpha, cutoff, charges, neutralize" };
        deny_rest(&map, name, allowed)?;
        Ok(CoulombSpec { style, alpha, cutoff, charges, kspace })
    }

    /// The JSON value.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("pair_style".into(), json!(self.style.name()));
        if let Some(a) = self.alpha {
            m.insert("alpha".into(), json!(a));
        }
        m.insert("cutoff".into(), json!(self.cutoff));
        put_charges(&mut m, &self.charges);
        if let Some(k) = &self.kspace {
            m.insert("kspace".into(), serde_json::to_value(k).unwrap_or(Value::Null));
        }
        Value::Object(m)
    }

    /// Build (charges are required by now).
    pub fn build(&self) -> Result<Arc<dyn Potential>> {
        let name = self.style.name();
        let charges = self.charges.clone().ok_or_else(|| {
            bad("charges", "none", &format!("{name} needs per-species charges: \"charges\": {{\"El\": q, ...}} / charges= / --charges El=q,..."))
        })?;
        let alpha = self.alpha.unwrap_or(0.0);
        Ok(match self.style {
            CoulStyle::Cut => Arc::new(CoulCut::new(self.cutoff, charges)?),
            CoulStyle::Wolf => Arc::new(CoulWolf::new(alpha, self.cutoff, charges)?),
            CoulStyle::Dsf => Arc::new(CoulDsf::new(alpha, self.cutoff, charges)?),
            CoulStyle::Long => {
                let mut ks = self.kspace.clone().ok_or_else(|| {
                    bad("coul/long", "no kspace", "needs a k-space solver (LAMMPS: kspace_style ewald|pppm ACCURACY; JSON: \"kspace\": {...})")
                })?;
                ks.neutralize |= charges.neutralize;
                let (species, q): (Vec<String>, Vec<f64>) = charges.by_species.into_iter().unzip();
                Arc::new(super::kspace::CoulLong::new(species, q, self.cutoff, ks)?)
            }
        })
    }
}

/// Serialise the `charges`/`neutralize` keys into an object value (for hybrid specs).
pub fn insert_charges(v: &mut Value, c: &Option<Charges>) {
    if let Value::Object(m) = v {
        put_charges(m, c);
    }
}

/// Merge charges given at an outer level into a member that has none: the member's own win;
/// `neutralize` is on if either asks for it.
pub fn inherit_charges(own: &mut Option<Charges>, outer: &Option<Charges>) {
    match (own.as_mut(), outer) {
        (_, None) => {}
        (None, Some(o)) => *own = Some(o.clone()),
        (Some(c), Some(o)) => {
            if c.by_species.is_empty() {
                c.by_species = o.by_species.clone();
            }
            c.neutralize |= o.neutralize;
        }
    }
}

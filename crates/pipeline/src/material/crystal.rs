//! The crystal form of a phase's structure: a prototype of `md::crystals` (perovskite, rocksalt,
//! corundum, spinel, layered, olivine, wurtzite, zincblende, diamond, fluorite) with its elements
//! per sublattice, where a sublattice may hold a random mixture:
//!
//! ```toml
//! structure = { lattice = "perovskite", elements = { A = { Sr = 0.5, Ba = 0.5 }, B = "Ti", X = "O" } }
//! structure = { lattice = "layered", elements = ["Li", { Co = 0.4, Ni = 0.3, Mn = 0.3 }, "O"], seed = 3 }
//! structure = { lattice = "zincblende", elements = ["Si", "C"] }
//! ```
//!
//! A mixture becomes a seeded random substitution of that sublattice (`md::crystals::Substitution`);
//! every other key of [`StructureSpec`] (`a`, `b`, `c`, `params`, `substitutions`, `vacancies`,
//! `charges`, `compensate`, `orthogonal`, `min_distance`, `masses`) may be given as well. Without
//! `a` the crystal is built with the prototype's published parameters (scaled to no cell at all
//! for another compound: the default compound's a is used as a start) and relaxed to the
//! potential's 0 K equilibrium (cell and atoms) before any protocol runs.

use crate::error::Result;
use scalebridge_md::crystals::{self, Elements, StructureSpec, Substitution};
use std::collections::BTreeMap;

/// What a sublattice holds in the description: one element or a mixture (element → fraction).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub(super) enum Occupant {
    One(String),
    Mixture(BTreeMap<String, f64>),
}

/// `elements` of the crystal form: one element, a list in sublattice order, or a map
/// sublattice → occupant.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub(super) enum CrystalElements {
    One(String),
    List(Vec<Occupant>),
    Map(BTreeMap<String, Occupant>),
}

/// Whether a TOML `elements` value is the crystal form (names per sublattice) rather than the
/// solid-solution form `{ Cu = 0.5, Ni = 0.5 }` of the metal lattices.
pub(super) fn is_crystal_elements(v: &toml::Value) -> bool {
    match v {
        toml::Value::Table(t) => !t.values().all(|x| matches!(x, toml::Value::Float(_) | toml::Value::Integer(_))),
        _ => true,
    }
}

/// Whether `lattice` names a prototype of `md::crystals` (not a metal lattice of `md::lattice`).
pub(super) fn is_prototype(lattice: &str) -> bool {
    crystals::find(lattice).is_some()
}

/// Error message helper: the reason for a bad mixture.
fn check_mixture(role: &str, m: &BTreeMap<String, f64>) -> std::result::Result<(), String> {
    if m.is_empty() {
        return Err(format!("sublattice {role}: the mixture is empty"));
    }
    if let Some((k, v)) = m.iter().find(|(_, v)| !(v.is_finite() && **v > 0.0 && **v <= 1.0)) {
        return Err(format!("sublattice {role}: {k} = {v} is not a fraction in (0, 1]"));
    }
    let sum: f64 = m.values().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(format!("sublattice {role}: fractions sum to {sum:.4}, not 1"));
    }
    Ok(())
}

/// Turn the description's elements (with mixtures) into a [`StructureSpec`]'s role map plus
/// substitutions. `spec` carries every other key already; its `elements` are replaced.
pub(super) fn apply_elements(spec: &mut StructureSpec, elements: Option<CrystalElements>) -> std::result::Result<(), String> {
    let p = crystals::find(&spec.lattice).ok_or_else(|| format!("{:?} is not a crystal prototype (known: {})", spec.lattice, crystals::names().join(", ")))?;
    let roles: Vec<String> = p.roles.iter().map(|r| r.to_string()).collect();
    let pairs: Vec<(String, Occupant)> = match elements {
        None => return Ok(()),
        Some(CrystalElements::One(e)) => {
            spec.elements = Some(Elements::One(e));
            return Ok(());
        }
        Some(CrystalElements::List(list)) => {
            if list.len() != roles.len() {
                return Err(format!(
                    "{} takes {} sublattices ({}), in that order (e.g. {:?}); the list has {}",
                    p.name,
                    roles.len(),
                    roles.join(", "),
                    p.default_elements,
                    list.len()
                ));
            }
            roles.iter().cloned().zip(list).collect()
        }
        Some(CrystalElements::Map(m)) => {
            for r in m.keys() {
                if !roles.contains(r) {
                    return Err(format!("{} has sublattices {} (not {r:?})", p.name, roles.join(", ")));
                }
            }
            m.into_iter().collect()
        }
    };
    let mut map = BTreeMap::new();
    let mut subs = Vec::new();
    for (role, occ) in pairs {
        match occ {
            Occupant::One(e) => {
                map.insert(role, e);
            }
            Occupant::Mixture(m) => {
                check_mixture(&role, &m)?;
                // the sublattice is first filled with the majority element, then drawn at random
                let first = m.iter().max_by(|a, b| a.1.total_cmp(b.1)).map(|(k, _)| k.clone()).unwrap_or_default();
                map.insert(role.clone(), first);
                if m.len() > 1 {
                    subs.push(Substitution { site: role, fractions: m });
                }
            }
        }
    }
    spec.elements = Some(Elements::Map(map));
    // mixtures first, then the substitutions the description lists itself
    subs.append(&mut spec.substitutions);
    spec.substitutions = subs;
    Ok(())
}

/// The element of each sublattice of the prototype `p`, in its role order: the prototype's
/// defaults overridden by the spec's `elements` (one element, a list, or a role → element map).
fn role_elements(p: &crystals::Prototype, spec: &StructureSpec) -> Vec<String> {
    let mut el: Vec<String> = p.default_elements.iter().map(|s| s.to_string()).collect();
    match &spec.elements {
        None => {}
        Some(Elements::One(e)) => el = vec![e.clone()],
        Some(Elements::List(l)) => el = l.clone(),
        Some(Elements::Map(m)) => {
            for (role, e) in m {
                if let Some(slot) = p.roles.iter().position(|r| r == role).and_then(|k| el.get_mut(k)) {
                    *slot = e.clone();
                }
            }
        }
    }
    el
}

/// The species a crystal spec contains (sublattice elements and substituted ones), sorted.
pub fn spec_elements(spec: &StructureSpec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(p) = crystals::find(&spec.lattice) {
        let el = role_elements(p, spec);
        // an element fully replaced by a substitution of its sublattice is not present
        for (k, e) in el.iter().enumerate() {
            let role = p.roles.get(k).copied().unwrap_or("");
            let replaced = spec.substitutions.iter().any(|s| (s.site == role || &s.site == e) && !s.fractions.contains_key(e));
            if !replaced {
                out.push(e.clone());
            }
        }
    }
    for s in &spec.substitutions {
        out.extend(s.fractions.keys().cloned());
    }
    out.sort();
    out.dedup();
    out
}

/// Validate the spec by building one conventional cell (every error of the builder, e.g. an
/// unknown role or a missing `a`, named here rather than at `describe` time).
pub(super) fn check_build(spec: &StructureSpec) -> std::result::Result<(), String> {
    // without a, describe starts from the prototype's published a and relaxes
    let probe = with_published_cell(spec).ok_or_else(|| format!("{:?} is not a crystal prototype", spec.lattice))?;
    probe.build().map(|_| ()).map_err(|e| e.to_string())
}

/// `spec` with a (and b, c) defaulted to the prototype's published cell when `a` is not given;
/// `None` when the lattice is not a prototype and `a` is missing.
fn with_published_cell(spec: &StructureSpec) -> Option<StructureSpec> {
    let mut s = spec.clone();
    if s.a.is_none() {
        let p = crystals::find(&spec.lattice)?;
        s.a = Some(p.a);
        s.b = s.b.or(p.b);
        s.c = s.c.or(p.c);
    }
    Some(s)
}

/// The spec `describe` builds: `a` (and b, c) defaulted to the prototype's published set when
/// not given (the structure stage then relaxes the cell), repeated `repeat` times.
pub fn buildable(spec: &StructureSpec, repeat: [usize; 3]) -> Result<StructureSpec> {
    let mut s = with_published_cell(spec).ok_or_else(|| crate::error::invalid("lattice", &spec.lattice, "is not a crystal prototype"))?;
    s.supercell = Some(crystals::Repeat::Three(repeat));
    Ok(s)
}

/// Atom fractions of the elements of a crystal spec (the prototype's sites per sublattice, the
/// mixtures' fractions; vacancies and compensation left out), for the composition features.
pub fn composition(spec: &StructureSpec) -> Vec<(String, f64)> {
    let Some(p) = crystals::find(&spec.lattice) else { return Vec::new() };
    let el = role_elements(p, spec);
    let mut comp: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0.0;
    for (k, role) in p.roles.iter().enumerate() {
        let n: usize = p.sites.iter().filter(|s| s.role == *role).map(|s| s.multiplicity()).sum();
        let Some(e) = el.get(k) else { continue };
        total += n as f64;
        match spec.substitutions.iter().find(|s| s.site == *role || &s.site == e) {
            Some(sub) => {
                for (x, f) in &sub.fractions {
                    *comp.entry(x.clone()).or_default() += n as f64 * f;
                }
            }
            None => *comp.entry(e.clone()).or_default() += n as f64,
        }
    }
    comp.into_iter().map(|(k, v)| (k, v / total.max(1.0))).collect()
}

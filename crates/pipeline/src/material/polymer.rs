//! The polymer form of an atomistic phase: a builder of `md::topology::builders` (Kremer–Grest
//! melt, TraPPE-UA polyethylene, cross-linked epoxy-like network) with its options and seed,
//! whose force field (pair + bonded terms + `special_bonds`) travels with it as a molecular
//! [`PotentialSpec`]:
//!
//! ```toml
//! [[phase]]
//! name = "melt"
//! polymer = { builder = "kremer-grest", chains = 16, length = 16, density = 0.85, pair_cutoff = 2.5,
//!             units = { sigma_a = 5.0, epsilon_ev = 0.0302, mass_amu = 42.0 }, seed = 1 }
//! md = { timestep = 0.01, thermostat_damping = 1.0, pressure_damping = 10.0 }
//! glass_transition = { t_high_k = 420, t_low_k = 70, rung_spacing_k = 35, cooling_rate_k_per_ps = 2.0 }
//! ```
//!
//! `potential` may be left out (the builder's own force field) or be `{ lammps = [...] }`: lines
//! replacing the builder's (atom types `1`, `2`, … as the builder numbers them). `md` (options of
//! the shared MD block, e.g. a timestep suited to the model's time unit) is merged into every MD
//! stage of the phase; `glass_transition` into the glass-transition stage (the ladder in the
//! model's temperature scale). Both are also accepted on other atomistic phases.

use crate::error::{PipelineError, Result};
use scalebridge_md::potentials::spec_molecular::MolecularSpec;
use scalebridge_md::potentials::PotentialSpec;
use scalebridge_md::topology::builders::PolymerSpec;

/// The builder of a `polymer = { builder = ..., ... }` table (unknown builders and keys named).
pub(super) fn builder(v: &toml::Value) -> std::result::Result<PolymerSpec, String> {
    let j = serde_json::to_value(v).map_err(|e| e.to_string())?;
    if !j.is_object() {
        return Err("must be a table { builder = \"kremer-grest\" | \"polyethylene\" | \"epoxy-network\", ... }".into());
    }
    if j.get("builder").is_none() {
        return Err(format!("needs builder = one of {}", scalebridge_md::topology::builders::BUILDERS.join(", ")));
    }
    PolymerSpec::from_json(&j.to_string()).map_err(|e| e.to_string())
}

/// The molecular potential of a polymer phase: the builder's force field, or `potential =
/// { lammps = [...] }` lines replacing it.
pub(super) fn potential(spec: &PolymerSpec, pot: Option<&toml::Value>) -> std::result::Result<PotentialSpec, String> {
    let lines = match pot {
        None => None,
        Some(v) => {
            let j = serde_json::to_value(v).map_err(|e| e.to_string())?;
            let Some(m) = j.as_object() else { return Err("must be a table { lammps = [...] }".into()) };
            if let Some(k) = m.keys().find(|k| k.as_str() != "lammps") {
                return Err(format!("a polymer phase's potential takes only lammps = [...] (force-field lines replacing the builder's), not {k:?}"));
            }
            let lines: Vec<String> = serde_json::from_value(m["lammps"].clone()).map_err(|_| "lammps must be a list of LAMMPS input lines".to_string())?;
            Some(lines)
        }
    };
    let mut map = serde_json::Map::new();
    map.insert("molecular".into(), serde_json::to_value(spec).map_err(|e| e.to_string())?);
    if let Some(l) = lines {
        map.insert("lines".into(), serde_json::json!(l));
    }
    Ok(PotentialSpec::Molecular(Box::new(MolecularSpec::from_map(map).map_err(|e| e.to_string())?)))
}

/// Protocol options of a phase (`md`, `glass_transition`) as a JSON object.
pub(super) fn options(v: &toml::Value, key: &str) -> std::result::Result<serde_json::Value, String> {
    let j = serde_json::to_value(v).map_err(|e| e.to_string())?;
    if !j.is_object() {
        return Err(format!("{key} must be a table of protocol options"));
    }
    Ok(j)
}

/// The built system of a polymer phase (structure and topology), as `describe` uses it.
pub fn build(spec: &PolymerSpec) -> Result<scalebridge_md::structure::Structure> {
    Ok(spec.build().map_err(PipelineError::from)?.structure)
}

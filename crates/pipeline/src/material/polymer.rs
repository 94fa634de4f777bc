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
//! A LAMMPS data file is a polymer phase too: `polymer = { data = "melt.data", atom_style =
//! "full" }` (path relative to the description; `atom_style` `full` (default) or `molecular`)
//! with `potential = { lammps = [...] }` required (pair, bonded and `special_bonds` lines; atom
//! types `1`, `2`, …). The file is read at parse time: a missing file, dangling term atom ids or
//! missing coefficients are parse errors naming `polymer`/`potential` and the line.
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
    let mut j = j;
    // `polymer = { data = "melt.data", atom_style = "full" }`: a LAMMPS data file
    if j.get("builder").is_none() && j.get("data").is_some() {
        if let Some(m) = j.as_object_mut() {
            m.insert("builder".into(), serde_json::json!("data-file"));
        }
    }
    if j.get("builder").is_none() {
        return Err(format!("needs builder = one of {} (or data = \"file.data\")", scalebridge_md::topology::builders::BUILDERS.join(", ")));
    }
    PolymerSpec::from_json(&j.to_string()).map_err(|e| e.to_string())
}

/// A data-file phase: the path resolved against the description's directory `base`, the file
/// read once so that a missing file, dangling term atom ids or a malformed section is reported
/// at parse time.
pub(super) fn resolve_data(spec: &mut PolymerSpec, base: &std::path::Path) -> std::result::Result<(), String> {
    if let PolymerSpec::DataFile(d) = spec {
        d.data = base.join(&d.data);
        if !d.data.is_file() {
            return Err(format!("data file {} not found", d.data.display()));
        }
    }
    if matches!(spec, PolymerSpec::DataFile(_)) {
        spec.build().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The molecular potential of a polymer phase: the builder's force field, or `potential =
/// { lammps = [...] }` lines replacing it.
pub(super) fn potential(spec: &PolymerSpec, pot: Option<&toml::Value>) -> std::result::Result<PotentialSpec, String> {
    let lines = match pot {
        None if matches!(spec, PolymerSpec::DataFile(_)) => {
            return Err("a data-file polymer phase needs its force field: potential = { lammps = [\"pair_style ...\", \"pair_coeff ...\", \"bond_style ...\", ...] }".into())
        }
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
    let mol = MolecularSpec::from_map(map).map_err(|e| e.to_string())?;
    if matches!(spec, PolymerSpec::DataFile(_)) {
        // the lines against the file's topology: unknown styles, missing coefficients named here
        mol.build().map_err(|e| e.to_string())?;
    }
    Ok(PotentialSpec::Molecular(Box::new(mol)))
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

//! The molecular form of a [`super::PotentialSpec`]: a polymer builder's system and its force
//! field (pair style, bonded styles and `special_bonds`), so that a material description can
//! carry a polymer phase whose potential depends on the topology the builder makes.
//!
//! JSON form: `{"molecular": {"builder": "kremer-grest", "chains": 20, ...}, "lines": [...]}`.
//! `molecular` is a [`PolymerSpec`] (the builder and its options, seeded); `lines` (optional)
//! replace the builder's own force-field lines (LAMMPS `pair_style`/`pair_coeff`/`pair_modify`,
//! `bond_*`, `angle_*`, `dihedral_*`, `improper_*`, `special_bonds`; metal units, atom types
//! named `1`, `2`, … as the builder labels them). [`MolecularSpec::build`] rebuilds the system
//! from its seed (the same seed gives the same topology, so the structure built from the same
//! spec matches the potential atom for atom) and overlays pair + bonded + special-bonds terms.

use super::Potential;
use crate::error::{Error, Result};
use crate::topology::builders::{PolymerSpec, PolymerSystem};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A polymer builder and (optionally) force-field lines replacing the builder's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MolecularSpec {
    pub molecular: PolymerSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<String>>,
}

impl MolecularSpec {
    /// From the JSON object (the `molecular` key present); unknown keys are errors.
    pub fn from_map(map: Map<String, Value>) -> Result<Self> {
        if let Some(k) = map.keys().find(|k| !["molecular", "lines"].contains(&k.as_str())) {
            return Err(Error::invalid("molecular potential", format!("unknown key '{k}'"), "allowed keys: molecular (a polymer builder), lines (force-field lines)"));
        }
        let text = Value::Object(map).to_string();
        let spec: MolecularSpec = serde_json::from_str(&text).map_err(|e| {
            Error::invalid("molecular potential", &text, &format!("{e} (builders: {})", crate::topology::builders::BUILDERS.join(", ")))
        })?;
        if let Some(l) = &spec.lines {
            if !l.iter().any(|x| x.split_whitespace().next() == Some("pair_style")) {
                return Err(Error::invalid("lines", format!("{l:?}"), "the force-field lines need a pair_style line (pair_style zero for none)"));
            }
        }
        Ok(spec)
    }

    /// The JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Build the polymer system (structure + topology) this specification describes, with the
    /// force-field lines replaced where `lines` is given.
    pub fn system(&self) -> Result<PolymerSystem> {
        let mut sys = self.molecular.build()?;
        if let Some(l) = &self.lines {
            sys.lammps = l.clone();
        }
        Ok(sys)
    }

    /// The potential: pair + bonded + special-bonds correction over the builder's topology.
    pub fn build(&self) -> Result<Arc<dyn Potential>> {
        self.system()?.potential()
    }
}

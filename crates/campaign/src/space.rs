//! The design space: compositions on the step grid with the allowed numbers of principal
//! elements × lattices × microstructures × temperatures, plus extra material files. Each
//! candidate becomes a pipeline [`Material`] (its TOML text is built here and read by the
//! pipeline's own parser, so the same validation applies) and a deterministic task hash.

use scalebridge_features::design::{compositions, subsets};
use crate::error::{invalid, Result};
use crate::spec::Campaign;
use scalebridge_core::provenance::sha256_hex;
use scalebridge_pipeline::Material;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Most candidates a space may have (the surrogate predicts all of them every batch).
pub const MAX_CANDIDATES: usize = 500_000;

/// One point of the design space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Element fractions (alloy candidates; for material files: the atomistic phases' elements
    /// weighted by phase fraction), sorted by element.
    pub composition: Vec<(String, f64)>,
    /// Lattice of the solid solution (`file` for material files).
    pub lattice: String,
    #[serde(rename = "temperature_K")]
    pub temperature_k: f64,
    /// Index into the space's microstructures (alloy candidates).
    pub microstructure: Option<usize>,
    /// A material description file (instead of an alloy of the space).
    pub material: Option<PathBuf>,
    /// Material class of the candidate (alloy, composite, or the file's).
    pub class: String,
}

impl Candidate {
    /// A short human label, e.g. `Co0.35Cr0.35Ni0.3 fcc polycrystal 300K`.
    pub fn label(&self, campaign: &Campaign) -> String {
        let comp: String = self.composition.iter().map(|(e, f)| format!("{e}{}", fmt_frac(*f))).collect();
        match &self.material {
            Some(p) => format!("{} ({}) {}K", p.file_stem().map_or(String::new(), |s| s.to_string_lossy().into_owned()), comp, self.temperature_k),
            None => {
                let ms = self.microstructure.and_then(|i| campaign.space.microstructures.get(i));
                let kind = ms.and_then(|m| m.get("kind")).and_then(|k| k.as_str()).unwrap_or("single-crystal");
                let inc = ms.and_then(|m| m.get("inclusion")).and_then(|i| i.get("name")).and_then(|n| n.as_str()).map_or(String::new(), |n| format!("+{n}"));
                format!("{comp} {} {kind}{inc} {}K", self.lattice, self.temperature_k)
            }
        }
    }

    /// The material description TOML of this candidate (alloy candidates) or the file's text.
    pub fn material_toml(&self, campaign: &Campaign) -> Result<String> {
        if let Some(p) = &self.material {
            let text = std::fs::read_to_string(p).map_err(|e| crate::error::io(p, e))?;
            let mut t: toml::Table = toml::from_str(&text).map_err(|e| invalid("material file", p.display(), &e.to_string()))?;
            t.insert("temperature_K".into(), toml::Value::Float(self.temperature_k));
            return toml::to_string(&t).map_err(|e| invalid("material", p.display(), &e.to_string()));
        }
        let s = &campaign.space;
        let mut ms = self.microstructure.and_then(|i| s.microstructures.get(i)).cloned().unwrap_or_default();
        let inclusion = ms.remove("inclusion");
        let mut elements = toml::Table::new();
        for (e, f) in &self.composition {
            elements.insert(e.clone(), toml::Value::Float(*f));
        }
        let mut structure = toml::Table::new();
        structure.insert("lattice".into(), toml::Value::String(self.lattice.clone()));
        structure.insert("elements".into(), toml::Value::Table(elements));
        structure.insert("seed".into(), toml::Value::Integer(campaign.search.seed as i64));
        let mut phase = toml::Table::new();
        phase.insert("name".into(), toml::Value::String("alloy".into()));
        phase.insert("structure".into(), toml::Value::Table(structure));
        phase.insert("potential".into(), toml::Value::Table(s.potential.clone()));
        let mut phases = vec![toml::Value::Table(phase)];
        if let Some(inc) = inclusion {
            let mut inc = inc.as_table().cloned().unwrap_or_default();
            let f = inc.get("fraction").and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64))).unwrap_or(0.0);
            if !inc.contains_key("name") {
                inc.insert("name".into(), toml::Value::String("inclusion".into()));
            }
            if let Some(toml::Value::Table(p0)) = phases.first_mut() {
                p0.insert("fraction".into(), toml::Value::Float(1.0 - f));
            }
            phases.push(toml::Value::Table(inc));
        }
        let mut t = toml::Table::new();
        t.insert("name".into(), toml::Value::String(self.label(campaign)));
        t.insert("class".into(), toml::Value::String(self.class.clone()));
        t.insert("temperature_K".into(), toml::Value::Float(self.temperature_k));
        t.insert("phase".into(), toml::Value::Array(phases));
        t.insert("microstructure".into(), toml::Value::Table(ms));
        toml::to_string(&t).map_err(|e| invalid("candidate", self.label(campaign), &e.to_string()))
    }

    /// The validated pipeline material of this candidate.
    pub fn material(&self, campaign: &Campaign) -> Result<Material> {
        let text = self.material_toml(campaign)?;
        let base = self.material.as_ref().and_then(|p| p.parent().map(PathBuf::from)).unwrap_or_else(|| campaign.base.clone());
        Ok(Material::from_toml_str(&text, &format!("candidate {}", self.label(campaign)), &base)?)
    }

    /// The task hash: SHA-256 of the validated material (at its one temperature) and the describe
    /// preset; the store key of this candidate's result.
    pub fn task_hash(&self, campaign: &Campaign) -> Result<String> {
        let m = self.material(campaign)?;
        let mut v = serde_json::to_value(&m).map_err(|e| invalid("candidate", self.label(campaign), &e.to_string()))?;
        // the name is a label, not an input
        if let Some(o) = v.as_object_mut() {
            o.remove("name");
        }
        Ok(sha256_hex(format!("scalebridge-campaign task v1\npreset {}\n{v}", campaign.search.preset).as_bytes()))
    }
}

fn fmt_frac(f: f64) -> String {
    let s = format!("{f:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every candidate of the campaign's space, in a fixed order.
pub fn enumerate(campaign: &Campaign) -> Result<Vec<Candidate>> {
    let s = &campaign.space;
    let mut out = Vec::new();
    let n = (1.0 / s.step).round() as usize;
    let mut elements = s.elements.clone();
    elements.sort();
    let mut comps: Vec<Vec<(String, f64)>> = Vec::new();
    for &k in &s.components {
        let parts = compositions(k, n);
        for sub in subsets(elements.len(), k) {
            for p in &parts {
                comps.push(sub.iter().zip(p).map(|(&i, &u)| (elements[i].clone(), u as f64 / n as f64)).collect());
            }
        }
        if comps.len() * s.lattice.len() * s.microstructures.len() * s.temperatures_k.len() > MAX_CANDIDATES {
            return Err(invalid("space", comps.len(), &format!("more than {MAX_CANDIDATES} candidates: use a coarser `step`, fewer elements or components")));
        }
    }
    for c in &comps {
        for l in &s.lattice {
            for (mi, m) in s.microstructures.iter().enumerate() {
                let class = if m.contains_key("inclusion") { "composite" } else { "alloy" };
                for &t in &s.temperatures_k {
                    out.push(Candidate { composition: c.clone(), lattice: l.clone(), temperature_k: t, microstructure: Some(mi), material: None, class: class.into() });
                }
            }
        }
    }
    for p in &s.materials {
        let m = Material::from_file(p)?;
        let mut comp: std::collections::BTreeMap<String, f64> = Default::default();
        for ph in &m.phases {
            if let scalebridge_pipeline::material::PhaseKind::Atomistic { structure, .. } = &ph.kind {
                if let scalebridge_pipeline::material::StructureSource::Lattice { elements, .. } = structure {
                    for (e, f) in elements {
                        *comp.entry(e.clone()).or_default() += f * ph.fraction;
                    }
                }
            }
        }
        for &t in &s.temperatures_k {
            out.push(Candidate { composition: comp.clone().into_iter().collect(), lattice: "file".into(), temperature_k: t, microstructure: None, material: Some(p.clone()), class: m.class.clone() });
        }
    }
    if out.is_empty() {
        return Err(invalid("space", 0, "has no candidates"));
    }
    Ok(out)
}

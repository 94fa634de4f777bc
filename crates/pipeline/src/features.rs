//! The features of a description: named scalars with unit and scale (composition, atomistic,
//! mesoscale, continuum, physics), read by the feature table.

use crate::description::{Feature, Properties};
use crate::homogenise::Effective;
use crate::material::{Material, PhaseKind};
use serde_json::Value;
use std::collections::BTreeMap;

fn f(name: &str, value: f64, unit: &str, scale: &str) -> Option<Feature> {
    value.is_finite().then(|| Feature { name: name.into(), value, unit: unit.into(), scale: scale.into() })
}

/// Unit strings of the protocols as feature units (`"1"` for dimensionless).
fn unit(u: &str) -> String {
    if u.is_empty() || u == "dimensionless" || u == "-" {
        "1".into()
    } else {
        u.into()
    }
}

/// Features of `material` at `t` from its properties, the homogenisation and each atomistic
/// phase's 0 K elastic result (`(name, fraction, result)`).
pub fn features(material: &Material, t: f64, p: &Properties, eff: &Effective, statics: &[(String, f64, Value)]) -> Vec<Feature> {
    let mut out: Vec<Option<Feature>> = Vec::new();
    // composition: volume-fraction-weighted element fractions of the atomistic phases
    let mut comp: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0.0;
    for ph in &material.phases {
        if let PhaseKind::Atomistic { structure, .. } = &ph.kind {
            if let crate::material::StructureSource::Lattice { elements, .. } = structure {
                for (el, x) in elements {
                    *comp.entry(el.clone()).or_default() += ph.fraction * x;
                }
                total += ph.fraction;
            }
            if let crate::material::StructureSource::Crystal { spec } = structure {
                for (el, x) in crate::material::crystal_composition(spec) {
                    *comp.entry(el).or_default() += ph.fraction * x;
                }
                total += ph.fraction;
            }
        }
    }
    for (el, x) in &comp {
        out.push(f(&format!("x_{el}"), x / total, "1", "composition"));
    }
    out.push(f("n_elements", comp.len() as f64, "1", "composition"));
    // atomistic: 0 K results, fraction-weighted over the atomistic phases
    let mut atom: BTreeMap<String, (f64, String, f64)> = BTreeMap::new();
    for (_, frac, r) in statics {
        for section in ["state", "moduli"] {
            let map = if section == "moduli" { r.get("moduli").and_then(|m| m.get("quantities")) } else { r.get("state") };
            if let Some(Value::Object(m)) = map {
                for (k, q) in m {
                    if let (Some(v), Some(u)) = (q.get("value").and_then(Value::as_f64), q.get("unit").and_then(Value::as_str)) {
                        if k == "temperature" || k == "pressure" {
                            continue;
                        }
                        let e = atom.entry(format!("{k}_0K")).or_insert((0.0, unit(u), 0.0));
                        e.0 += frac * v;
                        e.2 += frac;
                    }
                }
            }
        }
    }
    for (k, (v, u, w)) in &atom {
        out.push(f(k, v / w, u, "atomistic"));
    }
    // mesoscale
    out.push(f("grains", eff.grains as f64, "1", "mesoscale"));
    out.push(f("phases", material.phases.len() as f64, "1", "mesoscale"));
    // continuum
    out.push(f("E_GPa", p.e_gpa.value, "GPa", "continuum"));
    out.push(f("nu", p.nu.value, "1", "continuum"));
    out.push(f("K_GPa", p.k_gpa.value, "GPa", "continuum"));
    out.push(f("G_GPa", p.g_gpa.value, "GPa", "continuum"));
    out.push(f("universal_anisotropy_effective", eff.universal_anisotropy, "1", "continuum"));
    if let Some(k) = &p.kappa_w_mk {
        out.push(f("kappa_W_mK", k.value, "W/m/K", "continuum"));
    }
    if let Some(tm) = &p.t_transition_k {
        out.push(f("T_transition_K", tm.value, "K", "atomistic"));
    }
    // physics-informed, dimensionless
    out.push(f("pugh_G_over_K", p.g_gpa.value / p.k_gpa.value, "1", "physics"));
    if let (Some((ecoh, _, we)), Some((vat, _, wv))) = (atom.get("cohesive_energy_0K"), atom.get("volume_per_atom_0K")) {
        // E·V_atom / E_coh (GPa·Å³ → eV: / 160.2177)
        let e_over = p.e_gpa.value * (vat / wv) / scalebridge_core::units::EV_PER_A3_IN_GPA / (ecoh / we).abs();
        out.push(f("E_V_over_E_coh", e_over, "1", "physics"));
    }
    if t > 0.0 {
        if let Some(tm) = &p.t_transition_k {
            out.push(f("T_over_T_transition", t / tm.value, "1", "physics"));
        }
        if let Some((th, _, w)) = atom.get("debye_temperature_0K") {
            out.push(f("debye_temperature_over_T", th / w / t, "1", "physics"));
        }
        if let Some((ecoh, _, w)) = atom.get("cohesive_energy_0K") {
            out.push(f("E_coh_over_kT", (ecoh / w).abs() / (scalebridge_core::units::BOLTZMANN * t), "1", "physics"));
        }
    }
    out.push(f("temperature_K", t, "K", "physics"));
    out.into_iter().flatten().collect()
}

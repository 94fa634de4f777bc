//! One table row per `describe` document: identifiers, composition columns (given by the
//! caller: the Magpie featuriser lives in the ML crate), the document's columns
//! ([`super::atomistic::from_describe`]), the state (`temperature_K`, scale physics) and the
//! physics-informed groups whose inputs the row holds:
//!
//! | column | from |
//! |---|---|
//! | `pugh_G_over_B` | `shear_modulus_hill_0K` / `bulk_modulus_hill_0K` (the 0 K MD moduli) |
//! | `zener_A` | `zener_anisotropy_0K` (2C44/(C11−C12) of the 0 K MD stiffness) |
//! | `debye_theta_over_T` | Anderson's Θ_D from the 0 K Hill moduli, the volume per atom and `mean_AtomicWeight`, or `debye_temperature_0K`; over T (T > 0) |
//! | `T_over_Tm` | T / `mean_MeltingT` (composition-weighted elemental melting point: no MD melting result enters an input) |
//! | `E_over_Ecoh` | `youngs_modulus_0K` · Ω / \|E_coh\| when the row has a cohesive energy and a volume per atom |
//! | `dH_over_kT` | a vacancy formation energy / k_B T (T > 0), when the row has one |

use super::atomistic::from_describe;
use super::physics;
use crate::design::formula;
use crate::error::{FeatureError, Result};
use crate::table::{Feature, Row, Scale};
use serde_json::Value;

/// The formula of a described material from its composition features `x_{El}` (element
/// fractions), e.g. `Cu0.5Ni0.5`; `None` when the document has none.
pub fn describe_formula(doc: &Value) -> Option<String> {
    let list = doc.get("features")?.as_array()?;
    let fr: Vec<(String, f64)> = list
        .iter()
        .filter_map(|f| {
            let n = f.get("name")?.as_str()?.strip_prefix("x_")?;
            let v = f.get("value")?.as_f64()?;
            (v > 0.0 && n.chars().next().is_some_and(|c| c.is_ascii_uppercase())).then(|| (n.to_string(), v))
        })
        .collect();
    (!fr.is_empty()).then(|| formula(&fr))
}

/// Append `more` to `out`; a name already present is skipped when unit and scale agree
/// (e.g. `n_elements` from two producers) and an error naming both units otherwise.
pub fn merge(out: &mut Vec<Feature>, more: Vec<Feature>) -> Result<()> {
    for f in more {
        match out.iter().find(|g| g.name == f.name) {
            Some(g) if g.unit == f.unit && g.scale == f.scale => {}
            Some(g) => {
                return Err(FeatureError::UnitMismatch {
                    group: format!("column {}", f.name),
                    column: format!("{} ({})", f.name, f.scale),
                    unit: f.unit.clone(),
                    other_column: format!("{} ({})", g.name, g.scale),
                    other_unit: g.unit.clone(),
                })
            }
            None => out.push(f),
        }
    }
    Ok(())
}

fn find(v: &[Feature], names: &[&str]) -> Option<f64> {
    names.iter().find_map(|n| v.iter().find(|f| f.name == *n).map(|f| f.value)).filter(|x| x.is_finite())
}

/// The row of one describe document with the given composition columns.
pub fn describe_row(doc: &Value, composition: Vec<Feature>) -> Result<Row> {
    let s = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    let material = s("name").ok_or_else(|| FeatureError::param("description", "name", "is missing"))?;
    let class = s("class").unwrap_or_default();
    let t = doc.get("temperature_K").and_then(Value::as_f64).ok_or_else(|| FeatureError::param("description", "temperature_K", "is missing"))?;
    let mut features = composition;
    merge(&mut features, from_describe(doc)?)?;
    let mut extra = vec![Feature::new("temperature_K", t, "K", Scale::Physics)];
    let phys = |n: &str, v: f64| Feature::new(n, v, "1", Scale::Physics);
    let (k0, g0) = (find(&features, &["bulk_modulus_hill_0K"]), find(&features, &["shear_modulus_hill_0K"]));
    if let (Some(k), Some(g)) = (k0, g0) {
        if let Ok(p) = physics::pugh_ratio(g, k) {
            extra.push(phys("pugh_G_over_B", p));
        }
    }
    if let Some(z) = find(&features, &["zener_anisotropy_0K"]) {
        extra.push(phys("zener_A", z));
    }
    let vol = find(&features, &["volume_per_atom_0K", "atomic_volume_0K", "volume_per_atom"]);
    if t > 0.0 {
        let theta = match (k0, g0, vol, find(&features, &["mean_AtomicWeight"])) {
            (Some(k), Some(g), Some(v), Some(m)) => physics::debye_temperature(k, g, v, m).ok(),
            _ => None,
        }
        .or_else(|| find(&features, &["debye_temperature_0K"]));
        if let Some(th) = theta {
            extra.push(phys("debye_theta_over_T", th / t));
        }
        if let Some(tm) = find(&features, &["mean_MeltingT"]).filter(|x| *x > 0.0) {
            extra.push(phys("T_over_Tm", t / tm));
        }
        if let Some(dh) = find(&features, &["vacancy_formation_energy_0K", "vacancy_formation_energy"]) {
            extra.push(phys("dH_over_kT", physics::enthalpy_over_kt(dh, t)?));
        }
    }
    if let (Some(e), Some(v), Some(c)) = (
        find(&features, &["youngs_modulus_0K"]),
        vol,
        find(&features, &["cohesive_energy_0K", "cohesive_energy", "energy_per_atom_0K"]),
    ) {
        if let Ok(x) = physics::modulus_over_cohesive(e, v, c) {
            extra.push(phys("E_over_Ecoh", x));
        }
    }
    merge(&mut features, extra)?;
    let mut ids = vec![("state".to_string(), format!("{t}K"))];
    if let Some(f) = describe_formula(doc) {
        ids.insert(0, ("formula".to_string(), f));
    }
    Ok(Row { material, class, ids, features })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn row_of_a_description() {
        let doc = json!({
            "name": "CuNi", "class": "alloy", "temperature_K": 300.0,
            "properties": {"E_GPa": {"value": 150.0, "stderr": 2.0, "unit": "GPa", "scale": "continuum", "source": "x"}},
            "features": [
                {"name": "x_Cu", "value": 0.5, "unit": "1", "scale": "composition"},
                {"name": "x_Ni", "value": 0.5, "unit": "1", "scale": "composition"},
                {"name": "n_elements", "value": 2.0, "unit": "1", "scale": "composition"},
                {"name": "bulk_modulus_hill_0K", "value": 160.0, "unit": "GPa", "scale": "atomistic"},
                {"name": "shear_modulus_hill_0K", "value": 64.0, "unit": "GPa", "scale": "atomistic"},
                {"name": "zener_anisotropy_0K", "value": 3.0, "unit": "1", "scale": "atomistic"},
                {"name": "debye_temperature_0K", "value": 390.0, "unit": "K", "scale": "atomistic"},
                {"name": "E_GPa", "value": 150.0, "unit": "GPa", "scale": "continuum"}
            ]
        });
        assert_eq!(describe_formula(&doc).unwrap(), "Cu0.5Ni0.5");
        let comp = vec![
            Feature::new("n_elements", 2.0, "1", Scale::Composition),
            Feature::new("mean_MeltingT", 1500.0, "K", Scale::Composition),
        ];
        let r = describe_row(&doc, comp).unwrap();
        assert_eq!((r.material.as_str(), r.class.as_str()), ("CuNi", "alloy"));
        assert_eq!(r.ids, vec![("formula".to_string(), "Cu0.5Ni0.5".to_string()), ("state".to_string(), "300K".to_string())]);
        let get = |n: &str| r.features.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}"));
        assert_eq!(r.features.iter().filter(|f| f.name == "n_elements").count(), 1);
        assert!((get("pugh_G_over_B").value - 0.4).abs() < 1e-12);
        assert_eq!(get("zener_A").value, 3.0);
        assert!((get("debye_theta_over_T").value - 1.3).abs() < 1e-12);
        assert!((get("T_over_Tm").value - 0.2).abs() < 1e-12);
        assert_eq!(get("temperature_K").unit, "K");
        assert_eq!(get("E_GPa").scale, Scale::Target);
        assert_eq!(r.features.iter().filter(|f| f.name == "E_GPa").count(), 1);
        // the same name with another unit is an error naming both
        let bad = vec![Feature::new("n_elements", 2.0, "eV", Scale::Composition)];
        let msg = describe_row(&doc, bad).unwrap_err().to_string();
        assert!(msg.contains("n_elements") && msg.contains("eV") && msg.contains("\"1\""), "{msg}");
        // at 0 K no T-scaled group appears
        let mut d0 = doc.clone();
        d0["temperature_K"] = json!(0.0);
        let r0 = describe_row(&d0, vec![]).unwrap();
        assert!(r0.features.iter().all(|f| f.name != "debye_theta_over_T" && f.name != "T_over_Tm"));
        assert!(describe_row(&json!({"class": "metal"}), vec![]).is_err());
    }
}

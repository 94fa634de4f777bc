//! Columns from one `scalebridge describe` JSON document:
//! - its `features` list (`{"name", "value", "unit", "scale"}`) as given (atomistic, mesoscale,
//!   ... as the pipeline tagged them; `null` values become NaN);
//! - each entry of `properties` with a numeric `value` as a `target` column in its unit, and its
//!   `stderr` as `{name}_stderr` (scale `uncertainty`, same unit);
//! - a `features` entry named like a numeric property (`E_GPa`, ...) is that property: it becomes
//!   the target column only, never an input (no target leaks into the inputs);
//! - the volume-fraction-weighted (Voigt) mix of the phases' 0 K single-crystal stiffness
//!   (`phases[i].C0_GPa`; a measured continuum phase: its `C_GPa`) as continuum columns
//!   `c0_K_V_GPa` ... `c0_anisotropy_AU` ([`super::continuum::stiffness_features`]). The
//!   effective stiffness at the material's temperature (`properties.C_GPa`) is *not* made an
//!   input: the targets E, ν, K, G are derived from it, so it would leak them;
//! - `bridge.L_bridge_single_crystal` / `L_bridge_polycrystal` (when reported) as columns of scale
//!   `uncertainty`, unit "1" (quality of the MD → continuum bridge, not model inputs).

use crate::error::{FeatureError, Result};
use crate::table::{Feature, Scale};
use serde_json::Value;

fn number(v: Option<&Value>, what: &str) -> Result<f64> {
    match v {
        None | Some(Value::Null) => Ok(f64::NAN),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| FeatureError::param(what, n, "is not a float")),
        Some(other) => Err(FeatureError::param(what, other, "must be a number or null")),
    }
}

fn matrix6(v: &Value) -> Option<[[f64; 6]; 6]> {
    let v = v.get("value").unwrap_or(v);
    let rows = v.as_array()?;
    if rows.len() != 6 {
        return None;
    }
    let mut c = [[0.0; 6]; 6];
    for (i, r) in rows.iter().enumerate() {
        let r = r.as_array()?;
        if r.len() != 6 {
            return None;
        }
        for (j, x) in r.iter().enumerate() {
            c[i][j] = x.as_f64()?;
        }
    }
    Some(c)
}

/// The columns of one describe document (see the module docs).
pub fn from_describe(doc: &Value) -> Result<Vec<Feature>> {
    let mut out = Vec::new();
    let props = doc.get("properties").and_then(Value::as_object);
    let is_property = |n: &str| props.and_then(|p| p.get(n)).and_then(|p| p.get("value")).is_some_and(Value::is_number);
    if let Some(list) = doc.get("features") {
        let list = list.as_array().ok_or_else(|| FeatureError::param("features", list, "must be a list"))?;
        for (i, f) in list.iter().enumerate() {
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| FeatureError::param(&format!("features[{i}].name"), f, "missing or not a string"))?;
            let unit = f.get("unit").and_then(Value::as_str).unwrap_or("");
            if unit.trim().is_empty() {
                return Err(FeatureError::MissingUnit { column: name.to_string() });
            }
            let scale = f
                .get("scale")
                .and_then(Value::as_str)
                .ok_or_else(|| FeatureError::param(&format!("features[{i}] ({name}).scale"), f, "missing or not a string"))?;
            let value = number(f.get("value"), &format!("features[{i}] ({name}).value"))?;
            if is_property(name) {
                continue;
            }
            out.push(Feature::new(name, value, unit, Scale::parse(scale)?));
        }
    }
    if let Some(props) = props {
        for (k, p) in props {
            if k == "C_GPa" {
                continue;
            }
            let Some(v) = p.get("value").filter(|v| v.is_number()) else { continue };
            let unit = p.get("unit").and_then(Value::as_str).unwrap_or("");
            if unit.trim().is_empty() {
                return Err(FeatureError::MissingUnit { column: k.clone() });
            }
            out.push(Feature::new(k.clone(), number(Some(v), k)?, unit, Scale::Target));
            out.push(Feature::new(format!("{k}_stderr"), number(p.get("stderr"), &format!("{k}.stderr"))?, unit, Scale::Uncertainty));
        }
    }
    if let Some(phases) = doc.get("phases").and_then(Value::as_array) {
        let mut mix = [[0.0; 6]; 6];
        let mut total = 0.0;
        let mut complete = !phases.is_empty();
        for ph in phases {
            let f = ph.get("fraction").and_then(Value::as_f64).unwrap_or(f64::NAN);
            match ph.get("C0_GPa").or_else(|| ph.get("C_GPa")).and_then(matrix6) {
                Some(c) if f.is_finite() && f > 0.0 => {
                    for i in 0..6 {
                        for j in 0..6 {
                            mix[i][j] += f * c[i][j];
                        }
                    }
                    total += f;
                }
                _ => complete = false,
            }
        }
        if complete && total > 0.0 {
            mix.iter_mut().flatten().for_each(|x| *x /= total);
            out.extend(super::continuum::stiffness_features(&mix, "c0_")?);
        }
    }
    if let Some(b) = doc.get("bridge") {
        for k in ["L_bridge_single_crystal", "L_bridge_polycrystal"] {
            if let Some(v) = b.get(k).and_then(|x| x.as_f64().or_else(|| x.get("value")?.as_f64())) {
                out.push(Feature::new(k, v, "1", Scale::Uncertainty));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_document_to_columns() {
        let doc = serde_json::json!({
            "properties": {
                "E_GPa": {"value": 130.5, "stderr": 1.5, "unit": "GPa", "scale": "continuum", "source": "fft"},
                "nu": {"value": 0.34, "stderr": null, "unit": "1", "scale": "continuum", "source": "fft"},
                "C_GPa": {"value": [[1.0, 0.0], [0.0, 1.0]], "unit": "GPa"}
            },
            "phases": [
                {"name": "a", "fraction": 0.5, "C0_GPa": [[100.0, 50.0, 50.0, 0.0, 0.0, 0.0], [50.0, 100.0, 50.0, 0.0, 0.0, 0.0], [50.0, 50.0, 100.0, 0.0, 0.0, 0.0],
                                     [0.0, 0.0, 0.0, 25.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 25.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 25.0]]},
                {"name": "b", "fraction": 0.5, "C_GPa": {"value": [[300.0, 150.0, 150.0, 0.0, 0.0, 0.0], [150.0, 300.0, 150.0, 0.0, 0.0, 0.0], [150.0, 150.0, 300.0, 0.0, 0.0, 0.0],
                                     [0.0, 0.0, 0.0, 75.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 75.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 75.0]], "stderr": null}}
            ],
            "bridge": {"L_bridge_single_crystal": {"value": 0.004, "unit": "1", "parts": []}},
            "features": [
                {"name": "cohesive_energy", "value": -3.54, "unit": "eV/atom", "scale": "atomistic"},
                {"name": "rdf_peak1", "value": null, "unit": "Å", "scale": "atomistic"},
                {"name": "E_GPa", "value": 130.5, "unit": "GPa", "scale": "continuum"}
            ]
        });
        let v = from_describe(&doc).unwrap();
        let get = |n: &str| v.iter().find(|f| f.name == n).unwrap_or_else(|| panic!("{n}"));
        assert_eq!(get("cohesive_energy").value, -3.54);
        assert_eq!(get("cohesive_energy").unit, "eV/atom");
        assert!(get("rdf_peak1").value.is_nan());
        assert_eq!(get("E_GPa").scale, Scale::Target);
        assert_eq!(v.iter().filter(|f| f.name == "E_GPa").count(), 1);
        assert_eq!(get("E_GPa_stderr").value, 1.5);
        assert_eq!(get("E_GPa_stderr").scale, Scale::Uncertainty);
        assert!(get("nu_stderr").value.is_nan());
        // the phases' mix is isotropic C11 200, C12 100, C44 50: K = (200 + 2·100)/3, AU = 0;
        // the effective C at T (properties.C_GPa) gives no input column
        assert!((get("c0_K_H_GPa").value - 400.0 / 3.0).abs() < 1e-9);
        assert!((get("c0_G_R_GPa").value - 50.0).abs() < 1e-9);
        assert!(get("c0_anisotropy_AU").value.abs() < 1e-12);
        assert!(v.iter().all(|f| !f.name.starts_with("eff_")));
        assert_eq!(get("L_bridge_single_crystal").scale, Scale::Uncertainty);
        let bad = serde_json::json!({"features": [{"name": "x", "value": 1.0, "unit": "", "scale": "atomistic"}]});
        assert!(matches!(from_describe(&bad), Err(FeatureError::MissingUnit { .. })));
        let bad = serde_json::json!({"features": [{"name": "x", "value": 1.0, "unit": "eV", "scale": "quantum"}]});
        assert!(from_describe(&bad).is_err());
        let bad = serde_json::json!({"features": [{"name": "x", "value": "a", "unit": "eV", "scale": "atomistic"}]});
        assert!(from_describe(&bad).is_err());
    }
}

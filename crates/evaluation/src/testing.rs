//! Synthetic class data for the unit tests: description documents whose targets are smooth
//! functions of a 0 K feature every class has (not MD results).

use crate::dataset::{ClassData, Record};
use serde_json::{json, Value};

/// A material whose 0 K modulus `e0` (an atomistic feature every class has) sets its E (and,
/// through it, κ and T_transition), with a composition of the class's own elements.
pub fn record(class: &str, i: usize, elements: &[&str], e0: f64) -> Record {
    let x = 1.0 / elements.len() as f64;
    let mut feats: Vec<Value> = elements.iter().map(|e| json!({"name": format!("x_{e}"), "value": x, "unit": "1", "scale": "composition"})).collect();
    feats.push(json!({"name": "youngs_modulus_0K", "value": e0, "unit": "GPa", "scale": "atomistic"}));
    feats.push(json!({"name": format!("only_in_{class}"), "value": i as f64, "unit": "1", "scale": "atomistic"}));
    feats.push(json!({"name": "grains", "value": 4.0 + (i % 3) as f64, "unit": "1", "scale": "mesoscale"}));
    let cold = json!({"name": format!("{class}{i}"), "class": class, "temperature_K": 0.0, "features": feats, "phases": [], "properties": {}});
    let mut hot = json!({"properties": {"E_GPa": {"value": 0.9 * e0, "unit": "GPa"}}});
    if class == "multi" {
        hot["properties"]["kappa_W_mK"] = json!({"value": 0.01 * e0, "unit": "W/m/K"});
        hot["properties"]["T_transition_K"] = json!({"value": 8.0 * e0, "unit": "K"});
    }
    Record { label: format!("{class}{i}"), hash: format!("h-{class}{i}"), cold, hot, reused: true, refreshed: false, wall_s: 0.0 }
}

/// `n` materials of `name` (class `multi` has all three targets, the others E only).
pub fn class_of(name: &str, n: usize, elements: &[&str], e0: impl Fn(usize) -> f64) -> ClassData {
    ClassData { class: name.into(), requested: n, records: (0..n).map(|i| record(name, i, elements, e0(i))).collect(), failures: vec![], failures_replayed: vec![] }
}

/// Eight materials of `name`.
pub fn class(name: &str, elements: &[&str], e0: impl Fn(usize) -> f64) -> ClassData {
    class_of(name, 8, elements, e0)
}

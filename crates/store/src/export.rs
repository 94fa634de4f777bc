//! A campaign's results as a feature table (for Parquet, pandas, the ML layer): one row per
//! finished task.
//!
//! - identifiers: `material` = the task hash, `class` = the campaign, and every text field of
//!   the candidate (flattened with `.`);
//! - the candidate's numbers: composition maps (`composition`, `fractions`, `x`: element →
//!   fraction) become `x_{El}` (scale composition), other numbers scale physics;
//! - the result: a `features` list of `{name, value, unit, scale}` is taken as it is; a measured
//!   value `{value, unit, stderr}` becomes a `target` column with its unit and a `<name>_stderr`
//!   `uncertainty` column; a plain number is a target;
//! - units of plain numbers come from the name's suffix (`_GPa`, `_K`, `_W_mK`, `_eV`, ...),
//!   `unknown` otherwise; the `provenance` subtree and lists are not columns.

use crate::error::{Result, StorageError};
use crate::Store;
use scalebridge_features::{Feature, FeatureTable, Row, Scale, TableBuilder};
use serde_json::Value;

/// The unit a column name's suffix states.
pub fn unit_from_name(name: &str) -> &'static str {
    const SUFFIXES: [(&str, &str); 16] = [
        ("_GPa", "GPa"),
        ("_MPa", "MPa"),
        ("_Pa", "Pa"),
        ("_W_mK", "W/(m K)"),
        ("_eV_atom", "eV/atom"),
        ("_eV", "eV"),
        ("_K", "K"),
        ("_ps", "ps"),
        ("_A", "Å"),
        ("_A3", "Å^3"),
        ("_g_cm3", "g/cm^3"),
        ("_m2_s", "m^2/s"),
        ("_J_m2", "J/m^2"),
        ("_1_K", "1/K"),
        ("_fraction", "1"),
        ("_ratio", "1"),
    ];
    SUFFIXES.iter().find(|(s, _)| name.ends_with(s)).map_or("unknown", |(_, u)| u)
}

fn is_element(s: &str) -> bool {
    scalebridge_features::importers::composition::is_element(s)
}

fn candidate_fields(prefix: &str, v: &Value, ids: &mut Vec<(String, String)>, feats: &mut Vec<Feature>) {
    match v {
        Value::Object(m) => {
            let is_comp = matches!(prefix.rsplit('.').next(), Some("composition" | "fractions" | "x")) && !m.is_empty() && m.iter().all(|(k, x)| is_element(k) && x.is_number());
            for (k, x) in m {
                if is_comp {
                    if let Some(f) = x.as_f64() {
                        feats.push(Feature::new(format!("x_{k}"), f, "1", Scale::Composition));
                    }
                    continue;
                }
                let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                candidate_fields(&name, x, ids, feats);
            }
        }
        Value::String(s) => ids.push((prefix.to_string(), s.clone())),
        Value::Bool(b) => ids.push((prefix.to_string(), b.to_string())),
        Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                feats.push(Feature::new(prefix, f, unit_from_name(prefix), Scale::Physics));
            }
        }
        Value::Array(a) => {
            // short lists of scalars (a lattice name list, a temperature list) are kept as text
            if a.iter().all(|x| !x.is_object() && !x.is_array()) && a.len() <= 16 {
                ids.push((prefix.to_string(), v.to_string()));
            }
        }
        Value::Null => {}
    }
}

fn result_fields(prefix: &str, v: &Value, feats: &mut Vec<Feature>) -> std::result::Result<(), String> {
    let Value::Object(m) = v else {
        if let Some(f) = v.as_f64() {
            feats.push(Feature::new(prefix, f, unit_from_name(prefix), Scale::Target));
        }
        return Ok(());
    };
    if let (Some(val), Some(Value::String(unit))) = (m.get("value").and_then(Value::as_f64), m.get("unit")) {
        let unit = if unit.trim().is_empty() { "1" } else { unit.as_str() };
        feats.push(Feature::new(prefix, val, unit, Scale::Target));
        if let Some(se) = ["stderr", "std", "sigma", "uncertainty"].iter().find_map(|k| m.get(*k).and_then(Value::as_f64)) {
            feats.push(Feature::new(format!("{prefix}_stderr"), se, unit, Scale::Uncertainty));
        }
        return Ok(());
    }
    for (k, x) in m {
        if k == "provenance" || k == "candidate" {
            continue;
        }
        if k == "features" && prefix.is_empty() {
            if let Value::Array(list) = x {
                for f in list {
                    let feat: Feature = serde_json::from_value(f.clone()).map_err(|e| format!("features entry {f}: {e}"))?;
                    feats.push(feat);
                }
                continue;
            }
        }
        let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        result_fields(&name, x, feats)?;
    }
    Ok(())
}

impl Store {
    /// The finished tasks of `campaign` as a feature table (see the module documentation).
    pub fn results_table(&self, campaign: &str) -> Result<FeatureTable> {
        let mut b = TableBuilder::new();
        for t in self.tasks(campaign)? {
            let Some(result) = &t.result_json else { continue };
            let bad = |reason: String| StorageError::Invalid { what: format!("result of task {} in campaign {campaign}", t.task_hash), reason };
            let r: Value = serde_json::from_str(result).map_err(|e| bad(format!("not JSON: {e}")))?;
            let c: Value = serde_json::from_str(&t.candidate_json).unwrap_or(Value::Null);
            let mut ids = Vec::new();
            let mut features = Vec::new();
            candidate_fields("", &c, &mut ids, &mut features);
            ids.retain(|(k, _)| !k.is_empty() && k != "material" && k != "class");
            result_fields("", &r, &mut features).map_err(bad)?;
            let mut seen = std::collections::HashSet::new();
            features.retain(|f| seen.insert(f.name.clone()));
            ids.retain(|(k, _)| seen.insert(k.clone()));
            b.push(Row { material: t.task_hash.clone(), class: campaign.to_string(), ids, features });
        }
        let mut table = b.build().map_err(|e| StorageError::Invalid { what: format!("results of campaign {campaign}"), reason: e.to_string() })?;
        for c in &mut table.columns {
            if c.scale == Scale::Composition && c.name.starts_with("x_") {
                if let scalebridge_features::ColumnData::Float(v) = &mut c.data {
                    v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = 0.0);
                }
            }
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::Store;

    #[test]
    fn results_become_unit_tagged_columns() {
        let dir = std::env::temp_dir().join(format!("scalebridge-store-export-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = Store::open(dir.join("r.db").to_str().unwrap()).unwrap();
        s.claim("c", "a", r#"{"composition":{"Fe":0.5,"Ni":0.5},"lattice":"fcc","temperature_K":300}"#, "w").unwrap();
        s.put_result("c", "a", r#"{"E_GPa":{"value":200.0,"stderr":2.0,"unit":"GPa"},"kappa_W_mK":12.5,"provenance":{"input_hash":"x","seeds":[1]}}"#).unwrap();
        s.claim("c", "b", r#"{"composition":{"Cu":1.0},"lattice":"bcc","temperature_K":600}"#, "w").unwrap();
        s.claim("c", "pending", "{}", "w").unwrap();
        s.put_result("c", "b", r#"{"E_GPa":{"value":120.0,"stderr":1.0,"unit":"GPa"},"features":[{"name":"pugh_G_over_B","value":0.4,"unit":"1","scale":"physics"}]}"#).unwrap();
        let t = s.results_table("c").unwrap();
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.texts("material").unwrap(), ["a", "b"]);
        assert_eq!(t.texts("lattice").unwrap(), ["fcc", "bcc"]);
        assert_eq!(t.floats("x_Fe").unwrap(), [0.5, 0.0]);
        assert_eq!(t.floats("x_Cu").unwrap(), [0.0, 1.0]);
        assert_eq!(t.column("temperature_K").unwrap().unit, "K");
        assert_eq!(t.floats("E_GPa").unwrap(), [200.0, 120.0]);
        assert_eq!(t.column("E_GPa").unwrap().unit, "GPa");
        assert_eq!(t.floats("E_GPa_stderr").unwrap(), [2.0, 1.0]);
        assert_eq!(t.column("E_GPa_stderr").unwrap().scale, scalebridge_features::Scale::Uncertainty);
        assert_eq!(t.column("kappa_W_mK").unwrap().unit, "W/(m K)");
        assert!(t.floats("kappa_W_mK").unwrap()[1].is_nan());
        assert_eq!(t.floats("pugh_G_over_B").unwrap()[1], 0.4);
        assert!(t.column("provenance.input_hash").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Index columns taken from a result's JSON: its unit and provenance (input hash, seeds,
//! versions), wherever they sit in the first levels of the document.

use crate::error::{Result, StorageError};
use crate::RowMeta;
use serde_json::Value;

/// Parse `json` (it must be JSON) and pick out the indexed columns.
pub(crate) fn extract(json: &str, what: &str) -> Result<RowMeta> {
    let v: Value = serde_json::from_str(json).map_err(|e| StorageError::Invalid { what: what.to_string(), reason: format!("not JSON: {e}") })?;
    let mut m = RowMeta::default();
    walk(&v, 0, &mut m);
    Ok(m)
}

fn walk(v: &Value, depth: usize, m: &mut RowMeta) {
    if depth > 3 {
        return;
    }
    let Value::Object(map) = v else { return };
    for (k, x) in map {
        match (k.as_str(), x) {
            ("unit", Value::String(s)) if m.unit.is_none() => m.unit = Some(s.clone()),
            ("input_hash", Value::String(s)) if m.input_hash.is_none() => m.input_hash = Some(s.clone()),
            ("seed" | "seeds", Value::Number(_) | Value::Array(_)) if m.seed.is_none() => m.seed = Some(x.to_string()),
            ("versions" | "version", Value::Object(_) | Value::String(_)) if m.versions.is_none() => {
                m.versions = Some(match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            }
            _ => {}
        }
    }
    for x in map.values() {
        if x.is_object() {
            walk(x, depth + 1, m);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn provenance_and_unit_become_columns() {
        let m = super::extract(r#"{"E":{"value":1.0,"unit":"GPa"},"provenance":{"input_hash":"ab","seeds":[1,2],"versions":{"scalebridge":"0.1"}}}"#, "r").unwrap();
        assert_eq!(m.unit.as_deref(), Some("GPa"));
        assert_eq!(m.input_hash.as_deref(), Some("ab"));
        assert_eq!(m.seed.as_deref(), Some("[1,2]"));
        assert_eq!(m.versions.as_deref(), Some(r#"{"scalebridge":"0.1"}"#));
        assert!(super::extract("{nope", "r").is_err());
    }
}

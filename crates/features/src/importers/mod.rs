//! Importers: property tables exported from public materials databases, read into the feature
//! table (one row per record: identifiers, the composition as atomic fractions `x_{El}`, the
//! properties as `target` columns with their units).
//!
//! | source | file shape | id | composition | properties (column ← field, unit) |
//! |---|---|---|---|---|
//! | `mp` | Materials Project summary or elasticity documents: a list, `{"data": [...]}` (REST), or one document | `material_id` | `composition` map, else `formula_pretty` | see [`sources::MP`] |
//! | `jarvis` | JARVIS-DFT `dft_3d` JSON: a list of records (`"na"` = missing) | `jid` | `atoms.elements`, else `formula` | see [`sources::JARVIS`] |
//! | `aflow` | AFLUX `$format(json)` output: a list, or an object of records | `auid` / `aurl` | `species` + `composition`, else `compound` | see [`sources::AFLOW`] |
//! | `oqmd` | OQMD REST `formationenergy` response `{"data": [...]}` (or a list) | `entry_id` | `composition`, else `name` | see [`sources::OQMD`] |
//! | `matbench` | `formula,target` CSV, or a matbench JSON (pandas split: `columns`, `index`, `data`) | row index | the formula (or a pymatgen structure's sites) | the target column, unit from the dataset or given |
//!
//! A record whose field has the wrong type (a text where a number belongs, an unknown element)
//! is an error naming the file, the record (index and id) and the field; missing values (`null`,
//! absent, JARVIS's `"na"`) are NaN.

pub mod composition;
mod matbench;
pub mod sources;

use crate::error::{FeatureError, Result};
use crate::table::{Feature, FeatureTable, Row, Scale, TableBuilder};
use serde_json::Value;
use std::path::Path;

pub use matbench::matbench_unit;

/// The databases an importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    MaterialsProject,
    Jarvis,
    Aflow,
    Oqmd,
    Matbench,
}

impl Source {
    pub const ALL: [Source; 5] = [Source::MaterialsProject, Source::Jarvis, Source::Aflow, Source::Oqmd, Source::Matbench];

    /// The command-line name: `mp`, `jarvis`, `aflow`, `oqmd`, `matbench`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::MaterialsProject => "mp",
            Source::Jarvis => "jarvis",
            Source::Aflow => "aflow",
            Source::Oqmd => "oqmd",
            Source::Matbench => "matbench",
        }
    }

    pub fn parse(s: &str) -> Result<Source> {
        let t = s.trim().to_ascii_lowercase();
        let t = match t.as_str() {
            "materials_project" | "materialsproject" => "mp",
            "jarvis-dft" | "jarvis_dft" | "dft_3d" => "jarvis",
            other => other,
        };
        Source::ALL.into_iter().find(|x| x.as_str() == t).ok_or_else(|| FeatureError::param("source", format!("{s:?}"), "expected mp, jarvis, aflow, oqmd or matbench"))
    }
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Unit of a Matbench target that is not one of the known datasets (see [`matbench_unit`]).
    pub target_unit: Option<String>,
}

/// Read a property file of `source` into a feature table.
pub fn import_file(source: Source, path: &Path, options: &ImportOptions) -> Result<FeatureTable> {
    let text = std::fs::read_to_string(path).map_err(|e| FeatureError::io(path, e))?;
    import_str(source, &text, &path.display().to_string(), options)
}

/// Read the text of a property file (`file` names it in errors).
pub fn import_str(source: Source, text: &str, file: &str, options: &ImportOptions) -> Result<FeatureTable> {
    let rows = match source {
        Source::Matbench => matbench::rows(text, file, options)?,
        _ => {
            let doc: Value = serde_json::from_str(text).map_err(|e| malformed(source, file, "-", "-", &format!("not JSON: {e}")))?;
            let spec = sources::spec(source);
            records(source, &doc, file)?.into_iter().enumerate().map(|(i, rec)| sources::row(spec, i, rec, file)).collect::<Result<Vec<Row>>>()?
        }
    };
    if rows.is_empty() {
        return Err(malformed(source, file, "-", "-", "no records"));
    }
    let mut b = TableBuilder::new();
    for r in rows {
        b.push(r);
    }
    let mut t = b.build()?;
    // an element absent from a record has fraction 0, not a missing value
    for c in &mut t.columns {
        if c.scale == Scale::Composition && c.name.starts_with("x_") {
            if let crate::table::ColumnData::Float(v) = &mut c.data {
                v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = 0.0);
            }
        }
    }
    Ok(t)
}

pub(crate) fn malformed(source: Source, file: &str, record: &str, field: &str, reason: &str) -> FeatureError {
    FeatureError::Malformed { database: source.as_str().to_string(), file: file.to_string(), record: record.to_string(), field: field.to_string(), reason: reason.to_string() }
}

/// The records of a JSON document: a list, `{"data": [...]}` / `{"response": [...]}`, an object
/// of records (AFLUX's older `{"1": {...}, ...}`), or one record.
fn records<'a>(source: Source, doc: &'a Value, file: &str) -> Result<Vec<&'a Value>> {
    let list = match doc {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => {
            if let Some(Value::Array(a)) = m.get("data").or_else(|| m.get("response")) {
                a.iter().collect()
            } else if !m.is_empty() && m.values().all(Value::is_object) && !m.contains_key(sources::spec(source).id[0]) {
                m.values().collect()
            } else {
                vec![doc]
            }
        }
        _ => return Err(malformed(source, file, "-", "-", "expected a JSON list or object of records")),
    };
    for (i, r) in list.iter().enumerate() {
        if !r.is_object() {
            return Err(malformed(source, file, &format!("#{i}"), "-", "a record must be a JSON object"));
        }
    }
    Ok(list)
}

/// A field by dotted path, keys compared without case (`elasticity.K_VRH` = `elasticity.k_vrh`).
pub(crate) fn lookup<'a>(rec: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = rec;
    for key in path.split('.') {
        let m = v.as_object()?;
        v = m.get(key).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, x)| x))?;
    }
    Some(v)
}

/// A number, or NaN for a missing value (`null`, `"na"`, `"NaN"`, `""`); booleans are 1/0;
/// anything else is an error message.
pub(crate) fn number(v: &Value) -> std::result::Result<f64, String> {
    match v {
        Value::Null => Ok(f64::NAN),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("number {n} out of range")),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || ["na", "nan", "none", "null", "n/a"].contains(&t.to_ascii_lowercase().as_str()) {
                Ok(f64::NAN)
            } else {
                t.parse::<f64>().map_err(|_| format!("expected a number, got the text {s:?}"))
            }
        }
        other => Err(format!("expected a number, got {}", kind(other))),
    }
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The composition columns `x_{El}` (atomic fractions, scale composition).
pub(crate) fn composition_features(fr: &[(String, f64)]) -> Vec<Feature> {
    fr.iter().map(|(e, x)| Feature::new(format!("x_{e}"), *x, "1", Scale::Composition)).collect()
}

#[cfg(test)]
mod tests;

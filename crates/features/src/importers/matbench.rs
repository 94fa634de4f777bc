//! Matbench: a `formula,target` CSV, or a matbench JSON (pandas "split" orientation as
//! matminer writes it: `{"index": [...], "columns": ["composition", "gap expt"], "data": [[...]]}`,
//! or a list of records). The first column is a formula or a pymatgen structure (its sites give
//! the composition); the second is the target.

use super::{composition, composition_features, kind, malformed, number, ImportOptions, Source};
use crate::error::Result;
use crate::table::{Feature, Row, Scale};
use serde_json::Value;

/// The unit of a known Matbench target column (v0.1 tasks), `None` when unknown.
pub fn matbench_unit(target: &str) -> Option<&'static str> {
    Some(match target {
        "gap expt" | "gap pbe" => "eV",
        "e_form" => "eV/atom",
        "log10(K_VRH)" | "log10(G_VRH)" => "log10(GPa)",
        "exfoliation_en" => "meV/atom",
        "last phdos peak" => "1/cm",
        "n" | "is_metal" | "gfa" => "1",
        "yield strength" => "MPa",
        _ => return None,
    })
}

const FORMULA_KEYS: [&str; 3] = ["composition", "formula", "structure"];

fn unit_for(target: &str, options: &ImportOptions, file: &str) -> Result<String> {
    if let Some(u) = &options.target_unit {
        if u.trim().is_empty() {
            return Err(malformed(Source::Matbench, file, "-", target, "the target unit given is empty (use \"1\" for a dimensionless target)"));
        }
        return Ok(u.trim().to_string());
    }
    matbench_unit(target).map(str::to_string).ok_or_else(|| {
        malformed(Source::Matbench, file, "-", target, "unknown Matbench target: give its unit (CLI --unit, Python target_unit=; \"1\" when dimensionless)")
    })
}

/// The composition of a formula text or a pymatgen structure dictionary.
fn pairs_of(v: &Value) -> std::result::Result<Vec<(String, f64)>, String> {
    match v {
        Value::String(s) => composition::parse_formula(s),
        Value::Object(m) => {
            let sites = m.get("sites").and_then(Value::as_array).ok_or("a structure without a \"sites\" list")?;
            let mut pairs = Vec::new();
            for (i, site) in sites.iter().enumerate() {
                let species = site.get("species").and_then(Value::as_array).ok_or(format!("site {i} has no \"species\" list"))?;
                for sp in species {
                    let el = sp.get("element").and_then(Value::as_str).ok_or(format!("site {i}: species without \"element\""))?;
                    let occ = sp.get("occu").map(number).transpose()?.unwrap_or(1.0);
                    pairs.push((el.to_string(), occ));
                }
            }
            Ok(pairs)
        }
        other => Err(format!("expected a formula or a structure, got {}", kind(other))),
    }
}

#[allow(clippy::too_many_arguments)]
fn make_row(index: usize, id: Option<String>, key: &str, comp: &Value, target: &str, unit: &str, value: &Value, file: &str) -> Result<Row> {
    let label = match &id {
        Some(id) => format!("#{index} ({id})"),
        None => format!("#{index}"),
    };
    let bad = |field: &str, reason: &str| malformed(Source::Matbench, file, &label, field, reason);
    let fr = pairs_of(comp).and_then(|p| composition::fractions(&p)).map_err(|e| bad(key, &e))?;
    let x = number(value).map_err(|e| bad(target, &e))?;
    let formula = comp.as_str().map(str::to_string).unwrap_or_else(|| crate::design::formula(&fr));
    let mut features = composition_features(&fr);
    features.push(Feature::new(target, x, unit, Scale::Target));
    Ok(Row {
        material: id.unwrap_or_else(|| format!("matbench-{index}")),
        class: "matbench".into(),
        ids: vec![("formula".into(), formula), ("source".into(), "matbench".into())],
        features,
    })
}

pub(crate) fn rows(text: &str, file: &str, options: &ImportOptions) -> Result<Vec<Row>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        json_rows(text, file, options)
    } else {
        csv_rows(text, file, options)
    }
}

fn csv_rows(text: &str, file: &str, options: &ImportOptions) -> Result<Vec<Row>> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| malformed(Source::Matbench, file, "header", "-", &e.to_string()))?.clone();
    if headers.len() != 2 {
        return Err(malformed(Source::Matbench, file, "header", "-", &format!("expected two columns (formula,target), got {}: {:?}", headers.len(), headers.iter().collect::<Vec<_>>())));
    }
    let key = headers[0].to_string();
    let target = headers[1].to_string();
    let unit = unit_for(&target, options, file)?;
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| malformed(Source::Matbench, file, &format!("#{i}"), "-", &e.to_string()))?;
        if rec.len() != 2 {
            return Err(malformed(Source::Matbench, file, &format!("#{i}"), "-", &format!("expected 2 fields, got {}", rec.len())));
        }
        out.push(make_row(i, None, &key, &Value::String(rec[0].to_string()), &target, &unit, &Value::String(rec[1].to_string()), file)?);
    }
    Ok(out)
}

fn json_rows(text: &str, file: &str, options: &ImportOptions) -> Result<Vec<Row>> {
    let doc: Value = serde_json::from_str(text).map_err(|e| malformed(Source::Matbench, file, "-", "-", &format!("not JSON: {e}")))?;
    let mut out = Vec::new();
    match &doc {
        Value::Object(m) if m.contains_key("columns") && m.contains_key("data") => {
            let cols = m["columns"].as_array().ok_or_else(|| malformed(Source::Matbench, file, "-", "columns", "expected a list of column names"))?;
            let names: Vec<String> = cols.iter().map(|c| c.as_str().map(str::to_string).ok_or_else(|| malformed(Source::Matbench, file, "-", "columns", "column names must be texts"))).collect::<Result<_>>()?;
            if names.len() != 2 {
                return Err(malformed(Source::Matbench, file, "-", "columns", &format!("expected two columns (composition or structure, target), got {names:?}")));
            }
            let unit = unit_for(&names[1], options, file)?;
            let data = m["data"].as_array().ok_or_else(|| malformed(Source::Matbench, file, "-", "data", "expected a list of rows"))?;
            let index = m.get("index").and_then(Value::as_array);
            for (i, r) in data.iter().enumerate() {
                let id = index.and_then(|ix| ix.get(i)).and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
                let label = || format!("#{i}");
                let pair = r.as_array().filter(|a| a.len() == 2).ok_or_else(|| malformed(Source::Matbench, file, &label(), "data", &format!("expected a [{}, {}] pair, got {}", names[0], names[1], kind(r))))?;
                out.push(make_row(i, id, &names[0], &pair[0], &names[1], &unit, &pair[1], file)?);
            }
        }
        Value::Array(list) => {
            for (i, r) in list.iter().enumerate() {
                let m = r.as_object().ok_or_else(|| malformed(Source::Matbench, file, &format!("#{i}"), "-", "a record must be a JSON object"))?;
                let key = FORMULA_KEYS.iter().find(|k| m.contains_key(**k)).ok_or_else(|| malformed(Source::Matbench, file, &format!("#{i}"), "composition", "no composition, formula or structure field"))?;
                let others: Vec<&String> = m.keys().filter(|k| k.as_str() != *key).collect();
                if others.len() != 1 {
                    return Err(malformed(Source::Matbench, file, &format!("#{i}"), "-", &format!("expected one target field beside {key}, got {others:?}")));
                }
                let target = others[0].as_str();
                let unit = unit_for(target, options, file)?;
                out.push(make_row(i, None, key, &m[*key], target, &unit, &m[target], file)?);
            }
        }
        _ => return Err(malformed(Source::Matbench, file, "-", "-", "expected a matbench JSON (columns/index/data) or a list of records")),
    }
    Ok(out)
}

//! Experimental anchor: measured Young's moduli of high-entropy alloys (a CSV with `formula`,
//! `phases`, `youngs_modulus_exp_GPa`, `test_temperature_C`, `doi`; shipped for the benchmark as
//! `shared/datasets/experimental/hea_youngs_modulus.csv`, from Borg et al., Sci. Data 7, 430
//! (2020)). The alloys whose elements all lie inside the Zhou 2004 EAM element set and whose
//! phase is a single fcc or bcc solid solution are described like the alloy class (same
//! potential, microstructure and temperatures) and their E compared with the measurement.
//! The product never needs this file: the benchmark reads it from the path it is given.

use crate::dataset::{build_sources, BuildOptions};
use crate::error::{invalid, io, Result};
use scalebridge_features::design::MaterialSource;
use scalebridge_store::Store;
use serde_json::{json, Value};
use std::path::Path;

/// One measured alloy.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub formula: String,
    pub composition: Vec<(String, f64)>,
    pub phases: String,
    pub e_gpa: f64,
    pub doi: String,
}

/// Element symbols and amounts of a formula like `Al0.5Co1Cr1Fe1Ni1` (amount 1 when left out).
pub fn parse_formula(f: &str) -> Result<Vec<(String, f64)>> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let c: Vec<char> = f.trim().chars().collect();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_uppercase() {
            return Err(invalid("formula", f, &format!("expected an element symbol at character {}", i + 1)));
        }
        let mut sym = c[i].to_string();
        i += 1;
        while i < c.len() && c[i].is_ascii_lowercase() {
            sym.push(c[i]);
            i += 1;
        }
        let start = i;
        while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
            i += 1;
        }
        let num: String = c[start..i].iter().collect();
        let x = if num.is_empty() { 1.0 } else { num.parse::<f64>().map_err(|_| invalid("formula", f, &format!("bad amount {num:?}")))? };
        match out.iter_mut().find(|e| e.0 == sym) {
            Some(e) => e.1 += x,
            None => out.push((sym, x)),
        }
    }
    let total: f64 = out.iter().map(|e| e.1).sum();
    if out.is_empty() || total <= 0.0 {
        return Err(invalid("formula", f, "has no elements"));
    }
    Ok(out.into_iter().map(|(e, x)| (e, x / total)).collect())
}

/// Read the measured alloys (rows with an unreadable formula or modulus are errors naming the row).
pub fn read_csv(path: &Path) -> Result<Vec<Measured>> {
    let mut rd = csv::Reader::from_path(path).map_err(|e| invalid("experimental dataset", path.display(), &e.to_string()))?;
    let headers = rd.headers().map_err(|e| invalid("experimental dataset", path.display(), &e.to_string()))?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).ok_or_else(|| invalid("experimental dataset", path.display(), &format!("has no column `{n}`")));
    let (cf, cp, ce) = (col("formula")?, col("phases")?, col("youngs_modulus_exp_GPa")?);
    let cd = headers.iter().position(|h| h == "doi");
    let mut out = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| invalid("experimental dataset", path.display(), &e.to_string()))?;
        let formula = rec.get(cf).unwrap_or_default().to_string();
        let e_gpa: f64 = rec.get(ce).unwrap_or_default().trim().parse().map_err(|_| invalid(&format!("{} row {}", path.display(), i + 2), rec.get(ce).unwrap_or_default(), "youngs_modulus_exp_GPa is not a number"))?;
        out.push(Measured { composition: parse_formula(&formula)?, formula, phases: rec.get(cp).unwrap_or_default().to_string(), e_gpa, doi: cd.and_then(|c| rec.get(c)).unwrap_or_default().to_string() });
    }
    Ok(out)
}

/// Elements of the Zhou 2004 EAM generator.
pub fn zhou_elements() -> Vec<String> {
    scalebridge_md::potentials::zhou2004::parameter_table().map(|t| t.into_iter().map(|p| p.element).collect()).unwrap_or_default()
}

/// The lattice of a single-phase measurement (`FCC` → fcc, `BCC` → bcc), else why not.
pub fn lattice_of(phases: &str) -> std::result::Result<&'static str, String> {
    match phases.trim().to_ascii_uppercase().as_str() {
        "FCC" => Ok("fcc"),
        "BCC" => Ok("bcc"),
        other => Err(format!("phase {other:?} is not a single fcc or bcc solid solution")),
    }
}

/// Which measured alloys can be described, and why the others cannot.
pub fn select(rows: &[Measured], elements: &[String]) -> (Vec<(Measured, &'static str)>, Vec<(String, String)>) {
    let (mut ok, mut skipped) = (Vec::new(), Vec::new());
    for r in rows {
        let outside: Vec<&str> = r.composition.iter().map(|e| e.0.as_str()).filter(|e| !elements.iter().any(|z| z == e)).collect();
        if !outside.is_empty() {
            skipped.push((r.formula.clone(), format!("{} outside the Zhou 2004 element set", outside.join(", "))));
            continue;
        }
        match lattice_of(&r.phases) {
            Ok(l) => ok.push((r.clone(), l)),
            Err(why) => skipped.push((r.formula.clone(), why)),
        }
    }
    (ok, skipped)
}

/// The anchor section: describe the selectable alloys like `template` (a material dictionary
/// of the alloy design: potential, microstructure, temperatures) and compare E.
pub fn anchor(path: &Path, template: Option<&Value>, store: &Store, opts: &BuildOptions, log: &mut dyn FnMut(&str)) -> Result<Value> {
    if !path.is_file() {
        return Err(io(path, std::io::Error::new(std::io::ErrorKind::NotFound, "experimental dataset not found")));
    }
    let rows = read_csv(path)?;
    let (ok, skipped) = select(&rows, &zhou_elements());
    let mut outside_counts: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, why) in &skipped {
        if let Some(list) = why.strip_suffix(" outside the Zhou 2004 element set") {
            for e in list.split(", ") {
                *outside_counts.entry(e.to_string()).or_default() += 1;
            }
        }
    }
    let mut compared = Vec::new();
    if let (Some(t), false) = (template, ok.is_empty()) {
        let list: Vec<MaterialSource> = ok
            .iter()
            .map(|(m, lat)| {
                let mut v = t.clone();
                let name = format!("exp-{}-{lat}", m.formula);
                v["name"] = json!(name);
                v["class"] = json!("alloy");
                v["phase"][0]["name"] = json!("alloy");
                v["phase"][0]["structure"]["lattice"] = json!(lat);
                v["phase"][0]["structure"]["elements"] = Value::Object(m.composition.iter().map(|(e, x)| (e.clone(), json!(x))).collect());
                MaterialSource::Dict { name, value: v }
            })
            .collect();
        let data = build_sources("anchor", &list, Path::new("."), store, opts, log)?;
        for rec in &data.records {
            let Some((m, lat)) = ok.iter().find(|(m, l)| rec.label == format!("exp-{}-{l}", m.formula)) else { continue };
            let e = rec.hot["properties"]["E_GPa"]["value"].as_f64();
            compared.push(json!({"formula": m.formula, "lattice": lat, "E_exp_GPa": m.e_gpa, "E_md_GPa": e, "E_md_stderr_GPa": rec.hot["properties"]["E_GPa"]["stderr"], "doi": m.doi}));
        }
        for (m, why) in &data.failures {
            compared.push(json!({"formula": m, "failed": why}));
        }
    }
    let errs: Vec<f64> = compared.iter().filter_map(|c| Some((c["E_md_GPa"].as_f64()? - c["E_exp_GPa"].as_f64()?).abs())).collect();
    Ok(json!({
        "source": "Borg et al., Sci. Data 7, 430 (2020) (the dataset file given by --experimental)",
        "file": path.display().to_string(),
        "rows": rows.len(),
        "inside_zhou_set_single_phase": ok.len(),
        "transfer_to_measured": if ok.is_empty() { json!("impossible with this potential family: no measured alloy lies inside the Zhou 2004 element set as a single fcc/bcc phase (simulated -> measured transfer is made on the pure elements instead: element_anchor.transfer)") } else { Value::Null },
        "compared": compared,
        "mae_GPa": if errs.is_empty() { Value::Null } else { json!(errs.iter().sum::<f64>() / errs.len() as f64) },
        "skipped_rows": skipped.len(),
        "elements_outside_zhou_set": outside_counts,
        "skipped": skipped.iter().map(|(f, w)| json!({"formula": f, "reason": w})).collect::<Vec<_>>(),
    }))
}

//! Pure-element experimental anchor: the measured Young's modulus, melting point and thermal
//! conductivity of the elements of the Zhou 2004 EAM set (a CSV with `element`, `lattice`,
//! `youngs_modulus_GPa`, `melting_point_K`, `thermal_conductivity_W_mK`, `source`; shipped as
//! `examples/benchmark/pure_elements.csv`, written from pymatgen's element data by
//! `scripts/export_element_data.py`). Each element is described like the alloy class (same
//! potential generator, microstructure, temperatures and preset) in its room-temperature
//! lattice, and the report compares
//! - the simulation with the measurement (`md_vs_measured`), target by target, and
//! - simulated → measured transfer (`transfer`): every model trained on the alloy class's
//!   simulated targets and asked for the measured values of the elements inside the alloy
//!   design's element set, beside the simulation itself and the training mean.
//!
//! A classical EAM potential has no conduction electrons: its κ is the lattice part only, one to
//! two orders of magnitude below a metal's measured κ, so κ is listed but never expected to agree.

use crate::dataset::{build_sources, BuildOptions, ClassData, Record};
use crate::error::{invalid, io, Result};
use crate::evaluate::metrics_json;
use crate::models::{ClassTable, MODELS, TARGETS};
use scalebridge_features::design::MaterialSource;
use scalebridge_store::Store;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// One element's measurements (NaN where the source has none).
#[derive(Debug, Clone, PartialEq)]
pub struct ElementMeasured {
    pub element: String,
    /// Room-temperature crystal structure (`fcc`, `bcc`, `hcp`).
    pub lattice: String,
    pub e_gpa: f64,
    pub t_m_k: f64,
    pub kappa_w_mk: f64,
    pub source: String,
}

impl ElementMeasured {
    /// The measured value of a report target.
    pub fn target(&self, name: &str) -> f64 {
        match name {
            "E_GPa" => self.e_gpa,
            "T_transition_K" => self.t_m_k,
            "kappa_W_mK" => self.kappa_w_mk,
            _ => f64::NAN,
        }
    }
    /// Label of its description.
    pub fn label(&self) -> String {
        format!("element-{}-{}", self.element, self.lattice)
    }
}

/// Where a classical potential cannot be expected to agree with the measurement, per target.
pub const EXPECTATIONS: [(&str, &str); 3] = [
    ("E_GPa", "expected within tens of per cent: the Zhou 2004 potentials were fitted to each element's lattice constant, elastic constants and bulk modulus; E here is the homogenised random polycrystal at 300 K"),
    ("T_transition_K", "expected within ~10-30 %: melting points were not fitted; EAM potentials of this family misplace some elements' T_m by hundreds of K (hcp/bcc elements and those with directional bonding the most)"),
    ("kappa_W_mK", "not expected to agree: an EAM potential carries no conduction electrons, so its Green-Kubo kappa is the lattice part only, one to two orders of magnitude below a metal's measured (electronic) kappa"),
];

fn num(rec: &csv::StringRecord, c: Option<usize>) -> f64 {
    c.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty()).and_then(|s| s.parse().ok()).unwrap_or(f64::NAN)
}

/// Read the element table; a missing column, an unknown lattice or an unreadable number is an
/// error naming the file and row.
pub fn read_csv(path: &Path) -> Result<Vec<ElementMeasured>> {
    let what = "element data";
    let mut rd = csv::Reader::from_path(path).map_err(|e| invalid(what, path.display(), &e.to_string()))?;
    let headers = rd.headers().map_err(|e| invalid(what, path.display(), &e.to_string()))?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let need = |n: &str| col(n).ok_or_else(|| invalid(what, path.display(), &format!("has no column `{n}`")));
    let (ce, cl) = (need("element")?, need("lattice")?);
    let cols = [need("youngs_modulus_GPa")?, need("melting_point_K")?, need("thermal_conductivity_W_mK")?];
    let cs = col("source");
    let mut out = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let row = format!("{} row {}", path.display(), i + 2);
        let rec = rec.map_err(|e| invalid(what, &row, &e.to_string()))?;
        let element = rec.get(ce).unwrap_or_default().trim().to_string();
        if element.is_empty() || !element.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(invalid(&row, &element, "is not an element symbol"));
        }
        let lattice = rec.get(cl).unwrap_or_default().trim().to_ascii_lowercase();
        if !["fcc", "bcc", "hcp"].contains(&lattice.as_str()) {
            return Err(invalid(&row, &lattice, "lattice must be fcc, bcc or hcp"));
        }
        for &c in &cols {
            let text = rec.get(c).unwrap_or_default().trim();
            if !text.is_empty() && !text.parse::<f64>().is_ok_and(|v| v.is_finite() && v > 0.0) {
                return Err(invalid(&row, text, &format!("{} is not a positive number", &headers[c])));
            }
        }
        out.push(ElementMeasured {
            element,
            lattice,
            e_gpa: num(&rec, Some(cols[0])),
            t_m_k: num(&rec, Some(cols[1])),
            kappa_w_mk: num(&rec, Some(cols[2])),
            source: cs.and_then(|c| rec.get(c)).unwrap_or_default().to_string(),
        });
    }
    Ok(out)
}

/// The anchor section: describe the elements of `path` that the Zhou generator covers like
/// `template` (a material dictionary of the alloy design; 13-29 s per element with the quick
/// preset on one core), then [`compare`] (its model fits on `pool`).
#[allow(clippy::too_many_arguments)]
pub fn element_anchor(path: &Path, template: &Value, alloy: Option<&ClassData>, store: &Store, opts: &BuildOptions, seed: u64, pool: &rayon::ThreadPool, log: &mut dyn FnMut(&str)) -> Result<Value> {
    if !path.is_file() {
        return Err(io(path, std::io::Error::new(std::io::ErrorKind::NotFound, "element data not found")));
    }
    let rows = read_csv(path)?;
    let zhou = crate::anchor::zhou_elements();
    let mut left_out = Vec::new();
    let mut chosen = Vec::new();
    for r in &rows {
        if !zhou.contains(&r.element) {
            left_out.push(json!({"element": r.element, "reason": "outside the Zhou 2004 element set"}));
        } else {
            chosen.push(r.clone());
        }
    }
    let list: Vec<MaterialSource> = chosen
        .iter()
        .map(|m| {
            let mut v = template.clone();
            v["name"] = json!(m.label());
            v["class"] = json!("metal");
            v["phase"][0]["name"] = json!(m.element);
            v["phase"][0]["structure"]["lattice"] = json!(m.lattice);
            v["phase"][0]["structure"]["elements"] = json!({ m.element.clone(): 1.0 });
            MaterialSource::Dict { name: m.label(), value: v }
        })
        .collect();
    let data = build_sources("element-anchor", &list, Path::new("."), store, opts, log)?;
    let described: Vec<(ElementMeasured, &Record)> = chosen.iter().filter_map(|m| data.records.iter().find(|r| r.label == m.label()).map(|r| (m.clone(), r))).collect();
    // (the describes run on their own threads; the model fits on `pool`, like the classes')
    let mut out = pool.install(|| compare(&described, alloy, seed, opts.quick))?;
    let failed: Vec<Value> = data.failures.iter().map(|(m, why)| json!({"material": m, "failed": why})).collect();
    out["file"] = json!(path.display().to_string());
    out["source"] = json!(rows.first().map(|r| r.source.clone()).unwrap_or_default());
    out["rows"] = json!(rows.len());
    out["failed"] = json!(failed);
    out["left_out"] = json!(left_out);
    Ok(out)
}

/// Signed and absolute errors of `pred` against `meas` where both are finite.
fn against(meas: &[f64], pred: &[f64]) -> Option<Value> {
    let (y, p): (Vec<f64>, Vec<f64>) = meas.iter().zip(pred).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).unzip();
    if y.is_empty() {
        return None;
    }
    let mut m = metrics_json(&y, &p);
    m["mean_signed_error"] = json!(p.iter().zip(&y).map(|(a, b)| a - b).sum::<f64>() / y.len() as f64);
    m["mean_abs_relative_error"] = json!(p.iter().zip(&y).map(|(a, b)| ((a - b) / b).abs()).sum::<f64>() / y.len() as f64);
    Some(m)
}

/// The comparison of described elements with their measurements, and the simulated → measured
/// transfer from the alloy class (`alloy`; left out when `None` or it has too few rows).
pub fn compare(described: &[(ElementMeasured, &Record)], alloy: Option<&ClassData>, seed: u64, quick: bool) -> Result<Value> {
    let md = |r: &Record, t: &str| r.hot["properties"][t]["value"].as_f64().unwrap_or(f64::NAN);
    let compared: Vec<Value> = described
        .iter()
        .map(|(m, r)| {
            let mut c = json!({"element": m.element, "lattice": m.lattice});
            for (t, _) in TARGETS {
                // (serde_json writes a non-finite number as null)
                c[format!("{t}_measured")] = json!(m.target(t));
                c[format!("{t}_md")] = json!(md(r, t));
            }
            c
        })
        .collect();
    let mut md_vs = Map::new();
    for (t, unit) in TARGETS {
        let y: Vec<f64> = described.iter().map(|(m, _)| m.target(t)).collect();
        let p: Vec<f64> = described.iter().map(|(_, r)| md(r, t)).collect();
        let mut e = against(&y, &p).unwrap_or_else(|| json!({"skipped": "no element has both a simulated and a measured value"}));
        e["unit"] = json!(unit);
        e["expectation"] = json!(EXPECTATIONS.iter().find(|x| x.0 == t).map_or("", |x| x.1));
        md_vs.insert(t.to_string(), e);
    }
    let transfer = match alloy {
        None => json!({"skipped": "the alloy class was not evaluated in this run"}),
        Some(a) => sim_to_measured(described, a, seed, quick)?,
    };
    Ok(json!({
        "compared": compared,
        "md_vs_measured": md_vs,
        "transfer": transfer,
    }))
}

/// Models trained on the alloy class's simulated targets, tested on the measured elements that
/// lie inside the alloy class's element set (the others would be composition extrapolation).
fn sim_to_measured(described: &[(ElementMeasured, &Record)], alloy: &ClassData, seed: u64, quick: bool) -> Result<Value> {
    let alloy_elements: BTreeSet<String> = alloy.records.iter().flat_map(|r| crate::models::composition_of(&r.cold).into_iter().map(|e| e.0)).collect();
    let inside: Vec<&(ElementMeasured, &Record)> = described.iter().filter(|(m, _)| alloy_elements.contains(&m.element)).collect();
    if inside.is_empty() {
        return Ok(json!({"skipped": "no described element lies inside the alloy class's element set"}));
    }
    let records: Vec<&Record> = alloy.records.iter().chain(inside.iter().map(|(_, r)| *r)).collect();
    let n_alloy = alloy.records.len();
    let table = ClassTable::from_records(&records)?;
    let (cols, features) = crate::transfer::model_columns(&table);
    let mut per_target = Map::new();
    for (t, _) in TARGETS {
        let y_sim = table.target(t);
        let train: Vec<usize> = (0..n_alloy).filter(|&i| y_sim[i].is_finite()).collect();
        let test: Vec<usize> = (0..inside.len()).filter(|&j| inside[j].0.target(t).is_finite()).collect();
        if train.len() < 4 || test.is_empty() {
            per_target.insert(t.into(), json!({"skipped": format!("{} simulated alloys and {} measured elements have {t} (at least 4 and 1 needed)", train.len(), test.len())}));
            continue;
        }
        let ytr: Vec<f64> = train.iter().map(|&i| y_sim[i]).collect();
        let yte: Vec<f64> = test.iter().map(|&j| inside[j].0.target(t)).collect();
        let rows: Vec<usize> = test.iter().map(|&j| n_alloy + j).collect();
        let mut entry = Map::new();
        let mean = ytr.iter().sum::<f64>() / ytr.len() as f64;
        entry.insert("train_mean".into(), against(&yte, &vec![mean; yte.len()]).unwrap_or(Value::Null));
        let md_pred: Vec<f64> = rows.iter().map(|&i| y_sim[i]).collect();
        entry.insert("md".into(), against(&yte, &md_pred).unwrap_or_else(|| json!({"skipped": "no element has a simulated value"})));
        for (model, c) in MODELS.iter().zip(&cols) {
            let m = match crate::transfer::fit_predict(model, c, &table, &train, &ytr, &rows, seed, quick)? {
                Ok(p) => {
                    let mut m = against(&yte, &p).unwrap_or(Value::Null);
                    m["n_train"] = json!(ytr.len());
                    m["predictions"] = json!(test.iter().zip(&p).map(|(&j, v)| json!({"element": inside[j].0.element, "predicted": v, "measured": inside[j].0.target(t)})).collect::<Vec<_>>());
                    m
                }
                Err(skipped) => skipped,
            };
            entry.insert(model.to_string(), m);
        }
        per_target.insert(t.into(), Value::Object(entry));
    }
    Ok(json!({
        "trained_on": format!("alloy class, simulated targets ({n_alloy} materials)"),
        "tested_on": inside.iter().map(|(m, _)| m.element.clone()).collect::<Vec<_>>(),
        "features": features,
        "reference": "md: the simulation of the element itself; train_mean: the simulated alloys' mean",
        "per_target": per_target,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{class_of, record};

    fn measured(el: &str, e: f64, t: f64) -> ElementMeasured {
        ElementMeasured { element: el.into(), lattice: "fcc".into(), e_gpa: e, t_m_k: t, kappa_w_mk: f64::NAN, source: "test".into() }
    }

    #[test]
    fn the_csv_is_read_and_bad_rows_are_named() {
        let dir = std::env::temp_dir().join(format!("scalebridge-elements-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("e.csv");
        std::fs::write(&p, "element,lattice,youngs_modulus_GPa,melting_point_K,thermal_conductivity_W_mK,source\nCu,fcc,130,1357.77,400,x\nZr,HCP,68,2128,,x\n").unwrap();
        let rows = read_csv(&p).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].lattice, "hcp");
        assert!(rows[1].kappa_w_mk.is_nan());
        assert_eq!(rows[0].target("T_transition_K"), 1357.77);
        std::fs::write(&p, "element,lattice,youngs_modulus_GPa,melting_point_K,thermal_conductivity_W_mK\nCu,fcc,-1,1357,400\n").unwrap();
        let e = read_csv(&p).unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("youngs_modulus_GPa"), "{e}");
        std::fs::write(&p, "element,lattice,youngs_modulus_GPa,melting_point_K,thermal_conductivity_W_mK\nCu,diamond,1,1,1\n").unwrap();
        assert!(read_csv(&p).unwrap_err().to_string().contains("fcc, bcc or hcp"));
        std::fs::write(&p, "element,lattice,melting_point_K\nCu,fcc,1\n").unwrap();
        assert!(read_csv(&p).unwrap_err().to_string().contains("youngs_modulus_GPa"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_shipped_table_covers_the_zhou_set_with_all_three_measurements() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/benchmark/pure_elements.csv");
        let rows = read_csv(&p).unwrap();
        let zhou = crate::anchor::zhou_elements();
        assert_eq!(rows.len(), zhou.len());
        for r in &rows {
            assert!(zhou.contains(&r.element), "{}", r.element);
            assert!(r.e_gpa > 0.0 && r.t_m_k > 0.0 && r.kappa_w_mk > 0.0, "{r:?}");
        }
        let cu = rows.iter().find(|r| r.element == "Cu").unwrap();
        assert_eq!((cu.lattice.as_str(), cu.e_gpa, cu.t_m_k), ("fcc", 130.0, 1357.77));
    }

    #[test]
    fn md_is_compared_and_alloy_models_transfer_to_measured_elements_inside_the_alloy_set() {
        // simulated alloys whose E is 0.9 x the 0 K modulus; "measured" elements follow the same
        // law, so a model of the 0 K modulus predicts them and the training mean cannot
        let alloy = class_of("alloy", 24, &["Ni", "Cu"], |i| 60.0 + 10.0 * i as f64);
        let els = [("Ni", 100.0), ("Cu", 240.0), ("Ag", 150.0)];
        let recs: Vec<Record> = els.iter().enumerate().map(|(i, (el, e0))| record("element", i, &[el], *e0)).collect();
        let described: Vec<(ElementMeasured, &Record)> = els.iter().zip(&recs).map(|((el, e0), r)| (measured(el, 0.9 * e0 + 5.0, 1000.0), r)).collect();
        let out = compare(&described, Some(&alloy), 2, true).unwrap();
        let e = &out["md_vs_measured"]["E_GPa"];
        assert_eq!(e["n"], 3, "{e}");
        assert!((e["mae"].as_f64().unwrap() - 5.0).abs() < 1e-9, "{e}");
        assert!((e["mean_signed_error"].as_f64().unwrap() + 5.0).abs() < 1e-9, "{e}");
        // no simulated T for these records: nothing to compare, null in the table
        assert!(out["md_vs_measured"]["T_transition_K"]["skipped"].is_string());
        assert!(out["compared"][0]["T_transition_K_md"].is_null() && out["compared"][0]["kappa_W_mK_measured"].is_null(), "{}", out["compared"]);
        assert_eq!(out["compared"][0]["E_GPa_measured"], json!(95.0));
        assert!(out["md_vs_measured"]["kappa_W_mK"]["expectation"].as_str().unwrap().contains("electron"));
        let tr = &out["transfer"];
        // Ag is outside the alloy class's elements: not a test point
        assert_eq!(tr["tested_on"], json!(["Ni", "Cu"]), "{tr}");
        let te = &tr["per_target"]["E_GPa"];
        assert_eq!(te["fused_gbm"]["n_train"], 24, "{te}");
        assert_eq!(te["fused_gbm"]["n"], 2, "{te}");
        let (fused, base) = (te["fused_gbm"]["mae"].as_f64().unwrap(), te["train_mean"]["mae"].as_f64().unwrap());
        assert!(fused < 0.5 * base, "fused {fused} vs training mean {base}");
        assert_eq!(te["fused_gbm"]["predictions"].as_array().unwrap().len(), 2);
        assert!((te["md"]["mae"].as_f64().unwrap() - 5.0).abs() < 1e-9, "{te}");
        // no alloy class: transfer skipped, comparison still made
        let none = compare(&described, None, 2, true).unwrap();
        assert!(none["transfer"]["skipped"].is_string());
    }
}

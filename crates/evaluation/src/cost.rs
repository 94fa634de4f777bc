//! Cost: simulation seconds per material per property (the wall times of the stages that
//! computed it, from the descriptions' provenance) against surrogate predictions per second.

use crate::dataset::ClassData;
use crate::error::Result;
use crate::models::{model_kind, ClassTable};
use scalebridge_features::Scale;
use serde_json::{json, Value};

/// Which property a describe stage is paid for: E (finite-T elastic), κ (Green–Kubo),
/// T_transition (melting), or the cheap descriptors (structure, 0 K statics, bridge,
/// homogenisation).
pub fn stage_property(stage: &str) -> &'static str {
    if stage.contains("/green_kubo/") {
        "kappa_W_mK"
    } else if stage.contains("/melting") || stage.contains("/melt_structure") || stage.contains("/glass") {
        "T_transition_K"
    } else if stage.contains("/elastic/") && !stage.ends_with("/static") {
        "E_GPa"
    } else {
        "descriptors"
    }
}

/// Seconds per property of one material (stages computed, not read from a store, in any of its
/// descriptions); `None` when every stage was read from a store (no timing known).
pub fn material_seconds(docs: &[&Value]) -> Option<std::collections::BTreeMap<&'static str, f64>> {
    material_seconds_of(docs, "wall_s")
}

/// As [`material_seconds`], summing the stage records' field `key` (`"wall_s"` or `"cpu_s"`,
/// the process CPU seconds; stages without it count 0).
pub fn material_seconds_of(docs: &[&Value], key: &str) -> Option<std::collections::BTreeMap<&'static str, f64>> {
    let mut out = std::collections::BTreeMap::new();
    let mut any = false;
    let mut seen = std::collections::HashSet::new();
    for d in docs {
        for s in d["provenance"]["stages"].as_array().into_iter().flatten() {
            if s["cached"].as_bool().unwrap_or(true) || !seen.insert(s["key"].as_str().unwrap_or_default().to_string()) {
                continue;
            }
            any = true;
            *out.entry(stage_property(s["stage"].as_str().unwrap_or_default())).or_insert(0.0) += s[key].as_f64().unwrap_or(0.0);
        }
    }
    any.then_some(out)
}

/// The cost section of one class.
pub fn class_cost(data: &ClassData, table: &ClassTable, seed: u64) -> Result<Value> {
    let mut sums: std::collections::BTreeMap<&'static str, Vec<f64>> = Default::default();
    let mut cpu: std::collections::BTreeMap<&'static str, Vec<f64>> = Default::default();
    let mut timed = 0;
    for r in &data.records {
        let has_cpu = [&r.cold, &r.hot].iter().any(|d| d["provenance"]["stages"].as_array().is_some_and(|a| a.iter().any(|s| s["cpu_s"].is_number())));
        if let (true, Some(m)) = (has_cpu, material_seconds_of(&[&r.cold, &r.hot], "cpu_s")) {
            for k in ["descriptors", "E_GPa", "kappa_W_mK", "T_transition_K"] {
                cpu.entry(k).or_default().push(m.get(k).copied().unwrap_or(0.0));
            }
        }
        if let Some(m) = material_seconds(&[&r.cold, &r.hot]) {
            timed += 1;
            for k in ["descriptors", "E_GPa", "kappa_W_mK", "T_transition_K"] {
                sums.entry(k).or_default().push(m.get(k).copied().unwrap_or(0.0));
            }
        }
    }
    let sim_cpu: serde_json::Map<String, Value> = cpu.iter().map(|(k, v)| (k.to_string(), json!(crate::metrics::mean_std(v).0))).collect();
    let sim: serde_json::Map<String, Value> = sums.iter().map(|(k, v)| (k.to_string(), json!(crate::metrics::mean_std(v).0))).collect();
    // surrogate throughput: fused_gbm fitted on the class, predicting a tiled matrix
    let cols = table.columns(&Scale::FEATURES);
    let y = table.target(crate::models::TARGETS[0].0);
    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i].is_finite()).collect();
    let mut per_s = Value::Null;
    if rows.len() >= 2 && !cols.is_empty() {
        if let Ok(kind) = model_kind("fused_gbm", seed, true, &cols) {
            let x = table.matrix(&cols, &rows)?;
            let ys: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
            let m = kind.fit(&x, &ys)?;
            let reps = (20_000 / rows.len()).max(1);
            let tiled: Vec<usize> = (0..reps).flat_map(|_| 0..rows.len()).collect();
            let big = x.select_rows(&tiled);
            let t0 = std::time::Instant::now();
            let _ = m.predict_with_std(&big)?;
            let dt = t0.elapsed().as_secs_f64().max(1e-9);
            per_s = json!(big.n_rows as f64 / dt);
        }
    }
    let speedup: serde_json::Map<String, Value> = sums
        .iter()
        .filter(|(k, _)| **k != "descriptors")
        .map(|(k, v)| {
            let s = crate::metrics::mean_std(v).0;
            (k.to_string(), per_s.as_f64().map_or(Value::Null, |p| json!(s * p)))
        })
        .collect();
    Ok(json!({
        "materials_timed": timed,
        "simulation_s_per_material": sim,
        "simulation_cpu_s_per_material": sim_cpu,
        "materials_cpu_timed": cpu.values().next().map_or(0, Vec::len),
        "surrogate": "fused_gbm",
        "surrogate_predictions_per_s": per_s,
        "speedup_per_property": speedup,
        "note": "simulation seconds: wall time of the stages computed for each material (stages read from a store are not counted); simulation CPU seconds: the process CPU time of the same stages (every thread; with --jobs > 1 a stage's CPU time also holds the concurrent describes' work, so only the sum over materials is exact); speed-up = simulation seconds per material × predictions per second; the surrogate still needs the cheap descriptors (the `descriptors` seconds)"
    }))
}

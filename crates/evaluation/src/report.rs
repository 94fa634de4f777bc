//! The benchmark run and its report: `report.json` (`per_class[class][target][model]` =
//! `{mae, rmse, r2, n}` of k-fold cross-validation, or `{skipped}`; a class that cannot be
//! described is `{"skipped": reason}`) and `report.html` (tables and the parity plots drawn by
//! `scalebridge_ml::plot`, the plotting code of the campaign report), both written atomically.

use crate::dataset::{build_class, campaign_name, BuildOptions};
use crate::error::{io, storage, Result};
use crate::evaluate::{evaluate_class, Oof};
use crate::models::{ClassTable, MODELS, TARGETS};
use crate::spec::{BenchmarkSpec, CLASSES};
use scalebridge_features::design::MaterialSource;
use scalebridge_store::Store;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub benchmark: PathBuf,
    pub out: PathBuf,
    pub quick: bool,
    /// Classes to run (all five when `None`).
    pub classes: Option<Vec<String>>,
    pub max_materials: Option<usize>,
    pub threads: Option<usize>,
    /// Results database URL (default `sqlite://<out>/results.db`).
    pub database: Option<String>,
    /// Measured HEA moduli (the experimental anchor); left out when `None`.
    pub experimental: Option<PathBuf>,
    /// Materials described at the same time (0 or 1: one after the other).
    pub jobs: usize,
    /// Describe again the materials whose stage failure an earlier run recorded
    /// (`--retry-failed`; by default the recorded failure is reported again, nothing computed).
    pub retry_failed: bool,
    /// Describe the stored materials again (`--refresh`; unchanged stages still come from the
    /// store, the new descriptions replace the stored ones).
    pub refresh: bool,
}

/// Parts of the issue this benchmark does not compute yet (listed in the report).
pub const NOT_DONE: [&str; 0] = [];

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

/// Run the benchmark: build (or reuse) each class's dataset, evaluate, write the reports.
/// Returns the report JSON.
pub fn run(opts: &RunOptions, log: &mut dyn FnMut(&str)) -> Result<Value> {
    let t0 = std::time::Instant::now();
    let mut spec = BenchmarkSpec::from_file(&opts.benchmark)?;
    let wanted: Vec<String> = opts.classes.clone().unwrap_or_else(|| CLASSES.iter().map(|c| c.to_string()).collect());
    spec.select(Some(&wanted))?;
    // the measurement files are read before anything is described: a bad row fails now, not
    // after hours of simulation
    if let Some(p) = &spec.element_data {
        crate::elements::read_csv(p)?;
    }
    if let Some(p) = &opts.experimental {
        crate::anchor::read_csv(p)?;
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| io(&opts.out, e))?;
    let out_abs = std::fs::canonicalize(&opts.out).map_err(|e| io(&opts.out, e))?;
    let url = opts.database.clone().unwrap_or_else(|| format!("sqlite://{}", out_abs.join("results.db").display()));
    let store = Store::open(&url).map_err(storage)?;
    let bopts = BuildOptions { quick: opts.quick, max_materials: opts.max_materials, threads: opts.threads, seed: spec.seed, jobs: opts.jobs, cache_dir: Some(out_abs.join("cache")), retry_failed: opts.retry_failed, refresh: opts.refresh };
    let (mut per_class, mut details, mut skipped, mut cost, mut datasets) = (Map::new(), Map::new(), Map::new(), Map::new(), Map::new());
    let mut oofs: Vec<(String, Oof)> = Vec::new();
    let mut evaluated: Vec<(String, crate::dataset::ClassData)> = Vec::new();
    // the model fits: tens to hundreds of rows, one thread per fit (rayon's per-tree fan-out
    // costs more than it gains on such small data, and the results do not depend on the thread
    // count)
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().map_err(|e| crate::error::invalid("thread pool", 1, &e.to_string()))?;
    for name in CLASSES.iter().filter(|c| wanted.iter().any(|w| w == *c)) {
        let Some(class) = spec.classes.iter().find(|c| c.name == *name) else {
            let why = format!("no design for class {name} in {}", opts.benchmark.display());
            per_class.insert(name.to_string(), json!({"skipped": why}));
            skipped.insert(name.to_string(), json!(why));
            continue;
        };
        log(&format!("class {name}: design {}", class.design_path.display()));
        let data = match build_class(class, &store, &bopts, log) {
            Ok(d) => d,
            Err(e) => {
                let why = format!("its design cannot be read: {e}");
                per_class.insert(name.to_string(), json!({"skipped": why}));
                skipped.insert(name.to_string(), json!(why));
                continue;
            }
        };
        let mut reasons: Vec<String> = Vec::new();
        for (_, e) in &data.failures {
            if !reasons.contains(e) && reasons.len() < 3 {
                reasons.push(e.clone());
            }
        }
        datasets.insert(name.to_string(), json!({
            "design": class.design_path.display().to_string(), "store_campaign": campaign_name(name),
            "requested": data.requested, "described": data.records.len(), "reused_from_store": data.reused(), "refreshed": data.refreshed(),
            "failed": data.failures.iter().map(|(m, e)| json!({"material": m, "reason": e})).collect::<Vec<_>>(),
            "failures_replayed": data.failures_replayed.len(),
            "materials": data.records.iter().map(|r| json!({"label": r.label, "task_hash": r.hash, "reused": r.reused, "refreshed": r.refreshed, "wall_s": r.wall_s})).collect::<Vec<_>>(),
        }));
        if data.records.len() < class.min_materials {
            let why = format!("{} of {} materials could be described (at least {} needed){}", data.records.len(), data.requested, class.min_materials, if reasons.is_empty() { String::new() } else { format!(": {}", reasons.join("; ")) });
            per_class.insert(name.to_string(), json!({"skipped": why}));
            skipped.insert(name.to_string(), json!(why));
            continue;
        }
        let table = ClassTable::from_data(&data)?;
        log(&format!("class {name}: evaluating {} materials", data.records.len()));
        let res = pool.install(|| evaluate_class(&table, spec.seed, opts.quick))?;
        per_class.insert(name.to_string(), res.per_class);
        details.insert(name.to_string(), res.details);
        cost.insert(name.to_string(), pool.install(|| crate::cost::class_cost(&data, &table, spec.seed))?);
        oofs.extend(res.oof.into_iter().map(|o| (name.to_string(), o)));
        evaluated.push((name.to_string(), data));
    }
    let transfer = {
        let refs: Vec<(String, &crate::dataset::ClassData)> = evaluated.iter().map(|(c, d)| (c.clone(), d)).collect();
        log(&format!("transfer: leave one class out over {} classes", refs.len()));
        pool.install(|| crate::transfer::leave_one_class_out(&refs, spec.seed, opts.quick))?
    };
    // the template of both anchors: the alloy design's first material dictionary (an unreadable
    // design already has the alloy class reported as skipped, with the reason)
    let template = spec.classes.iter().find(|c| c.name == "alloy").and_then(|c| c.design().ok()).and_then(|d| {
        d.materials.into_iter().find_map(|m| match m {
            MaterialSource::Dict { value, .. } => Some(value),
            MaterialSource::File(_) => None,
        })
    });
    let template = template.as_ref();
    let anchor = match &opts.experimental {
        None => json!({"skipped": "no experimental dataset given (--experimental FILE)"}),
        Some(p) => crate::anchor::anchor(p, template, &store, &bopts, log)?,
    };
    let element_anchor = match (&spec.element_data, template) {
        (None, _) => json!({"skipped": format!("the benchmark file names no element_data ({})", opts.benchmark.display())}),
        (Some(_), None) => json!({"skipped": "the alloy class is not part of this run (its design is the template of the pure-element descriptions)"}),
        (Some(p), Some(t)) => {
            let alloy = evaluated.iter().find(|(c, _)| c == "alloy").map(|(_, d)| d);
            log(&format!("element anchor: {}", p.display()));
            crate::elements::element_anchor(p, t, alloy, &store, &bopts, spec.seed, &pool, log)?
        }
    };
    let report = json!({
        "benchmark": spec.name,
        "file": opts.benchmark.display().to_string(),
        "version": env!("CARGO_PKG_VERSION"),
        "preset": if opts.quick { "quick" } else { "full" },
        "seed": spec.seed,
        "max_materials": opts.max_materials,
        "classes": wanted,
        "targets": TARGETS.iter().map(|t| json!({"name": t.0, "unit": t.1})).collect::<Vec<_>>(),
        "models": MODELS,
        "dnn_built": cfg!(feature = "dnn"),
        "database": store.url(),
        "per_class": per_class,
        "skipped_classes": skipped,
        "datasets": datasets,
        "details": details,
        "cost": cost,
        "experimental_anchor": anchor,
        "element_anchor": element_anchor,
        "transfer": transfer,
        "not_done": NOT_DONE,
        "wall_time_s": t0.elapsed().as_secs_f64(),
    });
    let text = serde_json::to_string_pretty(&report).map_err(|e| crate::error::invalid("report", "json", &e.to_string()))?;
    write_atomic(&opts.out.join("report.json"), &text)?;
    let html = crate::html::render(&report, &oofs, &opts.out)?;
    write_atomic(&opts.out.join("report.html"), &html)?;
    Ok(report)
}

/// `{:.3}` of a JSON number, `—` otherwise.
pub fn num(v: &Value) -> String {
    v.as_f64().map_or_else(|| "—".into(), |x| if x.abs() >= 1e4 || (x != 0.0 && x.abs() < 1e-3) { format!("{x:.3e}") } else { format!("{x:.3}") })
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Tables of one class's `per_class` entry (rows: targets; columns: models).
pub fn class_table(c: &Value) -> String {
    let mut h = String::from("<table><tr><th>target</th>");
    for m in MODELS {
        let _ = write!(h, "<th>{m}<br>MAE / RMSE / R² (n)</th>");
    }
    h.push_str("</tr>\n");
    for (t, unit) in TARGETS {
        let _ = write!(h, "<tr><td>{t} ({unit})</td>");
        for m in MODELS {
            let e = &c[t][m];
            if let Some(s) = e["skipped"].as_str().or_else(|| c[t]["skipped"].as_str()) {
                let _ = write!(h, "<td class=\"skip\">skipped: {}</td>", esc(s));
            } else {
                let _ = write!(h, "<td>{} / {} / {} ({})</td>", num(&e["mae"]), num(&e["rmse"]), num(&e["r2"]), e["n"]);
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    h
}

//! The dataset builder: every material of a class's design described through the pipeline's
//! `describe` (at 0 K and at the design's finite temperature), each result kept in the results
//! database under a task hash (the SHA-256 of the validated material and the preset), so a rerun
//! reuses what is stored and an interrupted run (Ctrl-C, SIGKILL) resumes: a result is written
//! in one transaction after its `describe` finished, the stages of an unfinished one are in the
//! store's stage rows (shared with campaigns), nothing is half-written. A material whose
//! describe failed is `failed` with its reason (`mark_failed`); when a stage failed
//! deterministically the pipeline also stored a failure record of that stage, so the next run
//! fails at once with the same reason (counted in [`ClassData::failures_replayed`]) unless
//! [`BuildOptions::retry_failed`]. [`BuildOptions::refresh`] describes stored materials again
//! (stages whose inputs are unchanged still come from the store) and replaces their results.

use crate::error::{invalid, storage, Result};
use crate::spec::ClassSpec;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use scalebridge_core::provenance::sha256_hex;
use scalebridge_features::design::MaterialSource;
use scalebridge_pipeline::{describe_all, DescribeOptions, Material};
use scalebridge_store::{Claim, Store};
use serde_json::{json, Value};
use std::sync::Arc;

/// Namespace of the describe stage rows (the campaign engine's: stages are shared).
pub const STAGES: &str = "describe-stages";

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The quick describe preset, and at most the class's `quick_max_materials` materials.
    pub quick: bool,
    /// At most this many materials per class (a seeded random subset of the design).
    pub max_materials: Option<usize>,
    /// MD threads of each describe (`None`: the protocols' default).
    pub threads: Option<usize>,
    /// Seed of the subset.
    pub seed: u64,
    /// Materials described at the same time (0 or 1: one after the other).
    pub jobs: usize,
    /// Root of the protocols' own resume files inside a running describe (the stages themselves
    /// go to the store); `None`: the pipeline's default (`.scalebridge-cache`).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Describe again the stages whose deterministic failure an earlier run recorded (by default
    /// such a material fails at once with the recorded error, nothing computed).
    pub retry_failed: bool,
    /// Describe every material again even when its description is stored (`--refresh`): each
    /// stage whose inputs did not change comes from the store's stage rows, the others are
    /// computed, and the new description replaces the stored one. For reruns after the
    /// pipeline changed (a new cell-size rule, a protocol fix) without losing the stages that
    /// are still valid.
    pub refresh: bool,
}

/// One described material.
#[derive(Debug, Clone)]
pub struct Record {
    pub label: String,
    pub hash: String,
    /// The 0 K description (cheap descriptors).
    pub cold: Value,
    /// The finite-temperature description (targets).
    pub hot: Value,
    /// Taken from the store (described by an earlier run).
    pub reused: bool,
    /// Described again although a description was stored (`refresh`); it replaced that one.
    pub refreshed: bool,
    /// Wall seconds of this run's describe (0 when reused).
    pub wall_s: f64,
}

/// What building a class gave.
#[derive(Debug, Clone, Default)]
pub struct ClassData {
    pub class: String,
    /// Materials the design (after the subset) asked for.
    pub requested: usize,
    pub records: Vec<Record>,
    /// (material, reason) of every material that could not be described.
    pub failures: Vec<(String, String)>,
    /// The failed materials whose failure was replayed from a stored failure record of a stage
    /// (nothing computed this run; `--retry-failed` computes them again).
    pub failures_replayed: Vec<String>,
}

impl ClassData {
    pub fn reused(&self) -> usize {
        self.records.iter().filter(|r| r.reused).count()
    }
    pub fn refreshed(&self) -> usize {
        self.records.iter().filter(|r| r.refreshed).count()
    }
}

/// The store's campaign name of a class.
pub fn campaign_name(class: &str) -> String {
    format!("benchmark-five-class/{class}")
}

/// Task hash of a validated material under a preset: the material without its name and the
/// preset's every setting (cell sizes, run lengths), so a result described with an earlier
/// version of the quick preset is not taken for one of the current preset.
pub fn task_hash(material: &Material, quick: bool) -> Result<String> {
    let mut v = serde_json::to_value(material).map_err(|e| invalid("material", &material.name, &e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.remove("name");
    }
    let preset = serde_json::to_string(&scalebridge_pipeline::preset::Preset::of(quick)).map_err(|e| invalid("preset", if quick { "quick" } else { "full" }, &e.to_string()))?;
    Ok(sha256_hex(format!("scalebridge-benchmark task v2\npreset {preset}\n{v}").as_bytes()))
}

/// The materials of a class's design after the subset (seeded, order kept).
pub fn materials(class: &ClassSpec, opts: &BuildOptions) -> Result<(Vec<MaterialSource>, std::path::PathBuf)> {
    let design = class.design()?;
    let mut cap = opts.max_materials;
    if opts.quick {
        cap = Some(cap.map_or(class.quick_max_materials, |m| m.min(class.quick_max_materials)));
    }
    let mut list = design.materials;
    if let Some(m) = cap {
        if m < list.len() {
            let mut idx: Vec<usize> = (0..list.len()).collect();
            idx.shuffle(&mut rand::rngs::StdRng::seed_from_u64(opts.seed));
            let mut keep = idx[..m].to_vec();
            keep.sort_unstable();
            list = keep.into_iter().map(|i| list[i].clone()).collect();
        }
    }
    Ok((list, design.base))
}

fn label_of(src: &MaterialSource) -> String {
    match src {
        MaterialSource::File(p) => p.file_stem().map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().into_owned()),
        MaterialSource::Dict { name, .. } => name.clone(),
    }
}

/// Split the descriptions of one material into its 0 K and its finite-temperature document.
fn cold_hot(label: &str, docs: &Value) -> std::result::Result<(Value, Value), String> {
    let list = match docs {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let t = |d: &Value| d["temperature_K"].as_f64().unwrap_or(f64::NAN);
    let cold = list.iter().find(|d| t(d) == 0.0).cloned().ok_or_else(|| format!("{label}: the design must describe every material at 0 K (temperature_K = [0, T]) for the cheap descriptors"))?;
    let hot = list.iter().filter(|d| t(d) > 0.0).max_by(|a, b| t(a).total_cmp(&t(b))).cloned().ok_or_else(|| format!("{label}: the design must describe every material at a temperature above 0 K (temperature_K = [0, T]) for the targets"))?;
    Ok((cold, hot))
}

/// Describe (or take from the store) every material of `class`. `log` receives progress lines.
pub fn build_class(class: &ClassSpec, store: &Store, opts: &BuildOptions, log: &mut dyn FnMut(&str)) -> Result<ClassData> {
    let (list, base) = materials(class, opts)?;
    build_sources(&class.name, &list, &base, store, opts, log)
}

/// What became of one material.
enum Outcome {
    Done(Record),
    /// (material, reason, replayed from a failure record)
    Failed(String, String, bool),
}

/// Describe (or take from the store) the materials `list` (relative paths against `base`) as
/// class `class_name`, `opts.jobs` at a time (each describe on its own thread; the results do
/// not depend on the number of jobs). `log` gets one line per material, in order.
pub fn build_sources(class_name: &str, list: &[MaterialSource], base: &std::path::Path, store: &Store, opts: &BuildOptions, log: &mut dyn FnMut(&str)) -> Result<ClassData> {
    let n = list.len();
    let t0 = std::time::Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Result<(String, Outcome)>>>> = std::sync::Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1).min(n.max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let r = one(class_name, i, n, &list[i], base, store, opts, t0);
                if let Ok(mut g) = results.lock() {
                    g[i] = Some(r);
                }
            });
        }
    });
    let mut data = ClassData { class: class_name.to_string(), requested: n, ..ClassData::default() };
    for r in results.into_inner().unwrap_or_default().into_iter().flatten() {
        let (line, outcome) = r?;
        log(&line);
        match outcome {
            Outcome::Done(rec) => data.records.push(rec),
            Outcome::Failed(m, why, replayed) => {
                if replayed {
                    data.failures_replayed.push(m.clone());
                }
                data.failures.push((m, why));
            }
        }
    }
    Ok(data)
}

#[allow(clippy::too_many_arguments)]
fn one(class_name: &str, i: usize, n: usize, src: &MaterialSource, base: &std::path::Path, store: &Store, opts: &BuildOptions, t0: std::time::Instant) -> Result<(String, Outcome)> {
    let campaign = campaign_name(class_name);
    let worker = format!("{}:benchmark", std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into()));
    let label = label_of(src);
    let head = format!("[{}/{n}] {} {label}", i + 1, class_name);
    let material = match src {
        MaterialSource::File(p) => Material::from_file(p),
        MaterialSource::Dict { value, .. } => Material::from_json(value, base),
    };
    let material = match material {
        Ok(m) => m,
        Err(e) => return Ok((format!("{head}: cannot be described: {e}"), Outcome::Failed(label, e.to_string(), false))),
    };
    let hash = task_hash(&material, opts.quick)?;
    let cand = json!({"label": label, "class": class_name, "material": material}).to_string();
    let stored = match store.claim(&campaign, &hash, &cand, &worker).map_err(storage)? {
        Claim::Done(r) => Some(r),
        Claim::Running => return Ok((format!("{head}: held by another worker, left out of this run"), Outcome::Failed(label, "held by another live worker (its lease has not expired)".into(), false))),
        Claim::New => None,
    };
    let refreshing = opts.refresh && stored.is_some();
    let (docs, reused, wall) = match stored {
        Some(r) if !opts.refresh => (serde_json::from_str::<Value>(&r).map_err(storage)?["descriptions"].clone(), true, 0.0),
        _ => {
            let again = if refreshing { ", again: --refresh" } else { "" };
            eprintln!("{head}: describing ({:.0} s elapsed{again})", t0.elapsed().as_secs_f64());
            let d_opts = DescribeOptions {
                quick: opts.quick,
                out: None,
                cache_dir: opts.cache_dir.clone(),
                store: Some(Arc::new(store.stage_store(STAGES))),
                threads: opts.threads,
                preset: None,
                retry_failed: opts.retry_failed,
                failures: Default::default(),
            };
            let mut last = String::new();
            let mut progress = |_d: u64, _t: u64, stage: &str| {
                if stage != last {
                    last = stage.to_string();
                    eprintln!("    {label}: {stage}");
                }
                true
            };
            let t1 = std::time::Instant::now();
            let described = describe_all(&material, &d_opts, &mut progress).map_err(|e| e.to_string()).and_then(|d| serde_json::to_value(&d).map_err(|e| e.to_string()));
            match described {
                Ok(v) => {
                    let wall = t1.elapsed().as_secs_f64();
                    let result = json!({"label": label, "class": class_name, "descriptions": v, "wall_s": wall});
                    if refreshing {
                        store.replace_result(&campaign, &hash, &result.to_string()).map_err(storage)?;
                    } else {
                        store.put_result(&campaign, &hash, &result.to_string()).map_err(storage)?;
                    }
                    eprintln!("{head}: described in {wall:.1} s{again}");
                    (v, false, wall)
                }
                Err(e) => {
                    // the same message as the run that computed the failure (the task's failure
                    // bookkeeping is the campaigns'); whether it was replayed from a stage's
                    // failure record goes to the log line and the class's count
                    store.mark_failed(&campaign, &hash, &e).map_err(storage)?;
                    let (replayed, note) = match d_opts.failures.event_for(&e) {
                        Some(ev) if ev.replayed => (true, format!(" (replayed from the failure record of stage {}, nothing computed; --retry-failed computes it again)", ev.failure.stage)),
                        Some(ev) => (false, format!(" (stage {} failed after {:.1} s; recorded)", ev.failure.stage, ev.failure.wall_s)),
                        None => (false, String::new()),
                    };
                    // (a refreshed material that fails keeps its stored description, which
                    // mark_failed leaves untouched; this run reports the failure)
                    let kept = if refreshing { " (the description stored by an earlier run is kept in the store, not used)" } else { "" };
                    return Ok((format!("{head}: describe failed: {e}{note}{kept}"), Outcome::Failed(label, e, replayed)));
                }
            }
        }
    };
    Ok(match cold_hot(&label, &docs) {
        Ok((cold, hot)) => {
            let how = if reused { "reused from the store" } else if refreshing { "described again (--refresh; unchanged stages from the store)" } else { "described" };
            (format!("{head}: {how} ({wall:.1} s)"), Outcome::Done(Record { label, hash, cold, hot, reused, refreshed: refreshing, wall_s: wall }))
        }
        Err(e) => (format!("{head}: {e}"), Outcome::Failed(label, e, false)),
    })
}

//! The benchmark's dataset builder and failures: a material that fails deterministically
//! (Lennard-Jones argon in the bcc lattice, mechanically unstable at 0 K: the homogenisation
//! refuses its stiffness after the 0 K elastic stage did its work) is `failed` with its reason; a
//! rerun reports the same reason without computing anything (the store's stage rows, failure
//! record included, are untouched) and counts it in `failures_replayed`; `retry_failed` computes
//! the failing stage again. The task-level bookkeeping is the campaigns' (`failed`, its error).

use scalebridge_evaluation::dataset::{build_sources, campaign_name, BuildOptions, STAGES};
use scalebridge_features::design::MaterialSource;
use scalebridge_store::Store;
use serde_json::json;
use std::path::Path;

/// Lennard-Jones argon in `lattice` with lattice constant `a` (Å), at 0 and 40 K.
fn argon(lattice: &str, a: f64) -> MaterialSource {
    let name = format!("Ar-{lattice}");
    let value = json!({
        "name": name, "class": "noble-gas", "temperature_K": [0, 40],
        "phase": [{"name": "Ar", "structure": {"lattice": lattice, "elements": {"Ar": 1.0}, "a": a},
                   "potential": {"lammps": ["pair_style lj/cut 8.5", "pair_coeff * * 0.0104 3.40"], "elements": ["Ar"]}}],
        "microstructure": {"kind": "polycrystal", "grains": 4, "resolution": 8, "seed": 3}
    });
    MaterialSource::Dict { name, value }
}

fn bcc_argon() -> MaterialSource {
    argon("bcc", 4.2)
}

/// A fresh folder, its SQLite store and quick one-thread build options writing there.
fn fresh(tag: &str) -> (std::path::PathBuf, Store, BuildOptions) {
    let d = std::env::temp_dir().join(format!("sb-eval-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let store = Store::open(&format!("sqlite://{}", d.join("results.db").display())).unwrap();
    let opts = BuildOptions { quick: true, threads: Some(1), jobs: 1, cache_dir: Some(d.join("cache")), ..BuildOptions::default() };
    (d, store, opts)
}

fn failure_rows(store: &Store) -> Vec<(String, String)> {
    store.stages(STAGES).unwrap().into_iter().filter(|(k, _)| k.ends_with(".failed")).collect()
}

#[test]
fn a_deterministic_failure_is_replayed_by_the_next_run_and_counted() {
    let (d, store, opts) = fresh("failure");
    let list = vec![bcc_argon()];
    let mut lines = Vec::new();
    let first = build_sources("noble", &list, Path::new("."), &store, &opts, &mut |l: &str| lines.push(l.to_string())).unwrap();
    assert_eq!(first.failures.len(), 1, "{lines:?}");
    assert!(first.failures[0].1.contains("not positive definite"), "{:?}", first.failures);
    assert!(first.failures_replayed.is_empty());
    let rec = failure_rows(&store);
    assert_eq!(rec.len(), 1);
    let stages_before = store.stages(STAGES).unwrap();
    let tasks = store.tasks(&campaign_name("noble")).unwrap();
    assert_eq!((tasks.len(), tasks[0].status.as_str(), tasks[0].error.as_deref()), (1, "failed", Some(first.failures[0].1.as_str())));

    let second = build_sources("noble", &list, Path::new("."), &store, &opts, &mut |l: &str| lines.push(l.to_string())).unwrap();
    assert_eq!(second.failures, first.failures, "the same material and the same reason");
    assert_eq!(second.failures_replayed, vec!["Ar-bcc".to_string()]);
    assert!(lines.last().unwrap().contains("replayed from the failure record of stage homogenisation"), "{lines:?}");
    assert_eq!(store.stages(STAGES).unwrap(), stages_before, "the rerun computed (and stored) something");
    assert_eq!(store.counts(&campaign_name("noble")).unwrap().failed, 1);

    let retry = BuildOptions { retry_failed: true, ..opts.clone() };
    let third = build_sources("noble", &list, Path::new("."), &store, &retry, &mut |_: &str| {}).unwrap();
    assert_eq!(third.failures, first.failures);
    assert!(third.failures_replayed.is_empty());
    let rec3 = failure_rows(&store);
    let t = |r: &[(String, String)]| serde_json::from_str::<serde_json::Value>(&r[0].1).unwrap()["provenance"]["recorded_unix_ms"].as_i64().unwrap();
    assert!(t(&rec3) > t(&rec), "retry_failed did not compute the failing stage again");
    let _ = std::fs::remove_dir_all(&d);
}

fn fcc_argon() -> MaterialSource {
    argon("fcc", 5.26)
}

/// `refresh` describes a stored material again: a rerun without it returns the stored result
/// (here altered, as a result from an older pipeline would differ), with it the pipeline's
/// current description from the stage rows (no stage computed: their inputs did not change),
/// which then replaces the stored result.
#[test]
fn refresh_describes_stored_materials_again_from_the_unchanged_stages() {
    let (d, store, opts) = fresh("refresh");
    let list = vec![fcc_argon()];
    let first = build_sources("noble", &list, Path::new("."), &store, &opts, &mut |_: &str| {}).unwrap();
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    let rec = &first.records[0];
    assert!(!rec.reused && !rec.refreshed);
    let e = |v: &serde_json::Value| v["properties"]["E_GPa"]["value"].as_f64().unwrap();
    let e_true = e(&rec.hot);
    // the stored result as an older pipeline might have left it
    let campaign = campaign_name("noble");
    let mut old: serde_json::Value = serde_json::from_str(&store.result(&campaign, &rec.hash).unwrap().unwrap()).unwrap();
    let hot = old["descriptions"].as_array_mut().unwrap().iter_mut().find(|x| x["temperature_K"].as_f64() == Some(40.0)).unwrap();
    hot["properties"]["E_GPa"]["value"] = json!(e_true + 100.0);
    store.replace_result(&campaign, &rec.hash, &old.to_string()).unwrap();
    let stages_before = store.stages(STAGES).unwrap();

    let second = build_sources("noble", &list, Path::new("."), &store, &opts, &mut |_: &str| {}).unwrap();
    assert!(second.records[0].reused && !second.records[0].refreshed);
    assert_eq!(e(&second.records[0].hot), e_true + 100.0, "a plain rerun reuses the stored result");

    let mut lines = Vec::new();
    let refresh = BuildOptions { refresh: true, ..opts.clone() };
    let third = build_sources("noble", &list, Path::new("."), &store, &refresh, &mut |l: &str| lines.push(l.to_string())).unwrap();
    let r3 = &third.records[0];
    assert!(!r3.reused && r3.refreshed && third.refreshed() == 1, "{lines:?}");
    assert_eq!(e(&r3.hot), e_true, "the refresh did not describe the material again");
    assert!(lines[0].contains("described again"), "{lines:?}");
    assert_eq!(store.stages(STAGES).unwrap(), stages_before, "the refresh computed stages whose inputs did not change");
    // the refreshed description replaced the stored one
    let fourth = build_sources("noble", &list, Path::new("."), &store, &opts, &mut |_: &str| {}).unwrap();
    assert!(fourth.records[0].reused);
    assert_eq!(e(&fourth.records[0].hot), e_true);
    assert_eq!(store.counts(&campaign).unwrap().done, 1);
    let _ = std::fs::remove_dir_all(&d);
}

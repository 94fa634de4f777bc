//! Failures as results, end to end through `describe`. The failing material: Lennard-Jones argon
//! in the bcc lattice, which is mechanically unstable at 0 K (C11 < C12 for a pair potential,
//! so its stiffness is not positive definite). The structure and the 0 K elastic stage do their
//! work and are stored; the homogenisation then refuses the stiffness — a deterministic failure
//! of that stage's inputs, recorded in the stage store. A rerun replays it (nothing computed,
//! nothing written, the same message), `retry_failed` computes it again, and an interrupted run
//! records nothing.

use scalebridge_core::progress::{Progress, Silent};
use scalebridge_core::{StageCache, StageStore};
use scalebridge_pipeline::preset::Preset;
use scalebridge_pipeline::stages::failure_key;
use scalebridge_pipeline::{describe, DescribeOptions, FailureLog, Material, StageFailure};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const BCC_AR: &str = r#"
name = "Ar-bcc"
class = "noble-gas"
temperature_K = 0
[[phase]]
name = "Ar"
structure = { lattice = "bcc", elements = { Ar = 1.0 }, a = 4.2 }
potential = { lammps = ["pair_style lj/cut 8.5", "pair_coeff * * 0.0104 3.40"], elements = ["Ar"] }
[microstructure]
kind = "polycrystal"
grains = 4
resolution = 8
seed = 3
"#;

/// A stage cache on disk that records every write (key) it is asked for.
struct Counting {
    inner: StageCache,
    puts: Mutex<Vec<String>>,
}

impl StageStore for Counting {
    fn get(&self, key: &str) -> scalebridge_core::Result<Option<String>> {
        self.inner.get(key)
    }
    fn put(&self, key: &str, json: &str) -> scalebridge_core::Result<()> {
        self.puts.lock().unwrap().push(key.to_string());
        self.inner.put(key, json)
    }
}

impl Counting {
    fn puts(&self) -> Vec<String> {
        std::mem::take(&mut *self.puts.lock().unwrap())
    }
}

fn tiny() -> Preset {
    Preset::from_json(&json!({"name": "tiny-failure-test", "bulk_repeat": [3, 3, 3], "draws": 2, "bridge_single_crystal": false})).unwrap()
}

fn setup(name: &str) -> (Material, Arc<Counting>, PathBuf) {
    let dir = std::env::temp_dir().join(format!("scalebridge-pipeline-failure-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let m = Material::from_toml_str(BCC_AR, "ar-bcc.toml", Path::new(".")).unwrap();
    let store = Arc::new(Counting { inner: StageCache::new(Some(dir.join("stages")), "describe"), puts: Mutex::new(Vec::new()) });
    (m, store, dir)
}

fn options(store: &Arc<Counting>, dir: &Path, retry: bool) -> DescribeOptions {
    DescribeOptions {
        store: Some(store.clone()),
        cache_dir: Some(dir.to_path_buf()),
        preset: Some(tiny()),
        threads: Some(1),
        retry_failed: retry,
        failures: FailureLog::new(),
        ..Default::default()
    }
}

fn record(store: &Counting, key: &str) -> (String, StageFailure) {
    let text = store.get(&failure_key(key)).unwrap().expect("a failure record");
    let f = serde_json::from_str(&text).unwrap();
    (text, f)
}

#[test]
fn a_failing_material_is_replayed_from_its_record_and_computed_again_only_on_request() {
    let (m, store, dir) = setup("replay");
    // first run: the stages before the failure are computed and stored, the failure recorded
    let o1 = options(&store, &dir, false);
    let e1 = describe(&m, &o1, &mut Silent).expect_err("bcc LJ argon is mechanically unstable");
    let msg = e1.to_string();
    assert!(msg.contains("not positive definite"), "{msg}");
    let ev = o1.failures.events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(!ev[0].replayed);
    assert_eq!(ev[0].failure.stage, "homogenisation");
    assert_eq!(ev[0].failure.error, msg);
    let key = ev[0].failure.key.clone();
    let puts = store.puts();
    assert!(puts.len() >= 3 && puts.last() == Some(&failure_key(&key)), "the structure and the 0 K elastic stage, then the failure record: {puts:?}");
    let (text1, rec1) = record(&store, &key);
    assert_eq!(rec1, ev[0].failure);
    assert!(rec1.cpu_s.is_some_and(|c| c.is_finite() && c >= 0.0), "{rec1:?}");
    assert_eq!(rec1.provenance.version, env!("CARGO_PKG_VERSION"));

    // second run: nothing is computed — not one write reaches the store — the same failure
    let o2 = options(&store, &dir, false);
    let e2 = describe(&m, &o2, &mut Silent).unwrap_err();
    assert_eq!(e2.to_string(), msg);
    assert_eq!(format!("{e2:?}"), format!("{e1:?}"), "the same variant and fields");
    assert_eq!(store.puts(), Vec::<String>::new(), "the rerun computed (and stored) something");
    let ev = o2.failures.events();
    assert!(ev.len() == 1 && ev[0].replayed && ev[0].failure == rec1, "{ev:?}");
    assert_eq!(record(&store, &key).0, text1, "the record was rewritten");

    // --retry-failed: the failing stage (only it: the others are stored successes) is computed
    // again; it fails again with the same message and its record is replaced
    std::thread::sleep(std::time::Duration::from_millis(5));
    let o3 = options(&store, &dir, true);
    let e3 = describe(&m, &o3, &mut Silent).unwrap_err();
    assert_eq!(e3.to_string(), msg);
    assert_eq!(store.puts(), vec![failure_key(&key)]);
    let ev = o3.failures.events();
    assert!(ev.len() == 1 && !ev[0].replayed, "{ev:?}");
    let (_, rec3) = record(&store, &key);
    assert!(rec3.provenance.recorded_unix_ms > rec1.provenance.recorded_unix_ms);
    assert_eq!(rec3.error, rec1.error);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Says stop at the first progress report of the 0 K elastic stage (as Ctrl-C in Python does).
struct StopInElastic(bool);

impl Progress for StopInElastic {
    fn update(&mut self, _done: u64, _total: u64, stage: &str) -> bool {
        if stage.contains("elastic") || stage == "homogenisation" {
            self.0 = true;
            return false;
        }
        true
    }
}

#[test]
fn an_interrupted_describe_records_no_failure() {
    let (m, store, dir) = setup("interrupt");
    let o1 = options(&store, &dir, false);
    let mut stop = StopInElastic(false);
    let e = describe(&m, &o1, &mut stop).unwrap_err();
    assert!(stop.0, "the progress callback was never asked");
    assert!(e.to_string().contains("interrupted"), "{e}");
    let puts = store.puts();
    assert!(puts.iter().all(|k| !k.ends_with(".failed")), "an interruption was recorded as a failure: {puts:?}");
    assert!(o1.failures.events().is_empty());
    // the next run is not fooled by the interruption: it computes and records the real failure
    let o2 = options(&store, &dir, false);
    let e2 = describe(&m, &o2, &mut Silent).unwrap_err();
    assert!(e2.to_string().contains("not positive definite"), "{e2}");
    let ev = o2.failures.events();
    assert!(ev.len() == 1 && !ev[0].replayed, "{ev:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! Cached stages: every stage of a description is stored in a [`StageStore`] under the SHA-256
//! of its name and inputs, so a rerun with the same inputs computes nothing, and a changed input
//! (a temperature) reruns only the stages that read it. Values are handed back exactly as stored
//! (serialised, then parsed), so a first run and a cached run give byte-identical results.
//!
//! A stage that fails deterministically for its inputs leaves a failure record under the same
//! key ([`crate::failure`]); a rerun replays the failure instead of computing the stage again,
//! unless [`Stages::retry_failed`] is set.

use crate::error::Result;
use crate::failure::{FailureEvent, FailureLog, FailureProvenance, RecordedError, StageFailure};
use scalebridge_core::provenance::sha256_hex;
use scalebridge_core::StageStore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// One stage of a description and whether it came from the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    /// What ran, e.g. `"Cu/elastic/static"`.
    pub stage: String,
    /// The store key (SHA-256 of the stage name, its inputs and the version).
    pub key: String,
    /// True when the value was read from the store (nothing computed).
    pub cached: bool,
    /// Whether the stage runs MD or minimisation (atomistic) rather than continuum or bookkeeping.
    pub atomistic: bool,
    /// Wall time of the computation, s (0 when cached).
    pub wall_s: f64,
    /// CPU time (user + system) of the whole process during the computation, s (0 when cached;
    /// absent where the platform does not report it, and in records written before it existed).
    /// Every thread counts: MD worker threads, and other describes running in the same process
    /// at the same time (`--jobs N` > 1), so per stage it is exact only for one describe at a
    /// time. On a shared machine `cpu_s / wall_s` is the share of cores the stage got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_s: Option<f64>,
    /// Protocol stages: the hash of the structure the protocol ran on (e.g. a glass's
    /// finite-temperature stages name the quenched structure, not the starting cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structure: Option<String>,
}

/// The stages of one description and the store they live in.
pub struct Stages<'a> {
    store: &'a dyn StageStore,
    pub records: Vec<StageRecord>,
    /// Compute a stage even when a failure record of its inputs is stored (the record is
    /// replaced if it fails again; a success is stored as usual and wins from then on).
    pub retry_failed: bool,
    /// Set by a progress callback that asked to stop: a stage that fails after that is an
    /// interruption, whatever its error says, and no failure is recorded.
    pub interrupted: Arc<AtomicBool>,
    /// The failures recorded and replayed.
    pub failures: FailureLog,
}

/// Suffix of the key a failure record is stored under.
pub const FAILURE_SUFFIX: &str = ".failed";

/// The key the failure record of the stage with key `key` is stored under in the `StageStore`:
/// `<key>.failed` (stage keys are SHA-256 hex, so no finished stage has such a key; the keys of
/// finished stages are untouched).
pub fn failure_key(key: &str) -> String {
    format!("{key}{FAILURE_SUFFIX}")
}

/// The store key of stage `name` with `inputs` (their JSON text): the SHA-256 of
/// `"scalebridge-pipeline <version>\n<name>\n<inputs>"`. Finished stages are stored under it,
/// failure records under `<key>.failed`.
pub fn stage_key(name: &str, inputs: &str) -> String {
    sha256_hex(format!("scalebridge-pipeline {}\n{name}\n{inputs}", env!("CARGO_PKG_VERSION")).as_bytes())
}

impl<'a> Stages<'a> {
    pub fn new(store: &'a dyn StageStore) -> Self {
        Stages { store, records: Vec::new(), retry_failed: false, interrupted: Arc::new(AtomicBool::new(false)), failures: FailureLog::default() }
    }

    /// The stored value of stage `name` with `inputs`, or run `f`, store its value and return it
    /// as stored. A stored failure record of the same inputs is replayed (its error returned, `f`
    /// not run) unless [`Stages::retry_failed`]; a deterministic failure of `f` is recorded
    /// ([`crate::failure`]) and returned unchanged.
    pub fn run<T, I>(&mut self, name: &str, atomistic: bool, inputs: &I, f: impl FnOnce() -> Result<T>) -> Result<T>
    where
        T: Serialize + DeserializeOwned,
        I: Serialize + ?Sized,
    {
        let inputs = serde_json::to_string(inputs).map_err(|e| scalebridge_core::Error::Serialization { what: format!("inputs of stage {name}"), reason: e.to_string() })?;
        let key = stage_key(name, &inputs);
        if let Some(text) = self.store.get(&key)? {
            if let Ok(v) = serde_json::from_str::<T>(&text) {
                self.records.push(StageRecord { stage: name.to_string(), key, cached: true, atomistic, wall_s: 0.0, cpu_s: Some(0.0), structure: None });
                return Ok(v);
            }
        }
        if !self.retry_failed {
            if let Some(text) = self.store.get(&failure_key(&key))? {
                // a record that does not parse or rebuild (another version's) is ignored: computed
                if let Some((failure, e)) = serde_json::from_str::<StageFailure>(&text).ok().and_then(|f| f.recorded.to_error().map(|e| (f, e))) {
                    self.failures.push(FailureEvent { replayed: true, failure });
                    return Err(e);
                }
            }
        }
        let t0 = std::time::Instant::now();
        let c0 = process_cpu_s();
        let v = match f() {
            Ok(v) => v,
            Err(e) => {
                self.record_failure(name, &key, &inputs, &e, t0.elapsed().as_secs_f64(), cpu_since(c0));
                return Err(e);
            }
        };
        let text = serde_json::to_string(&v).map_err(|e| scalebridge_core::Error::Serialization { what: format!("stage {name}"), reason: e.to_string() })?;
        self.store.put(&key, &text)?;
        let back = serde_json::from_str::<T>(&text).map_err(|e| scalebridge_core::Error::Serialization { what: format!("stage {name}"), reason: e.to_string() })?;
        self.records.push(StageRecord { stage: name.to_string(), key, cached: false, atomistic, wall_s: t0.elapsed().as_secs_f64(), cpu_s: cpu_since(c0), structure: None });
        Ok(back)
    }

    /// Store the failure record of stage `name` if `e` is deterministic and no interruption was
    /// asked for. A record that cannot be stored (read-only store, full disk) is left out: the
    /// stage's own error is what the caller needs, and a rerun just computes the stage again.
    fn record_failure(&mut self, name: &str, key: &str, inputs: &str, e: &crate::PipelineError, wall_s: f64, cpu_s: Option<f64>) {
        if self.interrupted.load(Ordering::SeqCst) {
            return;
        }
        let Some(recorded) = RecordedError::capture(e) else { return };
        let failure = StageFailure {
            stage: name.to_string(),
            key: key.to_string(),
            error: e.to_string(),
            recorded,
            cpu_s,
            wall_s,
            provenance: FailureProvenance { version: env!("CARGO_PKG_VERSION").into(), input_hash: sha256_hex(inputs.as_bytes()), recorded_unix_ms: crate::failure::now_ms(), host: crate::failure::host() },
        };
        let Ok(text) = serde_json::to_string(&failure) else { return };
        // one `put`: atomic like every stage (a temporary file renamed, or one transaction)
        if self.store.put(&failure_key(key), &text).is_ok() {
            self.failures.push(FailureEvent { replayed: false, failure });
        }
    }

    /// Atomistic stages that were computed (not read from the store).
    pub fn atomistic_runs(&self) -> usize {
        self.records.iter().filter(|r| r.atomistic && !r.cached).count()
    }
}

/// CPU time (user + system, every thread) this process has used so far, s (`getrusage`;
/// `None` where it fails).
pub fn process_cpu_s() -> Option<f64> {
    // SAFETY: getrusage writes into the zeroed struct it is given and reads nothing else.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Some(s(u.ru_utime) + s(u.ru_stime))
}

/// CPU seconds since `start` (a [`process_cpu_s`] reading).
pub fn cpu_since(start: Option<f64>) -> Option<f64> {
    Some((process_cpu_s()? - start?).max(0.0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::PipelineError;
    use scalebridge_md::error::Error as MdError;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// A stage store in memory that counts its writes.
    #[derive(Default)]
    struct Memory {
        rows: Mutex<BTreeMap<String, String>>,
        puts: Mutex<Vec<String>>,
    }

    impl StageStore for Memory {
        fn get(&self, key: &str) -> scalebridge_core::Result<Option<String>> {
            Ok(self.rows.lock().unwrap().get(key).cloned())
        }
        fn put(&self, key: &str, json: &str) -> scalebridge_core::Result<()> {
            self.puts.lock().unwrap().push(key.to_string());
            self.rows.lock().unwrap().insert(key.to_string(), json.to_string());
            Ok(())
        }
    }

    fn not_converged() -> PipelineError {
        MdError::NotConverged { what: "FIRE relaxation (cell and atoms)".into(), iters: 20000, residual: 8.4e-5 }.into()
    }

    /// Run stage "A/elastic/static" with inputs {"x": 1}; `f` counts its calls and burns a little CPU.
    fn stage(store: &Memory, retry: bool, calls: &mut usize, result: impl FnOnce() -> Result<f64>) -> (Result<f64>, Vec<FailureEvent>) {
        let mut st = Stages::new(store);
        st.retry_failed = retry;
        let r = st.run("A/elastic/static", true, &serde_json::json!({"x": 1}), || {
            *calls += 1;
            let t = std::time::Instant::now();
            while t.elapsed().as_millis() < 30 {
                std::hint::black_box(0u64);
            }
            result()
        });
        (r, st.failures.events())
    }

    #[test]
    fn the_stage_key_is_the_hash_of_version_name_and_inputs_as_before() {
        // the key of finished stages must not change (stored stages of earlier runs stay valid)
        let inputs = r#"{"x":1}"#;
        let want = sha256_hex(format!("scalebridge-pipeline {}\nA/elastic/static\n{inputs}", env!("CARGO_PKG_VERSION")).as_bytes());
        assert_eq!(stage_key("A/elastic/static", inputs), want);
        let store = Memory::default();
        let mut calls = 0;
        let (r, _) = stage(&store, false, &mut calls, || Ok(2.5));
        assert_eq!(r.unwrap(), 2.5);
        assert_eq!(*store.puts.lock().unwrap(), vec![want]);
    }

    #[test]
    fn a_deterministic_failure_is_recorded_replayed_without_computing_and_retried_on_request() {
        let store = Memory::default();
        let mut calls = 0;
        let (r, ev) = stage(&store, false, &mut calls, || Err(not_converged()));
        let first = r.unwrap_err();
        let key = stage_key("A/elastic/static", r#"{"x":1}"#);
        assert_eq!(calls, 1);
        assert_eq!(*store.puts.lock().unwrap(), vec![failure_key(&key)], "one write: the failure record, nothing under the stage key");
        assert_eq!(ev.len(), 1);
        assert!(!ev[0].replayed);
        let rec: StageFailure = serde_json::from_str(&store.get(&failure_key(&key)).unwrap().unwrap()).unwrap();
        assert_eq!((rec.stage.as_str(), rec.key.as_str(), rec.error.as_str()), ("A/elastic/static", key.as_str(), first.to_string().as_str()));
        assert_eq!(rec.provenance.input_hash, sha256_hex(br#"{"x":1}"#));
        assert_eq!(rec.provenance.version, env!("CARGO_PKG_VERSION"));
        let cpu = rec.cpu_s.unwrap();
        assert!(cpu > 0.0 && rec.wall_s >= 0.03, "cpu {cpu} wall {}", rec.wall_s);
        // the rerun: nothing computed, nothing written, the same variant and message
        let (r, ev) = stage(&store, false, &mut calls, || Ok(1.0));
        let second = r.unwrap_err();
        assert_eq!(calls, 1, "the stage was computed again");
        assert_eq!(store.puts.lock().unwrap().len(), 1, "the rerun wrote to the store");
        assert_eq!(second.to_string(), first.to_string());
        assert!(matches!(second, PipelineError::Md(MdError::NotConverged { iters: 20000, .. })), "{second:?}");
        assert!(ev.len() == 1 && ev[0].replayed && ev[0].failure == rec);
        // --retry-failed: computed again; failing again replaces the record (a new time)
        std::thread::sleep(std::time::Duration::from_millis(5));
        let (r, ev) = stage(&store, true, &mut calls, || Err(not_converged()));
        assert_eq!((calls, r.unwrap_err().to_string()), (2, first.to_string()));
        assert!(ev.len() == 1 && !ev[0].replayed && ev[0].failure.provenance.recorded_unix_ms > rec.provenance.recorded_unix_ms);
        // a retry that succeeds stores the stage, which wins over the record from then on
        let (r, _) = stage(&store, true, &mut calls, || Ok(7.0));
        assert_eq!((calls, r.unwrap()), (3, 7.0));
        let (r, ev) = stage(&store, false, &mut calls, || Ok(0.0));
        assert_eq!((calls, r.unwrap()), (3, 7.0));
        assert!(ev.is_empty());
    }

    #[test]
    fn interruptions_io_errors_and_panics_leave_no_record() {
        let store = Memory::default();
        let mut calls = 0;
        let errors: Vec<fn() -> PipelineError> = vec![
            || MdError::Interrupted { what: "elastic".into(), done: 2 }.into(),
            || scalebridge_core::Error::Interrupted { what: "describe".into(), done: 0 }.into(),
            || MdError::Io { path: "pot.eam".into(), source: std::io::Error::other("gone") }.into(),
            || scalebridge_core::Error::Io { path: "results.db".into(), source: std::io::Error::other("disk full") }.into(),
        ];
        for e in errors {
            let (r, ev) = stage(&store, false, &mut calls, || Err(e()));
            assert!(r.is_err() && ev.is_empty());
        }
        // a progress callback asked to stop during the stage: whatever the error says, an interruption
        let mut st = Stages::new(&store);
        st.interrupted.store(true, Ordering::SeqCst);
        assert!(st.run("A/elastic/static", true, &serde_json::json!({"x": 1}), || -> Result<f64> { Err(not_converged()) }).is_err());
        assert!(st.failures.events().is_empty());
        // a panic unwinds through the stage before anything is stored
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut st = Stages::new(&store);
            let _ = st.run("A/elastic/static", true, &serde_json::json!({"x": 1}), || -> Result<f64> { panic!("bug") });
        }));
        assert!(caught.is_err());
        assert!(store.puts.lock().unwrap().is_empty(), "{:?}", store.puts.lock().unwrap());
        // and the stage still runs next time
        let (r, _) = stage(&store, false, &mut calls, || Ok(1.5));
        assert_eq!(r.unwrap(), 1.5);
    }

    #[test]
    fn a_record_this_version_cannot_read_is_ignored() {
        let store = Memory::default();
        let key = stage_key("A/elastic/static", r#"{"x":1}"#);
        store.put(&failure_key(&key), "{\"not\": \"a failure\"}").unwrap();
        let mut calls = 0;
        let (r, _) = stage(&store, false, &mut calls, || Ok(3.0));
        assert_eq!((calls, r.unwrap()), (1, 3.0));
    }
}

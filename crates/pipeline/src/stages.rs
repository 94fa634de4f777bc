//! Cached stages: every stage of a description is stored in a [`StageStore`] under the SHA-256
//! of its name and inputs, so a rerun with the same inputs computes nothing, and a changed input
//! (a temperature) reruns only the stages that read it. Values are handed back exactly as stored
//! (serialised, then parsed), so a first run and a cached run give byte-identical results.

use crate::error::Result;
use scalebridge_core::provenance::sha256_hex;
use scalebridge_core::StageStore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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
}

impl<'a> Stages<'a> {
    pub fn new(store: &'a dyn StageStore) -> Self {
        Stages { store, records: Vec::new() }
    }

    /// The stored value of stage `name` with `inputs`, or run `f`, store its value and return it
    /// as stored.
    pub fn run<T, I>(&mut self, name: &str, atomistic: bool, inputs: &I, f: impl FnOnce() -> Result<T>) -> Result<T>
    where
        T: Serialize + DeserializeOwned,
        I: Serialize + ?Sized,
    {
        let inputs = serde_json::to_string(inputs).map_err(|e| scalebridge_core::Error::Serialization { what: format!("inputs of stage {name}"), reason: e.to_string() })?;
        let key = sha256_hex(format!("scalebridge-pipeline {}\n{name}\n{inputs}", env!("CARGO_PKG_VERSION")).as_bytes());
        if let Some(text) = self.store.get(&key)? {
            if let Ok(v) = serde_json::from_str::<T>(&text) {
                self.records.push(StageRecord { stage: name.to_string(), key, cached: true, atomistic, wall_s: 0.0, cpu_s: Some(0.0), structure: None });
                return Ok(v);
            }
        }
        let t0 = std::time::Instant::now();
        let c0 = process_cpu_s();
        let v = f()?;
        let text = serde_json::to_string(&v).map_err(|e| scalebridge_core::Error::Serialization { what: format!("stage {name}"), reason: e.to_string() })?;
        self.store.put(&key, &text)?;
        let back = serde_json::from_str::<T>(&text).map_err(|e| scalebridge_core::Error::Serialization { what: format!("stage {name}"), reason: e.to_string() })?;
        self.records.push(StageRecord { stage: name.to_string(), key, cached: false, atomistic, wall_s: t0.elapsed().as_secs_f64(), cpu_s: cpu_since(c0), structure: None });
        Ok(back)
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

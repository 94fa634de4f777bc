//! Typed results of the property protocols: a [`Quantity`] (value, standard error, unit), the
//! [`Provenance`] of a calculation (input hash, potential hash, parameters, seeds, versions),
//! [`Series`] for plots (running integrals, profiles, stress–strain), progress reporting and a
//! per-stage cache that lets interrupted protocols resume. The types live in `scalebridge-core`
//! (re-exported here so that existing paths keep working); this module adds what needs the MD
//! engine: [`run_steps`] and a stage cache with the MD error type (a structure and a potential
//! are hashed into provenance by `scalebridge_md::provenance`).

use scalebridge_md::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;

pub use scalebridge_core::progress::{Progress, Silent};
pub use scalebridge_core::provenance::{sha256_hex, ProtocolRun};
pub use scalebridge_core::series::Series;
pub use scalebridge_core::store::StageStore;

/// A scalar result with its unit and, where it has one, its standard error (same unit): the
/// core's [`scalebridge_core::Measured`].
pub type Quantity = scalebridge_core::Measured;

/// Where a protocol result came from (core's provenance of a protocol run): `input_hash` is
/// deterministic in the structure, the potential and the protocol parameters (seeds included),
/// so it names the task: a rerun with the same inputs has the same id and resumes from its
/// [`StageCache`].
pub type Provenance = scalebridge_core::Provenance<ProtocolRun>;

/// Run `sim` for `steps` steps, reporting `base + done` of `total` to `progress` every
/// `report_every` steps; an interruption becomes [`Error::Interrupted`].
pub fn run_steps(
    sim: &mut scalebridge_md::simulation::Simulation,
    steps: u64,
    progress: &mut dyn Progress,
    base: u64,
    total: u64,
    stage: &str,
) -> Result<()> {
    let mut keep = true;
    let done = sim.run(steps, |d| {
        if d % 100 == 0 || d == steps {
            keep = progress.update(base + d, total, stage);
        }
        keep
    })?;
    if done < steps || !keep {
        return Err(Error::Interrupted { what: stage.to_string(), done: base + done });
    }
    Ok(())
}

/// Finished stages of a protocol on disk, under `dir/<input_hash>/<stage>.json`: the core's
/// [`scalebridge_core::StageCache`] (atomic writes, a [`StageStore`]) with the MD error type, so
/// that a stage closure's own errors pass through unchanged.
#[derive(Clone, Debug, Default)]
pub struct StageCache(pub scalebridge_core::StageCache);

impl StageCache {
    /// Cache under `root/<task id>`; `None` disables caching.
    pub fn new(root: Option<PathBuf>, task: &str) -> Self {
        StageCache(scalebridge_core::StageCache::new(root, task))
    }

    /// The stored value of `stage`, or run `f`, store and return its value.
    pub fn get_or_run<T: Serialize + DeserializeOwned>(&self, stage: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.0.get_or_run(stage, f)
    }
}

impl StageStore for StageCache {
    fn get(&self, key: &str) -> scalebridge_core::Result<Option<String>> {
        self.0.get(key)
    }
    fn put(&self, key: &str, json: &str) -> scalebridge_core::Result<()> {
        self.0.put(key, json)
    }
}

//! Typed results of the property protocols: a [`Quantity`] (value, standard error, unit), the
//! [`Provenance`] of a calculation (input hash, potential hash, parameters, seeds, versions),
//! [`Series`] for plots (running integrals, profiles, stress–strain), progress reporting and a
//! per-stage cache that lets interrupted protocols resume.

use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A scalar result with its unit and, where it has one, its standard error (same unit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub value: f64,
    pub stderr: Option<f64>,
    pub unit: String,
}

impl Quantity {
    /// A value without an uncertainty (exact or deterministic, e.g. a 0 K result).
    pub fn exact(value: f64, unit: &str) -> Self {
        Quantity { value, stderr: None, unit: unit.to_string() }
    }
    /// A value with its standard error.
    pub fn with_err(value: f64, stderr: f64, unit: &str) -> Self {
        Quantity { value, stderr: Some(stderr), unit: unit.to_string() }
    }
}

pub use scalebridge_md::series::Series;

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let out = Sha256::digest(bytes);
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a result came from. `input_hash` is deterministic in the structure, the potential and
/// the protocol parameters (seeds included), so it names the task: a rerun with the same inputs
/// has the same id and resumes from its [`StageCache`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Protocol name, e.g. `"elastic/static"`.
    pub protocol: String,
    pub input_hash: String,
    pub structure_hash: String,
    pub potential_style: String,
    /// SHA-256 of the potential's fingerprint (its parameters or tabulated file content).
    pub potential_hash: String,
    pub parameters: serde_json::Value,
    pub seeds: Vec<u64>,
    pub software: BTreeMap<String, String>,
    /// Wall time of the calculation, s (0 until it finishes).
    pub wall_seconds: f64,
}

impl Provenance {
    /// Provenance of `protocol` run on `structure` with `potential` and `parameters`.
    pub fn new(protocol: &str, structure: &Structure, potential: &dyn Potential, parameters: &impl Serialize, seeds: &[u64]) -> Result<Self> {
        let parameters = serde_json::to_value(parameters).map_err(|e| Error::invalid("parameters", protocol, &e.to_string()))?;
        let structure_hash = structure.hash();
        let potential_hash = sha256_hex(potential.fingerprint().as_bytes());
        let input_hash =
            sha256_hex(format!("{protocol}\n{structure_hash}\n{potential_hash}\n{parameters}\n{seeds:?}").as_bytes());
        let mut software = BTreeMap::new();
        software.insert("scalebridge-md".to_string(), env!("CARGO_PKG_VERSION").to_string());
        Ok(Provenance {
            protocol: protocol.to_string(),
            input_hash,
            structure_hash,
            potential_style: potential.pair_style().to_string(),
            potential_hash,
            parameters,
            seeds: seeds.to_vec(),
            software,
            wall_seconds: 0.0,
        })
    }
}

/// Progress of a long protocol: `update(done, total, stage)` is called as work finishes (units of
/// work are protocol-defined, usually MD steps); returning `false` interrupts the protocol, which
/// then returns [`Error::Interrupted`] after saving finished stages.
pub trait Progress: Send {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool;
}

impl<F: FnMut(u64, u64, &str) -> bool + Send> Progress for F {
    fn update(&mut self, done: u64, total: u64, stage: &str) -> bool {
        self(done, total, stage)
    }
}

/// Progress that never interrupts and reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn update(&mut self, _done: u64, _total: u64, _stage: &str) -> bool {
        true
    }
}

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

/// Finished stages of a protocol on disk, under `dir/<input_hash>/<stage>.json`. Writes are
/// atomic (temporary file, then rename), so an interruption never leaves half a stage behind.
/// With no directory every stage is recomputed.
#[derive(Clone, Debug, Default)]
pub struct StageCache {
    dir: Option<PathBuf>,
}

impl StageCache {
    /// Cache under `root/<task id>`; `None` disables caching.
    pub fn new(root: Option<PathBuf>, task: &str) -> Self {
        StageCache { dir: root.map(|r| r.join(task)) }
    }

    /// The stored value of `stage`, or run `f`, store and return its value.
    pub fn get_or_run<T: Serialize + DeserializeOwned>(&self, stage: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let Some(dir) = &self.dir else { return f() };
        let path = dir.join(format!("{stage}.json"));
        let io = |p: &std::path::Path, e| Error::Io { path: p.display().to_string(), source: e };
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(v) = serde_json::from_str(&text) {
                return Ok(v);
            }
        }
        let v = f()?;
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let tmp = path.with_extension("json.partial");
        let text = serde_json::to_string(&v).map_err(|e| Error::invalid("stage", stage, &e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
        Ok(v)
    }
}

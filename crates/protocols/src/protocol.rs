//! The [`Protocol`] trait and the [`Context`] a protocol runs in.
//!
//! A protocol has a name, a serde options struct whose missing fields take their defaults
//! (`#[serde(default)]`), a typed serialisable output and one `run`. The context carries what
//! is not physics: worker threads, progress/interruption and where finished stages are kept.

use crate::md_run::Resolve;
use crate::report::{sha256_hex, Progress, Silent, StageCache};
use scalebridge_md::error::{Error, Result};
use scalebridge_md::potentials::Potential;
use scalebridge_md::structure::Structure;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// What a protocol runs with besides its physics inputs.
pub struct Context<'a> {
    /// Worker threads (0 = all cores). `Some` overrides the options' `threads` when the options
    /// do not name it; `None` leaves the options' value.
    pub threads: Option<usize>,
    /// Told how far the protocol is; returning `false` interrupts it.
    pub progress: &'a mut dyn Progress,
    /// Root of the stage cache (finished stages under `<cache_dir>/<task id>/`); `None` disables
    /// caching.
    pub cache_dir: Option<PathBuf>,
}

impl<'a> Context<'a> {
    /// A context reporting to `progress`, with no cache and the options' threads.
    pub fn new(progress: &'a mut dyn Progress) -> Self {
        Context { threads: None, progress, cache_dir: None }
    }

    /// Keep finished stages under `dir`.
    pub fn with_cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }

    /// Use `threads` worker threads unless the options name their own.
    pub fn with_threads(mut self, threads: Option<usize>) -> Self {
        self.threads = threads;
        self
    }

    /// The stage cache of the task `protocol` on `structure` with `potential` and `options`
    /// (the task id is the SHA-256 of all four, so a rerun with the same inputs resumes).
    pub fn stage_cache(&self, protocol: &str, structure: &Structure, potential: &dyn Potential, options: &impl Serialize) -> StageCache {
        match &self.cache_dir {
            None => StageCache::default(),
            Some(dir) => {
                let opts = serde_json::to_string(options).unwrap_or_default();
                let task = sha256_hex(format!("{protocol}\n{}\n{}\n{opts}", structure.hash(), potential.fingerprint()).as_bytes());
                StageCache::new(Some(dir.clone()), &task)
            }
        }
    }
}

/// Runs `f` with a silent context (no progress, no cache).
pub fn silent<T>(f: impl FnOnce(&mut Context<'_>) -> T) -> T {
    let mut s = Silent;
    let mut ctx = Context::new(&mut s);
    f(&mut ctx)
}

/// A property protocol.
pub trait Protocol {
    /// Registry name, e.g. `"elastic"` or `"thermal_conductivity/green_kubo"`.
    const NAME: &'static str;
    /// Options; every field has a default (`#[serde(default)]`, or for the shared MD block the
    /// protocol's [`crate::md_run::WithMdRun::MD_DEFAULTS`]), unknown fields are errors.
    type Options: Serialize + DeserializeOwned + Default + Resolve;
    /// Typed, serialisable result (value, units, standard errors, warnings, provenance).
    type Output: Serialize;
    /// Run the protocol.
    fn run(structure: &Structure, potential: Arc<dyn Potential>, options: &Self::Options, ctx: &mut Context<'_>) -> Result<Self::Output>;

    /// Options from JSON (an object; `null` means all defaults), resolved (every default
    /// filled in, so serialising them gives the options the run uses). The context's threads
    /// fill a `threads` field the JSON does not name.
    fn options(json: &serde_json::Value, ctx: &Context<'_>) -> Result<Self::Options> {
        Self::parse_options(json, ctx.threads)
    }

    /// [`Protocol::options`] without a context: `threads` fills a `threads` field the JSON
    /// does not name. A key whose value is `null` counts as not given (the front ends pass
    /// `None` for what the user did not set).
    fn parse_options(json: &serde_json::Value, threads: Option<usize>) -> Result<Self::Options> {
        let mut v = match json {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            v => v.clone(),
        };
        if let serde_json::Value::Object(m) = &mut v {
            m.retain(|_, x| !x.is_null());
        }
        if let (Some(t), serde_json::Value::Object(m)) = (threads, &mut v) {
            let has_threads = serde_json::to_value(Self::Options::default()).ok().and_then(|d| d.get("threads").cloned()).is_some();
            if has_threads && !m.contains_key("threads") {
                m.insert("threads".into(), t.into());
            }
        }
        let mut o: Self::Options = serde_json::from_value(v).map_err(|e| Error::invalid("options", Self::NAME, &e.to_string()))?;
        o.resolve()?;
        Ok(o)
    }
}

//! The campaign's view of the results database (`scalebridge-store`): claim a task, store its
//! result or its failure, list the tasks. [`TaskStore`] is the thin trait the engine uses (so
//! tests can give it another store); [`scalebridge_store::Store`] implements it.

use crate::error::{CampaignError, Result};
use scalebridge_core::StageStore;
use serde::{Deserialize, Serialize};
use scalebridge_store::Store;
use std::path::Path;
use std::sync::Arc;

/// What claiming a task found.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// Nobody had it: it is ours to run.
    New,
    /// Another worker holds it.
    Running,
    /// It is finished: its result JSON.
    Done(String),
}

/// One task of a campaign.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Task {
    pub hash: String,
    /// `pending`, `running`, `done` or `failed`.
    pub status: String,
    pub candidate: serde_json::Value,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
}

/// Tasks by status.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Counts {
    pub done: usize,
    pub failed: usize,
    pub pending: usize,
    pub running: usize,
    pub duplicates: usize,
}

/// What the campaign needs of a results database.
pub trait TaskStore: Send + Sync {
    /// Claim `hash` for `worker`; a task left `running` by the same worker (a killed earlier run)
    /// or failed before is handed back as `New`.
    fn claim(&self, campaign: &str, hash: &str, candidate_json: &str, worker: &str) -> Result<Claim>;
    /// Store the result of a claimed task; false if a result was already stored (nothing written).
    fn put_result(&self, campaign: &str, hash: &str, result_json: &str) -> Result<bool>;
    fn mark_failed(&self, campaign: &str, hash: &str, error: &str) -> Result<()>;
    fn tasks(&self, campaign: &str) -> Result<Vec<Task>>;
    fn counts(&self, campaign: &str) -> Result<Counts>;
    /// The stage store that `describe` of task `hash` caches its stages in.
    fn stage_store(&self, hash: &str) -> Result<Arc<dyn StageStore>>;
    /// The database as a URL (for `status`).
    fn url(&self) -> String;
}

/// Open the database of `url` (`sqlite:///abs/path.db`, `postgresql://user@host/db`).
pub fn open(url: &str) -> Result<Arc<dyn TaskStore>> {
    if let Some(p) = url.strip_prefix("sqlite://") {
        let path = Path::new(p);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CampaignError::Storage(format!("{}: {e}", dir.display())))?;
        }
    }
    Ok(Arc::new(Store::open(url).map_err(serr)?))
}

fn serr(e: impl std::fmt::Display) -> CampaignError {
    CampaignError::Storage(e.to_string())
}

/// Namespace of the stage rows: stage keys are SHA-256 hashes of their inputs, so one namespace
/// lets every task (and campaign) reuse a stage another one computed (e.g. a composite reuses the
/// alloy phase of the polycrystal candidate).
pub const STAGES: &str = "describe-stages";

impl TaskStore for Store {
    fn claim(&self, campaign: &str, hash: &str, candidate_json: &str, worker: &str) -> Result<Claim> {
        Ok(match Store::claim(self, campaign, hash, candidate_json, worker).map_err(serr)? {
            scalebridge_store::Claim::New => Claim::New,
            scalebridge_store::Claim::Running => Claim::Running,
            scalebridge_store::Claim::Done(r) => Claim::Done(r),
        })
    }
    fn put_result(&self, campaign: &str, hash: &str, result_json: &str) -> Result<bool> {
        Store::put_result(self, campaign, hash, result_json).map_err(serr)
    }
    fn mark_failed(&self, campaign: &str, hash: &str, error: &str) -> Result<()> {
        Store::mark_failed(self, campaign, hash, error).map_err(serr)
    }
    fn tasks(&self, campaign: &str) -> Result<Vec<Task>> {
        Ok(Store::tasks(self, campaign)
            .map_err(serr)?
            .into_iter()
            .map(|t| Task {
                hash: t.task_hash,
                status: t.status.as_str().to_string(),
                candidate: serde_json::from_str(&t.candidate_json).unwrap_or(serde_json::Value::Null),
                result: t.result_json.and_then(|r| serde_json::from_str(&r).ok()),
                error: t.error,
            })
            .collect())
    }
    fn counts(&self, campaign: &str) -> Result<Counts> {
        let c = Store::counts(self, campaign).map_err(serr)?;
        Ok(Counts { done: c.done as usize, failed: c.failed as usize, pending: c.pending as usize, running: c.running as usize, duplicates: c.duplicates as usize })
    }
    fn stage_store(&self, _hash: &str) -> Result<Arc<dyn StageStore>> {
        Ok(Arc::new(Store::stage_store(self, STAGES)))
    }
    fn url(&self) -> String {
        Store::url(self)
    }
}

/// File name of the results database that `describe` (CLI and Python) keeps its stages in when
/// no database is given: `<cache root>/results.db` (SQLite).
pub const DESCRIBE_DATABASE: &str = "results.db";

/// The stage store of a `describe` outside a campaign: the results database at `url` (any URL
/// of [`scalebridge_store::Store::open`]), or without one the SQLite file
/// `<cache_root>/`[`DESCRIBE_DATABASE`]. Its rows share the campaigns' namespace ([`STAGES`]):
/// stage keys are hashes of their inputs, so a `describe` reuses what a campaign computed on the
/// same database and the other way round, and a rerun of an interrupted `describe` resumes from
/// its last finished stage. Returns the store and its URL (without password).
pub fn describe_stages(url: Option<&str>, cache_root: &Path) -> Result<(Arc<dyn StageStore>, String)> {
    let url = match url {
        Some(u) => u.to_string(),
        None => cache_root.join(DESCRIBE_DATABASE).display().to_string(),
    };
    let store = Store::open(&url).map_err(serr)?;
    let shown = store.url();
    Ok((Arc::new(store.stage_store(STAGES)), shown))
}

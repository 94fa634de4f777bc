//! The campaign's view of the results database: claim a task, store its result or its failure,
//! list the tasks. [`TaskStore`] is the thin trait the engine uses; the results database
//! (`scalebridge-store`) implements it, and [`DirStore`] (one JSON file per task, written
//! atomically) is the stand-in used until that crate is merged.

use crate::error::{CampaignError, Result};
use scalebridge_core::StageStore;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
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

/// Open the database of `url`.
pub fn open(url: &str) -> Result<Arc<dyn TaskStore>> {
    if let Some(p) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("dir://")) {
        return Ok(Arc::new(DirStore::open(Path::new(p), url)?));
    }
    Err(CampaignError::Storage(format!("{url}: this build stores campaigns in sqlite:// paths only (PostgreSQL comes with the results database crate)")))
}

/// Stand-in store: `<path>.d/<campaign>/<hash>.json`, each written atomically.
pub struct DirStore {
    root: PathBuf,
    url: String,
}

#[derive(Serialize, Deserialize)]
struct Row {
    status: String,
    worker: String,
    candidate: serde_json::Value,
    result: Option<serde_json::Value>,
    error: Option<String>,
}

fn serr(e: impl std::fmt::Display) -> CampaignError {
    CampaignError::Storage(e.to_string())
}

impl DirStore {
    pub fn open(path: &Path, url: &str) -> Result<DirStore> {
        let root = PathBuf::from(format!("{}.d", path.display()));
        std::fs::create_dir_all(&root).map_err(|e| CampaignError::Storage(format!("{}: {e}", root.display())))?;
        Ok(DirStore { root, url: url.to_string() })
    }
    fn file(&self, campaign: &str, hash: &str) -> PathBuf {
        self.root.join(campaign).join(format!("{hash}.json"))
    }
    fn read(&self, campaign: &str, hash: &str) -> Result<Option<Row>> {
        match std::fs::read_to_string(self.file(campaign, hash)) {
            Ok(t) => Ok(serde_json::from_str(&t).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(serr(e)),
        }
    }
    fn write(&self, campaign: &str, hash: &str, row: &Row) -> Result<()> {
        let f = self.file(campaign, hash);
        if let Some(d) = f.parent() {
            std::fs::create_dir_all(d).map_err(serr)?;
        }
        let tmp = f.with_extension(format!("partial{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_string(row).map_err(serr)?).map_err(serr)?;
        std::fs::rename(&tmp, &f).map_err(serr)
    }
}

impl TaskStore for DirStore {
    fn claim(&self, campaign: &str, hash: &str, candidate_json: &str, worker: &str) -> Result<Claim> {
        match self.read(campaign, hash)? {
            Some(r) if r.status == "done" => Ok(Claim::Done(r.result.map(|v| v.to_string()).unwrap_or_default())),
            Some(r) if r.status == "running" && r.worker != worker => Ok(Claim::Running),
            _ => {
                let candidate = serde_json::from_str(candidate_json).map_err(serr)?;
                self.write(campaign, hash, &Row { status: "running".into(), worker: worker.into(), candidate, result: None, error: None })?;
                Ok(Claim::New)
            }
        }
    }
    fn put_result(&self, campaign: &str, hash: &str, result_json: &str) -> Result<bool> {
        let r = self.read(campaign, hash)?;
        if r.as_ref().is_some_and(|r| r.status == "done") {
            return Ok(false);
        }
        let (worker, candidate) = r.map_or((String::new(), serde_json::Value::Null), |r| (r.worker, r.candidate));
        self.write(campaign, hash, &Row { status: "done".into(), worker, candidate, result: Some(serde_json::from_str(result_json).map_err(serr)?), error: None })?;
        Ok(true)
    }
    fn mark_failed(&self, campaign: &str, hash: &str, error: &str) -> Result<()> {
        let r = self.read(campaign, hash)?;
        let (worker, candidate) = r.map_or((String::new(), serde_json::Value::Null), |r| (r.worker, r.candidate));
        self.write(campaign, hash, &Row { status: "failed".into(), worker, candidate, result: None, error: Some(error.into()) })
    }
    fn tasks(&self, campaign: &str) -> Result<Vec<Task>> {
        let dir = self.root.join(campaign);
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(&dir) else { return Ok(out) };
        let mut names: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        names.sort();
        for p in names {
            let Some(hash) = p.file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
            if let Some(r) = self.read(campaign, &hash)? {
                out.push(Task { hash, status: r.status, candidate: r.candidate, result: r.result, error: r.error });
            }
        }
        Ok(out)
    }
    fn counts(&self, campaign: &str) -> Result<Counts> {
        let mut c = Counts::default();
        for t in self.tasks(campaign)? {
            match t.status.as_str() {
                "done" => c.done += 1,
                "failed" => c.failed += 1,
                "running" => c.running += 1,
                _ => c.pending += 1,
            }
        }
        Ok(c)
    }
    fn stage_store(&self, _hash: &str) -> Result<Arc<dyn StageStore>> {
        Ok(Arc::new(scalebridge_core::StageCache::new(Some(self.root.join("stages")), "describe")))
    }
    fn url(&self) -> String {
        self.url.clone()
    }
}

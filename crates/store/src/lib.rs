//! The results database of scalebridge: SQLite by default (one file, nothing to start), PostgreSQL
//! by URL for teams and clusters. One schema and one set of guarantees on both:
//!
//! - a task is keyed by `(campaign, task_hash)`; [`Store::claim`] atomically tells a worker whether
//!   the task is finished ([`Claim::Done`]), held by a live claim ([`Claim::Running`]) or its own
//!   to run ([`Claim::New`], recorded as running with a lease);
//! - [`Store::put_result`] writes a result in one transaction and is idempotent: the UNIQUE key
//!   makes a second result for the same task impossible (it returns `false` and changes nothing);
//! - every finished stage of the `describe` pipeline is a row ([`Store::stage_store`] implements
//!   `scalebridge_core::store::StageStore`), so a rerun resumes from the database;
//! - large arrays live beside the database as files named by their SHA-256 ([`Store::put_blob`]),
//!   written atomically (temporary file, fsync, rename) and referenced from rows by hash;
//! - a read-only database, a full disk, a damaged file are a [`StorageError`] naming the path,
//!   never a half-written row (every write is one transaction).
//!
//! See docs/store.md for URLs, the schema and the PostgreSQL notes.

pub mod error;
pub mod export;
mod blob;
mod meta;
mod pg;
mod sql;
mod sqlite;
mod stage;
mod url;

pub use error::{Result, StorageError};
pub use stage::StoreStages;
pub use url::{Location, DEFAULT_LEASE_SECONDS};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// Schema version written to the `meta` table; a database with a newer version is refused.
pub const SCHEMA_VERSION: i64 = 1;

/// The state of one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Pending,
    Running,
    Done,
    Failed,
}

impl TaskStatus {
    /// The name stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Running => "running",
            TaskStatus::Done => "done",
            TaskStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Result<TaskStatus> {
        Ok(match s {
            "pending" => TaskStatus::Pending,
            "running" => TaskStatus::Running,
            "done" => TaskStatus::Done,
            "failed" => TaskStatus::Failed,
            other => return Err(StorageError::Invalid { what: "task status".into(), reason: format!("unknown status {other:?}") }),
        })
    }
}

/// One task of a campaign as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRow {
    pub task_hash: String,
    pub candidate_json: String,
    pub status: TaskStatus,
    /// The stored result (JSON text) once done.
    pub result_json: Option<String>,
    /// The last error message of a failed attempt.
    pub error: Option<String>,
    /// How many times the task was claimed to run.
    pub attempts: i64,
    /// Last change, Unix time in milliseconds.
    pub updated: i64,
    /// The worker that holds (or last held) the claim.
    pub worker: Option<String>,
}

/// Task counts of one campaign.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub done: u64,
    pub failed: u64,
    pub pending: u64,
    pub running: u64,
    /// Stored results sharing a task hash, counted by query (0 by construction: UNIQUE key).
    pub duplicates: u64,
}

/// Stage records of one task hash (e.g. `describe-stages`, where `describe` and `dataset build`
/// keep their stages): finished stages and failure records (keys ending in `.failed`, written
/// by the pipeline for a stage that fails deterministically).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageCounts {
    pub task_hash: String,
    pub finished: u64,
    pub failure_records: u64,
}

/// The answer of [`Store::claim`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The task is yours: it is now recorded as running by you, with a lease.
    New,
    /// Another live claim (lease not expired, another worker) holds it.
    Running,
    /// The task is finished: its stored result (JSON text).
    Done(String),
}

/// Columns extracted from a result or stage JSON (provenance, unit) for indexing.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RowMeta {
    pub unit: Option<String>,
    pub input_hash: Option<String>,
    pub seed: Option<String>,
    pub versions: Option<String>,
}

/// What a database engine implements; [`Store`] adds locking, clocks and blobs.
pub(crate) trait Backend: Send {
    fn claim(&mut self, campaign: &str, task_hash: &str, candidate_json: &str, worker: &str, now: i64, lease_ms: i64) -> Result<Claim>;
    fn renew(&mut self, campaign: &str, task_hash: &str, worker: &str, until: i64) -> Result<bool>;
    fn add_pending(&mut self, campaign: &str, tasks: &[(String, String)], now: i64) -> Result<usize>;
    fn put_result(&mut self, campaign: &str, task_hash: &str, json: &str, meta: &RowMeta, now: i64) -> Result<bool>;
    fn replace_result(&mut self, campaign: &str, task_hash: &str, json: &str, meta: &RowMeta, now: i64) -> Result<()>;
    fn mark_failed(&mut self, campaign: &str, task_hash: &str, error: &str, now: i64) -> Result<()>;
    fn result(&mut self, campaign: &str, task_hash: &str) -> Result<Option<String>>;
    fn tasks(&mut self, campaign: &str) -> Result<Vec<TaskRow>>;
    fn counts(&mut self, campaign: &str) -> Result<Counts>;
    fn campaigns(&mut self) -> Result<Vec<String>>;
    fn put_campaign(&mut self, name: &str, json: &str, now: i64) -> Result<()>;
    fn campaign(&mut self, name: &str) -> Result<Option<String>>;
    fn stage_get(&mut self, task_hash: &str, stage: &str) -> Result<Option<String>>;
    fn stage_put(&mut self, task_hash: &str, stage: &str, json: &str, meta: &RowMeta, now: i64) -> Result<()>;
    fn stages(&mut self, task_hash: &str) -> Result<Vec<(String, String)>>;
    fn stage_counts(&mut self) -> Result<Vec<StageCounts>>;
    /// Record a blob; `data` is stored in the database when the backend keeps blob bytes itself.
    fn blob_put(&mut self, hash: &str, size: u64, data: Option<&[u8]>, now: i64) -> Result<()>;
    fn blob_get(&mut self, hash: &str) -> Result<Option<Vec<u8>>>;
}

struct Inner {
    location: Location,
    backend: Mutex<Box<dyn Backend>>,
    lease_ms: AtomicI64,
}

/// A results store (cheap to clone: clones share one connection; `Send + Sync`).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url()).finish()
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Store {
    /// Open (creating if needed) the store at `url`: `sqlite:///abs/path.db`,
    /// `sqlite://relative.db`, a bare file path (SQLite), or `postgresql://user@host:port/db`
    /// (also `postgres://`). SQLite URLs take `?mode=ro` (read-only) and `?max_page_count=N`
    /// (a size limit in pages).
    pub fn open(url: &str) -> Result<Store> {
        let location = url::parse(url)?;
        let backend: Box<dyn Backend> = match &location {
            Location::Sqlite { path, read_only, max_page_count } => Box::new(sqlite::SqliteBackend::open(path, *read_only, *max_page_count)?),
            Location::Postgres { url, display } => Box::new(pg::PgBackend::open(url, display)?),
        };
        Ok(Store {
            inner: Arc::new(Inner { location, backend: Mutex::new(backend), lease_ms: AtomicI64::new(DEFAULT_LEASE_SECONDS * 1000) }),
        })
    }

    /// The URL of this store, without password.
    pub fn url(&self) -> String {
        self.inner.location.display()
    }

    /// Where this store lives.
    pub fn location(&self) -> &Location {
        &self.inner.location
    }

    /// How long a claim stays live without [`Store::renew`] (default
    /// [`DEFAULT_LEASE_SECONDS`]); after that another worker may take the task over.
    pub fn set_lease(&self, lease: std::time::Duration) {
        self.inner.lease_ms.store(lease.as_millis().min(i64::MAX as u128) as i64, Ordering::Relaxed);
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn Backend) -> Result<T>) -> Result<T> {
        // A panic while holding the lock cannot leave a half-written row (each write is one
        // transaction), so a poisoned lock is safe to reuse.
        let mut guard = self.inner.backend.lock().unwrap_or_else(|p| p.into_inner());
        f(guard.as_mut())
    }

    /// Atomically: [`Claim::Done`] with the stored result if the task is finished,
    /// [`Claim::Running`] if another worker holds a live claim (lease not expired), else
    /// [`Claim::New`]: the task (with its candidate) is recorded as running by `worker`, with a
    /// lease, and its attempt count is incremented. A claim held by the same `worker` name is
    /// taken again (a restarted worker resumes its own tasks at once).
    pub fn claim(&self, campaign: &str, task_hash: &str, candidate_json: &str, worker: &str) -> Result<Claim> {
        let lease = self.inner.lease_ms.load(Ordering::Relaxed);
        self.with(|b| b.claim(campaign, task_hash, candidate_json, worker, now_ms(), lease))
    }

    /// Register tasks `(task_hash, candidate_json)` as pending (one transaction); tasks already
    /// known are left as they are. Returns how many were new.
    pub fn add_pending(&self, campaign: &str, tasks: &[(String, String)]) -> Result<usize> {
        self.with(|b| b.add_pending(campaign, tasks, now_ms()))
    }

    /// Extend `worker`'s lease on a running task; `false` if the claim is no longer its own.
    pub fn renew(&self, campaign: &str, task_hash: &str, worker: &str) -> Result<bool> {
        let lease = self.inner.lease_ms.load(Ordering::Relaxed);
        self.with(|b| b.renew(campaign, task_hash, worker, now_ms().saturating_add(lease)))
    }

    /// Store the result of a task (JSON text) in one transaction and mark the task done.
    /// Idempotent: if a result is already stored, returns `false` and changes nothing.
    pub fn put_result(&self, campaign: &str, task_hash: &str, result_json: &str) -> Result<bool> {
        let meta = meta::extract(result_json, "result")?;
        self.with(|b| b.put_result(campaign, task_hash, result_json, &meta, now_ms()))
    }

    /// Store the result of a task in one transaction, replacing a stored one, and mark the task
    /// done: a result computed again after the code that produced it changed (the benchmark's
    /// `--refresh`). A reader sees the old result or the new one, never neither.
    pub fn replace_result(&self, campaign: &str, task_hash: &str, result_json: &str) -> Result<()> {
        let meta = meta::extract(result_json, "result")?;
        self.with(|b| b.replace_result(campaign, task_hash, result_json, &meta, now_ms()))
    }

    /// Record a failed attempt (the task becomes `failed`, claimable again). A finished task is
    /// left unchanged.
    pub fn mark_failed(&self, campaign: &str, task_hash: &str, error: &str) -> Result<()> {
        self.with(|b| b.mark_failed(campaign, task_hash, error, now_ms()))
    }

    /// The stored result of one task, if finished.
    pub fn result(&self, campaign: &str, task_hash: &str) -> Result<Option<String>> {
        self.with(|b| b.result(campaign, task_hash))
    }

    /// Every task of a campaign, in the order they were first claimed.
    pub fn tasks(&self, campaign: &str) -> Result<Vec<TaskRow>> {
        self.with(|b| b.tasks(campaign))
    }

    /// Task counts of a campaign (duplicates counted by query).
    pub fn counts(&self, campaign: &str) -> Result<Counts> {
        self.with(|b| b.counts(campaign))
    }

    /// Names of the campaigns with tasks or a registered description.
    pub fn campaigns(&self) -> Result<Vec<String>> {
        self.with(|b| b.campaigns())
    }

    /// Store (or replace) a campaign's description (JSON text: its file, settings, ...).
    pub fn put_campaign(&self, name: &str, json: &str) -> Result<()> {
        meta::extract(json, "campaign description")?;
        self.with(|b| b.put_campaign(name, json, now_ms()))
    }

    /// A campaign's stored description.
    pub fn campaign(&self, name: &str) -> Result<Option<String>> {
        self.with(|b| b.campaign(name))
    }

    /// The finished stages of one task as a `StageStore`: each `put` is one row of the
    /// `stages` table keyed by `(task_hash, stage)`.
    pub fn stage_store(&self, task_hash: &str) -> StoreStages {
        StoreStages::new(self.clone(), task_hash)
    }

    /// Every stored stage of a task: `(stage, json)`, ordered by stage name.
    pub fn stages(&self, task_hash: &str) -> Result<Vec<(String, String)>> {
        self.with(|b| b.stages(task_hash))
    }

    /// Stage records per task hash (finished stages and failure records), ordered by task hash.
    pub fn stage_counts(&self) -> Result<Vec<StageCounts>> {
        self.with(|b| b.stage_counts())
    }

    pub(crate) fn stage_get(&self, task_hash: &str, stage: &str) -> Result<Option<String>> {
        self.with(|b| b.stage_get(task_hash, stage))
    }

    pub(crate) fn stage_put(&self, task_hash: &str, stage: &str, json: &str) -> Result<()> {
        let meta = meta::extract(json, "stage")?;
        self.with(|b| b.stage_put(task_hash, stage, json, &meta, now_ms()))
    }

    /// Store bytes (a trajectory, a field) and return their SHA-256 (hex), the key to reference
    /// them from rows. SQLite: a file beside the database (`blobs/<aa>/<hash>`), written
    /// atomically; PostgreSQL: a `bytea` row. Storing the same bytes twice is a no-op.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        let hash = scalebridge_core::provenance::sha256_hex(bytes);
        match &self.inner.location {
            Location::Sqlite { path, read_only, .. } => {
                if *read_only {
                    return Err(StorageError::ReadOnly { path: path.display().to_string(), reason: "opened with mode=ro".into() });
                }
                blob::write_atomic(&blob::sqlite_blob_path(path, &hash)?, bytes)?;
                self.with(|b| b.blob_put(&hash, bytes.len() as u64, None, now_ms()))?;
            }
            Location::Postgres { .. } => self.with(|b| b.blob_put(&hash, bytes.len() as u64, Some(bytes), now_ms()))?,
        }
        Ok(hash)
    }

    /// A local file holding the blob `hash` (PostgreSQL blobs are copied into a local cache
    /// directory, `$SCALEBRIDGE_BLOB_DIR` or the system temporary directory, on first use).
    pub fn blob_path(&self, hash: &str) -> Result<PathBuf> {
        blob::check_hash(hash)?;
        match &self.inner.location {
            Location::Sqlite { path, .. } => {
                let p = blob::sqlite_blob_path(path, hash)?;
                if p.is_file() {
                    Ok(p)
                } else {
                    Err(StorageError::Invalid { what: format!("blob {hash}"), reason: format!("no file {}", p.display()) })
                }
            }
            Location::Postgres { .. } => {
                let p = blob::cache_path(hash);
                if p.is_file() && blob::verify(&p, hash) {
                    return Ok(p);
                }
                let data = self.with(|b| b.blob_get(hash))?.ok_or_else(|| StorageError::Invalid { what: format!("blob {hash}"), reason: "not stored in this database".into() })?;
                blob::write_atomic(&p, &data)?;
                Ok(p)
            }
        }
    }

    /// The bytes of blob `hash`, checked against their hash.
    pub fn get_blob(&self, hash: &str) -> Result<Vec<u8>> {
        let p = self.blob_path(hash)?;
        let data = std::fs::read(&p).map_err(|e| StorageError::io(&p, &e))?;
        if scalebridge_core::provenance::sha256_hex(&data) != hash {
            return Err(StorageError::Corrupt { path: p.display().to_string(), reason: "blob content does not match its hash".into() });
        }
        Ok(data)
    }
}

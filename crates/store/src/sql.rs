//! The schema and the statements, shared by both engines (SQLite numbers parameters `?1`,
//! PostgreSQL `$1`: [`pg`] converts). Times are Unix milliseconds (BIGINT).

/// Tables; `{BYTES}` is the engine's byte-string type. The primary keys are the UNIQUE
/// constraints that make duplicate results and stages impossible.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS campaigns (
    name TEXT PRIMARY KEY,
    spec_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    campaign TEXT NOT NULL,
    task_hash TEXT NOT NULL,
    candidate_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    worker TEXT,
    lease_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (campaign, task_hash)
);
CREATE TABLE IF NOT EXISTS results (
    campaign TEXT NOT NULL,
    task_hash TEXT NOT NULL,
    result_json TEXT NOT NULL,
    unit TEXT,
    input_hash TEXT,
    seed TEXT,
    versions TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (campaign, task_hash)
);
CREATE TABLE IF NOT EXISTS stages (
    task_hash TEXT NOT NULL,
    stage TEXT NOT NULL,
    json TEXT NOT NULL,
    unit TEXT,
    input_hash TEXT,
    seed TEXT,
    versions TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (task_hash, stage)
);
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data {BYTES},
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (campaign, status);
";

pub(crate) const GET_VERSION: &str = "SELECT value FROM meta WHERE key = 'schema_version'";
pub(crate) const SET_VERSION: &str = "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) ON CONFLICT (key) DO NOTHING";

pub(crate) const RESULT: &str = "SELECT result_json FROM results WHERE campaign = ?1 AND task_hash = ?2";
pub(crate) const TASK_STATE: &str = "SELECT status, worker, lease_until FROM tasks WHERE campaign = ?1 AND task_hash = ?2";
/// Claim: insert as running, or take an existing row over (attempts + 1).
pub(crate) const CLAIM_UPSERT: &str = "INSERT INTO tasks (campaign, task_hash, candidate_json, status, worker, lease_until, attempts, created_at, updated_at)
    VALUES (?1, ?2, ?3, 'running', ?4, ?5, 1, ?6, ?6)
    ON CONFLICT (campaign, task_hash) DO UPDATE SET status = 'running', worker = excluded.worker,
        lease_until = excluded.lease_until, attempts = tasks.attempts + 1, updated_at = excluded.updated_at,
        candidate_json = CASE WHEN tasks.candidate_json = 'null' THEN excluded.candidate_json ELSE tasks.candidate_json END";
/// Register a task as pending (nothing changes if it exists).
pub(crate) const ADD_PENDING: &str = "INSERT INTO tasks (campaign, task_hash, candidate_json, status, attempts, created_at, updated_at)
    VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?4) ON CONFLICT (campaign, task_hash) DO NOTHING";
pub(crate) const RENEW: &str = "UPDATE tasks SET lease_until = ?4, updated_at = ?5 WHERE campaign = ?1 AND task_hash = ?2 AND worker = ?3 AND status = 'running'";
pub(crate) const INSERT_RESULT: &str = "INSERT INTO results (campaign, task_hash, result_json, unit, input_hash, seed, versions, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (campaign, task_hash) DO NOTHING";
/// The same row as [`INSERT_RESULT`], replacing a stored one (a refreshed result).
pub(crate) const REPLACE_RESULT: &str = "INSERT INTO results (campaign, task_hash, result_json, unit, input_hash, seed, versions, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (campaign, task_hash) DO UPDATE SET result_json = excluded.result_json,
        unit = excluded.unit, input_hash = excluded.input_hash, seed = excluded.seed, versions = excluded.versions,
        created_at = excluded.created_at";
pub(crate) const TASK_DONE: &str = "INSERT INTO tasks (campaign, task_hash, candidate_json, status, attempts, created_at, updated_at)
    VALUES (?1, ?2, 'null', 'done', 0, ?3, ?3)
    ON CONFLICT (campaign, task_hash) DO UPDATE SET status = 'done', lease_until = NULL, updated_at = excluded.updated_at";
pub(crate) const TASK_FAILED: &str = "INSERT INTO tasks (campaign, task_hash, candidate_json, status, attempts, error, created_at, updated_at)
    VALUES (?1, ?2, 'null', 'failed', 0, ?3, ?4, ?4)
    ON CONFLICT (campaign, task_hash) DO UPDATE SET status = 'failed', error = excluded.error, lease_until = NULL, updated_at = excluded.updated_at
    WHERE tasks.status <> 'done'";
pub(crate) const TASKS: &str = "SELECT t.task_hash, t.candidate_json, t.status, r.result_json, t.error, t.attempts, t.updated_at, t.worker
    FROM tasks t LEFT JOIN results r ON r.campaign = t.campaign AND r.task_hash = t.task_hash
    WHERE t.campaign = ?1 ORDER BY t.created_at, t.task_hash";
pub(crate) const STATUS_COUNTS: &str = "SELECT status, COUNT(*) FROM tasks WHERE campaign = ?1 GROUP BY status";
/// Stored results sharing a task hash (0 by construction: counted, not assumed).
pub(crate) const DUPLICATES: &str = "SELECT COUNT(*) - COUNT(DISTINCT task_hash) FROM results WHERE campaign = ?1";
pub(crate) const CAMPAIGNS: &str = "SELECT name FROM campaigns UNION SELECT DISTINCT campaign FROM tasks ORDER BY 1";
pub(crate) const PUT_CAMPAIGN: &str = "INSERT INTO campaigns (name, spec_json, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
    ON CONFLICT (name) DO UPDATE SET spec_json = excluded.spec_json, updated_at = excluded.updated_at";
pub(crate) const CAMPAIGN: &str = "SELECT spec_json FROM campaigns WHERE name = ?1";
pub(crate) const STAGE_GET: &str = "SELECT json FROM stages WHERE task_hash = ?1 AND stage = ?2";
pub(crate) const STAGE_PUT: &str = "INSERT INTO stages (task_hash, stage, json, unit, input_hash, seed, versions, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
    ON CONFLICT (task_hash, stage) DO UPDATE SET json = excluded.json, unit = excluded.unit, input_hash = excluded.input_hash,
        seed = excluded.seed, versions = excluded.versions, created_at = excluded.created_at";
pub(crate) const STAGES: &str = "SELECT stage, json FROM stages WHERE task_hash = ?1 ORDER BY stage";
/// Stage records per task hash, and how many of them are failure records (`<key>.failed`).
pub(crate) const STAGE_COUNTS: &str = "SELECT task_hash, COUNT(*), SUM(CASE WHEN stage LIKE '%.failed' THEN 1 ELSE 0 END) \
     FROM stages GROUP BY task_hash ORDER BY task_hash";
pub(crate) const BLOB_PUT: &str = "INSERT INTO blobs (hash, size, data, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (hash) DO NOTHING";
pub(crate) const BLOB_GET: &str = "SELECT data FROM blobs WHERE hash = ?1";

/// Decide a claim from the stored state: `Some(Claim::Running)` when another worker's lease
/// is live, `None` when the caller may take the task.
pub(crate) fn held_by_other(status: &str, holder: Option<&str>, lease_until: Option<i64>, worker: &str, now: i64) -> bool {
    status == "running" && holder != Some(worker) && lease_until.is_some_and(|t| t > now)
}

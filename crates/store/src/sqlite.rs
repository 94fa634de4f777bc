//! SQLite: one file, WAL journal (readers never block the writer), a busy timeout so concurrent
//! processes wait instead of failing, every write one `BEGIN IMMEDIATE` transaction.

use crate::error::{Result, StorageError};
use crate::{sql, Backend, Claim, Counts, RowMeta, TaskRow, TaskStatus, SCHEMA_VERSION};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT_MS: u64 = 120_000;

pub(crate) struct SqliteBackend {
    conn: Connection,
    path: PathBuf,
}

/// Can a file be created in `dir`? (Permission bits do not stop root, so try it.)
fn dir_writable(dir: &Path) -> std::result::Result<(), std::io::Error> {
    let probe = dir.join(format!(".scalebridge-probe-{}", std::process::id()));
    std::fs::File::create(&probe)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

pub(crate) fn map_err(path: &Path, e: rusqlite::Error) -> StorageError {
    let p = path.display().to_string();
    match &e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            ErrorCode::ReadOnly => StorageError::ReadOnly { path: p, reason: e.to_string() },
            ErrorCode::DiskFull => StorageError::DiskFull { path: p, reason: e.to_string() },
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StorageError::Corrupt { path: p, reason: e.to_string() },
            ErrorCode::PermissionDenied => StorageError::ReadOnly { path: p, reason: e.to_string() },
            ErrorCode::CannotOpen => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                match dir_writable(dir) {
                    Err(io) if matches!(StorageError::io(dir, &io), StorageError::ReadOnly { .. }) => {
                        StorageError::ReadOnly { path: p, reason: format!("{e}; directory {}: {io}", dir.display()) }
                    }
                    _ => StorageError::Open { url: format!("sqlite://{p}"), reason: e.to_string() },
                }
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                StorageError::Backend { url: format!("sqlite://{p}"), reason: format!("{e} ({STILL_LOCKED} {} s)", BUSY_TIMEOUT_MS / 1000) }
            }
            _ => StorageError::Backend { url: format!("sqlite://{p}"), reason: e.to_string() },
        },
        _ => StorageError::Backend { url: format!("sqlite://{p}"), reason: e.to_string() },
    }
}

/// The words of a busy/locked error after the busy timeout (see [`map_err`]).
const STILL_LOCKED: &str = "still locked by another process after";

impl SqliteBackend {
    /// Open (and on first use create) the database. Processes that open a new file at the same
    /// moment race for the switch to WAL and the schema; SQLite answers some of those races with
    /// SQLITE_BUSY at once, without its busy handler, so the open is retried until the busy
    /// timeout has passed.
    pub(crate) fn open(path: &Path, read_only: bool, max_page_count: Option<u64>) -> Result<SqliteBackend> {
        let t0 = std::time::Instant::now();
        loop {
            match Self::open_once(path, read_only, max_page_count) {
                Err(StorageError::Backend { reason, .. }) if reason.contains(STILL_LOCKED) && t0.elapsed().as_millis() < BUSY_TIMEOUT_MS as u128 => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                r => return r,
            }
        }
    }

    fn open_once(path: &Path, read_only: bool, max_page_count: Option<u64>) -> Result<SqliteBackend> {
        let url = format!("sqlite://{}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !read_only && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|e| match StorageError::io(dir, &e) {
                    ro @ StorageError::ReadOnly { .. } => ro,
                    other => StorageError::Open { url: url.clone(), reason: other.to_string() },
                })?;
            }
        }
        if path.is_dir() {
            return Err(StorageError::Open { url, reason: "is a directory".into() });
        }
        let flags = if read_only {
            if !path.exists() {
                return Err(StorageError::Open { url, reason: "no such file (opened read-only)".into() });
            }
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let e = |err| map_err(path, err);
        let conn = Connection::open_with_flags(path, flags).map_err(e)?;
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).map_err(e)?;
        let mut b = SqliteBackend { conn, path: path.to_path_buf() };
        // A file that is not a database fails here (the first read of its header).
        let mode: String = b.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(e)?;
        if !read_only {
            if !mode.eq_ignore_ascii_case("wal") {
                let m: String = b.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(e)?;
                if !m.eq_ignore_ascii_case("wal") {
                    // SQLite leaves the mode unchanged when it cannot write the file.
                    return Err(StorageError::ReadOnly { path: path.display().to_string(), reason: format!("cannot switch the journal to WAL (still {m})") });
                }
            }
            b.conn.pragma_update(None, "synchronous", "FULL").map_err(e)?;
            if let Some(n) = max_page_count {
                b.conn.query_row(&format!("PRAGMA max_page_count = {n}"), [], |_| Ok(())).map_err(e)?;
            }
            // An existing store of this version is used as it is (so a file that became
            // read-only can still be read); a new file gets the schema.
            match b.check_version() {
                Ok(()) => {}
                Err(StorageError::Corrupt { .. }) if !b.has_meta_table()? => b.create_schema()?,
                // the meta table appeared between the two reads: another process created the
                // schema (its one transaction holds the table and the version), so read again;
                // a store whose meta table has no version stays an error
                Err(StorageError::Corrupt { .. }) => b.check_version()?,
                Err(e) => return Err(e),
            }
        } else {
            b.check_version()?;
        }
        Ok(b)
    }

    fn err(&self, e: rusqlite::Error) -> StorageError {
        map_err(&self.path, e)
    }

    /// Whether the file has our `meta` table (a new file, or another program's database, has not).
    fn has_meta_table(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn create_schema(&mut self) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| map_err(&path, e))?;
        tx.execute_batch(&sql::SCHEMA.replace("{BYTES}", "BLOB")).map_err(|e| map_err(&path, e))?;
        tx.execute(sql::SET_VERSION, params![SCHEMA_VERSION.to_string()]).map_err(|e| map_err(&path, e))?;
        tx.commit().map_err(|e| map_err(&path, e))?;
        self.check_version()
    }

    fn check_version(&mut self) -> Result<()> {
        let v: Option<String> = self.conn.query_row(sql::GET_VERSION, [], |r| r.get(0)).optional().map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::Unknown => {
                StorageError::Corrupt { path: self.path.display().to_string(), reason: "no meta table: not a scalebridge store".into() }
            }
            other => self.err(other),
        })?;
        let found: i64 = match v {
            Some(s) => s.parse().map_err(|_| StorageError::Corrupt { path: self.path.display().to_string(), reason: format!("schema_version {s:?} is not a number") })?,
            None => return Err(StorageError::Corrupt { path: self.path.display().to_string(), reason: "no schema_version in meta".into() }),
        };
        if found > SCHEMA_VERSION {
            return Err(StorageError::SchemaVersion { path: self.path.display().to_string(), found, supported: SCHEMA_VERSION });
        }
        Ok(())
    }

    /// Run `f` inside one `BEGIN IMMEDIATE` transaction; any error rolls everything back.
    fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>) -> Result<T> {
        let path = self.path.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| map_err(&path, e))?;
        let v = f(&tx).map_err(|e| map_err(&path, e))?;
        tx.commit().map_err(|e| map_err(&path, e))?;
        Ok(v)
    }
}

impl Backend for SqliteBackend {
    fn claim(&mut self, campaign: &str, task_hash: &str, candidate_json: &str, worker: &str, now: i64, lease_ms: i64) -> Result<Claim> {
        self.write(|tx| {
            if let Some(r) = tx.query_row(sql::RESULT, params![campaign, task_hash], |r| r.get::<_, String>(0)).optional()? {
                return Ok(Claim::Done(r));
            }
            let state = tx
                .query_row(sql::TASK_STATE, params![campaign, task_hash], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<i64>>(2)?)))
                .optional()?;
            if let Some((status, holder, lease)) = state {
                if sql::held_by_other(&status, holder.as_deref(), lease, worker, now) {
                    return Ok(Claim::Running);
                }
            }
            tx.execute(sql::CLAIM_UPSERT, params![campaign, task_hash, candidate_json, worker, now.saturating_add(lease_ms), now])?;
            Ok(Claim::New)
        })
    }

    fn add_pending(&mut self, campaign: &str, tasks: &[(String, String)], now: i64) -> Result<usize> {
        self.write(|tx| {
            let mut n = 0;
            let mut st = tx.prepare_cached(sql::ADD_PENDING)?;
            for (h, c) in tasks {
                n += st.execute(params![campaign, h, c, now])?;
            }
            Ok(n)
        })
    }

    fn renew(&mut self, campaign: &str, task_hash: &str, worker: &str, until: i64) -> Result<bool> {
        let now = crate::now_ms();
        self.write(|tx| Ok(tx.execute(sql::RENEW, params![campaign, task_hash, worker, until, now])? == 1))
    }

    fn put_result(&mut self, campaign: &str, task_hash: &str, json: &str, m: &RowMeta, now: i64) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(sql::INSERT_RESULT, params![campaign, task_hash, json, m.unit, m.input_hash, m.seed, m.versions, now])?;
            if n == 1 {
                tx.execute(sql::TASK_DONE, params![campaign, task_hash, now])?;
            }
            Ok(n == 1)
        })
    }

    fn replace_result(&mut self, campaign: &str, task_hash: &str, json: &str, m: &RowMeta, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(sql::REPLACE_RESULT, params![campaign, task_hash, json, m.unit, m.input_hash, m.seed, m.versions, now])?;
            tx.execute(sql::TASK_DONE, params![campaign, task_hash, now])?;
            Ok(())
        })
    }

    fn mark_failed(&mut self, campaign: &str, task_hash: &str, error: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(sql::TASK_FAILED, params![campaign, task_hash, error, now])?;
            Ok(())
        })
    }

    fn result(&mut self, campaign: &str, task_hash: &str) -> Result<Option<String>> {
        self.conn.query_row(sql::RESULT, params![campaign, task_hash], |r| r.get(0)).optional().map_err(|e| self.err(e))
    }

    fn tasks(&mut self, campaign: &str) -> Result<Vec<TaskRow>> {
        let path = self.path.clone();
        let e = |err| map_err(&path, err);
        let mut st = self.conn.prepare_cached(sql::TASKS).map_err(e)?;
        let rows = st
            .query_map(params![campaign], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(e)?;
        let mut out = Vec::new();
        for row in rows {
            let (task_hash, candidate_json, status, result_json, error, attempts, updated, worker) = row.map_err(e)?;
            out.push(TaskRow { task_hash, candidate_json, status: TaskStatus::parse(&status)?, result_json, error, attempts, updated, worker });
        }
        Ok(out)
    }

    fn counts(&mut self, campaign: &str) -> Result<Counts> {
        // One read transaction, so the counts are one consistent snapshot.
        let path = self.path.clone();
        let e = |err| map_err(&path, err);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(e)?;
        let mut c = Counts::default();
        {
            let mut st = tx.prepare_cached(sql::STATUS_COUNTS).map_err(e)?;
            let rows = st.query_map(params![campaign], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(e)?;
            for row in rows {
                let (status, n) = row.map_err(e)?;
                let n = n.max(0) as u64;
                match TaskStatus::parse(&status)? {
                    TaskStatus::Pending => c.pending = n,
                    TaskStatus::Running => c.running = n,
                    TaskStatus::Done => c.done = n,
                    TaskStatus::Failed => c.failed = n,
                }
            }
        }
        c.duplicates = tx.query_row(sql::DUPLICATES, params![campaign], |r| r.get::<_, i64>(0)).map_err(e)?.max(0) as u64;
        tx.commit().map_err(e)?;
        Ok(c)
    }

    fn campaigns(&mut self) -> Result<Vec<String>> {
        let path = self.path.clone();
        let e = |err| map_err(&path, err);
        let mut st = self.conn.prepare_cached(sql::CAMPAIGNS).map_err(e)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(e)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(e)
    }

    fn put_campaign(&mut self, name: &str, json: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(sql::PUT_CAMPAIGN, params![name, json, now])?;
            Ok(())
        })
    }

    fn campaign(&mut self, name: &str) -> Result<Option<String>> {
        self.conn.query_row(sql::CAMPAIGN, params![name], |r| r.get(0)).optional().map_err(|e| self.err(e))
    }

    fn stage_get(&mut self, task_hash: &str, stage: &str) -> Result<Option<String>> {
        self.conn.query_row(sql::STAGE_GET, params![task_hash, stage], |r| r.get(0)).optional().map_err(|e| self.err(e))
    }

    fn stage_put(&mut self, task_hash: &str, stage: &str, json: &str, m: &RowMeta, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(sql::STAGE_PUT, params![task_hash, stage, json, m.unit, m.input_hash, m.seed, m.versions, now])?;
            Ok(())
        })
    }

    fn stages(&mut self, task_hash: &str) -> Result<Vec<(String, String)>> {
        let path = self.path.clone();
        let e = |err| map_err(&path, err);
        let mut st = self.conn.prepare_cached(sql::STAGES).map_err(e)?;
        let rows = st.query_map(params![task_hash], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(e)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(e)
    }

    fn stage_counts(&mut self) -> Result<Vec<crate::StageCounts>> {
        let path = self.path.clone();
        let e = |err| map_err(&path, err);
        let mut st = self.conn.prepare_cached(sql::STAGE_COUNTS).map_err(e)?;
        let rows = st
            .query_map([], |r| {
                let (n, f): (i64, i64) = (r.get(1)?, r.get(2)?);
                Ok(crate::StageCounts { task_hash: r.get(0)?, finished: (n - f) as u64, failure_records: f as u64 })
            })
            .map_err(e)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(e)
    }

    fn blob_put(&mut self, hash: &str, size: u64, data: Option<&[u8]>, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(sql::BLOB_PUT, params![hash, size as i64, data, now])?;
            Ok(())
        })
    }

    fn blob_get(&mut self, hash: &str) -> Result<Option<Vec<u8>>> {
        self.conn.query_row(sql::BLOB_GET, params![hash], |r| r.get::<_, Option<Vec<u8>>>(0)).optional().map(|o| o.flatten()).map_err(|e| self.err(e))
    }
}

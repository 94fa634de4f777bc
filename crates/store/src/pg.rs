//! PostgreSQL (the synchronous `postgres` client, no TLS): the same schema and statements as
//! SQLite. Claims lock the task row with `SELECT .. FOR UPDATE SKIP LOCKED`, results are
//! `INSERT .. ON CONFLICT DO NOTHING`, so several processes (campaigns, Dask workers) on one
//! database stay consistent. Schema creation is serialised by an advisory lock.

use crate::error::{Result, StorageError};
use crate::{sql, Backend, Claim, Counts, RowMeta, TaskRow, TaskStatus, SCHEMA_VERSION};
use postgres::error::SqlState;
use postgres::{Client, IsolationLevel, NoTls};

/// Advisory-lock key that serialises schema creation ("scalebridge" in a 63-bit number).
const SCHEMA_LOCK: i64 = 0x5ca1_eb21_d9e0_0001;

pub(crate) struct PgBackend {
    client: Client,
    url: String,
    display: String,
}

fn q(s: &str) -> String {
    s.replace('?', "$")
}


fn map_err(display: &str, e: postgres::Error) -> StorageError {
    let reason = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    };
    let path = display.to_string();
    match e.code() {
        Some(c) if *c == SqlState::DISK_FULL || *c == SqlState::OUT_OF_MEMORY || *c == SqlState::PROGRAM_LIMIT_EXCEEDED => StorageError::DiskFull { path, reason },
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION || *c == SqlState::INSUFFICIENT_PRIVILEGE => StorageError::ReadOnly { path, reason },
        Some(c) if *c == SqlState::DATA_CORRUPTED || *c == SqlState::INDEX_CORRUPTED => StorageError::Corrupt { path, reason },
        _ if e.is_closed() => StorageError::Open { url: path, reason: format!("connection lost: {reason}") },
        _ => StorageError::Backend { url: path, reason },
    }
}

impl PgBackend {
    pub(crate) fn open(url: &str, display: &str) -> Result<PgBackend> {
        let client = Client::connect(url, NoTls).map_err(|e| StorageError::Open { url: display.to_string(), reason: e.to_string() })?;
        let mut b = PgBackend { client, url: url.to_string(), display: display.to_string() };
        b.create_schema()?;
        Ok(b)
    }

    fn err(&self, e: postgres::Error) -> StorageError {
        map_err(&self.display, e)
    }

    /// Reconnect if the server closed the connection (a restart, an idle timeout).
    fn ensure(&mut self) -> Result<()> {
        if self.client.is_closed() {
            self.client = Client::connect(&self.url, NoTls).map_err(|e| StorageError::Open { url: self.display.clone(), reason: e.to_string() })?;
        }
        Ok(())
    }

    fn create_schema(&mut self) -> Result<()> {
        let d = self.display.clone();
        // An existing store of this version is used as it is (a read-only role can read it).
        if let Ok(Some(row)) = self.client.query_opt(sql::GET_VERSION, &[]) {
            if row.try_get::<_, String>(0).ok().and_then(|s| s.parse::<i64>().ok()) == Some(SCHEMA_VERSION) {
                return Ok(());
            }
        }
        let e = |err| map_err(&d, err);
        let mut tx = self.client.transaction().map_err(e)?;
        tx.query("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map_err(e)?;
        tx.batch_execute(&sql::SCHEMA.replace("{BYTES}", "BYTEA")).map_err(e)?;
        tx.execute(q(sql::SET_VERSION).as_str(), &[&SCHEMA_VERSION.to_string()]).map_err(e)?;
        let v: Option<String> = tx.query_opt(sql::GET_VERSION, &[]).map_err(e)?.map(|r| r.get(0));
        tx.commit().map_err(e)?;
        let found: i64 = match v {
            Some(s) => s.parse().map_err(|_| StorageError::Corrupt { path: d.clone(), reason: format!("schema_version {s:?} is not a number") })?,
            None => return Err(StorageError::Corrupt { path: d, reason: "no schema_version in meta".into() }),
        };
        if found > SCHEMA_VERSION {
            return Err(StorageError::SchemaVersion { path: d, found, supported: SCHEMA_VERSION });
        }
        Ok(())
    }

    /// Run `f` in one transaction; an error rolls it back.
    fn write<T>(&mut self, f: impl FnOnce(&mut postgres::Transaction<'_>) -> std::result::Result<T, postgres::Error>) -> Result<T> {
        self.ensure()?;
        let d = self.display.clone();
        let mut tx = self.client.transaction().map_err(|e| map_err(&d, e))?;
        let v = f(&mut tx).map_err(|e| map_err(&d, e))?;
        tx.commit().map_err(|e| map_err(&d, e))?;
        Ok(v)
    }
}

impl Backend for PgBackend {
    fn claim(&mut self, campaign: &str, task_hash: &str, candidate_json: &str, worker: &str, now: i64, lease_ms: i64) -> Result<Claim> {
        let until = now.saturating_add(lease_ms);
        self.write(|tx| {
            if let Some(r) = tx.query_opt(q(sql::RESULT).as_str(), &[&campaign, &task_hash])? {
                return Ok(Claim::Done(r.get(0)));
            }
            tx.execute(q(sql::ADD_PENDING).as_str(), &[&campaign, &task_hash, &candidate_json, &now])?;
            let locked = format!("{} FOR UPDATE SKIP LOCKED", q(sql::TASK_STATE));
            let Some(row) = tx.query_opt(locked.as_str(), &[&campaign, &task_hash])? else {
                // another transaction is claiming or finishing this very task right now
                return Ok(Claim::Running);
            };
            let status: String = row.get(0);
            let holder: Option<String> = row.get(1);
            let lease: Option<i64> = row.get(2);
            if status == "done" {
                if let Some(r) = tx.query_opt(q(sql::RESULT).as_str(), &[&campaign, &task_hash])? {
                    return Ok(Claim::Done(r.get(0)));
                }
            }
            if sql::held_by_other(&status, holder.as_deref(), lease, worker, now) {
                return Ok(Claim::Running);
            }
            tx.execute(q(sql::CLAIM_UPSERT).as_str(), &[&campaign, &task_hash, &candidate_json, &worker, &until, &now])?;
            Ok(Claim::New)
        })
    }

    fn add_pending(&mut self, campaign: &str, tasks: &[(String, String)], now: i64) -> Result<usize> {
        self.write(|tx| {
            let st = tx.prepare(q(sql::ADD_PENDING).as_str())?;
            let mut n = 0;
            for (h, c) in tasks {
                n += tx.execute(&st, &[&campaign, h, c, &now])? as usize;
            }
            Ok(n)
        })
    }

    fn renew(&mut self, campaign: &str, task_hash: &str, worker: &str, until: i64) -> Result<bool> {
        let now = crate::now_ms();
        self.write(|tx| Ok(tx.execute(q(sql::RENEW).as_str(), &[&campaign, &task_hash, &worker, &until, &now])? == 1))
    }

    fn put_result(&mut self, campaign: &str, task_hash: &str, json: &str, m: &RowMeta, now: i64) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(q(sql::INSERT_RESULT).as_str(), &[&campaign, &task_hash, &json, &m.unit, &m.input_hash, &m.seed, &m.versions, &now])?;
            if n == 1 {
                tx.execute(q(sql::TASK_DONE).as_str(), &[&campaign, &task_hash, &now])?;
            }
            Ok(n == 1)
        })
    }

    fn replace_result(&mut self, campaign: &str, task_hash: &str, json: &str, m: &RowMeta, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(q(sql::REPLACE_RESULT).as_str(), &[&campaign, &task_hash, &json, &m.unit, &m.input_hash, &m.seed, &m.versions, &now])?;
            tx.execute(q(sql::TASK_DONE).as_str(), &[&campaign, &task_hash, &now])?;
            Ok(())
        })
    }

    fn mark_failed(&mut self, campaign: &str, task_hash: &str, error: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(q(sql::TASK_FAILED).as_str(), &[&campaign, &task_hash, &error, &now])?;
            Ok(())
        })
    }

    fn result(&mut self, campaign: &str, task_hash: &str) -> Result<Option<String>> {
        self.ensure()?;
        let r = self.client.query_opt(q(sql::RESULT).as_str(), &[&campaign, &task_hash]).map_err(|e| self.err(e))?;
        Ok(r.map(|r| r.get(0)))
    }

    fn tasks(&mut self, campaign: &str) -> Result<Vec<TaskRow>> {
        self.ensure()?;
        let rows = self.client.query(q(sql::TASKS).as_str(), &[&campaign]).map_err(|e| self.err(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let status: String = r.get(2);
            out.push(TaskRow {
                task_hash: r.get(0),
                candidate_json: r.get(1),
                status: TaskStatus::parse(&status)?,
                result_json: r.get(3),
                error: r.get(4),
                attempts: r.get(5),
                updated: r.get(6),
                worker: r.get(7),
            });
        }
        Ok(out)
    }

    fn counts(&mut self, campaign: &str) -> Result<Counts> {
        self.ensure()?;
        let d = self.display.clone();
        let e = |err| map_err(&d, err);
        // one snapshot for all the numbers
        let mut tx = self.client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start().map_err(e)?;
        let mut c = Counts::default();
        for r in tx.query(q(sql::STATUS_COUNTS).as_str(), &[&campaign]).map_err(e)? {
            let status: String = r.get(0);
            let n = r.get::<_, i64>(1).max(0) as u64;
            match TaskStatus::parse(&status)? {
                TaskStatus::Pending => c.pending = n,
                TaskStatus::Running => c.running = n,
                TaskStatus::Done => c.done = n,
                TaskStatus::Failed => c.failed = n,
            }
        }
        c.duplicates = tx.query_one(q(sql::DUPLICATES).as_str(), &[&campaign]).map_err(e)?.get::<_, i64>(0).max(0) as u64;
        tx.commit().map_err(e)?;
        Ok(c)
    }

    fn campaigns(&mut self) -> Result<Vec<String>> {
        self.ensure()?;
        let rows = self.client.query(sql::CAMPAIGNS, &[]).map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn put_campaign(&mut self, name: &str, json: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(q(sql::PUT_CAMPAIGN).as_str(), &[&name, &json, &now])?;
            Ok(())
        })
    }

    fn campaign(&mut self, name: &str) -> Result<Option<String>> {
        self.ensure()?;
        let r = self.client.query_opt(q(sql::CAMPAIGN).as_str(), &[&name]).map_err(|e| self.err(e))?;
        Ok(r.map(|r| r.get(0)))
    }

    fn stage_get(&mut self, task_hash: &str, stage: &str) -> Result<Option<String>> {
        self.ensure()?;
        let r = self.client.query_opt(q(sql::STAGE_GET).as_str(), &[&task_hash, &stage]).map_err(|e| self.err(e))?;
        Ok(r.map(|r| r.get(0)))
    }

    fn stage_put(&mut self, task_hash: &str, stage: &str, json: &str, m: &RowMeta, now: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(q(sql::STAGE_PUT).as_str(), &[&task_hash, &stage, &json, &m.unit, &m.input_hash, &m.seed, &m.versions, &now])?;
            Ok(())
        })
    }

    fn stages(&mut self, task_hash: &str) -> Result<Vec<(String, String)>> {
        self.ensure()?;
        let rows = self.client.query(q(sql::STAGES).as_str(), &[&task_hash]).map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn stage_counts(&mut self) -> Result<Vec<crate::StageCounts>> {
        self.ensure()?;
        let rows = self.client.query(sql::STAGE_COUNTS, &[]).map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                let (n, f): (i64, i64) = (r.get(1), r.get(2));
                crate::StageCounts { task_hash: r.get(0), finished: (n - f) as u64, failure_records: f as u64 }
            })
            .collect())
    }

    fn blob_put(&mut self, hash: &str, size: u64, data: Option<&[u8]>, now: i64) -> Result<()> {
        let size = size as i64;
        self.write(|tx| {
            tx.execute(q(sql::BLOB_PUT).as_str(), &[&hash, &size, &data, &now])?;
            Ok(())
        })
    }

    fn blob_get(&mut self, hash: &str) -> Result<Option<Vec<u8>>> {
        self.ensure()?;
        let r = self.client.query_opt(q(sql::BLOB_GET).as_str(), &[&hash]).map_err(|e| self.err(e))?;
        Ok(r.and_then(|r| r.get::<_, Option<Vec<u8>>>(0)))
    }
}

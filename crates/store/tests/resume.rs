//! Kill-and-resume with a real SIGKILL, and concurrent writers, on SQLite and PostgreSQL.
//!
//! The worker is this very test binary, re-executed with `--exact child_worker_entry_point`
//! and its job in environment variables: it walks the tasks, claims each, logs `exec i` before
//! computing, computes one cached stage (logging `stage i` when the stage really runs), stores
//! the result and logs `stored i`. The parent SIGKILLs it at random moments and reruns it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use scalebridge_core::store::get_or_run;
use scalebridge_store::{Claim, Store};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn expected(i: usize) -> String {
    format!(r#"{{"i":{i},"square":{},"unit":"1","provenance":{{"input_hash":"t{i:04}","seeds":[{i}]}}}}"#, i * i)
}

fn log_line(log: &mut std::fs::File, line: String) {
    log.write_all(line.as_bytes()).unwrap();
}

/// The worker (runs only when re-executed with SB_WORKER_URL set).
#[test]
fn child_worker_entry_point() {
    let Ok(url) = std::env::var("SB_WORKER_URL") else { return };
    let campaign = std::env::var("SB_WORKER_CAMPAIGN").unwrap();
    let n: usize = std::env::var("SB_WORKER_N").unwrap().parse().unwrap();
    let worker = std::env::var("SB_WORKER_NAME").unwrap();
    let reverse = std::env::var("SB_WORKER_REVERSE").is_ok();
    let pause_ms: u64 = std::env::var("SB_WORKER_PAUSE_MS").unwrap().parse().unwrap();
    let mut log = std::fs::OpenOptions::new().append(true).create(true).open(std::env::var("SB_WORKER_LOG").unwrap()).unwrap();
    let store = Store::open(&url).unwrap();
    let order: Vec<usize> = if reverse { (0..n).rev().collect() } else { (0..n).collect() };
    for i in order {
        let hash = format!("t{i:04}");
        match store.claim(&campaign, &hash, &format!(r#"{{"i":{i}}}"#), &worker).unwrap() {
            Claim::Done(r) => assert_eq!(r, expected(i)),
            Claim::Running => {}
            Claim::New => {
                log_line(&mut log, format!("exec {i} {worker}\n"));
                let stages = store.stage_store(&format!("{campaign}/{hash}"));
                let sq: usize = get_or_run(&stages, "square", || -> scalebridge_core::error::Result<usize> {
                    log_line(&mut log, format!("stage {i} {worker}\n"));
                    std::thread::sleep(std::time::Duration::from_millis(pause_ms));
                    Ok(i * i)
                })
                .unwrap();
                assert_eq!(sq, i * i);
                std::thread::sleep(std::time::Duration::from_millis(pause_ms));
                if store.put_result(&campaign, &hash, &expected(i)).unwrap() {
                    log_line(&mut log, format!("stored {i} {worker}\n"));
                }
            }
        }
    }
}

fn spawn_worker(url: &str, campaign: &str, n: usize, worker: &str, log: &Path, reverse: bool, pause_ms: u64) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_worker_entry_point", "--nocapture", "--test-threads=1"])
        .env("SB_WORKER_URL", url)
        .env("SB_WORKER_CAMPAIGN", campaign)
        .env("SB_WORKER_N", n.to_string())
        .env("SB_WORKER_NAME", worker)
        .env("SB_WORKER_LOG", log)
        .env("SB_WORKER_PAUSE_MS", pause_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if reverse {
        cmd.env("SB_WORKER_REVERSE", "1");
    }
    cmd.spawn().unwrap()
}

fn finish(child: Child) {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "worker failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn stored_results(store: &Store, campaign: &str) -> BTreeMap<String, String> {
    store.tasks(campaign).unwrap().into_iter().filter_map(|t| t.result_json.map(|r| (t.task_hash, r))).collect()
}

/// Per task: the log's events in order.
fn events(log: &Path) -> HashMap<usize, Vec<String>> {
    let mut m: HashMap<usize, Vec<String>> = HashMap::new();
    for line in std::fs::read_to_string(log).unwrap_or_default().lines() {
        let mut it = line.split_whitespace();
        let (Some(kind), Some(i)) = (it.next(), it.next()) else { continue }; // a line cut by the kill
        if let Ok(i) = i.parse() {
            m.entry(i).or_default().push(kind.to_string());
        }
    }
    m
}

/// A small deterministic generator for the kill moments.
struct XorShift(u64);
impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn kill_and_resume(url: &str, campaign: &str, tag: &str) {
    const N: usize = 60;
    const KILLS: usize = 6;
    let dir = common::fresh_dir(tag);
    let log = dir.join("executions.log");
    let store = Store::open(url).unwrap();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ N as u64);
    let mut before = BTreeMap::new();
    let mut kills = 0;
    for _ in 0..KILLS {
        let mut child = spawn_worker(url, campaign, N, "worker-1", &log, false, 4);
        // wait a random moment, but until the worker has done something new, so kills land
        // in the middle of the work rather than all at start-up
        let lines_before = std::fs::read_to_string(&log).map(|s| s.lines().count()).unwrap_or(0);
        let wait = 5 + rng.below(60);
        let mut waited = 0;
        while waited < 20_000 {
            std::thread::sleep(std::time::Duration::from_millis(1));
            waited += 1;
            let lines = std::fs::read_to_string(&log).map(|s| s.lines().count()).unwrap_or(0);
            if lines > lines_before && waited >= wait {
                break;
            }
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
        }
        let alive = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if alive {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "the worker was not killed by SIGKILL");
            kills += 1;
        }
        // nothing finished is ever lost or changed
        let now = stored_results(&store, campaign);
        for (k, v) in &before {
            assert_eq!(now.get(k), Some(v), "result {k} lost or changed after a SIGKILL");
        }
        before = now;
    }
    assert!(kills >= KILLS / 2, "only {kills} of {KILLS} kills hit a running worker");
    assert!(before.len() < N, "every task finished before the last kill: the kills tested nothing");
    // rerun to the end
    finish(spawn_worker(url, campaign, N, "worker-1", &log, false, 0));
    let done = stored_results(&store, campaign);
    assert_eq!(done.len(), N);
    for i in 0..N {
        assert_eq!(done[&format!("t{i:04}")], expected(i), "task {i}");
    }
    let c = store.counts(campaign).unwrap();
    assert_eq!((c.done as usize, c.duplicates, c.running, c.pending, c.failed), (N, 0, 0, 0, 0));
    // executions: nothing stored was recomputed; only tasks cut by a kill ran twice
    let ev = events(&log);
    let mut extra_exec = 0;
    let mut extra_stage = 0;
    for i in 0..N {
        let e = ev.get(&i).cloned().unwrap_or_default();
        if let Some(pos) = e.iter().position(|k| k == "stored") {
            assert!(!e[pos + 1..].iter().any(|k| k == "exec" || k == "stage"), "task {i} recomputed after it was stored: {e:?}");
        }
        assert!(e.iter().filter(|k| *k == "stored").count() <= 1, "task {i} stored twice: {e:?}");
        extra_exec += e.iter().filter(|k| *k == "exec").count().saturating_sub(1);
        extra_stage += e.iter().filter(|k| *k == "stage").count().saturating_sub(1);
    }
    eprintln!("{tag}: {kills} SIGKILLs, {} results stored before the final run, {extra_exec} re-executions, {extra_stage} stage re-runs", before.len());
    // one worker computes one task at a time: each kill interrupts at most one task
    assert!(extra_exec <= kills, "{extra_exec} re-executions for {kills} kills");
    assert!(extra_stage <= kills, "{extra_stage} stage re-runs for {kills} kills");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn concurrent_writers(url: &str, campaign: &str, other_campaign: &str, tag: &str) {
    const N: usize = 80;
    let dir = common::fresh_dir(tag);
    let log = dir.join("executions.log");
    let log2 = dir.join("other.log");
    // two workers on the same campaign (one walking backwards) and a second campaign at once
    let a = spawn_worker(url, campaign, N, "worker-a", &log, false, 1);
    let b = spawn_worker(url, campaign, N, "worker-b", &log, true, 1);
    let c = spawn_worker(url, other_campaign, N / 2, "worker-c", &log2, false, 1);
    finish(a);
    finish(b);
    finish(c);
    let store = Store::open(url).unwrap();
    let counts = store.counts(campaign).unwrap();
    assert_eq!((counts.done as usize, counts.duplicates, counts.running), (N, 0, 0));
    let ev = events(&log);
    let mut by_worker: HashMap<String, usize> = HashMap::new();
    for line in std::fs::read_to_string(&log).unwrap().lines() {
        if line.starts_with("exec ") {
            *by_worker.entry(line.split_whitespace().nth(2).unwrap().to_string()).or_default() += 1;
        }
    }
    for i in 0..N {
        // claims are exclusive: every task ran exactly once, whichever worker took it
        assert_eq!(ev[&i].iter().filter(|k| *k == "exec").count(), 1, "task {i}: {:?}", ev[&i]);
        assert_eq!(store.result(campaign, &format!("t{i:04}")).unwrap().unwrap(), expected(i));
    }
    assert_eq!(by_worker.values().sum::<usize>(), N);
    eprintln!("{tag}: tasks run per worker {by_worker:?}");
    let other = store.counts(other_campaign).unwrap();
    assert_eq!((other.done as usize, other.duplicates), (N / 2, 0));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn unique(tag: &str) -> String {
    format!("{tag}-{}-{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}

#[test]
fn sqlite_survives_sigkill_without_loss_recomputation_or_duplicates() {
    let dir = common::fresh_dir("killsqlite");
    let url = format!("sqlite://{}", dir.join("results.db").display());
    kill_and_resume(&url, "kill", "killsqlite-log");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sqlite_concurrent_processes_stay_consistent() {
    let dir = common::fresh_dir("concsqlite");
    let url = format!("sqlite://{}", dir.join("results.db").display());
    concurrent_writers(&url, "shared", "other", "concsqlite-log");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn postgres_survives_sigkill_without_loss_recomputation_or_duplicates() {
    let Some(url) = common::postgres_url("postgres_survives_sigkill_without_loss_recomputation_or_duplicates") else { return };
    kill_and_resume(&url, &unique("kill"), "killpg-log");
}

#[test]
fn postgres_two_campaigns_and_two_workers_at_once_stay_consistent() {
    let Some(url) = common::postgres_url("postgres_two_campaigns_and_two_workers_at_once_stay_consistent") else { return };
    concurrent_writers(&url, &unique("shared"), &unique("other"), "concpg-log");
}

//! The store's contract, run on every backend available: claims, idempotent results, counts,
//! stages, blobs. SQLite always; PostgreSQL when SCALEBRIDGE_TEST_POSTGRES_URL is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use scalebridge_core::store::{get_or_run, StageStore};
use scalebridge_store::{Claim, Store, TaskStatus};

fn contract(store: &Store, campaign: &str) {
    // a fresh task is ours, and then held by us
    assert_eq!(store.claim(campaign, "h1", r#"{"x":1}"#, "w1").unwrap(), Claim::New);
    // another worker sees it running (the lease is live)
    assert_eq!(store.claim(campaign, "h1", r#"{"x":1}"#, "w2").unwrap(), Claim::Running);
    let c = store.counts(campaign).unwrap();
    assert_eq!((c.running, c.done, c.pending, c.failed, c.duplicates), (1, 0, 0, 0, 0));
    // the result, once; the second put changes nothing
    let r1 = r#"{"E_GPa":{"value":200.0,"stderr":1.5,"unit":"GPa"},"provenance":{"input_hash":"abc","seeds":[7],"versions":{"scalebridge":"0.1.0"}}}"#;
    assert!(store.put_result(campaign, "h1", r1).unwrap());
    assert!(!store.put_result(campaign, "h1", r#"{"E_GPa":{"value":1.0}}"#).unwrap());
    assert_eq!(store.claim(campaign, "h1", "{}", "w2").unwrap(), Claim::Done(r1.to_string()));
    assert_eq!(store.result(campaign, "h1").unwrap().as_deref(), Some(r1));
    // ... unless replaced on purpose (a refreshed result); a bad one leaves the stored one
    let r1b = r#"{"E_GPa":{"value":201.0,"stderr":1.5,"unit":"GPa"},"provenance":{"input_hash":"abd","seeds":[7],"versions":{"scalebridge":"0.1.1"}}}"#;
    assert!(store.replace_result(campaign, "h1", "{not json").is_err());
    assert_eq!(store.result(campaign, "h1").unwrap().as_deref(), Some(r1));
    store.replace_result(campaign, "h1", r1b).unwrap();
    assert_eq!(store.result(campaign, "h1").unwrap().as_deref(), Some(r1b));
    store.replace_result(campaign, "h1", r1).unwrap();
    assert_eq!(store.result(campaign, "h1").unwrap().as_deref(), Some(r1));
    // a failure is recorded and the task can be claimed again (attempts counted)
    assert_eq!(store.claim(campaign, "h2", r#"{"x":2}"#, "w1").unwrap(), Claim::New);
    store.mark_failed(campaign, "h2", "diverged at step 10").unwrap();
    // failing a finished task changes nothing
    store.mark_failed(campaign, "h1", "late failure").unwrap();
    let c = store.counts(campaign).unwrap();
    assert_eq!((c.running, c.done, c.pending, c.failed, c.duplicates), (0, 1, 0, 1, 0));
    assert_eq!(store.claim(campaign, "h2", r#"{"x":2}"#, "w2").unwrap(), Claim::New);
    let tasks = store.tasks(campaign).unwrap();
    assert_eq!(tasks.len(), 2);
    let t1 = tasks.iter().find(|t| t.task_hash == "h1").unwrap();
    assert_eq!((t1.status, t1.result_json.as_deref(), t1.attempts, t1.candidate_json.as_str()), (TaskStatus::Done, Some(r1), 1, r#"{"x":1}"#));
    let t2 = tasks.iter().find(|t| t.task_hash == "h2").unwrap();
    assert_eq!((t2.status, t2.attempts, t2.error.as_deref(), t2.worker.as_deref()), (TaskStatus::Running, 2, Some("diverged at step 10"), Some("w2")));
    // an expired lease lets another worker take over
    store.set_lease(std::time::Duration::from_millis(0));
    assert_eq!(store.claim(campaign, "h3", "{}", "w1").unwrap(), Claim::New);
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(store.claim(campaign, "h3", "{}", "w2").unwrap(), Claim::New);
    store.set_lease(std::time::Duration::from_secs(600));
    assert!(store.renew(campaign, "h3", "w2").unwrap());
    assert!(!store.renew(campaign, "h3", "w1").unwrap());
    // pending tasks: registered once, then claimable
    let pending = vec![("p1".to_string(), r#"{"x":5}"#.to_string()), ("p2".to_string(), "{}".to_string()), ("h1".to_string(), "{}".to_string())];
    assert_eq!(store.add_pending(campaign, &pending).unwrap(), 2);
    assert_eq!(store.add_pending(campaign, &pending).unwrap(), 0);
    assert_eq!(store.counts(campaign).unwrap().pending, 2);
    assert_eq!(store.claim(campaign, "p1", "{}", "w1").unwrap(), Claim::New);
    let p1 = store.tasks(campaign).unwrap().into_iter().find(|t| t.task_hash == "p1").unwrap();
    assert_eq!((p1.status, p1.attempts, p1.candidate_json.as_str()), (TaskStatus::Running, 1, r#"{"x":5}"#));
    assert_eq!(store.counts(campaign).unwrap().pending, 1);
    // other campaigns are separate
    assert_eq!(store.counts(&format!("{campaign}-other")).unwrap(), Default::default());
    assert!(store.campaigns().unwrap().contains(&campaign.to_string()));
    store.put_campaign(campaign, r#"{"budget":4}"#).unwrap();
    assert_eq!(store.campaign(campaign).unwrap().as_deref(), Some(r#"{"budget":4}"#));
    assert!(store.put_result(campaign, "h4", "{not json").is_err());
    assert_eq!(store.result(campaign, "h4").unwrap(), None);

    // stages through the core trait: computed once, read back after
    let task = format!("{campaign}-task");
    let stages = store.stage_store(&task);
    let mut runs = 0;
    for _ in 0..2 {
        let v: Vec<f64> = get_or_run(&stages, "elastic", || -> scalebridge_core::error::Result<Vec<f64>> {
            runs += 1;
            Ok(vec![1.0, 2.5])
        })
        .unwrap();
        assert_eq!(v, vec![1.0, 2.5]);
    }
    assert_eq!(runs, 1);
    stages.put("elastic", "[3.0]").unwrap();
    assert_eq!(stages.get("elastic").unwrap().as_deref(), Some("[3.0]"));
    assert_eq!(stages.get("missing").unwrap(), None);
    assert_eq!(store.stages(&task).unwrap(), vec![("elastic".to_string(), "[3.0]".to_string())]);
    // stage records per task hash: a failure record (`<key>.failed`) is counted apart
    stages.put("melting.failed", r#"{"error":"x"}"#).unwrap();
    let counts = store.stage_counts().unwrap();
    let mine = counts.iter().find(|c| c.task_hash == task).expect("the task's stages are counted");
    assert_eq!((mine.finished, mine.failure_records), (1, 1));

    // blobs by hash
    let bytes: Vec<u8> = (0..10_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let h = store.put_blob(&bytes).unwrap();
    assert_eq!(h, scalebridge_core::provenance::sha256_hex(&bytes));
    assert_eq!(store.put_blob(&bytes).unwrap(), h);
    assert_eq!(std::fs::read(store.blob_path(&h).unwrap()).unwrap(), bytes);
    assert_eq!(store.get_blob(&h).unwrap(), bytes);
    assert!(store.blob_path("00").is_err());
    assert!(store.blob_path(&"0".repeat(64)).is_err());
}

#[test]
fn sqlite_store_keeps_the_contract() {
    let dir = common::fresh_dir("contract");
    let store = Store::open(&format!("sqlite://{}", dir.join("sub/results.db").display())).unwrap();
    assert_eq!(store.url(), format!("sqlite://{}", dir.join("sub/results.db").display()));
    contract(&store, "c1");
    // the blob lives beside the database
    let h = store.put_blob(b"abc").unwrap();
    assert!(store.blob_path(&h).unwrap().starts_with(dir.join("sub/blobs")));
    // reopening sees the same data; a bare path is SQLite too
    drop(store);
    let again = Store::open(dir.join("sub/results.db").to_str().unwrap()).unwrap();
    assert_eq!(again.counts("c1").unwrap().done, 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn postgres_store_keeps_the_contract() {
    let Some(url) = common::postgres_url("postgres_store_keeps_the_contract") else { return };
    let store = Store::open(&url).unwrap();
    let campaign = format!("contract-{}-{}", std::process::id(), scalebridge_store_test_nonce());
    contract(&store, &campaign);
}

fn scalebridge_store_test_nonce() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

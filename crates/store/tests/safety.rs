//! Failures are clear `StorageError`s and never leave half-written rows: read-only databases,
//! a full database, damaged files, newer schemas.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use scalebridge_store::{Claim, StorageError, Store};

fn result_json(i: usize, pad: usize) -> String {
    format!(r#"{{"i":{i},"value":{},"pad":"{}"}}"#, i * i, "x".repeat(pad))
}

#[test]
fn read_only_sqlite_is_a_clear_error_and_writes_nothing() {
    let dir = common::fresh_dir("readonly");
    let db = dir.join("r.db");
    let rw = Store::open(db.to_str().unwrap()).unwrap();
    assert!(rw.put_result("c", "a", &result_json(1, 0)).unwrap());
    drop(rw);
    let ro = Store::open(&format!("sqlite://{}?mode=ro", db.display())).unwrap();
    // reading works
    assert_eq!(ro.counts("c").unwrap().done, 1);
    // every kind of write is refused, naming the file
    let e = ro.put_result("c", "b", &result_json(2, 0)).unwrap_err();
    match &e {
        StorageError::ReadOnly { path, .. } => assert_eq!(path, &db.display().to_string()),
        other => panic!("expected ReadOnly, got {other:?}"),
    }
    assert!(e.to_string().contains("read-only") && e.to_string().contains("r.db"), "{e}");
    assert!(matches!(ro.claim("c", "b", "{}", "w"), Err(StorageError::ReadOnly { .. })));
    assert!(matches!(ro.mark_failed("c", "a", "x"), Err(StorageError::ReadOnly { .. })));
    assert!(matches!(ro.put_blob(b"abc"), Err(StorageError::ReadOnly { .. })));
    assert_eq!(ro.counts("c").unwrap().done, 1);
    assert_eq!(ro.tasks("c").unwrap().len(), 1);
    // read-only opening of a missing file is an Open error naming it
    let missing = Store::open(&format!("sqlite://{}?mode=ro", dir.join("missing.db").display())).unwrap_err();
    assert!(matches!(&missing, StorageError::Open { url, .. } if url.contains("missing.db")), "{missing:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_only_directory_is_a_read_only_error_when_permissions_apply() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::fresh_dir("rodir");
    let sub = dir.join("locked");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
    // root ignores permission bits: then there is nothing to test here (mode=ro above covers it)
    if std::fs::File::create(sub.join("probe")).is_ok() {
        eprintln!("SKIPPED read_only_directory...: running as root, permission bits do not apply (the mode=ro test covers read-only writes)");
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let e = Store::open(sub.join("new.db").to_str().unwrap()).unwrap_err();
    assert!(matches!(&e, StorageError::ReadOnly { path, .. } if path.contains("new.db")), "{e:?}");
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn full_database_is_disk_full_and_nothing_is_half_written() {
    let dir = common::fresh_dir("full");
    let db = dir.join("full.db");
    // a database that may not grow beyond 40 pages (SQLite's own size limit: SQLITE_FULL, the
    // same error code a full disk gives)
    let store = Store::open(&format!("sqlite://{}?max_page_count=40", db.display())).unwrap();
    let mut stored = Vec::new();
    let mut full = None;
    for i in 0..1000 {
        match store.claim("c", &format!("t{i}"), "{}", "w") {
            Ok(Claim::New) => {}
            Ok(other) => panic!("unexpected {other:?}"),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
        match store.put_result("c", &format!("t{i}"), &result_json(i, 3000)) {
            Ok(true) => stored.push(i),
            Ok(false) => panic!("fresh task already stored"),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let e = full.expect("the database never filled up");
    match &e {
        StorageError::DiskFull { path, .. } => assert_eq!(path, &db.display().to_string()),
        other => panic!("expected DiskFull, got {other:?}"),
    }
    assert!(e.to_string().contains("nothing half-written"), "{e}");
    assert!(stored.len() >= 3, "only {} results fitted", stored.len());
    // reopen without the limit: exactly the acknowledged results are there, each complete
    drop(store);
    let store = Store::open(db.to_str().unwrap()).unwrap();
    let c = store.counts("c").unwrap();
    assert_eq!((c.done as usize, c.duplicates), (stored.len(), 0));
    for &i in &stored {
        assert_eq!(store.result("c", &format!("t{i}")).unwrap().unwrap(), result_json(i, 3000));
    }
    // the task whose write failed is not done and can be finished now
    let next = stored.len();
    assert_eq!(store.result("c", &format!("t{next}")).unwrap(), None);
    assert!(matches!(store.claim("c", &format!("t{next}"), "{}", "w").unwrap(), Claim::New));
    assert!(store.put_result("c", &format!("t{next}"), &result_json(next, 3000)).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn disk_full_and_read_only_file_errors_map_to_their_variants() {
    let p = std::path::Path::new("/data/blobs/x");
    assert!(matches!(StorageError::io(p, &std::io::Error::from_raw_os_error(28)), StorageError::DiskFull { .. }));
    assert!(matches!(StorageError::io(p, &std::io::Error::from_raw_os_error(30)), StorageError::ReadOnly { .. }));
    assert!(matches!(StorageError::io(p, &std::io::Error::from_raw_os_error(13)), StorageError::ReadOnly { .. }));
    assert!(matches!(StorageError::io(p, &std::io::Error::from_raw_os_error(2)), StorageError::Io { .. }));
    // a real ENOSPC from the kernel: /dev/full
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let err = f.write_all(&[0u8; 8192]).and_then(|_| f.sync_all()).unwrap_err();
        assert!(matches!(StorageError::io(std::path::Path::new("/dev/full"), &err), StorageError::DiskFull { .. }), "{err:?}");
    }
}

#[test]
fn blob_directory_that_cannot_be_created_is_a_clear_error() {
    let dir = common::fresh_dir("blobfail");
    let store = Store::open(dir.join("b.db").to_str().unwrap()).unwrap();
    // a file where the blob directory should be
    std::fs::write(dir.join("blobs"), b"not a directory").unwrap();
    let e = store.put_blob(b"payload").unwrap_err();
    assert!(e.to_string().contains("blobs"), "{e}");
    // no blob row was recorded and no temporary file left
    assert_eq!(std::fs::read(dir.join("blobs")).unwrap(), b"not a directory");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damaged_file_and_newer_schema_are_refused() {
    let dir = common::fresh_dir("corrupt");
    let bad = dir.join("bad.db");
    std::fs::write(&bad, "this is a text file, not SQLite; ".repeat(200)).unwrap();
    let e = Store::open(bad.to_str().unwrap()).unwrap_err();
    assert!(matches!(&e, StorageError::Corrupt { path, .. } if path.contains("bad.db")), "{e:?}");
    // a store written by a newer scalebridge
    let db = dir.join("new.db");
    drop(Store::open(db.to_str().unwrap()).unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
    drop(conn);
    let e = Store::open(db.to_str().unwrap()).unwrap_err();
    assert!(matches!(e, StorageError::SchemaVersion { found: 99, supported: 1, .. }), "{e:?}");
    // another program's SQLite database gets our tables beside its own
    let other = dir.join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute("CREATE TABLE theirs (x INTEGER)", []).unwrap();
    drop(conn);
    let s = Store::open(other.to_str().unwrap()).unwrap();
    assert!(s.put_result("c", "t", "{}").unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn postgres_read_only_transactions_are_read_only_errors() {
    let Some(url) = common::postgres_url("postgres_read_only_transactions_are_read_only_errors") else { return };
    let campaign = format!("ro-{}", std::process::id());
    let rw = Store::open(&url).unwrap();
    assert!(rw.put_result(&campaign, "a", "{}").unwrap() || rw.result(&campaign, "a").unwrap().is_some());
    let sep = if url.contains('?') { '&' } else { '?' };
    let ro = Store::open(&format!("{url}{sep}options=-c%20default_transaction_read_only%3Don")).unwrap();
    assert_eq!(ro.counts(&campaign).unwrap().done, 1);
    let e = ro.put_result(&campaign, "b", "{}").unwrap_err();
    assert!(matches!(e, StorageError::ReadOnly { .. }), "{e:?}");
    assert_eq!(rw.counts(&campaign).unwrap().done, 1);
    let e = Store::open("postgresql://nobody@127.0.0.1:1/none").unwrap_err();
    assert!(matches!(e, StorageError::Open { .. }), "{e:?}");
}

//! Helpers shared by the store's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

static N: AtomicU64 = AtomicU64::new(0);

/// A fresh directory unique to this test, process and call.
pub fn fresh_dir(test: &str) -> PathBuf {
    let n = N.fetch_add(1, Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("scalebridge-store-{test}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The PostgreSQL server URL for tests, or `None` (with the reason printed) when unset.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("SCALEBRIDGE_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!("SKIPPED {test}: SCALEBRIDGE_TEST_POSTGRES_URL is not set (scripts/postgres.sh start sets it; .ci/run always does)");
            None
        }
    }
}

//! Database URLs: `sqlite:///abs/path.db`, `sqlite://relative.db`, a bare path (SQLite),
//! `postgresql://user[:password]@host[:port]/db` or `postgres://...`.

use crate::error::{Result, StorageError};
use std::path::PathBuf;

/// How long a claim stays live without renewal, in seconds.
pub const DEFAULT_LEASE_SECONDS: i64 = 600;

/// Where a store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// One SQLite file (blobs beside it under `blobs/`).
    Sqlite { path: PathBuf, read_only: bool, max_page_count: Option<u64> },
    /// A PostgreSQL database: the connection URL and its form without password.
    Postgres { url: String, display: String },
}

impl Location {
    /// The URL without password.
    pub fn display(&self) -> String {
        match self {
            // sqlite:///abs/path (the path keeps its leading slash) or sqlite://relative/path
            Location::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Location::Postgres { display, .. } => display.clone(),
        }
    }
}

fn bad(url: &str, reason: impl Into<String>) -> StorageError {
    StorageError::BadUrl { url: redact(url), reason: reason.into() }
}

/// `url` with any password replaced by nothing (`user:secret@host` → `user@host`,
/// `password=...` query parameters dropped).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority_path, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let authority_path = match authority_path.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority_path.split_at(at);
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{user}{host}")
        }
        None => authority_path.to_string(),
    };
    let query: Option<String> = query.map(|q| q.split('&').filter(|kv| !kv.to_ascii_lowercase().starts_with("password=")).collect::<Vec<_>>().join("&"));
    match query {
        Some(q) if !q.is_empty() => format!("{scheme}://{authority_path}?{q}"),
        _ => format!("{scheme}://{authority_path}"),
    }
}

/// Parse a store URL.
pub fn parse(url: &str) -> Result<Location> {
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err(bad(url, "empty URL"));
    }
    if trimmed.starts_with("postgresql://") || trimmed.starts_with("postgres://") {
        let rest = trimmed.split_once("://").map(|(_, r)| r).unwrap_or("");
        if rest.is_empty() || rest.starts_with('/') && rest.len() == 1 {
            return Err(bad(url, "no host or database after postgresql://"));
        }
        return Ok(Location::Postgres { url: trimmed.to_string(), display: redact(trimmed) });
    }
    let (path_part, query) = if let Some(rest) = trimmed.strip_prefix("sqlite://") {
        // sqlite:///abs → "/abs"; sqlite://rel → "rel"
        match rest.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (rest.to_string(), None),
        }
    } else if let Some(rest) = trimmed.strip_prefix("sqlite:") {
        return Err(bad(url, format!("expected sqlite:///absolute/path.db or sqlite://relative.db, got sqlite:{rest}")));
    } else if let Some((scheme, _)) = trimmed.split_once("://") {
        return Err(bad(url, format!("unsupported scheme {scheme:?}: use sqlite://, postgresql:// or a file path")));
    } else {
        (trimmed.to_string(), None)
    };
    if path_part.is_empty() {
        return Err(bad(url, "no file path"));
    }
    let mut read_only = false;
    let mut max_page_count = None;
    if let Some(q) = query {
        for kv in q.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k {
                "mode" => match v {
                    "ro" => read_only = true,
                    "rw" | "rwc" => read_only = false,
                    _ => return Err(bad(url, format!("mode={v}: expected ro or rw"))),
                },
                "max_page_count" => {
                    let n: u64 = v.parse().map_err(|_| bad(url, format!("max_page_count={v}: expected a positive integer")))?;
                    if n == 0 {
                        return Err(bad(url, "max_page_count=0: expected a positive integer"));
                    }
                    max_page_count = Some(n);
                }
                _ => return Err(bad(url, format!("unknown parameter {k:?} (known: mode, max_page_count)"))),
            }
        }
    }
    Ok(Location::Sqlite { path: PathBuf::from(path_part), read_only, max_page_count })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_their_backend() {
        assert_eq!(parse("sqlite:///abs/x.db").unwrap(), Location::Sqlite { path: "/abs/x.db".into(), read_only: false, max_page_count: None });
        assert_eq!(parse("sqlite://rel/x.db?mode=ro").unwrap(), Location::Sqlite { path: "rel/x.db".into(), read_only: true, max_page_count: None });
        assert_eq!(parse("results.db").unwrap(), Location::Sqlite { path: "results.db".into(), read_only: false, max_page_count: None });
        assert_eq!(parse("sqlite:///a.db?max_page_count=9").unwrap(), Location::Sqlite { path: "/a.db".into(), read_only: false, max_page_count: Some(9) });
        let pg = parse("postgresql://bob:secret@db.example:5433/runs").unwrap();
        assert_eq!(pg.display(), "postgresql://bob@db.example:5433/runs");
        assert_eq!(parse("postgres://bob@h/runs?password=x&sslmode=disable").unwrap().display(), "postgres://bob@h/runs?sslmode=disable");
        for badurl in ["", "mysql://x/y", "sqlite:x.db", "sqlite://", "sqlite:///a.db?mode=zz", "sqlite:///a.db?max_page_count=-1", "sqlite:///a.db?foo=1"] {
            assert!(matches!(parse(badurl), Err(StorageError::BadUrl { .. })), "{badurl}");
        }
    }
}

//! Errors of the results store. Each variant names the problem and where it happened (the
//! database URL without password, or the file path).

use thiserror::Error;

/// Everything that can go wrong while opening, reading or writing a results store.
#[derive(Debug, Error)]
pub enum StorageError {
    /// A URL that names no supported database.
    #[error("bad database URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    /// The database (or its directory) could not be opened or reached.
    #[error("cannot open database {url}: {reason}")]
    Open { url: String, reason: String },
    /// The database file, its directory or the connection is read-only; nothing was written.
    #[error("database {path} is read-only: {reason} (nothing was written)")]
    ReadOnly { path: String, reason: String },
    /// The disk (or the database's size limit) is full; the transaction was rolled back.
    #[error("no space left for {path}: {reason} (the transaction was rolled back, nothing half-written)")]
    DiskFull { path: String, reason: String },
    /// The file is not a database, or its content is damaged.
    #[error("database {path} is corrupt or not a scalebridge store: {reason}")]
    Corrupt { path: String, reason: String },
    /// The database was written by a newer scalebridge (schema version).
    #[error("database {path} has schema version {found}; this scalebridge supports up to {supported}")]
    SchemaVersion { path: String, found: i64, supported: i64 },
    /// A stored record that does not parse (a result that is not JSON, a bad blob hash, ...).
    #[error("invalid {what}: {reason}")]
    Invalid { what: String, reason: String },
    /// Any other failure reported by the database engine.
    #[error("database {url}: {reason}")]
    Backend { url: String, reason: String },
    /// Input/output failure with the path involved (blobs beside the database).
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
}

/// Result alias of the store crate.
pub type Result<T> = std::result::Result<T, StorageError>;

impl StorageError {
    /// The error of a failed file operation on `path`: a full disk is [`StorageError::DiskFull`],
    /// a read-only file system or a permission refusal [`StorageError::ReadOnly`].
    pub fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        let p = path.display().to_string();
        match (e.raw_os_error(), e.kind()) {
            (Some(28), _) | (Some(122), _) | (_, std::io::ErrorKind::StorageFull) => StorageError::DiskFull { path: p, reason: e.to_string() },
            (Some(30), _) | (_, std::io::ErrorKind::PermissionDenied) | (_, std::io::ErrorKind::ReadOnlyFilesystem) => {
                StorageError::ReadOnly { path: p, reason: e.to_string() }
            }
            _ => StorageError::Io { path: p, reason: e.to_string() },
        }
    }
}

impl From<StorageError> for scalebridge_core::error::Error {
    fn from(e: StorageError) -> Self {
        let path = match &e {
            StorageError::BadUrl { url, .. } | StorageError::Open { url, .. } | StorageError::Backend { url, .. } => url.clone(),
            StorageError::ReadOnly { path, .. }
            | StorageError::DiskFull { path, .. }
            | StorageError::Corrupt { path, .. }
            | StorageError::SchemaVersion { path, .. }
            | StorageError::Io { path, .. } => path.clone(),
            StorageError::Invalid { what, .. } => what.clone(),
        };
        scalebridge_core::error::Error::Io { path, source: std::io::Error::other(e.to_string()) }
    }
}

//! Blobs: large arrays stored as files named by their SHA-256, written atomically.

use crate::error::{Result, StorageError};
use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) fn check_hash(hash: &str) -> Result<()> {
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(StorageError::Invalid { what: format!("blob hash {hash:?}"), reason: "expected 64 lowercase hex digits (SHA-256)".into() })
    }
}

/// `<directory of the database>/blobs/<first two hex>/<hash>`.
pub(crate) fn sqlite_blob_path(db: &Path, hash: &str) -> Result<PathBuf> {
    check_hash(hash)?;
    let dir = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(dir.join("blobs").join(&hash[..2]).join(hash))
}

/// Local cache of database-held blobs.
pub(crate) fn cache_path(hash: &str) -> PathBuf {
    let root = std::env::var_os("SCALEBRIDGE_BLOB_DIR").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("scalebridge-blobs"));
    root.join(&hash[..2.min(hash.len())]).join(hash)
}

pub(crate) fn verify(path: &Path, hash: &str) -> bool {
    std::fs::read(path).map(|d| scalebridge_core::provenance::sha256_hex(&d) == hash).unwrap_or(false)
}

/// Write `bytes` to `path` atomically: a unique temporary file in the same directory, fsync,
/// rename. An existing file with the right content is kept. On any failure the temporary file
/// is removed and `path` is untouched.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.len() == bytes.len() as u64 {
            return Ok(());
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| StorageError::io(dir, &e))?;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{n}.partial", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(StorageError::io(path, &e));
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

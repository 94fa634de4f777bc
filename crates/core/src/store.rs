//! Stores of finished calculation stages, so that an interrupted calculation resumes where it
//! stopped. [`StageStore`] is the interface (small and object-safe: a results database is
//! another implementation); [`StageCache`] keeps one task's stages as JSON files on disk.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;

/// Finished stages by key, stored as JSON text. `put` is atomic: a reader sees either the
/// whole previous value or the whole new one, never half of it.
pub trait StageStore: Send + Sync {
    /// The stored JSON text of `key`, or `None` if that stage has not finished.
    fn get(&self, key: &str) -> Result<Option<String>>;
    /// Store the JSON text of a finished stage.
    fn put(&self, key: &str, json: &str) -> Result<()>;
}

/// The stored value of `key` in `store`, or run `f`, store and return its value. A stored value
/// that cannot be read or parsed is recomputed. `f`'s own error type passes through unchanged.
pub fn get_or_run<T, E>(store: &dyn StageStore, key: &str, f: impl FnOnce() -> std::result::Result<T, E>) -> std::result::Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: From<Error>,
{
    if let Ok(Some(text)) = store.get(key) {
        if let Ok(v) = serde_json::from_str(&text) {
            return Ok(v);
        }
    }
    let v = f()?;
    let text = serde_json::to_string(&v).map_err(|e| Error::Serialization { what: format!("stage {key}"), reason: e.to_string() })?;
    store.put(key, &text)?;
    Ok(v)
}

/// Finished stages of one task on disk, under `root/<task>/<stage>.json`. Writes are atomic
/// (temporary file, then rename), so an interruption never leaves half a stage behind. With no
/// directory nothing is stored and every stage is recomputed.
#[derive(Clone, Debug, Default)]
pub struct StageCache {
    dir: Option<PathBuf>,
}

impl StageCache {
    /// Cache under `root/<task id>`; `None` disables caching.
    pub fn new(root: Option<PathBuf>, task: &str) -> Self {
        StageCache { dir: root.map(|r| r.join(task)) }
    }

    /// The stored value of `stage`, or run `f`, store and return its value.
    pub fn get_or_run<T, E>(&self, stage: &str, f: impl FnOnce() -> std::result::Result<T, E>) -> std::result::Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        E: From<Error>,
    {
        if self.dir.is_none() {
            return f();
        }
        get_or_run(self, stage, f)
    }
}

impl StageStore for StageCache {
    fn get(&self, key: &str) -> Result<Option<String>> {
        let Some(dir) = &self.dir else { return Ok(None) };
        let path = dir.join(format!("{key}.json"));
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    fn put(&self, key: &str, json: &str) -> Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let path = dir.join(format!("{key}.json"));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let tmp = path.with_extension("json.partial");
        std::fs::write(&tmp, json).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_call_reads_the_stored_stage_and_leaves_no_partial_file() {
        let root = std::env::temp_dir().join(format!("scalebridge-core-store-{}", std::process::id()));
        let cache = StageCache::new(Some(root.clone()), "task");
        let mut runs = 0;
        let a: Vec<f64> = cache.get_or_run("s", || -> Result<Vec<f64>> {
            runs += 1;
            Ok(vec![1.0, 2.5])
        }).unwrap();
        let b: Vec<f64> = cache.get_or_run("s", || -> Result<Vec<f64>> {
            runs += 1;
            Ok(vec![0.0])
        }).unwrap();
        assert_eq!((a, b.clone(), runs), (vec![1.0, 2.5], vec![1.0, 2.5], 1));
        let files: Vec<String> = std::fs::read_dir(root.join("task")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["s.json"]);
        // a corrupt stage is recomputed, through the trait object
        std::fs::write(root.join("task/s.json"), "{not json").unwrap();
        let store: &dyn StageStore = &cache;
        let c: Vec<f64> = get_or_run(store, "s", || -> Result<Vec<f64>> { Ok(vec![3.0]) }).unwrap();
        assert_eq!(c, vec![3.0]);
        assert_eq!(store.get("s").unwrap().as_deref(), Some("[3.0]"));
        assert_eq!(store.get("missing").unwrap(), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn without_a_directory_every_stage_runs() {
        let cache = StageCache::default();
        let mut runs = 0;
        for _ in 0..2 {
            let _: u32 = cache.get_or_run("s", || -> Result<u32> {
                runs += 1;
                Ok(1)
            }).unwrap();
        }
        assert_eq!(runs, 2);
    }
}

//! The store as a `scalebridge_core::store::StageStore`: one row per finished stage.

use crate::Store;
use scalebridge_core::store::StageStore;

/// The finished stages of one task, as rows of the `stages` table.
#[derive(Clone, Debug)]
pub struct StoreStages {
    store: Store,
    task_hash: String,
}

impl StoreStages {
    pub(crate) fn new(store: Store, task_hash: &str) -> Self {
        StoreStages { store, task_hash: task_hash.to_string() }
    }

    /// The task these stages belong to.
    pub fn task_hash(&self) -> &str {
        &self.task_hash
    }
}

impl StageStore for StoreStages {
    fn get(&self, key: &str) -> scalebridge_core::error::Result<Option<String>> {
        Ok(self.store.stage_get(&self.task_hash, key)?)
    }

    fn put(&self, key: &str, json: &str) -> scalebridge_core::error::Result<()> {
        Ok(self.store.stage_put(&self.task_hash, key, json)?)
    }
}

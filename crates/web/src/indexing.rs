//! The search index follows the store: the practices a change log entry names, a rebuild
//! when a node has no usable place in that log, and the concept scheme's active version.
//!
//! Every node keeps its own index. `serve` calls [`apply_changes`] and [`follow_concepts`]
//! every second, so that a write made on any node (or by `zesummen import`) reaches every
//! node's index; the node that made a write applies it at once.

use domain::{Practice, Status};
use search::{SearchError, SearchIndex};
use store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum IndexingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("search index: {0}")]
    Search(#[from] SearchError),
    #[error("the change log was pruned past {0} during the rebuild")]
    Pruned(i64),
}

/// Only one rebuild or scheme change runs at a time in a process: two racing rebuilds could
/// otherwise leave an older scheme's tags in place after a newer one.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The published practices: the only ones the public index holds.
pub async fn published(store: &dyn Store) -> Result<Vec<Practice>, StoreError> {
    Ok(store
        .practices()
        .await?
        .into_iter()
        .filter(|p| p.status == Status::Published)
        .collect())
}

/// Applies the changes logged after `cursor` to the index; returns the new cursor, or `None`
/// when the log was pruned past `cursor` (changes this index never saw are gone).
pub async fn apply_changes(
    store: &dyn Store,
    index: &dyn SearchIndex,
    cursor: i64,
) -> Result<Option<i64>, IndexingError> {
    let mut cursor = cursor;
    loop {
        let changes = store.changes_since(cursor, 1000).await?;
        // Asked after the batch: a prune that raced with the read shows here.
        if store.pruned_through().await? > cursor {
            return Ok(None);
        }
        let Some(last) = changes.last() else {
            return Ok(Some(cursor));
        };
        let last_id = last.id;
        let mut ids: Vec<i64> = changes
            .iter()
            .filter(|c| c.entity == store::Entity::Practice)
            .map(|c| c.entity_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut upsert = Vec::new();
        let mut remove = Vec::new();
        for id in ids {
            match store.practice(id).await? {
                Some(p) if p.status == Status::Published => upsert.push(p),
                _ => remove.push(id),
            }
        }
        if !upsert.is_empty() {
            index.upsert(&upsert)?;
        }
        if !remove.is_empty() {
            index.remove(&remove)?;
        }
        cursor = last_id;
    }
}

/// Rebuilds the index from the store and replays what was logged meanwhile; returns the
/// number of practices indexed and the cursor. `progress` hears (indexed so far, total).
pub async fn rebuild(
    store: &dyn Store,
    index: &dyn SearchIndex,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(u64, i64), IndexingError> {
    let _guard = ONE_AT_A_TIME.lock().await;
    rebuild_locked(store, index, progress).await
}

async fn rebuild_locked(
    store: &dyn Store,
    index: &dyn SearchIndex,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(u64, i64), IndexingError> {
    // Read the log's end first: what is written during the rebuild is replayed after.
    let start = store.latest_change().await?;
    let practices = published(store).await?;
    let total = practices.len() as u64;
    let n = index.rebuild(&mut practices.into_iter(), &|done| progress(done, total))?;
    let cursor = apply_changes(store, index, start)
        .await?
        .ok_or(IndexingError::Pruned(start))?;
    Ok((n, cursor))
}

/// Brings the index to the store's active concept scheme when it uses another version: the
/// scheme replaced, then every practice tagged again. Returns the version it moved to.
pub async fn follow_concepts(
    store: &dyn Store,
    index: &dyn SearchIndex,
) -> Result<Option<u32>, IndexingError> {
    let active =
        |versions: &[store::ConceptVersion]| versions.iter().find(|v| v.active).map(|v| v.version);
    // The usual case, every second on every node: one small read, nothing to do.
    let Some(version) = active(&store.concept_versions().await?) else {
        return Ok(None);
    };
    if index.concepts_version() == Some(version) {
        return Ok(None);
    }
    let _guard = ONE_AT_A_TIME.lock().await;
    let Some(scheme) = store.active_concepts().await? else {
        return Ok(None);
    };
    let version = scheme.version;
    if index.concepts_version() == Some(version) {
        return Ok(None);
    }
    index.set_concepts(scheme);
    rebuild_locked(store, index, &|_, _| {}).await?;
    Ok(Some(version))
}

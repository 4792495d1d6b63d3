//! The search index follows the store: the practices a change log entry names, a rebuild
//! when a node has no usable place in that log, and the concept scheme's active version.
//!
//! Every node keeps its own index. `serve` calls [`apply_changes`] and [`follow_concepts`]
//! every second, so that a write made on any node (or by `zesummen import`) reaches every
//! node's index; the node that made a write applies it at once.

use std::sync::Arc;

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

/// Practices read from the store per page while the index is rebuilt.
const REBUILD_PAGE: u64 = 500;

/// Rebuilds the index from the store and replays what was logged meanwhile; returns the
/// number of practices indexed and the cursor. `progress` hears (read so far, at most how
/// many). The practices stream from the store a page at a time (by id) into the index, which
/// builds on the blocking pool: memory holds two pages, whatever the store's size.
pub async fn rebuild(
    store: &dyn Store,
    index: &Arc<dyn SearchIndex>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(u64, i64), IndexingError> {
    let _guard = ONE_AT_A_TIME.lock().await;
    rebuild_locked(store, index, progress).await
}

async fn rebuild_locked(
    store: &dyn Store,
    index: &Arc<dyn SearchIndex>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(u64, i64), IndexingError> {
    // Read the log's end first: what is written during the rebuild is replayed after.
    let start = store.latest_change().await?;
    let total = store.counts().await?.practices;
    let (pages, mut received) = tokio::sync::mpsc::channel::<Result<Vec<Practice>, String>>(1);
    let target = index.clone();
    let build = tokio::task::spawn_blocking(move || {
        let mut practices =
            std::iter::from_fn(move || received.blocking_recv()).flat_map(|page| match page {
                Ok(page) => page.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(SearchError::Source(e))],
            });
        target.rebuild(&mut practices, &|_| {})
    });
    let mut after = 0;
    let mut read = 0;
    loop {
        let page = match store
            .practices_after(Status::Published, after, REBUILD_PAGE)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                // The build stops on it and keeps the old content; its error is the store's.
                let _ = pages.send(Err(e.to_string())).await;
                drop(pages);
                let _ = build.await;
                return Err(e.into());
            }
        };
        let Some(last) = page.last() else { break };
        after = last.id;
        read += page.len() as u64;
        let full = page.len() as u64 == REBUILD_PAGE;
        if pages.send(Ok(page)).await.is_err() {
            // The build stopped early: its own error says why.
            break;
        }
        progress(read, total.max(read));
        if !full {
            break;
        }
    }
    drop(pages);
    let n = match build.await {
        Ok(outcome) => outcome?,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("the index rebuild was cancelled: {e}"),
        },
    };
    let cursor = apply_changes(store, index.as_ref(), start)
        .await?
        .ok_or(IndexingError::Pruned(start))?;
    Ok((n, cursor))
}

/// Brings the index to the store's active concept scheme when it uses another version: the
/// scheme replaced, then every practice tagged again. Returns the version it moved to.
pub async fn follow_concepts(
    store: &dyn Store,
    index: &Arc<dyn SearchIndex>,
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

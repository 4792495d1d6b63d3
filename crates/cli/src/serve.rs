//! `serve` and `reindex`: the search index beside the store, and the site on top of both.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use domain::{Clock, Practice, Status};
use search::{SearchIndex, TantivyIndex};
use store::Store;

use crate::commands::{Failure, progress};

/// The index lives beside the data: every node keeps its own, rebuilt from the store at will.
pub fn open_index(data_dir: &Path) -> Result<Arc<TantivyIndex>, Failure> {
    let dir = data_dir.join("index");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let index = TantivyIndex::open(&dir)
        .map_err(|e| anyhow::anyhow!("cannot open the search index in {}: {e}", dir.display()))?;
    Ok(Arc::new(index))
}

fn published(practices: Vec<Practice>) -> Vec<Practice> {
    practices
        .into_iter()
        .filter(|p| p.status == Status::Published)
        .collect()
}

/// Rebuilds the index from the store, with a progress bar on a terminal.
pub async fn reindex(store: &dyn Store, index: &dyn SearchIndex) -> Result<u64, Failure> {
    let practices = published(store.practices().await?);
    let bar = progress(practices.len(), "indexing");
    let mut it = practices.into_iter();
    let n = index
        .rebuild(&mut it, &|done| bar.set_position(done))
        .map_err(|e| anyhow::anyhow!("indexing failed: {e}"))?;
    bar.finish_and_clear();
    Ok(n)
}

/// Loads the bundled corpus into an empty store.
pub async fn load_demo(store: &dyn Store, clock: &dyn Clock) -> Result<bool, Failure> {
    if store.counts().await?.practices > 0 {
        return Ok(false);
    }
    for (name, bytes) in crate::demo::CORPUS {
        let batch = ingest::parse(name, bytes, None)
            .map_err(|e| anyhow::anyhow!("the bundled corpus does not parse: {e}"))?;
        store.import(&batch, clock.now()).await?;
    }
    Ok(true)
}

/// Where the index stands in the store's change log, kept beside the index.
fn cursor_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("index").join("cursor")
}

fn read_cursor(data_dir: &Path) -> Option<i64> {
    std::fs::read_to_string(cursor_file(data_dir))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn write_cursor(data_dir: &Path, cursor: i64) -> std::io::Result<()> {
    std::fs::write(cursor_file(data_dir), cursor.to_string())
}

/// Applies the changes logged after `cursor` to the index; returns the new cursor.
/// Changes made by any node (or by `zesummen import`) reach every node's index this way,
/// without a full rebuild.
pub async fn follow_once(
    store: &dyn Store,
    index: &dyn SearchIndex,
    cursor: i64,
) -> Result<i64, Failure> {
    let mut cursor = cursor;
    loop {
        let changes = store.changes_since(cursor, 1000).await?;
        let Some(last) = changes.last() else {
            return Ok(cursor);
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
        let search_error = |e: search::SearchError| anyhow::anyhow!("search index: {e}");
        if !upsert.is_empty() {
            index.upsert(&upsert).map_err(search_error)?;
        }
        if !remove.is_empty() {
            index.remove(&remove).map_err(search_error)?;
        }
        cursor = last_id;
    }
}

/// Brings the index up to date at start: replays the change log from the saved cursor, or
/// rebuilds from the store when there is no usable cursor. Returns the cursor.
pub async fn prepare_index(
    store: &dyn Store,
    index: &dyn SearchIndex,
    data_dir: &Path,
) -> Result<i64, Failure> {
    let saved = read_cursor(data_dir);
    let non_empty = !index
        .is_empty()
        .map_err(|e| anyhow::anyhow!("search index: {e}"))?;
    let cursor = match saved {
        Some(cursor) if non_empty => follow_once(store, index, cursor).await?,
        _ => {
            // Read the log's end first: what is written during the rebuild is replayed after.
            let start = store.latest_change().await?;
            let n = reindex(store, index).await?;
            eprintln!("search index rebuilt: {n} practices");
            follow_once(store, index, start).await?
        }
    };
    write_cursor(data_dir, cursor).context("saving the index cursor")?;
    Ok(cursor)
}

pub async fn serve(
    store: Arc<dyn Store>,
    data_dir: &Path,
    addr: SocketAddr,
    demo: bool,
    secure_cookies: bool,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    if demo && load_demo(store.as_ref(), clock).await? {
        eprintln!("demo corpus loaded into the empty store");
    }
    let index = open_index(data_dir)?;
    let mut cursor = prepare_index(store.as_ref(), index.as_ref(), data_dir).await?;
    {
        let (store, index, data_dir) = (store.clone(), index.clone(), data_dir.to_path_buf());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                match follow_once(store.as_ref(), index.as_ref(), cursor).await {
                    Ok(next) if next != cursor => {
                        cursor = next;
                        if let Err(e) = write_cursor(&data_dir, cursor) {
                            eprintln!("warning: cannot save the index cursor: {e}");
                        }
                    }
                    Ok(_) => {}
                    Err(Failure::Input(e)) => eprintln!("warning: index follower: {e}"),
                    Err(Failure::Other(e)) => eprintln!("warning: index follower: {e:#}"),
                }
            }
        });
    }
    let state = web::AppState::new(store, index).with_secure_cookies(secure_cookies);
    let (listener, local) = web::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    eprintln!("zesummen is serving on http://{local}/");
    web::serve(state, listener)
        .await
        .context("server stopped")?;
    Ok(())
}

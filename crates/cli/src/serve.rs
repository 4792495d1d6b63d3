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
    practices.into_iter().filter(|p| p.status == Status::Published).collect()
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

pub async fn serve(
    store: Arc<dyn Store>,
    data_dir: &Path,
    addr: SocketAddr,
    demo: bool,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    if demo && load_demo(store.as_ref(), clock).await? {
        eprintln!("demo corpus loaded into the empty store");
    }
    let index = open_index(data_dir)?;
    let expected = published(store.practices().await?).len() as u64;
    let indexed = index.len().map_err(|e| anyhow::anyhow!("search index: {e}"))?;
    if indexed != expected {
        let n = reindex(store.as_ref(), index.as_ref()).await?;
        eprintln!("search index rebuilt: {n} practices");
    }
    let state = web::AppState::new(store, index);
    let (listener, local) =
        web::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    eprintln!("zesummen is serving on http://{local}/");
    web::serve(state, listener).await.context("server stopped")?;
    Ok(())
}

//! `serve` and `reindex`: the search index beside the store, and the site on top of both.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use domain::Clock;
use search::{SearchIndex, TantivyIndex};
use store::Store;

use crate::failure::Failure;
use crate::output::progress;

/// The index lives beside the data: every node keeps its own, rebuilt from the store at will.
pub fn open_index(data_dir: &Path) -> Result<Arc<TantivyIndex>, Failure> {
    let dir = data_dir.join("index");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let index = TantivyIndex::open(&dir)
        .map_err(|e| anyhow::anyhow!("cannot open the search index in {}: {e}", dir.display()))?;
    Ok(Arc::new(index))
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

/// The concept scheme version the index's tags come from, kept beside the index.
fn concepts_version_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("index").join("concepts-version")
}

fn read_concepts_version(data_dir: &Path) -> Option<u32> {
    std::fs::read_to_string(concepts_version_file(data_dir))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn write_concepts_version(data_dir: &Path, version: Option<u32>) -> std::io::Result<()> {
    let path = concepts_version_file(data_dir);
    match version {
        Some(v) => std::fs::write(path, v.to_string()),
        None => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

fn indexing(e: web::indexing::IndexingError) -> Failure {
    anyhow::Error::new(e).into()
}

/// Rebuilds the index from the store and replays what was logged meanwhile; returns the
/// cursor.
async fn rebuild(store: &dyn Store, index: &Arc<dyn SearchIndex>) -> Result<i64, Failure> {
    let (n, cursor) = rebuild_with_progress(store, index).await?;
    eprintln!("search index rebuilt: {n} practices");
    Ok(cursor)
}

async fn rebuild_with_progress(
    store: &dyn Store,
    index: &Arc<dyn SearchIndex>,
) -> Result<(u64, i64), Failure> {
    let bar = progress(0, "indexing");
    let done = web::indexing::rebuild(store, index, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(indexing)?;
    bar.finish_and_clear();
    Ok(done)
}

/// Brings the index up to date with the changes logged after `cursor`; returns the new
/// cursor. Changes made by any node (or by `zesummen import`) reach every node's index this
/// way, without a full rebuild, unless the node fell behind the log's retention (it was down
/// longer than `serve --outbox-retention-days`): then it rebuilds from the store.
pub async fn follow_once(
    store: &dyn Store,
    index: &Arc<dyn SearchIndex>,
    cursor: i64,
) -> Result<i64, Failure> {
    if let Some(next) = web::indexing::apply_changes(store, index.as_ref(), cursor)
        .await
        .map_err(indexing)?
    {
        return Ok(next);
    }
    eprintln!(
        "the change log was pruned past this index's cursor ({cursor}): rebuilding the index"
    );
    rebuild(store, index).await
}

/// Brings the index up to date at start: replays the change log from the saved cursor, or
/// rebuilds from the store when there is no usable cursor. Returns the cursor.
pub async fn prepare_index(
    store: &dyn Store,
    index: &Arc<dyn SearchIndex>,
    data_dir: &Path,
) -> Result<i64, Failure> {
    // The store's active concept scheme tags practices and widens queries; an index tagged
    // with another version is rebuilt.
    let scheme = store.active_concepts().await?;
    let version = scheme.as_ref().map(|s| s.version);
    if let Some(scheme) = scheme {
        index.set_concepts(scheme);
    }
    let saved = read_cursor(data_dir);
    let non_empty = !index
        .is_empty()
        .map_err(|e| anyhow::anyhow!("search index: {e}"))?;
    let cursor = match saved {
        Some(cursor) if non_empty && read_concepts_version(data_dir) == version => {
            follow_once(store, index, cursor).await?
        }
        _ => rebuild(store, index).await?,
    };
    write_cursor(data_dir, cursor).context("saving the index cursor")?;
    write_concepts_version(data_dir, version).context("saving the index's concept version")?;
    Ok(cursor)
}

/// How `serve` runs, beyond the store and the data directory.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Load the bundled corpus into an empty store first.
    pub demo: bool,
    pub secure_cookies: bool,
    /// Proxies whose forwarded client address the login throttle believes.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long the change log keeps an entry.
    pub outbox_retention: chrono::TimeDelta,
}

/// How often a node prunes the change log. Every node does: pruning is idempotent.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_hours(1);

fn warn(what: &str, e: &Failure) {
    match e {
        Failure::Input(e) => eprintln!("warning: {what}: {e}"),
        Failure::Other(e) => eprintln!("warning: {what}: {e:#}"),
    }
}

pub async fn serve(
    store: Arc<dyn Store>,
    data_dir: &Path,
    options: &ServeOptions,
    clock: Arc<dyn Clock>,
) -> Result<(), Failure> {
    if options.demo && load_demo(store.as_ref(), clock.as_ref()).await? {
        eprintln!("demo corpus loaded into the empty store");
    }
    let index: Arc<dyn SearchIndex> = open_index(data_dir)?;
    let mut cursor = prepare_index(store.as_ref(), &index, data_dir).await?;
    // `/readyz` reads where the follower stands.
    let follower = Arc::new(web::state::Follower::default());
    follower.record(cursor, clock.now().timestamp());
    {
        let (store, index, data_dir) = (store.clone(), index.clone(), data_dir.to_path_buf());
        let (follower, clock) = (follower.clone(), clock.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                match follow_once(store.as_ref(), &index, cursor).await {
                    Ok(next) if next != cursor => {
                        cursor = next;
                        follower.record(cursor, clock.now().timestamp());
                        if let Err(e) = write_cursor(&data_dir, cursor) {
                            eprintln!("warning: cannot save the index cursor: {e}");
                        }
                    }
                    Ok(_) => follower.record(cursor, clock.now().timestamp()),
                    Err(e) => warn("index follower", &e),
                }
                // An editor's new concept scheme, made on any node.
                match web::indexing::follow_concepts(store.as_ref(), &index).await {
                    Ok(Some(version)) => {
                        eprintln!("search index: concept scheme version {version}");
                        if let Err(e) = write_concepts_version(&data_dir, Some(version)) {
                            eprintln!("warning: cannot save the index's concept version: {e}");
                        }
                    }
                    Ok(None) => {}
                    Err(e) => warn("index follower", &indexing(e)),
                }
            }
        });
    }
    {
        let (store, retention) = (store.clone(), options.outbox_retention);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PRUNE_EVERY);
            loop {
                tick.tick().await;
                match store.prune_changes(clock.now() - retention).await {
                    Ok(0) => {}
                    Ok(n) => eprintln!("change log: {n} entries older than the retention pruned"),
                    Err(e) => warn("pruning the change log", &e.into()),
                }
                // Generated PDFs are made again on demand; the same retention bounds them.
                match store.prune_documents(clock.now() - retention).await {
                    Ok(0) => {}
                    Ok(n) => {
                        eprintln!("documents: {n} generated PDFs older than the retention pruned");
                    }
                    Err(e) => warn("pruning generated documents", &e.into()),
                }
            }
        });
    }
    let state = web::AppState::new(store, index)
        .with_follower(follower)
        .with_secure_cookies(options.secure_cookies)
        .with_trusted_proxies(options.trusted_proxies.clone());
    let (listener, local) = web::bind(options.addr)
        .await
        .with_context(|| format!("cannot listen on {}", options.addr))?;
    eprintln!("zesummen is serving on http://{local}/");
    // Long jobs (booklets): every node asks for them; each goes to exactly one node.
    tokio::spawn(web::jobs::work(
        state.clone(),
        format!("{local} pid {}", std::process::id()),
    ));
    let store = state.store.clone();
    web::serve_until(state, listener, stop_signal())
        .await
        .context("server stopped")?;
    // The database file alone holds everything once stopped (SQLite's log moved in).
    store.checkpoint().await?;
    eprintln!("zesummen stopped");
    Ok(())
}

/// SIGTERM (or Ctrl-C): stop accepting, finish the requests in flight.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                tokio::signal::ctrl_c().await.ok();
            }
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.ok();
    }
    eprintln!("zesummen: stopping; requests in flight finish first");
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};
    use search::SearchQuery;
    use store_sqlite::SqliteStore;

    use super::*;

    async fn import(store: &dyn Store, csv: &str, now: chrono::DateTime<Utc>) {
        let batch = ingest::parse("new.csv", csv.as_bytes(), Some(domain::Format::Csv)).unwrap();
        store.import(&batch, now).await.unwrap();
    }

    fn total(index: &dyn SearchIndex, q: &str) -> u64 {
        index.search(&SearchQuery::text(q)).unwrap().total
    }

    #[tokio::test]
    async fn a_follower_behind_the_pruned_log_rebuilds_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("zesummen.sqlite"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let index: Arc<dyn SearchIndex> = Arc::new(TantivyIndex::in_memory().unwrap());
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        import(&store, "title,communes\nCafé des langues,Remich\n", t0).await;
        let cursor = follow_once(&store, &index, 0).await.unwrap();
        assert_eq!(index.len().unwrap(), 1);

        // The node is down while two practices come and the log is pruned past them.
        let later = t0 + TimeDelta::days(3);
        import(&store, "title\nAtelier vélo\nJardin partagé\n", later).await;
        assert_eq!(
            store
                .prune_changes(later + TimeDelta::hours(1))
                .await
                .unwrap(),
            2
        );
        assert!(store.pruned_through().await.unwrap() > cursor);
        // What is left of the log names only the last practice.
        assert_eq!(store.changes_since(cursor, 10).await.unwrap().len(), 1);

        let next = follow_once(&store, &index, cursor).await.unwrap();
        assert_eq!(next, store.latest_change().await.unwrap());
        assert_eq!(index.len().unwrap(), 3, "rebuilt, not replayed");
        assert_eq!(total(index.as_ref(), "atelier vélo"), 1);
        // Up to date now: following again changes nothing.
        assert_eq!(follow_once(&store, &index, next).await.unwrap(), next);
    }

    #[tokio::test]
    async fn a_follower_within_the_retention_replays_without_rebuilding() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("zesummen.sqlite"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let index: Arc<dyn SearchIndex> = Arc::new(TantivyIndex::in_memory().unwrap());
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        import(&store, "title\nCafé des langues\nAtelier vélo\n", t0).await;
        let cursor = follow_once(&store, &index, 0).await.unwrap();
        // Old entries, already applied, are pruned.
        assert_eq!(
            store.prune_changes(t0 + TimeDelta::days(8)).await.unwrap(),
            1
        );
        import(&store, "title\nJardin partagé\n", t0 + TimeDelta::days(9)).await;
        // A practice the index holds but the store no longer does would survive a replay and
        // vanish in a rebuild: it tells which of the two happened.
        index
            .upsert(&[domain::Practice {
                id: 999,
                ..store.practices().await.unwrap()[0].clone()
            }])
            .unwrap();
        let next = follow_once(&store, &index, cursor).await.unwrap();
        assert_eq!(next, store.latest_change().await.unwrap());
        assert_eq!(
            index.len().unwrap(),
            4,
            "replayed: 3 practices and the stray one"
        );
    }
}

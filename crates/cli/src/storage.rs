//! Opening the store that the options name.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use domain::Clock;
use store::Store;
use store_postgres::PgStore;
use store_sqlite::SqliteStore;

use crate::failure::Failure;

/// Opens the store the options name, brings its schema up to date and makes sure the bundled
/// SPIRAL reference data is there. `--database` picks the backend by its scheme; without it,
/// the embedded store in the data directory.
pub async fn open_store(
    data_dir: &Path,
    database: Option<&str>,
    read_database: Option<&str>,
    clock: &dyn Clock,
) -> Result<Arc<dyn Store>, Failure> {
    if let Some(read) = read_database
        && !database.is_some_and(is_postgres)
    {
        return Err(Failure::Input(format!(
            "--read-database {}: a read replica needs a postgres:// --database",
            store_postgres::redact(read)
        )));
    }
    let store: Arc<dyn Store> = match database {
        Some(url) if url.starts_with("sqlite:") => Arc::new(
            SqliteStore::open_url(url)
                .await
                .with_context(|| format!("cannot open {url}"))?,
        ),
        Some(url) if is_postgres(url) => Arc::new(
            PgStore::connect(url, read_database)
                .await
                .context("cannot open the PostgreSQL store")?,
        ),
        Some(url) => {
            return Err(Failure::Input(format!(
                "--database {}: expected a sqlite:// or postgres:// URL",
                store_postgres::redact(url)
            )));
        }
        None => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            let path = data_dir.join("zesummen.sqlite");
            Arc::new(
                SqliteStore::open(&path)
                    .await
                    .with_context(|| format!("cannot open {}", path.display()))?,
            )
        }
    };
    store.migrate().await?;
    store
        .ensure_reference(&ingest::reference::bundled(), clock.now())
        .await?;
    ensure_concepts(store.as_ref(), clock).await?;
    Ok(store)
}

/// Who the bundled scheme's versions are by, in the store's history.
pub const BUNDLED_AUTHOR: &str = "bundled";

/// Stores the concept scheme bundled with this zesummen as the active version when the store
/// has none, or when its active version is an older bundled one. A scheme that editors or an
/// import made is never replaced by the bundled one.
async fn ensure_concepts(store: &dyn Store, clock: &dyn Clock) -> Result<(), Failure> {
    let versions = store.concept_versions().await?;
    let active = versions.iter().find(|v| v.active);
    if active.is_none_or(|v| v.author.as_deref() == Some(BUNDLED_AUTHOR)) {
        store
            .put_concepts(
                &ingest::concepts::bundled(),
                Some(BUNDLED_AUTHOR),
                "the concept scheme bundled with zesummen",
                clock.now(),
            )
            .await?;
    }
    Ok(())
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

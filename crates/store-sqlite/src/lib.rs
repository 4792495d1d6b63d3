//! The embedded store: [`store::Store`] on one SQLite file in WAL mode. What is read, checked
//! and written in which order is `store`'s, written once over the steps of `store::steps`; this
//! crate gives its transactions ([`SqliteTx`]) and the SQL of each step.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions: a deferred transaction that reads first and
//! writes later fails at once with `SQLITE_BUSY` when another writer committed in between,
//! whereas an immediate one waits (busy timeout) for the write lock. Several importers, in one
//! process or several, therefore queue instead of failing.
//!
//! Bulk writes pass a chunk of rows as one JSON array and let SQLite spread it with
//! `json_each`: the SQL stays static (ready for compile-time checking), and an import of
//! 100,000 practices costs a few hundred statements instead of a million round trips.

mod accounts;
mod attachments;
mod concepts;
mod outbox;
mod practices;
mod reference;
mod revisions;
mod spiral;
mod spiral_work;
mod time;

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection};
use store::steps::{Backend, Housekeeping, Steps};
use store::{Document, Job, JobOutcome, Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// How long a writer waits for another one's transaction before giving up. Generous, because
/// a large import holds the write lock for its whole (single) transaction.
const BUSY_TIMEOUT: Duration = Duration::from_mins(1);

/// [`Store`] on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens the database file at `path`, creating it (and its directory) if missing.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(format!("creating directory {}: {e}", dir.display()))
            })?;
        }
        Self::connect(SqliteConnectOptions::new().filename(path))
            .await
            .map_err(|e| match e {
                StoreError::Database(m) => {
                    StoreError::Database(format!("opening {}: {m}", path.display()))
                }
                other => other,
            })
    }

    /// Opens a `sqlite:` URL, e.g. `sqlite://data/zesummen.sqlite`.
    ///
    /// `sqlite::memory:` works but gives each pooled connection its own empty database;
    /// use a file (a temporary one in tests).
    pub async fn open_url(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url).map_err(|e| {
            StoreError::Invalid(format!(
                "`{url}` is not a SQLite URL ({e}): expected sqlite://PATH"
            ))
        })?;
        Self::connect(options).await
    }

    async fn connect(options: SqliteConnectOptions) -> Result<Self> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL is durable across application crashes, and much faster.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(Self { pool })
    }

    /// The pool, for what the trait does not cover.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Writes a consistent copy of the whole database to `path` while the store stays in use
    /// (`VACUUM INTO`: one read transaction, compacted on the way). Refuses to overwrite.
    pub async fn backup(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(StoreError::Invalid(format!(
                "{} exists already: expected the path of a new file",
                path.display()
            )));
        }
        let target = path.to_str().ok_or_else(|| {
            StoreError::Invalid(format!("{}: expected a path in UTF-8", path.display()))
        })?;
        sqlx::query("VACUUM INTO ?1")
            .bind(target)
            .execute(&self.pool)
            .await
            .map_err(db_while(format!("backing up into {}", path.display())))?;
        Ok(())
    }
}

/// A transaction of [`SqliteStore`]: the steps of `store::steps` run in it, each module of
/// this crate giving the SQL of one family of steps.
pub struct SqliteTx(sqlx::Transaction<'static, sqlx::Sqlite>);

impl Deref for SqliteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.0
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.0
    }
}

#[async_trait]
impl Backend for SqliteStore {
    type Tx = SqliteTx;

    /// `BEGIN IMMEDIATE`: takes the write lock at once (see the crate's documentation).
    async fn begin_write(&self) -> Result<SqliteTx> {
        Ok(SqliteTx(
            self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?,
        ))
    }

    /// A read transaction, so that a read of several tables sees one state.
    async fn begin_read(&self) -> Result<SqliteTx> {
        Ok(SqliteTx(self.pool.begin().await.map_err(db)?))
    }

    /// Deferred, as a read: the writes of accounts and sessions write first, so they take the
    /// write lock on their first statement, and a session check never waits for an import.
    async fn begin_primary(&self) -> Result<SqliteTx> {
        Ok(SqliteTx(self.pool.begin().await.map_err(db)?))
    }
}

#[async_trait]
impl Steps for SqliteTx {
    async fn commit(self) -> Result<()> {
        self.0.commit().await.map_err(db)
    }
}

#[allow(clippy::needless_pass_by_value)] // `map_err` hands the error over by value.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// One column of a row, as `T`.
pub(crate) fn get<'r, T>(row: &'r sqlx::sqlite::SqliteRow, i: usize) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(i).map_err(db)
}

/// A value as the JSON text that `json_each(?)` spreads into rows.
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

/// A statement that returns no rows.
pub(crate) type Statement<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

/// Runs a statement in `conn`, saying what it was doing should it fail; gives how many rows it
/// changed. The one way this crate executes a statement that returns no rows.
pub(crate) trait Run {
    async fn run(self, conn: &mut SqliteConnection, what: impl std::fmt::Display) -> Result<u64>;
}

impl Run for Statement<'_> {
    async fn run(self, conn: &mut SqliteConnection, what: impl std::fmt::Display) -> Result<u64> {
        let done = self.execute(conn).await.map_err(db_while(what))?;
        Ok(done.rows_affected())
    }
}

/// A database error with what was being done.
pub(crate) fn db_while(what: impl std::fmt::Display) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Database(format!("{what}: {e}"))
}

#[async_trait]
impl Housekeeping for SqliteStore {
    async fn checkpoint(&self) -> Result<()> {
        // TRUNCATE: the log is moved into the file and emptied, so the file alone is whole.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
            .map_err(db_while("checkpointing the write-ahead log".to_string()))?;
        Ok(())
    }

    async fn run_migrations(&self) -> Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    async fn queue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        outbox::enqueue(&mut conn, kind, payload, now).await
    }

    /// In a write transaction: `BEGIN IMMEDIATE` makes the claim atomic.
    async fn take_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>> {
        let mut tx = self.begin_write().await?;
        let job = outbox::claim(&mut tx, kind, worker, now).await?;
        tx.commit().await?;
        Ok(job)
    }

    async fn end_job(
        &self,
        id: i64,
        by: &str,
        end: &JobOutcome,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = outbox::finish(&mut tx, id, by, end, at).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn read_job(&self, id: i64) -> Result<Option<Job>> {
        outbox::get_job(&mut *self.pool.acquire().await.map_err(db)?, id).await
    }

    async fn keep_document(&self, document: &Document) -> Result<()> {
        outbox::put_document(&mut *self.pool.acquire().await.map_err(db)?, document).await
    }

    async fn read_document(&self, key: &str) -> Result<Option<Document>> {
        outbox::document(&mut *self.pool.acquire().await.map_err(db)?, key).await
    }

    async fn drop_documents(&self, before: DateTime<Utc>) -> Result<u64> {
        outbox::prune_documents(&mut *self.pool.acquire().await.map_err(db)?, before).await
    }
}

#[cfg(test)]
mod tests {
    use store::{Counts, Store};

    use super::*;

    #[tokio::test]
    async fn open_creates_the_directory_and_names_the_file_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/zesummen.sqlite");
        let store = SqliteStore::open(&path).await.unwrap();
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert!(path.exists());
        assert_eq!(store.counts().await.unwrap(), Counts::default());

        // A directory where the file should be.
        let err = SqliteStore::open(dir.path()).await.unwrap_err().to_string();
        assert!(err.contains(&dir.path().display().to_string()), "{err}");

        let copy = dir.path().join("copy.sqlite");
        store.backup(&copy).await.unwrap();
        let err = store.backup(&copy).await.unwrap_err().to_string();
        assert!(err.contains("exists already"), "{err}");
        let restored = SqliteStore::open(&copy).await.unwrap();
        restored.migrate().await.unwrap();
        assert_eq!(restored.counts().await.unwrap(), Counts::default());

        let url = format!("sqlite://{}", path.display());
        let again = SqliteStore::open_url(&url).await.unwrap();
        assert_eq!(again.counts().await.unwrap(), Counts::default());
        assert!(SqliteStore::open_url("postgres://x").await.is_err());
    }
}

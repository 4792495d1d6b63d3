//! The embedded store: [`store::Store`] on one SQLite file in WAL mode.
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
mod contribution;
mod outbox;
mod practices;
mod reference;
mod revisions;
mod spiral;
mod spiral_work;
mod time;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::spiral::Reference;
use domain::{
    Batch, Codebook, Criterion, HomogeneousGroup, MeaningEntry, Platform, Practice, PracticeFields,
    QuestionEntry, ScaleLevel,
};
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection};
use store::contribution::import_revision;
use store::plan::{self, Existing, Lookups, PracticeWrite};
use store::{
    Change, CodebookVersion, Counts, CriteriaFilter, Document, ImportSummary, Job, JobOutcome,
    NewRevision, Result, Store, StoreError,
};

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

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// A read transaction, so that a read of several tables sees one state.
    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool.begin().await.map_err(db)
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

/// A database error with what was being done.
pub(crate) fn db_while(what: impl std::fmt::Display) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Database(format!("{what}: {e}"))
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    async fn ensure_reference(&self, reference: &Reference, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let loaded = reference::ensure(&mut tx, reference, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(loaded)
    }

    async fn import(&self, batch: &Batch, now: DateTime<Utc>) -> Result<ImportSummary> {
        let in_document = |e: StoreError| match e {
            StoreError::Database(m) => StoreError::Database(format!("{}: {m}", batch.document)),
            StoreError::Invalid(m) => StoreError::Invalid(format!("{}: {m}", batch.document)),
            other => other,
        };
        let mut tx = self.begin_write().await?;
        let summary = import(&mut tx, batch, now).await.map_err(in_document)?;
        tx.commit().await.map_err(db).map_err(in_document)?;
        Ok(summary)
    }

    async fn practices(&self) -> Result<Vec<Practice>> {
        let mut tx = self.begin_read().await?;
        practices::load(&mut tx, i64::MIN, i64::MAX).await
    }

    async fn practice(&self, id: i64) -> Result<Option<Practice>> {
        let mut tx = self.begin_read().await?;
        Ok(practices::load(&mut tx, id, id).await?.pop())
    }

    async fn platforms(&self) -> Result<Vec<Platform>> {
        spiral::platforms(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn groups(&self) -> Result<Vec<HomogeneousGroup>> {
        spiral::groups(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn criteria(&self, filter: &CriteriaFilter) -> Result<Vec<Criterion>> {
        spiral::criteria(&mut *self.pool.acquire().await.map_err(db)?, filter).await
    }

    async fn active_codebook(&self) -> Result<Option<Codebook>> {
        let mut tx = self.begin_read().await?;
        reference::active_codebook(&mut tx).await
    }

    async fn codebook_versions(&self) -> Result<Vec<CodebookVersion>> {
        reference::versions(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn import_codebook(
        &self,
        codebook: &Codebook,
        activate: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        reference::import_codebook(&mut tx, codebook, activate, now).await?;
        tx.commit().await.map_err(db)
    }

    async fn activate_codebook(&self, version: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        reference::activate(&mut tx, version).await?;
        tx.commit().await.map_err(db)
    }

    async fn meaning_codes(&self) -> Result<Vec<MeaningEntry>> {
        reference::meaning_codes(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn questions(&self) -> Result<Vec<QuestionEntry>> {
        reference::questions(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn scale(&self) -> Result<Vec<ScaleLevel>> {
        reference::scale(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn counts(&self) -> Result<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM practices), (SELECT count(*) FROM platforms),
                    (SELECT count(*) FROM homogeneous_groups), (SELECT count(*) FROM criteria)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let n = |i: usize| row.try_get::<i64, _>(i).map(|n| n as u64).map_err(db);
        Ok(Counts {
            practices: n(0)?,
            platforms: n(1)?,
            groups: n(2)?,
            criteria: n(3)?,
        })
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>> {
        outbox::changes_since(&mut *self.pool.acquire().await.map_err(db)?, after, limit).await
    }

    async fn latest_change(&self) -> Result<i64> {
        outbox::latest_change(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = outbox::prune(&mut tx, before).await?;
        tx.commit().await.map_err(db)?;
        Ok(n)
    }

    async fn pruned_through(&self) -> Result<i64> {
        outbox::pruned_through(&mut *self.pool.acquire().await.map_err(db)?).await
    }

    async fn enqueue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64> {
        outbox::enqueue(
            &mut *self.pool.acquire().await.map_err(db)?,
            kind,
            payload,
            now,
        )
        .await
    }

    async fn claim_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>> {
        let mut tx = self.begin_write().await?;
        let job = outbox::claim(&mut tx, kind, worker, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(job)
    }

    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        outcome: &JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        outbox::finish(&mut tx, id, worker, outcome, now).await?;
        tx.commit().await.map_err(db)
    }

    async fn job(&self, id: i64) -> Result<Option<Job>> {
        outbox::get_job(&mut *self.pool.acquire().await.map_err(db)?, id).await
    }

    async fn put_document(&self, document: &Document) -> Result<()> {
        outbox::put_document(&mut *self.pool.acquire().await.map_err(db)?, document).await
    }

    async fn document(&self, key: &str) -> Result<Option<Document>> {
        outbox::document(&mut *self.pool.acquire().await.map_err(db)?, key).await
    }

    async fn prune_documents(&self, before: DateTime<Utc>) -> Result<u64> {
        outbox::prune_documents(&mut *self.pool.acquire().await.map_err(db)?, before).await
    }
}

/// One import inside the caller's transaction: read what the batch can touch, plan, write.
async fn import(
    conn: &mut SqliteConnection,
    batch: &Batch,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    let lookups = Lookups::of(batch);
    let has_spiral =
        !(batch.platforms.is_empty() && batch.groups.is_empty() && batch.criteria.is_empty());
    let existing = Existing {
        practices: practices::stored(conn, &lookups).await?,
        // Only a batch with SPIRAL data needs them (all of them: they are few).
        platforms: if has_spiral {
            spiral::platforms(conn).await?
        } else {
            Vec::new()
        },
        groups: if has_spiral {
            spiral::groups(conn).await?
        } else {
            Vec::new()
        },
        criteria: spiral::stored_criteria(conn, &lookups).await?,
        codebook: if batch.criteria.is_empty() {
            None
        } else {
            reference::active_codebook(conn).await?
        },
    };
    let mut plan = plan::plan(batch, &existing, now);
    for conflict in &plan.conflicts {
        let stored = practices::load(conn, conflict.practice_id, conflict.practice_id)
            .await?
            .pop()
            .ok_or_else(|| {
                StoreError::Corrupt(format!("practice {} vanished", conflict.practice_id))
            })?;
        plan.summary.warnings.push(plan::deferred_warning(
            conflict,
            (&stored.fields, stored.status, stored.language),
        ));
    }
    // Each new practice and each changed content leaves a revision, diffed against the
    // content as stored before: read it now, before it is overwritten.
    let changed: Vec<i64> = plan
        .practices
        .iter()
        .filter_map(|w| match w {
            PracticeWrite::Update {
                id,
                content: Some(_),
                ..
            } => Some(*id),
            _ => None,
        })
        .collect();
    let before: HashMap<i64, PracticeFields> = practices::load_ids(conn, &changed)
        .await?
        .into_iter()
        .map(|p| (p.id, p.fields))
        .collect();
    let ids = practices::write(conn, &plan.practices, now).await?;
    let history: Vec<NewRevision> = plan
        .practices
        .iter()
        .zip(&ids)
        .filter_map(|(w, id)| match w {
            PracticeWrite::Insert { content, .. } => Some(import_revision(*id, content, None, now)),
            PracticeWrite::Update {
                content: Some(content),
                ..
            } => Some(import_revision(*id, content, before.get(id), now)),
            PracticeWrite::Update { content: None, .. } => None,
        })
        .collect();
    revisions::record(conn, &history).await?;
    spiral::write(conn, &plan, &existing).await?;
    Ok(plan.summary)
}

#[cfg(test)]
mod tests {
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

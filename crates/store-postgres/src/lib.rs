//! The scaled store: [`store::Store`] on PostgreSQL, shared by several `zesummen` nodes, with
//! an optional read replica.
//!
//! The schema (`migrations/`) has the same tables, constraints and meaning as SQLite's; the
//! import rules are `store::plan`'s, as in `store-sqlite`, so the two cannot drift (the
//! conformance suite of `store-tests` runs against both).
//!
//! Every statement whose SQL is known at build time is checked against the schema by sqlx's
//! macros; the `.sqlx/` directory at the workspace root holds what they learnt, so that
//! building needs no database (`SQLX_OFFLINE=true` in `.cargo/config.toml`). After changing a
//! query or a migration, refresh it against a migrated database:
//! `DATABASE_URL=postgres://… cargo sqlx prepare --workspace`.
//!
//! **Writes** that read before they write (an import plans against what is stored) run under
//! one transaction-scoped advisory lock, [`WRITE_LOCK`]: like SQLite's `BEGIN IMMEDIATE`,
//! writers on every node queue instead of planning against each other's half-written state.
//! The lock also makes the outbox (`changes`) ids grow in commit order. Every future write
//! path that changes practices must take it (see [`PgStore::begin_write`]).
//!
//! **Reads** go to the replica when one is given (`--read-database`), else to the primary.
//! A read of several tables runs in one read-only repeatable-read transaction, so it sees one
//! state. Job bookkeeping always uses the primary: claims must see the latest truth.
//!
//! Bulk writes pass columns as arrays and spread them with `UNNEST`: one statement per table
//! and chunk, whatever the number of rows.

mod accounts;
mod contribution;
mod outbox;
mod practices;
mod reference;
mod revisions;
pub mod scratch;
mod spiral;
mod spiral_work;

use std::collections::HashMap;
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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use store::contribution::import_revision;
use store::plan::{self, Existing, Lookups, PracticeWrite};
use store::{
    Change, CodebookVersion, Counts, CriteriaFilter, Document, ImportSummary, Job, JobOutcome,
    NewRevision, Result, Store, StoreError,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The key of the advisory lock that serialises writers (`zesu` in ASCII).
pub const WRITE_LOCK: i64 = 0x7a65_7375;

/// How long a request waits for a pooled connection before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the server may take to answer a new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// [`Store`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    primary: PgPool,
    replica: Option<PgPool>,
}

impl PgStore {
    /// Connects to the primary at `url` and, when given, to a read replica at `read_url`.
    /// Both are `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URLs (or with
    /// `?host=/run/postgresql` for a Unix socket).
    pub async fn connect(url: &str, read_url: Option<&str>) -> Result<Self> {
        let primary = pool(url).await?;
        let replica = match read_url {
            Some(u) => Some(pool(u).await?),
            None => None,
        };
        Ok(Self { primary, replica })
    }

    /// The primary's pool, for what the trait does not cover.
    pub fn pool(&self) -> &PgPool {
        &self.primary
    }

    /// Where reads go: the replica when there is one, else the primary.
    pub fn reader(&self) -> &PgPool {
        self.replica.as_ref().unwrap_or(&self.primary)
    }

    /// A write transaction on the primary, holding [`WRITE_LOCK`] until it ends.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.primary.begin().await.map_err(db)?;
        sqlx::query!("SELECT FROM pg_advisory_xact_lock($1)", WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db_while("waiting for the write lock"))?;
        Ok(tx)
    }

    /// A read-only transaction that sees one state of the database, on the reader.
    async fn begin_read(&self) -> Result<Transaction<'static, Postgres>> {
        self.reader()
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(db)
    }
}

async fn pool(url: &str) -> Result<PgPool> {
    let shown = redact(url);
    let expected = "expected postgres://USER@HOST[:PORT]/DATABASE";
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(StoreError::Invalid(format!(
            "`{shown}` is not a PostgreSQL URL: {expected}"
        )));
    }
    let options = PgConnectOptions::from_str(url).map_err(|e| {
        StoreError::Invalid(format!(
            "`{shown}` is not a PostgreSQL URL ({e}): {expected}"
        ))
    })?;
    // One connection first: a wrong address or password fails at once with its own words,
    // where the pool would retry until its acquire timeout.
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| {
            StoreError::Database(format!(
                "connecting to {shown}: no answer within {}s",
                CONNECT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| StoreError::Database(format!("connecting to {shown}: {e}")))?;
    probe.close().await.ok();
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Database(format!("connecting to {shown}: {e}")))
}

/// `url` with its password, if any, replaced by `***`: fit for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[allow(clippy::needless_pass_by_value)] // `map_err` hands the error over by value.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// A database error with what was being done.
pub(crate) fn db_while(what: impl std::fmt::Display) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Database(format!("{what}: {e}"))
}

/// A non-negative count or number read back as the domain's unsigned type.
pub(crate) fn unsigned(n: i64, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        StoreError::Corrupt(format!(
            "{what} is {n}: expected a number from 0 to {}",
            u32::MAX
        ))
    })
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.primary)
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
        let mut tx = self.begin_write().await.map_err(in_document)?;
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
        spiral::platforms(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn groups(&self) -> Result<Vec<HomogeneousGroup>> {
        spiral::groups(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn criteria(&self, filter: &CriteriaFilter) -> Result<Vec<Criterion>> {
        spiral::criteria(&mut *self.reader().acquire().await.map_err(db)?, filter).await
    }

    async fn active_codebook(&self) -> Result<Option<Codebook>> {
        let mut tx = self.begin_read().await?;
        reference::active_codebook(&mut tx).await
    }

    async fn codebook_versions(&self) -> Result<Vec<CodebookVersion>> {
        reference::versions(&mut *self.reader().acquire().await.map_err(db)?).await
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
        reference::meaning_codes(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn questions(&self) -> Result<Vec<QuestionEntry>> {
        reference::questions(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn scale(&self) -> Result<Vec<ScaleLevel>> {
        reference::scale(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn counts(&self) -> Result<Counts> {
        let row = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM practices) AS "practices!",
                      (SELECT count(*) FROM platforms) AS "platforms!",
                      (SELECT count(*) FROM homogeneous_groups) AS "groups!",
                      (SELECT count(*) FROM criteria) AS "criteria!""#
        )
        .fetch_one(self.reader())
        .await
        .map_err(db_while("counting"))?;
        Ok(Counts {
            practices: row.practices as u64,
            platforms: row.platforms as u64,
            groups: row.groups as u64,
            criteria: row.criteria as u64,
        })
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>> {
        outbox::changes_since(
            &mut *self.reader().acquire().await.map_err(db)?,
            after,
            limit,
        )
        .await
    }

    async fn latest_change(&self) -> Result<i64> {
        outbox::latest_change(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = outbox::prune(&mut tx, before).await?;
        tx.commit().await.map_err(db)?;
        Ok(n)
    }

    /// From the reader, as [`Store::changes_since`]: a replica that shows the batch shows the
    /// watermark of its prune too.
    async fn pruned_through(&self) -> Result<i64> {
        outbox::pruned_through(&mut *self.reader().acquire().await.map_err(db)?).await
    }

    async fn enqueue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64> {
        outbox::enqueue(
            &mut *self.primary.acquire().await.map_err(db)?,
            kind,
            payload,
            now,
        )
        .await
    }

    async fn claim_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>> {
        outbox::claim(
            &mut *self.primary.acquire().await.map_err(db)?,
            kind,
            worker,
            now,
        )
        .await
    }

    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        outcome: &JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        outbox::finish(
            &mut *self.primary.acquire().await.map_err(db)?,
            id,
            worker,
            outcome,
            now,
        )
        .await
    }

    async fn job(&self, id: i64) -> Result<Option<Job>> {
        outbox::get_job(&mut *self.primary.acquire().await.map_err(db)?, id).await
    }

    async fn put_document(&self, document: &Document) -> Result<()> {
        outbox::put_document(&mut *self.primary.acquire().await.map_err(db)?, document).await
    }

    async fn document(&self, key: &str) -> Result<Option<Document>> {
        outbox::document(&mut *self.primary.acquire().await.map_err(db)?, key).await
    }

    async fn prune_documents(&self, before: DateTime<Utc>) -> Result<u64> {
        outbox::prune_documents(&mut *self.primary.acquire().await.map_err(db)?, before).await
    }
}

/// One import inside the caller's write transaction: read what the batch can touch, plan,
/// write; exactly as `store-sqlite` does.
async fn import(
    conn: &mut PgConnection,
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

/// The next free id of `table` (one of the tables whose ids the store assigns): above the
/// highest ever given and the highest stored. Call it under [`WRITE_LOCK`].
pub(crate) async fn next_id(conn: &mut PgConnection, table: &'static str) -> Result<i64> {
    let stored = match table {
        "practices" => {
            sqlx::query_scalar!("SELECT max(id) FROM practices")
                .fetch_one(&mut *conn)
                .await
        }
        "platforms" => {
            sqlx::query_scalar!("SELECT max(id) FROM platforms")
                .fetch_one(&mut *conn)
                .await
        }
        "homogeneous_groups" => {
            sqlx::query_scalar!("SELECT max(id) FROM homogeneous_groups")
                .fetch_one(&mut *conn)
                .await
        }
        "criteria" => {
            sqlx::query_scalar!("SELECT max(id) FROM criteria")
                .fetch_one(&mut *conn)
                .await
        }
        _ => unreachable!("no id assignment for {table}"),
    }
    .map_err(db_while(format!("reading the highest id of {table}")))?;
    let given = sqlx::query_scalar!("SELECT value FROM id_high_water WHERE name = $1", table)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_while(format!("reading the highest id given in {table}")))?;
    Ok(stored.unwrap_or(0).max(given.unwrap_or(0)) + 1)
}

/// Remembers that ids up to `highest` were given in `table`.
pub(crate) async fn raise_high_water(
    conn: &mut PgConnection,
    table: &'static str,
    highest: i64,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO id_high_water (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = greatest(id_high_water.value, excluded.value)",
        table,
        highest
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(format!("recording the ids given in {table}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/zesummen"),
            "postgres://app:***@db.example:5432/zesummen"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/postgres"),
            "postgres://postgres@127.0.0.1/postgres"
        );
        assert_eq!(
            redact("postgresql://a:b@h?sslmode=require"),
            "postgresql://a:***@h?sslmode=require"
        );
        assert_eq!(redact("not a url"), "not a url");
    }
}

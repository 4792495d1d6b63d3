//! The scaled store: [`store::Store`] on PostgreSQL, shared by several `zesummen` nodes, with
//! an optional read replica.
//!
//! The schema (`migrations/`) has the same tables, constraints and meaning as SQLite's. What
//! is read, checked and written in which order is `store`'s, written once over the steps of
//! `store::steps`; this crate gives its transactions ([`PgTx`]) and the SQL of each step, as
//! `store-sqlite` does (the conformance suite of `store-tests` runs against both).
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
//! path that changes practices must take it (see [`PgTx`] and `Backend::begin_write`).
//!
//! **Reads** go to the replica when one is given (`--read-database`), else to the primary.
//! A read of several tables runs in one read-only repeatable-read transaction, so it sees one
//! state. Job bookkeeping always uses the primary: claims must see the latest truth.
//!
//! Bulk writes pass columns as arrays and spread them with `UNNEST`: one statement per table
//! and chunk, whatever the number of rows.

mod accounts;
mod attachments;
mod concepts;
mod outbox;
mod practices;
mod reference;
mod revisions;
pub mod scratch;
mod spiral;
mod spiral_work;

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use store::steps::{Backend, Housekeeping, Steps};
use store::{Document, Job, JobOutcome, Result, StoreError};

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
}

/// A transaction of [`PgStore`]: the steps of `store::steps` run in it, each module of this
/// crate giving the SQL of one family of steps.
pub struct PgTx(Transaction<'static, Postgres>);

impl Deref for PgTx {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.0
    }
}

impl DerefMut for PgTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.0
    }
}

#[async_trait]
impl Backend for PgStore {
    type Tx = PgTx;

    /// On the primary, holding [`WRITE_LOCK`] until it ends.
    async fn begin_write(&self) -> Result<PgTx> {
        let mut tx = self.primary.begin().await.map_err(db)?;
        sqlx::query!("SELECT FROM pg_advisory_xact_lock($1)", WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db_while("waiting for the write lock"))?;
        Ok(PgTx(tx))
    }

    /// Read-only, seeing one state of the database, on the reader.
    async fn begin_read(&self) -> Result<PgTx> {
        let tx = self
            .reader()
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(db)?;
        Ok(PgTx(tx))
    }

    /// On the primary, without the write lock.
    async fn begin_primary(&self) -> Result<PgTx> {
        Ok(PgTx(self.primary.begin().await.map_err(db)?))
    }
}

#[async_trait]
impl Steps for PgTx {
    async fn commit(self) -> Result<()> {
        self.0.commit().await.map_err(db)
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

/// Jobs and documents on the primary, outside the write lock: claims must see the latest
/// truth, and a long import must not hold them up.
#[async_trait]
impl Housekeeping for PgStore {
    async fn run_migrations(&self) -> Result<()> {
        MIGRATOR
            .run(&self.primary)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    async fn queue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64> {
        let mut conn = self.primary.acquire().await.map_err(db)?;
        outbox::enqueue(&mut conn, kind, payload, now).await
    }

    async fn take_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>> {
        let mut conn = self.primary.acquire().await.map_err(db)?;
        outbox::claim(&mut conn, kind, worker, now).await
    }

    async fn end_job(
        &self,
        id: i64,
        by: &str,
        end: &JobOutcome,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut conn = self.primary.acquire().await.map_err(db)?;
        outbox::finish(&mut conn, id, by, end, at).await
    }

    async fn read_job(&self, id: i64) -> Result<Option<Job>> {
        outbox::get_job(&mut *self.primary.acquire().await.map_err(db)?, id).await
    }

    async fn keep_document(&self, document: &Document) -> Result<()> {
        outbox::put_document(&mut *self.primary.acquire().await.map_err(db)?, document).await
    }

    async fn read_document(&self, key: &str) -> Result<Option<Document>> {
        outbox::document(&mut *self.primary.acquire().await.map_err(db)?, key).await
    }

    async fn drop_documents(&self, before: DateTime<Utc>) -> Result<u64> {
        outbox::prune_documents(&mut *self.primary.acquire().await.map_err(db)?, before).await
    }
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

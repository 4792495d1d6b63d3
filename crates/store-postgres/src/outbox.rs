//! Several nodes: the outbox of practice changes, and jobs.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use store::steps::OutboxSteps;
use store::{
    Change, ChangeOp, Document, Entity, JOB_LEASE, Job, JobOutcome, JobStatus, Result, StoreError,
};

use crate::{PgTx, db_while, unsigned};

/// Records an upsert of each practice, in the caller's write transaction (which holds the
/// write lock, so that ids grow in commit order).
pub(crate) async fn record_upserts(
    conn: &mut PgConnection,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO changes (entity, entity_id, op, at)
         SELECT 'practice', id, 'upsert', $2 FROM UNNEST($1::bigint[]) WITH ORDINALITY AS u(id, n)
          ORDER BY n",
        ids,
        now.trunc_subsecs(0)
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while("recording changes"))?;
    Ok(())
}

/// A job as read.
struct Row {
    id: i64,
    kind: String,
    payload: Value,
    status: String,
    worker: Option<String>,
    attempts: i32,
    result: Option<Value>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    claimed_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl Row {
    fn job(self) -> Result<Job> {
        let id = self.id;
        Ok(Job {
            id,
            kind: self.kind,
            payload: self.payload,
            status: JobStatus::parse(&self.status).ok_or_else(|| {
                StoreError::Corrupt(format!("job {id}: unknown status `{}`", self.status))
            })?,
            worker: self.worker,
            attempts: unsigned(i64::from(self.attempts), &format!("job {id}'s attempts"))?,
            result: self.result,
            error: self.error,
            created_at: self.created_at,
            claimed_at: self.claimed_at,
            finished_at: self.finished_at,
        })
    }
}

pub(crate) async fn enqueue(
    conn: &mut PgConnection,
    kind: &str,
    payload: &Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, payload, created_at) VALUES ($1, $2, $3) RETURNING id",
        kind,
        payload,
        now.trunc_subsecs(0)
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_while(format!("queueing a `{kind}` job")))
}

/// One statement: `SKIP LOCKED` lets concurrent claimers pass over a row another one is
/// taking, so each row goes to exactly one of them and nobody waits.
pub(crate) async fn claim(
    conn: &mut PgConnection,
    kind: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<Job>> {
    let row = sqlx::query_as!(
        Row,
        "UPDATE jobs SET status = 'running', worker = $2, claimed_at = $3,
                attempts = attempts + 1
          WHERE id = (SELECT id FROM jobs
                       WHERE kind = $1
                         AND (status = 'queued' OR (status = 'running' AND claimed_at < $4))
                       ORDER BY id LIMIT 1
                       FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, payload, status, worker, attempts, result, error, created_at,
                   claimed_at, finished_at",
        kind,
        worker,
        now.trunc_subsecs(0),
        (now - JOB_LEASE).trunc_subsecs(0)
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("claiming a `{kind}` job")))?;
    row.map(Row::job).transpose()
}

pub(crate) async fn finish(
    conn: &mut PgConnection,
    id: i64,
    worker: &str,
    outcome: &JobOutcome,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (status, result, error) = match outcome {
        JobOutcome::Done(v) => (JobStatus::Done, Some(v), None),
        JobOutcome::Failed(e) => (JobStatus::Failed, None, Some(e.as_str())),
    };
    let done = sqlx::query!(
        "UPDATE jobs SET status = $3, result = $4, error = $5, finished_at = $6
          WHERE id = $1 AND worker = $2 AND status = 'running'",
        id,
        worker,
        status.as_str(),
        result,
        error,
        now.trunc_subsecs(0)
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(format!("finishing job {id}")))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn get_job(conn: &mut PgConnection, id: i64) -> Result<Option<Job>> {
    let row = sqlx::query_as!(
        Row,
        "SELECT id, kind, payload, status, worker, attempts, result, error, created_at,
                claimed_at, finished_at
           FROM jobs WHERE id = $1",
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading job {id}")))?;
    row.map(Row::job).transpose()
}

pub(crate) async fn put_document(conn: &mut PgConnection, d: &Document) -> Result<()> {
    sqlx::query!(
        "INSERT INTO documents (key, media_type, file_name, bytes, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
        d.key,
        d.media_type,
        d.file_name,
        d.bytes,
        d.created_at.trunc_subsecs(0)
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(format!("keeping document {}", d.key)))?;
    Ok(())
}

pub(crate) async fn document(conn: &mut PgConnection, key: &str) -> Result<Option<Document>> {
    sqlx::query_as!(
        Document,
        "SELECT key, media_type, file_name, bytes, created_at FROM documents WHERE key = $1",
        key
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading document {key}")))
}

pub(crate) async fn prune_documents(conn: &mut PgConnection, before: DateTime<Utc>) -> Result<u64> {
    let done = sqlx::query!("DELETE FROM documents WHERE created_at < $1", before)
        .execute(&mut *conn)
        .await
        .map_err(db_while("pruning documents"))?;
    Ok(done.rows_affected())
}

#[async_trait]
impl OutboxSteps for PgTx {
    async fn changes_since(&mut self, after: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = sqlx::query!(
            "SELECT id, entity, entity_id, op, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2",
            after,
            i64::from(limit)
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading changes"))?;
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                Ok(Change {
                    id,
                    entity: Entity::parse(&r.entity).ok_or_else(|| {
                        StoreError::Corrupt(format!("change {id}: unknown entity `{}`", r.entity))
                    })?,
                    entity_id: r.entity_id,
                    op: ChangeOp::parse(&r.op).ok_or_else(|| {
                        StoreError::Corrupt(format!("change {id}: unknown operation `{}`", r.op))
                    })?,
                    at: r.at,
                })
            })
            .collect()
    }

    async fn latest_change(&mut self) -> Result<i64> {
        sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) AS "id!" FROM changes"#)
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("reading the latest change"))
    }

    /// Deletes the prefix of the log older than `before`, keeping the newest change; moves the
    /// watermark. In the caller's write transaction (which holds the write lock).
    async fn prune_changes(&mut self, before: DateTime<Utc>) -> Result<u64> {
        let through = sqlx::query_scalar!(
            "SELECT max(id) FROM changes WHERE at < $1 AND id < (SELECT max(id) FROM changes)",
            before
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while("finding changes to prune"))?;
        let Some(through) = through else {
            return Ok(0);
        };
        let deleted = sqlx::query!("DELETE FROM changes WHERE id <= $1", through)
            .execute(&mut **self)
            .await
            .map_err(db_while("pruning changes"))?;
        sqlx::query!(
            "UPDATE changes_pruned SET through = GREATEST(through, $1)",
            through
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("recording the pruned changes"))?;
        Ok(deleted.rows_affected())
    }

    async fn pruned_through(&mut self) -> Result<i64> {
        sqlx::query_scalar!("SELECT through FROM changes_pruned")
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("reading the pruned changes"))
    }
}

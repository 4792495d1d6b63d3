//! Several nodes: the outbox of practice changes, and jobs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use store::steps::OutboxSteps;
use store::{
    Change, ChangeOp, Document, Entity, JOB_LEASE, Job, JobOutcome, JobStatus, Result, StoreError,
};

use crate::{Run, SqliteTx, db_while, get, json_text, time};

/// Records an upsert of each practice, in the caller's (writing) transaction.
pub(crate) async fn record_upserts(
    conn: &mut SqliteConnection,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO changes (entity, entity_id, op, at)
         SELECT 'practice', value, 'upsert', ?2 FROM json_each(?1)",
    )
    .bind(json_text(ids))
    .bind(time::utc(now))
    .run(&mut *conn, "recording changes")
    .await?;
    Ok(())
}

/// The columns [`job`] reads.
macro_rules! job_columns {
    () => {
        "id, kind, payload, status, worker, attempts, result, error, created_at, claimed_at, \
         finished_at"
    };
}

fn job(row: &SqliteRow) -> Result<Job> {
    let id: i64 = get(row, 0)?;
    let json = |i: usize| -> Result<Option<Value>> {
        get::<Option<String>>(row, i)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| {
                    StoreError::Corrupt(format!("job {id}: `{text}` ({e}): expected JSON"))
                })
            })
            .transpose()
    };
    let utc = |i: usize| -> Result<Option<DateTime<Utc>>> {
        get::<Option<String>>(row, i)?
            .map(|s| time::parse_utc(&s))
            .transpose()
    };
    let status: String = get(row, 3)?;
    Ok(Job {
        id,
        kind: get(row, 1)?,
        payload: json(2)?.unwrap_or(Value::Null),
        status: JobStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("job {id}: unknown status `{status}`")))?,
        worker: get(row, 4)?,
        attempts: get::<i64>(row, 5)? as u32,
        result: json(6)?,
        error: get(row, 7)?,
        created_at: time::parse_utc(&get::<String>(row, 8)?)?,
        claimed_at: utc(9)?,
        finished_at: utc(10)?,
    })
}

pub(crate) async fn enqueue(
    conn: &mut SqliteConnection,
    kind: &str,
    payload: &Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, created_at) VALUES (?1, ?2, ?3) RETURNING id",
    )
    .bind(kind)
    .bind(json_text(payload))
    .bind(time::utc(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_while(format!("queueing a `{kind}` job")))
}

/// One statement, in the caller's immediate transaction: the write lock makes it atomic.
pub(crate) async fn claim(
    conn: &mut SqliteConnection,
    kind: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<Job>> {
    let row = sqlx::query(concat!(
        "UPDATE jobs SET status = 'running', worker = ?2, claimed_at = ?3,
                attempts = attempts + 1
          WHERE id = (SELECT id FROM jobs
                       WHERE kind = ?1
                         AND (status = 'queued' OR (status = 'running' AND claimed_at < ?4))
                       ORDER BY id LIMIT 1)
         RETURNING ",
        job_columns!()
    ))
    .bind(kind)
    .bind(worker)
    .bind(time::utc(now))
    .bind(time::utc(now - JOB_LEASE))
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("claiming a `{kind}` job")))?;
    row.as_ref().map(job).transpose()
}

pub(crate) async fn finish(
    conn: &mut SqliteConnection,
    id: i64,
    worker: &str,
    outcome: &JobOutcome,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (status, result, error) = match outcome {
        JobOutcome::Done(v) => (JobStatus::Done, Some(json_text(v)), None),
        JobOutcome::Failed(e) => (JobStatus::Failed, None, Some(e.as_str())),
    };
    let done = sqlx::query(
        "UPDATE jobs SET status = ?3, result = ?4, error = ?5, finished_at = ?6
          WHERE id = ?1 AND worker = ?2 AND status = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(status.as_str())
    .bind(result)
    .bind(error)
    .bind(time::utc(now))
    .run(&mut *conn, format!("finishing job {id}"))
    .await?;
    Ok(done == 1)
}

pub(crate) async fn get_job(conn: &mut SqliteConnection, id: i64) -> Result<Option<Job>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        job_columns!(),
        " FROM jobs WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading job {id}")))?;
    row.as_ref().map(job).transpose()
}

pub(crate) async fn put_document(conn: &mut SqliteConnection, d: &Document) -> Result<()> {
    sqlx::query(
        "INSERT INTO documents (key, media_type, file_name, bytes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO NOTHING",
    )
    .bind(&d.key)
    .bind(&d.media_type)
    .bind(&d.file_name)
    .bind(&d.bytes)
    .bind(time::utc(d.created_at))
    .run(&mut *conn, format!("keeping document {}", d.key))
    .await?;
    Ok(())
}

pub(crate) async fn document(conn: &mut SqliteConnection, key: &str) -> Result<Option<Document>> {
    let row = sqlx::query(
        "SELECT key, media_type, file_name, bytes, created_at FROM documents WHERE key = ?1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading document {key}")))?;
    row.map(|r| {
        Ok(Document {
            key: get(&r, 0)?,
            media_type: get(&r, 1)?,
            file_name: get(&r, 2)?,
            bytes: get(&r, 3)?,
            created_at: time::parse_utc(&get::<String>(&r, 4)?)?,
        })
    })
    .transpose()
}

pub(crate) async fn prune_documents(
    conn: &mut SqliteConnection,
    before: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query("DELETE FROM documents WHERE created_at < ?1")
        .bind(time::utc(before))
        .run(&mut *conn, "pruning documents")
        .await?;
    Ok(done)
}

#[async_trait]
impl OutboxSteps for SqliteTx {
    async fn changes_since(&mut self, after: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT id, entity, entity_id, op, at FROM changes WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading changes"))?;
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0)?;
                let entity: String = get(row, 1)?;
                let op: String = get(row, 3)?;
                Ok(Change {
                    id,
                    entity: Entity::parse(&entity).ok_or_else(|| {
                        StoreError::Corrupt(format!("change {id}: unknown entity `{entity}`"))
                    })?,
                    entity_id: get(row, 2)?,
                    op: ChangeOp::parse(&op).ok_or_else(|| {
                        StoreError::Corrupt(format!("change {id}: unknown operation `{op}`"))
                    })?,
                    at: time::parse_utc(&get::<String>(row, 4)?)?,
                })
            })
            .collect()
    }

    async fn latest_change(&mut self) -> Result<i64> {
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM changes")
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("reading the latest change"))
    }

    /// Deletes the prefix of the log older than `before`, keeping the newest change; moves the
    /// watermark. In the caller's write transaction.
    async fn prune_changes(&mut self, before: DateTime<Utc>) -> Result<u64> {
        let through: Option<i64> = sqlx::query_scalar(
            "SELECT max(id) FROM changes WHERE at < ?1 AND id < (SELECT max(id) FROM changes)",
        )
        .bind(time::utc(before))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while("finding changes to prune"))?;
        let Some(through) = through else {
            return Ok(0);
        };
        let deleted = sqlx::query("DELETE FROM changes WHERE id <= ?1")
            .bind(through)
            .run(self, "pruning changes")
            .await?;
        sqlx::query("UPDATE changes_pruned SET through = max(through, ?1)")
            .bind(through)
            .run(self, "recording the pruned changes")
            .await?;
        Ok(deleted)
    }

    async fn pruned_through(&mut self) -> Result<i64> {
        sqlx::query_scalar("SELECT through FROM changes_pruned")
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("reading the pruned changes"))
    }
}

//! The SQL of the revision history of practices ([`RevisionSteps`]).

use async_trait::async_trait;
use domain::PracticeFields;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use store::contribution::revision_from_columns;
use store::steps::RevisionSteps;
use store::{FieldChange, NewRevision, Result, Revision};

use crate::{Run, SqliteTx, db_while, get, json_text, time};

/// Revisions per bulk statement: bounds the size of one JSON argument (each holds a content).
const CHUNK: usize = 500;

/// The columns [`revision`] reads.
macro_rules! revision_columns {
    () => {
        "id, practice_id, number, at, actor, actor_email, action, status, comment, changes, \
         snapshot"
    };
}

fn revision(row: &SqliteRow) -> Result<Revision> {
    let id: i64 = get(row, 0)?;
    let json = |i: usize| -> Result<Value> {
        let text: String = get(row, i)?;
        serde_json::from_str(&text).map_err(|e| {
            store::StoreError::Corrupt(format!("revision {id}: `{text}` ({e}): expected JSON"))
        })
    };
    revision_from_columns(
        id,
        get(row, 1)?,
        get(row, 2)?,
        time::parse_utc(&get::<String>(row, 3)?)?,
        (get(row, 4)?, get(row, 5)?),
        get(row, 6)?,
        &get::<String>(row, 7)?,
        get(row, 8)?,
        json(9)?,
        json(10)?,
    )
}

#[async_trait]
impl RevisionSteps for SqliteTx {
    async fn append_revisions(&mut self, revisions: &[NewRevision]) -> Result<()> {
        for chunk in revisions.chunks(CHUNK) {
            let rows: Vec<Value> = chunk
                .iter()
                .map(|r| {
                    json!([
                        r.practice_id,
                        time::utc(r.at),
                        r.actor,
                        r.actor_email,
                        r.action,
                        r.status.as_str(),
                        r.comment,
                        r.changes,
                        r.snapshot
                    ])
                })
                .collect();
            sqlx::query(
                "INSERT INTO revisions (practice_id, number, at, actor, actor_email, action,
                                        status, comment, changes, snapshot)
                 SELECT j.value->>0,
                        (SELECT coalesce(max(r.number), 0) + 1 FROM revisions r
                          WHERE r.practice_id = j.value->>0),
                        j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5,
                        j.value->>6, j.value->7, j.value->8
                   FROM json_each(?1) AS j",
            )
            .bind(json_text(&rows))
            .run(self, "recording revisions")
            .await?;
        }
        Ok(())
    }

    async fn revisions_of(&mut self, practice_id: i64) -> Result<Vec<Revision>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            revision_columns!(),
            " FROM revisions WHERE practice_id = ?1 ORDER BY number DESC"
        ))
        .bind(practice_id)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading the revisions of practice {practice_id}"
        )))?;
        rows.iter().map(revision).collect()
    }

    async fn revision(&mut self, practice_id: i64, number: u32) -> Result<Option<Revision>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            revision_columns!(),
            " FROM revisions WHERE practice_id = ?1 AND number = ?2"
        ))
        .bind(practice_id)
        .bind(i64::from(number))
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading revision {number} of practice {practice_id}"
        )))?;
        row.as_ref().map(revision).transpose()
    }

    async fn rewrite_revision(
        &mut self,
        id: i64,
        changes: &[FieldChange],
        snapshot: &PracticeFields,
    ) -> Result<()> {
        sqlx::query("UPDATE revisions SET changes = ?2, snapshot = ?3 WHERE id = ?1")
            .bind(id)
            .bind(json_text(changes))
            .bind(json_text(snapshot))
            .run(self, format!("rewriting revision {id}"))
            .await?;
        Ok(())
    }
}

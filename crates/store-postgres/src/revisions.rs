//! The SQL of the revision history of practices ([`RevisionSteps`]).

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::PracticeFields;
use serde_json::Value;
use store::contribution::revision_from_columns;
use store::steps::RevisionSteps;
use store::{FieldChange, NewRevision, Result, Revision};

use crate::{PgTx, db_while};

/// Revisions per bulk statement: bounds the size of one statement's arrays (each holds a
/// content).
const CHUNK: usize = 2000;

/// A revision as read.
struct RevisionRow {
    id: i64,
    practice_id: i64,
    number: i32,
    at: DateTime<Utc>,
    actor: Option<i64>,
    actor_email: Option<String>,
    action: String,
    status: String,
    comment: Option<String>,
    changes: Value,
    snapshot: Value,
}

impl RevisionRow {
    fn revision(self) -> Result<Revision> {
        revision_from_columns(
            self.id,
            self.practice_id,
            i64::from(self.number),
            self.at,
            (self.actor, self.actor_email),
            self.action,
            &self.status,
            self.comment,
            self.changes,
            self.snapshot,
        )
    }
}

#[async_trait]
impl RevisionSteps for PgTx {
    /// Under the write lock, which makes the numbers safe to compute.
    async fn append_revisions(&mut self, revisions: &[NewRevision]) -> Result<()> {
        for chunk in revisions.chunks(CHUNK) {
            let mut practice_ids = Vec::with_capacity(chunk.len());
            let mut at: Vec<DateTime<Utc>> = Vec::with_capacity(chunk.len());
            let mut actors = Vec::with_capacity(chunk.len());
            let mut emails = Vec::with_capacity(chunk.len());
            let mut actions = Vec::with_capacity(chunk.len());
            let mut statuses = Vec::with_capacity(chunk.len());
            let mut comments = Vec::with_capacity(chunk.len());
            let mut changes = Vec::with_capacity(chunk.len());
            let mut snapshots = Vec::with_capacity(chunk.len());
            for r in chunk {
                practice_ids.push(r.practice_id);
                at.push(r.at.trunc_subsecs(0));
                actors.push(r.actor);
                emails.push(r.actor_email.clone());
                actions.push(r.action.clone());
                statuses.push(r.status.as_str().to_string());
                comments.push(r.comment.clone());
                changes.push(serde_json::to_value(&r.changes).expect("changes serialise"));
                snapshots.push(serde_json::to_value(&r.snapshot).expect("fields serialise"));
            }
            sqlx::query!(
                "INSERT INTO revisions (practice_id, number, at, actor, actor_email, action, status,
                                        comment, changes, snapshot)
                 SELECT u.practice_id,
                        (SELECT coalesce(max(r.number), 0) + 1 FROM revisions r
                          WHERE r.practice_id = u.practice_id),
                        u.at, u.actor, u.actor_email, u.action, u.status, u.comment, u.changes,
                        u.snapshot
                   FROM UNNEST($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[],
                               $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[])
                     AS u(practice_id, at, actor, actor_email, action, status, comment, changes,
                          snapshot)",
                &practice_ids,
                &at,
                &actors as _,
                &emails as _,
                &actions,
                &statuses,
                &comments as _,
                &changes,
                &snapshots
            )
            .execute(&mut **self)
            .await
            .map_err(db_while("recording revisions"))?;
        }
        Ok(())
    }

    async fn revisions_of(&mut self, practice_id: i64) -> Result<Vec<Revision>> {
        let rows = sqlx::query_as!(
            RevisionRow,
            "SELECT id, practice_id, number, at, actor, actor_email, action, status, comment,
                    changes, snapshot
               FROM revisions WHERE practice_id = $1 ORDER BY number DESC",
            practice_id
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading the revisions of practice {practice_id}"
        )))?;
        rows.into_iter().map(RevisionRow::revision).collect()
    }

    async fn revision(&mut self, practice_id: i64, number: u32) -> Result<Option<Revision>> {
        let Ok(n) = i32::try_from(number) else {
            return Ok(None);
        };
        let row = sqlx::query_as!(
            RevisionRow,
            "SELECT id, practice_id, number, at, actor, actor_email, action, status, comment,
                    changes, snapshot
               FROM revisions WHERE practice_id = $1 AND number = $2",
            practice_id,
            n
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading revision {number} of practice {practice_id}"
        )))?;
        row.map(RevisionRow::revision).transpose()
    }

    async fn rewrite_revision(
        &mut self,
        id: i64,
        changes: &[FieldChange],
        snapshot: &PracticeFields,
    ) -> Result<()> {
        sqlx::query!(
            "UPDATE revisions SET changes = $2, snapshot = $3 WHERE id = $1",
            id,
            serde_json::to_value(changes).expect("changes serialise"),
            serde_json::to_value(snapshot).expect("fields serialise")
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("rewriting revision {id}")))?;
        Ok(())
    }
}

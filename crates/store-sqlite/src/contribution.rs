//! Drafts, the workflow, revisions, erasure and attachments ([`store::ContributionStore`]).
//!
//! Every write is one immediate transaction that changes the practice, records its revision
//! and records the change in the outbox (through `practices::write`, as imports do).

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::revision::{Transition, actions, diff};
use domain::{Language, Practice, PracticeFields, Status};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use store::contribution::{
    attachment_revision, check_attachment, check_fields, content, no_attachment, no_practice,
    no_revision, plan_erasure, transition_refused,
};
use store::plan::{Content, PracticeWrite};
use store::{Actor, AttachmentInfo, ContributionStore, NewRevision, Result, Revision};

use crate::{SqliteStore, db, db_while, get, practices, revisions, time};

/// Practice `id`, complete, or [`no_practice`].
async fn practice(conn: &mut SqliteConnection, id: i64) -> Result<Practice> {
    practices::load(conn, id, id)
        .await?
        .pop()
        .ok_or_else(|| no_practice(id))
}

/// Replaces the content of `p` (lists included), records the change in the outbox.
async fn write_content(
    conn: &mut SqliteConnection,
    p: &Practice,
    content: Content,
    now: DateTime<Utc>,
) -> Result<()> {
    practices::write(
        conn,
        &[PracticeWrite::Update {
            id: p.id,
            content: Some(content),
            sources: None,
            created_at: p.created_at,
            updated_at: now,
        }],
        now,
    )
    .await?;
    Ok(())
}

/// Marks a practice changed without touching its content (an attachment came or went).
async fn touch(conn: &mut SqliteConnection, id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE practices SET updated_at = ?2 WHERE id = ?1")
        .bind(id)
        .bind(time::utc(now))
        .execute(&mut *conn)
        .await
        .map_err(db_while(format!("updating practice {id}")))?;
    crate::outbox::record_upserts(conn, &[id], now).await
}

/// The columns [`attachment_info`] reads.
macro_rules! attachment_columns {
    () => {
        "id, practice_id, file_name, media_type, size, sha256, created_at"
    };
}

fn attachment_info(row: &SqliteRow) -> Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: get(row, 0)?,
        practice_id: get(row, 1)?,
        file_name: get(row, 2)?,
        media_type: get(row, 3)?,
        size: get::<i64>(row, 4)? as u64,
        sha256: get(row, 5)?,
        created_at: time::parse_utc(&get::<String>(row, 6)?)?,
    })
}

async fn attachment_of(conn: &mut SqliteConnection, id: i64) -> Result<Option<AttachmentInfo>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        attachment_columns!(),
        " FROM attachments WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading attachment {id}")))?;
    row.as_ref().map(attachment_info).transpose()
}

async fn exists(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM practices WHERE id = ?1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_while(format!("reading practice {id}")))?;
    found.map(|_| ()).ok_or_else(|| no_practice(id))
}

#[async_trait]
impl ContributionStore for SqliteStore {
    async fn create_draft(
        &self,
        fields: &PracticeFields,
        language: Language,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        check_fields(fields)?;
        let now = now.trunc_subsecs(0);
        let mut tx = self.begin_write().await?;
        let id = practices::next_id(&mut tx, "practices").await?;
        practices::write(
            &mut tx,
            &[PracticeWrite::Insert {
                id: Some(id),
                content: content(fields, Status::Draft, language),
                sources: Vec::new(),
                created_at: now,
                updated_at: now,
            }],
            now,
        )
        .await?;
        let first = NewRevision::new(
            id,
            actions::CREATE,
            Status::Draft,
            fields.clone(),
            actor,
            now,
        );
        revisions::record(&mut tx, &[first]).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn update_practice(
        &self,
        id: i64,
        fields: &PracticeFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        check_fields(fields)?;
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, id).await?;
        let changes = diff(&p.fields, fields);
        if changes.is_empty() {
            return Ok(());
        }
        write_content(&mut tx, &p, content(fields, p.status, p.language), now).await?;
        let edit = NewRevision {
            changes,
            ..NewRevision::new(id, actions::EDIT, p.status, fields.clone(), actor, now)
        };
        revisions::record(&mut tx, &[edit]).await?;
        tx.commit().await.map_err(db)
    }

    async fn transition(
        &self,
        id: i64,
        to: Status,
        action: &str,
        comment: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, id).await?;
        let t = Transition::check(action, p.status, to, comment)
            .map_err(|e| transition_refused(id, &e))?;
        write_content(&mut tx, &p, content(&p.fields, t.target(), p.language), now).await?;
        let moved = NewRevision {
            comment: comment.map(str::to_string),
            ..NewRevision::new(id, t.as_str(), t.target(), p.fields.clone(), actor, now)
        };
        revisions::record(&mut tx, &[moved]).await?;
        tx.commit().await.map_err(db)
    }

    async fn revisions(&self, practice_id: i64) -> Result<Vec<Revision>> {
        let mut tx = self.begin_read().await?;
        exists(&mut tx, practice_id).await?;
        revisions::of_practice(&mut tx, practice_id).await
    }

    async fn restore_revision(
        &self,
        practice_id: i64,
        number: u32,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, practice_id).await?;
        let old = revisions::one(&mut tx, practice_id, number)
            .await?
            .ok_or_else(|| no_revision(practice_id, number))?;
        let changes = diff(&p.fields, &old.snapshot);
        if changes.is_empty() {
            return Ok(());
        }
        write_content(
            &mut tx,
            &p,
            content(&old.snapshot, p.status, p.language),
            now,
        )
        .await?;
        let restored = NewRevision {
            comment: Some(format!("revision {number}")),
            changes,
            ..NewRevision::new(
                practice_id,
                actions::RESTORE,
                p.status,
                old.snapshot,
                actor,
                now,
            )
        };
        revisions::record(&mut tx, &[restored]).await?;
        tx.commit().await.map_err(db)
    }

    async fn erase_contact(
        &self,
        practice_id: i64,
        name: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, practice_id).await?;
        let history = revisions::of_practice(&mut tx, practice_id).await?;
        let erasure = plan_erasure(&p, &history, name, actor, now)?;
        write_content(
            &mut tx,
            &p,
            content(&erasure.fields, p.status, p.language),
            now,
        )
        .await?;
        for (id, changes, snapshot) in &erasure.revisions {
            revisions::rewrite(&mut tx, *id, changes, snapshot).await?;
        }
        revisions::record(&mut tx, &[erasure.record]).await?;
        tx.commit().await.map_err(db)
    }

    async fn practices_with_status(&self, status: Status) -> Result<Vec<Practice>> {
        let mut tx = self.begin_read().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM practices WHERE status = ?1 ORDER BY updated_at DESC, id DESC",
        )
        .bind(status.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while(format!("reading {} practices", status.as_str())))?;
        let mut found = practices::load_ids(&mut tx, &ids).await?;
        let rank: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        found.sort_by_key(|p| rank.get(&p.id).copied().unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn add_attachment(
        &self,
        practice_id: i64,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        check_attachment(file_name, media_type)?;
        let now = now.trunc_subsecs(0);
        let sha256 = domain::attachment::sha256_hex(bytes);
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, practice_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attachments (practice_id, file_name, media_type, size, sha256,
                                      created_at, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(practice_id)
        .bind(file_name)
        .bind(media_type)
        .bind(bytes.len() as i64)
        .bind(&sha256)
        .bind(time::utc(now))
        .bind(bytes)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while(format!(
            "storing {file_name} with practice {practice_id}"
        )))?;
        let info = AttachmentInfo {
            id,
            practice_id,
            file_name: file_name.to_string(),
            media_type: media_type.to_string(),
            size: bytes.len() as u64,
            sha256,
            created_at: now,
        };
        touch(&mut tx, practice_id, now).await?;
        revisions::record(&mut tx, &[attachment_revision(&p, &info, true, actor, now)]).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn attachments(&self, practice_id: i64) -> Result<Vec<AttachmentInfo>> {
        let mut tx = self.begin_read().await?;
        exists(&mut tx, practice_id).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            attachment_columns!(),
            " FROM attachments WHERE practice_id = ?1 ORDER BY id"
        ))
        .bind(practice_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while(format!(
            "reading the attachments of practice {practice_id}"
        )))?;
        rows.iter().map(attachment_info).collect()
    }

    async fn attachment(&self, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            attachment_columns!(),
            ", bytes FROM attachments WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_while(format!("reading attachment {id}")))?;
        row.map(|r| Ok((attachment_info(&r)?, get::<Vec<u8>>(&r, 7)?)))
            .transpose()
    }

    async fn delete_attachment(&self, id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let info = attachment_of(&mut tx, id)
            .await?
            .ok_or_else(|| no_attachment(id))?;
        let p = practice(&mut tx, info.practice_id).await?;
        sqlx::query("DELETE FROM attachments WHERE id = ?1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_while(format!("deleting attachment {id}")))?;
        touch(&mut tx, p.id, now).await?;
        revisions::record(
            &mut tx,
            &[attachment_revision(&p, &info, false, actor, now)],
        )
        .await?;
        tx.commit().await.map_err(db)
    }
}

//! The SQL of attachments ([`AttachmentSteps`]): files kept in the database, so that every
//! node serves them. The workflow around them is `store::contribution`'s.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use store::steps::AttachmentSteps;
use store::{AttachmentInfo, Result};

use crate::{PgTx, db_while};

/// An attachment as read.
struct AttachmentRow {
    id: i64,
    practice_id: i64,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    created_at: DateTime<Utc>,
}

impl From<AttachmentRow> for AttachmentInfo {
    fn from(r: AttachmentRow) -> Self {
        AttachmentInfo {
            id: r.id,
            practice_id: r.practice_id,
            file_name: r.file_name,
            media_type: r.media_type,
            // The table refuses a negative size.
            size: r.size as u64,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

#[async_trait]
impl AttachmentSteps for PgTx {
    async fn insert_attachment(&mut self, info: &AttachmentInfo, bytes: &[u8]) -> Result<i64> {
        sqlx::query_scalar!(
            "INSERT INTO attachments (practice_id, file_name, media_type, size, sha256,
                                      created_at, bytes)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            info.practice_id,
            info.file_name,
            info.media_type,
            bytes.len() as i64,
            info.sha256,
            info.created_at.trunc_subsecs(0),
            bytes
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "storing {} with practice {}",
            info.file_name, info.practice_id
        )))
    }

    async fn attachments_of(&mut self, practice_id: i64) -> Result<Vec<AttachmentInfo>> {
        let rows = sqlx::query_as!(
            AttachmentRow,
            "SELECT id, practice_id, file_name, media_type, size, sha256, created_at
               FROM attachments WHERE practice_id = $1 ORDER BY id",
            practice_id
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading the attachments of practice {practice_id}"
        )))?;
        Ok(rows.into_iter().map(AttachmentInfo::from).collect())
    }

    async fn attachment(&mut self, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        let row = sqlx::query!(
            "SELECT id, practice_id, file_name, media_type, size, sha256, created_at, bytes
               FROM attachments WHERE id = $1",
            id
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading attachment {id}")))?;
        Ok(row.map(|r| {
            let info = AttachmentRow {
                id: r.id,
                practice_id: r.practice_id,
                file_name: r.file_name,
                media_type: r.media_type,
                size: r.size,
                sha256: r.sha256,
                created_at: r.created_at,
            };
            (info.into(), r.bytes)
        }))
    }

    async fn delete_attachment(&mut self, id: i64) -> Result<Option<AttachmentInfo>> {
        let row = sqlx::query_as!(
            AttachmentRow,
            "DELETE FROM attachments WHERE id = $1
             RETURNING id, practice_id, file_name, media_type, size, sha256, created_at",
            id
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("deleting attachment {id}")))?;
        Ok(row.map(AttachmentInfo::from))
    }
}

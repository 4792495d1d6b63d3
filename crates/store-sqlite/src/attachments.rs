//! The SQL of attachments ([`AttachmentSteps`]): files kept in the database, so that every
//! node serves them. The workflow around them is `store::contribution`'s.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use store::steps::AttachmentSteps;
use store::{AttachmentInfo, Result};

use crate::{SqliteTx, db_while, get, time};

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

#[async_trait]
impl AttachmentSteps for SqliteTx {
    async fn insert_attachment(&mut self, info: &AttachmentInfo, bytes: &[u8]) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO attachments (practice_id, file_name, media_type, size, sha256,
                                      created_at, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(info.practice_id)
        .bind(&info.file_name)
        .bind(&info.media_type)
        .bind(bytes.len() as i64)
        .bind(&info.sha256)
        .bind(time::utc(info.created_at))
        .bind(bytes)
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "storing {} with practice {}",
            info.file_name, info.practice_id
        )))
    }

    async fn attachments_of(&mut self, practice_id: i64) -> Result<Vec<AttachmentInfo>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            attachment_columns!(),
            " FROM attachments WHERE practice_id = ?1 ORDER BY id"
        ))
        .bind(practice_id)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading the attachments of practice {practice_id}"
        )))?;
        rows.iter().map(attachment_info).collect()
    }

    async fn attachment(&mut self, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            attachment_columns!(),
            ", bytes FROM attachments WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading attachment {id}")))?;
        row.map(|r| Ok((attachment_info(&r)?, get::<Vec<u8>>(&r, 7)?)))
            .transpose()
    }

    async fn delete_attachment(&mut self, id: i64) -> Result<Option<AttachmentInfo>> {
        let row = sqlx::query(concat!(
            "DELETE FROM attachments WHERE id = ?1 RETURNING ",
            attachment_columns!()
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("deleting attachment {id}")))?;
        row.as_ref().map(attachment_info).transpose()
    }
}

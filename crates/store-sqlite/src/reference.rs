//! SPIRAL reference data: codebook versions, meaning codes, questions, scale.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::spiral::Reference;
use domain::{Codebook, CodebookEntry, MeaningEntry, QuestionEntry, ScaleLevel};
use serde_json::{Value, json};
use store::steps::ReferenceSteps;
use store::{CodebookVersion, Result};

use crate::{Run, SqliteTx, db, db_while, get, json_text, time};

#[async_trait]
impl ReferenceSteps for SqliteTx {
    async fn write_reference_tables(&mut self, reference: &Reference) -> Result<()> {
        let meanings: Vec<Value> = reference
            .meanings
            .iter()
            .enumerate()
            .map(|(i, m)| {
                json!([
                    m.code, i, m.label_en, m.label_fr, m.step, m.status, m.source
                ])
            })
            .collect();
        let questions: Vec<Value> = reference
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| json!([q.code, i, q.wording_fr, q.wording_en, q.kind, q.status]))
            .collect();
        let scale: Vec<Value> = reference
            .scale
            .iter()
            .map(|s| json!([s.level, s.label_fr, s.label_en]))
            .collect();
        let statements: [(&str, &'static str, &'static str, Vec<Value>); 3] = [
            (
                "meaning codes",
                "DELETE FROM meaning_codes",
                "INSERT INTO meaning_codes (code, position, label_en, label_fr, step, status, source)
                 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6
                   FROM json_each(?1)",
                meanings,
            ),
            (
                "questions",
                "DELETE FROM questions",
                "INSERT INTO questions (code, position, wording_fr, wording_en, kind, status)
                 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5
                   FROM json_each(?1)",
                questions,
            ),
            (
                "scale levels",
                "DELETE FROM scale_levels",
                "INSERT INTO scale_levels (level, label_fr, label_en)
                 SELECT value->>0, value->>1, value->>2 FROM json_each(?1)",
                scale,
            ),
        ];
        for (what, delete, insert, rows) in statements {
            sqlx::query(delete)
                .run(self, format!("replacing {what}"))
                .await?;
            sqlx::query(insert)
                .bind(json_text(&rows))
                .run(self, format!("writing {what}"))
                .await?;
        }
        Ok(())
    }

    async fn insert_codebook(&mut self, codebook: &Codebook, now: DateTime<Utc>) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO codebook_versions (version, active, imported_at) VALUES (?1, 0, ?2)
             RETURNING id",
        )
        .bind(&codebook.version)
        .bind(time::utc(now))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "writing codebook version `{}`",
            codebook.version
        )))?;
        let rows: Vec<Value> = codebook
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                json!([
                    id,
                    i,
                    e.code,
                    e.level,
                    e.dimension,
                    e.label_en,
                    e.label_fr,
                    e.description_en,
                    e.status,
                    e.source
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO codebook_entries (version_id, position, code, level, dimension, label_en,
                                           label_fr, description_en, status, source)
             SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6,
                    value->>7, value->>8, value->>9
               FROM json_each(?1)",
        )
        .bind(json_text(&rows))
        .run(
            self,
            format!("writing the entries of codebook `{}`", codebook.version),
        )
        .await?;
        Ok(id)
    }

    async fn codebook_version_id(&mut self, version: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM codebook_versions WHERE version = ?1")
            .bind(version)
            .fetch_optional(&mut **self)
            .await
            .map_err(db)
    }

    async fn codebook_version_names(&mut self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT version FROM codebook_versions ORDER BY id")
            .fetch_all(&mut **self)
            .await
            .map_err(db)
    }

    async fn set_active_codebook(&mut self, id: i64) -> Result<()> {
        // Two statements: the "one active version" index is checked row by row.
        sqlx::query("UPDATE codebook_versions SET active = 0 WHERE active = 1")
            .execute(&mut **self)
            .await
            .map_err(db)?;
        sqlx::query("UPDATE codebook_versions SET active = 1 WHERE id = ?1")
            .bind(id)
            .execute(&mut **self)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn active_codebook(&mut self) -> Result<Option<Codebook>> {
        let active: Option<(i64, String)> =
            sqlx::query_as("SELECT id, version FROM codebook_versions WHERE active = 1")
                .fetch_optional(&mut **self)
                .await
                .map_err(db)?;
        let Some((id, version)) = active else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT code, level, dimension, label_en, label_fr, description_en, status, source
               FROM codebook_entries WHERE version_id = ?1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!("reading codebook `{version}`")))?;
        let entries = rows
            .iter()
            .map(|row| {
                Ok(CodebookEntry {
                    code: get(row, 0)?,
                    level: get(row, 1)?,
                    dimension: get(row, 2)?,
                    label_en: get(row, 3)?,
                    label_fr: get(row, 4)?,
                    description_en: get(row, 5)?,
                    status: get(row, 6)?,
                    source: get(row, 7)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Some(Codebook { version, entries }))
    }

    async fn codebook_versions(&mut self) -> Result<Vec<CodebookVersion>> {
        let rows = sqlx::query(
            "SELECT v.version, v.active, v.imported_at,
                    (SELECT count(*) FROM codebook_entries e WHERE e.version_id = v.id)
               FROM codebook_versions v ORDER BY v.id",
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading codebook versions"))?;
        rows.iter()
            .map(|row| {
                Ok(CodebookVersion {
                    version: get(row, 0)?,
                    active: get(row, 1)?,
                    imported_at: time::parse_utc(&get::<String>(row, 2)?)?,
                    entries: get::<i64>(row, 3)? as u64,
                })
            })
            .collect()
    }

    async fn meaning_codes(&mut self) -> Result<Vec<MeaningEntry>> {
        let rows = sqlx::query(
            "SELECT code, label_en, label_fr, step, status, source FROM meaning_codes
              ORDER BY position",
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading meaning codes"))?;
        rows.iter()
            .map(|row| {
                Ok(MeaningEntry {
                    code: get(row, 0)?,
                    label_en: get(row, 1)?,
                    label_fr: get(row, 2)?,
                    step: get::<Option<i64>>(row, 3)?.map(|n| n as u32),
                    status: get(row, 4)?,
                    source: get(row, 5)?,
                })
            })
            .collect()
    }

    async fn questions(&mut self) -> Result<Vec<QuestionEntry>> {
        let rows = sqlx::query(
            "SELECT code, wording_fr, wording_en, kind, status FROM questions ORDER BY position",
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading questions"))?;
        rows.iter()
            .map(|row| {
                Ok(QuestionEntry {
                    code: get(row, 0)?,
                    wording_fr: get(row, 1)?,
                    wording_en: get(row, 2)?,
                    kind: get(row, 3)?,
                    status: get(row, 4)?,
                })
            })
            .collect()
    }

    async fn scale(&mut self) -> Result<Vec<ScaleLevel>> {
        let rows = sqlx::query("SELECT level, label_fr, label_en FROM scale_levels ORDER BY level")
            .fetch_all(&mut **self)
            .await
            .map_err(db_while("reading the scale"))?;
        rows.iter()
            .map(|row| {
                Ok(ScaleLevel {
                    level: get::<i64>(row, 0)? as u32,
                    label_fr: get(row, 1)?,
                    label_en: get(row, 2)?,
                })
            })
            .collect()
    }
}

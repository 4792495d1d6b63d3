//! SPIRAL reference data: codebook versions, meaning codes, questions, scale.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::spiral::Reference;
use domain::{Codebook, CodebookEntry, MeaningEntry, QuestionEntry, ScaleLevel};
use store::steps::ReferenceSteps;
use store::{CodebookVersion, Result};

use crate::{PgTx, db_while, unsigned};

#[async_trait]
impl ReferenceSteps for PgTx {
    async fn write_reference_tables(&mut self, reference: &Reference) -> Result<()> {
        let m = &reference.meanings;
        let position: Vec<i32> = (0..m.len() as i32).collect();
        sqlx::query!("DELETE FROM meaning_codes")
            .execute(&mut **self)
            .await
            .map_err(db_while("replacing meaning codes"))?;
        sqlx::query!(
            "INSERT INTO meaning_codes (code, position, label_en, label_fr, step, status, source)
             SELECT * FROM UNNEST($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[],
                                  $6::text[], $7::text[])",
            &m.iter().map(|e| e.code.clone()).collect::<Vec<_>>(),
            &position,
            &m.iter().map(|e| e.label_en.clone()).collect::<Vec<_>>() as _,
            &m.iter().map(|e| e.label_fr.clone()).collect::<Vec<_>>() as _,
            &m.iter().map(|e| e.step.map(i64::from)).collect::<Vec<_>>() as _,
            &m.iter().map(|e| e.status.clone()).collect::<Vec<_>>(),
            &m.iter().map(|e| e.source.clone()).collect::<Vec<_>>() as _,
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("writing meaning codes"))?;

        let q = &reference.questions;
        let position: Vec<i32> = (0..q.len() as i32).collect();
        sqlx::query!("DELETE FROM questions")
            .execute(&mut **self)
            .await
            .map_err(db_while("replacing questions"))?;
        sqlx::query!(
            "INSERT INTO questions (code, position, wording_fr, wording_en, kind, status)
             SELECT * FROM UNNEST($1::text[], $2::int[], $3::text[], $4::text[], $5::text[],
                                  $6::text[])",
            &q.iter().map(|e| e.code.clone()).collect::<Vec<_>>(),
            &position,
            &q.iter().map(|e| e.wording_fr.clone()).collect::<Vec<_>>(),
            &q.iter().map(|e| e.wording_en.clone()).collect::<Vec<_>>(),
            &q.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
            &q.iter().map(|e| e.status.clone()).collect::<Vec<_>>(),
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("writing questions"))?;

        let s = &reference.scale;
        sqlx::query!("DELETE FROM scale_levels")
            .execute(&mut **self)
            .await
            .map_err(db_while("replacing scale levels"))?;
        sqlx::query!(
            "INSERT INTO scale_levels (level, label_fr, label_en)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])",
            &s.iter().map(|e| i64::from(e.level)).collect::<Vec<_>>(),
            &s.iter().map(|e| e.label_fr.clone()).collect::<Vec<_>>(),
            &s.iter().map(|e| e.label_en.clone()).collect::<Vec<_>>(),
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("writing scale levels"))?;
        Ok(())
    }

    async fn insert_codebook(&mut self, codebook: &Codebook, now: DateTime<Utc>) -> Result<i64> {
        let what = || format!("writing codebook version `{}`", codebook.version);
        let id = sqlx::query_scalar!(
            "INSERT INTO codebook_versions (version, active, imported_at) VALUES ($1, false, $2)
             RETURNING id",
            codebook.version,
            now.trunc_subsecs(0)
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(what()))?;
        let e = &codebook.entries;
        let position: Vec<i32> = (0..e.len() as i32).collect();
        sqlx::query!(
            "INSERT INTO codebook_entries (version_id, position, code, level, dimension, label_en,
                                           label_fr, description_en, status, source)
             SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::text[], $5::text[], $6::text[],
                                      $7::text[], $8::text[], $9::text[], $10::text[])",
            id,
            &position,
            &e.iter().map(|e| e.code.clone()).collect::<Vec<_>>(),
            &e.iter().map(|e| e.level.clone()).collect::<Vec<_>>(),
            &e.iter().map(|e| e.dimension.clone()).collect::<Vec<_>>(),
            &e.iter().map(|e| e.label_en.clone()).collect::<Vec<_>>() as _,
            &e.iter().map(|e| e.label_fr.clone()).collect::<Vec<_>>() as _,
            &e.iter()
                .map(|e| e.description_en.clone())
                .collect::<Vec<_>>() as _,
            &e.iter().map(|e| e.status.clone()).collect::<Vec<_>>(),
            &e.iter().map(|e| e.source.clone()).collect::<Vec<_>>() as _,
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!(
            "writing the entries of codebook `{}`",
            codebook.version
        )))?;
        Ok(id)
    }

    async fn codebook_version_id(&mut self, version: &str) -> Result<Option<i64>> {
        sqlx::query_scalar!(
            "SELECT id FROM codebook_versions WHERE version = $1",
            version
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!(
            "looking for codebook version `{version}`"
        )))
    }

    async fn codebook_version_names(&mut self) -> Result<Vec<String>> {
        sqlx::query_scalar!("SELECT version FROM codebook_versions ORDER BY id")
            .fetch_all(&mut **self)
            .await
            .map_err(db_while("reading the codebook versions"))
    }

    async fn set_active_codebook(&mut self, id: i64) -> Result<()> {
        // Two statements: the "one active version" index is checked row by row.
        sqlx::query!("UPDATE codebook_versions SET active = false WHERE active")
            .execute(&mut **self)
            .await
            .map_err(db_while("deactivating the codebook"))?;
        sqlx::query!(
            "UPDATE codebook_versions SET active = true WHERE id = $1",
            id
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("activating a codebook"))?;
        Ok(())
    }

    async fn active_codebook(&mut self) -> Result<Option<Codebook>> {
        let active = sqlx::query!("SELECT id, version FROM codebook_versions WHERE active")
            .fetch_optional(&mut **self)
            .await
            .map_err(db_while("reading the active codebook"))?;
        let Some(active) = active else {
            return Ok(None);
        };
        let entries = sqlx::query_as!(
            CodebookEntry,
            "SELECT code, level, dimension, label_en, label_fr, description_en, status, source
               FROM codebook_entries WHERE version_id = $1 ORDER BY position",
            active.id
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!("reading codebook `{}`", active.version)))?;
        Ok(Some(Codebook {
            version: active.version,
            entries,
        }))
    }

    async fn codebook_versions(&mut self) -> Result<Vec<CodebookVersion>> {
        let rows = sqlx::query!(
            r#"SELECT v.version, v.active, v.imported_at,
                      (SELECT count(*) FROM codebook_entries e WHERE e.version_id = v.id) AS "entries!"
                 FROM codebook_versions v ORDER BY v.id"#
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading codebook versions"))?;
        Ok(rows
            .into_iter()
            .map(|r| CodebookVersion {
                version: r.version,
                active: r.active,
                entries: r.entries as u64,
                imported_at: r.imported_at,
            })
            .collect())
    }

    async fn meaning_codes(&mut self) -> Result<Vec<MeaningEntry>> {
        let rows = sqlx::query!(
            "SELECT code, label_en, label_fr, step, status, source FROM meaning_codes
              ORDER BY position"
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading meaning codes"))?;
        rows.into_iter()
            .map(|r| {
                Ok(MeaningEntry {
                    step: r
                        .step
                        .map(|n| unsigned(n, &format!("the step of meaning code {}", r.code)))
                        .transpose()?,
                    code: r.code,
                    label_en: r.label_en,
                    label_fr: r.label_fr,
                    status: r.status,
                    source: r.source,
                })
            })
            .collect()
    }

    async fn questions(&mut self) -> Result<Vec<QuestionEntry>> {
        sqlx::query_as!(
            QuestionEntry,
            "SELECT code, wording_fr, wording_en, kind, status FROM questions ORDER BY position"
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading questions"))
    }

    async fn scale(&mut self) -> Result<Vec<ScaleLevel>> {
        let rows =
            sqlx::query!("SELECT level, label_fr, label_en FROM scale_levels ORDER BY level")
                .fetch_all(&mut **self)
                .await
                .map_err(db_while("reading the scale"))?;
        rows.into_iter()
            .map(|r| {
                Ok(ScaleLevel {
                    level: unsigned(r.level, "a scale level")?,
                    label_fr: r.label_fr,
                    label_en: r.label_en,
                })
            })
            .collect()
    }
}

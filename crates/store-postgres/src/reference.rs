//! SPIRAL reference data: codebook versions, meaning codes, questions, scale.

use chrono::{DateTime, SubsecRound, Utc};
use domain::spiral::Reference;
use domain::{Codebook, CodebookEntry, MeaningEntry, QuestionEntry, ScaleLevel};
use sqlx::PgConnection;
use store::{CodebookVersion, Result, StoreError};

use crate::{db_while, unsigned};

/// Loads `reference` when no codebook is stored yet. Returns whether it did.
pub(crate) async fn ensure(
    conn: &mut PgConnection,
    reference: &Reference,
    now: DateTime<Utc>,
) -> Result<bool> {
    let versions = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM codebook_versions"#)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_while("counting codebook versions"))?;
    if versions > 0 {
        return Ok(false);
    }
    import_codebook(conn, &reference.codebook, true, now).await?;

    let m = &reference.meanings;
    let position: Vec<i32> = (0..m.len() as i32).collect();
    sqlx::query!("DELETE FROM meaning_codes")
        .execute(&mut *conn)
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
    .execute(&mut *conn)
    .await
    .map_err(db_while("writing meaning codes"))?;

    let q = &reference.questions;
    let position: Vec<i32> = (0..q.len() as i32).collect();
    sqlx::query!("DELETE FROM questions")
        .execute(&mut *conn)
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
    .execute(&mut *conn)
    .await
    .map_err(db_while("writing questions"))?;

    let s = &reference.scale;
    sqlx::query!("DELETE FROM scale_levels")
        .execute(&mut *conn)
        .await
        .map_err(db_while("replacing scale levels"))?;
    sqlx::query!(
        "INSERT INTO scale_levels (level, label_fr, label_en)
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])",
        &s.iter().map(|e| i64::from(e.level)).collect::<Vec<_>>(),
        &s.iter().map(|e| e.label_fr.clone()).collect::<Vec<_>>(),
        &s.iter().map(|e| e.label_en.clone()).collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while("writing scale levels"))?;
    Ok(true)
}

pub(crate) async fn import_codebook(
    conn: &mut PgConnection,
    codebook: &Codebook,
    activate: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let taken = sqlx::query_scalar!(
        "SELECT id FROM codebook_versions WHERE version = $1",
        codebook.version
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while("reading codebook versions"))?;
    if taken.is_some() {
        return Err(StoreError::Invalid(format!(
            "codebook version `{}` exists already: expected a new version name",
            codebook.version
        )));
    }
    let what = || format!("writing codebook version `{}`", codebook.version);
    let id = sqlx::query_scalar!(
        "INSERT INTO codebook_versions (version, active, imported_at) VALUES ($1, false, $2)
         RETURNING id",
        codebook.version,
        now.trunc_subsecs(0)
    )
    .fetch_one(&mut *conn)
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
    .execute(&mut *conn)
    .await
    .map_err(db_while(format!(
        "writing the entries of codebook `{}`",
        codebook.version
    )))?;
    if activate {
        set_active(conn, id).await?;
    }
    Ok(())
}

async fn set_active(conn: &mut PgConnection, id: i64) -> Result<()> {
    // Two statements: the "one active version" index is checked row by row.
    sqlx::query!("UPDATE codebook_versions SET active = false WHERE active")
        .execute(&mut *conn)
        .await
        .map_err(db_while("deactivating the codebook"))?;
    sqlx::query!(
        "UPDATE codebook_versions SET active = true WHERE id = $1",
        id
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while("activating a codebook"))?;
    Ok(())
}

pub(crate) async fn activate(conn: &mut PgConnection, version: &str) -> Result<()> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM codebook_versions WHERE version = $1",
        version
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while("reading codebook versions"))?;
    let Some(id) = id else {
        let known = sqlx::query_scalar!("SELECT version FROM codebook_versions ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_while("reading codebook versions"))?;
        return Err(StoreError::Invalid(format!(
            "no codebook version `{version}`: expected one of {}",
            if known.is_empty() {
                "(none stored)".to_string()
            } else {
                known.join(", ")
            }
        )));
    };
    set_active(conn, id).await
}

pub(crate) async fn active_codebook(conn: &mut PgConnection) -> Result<Option<Codebook>> {
    let active = sqlx::query!("SELECT id, version FROM codebook_versions WHERE active")
        .fetch_optional(&mut *conn)
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
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while(format!("reading codebook `{}`", active.version)))?;
    Ok(Some(Codebook {
        version: active.version,
        entries,
    }))
}

pub(crate) async fn versions(conn: &mut PgConnection) -> Result<Vec<CodebookVersion>> {
    let rows = sqlx::query!(
        r#"SELECT v.version, v.active, v.imported_at,
                  (SELECT count(*) FROM codebook_entries e WHERE e.version_id = v.id) AS "entries!"
             FROM codebook_versions v ORDER BY v.id"#
    )
    .fetch_all(&mut *conn)
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

pub(crate) async fn meaning_codes(conn: &mut PgConnection) -> Result<Vec<MeaningEntry>> {
    let rows = sqlx::query!(
        "SELECT code, label_en, label_fr, step, status, source FROM meaning_codes
          ORDER BY position"
    )
    .fetch_all(&mut *conn)
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

pub(crate) async fn questions(conn: &mut PgConnection) -> Result<Vec<QuestionEntry>> {
    sqlx::query_as!(
        QuestionEntry,
        "SELECT code, wording_fr, wording_en, kind, status FROM questions ORDER BY position"
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading questions"))
}

pub(crate) async fn scale(conn: &mut PgConnection) -> Result<Vec<ScaleLevel>> {
    let rows = sqlx::query!("SELECT level, label_fr, label_en FROM scale_levels ORDER BY level")
        .fetch_all(&mut *conn)
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

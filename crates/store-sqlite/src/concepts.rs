//! Versions of the concept scheme ([`store::steps::ConceptSteps`]).

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use store::steps::ConceptSteps;
use store::{ConceptVersion, Result};

use crate::{Run, SqliteTx, db_while, get, time};

/// The columns [`version`] reads.
macro_rules! version_columns {
    () => {
        "version, concepts, author, note, created_at, active"
    };
}

fn version(row: &SqliteRow) -> Result<ConceptVersion> {
    Ok(ConceptVersion {
        version: get::<i64>(row, 0)? as u32,
        concepts: get::<i64>(row, 1)? as u32,
        author: get(row, 2)?,
        note: get(row, 3)?,
        created_at: time::parse_utc(&get::<String>(row, 4)?)?,
        active: get(row, 5)?,
    })
}

#[async_trait]
impl ConceptSteps for SqliteTx {
    async fn concept_versions(&mut self) -> Result<Vec<ConceptVersion>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            " FROM concept_schemes ORDER BY version"
        ))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading the concept scheme's versions"))?;
        rows.iter().map(version).collect()
    }

    async fn concept_scheme_body(
        &mut self,
        v: Option<u32>,
    ) -> Result<Option<(ConceptVersion, String)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            ", body FROM concept_schemes
              WHERE (?1 IS NULL AND active = 1) OR version = ?1"
        ))
        .bind(v.map(i64::from))
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while("reading the concept scheme"))?;
        row.map(|r| Ok((version(&r)?, get(&r, 6)?))).transpose()
    }

    async fn insert_concept_scheme(&mut self, v: &ConceptVersion, body: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO concept_schemes (version, body, concepts, author, note, created_at, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
        )
        .bind(i64::from(v.version))
        .bind(body)
        .bind(i64::from(v.concepts))
        .bind(&v.author)
        .bind(&v.note)
        .bind(time::utc(v.created_at))
        .run(self, format!("storing concept scheme version {}", v.version))
        .await?;
        Ok(())
    }

    async fn activate_concept_scheme(&mut self, v: u32) -> Result<()> {
        sqlx::query("UPDATE concept_schemes SET active = 0 WHERE active = 1")
            .run(self, "deactivating the concept scheme")
            .await?;
        sqlx::query("UPDATE concept_schemes SET active = 1 WHERE version = ?1")
            .bind(i64::from(v))
            .run(self, format!("activating concept scheme version {v}"))
            .await?;
        Ok(())
    }
}

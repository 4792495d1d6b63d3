//! Versions of the concept scheme ([`store::steps::ConceptSteps`]).

use async_trait::async_trait;
use store::steps::ConceptSteps;
use store::{ConceptVersion, Result};

use crate::{PgTx, db_while};

#[async_trait]
impl ConceptSteps for PgTx {
    async fn concept_versions(&mut self) -> Result<Vec<ConceptVersion>> {
        let rows = sqlx::query!(
            "SELECT version, concepts, author, note, created_at, active
               FROM concept_schemes ORDER BY version"
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading the concept scheme's versions"))?;
        Ok(rows
            .into_iter()
            .map(|r| ConceptVersion {
                version: r.version as u32,
                concepts: r.concepts as u32,
                author: r.author,
                note: r.note,
                created_at: r.created_at,
                active: r.active,
            })
            .collect())
    }

    async fn concept_scheme_body(
        &mut self,
        v: Option<u32>,
    ) -> Result<Option<(ConceptVersion, String)>> {
        let row = sqlx::query!(
            "SELECT version, concepts, author, note, created_at, active, body
               FROM concept_schemes
              WHERE ($1::BIGINT IS NULL AND active) OR version = $1",
            v.map(i64::from)
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while("reading the concept scheme"))?;
        Ok(row.map(|r| {
            (
                ConceptVersion {
                    version: r.version as u32,
                    concepts: r.concepts as u32,
                    author: r.author,
                    note: r.note,
                    created_at: r.created_at,
                    active: r.active,
                },
                r.body,
            )
        }))
    }

    async fn insert_concept_scheme(&mut self, v: &ConceptVersion, body: &str) -> Result<()> {
        sqlx::query!(
            "INSERT INTO concept_schemes (version, body, concepts, author, note, created_at, active)
             VALUES ($1, $2, $3, $4, $5, $6, false)",
            i64::from(v.version),
            body,
            i64::from(v.concepts),
            v.author,
            v.note,
            v.created_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!(
            "storing concept scheme version {}",
            v.version
        )))?;
        Ok(())
    }

    async fn activate_concept_scheme(&mut self, v: u32) -> Result<()> {
        // Two statements: the "one active version" index is checked row by row.
        sqlx::query!("UPDATE concept_schemes SET active = false WHERE active")
            .execute(&mut **self)
            .await
            .map_err(db_while("deactivating the concept scheme"))?;
        sqlx::query!(
            "UPDATE concept_schemes SET active = true WHERE version = $1",
            i64::from(v)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("activating concept scheme version {v}")))?;
        Ok(())
    }
}

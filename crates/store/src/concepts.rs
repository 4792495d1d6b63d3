//! The concept scheme's versions: stored whole, one active. Importing a scheme or saving an
//! editor's change makes a new version and keeps every earlier one, so the history is the list
//! of versions; saving what is already active changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::concepts::ConceptScheme;
use serde::Serialize;

use crate::steps::{Backend, ConceptSteps, Steps};
use crate::{Result, StoreError};

/// A version of the concept scheme as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConceptVersion {
    pub version: u32,
    pub concepts: u32,
    /// Who made it: an account's e-mail, or `import`/`bundled`.
    pub author: Option<String>,
    /// What changed, in the author's words.
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub active: bool,
}

/// The concept scheme's versions.
#[async_trait]
pub trait ConceptStore: Send + Sync {
    /// The active scheme, its `version` set; none before the first is stored.
    async fn active_concepts(&self) -> Result<Option<ConceptScheme>>;
    /// One version, active or not.
    async fn concepts_version(&self, version: u32) -> Result<Option<ConceptScheme>>;
    async fn concept_versions(&self) -> Result<Vec<ConceptVersion>>;
    /// Stores `scheme` as a new version and activates it, unless it is the active scheme
    /// already; returns the active version.
    async fn put_concepts(
        &self,
        scheme: &ConceptScheme,
        author: Option<&str>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<u32>;
}

fn decode(version: &ConceptVersion, body: &str) -> Result<ConceptScheme> {
    let concepts = serde_json::from_str(body).map_err(|e| {
        StoreError::Invalid(format!(
            "concept scheme version {} is not readable: {e}",
            version.version
        ))
    })?;
    Ok(ConceptScheme {
        version: version.version,
        concepts,
    })
}

async fn scheme_of<T: Steps>(tx: &mut T, version: Option<u32>) -> Result<Option<ConceptScheme>> {
    match tx.concept_scheme_body(version).await? {
        Some((v, body)) => decode(&v, &body).map(Some),
        None => Ok(None),
    }
}

#[async_trait]
impl<B: Backend> ConceptStore for B {
    async fn active_concepts(&self) -> Result<Option<ConceptScheme>> {
        scheme_of(&mut self.begin_read().await?, None).await
    }

    async fn concepts_version(&self, version: u32) -> Result<Option<ConceptScheme>> {
        scheme_of(&mut self.begin_read().await?, Some(version)).await
    }

    async fn concept_versions(&self) -> Result<Vec<ConceptVersion>> {
        self.begin_read().await?.concept_versions().await
    }

    async fn put_concepts(
        &self,
        scheme: &ConceptScheme,
        author: Option<&str>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<u32> {
        // The scheme is checked whole before it is stored, whoever built it.
        let scheme = ConceptScheme::new(0, scheme.concepts.clone())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let body = serde_json::to_string(&scheme.concepts)
            .map_err(|e| StoreError::Invalid(format!("concept scheme: {e}")))?;
        let mut tx = self.begin_write().await?;
        if let Some((active, stored)) = tx.concept_scheme_body(None).await?
            && stored == body
        {
            return Ok(active.version);
        }
        let version = tx
            .concept_versions()
            .await?
            .iter()
            .map(|v| v.version)
            .max()
            .unwrap_or(0)
            + 1;
        let v = ConceptVersion {
            version,
            concepts: scheme.concepts.len() as u32,
            author: author.map(str::to_string),
            note: note.to_string(),
            created_at: now,
            active: false,
        };
        tx.insert_concept_scheme(&v, &body).await?;
        tx.activate_concept_scheme(version).await?;
        tx.commit().await?;
        Ok(version)
    }
}

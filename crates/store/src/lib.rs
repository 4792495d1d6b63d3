//! The storage interface. Every backend (`store-sqlite`, later `store-postgres`) implements
//! [`Store`]; the conformance suite in `store-tests` runs the same stories against each.
//!
//! The rules of an import (what is "the same practice", what counts as unchanged) live in
//! [`plan`], shared by all backends, so that two SQL implementations cannot drift.

pub mod plan;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::spiral::Reference;
use domain::{
    Batch, Codebook, Criterion, Diagnostic, HomogeneousGroup, MeaningEntry, Platform, Practice,
    QuestionEntry, ScaleLevel,
};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("migration error: {0}")]
    Migration(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What one import did, per kind of record and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Noticed while writing: codes unknown to the active codebook, merged sources whose text
    /// differs, …
    pub warnings: Vec<Diagnostic>,
}

/// Criteria selection; every field narrows the result. `component` matches the component a
/// code aggregates to (`A01` matches `A01-11/P15/k`); `dimension` matches its letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriteriaFilter {
    pub platform: Option<String>,
    pub group: Option<String>,
    pub question: Option<String>,
    pub dimension: Option<String>,
    pub component: Option<String>,
}

/// A codebook version as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodebookVersion {
    pub version: String,
    pub active: bool,
    pub entries: u64,
    pub imported_at: DateTime<Utc>,
}

/// How many of each thing the store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub practices: u64,
    pub platforms: u64,
    pub groups: u64,
    pub criteria: u64,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Brings the schema to the newest version. Idempotent.
    async fn migrate(&self) -> Result<()>;

    /// Loads `reference` (codebook, meaning codes, questions, scale) when the store holds no
    /// codebook yet, and makes its codebook the active version. Returns whether it loaded.
    async fn ensure_reference(&self, reference: &Reference, now: DateTime<Utc>) -> Result<bool>;

    /// Writes one file's records in one transaction: all or nothing.
    /// Re-importing the same batch changes nothing (same ids, same timestamps) and counts
    /// every record as unchanged. See [`plan`] for the matching rules.
    async fn import(&self, batch: &Batch, now: DateTime<Utc>) -> Result<ImportSummary>;

    /// Every practice, by id.
    async fn practices(&self) -> Result<Vec<Practice>>;
    async fn practice(&self, id: i64) -> Result<Option<Practice>>;

    /// Every platform, by id; every group, by id.
    async fn platforms(&self) -> Result<Vec<Platform>>;
    async fn groups(&self) -> Result<Vec<HomogeneousGroup>>;

    /// Criteria matching the filter, by id.
    async fn criteria(&self, filter: &CriteriaFilter) -> Result<Vec<Criterion>>;

    /// The active codebook version, if any.
    async fn active_codebook(&self) -> Result<Option<Codebook>>;
    async fn codebook_versions(&self) -> Result<Vec<CodebookVersion>>;
    /// Stores a codebook as a new version (error if the version name exists); optionally
    /// makes it the active one. Criteria keep their codes.
    async fn import_codebook(
        &self,
        codebook: &Codebook,
        activate: bool,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn activate_codebook(&self, version: &str) -> Result<()>;

    async fn meaning_codes(&self) -> Result<Vec<MeaningEntry>>;
    async fn questions(&self) -> Result<Vec<QuestionEntry>>;
    async fn scale(&self) -> Result<Vec<ScaleLevel>>;

    async fn counts(&self) -> Result<Counts>;
}

/// Timestamps from wikispiral are local and zone-less; this is the form we keep them in.
pub type LocalTime = NaiveDateTime;

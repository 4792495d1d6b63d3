//! The storage interface, and everything about storing that does not depend on the database.
//! A backend (`store-sqlite`, `store-postgres`) gives transactions and the SQL of each step
//! ([`steps`]); [`Store`] and its family are implemented once, here, over those steps, and the
//! conformance suite in `store-tests` runs the same stories against each backend.
//!
//! The rules of an import (what is "the same practice", what counts as unchanged) live in
//! [`plan`] and [`import`]; the workflow of contributions in [`contribution`]; the SPIRAL
//! checks in [`spiral`] and `domain::rules`. Two SQL implementations cannot drift on them.
//!
//! For several nodes on one database, every write that changes a practice also records a
//! [`Change`] in the same transaction (the outbox), which each node's search index follows
//! with [`Store::changes_since`]; long work is queued as [`Job`]s that one node claims.
//! A new write path in a backend must record its changes too: the conformance suite checks it.

pub mod accounts;
pub mod concepts;
pub mod contribution;
pub mod import;
pub mod plan;
pub mod spiral;
pub mod steps;

pub use accounts::{AccountStore, AuditEntry, NewAccount, RoleBinding, Session};
pub use concepts::{ConceptStore, ConceptVersion};
pub use contribution::{
    Actor, AttachmentInfo, ContributionStore, FieldChange, NewRevision, Revision,
};

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::spiral::Reference;
use domain::{
    Batch, Codebook, Criterion, Diagnostic, HomogeneousGroup, MeaningEntry, Platform, Practice,
    QuestionEntry, ScaleLevel, Status,
};
use serde::Serialize;
use serde_json::Value;
use steps::{
    Backend, Housekeeping, OutboxSteps, PracticeSteps, ReferenceSteps, SpiralSteps, Steps,
};

pub use spiral::{ActionFilter, CriteriaPage, CriteriaSort, CriteriaSortKey, SpiralStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("migration error: {0}")]
    Migration(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// Refused input: says what was found and what was expected.
    #[error("{0}")]
    Invalid(String),
    /// What was asked for does not exist; says what was looked for.
    #[error("{0}")]
    NotFound(String),
    /// The write would break a uniqueness rule; says what already exists.
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<domain::rules::Invalid> for StoreError {
    fn from(e: domain::rules::Invalid) -> Self {
        StoreError::Invalid(e.to_string())
    }
}

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
    /// Jobs waiting for a worker (queued, not yet claimed).
    pub jobs_queued: u64,
}

/// What a [`Change`] is about. Only practices for now: they are what the search index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Practice,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Practice => "practice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "practice" => Some(Entity::Practice),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// Created or changed: read it again.
    Upsert,
    /// Gone: drop it.
    Delete,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upsert" => Some(ChangeOp::Upsert),
            "delete" => Some(ChangeOp::Delete),
            _ => None,
        }
    }
}

/// One row of the outbox: a write that changed an entity, recorded in the writing
/// transaction. Ids grow in commit order, so a follower that has applied every change up to
/// `id` asks for `changes_since(id)` next and misses nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: i64,
    pub entity: Entity,
    pub entity_id: i64,
    pub op: ChangeOp,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(JobStatus::Queued),
            "running" => Some(JobStatus::Running),
            "done" => Some(JobStatus::Done),
            "failed" => Some(JobStatus::Failed),
            _ => None,
        }
    }
}

/// A piece of long work (PDF generation, reindex) that one node claims and does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: i64,
    /// What to do, e.g. `pdf` or `reindex`: claimers ask for the kinds they can do.
    pub kind: String,
    pub payload: Value,
    pub status: JobStatus,
    /// Who claimed it last.
    pub worker: Option<String>,
    /// How many times it was claimed (more than once when a claim went stale).
    pub attempts: u32,
    /// What a finished job produced.
    pub result: Option<Value>,
    /// Why a failed job failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done(Value),
    Failed(String),
}

/// How long a claim holds. A running job whose claim is older (its node died, most likely)
/// can be claimed again; the first worker can then no longer finish it.
pub const JOB_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// Everything a backend stores. The SPIRAL work after the import (editing, syntheses,
/// actions, indicators) is its own trait, [`SpiralStore`], which every store implements.
#[async_trait]
pub trait Store:
    AccountStore + ContributionStore + SpiralStore + ConceptStore + Send + Sync
{
    /// Brings the schema to the newest version. Idempotent.
    async fn migrate(&self) -> Result<()>;

    /// Makes the database file whole on its own, for a copy or a backup taken by hand: SQLite
    /// moves its write-ahead log into the main file. Nothing to do for a server database.
    async fn checkpoint(&self) -> Result<()>;

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
    /// The practices with these ids that exist, in the order of `ids`: one read for a batch
    /// of search hits, never one per hit.
    async fn practices_by_ids(&self, ids: &[i64]) -> Result<Vec<Practice>>;
    /// The practices with `status` and an id above `after`, by id, at most `limit`: the whole
    /// store walked a page at a time (by key: writes meanwhile never shift a page).
    async fn practices_after(
        &self,
        status: Status,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Practice>>;

    /// Every platform, by id; every group, by id. Both carry their ids.
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

    /// Changes with an id above `after`, oldest first, at most `limit` of them.
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>>;
    /// The id of the newest change, 0 when there is none: where a follower that has just read
    /// the whole store starts.
    async fn latest_change(&self) -> Result<i64>;
    /// Deletes the changes recorded before `before` (the outbox's retention), except the
    /// newest change, so that [`Store::latest_change`] never goes back; what goes is always a
    /// prefix of the log, and [`Store::pruned_through`] remembers where it ends. Returns how
    /// many changes it deleted. Every node may prune: each deletes what the others left.
    async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64>;
    /// The id of the newest change ever pruned, 0 when none was. A follower whose cursor is
    /// below it has missed changes and must rebuild from the store. Ask *after* reading a
    /// batch of [`Store::changes_since`]: a prune in between then shows as a gap, never as a
    /// silent loss.
    async fn pruned_through(&self) -> Result<i64>;

    /// Queues a job; returns its id.
    async fn enqueue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64>;
    /// Takes the oldest claimable job of `kind` (queued, or running with a claim older than
    /// [`JOB_LEASE`]) for `worker`, atomically: two claimers never get the same job.
    async fn claim_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>>;
    /// Ends a job that `worker` holds. Refused ([`StoreError::Invalid`]) when the job is
    /// unknown, not running, or claimed by someone else since.
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        outcome: &JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn job(&self, id: i64) -> Result<Option<Job>>;

    /// Keeps a generated document under its key (the hash of what it was made from). A key
    /// already kept is left as it is: the same input made the same document.
    async fn put_document(&self, document: &Document) -> Result<()>;
    async fn document(&self, key: &str) -> Result<Option<Document>>;
    /// Deletes the documents made before `before`; returns how many. They are made again on
    /// demand.
    async fn prune_documents(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// A generated document (a PDF), kept so that every node can serve what one node made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The hash of what it was made from: the same key, the same bytes.
    pub key: String,
    pub media_type: String,
    /// The name a download proposes (ASCII).
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// Why `worker` may not finish job `id`, given the job as the store holds it: every backend
/// refuses with the same words.
pub fn finish_refused(id: i64, worker: &str, found: Option<&Job>) -> StoreError {
    StoreError::Invalid(match found {
        None => format!("no job {id}: expected the id of a claimed job"),
        Some(j) if j.status != JobStatus::Running => format!(
            "job {id} is {}, not running: expected a job that {worker} holds",
            j.status.as_str()
        ),
        Some(j) => format!(
            "job {id} is held by {}, not {worker}: its claim went stale and was taken over",
            j.worker.as_deref().unwrap_or("nobody")
        ),
    })
}

/// Timestamps from wikispiral are local and zone-less; this is the form we keep them in.
pub type LocalTime = NaiveDateTime;

/// Every store whose backend gives the steps ([`steps`]): what each method reads or writes,
/// in which transaction, is decided here once.
#[async_trait]
impl<B: Backend + Housekeeping> Store for B {
    async fn migrate(&self) -> Result<()> {
        self.run_migrations().await
    }

    async fn checkpoint(&self) -> Result<()> {
        Housekeeping::checkpoint(self).await
    }

    async fn ensure_reference(&self, reference: &Reference, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !tx.codebook_version_names().await?.is_empty() {
            return Ok(false);
        }
        import_codebook(&mut tx, &reference.codebook, true, now).await?;
        tx.write_reference_tables(reference).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn import(&self, batch: &Batch, now: DateTime<Utc>) -> Result<ImportSummary> {
        import::import(self, batch, now).await
    }

    async fn practices(&self) -> Result<Vec<Practice>> {
        self.begin_read().await?.all_practices().await
    }

    async fn practice(&self, id: i64) -> Result<Option<Practice>> {
        Ok(self.begin_read().await?.practices_by_id(&[id]).await?.pop())
    }

    async fn practices_after(
        &self,
        status: Status,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Practice>> {
        let mut tx = self.begin_read().await?;
        let ids = tx.practice_ids_after(status, after, limit).await?;
        tx.practices_by_id(&ids).await
    }

    async fn practices_by_ids(&self, ids: &[i64]) -> Result<Vec<Practice>> {
        let mut found = self.begin_read().await?.practices_by_id(ids).await?;
        let rank: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        found.sort_by_key(|p| rank.get(&p.id).copied().unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn platforms(&self) -> Result<Vec<Platform>> {
        self.begin_read().await?.platforms(None).await
    }

    async fn groups(&self) -> Result<Vec<HomogeneousGroup>> {
        self.begin_read().await?.groups(None).await
    }

    async fn criteria(&self, filter: &CriteriaFilter) -> Result<Vec<Criterion>> {
        self.begin_read().await?.criteria(filter).await
    }

    async fn active_codebook(&self) -> Result<Option<Codebook>> {
        self.begin_read().await?.active_codebook().await
    }

    async fn codebook_versions(&self) -> Result<Vec<CodebookVersion>> {
        self.begin_read().await?.codebook_versions().await
    }

    async fn import_codebook(
        &self,
        codebook: &Codebook,
        activate: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        import_codebook(&mut tx, codebook, activate, now).await?;
        tx.commit().await
    }

    async fn activate_codebook(&self, version: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let Some(id) = tx.codebook_version_id(version).await? else {
            let known = tx.codebook_version_names().await?;
            return Err(StoreError::Invalid(format!(
                "no codebook version `{version}`: expected one of {}",
                if known.is_empty() {
                    "(none stored)".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        tx.set_active_codebook(id).await?;
        tx.commit().await
    }

    async fn meaning_codes(&self) -> Result<Vec<MeaningEntry>> {
        self.begin_read().await?.meaning_codes().await
    }

    async fn questions(&self) -> Result<Vec<QuestionEntry>> {
        self.begin_read().await?.questions().await
    }

    async fn scale(&self) -> Result<Vec<ScaleLevel>> {
        self.begin_read().await?.scale().await
    }

    async fn counts(&self) -> Result<Counts> {
        self.begin_read().await?.counts().await
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>> {
        self.begin_read().await?.changes_since(after, limit).await
    }

    async fn latest_change(&self) -> Result<i64> {
        self.begin_read().await?.latest_change().await
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = tx.prune_changes(before).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// From the reader, as [`Store::changes_since`]: a replica that shows the batch shows the
    /// watermark of its prune too.
    async fn pruned_through(&self) -> Result<i64> {
        self.begin_read().await?.pruned_through().await
    }

    async fn enqueue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64> {
        self.queue_job(kind, payload, now).await
    }

    async fn claim_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>> {
        self.take_job(kind, worker, now).await
    }

    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        outcome: &JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.end_job(id, worker, outcome, now).await? {
            return Ok(());
        }
        let found = self.read_job(id).await?;
        Err(finish_refused(id, worker, found.as_ref()))
    }

    async fn job(&self, id: i64) -> Result<Option<Job>> {
        self.read_job(id).await
    }

    async fn put_document(&self, document: &Document) -> Result<()> {
        self.keep_document(document).await
    }

    async fn document(&self, key: &str) -> Result<Option<Document>> {
        self.read_document(key).await
    }

    async fn prune_documents(&self, before: DateTime<Utc>) -> Result<u64> {
        self.drop_documents(before).await
    }
}

/// Stores `codebook` as a new version, refused when its name is taken.
async fn import_codebook<T: Steps>(
    tx: &mut T,
    codebook: &Codebook,
    activate: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if tx.codebook_version_id(&codebook.version).await?.is_some() {
        return Err(StoreError::Invalid(format!(
            "codebook version `{}` exists already: expected a new version name",
            codebook.version
        )));
    }
    let id = tx.insert_codebook(codebook, now).await?;
    if activate {
        tx.set_active_codebook(id).await?;
    }
    Ok(())
}

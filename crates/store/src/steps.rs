//! What a backend provides: transactions, and in them the SQL steps (one read or one write
//! each) that the workflow is written against, once, in this crate.
//!
//! A backend implements [`Backend`] and [`Housekeeping`] on its store and the step traits on
//! its transaction; it then has [`Store`](crate::Store), [`AccountStore`](crate::AccountStore),
//! [`ContributionStore`](crate::ContributionStore) and [`SpiralStore`](crate::SpiralStore),
//! which are blanket implementations in this crate (the import in [`crate::import`]). What is
//! read, checked, refused, written and recorded, in which order and in which transaction, is
//! decided here; a backend only says how one step is done in its SQL. The conformance suite
//! (`store-tests`) then checks the SQL, not the choreography, which exists once.
//!
//! Adding a table and a write path means: a step (or a few) in one of these traits, its SQL
//! in each backend's module for that trait (and a migration each), and the choreography once,
//! in this crate.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::spiral::Reference;
use domain::{
    Account, Codebook, Criterion, Email, Evaluation, FieldChange, HomogeneousGroup, Indicator,
    MeaningEntry, PilotAction, Platform, Practice, PracticeFields, QuestionEntry, ScaleLevel,
    Status, SynthesisRow, Tally,
};
use serde_json::Value;

use crate::accounts::{AuditEntry, NewAccount, RoleBinding, Session};
use crate::concepts::ConceptVersion;
use crate::contribution::{AttachmentInfo, NewRevision, Revision};
use crate::plan::{CriterionRow, Lookups, PracticeWrite, StoredPractice, Write};
use crate::spiral::{ActionFilter, CriteriaPage, CriteriaSort};
use crate::{Change, CodebookVersion, Counts, CriteriaFilter, Document, Job, JobOutcome, Result};

/// A store that opens transactions. A write transaction holds the backend's write lock until
/// it ends, so that what a write checks first stays true until it commits; a read transaction
/// sees one state of the database (on the replica, when there is one).
#[async_trait]
pub trait Backend: Send + Sync {
    type Tx: Steps;

    async fn begin_write(&self) -> Result<Self::Tx>;
    async fn begin_read(&self) -> Result<Self::Tx>;
    /// A transaction on the primary that takes no write lock: accounts and sessions, which
    /// must see the latest truth (never a replica's) and never wait for an import.
    async fn begin_primary(&self) -> Result<Self::Tx>;
}

/// A transaction of a backend, with every step. Dropped without [`Steps::commit`], it rolls
/// back.
#[async_trait]
pub trait Steps:
    PracticeSteps
    + RevisionSteps
    + AttachmentSteps
    + ImportSteps
    + SpiralSteps
    + ReferenceSteps
    + ConceptSteps
    + OutboxSteps
    + AccountSteps
    + Send
{
    async fn commit(self) -> Result<()>;
}

/// Versions of the concept scheme, each stored whole (as JSON).
#[async_trait]
pub trait ConceptSteps: Send {
    /// Every version, oldest first.
    async fn concept_versions(&mut self) -> Result<Vec<ConceptVersion>>;
    /// The body of one version, or of the active one (`None`).
    async fn concept_scheme_body(
        &mut self,
        version: Option<u32>,
    ) -> Result<Option<(ConceptVersion, String)>>;
    async fn insert_concept_scheme(&mut self, v: &ConceptVersion, body: &str) -> Result<()>;
    /// Makes `version` the only active one.
    async fn activate_concept_scheme(&mut self, version: u32) -> Result<()>;
}

/// Practices as a whole.
#[async_trait]
pub trait PracticeSteps: Send {
    /// The practices with these ids that exist, complete, by id.
    async fn practices_by_id(&mut self, ids: &[i64]) -> Result<Vec<Practice>>;
    async fn practice_exists(&mut self, id: i64) -> Result<bool>;
    /// Ids of the practices with `status`, last updated first (ties: highest id first),
    /// skipping `offset` of them and at most `limit` (every one when `None`).
    async fn practice_ids_with_status(
        &mut self,
        status: Status,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Vec<i64>>;
    /// Ids of the practices with `status` above `after`, by id, at most `limit`.
    async fn practice_ids_after(
        &mut self,
        status: Status,
        after: i64,
        limit: u64,
    ) -> Result<Vec<i64>>;
    /// The id the next practice gets: above every id stored or ever given.
    async fn next_practice_id(&mut self) -> Result<i64>;
    /// Writes practices (lists and sources included) and records each in the outbox; returns
    /// their ids, in order.
    async fn write_practices(&mut self, w: &[PracticeWrite], at: DateTime<Utc>)
    -> Result<Vec<i64>>;
    /// Sets `updated_at` without touching the content, and records it in the outbox.
    async fn touch_practice(&mut self, id: i64, now: DateTime<Utc>) -> Result<()>;
    /// The stored practices an import can touch (see [`Lookups`]).
    async fn stored_practices(&mut self, lookups: &Lookups) -> Result<Vec<StoredPractice>>;
    /// Every practice, complete, by id.
    async fn all_practices(&mut self) -> Result<Vec<Practice>>;
    /// How many practices, platforms, groups and criteria there are.
    async fn counts(&mut self) -> Result<Counts>;
}

/// The SPIRAL reference data: codebook versions, meaning codes, questions, scale.
#[async_trait]
pub trait ReferenceSteps: Send {
    /// The id of codebook version `version`, if it is stored.
    async fn codebook_version_id(&mut self, version: &str) -> Result<Option<i64>>;
    /// The names of the stored versions, oldest first.
    async fn codebook_version_names(&mut self) -> Result<Vec<String>>;
    /// Stores a new version with its entries, not active; returns its id.
    async fn insert_codebook(&mut self, c: &Codebook, at: DateTime<Utc>) -> Result<i64>;
    /// Makes version `id` the only active one.
    async fn set_active_codebook(&mut self, id: i64) -> Result<()>;
    /// Replaces the meaning codes, questions and scale with `r`'s.
    async fn write_reference_tables(&mut self, r: &Reference) -> Result<()>;
    async fn active_codebook(&mut self) -> Result<Option<Codebook>>;
    async fn codebook_versions(&mut self) -> Result<Vec<CodebookVersion>>;
    async fn meaning_codes(&mut self) -> Result<Vec<MeaningEntry>>;
    async fn questions(&mut self) -> Result<Vec<QuestionEntry>>;
    async fn scale(&mut self) -> Result<Vec<ScaleLevel>>;
}

/// The outbox of changes that every node's index follows (see [`crate::Store`]).
#[async_trait]
pub trait OutboxSteps: Send {
    async fn changes_since(&mut self, after: i64, limit: u32) -> Result<Vec<Change>>;
    async fn latest_change(&mut self) -> Result<i64>;
    async fn prune_changes(&mut self, before: DateTime<Utc>) -> Result<u64>;
    async fn pruned_through(&mut self) -> Result<i64>;
}

/// Accounts, sessions, failed logins and the audit log.
#[async_trait]
pub trait AccountSteps: Send {
    /// `None` when another account has the e-mail.
    async fn insert_account(&mut self, new: &NewAccount, now: DateTime<Utc>)
    -> Result<Option<i64>>;
    /// By id.
    async fn all_accounts(&mut self) -> Result<Vec<Account>>;
    async fn account(&mut self, id: i64) -> Result<Option<Account>>;
    /// With its password hash.
    async fn account_by_email(&mut self, email: &Email) -> Result<Option<(Account, String)>>;
    /// These update account `id`; each returns whether there was one.
    async fn set_disabled(&mut self, id: i64, disabled: bool, now: DateTime<Utc>) -> Result<bool>;
    async fn set_role(&mut self, id: i64, b: &RoleBinding<'_>, now: DateTime<Utc>) -> Result<bool>;
    async fn set_password(&mut self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<bool>;
    async fn delete_sessions_of(&mut self, account_id: i64) -> Result<()>;
    /// Only for an account that exists and is not disabled; returns whether it was.
    async fn insert_session(&mut self, token_hash: &str, s: &Session) -> Result<bool>;
    /// Valid at `now`, of an account not disabled.
    async fn session(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, Account)>>;
    async fn delete_session(&mut self, token_hash: &str) -> Result<()>;
    /// Returns how many went.
    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> Result<u64>;
    async fn delete_login_failures_before(&mut self, at: DateTime<Utc>) -> Result<()>;
    async fn insert_login_failure(&mut self, key: &str, at: DateTime<Utc>) -> Result<()>;
    async fn count_login_failures(&mut self, key: &str, since: DateTime<Utc>) -> Result<u64>;
    async fn delete_login_failures(&mut self, key: &str) -> Result<()>;
    async fn insert_audit(&mut self, entry: &AuditEntry) -> Result<i64>;
    /// Newest first (by instant, then id).
    async fn audit_entries(&mut self, limit: u32) -> Result<Vec<AuditEntry>>;
}

/// What a backend does outside transactions of steps: its schema, and the queue of jobs and
/// the generated documents, which each backend keeps on the connection that suits it (on
/// PostgreSQL the primary, without the write lock, so that a long import never holds up a
/// claim). The [`crate::Store`] methods of the same meaning call these.
#[async_trait]
pub trait Housekeeping: Send + Sync {
    async fn run_migrations(&self) -> Result<()>;
    /// See [`crate::Store::checkpoint`]; nothing to do by default.
    async fn checkpoint(&self) -> Result<()> {
        Ok(())
    }
    async fn queue_job(&self, kind: &str, payload: &Value, now: DateTime<Utc>) -> Result<i64>;
    async fn take_job(&self, kind: &str, worker: &str, now: DateTime<Utc>) -> Result<Option<Job>>;
    /// Whether the job was running and held by `by`: only then it ends.
    async fn end_job(&self, id: i64, by: &str, end: &JobOutcome, at: DateTime<Utc>)
    -> Result<bool>;
    async fn read_job(&self, id: i64) -> Result<Option<Job>>;
    async fn keep_document(&self, document: &Document) -> Result<()>;
    async fn read_document(&self, key: &str) -> Result<Option<Document>>;
    async fn drop_documents(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// The revision history of practices.
#[async_trait]
pub trait RevisionSteps: Send {
    /// Appends revisions, each with its practice's next number (one per practice at most).
    async fn append_revisions(&mut self, revisions: &[NewRevision]) -> Result<()>;
    /// Newest first.
    async fn revisions_of(&mut self, practice_id: i64) -> Result<Vec<Revision>>;
    async fn revision(&mut self, practice_id: i64, number: u32) -> Result<Option<Revision>>;
    /// Overwrites what revision `id` recorded (the erasure of a contact).
    async fn rewrite_revision(
        &mut self,
        id: i64,
        c: &[FieldChange],
        s: &PracticeFields,
    ) -> Result<()>;
}

/// The files kept with practices.
#[async_trait]
pub trait AttachmentSteps: Send {
    /// Stores the bytes under `info` (its `id` is not read); returns the new id.
    async fn insert_attachment(&mut self, info: &AttachmentInfo, bytes: &[u8]) -> Result<i64>;
    /// Oldest first.
    async fn attachments_of(&mut self, practice_id: i64) -> Result<Vec<AttachmentInfo>>;
    async fn attachment(&mut self, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>>;
    /// Deletes it; returns what it was, `None` when there was none.
    async fn delete_attachment(&mut self, id: i64) -> Result<Option<AttachmentInfo>>;
}

/// What an import reads and writes of the SPIRAL data and reference, besides the practices.
#[async_trait]
pub trait ImportSteps: Send {
    /// The stored criteria an import can touch: by id, and by natural key.
    async fn stored_criteria(&mut self, lookups: &Lookups) -> Result<Vec<Criterion>>;
    /// Inserts (under its id, or the next free one) or updates a platform; returns its id.
    async fn write_platform(&mut self, w: &Write<Platform>) -> Result<i64>;
    /// The same for a group of the platform with id `platform`.
    async fn write_group(&mut self, w: &Write<HomogeneousGroup>, platform: i64) -> Result<i64>;
    /// The id the next criterion gets: above every id stored or ever given.
    async fn next_criterion_id(&mut self) -> Result<i64>;
    /// Inserts and updates criteria, in bulk.
    async fn write_criteria(&mut self, rows: &[CriterionRow<'_>]) -> Result<()>;
}

/// A page of criteria: which, in which order, where.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery<'a> {
    pub filter: &'a CriteriaFilter,
    pub sort: CriteriaSort,
    pub offset: u64,
    pub limit: u64,
}

/// The form SPIRAL rows keep their zone-less timestamps in ([`crate::spiral::stamp`]).
pub type Stamp = NaiveDateTime;

/// Which count of criteria [`SpiralSteps::criteria_tally`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyBy {
    Question,
    /// The dimension of the component; `None` for criteria without one.
    Dimension,
    /// `YYYY-MM` of creation.
    Month,
}

impl TallyBy {
    /// What the count is by, in an error message.
    pub fn as_str(self) -> &'static str {
        match self {
            TallyBy::Question => "question",
            TallyBy::Dimension => "dimension",
            TallyBy::Month => "month",
        }
    }
}

/// Platforms, groups, criteria, pilot actions, indicators and evaluations. Timestamps come
/// in as [`Stamp`]s, or set in the value written ("(set)").
#[async_trait]
pub trait SpiralSteps: Send {
    /// Every platform, by id; with an id, that one.
    async fn platforms(&mut self, only: Option<i64>) -> Result<Vec<Platform>>;
    async fn groups(&mut self, only: Option<i64>) -> Result<Vec<HomogeneousGroup>>;
    async fn platform_id(&mut self, name: &str) -> Result<Option<i64>>;
    async fn group_id(&mut self, platform_id: i64, name: &str) -> Result<Option<i64>>;
    /// The platform of group `id`: its id and name.
    async fn group_platform(&mut self, id: i64) -> Result<Option<(i64, String)>>;
    /// Stores `created_at` as given (set).
    async fn insert_platform(&mut self, p: &Platform) -> Result<i64>;
    async fn update_platform(&mut self, id: i64, p: &Platform) -> Result<()>;
    async fn insert_group(&mut self, platform: i64, g: &HomogeneousGroup) -> Result<i64>;
    async fn update_group(&mut self, id: i64, g: &HomogeneousGroup) -> Result<()>;

    async fn criterion(&mut self, id: i64) -> Result<Option<Criterion>>;
    /// Criteria matching the filter, by id.
    async fn criteria(&mut self, filter: &CriteriaFilter) -> Result<Vec<Criterion>>;
    async fn criteria_page(&mut self, q: &PageQuery<'_>) -> Result<CriteriaPage>;
    /// The codes of the questions of the reference data, in their order.
    async fn question_codes(&mut self) -> Result<Vec<String>>;
    /// The id is the next after the highest ever given; the timestamps as given (set).
    async fn insert_criterion(&mut self, group: i64, c: &Criterion) -> Result<i64>;
    /// Its content and `updated_at` (set).
    async fn update_criterion(&mut self, id: i64, c: &Criterion) -> Result<()>;
    /// Returns whether there was one.
    async fn delete_criterion(&mut self, id: i64) -> Result<bool>;
    /// The stored aggregate for a platform (or one of its groups), in any order.
    async fn tally_rows(&mut self, platform: i64, group: Option<i64>) -> Result<Vec<SynthesisRow>>;
    /// How many platforms, groups and criteria there are.
    async fn spiral_counts(&mut self) -> Result<(u64, u64, u64)>;
    async fn criteria_tally(&mut self, by: TallyBy) -> Result<Tally>;

    /// Pilot actions matching the filter, or the one with id `only`.
    async fn actions(&mut self, f: &ActionFilter, only: Option<i64>) -> Result<Vec<PilotAction>>;
    /// The platform (its name) of each of these criteria that exists.
    async fn criteria_platforms(&mut self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    /// The name of the platform of action `id`.
    async fn action_platform(&mut self, id: i64) -> Result<Option<String>>;
    /// Without its lists ([`SpiralSteps::write_action_lists`]); the timestamps as given (set).
    async fn insert_action(&mut self, platform: i64, a: &PilotAction) -> Result<i64>;
    /// Everything but the platform, the lists and `created_at`.
    async fn update_action(&mut self, id: i64, a: &PilotAction) -> Result<()>;
    /// Replaces the criteria and components of action `id`.
    async fn write_action_lists(&mut self, id: i64, a: &PilotAction) -> Result<()>;

    /// Indicators of the platform named `platform` (or of all), or the one with id `only`.
    async fn indicators(&mut self, of: Option<&str>, only: Option<i64>) -> Result<Vec<Indicator>>;
    /// The platform of indicator `id`: its id and name.
    async fn indicator_platform(&mut self, id: i64) -> Result<Option<(i64, String)>>;
    /// How many levels the stored scale has.
    async fn scale_len(&mut self) -> Result<usize>;
    /// `created_at` (set) is also its first `updated_at`.
    async fn insert_indicator(&mut self, platform: i64, i: &Indicator) -> Result<i64>;
    /// Component, title, levels; `updated_at` is `at`.
    async fn update_indicator(&mut self, id: i64, i: &Indicator, at: Stamp) -> Result<()>;
    /// By date, then id.
    async fn evaluations(&mut self, indicator_id: i64) -> Result<Vec<Evaluation>>;
    async fn insert_evaluation(
        &mut self,
        e: &Evaluation,
        group: Option<i64>,
        at: Stamp,
    ) -> Result<i64>;
}

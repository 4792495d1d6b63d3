//! Contribution and moderation: drafts, the editorial workflow, the revision history of every
//! practice, the erasure of a contact person, and attachments.
//!
//! Every write runs in one transaction that also records a [`Revision`] and a [`Change`] of the
//! practice in the outbox. The outbox says only "read it again": a follower re-reads the
//! practice and keeps it in a public index only when it is published (`cli::serve::follow_once`
//! drops anything else), so a draft, a rejected or an archived practice leaves the public
//! index of every node through the same change.
//!
//! A revision keeps the whole content after the change (`snapshot`) and the fields that changed
//! against the content before it (`changes`); the first revision of a practice has no changes,
//! its snapshot says everything. The rules (diff, workflow, erasure) are
//! [`domain::revision`]'s; what backends must say alike is here.
//!
//! [`Change`]: crate::Change

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::practice::content_hash;
use domain::revision::{
    CONTACT_ERASED, Transition, TransitionError, actions, diff, erase_contact,
    erase_contact_in_changes,
};
use domain::{
    Account, AttachmentId, Language, Practice, PracticeFields, PracticeId, Status, rules,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use domain::revision::FieldChange;

use crate::plan::{Content, PracticeWrite};
use crate::steps::{AttachmentSteps, Backend, PracticeSteps, RevisionSteps, Steps};
use crate::{Result, StoreError};

/// Who makes a change (`None`: the command line or an import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: Option<i64>,
    /// Kept as written in each revision, even if the account changes later.
    pub email: Option<String>,
}

impl Actor {
    /// The command line, or an import: nobody logged in.
    pub fn system() -> Self {
        Self::default()
    }

    pub fn account(account: &Account) -> Self {
        Self {
            account_id: Some(account.id),
            email: Some(account.email.to_string()),
        }
    }
}

/// One step in the history of a practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    pub practice_id: i64,
    /// 1, 2, … per practice.
    pub number: u32,
    pub at: DateTime<Utc>,
    pub actor: Option<i64>,
    pub actor_email: Option<String>,
    /// One of [`domain::revision::actions`]: `create`, `edit`, `submit`, `publish`, `reject`,
    /// `archive`, `restore`, `erase_contact`, `import`, `attach`, `detach`.
    pub action: String,
    /// The status after the change.
    pub status: Status,
    /// A reviewer's comment on reject; what was restored or attached; for `erase_contact`
    /// only [`CONTACT_ERASED`], never what was erased.
    pub comment: Option<String>,
    /// Field by field, against the content before (empty for a practice's first revision).
    pub changes: Vec<FieldChange>,
    /// The whole content after the change.
    pub snapshot: PracticeFields,
}

/// A revision to record; the backend gives it its id and the practice's next number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevision {
    pub practice_id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<i64>,
    pub actor_email: Option<String>,
    pub action: String,
    pub status: Status,
    pub comment: Option<String>,
    pub changes: Vec<FieldChange>,
    pub snapshot: PracticeFields,
}

impl NewRevision {
    pub fn new(
        practice_id: i64,
        action: &str,
        status: Status,
        snapshot: PracticeFields,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            practice_id,
            at,
            actor: actor.account_id,
            actor_email: actor.email.clone(),
            action: action.to_string(),
            status,
            comment: None,
            changes: Vec::new(),
            snapshot,
        }
    }
}

/// An attachment as listed; its bytes are read one at a time ([`ContributionStore::attachment`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub practice_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait ContributionStore: Send + Sync {
    /// A new draft (status draft, in `language`), with its first revision (`create`). Returns
    /// its id. Its slug comes from the title. An empty title is [`StoreError::Invalid`].
    async fn create_draft(
        &self,
        fields: &PracticeFields,
        language: Language,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64>;
    /// Replaces the content, status unchanged, and records the diff (`edit`). Content equal to
    /// the stored one writes nothing. Unknown id: [`StoreError::NotFound`].
    async fn update_practice(
        &self,
        id: i64,
        fields: &PracticeFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Moves the status along the workflow ([`domain::Transition`]): `action` is `submit`,
    /// `publish`, `reject` (needs a comment) or `archive`, and `to` its target. A move not
    /// allowed from the current status is [`StoreError::Conflict`] naming both statuses; an
    /// unknown action, a wrong target or a reject without comment is [`StoreError::Invalid`].
    async fn transition(
        &self,
        id: i64,
        to: Status,
        action: &str,
        comment: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Newest first. Unknown practice: [`StoreError::NotFound`].
    async fn revisions(&self, practice_id: i64) -> Result<Vec<Revision>>;
    /// Sets the content back to revision `number`'s snapshot, status unchanged, as a new
    /// revision (`restore`). Nothing is written when the content is that already. Unknown
    /// practice or revision: [`StoreError::NotFound`].
    async fn restore_revision(
        &self,
        practice_id: i64,
        number: u32,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Erases every contact called exactly `name` from the practice and from every revision's
    /// snapshot and changes, and records a revision (`erase_contact`) that says only that a
    /// contact was erased. [`StoreError::NotFound`] when neither the practice nor its history
    /// holds a contact of that name.
    async fn erase_contact(
        &self,
        practice_id: i64,
        name: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Practices with `status` (a contributor's drafts, the editors' review queue), newest
    /// first (last updated first).
    async fn practices_with_status(&self, status: Status) -> Result<Vec<Practice>> {
        self.practices_with_status_page(status, 0, None).await
    }
    /// One page of [`ContributionStore::practices_with_status`]: `offset` skipped, at most
    /// `limit`. What a feed or an export reads instead of every practice.
    async fn practices_with_status_page(
        &self,
        status: Status,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Vec<Practice>>;

    /// Stores a file with the practice, in the database so that every node serves it, and
    /// records a revision (`attach`). Checking the content ([`domain::attachment::sniff`]) and
    /// the size is the caller's job. Returns its id.
    async fn add_attachment(
        &self,
        practice_id: i64,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64>;
    /// The practice's attachments, oldest first. Unknown practice: [`StoreError::NotFound`].
    async fn attachments(&self, practice_id: i64) -> Result<Vec<AttachmentInfo>>;
    async fn attachment(&self, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>>;
    /// Deletes an attachment and records a revision (`detach`). Unknown id:
    /// [`StoreError::NotFound`].
    async fn delete_attachment(&self, id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<()>;
}

/// A content to write, with what the store derives from it (slug, identity key, hash).
pub fn content(fields: &PracticeFields, status: Status, language: Language) -> Content {
    Content {
        slug: fields.slug(),
        identity_key: fields.identity_key(),
        content_hash: content_hash(fields, status, language),
        fields: fields.clone(),
        status,
        language,
    }
}

/// No practice `id`: every backend says it alike.
pub fn no_practice(id: PracticeId) -> StoreError {
    StoreError::NotFound(format!("no practice {id}: expected the id of a practice"))
}

pub fn no_revision(practice_id: PracticeId, number: u32) -> StoreError {
    StoreError::NotFound(format!(
        "practice {practice_id} has no revision {number}: expected the number of one of its \
         revisions"
    ))
}

pub fn no_contact(practice_id: PracticeId) -> StoreError {
    // The name is not repeated: it may be personal data that is not ours to keep, in logs.
    StoreError::NotFound(format!(
        "practice {practice_id} and its history hold no contact of that name: expected the \
         exact name of one of its contacts"
    ))
}

pub fn no_attachment(id: AttachmentId) -> StoreError {
    StoreError::NotFound(format!(
        "no attachment {id}: expected the id of an attachment"
    ))
}

/// A refused move of practice `id`, as a store error: a conflict with its current status, or
/// a bad request.
pub fn transition_refused(id: i64, e: &TransitionError) -> StoreError {
    match e {
        TransitionError::NotFrom { .. } => StoreError::Conflict(format!("practice {id}: {e}")),
        _ => StoreError::Invalid(format!("practice {id}: {e}")),
    }
}

/// The revision that records adding (`attach`) or deleting (`detach`) an attachment: its
/// description in `changes`, under `attachments`.
pub fn attachment_revision(
    practice: &Practice,
    info: &AttachmentInfo,
    added: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> NewRevision {
    let described = json!({
        "id": info.id,
        "file_name": info.file_name,
        "media_type": info.media_type,
        "size": info.size,
        "sha256": info.sha256,
    });
    let (action, before, after) = if added {
        (domain::revision::actions::ATTACH, json!(null), described)
    } else {
        (domain::revision::actions::DETACH, described, json!(null))
    };
    NewRevision {
        comment: Some(info.file_name.clone()),
        changes: vec![FieldChange {
            field: "attachments".to_string(),
            before,
            after,
        }],
        ..NewRevision::new(
            practice.id,
            action,
            practice.status,
            practice.fields.clone(),
            actor,
            now,
        )
    }
}

/// What erasing `name` does to a practice and its history, decided before anything is
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// The practice's content without the contact.
    pub fields: PracticeFields,
    /// The revisions that held the contact, scrubbed: (id, changes, snapshot).
    pub revisions: Vec<(i64, Vec<FieldChange>, PracticeFields)>,
    /// The revision that records the erasure, saying only that a contact was erased.
    pub record: NewRevision,
}

/// Plans the erasure of `name` from `practice` and its `history`. [`no_contact`] when neither
/// holds it.
pub fn plan_erasure(
    practice: &Practice,
    history: &[Revision],
    name: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Erasure> {
    let mut fields = practice.fields.clone();
    let mut found = erase_contact(&mut fields, name);
    let mut revisions = Vec::new();
    for r in history {
        let mut snapshot = r.snapshot.clone();
        let mut changes = r.changes.clone();
        let in_snapshot = erase_contact(&mut snapshot, name);
        let in_changes = erase_contact_in_changes(&mut changes, name);
        if in_snapshot || in_changes {
            found = true;
            revisions.push((r.id, changes, snapshot));
        }
    }
    if !found {
        return Err(no_contact(practice.id.into()));
    }
    let record = NewRevision {
        comment: Some(CONTACT_ERASED.to_string()),
        ..NewRevision::new(
            practice.id,
            domain::revision::actions::ERASE_CONTACT,
            practice.status,
            fields.clone(),
            actor,
            now,
        )
    };
    Ok(Erasure {
        fields,
        revisions,
        record,
    })
}

/// A revision's number as stored, checked.
pub fn revision_number(n: i64, practice_id: i64) -> Result<u32> {
    u32::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "a revision of practice {practice_id} has number {n}: expected 1 or more"
        ))
    })
}

/// A revision read back from a backend's columns, each checked: a stored value that does not
/// parse is [`StoreError::Corrupt`].
#[allow(clippy::too_many_arguments)]
pub fn revision_from_columns(
    id: i64,
    practice_id: i64,
    number: i64,
    at: DateTime<Utc>,
    actor: (Option<i64>, Option<String>),
    action: String,
    status: &str,
    comment: Option<String>,
    changes: serde_json::Value,
    snapshot: serde_json::Value,
) -> Result<Revision> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!(
            "revision {id} of practice {practice_id}: {what} ({e})"
        ))
    };
    Ok(Revision {
        id,
        practice_id,
        number: revision_number(number, practice_id)?,
        at,
        actor: actor.0,
        actor_email: actor.1,
        action,
        status: Status::parse(status)
            .ok_or_else(|| corrupt("unknown status", &format_args!("`{status}`")))?,
        comment,
        changes: serde_json::from_value(changes)
            .map_err(|e| corrupt("changes are not a list of field changes", &e))?,
        snapshot: serde_json::from_value(snapshot)
            .map_err(|e| corrupt("the snapshot is not a practice's content", &e))?,
    })
}

/// The revisions of an import: the first of each new practice, and one for each stored
/// practice whose content changed, against `before` (its content as stored).
pub fn import_revision(
    practice_id: i64,
    content: &Content,
    before: Option<&PracticeFields>,
    now: DateTime<Utc>,
) -> NewRevision {
    NewRevision {
        changes: before.map_or_else(Vec::new, |b| domain::revision::diff(b, &content.fields)),
        ..NewRevision::new(
            practice_id,
            domain::revision::actions::IMPORT,
            content.status,
            content.fields.clone(),
            &Actor::system(),
            now,
        )
    }
}

/// Practice `id`, complete, or [`no_practice`].
async fn practice<T: Steps>(tx: &mut T, id: i64) -> Result<Practice> {
    tx.practices_by_id(&[id])
        .await?
        .pop()
        .ok_or_else(|| no_practice(id.into()))
}

async fn exists<T: Steps>(tx: &mut T, id: i64) -> Result<()> {
    if tx.practice_exists(id).await? {
        Ok(())
    } else {
        Err(no_practice(id.into()))
    }
}

/// Replaces the content of `p` (lists included), and records the change in the outbox.
async fn write_content<T: Steps>(
    tx: &mut T,
    p: &Practice,
    content: Content,
    now: DateTime<Utc>,
) -> Result<()> {
    let update = PracticeWrite::Update {
        id: p.id,
        content: Some(content),
        sources: None,
        created_at: p.created_at,
        updated_at: now,
    };
    tx.write_practices(&[update], now).await?;
    Ok(())
}

/// The workflow, once for every backend: each write is one write transaction that changes the
/// practice, records its revision and records the change in the outbox (through
/// [`PracticeSteps::write_practices`] or [`PracticeSteps::touch_practice`], as imports do).
#[async_trait]
impl<B: Backend> ContributionStore for B {
    async fn create_draft(
        &self,
        fields: &PracticeFields,
        language: Language,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        rules::practice(fields)?;
        let now = now.trunc_subsecs(0);
        let mut tx = self.begin_write().await?;
        let id = tx.next_practice_id().await?;
        let insert = PracticeWrite::Insert {
            id: Some(id),
            content: content(fields, Status::Draft, language),
            sources: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        tx.write_practices(&[insert], now).await?;
        let first = NewRevision::new(
            id,
            actions::CREATE,
            Status::Draft,
            fields.clone(),
            actor,
            now,
        );
        tx.append_revisions(&[first]).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_practice(
        &self,
        id: i64,
        fields: &PracticeFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        rules::practice(fields)?;
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, id).await?;
        let changes = diff(&p.fields, fields);
        if changes.is_empty() {
            return Ok(());
        }
        write_content(&mut tx, &p, content(fields, p.status, p.language), now).await?;
        let edit = NewRevision {
            changes,
            ..NewRevision::new(id, actions::EDIT, p.status, fields.clone(), actor, now)
        };
        tx.append_revisions(&[edit]).await?;
        tx.commit().await
    }

    async fn transition(
        &self,
        id: i64,
        to: Status,
        action: &str,
        comment: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, id).await?;
        let t = Transition::check(action, p.status, to, comment)
            .map_err(|e| transition_refused(id, &e))?;
        write_content(&mut tx, &p, content(&p.fields, t.target(), p.language), now).await?;
        let moved = NewRevision {
            comment: comment.map(str::to_string),
            ..NewRevision::new(id, t.as_str(), t.target(), p.fields.clone(), actor, now)
        };
        tx.append_revisions(&[moved]).await?;
        tx.commit().await
    }

    async fn revisions(&self, practice_id: i64) -> Result<Vec<Revision>> {
        let mut tx = self.begin_read().await?;
        exists(&mut tx, practice_id).await?;
        tx.revisions_of(practice_id).await
    }

    async fn restore_revision(
        &self,
        practice_id: i64,
        number: u32,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, practice_id).await?;
        let old = tx
            .revision(practice_id, number)
            .await?
            .ok_or_else(|| no_revision(practice_id.into(), number))?;
        let changes = diff(&p.fields, &old.snapshot);
        if changes.is_empty() {
            return Ok(());
        }
        let restored = content(&old.snapshot, p.status, p.language);
        write_content(&mut tx, &p, restored, now).await?;
        let record = NewRevision {
            comment: Some(format!("revision {number}")),
            changes,
            ..NewRevision::new(
                practice_id,
                actions::RESTORE,
                p.status,
                old.snapshot,
                actor,
                now,
            )
        };
        tx.append_revisions(&[record]).await?;
        tx.commit().await
    }

    async fn erase_contact(
        &self,
        practice_id: i64,
        name: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, practice_id).await?;
        let history = tx.revisions_of(practice_id).await?;
        let erasure = plan_erasure(&p, &history, name, actor, now)?;
        let erased = content(&erasure.fields, p.status, p.language);
        write_content(&mut tx, &p, erased, now).await?;
        for (id, changes, snapshot) in &erasure.revisions {
            tx.rewrite_revision(*id, changes, snapshot).await?;
        }
        tx.append_revisions(&[erasure.record]).await?;
        tx.commit().await
    }

    async fn practices_with_status_page(
        &self,
        status: Status,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Vec<Practice>> {
        let mut tx = self.begin_read().await?;
        let ids = tx.practice_ids_with_status(status, offset, limit).await?;
        let mut found = tx.practices_by_id(&ids).await?;
        let rank: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        found.sort_by_key(|p| rank.get(&p.id).copied().unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn add_attachment(
        &self,
        practice_id: i64,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        rules::attachment(file_name, media_type)?;
        let now = now.trunc_subsecs(0);
        let mut tx = self.begin_write().await?;
        let p = practice(&mut tx, practice_id).await?;
        let mut info = AttachmentInfo {
            id: 0,
            practice_id,
            file_name: file_name.to_string(),
            media_type: media_type.to_string(),
            size: bytes.len() as u64,
            sha256: domain::attachment::sha256_hex(bytes),
            created_at: now,
        };
        info.id = tx.insert_attachment(&info, bytes).await?;
        tx.touch_practice(practice_id, now).await?;
        let record = attachment_revision(&p, &info, true, actor, now);
        tx.append_revisions(&[record]).await?;
        tx.commit().await?;
        Ok(info.id)
    }

    async fn attachments(&self, practice_id: i64) -> Result<Vec<AttachmentInfo>> {
        let mut tx = self.begin_read().await?;
        exists(&mut tx, practice_id).await?;
        tx.attachments_of(practice_id).await
    }

    async fn attachment(&self, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        self.begin_read().await?.attachment(id).await
    }

    async fn delete_attachment(&self, id: i64, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let info = tx
            .delete_attachment(id)
            .await?
            .ok_or_else(|| no_attachment(id.into()))?;
        let p = practice(&mut tx, info.practice_id).await?;
        tx.touch_practice(p.id, now).await?;
        let record = attachment_revision(&p, &info, false, actor, now);
        tx.append_revisions(&[record]).await?;
        tx.commit().await
    }
}

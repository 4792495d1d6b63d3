//! The rules of an import, shared by every backend: pure functions, no I/O.
//!
//! A backend imports a [`Batch`] in four steps, all inside one transaction:
//! 1. [`Lookups::of`] says which stored rows the batch can touch;
//! 2. the backend reads them into [`Existing`] (practices *without* their fields: the
//!    `identity_key` and `content_hash` columns are enough to compare);
//! 3. [`plan`] decides, record by record, what to insert and update, and counts;
//! 4. the backend writes the [`Plan`], and turns each deferred [`Conflict`] into a warning with
//!    [`conflict_warning`] after reading that one practice's stored fields.
//!
//! The rules:
//! - A practice record matches a stored practice by `id` when it carries one (our own export)
//!   and that id is stored; otherwise by [`PracticeFields::identity_key`]. Records of one batch
//!   that match each other merge into one practice.
//! - A practice is unchanged when its content hash is the same and every incoming source is
//!   already recorded. Nothing is written then: ids and timestamps stay.
//! - Sources keep their order, existing first. A re-read document brings the current truth
//!   about itself: its stored sources are replaced in place by the batch's sources from that
//!   document (line numbers move when a booklet is re-extracted); a new document is appended.
//! - The fields belong to the document of the practice's first source. A record from that
//!   document (or matched by id, or for a practice without sources) overwrites them when they
//!   differ; a record from another document leaves them and yields a warning naming the fields
//!   that differ.
//! - A practice changed on the web since its last import (its latest revision is not an
//!   import: an edit, a move along the workflow, a restore) belongs to the web: a record from
//!   its document no longer overwrites it and yields a warning instead. Only a record matched
//!   by id (our own export, restored) still overwrites it.
//! - A practice keeps the identity key it was created with: an edit of its title does not
//!   change the key, so that a re-import of its document finds it and creates no duplicate.
//! - Timestamps a record carries are kept exactly (lossless round trip of the JSON export);
//!   otherwise a new practice gets `now` for both, and a changed one `updated_at = now`.
//!   Every timestamp is cut to whole seconds, as stored.
//! - Platforms match by name, groups by (platform, name); a value the batch does not give
//!   (`None`, no languages) keeps the stored one, since a criteria file names its platform
//!   without describing it. Criteria match by id when given, else by
//!   (platform, group, question, text); their content is the batch's, their timestamps default
//!   to the stored ones, then to `now` (naive UTC).
//! - Criteria whose component the active codebook does not know are stored anyway, and reported.
//! - Counts are per distinct thing written or matched (a practice, platform, group or
//!   criterion), so that re-importing a batch counts `unchanged` exactly what the first import
//!   counted `created` plus `updated`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use domain::practice::content_hash;
use domain::{
    Batch, Codebook, Criterion, Diagnostic, HomogeneousGroup, Language, Platform, PracticeFields,
    PracticeRecord, Source, Status,
};

use crate::ImportSummary;

/// The stored rows a batch can touch, so that a backend reads only those.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookups {
    /// Ids carried by practice records.
    pub practice_ids: Vec<i64>,
    /// Identity keys of every practice record.
    pub identity_keys: Vec<String>,
    /// Ids carried by criteria.
    pub criterion_ids: Vec<i64>,
    /// Natural keys of criteria that carry no id.
    pub criterion_keys: Vec<CriterionKey>,
}

impl Lookups {
    pub fn of(batch: &Batch) -> Self {
        let mut out = Lookups::default();
        let mut seen_keys = HashSet::new();
        for r in &batch.practices {
            if let Some(id) = r.id {
                out.practice_ids.push(id);
            }
            let key = r.fields.identity_key();
            if seen_keys.insert(key.clone()) {
                out.identity_keys.push(key);
            }
        }
        let mut seen_criteria = HashSet::new();
        for c in &batch.criteria {
            if let Some(id) = c.id {
                out.criterion_ids.push(id);
            } else {
                let key = CriterionKey::of(c);
                if seen_criteria.insert(key.clone()) {
                    out.criterion_keys.push(key);
                }
            }
        }
        out.practice_ids.sort_unstable();
        out.practice_ids.dedup();
        out.criterion_ids.sort_unstable();
        out.criterion_ids.dedup();
        out
    }
}

/// What says "same criterion" when no wikispiral id is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CriterionKey {
    pub platform: String,
    pub group: String,
    pub question: String,
    pub text: String,
}

impl CriterionKey {
    pub fn of(c: &Criterion) -> Self {
        Self {
            platform: c.platform.clone(),
            group: c.group.clone(),
            question: c.question.clone(),
            text: c.text.clone(),
        }
    }
}

/// A stored practice as the plan needs it. The fields are left out on purpose: comparing
/// `content_hash` is enough, and an import of 100,000 practices must not read them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPractice {
    pub id: i64,
    pub identity_key: String,
    pub content_hash: String,
    /// In stored order.
    pub sources: Vec<Source>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changed on the web (edited, moved along the workflow, restored, …) since it was last
    /// imported: its latest revision is not an import. A document no longer overwrites it.
    pub edited: bool,
}

/// What the backend read for [`Lookups`].
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Stored practices whose id or identity key is among the lookups.
    pub practices: Vec<StoredPractice>,
    /// Every stored platform and group (they are few): new ones must not take a used id.
    pub platforms: Vec<Platform>,
    pub groups: Vec<HomogeneousGroup>,
    /// Stored criteria whose id or natural key is among the lookups.
    pub criteria: Vec<Criterion>,
    /// The active codebook, to report unknown component codes.
    pub codebook: Option<Codebook>,
}

/// A practice's content as written to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub fields: PracticeFields,
    pub status: Status,
    pub language: Language,
    pub slug: String,
    pub identity_key: String,
    pub content_hash: String,
}

impl Content {
    fn of(r: &Keyed) -> Self {
        Self {
            slug: r.record.fields.slug(),
            identity_key: r.key.clone(),
            content_hash: r.hash.clone(),
            fields: r.record.fields.clone(),
            status: r.record.status,
            language: r.record.language,
        }
    }
}

/// A record with its identity key and content hash, each computed once (100,000 records
/// make it count).
struct Keyed<'a> {
    record: &'a PracticeRecord,
    key: String,
    hash: String,
}

impl std::ops::Deref for Keyed<'_> {
    type Target = PracticeRecord;

    fn deref(&self) -> &PracticeRecord {
        self.record
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PracticeWrite {
    /// A new practice. `id` is `None` when the backend assigns it.
    Insert {
        id: Option<i64>,
        content: Content,
        sources: Vec<Source>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    },
    /// A stored practice that changed: `content` when its fields are overwritten, `sources`
    /// (the whole list, in order) when they changed; timestamps always.
    Update {
        id: i64,
        content: Option<Content>,
        sources: Option<Vec<Source>>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    },
}

/// A practice row written whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole<'a> {
    pub id: i64,
    pub content: &'a Content,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Planned practice writes sorted into what a backend writes, table by table, with the ids of
/// new practices given: ids are assigned here rather than by the database so that lists and
/// sources can be written in bulk (the write lock is held, so nobody else takes them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PracticeRows<'a> {
    pub inserts: Vec<Whole<'a>>,
    /// Stored practices whose content is replaced.
    pub overwrites: Vec<Whole<'a>>,
    /// (id, created_at, updated_at) of stored practices whose row keeps its content.
    pub touched: Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
    /// Contents whose lists (communes, themes, contacts, …) are written.
    pub contents: Vec<(i64, &'a Content)>,
    /// Sources to write, the whole list of each practice.
    pub sources: Vec<(i64, &'a [Source])>,
    /// Stored practices whose lists, and whose sources, are replaced: delete theirs first.
    pub replaced_contents: Vec<i64>,
    pub replaced_sources: Vec<i64>,
    /// Every practice written, in plan order: the ids to return, the changes to record.
    pub written: Vec<i64>,
}

impl<'a> PracticeRows<'a> {
    /// `next_id` is the first id the store has never given; a new practice without an id takes
    /// the next one above it and above every id the writes carry.
    pub fn of(writes: &'a [PracticeWrite], next_id: i64) -> Self {
        let given_max = writes
            .iter()
            .filter_map(|w| match w {
                PracticeWrite::Insert { id, .. } => *id,
                PracticeWrite::Update { .. } => None,
            })
            .max()
            .unwrap_or(0);
        let mut next = next_id.max(given_max + 1);
        let mut out = Self::default();
        for w in writes {
            match w {
                PracticeWrite::Insert {
                    id,
                    content,
                    sources,
                    created_at,
                    updated_at,
                } => {
                    let id = id.unwrap_or_else(|| {
                        next += 1;
                        next - 1
                    });
                    out.inserts.push(Whole {
                        id,
                        content,
                        created_at: *created_at,
                        updated_at: *updated_at,
                    });
                    out.contents.push((id, content));
                    out.sources.push((id, sources));
                    out.written.push(id);
                }
                PracticeWrite::Update {
                    id,
                    content,
                    sources,
                    created_at,
                    updated_at,
                } => {
                    if let Some(content) = content {
                        out.overwrites.push(Whole {
                            id: *id,
                            content,
                            created_at: *created_at,
                            updated_at: *updated_at,
                        });
                        out.contents.push((*id, content));
                        out.replaced_contents.push(*id);
                    } else {
                        out.touched.push((*id, *created_at, *updated_at));
                    }
                    if let Some(s) = sources {
                        out.sources.push((*id, s));
                        out.replaced_sources.push(*id);
                    }
                    out.written.push(*id);
                }
            }
        }
        out
    }
}

/// A planned criterion with the ids it is written under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriterionRow<'a> {
    /// A new criterion (else a stored one, updated).
    pub insert: bool,
    pub id: i64,
    pub group_id: i64,
    pub criterion: &'a Criterion,
}

/// A record whose content differs from the stored fields, which are kept: it comes from
/// another document, or the practice was changed on the web since its import. The backend
/// reads the stored fields of `practice_id` and calls [`deferred_warning`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub practice_id: i64,
    /// The document the kept fields came from.
    pub owner: String,
    pub incoming: Incoming,
    /// The stored practice was changed on the web since its last import.
    pub edited: bool,
}

/// The side of a conflict that came with the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub document: String,
    pub line: u32,
    pub fields: PracticeFields,
    pub status: Status,
    pub language: Language,
}

impl Incoming {
    fn of(record: &PracticeRecord) -> Self {
        let first = record.sources.first();
        Self {
            document: first.map_or_else(|| "(no source)".to_string(), |s| s.document.clone()),
            line: first.map_or(0, |s| s.first_line),
            fields: record.fields.clone(),
            status: record.status,
            language: record.language,
        }
    }
}

/// Insert (id `None`: the backend assigns one) or update (id set) of a whole row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write<T> {
    Insert(T),
    Update(T),
}

impl<T> Write<T> {
    pub fn value(&self) -> &T {
        match self {
            Write::Insert(v) | Write::Update(v) => v,
        }
    }
}

/// Everything an import writes, and its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub practices: Vec<PracticeWrite>,
    pub conflicts: Vec<Conflict>,
    /// In batch order; platforms before the groups that name them.
    pub platforms: Vec<Write<Platform>>,
    pub groups: Vec<Write<HomogeneousGroup>>,
    /// Criteria carry `created_at` and `updated_at` (always `Some`).
    pub criteria: Vec<Write<Criterion>>,
    /// Counts and the warnings known without reading more; deferred conflicts add theirs.
    pub summary: ImportSummary,
}

/// Decides what importing `batch` over `existing` writes. `now` is cut to whole seconds.
pub fn plan(batch: &Batch, existing: &Existing, now: DateTime<Utc>) -> Plan {
    let now = now.trunc_subsecs(0);
    let mut out = Plan::default();
    plan_practices(&batch.practices, &existing.practices, now, &mut out);
    plan_platforms(batch, &existing.platforms, &mut out);
    plan_groups(batch, &existing.groups, &mut out);
    plan_criteria(batch, existing, now.naive_utc(), &mut out);
    out
}

/// The names of the fields (and `status`, `language`) in which two contents differ.
pub fn differing_fields(
    a: (&PracticeFields, Status, Language),
    b: (&PracticeFields, Status, Language),
) -> Vec<&'static str> {
    let mut out = Vec::new();
    // Destructured so that a new field cannot be forgotten here.
    let PracticeFields {
        title,
        subtitle,
        institution,
        organisers,
        communes,
        themes,
        objectives,
        description,
        results,
        target_public,
        place_periodicity,
        costs,
        other_info,
        contacts,
        websites,
        spiral_components,
    } = a.0;
    macro_rules! compare {
        ($($name:ident),*) => {$(
            if *$name != b.0.$name {
                out.push(stringify!($name));
            }
        )*};
    }
    compare!(
        title,
        subtitle,
        institution,
        organisers,
        communes,
        themes,
        objectives,
        description,
        results,
        target_public,
        place_periodicity,
        costs,
        other_info,
        contacts,
        websites,
        spiral_components
    );
    if a.1 != b.1 {
        out.push("status");
    }
    if a.2 != b.2 {
        out.push("language");
    }
    out
}

/// The warning for a record whose content differs from the fields kept from another document.
/// `practice` names the stored practice (its id), or `None` for one created by this batch.
pub fn conflict_warning(
    practice: Option<i64>,
    owner: &str,
    incoming: &Incoming,
    kept: (&PracticeFields, Status, Language),
) -> Diagnostic {
    let fields = differing_fields(kept, (&incoming.fields, incoming.status, incoming.language));
    let which = practice.map_or_else(|| "the practice".to_string(), |id| format!("practice {id}"));
    Diagnostic::new(
        incoming.line,
        format!(
            "«{}» from {} merges into {which}, whose text comes from {owner}; they differ in {}. \
             The text from {owner} is kept",
            incoming.fields.title,
            incoming.document,
            fields.join(", ")
        ),
    )
}

/// [`conflict_warning`] for a deferred conflict, given the stored fields the backend read; for
/// a practice changed on the web, a warning that says so.
pub fn deferred_warning(
    conflict: &Conflict,
    stored: (&PracticeFields, Status, Language),
) -> Diagnostic {
    if conflict.edited {
        let incoming = &conflict.incoming;
        let fields = differing_fields(
            stored,
            (&incoming.fields, incoming.status, incoming.language),
        );
        return Diagnostic::new(
            incoming.line,
            format!(
                "«{}» from {} is practice {}, which was changed on the web since its import; \
                 they differ in {}. The web version is kept: apply the document's changes on \
                 the web if they are wanted",
                incoming.fields.title,
                incoming.document,
                conflict.practice_id,
                fields.join(", ")
            ),
        );
    }
    conflict_warning(
        Some(conflict.practice_id),
        &conflict.owner,
        &conflict.incoming,
        stored,
    )
}

/// Sources of `incoming` merged into `existing`: a document already present has its sources
/// replaced in place (by all of the batch's sources from it); a new document is appended.
pub fn merge_sources(existing: &[Source], incoming: &[Source]) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::with_capacity(existing.len() + incoming.len());
    let incoming_docs: HashSet<&str> = incoming.iter().map(|s| s.document.as_str()).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    for s in existing {
        let doc = s.document.as_str();
        if !incoming_docs.contains(doc) {
            out.push(s.clone());
        } else if placed.insert(doc) {
            out.extend(incoming.iter().filter(|i| i.document == doc).cloned());
        }
    }
    for s in incoming {
        if !placed.contains(s.document.as_str()) {
            out.push(s.clone());
        }
    }
    out
}

/// One practice the batch touches: a stored one, or a new one.
struct Slot<'a> {
    stored: Option<&'a StoredPractice>,
    /// The id a new practice takes (from its record), if any.
    given_id: Option<i64>,
    records: Vec<Keyed<'a>>,
}

impl Slot<'_> {
    fn id(&self) -> Option<i64> {
        self.stored.map(|s| s.id).or(self.given_id)
    }
}

fn plan_practices(
    records: &[PracticeRecord],
    stored: &[StoredPractice],
    now: DateTime<Utc>,
    out: &mut Plan,
) {
    let stored_by_id: HashMap<i64, &StoredPractice> = stored.iter().map(|s| (s.id, s)).collect();
    let mut stored_by_key: HashMap<&str, &StoredPractice> = HashMap::new();
    for s in stored {
        // Several stored practices can share a key only if ids forced it; the oldest wins.
        let e = stored_by_key.entry(s.identity_key.as_str()).or_insert(s);
        if s.id < e.id {
            *e = s;
        }
    }

    let mut slots: Vec<Slot> = Vec::new();
    let mut slot_by_id: HashMap<i64, usize> = HashMap::new();
    let mut slot_by_key: HashMap<String, usize> = HashMap::new();
    for record in records {
        let key = record.fields.identity_key();
        let hash = content_hash(&record.fields, record.status, record.language);
        let by_id = record.id.and_then(|id| {
            slot_by_id.get(&id).copied().or_else(|| {
                let s = stored_by_id.get(&id)?;
                Some(stored_slot(
                    s,
                    &mut slots,
                    &mut slot_by_id,
                    &mut slot_by_key,
                ))
            })
        });
        let found = by_id
            .or_else(|| slot_by_key.get(&key).copied())
            .or_else(|| {
                let s = stored_by_key.get(key.as_str())?;
                Some(stored_slot(
                    s,
                    &mut slots,
                    &mut slot_by_id,
                    &mut slot_by_key,
                ))
            });
        let i = found.unwrap_or_else(|| {
            slots.push(Slot {
                stored: None,
                given_id: record.id,
                records: Vec::new(),
            });
            slots.len() - 1
        });
        if let Some(id) = record.id
            && slots[i].id() == Some(id)
        {
            slot_by_id.entry(id).or_insert(i);
        }
        slot_by_key.entry(key.clone()).or_insert(i);
        slots[i].records.push(Keyed { record, key, hash });
    }

    for slot in &slots {
        plan_slot(slot, now, out);
    }
}

/// The slot of a stored practice, made on first use and found again by its id or key.
fn stored_slot<'a>(
    s: &'a StoredPractice,
    slots: &mut Vec<Slot<'a>>,
    slot_by_id: &mut HashMap<i64, usize>,
    slot_by_key: &mut HashMap<String, usize>,
) -> usize {
    if let Some(&i) = slot_by_id.get(&s.id) {
        return i;
    }
    slots.push(Slot {
        stored: Some(s),
        given_id: None,
        records: Vec::new(),
    });
    let i = slots.len() - 1;
    slot_by_id.insert(s.id, i);
    slot_by_key.entry(s.identity_key.clone()).or_insert(i);
    i
}

fn plan_slot(slot: &Slot, now: DateTime<Utc>, out: &mut Plan) {
    let mut incoming_sources: Vec<Source> = Vec::new();
    for r in &slot.records {
        for s in &r.sources {
            if !incoming_sources.contains(s) {
                incoming_sources.push(s.clone());
            }
        }
    }
    let given_created = slot
        .records
        .iter()
        .find_map(|r| r.created_at)
        .map(|t| t.trunc_subsecs(0));
    let given_updated = slot
        .records
        .iter()
        .rev()
        .find_map(|r| r.updated_at)
        .map(|t| t.trunc_subsecs(0));

    // A stored practice's content is not read (only its hash); a new one starts as its first record.
    let (mut content, mut hash, owner, rest) = if let Some(s) = slot.stored {
        (
            None,
            s.content_hash.clone(),
            s.sources.first(),
            &slot.records[..],
        )
    } else {
        let first = &slot.records[0];
        let c = Content::of(first);
        let hash = c.content_hash.clone();
        (Some(c), hash, first.sources.first(), &slot.records[1..])
    };
    let owner = owner.map(|s| s.document.clone());
    for r in rest {
        if r.hash == hash {
            continue;
        }
        let by_id = r.id.is_some() && r.id == slot.id();
        let owns = owner
            .as_deref()
            .is_none_or(|o| r.sources.iter().any(|s| s.document == o));
        // A practice changed on the web keeps that change: its document no longer overwrites
        // it (an export of ours, matched by id, still restores it).
        let edited = slot.stored.is_some_and(|s| s.edited) && content.is_none();
        if by_id || (owns && !edited) {
            content = Some(Content::of(r));
            hash.clone_from(&r.hash);
        } else {
            let owner = owner.clone().unwrap_or_default();
            let incoming = Incoming::of(r);
            match (&content, slot.stored) {
                (Some(kept), _) => out.summary.warnings.push(conflict_warning(
                    slot.id().filter(|_| slot.stored.is_some()),
                    &owner,
                    &incoming,
                    (&kept.fields, kept.status, kept.language),
                )),
                (None, Some(s)) => {
                    out.conflicts.push(Conflict {
                        practice_id: s.id,
                        owner,
                        incoming,
                        edited: owns,
                    });
                }
                (None, None) => unreachable!("a new practice always holds its content"),
            }
        }
    }

    match slot.stored {
        None => {
            out.summary.created += 1;
            out.practices.push(PracticeWrite::Insert {
                id: slot.given_id,
                content: content.expect("a new practice holds its content"),
                sources: incoming_sources,
                created_at: given_created.unwrap_or(now),
                updated_at: given_updated.unwrap_or(now),
            });
        }
        Some(s) => {
            let content = content.filter(|c| c.content_hash != s.content_hash);
            let merged = merge_sources(&s.sources, &incoming_sources);
            let sources = (merged != s.sources).then_some(merged);
            if content.is_none() && sources.is_none() {
                out.summary.unchanged += 1;
                return;
            }
            out.summary.updated += 1;
            out.practices.push(PracticeWrite::Update {
                id: s.id,
                content,
                sources,
                created_at: given_created.unwrap_or(s.created_at),
                updated_at: given_updated.unwrap_or(now),
            });
        }
    }
}

/// Platforms of the batch, then those its groups and criteria only name, merged by name.
fn incoming_platforms(batch: &Batch) -> Vec<Platform> {
    let mut out: Vec<Platform> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let bare = |name: &str| Platform {
        id: None,
        name: name.to_string(),
        country: None,
        languages: Vec::new(),
        description: None,
        coordination: None,
        created_at: None,
    };
    let named = batch
        .platforms
        .iter()
        .cloned()
        .chain(batch.groups.iter().map(|g| bare(&g.platform)))
        .chain(batch.criteria.iter().map(|c| bare(&c.platform)));
    for p in named {
        if let Some(&i) = index.get(&p.name) {
            out[i] = overlay_platform(&out[i], &p);
        } else {
            index.insert(p.name.clone(), out.len());
            out.push(p);
        }
    }
    out
}

/// `base` with every value `top` gives; the id stays `base`'s when it has one.
fn overlay_platform(base: &Platform, top: &Platform) -> Platform {
    Platform {
        id: base.id.or(top.id),
        name: base.name.clone(),
        country: top.country.clone().or_else(|| base.country.clone()),
        languages: if top.languages.is_empty() {
            base.languages.clone()
        } else {
            top.languages.clone()
        },
        description: top.description.clone().or_else(|| base.description.clone()),
        coordination: top
            .coordination
            .clone()
            .or_else(|| base.coordination.clone()),
        created_at: top.created_at.or(base.created_at),
    }
}

fn overlay_group(base: &HomogeneousGroup, top: &HomogeneousGroup) -> HomogeneousGroup {
    HomogeneousGroup {
        id: base.id.or(top.id),
        name: base.name.clone(),
        platform: base.platform.clone(),
        language: top.language.clone().or_else(|| base.language.clone()),
        profile: top.profile.clone().or_else(|| base.profile.clone()),
        created_at: top.created_at.or(base.created_at),
    }
}

fn plan_platforms(batch: &Batch, stored: &[Platform], out: &mut Plan) {
    let by_name: HashMap<&str, &Platform> = stored.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut used: HashSet<i64> = stored.iter().filter_map(|p| p.id).collect();
    for p in incoming_platforms(batch) {
        match by_name.get(p.name.as_str()) {
            None => {
                // A given id is kept (lossless round trip) unless another platform holds it.
                let id = p.id.filter(|id| used.insert(*id));
                out.summary.created += 1;
                out.platforms.push(Write::Insert(Platform { id, ..p }));
            }
            Some(s) => {
                let merged = Platform {
                    id: s.id,
                    ..overlay_platform(s, &p)
                };
                if merged == **s {
                    out.summary.unchanged += 1;
                } else {
                    out.summary.updated += 1;
                    out.platforms.push(Write::Update(merged));
                }
            }
        }
    }
}

fn plan_groups(batch: &Batch, stored: &[HomogeneousGroup], out: &mut Plan) {
    let mut incoming: Vec<HomogeneousGroup> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let bare = |c: &Criterion| HomogeneousGroup {
        id: None,
        name: c.group.clone(),
        platform: c.platform.clone(),
        language: None,
        profile: None,
        created_at: None,
    };
    for g in batch
        .groups
        .iter()
        .cloned()
        .chain(batch.criteria.iter().map(bare))
    {
        let key = (g.platform.clone(), g.name.clone());
        if let Some(&i) = index.get(&key) {
            incoming[i] = overlay_group(&incoming[i], &g);
        } else {
            index.insert(key, incoming.len());
            incoming.push(g);
        }
    }

    let by_key: HashMap<(&str, &str), &HomogeneousGroup> = stored
        .iter()
        .map(|g| ((g.platform.as_str(), g.name.as_str()), g))
        .collect();
    let mut used: HashSet<i64> = stored.iter().filter_map(|g| g.id).collect();
    for g in incoming {
        match by_key.get(&(g.platform.as_str(), g.name.as_str())) {
            None => {
                let id = g.id.filter(|id| used.insert(*id));
                out.summary.created += 1;
                out.groups.push(Write::Insert(HomogeneousGroup { id, ..g }));
            }
            Some(s) => {
                let merged = HomogeneousGroup {
                    id: s.id,
                    ..overlay_group(s, &g)
                };
                if merged == **s {
                    out.summary.unchanged += 1;
                } else {
                    out.summary.updated += 1;
                    out.groups.push(Write::Update(merged));
                }
            }
        }
    }
}

fn plan_criteria(batch: &Batch, existing: &Existing, now: NaiveDateTime, out: &mut Plan) {
    let stored_by_id: HashMap<i64, &Criterion> = existing
        .criteria
        .iter()
        .filter_map(|c| c.id.map(|id| (id, c)))
        .collect();
    let mut stored_by_key: HashMap<CriterionKey, &Criterion> = HashMap::new();
    for c in &existing.criteria {
        let e = stored_by_key.entry(CriterionKey::of(c)).or_insert(c);
        if c.id < e.id {
            *e = c;
        }
    }

    // (stored match, the batch's merged criterion)
    let mut slots: Vec<(Option<&Criterion>, Criterion)> = Vec::new();
    let mut slot_by_id: HashMap<i64, usize> = HashMap::new();
    let mut slot_by_key: HashMap<CriterionKey, usize> = HashMap::new();
    for (i, c) in batch.criteria.iter().enumerate() {
        let line = batch.criterion_lines.get(i).copied().unwrap_or(0);
        let c = Criterion {
            created_at: c.created_at.map(|t| t.trunc_subsecs(0)),
            updated_at: c.updated_at.map(|t| t.trunc_subsecs(0)),
            ..c.clone()
        };
        if let Some(code) = &c.component {
            match &existing.codebook {
                Some(book) if !book.knows(code) => out.summary.warnings.push(Diagnostic::new(
                    line,
                    format!(
                        "criterion {}: component `{code}` is unknown to the active codebook \
                         (version {}); stored as given",
                        c.id.map_or_else(|| format!("«{}»", c.text), |id| id.to_string()),
                        book.version
                    ),
                )),
                _ => {}
            }
        }
        let key = CriterionKey::of(&c);
        let found = match c.id {
            Some(id) => slot_by_id.get(&id).copied().or_else(|| {
                stored_by_id.get(&id).map(|s| {
                    slots.push((Some(*s), (*s).clone()));
                    slots.len() - 1
                })
            }),
            None => slot_by_key.get(&key).copied().or_else(|| {
                stored_by_key.get(&key).map(|s| {
                    // A stored criterion may already have a slot through its id.
                    let id = s.id.expect("stored criteria have ids");
                    *slot_by_id.entry(id).or_insert_with(|| {
                        slots.push((Some(*s), (*s).clone()));
                        slots.len() - 1
                    })
                })
            }),
        };
        let i = found.unwrap_or_else(|| {
            slots.push((None, c.clone()));
            slots.len() - 1
        });
        let current = &slots[i].1;
        let merged = Criterion {
            id: current.id.or(c.id),
            created_at: c.created_at.or(current.created_at),
            updated_at: c.updated_at.or(current.updated_at),
            ..c
        };
        if let Some(id) = merged.id {
            slot_by_id.entry(id).or_insert(i);
        }
        slot_by_key.entry(key).or_insert(i);
        slots[i].1 = merged;
    }

    if let Some(i) = existing
        .codebook
        .is_none()
        .then(|| batch.criteria.iter().position(|c| c.component.is_some()))
        .flatten()
    {
        out.summary.warnings.push(Diagnostic::new(
            batch.criterion_lines.get(i).copied().unwrap_or(0),
            "no active codebook: component codes were stored without being checked",
        ));
    }

    let mut used: HashSet<i64> = existing.criteria.iter().filter_map(|c| c.id).collect();
    for (stored, c) in slots {
        match stored {
            None => {
                out.summary.created += 1;
                let id = c.id.filter(|id| used.insert(*id));
                let created_at = c.created_at.unwrap_or(now);
                out.criteria.push(Write::Insert(Criterion {
                    id,
                    created_at: Some(created_at),
                    updated_at: Some(c.updated_at.unwrap_or(now)),
                    ..c
                }));
            }
            Some(s) if *s == c => out.summary.unchanged += 1,
            Some(s) => {
                out.summary.updated += 1;
                // The timestamps alone are "as stored" unless the batch gave them.
                let given_updated = c.updated_at != s.updated_at;
                out.criteria.push(Write::Update(Criterion {
                    updated_at: if given_updated {
                        c.updated_at
                    } else {
                        Some(now)
                    },
                    ..c
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use domain::{CodebookEntry, ComponentCode, Contact, Format};

    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).unwrap()
    }

    fn source(doc: &str, first: u32, last: u32) -> Source {
        Source {
            document: doc.into(),
            first_line: first,
            last_line: last,
            truncated: false,
        }
    }

    fn wok(doc: &str, first: u32) -> PracticeRecord {
        PracticeRecord::from_source(
            PracticeFields {
                title: "« WOK – fir Inklusioun zu Déifferdeng »".into(),
                institution: Some("Ville de Differdange".into()),
                organisers: Some("Service à l'Égalité des Chances".into()),
                communes: vec!["Differdange".into()],
                objectives: Some("Activer et inclure les groupements".into()),
                contacts: vec![Contact {
                    name: Some("Service Égalité".into()),
                    phones: vec!["58 77 1-1".into()],
                    ..Contact::default()
                }],
                ..PracticeFields::default()
            },
            source(doc, first, first + 70),
        )
    }

    fn tandem(commune: &str, doc: &str, line: u32) -> PracticeRecord {
        PracticeRecord::from_source(
            PracticeFields {
                title: "Tandem de langues".into(),
                communes: vec![commune.into()],
                ..PracticeFields::default()
            },
            source(doc, line, line),
        )
    }

    fn batch(document: &str, practices: Vec<PracticeRecord>) -> Batch {
        Batch {
            practices,
            ..Batch::new(document, Format::Assises)
        }
    }

    /// What a backend would hold after writing `plan` over `stored` (ids from 1 up).
    fn apply(stored: &mut Vec<(StoredPractice, Content)>, plan: &Plan) {
        for w in &plan.practices {
            match w {
                PracticeWrite::Insert {
                    id,
                    content,
                    sources,
                    created_at,
                    updated_at,
                } => {
                    let id = id
                        .unwrap_or_else(|| stored.iter().map(|(s, _)| s.id).max().unwrap_or(0) + 1);
                    stored.push((
                        StoredPractice {
                            id,
                            identity_key: content.identity_key.clone(),
                            content_hash: content.content_hash.clone(),
                            sources: sources.clone(),
                            created_at: *created_at,
                            updated_at: *updated_at,
                            edited: false,
                        },
                        content.clone(),
                    ));
                }
                PracticeWrite::Update {
                    id,
                    content,
                    sources,
                    created_at,
                    updated_at,
                } => {
                    let (s, c) = stored.iter_mut().find(|(s, _)| s.id == *id).unwrap();
                    if let Some(content) = content {
                        s.content_hash.clone_from(&content.content_hash);
                        *c = content.clone();
                    }
                    if let Some(sources) = sources {
                        s.sources.clone_from(sources);
                    }
                    s.created_at = *created_at;
                    s.updated_at = *updated_at;
                }
            }
        }
    }

    fn existing(stored: &[(StoredPractice, Content)]) -> Existing {
        Existing {
            practices: stored.iter().map(|(s, _)| s.clone()).collect(),
            ..Existing::default()
        }
    }

    /// Plans `b` over `stored`, writes it there, and returns the plan.
    fn step(stored: &mut Vec<(StoredPractice, Content)>, b: &Batch, now: DateTime<Utc>) -> Plan {
        let p = plan(b, &existing(stored), now);
        apply(stored, &p);
        p
    }

    #[test]
    fn new_practices_are_created_with_now() {
        let b = batch(
            "fiches.txt",
            vec![wok("fiches.txt", 429), tandem("Sanem", "fiches.txt", 9)],
        );
        let p = plan(&b, &Existing::default(), at(10));
        assert_eq!(
            (p.summary.created, p.summary.updated, p.summary.unchanged),
            (2, 0, 0)
        );
        let PracticeWrite::Insert {
            id,
            created_at,
            updated_at,
            sources,
            content,
        } = &p.practices[0]
        else {
            panic!("expected an insert: {:?}", p.practices[0]);
        };
        assert_eq!((*id, *created_at, *updated_at), (None, at(10), at(10)));
        assert_eq!(sources, &vec![source("fiches.txt", 429, 499)]);
        assert_eq!(content.slug, "wok-fir-inklusioun-zu-deifferdeng");
    }

    #[test]
    fn reimport_changes_nothing_even_later() {
        let b = batch(
            "fiches.txt",
            vec![wok("fiches.txt", 429), tandem("Sanem", "fiches.txt", 9)],
        );
        let mut stored = Vec::new();
        step(&mut stored, &b, at(10));
        let again = plan(&b, &existing(&stored), at(11));
        assert!(again.practices.is_empty(), "{:?}", again.practices);
        assert_eq!(
            (
                again.summary.created,
                again.summary.updated,
                again.summary.unchanged
            ),
            (0, 0, 2)
        );
    }

    #[test]
    fn a_copy_in_another_document_adds_its_source_and_keeps_the_text() {
        let mut stored = Vec::new();
        step(
            &mut stored,
            &batch("fiches.txt", vec![wok("fiches.txt", 429)]),
            at(10),
        );

        let mut copy = wok("wok.md", 1);
        copy.fields.title = "\"WOK - fir Inklusioun zu Deifferdeng\"".into();
        copy.fields.objectives = Some("Activer et inclure les groupements de personnes".into());
        let p = plan(
            &batch("wok.md", vec![copy.clone()]),
            &existing(&stored),
            at(11),
        );
        assert_eq!((p.summary.created, p.summary.updated), (0, 1));
        let PracticeWrite::Update {
            id,
            content,
            sources,
            created_at,
            updated_at,
        } = &p.practices[0]
        else {
            panic!("expected an update");
        };
        assert_eq!(*id, 1);
        assert_eq!(*content, None, "the booklet's text stays");
        assert_eq!(
            sources.as_deref(),
            Some(&[source("fiches.txt", 429, 499), source("wok.md", 1, 71)][..])
        );
        assert_eq!((*created_at, *updated_at), (at(10), at(11)));
        assert_eq!(p.conflicts.len(), 1);
        let kept = &stored[0].1;
        let w = deferred_warning(&p.conflicts[0], (&kept.fields, kept.status, kept.language));
        assert_eq!(w.line, 1);
        assert!(w.message.contains("title, objectives"), "{}", w.message);
        assert!(w.message.contains("practice 1"), "{}", w.message);
        assert!(w.message.contains("fiches.txt is kept"), "{}", w.message);

        // Importing the copy again writes nothing, though it still differs (and still says so).
        apply(&mut stored, &p);
        let again = plan(&batch("wok.md", vec![copy]), &existing(&stored), at(12));
        assert!(again.practices.is_empty());
        assert_eq!(again.summary.unchanged, 1);
        assert_eq!(again.conflicts.len(), 1);
    }

    #[test]
    fn an_identical_copy_merges_without_warning() {
        let mut stored = Vec::new();
        step(
            &mut stored,
            &batch("fiches.txt", vec![wok("fiches.txt", 429)]),
            at(10),
        );
        let p = plan(
            &batch("wok.md", vec![wok("wok.md", 1)]),
            &existing(&stored),
            at(11),
        );
        assert!(p.conflicts.is_empty() && p.summary.warnings.is_empty());
        assert_eq!(p.summary.updated, 1);
    }

    #[test]
    fn the_same_document_changed_overwrites_and_moves_its_lines() {
        let mut stored = Vec::new();
        step(
            &mut stored,
            &batch("fiches.txt", vec![wok("fiches.txt", 429)]),
            at(10),
        );
        step(
            &mut stored,
            &batch("wok.md", vec![wok("wok.md", 1)]),
            at(11),
        );

        let mut edited = wok("fiches.txt", 431);
        edited.fields.costs = Some(String::new());
        let p = plan(
            &batch("fiches.txt", vec![edited.clone()]),
            &existing(&stored),
            at(12),
        );
        let PracticeWrite::Update {
            content,
            sources,
            updated_at,
            ..
        } = &p.practices[0]
        else {
            panic!("expected an update");
        };
        assert_eq!(content.as_ref().map(|c| &c.fields), Some(&edited.fields));
        assert_eq!(
            sources.as_deref(),
            Some(&[source("fiches.txt", 431, 501), source("wok.md", 1, 71)][..]),
            "the booklet's source is replaced in place, the copy's stays second"
        );
        assert_eq!(*updated_at, at(12));
        assert!(p.conflicts.is_empty());
    }

    #[test]
    fn a_practice_changed_on_the_web_is_kept_and_its_document_warns() {
        let mut stored = Vec::new();
        step(
            &mut stored,
            &batch("fiches.txt", vec![wok("fiches.txt", 429)]),
            at(10),
        );
        stored[0].0.edited = true;

        let mut changed = wok("fiches.txt", 429);
        changed.fields.costs = Some("gratuit".to_string());
        let p = plan(
            &batch("fiches.txt", vec![changed.clone()]),
            &existing(&stored),
            at(12),
        );
        assert!(
            p.practices.is_empty(),
            "the web version stays: {:?}",
            p.practices
        );
        assert_eq!(p.conflicts.len(), 1);
        assert!(p.conflicts[0].edited);
        let kept = &stored[0].1;
        let w = deferred_warning(&p.conflicts[0], (&kept.fields, kept.status, kept.language));
        assert!(
            w.message.contains("changed on the web") && w.message.contains("costs"),
            "{}",
            w.message
        );

        // The same document unchanged says nothing; our own export (by id) still restores.
        let same = plan(
            &batch("fiches.txt", vec![wok("fiches.txt", 429)]),
            &existing(&stored),
            at(13),
        );
        assert!(same.practices.is_empty() && same.conflicts.is_empty());
        let mut exported = changed;
        exported.id = Some(stored[0].0.id);
        let p = plan(
            &batch("dump.json", vec![exported]),
            &existing(&stored),
            at(14),
        );
        assert!(
            matches!(
                &p.practices[0],
                PracticeWrite::Update {
                    content: Some(_),
                    ..
                }
            ),
            "{:?}",
            p.practices
        );
    }

    #[test]
    fn records_of_one_batch_with_one_key_merge() {
        let b = batch(
            "mixed.json",
            vec![
                wok("fiches.txt", 429),
                tandem("Sanem", "fiches.txt", 9),
                wok("wok.md", 1),
            ],
        );
        let p = plan(&b, &Existing::default(), at(10));
        assert_eq!(p.summary.created, 2);
        assert_eq!(p.practices.len(), 2);
        let PracticeWrite::Insert { sources, .. } = &p.practices[0] else {
            panic!()
        };
        assert_eq!(
            sources,
            &vec![source("fiches.txt", 429, 499), source("wok.md", 1, 71)]
        );

        // Two parts of one document stay two sources, and re-importing keeps them.
        let b = batch(
            "fiches.txt",
            vec![
                tandem("Sanem", "fiches.txt", 9),
                tandem("Sanem", "fiches.txt", 40),
            ],
        );
        let mut stored = Vec::new();
        step(&mut stored, &b, at(10));
        assert_eq!(stored[0].0.sources.len(), 2);
        let again = plan(&b, &existing(&stored), at(11));
        assert_eq!((again.summary.unchanged, again.practices.len()), (1, 0));
    }

    #[test]
    fn communes_tell_apart_practices_without_institution() {
        let b = batch(
            "sud.txt",
            vec![
                tandem("Sanem", "sud.txt", 3),
                tandem("Dudelange", "sud.txt", 4),
            ],
        );
        assert_eq!(plan(&b, &Existing::default(), at(10)).summary.created, 2);
    }

    #[test]
    fn exported_records_keep_ids_and_timestamps() {
        let mut r = wok("fiches.txt", 429);
        r.id = Some(7);
        r.created_at = Some(at(1) + chrono::Duration::milliseconds(300));
        r.updated_at = Some(at(2));
        let p = plan(
            &batch("export.json", vec![r.clone()]),
            &Existing::default(),
            at(10),
        );
        let PracticeWrite::Insert {
            id,
            created_at,
            updated_at,
            ..
        } = &p.practices[0]
        else {
            panic!()
        };
        assert_eq!((*id, *created_at, *updated_at), (Some(7), at(1), at(2)));

        // By id, an edited export overwrites whatever document it cites, title included.
        let mut stored = Vec::new();
        apply(&mut stored, &p);
        r.fields.title = "WOK".into();
        r.updated_at = Some(at(3));
        let p = plan(&batch("export.json", vec![r]), &existing(&stored), at(10));
        let PracticeWrite::Update {
            id,
            content,
            updated_at,
            created_at,
            ..
        } = &p.practices[0]
        else {
            panic!()
        };
        assert_eq!((*id, *created_at, *updated_at), (7, at(1), at(3)));
        assert_eq!(content.as_ref().unwrap().fields.title, "WOK");
    }

    #[test]
    fn an_unknown_id_falls_back_to_the_key() {
        let mut stored = Vec::new();
        step(
            &mut stored,
            &batch("fiches.txt", vec![wok("fiches.txt", 429)]),
            at(10),
        );
        let mut r = wok("fiches.txt", 429);
        r.id = Some(99);
        let p = plan(&batch("other.json", vec![r]), &existing(&stored), at(11));
        assert_eq!((p.summary.unchanged, p.practices.len()), (1, 0));
    }

    fn criterion(id: Option<i64>, text: &str, code: Option<&str>) -> Criterion {
        Criterion {
            id,
            platform: "Blégny".into(),
            group: "Blégny : Groupe test 19 octobre 2018".into(),
            question: "ACT".into(),
            text: text.into(),
            expressions: None,
            component: code.map(|c| ComponentCode::parse(c).unwrap()),
            meaning: None,
            proposition: None,
            created_at: None,
            updated_at: None,
        }
    }

    fn codebook() -> Codebook {
        let entry = |code: &str| CodebookEntry {
            code: code.into(),
            level: "component".into(),
            dimension: code[..1].into(),
            label_en: None,
            label_fr: None,
            description_en: None,
            status: "code-only".into(),
            source: None,
        };
        Codebook {
            version: "test".into(),
            entries: vec![entry("A01"), entry("I07")],
        }
    }

    #[test]
    fn criteria_platforms_and_groups() {
        let mut b = Batch::new("blegny.txt", Format::SpiralCriteria);
        b.platforms.push(Platform {
            id: None,
            name: "Blégny".into(),
            country: Some("Belgique".into()),
            languages: vec!["fr".into()],
            description: None,
            coordination: None,
            created_at: None,
        });
        let stamp = NaiveDate::from_ymd_opt(2018, 10, 31)
            .unwrap()
            .and_hms_opt(13, 27, 0)
            .unwrap();
        let mut dated = criterion(Some(295_019), "organiser un groupe d'entraide", Some("I07"));
        dated.created_at = Some(stamp);
        dated.updated_at = Some(stamp);
        b.criteria = vec![
            dated,
            criterion(None, "la santé", Some("A01-11/P15/k")),
            criterion(None, "un toit", Some("X42")),
        ];
        let ex = Existing {
            codebook: Some(codebook()),
            ..Existing::default()
        };
        let p = plan(&b, &ex, at(10));
        // 1 platform, 1 implied group, 3 criteria.
        assert_eq!(
            (p.summary.created, p.summary.updated, p.summary.unchanged),
            (5, 0, 0)
        );
        assert_eq!(p.groups.len(), 1);
        assert_eq!(p.summary.warnings.len(), 1, "{:?}", p.summary.warnings);
        assert!(p.summary.warnings[0].message.contains("`X42`"));
        assert!(p.summary.warnings[0].message.contains("«un toit»"));
        let Write::Insert(first) = &p.criteria[0] else {
            panic!()
        };
        assert_eq!((first.id, first.created_at), (Some(295_019), Some(stamp)));
        let Write::Insert(second) = &p.criteria[1] else {
            panic!()
        };
        assert_eq!(
            (second.id, second.created_at),
            (None, Some(at(10).naive_utc()))
        );

        // Stored as planned (ids assigned), the same batch is unchanged; a text edit is an update.
        let stored: Vec<Criterion> = p
            .criteria
            .iter()
            .enumerate()
            .map(|(i, w)| Criterion {
                id: w.value().id.or(Some(i as i64 + 1)),
                ..w.value().clone()
            })
            .collect();
        let mut groups = vec![p.groups[0].value().clone()];
        groups[0].id = Some(1);
        let mut platforms = vec![p.platforms[0].value().clone()];
        platforms[0].id = Some(1);
        let ex = Existing {
            criteria: stored,
            groups,
            platforms,
            codebook: Some(codebook()),
            ..Existing::default()
        };
        let again = plan(&b, &ex, at(11));
        assert!(again.criteria.is_empty() && again.platforms.is_empty() && again.groups.is_empty());
        assert_eq!(again.summary.unchanged, 5);

        let mut edited = b.clone();
        edited.criteria[1].meaning = Some(domain::MeaningCode::parse("P").unwrap());
        edited.platforms[0].country = None; // not given: the stored country stays
        let p = plan(&edited, &ex, at(12));
        assert_eq!((p.summary.updated, p.summary.unchanged), (1, 4));
        let Write::Update(c) = &p.criteria[0] else {
            panic!()
        };
        assert_eq!(
            (c.id, c.created_at, c.updated_at),
            (Some(2), Some(at(10).naive_utc()), Some(at(12).naive_utc()))
        );
    }

    #[test]
    fn without_codebook_codes_are_reported_once() {
        let mut b = Batch::new("c.csv", Format::Csv);
        b.criteria = vec![
            criterion(None, "a", Some("A01")),
            criterion(None, "b", Some("B01")),
        ];
        let p = plan(&b, &Existing::default(), at(10));
        assert_eq!(p.summary.warnings.len(), 1);
    }

    #[test]
    fn given_ids_of_platforms_are_kept_only_when_free() {
        let mut b = Batch::new("e.json", Format::Json);
        let p = |id, name: &str| Platform {
            id: Some(id),
            name: name.into(),
            country: None,
            languages: vec![],
            description: None,
            coordination: None,
            created_at: None,
        };
        b.platforms = vec![p(1, "Liège"), p(2, "Blégny")];
        let ex = Existing {
            platforms: vec![p(1, "Differdange")],
            ..Existing::default()
        };
        let plan = plan(&b, &ex, at(10));
        let ids: Vec<_> = plan.platforms.iter().map(|w| w.value().id).collect();
        assert_eq!(ids, vec![None, Some(2)]);
    }

    #[test]
    fn differing_fields_are_named() {
        let a = wok("x", 1).fields;
        let mut b = a.clone();
        b.websites.push("www.differdange.lu".into());
        b.other_info = Some(String::new());
        assert_eq!(
            differing_fields(
                (&a, Status::Published, Language::Fr),
                (&b, Status::Draft, Language::Fr)
            ),
            vec!["other_info", "websites", "status"]
        );
    }

    #[test]
    fn merge_sources_replaces_a_document_in_place() {
        let existing = [source("a", 1, 2), source("b", 1, 2), source("c", 5, 6)];
        let merged = merge_sources(
            &existing,
            &[source("b", 3, 4), source("d", 1, 1), source("b", 9, 9)],
        );
        assert_eq!(
            merged,
            vec![
                source("a", 1, 2),
                source("b", 3, 4),
                source("b", 9, 9),
                source("c", 5, 6),
                source("d", 1, 1)
            ]
        );
        assert_eq!(merge_sources(&existing, &existing), existing.to_vec());
    }
}

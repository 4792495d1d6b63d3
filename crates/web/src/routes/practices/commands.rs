//! Catalogue writes, once for the HTML forms and the JSON API: permission, validation, store
//! call, audit, and the node's own search index brought up to date. Forms and API only
//! translate their input and the [`WriteError`].
//!
//! The rules, in one place:
//! - anonymous visitors are refused before any of these is called (401);
//! - contributors, editors and admins create drafts; a contributor only for a commune or an
//!   institution they are bound to (`Account::may_edit_practice`);
//! - a contributor edits and submits their practices while they are drafts or submitted;
//!   editors and admins edit any practice;
//! - publish, reject, archive and restore are for editors and admins (`may_review`);
//! - erasing a contact person is for editors and admins, and is audited;
//! - a practice that is not published is visible only to those who may edit or review it; to
//!   everyone else it does not exist (404), so that drafts do not leak.

use domain::revision::Transition;
use domain::{Account, ComponentCode, Contact, Language, Practice, PracticeFields, Status};
use serde::Deserialize;
use store::{Actor, AttachmentInfo, Revision};

use crate::AppState;
use crate::write::{Result, WriteError, audit, invalid};

/// Longest texts accepted, in characters.
pub const MAX_TITLE: usize = 300;
pub const MAX_SHORT: usize = 500;
pub const MAX_TEXT: usize = 20_000;
/// Most items in a list (communes, themes, websites, contacts, components).
pub const MAX_ITEMS: usize = 50;
/// Largest attachment accepted, in bytes.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// A practice's content as written by a person: every field optional. Absent fields keep
/// their value on a PATCH; an empty string or an empty list clears one. On a create, absent
/// means empty, and `title` is required.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeInput {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub institution: Option<String>,
    pub organisers: Option<String>,
    pub communes: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub objectives: Option<String>,
    pub description: Option<String>,
    pub results: Option<String>,
    pub target_public: Option<String>,
    pub place_periodicity: Option<String>,
    pub costs: Option<String>,
    pub other_info: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub contacts: Option<Vec<Contact>>,
    pub websites: Option<Vec<String>>,
    /// SPIRAL components the practice answers, e.g. `D00`, `A01`.
    pub spiral_components: Option<Vec<String>>,
    /// `fr`, `de`, `en` or `lb`; only read on a create (French when absent).
    pub language: Option<String>,
}

/// Trimmed text, at most `max` characters; empty reads as absent.
fn text(field: &str, value: &str, max: usize) -> Result<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    domain::limits::refuse_controls(v).map_err(|m| invalid(field, m))?;
    let n = v.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("{n} characters, at most {max} allowed"),
        ));
    }
    Ok(Some(v.to_string()))
}

/// A list of short texts: each trimmed, empty ones dropped, duplicates (folded) dropped.
fn items(field: &str, values: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if let Some(v) = text(field, v, MAX_SHORT)?
            && !out
                .iter()
                .any(|o| domain::text::fold(o) == domain::text::fold(&v))
        {
            out.push(v);
        }
    }
    if out.len() > MAX_ITEMS {
        return Err(invalid(
            field,
            format!("{} items, at most {MAX_ITEMS} allowed", out.len()),
        ));
    }
    Ok(out)
}

fn contact(i: usize, c: &Contact) -> Result<Option<Contact>> {
    let field = |name: &str| format!("contacts[{i}].{name}");
    let one = |name: &str, v: &Option<String>, max: usize| match v {
        Some(v) => text(&field(name), v, max),
        None => Ok(None),
    };
    let out = Contact {
        name: one("name", &c.name, MAX_SHORT)?,
        role: one("role", &c.role, MAX_SHORT)?,
        organisation: one("organisation", &c.organisation, MAX_SHORT)?,
        address: one("address", &c.address, 2000)?,
        phones: items(&field("phones"), &c.phones)?,
        emails: items(&field("emails"), &c.emails)?,
    };
    for e in &out.emails {
        if domain::Email::parse(e).is_err() {
            return Err(invalid(
                &field("emails"),
                format!("`{e}` is not an e-mail address: expected name@domain.tld"),
            ));
        }
    }
    let empty = out.name.is_none()
        && out.role.is_none()
        && out.organisation.is_none()
        && out.address.is_none()
        && out.phones.is_empty()
        && out.emails.is_empty();
    Ok((!empty).then_some(out))
}

impl PracticeInput {
    /// `base` with this input applied, every field checked. The error names the field.
    pub fn apply(&self, base: &PracticeFields) -> Result<PracticeFields> {
        let mut f = base.clone();
        let set = |field: &str, v: &Option<String>, max: usize, slot: &mut Option<String>| {
            if let Some(v) = v {
                *slot = text(field, v, max)?;
            }
            Ok::<(), WriteError>(())
        };
        if let Some(t) = &self.title {
            f.title = text("title", t, MAX_TITLE)?.unwrap_or_default();
        }
        if f.title.is_empty() {
            return Err(invalid("title", "must not be empty"));
        }
        set("subtitle", &self.subtitle, MAX_SHORT, &mut f.subtitle)?;
        set(
            "institution",
            &self.institution,
            MAX_SHORT,
            &mut f.institution,
        )?;
        set("organisers", &self.organisers, MAX_TEXT, &mut f.organisers)?;
        set("objectives", &self.objectives, MAX_TEXT, &mut f.objectives)?;
        set(
            "description",
            &self.description,
            MAX_TEXT,
            &mut f.description,
        )?;
        set("results", &self.results, MAX_TEXT, &mut f.results)?;
        set(
            "target_public",
            &self.target_public,
            MAX_TEXT,
            &mut f.target_public,
        )?;
        set(
            "place_periodicity",
            &self.place_periodicity,
            MAX_TEXT,
            &mut f.place_periodicity,
        )?;
        set("costs", &self.costs, MAX_TEXT, &mut f.costs)?;
        set("other_info", &self.other_info, MAX_TEXT, &mut f.other_info)?;
        if let Some(v) = &self.communes {
            f.communes = items("communes", v)?;
        }
        if let Some(v) = &self.themes {
            f.themes = items("themes", v)?;
        }
        if let Some(v) = &self.websites {
            f.websites = items("websites", v)?;
            if let Some(bad) = f
                .websites
                .iter()
                .find(|w| !(w.starts_with("https://") || w.starts_with("http://")))
            {
                return Err(invalid(
                    "websites",
                    format!("`{bad}` is not a web address: expected https://…"),
                ));
            }
        }
        if let Some(v) = &self.spiral_components {
            let codes = items("spiral_components", v)?;
            f.spiral_components = codes
                .iter()
                .map(|c| {
                    ComponentCode::parse(c)
                        .map(|c| c.as_str().to_string())
                        .map_err(|e| invalid("spiral_components", e.to_string()))
                })
                .collect::<Result<_>>()?;
        }
        if let Some(v) = &self.contacts {
            if v.len() > MAX_ITEMS {
                return Err(invalid(
                    "contacts",
                    format!("{} contacts, at most {MAX_ITEMS} allowed", v.len()),
                ));
            }
            f.contacts = v
                .iter()
                .enumerate()
                .filter_map(|(i, c)| contact(i, c).transpose())
                .collect::<Result<_>>()?;
        }
        Ok(f)
    }

    fn language(&self) -> Result<Language> {
        match self
            .language
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            None => Ok(Language::Fr),
            Some(l) => Language::parse(l).ok_or_else(|| {
                invalid(
                    "language",
                    format!("`{l}` is not a language: expected fr, de, en or lb"),
                )
            }),
        }
    }
}

/// Every commune named is known: in the registry, or already in a practice of the catalogue.
/// A misspelt one is a field error with the closest names, never a refusal of the account.
fn known_communes(state: &AppState, fields: &PracticeFields) -> Result<()> {
    let registry = ingest::communes::registry();
    for commune in &fields.communes {
        if registry.canonical(commune).is_some() {
            continue;
        }
        let probe = search::SearchQuery {
            communes: vec![commune.clone()],
            per_page: 1,
            ..search::SearchQuery::default()
        };
        let in_catalogue = state
            .search
            .search(&probe)
            .map_err(|e| WriteError::Internal(format!("search index: {e}")))?
            .total
            > 0;
        if in_catalogue {
            continue;
        }
        let closest = registry.closest(commune, 3);
        let message = if closest.is_empty() {
            format!("`{commune}` is not a known commune: expected a commune of the registry")
        } else {
            format!(
                "`{commune}` is not a known commune: did you mean {}?",
                closest.join(", ")
            )
        };
        return Err(invalid("communes", message));
    }
    Ok(())
}

/// A contributor writes only for their communes or institutions: refused (403) when the
/// content names some but none of theirs, asked to name one (422) when it names none.
fn may_write_content(who: &Account, fields: &PracticeFields) -> Result<()> {
    if who.may_edit_practice(fields) {
        return Ok(());
    }
    if who.role == domain::Role::Contributor
        && fields.communes.is_empty()
        && fields.institution.is_none()
    {
        let mine: Vec<&str> = who
            .communes
            .iter()
            .chain(&who.institutions)
            .map(String::as_str)
            .collect();
        return Err(invalid(
            "communes",
            format!(
                "name at least one of your communes or institutions: {}",
                mine.join(", ")
            ),
        ));
    }
    Err(WriteError::Forbidden)
}

/// This node's index follows the write at once (other nodes follow the change log).
async fn sync_index(state: &AppState, id: i64) -> Result<()> {
    let index = |e: search::SearchError| WriteError::Internal(format!("search index: {e}"));
    match state.store.practice(id).await? {
        Some(p) if p.status == Status::Published => state.search.upsert(&[p]).map_err(index),
        _ => state.search.remove(&[id]).map_err(index),
    }
}

async fn practice(state: &AppState, id: i64) -> Result<Practice> {
    state
        .store
        .practice(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no practice with id {id}")))
}

/// May `who` see practice `p` whatever its status (its author's side: drafts, history)?
pub fn may_see_unpublished(who: &Account, p: &Practice) -> bool {
    who.may_review() || who.may_edit_practice(&p.fields)
}

/// The practice as `viewer` may see it: published ones for everyone, others only for those
/// who may edit or review them. Anything else is "not found", so drafts do not leak.
pub async fn visible(state: &AppState, viewer: Option<&Account>, id: i64) -> Result<Practice> {
    let p = practice(state, id).await?;
    if p.status == Status::Published || viewer.is_some_and(|a| may_see_unpublished(a, &p)) {
        Ok(p)
    } else {
        Err(WriteError::NotFound(format!("no practice with id {id}")))
    }
}

/// May `who` change `p` (its content or its attachments) now? A contributor only while it is
/// a draft or submitted: what the public sees changes through an editor.
fn may_change(who: &Account, p: &Practice) -> Result<()> {
    if !who.may_edit_practice(&p.fields) {
        return Err(WriteError::Forbidden);
    }
    if !who.may_review() && !matches!(p.status, Status::Draft | Status::Submitted) {
        return Err(WriteError::Conflict(format!(
            "practice {} is {}: a contributor changes drafts and submitted practices; ask an \
             editor",
            p.id,
            p.status.as_str()
        )));
    }
    Ok(())
}

/// A new draft; returns its id.
pub async fn create(state: &AppState, who: &Account, input: &PracticeInput) -> Result<i64> {
    if !who.may_contribute() {
        return Err(WriteError::Forbidden);
    }
    let language = input.language()?;
    let fields = input.apply(&PracticeFields::default())?;
    known_communes(state, &fields)?;
    may_write_content(who, &fields)?;
    let id = state
        .store
        .create_draft(&fields, language, &Actor::account(who), state.clock.now())
        .await?;
    Ok(id)
}

/// Changes the content. A contributor edits only drafts and submitted practices.
pub async fn update(state: &AppState, who: &Account, id: i64, input: &PracticeInput) -> Result<()> {
    let old = practice(state, id).await?;
    may_change(who, &old)?;
    if input.language.is_some() {
        return Err(invalid("language", "is set when the practice is created"));
    }
    let fields = input.apply(&old.fields)?;
    known_communes(state, &fields)?;
    may_write_content(who, &fields)?;
    state
        .store
        .update_practice(id, &fields, &Actor::account(who), state.clock.now())
        .await?;
    sync_index(state, id).await
}

/// Moves the practice along the workflow; returns its new status. Publishing is audited.
pub async fn transition(
    state: &AppState,
    who: &Account,
    id: i64,
    step: Transition,
    comment: Option<&str>,
) -> Result<Status> {
    let p = practice(state, id).await?;
    let allowed = match step {
        Transition::Submit => who.may_edit_practice(&p.fields),
        Transition::Publish | Transition::Reject | Transition::Archive => who.may_review(),
    };
    if !allowed {
        return Err(WriteError::Forbidden);
    }
    let comment = match comment {
        Some(c) => text("comment", c, MAX_TEXT)?,
        None => None,
    };
    if step == Transition::Reject && comment.is_none() {
        return Err(invalid(
            "comment",
            "a reject needs a comment that tells the author what to change",
        ));
    }
    state
        .store
        .transition(
            id,
            step.target(),
            step.as_str(),
            comment.as_deref(),
            &Actor::account(who),
            state.clock.now(),
        )
        .await?;
    if matches!(step, Transition::Publish | Transition::Archive) {
        audit(
            state,
            who,
            step.as_str(),
            format!("practice:{id}"),
            serde_json::json!({"title": p.fields.title, "from": p.status.as_str()}),
        )
        .await?;
    }
    sync_index(state, id).await?;
    Ok(step.target())
}

/// The history, newest first, for those who may see the practice unpublished.
pub async fn revisions(state: &AppState, who: &Account, id: i64) -> Result<Vec<Revision>> {
    let p = practice(state, id).await?;
    if !may_see_unpublished(who, &p) {
        return Err(WriteError::Forbidden);
    }
    Ok(state.store.revisions(id).await?)
}

/// Sets the content back to revision `number` (editors and admins).
pub async fn restore(state: &AppState, who: &Account, id: i64, number: u32) -> Result<()> {
    if !who.may_review() {
        return Err(WriteError::Forbidden);
    }
    state
        .store
        .restore_revision(id, number, &Actor::account(who), state.clock.now())
        .await?;
    audit(
        state,
        who,
        "restore",
        format!("practice:{id}"),
        serde_json::json!({"revision": number}),
    )
    .await?;
    sync_index(state, id).await
}

/// Erases the contact person `name` from the practice and its whole history; audited without
/// the name.
pub async fn erase_contact(state: &AppState, who: &Account, id: i64, name: &str) -> Result<()> {
    if !who.may_erase_personal_data() {
        return Err(WriteError::Forbidden);
    }
    let name =
        text("name", name, MAX_SHORT)?.ok_or_else(|| invalid("name", "must not be empty"))?;
    state
        .store
        .erase_contact(id, &name, &Actor::account(who), state.clock.now())
        .await?;
    audit(
        state,
        who,
        "erase_contact",
        format!("practice:{id}"),
        serde_json::Value::Null,
    )
    .await?;
    sync_index(state, id).await
}

/// Stores an attachment after checking its size and its content (PDF or image); returns its
/// id.
pub async fn add_attachment(
    state: &AppState,
    who: &Account,
    id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64> {
    let p = practice(state, id).await?;
    may_change(who, &p)?;
    if bytes.is_empty() {
        return Err(invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_ATTACHMENT {
        return Err(invalid(
            "file",
            format!(
                "{} bytes, at most {MAX_ATTACHMENT} ({} MiB) allowed",
                bytes.len(),
                MAX_ATTACHMENT / (1024 * 1024)
            ),
        ));
    }
    let Some(media_type) = domain::attachment::sniff(bytes) else {
        return Err(invalid(
            "file",
            format!(
                "`{file_name}` is neither a PDF nor an image: expected one of {}",
                domain::attachment::MEDIA_TYPES.join(", ")
            ),
        ));
    };
    // Keep only the last path segment a browser may send ("C:\fakepath\flyer.pdf").
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("file", "the file has no name"))?;
    let name = text("file", name, 200)?.unwrap_or_default();
    Ok(state
        .store
        .add_attachment(
            id,
            &name,
            media_type,
            bytes,
            &Actor::account(who),
            state.clock.now(),
        )
        .await?)
}

/// Deletes an attachment; audited.
pub async fn delete_attachment(state: &AppState, who: &Account, attachment: i64) -> Result<()> {
    let (info, _) = state
        .store
        .attachment(attachment)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no attachment with id {attachment}")))?;
    let p = practice(state, info.practice_id).await?;
    may_change(who, &p)?;
    state
        .store
        .delete_attachment(attachment, &Actor::account(who), state.clock.now())
        .await?;
    audit(
        state,
        who,
        "delete",
        format!("attachment:{attachment}"),
        serde_json::json!({"practice": info.practice_id, "file_name": info.file_name}),
    )
    .await
}

/// An attachment's description and bytes, for whoever may see its practice.
pub async fn attachment(
    state: &AppState,
    viewer: Option<&Account>,
    attachment: i64,
) -> Result<(AttachmentInfo, Vec<u8>)> {
    let missing = || WriteError::NotFound(format!("no attachment with id {attachment}"));
    let (info, bytes) = state
        .store
        .attachment(attachment)
        .await?
        .ok_or_else(missing)?;
    visible(state, viewer, info.practice_id)
        .await
        .map_err(|_| missing())?;
    Ok((info, bytes))
}

/// Practices waiting for `who`: an editor's review queue (submitted), or a contributor's own
/// drafts and rejected practices (status draft, within their communes and institutions).
pub async fn queue(state: &AppState, who: &Account, status: Status) -> Result<Vec<Practice>> {
    let all = state.store.practices_with_status(status).await?;
    Ok(all
        .into_iter()
        .filter(|p| may_see_unpublished(who, p))
        .collect())
}

//! The contributor's form and the workflow's buttons: they post, the server checks the
//! session's CSRF token, writes through [`commands`] and redirects (303) to the page that shows
//! the result. A refused field re-renders the form with the person's input and the message next
//! to the field.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use domain::revision::Transition;
use domain::{Account, Contact, Language, Practice, PracticeFields};

use store::AttachmentInfo;

use super::commands::{self, PracticeInput};
use crate::AppState;
use crate::i18n::{LANGUAGES, Lang};
use crate::page::{HitView, Layout, PageError, path_id, path_segment, practice_href, render};
use crate::write::{Fields, WriteError, form_account};

/// Room for the multipart framing and the CSRF field around the largest attachment.
const UPLOAD_OVERHEAD: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pratiques/{id}/statut", post(transition))
        .route(
            "/pratiques/{id}/historique/{number}/restaurer",
            post(restore),
        )
        .route(
            "/pratiques/{id}/pieces",
            post(upload).layer(DefaultBodyLimit::max(
                commands::MAX_ATTACHMENT + UPLOAD_OVERHEAD,
            )),
        )
        .route(
            "/pratiques/{id}/pieces/{attachment}/supprimer",
            post(delete_attachment),
        )
        .route("/pratiques/{id}/contacts/effacer", post(erase_contact))
}

// ---------------------------------------------------------------- the form's values

/// One contact block as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactValues {
    pub name: String,
    pub role: String,
    pub organisation: String,
    pub address: String,
    /// One per line.
    pub phones: String,
    /// One per line.
    pub emails: String,
}

/// The form's values as typed, kept whole to re-render the form after a refusal. Lists are
/// one item a line.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub title: String,
    pub subtitle: String,
    pub institution: String,
    pub organisers: String,
    pub communes: String,
    pub themes: String,
    pub objectives: String,
    pub description: String,
    pub results: String,
    pub target_public: String,
    pub place_periodicity: String,
    pub costs: String,
    pub contacts: Vec<ContactValues>,
    pub websites: String,
    pub other_info: String,
    pub spiral_components: String,
    pub language: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn split(s: &str, separators: &[char]) -> Vec<String> {
    s.split(separators)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn opt(v: Option<&String>) -> String {
    v.cloned().unwrap_or_default()
}

impl FormValues {
    /// A new practice: empty, three contact blocks, in the reader's language.
    pub fn blank(lang: &Lang) -> Self {
        Self {
            contacts: vec![ContactValues::default(); 3],
            language: lang.code().to_string(),
            ..Self::default()
        }
    }

    /// A stored practice's content, with one empty contact block to add a person.
    pub fn of(p: &Practice) -> Self {
        // Destructured so that a new field of the fiche cannot be left out of the form.
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
        } = &p.fields;
        let mut contacts: Vec<ContactValues> = contacts
            .iter()
            .map(|c| ContactValues {
                name: opt(c.name.as_ref()),
                role: opt(c.role.as_ref()),
                organisation: opt(c.organisation.as_ref()),
                address: opt(c.address.as_ref()),
                phones: c.phones.join("\n"),
                emails: c.emails.join("\n"),
            })
            .collect();
        contacts.push(ContactValues::default());
        Self {
            title: title.clone(),
            subtitle: opt(subtitle.as_ref()),
            institution: opt(institution.as_ref()),
            organisers: opt(organisers.as_ref()),
            communes: communes.join("\n"),
            themes: themes.join("\n"),
            objectives: opt(objectives.as_ref()),
            description: opt(description.as_ref()),
            results: opt(results.as_ref()),
            target_public: opt(target_public.as_ref()),
            place_periodicity: opt(place_periodicity.as_ref()),
            costs: opt(costs.as_ref()),
            contacts,
            websites: websites.join("\n"),
            other_info: opt(other_info.as_ref()),
            spiral_components: spiral_components.join(", "),
            language: p.language.as_str().to_string(),
        }
    }

    pub fn parse(f: &Fields) -> Self {
        let mut contacts = Vec::new();
        // Blocks are numbered from 0 without gaps; one past the limit lets the write path
        // name the limit.
        for i in 0..=commands::MAX_ITEMS {
            let key = |name: &str| format!("contact-{i}-{name}");
            if [
                "name",
                "role",
                "organisation",
                "address",
                "phones",
                "emails",
            ]
            .iter()
            .all(|n| f.get(&key(n)).is_none())
            {
                break;
            }
            contacts.push(ContactValues {
                name: f.text(&key("name")),
                role: f.text(&key("role")),
                organisation: f.text(&key("organisation")),
                address: f.text(&key("address")),
                phones: f.text(&key("phones")),
                emails: f.text(&key("emails")),
            });
        }
        Self {
            title: f.text("title"),
            subtitle: f.text("subtitle"),
            institution: f.text("institution"),
            organisers: f.text("organisers"),
            communes: f.text("communes"),
            themes: f.text("themes"),
            objectives: f.text("objectives"),
            description: f.text("description"),
            results: f.text("results"),
            target_public: f.text("target_public"),
            place_periodicity: f.text("place_periodicity"),
            costs: f.text("costs"),
            contacts,
            websites: f.text("websites"),
            other_info: f.text("other_info"),
            spiral_components: f.text("spiral_components"),
            language: f.text("language"),
        }
    }

    /// What the write path reads: every field present (an empty one clears it); the
    /// language only on a create.
    pub fn to_input(&self, with_language: bool) -> PracticeInput {
        let s = |v: &String| Some(v.clone());
        PracticeInput {
            title: s(&self.title),
            subtitle: s(&self.subtitle),
            institution: s(&self.institution),
            organisers: s(&self.organisers),
            communes: Some(lines(&self.communes)),
            themes: Some(lines(&self.themes)),
            objectives: s(&self.objectives),
            description: s(&self.description),
            results: s(&self.results),
            target_public: s(&self.target_public),
            place_periodicity: s(&self.place_periodicity),
            costs: s(&self.costs),
            other_info: s(&self.other_info),
            contacts: Some(
                self.contacts
                    .iter()
                    .map(|c| Contact {
                        name: s(&c.name),
                        role: s(&c.role),
                        organisation: s(&c.organisation),
                        address: s(&c.address),
                        phones: split(&c.phones, &['\n', ';']),
                        emails: split(&c.emails, &['\n', ',', ';', ' ', '\t', '\r']),
                    })
                    .collect(),
            ),
            websites: Some(lines(&self.websites)),
            spiral_components: Some(crate::write::list(&self.spiral_components)),
            language: with_language.then(|| self.language.clone()),
        }
    }

    fn language(&self) -> Language {
        Language::parse(self.language.trim()).unwrap_or(Language::Fr)
    }
}

// ---------------------------------------------------------------- the form's view

/// One input or text area with its label, hint and error.
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
    /// 0 for a one-line input.
    pub rows: u32,
    pub maxlength: usize,
    pub required: bool,
    /// `type` of a one-line input.
    pub kind: &'static str,
    pub described_by: String,
}

pub struct ContactBlock {
    pub heading: String,
    pub heading_id: String,
    pub fields: Vec<FieldView>,
}

pub struct ErrorLink {
    pub href: String,
    pub label: String,
    pub message: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub media_type: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "practices/form.html")]
pub struct FormPage {
    pub lang: Lang,
    pub layout: Layout,
    pub csrf: String,
    pub heading: String,
    pub action: String,
    pub practice_id: Option<i64>,
    pub practice_href: String,
    pub notice: Option<String>,
    pub errors: Vec<ErrorLink>,
    pub head: Vec<FieldView>,
    pub body: Vec<FieldView>,
    pub contacts: Vec<ContactBlock>,
    pub tail: Vec<FieldView>,
    /// On a new practice; an edit shows the language it was written in.
    pub language_choices: Vec<Choice>,
    pub language_name: String,
    pub language_error: Option<String>,
    pub similar: Vec<HitView>,
    pub attachments: Vec<AttachmentView>,
    pub upload_error: Option<String>,
    pub may_erase: bool,
    pub named_contacts: Vec<String>,
    pub attachment_hint: String,
    pub language_code: String,
}

/// A refused field: its form id and the message in the reader's language.
pub struct FieldError {
    /// The form id of the field.
    pub field: String,
    /// The field as the write path names it.
    pub name: String,
    pub message: String,
}

/// The form id of a field the write path names: `contacts[2].emails` is `f-contact-2-emails`.
pub fn field_id(field: &str) -> String {
    if let Some((i, name)) = field
        .strip_prefix("contacts[")
        .and_then(|rest| rest.split_once("]."))
    {
        return format!("f-contact-{i}-{name}");
    }
    format!("f-{field}")
}

/// A field's label as the write path names it: `contacts[2].emails` is "Contact 3 —
/// Courriels".
pub fn field_label(lang: &Lang, field: &str) -> String {
    if let Some((i, name)) = field
        .strip_prefix("contacts[")
        .and_then(|rest| rest.split_once("]."))
        && let Ok(i) = i.parse::<u64>()
    {
        return format!(
            "{} — {}",
            lang.t_args("contact-block", &[("n", (i + 1).into())]),
            lang.try_t(&format!("contact-field-{name}"))
                .unwrap_or_else(|| name.to_string())
        );
    }
    lang.try_t(&format!("field-{field}"))
        .unwrap_or_else(|| field.to_string())
}

/// The text between the first and the last backquote of a message: the value it quotes.
fn quoted(message: &str) -> String {
    match (message.find('`'), message.rfind('`')) {
        (Some(a), Some(b)) if b > a => message[a + 1..b].to_string(),
        _ => String::new(),
    }
}

/// The write path's message for a field, in the reader's language where it is one of the
/// common ones; others (codes, limits) are shown as written.
pub fn translate(lang: &Lang, message: &str) -> String {
    if message == "must not be empty" {
        return lang.t("form-error-empty");
    }
    if message.contains("is not an e-mail address") {
        return lang.with("form-error-email", "value", &quoted(message));
    }
    if message.contains("is not a web address") {
        return lang.with("form-error-website", "value", &quoted(message));
    }
    if message.contains("is not a language") {
        return lang.with("form-error-language", "value", &quoted(message));
    }
    if let Some(mine) = message.strip_prefix("name at least one of your communes or institutions: ")
    {
        return lang.with("form-error-communes", "mine", mine);
    }
    if let Some((n, rest)) = message.split_once(" characters, at most ")
        && let (Ok(n), Some(max)) = (
            n.trim().parse::<u64>(),
            rest.split_whitespace()
                .next()
                .and_then(|m| m.parse::<u64>().ok()),
        )
    {
        return lang.t_args(
            "form-error-too-long",
            &[("count", n.into()), ("max", max.into())],
        );
    }
    message.to_string()
}

/// The hint under a field's label, where the field needs one.
fn hint_key(name: &str) -> Option<&'static str> {
    Some(match name {
        "title" => "hint-title",
        "institution" => "hint-institution",
        "communes" | "themes" | "websites" | "phones" | "emails" => "hint-one-per-line",
        "spiral_components" => "hint-spiral_components",
        "description" => "hint-description",
        _ => return None,
    })
}

struct Builder<'a> {
    lang: &'a Lang,
    error: Option<&'a FieldError>,
}

impl Builder<'_> {
    fn field(&self, name: &str, id: String, label: String, value: &str, rows: u32) -> FieldView {
        let hint = hint_key(name).map(|k| self.lang.t(k)).unwrap_or_default();
        let error = self
            .error
            .filter(|e| e.field == id)
            .map(|e| e.message.clone());
        let mut described = Vec::new();
        if !hint.is_empty() {
            described.push(format!("{id}-hint"));
        }
        if error.is_some() {
            described.push(format!("{id}-error"));
        }
        let maxlength = match (name, rows) {
            ("title", _) => commands::MAX_TITLE,
            (_, 0) => commands::MAX_SHORT,
            ("communes" | "themes" | "websites" | "phones" | "emails", _) => 20_000,
            ("address", _) => 2000,
            _ => commands::MAX_TEXT,
        };
        FieldView {
            described_by: described.join(" "),
            id,
            name: name.to_string(),
            label,
            hint,
            value: value.to_string(),
            error,
            rows,
            maxlength,
            required: name == "title",
            kind: "text",
            // Set by the caller where it differs.
        }
    }

    fn top(&self, name: &str, value: &str, rows: u32) -> FieldView {
        let mut f = self.field(
            name,
            field_id(name),
            self.lang.t(&format!("field-{name}")),
            value,
            rows,
        );
        f.name = name.to_string();
        f
    }

    fn contact(&self, i: usize, c: &ContactValues) -> ContactBlock {
        let one = |name: &str, value: &str, rows: u32| {
            let mut f = self.field(
                name,
                format!("f-contact-{i}-{name}"),
                self.lang.t(&format!("contact-field-{name}")),
                value,
                rows,
            );
            f.name = format!("contact-{i}-{name}");
            f
        };
        ContactBlock {
            heading: self
                .lang
                .t_args("contact-block", &[("n", (i as u64 + 1).into())]),
            heading_id: format!("contact-{i}-h"),
            fields: vec![
                one("name", &c.name, 0),
                one("role", &c.role, 0),
                one("organisation", &c.organisation, 0),
                one("address", &c.address, 2),
                one("phones", &c.phones, 2),
                one("emails", &c.emails, 2),
            ],
        }
    }
}

/// Everything a form page shows besides the values.
pub struct FormContext {
    pub heading: String,
    pub action: String,
    pub practice: Option<Practice>,
    pub notice: Option<String>,
    pub error: Option<FieldError>,
    pub upload_error: Option<String>,
}

/// The form page, the similar practices of its title and description included.
pub async fn form_page(
    state: &AppState,
    layout: &Layout,
    values: &FormValues,
    ctx: FormContext,
) -> Result<FormPage, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let b = Builder {
        lang,
        error: ctx.error.as_ref(),
    };
    let head = vec![
        b.top("title", &values.title, 0),
        b.top("subtitle", &values.subtitle, 0),
        b.top("institution", &values.institution, 0),
        b.top("organisers", &values.organisers, 2),
        b.top("communes", &values.communes, 3),
        b.top("themes", &values.themes, 3),
    ];
    let body = vec![
        b.top("objectives", &values.objectives, 4),
        b.top("description", &values.description, 8),
        b.top("results", &values.results, 4),
        b.top("target_public", &values.target_public, 3),
        b.top("place_periodicity", &values.place_periodicity, 3),
        b.top("costs", &values.costs, 2),
    ];
    let contacts = values
        .contacts
        .iter()
        .enumerate()
        .map(|(i, c)| b.contact(i, c))
        .collect();
    let tail = vec![
        b.top("websites", &values.websites, 3),
        b.top("other_info", &values.other_info, 4),
        b.top("spiral_components", &values.spiral_components, 0),
    ];
    let mut errors = Vec::new();
    if let Some(e) = &ctx.error {
        let label = [&head, &body, &tail]
            .into_iter()
            .flatten()
            .find(|f| f.id == e.field)
            .map_or_else(|| field_label(lang, &e.name), |f| f.label.clone());
        errors.push(ErrorLink {
            href: format!("#{}", e.field),
            label,
            message: e.message.clone(),
        });
    }
    let language = values.language();
    let exclude = ctx.practice.as_ref().map(|p| p.id);
    let text = format!("{}\n{}", values.objectives, values.description);
    let similar = state
        .search
        .similar_to_text(&values.title, &text, language, 6)?
        .iter()
        .filter(|h| Some(h.id) != exclude)
        .take(5)
        .map(HitView::from)
        .collect();
    let who = viewer.account();
    let mut attachments = Vec::new();
    if let Some(p) = &ctx.practice {
        attachments = state
            .store
            .attachments(p.id)
            .await?
            .iter()
            .map(|a| attachment_view(lang, a))
            .collect();
    }
    let may_erase = ctx.practice.is_some() && who.is_some_and(Account::may_erase_personal_data);
    let named_contacts = ctx
        .practice
        .as_ref()
        .map(|p| {
            p.fields
                .contacts
                .iter()
                .filter_map(|c| c.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let language_error = ctx
        .error
        .as_ref()
        .filter(|e| e.field == "f-language")
        .map(|e| e.message.clone());
    let language_name = LANGUAGES
        .iter()
        .find(|(c, _)| *c == language.as_str())
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_default();
    let language_choices = if ctx.practice.is_some() {
        Vec::new()
    } else {
        LANGUAGES
            .iter()
            .map(|(code, name)| Choice {
                value: (*code).to_string(),
                label: (*name).to_string(),
                selected: *code == language.as_str(),
            })
            .collect()
    };
    Ok(FormPage {
        lang: lang.clone(),
        layout: layout.at(ctx.action.clone()),
        csrf: viewer.csrf(),
        heading: ctx.heading,
        action: ctx.action,
        practice_id: ctx.practice.as_ref().map(|p| p.id),
        practice_href: ctx
            .practice
            .as_ref()
            .map(|p| practice_href(p.id, &p.slug))
            .unwrap_or_default(),
        notice: ctx.notice,
        errors,
        head,
        body,
        contacts,
        tail,
        language_choices,
        language_name,
        language_error,
        similar,
        attachments,
        upload_error: ctx.upload_error,
        may_erase,
        named_contacts,
        attachment_hint: lang.t_args(
            "attachment-hint",
            &[("max", (commands::MAX_ATTACHMENT / (1024 * 1024)).into())],
        ),
        language_code: language.as_str().to_string(),
    })
}

pub fn page_response(status: StatusCode, page: &FormPage) -> Response {
    match render(page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------- handlers

/// A refusal that is not about one field of the form.
pub fn refused(lang: &Lang, e: WriteError) -> PageError {
    match e {
        WriteError::Forbidden => PageError::forbidden(),
        WriteError::NotFound(_) => PageError::not_found(),
        WriteError::Invalid { field, message } if field.is_empty() => {
            PageError::invalid(translate(lang, &message))
        }
        WriteError::Invalid { field, message } => PageError::invalid(format!(
            "{} : {}",
            field_label(lang, &field),
            translate(lang, &message)
        )),
        WriteError::Conflict(m) => PageError::conflict(m),
        WriteError::Internal(m) => PageError::internal(m),
    }
}

fn see(path: &str) -> Response {
    Redirect::to(path).into_response()
}

async fn practice_or_404(state: &AppState, id: i64) -> Result<Practice, PageError> {
    state
        .store
        .practice(id)
        .await?
        .ok_or_else(PageError::not_found)
}

/// Where a practice is shown, with a notice for the reader.
async fn practice_page_url(state: &AppState, id: i64, notice: &str) -> Result<String, PageError> {
    let p = practice_or_404(state, id).await?;
    Ok(format!("{}?{notice}", practice_href(p.id, &p.slug)))
}

/// What the form's buttons ask besides saving.
enum Intent {
    Save,
    /// Show the similar practices of what is typed (the round-trip without JavaScript).
    Preview,
    AddContact,
}

fn intent(f: &Fields) -> Intent {
    match f.get("action") {
        Some("preview") => Intent::Preview,
        Some("add-contact") => Intent::AddContact,
        _ => Intent::Save,
    }
}

/// The form once more, with what was typed: after a refusal (422), or on a preview (200).
async fn again(
    state: &AppState,
    layout: &Layout,
    values: &FormValues,
    ctx: FormContext,
) -> Response {
    let status = if ctx.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match form_page(state, layout, values, ctx).await {
        Ok(page) => page_response(status, &page),
        Err(e) => e.into_response(),
    }
}

fn field_error(lang: &Lang, field: &str, message: &str) -> FieldError {
    FieldError {
        field: if field.is_empty() {
            String::new()
        } else {
            field_id(field)
        },
        name: field.to_string(),
        message: translate(lang, message),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    layout: Layout,
    body: Bytes,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let f = Fields::parse(&body);
    let who = form_account(viewer, lang, f.get("csrf").unwrap_or_default())?;
    if !who.may_contribute() {
        return Err(PageError::forbidden());
    }
    let mut values = FormValues::parse(&f);
    let ctx = FormContext {
        heading: lang.t("practice-new"),
        action: "/pratiques/nouvelle".into(),
        practice: None,
        notice: None,
        error: None,
        upload_error: None,
    };
    match intent(&f) {
        Intent::Preview => return Ok(again(&state, &layout, &values, ctx).await),
        Intent::AddContact => {
            values.contacts.push(ContactValues::default());
            return Ok(again(&state, &layout, &values, ctx).await);
        }
        Intent::Save => {}
    }
    match commands::create(&state, who, &values.to_input(true)).await {
        Ok(id) => Ok(see(&practice_page_url(&state, id, "enregistre=1").await?)),
        Err(WriteError::Invalid { field, message }) if !field.is_empty() => {
            let ctx = FormContext {
                error: Some(field_error(lang, &field, &message)),
                ..ctx
            };
            Ok(again(&state, &layout, &values, ctx).await)
        }
        Err(e) => Err(refused(lang, e)),
    }
}

pub(super) async fn update(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(viewer, lang, f.get("csrf").unwrap_or_default())?;
    let p = commands::visible(&state, Some(who), id)
        .await
        .map_err(|e| refused(lang, e))?;
    if !who.may_edit_practice(&p.fields) {
        return Err(PageError::forbidden());
    }
    let mut values = FormValues::parse(&f);
    values.language = p.language.as_str().to_string();
    let ctx = FormContext {
        heading: lang.with("practice-edit", "title", &p.fields.title),
        action: format!("/pratiques/{id}/modifier"),
        practice: Some(p),
        notice: None,
        error: None,
        upload_error: None,
    };
    match intent(&f) {
        Intent::Preview => return Ok(again(&state, &layout, &values, ctx).await),
        Intent::AddContact => {
            values.contacts.push(ContactValues::default());
            return Ok(again(&state, &layout, &values, ctx).await);
        }
        Intent::Save => {}
    }
    match commands::update(&state, who, id, &values.to_input(false)).await {
        Ok(()) => Ok(see(&practice_page_url(&state, id, "enregistre=1").await?)),
        Err(WriteError::Invalid { field, message }) if !field.is_empty() => {
            let ctx = FormContext {
                error: Some(field_error(lang, &field, &message)),
                ..ctx
            };
            Ok(again(&state, &layout, &values, ctx).await)
        }
        Err(e) => Err(refused(lang, e)),
    }
}

async fn transition(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(viewer, lang, f.get("csrf").unwrap_or_default())?;
    let step =
        Transition::parse(f.get("step").unwrap_or_default()).ok_or_else(PageError::bad_request)?;
    // Only those who may see the practice learn that it exists.
    commands::visible(&state, Some(who), id)
        .await
        .map_err(|e| refused(lang, e))?;
    let status = commands::transition(&state, who, id, step, f.get("comment"))
        .await
        .map_err(|e| refused(lang, e))?;
    Ok(see(&practice_page_url(
        &state,
        id,
        &format!("statut={}", status.as_str()),
    )
    .await?))
}

async fn restore(
    State(state): State<AppState>,
    layout: Layout,
    Path((id, number)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let number: u32 = number.parse().map_err(|_| PageError::not_found())?;
    let f = Fields::parse(&body);
    let who = form_account(viewer, lang, f.get("csrf").unwrap_or_default())?;
    commands::restore(&state, who, id, number)
        .await
        .map_err(|e| refused(lang, e))?;
    Ok(see(&format!(
        "/pratiques/{id}/historique?restauree={number}"
    )))
}

/// The upload: `multipart/form-data` with `csrf` and `file`.
async fn upload(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let too_large = |lang: &Lang| {
        PageError::invalid(format!(
            "{} : {}",
            lang.t("attachment-file"),
            lang.t_args(
                "attachment-too-large",
                &[("max", (commands::MAX_ATTACHMENT / (1024 * 1024)).into())]
            )
        ))
    };
    let (mut csrf, mut file_name, mut bytes) = (String::new(), String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(lang)
        } else {
            PageError::invalid(e.body_text())
        }
    })? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "csrf" => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| PageError::invalid(e.body_text()))?;
            }
            "file" => {
                file_name = field.file_name().unwrap_or_default().to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| {
                        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            too_large(lang)
                        } else {
                            PageError::invalid(e.body_text())
                        }
                    })?
                    .to_vec();
            }
            _ => {}
        }
    }
    let who = form_account(viewer, lang, &csrf)?;
    match commands::add_attachment(&state, who, id, &file_name, &bytes).await {
        Ok(_) => Ok(see(&format!("/pratiques/{id}/modifier?piece=1"))),
        Err(WriteError::Invalid { message, .. }) => {
            let p = practice_or_404(&state, id).await?;
            let values = FormValues::of(&p);
            let ctx = FormContext {
                heading: lang.with("practice-edit", "title", &p.fields.title),
                action: format!("/pratiques/{id}/modifier"),
                practice: Some(p),
                notice: None,
                error: None,
                upload_error: Some(translate_upload(lang, &message)),
            };
            let page = form_page(&state, &layout, &values, ctx).await?;
            Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(refused(lang, e)),
    }
}

fn translate_upload(lang: &Lang, message: &str) -> String {
    if message.contains("is neither a PDF nor an image") {
        lang.with("attachment-wrong-type", "name", &quoted(message))
    } else if message == "the file is empty" {
        lang.t("attachment-empty")
    } else if message.contains(" bytes, at most ") {
        lang.t_args(
            "attachment-too-large",
            &[("max", (commands::MAX_ATTACHMENT / (1024 * 1024)).into())],
        )
    } else {
        message.to_string()
    }
}

async fn delete_attachment(
    State(state): State<AppState>,
    layout: Layout,
    Path((id, attachment)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let attachment = path_id(&attachment)?;
    let f = Fields::parse(&body);
    let who = form_account(viewer, lang, f.get("csrf").unwrap_or_default())?;
    let (info, _) = commands::attachment(&state, Some(who), attachment)
        .await
        .map_err(|e| refused(lang, e))?;
    if info.practice_id != id {
        return Err(PageError::not_found());
    }
    commands::delete_attachment(&state, who, attachment)
        .await
        .map_err(|e| refused(lang, e))?;
    Ok(see(&format!("/pratiques/{id}/modifier?piece=0")))
}

#[derive(Template)]
#[template(path = "practices/erase.html")]
struct ErasePage {
    lang: Lang,
    layout: Layout,
    csrf: String,
    title: String,
    name: String,
    action: String,
    back: String,
    missing_confirmation: bool,
}

/// Two steps: the first post shows what will be erased and asks to confirm; the second,
/// with the box ticked, erases.
async fn erase_contact(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(viewer, lang, f.get("csrf").unwrap_or_default())?;
    if !who.may_erase_personal_data() {
        return Err(PageError::forbidden());
    }
    let p = practice_or_404(&state, id).await?;
    let name = f.text("name");
    if f.get("confirm") == Some("1") {
        commands::erase_contact(&state, who, id, &name)
            .await
            .map_err(|e| refused(lang, e))?;
        return Ok(see(&format!("/pratiques/{id}/modifier?efface=1")));
    }
    let page = ErasePage {
        lang: lang.clone(),
        layout: layout.at(format!("/pratiques/{id}/modifier")),
        csrf: viewer.csrf(),
        title: p.fields.title.clone(),
        name,
        action: format!("/pratiques/{id}/contacts/effacer"),
        back: format!("/pratiques/{id}/modifier"),
        missing_confirmation: f.get("step") == Some("confirm"),
    };
    let status = if page.missing_confirmation {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

// ---------------------------------------------------------------- attachments

pub fn attachment_view(lang: &Lang, a: &AttachmentInfo) -> AttachmentView {
    AttachmentView {
        id: a.id,
        name: a.file_name.clone(),
        href: attachment_href(a),
        media_type: a.media_type.clone(),
        size: size_text(lang, a.size),
    }
}

pub fn attachment_href(a: &AttachmentInfo) -> String {
    format!("/pieces/{}/{}", a.id, path_segment(&a.file_name))
}

#[allow(clippy::cast_precision_loss)] // sizes are at most a few MiB
fn size_text(lang: &Lang, bytes: u64) -> String {
    if bytes < 1024 {
        lang.t_args("size-bytes", &[("n", bytes.into())])
    } else if bytes < 1024 * 1024 {
        lang.t_args("size-kib", &[("n", (bytes.div_ceil(1024)).into())])
    } else {
        // One decimal, written with the reader's decimal separator.
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        lang.t_args("size-mib", &[("n", (tenths as f64 / 10.0).into())])
    }
}

//! The contributor's and the editor's pages: the practice form (new, edit), "my
//! contributions", the review queue, the history with its field-by-field diff, the workflow
//! panel of a practice's page, attachments served to those who may see their practice, and the
//! similar practices of a text being typed (JSON, for `contribution.js`).

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::revision::{Transition, actions};
use domain::{Language, Practice, Status};
use search::Hit;
use serde::Serialize;
use serde_json::Value;
use store::Revision;
use utoipa::OpenApi;

use super::commands;
use super::forms::{self, FormContext, FormValues, page_response, refused};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::page::{Layout, PageError, path_id, practice_href, render};
use crate::session::Viewer;
use crate::write::WriteError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pratiques/{id}/historique", get(history_page))
        .route("/mes-contributions", get(mine_page))
        .route("/moderation", get(moderation_page))
        .route("/pieces/{id}/{file_name}", get(attachment_file))
        .route("/api/v1/practices/similar", get(similar_to_text))
        .route("/static/contribution.js", get(script))
}

/// A page for signed-in people: anonymous visitors are sent to the login page, and back.
fn sign_in_first(path: &str) -> Response {
    let back: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/connexion?retour={back}")).into_response()
}

fn notice(raw: Option<&str>, lang: &Lang) -> Option<String> {
    let raw = raw?;
    form_urlencoded::parse(raw.as_bytes()).find_map(|(k, v)| match (&*k, &*v) {
        ("enregistre", _) => Some(lang.t("notice-saved")),
        ("piece", "1") => Some(lang.t("notice-attached")),
        ("piece", "0") => Some(lang.t("notice-detached")),
        ("efface", _) => Some(lang.t("notice-erased")),
        ("restauree", n) => Some(lang.with("notice-restored", "number", n)),
        ("statut", s) => {
            Status::parse(s).map(|s| lang.with("notice-status", "status", &lang.t(&status_key(s))))
        }
        _ => None,
    })
}

pub fn status_key(s: Status) -> String {
    format!("status-{}", s.as_str())
}

// ---------------------------------------------------------------- the form pages

pub async fn new_form(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let Some(who) = viewer.account() else {
        return Ok(sign_in_first("/pratiques/nouvelle"));
    };
    if !who.may_contribute() {
        return Err(PageError::forbidden());
    }
    let ctx = FormContext {
        heading: lang.t("practice-new"),
        action: "/pratiques/nouvelle".into(),
        practice: None,
        notice: None,
        error: None,
        upload_error: None,
    };
    let page = forms::form_page(&state, &layout, &FormValues::blank(lang), ctx).await?;
    Ok(page_response(StatusCode::OK, &page))
}

pub async fn edit_form(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let p = commands::visible(&state, viewer.account(), id)
        .await
        .map_err(|e| refused(lang, e))?;
    let Some(who) = viewer.account() else {
        return Ok(sign_in_first(&format!("/pratiques/{id}/modifier")));
    };
    if !who.may_edit_practice(&p.fields) {
        return Err(PageError::forbidden());
    }
    let values = FormValues::of(&p);
    let ctx = FormContext {
        heading: lang.with("practice-edit", "title", &p.fields.title),
        action: format!("/pratiques/{id}/modifier"),
        practice: Some(p),
        notice: notice(raw.as_deref(), lang),
        error: None,
        upload_error: None,
    };
    let page = forms::form_page(&state, &layout, &values, ctx).await?;
    Ok(page_response(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- a practice's page

/// A button that moves the practice along the workflow.
pub struct StepButton {
    pub step: &'static str,
    pub label: String,
    /// A reject asks the author what to change.
    pub needs_comment: bool,
}

/// What a practice's page adds for those who may see it unpublished: its status, the
/// reviewer's last comment, and the moves the viewer may make.
pub struct Workflow {
    pub status: String,
    /// Not published: the page says so in a banner.
    pub unpublished: bool,
    pub reject_comment: Option<String>,
    pub steps: Vec<StepButton>,
    pub edit_href: Option<String>,
    pub history_href: Option<String>,
    pub csrf: String,
    pub action: String,
    pub notice: Option<String>,
}

/// The reviewer's comment when the last move of the practice was a reject.
fn last_reject(revisions: &[Revision]) -> Option<String> {
    revisions
        .iter()
        .find(|r| {
            matches!(
                r.action.as_str(),
                actions::REJECT | actions::SUBMIT | actions::PUBLISH
            )
        })
        .filter(|r| r.action == actions::REJECT)
        .and_then(|r| r.comment.clone())
}

pub async fn workflow(
    state: &AppState,
    lang: &Lang,
    viewer: &Viewer,
    p: &Practice,
    raw_query: Option<&str>,
) -> Result<Option<Workflow>, PageError> {
    let Some(who) = viewer
        .account()
        .filter(|a| commands::may_see_unpublished(a, p))
    else {
        return Ok(None);
    };
    let revisions = state.store.revisions(p.id).await?;
    let may_edit = who.may_edit_practice(&p.fields)
        && (who.may_review() || matches!(p.status, Status::Draft | Status::Submitted));
    let steps = Transition::ALL
        .into_iter()
        .filter(|t| t.sources().contains(&p.status))
        .filter(|t| match t {
            Transition::Submit => who.may_edit_practice(&p.fields),
            _ => who.may_review(),
        })
        .map(|t| StepButton {
            step: t.as_str(),
            label: lang.t(&format!("step-{}", t.as_str())),
            needs_comment: t == Transition::Reject,
        })
        .collect();
    Ok(Some(Workflow {
        status: lang.t(&status_key(p.status)),
        unpublished: p.status != Status::Published,
        reject_comment: (p.status == Status::Draft)
            .then(|| last_reject(&revisions))
            .flatten(),
        steps,
        edit_href: may_edit.then(|| format!("/pratiques/{}/modifier", p.id)),
        history_href: Some(format!("/pratiques/{}/historique", p.id)),
        csrf: viewer.csrf(),
        action: format!("/pratiques/{}/statut", p.id),
        notice: notice(raw_query, lang),
    }))
}

// ---------------------------------------------------------------- lists

pub struct ListRow {
    pub title: String,
    pub href: String,
    pub status: String,
    pub communes: String,
    pub updated: String,
    pub comment: Option<String>,
}

#[derive(Template)]
#[template(path = "practices/list.html")]
struct ListPage {
    lang: Lang,
    layout: Layout,
    heading: String,
    intro: String,
    empty: String,
    rows: Vec<ListRow>,
    show_comment: bool,
}

async fn rows(
    state: &AppState,
    lang: &Lang,
    practices: Vec<Practice>,
) -> Result<Vec<ListRow>, PageError> {
    let mut out = Vec::with_capacity(practices.len());
    for p in practices {
        let comment = if p.status == Status::Draft {
            last_reject(&state.store.revisions(p.id).await?)
        } else {
            None
        };
        let status = if comment.is_some() {
            lang.t("status-rejected")
        } else {
            lang.t(&status_key(p.status))
        };
        out.push(ListRow {
            href: practice_href(p.id, &p.slug),
            title: p.fields.title,
            status,
            communes: p.fields.communes.join(", "),
            updated: lang.date_time(p.updated_at),
            comment,
        });
    }
    Ok(out)
}

async fn mine_page(State(state): State<AppState>, layout: Layout) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let Some(who) = viewer.account() else {
        return Ok(sign_in_first("/mes-contributions"));
    };
    if !who.may_contribute() {
        return Err(PageError::forbidden());
    }
    let mut practices = Vec::new();
    for status in [Status::Draft, Status::Submitted] {
        practices.extend(
            commands::queue(&state, who, status)
                .await
                .map_err(|e| refused(lang, e))?,
        );
    }
    let page = ListPage {
        layout: layout.at("/mes-contributions"),
        heading: lang.t("nav-mine"),
        intro: lang.t("mine-intro"),
        empty: lang.t("mine-empty"),
        rows: rows(&state, lang, practices).await?,
        show_comment: true,
        lang: lang.clone(),
    };
    Ok(render(&page)?.into_response())
}

async fn moderation_page(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let Some(who) = viewer.account() else {
        return Ok(sign_in_first("/moderation"));
    };
    if !who.may_review() {
        return Err(PageError::forbidden());
    }
    let practices = commands::queue(&state, who, Status::Submitted)
        .await
        .map_err(|e| refused(lang, e))?;
    let page = ListPage {
        layout: layout.at("/moderation"),
        heading: lang.t("nav-moderation"),
        intro: lang.t("moderation-intro"),
        empty: lang.t("moderation-empty"),
        rows: rows(&state, lang, practices).await?,
        show_comment: false,
        lang: lang.clone(),
    };
    Ok(render(&page)?.into_response())
}

// ---------------------------------------------------------------- history

/// A piece of a compared text.
pub enum Piece {
    Same(String),
    Removed(String),
    Added(String),
}

/// One field's change, readable: a text with its removed and added words marked, or a list
/// with its removed and added items marked.
pub struct ChangeView {
    pub label: String,
    pub text: Vec<Piece>,
    pub items: Vec<Piece>,
    pub is_list: bool,
}

pub struct RevisionView {
    pub number: u32,
    pub at: String,
    pub author: String,
    pub action: String,
    pub status: String,
    pub comment: Option<String>,
    pub changes: Vec<ChangeView>,
    pub first: bool,
    pub restore_href: String,
}

#[derive(Template)]
#[template(path = "practices/history.html")]
struct HistoryPage {
    lang: Lang,
    layout: Layout,
    csrf: String,
    title: String,
    practice_href: String,
    revisions: Vec<RevisionView>,
    may_restore: bool,
    notice: Option<String>,
}

/// A contact (as recorded in a diff) on one line.
fn contact_line(lang: &Lang, c: &Value) -> String {
    let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| -> Vec<String> {
        c.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut parts: Vec<String> = ["name", "role", "organisation", "address"]
        .into_iter()
        .filter_map(text)
        .collect();
    parts.extend(
        list("phones")
            .into_iter()
            .map(|p| format!("{} {p}", lang.t("contact-phone"))),
    );
    parts.extend(
        list("emails")
            .into_iter()
            .map(|e| format!("{} {e}", lang.t("contact-email"))),
    );
    parts.join(" — ")
}

fn items(lang: &Lang, v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                Value::Object(_) => contact_line(lang, x),
                other => other.to_string(),
            })
            .collect(),
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

/// Adjacent pieces of the same kind, joined.
fn push(out: &mut Vec<Piece>, piece: Piece) {
    match (out.last_mut(), piece) {
        (Some(Piece::Same(a)), Piece::Same(b))
        | (Some(Piece::Removed(a)), Piece::Removed(b))
        | (Some(Piece::Added(a)), Piece::Added(b)) => a.push_str(&b),
        (_, p) => out.push(p),
    }
}

fn text_diff(before: &str, after: &str) -> Vec<Piece> {
    let diff = similar::TextDiff::from_words(before, after);
    let mut out = Vec::new();
    for change in diff.iter_all_changes() {
        let s = change.value().to_string();
        push(
            &mut out,
            match change.tag() {
                similar::ChangeTag::Equal => Piece::Same(s),
                similar::ChangeTag::Delete => Piece::Removed(s),
                similar::ChangeTag::Insert => Piece::Added(s),
            },
        );
    }
    out
}

fn list_diff(before: &[String], after: &[String]) -> Vec<Piece> {
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, before, after);
    ops.iter()
        .flat_map(|op| op.iter_changes(before, after))
        .map(|c| match c.tag() {
            similar::ChangeTag::Equal => Piece::Same(c.value()),
            similar::ChangeTag::Delete => Piece::Removed(c.value()),
            similar::ChangeTag::Insert => Piece::Added(c.value()),
        })
        .collect()
}

fn change_view(lang: &Lang, c: &domain::revision::FieldChange) -> ChangeView {
    let label = forms::field_label(lang, &c.field);
    let is_list = c.before.is_array() || c.after.is_array();
    if is_list {
        ChangeView {
            label,
            text: Vec::new(),
            items: list_diff(&items(lang, &c.before), &items(lang, &c.after)),
            is_list,
        }
    } else {
        let s = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        ChangeView {
            label,
            text: text_diff(&s(&c.before), &s(&c.after)),
            items: Vec::new(),
            is_list,
        }
    }
}

async fn history_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let p = commands::visible(&state, viewer.account(), id)
        .await
        .map_err(|e| refused(lang, e))?;
    let Some(who) = viewer.account() else {
        return Ok(sign_in_first(&format!("/pratiques/{id}/historique")));
    };
    let revisions = commands::revisions(&state, who, id)
        .await
        .map_err(|e| refused(lang, e))?;
    let newest = revisions.first().map(|r| r.number);
    let revisions = revisions
        .iter()
        .map(|r| {
            let action = lang
                .try_t(&format!("revision-action-{}", r.action))
                .unwrap_or_else(|| r.action.clone());
            RevisionView {
                number: r.number,
                at: lang.date_time(r.at),
                author: r
                    .actor_email
                    .clone()
                    .unwrap_or_else(|| lang.t("revision-system")),
                action,
                status: lang.t(&status_key(r.status)),
                comment: r.comment.clone(),
                changes: r.changes.iter().map(|c| change_view(lang, c)).collect(),
                first: r.changes.is_empty()
                    && matches!(r.action.as_str(), actions::CREATE | actions::IMPORT),
                restore_href: if Some(r.number) == newest {
                    String::new()
                } else {
                    format!("/pratiques/{id}/historique/{}/restaurer", r.number)
                },
            }
        })
        .collect();
    let page = HistoryPage {
        layout: layout.at(format!("/pratiques/{id}/historique")),
        csrf: viewer.csrf(),
        title: p.fields.title.clone(),
        practice_href: practice_href(p.id, &p.slug),
        revisions,
        may_restore: who.may_review(),
        notice: notice(raw.as_deref(), lang),
        lang: lang.clone(),
    };
    Ok(render(&page)?.into_response())
}

// ---------------------------------------------------------------- attachments

/// `filename="…"` for `Content-Disposition`: ASCII letters, digits, `.-_` and spaces kept,
/// anything else replaced; the exact name follows in `filename*` (RFC 6266, RFC 5987).
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

async fn attachment_file(
    State(state): State<AppState>,
    layout: Layout,
    Path((id, file_name)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let (info, bytes) = match commands::attachment(&state, viewer.account(), id).await {
        Ok(found) => found,
        Err(WriteError::NotFound(_)) => return Err(PageError::not_found()),
        Err(e) => return Err(refused(lang, e)),
    };
    if info.file_name != file_name {
        return Err(PageError::not_found());
    }
    // Only what `sniff` recognised is stored; anything else is served as bytes to download.
    let media_type = domain::attachment::MEDIA_TYPES
        .into_iter()
        .find(|t| *t == info.media_type)
        .unwrap_or("application/octet-stream");
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&disposition(&info.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

// ---------------------------------------------------------------- similar practices (JSON)

#[derive(Serialize, utoipa::ToSchema)]
pub struct SimilarToTextBody {
    hits: Vec<Hit>,
}

/// Published practices like a text being typed (the contribution form asks while the title
/// and the description are typed, so that nobody writes a practice that exists).
#[utoipa::path(
    get, path = "/api/v1/practices/similar",
    params(
        ("title" = Option<String>, Query, description = "The title typed so far"),
        ("text" = Option<String>, Query, description = "The objectives and description typed so far"),
        ("language" = Option<String>, Query, description = "fr, de, en or lb (default fr)"),
    ),
    responses(
        (status = 200, body = SimilarToTextBody, description = "At most 5 published practices, best first"),
        (status = 400, body = ErrorBody, description = "A bad parameter"),
    )
)]
async fn similar_to_text(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SimilarToTextBody>, ApiError> {
    let (mut title, mut text, mut language) = (String::new(), String::new(), Language::Fr);
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match &*k {
            "title" => title = v.into_owned(),
            "text" => text = v.into_owned(),
            "language" if !v.is_empty() => {
                language = Language::parse(&v).ok_or_else(|| {
                    ApiError::bad_parameter("language", format!("`{v}` is not fr, de, en or lb"))
                })?;
            }
            _ => {}
        }
    }
    if title.chars().count() > commands::MAX_TITLE {
        return Err(ApiError::bad_parameter(
            "title",
            format!("at most {} characters", commands::MAX_TITLE),
        ));
    }
    if text.chars().count() > commands::MAX_TEXT {
        return Err(ApiError::bad_parameter(
            "text",
            format!("at most {} characters", commands::MAX_TEXT),
        ));
    }
    // The index holds published practices only.
    Ok(Json(SimilarToTextBody {
        hits: state
            .searching(move |s| s.similar_to_text(&title, &text, language, 5))
            .await?,
    }))
}

#[derive(OpenApi)]
#[openapi(paths(similar_to_text), components(schemas(SimilarToTextBody)))]
pub struct ContributionDoc;

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/contribution.js"),
    )
}

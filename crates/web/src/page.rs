//! The page kit: what every HTML page shares. The layout context (language, the signed-in
//! account and its links, the address for the language switcher, the search box), the error
//! page, links and hit views.
//!
//! [`PageError`] carries no language: handlers answer it with `?` from store, search, chart,
//! template and write errors, and [`error_pages`] renders it in the reader's language, with
//! the same header as every other page.

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use domain::Account;
use search::Hit;

use crate::AppState;
use crate::i18n::{LANGUAGES, Lang};
use crate::session::Viewer;

/// The header's links for the visitor: an anonymous one gets "contribute" and "sign in", a
/// signed-in one their account, the links of their role and a sign-out button.
#[derive(Debug, Clone, Default)]
pub struct AccountNav {
    pub signed_in: bool,
    pub contributor: bool,
    pub reviewer: bool,
    /// The signed-in account's e-mail; empty when anonymous.
    pub email: String,
    /// The signed-in account's role, as written in the store (`editor`, …).
    pub role: String,
    /// The session's CSRF token, which the sign-out form posts back.
    pub csrf: String,
}

impl AccountNav {
    pub fn of(viewer: &Viewer) -> Self {
        let a = viewer.account();
        Self {
            signed_in: a.is_some(),
            contributor: a.is_some_and(Account::may_contribute),
            reviewer: a.is_some_and(Account::may_review),
            email: a.map(|a| a.email.as_str().to_string()).unwrap_or_default(),
            role: a.map(|a| a.role.to_string()).unwrap_or_default(),
            csrf: viewer.csrf(),
        }
    }
}

/// The layout context of a page (`base.html`), read once per request by one extractor, so
/// that every page's header shows the same account, links and sign-out.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lang: Lang,
    pub viewer: Viewer,
    pub nav: AccountNav,
    pub languages: &'static [(&'static str, &'static str)],
    /// This page's address: where the language switcher comes back to.
    pub here: String,
    /// The search box's text.
    pub query: String,
}

impl Layout {
    pub fn new(lang: Lang, viewer: Viewer, here: impl Into<String>) -> Self {
        Self {
            nav: AccountNav::of(&viewer),
            lang,
            viewer,
            languages: LANGUAGES,
            here: here.into(),
            query: String::new(),
        }
    }

    /// The same layout for the page at `here`.
    #[must_use]
    pub fn at(&self, here: impl Into<String>) -> Self {
        Self {
            here: here.into(),
            ..self.clone()
        }
    }

    /// The same layout with the search box holding `query`.
    #[must_use]
    pub fn searching(self, query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            ..self
        }
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let here = parts.uri.path().to_string();
        Ok(Self::new(lang, viewer, here))
    }
}

/// An HTML error page. Causes of 500s are logged, never shown.
#[derive(Debug, Clone)]
pub struct PageError {
    status: StatusCode,
    /// Shown instead of the status's generic text: what to fix, in the reader's language.
    message: Option<String>,
    /// For a bad request: the query parameter whose value could not be read.
    parameter: Option<String>,
}

impl PageError {
    fn with(status: StatusCode, message: Option<String>) -> Self {
        Self {
            status,
            message,
            parameter: None,
        }
    }

    /// A query parameter with a value that cannot be read (`page=-1`): 400, naming it.
    pub fn bad_parameter(name: &str) -> Self {
        Self {
            parameter: Some(name.to_string()),
            ..Self::bad_request()
        }
    }

    pub fn not_found() -> Self {
        Self::with(StatusCode::NOT_FOUND, None)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error on a page");
        Self::with(StatusCode::INTERNAL_SERVER_ERROR, None)
    }

    pub fn bad_request() -> Self {
        Self::with(StatusCode::BAD_REQUEST, None)
    }

    /// A form or input that cannot be accepted; `message` says which field and why.
    pub fn invalid(message: String) -> Self {
        Self::with(StatusCode::UNPROCESSABLE_ENTITY, Some(message))
    }

    pub fn forbidden() -> Self {
        Self::with(StatusCode::FORBIDDEN, None)
    }

    pub fn unauthorized() -> Self {
        Self::with(StatusCode::UNAUTHORIZED, None)
    }

    pub fn conflict(message: String) -> Self {
        Self::with(StatusCode::CONFLICT, Some(message))
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<search::SearchError> for PageError {
    fn from(e: search::SearchError) -> Self {
        Self::internal(e)
    }
}

impl From<render::ChartError> for PageError {
    fn from(e: render::ChartError) -> Self {
        Self::internal(e)
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for PageError {
    /// The status now; [`error_pages`] writes the page, in the reader's language.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    layout: Layout,
    heading: String,
    message: String,
}

impl ErrorPage {
    fn of(error: &PageError, layout: Layout) -> Self {
        let lang = layout.lang.clone();
        let (heading, message) = match error.status {
            StatusCode::UNAUTHORIZED => (
                lang.t("error-unauthorized"),
                lang.t("error-unauthorized-text"),
            ),
            StatusCode::FORBIDDEN => (lang.t("error-forbidden"), lang.t("error-forbidden-text")),
            StatusCode::TOO_MANY_REQUESTS => {
                (lang.t("error-too-many"), lang.t("error-too-many-text"))
            }
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => (
                lang.t("error-invalid"),
                error.message.clone().unwrap_or_default(),
            ),
            StatusCode::NOT_FOUND => (lang.t("error-not-found"), lang.t("error-not-found-text")),
            StatusCode::BAD_REQUEST => (
                lang.t("error-bad-request"),
                error.parameter.as_deref().map_or_else(
                    || lang.t("error-bad-request-text"),
                    |name| lang.with("error-bad-parameter", "name", name),
                ),
            ),
            _ => (lang.t("error-internal"), lang.t("error-internal-text")),
        };
        Self {
            lang,
            layout,
            heading,
            message,
        }
    }
}

/// Middleware: renders a [`PageError`] a handler answered as the error page, in the reader's
/// language and with the reader's header. The request's headers are kept for that, since the
/// handler consumed the request.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<PageError>() else {
        return response;
    };
    let layout = layout_of(&state, headers).await.at("/");
    let status = error.status;
    let html = match ErrorPage::of(&error, layout).render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => "error".into_response(),
    };
    let (mut parts, body) = html.into_parts();
    parts.status = status;
    // Headers a handler set on its error (a cookie, a cache rule) stay.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            parts.headers.insert(name.clone(), value.clone());
        }
    }
    Response::from_parts(parts, body)
}

async fn layout_of(state: &AppState, headers: HeaderMap) -> Layout {
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers = headers;
    match Layout::from_request_parts(&mut parts, state).await {
        Ok(layout) => layout,
        Err(never) => match never {},
    }
}

pub fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    Ok(Html(t.render()?))
}

/// The fallback: an HTML "not found" page, or a JSON one under `/api/`.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound(format!("no route {}", uri.path()))
            .into_response();
    }
    PageError::not_found().into_response()
}

/// A path id of a page or a form: anything but a positive integer is a page not found.
pub fn path_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(PageError::not_found)
}

/// A link with a label and a count, for facet lists.
pub struct Entry {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

pub struct Link {
    pub label: String,
    pub href: String,
}

/// A path segment: everything but unreserved characters percent-encoded.
pub fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

pub fn practice_href(id: i64, slug: &str) -> String {
    if slug.is_empty() {
        format!("/pratiques/{id}")
    } else {
        format!("/pratiques/{id}/{slug}")
    }
}

/// The site's own address, for the absolute IRIs of feeds and structured data.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() < 256 && !h.contains(['/', ' ', '"', '<', '>']))
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A practice in a list: search results, similar practices, the bridge from a criterion.
pub struct HitView {
    pub title: String,
    pub href: String,
    pub institution: Option<String>,
    pub communes: Vec<String>,
    pub themes: Vec<String>,
    pub snippet: String,
}

impl From<&Hit> for HitView {
    fn from(h: &Hit) -> Self {
        HitView {
            title: h.title.clone(),
            href: practice_href(h.id, &h.slug),
            institution: h.institution.clone(),
            communes: h.communes.clone(),
            themes: h.themes.clone(),
            snippet: h.snippet.clone(),
        }
    }
}

/// A concept a query or a criterion named, shown as "Sprachkurs → cours de langue": the words
/// as typed, and the concept's label in the language they were not typed in (French first,
/// the catalogue's language, then the reader's), linking to the concept's practices.
pub struct ExpansionView {
    pub words: String,
    pub label: String,
    /// The language of `label`, for its `lang` attribute.
    pub label_lang: String,
    pub href: String,
}

impl ExpansionView {
    /// `None` when every label is the words typed: nothing was widened that is worth saying.
    pub fn new(e: &search::Expansion, reader: &str) -> Option<Self> {
        let typed = domain::text::fold(&e.words);
        let (language, label) = ["fr", reader, "en", "de", "lb"]
            .into_iter()
            .filter_map(|l| e.labels.get(l).map(|label| (l, label)))
            .find(|(_, label)| domain::text::fold(label) != typed)?;
        Some(Self {
            words: e.words.clone(),
            label: label.clone(),
            label_lang: language.to_string(),
            href: format!("/recherche?concept={}", path_segment(&e.concept)),
        })
    }

    pub fn all(expansions: &[search::Expansion], reader: &str) -> Vec<Self> {
        expansions
            .iter()
            .filter_map(|e| Self::new(e, reader))
            .collect()
    }
}

/// A concept named by its label in the reader's language (French when it has none), linking
/// to the practices that carry it.
pub struct ConceptLink {
    pub label: String,
    /// The language of `label`, for its `lang` attribute.
    pub label_lang: String,
    pub href: String,
}

impl ConceptLink {
    pub fn new(e: &search::Expansion, reader: &str) -> Self {
        let (language, label) = [reader, "fr", "en", "de", "lb"]
            .into_iter()
            .find_map(|l| e.labels.get(l).map(|label| (l, label.clone())))
            .unwrap_or(("fr", e.concept.clone()));
        Self {
            label,
            label_lang: language.to_string(),
            href: format!("/recherche?concept={}", path_segment(&e.concept)),
        }
    }
}

/// A practice that answers a SPIRAL criterion, with why: the concepts both speak of, and
/// whether it carries the criterion's component.
pub struct AnswerView {
    pub hit: HitView,
    pub shared: Vec<ConceptLink>,
    /// The criterion's component, when the practice carries it too.
    pub component: Option<String>,
}

impl AnswerView {
    pub fn all(answers: &[search::Answer], component: Option<&str>, reader: &str) -> Vec<Self> {
        answers
            .iter()
            .map(|a| Self {
                hit: HitView::from(&a.hit),
                shared: a
                    .shared
                    .iter()
                    .take(4)
                    .map(|e| ConceptLink::new(e, reader))
                    .collect(),
                component: component.filter(|_| a.component).map(str::to_string),
            })
            .collect()
    }
}

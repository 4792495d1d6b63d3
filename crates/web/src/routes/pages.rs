//! The HTML pages. They work without JavaScript; every list links to its CSV.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{Practice, Status};
use search::{Hit, SearchResults};

use crate::AppState;
use crate::i18n::{COOKIE_NAME, LANGUAGES, Lang};
use crate::params::{Filter, Selection};
use crate::routes::practices::commands::{self, WriteError};
use crate::routes::practices::forms::AttachmentView;
use crate::routes::practices::pages::{AccountNav, Workflow, attachment_view, workflow};
use crate::routes::spiral::feeds::base_url;
use crate::session::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/recherche", get(search_page))
        .route("/communes/{name}", get(commune_page))
        .route("/themes/{name}", get(theme_page))
        .route("/pratiques/{id}", get(practice_page))
        .route("/pratiques/{id}/{slug}", get(practice_page_slug))
        .route("/langue/{code}", get(switch_language))
        .route("/static/style.css", get(stylesheet))
}

/// An HTML error page in the reader's language. Causes of 500s are logged, never shown.
pub struct PageError {
    lang: Lang,
    status: StatusCode,
    /// Shown instead of the status's generic text: what to fix, in the reader's language.
    message: Option<String>,
}

impl PageError {
    fn with(lang: &Lang, status: StatusCode, message: Option<String>) -> Self {
        Self {
            lang: lang.clone(),
            status,
            message,
        }
    }

    pub fn not_found(lang: &Lang) -> Self {
        Self::with(lang, StatusCode::NOT_FOUND, None)
    }

    pub fn internal(lang: &Lang, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error on a page");
        Self::with(lang, StatusCode::INTERNAL_SERVER_ERROR, None)
    }

    pub fn bad_request(lang: &Lang) -> Self {
        Self::with(lang, StatusCode::BAD_REQUEST, None)
    }

    /// A form or input that cannot be accepted; `message` says which field and why.
    pub fn invalid(lang: &Lang, message: String) -> Self {
        Self::with(lang, StatusCode::UNPROCESSABLE_ENTITY, Some(message))
    }

    pub fn forbidden(lang: &Lang) -> Self {
        Self::with(lang, StatusCode::FORBIDDEN, None)
    }

    pub fn unauthorized(lang: &Lang) -> Self {
        Self::with(lang, StatusCode::UNAUTHORIZED, None)
    }

    pub fn conflict(lang: &Lang, message: String) -> Self {
        Self::with(lang, StatusCode::CONFLICT, Some(message))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    languages: &'static [(&'static str, &'static str)],
    here: String,
    query: String,
    heading: String,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (heading, message) = match self.status {
            StatusCode::UNAUTHORIZED => (
                self.lang.t("error-unauthorized"),
                self.lang.t("error-unauthorized-text"),
            ),
            StatusCode::FORBIDDEN => (
                self.lang.t("error-forbidden"),
                self.lang.t("error-forbidden-text"),
            ),
            StatusCode::TOO_MANY_REQUESTS => (
                self.lang.t("error-too-many"),
                self.lang.t("error-too-many-text"),
            ),
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => (
                self.lang.t("error-invalid"),
                self.message.clone().unwrap_or_default(),
            ),
            StatusCode::NOT_FOUND => (
                self.lang.t("error-not-found"),
                self.lang.t("error-not-found-text"),
            ),
            StatusCode::BAD_REQUEST => (
                self.lang.t("error-bad-request"),
                self.lang.t("results-none-hint"),
            ),
            _ => (
                self.lang.t("error-internal"),
                self.lang.t("error-internal-text"),
            ),
        };
        let page = ErrorPage {
            lang: self.lang,
            languages: LANGUAGES,
            here: "/".into(),
            query: String::new(),
            heading,
            message,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, "error").into_response(),
        }
    }
}

pub fn render(lang: &Lang, t: &impl Template) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError::internal(lang, e))
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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    languages: &'static [(&'static str, &'static str)],
    here: String,
    query: String,
    practices_count: String,
    themes: Vec<Entry>,
    communes: Vec<Entry>,
    feed_href: String,
}

pub fn path_segment(s: &str) -> String {
    // Path segments: percent-encode everything but unreserved characters.
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

async fn home(State(state): State<AppState>, lang: Lang) -> Result<Html<String>, PageError> {
    let mut all = Selection::parse(None).map_err(|_| PageError::bad_request(&lang))?;
    all.per_page = 1;
    let results = state
        .search
        .search(&all.to_query())
        .map_err(|e| PageError::internal(&lang, e))?;
    let entries = |map: &std::collections::BTreeMap<String, u64>, prefix: &str| -> Vec<Entry> {
        map.iter()
            .map(|(k, n)| Entry {
                label: k.clone(),
                count: *n,
                href: format!("/{prefix}/{}", path_segment(k)),
                active: false,
            })
            .collect()
    };
    let page = HomePage {
        practices_count: lang.count("home-practices", results.total),
        themes: entries(&results.facets.themes, "themes"),
        communes: entries(&results.facets.communes, "communes"),
        feed_href: crate::routes::feeds::PRACTICES_FEED.to_string(),
        lang: lang.clone(),
        languages: LANGUAGES,
        here: "/".into(),
        query: String::new(),
    };
    render(&lang, &page)
}

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

pub fn practice_href(id: i64, slug: &str) -> String {
    if slug.is_empty() {
        format!("/pratiques/{id}")
    } else {
        format!("/pratiques/{id}/{slug}")
    }
}

pub struct FacetView {
    pub title: String,
    pub entries: Vec<Entry>,
}

pub struct ActiveFilter {
    pub label: String,
    pub href: String,
    pub remove_label: String,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    lang: Lang,
    languages: &'static [(&'static str, &'static str)],
    here: String,
    query: String,
    heading: String,
    count_text: String,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    active: Vec<ActiveFilter>,
    pages: u64,
    page_text: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    csv_href: String,
    json_href: String,
    /// The Atom feed of the list's themes and communes.
    feed_href: String,
    pdf_href: Option<String>,
}

fn facet_map(results: &SearchResults, f: Filter) -> &std::collections::BTreeMap<String, u64> {
    match f {
        Filter::Theme => &results.facets.themes,
        Filter::Commune => &results.facets.communes,
        Filter::Institution => &results.facets.institutions,
        Filter::Public => &results.facets.target_publics,
        Filter::Source => &results.facets.sources,
    }
}

/// Renders a list of practices: the search page and the commune and theme pages.
fn results_page(
    state: &AppState,
    lang: &Lang,
    path: &str,
    sel: &Selection,
    heading: String,
) -> Result<Html<String>, PageError> {
    let results = state
        .search
        .search(&sel.to_query())
        .map_err(|e| PageError::internal(lang, e))?;
    let pages = results.total.div_ceil(u64::from(sel.per_page)).max(1);
    let mut count_text = lang.count("results-count", results.total);
    if !sel.q.is_empty() {
        count_text = format!("{count_text} {}", lang.with("results-for", "query", &sel.q));
    }
    let facets = Filter::ALL
        .into_iter()
        .map(|f| {
            let mut entries: Vec<Entry> = facet_map(&results, f)
                .iter()
                .map(|(label, count)| Entry {
                    label: label.clone(),
                    count: *count,
                    href: sel.toggled(f, label).href(path),
                    active: sel.has(f, label),
                })
                .collect();
            entries.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            entries.truncate(25);
            FacetView {
                title: lang.t(&format!("facet-{}", f.facet())),
                entries,
            }
        })
        .collect();
    let active = sel
        .filters
        .iter()
        .map(|(f, v)| ActiveFilter {
            label: lang.t_args(
                "filter-label",
                &[
                    ("facet", lang.t(&format!("facet-{}", f.facet())).into()),
                    ("value", v.clone().into()),
                ],
            ),
            href: sel.toggled(*f, v).href(path),
            remove_label: lang.with("filter-remove", "value", v),
        })
        .collect();
    let page_text = lang.t_args(
        "page-of",
        &[
            ("page", u64::from(sel.page).into()),
            ("pages", pages.into()),
        ],
    );
    let download = sel.all_pages();
    let page = ResultsPage {
        here: sel.href(path),
        query: sel.q.clone(),
        heading,
        count_text,
        hits: results.hits.iter().map(HitView::from).collect(),
        facets,
        active,
        pages,
        page_text,
        prev_href: (sel.page > 1).then(|| sel.at_page(sel.page - 1).href(path)),
        next_href: (u64::from(sel.page) < pages).then(|| sel.at_page(sel.page + 1).href(path)),
        csv_href: download.href("/api/v1/practices.csv"),
        json_href: download.href("/api/v1/practices"),
        feed_href: crate::routes::feeds::feed_selection(sel)
            .href(crate::routes::feeds::PRACTICES_FEED),
        pdf_href: crate::pdf::href(download.href("/livret.pdf")),
        lang: lang.clone(),
        languages: LANGUAGES,
    };
    render(lang, &page)
}

async fn search_page(
    State(state): State<AppState>,
    lang: Lang,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    let sel = Selection::parse(raw.as_deref()).map_err(|_| PageError::bad_request(&lang))?;
    let heading = lang.t("nav-search");
    results_page(&state, &lang, "/recherche", &sel, heading)
}

async fn commune_page(
    State(state): State<AppState>,
    lang: Lang,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    named_list(&state, &lang, Filter::Commune, &name, raw.as_deref())
}

async fn theme_page(
    State(state): State<AppState>,
    lang: Lang,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, PageError> {
    named_list(&state, &lang, Filter::Theme, &name, raw.as_deref())
}

/// The page of one commune or one theme: a search list with that filter always on.
fn named_list(
    state: &AppState,
    lang: &Lang,
    filter: Filter,
    name: &str,
    raw: Option<&str>,
) -> Result<Html<String>, PageError> {
    let mut sel = Selection::parse(raw).map_err(|_| PageError::bad_request(lang))?;
    if !sel.has(filter, name) {
        sel.filters.insert(0, (filter, name.to_string()));
    }
    let (prefix, title_key) = match filter {
        Filter::Theme => ("themes", "theme-title"),
        _ => ("communes", "commune-title"),
    };
    let heading = lang.with(title_key, "name", name);
    let path = format!("/{prefix}/{}", path_segment(name));
    results_page(state, lang, &path, &sel, heading)
}

pub struct SectionView {
    pub label: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "practice.html")]
struct PracticePage {
    lang: Lang,
    languages: &'static [(&'static str, &'static str)],
    here: String,
    query: String,
    p: Practice,
    communes: Vec<Link>,
    themes: Vec<Link>,
    sections: Vec<SectionView>,
    websites: Vec<Link>,
    sources: Vec<String>,
    similar: Vec<HitView>,
    nav: AccountNav,
    workflow: Option<Workflow>,
    attachments: Vec<AttachmentView>,
    json_ld: crate::structured_data::JsonLd,
    pdf_href: Option<String>,
}

/// A published practice, or `None` (drafts are invisible to the public).
pub async fn published(state: &AppState, id: i64) -> Result<Option<Practice>, store::StoreError> {
    Ok(state
        .store
        .practice(id)
        .await?
        .filter(|p| p.status == Status::Published))
}

fn website_href(site: &str) -> String {
    if site.starts_with("http://") || site.starts_with("https://") {
        site.to_string()
    } else {
        format!("https://{site}")
    }
}

/// `/pratiques/{id}`, and `/pratiques/{id}.pdf` (the router cannot split a segment).
async fn practice_page(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    if let Some(id) = id.strip_suffix(".pdf") {
        return crate::pdf::practice_pdf(&state, &lang, id).await;
    }
    show_practice(&state, &lang, &viewer, &headers, &id, None, raw.as_deref()).await
}

async fn practice_page_slug(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    show_practice(
        &state,
        &lang,
        &viewer,
        &headers,
        &id,
        Some(&slug),
        raw.as_deref(),
    )
    .await
}

/// A practice's page: a published one for everyone; a draft, a submitted or an archived one
/// only for those who may see it (with its status and the workflow's buttons), "not found"
/// for everyone else.
async fn show_practice(
    state: &AppState,
    lang: &Lang,
    viewer: &Viewer,
    headers: &HeaderMap,
    id: &str,
    slug: Option<&str>,
    raw_query: Option<&str>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::not_found(lang))?;
    let p = match commands::visible(state, viewer.account(), id).await {
        Ok(p) => p,
        Err(WriteError::NotFound(_)) => return Err(PageError::not_found(lang)),
        Err(e) => return Err(PageError::internal(lang, format!("{e:?}"))),
    };
    let canonical = practice_href(p.id, &p.slug);
    if slug != Some(p.slug.as_str()) && !p.slug.is_empty() {
        let target = match raw_query {
            Some(q) if !q.is_empty() => format!("{canonical}?{q}"),
            _ => canonical,
        };
        return Ok(Redirect::permanent(&target).into_response());
    }
    let f = &p.fields;
    let named = [
        ("field-objectives", &f.objectives),
        ("field-description", &f.description),
        ("field-results", &f.results),
        ("field-target_public", &f.target_public),
        ("field-place_periodicity", &f.place_periodicity),
        ("field-costs", &f.costs),
        ("field-other_info", &f.other_info),
    ];
    let sections = named
        .into_iter()
        .filter_map(|(key, value)| {
            value.as_ref().map(|text| SectionView {
                label: lang.t(key),
                text: text.clone(),
            })
        })
        .collect();
    // A practice that is not published is not in the index: its text is compared instead.
    let similar = if p.status == Status::Published {
        state.search.similar(p.id, 5)
    } else {
        let text = format!(
            "{}\n{}",
            f.objectives.as_deref().unwrap_or_default(),
            f.description.as_deref().unwrap_or_default()
        );
        state.search.similar_to_text(&f.title, &text, p.language, 5)
    }
    .map_err(|e| PageError::internal(lang, e))?
    .iter()
    .map(HitView::from)
    .collect();
    let workflow = workflow(state, lang, viewer, &p, raw_query).await?;
    let attachments = state
        .store
        .attachments(p.id)
        .await
        .map_err(|e| PageError::internal(lang, e))?
        .iter()
        .map(|a| attachment_view(lang, a))
        .collect();
    let sources = p
        .sources
        .iter()
        .map(|s| {
            let mut line = lang.t_args(
                "source-lines",
                &[
                    ("document", s.document.clone().into()),
                    ("first", u64::from(s.first_line).into()),
                    ("last", u64::from(s.last_line).into()),
                ],
            );
            if s.truncated {
                line = format!("{line} ({})", lang.t("source-truncated"));
            }
            line
        })
        .collect();
    let json_ld = crate::structured_data::JsonLd::new(&crate::structured_data::practice(
        &p,
        &format!("{}{canonical}", base_url(state, headers)),
    ));
    let page = PracticePage {
        json_ld,
        here: canonical,
        query: String::new(),
        communes: f
            .communes
            .iter()
            .map(|c| Link {
                label: c.clone(),
                href: format!("/communes/{}", path_segment(c)),
            })
            .collect(),
        themes: f
            .themes
            .iter()
            .map(|t| Link {
                label: t.clone(),
                href: format!("/themes/{}", path_segment(t)),
            })
            .collect(),
        sections,
        websites: f
            .websites
            .iter()
            .map(|w| Link {
                label: w.clone(),
                href: website_href(w),
            })
            .collect(),
        sources,
        similar,
        nav: AccountNav::of(viewer),
        workflow,
        attachments,
        pdf_href: crate::pdf::href(format!("/pratiques/{}.pdf", p.id)),
        lang: lang.clone(),
        languages: LANGUAGES,
        p: p.clone(),
    };
    Ok(render(lang, &page)?.into_response())
}

/// The visible language switcher: remembers the choice in a cookie and goes back.
async fn switch_language(Path(code): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let back = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "retour")
        .map(|(_, v)| v.into_owned())
        // Only paths of this site: no open redirect.
        .filter(|v| v.starts_with('/') && !v.starts_with("//") && !v.contains('\\'))
        .unwrap_or_else(|| "/".to_string());
    let Some(lang) = Lang::from_code(&code) else {
        return Redirect::to(&back).into_response();
    };
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.code()
    );
    let mut response = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

pub async fn not_found(lang: Lang, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound(format!("no route {}", uri.path()))
            .into_response();
    }
    PageError::not_found(&lang).into_response()
}

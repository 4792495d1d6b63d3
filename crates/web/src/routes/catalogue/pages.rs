//! The HTML pages. They work without JavaScript; every list links to its CSV.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{Practice, Status};
use search::SearchResults;

use super::feeds::{PRACTICES_FEED, feed_selection};
use crate::AppState;
use crate::i18n::{COOKIE_NAME, Lang};
use crate::page::{
    Entry, ExpansionView, HitView, Layout, Link, PageError, base_url, path_segment, practice_href,
    render,
};
use crate::params::{Filter, PageQuery, Selection};
use crate::routes::pdf;
use crate::routes::practices::commands;
use crate::routes::practices::forms::{AttachmentView, attachment_view};
use crate::routes::practices::pages::{Workflow, workflow};
use crate::write::WriteError;

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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    layout: Layout,
    practices_count: String,
    themes: Vec<Entry>,
    communes: Vec<Entry>,
    feed_href: String,
}

async fn home(State(state): State<AppState>, layout: Layout) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let mut all = Selection::parse(None)?;
    all.per_page = 1;
    let query = all.to_query();
    let results = state.searching(move |s| s.search(&query)).await?;
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
        feed_href: PRACTICES_FEED.to_string(),
        lang: lang.clone(),
        layout: layout.at("/"),
    };
    render(&page)
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
    layout: Layout,
    heading: String,
    count_text: String,
    hits: Vec<HitView>,
    /// How the query was widened by the concepts it named.
    expansions: Vec<ExpansionView>,
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

static EMPTY: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();

fn facet_map(results: &SearchResults, f: Filter) -> &std::collections::BTreeMap<String, u64> {
    match f {
        Filter::Theme => &results.facets.themes,
        Filter::Commune => &results.facets.communes,
        Filter::Institution => &results.facets.institutions,
        Filter::Public => &results.facets.target_publics,
        Filter::Source => &results.facets.sources,
        // No facet: their lists are reached from a fiche's links.
        Filter::Concept | Filter::Component => &EMPTY,
    }
}

/// A filter's value as the reader reads it: a concept by its label in the reader's language.
fn filter_value(state: &AppState, lang: &Lang, f: Filter, value: &str) -> String {
    match f {
        Filter::Concept => state
            .search
            .concept_label(value, lang.language())
            .unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

/// Renders a list of practices: the search page and the commune and theme pages.
async fn results_page(
    state: &AppState,
    layout: &Layout,
    path: &str,
    sel: &Selection,
    heading: String,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let query = sel.to_query();
    let results = state.searching(move |s| s.search(&query)).await?;
    let pages = results.total.div_ceil(u64::from(sel.per_page)).max(1);
    // A page past the last is not a page.
    if u64::from(sel.page) > pages {
        return Err(PageError::not_found());
    }
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
                    ("value", filter_value(state, lang, *f, v).into()),
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
        layout: layout.at(sel.href(path)).searching(sel.q.clone()),
        heading,
        count_text,
        hits: results.hits.iter().map(HitView::from).collect(),
        expansions: ExpansionView::all(&results.expansions, lang.code()),
        facets,
        active,
        pages,
        page_text,
        prev_href: (sel.page > 1).then(|| sel.at_page(sel.page - 1).href(path)),
        next_href: (u64::from(sel.page) < pages).then(|| sel.at_page(sel.page + 1).href(path)),
        csv_href: download.href("/api/v1/practices.csv"),
        json_href: download.href("/api/v1/practices"),
        feed_href: feed_selection(sel).href(PRACTICES_FEED),
        pdf_href: pdf::href(download.href("/livret.pdf")),
        lang: lang.clone(),
    };
    render(&page)
}

async fn search_page(
    State(state): State<AppState>,
    layout: Layout,
    PageQuery(sel): PageQuery<Selection>,
) -> Result<Html<String>, PageError> {
    let heading = layout.lang.t("nav-search");
    results_page(&state, &layout, "/recherche", &sel, heading).await
}

async fn commune_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(name): Path<String>,
    PageQuery(sel): PageQuery<Selection>,
) -> Result<Html<String>, PageError> {
    named_list(&state, &layout, Filter::Commune, &name, sel).await
}

async fn theme_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(name): Path<String>,
    PageQuery(sel): PageQuery<Selection>,
) -> Result<Html<String>, PageError> {
    named_list(&state, &layout, Filter::Theme, &name, sel).await
}

/// The page of one commune or one theme: a search list with that filter always on.
async fn named_list(
    state: &AppState,
    layout: &Layout,
    filter: Filter,
    name: &str,
    mut sel: Selection,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    // A name nothing knows is not a page: a commune of the registry or of a practice, a theme
    // of the concept scheme or of a practice.
    let known = match filter {
        Filter::Theme => state.search.theme_named(name).is_some(),
        _ => ingest::communes::registry().canonical(name).is_some(),
    };
    if !known {
        let probe = search::SearchQuery {
            themes: (filter == Filter::Theme)
                .then(|| name.to_string())
                .into_iter()
                .collect(),
            communes: (filter != Filter::Theme)
                .then(|| name.to_string())
                .into_iter()
                .collect(),
            per_page: 1,
            ..search::SearchQuery::default()
        };
        if state.searching(move |s| s.search(&probe)).await?.total == 0 {
            return Err(PageError::not_found());
        }
    }
    // A theme of the concept scheme lists the practices tagged with it, whatever the words
    // of their free-text themes; another name lists those whose themes say it.
    let (filter, value) = match filter {
        Filter::Theme => match state.search.theme_named(name) {
            Some(id) => (Filter::Concept, id),
            None => (filter, name.to_string()),
        },
        _ => (filter, name.to_string()),
    };
    if !sel.has(filter, &value) {
        sel.filters.insert(0, (filter, value));
    }
    let (prefix, title_key) = match filter {
        Filter::Theme | Filter::Concept => ("themes", "theme-title"),
        _ => ("communes", "commune-title"),
    };
    let heading = lang.with(title_key, "name", name);
    let path = format!("/{prefix}/{}", path_segment(name));
    results_page(state, layout, &path, &sel, heading).await
}

pub struct SectionView {
    pub label: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "practice.html")]
struct PracticePage {
    lang: Lang,
    layout: Layout,
    p: Practice,
    communes: Vec<Link>,
    themes: Vec<Link>,
    sections: Vec<SectionView>,
    websites: Vec<Link>,
    sources: Vec<String>,
    similar: Vec<HitView>,
    tags: TagsView,
    answered: Vec<crate::answered::PlatformAnswered>,
    workflow: Option<Workflow>,
    attachments: Vec<AttachmentView>,
    json_ld: crate::structured_data::JsonLd,
    pdf_href: Option<String>,
}

/// What the fiche is tagged with through the concept scheme, as links to the practices that
/// share each tag: labels in the reader's language; components its author did not give are
/// marked suggested.
#[derive(Default)]
struct TagsView {
    themes: Vec<Link>,
    concepts: Vec<Link>,
    components: Vec<(Link, bool)>,
}

/// At most this many concepts on a fiche: the most mentioned.
const FICHE_CONCEPTS: usize = 12;

fn tags_view(state: &AppState, lang: &Lang, p: &Practice) -> Result<TagsView, PageError> {
    let Some(tags) = state.search.tags_of(p.id)? else {
        return Ok(TagsView::default());
    };
    let concept = |id: &String| {
        state
            .search
            .concept_label(id, lang.language())
            .map(|label| Link {
                label,
                href: format!("/recherche?concept={}", path_segment(id)),
            })
    };
    Ok(TagsView {
        themes: tags.themes.iter().filter_map(concept).collect(),
        concepts: tags
            .concepts
            .iter()
            .filter_map(concept)
            .take(FICHE_CONCEPTS)
            .collect(),
        components: tags
            .components
            .into_iter()
            .map(|code| {
                let given = p
                    .fields
                    .spiral_components
                    .iter()
                    .any(|c| c.get(..3) == Some(code.as_str()));
                let href = format!("/recherche?component={}", path_segment(&code));
                (Link { label: code, href }, !given)
            })
            .collect(),
    })
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
    layout: Layout,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    if let Some(id) = id.strip_suffix(".pdf") {
        return pdf::practice_pdf(&state, &layout.lang, id).await;
    }
    show_practice(&state, &layout, &headers, &id, None, raw.as_deref()).await
}

async fn practice_page_slug(
    State(state): State<AppState>,
    layout: Layout,
    headers: HeaderMap,
    Path((id, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    show_practice(&state, &layout, &headers, &id, Some(&slug), raw.as_deref()).await
}

/// A practice's page: a published one for everyone; a draft, a submitted or an archived one
/// only for those who may see it (with its status and the workflow's buttons), "not found"
/// for everyone else.
async fn show_practice(
    state: &AppState,
    layout: &Layout,
    headers: &HeaderMap,
    id: &str,
    slug: Option<&str>,
    raw_query: Option<&str>,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id: i64 = id.parse().map_err(|_| PageError::not_found())?;
    let p = match commands::visible(state, viewer.account(), id).await {
        Ok(p) => p,
        Err(WriteError::NotFound(_)) => return Err(PageError::not_found()),
        Err(e) => return Err(PageError::internal(format!("{e:?}"))),
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
        let id = p.id;
        state.searching(move |s| s.similar(id, 5)).await
    } else {
        let text = format!(
            "{}\n{}",
            f.objectives.as_deref().unwrap_or_default(),
            f.description.as_deref().unwrap_or_default()
        );
        let (title, language) = (f.title.clone(), p.language);
        state
            .searching(move |s| s.similar_to_text(&title, &text, language, 5))
            .await
    }?
    .iter()
    .map(HitView::from)
    .collect();
    let (tags, answered) = if p.status == Status::Published {
        (
            tags_view(state, lang, &p)?,
            crate::answered::criteria_answered(state, p.id).await?,
        )
    } else {
        (TagsView::default(), Vec::new())
    };
    let workflow = workflow(state, lang, viewer, &p, raw_query).await?;
    let attachments = state
        .store
        .attachments(p.id)
        .await?
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
                    // Line numbers are references, not quantities: never grouped.
                    ("first", s.first_line.to_string().into()),
                    ("last", s.last_line.to_string().into()),
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
        layout: layout.at(canonical),
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
        tags,
        answered,
        workflow,
        attachments,
        pdf_href: pdf::href(format!("/pratiques/{}.pdf", p.id)),
        lang: lang.clone(),
        p: p.clone(),
    };
    Ok(render(&page)?.into_response())
}

/// The visible language switcher: remembers the choice in a cookie and goes back.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let back = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "retour")
        .map(|(_, v)| v.into_owned())
        // Only paths of this site: no open redirect.
        .filter(|v| v.starts_with('/') && !v.starts_with("//") && !v.contains('\\'))
        .unwrap_or_else(|| "/".to_string());
    let Some(lang) = Lang::from_code(&code) else {
        return Redirect::to(&back).into_response();
    };
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
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
        include_str!("../../../static/style.css"),
    )
}

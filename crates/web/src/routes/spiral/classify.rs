//! Classifying a whole group on one page, keyboard-first: every post-it of the group with a
//! list of components, the best suggestion already chosen (or the code it has). Tab accepts
//! and moves on, arrow keys pick another, Enter saves them all; the page answers in place,
//! without a redirect, saying how many it classified.
//!
//! `GET /spiral/groupes/{id}/classer` and `POST` to the same address.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use domain::{ComponentCode, Criterion, HomogeneousGroup};
use store::{CriteriaFilter, CriteriaSort, CriteriaSortKey};

use super::commands;
use super::labels::{Labels, question_labels};
use super::pages::{Choice, component_choices, group_href};
use crate::AppState;
use crate::i18n::Lang;
use crate::page::{Layout, PageError, path_id, render};
use crate::write::{Fields, form_account, invalid};

/// Post-its on one page: a group's session is a few dozen.
const MAX_ROWS: u64 = 500;
/// Suggestions offered first in each list.
const SUGGESTED: usize = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/spiral/groupes/{id}/classer",
            get(classify_page).post(classify_all),
        )
        .route("/static/spiral.js", get(script))
}

/// Suggestions while a post-it is typed on the group page.
async fn script() -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/spiral.js"),
    )
}

pub struct Row {
    pub id: i64,
    pub question: String,
    pub text: String,
    pub suggested: Vec<Choice>,
    pub components: Vec<(String, Vec<Choice>)>,
    /// Nothing chosen: neither a code nor a suggestion.
    pub none_selected: bool,
}

#[derive(Template)]
#[template(path = "spiral/classify.html")]
struct ClassifyPage {
    lang: Lang,
    layout: Layout,
    g: HomogeneousGroup,
    group_href: String,
    rows: Vec<Row>,
    saved: Option<String>,
    csrf: String,
}

async fn group_of(state: &AppState, id: &str) -> Result<HomogeneousGroup, PageError> {
    let id = path_id(id)?;
    state
        .store
        .group(id)
        .await?
        .ok_or_else(PageError::not_found)
}

async fn criteria_of(state: &AppState, g: &HomogeneousGroup) -> Result<Vec<Criterion>, PageError> {
    Ok(state
        .store
        .criteria_page(
            &CriteriaFilter {
                platform: Some(g.platform.clone()),
                group: Some(g.name.clone()),
                ..CriteriaFilter::default()
            },
            CriteriaSort {
                key: CriteriaSortKey::Id,
                descending: false,
            },
            0,
            MAX_ROWS,
        )
        .await?
        .items)
}

async fn page(
    state: &AppState,
    layout: &Layout,
    g: HomogeneousGroup,
    saved: Option<String>,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let viewer = &layout.viewer;
    if !viewer.may_write_platform(&g.platform) {
        return Err(if viewer.account().is_some() {
            PageError::forbidden()
        } else {
            PageError::unauthorized()
        });
    }
    let labels = Labels::load(state, lang).await?;
    let questions = question_labels(state, lang).await?;
    let mut rows = Vec::new();
    for c in criteria_of(state, &g).await? {
        let Some(id) = c.id else { continue };
        let suggestions = super::suggest::suggestions(state, &c, SUGGESTED).await?;
        // What it has, or else the best suggestion.
        let chosen = c
            .component
            .as_ref()
            .map(|x| x.as_str().to_string())
            .or_else(|| suggestions.first().map(|s| s.code.clone()));
        let suggested: Vec<Choice> = suggestions
            .iter()
            .map(|s| Choice {
                value: s.code.clone(),
                label: labels.describe(&s.code),
                selected: chosen.as_deref() == Some(s.code.as_str()),
            })
            .collect();
        // A code the suggestions do not hold is chosen in its dimension's list.
        let in_lists = if suggested.iter().any(|s| s.selected) {
            None
        } else {
            chosen.as_deref()
        };
        let components = component_choices(&labels, in_lists);
        let none_selected = chosen.is_none();
        rows.push(Row {
            id,
            question: questions
                .iter()
                .find(|(code, _)| *code == c.question)
                .map_or_else(|| c.question.clone(), |(_, l)| l.clone()),
            text: c.text,
            suggested,
            components,
            none_selected,
        });
    }
    let here = format!("/spiral/groupes/{}/classer", g.id.unwrap_or_default());
    render(&ClassifyPage {
        layout: layout.at(here),
        group_href: group_href(g.id),
        rows,
        saved,
        csrf: viewer.csrf(),
        g,
        lang: lang.clone(),
    })
}

async fn classify_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let g = group_of(&state, &id).await?;
    page(&state, &layout, g, None).await
}

/// Saves every list whose code differs from the post-it's. Every code is checked before any
/// is written: one bad code changes nothing.
async fn classify_all(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Html<String>, PageError> {
    let g = group_of(&state, &id).await?;
    let f = Fields::parse(&body);
    let who = form_account(
        &layout.viewer,
        &layout.lang,
        f.get("csrf").unwrap_or_default(),
    )?;
    let mut changes = Vec::new();
    for c in criteria_of(&state, &g).await? {
        let Some(id) = c.id else { continue };
        let Some(raw) = f.get(&format!("c{id}")) else {
            continue;
        };
        let wanted = raw.trim();
        let current = c.component.as_ref().map(ComponentCode::as_str);
        if current == Some(wanted) || (current.is_none() && wanted.is_empty()) {
            continue;
        }
        if !wanted.is_empty() {
            ComponentCode::parse(wanted).map_err(|e| invalid(&format!("c{id}"), e.to_string()))?;
        }
        changes.push((id, wanted.to_string()));
    }
    for (id, component) in &changes {
        let patch = commands::CriterionPatch {
            component: Some(component.clone()),
            ..commands::CriterionPatch::default()
        };
        commands::update_criterion(&state, who, *id, &patch).await?;
    }
    let saved = layout
        .lang
        .count("spiral-classified-count", changes.len() as u64);
    page(&state, &layout, g, Some(saved)).await
}

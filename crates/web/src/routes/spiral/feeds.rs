//! Atom feeds of a platform: its new homogeneous groups and its new criteria, as wikispiral
//! offers RSS for coordination groups and homogeneous groups.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::Platform;
use render::{FeedEntry, FeedMeta};
use store::{CriteriaFilter, CriteriaSort};

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::page::base_url;

/// How many entries a feed carries.
pub const FEED_LENGTH: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spiral/plateformes/{id}/groupes.atom", get(groups_feed))
        .route("/spiral/plateformes/{id}/criteres.atom", get(criteria_feed))
}

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

fn atom(xml: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

async fn platform(state: &AppState, raw: &str) -> Result<Platform, ApiError> {
    let id = raw
        .parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("no platform with id {raw}")))?;
    state
        .store
        .platform(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no platform with id {id}")))
}

async fn groups_feed(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let p = platform(&state, &id).await?;
    let base = base_url(&state, &headers);
    let page = format!("{base}/spiral/plateformes/{}", p.id.unwrap_or_default());
    let mut groups: Vec<_> = state
        .store
        .groups()
        .await?
        .into_iter()
        .filter(|g| g.platform == p.name)
        .collect();
    groups.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let now = state.clock.now();
    let entries: Vec<FeedEntry> = groups
        .iter()
        .take(FEED_LENGTH as usize)
        .map(|g| {
            let link = format!("{base}/spiral/groupes/{}", g.id.unwrap_or_default());
            FeedEntry {
                id: link.clone(),
                title: g.name.clone(),
                link,
                summary: g.profile.clone(),
                published: utc(g.created_at),
                updated: utc(g.created_at).unwrap_or(now),
            }
        })
        .collect();
    let meta = FeedMeta {
        id: format!("{page}/groupes.atom"),
        title: lang.with("feed-groups-title", "platform", &p.name),
        alternate: page.clone(),
        self_link: format!("{page}/groupes.atom"),
        author: p.name.clone(),
        updated: utc(p.created_at).unwrap_or(now),
    };
    Ok(atom(render::atom::feed(&meta, &entries)))
}

async fn criteria_feed(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let p = platform(&state, &id).await?;
    let base = base_url(&state, &headers);
    let page = format!("{base}/spiral/plateformes/{}", p.id.unwrap_or_default());
    let newest = CriteriaSort::parse("-created").map_err(|e| ApiError::internal(e.to_string()))?;
    let found = state
        .store
        .criteria_page(
            &CriteriaFilter {
                platform: Some(p.name.clone()),
                ..CriteriaFilter::default()
            },
            newest,
            0,
            FEED_LENGTH,
        )
        .await?;
    let now = state.clock.now();
    let entries: Vec<FeedEntry> = found
        .items
        .iter()
        .map(|c| {
            let link = format!("{base}/spiral/criteres/{}", c.id.unwrap_or_default());
            FeedEntry {
                id: link.clone(),
                title: format!("{} · {}", c.question, c.text),
                link,
                summary: Some(format!(
                    "{}{}",
                    c.group,
                    c.component
                        .as_ref()
                        .map(|x| format!(" · {x}"))
                        .unwrap_or_default()
                )),
                published: utc(c.created_at),
                updated: utc(c.updated_at).or(utc(c.created_at)).unwrap_or(now),
            }
        })
        .collect();
    let meta = FeedMeta {
        id: format!("{page}/criteres.atom"),
        title: lang.with("feed-criteria-title", "platform", &p.name),
        alternate: page.clone(),
        self_link: format!("{page}/criteres.atom"),
        author: p.name.clone(),
        updated: utc(p.created_at).unwrap_or(now),
    };
    Ok(atom(render::atom::feed(&meta, &entries)))
}

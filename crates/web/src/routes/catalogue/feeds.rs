//! The Atom feed of the catalogue: new and updated published practices, newest change first,
//! optionally narrowed to themes and communes (`/flux/pratiques.atom?theme=…&commune=…`).
//!
//! The feed reads its practices from the store, not from the search index: it must order by
//! `updated_at`, which the index does not keep, and it must never show a practice that is no
//! longer published, even for the second before the index follows. It reads the newest first,
//! or (for filters that few practices match) the ids the index finds, a batch at a time. Filters compare as the search facets do
//! ([`identity_key`]): values of one facet are alternatives, facets combine.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::text::identity_key;
use domain::{Practice, Status};
use render::{FeedEntry, FeedMeta};

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::page::{base_url, practice_href};
use crate::params::{ApiQuery, Filter, Selection};
use crate::routes::spiral::feeds::FEED_LENGTH;

pub const PRACTICES_FEED: &str = "/flux/pratiques.atom";

pub fn router() -> Router<AppState> {
    Router::new().route(PRACTICES_FEED, get(practices_feed))
}

/// The feed's selection: only the theme and commune filters of a list carry over.
pub fn feed_selection(sel: &Selection) -> Selection {
    Selection {
        filters: sel
            .filters
            .iter()
            .filter(|(f, _)| matches!(f, Filter::Theme | Filter::Commune))
            .cloned()
            .collect(),
        ..Selection::parse(None).unwrap_or_default()
    }
}

/// Whether one of `values` has one of the `wanted` keys; no wanted key means no filter.
fn any_of(values: &[String], wanted: &[String]) -> bool {
    wanted.is_empty() || values.iter().any(|v| wanted.contains(&identity_key(v)))
}

fn keys(sel: &Selection, f: Filter) -> Vec<String> {
    sel.values(f)
        .iter()
        .map(|v| identity_key(v))
        .filter(|k| !k.is_empty())
        .collect()
}

/// Practices read per step when filters leave some out.
const BATCH: u64 = 200;
/// A filtered feed whose selection the index counts at most this many practices reads those
/// (by id, a batch at a time) rather than walking the newest ones until enough match.
const FEW: usize = 5000;

/// The published practices of the selection, most recently changed first, at most `limit`.
/// Without filters, the newest `limit` (through the index on status and `updated_at`). With
/// filters, the practices the index finds for them when they are few, else the newest read a
/// batch at a time until `limit` match: never the whole store. The store has the last word on
/// status and filters either way.
pub async fn recent(
    state: &AppState,
    sel: &Selection,
    limit: usize,
) -> Result<Vec<Practice>, ApiError> {
    let (themes, communes) = (keys(sel, Filter::Theme), keys(sel, Filter::Commune));
    let wanted = |p: &Practice| {
        p.status == Status::Published
            && any_of(&p.fields.themes, &themes)
            && any_of(&p.fields.communes, &communes)
    };
    if themes.is_empty() && communes.is_empty() {
        return Ok(state
            .store
            .practices_with_status_page(Status::Published, 0, Some(limit as u64))
            .await?);
    }
    let query = sel.all_pages().to_query();
    let ids = state.searching(move |s| s.ids(&query)).await?;
    if ids.len() <= FEW {
        let mut out: Vec<Practice> = Vec::new();
        for chunk in ids.chunks(BATCH as usize) {
            out.extend(
                state
                    .store
                    .practices_by_ids(chunk)
                    .await?
                    .into_iter()
                    .filter(|p| wanted(p)),
            );
            out.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
            out.truncate(limit);
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    let mut offset = 0;
    while out.len() < limit {
        let page = state
            .store
            .practices_with_status_page(Status::Published, offset, Some(BATCH))
            .await?;
        let read = page.len() as u64;
        out.extend(page.into_iter().filter(|p| wanted(p)));
        if read < BATCH {
            break;
        }
        offset += read;
    }
    out.truncate(limit);
    Ok(out)
}

/// The first of objectives, description and results, cut to a summary's length.
fn summary(p: &Practice) -> Option<String> {
    const MAX: usize = 400;
    let f = &p.fields;
    let text = [&f.objectives, &f.description, &f.results]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())?;
    if text.chars().count() <= MAX {
        return Some(text.to_string());
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Some(format!("{cut} …"))
}

async fn practices_feed(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    ApiQuery(sel): ApiQuery<Selection>,
) -> Result<Response, ApiError> {
    let sel = feed_selection(&sel);
    let base = base_url(&state, &headers);
    let practices = recent(&state, &sel, FEED_LENGTH as usize).await?;
    let entries: Vec<FeedEntry> = practices
        .iter()
        .map(|p| {
            let link = format!("{base}{}", practice_href(p.id, &p.slug));
            FeedEntry {
                // The id stays when the title (hence the slug) changes.
                id: format!("{base}/pratiques/{}", p.id),
                title: p.fields.title.clone(),
                link,
                summary: summary(p),
                published: Some(p.created_at),
                updated: p.updated_at,
            }
        })
        .collect();
    let mut title = lang.t("feed-practices-title");
    let named: Vec<String> = sel.filters.iter().map(|(_, v)| v.clone()).collect();
    if !named.is_empty() {
        title = format!("{title} · {}", named.join(", "));
    }
    let self_link = format!("{base}{}", sel.href(PRACTICES_FEED));
    let meta = FeedMeta {
        id: self_link.clone(),
        title,
        alternate: format!("{base}{}", sel.href("/recherche")),
        self_link,
        author: "zesummen".into(),
        updated: state.clock.now(),
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        render::atom::feed(&meta, &entries),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_theme_and_commune_carry_over() {
        let sel = Selection::parse(Some(
            "q=x&theme=Sport&commune=Strassen&public=jeunes&page=3",
        ))
        .unwrap();
        assert_eq!(
            feed_selection(&sel).query_string(),
            "theme=Sport&commune=Strassen"
        );
    }
}

//! The public catalogue: only published practices are ever shown to the public, one at a time
//! or a whole selection.

use domain::{Practice, Status};

use crate::AppState;
use crate::error::ApiError;
use crate::params::{MAX_PER_PAGE, Selection};

/// A published practice, or `None` (drafts are invisible to the public).
pub async fn published(state: &AppState, id: i64) -> Result<Option<Practice>, store::StoreError> {
    Ok(state
        .store
        .practice(id)
        .await?
        .filter(|p| p.status == Status::Published))
}

/// Every published practice of a selection, in result order: what the CSV, the JSON and the
/// PDF booklet of a search hold.
pub async fn select_all(state: &AppState, sel: &Selection) -> Result<Vec<Practice>, ApiError> {
    if sel.q.is_empty() && sel.filters.is_empty() {
        let all = state.store.practices().await?;
        return Ok(all
            .into_iter()
            .filter(|p| p.status == Status::Published)
            .collect());
    }
    let mut sel = sel.all_pages();
    sel.per_page = MAX_PER_PAGE;
    let mut ids = Vec::new();
    loop {
        let results = state.search.search(&sel.to_query())?;
        ids.extend(results.hits.iter().map(|h| h.id));
        if results.hits.is_empty() || ids.len() as u64 >= results.total {
            break;
        }
        sel.page += 1;
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = published(state, id).await? {
            out.push(p);
        }
    }
    Ok(out)
}

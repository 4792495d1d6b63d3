//! Classification suggestions for a criterion, the same for the criterion page, the group page
//! and `GET /api/v1/spiral/suggestions`: the components of the concepts its words name, those
//! of classified criteria sharing its words (its platform's latest, then every platform's, so
//! that a new platform is not cold), and the codebook's labels.

use std::collections::BTreeSet;

use domain::Criterion;
use domain::classify::Suggestion;
use store::{CriteriaFilter, CriteriaSort, CriteriaSortKey, StoreError};

use crate::AppState;

/// Classified neighbours read per source: enough to learn from, few enough that a page stays
/// fast on a platform of a million post-its.
const NEIGHBOURS: u64 = 2000;

async fn latest(state: &AppState, platform: Option<String>) -> Result<Vec<Criterion>, StoreError> {
    Ok(state
        .store
        .criteria_page(
            &CriteriaFilter {
                platform,
                ..CriteriaFilter::default()
            },
            CriteriaSort {
                key: CriteriaSortKey::Id,
                descending: true,
            },
            0,
            NEIGHBOURS,
        )
        .await?
        .items)
}

/// Up to `limit` components for `criterion`, best first, with their scores and reasons. The
/// criterion itself never counts as its own neighbour.
pub async fn suggestions(
    state: &AppState,
    criterion: &Criterion,
    limit: usize,
) -> Result<Vec<Suggestion>, StoreError> {
    let mut classified = latest(state, Some(criterion.platform.clone())).await?;
    let mut seen: BTreeSet<Option<i64>> = classified.iter().map(|c| c.id).collect();
    for c in latest(state, None).await? {
        if c.id.is_none() || seen.insert(c.id) {
            classified.push(c);
        }
    }
    classified.retain(|c| c.component.is_some() && (c.id.is_none() || c.id != criterion.id));
    let codebook = state.store.active_codebook().await?;
    let words = match &criterion.proposition {
        Some(p) => format!("{} {p}", criterion.text),
        None => criterion.text.clone(),
    };
    let hints = state.search.component_hints(&words);
    Ok(domain::classify::suggestions(
        criterion,
        &classified,
        codebook.as_ref(),
        &hints,
        limit,
    ))
}

//! The other way of the bridge: the citizens' criteria a practice answers, by platform. A
//! criterion answers when its words name concepts the practice carries (themes aside: they are
//! too broad to say a practice answers anything).
//!
//! Criteria are tagged as they are read, among the latest [`CRITERIA_READ`] of every platform:
//! a fiche's page stays fast however many post-its the platforms hold.

use std::collections::BTreeMap;

use serde::Serialize;
use store::{CriteriaFilter, CriteriaSort, CriteriaSortKey, StoreError};

use crate::AppState;

/// How many of the latest criteria a fiche's page reads.
pub const CRITERIA_READ: u64 = 2000;
/// Criteria listed per platform; the rest are counted.
const LISTED: usize = 3;

/// A criterion a practice answers, and the concepts both name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnsweredCriterion {
    pub id: i64,
    pub question: String,
    pub text: String,
    /// Concept ids the criterion names and the practice carries.
    pub shared: Vec<String>,
}

/// A platform's criteria that a practice answers: how many, and the closest few.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformAnswered {
    pub platform: String,
    pub count: u64,
    pub criteria: Vec<AnsweredCriterion>,
}

/// The criteria `practice` answers, by platform, the platform with most first. Empty when
/// the practice is not indexed or no concept scheme is in use.
pub async fn criteria_answered(
    state: &AppState,
    practice: i64,
) -> Result<Vec<PlatformAnswered>, StoreError> {
    let Ok(Some(tags)) = state.search.tags_of(practice) else {
        return Ok(Vec::new());
    };
    if tags.concepts.is_empty() {
        return Ok(Vec::new());
    }
    let criteria = state
        .store
        .criteria_page(
            &CriteriaFilter::default(),
            CriteriaSort {
                key: CriteriaSortKey::Id,
                descending: true,
            },
            0,
            CRITERIA_READ,
        )
        .await?
        .items;
    let mut by_platform: BTreeMap<String, Vec<(f32, AnsweredCriterion)>> = BTreeMap::new();
    for c in criteria {
        let Some(id) = c.id else { continue };
        let words = match &c.proposition {
            Some(p) => format!("{} {p}", c.text),
            None => c.text.clone(),
        };
        let mut weight = 0.0;
        let mut shared = Vec::new();
        for tag in state.search.concepts_of(&words) {
            if tags.concepts.contains(&tag.concept) {
                weight += tag.weight;
                shared.push(tag.concept);
            }
        }
        if shared.is_empty() {
            continue;
        }
        by_platform.entry(c.platform.clone()).or_default().push((
            weight,
            AnsweredCriterion {
                id,
                question: c.question,
                text: c.text,
                shared,
            },
        ));
    }
    let mut out: Vec<PlatformAnswered> = by_platform
        .into_iter()
        .map(|(platform, mut found)| {
            found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
            PlatformAnswered {
                platform,
                count: found.len() as u64,
                criteria: found.into_iter().take(LISTED).map(|(_, c)| c).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.platform.cmp(&b.platform))
    });
    Ok(out)
}

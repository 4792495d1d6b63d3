//! The SPIRAL work after the import: platforms, groups and criteria edited one by one,
//! syntheses and statistics, pilot actions, progress indicators and their co-evaluations.
//!
//! Every backend implements [`SpiralStore`]; the rules it applies before writing (what is
//! valid, what is missing, what conflicts) and the words it refuses with live here, once, so
//! that two SQL implementations refuse alike.

use std::collections::{HashMap, HashSet};
use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use domain::{
    ActionStatus, Criterion, Evaluation, HomogeneousGroup, Indicator, PilotAction, Platform,
    Statistics, SynthesisRow, synthesis::UNCLASSIFIED,
};
use serde::Serialize;

use crate::{CriteriaFilter, Result, StoreError};

#[async_trait]
pub trait SpiralStore: Send + Sync {
    async fn platform(&self, id: i64) -> Result<Option<Platform>>;
    async fn group(&self, id: i64) -> Result<Option<HomogeneousGroup>>;
    /// Name unique ([`StoreError::Conflict`] otherwise). `created_at` is `now`. Returns the
    /// new id.
    async fn create_platform(&self, platform: &Platform, now: DateTime<Utc>) -> Result<i64>;
    /// Name, country, languages, description, coordination. [`StoreError::NotFound`];
    /// renaming to the name of another platform is a [`StoreError::Conflict`].
    async fn update_platform(&self, id: i64, platform: &Platform, now: DateTime<Utc>)
    -> Result<()>;
    /// The group's platform is named by `group.platform` (must exist: NotFound);
    /// (platform, name) unique (Conflict). `created_at` is `now`.
    async fn create_group(&self, group: &HomogeneousGroup, now: DateTime<Utc>) -> Result<i64>;
    /// Name, language, profile; a group never moves to another platform (`group.platform` is
    /// not read). NotFound; renaming to the name of another group of its platform is a
    /// Conflict.
    async fn update_group(
        &self,
        id: i64,
        group: &HomogeneousGroup,
        now: DateTime<Utc>,
    ) -> Result<()>;

    async fn criterion(&self, id: i64) -> Result<Option<Criterion>>;
    /// Criteria in pages: `total` counts every match of the filter.
    async fn criteria_page(
        &self,
        filter: &CriteriaFilter,
        sort: CriteriaSort,
        offset: u64,
        limit: u64,
    ) -> Result<CriteriaPage>;
    /// The group named by (`criterion.platform`, `criterion.group`) must exist (NotFound);
    /// the question must be a code of the questions reference table ([`StoreError::Invalid`]).
    /// `criterion.id` is not read: the id is the next after the highest ever given, never
    /// reused. `created_at` and `updated_at` are `now`.
    async fn create_criterion(&self, criterion: &Criterion, now: DateTime<Utc>) -> Result<i64>;
    /// Question, text, expressions, component, meaning, proposition; `updated_at = now`.
    /// NotFound; Invalid as [`SpiralStore::create_criterion`].
    async fn update_criterion(
        &self,
        id: i64,
        criterion: &Criterion,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// NotFound; also removes it from the criteria lists of pilot actions.
    async fn delete_criterion(&self, id: i64) -> Result<()>;

    /// The aggregate group × question × component → count for one platform (optionally one of
    /// its groups), computed by the database; `component` is `None` for unclassified criteria.
    /// Ordered by group, question, component (unclassified last). NotFound for an unknown
    /// platform, or a group that is not the platform's.
    ///
    /// Both backends keep this aggregate in a table (`criteria_tally`) that triggers update in
    /// the transaction of every write to `criteria`: counting a platform's criteria row by row
    /// takes hundreds of milliseconds at a million criteria, reading the aggregate about one.
    async fn synthesis_rows(
        &self,
        platform_id: i64,
        group_id: Option<i64>,
    ) -> Result<Vec<SynthesisRow>>;
    /// Counts over all platforms: platforms, groups, criteria; criteria by question, by
    /// dimension ([`UNCLASSIFIED`] without a component) and by month of creation (`YYYY-MM`).
    async fn statistics(&self) -> Result<Statistics>;

    /// Pilot actions matching the filter, by id.
    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<PilotAction>>;
    async fn action(&self, id: i64) -> Result<Option<PilotAction>>;
    /// The platform (by name) must exist (NotFound); every criterion must exist and be one of
    /// the platform's (Invalid, naming the id). `created_at` and `updated_at` are `now`.
    async fn create_action(&self, action: &PilotAction, now: DateTime<Utc>) -> Result<i64>;
    /// Everything but the platform (an action stays with its platform) and `created_at`;
    /// `updated_at = now`. NotFound; Invalid as [`SpiralStore::create_action`].
    async fn update_action(&self, id: i64, action: &PilotAction, now: DateTime<Utc>) -> Result<()>;

    /// Indicators of one platform (by name), or of all; by id.
    async fn indicators(&self, platform: Option<&str>) -> Result<Vec<Indicator>>;
    async fn indicator(&self, id: i64) -> Result<Option<Indicator>>;
    /// The platform must exist (NotFound); one level description per level of the stored
    /// scale ([`Indicator::validate`]: Invalid). `created_at` is `now`.
    async fn create_indicator(&self, indicator: &Indicator, now: DateTime<Utc>) -> Result<i64>;
    /// Component, title, levels (validated again); the platform stays. NotFound.
    async fn update_indicator(
        &self,
        id: i64,
        indicator: &Indicator,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The evaluations of an indicator, by date, then id. NotFound for an unknown indicator.
    async fn evaluations(&self, indicator_id: i64) -> Result<Vec<Evaluation>>;
    /// The indicator must exist (NotFound); the level must be on the scale
    /// ([`Evaluation::validate`]), and the group, if any, one of the indicator's platform
    /// (Invalid).
    async fn add_evaluation(&self, evaluation: &Evaluation, now: DateTime<Utc>) -> Result<i64>;
}

/// One page of criteria.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CriteriaPage {
    /// Every criterion matching the filter, not only this page's.
    pub total: u64,
    pub items: Vec<Criterion>,
}

/// What criteria can be sorted by: the columns of the wikispiral criteria table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CriteriaSortKey {
    #[default]
    Id,
    Platform,
    Group,
    Question,
    Expressions,
    Text,
    Component,
    Meaning,
    Proposition,
    Created,
    Modified,
}

impl CriteriaSortKey {
    pub const ALL: [CriteriaSortKey; 11] = [
        CriteriaSortKey::Id,
        CriteriaSortKey::Platform,
        CriteriaSortKey::Group,
        CriteriaSortKey::Question,
        CriteriaSortKey::Expressions,
        CriteriaSortKey::Text,
        CriteriaSortKey::Component,
        CriteriaSortKey::Meaning,
        CriteriaSortKey::Proposition,
        CriteriaSortKey::Created,
        CriteriaSortKey::Modified,
    ];

    /// The column's name, as a sort parameter names it.
    pub fn as_str(self) -> &'static str {
        match self {
            CriteriaSortKey::Id => "id",
            CriteriaSortKey::Platform => "platform",
            CriteriaSortKey::Group => "group",
            CriteriaSortKey::Question => "question",
            CriteriaSortKey::Expressions => "expressions",
            CriteriaSortKey::Text => "text",
            CriteriaSortKey::Component => "component",
            CriteriaSortKey::Meaning => "meaning",
            CriteriaSortKey::Proposition => "proposition",
            CriteriaSortKey::Created => "created",
            CriteriaSortKey::Modified => "modified",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// How a page of criteria is sorted: one whitelisted column, ascending or descending.
///
/// The same order on every backend: text compares byte by byte (code point order, not a
/// language's collation: `É` comes after `z`), empty values (`NULL`) come last in both
/// directions, and ties go by id ascending, so that pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CriteriaSort {
    pub key: CriteriaSortKey,
    pub descending: bool,
}

impl CriteriaSort {
    /// `text` sorts by text, ascending; `-text` descending. An empty string is the default,
    /// id ascending.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Self::default());
        }
        let (descending, column) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let key = CriteriaSortKey::parse(column).ok_or_else(|| {
            let known: Vec<&str> = CriteriaSortKey::ALL.iter().map(|k| k.as_str()).collect();
            StoreError::Invalid(format!(
                "`{s}` is not a sort order of criteria: expected one of {}, optionally \
                 preceded by `-` for descending",
                known.join(", ")
            ))
        })?;
        Ok(Self { key, descending })
    }
}

impl fmt::Display for CriteriaSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.descending {
            f.write_str("-")?;
        }
        f.write_str(self.key.as_str())
    }
}

/// Pilot actions selection; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter {
    /// The platform's name.
    pub platform: Option<String>,
    pub status: Option<ActionStatus>,
    /// Actions with a component that aggregates to the same component as this code (its
    /// first three characters: `A01` matches `A01-11/P15/k`, and the other way round).
    pub component: Option<String>,
    /// Actions that answer this criterion.
    pub criterion: Option<i64>,
}

impl ActionFilter {
    /// The three characters the component filter compares.
    pub fn component3(&self) -> Option<&str> {
        self.component.as_deref().map(|c| {
            let c = c.trim();
            c.get(..3).unwrap_or(c)
        })
    }
}

/// The form in which backends keep the zone-less timestamps of SPIRAL rows: `now`, in UTC,
/// with whole seconds.
pub fn stamp(now: DateTime<Utc>) -> NaiveDateTime {
    now.naive_utc().trunc_subsecs(0)
}

/// Puts the rows of a synthesis in their documented order: group, question, component
/// (unclassified last), comparing text byte by byte whatever the database's collation.
pub fn sort_synthesis_rows(rows: &mut [SynthesisRow]) {
    rows.sort_by(|a, b| {
        (&a.group, &a.question, a.component.is_none(), &a.component).cmp(&(
            &b.group,
            &b.question,
            b.component.is_none(),
            &b.component,
        ))
    });
}

/// The key a count goes under in a [`domain::Tally`]: the key read, or [`UNCLASSIFIED`] for
/// none (a criterion without a component has no dimension).
pub fn tally_key(key: Option<String>) -> String {
    key.unwrap_or_else(|| UNCLASSIFIED.to_string())
}

/// What is refused, with the same words on every backend.
pub mod refuse {
    use crate::StoreError;

    pub fn platform_id(id: i64) -> StoreError {
        StoreError::NotFound(format!("no platform has id {id}"))
    }

    pub fn platform_name(name: &str) -> StoreError {
        StoreError::NotFound(format!("no platform is named `{name}`"))
    }

    pub fn platform_taken(name: &str) -> StoreError {
        StoreError::Conflict(format!("a platform named `{name}` already exists"))
    }

    pub fn group_id(id: i64) -> StoreError {
        StoreError::NotFound(format!("no homogeneous group has id {id}"))
    }

    pub fn group_of_platform(group_id: i64, platform_id: i64) -> StoreError {
        StoreError::NotFound(format!(
            "platform {platform_id} has no homogeneous group with id {group_id}"
        ))
    }

    pub fn group_name(platform: &str, name: &str) -> StoreError {
        StoreError::NotFound(format!(
            "platform `{platform}` has no homogeneous group named `{name}`"
        ))
    }

    pub fn group_taken(platform: &str, name: &str) -> StoreError {
        StoreError::Conflict(format!(
            "platform `{platform}` already has a homogeneous group named `{name}`"
        ))
    }

    pub fn criterion_id(id: i64) -> StoreError {
        StoreError::NotFound(format!("no criterion has id {id}"))
    }

    pub fn action_id(id: i64) -> StoreError {
        StoreError::NotFound(format!("no pilot action has id {id}"))
    }

    pub fn indicator_id(id: i64) -> StoreError {
        StoreError::NotFound(format!("no progress indicator has id {id}"))
    }

    pub fn unknown_question(question: &str, known: &[String]) -> StoreError {
        StoreError::Invalid(format!(
            "`{question}` is not a question code: expected one of {}",
            if known.is_empty() {
                "the questions of the reference data, which is not loaded".to_string()
            } else {
                known.join(", ")
            }
        ))
    }

    /// A criterion an action names that does not exist, or is another platform's.
    pub fn action_criterion(id: i64, platform: &str, found: Option<&str>) -> StoreError {
        StoreError::Invalid(match found {
            None => format!(
                "criterion {id} does not exist: expected the id of a criterion of platform \
                 `{platform}`"
            ),
            Some(other) => format!(
                "criterion {id} is a criterion of platform `{other}`: expected one of \
                 platform `{platform}`"
            ),
        })
    }

    /// The group of an evaluation that is not one of the indicator's platform.
    pub fn evaluation_group(group: &str, platform: &str) -> StoreError {
        StoreError::Invalid(format!(
            "`{group}` is not a homogeneous group of platform `{platform}`: expected one of \
             its groups, or none for the platform as a whole"
        ))
    }

    pub fn no_scale() -> StoreError {
        StoreError::Invalid(
            "the scale of progress indicators is empty: load the SPIRAL reference data first"
                .to_string(),
        )
    }
}

fn blank(what: &str) -> StoreError {
    StoreError::Invalid(format!("the {what} is empty: expected some text"))
}

/// What a platform needs before it is written.
pub fn check_platform(platform: &Platform) -> Result<()> {
    if platform.name.trim().is_empty() {
        return Err(blank("platform's name"));
    }
    Ok(())
}

/// What a group needs before it is written.
pub fn check_group(group: &HomogeneousGroup) -> Result<()> {
    if group.name.trim().is_empty() {
        return Err(blank("group's name"));
    }
    Ok(())
}

/// What a criterion needs before it is written: some text, and a question that the
/// reference data knows (`questions`: their codes).
pub fn check_criterion(criterion: &Criterion, questions: &[String]) -> Result<()> {
    if !questions.contains(&criterion.question) {
        return Err(refuse::unknown_question(&criterion.question, questions));
    }
    if criterion.text.trim().is_empty() {
        return Err(blank("criterion's text"));
    }
    Ok(())
}

/// What a pilot action needs before it is written, apart from its references: a title, dates
/// in order, each criterion and component once.
pub fn check_action(action: &PilotAction) -> Result<()> {
    if action.title.trim().is_empty() {
        return Err(blank("pilot action's title"));
    }
    if let (Some(start), Some(end)) = (action.starts_on, action.ends_on)
        && start > end
    {
        return Err(StoreError::Invalid(format!(
            "the pilot action ends on {end}, before it starts on {start}: expected an end on \
             or after the start"
        )));
    }
    let mut seen = HashSet::new();
    if let Some(id) = action.criteria.iter().find(|id| !seen.insert(**id)) {
        return Err(StoreError::Invalid(format!(
            "criterion {id} is listed twice: expected each criterion once"
        )));
    }
    let mut seen = HashSet::new();
    if let Some(code) = action.components.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(StoreError::Invalid(format!(
            "component `{code}` is listed twice: expected each component once"
        )));
    }
    Ok(())
}

/// The criteria of an action, `listed`, against what the store found of them: `found` pairs
/// each id found with its platform's name. Every one must be a criterion of `platform`.
pub fn check_action_criteria(
    listed: &[i64],
    platform: &str,
    found: &[(i64, String)],
) -> Result<()> {
    let found: HashMap<i64, &String> = found.iter().map(|(id, p)| (*id, p)).collect();
    for id in listed {
        match found.get(id).copied() {
            Some(p) if p == platform => {}
            other => {
                return Err(refuse::action_criterion(
                    *id,
                    platform,
                    other.map(String::as_str),
                ));
            }
        }
    }
    Ok(())
}

/// [`Indicator::validate`] against the stored scale's length.
pub fn check_indicator(indicator: &Indicator, scale_len: usize) -> Result<()> {
    if scale_len == 0 {
        return Err(refuse::no_scale());
    }
    indicator
        .validate(scale_len)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// [`Evaluation::validate`] against the stored scale's length.
pub fn check_evaluation(evaluation: &Evaluation, scale_len: usize) -> Result<()> {
    if scale_len == 0 {
        return Err(refuse::no_scale());
    }
    evaluation
        .validate(scale_len)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// A stored action status, read back.
pub fn action_status(id: i64, s: &str) -> Result<ActionStatus> {
    ActionStatus::parse(s).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "pilot action {id} has status `{s}`: expected idea, decided, in_progress or evaluated"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_orders_parse_and_print_back() {
        for key in CriteriaSortKey::ALL {
            for descending in [false, true] {
                let sort = CriteriaSort { key, descending };
                assert_eq!(CriteriaSort::parse(&sort.to_string()).unwrap(), sort);
            }
        }
        assert_eq!(CriteriaSort::parse("").unwrap(), CriteriaSort::default());
        assert_eq!(
            CriteriaSort::parse("-text").unwrap(),
            CriteriaSort {
                key: CriteriaSortKey::Text,
                descending: true
            }
        );
        let err = CriteriaSort::parse("-c.text; DROP TABLE criteria")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected one of id, platform, group"), "{err}");
        assert!(CriteriaSort::parse("--text").is_err());
    }

    #[test]
    fn component_filter_compares_three_characters() {
        let f = |c: &str| ActionFilter {
            component: Some(c.into()),
            ..ActionFilter::default()
        };
        assert_eq!(f("A01-11/P15/k").component3(), Some("A01"));
        assert_eq!(f(" D00 ").component3(), Some("D00"));
        assert_eq!(f("A").component3(), Some("A"));
        assert_eq!(ActionFilter::default().component3(), None);
    }

    #[test]
    fn synthesis_rows_sort_unclassified_last() {
        let row = |g: &str, q: &str, c: Option<&str>| SynthesisRow {
            group: g.into(),
            question: q.into(),
            component: c.map(Into::into),
            count: 1,
        };
        let mut rows = vec![
            row("b", "WB", Some("A01")),
            row("a", "WB", None),
            row("a", "WB", Some("Z99")),
            row("a", "IB", Some("B02")),
            row("É", "WB", None),
        ];
        sort_synthesis_rows(&mut rows);
        let order: Vec<(&str, &str, Option<&str>)> = rows
            .iter()
            .map(|r| {
                (
                    r.group.as_str(),
                    r.question.as_str(),
                    r.component.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("a", "IB", Some("B02")),
                ("a", "WB", Some("Z99")),
                ("a", "WB", None),
                ("b", "WB", Some("A01")),
                ("É", "WB", None),
            ]
        );
    }

    #[test]
    fn actions_list_each_criterion_once_and_end_after_they_start() {
        let mut a = PilotAction {
            id: None,
            platform: "p".into(),
            title: "Jardin partagé".into(),
            description: None,
            actors: None,
            criteria: vec![1, 2],
            components: Vec::new(),
            status: ActionStatus::Idea,
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
            ends_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1),
            evaluation: None,
            created_at: None,
            updated_at: None,
        };
        assert!(check_action(&a).is_ok());
        a.criteria.push(1);
        let err = check_action(&a).unwrap_err().to_string();
        assert!(err.contains("criterion 1 is listed twice"), "{err}");
        a.criteria.pop();
        a.ends_on = chrono::NaiveDate::from_ymd_opt(2026, 2, 1);
        assert!(matches!(check_action(&a), Err(StoreError::Invalid(_))));
        a.ends_on = None;
        a.title = "  ".into();
        assert!(matches!(check_action(&a), Err(StoreError::Invalid(_))));
    }
}

//! The SPIRAL work after the import: platforms, groups and criteria edited one by one,
//! syntheses and statistics, pilot actions, progress indicators and their co-evaluations.
//!
//! Every backend implements [`SpiralStore`]; the rules it applies before writing (what is
//! valid, what is missing, what conflicts) and the words it refuses with live here, once, so
//! that two SQL implementations refuse alike.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use domain::{
    ActionStatus, Criterion, Evaluation, HomogeneousGroup, Indicator, PilotAction, Platform,
    Statistics, SynthesisRow, rules, synthesis::UNCLASSIFIED,
};
use serde::Serialize;

use crate::steps::{Backend, PageQuery, SpiralSteps, Steps, TallyBy};
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

/// The SPIRAL work, once for every backend: each write runs in one write transaction, which
/// reads what it checks (names taken, references, the scale) under the backend's write lock,
/// so that no other writer, on any node, can slip in between.
#[async_trait]
impl<B: Backend> SpiralStore for B {
    async fn platform(&self, id: i64) -> Result<Option<Platform>> {
        Ok(self.begin_read().await?.platforms(Some(id)).await?.pop())
    }

    async fn group(&self, id: i64) -> Result<Option<HomogeneousGroup>> {
        Ok(self.begin_read().await?.groups(Some(id)).await?.pop())
    }

    async fn create_platform(&self, platform: &Platform, now: DateTime<Utc>) -> Result<i64> {
        rules::platform(platform)?;
        let mut tx = self.begin_write().await?;
        if tx.platform_id(&platform.name).await?.is_some() {
            return Err(refuse::platform_taken(&platform.name));
        }
        let stamped = Platform {
            created_at: Some(stamp(now)),
            ..platform.clone()
        };
        let id = tx.insert_platform(&stamped).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_platform(
        &self,
        id: i64,
        platform: &Platform,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        rules::platform(platform)?;
        let mut tx = self.begin_write().await?;
        if tx.platforms(Some(id)).await?.is_empty() {
            return Err(refuse::platform_id(id.into()));
        }
        let taken = tx.platform_id(&platform.name).await?;
        if taken.is_some_and(|other| other != id) {
            return Err(refuse::platform_taken(&platform.name));
        }
        tx.update_platform(id, platform).await?;
        tx.commit().await
    }

    async fn create_group(&self, group: &HomogeneousGroup, now: DateTime<Utc>) -> Result<i64> {
        rules::group(group)?;
        let mut tx = self.begin_write().await?;
        let platform = tx
            .platform_id(&group.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&group.platform))?;
        if tx.group_id(platform, &group.name).await?.is_some() {
            return Err(refuse::group_taken(&group.platform, &group.name));
        }
        let stamped = HomogeneousGroup {
            created_at: Some(stamp(now)),
            ..group.clone()
        };
        let id = tx.insert_group(platform, &stamped).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_group(
        &self,
        id: i64,
        group: &HomogeneousGroup,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        rules::group(group)?;
        let mut tx = self.begin_write().await?;
        let (platform, platform_name) = tx
            .group_platform(id)
            .await?
            .ok_or_else(|| refuse::group_id(id.into()))?;
        let taken = tx.group_id(platform, &group.name).await?;
        if taken.is_some_and(|other| other != id) {
            return Err(refuse::group_taken(&platform_name, &group.name));
        }
        tx.update_group(id, group).await?;
        tx.commit().await
    }

    async fn criterion(&self, id: i64) -> Result<Option<Criterion>> {
        self.begin_read().await?.criterion(id).await
    }

    async fn criteria_page(
        &self,
        filter: &CriteriaFilter,
        sort: CriteriaSort,
        offset: u64,
        limit: u64,
    ) -> Result<CriteriaPage> {
        let query = PageQuery {
            filter,
            sort,
            offset,
            limit,
        };
        self.begin_read().await?.criteria_page(&query).await
    }

    async fn create_criterion(&self, criterion: &Criterion, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let group = criterion_group(&mut tx, criterion).await?;
        rules::criterion(criterion, &tx.question_codes().await?)?;
        let stamped = Criterion {
            created_at: Some(stamp(now)),
            updated_at: Some(stamp(now)),
            ..criterion.clone()
        };
        let id = tx.insert_criterion(group, &stamped).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_criterion(
        &self,
        id: i64,
        criterion: &Criterion,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if tx.criterion(id).await?.is_none() {
            return Err(refuse::criterion_id(id.into()));
        }
        rules::criterion(criterion, &tx.question_codes().await?)?;
        let stamped = Criterion {
            updated_at: Some(stamp(now)),
            ..criterion.clone()
        };
        tx.update_criterion(id, &stamped).await?;
        tx.commit().await
    }

    async fn delete_criterion(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // The actions' lists follow (ON DELETE CASCADE); its id is never given again.
        if !tx.delete_criterion(id).await? {
            return Err(refuse::criterion_id(id.into()));
        }
        tx.commit().await
    }

    async fn synthesis_rows(
        &self,
        platform_id: i64,
        group_id: Option<i64>,
    ) -> Result<Vec<SynthesisRow>> {
        let mut tx = self.begin_read().await?;
        if tx.platforms(Some(platform_id)).await?.is_empty() {
            return Err(refuse::platform_id(platform_id.into()));
        }
        if let Some(group) = group_id {
            let owner = tx.group_platform(group).await?.map(|(p, _)| p);
            if owner != Some(platform_id) {
                return Err(refuse::group_of_platform(group.into(), platform_id.into()));
            }
        }
        let mut rows = tx.tally_rows(platform_id, group_id).await?;
        sort_synthesis_rows(&mut rows);
        Ok(rows)
    }

    async fn statistics(&self) -> Result<Statistics> {
        let mut tx = self.begin_read().await?;
        let (platforms, groups, criteria) = tx.spiral_counts().await?;
        Ok(Statistics {
            platforms,
            groups,
            criteria,
            by_question: tx.criteria_tally(TallyBy::Question).await?,
            by_dimension: tx.criteria_tally(TallyBy::Dimension).await?,
            by_month: tx.criteria_tally(TallyBy::Month).await?,
        })
    }

    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<PilotAction>> {
        self.begin_read().await?.actions(filter, None).await
    }

    async fn action(&self, id: i64) -> Result<Option<PilotAction>> {
        let mut tx = self.begin_read().await?;
        Ok(tx.actions(&ActionFilter::default(), Some(id)).await?.pop())
    }

    async fn create_action(&self, action: &PilotAction, now: DateTime<Utc>) -> Result<i64> {
        rules::action(action)?;
        let mut tx = self.begin_write().await?;
        let platform = tx
            .platform_id(&action.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&action.platform))?;
        let found = tx.criteria_platforms(&action.criteria).await?;
        rules::action_criteria(&action.criteria, &action.platform, &found)?;
        let stamped = PilotAction {
            created_at: Some(stamp(now)),
            updated_at: Some(stamp(now)),
            ..action.clone()
        };
        let id = tx.insert_action(platform, &stamped).await?;
        tx.write_action_lists(id, action).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_action(&self, id: i64, action: &PilotAction, now: DateTime<Utc>) -> Result<()> {
        rules::action(action)?;
        let mut tx = self.begin_write().await?;
        let platform = tx
            .action_platform(id)
            .await?
            .ok_or_else(|| refuse::action_id(id.into()))?;
        let found = tx.criteria_platforms(&action.criteria).await?;
        rules::action_criteria(&action.criteria, &platform, &found)?;
        let stamped = PilotAction {
            updated_at: Some(stamp(now)),
            ..action.clone()
        };
        tx.update_action(id, &stamped).await?;
        tx.write_action_lists(id, action).await?;
        tx.commit().await
    }

    async fn indicators(&self, platform: Option<&str>) -> Result<Vec<Indicator>> {
        self.begin_read().await?.indicators(platform, None).await
    }

    async fn indicator(&self, id: i64) -> Result<Option<Indicator>> {
        Ok(self
            .begin_read()
            .await?
            .indicators(None, Some(id))
            .await?
            .pop())
    }

    async fn create_indicator(&self, indicator: &Indicator, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        rules::indicator(indicator, tx.scale_len().await?)?;
        let platform = tx
            .platform_id(&indicator.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&indicator.platform))?;
        let stamped = Indicator {
            created_at: Some(stamp(now)),
            ..indicator.clone()
        };
        let id = tx.insert_indicator(platform, &stamped).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_indicator(
        &self,
        id: i64,
        indicator: &Indicator,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        indicator_platform(&mut tx, id).await?;
        rules::indicator(indicator, tx.scale_len().await?)?;
        tx.update_indicator(id, indicator, stamp(now)).await?;
        tx.commit().await
    }

    async fn evaluations(&self, indicator_id: i64) -> Result<Vec<Evaluation>> {
        let mut tx = self.begin_read().await?;
        indicator_platform(&mut tx, indicator_id).await?;
        tx.evaluations(indicator_id).await
    }

    async fn add_evaluation(&self, evaluation: &Evaluation, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let (platform, platform_name) =
            indicator_platform(&mut tx, evaluation.indicator_id).await?;
        rules::evaluation(evaluation, tx.scale_len().await?)?;
        let group = match &evaluation.group {
            Some(name) => Some(
                tx.group_id(platform, name)
                    .await?
                    .ok_or_else(|| refuse::evaluation_group(name, &platform_name))?,
            ),
            None => None,
        };
        let id = tx.insert_evaluation(evaluation, group, stamp(now)).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The group a criterion names, by platform and group name.
async fn criterion_group<T: SpiralSteps>(tx: &mut T, c: &Criterion) -> Result<i64> {
    let platform = tx
        .platform_id(&c.platform)
        .await?
        .ok_or_else(|| refuse::platform_name(&c.platform))?;
    tx.group_id(platform, &c.group)
        .await?
        .ok_or_else(|| refuse::group_name(&c.platform, &c.group))
}

/// The platform of indicator `id` (its id and name), or [`refuse::indicator_id`].
async fn indicator_platform<T: SpiralSteps>(tx: &mut T, id: i64) -> Result<(i64, String)> {
    tx.indicator_platform(id)
        .await?
        .ok_or_else(|| refuse::indicator_id(id.into()))
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
    use domain::{ActionId, CriterionId, GroupId, IndicatorId, PlatformId};

    use crate::StoreError;

    pub fn platform_id(id: PlatformId) -> StoreError {
        StoreError::NotFound(format!("no platform has id {id}"))
    }

    pub fn platform_name(name: &str) -> StoreError {
        StoreError::NotFound(format!("no platform is named `{name}`"))
    }

    pub fn platform_taken(name: &str) -> StoreError {
        StoreError::Conflict(format!("a platform named `{name}` already exists"))
    }

    pub fn group_id(id: GroupId) -> StoreError {
        StoreError::NotFound(format!("no homogeneous group has id {id}"))
    }

    pub fn group_of_platform(group_id: GroupId, platform_id: PlatformId) -> StoreError {
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

    pub fn criterion_id(id: CriterionId) -> StoreError {
        StoreError::NotFound(format!("no criterion has id {id}"))
    }

    pub fn action_id(id: ActionId) -> StoreError {
        StoreError::NotFound(format!("no pilot action has id {id}"))
    }

    pub fn indicator_id(id: IndicatorId) -> StoreError {
        StoreError::NotFound(format!("no progress indicator has id {id}"))
    }

    /// The group of an evaluation that is not one of the indicator's platform.
    pub fn evaluation_group(group: &str, platform: &str) -> StoreError {
        StoreError::Invalid(format!(
            "`{group}` is not a homogeneous group of platform `{platform}`: expected one of \
             its groups, or none for the platform as a whole"
        ))
    }
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
}

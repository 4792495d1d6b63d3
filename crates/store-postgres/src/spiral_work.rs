//! The SPIRAL work after the import ([`SpiralStore`]): platforms, groups and criteria edited
//! one by one, syntheses and statistics, pilot actions, indicators and evaluations; the same
//! shapes as `store-sqlite`'s.
//!
//! Each write runs in one transaction under [`crate::WRITE_LOCK`], which reads what it checks
//! (names taken, references, the scale): no other writer, on any node, can slip in between.
//! What is refused, and in which words, is `store::spiral`'s. Reads go to the reader (the
//! replica when there is one).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::{
    ComponentCode, Criterion, Evaluation, HomogeneousGroup, Indicator, MeaningCode, PilotAction,
    Platform, Statistics, SynthesisRow, Tally,
};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use store::spiral::{
    self, check_action, check_action_criteria, check_criterion, check_evaluation, check_group,
    check_indicator, check_platform, refuse, stamp,
};
use store::{
    ActionFilter, CriteriaFilter, CriteriaPage, CriteriaSort, CriteriaSortKey, Result, SpiralStore,
    StoreError,
};

use crate::spiral::{Row, groups_with, platforms_with};
use crate::{PgStore, db, db_while, next_id, raise_high_water, unsigned};

/// The column a sort key orders by. Text compares byte by byte (`COLLATE "C"`), as SQLite's
/// default collation does and as `store::spiral::CriteriaSort` says, whatever the database's
/// own collation.
fn sort_column(key: CriteriaSortKey) -> &'static str {
    match key {
        CriteriaSortKey::Id => "c.id",
        CriteriaSortKey::Platform => r#"p.name COLLATE "C""#,
        CriteriaSortKey::Group => r#"g.name COLLATE "C""#,
        CriteriaSortKey::Question => r#"c.question COLLATE "C""#,
        CriteriaSortKey::Expressions => "c.expressions",
        CriteriaSortKey::Text => r#"c.text COLLATE "C""#,
        CriteriaSortKey::Component => r#"c.component COLLATE "C""#,
        CriteriaSortKey::Meaning => r#"c.meaning COLLATE "C""#,
        CriteriaSortKey::Proposition => r#"c.proposition COLLATE "C""#,
        CriteriaSortKey::Created => "c.created_at",
        CriteriaSortKey::Modified => "c.updated_at",
    }
}

/// A count or offset as PostgreSQL's bigint; beyond its range means "all".
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

async fn platform_id(conn: &mut PgConnection, name: &str) -> Result<Option<i64>> {
    sqlx::query_scalar!("SELECT id FROM platforms WHERE name = $1", name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_while(format!("looking for platform `{name}`")))
}

async fn group_id(conn: &mut PgConnection, platform_id: i64, name: &str) -> Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT id FROM homogeneous_groups WHERE platform_id = $1 AND name = $2",
        platform_id,
        name
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("looking for group `{name}`")))
}

/// The codes of the questions of the reference data, in their order.
async fn question_codes(conn: &mut PgConnection) -> Result<Vec<String>> {
    sqlx::query_scalar!("SELECT code FROM questions ORDER BY position")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading the questions"))
}

async fn scale_len(conn: &mut PgConnection) -> Result<usize> {
    let n = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM scale_levels"#)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_while("reading the scale"))?;
    Ok(count(n) as usize)
}

/// The stored criterion `id`.
async fn criterion_by_id(conn: &mut PgConnection, id: i64) -> Result<Option<Criterion>> {
    sqlx::query_as!(
        Row,
        r#"SELECT c.id, p.name AS platform, g.name AS "group", c.question, c.text,
                  c.expressions, c.component, c.meaning, c.proposition, c.created_at,
                  c.updated_at
             FROM criteria c
             JOIN homogeneous_groups g ON g.id = c.group_id
             JOIN platforms p ON p.id = g.platform_id
            WHERE c.id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading criterion {id}")))?
    .map(Row::criterion)
    .transpose()
}

/// The group a criterion names, by platform and group name.
async fn criterion_group(conn: &mut PgConnection, c: &Criterion) -> Result<i64> {
    let platform = platform_id(conn, &c.platform)
        .await?
        .ok_or_else(|| refuse::platform_name(&c.platform))?;
    group_id(conn, platform, &c.group)
        .await?
        .ok_or_else(|| refuse::group_name(&c.platform, &c.group))
}

/// A pilot action as read, before its codes and status are parsed.
struct ActionRow {
    id: i64,
    platform: String,
    title: String,
    description: Option<String>,
    actors: Option<String>,
    status: String,
    starts_on: Option<chrono::NaiveDate>,
    ends_on: Option<chrono::NaiveDate>,
    evaluation: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    criteria: Vec<i64>,
    components: Vec<String>,
}

impl ActionRow {
    fn action(self) -> Result<PilotAction> {
        let id = self.id;
        Ok(PilotAction {
            id: Some(id),
            platform: self.platform,
            title: self.title,
            description: self.description,
            actors: self.actors,
            criteria: self.criteria,
            components: self
                .components
                .iter()
                .map(|c| ComponentCode::parse(c))
                .collect::<Result<_, _>>()
                .map_err(|e| StoreError::Corrupt(format!("pilot action {id}: {e}")))?,
            status: spiral::action_status(id, &self.status)?,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            evaluation: self.evaluation,
            created_at: Some(self.created_at),
            updated_at: Some(self.updated_at),
        })
    }
}

/// Actions matching the filter, or the one with id `only`.
async fn load_actions(
    conn: &mut PgConnection,
    filter: &ActionFilter,
    only: Option<i64>,
) -> Result<Vec<PilotAction>> {
    let rows = sqlx::query_as!(
        ActionRow,
        r#"SELECT a.id, p.name AS platform, a.title, a.description, a.actors, a.status,
                  a.starts_on, a.ends_on, a.evaluation, a.created_at, a.updated_at,
                  array(SELECT ac.criterion_id FROM pilot_action_criteria ac
                         WHERE ac.action_id = a.id ORDER BY ac.position) AS "criteria!",
                  array(SELECT pc.code FROM pilot_action_components pc
                         WHERE pc.action_id = a.id ORDER BY pc.position) AS "components!"
             FROM pilot_actions a JOIN platforms p ON p.id = a.platform_id
            WHERE ($1::text IS NULL OR p.name = $1)
              AND ($2::text IS NULL OR a.status = $2)
              AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM pilot_action_components pc
                                                WHERE pc.action_id = a.id
                                                  AND substr(pc.code, 1, 3) = $3))
              AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM pilot_action_criteria ac
                                                  WHERE ac.action_id = a.id
                                                    AND ac.criterion_id = $4))
              AND ($5::bigint IS NULL OR a.id = $5)
            ORDER BY a.id"#,
        filter.platform.as_deref(),
        filter.status.map(domain::ActionStatus::as_str),
        filter.component3(),
        filter.criterion,
        only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading pilot actions"))?;
    rows.into_iter().map(ActionRow::action).collect()
}

/// Checks the criteria an action lists against the store: each must be one of `platform`'s.
async fn check_criteria_of(
    conn: &mut PgConnection,
    action: &PilotAction,
    platform: &str,
) -> Result<()> {
    let found = sqlx::query!(
        "SELECT c.id, p.name FROM criteria c
           JOIN homogeneous_groups g ON g.id = c.group_id
           JOIN platforms p ON p.id = g.platform_id
          WHERE c.id = ANY($1)",
        &action.criteria
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading the criteria of a pilot action"))?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect::<Vec<_>>();
    check_action_criteria(&action.criteria, platform, &found)
}

/// Writes the lists of action `id`, replacing what it had.
async fn write_action_lists(conn: &mut PgConnection, id: i64, action: &PilotAction) -> Result<()> {
    let codes: Vec<String> = action
        .components
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let what = |list: &str| format!("writing the {list} of pilot action {id}");
    sqlx::query!("DELETE FROM pilot_action_criteria WHERE action_id = $1", id)
        .execute(&mut *conn)
        .await
        .map_err(db_while(what("criteria")))?;
    sqlx::query!(
        "INSERT INTO pilot_action_criteria (action_id, position, criterion_id)
         SELECT $1, (n - 1)::integer, criterion_id
           FROM UNNEST($2::bigint[]) WITH ORDINALITY AS u(criterion_id, n)",
        id,
        &action.criteria
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what("criteria")))?;
    sqlx::query!(
        "DELETE FROM pilot_action_components WHERE action_id = $1",
        id
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what("components")))?;
    sqlx::query!(
        "INSERT INTO pilot_action_components (action_id, position, code)
         SELECT $1, (n - 1)::integer, code
           FROM UNNEST($2::text[]) WITH ORDINALITY AS u(code, n)",
        id,
        &codes
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what("components")))?;
    Ok(())
}

/// Indicators of the platform named `platform` (or of all), or the one with id `only`.
async fn load_indicators(
    conn: &mut PgConnection,
    platform: Option<&str>,
    only: Option<i64>,
) -> Result<Vec<Indicator>> {
    let rows = sqlx::query!(
        r#"SELECT i.id, p.name AS platform, i.component, i.title, i.levels, i.created_at
             FROM indicators i JOIN platforms p ON p.id = i.platform_id
            WHERE ($1::text IS NULL OR p.name = $1) AND ($2::bigint IS NULL OR i.id = $2)
            ORDER BY i.id"#,
        platform,
        only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading progress indicators"))?;
    rows.into_iter()
        .map(|r| {
            let id = r.id;
            Ok(Indicator {
                id: Some(id),
                platform: r.platform,
                component: ComponentCode::parse(&r.component)
                    .map_err(|e| StoreError::Corrupt(format!("indicator {id}: {e}")))?,
                title: r.title,
                levels: r.levels,
                created_at: Some(r.created_at),
            })
        })
        .collect()
}

/// The platform of indicator `id`: its id and name.
async fn indicator_platform(conn: &mut PgConnection, id: i64) -> Result<(i64, String)> {
    let row = sqlx::query!(
        "SELECT p.id, p.name FROM indicators i JOIN platforms p ON p.id = i.platform_id
          WHERE i.id = $1",
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading indicator {id}")))?
    .ok_or_else(|| refuse::indicator_id(id))?;
    Ok((row.id, row.name))
}

/// Counts per key; `None` keys go under [`domain::synthesis::UNCLASSIFIED`].
fn tally(rows: impl IntoIterator<Item = (Option<String>, i64)>) -> Tally {
    rows.into_iter()
        .map(|(key, n)| (spiral::tally_key(key), count(n)))
        .collect()
}

#[async_trait]
impl SpiralStore for PgStore {
    async fn platform(&self, id: i64) -> Result<Option<Platform>> {
        let mut conn = self.reader().acquire().await.map_err(db)?;
        Ok(platforms_with(&mut conn, Some(id)).await?.pop())
    }

    async fn group(&self, id: i64) -> Result<Option<HomogeneousGroup>> {
        let mut conn = self.reader().acquire().await.map_err(db)?;
        Ok(groups_with(&mut conn, Some(id)).await?.pop())
    }

    async fn create_platform(&self, platform: &Platform, now: DateTime<Utc>) -> Result<i64> {
        check_platform(platform)?;
        let mut tx = self.begin_write().await?;
        if platform_id(&mut tx, &platform.name).await?.is_some() {
            return Err(refuse::platform_taken(&platform.name));
        }
        let id = next_id(&mut tx, "platforms").await?;
        raise_high_water(&mut tx, "platforms", id).await?;
        sqlx::query!(
            "INSERT INTO platforms (id, name, country, languages, description, coordination,
                                    created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            platform.name,
            platform.country,
            &platform.languages,
            platform.description,
            platform.coordination,
            stamp(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("writing platform `{}`", platform.name)))?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn update_platform(
        &self,
        id: i64,
        platform: &Platform,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        check_platform(platform)?;
        let mut tx = self.begin_write().await?;
        if platforms_with(&mut tx, Some(id)).await?.is_empty() {
            return Err(refuse::platform_id(id));
        }
        if platform_id(&mut tx, &platform.name)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(refuse::platform_taken(&platform.name));
        }
        sqlx::query!(
            "UPDATE platforms SET name = $2, country = $3, languages = $4, description = $5,
                    coordination = $6
              WHERE id = $1",
            id,
            platform.name,
            platform.country,
            &platform.languages,
            platform.description,
            platform.coordination
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating platform {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn create_group(&self, group: &HomogeneousGroup, now: DateTime<Utc>) -> Result<i64> {
        check_group(group)?;
        let mut tx = self.begin_write().await?;
        let platform = platform_id(&mut tx, &group.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&group.platform))?;
        if group_id(&mut tx, platform, &group.name).await?.is_some() {
            return Err(refuse::group_taken(&group.platform, &group.name));
        }
        let id = next_id(&mut tx, "homogeneous_groups").await?;
        raise_high_water(&mut tx, "homogeneous_groups", id).await?;
        sqlx::query!(
            "INSERT INTO homogeneous_groups (id, platform_id, name, language, profile,
                                             created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            platform,
            group.name,
            group.language,
            group.profile,
            stamp(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("writing group `{}`", group.name)))?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn update_group(
        &self,
        id: i64,
        group: &HomogeneousGroup,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        check_group(group)?;
        let mut tx = self.begin_write().await?;
        let owner = sqlx::query!(
            "SELECT g.platform_id, p.name FROM homogeneous_groups g
               JOIN platforms p ON p.id = g.platform_id WHERE g.id = $1",
            id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_while(format!("reading group {id}")))?
        .ok_or_else(|| refuse::group_id(id))?;
        if group_id(&mut tx, owner.platform_id, &group.name)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(refuse::group_taken(&owner.name, &group.name));
        }
        sqlx::query!(
            "UPDATE homogeneous_groups SET name = $2, language = $3, profile = $4 WHERE id = $1",
            id,
            group.name,
            group.language,
            group.profile
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating group {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn criterion(&self, id: i64) -> Result<Option<Criterion>> {
        criterion_by_id(&mut *self.reader().acquire().await.map_err(db)?, id).await
    }

    async fn criteria_page(
        &self,
        filter: &CriteriaFilter,
        sort: CriteriaSort,
        offset: u64,
        limit: u64,
    ) -> Result<CriteriaPage> {
        let component = filter.component.as_deref().map(str::trim);
        // A component matches what codes aggregate to; a fine code matches itself.
        let component3 = component.filter(|c| c.len() <= 3);
        let fine = component.filter(|c| c.len() > 3);
        let mut tx = self.begin_read().await?;
        let total = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!"
                 FROM criteria c
                 JOIN homogeneous_groups g ON g.id = c.group_id
                 JOIN platforms p ON p.id = g.platform_id
                WHERE ($1::text IS NULL OR p.name = $1)
                  AND ($2::text IS NULL OR g.name = $2)
                  AND ($3::text IS NULL OR c.question = $3)
                  AND ($4::text IS NULL OR c.dimension = $4)
                  AND ($5::text IS NULL OR c.component3 = $5)
                  AND ($6::text IS NULL OR c.component = $6)"#,
            filter.platform.as_deref(),
            filter.group.as_deref(),
            filter.question.as_deref(),
            filter.dimension.as_deref(),
            component3,
            fine
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while("counting criteria"))?;

        // The order is the one thing a static statement cannot say: the same conditions, a
        // whitelisted column, every value bound.
        let mut page = QueryBuilder::<Postgres>::new(
            r#"SELECT c.id, p.name AS platform, g.name AS "group", c.question, c.text,
                      c.expressions, c.component, c.meaning, c.proposition, c.created_at,
                      c.updated_at
                 FROM criteria c
                 JOIN homogeneous_groups g ON g.id = c.group_id
                 JOIN platforms p ON p.id = g.platform_id
                WHERE true"#,
        );
        let conditions = [
            (" AND p.name = ", filter.platform.as_deref()),
            (" AND g.name = ", filter.group.as_deref()),
            (" AND c.question = ", filter.question.as_deref()),
            (" AND c.dimension = ", filter.dimension.as_deref()),
            (" AND c.component3 = ", component3),
            (" AND c.component = ", fine),
        ];
        for (condition, value) in conditions {
            if let Some(v) = value {
                page.push(condition).push_bind(v.to_string());
            }
        }
        page.push(" ORDER BY ")
            .push(sort_column(sort.key))
            .push(if sort.descending { " DESC" } else { " ASC" })
            .push(" NULLS LAST");
        if sort.key != CriteriaSortKey::Id {
            page.push(", c.id ASC");
        }
        page.push(" LIMIT ")
            .push_bind(int(limit))
            .push(" OFFSET ")
            .push_bind(int(offset));
        let rows: Vec<Row> = page
            .build_query_as()
            .fetch_all(&mut *tx)
            .await
            .map_err(db_while("reading a page of criteria"))?;
        Ok(CriteriaPage {
            total: count(total),
            items: rows
                .into_iter()
                .map(Row::criterion)
                .collect::<Result<_>>()?,
        })
    }

    async fn create_criterion(&self, criterion: &Criterion, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let group = criterion_group(&mut tx, criterion).await?;
        check_criterion(criterion, &question_codes(&mut tx).await?)?;
        let id = next_id(&mut tx, "criteria").await?;
        raise_high_water(&mut tx, "criteria", id).await?;
        sqlx::query!(
            "INSERT INTO criteria (id, group_id, question, text, expressions, component, meaning,
                                   proposition, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            id,
            group,
            criterion.question,
            criterion.text,
            criterion.expressions.map(i64::from),
            criterion.component.as_ref().map(ComponentCode::as_str),
            criterion.meaning.as_ref().map(MeaningCode::as_str),
            criterion.proposition,
            stamp(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("writing criterion «{}»", criterion.text)))?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn update_criterion(
        &self,
        id: i64,
        criterion: &Criterion,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if criterion_by_id(&mut tx, id).await?.is_none() {
            return Err(refuse::criterion_id(id));
        }
        check_criterion(criterion, &question_codes(&mut tx).await?)?;
        sqlx::query!(
            "UPDATE criteria SET question = $2, text = $3, expressions = $4, component = $5,
                    meaning = $6, proposition = $7, updated_at = $8
              WHERE id = $1",
            id,
            criterion.question,
            criterion.text,
            criterion.expressions.map(i64::from),
            criterion.component.as_ref().map(ComponentCode::as_str),
            criterion.meaning.as_ref().map(MeaningCode::as_str),
            criterion.proposition,
            stamp(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating criterion {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn delete_criterion(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // The actions' lists follow (ON DELETE CASCADE); its id stays given (`id_high_water`).
        let deleted = sqlx::query!("DELETE FROM criteria WHERE id = $1", id)
            .execute(&mut *tx)
            .await
            .map_err(db_while(format!("deleting criterion {id}")))?
            .rows_affected();
        if deleted == 0 {
            return Err(refuse::criterion_id(id));
        }
        tx.commit().await.map_err(db)
    }

    async fn synthesis_rows(
        &self,
        platform_id: i64,
        group_id: Option<i64>,
    ) -> Result<Vec<SynthesisRow>> {
        let mut tx = self.begin_read().await?;
        if platforms_with(&mut tx, Some(platform_id)).await?.is_empty() {
            return Err(refuse::platform_id(platform_id));
        }
        if let Some(group) = group_id {
            let owner = sqlx::query_scalar!(
                "SELECT platform_id FROM homogeneous_groups WHERE id = $1",
                group
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_while(format!("reading group {group}")))?;
            if owner != Some(platform_id) {
                return Err(refuse::group_of_platform(group, platform_id));
            }
        }
        // The aggregate as the triggers of `criteria_tally` keep it (see the migration).
        let rows = sqlx::query!(
            r#"SELECT g.name AS "group", t.question, nullif(t.component3, '') AS component, t.n
                 FROM homogeneous_groups g
                 JOIN criteria_tally t ON t.group_id = g.id
                WHERE g.platform_id = $1 AND ($2::bigint IS NULL OR g.id = $2)"#,
            platform_id,
            group_id
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while(format!(
            "counting the criteria of platform {platform_id}"
        )))?;
        let mut out: Vec<SynthesisRow> = rows
            .into_iter()
            .map(|r| SynthesisRow {
                group: r.group,
                question: r.question,
                component: r.component,
                count: count(r.n),
            })
            .collect();
        spiral::sort_synthesis_rows(&mut out);
        Ok(out)
    }

    async fn statistics(&self) -> Result<Statistics> {
        let mut tx = self.begin_read().await?;
        let totals = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM platforms) AS "platforms!",
                      (SELECT count(*) FROM homogeneous_groups) AS "groups!",
                      (SELECT count(*) FROM criteria) AS "criteria!""#
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while("counting platforms, groups and criteria"))?;
        let by_question = sqlx::query!(
            r#"SELECT question, sum(n)::bigint AS "n!" FROM criteria_tally GROUP BY question"#
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while("counting criteria by question"))?;
        let by_dimension = sqlx::query!(
            r#"SELECT nullif(substr(component3, 1, 1), '') AS dimension, sum(n)::bigint AS "n!"
                 FROM criteria_tally GROUP BY 1"#
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while("counting criteria by dimension"))?;
        let by_month = sqlx::query!(
            r#"SELECT to_char(created_at, 'YYYY-MM') AS "month!", count(*) AS "n!"
                 FROM criteria GROUP BY 1"#
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while("counting criteria by month"))?;
        Ok(Statistics {
            platforms: count(totals.platforms),
            groups: count(totals.groups),
            criteria: count(totals.criteria),
            by_question: tally(by_question.into_iter().map(|r| (Some(r.question), r.n))),
            by_dimension: tally(by_dimension.into_iter().map(|r| (r.dimension, r.n))),
            by_month: tally(by_month.into_iter().map(|r| (Some(r.month), r.n))),
        })
    }

    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<PilotAction>> {
        load_actions(
            &mut *self.reader().acquire().await.map_err(db)?,
            filter,
            None,
        )
        .await
    }

    async fn action(&self, id: i64) -> Result<Option<PilotAction>> {
        let mut conn = self.reader().acquire().await.map_err(db)?;
        Ok(load_actions(&mut conn, &ActionFilter::default(), Some(id))
            .await?
            .pop())
    }

    async fn create_action(&self, action: &PilotAction, now: DateTime<Utc>) -> Result<i64> {
        check_action(action)?;
        let mut tx = self.begin_write().await?;
        let platform = platform_id(&mut tx, &action.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&action.platform))?;
        check_criteria_of(&mut tx, action, &action.platform).await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO pilot_actions (platform_id, title, description, actors, status,
                                        starts_on, ends_on, evaluation, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            platform,
            action.title,
            action.description,
            action.actors,
            action.status.as_str(),
            action.starts_on,
            action.ends_on,
            action.evaluation,
            stamp(now)
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while(format!("writing pilot action «{}»", action.title)))?;
        write_action_lists(&mut tx, id, action).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn update_action(&self, id: i64, action: &PilotAction, now: DateTime<Utc>) -> Result<()> {
        check_action(action)?;
        let mut tx = self.begin_write().await?;
        let platform = sqlx::query_scalar!(
            "SELECT p.name FROM pilot_actions a JOIN platforms p ON p.id = a.platform_id
              WHERE a.id = $1",
            id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_while(format!("reading pilot action {id}")))?
        .ok_or_else(|| refuse::action_id(id))?;
        check_criteria_of(&mut tx, action, &platform).await?;
        sqlx::query!(
            "UPDATE pilot_actions SET title = $2, description = $3, actors = $4, status = $5,
                    starts_on = $6, ends_on = $7, evaluation = $8, updated_at = $9
              WHERE id = $1",
            id,
            action.title,
            action.description,
            action.actors,
            action.status.as_str(),
            action.starts_on,
            action.ends_on,
            action.evaluation,
            stamp(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating pilot action {id}")))?;
        write_action_lists(&mut tx, id, action).await?;
        tx.commit().await.map_err(db)
    }

    async fn indicators(&self, platform: Option<&str>) -> Result<Vec<Indicator>> {
        load_indicators(
            &mut *self.reader().acquire().await.map_err(db)?,
            platform,
            None,
        )
        .await
    }

    async fn indicator(&self, id: i64) -> Result<Option<Indicator>> {
        let mut conn = self.reader().acquire().await.map_err(db)?;
        Ok(load_indicators(&mut conn, None, Some(id)).await?.pop())
    }

    async fn create_indicator(&self, indicator: &Indicator, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        check_indicator(indicator, scale_len(&mut tx).await?)?;
        let platform = platform_id(&mut tx, &indicator.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&indicator.platform))?;
        let id = sqlx::query_scalar!(
            "INSERT INTO indicators (platform_id, component, title, levels, created_at,
                                     updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            platform,
            indicator.component.as_str(),
            indicator.title,
            &indicator.levels,
            stamp(now)
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while(format!("writing indicator «{}»", indicator.title)))?;
        tx.commit().await.map_err(db)?;
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
        check_indicator(indicator, scale_len(&mut tx).await?)?;
        sqlx::query!(
            "UPDATE indicators SET component = $2, title = $3, levels = $4, updated_at = $5
              WHERE id = $1",
            id,
            indicator.component.as_str(),
            indicator.title,
            &indicator.levels,
            stamp(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating indicator {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn evaluations(&self, indicator_id: i64) -> Result<Vec<Evaluation>> {
        let mut tx = self.begin_read().await?;
        indicator_platform(&mut tx, indicator_id).await?;
        let rows = sqlx::query!(
            r#"SELECT e.id, e.indicator_id, g.name AS "group?", e.date, e.level, e.comment
                 FROM evaluations e LEFT JOIN homogeneous_groups g ON g.id = e.group_id
                WHERE e.indicator_id = $1
                ORDER BY e.date, e.id"#,
            indicator_id
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while(format!(
            "reading the evaluations of indicator {indicator_id}"
        )))?;
        rows.into_iter()
            .map(|r| {
                Ok(Evaluation {
                    id: Some(r.id),
                    indicator_id: r.indicator_id,
                    group: r.group,
                    date: r.date,
                    level: unsigned(i64::from(r.level), &format!("evaluation {}'s level", r.id))?,
                    comment: r.comment,
                })
            })
            .collect()
    }

    async fn add_evaluation(&self, evaluation: &Evaluation, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let (platform, platform_name) =
            indicator_platform(&mut tx, evaluation.indicator_id).await?;
        check_evaluation(evaluation, scale_len(&mut tx).await?)?;
        let group = match &evaluation.group {
            Some(name) => Some(
                group_id(&mut tx, platform, name)
                    .await?
                    .ok_or_else(|| refuse::evaluation_group(name, &platform_name))?,
            ),
            None => None,
        };
        // On the scale (checked above), so within an integer.
        let level = i32::try_from(evaluation.level).map_err(|_| {
            StoreError::Invalid(format!(
                "level {} is not on the scale: expected a small number",
                evaluation.level
            ))
        })?;
        let id = sqlx::query_scalar!(
            "INSERT INTO evaluations (indicator_id, group_id, date, level, comment, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            evaluation.indicator_id,
            group,
            evaluation.date,
            level,
            evaluation.comment,
            stamp(now)
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while(format!(
            "writing an evaluation of indicator {}",
            evaluation.indicator_id
        )))?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }
}

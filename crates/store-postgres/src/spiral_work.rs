//! The SQL of the SPIRAL work after the import ([`SpiralSteps`]): platforms, groups and
//! criteria edited one by one, syntheses and statistics, pilot actions, indicators and
//! evaluations. What is checked and refused, in which order and words, is `store::spiral`'s;
//! each write runs under [`crate::WRITE_LOCK`], each read on the reader.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use domain::{
    ComponentCode, Criterion, Evaluation, HomogeneousGroup, Indicator, MeaningCode, PilotAction,
    Platform, SynthesisRow, Tally,
};
use sqlx::{Postgres, QueryBuilder};
use store::spiral::{self, ActionFilter, CriteriaPage, CriteriaSortKey};
use store::steps::{PageQuery, SpiralSteps, Stamp, TallyBy};
use store::{CriteriaFilter, Result, StoreError};

use crate::spiral::{Row, groups_with, platforms_with};
use crate::{PgTx, db_while, next_id, raise_high_water, unsigned};

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

/// Counts per key; `None` keys go under [`domain::synthesis::UNCLASSIFIED`].
fn tally(rows: impl IntoIterator<Item = (Option<String>, i64)>) -> Tally {
    rows.into_iter()
        .map(|(key, n)| (spiral::tally_key(key), count(n)))
        .collect()
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

#[async_trait]
impl SpiralSteps for PgTx {
    async fn platforms(&mut self, only: Option<i64>) -> Result<Vec<Platform>> {
        platforms_with(self, only).await
    }

    async fn groups(&mut self, only: Option<i64>) -> Result<Vec<HomogeneousGroup>> {
        groups_with(self, only).await
    }

    async fn platform_id(&mut self, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar!("SELECT id FROM platforms WHERE name = $1", name)
            .fetch_optional(&mut **self)
            .await
            .map_err(db_while(format!("looking for platform `{name}`")))
    }

    async fn group_id(&mut self, platform_id: i64, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar!(
            "SELECT id FROM homogeneous_groups WHERE platform_id = $1 AND name = $2",
            platform_id,
            name
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("looking for group `{name}`")))
    }

    async fn group_platform(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        let owner = sqlx::query!(
            "SELECT g.platform_id, p.name FROM homogeneous_groups g
               JOIN platforms p ON p.id = g.platform_id WHERE g.id = $1",
            id
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading group {id}")))?;
        Ok(owner.map(|r| (r.platform_id, r.name)))
    }

    /// Its id is the next after the highest ever given (`id_high_water`).
    async fn insert_platform(&mut self, p: &Platform) -> Result<i64> {
        let id = next_id(self, "platforms").await?;
        raise_high_water(self, "platforms", id).await?;
        sqlx::query!(
            "INSERT INTO platforms (id, name, country, languages, description, coordination,
                                    created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            p.name,
            p.country,
            &p.languages,
            p.description,
            p.coordination,
            p.created_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("writing platform `{}`", p.name)))?;
        Ok(id)
    }

    async fn update_platform(&mut self, id: i64, p: &Platform) -> Result<()> {
        sqlx::query!(
            "UPDATE platforms SET name = $2, country = $3, languages = $4, description = $5,
                    coordination = $6
              WHERE id = $1",
            id,
            p.name,
            p.country,
            &p.languages,
            p.description,
            p.coordination
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("updating platform {id}")))?;
        Ok(())
    }

    /// Its id is the next after the highest ever given (`id_high_water`).
    async fn insert_group(&mut self, platform: i64, g: &HomogeneousGroup) -> Result<i64> {
        let id = next_id(self, "homogeneous_groups").await?;
        raise_high_water(self, "homogeneous_groups", id).await?;
        sqlx::query!(
            "INSERT INTO homogeneous_groups (id, platform_id, name, language, profile,
                                             created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            platform,
            g.name,
            g.language,
            g.profile,
            g.created_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("writing group `{}`", g.name)))?;
        Ok(id)
    }

    async fn update_group(&mut self, id: i64, g: &HomogeneousGroup) -> Result<()> {
        sqlx::query!(
            "UPDATE homogeneous_groups SET name = $2, language = $3, profile = $4 WHERE id = $1",
            id,
            g.name,
            g.language,
            g.profile
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("updating group {id}")))?;
        Ok(())
    }

    async fn criterion(&mut self, id: i64) -> Result<Option<Criterion>> {
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
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading criterion {id}")))?
        .map(Row::criterion)
        .transpose()
    }

    async fn criteria(&mut self, filter: &CriteriaFilter) -> Result<Vec<Criterion>> {
        crate::spiral::criteria(self, filter).await
    }

    async fn criteria_page(&mut self, q: &PageQuery<'_>) -> Result<CriteriaPage> {
        let filter = q.filter;
        let component = filter.component.as_deref().map(str::trim);
        // A component matches what codes aggregate to; a fine code matches itself.
        let component3 = component.filter(|c| c.len() <= 3);
        let fine = component.filter(|c| c.len() > 3);
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
        .fetch_one(&mut **self)
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
            .push(sort_column(q.sort.key))
            .push(if q.sort.descending { " DESC" } else { " ASC" })
            .push(" NULLS LAST");
        if q.sort.key != CriteriaSortKey::Id {
            page.push(", c.id ASC");
        }
        page.push(" LIMIT ")
            .push_bind(int(q.limit))
            .push(" OFFSET ")
            .push_bind(int(q.offset));
        let rows: Vec<Row> = page
            .build_query_as()
            .fetch_all(&mut **self)
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

    async fn question_codes(&mut self) -> Result<Vec<String>> {
        sqlx::query_scalar!("SELECT code FROM questions ORDER BY position")
            .fetch_all(&mut **self)
            .await
            .map_err(db_while("reading the questions"))
    }

    /// Its id is the next after the highest ever given (`id_high_water`).
    async fn insert_criterion(&mut self, group: i64, c: &Criterion) -> Result<i64> {
        let id = next_id(self, "criteria").await?;
        raise_high_water(self, "criteria", id).await?;
        sqlx::query!(
            "INSERT INTO criteria (id, group_id, question, text, expressions, component, meaning,
                                   proposition, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            id,
            group,
            c.question,
            c.text,
            c.expressions.map(i64::from),
            c.component.as_ref().map(ComponentCode::as_str),
            c.meaning.as_ref().map(MeaningCode::as_str),
            c.proposition,
            c.created_at,
            c.updated_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("writing criterion «{}»", c.text)))?;
        Ok(id)
    }

    async fn update_criterion(&mut self, id: i64, c: &Criterion) -> Result<()> {
        sqlx::query!(
            "UPDATE criteria SET question = $2, text = $3, expressions = $4, component = $5,
                    meaning = $6, proposition = $7, updated_at = $8
              WHERE id = $1",
            id,
            c.question,
            c.text,
            c.expressions.map(i64::from),
            c.component.as_ref().map(ComponentCode::as_str),
            c.meaning.as_ref().map(MeaningCode::as_str),
            c.proposition,
            c.updated_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("updating criterion {id}")))?;
        Ok(())
    }

    /// Its id stays given (`id_high_water`).
    async fn delete_criterion(&mut self, id: i64) -> Result<bool> {
        let deleted = sqlx::query!("DELETE FROM criteria WHERE id = $1", id)
            .execute(&mut **self)
            .await
            .map_err(db_while(format!("deleting criterion {id}")))?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn tally_rows(&mut self, platform: i64, group: Option<i64>) -> Result<Vec<SynthesisRow>> {
        // The aggregate as the triggers of `criteria_tally` keep it (see the migration).
        let rows = sqlx::query!(
            r#"SELECT g.name AS "group", t.question, nullif(t.component3, '') AS component, t.n
                 FROM homogeneous_groups g
                 JOIN criteria_tally t ON t.group_id = g.id
                WHERE g.platform_id = $1 AND ($2::bigint IS NULL OR g.id = $2)"#,
            platform,
            group
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "counting the criteria of platform {platform}"
        )))?;
        Ok(rows
            .into_iter()
            .map(|r| SynthesisRow {
                group: r.group,
                question: r.question,
                component: r.component,
                count: count(r.n),
            })
            .collect())
    }

    async fn spiral_counts(&mut self) -> Result<(u64, u64, u64)> {
        let totals = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM platforms) AS "platforms!",
                      (SELECT count(*) FROM homogeneous_groups) AS "groups!",
                      (SELECT count(*) FROM criteria) AS "criteria!""#
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while("counting platforms, groups and criteria"))?;
        Ok((
            count(totals.platforms),
            count(totals.groups),
            count(totals.criteria),
        ))
    }

    async fn criteria_tally(&mut self, by: TallyBy) -> Result<Tally> {
        let rows: Vec<(Option<String>, i64)> = match by {
            TallyBy::Question => sqlx::query!(
                r#"SELECT question, sum(n)::bigint AS "n!" FROM criteria_tally GROUP BY question"#
            )
            .fetch_all(&mut **self)
            .await
            .map(|rows| rows.into_iter().map(|r| (Some(r.question), r.n)).collect()),
            TallyBy::Dimension => sqlx::query!(
                r#"SELECT nullif(substr(component3, 1, 1), '') AS dimension,
                          sum(n)::bigint AS "n!"
                     FROM criteria_tally GROUP BY 1"#
            )
            .fetch_all(&mut **self)
            .await
            .map(|rows| rows.into_iter().map(|r| (r.dimension, r.n)).collect()),
            TallyBy::Month => sqlx::query!(
                r#"SELECT to_char(created_at, 'YYYY-MM') AS "month!", count(*) AS "n!"
                     FROM criteria GROUP BY 1"#
            )
            .fetch_all(&mut **self)
            .await
            .map(|rows| rows.into_iter().map(|r| (Some(r.month), r.n)).collect()),
        }
        .map_err(db_while(format!("counting criteria by {}", by.as_str())))?;
        Ok(tally(rows))
    }

    async fn actions(&mut self, f: &ActionFilter, only: Option<i64>) -> Result<Vec<PilotAction>> {
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
            f.platform.as_deref(),
            f.status.map(domain::ActionStatus::as_str),
            f.component3(),
            f.criterion,
            only
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading pilot actions"))?;
        rows.into_iter().map(ActionRow::action).collect()
    }

    async fn criteria_platforms(&mut self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query!(
            "SELECT c.id, p.name FROM criteria c
               JOIN homogeneous_groups g ON g.id = c.group_id
               JOIN platforms p ON p.id = g.platform_id
              WHERE c.id = ANY($1)",
            ids
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading the criteria of a pilot action"))?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }

    async fn action_platform(&mut self, id: i64) -> Result<Option<String>> {
        sqlx::query_scalar!(
            "SELECT p.name FROM pilot_actions a JOIN platforms p ON p.id = a.platform_id
              WHERE a.id = $1",
            id
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading pilot action {id}")))
    }

    async fn insert_action(&mut self, platform: i64, a: &PilotAction) -> Result<i64> {
        sqlx::query_scalar!(
            "INSERT INTO pilot_actions (platform_id, title, description, actors, status,
                                        starts_on, ends_on, evaluation, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            platform,
            a.title,
            a.description,
            a.actors,
            a.status.as_str(),
            a.starts_on,
            a.ends_on,
            a.evaluation,
            a.created_at,
            a.updated_at
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing pilot action «{}»", a.title)))
    }

    async fn update_action(&mut self, id: i64, a: &PilotAction) -> Result<()> {
        sqlx::query!(
            "UPDATE pilot_actions SET title = $2, description = $3, actors = $4, status = $5,
                    starts_on = $6, ends_on = $7, evaluation = $8, updated_at = $9
              WHERE id = $1",
            id,
            a.title,
            a.description,
            a.actors,
            a.status.as_str(),
            a.starts_on,
            a.ends_on,
            a.evaluation,
            a.updated_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("updating pilot action {id}")))?;
        Ok(())
    }

    async fn write_action_lists(&mut self, id: i64, a: &PilotAction) -> Result<()> {
        let codes: Vec<String> = a
            .components
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        let what = |list: &str| format!("writing the {list} of pilot action {id}");
        sqlx::query!("DELETE FROM pilot_action_criteria WHERE action_id = $1", id)
            .execute(&mut **self)
            .await
            .map_err(db_while(what("criteria")))?;
        sqlx::query!(
            "INSERT INTO pilot_action_criteria (action_id, position, criterion_id)
             SELECT $1, (n - 1)::integer, criterion_id
               FROM UNNEST($2::bigint[]) WITH ORDINALITY AS u(criterion_id, n)",
            id,
            &a.criteria
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(what("criteria")))?;
        sqlx::query!(
            "DELETE FROM pilot_action_components WHERE action_id = $1",
            id
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(what("components")))?;
        sqlx::query!(
            "INSERT INTO pilot_action_components (action_id, position, code)
             SELECT $1, (n - 1)::integer, code
               FROM UNNEST($2::text[]) WITH ORDINALITY AS u(code, n)",
            id,
            &codes
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(what("components")))?;
        Ok(())
    }

    async fn indicators(&mut self, of: Option<&str>, only: Option<i64>) -> Result<Vec<Indicator>> {
        let rows = sqlx::query!(
            r#"SELECT i.id, p.name AS platform, i.component, i.title, i.levels, i.created_at
                 FROM indicators i JOIN platforms p ON p.id = i.platform_id
                WHERE ($1::text IS NULL OR p.name = $1) AND ($2::bigint IS NULL OR i.id = $2)
                ORDER BY i.id"#,
            of,
            only
        )
        .fetch_all(&mut **self)
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

    async fn indicator_platform(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        let row = sqlx::query!(
            "SELECT p.id, p.name FROM indicators i JOIN platforms p ON p.id = i.platform_id
              WHERE i.id = $1",
            id
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading indicator {id}")))?;
        Ok(row.map(|r| (r.id, r.name)))
    }

    async fn scale_len(&mut self) -> Result<usize> {
        let n = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM scale_levels"#)
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("reading the scale"))?;
        Ok(count(n) as usize)
    }

    async fn insert_indicator(&mut self, platform: i64, i: &Indicator) -> Result<i64> {
        sqlx::query_scalar!(
            "INSERT INTO indicators (platform_id, component, title, levels, created_at,
                                     updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            platform,
            i.component.as_str(),
            i.title,
            &i.levels,
            i.created_at
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing indicator «{}»", i.title)))
    }

    async fn update_indicator(&mut self, id: i64, i: &Indicator, at: Stamp) -> Result<()> {
        sqlx::query!(
            "UPDATE indicators SET component = $2, title = $3, levels = $4, updated_at = $5
              WHERE id = $1",
            id,
            i.component.as_str(),
            i.title,
            &i.levels,
            at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("updating indicator {id}")))?;
        Ok(())
    }

    async fn evaluations(&mut self, indicator_id: i64) -> Result<Vec<Evaluation>> {
        let rows = sqlx::query!(
            r#"SELECT e.id, e.indicator_id, g.name AS "group?", e.date, e.level, e.comment
                 FROM evaluations e LEFT JOIN homogeneous_groups g ON g.id = e.group_id
                WHERE e.indicator_id = $1
                ORDER BY e.date, e.id"#,
            indicator_id
        )
        .fetch_all(&mut **self)
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

    async fn insert_evaluation(
        &mut self,
        e: &Evaluation,
        group: Option<i64>,
        at: Stamp,
    ) -> Result<i64> {
        // On the scale (checked before), so within an integer.
        let level = i32::try_from(e.level).map_err(|_| {
            StoreError::Invalid(format!(
                "level {} is not on the scale: expected a small number",
                e.level
            ))
        })?;
        sqlx::query_scalar!(
            "INSERT INTO evaluations (indicator_id, group_id, date, level, comment, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            e.indicator_id,
            group,
            e.date,
            level,
            e.comment,
            at
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "writing an evaluation of indicator {}",
            e.indicator_id
        )))
    }
}

//! The SQL of the SPIRAL work after the import ([`SpiralSteps`]): platforms, groups and
//! criteria edited one by one, syntheses and statistics, pilot actions, indicators and
//! evaluations. What is checked and refused, in which order and words, is `store::spiral`'s.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::{
    ActionStatus, ComponentCode, Criterion, Evaluation, HomogeneousGroup, Indicator, MeaningCode,
    PilotAction, Platform, SynthesisRow, Tally,
};
use sqlx::AssertSqlSafe;
use sqlx::sqlite::SqliteRow;
use store::spiral::{self, ActionFilter, CriteriaPage, CriteriaSortKey};
use store::steps::{PageQuery, SpiralSteps, Stamp, TallyBy};
use store::{CriteriaFilter, Result, StoreError};

use crate::spiral::{
    CRITERIA_FROM, criterion, filter_sql, groups_with, local, platforms_with, select_criteria,
};
use crate::{Run, SqliteTx, db_while, get, json_text, time};

/// The column a sort key orders by, over [`CRITERIA_FROM`]. Text compares with SQLite's
/// default (BINARY) collation: byte by byte, as `store::spiral::CriteriaSort` says.
fn sort_column(key: CriteriaSortKey) -> &'static str {
    match key {
        CriteriaSortKey::Id => "c.id",
        CriteriaSortKey::Platform => "p.name",
        CriteriaSortKey::Group => "g.name",
        CriteriaSortKey::Question => "c.question",
        CriteriaSortKey::Expressions => "c.expressions",
        CriteriaSortKey::Text => "c.text",
        CriteriaSortKey::Component => "c.component",
        CriteriaSortKey::Meaning => "c.meaning",
        CriteriaSortKey::Proposition => "c.proposition",
        CriteriaSortKey::Created => "c.created_at",
        CriteriaSortKey::Modified => "c.updated_at",
    }
}

/// A count or offset as SQLite's integer; beyond its range means "all".
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn date(row: &SqliteRow, i: usize) -> Result<Option<NaiveDate>> {
    get::<Option<String>>(row, i)?
        .map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|e| StoreError::Corrupt(format!("date `{s}` ({e}): expected YYYY-MM-DD")))
        })
        .transpose()
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A set timestamp as stored; the shared code always sets the ones it writes.
fn stamp_text(t: Option<Stamp>) -> Option<String> {
    t.map(time::local)
}

fn json_list<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{what} `{text}` ({e}): expected a JSON array")))
}

fn action(row: &SqliteRow) -> Result<PilotAction> {
    let id: i64 = get(row, 0)?;
    let status: String = get(row, 5)?;
    let codes: Vec<String> = json_list(&get::<String>(row, 12)?, "pilot action components")?;
    Ok(PilotAction {
        id: Some(id),
        platform: get(row, 1)?,
        title: get(row, 2)?,
        description: get(row, 3)?,
        actors: get(row, 4)?,
        status: spiral::action_status(id, &status)?,
        starts_on: date(row, 6)?,
        ends_on: date(row, 7)?,
        evaluation: get(row, 8)?,
        created_at: local(row, 9)?,
        updated_at: local(row, 10)?,
        criteria: json_list(&get::<String>(row, 11)?, "pilot action criteria")?,
        components: codes
            .iter()
            .map(|c| ComponentCode::parse(c))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("pilot action {id}: {e}")))?,
    })
}

fn indicator(row: &SqliteRow) -> Result<Indicator> {
    let id: i64 = get(row, 0)?;
    let component: String = get(row, 2)?;
    Ok(Indicator {
        id: Some(id),
        platform: get(row, 1)?,
        component: ComponentCode::parse(&component)
            .map_err(|e| StoreError::Corrupt(format!("indicator {id}: {e}")))?,
        title: get(row, 3)?,
        levels: json_list(&get::<String>(row, 4)?, "indicator levels")?,
        created_at: local(row, 5)?,
    })
}

fn evaluation(row: &SqliteRow) -> Result<Evaluation> {
    let id: i64 = get(row, 0)?;
    Ok(Evaluation {
        id: Some(id),
        indicator_id: get(row, 1)?,
        group: get(row, 2)?,
        date: date(row, 3)?
            .ok_or_else(|| StoreError::Corrupt(format!("evaluation {id} has no date")))?,
        level: get::<u32>(row, 4)?,
        comment: get(row, 5)?,
    })
}

/// An (id, name) pair read back.
fn id_and_name(row: Option<SqliteRow>) -> Result<Option<(i64, String)>> {
    row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?))).transpose()
}

#[async_trait]
impl SpiralSteps for SqliteTx {
    async fn platforms(&mut self, only: Option<i64>) -> Result<Vec<Platform>> {
        platforms_with(self, only).await
    }

    async fn groups(&mut self, only: Option<i64>) -> Result<Vec<HomogeneousGroup>> {
        groups_with(self, only).await
    }

    async fn platform_id(&mut self, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM platforms WHERE name = ?1")
            .bind(name)
            .fetch_optional(&mut **self)
            .await
            .map_err(db_while(format!("looking for platform `{name}`")))
    }

    async fn group_id(&mut self, platform_id: i64, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM homogeneous_groups WHERE platform_id = ?1 AND name = ?2")
            .bind(platform_id)
            .bind(name)
            .fetch_optional(&mut **self)
            .await
            .map_err(db_while(format!("looking for group `{name}`")))
    }

    async fn group_platform(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT g.platform_id, p.name FROM homogeneous_groups g
               JOIN platforms p ON p.id = g.platform_id WHERE g.id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading group {id}")))?;
        id_and_name(row)
    }

    async fn insert_platform(&mut self, p: &Platform) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO platforms (name, country, languages, description, coordination,
                                    created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.country)
        .bind(json_text(&p.languages))
        .bind(&p.description)
        .bind(&p.coordination)
        .bind(stamp_text(p.created_at))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing platform `{}`", p.name)))
    }

    async fn update_platform(&mut self, id: i64, p: &Platform) -> Result<()> {
        sqlx::query(
            "UPDATE platforms SET name = ?2, country = ?3, languages = ?4, description = ?5,
                    coordination = ?6
              WHERE id = ?1",
        )
        .bind(id)
        .bind(&p.name)
        .bind(&p.country)
        .bind(json_text(&p.languages))
        .bind(&p.description)
        .bind(&p.coordination)
        .run(self, format!("updating platform {id}"))
        .await?;
        Ok(())
    }

    async fn insert_group(&mut self, platform: i64, g: &HomogeneousGroup) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO homogeneous_groups (platform_id, name, language, profile, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(platform)
        .bind(&g.name)
        .bind(&g.language)
        .bind(&g.profile)
        .bind(stamp_text(g.created_at))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing group `{}`", g.name)))
    }

    async fn update_group(&mut self, id: i64, g: &HomogeneousGroup) -> Result<()> {
        sqlx::query(
            "UPDATE homogeneous_groups SET name = ?2, language = ?3, profile = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(&g.name)
        .bind(&g.language)
        .bind(&g.profile)
        .run(self, format!("updating group {id}"))
        .await?;
        Ok(())
    }

    async fn criterion(&mut self, id: i64) -> Result<Option<Criterion>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{}{CRITERIA_FROM} AND c.id = ?1",
            select_criteria!()
        )))
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading criterion {id}")))?;
        row.as_ref().map(criterion).transpose()
    }

    async fn criteria(&mut self, filter: &CriteriaFilter) -> Result<Vec<Criterion>> {
        crate::spiral::criteria(self, filter).await
    }

    async fn criteria_page(&mut self, q: &PageQuery<'_>) -> Result<CriteriaPage> {
        let (conditions, binds) = filter_sql(q.filter);
        // Only fixed fragments (the filter's, the whitelisted column) make up the SQL.
        let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT count(*) {CRITERIA_FROM}{conditions}"
        )));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("counting criteria"))?;
        let direction = if q.sort.descending { "DESC" } else { "ASC" };
        let column = sort_column(q.sort.key);
        let ties = if q.sort.key == CriteriaSortKey::Id {
            ""
        } else {
            ", c.id ASC"
        };
        let mut page = sqlx::query(AssertSqlSafe(format!(
            "{}{CRITERIA_FROM}{conditions}
              ORDER BY {column} {direction} NULLS LAST{ties} LIMIT ? OFFSET ?",
            select_criteria!()
        )));
        for b in binds {
            page = page.bind(b);
        }
        let rows = page
            .bind(int(q.limit))
            .bind(int(q.offset))
            .fetch_all(&mut **self)
            .await
            .map_err(db_while("reading a page of criteria"))?;
        Ok(CriteriaPage {
            total: total as u64,
            items: rows.iter().map(criterion).collect::<Result<_>>()?,
        })
    }

    async fn question_codes(&mut self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT code FROM questions ORDER BY position")
            .fetch_all(&mut **self)
            .await
            .map_err(db_while("reading the questions"))
    }

    async fn insert_criterion(&mut self, group: i64, c: &Criterion) -> Result<i64> {
        // AUTOINCREMENT: above the highest id ever given, wikispiral's included.
        sqlx::query_scalar(
            "INSERT INTO criteria (group_id, question, text, expressions, component, meaning,
                                   proposition, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )
        .bind(group)
        .bind(&c.question)
        .bind(&c.text)
        .bind(c.expressions.map(i64::from))
        .bind(c.component.as_ref().map(ComponentCode::as_str))
        .bind(c.meaning.as_ref().map(MeaningCode::as_str))
        .bind(&c.proposition)
        .bind(stamp_text(c.created_at))
        .bind(stamp_text(c.updated_at))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing criterion «{}»", c.text)))
    }

    async fn update_criterion(&mut self, id: i64, c: &Criterion) -> Result<()> {
        sqlx::query(
            "UPDATE criteria SET question = ?2, text = ?3, expressions = ?4, component = ?5,
                    meaning = ?6, proposition = ?7, updated_at = ?8
              WHERE id = ?1",
        )
        .bind(id)
        .bind(&c.question)
        .bind(&c.text)
        .bind(c.expressions.map(i64::from))
        .bind(c.component.as_ref().map(ComponentCode::as_str))
        .bind(c.meaning.as_ref().map(MeaningCode::as_str))
        .bind(&c.proposition)
        .bind(stamp_text(c.updated_at))
        .run(self, format!("updating criterion {id}"))
        .await?;
        Ok(())
    }

    async fn delete_criterion(&mut self, id: i64) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM criteria WHERE id = ?1")
            .bind(id)
            .run(self, format!("deleting criterion {id}"))
            .await?;
        Ok(deleted > 0)
    }

    async fn tally_rows(&mut self, platform: i64, group: Option<i64>) -> Result<Vec<SynthesisRow>> {
        // The aggregate as the triggers of `criteria_tally` keep it (see the migration).
        let rows = sqlx::query(
            "SELECT g.name, t.question, nullif(t.component3, ''), t.n
               FROM homogeneous_groups g
               JOIN criteria_tally t ON t.group_id = g.id
              WHERE g.platform_id = ?1 AND (?2 IS NULL OR g.id = ?2)",
        )
        .bind(platform)
        .bind(group)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "counting the criteria of platform {platform}"
        )))?;
        rows.iter()
            .map(|row| {
                Ok(SynthesisRow {
                    group: get(row, 0)?,
                    question: get(row, 1)?,
                    component: get(row, 2)?,
                    count: get::<i64>(row, 3)? as u64,
                })
            })
            .collect()
    }

    async fn spiral_counts(&mut self) -> Result<(u64, u64, u64)> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM platforms), (SELECT count(*) FROM homogeneous_groups),
                    (SELECT count(*) FROM criteria)",
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while("counting platforms, groups and criteria"))?;
        let n = |i: usize| get::<i64>(&row, i).map(|n| n as u64);
        Ok((n(0)?, n(1)?, n(2)?))
    }

    async fn criteria_tally(&mut self, by: TallyBy) -> Result<Tally> {
        let sql = match by {
            TallyBy::Question => "SELECT question, sum(n) FROM criteria_tally GROUP BY question",
            TallyBy::Dimension => {
                "SELECT nullif(substr(component3, 1, 1), ''), sum(n) FROM criteria_tally
                  GROUP BY 1"
            }
            TallyBy::Month => "SELECT substr(created_at, 1, 7), count(*) FROM criteria GROUP BY 1",
        };
        let rows = sqlx::query(sql)
            .fetch_all(&mut **self)
            .await
            .map_err(db_while(format!("counting criteria by {}", by.as_str())))?;
        rows.iter()
            .map(|row| Ok((spiral::tally_key(get(row, 0)?), get::<i64>(row, 1)? as u64)))
            .collect()
    }

    async fn actions(&mut self, f: &ActionFilter, only: Option<i64>) -> Result<Vec<PilotAction>> {
        let rows = sqlx::query(
            "SELECT a.id, p.name, a.title, a.description, a.actors, a.status, a.starts_on,
                    a.ends_on, a.evaluation, a.created_at, a.updated_at,
                    (SELECT json_group_array(ac.criterion_id ORDER BY ac.position)
                       FROM pilot_action_criteria ac WHERE ac.action_id = a.id),
                    (SELECT json_group_array(pc.code ORDER BY pc.position)
                       FROM pilot_action_components pc WHERE pc.action_id = a.id)
               FROM pilot_actions a JOIN platforms p ON p.id = a.platform_id
              WHERE (?1 IS NULL OR p.name = ?1)
                AND (?2 IS NULL OR a.status = ?2)
                AND (?3 IS NULL OR EXISTS (SELECT 1 FROM pilot_action_components pc
                                            WHERE pc.action_id = a.id
                                              AND substr(pc.code, 1, 3) = ?3))
                AND (?4 IS NULL OR EXISTS (SELECT 1 FROM pilot_action_criteria ac
                                            WHERE ac.action_id = a.id AND ac.criterion_id = ?4))
                AND (?5 IS NULL OR a.id = ?5)
              ORDER BY a.id",
        )
        .bind(f.platform.as_deref())
        .bind(f.status.map(ActionStatus::as_str))
        .bind(f.component3())
        .bind(f.criterion)
        .bind(only)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading pilot actions"))?;
        rows.iter().map(action).collect()
    }

    async fn criteria_platforms(&mut self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT c.id, p.name FROM criteria c
               JOIN homogeneous_groups g ON g.id = c.group_id
               JOIN platforms p ON p.id = g.platform_id
              WHERE c.id IN (SELECT value FROM json_each(?1))",
        )
        .bind(json_text(ids))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading the criteria of a pilot action"))?;
        rows.iter()
            .map(|row| Ok((get(row, 0)?, get(row, 1)?)))
            .collect()
    }

    async fn action_platform(&mut self, id: i64) -> Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT p.name FROM pilot_actions a JOIN platforms p ON p.id = a.platform_id
              WHERE a.id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading pilot action {id}")))
    }

    async fn insert_action(&mut self, platform: i64, a: &PilotAction) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO pilot_actions (platform_id, title, description, actors, status,
                                        starts_on, ends_on, evaluation, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        )
        .bind(platform)
        .bind(&a.title)
        .bind(&a.description)
        .bind(&a.actors)
        .bind(a.status.as_str())
        .bind(a.starts_on.map(date_text))
        .bind(a.ends_on.map(date_text))
        .bind(&a.evaluation)
        .bind(stamp_text(a.created_at))
        .bind(stamp_text(a.updated_at))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing pilot action «{}»", a.title)))
    }

    async fn update_action(&mut self, id: i64, a: &PilotAction) -> Result<()> {
        sqlx::query(
            "UPDATE pilot_actions SET title = ?2, description = ?3, actors = ?4, status = ?5,
                    starts_on = ?6, ends_on = ?7, evaluation = ?8, updated_at = ?9
              WHERE id = ?1",
        )
        .bind(id)
        .bind(&a.title)
        .bind(&a.description)
        .bind(&a.actors)
        .bind(a.status.as_str())
        .bind(a.starts_on.map(date_text))
        .bind(a.ends_on.map(date_text))
        .bind(&a.evaluation)
        .bind(stamp_text(a.updated_at))
        .run(self, format!("updating pilot action {id}"))
        .await?;
        Ok(())
    }

    async fn write_action_lists(&mut self, id: i64, a: &PilotAction) -> Result<()> {
        let codes: Vec<&str> = a.components.iter().map(ComponentCode::as_str).collect();
        for (what, delete, insert, list) in [
            (
                "criteria",
                "DELETE FROM pilot_action_criteria WHERE action_id = ?1",
                "INSERT INTO pilot_action_criteria (action_id, position, criterion_id)
                 SELECT ?1, key, value FROM json_each(?2)",
                json_text(&a.criteria),
            ),
            (
                "components",
                "DELETE FROM pilot_action_components WHERE action_id = ?1",
                "INSERT INTO pilot_action_components (action_id, position, code)
                 SELECT ?1, key, value FROM json_each(?2)",
                json_text(&codes),
            ),
        ] {
            sqlx::query(delete)
                .bind(id)
                .run(self, format!("replacing the {what} of pilot action {id}"))
                .await?;
            sqlx::query(insert)
                .bind(id)
                .bind(list)
                .run(self, format!("writing the {what} of pilot action {id}"))
                .await?;
        }
        Ok(())
    }

    async fn indicators(&mut self, of: Option<&str>, only: Option<i64>) -> Result<Vec<Indicator>> {
        let rows = sqlx::query(
            "SELECT i.id, p.name, i.component, i.title, i.levels, i.created_at
               FROM indicators i JOIN platforms p ON p.id = i.platform_id
              WHERE (?1 IS NULL OR p.name = ?1) AND (?2 IS NULL OR i.id = ?2)
              ORDER BY i.id",
        )
        .bind(of)
        .bind(only)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading progress indicators"))?;
        rows.iter().map(indicator).collect()
    }

    async fn indicator_platform(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT p.id, p.name FROM indicators i JOIN platforms p ON p.id = i.platform_id
              WHERE i.id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading indicator {id}")))?;
        id_and_name(row)
    }

    async fn scale_len(&mut self) -> Result<usize> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM scale_levels")
            .fetch_one(&mut **self)
            .await
            .map_err(db_while("reading the scale"))?;
        Ok(n as usize)
    }

    async fn insert_indicator(&mut self, platform: i64, i: &Indicator) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO indicators (platform_id, component, title, levels, created_at,
                                     updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
        )
        .bind(platform)
        .bind(i.component.as_str())
        .bind(&i.title)
        .bind(json_text(&i.levels))
        .bind(stamp_text(i.created_at))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("writing indicator «{}»", i.title)))
    }

    async fn update_indicator(&mut self, id: i64, i: &Indicator, at: Stamp) -> Result<()> {
        sqlx::query(
            "UPDATE indicators SET component = ?2, title = ?3, levels = ?4, updated_at = ?5
              WHERE id = ?1",
        )
        .bind(id)
        .bind(i.component.as_str())
        .bind(&i.title)
        .bind(json_text(&i.levels))
        .bind(time::local(at))
        .run(self, format!("updating indicator {id}"))
        .await?;
        Ok(())
    }

    async fn evaluations(&mut self, indicator_id: i64) -> Result<Vec<Evaluation>> {
        let rows = sqlx::query(
            "SELECT e.id, e.indicator_id, g.name, e.date, e.level, e.comment
               FROM evaluations e LEFT JOIN homogeneous_groups g ON g.id = e.group_id
              WHERE e.indicator_id = ?1
              ORDER BY e.date, e.id",
        )
        .bind(indicator_id)
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!(
            "reading the evaluations of indicator {indicator_id}"
        )))?;
        rows.iter().map(evaluation).collect()
    }

    async fn insert_evaluation(
        &mut self,
        e: &Evaluation,
        group: Option<i64>,
        at: Stamp,
    ) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO evaluations (indicator_id, group_id, date, level, comment, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )
        .bind(e.indicator_id)
        .bind(group)
        .bind(date_text(e.date))
        .bind(i64::from(e.level))
        .bind(&e.comment)
        .bind(time::local(at))
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "writing an evaluation of indicator {}",
            e.indicator_id
        )))
    }
}

//! The SPIRAL work after the import ([`SpiralStore`]): platforms, groups and criteria edited
//! one by one, syntheses and statistics, pilot actions, indicators and evaluations.
//!
//! Each write runs in one `BEGIN IMMEDIATE` transaction, which reads what it checks (names
//! taken, references, the scale) under the write lock: no other writer can slip in between.
//! What is refused, and in which words, is `store::spiral`'s.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    ActionStatus, ComponentCode, Criterion, Evaluation, HomogeneousGroup, Indicator, MeaningCode,
    PilotAction, Platform, Statistics, SynthesisRow, Tally,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, SqliteConnection};
use store::spiral::{
    self, check_action, check_action_criteria, check_criterion, check_evaluation, check_group,
    check_indicator, check_platform, refuse, stamp,
};
use store::{
    ActionFilter, CriteriaFilter, CriteriaPage, CriteriaSort, CriteriaSortKey, Result, SpiralStore,
    StoreError,
};

use crate::spiral::{
    CRITERIA_FROM, criterion, filter_sql, groups_with, local, platforms_with, select_criteria,
};
use crate::{SqliteStore, db, db_while, get, json_text, time};

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

fn json_list<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{what} `{text}` ({e}): expected a JSON array")))
}

async fn platform_id(conn: &mut SqliteConnection, name: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM platforms WHERE name = ?1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_while(format!("looking for platform `{name}`")))
}

async fn group_id(
    conn: &mut SqliteConnection,
    platform_id: i64,
    name: &str,
) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM homogeneous_groups WHERE platform_id = ?1 AND name = ?2")
        .bind(platform_id)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_while(format!("looking for group `{name}`")))
}

/// The codes of the questions of the reference data, in their order.
async fn question_codes(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT code FROM questions ORDER BY position")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading the questions"))
}

async fn scale_len(conn: &mut SqliteConnection) -> Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM scale_levels")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_while("reading the scale"))?;
    Ok(n as usize)
}

/// The stored criterion `id`.
async fn criterion_by_id(conn: &mut SqliteConnection, id: i64) -> Result<Option<Criterion>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{}{CRITERIA_FROM} AND c.id = ?1",
        select_criteria!()
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading criterion {id}")))?;
    row.as_ref().map(criterion).transpose()
}

/// The group a criterion names, by platform and group name.
async fn criterion_group(conn: &mut SqliteConnection, c: &Criterion) -> Result<i64> {
    let platform = platform_id(conn, &c.platform)
        .await?
        .ok_or_else(|| refuse::platform_name(&c.platform))?;
    group_id(conn, platform, &c.group)
        .await?
        .ok_or_else(|| refuse::group_name(&c.platform, &c.group))
}

/// Actions matching the filter, or the one with id `only`.
async fn load_actions(
    conn: &mut SqliteConnection,
    filter: &ActionFilter,
    only: Option<i64>,
) -> Result<Vec<PilotAction>> {
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
    .bind(filter.platform.as_deref())
    .bind(filter.status.map(ActionStatus::as_str))
    .bind(filter.component3())
    .bind(filter.criterion)
    .bind(only)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading pilot actions"))?;
    rows.iter()
        .map(|row| {
            let id: i64 = get(row, 0)?;
            let status: String = get(row, 5)?;
            let codes: Vec<String> =
                json_list(&get::<String>(row, 12)?, "pilot action components")?;
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
        })
        .collect()
}

/// Checks the criteria an action lists against the store: each must be one of `platform`'s.
async fn check_criteria_of(
    conn: &mut SqliteConnection,
    action: &PilotAction,
    platform: &str,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT c.id, p.name FROM criteria c
           JOIN homogeneous_groups g ON g.id = c.group_id
           JOIN platforms p ON p.id = g.platform_id
          WHERE c.id IN (SELECT value FROM json_each(?1))",
    )
    .bind(json_text(&action.criteria))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading the criteria of a pilot action"))?;
    let found = rows
        .iter()
        .map(|row| Ok((get::<i64>(row, 0)?, get::<String>(row, 1)?)))
        .collect::<Result<Vec<_>>>()?;
    check_action_criteria(&action.criteria, platform, &found)
}

/// Writes the lists of action `id`, replacing what it had.
async fn write_action_lists(
    conn: &mut SqliteConnection,
    id: i64,
    action: &PilotAction,
) -> Result<()> {
    let codes: Vec<&str> = action
        .components
        .iter()
        .map(ComponentCode::as_str)
        .collect();
    for (what, delete, insert, list) in [
        (
            "criteria",
            "DELETE FROM pilot_action_criteria WHERE action_id = ?1",
            "INSERT INTO pilot_action_criteria (action_id, position, criterion_id)
             SELECT ?1, key, value FROM json_each(?2)",
            json_text(&action.criteria),
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
            .execute(&mut *conn)
            .await
            .map_err(db_while(format!(
                "replacing the {what} of pilot action {id}"
            )))?;
        sqlx::query(insert)
            .bind(id)
            .bind(list)
            .execute(&mut *conn)
            .await
            .map_err(db_while(format!("writing the {what} of pilot action {id}")))?;
    }
    Ok(())
}

/// Indicators of the platform named `platform` (or of all), or the one with id `only`.
async fn load_indicators(
    conn: &mut SqliteConnection,
    platform: Option<&str>,
    only: Option<i64>,
) -> Result<Vec<Indicator>> {
    let rows = sqlx::query(
        "SELECT i.id, p.name, i.component, i.title, i.levels, i.created_at
           FROM indicators i JOIN platforms p ON p.id = i.platform_id
          WHERE (?1 IS NULL OR p.name = ?1) AND (?2 IS NULL OR i.id = ?2)
          ORDER BY i.id",
    )
    .bind(platform)
    .bind(only)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading progress indicators"))?;
    rows.iter()
        .map(|row| {
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
        })
        .collect()
}

/// The platform of indicator `id`: its id and name.
async fn indicator_platform(conn: &mut SqliteConnection, id: i64) -> Result<(i64, String)> {
    let row = sqlx::query(
        "SELECT p.id, p.name FROM indicators i JOIN platforms p ON p.id = i.platform_id
          WHERE i.id = ?1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_while(format!("reading indicator {id}")))?
    .ok_or_else(|| refuse::indicator_id(id))?;
    Ok((get(&row, 0)?, get(&row, 1)?))
}

/// Counts per key of a `SELECT key, count(*) … GROUP BY key`; `None` keys go under
/// [`domain::synthesis::UNCLASSIFIED`].
async fn tally(conn: &mut SqliteConnection, sql: &'static str, what: &str) -> Result<Tally> {
    let rows = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while(format!("counting criteria by {what}")))?;
    rows.iter()
        .map(|row| Ok((spiral::tally_key(get(row, 0)?), get::<i64>(row, 1)? as u64)))
        .collect()
}

#[async_trait]
impl SpiralStore for SqliteStore {
    async fn platform(&self, id: i64) -> Result<Option<Platform>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Ok(platforms_with(&mut conn, Some(id)).await?.pop())
    }

    async fn group(&self, id: i64) -> Result<Option<HomogeneousGroup>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Ok(groups_with(&mut conn, Some(id)).await?.pop())
    }

    async fn create_platform(&self, platform: &Platform, now: DateTime<Utc>) -> Result<i64> {
        check_platform(platform)?;
        let mut tx = self.begin_write().await?;
        if platform_id(&mut tx, &platform.name).await?.is_some() {
            return Err(refuse::platform_taken(&platform.name));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO platforms (name, country, languages, description, coordination,
                                    created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )
        .bind(&platform.name)
        .bind(&platform.country)
        .bind(json_text(&platform.languages))
        .bind(&platform.description)
        .bind(&platform.coordination)
        .bind(time::local(stamp(now)))
        .fetch_one(&mut *tx)
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
        sqlx::query(
            "UPDATE platforms SET name = ?2, country = ?3, languages = ?4, description = ?5,
                    coordination = ?6
              WHERE id = ?1",
        )
        .bind(id)
        .bind(&platform.name)
        .bind(&platform.country)
        .bind(json_text(&platform.languages))
        .bind(&platform.description)
        .bind(&platform.coordination)
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO homogeneous_groups (platform_id, name, language, profile, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(platform)
        .bind(&group.name)
        .bind(&group.language)
        .bind(&group.profile)
        .bind(time::local(stamp(now)))
        .fetch_one(&mut *tx)
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
        let row = sqlx::query(
            "SELECT g.platform_id, p.name FROM homogeneous_groups g
               JOIN platforms p ON p.id = g.platform_id WHERE g.id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_while(format!("reading group {id}")))?
        .ok_or_else(|| refuse::group_id(id))?;
        let (platform, platform_name): (i64, String) = (get(&row, 0)?, get(&row, 1)?);
        if group_id(&mut tx, platform, &group.name)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(refuse::group_taken(&platform_name, &group.name));
        }
        sqlx::query(
            "UPDATE homogeneous_groups SET name = ?2, language = ?3, profile = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(&group.name)
        .bind(&group.language)
        .bind(&group.profile)
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating group {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn criterion(&self, id: i64) -> Result<Option<Criterion>> {
        criterion_by_id(&mut *self.pool.acquire().await.map_err(db)?, id).await
    }

    async fn criteria_page(
        &self,
        filter: &CriteriaFilter,
        sort: CriteriaSort,
        offset: u64,
        limit: u64,
    ) -> Result<CriteriaPage> {
        let (conditions, binds) = filter_sql(filter);
        let mut tx = self.begin_read().await?;
        // Only fixed fragments (the filter's, the whitelisted column) make up the SQL.
        let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT count(*) {CRITERIA_FROM}{conditions}"
        )));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count
            .fetch_one(&mut *tx)
            .await
            .map_err(db_while("counting criteria"))?;
        let direction = if sort.descending { "DESC" } else { "ASC" };
        let column = sort_column(sort.key);
        let ties = if sort.key == CriteriaSortKey::Id {
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
            .bind(int(limit))
            .bind(int(offset))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_while("reading a page of criteria"))?;
        Ok(CriteriaPage {
            total: total as u64,
            items: rows.iter().map(criterion).collect::<Result<_>>()?,
        })
    }

    async fn create_criterion(&self, criterion: &Criterion, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let group = criterion_group(&mut tx, criterion).await?;
        check_criterion(criterion, &question_codes(&mut tx).await?)?;
        let now = time::local(stamp(now));
        // AUTOINCREMENT: above the highest id ever given, wikispiral's included.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO criteria (group_id, question, text, expressions, component, meaning,
                                   proposition, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
        )
        .bind(group)
        .bind(&criterion.question)
        .bind(&criterion.text)
        .bind(criterion.expressions.map(i64::from))
        .bind(criterion.component.as_ref().map(ComponentCode::as_str))
        .bind(criterion.meaning.as_ref().map(MeaningCode::as_str))
        .bind(&criterion.proposition)
        .bind(now)
        .fetch_one(&mut *tx)
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
        sqlx::query(
            "UPDATE criteria SET question = ?2, text = ?3, expressions = ?4, component = ?5,
                    meaning = ?6, proposition = ?7, updated_at = ?8
              WHERE id = ?1",
        )
        .bind(id)
        .bind(&criterion.question)
        .bind(&criterion.text)
        .bind(criterion.expressions.map(i64::from))
        .bind(criterion.component.as_ref().map(ComponentCode::as_str))
        .bind(criterion.meaning.as_ref().map(MeaningCode::as_str))
        .bind(&criterion.proposition)
        .bind(time::local(stamp(now)))
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating criterion {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn delete_criterion(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // The actions' lists follow (ON DELETE CASCADE).
        let deleted = sqlx::query("DELETE FROM criteria WHERE id = ?1")
            .bind(id)
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
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM platforms WHERE id = ?1")
            .bind(platform_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_while(format!("reading platform {platform_id}")))?;
        if exists.is_none() {
            return Err(refuse::platform_id(platform_id));
        }
        if let Some(group) = group_id {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT platform_id FROM homogeneous_groups WHERE id = ?1")
                    .bind(group)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_while(format!("reading group {group}")))?;
            if owner != Some(platform_id) {
                return Err(refuse::group_of_platform(group, platform_id));
            }
        }
        // The aggregate as the triggers of `criteria_tally` keep it (see the migration).
        let rows = sqlx::query(
            "SELECT g.name, t.question, nullif(t.component3, ''), t.n
               FROM homogeneous_groups g
               JOIN criteria_tally t ON t.group_id = g.id
              WHERE g.platform_id = ?1 AND (?2 IS NULL OR g.id = ?2)",
        )
        .bind(platform_id)
        .bind(group_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while(format!(
            "counting the criteria of platform {platform_id}"
        )))?;
        let mut out = rows
            .iter()
            .map(|row| {
                Ok(SynthesisRow {
                    group: get(row, 0)?,
                    question: get(row, 1)?,
                    component: get(row, 2)?,
                    count: get::<i64>(row, 3)? as u64,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        spiral::sort_synthesis_rows(&mut out);
        Ok(out)
    }

    async fn statistics(&self) -> Result<Statistics> {
        let mut tx = self.begin_read().await?;
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM platforms), (SELECT count(*) FROM homogeneous_groups),
                    (SELECT count(*) FROM criteria)",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_while("counting platforms, groups and criteria"))?;
        Ok(Statistics {
            platforms: get::<i64>(&row, 0)? as u64,
            groups: get::<i64>(&row, 1)? as u64,
            criteria: get::<i64>(&row, 2)? as u64,
            by_question: tally(
                &mut tx,
                "SELECT question, sum(n) FROM criteria_tally GROUP BY question",
                "question",
            )
            .await?,
            by_dimension: tally(
                &mut tx,
                "SELECT nullif(substr(component3, 1, 1), ''), sum(n) FROM criteria_tally
                  GROUP BY 1",
                "dimension",
            )
            .await?,
            by_month: tally(
                &mut tx,
                "SELECT substr(created_at, 1, 7), count(*) FROM criteria GROUP BY 1",
                "month",
            )
            .await?,
        })
    }

    async fn actions(&self, filter: &ActionFilter) -> Result<Vec<PilotAction>> {
        load_actions(&mut *self.pool.acquire().await.map_err(db)?, filter, None).await
    }

    async fn action(&self, id: i64) -> Result<Option<PilotAction>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
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
        let now = time::local(stamp(now));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pilot_actions (platform_id, title, description, actors, status,
                                        starts_on, ends_on, evaluation, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id",
        )
        .bind(platform)
        .bind(&action.title)
        .bind(&action.description)
        .bind(&action.actors)
        .bind(action.status.as_str())
        .bind(action.starts_on.map(date_text))
        .bind(action.ends_on.map(date_text))
        .bind(&action.evaluation)
        .bind(now)
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
        let platform: String = sqlx::query_scalar(
            "SELECT p.name FROM pilot_actions a JOIN platforms p ON p.id = a.platform_id
              WHERE a.id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_while(format!("reading pilot action {id}")))?
        .ok_or_else(|| refuse::action_id(id))?;
        check_criteria_of(&mut tx, action, &platform).await?;
        sqlx::query(
            "UPDATE pilot_actions SET title = ?2, description = ?3, actors = ?4, status = ?5,
                    starts_on = ?6, ends_on = ?7, evaluation = ?8, updated_at = ?9
              WHERE id = ?1",
        )
        .bind(id)
        .bind(&action.title)
        .bind(&action.description)
        .bind(&action.actors)
        .bind(action.status.as_str())
        .bind(action.starts_on.map(date_text))
        .bind(action.ends_on.map(date_text))
        .bind(&action.evaluation)
        .bind(time::local(stamp(now)))
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating pilot action {id}")))?;
        write_action_lists(&mut tx, id, action).await?;
        tx.commit().await.map_err(db)
    }

    async fn indicators(&self, platform: Option<&str>) -> Result<Vec<Indicator>> {
        load_indicators(&mut *self.pool.acquire().await.map_err(db)?, platform, None).await
    }

    async fn indicator(&self, id: i64) -> Result<Option<Indicator>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Ok(load_indicators(&mut conn, None, Some(id)).await?.pop())
    }

    async fn create_indicator(&self, indicator: &Indicator, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        check_indicator(indicator, scale_len(&mut tx).await?)?;
        let platform = platform_id(&mut tx, &indicator.platform)
            .await?
            .ok_or_else(|| refuse::platform_name(&indicator.platform))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO indicators (platform_id, component, title, levels, created_at,
                                     updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
        )
        .bind(platform)
        .bind(indicator.component.as_str())
        .bind(&indicator.title)
        .bind(json_text(&indicator.levels))
        .bind(time::local(stamp(now)))
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
        sqlx::query(
            "UPDATE indicators SET component = ?2, title = ?3, levels = ?4, updated_at = ?5
              WHERE id = ?1",
        )
        .bind(id)
        .bind(indicator.component.as_str())
        .bind(&indicator.title)
        .bind(json_text(&indicator.levels))
        .bind(time::local(stamp(now)))
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("updating indicator {id}")))?;
        tx.commit().await.map_err(db)
    }

    async fn evaluations(&self, indicator_id: i64) -> Result<Vec<Evaluation>> {
        let mut tx = self.begin_read().await?;
        indicator_platform(&mut tx, indicator_id).await?;
        let rows = sqlx::query(
            "SELECT e.id, e.indicator_id, g.name, e.date, e.level, e.comment
               FROM evaluations e LEFT JOIN homogeneous_groups g ON g.id = e.group_id
              WHERE e.indicator_id = ?1
              ORDER BY e.date, e.id",
        )
        .bind(indicator_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_while(format!(
            "reading the evaluations of indicator {indicator_id}"
        )))?;
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0)?;
                Ok(Evaluation {
                    id: Some(id),
                    indicator_id: get(row, 1)?,
                    group: get(row, 2)?,
                    date: date(row, 3)?.ok_or_else(|| {
                        StoreError::Corrupt(format!("evaluation {id} has no date"))
                    })?,
                    level: get::<u32>(row, 4)?,
                    comment: get(row, 5)?,
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO evaluations (indicator_id, group_id, date, level, comment, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )
        .bind(evaluation.indicator_id)
        .bind(group)
        .bind(date_text(evaluation.date))
        .bind(i64::from(evaluation.level))
        .bind(&evaluation.comment)
        .bind(time::local(stamp(now)))
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

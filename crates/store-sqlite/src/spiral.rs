//! SPIRAL data: platforms, homogeneous groups, criteria.

use async_trait::async_trait;
use domain::{ComponentCode, Criterion, HomogeneousGroup, MeaningCode, Platform};
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, SqliteConnection};
use store::plan::{CriterionRow, Lookups, Write};
use store::steps::ImportSteps;
use store::{CriteriaFilter, Result, StoreError};

use crate::practices::next_id;
use crate::{Run, SqliteTx, db_while, get, json_text, time};

const CHUNK: usize = 2000;

pub(crate) fn local(row: &SqliteRow, i: usize) -> Result<Option<chrono::NaiveDateTime>> {
    get::<Option<String>>(row, i)?
        .map(|s| time::parse_local(&s))
        .transpose()
}

/// Every platform, or the one with id `only`.
pub(crate) async fn platforms_with(
    conn: &mut SqliteConnection,
    only: Option<i64>,
) -> Result<Vec<Platform>> {
    let rows = sqlx::query(
        "SELECT id, name, country, languages, description, coordination, created_at
           FROM platforms WHERE ?1 IS NULL OR id = ?1 ORDER BY id",
    )
    .bind(only)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading platforms"))?;
    rows.iter()
        .map(|row| {
            let languages: String = get(row, 3)?;
            Ok(Platform {
                id: Some(get(row, 0)?),
                name: get(row, 1)?,
                country: get(row, 2)?,
                languages: serde_json::from_str(&languages).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "platform languages `{languages}` ({e}): expected a JSON array"
                    ))
                })?,
                description: get(row, 4)?,
                coordination: get(row, 5)?,
                created_at: local(row, 6)?,
            })
        })
        .collect()
}

/// Every group, or the one with id `only`.
pub(crate) async fn groups_with(
    conn: &mut SqliteConnection,
    only: Option<i64>,
) -> Result<Vec<HomogeneousGroup>> {
    let rows = sqlx::query(
        "SELECT g.id, g.name, p.name, g.language, g.profile, g.created_at
           FROM homogeneous_groups g JOIN platforms p ON p.id = g.platform_id
          WHERE ?1 IS NULL OR g.id = ?1 ORDER BY g.id",
    )
    .bind(only)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading homogeneous groups"))?;
    rows.iter()
        .map(|row| {
            Ok(HomogeneousGroup {
                id: Some(get(row, 0)?),
                name: get(row, 1)?,
                platform: get(row, 2)?,
                language: get(row, 3)?,
                profile: get(row, 4)?,
                created_at: local(row, 5)?,
            })
        })
        .collect()
}

/// The columns [`criterion`] reads, over `criteria c`, `homogeneous_groups g`, `platforms p`.
macro_rules! select_criteria {
    () => {
        "SELECT c.id, p.name, g.name, c.question, c.text, c.expressions, c.component, c.meaning,
                c.proposition, c.created_at, c.updated_at "
    };
}
pub(crate) use select_criteria;

pub(crate) fn criterion(row: &SqliteRow) -> Result<Criterion> {
    let id: i64 = get(row, 0)?;
    let corrupt =
        |e: domain::spiral::CodeError| StoreError::Corrupt(format!("criterion {id}: {e}"));
    Ok(Criterion {
        id: Some(id),
        platform: get(row, 1)?,
        group: get(row, 2)?,
        question: get(row, 3)?,
        text: get(row, 4)?,
        expressions: get::<Option<i64>>(row, 5)?.map(|n| n as u32),
        component: get::<Option<String>>(row, 6)?
            .map(|s| ComponentCode::parse(&s))
            .transpose()
            .map_err(corrupt)?,
        meaning: get::<Option<String>>(row, 7)?
            .map(|s| MeaningCode::parse(&s))
            .transpose()
            .map_err(corrupt)?,
        proposition: get(row, 8)?,
        created_at: local(row, 9)?,
        updated_at: local(row, 10)?,
    })
}

/// What the criteria queries read from: a criterion with its group and platform.
pub(crate) const CRITERIA_FROM: &str = "FROM criteria c
   JOIN homogeneous_groups g ON g.id = c.group_id
   JOIN platforms p ON p.id = g.platform_id WHERE 1";

/// The conditions of `filter` (`AND …`, to follow [`CRITERIA_FROM`]) and their values. The
/// SQL holds only the conditions asked for, so that SQLite can use the matching index; values
/// are always bound.
pub(crate) fn filter_sql(filter: &CriteriaFilter) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    let component = filter.component.as_deref().map(str::trim);
    let conditions = [
        (" AND p.name = ?", filter.platform.as_deref()),
        (" AND g.name = ?", filter.group.as_deref()),
        (" AND c.question = ?", filter.question.as_deref()),
        (" AND c.dimension = ?", filter.dimension.as_deref()),
        // A component matches what codes aggregate to; a fine code matches itself.
        (" AND c.component3 = ?", component.filter(|c| c.len() <= 3)),
        (" AND c.component = ?", component.filter(|c| c.len() > 3)),
    ];
    for (condition, value) in conditions {
        if let Some(v) = value {
            sql.push_str(condition);
            binds.push(v.to_string());
        }
    }
    (sql, binds)
}

/// Criteria matching `filter`, by id.
pub(crate) async fn criteria(
    conn: &mut SqliteConnection,
    filter: &CriteriaFilter,
) -> Result<Vec<Criterion>> {
    let (conditions, binds) = filter_sql(filter);
    let sql = format!(
        "{}{CRITERIA_FROM}{conditions} ORDER BY c.id",
        select_criteria!()
    );
    // Only the fixed fragments above make up the SQL.
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading criteria"))?;
    rows.iter().map(criterion).collect()
}

/// The stored criteria a batch can touch: by id, and by natural key.
async fn stored_criteria(conn: &mut SqliteConnection, lookups: &Lookups) -> Result<Vec<Criterion>> {
    let mut out = Vec::new();
    for chunk in lookups.criterion_ids.chunks(CHUNK) {
        let rows = sqlx::query(concat!(
            select_criteria!(),
            "FROM criteria c
               JOIN homogeneous_groups g ON g.id = c.group_id
               JOIN platforms p ON p.id = g.platform_id
              WHERE c.id IN (SELECT value FROM json_each(?1))"
        ))
        .bind(json_text(chunk))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading the criteria this import can touch"))?;
        for row in &rows {
            out.push(criterion(row)?);
        }
    }
    for chunk in lookups.criterion_keys.chunks(CHUNK) {
        let keys: Vec<Value> = chunk
            .iter()
            .map(|k| json!([k.platform, k.group, k.question, k.text]))
            .collect();
        // CROSS JOIN keeps this order: from each key down the unique indexes.
        let rows = sqlx::query(concat!(
            select_criteria!(),
            "FROM json_each(?1) AS j
              CROSS JOIN platforms p ON p.name = j.value->>0
              CROSS JOIN homogeneous_groups g ON g.platform_id = p.id AND g.name = j.value->>1
              CROSS JOIN criteria c
                 ON c.group_id = g.id AND c.question = j.value->>2 AND c.text = j.value->>3"
        ))
        .bind(json_text(&keys))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading the criteria this import can touch"))?;
        for row in &rows {
            out.push(criterion(row)?);
        }
    }
    Ok(out)
}

#[async_trait]
impl ImportSteps for SqliteTx {
    async fn stored_criteria(&mut self, lookups: &Lookups) -> Result<Vec<Criterion>> {
        stored_criteria(self, lookups).await
    }

    async fn write_platform(&mut self, w: &Write<Platform>) -> Result<i64> {
        let sql = match w {
            Write::Insert(_) => {
                "INSERT INTO platforms (id, name, country, languages, description, coordination,
                                        created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id"
            }
            Write::Update(_) => {
                "UPDATE platforms SET name = ?2, country = ?3, languages = ?4, description = ?5,
                        coordination = ?6, created_at = ?7
                  WHERE id = ?1 RETURNING id"
            }
        };
        let p = w.value();
        sqlx::query_scalar(sql)
            .bind(p.id)
            .bind(&p.name)
            .bind(&p.country)
            .bind(json_text(&p.languages))
            .bind(&p.description)
            .bind(&p.coordination)
            .bind(p.created_at.map(time::local))
            .fetch_one(&mut **self)
            .await
            .map_err(db_while(format!("writing platform «{}»", p.name)))
    }

    async fn write_group(&mut self, w: &Write<HomogeneousGroup>, platform: i64) -> Result<i64> {
        let sql = match w {
            Write::Insert(_) => {
                "INSERT INTO homogeneous_groups (id, platform_id, name, language, profile,
                                                 created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"
            }
            Write::Update(_) => {
                "UPDATE homogeneous_groups SET platform_id = ?2, name = ?3, language = ?4,
                        profile = ?5, created_at = ?6
                  WHERE id = ?1 RETURNING id"
            }
        };
        let g = w.value();
        sqlx::query_scalar(sql)
            .bind(g.id)
            .bind(platform)
            .bind(&g.name)
            .bind(&g.language)
            .bind(&g.profile)
            .bind(g.created_at.map(time::local))
            .fetch_one(&mut **self)
            .await
            .map_err(db_while(format!("writing group «{}»", g.name)))
    }

    async fn next_criterion_id(&mut self) -> Result<i64> {
        next_id(self, "criteria").await
    }

    async fn write_criteria(&mut self, rows: &[CriterionRow<'_>]) -> Result<()> {
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        for r in rows {
            let c = r.criterion;
            let row = json!([
                r.id,
                r.group_id,
                c.question,
                c.text,
                c.expressions,
                c.component.as_ref().map(ComponentCode::as_str),
                c.meaning.as_ref().map(MeaningCode::as_str),
                c.proposition,
                c.created_at.map(time::local),
                c.updated_at.map(time::local),
            ]);
            if r.insert {
                inserts.push(row);
            } else {
                updates.push(row);
            }
        }
        for chunk in inserts.chunks(CHUNK) {
            sqlx::query(
                "INSERT INTO criteria (id, group_id, question, text, expressions, component,
                                       meaning, proposition, created_at, updated_at)
                 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5,
                        value->>6, value->>7, value->>8, value->>9
                   FROM json_each(?1)",
            )
            .bind(json_text(chunk))
            .run(self, "inserting criteria")
            .await?;
        }
        for chunk in updates.chunks(CHUNK) {
            sqlx::query(
                "UPDATE criteria SET group_id = j.value->>1, question = j.value->>2,
                        text = j.value->>3, expressions = j.value->>4, component = j.value->>5,
                        meaning = j.value->>6, proposition = j.value->>7,
                        created_at = j.value->>8, updated_at = j.value->>9
                   FROM json_each(?1) AS j WHERE criteria.id = j.value->>0",
            )
            .bind(json_text(chunk))
            .run(self, "updating criteria")
            .await?;
        }
        Ok(())
    }
}

//! SPIRAL data: platforms, homogeneous groups, criteria.

use async_trait::async_trait;
use chrono::{NaiveDateTime, SubsecRound};
use domain::{ComponentCode, Criterion, HomogeneousGroup, MeaningCode, Platform};
use sqlx::PgConnection;
use store::plan::{CriterionRow, Lookups, Write};
use store::steps::ImportSteps;
use store::{CriteriaFilter, Result, StoreError};

use crate::{PgTx, db_while, next_id, raise_high_water, unsigned};

const CHUNK: usize = 5000;

/// Every platform, or the one with id `only`.
pub(crate) async fn platforms_with(
    conn: &mut PgConnection,
    only: Option<i64>,
) -> Result<Vec<Platform>> {
    let rows = sqlx::query!(
        "SELECT id, name, country, languages, description, coordination, created_at
           FROM platforms WHERE $1::bigint IS NULL OR id = $1 ORDER BY id",
        only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading platforms"))?;
    Ok(rows
        .into_iter()
        .map(|r| Platform {
            id: Some(r.id),
            name: r.name,
            country: r.country,
            languages: r.languages,
            description: r.description,
            coordination: r.coordination,
            created_at: r.created_at,
        })
        .collect())
}

/// Every group, or the one with id `only`.
pub(crate) async fn groups_with(
    conn: &mut PgConnection,
    only: Option<i64>,
) -> Result<Vec<HomogeneousGroup>> {
    let rows = sqlx::query!(
        r#"SELECT g.id, g.name, p.name AS platform, g.language, g.profile, g.created_at
             FROM homogeneous_groups g JOIN platforms p ON p.id = g.platform_id
            WHERE $1::bigint IS NULL OR g.id = $1 ORDER BY g.id"#,
        only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading homogeneous groups"))?;
    Ok(rows
        .into_iter()
        .map(|r| HomogeneousGroup {
            id: Some(r.id),
            name: r.name,
            platform: r.platform,
            language: r.language,
            profile: r.profile,
            created_at: r.created_at,
        })
        .collect())
}

/// A criterion as read, before its codes are parsed.
#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    pub(crate) id: i64,
    pub(crate) platform: String,
    pub(crate) group: String,
    pub(crate) question: String,
    pub(crate) text: String,
    pub(crate) expressions: Option<i64>,
    pub(crate) component: Option<String>,
    pub(crate) meaning: Option<String>,
    pub(crate) proposition: Option<String>,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
}

impl Row {
    pub(crate) fn criterion(self) -> Result<Criterion> {
        let id = self.id;
        let corrupt =
            |e: domain::spiral::CodeError| StoreError::Corrupt(format!("criterion {id}: {e}"));
        Ok(Criterion {
            id: Some(id),
            platform: self.platform,
            group: self.group,
            question: self.question,
            text: self.text,
            expressions: self
                .expressions
                .map(|n| unsigned(n, &format!("criterion {id}'s expressions")))
                .transpose()?,
            component: self
                .component
                .map(|s| ComponentCode::parse(&s))
                .transpose()
                .map_err(corrupt)?,
            meaning: self
                .meaning
                .map(|s| MeaningCode::parse(&s))
                .transpose()
                .map_err(corrupt)?,
            proposition: self.proposition,
            created_at: Some(self.created_at),
            updated_at: Some(self.updated_at),
        })
    }
}

/// Criteria matching `filter`, by id. One static statement: a condition whose value is not
/// given is true.
pub(crate) async fn criteria(
    conn: &mut PgConnection,
    filter: &CriteriaFilter,
) -> Result<Vec<Criterion>> {
    let component = filter.component.as_deref().map(str::trim);
    // A component matches what codes aggregate to; a fine code matches itself.
    let component3 = component.filter(|c| c.len() <= 3);
    let fine = component.filter(|c| c.len() > 3);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT c.id, p.name AS platform, g.name AS "group", c.question, c.text,
                  c.expressions, c.component, c.meaning, c.proposition, c.created_at,
                  c.updated_at
             FROM criteria c
             JOIN homogeneous_groups g ON g.id = c.group_id
             JOIN platforms p ON p.id = g.platform_id
            WHERE ($1::text IS NULL OR p.name = $1)
              AND ($2::text IS NULL OR g.name = $2)
              AND ($3::text IS NULL OR c.question = $3)
              AND ($4::text IS NULL OR c.dimension = $4)
              AND ($5::text IS NULL OR c.component3 = $5)
              AND ($6::text IS NULL OR c.component = $6)
            ORDER BY c.id"#,
        filter.platform.as_deref(),
        filter.group.as_deref(),
        filter.question.as_deref(),
        filter.dimension.as_deref(),
        component3,
        fine
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading criteria"))?;
    rows.into_iter().map(Row::criterion).collect()
}

/// The stored criteria a batch can touch: by id, and by natural key.
async fn stored_criteria(conn: &mut PgConnection, lookups: &Lookups) -> Result<Vec<Criterion>> {
    let mut out = Vec::new();
    if !lookups.criterion_ids.is_empty() {
        let rows = sqlx::query_as!(
            Row,
            r#"SELECT c.id, p.name AS platform, g.name AS "group", c.question, c.text,
                      c.expressions, c.component, c.meaning, c.proposition, c.created_at,
                      c.updated_at
                 FROM criteria c
                 JOIN homogeneous_groups g ON g.id = c.group_id
                 JOIN platforms p ON p.id = g.platform_id
                WHERE c.id = ANY($1)"#,
            &lookups.criterion_ids
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading the criteria this import can touch"))?;
        for row in rows {
            out.push(row.criterion()?);
        }
    }
    for chunk in lookups.criterion_keys.chunks(CHUNK) {
        let platform: Vec<String> = chunk.iter().map(|k| k.platform.clone()).collect();
        let group: Vec<String> = chunk.iter().map(|k| k.group.clone()).collect();
        let question: Vec<String> = chunk.iter().map(|k| k.question.clone()).collect();
        let text: Vec<String> = chunk.iter().map(|k| k.text.clone()).collect();
        let rows = sqlx::query_as!(
            Row,
            r#"SELECT c.id, p.name AS platform, g.name AS "group", c.question, c.text,
                      c.expressions, c.component, c.meaning, c.proposition, c.created_at,
                      c.updated_at
                 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[])
                   AS k(platform, grp, question, text)
                 JOIN platforms p ON p.name = k.platform
                 JOIN homogeneous_groups g ON g.platform_id = p.id AND g.name = k.grp
                 JOIN criteria c
                   ON c.group_id = g.id AND c.question = k.question AND c.text = k.text"#,
            &platform,
            &group,
            &question,
            &text
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading the criteria this import can touch"))?;
        for row in rows {
            out.push(row.criterion()?);
        }
    }
    Ok(out)
}

/// `(start, end)` of each chunk of `len` rows.
fn chunks(len: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..len)
        .step_by(CHUNK)
        .map(move |start| (start, (start + CHUNK).min(len)))
}

/// Criteria rows, column by column, for `UNNEST`.
#[derive(Default)]
struct Columns {
    id: Vec<i64>,
    group: Vec<i64>,
    question: Vec<String>,
    text: Vec<String>,
    expressions: Vec<Option<i64>>,
    component: Vec<Option<String>>,
    meaning: Vec<Option<String>>,
    proposition: Vec<Option<String>>,
    created_at: Vec<NaiveDateTime>,
    updated_at: Vec<NaiveDateTime>,
}

/// A chunk of [`Columns`].
struct Slice<'a> {
    id: &'a [i64],
    group: &'a [i64],
    question: &'a [String],
    text: &'a [String],
    expressions: &'a [Option<i64>],
    component: &'a [Option<String>],
    meaning: &'a [Option<String>],
    proposition: &'a [Option<String>],
    created_at: &'a [NaiveDateTime],
    updated_at: &'a [NaiveDateTime],
}

impl Columns {
    fn push(&mut self, id: i64, group: i64, c: &Criterion) -> Result<()> {
        let stamp = |t: Option<NaiveDateTime>, which: &str| {
            t.map(|t| t.trunc_subsecs(0)).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "criterion «{}» to write has no {which}: the plan always sets it",
                    c.text
                ))
            })
        };
        self.id.push(id);
        self.group.push(group);
        self.question.push(c.question.clone());
        self.text.push(c.text.clone());
        self.expressions.push(c.expressions.map(i64::from));
        self.component
            .push(c.component.as_ref().map(|k| k.as_str().to_string()));
        self.meaning
            .push(c.meaning.as_ref().map(|k| k.as_str().to_string()));
        self.proposition.push(c.proposition.clone());
        self.created_at.push(stamp(c.created_at, "created_at")?);
        self.updated_at.push(stamp(c.updated_at, "updated_at")?);
        Ok(())
    }

    fn slice(&self, start: usize, end: usize) -> Slice<'_> {
        Slice {
            id: &self.id[start..end],
            group: &self.group[start..end],
            question: &self.question[start..end],
            text: &self.text[start..end],
            expressions: &self.expressions[start..end],
            component: &self.component[start..end],
            meaning: &self.meaning[start..end],
            proposition: &self.proposition[start..end],
            created_at: &self.created_at[start..end],
            updated_at: &self.updated_at[start..end],
        }
    }
}

#[async_trait]
impl ImportSteps for PgTx {
    async fn stored_criteria(&mut self, lookups: &Lookups) -> Result<Vec<Criterion>> {
        stored_criteria(self, lookups).await
    }

    /// A new platform takes its id, or the next free one (`id_high_water`).
    async fn write_platform(&mut self, w: &Write<Platform>) -> Result<i64> {
        let p = w.value();
        let created_at = p.created_at.map(|t| t.trunc_subsecs(0));
        let what = || format!("writing platform «{}»", p.name);
        if let Write::Update(_) = w {
            let id = p.id.ok_or_else(|| {
                StoreError::Corrupt(format!("platform «{}» to update has no id", p.name))
            })?;
            sqlx::query!(
                "UPDATE platforms SET name = $2, country = $3, languages = $4,
                        description = $5, coordination = $6, created_at = $7
                  WHERE id = $1",
                id,
                p.name,
                p.country,
                &p.languages,
                p.description,
                p.coordination,
                created_at
            )
            .execute(&mut **self)
            .await
            .map_err(db_while(what()))?;
            return Ok(id);
        }
        let id = match p.id {
            Some(id) => id,
            None => next_id(self, "platforms").await?,
        };
        raise_high_water(self, "platforms", id).await?;
        sqlx::query!(
            "INSERT INTO platforms (id, name, country, languages, description,
                                    coordination, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            p.name,
            p.country,
            &p.languages,
            p.description,
            p.coordination,
            created_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(what()))?;
        Ok(id)
    }

    /// A new group takes its id, or the next free one (`id_high_water`).
    async fn write_group(&mut self, w: &Write<HomogeneousGroup>, platform: i64) -> Result<i64> {
        let g = w.value();
        let created_at = g.created_at.map(|t| t.trunc_subsecs(0));
        let what = || format!("writing group «{}»", g.name);
        if let Write::Update(_) = w {
            let id = g.id.ok_or_else(|| {
                StoreError::Corrupt(format!("group «{}» to update has no id", g.name))
            })?;
            sqlx::query!(
                "UPDATE homogeneous_groups SET platform_id = $2, name = $3, language = $4,
                        profile = $5, created_at = $6
                  WHERE id = $1",
                id,
                platform,
                g.name,
                g.language,
                g.profile,
                created_at
            )
            .execute(&mut **self)
            .await
            .map_err(db_while(what()))?;
            return Ok(id);
        }
        let id = match g.id {
            Some(id) => id,
            None => next_id(self, "homogeneous_groups").await?,
        };
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
            created_at
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(what()))?;
        Ok(id)
    }

    async fn next_criterion_id(&mut self) -> Result<i64> {
        next_id(self, "criteria").await
    }

    async fn write_criteria(&mut self, rows: &[CriterionRow<'_>]) -> Result<()> {
        let mut inserts = Columns::default();
        let mut updates = Columns::default();
        for r in rows {
            let columns = if r.insert { &mut inserts } else { &mut updates };
            columns.push(r.id, r.group_id, r.criterion)?;
        }
        if let Some(&highest) = inserts.id.iter().max() {
            raise_high_water(self, "criteria", highest).await?;
        }
        for (start, end) in chunks(inserts.id.len()) {
            let c = inserts.slice(start, end);
            sqlx::query!(
                "INSERT INTO criteria (id, group_id, question, text, expressions, component,
                                       meaning, proposition, created_at, updated_at)
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[],
                                      $5::bigint[], $6::text[], $7::text[], $8::text[],
                                      $9::timestamp[], $10::timestamp[])",
                c.id,
                c.group,
                c.question,
                c.text,
                c.expressions as _,
                c.component as _,
                c.meaning as _,
                c.proposition as _,
                c.created_at,
                c.updated_at
            )
            .execute(&mut **self)
            .await
            .map_err(db_while("inserting criteria"))?;
        }
        for (start, end) in chunks(updates.id.len()) {
            let c = updates.slice(start, end);
            sqlx::query!(
                "UPDATE criteria c SET group_id = u.group_id, question = u.question, text = u.text,
                        expressions = u.expressions, component = u.component, meaning = u.meaning,
                        proposition = u.proposition, created_at = u.created_at,
                        updated_at = u.updated_at
                   FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
                               $6::text[], $7::text[], $8::text[], $9::timestamp[],
                               $10::timestamp[])
                     AS u(id, group_id, question, text, expressions, component, meaning,
                          proposition, created_at, updated_at)
                  WHERE c.id = u.id",
                c.id,
                c.group,
                c.question,
                c.text,
                c.expressions as _,
                c.component as _,
                c.meaning as _,
                c.proposition as _,
                c.created_at,
                c.updated_at
            )
            .execute(&mut **self)
            .await
            .map_err(db_while("updating criteria"))?;
        }
        Ok(())
    }
}

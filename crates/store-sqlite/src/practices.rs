//! Practices: the row, its ordered lists, and its sources.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{Contact, Language, Practice, PracticeFields, Source, Status};
use serde_json::{Value, json};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use store::plan::{Content, Lookups, PracticeRows, PracticeWrite, StoredPractice, Whole};
use store::steps::PracticeSteps;
use store::{Counts, Result, StoreError};

use crate::{Run, SqliteTx, db, db_while, get, json_text, time};

/// Practices per bulk statement: bounds the size of one JSON argument.
const CHUNK: usize = 1000;

/// The stored practices a batch can touch, without their fields.
async fn stored(conn: &mut SqliteConnection, lookups: &Lookups) -> Result<Vec<StoredPractice>> {
    if lookups.practice_ids.is_empty() && lookups.identity_keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT id, identity_key, content_hash, created_at, updated_at,
                COALESCE((SELECT r.action FROM revisions r WHERE r.practice_id = p.id
                           ORDER BY r.number DESC LIMIT 1), 'import') <> 'import'
           FROM practices p
          WHERE id IN (SELECT value FROM json_each(?1))
             OR identity_key IN (SELECT value FROM json_each(?2))
          ORDER BY id",
    )
    .bind(json_text(&lookups.practice_ids))
    .bind(json_text(&lookups.identity_keys))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading the practices this import can touch"))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(StoredPractice {
            id: get(row, 0)?,
            identity_key: get(row, 1)?,
            content_hash: get(row, 2)?,
            sources: Vec::new(),
            created_at: time::parse_utc(&get::<String>(row, 3)?)?,
            updated_at: time::parse_utc(&get::<String>(row, 4)?)?,
            edited: get(row, 5)?,
        });
    }
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let ids: Vec<i64> = out.iter().map(|p| p.id).collect();
    let rows = sqlx::query(
        "SELECT practice_id, document, first_line, last_line, truncated FROM sources
          WHERE practice_id IN (SELECT value FROM json_each(?1))
          ORDER BY practice_id, position",
    )
    .bind(json_text(&ids))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading sources"))?;
    for row in &rows {
        let id: i64 = get(row, 0)?;
        out[index[&id]].sources.push(source(row)?);
    }
    Ok(out)
}

fn source(row: &SqliteRow) -> Result<Source> {
    Ok(Source {
        document: get(row, 1)?,
        first_line: get::<i64>(row, 2)? as u32,
        last_line: get::<i64>(row, 3)? as u32,
        truncated: get(row, 4)?,
    })
}

/// Practices with ids in `lo..=hi` and, when given, in the JSON array `ids`.
async fn load_where(
    conn: &mut SqliteConnection,
    lo: i64,
    hi: i64,
    ids: Option<&str>,
) -> Result<Vec<Practice>> {
    let sql = for_ids(
        "SELECT id, slug, title, subtitle, institution, organisers, objectives, description,
                results, target_public, place_periodicity, costs, other_info, status, language,
                created_at, updated_at
           FROM practices WHERE id BETWEEN ?1 AND ?2
            AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3)))
          ORDER BY id",
        ids,
    );
    let rows = sqlx::query(sql)
        .bind(lo)
        .bind(hi)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading practices"))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = get(row, 0)?;
        let status: String = get(row, 13)?;
        let language: String = get(row, 14)?;
        out.push(Practice {
            id,
            slug: get(row, 1)?,
            fields: PracticeFields {
                title: get(row, 2)?,
                subtitle: get(row, 3)?,
                institution: get(row, 4)?,
                organisers: get(row, 5)?,
                communes: Vec::new(),
                themes: Vec::new(),
                objectives: get(row, 6)?,
                description: get(row, 7)?,
                results: get(row, 8)?,
                target_public: get(row, 9)?,
                place_periodicity: get(row, 10)?,
                costs: get(row, 11)?,
                other_info: get(row, 12)?,
                contacts: Vec::new(),
                websites: Vec::new(),
                spiral_components: Vec::new(),
            },
            sources: Vec::new(),
            status: Status::parse(&status).ok_or_else(|| {
                StoreError::Corrupt(format!("practice {id}: unknown status `{status}`"))
            })?,
            language: Language::parse(&language).ok_or_else(|| {
                StoreError::Corrupt(format!("practice {id}: unknown language `{language}`"))
            })?,
            created_at: time::parse_utc(&get::<String>(row, 15)?)?,
            updated_at: time::parse_utc(&get::<String>(row, 16)?)?,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let slot = |row: &SqliteRow| -> Result<usize> {
        let id: i64 = get(row, 0)?;
        index
            .get(&id)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("a list refers to no practice {id}")))
    };

    for row in &lists(conn, LIST_COMMUNES, lo, hi, ids).await? {
        out[slot(row)?].fields.communes.push(get(row, 1)?);
    }
    for row in &lists(conn, LIST_THEMES, lo, hi, ids).await? {
        out[slot(row)?].fields.themes.push(get(row, 1)?);
    }
    for row in &lists(conn, LIST_WEBSITES, lo, hi, ids).await? {
        out[slot(row)?].fields.websites.push(get(row, 1)?);
    }
    for row in &lists(conn, LIST_COMPONENTS, lo, hi, ids).await? {
        out[slot(row)?].fields.spiral_components.push(get(row, 1)?);
    }
    for row in &lists(conn, LIST_SOURCES, lo, hi, ids).await? {
        out[slot(row)?].sources.push(source(row)?);
    }
    for row in &lists(conn, LIST_CONTACTS, lo, hi, ids).await? {
        let strings = |i: usize| -> Result<Vec<String>> {
            let text: String = get(row, i)?;
            serde_json::from_str(&text).map_err(|e| {
                StoreError::Corrupt(format!(
                    "contact list `{text}` ({e}): expected a JSON array"
                ))
            })
        };
        let contact = Contact {
            name: get(row, 1)?,
            role: get(row, 2)?,
            organisation: get(row, 3)?,
            address: get(row, 4)?,
            phones: strings(5)?,
            emails: strings(6)?,
        };
        out[slot(row)?].fields.contacts.push(contact);
    }
    Ok(out)
}

// `?3`, when not NULL, is a JSON array of the ids to read (see `practices_by_id`).
const LIST_COMMUNES: &str = "SELECT l.practice_id, c.name FROM practice_communes l
    JOIN communes c ON c.id = l.commune_id
    WHERE l.practice_id BETWEEN ?1 AND ?2
      AND (?3 IS NULL OR l.practice_id IN (SELECT value FROM json_each(?3)))
    ORDER BY l.practice_id, l.position";
const LIST_THEMES: &str = "SELECT l.practice_id, t.name FROM practice_themes l
    JOIN themes t ON t.id = l.theme_id
    WHERE l.practice_id BETWEEN ?1 AND ?2
      AND (?3 IS NULL OR l.practice_id IN (SELECT value FROM json_each(?3)))
    ORDER BY l.practice_id, l.position";
const LIST_WEBSITES: &str = "SELECT practice_id, url FROM practice_websites
    WHERE practice_id BETWEEN ?1 AND ?2
      AND (?3 IS NULL OR practice_id IN (SELECT value FROM json_each(?3)))
    ORDER BY practice_id, position";
const LIST_COMPONENTS: &str = "SELECT practice_id, code FROM practice_components
    WHERE practice_id BETWEEN ?1 AND ?2
      AND (?3 IS NULL OR practice_id IN (SELECT value FROM json_each(?3)))
    ORDER BY practice_id, position";
const LIST_SOURCES: &str = "SELECT practice_id, document, first_line, last_line, truncated
    FROM sources WHERE practice_id BETWEEN ?1 AND ?2
      AND (?3 IS NULL OR practice_id IN (SELECT value FROM json_each(?3)))
    ORDER BY practice_id, position";
const LIST_CONTACTS: &str = "SELECT practice_id, name, role, organisation, address, phones, emails
    FROM contacts WHERE practice_id BETWEEN ?1 AND ?2
      AND (?3 IS NULL OR practice_id IN (SELECT value FROM json_each(?3)))
    ORDER BY practice_id, position";

async fn lists(
    conn: &mut SqliteConnection,
    sql: &'static str,
    lo: i64,
    hi: i64,
    ids: Option<&str>,
) -> Result<Vec<SqliteRow>> {
    sqlx::query(for_ids(sql, ids))
        .bind(lo)
        .bind(hi)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_while("reading practice lists"))
}

/// The statement for a read by ids when there are ids: without the `?3 IS NULL OR` that keeps
/// SQLite from looking each id up by key. With it, the planner walks the whole `BETWEEN` range,
/// which for ids spread over the table (search hits in score order) is every row, per batch.
/// Made only from the constant statements of this file, never from data: safe as SQL.
fn for_ids(sql: &'static str, ids: Option<&str>) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(match ids {
        Some(_) => sql.replace("?3 IS NULL OR ", ""),
        None => sql.to_string(),
    })
}

/// The next free id of an AUTOINCREMENT table, never one used before (even if deleted).
pub(crate) async fn next_id(conn: &mut SqliteConnection, table: &'static str) -> Result<i64> {
    let sql = match table {
        "practices" => {
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'practices'), 0),
                        coalesce((SELECT max(id) FROM practices), 0)) + 1"
        }
        "criteria" => {
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'criteria'), 0),
                        coalesce((SELECT max(id) FROM criteria), 0)) + 1"
        }
        _ => unreachable!("no id assignment for {table}"),
    };
    sqlx::query_scalar(sql)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)
}

/// Writes the planned practices: inserts and updates, in bulk, and records each in the outbox.
/// Returns the id of each write, in order (new practices get theirs here).
async fn write(
    conn: &mut SqliteConnection,
    writes: &[PracticeWrite],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let next = next_id(conn, "practices").await?;
    let rows = PracticeRows::of(writes, next);
    let whole = |w: &Whole| row(w.id, w.content, w.created_at, w.updated_at);
    let inserts: Vec<Value> = rows.inserts.iter().map(whole).collect();
    let overwrites: Vec<Value> = rows.overwrites.iter().map(whole).collect();
    let touched: Vec<Value> = rows
        .touched
        .iter()
        .map(|(id, created_at, updated_at)| {
            json!([id, time::utc(*created_at), time::utc(*updated_at)])
        })
        .collect();

    for chunk in inserts.chunks(CHUNK) {
        sqlx::query(INSERT_PRACTICES)
            .bind(json_text(chunk))
            .run(&mut *conn, "inserting practices")
            .await?;
    }
    for chunk in overwrites.chunks(CHUNK) {
        sqlx::query(UPDATE_PRACTICES)
            .bind(json_text(chunk))
            .run(&mut *conn, "updating practices")
            .await?;
    }
    for chunk in touched.chunks(CHUNK) {
        sqlx::query(
            "UPDATE practices SET created_at = j.value->>1, updated_at = j.value->>2
               FROM json_each(?1) AS j WHERE practices.id = j.value->>0",
        )
        .bind(json_text(chunk))
        .run(&mut *conn, "updating practice timestamps")
        .await?;
    }
    for chunk in rows.replaced_contents.chunks(CHUNK) {
        for sql in DELETE_LISTS {
            sqlx::query(sql)
                .bind(json_text(chunk))
                .run(&mut *conn, "replacing practice lists")
                .await?;
        }
    }
    for chunk in rows.replaced_sources.chunks(CHUNK) {
        sqlx::query("DELETE FROM sources WHERE practice_id IN (SELECT value FROM json_each(?1))")
            .bind(json_text(chunk))
            .run(&mut *conn, "replacing sources")
            .await?;
    }
    for chunk in rows.contents.chunks(CHUNK) {
        write_lists(conn, chunk).await?;
    }
    for chunk in rows.written.chunks(CHUNK) {
        crate::outbox::record_upserts(conn, chunk, now).await?;
    }
    for chunk in rows.sources.chunks(CHUNK) {
        let list: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, list)| {
                list.iter().enumerate().map(move |(i, s)| {
                    json!([id, i, s.document, s.first_line, s.last_line, s.truncated])
                })
            })
            .collect();
        if list.is_empty() {
            continue;
        }
        sqlx::query(
            "INSERT INTO sources (practice_id, position, document, first_line, last_line, truncated)
             SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5
               FROM json_each(?1)",
        )
        .bind(json_text(&list))
        .run(&mut *conn, "writing sources")
        .await?;
    }
    Ok(rows.written)
}

/// The practices row as a JSON array, in the column order of the statements below.
fn row(id: i64, c: &Content, created_at: DateTime<Utc>, updated_at: DateTime<Utc>) -> Value {
    let f = &c.fields;
    json!([
        id,
        c.slug,
        f.title,
        f.subtitle,
        f.institution,
        f.organisers,
        f.objectives,
        f.description,
        f.results,
        f.target_public,
        f.place_periodicity,
        f.costs,
        f.other_info,
        c.status.as_str(),
        c.language.as_str(),
        c.identity_key,
        c.content_hash,
        time::utc(created_at),
        time::utc(updated_at),
    ])
}

const INSERT_PRACTICES: &str = "INSERT INTO practices (id, slug, title, subtitle, institution,
        organisers, objectives, description, results, target_public, place_periodicity, costs,
        other_info, status, language, identity_key, content_hash, created_at, updated_at)
    SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6,
           value->>7, value->>8, value->>9, value->>10, value->>11, value->>12, value->>13,
           value->>14, value->>15, value->>16, value->>17, value->>18
      FROM json_each(?1)";

const UPDATE_PRACTICES: &str = "UPDATE practices SET slug = j.value->>1, title = j.value->>2,
        subtitle = j.value->>3, institution = j.value->>4, organisers = j.value->>5,
        objectives = j.value->>6, description = j.value->>7, results = j.value->>8,
        target_public = j.value->>9, place_periodicity = j.value->>10, costs = j.value->>11,
        other_info = j.value->>12, status = j.value->>13, language = j.value->>14,
        content_hash = j.value->>16, created_at = j.value->>17,
        updated_at = j.value->>18
    FROM json_each(?1) AS j WHERE practices.id = j.value->>0";

const DELETE_LISTS: [&str; 5] = [
    "DELETE FROM practice_communes WHERE practice_id IN (SELECT value FROM json_each(?1))",
    "DELETE FROM practice_themes WHERE practice_id IN (SELECT value FROM json_each(?1))",
    "DELETE FROM contacts WHERE practice_id IN (SELECT value FROM json_each(?1))",
    "DELETE FROM practice_websites WHERE practice_id IN (SELECT value FROM json_each(?1))",
    "DELETE FROM practice_components WHERE practice_id IN (SELECT value FROM json_each(?1))",
];

/// Writes the ordered lists of the given practices (whose lists are empty now).
async fn write_lists(conn: &mut SqliteConnection, chunk: &[(i64, &Content)]) -> Result<()> {
    let positions = |list: fn(&PracticeFields) -> &Vec<String>| -> Vec<Value> {
        chunk
            .iter()
            .flat_map(|(id, c)| {
                list(&c.fields)
                    .iter()
                    .enumerate()
                    .map(move |(i, v)| json!([id, i, v]))
            })
            .collect()
    };
    let communes = positions(|f| &f.communes);
    let themes = positions(|f| &f.themes);
    let websites = positions(|f| &f.websites);
    let components = positions(|f| &f.spiral_components);
    let contacts: Vec<Value> = chunk
        .iter()
        .flat_map(|(id, c)| {
            c.fields.contacts.iter().enumerate().map(move |(i, k)| {
                json!([
                    id,
                    i,
                    k.name,
                    k.role,
                    k.organisation,
                    k.address,
                    k.phones,
                    k.emails
                ])
            })
        })
        .collect();

    let statements: [(&[Value], &[&'static str]); 5] = [
        (
            &communes,
            &[
                "INSERT INTO communes (name) SELECT value->>2 FROM json_each(?1) WHERE true
                 ON CONFLICT (name) DO NOTHING",
                "INSERT INTO practice_communes (practice_id, position, commune_id)
                 SELECT j.value->>0, j.value->>1, c.id
                   FROM json_each(?1) AS j JOIN communes AS c ON c.name = j.value->>2",
            ],
        ),
        (
            &themes,
            &[
                "INSERT INTO themes (name) SELECT value->>2 FROM json_each(?1) WHERE true
                 ON CONFLICT (name) DO NOTHING",
                "INSERT INTO practice_themes (practice_id, position, theme_id)
                 SELECT j.value->>0, j.value->>1, t.id
                   FROM json_each(?1) AS j JOIN themes AS t ON t.name = j.value->>2",
            ],
        ),
        (
            &websites,
            &["INSERT INTO practice_websites (practice_id, position, url)
               SELECT value->>0, value->>1, value->>2 FROM json_each(?1)"],
        ),
        (
            &components,
            &[
                "INSERT INTO practice_components (practice_id, position, code)
               SELECT value->>0, value->>1, value->>2 FROM json_each(?1)",
            ],
        ),
        (
            &contacts,
            &[
                "INSERT INTO contacts (practice_id, position, name, role, organisation, address,
                                     phones, emails)
               SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5,
                      value->6, value->7
                 FROM json_each(?1)",
            ],
        ),
    ];
    for (rows, sqls) in statements {
        if rows.is_empty() {
            continue;
        }
        let payload = json_text(rows);
        for sql in sqls {
            sqlx::query(*sql)
                .bind(payload.clone())
                .run(&mut *conn, "writing the lists of practices")
                .await?;
        }
    }
    Ok(())
}

#[async_trait]
impl PracticeSteps for SqliteTx {
    async fn practices_by_id(&mut self, ids: &[i64]) -> Result<Vec<Practice>> {
        let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else {
            return Ok(Vec::new());
        };
        load_where(self, *lo, *hi, Some(&json_text(ids))).await
    }

    async fn practice_exists(&mut self, id: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM practices WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut **self)
            .await
            .map_err(db_while(format!("reading practice {id}")))?;
        Ok(found.is_some())
    }

    async fn practice_ids_with_status(
        &mut self,
        status: Status,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Vec<i64>> {
        // `LIMIT -1`: no limit.
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        sqlx::query_scalar(
            "SELECT id FROM practices WHERE status = ?1 ORDER BY updated_at DESC, id DESC
              LIMIT ?2 OFFSET ?3",
        )
        .bind(status.as_str())
        .bind(limit)
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!("reading {} practices", status.as_str())))
    }

    async fn practice_ids_after(
        &mut self,
        status: Status,
        after: i64,
        limit: u64,
    ) -> Result<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT id FROM practices WHERE status = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )
        .bind(status.as_str())
        .bind(after)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!("reading {} practices", status.as_str())))
    }

    async fn next_practice_id(&mut self) -> Result<i64> {
        next_id(self, "practices").await
    }

    async fn write_practices(
        &mut self,
        w: &[PracticeWrite],
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        write(self, w, at).await
    }

    async fn touch_practice(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE practices SET updated_at = ?2 WHERE id = ?1")
            .bind(id)
            .bind(time::utc(now))
            .run(self, format!("updating practice {id}"))
            .await?;
        crate::outbox::record_upserts(self, &[id], now).await
    }

    async fn stored_practices(&mut self, lookups: &Lookups) -> Result<Vec<StoredPractice>> {
        stored(self, lookups).await
    }

    async fn all_practices(&mut self) -> Result<Vec<Practice>> {
        load_where(self, i64::MIN, i64::MAX, None).await
    }

    async fn counts(&mut self) -> Result<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM practices), (SELECT count(*) FROM platforms),
                    (SELECT count(*) FROM homogeneous_groups), (SELECT count(*) FROM criteria),
                    (SELECT count(*) FROM jobs WHERE status = 'queued')",
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db)?;
        let n = |i: usize| get::<i64>(&row, i).map(|n| n as u64);
        Ok(Counts {
            practices: n(0)?,
            platforms: n(1)?,
            groups: n(2)?,
            criteria: n(3)?,
            jobs_queued: n(4)?,
        })
    }
}

//! Practices: the row, its ordered lists, and its sources.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::{Contact, Language, Practice, PracticeFields, Source, Status};
use sqlx::PgConnection;
use store::plan::{Content, Lookups, PracticeRows, PracticeWrite, StoredPractice, Whole};
use store::steps::PracticeSteps;
use store::{Counts, Result, StoreError};

use crate::{PgTx, db_while, next_id, raise_high_water, unsigned};

/// Practices per bulk statement: bounds the size of one statement's arrays.
const CHUNK: usize = 5000;

/// The stored practices a batch can touch, without their fields.
async fn stored(conn: &mut PgConnection, lookups: &Lookups) -> Result<Vec<StoredPractice>> {
    if lookups.practice_ids.is_empty() && lookups.identity_keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"SELECT id, identity_key, content_hash, created_at, updated_at,
                  COALESCE((SELECT r.action FROM revisions r WHERE r.practice_id = p.id
                             ORDER BY r.number DESC LIMIT 1), 'import') <> 'import'
                    AS "edited!"
             FROM practices p
            WHERE id = ANY($1) OR identity_key = ANY($2)
            ORDER BY id"#,
        &lookups.practice_ids,
        &lookups.identity_keys
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading the practices this import can touch"))?;
    let mut out: Vec<StoredPractice> = rows
        .into_iter()
        .map(|r| StoredPractice {
            id: r.id,
            identity_key: r.identity_key,
            content_hash: r.content_hash,
            sources: Vec::new(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            edited: r.edited,
        })
        .collect();
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let ids: Vec<i64> = out.iter().map(|p| p.id).collect();
    let rows = sqlx::query!(
        "SELECT practice_id, document, first_line, last_line, truncated FROM sources
          WHERE practice_id = ANY($1)
          ORDER BY practice_id, position",
        &ids
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading sources"))?;
    for r in rows {
        out[index[&r.practice_id]].sources.push(Source {
            document: r.document,
            first_line: unsigned(r.first_line, "a source's first line")?,
            last_line: unsigned(r.last_line, "a source's last line")?,
            truncated: r.truncated,
        });
    }
    Ok(out)
}

/// Practices with ids in `lo..=hi` and, when given, among `ids`.
async fn load_where(
    conn: &mut PgConnection,
    lo: i64,
    hi: i64,
    ids: Option<&[i64]>,
) -> Result<Vec<Practice>> {
    let rows = sqlx::query!(
        r#"SELECT p.id, p.slug, p.title, p.subtitle, p.institution, p.organisers, p.objectives,
                  p.description, p.results, p.target_public, p.place_periodicity, p.costs,
                  p.other_info, p.status, p.language, p.created_at, p.updated_at,
                  ARRAY(SELECT c.name FROM practice_communes l JOIN communes c ON c.id = l.commune_id
                         WHERE l.practice_id = p.id ORDER BY l.position) AS "communes!",
                  ARRAY(SELECT t.name FROM practice_themes l JOIN themes t ON t.id = l.theme_id
                         WHERE l.practice_id = p.id ORDER BY l.position) AS "themes!",
                  ARRAY(SELECT w.url FROM practice_websites w
                         WHERE w.practice_id = p.id ORDER BY w.position) AS "websites!",
                  ARRAY(SELECT k.code FROM practice_components k
                         WHERE k.practice_id = p.id ORDER BY k.position) AS "components!"
             FROM practices p
            WHERE p.id BETWEEN $1 AND $2 AND ($3::bigint[] IS NULL OR p.id = ANY($3))
            ORDER BY p.id"#,
        lo,
        hi,
        ids
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading practices"))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        out.push(Practice {
            id,
            slug: r.slug,
            fields: PracticeFields {
                title: r.title,
                subtitle: r.subtitle,
                institution: r.institution,
                organisers: r.organisers,
                communes: r.communes,
                themes: r.themes,
                objectives: r.objectives,
                description: r.description,
                results: r.results,
                target_public: r.target_public,
                place_periodicity: r.place_periodicity,
                costs: r.costs,
                other_info: r.other_info,
                contacts: Vec::new(),
                websites: r.websites,
                spiral_components: r.components,
            },
            sources: Vec::new(),
            status: Status::parse(&r.status).ok_or_else(|| {
                StoreError::Corrupt(format!("practice {id}: unknown status `{}`", r.status))
            })?,
            language: Language::parse(&r.language).ok_or_else(|| {
                StoreError::Corrupt(format!("practice {id}: unknown language `{}`", r.language))
            })?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let slot = |id: i64| -> Result<usize> {
        index
            .get(&id)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("a list refers to no practice {id}")))
    };

    let sources = sqlx::query!(
        "SELECT practice_id, document, first_line, last_line, truncated FROM sources
          WHERE practice_id BETWEEN $1 AND $2
            AND ($3::bigint[] IS NULL OR practice_id = ANY($3))
          ORDER BY practice_id, position",
        lo,
        hi,
        ids
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading sources"))?;
    for r in sources {
        out[slot(r.practice_id)?].sources.push(Source {
            document: r.document,
            first_line: unsigned(r.first_line, "a source's first line")?,
            last_line: unsigned(r.last_line, "a source's last line")?,
            truncated: r.truncated,
        });
    }
    let contacts = sqlx::query!(
        "SELECT practice_id, name, role, organisation, address, phones, emails FROM contacts
          WHERE practice_id BETWEEN $1 AND $2
            AND ($3::bigint[] IS NULL OR practice_id = ANY($3))
          ORDER BY practice_id, position",
        lo,
        hi,
        ids
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_while("reading contacts"))?;
    for r in contacts {
        out[slot(r.practice_id)?].fields.contacts.push(Contact {
            name: r.name,
            role: r.role,
            organisation: r.organisation,
            address: r.address,
            phones: r.phones,
            emails: r.emails,
        });
    }
    Ok(out)
}

/// The practices row, column by column, for `UNNEST`.
#[derive(Default)]
struct Rows {
    id: Vec<i64>,
    slug: Vec<String>,
    title: Vec<String>,
    subtitle: Vec<Option<String>>,
    institution: Vec<Option<String>>,
    organisers: Vec<Option<String>>,
    objectives: Vec<Option<String>>,
    description: Vec<Option<String>>,
    results: Vec<Option<String>>,
    target_public: Vec<Option<String>>,
    place_periodicity: Vec<Option<String>>,
    costs: Vec<Option<String>>,
    other_info: Vec<Option<String>>,
    status: Vec<String>,
    language: Vec<String>,
    identity_key: Vec<String>,
    content_hash: Vec<String>,
    created_at: Vec<DateTime<Utc>>,
    updated_at: Vec<DateTime<Utc>>,
}

impl Rows {
    fn of(chunk: &[Whole<'_>]) -> Self {
        let mut r = Rows::default();
        for w in chunk {
            let (c, f) = (w.content, &w.content.fields);
            r.id.push(w.id);
            r.slug.push(c.slug.clone());
            r.title.push(f.title.clone());
            r.subtitle.push(f.subtitle.clone());
            r.institution.push(f.institution.clone());
            r.organisers.push(f.organisers.clone());
            r.objectives.push(f.objectives.clone());
            r.description.push(f.description.clone());
            r.results.push(f.results.clone());
            r.target_public.push(f.target_public.clone());
            r.place_periodicity.push(f.place_periodicity.clone());
            r.costs.push(f.costs.clone());
            r.other_info.push(f.other_info.clone());
            r.status.push(c.status.as_str().to_string());
            r.language.push(c.language.as_str().to_string());
            r.identity_key.push(c.identity_key.clone());
            r.content_hash.push(c.content_hash.clone());
            r.created_at.push(w.created_at.trunc_subsecs(0));
            r.updated_at.push(w.updated_at.trunc_subsecs(0));
        }
        r
    }
}

/// Writes the planned practices: inserts and updates, in bulk, and records each in the outbox.
/// Returns the id of each write, in order (new practices get theirs here).
async fn write(
    conn: &mut PgConnection,
    writes: &[PracticeWrite],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let next = next_id(conn, "practices").await?;
    let rows = PracticeRows::of(writes, next);
    let (inserts, overwrites) = (&rows.inserts, &rows.overwrites);
    // (id, created_at, updated_at) of practices whose row keeps its content.
    let mut touched: (Vec<i64>, Vec<DateTime<Utc>>, Vec<DateTime<Utc>>) = Default::default();
    for (id, created_at, updated_at) in &rows.touched {
        touched.0.push(*id);
        touched.1.push(created_at.trunc_subsecs(0));
        touched.2.push(updated_at.trunc_subsecs(0));
    }
    if let Some(highest) = inserts.iter().map(|w| w.id).max() {
        raise_high_water(conn, "practices", highest).await?;
    }

    for chunk in inserts.chunks(CHUNK) {
        let r = Rows::of(chunk);
        sqlx::query!(
            "INSERT INTO practices (id, slug, title, subtitle, institution, organisers,
                    objectives, description, results, target_public, place_periodicity, costs,
                    other_info, status, language, identity_key, content_hash, created_at,
                    updated_at)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                    $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                    $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                    $18::timestamptz[], $19::timestamptz[])",
            &r.id,
            &r.slug,
            &r.title,
            &r.subtitle as _,
            &r.institution as _,
            &r.organisers as _,
            &r.objectives as _,
            &r.description as _,
            &r.results as _,
            &r.target_public as _,
            &r.place_periodicity as _,
            &r.costs as _,
            &r.other_info as _,
            &r.status,
            &r.language,
            &r.identity_key,
            &r.content_hash,
            &r.created_at,
            &r.updated_at,
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while("inserting practices"))?;
    }
    for chunk in overwrites.chunks(CHUNK) {
        let r = Rows::of(chunk);
        sqlx::query!(
            "UPDATE practices p SET slug = u.slug, title = u.title, subtitle = u.subtitle,
                    institution = u.institution, organisers = u.organisers,
                    objectives = u.objectives, description = u.description, results = u.results,
                    target_public = u.target_public, place_periodicity = u.place_periodicity,
                    costs = u.costs, other_info = u.other_info, status = u.status,
                    language = u.language, content_hash = u.content_hash, created_at = u.created_at,
                    updated_at = u.updated_at
               FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                    $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                    $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                    $18::timestamptz[], $19::timestamptz[])
                 AS u(id, slug, title, subtitle, institution, organisers, objectives,
                      description, results, target_public, place_periodicity, costs, other_info,
                      status, language, identity_key, content_hash, created_at, updated_at)
              WHERE p.id = u.id",
            &r.id,
            &r.slug,
            &r.title,
            &r.subtitle as _,
            &r.institution as _,
            &r.organisers as _,
            &r.objectives as _,
            &r.description as _,
            &r.results as _,
            &r.target_public as _,
            &r.place_periodicity as _,
            &r.costs as _,
            &r.other_info as _,
            &r.status,
            &r.language,
            &r.identity_key,
            &r.content_hash,
            &r.created_at,
            &r.updated_at,
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while("updating practices"))?;
    }
    if !touched.0.is_empty() {
        sqlx::query!(
            "UPDATE practices p SET created_at = u.created_at, updated_at = u.updated_at
               FROM UNNEST($1::bigint[], $2::timestamptz[], $3::timestamptz[])
                 AS u(id, created_at, updated_at)
              WHERE p.id = u.id",
            &touched.0,
            &touched.1,
            &touched.2
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while("updating practice timestamps"))?;
    }

    if !rows.replaced_contents.is_empty() {
        delete_lists(conn, &rows.replaced_contents).await?;
    }
    if !rows.replaced_sources.is_empty() {
        sqlx::query!(
            "DELETE FROM sources WHERE practice_id = ANY($1)",
            &rows.replaced_sources
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while("replacing sources"))?;
    }
    for chunk in rows.contents.chunks(CHUNK) {
        write_lists(conn, chunk).await?;
    }
    for chunk in rows.sources.chunks(CHUNK) {
        write_sources(conn, chunk).await?;
    }
    crate::outbox::record_upserts(conn, &rows.written, now).await?;
    Ok(rows.written)
}

async fn delete_lists(conn: &mut PgConnection, ids: &[i64]) -> Result<()> {
    let what = "replacing practice lists";
    sqlx::query!(
        "DELETE FROM practice_communes WHERE practice_id = ANY($1)",
        ids
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what))?;
    sqlx::query!(
        "DELETE FROM practice_themes WHERE practice_id = ANY($1)",
        ids
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what))?;
    sqlx::query!("DELETE FROM contacts WHERE practice_id = ANY($1)", ids)
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
    sqlx::query!(
        "DELETE FROM practice_websites WHERE practice_id = ANY($1)",
        ids
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what))?;
    sqlx::query!(
        "DELETE FROM practice_components WHERE practice_id = ANY($1)",
        ids
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while(what))?;
    Ok(())
}

/// One ordered list of strings of many practices, as `UNNEST` columns.
#[derive(Default)]
struct List {
    id: Vec<i64>,
    position: Vec<i32>,
    value: Vec<String>,
}

impl List {
    fn of(chunk: &[(i64, &Content)], list: fn(&PracticeFields) -> &Vec<String>) -> Self {
        let mut out = List::default();
        for (id, c) in chunk {
            for (i, v) in list(&c.fields).iter().enumerate() {
                out.id.push(*id);
                out.position.push(i as i32);
                out.value.push(v.clone());
            }
        }
        out
    }
}

/// Writes the ordered lists of the given practices (whose lists are empty now).
async fn write_lists(conn: &mut PgConnection, chunk: &[(i64, &Content)]) -> Result<()> {
    let what = "writing the lists of practices";
    let communes = List::of(chunk, |f| &f.communes);
    if !communes.id.is_empty() {
        sqlx::query!(
            "INSERT INTO communes (name) SELECT DISTINCT name FROM UNNEST($1::text[]) AS u(name)
             ON CONFLICT (name) DO NOTHING",
            &communes.value
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
        sqlx::query!(
            "INSERT INTO practice_communes (practice_id, position, commune_id)
             SELECT u.id, u.position, c.id
               FROM UNNEST($1::bigint[], $2::int[], $3::text[]) AS u(id, position, name)
               JOIN communes c ON c.name = u.name",
            &communes.id,
            &communes.position,
            &communes.value
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
    }
    let themes = List::of(chunk, |f| &f.themes);
    if !themes.id.is_empty() {
        sqlx::query!(
            "INSERT INTO themes (name) SELECT DISTINCT name FROM UNNEST($1::text[]) AS u(name)
             ON CONFLICT (name) DO NOTHING",
            &themes.value
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
        sqlx::query!(
            "INSERT INTO practice_themes (practice_id, position, theme_id)
             SELECT u.id, u.position, t.id
               FROM UNNEST($1::bigint[], $2::int[], $3::text[]) AS u(id, position, name)
               JOIN themes t ON t.name = u.name",
            &themes.id,
            &themes.position,
            &themes.value
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
    }
    let websites = List::of(chunk, |f| &f.websites);
    if !websites.id.is_empty() {
        sqlx::query!(
            "INSERT INTO practice_websites (practice_id, position, url)
             SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::text[])",
            &websites.id,
            &websites.position,
            &websites.value
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
    }
    let components = List::of(chunk, |f| &f.spiral_components);
    if !components.id.is_empty() {
        sqlx::query!(
            "INSERT INTO practice_components (practice_id, position, code)
             SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::text[])",
            &components.id,
            &components.position,
            &components.value
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
    }

    // Phones and e-mails are lists inside a list: they travel as JSON arrays.
    let mut ids = Vec::new();
    let mut positions = Vec::new();
    let mut names = Vec::new();
    let mut roles = Vec::new();
    let mut organisations = Vec::new();
    let mut addresses = Vec::new();
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    for (id, c) in chunk {
        for (i, k) in c.fields.contacts.iter().enumerate() {
            ids.push(*id);
            positions.push(i as i32);
            names.push(k.name.clone());
            roles.push(k.role.clone());
            organisations.push(k.organisation.clone());
            addresses.push(k.address.clone());
            phones.push(serde_json::json!(k.phones));
            emails.push(serde_json::json!(k.emails));
        }
    }
    if !ids.is_empty() {
        sqlx::query!(
            "INSERT INTO contacts (practice_id, position, name, role, organisation, address,
                                   phones, emails)
             SELECT u.id, u.position, u.name, u.role, u.organisation, u.address,
                    ARRAY(SELECT e FROM jsonb_array_elements_text(u.phones)
                                        WITH ORDINALITY AS x(e, n) ORDER BY n),
                    ARRAY(SELECT e FROM jsonb_array_elements_text(u.emails)
                                        WITH ORDINALITY AS x(e, n) ORDER BY n)
               FROM UNNEST($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[],
                           $6::text[], $7::jsonb[], $8::jsonb[])
                 AS u(id, position, name, role, organisation, address, phones, emails)",
            &ids,
            &positions,
            &names as _,
            &roles as _,
            &organisations as _,
            &addresses as _,
            &phones,
            &emails
        )
        .execute(&mut *conn)
        .await
        .map_err(db_while(what))?;
    }
    Ok(())
}

async fn write_sources(conn: &mut PgConnection, chunk: &[(i64, &[Source])]) -> Result<()> {
    let mut ids = Vec::new();
    let mut positions = Vec::new();
    let mut documents = Vec::new();
    let mut first = Vec::new();
    let mut last = Vec::new();
    let mut truncated = Vec::new();
    for (id, list) in chunk {
        for (i, s) in list.iter().enumerate() {
            ids.push(*id);
            positions.push(i as i32);
            documents.push(s.document.clone());
            first.push(i64::from(s.first_line));
            last.push(i64::from(s.last_line));
            truncated.push(s.truncated);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO sources (practice_id, position, document, first_line, last_line, truncated)
         SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::text[], $4::bigint[], $5::bigint[],
                              $6::bool[])",
        &ids,
        &positions,
        &documents,
        &first,
        &last,
        &truncated
    )
    .execute(&mut *conn)
    .await
    .map_err(db_while("writing sources"))?;
    Ok(())
}

#[async_trait]
impl PracticeSteps for PgTx {
    async fn practices_by_id(&mut self, ids: &[i64]) -> Result<Vec<Practice>> {
        let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else {
            return Ok(Vec::new());
        };
        load_where(self, *lo, *hi, Some(ids)).await
    }

    async fn practice_exists(&mut self, id: i64) -> Result<bool> {
        let found = sqlx::query_scalar!("SELECT id FROM practices WHERE id = $1", id)
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
        // `LIMIT NULL`: no limit.
        let limit = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        sqlx::query_scalar!(
            "SELECT id FROM practices WHERE status = $1 ORDER BY updated_at DESC, id DESC
              LIMIT $2 OFFSET $3",
            status.as_str(),
            limit,
            i64::try_from(offset).unwrap_or(i64::MAX)
        )
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
        sqlx::query_scalar!(
            "SELECT id FROM practices WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3",
            status.as_str(),
            after,
            i64::try_from(limit).unwrap_or(i64::MAX)
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while(format!("reading {} practices", status.as_str())))
    }

    /// Under [`crate::WRITE_LOCK`], which makes it safe to take.
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
        sqlx::query!(
            "UPDATE practices SET updated_at = $2 WHERE id = $1",
            id,
            now.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("updating practice {id}")))?;
        crate::outbox::record_upserts(self, &[id], now).await
    }

    async fn stored_practices(&mut self, lookups: &Lookups) -> Result<Vec<StoredPractice>> {
        stored(self, lookups).await
    }

    async fn all_practices(&mut self) -> Result<Vec<Practice>> {
        load_where(self, i64::MIN, i64::MAX, None).await
    }

    async fn counts(&mut self) -> Result<Counts> {
        let row = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM practices) AS "practices!",
                      (SELECT count(*) FROM platforms) AS "platforms!",
                      (SELECT count(*) FROM homogeneous_groups) AS "groups!",
                      (SELECT count(*) FROM criteria) AS "criteria!",
                      (SELECT count(*) FROM jobs WHERE status = 'queued') AS "jobs_queued!""#
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while("counting"))?;
        Ok(Counts {
            practices: row.practices as u64,
            platforms: row.platforms as u64,
            groups: row.groups as u64,
            criteria: row.criteria as u64,
            jobs_queued: row.jobs_queued as u64,
        })
    }
}

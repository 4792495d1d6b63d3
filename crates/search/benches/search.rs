//! Search latency on 100,000 practices generated from the real fiches, in-process, beside the
//! same queries run by SQLite FTS5 (`unicode61 remove_diacritics 2`, bm25) over the same texts,
//! measured in the same run and printed as ratios (ours / FTS5; below 1 is faster).
//!
//! `cargo bench -p search`. `ZS_BENCH_PRACTICES` and `ZS_BENCH_RUNS` change the corpus size
//! (100,000) and the runs per query (100).
//!
//! Both sides answer what the search page needs: the top 20 by BM25 with title ×3 and
//! institution ×2, a snippet per hit, the total, and facet counts (ours: six facets; FTS5: the
//! communes and themes only), all words first and any word when that finds nothing.
//! FTS5 has no stemming, no typo tolerance and no stop words: it is the floor, not a rival.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use domain::{Practice, Status};
use rusqlite::{Connection, params};
use search::{SearchIndex, SearchQuery, TantivyIndex};

const PER_PAGE: u32 = 20;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `n` practices: the corpus fiches over and over, each copy placed in another commune and
/// year, so titles, ids, communes and texts differ while the vocabulary stays real.
fn generate(n: usize) -> Vec<Practice> {
    let fiches = common::corpus();
    let communes: Vec<&str> = ingest::communes::registry()
        .entries()
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    (0..n)
        .map(|i| {
            let base = &fiches[i % fiches.len()];
            let round = i / fiches.len();
            let commune = communes[(i * 7 + round) % communes.len()];
            let year = 2000 + (round % 26);
            let mut p = base.clone();
            p.id = i as i64 + 1;
            p.fields.title = format!("{} – {commune} {year}", base.fields.title);
            p.fields.communes = vec![commune.to_string()];
            p.fields.description = base
                .fields
                .description
                .as_ref()
                .map(|d| format!("À {commune}, depuis {year} : {d}"));
            p.slug = p.fields.slug();
            if i % 20 == 0 {
                p.status = Status::Submitted;
            }
            p
        })
        .collect()
}

fn body(p: &Practice) -> String {
    let f = &p.fields;
    [
        &f.subtitle,
        &f.organisers,
        &f.objectives,
        &f.description,
        &f.results,
        &f.target_public,
        &f.place_periodicity,
        &f.costs,
        &f.other_info,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .chain(f.communes.iter().cloned())
    .chain(f.themes.iter().cloned())
    .collect::<Vec<_>>()
    .join("\n")
}

fn build_fts5(path: &std::path::Path, practices: &[Practice]) -> rusqlite::Result<Connection> {
    let mut db = Connection::open(path)?;
    db.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -200000;
         CREATE TABLE practice (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, institution TEXT);
         CREATE TABLE practice_commune (practice_id INTEGER NOT NULL, value TEXT NOT NULL);
         CREATE TABLE practice_theme (practice_id INTEGER NOT NULL, value TEXT NOT NULL);
         CREATE VIRTUAL TABLE practice_fts USING fts5(
             title, institution, body, tokenize = 'unicode61 remove_diacritics 2');",
    )?;
    let tx = db.transaction()?;
    {
        let mut practice = tx.prepare("INSERT INTO practice VALUES (?1, ?2, ?3, ?4)")?;
        let mut fts = tx.prepare(
            "INSERT INTO practice_fts (rowid, title, institution, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut commune = tx.prepare("INSERT INTO practice_commune VALUES (?1, ?2)")?;
        let mut theme = tx.prepare("INSERT INTO practice_theme VALUES (?1, ?2)")?;
        for p in practices {
            let f = &p.fields;
            practice.execute(params![p.id, p.slug, f.title, f.institution])?;
            fts.execute(params![p.id, f.title, f.institution, body(p)])?;
            for c in &f.communes {
                commune.execute(params![p.id, c])?;
            }
            for t in &f.themes {
                theme.execute(params![p.id, t])?;
            }
        }
    }
    tx.commit()?;
    db.execute_batch(
        "CREATE INDEX practice_commune_value ON practice_commune (value, practice_id);
         CREATE INDEX practice_commune_id ON practice_commune (practice_id);
         CREATE INDEX practice_theme_id ON practice_theme (practice_id);
         INSERT INTO practice_fts (practice_fts) VALUES ('optimize');
         ANALYZE;",
    )?;
    Ok(db)
}

/// What the FTS5 side returns, to print beside ours.
struct FtsAnswer {
    total: u64,
    hits: usize,
}

/// The FTS5 equivalent of one search page.
fn fts5_search(db: &Connection, q: &str, commune: Option<&str>) -> rusqlite::Result<FtsAnswer> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    let filter = |column: &str| match commune {
        Some(_) => {
            format!(" AND {column} IN (SELECT practice_id FROM practice_commune WHERE value = ?2)")
        }
        None => " AND ?2 IS NULL".to_string(),
    };
    if words.is_empty() {
        let matching = format!("SELECT id FROM practice WHERE ?1 = ''{}", filter("id"));
        let hits = format!(
            "SELECT id, slug, title, institution, 0.0, substr(title, 1, 200) FROM practice
             WHERE id IN ({matching}) ORDER BY id LIMIT {PER_PAGE}"
        );
        let total = count(db, &matching, "", commune)?;
        return page(db, &matching, &hits, "", commune, total);
    }
    let matching = format!(
        "SELECT rowid FROM practice_fts WHERE practice_fts MATCH ?1{}",
        filter("rowid")
    );
    let hits = format!(
        "SELECT f.rowid, p.slug, p.title, p.institution, bm25(practice_fts, 3.0, 2.0, 1.0) AS rank,
                snippet(practice_fts, 2, '<mark>', '</mark>', '…', 30)
         FROM practice_fts f JOIN practice p ON p.id = f.rowid
         WHERE practice_fts MATCH ?1{}
         ORDER BY rank LIMIT {PER_PAGE}",
        filter("f.rowid")
    );
    // All words; any word when that finds nothing, as ours does.
    let every_word = words.join(" ");
    let total = count(db, &matching, &every_word, commune)?;
    if total > 0 || words.len() == 1 {
        return page(db, &matching, &hits, &every_word, commune, total);
    }
    let any_word = words.join(" OR ");
    let total = count(db, &matching, &any_word, commune)?;
    page(db, &matching, &hits, &any_word, commune, total)
}

fn count(
    db: &Connection,
    matching: &str,
    expr: &str,
    commune: Option<&str>,
) -> rusqlite::Result<u64> {
    let n: i64 = db
        .prepare_cached(&format!("SELECT count(*) FROM ({matching})"))?
        .query_row(params![expr, commune], |r| r.get(0))?;
    Ok(n as u64)
}

/// The hits of one page, with their snippets, and the commune and theme counts.
fn page(
    db: &Connection,
    matching: &str,
    hits: &str,
    expr: &str,
    commune: Option<&str>,
    total: u64,
) -> rusqlite::Result<FtsAnswer> {
    let rows = db
        .prepare_cached(hits)?
        .query_map(params![expr, commune], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for table in ["practice_commune", "practice_theme"] {
        let sql = format!(
            "SELECT value, count(*) FROM {table} WHERE practice_id IN ({matching}) GROUP BY value"
        );
        let facet = db
            .prepare_cached(&sql)?
            .query_map(params![expr, commune], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<BTreeMap<_, _>>>()?;
        std::hint::black_box(facet);
    }
    Ok(FtsAnswer {
        total,
        hits: std::hint::black_box(rows).len(),
    })
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time_runs(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    for _ in 0..3 {
        f();
    }
    let mut out: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    out.sort();
    out
}

fn main() {
    let n = env_usize("ZS_BENCH_PRACTICES", 100_000);
    let runs = env_usize("ZS_BENCH_RUNS", 100);
    let practices = generate(n);
    let dir = tempfile::tempdir().expect("a temporary directory");

    let start = Instant::now();
    let index = TantivyIndex::open(&dir.path().join("index")).expect("index opens");
    let count = index
        .rebuild(&mut practices.iter().cloned().map(Ok), &|_| {})
        .expect("index builds");
    let tantivy_build = start.elapsed();
    assert_eq!(count as usize, n);

    let start = Instant::now();
    let db = build_fts5(&dir.path().join("fts5.sqlite"), &practices).expect("FTS5 builds");
    let fts5_build = start.elapsed();
    drop(practices);
    println!(
        "{n} practices; build: tantivy {:.1} s, FTS5 {:.1} s; {runs} runs per query\n",
        tantivy_build.as_secs_f64(),
        fts5_build.as_secs_f64()
    );

    let queries: Vec<(&str, Option<&str>)> = vec![
        ("logement réfugiés", None),
        (
            "logement pour bénéficiaires de protection internationale",
            None,
        ),
        ("café des langues", None),
        ("bénévoles", None),
        ("benevoles refugies", None),
        ("intégration par le sport", None),
        ("jardin communautaire", None),
        ("equigart", None),
        ("logement équitation", None),
        ("commune", None),
        ("café", Some("Strassen")),
        ("", None),
        ("", Some("Differdange")),
    ];

    println!(
        "{:<58} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7}",
        "query", "ours p50", "p99", "fts5 p50", "p99", "ratio50", "ratio99", "total", "fts5"
    );
    let mut all_ours = Vec::new();
    let mut all_fts5 = Vec::new();
    for (q, commune) in &queries {
        let query = SearchQuery {
            q: (*q).to_string(),
            communes: commune.iter().map(|c| (*c).to_string()).collect(),
            per_page: PER_PAGE,
            ..SearchQuery::default()
        };
        let ours = index.search(&query).expect("search");
        let theirs = fts5_search(&db, q, *commune).expect("FTS5 search");
        assert!(ours.hits.len() <= PER_PAGE as usize && theirs.hits <= PER_PAGE as usize);
        let t_ours = time_runs(runs, || {
            index.search(&query).expect("search");
        });
        let t_fts5 = time_runs(runs, || {
            fts5_search(&db, q, *commune).expect("FTS5 search");
        });
        let label = match commune {
            Some(c) => format!("{q:?} commune={c}"),
            None => format!("{q:?}"),
        };
        println!(
            "{:<58} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>7.2} {:>7.2} {:>7} {:>7}",
            label,
            ms(percentile(&t_ours, 50)),
            ms(percentile(&t_ours, 99)),
            ms(percentile(&t_fts5, 50)),
            ms(percentile(&t_fts5, 99)),
            ms(percentile(&t_ours, 50)) / ms(percentile(&t_fts5, 50)),
            ms(percentile(&t_ours, 99)) / ms(percentile(&t_fts5, 99)),
            ours.total,
            theirs.total,
        );
        all_ours.extend(t_ours);
        all_fts5.extend(t_fts5);
    }
    all_ours.sort();
    all_fts5.sort();

    // "Similar practices" of a fiche page; FTS5 has no equivalent.
    let mut similar = Vec::new();
    for id in [6, 2, 22, 12, 30] {
        similar.extend(time_runs(runs / 5, || {
            index.similar(id, 5).expect("similar");
        }));
    }
    similar.sort();
    println!(
        "\nall queries (ms): ours p50 {:.2} p99 {:.2}; FTS5 p50 {:.2} p99 {:.2}; \
         ratio p50 {:.2}, p99 {:.2} (ours / FTS5)",
        ms(percentile(&all_ours, 50)),
        ms(percentile(&all_ours, 99)),
        ms(percentile(&all_fts5, 50)),
        ms(percentile(&all_fts5, 99)),
        ms(percentile(&all_ours, 50)) / ms(percentile(&all_fts5, 50)),
        ms(percentile(&all_ours, 99)) / ms(percentile(&all_fts5, 99)),
    );
    println!(
        "similar (5 fiches, 5 each, ms): p50 {:.2} p99 {:.2}",
        ms(percentile(&similar, 50)),
        ms(percentile(&similar, 99)),
    );
}

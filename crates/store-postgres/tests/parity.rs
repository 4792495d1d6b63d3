//! PostgreSQL and SQLite hold the corpus alike: with the same clock, the JSON export is the
//! same text (ids and timestamps included), and so are the reference data and the outbox.
//! An export from either imports into the other and exports the same again.

use domain::Format;
use store::{ContributionStore, CriteriaFilter, Store};
use store_postgres::PgStore;
use store_postgres::scratch::ScratchDatabase;
use store_sqlite::SqliteStore;
use store_tests::fixtures::at;
use store_tests::{CORPUS, corpus_batch};

/// `export --format json --what all`, as the CLI writes it.
async fn export(store: &dyn Store) -> String {
    let doc = serde_json::json!({
        "practices": store.practices().await.unwrap(),
        "platforms": store.platforms().await.unwrap(),
        "groups": store.groups().await.unwrap(),
        "criteria": store.criteria(&CriteriaFilter::default()).await.unwrap(),
    });
    serde_json::to_string_pretty(&doc).unwrap()
}

async fn load_corpus(store: &dyn Store) {
    store.migrate().await.unwrap();
    store
        .ensure_reference(&ingest::reference::bundled(), at(9))
        .await
        .unwrap();
    for (i, name) in CORPUS.iter().enumerate() {
        store
            .import(&corpus_batch(name), at(10 + i as u32))
            .await
            .unwrap_or_else(|e| panic!("importing {name}: {e}"));
    }
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> Option<(usize, String, String)> {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| (i + 1, x.to_string(), y.to_string()))
        .or_else(|| {
            (a.lines().count() != b.lines().count()).then(|| (0, "(length)".into(), String::new()))
        })
}

#[tokio::test]
async fn the_corpus_exports_the_same_json_from_postgres_as_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("zesummen.sqlite"))
        .await
        .unwrap();
    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = PgStore::connect(db.url(), None).await.unwrap();
    load_corpus(&sqlite).await;
    load_corpus(&pg).await;

    let from_sqlite = export(&sqlite).await;
    let from_pg = export(&pg).await;
    let doc: serde_json::Value = serde_json::from_str(&from_pg).unwrap();
    assert_eq!(doc["practices"].as_array().unwrap().len(), 38);
    assert_eq!(doc["criteria"].as_array().unwrap().len(), 36);
    assert_eq!(
        first_difference(&from_sqlite, &from_pg),
        None,
        "SQLite and PostgreSQL exports differ"
    );

    assert_eq!(
        pg.active_codebook().await.unwrap(),
        sqlite.active_codebook().await.unwrap()
    );
    assert_eq!(
        pg.codebook_versions().await.unwrap(),
        sqlite.codebook_versions().await.unwrap()
    );
    assert_eq!(
        pg.meaning_codes().await.unwrap(),
        sqlite.meaning_codes().await.unwrap()
    );
    assert_eq!(
        pg.questions().await.unwrap(),
        sqlite.questions().await.unwrap()
    );
    assert_eq!(pg.scale().await.unwrap(), sqlite.scale().await.unwrap());
    assert_eq!(pg.counts().await.unwrap(), sqlite.counts().await.unwrap());
    assert_eq!(
        pg.changes_since(0, 1000).await.unwrap(),
        sqlite.changes_since(0, 1000).await.unwrap()
    );
    // The history each import left (the WOK fiche's markdown copy adds a source, not a
    // revision): one revision per practice.
    let (mut revisions_pg, mut revisions_sqlite) = (Vec::new(), Vec::new());
    for p in sqlite.practices().await.unwrap() {
        revisions_sqlite.extend(sqlite.revisions(p.id).await.unwrap());
        revisions_pg.extend(pg.revisions(p.id).await.unwrap());
    }
    assert_eq!(revisions_sqlite.len(), 38);
    assert_eq!(revisions_pg, revisions_sqlite);
}

#[tokio::test]
async fn an_export_moves_between_the_backends_and_back_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("first.sqlite"))
        .await
        .unwrap();
    load_corpus(&sqlite).await;
    let original = export(&sqlite).await;

    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pg = PgStore::connect(db.url(), None).await.unwrap();
    pg.migrate().await.unwrap();
    let batch = ingest::parse("export.json", original.as_bytes(), Some(Format::Json)).unwrap();
    pg.import(&batch, at(20)).await.unwrap();
    let through_pg = export(&pg).await;
    assert_eq!(first_difference(&original, &through_pg), None);

    let back = SqliteStore::open(&dir.path().join("back.sqlite"))
        .await
        .unwrap();
    back.migrate().await.unwrap();
    let batch = ingest::parse("export.json", through_pg.as_bytes(), Some(Format::Json)).unwrap();
    back.import(&batch, at(21)).await.unwrap();
    assert_eq!(first_difference(&original, &export(&back).await), None);
}

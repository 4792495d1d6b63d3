//! The read replica: reads go to it when one is given, else to the primary; writes, and the
//! reads an import plans with, always go to the primary.

use store::{CriteriaFilter, Store};
use store_postgres::PgStore;
use store_postgres::scratch::ScratchDatabase;
use store_tests::fixtures::{at, booklet_batch, sud_batch};

async fn database() -> ScratchDatabase {
    ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn titles(practices: &[domain::Practice]) -> Vec<String> {
    practices.iter().map(|p| p.fields.title.clone()).collect()
}

#[tokio::test]
async fn reads_go_to_the_replica_when_given_and_to_the_primary_otherwise() {
    let primary = database().await;
    let replica = database().await;
    // A stand-in replica: a second database with the same schema but other content, so that
    // the answer tells which one was read.
    let stand_in = PgStore::connect(replica.url(), None).await.unwrap();
    stand_in.migrate().await.unwrap();
    stand_in.import(&sud_batch(), at(9)).await.unwrap();
    let on_replica = titles(&stand_in.practices().await.unwrap());
    assert_eq!(on_replica.len(), 2);

    let store = PgStore::connect(primary.url(), Some(replica.url()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let first = store.import(&booklet_batch(), at(10)).await.unwrap();
    assert_eq!(first.created, 3);
    // The import plans against the primary, where the booklet now is, not the replica.
    let again = store.import(&booklet_batch(), at(11)).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 3));

    assert_eq!(titles(&store.practices().await.unwrap()), on_replica);
    let some = store.practices().await.unwrap()[0].id;
    assert_eq!(
        store.practice(some).await.unwrap().map(|p| p.fields.title),
        Some(on_replica[0].clone())
    );
    assert_eq!(store.counts().await.unwrap().practices, 2);
    assert_eq!(store.changes_since(0, 100).await.unwrap().len(), 2);
    assert!(
        store
            .criteria(&CriteriaFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Jobs are coordination: always on the primary.
    let job = store
        .enqueue_job("pdf", &serde_json::json!({"practice": some}), at(12))
        .await
        .unwrap();
    assert!(store.job(job).await.unwrap().is_some());
    assert!(stand_in.job(job).await.unwrap().is_none());

    // Without a replica, the primary answers.
    let plain = PgStore::connect(primary.url(), None).await.unwrap();
    let on_primary = titles(&plain.practices().await.unwrap());
    assert_eq!(
        on_primary,
        titles(
            &booklet_batch()
                .practices
                .iter()
                .map(|r| domain::Practice {
                    id: 0,
                    slug: String::new(),
                    fields: r.fields.clone(),
                    sources: Vec::new(),
                    status: r.status,
                    language: r.language,
                    created_at: at(10),
                    updated_at: at(10),
                })
                .collect::<Vec<_>>()
        )
    );
    assert_eq!(plain.counts().await.unwrap().practices, 3);
    assert_eq!(plain.changes_since(0, 100).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_replica_that_does_not_answer_is_an_error_that_names_it() {
    let primary = database().await;
    let err = PgStore::connect(
        primary.url(),
        Some("postgres://reader:secret@127.0.0.1:1/zesummen"),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("127.0.0.1:1"), "{err}");
    assert!(!err.contains("secret"), "the password shows: {err}");
    let err = PgStore::connect("mysql://x", None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected postgres://"), "{err}");
}

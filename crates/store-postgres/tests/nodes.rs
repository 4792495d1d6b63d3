//! Several nodes on one database: they start (and migrate) at the same time, and one's writes
//! show on the other, in the outbox too.

use std::sync::Arc;

use store::{Counts, Store};
use store_postgres::PgStore;
use store_postgres::scratch::ScratchDatabase;
use store_tests::fixtures::{at, booklet_batch, sud_batch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_that_start_together_migrate_once_and_share_writes() {
    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let reference = ingest::reference::bundled();
    let mut starting = Vec::new();
    for _ in 0..3 {
        let url = db.url().to_string();
        let reference = reference.clone();
        starting.push(tokio::spawn(async move {
            let node = PgStore::connect(&url, None).await.unwrap();
            node.migrate().await.unwrap();
            let loaded = node.ensure_reference(&reference, at(9)).await.unwrap();
            (Arc::new(node), loaded)
        }));
    }
    let mut nodes = Vec::new();
    let mut loads = 0;
    for s in starting {
        let (node, loaded) = s.await.expect("node");
        loads += usize::from(loaded);
        nodes.push(node);
    }
    assert_eq!(loads, 1, "the reference data is loaded by one node only");
    assert_eq!(nodes[0].codebook_versions().await.unwrap().len(), 1);
    nodes[2].migrate().await.unwrap();

    let (a, b) = (&nodes[0], &nodes[1]);
    assert_eq!(b.counts().await.unwrap(), Counts::default());
    let seen = b.latest_change().await.unwrap();
    a.import(&booklet_batch(), at(10)).await.unwrap();
    a.import(&sud_batch(), at(11)).await.unwrap();
    assert_eq!(b.counts().await.unwrap().practices, 5);
    let changes = b.changes_since(seen, 100).await.unwrap();
    assert_eq!(changes.len(), 5);
    for c in &changes {
        assert!(b.practice(c.entity_id).await.unwrap().is_some());
    }
    // A batch node B re-imports is unchanged: both plan against the same rows.
    let again = b.import(&booklet_batch(), at(12)).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
}

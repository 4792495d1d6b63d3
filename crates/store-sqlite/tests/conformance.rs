//! The conformance suite (`store-tests`) against SQLite: each story on a fresh database file.

use std::sync::Arc;

use store::Store;
use store_sqlite::SqliteStore;

/// A fresh, migrated store in a temporary directory, which lives as long as the guard.
async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&dir.path().join("zesummen.sqlite"))
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    (dir, Arc::new(store))
}

/// A second handle on the store `fresh` opened, as a second process would open it.
async fn reopen(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let store = SqliteStore::open(&dir.path().join("zesummen.sqlite"))
        .await
        .expect("open again");
    Arc::new(store)
}

store_tests::conformance!(fresh, reopen);

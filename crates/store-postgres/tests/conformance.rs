//! The conformance suite (`store-tests`) against a real PostgreSQL: each story on a database
//! of its own, created for it on the server `ZESUMMEN_TEST_POSTGRES_URL` names and dropped
//! afterwards. Without a server the stories fail and say how to get one.

use std::sync::Arc;

use store::Store;
use store_postgres::PgStore;
use store_postgres::scratch::ScratchDatabase;

/// A fresh, migrated store on a throwaway database, which lives as long as the guard.
async fn fresh() -> (ScratchDatabase, Arc<dyn Store>) {
    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(db.url(), None).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, Arc::new(store))
}

/// A second pool on the database `fresh` made, as a second node would connect to it.
async fn reopen(db: &ScratchDatabase) -> Arc<dyn Store> {
    Arc::new(
        PgStore::connect(db.url(), None)
            .await
            .expect("connect again"),
    )
}

store_tests::conformance!(fresh, reopen);

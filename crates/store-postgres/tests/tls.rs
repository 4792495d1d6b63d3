//! `sslmode` in the URL: `disable` talks in clear, `require` encrypts (sqlx is built with
//! rustls and the webpki roots), as libpq's modes do. No TLS server is set up here: the test
//! uses whatever the test server offers (Debian's PostgreSQL has TLS on, with its snakeoil
//! certificate, which `require` accepts and `verify-full` would not).

use store::Store;
use store_postgres::PgStore;
use store_postgres::scratch::ScratchDatabase;

/// The URL with `sslmode` set (any `sslmode` it had is replaced).
fn with_sslmode(url: &str, mode: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("sslmode="))
        .collect();
    let mode = format!("sslmode={mode}");
    pairs.push(&mode);
    format!("{base}?{}", pairs.join("&"))
}

/// Whether this connection of the store's pool is encrypted, as the server sees it.
async fn encrypted(store: &PgStore) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn sslmode_disable_connects_in_clear_and_works() {
    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(&with_sslmode(db.url(), "disable"), None)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert!(!encrypted(&store).await);
    let batch = store_tests::fixtures::sud_batch();
    let summary = store
        .import(&batch, store_tests::fixtures::at(9))
        .await
        .unwrap();
    assert_eq!(summary.created, batch.practices.len() as u64);
}

#[tokio::test]
async fn sslmode_require_encrypts_or_says_the_server_has_no_tls() {
    let db = ScratchDatabase::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let plain = PgStore::connect(&with_sslmode(db.url(), "disable"), None)
        .await
        .unwrap();
    let server_tls: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(plain.pool())
        .await
        .unwrap();
    let url = with_sslmode(db.url(), "require");
    match PgStore::connect(&url, None).await {
        Ok(store) => {
            assert_eq!(server_tls, "on");
            assert!(encrypted(&store).await, "sslmode=require must encrypt");
            store.migrate().await.unwrap();
            assert_eq!(store.counts().await.unwrap().practices, 0);
        }
        Err(e) => {
            assert_eq!(server_tls, "off", "TLS is on, yet: {e}");
            assert!(e.to_string().contains("does not support TLS"), "{e}");
        }
    }
}

//! Throwaway databases, for tests: each test creates its own on a PostgreSQL server and drops
//! it afterwards, so tests run in parallel and leave nothing behind.
//!
//! The server is the one `ZESUMMEN_TEST_POSTGRES_URL` names, by default
//! [`DEFAULT_TEST_URL`]; its role must be allowed to create databases. `./scripts/test.sh`
//! makes sure one answers (installing and starting PostgreSQL when needed) and exports it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use store::{Result, StoreError};

use crate::redact;

/// The variable that names the test server.
pub const TEST_URL_VAR: &str = "ZESUMMEN_TEST_POSTGRES_URL";
/// The test server when the variable is not set.
pub const DEFAULT_TEST_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How long the server may take to answer before the tests give up on it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The test server's URL: `ZESUMMEN_TEST_POSTGRES_URL`, or [`DEFAULT_TEST_URL`].
pub fn server_url() -> String {
    std::env::var(TEST_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_URL.to_string())
}

/// A database created for one test, dropped (connections and all) when this is dropped.
#[derive(Debug)]
pub struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates an empty database `zesummen_t_<random>` on the test server.
    pub async fn create() -> Result<Self> {
        let server = server_url();
        let mut admin = admin(&server).await?;
        let name = fresh_name();
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .map_err(|e| {
                StoreError::Database(format!(
                    "creating database {name} on {}: {e}: expected a role that may create \
                     databases",
                    redact(&server)
                ))
            })?;
        admin.close().await.ok();
        let url = with_database(&server, &name);
        Ok(Self { server, name, url })
    }

    /// The database's URL, for [`crate::PgStore::connect`] or `zesummen --database`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own.
        let dropped = std::thread::spawn(move || -> std::result::Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = admin(&server).await.map_err(|e| e.to_string())?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .map_err(|e| e.to_string())?;
                admin.close().await.ok();
                Ok(())
            })
        })
        .join();
        if let Ok(Err(e)) | Err(e) = dropped.map_err(|_| "panicked".to_string()) {
            eprintln!("warning: test database {} was not dropped: {e}", self.name);
        }
    }
}

/// A connection to the test server, or an error that says how to get one.
async fn admin(server: &str) -> Result<PgConnection> {
    let shown = redact(server);
    let help = format!(
        "the PostgreSQL tests need a server: run ./scripts/test.sh, which installs and starts \
         one, or set {TEST_URL_VAR} to a server where you may create databases"
    );
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(server)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(StoreError::Database(format!(
            "PostgreSQL at {shown} does not answer ({e}); {help}"
        ))),
        Err(_) => Err(StoreError::Database(format!(
            "PostgreSQL at {shown} does not answer within {}s; {help}",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

/// A database name no other test of any process takes.
fn fresh_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "zesummen_t_{:x}_{:x}_{n}",
        std::process::id(),
        nanos & 0xffff_ffff_ffff
    )
}

/// `url` naming database `name` instead of its own; the rest (user, host, options) stays.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{scheme}://{authority}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_scratch_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres:///postgres?host=/run/postgresql&user=me", "t1"),
            "postgres:///t1?host=/run/postgresql&user=me"
        );
        assert_eq!(
            with_database("postgres://h:5433", "t1"),
            "postgres://h:5433/t1"
        );
        let (a, b) = (fresh_name(), fresh_name());
        assert_ne!(a, b);
        assert!(a.starts_with("zesummen_t_"), "{a}");
    }
}

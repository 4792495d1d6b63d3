//! Starts the real server on port 0 over a fresh SQLite store loaded with the corpus.
//! Shared by the HTTP and browser test binaries; each uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use chrono::TimeZone;
use search::{SearchIndex, TantivyIndex};
use store::Store;
use store_sqlite::SqliteStore;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The server's state: tests run its job worker by hand (`web::jobs::run_one`).
    pub state: web::AppState,
    _dir: tempfile::TempDir,
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }

    pub async fn html(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        (r.status().as_u16(), r.text().await.expect("body"))
    }

    /// Creates an account straight in the store (the CLI's tests cover `zesummen user add`).
    pub async fn add_account(
        &self,
        email: &str,
        role: &str,
        platforms: &[&str],
        communes: &[&str],
    ) -> i64 {
        let hash = auth::hash_password(&domain::Password::parse(PASSWORD).unwrap()).unwrap();
        self.store
            .create_account(
                &store::NewAccount {
                    email: domain::Email::parse(email).unwrap(),
                    role: domain::Role::parse(role).unwrap(),
                    communes: communes.iter().map(|s| (*s).to_string()).collect(),
                    institutions: Vec::new(),
                    platforms: platforms.iter().map(|s| (*s).to_string()).collect(),
                    password_hash: hash,
                },
                chrono::Utc::now(),
            )
            .await
            .expect("account")
    }

    /// Signs in through the API; answers the whole session body (token, csrf_token, …).
    pub async fn login(&self, email: &str) -> serde_json::Value {
        let r = self
            .client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status().as_u16(), 200, "login of {email}");
        r.json().await.expect("session body")
    }

    /// A signed-in account's bearer token.
    pub async fn token(&self, email: &str) -> String {
        self.login(email).await["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A JSON write with an optional bearer token; answers status and body (JSON or null).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }
}

pub async fn spawn_app() -> TestApp {
    spawn(false, |s| s).await
}

/// The app with its state adjusted (trusted proxies, secure cookies…).
pub async fn spawn_app_with(adjust: impl FnOnce(web::AppState) -> web::AppState) -> TestApp {
    spawn(false, adjust).await
}

/// The app with the bundled concept scheme stored as the active version, tagging practices
/// and widening queries as `serve` does.
pub async fn spawn_app_with_concepts() -> TestApp {
    spawn(true, |s| s).await
}

async fn spawn(concepts: bool, adjust: impl FnOnce(web::AppState) -> web::AppState) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open(&dir.path().join("zesummen.sqlite"))
        .await
        .expect("store");
    let store: Arc<dyn Store> = Arc::new(sqlite);
    store.migrate().await.expect("migrate");
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    store
        .ensure_reference(&ingest::reference::bundled(), now)
        .await
        .expect("reference");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    for name in [
        "assises-2-fiches.txt",
        "assises-2-wok-differdange.md",
        "good-practices-sud-2016.txt",
        "spiral-blegny.txt",
    ] {
        let bytes = std::fs::read(corpus.join(name)).expect("corpus file");
        let batch = ingest::parse(name, &bytes, None).expect("corpus parses");
        store.import(&batch, now).await.expect("import");
    }
    let mut index = TantivyIndex::in_memory().expect("index");
    if concepts {
        let bundled = ingest::concepts::bundled();
        store
            .put_concepts(&bundled, Some("bundled"), "bundled", now)
            .await
            .expect("concepts");
        index = index.with_concepts(store.active_concepts().await.unwrap().unwrap());
    }
    // As `serve` builds it: the published practices, streamed from the store.
    let index: Arc<dyn SearchIndex> = Arc::new(index);
    web::indexing::rebuild(store.as_ref(), &index, &|_, _| {})
        .await
        .expect("rebuild");
    let state = adjust(web::AppState::new(store.clone(), index));
    let (listener, addr) = web::bind("127.0.0.1:0".parse().unwrap())
        .await
        .expect("bind");
    tokio::spawn(web::serve(state.clone(), listener));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        addr,
        client,
        store,
        state,
        _dir: dir,
    }
}

//! What every handler can reach.

use std::sync::Arc;

use domain::{Clock, SystemClock};
use search::SearchIndex;
use store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub search: Arc<dyn SearchIndex>,
    /// Time as a parameter: tests move it (session expiry, rate-limit windows).
    pub clock: Arc<dyn Clock>,
    /// Session cookies carry `Secure` (set when the site is served over TLS, directly or
    /// behind a proxy that terminates it).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` / `X-Real-IP` name the client (none by default).
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// Where this process's index follower stands, for `/readyz`.
    pub follower: Arc<Follower>,
}

/// The index follower's last success: the change-log cursor it reached and when (Unix
/// seconds). Unset in a process that does not follow the store.
#[derive(Debug, Default)]
pub struct Follower {
    cursor: std::sync::atomic::AtomicI64,
    at: std::sync::atomic::AtomicI64,
    following: std::sync::atomic::AtomicBool,
}

impl Follower {
    pub fn record(&self, cursor: i64, at_unix: i64) {
        use std::sync::atomic::Ordering::SeqCst;
        self.cursor.store(cursor, SeqCst);
        self.at.store(at_unix, SeqCst);
        self.following.store(true, SeqCst);
    }

    /// The cursor and the time of the last success; `None` when nothing follows.
    pub fn followed(&self) -> Option<(i64, i64)> {
        use std::sync::atomic::Ordering::SeqCst;
        self.following
            .load(SeqCst)
            .then(|| (self.cursor.load(SeqCst), self.at.load(SeqCst)))
    }
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, search: Arc<dyn SearchIndex>) -> Self {
        Self {
            store,
            search,
            clock: Arc::new(SystemClock),
            secure_cookies: false,
            trusted_proxies: Arc::new(Vec::new()),
            follower: Arc::new(Follower::default()),
        }
    }

    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: Vec<ipnet::IpNet>) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// Shares the index follower's progress with `/readyz`.
    #[must_use]
    pub fn with_follower(mut self, follower: Arc<Follower>) -> Self {
        self.follower = follower;
        self
    }

    #[must_use]
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The practices that answer a SPIRAL text (the bridge, [`SearchIndex::answers`]), found
    /// on the blocking pool.
    pub async fn answers(
        &self,
        text: String,
        component: Option<&str>,
        limit: usize,
    ) -> search::Result<Vec<search::Answer>> {
        let component = component.map(str::to_string);
        self.searching(move |s| s.answers(&text, component.as_deref(), limit))
            .await
    }

    /// Runs `f` on the search index in the blocking pool: a search, a more-like-this or the
    /// bridge take milliseconds of CPU, and cheap requests must not queue behind them on the
    /// async workers. A panic in `f` resumes here, where the panic layer answers it.
    pub async fn searching<T, F>(&self, f: F) -> search::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn SearchIndex) -> search::Result<T> + Send + 'static,
    {
        let index = self.search.clone();
        match tokio::task::spawn_blocking(move || f(index.as_ref())).await {
            Ok(result) => result,
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("a search was cancelled: {e}"),
            },
        }
    }
}

//! What an operator's probes ask: `/healthz` (the process answers) and `/readyz` (the store
//! answers and the search index follows it), as JSON; and `/metrics`, for Prometheus. None
//! is cached.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::AppState;

/// A follower that has not followed for this long is stalled: the node is not ready.
pub const STALLED_AFTER_SECS: i64 = 15;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The Prometheus text format, the gauges read now: the index's size, the store's records by
/// kind, the jobs waiting for a worker, and where the index follower stands (lag in change-log
/// entries, seconds since it last followed).
async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(n) = state.search.len() {
        metrics::gauge!("zesummen_index_practices").set(n as f64);
    }
    match state.store.counts().await {
        Ok(c) => {
            for (what, n) in [
                ("practices", c.practices),
                ("platforms", c.platforms),
                ("groups", c.groups),
                ("criteria", c.criteria),
            ] {
                metrics::gauge!("zesummen_store_records", "kind" => what).set(n as f64);
            }
            metrics::gauge!("zesummen_jobs_queued").set(c.jobs_queued as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: counting the store"),
    }
    if let Some((cursor, at)) = state.follower.followed()
        && let Ok(latest) = state.store.latest_change().await
    {
        metrics::gauge!("zesummen_index_lag_changes").set((latest - cursor).max(0) as f64);
        metrics::gauge!("zesummen_index_followed_seconds_ago")
            .set((state.clock.now().timestamp() - at) as f64);
    }
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        crate::metrics::handle().render(),
    )
        .into_response()
}

fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn healthz() -> Response {
    no_store(StatusCode::OK, json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let latest = match state.store.latest_change().await {
        Ok(latest) => latest,
        Err(e) => {
            tracing::warn!(error = %e, "readyz: the store does not answer");
            return no_store(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable", "store": format!("error: {e}")}),
            );
        }
    };
    let practices = state.search.len().ok();
    let now = state.clock.now().timestamp();
    let index = match state.follower.followed() {
        // This process does not follow the store (tests, one-off commands): nothing to lag.
        None => json!({"practices": practices, "following": false}),
        Some((cursor, at)) => {
            let lag = (latest - cursor).max(0);
            let ago = now - at;
            if ago > STALLED_AFTER_SECS {
                return no_store(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({
                        "status": "unavailable",
                        "store": "ok",
                        "index": {"practices": practices, "following": true, "lag_changes": lag,
                                  "followed_seconds_ago": ago, "error": "the index follower is stalled"},
                    }),
                );
            }
            json!({"practices": practices, "following": true, "lag_changes": lag,
                   "followed_seconds_ago": ago})
        }
    };
    no_store(
        StatusCode::OK,
        json!({"status": "ready", "store": "ok", "index": index}),
    )
}

//! What an operator's probes ask: `/healthz` (the process answers) and `/readyz` (the store
//! answers and the search index follows it), as JSON. Neither is cached nor logged as an
//! error: a probe asks every few seconds.

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

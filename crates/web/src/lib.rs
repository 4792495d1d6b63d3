//! The site and the JSON API. One router; pages in French URLs, the API under `/api/v1`.
//!
//! Handlers stay thin: the store answers for data, the search index for queries and facets.
//! Only published practices are ever shown to the public.
//!
//! Every router lives in a feature folder under `routes/` (`catalogue`, `spiral`,
//! `practices`, `account`, `pdf`, `jobs`, `openapi`). What features share sits beside them
//! and imports no feature: [`page`] (the layout context, error page, links, hit views),
//! [`write`] (write errors, audit, posted forms), [`params`] (typed query parameters),
//! [`catalogue`] (published practices), [`session`], [`i18n`], [`error`] (API errors) and
//! [`etag`] (conditional requests) and [`metrics`].
//! `scripts/module-cycles.py` checks that no module imports one that imports it back.

pub mod answered;
pub mod catalogue;
pub mod client;
pub mod download;
pub mod error;
pub mod etag;
pub mod i18n;
pub mod indexing;
pub mod metrics;
pub mod page;
pub mod params;
mod routes;
pub mod session;
pub mod state;
pub mod structured_data;
pub mod write;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

pub use routes::{jobs, pdf};
pub use state::AppState;

/// The whole application, as tests and `zesummen serve` start it.
pub fn router(state: AppState) -> Router {
    metrics::handle();
    routes::router()
        .fallback(page::not_found)
        // Every route counted and timed under its pattern.
        .layer(axum::middleware::from_fn(metrics::record))
        // Error pages are written in the reader's language, with the reader's header.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page::error_pages,
        ))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            transport_headers,
        ))
        // A page asked again unchanged answers 304 without its body.
        .layer(axum::middleware::from_fn(etag::conditional))
        .with_state(state)
        // Forms and JSON bodies are small; uploads (codebooks) stay under 2 MiB.
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        // Every log line of a request names it: `request_id` on its span, from the client's
        // `x-request-id` or made here, and sent back in the answer.
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )
                .on_request(()),
        )
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
}

/// The span of one request: method, path (never the query, which may hold personal words)
/// and request id.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
    )
}

/// `Retry-After` on every 429 (the login throttle's window), and under `--secure-cookies`
/// (served over TLS) `Strict-Transport-Security`.
async fn transport_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    if response.status() == axum::http::StatusCode::TOO_MANY_REQUESTS {
        let seconds = routes::account::FAILURE_WINDOW.num_seconds().to_string();
        if let Ok(v) = HeaderValue::from_str(&seconds) {
            response
                .headers_mut()
                .entry(header::RETRY_AFTER)
                .or_insert(v);
        }
    }
    if state.secure_cookies {
        response
            .headers_mut()
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(
                "max-age=31536000; includeSubDomains",
            ));
    }
    response
}

/// A handler that panics answers a plain 500: the panic's text is logged, never sent.
#[allow(clippy::needless_pass_by_value)] // the signature `CatchPanicLayer::custom` calls
fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a request handler panicked");
    error::internal_response()
}

/// Serves until the process is stopped.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    // The peer address keys the login rate limit.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Serves until `shutdown` completes, then stops accepting and lets requests in flight finish.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Binds and reports the actual address (port 0 picks a free port).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_answers_500_without_its_message() {
        let response = super::panic_response(Box::new("secret path /etc/zesummen".to_string()));
        assert_eq!(
            response.status(),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        let body = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 16))
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(
            text,
            r#"{"error":{"code":"internal","message":"internal error"}}"#
        );
    }
}

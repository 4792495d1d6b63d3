//! Prometheus metrics, rendered at `/metrics` (see `routes::health`): requests by route,
//! method and status, their latency as a histogram, and gauges read at scrape time (the
//! index's size, its follower's lag). Recorded through the `metrics` facade into its
//! Prometheus exporter, one recorder per process.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Request latency buckets, in seconds: from a cached page to a booklet.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

pub const REQUESTS: &str = "http_requests_total";
pub const DURATION: &str = "http_request_duration_seconds";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use: one per process (tests start many apps in
/// one process, and they share it).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_string()), &BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics stays empty");
        }
        metrics::describe_counter!(
            REQUESTS,
            "HTTP requests answered, by route, method and status"
        );
        metrics::describe_histogram!(
            DURATION,
            metrics::Unit::Seconds,
            "Time to answer an HTTP request (to its headers), by route and method"
        );
        handle
    })
}

/// Counts and times every request under its route's pattern, written `/pratiques/:id/:slug`
/// (never the path itself, which would make one series per practice); unmatched paths count
/// as `unmatched`.
pub async fn record(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || "unmatched".to_string(),
        |m| m.as_str().replace('{', ":").replace('}', ""),
    );
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(DURATION, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

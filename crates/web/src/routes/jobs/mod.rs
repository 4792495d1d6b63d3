//! Long work that one node claims: the PDF booklet of a selection, which for a thousand fiches
//! takes longer than a request should wait.
//!
//! `POST /api/v1/booklets?theme=&commune=&q=` queues a `booklet` job and answers 202 with the
//! job and its address. Every node runs [`work`]: it claims the oldest queued job (on
//! PostgreSQL `FOR UPDATE SKIP LOCKED`, on SQLite under the write lock), so exactly one node
//! lays a booklet out. The PDF goes into the store's documents under its content key, so
//! `GET /api/v1/jobs/{id}` and `GET /api/v1/documents/{key}` answer from any node. A node that
//! dies while laying out leaves a stale claim, which another node takes over after the lease.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use store::{Job, JobOutcome, JobStatus};
use utoipa::OpenApi;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::params::Selection;
use crate::session::Viewer;

/// The kind of the booklet jobs in the store's job table.
pub const BOOKLET_JOB: &str = "booklet";

/// How long an idle worker waits before asking for work again.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(1);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/booklets", post(queue_booklet))
        .route("/api/v1/jobs/{id}", get(job_status))
        .route("/api/v1/documents/{key}", get(get_document))
}

#[derive(OpenApi)]
#[openapi(
    paths(queue_booklet, job_status, get_document),
    components(schemas(JobBody, DocumentBody))
)]
pub struct JobsDoc;

/// What a booklet job is asked to do: the selection (as a query string) and the reader's
/// language, and who asked (who may follow it).
#[derive(Debug, Serialize, Deserialize)]
struct BookletPayload {
    query: String,
    lang: String,
    account: i64,
}

/// What a finished booklet job made.
#[derive(Debug, Serialize, Deserialize)]
struct BookletResult {
    key: String,
    file_name: String,
    bytes: u64,
    practices: u64,
}

/// A job as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobBody {
    pub id: i64,
    pub kind: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// How many times a node took it (more than once when a node died with it).
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub error: Option<String>,
    /// What it made, once done.
    pub document: Option<DocumentBody>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentBody {
    /// Where to download it (any node serves it).
    pub href: String,
    pub file_name: String,
    pub bytes: u64,
    /// How many practices the booklet holds.
    pub practices: u64,
}

impl JobBody {
    fn of(job: &Job) -> Self {
        let document = (job.status == JobStatus::Done)
            .then(|| job.result.clone())
            .flatten()
            .and_then(|v| serde_json::from_value::<BookletResult>(v).ok())
            .map(|r| DocumentBody {
                href: document_href(&r.key),
                file_name: r.file_name,
                bytes: r.bytes,
                practices: r.practices,
            });
        JobBody {
            id: job.id,
            kind: job.kind.clone(),
            status: job.status.as_str().to_string(),
            attempts: job.attempts,
            created_at: job.created_at,
            finished_at: job.finished_at,
            error: job.error.clone(),
            document,
        }
    }
}

fn document_href(key: &str) -> String {
    format!("/api/v1/documents/{key}")
}

/// Queues the PDF booklet of a selection (the filters of `/recherche`), for any signed-in
/// account. Answers 202 with the job; follow it at `Location`.
#[utoipa::path(post, path = "/api/v1/booklets",
    params(("q" = Option<String>, Query), ("theme" = Option<String>, Query),
        ("commune" = Option<String>, Query)),
    responses(
        (status = 202, body = JobBody, description = "Queued; `Location` is the job"),
        (status = 400, body = ErrorBody, description = "A bad filter, or a cookie write without X-CSRF-Token"),
        (status = 401, body = ErrorBody),
        (status = 501, description = "A build without the cargo feature `pdf`")))]
async fn queue_booklet(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    lang: Lang,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let sel = Selection::parse(raw.as_deref())?;
    if !crate::routes::pdf::ENABLED {
        return Ok(crate::routes::pdf::unavailable());
    }
    let payload = BookletPayload {
        query: sel.query_string(),
        lang: lang.code().to_string(),
        account: who.id,
    };
    let payload = serde_json::to_value(&payload).map_err(ApiError::internal)?;
    let id = state
        .store
        .enqueue_job(BOOKLET_JOB, &payload, state.clock.now())
        .await?;
    let job = state
        .store
        .job(id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("job {id} vanished after queueing")))?;
    let location =
        HeaderValue::from_str(&format!("/api/v1/jobs/{id}")).map_err(ApiError::internal)?;
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(JobBody::of(&job)),
    )
        .into_response())
}

/// A job's state, for the account that queued it, editors and admins.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = JobBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn job_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<JobBody>, ApiError> {
    let who = viewer.account().ok_or_else(ApiError::unauthorized)?;
    let not_found = || ApiError::NotFound(format!("no job {id}"));
    let id: i64 = id.parse().ok().filter(|id| *id > 0).ok_or_else(not_found)?;
    let job = state.store.job(id).await?.ok_or_else(not_found)?;
    let owner = job
        .payload
        .get("account")
        .and_then(serde_json::Value::as_i64);
    let editor = matches!(who.role, domain::Role::Editor | domain::Role::Admin);
    if owner != Some(who.id) && !editor {
        // Someone else's job does not exist, as a draft one may not see.
        return Err(not_found());
    }
    Ok(Json(JobBody::of(&job)))
}

/// A generated document (a booklet PDF), by its content key. The key is the hash of the
/// content, so the answer never changes and may be cached for good.
#[utoipa::path(get, path = "/api/v1/documents/{key}", params(("key" = String, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The document"),
        (status = 404, body = ErrorBody)))]
async fn get_document(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("no document {key}"));
    let well_formed = !key.is_empty()
        && key.len() <= 200
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !well_formed {
        return Err(not_found());
    }
    let doc = state.store.document(&key).await?.ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, doc.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", doc.file_name),
            ),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_string(),
            ),
        ],
        doc.bytes,
    )
        .into_response())
}

/// Claims and does jobs until the process ends; every node runs one. Errors of the store are
/// logged and retried after [`POLL`].
pub async fn work(state: AppState, worker: String) {
    loop {
        match run_one(&state, &worker).await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(POLL).await,
            Err(e) => {
                tracing::warn!(worker, error = %e, "job worker");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// Claims one booklet job and does it. Returns whether there was one.
pub async fn run_one(state: &AppState, worker: &str) -> Result<bool, store::StoreError> {
    if !crate::routes::pdf::ENABLED {
        return Ok(false);
    }
    let Some(job) = state
        .store
        .claim_job(BOOKLET_JOB, worker, state.clock.now())
        .await?
    else {
        return Ok(false);
    };
    let outcome = match booklet(state, &job).await {
        Ok(result) => JobOutcome::Done(result),
        Err(message) => JobOutcome::Failed(message),
    };
    state
        .store
        .finish_job(job.id, worker, &outcome, state.clock.now())
        .await?;
    Ok(true)
}

#[cfg(feature = "pdf")]
async fn booklet(state: &AppState, job: &Job) -> Result<serde_json::Value, String> {
    let payload: BookletPayload = serde_json::from_value(job.payload.clone())
        .map_err(|e| format!("job {}: the payload is not a booklet's ({e})", job.id))?;
    let sel = Selection::parse(Some(&payload.query))
        .map_err(|e| format!("job {}: parameter `{}`: {}", job.id, e.name, e.message))?;
    let lang = Lang::from_code(&payload.lang).unwrap_or_else(Lang::french);
    let (doc, practices) = crate::routes::pdf::booklet_document(state, &sel, &lang)
        .await
        .map_err(|e| format!("job {}: {e}", job.id))?;
    serde_json::to_value(BookletResult {
        key: doc.key,
        file_name: doc.file_name,
        bytes: doc.bytes.len() as u64,
        practices: practices as u64,
    })
    .map_err(|e| e.to_string())
}

#[cfg(not(feature = "pdf"))]
#[allow(clippy::unused_async)] // the signature of the PDF build
async fn booklet(_state: &AppState, job: &Job) -> Result<serde_json::Value, String> {
    Err(format!("job {}: this build makes no PDF", job.id))
}

//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Practice;
use search::{Hit, SearchResults};
use serde::Serialize;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::params::{ApiQuery, Selection};
use crate::session::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/practices", get(list_practices))
        .route("/api/v1/practices.csv", get(practices_csv))
        .route("/api/v1/practices.json", get(practices_json))
        .route("/api/v1/practices/{id}", get(get_practice))
        .route("/api/v1/practices/{id}/similar", get(similar_practices))
        .route("/api/v1/practices/{id}/criteria", get(criteria_answered))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zesummen API",
        description = "Good practices of local integration, and SPIRAL."
    ),
    paths(
        list_practices,
        practices_csv,
        practices_json,
        get_practice,
        similar_practices,
        criteria_answered
    ),
    components(schemas(
        Practice,
        domain::PracticeFields,
        domain::Contact,
        domain::Source,
        domain::Status,
        domain::Language,
        SearchResults,
        Hit,
        search::Facets,
        search::Expansion,
        SimilarBody,
        AnsweredBody,
        crate::answered::PlatformAnswered,
        crate::answered::AnsweredCriterion,
        ErrorBody
    ))
)]
pub struct CatalogueDoc;

fn practice_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_parameter("id", format!("`{raw}` is not a practice id")))
}

/// Searches published practices.
#[utoipa::path(
    get, path = "/api/v1/practices",
    params(
        ("q" = Option<String>, Query, description = "Free text; accents and small typos are forgiven"),
        ("theme" = Option<Vec<String>>, Query, description = "Theme filter, repeatable"),
        ("commune" = Option<Vec<String>>, Query, description = "Commune filter, repeatable"),
        ("institution" = Option<Vec<String>>, Query),
        ("public" = Option<Vec<String>>, Query, description = "Target public filter"),
        ("source" = Option<Vec<String>>, Query, description = "Source document filter"),
        ("concept" = Option<Vec<String>>, Query, description = "Concept id of the scheme (`language-course`), repeatable"),
        ("component" = Option<Vec<String>>, Query, description = "SPIRAL component (`D02`) or dimension (`D`), repeatable"),
        ("page" = Option<u64>, Query, minimum = 1, description = "1-based, default 1"),
        ("per_page" = Option<u64>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 20"),
    ),
    responses(
        (status = 200, body = SearchResults, description = "Hits and facet counts"),
        (status = 400, body = ErrorBody, description = "A bad parameter"),
    )
)]
async fn list_practices(
    State(state): State<AppState>,
    ApiQuery(sel): ApiQuery<Selection>,
) -> Result<Json<SearchResults>, ApiError> {
    let query = sel.to_query();
    Ok(Json(state.searching(move |s| s.search(&query)).await?))
}

/// The selection as CSV (the documented practice columns), every page.
#[utoipa::path(
    get, path = "/api/v1/practices.csv",
    params(("q" = Option<String>, Query), ("theme" = Option<Vec<String>>, Query), ("commune" = Option<Vec<String>>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody))
)]
async fn practices_csv(
    State(state): State<AppState>,
    ApiQuery(sel): ApiQuery<Selection>,
) -> Result<Response, ApiError> {
    let selected = crate::catalogue::Selected::new(&state, &sel)?;
    let stream = selected.stream(Vec::new(), Vec::new(), |batch, first| {
        let mut chunk = Vec::new();
        ingest::csv_format::write_practice_rows(&mut chunk, batch, first)?;
        Ok(chunk)
    });
    Ok(crate::download::csv_stream("pratiques.csv", stream))
}

#[derive(Serialize, utoipa::ToSchema)]
struct PracticesBody {
    practices: Vec<Practice>,
}

/// The selection as JSON: whole practices, every page, as `export --format json` writes them.
/// Streamed, a batch at a time.
#[utoipa::path(
    get, path = "/api/v1/practices.json",
    params(("q" = Option<String>, Query), ("theme" = Option<Vec<String>>, Query), ("commune" = Option<Vec<String>>, Query)),
    responses((status = 200, body = PracticesBody), (status = 400, body = ErrorBody))
)]
async fn practices_json(
    State(state): State<AppState>,
    ApiQuery(sel): ApiQuery<Selection>,
) -> Result<Response, ApiError> {
    let selected = crate::catalogue::Selected::new(&state, &sel)?;
    let mut written = false;
    let stream = selected.stream(
        br#"{"practices":["#.to_vec(),
        b"]}".to_vec(),
        move |batch, _| {
            let mut chunk = Vec::new();
            for p in batch {
                if std::mem::replace(&mut written, true) {
                    chunk.push(b',');
                }
                serde_json::to_writer(&mut chunk, p)?;
            }
            Ok(chunk)
        },
    );
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// One practice: published ones for everyone; a draft, submitted or archived one only for
/// those who may edit or review it (signed in by cookie or bearer token), 404 for the rest.
#[utoipa::path(
    get, path = "/api/v1/practices/{id}",
    params(("id" = i64, Path)),
    responses((status = 200, body = Practice), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn get_practice(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Practice>, ApiError> {
    let id = practice_id(&id)?;
    Ok(Json(
        crate::routes::practices::commands::visible(&state, viewer.account(), id).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
struct SimilarBody {
    hits: Vec<Hit>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AnsweredBody {
    /// By platform, the platform with most first: how many criteria, and the closest few.
    pub platforms: Vec<crate::answered::PlatformAnswered>,
}

/// The citizens' criteria (SPIRAL) a published practice answers: those whose words name
/// concepts it carries, counted by platform, among the latest criteria.
#[utoipa::path(
    get, path = "/api/v1/practices/{id}/criteria",
    params(("id" = i64, Path)),
    responses((status = 200, body = AnsweredBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn criteria_answered(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AnsweredBody>, ApiError> {
    let id = practice_id(&id)?;
    if crate::catalogue::published(&state, id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "no published practice with id {id}"
        )));
    }
    Ok(Json(AnsweredBody {
        platforms: crate::answered::criteria_answered(&state, id).await?,
    }))
}

/// Practices similar to one (more like this).
#[utoipa::path(
    get, path = "/api/v1/practices/{id}/similar",
    params(("id" = i64, Path)),
    responses((status = 200, body = SimilarBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn similar_practices(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SimilarBody>, ApiError> {
    let id = practice_id(&id)?;
    if crate::catalogue::published(&state, id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "no published practice with id {id}"
        )));
    }
    Ok(Json(SimilarBody {
        hits: state.searching(move |s| s.similar(id, 10)).await?,
    }))
}

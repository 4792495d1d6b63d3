//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::{Practice, Status};
use search::{Hit, SearchResults};
use serde::Serialize;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::params::{MAX_PER_PAGE, Selection};
use crate::session::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/practices", get(list_practices))
        .route("/api/v1/practices.csv", get(practices_csv))
        .route("/api/v1/practices.json", get(practices_json))
        .route("/api/v1/practices/{id}", get(get_practice))
        .route("/api/v1/practices/{id}/similar", get(similar_practices))
        .route("/api/v1/openapi.json", get(openapi))
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
        similar_practices
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
        SimilarBody,
        ErrorBody
    ))
)]
struct ApiDoc;

fn selection(raw: Option<&str>) -> Result<Selection, ApiError> {
    Selection::parse(raw).map_err(|e| ApiError::bad_parameter(&e.name, e.message))
}

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
        ("page" = Option<u32>, Query, description = "1-based"),
        ("per_page" = Option<u32>, Query, description = "1 to 100, default 20"),
    ),
    responses(
        (status = 200, body = SearchResults, description = "Hits and facet counts"),
        (status = 400, body = ErrorBody, description = "A bad parameter"),
    )
)]
async fn list_practices(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResults>, ApiError> {
    let sel = selection(raw.as_deref())?;
    Ok(Json(state.search.search(&sel.to_query())?))
}

/// Every published practice of a selection, in result order: what the CSV, the JSON and the
/// PDF booklet of a search hold.
pub(crate) async fn select_all(
    state: &AppState,
    sel: &Selection,
) -> Result<Vec<Practice>, ApiError> {
    if sel.q.is_empty() && sel.filters.is_empty() {
        let all = state.store.practices().await?;
        return Ok(all
            .into_iter()
            .filter(|p| p.status == Status::Published)
            .collect());
    }
    let mut sel = sel.all_pages();
    sel.per_page = MAX_PER_PAGE;
    let mut ids = Vec::new();
    loop {
        let results = state.search.search(&sel.to_query())?;
        ids.extend(results.hits.iter().map(|h| h.id));
        if results.hits.is_empty() || ids.len() as u64 >= results.total {
            break;
        }
        sel.page += 1;
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = crate::routes::pages::published(state, id).await? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The selection as CSV (the documented practice columns), every page.
#[utoipa::path(
    get, path = "/api/v1/practices.csv",
    params(("q" = Option<String>, Query), ("theme" = Option<Vec<String>>, Query), ("commune" = Option<Vec<String>>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody))
)]
async fn practices_csv(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let sel = selection(raw.as_deref())?;
    let practices = select_all(&state, &sel).await?;
    let mut body = Vec::new();
    ingest::csv_format::write_practices(&mut body, &practices).map_err(ApiError::internal)?;
    Ok(csv_download("pratiques.csv", &body))
}

/// A CSV file as a spreadsheet opens it: with a UTF-8 byte order mark, without which
/// LibreOffice and Excel guess the system's legacy encoding and garble every accent. The
/// importer (`zesummen import`, `ingest::csv_format`) skips the mark.
pub(crate) fn csv_download(filename: &'static str, body: &[u8]) -> Response {
    let mut with_bom = Vec::with_capacity(body.len() + 3);
    with_bom.extend_from_slice("\u{feff}".as_bytes());
    with_bom.extend_from_slice(body);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        with_bom,
    )
        .into_response()
}

#[derive(Serialize, utoipa::ToSchema)]
struct PracticesBody {
    practices: Vec<Practice>,
}

/// The selection as JSON: whole practices, every page, as `export --format json` writes them.
#[utoipa::path(
    get, path = "/api/v1/practices.json",
    params(("q" = Option<String>, Query), ("theme" = Option<Vec<String>>, Query), ("commune" = Option<Vec<String>>, Query)),
    responses((status = 200, body = PracticesBody), (status = 400, body = ErrorBody))
)]
async fn practices_json(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PracticesBody>, ApiError> {
    let sel = selection(raw.as_deref())?;
    Ok(Json(PracticesBody {
        practices: select_all(&state, &sel).await?,
    }))
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
    if crate::routes::pages::published(&state, id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "no published practice with id {id}"
        )));
    }
    Ok(Json(SimilarBody {
        hits: state.search.similar(id, 10)?,
    }))
}

async fn openapi() -> impl IntoResponse {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::routes::spiral::api::SpiralDoc::openapi());
    doc.merge(SessionDoc::openapi());
    doc.merge(crate::routes::practices::pages::ContributionDoc::openapi());
    doc.merge(crate::routes::practices::api::PracticeDoc::openapi());
    doc.merge(crate::jobs::JobsDoc::openapi());
    Json(doc)
}

#[derive(OpenApi)]
#[openapi(
    paths(crate::routes::login::api_login, crate::routes::login::api_logout),
    components(schemas(crate::routes::login::Credentials, crate::routes::login::SessionBody))
)]
struct SessionDoc;

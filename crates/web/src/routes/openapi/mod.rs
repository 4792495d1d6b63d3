//! The OpenAPI document of the whole API at `/api/v1/openapi.json`: each feature describes its
//! own paths, and this one merges them.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::AppState;
use crate::routes::{account, catalogue, jobs, practices, spiral};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = catalogue::api::CatalogueDoc::openapi();
    doc.merge(spiral::api::SpiralDoc::openapi());
    doc.merge(account::SessionDoc::openapi());
    doc.merge(practices::pages::ContributionDoc::openapi());
    doc.merge(practices::api::PracticeDoc::openapi());
    doc.merge(jobs::JobsDoc::openapi());
    Json(doc)
}

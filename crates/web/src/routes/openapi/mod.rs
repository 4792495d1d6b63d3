//! The OpenAPI document of the whole API at `/api/v1/openapi.json`: each feature describes its
//! own paths, and this one merges them.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

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
    document_bad_paths(&mut doc);
    document_attachment_types(&mut doc);
    Json(doc)
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Every path parameter is parsed at the edge: a value that is not one (`/practices/x`, an id
/// out of range) answers 400 `bad_parameter` naming it. Said once for every such operation.
fn document_bad_paths(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            let has_path_parameter = op
                .parameters
                .iter()
                .flatten()
                .any(|p| p.parameter_in == ParameterIn::Path);
            if has_path_parameter && !op.responses.responses.contains_key("400") {
                let response = ResponseBuilder::new()
                    .description("A path parameter that is not valid (an id that is not a positive whole number in range): `bad_parameter`, naming it")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build();
                op.responses
                    .responses
                    .insert("400".to_string(), RefOr::T(response));
            }
        }
    }
}

/// An attachment is served with the media type found in its content when it was stored: one
/// of [`domain::attachment::MEDIA_TYPES`].
fn document_attachment_types(doc: &mut utoipa::openapi::OpenApi) {
    let Some(op) = doc
        .paths
        .paths
        .get_mut("/api/v1/attachments/{id}")
        .and_then(|item| item.get.as_mut())
    else {
        return;
    };
    if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
        let binary = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .build();
        ok.content = domain::attachment::MEDIA_TYPES
            .iter()
            .map(|t| {
                (
                    (*t).to_string(),
                    ContentBuilder::new().schema(Some(binary.clone())).build(),
                )
            })
            .collect();
    }
}

//! The catalogue's writes in JSON under `/api/v1`: drafts, edits, the editorial workflow,
//! revisions, contact erasure, attachments, the review queue and a contributor's drafts.
//!
//! Every write needs a session (a bearer token, or the cookie plus `X-CSRF-Token`) and goes
//! through [`commands`], the one write path shared with the HTML forms. Answers:
//! - create: 201 `{"id", "status": "draft"}`;
//! - PATCH and restore: 200 with the practice as stored, so that a script sees what the
//!   checks made of its input (trimmed text, folded duplicates) without a second request;
//! - submit, publish, reject, archive: 200 `{"id", "status"}`;
//! - erase-contact and deleting an attachment: 204.
//!
//! Bodies are read here rather than by axum's `Json`, so that every refusal is a JSON error:
//! malformed JSON is 400, and a well-formed body with an unknown field or a value of the
//! wrong type is 422 naming the field (its path, e.g. `contacts[0].name`).

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use domain::revision::{FieldChange, Transition};
use domain::{Account, Practice, Status};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use store::{AttachmentInfo, Revision};
use utoipa::OpenApi;

use super::commands::{self, MAX_ATTACHMENT, PracticeInput};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::Viewer;

/// An upload's body may hold the largest attachment plus the multipart framing.
const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT + 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/practices", post(create_practice))
        .route(
            "/api/v1/practices/{id}",
            axum::routing::patch(update_practice),
        )
        .route("/api/v1/practices/{id}/submit", post(submit))
        .route("/api/v1/practices/{id}/publish", post(publish))
        .route("/api/v1/practices/{id}/reject", post(reject))
        .route("/api/v1/practices/{id}/archive", post(archive))
        .route("/api/v1/practices/{id}/revisions", get(list_revisions))
        .route(
            "/api/v1/practices/{id}/revisions/{number}/restore",
            post(restore_revision),
        )
        .route("/api/v1/practices/{id}/erase-contact", post(erase_contact))
        .route(
            "/api/v1/practices/{id}/attachments",
            get(list_attachments)
                .post(upload_attachment.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))),
        )
        .route(
            "/api/v1/attachments/{id}",
            get(get_attachment).delete(delete_attachment),
        )
        .route("/api/v1/review-queue", get(review_queue))
        .route("/api/v1/my/drafts", get(my_drafts))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create_practice,
        update_practice,
        submit,
        publish,
        reject,
        archive,
        list_revisions,
        restore_revision,
        erase_contact,
        upload_attachment,
        list_attachments,
        get_attachment,
        delete_attachment,
        review_queue,
        my_drafts
    ),
    components(schemas(
        PracticeInput,
        StatusBody,
        StepInput,
        EraseInput,
        RevisionBody,
        RevisionsBody,
        FieldChange,
        AttachmentBody,
        AttachmentsBody,
        UploadForm,
        QueueItem,
        QueueBody
    ))
)]
pub struct PracticeDoc;

fn id_of(name: &str, raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_parameter(name, format!("`{raw}` is not an id")))
}

/// A JSON body: 400 when it is not JSON, 422 naming the field when it does not fit `T`.
/// An empty body reads as `{}` where `empty_ok`.
fn json_body<T: DeserializeOwned + Default>(
    bytes: &Result<Bytes, BytesRejection>,
    empty_ok: bool,
) -> Result<T, ApiError> {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(ApiError::TooLarge {
                field: "body".into(),
                message: "a JSON body is at most 2 MiB".into(),
            });
        }
        Err(e) => return Err(ApiError::bad_parameter("body", e.body_text())),
    };
    if empty_ok && bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(de);
    let e = match result {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let inner = e.inner();
    if !inner.is_data() {
        return Err(ApiError::bad_parameter(
            "body",
            format!("not a JSON object: {inner}"),
        ));
    }
    let message = inner.to_string();
    let path = e.path().to_string();
    // The path ends with an unknown field's own name; at the root, name it from the message.
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    let field = match path.as_str() {
        "." | "" => unknown.unwrap_or("body").to_string(),
        p => p.to_string(),
    };
    Err(ApiError::invalid(&field, message))
}

// ---------------------------------------------------------------- content

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusBody {
    pub id: i64,
    pub status: Status,
}

/// Creates a draft (contributors for their communes or institutions, editors, admins).
#[utoipa::path(post, path = "/api/v1/practices", request_body = PracticeInput,
    responses(
        (status = 201, body = StatusBody, description = "The new draft"),
        (status = 400, body = ErrorBody, description = "Not JSON, or a cookie write without X-CSRF-Token"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A field to fix, named in `error.field`")))]
async fn create_practice(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let input: PracticeInput = json_body(&bytes, false)?;
    let id = commands::create(&state, who, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(StatusBody {
            id,
            status: Status::Draft,
        }),
    )
        .into_response())
}

async fn stored(state: &AppState, who: &Account, id: i64) -> Result<Json<Practice>, ApiError> {
    Ok(Json(commands::visible(state, Some(who), id).await?))
}

/// Changes a practice's content: absent fields keep their value, `""` or `[]` clears one.
/// Answers the practice as stored.
#[utoipa::path(patch, path = "/api/v1/practices/{id}", params(("id" = i64, Path)), request_body = PracticeInput,
    responses(
        (status = 200, body = Practice, description = "The practice as stored"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "A contributor editing a published or archived practice"),
        (status = 422, body = ErrorBody)))]
async fn update_practice(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Json<Practice>, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_of("id", &id)?;
    let input: PracticeInput = json_body(&bytes, false)?;
    commands::update(&state, who, id, &input).await?;
    stored(&state, who, id).await
}

// ---------------------------------------------------------------- workflow

/// A workflow step's optional body; `comment` is required to reject.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// What the author should change (required for reject).
    pub comment: Option<String>,
}

async fn step(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    id: &str,
    bytes: &Result<Bytes, BytesRejection>,
    step: Transition,
) -> Result<Json<StatusBody>, ApiError> {
    let who = viewer.for_api_write(headers)?;
    let id = id_of("id", id)?;
    let input: StepInput = json_body(bytes, true)?;
    let status = commands::transition(state, who, id, step, input.comment.as_deref()).await?;
    Ok(Json(StatusBody { id, status }))
}

/// Draft → submitted: the author asks for review.
#[utoipa::path(post, path = "/api/v1/practices/{id}/submit", params(("id" = i64, Path)), request_body(content = Option<StepInput>),
    responses((status = 200, body = StatusBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not a draft"), (status = 422, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Json<StatusBody>, ApiError> {
    step(&state, &viewer, &headers, &id, &bytes, Transition::Submit).await
}

/// Submitted → published (editors, admins): from then on the public sees it.
#[utoipa::path(post, path = "/api/v1/practices/{id}/publish", params(("id" = i64, Path)), request_body(content = Option<StepInput>),
    responses((status = 200, body = StatusBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not submitted"), (status = 422, body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Json<StatusBody>, ApiError> {
    step(&state, &viewer, &headers, &id, &bytes, Transition::Publish).await
}

/// Back to draft with a comment for the author (editors, admins).
#[utoipa::path(post, path = "/api/v1/practices/{id}/reject", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = StatusBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody, description = "No `comment`")))]
async fn reject(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Json<StatusBody>, ApiError> {
    step(&state, &viewer, &headers, &id, &bytes, Transition::Reject).await
}

/// Out of sight, kept with its history (editors, admins).
#[utoipa::path(post, path = "/api/v1/practices/{id}/archive", params(("id" = i64, Path)), request_body(content = Option<StepInput>),
    responses((status = 200, body = StatusBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn archive(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Json<StatusBody>, ApiError> {
    step(&state, &viewer, &headers, &id, &bytes, Transition::Archive).await
}

// ---------------------------------------------------------------- revisions

#[derive(Serialize, utoipa::ToSchema)]
pub struct RevisionBody {
    /// 1, 2, … per practice.
    pub number: u32,
    pub at: DateTime<Utc>,
    pub actor_email: Option<String>,
    /// `create`, `edit`, `submit`, `publish`, `reject`, `archive`, `restore`,
    /// `erase_contact`, `import`, `attach`, `detach`.
    pub action: String,
    /// The status after the change.
    pub status: Status,
    pub comment: Option<String>,
    /// Field by field, against the content before.
    pub changes: Vec<FieldChange>,
}

impl From<Revision> for RevisionBody {
    fn from(r: Revision) -> Self {
        Self {
            number: r.number,
            at: r.at,
            actor_email: r.actor_email,
            action: r.action,
            status: r.status,
            comment: r.comment,
            changes: r.changes,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RevisionsBody {
    /// Newest first.
    pub revisions: Vec<RevisionBody>,
}

/// The account for a read that needs one: 401 when anonymous.
fn signed_in(viewer: &Viewer) -> Result<&Account, ApiError> {
    viewer.account().ok_or_else(ApiError::unauthorized)
}

/// A practice's history, newest first (its authors, editors, admins).
#[utoipa::path(get, path = "/api/v1/practices/{id}/revisions", params(("id" = i64, Path)),
    responses((status = 200, body = RevisionsBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_revisions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<RevisionsBody>, ApiError> {
    let who = signed_in(&viewer)?;
    let id = id_of("id", &id)?;
    // A draft one may not see does not exist (404), as everywhere.
    commands::visible(&state, Some(who), id).await?;
    let revisions = commands::revisions(&state, who, id).await?;
    Ok(Json(RevisionsBody {
        revisions: revisions.into_iter().map(RevisionBody::from).collect(),
    }))
}

/// Sets the content back to an older revision, as a new revision (editors, admins).
#[utoipa::path(post, path = "/api/v1/practices/{id}/revisions/{number}/restore",
    params(("id" = i64, Path), ("number" = u32, Path)),
    responses((status = 200, body = Practice, description = "The practice as stored"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn restore_revision(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, number)): Path<(String, String)>,
) -> Result<Json<Practice>, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_of("id", &id)?;
    let number = number
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            ApiError::bad_parameter("number", format!("`{number}` is not a revision number"))
        })?;
    commands::restore(&state, who, id, number).await?;
    stored(&state, who, id).await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseInput {
    /// The contact person's name, exactly as in the practice.
    pub name: String,
}

/// Erases a contact person from the practice and every revision (editors, admins); audited
/// without the name.
#[utoipa::path(post, path = "/api/v1/practices/{id}/erase-contact", params(("id" = i64, Path)), request_body = EraseInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such practice, or no contact of that name"), (status = 422, body = ErrorBody)))]
async fn erase_contact(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_of("id", &id)?;
    let input: EraseInput = json_body(&bytes, false)?;
    commands::erase_contact(&state, who, id, &input.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- attachments

#[derive(Serialize, utoipa::ToSchema)]
pub struct AttachmentBody {
    pub id: i64,
    pub practice_id: i64,
    pub file_name: String,
    /// As sniffed from the content: application/pdf, image/png, image/jpeg, image/webp,
    /// image/gif.
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// Where its bytes are served.
    pub url: String,
}

impl From<AttachmentInfo> for AttachmentBody {
    fn from(a: AttachmentInfo) -> Self {
        Self {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            practice_id: a.practice_id,
            file_name: a.file_name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AttachmentsBody {
    /// Oldest first.
    pub attachments: Vec<AttachmentBody>,
}

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the request for the OpenAPI document only
pub struct UploadForm {
    /// A PDF or an image (PNG, JPEG, WebP, GIF), checked by its content; at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn missing_file(message: impl Into<String>) -> ApiError {
    ApiError::invalid("file", message)
}

/// The part `file` of a multipart body: its name and bytes.
async fn file_part(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, Bytes), ApiError> {
    let mut multipart = multipart.map_err(|e| {
        missing_file(format!(
            "expected a multipart/form-data body with a part `file` ({})",
            e.body_text()
        ))
    })?;
    let read_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge {
                field: "file".into(),
                message: format!(
                    "the upload is larger than {} MiB",
                    MAX_ATTACHMENT / (1024 * 1024)
                ),
            }
        } else {
            ApiError::bad_parameter("body", e.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(read_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(read_error)?;
        return Ok((name, bytes));
    }
    Err(missing_file("the form has no part `file`"))
}

/// Attaches a brochure, flyer or photo to a practice (those who may edit it).
#[utoipa::path(post, path = "/api/v1/practices/{id}/attachments", params(("id" = i64, Path)),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "Larger than 10 MiB"),
        (status = 422, body = ErrorBody, description = "Neither a PDF nor an image, or empty: field `file`")))]
async fn upload_attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_of("id", &id)?;
    let (name, bytes) = file_part(multipart).await?;
    let attachment = commands::add_attachment(&state, who, id, &name, &bytes).await?;
    let info = state
        .store
        .attachments(id)
        .await?
        .into_iter()
        .find(|a| a.id == attachment)
        .ok_or_else(|| ApiError::internal(format!("attachment {attachment} vanished")))?;
    Ok((StatusCode::CREATED, Json(AttachmentBody::from(info))).into_response())
}

/// A practice's attachments, for whoever may see the practice.
#[utoipa::path(get, path = "/api/v1/practices/{id}/attachments", params(("id" = i64, Path)),
    responses((status = 200, body = AttachmentsBody), (status = 404, body = ErrorBody)))]
async fn list_attachments(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<AttachmentsBody>, ApiError> {
    let id = id_of("id", &id)?;
    commands::visible(&state, viewer.account(), id).await?;
    Ok(Json(AttachmentsBody {
        attachments: state
            .store
            .attachments(id)
            .await?
            .into_iter()
            .map(AttachmentBody::from)
            .collect(),
    }))
}

/// RFC 8187 `attr-char`: what a `filename*` value keeps unencoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with an ASCII `filename` for old clients and the exact name in `filename*`.
fn content_disposition(file_name: &str) -> HeaderValue {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, ATTR_CHAR)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// An attachment's bytes, with the media type sniffed when it was stored.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "The file, as `attachment`", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = ErrorBody)))]
async fn get_attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = id_of("id", &id)?;
    let (info, bytes) = commands::attachment(&state, viewer.account(), id).await?;
    let media_type = HeaderValue::from_str(&info.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&info.file_name),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Deletes an attachment (those who may edit its practice); audited.
#[utoipa::path(delete, path = "/api/v1/attachments/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_of("id", &id)?;
    commands::delete_attachment(&state, who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- queues

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub id: i64,
    pub title: String,
    pub status: Status,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueBody {
    /// Last updated first.
    pub practices: Vec<QueueItem>,
}

fn queue_body(practices: Vec<Practice>) -> Json<QueueBody> {
    Json(QueueBody {
        practices: practices
            .into_iter()
            .map(|p| QueueItem {
                id: p.id,
                title: p.fields.title,
                status: p.status,
                updated_at: p.updated_at,
            })
            .collect(),
    })
}

/// Practices waiting for review (editors, admins).
#[utoipa::path(get, path = "/api/v1/review-queue",
    responses((status = 200, body = QueueBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn review_queue(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<QueueBody>, ApiError> {
    let who = signed_in(&viewer)?;
    if !who.may_review() {
        return Err(ApiError::forbidden());
    }
    Ok(queue_body(
        commands::queue(&state, who, Status::Submitted).await?,
    ))
}

/// The drafts the signed-in account may edit: a contributor's for their communes and
/// institutions (rejected ones included, they are drafts again); every draft for editors.
#[utoipa::path(get, path = "/api/v1/my/drafts",
    responses((status = 200, body = QueueBody), (status = 401, body = ErrorBody)))]
async fn my_drafts(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<QueueBody>, ApiError> {
    let who = signed_in(&viewer)?;
    Ok(queue_body(
        commands::queue(&state, who, Status::Draft).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_encoded_for_content_disposition() {
        let v = content_disposition("Flyer été \"2024\".pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"Flyer _t_ _2024_.pdf\"; \
             filename*=UTF-8''Flyer%20%C3%A9t%C3%A9%20%222024%22.pdf"
        );
        let v = content_disposition("a\r\nSet-Cookie: x=1.pdf");
        assert!(!v.to_str().unwrap().contains('\n'));
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = json_body::<PracticeInput>(&Ok(Bytes::from_static(b"{\"titel\": \"x\"}")), false)
            .unwrap_err();
        assert!(
            matches!(&e, ApiError::Invalid { field, .. } if field == "titel"),
            "{e:?}"
        );
        let e = json_body::<PracticeInput>(&Ok(Bytes::from_static(b"{\"title\": 5}")), false)
            .unwrap_err();
        assert!(
            matches!(&e, ApiError::Invalid { field, .. } if field == "title"),
            "{e:?}"
        );
        let e = json_body::<PracticeInput>(
            &Ok(Bytes::from_static(b"{\"contacts\": [{\"name\": 5}]}")),
            false,
        )
        .unwrap_err();
        assert!(
            matches!(&e, ApiError::Invalid { field, .. } if field == "contacts[0].name"),
            "{e:?}"
        );
        let e = json_body::<PracticeInput>(&Ok(Bytes::from_static(b"{\"title\": ")), false)
            .unwrap_err();
        assert!(matches!(e, ApiError::BadRequest { .. }), "{e:?}");
        assert!(json_body::<StepInput>(&Ok(Bytes::from_static(b" ")), true).is_ok());
        assert!(json_body::<StepInput>(&Ok(Bytes::new()), false).is_err());
    }
}

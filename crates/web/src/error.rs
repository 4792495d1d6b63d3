//! Errors of the JSON API: `{"error": {"code", "message"}}` with the right status. A 500 is
//! logged with its cause and answered with a generic message: no internal text reaches a user.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// No valid session or token.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// Well-formed but invalid input; `field` names what to fix.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    TooManyRequests(String),
    /// The body (an upload) is larger than the route accepts; `field` names the part.
    #[error("{message}")]
    TooLarge { field: String, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_parameter(name: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code: "bad_parameter",
            message: format!("parameter `{name}`: {}", message.into()),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden("your role does not allow this".into())
    }

    pub fn unauthorized() -> Self {
        ApiError::Unauthorized("sign in first: a session cookie or a bearer token is needed".into())
    }
}

/// A JSON body that could not be read: 413 when it is over the size limit, else 400 naming it.
impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge {
                field: "body".into(),
                message: "a JSON body is at most 2 MiB".into(),
            }
        } else {
            ApiError::bad_parameter("body", e.body_text())
        }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound(m) => ApiError::NotFound(m),
            store::StoreError::Conflict(m) => ApiError::Conflict(m),
            store::StoreError::Invalid(m) => ApiError::Invalid {
                field: String::new(),
                message: m,
            },
            other => ApiError::internal(other),
        }
    }
}

impl From<search::SearchError> for ApiError {
    fn from(e: search::SearchError) -> Self {
        ApiError::internal(e)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code: `bad_parameter`, `not_found`, `unauthorized`,
    /// `forbidden`, `conflict`, `invalid`, `too_large`, `too_many_requests`, `csrf`,
    /// `internal`.
    pub code: String,
    pub message: String,
    /// The input field to fix, for `invalid` and `too_large` answers (`title`,
    /// `contacts[0].emails`, `file`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The answer to an internal error, once its cause is logged: nothing of the cause.
pub fn internal_response() -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "internal".into(),
            message: "internal error".into(),
            field: None,
        },
    };
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut named = None;
        let mut name_field = |field: String, message: String| {
            if field.is_empty() {
                message
            } else {
                let message = format!("field `{field}`: {message}");
                named = Some(field);
                message
            }
        };
        let (status, code, message) = match self {
            ApiError::BadRequest { code, message } => (StatusCode::BAD_REQUEST, code, message),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, "not_found", message),
            ApiError::Unauthorized(message) => (StatusCode::UNAUTHORIZED, "unauthorized", message),
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, "forbidden", message),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, "conflict", message),
            ApiError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                name_field(field, message),
            ),
            ApiError::TooLarge { field, message } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                name_field(field, message),
            ),
            ApiError::TooManyRequests(message) => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_string(),
                )
            }
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                field: named,
            },
        };
        (status, Json(body)).into_response()
    }
}

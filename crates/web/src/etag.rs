//! Conditional requests: every whole `200` answer to a `GET` or `HEAD` (a page, an API
//! answer, a feed) carries a strong `ETag`, a hash of its bytes; a client that sends it back in
//! `If-None-Match` gets `304 Not Modified` without the body. Exact by construction: the tag
//! changes whenever one byte of the answer does. Streamed answers (exports) pass untouched.

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Answers larger than this pass without a tag (their bytes are not held twice).
const MAX_TAGGED: u64 = 4 * 1024 * 1024;

/// The strong entity tag of `bytes`: 128 bits of their SHA-256, quoted.
pub fn tag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether `If-None-Match` names `tag` (or is `*`). Weak tags compare weakly, as RFC 9110
/// asks of `If-None-Match`.
fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
}

pub async fn conditional(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let asked = request.headers().clone();
    let response = next.run(request).await;
    if !(method == Method::GET || method == Method::HEAD)
        || response.status() != StatusCode::OK
        || response.headers().contains_key(header::ETAG)
    {
        return response;
    }
    let Some(len) = response.body().size_hint().exact() else {
        return response;
    };
    if len > MAX_TAGGED {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, len as usize).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "reading an answer to tag it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = tag_of(&bytes);
    let value = tag.parse().expect("a quoted hex string is a header value");
    parts.headers.insert(header::ETAG, value);
    if matches(&asked, &tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        for gone in [
            header::CONTENT_LENGTH,
            header::CONTENT_TYPE,
            header::CONTENT_DISPOSITION,
        ] {
            parts.headers.remove(gone);
        }
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let tag = tag_of(b"<p>bonjour</p>");
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, tag_of(b"<p>bonjour!</p>"));
        let mut h = HeaderMap::new();
        assert!(!matches(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            "\"x\", W/".to_string().parse().unwrap(),
        );
        assert!(!matches(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            format!("\"x\", W/{tag}").parse().unwrap(),
        );
        assert!(matches(&h, &tag));
        h.insert(header::IF_NONE_MATCH, "*".parse().unwrap());
        assert!(matches(&h, &tag));
    }
}

//! Who is asking: the session behind a cookie or a bearer token, and the CSRF rules.
//!
//! Sessions live in the store (one table per backend), so any node answers for a session
//! opened on another. The secret token goes to the client only; the store keeps its SHA-256.
//! A browser session carries a CSRF token: every HTML form posts it back, and a write through
//! the API authenticated by the cookie sends it in `X-CSRF-Token`. A bearer token is not sent
//! by browsers on their own, so scripts using one need no CSRF token.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use domain::Account;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "zs_session";
/// The CSRF token of a visitor without a session (the login form), as a double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "zs_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

/// A signed-in account and how it proved it.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub account: Account,
    pub csrf: String,
    /// Through the browser cookie (CSRF applies) rather than a bearer token.
    pub via_cookie: bool,
    pub token_hash: String,
}

/// The visitor: anonymous, or signed in. Never fails: a bad or expired token is anonymous.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<Authenticated>);

impl Viewer {
    pub fn account(&self) -> Option<&Account> {
        self.0.as_ref().map(|a| &a.account)
    }

    /// The CSRF token forms embed; empty for anonymous visitors (they see no forms but login).
    pub fn csrf(&self) -> String {
        self.0.as_ref().map(|a| a.csrf.clone()).unwrap_or_default()
    }

    pub fn may_write_platform(&self, platform: &str) -> bool {
        self.account()
            .is_some_and(|a| a.may_write_platform(platform))
    }

    /// The account, for an API write: 401 when anonymous, and for a cookie session, the
    /// CSRF header must match.
    pub fn for_api_write(&self, headers: &HeaderMap) -> Result<&Account, ApiError> {
        let auth = self.0.as_ref().ok_or_else(ApiError::unauthorized)?;
        if auth.via_cookie {
            let sent = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !same_secret(sent, &auth.csrf) {
                return Err(ApiError::BadRequest {
                    code: "csrf",
                    message: format!(
                        "a write authenticated by the session cookie needs the header `{CSRF_HEADER}` with the session's CSRF token"
                    ),
                });
            }
        }
        Ok(&auth.account)
    }

    /// The account, for an HTML form post: the form's CSRF field must match the session's.
    pub fn for_form(&self, sent_csrf: &str) -> Result<&Account, FormRefusal> {
        let auth = self.0.as_ref().ok_or(FormRefusal::SignedOut)?;
        if !same_secret(sent_csrf, &auth.csrf) {
            return Err(FormRefusal::Csrf);
        }
        Ok(&auth.account)
    }
}

/// Why a form post is refused before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRefusal {
    SignedOut,
    Csrf,
}

/// Compares two secrets in constant time; an empty one never matches.
pub fn same_secret(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(name)?.strip_prefix('='))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(v.clone());
        }
        let (token, via_cookie) = match bearer(&parts.headers) {
            Some(t) => (t, false),
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(t) => (t, true),
                None => return Ok(Viewer(None)),
            },
        };
        if token.is_empty() || token.len() > 256 {
            return Ok(Viewer(None));
        }
        let token_hash = auth::token_hash(token);
        let viewer = match state.store.session(&token_hash, state.clock.now()).await {
            Ok(Some((session, account))) => Viewer(Some(Authenticated {
                account,
                csrf: session.csrf_token,
                via_cookie,
                token_hash,
            })),
            Ok(None) => Viewer(None),
            Err(e) => {
                tracing::error!(error = %e, "reading a session failed; treating the visitor as anonymous");
                Viewer(None)
            }
        };
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Lax, and Secure when served over TLS.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("zs_session=; Path=/; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole_and_never_empty() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", ""));
        assert!(!same_secret("ab", "abc"));
    }

    #[test]
    fn tokens_come_from_bearer_first() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer  t0k "));
        h.insert(COOKIE, HeaderValue::from_static("lang=fr; zs_session=c00k"));
        assert_eq!(bearer(&h), Some("t0k"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("c00k"));
        assert_eq!(cookie(&h, "zs"), None);
    }
}

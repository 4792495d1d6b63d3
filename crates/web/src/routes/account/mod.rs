//! Signing in and out: the login page and form, and `POST`/`DELETE /api/v1/session` for
//! scripts. A wrong password and an unknown e-mail get the same answer, in the same time;
//! failed logins are counted per address and per account in the store (so every node sees
//! them) and end in 429.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Form, FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use domain::{Account, Email, Password};
use serde::{Deserialize, Serialize};
use store::{AuditEntry, Session};

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::page::{Layout, PageError, render};
use crate::session::{LOGIN_CSRF_COOKIE, Viewer, cookie, same_secret, session_cookie};

/// How long a session lasts without signing in again.
pub const SESSION_TTL: Duration = Duration::days(7);
/// The window failed logins are counted in.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// Failed logins allowed per account, then per address, within the window.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connexion", get(login_page).post(login_form))
        .route("/deconnexion", post(logout_form))
        .route("/api/v1/session", post(api_login).delete(api_logout))
}

/// Why a login is refused. Unknown e-mail and wrong password are one case on purpose.
enum Refusal {
    BadCredentials,
    TooMany,
    Internal(String),
}

impl From<store::StoreError> for Refusal {
    fn from(e: store::StoreError) -> Self {
        Refusal::Internal(e.to_string())
    }
}

/// The peer's address when the server was started with connect info (`web::serve` is).
pub struct Peer(Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

fn peer(state: &AppState, headers: &HeaderMap, connect: &Peer) -> String {
    crate::client::address(headers, connect.0, &state.trusted_proxies)
}

/// Checks the credentials and opens a session; returns (token, session, account).
async fn sign_in(
    state: &AppState,
    address: &str,
    email: &str,
    password: &str,
) -> Result<(String, Session, Account), Refusal> {
    let now = state.clock.now();
    let since = now - FAILURE_WINDOW;
    let ip_key = format!("ip:{address}");
    let email_key = format!("email:{}", email.trim().to_lowercase());
    if state.store.login_failures_since(&ip_key, since).await? >= MAX_FAILURES_PER_ADDRESS
        || state.store.login_failures_since(&email_key, since).await? >= MAX_FAILURES_PER_ACCOUNT
    {
        return Err(Refusal::TooMany);
    }
    let found = match Email::parse(email) {
        Ok(e) => state.store.account_by_email(&e).await?,
        Err(_) => None,
    };
    let password = password.to_string();
    let hash = found.as_ref().map(|(_, h)| h.clone());
    // Hashing is slow on purpose: off the async threads.
    let verified = tokio::task::spawn_blocking(move || {
        if let (Some(hash), Ok(p)) = (hash, Password::parse(&password)) {
            auth::verify_password(p.expose(), &hash)
        } else {
            let _ = auth::dummy_verify(&password);
            false
        }
    })
    .await
    .map_err(|e| Refusal::Internal(e.to_string()))?;
    let account = match found {
        Some((account, _)) if verified && account.is_active() => account,
        _ => {
            state.store.record_login_failure(&ip_key, now).await?;
            state.store.record_login_failure(&email_key, now).await?;
            let _ = state
                .store
                .append_audit(&AuditEntry {
                    id: None,
                    at: now,
                    actor: None,
                    actor_email: Some(email.trim().to_lowercase()),
                    action: "login_failed".into(),
                    target: None,
                    detail: serde_json::json!({ "address": address }),
                })
                .await;
            return Err(Refusal::BadCredentials);
        }
    };
    state.store.clear_login_failures(&email_key).await?;
    let token = auth::new_token();
    let session = Session {
        account_id: account.id,
        csrf_token: auth::new_token(),
        created_at: now,
        expires_at: now + SESSION_TTL,
    };
    state
        .store
        .create_session(&auth::token_hash(&token), &session)
        .await?;
    state
        .store
        .append_audit(&AuditEntry {
            id: None,
            at: now,
            actor: Some(account.id),
            actor_email: Some(account.email.to_string()),
            action: "login".into(),
            target: None,
            detail: serde_json::json!({ "address": address }),
        })
        .await?;
    Ok((token, session, account))
}

async fn sign_out(state: &AppState, viewer: &Viewer) -> Result<(), store::StoreError> {
    if let Some(auth) = &viewer.0 {
        state.store.delete_session(&auth.token_hash).await?;
        state
            .store
            .append_audit(&AuditEntry {
                id: None,
                at: state.clock.now(),
                actor: Some(auth.account.id),
                actor_email: Some(auth.account.email.to_string()),
                action: "logout".into(),
                target: None,
                detail: serde_json::Value::Null,
            })
            .await?;
    }
    Ok(())
}

/// Only paths of this site: no open redirect.
fn local_path(v: &str) -> Option<String> {
    (v.starts_with('/') && !v.starts_with("//") && !v.contains('\\')).then(|| v.to_string())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    layout: Layout,
    account: Option<Account>,
    csrf: String,
    back: String,
    error: Option<String>,
}

fn login_response(
    state: &AppState,
    layout: &Layout,
    headers: &HeaderMap,
    back: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    // Before a session exists, the form's CSRF token is a double-submit cookie.
    let (csrf, set_cookie) = match (&viewer.0, cookie(headers, LOGIN_CSRF_COOKIE)) {
        (Some(a), _) => (a.csrf.clone(), None),
        (None, Some(c)) if c.len() >= 32 => (c.to_string(), None),
        (None, _) => {
            let t = auth::new_token();
            let secure = if state.secure_cookies { "; Secure" } else { "" };
            let c = format!("{LOGIN_CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict{secure}");
            (t, HeaderValue::from_str(&c).ok())
        }
    };
    let page = LoginPage {
        layout: layout.at("/connexion"),
        account: viewer.account().cloned(),
        csrf,
        back,
        error,
        lang: lang.clone(),
    };
    let mut response = (status, render(&page)?).into_response();
    if let Some(c) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn login_page(
    State(state): State<AppState>,
    layout: Layout,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let back = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "retour")
        .and_then(|(_, v)| local_path(&v))
        .unwrap_or_else(|| "/".into());
    login_response(&state, &layout, &headers, back, None, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    retour: String,
}

async fn login_form(
    State(state): State<AppState>,
    layout: Layout,
    headers: HeaderMap,
    connect: Peer,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = &layout.lang;
    let back = local_path(&form.retour).unwrap_or_else(|| "/".into());
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !same_secret(&form.csrf, expected) {
        return login_response(
            &state,
            &layout,
            &headers,
            back,
            Some(lang.t("error-csrf")),
            StatusCode::FORBIDDEN,
        );
    }
    let address = peer(&state, &headers, &connect);
    match sign_in(&state, &address, &form.email, &form.password).await {
        Ok((token, _, _)) => {
            let mut response = Redirect::to(&back).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&token, SESSION_TTL.num_seconds(), state.secure_cookies),
            );
            Ok(response)
        }
        Err(Refusal::BadCredentials) => login_response(
            &state,
            &layout,
            &headers,
            back,
            Some(lang.t("login-refused")),
            StatusCode::UNAUTHORIZED,
        ),
        Err(Refusal::TooMany) => login_response(
            &state,
            &layout,
            &headers,
            back,
            Some(lang.t("error-too-many-text")),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(Refusal::Internal(e)) => Err(PageError::internal(e)),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LogoutForm>,
) -> Result<Response, PageError> {
    if viewer.0.is_some() {
        viewer
            .for_form(&form.csrf)
            .map_err(|_| PageError::forbidden())?;
        sign_out(&state, &viewer).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie("", 0, state.secure_cookies),
    );
    Ok(response)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionBody {
    /// A bearer token: `Authorization: Bearer <token>`.
    pub token: String,
    /// For writes authenticated by the session cookie instead: send it as `X-CSRF-Token`.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub account: Account,
}

/// Signs in. Answers a bearer token and sets the browser session cookie.
#[utoipa::path(
    post, path = "/api/v1/session",
    request_body = Credentials,
    responses(
        (status = 200, body = SessionBody),
        (status = 401, body = crate::error::ErrorBody, description = "Unknown e-mail or wrong password (the same answer)"),
        (status = 413, body = crate::error::ErrorBody, description = "A body over 2 MiB"),
        (status = 429, body = crate::error::ErrorBody, description = "Too many failed logins"),
    )
)]
pub(crate) async fn api_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    connect: Peer,
    body: Result<Json<Credentials>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(c) = body?;
    let address = peer(&state, &headers, &connect);
    match sign_in(&state, &address, &c.email, &c.password).await {
        Ok((token, session, account)) => {
            let cookie = session_cookie(&token, SESSION_TTL.num_seconds(), state.secure_cookies);
            let body = SessionBody {
                token,
                csrf_token: session.csrf_token,
                expires_at: session.expires_at,
                account,
            };
            let mut response = Json(body).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(Refusal::BadCredentials) => Err(ApiError::Unauthorized(
            "unknown e-mail or wrong password".into(),
        )),
        Err(Refusal::TooMany) => Err(ApiError::TooManyRequests(format!(
            "too many failed logins: wait {} minutes",
            FAILURE_WINDOW.num_minutes()
        ))),
        Err(Refusal::Internal(e)) => Err(ApiError::internal(e)),
    }
}

/// Signs out: the session ends on every node.
#[utoipa::path(
    delete, path = "/api/v1/session",
    responses((status = 204), (status = 401, body = crate::error::ErrorBody))
)]
pub(crate) async fn api_logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    viewer.for_api_write(&headers)?;
    sign_out(&state, &viewer).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie("", 0, state.secure_cookies),
    );
    Ok(response)
}

/// The session API, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api_login, api_logout),
    components(schemas(Credentials, SessionBody))
)]
pub struct SessionDoc;

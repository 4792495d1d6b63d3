//! What every write shares, for the HTML forms and the JSON API alike: the [`WriteError`] a
//! command answers, the audit trail, and the fields of a posted form.

use domain::Account;
use store::{AuditEntry, StoreError};

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::page::PageError;
use crate::session::{FormRefusal, Viewer};

#[derive(Debug)]
pub enum WriteError {
    Forbidden,
    NotFound(String),
    Invalid { field: String, message: String },
    Conflict(String),
    Internal(String),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => WriteError::NotFound(m),
            StoreError::Conflict(m) => WriteError::Conflict(m),
            StoreError::Invalid(m) => WriteError::Invalid {
                field: String::new(),
                message: m,
            },
            other => WriteError::Internal(other.to_string()),
        }
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Forbidden => ApiError::forbidden(),
            WriteError::NotFound(m) => ApiError::NotFound(m),
            WriteError::Invalid { field, message } => ApiError::Invalid { field, message },
            WriteError::Conflict(m) => ApiError::Conflict(m),
            WriteError::Internal(m) => ApiError::Internal(m),
        }
    }
}

pub type Result<T> = std::result::Result<T, WriteError>;

pub fn invalid(field: &str, message: impl Into<String>) -> WriteError {
    WriteError::Invalid {
        field: field.to_string(),
        message: message.into(),
    }
}

/// A list typed as "D00, I07" or "295019 295020".
pub fn list(value: &str) -> Vec<String> {
    value
        .split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

pub async fn audit(
    state: &AppState,
    who: &Account,
    action: &str,
    target: String,
    detail: serde_json::Value,
) -> Result<()> {
    state
        .store
        .append_audit(&AuditEntry {
            id: None,
            at: state.clock.now(),
            actor: Some(who.id),
            actor_email: Some(who.email.to_string()),
            action: action.into(),
            target: Some(target),
            detail,
        })
        .await?;
    Ok(())
}

/// A refused write, as its page says it. A form that names the field in the reader's words
/// (the practice form) matches the error itself first.
impl From<WriteError> for PageError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Forbidden => PageError::forbidden(),
            WriteError::NotFound(_) => PageError::not_found(),
            WriteError::Invalid { field, message } if field.is_empty() => {
                PageError::invalid(message)
            }
            WriteError::Invalid { field, message } => {
                PageError::invalid(format!("{field}: {message}"))
            }
            WriteError::Conflict(m) => PageError::conflict(m),
            WriteError::Internal(m) => PageError::internal(m),
        }
    }
}

/// The signed-in account behind a posted form, once its CSRF token matches.
pub fn form_account<'a>(
    viewer: &'a Viewer,
    lang: &Lang,
    csrf: &str,
) -> std::result::Result<&'a Account, PageError> {
    viewer.for_form(csrf).map_err(|r| match r {
        FormRefusal::SignedOut => PageError::unauthorized(),
        FormRefusal::Csrf => PageError::invalid(lang.t("error-csrf")),
    })
}

/// A posted form's fields, in order (repeated names allowed).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn number(&self, lang: &Lang, name: &str) -> std::result::Result<Option<u32>, PageError> {
        match self.get(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                PageError::invalid(format!("{name}: `{v}` {}", lang.t("error-not-a-number")))
            }),
        }
    }
}

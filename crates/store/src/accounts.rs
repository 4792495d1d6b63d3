//! Accounts, server-side sessions, login throttling and the audit log.
//!
//! Sessions live in the database, not in a node's memory: a session opened through one node
//! is valid on every node that shares the database. The secret token a browser holds is never
//! stored, only its SHA-256 (`token_hash`), so a copy of the database opens no session.
//! Failed logins are counted in the database too, so that throttling holds across nodes.
//!
//! Hashing passwords and tokens is the `auth` crate's business; the store keeps strings.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use domain::{Account, AccountId, Email, Role};
use serde::Serialize;
use serde_json::Value;

use crate::steps::{AccountSteps, Backend, Steps};
use crate::{Result, StoreError};

/// How long failed logins are kept: longer than any throttling window, short enough that the
/// table stays small. [`AccountStore::prune_sessions`] drops older ones.
pub const LOGIN_FAILURE_RETENTION: TimeDelta = TimeDelta::days(1);

/// An account to create, with its password already hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub email: Email,
    pub role: Role,
    pub communes: Vec<String>,
    pub institutions: Vec<String>,
    pub platforms: Vec<String>,
    /// A PHC string (`$argon2id$…`).
    pub password_hash: String,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("email", &self.email)
            .field("role", &self.role)
            .field("communes", &self.communes)
            .field("institutions", &self.institutions)
            .field("platforms", &self.platforms)
            .finish_non_exhaustive()
    }
}

/// A login session as stored. Instants hold whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub account_id: i64,
    /// The anti-CSRF token of the session's forms (synchroniser token pattern).
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    /// The session is valid strictly before this instant.
    pub expires_at: DateTime<Utc>,
}

/// What an account may do, and where: [`AccountStore::set_account_role`]'s arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleBinding<'a> {
    pub role: Role,
    pub communes: &'a [String],
    pub institutions: &'a [String],
    pub platforms: &'a [String],
}

/// One line of the audit log: who did what to what, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Assigned by the store; `None` in an entry to append.
    pub id: Option<i64>,
    pub at: DateTime<Utc>,
    /// The account that acted; `None` for the command line (or an anonymous failed login).
    pub actor: Option<i64>,
    /// The actor's e-mail when it acted, kept as written even if the account changes later.
    pub actor_email: Option<String>,
    /// `login`, `login_failed`, `logout`, `publish`, `role_change`, `account_create`,
    /// `account_disable`, `account_enable`, `delete`, `erase_contact`, …
    pub action: String,
    /// What was acted on, e.g. `account:7` or `practice:12`.
    pub target: Option<String>,
    /// Anything else worth keeping, as a JSON object (`null` when nothing).
    pub detail: Value,
}

impl AuditEntry {
    /// An entry without actor, target or detail, to fill in.
    pub fn new(action: &str, at: DateTime<Utc>) -> Self {
        Self {
            id: None,
            at,
            actor: None,
            actor_email: None,
            action: action.to_string(),
            target: None,
            detail: Value::Null,
        }
    }
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account; returns its id. An e-mail that another account has already is
    /// refused with [`StoreError::Conflict`] naming it.
    async fn create_account(&self, new: &NewAccount, now: DateTime<Utc>) -> Result<i64>;
    /// Every account, by id.
    async fn accounts(&self) -> Result<Vec<Account>>;
    async fn account(&self, id: i64) -> Result<Option<Account>>;
    /// With its password hash, for login.
    async fn account_by_email(&self, email: &Email) -> Result<Option<(Account, String)>>;
    /// Disabling also deletes the account's sessions: it is logged out everywhere at once.
    /// An unknown id is [`StoreError::NotFound`].
    async fn set_account_disabled(&self, id: i64, disabled: bool, now: DateTime<Utc>)
    -> Result<()>;
    /// Sessions stay: each request reads the account again, so the new role holds at once.
    /// An unknown id is [`StoreError::NotFound`].
    async fn set_account_role(
        &self,
        id: i64,
        role: Role,
        communes: &[String],
        institutions: &[String],
        platforms: &[String],
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Also deletes the account's sessions (whoever knew the old password is logged out); the
    /// caller opens a new one for the user who changed it. An unknown id is
    /// [`StoreError::NotFound`].
    async fn set_password_hash(&self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<()>;

    /// `token_hash` is the SHA-256 (hex) of the secret token; the token itself is never stored.
    /// An unknown or disabled account is [`StoreError::NotFound`].
    async fn create_session(&self, token_hash: &str, session: &Session) -> Result<()>;
    /// None when unknown, expired at `now`, or the account is disabled.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, Account)>>;
    /// Deleting a session that does not exist is no error (a second logout).
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Deletes the sessions expired at `now`, and failed logins older than
    /// [`LOGIN_FAILURE_RETENTION`]; returns how many sessions went.
    async fn prune_sessions(&self, now: DateTime<Utc>) -> Result<u64>;

    /// Failed logins, shared by every node: keyed e.g. "ip:127.0.0.1" or "email:a@b.lu".
    async fn record_login_failure(&self, key: &str, now: DateTime<Utc>) -> Result<()>;
    /// How many failures of `key` happened at `since` or later.
    async fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<u64>;
    async fn clear_login_failures(&self, key: &str) -> Result<()>;

    /// Appends an entry (its `id` is ignored); returns the id it got.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<i64>;
    /// Newest first (by instant, then by id), at most `limit` entries.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>>;
}

/// The refusal of a second account with `email`: every backend says it alike.
pub fn email_taken(email: &Email) -> StoreError {
    StoreError::Conflict(format!(
        "an account with e-mail {email} exists already: expected a new e-mail address"
    ))
}

/// No account `id`: every backend says it alike.
pub fn no_account(id: AccountId) -> StoreError {
    StoreError::NotFound(format!("no account {id}: expected the id of an account"))
}

/// A session for account `id` that cannot be opened: every backend says it alike.
pub fn no_active_account(id: AccountId) -> StoreError {
    StoreError::NotFound(format!(
        "no active account {id}: expected the id of an account that is not disabled"
    ))
}

/// An account read back from a backend's columns, each checked: a stored value that does not
/// parse is [`StoreError::Corrupt`].
pub fn account_from_columns(
    id: i64,
    email: &str,
    role: &str,
    bindings: [Vec<String>; 3],
    disabled: bool,
    created_at: DateTime<Utc>,
) -> Result<Account> {
    let [communes, institutions, platforms] = bindings;
    Ok(Account {
        id,
        email: Email::parse(email)
            .map_err(|e| StoreError::Corrupt(format!("account {id}: {e}")))?,
        role: Role::parse(role).map_err(|e| StoreError::Corrupt(format!("account {id}: {e}")))?,
        communes,
        institutions,
        platforms,
        disabled,
        created_at,
    })
}

/// Accounts and sessions, once for every backend: each method one transaction on the
/// primary ([`Backend::begin_primary`]).
#[async_trait]
impl<B: Backend> AccountStore for B {
    async fn create_account(&self, new: &NewAccount, now: DateTime<Utc>) -> Result<i64> {
        let mut tx = self.begin_primary().await?;
        let id = tx.insert_account(new, now).await?;
        tx.commit().await?;
        id.ok_or_else(|| email_taken(&new.email))
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        self.begin_primary().await?.all_accounts().await
    }

    async fn account(&self, id: i64) -> Result<Option<Account>> {
        self.begin_primary().await?.account(id).await
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<(Account, String)>> {
        self.begin_primary().await?.account_by_email(email).await
    }

    async fn set_account_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_primary().await?;
        if !tx.set_disabled(id, disabled, now).await? {
            return Err(no_account(id.into()));
        }
        if disabled {
            tx.delete_sessions_of(id).await?;
        }
        tx.commit().await
    }

    async fn set_account_role(
        &self,
        id: i64,
        role: Role,
        communes: &[String],
        institutions: &[String],
        platforms: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let binding = RoleBinding {
            role,
            communes,
            institutions,
            platforms,
        };
        let mut tx = self.begin_primary().await?;
        if !tx.set_role(id, &binding, now).await? {
            return Err(no_account(id.into()));
        }
        tx.commit().await
    }

    async fn set_password_hash(&self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_primary().await?;
        if !tx.set_password(id, hash, now).await? {
            return Err(no_account(id.into()));
        }
        tx.delete_sessions_of(id).await?;
        tx.commit().await
    }

    async fn create_session(&self, token_hash: &str, session: &Session) -> Result<()> {
        let mut tx = self.begin_primary().await?;
        if !tx.insert_session(token_hash, session).await? {
            return Err(no_active_account(session.account_id.into()));
        }
        tx.commit().await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, Account)>> {
        self.begin_primary().await?.session(token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin_primary().await?;
        tx.delete_session(token_hash).await?;
        tx.commit().await
    }

    async fn prune_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_primary().await?;
        let sessions = tx.delete_expired_sessions(now).await?;
        tx.delete_login_failures_before(now - LOGIN_FAILURE_RETENTION)
            .await?;
        tx.commit().await?;
        Ok(sessions)
    }

    async fn record_login_failure(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_primary().await?;
        tx.insert_login_failure(key, now).await?;
        tx.commit().await
    }

    async fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_primary().await?;
        tx.count_login_failures(key, since).await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let mut tx = self.begin_primary().await?;
        tx.delete_login_failures(key).await?;
        tx.commit().await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<i64> {
        let mut tx = self.begin_primary().await?;
        let id = tx.insert_audit(entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        self.begin_primary().await?.audit_entries(limit).await
    }
}

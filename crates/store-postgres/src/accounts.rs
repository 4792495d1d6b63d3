//! The SQL of accounts, sessions, failed logins and the audit log ([`AccountSteps`]); what
//! is refused, and when sessions go, is `store::accounts`'s.
//!
//! Everything here runs in `begin_primary`'s transactions: it reads and writes the primary, never the replica: a session opened on one
//! node must be valid on the next request to any node, and a disabled account must be locked
//! out at once, which a lagging replica cannot promise. None of it touches practices, so none
//! of it takes the write lock.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::{Account, Email};
use serde_json::Value;
use store::accounts::{RoleBinding, account_from_columns};
use store::steps::AccountSteps;
use store::{AuditEntry, NewAccount, Result, Session};

use crate::{PgTx, db_while};

/// An account as read.
struct AccountRow {
    id: i64,
    email: String,
    role: String,
    communes: Vec<String>,
    institutions: Vec<String>,
    platforms: Vec<String>,
    disabled: bool,
    created_at: DateTime<Utc>,
}

impl AccountRow {
    fn account(self) -> Result<Account> {
        account_from_columns(
            self.id,
            &self.email,
            &self.role,
            [self.communes, self.institutions, self.platforms],
            self.disabled,
            self.created_at,
        )
    }
}

/// An audit entry as read.
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor: Option<i64>,
    actor_email: Option<String>,
    action: String,
    target: Option<String>,
    detail: Value,
}

#[async_trait]
impl AccountSteps for PgTx {
    async fn insert_account(
        &mut self,
        new: &NewAccount,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        sqlx::query_scalar!(
            "INSERT INTO accounts (email, role, communes, institutions, platforms,
                                   password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             ON CONFLICT (email) DO NOTHING
             RETURNING id",
            new.email.as_str(),
            new.role.as_str(),
            &new.communes,
            &new.institutions,
            &new.platforms,
            new.password_hash,
            now.trunc_subsecs(0)
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("creating account {}", new.email)))
    }

    async fn all_accounts(&mut self) -> Result<Vec<Account>> {
        let rows = sqlx::query_as!(
            AccountRow,
            "SELECT id, email, role, communes, institutions, platforms, disabled, created_at
               FROM accounts ORDER BY id"
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading accounts"))?;
        rows.into_iter().map(AccountRow::account).collect()
    }

    async fn account(&mut self, id: i64) -> Result<Option<Account>> {
        let row = sqlx::query_as!(
            AccountRow,
            "SELECT id, email, role, communes, institutions, platforms, disabled, created_at
               FROM accounts WHERE id = $1",
            id
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading account {id}")))?;
        row.map(AccountRow::account).transpose()
    }

    async fn account_by_email(&mut self, email: &Email) -> Result<Option<(Account, String)>> {
        let row = sqlx::query!(
            "SELECT id, email, role, communes, institutions, platforms, disabled, created_at,
                    password_hash
               FROM accounts WHERE email = $1",
            email.as_str()
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading account {email}")))?;
        row.map(|r| {
            let account = AccountRow {
                id: r.id,
                email: r.email,
                role: r.role,
                communes: r.communes,
                institutions: r.institutions,
                platforms: r.platforms,
                disabled: r.disabled,
                created_at: r.created_at,
            }
            .account()?;
            Ok((account, r.password_hash))
        })
        .transpose()
    }

    async fn set_disabled(&mut self, id: i64, disabled: bool, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query!(
            "UPDATE accounts SET disabled = $2, updated_at = $3 WHERE id = $1",
            id,
            disabled,
            now.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("disabling account {id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_role(&mut self, id: i64, b: &RoleBinding<'_>, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query!(
            "UPDATE accounts SET role = $2, communes = $3, institutions = $4, platforms = $5,
                    updated_at = $6
              WHERE id = $1",
            id,
            b.role.as_str(),
            b.communes,
            b.institutions,
            b.platforms,
            now.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("changing the role of account {id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_password(&mut self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query!(
            "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1",
            id,
            hash,
            now.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("changing the password of account {id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_sessions_of(&mut self, account_id: i64) -> Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE account_id = $1", account_id)
            .execute(&mut **self)
            .await
            .map_err(db_while(format!(
                "deleting the sessions of account {account_id}"
            )))?;
        Ok(())
    }

    async fn insert_session(&mut self, token_hash: &str, s: &Session) -> Result<bool> {
        let id = s.account_id;
        let done = sqlx::query!(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at)
             SELECT $1, id, $3, $4, $5 FROM accounts WHERE id = $2 AND NOT disabled",
            token_hash,
            id,
            s.csrf_token,
            s.created_at.trunc_subsecs(0),
            s.expires_at.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("opening a session for account {id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn session(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, Account)>> {
        let row = sqlx::query!(
            "SELECT s.csrf_token, s.created_at AS session_created_at, s.expires_at,
                    a.id, a.email, a.role, a.communes, a.institutions, a.platforms, a.disabled,
                    a.created_at
               FROM sessions s JOIN accounts a ON a.id = s.account_id
              WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT a.disabled",
            token_hash,
            now.trunc_subsecs(0)
        )
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while("reading a session"))?;
        row.map(|r| {
            let session = Session {
                account_id: r.id,
                csrf_token: r.csrf_token,
                created_at: r.session_created_at,
                expires_at: r.expires_at,
            };
            let account = AccountRow {
                id: r.id,
                email: r.email,
                role: r.role,
                communes: r.communes,
                institutions: r.institutions,
                platforms: r.platforms,
                disabled: r.disabled,
                created_at: r.created_at,
            }
            .account()?;
            Ok((session, account))
        })
        .transpose()
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE token_hash = $1", token_hash)
            .execute(&mut **self)
            .await
            .map_err(db_while("deleting a session"))?;
        Ok(())
    }

    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query!(
            "DELETE FROM sessions WHERE expires_at <= $1",
            now.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("deleting expired sessions"))?;
        Ok(done.rows_affected())
    }

    async fn delete_login_failures_before(&mut self, at: DateTime<Utc>) -> Result<()> {
        sqlx::query!(
            "DELETE FROM login_failures WHERE at < $1",
            at.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while("deleting old failed logins"))?;
        Ok(())
    }

    async fn insert_login_failure(&mut self, key: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query!(
            "INSERT INTO login_failures (key, at) VALUES ($1, $2)",
            key,
            at.trunc_subsecs(0)
        )
        .execute(&mut **self)
        .await
        .map_err(db_while(format!("recording a failed login of {key}")))?;
        Ok(())
    }

    async fn count_login_failures(&mut self, key: &str, since: DateTime<Utc>) -> Result<u64> {
        let n = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM login_failures WHERE key = $1 AND at >= $2"#,
            key,
            since.trunc_subsecs(0)
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!("counting the failed logins of {key}")))?;
        Ok(n as u64)
    }

    async fn delete_login_failures(&mut self, key: &str) -> Result<()> {
        sqlx::query!("DELETE FROM login_failures WHERE key = $1", key)
            .execute(&mut **self)
            .await
            .map_err(db_while(format!("clearing the failed logins of {key}")))?;
        Ok(())
    }

    async fn insert_audit(&mut self, entry: &AuditEntry) -> Result<i64> {
        sqlx::query_scalar!(
            "INSERT INTO audit_log (at, actor, actor_email, action, target, detail)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            entry.at.trunc_subsecs(0),
            entry.actor,
            entry.actor_email,
            entry.action,
            entry.target,
            entry.detail
        )
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "writing `{}` to the audit log",
            entry.action
        )))
    }

    async fn audit_entries(&mut self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query_as!(
            AuditRow,
            "SELECT id, at, actor, actor_email, action, target, detail FROM audit_log
              ORDER BY at DESC, id DESC LIMIT $1",
            i64::from(limit)
        )
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading the audit log"))?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: Some(r.id),
                at: r.at,
                actor: r.actor,
                actor_email: r.actor_email,
                action: r.action,
                target: r.target,
                detail: r.detail,
            })
            .collect())
    }
}

//! Accounts, sessions, failed logins and the audit log ([`store::AccountStore`]).
//!
//! Everything here reads and writes the primary, never the replica: a session opened on one
//! node must be valid on the next request to any node, and a disabled account must be locked
//! out at once, which a lagging replica cannot promise. None of it touches practices, so none
//! of it takes the write lock.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::{Account, Email, Role};
use serde_json::Value;
use sqlx::PgConnection;
use store::accounts::{
    LOGIN_FAILURE_RETENTION, account_from_columns, email_taken, no_account, no_active_account,
};
use store::{AccountStore, AuditEntry, NewAccount, Result, Session};

use crate::{PgStore, db, db_while};

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

/// Deletes every session of account `id`.
async fn delete_sessions_of(conn: &mut PgConnection, id: i64) -> Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE account_id = $1", id)
        .execute(&mut *conn)
        .await
        .map_err(db_while(format!("deleting the sessions of account {id}")))?;
    Ok(())
}

#[async_trait]
impl AccountStore for PgStore {
    async fn create_account(&self, new: &NewAccount, now: DateTime<Utc>) -> Result<i64> {
        let id = sqlx::query_scalar!(
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
        .fetch_optional(&self.primary)
        .await
        .map_err(db_while(format!("creating account {}", new.email)))?;
        id.ok_or_else(|| email_taken(&new.email))
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query_as!(
            AccountRow,
            "SELECT id, email, role, communes, institutions, platforms, disabled, created_at
               FROM accounts ORDER BY id"
        )
        .fetch_all(&self.primary)
        .await
        .map_err(db_while("reading accounts"))?;
        rows.into_iter().map(AccountRow::account).collect()
    }

    async fn account(&self, id: i64) -> Result<Option<Account>> {
        let row = sqlx::query_as!(
            AccountRow,
            "SELECT id, email, role, communes, institutions, platforms, disabled, created_at
               FROM accounts WHERE id = $1",
            id
        )
        .fetch_optional(&self.primary)
        .await
        .map_err(db_while(format!("reading account {id}")))?;
        row.map(AccountRow::account).transpose()
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<(Account, String)>> {
        let row = sqlx::query!(
            "SELECT id, email, role, communes, institutions, platforms, disabled, created_at,
                    password_hash
               FROM accounts WHERE email = $1",
            email.as_str()
        )
        .fetch_optional(&self.primary)
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

    async fn set_account_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.primary.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "UPDATE accounts SET disabled = $2, updated_at = $3 WHERE id = $1",
            id,
            disabled,
            now.trunc_subsecs(0)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("disabling account {id}")))?;
        if done.rows_affected() == 0 {
            return Err(no_account(id));
        }
        if disabled {
            delete_sessions_of(&mut tx, id).await?;
        }
        tx.commit().await.map_err(db)
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
        let done = sqlx::query!(
            "UPDATE accounts SET role = $2, communes = $3, institutions = $4, platforms = $5,
                    updated_at = $6
              WHERE id = $1",
            id,
            role.as_str(),
            communes,
            institutions,
            platforms,
            now.trunc_subsecs(0)
        )
        .execute(&self.primary)
        .await
        .map_err(db_while(format!("changing the role of account {id}")))?;
        if done.rows_affected() == 0 {
            return Err(no_account(id));
        }
        Ok(())
    }

    async fn set_password_hash(&self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.primary.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1",
            id,
            hash,
            now.trunc_subsecs(0)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while(format!("changing the password of account {id}")))?;
        if done.rows_affected() == 0 {
            return Err(no_account(id));
        }
        delete_sessions_of(&mut tx, id).await?;
        tx.commit().await.map_err(db)
    }

    async fn create_session(&self, token_hash: &str, session: &Session) -> Result<()> {
        let id = session.account_id;
        let done = sqlx::query!(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at)
             SELECT $1, id, $3, $4, $5 FROM accounts WHERE id = $2 AND NOT disabled",
            token_hash,
            id,
            session.csrf_token,
            session.created_at.trunc_subsecs(0),
            session.expires_at.trunc_subsecs(0)
        )
        .execute(&self.primary)
        .await
        .map_err(db_while(format!("opening a session for account {id}")))?;
        if done.rows_affected() == 0 {
            return Err(no_active_account(id));
        }
        Ok(())
    }

    async fn session(
        &self,
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
        .fetch_optional(&self.primary)
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

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE token_hash = $1", token_hash)
            .execute(&self.primary)
            .await
            .map_err(db_while("deleting a session"))?;
        Ok(())
    }

    async fn prune_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.primary.begin().await.map_err(db)?;
        let sessions = sqlx::query!(
            "DELETE FROM sessions WHERE expires_at <= $1",
            now.trunc_subsecs(0)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while("deleting expired sessions"))?;
        sqlx::query!(
            "DELETE FROM login_failures WHERE at < $1",
            (now - LOGIN_FAILURE_RETENTION).trunc_subsecs(0)
        )
        .execute(&mut *tx)
        .await
        .map_err(db_while("deleting old failed logins"))?;
        tx.commit().await.map_err(db)?;
        Ok(sessions.rows_affected())
    }

    async fn record_login_failure(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query!(
            "INSERT INTO login_failures (key, at) VALUES ($1, $2)",
            key,
            now.trunc_subsecs(0)
        )
        .execute(&self.primary)
        .await
        .map_err(db_while(format!("recording a failed login of {key}")))?;
        Ok(())
    }

    async fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<u64> {
        let n = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM login_failures WHERE key = $1 AND at >= $2"#,
            key,
            since.trunc_subsecs(0)
        )
        .fetch_one(&self.primary)
        .await
        .map_err(db_while(format!("counting the failed logins of {key}")))?;
        Ok(n as u64)
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query!("DELETE FROM login_failures WHERE key = $1", key)
            .execute(&self.primary)
            .await
            .map_err(db_while(format!("clearing the failed logins of {key}")))?;
        Ok(())
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<i64> {
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
        .fetch_one(&self.primary)
        .await
        .map_err(db_while(format!(
            "writing `{}` to the audit log",
            entry.action
        )))
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query_as!(
            AuditRow,
            "SELECT id, at, actor, actor_email, action, target, detail FROM audit_log
              ORDER BY at DESC, id DESC LIMIT $1",
            i64::from(limit)
        )
        .fetch_all(&self.primary)
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

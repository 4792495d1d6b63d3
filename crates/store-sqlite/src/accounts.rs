//! Accounts, sessions, failed logins and the audit log ([`store::AccountStore`]).
//!
//! Each write is one statement, or one immediate transaction where it is two (disabling an
//! account and deleting its sessions).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{Account, Email, Role};
use sqlx::sqlite::SqliteRow;
use store::accounts::{
    LOGIN_FAILURE_RETENTION, account_from_columns, email_taken, no_account, no_active_account,
};
use store::{AccountStore, AuditEntry, NewAccount, Result, Session, StoreError};

use crate::{SqliteStore, db, db_while, get, json_text, time};

/// The columns [`account`] reads, from `accounts` as `a`.
macro_rules! account_columns {
    () => {
        "a.id, a.email, a.role, a.communes, a.institutions, a.platforms, a.disabled, \
         a.created_at"
    };
}

/// An account from [`account_columns!`] at `first` and on.
fn account(row: &SqliteRow, first: usize) -> Result<Account> {
    let id: i64 = get(row, first)?;
    let names = |i: usize| -> Result<Vec<String>> {
        let text: String = get(row, first + i)?;
        serde_json::from_str(&text).map_err(|e| {
            StoreError::Corrupt(format!(
                "account {id}: bindings `{text}` ({e}): expected a JSON array of names"
            ))
        })
    };
    account_from_columns(
        id,
        &get::<String>(row, first + 1)?,
        &get::<String>(row, first + 2)?,
        [names(3)?, names(4)?, names(5)?],
        get(row, first + 6)?,
        time::parse_utc(&get::<String>(row, first + 7)?)?,
    )
}

fn audit_entry(row: &SqliteRow) -> Result<AuditEntry> {
    let id: i64 = get(row, 0)?;
    let detail: String = get(row, 6)?;
    Ok(AuditEntry {
        id: Some(id),
        at: time::parse_utc(&get::<String>(row, 1)?)?,
        actor: get(row, 2)?,
        actor_email: get(row, 3)?,
        action: get(row, 4)?,
        target: get(row, 5)?,
        detail: serde_json::from_str(&detail).map_err(|e| {
            StoreError::Corrupt(format!(
                "audit entry {id}: detail `{detail}` ({e}): expected JSON"
            ))
        })?,
    })
}

/// Deletes every session of account `id`.
async fn delete_sessions_of(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = ?1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_while(format!("deleting the sessions of account {id}")))?;
    Ok(())
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, new: &NewAccount, now: DateTime<Utc>) -> Result<i64> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO accounts (email, role, communes, institutions, platforms,
                                   password_hash, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             ON CONFLICT (email) DO NOTHING
             RETURNING id",
        )
        .bind(new.email.as_str())
        .bind(new.role.as_str())
        .bind(json_text(&new.communes))
        .bind(json_text(&new.institutions))
        .bind(json_text(&new.platforms))
        .bind(&new.password_hash)
        .bind(time::utc(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_while(format!("creating account {}", new.email)))?;
        id.ok_or_else(|| email_taken(&new.email))
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts a ORDER BY a.id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_while("reading accounts"))?;
        rows.iter().map(|r| account(r, 0)).collect()
    }

    async fn account(&self, id: i64) -> Result<Option<Account>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts a WHERE a.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_while(format!("reading account {id}")))?;
        row.map(|r| account(&r, 0)).transpose()
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<(Account, String)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            ", a.password_hash FROM accounts a WHERE a.email = ?1"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_while(format!("reading account {email}")))?;
        row.map(|r| Ok((account(&r, 0)?, get(&r, 8)?))).transpose()
    }

    async fn set_account_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE accounts SET disabled = ?2, updated_at = ?3 WHERE id = ?1")
            .bind(id)
            .bind(disabled)
            .bind(time::utc(now))
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
        let done = sqlx::query(
            "UPDATE accounts SET role = ?2, communes = ?3, institutions = ?4, platforms = ?5,
                    updated_at = ?6
              WHERE id = ?1",
        )
        .bind(id)
        .bind(role.as_str())
        .bind(json_text(communes))
        .bind(json_text(institutions))
        .bind(json_text(platforms))
        .bind(time::utc(now))
        .execute(&self.pool)
        .await
        .map_err(db_while(format!("changing the role of account {id}")))?;
        if done.rows_affected() == 0 {
            return Err(no_account(id));
        }
        Ok(())
    }

    async fn set_password_hash(&self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE accounts SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(id)
                .bind(hash)
                .bind(time::utc(now))
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
        let done = sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at)
             SELECT ?1, id, ?3, ?4, ?5 FROM accounts WHERE id = ?2 AND disabled = 0",
        )
        .bind(token_hash)
        .bind(id)
        .bind(&session.csrf_token)
        .bind(time::utc(session.created_at))
        .bind(time::utc(session.expires_at))
        .execute(&self.pool)
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
        let row = sqlx::query(concat!(
            "SELECT s.csrf_token, s.created_at, s.expires_at, ",
            account_columns!(),
            " FROM sessions s JOIN accounts a ON a.id = s.account_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND a.disabled = 0"
        ))
        .bind(token_hash)
        .bind(time::utc(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_while("reading a session"))?;
        row.map(|r| {
            let account = account(&r, 3)?;
            let session = Session {
                account_id: account.id,
                csrf_token: get(&r, 0)?,
                created_at: time::parse_utc(&get::<String>(&r, 1)?)?,
                expires_at: time::parse_utc(&get::<String>(&r, 2)?)?,
            };
            Ok((session, account))
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db_while("deleting a session"))?;
        Ok(())
    }

    async fn prune_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?1")
            .bind(time::utc(now))
            .execute(&mut *tx)
            .await
            .map_err(db_while("deleting expired sessions"))?;
        sqlx::query("DELETE FROM login_failures WHERE at < ?1")
            .bind(time::utc(now - LOGIN_FAILURE_RETENTION))
            .execute(&mut *tx)
            .await
            .map_err(db_while("deleting old failed logins"))?;
        tx.commit().await.map_err(db)?;
        Ok(sessions.rows_affected())
    }

    async fn record_login_failure(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES (?1, ?2)")
            .bind(key)
            .bind(time::utc(now))
            .execute(&self.pool)
            .await
            .map_err(db_while(format!("recording a failed login of {key}")))?;
        Ok(())
    }

    async fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE key = ?1 AND at >= ?2")
                .bind(key)
                .bind(time::utc(since))
                .fetch_one(&self.pool)
                .await
                .map_err(db_while(format!("counting the failed logins of {key}")))?;
        Ok(n as u64)
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = ?1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db_while(format!("clearing the failed logins of {key}")))?;
        Ok(())
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, actor_email, action, target, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        )
        .bind(time::utc(entry.at))
        .bind(entry.actor)
        .bind(&entry.actor_email)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(json_text(&entry.detail))
        .fetch_one(&self.pool)
        .await
        .map_err(db_while(format!(
            "writing `{}` to the audit log",
            entry.action
        )))
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_email, action, target, detail FROM audit_log
              ORDER BY at DESC, id DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_while("reading the audit log"))?;
        rows.iter().map(audit_entry).collect()
    }
}

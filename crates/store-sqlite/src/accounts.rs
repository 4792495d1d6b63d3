//! The SQL of accounts, sessions, failed logins and the audit log ([`AccountSteps`]); what
//! is refused, and when sessions go, is `store::accounts`'s.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{Account, Email};
use sqlx::sqlite::SqliteRow;
use store::accounts::{RoleBinding, account_from_columns};
use store::steps::AccountSteps;
use store::{AuditEntry, NewAccount, Result, Session, StoreError};

use crate::{Run, SqliteTx, db_while, get, json_text, time};

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

#[async_trait]
impl AccountSteps for SqliteTx {
    async fn insert_account(
        &mut self,
        new: &NewAccount,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        sqlx::query_scalar(
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
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("creating account {}", new.email)))
    }

    async fn all_accounts(&mut self) -> Result<Vec<Account>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts a ORDER BY a.id"
        ))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading accounts"))?;
        rows.iter().map(|r| account(r, 0)).collect()
    }

    async fn account(&mut self, id: i64) -> Result<Option<Account>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts a WHERE a.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading account {id}")))?;
        row.map(|r| account(&r, 0)).transpose()
    }

    async fn account_by_email(&mut self, email: &Email) -> Result<Option<(Account, String)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            ", a.password_hash FROM accounts a WHERE a.email = ?1"
        ))
        .bind(email.as_str())
        .fetch_optional(&mut **self)
        .await
        .map_err(db_while(format!("reading account {email}")))?;
        row.map(|r| Ok((account(&r, 0)?, get(&r, 8)?))).transpose()
    }

    async fn set_disabled(&mut self, id: i64, disabled: bool, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query("UPDATE accounts SET disabled = ?2, updated_at = ?3 WHERE id = ?1")
            .bind(id)
            .bind(disabled)
            .bind(time::utc(now))
            .run(self, format!("disabling account {id}"))
            .await?;
        Ok(done > 0)
    }

    async fn set_role(&mut self, id: i64, b: &RoleBinding<'_>, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE accounts SET role = ?2, communes = ?3, institutions = ?4, platforms = ?5,
                    updated_at = ?6
              WHERE id = ?1",
        )
        .bind(id)
        .bind(b.role.as_str())
        .bind(json_text(b.communes))
        .bind(json_text(b.institutions))
        .bind(json_text(b.platforms))
        .bind(time::utc(now))
        .run(self, format!("changing the role of account {id}"))
        .await?;
        Ok(done > 0)
    }

    async fn set_password(&mut self, id: i64, hash: &str, now: DateTime<Utc>) -> Result<bool> {
        let done =
            sqlx::query("UPDATE accounts SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(id)
                .bind(hash)
                .bind(time::utc(now))
                .run(self, format!("changing the password of account {id}"))
                .await?;
        Ok(done > 0)
    }

    async fn delete_sessions_of(&mut self, account_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE account_id = ?1")
            .bind(account_id)
            .run(
                self,
                format!("deleting the sessions of account {account_id}"),
            )
            .await?;
        Ok(())
    }

    async fn insert_session(&mut self, token_hash: &str, s: &Session) -> Result<bool> {
        let id = s.account_id;
        let done = sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at)
             SELECT ?1, id, ?3, ?4, ?5 FROM accounts WHERE id = ?2 AND disabled = 0",
        )
        .bind(token_hash)
        .bind(id)
        .bind(&s.csrf_token)
        .bind(time::utc(s.created_at))
        .bind(time::utc(s.expires_at))
        .run(self, format!("opening a session for account {id}"))
        .await?;
        Ok(done > 0)
    }

    async fn session(
        &mut self,
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
        .fetch_optional(&mut **self)
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

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?1")
            .bind(token_hash)
            .run(self, "deleting a session")
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?1")
            .bind(time::utc(now))
            .run(self, "deleting expired sessions")
            .await?;
        Ok(done)
    }

    async fn delete_login_failures_before(&mut self, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE at < ?1")
            .bind(time::utc(at))
            .run(self, "deleting old failed logins")
            .await?;
        Ok(())
    }

    async fn insert_login_failure(&mut self, key: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES (?1, ?2)")
            .bind(key)
            .bind(time::utc(at))
            .run(self, format!("recording a failed login of {key}"))
            .await?;
        Ok(())
    }

    async fn count_login_failures(&mut self, key: &str, since: DateTime<Utc>) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE key = ?1 AND at >= ?2")
                .bind(key)
                .bind(time::utc(since))
                .fetch_one(&mut **self)
                .await
                .map_err(db_while(format!("counting the failed logins of {key}")))?;
        Ok(n as u64)
    }

    async fn delete_login_failures(&mut self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = ?1")
            .bind(key)
            .run(self, format!("clearing the failed logins of {key}"))
            .await?;
        Ok(())
    }

    async fn insert_audit(&mut self, entry: &AuditEntry) -> Result<i64> {
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
        .fetch_one(&mut **self)
        .await
        .map_err(db_while(format!(
            "writing `{}` to the audit log",
            entry.action
        )))
    }

    async fn audit_entries(&mut self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_email, action, target, detail FROM audit_log
              ORDER BY at DESC, id DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut **self)
        .await
        .map_err(db_while("reading the audit log"))?;
        rows.iter().map(audit_entry).collect()
    }
}

//! `zesummen backup --out FILE`: a consistent copy of the store while it keeps running.
//!
//! SQLite: `VACUUM INTO` (one read transaction; writers go on). PostgreSQL: `pg_dump` in its
//! custom format, restored with `pg_restore`. Either way the copy is written beside `FILE`
//! first and linked into place only when complete, and an existing `FILE` is never touched.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use store_postgres::redact;
use store_sqlite::SqliteStore;

use crate::failure::Failure;
use crate::storage::is_postgres;

pub async fn run(data_dir: &Path, database: Option<&str>, out: &Path) -> Result<(), Failure> {
    refuse_existing(out)?;
    let staging = tempfile::Builder::new()
        .prefix(".zesummen-backup-")
        .tempdir_in(parent(out))
        .with_context(|| format!("cannot write beside {}", out.display()))?;
    let partial = staging.path().join("backup");
    let restore = match database {
        Some(url) if is_postgres(url) => {
            pg_dump(url, &partial, out)?;
            format!(
                "restore: createdb NEW && pg_restore --no-owner --dbname=postgres://…/NEW {}",
                out.display()
            )
        }
        Some(url) if url.starts_with("sqlite:") => {
            let store = SqliteStore::open_url(url)
                .await
                .with_context(|| format!("cannot open {url}"))?;
            store.backup(&partial).await?;
            format!(
                "restore: stop zesummen, then use --database sqlite://{} (or copy it over the \
                 database file, without its -wal and -shm files)",
                out.display()
            )
        }
        Some(url) => {
            return Err(Failure::Input(format!(
                "--database {}: expected a sqlite:// or postgres:// URL",
                redact(url)
            )));
        }
        None => {
            let path = data_dir.join("zesummen.sqlite");
            if !path.is_file() {
                return Err(Failure::Input(format!(
                    "{}: no store there to back up: expected the --data-dir of an existing store",
                    path.display()
                )));
            }
            let store = SqliteStore::open(&path)
                .await
                .with_context(|| format!("cannot open {}", path.display()))?;
            store.backup(&partial).await?;
            format!(
                "restore: stop zesummen, remove {0}-wal and {0}-shm if present, and copy {1} to {0}",
                path.display(),
                out.display()
            )
        }
    };
    put_in_place(&partial, out)?;
    let size = std::fs::metadata(out).map_or(0, |m| m.len());
    println!("backup written to {} ({size} bytes)", out.display());
    println!("{restore}");
    Ok(())
}

fn refuse_existing(out: &Path) -> Result<(), Failure> {
    if out.exists() {
        return Err(Failure::Input(format!(
            "{} exists already: a backup never overwrites; expected the path of a new file",
            out.display()
        )));
    }
    Ok(())
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Moves the finished copy to `out`, unless `out` appeared meanwhile: a hard link fails
/// rather than replace a file.
fn put_in_place(partial: &Path, out: &Path) -> Result<(), Failure> {
    match std::fs::hard_link(partial, out) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => refuse_existing(out),
        // A file system without hard links: check, then rename.
        Err(_) => {
            refuse_existing(out)?;
            std::fs::rename(partial, out)
                .with_context(|| format!("writing {}", out.display()))
                .map_err(Failure::from)
        }
    }
}

/// Runs pg_dump into `partial`. The password travels in `PGPASSWORD`, not on the command line
/// where other users of the machine could read it.
fn pg_dump(url: &str, partial: &Path, out: &Path) -> Result<(), Failure> {
    let (without_password, password) = split_password(url);
    let shown = format!(
        "{}pg_dump --format=custom --file '{}' --dbname '{without_password}'",
        if password.is_some() {
            "PGPASSWORD=… "
        } else {
            ""
        },
        out.display()
    );
    let mut command = Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(partial)
        .arg("--dbname")
        .arg(&without_password);
    if let Some(p) = &password {
        command.env("PGPASSWORD", p);
    }
    match command.status() {
        Err(e) if e.kind() == ErrorKind::NotFound => Err(Failure::Other(anyhow::anyhow!(
            "pg_dump is not on PATH (Debian: apt-get install postgresql-client), so no backup \
             was written; run it where it is installed:\n  {shown}"
        ))),
        Err(e) => Err(Failure::Other(anyhow::anyhow!(
            "cannot run pg_dump ({e}); no backup was written; the command is:\n  {shown}"
        ))),
        Ok(status) if !status.success() => Err(Failure::Other(anyhow::anyhow!(
            "pg_dump failed ({status}; its message is above); no backup was written"
        ))),
        Ok(_) => Ok(()),
    }
}

/// `url` without its password, and the password (percent-decoded), if any.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_string(), None);
    };
    (
        format!("{scheme}://{user}@{host}{tail}"),
        Some(percent_decode(password)),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://app:p%40ss%3Aw@db:5432/zesummen?sslmode=require"),
            (
                "postgres://app@db:5432/zesummen?sslmode=require".to_string(),
                Some("p@ss:w".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1/postgres"),
            ("postgres://postgres@127.0.0.1/postgres".to_string(), None)
        );
        assert_eq!(percent_decode("100%"), "100%");
    }
}

//! `zesummen user`: accounts from the command line, where the first admin comes from.
//!
//! Everything the user typed is checked before the store is opened (e-mail, role, password,
//! communes, and which bindings fit the role); only the platforms need the store. A refused
//! command writes nothing. Every change is written to the audit log with no actor: the command
//! line acts as whoever may run it on the server.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};

use anyhow::Context;
use clap::Subcommand;
use domain::text::fold;
use domain::{Account, Clock, Email, Password, Role};
use serde::Serialize;
use serde_json::json;
use store::{AuditEntry, NewAccount, Store, StoreError};

use crate::failure::Failure;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (one line).
    Add {
        /// The login, e.g. ana@commune.lu (compared case-blind).
        #[arg(long)]
        email: String,
        /// admin, editor, contributor or facilitator.
        #[arg(long)]
        role: String,
        /// A commune a contributor writes for (repeatable), as the communes registry names it.
        #[arg(long = "commune", value_name = "COMMUNE")]
        communes: Vec<String>,
        /// An institution a contributor writes for (repeatable).
        #[arg(long = "institution", value_name = "INSTITUTION")]
        institutions: Vec<String>,
        /// A platform a facilitator manages (repeatable); it must be in the store.
        #[arg(long = "platform", value_name = "PLATFORM")]
        platforms: Vec<String>,
        /// Read the password from standard input (the only way: it never shows in `ps`).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts (never their password hashes).
    List {
        /// Print `{"accounts": [...]}` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer log in, and its sessions end at once.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Change an account's role and bindings; they replace the old ones, and hold at once,
    /// in the account's open sessions too.
    Role {
        #[arg(long)]
        email: String,
        /// admin, editor, contributor or facilitator.
        #[arg(long)]
        role: String,
        /// A commune a contributor writes for (repeatable).
        #[arg(long = "commune", value_name = "COMMUNE")]
        communes: Vec<String>,
        /// An institution a contributor writes for (repeatable).
        #[arg(long = "institution", value_name = "INSTITUTION")]
        institutions: Vec<String>,
        /// A platform a facilitator manages (repeatable); it must be in the store.
        #[arg(long = "platform", value_name = "PLATFORM")]
        platforms: Vec<String>,
    },
    /// Set a new password, read from standard input (one line); the account's sessions end.
    Password {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (the only way: it never shows in `ps`).
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A command whose input has been checked, ready to run against the store.
pub enum Checked {
    Add {
        /// Platforms still to be found in the store.
        platforms: Vec<String>,
        account: NewAccount,
    },
    List {
        json: bool,
    },
    SetDisabled {
        email: Email,
        disabled: bool,
    },
    SetRole {
        email: Email,
        role: Role,
        communes: Vec<String>,
        institutions: Vec<String>,
        /// Platforms still to be found in the store.
        platforms: Vec<String>,
    },
    SetPassword {
        email: Email,
        password_hash: String,
    },
}

/// The role and its bindings as typed, checked: communes under the registry's names.
fn role_and_bindings(
    role: &str,
    communes: &[String],
    institutions: &[String],
    platforms: &[String],
) -> Result<(Role, Vec<String>, Vec<String>), Failure> {
    let role = Role::parse(role).map_err(|e| Failure::Input(format!("--role: {e}")))?;
    bindings_fit(role, communes, institutions, platforms)?;
    let communes = communes
        .iter()
        .map(|c| commune(c))
        .collect::<Result<Vec<_>, _>>()?;
    let institutions = institutions
        .iter()
        .map(|i| {
            let i = i.split_whitespace().collect::<Vec<_>>().join(" ");
            if i.is_empty() {
                Err(Failure::Input(
                    "--institution: an empty name: expected the institution's name".into(),
                ))
            } else {
                Ok(i)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((role, distinct(communes), distinct(institutions)))
}

/// The password on standard input, hashed; `command` names what needs it.
fn password_hash(
    command: &str,
    password_stdin: bool,
    stdin: &mut dyn BufRead,
) -> Result<String, Failure> {
    if !password_stdin {
        return Err(Failure::Input(format!(
            "user {command} needs a password: pass --password-stdin and write it, one line, on \
             standard input"
        )));
    }
    let password = read_password(stdin)?;
    Ok(auth::hash_password(&password).map_err(anyhow::Error::from)?)
}

/// Checks what can be checked without the store; reads the password from `stdin` for `add`.
pub fn check(command: UserCommand, stdin: &mut dyn BufRead) -> Result<Checked, Failure> {
    match command {
        UserCommand::Add {
            email,
            role,
            communes,
            institutions,
            platforms,
            password_stdin,
        } => {
            let email = parse_email(&email)?;
            let (role, communes, institutions) =
                role_and_bindings(&role, &communes, &institutions, &platforms)?;
            let password_hash = password_hash("add", password_stdin, stdin)?;
            Ok(Checked::Add {
                platforms,
                account: NewAccount {
                    email,
                    role,
                    communes,
                    institutions,
                    platforms: Vec::new(),
                    password_hash,
                },
            })
        }
        UserCommand::List { json } => Ok(Checked::List { json }),
        UserCommand::Disable { email } => Ok(Checked::SetDisabled {
            email: parse_email(&email)?,
            disabled: true,
        }),
        UserCommand::Enable { email } => Ok(Checked::SetDisabled {
            email: parse_email(&email)?,
            disabled: false,
        }),
        UserCommand::Role {
            email,
            role,
            communes,
            institutions,
            platforms,
        } => {
            let email = parse_email(&email)?;
            let (role, communes, institutions) =
                role_and_bindings(&role, &communes, &institutions, &platforms)?;
            Ok(Checked::SetRole {
                email,
                role,
                communes,
                institutions,
                platforms,
            })
        }
        UserCommand::Password {
            email,
            password_stdin,
        } => {
            let email = parse_email(&email)?;
            Ok(Checked::SetPassword {
                email,
                password_hash: password_hash("password", password_stdin, stdin)?,
            })
        }
    }
}

pub async fn run(store: &dyn Store, checked: Checked, clock: &dyn Clock) -> Result<(), Failure> {
    match checked {
        Checked::Add {
            platforms,
            mut account,
        } => {
            account.platforms = distinct(known_platforms(store, &platforms).await?);
            add(store, &account, clock).await
        }
        Checked::List { json } => list(store, json).await,
        Checked::SetDisabled { email, disabled } => {
            set_disabled(store, &email, disabled, clock).await
        }
        Checked::SetRole {
            email,
            role,
            communes,
            institutions,
            platforms,
        } => {
            let account = existing(store, &email).await?;
            let platforms = distinct(known_platforms(store, &platforms).await?);
            set_role(
                store,
                &account,
                (role, &communes, &institutions, &platforms),
                clock,
            )
            .await
        }
        Checked::SetPassword {
            email,
            password_hash,
        } => {
            let account = existing(store, &email).await?;
            set_password(store, &account, &password_hash, clock).await
        }
    }
}

fn parse_email(s: &str) -> Result<Email, Failure> {
    Email::parse(s).map_err(|e| Failure::Input(format!("--email: {e}")))
}

/// Bindings only mean something for one role each: refuse the others rather than keep them
/// unused.
fn bindings_fit(
    role: Role,
    communes: &[String],
    institutions: &[String],
    platforms: &[String],
) -> Result<(), Failure> {
    let refuse = |option: &str, binds: &str, wanted: Role| {
        Failure::Input(format!(
            "--{option} binds a {wanted} to the {binds} it works for; the role {role} has \
             none: expected --role {wanted}, or no --{option}"
        ))
    };
    if role != Role::Contributor {
        if !communes.is_empty() {
            return Err(refuse("commune", "communes", Role::Contributor));
        }
        if !institutions.is_empty() {
            return Err(refuse("institution", "institutions", Role::Contributor));
        }
    }
    if role != Role::Facilitator && !platforms.is_empty() {
        return Err(refuse("platform", "platforms", Role::Facilitator));
    }
    Ok(())
}

/// The registry's name for a commune typed in any case, with or without accents or an alias.
fn commune(name: &str) -> Result<String, Failure> {
    ingest::communes::registry()
        .canonical(name)
        .map(str::to_string)
        .ok_or_else(|| {
            Failure::Input(format!(
                "--commune `{name}` is not a commune of Luxembourg: expected a name from the \
                 communes registry (data/reference/communes-lu.tsv), e.g. Differdange"
            ))
        })
}

/// The store's names of `wanted` platforms, matched case- and accent-blind.
async fn known_platforms(store: &dyn Store, wanted: &[String]) -> Result<Vec<String>, Failure> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let stored = store.platforms().await?;
    wanted
        .iter()
        .map(|w| {
            stored
                .iter()
                .find(|p| fold(&p.name) == fold(w))
                .map(|p| p.name.clone())
                .ok_or_else(|| {
                    let names: Vec<&str> = stored.iter().map(|p| p.name.as_str()).collect();
                    Failure::Input(if names.is_empty() {
                        format!(
                            "--platform `{w}`: the store has no platform yet: import the \
                             platform's criteria first"
                        )
                    } else {
                        format!(
                            "--platform `{w}` is not in the store: expected one of {}",
                            names.join(", ")
                        )
                    })
                })
        })
        .collect()
}

/// One line of standard input, as a password.
fn read_password(stdin: &mut dyn BufRead) -> Result<Password, Failure> {
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Password::parse(&line)
        .map_err(|e| Failure::Input(format!("the password on standard input: {e}")))
}

/// Without repeats, in the order first given.
fn distinct(names: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names.into_iter().filter(|n| seen.insert(fold(n))).collect()
}

fn store_refusal(e: StoreError) -> Failure {
    match e {
        StoreError::Conflict(m) | StoreError::NotFound(m) | StoreError::Invalid(m) => {
            Failure::Input(m)
        }
        other => other.into(),
    }
}

fn cli_entry(action: &str, account: &Account, now: chrono::DateTime<chrono::Utc>) -> AuditEntry {
    let mut entry = AuditEntry::new(action, now);
    entry.target = Some(format!("account:{}", account.id));
    entry
}

async fn add(store: &dyn Store, new: &NewAccount, clock: &dyn Clock) -> Result<(), Failure> {
    let now = clock.now();
    let id = store
        .create_account(new, now)
        .await
        .map_err(store_refusal)?;
    let account = store
        .account(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("account {id} vanished right after it was created"))?;
    let mut entry = cli_entry("account_create", &account, now);
    entry.detail = json!({
        "email": account.email,
        "role": account.role,
        "communes": account.communes,
        "institutions": account.institutions,
        "platforms": account.platforms,
        "via": "cli",
    });
    store.append_audit(&entry).await?;
    println!(
        "account {id} created: {} ({})",
        account.email,
        describe(&account)
    );
    if account.role == Role::Contributor
        && account.communes.is_empty()
        && account.institutions.is_empty()
    {
        eprintln!(
            "note: a contributor bound to no commune and no institution can write drafts but \
             edit no practice; add --commune or --institution"
        );
    }
    Ok(())
}

async fn set_disabled(
    store: &dyn Store,
    email: &Email,
    disabled: bool,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    let account = existing(store, email).await?;
    let state = if disabled { "disabled" } else { "enabled" };
    if account.disabled == disabled {
        println!("account {} ({email}) is {state} already", account.id);
        return Ok(());
    }
    let now = clock.now();
    store
        .set_account_disabled(account.id, disabled, now)
        .await
        .map_err(store_refusal)?;
    let action = if disabled {
        "account_disable"
    } else {
        "account_enable"
    };
    let mut entry = cli_entry(action, &account, now);
    entry.detail = json!({"email": email, "via": "cli"});
    store.append_audit(&entry).await?;
    println!("account {} ({email}) {state}", account.id);
    Ok(())
}

/// The account with this e-mail, or a refusal naming it.
async fn existing(store: &dyn Store, email: &Email) -> Result<Account, Failure> {
    let (account, _) = store.account_by_email(email).await?.ok_or_else(|| {
        Failure::Input(format!(
            "--email {email}: no account has this e-mail: expected one that `zesummen user list` \
             shows"
        ))
    })?;
    Ok(account)
}

fn bindings_json(account: &Account) -> serde_json::Value {
    json!({
        "role": account.role,
        "communes": account.communes,
        "institutions": account.institutions,
        "platforms": account.platforms,
    })
}

async fn set_role(
    store: &dyn Store,
    account: &Account,
    (role, communes, institutions, platforms): (Role, &[String], &[String], &[String]),
    clock: &dyn Clock,
) -> Result<(), Failure> {
    let now = clock.now();
    store
        .set_account_role(account.id, role, communes, institutions, platforms, now)
        .await
        .map_err(store_refusal)?;
    let changed = store
        .account(account.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("account {} vanished while its role changed", account.id))?;
    let mut entry = cli_entry("role_change", account, now);
    entry.detail = json!({
        "email": account.email,
        "before": bindings_json(account),
        "after": bindings_json(&changed),
        "via": "cli",
    });
    store.append_audit(&entry).await?;
    println!(
        "account {} ({}) is now {}",
        changed.id,
        changed.email,
        describe(&changed)
    );
    Ok(())
}

async fn set_password(
    store: &dyn Store,
    account: &Account,
    hash: &str,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    let now = clock.now();
    store
        .set_password_hash(account.id, hash, now)
        .await
        .map_err(store_refusal)?;
    let mut entry = cli_entry("password_change", account, now);
    entry.detail = json!({"email": account.email, "via": "cli"});
    store.append_audit(&entry).await?;
    println!(
        "account {} ({}): password changed; its sessions have ended",
        account.id, account.email
    );
    Ok(())
}

/// The role and its bindings, in words.
fn describe(account: &Account) -> String {
    let mut parts = vec![account.role.to_string()];
    for (what, names) in [
        ("communes", &account.communes),
        ("institutions", &account.institutions),
        ("platforms", &account.platforms),
    ] {
        if !names.is_empty() {
            parts.push(format!("{what}: {}", names.join(", ")));
        }
    }
    parts.join("; ")
}

#[derive(Serialize)]
struct Listing<'a> {
    accounts: &'a [Account],
}

async fn list(store: &dyn Store, json: bool) -> Result<(), Failure> {
    let accounts = store.accounts().await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(
            &mut out,
            &Listing {
                accounts: &accounts,
            },
        )
        .context("writing the accounts")?;
        writeln!(out).context("writing the accounts")?;
        return Ok(());
    }
    if accounts.is_empty() {
        writeln!(out, "no accounts yet: create one with `zesummen user add`")
            .context("writing the accounts")?;
        return Ok(());
    }
    let width = accounts
        .iter()
        .map(|a| a.email.as_str().chars().count())
        .max()
        .unwrap_or(0)
        .max("E-MAIL".len());
    writeln!(
        out,
        "{:>4}  {:<width$}  {:<8}  ROLE",
        "ID", "E-MAIL", "STATUS"
    )
    .context("writing the accounts")?;
    for a in &accounts {
        let status = if a.disabled { "disabled" } else { "active" };
        writeln!(
            out,
            "{:>4}  {:<width$}  {status:<8}  {}",
            a.id,
            a.email.as_str(),
            describe(a)
        )
        .context("writing the accounts")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_must_fit_the_role() {
        let some = vec!["x".to_string()];
        assert!(bindings_fit(Role::Contributor, &some, &some, &[]).is_ok());
        assert!(bindings_fit(Role::Facilitator, &[], &[], &some).is_ok());
        assert!(bindings_fit(Role::Admin, &[], &[], &[]).is_ok());
        for (role, c, i, p) in [
            (Role::Editor, &some, &vec![], &vec![]),
            (Role::Admin, &vec![], &some, &vec![]),
            (Role::Contributor, &vec![], &vec![], &some),
        ] {
            let Err(Failure::Input(m)) = bindings_fit(role, c, i, p) else {
                panic!("{role} with bindings accepted");
            };
            assert!(m.contains(role.as_str()), "{m}");
        }
    }

    #[test]
    fn communes_take_the_registry_name() {
        assert_eq!(commune("differdange").ok().as_deref(), Some("Differdange"));
        let Err(Failure::Input(m)) = commune("Atlantis") else {
            panic!("Atlantis accepted");
        };
        assert!(m.contains("Atlantis"), "{m}");
        assert_eq!(
            distinct(vec!["Strassen".into(), "strassen".into(), "Ell".into()]),
            ["Strassen", "Ell"]
        );
    }
}

//! Black-box tests of `zesummen user`: accounts made, listed, disabled and enabled through the
//! binary, on SQLite and on PostgreSQL (a throwaway database on the server
//! `ZESUMMEN_TEST_POSTGRES_URL` names; `./scripts/test.sh` provides one). What the binary
//! wrote is read back through the store itself: hashes, sessions, the audit log.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use assert_cmd::Command;
use chrono::{TimeDelta, Utc};
use domain::{Email, Role};
use serde_json::{Value, json};
use store::{Session, Store};
use store_postgres::PgStore;
use store_postgres::scratch::ScratchDatabase;
use store_sqlite::SqliteStore;

const PASSWORD: &str = "correct horse battery staple";

fn zesummen() -> Command {
    let mut cmd = Command::cargo_bin("zesummen").expect("binary");
    for var in [
        "ZESUMMEN_DATABASE_URL",
        "ZESUMMEN_READ_DATABASE_URL",
        "ZESUMMEN_DATA_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(database: &str, args: &[&str], stdin: &str) -> Output {
    zesummen()
        .args(["--database", database, "user"])
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("run zesummen")
}

fn ok(database: &str, args: &[&str], stdin: &str) -> String {
    let out = run(database, args, stdin);
    assert!(
        out.status.success(),
        "user {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Runs a command that must be refused as bad input (exit code 2); returns its message.
fn refused(database: &str, args: &[&str], stdin: &str) -> String {
    let out = run(database, args, stdin);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "user {args:?}: {err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    err
}

fn list_json(database: &str) -> Vec<Value> {
    let out = ok(database, &["list", "--json"], "");
    let doc: Value = serde_json::from_str(&out).expect("JSON listing");
    doc["accounts"].as_array().expect("accounts").clone()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

/// The store the binary wrote, opened by the test (in the runtime it will be used in).
async fn open(database: &str) -> Arc<dyn Store> {
    if database.starts_with("sqlite:") {
        Arc::new(SqliteStore::open_url(database).await.expect("open"))
    } else {
        Arc::new(PgStore::connect(database, None).await.expect("connect"))
    }
}

fn scratch() -> ScratchDatabase {
    runtime()
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The whole life of two accounts, on the store at `database`.
fn accounts_story(database: &str) {
    let said = ok(
        database,
        &[
            "add",
            "--email",
            " Ana@Commune.LU",
            "--role",
            "Admin",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(said.contains("ana@commune.lu"), "{said}");
    let said = ok(
        database,
        &[
            "add",
            "--email",
            "jos@strassen.lu",
            "--role",
            "contributor",
            "--commune",
            "strassen",
            "--commune",
            "Differdange",
            "--institution",
            "Office social de Strassen",
            "--password-stdin",
        ],
        "another long password\r\n",
    );
    assert!(said.contains("communes: Strassen, Differdange"), "{said}");

    // Listed, as text and as JSON, without any hash.
    let text = ok(database, &["list"], "");
    assert!(text.contains("ana@commune.lu"), "{text}");
    assert!(
        text.contains("contributor; communes: Strassen, Differdange"),
        "{text}"
    );
    let accounts = list_json(database);
    assert_eq!(accounts.len(), 2);
    let ana = &accounts[0];
    assert_eq!(
        (&ana["email"], &ana["role"], &ana["disabled"]),
        (&json!("ana@commune.lu"), &json!("admin"), &json!(false))
    );
    assert_eq!(accounts[1]["communes"], json!(["Strassen", "Differdange"]));
    assert_eq!(
        accounts[1]["institutions"],
        json!(["Office social de Strassen"])
    );
    for out in [text, serde_json::to_string(&accounts).unwrap()] {
        assert!(!out.contains("argon2"), "{out}");
        assert!(!out.to_lowercase().contains("hash"), "{out}");
    }
    let ana_id = ana["id"].as_i64().unwrap();

    // The store holds an argon2id hash of the password as typed, without its line end.
    let rt = runtime();
    let store = rt.block_on(open(database));
    let (_, hash) = rt
        .block_on(store.account_by_email(&Email::parse("ana@commune.lu").unwrap()))
        .unwrap()
        .expect("ana's account");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(auth::verify_password(PASSWORD, &hash));
    let (_, jos_hash) = rt
        .block_on(store.account_by_email(&Email::parse("jos@strassen.lu").unwrap()))
        .unwrap()
        .unwrap();
    assert!(auth::verify_password("another long password", &jos_hash));

    // A second account with the same e-mail, in another case: refused, nothing changes.
    let err = refused(
        database,
        &[
            "add",
            "--email",
            "ANA@commune.lu",
            "--role",
            "editor",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        err.contains("ana@commune.lu") && err.contains("exists already"),
        "{err}"
    );
    assert_eq!(list_json(database).len(), 2);
    assert_eq!(list_json(database)[0]["role"], "admin");

    // Disabling ends the account's sessions at once; enabling does not bring them back.
    let now = Utc::now();
    let token = auth::new_token();
    let session = Session {
        account_id: ana_id,
        csrf_token: auth::new_token(),
        created_at: now,
        expires_at: now + TimeDelta::hours(8),
    };
    rt.block_on(store.create_session(&auth::token_hash(&token), &session))
        .unwrap();
    let live = |store: &dyn Store| {
        rt.block_on(store.session(&auth::token_hash(&token), now))
            .unwrap()
            .is_some()
    };
    assert!(live(store.as_ref()));
    let said = ok(database, &["disable", "--email", "ana@commune.lu"], "");
    assert!(said.contains("disabled"), "{said}");
    assert!(!live(store.as_ref()));
    assert_eq!(list_json(database)[0]["disabled"], true);
    assert!(ok(database, &["list"], "").contains("disabled"));
    let said = ok(database, &["disable", "--email", "ana@commune.lu"], "");
    assert!(said.contains("already"), "{said}");
    ok(database, &["enable", "--email", "ana@commune.lu"], "");
    assert_eq!(list_json(database)[0]["disabled"], false);
    assert!(!live(store.as_ref()));

    let err = refused(database, &["disable", "--email", "nobody@commune.lu"], "");
    assert!(err.contains("nobody@commune.lu"), "{err}");

    // Each change is in the audit log, newest first, by the command line (no actor).
    let log = rt.block_on(store.audit_log(10)).unwrap();
    let actions: Vec<(&str, Option<&str>)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_deref()))
        .collect();
    let ana_target = format!("account:{ana_id}");
    let jos_target = format!("account:{}", accounts[1]["id"]);
    assert_eq!(
        actions,
        [
            ("account_enable", Some(ana_target.as_str())),
            ("account_disable", Some(ana_target.as_str())),
            ("account_create", Some(jos_target.as_str())),
            ("account_create", Some(ana_target.as_str())),
        ]
    );
    assert!(
        log.iter()
            .all(|e| e.actor.is_none() && e.detail["via"] == "cli")
    );
    assert_eq!(
        log[2].detail["communes"],
        json!(["Strassen", "Differdange"])
    );
    assert!(!log.iter().any(|e| e.detail.to_string().contains("argon2")));
}

#[test]
fn accounts_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    accounts_story(&format!(
        "sqlite://{}",
        dir.path().join("zesummen.sqlite").display()
    ));
}

#[test]
fn accounts_on_postgres() {
    let db = scratch();
    accounts_story(db.url());
}

/// Bad input is refused with exit code 2 and a message naming it, before the store is even
/// opened: the data directory stays empty.
#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let refuse = |args: &[&str], stdin: &str| {
        let out = zesummen()
            .arg("--data-dir")
            .arg(&data)
            .arg("user")
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        err
    };
    let err = refuse(
        &add("ana@commune.lu", "root", &[]),
        "a long enough password\n",
    );
    assert!(
        err.contains("`root` is not a role: expected admin, editor, contributor or facilitator"),
        "{err}"
    );
    let err = refuse(
        &add("ana.commune.lu", "admin", &[]),
        "a long enough password\n",
    );
    assert!(
        err.contains("`ana.commune.lu` is not an e-mail address"),
        "{err}"
    );
    let err = refuse(&add("ana@commune.lu", "admin", &[]), "short\n");
    assert!(err.contains("at least 10 characters"), "{err}");
    let err = refuse(&add("ana@commune.lu", "admin", &[]), "");
    assert!(err.contains("at least 10 characters"), "{err}");
    let err = refuse(
        &["add", "--email", "ana@commune.lu", "--role", "admin"],
        "a long enough password\n",
    );
    assert!(err.contains("--password-stdin"), "{err}");
    let err = refuse(
        &add("ana@commune.lu", "contributor", &["--commune", "Atlantis"]),
        "a long enough password\n",
    );
    assert!(
        err.contains("`Atlantis` is not a commune of Luxembourg"),
        "{err}"
    );
    let err = refuse(
        &add("ana@commune.lu", "editor", &["--commune", "Strassen"]),
        "a long enough password\n",
    );
    assert!(err.contains("--role contributor"), "{err}");
    let err = refuse(
        &add("ana@commune.lu", "contributor", &["--platform", "Blégny"]),
        "a long enough password\n",
    );
    assert!(err.contains("--role facilitator"), "{err}");
    let err = refuse(&["disable", "--email", "not-an-email"], "");
    assert!(err.contains("not-an-email"), "{err}");

    assert!(!data.exists(), "nothing was written");
}

/// `user add` with these options and `--password-stdin`.
fn add<'a>(email: &'a str, role: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["add", "--email", email, "--role", role];
    args.extend_from_slice(extra);
    args.push("--password-stdin");
    args
}

/// A facilitator's platform must be in the store; it is kept under the store's name.
#[test]
fn facilitators_are_bound_to_platforms_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("zesummen.sqlite").display());
    let facilitator = |platform: &str| {
        run(
            &database,
            &[
                "add",
                "--email",
                "marie@blegny.be",
                "--role",
                "facilitator",
                "--platform",
                platform,
                "--password-stdin",
            ],
            "a long enough password\n",
        )
    };
    let none = facilitator("Blegny");
    assert_eq!(none.status.code(), Some(2));
    let err = String::from_utf8_lossy(&none.stderr);
    assert!(err.contains("no platform yet"), "{err}");

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    let imported = zesummen()
        .args(["--database", &database, "import"])
        .arg(corpus.join("spiral-blegny.txt"))
        .output()
        .unwrap();
    assert!(imported.status.success());

    let unknown = facilitator("Mons");
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("`Mons` is not in the store: expected one of Blégny"),
        "{err}"
    );
    assert!(list_json(&database).is_empty(), "nothing written");

    let made = facilitator("BLEGNY");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let accounts = list_json(&database);
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["platforms"], json!(["Blégny"]));
    assert_eq!(accounts[0]["role"], json!(Role::Facilitator));
}

/// `user role` and `user password` on the store at `database`: each replaces what it changes,
/// holds at once, and is audited; bad input is refused with exit code 2 and changes nothing.
fn role_and_password_story(database: &str) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    let imported = zesummen()
        .args(["--database", database, "import"])
        .arg(corpus.join("spiral-blegny.txt"))
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    ok(
        database,
        &add("jos@strassen.lu", "contributor", &["--commune", "Strassen"]),
        &format!("{PASSWORD}\n"),
    );
    let rt = runtime();
    let store = rt.block_on(open(database));
    let jos = || {
        rt.block_on(store.account_by_email(&Email::parse("jos@strassen.lu").unwrap()))
            .unwrap()
            .expect("jos's account")
    };
    let id = jos().0.id;
    let now = Utc::now();
    let token = auth::new_token();
    rt.block_on(store.create_session(
        &auth::token_hash(&token),
        &Session {
            account_id: id,
            csrf_token: auth::new_token(),
            created_at: now,
            expires_at: now + TimeDelta::hours(8),
        },
    ))
    .unwrap();
    let session_role = || {
        rt.block_on(store.session(&auth::token_hash(&token), now))
            .unwrap()
            .map(|(_, a)| a.role)
    };

    // New bindings replace the old ones; the open session has the new role at once.
    let said = ok(
        database,
        &[
            "role",
            "--email",
            "JOS@strassen.lu",
            "--role",
            "contributor",
            "--commune",
            "differdange",
            "--institution",
            "  Office   social ",
        ],
        "",
    );
    assert!(
        said.contains("contributor; communes: Differdange; institutions: Office social"),
        "{said}"
    );
    let (a, _) = jos();
    assert_eq!(
        (a.communes, a.institutions),
        (
            vec!["Differdange".to_string()],
            vec!["Office social".to_string()]
        )
    );
    ok(
        database,
        &[
            "role",
            "--email",
            "jos@strassen.lu",
            "--role",
            "facilitator",
            "--platform",
            "blegny",
        ],
        "",
    );
    let (a, _) = jos();
    assert_eq!(a.role, Role::Facilitator);
    assert_eq!(a.platforms, ["Blégny"]);
    assert!(a.communes.is_empty() && a.institutions.is_empty());
    assert_eq!(session_role(), Some(Role::Facilitator));
    ok(
        database,
        &["role", "--email", "jos@strassen.lu", "--role", "editor"],
        "",
    );
    assert_eq!(session_role(), Some(Role::Editor));
    assert!(jos().0.platforms.is_empty());

    // Refused, with the reason, and nothing changes.
    for (args, expected) in [
        (
            vec!["role", "--email", "jos@strassen.lu", "--role", "root"],
            "`root` is not a role",
        ),
        (
            vec![
                "role",
                "--email",
                "jos@strassen.lu",
                "--role",
                "editor",
                "--commune",
                "Strassen",
            ],
            "--role contributor",
        ),
        (
            vec![
                "role",
                "--email",
                "jos@strassen.lu",
                "--role",
                "contributor",
                "--commune",
                "Atlantis",
            ],
            "`Atlantis` is not a commune of Luxembourg",
        ),
        (
            vec![
                "role",
                "--email",
                "jos@strassen.lu",
                "--role",
                "facilitator",
                "--platform",
                "Mons",
            ],
            "`Mons` is not in the store: expected one of Blégny",
        ),
        (
            vec!["role", "--email", "nobody@strassen.lu", "--role", "editor"],
            "nobody@strassen.lu: no account has this e-mail",
        ),
        (
            vec!["password", "--email", "jos@strassen.lu"],
            "--password-stdin",
        ),
        (
            vec![
                "password",
                "--email",
                "nobody@strassen.lu",
                "--password-stdin",
            ],
            "nobody@strassen.lu: no account has this e-mail",
        ),
    ] {
        let err = refused(database, &args, "a new long password\n");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let err = refused(
        database,
        &["password", "--email", "jos@strassen.lu", "--password-stdin"],
        "short\n",
    );
    assert!(err.contains("at least 10 characters"), "{err}");
    assert_eq!(jos().0.role, Role::Editor);
    assert!(auth::verify_password(PASSWORD, &jos().1));

    // A new password: the old one no longer works, and the sessions have ended.
    let said = ok(
        database,
        &["password", "--email", "jos@strassen.lu", "--password-stdin"],
        "a brand new passphrase\n",
    );
    assert!(said.contains("password changed"), "{said}");
    let (_, hash) = jos();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(auth::verify_password("a brand new passphrase", &hash));
    assert!(!auth::verify_password(PASSWORD, &hash));
    assert_eq!(session_role(), None);

    // Audited, newest first, never with a password or its hash.
    let log = rt.block_on(store.audit_log(10)).unwrap();
    let target = format!("account:{id}");
    let actions: Vec<&str> = log
        .iter()
        .filter(|e| e.target.as_deref() == Some(target.as_str()))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "password_change",
            "role_change",
            "role_change",
            "role_change",
            "account_create"
        ]
    );
    assert_eq!(log[2].detail["before"]["role"], "contributor");
    assert_eq!(log[2].detail["after"]["platforms"], json!(["Blégny"]));
    assert_eq!(log[3].detail["before"]["communes"], json!(["Strassen"]));
    assert_eq!(log[3].detail["after"]["communes"], json!(["Differdange"]));
    assert!(log.iter().all(|e| e.actor.is_none()));
    for e in &log {
        let text = e.detail.to_string();
        assert!(
            !text.contains("argon2") && !text.contains("passphrase"),
            "{text}"
        );
    }
}

#[test]
fn roles_and_passwords_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    role_and_password_story(&format!(
        "sqlite://{}",
        dir.path().join("zesummen.sqlite").display()
    ));
}

#[test]
fn roles_and_passwords_on_postgres() {
    let db = scratch();
    role_and_password_story(db.url());
}

//! Black-box tests of the `zesummen` binary across backends: the corpus moves from SQLite to
//! PostgreSQL and back through `export`/`import` losing nothing, and `backup` writes a copy
//! that opens as the same store. PostgreSQL tests use a throwaway database each, on the
//! server `ZESUMMEN_TEST_POSTGRES_URL` names (`./scripts/test.sh` provides one).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use store_postgres::scratch::ScratchDatabase;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus")
}

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

fn ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run zesummen");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn scratch() -> ScratchDatabase {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `export --format json --what all` of the store the arguments name.
fn export(store: &[&str]) -> Vec<u8> {
    ok(zesummen()
        .args(store)
        .args(["export", "--format", "json", "--what", "all"]))
    .stdout
}

fn data_dir(dir: &Path) -> Vec<&str> {
    vec!["--data-dir", dir.to_str().expect("UTF-8 path")]
}

#[test]
fn the_corpus_moves_from_sqlite_to_postgres_and_back_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    ok(zesummen()
        .args(data_dir(&first))
        .arg("import")
        .arg(corpus()));
    let original = export(&data_dir(&first));
    let doc: serde_json::Value = serde_json::from_slice(&original).unwrap();
    assert_eq!(doc["practices"].as_array().unwrap().len(), 38);
    assert_eq!(doc["criteria"].as_array().unwrap().len(), 36);
    let file = dir.path().join("export.json");
    std::fs::write(&file, &original).unwrap();

    // Into PostgreSQL, named by the environment this time.
    let db = scratch();
    let out = ok(zesummen()
        .env("ZESUMMEN_DATABASE_URL", db.url())
        .args(["import", "--json"])
        .arg(&file));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files"][0]["created"], 38 + 1 + 1 + 36);
    let through_pg = export(&["--database", db.url()]);
    assert_eq!(
        String::from_utf8_lossy(&through_pg),
        String::from_utf8_lossy(&original),
        "SQLite → JSON → PostgreSQL → JSON changed something"
    );
    // Importing it again changes nothing there either.
    let out = ok(zesummen()
        .args(["--database", db.url(), "import", "--json"])
        .arg(&file));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            &summary["files"][0]["created"],
            &summary["files"][0]["updated"]
        ),
        (&serde_json::json!(0), &serde_json::json!(0))
    );

    // And back into a new SQLite store.
    let from_pg = dir.path().join("from-pg.json");
    std::fs::write(&from_pg, &through_pg).unwrap();
    let back = dir.path().join("back");
    ok(zesummen().args(data_dir(&back)).arg("import").arg(&from_pg));
    assert_eq!(
        String::from_utf8_lossy(&export(&data_dir(&back))),
        String::from_utf8_lossy(&original),
        "PostgreSQL → JSON → SQLite changed something"
    );
}

#[test]
fn the_corpus_imported_straight_into_postgres_matches_sqlite_but_for_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    ok(zesummen()
        .args(data_dir(dir.path()))
        .arg("import")
        .arg(corpus()));
    let db = scratch();
    ok(zesummen()
        .args(["--database", db.url(), "import"])
        .arg(corpus()));
    // The two imports ran at different instants: only the stamps of new records differ.
    let stamps_aside = |bytes: &[u8]| {
        let mut doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        for p in doc["practices"].as_array_mut().unwrap() {
            p["created_at"] = serde_json::Value::Null;
            p["updated_at"] = serde_json::Value::Null;
        }
        doc
    };
    assert_eq!(
        stamps_aside(&export(&["--database", db.url()])),
        stamps_aside(&export(&data_dir(dir.path())))
    );
}

#[test]
fn a_sqlite_backup_opens_as_the_same_store_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    ok(zesummen()
        .args(data_dir(&store))
        .arg("import")
        .arg(corpus()));
    let original = export(&data_dir(&store));

    let copy = dir.path().join("backups/zesummen-copy.sqlite");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    let out = ok(zesummen()
        .args(data_dir(&store))
        .args(["backup", "--out"])
        .arg(&copy));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("backup written to"), "{said}");
    assert!(said.contains("restore:"), "{said}");
    // Nothing but the backup was left beside it.
    let beside: Vec<_> = std::fs::read_dir(copy.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, vec![copy.file_name().unwrap().to_owned()]);
    let url = format!("sqlite://{}", copy.display());
    assert_eq!(export(&["--database", &url]), original);

    let before = std::fs::read(&copy).unwrap();
    let again = zesummen()
        .args(data_dir(&store))
        .args(["backup", "--out"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("exists already"), "{err}");
    assert!(err.contains(&copy.display().to_string()), "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);

    // No store, no backup.
    let none = zesummen()
        .args(data_dir(&dir.path().join("nothing")))
        .args(["backup", "--out"])
        .arg(dir.path().join("x.sqlite"))
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(!dir.path().join("x.sqlite").exists());
}

#[test]
fn a_postgres_backup_restores_with_pg_restore_and_says_what_to_run_without_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let db = scratch();
    ok(zesummen()
        .args(["--database", db.url(), "import"])
        .arg(corpus()));
    let original = export(&["--database", db.url()]);

    // Without pg_dump on PATH: nothing written, and the exact command to run.
    let empty = dir.path().join("empty-path");
    std::fs::create_dir(&empty).unwrap();
    let dump = dir.path().join("zesummen.dump");
    let missing = zesummen()
        .env("PATH", &empty)
        .args(["--database", db.url(), "backup", "--out"])
        .arg(&dump)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains(&format!(
            "pg_dump --format=custom --file '{}' --dbname '{}'",
            dump.display(),
            db.url()
        )),
        "{err}"
    );
    assert!(!dump.exists());

    ok(zesummen()
        .args(["--database", db.url(), "backup", "--out"])
        .arg(&dump));
    assert!(std::fs::metadata(&dump).unwrap().len() > 0);
    let restored = scratch();
    let status = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", restored.url()])
        .arg(&dump)
        .status()
        .expect("pg_restore, installed with pg_dump");
    assert!(status.success(), "pg_restore: {status}");
    assert_eq!(export(&["--database", restored.url()]), original);

    let again = zesummen()
        .args(["--database", db.url(), "backup", "--out"])
        .arg(&dump)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn a_read_replica_serves_reads_and_needs_postgres() {
    let db = scratch();
    ok(zesummen()
        .args(["--database", db.url(), "import"])
        .arg(corpus().join("good-practices-sud-2016.txt")));
    // The primary doubles as its own replica here: reads work through the replica pool.
    let via_replica = export(&["--database", db.url(), "--read-database", db.url()]);
    assert_eq!(via_replica, export(&["--database", db.url()]));

    let dir = tempfile::tempdir().unwrap();
    let refused = zesummen()
        .args(data_dir(dir.path()))
        .args(["--read-database", db.url(), "migrate"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("needs a postgres:// --database"), "{err}");

    let unknown = zesummen()
        .args(["--database", "mysql://db/zesummen", "migrate"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

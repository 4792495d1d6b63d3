//! `zesummen concepts` on a real SQLite store: the bundled scheme is version 1, SKOS and TSV
//! exports import back as a new version that exports identically, and a bad file is refused
//! naming its line, changing nothing.

use std::path::Path;

use assert_cmd::Command;

fn zesummen(data_dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zesummen").expect("binary");
    cmd.env_remove("ZESUMMEN_DATABASE_URL")
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

fn run(data_dir: &Path, args: &[&str]) -> String {
    let out = zesummen(data_dir).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "zesummen {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The scheme without its version number (`owl:versionInfo`), which a new version changes.
fn body(skos: &str) -> String {
    skos.lines()
        .filter(|l| !l.contains("versionInfo"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_skos_export_imports_as_a_new_version_that_exports_identically() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let list = run(a.path(), &["concepts", "list"]);
    assert!(list.starts_with("1 (active)\t"), "{list}");
    assert!(list.contains("\tbundled\t"), "{list}");

    let skos = run(a.path(), &["concepts", "export", "--format", "skos"]);
    assert!(
        skos.contains("skos:prefLabel \"Sprachkurs\"@de"),
        "{}",
        &skos[..500]
    );
    let file = a.path().join("scheme.ttl");
    std::fs::write(&file, &skos).unwrap();

    // Into another store, where the bundled scheme is version 1: the file becomes version 2.
    // It is the same scheme, so nothing changes; a changed one is a new version.
    let said = run(b.path(), &["concepts", "import", file.to_str().unwrap()]);
    assert!(
        said.starts_with("unchanged: the file is the active version 1"),
        "{said}"
    );
    let changed = skos.replacen("\"Sprachkurs\"@de", "\"Sprachkurs (Erwachsene)\"@de", 1);
    assert_ne!(changed, skos);
    std::fs::write(&file, &changed).unwrap();
    let said = run(
        b.path(),
        &[
            "concepts",
            "import",
            file.to_str().unwrap(),
            "--note",
            "a label",
        ],
    );
    assert!(
        said.starts_with("concept scheme version 2 is active"),
        "{said}"
    );
    let again = run(b.path(), &["concepts", "export", "--format", "skos"]);
    assert_eq!(
        body(&again),
        body(&changed),
        "SKOS export → import → export is not identical"
    );
    assert!(again.contains("versionInfo> \"2\""), "{}", &again[..400]);
    // The first version stays in the history, whole.
    assert_eq!(
        run(
            b.path(),
            &["concepts", "export", "--format", "skos", "--version", "1"]
        ),
        skos
    );
    let list = run(b.path(), &["concepts", "list"]);
    assert!(
        list.contains("2 (active)\t") && list.contains("\timport\ta label"),
        "{list}"
    );

    // TSV goes round the same way.
    let tsv = run(b.path(), &["concepts", "export", "--format", "tsv"]);
    let tsv_file = b.path().join("scheme.tsv");
    std::fs::write(&tsv_file, &tsv).unwrap();
    let said = run(
        a.path(),
        &["concepts", "import", tsv_file.to_str().unwrap()],
    );
    assert!(
        said.starts_with("concept scheme version 2 is active"),
        "{said}"
    );
    assert_eq!(
        run(a.path(), &["concepts", "export", "--format", "tsv"]),
        tsv
    );
    assert_eq!(
        body(&run(a.path(), &["concepts", "export"])),
        body(&changed)
    );
}

#[test]
fn a_bad_scheme_file_is_refused_with_its_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = run(dir.path(), &["concepts", "export", "--format", "tsv"]);
    // A broader link to a concept the scheme does not have, on the third line.
    let mut lines: Vec<String> = tsv.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[2].split('\t').map(str::to_string).collect();
    cells[2] = "no-such-concept".into();
    lines[2] = cells.join("\t");
    let file = dir.path().join("bad.tsv");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let out = zesummen(dir.path())
        .args(["concepts", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.tsv:3:"), "{err}");
    assert!(err.contains("no-such-concept"), "{err}");
    let list = run(dir.path(), &["concepts", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
}

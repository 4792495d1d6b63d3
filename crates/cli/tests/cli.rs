//! Black-box tests of the `zesummen` binary on the real corpus and a real SQLite file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus")
}

fn zesummen(data_dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zesummen").expect("binary");
    cmd.env_remove("ZESUMMEN_DATABASE_URL")
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

fn import_json(data_dir: &Path, paths: &[PathBuf]) -> Value {
    let out = zesummen(data_dir)
        .arg("import")
        .arg("--json")
        .args(paths)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON summary")
}

fn export(data_dir: &Path, format: &str, what: &str) -> Vec<u8> {
    let out = zesummen(data_dir)
        .args(["export", "--format", format, "--what", what])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn corpus_files() -> Vec<PathBuf> {
    [
        "assises-2-fiches.txt",
        "assises-2-wok-differdange.md",
        "good-practices-sud-2016.txt",
        "spiral-blegny.txt",
    ]
    .iter()
    .map(|f| corpus().join(f))
    .collect()
}

#[test]
fn the_corpus_imports_to_38_practices_and_blegny() {
    let dir = tempfile::tempdir().unwrap();
    let summary = import_json(dir.path(), &corpus_files());
    let files = summary["files"].as_array().unwrap();
    let formats: Vec<&str> = files
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["assises", "assises", "sud", "spiral-criteria"]);
    // The booklet creates 24; its markdown WOK copy adds a source to one of them.
    assert_eq!(files[0]["created"], 24);
    assert_eq!(
        (files[1]["created"].as_u64(), files[1]["updated"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(files[2]["created"], 14);
    assert_eq!(files[3]["created"], 38, "1 platform, 1 group, 36 criteria");

    let all: Value = serde_json::from_slice(&export(dir.path(), "json", "all")).unwrap();
    let practices = all["practices"].as_array().unwrap();
    assert_eq!(practices.len(), 38);
    assert_eq!(all["platforms"].as_array().unwrap().len(), 1);
    assert_eq!(all["groups"].as_array().unwrap().len(), 1);
    assert_eq!(all["criteria"].as_array().unwrap().len(), 36);

    let wok = practices
        .iter()
        .find(|p| p["title"].as_str().unwrap().contains("WOK"))
        .expect("the WOK practice");
    let docs: Vec<&str> = wok["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["document"].as_str().unwrap())
        .collect();
    assert_eq!(
        docs,
        ["assises-2-fiches.txt", "assises-2-wok-differdange.md"]
    );
    assert_eq!(wok["sources"][0]["first_line"], 429);
    assert_eq!(wok["sources"][0]["last_line"], 503);
    assert_eq!(wok["communes"], serde_json::json!(["Differdange"]));

    let criterion = all["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == 295_019)
        .unwrap();
    assert_eq!(criterion["platform"], "Blégny");
    assert_eq!(criterion["group"], "Blégny : Groupe test 19 octobre 2018");
    assert_eq!(criterion["question"], "ACT");
    assert_eq!(criterion["component"], "I07");
    assert_eq!(criterion["created_at"], "2018-10-31T13:27:00+01:00");
}

#[test]
fn a_second_import_changes_nothing_and_export_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    import_json(dir.path(), &corpus_files());
    let json_before = export(dir.path(), "json", "all");
    let csv_before = export(dir.path(), "csv", "practices");
    // Time moves on between the two imports: timestamps must not.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let summary = import_json(dir.path(), &corpus_files());
    for f in summary["files"].as_array().unwrap() {
        assert_eq!(f["created"], 0, "{f}");
        assert_eq!(f["updated"], 0, "{f}");
        assert!(f["unchanged"].as_u64().unwrap() > 0, "{f}");
    }
    assert!(
        json_before == export(dir.path(), "json", "all"),
        "JSON export changed"
    );
    assert!(
        csv_before == export(dir.path(), "csv", "practices"),
        "CSV export changed"
    );

    let text = zesummen(dir.path())
        .arg("import")
        .arg(corpus().join("spiral-blegny.txt"))
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("unchanged"), "{text}");
}

#[test]
fn json_export_round_trips_into_a_fresh_store() {
    let first = tempfile::tempdir().unwrap();
    import_json(first.path(), &corpus_files());
    let exported = export(first.path(), "json", "all");
    let file = first.path().join("export.json");
    std::fs::write(&file, &exported).unwrap();

    let second = tempfile::tempdir().unwrap();
    import_json(second.path(), std::slice::from_ref(&file));
    assert!(
        exported == export(second.path(), "json", "all"),
        "JSON round trip differs"
    );
}

#[test]
fn csv_export_round_trips_into_a_fresh_store() {
    let first = tempfile::tempdir().unwrap();
    import_json(first.path(), &corpus_files());
    let practices = first.path().join("practices.csv");
    let criteria = first.path().join("criteria.csv");
    std::fs::write(&practices, export(first.path(), "csv", "practices")).unwrap();
    std::fs::write(&criteria, export(first.path(), "csv", "criteria")).unwrap();

    let second = tempfile::tempdir().unwrap();
    import_json(second.path(), &[practices.clone(), criteria.clone()]);
    assert!(std::fs::read(&practices).unwrap() == export(second.path(), "csv", "practices"));
    assert!(std::fs::read(&criteria).unwrap() == export(second.path(), "csv", "criteria"));
}

/// Runs an import that must be refused; returns its standard error.
fn refused(data_dir: &Path, file: &Path, extra: &[&str]) -> String {
    let out = zesummen(data_dir)
        .arg("import")
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn junk_is_refused_with_file_and_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    import_json(dir.path(), &corpus_files());
    let before = export(dir.path(), "json", "all");

    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"line one\nline two\n\x00\x01\x02\xff binary").unwrap();
    let err = refused(dir.path(), &junk, &[]);
    assert!(err.contains("junk.bin:3:"), "{err}");
    assert!(err.contains("expected UTF-8 text"), "{err}");

    let prose = dir.path().join("prose.txt");
    std::fs::write(&prose, "Bonjour,\nceci est une lettre sans fiche.\n").unwrap();
    let err = refused(dir.path(), &prose, &[]);
    assert!(
        err.contains("prose.txt:1:") && err.contains("no recognisable record"),
        "{err}"
    );

    let csv = dir.path().join("practices.csv");
    std::fs::write(&csv, "titre,commune\nCafé des langues,Strassen\n").unwrap();
    let err = refused(dir.path(), &csv, &["--format", "csv"]);
    assert!(err.contains("practices.csv:1:"), "{err}");

    // A good file listed with a bad one: nothing at all is written.
    let good = dir.path().join("one.csv");
    std::fs::write(&good, "title,communes\nUn nouveau café,Remich\n").unwrap();
    let out = zesummen(dir.path())
        .arg("import")
        .arg(&good)
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    assert!(
        before == export(dir.path(), "json", "all"),
        "a refused import changed the store"
    );
}

#[test]
fn a_cut_file_is_refused_and_leaves_the_store_as_it_was_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    import_json(dir.path(), &corpus_files());
    let before = export(dir.path(), "json", "all");
    let cuts = dir.path().join("cuts");
    std::fs::create_dir(&cuts).unwrap();
    let mut cut_files = Vec::new();
    for name in [
        "assises-2-fiches.txt",
        "good-practices-sud-2016.txt",
        "spiral-blegny.txt",
    ] {
        let whole = std::fs::read(corpus().join(name)).unwrap();
        // Cut mid-word, two thirds in.
        let mut at = whole.len() * 2 / 3;
        while !whole[at].is_ascii_alphabetic() || !whole[at + 1].is_ascii_alphabetic() {
            at += 1;
        }
        let cut = cuts.join(name);
        std::fs::write(&cut, &whole[..=at]).unwrap();
        let err = refused(dir.path(), &cut, &[]);
        assert!(err.contains("probably cut"), "{name}: {err}");
        assert!(
            before == export(dir.path(), "json", "all"),
            "{name}: a refused cut file changed the store"
        );
        cut_files.push(cut);
    }
    // Asked for, a cut file is imported as read, with a warning that says so.
    let fresh = tempfile::tempdir().unwrap();
    for cut in &cut_files {
        let accepted = zesummen(fresh.path())
            .args(["import", "--accept-cut", "--json"])
            .arg(cut)
            .output()
            .unwrap();
        assert!(
            accepted.status.success(),
            "{}: {}",
            cut.display(),
            String::from_utf8_lossy(&accepted.stderr)
        );
        let summary: Value = serde_json::from_slice(&accepted.stdout).unwrap();
        let warnings = summary["files"][0]["warnings"].to_string();
        assert!(warnings.contains("cut"), "{}: {warnings}", cut.display());
    }
}

#[test]
fn a_criterion_with_an_unknown_component_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(corpus().join("spiral-blegny.txt")).unwrap();
    let (line, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("| A08 |"))
        .expect("a criterion classified A08");
    let file = dir.path().join("blegny-z.txt");
    std::fs::write(&file, text.replacen("| A08 |", "| Z42 |", 1)).unwrap();
    let summary = import_json(dir.path(), &[file]);
    let warnings = summary["files"][0]["warnings"].as_array().unwrap().clone();
    let z42: Vec<&Value> = warnings
        .iter()
        .filter(|w| w["message"].as_str().unwrap().contains("Z42"))
        .collect();
    assert_eq!(z42.len(), 1, "{warnings:?}");
    assert_eq!(z42[0]["line"], line + 1, "{warnings:?}");
    assert!(warnings.iter().all(|w| w["line"] != 0), "{warnings:?}");
}

#[test]
fn csv_with_all_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = zesummen(dir.path())
        .args(["export", "--format", "csv", "--what", "all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--what practices"));
}

#[test]
fn migrate_loads_the_codebook_once() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = zesummen(dir.path()).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("0 practices"));
    }
}

/// `export --format pdf`: the booklet of a selection, written atomically to `--out`, read
/// back with pdftotext (poppler-utils; scripts/pdf-tools.sh installs it).
#[cfg(feature = "pdf")]
#[test]
fn export_pdf_writes_the_booklet_of_a_selection() {
    let dir = tempfile::tempdir().unwrap();
    import_json(dir.path(), &corpus_files());
    let out = dir.path().join("livret-strassen.pdf");
    let run = zesummen(dir.path())
        .args([
            "export",
            "--format",
            "pdf",
            "--commune",
            "Strassen",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = std::process::Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8(text.stdout)
        .unwrap()
        .replace('\u{200B}', "");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("KUFIKA"), "a Strassen practice: {text}");
    assert!(text.contains("Commune : Strassen"));
    assert!(text.contains("3 pratiques"), "Strassen has three practices");
    assert!(!text.contains("Equigaart"), "a Junglinster practice");
    // No stray temporary file beside it.
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path().extension().is_some_and(|x| x == "pdf")
                || e.file_name().to_string_lossy().starts_with(".tmp")
        })
        .collect();
    assert_eq!(files.len(), 1);

    // Filters belong to the booklet only.
    let run = zesummen(dir.path())
        .args(["export", "--format", "csv", "--commune", "Strassen"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--commune"));
}

#[test]
fn suggestions_are_measured_leave_one_out_on_the_store() {
    let dir = tempfile::tempdir().unwrap();
    import_json(dir.path(), &[corpus().join("spiral-blegny.txt")]);
    let run = zesummen(dir.path())
        .args(["evaluate-suggestions", "--platform", "Blégny", "--json"])
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(v["criteria"], 36);
    let (top1, top3, majority) = (
        v["top1"].as_f64().unwrap(),
        v["top3"].as_f64().unwrap(),
        v["majority"].as_f64().unwrap(),
    );
    assert!(top1 <= top3 && top3 > majority, "{v}");
    // Each miss is a criterion's text, its code and at most three suggestions.
    let misses = v["misses"].as_array().unwrap();
    assert_eq!(misses.len(), 36 - (top3 * 36.0).round() as usize, "{v}");
    assert!(misses.iter().all(|m| m[2].as_array().unwrap().len() <= 3));
    // The text report names the figures.
    let text = zesummen(dir.path())
        .args(["evaluate-suggestions"])
        .output()
        .expect("run");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("36 classified criteria of every platform"),
        "{text}"
    );
    assert!(
        text.contains(&format!("top-3           {top3:.3}")),
        "{text}"
    );
}

#[test]
fn after_an_import_the_database_file_alone_holds_the_data() {
    let dir = tempfile::tempdir().unwrap();
    import_json(dir.path(), &corpus_files());
    let wal = dir.path().join("zesummen.sqlite-wal");
    assert!(
        std::fs::metadata(&wal).map_or(0, |m| m.len()) == 0,
        "the log still holds data"
    );
    // A copy of the file without its log.
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path().join("zesummen.sqlite"),
        copy.path().join("zesummen.sqlite"),
    )
    .unwrap();
    let v: Value = serde_json::from_slice(&export(copy.path(), "json", "practices")).unwrap();
    assert_eq!(v["practices"].as_array().unwrap().len(), 38);
}

/// Imports the SUD file into `data_dir` and starts `zesummen <global…> serve` on a free
/// port: the process, the rest of its standard error, and where it serves.
#[cfg(unix)]
fn start_serve(
    data_dir: &Path,
    global: &[&str],
) -> (
    std::process::Child,
    std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
    String,
) {
    use std::io::{BufRead, BufReader};
    import_json(data_dir, &[corpus().join("good-practices-sud-2016.txt")]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zesummen"))
        .env_remove("ZESUMMEN_DATABASE_URL")
        .arg("--data-dir")
        .arg(data_dir)
        .args(global)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("zesummen is serving on ")
                .map(|b| b.trim_end_matches('/').to_string())
        })
        .expect("the node says where it serves");
    (child, lines, base)
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, lines, base) = start_serve(dir.path(), &[]);
    let ok = reqwest::blocking::get(format!("{base}/api/v1/practices")).unwrap();
    assert_eq!(ok.status(), 200);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}: {rest:?}");
    assert!(rest.iter().any(|l| l == "zesummen stopped"), "{rest:?}");
    // It no longer answers.
    assert!(reqwest::blocking::get(format!("{base}/api/v1/practices")).is_err());
}

/// `--log-format json --log info`: one JSON object a line on standard error; a request's line
/// carries its id (the client's `x-request-id`, or one made and sent back) and its status.
#[cfg(unix)]
#[test]
fn json_logs_name_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, lines, base) =
        start_serve(dir.path(), &["--log-format", "json", "--log", "info"]);
    let client = reqwest::blocking::Client::new();
    let asked = client
        .get(format!("{base}/recherche?q=logement"))
        .header("x-request-id", "officer-42")
        .send()
        .unwrap();
    assert_eq!(asked.status(), 200);
    assert_eq!(asked.headers()["x-request-id"], "officer-42");
    let made = client
        .get(format!("{base}/pratiques/999999"))
        .send()
        .unwrap();
    assert_eq!(made.status(), 404);
    let made_id = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made_id.len(), 36, "a UUID: {made_id}");
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    child.wait().unwrap();
    let objects: Vec<Value> = rest
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect();
    let of = |id: &str| -> Vec<&Value> {
        objects
            .iter()
            .filter(|o| o["span"]["request_id"] == id)
            .collect()
    };
    let first = of("officer-42");
    assert!(!first.is_empty(), "{rest:?}");
    assert!(
        first.iter().any(|o| o["fields"]["status"] == 200
            && o["span"]["path"] == "/recherche"
            && o["level"] == "INFO"),
        "{first:?}"
    );
    // The query's words are not logged.
    assert!(!rest.iter().any(|l| l.contains("logement")), "{rest:?}");
    assert!(
        of(&made_id).iter().any(|o| o["fields"]["status"] == 404),
        "{rest:?}"
    );
}

//! Two `zesummen serve` nodes on one PostgreSQL database: a write that reaches the database
//! (here an import by a third process) is found by search on both nodes within seconds,
//! through the change log, without a rebuild. PostgreSQL comes from `./scripts/test.sh`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use store_postgres::scratch::ScratchDatabase;

struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn zesummen() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("zesummen"));
    for var in [
        "ZESUMMEN_DATABASE_URL",
        "ZESUMMEN_READ_DATABASE_URL",
        "ZESUMMEN_DATA_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Starts a node on a free port and waits until it says where it serves.
fn start_node(data_dir: &Path, database: &str, demo: bool) -> Node {
    let mut cmd = zesummen();
    cmd.arg("--data-dir").arg(data_dir).args([
        "--database",
        database,
        "serve",
        "--addr",
        "127.0.0.1:0",
    ]);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut node = Node {
        child,
        base: String::new(),
    };
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.expect("serve output");
        if let Some(rest) = line.strip_prefix("zesummen is serving on ") {
            node.base = rest.trim_end_matches('/').to_string();
            break;
        }
    }
    assert!(!node.base.is_empty(), "the node did not start");
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    node
}

fn total(base: &str, query: &str) -> u64 {
    let body = reqwest::blocking::get(format!("{base}/api/v1/practices?{query}"))
        .expect("search request")
        .text()
        .expect("body");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    v["total"].as_u64().expect("total")
}

/// The title of the first hit of a search.
fn first_title(base: &str, query: &str) -> Option<String> {
    let body = reqwest::blocking::get(format!("{base}/api/v1/practices?{query}"))
        .expect("search request")
        .text()
        .expect("body");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    v["hits"][0]["title"].as_str().map(str::to_string)
}

/// Waits until a search ranks the practice titled `title` first.
fn wait_for_first(base: &str, query: &str, title: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if first_title(base, query).as_deref() == Some(title) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{base}: `{query}` did not rank {title:?} first within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_for(base: &str, query: &str, expected: u64, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if total(base, query) == expected {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{base}: `{query}` did not reach {expected} within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_write_on_the_database_reaches_the_search_of_both_nodes() {
    let db = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let a = start_node(&dir.path().join("a"), db.url(), true);
    let b = start_node(&dir.path().join("b"), db.url(), false);
    assert_eq!(total(&a.base, "per_page=1"), 38);
    wait_for(&b.base, "per_page=1", 38, Duration::from_secs(5));

    let csv = dir.path().join("new.csv");
    std::fs::write(
        &csv,
        "title,communes,themes,description\nRepair Café interculturel,Remich,Cohésion sociale,\
         Un atelier de réparation où voisins et nouveaux arrivants se rencontrent\n",
    )
    .unwrap();
    let out = zesummen()
        .args(["--database", db.url(), "import"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let title = "Repair Café interculturel";
    let q = "q=atelier%20reparation%20voisins";
    let on_b = wait_for_first(&b.base, q, title, Duration::from_secs(5));
    let on_a = wait_for_first(&a.base, q, title, Duration::from_secs(5));
    eprintln!("found on node B after {on_b:?}, on node A after {on_a:?}");
    assert_eq!(
        total(&b.base, "commune=Remich"),
        total(&a.base, "commune=Remich")
    );
}

const PASSWORD: &str = "a long passphrase for two nodes";

/// `zesummen user add` on the shared database, the password on standard input.
fn add_editor(database: &str, email: &str) {
    use std::io::Write as _;
    let mut child = zesummen()
        .args([
            "--database",
            database,
            "user",
            "add",
            "--email",
            email,
            "--role",
            "editor",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    let out = child.wait_with_output().expect("user add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sends a JSON request with a bearer token; returns the status and the JSON body (or null).
fn send(
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let client = reqwest::blocking::Client::new();
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = req.send().expect("request");
    let status = r.status().as_u16();
    let text = r.text().expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// A session opened on node A is honoured by node B, and a practice written and published
/// through node A is found by node B's search within 5 s: sessions and the change log are
/// in the shared database, nothing is kept in a node.
#[test]
fn a_session_and_a_publication_on_node_a_reach_node_b() {
    let db = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let node_a = start_node(&dir.path().join("a"), db.url(), true);
    let node_b = start_node(&dir.path().join("b"), db.url(), false);
    wait_for(&node_b.base, "per_page=1", 38, Duration::from_secs(5));
    add_editor(db.url(), "editrice@zesummen.lu");

    let signed_in = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/session", node_a.base))
        .header("content-type", "application/json")
        .body(
            serde_json::json!({"email": "editrice@zesummen.lu", "password": PASSWORD}).to_string(),
        )
        .send()
        .expect("sign in on A");
    assert_eq!(signed_in.status().as_u16(), 200);
    let session: serde_json::Value = serde_json::from_str(&signed_in.text().unwrap()).unwrap();
    let token = session["token"].as_str().expect("token").to_string();

    // The session opened on A writes through B (and a wrong token is refused by B).
    let body = serde_json::json!({
        "title": "Jardin partagé des voisins de Remich",
        "communes": ["Remich"],
        "themes": ["Cohésion sociale"],
        "description": "Un potager cultivé ensemble par anciens et nouveaux habitants."
    });
    let (status, _) = send(
        reqwest::Method::POST,
        &format!("{}/api/v1/practices", node_b.base),
        "not-a-token",
        Some(body.clone()),
    );
    assert_eq!(status, 401);
    let (status, created) = send(
        reqwest::Method::POST,
        &format!("{}/api/v1/practices", node_b.base),
        &token,
        Some(body),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("id");

    // Submitted and published through A; B's search finds it within 5 s.
    for step in ["submit", "publish"] {
        let (status, answer) = send(
            reqwest::Method::POST,
            &format!("{}/api/v1/practices/{id}/{step}", node_a.base),
            &token,
            None,
        );
        assert_eq!(status, 200, "{step}: {answer}");
    }
    let on_b = wait_for_first(
        &node_b.base,
        "q=jardin%20partag%C3%A9%20voisins%20Remich",
        "Jardin partagé des voisins de Remich",
        Duration::from_secs(5),
    );
    eprintln!("published on node A, found on node B after {on_b:?}");
    let seen =
        reqwest::blocking::get(format!("{}/api/v1/practices/{id}", node_b.base)).expect("GET");
    assert_eq!(seen.status().as_u16(), 200, "anonymous sees it on B");
    let practice: serde_json::Value = serde_json::from_str(&seen.text().unwrap()).unwrap();
    assert_eq!(practice["status"].as_str(), Some("published"), "{practice}");

    // Long jobs: booklets queued through B are claimed by the nodes' workers, each by
    // exactly one node once, and what one node made downloads from the other.
    if cfg!(feature = "pdf") {
        booklets_are_made_once_and_served_by_both(&node_a, &node_b, &token);
    }
}

fn booklets_are_made_once_and_served_by_both(node_a: &Node, node_b: &Node, token: &str) {
    let mut jobs = Vec::new();
    for query in [
        "commune=Differdange",
        "commune=Strassen",
        "commune=Esch-sur-Alzette",
    ] {
        let (status, job) = send(
            reqwest::Method::POST,
            &format!("{}/api/v1/booklets?{query}", node_b.base),
            token,
            None,
        );
        assert_eq!(status, 202, "{query}: {job}");
        jobs.push(job["id"].as_i64().expect("job id"));
    }
    let start = Instant::now();
    for id in jobs {
        let job = loop {
            let (status, job) = send(
                reqwest::Method::GET,
                &format!("{}/api/v1/jobs/{id}", node_a.base),
                token,
                None,
            );
            assert_eq!(status, 200, "{job}");
            if job["status"] == "done" || job["status"] == "failed" {
                break job;
            }
            assert!(
                start.elapsed() < Duration::from_mins(3),
                "job {id} not done: {job}"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(job["status"], "done", "{job}");
        assert_eq!(job["attempts"], 1, "claimed once: {job}");
        let href = job["document"]["href"].as_str().expect("href");
        for node in [node_a, node_b] {
            let r = reqwest::blocking::get(format!("{}{href}", node.base)).expect("document");
            assert_eq!(r.status().as_u16(), 200, "{href} on {}", node.base);
            let bytes = r.bytes().unwrap();
            assert!(bytes.starts_with(b"%PDF-"));
            assert_eq!(job["document"]["bytes"], bytes.len());
        }
    }
}

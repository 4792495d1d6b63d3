//! The whole permission matrix, over the real binary: `zesummen serve --demo` on a SQLite data
//! directory and on PostgreSQL, accounts made by `zesummen user add`, sessions opened through
//! `POST /api/v1/session`, and every write route of the catalogue and of SPIRAL (and the reads
//! that depend on who asks) tried by every role, anonymous included.
//!
//! The expected statuses are data: one row per route, one column per role. Each cell gets
//! fresh targets where a write would change what a later cell finds (a new draft to publish,
//! a new criterion to delete). On a mismatch the whole observed table is printed.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::Method;
use reqwest::blocking::{Client, multipart};
use serde_json::{Value, json};
use store_postgres::scratch::ScratchDatabase;

const PASSWORD: &str = "correct horse battery staple";
/// The SPIRAL platform of the corpus (data/corpus/spiral-blegny.txt).
const BLEGNY: &str = "Blégny";

/// Who asks; the columns of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    Admin,
    Editor,
    /// A contributor bound to the commune of Strassen.
    Strassen,
    /// A contributor bound to the commune of Differdange.
    Differdange,
    /// A facilitator bound to the platform Blégny.
    Facilitator,
}

const ROLES: [Role; 6] = [
    Role::Anonymous,
    Role::Admin,
    Role::Editor,
    Role::Strassen,
    Role::Differdange,
    Role::Facilitator,
];

impl Role {
    fn column(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Strassen => "contributor Strassen",
            Role::Differdange => "contributor Differdange",
            Role::Facilitator => "facilitator Blégny",
        }
    }

    /// `zesummen user add` arguments for this role, none for anonymous.
    fn account(self) -> Option<(&'static str, Vec<&'static str>)> {
        let (email, role, extra): (&str, &str, &[&str]) = match self {
            Role::Anonymous => return None,
            Role::Admin => ("ada@zesummen.lu", "admin", &[]),
            Role::Editor => ("eva@zesummen.lu", "editor", &[]),
            Role::Strassen => ("jos@strassen.lu", "contributor", &["--commune", "Strassen"]),
            Role::Differdange => (
                "lea@differdange.lu",
                "contributor",
                &["--commune", "Differdange"],
            ),
            Role::Facilitator => ("anne@blegny.be", "facilitator", &["--platform", BLEGNY]),
        };
        let mut args = vec!["user", "add", "--email", email, "--role", role];
        args.extend_from_slice(extra);
        args.push("--password-stdin");
        Some((email, args))
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

/// A running `zesummen serve`, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the store is: `--data-dir` (SQLite) or `--database`.
fn store_args(data_dir: &Path, database: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data-dir".to_string(), data_dir.display().to_string()];
    if let Some(url) = database {
        args.extend(["--database".to_string(), url.to_string()]);
    }
    args
}

fn serve_demo(store: &[String]) -> Server {
    let mut child = zesummen()
        .args(store)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut server = Server {
        child,
        base: String::new(),
    };
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.expect("serve output");
        if let Some(rest) = line.strip_prefix("zesummen is serving on ") {
            server.base = rest.trim_end_matches('/').to_string();
            break;
        }
    }
    assert!(!server.base.is_empty(), "the server did not start");
    std::thread::spawn(move || for _ in lines {});
    server
}

/// The signed-in users and what the rows need to set up their targets.
struct Ctx {
    base: String,
    client: Client,
    tokens: Vec<(Role, String)>,
    blegny: i64,
    group: i64,
    fresh: AtomicU32,
}

impl Ctx {
    fn token(&self, role: Role) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, t)| t.as_str())
    }

    /// A request as `role`; answers the status and the body (JSON, or null).
    fn send(&self, role: Role, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = self.token(role) {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().expect("request");
        let status = r.status().as_u16();
        let text = r.text().expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    #[allow(clippy::needless_pass_by_value)] // the rows read best with `Some(json!(…))`
    fn status(&self, role: Role, method: Method, path: &str, body: Option<Value>) -> u16 {
        self.send(role, method, path, body.as_ref()).0
    }

    /// A setup step that must succeed; answers the body.
    #[allow(clippy::needless_pass_by_value)] // the rows read best with `Some(json!(…))`
    fn must(&self, role: Role, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.send(role, method.clone(), path, body.as_ref());
        assert!(
            (200..300).contains(&status),
            "setup {method} {path} as {}: {status} {v}",
            role.column()
        );
        v
    }

    /// A name no other cell uses.
    fn unique(&self, what: &str) -> String {
        format!("{what} {}", self.fresh.fetch_add(1, Ordering::Relaxed))
    }

    /// A new practice of `commune`, moved by an editor to `status`.
    fn practice(&self, commune: &str, status: &str) -> i64 {
        let title = self.unique(&format!("Pratique de {commune}"));
        let v = self.must(
            Role::Editor,
            Method::POST,
            "/api/v1/practices",
            Some(json!({
                "title": title,
                "communes": [commune],
                "contacts": [{"name": "Marie Muller", "emails": ["marie@example.lu"]}],
            })),
        );
        let id = v["id"].as_i64().expect("id");
        let steps: &[&str] = match status {
            "draft" => &[],
            "submitted" => &["submit"],
            "published" => &["submit", "publish"],
            other => panic!("no setup for status {other}"),
        };
        for step in steps {
            self.must(
                Role::Editor,
                Method::POST,
                &format!("/api/v1/practices/{id}/{step}"),
                None,
            );
        }
        id
    }

    fn upload(&self, role: Role, practice: i64) -> u16 {
        let form = multipart::Form::new().part(
            "file",
            multipart::Part::bytes(PDF.to_vec()).file_name("flyer.pdf"),
        );
        let mut req = self
            .client
            .post(format!(
                "{}/api/v1/practices/{practice}/attachments",
                self.base
            ))
            .multipart(form);
        if let Some(t) = self.token(role) {
            req = req.bearer_auth(t);
        }
        req.send().expect("upload").status().as_u16()
    }

    fn criterion(&self) -> i64 {
        let v = self.must(
            Role::Admin,
            Method::POST,
            &format!("/api/v1/spiral/groups/{}/criteria", self.group),
            Some(json!({"question": "WB", "text": self.unique("un post-it")})),
        );
        v["id"].as_i64().expect("id")
    }

    fn action(&self) -> i64 {
        let v = self.must(
            Role::Admin,
            Method::POST,
            "/api/v1/spiral/actions",
            Some(json!({"platform": BLEGNY, "title": self.unique("Repair café")})),
        );
        v["id"].as_i64().expect("id")
    }

    fn indicator(&self) -> i64 {
        let v = self.must(
            Role::Admin,
            Method::POST,
            "/api/v1/spiral/indicators",
            Some(json!({"platform": BLEGNY, "component": "I07", "title": self.unique("Entraide")})),
        );
        v["id"].as_i64().expect("id")
    }
}

/// A small but real PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n\
2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";

/// One route of the matrix: what it is, what each role must get, and how a cell is tried.
struct Row {
    route: &'static str,
    /// In the order of [`ROLES`].
    expect: [u16; 6],
    cell: fn(&Ctx, Role) -> u16,
}

const A: u16 = 401;
const F: u16 = 403;
const N: u16 = 404;

#[rustfmt::skip]
fn rows() -> Vec<Row> {
    vec![
        // ------------------------------------------------ the catalogue
        //                                                anon admin editor Strassen Differdange facilitator
        Row { route: "POST /api/v1/practices (Strassen)", expect: [A, 201, 201, 201, F, F],
            cell: |c, r| c.status(r, Method::POST, "/api/v1/practices",
                Some(json!({"title": c.unique("Nouvelle pratique"), "communes": ["Strassen"]}))) },
        Row { route: "PATCH /api/v1/practices/{id} (Differdange draft)", expect: [A, 200, 200, F, 200, F],
            cell: |c, r| { let id = c.practice("Differdange", "draft");
                c.status(r, Method::PATCH, &format!("/api/v1/practices/{id}"), Some(json!({"costs": "aucun"}))) } },
        Row { route: "PATCH /api/v1/practices/{id} (Strassen, published)", expect: [A, 200, 200, 409, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "published");
                c.status(r, Method::PATCH, &format!("/api/v1/practices/{id}"), Some(json!({"costs": "aucun"}))) } },
        Row { route: "POST /api/v1/practices/{id}/submit (Strassen draft)", expect: [A, 200, 200, 200, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "draft");
                c.status(r, Method::POST, &format!("/api/v1/practices/{id}/submit"), None) } },
        Row { route: "POST /api/v1/practices/{id}/publish (Strassen, submitted)", expect: [A, 200, 200, F, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "submitted");
                c.status(r, Method::POST, &format!("/api/v1/practices/{id}/publish"), None) } },
        Row { route: "POST /api/v1/practices/{id}/reject (Strassen, submitted)", expect: [A, 200, 200, F, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "submitted");
                c.status(r, Method::POST, &format!("/api/v1/practices/{id}/reject"), Some(json!({"comment": "à compléter"}))) } },
        Row { route: "POST /api/v1/practices/{id}/archive (Strassen, published)", expect: [A, 200, 200, F, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "published");
                c.status(r, Method::POST, &format!("/api/v1/practices/{id}/archive"), None) } },
        Row { route: "POST /api/v1/practices/{id}/revisions/1/restore", expect: [A, 200, 200, F, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "draft");
                c.must(Role::Editor, Method::PATCH, &format!("/api/v1/practices/{id}"), Some(json!({"costs": "gratuit"})));
                c.status(r, Method::POST, &format!("/api/v1/practices/{id}/revisions/1/restore"), None) } },
        Row { route: "POST /api/v1/practices/{id}/erase-contact", expect: [A, 204, 204, F, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "published");
                c.status(r, Method::POST, &format!("/api/v1/practices/{id}/erase-contact"), Some(json!({"name": "Marie Muller"}))) } },
        Row { route: "POST /api/v1/practices/{id}/attachments (Strassen draft)", expect: [A, 201, 201, 201, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "draft"); c.upload(r, id) } },
        Row { route: "DELETE /api/v1/attachments/{id} (Strassen draft)", expect: [A, 204, 204, 204, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "draft");
                assert_eq!(c.upload(Role::Editor, id), 201);
                let list = c.must(Role::Editor, Method::GET, &format!("/api/v1/practices/{id}/attachments"), None);
                let a = list["attachments"][0]["id"].as_i64().expect("attachment");
                c.status(r, Method::DELETE, &format!("/api/v1/attachments/{a}"), None) } },
        // ------------------------------------------------ reads that depend on who asks
        Row { route: "GET /api/v1/practices/{id} (Strassen draft)", expect: [N, 200, 200, 200, N, N],
            cell: |c, r| { let id = c.practice("Strassen", "draft");
                c.status(r, Method::GET, &format!("/api/v1/practices/{id}"), None) } },
        Row { route: "GET /api/v1/practices/{id}/revisions (Strassen, published)", expect: [A, 200, 200, 200, F, F],
            cell: |c, r| { let id = c.practice("Strassen", "published");
                c.status(r, Method::GET, &format!("/api/v1/practices/{id}/revisions"), None) } },
        Row { route: "GET /api/v1/review-queue", expect: [A, 200, 200, F, F, F],
            cell: |c, r| c.status(r, Method::GET, "/api/v1/review-queue", None) },
        Row { route: "GET /api/v1/my/drafts", expect: [A, 200, 200, 200, 200, 200],
            cell: |c, r| c.status(r, Method::GET, "/api/v1/my/drafts", None) },
        // ------------------------------------------------ SPIRAL
        Row { route: "POST /api/v1/spiral/platforms", expect: [A, 201, F, F, F, F],
            cell: |c, r| c.status(r, Method::POST, "/api/v1/spiral/platforms", Some(json!({"name": c.unique("Plateforme")}))) },
        Row { route: "PATCH /api/v1/spiral/platforms/{Blégny}", expect: [A, 204, F, F, F, 204],
            cell: |c, r| c.status(r, Method::PATCH, &format!("/api/v1/spiral/platforms/{}", c.blegny),
                Some(json!({"name": BLEGNY, "country": "Belgique", "languages": ["fr"]}))) },
        Row { route: "POST /api/v1/spiral/platforms/{Blégny}/groups", expect: [A, 201, F, F, F, 201],
            cell: |c, r| c.status(r, Method::POST, &format!("/api/v1/spiral/platforms/{}/groups", c.blegny),
                Some(json!({"name": c.unique("Groupe des aînés")}))) },
        Row { route: "PATCH /api/v1/spiral/groups/{id}", expect: [A, 204, F, F, F, 204],
            cell: |c, r| { let g = c.must(Role::Admin, Method::POST, &format!("/api/v1/spiral/platforms/{}/groups", c.blegny),
                    Some(json!({"name": c.unique("Groupe")})))["id"].as_i64().expect("group");
                c.status(r, Method::PATCH, &format!("/api/v1/spiral/groups/{g}"), Some(json!({"name": c.unique("Groupe renommé")}))) } },
        Row { route: "POST /api/v1/spiral/groups/{id}/criteria", expect: [A, 201, F, F, F, 201],
            cell: |c, r| c.status(r, Method::POST, &format!("/api/v1/spiral/groups/{}/criteria", c.group),
                Some(json!({"question": "IB", "text": "se sentir seul le dimanche"}))) },
        Row { route: "PATCH /api/v1/spiral/criteria/{id}", expect: [A, 204, F, F, F, 204],
            cell: |c, r| { let id = c.criterion();
                c.status(r, Method::PATCH, &format!("/api/v1/spiral/criteria/{id}"), Some(json!({"component": "D00"}))) } },
        Row { route: "DELETE /api/v1/spiral/criteria/{id}", expect: [A, 204, F, F, F, 204],
            cell: |c, r| { let id = c.criterion();
                c.status(r, Method::DELETE, &format!("/api/v1/spiral/criteria/{id}"), None) } },
        Row { route: "POST /api/v1/spiral/actions", expect: [A, 201, F, F, F, 201],
            cell: |c, r| c.status(r, Method::POST, "/api/v1/spiral/actions",
                Some(json!({"platform": BLEGNY, "title": c.unique("Jardin partagé")}))) },
        Row { route: "PATCH /api/v1/spiral/actions/{id}", expect: [A, 204, F, F, F, 204],
            cell: |c, r| { let id = c.action();
                c.status(r, Method::PATCH, &format!("/api/v1/spiral/actions/{id}"),
                    Some(json!({"platform": BLEGNY, "title": c.unique("Jardin"), "status": "decided"}))) } },
        Row { route: "POST /api/v1/spiral/indicators", expect: [A, 201, F, F, F, 201],
            cell: |c, r| c.status(r, Method::POST, "/api/v1/spiral/indicators",
                Some(json!({"platform": BLEGNY, "component": "I07", "title": c.unique("Entraide")}))) },
        Row { route: "PATCH /api/v1/spiral/indicators/{id}", expect: [A, 204, F, F, F, 204],
            cell: |c, r| { let id = c.indicator();
                c.status(r, Method::PATCH, &format!("/api/v1/spiral/indicators/{id}"),
                    Some(json!({"title": c.unique("Entraide"), "levels": ["aucune", "peu", "moyenne", "bonne", "très bonne"]}))) } },
        Row { route: "POST /api/v1/spiral/indicators/{id}/evaluations", expect: [A, 201, F, F, F, 201],
            cell: |c, r| { let id = c.indicator();
                c.status(r, Method::POST, &format!("/api/v1/spiral/indicators/{id}/evaluations"),
                    Some(json!({"date": "2026-06-15", "level": 3}))) } },
    ]
}

/// The table as markdown, each cell the observed status, with the expected one beside a
/// mismatch.
fn table(rows: &[Row], observed: &[[u16; 6]]) -> String {
    let mut out = String::from("| route |");
    for r in ROLES {
        let _ = write!(out, " {} |", r.column());
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(ROLES.len()));
    out.push('\n');
    for (row, seen) in rows.iter().zip(observed) {
        let _ = write!(out, "| {} |", row.route);
        for (got, want) in seen.iter().zip(row.expect) {
            if *got == want {
                let _ = write!(out, " {got} |");
            } else {
                let _ = write!(out, " **{got}** (expected {want}) |");
            }
        }
        out.push('\n');
    }
    out
}

fn search_total(ctx: &Ctx, query: &str) -> u64 {
    let (status, v) = ctx.send(
        Role::Anonymous,
        Method::GET,
        &format!("/api/v1/practices?{query}"),
        None,
    );
    assert_eq!(status, 200, "{v}");
    v["total"].as_u64().expect("total")
}

/// The story the issue names: a contributor's practice, invisible until an editor publishes.
fn only_publishing_shows_a_practice(ctx: &Ctx) {
    let title = "Fête des voisins Zolwerfeldfest";
    let v = ctx.must(
        Role::Strassen,
        Method::POST,
        "/api/v1/practices",
        Some(json!({"title": title, "communes": ["Strassen"], "description": "Une fête de quartier."})),
    );
    let id = v["id"].as_i64().expect("id");
    let path = format!("/api/v1/practices/{id}");
    let query = "q=Zolwerfeldfest";
    assert_eq!(ctx.status(Role::Anonymous, Method::GET, &path, None), 404);
    assert_eq!(search_total(ctx, query), 0);
    ctx.must(
        Role::Strassen,
        Method::POST,
        &format!("{path}/submit"),
        None,
    );
    assert_eq!(
        ctx.status(
            Role::Strassen,
            Method::POST,
            &format!("{path}/publish"),
            None
        ),
        403
    );
    assert_eq!(
        ctx.status(
            Role::Differdange,
            Method::PATCH,
            &path,
            Some(json!({"costs": "x"}))
        ),
        403
    );
    assert_eq!(ctx.status(Role::Anonymous, Method::GET, &path, None), 404);
    assert_eq!(search_total(ctx, query), 0);
    assert_eq!(
        ctx.status(Role::Editor, Method::POST, &format!("{path}/publish"), None),
        200
    );
    let (status, p) = ctx.send(Role::Anonymous, Method::GET, &path, None);
    assert_eq!((status, p["title"].as_str()), (200, Some(title)), "{p}");
    let (_, found) = ctx.send(
        Role::Anonymous,
        Method::GET,
        &format!("/api/v1/practices?{query}"),
        None,
    );
    assert_eq!(found["hits"][0]["id"], id, "{found}");
}

fn login(base: &str, client: &Client, email: &str) -> String {
    let r = client
        .post(format!("{base}/api/v1/session"))
        .header("content-type", "application/json")
        .body(json!({"email": email, "password": PASSWORD}).to_string())
        .send()
        .expect("login");
    assert_eq!(r.status().as_u16(), 200, "login of {email}");
    let v: Value = serde_json::from_str(&r.text().expect("body")).expect("JSON");
    v["token"].as_str().expect("token").to_string()
}

fn matrix(data_dir: &Path, database: Option<&str>) {
    let store = store_args(data_dir, database);
    let server = serve_demo(&store);
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut tokens = Vec::new();
    for role in ROLES {
        let Some((email, args)) = role.account() else {
            continue;
        };
        let out = zesummen()
            .args(&store)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("{PASSWORD}\n").as_bytes())?;
                child.wait_with_output()
            })
            .expect("user add");
        assert!(
            out.status.success(),
            "user add {email}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tokens.push((role, login(&server.base, &client, email)));
    }
    let platforms: Value = serde_json::from_str(
        &client
            .get(format!("{}/api/v1/spiral/platforms", server.base))
            .send()
            .and_then(reqwest::blocking::Response::text)
            .expect("platforms"),
    )
    .expect("JSON");
    let blegny = platforms["platforms"]
        .as_array()
        .expect("platforms")
        .iter()
        .find(|p| p["name"] == BLEGNY)
        .expect("the demo has Blégny");
    let ctx = Ctx {
        base: server.base.clone(),
        client,
        tokens,
        blegny: blegny["id"].as_i64().expect("platform id"),
        group: blegny["groups"][0]["id"].as_i64().expect("a group"),
        fresh: AtomicU32::new(1),
    };

    only_publishing_shows_a_practice(&ctx);

    let rows = rows();
    let observed: Vec<[u16; 6]> = rows
        .iter()
        .map(|row| ROLES.map(|role| (row.cell)(&ctx, role)))
        .collect();
    let table = table(&rows, &observed);
    eprintln!("{table}");
    let wrong = rows
        .iter()
        .zip(&observed)
        .filter(|(row, seen)| row.expect != **seen)
        .count();
    assert_eq!(
        wrong, 0,
        "{wrong} rows differ from the expected matrix:\n{table}"
    );
}

#[test]
fn every_role_against_every_write_route_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    matrix(&dir.path().join("data"), None);
}

#[test]
fn every_role_against_every_write_route_on_postgres() {
    let db = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(ScratchDatabase::create())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    matrix(&dir.path().join("data"), Some(db.url()));
}

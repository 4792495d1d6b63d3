//! The catalogue's write API over the real server: the editorial workflow with its revisions,
//! restore, contact erasure, attachments, what stays hidden from the public, and input limits.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const STRASSEN: &str = "jos@strassen.lu";
const DIFFERDANGE: &str = "lea@differdange.lu";
const EDITOR: &str = "eva@zesummen.lu";

/// A word found in no corpus practice, so that search and exports can be asked about it.
const MARKER: &str = "Kwetschentaart";

struct Actors {
    strassen: String,
    differdange: String,
    editor: String,
}

async fn actors(app: &TestApp) -> Actors {
    app.add_account(STRASSEN, "contributor", &[], &["Strassen"])
        .await;
    app.add_account(DIFFERDANGE, "contributor", &[], &["Differdange"])
        .await;
    app.add_account(EDITOR, "editor", &[], &[]).await;
    Actors {
        strassen: app.token(STRASSEN).await,
        differdange: app.token(DIFFERDANGE).await,
        editor: app.token(EDITOR).await,
    }
}

fn draft_body(title: &str) -> Value {
    json!({
        "title": title,
        "institution": "Commune de Strassen",
        "communes": ["Strassen"],
        "themes": ["Langues"],
        "description": format!("Un atelier {MARKER} où voisins et nouveaux arrivants cuisinent ensemble."),
        "contacts": [
            {"name": "Marie Muller", "role": "coordinatrice", "emails": ["marie.muller@strassen.lu"], "phones": ["31 02 62 1"]},
            {"name": "Paul Weber", "organisation": "Office social"}
        ]
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, v) = app
        .send(Method::POST, "/api/v1/practices", Some(token), Some(body))
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["status"], "draft", "{v}");
    v["id"].as_i64().expect("id")
}

async fn step(
    app: &TestApp,
    token: Option<&str>,
    id: i64,
    step: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.send(
        Method::POST,
        &format!("/api/v1/practices/{id}/{step}"),
        token,
        body,
    )
    .await
}

async fn get_as(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    app.send(Method::GET, path, token, None).await
}

/// Whether the public sees the marker anywhere: search, CSV and JSON exports.
async fn public_sees_marker(app: &TestApp) -> [bool; 3] {
    let (_, search) = app.json(&format!("/api/v1/practices?q={MARKER}")).await;
    let csv = app.get("/api/v1/practices.csv").await.text().await.unwrap();
    let exported = app
        .get("/api/v1/practices.json")
        .await
        .text()
        .await
        .unwrap();
    [
        search["total"].as_u64().unwrap() > 0,
        csv.contains(MARKER),
        exported.contains(MARKER),
    ]
}

fn field(v: &Value) -> &str {
    v["error"]["field"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn draft_submit_reject_edit_submit_publish_archive() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let id = create(&app, &who.strassen, draft_body("Atelier cuisine du monde")).await;
    let path = format!("/api/v1/practices/{id}");

    // A draft exists for its author and editors only: not in GET, search or exports.
    assert_eq!(app.json(&path).await.0, 404);
    assert_eq!(get_as(&app, &path, Some(&who.differdange)).await.0, 404);
    let (status, p) = get_as(&app, &path, Some(&who.strassen)).await;
    assert_eq!((status, p["status"].as_str()), (200, Some("draft")), "{p}");
    assert_eq!(get_as(&app, &path, Some(&who.editor)).await.0, 200);
    // The browser session cookie works for reads as the bearer token does.
    let session = app.login(STRASSEN).await;
    let r = app
        .client
        .get(app.url(&path))
        .header(
            "cookie",
            format!("zs_session={}", session["token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(public_sees_marker(&app).await, [false; 3]);
    let (_, mine) = get_as(&app, "/api/v1/my/drafts", Some(&who.strassen)).await;
    assert_eq!(mine["practices"][0]["id"], id, "{mine}");
    assert_eq!(mine["practices"][0]["title"], "Atelier cuisine du monde");
    let (_, theirs) = get_as(&app, "/api/v1/my/drafts", Some(&who.differdange)).await;
    assert!(
        theirs["practices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != id),
        "{theirs}"
    );

    // Submit; a contributor may not publish, nor another commune's contributor edit.
    let (status, v) = step(&app, Some(&who.strassen), id, "submit", None).await;
    assert_eq!(
        (status, &v),
        (200, &json!({"id": id, "status": "submitted"}))
    );
    assert_eq!(
        step(&app, Some(&who.strassen), id, "publish", None).await.0,
        403
    );
    assert_eq!(step(&app, None, id, "publish", None).await.0, 401);
    assert_eq!(
        app.send(
            Method::PATCH,
            &path,
            Some(&who.differdange),
            Some(json!({"costs": "aucun"}))
        )
        .await
        .0,
        403,
        "another commune's contributor edits nothing of Strassen's"
    );
    let (_, queue) = get_as(&app, "/api/v1/review-queue", Some(&who.editor)).await;
    assert!(
        queue["practices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id && p["status"] == "submitted"),
        "{queue}"
    );
    assert_eq!(
        get_as(&app, "/api/v1/review-queue", Some(&who.strassen))
            .await
            .0,
        403
    );
    assert_eq!(get_as(&app, "/api/v1/review-queue", None).await.0, 401);

    // Reject needs a comment.
    let (status, v) = step(&app, Some(&who.editor), id, "reject", None).await;
    assert_eq!((status, field(&v)), (422, "comment"), "{v}");
    let (status, v) = step(
        &app,
        Some(&who.editor),
        id,
        "reject",
        Some(json!({"comment": "Précisez le public cible."})),
    )
    .await;
    assert_eq!((status, v["status"].as_str()), (200, Some("draft")), "{v}");

    // The author edits: the answer is the practice as stored.
    let (status, p) = app
        .send(
            Method::PATCH,
            &path,
            Some(&who.strassen),
            Some(json!({"target_public": "  Familles nouvellement arrivées  "})),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["target_public"], "Familles nouvellement arrivées");
    assert_eq!(
        p["title"], "Atelier cuisine du monde",
        "absent fields are kept"
    );
    assert_eq!(
        step(&app, Some(&who.strassen), id, "submit", None).await.0,
        200
    );

    // Publishing makes it public, and only then.
    assert_eq!(app.json(&path).await.0, 404);
    assert_eq!(public_sees_marker(&app).await, [false; 3]);
    let (status, v) = step(&app, Some(&who.editor), id, "publish", None).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (200, Some("published")),
        "{v}"
    );
    let (status, p) = app.json(&path).await;
    assert_eq!((status, p["status"].as_str()), (200, Some("published")));
    assert_eq!(public_sees_marker(&app).await, [true; 3]);
    let (_, found) = app
        .json("/api/v1/practices?q=Atelier%20cuisine%20du%20monde")
        .await;
    assert_eq!(found["hits"][0]["id"], id, "{found}");

    // A contributor does not change what the public sees: that goes through an editor.
    let (status, v) = app
        .send(
            Method::PATCH,
            &path,
            Some(&who.strassen),
            Some(json!({"costs": "gratuit"})),
        )
        .await;
    assert_eq!(status, 409, "{v}");

    // The history, newest first, with who did what and a field diff.
    let revisions_path = format!("{path}/revisions");
    assert_eq!(app.json(&revisions_path).await.0, 401);
    assert_eq!(
        get_as(&app, &revisions_path, Some(&who.differdange))
            .await
            .0,
        403
    );
    let (status, h) = get_as(&app, &revisions_path, Some(&who.strassen)).await;
    assert_eq!(status, 200, "{h}");
    let revisions = h["revisions"].as_array().unwrap();
    let actions: Vec<&str> = revisions
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["publish", "submit", "edit", "reject", "submit", "create"]
    );
    let numbers: Vec<i64> = revisions
        .iter()
        .map(|r| r["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [6, 5, 4, 3, 2, 1]);
    assert_eq!(revisions[0]["actor_email"], EDITOR);
    assert_eq!(revisions[2]["actor_email"], STRASSEN);
    assert_eq!(revisions[3]["comment"], "Précisez le public cible.");
    assert_eq!(revisions[3]["status"], "draft");
    assert_eq!(
        revisions[2]["changes"],
        json!([{"field": "target_public", "before": null, "after": "Familles nouvellement arrivées"}])
    );

    // Archived: out of the public's sight again.
    let (status, v) = step(&app, Some(&who.editor), id, "archive", None).await;
    assert_eq!((status, v["status"].as_str()), (200, Some("archived")));
    assert_eq!(app.json(&path).await.0, 404);
    assert_eq!(public_sees_marker(&app).await, [false; 3]);
    let (status, v) = step(&app, Some(&who.editor), id, "publish", None).await;
    assert_eq!(
        status, 409,
        "an archived practice is not published again: {v}"
    );
    let log = app.store.audit_log(20).await.unwrap();
    let target = format!("practice:{id}");
    for action in ["publish", "archive"] {
        assert!(
            log.iter().any(|e| e.action == action
                && e.target.as_deref() == Some(target.as_str())
                && e.actor_email.as_deref() == Some(EDITOR)),
            "{action} audited"
        );
    }
}

#[tokio::test]
async fn contributors_write_only_for_their_communes() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let mut other = draft_body("Maison des jeunes");
    other["communes"] = json!(["Differdange"]);
    other["institution"] = json!("Ville de Differdange");
    let (status, v) = app
        .send(
            Method::POST,
            "/api/v1/practices",
            Some(&who.strassen),
            Some(other.clone()),
        )
        .await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = app
        .send(
            Method::POST,
            "/api/v1/practices",
            Some(&who.strassen),
            Some(json!({"title": "Sans commune"})),
        )
        .await;
    assert_eq!((status, field(&v)), (422, "communes"), "{v}");
    let id = create(&app, &who.differdange, other).await;
    let path = format!("/api/v1/practices/{id}");
    // Published, the Differdange practice is seen by all, edited by Strassen's contributor never.
    step(&app, Some(&who.differdange), id, "submit", None).await;
    step(&app, Some(&who.editor), id, "publish", None).await;
    let (status, v) = app
        .send(
            Method::PATCH,
            &path,
            Some(&who.strassen),
            Some(json!({"costs": "aucun"})),
        )
        .await;
    assert_eq!(status, 403, "{v}");
    // An editor may; a contributor may not move it to their own commune either.
    let (status, _) = app
        .send(
            Method::PATCH,
            &path,
            Some(&who.editor),
            Some(json!({"costs": "aucun"})),
        )
        .await;
    assert_eq!(status, 200);
    let own = create(&app, &who.strassen, draft_body("Repair café")).await;
    let (status, v) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/practices/{own}"),
            Some(&who.strassen),
            Some(json!({"communes": ["Differdange"], "institution": ""})),
        )
        .await;
    assert_eq!(status, 403, "{v}");
}

#[tokio::test]
async fn an_editor_restores_an_older_revision() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let id = create(&app, &who.strassen, draft_body("Cours de luxembourgeois")).await;
    let path = format!("/api/v1/practices/{id}");
    for title in ["Cours de luxembourgeois pour adultes", "Cours de langue"] {
        let (status, _) = app
            .send(
                Method::PATCH,
                &path,
                Some(&who.strassen),
                Some(json!({"title": title})),
            )
            .await;
        assert_eq!(status, 200);
    }
    let restore = format!("{path}/revisions/2/restore");
    assert_eq!(
        app.send(Method::POST, &restore, Some(&who.strassen), None)
            .await
            .0,
        403
    );
    assert_eq!(app.send(Method::POST, &restore, None, None).await.0, 401);
    let (status, v) = app
        .send(
            Method::POST,
            &format!("{path}/revisions/9/restore"),
            Some(&who.editor),
            None,
        )
        .await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = app
        .send(
            Method::POST,
            &format!("{path}/revisions/x/restore"),
            Some(&who.editor),
            None,
        )
        .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("bad_parameter"))
    );
    let (status, p) = app
        .send(Method::POST, &restore, Some(&who.editor), None)
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["title"], "Cours de luxembourgeois pour adultes");
    let (_, h) = get_as(&app, &format!("{path}/revisions"), Some(&who.editor)).await;
    let newest = &h["revisions"][0];
    assert_eq!(newest["action"], "restore");
    assert_eq!(newest["number"], 4);
    assert_eq!(
        newest["changes"],
        json!([{"field": "title", "before": "Cours de langue", "after": "Cours de luxembourgeois pour adultes"}])
    );
    let log = app.store.audit_log(5).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "restore" && e.detail["revision"] == 2)
    );
}

/// The history as one JSON text.
async fn history(app: &TestApp, id: i64, token: &str) -> String {
    get_as(
        app,
        &format!("/api/v1/practices/{id}/revisions"),
        Some(token),
    )
    .await
    .1
    .to_string()
}

#[tokio::test]
async fn erasing_a_contact_removes_it_from_the_practice_and_every_revision() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let id = create(&app, &who.strassen, draft_body("Permanence sociale")).await;
    let path = format!("/api/v1/practices/{id}");
    // A revision whose diff holds the contact.
    let (status, _) = app
        .send(
            Method::PATCH,
            &path,
            Some(&who.strassen),
            Some(json!({"contacts": [
                {"name": "Marie Muller", "phones": ["621 00 00 00"]},
                {"name": "Paul Weber", "organisation": "Office social"}
            ]})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        history(&app, id, &who.editor)
            .await
            .contains("Marie Muller")
    );
    let erase = format!("{path}/erase-contact");
    let body = json!({"name": "Marie Muller"});
    assert_eq!(
        app.send(Method::POST, &erase, None, Some(body.clone()))
            .await
            .0,
        401
    );
    assert_eq!(
        app.send(
            Method::POST,
            &erase,
            Some(&who.strassen),
            Some(body.clone())
        )
        .await
        .0,
        403
    );
    let (status, v) = app
        .send(
            Method::POST,
            &erase,
            Some(&who.editor),
            Some(json!({"name": " "})),
        )
        .await;
    assert_eq!((status, field(&v)), (422, "name"), "{v}");
    let (status, v) = app
        .send(Method::POST, &erase, Some(&who.editor), Some(body.clone()))
        .await;
    assert_eq!(status, 204, "{v}");

    let (_, p) = get_as(&app, &path, Some(&who.editor)).await;
    assert!(!p.to_string().contains("Marie Muller"), "{p}");
    assert_eq!(p["contacts"][0]["name"], "Paul Weber");
    let h = history(&app, id, &who.editor).await;
    assert!(
        !h.contains("Marie Muller") && !h.contains("marie.muller"),
        "{h}"
    );
    assert!(h.contains("a contact was erased"), "{h}");
    // And in the store itself, every snapshot.
    for r in app.store.revisions(id).await.unwrap() {
        assert!(
            !serde_json::to_string(&r).unwrap().contains("Marie Muller"),
            "revision {}",
            r.number
        );
    }
    let log = app.store.audit_log(5).await.unwrap();
    let entry = log
        .iter()
        .find(|e| e.action == "erase_contact")
        .expect("erasure audited");
    assert_eq!(
        entry.target.as_deref(),
        Some(format!("practice:{id}").as_str())
    );
    assert_eq!(entry.actor_email.as_deref(), Some(EDITOR));
    assert!(!format!("{entry:?}").contains("Muller"));
    // Nothing left to erase.
    assert_eq!(
        app.send(Method::POST, &erase, Some(&who.editor), Some(body))
            .await
            .0,
        404
    );
}

/// A small but real PDF: one empty page.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n\
2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n\
3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n\
trailer <</Root 1 0 R>>\n%%EOF\n";

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let mut req = app
        .client
        .post(app.url(&format!("/api/v1/practices/{id}/attachments")))
        .multipart(form);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| json!(text)),
    )
}

#[tokio::test]
async fn attachments_are_checked_by_content_and_size() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let id = create(&app, &who.strassen, draft_body("Brochure d'accueil")).await;

    assert_eq!(
        upload(&app, None, id, "flyer.pdf", PDF.to_vec()).await.0,
        401
    );
    assert_eq!(
        upload(&app, Some(&who.differdange), id, "flyer.pdf", PDF.to_vec())
            .await
            .0,
        403
    );
    let (status, added) = upload(
        &app,
        Some(&who.strassen),
        id,
        "Dépliant été.pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["media_type"], "application/pdf");
    assert_eq!(added["size"], PDF.len());
    let attachment = added["id"].as_i64().unwrap();
    let url = format!("/api/v1/attachments/{attachment}");
    assert_eq!(added["url"], url);

    // Served with the sniffed type, as a download with its name encoded.
    let download = app
        .client
        .get(app.url(&url))
        .bearer_auth(&who.strassen)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"D_pliant _t_.pdf\"; filename*=UTF-8''D%C3%A9pliant%20%C3%A9t%C3%A9.pdf"
    );
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    // The practice is a draft: its files are as hidden as it is.
    assert_eq!(app.get(&url).await.status(), 404);
    let list = format!("/api/v1/practices/{id}/attachments");
    assert_eq!(app.json(&list).await.0, 404);
    let (status, listed) = get_as(&app, &list, Some(&who.strassen)).await;
    assert_eq!(status, 200);
    assert_eq!(listed["attachments"][0]["file_name"], "Dépliant été.pdf");

    // HTML named flyer.pdf is refused by its content.
    let (status, v) = upload(
        &app,
        Some(&who.strassen),
        id,
        "flyer.pdf",
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    assert_eq!((status, field(&v)), (422, "file"), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("flyer.pdf")
    );
    // One byte over 10 MiB: refused, naming the file; far over: 413 before it is read whole.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (status, v) = upload(&app, Some(&who.strassen), id, "big.pdf", big).await;
    assert_eq!((status, field(&v)), (422, "file"), "{v}");
    let mut huge = PDF.to_vec();
    huge.resize(12 * 1024 * 1024, b' ');
    let (status, v) = upload(&app, Some(&who.strassen), id, "huge.pdf", huge).await;
    assert_eq!((status, field(&v)), (413, "file"), "{v}");
    // Other routes keep their 2 MiB limit.
    let mut oversized = draft_body("x");
    oversized["description"] = json!("a".repeat(3 * 1024 * 1024));
    let (status, v) = app
        .send(
            Method::POST,
            "/api/v1/practices",
            Some(&who.strassen),
            Some(oversized),
        )
        .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (413, Some("too_large")),
        "{v}"
    );
    let (_, listed) = get_as(&app, &list, Some(&who.strassen)).await;
    assert_eq!(listed["attachments"].as_array().unwrap().len(), 1);

    // Deleting: not by another commune's contributor; by the author; audited.
    assert_eq!(
        app.send(Method::DELETE, &url, Some(&who.differdange), None)
            .await
            .0,
        403
    );
    assert_eq!(
        app.send(Method::DELETE, &url, Some(&who.strassen), None)
            .await
            .0,
        204
    );
    assert_eq!(get_as(&app, &url, Some(&who.strassen)).await.0, 404);
    let log = app.store.audit_log(5).await.unwrap();
    assert!(log.iter().any(|e| e.action == "delete"
        && e.target.as_deref() == Some(format!("attachment:{attachment}").as_str())));
    let (_, h) = get_as(
        &app,
        &format!("/api/v1/practices/{id}/revisions"),
        Some(&who.editor),
    )
    .await;
    assert_eq!(h["revisions"][0]["action"], "detach");
    assert_eq!(h["revisions"][1]["action"], "attach");
}

#[tokio::test]
async fn bad_input_names_its_field() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let post = |body: Value| {
        let app = &app;
        let token = who.strassen.clone();
        async move {
            app.send(Method::POST, "/api/v1/practices", Some(&token), Some(body))
                .await
        }
    };
    let mut long = draft_body("t");
    long["title"] = json!("é".repeat(301));
    let (status, v) = post(long).await;
    assert_eq!((status, field(&v)), (422, "title"), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("301 characters")
    );
    let mut exact = draft_body("t");
    exact["title"] = json!("é".repeat(300));
    assert_eq!(post(exact).await.0, 201);

    // Control characters but tab and line breaks are refused, field by field.
    for (key, value) in [
        ("description", "Un café\u{7} des langues"),
        ("title", "Titre\u{1D}"),
        ("institution", "Commune\u{9D} de Strassen"),
    ] {
        let mut body = draft_body("Titre");
        body[key] = json!(value);
        let (status, v) = post(body).await;
        assert_eq!((status, field(&v)), (422, key), "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("U+00"),
            "{v}"
        );
    }
    let mut lines = draft_body("Titre");
    lines["description"] = json!("Ligne 1\r\n\tLigne 2");
    assert_eq!(post(lines).await.0, 201);

    // A misspelt commune is a field error naming the closest, not a refusal of the account.
    let mut misspelt = draft_body("Titre");
    misspelt["communes"] = json!(["Strasen"]);
    let (status, v) = post(misspelt).await;
    assert_eq!((status, field(&v)), (422, "communes"), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean Strassen"),
        "{v}"
    );

    let mut unknown = draft_body("Titre");
    unknown["titel"] = json!("typo");
    let (status, v) = post(unknown).await;
    assert_eq!((status, field(&v)), (422, "titel"), "{v}");
    let mut wrong = draft_body("Titre");
    wrong["contacts"][1]["emails"] = json!("paul@strassen.lu");
    let (status, v) = post(wrong).await;
    assert_eq!((status, field(&v)), (422, "contacts[1].emails"), "{v}");
    let mut bad_email = draft_body("Titre");
    bad_email["contacts"][0]["emails"] = json!(["marie at strassen"]);
    let (status, v) = post(bad_email).await;
    assert_eq!((status, field(&v)), (422, "contacts[0].emails"), "{v}");
    let mut bad_site = draft_body("Titre");
    bad_site["websites"] = json!(["javascript:alert(1)"]);
    assert_eq!(field(&post(bad_site).await.1), "websites");
    assert_eq!(field(&post(json!({"title": ""})).await.1), "title");

    // Not JSON at all: a JSON error too, never plain text.
    let r = app
        .client
        .post(app.url("/api/v1/practices"))
        .bearer_auth(&who.strassen)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "bad_parameter");
    let (status, v) = app
        .send(
            Method::PATCH,
            "/api/v1/practices/abc",
            Some(&who.strassen),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("bad_parameter"))
    );
    let (status, _) = app
        .send(
            Method::PATCH,
            "/api/v1/practices/999999",
            Some(&who.editor),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404);

    // A cookie write needs the CSRF header.
    let session = app.login(STRASSEN).await;
    let cookie = format!("zs_session={}", session["token"].as_str().unwrap());
    let r = app
        .client
        .post(app.url("/api/v1/practices"))
        .header("cookie", &cookie)
        .json(&draft_body("Par le cookie"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "csrf");
    let r = app
        .client
        .post(app.url("/api/v1/practices"))
        .header("cookie", &cookie)
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
        .json(&draft_body("Par le cookie"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn the_openapi_document_describes_the_write_routes() {
    let app = spawn_app().await;
    let (_, doc) = app.json("/api/v1/openapi.json").await;
    for (path, method) in [
        ("/api/v1/practices", "post"),
        ("/api/v1/practices/{id}", "patch"),
        ("/api/v1/practices/{id}/submit", "post"),
        ("/api/v1/practices/{id}/publish", "post"),
        ("/api/v1/practices/{id}/reject", "post"),
        ("/api/v1/practices/{id}/archive", "post"),
        ("/api/v1/practices/{id}/revisions", "get"),
        ("/api/v1/practices/{id}/revisions/{number}/restore", "post"),
        ("/api/v1/practices/{id}/erase-contact", "post"),
        ("/api/v1/practices/{id}/attachments", "post"),
        ("/api/v1/practices/{id}/attachments", "get"),
        ("/api/v1/attachments/{id}", "get"),
        ("/api/v1/attachments/{id}", "delete"),
        ("/api/v1/review-queue", "get"),
        ("/api/v1/my/drafts", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    // The GET of the catalogue is still there beside the POST on the same path.
    assert!(doc["paths"]["/api/v1/practices"]["get"].is_object());
    let upload = &doc["paths"]["/api/v1/practices/{id}/attachments"]["post"];
    for status in ["401", "403", "404", "413", "422"] {
        assert!(upload["responses"][status].is_object(), "{status}");
    }
    assert!(upload["requestBody"]["content"]["multipart/form-data"].is_object());
    assert!(doc["components"]["schemas"]["PracticeInput"].is_object());
}

/// A page asked again with its `ETag` answers 304 without a body, until the practice changes:
/// the next answer is whole, with a new tag. Per language, and for the API too.
#[tokio::test]
async fn unchanged_pages_answer_304_and_a_change_shows_at_once() {
    let app = spawn_app().await;
    let who = actors(&app).await;
    let id = create(&app, &who.strassen, draft_body("Atelier des saveurs")).await;
    assert_eq!(
        step(&app, Some(&who.strassen), id, "submit", None).await.0,
        200
    );
    assert_eq!(
        step(&app, Some(&who.editor), id, "publish", None).await.0,
        200
    );
    let (_, v) = app.json(&format!("/api/v1/practices/{id}")).await;
    let page = format!("/pratiques/{id}/{}", v["slug"].as_str().unwrap());

    let ask = |path: String, tag: Option<String>, lang: &'static str| {
        let mut req = app
            .client
            .get(app.url(&path))
            .header("Accept-Language", lang);
        if let Some(t) = tag {
            req = req.header("If-None-Match", t);
        }
        req.send()
    };
    let first = ask(page.clone(), None, "fr").await.unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with('"') && tag.len() == 34, "{tag}");
    assert!(first.text().await.unwrap().contains("Atelier des saveurs"));

    let again = ask(page.clone(), Some(tag.clone()), "fr").await.unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.text().await.unwrap().is_empty());

    // Another language is another page.
    let english = ask(page.clone(), Some(tag.clone()), "en").await.unwrap();
    assert_eq!(english.status().as_u16(), 200);
    assert_ne!(english.headers()["etag"].to_str().unwrap(), tag);

    // An editor's change shows at once, whole.
    let (status, v) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/practices/{id}"),
            Some(&who.editor),
            Some(json!({"costs": "gratuit, sur inscription"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let changed = ask(page.clone(), Some(tag.clone()), "fr").await.unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    let new_tag = changed.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_tag, tag);
    assert!(
        changed
            .text()
            .await
            .unwrap()
            .contains("gratuit, sur inscription")
    );

    // The API answers conditionally too; streamed exports carry no tag.
    let api = ask(format!("/api/v1/practices/{id}"), None, "fr")
        .await
        .unwrap();
    let api_tag = api.headers()["etag"].to_str().unwrap().to_string();
    let api_again = ask(format!("/api/v1/practices/{id}"), Some(api_tag), "fr")
        .await
        .unwrap();
    assert_eq!(api_again.status().as_u16(), 304);
    let csv = ask("/api/v1/practices.csv".into(), None, "fr")
        .await
        .unwrap();
    assert!(csv.headers().get("etag").is_none());
    // A write is never answered 304.
    let (status, _) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/practices/{id}"),
            Some(&who.editor),
            Some(json!({"costs": "gratuit"})),
        )
        .await;
    assert_eq!(status, 200);
}

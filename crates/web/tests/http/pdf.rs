//! PDF downloads over HTTP, read back with poppler's `pdftotext` (scripts/pdf-tools.sh).

use std::process::Command;

use crate::helpers::{TestApp, spawn_app};

/// The text of a PDF, whitespace folded, without the zero-width break opportunities.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils): run scripts/test.sh, or apt-get install poppler-utils");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{200B}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fetches a PDF and checks that it is one.
async fn pdf(app: &TestApp, path: &str) -> Vec<u8> {
    let r = app.get(path).await;
    assert_eq!(r.status().as_u16(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "application/pdf", "{path}");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".pdf\""),
        "{path} names its file"
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "{path}");
    bytes
}

async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let (status, v) = app.json(&format!("/api/v1/practices.json{query}")).await;
    assert_eq!(status, 200);
    v["practices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect()
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_booklet_of_a_commune_holds_its_practices_and_no_other() {
    let app = spawn_app().await;
    let text = pdf_text(&pdf(&app, "/livret.pdf?commune=Differdange").await);
    let mine = titles(&app, "?commune=Differdange").await;
    assert!(!mine.is_empty());
    for t in &mine {
        assert!(text.contains(&fold(t)), "{t} missing from the booklet");
    }
    assert!(text.contains(&format!("{} pratique", mine.len())));
    assert!(
        text.contains("Commune : Differdange"),
        "the cover names the filter"
    );
    let others: Vec<String> = titles(&app, "")
        .await
        .into_iter()
        .filter(|t| !mine.contains(t))
        .collect();
    assert!(others.len() > 5);
    for t in &others {
        assert!(
            !text.contains(&fold(t)),
            "{t} is not a Differdange practice"
        );
    }
}

#[tokio::test]
async fn a_fiche_as_pdf_only_when_published() {
    let app = spawn_app().await;
    let (_, v) = app.json("/api/v1/practices?q=equigaart&per_page=1").await;
    let id = v["hits"][0]["id"].as_i64().unwrap();
    let text = pdf_text(&pdf(&app, &format!("/pratiques/{id}.pdf")).await);
    for s in [
        "Equigaart : Jardin communautaire",
        "Commune de Junglinster",
        "Mike Hagen",
        "mhagen@pt.lu",
    ] {
        assert!(text.contains(s), "{s} missing");
    }
    // The fiche page links to its PDF.
    let slug = v["hits"][0]["slug"].as_str().unwrap();
    let (_, page) = app.html(&format!("/pratiques/{id}/{slug}")).await;
    assert!(page.contains(&format!("href=\"/pratiques/{id}.pdf\"")));

    let draft = app
        .store
        .create_draft(
            &domain::PracticeFields {
                title: "Brouillon secret".into(),
                ..domain::PracticeFields::default()
            },
            domain::Language::Fr,
            &store::Actor::system(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    for path in [
        format!("/pratiques/{draft}.pdf"),
        "/pratiques/424242.pdf".to_string(),
        "/pratiques/abc.pdf".to_string(),
        "/pratiques/-3.pdf".to_string(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
}

#[tokio::test]
async fn pages_link_their_pdfs_and_bad_parameters_are_named() {
    let app = spawn_app().await;
    let (_, page) = app.html("/communes/Strassen").await;
    assert!(page.contains("href=\"/livret.pdf?commune=Strassen\""));
    let (_, page) = app.html("/recherche?q=jardin&theme=Environnement").await;
    assert!(page.contains("href=\"/livret.pdf?q=jardin&#38;theme=Environnement\""));
    let (status, page) = app.html("/livret.pdf?per_page=0").await;
    assert_eq!(status, 422);
    assert!(page.contains("per_page"));
}

#[tokio::test]
async fn the_synthesis_pdf_has_counts_charts_and_criteria() {
    let app = spawn_app().await;
    let (_, v) = app.json("/api/v1/spiral/platforms").await;
    let id = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Blégny")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, page) = app
        .html(&format!("/spiral/plateformes/{id}/synthese"))
        .await;
    assert!(page.contains(&format!("href=\"/spiral/plateformes/{id}/synthese.pdf\"")));
    let text = pdf_text(&pdf(&app, &format!("/spiral/plateformes/{id}/synthese.pdf")).await);
    for s in [
        "Synthèse — Blégny",
        "Groupes homogènes",
        "organiser un groupe d'entraide, de rencontre toutes les semaines",
    ] {
        assert!(text.contains(s), "{s} missing from:\n{text}");
    }
    // The 36 criteria, every one printed: the totals row says so.
    assert!(text.contains("36"));
    let r = app.get("/spiral/plateformes/999999/synthese.pdf").await;
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn a_booklet_job_is_done_once_and_its_pdf_served_by_key() {
    use reqwest::Method;

    let app = spawn_app().await;
    let (status, _) = app
        .send(
            Method::POST,
            "/api/v1/booklets?commune=Differdange",
            None,
            None,
        )
        .await;
    assert_eq!(status, 401, "anonymous may not queue work");
    app.add_account("lea@example.lu", "contributor", &[], &["Strassen"])
        .await;
    app.add_account("max@example.lu", "contributor", &[], &["Differdange"])
        .await;
    let lea = app.token("lea@example.lu").await;
    let max = app.token("max@example.lu").await;

    let (status, v) = app
        .send(
            Method::POST,
            "/api/v1/booklets?per_page=0",
            Some(&lea),
            None,
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("per_page"));

    let r = app
        .client
        .post(app.url("/api/v1/booklets?commune=Differdange"))
        .bearer_auth(&lea)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job: serde_json::Value = r.json().await.unwrap();
    let id = job["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/jobs/{id}"));
    assert_eq!(
        (job["status"].as_str(), &job["document"]),
        (Some("queued"), &serde_json::Value::Null)
    );

    // Only who queued it (and editors) may follow it.
    let (status, _) = app.send(Method::GET, &location, Some(&max), None).await;
    assert_eq!(status, 404);
    let (status, _) = app.send(Method::GET, &location, None, None).await;
    assert_eq!(status, 401);

    // Two workers ask; one takes the job, the other finds nothing left.
    assert!(web::jobs::run_one(&app.state, "node-a").await.unwrap());
    assert!(!web::jobs::run_one(&app.state, "node-b").await.unwrap());
    let (status, done) = app.send(Method::GET, &location, Some(&lea), None).await;
    assert_eq!(status, 200);
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["attempts"], 1);
    let stored = app.store.job(id).await.unwrap().unwrap();
    assert_eq!(stored.worker.as_deref(), Some("node-a"));
    let mine = titles(&app, "?commune=Differdange").await;
    assert_eq!(done["document"]["practices"], mine.len());
    let href = done["document"]["href"].as_str().unwrap();
    assert!(href.starts_with("/api/v1/documents/booklet-"), "{href}");

    let r = app.get(href).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    assert_eq!(done["document"]["bytes"], bytes.len());
    let text = pdf_text(&bytes);
    for t in &mine {
        assert!(text.contains(&fold(t)), "{t} missing from the booklet");
    }
    // /livret.pdf of the same selection is the document the job stored.
    assert_eq!(pdf(&app, "/livret.pdf?commune=Differdange").await, bytes);

    for path in [
        "/api/v1/documents/booklet-0000",
        "/api/v1/documents/..%2Fetc",
        "/api/v1/jobs/999999",
    ] {
        let (status, _) = app.send(Method::GET, path, Some(&lea), None).await;
        assert_eq!(status, 404, "{path}");
    }
}

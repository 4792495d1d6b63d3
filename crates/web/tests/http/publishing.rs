//! Publishing: the Atom feed of practices, schema.org JSON-LD on fiche pages, and the CSV
//! download as a spreadsheet opens it.

use domain::{PracticeFields, Status};
use serde_json::Value;
use store::Actor;

use crate::helpers::{TestApp, spawn_app};

/// An entry of a feed, as a real XML parser reads it.
#[derive(Debug)]
struct Entry {
    id: String,
    title: String,
    link: String,
    updated: String,
}

/// Parses an Atom feed with roxmltree; panics on anything but well-formed Atom.
fn entries(xml: &str) -> Vec<Entry> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let child = |n: roxmltree::Node, name: &str| -> String {
        n.children()
            .find(|c| c.has_tag_name(name))
            .unwrap_or_else(|| panic!("entry without <{name}>"))
            .text()
            .unwrap_or_default()
            .to_string()
    };
    feed.children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| Entry {
            id: child(e, "id"),
            title: child(e, "title"),
            link: e
                .children()
                .find(|c| c.has_tag_name("link"))
                .and_then(|l| l.attribute("href"))
                .expect("entry link")
                .to_string(),
            updated: child(e, "updated"),
        })
        .collect()
}

async fn feed(app: &TestApp, path: &str) -> Vec<Entry> {
    let r = app.get(path).await;
    assert_eq!(r.status().as_u16(), 200, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml"),
        "{path}"
    );
    entries(&r.text().await.unwrap())
}

async fn published_ids(app: &TestApp) -> Vec<i64> {
    let mut ids: Vec<i64> = app
        .store
        .practices()
        .await
        .unwrap()
        .iter()
        .filter(|p| p.status == Status::Published)
        .map(|p| p.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// The practice id at the end of an entry's link (`…/pratiques/{id}/{slug}`).
fn id_of(e: &Entry) -> i64 {
    let tail = e.link.split("/pratiques/").nth(1).expect("a fiche link");
    tail.split('/').next().unwrap().parse().expect("an id")
}

/// A practice published through the workflow, as an editor would.
async fn publish(app: &TestApp, fields: &PracticeFields) -> i64 {
    let now = chrono::Utc::now();
    let actor = Actor::system();
    let id = app
        .store
        .create_draft(fields, domain::Language::Fr, &actor, now)
        .await
        .unwrap();
    app.store
        .transition(id, Status::Submitted, "submit", None, &actor, now)
        .await
        .unwrap();
    app.store
        .transition(id, Status::Published, "publish", None, &actor, now)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn the_practices_feed_carries_exactly_the_published_practices() {
    let app = spawn_app().await;
    // One practice leaves the public catalogue, one is only a draft.
    let archived = published_ids(&app).await[0];
    app.store
        .transition(
            archived,
            Status::Archived,
            "archive",
            None,
            &Actor::system(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let draft = app
        .store
        .create_draft(
            &PracticeFields {
                title: "Brouillon de Strassen".into(),
                communes: vec!["Strassen".into()],
                ..PracticeFields::default()
            },
            domain::Language::Fr,
            &Actor::system(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();

    let published = published_ids(&app).await;
    assert_eq!(published.len(), 37, "38 in the corpus, one archived");
    let all = feed(&app, "/flux/pratiques.atom").await;
    assert_eq!(all.len(), published.len().min(50));
    let mut seen: Vec<i64> = all.iter().map(id_of).collect();
    seen.sort_unstable();
    assert_eq!(seen, published);
    assert!(!seen.contains(&archived) && !seen.contains(&draft));
    // Absolute links to the fiche pages, on this host; newest change first.
    let host = format!("http://{}/pratiques/", app.addr);
    assert!(
        all.iter()
            .all(|e| e.link.starts_with(&host) && e.id.starts_with(&host))
    );
    assert!(all.windows(2).all(|w| w[0].updated >= w[1].updated));

    // A newly published practice comes first, with its title.
    let fresh = publish(
        &app,
        &PracticeFields {
            title: "Repair café à Strassen".into(),
            communes: vec!["Strassen".into()],
            themes: vec!["Vivre ensemble".into()],
            ..PracticeFields::default()
        },
    )
    .await;
    let all = feed(&app, "/flux/pratiques.atom").await;
    assert_eq!(
        (id_of(&all[0]), all[0].title.as_str()),
        (fresh, "Repair café à Strassen")
    );
}

#[tokio::test]
async fn the_feed_filters_by_commune_and_theme_as_search_does() {
    let app = spawn_app().await;
    let strassen = feed(&app, "/flux/pratiques.atom?commune=Strassen").await;
    let mut titles: Vec<&str> = strassen.iter().map(|e| e.title.as_str()).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "Café de Babel de la commune de Strassen",
            "KUFIKA",
            "PCI de la commune de Strassen"
        ]
    );
    // The same folding as the facets: case and accents do not matter.
    let folded = feed(&app, "/flux/pratiques.atom?commune=strassen").await;
    assert_eq!(folded.len(), 3);
    // Every facet filter gives what the search API gives.
    let (_, search) = app.json("/api/v1/practices?per_page=1").await;
    for (facet, param) in [("communes", "commune"), ("themes", "theme")] {
        for (value, count) in search["facets"][facet].as_object().unwrap() {
            let q: String = form_urlencoded::Serializer::new(String::new())
                .append_pair(param, value)
                .finish();
            let n = feed(&app, &format!("/flux/pratiques.atom?{q}")).await.len() as u64;
            let (_, found) = app.json(&format!("/api/v1/practices?per_page=1&{q}")).await;
            let total = found["total"].as_u64().unwrap();
            assert!(total >= count.as_u64().unwrap(), "{param}={value}");
            assert_eq!(n, total.min(50), "{param}={value}");
        }
    }
    let nowhere = feed(&app, "/flux/pratiques.atom?commune=Atlantis").await;
    assert!(nowhere.is_empty());
}

#[tokio::test]
async fn list_pages_announce_their_feed() {
    let app = spawn_app().await;
    let (_, home) = app.html("/").await;
    assert!(
        home.contains(
            r#"<link rel="alternate" type="application/atom+xml" href="/flux/pratiques.atom""#
        ),
        "{home}"
    );
    let (_, page) = app.html("/recherche?q=caf%C3%A9&commune=Strassen").await;
    assert!(page.contains(
        r#"<link rel="alternate" type="application/atom+xml" href="/flux/pratiques.atom?commune=Strassen""#
    ));
    let (_, page) = app.html("/communes/Strassen").await;
    assert!(page.contains(r#"href="/flux/pratiques.atom?commune=Strassen""#));
}

/// The JSON-LD blocks of a page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    const OPEN: &str = r#"<script type="application/ld+json">"#;
    html.match_indices(OPEN)
        .map(|(at, _)| {
            let rest = &html[at + OPEN.len()..];
            let end = rest.find("</script>").expect("a closed script block");
            serde_json::from_str(&rest[..end]).expect("JSON in the block")
        })
        .collect()
}

/// Follows the redirect of `/pratiques/{id}` to the canonical page; answers its HTML.
async fn fiche(app: &TestApp, id: i64) -> String {
    let r = app.get(&format!("/pratiques/{id}")).await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (status, html) = app.html(&location).await;
    assert_eq!(status, 200);
    html
}

#[tokio::test]
async fn fiche_pages_carry_schema_org_json_ld() {
    let app = spawn_app().await;
    let wok = app
        .store
        .practices()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.fields.title.contains("WOK"))
        .expect("the WOK fiche");
    let html = fiche(&app, wok.id).await;
    let blocks = json_ld(&html);
    assert_eq!(blocks.len(), 1);
    let ld = &blocks[0];
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "CreativeWork");
    assert_eq!(ld["name"], wok.fields.title.as_str());
    assert_eq!(
        ld["url"],
        format!("http://{}/pratiques/{}/{}", app.addr, wok.id, wok.slug)
    );
    assert_eq!(ld["inLanguage"], "fr");
    assert_eq!(ld["dateModified"], wok.updated_at.to_rfc3339());
    assert_eq!(
        ld["author"],
        serde_json::json!({"@type": "Organization", "name": wok.fields.institution.as_deref().unwrap()})
    );
    assert_eq!(
        ld["spatialCoverage"][0],
        serde_json::json!({"@type": "Place", "name": "Differdange",
            "containedInPlace": {"@type": "Country", "name": "Luxembourg", "identifier": "LU"}})
    );
    // The WOK fiche names no theme: no `about`.
    assert!(wok.fields.themes.is_empty() && ld.get("about").is_none());
    // Two sources: the booklet and the markdown fiche.
    let sources: Vec<&str> = ld["isBasedOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        ["assises-2-fiches.txt", "assises-2-wok-differdange.md"]
    );
    // Contacts are personal data: not for crawlers.
    for c in &wok.fields.contacts {
        for e in &c.emails {
            assert!(!ld.to_string().contains(e.as_str()), "{e}");
        }
    }

    // Fiches with themes, and with a target public (no corpus fiche has both).
    let all = app.store.practices().await.unwrap();
    let with_themes = all
        .iter()
        .find(|p| !p.fields.themes.is_empty())
        .expect("a fiche with themes");
    let ld = &json_ld(&fiche(&app, with_themes.id).await)[0];
    let about: Vec<&str> = ld["about"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(about, with_themes.fields.themes);
    let public = all
        .iter()
        .find_map(|p| {
            let t = p.fields.target_public.as_deref()?.trim();
            (!t.is_empty()).then_some((p.id, t))
        })
        .expect("a fiche with a target public");
    let ld = &json_ld(&fiche(&app, public.0).await)[0];
    assert_eq!(
        ld["audience"],
        serde_json::json!({"@type": "Audience", "audienceType": public.1})
    );
}

#[tokio::test]
async fn a_hostile_title_stays_inside_the_json_ld_block() {
    let app = spawn_app().await;
    let hostile = "Café </script><script>alert(1)</script> & <!-- co";
    let id = publish(
        &app,
        &PracticeFields {
            title: hostile.into(),
            communes: vec!["Atlantis".into()],
            ..PracticeFields::default()
        },
    )
    .await;
    let html = fiche(&app, id).await;
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert_eq!(html.matches("<script").count(), 1, "only the JSON-LD block");
    let ld = &json_ld(&html)[0];
    assert_eq!(ld["name"], hostile);
    // A commune outside the registry is a place, not said to be in Luxembourg.
    assert_eq!(
        ld["spatialCoverage"][0],
        serde_json::json!({"@type": "Place", "name": "Atlantis"})
    );
}

#[tokio::test]
async fn the_csv_download_opens_cleanly_in_a_spreadsheet() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/practices.csv").await;
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let bytes = r.bytes().await.unwrap();
    // A byte order mark tells LibreOffice and Excel the file is UTF-8.
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let documented: Vec<&str> = ingest::csv_format::PRACTICE_COLUMNS
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(header, documented);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let stored = app.store.practices().await.unwrap();
    assert_eq!(rows.len(), stored.len());
    // Multi-line sections are quoted and come back whole, line breaks and all.
    let description = header.iter().position(|h| h == "description").unwrap();
    let multi_line = stored
        .iter()
        .zip(&rows)
        .filter(|(p, row)| {
            let d = p.fields.description.clone().unwrap_or_default();
            assert_eq!(&row[description], d.as_str(), "practice {}", p.id);
            d.contains('\n')
        })
        .count();
    assert!(multi_line > 5, "the corpus has multi-line descriptions");
    // And the file imports back as the same practices.
    let batch = ingest::parse("pratiques.csv", &bytes, None).expect("the download imports");
    assert_eq!(batch.practices.len(), stored.len());
    for (record, p) in batch.practices.iter().zip(&stored) {
        assert_eq!(record.id, Some(p.id));
        let (a, b) = (&record.fields, &p.fields);
        assert_eq!(
            (&a.title, &a.communes, &a.themes, &a.contacts, &a.websites),
            (&b.title, &b.communes, &b.themes, &b.contacts, &b.websites),
            "practice {}",
            p.id
        );
        // CSV cannot tell an empty section from an absent one.
        let present = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        assert_eq!(present(&a.description), present(&b.description));
    }
}

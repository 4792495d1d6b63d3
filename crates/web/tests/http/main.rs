//! HTTP tests against the real server with the corpus loaded.

mod bridge;
mod concepts;
mod contract;
mod contribution_pages;
mod helpers;
#[cfg(feature = "pdf")]
mod pdf;
mod practices;
mod proxies;
mod publishing;
mod snapshots;
mod spiral;

use helpers::{TestApp, spawn_app};
use serde_json::Value;

fn titles(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

fn top5_has(v: &Value, needle: &str) -> bool {
    titles(v).iter().take(5).any(|t| t.contains(needle))
}

#[tokio::test]
async fn housing_for_refugees() {
    let app = spawn_app().await;
    let (status, v) = app
        .json("/api/v1/practices?q=logement%20pour%20r%C3%A9fugi%C3%A9s")
        .await;
    assert_eq!(status, 200);
    assert!(top5_has(&v, "Neien Ufank"), "{:?}", titles(&v));
}

#[tokio::test]
async fn language_cafe() {
    let app = spawn_app().await;
    let (_, v) = app
        .json("/api/v1/practices?q=caf%C3%A9%20des%20langues")
        .await;
    assert!(top5_has(&v, "Café de Babel"), "{:?}", titles(&v));
}

#[tokio::test]
async fn volunteers_without_accents_and_with_a_typo() {
    let app = spawn_app().await;
    let (_, v) = app.json("/api/v1/practices?q=formation%20benevoles").await;
    assert!(
        top5_has(&v, "Formation de base pour bénévoles"),
        "{:?}",
        titles(&v)
    );
    let (_, v) = app.json("/api/v1/practices?q=equigart").await;
    assert!(top5_has(&v, "Equigaart"), "{:?}", titles(&v));
    let (_, v) = app.json("/api/v1/practices?q=benevols%20dudelange").await;
    assert!(top5_has(&v, "gestion du bénévolat"), "{:?}", titles(&v));
}

#[tokio::test]
async fn facet_filter_and_counts() {
    let app = spawn_app().await;
    let (_, all) = app.json("/api/v1/practices?per_page=1").await;
    assert_eq!(all["total"], 38);
    assert_eq!(all["facets"]["communes"]["Strassen"], 3);
    let (_, v) = app.json("/api/v1/practices?commune=Strassen").await;
    assert_eq!(v["total"], 3);
    let mut t = titles(&v);
    t.sort();
    assert_eq!(
        t,
        [
            "Café de Babel de la commune de Strassen",
            "KUFIKA",
            "PCI de la commune de Strassen"
        ]
    );
    let (_, v) = app.json("/api/v1/practices?theme=Logement%20social").await;
    assert_eq!(v["total"], 3, "{:?}", titles(&v));
}

#[tokio::test]
async fn pagination_and_bad_parameters() {
    let app = spawn_app().await;
    let (_, p1) = app.json("/api/v1/practices?per_page=10").await;
    let (_, p2) = app.json("/api/v1/practices?per_page=10&page=2").await;
    assert_eq!(p1["total"], p2["total"]);
    assert_ne!(titles(&p1), titles(&p2));
    for bad in [
        "/api/v1/practices?page=0",
        "/api/v1/practices?per_page=5000",
        "/api/v1/practices/abc",
    ] {
        let (status, v) = app.json(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(v["error"]["code"], "bad_parameter", "{bad}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("parameter"),
            "{bad}"
        );
    }
    let (status, v) = app.json("/api/v1/practices/999999").await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn one_practice_and_its_similar() {
    let app = spawn_app().await;
    let (_, v) = app
        .json("/api/v1/practices?q=WOK%20Differdange&per_page=1")
        .await;
    let id = v["hits"][0]["id"].as_i64().unwrap();
    let (status, p) = app.json(&format!("/api/v1/practices/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(p["institution"], "Ville de Differdange");
    assert_eq!(p["sources"].as_array().unwrap().len(), 2);
    let (status, s) = app.json(&format!("/api/v1/practices/{id}/similar")).await;
    assert_eq!(status, 200);
    let hits = s["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["id"].as_i64() != Some(id)));
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    let app = spawn_app().await;
    let (status, doc) = app.json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    for path in [
        "/api/v1/practices",
        "/api/v1/practices/{id}",
        "/api/v1/practices/{id}/similar",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test]
async fn pages_show_results_facets_and_the_whole_fiche() {
    let app = spawn_app().await;
    let (status, home) = app.html("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Strassen") && home.contains("Logement social"));

    let (status, page) = app.html("/recherche?q=jardin%20communautaire").await;
    assert_eq!(status, 200);
    assert!(page.contains("Equigaart"), "{page}");
    assert!(page.contains("<mark>"), "highlighted snippet");
    assert!(
        page.contains("/api/v1/practices.csv?q=jardin+communautaire"),
        "CSV link of the selection"
    );

    let (_, v) = app.json("/api/v1/practices?q=equigaart&per_page=1").await;
    let href = format!(
        "/pratiques/{}/{}",
        v["hits"][0]["id"],
        v["hits"][0]["slug"].as_str().unwrap()
    );
    let (status, fiche) = app.html(&href).await;
    assert_eq!(status, 200);
    for expected in [
        "Equigaart : Jardin communautaire",
        "Commune de Junglinster",
        "Mike Hagen",
        "621 196 422",
        "mhagen@pt.lu",
        "www.equigaart.lu",
        "assises-2-fiches.txt",
        "Pratiques similaires",
    ] {
        assert!(fiche.contains(expected), "fiche lacks {expected}");
    }
    // Without the slug, the page redirects to its canonical URL.
    let r = app.get(&format!("/pratiques/{}", v["hits"][0]["id"])).await;
    assert_eq!(r.status().as_u16(), 308);

    let (status, commune) = app.html("/communes/Strassen").await;
    assert_eq!(status, 200);
    assert!(
        commune.contains("KUFIKA") && commune.contains("/api/v1/practices.csv?commune=Strassen")
    );
    let (status, _) = app.html("/themes/Langues").await;
    assert_eq!(status, 200);
    let (status, missing) = app.html("/pratiques/424242").await;
    assert_eq!(status, 404);
    assert!(missing.contains("Page introuvable"));
}

#[tokio::test]
async fn csv_of_a_selection() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/practices.csv?commune=Strassen").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = r.text().await.unwrap();
    let rows = body
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(rows, 3, "{body}");
    assert!(
        body.starts_with("\u{feff}id,slug,title"),
        "UTF-8 BOM, then the header"
    );
}

/// The ids of every hit of a search, page after page, in the API's order.
async fn every_hit(app: &TestApp, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for page in 1.. {
        let (_, body) = app
            .json(&format!(
                "/api/v1/practices?{query}&per_page=100&page={page}"
            ))
            .await;
        let hits = body["hits"].as_array().unwrap().clone();
        if hits.is_empty() {
            break;
        }
        ids.extend(hits.iter().map(|h| h["id"].as_i64().unwrap()));
    }
    ids
}

#[tokio::test]
async fn exports_stream_every_hit_in_result_order_batch_after_batch() {
    let app = spawn_app().await;
    for query in ["", "q=int%C3%A9gration", "q=cours+de+langue&theme=Langues"] {
        let expected = every_hit(&app, query).await;
        assert!(!expected.is_empty(), "{query}: the corpus answers");

        let r = app.get(&format!("/api/v1/practices.csv?{query}")).await;
        assert_eq!(r.status().as_u16(), 200);
        // Streamed: no length known in advance.
        assert!(r.headers().get("content-length").is_none(), "{query}");
        assert_eq!(r.headers()["transfer-encoding"], "chunked");
        let body = r.text().await.unwrap();
        let body = body.strip_prefix('\u{feff}').expect("the BOM first");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let ids: Vec<i64> = reader
            .records()
            .map(|r| r.unwrap()[0].parse().unwrap())
            .collect();
        assert_eq!(ids, expected, "{query}: CSV rows are the hits, in order");

        let r = app.get(&format!("/api/v1/practices.json?{query}")).await;
        assert_eq!(r.headers()["transfer-encoding"], "chunked");
        let json: serde_json::Value = r.json().await.unwrap();
        let ids: Vec<i64> = json["practices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            ids, expected,
            "{query}: JSON practices are the hits, in order"
        );
        assert!(json["practices"][0]["title"].is_string());
    }
    // Batch after batch, in order, nothing lost or repeated at the seams.
    let everything = every_hit(&app, "").await;
    for batch in [1, 7, everything.len() - 1, everything.len() + 3] {
        let sel = web::params::Selection::parse(None).unwrap();
        let mut selected = web::catalogue::Selected::new(&app.state, &sel)
            .unwrap()
            .with_batch(batch);
        let mut ids = Vec::new();
        while let Some(practices) = selected.next_batch().await.unwrap() {
            assert!(practices.len() <= batch);
            ids.extend(practices.iter().map(|p| p.id));
        }
        assert_eq!(ids, everything, "batches of {batch}");
    }
}

#[tokio::test]
async fn language_from_header_and_switcher() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/recherche?q=sport"))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Refine"),
        "English UI"
    );
    let r = app.get("/langue/en?retour=%2Frecherche%3Fq%3Dsport").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/recherche?q=sport");
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("lang=en")
    );
    let r = app
        .client
        .get(app.url("/"))
        .header("Cookie", "lang=en")
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("<html lang=\"en\">"));
    // No open redirect.
    let r = app.get("/langue/fr?retour=%2F%2Fevil.example").await;
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn security_headers_on_every_page() {
    let app = spawn_app().await;
    for path in ["/", "/recherche?q=x", "/api/v1/practices"] {
        let r = app.get(path).await;
        let h = r.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
    }
}

/// A build without the `pdf` feature says so, and its pages offer no PDF.
#[cfg(not(feature = "pdf"))]
#[tokio::test]
async fn without_the_pdf_feature_pdf_addresses_answer_501() {
    let app = spawn_app().await;
    for path in [
        "/livret.pdf",
        "/pratiques/1.pdf",
        "/spiral/plateformes/1/synthese.pdf",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 501, "{path}");
        assert!(r.text().await.unwrap().contains("feature `pdf`"));
    }
    let (_, page) = app.html("/communes/Strassen").await;
    assert!(!page.contains(".pdf"));
}

/// The header comes from one layout: a signed-in editor sees their account, the moderation
/// link and a sign-out button on every page, error pages included, and is never offered to
/// sign in.
#[tokio::test]
async fn the_header_knows_the_account_on_every_page() {
    let app = spawn_app().await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let token = app.token("eva@zesummen.lu").await;
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let platform = platforms["platforms"][0]["id"].as_i64().unwrap();
    for (path, status) in [
        ("/".to_string(), 200),
        ("/recherche?q=logement".to_string(), 200),
        ("/themes/Logement%20social".to_string(), 200),
        ("/themes/Nulle%20part".to_string(), 404),
        ("/communes/Nowhere".to_string(), 404),
        ("/spiral/plateformes".to_string(), 200),
        (format!("/spiral/plateformes/{platform}/synthese"), 200),
        ("/spiral/criteres".to_string(), 200),
        ("/nulle-part".to_string(), 404),
        ("/spiral/plateformes/999999".to_string(), 404),
    ] {
        let r = app
            .client
            .get(app.url(&path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let html = r.text().await.unwrap();
        let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
        assert!(header.contains("eva@zesummen.lu"), "{path}: {header}");
        assert!(header.contains("href=\"/moderation\""), "{path}: {header}");
        assert!(
            header.contains("action=\"/deconnexion\""),
            "{path}: no sign-out in {header}"
        );
        assert!(!header.contains("Se connecter"), "{path}: {header}");
    }
    // Anonymous, the same pages offer to sign in and show no account.
    let (_, html) = app.html("/spiral/plateformes").await;
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(header.contains("Se connecter") && !header.contains("/deconnexion"));
}

#[tokio::test]
async fn unknown_names_and_pages_past_the_last_are_not_found() {
    let app = spawn_app().await;
    for (path, status) in [
        ("/communes/Strassen", 200),
        // In the registry, with no practice yet: a page, empty.
        ("/communes/Wincrange", 200),
        ("/communes/Nowhere", 404),
        ("/themes/Nulle%20part", 404),
        ("/recherche?page=1", 200),
        ("/recherche?page=999", 404),
        ("/communes/Strassen?page=50", 404),
        ("/recherche?page=-1", 400),
    ] {
        let (got, html) = app.html(path).await;
        assert_eq!(got, status, "{path}");
        if status == 400 {
            // The message names the parameter, not words to remove.
            assert!(html.contains("« page »"), "{path}: {html}");
        }
    }
}

/// The operator's probes: `/healthz` answers while the process does; `/readyz` while the store
/// answers and the index follower keeps up, with how far behind it is.
#[tokio::test]
async fn probes_say_whether_the_node_can_serve() {
    let follower = std::sync::Arc::new(web::state::Follower::default());
    let app = helpers::spawn_app_with({
        let follower = follower.clone();
        move |s| s.with_follower(follower)
    })
    .await;
    let (status, health) = app.json("/healthz").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    // Nothing follows yet: ready on the store alone.
    let r = app.get("/readyz").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let ready: Value = r.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["index"]["following"], false);
    assert!(
        ready["index"]["practices"].as_u64().unwrap() > 30,
        "{ready}"
    );

    let latest = app.store.latest_change().await.unwrap();
    assert!(latest > 3);
    let now = app.state.clock.now().timestamp();
    follower.record(latest - 3, now);
    let (status, ready) = app.json("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["index"]["lag_changes"], 3);

    // A follower silent for a minute: not ready, and why.
    follower.record(latest, now - 60);
    let (status, stalled) = app.json("/readyz").await;
    assert_eq!(status, 503, "{stalled}");
    assert_eq!(stalled["status"], "unavailable");
    assert!(
        stalled["index"]["error"]
            .as_str()
            .unwrap()
            .contains("stalled")
    );
    assert_eq!(stalled["index"]["followed_seconds_ago"], 60);
    // Health is about the process alone.
    assert_eq!(app.json("/healthz").await.0, 200);
}

/// `/metrics` is Prometheus text a parser reads: requests by route pattern and status, their
/// latency histogram, and the index's gauges.
#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    assert_eq!(app.get("/recherche?q=jardin").await.status().as_u16(), 200);
    assert_eq!(app.get("/pratiques/424242").await.status().as_u16(), 404);
    assert_eq!(app.get("/nulle-part").await.status().as_u16(), 404);
    let r = app.get("/metrics").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let body = r.text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string())))
        .expect("Prometheus text");
    let counted = |route: &str, status: &str| -> f64 {
        scrape
            .samples
            .iter()
            .filter(|s| {
                s.metric == "http_requests_total"
                    && s.labels.get("route") == Some(route)
                    && s.labels.get("status") == Some(status)
                    && s.labels.get("method") == Some("GET")
            })
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => 0.0,
            })
            .sum()
    };
    assert!(counted("/recherche", "200") >= 1.0, "{body}");
    // The pattern, never one series per practice.
    assert!(counted("/pratiques/:id", "404") >= 1.0, "{body}");
    assert!(counted("unmatched", "404") >= 1.0, "{body}");
    assert!(!body.contains("424242"));
    let histogram = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "http_request_duration_seconds"
                && s.labels.get("route") == Some("/recherche")
        })
        .expect("a latency histogram of the search page");
    let prometheus_parse::Value::Histogram(buckets) = &histogram.value else {
        panic!("a histogram: {:?}", histogram.value);
    };
    assert!(buckets.iter().any(|b| b.count >= 1.0), "{buckets:?}");
    // Gauges of counts are whole numbers: compared as such.
    let gauge = |metric: &str, kind: Option<&str>| -> u64 {
        let sample = scrape
            .samples
            .iter()
            .find(|s| s.metric == metric && kind.is_none_or(|k| s.labels.get("kind") == Some(k)))
            .unwrap_or_else(|| panic!("{metric} {kind:?} in {body}"));
        match sample.value {
            prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v as u64,
            _ => panic!("{metric}: not a gauge"),
        }
    };
    let stored = app.store.counts().await.unwrap();
    assert_eq!(
        gauge("zesummen_store_records", Some("practices")),
        stored.practices
    );
    assert_eq!(
        gauge("zesummen_store_records", Some("criteria")),
        stored.criteria
    );
    assert!(stored.criteria > 0);
    assert_eq!(gauge("zesummen_jobs_queued", None), 0);
    let practices = scrape
        .samples
        .iter()
        .find(|s| s.metric == "zesummen_index_practices")
        .expect("the index size");
    assert!(
        matches!(practices.value, prometheus_parse::Value::Gauge(n) | prometheus_parse::Value::Untyped(n) if n > 30.0),
        "{:?}",
        practices.value
    );
}

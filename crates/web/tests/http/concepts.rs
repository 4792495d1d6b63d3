//! Search across languages through the concept scheme: German, Luxembourgish and English
//! words find the French fiches, the answer names the expansion, concepts filter lists, and a
//! new version of the scheme reaches search.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with_concepts};

async fn search(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/practices?{query}")).await;
    assert_eq!(r.status().as_u16(), 200, "{query}");
    r.json().await.expect("JSON")
}

fn top_titles(v: &Value, n: usize) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .take(n)
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

fn expanded_to(v: &Value) -> Vec<(String, String)> {
    v["expansions"]
        .as_array()
        .expect("an `expansions` field")
        .iter()
        .map(|e| {
            (
                e["words"].as_str().unwrap().to_string(),
                e["concept"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A fiche about learning or practising the language (its title says so).
fn about_language(title: &str) -> bool {
    let t = title.to_lowercase();
    t.contains("langue") || t.contains("linguistique")
}

#[tokio::test]
async fn german_luxembourgish_and_english_words_find_the_french_language_fiches() {
    let app = spawn_app_with_concepts().await;
    for (query, words) in [
        ("q=Sprachkurs", "Sprachkurs"),
        ("q=Sproochecours", "Sproochecours"),
        ("q=language%20course", "language course"),
    ] {
        let v = search(&app, query).await;
        let top = top_titles(&v, 3);
        assert!(
            top.iter().any(|t| about_language(t)),
            "{query}: no language fiche in the first 3: {top:?}"
        );
        let expansions = expanded_to(&v);
        assert!(
            expansions
                .iter()
                .any(|(w, c)| w.eq_ignore_ascii_case(words) && c == "language-course"),
            "{query}: the answer does not name the expansion: {expansions:?}"
        );
    }
    // The page says it too, the label in French with its language.
    let html = app
        .get("/recherche?q=Sprachkurs")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Sprachkurs → <span lang=\"fr\">Cours de langue</span>"),
        "the search page does not show the expansion"
    );
}

#[tokio::test]
async fn a_concept_lists_its_practices_and_filters_that_fold_to_nothing_match_nothing() {
    let app = spawn_app_with_concepts().await;
    let v = search(&app, "concept=language-course").await;
    let total = v["total"].as_u64().unwrap();
    assert!(total > 0 && total < 38, "concept=language-course: {total}");
    let titles = top_titles(&v, 50);
    assert!(titles.iter().any(|t| about_language(t)), "{titles:?}");
    let html = app
        .get("/recherche?concept=language-course")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Cours de langue"),
        "the filter is not named by its label"
    );
    assert_eq!(search(&app, "concept=no-such-concept").await["total"], 0);
    for query in ["commune=!!!", "commune=%FF", "q=%EF%BF%BD", "theme=%20-%20"] {
        assert_eq!(search(&app, query).await["total"], 0, "{query}");
    }
    assert_eq!(search(&app, "commune=zzzz").await["total"], 0);
}

#[tokio::test]
async fn a_new_version_of_the_scheme_is_found_by_search_within_two_seconds() {
    let app = spawn_app_with_concepts().await;
    // A word no fiche holds, until an editor makes it a German label of the language café.
    let word = "Plauderstuff";
    assert_eq!(
        search(&app, &format!("q={word}")).await["hits"][0]["title"],
        Value::Null
    );
    let mut scheme = app.store.active_concepts().await.unwrap().unwrap();
    let cafe = scheme
        .concepts
        .iter_mut()
        .find(|c| c.id == "language-cafe")
        .expect("the language café concept");
    cafe.labels[1].alt.push(word.to_string());
    let now = app.state.clock.now();
    let version = app
        .store
        .put_concepts(&scheme, Some("editor@zesummen.lu"), "a German label", now)
        .await
        .unwrap();
    assert_eq!(version, 2);
    let start = Instant::now();
    let moved = web::indexing::follow_concepts(app.store.as_ref(), &app.state.search)
        .await
        .unwrap();
    assert_eq!(moved, Some(2));
    let v = search(&app, &format!("q={word}")).await;
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // The language café of Strassen ("Café de Babel") describes itself as a "café des langues".
    let top = top_titles(&v, 3);
    assert!(top.iter().any(|t| t.contains("Café de Babel")), "{top:?}");
    assert_eq!(expanded_to(&v)[0].1, "language-cafe");
    // Following again changes nothing.
    let again = web::indexing::follow_concepts(app.store.as_ref(), &app.state.search)
        .await
        .unwrap();
    assert_eq!(again, None);
}

//! The bridge from citizens' criteria to the catalogue, with reasons, and classification
//! suggestions, over HTTP on the Blégny criteria and the corpus fiches.

use serde_json::Value;

use crate::helpers::spawn_app_with_concepts;

#[tokio::test]
async fn every_criterion_lists_practices_that_say_why() {
    let app = spawn_app_with_concepts().await;
    let (status, v) = app.json("/api/v1/spiral/criteria?per_page=500").await;
    assert_eq!(status, 200);
    let criteria = v["items"].as_array().unwrap().clone();
    assert!(criteria.len() >= 36, "{}", criteria.len());
    let (mut served, mut explained, mut component) = (0, 0, 0);
    let mut page_checked = false;
    for c in &criteria {
        let id = c["id"].as_i64().unwrap();
        let (status, a) = app
            .json(&format!("/api/v1/spiral/criteria/{id}/practices?limit=5"))
            .await;
        assert_eq!(status, 200, "{a}");
        assert_eq!(a["criterion"], id);
        let practices = a["practices"].as_array().unwrap();
        assert!(practices.len() <= 5);
        served += usize::from(!practices.is_empty());
        for p in practices {
            assert!(p["hit"]["title"].is_string(), "{p}");
            let shared = p["shared"].as_array().unwrap();
            for s in shared {
                // Each reason names the concept, its labels, and the criterion's words.
                assert!(s["concept"].as_str().is_some_and(|x| !x.is_empty()), "{s}");
                assert!(s["labels"]["fr"].is_string(), "{s}");
                let words = s["words"].as_str().unwrap();
                assert!(
                    domain::text::fold(c["text"].as_str().unwrap()).contains(
                        domain::text::fold(words)
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                    ) || c["proposition"].is_string(),
                    "{words:?} is not in {}",
                    c["text"]
                );
            }
            explained += usize::from(!shared.is_empty());
            component += usize::from(p["component"] == true);
        }
        if !page_checked
            && practices
                .first()
                .is_some_and(|p| !p["shared"].as_array().unwrap().is_empty())
        {
            // The page says the same, in the reader's language, with links to the concepts.
            let (status, html) = app.html(&format!("/spiral/criteres/{id}")).await;
            assert_eq!(status, 200);
            assert!(
                html.contains("Tous deux parlent de"),
                "no reason on the page"
            );
            assert!(
                html.contains("href=\"/recherche?concept="),
                "no concept link"
            );
            page_checked = true;
        }
    }
    assert!(page_checked, "no criterion's first answer shares a concept");
    // Every criterion that speaks of something the catalogue knows gets an answer.
    assert!(
        served * 10 >= criteria.len() * 9,
        "{served} of {}",
        criteria.len()
    );
    assert!(explained > 0 && component > 0, "{explained} {component}");
    assert_eq!(
        app.json("/api/v1/spiral/criteria/999999/practices").await.0,
        404
    );
    assert_eq!(
        app.json("/api/v1/spiral/criteria/1/practices?limit=0")
            .await
            .0,
        400
    );
}

fn codes(v: &Value) -> Vec<String> {
    v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn suggestions_give_components_with_scores_and_reasons() {
    let app = spawn_app_with_concepts().await;
    let (status, v) = app
        .json("/api/v1/spiral/suggestions?text=pas%20de%20bus%20apr%C3%A8s%2019h&question=IB&platform=Bl%C3%A9gny")
        .await;
    assert_eq!(status, 200, "{v}");
    let top = codes(&v);
    assert!(!top.is_empty() && top.len() <= 5, "{top:?}");
    assert!(top.iter().all(|c| c.len() == 3), "{top:?}");
    assert!(top.iter().take(3).any(|c| c.starts_with('B')), "{top:?}");
    let first = &v["suggestions"][0];
    assert!(first["score"].as_f64().unwrap() > 0.0);
    let kinds: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.is_empty(), "{first}");
    // Scores never rise down the list.
    let scores: Vec<f64> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // A new platform is not cold: the classified criteria of every platform count.
    let (status, v) = app
        .json("/api/v1/spiral/suggestions?text=se%20sentir%20seul&platform=Nouvelle&limit=3")
        .await;
    assert_eq!(status, 200);
    assert!(!codes(&v).is_empty() && codes(&v).len() <= 3);
    for bad in [
        "",
        "text=",
        "text=!!!",
        "text=seul&limit=0",
        "text=seul&limit=x",
    ] {
        let (status, v) = app.json(&format!("/api/v1/spiral/suggestions?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {v}");
    }
    let (_, doc) = app.json("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/spiral/suggestions",
        "/api/v1/spiral/criteria/{id}/practices",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
}

#[tokio::test]
async fn every_fiche_shows_its_themes_concepts_and_components_as_links() {
    let app = spawn_app_with_concepts().await;
    let (status, v) = app.json("/api/v1/practices?per_page=100").await;
    assert_eq!(status, 200);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len() as u64, v["total"].as_u64().unwrap());
    let mut thin = Vec::new();
    for h in hits {
        let id = h["id"].as_i64().unwrap();
        let tags = app.state.search.tags_of(id).unwrap().expect("indexed");
        // Themes are the scheme's top concepts: at least one, and three concepts in all.
        if tags.themes.is_empty() || tags.themes.len() + tags.concepts.len() < 3 {
            thin.push(format!("{id} {}: {tags:?}", h["title"]));
        }
    }
    assert!(
        thin.is_empty(),
        "fiches with few tags:\n{}",
        thin.join("\n")
    );
    // The language café's page links its themes, concepts and components to their practices.
    let cafe = hits
        .iter()
        .find(|h| h["title"].as_str().unwrap().contains("Café de Babel"))
        .expect("the language café");
    let (status, html) = app
        .html(&format!(
            "/pratiques/{}/{}",
            cafe["id"].as_i64().unwrap(),
            cafe["slug"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    for expected in [
        "Thèmes du thésaurus",
        "Notions",
        "href=\"/recherche?concept=languages\"",
        "href=\"/recherche?concept=language-cafe\"",
        "Composantes SPIRAL",
        "href=\"/recherche?component=",
    ] {
        assert!(html.contains(expected), "the fiche lacks {expected}");
    }
    // Each link lists practices, the fiche among them.
    let (status, v) = app
        .json("/api/v1/practices?concept=language-cafe&per_page=100")
        .await;
    assert_eq!(status, 200);
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == cafe["id"]),
        "{v}"
    );
}

#[tokio::test]
async fn a_theme_of_the_scheme_lists_the_fiches_tagged_with_it_in_any_language() {
    let app = spawn_app_with_concepts().await;
    for name in ["Langues", "Sprachen", "languages"] {
        let (status, html) = app.html(&format!("/themes/{name}")).await;
        assert_eq!(status, 200, "{name}");
        assert!(
            html.contains("Café de Babel"),
            "/themes/{name} lacks the language café"
        );
        // The fiches about learning a language, not only the SUD rows themed "Langues".
        let language_fiches = html.matches("langue").count() + html.matches("Langue").count();
        assert!(language_fiches >= 3, "/themes/{name}: {language_fiches}");
    }
    // A free-text theme no concept names still lists the fiches whose themes say it.
    let (status, v) = app.json("/api/v1/practices?per_page=100").await;
    assert_eq!(status, 200);
    let facet = v["facets"]["themes"].as_object().unwrap();
    let other = facet
        .keys()
        .find(|t| app.state.search.theme_named(t).is_none())
        .expect("a theme outside the scheme");
    let (status, html) = app.html(&format!("/themes/{}", urlencoding(other))).await;
    assert_eq!(status, 200);
    let listed = html.matches("<h3><a href=\"/pratiques/").count() as u64;
    assert_eq!(listed, facet[other].as_u64().unwrap(), "{other}");
}

fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[tokio::test]
async fn a_synthesis_answers_its_most_frequent_ill_being_with_practices() {
    let app = spawn_app_with_concepts().await;
    let (_, v) = app.json("/api/v1/spiral/platforms").await;
    let p = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Blégny")
        .expect("Blégny")
        .clone();
    let id = p["id"].as_i64().unwrap();
    let (status, html) = app
        .html(&format!("/spiral/plateformes/{id}/synthese"))
        .await;
    assert_eq!(status, 200);
    let section = html
        .split("id=\"answers-h\"")
        .nth(1)
        .expect("the practices answering ill-being");
    let section = &section[..section.find("</section>").unwrap()];
    // Up to three dimensions, each linking to its ill-being criteria and listing practices.
    let dimensions = section.matches("<h3>").count();
    assert!((1..=3).contains(&dimensions), "{dimensions}");
    assert_eq!(
        section.matches("/spiral/criteres?").count(),
        dimensions,
        "{section}"
    );
    assert!(
        section.matches("href=\"/pratiques/").count() >= dimensions,
        "{section}"
    );
}

#[tokio::test]
async fn a_fiche_lists_the_citizens_criteria_it_answers_by_platform() {
    let app = spawn_app_with_concepts().await;
    let (_, v) = app.json("/api/v1/practices?per_page=100").await;
    let mut answering = 0;
    let mut checked_page = false;
    for h in v["hits"].as_array().unwrap() {
        let id = h["id"].as_i64().unwrap();
        let (status, a) = app.json(&format!("/api/v1/practices/{id}/criteria")).await;
        assert_eq!(status, 200, "{a}");
        let platforms = a["platforms"].as_array().unwrap();
        if platforms.is_empty() {
            continue;
        }
        answering += 1;
        let blegny = &platforms[0];
        assert_eq!(blegny["platform"], "Blégny");
        let listed = blegny["criteria"].as_array().unwrap();
        assert!(!listed.is_empty() && listed.len() <= 3);
        assert!(blegny["count"].as_u64().unwrap() >= listed.len() as u64);
        for c in listed {
            // Each shares a concept with the fiche, and is a real criterion.
            assert!(!c["shared"].as_array().unwrap().is_empty(), "{c}");
            let cid = c["id"].as_i64().unwrap();
            let (status, crit) = app.json(&format!("/api/v1/spiral/criteria/{cid}")).await;
            assert_eq!(status, 200);
            assert_eq!(crit["text"], c["text"]);
        }
        if !checked_page {
            let (status, html) = app
                .html(&format!("/pratiques/{id}/{}", h["slug"].as_str().unwrap()))
                .await;
            assert_eq!(status, 200);
            assert!(html.contains("id=\"answered-h\""), "no criteria section");
            assert!(
                html.contains(&format!(
                    "href=\"/spiral/criteres/{}\"",
                    listed[0]["id"].as_i64().unwrap()
                )),
                "the criterion is not linked"
            );
            checked_page = true;
        }
    }
    // Citizens of one platform speak of many things, not of everything.
    let total = v["hits"].as_array().unwrap().len();
    assert!(
        answering >= 5 && answering < total,
        "{answering} of {total}"
    );
    assert_eq!(app.json("/api/v1/practices/999999/criteria").await.0, 404);
}

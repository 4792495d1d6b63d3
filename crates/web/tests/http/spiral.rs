//! SPIRAL over HTTP, on the Blégny export (36 criteria: WB 11, IB 17, ACT 8).

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn blegny(app: &TestApp) -> (i64, i64) {
    let (status, v) = app.json("/api/v1/spiral/platforms").await;
    assert_eq!(status, 200);
    let p = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Blégny")
        .expect("Blégny is imported")
        .clone();
    let group = p["groups"][0]["id"].as_i64().expect("a group with an id");
    (p["id"].as_i64().unwrap(), group)
}

async fn all_criteria(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, v) = app
        .json(&format!("/api/v1/spiral/criteria?per_page=500&{query}"))
        .await;
    assert_eq!(status, 200, "{v}");
    let items = v["items"].as_array().unwrap().clone();
    assert_eq!(v["total"].as_u64().unwrap(), items.len() as u64);
    items
}

#[tokio::test]
async fn blegny_synthesis_equals_the_imported_criteria() {
    let app = spawn_app().await;
    let (id, _) = blegny(&app).await;
    let (status, s) = app
        .json(&format!("/api/v1/spiral/platforms/{id}/synthesis"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(s["totals"], json!({"ACT": 8, "IB": 17, "WB": 11}));
    // The split by dimension, counted independently from the criteria themselves.
    let criteria = all_criteria(&app, "platform=Bl%C3%A9gny").await;
    assert_eq!(criteria.len(), 36);
    let mut expected: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for c in &criteria {
        let dim = c["component"]
            .as_str()
            .map_or("?".to_string(), |x| x[..1].to_string());
        *expected
            .entry(c["question"].as_str().unwrap().to_string())
            .or_default()
            .entry(dim)
            .or_default() += 1;
    }
    assert_eq!(s["by_question"], serde_json::to_value(&expected).unwrap());
    for q in ["WB", "IB", "ACT"] {
        let by_component: u64 = s["by_component"][q]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(by_component, s["totals"][q].as_u64().unwrap(), "{q}");
    }
    let groups = s["groups"].as_object().unwrap();
    assert_eq!(groups.len(), 1);
    // The platform list carries the same totals.
    let (_, v) = app.json(&format!("/api/v1/spiral/platforms/{id}")).await;
    assert_eq!(v["totals"], s["totals"]);
    // A group's synthesis, and a group of no platform.
    let g = v["groups"][0]["id"].as_i64().unwrap();
    let (_, gs) = app
        .json(&format!(
            "/api/v1/spiral/platforms/{id}/synthesis?group={g}"
        ))
        .await;
    assert_eq!(gs["totals"], s["totals"]);
    let (status, _) = app
        .json(&format!(
            "/api/v1/spiral/platforms/{id}/synthesis?group=999999"
        ))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_component_filter_returns_exactly_the_matching_criteria() {
    let app = spawn_app().await;
    let all = all_criteria(&app, "").await;
    let mut by_component: BTreeMap<String, usize> = BTreeMap::new();
    for c in &all {
        if let Some(code) = c["component"].as_str() {
            *by_component.entry(code[..3].to_string()).or_default() += 1;
        }
    }
    assert!(by_component.len() > 3, "{by_component:?}");
    for (code, n) in &by_component {
        let found = all_criteria(&app, &format!("component={code}")).await;
        assert_eq!(found.len(), *n, "{code}");
        assert!(
            found
                .iter()
                .all(|c| c["component"].as_str().unwrap().starts_with(code.as_str()))
        );
        // The page filter shows the same count.
        let (status, html) = app
            .html(&format!("/spiral/criteres?composante={code}"))
            .await;
        assert_eq!(status, 200);
        let shown = html.matches("href=\"/spiral/criteres/").count();
        assert_eq!(shown, *n, "{code} on the page");
    }
    // Dimension and question filters, and a bad component.
    let d = all_criteria(&app, "dimension=D&question=IB").await;
    assert!(
        d.iter()
            .all(|c| c["question"] == "IB" && c["component"].as_str().unwrap().starts_with('D'))
    );
    let (status, v) = app.json("/api/v1/spiral/criteria?component=Z9").await;
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("component"),
        "{v}"
    );
}

#[tokio::test]
async fn criteria_sort_paginate_and_export_csv() {
    let app = spawn_app().await;
    let (_, v) = app
        .json("/api/v1/spiral/criteria?per_page=10&page=4&sort=text")
        .await;
    assert_eq!(v["total"], 36);
    assert_eq!(v["items"].as_array().unwrap().len(), 6);
    let texts: Vec<String> = all_criteria(&app, "sort=text")
        .await
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = texts.clone();
    sorted.sort();
    assert_eq!(texts, sorted);
    let desc: Vec<i64> = all_criteria(&app, "sort=-id")
        .await
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(desc.windows(2).all(|w| w[0] > w[1]));
    let r = app.get("/api/v1/spiral/criteria.csv?question=WB").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.records().count(), 11);
    let (status, html) = app.html("/spiral/criteres?tri=-created&question=ACT").await;
    assert_eq!(status, 200);
    assert!(html.contains("aria-sort=\"descending\""));
    assert!(html.contains("8 critères"));
}

#[tokio::test]
async fn the_codebook_gives_no_label_for_a_code_whose_label_is_unknown() {
    let app = spawn_app().await;
    let (status, v) = app.json("/api/v1/spiral/codebook").await;
    assert_eq!(status, 200);
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 37, "every row of data/spiral/codebook.tsv");
    let unknown: Vec<&Value> = entries
        .iter()
        .filter(|e| e["status"] == "code-only")
        .collect();
    assert!(!unknown.is_empty());
    for e in &unknown {
        assert_eq!(e["label_en"], Value::Null, "{e}");
        assert_eq!(e["label_fr"], Value::Null, "{e}");
        assert_eq!(e["label_known"], false);
    }
    let known = entries.iter().find(|e| e["code"] == "A01").unwrap();
    assert_eq!(known["label_known"], true);
    let (_, html) = app.html("/spiral/codebook").await;
    let code = unknown[0]["code"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            "{code} · Dimension {} · libellé à confirmer",
            &code[..1]
        )),
        "{code}"
    );
}

#[tokio::test]
async fn every_spiral_page_answers_with_the_blegny_data() {
    let app = spawn_app().await;
    let (id, group) = blegny(&app).await;
    let first = all_criteria(&app, "").await[0]["id"].as_i64().unwrap();
    for (path, needle) in [
        ("/spiral/plateformes".to_string(), "Blégny"),
        (format!("/spiral/plateformes/{id}"), "Groupe test"),
        (
            format!("/spiral/groupes/{group}"),
            "organiser un groupe d&#39;entraide",
        ),
        ("/spiral/criteres".to_string(), "36 critères"),
        (format!("/spiral/criteres/{first}"), "Critère"),
        ("/spiral/codebook".to_string(), "Alimentation"),
        (format!("/spiral/plateformes/{id}/synthese"), "<svg"),
        (
            format!("/spiral/plateformes/{id}/synthese?dimension=D"),
            "<svg",
        ),
        (
            format!("/spiral/plateformes/{id}/synthese/impression"),
            "Synthèse — Blégny",
        ),
        (
            "/spiral/statistiques".to_string(),
            "id=\"stat-criteria\">36<",
        ),
        ("/spiral/actions".to_string(), "Actions pilotes"),
        ("/spiral/indicateurs".to_string(), "Indicateurs de progrès"),
    ] {
        let (status, html) = app.html(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(needle), "{path} lacks {needle}");
    }
    for path in [
        "/spiral/plateformes/999999",
        "/spiral/groupes/0",
        "/spiral/criteres/abc",
        "/spiral/actions/5",
    ] {
        assert_eq!(app.html(path).await.0, 404, "{path}");
    }
    let (status, figures) = app.json("/api/v1/spiral/statistics").await;
    assert_eq!(status, 200);
    assert_eq!(figures["criteria"], 36);
    assert_eq!(figures["platforms"], 1);
    assert_eq!(
        figures["by_question"],
        json!({"ACT": 8, "IB": 17, "WB": 11})
    );
    assert_eq!(
        figures["by_month"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        36
    );
}

#[tokio::test]
async fn feeds_are_valid_atom() {
    let app = spawn_app().await;
    let (id, _) = blegny(&app).await;
    for (path, entries) in [
        (format!("/spiral/plateformes/{id}/groupes.atom"), 1),
        (format!("/spiral/plateformes/{id}/criteres.atom"), 36),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let xml = r.text().await.unwrap();
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut n = 0;
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Start(e) if e.name().as_ref() == b"entry" => n += 1,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(n, entries, "{path}");
    }
}

#[tokio::test]
async fn spiral_writes_need_the_right_account() {
    let app = spawn_app().await;
    let (platform, group) = blegny(&app).await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    app.add_account("marc@mons.be", "facilitator", &["Mons"], &[])
        .await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let postit = json!({"question": "IB", "text": "se sentir seul le dimanche"});
    let path = format!("/api/v1/spiral/groups/{group}/criteria");
    assert_eq!(
        app.send(Method::POST, &path, None, Some(postit.clone()))
            .await
            .0,
        401
    );
    let other = app.token("marc@mons.be").await;
    assert_eq!(
        app.send(Method::POST, &path, Some(&other), Some(postit.clone()))
            .await
            .0,
        403
    );
    let editor = app.token("eva@zesummen.lu").await;
    assert_eq!(
        app.send(Method::POST, &path, Some(&editor), Some(postit.clone()))
            .await
            .0,
        403
    );
    let anne = app.token("anne@blegny.be").await;
    // A control character in a post-it is refused, naming the field.
    let (status, v) = app
        .send(
            Method::POST,
            &path,
            Some(&anne),
            Some(json!({"question": "IB", "text": "seul\u{1D} le dimanche"})),
        )
        .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (422, Some("text")),
        "{v}"
    );
    let (status, v) = app
        .send(Method::POST, &path, Some(&anne), Some(postit))
        .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (_, s) = app
        .json(&format!("/api/v1/spiral/platforms/{platform}/synthesis"))
        .await;
    assert_eq!(s["totals"]["IB"], 18);
    // The unclassified post-it is counted as "non classé", not as a label to confirm.
    let (_, html) = app
        .html(&format!("/spiral/plateformes/{platform}/synthese"))
        .await;
    assert!(html.contains(">non classé<"), "no unclassified row");
    assert!(!html.contains(">libellé à confirmer<"));
    assert_eq!(
        s["by_question"]["IB"]["?"],
        1 + app
            .json("/api/v1/spiral/criteria?question=IB&per_page=500")
            .await
            .1["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["component"].is_null() && c["id"] != id)
            .count()
    );
    // Classify it with a fine code: it counts under its component.
    let (status, _) = app.send(Method::PATCH, &format!("/api/v1/spiral/criteria/{id}"), Some(&anne), Some(json!({"component": "D00-1/P", "meaning": "P", "proposition": "personne ne se sent seul"}))).await;
    assert_eq!(status, 204);
    let (_, c) = app.json(&format!("/api/v1/spiral/criteria/{id}")).await;
    assert_eq!(c["component"], "D00-1/P");
    let found = all_criteria(&app, "component=D00").await;
    assert!(found.iter().any(|x| x["id"] == id));
    // Bad input names its field.
    let (status, v) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/spiral/criteria/{id}"),
            Some(&anne),
            Some(json!({"component": "DD0"})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("field `component`"),
        "{v}"
    );
    let (status, v) = app
        .send(
            Method::POST,
            &path,
            Some(&anne),
            Some(json!({"question": "IB", "text": "  "})),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("text"));
    // A cookie session needs the CSRF header for API writes.
    let session = app.login("anne@blegny.be").await;
    let cookie = format!("zs_session={}", session["token"].as_str().unwrap());
    let r = app
        .client
        .post(app.url(&path))
        .header("cookie", &cookie)
        .json(&json!({"question": "WB", "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = app
        .client
        .post(app.url(&path))
        .header("cookie", &cookie)
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
        .json(&json!({"question": "WB", "text": "les voisins"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Deleting: another platform's facilitator cannot, the platform's can, and it is audited.
    assert_eq!(
        app.send(
            Method::DELETE,
            &format!("/api/v1/spiral/criteria/{id}"),
            Some(&other),
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.send(
            Method::DELETE,
            &format!("/api/v1/spiral/criteria/{id}"),
            Some(&anne),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        app.json(&format!("/api/v1/spiral/criteria/{id}")).await.0,
        404
    );
    let log = app.store.audit_log(10).await.unwrap();
    assert!(
        log.iter().any(
            |e| e.action == "delete" && e.target.as_deref() == Some(&format!("criterion:{id}"))
        )
    );
    // Creating a platform is an admin's act.
    assert_eq!(
        app.send(
            Method::POST,
            "/api/v1/spiral/platforms",
            Some(&anne),
            Some(json!({"name": "Mons"}))
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn pilot_actions_and_indicators_through_the_api() {
    let app = spawn_app().await;
    let (_, group) = blegny(&app).await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let anne = app.token("anne@blegny.be").await;
    let criteria = all_criteria(&app, "component=I07").await;
    let cid = criteria[0]["id"].as_i64().unwrap();
    let (status, v) = app
        .send(Method::POST, "/api/v1/spiral/actions", Some(&anne), Some(json!({
            "platform": "Blégny", "title": "Repair café", "actors": "la commune, le CPAS",
            "criteria": [cid], "components": ["I07"], "status": "decided", "starts_on": "2026-12-01"
        })))
        .await;
    assert_eq!(status, 201, "{v}");
    let action = v["id"].as_i64().unwrap();
    let (_, list) = app
        .json(&format!("/api/v1/spiral/actions?criterion={cid}"))
        .await;
    assert_eq!(list["actions"][0]["title"], "Repair café");
    assert_eq!(
        app.json("/api/v1/spiral/actions?component=A01").await.1["actions"],
        json!([])
    );
    let (_, html) = app.html(&format!("/spiral/criteres/{cid}")).await;
    assert!(
        html.contains(&format!("/spiral/actions/{action}")),
        "a criterion links to its actions"
    );
    let (status, v) = app
        .send(
            Method::POST,
            "/api/v1/spiral/actions",
            Some(&anne),
            Some(json!({"platform": "Blégny", "title": "x", "status": "done"})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(v["error"]["message"].as_str().unwrap().contains("status"));
    // An indicator drafted from the component's criteria, then evaluated.
    let (status, v) = app
        .send(
            Method::POST,
            "/api/v1/spiral/indicators",
            Some(&anne),
            Some(json!({"platform": "Blégny", "component": "I07", "title": "Entraide"})),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let ind = v["id"].as_i64().unwrap();
    let (_, i) = app.json(&format!("/api/v1/spiral/indicators/{ind}")).await;
    assert_eq!(i["levels"].as_array().unwrap().len(), 5);
    let group_name = app.json(&format!("/api/v1/spiral/groups/{group}")).await.1["name"]
        .as_str()
        .unwrap()
        .to_string();
    for (date, level) in [("2026-01-15", 2), ("2026-06-15", 3)] {
        let (status, v) = app
            .send(
                Method::POST,
                &format!("/api/v1/spiral/indicators/{ind}/evaluations"),
                Some(&anne),
                Some(json!({"date": date, "group": group_name, "level": level})),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let (status, _) = app
        .send(
            Method::POST,
            &format!("/api/v1/spiral/indicators/{ind}/evaluations"),
            Some(&anne),
            Some(json!({"date": "2026-07-01", "level": 6})),
        )
        .await;
    assert_eq!(status, 422);
    // A day to come is refused, naming the date.
    let (status, v) = app
        .send(
            Method::POST,
            &format!("/api/v1/spiral/indicators/{ind}/evaluations"),
            Some(&anne),
            Some(json!({"date": "2099-01-01", "group": group_name, "level": 3})),
        )
        .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (422, Some("date")),
        "{v}"
    );
    let (_, i) = app.json(&format!("/api/v1/spiral/indicators/{ind}")).await;
    let levels: Vec<u64> = i["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["level"].as_u64().unwrap())
        .collect();
    assert_eq!(levels, [2, 3]);
    let (status, html) = app.html(&format!("/spiral/indicateurs/{ind}")).await;
    assert_eq!(status, 200);
    // The evaluation's date, as French writes dates.
    assert!(html.contains("15/06/2026"));
    let (status, html) = app.html(&format!("/spiral/actions/{action}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Repair café") && html.contains("décidée"));
    // It proposes practices of other communes that did something of the kind.
    let proposed = html
        .split("Des pratiques d’autres communes pour s’en inspirer")
        .nth(1)
        .expect("the practices section");
    let proposed = &proposed[..proposed.find("</section>").unwrap()];
    assert!(proposed.contains("href=\"/pratiques/"), "{proposed}");
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_failed_logins_end_in_429() {
    let app = spawn_app().await;
    let (_, group) = blegny(&app).await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let session = app.login("anne@blegny.be").await;
    let cookie = format!("zs_session={}", session["token"].as_str().unwrap());
    let post = |body: String| {
        app.client
            .post(app.url(&format!("/spiral/groupes/{group}/criteres")))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let r = post("question=WB&text=le+parc".into()).await.unwrap();
    assert_eq!(r.status(), 422, "no CSRF token");
    let r = post("question=WB&text=le+parc&csrf=wrong".into())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let csrf = session["csrf_token"].as_str().unwrap();
    let r = post(format!("question=WB&text=le+parc&csrf={csrf}"))
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/spiral/groupes/{group}?question=WB&enregistre=1")
    );
    // Wrong passwords and unknown e-mails get the same answer, then 429.
    let attempt = |email: &'static str| {
        app.client
            .post(app.url("/api/v1/session"))
            .json(&json!({"email": email, "password": "not the password"}))
            .send()
    };
    let a = attempt("anne@blegny.be").await.unwrap();
    let b = attempt("nobody@nowhere.lu").await.unwrap();
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (401, 401));
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
    let mut last = 0;
    for _ in 0..6 {
        last = attempt("anne@blegny.be").await.unwrap().status().as_u16();
    }
    assert_eq!(last, 429);
    // Even the right password waits now.
    let r = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "anne@blegny.be", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // Signing out ends the session.
    let token = session["token"].as_str().unwrap();
    assert_eq!(
        app.send(Method::DELETE, "/api/v1/session", Some(token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        app.send(
            Method::POST,
            &format!("/api/v1/spiral/groups/{group}/criteria"),
            Some(token),
            Some(json!({"question": "WB", "text": "x"}))
        )
        .await
        .0,
        401
    );
}

#[tokio::test]
async fn an_admin_imports_a_codebook_version_and_activates_it() {
    let app = spawn_app().await;
    app.add_account("root@zesummen.lu", "admin", &[], &[]).await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let tsv = "code\tlevel\tdimension\tlabel_en\tlabel_fr\tdescription_en\tstatus\tsource\n\
               A\tdimension\tA\tAccess to essential resources\tAccès aux moyens de vie\t\tverified\ttest\n\
               A01\tcomponent\tA\tFood\tAlimentation\t\tverified\ttest\n\
               A08\tcomponent\tA\t\t\t\tcode-only\ttest\n";
    let upload = |token: &str, version: &str, activate: bool| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", token.to_string())
            .text("version", version.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(tsv.as_bytes().to_vec()).file_name("codebook.tsv"),
            );
        if activate {
            form = form.text("activate", "1");
        }
        form
    };
    // A facilitator may not replace the codebook.
    let anne = app.login("anne@blegny.be").await;
    let r = app
        .client
        .post(app.url("/spiral/codebook"))
        .header(
            "cookie",
            format!("zs_session={}", anne["token"].as_str().unwrap()),
        )
        .multipart(upload(
            anne["csrf_token"].as_str().unwrap(),
            "2026-test",
            true,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Without the CSRF token, refused; with it, imported and active.
    let root = app.login("root@zesummen.lu").await;
    let cookie = format!("zs_session={}", root["token"].as_str().unwrap());
    let r = app
        .client
        .post(app.url("/spiral/codebook"))
        .header("cookie", &cookie)
        .multipart(upload("", "2026-test", true))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .post(app.url("/spiral/codebook"))
        .header("cookie", &cookie)
        .multipart(upload(
            root["csrf_token"].as_str().unwrap(),
            "2026-test",
            true,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, v) = app.json("/api/v1/spiral/codebook").await;
    assert_eq!(v["version"], "2026-test");
    assert_eq!(v["entries"].as_array().unwrap().len(), 3);
    assert_eq!(v["versions"].as_array().unwrap().len(), 2);
    // Criteria keep their codes; codes the new version does not know are flagged on the page.
    let (_, c) = app.json("/api/v1/spiral/criteria?component=I07").await;
    assert!(c["total"].as_u64().unwrap() > 0);
    let (_, html) = app.html("/spiral/criteres?composante=I07").await;
    assert!(html.contains("I07"));
    // Back to the bundled version.
    let r = app
        .client
        .post(app.url("/spiral/codebook/activer"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&version=2015-known",
            root["csrf_token"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.json("/api/v1/spiral/codebook").await.1["version"],
        "2015-known"
    );
    let log = app.store.audit_log(20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "codebook_import"));
    assert!(log.iter().any(|e| e.action == "codebook_activate"));
}

#[tokio::test]
async fn classifying_a_whole_group_checks_every_code_before_writing_any() {
    let app = spawn_app().await;
    let (_, group) = blegny(&app).await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    app.add_account("marc@mons.be", "facilitator", &["Mons"], &[])
        .await;
    let page = format!("/spiral/groupes/{group}/classer");
    assert_eq!(app.get(&page).await.status(), 401);
    // Blégny's one group holds all its criteria.
    let criteria = all_criteria(&app, "platform=Bl%C3%A9gny").await;
    let (a, b) = (
        criteria[0]["id"].as_i64().unwrap(),
        criteria[1]["id"].as_i64().unwrap(),
    );
    let form = |who: &str| {
        let app = &app;
        let who = who.to_string();
        let page = page.clone();
        async move {
            let session = app.login(&who).await;
            let cookie = format!("zs_session={}", session["token"].as_str().unwrap());
            let csrf = session["csrf_token"].as_str().unwrap().to_string();
            move |body: String| {
                app.client
                    .post(app.url(&page))
                    .header("cookie", cookie.clone())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf={csrf}&{body}"))
                    .send()
            }
        }
    };
    // Another platform's facilitator may not.
    let marc = form("marc@mons.be").await;
    assert_eq!(marc(format!("c{a}=B02")).await.unwrap().status(), 403);
    let anne = form("anne@blegny.be").await;
    // One bad code: 422 naming it, and the good one before it is not written either.
    let r = anne(format!("c{a}=B02&c{b}=ZZZ")).await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("c{b}")), "the bad list is named");
    let (_, now_a) = app.json(&format!("/api/v1/spiral/criteria/{a}")).await;
    assert_eq!(now_a["component"], criteria[0]["component"]);
    // Good codes: saved, and the page answers in place.
    let r = anne(format!("c{a}=B02&c{b}=")).await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("critère"), "the page says what it saved");
    let (_, now_a) = app.json(&format!("/api/v1/spiral/criteria/{a}")).await;
    assert_eq!(now_a["component"], "B02");
    let (_, now_b) = app.json(&format!("/api/v1/spiral/criteria/{b}")).await;
    assert!(now_b["component"].is_null(), "an empty choice unclassifies");
}

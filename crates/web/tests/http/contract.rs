//! The OpenAPI document and the answers agree: times with an offset, documented 400s for bad
//! path parameters, page numbers from 1, any-JSON revision values, attachments' media types.

use serde_json::Value;

use crate::helpers::spawn_app;

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

#[tokio::test]
async fn the_document_says_what_the_answers_do() {
    let app = spawn_app().await;
    let (status, doc) = app.json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    // Every operation with a path parameter documents the 400 it answers for a bad one...
    for (method, path, op) in operations(&doc) {
        let has_path = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path"));
        if has_path {
            assert!(
                op["responses"]["400"].is_object(),
                "{method} {path}: no 400"
            );
        }
    }
    // ...and answers it.
    for path in [
        "/api/v1/spiral/criteria/99999999999999999999",
        "/api/v1/spiral/groups/0",
        "/api/v1/practices/x",
    ] {
        let (status, v) = app.json(path).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["error"]["code"], "bad_parameter", "{path}");
    }
    // Pages count from 1, in 64 bits, as the parser reads them.
    for path in ["/api/v1/practices", "/api/v1/spiral/criteria"] {
        let page = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "page")
            .unwrap()
            .clone();
        assert_eq!(page["schema"]["minimum"], 1, "{path}");
        assert_eq!(page["schema"]["format"], "int64", "{path}");
        assert_eq!(app.json(&format!("{path}?page=0")).await.0, 400, "{path}");
    }
    // A revision's values are any JSON (a string, a list, null), not an object.
    let change = &doc["components"]["schemas"]["FieldChange"]["properties"];
    for side in ["before", "after"] {
        assert!(
            change[side].get("type").is_none(),
            "{side}: {}",
            change[side]
        );
    }
    // Attachments are served with the type found in their content.
    let served = doc["paths"]["/api/v1/attachments/{id}"]["get"]["responses"]["200"]["content"]
        .as_object()
        .unwrap();
    let mut types: Vec<&str> = served.keys().map(String::as_str).collect();
    types.sort_unstable();
    let mut expected = domain::attachment::MEDIA_TYPES.to_vec();
    expected.sort_unstable();
    assert_eq!(types, expected);
}

#[tokio::test]
async fn every_time_in_an_answer_carries_its_offset() {
    let app = spawn_app().await;
    let (_, doc) = app.json("/api/v1/openapi.json").await;
    let created = &doc["components"]["schemas"]["Criterion"]["properties"]["created_at"];
    assert_eq!(created["format"], "date-time", "{created}");
    let (status, v) = app.json("/api/v1/spiral/criteria?per_page=500").await;
    assert_eq!(status, 200);
    let mut times = 0;
    for c in v["items"].as_array().unwrap() {
        for key in ["created_at", "updated_at"] {
            if let Some(t) = c[key].as_str() {
                assert!(
                    chrono::DateTime::parse_from_rfc3339(t).is_ok(),
                    "{key} {t:?} is not RFC 3339 with an offset"
                );
                times += 1;
            }
        }
    }
    assert!(times > 0);
    let (_, p) = app.json("/api/v1/spiral/platforms").await;
    for platform in p["platforms"].as_array().unwrap() {
        if let Some(t) = platform["created_at"].as_str() {
            assert!(chrono::DateTime::parse_from_rfc3339(t).is_ok(), "{t:?}");
        }
    }
}

#[tokio::test]
async fn an_oversized_login_body_is_413() {
    let app = spawn_app().await;
    let big = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(20 << 20)
    );
    let r = app
        .client
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "too_large", "{v}");
    let (_, doc) = app.json("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/session"]["post"]["responses"]["413"].is_object());
}

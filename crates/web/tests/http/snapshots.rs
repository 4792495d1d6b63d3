//! Whole JSON answers of the API, asserted with insta snapshots (`tests/http/snapshots/`).
//! What varies from run to run is redacted first: ids, times, tokens. A change to an answer's
//! shape shows as a snapshot diff, to review and accept (`cargo insta review`, or
//! `INSTA_UPDATE=always`).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// Replaces what varies between runs by a placeholder: ids (`id`, `…_id`), times (`…_at`,
/// dates), and secrets (`token`, `csrf_token`). The placeholder keeps `null` visible, so that
/// an absent id still shows.
fn redacted(mut v: Value) -> Value {
    redact(&mut v);
    v
}

fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let placeholder = if key == "id" || key.ends_with("_id") {
                    Some("[id]")
                } else if key.ends_with("_at")
                    || key == "date"
                    || key == "created"
                    || key == "modified"
                {
                    Some("[time]")
                } else if key == "token" || key == "csrf_token" {
                    Some("[secret]")
                } else {
                    None
                };
                match placeholder {
                    Some(p) if !value.is_null() => *value = Value::String(p.into()),
                    _ => redact(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[test]
fn redaction_keeps_shape_and_hides_what_varies() {
    let v = redacted(json!({
        "id": 7, "group_id": null, "name": "Blégny",
        "created_at": "2026-11-01T09:00:00Z",
        "items": [{"id": 1, "token": "s3cret", "text": "x"}]
    }));
    assert_eq!(
        v,
        json!({
            "id": "[id]", "group_id": null, "name": "Blégny",
            "created_at": "[time]",
            "items": [{"id": "[id]", "token": "[secret]", "text": "x"}]
        })
    );
}

#[tokio::test]
async fn spiral_platforms_and_their_synthesis() {
    let app = spawn_app().await;
    let (status, platforms) = app.json("/api/v1/spiral/platforms").await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("spiral_platforms", redacted(platforms.clone()));
    let id = platforms["platforms"][0]["id"].as_i64().unwrap();
    let (status, synthesis) = app
        .json(&format!("/api/v1/spiral/platforms/{id}/synthesis"))
        .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("spiral_synthesis", redacted(synthesis));
}

#[tokio::test]
async fn a_page_of_criteria_sorted_by_text() {
    let app = spawn_app().await;
    let (status, v) = app
        .json("/api/v1/spiral/criteria?question=IB&per_page=3&sort=text")
        .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("spiral_criteria_page", redacted(v));
}

#[tokio::test]
async fn bad_parameters_name_themselves() {
    let app = spawn_app().await;
    let mut answers = serde_json::Map::new();
    for path in [
        "/api/v1/practices?per_page=1000",
        "/api/v1/spiral/criteria?component=Z9",
        "/api/v1/spiral/actions?status=done",
        "/api/v1/spiral/platforms/1/synthesis?group=abc",
        "/api/v1/spiral/platforms/abc",
        "/api/v1/nowhere",
    ] {
        let (status, body) = app.json(path).await;
        answers.insert(path.into(), json!({"status": status, "body": body}));
    }
    insta::assert_json_snapshot!("bad_parameters", Value::Object(answers));
}

#[tokio::test]
async fn a_session_and_a_pilot_action() {
    let app = spawn_app().await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let session = app.login("anne@blegny.be").await;
    insta::assert_json_snapshot!("session", redacted(session.clone()));
    let token = session["token"].as_str().unwrap();
    let (status, created) = app
        .send(
            Method::POST,
            "/api/v1/spiral/actions",
            Some(token),
            Some(json!({
                "platform": "Blégny",
                "title": "Un café des langues au centre culturel",
                "components": ["D00"],
                "status": "decided",
                "starts_on": "2026-12-01"
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, actions) = app
        .json("/api/v1/spiral/actions?platform=Bl%C3%A9gny")
        .await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("spiral_actions", redacted(actions));
}

//! The login throttle believes forwarded addresses only from trusted proxies; a 429 says when
//! to retry; TLS deployments get HSTS and `Secure` cookies.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

async fn failed_login(app: &TestApp, email: &str, header: (&str, &str)) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/session"))
        .header(header.0, header.1)
        .json(&json!({"email": email, "password": "not the password at all"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn forged_forwarding_headers_do_not_escape_the_throttle() {
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for i in 0..25 {
        // A new address and a new account each time: only the peer's budget can stop it.
        let email = format!("nobody{i}@example.org");
        let real_ip = format!("198.51.100.{i}");
        let header = if i % 2 == 0 {
            ("x-real-ip", real_ip.as_str())
        } else {
            ("x-forwarded-for", real_ip.as_str())
        };
        let r = failed_login(&app, &email, header).await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            let retry: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry > 0 && retry <= 3600, "{retry}");
        }
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(statuses[24], 429, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        20,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let proxies = web::client::parse_proxies("127.0.0.1").unwrap();
    let app = spawn_app_with(|s| s.with_trusted_proxies(proxies)).await;
    // One client uses up its budget through the proxy...
    for i in 0..20 {
        let r = failed_login(
            &app,
            &format!("a{i}@example.org"),
            ("x-forwarded-for", "203.0.113.50"),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    let r = failed_login(&app, "a99@example.org", ("x-forwarded-for", "203.0.113.50")).await;
    assert_eq!(r.status(), 429);
    // ...another client behind the same proxy is not refused for it, and a forged first entry
    // does not move the first client to another budget.
    let r = failed_login(&app, "b@example.org", ("x-forwarded-for", "203.0.113.51")).await;
    assert_eq!(r.status(), 401);
    let r = failed_login(
        &app,
        "c@example.org",
        ("x-forwarded-for", "192.0.2.1, 203.0.113.50"),
    )
    .await;
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn secure_deployments_send_hsts_and_secure_cookies() {
    let app = spawn_app_with(|s| s.with_secure_cookies(true)).await;
    let r = app.get("/").await;
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age="),
    );
    let r = app.get("/langue/de?retour=/").await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let plain = spawn_app().await;
    assert!(
        plain
            .get("/")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
}

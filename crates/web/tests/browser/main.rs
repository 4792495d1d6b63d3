//! A real browser (headless Chromium through chromedriver) uses the site as a person would,
//! and axe-core checks the pages against WCAG 2.1 A and AA.
//!
//! `./scripts/test.sh` installs Chromium, chromedriver and axe-core when they are missing.

#[path = "../http/helpers.rs"]
mod helpers;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use thirtyfour::prelude::*;

struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_chromedriver() -> Driver {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {bin} ({e}): run ./scripts/test.sh, which installs chromium-driver"
            )
        });
    // Owned at once, so that the process is killed and reaped on every path, panics included.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("{}/status", driver.url))
            .send()
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {}", driver.url);
}

async fn browser(driver: &Driver) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    caps.set_binary(&chromium).unwrap();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        "--lang=fr",
    ] {
        caps.add_arg(arg).unwrap();
    }
    // The person reads French: the browser asks for it, as a French-speaking officer's would.
    caps.add_experimental_option(
        "prefs",
        serde_json::json!({ "intl.accept_languages": "fr-FR,fr" }),
    )
    .unwrap();
    let user_dir = tempfile::tempdir().unwrap().keep();
    caps.add_arg(&format!("--user-data-dir={}", user_dir.display()))
        .unwrap();
    WebDriver::new(&driver.url, caps)
        .await
        .expect("a Chromium session")
}

fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS").map_or_else(
        |_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/axe/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core not found at {} ({e}): run ./scripts/test.sh, which installs it",
            path.display()
        )
    })
}

/// Runs axe-core on the current page; fails on any WCAG 2.1 A or AA violation.
async fn assert_accessible(d: &WebDriver, axe: &str, page: &str) {
    d.execute(axe, Vec::new()).await.expect("inject axe-core");
    let result = d
        .execute_async(
            r"const done = arguments[arguments.length - 1];
              axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                 .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => n.target.join(' ')) }))))
                 .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));",
            Vec::new(),
        )
        .await
        .expect("axe.run");
    let violations: Value = result.json().clone();
    assert_eq!(
        violations,
        serde_json::json!([]),
        "accessibility violations on {page}"
    );
}

#[tokio::test]
async fn a_person_searches_filters_and_reads_a_fiche() {
    let app = helpers::spawn_app().await;
    let axe = axe_source();
    let driver = start_chromedriver().await;
    let started = std::time::Instant::now();
    let d = browser(&driver).await;
    eprintln!("browser started in {:?}", started.elapsed());
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();

    d.goto(app.url("/")).await.unwrap();
    assert_eq!(d.title().await.unwrap(), "zesummen");
    assert_accessible(&d, &axe, "the home page").await;
    eprintln!("home checked at {:?}", started.elapsed());

    // Keyboard only: the search box has a label, Enter submits.
    let q = d.find(By::Css("input#q")).await.unwrap();
    let label = d
        .find(By::Css("label[for=q]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(label, "Rechercher une pratique");
    q.send_keys("logement").await.unwrap();
    q.send_keys(Key::Enter).await.unwrap();
    d.find(By::Css("ol.hits li")).await.unwrap();
    assert!(
        d.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/recherche?q=logement")
    );
    let count = d
        .find(By::Css("p.count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(count.contains("pratiques trouvées"), "{count}");
    assert_accessible(&d, &axe, "the search page").await;

    // A facet: the first commune offered.
    let facet = d
        .find(By::XPath("//section[@class='facet'][h3='Commune']//a"))
        .await
        .unwrap();
    let commune = facet.text().await.unwrap();
    facet.click().await.unwrap();
    let active = d
        .find(By::Css(".active-filters a"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(active.contains(&commune), "{active} / {commune}");
    let hits = d.find_all(By::Css("ol.hits li .tags")).await.unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert!(h.text().await.unwrap().contains(&commune));
    }

    // Open the first fiche: its title is the page's heading, its sections are there.
    let first = d.find(By::Css("ol.hits li h3 a")).await.unwrap();
    let title = first.text().await.unwrap();
    first.click().await.unwrap();
    let h1 = d
        .find(By::Css("article.fiche h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, title);
    let headings: Vec<String> = {
        let mut v = Vec::new();
        for h in d
            .find_all(By::Css("article.fiche section h2"))
            .await
            .unwrap()
        {
            v.push(h.text().await.unwrap());
        }
        v
    };
    assert!(headings.iter().any(|h| h == "Contacts"), "{headings:?}");
    assert!(headings.iter().any(|h| h == "Sources"), "{headings:?}");
    assert_accessible(&d, &axe, "a fiche").await;

    // The language switcher is remembered.
    d.find(By::Css("nav.langs a[hreflang=en]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.goto(app.url("/recherche?q=sport")).await.unwrap();
    let html_lang = d
        .find(By::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(html_lang.as_deref(), Some("en"));

    d.quit().await.unwrap();
}

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
        // The browsers chromedriver started go first: a test that panics before `quit` would
        // otherwise leave headless Chromium processes running after the test binary ends.
        let _ = Command::new("pkill")
            .args(["-KILL", "-P", &self.child.id().to_string()])
            .status();
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

/// The chart of a group page, as drawn.
async fn chart(d: &WebDriver) -> String {
    d.find(By::Css("figure.chart svg"))
        .await
        .unwrap()
        .outer_html()
        .await
        .unwrap()
}

/// Waits until the group page lists `n` post-its (the page after a save has loaded).
async fn wait_rows(d: &WebDriver, n: usize) {
    for _ in 0..100 {
        let rows = d
            .find_all(By::Css("table.criteria tbody tr"))
            .await
            .unwrap_or_default();
        if rows.len() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the group page never listed {n} post-its");
}

/// Types into whatever has the focus, as a keyboard does.
async fn type_keys(d: &WebDriver, keys: impl Into<TypingData>) {
    d.active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_facilitator_enters_three_post_its_by_keyboard_and_classifies_one() {
    let app = helpers::spawn_app().await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let platform = platforms["platforms"][0]["id"].as_i64().unwrap();
    let axe = axe_source();
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();

    // Sign in: the e-mail field has the focus, Tab to the password, Enter.
    d.goto(app.url(&format!("/connexion?retour=/spiral/plateformes/{platform}")))
        .await
        .unwrap();
    assert_accessible(&d, &axe, "the login page").await;
    type_keys(&d, "anne@blegny.be").await;
    type_keys(&d, Key::Tab).await;
    type_keys(&d, helpers::PASSWORD).await;
    type_keys(&d, Key::Enter).await;
    d.find(By::Css("form[action$='/groupes']")).await.unwrap();
    assert!(
        d.current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&format!("/spiral/plateformes/{platform}"))
    );
    assert_accessible(&d, &axe, "the platform page").await;

    // A new group.
    let name = d.find(By::Css("input#g-name")).await.unwrap();
    name.send_keys("Parents seuls").await.unwrap();
    let profile = d.find(By::Css("input#g-profile")).await.unwrap();
    profile.send_keys("familles monoparentales").await.unwrap();
    profile.send_keys(Key::Enter).await.unwrap();
    d.find(By::Css("form#entry")).await.unwrap();
    assert!(
        d.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/spiral/groupes/")
    );
    assert_accessible(&d, &axe, "the group page").await;
    let empty_chart = chart(&d).await;
    let focused = d.active_element().await.unwrap().id().await.unwrap();
    assert_eq!(
        focused.as_deref(),
        Some("postit"),
        "the post-it field has the focus"
    );

    // Three post-its, keyboard alone: the post-it field has the focus after each save.
    type_keys(&d, "avoir des voisins qui disent bonjour").await;
    type_keys(&d, Key::Enter).await;
    wait_rows(&d, 1).await;
    d.find(By::Css("p.saved")).await.unwrap();
    // Back from the text to the question (the checked radio), arrow to the next, Tab back.
    type_keys(&d, Key::Shift + Key::Tab).await;
    type_keys(&d, Key::Right).await;
    type_keys(&d, Key::Tab).await;
    type_keys(&d, "se sentir seul le dimanche").await;
    type_keys(&d, Key::Enter).await;
    wait_rows(&d, 2).await;
    d.find(By::Css("p.saved")).await.unwrap();
    type_keys(&d, "ne pas trouver de crèche").await;
    type_keys(&d, Key::Enter).await;
    wait_rows(&d, 3).await;
    d.find(By::Css("p.saved")).await.unwrap();

    let rows = d
        .find_all(By::Css("table.criteria tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    let table = d
        .find(By::Css("table.criteria"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("avoir des voisins qui disent bonjour"),
        "{table}"
    );
    assert_eq!(table.matches("Mal-être").count(), 2, "{table}");
    assert_eq!(table.matches("Bien-être").count(), 1, "{table}");
    let counts = d
        .find(By::Css("table.counts tbody tr"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(counts.contains('3'), "{counts}");
    let before = chart(&d).await;
    assert_ne!(before, empty_chart, "the chart counts the new post-its");

    // Classify "se sentir seul": D00 from the list, typed into the select.
    let link = d
        .find(By::XPath(
            "//tr[td[contains(., 'se sentir seul')]]//a[contains(., 'Classer')]",
        ))
        .await
        .unwrap();
    link.send_keys(Key::Enter).await.unwrap();
    let select = d.find(By::Css("select#component")).await.unwrap();
    assert_accessible(&d, &axe, "the criterion page").await;
    select.focus().await.unwrap();
    type_keys(&d, "D00").await;
    let chosen: String = d
        .execute(
            "return document.getElementById('component').value",
            Vec::new(),
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert_eq!(chosen, "D00");
    let save = d
        .find(By::Css(
            "form[action^='/spiral/criteres/'] button[type=submit]",
        ))
        .await
        .unwrap();
    save.send_keys(Key::Enter).await.unwrap();
    d.find(By::Css("form#entry")).await.unwrap();

    let after = chart(&d).await;
    assert_ne!(after, before, "classifying changes the synthesis chart");
    assert!(after.contains("\nD\n"), "dimension D appears on the chart");
    let table = d
        .find(By::Css("table.criteria"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("D00"), "{table}");

    // The platform synthesis shows it too.
    d.goto(app.url(&format!("/spiral/plateformes/{platform}/synthese")))
        .await
        .unwrap();
    let groups_chart = d
        .find(By::Css("#chart-groups svg"))
        .await
        .unwrap()
        .outer_html()
        .await
        .unwrap();
    assert!(groups_chart.contains("Parents seuls"));
    assert_accessible(&d, &axe, "the synthesis page").await;
    d.quit().await.unwrap();
}

/// Waits until `css` matches an element whose text contains `text`; answers that text.
async fn wait_text(d: &WebDriver, css: &str, text: &str) -> String {
    for _ in 0..100 {
        for e in d.find_all(By::Css(css)).await.unwrap_or_default() {
            let t = e.text().await.unwrap_or_default();
            if t.contains(text) {
                return t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing matching {css} ever said {text:?}");
}

/// Signs in through the login page, keyboard only, and lands on `back`.
async fn sign_in(d: &WebDriver, app: &helpers::TestApp, email: &str, back: &str) {
    d.goto(app.url(&format!("/connexion?retour={back}")))
        .await
        .unwrap();
    type_keys(d, email).await;
    type_keys(d, Key::Tab).await;
    type_keys(d, helpers::PASSWORD).await;
    type_keys(d, Key::Enter).await;
    for _ in 0..100 {
        if d.current_url().await.unwrap().path() == back {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{email} did not land on {back}");
}

#[tokio::test]
async fn a_contributor_proposes_a_practice_and_an_editor_publishes_it() {
    let app = helpers::spawn_app().await;
    app.add_account("claire@strassen.lu", "contributor", &[], &["Strassen"])
        .await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let axe = axe_source();
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();

    sign_in(&d, &app, "claire@strassen.lu", "/pratiques/nouvelle").await;
    d.find(By::Css("form.practice-form")).await.unwrap();
    let nav = d
        .find(By::Css("nav.sections"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        nav.contains("Mes contributions") && !nav.contains("Modération"),
        "{nav}"
    );
    assert_accessible(&d, &axe, "the empty contribution form").await;

    // Typing the title: a similar practice of the corpus is suggested while typing.
    d.find(By::Css("#f-title"))
        .await
        .unwrap()
        .focus()
        .await
        .unwrap();
    type_keys(&d, "Café des langues").await;
    let suggestion = wait_text(&d, "#similar-list li a", "Café de Babel").await;
    assert!(suggestion.contains("Strassen"), "{suggestion}");
    let intro = d.find(By::Css("#similar-intro")).await.unwrap();
    assert!(intro.is_displayed().await.unwrap());
    assert_eq!(
        d.find(By::Css("#similar"))
            .await
            .unwrap()
            .attr("aria-live")
            .await
            .unwrap()
            .as_deref(),
        Some("polite")
    );

    // The rest of the fiche, by keyboard: Tab from field to field.
    type_keys(&d, " du samedi").await;
    for text in [
        "Parler ensemble",                                      // subtitle
        "Commune de Strassen",                                  // institution
        "Commission consultative d'intégration",                // organisers
        "Strassen",                                             // communes
        "Langues",                                              // themes
        "Pratiquer le luxembourgeois",                          // objectives
        "Des tables de conversation animées par des bénévoles", // description
    ] {
        type_keys(&d, Key::Tab).await;
        type_keys(&d, text).await;
    }
    d.find(By::Css("#f-contact-0-name"))
        .await
        .unwrap()
        .focus()
        .await
        .unwrap();
    type_keys(&d, "Marie Muller").await;
    type_keys(&d, Key::Tab).await;
    type_keys(&d, "Coordinatrice").await;
    d.find(By::Css("#f-contact-0-emails"))
        .await
        .unwrap()
        .focus()
        .await
        .unwrap();
    type_keys(&d, "marie.muller@strassen.lu").await;
    let save = d.find(By::Css("button[value=save]")).await.unwrap();
    save.focus().await.unwrap();
    type_keys(&d, Key::Enter).await;

    // The draft's own page: its status, and the author's move.
    let banner = wait_text(&d, ".status-banner", "brouillon").await;
    assert!(banner.contains("pas visible du public"), "{banner}");
    d.find(By::Css("p.saved")).await.unwrap();
    let draft_url = d.current_url().await.unwrap();
    let draft_path = draft_url.path().to_string();
    assert_eq!(
        d.find(By::Css("article.fiche h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Café des langues du samedi"
    );
    assert_accessible(&d, &axe, "a draft's page").await;
    let submit = d.find(By::Css("form.step-submit button")).await.unwrap();
    submit.focus().await.unwrap();
    type_keys(&d, Key::Enter).await;
    wait_text(&d, ".status-banner", "soumise").await;
    assert!(
        d.find_all(By::Css("form.step-publish"))
            .await
            .unwrap()
            .is_empty()
    );
    d.goto(app.url("/mes-contributions")).await.unwrap();
    wait_text(&d, "table.practices-list", "Café des langues du samedi").await;
    assert_accessible(&d, &axe, "my contributions").await;

    // The editor reviews it from the queue, and publishes it.
    d.delete_all_cookies().await.unwrap();
    sign_in(&d, &app, "eva@zesummen.lu", "/moderation").await;
    let link = d
        .find(By::XPath(
            "//table//a[contains(., 'Café des langues du samedi')]",
        ))
        .await
        .unwrap();
    assert_accessible(&d, &axe, "the review queue").await;
    link.click().await.unwrap();
    let publish = d.find(By::Css("form.step-publish button")).await.unwrap();
    publish.click().await.unwrap();
    d.find(By::Css("p.saved")).await.unwrap();
    assert!(
        d.find_all(By::Css(".status-banner"))
            .await
            .unwrap()
            .is_empty()
    );
    d.find(By::Css("a[href$='/historique']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&d, "ol.revisions", "publication").await;
    assert_accessible(&d, &axe, "the history page").await;
    d.goto(app.url(&draft_path)).await.unwrap();
    let edit = d.find(By::Css("a[href$='/modifier']")).await.unwrap();
    edit.click().await.unwrap();
    d.find(By::Css("#f-title")).await.unwrap();
    assert_accessible(&d, &axe, "the edit form with attachments and erasure").await;

    // Anonymous visitors now see it.
    d.delete_all_cookies().await.unwrap();
    d.goto(app.url(&draft_path)).await.unwrap();
    assert_eq!(
        d.find(By::Css("article.fiche h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Café des langues du samedi"
    );
    assert!(
        d.find_all(By::Css("section.workflow"))
            .await
            .unwrap()
            .is_empty()
    );
    d.quit().await.unwrap();
}

/// Common payloads of the OWASP XSS filter-evasion cheat sheet: every one would set
/// `window.__xss`, open an alert or add an element if a page let it through.
const XSS: &[&str] = &[
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "<svg/onload=window.__xss=1>",
    "\"><script>window.__xss=1</script>",
    "'><script>window.__xss=1</script>",
    "<iframe src=\"javascript:top.__xss=1\"></iframe>",
    "<body onload=window.__xss=1>",
    "<ScRiPt>window.__xss=1</sCrIpT>",
    "<IMG SRC=\"javascript:window.__xss=1;\">",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<img src=x onerror=&#119;indow.__xss=1>",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "'-alert(1)-'",
    "\";window.__xss=1;//",
    "\" onmouseover=\"window.__xss=1\" x=\"",
    "' autofocus onfocus='window.__xss=1",
    "<a href=\"javascript:window.__xss=1\">lien</a>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
    "<details open ontoggle=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<object data=\"javascript:window.__xss=1\"></object>",
    "<style>@import 'javascript:alert(1)';</style>",
    "{{7*7}}${window.__xss=1}",
];

/// What a page shows after loading: whether a payload ran or added an element, and its text.
async fn probe(d: &WebDriver, page: &str) -> String {
    assert!(
        d.get_alert_text().await.is_err(),
        "an alert is open on {page}"
    );
    let v: Value = d
        .execute(
            r#"const bad = document.querySelectorAll('iframe, object, embed, frame, style, img, svg, details, input[autofocus], body[onload], [onerror], [onload], [onfocus], [onmouseover], [ontoggle], a[href^="javascript:" i]');
               // JSON-LD is a data block the browser never runs; it must still parse whole.
               const data = [...document.scripts].filter(s => !s.src && s.type === 'application/ld+json');
               data.forEach(s => JSON.parse(s.textContent));
               const scripts = [...document.scripts].filter(s => !data.includes(s) && (!s.src || !s.src.startsWith(location.origin + '/static/')));
               return { xss: window.__xss === undefined ? null : String(window.__xss),
                        injected: [...bad].map(e => e.outerHTML.slice(0, 80)),
                        scripts: scripts.length,
                        text: document.body.textContent };"#,
            Vec::new(),
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert_eq!(v["xss"], Value::Null, "a payload ran on {page}");
    assert_eq!(
        v["injected"],
        serde_json::json!([]),
        "elements injected on {page}"
    );
    assert_eq!(v["scripts"], 0, "a foreign script on {page}");
    v["text"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_xss_corpus_in_every_field_stays_inert_text() {
    let app = helpers::spawn_app().await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let session = app.login("eva@zesummen.lu").await;
    let token = session["token"].as_str().unwrap().to_string();
    let csrf = session["csrf_token"].as_str().unwrap().to_string();
    let cookie = format!("zs_session={token}");
    let post = |path: String, fields: Vec<(String, String)>| {
        let mut fields = fields;
        fields.push(("csrf".into(), csrf.clone()));
        let req = app
            .client
            .post(app.url(&path))
            .header("cookie", &cookie)
            .form(&fields);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let location = r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (status, location, r.text().await.unwrap())
        }
    };

    // A `javascript:` web site is refused outright.
    let (status, _, _) = post(
        "/pratiques/nouvelle".into(),
        vec![
            ("title".into(), "zqxcorpus".into()),
            ("websites".into(), "javascript:window.__xss=1".into()),
        ],
    )
    .await;
    assert_eq!(status, 422);

    // One practice per payload, the payload in every text field, contacts, themes and web
    // sites included.
    let mut practices = Vec::new();
    for (i, payload) in XSS.iter().enumerate() {
        let title = format!("zqxcorpus {i} {payload}");
        let mut fields: Vec<(String, String)> = [
            "subtitle",
            "institution",
            "organisers",
            "themes",
            "objectives",
            "description",
            "results",
            "target_public",
            "place_periodicity",
            "costs",
            "other_info",
            "contact-0-name",
            "contact-0-role",
            "contact-0-organisation",
            "contact-0-address",
            "contact-0-phones",
        ]
        .iter()
        .map(|k| ((*k).to_string(), (*payload).to_string()))
        .collect();
        fields.push(("title".into(), title.clone()));
        // Communes are checked against the registry (a payload is a field error): a real one.
        fields.push(("communes".into(), "Strassen".into()));
        fields.push((
            "contact-0-emails".into(),
            format!("\"><svg/onload=window.__xss={i}>@xss.lu"),
        ));
        fields.push(("websites".into(), format!("https://xss.example/{payload}")));
        fields.push(("language".into(), "fr".into()));
        let (status, location, body) = post("/pratiques/nouvelle".into(), fields).await;
        assert_eq!(status, 303, "payload {i}: {body}");
        let id: i64 = location
            .strip_prefix("/pratiques/")
            .and_then(|r| r.split('/').next())
            .unwrap()
            .parse()
            .unwrap();
        let (status, _, _) = post(
            format!("/pratiques/{id}/statut"),
            vec![("step".into(), "submit".into())],
        )
        .await;
        assert_eq!(status, 303);
        practices.push((id, title, (*payload).to_string()));
    }

    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();
    d.goto(app.url("/")).await.unwrap();
    d.add_cookie(thirtyfour::Cookie::new("zs_session", token.clone()))
        .await
        .unwrap();

    // The review queue lists them all, as text.
    d.goto(app.url("/moderation")).await.unwrap();
    let text = probe(&d, "the review queue").await;
    for (_, title, _) in &practices {
        assert!(text.contains(title.as_str()), "the queue lacks {title}");
    }
    for (id, _, _) in &practices {
        let (status, _, _) = post(
            format!("/pratiques/{id}/statut"),
            vec![("step".into(), "publish".into())],
        )
        .await;
        assert_eq!(status, 303);
    }

    for (id, title, payload) in &practices {
        d.goto(app.url(&format!("/pratiques/{id}"))).await.unwrap();
        d.find(By::Css("article.fiche h1")).await.unwrap();
        let text = probe(&d, &format!("the fiche of {title}")).await;
        assert!(
            text.matches(payload.as_str()).count() >= 12,
            "the fiche of {title} does not show the payload as text"
        );
        let h1: String = d
            .execute(
                "return document.querySelector('article.fiche h1').textContent",
                Vec::new(),
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert_eq!(&h1, title);
        // Web sites link only to http(s).
        let hrefs: Vec<String> = d
            .execute(
                "return [...document.querySelectorAll('a[href]')].map(a => a.href)",
                Vec::new(),
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert!(
            hrefs.iter().all(|h| h.starts_with("http://")
                || h.starts_with("https://")
                || h.starts_with("mailto:")),
            "{hrefs:?}"
        );

        d.goto(app.url(&format!("/pratiques/{id}/historique")))
            .await
            .unwrap();
        d.find(By::Css("ol.revisions")).await.unwrap();
        let text = probe(&d, &format!("the history of {title}")).await;
        assert!(text.contains(payload.as_str()));

        d.goto(app.url(&format!("/pratiques/{id}/modifier")))
            .await
            .unwrap();
        d.find(By::Css("#f-title")).await.unwrap();
        probe(&d, &format!("the form of {title}")).await;
        let values: Vec<String> = d
            .execute(
                "return ['f-title', 'f-description', 'f-contact-0-name', 'f-websites'].map(id => document.getElementById(id).value)",
                Vec::new(),
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert_eq!(
            values,
            [
                title.clone(),
                payload.clone(),
                payload.clone(),
                format!("https://xss.example/{payload}")
            ]
        );
    }

    d.goto(app.url("/recherche?q=zqxcorpus&per_page=50"))
        .await
        .unwrap();
    d.find(By::Css("ol.hits li")).await.unwrap();
    let text = probe(&d, "the search results").await;
    for (_, title, _) in &practices {
        assert!(text.contains(title.as_str()), "the results lack {title}");
    }
    d.quit().await.unwrap();
}

/// The header's account links, as a person reads them.
async fn header_nav(d: &WebDriver) -> String {
    d.find(By::Css("header.site nav.sections"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_signed_in_editor_sees_the_same_header_on_every_page() {
    let app = helpers::spawn_app().await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let (_, list) = app.json("/api/v1/practices?per_page=1").await;
    let practice = list["hits"][0]["id"]
        .as_i64()
        .expect("a published practice");
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let platform = platforms["platforms"][0]["id"].as_i64().unwrap();
    let axe = axe_source();
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();

    // Anonymous, the header offers to sign in.
    d.goto(app.url("/")).await.unwrap();
    assert!(header_nav(&d).await.contains("Se connecter"));

    sign_in(&d, &app, "eva@zesummen.lu", "/").await;
    let pages = [
        ("the home page", "/".to_string()),
        ("a search page", "/recherche?q=logement".to_string()),
        ("a SPIRAL page", format!("/spiral/plateformes/{platform}")),
        ("a fiche", format!("/pratiques/{practice}")),
    ];
    for (name, path) in &pages {
        d.goto(app.url(path)).await.unwrap();
        let nav = header_nav(&d).await;
        assert!(
            nav.contains("eva@zesummen.lu") && nav.contains("Mon compte"),
            "{name}: the account is missing from {nav:?}"
        );
        assert!(
            nav.contains("Modération"),
            "{name}: an editor's link is missing from {nav:?}"
        );
        assert!(
            !nav.contains("Se connecter"),
            "{name}: a signed-in editor is offered to sign in: {nav:?}"
        );
        let sign_out = d
            .find(By::Css("header.site form.sign-out button[type=submit]"))
            .await
            .unwrap_or_else(|_| panic!("{name}: no sign-out button"));
        assert_eq!(sign_out.text().await.unwrap(), "Se déconnecter", "{name}");
        assert_accessible(&d, &axe, name).await;
    }

    // The header's button signs out, from any page.
    d.find(By::Css("header.site form.sign-out button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if d.current_url().await.unwrap().path() == "/" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let nav = header_nav(&d).await;
    assert!(
        nav.contains("Se connecter") && !nav.contains("eva@zesummen.lu"),
        "after signing out: {nav:?}"
    );
    d.quit().await.unwrap();
}

/// The French UI strings a page in `code` must not show, from the French Fluent file: the
/// whole text of each message without variables (a single word matched as a whole text or
/// attribute, since unmarked content such as "Commune de Strassen" holds French words; a
/// phrase also inside a text), and the fixed parts of each message with variables (matched
/// as words inside a text), unless the language uses the same words.
struct FrenchUi {
    whole: Vec<String>,
    parts: Vec<String>,
}

fn french_ui_strings(code: &str) -> FrenchUi {
    let read = |c: &str| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{c}/main.ftl"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    // (text, has variables) of each value and plural variant; `{ … }` cuts a text in parts.
    let texts = |ftl: &str| -> Vec<(Vec<String>, bool)> {
        let mut out = Vec::new();
        for line in ftl.lines().filter(|l| !l.starts_with('#')) {
            let value = match line.split_once(" = ") {
                Some((id, v)) if !id.starts_with(' ') => v,
                _ => line
                    .trim()
                    .trim_start_matches(|c| c != ']')
                    .trim_start_matches(']'),
            };
            let mut parts = Vec::new();
            let mut rest = value;
            while !rest.is_empty() {
                let (text, after) = match rest.find('{') {
                    Some(i) => (
                        &rest[..i],
                        rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]),
                    ),
                    None => (rest, ""),
                };
                if !text.trim().is_empty() {
                    parts.push(text.trim().to_string());
                }
                rest = after;
            }
            out.push((parts, value.contains('{')));
        }
        out
    };
    let own: Vec<String> = texts(&read(code))
        .into_iter()
        .flat_map(|(p, _)| p)
        .collect();
    // Short parts ("»", "N°") say nothing about the language; shared words are no French.
    let french = |t: &String| {
        t.chars().filter(|c| c.is_alphabetic()).count() >= 4
            && !own.iter().any(|o| o.contains(t.as_str()))
    };
    let mut ui = FrenchUi {
        whole: Vec::new(),
        parts: Vec::new(),
    };
    for (parts, variables) in texts(&read("fr")) {
        let list = if variables {
            &mut ui.parts
        } else {
            &mut ui.whole
        };
        list.extend(parts.into_iter().filter(french));
    }
    for list in [&mut ui.whole, &mut ui.parts] {
        list.sort();
        list.dedup();
    }
    ui
}

/// Whether `part` stands in `text` as whole words.
fn has_words(text: &str, part: &str) -> bool {
    text.match_indices(part).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + part.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The UI text of the current page: its text nodes and labelling attributes, without the
/// elements marked as content in another language (`lang` differing from the page's) and
/// without the places that show values of the data as written.
async fn ui_texts(d: &WebDriver) -> Vec<String> {
    d.execute(
        r"const page = document.documentElement.lang;
          const foreign = n => { const e = n.nodeType === 1 ? n : n.parentElement;
                                 const l = e && e.closest('[lang]');
                                 return l && l.lang !== page; };
          // Values from the data, shown as written: theme and commune names, facet values,
          // the hits' titles and excerpts, post-its, groups' names and profiles.
          const data = `a[href^='/themes/'], a[href^='/communes/'], .facet li, ol.hits,
                        .active-filters li, table.criteria tbody, .breadcrumb, dl.meta dd, .similar li`;
          const out = [document.title];
          const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walk.nextNode()) {
            const n = walk.currentNode;
            const p = n.parentElement;
            if (!p || p.closest('script, style') || p.closest(data) || foreign(n)) continue;
            const t = n.textContent.replace(/\s+/g, ' ').trim();
            if (t) out.push(t);
          }
          for (const e of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
            if (foreign(e)) continue;
            for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
              const v = e.getAttribute(a);
              if (v) out.push(v);
            }
          }
          return out;",
        Vec::new(),
    )
    .await
    .unwrap()
    .convert()
    .unwrap()
}

#[tokio::test]
async fn german_and_luxembourgish_pages_show_no_french_ui_string() {
    let app = helpers::spawn_app().await;
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let blegny = platforms["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Blégny")
        .expect("Blégny is imported")
        .clone();
    let platform = blegny["id"].as_i64().unwrap();
    let group = blegny["groups"][0]["id"].as_i64().unwrap();
    let (_, found) = app.json("/api/v1/practices?q=logement").await;
    let fiche = found["hits"][0]["id"]
        .as_i64()
        .expect("a practice on housing");
    let (_, practice) = app.json(&format!("/api/v1/practices/{fiche}")).await;
    assert_eq!(practice["language"], "fr", "{practice}");
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();

    let pages = [
        ("the home page", "/".to_string()),
        ("the search page", "/recherche?q=logement".to_string()),
        ("a fiche", format!("/pratiques/{fiche}")),
        ("a group", format!("/spiral/groupes/{group}")),
        (
            "a synthesis",
            format!("/spiral/plateformes/{platform}/synthese"),
        ),
    ];
    for (code, notice, heading) in [
        (
            "de",
            "Diese Praxis gibt es nur auf Französisch.",
            "Verfeinern",
        ),
        ("lb", "Dës Praxis gëtt et nëmmen op Franséisch.", "Filteren"),
    ] {
        let french = french_ui_strings(code);
        assert!(
            french.whole.len() > 200 && french.parts.len() > 30,
            "{} + {} French strings for {code}",
            french.whole.len(),
            french.parts.len()
        );
        // The switcher, as a person would use it.
        d.goto(app.url("/")).await.unwrap();
        d.find(By::Css(format!("nav.langs a[hreflang={code}]")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        for (name, path) in &pages {
            d.goto(app.url(path)).await.unwrap();
            d.find(By::Css("main h1")).await.unwrap();
            let page_lang = d
                .find(By::Css("html"))
                .await
                .unwrap()
                .attr("lang")
                .await
                .unwrap();
            assert_eq!(page_lang.as_deref(), Some(code), "{name} in {code}");
            let texts = ui_texts(&d).await;
            let shown: Vec<&String> = texts
                .iter()
                .filter(|t| {
                    let label = t.trim_end_matches([':', '\u{a0}', ' ']);
                    french
                        .whole
                        .iter()
                        .any(|w| w == label || (w.contains(' ') && has_words(t, w)))
                        || french.parts.iter().any(|p| has_words(t, p))
                })
                .collect();
            assert!(
                shown.is_empty(),
                "{name} in {code} shows French UI strings {shown:?}"
            );
            // Dates in the reader's convention, never ISO in the text.
            for t in &texts {
                let iso = t.as_bytes().windows(10).any(|w| {
                    w.iter().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            *b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    })
                });
                assert!(!iso, "{name} in {code} shows an ISO date: {t:?}");
            }
        }

        // The search page's facets, in the reader's language.
        d.goto(app.url("/recherche?q=logement")).await.unwrap();
        let facets = d
            .find(By::Css("#facets-h"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(facets, heading);

        // The fiche says it is written in French, and marks its text as French.
        d.goto(app.url(&format!("/pratiques/{fiche}")))
            .await
            .unwrap();
        let note = d
            .find(By::Css("article.fiche .fiche-language"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(note, notice);
        for css in ["article.fiche h1", "article.fiche section .text"] {
            let lang = d
                .find(By::Css(css))
                .await
                .unwrap()
                .attr("lang")
                .await
                .unwrap();
            assert_eq!(lang.as_deref(), Some("fr"), "{css} of the fiche in {code}");
        }
        let heading_lang: String = d
            .execute(
                "return document.querySelector('article.fiche section h2').closest('[lang]').lang",
                Vec::new(),
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert_eq!(
            heading_lang, code,
            "the fiche's headings are in the reader's language"
        );
    }

    // A French reader is told nothing: the fiche is in the page's language.
    d.delete_all_cookies().await.unwrap();
    d.goto(app.url(&format!("/pratiques/{fiche}")))
        .await
        .unwrap();
    d.find(By::Css("article.fiche h1")).await.unwrap();
    assert!(
        d.find_all(By::Css(".fiche-language"))
            .await
            .unwrap()
            .is_empty(),
        "a French fiche in the French UI needs no notice"
    );
    d.quit().await.unwrap();
}

/// A German reader searches a German word and finds the French fiches, told why.
#[tokio::test]
async fn a_german_reader_finds_french_language_courses_and_sees_the_expansion() {
    let app = helpers::spawn_app_with_concepts().await;
    let axe = axe_source();
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();
    d.goto(app.url("/")).await.unwrap();
    d.find(By::Css("nav.langs a[hreflang=de]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let q = d.find(By::Css("input#q")).await.unwrap();
    q.send_keys("Sprachkurs").await.unwrap();
    q.send_keys(Key::Enter).await.unwrap();
    d.find(By::Css("ol.hits li")).await.unwrap();
    let lang = d
        .find(By::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some("de"));
    // The expansion, with the French label marked as French.
    let expansion = d.find(By::Css("p.expansions a.expansion")).await.unwrap();
    assert_eq!(
        expansion.text().await.unwrap(),
        "Sprachkurs → Cours de langue"
    );
    let label_lang = expansion
        .find(By::Css("span"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(label_lang.as_deref(), Some("fr"));
    let mut titles = Vec::new();
    for h in d
        .find_all(By::Css("ol.hits li h3 a"))
        .await
        .unwrap()
        .iter()
        .take(3)
    {
        titles.push(h.text().await.unwrap());
    }
    assert!(
        titles
            .iter()
            .any(|t| t.to_lowercase().contains("langue") || t.contains("linguistique")),
        "{titles:?}"
    );
    assert_accessible(&d, &axe, "a German search widened through the concepts").await;
    // The expansion leads to the concept's practices.
    expansion.click().await.unwrap();
    d.find(By::Css("ol.hits li")).await.unwrap();
    assert!(
        d.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("concept=language-course")
    );
    // The pages of the bridge: a fiche with its tags, a criterion and a synthesis with the
    // practices that answer them, each with its reasons.
    let (_, cafe) = app.json("/api/v1/practices?q=Babel").await;
    let fiche = cafe["hits"][0]["id"].as_i64().unwrap();
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let platform = platforms["platforms"][0]["id"].as_i64().unwrap();
    let (_, criteria) = app.json("/api/v1/spiral/criteria?question=IB").await;
    let criterion = criteria["items"][0]["id"].as_i64().unwrap();
    for (name, path, css) in [
        (
            "a fiche with its tags",
            format!("/pratiques/{fiche}"),
            "dd.tags a",
        ),
        (
            "a criterion's practices",
            format!("/spiral/criteres/{criterion}"),
            "ul.answers li",
        ),
        (
            "a synthesis's practices",
            format!("/spiral/plateformes/{platform}/synthese"),
            "ul.answers li",
        ),
    ] {
        d.goto(app.url(&path)).await.unwrap();
        d.find(By::Css(css)).await.unwrap();
        assert_accessible(&d, &axe, name).await;
    }
    d.quit().await.unwrap();
}

/// A facilitator classifies a group of ten post-its on one page, keyboard alone, accepting
/// the suggestions: Tab accepts and moves on, Enter on the button saves, nothing redirects.
#[tokio::test]
async fn a_facilitator_classifies_ten_post_its_by_keyboard_accepting_suggestions() {
    let app = helpers::spawn_app_with_concepts().await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let anne = app.token("anne@blegny.be").await;
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let platform = platforms["platforms"][0]["id"].as_i64().unwrap();
    let (status, g) = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/spiral/platforms/{platform}/groups"),
            Some(&anne),
            Some(serde_json::json!({"name": "Voisins du centre"})),
        )
        .await;
    assert_eq!(status, 201, "{g}");
    let group = g["id"].as_i64().unwrap();
    let texts = [
        "se sentir seul le dimanche",
        "pas de bus après 19h",
        "le loyer est trop cher",
        "pas de travail pour les jeunes",
        "les voisins ne se parlent pas",
        "difficile d'apprendre le français",
        "pas de médecin dans le quartier",
        "les enfants n'ont pas de place pour jouer",
        "trop de déchets dans la rue",
        "personne à qui demander de l'aide",
    ];
    let mut expected = Vec::new();
    for text in texts {
        let (status, v) = app
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/spiral/groups/{group}/criteria"),
                Some(&anne),
                Some(serde_json::json!({"question": "IB", "text": text})),
            )
            .await;
        assert_eq!(status, 201, "{v}");
        let q: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        let (_, s) = app
            .json(&format!(
                "/api/v1/spiral/suggestions?text={q}&question=IB&platform=Bl%C3%A9gny&limit=1"
            ))
            .await;
        expected.push((
            v["id"].as_i64().unwrap(),
            s["suggestions"][0]["code"].as_str().map(str::to_string),
        ));
    }
    let suggested = expected.iter().filter(|(_, c)| c.is_some()).count();
    assert!(suggested >= 8, "{expected:?}");

    let axe = axe_source();
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();
    let page = format!("/spiral/groupes/{group}/classer");
    sign_in(&d, &app, "anne@blegny.be", &page).await;
    let selects = d
        .find_all(By::Css("ol.classify-rows select"))
        .await
        .unwrap();
    assert_eq!(selects.len(), 10);
    assert_accessible(&d, &axe, "classifying a whole group").await;
    // Keyboard alone from the first list: Tab ten times accepts each and reaches the button.
    selects[0].focus().await.unwrap();
    for _ in 0..10 {
        type_keys(&d, Key::Tab).await;
    }
    let focused = d.active_element().await.unwrap().tag_name().await.unwrap();
    assert_eq!(focused, "button");
    type_keys(&d, Key::Enter).await;
    let saved = d
        .find(By::Css("p.saved"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(saved, format!("{suggested} critères classés"));
    assert_eq!(d.current_url().await.unwrap().path(), page, "no redirect");
    assert_accessible(&d, &axe, "the group classified").await;
    for (id, code) in &expected {
        let (_, c) = app.json(&format!("/api/v1/spiral/criteria/{id}")).await;
        assert_eq!(c["component"].as_str(), code.as_deref(), "{c}");
    }
    // On the group page, suggestions show while a post-it is typed.
    d.goto(app.url(&format!("/spiral/groupes/{group}")))
        .await
        .unwrap();
    d.find(By::Css("input#postit"))
        .await
        .unwrap()
        .focus()
        .await
        .unwrap();
    type_keys(&d, texts[1]).await;
    let shown = wait_text(
        &d,
        "#postit-suggestions li",
        expected[1].1.as_deref().unwrap(),
    )
    .await;
    assert!(
        shown.starts_with(expected[1].1.as_deref().unwrap()),
        "{shown}"
    );
    assert_accessible(&d, &axe, "suggestions while typing").await;
    d.quit().await.unwrap();
}

/// On a 360-px-wide phone, the pages fit the screen: no sideways scroll, and axe-core finds
/// nothing.
#[tokio::test]
async fn pages_fit_a_360_px_phone() {
    let app = helpers::spawn_app_with_concepts().await;
    app.add_account("anne@blegny.be", "facilitator", &["Blégny"], &[])
        .await;
    let axe = axe_source();
    let (_, found) = app.json("/api/v1/practices?q=logement").await;
    let fiche = found["hits"][0]["id"].as_i64().unwrap();
    let (_, platforms) = app.json("/api/v1/spiral/platforms").await;
    let group = platforms["platforms"][0]["groups"][0]["id"]
        .as_i64()
        .unwrap();
    let platform = platforms["platforms"][0]["id"].as_i64().unwrap();
    let driver = start_chromedriver().await;
    let d = browser(&driver).await;
    d.set_implicit_wait_timeout(Duration::from_secs(5))
        .await
        .unwrap();
    d.set_window_rect(0, 0, 360, 740).await.unwrap();
    let pages = [
        ("the home page", "/".to_string()),
        ("the search page", "/recherche?q=logement".to_string()),
        ("a fiche", format!("/pratiques/{fiche}")),
        ("a group", format!("/spiral/groupes/{group}")),
        (
            "a synthesis",
            format!("/spiral/plateformes/{platform}/synthese"),
        ),
    ];
    let check = async |signed_in: bool| {
        for (name, path) in &pages {
            d.goto(app.url(path)).await.unwrap();
            d.find(By::Css("main h1")).await.unwrap();
            let (scroll, inner): (i64, i64) = d
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth]",
                    Vec::new(),
                )
                .await
                .unwrap()
                .convert()
                .unwrap();
            if scroll > inner {
                let wide: Vec<String> = d
                    .execute(
                        "const w = window.innerWidth; return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > w + 0.5).slice(0, 12).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))",
                        Vec::new(),
                    )
                    .await
                    .unwrap()
                    .convert()
                    .unwrap();
                panic!(
                    "{name} (signed in: {signed_in}): {scroll} px wide in a {inner} px window: {wide:?}"
                );
            }
            assert!(inner <= 400, "{inner}");
            assert_accessible(&d, &axe, name).await;
        }
    };
    check(false).await;
    // Signed in, the group page holds the post-it form and the header the account.
    sign_in(&d, &app, "anne@blegny.be", "/").await;
    check(true).await;
    d.quit().await.unwrap();
}

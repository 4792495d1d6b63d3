//! The contribution and moderation pages over HTTP: the form, the workflow's buttons, the
//! review queue, the history with restore, attachments and the erasure of a contact, with
//! real sessions and their CSRF tokens.

use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

/// A browser session: its cookie and the CSRF token its forms carry.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn sign_in(app: &TestApp, email: &str) -> Browser {
    let s = app.login(email).await;
    Browser {
        cookie: format!("zs_session={}", s["token"].as_str().unwrap()),
        csrf: s["csrf_token"].as_str().unwrap().to_string(),
    }
}

struct Answer {
    status: u16,
    location: String,
    body: String,
}

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    Answer {
        status,
        location,
        body: r.text().await.unwrap(),
    }
}

async fn get(app: &TestApp, who: Option<&Browser>, path: &str) -> Answer {
    let mut req = app.client.get(app.url(path));
    if let Some(b) = who {
        req = req.header("cookie", &b.cookie);
    }
    answer(req.send().await.unwrap()).await
}

/// Posts a form as `who`, with its CSRF token unless `fields` names one.
async fn post(app: &TestApp, who: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    if !fields.iter().any(|(k, _)| *k == "csrf") {
        all.push(("csrf", &who.csrf));
    }
    let r = app
        .client
        .post(app.url(path))
        .header("cookie", &who.cookie)
        .form(&all)
        .send()
        .await
        .unwrap();
    answer(r).await
}

/// The id in a practice page's address: `/pratiques/12/slug?…`.
fn id_in(location: &str) -> i64 {
    location
        .strip_prefix("/pratiques/")
        .and_then(|r| r.split(['/', '?']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a practice address: {location}"))
}

fn strassen_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", "Café des langues de Strassen"),
        ("subtitle", "Parler ensemble le samedi"),
        ("institution", "Commune de Strassen"),
        ("organisers", "Commission consultative d'intégration"),
        ("communes", "Strassen"),
        ("themes", "Langues\nConvivialité"),
        ("objectives", "Pratiquer le luxembourgeois et le français"),
        (
            "description",
            "Des tables de conversation animées par des bénévoles, une fois par mois",
        ),
        ("results", ""),
        ("target_public", "Tous les habitants"),
        ("place_periodicity", "Centre culturel, un samedi par mois"),
        ("costs", "Aucun"),
        ("contact-0-name", "Marie Muller"),
        ("contact-0-role", "Coordinatrice"),
        ("contact-0-organisation", "Commune de Strassen"),
        ("contact-0-address", ""),
        ("contact-0-phones", "691 123 456"),
        ("contact-0-emails", "marie.muller@strassen.lu"),
        ("contact-1-name", ""),
        ("contact-1-role", ""),
        ("contact-1-organisation", ""),
        ("contact-1-address", ""),
        ("contact-1-phones", ""),
        ("contact-1-emails", ""),
        ("websites", "https://www.strassen.lu/cafe"),
        ("other_info", ""),
        ("spiral_components", "D00"),
        ("language", "fr"),
    ]
}

fn with(
    form: &[(&'static str, &'static str)],
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = form
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    out.extend_from_slice(changes);
    out
}

async fn drafts(app: &TestApp) -> usize {
    app.store
        .practices_with_status(domain::Status::Draft)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_contributor_drafts_through_the_form_and_an_editor_publishes_it() {
    let app = spawn_app().await;
    app.add_account("claire@strassen.lu", "contributor", &[], &["Strassen"])
        .await;
    app.add_account("dan@differdange.lu", "contributor", &[], &["Differdange"])
        .await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let claire = sign_in(&app, "claire@strassen.lu").await;
    let dan = sign_in(&app, "dan@differdange.lu").await;
    let eva = sign_in(&app, "eva@zesummen.lu").await;

    // Anonymous visitors are sent to the login page, and back.
    let r = get(&app, None, "/pratiques/nouvelle").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location, "/connexion?retour=%2Fpratiques%2Fnouvelle");

    // The empty form: every section of the fiche, three contact blocks, the CSRF token.
    let r = get(&app, Some(&claire), "/pratiques/nouvelle").await;
    assert_eq!(r.status, 200);
    for id in [
        "f-title",
        "f-subtitle",
        "f-institution",
        "f-organisers",
        "f-communes",
        "f-themes",
        "f-objectives",
        "f-description",
        "f-results",
        "f-target_public",
        "f-place_periodicity",
        "f-costs",
        "f-contact-0-name",
        "f-contact-2-emails",
        "f-websites",
        "f-other_info",
        "f-spiral_components",
        "f-language",
    ] {
        assert!(
            r.body.contains(&format!("id=\"{id}\"")),
            "the form lacks {id}"
        );
    }
    assert!(!r.body.contains("id=\"f-contact-3-name\""));
    assert!(r.body.contains(&format!("value=\"{}\"", claire.csrf)));
    assert!(r.body.contains("aria-live=\"polite\""));
    assert!(r.body.contains("<script src=\"/static/contribution.js\""));

    // Without its CSRF token, or with a wrong one, the form is refused and nothing written.
    let form = strassen_form();
    let r = post(
        &app,
        &claire,
        "/pratiques/nouvelle",
        &with(&form, &[("csrf", "forged")]),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Ce formulaire a expiré"), "{}", r.body);
    let r = app
        .client
        .post(app.url("/pratiques/nouvelle"))
        .header("cookie", &claire.cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(drafts(&app).await, 0);

    // A bad e-mail in the second contact: the form comes back with the message next to that
    // field, and everything typed is kept.
    let bad = with(
        &form,
        &[
            ("contact-1-name", "Paul Weber"),
            ("contact-1-emails", "paul.weber-at-strassen"),
        ],
    );
    let r = post(&app, &claire, "/pratiques/nouvelle", &bad).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"f-contact-1-emails-error\""),
        "the error sits next to its field"
    );
    assert!(
        r.body
            .contains("« paul.weber-at-strassen » n&#39;est pas une adresse e-mail")
    );
    assert!(
        r.body.contains("href=\"#f-contact-1-emails\""),
        "the summary links the field"
    );
    assert!(r.body.contains("aria-invalid=\"true\""));
    for kept in [
        "value=\"Café des langues de Strassen\"",
        "value=\"Paul Weber\"",
        ">paul.weber-at-strassen</textarea>",
        "Des tables de conversation animées par des bénévoles",
    ] {
        assert!(r.body.contains(kept), "the form lost {kept}");
    }
    // A `javascript:` address is no web site.
    let r = post(
        &app,
        &claire,
        "/pratiques/nouvelle",
        &with(&form, &[("websites", "javascript:alert(1)")]),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"f-websites-error\""));
    // An empty title.
    let r = post(
        &app,
        &claire,
        "/pratiques/nouvelle",
        &with(&form, &[("title", "  ")]),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("id=\"f-title-error\">Ce champ est obligatoire.")
    );
    // A contributor writes for their own communes only.
    let r = post(&app, &dan, "/pratiques/nouvelle", &form).await;
    assert_eq!(r.status, 403);
    assert_eq!(drafts(&app).await, 0);

    // Without JavaScript, the check button lists the similar practices; "add a contact"
    // adds a block; neither saves.
    let r = post(
        &app,
        &claire,
        "/pratiques/nouvelle",
        &with(
            &form,
            &[("action", "preview"), ("title", "Café des langues")],
        ),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Des pratiques semblables existent déjà"));
    assert!(r.body.contains("Café de Babel"), "similar practices listed");
    let r = post(
        &app,
        &claire,
        "/pratiques/nouvelle",
        &with(&form, &[("action", "add-contact")]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"f-contact-2-name\""));
    assert!(r.body.contains("value=\"Marie Muller\""));
    assert_eq!(drafts(&app).await, 0);

    // Saved: 303 to the draft's page, which says so.
    let r = post(&app, &claire, "/pratiques/nouvelle", &form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location.ends_with("?enregistre=1"), "{}", r.location);
    let id = id_in(&r.location);
    let canonical = r.location.split('?').next().unwrap().to_string();
    let page = get(&app, Some(&claire), &r.location).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Brouillon enregistré."));
    assert!(page.body.contains("Fiche brouillon"));
    assert!(
        page.body.contains("value=\"submit\""),
        "the author may submit"
    );
    assert!(!page.body.contains("value=\"publish\""), "but not publish");
    assert!(page.body.contains(&format!("/pratiques/{id}/modifier")));
    assert!(page.body.contains(&format!("/pratiques/{id}/historique")));
    let p = app.store.practice(id).await.unwrap().unwrap();
    assert_eq!(
        p.fields.contacts.len(),
        1,
        "empty contact blocks are dropped"
    );
    assert_eq!(p.fields.themes, ["Langues", "Convivialité"]);
    assert_eq!(p.fields.spiral_components, ["D00"]);

    // A draft does not exist for anonymous visitors, nor for a contributor of another
    // commune.
    let path = format!("/pratiques/{id}");
    assert_eq!(get(&app, None, &path).await.status, 404);
    assert_eq!(get(&app, Some(&dan), &path).await.status, 404);
    assert_eq!(get(&app, None, &r.location).await.status, 404);
    assert_eq!(get(&app, Some(&claire), &path).await.status, 308);

    // Submitted: the editor's queue lists it; a contributor may not publish.
    let status = format!("/pratiques/{id}/statut");
    let r = post(&app, &claire, &status, &[("step", "submit")]).await;
    assert_eq!(r.status, 303);
    assert!(r.location.ends_with("?statut=submitted"));
    let r = post(&app, &claire, &status, &[("step", "publish")]).await;
    assert_eq!(r.status, 403);
    assert_eq!(get(&app, Some(&claire), "/moderation").await.status, 403);
    let queue = get(&app, Some(&eva), "/moderation").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Café des langues de Strassen"));
    assert!(queue.body.contains(&format!("href=\"/pratiques/{id}/")));
    let mine = get(&app, Some(&claire), "/mes-contributions").await;
    assert!(mine.body.contains("Café des langues de Strassen") && mine.body.contains("soumise"));
    assert!(
        !get(&app, Some(&dan), "/mes-contributions")
            .await
            .body
            .contains("Strassen")
    );

    // A reject needs a comment; the author then sees it.
    let r = post(&app, &eva, &status, &[("step", "reject"), ("comment", " ")]).await;
    assert_eq!(r.status, 422);
    let r = post(
        &app,
        &eva,
        &status,
        &[("step", "reject"), ("comment", "Ajoutez les horaires.")],
    )
    .await;
    assert_eq!(r.status, 303);
    let mine = get(&app, Some(&claire), "/mes-contributions").await;
    assert!(mine.body.contains("à revoir") && mine.body.contains("Ajoutez les horaires."));
    let page = get(&app, Some(&claire), &canonical).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Ajoutez les horaires."));

    // Submitted again and published: now everybody sees it.
    post(&app, &claire, &status, &[("step", "submit")]).await;
    let r = post(&app, &eva, &status, &[("step", "publish")]).await;
    assert_eq!(r.status, 303);
    let r = get(&app, None, &path).await;
    assert_eq!(r.status, 308);
    let page = get(&app, None, &r.location).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Café des langues de Strassen"));
    assert!(
        !page.body.contains("value=\"archive\""),
        "no buttons for the public"
    );
    assert!(
        !get(&app, Some(&eva), "/moderation")
            .await
            .body
            .contains("Strassen")
    );
    // A contributor no longer edits a published practice.
    let r = post(&app, &claire, &format!("/pratiques/{id}/modifier"), &form).await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn history_shows_the_diff_and_an_editor_restores_a_revision() {
    let app = spawn_app().await;
    app.add_account("claire@strassen.lu", "contributor", &[], &["Strassen"])
        .await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let claire = sign_in(&app, "claire@strassen.lu").await;
    let eva = sign_in(&app, "eva@zesummen.lu").await;
    let form = strassen_form();
    let r = post(&app, &claire, "/pratiques/nouvelle", &form).await;
    let id = id_in(&r.location);
    let edited = with(
        &form,
        &[
            (
                "description",
                "Des tables de conversation animées par des habitants, une fois par semaine",
            ),
            ("themes", "Langues\nBénévolat"),
            ("contact-1-name", "Paul Weber"),
            ("contact-1-phones", "621 000 111"),
        ],
    );
    let r = post(&app, &claire, &format!("/pratiques/{id}/modifier"), &edited).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let history = format!("/pratiques/{id}/historique");
    assert_eq!(
        get(&app, None, &history).await.status,
        404,
        "a draft's history is private"
    );
    let page = get(&app, Some(&claire), &history).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains("Version 2 — modification") && body.contains("Version 1 — création"));
    assert!(
        body.find("Version 2").unwrap() < body.find("Version 1").unwrap(),
        "newest first"
    );
    assert!(body.contains("claire@strassen.lu"));
    // Words are compared with their punctuation.
    assert!(
        body.contains("animées par des <del>bénévoles,</del><ins>habitants,</ins> une fois"),
        "{body}"
    );
    assert!(body.contains("<del>mois</del>") && body.contains("<ins>semaine</ins>"));
    assert!(
        body.contains("<li><del>Convivialité</del></li>")
            && body.contains("<li><ins>Bénévolat</ins></li>")
    );
    assert!(body.contains("<li>Langues</li>"));
    assert!(
        body.contains("<li><ins>Paul Weber — Tél. 621 000 111</ins></li>"),
        "{body}"
    );
    assert!(
        !body.contains("/restaurer"),
        "a contributor does not restore"
    );

    let page = get(&app, Some(&eva), &history).await;
    assert!(page.body.contains(&format!(
        "action=\"/pratiques/{id}/historique/1/restaurer\""
    )));
    assert!(
        !page.body.contains("/historique/2/restaurer"),
        "the current version is not offered"
    );
    let r = post(&app, &claire, &format!("{history}/1/restaurer"), &[]).await;
    assert_eq!(r.status, 403);
    let r = post(&app, &eva, &format!("{history}/1/restaurer"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location, format!("{history}?restauree=1"));
    let p = app.store.practice(id).await.unwrap().unwrap();
    assert_eq!(
        p.fields.description.as_deref(),
        Some("Des tables de conversation animées par des bénévoles, une fois par mois")
    );
    assert_eq!(p.fields.contacts.len(), 1);
    let page = get(&app, Some(&eva), &r.location).await;
    assert!(page.body.contains("Version 1 restaurée."));
    assert!(page.body.contains("Version 3 — restauration"));
    assert!(
        page.body
            .contains("<li><del>Paul Weber — Tél. 621 000 111</del></li>")
    );
}

/// The largest attachment accepted (`commands::MAX_ATTACHMENT`).
const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// A tiny real PDF and PNG, and an HTML page that calls itself a PDF.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const HTML: &[u8] = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";

async fn upload(
    app: &TestApp,
    who: &Browser,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
    csrf: &str,
) -> Answer {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("application/pdf")
                .unwrap(),
        );
    let r = app
        .client
        .post(app.url(&format!("/pratiques/{id}/pieces")))
        .header("cookie", &who.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    answer(r).await
}

#[tokio::test]
async fn attachments_are_checked_by_content_and_served_to_who_may_see_them() {
    let app = spawn_app().await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let eva = sign_in(&app, "eva@zesummen.lu").await;
    let r = post(&app, &eva, "/pratiques/nouvelle", &strassen_form()).await;
    let id = id_in(&r.location);
    let canonical = r.location.split('?').next().unwrap().to_string();

    // HTML named .pdf is refused, by its content; so is a post without the CSRF token.
    let r = upload(&app, &eva, id, "flyer.pdf", HTML.to_vec(), &eva.csrf).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("« flyer.pdf » n&#39;est ni un PDF ni une image"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"f-file-error\""));
    let r = upload(&app, &eva, id, "flyer.pdf", PDF.to_vec(), "forged").await;
    assert_eq!(r.status, 422);
    assert!(app.store.attachments(id).await.unwrap().is_empty());

    // A PDF, and a 3 MiB image: this route takes more than the 2 MiB of other forms.
    let r = upload(
        &app,
        &eva,
        id,
        "C:\\fakepath\\dépliant été.pdf",
        PDF.to_vec(),
        &eva.csrf,
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, format!("/pratiques/{id}/modifier?piece=1"));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(3 * 1024 * 1024, 0);
    let r = upload(&app, &eva, id, "photo.png", png, &eva.csrf).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = app.store.attachments(id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].file_name, "dépliant été.pdf");
    assert_eq!(list[1].media_type, "image/png");
    // Too large for any route.
    let mut big = PDF.to_vec();
    big.resize(MAX_ATTACHMENT + 1, b' ');
    let r = upload(&app, &eva, id, "big.pdf", big, &eva.csrf).await;
    assert!(matches!(r.status, 413 | 422), "{}", r.status);
    assert_eq!(app.store.attachments(id).await.unwrap().len(), 2);

    // The page lists them; the file is served with its type, inline, and locked down.
    let page = get(&app, Some(&eva), &canonical).await;
    assert!(page.body.contains("<h2>Documents</h2>"));
    let href = format!("/pieces/{}/d%C3%A9pliant%20%C3%A9t%C3%A9.pdf", list[0].id);
    assert!(
        page.body.contains(&format!("href=\"{href}\"")),
        "{}",
        page.body
    );
    let r = app
        .client
        .get(app.url(&href))
        .header("cookie", &eva.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    assert_eq!(
        h["content-disposition"],
        "inline; filename=\"d_pliant _t_.pdf\"; filename*=UTF-8''d%C3%A9pliant%20%C3%A9t%C3%A9.pdf"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    // Not for anonymous visitors while the practice is a draft; another name is not found.
    assert_eq!(get(&app, None, &href).await.status, 404);
    assert_eq!(
        get(
            &app,
            Some(&eva),
            &format!("/pieces/{}/autre.pdf", list[0].id)
        )
        .await
        .status,
        404
    );

    // Published, the public gets it too.
    let status = format!("/pratiques/{id}/statut");
    post(&app, &eva, &status, &[("step", "submit")]).await;
    post(&app, &eva, &status, &[("step", "publish")]).await;
    let r = app.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");

    // Deleted, it is gone.
    let r = post(
        &app,
        &eva,
        &format!("/pratiques/{id}/pieces/{}/supprimer", list[0].id),
        &[],
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(get(&app, None, &href).await.status, 404);
    assert_eq!(app.store.attachments(id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_editor_erases_a_contact_after_confirming() {
    let app = spawn_app().await;
    app.add_account("claire@strassen.lu", "contributor", &[], &["Strassen"])
        .await;
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let claire = sign_in(&app, "claire@strassen.lu").await;
    let eva = sign_in(&app, "eva@zesummen.lu").await;
    let form = strassen_form();
    let r = post(&app, &claire, "/pratiques/nouvelle", &form).await;
    let id = id_in(&r.location);
    let edit = format!("/pratiques/{id}/modifier");
    post(
        &app,
        &claire,
        &edit,
        &with(&form, &[("description", "Autre texte")]),
    )
    .await;

    // Only editors see the erase buttons, and only they may erase.
    assert!(
        !get(&app, Some(&claire), &edit)
            .await
            .body
            .contains("/contacts/effacer")
    );
    let page = get(&app, Some(&eva), &edit).await;
    assert!(
        page.body
            .contains(&format!("action=\"/pratiques/{id}/contacts/effacer\""))
    );
    let erase = format!("/pratiques/{id}/contacts/effacer");
    let r = post(
        &app,
        &claire,
        &erase,
        &[("name", "Marie Muller"), ("confirm", "1")],
    )
    .await;
    assert_eq!(r.status, 403);

    // First the confirmation; without the box ticked, nothing happens.
    let r = post(&app, &eva, &erase, &[("name", "Marie Muller")]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<strong>Marie Muller</strong>") && r.body.contains("id=\"confirm\""));
    let r = post(
        &app,
        &eva,
        &erase,
        &[("name", "Marie Muller"), ("step", "confirm")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Cochez la case pour confirmer."));
    assert_eq!(
        app.store
            .practice(id)
            .await
            .unwrap()
            .unwrap()
            .fields
            .contacts
            .len(),
        1
    );

    let r = post(
        &app,
        &eva,
        &erase,
        &[
            ("name", "Marie Muller"),
            ("step", "confirm"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location, format!("{edit}?efface=1"));
    let p = app.store.practice(id).await.unwrap().unwrap();
    assert!(p.fields.contacts.is_empty());
    let history = get(&app, Some(&eva), &format!("/pratiques/{id}/historique")).await;
    assert!(history.body.contains("effacement d&#39;un contact"));
    for r in app.store.revisions(id).await.unwrap() {
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            !json.contains("Marie Muller"),
            "revision {} keeps the name",
            r.number
        );
    }
    assert!(!history.body.contains("Marie Muller"));
}

#[tokio::test]
async fn similar_practices_of_a_text_being_typed() {
    let app = spawn_app().await;
    let (status, v) = app
        .json("/api/v1/practices/similar?title=Caf%C3%A9%20des%20langues&language=fr")
        .await;
    assert_eq!(status, 200);
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.len() <= 5);
    assert!(
        hits.iter()
            .any(|h| h["title"].as_str().unwrap().contains("Café de Babel")),
        "{v}"
    );
    let (status, v) = app.json("/api/v1/practices/similar?title=&text=").await;
    assert_eq!((status, v["hits"].as_array().unwrap().len()), (200, 0));
    let (status, v) = app
        .json("/api/v1/practices/similar?title=x&language=xx")
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "bad_parameter");
    // A draft is never suggested.
    app.add_account("eva@zesummen.lu", "editor", &[], &[]).await;
    let eva = sign_in(&app, "eva@zesummen.lu").await;
    let r = post(&app, &eva, "/pratiques/nouvelle", &strassen_form()).await;
    let id = id_in(&r.location);
    let (_, v) = app
        .json("/api/v1/practices/similar?title=Caf%C3%A9%20des%20langues%20de%20Strassen")
        .await;
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["id"] != id));
    let (_, doc) = app.json("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/practices/similar"]["get"].is_object());
    // The script that asks it is a static file (no inline script under the CSP).
    let r = app.get("/static/contribution.js").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("/api/v1/practices/similar")
    );
}

//! Stories of contribution and moderation ([`store::ContributionStore`]): drafts, the workflow,
//! the revision history, the erasure of a contact person, attachments, and the outbox that
//! every node's public index follows.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use domain::revision::CONTACT_ERASED;
use domain::{Contact, Language, PracticeFields, Role, Status};
use serde_json::json;
use store::{Actor, AttachmentInfo, ChangeOp, Entity, FieldChange, Revision, Store, StoreError};

use crate::accounts::new_account;
use crate::fixtures::{at, booklet_batch, markdown_batch, wok_booklet};
use crate::{by_key, export_round_trip, import};

/// A contributor's fiche, with a contact person whose data must be erasable.
pub fn cafe() -> PracticeFields {
    PracticeFields {
        title: "Café des langues de Strassen".into(),
        institution: Some("Commune de Strassen".into()),
        communes: vec!["Strassen".into()],
        themes: vec!["Langues".into(), "Vivre ensemble".into()],
        description: Some("Des habitants se retrouvent pour parler\nlëtzebuergesch.".into()),
        costs: Some(String::new()),
        contacts: vec![
            Contact {
                name: Some("Marie Muller".into()),
                role: Some("Coordinatrice".into()),
                organisation: Some("Commune de Strassen".into()),
                address: Some("2, rue des Prés\nL-8010 Strassen".into()),
                phones: vec!["+352 691 123 456".into()],
                emails: vec!["marie.muller@strassen.lu".into()],
            },
            Contact {
                name: Some("Service à l'égalité des chances".into()),
                phones: vec!["31 02 62-1".into()],
                ..Contact::default()
            },
        ],
        websites: vec!["www.strassen.lu/cafe".into()],
        spiral_components: vec!["A07".into()],
        ..PracticeFields::default()
    }
}

/// Marie Muller's personal data, as printed in [`cafe`] and added by later edits.
const MARIE: [&str; 5] = [
    "Marie Muller",
    "691 123 456",
    "26 12 34",
    "marie.muller@strassen.lu",
    "rue des Prés",
];

/// A contributor and an editor, as actors.
async fn people(store: &dyn Store) -> (Actor, Actor) {
    let mut actors = Vec::new();
    for (email, role) in [
        ("jos@strassen.lu", Role::Contributor),
        ("ana@zesummen.lu", Role::Editor),
    ] {
        let id = store
            .create_account(&new_account(email, role), at(8))
            .await
            .unwrap_or_else(|e| panic!("creating {email}: {e}"));
        actors.push(Actor {
            account_id: Some(id),
            email: Some(email.to_string()),
        });
    }
    let editor = actors.pop().unwrap();
    (actors.pop().unwrap(), editor)
}

async fn draft(store: &dyn Store, actor: &Actor, now: DateTime<Utc>) -> i64 {
    store
        .create_draft(&cafe(), Language::Fr, actor, now)
        .await
        .unwrap_or_else(|e| panic!("creating a draft: {e}"))
}

async fn move_to(
    store: &dyn Store,
    id: i64,
    (action, to): (&str, Status),
    comment: Option<&str>,
    actor: &Actor,
    now: DateTime<Utc>,
) {
    store
        .transition(id, to, action, comment, actor, now)
        .await
        .unwrap_or_else(|e| panic!("{action} of practice {id}: {e}"));
}

const SUBMIT: (&str, Status) = ("submit", Status::Submitted);
const PUBLISH: (&str, Status) = ("publish", Status::Published);
const REJECT: (&str, Status) = ("reject", Status::Draft);
const ARCHIVE: (&str, Status) = ("archive", Status::Archived);

async fn update(
    store: &dyn Store,
    id: i64,
    fields: &PracticeFields,
    actor: &Actor,
    now: DateTime<Utc>,
) {
    store
        .update_practice(id, fields, actor, now)
        .await
        .unwrap_or_else(|e| panic!("editing practice {id}: {e}"));
}

async fn history(store: &dyn Store, id: i64) -> Vec<Revision> {
    store
        .revisions(id)
        .await
        .unwrap_or_else(|e| panic!("revisions of practice {id}: {e}"))
}

fn actions(revisions: &[Revision]) -> Vec<(u32, &str, Status)> {
    revisions
        .iter()
        .map(|r| (r.number, r.action.as_str(), r.status))
        .collect()
}

fn change(field: &str, before: serde_json::Value, after: serde_json::Value) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        before,
        after,
    }
}

fn conflict_message(e: StoreError) -> String {
    match e {
        StoreError::Conflict(m) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// A draft is created with its first revision, submitted, then published: three revisions,
/// newest first, each with its actor, instant (whole seconds) and status after the change.
pub async fn story_draft_submit_publish(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let created = at(10) + TimeDelta::milliseconds(750);
    let id = store
        .create_draft(&cafe(), Language::Lb, &contributor, created)
        .await
        .unwrap();
    let p = store.practice(id).await.unwrap().expect("the new draft");
    assert_eq!(p.fields, cafe());
    assert_eq!((p.status, p.language), (Status::Draft, Language::Lb));
    assert_eq!(p.slug, "cafe-des-langues-de-strassen");
    assert!(p.sources.is_empty());
    assert_eq!((p.created_at, p.updated_at), (at(10), at(10)));

    move_to(store, id, SUBMIT, None, &contributor, at(11)).await;
    move_to(store, id, PUBLISH, None, &editor, at(12)).await;

    let revisions = history(store, id).await;
    assert_eq!(
        actions(&revisions),
        vec![
            (3, "publish", Status::Published),
            (2, "submit", Status::Submitted),
            (1, "create", Status::Draft)
        ]
    );
    let who: Vec<(Option<i64>, Option<&str>, DateTime<Utc>)> = revisions
        .iter()
        .map(|r| (r.actor, r.actor_email.as_deref(), r.at))
        .collect();
    assert_eq!(
        who,
        vec![
            (editor.account_id, Some("ana@zesummen.lu"), at(12)),
            (contributor.account_id, Some("jos@strassen.lu"), at(11)),
            (contributor.account_id, Some("jos@strassen.lu"), at(10)),
        ]
    );
    for r in &revisions {
        assert_eq!(r.practice_id, id);
        assert_eq!(r.snapshot, cafe(), "revision {}", r.number);
        assert!(r.changes.is_empty(), "{:?}", r.changes);
        assert_eq!(r.comment, None);
    }
    assert!(revisions.windows(2).all(|w| w[0].id > w[1].id));

    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!(p.status, Status::Published);
    assert_eq!((p.created_at, p.updated_at), (at(10), at(12)));
    assert_eq!(p.fields, cafe());

    // Another practice's history is its own, numbered from 1.
    let other = draft(store, &Actor::system(), at(13)).await;
    let r = history(store, other).await;
    assert_eq!(actions(&r), vec![(1, "create", Status::Draft)]);
    assert_eq!((r[0].actor, r[0].actor_email.as_deref()), (None, None));
    assert!(matches!(
        store.revisions(other + 1000).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .create_draft(
                &PracticeFields {
                    title: "  ".into(),
                    ..cafe()
                },
                Language::Fr,
                &contributor,
                at(14)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
}

/// A move the workflow does not allow from the current status is a conflict that names both
/// statuses; a bad request is invalid; neither writes anything.
pub async fn story_forbidden_transitions_conflict(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let id = draft(store, &contributor, at(10)).await;

    let m = conflict_message(
        store
            .transition(id, Status::Published, "publish", None, &editor, at(11))
            .await
            .unwrap_err(),
    );
    assert!(m.contains(&format!("practice {id}")), "{m}");
    assert!(m.contains("draft") && m.contains("published"), "{m}");
    let m = conflict_message(
        store
            .transition(id, Status::Draft, "reject", Some("non"), &editor, at(11))
            .await
            .unwrap_err(),
    );
    assert!(m.contains("draft"), "{m}");

    move_to(store, id, SUBMIT, None, &contributor, at(12)).await;
    let m = conflict_message(
        store
            .transition(id, Status::Submitted, "submit", None, &contributor, at(13))
            .await
            .unwrap_err(),
    );
    assert!(m.contains("submitted"), "{m}");
    // A reject needs a comment; an unknown action or a wrong target is a bad request.
    for (to, action, comment) in [
        (Status::Draft, "reject", None),
        (Status::Draft, "reject", Some(" ")),
        (Status::Draft, "unpublish", None),
        (Status::Draft, "publish", None),
    ] {
        let e = store
            .transition(id, to, action, comment, &editor, at(13))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{action}: {e:?}");
    }

    move_to(store, id, ARCHIVE, None, &editor, at(14)).await;
    let seen = store.latest_change().await.unwrap();
    for (action, to) in [SUBMIT, PUBLISH, REJECT, ARCHIVE] {
        let m = conflict_message(
            store
                .transition(id, to, action, Some("encore"), &editor, at(15))
                .await
                .unwrap_err(),
        );
        assert!(
            m.contains("archived") && m.contains(to.as_str()),
            "{action}: {m}"
        );
    }
    assert!(matches!(
        store
            .transition(
                id + 1000,
                Status::Submitted,
                "submit",
                None,
                &editor,
                at(15)
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    // Nothing was written by the refusals.
    assert_eq!(store.latest_change().await.unwrap(), seen);
    assert_eq!(
        actions(&history(store, id).await),
        vec![
            (3, "archive", Status::Archived),
            (2, "submit", Status::Submitted),
            (1, "create", Status::Draft)
        ]
    );
    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!((p.status, p.updated_at), (Status::Archived, at(14)));
}

/// An editor sends a submitted (or even a published) practice back to its author, with a
/// comment the revision keeps.
pub async fn story_reject_back_to_draft(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let id = draft(store, &contributor, at(10)).await;
    move_to(store, id, SUBMIT, None, &contributor, at(11)).await;
    let why = "Merci d'ajouter les horaires et le lieu.";
    move_to(store, id, REJECT, Some(why), &editor, at(12)).await;
    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!((p.status, p.updated_at), (Status::Draft, at(12)));
    let revisions = history(store, id).await;
    assert_eq!(revisions[0].number, 3);
    assert_eq!(revisions[0].action, "reject");
    assert_eq!(revisions[0].status, Status::Draft);
    assert_eq!(revisions[0].comment.as_deref(), Some(why));
    assert_eq!(revisions[0].actor, editor.account_id);
    assert_eq!(revisions[0].snapshot, cafe());

    // Submitted again, published, then withdrawn from publication.
    move_to(store, id, SUBMIT, None, &contributor, at(13)).await;
    move_to(store, id, PUBLISH, None, &editor, at(14)).await;
    move_to(store, id, REJECT, Some("Contenu obsolète"), &editor, at(15)).await;
    assert_eq!(
        store.practice(id).await.unwrap().unwrap().status,
        Status::Draft
    );
    assert_eq!(
        actions(&history(store, id).await)[..3],
        [
            (6, "reject", Status::Draft),
            (5, "publish", Status::Published),
            (4, "submit", Status::Submitted)
        ]
    );
    assert!(
        store
            .practices_with_status(Status::Published)
            .await
            .unwrap()
            .is_empty()
    );
}

/// An edit replaces the content, keeps the status, and records before and after of the
/// changed fields only; an edit that changes nothing writes nothing.
pub async fn story_update_records_diff(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let id = draft(store, &contributor, at(10)).await;

    let mut edited = cafe();
    edited.description = Some("Chaque jeudi, des habitants se retrouvent.".into());
    edited.communes.push("Bertrange".into());
    edited.results = Some(String::new());
    update(store, id, &edited, &contributor, at(11)).await;

    let revisions = history(store, id).await;
    assert_eq!(
        actions(&revisions),
        vec![(2, "edit", Status::Draft), (1, "create", Status::Draft)]
    );
    assert_eq!(
        revisions[0].changes,
        vec![
            change(
                "communes",
                json!(["Strassen"]),
                json!(["Strassen", "Bertrange"])
            ),
            change(
                "description",
                json!("Des habitants se retrouvent pour parler\nlëtzebuergesch."),
                json!("Chaque jeudi, des habitants se retrouvent.")
            ),
            change("results", json!(null), json!("")),
        ]
    );
    assert_eq!(revisions[0].snapshot, edited);
    assert_eq!(revisions[0].actor, contributor.account_id);
    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!(p.fields, edited);
    assert_eq!((p.status, p.language), (Status::Draft, Language::Fr));
    assert_eq!((p.created_at, p.updated_at), (at(10), at(11)));

    // The same content again: nothing written.
    let seen = store.latest_change().await.unwrap();
    update(store, id, &edited, &editor, at(12)).await;
    assert_eq!(history(store, id).await.len(), 2);
    assert_eq!(store.latest_change().await.unwrap(), seen);
    assert_eq!(
        store.practice(id).await.unwrap().unwrap().updated_at,
        at(11)
    );

    // A published practice stays published through an edit; the slug follows the title.
    move_to(store, id, SUBMIT, None, &contributor, at(13)).await;
    move_to(store, id, PUBLISH, None, &editor, at(14)).await;
    let mut retitled = edited.clone();
    retitled.title = "Sproochecafé Stroossen".into();
    update(store, id, &retitled, &editor, at(15)).await;
    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!(
        (p.status, p.slug.as_str()),
        (Status::Published, "sproochecafe-stroossen")
    );
    let last = &history(store, id).await[0];
    assert_eq!((last.number, last.status), (5, Status::Published));
    assert_eq!(
        last.changes,
        vec![change(
            "title",
            json!("Café des langues de Strassen"),
            json!("Sproochecafé Stroossen")
        )]
    );

    assert!(matches!(
        store
            .update_practice(id + 1000, &edited, &editor, at(16))
            .await,
        Err(StoreError::NotFound(_))
    ));
    retitled.title = String::new();
    assert!(matches!(
        store.update_practice(id, &retitled, &editor, at(16)).await,
        Err(StoreError::Invalid(_))
    ));
}

/// Restoring a revision sets the content back to its snapshot, as a new revision with the
/// diff; the status stays.
pub async fn story_restore_revision(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let id = draft(store, &contributor, at(10)).await;
    let mut second = cafe();
    second.description = Some("Version deux".into());
    update(store, id, &second, &contributor, at(11)).await;
    let mut third = second.clone();
    third.costs = Some("gratuit".into());
    third.themes.reverse();
    update(store, id, &third, &contributor, at(12)).await;
    move_to(store, id, SUBMIT, None, &contributor, at(13)).await;

    store
        .restore_revision(id, 1, &editor, at(14))
        .await
        .unwrap();
    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!(p.fields, cafe());
    assert_eq!((p.status, p.updated_at), (Status::Submitted, at(14)));
    let revisions = history(store, id).await;
    let r = &revisions[0];
    assert_eq!(
        (r.number, r.action.as_str(), r.status, r.at),
        (5, "restore", Status::Submitted, at(14))
    );
    assert_eq!(r.comment.as_deref(), Some("revision 1"));
    assert_eq!(r.snapshot, cafe());
    assert_eq!(r.changes, domain::revision::diff(&third, &cafe()));
    assert_eq!(
        r.changes
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>(),
        ["themes", "description", "costs"]
    );

    // Restoring the content it has writes nothing.
    let seen = store.latest_change().await.unwrap();
    store
        .restore_revision(id, 1, &editor, at(15))
        .await
        .unwrap();
    assert_eq!(history(store, id).await.len(), 5);
    assert_eq!(store.latest_change().await.unwrap(), seen);

    store
        .restore_revision(id, 2, &editor, at(16))
        .await
        .unwrap();
    assert_eq!(store.practice(id).await.unwrap().unwrap().fields, second);
    assert_eq!(history(store, id).await[0].number, 6);

    assert!(matches!(
        store.restore_revision(id, 99, &editor, at(17)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.restore_revision(id + 1000, 1, &editor, at(17)).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Everything a store shows of a practice and its history, as JSON text.
async fn everything(store: &dyn Store, id: i64) -> String {
    let practice = store.practice(id).await.unwrap();
    let revisions = history(store, id).await;
    serde_json::to_string(&json!({"practice": practice, "revisions": revisions})).unwrap()
}

/// Erasing a contact person removes their name, phones, e-mails and address from the practice
/// and from every revision's snapshot and diff; the revision that records it says only that a
/// contact was erased. A contact left only in the history is erasable too.
pub async fn story_erase_contact(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let id = draft(store, &contributor, at(10)).await;
    // Her phones change (a diff of the contacts holds her), then something else changes.
    let mut second = cafe();
    second.contacts[0].phones.push("+352 26 12 34".into());
    update(store, id, &second, &contributor, at(11)).await;
    let mut third = second.clone();
    third.objectives = Some("Pratiquer la langue".into());
    update(store, id, &third, &contributor, at(12)).await;
    move_to(store, id, SUBMIT, None, &contributor, at(13)).await;
    let before = everything(store, id).await;
    for s in MARIE {
        assert!(before.contains(s), "{s} is there before");
    }

    let seen = store.latest_change().await.unwrap();
    store
        .erase_contact(id, "Marie Muller", &editor, at(14))
        .await
        .unwrap();
    let after = everything(store, id).await;
    for s in MARIE {
        assert!(!after.contains(s), "{s} is still stored: {after}");
    }
    assert!(after.contains("31 02 62-1"), "the other contact stays");

    let p = store.practice(id).await.unwrap().unwrap();
    assert_eq!(p.fields.contacts, cafe().contacts[1..]);
    assert_eq!((p.status, p.updated_at), (Status::Submitted, at(14)));
    let revisions = history(store, id).await;
    assert_eq!(
        actions(&revisions),
        vec![
            (5, "erase_contact", Status::Submitted),
            (4, "submit", Status::Submitted),
            (3, "edit", Status::Draft),
            (2, "edit", Status::Draft),
            (1, "create", Status::Draft)
        ]
    );
    let erased = &revisions[0];
    assert_eq!(erased.comment.as_deref(), Some(CONTACT_ERASED));
    assert!(erased.changes.is_empty());
    assert_eq!(erased.actor, editor.account_id);
    // Her phone change was all revision 2 changed: its diff is empty now. Revision 3's stays.
    assert!(
        revisions[3].changes.is_empty(),
        "{:?}",
        revisions[3].changes
    );
    assert_eq!(
        revisions[2].changes,
        vec![change(
            "objectives",
            json!(null),
            json!("Pratiquer la langue")
        )]
    );
    for r in &revisions {
        assert_eq!(
            r.snapshot.contacts,
            cafe().contacts[1..],
            "revision {}",
            r.number
        );
    }
    let changes = store.changes_since(seen, 100).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].entity_id, changes[0].at), (id, at(14)));

    // Again: nobody of that name is left; the refusal does not repeat the name.
    match store
        .erase_contact(id, "Marie Muller", &editor, at(15))
        .await
    {
        Err(StoreError::NotFound(m)) => assert!(!m.contains("Marie"), "{m}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        store.erase_contact(id + 1000, "x", &editor, at(15)).await,
        Err(StoreError::NotFound(_))
    ));

    // A contact an edit removed earlier is still in the history, and erasable there.
    let other = store
        .create_draft(
            &PracticeFields {
                title: "Tandem".into(),
                ..cafe()
            },
            Language::Fr,
            &contributor,
            at(16),
        )
        .await
        .unwrap();
    let mut without = store.practice(other).await.unwrap().unwrap().fields;
    without.contacts.remove(0);
    update(store, other, &without, &contributor, at(17)).await;
    assert!(everything(store, other).await.contains("Marie Muller"));
    store
        .erase_contact(other, "Marie Muller", &editor, at(18))
        .await
        .unwrap();
    let after = everything(store, other).await;
    for s in MARIE {
        assert!(!after.contains(s), "{s} is still stored: {after}");
    }
    assert_eq!(
        store.practice(other).await.unwrap().unwrap().fields,
        without
    );
}

/// Attachments read back byte for byte, with their size and SHA-256; adding and deleting one
/// are revisions of the practice.
pub async fn story_attachments_round_trip(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let id = draft(store, &contributor, at(10)).await;
    assert_eq!(store.attachments(id).await.unwrap(), Vec::new());

    // Every byte value, NULs included, over several pages.
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.extend((0..300_000u32).map(|i| (i % 251) as u8));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let a = store
        .add_attachment(
            id,
            "flyer café.pdf",
            "application/pdf",
            &pdf,
            &contributor,
            at(11),
        )
        .await
        .unwrap();
    let b = store
        .add_attachment(id, "photo.png", "image/png", &png, &contributor, at(12))
        .await
        .unwrap();
    assert!(a < b);
    let info = |id_: i64, name: &str, media: &str, bytes: &[u8], now| AttachmentInfo {
        id: id_,
        practice_id: id,
        file_name: name.to_string(),
        media_type: media.to_string(),
        size: bytes.len() as u64,
        sha256: domain::attachment::sha256_hex(bytes),
        created_at: now,
    };
    let pdf_info = info(a, "flyer café.pdf", "application/pdf", &pdf, at(11));
    let png_info = info(b, "photo.png", "image/png", &png, at(12));
    assert_eq!(
        store.attachments(id).await.unwrap(),
        vec![pdf_info.clone(), png_info.clone()]
    );
    let (got, bytes) = store.attachment(a).await.unwrap().expect("the PDF");
    assert_eq!(got, pdf_info);
    assert!(bytes == pdf, "the PDF's bytes differ");
    assert_eq!(domain::attachment::sha256_hex(&bytes), got.sha256);
    assert_eq!(
        store.attachment(b).await.unwrap(),
        Some((png_info.clone(), png))
    );
    assert_eq!(store.attachment(b + 1000).await.unwrap(), None);

    let revisions = history(store, id).await;
    assert_eq!(
        actions(&revisions),
        vec![
            (3, "attach", Status::Draft),
            (2, "attach", Status::Draft),
            (1, "create", Status::Draft)
        ]
    );
    assert_eq!(revisions[1].comment.as_deref(), Some("flyer café.pdf"));
    assert_eq!(
        revisions[1].changes,
        vec![change(
            "attachments",
            json!(null),
            json!({"id": a, "file_name": "flyer café.pdf", "media_type": "application/pdf",
                   "size": pdf.len(), "sha256": pdf_info.sha256})
        )]
    );
    assert_eq!(revisions[1].snapshot, cafe());
    assert_eq!(
        store.practice(id).await.unwrap().unwrap().updated_at,
        at(12)
    );

    store.delete_attachment(a, &editor, at(13)).await.unwrap();
    assert_eq!(store.attachments(id).await.unwrap(), vec![png_info]);
    assert_eq!(store.attachment(a).await.unwrap(), None);
    let last = &history(store, id).await[0];
    assert_eq!((last.number, last.action.as_str()), (4, "detach"));
    assert_eq!(last.changes[0].after, json!(null));
    assert_eq!(last.changes[0].before["sha256"], json!(pdf_info.sha256));
    assert!(matches!(
        store.delete_attachment(a, &editor, at(14)).await,
        Err(StoreError::NotFound(_))
    ));

    // An empty file is a file; a path or a missing media type is not.
    let empty = store
        .add_attachment(id, "vide.pdf", "application/pdf", b"", &editor, at(14))
        .await
        .unwrap();
    assert_eq!(
        store.attachment(empty).await.unwrap().unwrap().1,
        Vec::<u8>::new()
    );
    for (name, media) in [
        ("../etc/passwd", "text/plain"),
        ("", "image/png"),
        ("a.png", "png"),
    ] {
        assert!(
            matches!(
                store
                    .add_attachment(id, name, media, &[1], &editor, at(15))
                    .await,
                Err(StoreError::Invalid(_))
            ),
            "{name} {media}"
        );
    }
    assert!(matches!(
        store
            .add_attachment(
                id + 1000,
                "a.pdf",
                "application/pdf",
                b"%PDF-",
                &editor,
                at(15)
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.attachments(id + 1000).await,
        Err(StoreError::NotFound(_))
    ));
}

/// A node's public index, as `zesummen serve` keeps it: it follows the outbox, re-reads each
/// practice named, and holds it only while it is published.
struct PublicIndex {
    cursor: i64,
    ids: BTreeSet<i64>,
}

impl PublicIndex {
    /// Applies the changes since the last call; returns the practices they named, in order.
    async fn follow(&mut self, store: &dyn Store, now: DateTime<Utc>) -> Vec<i64> {
        let changes = store.changes_since(self.cursor, 1000).await.unwrap();
        let mut named = Vec::new();
        for c in &changes {
            assert_eq!(
                (c.entity, c.op, c.at),
                (Entity::Practice, ChangeOp::Upsert, now)
            );
            match store.practice(c.entity_id).await.unwrap() {
                Some(p) if p.status == Status::Published => self.ids.insert(p.id),
                _ => self.ids.remove(&c.entity_id),
            };
            named.push(c.entity_id);
            self.cursor = c.id;
        }
        named
    }
}

/// Every write records its practice in the outbox, in the same transaction; refused and empty
/// writes record nothing. A follower that keeps only published practices therefore adds a
/// practice when it is published and drops it when it is rejected or archived.
pub async fn story_contribution_outbox(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    let mut index = PublicIndex {
        cursor: 0,
        ids: BTreeSet::new(),
    };
    import(store, &booklet_batch(), at(9)).await;
    assert_eq!(index.follow(store, at(9)).await.len(), 3);
    let published_at_import: BTreeSet<i64> = store
        .practices_with_status(Status::Published)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        index.ids, published_at_import,
        "the booklet's draft is not public"
    );

    let id = draft(store, &contributor, at(10)).await;
    assert_eq!(index.follow(store, at(10)).await, [id]);
    assert!(!index.ids.contains(&id), "a draft is not public");

    let mut edited = cafe();
    edited.results = Some("Quarante participants".into());
    update(store, id, &edited, &contributor, at(11)).await;
    assert_eq!(index.follow(store, at(11)).await, [id]);
    move_to(store, id, SUBMIT, None, &contributor, at(12)).await;
    assert_eq!(index.follow(store, at(12)).await, [id]);
    assert!(
        !index.ids.contains(&id),
        "a submitted practice is not public"
    );
    move_to(store, id, PUBLISH, None, &editor, at(13)).await;
    assert_eq!(index.follow(store, at(13)).await, [id]);
    assert!(index.ids.contains(&id), "published");
    move_to(store, id, REJECT, Some("À revoir"), &editor, at(14)).await;
    assert_eq!(index.follow(store, at(14)).await, [id]);
    assert!(
        !index.ids.contains(&id),
        "a rejected practice leaves the index"
    );

    move_to(store, id, SUBMIT, None, &contributor, at(15)).await;
    move_to(store, id, PUBLISH, None, &editor, at(15)).await;
    assert_eq!(index.follow(store, at(15)).await, [id, id]);
    assert!(index.ids.contains(&id));
    let a = store
        .add_attachment(
            id,
            "flyer.pdf",
            "application/pdf",
            b"%PDF-1.4",
            &editor,
            at(16),
        )
        .await
        .unwrap();
    assert_eq!(index.follow(store, at(16)).await, [id]);
    store.delete_attachment(a, &editor, at(17)).await.unwrap();
    assert_eq!(index.follow(store, at(17)).await, [id]);
    store
        .restore_revision(id, 1, &editor, at(18))
        .await
        .unwrap();
    assert_eq!(index.follow(store, at(18)).await, [id]);
    store
        .erase_contact(id, "Marie Muller", &editor, at(19))
        .await
        .unwrap();
    assert_eq!(index.follow(store, at(19)).await, [id]);
    assert!(index.ids.contains(&id));

    // Refused or empty writes record nothing.
    assert!(
        store
            .transition(id, Status::Published, "publish", None, &editor, at(20))
            .await
            .is_err()
    );
    let same = store.practice(id).await.unwrap().unwrap().fields;
    update(store, id, &same, &editor, at(20)).await;
    assert!(
        store
            .erase_contact(id, "Marie Muller", &editor, at(20))
            .await
            .is_err()
    );
    assert!(store.delete_attachment(a, &editor, at(20)).await.is_err());
    assert_eq!(index.follow(store, at(20)).await, Vec::<i64>::new());

    move_to(store, id, ARCHIVE, None, &editor, at(21)).await;
    assert_eq!(index.follow(store, at(21)).await, [id]);
    assert!(
        !index.ids.contains(&id),
        "an archived practice leaves the index"
    );
    let published: BTreeSet<i64> = store
        .practices_with_status(Status::Published)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(index.ids, published);
}

/// Practices of one status, complete, last updated first (ties: newest id first).
pub async fn story_practices_with_status(store: &dyn Store) {
    let (contributor, editor) = people(store).await;
    import(store, &booklet_batch(), at(9)).await;
    let imported = store.practices().await.unwrap();
    let lb = imported
        .iter()
        .find(|p| p.status == Status::Draft)
        .expect("the booklet's draft")
        .clone();

    let a = draft(store, &contributor, at(10)).await;
    let b = store
        .create_draft(
            &PracticeFields {
                title: "Tandem".into(),
                ..cafe()
            },
            Language::De,
            &contributor,
            at(11),
        )
        .await
        .unwrap();
    let c = store
        .create_draft(
            &PracticeFields {
                title: "Marche interculturelle".into(),
                ..cafe()
            },
            Language::Fr,
            &contributor,
            at(12),
        )
        .await
        .unwrap();
    move_to(store, a, SUBMIT, None, &contributor, at(13)).await;
    move_to(store, c, SUBMIT, None, &contributor, at(14)).await;

    let ids = |list: Vec<domain::Practice>| list.iter().map(|p| p.id).collect::<Vec<_>>();
    let drafts = store.practices_with_status(Status::Draft).await.unwrap();
    assert_eq!(ids(drafts.clone()), [b, lb.id]);
    assert_eq!(drafts[1], lb, "complete");
    assert_eq!(drafts[0], store.practice(b).await.unwrap().unwrap());
    assert_eq!(drafts[0].language, Language::De);
    assert_eq!(
        ids(store
            .practices_with_status(Status::Submitted)
            .await
            .unwrap()),
        [c, a]
    );
    let mut published: Vec<i64> = imported
        .iter()
        .filter(|p| p.status == Status::Published)
        .map(|p| p.id)
        .collect();
    published.sort_unstable_by(|x, y| y.cmp(x));
    assert_eq!(
        ids(store
            .practices_with_status(Status::Published)
            .await
            .unwrap()),
        published
    );
    assert!(
        store
            .practices_with_status(Status::Archived)
            .await
            .unwrap()
            .is_empty()
    );
    move_to(store, a, PUBLISH, None, &editor, at(15)).await;
    let everything = ids(store
        .practices_with_status(Status::Published)
        .await
        .unwrap());
    assert_eq!(everything[0], a);

    // Pages of it, as a feed reads them: the same order, no seam lost or repeated.
    for size in [1, 2, everything.len() as u64 + 1] {
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = store
                .practices_with_status_page(Status::Published, offset, Some(size))
                .await
                .unwrap();
            assert!(page.len() as u64 <= size);
            offset += page.len() as u64;
            let last = (page.len() as u64) < size;
            paged.extend(ids(page));
            if last {
                break;
            }
        }
        assert_eq!(paged, everything, "pages of {size}");
    }
    let past = everything.len() as u64;
    let beyond = store
        .practices_with_status_page(Status::Published, past, Some(5))
        .await
        .unwrap();
    assert!(beyond.is_empty());

    // The whole store walked by key, as the index rebuild reads it: by id, every one once.
    let mut by_id = everything.clone();
    by_id.sort_unstable();
    for size in [1, 2, 1000] {
        let mut walked = Vec::new();
        let mut after = 0;
        loop {
            let page = store
                .practices_after(Status::Published, after, size)
                .await
                .unwrap();
            assert!(page.len() as u64 <= size);
            let Some(last) = page.last() else { break };
            after = last.id;
            assert!(page.iter().all(|p| p.status == Status::Published));
            walked.extend(ids(page));
        }
        assert_eq!(walked, by_id, "pages of {size}");
    }
    let drafts_after = store.practices_after(Status::Draft, 0, 10).await.unwrap();
    assert_eq!(ids(drafts_after), {
        let mut d = vec![b, lb.id];
        d.sort_unstable();
        d
    });

    // A batch by ids: in the order asked, complete, unknown ids left out.
    let asked = [everything[2], 999_999, everything[0], everything[1]];
    let found = store.practices_by_ids(&asked).await.unwrap();
    assert_eq!(
        ids(found.clone()),
        [everything[2], everything[0], everything[1]]
    );
    assert_eq!(found[1], store.practice(a).await.unwrap().unwrap());
    assert!(store.practices_by_ids(&[]).await.unwrap().is_empty());
}

/// A draft is no published practice, but it is part of the store: `practices()` (and so the
/// JSON export, which must re-import losslessly) holds it with its status, and `counts()`
/// counts it. The export re-imports as a draft; the history does not travel with it, the new
/// store's starts at the import.
pub async fn story_drafts_in_exports(store: &dyn Store, fresh: &dyn Store) {
    let (contributor, editor) = people(store).await;
    import(store, &booklet_batch(), at(9)).await;
    let id = draft(store, &contributor, at(10)).await;
    let archived = store
        .create_draft(
            &PracticeFields {
                title: "Ancienne pratique".into(),
                ..cafe()
            },
            Language::Fr,
            &contributor,
            at(11),
        )
        .await
        .unwrap();
    move_to(store, archived, ARCHIVE, None, &editor, at(12)).await;

    let all = store.practices().await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(store.counts().await.unwrap().practices, 5);
    let status_of = |id: i64| all.iter().find(|p| p.id == id).map(|p| p.status);
    assert_eq!(status_of(id), Some(Status::Draft));
    assert_eq!(status_of(archived), Some(Status::Archived));
    assert_eq!(
        all.iter().filter(|p| p.status == Status::Published).count(),
        2,
        "only the booklet's two published fiches are public"
    );

    export_round_trip(store, fresh).await;
    assert_eq!(
        fresh.practice(id).await.unwrap().unwrap().status,
        Status::Draft
    );
    let r = history(fresh, id).await;
    assert_eq!(actions(&r), vec![(1, "import", Status::Draft)]);
    assert_eq!(r[0].snapshot, cafe());
}

/// An import leaves a revision (`import`, nobody as actor) for each practice it creates and
/// each content it changes, diffed against the content before; an unchanged practice, or one
/// that only gains a source, gets none.
pub async fn story_import_revisions(store: &dyn Store) {
    let (_, editor) = people(store).await;
    let booklet = booklet_batch();
    import(store, &booklet, at(10)).await;
    let practices = store.practices().await.unwrap();
    for record in &booklet.practices {
        let p = by_key(&practices, record);
        let r = history(store, p.id).await;
        assert_eq!(actions(&r), vec![(1, "import", record.status)]);
        assert_eq!((r[0].actor, r[0].actor_email.as_deref()), (None, None));
        assert_eq!((r[0].at, &r[0].snapshot), (at(10), &record.fields));
        assert!(r[0].changes.is_empty());
    }
    let wok = by_key(&practices, &wok_booklet()).id;

    import(store, &booklet, at(11)).await;
    import(store, &markdown_batch(), at(12)).await;
    assert_eq!(history(store, wok).await.len(), 1, "no content changed");

    let mut edited = booklet_batch();
    let record = &mut edited.practices[0];
    record.fields.results = Some("Douze associations partenaires".into());
    record.fields.websites.pop();
    import(store, &edited, at(13)).await;
    let r = history(store, wok).await;
    assert_eq!(actions(&r)[0], (2, "import", Status::Published));
    assert_eq!(
        r[0].changes,
        vec![
            change(
                "results",
                json!(null),
                json!("Douze associations partenaires")
            ),
            change(
                "websites",
                json!(["www.differdange.lu/wok", "www.facebook.com/wok"]),
                json!(["www.differdange.lu/wok"])
            ),
        ]
    );
    assert_eq!(r[0].snapshot, edited.practices[0].fields);

    // An edit on the site, then the document again: the web version is kept, the import says
    // so in a warning naming the fields, and writes no revision.
    let mut on_site = edited.practices[0].fields.clone();
    on_site.costs = Some("Gratuit".into());
    update(store, wok, &on_site, &editor, at(14)).await;
    let summary = import(store, &edited, at(15)).await;
    let r = history(store, wok).await;
    assert_eq!(actions(&r)[0], (3, "edit", Status::Published), "{r:#?}");
    assert_eq!(store.practice(wok).await.unwrap().unwrap().fields, on_site);
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.message.contains("changed on the web") && w.message.contains("costs")),
        "{:?}",
        summary.warnings
    );

    // A new title on the site keeps the practice's identity: the document finds it again and
    // creates no duplicate.
    let before = store.practices().await.unwrap().len();
    let mut renamed = on_site.clone();
    renamed.title = "WOK : l'inclusion à Differdange".into();
    update(store, wok, &renamed, &editor, at(16)).await;
    let summary = import(store, &edited, at(17)).await;
    assert_eq!(
        (summary.created, store.practices().await.unwrap().len()),
        (0, before),
        "{summary:?}"
    );
    assert_eq!(
        store.practice(wok).await.unwrap().unwrap().fields.title,
        renamed.title
    );

    // The history keeps every version: a restore brings back the edit of revision 3.
    store
        .restore_revision(wok, 3, &editor, at(18))
        .await
        .unwrap();
    assert_eq!(store.practice(wok).await.unwrap().unwrap().fields, on_site);
}

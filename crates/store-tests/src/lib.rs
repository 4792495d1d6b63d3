//! The conformance suite: the same stories run against every [`Store`] backend, so that two
//! SQL implementations cannot drift.
//!
//! A backend's test file runs them all with [`conformance!`], given an async function that
//! opens a fresh, migrated store, and one that opens a second handle on the same database (as
//! a second node would):
//!
//! ```ignore
//! async fn fresh() -> (tempfile::TempDir, std::sync::Arc<dyn store::Store>) { … }
//! async fn reopen(guard: &tempfile::TempDir) -> std::sync::Arc<dyn store::Store> { … }
//! store_tests::conformance!(fresh, reopen);
//! ```
//!
//! Stories come in two kinds: on batches built by hand ([`fixtures`]), and on the real corpus
//! (`data/corpus/`) parsed with [`ingest::parse`].

pub mod accounts;
pub mod contribution;
pub mod fixtures;
pub mod spiral_work;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::spiral::Reference;
use domain::{Batch, Criterion, Format, HomogeneousGroup, Platform, Practice, PracticeRecord};
use serde_json::json;
use store::{
    ChangeOp, CriteriaFilter, Entity, ImportSummary, JOB_LEASE, JobOutcome, JobStatus, Store,
    StoreError,
};

pub use accounts::{
    story_account_changes, story_accounts_round_trip, story_audit_log,
    story_duplicate_email_conflicts, story_login_failures, story_sessions,
    story_sessions_shared_between_nodes,
};
pub use contribution::{
    story_attachments_round_trip, story_contribution_outbox, story_draft_submit_publish,
    story_drafts_in_exports, story_erase_contact, story_forbidden_transitions_conflict,
    story_import_revisions, story_practices_with_status, story_reject_back_to_draft,
    story_restore_revision, story_update_records_diff,
};
use fixtures::{
    BLEGNY, BOOKLET, PARENTS, WOK_MD, YOUTH, at, booklet_batch, criteria_batch, markdown_batch,
    source, sud_batch, wok_booklet, wok_markdown,
};
pub use spiral_work::{
    story_actions, story_created_criteria_follow_imported_ids, story_criteria_pages,
    story_indicators_and_evaluations, story_spiral_create_and_edit, story_statistics,
    story_synthesis,
};

/// Runs every story against the backend whose fresh stores `$fresh().await` opens, as
/// `(guard, Arc<dyn Store>)`; the guard (e.g. a temporary directory) lives as long as the test.
/// `$reopen(&guard).await` opens another handle on the guard's database, as another node.
#[macro_export]
macro_rules! conformance {
    ($fresh:path, $reopen:path) => {
        $crate::conformance!(@one $fresh, story_hand_round_trip);
        $crate::conformance!(@one $fresh, story_hand_reimport_unchanged);
        $crate::conformance!(@one $fresh, story_hand_copy_merges);
        $crate::conformance!(@one $fresh, story_same_document_changed_overwrites);
        $crate::conformance!(@one $fresh, story_criteria_filters);
        $crate::conformance!(@one $fresh, story_reference_loaded_once);
        $crate::conformance!(@one $fresh, story_codebook_versions);
        $crate::conformance!(@one $fresh, story_concept_versions);
        $crate::conformance!(@one $fresh, story_unknown_codes_are_reported);
        $crate::conformance!(@one $fresh, story_failed_batch_changes_nothing);
        $crate::conformance!(@one $fresh, story_corpus_round_trip);
        $crate::conformance!(@one $fresh, story_corpus_reimport_unchanged);
        $crate::conformance!(@one $fresh, story_corpus_wok_merges);
        $crate::conformance!(@one $fresh, story_corpus_criteria_filters);
        $crate::conformance!(@two $fresh, story_hand_export_round_trip);
        $crate::conformance!(@two $fresh, story_corpus_export_round_trip);
        $crate::conformance!(@two $fresh, story_corpus_csv_round_trip);

        $crate::conformance!(@one $fresh, story_spiral_create_and_edit);
        $crate::conformance!(@one $fresh, story_created_criteria_follow_imported_ids);
        $crate::conformance!(@one $fresh, story_criteria_pages);
        $crate::conformance!(@one $fresh, story_synthesis);
        $crate::conformance!(@one $fresh, story_statistics);
        $crate::conformance!(@one $fresh, story_actions);
        $crate::conformance!(@one $fresh, story_indicators_and_evaluations);

        $crate::conformance!(@one $fresh, story_outbox_follows_practice_writes);
        $crate::conformance!(@one $fresh, story_jobs);
        $crate::conformance!(@one $fresh, story_documents);
        $crate::conformance!(@one $fresh, story_outbox_pruning);

        $crate::conformance!(@one $fresh, story_accounts_round_trip);
        $crate::conformance!(@one $fresh, story_duplicate_email_conflicts);
        $crate::conformance!(@one $fresh, story_account_changes);
        $crate::conformance!(@one $fresh, story_sessions);
        $crate::conformance!(@one $fresh, story_login_failures);
        $crate::conformance!(@one $fresh, story_audit_log);
        $crate::conformance!(@nodes $fresh, $reopen, story_sessions_shared_between_nodes);

        $crate::conformance!(@one $fresh, story_draft_submit_publish);
        $crate::conformance!(@one $fresh, story_forbidden_transitions_conflict);
        $crate::conformance!(@one $fresh, story_reject_back_to_draft);
        $crate::conformance!(@one $fresh, story_update_records_diff);
        $crate::conformance!(@one $fresh, story_restore_revision);
        $crate::conformance!(@one $fresh, story_erase_contact);
        $crate::conformance!(@one $fresh, story_attachments_round_trip);
        $crate::conformance!(@one $fresh, story_contribution_outbox);
        $crate::conformance!(@one $fresh, story_practices_with_status);
        $crate::conformance!(@one $fresh, story_import_revisions);
        $crate::conformance!(@two $fresh, story_drafts_in_exports);

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn story_concurrent_writers() {
            let (_guard, store) = $fresh().await;
            $crate::story_concurrent_writers(store).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn story_follower_misses_nothing() {
            let (_guard, store) = $fresh().await;
            $crate::story_follower_misses_nothing(store).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn story_concurrent_claimers() {
            let (_guard, store) = $fresh().await;
            $crate::story_concurrent_claimers(store).await;
        }
    };
    (@one $fresh:path, $story:ident) => {
        #[tokio::test]
        async fn $story() {
            let (_guard, store) = $fresh().await;
            $crate::$story(&*store).await;
        }
    };
    (@nodes $fresh:path, $reopen:path, $story:ident) => {
        #[tokio::test]
        async fn $story() {
            let (guard, store) = $fresh().await;
            let other = $reopen(&guard).await;
            $crate::$story(&*store, &*other).await;
        }
    };
    (@two $fresh:path, $story:ident) => {
        #[tokio::test]
        async fn $story() {
            let (_guard, store) = $fresh().await;
            let (_guard2, other) = $fresh().await;
            $crate::$story(&*store, &*other).await;
        }
    };
}

/// Everything a store shows, to compare a store with itself before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub practices: Vec<Practice>,
    pub platforms: Vec<Platform>,
    pub groups: Vec<HomogeneousGroup>,
    pub criteria: Vec<Criterion>,
}

pub async fn snapshot(store: &dyn Store) -> Snapshot {
    Snapshot {
        practices: store.practices().await.expect("practices"),
        platforms: store.platforms().await.expect("platforms"),
        groups: store.groups().await.expect("groups"),
        criteria: store
            .criteria(&CriteriaFilter::default())
            .await
            .expect("criteria"),
    }
}

async fn import(store: &dyn Store, batch: &Batch, now: DateTime<Utc>) -> ImportSummary {
    store
        .import(batch, now)
        .await
        .unwrap_or_else(|e| panic!("importing {}: {e}", batch.document))
}

fn counts(s: &ImportSummary) -> (u64, u64, u64) {
    (s.created, s.updated, s.unchanged)
}

/// The SPIRAL reference data bundled with zesummen (`data/spiral/*.tsv`).
pub fn reference() -> Reference {
    ingest::reference::bundled()
}

/// The vendored corpus files, in import order.
pub const CORPUS: [&str; 4] = [
    "assises-2-fiches.txt",
    "assises-2-wok-differdange.md",
    "good-practices-sud-2016.txt",
    "spiral-blegny.txt",
];

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus")
}

/// One corpus file parsed with [`ingest::parse`], its format detected from its content.
pub fn corpus_batch(name: &str) -> Batch {
    let path = corpus_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    ingest::parse(name, &bytes, None).unwrap_or_else(|e| panic!("parsing the corpus: {e}"))
}

/// Builds an export of `store` as zesummen's JSON, and parses it back as a batch.
async fn export_as_json(store: &dyn Store) -> Batch {
    let s = snapshot(store).await;
    let json = serde_json::json!({
        "practices": s.practices,
        "platforms": s.platforms,
        "groups": s.groups,
        "criteria": s.criteria,
    });
    let text = serde_json::to_string_pretty(&json).expect("export serialises");
    ingest::parse("export.json", text.as_bytes(), Some(Format::Json))
        .unwrap_or_else(|e| panic!("re-reading the export: {e}"))
}

/// The stored practice with this identity key.
fn by_key<'a>(practices: &'a [Practice], record: &PracticeRecord) -> &'a Practice {
    let key = record.fields.identity_key();
    let found: Vec<&Practice> = practices
        .iter()
        .filter(|p| p.fields.identity_key() == key)
        .collect();
    assert_eq!(found.len(), 1, "practices with key {key}: {found:#?}");
    found[0]
}

// --- Stories on batches built by hand -------------------------------------------------------

/// Everything imported reads back as given: every field, `None` versus `""`, list orders,
/// status, language; new records get `now`; ids are assigned.
pub async fn story_hand_round_trip(store: &dyn Store) {
    let booklet = booklet_batch();
    let sud = sud_batch();
    let criteria = criteria_batch();
    assert_eq!(counts(&import(store, &booklet, at(10)).await), (3, 0, 0));
    assert_eq!(counts(&import(store, &sud, at(11)).await), (2, 0, 0));
    // 2 platforms + 3 groups + 9 criteria.
    assert_eq!(counts(&import(store, &criteria, at(12)).await), (14, 0, 0));

    let practices = store.practices().await.unwrap();
    assert_eq!(practices.len(), 5);
    let ids: Vec<i64> = practices.iter().map(|p| p.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "by id: {ids:?}");
    for (record, now) in booklet
        .practices
        .iter()
        .map(|r| (r, at(10)))
        .chain(sud.practices.iter().map(|r| (r, at(11))))
    {
        let p = by_key(&practices, record);
        assert_eq!(p.fields, record.fields);
        assert_eq!(p.sources, record.sources);
        assert_eq!((p.status, p.language), (record.status, record.language));
        assert_eq!((p.created_at, p.updated_at), (now, now));
        assert_eq!(p.slug, record.fields.slug());
        assert_eq!(store.practice(p.id).await.unwrap().as_ref(), Some(p));
    }
    assert_eq!(store.practice(ids[4] + 1000).await.unwrap(), None);
    let wok = by_key(&practices, &wok_booklet());
    assert_eq!(wok.slug, "wok-fir-inklusioun-zu-deifferdeng");
    assert_eq!(wok.fields.costs.as_deref(), Some(""));
    assert_eq!(wok.fields.results, None);

    let platforms = store.platforms().await.unwrap();
    let expected: Vec<Platform> = criteria
        .platforms
        .iter()
        .zip(&platforms)
        .map(|(given, stored)| Platform {
            id: stored.id,
            ..given.clone()
        })
        .collect();
    assert_eq!(platforms, expected);
    assert!(platforms.iter().all(|p| p.id.is_some()));
    let groups = store.groups().await.unwrap();
    let expected: Vec<HomogeneousGroup> = criteria
        .groups
        .iter()
        .zip(&groups)
        .map(|(given, stored)| HomogeneousGroup {
            id: stored.id,
            ..given.clone()
        })
        .collect();
    assert_eq!(groups, expected);

    let stored = store.criteria(&CriteriaFilter::default()).await.unwrap();
    assert_eq!(stored.len(), 9);
    for given in &criteria.criteria {
        let found: Vec<&Criterion> = stored
            .iter()
            .filter(|c| match given.id {
                Some(id) => c.id == Some(id),
                None => c.text == given.text,
            })
            .collect();
        assert_eq!(found.len(), 1, "{given:?}");
        let c = found[0];
        let now = at(12).naive_utc();
        let expected = Criterion {
            id: c.id,
            created_at: Some(given.created_at.unwrap_or(now)),
            updated_at: Some(given.updated_at.unwrap_or(now)),
            ..given.clone()
        };
        assert_eq!(c, &expected);
    }
    // Criteria without wikispiral id get ids that are new.
    let wikispiral_max = 295_019;
    assert!(
        stored
            .iter()
            .filter(|c| !c.text.contains("entraide"))
            .all(|c| c.id.is_some())
    );
    assert!(
        stored
            .iter()
            .filter(|c| c.platform == "Differdange")
            .all(|c| c.id > Some(wikispiral_max)),
        "{stored:#?}"
    );

    let totals = store.counts().await.unwrap();
    assert_eq!(
        (
            totals.practices,
            totals.platforms,
            totals.groups,
            totals.criteria
        ),
        (5, 2, 3, 9)
    );
}

/// Importing the same batches again, later, changes nothing: same ids, same timestamps.
pub async fn story_hand_reimport_unchanged(store: &dyn Store) {
    let batches = [
        booklet_batch(),
        sud_batch(),
        criteria_batch(),
        markdown_batch(),
    ];
    for (i, b) in batches.iter().enumerate() {
        import(store, b, at(10 + i as u32)).await;
    }
    let before = snapshot(store).await;
    let expected = [(0, 0, 3), (0, 0, 2), (0, 0, 14), (0, 0, 1)];
    for (b, expected) in batches.iter().zip(expected) {
        let summary = import(store, b, at(20)).await;
        assert_eq!(counts(&summary), expected, "{}", b.document);
    }
    assert_eq!(snapshot(store).await, before);
}

/// The markdown copy of a booklet fiche merges into it: one practice, both sources (booklet
/// first), the booklet's text kept, and a warning naming the fields that differ.
pub async fn story_hand_copy_merges(store: &dyn Store) {
    import(store, &booklet_batch(), at(10)).await;
    let before = by_key(&store.practices().await.unwrap(), &wok_booklet()).clone();

    let summary = import(store, &markdown_batch(), at(11)).await;
    assert_eq!(counts(&summary), (0, 1, 0));
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    let w = &summary.warnings[0];
    assert_eq!(w.line, 5, "the copy's first line");
    assert!(
        w.message.contains(&format!("practice {}", before.id)),
        "{}",
        w.message
    );
    for field in ["title", "subtitle", "description"] {
        assert!(
            w.message.contains(field),
            "{field} missing from: {}",
            w.message
        );
    }
    assert!(!w.message.contains("objectives"), "{}", w.message);

    let practices = store.practices().await.unwrap();
    assert_eq!(practices.len(), 3);
    let wok = by_key(&practices, &wok_markdown());
    assert_eq!(wok.id, before.id);
    assert_eq!(wok.fields, wok_booklet().fields);
    assert_eq!(
        wok.sources,
        vec![source(BOOKLET, 429, 503), source(WOK_MD, 5, 61)]
    );
    assert_eq!((wok.created_at, wok.updated_at), (at(10), at(11)));

    // Again: nothing to write, though the copy still differs and still says so.
    let again = import(store, &markdown_batch(), at(12)).await;
    assert_eq!(counts(&again), (0, 0, 1));
    assert_eq!(again.warnings.len(), 1);
    assert_eq!(
        by_key(&store.practices().await.unwrap(), &wok_markdown()),
        wok
    );

    // The booklet again: unchanged, and the copy's source stays.
    assert_eq!(
        counts(&import(store, &booklet_batch(), at(13)).await),
        (0, 0, 3)
    );
    assert_eq!(
        by_key(&store.practices().await.unwrap(), &wok_booklet()),
        wok
    );
}

/// A document re-imported with changed content overwrites its practice (same id, same
/// `created_at`, `updated_at = now`), and its sources move with its lines.
pub async fn story_same_document_changed_overwrites(store: &dyn Store) {
    import(store, &booklet_batch(), at(10)).await;
    import(store, &markdown_batch(), at(11)).await;
    let before = snapshot(store).await;

    let mut edited = booklet_batch();
    let wok = &mut edited.practices[0];
    wok.fields.results = Some("Douze associations partenaires".into());
    wok.fields.themes.reverse();
    wok.fields.contacts.swap(0, 1);
    wok.fields.websites.pop();
    wok.sources = vec![source(BOOKLET, 431, 505)];
    let summary = import(store, &edited, at(12)).await;
    assert_eq!(counts(&summary), (0, 1, 2));
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);

    let after = snapshot(store).await;
    let old = by_key(&before.practices, &edited.practices[0]);
    let new = by_key(&after.practices, &edited.practices[0]);
    assert_eq!(new.id, old.id);
    assert_eq!(new.fields, edited.practices[0].fields);
    assert_eq!(
        new.sources,
        vec![source(BOOKLET, 431, 505), source(WOK_MD, 5, 61)]
    );
    assert_eq!((new.created_at, new.updated_at), (at(10), at(12)));
    // The other practices are untouched.
    let others = |s: &Snapshot| -> Vec<Practice> {
        s.practices
            .iter()
            .filter(|p| p.id != old.id)
            .cloned()
            .collect()
    };
    assert_eq!(others(&after), others(&before));
}

/// Criteria filters: platform, group, question, dimension, component (fine codes aggregate to
/// their component; a fine code matches itself), and combinations.
pub async fn story_criteria_filters(store: &dyn Store) {
    let batch = criteria_batch();
    import(store, &batch, at(10)).await;
    let texts = |f: CriteriaFilter| async move {
        let mut t: Vec<String> = store
            .criteria(&f)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.text)
            .collect();
        t.sort();
        t
    };
    let expect = |pred: &dyn Fn(&Criterion) -> bool| -> Vec<String> {
        let mut t: Vec<String> = batch
            .criteria
            .iter()
            .filter(|c| pred(c))
            .map(|c| c.text.clone())
            .collect();
        t.sort();
        t
    };
    let code = |c: &Criterion| c.component.as_ref().map(|c| c.as_str().to_string());
    let s = |v: &str| Some(v.to_string());

    let all = texts(CriteriaFilter::default()).await;
    assert_eq!(all.len(), 9);
    let f = CriteriaFilter {
        platform: s(BLEGNY.0),
        ..CriteriaFilter::default()
    };
    assert_eq!(texts(f).await, expect(&|c| c.platform == BLEGNY.0));
    let f = CriteriaFilter {
        group: s(YOUTH.1),
        ..CriteriaFilter::default()
    };
    let youth = texts(f).await;
    assert_eq!(youth.len(), 3);
    assert_eq!(youth, expect(&|c| c.group == YOUTH.1));
    let f = CriteriaFilter {
        question: s("WB"),
        ..CriteriaFilter::default()
    };
    assert_eq!(texts(f).await, expect(&|c| c.question == "WB"));
    let f = CriteriaFilter {
        dimension: s("A"),
        ..CriteriaFilter::default()
    };
    let dimension_a = texts(f).await;
    assert_eq!(
        dimension_a.len(),
        4,
        "A02, A06, A01, A01-11/P15/k: {dimension_a:?}"
    );
    assert_eq!(
        dimension_a,
        expect(&|c| code(c).is_some_and(|k| k.starts_with('A')))
    );
    let f = CriteriaFilter {
        component: s("A01"),
        ..CriteriaFilter::default()
    };
    assert_eq!(
        texts(f).await,
        vec![
            "manger à sa faim".to_string(),
            "ne pas pouvoir payer la cantine".to_string()
        ]
    );
    let f = CriteriaFilter {
        component: s("A01-11/P15/k"),
        ..CriteriaFilter::default()
    };
    assert_eq!(
        texts(f).await,
        vec!["ne pas pouvoir payer la cantine".to_string()]
    );
    let f = CriteriaFilter {
        platform: s(PARENTS.0),
        question: s("WB"),
        ..CriteriaFilter::default()
    };
    assert_eq!(
        texts(f).await,
        expect(&|c| c.platform == PARENTS.0 && c.question == "WB")
    );
    let f = CriteriaFilter {
        platform: s(BLEGNY.0),
        group: s(PARENTS.1),
        ..CriteriaFilter::default()
    };
    assert!(texts(f).await.is_empty(), "a group of another platform");
    let f = CriteriaFilter {
        component: s("I07"),
        dimension: s("I"),
        ..CriteriaFilter::default()
    };
    let i07 = store.criteria(&f).await.unwrap();
    assert_eq!(
        i07.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![Some(295_019)]
    );
    let f = CriteriaFilter {
        platform: s("Nowhere"),
        ..CriteriaFilter::default()
    };
    assert!(texts(f).await.is_empty());
}

/// `ensure_reference` loads the bundled reference once; labels that are unknown stay `None`.
pub async fn story_reference_loaded_once(store: &dyn Store) {
    let reference = reference();
    assert_eq!(store.active_codebook().await.unwrap(), None);
    assert!(store.codebook_versions().await.unwrap().is_empty());
    assert!(store.ensure_reference(&reference, at(10)).await.unwrap());
    assert!(!store.ensure_reference(&reference, at(11)).await.unwrap());

    let versions = store.codebook_versions().await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, reference.codebook.version);
    assert!(versions[0].active);
    assert_eq!(versions[0].entries, reference.codebook.entries.len() as u64);
    assert_eq!(versions[0].imported_at, at(10));

    let active = store
        .active_codebook()
        .await
        .unwrap()
        .expect("an active codebook");
    assert_eq!(active, reference.codebook);
    let code_only: Vec<_> = active
        .entries
        .iter()
        .filter(|e| e.status == "code-only")
        .collect();
    assert!(
        !code_only.is_empty(),
        "the bundled codebook has code-only rows (A08, …)"
    );
    for e in code_only {
        assert_eq!((&e.label_en, &e.label_fr), (&None, &None), "{}", e.code);
    }
    assert_eq!(store.meaning_codes().await.unwrap(), reference.meanings);
    assert_eq!(store.questions().await.unwrap(), reference.questions);
    assert_eq!(store.scale().await.unwrap(), reference.scale);
}

/// A new codebook version can be imported and activated; criteria keep their codes; version
/// names are unique; activating an unknown version is refused.
/// The concept scheme: the first put is version 1; putting it again changes nothing; a change
/// is a new active version, and every earlier one stays readable.
pub async fn story_concept_versions(store: &dyn Store) {
    assert_eq!(store.active_concepts().await.unwrap(), None);
    assert!(store.concept_versions().await.unwrap().is_empty());

    let bundled = ingest::concepts::bundled();
    let first = store
        .put_concepts(&bundled, None, "bundled", at(10))
        .await
        .unwrap();
    assert_eq!(first, 1);
    let again = store
        .put_concepts(&bundled, Some("ed@example.org"), "same", at(11))
        .await
        .unwrap();
    assert_eq!(again, 1, "an unchanged scheme is not a new version");

    let mut edited = bundled.clone();
    let concept = edited
        .concepts
        .iter_mut()
        .find(|c| !c.top)
        .expect("a concept that is not a theme");
    concept.labels[1].alt.push("Erzählcafé".into());
    let id = concept.id.clone();
    let second = store
        .put_concepts(
            &edited,
            Some("ed@example.org"),
            "an alternative label",
            at(12),
        )
        .await
        .unwrap();
    assert_eq!(second, 2);

    let active = store.active_concepts().await.unwrap().unwrap();
    assert_eq!(active.version, 2);
    assert_eq!(active.concepts, edited.concepts);
    let old = store.concepts_version(1).await.unwrap().unwrap();
    assert_eq!(old.concepts, bundled.concepts);
    assert!(
        !old.concepts.iter().find(|c| c.id == id).unwrap().labels[1]
            .alt
            .contains(&"Erzählcafé".to_string())
    );
    assert_eq!(store.concepts_version(3).await.unwrap(), None);

    let versions = store.concept_versions().await.unwrap();
    let listed: Vec<(u32, bool, Option<&str>, &str)> = versions
        .iter()
        .map(|v| (v.version, v.active, v.author.as_deref(), v.note.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (1, false, None, "bundled"),
            (2, true, Some("ed@example.org"), "an alternative label"),
        ]
    );
    assert_eq!(versions[1].created_at, at(12));
    assert_eq!(versions[1].concepts as usize, edited.concepts.len());

    // A scheme whose links lead nowhere is refused, and nothing changes.
    let mut broken = edited.clone();
    broken.concepts[0].broader.push("no-such-concept".into());
    let err = store
        .put_concepts(&broken, None, "broken", at(13))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.concept_versions().await.unwrap().len(), 2);

    // Going back to an earlier scheme is a new version too: history only grows.
    let third = store
        .put_concepts(&bundled, None, "back", at(14))
        .await
        .unwrap();
    assert_eq!(third, 3);
    assert_eq!(
        store.active_concepts().await.unwrap().unwrap().concepts,
        bundled.concepts
    );
}

pub async fn story_codebook_versions(store: &dyn Store) {
    let reference = reference();
    store.ensure_reference(&reference, at(10)).await.unwrap();
    import(store, &criteria_batch(), at(11)).await;
    let criteria_before = store.criteria(&CriteriaFilter::default()).await.unwrap();

    let mut next = reference.codebook.clone();
    next.version = "2026-official".into();
    next.entries.retain(|e| e.code != "C06");
    for e in &mut next.entries {
        if e.code == "A08" {
            e.label_en = Some("Mobility".into());
            e.status = "verified".into();
        }
    }
    store.import_codebook(&next, false, at(12)).await.unwrap();
    assert_eq!(
        store.active_codebook().await.unwrap().unwrap().version,
        reference.codebook.version
    );
    store.activate_codebook(&next.version).await.unwrap();
    assert_eq!(store.active_codebook().await.unwrap(), Some(next.clone()));

    let versions = store.codebook_versions().await.unwrap();
    let listed: Vec<(String, bool, u64)> = versions
        .iter()
        .map(|v| (v.version.clone(), v.active, v.entries))
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                reference.codebook.version.clone(),
                false,
                reference.codebook.entries.len() as u64
            ),
            (next.version.clone(), true, next.entries.len() as u64),
        ]
    );
    assert_eq!(versions[1].imported_at, at(12));
    assert_eq!(
        store.criteria(&CriteriaFilter::default()).await.unwrap(),
        criteria_before
    );

    // The new active version no longer knows C06: a re-import says so, and keeps the code.
    let summary = import(store, &criteria_batch(), at(13)).await;
    assert_eq!(counts(&summary), (0, 0, 14));
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.message.contains("`C06`") && w.message.contains("295018")),
        "{:?}",
        summary.warnings
    );

    let duplicate = store.import_codebook(&next, true, at(14)).await;
    assert!(
        matches!(duplicate, Err(StoreError::Invalid(_))),
        "{duplicate:?}"
    );
    let unknown = store.activate_codebook("1999").await;
    assert!(
        matches!(&unknown, Err(StoreError::Invalid(m)) if m.contains("1999")),
        "{unknown:?}"
    );

    // Activating the older version again, and loading the bundled one again, does not re-add it.
    store
        .activate_codebook(&reference.codebook.version)
        .await
        .unwrap();
    assert!(!store.ensure_reference(&reference, at(15)).await.unwrap());
    let active = store.active_codebook().await.unwrap().unwrap();
    assert_eq!(active.version, reference.codebook.version);
    let third = domain::Codebook {
        version: "draft".into(),
        entries: Vec::new(),
    };
    store.import_codebook(&third, true, at(16)).await.unwrap();
    assert_eq!(store.active_codebook().await.unwrap(), Some(third));
    assert_eq!(
        store
            .codebook_versions()
            .await
            .unwrap()
            .iter()
            .filter(|v| v.active)
            .count(),
        1
    );
}

/// A criterion whose component the active codebook does not know is stored, and reported.
pub async fn story_unknown_codes_are_reported(store: &dyn Store) {
    store.ensure_reference(&reference(), at(10)).await.unwrap();
    let summary = import(store, &criteria_batch(), at(11)).await;
    let unknown: Vec<_> = summary
        .warnings
        .iter()
        .filter(|w| w.message.contains("`Z99`"))
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", summary.warnings);
    assert!(
        unknown[0]
            .message
            .contains("un code que personne ne connaît"),
        "{}",
        unknown[0].message
    );
    let f = CriteriaFilter {
        component: Some("Z99".into()),
        ..CriteriaFilter::default()
    };
    assert_eq!(store.criteria(&f).await.unwrap().len(), 1);
    // Every other code of the batch is in the bundled codebook.
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
}

/// A batch that fails half-way (here: a reversed source range, refused by the store after
/// other rows of the batch were written) leaves the store exactly as it was.
pub async fn story_failed_batch_changes_nothing(store: &dyn Store) {
    import(store, &booklet_batch(), at(10)).await;
    import(store, &criteria_batch(), at(10)).await;
    let before = snapshot(store).await;
    let counts_before = store.counts().await.unwrap();
    let changes_before = store.latest_change().await.unwrap();

    let mut bad = booklet_batch();
    bad.practices[0].fields.results = Some("changed".into());
    bad.practices[1].sources.push(source("annexe.txt", 1, 2));
    bad.practices.push(fixtures::sud_row(
        "Nouvelle pratique",
        &["Mondercange"],
        700,
        false,
    ));
    let mut reversed = fixtures::sud_row("Pratique mal lue", &["Bettembourg"], 800, false);
    reversed.sources = vec![source(BOOKLET, 820, 810)];
    bad.practices.push(reversed);
    bad.platforms
        .push(fixtures::platform("Esch", "Luxembourg", &["fr"]));
    bad.criteria.push(fixtures::criterion(
        None,
        ("Esch", "Seniors"),
        "WB",
        "la mobilité",
        None,
    ));

    let result = store.import(&bad, at(11)).await;
    assert!(
        result.is_err(),
        "a reversed source range must be refused: {result:?}"
    );
    assert_eq!(snapshot(store).await, before);
    assert_eq!(store.counts().await.unwrap(), counts_before);
    assert_eq!(
        store.latest_change().await.unwrap(),
        changes_before,
        "a failed batch records no change"
    );
    // The store still works afterwards.
    assert_eq!(
        counts(&import(store, &sud_batch(), at(12)).await),
        (2, 0, 0)
    );
}

/// Several tasks importing different batches at the same time all land.
pub async fn story_concurrent_writers(store: Arc<dyn Store>) {
    const WRITERS: usize = 6;
    let mut tasks = Vec::new();
    for k in 0..WRITERS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut batch = Batch::new(format!("writer-{k}.txt"), Format::Assises);
            for i in 0..20 {
                batch.practices.push(fixtures::sud_row(
                    &format!("Pratique {k}-{i}"),
                    &[&format!("Commune {k}")],
                    i + 1,
                    false,
                ));
            }
            let platform = format!("Plate-forme {k}");
            for i in 0..30 {
                batch.criteria.push(fixtures::criterion(
                    None,
                    (&platform, "Groupe"),
                    "WB",
                    &format!("critère {i}"),
                    Some("A01"),
                ));
            }
            store.import(&batch, at(10)).await
        }));
    }
    for (k, task) in tasks.into_iter().enumerate() {
        let summary = task
            .await
            .expect("task")
            .unwrap_or_else(|e| panic!("writer {k}: {e}"));
        // 20 practices, 1 platform, 1 group, 30 criteria.
        assert_eq!(counts(&summary), (52, 0, 0), "writer {k}");
    }
    let totals = store.counts().await.unwrap();
    assert_eq!(
        (
            totals.practices,
            totals.platforms,
            totals.groups,
            totals.criteria
        ),
        (
            20 * WRITERS as u64,
            WRITERS as u64,
            WRITERS as u64,
            30 * WRITERS as u64
        )
    );
    let practices = store.practices().await.unwrap();
    let mut ids: Vec<i64> = practices.iter().map(|p| p.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 20 * WRITERS);

    // The outbox saw every practice once, in order.
    let changes = store.changes_since(0, 10_000).await.unwrap();
    assert!(changes.windows(2).all(|w| w[0].id < w[1].id));
    let mut practice_ids: Vec<i64> = changes.iter().map(|c| c.entity_id).collect();
    practice_ids.sort_unstable();
    assert_eq!(practice_ids, ids);
}

// --- Several nodes: the outbox and jobs ------------------------------------------------------

/// Every write that changes practices records one upsert per practice, in order, at `now`;
/// writes that change no practice record nothing. A follower that pages through the changes
/// and re-reads what they name ends up with exactly the store's practices.
pub async fn story_outbox_follows_practice_writes(store: &dyn Store) {
    assert_eq!(store.latest_change().await.unwrap(), 0);
    assert!(store.changes_since(0, 100).await.unwrap().is_empty());

    // A follower that started on the empty store.
    let mut follower: BTreeMap<i64, Practice> = BTreeMap::new();
    let mut seen = 0;
    let follow = |seen: i64| async move {
        let mut applied = Vec::new();
        let mut after = seen;
        loop {
            let page = store.changes_since(after, 2).await.unwrap();
            assert!(page.len() <= 2, "limit respected: {page:?}");
            let Some(last) = page.last() else { break };
            after = last.id;
            applied.extend(page);
        }
        applied
    };

    import(store, &booklet_batch(), at(10)).await;
    let first = follow(seen).await;
    let practices = store.practices().await.unwrap();
    assert_eq!(first.len(), practices.len(), "{first:?}");
    let mut named: Vec<i64> = first.iter().map(|c| c.entity_id).collect();
    named.sort_unstable();
    assert_eq!(named, practices.iter().map(|p| p.id).collect::<Vec<_>>());
    assert!(
        first
            .iter()
            .all(|c| c.entity == Entity::Practice && c.op == ChangeOp::Upsert && c.at == at(10))
    );
    assert!(first.windows(2).all(|w| w[0].id < w[1].id), "{first:?}");
    assert!(first[0].id > 0);
    assert_eq!(store.latest_change().await.unwrap(), first[2].id);
    for c in &first {
        follower.insert(
            c.entity_id,
            store.practice(c.entity_id).await.unwrap().unwrap(),
        );
    }
    seen = first[2].id;

    // SPIRAL data, and a batch that changes nothing, record no change.
    import(store, &criteria_batch(), at(11)).await;
    import(store, &booklet_batch(), at(12)).await;
    assert!(follow(seen).await.is_empty());
    assert_eq!(store.latest_change().await.unwrap(), seen);

    // The markdown copy adds a source to the WOK fiche: one upsert of it.
    import(store, &markdown_batch(), at(13)).await;
    let wok = by_key(&store.practices().await.unwrap(), &wok_markdown()).clone();
    let second = follow(seen).await;
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(
        (second[0].entity_id, second[0].op, second[0].at),
        (wok.id, ChangeOp::Upsert, at(13))
    );
    assert!(second[0].id > seen);
    for c in &second {
        follower.insert(
            c.entity_id,
            store.practice(c.entity_id).await.unwrap().unwrap(),
        );
    }

    // A new document: two new practices, recorded after the rest.
    import(store, &sud_batch(), at(14)).await;
    let third = follow(second[0].id).await;
    assert_eq!(third.len(), 2);
    for c in &third {
        follower.insert(
            c.entity_id,
            store.practice(c.entity_id).await.unwrap().unwrap(),
        );
    }
    assert_eq!(
        follower.into_values().collect::<Vec<_>>(),
        store.practices().await.unwrap(),
        "following the outbox gives the store's practices"
    );
    let all = store.changes_since(0, 1000).await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(
        store.changes_since(all[4].id, 1000).await.unwrap(),
        all[5..]
    );
}

/// A follower polling the outbox while several writers commit sees every change: no change
/// shows up later with an id below one it has already passed (ids grow in commit order).
pub async fn story_follower_misses_nothing(store: Arc<dyn Store>) {
    const WRITERS: usize = 4;
    const BATCHES: usize = 8;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let follower = {
        let store = Arc::clone(&store);
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut after = 0;
            loop {
                // Read the flag first: a poll that starts after the writers ended drains all.
                let last_round = done.load(std::sync::atomic::Ordering::SeqCst);
                loop {
                    let page = store.changes_since(after, 5).await.unwrap();
                    let Some(last) = page.last() else { break };
                    after = last.id;
                    seen.extend(page.iter().map(|c| c.id));
                }
                if last_round {
                    return seen;
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let mut writers = Vec::new();
    for k in 0..WRITERS {
        let store = Arc::clone(&store);
        writers.push(tokio::spawn(async move {
            for b in 0..BATCHES {
                let mut batch = Batch::new(format!("writer-{k}-{b}.txt"), Format::Assises);
                for i in 0..3 {
                    batch.practices.push(fixtures::sud_row(
                        &format!("Pratique {k}-{b}-{i}"),
                        &["Esch-sur-Alzette"],
                        i + 1,
                        false,
                    ));
                }
                store.import(&batch, at(10)).await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = follower.await.expect("follower");
    let all: Vec<i64> = store
        .changes_since(0, 10_000)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all.len(), WRITERS * BATCHES * 3);
    assert_eq!(seen, all, "the follower missed changes");
}

/// Generated documents: kept whole under their key (binary bytes included), kept once, and
/// pruned by age.
pub async fn story_documents(store: &dyn Store) {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let old = store::Document {
        key: "booklet-0f3a".into(),
        media_type: "application/pdf".into(),
        file_name: "livret.pdf".into(),
        bytes: bytes.clone(),
        created_at: at(10),
    };
    assert_eq!(store.document(&old.key).await.unwrap(), None);
    store.put_document(&old).await.unwrap();
    assert_eq!(store.document(&old.key).await.unwrap().as_ref(), Some(&old));
    // The same key again (another node made it too): the first one stays.
    let again = store::Document {
        bytes: b"%PDF-other".to_vec(),
        created_at: at(12),
        ..old.clone()
    };
    store.put_document(&again).await.unwrap();
    assert_eq!(
        store.document(&old.key).await.unwrap().unwrap().bytes,
        bytes
    );

    let new = store::Document {
        key: "fiche-77c1".into(),
        file_name: "equigaart.pdf".into(),
        bytes: b"%PDF-1.7 fiche".to_vec(),
        created_at: at(20),
        ..old.clone()
    };
    store.put_document(&new).await.unwrap();
    assert_eq!(store.prune_documents(at(15)).await.unwrap(), 1);
    assert_eq!(store.document(&old.key).await.unwrap(), None);
    assert_eq!(store.document(&new.key).await.unwrap().as_ref(), Some(&new));
    assert_eq!(store.prune_documents(at(15)).await.unwrap(), 0);
}

/// Jobs: queued in order, claimed by one worker each, finished once by their holder; a claim
/// older than the lease is taken over, and its first holder can no longer finish it.
pub async fn story_jobs(store: &dyn Store) {
    let pdf_fr = json!({"practice": 7, "language": "fr", "sections": ["contacts", "costs"]});
    let first = store.enqueue_job("pdf", &pdf_fr, at(10)).await.unwrap();
    let reindex = store
        .enqueue_job("reindex", &json!(null), at(10))
        .await
        .unwrap();
    let second = store
        .enqueue_job("pdf", &json!({"practice": 8}), at(11))
        .await
        .unwrap();
    assert!(first < reindex && reindex < second);

    let queued = store.job(first).await.unwrap().expect("the queued job");
    assert_eq!(
        (
            queued.kind.as_str(),
            &queued.payload,
            queued.status,
            queued.worker.as_deref(),
            queued.attempts
        ),
        ("pdf", &pdf_fr, JobStatus::Queued, None, 0)
    );
    assert_eq!(
        (queued.created_at, queued.claimed_at, queued.finished_at),
        (at(10), None, None)
    );
    assert_eq!(store.job(second + 1000).await.unwrap(), None);

    let a = store.claim_job("pdf", "node-a", at(12)).await.unwrap();
    let a = a.expect("a queued pdf job");
    assert_eq!(
        (
            a.id,
            a.status,
            a.worker.as_deref(),
            a.attempts,
            a.claimed_at
        ),
        (first, JobStatus::Running, Some("node-a"), 1, Some(at(12)))
    );
    assert_eq!(a.payload, pdf_fr);
    let b = store.claim_job("pdf", "node-b", at(12)).await.unwrap();
    assert_eq!(b.map(|j| j.id), Some(second), "oldest first, each once");
    assert_eq!(
        store.claim_job("pdf", "node-c", at(12)).await.unwrap(),
        None
    );
    assert_eq!(
        store.claim_job("typeset", "node-c", at(12)).await.unwrap(),
        None
    );

    let result = json!({"bytes": 48213, "pages": 2});
    let stolen = store
        .finish_job(first, "node-b", &JobOutcome::Done(result.clone()), at(13))
        .await;
    assert!(
        matches!(&stolen, Err(StoreError::Invalid(m)) if m.contains("node-a")),
        "{stolen:?}"
    );
    store
        .finish_job(first, "node-a", &JobOutcome::Done(result.clone()), at(13))
        .await
        .unwrap();
    let done = store.job(first).await.unwrap().unwrap();
    assert_eq!(
        (done.status, &done.result, &done.error, done.finished_at),
        (JobStatus::Done, &Some(result.clone()), &None, Some(at(13)))
    );
    let twice = store
        .finish_job(first, "node-a", &JobOutcome::Done(result), at(14))
        .await;
    assert!(
        matches!(&twice, Err(StoreError::Invalid(m)) if m.contains("done")),
        "{twice:?}"
    );
    store
        .finish_job(
            second,
            "node-b",
            &JobOutcome::Failed("typst: no font for «ë»".into()),
            at(13),
        )
        .await
        .unwrap();
    let failed = store.job(second).await.unwrap().unwrap();
    assert_eq!(
        (failed.status, failed.result, failed.error.as_deref()),
        (JobStatus::Failed, None, Some("typst: no font for «ë»"))
    );
    let unknown = store
        .finish_job(second + 1000, "node-a", &JobOutcome::Done(json!(1)), at(13))
        .await;
    assert!(
        matches!(&unknown, Err(StoreError::Invalid(m)) if m.contains("no job")),
        "{unknown:?}"
    );

    // node-a takes the reindex and dies; after the lease, node-b takes it over.
    let held = store.claim_job("reindex", "node-a", at(14)).await.unwrap();
    assert_eq!(held.map(|j| j.id), Some(reindex));
    let within = at(14) + JOB_LEASE - chrono::TimeDelta::seconds(1);
    assert_eq!(
        store.claim_job("reindex", "node-b", within).await.unwrap(),
        None
    );
    let after = at(14) + JOB_LEASE + chrono::TimeDelta::seconds(1);
    let taken = store.claim_job("reindex", "node-b", after).await.unwrap();
    let taken = taken.expect("a stale claim is taken over");
    assert_eq!(
        (taken.id, taken.worker.as_deref(), taken.attempts),
        (reindex, Some("node-b"), 2)
    );
    let late = store
        .finish_job(reindex, "node-a", &JobOutcome::Done(json!(null)), after)
        .await;
    assert!(
        matches!(&late, Err(StoreError::Invalid(m)) if m.contains("node-b")),
        "{late:?}"
    );
    store
        .finish_job(reindex, "node-b", &JobOutcome::Done(json!(null)), after)
        .await
        .unwrap();
    // Nothing of the jobs shows as a practice change.
    assert_eq!(store.latest_change().await.unwrap(), 0);
}

/// Several workers claiming at once never get the same job, and together they do them all.
pub async fn story_concurrent_claimers(store: Arc<dyn Store>) {
    const JOBS: usize = 60;
    const CLAIMERS: usize = 6;
    for n in 0..JOBS {
        store
            .enqueue_job("pdf", &json!({"practice": n}), at(10))
            .await
            .unwrap();
    }
    let other = store
        .enqueue_job("reindex", &json!({}), at(10))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for k in 0..CLAIMERS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let worker = format!("node-{k}");
            let mut mine = Vec::new();
            while let Some(job) = store.claim_job("pdf", &worker, at(11)).await.unwrap() {
                assert_eq!(job.worker.as_deref(), Some(worker.as_str()));
                mine.push(job.id);
                store
                    .finish_job(job.id, &worker, &JobOutcome::Done(json!({"by": k})), at(12))
                    .await
                    .unwrap();
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for (k, task) in tasks.into_iter().enumerate() {
        let mine = task.await.expect("claimer");
        for id in &mine {
            let job = store.job(*id).await.unwrap().unwrap();
            assert_eq!(
                (job.status, job.result, job.attempts),
                (JobStatus::Done, Some(json!({"by": k})), 1),
                "job {id}"
            );
        }
        claimed.extend(mine);
    }
    let total = claimed.len();
    claimed.sort_unstable();
    claimed.dedup();
    assert_eq!(claimed.len(), total, "a job was claimed twice");
    assert_eq!(total, JOBS, "every job was done");
    let untouched = store.job(other).await.unwrap().unwrap();
    assert_eq!(untouched.status, JobStatus::Queued);
}

/// An export (as JSON text, through the JSON importer) imported into a fresh store, at
/// another time, gives the same store: ids, timestamps and all. Into the same store, it
/// changes nothing.
pub async fn story_hand_export_round_trip(store: &dyn Store, fresh: &dyn Store) {
    import(store, &booklet_batch(), at(10)).await;
    import(store, &markdown_batch(), at(11)).await;
    import(store, &sud_batch(), at(12)).await;
    import(store, &criteria_batch(), at(13)).await;
    export_round_trip(store, fresh).await;
}

async fn export_round_trip(store: &dyn Store, fresh: &dyn Store) {
    let original = snapshot(store).await;
    let export = export_as_json(store).await;
    let n = (original.practices.len()
        + original.platforms.len()
        + original.groups.len()
        + original.criteria.len()) as u64;

    let summary = import(fresh, &export, at(21)).await;
    assert_eq!(counts(&summary), (n, 0, 0));
    assert_eq!(snapshot(fresh).await, original);

    let summary = import(store, &export, at(21)).await;
    assert_eq!(counts(&summary), (0, 0, n));
    assert_eq!(snapshot(store).await, original);
    // And the fresh store's next practice does not reuse an id.
    let mut more = sud_batch();
    more.practices.truncate(1);
    more.practices[0].fields.title = "Encore une".into();
    import(fresh, &more, at(22)).await;
    let max = original.practices.iter().map(|p| p.id).max().unwrap_or(0);
    let added = fresh.practices().await.unwrap();
    assert_eq!(
        added.last().map(|p| p.fields.title.as_str()),
        Some("Encore une")
    );
    assert!(added.last().unwrap().id > max);
}

// --- Stories on the real corpus -------------------------------------------------------------

/// The corpus totals once every parser works.
pub const CORPUS_PRACTICES: usize = 38;
pub const CORPUS_CRITERIA: usize = 36;

async fn import_corpus(store: &dyn Store) -> Vec<(Batch, ImportSummary)> {
    let mut out = Vec::new();
    for (i, name) in CORPUS.iter().enumerate() {
        let batch = corpus_batch(name);
        let summary = import(store, &batch, at(10 + i as u32)).await;
        out.push((batch, summary));
    }
    out
}

/// The corpus reads back as parsed: every field and list order of every fiche, its sources,
/// and every criterion.
pub async fn story_corpus_round_trip(store: &dyn Store) {
    let imported = import_corpus(store).await;
    let [(booklet, s1), (md, s2), (sud, s3), (blegny, s4)] = &imported[..] else {
        unreachable!()
    };
    assert_eq!(
        counts(s1),
        (booklet.practices.len() as u64, 0, 0),
        "{}",
        booklet.document
    );
    assert_eq!(counts(s2), (0, 1, 0), "the WOK copy merges: {s2:?}");
    assert_eq!(counts(s3), (sud.practices.len() as u64, 0, 0));
    let spiral = (blegny.platforms.len() + blegny.groups.len() + blegny.criteria.len()) as u64;
    assert_eq!(counts(s4), (spiral, 0, 0));

    let practices = store.practices().await.unwrap();
    assert_eq!(practices.len(), CORPUS_PRACTICES);
    assert_eq!(
        booklet.practices.len() + sud.practices.len(),
        CORPUS_PRACTICES
    );
    for (batch, now) in [(booklet, at(10)), (sud, at(12))] {
        for record in &batch.practices {
            let p = by_key(&practices, record);
            assert_eq!(p.fields, record.fields, "{}", record.fields.title);
            assert_eq!(&p.sources[..record.sources.len()], &record.sources[..]);
            assert_eq!((p.status, p.language), (record.status, record.language));
            assert_eq!(p.created_at, now);
        }
    }
    let copy = &md.practices[0];
    let wok = by_key(&practices, copy);
    let documents: Vec<&str> = wok.sources.iter().map(|s| s.document.as_str()).collect();
    assert_eq!(
        documents,
        [BOOKLET, WOK_MD],
        "one practice, both sources, booklet first"
    );
    assert_eq!(
        wok.sources[wok.sources.len() - copy.sources.len()..],
        copy.sources[..]
    );

    let criteria = store.criteria(&CriteriaFilter::default()).await.unwrap();
    assert_eq!(criteria.len(), CORPUS_CRITERIA);
    let stored: HashMap<Option<i64>, &Criterion> = criteria.iter().map(|c| (c.id, c)).collect();
    for given in &blegny.criteria {
        assert!(
            given.id.is_some(),
            "wikispiral criteria carry their Crit ID: {given:?}"
        );
        let now = at(13).naive_utc();
        let expected = Criterion {
            created_at: Some(given.created_at.unwrap_or(now)),
            updated_at: Some(given.updated_at.unwrap_or(now)),
            ..given.clone()
        };
        assert_eq!(stored.get(&given.id).copied(), Some(&expected));
    }
    let platforms = store.platforms().await.unwrap();
    assert_eq!(
        platforms
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Blégny"]
    );
    let groups = store.groups().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, BLEGNY.1);
}

/// Re-importing every corpus file changes nothing.
pub async fn story_corpus_reimport_unchanged(store: &dyn Store) {
    let imported = import_corpus(store).await;
    let before = snapshot(store).await;
    for (batch, first) in &imported {
        let again = import(store, batch, at(20)).await;
        assert_eq!(
            counts(&again),
            (0, 0, first.created + first.updated + first.unchanged),
            "{}",
            batch.document
        );
    }
    assert_eq!(snapshot(store).await, before);
}

/// The WOK fiche of the booklet and its markdown copy are one practice with both sources,
/// whichever is imported first.
pub async fn story_corpus_wok_merges(store: &dyn Store) {
    let booklet = corpus_batch(CORPUS[0]);
    let md = corpus_batch(CORPUS[1]);
    assert_eq!(md.practices.len(), 1);
    let copy = &md.practices[0];
    let key = copy.fields.identity_key();
    let originals: Vec<&PracticeRecord> = booklet
        .practices
        .iter()
        .filter(|r| r.fields.identity_key() == key)
        .collect();
    assert_eq!(originals.len(), 1, "the booklet holds the WOK fiche once");

    // The copy first: it owns the text, the booklet adds its source.
    import(store, &md, at(10)).await;
    let summary = import(store, &booklet, at(11)).await;
    assert_eq!(counts(&summary), (booklet.practices.len() as u64 - 1, 1, 0));
    let practices = store.practices().await.unwrap();
    assert_eq!(practices.len(), booklet.practices.len());
    let wok = by_key(&practices, copy);
    assert_eq!(wok.fields, copy.fields);
    let mut sources = copy.sources.clone();
    sources.extend(originals[0].sources.iter().cloned());
    assert_eq!(wok.sources, sources);
    assert_eq!(
        sources
            .iter()
            .map(|s| s.document.as_str())
            .collect::<Vec<_>>(),
        [WOK_MD, BOOKLET]
    );
}

/// Filters on the Blégny criteria agree with the parsed batch.
pub async fn story_corpus_criteria_filters(store: &dyn Store) {
    let blegny = corpus_batch(CORPUS[3]);
    import(store, &blegny, at(10)).await;
    let mut by_component: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_dimension: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_question: BTreeMap<String, usize> = BTreeMap::new();
    for c in &blegny.criteria {
        if let Some(code) = &c.component {
            *by_component
                .entry(code.component().to_string())
                .or_default() += 1;
            *by_dimension
                .entry(code.dimension().to_string())
                .or_default() += 1;
        }
        *by_question.entry(c.question.clone()).or_default() += 1;
    }
    assert!(by_component.len() > 3, "{by_component:?}");
    for (component, n) in &by_component {
        let f = CriteriaFilter {
            component: Some(component.clone()),
            ..CriteriaFilter::default()
        };
        assert_eq!(
            store.criteria(&f).await.unwrap().len(),
            *n,
            "component {component}"
        );
    }
    for (dimension, n) in &by_dimension {
        let f = CriteriaFilter {
            dimension: Some(dimension.clone()),
            ..CriteriaFilter::default()
        };
        assert_eq!(
            store.criteria(&f).await.unwrap().len(),
            *n,
            "dimension {dimension}"
        );
    }
    for (question, n) in &by_question {
        let f = CriteriaFilter {
            platform: Some(BLEGNY.0.into()),
            group: Some(BLEGNY.1.into()),
            question: Some(question.clone()),
            ..CriteriaFilter::default()
        };
        assert_eq!(
            store.criteria(&f).await.unwrap().len(),
            *n,
            "question {question}"
        );
    }
    let act = CriteriaFilter {
        question: Some("ACT".into()),
        ..CriteriaFilter::default()
    };
    let ids: Vec<Option<i64>> = store
        .criteria(&act)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert!(ids.contains(&Some(295_019)), "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "by id: {ids:?}");
}

/// The corpus, exported as JSON and imported into a fresh store, gives the same store.
pub async fn story_corpus_export_round_trip(store: &dyn Store, fresh: &dyn Store) {
    import_corpus(store).await;
    export_round_trip(store, fresh).await;
}

// --- Outbox retention -----------------------------------------------------------------------

/// Pruning deletes the changes older than the retention, always a prefix of the log and never
/// the newest change; the watermark says where the deleted prefix ends, never goes back, and a
/// follower below it can tell it missed something. Ids are never reused.
pub async fn story_outbox_pruning(store: &dyn Store) {
    assert_eq!(store.pruned_through().await.unwrap(), 0);
    assert_eq!(store.prune_changes(at(23)).await.unwrap(), 0, "empty log");
    assert_eq!(store.pruned_through().await.unwrap(), 0);

    import(store, &booklet_batch(), at(10)).await;
    import(store, &sud_batch(), at(12)).await;
    let all = store.changes_since(0, 1000).await.unwrap();
    let latest = store.latest_change().await.unwrap();
    let older: Vec<i64> = all.iter().filter(|c| c.at < at(11)).map(|c| c.id).collect();
    let newer: Vec<i64> = all
        .iter()
        .filter(|c| c.at >= at(11))
        .map(|c| c.id)
        .collect();
    assert!(!older.is_empty() && newer.len() > 1, "{all:?}");

    // A follower that read everything before the prune.
    let up_to_date = latest;
    // One that had read nothing yet.
    let behind = 0;

    assert_eq!(
        store.prune_changes(at(11)).await.unwrap(),
        older.len() as u64
    );
    let kept: Vec<i64> = store
        .changes_since(0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(kept, newer);
    let through = store.pruned_through().await.unwrap();
    assert_eq!(through, *older.last().unwrap());
    assert_eq!(store.latest_change().await.unwrap(), latest);
    assert!(behind < through, "the follower behind sees the gap");
    assert!(up_to_date >= through, "the follower up to date does not");
    // Pruning again at the same time, or earlier, changes nothing.
    assert_eq!(store.prune_changes(at(11)).await.unwrap(), 0);
    assert_eq!(store.prune_changes(at(1)).await.unwrap(), 0);
    assert_eq!(store.pruned_through().await.unwrap(), through);

    // Long after: everything but the newest change goes, so the log's end is still known.
    assert_eq!(
        store.prune_changes(at(23)).await.unwrap(),
        newer.len() as u64 - 1
    );
    let kept = store.changes_since(0, 1000).await.unwrap();
    assert_eq!(kept.iter().map(|c| c.id).collect::<Vec<_>>(), [latest]);
    assert_eq!(store.latest_change().await.unwrap(), latest);
    assert_eq!(
        store.pruned_through().await.unwrap(),
        newer[newer.len() - 2]
    );

    // The next write gets a new id, above everything pruned.
    let mut more = sud_batch();
    more.practices.truncate(1);
    more.practices[0].fields.title = "Après l'élagage".into();
    import(store, &more, at(22)).await;
    let next = store.changes_since(latest, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert!(next[0].id > latest);
}

// --- CSV round trip -------------------------------------------------------------------------

/// The store's practices and criteria as zesummen's CSV, as `zesummen export` writes them.
fn export_csv(snapshot: &Snapshot) -> (Vec<u8>, Vec<u8>) {
    let (mut practices, mut criteria) = (Vec::new(), Vec::new());
    ingest::csv_format::write_practices(&mut practices, &snapshot.practices)
        .expect("practices CSV");
    ingest::csv_format::write_criteria(&mut criteria, &snapshot.criteria).expect("criteria CSV");
    (practices, criteria)
}

/// The corpus exported as CSV and imported into a fresh store exports the same bytes again:
/// CSV loses nothing it can express (ids, timestamps, lists, contacts, sources, statuses).
pub async fn story_corpus_csv_round_trip(store: &dyn Store, fresh: &dyn Store) {
    import_corpus(store).await;
    let original = snapshot(store).await;
    let (practices, criteria) = export_csv(&original);
    for (name, bytes) in [("practices.csv", &practices), ("criteria.csv", &criteria)] {
        let batch =
            ingest::parse(name, bytes, None).unwrap_or_else(|e| panic!("re-reading {name}: {e}"));
        assert_eq!(batch.format, Format::Csv, "{name}");
        import(fresh, &batch, at(21)).await;
    }
    let again = snapshot(fresh).await;
    assert_eq!(again.practices.len(), CORPUS_PRACTICES);
    assert_eq!(again.criteria.len(), CORPUS_CRITERIA);
    let (practices_again, criteria_again) = export_csv(&again);
    assert!(
        practices_again == practices,
        "practices CSV differs after the round trip:\n{}",
        first_difference(&practices, &practices_again)
    );
    assert!(
        criteria_again == criteria,
        "criteria CSV differs after the round trip:\n{}",
        first_difference(&criteria, &criteria_again)
    );
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or_else(
            || format!("lengths {} and {}", a.len(), b.len()),
            |(i, (x, y))| format!("line {}:\n- {x}\n+ {y}", i + 1),
        )
}

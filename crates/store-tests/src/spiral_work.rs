//! Stories of the SPIRAL work after the import ([`SpiralStore`]): platforms, groups and
//! criteria edited one by one, pages of criteria, syntheses, statistics, pilot actions,
//! progress indicators and their evaluations.
//!
//! Expected numbers are computed here, independently, from what `criteria()` lists, never
//! taken from the store's own aggregates.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use domain::synthesis::UNCLASSIFIED;
use domain::{
    ActionStatus, ComponentCode, Criterion, Evaluation, HomogeneousGroup, Indicator, MeaningCode,
    PilotAction, Platform, Statistics, Synthesis, SynthesisRow,
};
use store::spiral::stamp;
use store::{ActionFilter, CriteriaFilter, CriteriaSort, CriteriaSortKey, Store, StoreError};

use crate::fixtures::{BLEGNY, at, criterion, group, platform};
use crate::{CORPUS, corpus_batch, import, reference};

const DIFFERDANGE: (&str, &str) = ("Differdange", "Parents seuls");

/// Asserts `result` is an error of the kind `matches` accepts, whose message holds `words`.
#[track_caller]
fn refused<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    matches: fn(&StoreError) -> bool,
    words: &str,
) {
    match result {
        Err(e) if matches(&e) && e.to_string().contains(words) => {}
        other => panic!("expected a refusal saying «{words}», got {other:?}"),
    }
}

fn not_found(e: &StoreError) -> bool {
    matches!(e, StoreError::NotFound(_))
}

fn conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_))
}

fn invalid(e: &StoreError) -> bool {
    matches!(e, StoreError::Invalid(_))
}

/// The Blégny corpus (36 criteria, one group) imported, with the reference data; returns the
/// platform's and the group's ids.
async fn blegny(store: &dyn Store) -> (i64, i64) {
    store.ensure_reference(&reference(), at(9)).await.unwrap();
    let batch = corpus_batch(CORPUS[3]);
    assert_eq!(batch.criteria.len(), crate::CORPUS_CRITERIA);
    import(store, &batch, at(10)).await;
    let platform = store.platforms().await.unwrap()[0].id.expect("an id");
    let group = store.groups().await.unwrap()[0].id.expect("an id");
    (platform, group)
}

/// A second platform, created through the API, with one group and three criteria: unclassified,
/// fine-coded, and one with every optional field. Returns the platform's id and the criteria's.
async fn differdange(store: &dyn Store) -> (i64, Vec<i64>) {
    let id = store
        .create_platform(
            &platform(DIFFERDANGE.0, "Luxembourg", &["lb", "fr"]),
            at(11),
        )
        .await
        .unwrap();
    store
        .create_group(&group(DIFFERDANGE.0, DIFFERDANGE.1), at(11))
        .await
        .unwrap();
    let mut rich = criterion(
        None,
        DIFFERDANGE,
        "WB",
        "avoir du temps pour soi",
        Some("F03"),
    );
    rich.expressions = Some(4);
    rich.meaning = Some(MeaningCode::parse("O21").unwrap());
    rich.proposition = Some("Chaque parent a du temps pour lui".into());
    let mut ids = Vec::new();
    for (i, c) in [
        criterion(None, DIFFERDANGE, "IB", "la cantine est chère", None),
        criterion(
            None,
            DIFFERDANGE,
            "IB",
            "Ébranlé par la solitude",
            Some("A01-11/P15/k"),
        ),
        rich,
    ]
    .iter()
    .enumerate()
    {
        ids.push(
            store
                .create_criterion(c, at(12 + i as u32))
                .await
                .unwrap_or_else(|e| panic!("creating «{}»: {e}", c.text)),
        );
    }
    (id, ids)
}

async fn all_criteria(store: &dyn Store) -> Vec<Criterion> {
    store.criteria(&CriteriaFilter::default()).await.unwrap()
}

/// Platforms, groups and criteria created one by one read back as given, with their ids and
/// `now`; edits read back; names are unique; what is missing is NotFound.
pub async fn story_spiral_create_and_edit(store: &dyn Store) {
    store.ensure_reference(&reference(), at(9)).await.unwrap();
    let mut given = platform("Blégny", "Belgique", &["fr"]);
    given.coordination = Some("Plan de cohésion sociale".into());
    // A creation date given with the platform is not kept: creation is now.
    given.created_at = Some(crate::fixtures::local(9, 0));
    let p = store.create_platform(&given, at(10)).await.unwrap();
    let expected = Platform {
        id: Some(p),
        created_at: Some(stamp(at(10))),
        ..given.clone()
    };
    assert_eq!(store.platform(p).await.unwrap(), Some(expected.clone()));
    assert_eq!(store.platforms().await.unwrap(), vec![expected.clone()]);
    assert_eq!(store.platform(p + 1000).await.unwrap(), None);

    refused(
        store.create_platform(&given, at(11)).await,
        conflict,
        "a platform named `Blégny` already exists",
    );
    let other = store
        .create_platform(&platform("Differdange", "Luxembourg", &["lb"]), at(11))
        .await
        .unwrap();
    assert_ne!(other, p);
    let mut renamed = given.clone();
    renamed.name = "Differdange".into();
    refused(
        store.update_platform(p, &renamed, at(12)).await,
        conflict,
        "a platform named `Differdange` already exists",
    );
    refused(
        store.update_platform(p + 1000, &given, at(12)).await,
        not_found,
        &format!("no platform has id {}", p + 1000),
    );
    let mut blank = given.clone();
    blank.name = "  ".into();
    refused(
        store.create_platform(&blank, at(12)).await,
        invalid,
        "empty",
    );

    // Groups: unique within their platform only; their platform must exist.
    let g = store
        .create_group(&group("Blégny", "Seniors"), at(13))
        .await
        .unwrap();
    let mut expected_group = HomogeneousGroup {
        id: Some(g),
        created_at: Some(stamp(at(13))),
        ..group("Blégny", "Seniors")
    };
    assert_eq!(store.group(g).await.unwrap(), Some(expected_group.clone()));
    refused(
        store
            .create_group(&group("Blégny", "Seniors"), at(14))
            .await,
        conflict,
        "platform `Blégny` already has a homogeneous group named `Seniors`",
    );
    let elsewhere = store
        .create_group(&group("Differdange", "Seniors"), at(14))
        .await
        .unwrap();
    refused(
        store
            .create_group(&group("Nowhere", "Seniors"), at(14))
            .await,
        not_found,
        "no platform is named `Nowhere`",
    );
    let jeunes = store
        .create_group(&group("Blégny", "Jeunes"), at(14))
        .await
        .unwrap();
    let mut edit = group("Somewhere else", "Aînés");
    edit.language = Some("wa".into());
    edit.profile = Some("plus de 65 ans".into());
    store.update_group(g, &edit, at(15)).await.unwrap();
    expected_group.name = "Aînés".into();
    expected_group.language = Some("wa".into());
    expected_group.profile = Some("plus de 65 ans".into());
    assert_eq!(
        store.group(g).await.unwrap(),
        Some(expected_group.clone()),
        "a group stays with its platform and its creation date"
    );
    refused(
        store
            .update_group(jeunes, &group("Blégny", "Aînés"), at(15))
            .await,
        conflict,
        "already has a homogeneous group named `Aînés`",
    );
    // The same name in another platform is no conflict.
    store
        .update_group(elsewhere, &group("Differdange", "Aînés"), at(15))
        .await
        .unwrap();
    refused(
        store
            .update_group(g + 1000, &group("Blégny", "x"), at(15))
            .await,
        not_found,
        &format!("no homogeneous group has id {}", g + 1000),
    );
    let groups = store.groups().await.unwrap();
    assert_eq!(groups.len(), 3);
    assert!(groups.iter().all(|g| g.id.is_some()), "{groups:?}");

    // The platform edited: its groups follow the new name.
    let mut edited = given.clone();
    edited.name = "Blégny-Trembleur".into();
    edited.languages = vec!["fr".into(), "wa".into()];
    edited.description = None;
    store.update_platform(p, &edited, at(16)).await.unwrap();
    assert_eq!(
        store.platform(p).await.unwrap(),
        Some(Platform {
            id: Some(p),
            created_at: Some(stamp(at(10))),
            ..edited.clone()
        })
    );
    assert_eq!(
        store.group(g).await.unwrap().unwrap().platform,
        "Blégny-Trembleur"
    );
    // Renaming to its own name is no conflict.
    store.update_platform(p, &edited, at(16)).await.unwrap();

    // Criteria.
    let place = ("Blégny-Trembleur", "Aînés");
    let mut c = criterion(Some(1), place, "WB", "voir ses petits-enfants", Some("C06"));
    c.expressions = Some(2);
    c.meaning = Some(MeaningCode::parse("P").unwrap());
    c.proposition = Some("Les aînés voient leur famille".into());
    c.created_at = Some(crate::fixtures::local(8, 0));
    let first = store.create_criterion(&c, at(17)).await.unwrap();
    let read = store.criterion(first).await.unwrap().expect("created");
    assert_eq!(
        read,
        Criterion {
            id: Some(first),
            created_at: Some(stamp(at(17))),
            updated_at: Some(stamp(at(17))),
            ..c.clone()
        },
        "the id and dates given are not kept"
    );
    assert_eq!(all_criteria(store).await, vec![read.clone()]);
    let second = store
        .create_criterion(&criterion(None, place, "IB", "la solitude", None), at(18))
        .await
        .unwrap();
    assert!(second > first);
    refused(
        store
            .create_criterion(&criterion(None, place, "XX", "?", None), at(18))
            .await,
        invalid,
        "`XX` is not a question code: expected one of WB, IB, ACT",
    );
    refused(
        store
            .create_criterion(
                &criterion(None, ("Blégny-Trembleur", "Nobody"), "WB", "x", None),
                at(18),
            )
            .await,
        not_found,
        "platform `Blégny-Trembleur` has no homogeneous group named `Nobody`",
    );
    refused(
        store
            .create_criterion(
                &criterion(None, ("Blégny", "Aînés"), "WB", "x", None),
                at(18),
            )
            .await,
        not_found,
        "no platform is named `Blégny`",
    );
    refused(
        store
            .create_criterion(&criterion(None, place, "WB", " ", None), at(18))
            .await,
        invalid,
        "empty",
    );

    let mut changed = criterion(
        None,
        ("ignored", "ignored"),
        "ACT",
        "rendre visite",
        Some("I07"),
    );
    changed.proposition = Some("Des visites chaque semaine".into());
    store
        .update_criterion(first, &changed, at(19))
        .await
        .unwrap();
    assert_eq!(
        store.criterion(first).await.unwrap(),
        Some(Criterion {
            id: Some(first),
            platform: place.0.into(),
            group: place.1.into(),
            created_at: Some(stamp(at(17))),
            updated_at: Some(stamp(at(19))),
            ..changed.clone()
        })
    );
    refused(
        store.update_criterion(first + 1000, &changed, at(19)).await,
        not_found,
        &format!("no criterion has id {}", first + 1000),
    );
    changed.question = "XX".into();
    refused(
        store.update_criterion(first, &changed, at(19)).await,
        invalid,
        "`XX` is not a question code",
    );

    // Deleted: gone, and its id is never given again.
    store.delete_criterion(second).await.unwrap();
    assert_eq!(store.criterion(second).await.unwrap(), None);
    refused(
        store.delete_criterion(second).await,
        not_found,
        &format!("no criterion has id {second}"),
    );
    let third = store
        .create_criterion(&criterion(None, place, "IB", "l'isolement", None), at(20))
        .await
        .unwrap();
    assert!(third > second, "{third} after {second}");
    let counts = store.counts().await.unwrap();
    assert_eq!(
        (counts.platforms, counts.groups, counts.criteria),
        (2, 3, 2)
    );
}

/// Imported criteria (wikispiral ids) and created ones share one sequence of ids.
pub async fn story_created_criteria_follow_imported_ids(store: &dyn Store) {
    blegny(store).await;
    let highest = all_criteria(store)
        .await
        .iter()
        .filter_map(|c| c.id)
        .max()
        .unwrap();
    let id = store
        .create_criterion(&criterion(None, BLEGNY, "WB", "un jardin", None), at(11))
        .await
        .unwrap();
    assert_eq!(id, highest + 1);
    // Re-importing the corpus leaves the new criterion, and changes nothing.
    let again = import(store, &corpus_batch(CORPUS[3]), at(12)).await;
    assert_eq!((again.created, again.updated), (0, 0));
    assert!(store.criterion(id).await.unwrap().is_some());
}

/// What a sort key reads of a criterion, to sort the expected order here.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Number(i64),
    Text(String),
    Time(NaiveDateTime),
}

fn sort_value(c: &Criterion, key: CriteriaSortKey) -> Option<Value> {
    let text = |s: &str| Some(Value::Text(s.to_string()));
    match key {
        CriteriaSortKey::Id => c.id.map(Value::Number),
        CriteriaSortKey::Platform => text(&c.platform),
        CriteriaSortKey::Group => text(&c.group),
        CriteriaSortKey::Question => text(&c.question),
        CriteriaSortKey::Expressions => c.expressions.map(|n| Value::Number(n.into())),
        CriteriaSortKey::Text => text(&c.text),
        CriteriaSortKey::Component => c.component.as_ref().and_then(|k| text(k.as_str())),
        CriteriaSortKey::Meaning => c.meaning.as_ref().and_then(|k| text(k.as_str())),
        CriteriaSortKey::Proposition => c.proposition.as_deref().and_then(text),
        CriteriaSortKey::Created => c.created_at.map(Value::Time),
        CriteriaSortKey::Modified => c.updated_at.map(Value::Time),
    }
}

/// The documented order: the key (text by code point), empty values last in both directions,
/// ties by id ascending.
fn expected_order(criteria: &[Criterion], sort: CriteriaSort) -> Vec<Option<i64>> {
    let mut sorted: Vec<&Criterion> = criteria.iter().collect();
    sorted.sort_by(|a, b| {
        let (x, y) = (sort_value(a, sort.key), sort_value(b, sort.key));
        let by_key = match (&x, &y) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) if sort.descending => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
        };
        by_key.then(a.id.cmp(&b.id))
    });
    sorted.iter().map(|c| c.id).collect()
}

/// Pages of criteria: the total counts every match, pages follow each other without gap or
/// repeat in every sort order, both directions, and filters narrow the total.
pub async fn story_criteria_pages(store: &dyn Store) {
    blegny(store).await;
    differdange(store).await;
    let all = all_criteria(store).await;
    assert_eq!(all.len(), 39);
    // The sort keys must have something to sort: ties, and empty values.
    for key in [
        CriteriaSortKey::Expressions,
        CriteriaSortKey::Component,
        CriteriaSortKey::Meaning,
        CriteriaSortKey::Proposition,
    ] {
        let values: Vec<_> = all.iter().map(|c| sort_value(c, key)).collect();
        assert!(values.contains(&None), "{key:?} has empty values");
        assert!(values.iter().any(Option::is_some), "{key:?} has values");
    }

    let everything = CriteriaFilter::default();
    for key in CriteriaSortKey::ALL {
        for descending in [false, true] {
            let sort = CriteriaSort { key, descending };
            let mut seen = Vec::new();
            for page in 0..6 {
                let got = store
                    .criteria_page(&everything, sort, page * 7, 7)
                    .await
                    .unwrap_or_else(|e| panic!("sort {sort}: {e}"));
                assert_eq!(got.total, 39, "sort {sort}");
                assert_eq!(got.items.len(), if page < 5 { 7 } else { 4 });
                seen.extend(got.items);
            }
            let ids: Vec<Option<i64>> = seen.iter().map(|c| c.id).collect();
            assert_eq!(ids, expected_order(&all, sort), "sort {sort}");
            // Pages hold whole criteria, as `criteria()` lists them.
            let mut by_id = seen.clone();
            by_id.sort_by_key(|c| c.id);
            assert_eq!(by_id, all, "sort {sort}");
        }
    }
    let ascending = store
        .criteria_page(&everything, CriteriaSort::default(), 0, 3)
        .await
        .unwrap();
    let ids: Vec<Option<i64>> = all.iter().take(3).map(|c| c.id).collect();
    assert_eq!(
        ascending.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids
    );
    let beyond = store
        .criteria_page(&everything, CriteriaSort::default(), 100, 10)
        .await
        .unwrap();
    assert_eq!((beyond.total, beyond.items.len()), (39, 0));
    let none = store
        .criteria_page(&everything, CriteriaSort::default(), 0, 0)
        .await
        .unwrap();
    assert_eq!((none.total, none.items.len()), (39, 0));
    let unbounded = store
        .criteria_page(&everything, CriteriaSort::default(), 0, u64::MAX)
        .await
        .unwrap();
    assert_eq!(unbounded.items, all);

    // Filters narrow the total; the pages of a filter hold only its criteria.
    let in_blegny = |question: &str| CriteriaFilter {
        platform: Some(BLEGNY.0.into()),
        question: Some(question.into()),
        ..CriteriaFilter::default()
    };
    for (question, n) in [("WB", 11), ("IB", 17), ("ACT", 8)] {
        let page = store
            .criteria_page(&in_blegny(question), CriteriaSort::default(), 0, 100)
            .await
            .unwrap();
        assert_eq!(page.total, n, "{question}");
        assert_eq!(page.items.len() as u64, n);
        assert!(
            page.items
                .iter()
                .all(|c| c.question == question && c.platform == BLEGNY.0)
        );
    }
    let sort = CriteriaSort::parse("-text").unwrap();
    let tail = store
        .criteria_page(&in_blegny("IB"), sort, 15, 5)
        .await
        .unwrap();
    assert_eq!((tail.total, tail.items.len()), (17, 2));
    let ib: Vec<Criterion> = all
        .iter()
        .filter(|c| c.question == "IB" && c.platform == BLEGNY.0)
        .cloned()
        .collect();
    assert_eq!(
        tail.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        expected_order(&ib, sort)[15..]
    );

    let filters: Vec<(CriteriaFilter, Keep)> = vec![
        (
            CriteriaFilter {
                group: Some(DIFFERDANGE.1.into()),
                ..CriteriaFilter::default()
            },
            |c: &Criterion| c.group == DIFFERDANGE.1,
        ),
        (
            CriteriaFilter {
                question: Some("IB".into()),
                ..CriteriaFilter::default()
            },
            |c: &Criterion| c.question == "IB",
        ),
        (
            CriteriaFilter {
                dimension: Some("A".into()),
                ..CriteriaFilter::default()
            },
            |c: &Criterion| c.component.as_ref().is_some_and(|k| k.dimension() == "A"),
        ),
        (
            CriteriaFilter {
                component: Some("A01".into()),
                ..CriteriaFilter::default()
            },
            |c: &Criterion| c.component.as_ref().is_some_and(|k| k.component() == "A01"),
        ),
        (
            CriteriaFilter {
                component: Some("A01-11/P15/k".into()),
                ..CriteriaFilter::default()
            },
            |c: &Criterion| {
                c.component
                    .as_ref()
                    .is_some_and(|k| k.as_str() == "A01-11/P15/k")
            },
        ),
        (
            CriteriaFilter {
                platform: Some("Nowhere".into()),
                ..CriteriaFilter::default()
            },
            |_: &Criterion| false,
        ),
    ];
    for (filter, keep) in filters {
        let expected: Vec<&Criterion> = all.iter().filter(|c| keep(c)).collect();
        let sort = CriteriaSort::parse("-created").unwrap();
        let page = store.criteria_page(&filter, sort, 1, 2).await.unwrap();
        assert_eq!(page.total, expected.len() as u64, "{filter:?}");
        let order = expected_order(&expected.into_iter().cloned().collect::<Vec<_>>(), sort);
        assert_eq!(
            page.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            order.iter().skip(1).take(2).copied().collect::<Vec<_>>(),
            "{filter:?}"
        );
    }
    assert!(CriteriaSort::parse("post-it").is_err());
}

/// Which criteria a filter should keep, as told here.
type Keep = fn(&Criterion) -> bool;

/// The synthesis rows of a platform, counted here from `criteria()`.
async fn expected_rows(
    store: &dyn Store,
    platform: &str,
    group: Option<&str>,
) -> Vec<SynthesisRow> {
    let mut counts: BTreeMap<(String, String, Option<String>), u64> = BTreeMap::new();
    for c in all_criteria(store).await {
        if c.platform == platform && group.is_none_or(|g| g == c.group) {
            let component = c.component.as_ref().map(|k| k.component().to_string());
            *counts.entry((c.group, c.question, component)).or_default() += 1;
        }
    }
    let mut rows: Vec<SynthesisRow> = counts
        .into_iter()
        .map(|((group, question, component), count)| SynthesisRow {
            group,
            question,
            component,
            count,
        })
        .collect();
    store::spiral::sort_synthesis_rows(&mut rows);
    rows
}

/// Criteria per question and dimension, counted here.
fn by_question_and_dimension(criteria: &[Criterion]) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for c in criteria {
        let dimension = c
            .component
            .as_ref()
            .map_or(UNCLASSIFIED, ComponentCode::dimension);
        *out.entry(c.question.clone())
            .or_default()
            .entry(dimension.to_string())
            .or_default() += 1;
    }
    out
}

/// The synthesis of the Blégny corpus: WB 11, IB 17, ACT 8, each dimension as counted from the
/// criteria; it follows creations, classifications, re-imports and deletions.
pub async fn story_synthesis(store: &dyn Store) {
    let (blegny_id, group_id) = blegny(store).await;
    let rows = store.synthesis_rows(blegny_id, None).await.unwrap();
    assert_eq!(rows, expected_rows(store, BLEGNY.0, None).await);
    let synthesis = Synthesis::from_rows(&rows);
    let totals: Vec<(&str, u64)> = synthesis
        .totals
        .iter()
        .map(|(q, n)| (q.as_str(), *n))
        .collect();
    assert_eq!(totals, [("ACT", 8), ("IB", 17), ("WB", 11)]);
    let blegny_criteria = all_criteria(store).await;
    assert_eq!(
        synthesis.by_question,
        by_question_and_dimension(&blegny_criteria)
    );
    assert!(
        synthesis.by_question["IB"].len() > 2,
        "several dimensions: {:?}",
        synthesis.by_question
    );
    assert_eq!(synthesis.groups.len(), 1);
    assert_eq!(
        store
            .synthesis_rows(blegny_id, Some(group_id))
            .await
            .unwrap(),
        rows
    );

    // Another platform's criteria do not count here.
    let (differdange_id, _) = differdange(store).await;
    assert_eq!(store.synthesis_rows(blegny_id, None).await.unwrap(), rows);
    let theirs = store.synthesis_rows(differdange_id, None).await.unwrap();
    assert_eq!(theirs, expected_rows(store, DIFFERDANGE.0, None).await);
    assert_eq!(theirs.iter().map(|r| r.count).sum::<u64>(), 3);
    assert!(
        theirs
            .iter()
            .any(|r| r.component.as_deref() == Some("A01") && r.question == "IB"),
        "a fine code counts under its component: {theirs:?}"
    );
    assert!(theirs.iter().any(|r| r.component.is_none()), "{theirs:?}");

    // A new group, and a criterion created there and classified.
    let newcomers = store
        .create_group(&group(BLEGNY.0, "Nouveaux habitants"), at(20))
        .await
        .unwrap();
    let id = store
        .create_criterion(
            &criterion(
                None,
                (BLEGNY.0, "Nouveaux habitants"),
                "WB",
                "connaître ses voisins",
                None,
            ),
            at(20),
        )
        .await
        .unwrap();
    let mut c = store.criterion(id).await.unwrap().unwrap();
    c.component = Some(ComponentCode::parse("H02-3").unwrap());
    store.update_criterion(id, &c, at(21)).await.unwrap();
    let rows = store.synthesis_rows(blegny_id, None).await.unwrap();
    assert_eq!(rows, expected_rows(store, BLEGNY.0, None).await);
    let after = Synthesis::from_rows(&rows);
    assert_eq!(after.totals["WB"], 12);
    assert_eq!(
        after.by_question["WB"].get("H").copied().unwrap_or(0),
        synthesis.by_question["WB"].get("H").copied().unwrap_or(0) + 1
    );
    assert_eq!(after.by_component["WB"].get("H02").copied(), {
        let before = synthesis.by_component["WB"].get("H02").copied();
        Some(before.unwrap_or(0) + 1)
    });
    assert_eq!(after.groups.len(), 2);
    assert_eq!(after.groups["Nouveaux habitants"].totals["WB"], 1);
    let only_new = store
        .synthesis_rows(blegny_id, Some(newcomers))
        .await
        .unwrap();
    assert_eq!(
        only_new,
        vec![SynthesisRow {
            group: "Nouveaux habitants".into(),
            question: "WB".into(),
            component: Some("H02".into()),
            count: 1,
        }]
    );
    assert_eq!(
        only_new,
        expected_rows(store, BLEGNY.0, Some("Nouveaux habitants")).await
    );

    // A re-import that reclassifies a criterion and moves it to another question.
    let mut batch = corpus_batch(CORPUS[3]);
    let moved = batch
        .criteria
        .iter_mut()
        .find(|c| c.question == "IB")
        .expect("an IB criterion");
    moved.question = "ACT".into();
    moved.component = None;
    let summary = import(store, &batch, at(22)).await;
    assert_eq!(summary.updated, 1, "{summary:?}");
    let rows = store.synthesis_rows(blegny_id, None).await.unwrap();
    assert_eq!(rows, expected_rows(store, BLEGNY.0, None).await);
    let reimported = Synthesis::from_rows(&rows);
    assert_eq!(
        (
            reimported.totals["WB"],
            reimported.totals["IB"],
            reimported.totals["ACT"]
        ),
        (12, 16, 9)
    );

    // Deleted criteria leave the synthesis; a group without criteria has no rows.
    store.delete_criterion(id).await.unwrap();
    let first_act = all_criteria(store)
        .await
        .into_iter()
        .find(|c| c.platform == BLEGNY.0 && c.question == "ACT")
        .and_then(|c| c.id)
        .unwrap();
    store.delete_criterion(first_act).await.unwrap();
    let rows = store.synthesis_rows(blegny_id, None).await.unwrap();
    assert_eq!(rows, expected_rows(store, BLEGNY.0, None).await);
    assert_eq!(Synthesis::from_rows(&rows).total(), 36 - 1);
    assert!(
        store
            .synthesis_rows(blegny_id, Some(newcomers))
            .await
            .unwrap()
            .is_empty()
    );

    refused(
        store.synthesis_rows(blegny_id + 1000, None).await,
        not_found,
        &format!("no platform has id {}", blegny_id + 1000),
    );
    let their_group = store
        .groups()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.platform == DIFFERDANGE.0)
        .and_then(|g| g.id)
        .unwrap();
    refused(
        store.synthesis_rows(blegny_id, Some(their_group)).await,
        not_found,
        &format!("platform {blegny_id} has no homogeneous group with id {their_group}"),
    );
}

/// Statistics over every platform, against counts made here.
pub async fn story_statistics(store: &dyn Store) {
    assert_eq!(store.statistics().await.unwrap(), Statistics::default());
    blegny(store).await;
    differdange(store).await;
    let all = all_criteria(store).await;
    let mut expected = Statistics {
        platforms: 2,
        groups: 2,
        criteria: 39,
        ..Statistics::default()
    };
    for c in &all {
        *expected.by_question.entry(c.question.clone()).or_default() += 1;
        let dimension = c
            .component
            .as_ref()
            .map_or(UNCLASSIFIED, ComponentCode::dimension);
        *expected
            .by_dimension
            .entry(dimension.to_string())
            .or_default() += 1;
        let month = c
            .created_at
            .expect("stored criteria are dated")
            .format("%Y-%m");
        *expected.by_month.entry(month.to_string()).or_default() += 1;
    }
    let stats = store.statistics().await.unwrap();
    assert_eq!(stats, expected);
    assert_eq!(stats.by_question["WB"], 11 + 1);
    assert_eq!(
        stats.by_month["2024-05"], 3,
        "the three created on 2024-05-01"
    );
    assert!(stats.by_dimension.contains_key(UNCLASSIFIED), "{stats:?}");
    assert!(
        stats.by_month.len() > 1,
        "the corpus's own months: {stats:?}"
    );
}

fn action(platform: &str, title: &str, criteria: Vec<i64>, components: &[&str]) -> PilotAction {
    PilotAction {
        id: None,
        platform: platform.into(),
        title: title.into(),
        description: Some(format!("Description de « {title} »")),
        actors: Some("habitants, CPAS, associations".into()),
        criteria,
        components: components
            .iter()
            .map(|c| ComponentCode::parse(c).unwrap())
            .collect(),
        status: ActionStatus::Idea,
        starts_on: NaiveDate::from_ymd_opt(2026, 3, 1),
        ends_on: None,
        evaluation: None,
        created_at: None,
        updated_at: None,
    }
}

async fn titles(store: &dyn Store, filter: ActionFilter) -> Vec<String> {
    store
        .actions(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect()
}

/// Pilot actions: created and read back, edited, filtered by platform, status, component and
/// criterion; their criteria must exist and be their platform's; a deleted criterion leaves
/// their lists.
pub async fn story_actions(store: &dyn Store) {
    blegny(store).await;
    let (_, theirs) = differdange(store).await;
    let ids: Vec<i64> = all_criteria(store)
        .await
        .iter()
        .filter(|c| c.platform == BLEGNY.0)
        .filter_map(|c| c.id)
        .collect();
    let (c1, c2, c3) = (ids[0], ids[1], ids[2]);

    let given = action(
        BLEGNY.0,
        "Groupe d'entraide",
        vec![c2, c1],
        &["I07", "A01-11/P15/k"],
    );
    let first = store.create_action(&given, at(20)).await.unwrap();
    let expected = PilotAction {
        id: Some(first),
        created_at: Some(stamp(at(20))),
        updated_at: Some(stamp(at(20))),
        ..given.clone()
    };
    assert_eq!(store.action(first).await.unwrap(), Some(expected.clone()));
    let mut second = action(BLEGNY.0, "Jardin partagé", vec![c3], &["D00"]);
    second.status = ActionStatus::Decided;
    second.ends_on = NaiveDate::from_ymd_opt(2026, 9, 30);
    let second = store.create_action(&second, at(21)).await.unwrap();
    let third = store
        .create_action(
            &action(
                DIFFERDANGE.0,
                "Cantine solidaire",
                vec![theirs[0]],
                &["A01"],
            ),
            at(21),
        )
        .await
        .unwrap();
    assert!(first < second && second < third);
    assert_eq!(store.action(third + 1000).await.unwrap(), None);

    let all = ActionFilter::default;
    assert_eq!(
        titles(store, all()).await,
        ["Groupe d'entraide", "Jardin partagé", "Cantine solidaire"]
    );
    let filter = |f: fn(&mut ActionFilter)| {
        let mut filter = all();
        f(&mut filter);
        filter
    };
    assert_eq!(
        titles(store, filter(|f| f.platform = Some("Blégny".into()))).await,
        ["Groupe d'entraide", "Jardin partagé"]
    );
    assert_eq!(
        titles(store, filter(|f| f.status = Some(ActionStatus::Decided))).await,
        ["Jardin partagé"]
    );
    assert!(
        titles(store, filter(|f| f.status = Some(ActionStatus::Evaluated)))
            .await
            .is_empty()
    );
    // A component matches by its first three characters, either way.
    assert_eq!(
        titles(store, filter(|f| f.component = Some("A01".into()))).await,
        ["Groupe d'entraide", "Cantine solidaire"]
    );
    assert_eq!(
        titles(store, filter(|f| f.component = Some("A01-99".into()))).await,
        ["Groupe d'entraide", "Cantine solidaire"]
    );
    assert_eq!(
        titles(store, filter(|f| f.component = Some("D00".into()))).await,
        ["Jardin partagé"]
    );
    assert!(
        titles(store, filter(|f| f.component = Some("A".into())))
            .await
            .is_empty()
    );
    let answering = |id: i64| ActionFilter {
        criterion: Some(id),
        ..ActionFilter::default()
    };
    assert_eq!(titles(store, answering(c1)).await, ["Groupe d'entraide"]);
    assert_eq!(titles(store, answering(c3)).await, ["Jardin partagé"]);
    let combined = ActionFilter {
        platform: Some(BLEGNY.0.into()),
        component: Some("A01".into()),
        status: Some(ActionStatus::Idea),
        criterion: Some(c2),
    };
    assert_eq!(titles(store, combined).await, ["Groupe d'entraide"]);
    assert!(
        titles(store, filter(|f| f.platform = Some("Nowhere".into())))
            .await
            .is_empty()
    );

    // Refused, and nothing written.
    let before = store.actions(&all()).await.unwrap();
    refused(
        store
            .create_action(&action("Nowhere", "x", vec![], &[]), at(22))
            .await,
        not_found,
        "no platform is named `Nowhere`",
    );
    let missing = c1.max(c2).max(c3) + 100_000;
    refused(
        store
            .create_action(&action(BLEGNY.0, "x", vec![c1, missing], &[]), at(22))
            .await,
        invalid,
        &format!("criterion {missing} does not exist"),
    );
    refused(
        store
            .create_action(&action(BLEGNY.0, "x", vec![theirs[1]], &[]), at(22))
            .await,
        invalid,
        &format!(
            "criterion {} is a criterion of platform `Differdange`: expected one of platform `Blégny`",
            theirs[1]
        ),
    );
    refused(
        store
            .create_action(&action(BLEGNY.0, "x", vec![c1, c1], &[]), at(22))
            .await,
        invalid,
        &format!("criterion {c1} is listed twice"),
    );
    refused(
        store
            .create_action(&action(BLEGNY.0, " ", vec![], &[]), at(22))
            .await,
        invalid,
        "title is empty",
    );
    let mut backwards = action(BLEGNY.0, "x", vec![], &[]);
    backwards.ends_on = NaiveDate::from_ymd_opt(2026, 1, 1);
    refused(
        store.create_action(&backwards, at(22)).await,
        invalid,
        "before it starts",
    );
    assert_eq!(store.actions(&all()).await.unwrap(), before);

    // Edited: everything but its platform and creation.
    let mut edit = action(
        "Differdange",
        "Groupe d'entraide du mardi",
        vec![c3, c1],
        &["D00"],
    );
    edit.status = ActionStatus::Evaluated;
    edit.ends_on = NaiveDate::from_ymd_opt(2026, 6, 30);
    edit.evaluation = Some("Douze rencontres, quinze participants".into());
    edit.description = None;
    store.update_action(first, &edit, at(23)).await.unwrap();
    assert_eq!(
        store.action(first).await.unwrap(),
        Some(PilotAction {
            id: Some(first),
            platform: BLEGNY.0.into(),
            created_at: Some(stamp(at(20))),
            updated_at: Some(stamp(at(23))),
            ..edit.clone()
        })
    );
    assert!(titles(store, answering(c2)).await.is_empty());
    assert_eq!(
        titles(store, filter(|f| f.status = Some(ActionStatus::Evaluated))).await,
        ["Groupe d'entraide du mardi"]
    );
    refused(
        store.update_action(third + 1000, &edit, at(23)).await,
        not_found,
        &format!("no pilot action has id {}", third + 1000),
    );
    edit.criteria = vec![theirs[0]];
    refused(
        store.update_action(first, &edit, at(23)).await,
        invalid,
        "is a criterion of platform `Differdange`",
    );

    // A deleted criterion leaves every list it was on, in order.
    store.delete_criterion(c3).await.unwrap();
    assert_eq!(
        store.action(first).await.unwrap().unwrap().criteria,
        vec![c1]
    );
    assert!(
        store
            .action(second)
            .await
            .unwrap()
            .unwrap()
            .criteria
            .is_empty()
    );
    assert!(titles(store, answering(c3)).await.is_empty());
}

fn levels(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("Niveau {i}")).collect()
}

/// Progress indicators need one description per level of the stored scale; evaluations a
/// level on the scale and, if any, a group of the indicator's platform.
pub async fn story_indicators_and_evaluations(store: &dyn Store) {
    let mut given = Indicator {
        id: None,
        platform: BLEGNY.0.into(),
        component: ComponentCode::parse("A06").unwrap(),
        title: "Accès à l'emploi".into(),
        levels: levels(5),
        created_at: None,
    };
    // No scale yet: nothing can be checked.
    store
        .create_platform(&platform(BLEGNY.0, "Belgique", &["fr"]), at(9))
        .await
        .unwrap();
    refused(
        store.create_indicator(&given, at(9)).await,
        invalid,
        "load the SPIRAL reference data",
    );
    store.ensure_reference(&reference(), at(9)).await.unwrap();
    assert_eq!(store.scale().await.unwrap().len(), 5);
    store
        .create_group(&group(BLEGNY.0, BLEGNY.1), at(9))
        .await
        .unwrap();
    differdange(store).await;

    let id = store.create_indicator(&given, at(10)).await.unwrap();
    let expected = Indicator {
        id: Some(id),
        created_at: Some(stamp(at(10))),
        ..given.clone()
    };
    assert_eq!(store.indicator(id).await.unwrap(), Some(expected.clone()));
    let mut theirs = given.clone();
    theirs.platform = DIFFERDANGE.0.into();
    theirs.component = ComponentCode::parse("A01-11").unwrap();
    let other = store.create_indicator(&theirs, at(11)).await.unwrap();
    assert_eq!(
        store.indicators(Some(BLEGNY.0)).await.unwrap(),
        vec![expected.clone()]
    );
    let listed: Vec<Option<i64>> = store
        .indicators(None)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, vec![Some(id), Some(other)]);
    assert!(store.indicators(Some("Nowhere")).await.unwrap().is_empty());
    assert_eq!(store.indicator(other + 1000).await.unwrap(), None);

    given.levels = levels(4);
    refused(
        store.create_indicator(&given, at(12)).await,
        invalid,
        "expected 5, found 4",
    );
    given.levels = levels(5);
    given.title = " ".into();
    refused(
        store.create_indicator(&given, at(12)).await,
        invalid,
        "the title is empty",
    );
    given.title = "Accès".into();
    given.platform = "Nowhere".into();
    refused(
        store.create_indicator(&given, at(12)).await,
        not_found,
        "no platform is named `Nowhere`",
    );

    let mut edit = expected.clone();
    edit.platform = DIFFERDANGE.0.into();
    edit.title = "Emploi des jeunes".into();
    edit.component = ComponentCode::parse("A06-2").unwrap();
    edit.levels[4] = "Chaque jeune trouve un emploi".into();
    store.update_indicator(id, &edit, at(13)).await.unwrap();
    assert_eq!(
        store.indicator(id).await.unwrap(),
        Some(Indicator {
            platform: BLEGNY.0.into(),
            ..edit.clone()
        }),
        "an indicator stays with its platform and its creation date"
    );
    edit.levels.push("Niveau 6".into());
    refused(
        store.update_indicator(id, &edit, at(14)).await,
        invalid,
        "expected 5, found 6",
    );
    refused(
        store
            .update_indicator(other + 1000, &expected, at(14))
            .await,
        not_found,
        &format!("no progress indicator has id {}", other + 1000),
    );

    // Evaluations, by date then id.
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let evaluation = |group: Option<&str>, date, level| Evaluation {
        id: None,
        indicator_id: id,
        group: group.map(Into::into),
        date,
        level,
        comment: Some(format!("niveau {level}")),
    };
    assert!(store.evaluations(id).await.unwrap().is_empty());
    let given = [
        evaluation(Some(BLEGNY.1), day(3, 1), 3),
        evaluation(None, day(1, 15), 5),
        evaluation(None, day(3, 1), 1),
    ];
    let mut expected = Vec::new();
    for (i, e) in given.iter().enumerate() {
        let id = store.add_evaluation(e, at(15 + i as u32)).await.unwrap();
        expected.push(Evaluation {
            id: Some(id),
            ..e.clone()
        });
    }
    let found = store.evaluations(id).await.unwrap();
    assert_eq!(
        found,
        vec![
            expected[1].clone(),
            expected[0].clone(),
            expected[2].clone()
        ]
    );
    refused(
        store
            .add_evaluation(&evaluation(None, day(4, 1), 6), at(20))
            .await,
        invalid,
        "level 6 is not on the scale: expected 1 to 5",
    );
    refused(
        store
            .add_evaluation(&evaluation(None, day(4, 1), 0), at(20))
            .await,
        invalid,
        "level 0 is not on the scale",
    );
    refused(
        store
            .add_evaluation(&evaluation(Some(DIFFERDANGE.1), day(4, 1), 2), at(20))
            .await,
        invalid,
        "`Parents seuls` is not a homogeneous group of platform `Blégny`",
    );
    refused(
        store
            .add_evaluation(&evaluation(Some("Nobody"), day(4, 1), 2), at(20))
            .await,
        invalid,
        "`Nobody` is not a homogeneous group of platform `Blégny`",
    );
    let mut unknown = evaluation(None, day(4, 1), 2);
    unknown.indicator_id = other + 1000;
    refused(
        store.add_evaluation(&unknown, at(20)).await,
        not_found,
        &format!("no progress indicator has id {}", other + 1000),
    );
    refused(
        store.evaluations(other + 1000).await,
        not_found,
        "no progress indicator has id",
    );
    assert_eq!(store.evaluations(id).await.unwrap(), found);
    assert!(store.evaluations(other).await.unwrap().is_empty());
    // Their groups evaluate their indicator.
    let mut theirs = evaluation(Some(DIFFERDANGE.1), day(5, 1), 4);
    theirs.indicator_id = other;
    theirs.comment = None;
    let eid = store.add_evaluation(&theirs, at(21)).await.unwrap();
    assert_eq!(
        store.evaluations(other).await.unwrap(),
        vec![Evaluation {
            id: Some(eid),
            ..theirs
        }]
    );
}

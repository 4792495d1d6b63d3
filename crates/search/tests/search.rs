//! The search index on the real corpus: the queries a municipal officer would type, facets,
//! snippets, similar practices, and the index's life cycle.

mod common;

use std::cell::Cell;
use std::collections::BTreeSet;

use common::{corpus, id_of};
use domain::text::fold;
use domain::{Language, Practice, PracticeFields, Status};
use search::{Hit, SearchIndex, SearchQuery, SearchResults, TantivyIndex};

fn corpus_index() -> (TantivyIndex, Vec<Practice>) {
    let practices = corpus();
    let index = TantivyIndex::in_memory().unwrap();
    index.upsert(&practices).unwrap();
    (index, practices)
}

fn search(index: &TantivyIndex, q: &str) -> SearchResults {
    index.search(&SearchQuery::text(q)).unwrap()
}

fn top(results: &SearchResults, n: usize) -> Vec<i64> {
    results.hits.iter().take(n).map(|h| h.id).collect()
}

fn ids(hits: &[Hit]) -> BTreeSet<i64> {
    hits.iter().map(|h| h.id).collect()
}

/// Everything a person can read on a practice, folded, for "does it talk about X".
fn text_of(p: &Practice) -> String {
    let f = &p.fields;
    fold(
        &[
            Some(&f.title),
            f.subtitle.as_ref(),
            f.objectives.as_ref(),
            f.description.as_ref(),
            f.results.as_ref(),
            f.target_public.as_ref(),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" "),
    )
}

fn practice(id: i64, language: Language, title: &str, description: &str) -> Practice {
    let mut p = corpus().remove(0);
    p.id = id;
    p.language = language;
    p.fields = PracticeFields {
        title: title.into(),
        description: Some(description.into()),
        ..PracticeFields::default()
    };
    p.slug = p.fields.slug();
    p.sources.clear();
    p
}

#[test]
fn the_corpus_is_what_the_tests_expect() {
    let practices = corpus();
    assert_eq!(practices.len(), 38);
    let wok = &practices[(id_of(&practices, "WOK") - 1) as usize];
    assert_eq!(
        wok.sources.len(),
        2,
        "the WOK fiche has its markdown copy merged in"
    );
}

#[test]
fn housing_for_refugees() {
    let (index, p) = corpus_index();
    let neien_ufank = id_of(&p, "Neien Ufank");
    let lisko = id_of(&p, "LISKO");

    let r = search(&index, "logement réfugiés");
    assert!(top(&r, 5).contains(&neien_ufank), "{:?}", top(&r, 5));
    assert!(top(&r, 5).contains(&lisko), "{:?}", top(&r, 5));

    let r = search(
        &index,
        "logement pour bénéficiaires de protection internationale",
    );
    assert_eq!(
        r.hits[0].id, neien_ufank,
        "the housing programme for BPI first"
    );
    assert!(top(&r, 5).contains(&lisko));

    // Housing alone brings the social rental agencies too.
    let r = search(&index, "logement");
    let ais = id_of(&p, "Agence Immobilière Sociale - AIS");
    let hauscare = id_of(&p, "HausCaRe");
    for id in [neien_ufank, ais, hauscare] {
        assert!(top(&r, 5).contains(&id), "{id} in {:?}", top(&r, 5));
    }
    let r = search(&index, "agence immobilière sociale");
    assert_eq!(
        top(&r, 2).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([ais, hauscare])
    );
}

#[test]
fn language_cafe() {
    let (index, p) = corpus_index();
    let r = search(&index, "café des langues");
    assert_eq!(r.hits[0].id, id_of(&p, "Café de Babel"));
    assert!(top(&r, 5).contains(&id_of(&p, "contrat d'accueil et d'intégration CAI")));
    let r = search(&index, "tandem de langues");
    assert_eq!(r.hits[0].id, id_of(&p, "Tandem de langues"));
}

#[test]
fn volunteers() {
    let (index, p) = corpus_index();
    let agence = id_of(&p, "Formation de base pour bénévoles");
    let dudelange = id_of(&p, "La gestion du bénévolat");
    let r = search(&index, "bénévoles");
    assert_eq!(top(&r, 2), vec![agence, dudelange]);
    let r = search(&index, "formation des bénévoles");
    assert_eq!(r.hits[0].id, agence);
}

#[test]
fn typos_are_forgiven() {
    let (index, p) = corpus_index();
    let r = search(&index, "equigart");
    assert_eq!(top(&r, 1), vec![id_of(&p, "Equigaart")]);
    assert!(r.hits[0].snippet.contains("<mark>Equigaart</mark>"));

    let right = search(&index, "bénévoles");
    for typo in ["benevols", "benevolles", "bénévolles", "bnévoles"] {
        let r = search(&index, typo);
        assert_eq!(top(&r, 2), top(&right, 2), "{typo}");
    }

    let r = search(&index, "integation");
    assert_eq!(r.total, search(&index, "intégration").total);
    assert!(r.hits[0].snippet.contains("<mark>"));

    // Short words are not corrected: "spot" is not "sport".
    assert_eq!(search(&index, "spot").total, 0);
    // A word the index knows is taken as typed, not widened to its neighbours.
    assert_eq!(
        ids(&search(&index, "sport").hits),
        ids(&search(&index, "sports").hits)
    );
}

#[test]
fn accents_do_not_matter() {
    let (index, p) = corpus_index();
    let plain = search(&index, "benevoles refugies");
    let accented = search(&index, "bénévoles réfugiés");
    assert_eq!(top(&plain, 10), top(&accented, 10));
    assert_eq!(plain.total, accented.total);
    assert!(top(&plain, 5).contains(&id_of(&p, "Formation de base pour bénévoles")));
    assert!(top(&plain, 5).contains(&id_of(&p, "La gestion du bénévolat")));
    assert_eq!(
        search(&index, "DEIFFERDENG").total,
        search(&index, "Déifferdeng").total
    );
    assert!(search(&index, "Déifferdeng").total >= 1);
}

#[test]
fn facet_filters() {
    let (index, p) = corpus_index();
    let strassen: BTreeSet<i64> = p
        .iter()
        .filter(|p| p.fields.communes.iter().any(|c| c == "Strassen"))
        .map(|p| p.id)
        .collect();
    assert_eq!(strassen.len(), 3);

    let q = SearchQuery {
        communes: vec!["Strassen".into()],
        ..SearchQuery::default()
    };
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 3);
    assert_eq!(ids(&r.hits), strassen);
    assert_eq!(r.facets.communes.get("Strassen"), Some(&3));
    // Filters compare like slugs: case, accents and dashes do not matter.
    let q = SearchQuery {
        communes: vec!["strassen".into()],
        ..SearchQuery::default()
    };
    assert_eq!(ids(&index.search(&q).unwrap().hits), strassen);

    let q = SearchQuery {
        q: "café".into(),
        communes: vec!["Strassen".into()],
        ..SearchQuery::default()
    };
    let r = index.search(&q).unwrap();
    assert_eq!(top(&r, 1), vec![id_of(&p, "Café de Babel")]);
    assert!(r.hits.iter().all(|h| strassen.contains(&h.id)));

    // Themes come from the SUD table.
    let housing: BTreeSet<i64> = p
        .iter()
        .filter(|p| p.fields.themes.iter().any(|t| t == "Logement social"))
        .map(|p| p.id)
        .collect();
    assert_eq!(housing.len(), 3);
    let q = SearchQuery {
        themes: vec!["Logement social".into()],
        ..SearchQuery::default()
    };
    let r = index.search(&q).unwrap();
    assert_eq!(ids(&r.hits), housing);
    assert!(
        r.hits
            .iter()
            .all(|h| h.themes.contains(&"Logement social".to_string()))
    );

    // Two values of a facet are alternatives; two facets must both hold.
    let q = SearchQuery {
        communes: vec!["Strassen".into(), "esch-sur-alzette".into()],
        ..SearchQuery::default()
    };
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 3 + 3);
    let q = SearchQuery {
        communes: vec!["Esch-sur-Alzette".into()],
        themes: vec!["Nouvelle technologie".into()],
        ..SearchQuery::default()
    };
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 1);
    assert!(r.hits[0].title.contains("Esch-suur-Alzette"));

    // Target public, source document and status filter too.
    let q = SearchQuery {
        target_publics: vec!["Bénévoles".into()],
        ..SearchQuery::default()
    };
    assert_eq!(
        ids(&index.search(&q).unwrap().hits),
        BTreeSet::from([
            id_of(&p, "Formation de base pour bénévoles"),
            id_of(&p, "La gestion du bénévolat")
        ])
    );
    let q = SearchQuery {
        sources: vec!["assises-2-wok-differdange.md".into()],
        ..SearchQuery::default()
    };
    assert_eq!(top(&index.search(&q).unwrap(), 5), vec![id_of(&p, "WOK")]);
    let q = SearchQuery {
        statuses: vec!["draft".into()],
        ..SearchQuery::default()
    };
    assert_eq!(index.search(&q).unwrap().total, 0);
}

#[test]
fn facet_counts_are_the_numbers_of_matching_documents() {
    let (index, _) = corpus_index();
    for q in ["", "intégration", "logement", "commune"] {
        let r = index
            .search(&SearchQuery {
                q: q.into(),
                per_page: 100,
                ..SearchQuery::default()
            })
            .unwrap();
        assert!(r.total > 0, "{q}");
        assert_eq!(r.hits.len() as u64, r.total, "{q}: one page holds all");
        // Every document has exactly one status.
        assert_eq!(r.facets.statuses.values().sum::<u64>(), r.total);
        let with = |set: fn(&mut SearchQuery) -> &mut Vec<String>, value: &str| {
            let mut query = SearchQuery {
                q: q.into(),
                per_page: 100,
                ..SearchQuery::default()
            };
            set(&mut query).push(value.to_string());
            index.search(&query).unwrap()
        };
        for (value, count) in &r.facets.communes {
            let filtered = with(|q| &mut q.communes, value);
            assert_eq!(filtered.total, *count, "{q} / commune {value}");
            let by_hits = r.hits.iter().filter(|h| h.communes.contains(value)).count();
            assert_eq!(by_hits as u64, *count, "{q} / commune {value}");
        }
        for (value, count) in &r.facets.themes {
            assert_eq!(
                with(|q| &mut q.themes, value).total,
                *count,
                "{q} / {value}"
            );
        }
        for (value, count) in &r.facets.target_publics {
            assert_eq!(
                with(|q| &mut q.target_publics, value).total,
                *count,
                "{q} / {value}"
            );
        }
        for (value, count) in &r.facets.institutions {
            assert_eq!(
                with(|q| &mut q.institutions, value).total,
                *count,
                "{q} / {value}"
            );
        }
        for (value, count) in &r.facets.sources {
            assert_eq!(
                with(|q| &mut q.sources, value).total,
                *count,
                "{q} / {value}"
            );
        }
    }
    let all = index.search(&SearchQuery::default()).unwrap();
    assert_eq!(all.facets.statuses.get("published"), Some(&38));
    assert_eq!(all.facets.sources.get("assises-2-fiches.txt"), Some(&24));
    assert_eq!(
        all.facets.sources.get("good-practices-sud-2016.txt"),
        Some(&14)
    );
    assert_eq!(all.facets.institutions.get("Commune de Strassen"), Some(&3));
}

#[test]
fn every_word_ranks_first_and_no_fiche_is_lost_for_one_word() {
    let (index, _) = corpus_index();
    assert_eq!(search(&index, "équitation").total, 0);
    let housing = search(&index, "logement");
    let both = search(&index, "logement équitation");
    assert_eq!(both.total, housing.total);
    assert_eq!(top(&both, 10), top(&housing, 10));

    // Any word finds a fiche; those with every word come first.
    let all = |q: &str| -> BTreeSet<i64> {
        let mut query = SearchQuery::text(q);
        query.per_page = 100;
        ids(&index.search(&query).unwrap().hits)
    };
    let with_housing = all("logement");
    let with_refugees = all("réfugiés");
    let with_both: BTreeSet<i64> = with_housing.intersection(&with_refugees).copied().collect();
    assert!(!with_both.is_empty());
    let together = search(&index, "logement réfugiés");
    assert_eq!(
        together.total as usize,
        with_housing.union(&with_refugees).count()
    );
    let first: BTreeSet<i64> = top(&together, with_both.len()).into_iter().collect();
    assert_eq!(first, with_both);
}

fn multilingual_index() -> (TantivyIndex, Vec<Practice>) {
    let (index, mut practices) = corpus_index();
    let extra = vec![
        practice(
            101,
            Language::De,
            "Sprachencafé der Gemeinde Strassen",
            "Einmal im Monat treffen sich Einwohner und Flüchtlinge im Kulturzentrum, um \
             Sprachen zu üben. Freiwillige Helfer moderieren die Tische.",
        ),
        practice(
            102,
            Language::En,
            "Basic training for volunteers working with asylum seekers",
            "The volunteer agency trains volunteers who support refugees and asylum seekers \
             in the reception centres.",
        ),
        practice(
            103,
            Language::Lb,
            "Sproochecafé vun der Gemeng Stroossen",
            "D'Gemeng organiséiert all Mount e Sproochecafé fir d'Awunner an d’Flüchtlingen.",
        ),
    ];
    index.upsert(&extra).unwrap();
    practices.extend(extra);
    (index, practices)
}

#[test]
fn german_english_and_luxembourgish_fiches() {
    let (index, _) = multilingual_index();
    // German stemming: singular finds plural.
    let r = search(&index, "Flüchtling");
    assert_eq!(r.hits[0].id, 101);
    assert!(r.hits[0].snippet.contains("<mark>Flüchtlinge</mark>"));
    assert_eq!(top(&search(&index, "Sprache üben"), 1), vec![101]);
    // English stemming.
    let r = search(&index, "volunteer training");
    assert_eq!(top(&r, 1), vec![102]);
    assert_eq!(top(&search(&index, "refugee volunteers"), 1), vec![102]);
    // Luxembourgish: elision and stop words, no stemming, accents folded.
    assert_eq!(top(&search(&index, "Gemeng"), 5), vec![103]);
    assert_eq!(top(&search(&index, "vun der Gemeng"), 5), vec![103]);
    assert_eq!(top(&search(&index, "sproochecafe"), 5), vec![103]);
    // French stays French: the English fiche does not answer "bénévoles".
    assert!(!top(&search(&index, "bénévoles"), 10).contains(&102));
}

#[test]
fn german_and_english_queries_on_french_fiches() {
    let (index, p) = corpus_index();
    // Shared words: the French analysis of the query finds the French fiche.
    let r = search(&index, "Integration Sport");
    assert_eq!(r.hits[0].id, id_of(&p, "intégration par le sport"));
    assert_eq!(
        search(&index, "Sport und Integration").hits[0].id,
        r.hits[0].id
    );
    // No fiche has every word: any word will do, and "refugees", unknown to a French
    // catalogue, is a typo away from "réfugiés".
    assert_eq!(search(&index, "housing").total, 0);
    let r = search(&index, "housing refugees");
    assert!(r.total >= 5, "{}", r.total);
    assert!(
        r.hits
            .iter()
            .all(|h| h.snippet.contains("<mark>réfugiés</mark>")
                || text_of(&p[(h.id - 1) as usize]).contains("refugi"))
    );

    // Once an English fiche says "refugees", the word is no longer a typo: it finds that fiche.
    let (index, _) = multilingual_index();
    let r = search(&index, "housing refugees");
    assert_eq!(top(&r, 5), vec![102]);
}

#[test]
fn pages_split_a_stable_total() {
    let (index, _) = corpus_index();
    let page = |q: &str, page: u32, per_page: u32| {
        index
            .search(&SearchQuery {
                q: q.into(),
                page,
                per_page,
                ..SearchQuery::default()
            })
            .unwrap()
    };
    for q in ["", "intégration"] {
        let first = page(q, 1, 5);
        let second = page(q, 2, 5);
        assert_eq!(first.total, second.total, "{q}");
        assert_eq!(first.facets, second.facets, "{q}");
        assert_eq!(first.hits.len(), 5);
        assert_eq!(second.hits.len(), 5);
        assert!(ids(&first.hits).is_disjoint(&ids(&second.hits)), "{q}");
        let all = page(q, 1, 100);
        let mut joined = first.hits.clone();
        joined.extend(second.hits.clone());
        assert_eq!(
            top(&all, 10),
            joined.iter().map(|h| h.id).collect::<Vec<_>>()
        );
        // Past the end: no hits, same total.
        let far = page(q, 1000, 5);
        assert!(far.hits.is_empty());
        assert_eq!(far.total, first.total);
        let huge = page(q, u32::MAX, u32::MAX);
        assert!(huge.hits.is_empty());
    }
    // An empty query lists by id, without score; page 0 reads as page 1.
    let listing = page("", 0, 0);
    assert_eq!(listing.total, 38);
    assert_eq!(top(&listing, 20), (1..=20).collect::<Vec<i64>>());
    assert!(listing.hits.iter().all(|h| h.score == 0.0));
    assert_eq!(page("", 4, 10).hits.len(), 8);
}

#[test]
fn snippets_are_escaped_and_marked() {
    let (index, _) = corpus_index();
    let mut tricky = practice(
        200,
        Language::Fr,
        "Atelier <b>cuisine</b> & langues",
        "Un atelier où l'on cuisine <script>alert(\"x\")</script> ensemble : la cuisine \
         rapproche les habitants & les nouveaux arrivants.",
    );
    tricky.fields.objectives = Some("Cuisiner < 10 € par personne.".into());
    index.upsert(&[tricky]).unwrap();
    let r = search(&index, "cuisine");
    let hit = r.hits.iter().find(|h| h.id == 200).expect("found");
    assert!(
        hit.snippet.contains("<mark>cuisine</mark>"),
        "{}",
        hit.snippet
    );
    assert!(hit.snippet.contains("&lt;script&gt;"), "{}", hit.snippet);
    assert!(hit.snippet.contains("&amp;"), "{}", hit.snippet);
    assert!(hit.snippet.contains("&lt; 10"), "{}", hit.snippet);
    assert!(!hit.snippet.contains("<script>"));
    let without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<'));
    // The title is data, not HTML: it comes back as written.
    assert_eq!(hit.title, "Atelier <b>cuisine</b> & langues");

    // An elided article stays outside the mark.
    let r = search(&index, "intégration");
    assert!(
        r.hits
            .iter()
            .any(|h| h.snippet.contains("l'<mark>intégration</mark>")),
        "{:?}",
        r.hits.iter().map(|h| &h.snippet).collect::<Vec<_>>()
    );
    // Without a query, the snippet is the beginning of the text.
    let listing = index.search(&SearchQuery::default()).unwrap();
    assert!(listing.hits.iter().all(|h| !h.snippet.contains("<mark>")));
    assert!(listing.hits[0].snippet.len() > 50);
}

#[test]
fn similar_practices() {
    let (index, p) = corpus_index();
    let wok = id_of(&p, "WOK");
    let similar = index.similar(wok, 5).unwrap();
    assert_eq!(similar.len(), 5);
    assert!(!ids(&similar).contains(&wok));
    // Few fiches speak of associations (8 of 37 others); most of WOK's neighbours do.
    let about_associations = similar
        .iter()
        .filter(|h| text_of(&p[(h.id - 1) as usize]).contains("associati"))
        .count();
    assert!(about_associations >= 3, "{similar:?}");
    for hit in &similar {
        let text = text_of(&p[(hit.id - 1) as usize]);
        assert!(
            text.contains("associati") || text.contains("integr"),
            "{} is about associations or integration",
            hit.title
        );
    }

    let ais = id_of(&p, "Agence Immobilière Sociale - AIS");
    let similar = index.similar(ais, 5).unwrap();
    assert!(!ids(&similar).contains(&ais));
    let top3: Vec<i64> = similar.iter().take(3).map(|h| h.id).collect();
    assert!(top3.contains(&id_of(&p, "HausCaRe")), "{top3:?}");
    assert!(top3.contains(&id_of(&p, "Neien Ufank")), "{top3:?}");
    assert!(similar.windows(2).all(|w| w[0].score >= w[1].score));

    // A SUD row finds rows of its theme.
    let sud_housing = p
        .iter()
        .find(|p| p.fields.title.starts_with("Le projet consiste à acheter"))
        .unwrap();
    let similar = index.similar(sud_housing.id, 3).unwrap();
    assert!(
        similar
            .iter()
            .any(|h| h.themes.contains(&"Logement social".to_string())),
        "{similar:?}"
    );

    assert!(index.similar(9999, 5).unwrap().is_empty());
    assert!(index.similar(wok, 0).unwrap().is_empty());
    assert_eq!(index.similar(wok, 2).unwrap().len(), 2);
}

/// Similar practices are kept until the index changes, and not a moment longer: a write that
/// changes the answer shows in the next call.
#[test]
fn similar_practices_follow_every_write() {
    let (index, p) = corpus_index();
    let ais = id_of(&p, "Agence Immobilière Sociale - AIS");
    let first = index.similar(ais, 5).unwrap();
    assert_eq!(
        ids(&index.similar(ais, 5).unwrap()),
        ids(&first),
        "asked again"
    );

    // The best neighbour goes: it is gone from the next answer.
    let best = first[0].id;
    index.remove(&[best]).unwrap();
    let after_remove = index.similar(ais, 5).unwrap();
    assert!(!ids(&after_remove).contains(&best), "{after_remove:?}");

    // It comes back with a new title: the next answer carries it.
    let mut back = p[(best - 1) as usize].clone();
    back.fields.title = format!("{} (nouvelle édition)", back.fields.title);
    index.upsert(&[back]).unwrap();
    let after_upsert = index.similar(ais, 5).unwrap();
    let hit = after_upsert.iter().find(|h| h.id == best).expect("back");
    assert!(hit.title.ends_with("(nouvelle édition)"), "{}", hit.title);

    // The practice asked about goes: nothing is like a practice the index does not hold.
    index.remove(&[ais]).unwrap();
    assert!(index.similar(ais, 5).unwrap().is_empty());
}

#[test]
fn upsert_replaces_and_remove_removes() {
    let (index, p) = corpus_index();
    assert_eq!(index.len().unwrap(), 38);
    let id = id_of(&p, "Equigaart");
    let mut changed = p[(id - 1) as usize].clone();
    changed.fields.title = "Jardin partagé Equigaart".into();
    changed.fields.objectives = None;
    changed.fields.description = Some("Potagers et compost pour tous les habitants.".into());
    changed.fields.results = None;
    changed.fields.place_periodicity = None;
    index.upsert(&[changed]).unwrap();
    assert_eq!(index.len().unwrap(), 38);
    let r = search(&index, "equigaart");
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].title, "Jardin partagé Equigaart");
    assert_eq!(search(&index, "compost").total, 1);
    // The old description is gone.
    assert_eq!(search(&index, "jardinage biologique").total, 0);

    // The same id twice in one batch: the last one wins.
    let mut a = p[0].clone();
    a.fields.title = "Première version".into();
    let mut b = p[0].clone();
    b.fields.title = "Seconde version".into();
    index.upsert(&[a, b]).unwrap();
    assert_eq!(index.len().unwrap(), 38);
    assert_eq!(search(&index, "version").hits[0].title, "Seconde version");

    index.remove(&[id, 9999]).unwrap();
    assert_eq!(index.len().unwrap(), 37);
    assert_eq!(search(&index, "equigaart").total, 0);
    assert_eq!(index.search(&SearchQuery::default()).unwrap().total, 37);
    index.remove(&[]).unwrap();
    index.upsert(&[]).unwrap();
    assert_eq!(index.len().unwrap(), 37);
}

#[test]
fn rebuild_replaces_everything_and_counts() {
    let index = TantivyIndex::in_memory().unwrap();
    let practices = corpus();
    let last = Cell::new(0);
    let calls = Cell::new(0);
    let progress = |n: u64| {
        assert!(n > last.get());
        last.set(n);
        calls.set(calls.get() + 1);
    };
    let n = index
        .rebuild(&mut practices.clone().into_iter().map(Ok), &progress)
        .unwrap();
    assert_eq!(n, 38);
    assert_eq!(last.get(), 38);
    assert_eq!(calls.get(), 38);
    assert_eq!(index.len().unwrap(), 38);

    let few: Vec<Practice> = practices.into_iter().take(5).collect();
    let n = index
        .rebuild(&mut few.into_iter().map(Ok), &|_| {})
        .unwrap();
    assert_eq!(n, 5);
    assert_eq!(index.len().unwrap(), 5);
    assert_eq!(search(&index, "equigaart").total, 0);
    assert_eq!(index.search(&SearchQuery::default()).unwrap().total, 5);

    // A source that fails midway (a store read) stops the rebuild: the five stay, whole.
    let mut failing = corpus()
        .into_iter()
        .take(20)
        .map(Ok)
        .chain(std::iter::once(Err(search::SearchError::Source(
            "the store went away".into(),
        ))));
    let err = index.rebuild(&mut failing, &|_| {}).unwrap_err();
    assert!(err.to_string().contains("the store went away"), "{err}");
    assert_eq!(index.len().unwrap(), 5);
    assert_eq!(index.search(&SearchQuery::default()).unwrap().total, 5);
}

#[test]
fn an_index_on_disk_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    {
        let index = TantivyIndex::open(&path).unwrap();
        assert_eq!(index.len().unwrap(), 0);
        let n = index
            .rebuild(&mut corpus().into_iter().map(Ok), &|_| {})
            .unwrap();
        assert_eq!(n, 38);
    }
    let index = TantivyIndex::open(&path).unwrap();
    assert_eq!(index.len().unwrap(), 38);
    assert_eq!(search(&index, "equigart").total, 1);
    // A second writer on the same directory is refused with a clear message.
    let other = TantivyIndex::open(&path).unwrap();
    index.remove(&[1]).unwrap();
    let err = other.remove(&[2]).unwrap_err().to_string();
    assert!(err.contains("lock") && err.contains("index"), "{err}");
}

#[test]
fn statuses_are_indexed_as_given() {
    let (index, p) = corpus_index();
    let before = index.search(&SearchQuery::default()).unwrap();
    assert_eq!(before.facets.statuses.get("draft"), None);
    let mut draft = p[3].clone();
    draft.id = 300;
    draft.status = Status::Draft;
    index.upsert(&[draft]).unwrap();
    // The counts of the whole index follow the change.
    let all = index.search(&SearchQuery::default()).unwrap();
    assert_eq!(all.total, 39);
    assert_eq!(all.facets.statuses.get("draft"), Some(&1));
    assert_eq!(all.facets.statuses.get("published"), Some(&38));
    let drafts = index
        .search(&SearchQuery {
            statuses: vec!["draft".into()],
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(top(&drafts, 5), vec![300]);
}

#[test]
fn results_serialise_with_the_documented_names() {
    let (index, _) = corpus_index();
    let r = search(&index, "café");
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["total"].as_u64().unwrap() >= 1);
    let hit = &json["hits"][0];
    for key in [
        "id",
        "slug",
        "title",
        "institution",
        "communes",
        "themes",
        "snippet",
        "score",
    ] {
        assert!(hit.get(key).is_some(), "hit has {key}");
    }
    for key in [
        "themes",
        "communes",
        "institutions",
        "target_publics",
        "sources",
        "statuses",
    ] {
        assert!(json["facets"][key].is_object(), "facets has {key}");
    }
}

#[test]
fn stop_words_alone_match_nothing_and_long_queries_are_cut() {
    let (index, p) = corpus_index();
    // Words that fold to nothing or are all stop words never match everything.
    for q in ["de la", "!!!", "\u{FFFD}"] {
        assert_eq!(search(&index, q).total, 0, "{q}");
    }
    // A pasted page: the first 32 words count, the rest is ignored.
    let words = format!("equigaart {}", "jardin ".repeat(5000));
    let r = search(&index, &words);
    assert_eq!(top(&r, 1), vec![id_of(&p, "Equigaart")]);
    let commune = search(&index, "commune");
    assert!(commune.total > 1, "{}", commune.total);
    let r = search(&index, "commune equigaart");
    assert_eq!(r.total, commune.total, "any word finds a fiche");
    assert_eq!(
        top(&r, 1),
        vec![id_of(&p, "Equigaart")],
        "every word ranks first"
    );
    let r = search(&index, &format!("{} equigaart", "commune ".repeat(40)));
    assert_eq!(r.total, commune.total, "the 41st word is not required");
}

#[test]
fn an_index_of_another_schema_is_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = tantivy::schema::Schema::builder();
    let title = builder.add_text_field("title", tantivy::schema::TEXT);
    let old = tantivy::Index::create_in_dir(dir.path(), builder.build()).unwrap();
    let mut writer: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(title => "une ancienne fiche"))
        .unwrap();
    writer.commit().unwrap();
    drop(writer);

    let index = TantivyIndex::open(dir.path()).unwrap();
    assert_eq!(index.len().unwrap(), 0, "the caller sees it must rebuild");
    assert!(index.is_empty().unwrap());
    index.upsert(&corpus()[..3]).unwrap();
    assert_eq!(index.len().unwrap(), 3);
}

fn concept_index() -> (TantivyIndex, Vec<Practice>) {
    let practices = corpus();
    let index = TantivyIndex::in_memory()
        .unwrap()
        .with_concepts(ingest::concepts::bundled());
    index.upsert(&practices).unwrap();
    (index, practices)
}

#[test]
fn words_of_other_languages_find_french_fiches_through_concepts() {
    let (index, p) = concept_index();
    let luxembourgish = id_of(&p, "apprentissage de la langue luxembourgeoise");
    for q in ["Sprachkurs", "Sproochecours", "language course"] {
        let r = search(&index, q);
        assert!(
            top(&r, 3).contains(&luxembourgish),
            "{q}: {:?}",
            r.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
        );
        assert!(
            r.expansions.iter().any(|e| e.words.eq_ignore_ascii_case(q)
                && e.labels.get("fr").is_some_and(|l| !l.is_empty())),
            "{q}: {:?}",
            r.expansions
        );
    }
    // Without the scheme, the German word finds nothing.
    let (plain, _) = corpus_index();
    assert_eq!(search(&plain, "Sprachkurs").total, 0);
    assert!(search(&plain, "Sprachkurs").expansions.is_empty());
}

#[test]
fn an_expanded_match_never_outranks_the_words_typed() {
    let index = TantivyIndex::in_memory()
        .unwrap()
        .with_concepts(ingest::concepts::bundled());
    index
        .upsert(&[
            practice(
                1,
                Language::Fr,
                "Soirées du quartier",
                "Un apprentissage de la langue pour les nouveaux habitants.",
            ),
            practice(
                2,
                Language::Fr,
                "Soirées du quartier",
                "Un cours de langue pour les nouveaux habitants.",
            ),
        ])
        .unwrap();
    let r = search(&index, "cours de langue");
    assert_eq!(top(&r, 2), vec![2, 1], "{:?}", r.hits);
    assert!(r.hits[0].score > r.hits[1].score);
    let r = search(&index, "apprentissage de la langue");
    assert_eq!(top(&r, 2), vec![1, 2]);
}

/// The concepts of a text are remembered per scheme: an editor's new version tags the same
/// text anew at once.
#[test]
fn a_new_scheme_tags_a_known_text_anew() {
    let index = TantivyIndex::in_memory()
        .unwrap()
        .with_concepts(ingest::concepts::bundled());
    let text = "Kwetschentaart mat den Noperen";
    assert!(index.concepts_of(text).is_empty());
    assert!(index.concepts_of(text).is_empty(), "asked again");
    // A new version names the word a label of a concept.
    let mut tsv = ingest::concepts::to_tsv(&ingest::concepts::bundled());
    let line = tsv
        .lines()
        .find(|l| l.starts_with("neighbourhood-meeting\t"))
        .map(str::to_string);
    let Some(line) = line else {
        panic!("the bundled scheme has a neighbourhood concept");
    };
    let id = line.split('\t').next().unwrap().to_string();
    let mut cells: Vec<String> = line.split('\t').map(str::to_string).collect();
    // alt_lb: the third column from the end (… pref_lb alt_lb pref_en alt_en).
    let alt_lb = cells.len() - 3;
    cells[alt_lb] = format!("{}|Kwetschentaart", cells[alt_lb]);
    tsv = tsv.replace(&line, &cells.join("\t"));
    index.set_concepts(ingest::concepts::parse_tsv("v2.tsv", tsv.as_bytes(), 2).unwrap());
    let tags = index.concepts_of(text);
    assert!(tags.iter().any(|t| t.concept == id), "{tags:?}");
}

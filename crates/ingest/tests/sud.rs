//! The Good Practices SUD table: every row pinned, and odd tables handled.

use domain::{Batch, Format, Language, Status};
use ingest::sud;
use pretty_assertions::assert_eq;

const DOC: &str = "good-practices-sud-2016.txt";

fn corpus() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/corpus/good-practices-sud-2016.txt"
    ))
    .unwrap()
}

fn sud_2016() -> Batch {
    sud::parse(DOC, &corpus()).unwrap()
}

/// Every row: commune, themes, truncated, first line (commune cell), last line (closing `|`).
const ROWS: [(&str, &[&str], bool, u32, u32); 14] = [
    ("Mondercange", &["Logement social"], true, 10, 14),
    ("Mondercange", &["Sport"], false, 15, 18),
    ("Dudelange", &["Action sociale"], false, 19, 22),
    ("Dudelange", &["Langues"], true, 23, 27),
    ("Dudelange", &["Politique"], true, 28, 32),
    ("Bettembourg", &["Langues"], true, 33, 37),
    ("Rumelange", &["Logement social"], true, 38, 42),
    ("Rumelange", &["Enseignement"], true, 43, 47),
    ("Sanem", &["Social"], true, 48, 52),
    ("Differdange", &["Social", "Intégration"], true, 53, 58),
    ("Differdange", &["Social", "Intégration"], true, 59, 63),
    (
        "Schifflange",
        &["Mobilité", "Logement social", "Energie environnement"],
        true,
        64,
        68,
    ),
    ("Esch-sur-Alzette", &["Nouvelle technologie"], false, 69, 72),
    ("Pétange", &["Gestion administrative"], false, 73, 76),
];

#[test]
fn every_row_is_one_practice() {
    let batch = sud_2016();
    assert_eq!(batch.format, Format::Sud);
    assert_eq!(batch.practices.len(), 14);
    for (p, (commune, themes, truncated, first, last)) in batch.practices.iter().zip(ROWS) {
        let context = format!("row at line {first}");
        assert_eq!(p.fields.communes, [commune], "{context}");
        assert_eq!(p.fields.themes, themes, "{context}");
        let source = &p.sources[..];
        assert_eq!(source.len(), 1, "{context}");
        assert_eq!(source[0].document, DOC, "{context}");
        assert_eq!(
            (source[0].first_line, source[0].last_line),
            (first, last),
            "{context}"
        );
        assert_eq!(source[0].truncated, truncated, "{context}");
        // The table prints no institution and no other section: none is invented.
        let f = &p.fields;
        assert_eq!(f.institution, None, "{context}");
        for section in [
            &f.subtitle,
            &f.organisers,
            &f.objectives,
            &f.results,
            &f.target_public,
        ]
        .into_iter()
        .chain([&f.place_periodicity, &f.costs, &f.other_info])
        {
            assert_eq!(section, &None, "{context}");
        }
        assert!(f.contacts.is_empty() && f.websites.is_empty(), "{context}");
        assert_eq!(
            (p.status, p.language, p.id),
            (Status::Published, Language::Fr, None)
        );
        let description = f.description.as_deref().unwrap();
        assert!(
            description.starts_with(f.title.trim_end_matches('…')),
            "{context}: {}",
            f.title
        );
    }
}

#[test]
fn mondercange_rows() {
    let batch = sud_2016();
    let cut = &batch.practices[0].fields;
    // A cut cell keeps its cut text, with nothing added.
    assert_eq!(
        cut.title,
        "Projet de construction novateur d'une structure d'habitations à"
    );
    assert_eq!(
        cut.description.as_deref(),
        Some("Projet de construction novateur d'une structure d'habitations à")
    );

    let sport = &batch.practices[1].fields;
    // The first sentence is 140 characters: cut at a word, at most 100, then "…".
    assert_eq!(
        sport.title,
        "Organisation d'entraînements toutes diciplines sportives confondues pendant l'heure de midi en…"
    );
    assert!(sport.title.chars().count() <= 101);
    let description = sport.description.as_deref().unwrap();
    assert!(description.starts_with("Organisation d'entraînements toutes diciplines"));
    assert!(
        description.ends_with("tout en épargnant pour construire leur futur."),
        "{description}"
    );
}

#[test]
fn differdange_rows() {
    let batch = sud_2016();
    let first = &batch.practices[9];
    assert_eq!(
        first.fields.title,
        "La Ville de Differdange a réalisé ou est en phase de réaliser de nombreux"
    );
    // Themes printed `Social - Intégration` on a line cut before its ` |`.
    assert_eq!(first.fields.themes, ["Social", "Intégration"]);
    let second = &batch.practices[10];
    assert_eq!(
        second.fields.title,
        "Un espace de rencontre pour les associations a ouvert ses portes en 2015"
    );
    // Printed `Social, Intégration`.
    assert_eq!(second.fields.themes, ["Social", "Intégration"]);
    assert_ne!(first.fields.identity_key(), second.fields.identity_key());
}

#[test]
fn schifflange_row() {
    let p = &sud_2016().practices[11];
    assert_eq!(p.fields.communes, ["Schifflange"]);
    assert_eq!(
        p.fields.themes,
        ["Mobilité", "Logement social", "Energie environnement"]
    );
    assert_eq!(
        p.fields.title,
        "Depuis une quinzaine d'années, la commune a lancé beaucoup d'actions en"
    );
    assert!(p.sources[0].truncated);
}

#[test]
fn esch_title_is_cut_and_description_whole() {
    let p = &sud_2016().practices[12];
    assert_eq!(
        p.fields.title,
        "Depuis près de 8 ans, la Ville d'Esch-suur-Alzette en collaboration avec la société HitCity a mis en…"
    );
    assert_eq!(
        p.fields.description.as_deref(),
        Some(
            "Depuis près de 8 ans, la Ville d'Esch-suur-Alzette en collaboration avec la société \
             HitCity a mis en place un système urbain WIFI couvrant les lieux publics fortement fréquentés."
        )
    );
}

#[test]
fn the_preamble_is_one_warning() {
    let batch = sud_2016();
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 1);
    assert!(
        batch.warnings[0].message.starts_with("lines 1–5: preamble"),
        "{}",
        batch.warnings[0].message
    );
}

#[test]
fn detection_and_dispatch_reach_this_parser() {
    let batch = ingest::parse(DOC, corpus().as_bytes(), None).unwrap();
    assert_eq!(batch, sud_2016());
}

const HEADER: &str = "COMMUNES |\nGOOD PRACTICES |\nTHEMES |\n|\n";

#[test]
fn a_row_without_themes_is_kept_with_a_warning() {
    let text = format!(
        "{HEADER}Sanem |\nUn projet. Et la suite. |\n|\nDudelange |\nAutre |\nSport |\n|\n"
    );
    let batch = sud::parse("t.txt", &text).unwrap();
    assert_eq!(batch.practices.len(), 2);
    assert_eq!(batch.practices[0].fields.title, "Un projet");
    assert!(batch.practices[0].fields.themes.is_empty());
    assert!(!batch.practices[0].sources[0].truncated);
    assert_eq!(
        (
            batch.practices[0].sources[0].first_line,
            batch.practices[0].sources[0].last_line
        ),
        (5, 7)
    );
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 5);
    assert!(
        batch.warnings[0].message.contains("no themes"),
        "{}",
        batch.warnings[0].message
    );
}

#[test]
fn communes_take_their_registry_spelling() {
    let text = format!(
        "{HEADER}Esch/Alzette |\nUn projet |\nSocial |\n|\nAtlantis |\nAutre |\nSport |\n|\n"
    );
    let batch = sud::parse("t.txt", &text).unwrap();
    assert_eq!(batch.practices[0].fields.communes, ["Esch-sur-Alzette"]);
    assert_eq!(batch.practices[1].fields.communes, ["Atlantis"]);
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 9);
    assert!(
        batch.warnings[0]
            .message
            .contains("`Atlantis` is not in the registry"),
        "{:?}",
        batch.warnings
    );
}

#[test]
fn blank_lines_inside_the_table_are_one_warning() {
    let text = format!("{HEADER}\nSanem |\n\nUn projet |\nSocial |\n|\n\n\n");
    let batch = sud::parse("t.txt", &text).unwrap();
    assert_eq!(batch.practices.len(), 1);
    assert_eq!(batch.practices[0].fields.communes, ["Sanem"]);
    assert_eq!(
        (
            batch.practices[0].sources[0].first_line,
            batch.practices[0].sources[0].last_line
        ),
        (6, 10)
    );
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 5);
    assert!(
        batch.warnings[0].message.contains("lines 5, 7"),
        "{}",
        batch.warnings[0].message
    );
}

#[test]
fn a_multi_line_cell_is_not_a_cut() {
    let text = format!("{HEADER}Sanem |\npremière ligne\nseconde ligne |\nSocial |\n|\n");
    let p = &sud::parse("t.txt", &text).unwrap().practices[0];
    assert_eq!(
        p.fields.description.as_deref(),
        Some("première ligne\nseconde ligne")
    );
    assert_eq!(p.fields.title, "première ligne seconde ligne");
    assert!(!p.sources[0].truncated);
}

#[test]
fn unreadable_tables_are_refused_with_line_and_expectation() {
    let e = sud::parse("t.txt", "Good Practices SUD\nrien ici\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("COMMUNES |"), "{e}");

    let e = sud::parse("t.txt", &format!("{HEADER}Sanem |\n|\n")).unwrap_err();
    assert_eq!(e.line, 5);
    assert!(
        e.message.contains("one cell `Sanem`") && e.message.contains("expected a row"),
        "{e}"
    );

    // A missing closing `|` runs two rows together.
    let text =
        format!("{HEADER}Sanem |\nUn projet |\nSocial |\nDudelange |\nAutre |\nSport |\n|\n");
    let e = sud::parse("t.txt", &text).unwrap_err();
    assert_eq!(e.line, 5);
    assert!(
        e.message.contains("6 cells") && e.message.contains("closing `|`"),
        "{e}"
    );
    assert!(e.to_string().starts_with("t.txt:5: "), "{e}");
}

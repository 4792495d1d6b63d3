//! What every importer shares: field limits (those of the web forms and the API, from
//! `domain::limits`), control characters, and files cut short in the formats that are not
//! in the corpus.

use domain::Format;
use domain::limits;
use ingest::{ErrorKind, Options};

const FICHE_HEAD: &str = "2^{èmes} Assises nationales de l'intégration au niveau local\n\n\
                          Titre de la fiche\n\nInstitution Commune de Mamer\n\nObjectifs\n\n";
const FICHE_TAIL: &str = "\n\nContact\n\nAnne Schmit\nTél : 31 00 31\n";

#[test]
fn a_line_longer_than_any_field_is_refused_before_parsing() {
    // The forced import of one huge line, at a size a test can afford.
    let line = "x".repeat(2_000_000);
    let e = ingest::parse("huge.txt", line.as_bytes(), Some(Format::Assises)).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::TooLong, 1));
    assert!(e.message.contains("2000000 characters"), "{e}");
    assert!(e.message.contains(&limits::LINE.to_string()), "{e}");
}

#[test]
fn a_fiche_over_a_field_limit_is_refused_with_its_line() {
    // Each line fits, the section does not.
    let paragraph = format!("{}.\n", "mot ".repeat(3_000).trim_end());
    let text = format!("{FICHE_HEAD}{}{FICHE_TAIL}", paragraph.repeat(2));
    let e = ingest::parse("long.txt", text.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::TooLong, 1), "{e}");
    assert!(
        e.message.contains("«Titre de la fiche»") && e.message.contains("field `objectives`"),
        "{e}"
    );
    assert!(e.message.contains("at most 20000"), "{e}");
    // At the limit it is accepted.
    let exact = format!("{}.", "m".repeat(limits::TEXT - 1));
    let text = format!("{FICHE_HEAD}{exact}{FICHE_TAIL}");
    let batch = ingest::parse("exact.txt", text.as_bytes(), None).unwrap();
    assert_eq!(
        batch.practices[0]
            .fields
            .objectives
            .as_deref()
            .map(|s| s.chars().count()),
        Some(limits::TEXT)
    );

    let title = "T".repeat(limits::TITLE + 1);
    let text = FICHE_HEAD.replace("Titre de la fiche", &title) + "Objectif." + FICHE_TAIL;
    let e = ingest::parse("title.txt", text.as_bytes(), None).unwrap_err();
    assert!(
        e.message.contains("field `title` has 301 characters"),
        "{e}"
    );
}

#[test]
fn rows_and_records_over_a_limit_are_refused_with_their_line() {
    let long = "a".repeat(limits::CRITERION_TEXT + 1);
    let text = format!(
        "Crit ID | Plate-forme | Nom du groupe homogène | Questions | Post-it |\n\
         1 | P | G | WB | court |\n2 | P | G | WB | {long} |\n"
    );
    let e = ingest::parse("c.txt", text.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::TooLong, 3), "{e}");
    assert!(e.message.contains("criterion 2: field `text`"), "{e}");

    let cell = "b ".repeat(8_000);
    let text = format!(
        "COMMUNES |\nGOOD PRACTICES |\nTHEMES |\n|\nSanem |\nUn projet. |\nSocial |\n|\n\
         Dudelange |\n{cell}\n{cell}|\nSport |\n|\n"
    );
    let e = ingest::parse("sud.txt", text.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::TooLong, 9), "{e}");
    assert!(e.message.contains("`Dudelange`"), "{e}");

    let text = format!("title,description\ncourt,x\n{},y\n", "t".repeat(301));
    let e = ingest::parse("p.csv", text.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::TooLong, 3), "{e}");

    let text = format!(
        "{{\"practices\": [\n{{\"title\": \"court\"}},\n{{\"title\": \"{}\"}}\n]}}\n",
        "t".repeat(301)
    );
    let e = ingest::parse("p.json", text.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::TooLong, 3), "{e}");
    assert!(
        e.message.contains("field `title` has 301 characters"),
        "{e}"
    );
}

#[test]
fn control_characters_are_removed_with_a_warning_naming_their_lines() {
    let text = format!(
        "{}Objectif\u{7} de la fiche.\u{1d}{FICHE_TAIL}",
        FICHE_HEAD.replace("Titre de la fiche", "Titre\u{1d} de la fiche")
    );
    let batch = ingest::parse("ctl.txt", text.as_bytes(), None).unwrap();
    let f = &batch.practices[0].fields;
    assert_eq!(f.title, "Titre de la fiche");
    assert_eq!(f.objectives.as_deref(), Some("Objectif de la fiche."));
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 3);
    assert!(
        batch.warnings[0]
            .message
            .contains("3 control characters (U+001D, U+0007) on lines 3, 9"),
        "{}",
        batch.warnings[0].message
    );

    let json = "{\"practices\": [\n{\"title\": \"a\\u0007b\", \"description\": \"x\\ty\"}\n]}";
    let batch = ingest::parse("ctl.json", json.as_bytes(), None).unwrap();
    assert_eq!(batch.practices[0].fields.title, "ab");
    assert_eq!(
        batch.practices[0].fields.description.as_deref(),
        Some("x\ty")
    );
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 2);
}

#[test]
fn cut_json_and_csv_are_refused_as_cut() {
    let json = "{\"practices\": [\n{\"title\": \"a\"},\n{\"title\": \"Les frais d'";
    let e = ingest::parse("p.json", json.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::Cut, 3), "{e}");

    let csv = "title,description,costs\nUn,deux,trois\nQuatre,cinq";
    let e = ingest::parse("p.csv", csv.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::Cut, 3), "{e}");
    let accepted = ingest::parse_with(
        "p.csv",
        csv.as_bytes(),
        Options {
            format: None,
            accept_cut: true,
        },
    )
    .unwrap();
    assert_eq!(accepted.batch.practices.len(), 2);

    let csv = "title,description\nUn,\"deux\nlignes";
    let e = ingest::parse("p.csv", csv.as_bytes(), None).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::Cut, 3), "{e}");

    // A whole file without a final line break is not cut.
    let csv = "title,description\nUn,deux";
    assert!(ingest::parse("p.csv", csv.as_bytes(), None).is_ok());
}

#[test]
fn cut_fiches_are_refused_with_their_last_line() {
    // Stopped right after a heading, or before the contact section.
    for (text, what) in [
        (
            format!("{FICHE_HEAD}Objectif.\n\nCoûts éventuels\n"),
            "heading «Coûts éventuels»",
        ),
        (
            format!("{FICHE_HEAD}Objectif.\n"),
            "before its contact section",
        ),
    ] {
        let e = ingest::parse("cut.txt", text.as_bytes(), None).unwrap_err();
        assert!(e.is_cut() && e.message.contains(what), "{what}: {e}");
        assert_eq!(e.line, text.trim_end().lines().count() as u32, "{e}");
    }
}

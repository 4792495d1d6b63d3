//! The bundled SPIRAL reference data, and a coordinator's codebook import.

use ingest::reference::{self, BUNDLED_VERSION};
use pretty_assertions::assert_eq;

#[test]
fn bundled_codebook_has_nine_dimensions() {
    let r = reference::bundled();
    assert_eq!(r.codebook.version, BUNDLED_VERSION);
    let dimensions: Vec<&str> = r
        .codebook
        .entries
        .iter()
        .filter(|e| e.level == "dimension")
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(dimensions, ["A", "B", "C", "D", "E", "F", "G", "H", "I"]);
    assert_eq!(r.codebook.entries.len(), 37);
    for e in &r.codebook.entries {
        assert_eq!(e.dimension, &e.code[..1], "{}", e.code);
    }
}

#[test]
fn labels_are_never_invented() {
    let r = reference::bundled();
    let a08 = r.codebook.get("A08").unwrap();
    assert_eq!(
        (a08.label_en.as_deref(), a08.label_fr.as_deref()),
        (None, None)
    );
    assert_eq!(a08.description_en, None);
    assert_eq!(a08.status, "code-only");
    assert_eq!(
        a08.source.as_deref(),
        Some("seen in criteria data (Blégny)")
    );

    let a01 = r.codebook.get("A01").unwrap();
    assert_eq!(a01.label_en.as_deref(), Some("Food / drink"));
    assert_eq!(a01.label_fr.as_deref(), Some("Alimentation"));
    assert_eq!(a01.level, "component");
    assert_eq!(a01.status, "verified");

    let i = r.codebook.get("I").unwrap();
    assert_eq!((i.label_en.as_deref(), i.label_fr.as_deref()), (None, None));
    assert_eq!(i.level, "dimension");
    assert_eq!(i.status, "code-only");

    // A dimension row with a label and an empty description keeps the description absent.
    let a = r.codebook.get("A").unwrap();
    assert_eq!(a.label_fr.as_deref(), Some("Accès aux moyens de vie"));
    assert_eq!(a.description_en, None);
}

#[test]
fn bundled_meanings_questions_and_scale() {
    let r = reference::bundled();
    let meanings: Vec<(&str, Option<u32>)> = r
        .meanings
        .iter()
        .map(|m| (m.code.as_str(), m.step))
        .collect();
    assert_eq!(
        meanings,
        [
            ("P", Some(1)),
            ("O", Some(2)),
            ("Q", Some(3)),
            ("S", Some(4)),
            ("R", None)
        ]
    );
    assert_eq!(r.meanings[4].label_fr.as_deref(), Some("Opposition"));

    let questions: Vec<(&str, &str)> = r
        .questions
        .iter()
        .map(|q| (q.code.as_str(), q.kind.as_str()))
        .collect();
    assert_eq!(
        questions,
        [("WB", "criterion"), ("IB", "criterion"), ("ACT", "action")]
    );
    assert_eq!(
        r.questions[0].wording_fr,
        "Qu'est-ce que le bien-être pour vous ?"
    );
    assert_eq!(reference::bundled_question_codes(), ["WB", "IB", "ACT"]);

    let scale: Vec<(u32, &str)> = r
        .scale
        .iter()
        .map(|s| (s.level, s.label_en.as_str()))
        .collect();
    assert_eq!(
        scale,
        [
            (1, "Very unsatisfactory"),
            (2, "Unsatisfactory"),
            (3, "Average"),
            (4, "Good"),
            (5, "Ideal")
        ]
    );
}

#[test]
fn a_coordinators_csv_codebook_is_header_mapped() {
    // Columns in another order, `;`-separated, a BOM, no status column, an empty label.
    let csv = "\u{feff}label_fr;code;dimension;level;label_en\n\
               Accès aux moyens de vie;A;A;dimension;Access to essential resources\n\
               ;A08;A;component;\n\
               \"Alimentation; boissons\";A01;A;component;Food / drink\n";
    let book = reference::parse_codebook("officiel.csv", "2024", csv).unwrap();
    assert_eq!(book.version, "2024");
    let rows: Vec<(&str, Option<&str>, Option<&str>, &str)> = book
        .entries
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.label_en.as_deref(),
                e.label_fr.as_deref(),
                e.status.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "A",
                Some("Access to essential resources"),
                Some("Accès aux moyens de vie"),
                "imported"
            ),
            ("A08", None, None, "code-only"),
            (
                "A01",
                Some("Food / drink"),
                Some("Alimentation; boissons"),
                "imported"
            ),
        ]
    );
}

#[test]
fn a_tsv_codebook_reads_like_the_bundled_one() {
    let tsv =
        "code\tlevel\tdimension\tlabel_en\tstatus\nB\tdimension\tB\tLiving environment\tverified\n";
    let book = reference::parse_codebook("b.tsv", "v", tsv).unwrap();
    assert_eq!(
        book.entries[0].label_en.as_deref(),
        Some("Living environment")
    );
    assert_eq!(book.entries[0].label_fr, None);
    assert_eq!(book.entries[0].status, "verified");
}

#[test]
fn bad_codebooks_are_refused_with_line_and_column() {
    let e = reference::parse_codebook("c.csv", "v", "code,label_en\nA01,Food\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("`level`, `dimension`"), "{e}");
    assert!(
        e.message
            .contains("expected a header with code, level, dimension"),
        "{e}"
    );

    let e = reference::parse_codebook(
        "c.csv",
        "v",
        "code,level,dimension\nA,dimension,A\nA1,component,A\n",
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(
        e.message.contains("column `code`") && e.message.contains("`A1`"),
        "{e}"
    );

    let e = reference::parse_codebook("c.csv", "v", "code,level,dimension\nA01,component,B\n")
        .unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("column `dimension`"), "{e}");

    let e = reference::parse_codebook("c.csv", "v", "code,level,dimension\nA01,famille,A\n")
        .unwrap_err();
    assert!(
        e.message
            .contains("found `famille`: expected `dimension` or `component`"),
        "{e}"
    );

    let e = reference::parse_codebook(
        "c.csv",
        "v",
        "code,level,dimension\nA,dimension,A\n\nA,dimension,A\n",
    )
    .unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.message.contains("second time"), "{e}");

    let e = reference::parse_codebook("c.csv", "v", "").unwrap_err();
    assert!(e.message.contains("empty file"), "{e}");
}

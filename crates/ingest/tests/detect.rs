//! Format detection looks at the content, never at the file name.

use domain::Format;
use ingest::detect::detect;

fn corpus(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../data/corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_corpus_files_are_recognised() {
    for (name, format) in [
        ("assises-2-fiches.txt", Format::Assises),
        ("assises-2-wok-differdange.md", Format::Assises),
        ("good-practices-sud-2016.txt", Format::Sud),
        ("spiral-blegny.txt", Format::SpiralCriteria),
    ] {
        // A misleading name changes nothing.
        assert_eq!(
            detect("export.json", &corpus(name)).unwrap(),
            format,
            "{name}"
        );
    }
}

#[test]
fn own_formats_are_recognised() {
    assert_eq!(
        detect("a.txt", "\n  {\"practices\": []}").unwrap(),
        Format::Json
    );
    assert_eq!(detect("a.txt", "[]").unwrap(), Format::Json);
    assert_eq!(
        detect("a.txt", "\u{feff}id,slug,title\n1,a,A\n").unwrap(),
        Format::Csv
    );
    assert_eq!(
        detect("a.txt", "Title;Communes\nA;B\n").unwrap(),
        Format::Csv
    );
    assert_eq!(
        detect("a.txt", "\"platform\";\"group\";\"question\";\"text\"\n").unwrap(),
        Format::Csv
    );
}

#[test]
fn markers_are_found_anywhere_in_the_content() {
    let spiral = "Liste des groupes homogènes\nNom du groupe | Plate-forme | Langue | Créé le |\n";
    assert_eq!(detect("x", spiral).unwrap(), Format::SpiralCriteria);
    let sud = "Intro\nCOMMUNES |\nGOOD PRACTICES |\nTHEMES |\n|\n";
    assert_eq!(detect("x", sud).unwrap(), Format::Sud);
    // A fiche without its page header: two section headings are enough.
    let fiche = "Un projet\n\n### **Public cible du projet**\n\nTous\n\nCoûts éventuels\n\naucun\n";
    assert_eq!(detect("x", fiche).unwrap(), Format::Assises);
    let markdown_header =
        "## 2<sup>èmes</sup> Assises nationales de l'intégration au niveau local\n";
    assert_eq!(detect("x", markdown_header).unwrap(), Format::Assises);
}

#[test]
fn prose_is_refused_on_line_1() {
    for text in [
        "Bonjour,\n\nvoici nos objectifs pour l'année, et le public cible du projet est large.\n",
        "title, and then a sentence about it\n",
        "Objectifs\n\nUn seul intertitre ne fait pas une fiche.\n",
    ] {
        let e = detect("lettre.txt", text).unwrap_err();
        assert_eq!(e.line, 1, "{text}");
        assert!(
            e.message.starts_with(
                "no recognisable record: expected one of assises, sud, spiral-criteria, csv, json"
            ),
            "{e}"
        );
        assert!(e.message.contains("found `"), "{e}");
        assert!(
            e.to_string()
                .starts_with("lettre.txt:1: no recognisable record"),
            "{e}"
        );
    }
    let e = detect("vide.txt", "\n  \n").unwrap_err();
    assert!(e.message.contains("found an empty file"), "{e}");
}

#[test]
fn parse_refuses_junk_before_any_parser_runs() {
    let e = ingest::parse("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("image.png", 3));
    assert!(
        e.message.contains("NUL byte") && e.message.contains("expected UTF-8 text"),
        "{e}"
    );

    let e = ingest::parse("latin1.txt", b"Caf\xe9 des langues\n", None).unwrap_err();
    assert!(e.message.contains("invalid UTF-8"), "{e}");

    let e = ingest::parse(
        "prose.txt",
        "Il était une fois une commune.\n".as_bytes(),
        None,
    )
    .unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.starts_with("no recognisable record"), "{e}");

    // A forced format reads the file as that format, whatever the content.
    let e = ingest::parse(
        "prose.txt",
        "Il était une fois.\n".as_bytes(),
        Some(Format::Sud),
    )
    .unwrap_err();
    assert!(e.message.contains("COMMUNES |"), "{e}");
}

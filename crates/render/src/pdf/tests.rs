//! The PDFs read back with poppler's `pdftotext` (scripts/pdf-tools.sh installs it): what a
//! reader would find in them, and where.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use domain::synthesis::{Synthesis, SynthesisRow};
use domain::{Contact, Language, Practice, PracticeFields, Status};

use super::*;

/// The practices of the demo corpus, as the store would hold them: one per identity key (the
/// WOK fiche of the booklet and its markdown copy are one), numbered in source order.
pub(crate) fn corpus() -> Vec<FicheData> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for name in [
        "assises-2-fiches.txt",
        "assises-2-wok-differdange.md",
        "good-practices-sud-2016.txt",
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("corpus file");
        let batch = ingest::parse(name, &bytes, None).expect("corpus parses");
        for r in batch.practices {
            if !seen.insert(r.fields.identity_key()) {
                continue;
            }
            out.push(FicheData::from(Practice {
                id: out.len() as i64 + 1,
                slug: r.fields.slug(),
                fields: r.fields,
                sources: r.sources,
                status: r.status,
                language: r.language,
                created_at: now,
                updated_at: now,
            }));
        }
    }
    assert!(out.len() > 10, "the corpus has its practices");
    out
}

pub(crate) const LONG_URL: &str = "https://www.example-commune.lu/fr/vivre-ensemble/integration/projets-participatifs/2026/rencontres-interculturelles-du-quartier-nord-et-sud?utm_source=livret";
const LONG_EMAIL: &str =
    "coordination.integration.vivre-ensemble.quartiers@administration-communale-example.lu";

/// A practice with every section, the characters a French, German and Luxembourgish text
/// needs, contacts, a long web address and e-mail, and typst markup that must stay text.
pub(crate) fn synthetic(id: i64) -> FicheData {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let fields = PracticeFields {
        title: "Fête des voisins « Zesummen an der Stroos » — Straßenfest".into(),
        subtitle: Some("Œuvrer ensemble : l’accueil des nouveaux résidents".into()),
        institution: Some("Commune de Käerjeng".into()),
        organisers: Some("Commission consultative d’intégration".into()),
        communes: vec!["Käerjeng".into()],
        themes: vec!["Vivre ensemble".into(), "Accueil".into()],
        objectives: Some("Créer des liens entre voisins; Mëttegiessen fir jiddereen.".into()),
        description: Some(
            "#set page(width: 1pt) *pas gras* $x^2$ <etiquette> @ref\n\nUne fête par quartier, \
             préparée avec les associations.\nDeuxième ligne du même paragraphe."
                .into(),
        ),
        results: Some(String::new()),
        target_public: Some("Tous les résidents".into()),
        place_periodicity: Some("Place de l’Église, chaque année en juin".into()),
        costs: Some("1 500 € (buffet, location de tables)".into()),
        other_info: Some(format!("Programme détaillé : {LONG_URL}")),
        contacts: vec![Contact {
            name: Some("Anne Schröder-Weiß".into()),
            role: Some("Déléguée à l’intégration".into()),
            organisation: Some("Administration communale".into()),
            address: Some("1, rue de l’Église, L-4901 Bascharage".into()),
            phones: vec!["+352 50 05 52-1".into()],
            emails: vec![LONG_EMAIL.into()],
        }],
        websites: vec![LONG_URL.into(), "www.kaerjeng.lu".into()],
        spiral_components: vec!["D00".into(), "A01".into()],
    };
    FicheData {
        practice: Practice {
            id,
            slug: fields.slug(),
            fields,
            sources: Vec::new(),
            status: Status::Published,
            language: Language::Fr,
            created_at: now,
            updated_at: now,
        },
        attachments: vec!["programme-fete-des-voisins-2026.pdf".into()],
    }
}

fn options() -> BookletOptions {
    BookletOptions {
        lang: "fr".into(),
        generated: "2026-11-01".into(),
        filters: Vec::new(),
    }
}

fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let out = Command::new(name)
        .args(args)
        .arg(&file)
        .args(if name == "pdftotext" { &["-"][..] } else { &[] })
        .output()
        .unwrap_or_else(|e| {
            panic!("{name} is missing ({e}): run scripts/test.sh, or apt-get install poppler-utils")
        });
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// The text of each page (pdftotext separates pages with form feeds), without the zero-width
/// break opportunities, with whitespace folded.
fn pages(pdf: &[u8]) -> Vec<String> {
    tool("pdftotext", &["-enc", "UTF-8"], pdf)
        .split('\u{c}')
        .map(fold)
        .collect()
}

fn fold(s: &str) -> String {
    s.replace('\u{200B}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text without whitespace, hyphens and break opportunities: pdftotext joins a word broken at a
/// line end (dropping its hyphen), and an address broken after a `/` gains a space. A space
/// after a digit stays, so that a page number does not run into the next title.
fn squash(s: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in s.chars() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if matches!(c, '-' | '\u{AD}' | '\u{200B}') {
            continue;
        }
        if gap && out.ends_with(|d: char| d.is_ascii_digit()) {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

#[test]
fn the_booklet_of_the_corpus_has_every_title_contents_and_right_page_numbers() {
    let mut practices = corpus();
    practices.push(synthetic(1000));
    let pdf = booklet(&practices, &options()).expect("booklet");
    assert!(pdf.starts_with(b"%PDF-"));
    // To look at the pages (pdftoppm), set ZESUMMEN_PDF_DUMP to a directory.
    if let Some(dir) = std::env::var_os("ZESUMMEN_PDF_DUMP") {
        std::fs::write(Path::new(&dir).join("booklet.pdf"), &pdf).expect("dump");
    }
    let pages = pages(&pdf);
    let all = pages.join(" ");
    assert!(pages[0].contains("Bonnes pratiques d'intégration locale"));
    assert!(pages[0].contains(&format!("{} pratiques", practices.len())));
    assert!(pages[0].contains("Toutes les pratiques publiées"));
    assert!(pages[0].contains("Généré le 2026-11-01"));
    for heading in ["Sommaire", "Par thème", "Par commune", "Index des communes"] {
        assert!(all.contains(heading), "{heading} missing");
    }
    // The contents: each title followed (after dot leaders) by the number of the page where
    // that fiche starts, and that page shows the title.
    let contents_end = pages
        .iter()
        .position(|p| p.contains("Commune / institution"))
        .expect("a fiche page");
    let contents = squash(&pages[1..contents_end].join(" "));
    for f in &practices {
        let title = squash(&f.practice.fields.title);
        assert!(squash(&all).contains(&title), "title missing: {title}");
        let re = regex::Regex::new(&format!(r"{}[ .]*?(\d+)", regex::escape(&title))).unwrap();
        let caps = re
            .captures(&contents)
            .unwrap_or_else(|| panic!("no contents line with a page number for {title}"));
        let n: usize = caps[1].parse().unwrap();
        assert!(n > contents_end, "{title}: page {n} is not a fiche page");
        assert!(
            squash(&pages[n - 1]).contains(&title),
            "{title}: the contents say page {n}, which shows: {}",
            pages[n - 1]
        );
        // Page numbers are printed in the footer of that page.
        assert!(
            pages[n - 1].ends_with(&n.to_string()),
            "page {n} has no number"
        );
    }
    // The index of communes: the last pages, each commune with the pages of its fiches.
    let index = pages
        .iter()
        .rposition(|p| p.contains("Index des communes"))
        .unwrap();
    assert!(index > contents_end);
    assert!(pages[index].contains("Käerjeng") && pages[index].contains("Differdange"));
}

#[test]
fn letters_contacts_and_markup_print_as_text() {
    let pdf = fiche(&synthetic(7), "fr").expect("fiche");
    let text = pages(&pdf).join(" ");
    for s in [
        "Fête des voisins « Zesummen an der Stroos » — Straßenfest",
        "Œuvrer ensemble : l’accueil",
        "Käerjeng",
        "Mëttegiessen",
        // Contacts, legible: name, role, organisation, address, phone, e-mail.
        "Anne Schröder-Weiß",
        "Déléguée à l’intégration",
        "1, rue de l’Église, L-4901 Bascharage",
        "+352 50 05 52-1",
        LONG_EMAIL,
        LONG_URL,
        "www.kaerjeng.lu",
        "programme-fete-des-voisins-2026.pdf",
        "D00, A01",
        "(rubrique vide dans la source)",
        // User text is data, never typst source.
        "#set page(width: 1pt) *pas gras* $x^2$ <etiquette> @ref",
    ] {
        assert!(
            squash(&text).contains(&squash(s)),
            "{s:?} missing from:\n{text}"
        );
    }
    // Prose keeps its spaces; addresses are never hyphenated (no soft hyphen in them).
    assert!(text.contains("Fête des voisins « Zesummen an der Stroos » — Straßenfest"));
    assert!(text.contains("Anne Schröder-Weiß"));
    assert!(!text.contains("in\u{AD}"), "an address was hyphenated");
    // Only the fonts compiled in, all embedded: nothing depends on the reader's machine.
    let fonts = tool("pdffonts", &[], &pdf);
    for line in fonts.lines().skip(2) {
        assert!(
            line.contains("Libertinus") || line.contains("DejaVu"),
            "unexpected font: {line}"
        );
        assert!(line.contains(" yes "), "font not embedded: {line}");
    }
}

#[test]
fn nothing_runs_past_the_right_margin() {
    let mut practices = corpus();
    practices.push(synthetic(1000));
    let pdf = booklet(&practices, &options()).expect("booklet");
    let bbox = tool("pdftotext", &["-bbox"], &pdf);
    let page_width: f64 = attr(
        bbox.lines().find(|l| l.contains("<page ")).unwrap(),
        "width",
    );
    // A4 with 2.2 cm margins. Typst lets a line-end hyphen or punctuation protrude a little
    // into the margin (optical alignment): 4 pt of tolerance, far less than any real overflow.
    let limit = page_width - 2.2 / 2.54 * 72.0 + 4.0;
    let mut words = 0;
    for line in bbox.lines().filter(|l| l.contains("<word ")) {
        words += 1;
        let x_max = attr(line, "xMax");
        assert!(
            x_max <= limit,
            "a word runs past the margin ({x_max} > {limit}): {line}"
        );
    }
    assert!(words > 1000);
}

fn attr(line: &str, name: &str) -> f64 {
    let start = line.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
    let end = start + line[start..].find('"').unwrap();
    line[start..end].parse().unwrap()
}

/// Lines that end in a hyphen the typesetter added (the text has no hyphen there). The
/// layout mode keeps lines as set; typst writes its hyphens as soft hyphens.
fn hyphenated_lines(pdf: &[u8]) -> usize {
    tool("pdftotext", &["-layout", "-enc", "UTF-8"], pdf)
        .lines()
        .filter(|l| l.trim_end().ends_with(['-', '\u{AD}']))
        .count()
}

#[test]
fn french_is_hyphenated_and_luxembourgish_is_not() {
    let long = "Integratiounsberodungsstellen Gemengeverwaltungsreglementer \
                Informatiounsversammlungen Nopeschaftsfester Zesummeliewensprojeten "
        .repeat(12);
    let mut f = synthetic(3);
    // Only words: no address or number whose own hyphen could end a line.
    f.practice.fields = PracticeFields {
        title: "Zesummeliewen".into(),
        objectives: Some(long),
        ..PracticeFields::default()
    };
    f.attachments.clear();
    f.practice.language = Language::Lb;
    assert_eq!(hyphenated_lines(&fiche(&f, "lb").unwrap()), 0);
    f.practice.language = Language::Fr;
    assert!(hyphenated_lines(&fiche(&f, "lb").unwrap()) > 0);
}

#[test]
fn the_cache_returns_the_stored_document_and_a_change_makes_a_new_one() {
    let f = synthetic(11);
    let first = fiche(&f, "fr").unwrap();
    let key = |f: &FicheData| {
        let data = serde_json::to_vec(&serde_json::json!({"lang": "fr", "practice": f})).unwrap();
        cache_key(Kind::Fiche, &data)
    };
    assert_eq!(
        CACHE.get(&key(&f)).as_deref(),
        Some(&first),
        "the fiche is cached under its content key"
    );
    assert_eq!(fiche(&f, "fr").unwrap(), first);
    let mut changed = f.clone();
    changed.practice.fields.costs = Some("Gratuit".into());
    assert_ne!(key(&changed), key(&f));
    assert!(CACHE.get(&key(&changed)).is_none());
    let second = fiche(&changed, "fr").unwrap();
    assert_ne!(second, first);
    assert!(pages(&second).join(" ").contains("Gratuit"));
    // The same data for another kind of document is another key.
    assert_ne!(
        cache_key(Kind::Booklet, b"{}"),
        cache_key(Kind::Fiche, b"{}")
    );
}

#[test]
fn an_empty_selection_gives_a_booklet_that_says_so() {
    let pdf = booklet(
        &[],
        &BookletOptions {
            lang: "en".into(),
            generated: "2026-11-01".into(),
            filters: vec!["Municipality: Nowhere".into()],
        },
    )
    .unwrap();
    let text = pages(&pdf).join(" ");
    assert!(text.contains("0 practices"));
    assert!(text.contains("Municipality: Nowhere"));
    assert!(text.contains("No practice matches this selection."));
}

#[test]
fn the_synthesis_has_counts_charts_and_every_criterion() {
    let row = |g: &str, q: &str, c: Option<&str>, n| SynthesisRow {
        group: g.into(),
        question: q.into(),
        component: c.map(Into::into),
        count: n,
    };
    let s = Synthesis::from_rows(&[
        row("Parents d’élèves", "WB", Some("A01"), 2),
        row("Jeunes", "IB", Some("D00"), 1),
    ]);
    let labels = crate::Labels {
        title: "Critères par dimension".into(),
        questions: vec![
            ("WB".into(), "Bien-être".into()),
            ("IB".into(), "Mal-être".into()),
            ("ACT".into(), "Actions".into()),
        ],
        unclassified: "non classé".into(),
    };
    let questions = vec!["Bien-être".into(), "Mal-être".into(), "Actions".into()];
    let criterion = |text: &str, group: &str| ReportCriterion {
        text: text.into(),
        expressions: Some(3),
        group: group.into(),
    };
    let report = SynthesisReport {
        lang: "fr".into(),
        title: "Synthèse — Blégny".into(),
        generated: "Généré le 2026-11-01".into(),
        questions,
        total_label: "Total".into(),
        groups_heading: "Groupes homogènes".into(),
        totals: CountTable {
            first_col: "Question".into(),
            rows: vec![CountRow {
                label: "Total".into(),
                counts: vec![2, 1, 0],
                total: 3,
            }],
        },
        groups: CountTable {
            first_col: "Groupe homogène".into(),
            rows: vec![CountRow {
                label: "Parents d’élèves".into(),
                counts: vec![2, 0, 0],
                total: 2,
            }],
        },
        dimensions_table: CountTable {
            first_col: "Dimension".into(),
            rows: vec![CountRow {
                label: "A — Accès aux moyens de vie".into(),
                counts: vec![2, 0, 0],
                total: 2,
            }],
        },
        dimensions_chart: crate::charts::dimensions(&s, &labels).unwrap(),
        groups_chart: crate::charts::groups(&s, None, &labels).unwrap(),
        dimensions: vec![ReportDimension {
            title: "A — Accès aux moyens de vie".into(),
            count: 2,
            chart: Some(crate::charts::components(&s, "A", &labels).unwrap()),
            components: vec![ReportComponent {
                title: "A01 — Alimentation".into(),
                count: 2,
                questions: vec![ReportQuestion {
                    label: "Bien-être".into(),
                    criteria: vec![
                        criterion("avoir à manger tous les jours", "Parents d’élèves"),
                        criterion("un potager partagé « Gaart »", "Parents d’élèves"),
                    ],
                }],
            }],
        }],
    };
    let pdf = synthesis(&report).expect("synthesis");
    let text = pages(&pdf).join(" ");
    for s in [
        "Synthèse — Blégny",
        "Groupes homogènes",
        "Parents d’élèves",
        "A — Accès aux moyens de vie",
        "A01 — Alimentation (2)",
        "avoir à manger tous les jours ×3 — Parents d’élèves",
        "un potager partagé « Gaart »",
        // Text drawn inside the SVG charts.
        "Critères par dimension",
        "Mal-être",
    ] {
        assert!(text.contains(s), "{s:?} missing from:\n{text}");
    }
}

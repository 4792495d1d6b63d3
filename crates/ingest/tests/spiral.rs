//! The wikispiral export of Blégny, and the by-content mapping of criteria rows in both the
//! shifted layout wikispiral prints and the full 11-column layout its header announces.

// Criterion ids are written as wikispiral prints them.
#![allow(clippy::unreadable_literal)]

use chrono::NaiveDateTime;
use domain::{Batch, Criterion, Format};
use ingest::spiral_criteria;
use pretty_assertions::assert_eq;

const DOC: &str = "spiral-blegny.txt";

fn blegny() -> Batch {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/corpus/spiral-blegny.txt"
    ))
    .unwrap();
    spiral_criteria::parse(DOC, &text).unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// Every row of the export: id, question, post-it, component, created, modified.
#[rustfmt::skip]
const ROWS: [(i64, &str, &str, &str, &str, &str); 36] = [
    (295019, "ACT", "organiser un groupe d'entraide, de rencontre toutes les semaines", "I07", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295018, "ACT", "trouver des personnes ressources professionnelles (emploi), carrefour formation", "C06", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295017, "ACT", "Avoir un accès numérique pour faciliter la recherche d'emploi", "C06", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295016, "ACT", "création une maison médicale", "B03", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295015, "ACT", "Récupérer les invendus des magasins, produits frais pour colis", "A01", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295014, "ACT", "développer un réseau d'offres / demandes de logements (cellule logement)", "A03", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295013, "ACT", "Achat groupé de mazout à organiser", "A08", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295012, "ACT", "créer un cours de français, insertion professionnelle", "A06", "2018-10-31 13:27", "2018-10-31 13:27"),
    (295011, "IB", "ne pas pouvoir offrir aux enfants ce que les autres ont, qui ont plus facile financièrement", "G02", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295010, "IB", "Ne pas être reconnue dans ce que je fais au quotidien", "G02", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295009, "IB", "je me stresse car je ne peux pas payer toutes les factures, le nécessaire pour mes enfants", "G04", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295008, "IB", "ne pas avoir d'estime de soi", "G01", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295007, "IB", "avoir l'esprit constamment occupé par les problèmes financiers", "G04", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295006, "IB", "Avoir faim", "G00", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295005, "IB", "Ne pas avoir de vie sociale, se sentir seul", "G00", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295004, "IB", "ne pas avoir de projet de vie", "F08", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295003, "IB", "ne pas s’épanouir ailleurs qu'à la maison ou au travail", "F03", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295002, "IB", "se sentir seul, n'avoir personne vers qui se tourner, sur qui compter", "D00", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295001, "IB", "etre confronté à des problèmes familiaux de violence", "D02", "2018-10-31 13:23", "2018-10-31 13:23"),
    (295000, "IB", "J'ai froid (plus de chauffage) je vais être malade", "A03", "2018-10-31 13:23", "2018-10-31 13:23"),
    (294999, "IB", "ne pas pouvoir se soigner (correctement)", "A02", "2018-10-31 13:23", "2018-10-31 13:23"),
    (294998, "IB", "ne plus subvenir à ses besoins fondamentaux", "A00", "2018-10-31 13:23", "2018-10-31 13:23"),
    (294997, "IB", "Ne pas se permettre de loisir, devoir se contenter de peu", "A07", "2018-10-31 13:23", "2018-10-31 13:23"),
    (294996, "IB", "Avoir plus d'argent pour payer le mazout", "A08", "2018-10-31 13:23", "2018-10-31 13:23"),
    (294995, "IB", "être en insécurité financière", "A08", "2018-10-31 13:23", "2018-10-31 13:23"),
    (294994, "WB", "Sortir de l'isolement", "I08", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294993, "WB", "Rencontrer des personnes, avoir un lien social, sortir de la maison", "H03", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294992, "WB", "avoir du temps pour moi, je suis toujours là pour les autres", "F03", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294991, "WB", "retrouver un milieu social sain", "D00", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294990, "WB", "Apaiser les tensions familiales", "D02", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294989, "WB", "permettre à mes enfants de s'épanouir", "D02", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294988, "WB", "Avoir un logement salubre", "B01", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294987, "WB", "retrouver un logement salubre (beaucoup d'humidité et consommation d'énergie beaucoup trop élevée)", "B01", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294986, "WB", "Ne plus avoir de dettes", "A06", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294985, "WB", "je voudrais pouvoir payer mes factures, ne plus avoir de dettes", "A08", "2018-10-31 13:22", "2018-10-31 13:22"),
    (294984, "WB", "Avoir un rôle dans la société, une place active à travers un travail", "A06", "2018-10-31 13:22", "2018-10-31 13:22"),
];

#[test]
fn every_criterion_of_blegny_is_mapped_by_content() {
    let batch = blegny();
    assert_eq!(batch.format, Format::SpiralCriteria);
    assert_eq!(batch.criteria.len(), 36);
    for (c, (id, question, text, component, created, updated)) in batch.criteria.iter().zip(ROWS) {
        let context = format!("criterion {id}");
        assert_eq!(c.id, Some(id), "{context}");
        assert_eq!(c.question, question, "{context}");
        assert_eq!(c.text, text, "{context}");
        assert_eq!(
            c.component.as_ref().map(domain::ComponentCode::as_str),
            Some(component),
            "{context}"
        );
        assert_eq!(c.created_at, Some(at(created)), "{context}");
        assert_eq!(c.updated_at, Some(at(updated)), "{context}");
        // The shifted layout has no expressions, meaning or proposition: none may be invented.
        assert_eq!(c.expressions, None, "{context}");
        assert_eq!(c.meaning, None, "{context}");
        assert_eq!(c.proposition, None, "{context}");
        assert_eq!(c.platform, "Blégny", "{context}");
        assert_eq!(c.group, "Blégny : Groupe test 19 octobre 2018", "{context}");
    }
}

#[test]
fn questions_are_counted_per_code() {
    let batch = blegny();
    let count = |q: &str| batch.criteria.iter().filter(|c| c.question == q).count();
    assert_eq!((count("WB"), count("IB"), count("ACT")), (11, 17, 8));
}

#[test]
fn platform_and_group_come_from_the_page() {
    let batch = blegny();
    assert_eq!(batch.platforms.len(), 1);
    let p = &batch.platforms[0];
    assert_eq!(p.name, "Blégny");
    assert_eq!(p.country.as_deref(), Some("Belgique"));
    let description = p.description.as_deref().unwrap();
    assert!(
        description.starts_with("Depuis 2009 la Commune de Blégny a conçu"),
        "{description}"
    );
    assert!(
        description.ends_with("Plan de cohésion sociale démarré en 2014."),
        "{description}"
    );
    assert_eq!(p.id, None);

    assert_eq!(batch.groups.len(), 1);
    let g = &batch.groups[0];
    assert_eq!(g.name, "Blégny : Groupe test 19 octobre 2018");
    assert_eq!(g.platform, "Blégny");
    assert_eq!(g.language.as_deref(), Some("fr"));
    assert_eq!(g.created_at, Some(at("2018-10-31 09:54")));
}

#[test]
fn navigation_lines_are_skipped_with_one_warning() {
    let batch = blegny();
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    let w = &batch.warnings[0];
    assert_eq!(w.line, 3);
    assert!(w.message.contains("10 lines"), "{}", w.message);
    assert!(w.message.contains("3–9, 13–15"), "{}", w.message);
}

/// The 11-column layout the header announces, hand-written: `NB express`, `Sens` and
/// `Proposition` filled in, a fine component code, and one row with empty optional cells.
const FULL_LAYOUT: &str = "\
Crit ID | Plate-forme | Nom du groupe homogène | Questions | NB express | Post-it | Composante | Sens | Proposition | Créé le | dernière modif. |
---|---|---|---|---|---|---|---|---|---|---|
7 | Esch | Parents seuls | WB | 4 | avoir une crèche près de chez moi | A01-11/P15/k | P | une place en crèche pour chaque enfant | 2019-03-01 10:00 | 2019-03-02 11:30 |
8 | Esch | Parents seuls | IB | | ne pas trouver de logement |  | O21 | | 2019-03-01 10:05 | 2019-03-01 10:05 |
9 | Esch | Jeunes | ACT | 12 | créer un club | Z99 | | | 2019-03-01 10:10 | 2019-03-03 09:00 |
";

#[test]
fn full_layout_maps_every_column() {
    let batch = spiral_criteria::parse("full.txt", FULL_LAYOUT).unwrap();
    let expected = vec![
        Criterion {
            id: Some(7),
            platform: "Esch".into(),
            group: "Parents seuls".into(),
            question: "WB".into(),
            text: "avoir une crèche près de chez moi".into(),
            expressions: Some(4),
            component: Some(domain::ComponentCode::parse("A01-11/P15/k").unwrap()),
            meaning: Some(domain::MeaningCode::parse("P").unwrap()),
            proposition: Some("une place en crèche pour chaque enfant".into()),
            created_at: Some(at("2019-03-01 10:00")),
            updated_at: Some(at("2019-03-02 11:30")),
        },
        Criterion {
            id: Some(8),
            platform: "Esch".into(),
            group: "Parents seuls".into(),
            question: "IB".into(),
            text: "ne pas trouver de logement".into(),
            expressions: None,
            // `O21` has the shape of a component too; the empty `Composante` cell right after
            // the post-it says it is the meaning.
            component: None,
            meaning: Some(domain::MeaningCode::parse("O21").unwrap()),
            proposition: None,
            created_at: Some(at("2019-03-01 10:05")),
            updated_at: Some(at("2019-03-01 10:05")),
        },
        Criterion {
            id: Some(9),
            platform: "Esch".into(),
            group: "Jeunes".into(),
            question: "ACT".into(),
            text: "créer un club".into(),
            expressions: Some(12),
            // Well-formed but unknown to the codebook: kept; the store reports it.
            component: Some(domain::ComponentCode::parse("Z99").unwrap()),
            meaning: None,
            proposition: None,
            created_at: Some(at("2019-03-01 10:10")),
            updated_at: Some(at("2019-03-03 09:00")),
        },
    ];
    assert_eq!(batch.criteria, expected);
    // No platform header line: the platform and groups come from the rows.
    let platforms: Vec<(&str, Option<&str>)> = batch
        .platforms
        .iter()
        .map(|p| (p.name.as_str(), p.country.as_deref()))
        .collect();
    assert_eq!(platforms, [("Esch", None)]);
    let groups: Vec<(&str, &str)> = batch
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.platform.as_str()))
        .collect();
    assert_eq!(groups, [("Parents seuls", "Esch"), ("Jeunes", "Esch")]);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
}

#[test]
fn a_single_letter_code_is_a_meaning() {
    let text = "Crit ID | Plate-forme | Nom du groupe homogène | Questions | Post-it |\n\
                1 | P | G | WB | se sentir utile | | Q | 2019-03-01 10:00 |\n";
    let batch = spiral_criteria::parse("x.txt", text).unwrap();
    let c = &batch.criteria[0];
    assert_eq!(c.component, None);
    assert_eq!(
        c.meaning.as_ref().map(domain::MeaningCode::as_str),
        Some("Q")
    );
    assert_eq!(
        (c.created_at, c.updated_at),
        (Some(at("2019-03-01 10:00")), None)
    );
}

fn error(text: &str) -> ingest::IngestError {
    spiral_criteria::parse("bad.txt", text).unwrap_err()
}

#[test]
fn rows_that_cannot_be_mapped_are_refused_with_their_line() {
    let header = "Crit ID | Plate-forme | Nom du groupe homogène | Questions |\n---|---|---|---|\n";

    let e = error(&format!("{header}abc | P | G | WB | texte | A01 |\n"));
    assert_eq!(e.line, 3);
    assert!(
        e.message.contains("found `abc`") && e.message.contains("criterion id"),
        "{e}"
    );

    let e = error(&format!(
        "{header}1 | P | G | WB | texte | A01 |\n2 | P | G | texte | A01 |\n"
    ));
    assert_eq!(e.line, 4);
    assert!(
        e.message.contains("no question code") && e.message.contains("WB, IB, ACT"),
        "{e}"
    );

    let e = error(&format!(
        "{header}1 | P | G | IB | A01 | 2019-03-01 10:00 |\n"
    ));
    assert_eq!(e.line, 3);
    assert!(e.message.contains("no post-it text"), "{e}");

    let e = error(&format!("{header}1 | P | G | IB | un | deux | trois |\n"));
    assert!(e.message.contains("third free-text cell `trois`"), "{e}");

    let e = error(&format!(
        "{header}1 | P | G | IB | texte | 2019-13-45 10:00 |\n"
    ));
    assert!(e.message.contains("2019-13-45 10:00"), "{e}");
    assert_eq!(
        e.to_string().split(':').take(2).collect::<Vec<_>>(),
        ["bad.txt", "3"]
    );
}

#[test]
fn a_table_row_without_a_header_is_refused() {
    let e = error("Statistics page\n1 | P | G | WB | texte |\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("outside a table"), "{e}");
}

#[test]
fn detection_and_dispatch_reach_this_parser() {
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/corpus/spiral-blegny.txt"
    ))
    .unwrap();
    let batch = ingest::parse(DOC, &text, None).unwrap();
    assert_eq!(batch, blegny());
}

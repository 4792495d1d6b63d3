//! zesummen's own formats: JSON export and CSV, both read back what was written.

use chrono::{DateTime, NaiveDateTime, Utc};
use domain::{
    ComponentCode, Contact, Criterion, Format, HomogeneousGroup, Language, MeaningCode, Platform,
    Practice, PracticeFields, PracticeRecord, Source, Status,
};
use ingest::{csv_format, json};
use pretty_assertions::assert_eq;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
}

/// A full practice (every section, several contacts and sources, fine codes, text with quotes,
/// semicolons, commas and line breaks) and a bare one.
fn practices() -> Vec<Practice> {
    vec![
        Practice {
            id: 7,
            slug: "wok-fir-inklusioun-zu-deifferdeng".into(),
            fields: PracticeFields {
                title: "« WOK – fir Inklusioun zu Déifferdeng »".into(),
                subtitle: Some("Une approche transversale, \"locale\"".into()),
                institution: Some("Ville de Differdange".into()),
                organisers: Some("Service à l'Égalité des Chances".into()),
                communes: vec!["Differdange".into(), "Esch-sur-Alzette".into()],
                themes: vec!["Intégration".into(), "Vivre ensemble".into()],
                objectives: Some(
                    "Activer et inclure; les associations.\n\nSecond paragraphe.".into(),
                ),
                description: Some("Fonctionnement du WOK:\n1. on rassemble\n2. on secoue".into()),
                results: Some("Des projets, des partenariats".into()),
                target_public: Some("Associations".into()),
                place_periodicity: Some("Differdange, toute l'année".into()),
                costs: Some("aucun".into()),
                other_info: Some("www.differdange.lu".into()),
                contacts: vec![
                    Contact {
                        name: Some("Jean Dupont".into()),
                        role: Some("Responsable".into()),
                        organisation: Some("Ville de Differdange".into()),
                        address: Some("40, avenue Charlotte\nL-4530 Differdange".into()),
                        phones: vec!["(+352) 58 77 1-1".into()],
                        emails: vec!["wok@differdange.lu".into(), "info@differdange.lu".into()],
                    },
                    Contact {
                        name: None,
                        role: None,
                        organisation: Some("ASTI".into()),
                        ..Contact::default()
                    },
                ],
                websites: vec!["www.differdange.lu/wok".into()],
                spiral_components: vec!["D00".into(), "A01-11/P15/k".into()],
            },
            sources: vec![
                Source {
                    document: "assises-2-fiches.txt".into(),
                    first_line: 429,
                    last_line: 503,
                    truncated: false,
                },
                Source {
                    document: "good-practices-sud-2016.txt".into(),
                    first_line: 53,
                    last_line: 58,
                    truncated: true,
                },
            ],
            status: Status::Draft,
            language: Language::Lb,
            created_at: utc("2024-03-01T10:00:00Z"),
            updated_at: utc("2024-03-02T11:30:15.250Z"),
        },
        Practice {
            id: 8,
            slug: "tandem".into(),
            fields: PracticeFields {
                title: "Tandem".into(),
                ..PracticeFields::default()
            },
            sources: vec![],
            status: Status::Published,
            language: Language::Fr,
            created_at: utc("2024-03-01T10:00:00Z"),
            updated_at: utc("2024-03-01T10:00:00Z"),
        },
    ]
}

fn criteria() -> Vec<Criterion> {
    vec![
        Criterion {
            id: Some(295_019),
            platform: "Blégny".into(),
            group: "Blégny : Groupe test 19 octobre 2018".into(),
            question: "ACT".into(),
            text: "organiser un groupe d'entraide, de rencontre; toutes les semaines".into(),
            expressions: None,
            component: Some(ComponentCode::parse("I07").unwrap()),
            meaning: None,
            proposition: None,
            created_at: Some(local("2018-10-31T13:27:00")),
            updated_at: Some(local("2018-10-31T13:27:00")),
        },
        Criterion {
            id: None,
            platform: "Esch".into(),
            group: "Parents seuls".into(),
            question: "WB".into(),
            text: "avoir une \"crèche\"\nprès de chez moi".into(),
            expressions: Some(4),
            component: Some(ComponentCode::parse("A01-11/P15/k").unwrap()),
            meaning: Some(MeaningCode::parse("O21").unwrap()),
            proposition: Some("une place pour chaque enfant".into()),
            created_at: None,
            updated_at: None,
        },
    ]
}

fn records(practices: Vec<Practice>) -> Vec<PracticeRecord> {
    practices.into_iter().map(PracticeRecord::from).collect()
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_export_round_trips_losslessly() {
    let mut practices = practices();
    // Absent and empty differ, and both must survive.
    practices[0].fields.costs = Some(String::new());
    practices[0].fields.results = None;
    let platforms = vec![Platform {
        id: Some(3),
        name: "Blégny".into(),
        country: Some("Belgique".into()),
        languages: vec!["fr".into()],
        description: Some("Depuis 2009".into()),
        coordination: None,
        created_at: Some(local("2018-10-31T09:54:00")),
    }];
    let groups = vec![HomogeneousGroup {
        id: Some(4),
        name: "Blégny : Groupe test 19 octobre 2018".into(),
        platform: "Blégny".into(),
        language: Some("fr".into()),
        profile: Some(String::new()),
        created_at: Some(local("2018-10-31T09:54:00")),
    }];
    let export = serde_json::json!({
        "practices": practices, "platforms": platforms, "groups": groups, "criteria": criteria(),
    });
    let text = serde_json::to_string_pretty(&export).unwrap();
    assert!(text.contains("\"costs\": \"\"") && text.contains("\"results\": null"));

    let batch = json::parse("export.json", &text).unwrap();
    assert_eq!(batch.format, Format::Json);
    assert_eq!(batch.practices, records(practices));
    assert_eq!(batch.platforms, platforms);
    assert_eq!(batch.groups, groups);
    assert_eq!(batch.criteria, criteria());
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);

    // Through detection too.
    assert_eq!(
        ingest::parse("export.json", text.as_bytes(), None).unwrap(),
        batch
    );
}

#[test]
fn json_bare_array_of_practices() {
    let text = serde_json::to_string(&practices()).unwrap();
    let batch = json::parse("p.json", &text).unwrap();
    assert_eq!(batch.practices, records(practices()));
    assert!(batch.criteria.is_empty() && batch.platforms.is_empty());
}

#[test]
fn json_keys_may_be_missing() {
    let text = r#"{"criteria": [{"id": 1, "platform": "P", "group": "G", "question": "WB",
        "text": "t", "expressions": null, "component": "A01", "meaning": null,
        "proposition": null, "created_at": null, "updated_at": null}], "practices": null,
        "codebook": {"version": "x"}}"#;
    let batch = json::parse("c.json", text).unwrap();
    assert_eq!(batch.criteria.len(), 1);
    assert!(batch.practices.is_empty());
    // An unknown top-level key is named, not silently dropped.
    assert_eq!(batch.warnings.len(), 1);
    assert!(
        batch.warnings[0].message.contains("`codebook`"),
        "{:?}",
        batch.warnings
    );

    // A hand-written practice needs no id, slug, timestamps, status or language.
    let batch = json::parse("p.json", r#"[{"title": "T", "sources": []}]"#).unwrap();
    let p = &batch.practices[0];
    assert_eq!(
        (p.id, p.created_at, p.status, p.language),
        (None, None, Status::Published, Language::Fr)
    );
    assert_eq!(p.fields.results, None);
}

#[test]
fn json_errors_name_the_line() {
    let e = json::parse(
        "bad.json",
        "{\n  \"practices\": [\n    {\"title\": \"T\",}\n  ]\n}",
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(
        e.message.contains("column") && e.message.contains("expected zesummen's JSON export"),
        "{e}"
    );

    let e = json::parse(
        "bad.json",
        "[\n{\"title\": \"T\",\n \"status\": \"brouillon\"}\n]",
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("brouillon"), "{e}");

    let e = json::parse("bad.json", "[\n{\"subtitle\": \"S\"}\n]").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("missing field `title`"), "{e}");

    let e = json::parse("bad.json", "{\"criteria\": [{\"component\": \"a1\"}]}").unwrap_err();
    assert!(e.message.contains("`a1` is not a component code"), "{e}");

    let e = json::parse("bad.json", "[]\n[]").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("trailing characters"), "{e}");

    let e = json::parse("bad.json", "\"practices\"").unwrap_err();
    assert!(e.message.contains("an object with practices"), "{e}");
    assert!(e.to_string().starts_with("bad.json:1: "), "{e}");
}

// ---------------------------------------------------------------- CSV

fn write_practices(practices: &[Practice]) -> String {
    let mut out = Vec::new();
    csv_format::write_practices(&mut out, practices).unwrap();
    String::from_utf8(out).unwrap()
}

fn write_criteria(criteria: &[Criterion]) -> String {
    let mut out = Vec::new();
    csv_format::write_criteria(&mut out, criteria).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_practices_round_trip() {
    let text = write_practices(&practices());
    let header = text.lines().next().unwrap();
    let names: Vec<&str> = csv_format::PRACTICE_COLUMNS
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(header, names.join(","));
    let batch = csv_format::parse("p.csv", &text).unwrap();
    assert_eq!(batch.format, Format::Csv);
    assert_eq!(batch.practices, records(practices()));
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert_eq!(
        ingest::parse("p.csv", text.as_bytes(), None).unwrap(),
        batch
    );
}

#[test]
fn csv_criteria_round_trip() {
    let text = write_criteria(&criteria());
    assert!(text.starts_with("id,platform,group,question,expressions,text,component,meaning,proposition,created_at,updated_at\n"));
    let batch = csv_format::parse("c.csv", &text).unwrap();
    assert_eq!(batch.criteria, criteria());
    // The platforms and groups the criteria name come along, by name only.
    let groups: Vec<(&str, &str)> = batch
        .groups
        .iter()
        .map(|g| (g.platform.as_str(), g.name.as_str()))
        .collect();
    assert_eq!(
        groups,
        [
            ("Blégny", "Blégny : Groupe test 19 octobre 2018"),
            ("Esch", "Parents seuls")
        ]
    );
    assert_eq!(batch.platforms.len(), 2);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
}

#[test]
fn csv_empty_cells_are_null() {
    let mut p = practices().remove(0);
    p.fields.costs = Some(String::new());
    let batch = csv_format::parse("p.csv", &write_practices(&[p])).unwrap();
    // CSV has no way to say "present but empty": that is what the JSON export is for.
    assert_eq!(batch.practices[0].fields.costs, None);
}

#[test]
fn csv_from_a_spreadsheet_semicolons_bom_any_order() {
    let text = "\u{feff}Title;Communes;Themes;Status;Language;Notes;Created_at\r\n\
                Café des langues;\"Sanem ; Esch-sur-Alzette\";Langues;submitted;DE;à voir;2024-03-01 10:00\r\n\
                ;;;;;;\r\n\
                \"Tandem; bis\";;;;;;\r\n";
    let batch = ingest::parse("tableur.csv", text.as_bytes(), None).unwrap();
    assert_eq!(batch.practices.len(), 2);
    let p = &batch.practices[0];
    assert_eq!(p.fields.title, "Café des langues");
    assert_eq!(p.fields.communes, ["Sanem", "Esch-sur-Alzette"]);
    assert_eq!(p.fields.themes, ["Langues"]);
    assert_eq!((p.status, p.language), (Status::Submitted, Language::De));
    assert_eq!(p.created_at, Some(utc("2024-03-01T10:00:00Z")));
    assert_eq!((p.id, p.fields.description.as_deref()), (None, None));
    assert_eq!(batch.practices[1].fields.title, "Tandem; bis");
    assert_eq!(
        (batch.practices[1].status, batch.practices[1].language),
        (Status::Published, Language::Fr)
    );
    assert_eq!(batch.warnings.len(), 1);
    assert_eq!(batch.warnings[0].line, 1);
    assert!(
        batch.warnings[0].message.contains("unknown column `notes`"),
        "{:?}",
        batch.warnings
    );
}

#[test]
fn csv_missing_required_columns_are_refused_on_line_1() {
    let e = csv_format::parse("p.csv", "institution,description\nX,Y\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(
        e.message
            .contains("missing required column `title` for practices"),
        "{e}"
    );
    assert!(
        e.message.contains("expected a header like `id,slug,title,"),
        "{e}"
    );

    let e = csv_format::parse("c.csv", "platform;group;question\nP;G;WB\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(
        e.message
            .contains("missing required column `text` for criteria"),
        "{e}"
    );

    let e = csv_format::parse("x.csv", "a,b\n1,2\n").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("found header `a,b`"), "{e}");
    assert!(
        e.message.contains("required column `title`")
            && e.message
                .contains("`platform`, `group`, `question`, `text`"),
        "{e}"
    );
}

#[test]
fn csv_bad_cells_name_line_and_column() {
    let case = |body: &str| {
        let text =
            format!("title,status,created_at,contacts,sources,id\n\"Multi\nligne\",,,,,\n{body}\n");
        csv_format::parse("p.csv", &text).unwrap_err()
    };
    // The row after a two-line cell is on line 4.
    let e = case("T,brouillon,,,,");
    assert_eq!(
        e.to_string(),
        "p.csv:4: column `status`: found `brouillon`: expected draft, submitted, published or archived"
    );
    let e = case("T,,31/10/2018,,,");
    assert_eq!(
        (
            e.line,
            e.message
                .contains("column `created_at`: found `31/10/2018`")
        ),
        (4, true),
        "{e}"
    );
    let e = case("T,,,\"[{\"\"name\"\": }]\",,");
    assert_eq!(
        (
            e.line,
            e.message.contains("column `contacts`: found invalid JSON")
        ),
        (4, true),
        "{e}"
    );
    let e = case("T,,,,\"[{\"\"document\"\": \"\"x\"\"}]\",");
    assert_eq!(
        (e.line, e.message.contains("column `sources`")),
        (4, true),
        "{e}"
    );
    let e = case("T,,,,,sept");
    assert_eq!(
        (e.line, e.message.contains("column `id`: found `sept`")),
        (4, true),
        "{e}"
    );
    let e = case(",,2024-03-01T10:00:00Z,,,");
    assert_eq!(
        (
            e.line,
            e.message.contains("column `title`: found an empty cell")
        ),
        (4, true),
        "{e}"
    );
    let e = case("T,,,,,,extra");
    assert_eq!(
        (
            e.line,
            e.message.contains("found 7 cells: expected at most 6")
        ),
        (4, true),
        "{e}"
    );

    let criteria = "platform,group,question,text,component,meaning,expressions\n";
    let e = csv_format::parse("c.csv", &format!("{criteria}P,G,WB,t,a01,,\n")).unwrap_err();
    assert_eq!(
        (
            e.line,
            e.message
                .contains("column `component`: `a01` is not a component code")
        ),
        (2, true),
        "{e}"
    );
    let e = csv_format::parse("c.csv", &format!("{criteria}P,G,WB,t,,PO,\n")).unwrap_err();
    assert!(e.message.contains("column `meaning`"), "{e}");
    let e = csv_format::parse("c.csv", &format!("{criteria}\n\nP,G,WB,t,,,-1\n")).unwrap_err();
    assert_eq!(
        (e.line, e.message.contains("column `expressions`")),
        (4, true),
        "{e}"
    );
}

#[test]
fn csv_unknown_question_is_a_warning() {
    let batch = csv_format::parse(
        "c.csv",
        "platform,group,question,text\nP,G,wb,t\nP,G,XY,u\n",
    )
    .unwrap();
    assert_eq!(batch.criteria[0].question, "WB");
    assert_eq!(batch.criteria[1].question, "XY");
    assert_eq!(batch.warnings.len(), 1);
    assert_eq!(batch.warnings[0].line, 3);
    assert!(
        batch.warnings[0].message.contains("`XY`"),
        "{:?}",
        batch.warnings
    );
}

#[test]
fn csv_columns_are_documented() {
    for c in csv_format::PRACTICE_COLUMNS
        .iter()
        .chain(csv_format::CRITERION_COLUMNS)
    {
        assert!(!c.description.is_empty(), "{}", c.name);
    }
    let required = |cols: &[csv_format::Column]| {
        cols.iter()
            .filter(|c| c.required)
            .map(|c| c.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(required(csv_format::PRACTICE_COLUMNS), ["title"]);
    assert_eq!(
        required(csv_format::CRITERION_COLUMNS),
        ["platform", "group", "question", "text"]
    );
}

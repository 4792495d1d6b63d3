//! Batches built by hand, shaped like the real sources, with every kind of value a store must
//! keep: absent (`None`) and empty (`""`) sections, lists out of alphabetical order, accents,
//! multi-line text, contacts with and without address, fine component codes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use domain::{
    Batch, ComponentCode, Contact, Criterion, Format, HomogeneousGroup, Language, MeaningCode,
    Platform, PracticeFields, PracticeRecord, Source, Status,
};

/// 2024-05-01 at `hour`:00:00 UTC: the `now` of a story's steps.
pub fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, hour, 0, 0).unwrap()
}

/// A wikispiral-style local time on 2018-10-31.
pub fn local(hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2018, 10, 31)
        .unwrap()
        .and_hms_opt(hour, minute, 0)
        .unwrap()
}

pub fn source(document: &str, first_line: u32, last_line: u32) -> Source {
    Source {
        document: document.into(),
        first_line,
        last_line,
        truncated: false,
    }
}

pub const BOOKLET: &str = "assises-2-fiches.txt";
pub const WOK_MD: &str = "assises-2-wok-differdange.md";
pub const SUD: &str = "good-practices-sud-2016.txt";

/// The WOK fiche as the booklet prints it.
pub fn wok_booklet() -> PracticeRecord {
    PracticeRecord::from_source(
        PracticeFields {
            title: "« WOK – fir Inklusioun zu Déifferdeng »".into(),
            subtitle: Some(
                "Une approche transversale pour inciter l'intégration de tous les résidents".into(),
            ),
            institution: Some("Ville de Differdange".into()),
            organisers: Some("Service à l'Égalité des Chances".into()),
            communes: vec!["Differdange".into()],
            themes: vec!["Vie associative".into(), "Intégration".into()],
            objectives: Some("Activer et inclure les groupements de personnes.\n\nQue ce soit par des collaborations.".into()),
            description: Some("1. on rassemble\n2. on secoue\n3. on obtient quelque chose de bon".into()),
            results: None,
            target_public: Some("Associations et clubs".into()),
            place_periodicity: Some("Differdange, 4 fois par an".into()),
            costs: Some(String::new()),
            other_info: None,
            contacts: vec![
                Contact {
                    name: Some("Service à l'Égalité des Chances".into()),
                    role: Some("Coordination".into()),
                    organisation: Some("Ville de Differdange".into()),
                    address: Some("B.P. 12\nL-4501 Differdange".into()),
                    phones: vec!["58 77 1-1560".into(), "691 000 000".into()],
                    emails: vec!["egalite@differdange.lu".into()],
                },
                Contact {
                    name: None,
                    role: None,
                    organisation: Some("Commission d'intégration".into()),
                    address: None,
                    phones: Vec::new(),
                    emails: Vec::new(),
                },
            ],
            websites: vec!["www.differdange.lu/wok".into(), "www.facebook.com/wok".into()],
            spiral_components: vec!["D00".into(), "A07".into()],
        },
        source(BOOKLET, 429, 503),
    )
}

/// The markdown copy of the WOK fiche: other quotes in the title, a shorter description, no
/// subtitle. Same identity key.
pub fn wok_markdown() -> PracticeRecord {
    let mut r = wok_booklet();
    r.fields.title = "\"WOK - fir Inklusioun zu Deifferdeng\"".into();
    r.fields.subtitle = None;
    r.fields.description = Some("on rassemble, on secoue, on obtient".into());
    r.sources = vec![source(WOK_MD, 5, 61)];
    r
}

fn booklet_practice(
    title: &str,
    institution: &str,
    communes: &[&str],
    line: u32,
) -> PracticeRecord {
    PracticeRecord::from_source(
        PracticeFields {
            title: title.into(),
            institution: Some(institution.into()),
            communes: communes.iter().map(|c| (*c).to_string()).collect(),
            objectives: Some(format!("Objectifs de « {title} »")),
            ..PracticeFields::default()
        },
        source(BOOKLET, line, line + 40),
    )
}

/// A SUD table row: no institution (the communes say who), sections mostly absent.
pub fn sud_row(title: &str, communes: &[&str], line: u32, truncated: bool) -> PracticeRecord {
    PracticeRecord::from_source(
        PracticeFields {
            title: title.into(),
            communes: communes.iter().map(|c| (*c).to_string()).collect(),
            themes: vec!["Langues".into()],
            description: Some(format!("{title}: rencontres régulières")),
            ..PracticeFields::default()
        },
        Source {
            truncated,
            ..source(SUD, line, line)
        },
    )
}

/// Three booklet fiches, WOK first.
pub fn booklet_batch() -> Batch {
    let mut lb = booklet_practice(
        "Sproochentreff",
        "Commune de Sanem",
        &["Sanem", "Belvaux"],
        600,
    );
    lb.language = Language::Lb;
    lb.status = Status::Draft;
    Batch {
        practices: vec![
            wok_booklet(),
            booklet_practice("Café des langues", "Commune de Sanem", &["Sanem"], 520),
            lb,
        ],
        ..Batch::new(BOOKLET, Format::Assises)
    }
}

pub fn markdown_batch() -> Batch {
    Batch {
        practices: vec![wok_markdown()],
        ..Batch::new(WOK_MD, Format::Assises)
    }
}

/// Two SUD rows with the same title, told apart by their communes.
pub fn sud_batch() -> Batch {
    Batch {
        practices: vec![
            sud_row("Tandem linguistique", &["Dudelange"], 3, false),
            sud_row(
                "Tandem linguistique",
                &["Esch-sur-Alzette", "Schifflange"],
                4,
                true,
            ),
        ],
        ..Batch::new(SUD, Format::Sud)
    }
}

pub fn platform(name: &str, country: &str, languages: &[&str]) -> Platform {
    Platform {
        id: None,
        name: name.into(),
        country: Some(country.into()),
        languages: languages.iter().map(|l| (*l).to_string()).collect(),
        description: Some(format!("Plate-forme de {name}")),
        coordination: None,
        created_at: None,
    }
}

pub fn group(platform: &str, name: &str) -> HomogeneousGroup {
    HomogeneousGroup {
        id: None,
        name: name.into(),
        platform: platform.into(),
        language: Some("fr".into()),
        profile: None,
        created_at: None,
    }
}

pub fn criterion(
    id: Option<i64>,
    (platform, group): (&str, &str),
    question: &str,
    text: &str,
    component: Option<&str>,
) -> Criterion {
    Criterion {
        id,
        platform: platform.into(),
        group: group.into(),
        question: question.into(),
        text: text.into(),
        expressions: None,
        component: component.map(|c| ComponentCode::parse(c).unwrap()),
        meaning: None,
        proposition: None,
        created_at: None,
        updated_at: None,
    }
}

pub const BLEGNY: (&str, &str) = ("Blégny", "Blégny : Groupe test 19 octobre 2018");
pub const YOUTH: (&str, &str) = ("Differdange", "Jeunes");
pub const PARENTS: (&str, &str) = ("Differdange", "Parents seuls");

/// Two platforms, three groups, nine criteria: wikispiral ids on Blégny's, none on the others;
/// fine codes; one code no codebook knows (`Z99`).
pub fn criteria_batch() -> Batch {
    let mut blegny = platform("Blégny", "Belgique", &["fr"]);
    blegny.coordination = Some("Plan de cohésion sociale".into());
    let mut differdange = platform("Differdange", "Luxembourg", &["lb", "fr", "de"]);
    differdange.created_at = Some(local(9, 0));
    let mut test = group(BLEGNY.0, BLEGNY.1);
    test.created_at = Some(local(9, 54));
    let mut parents = group(PARENTS.0, PARENTS.1);
    parents.profile = Some("parents élevant seuls leurs enfants".into());

    let mut dated = criterion(
        Some(295_019),
        BLEGNY,
        "ACT",
        "organiser un groupe d'entraide, de rencontre toutes les semaines",
        Some("I07"),
    );
    dated.created_at = Some(local(13, 27));
    dated.updated_at = Some(local(13, 28));
    let mut rich = criterion(None, YOUTH, "WB", "avoir un travail", Some("A06"));
    rich.expressions = Some(3);
    rich.meaning = Some(MeaningCode::parse("O21").unwrap());
    rich.proposition = Some("Accès à l'emploi des jeunes".into());
    let mut with_meaning = criterion(
        None,
        PARENTS,
        "IB",
        "ne pas pouvoir payer la cantine",
        Some("A01-11/P15/k"),
    );
    with_meaning.meaning = Some(MeaningCode::parse("P").unwrap());
    Batch {
        platforms: vec![blegny, differdange],
        groups: vec![test, group(YOUTH.0, YOUTH.1), parents],
        criteria: vec![
            dated,
            criterion(
                Some(295_018),
                BLEGNY,
                "ACT",
                "trouver des personnes ressources",
                Some("C06"),
            ),
            criterion(Some(295_010), BLEGNY, "WB", "la santé", Some("A02")),
            criterion(Some(295_011), BLEGNY, "IB", "être seul", None),
            rich,
            criterion(None, YOUTH, "WB", "manger à sa faim", Some("A01")),
            with_meaning,
            criterion(None, PARENTS, "WB", "du temps pour soi", Some("F03")),
            criterion(
                None,
                YOUTH,
                "IB",
                "un code que personne ne connaît",
                Some("Z99"),
            ),
        ],
        ..Batch::new("criteria.csv", Format::Csv)
    }
}

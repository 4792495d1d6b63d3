//! Documents written for these tests in the corpus's styles, with what the corpus does not
//! show: headings spelt differently, page headers inside any section, one or several contacts,
//! a job title and a "service - commune" line under a person, bullets, missing sections, a
//! platform description without its closing `|`, table rows written on one line or several.
//! Every field must land where it belongs, and every warning must name its line.

use domain::{Batch, Contact, Format};
use pretty_assertions::assert_eq;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str) -> Batch {
    let batch = ingest::parse(name, &data(name), None).unwrap_or_else(|e| panic!("{e}"));
    for w in &batch.warnings {
        assert_ne!(
            w.line, 0,
            "{name}: a warning without its line: {}",
            w.message
        );
    }
    batch
}

fn contact(
    name: Option<&str>,
    role: Option<&str>,
    organisation: Option<&str>,
    phones: &[&str],
    emails: &[&str],
) -> Contact {
    Contact {
        name: name.map(Into::into),
        role: role.map(Into::into),
        organisation: organisation.map(Into::into),
        address: None,
        phones: phones.iter().map(|s| (*s).to_string()).collect(),
        emails: emails.iter().map(|s| (*s).to_string()).collect(),
    }
}

// Reads as the expected value of an optional field.
#[allow(clippy::unnecessary_wraps)]
fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn booklet_variants_put_every_field_in_place() {
    let batch = parse("fiches-variantes.txt");
    assert_eq!(batch.format, Format::Assises);
    let titles: Vec<&str> = batch
        .practices
        .iter()
        .map(|p| p.fields.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Café des langues à Mamer",
            "Parrainage de nouveaux arrivants",
            "Atelier vélo interculturel"
        ]
    );
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);

    // Headings spelt differently, with plural marks and separators; a page header in the
    // middle of a sentence of the description.
    let f = &batch.practices[0].fields;
    assert_eq!(f.institution, some("Commune de Mamer"));
    assert_eq!(
        f.organisers,
        some(
            "Service Intégration de la commune, avec la Commission consultative communale \
             d'intégration"
        )
    );
    assert_eq!(
        f.objectives,
        some(
            "Offrir aux habitants un lieu convivial où pratiquer le luxembourgeois, le français \
             et l'allemand avec des voisins de langue maternelle différente."
        )
    );
    assert_eq!(
        f.description,
        some(
            "Une fois par mois, des tables de conversation sont animées par des bénévoles. \
             Chaque table réunit des participants autour d'une langue et d'un thème choisi à \
             l'avance, pour que personne ne reste sans parole et que les échanges continuent \
             après la rencontre.\n\nLes participants s'inscrivent à l'accueil de la mairie ou \
             sur place."
        )
    );
    assert_eq!(
        f.results,
        some(
            "Une quarantaine de participants réguliers, dont la moitié sont arrivés dans la \
             commune depuis moins de deux ans."
        )
    );
    assert_eq!(
        f.target_public,
        some("Tous les habitants, débutants comme confirmés.")
    );
    assert_eq!(
        f.place_periodicity,
        some("Centre culturel de Mamer, le premier jeudi du mois.")
    );
    assert_eq!(f.costs, some("Gratuit pour les participants."));
    assert_eq!(f.other_info, None);
    // A person, their job title, their service and commune on one line, then the details:
    // one contact.
    assert_eq!(
        f.contacts,
        [contact(
            Some("Anne Schmit"),
            Some("Chef du Service Population"),
            Some("Service Intégration - Commune de Mamer"),
            &["31 00 31 - 1"],
            &["anne.schmit@mamer.lu"],
        )]
    );
    assert_eq!(f.communes, ["Mamer"]);
    assert!(f.websites.is_empty());

    // Missing sections stay absent; bullets stay lines; two contacts, each with its own
    // details, the second with its service printed after them.
    let f = &batch.practices[1].fields;
    assert_eq!(f.institution, some("Office social régional du Nord"));
    assert_eq!(f.organisers, None);
    assert_eq!(
        f.objectives,
        some(
            "Accompagner pendant six mois les familles nouvellement installées dans leurs \
             démarches quotidiennes."
        )
    );
    assert_eq!(
        f.description,
        some(
            "Chaque famille est mise en relation avec un parrain ou une marraine bénévole :\n\n\
             • visite des services communaux ;\n\
             • inscription des enfants à l'école et à la maison relais ;\n\
             - aide pour les formulaires administratifs."
        )
    );
    assert_eq!(
        (&f.results, &f.place_periodicity, &f.costs),
        (&None, &None, &None)
    );
    assert_eq!(
        f.target_public,
        some("familles arrivées depuis moins d'un an")
    );
    assert_eq!(
        f.contacts,
        [
            contact(
                Some("Marc Weber"),
                Some("coordinateur"),
                Some("Office social régional du Nord"),
                &["80 12 34"],
                &["marc.weber@osrn.lu"],
            ),
            contact(
                Some("Sophie Lentz"),
                None,
                Some("Service Intégration - Commune de Wiltz"),
                &["95 99 31 - 200"],
                &["sophie.lentz@wiltz.lu"],
            ),
        ]
    );
    assert_eq!(f.websites, ["www.osrn.lu"]);
    assert_eq!(f.other_info, some("www.osrn.lu"));

    // A page header inside the objectives and another inside the contacts, before a person.
    let p = &batch.practices[2];
    let f = &p.fields;
    assert_eq!(f.institution, some("Commune de Käerjeng"));
    assert_eq!(f.organisers, some("Käerjeng hëlleft asbl"));
    assert_eq!(
        f.objectives,
        some(
            "Apprendre à réparer son vélo et se déplacer en sécurité dans la commune, en \
             partageant les savoir-faire des participants de toutes origines."
        )
    );
    assert_eq!(f.description, None);
    assert_eq!(
        f.place_periodicity,
        some("Atelier communal, 12 rue de la Gare, chaque samedi matin.")
    );
    assert_eq!(f.costs, some("Néant"));
    assert_eq!(
        f.contacts,
        [
            contact(
                None,
                None,
                Some("Käerjeng hëlleft asbl"),
                &["26 50 11 22"],
                &["info@kaerjeng-hellef.lu"],
            ),
            contact(
                Some("Julie Hoffmann"),
                Some("Référente intégration"),
                None,
                &["621 123 456"],
                &["julie.hoffmann@kaerjeng.lu"],
            ),
        ]
    );
    assert_eq!(f.communes, ["Käerjeng"]);
    assert_eq!((p.sources[0].first_line, p.sources[0].last_line), (92, 131));
    assert!(!p.sources[0].truncated);
}

#[test]
fn markdown_variant_puts_every_field_in_place() {
    let batch = parse("fiche-variante.md");
    assert_eq!(batch.practices.len(), 1);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    let f = &batch.practices[0].fields;
    assert_eq!(f.title, "Cours de cuisine du monde");
    assert_eq!(f.institution, some("Ville d'Ettelbruck"));
    assert_eq!(f.organisers, some("Service à l'égalité des chances"));
    assert_eq!(
        f.objectives,
        some("Faire découvrir les cuisines des habitants et créer des liens entre voisins.")
    );
    assert_eq!(
        f.description,
        some(
            "- Un atelier par mois, animé par un habitant qui présente un plat de son pays ;\n\
             - Les participants repartent avec les recettes, traduites en trois langues."
        )
    );
    assert_eq!(
        f.target_public,
        some("Adultes et adolescents de la commune.")
    );
    assert_eq!((&f.results, &f.place_periodicity), (&None, &None));
    assert_eq!(f.costs, some("Participation de 5 euros par atelier."));
    assert_eq!(
        f.contacts,
        [
            contact(
                Some("Paul Muller"),
                Some("Chef du Service Population"),
                Some("Ville d'Ettelbruck"),
                &["81 91 81 - 300"],
                &["paul.muller@ettelbruck.lu"],
            ),
            contact(
                Some("Claire Dupont"),
                None,
                Some("Service Intégration - Commune d'Ettelbruck"),
                &["81 91 81 - 310"],
                &["claire.dupont@ettelbruck.lu"],
            ),
        ]
    );
    assert_eq!(f.communes, ["Ettelbruck"]);
}

/// A criterion as compared: id, post-it, component, proposition, expressions.
type Row<'a> = (
    Option<i64>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<u32>,
);

#[test]
fn platform_variant_keeps_a_description_without_its_closing_bar() {
    let parsed = ingest::parse_with(
        "plateforme-variante.txt",
        &data("plateforme-variante.txt"),
        ingest::Options::default(),
    )
    .unwrap();
    let batch = &parsed.batch;
    assert_eq!(batch.format, Format::SpiralCriteria);
    assert_eq!(batch.platforms.len(), 1);
    let p = &batch.platforms[0];
    assert_eq!(
        (p.name.as_str(), p.country.as_deref()),
        ("Diekirch", Some("Luxembourg"))
    );
    assert_eq!(
        p.description.as_deref(),
        Some(
            "La Ville de Diekirch anime depuis 2016 une plate-forme de coresponsabilité avec \
             les habitants, les associations et les services communaux.\nElle applique la \
             méthode SPIRAL pour définir ensemble le bien-être de tous."
        )
    );
    let groups: Vec<(&str, Option<&str>)> = batch
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.language.as_deref()))
        .collect();
    assert_eq!(
        groups,
        [
            ("Diekirch : Jeunes", Some("fr")),
            ("Diekirch : Parents", Some("lb"))
        ]
    );
    let criteria: Vec<Row> = batch
        .criteria
        .iter()
        .map(|c| {
            (
                c.id,
                c.text.as_str(),
                c.component.as_ref().map(domain::ComponentCode::as_str),
                c.proposition.as_deref(),
                c.expressions,
            )
        })
        .collect();
    assert_eq!(
        criteria,
        [
            (
                Some(501),
                "avoir un endroit pour se retrouver le soir",
                Some("H03"),
                Some("un local ouvert aux jeunes"),
                Some(3)
            ),
            (
                Some(502),
                "ne pas trouver d'apprentissage",
                Some("C06"),
                None,
                None
            ),
            (
                Some(503),
                "organiser un marché des échanges",
                None,
                None,
                Some(2)
            ),
        ]
    );
    assert_eq!(
        batch.criteria[2]
            .meaning
            .as_ref()
            .map(domain::MeaningCode::as_str),
        Some("P")
    );
    // Each criterion's line, for messages about it.
    assert_eq!(parsed.criterion_lines, [15, 16, 17]);
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    let w = &batch.warnings[0];
    assert_eq!(w.line, 4);
    assert!(
        w.message
            .contains("5 lines of page navigation (lines 4–6, 11–12)"),
        "{}",
        w.message
    );
}

#[test]
fn windows_line_breaks_read_as_unix_ones() {
    for name in [
        "fiches-variantes.txt",
        "fiche-variante.md",
        "plateforme-variante.txt",
        "sud-variante.txt",
    ] {
        let text = String::from_utf8(data(name)).unwrap();
        let crlf = text.replace('\n', "\r\n");
        let unix = parse(name);
        let windows = ingest::parse(name, crlf.as_bytes(), None)
            .unwrap_or_else(|e| panic!("{name} with CRLF: {e}"));
        assert_eq!(windows, unix, "{name}");
    }
}

/// A SUD practice as compared: communes, title, themes, description, source lines.
type SudRow<'a> = (
    &'a [String],
    &'a str,
    &'a [String],
    Option<&'a str>,
    (u32, u32),
);

#[test]
fn sud_variant_reads_rows_written_on_one_line_or_several() {
    let batch = parse("sud-variante.txt");
    assert_eq!(batch.format, Format::Sud);
    let rows: Vec<SudRow> = batch
        .practices
        .iter()
        .map(|p| {
            (
                p.fields.communes.as_slice(),
                p.fields.title.as_str(),
                p.fields.themes.as_slice(),
                p.fields.description.as_deref(),
                (p.sources[0].first_line, p.sources[0].last_line),
            )
        })
        .collect();
    let kayl = ["Kayl".to_string()];
    let schifflange = ["Schifflange".to_string()];
    let languages = ["Langues".to_string(), "Intégration".to_string()];
    let garden = ["Environnement".to_string(), "Social".to_string()];
    assert_eq!(
        rows,
        [
            (
                &kayl[..],
                "Un atelier de conversation réunit chaque semaine des habitants de toutes origines",
                &languages[..],
                Some(
                    "Un atelier de conversation réunit chaque semaine des habitants de toutes \
                     origines. Il est animé par des bénévoles."
                ),
                (7, 8)
            ),
            (
                &schifflange[..],
                "Un jardin partagé a été aménagé derrière la maison relais",
                &garden[..],
                Some(
                    "Un jardin partagé a été aménagé derrière la maison relais.\nLes familles y \
                     cultivent leurs légumes ensemble."
                ),
                (9, 13)
            ),
        ]
    );
    assert!(batch.practices.iter().all(|p| !p.sources[0].truncated));
    // The preamble, named by its lines.
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, 1);
}

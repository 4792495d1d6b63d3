//! The Assises booklet, read by a person: every field of every fiche, pinned.
//!
//! The expectations below were written from `data/corpus/assises-2-fiches.txt` by hand, following
//! the parsing conventions of `ingest::assises` (page headers and logos vanish, markup vanishes,
//! lines of a paragraph join with "\n", paragraphs with "\n\n", a heading present with nothing
//! under it is "", an absent one is null). They were not copied from the parser's output.
//! Long sections are pinned by their exact length in characters plus their first and last 60
//! characters; everything else is pinned whole. Where the conventions leave room for two
//! readings, the one a reader would expect is pinned and marked `AMBIGUOUS`.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use domain::text::{fold, normalise_line};
use domain::{Batch, Contact, Format, Language, PracticeRecord, Source, Status};
use ingest::assises;

const BOOKLET: &str = "assises-2-fiches.txt";
const MARKDOWN: &str = "assises-2-wok-differdange.md";

/// Lines of the booklet that are partners' logos (between fiches 3 and 4, and 11 and 12): noise.
const LOGO_LINES: [RangeInclusive<u32>; 2] = [231..=261, 938..=964];

fn corpus(name: &str) -> String {
    let path = format!("{}/../../data/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

static BOOKLET_BATCH: LazyLock<Result<Batch, String>> =
    LazyLock::new(|| assises::parse(BOOKLET, &corpus(BOOKLET)).map_err(|e| e.to_string()));

static MARKDOWN_BATCH: LazyLock<Result<Batch, String>> =
    LazyLock::new(|| assises::parse(MARKDOWN, &corpus(MARKDOWN)).map_err(|e| e.to_string()));

fn booklet() -> &'static Batch {
    match &*BOOKLET_BATCH {
        Ok(batch) => batch,
        Err(e) => panic!("the booklet was refused: {e}"),
    }
}

/// A long section: its length in characters, and its first and last 60 characters.
enum Text {
    Whole(&'static str),
    Long {
        chars: usize,
        head: &'static str,
        tail: &'static str,
    },
}

const fn whole(s: &'static str) -> Text {
    Text::Whole(s)
}

const fn long(chars: usize, head: &'static str, tail: &'static str) -> Text {
    Text::Long { chars, head, tail }
}

/// One expected contact, as [`Contact`] with static strings.
struct Person {
    name: Option<&'static str>,
    role: Option<&'static str>,
    organisation: Option<&'static str>,
    address: Option<&'static str>,
    phones: &'static [&'static str],
    emails: &'static [&'static str],
}

impl Person {
    fn to_contact(&self) -> Contact {
        let own = |s: Option<&str>| s.map(str::to_owned);
        Contact {
            name: own(self.name),
            role: own(self.role),
            organisation: own(self.organisation),
            address: own(self.address),
            phones: self.phones.iter().map(|s| (*s).to_owned()).collect(),
            emails: self.emails.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// One fiche as a person reads it. `first_line` is the page header that opens the fiche,
/// `last_line` the last non-blank line of its content.
struct Fiche {
    first_line: u32,
    last_line: u32,
    title: &'static str,
    subtitle: Option<&'static str>,
    institution: Option<&'static str>,
    organisers: Option<&'static str>,
    objectives: Option<Text>,
    description: Option<Text>,
    results: Option<Text>,
    target_public: Option<&'static str>,
    place_periodicity: Option<&'static str>,
    costs: Option<&'static str>,
    contacts: &'static [Person],
    websites: &'static [&'static str],
    other_info: Option<&'static str>,
}

/// The 24 fiches, in booklet order.
const FICHES: [Fiche; 24] = [
    // 1. line 5
    Fiche {
        first_line: 5,
        last_line: 65,
        title: "Formation de base pour bénévoles engagés auprès de Demandeurs de protection internationale DPI / de bénéficiaires de protection internationale BPI",
        subtitle: None,
        institution: Some("Agence du Bénévolat"),
        organisers: Some(
            "Agence du Bénévolat en collaboration avec ASTI, Caritas, Croix-Rouge luxembourgeoise et Reech eng Hand",
        ),
        objectives: Some(long(
            217,
            "Proposer aux bénévoles engagés auprès des DPI/BPI une format",
            "e socio-psychologique, le cadre légal et l'interculturalité.",
        )),
        description: Some(long(
            710,
            "Le besoin d'organiser une formation de base pour bénévoles a",
            "porter leur expertise de terrain aux bénévoles en formation.",
        )),
        results: Some(long(
            862,
            "Les bénévoles formés deviennent des acteurs de terrain avert",
            "ien social est décuplé ce qui favorise l'intégration locale.",
        )),
        target_public: Some(
            "Bénévoles intéressés par donner de leur temps, se rendre utile, faire partager leur expérience, défendre une cause, accomplir une bonne action ...",
        ),
        place_periodicity: Some("4 x par an dans différentes régions du pays"),
        costs: Some(
            "Le projet est soutenu financièrement par l'Oeuvre Nationale de Secours Grande-Duchesse Charlotte (appel à projets mateneen).",
        ),
        contacts: &[Person {
            name: None,
            role: None,
            organisation: Some("Agence du Bénévolat"),
            address: None,
            phones: &["(+352) 26 12 10 – 1"],
            emails: &["info@agence-benevolat.lu"],
        }],
        // AMBIGUOUS: "www.benevolat.lu" stands alone in the "Autres informations" section: it goes to
        // websites and, being written in that section, also stays in other_info's text.
        websites: &["www.benevolat.lu"],
        other_info: Some(
            "PORTAIL DU BENEVOLAT : L'Agence du Bénévolat met en lien via le Portail du Bénévolat, les organisations et les futurs bénévoles qui veulent s'engager dans des activités bénévoles.\n\nL'Agence du Bénévolat a un rôle d'interface entre les organisations qui publient sur le portail leurs offres d'activités pour bénévoles et les intéressés qui consultent les offres. Le bénévole peut de cette manière prendre directement contact avec les organisations pour proposer son aide selon ses compétences et ses aspirations.\n\nwww.benevolat.lu",
        ),
    },
    // 2. line 71
    Fiche {
        first_line: 71,
        last_line: 125,
        title: "L'Agence Immobilière Sociale - AIS, le partenaire des communes.",
        subtitle: Some("Luttons ensemble contre l'exclusion sociale lié au logement !"),
        institution: Some("Agence Immobilière Sociale & Office Social commune de Larochette"),
        organisers: Some("Agence Immobilière Sociale"),
        objectives: Some(whole(
            "Lutter ensemble contre l'exclusion sociale lié au logement.",
        )),
        description: Some(long(
            847,
            "La mission de l'AIS est de prendre en bail des logements ino",
            "oire\n- et ceci à un coût raisonnable et avec effet immédiat.",
        )),
        results: Some(long(
            257,
            "Une collaboration avec l'Agence Immobilière Sociale (AIS) pe",
            "rritoire\n- et ceci à coût raisonnable et avec effet immédiat",
        )),
        target_public: Some(
            "Ménages à revenu modeste souffrant d'une exclusion sociale lié au logement.",
        ),
        place_periodicity: Some("Sur le territoire de la commune/de l'office social en question"),
        costs: Some("Participations aux frais de l'AIS suivant envergure souhaitée"),
        contacts: &[Person {
            name: Some("Gilles Hempel"),
            // AMBIGUOUS: a job title that names its agency ("Agence", "- AIS"): read as the role, not
            // as an organisation.
            role: Some("Directeur de l'Agence Immobilière Sociale - AIS"),
            organisation: None,
            address: None,
            phones: &["26 48 39 52"],
            emails: &["gilles.hempel@ais.lu"],
        }],
        websites: &["www.ais.lu"],
        other_info: None,
    },
    // 3. line 129
    Fiche {
        first_line: 129,
        last_line: 227,
        title: "Le contrat d'accueil et d'intégration CAI: un outil national pouvant être décliné de différentes manières au niveau local.",
        subtitle: Some(
            "Un exemple concret: les mesures de pratique locale de la langue à travers le pays",
        ),
        institution: Some(
            "L'Office Luxembourgeois de l'Accueil et d'Intégration (OLAI) et l'Association de Soutien aux Travailleurs Immigrés (ASTI)",
        ),
        organisers: None,
        objectives: Some(whole(
            "Ce projet vise à élargir l'offre du contrat d'accueil et d'intégration (CAI) au niveau local, entre autres par des mesures de pratique linguistique.",
        )),
        description: Some(long(
            2784,
            "Avec le CAI, le gouvernement luxembourgeois s'est doté d'un ",
            "te lors de la mise en place d'un tel projet au niveau local.",
        )),
        results: Some(long(
            981,
            "De nombreuses personnes suivent des cours de langue au Luxem",
            "'intégration entre l'Etat, les communes et la société civile",
        )),
        target_public: Some(
            "- Les signataires du Contrat d'Accueil et d'Intégration – en priorité\n- Mais aussi: Toute autre personne qui désire pratiquer les langues française et luxembourgeoise",
        ),
        place_periodicity: Some("À fixer"),
        costs: Some("À fixer"),
        contacts: &[
            Person {
                name: Some("Bach Pitt"),
                role: Some("Mesures de pratique de la langue"),
                organisation: Some("ASI asbl"),
                address: None,
                phones: &["43 83 33 -33"],
                emails: &["pitt.bach@asti.lu"],
            },
            Person {
                name: Some("Leurs Anne"),
                // AMBIGUOUS: this line follows Bach Pitt's web address, but it precedes the person line
                // "Leurs Anne" exactly as "Mesures de pratique de la langue" precedes "Bach Pitt": a label
                // (role) of the next person, not prose.
                role: Some("Contrat d'Accueil et d'Intégration"),
                organisation: None,
                address: None,
                phones: &["247 -85748"],
                emails: &["anne.leurs@olai.etat.lu"],
            },
        ],
        websites: &["www.ast.lu", "www.olai.public.lu"],
        other_info: None,
    },
    // 4. line 265
    Fiche {
        first_line: 265,
        last_line: 366,
        title: "Projet « Neien Ufank » - Programme spécifique d'accès au logement et d'intégration socio-professionnelle et locale pour bénéficiaires de protection internationale",
        subtitle: None,
        institution: Some(
            "Projet « Neien Ufank » – Fondation Caritas Luxembourg - Service Solidarité & Intégration",
        ),
        organisers: None,
        objectives: Some(long(
            549,
            "Ce projet vise à mettre en place au sein du service Caritas ",
            "ation professionnelle et l'accompagnement social en général.",
        )),
        description: Some(long(
            4255,
            "Dans le projet « Neien Ufank », le logement occupe une place",
            "d'héberger des populations vulnérables et notamment des BPI.",
        )),
        results: Some(long(
            1368,
            "- Pour l'attribution de logements sociaux et afin d'éviter u",
            "s déchets et sur le fonctionnement de la commune en général.",
        )),
        target_public: Some("Les bénéficiaires de protection internationale BPI"),
        place_periodicity: Some("Durée du projet « Neien Ufank » 01/01/2017 au 31/12/2018"),
        costs: Some(
            "Le projet Neien Ufank financé par l'Œuvre nationale de secours Grande-Duchesse Charlotte",
        ),
        contacts: &[Person {
            name: Some("Glod Georges"),
            role: None,
            // The line after the person names a Caritas service: organisation, with no role.
            organisation: Some("Caritas Solidarité et Intégration (CSI)"),
            address: None,
            phones: &["+352 40 21 31 523"],
            emails: &["georges.glod@caritas.lu"],
        }],
        websites: &[],
        other_info: None,
    },
    // 5. line 370
    Fiche {
        first_line: 370,
        last_line: 423,
        title: "Formation de multiplicateurs",
        subtitle: None,
        institution: Some("CEFIS – Centre d'étude et de formation interculturelles et sociales"),
        organisers: None,
        objectives: Some(whole(
            "Former de « multiplicateurs » pour sensibiliser à l'inscription des résidents étrangers pour les communales de 2017.",
        )),
        description: Some(long(
            1607,
            "Dans la perspective des élections communales du 8 octobre 20",
            "e communication à destination de ses membres, de son public.",
        )),
        results: Some(long(
            573,
            "Le taux d'inscription des résidents étrangers aux dernières ",
            " des candidats représentatifs de la diversité de la commune.",
        )),
        target_public: Some("Personnes relais dans la société luxembourgeoise"),
        place_periodicity: Some("28 formations en 2016-2017"),
        costs: Some("gratuit"),
        contacts: &[Person {
            name: Some("Frederic MERTZ"),
            role: None,
            organisation: Some("CEFIS"),
            address: None,
            phones: &["44743 507"],
            emails: &["frederic.mertz@cefis.lu"],
        }],
        websites: &["www.cefis.lu"],
        other_info: None,
    },
    // 6. line 429. The DESIGN example: sources 429–503.
    Fiche {
        first_line: 429,
        last_line: 503,
        title: "« WOK – fir Inklusioun zu Déifferdeng » de la Ville de Differdange.",
        subtitle: Some(
            "Une approche transversale pour inciter l'intégration de tous les résidents par le biais des ressources locales déjà existantes: associations, groupes,..",
        ),
        institution: Some("Ville de Differdange"),
        organisers: Some("Service à l'Égalité des Chances"),
        objectives: Some(long(
            209,
            "Activer et inclure les groupements de personnes (association",
            "s collaborations, partenariats, soutiens ou accompagnements.",
        )),
        description: Some(long(
            1599,
            "Création d'un espace de rencontre et d'échanges pour les a.s",
            "incipaux du projet sont les associations avec leurs membres.",
        )),
        results: Some(long(
            471,
            "L'impact est direct et multiplié grâce au caractère multipli",
            " vivants par les exemples et autres réalisations effectuées.",
        )),
        target_public: Some(
            "Associations ayant leur siège dans la commune et, éventuellement, celles proposant des projets offrant une plus-value à la Ville de Differdange.",
        ),
        place_periodicity: Some(
            "Local \"WOK\" situé au 1535°C – Creativity hub de Differdange.\nFonctionnement selon les projets ou sur demande.",
        ),
        costs: Some(
            "Uniquement les coûts liés à la réalisation des éventuels projets (en plus des frais de fonctionnement)",
        ),
        contacts: &[Person {
            name: Some("CHEUNG Sing-Loon"),
            role: Some("Chargé à l'intégration et au handicap"),
            organisation: Some("Service à l'Égalité des Chances - Commune de Differdange"),
            address: None,
            phones: &["58 77 1-1558"],
            emails: &["SingLoon.Cheung@differdange.lu"],
        }],
        websites: &["www.differdange.lu/wok", "www.facebook.com/wokdifferdange/"],
        other_info: Some("Une brochure de présentation existe."),
    },
    // 7. line 509
    Fiche {
        first_line: 509,
        last_line: 561,
        title: "La gestion du bénévolat dans l'accueil des DPI",
        subtitle: Some(
            "expériences de la commune de Dudelange proposant une approche structurée et formative dans la gestion des bénévoles auprès des réfugiés",
        ),
        institution: Some("Ville de Dudelange"),
        organisers: Some(
            "Ville de Dudelange\n\nService à l'égalité des chances entre femmes et hommes\n\nCoordination communale de l'accueil et de l'accompagnement des DPI et primo-arrivants",
        ),
        objectives: Some(whole(
            "La continuité des efforts d'intégration et de cohésion sociale au niveau local",
        )),
        description: Some(long(
            3252,
            "Le bénévolat est un moyen de favoriser l'intégration par l'e",
            "es réfugiés et primo-arrivants et venez poser vos questions.",
        )),
        results: None,
        target_public: Some(
            "Bénévoles intéressés par donner de leur temps, se rendre utile\nDPI/BPI et primo arrivants",
        ),
        place_periodicity: None,
        costs: None,
        contacts: &[Person {
            name: Some("Jeannette Sinnes"),
            role: None,
            organisation: None,
            address: None,
            // An en dash inside a number does not split it: one phone.
            phones: &["51 61 21 – 208"],
            emails: &["accueildpi@dudelange.lu"],
        }],
        websites: &[],
        other_info: None,
    },
    // 8. line 567
    Fiche {
        first_line: 567,
        last_line: 630,
        title: "Le projet intégration par le sport de la Ville d'Esch-sur-Alzette – proposer des activités sportives adaptées aux femmes d'origine étrangère",
        subtitle: None,
        institution: Some("Ville d'Esch-sur-Alzette"),
        organisers: Some("Collège échevinal, Service des Sports"),
        objectives: Some(long(
            347,
            "- Proposer des activités sportives pour les femmes en tenant",
            "Combattre toutes les formes d'exclusion et de discrimination",
        )),
        description: Some(long(
            1698,
            "La déclaration prononcée lors du Conseil Européen en décembr",
            "n les cours ont été ouverts à toutes les femmes intéressées.",
        )),
        results: Some(long(
            498,
            "L'objectif du programme constitue dans la sensibilisation de",
            "cours sportifs réguliers, organisés de manière hebdomadaire.",
        )),
        target_public: Some("Résidents de la Ville d'Esch-sur-Alzette"),
        place_periodicity: Some(
            "Depuis 2011, la Ville d'Esch-sur-Alzette\nPériodicité adaptée au calendrier scolaire",
        ),
        costs: Some(""),
        contacts: &[Person {
            name: Some("Norma Zambon"),
            role: None,
            organisation: None,
            address: None,
            phones: &["Escher Sporthotline : 26 54 34 34"],
            emails: &["sports@villeesch.lu"],
        }],
        websites: &["www.esch.lu/sport"],
        other_info: Some(
            "Brochures disponibles à l'Hôtel de Ville d'Esch-sur-Alzette et sur le site internet www.esch.lu/sport\n\nFacebook : Escher Sport",
        ),
    },
    // 9. line 636
    Fiche {
        first_line: 636,
        last_line: 725,
        title: "Ville d'Esch-sur-Alzette – le PCI comme outil de consultation de la population locale pour définir les priorités à donner aux actions d'intégration locale",
        subtitle: None,
        institution: Some("Ville d'Esch-sur-Alzette"),
        organisers: Some(
            "Collège échevinal, Commission consultative communale à l'intégration, Service à l'Égalité des chances",
        ),
        objectives: Some(long(
            418,
            "- Dresser un état des lieux de la politique d'intégration de",
            "une ;\n- Soutenir les échanges entre résidents et résidentes.",
        )),
        description: Some(long(
            2248,
            "Après le pacte d'intégration (2011 – 2014), la ville a décid",
            "prêt à mettre en question des pratiques communales établies.",
        )),
        results: Some(long(
            709,
            "Une telle approche consultative permet à une commune d'entre",
            " langues et est associé à l'organisation des Living Library.",
        )),
        target_public: Some(
            "Résidents et résidentes de la Ville d'Esch-sur-Alzette\nMembres des commissions consultatives communales\nMembres des associations de la ville",
        ),
        place_periodicity: Some(
            "Durée du processus consultatif : septembre 2014-décembre 2016\nLe Plan communal intégration aura une durée de 3 ans (2017-2020)\nEn 2020 : évaluation et adaptation du PCI",
        ),
        costs: Some(
            "Convention avec 4motion et Brainiact (expertise et accompagnement externe)\nSoutien financier de l'OLAI (dans le cadre des subsides aux administrations communales pour l'élaboration d'un Plan communal intégration)",
        ),
        contacts: &[
            Person {
                name: Some("Codello Daniel"),
                // AMBIGUOUS: "Président de la Commission …" is a function, hence the role, though it names a
                // body; "Service Egalité des Chances" below is the organisation.
                role: Some("Président de la Commission Consultative à l'Intégration"),
                organisation: None,
                address: None,
                phones: &[],
                emails: &["daniel.codello@villeesch.lu"],
            },
            Person {
                name: Some("Jemming Nicole"),
                role: None,
                organisation: Some("Service Egalité des Chances"),
                address: None,
                phones: &[],
                emails: &["nicole.jemming@villeesch.lu"],
            },
        ],
        websites: &["www.esch.lu"],
        other_info: Some(
            "Le PCI sera online sur www.esch.lu\naprès l'approbation du conseil communal (printemps 2017).",
        ),
    },
    // 10. line 731
    Fiche {
        first_line: 731,
        last_line: 790,
        title: "HausCaRe - Agence immobilière sociale du Canton Rédange",
        subtitle: None,
        institution: Some(
            "Syndikat De Réidener Kanton\n(syndicat des 10 communes du canton de Redang)",
        ),
        organisers: Some(
            "Syndikat De Réidener Kanton en étroite collaboration avec l'OS CARE (Offices Social du Canton de Redange)",
        ),
        objectives: Some(long(
            597,
            "- Mise à disposition de logements à coût modéré\n- Création d",
            "propriétaires potentiellement intéressés à adhérer au projet",
        )),
        description: Some(long(
            1575,
            "- Intéressant pour la commune: Création de possibilités de l",
            " mise à disposition de logements décents et à prix abordable",
        )),
        results: Some(long(
            1562,
            "- En quelque sorte, la population lutte par le biais de ce p",
            "ent participer à la société avec son nouveau pouvoir d'achat",
        )),
        target_public: Some(
            "Toute personne résidant dans une des 10 communes du canton de Redange à la recherche d'un logement suivant les conditions du logement à loyer modéré et remplissant les conditions y afférentes. Toute personne qui souhaite pour des raisons professionnelles, privées ou autres venir habiter dans le canton de Redange à la recherche d'un logement et qui remplit des les conditions d'ayant droit au logement à loyer modéré et remplissant les conditions y afférentes.",
        ),
        place_periodicity: Some(
            "Canton de Redange : les communes de Beckerich, Ell, Grosbous, Préizerdaul, Rambrouch, Redange/Attert, Saeul, Useldange, Vichten, Wahl.\n\nLe projet est actuellement limité à 24 mois et a débuté en janvier 2017.",
        ),
        costs: Some("1 agent immobilier social en CDD 24 mois à raison de 0.5 ETP"),
        contacts: &[Person {
            name: Some("Monique Mahowald"),
            role: None,
            organisation: None,
            address: None,
            phones: &["+352 621 887 941"],
            emails: &["monique.mahowald@reidener-kanton.lu"],
        }],
        websites: &[],
        other_info: None,
    },
    // 11. line 794
    Fiche {
        first_line: 794,
        last_line: 930,
        title: "BETREIT WUNNEN FIR JONK LEIT - HESPER",
        subtitle: None,
        institution: Some("HESPERANGE"),
        // AMBIGUOUS: "Service :" is no heading, so it and the service's name stay in organisers.
        // The two later "Objectifs :" find objectives already filled (by "Missions et Objectifs:"), so
        // they are text of objectives; "Impact au niveau communal" is text of description, and there
        // is no results section.
        organisers: Some(
            "Service Jeunes et Enfants de la Commune de Hesperange\n\nService :\n\nBetreit Wunnen fir Jonk Leit",
        ),
        objectives: Some(long(
            475,
            "Service d'aide, de conseil et d'assistance pour personnes ad",
            "ion cible par l'empowerment\n- Accompagnement et suivi social",
        )),
        description: Some(long(
            3071,
            "La structure « Betreit Wunnen fir Jonk Leit » s'inscrit dans",
            " des cas spécifiques, p.ex. demande en assistance juridique.",
        )),
        results: None,
        target_public: Some(
            "Age minimum: 18 ans\nAge maximum: 30 ans\nSexe : hommes et femmes\n\nDisponibilités :\n\nPlaces disponibles: 6\nDisposition des places: 2 chambres simples / 2 chambres doubles",
        ),
        place_periodicity: Some("Maison Wagner\n470, route de Thionville\nL-5886 Hesperange"),
        costs: Some(
            "Les frais d'hébergement à payer, dépendent du revenu net disponible de l'utilisateur :\nsi le revenu net < 450 € : pas de participation financière\nsi le revenu net > 450 € : 1/3 du revenu net disponible frais d'hébergement\n1/3 du revenu net disponible épargne",
        ),
        contacts: &[Person {
            name: Some("Huremovic Haris"),
            role: None,
            organisation: None,
            address: None,
            phones: &["26 36 02 77", "661 36 02 88"],
            emails: &["huremovic.haris@jugendtreffhesper.lu"],
        }],
        websites: &["www.jugendtreffhesper.lu", "www.hesperange.lu"],
        other_info: None,
    },
    // 12. line 968
    Fiche {
        first_line: 968,
        last_line: 1040,
        title: "Equigaart : Jardin communautaire",
        subtitle: None,
        institution: Some("Commune de Junglinster"),
        organisers: Some("Equigaart asbl"),
        objectives: Some(long(
            507,
            "L'association a pour objet de promouvoir le jardinage biolog",
            "rmation, de conférences ou toute autre activité jugée utile.",
        )),
        description: Some(long(
            2601,
            "La commune de Junglinster s'engage résolument dans une visio",
            ", de s'apprécier et de construire un bout d'avenir ensemble.",
        )),
        results: Some(long(
            968,
            "Le projet rassemble chaque année entre 15 et 30 familles pou",
            "omeut donc une intégration politique des nouveaux arrivants.",
        )),
        target_public: Some("Les habitants de toute origine de la commune"),
        place_periodicity: Some(
            "Le projet est situé sur les champs exploités en maraîchage biologique par le Forum de l'Emploi à Junglinster.",
        ),
        costs: Some(
            "La commune, à travers les subsides alloués à Equiclic asbl, a cofinancé le démarrage du projet (investissement de départ de l'ordre de 3000 euro).\n\nL'asbl Equigaart est aujourd'hui autofinancée.",
        ),
        contacts: &[
            Person {
                name: Some("Mike Hagen"),
                role: Some("président"),
                organisation: None,
                address: None,
                phones: &["621 196 422"],
                emails: &["mhagen@pt.lu"],
            },
            Person {
                name: Some("Paul Estgen"),
                role: Some("secrétaire"),
                organisation: None,
                address: None,
                phones: &["691 787615"],
                // AMBIGUOUS: info@equigaart.lu is the association's address, but an e-mail line attaches to
                // the current contact, and nothing opens a new one before it.
                emails: &["paul.estgen@pt.lu", "info@equigaart.lu"],
            },
        ],
        websites: &["www.equigaart.lu"],
        other_info: None,
    },
    // 13. line 1044
    Fiche {
        first_line: 1044,
        last_line: 1104,
        // AMBIGUOUS: the printed title is bold over two lines; the title is the first line only and
        // "Croix- Rouge luxembourgeoise" opens the subtitle. The section "Présentation" is the
        // description; the fiche has no institution, objectives, results, public or costs.
        title: "LISKO- Lëtzebuenger Integratiouns- a Sozialkohäsiouns-Zenter",
        subtitle: Some(
            "Croix- Rouge luxembourgeoise\n\nService d'accompagnement social spécialisé ayant pour mission l'intégration des bénéficiaires de protection internationale (BPI)",
        ),
        institution: None,
        organisers: None,
        objectives: None,
        description: Some(long(
            3007,
            "Le service LISKO, conventionné avec le Ministère de la Famil",
            "ement de personnes provenant de Syrie, d'Irak et d'Erythrée.",
        )),
        results: None,
        target_public: None,
        place_periodicity: Some(
            "Les locaux du service se trouvent à Luxembourg-Ville. LISKO étant un service à couverture nationale, les 12 assistants sociaux se déplacent sur les lieux de vie des bénéficiaires et les accompagnent dans leurs démarches auprès des différentes institutions.",
        ),
        costs: None,
        contacts: &[Person {
            name: None,
            role: None,
            // No person: the two lines before the address name the organisation.
            organisation: Some(
                "Croix-Rouge – LISKO\nLëtzebuurger Integratiouns- a Sozialkohäsiouns-Zenter",
            ),
            address: Some("64, rue Charles Martel\nL-2134 Luxembourg"),
            phones: &["2755 - 5602"],
            emails: &["ressource.integration@croix-rouge.lu"],
        }],
        websites: &[],
        other_info: Some(
            "Le service propose des permanences hebdomadaires pour accueillir et inscrire les BPI\n\n- les mercredis de 08 :30 à 11 :30\n- les jeudis de 14 :00 à 16 :00 heures",
        ),
    },
    // 14. line 1108
    Fiche {
        first_line: 1108,
        last_line: 1207,
        title: "Groupe de travail coordonnant les initiatives de la Ville de Luxembourg dans l'intégration scolaire des enfants réfugiés: aperçu des synergies et mise en place de projets",
        subtitle: None,
        institution: Some("Ville de Luxembourg"),
        organisers: None,
        objectives: Some(long(
            211,
            "- Meilleure intégration des enfants demandeurs de protection",
            "liques\n- Amélioration du travail en réseau et de partenariat",
        )),
        description: Some(long(
            3959,
            "L'intégration des enfants de cultures diverses et de compéte",
            "au niveau de la commission scolaire et du groupe de travail.",
        )),
        results: Some(long(
            266,
            "L'accueil au sein de nos écoles et foyers scolaires permet u",
            "connaissance mutuelle, la solidarité et la cohésion sociale.",
        )),
        target_public: Some(
            "Enfants et familles DPI (territoire de la Ville de Luxembourg)\n\nEnfants et familles résidents des différents quartiers\n\nPartenaires multiples (Inspectorat, Enseignement, Foyers scolaires, Foyers DPI, partenaires locaux, différents services de la VdL)",
        ),
        place_periodicity: Some(
            "Ecole fondamentale Gare ainsi que d'autres établissements scolaires fondamentaux de la Ville de Luxembourg\n\nClasses étatiques sur le territoire de la VdL\n\nRencontres tous les 2 mois du groupe de travail (ou plus si besoin)",
        ),
        costs: Some(
            "Les coûts varient selon les différents besoins existants et sont difficilement chiffrables étant donné que des créations de postes, agrandissements/rénovations de locaux, interventions diverses de différents services et partenaires deviennent nécessaires.\n\nS'agissant de responsabilités communales, ces frais sont pris en charge sur les budgets des différents services.",
        ),
        contacts: &[
            Person {
                name: Some("Romain Roden"),
                role: None,
                // AMBIGUOUS: the part after the dash is a municipal service written in lower case; read as
                // the organisation, whereas "enseignante" below is a role.
                organisation: Some("service de l'enseignement"),
                address: None,
                phones: &[],
                emails: &["rroden@vdl.lu"],
            },
            Person {
                name: Some("Sabine Tonnar"),
                role: Some("enseignante"),
                organisation: None,
                address: None,
                phones: &[],
                emails: &[],
            },
        ],
        websites: &[],
        other_info: None,
    },
    // 15. line 1213
    Fiche {
        first_line: 1213,
        last_line: 1305,
        title: "Ville de Luxembourg - le PCI comme outil de sensibilisation à l'interculturel visant à impliquer les services et agents communaux ainsi que les acteurs locaux",
        subtitle: None,
        institution: Some("Ville de Luxembourg"),
        organisers: None,
        objectives: Some(long(
            759,
            "- Meilleure planification des actions d'intégration dans les",
            "afin de créer la confiance réciproque et la cohésion sociale",
        )),
        description: Some(long(
            3737,
            "Avec 70% de résidents non-luxembourgeois, les différentes cu",
            " services ainsi que d'observateurs extérieurs (CEFIS, OLAI).",
        )),
        results: Some(long(
            663,
            "L'état des lieux exhaustif alliant diverses méthodes et sour",
            "n compte des besoins nouveaux au courant des années à venir.",
        )),
        target_public: Some(
            "Services, commissions et instances communales de la Ville de Luxembourg\nPartenaires externes du domaine de l'intégration\nPartenaires externes des thématiques abordés lors des soirées thématiques",
        ),
        place_periodicity: Some(
            "Etat des lieux de janvier 2015 à juin 2016\nValidation de l'Etat des lieux en automne 2016",
        ),
        costs: Some(
            "Le choix d'un intervenant externe et d'un établissement d'un état des lieux interne et externe assez complet entraîne certainement des coûts plus importants, mais permet d'avoir une bonne base de travail en vue de l'élaboration d'un PCI impliquant l'ensemble des partenaires.",
        ),
        contacts: &[
            Person {
                name: Some("Esther Cornero / Madeleine Kayser"),
                role: None,
                organisation: Some("Service Intégration et besoins spécifiques"),
                address: None,
                phones: &[],
                emails: &["ecornero@vdl.lu", "makayser@vdl.lu"],
            },
            Person {
                // Two people printed as one contact line: kept as one contact, names as printed.
                name: Some("Sylvain Besch/Frédéric Mertz"),
                role: None,
                organisation: Some("CEFIS asbl"),
                address: None,
                phones: &["691-964447", "44743-501"],
                emails: &["sylvain.besch@cefis.lu", "frederic.mertz@cefis.lu"],
            },
        ],
        websites: &[],
        other_info: None,
    },
    // 16. line 1311
    Fiche {
        first_line: 1311,
        last_line: 1352,
        title: "Elaboration d'un Plan Communal Intégration PCI régional",
        subtitle: None,
        institution: Some("MISELERLAND"),
        organisers: None,
        objectives: Some(whole(
            "Améliorer le vivre ensemble en rapprochant les citoyens de la région",
        )),
        description: Some(long(
            630,
            "- Rapprochement des communes dans le but de créer une dynami",
            "rsonnes qui résident et qui désirent résider dans la région.",
        )),
        results: Some(long(
            377,
            "- Impact général sur la dynamique communale en matière de vi",
            "cation à l'intérieur des communes et au niveau intercommunal",
        )),
        target_public: Some("Tous les citoyens de la région"),
        place_periodicity: Some("Toute la région Mosellane"),
        costs: Some(""),
        contacts: &[Person {
            name: Some("Joëlle Golinski"),
            role: None,
            organisation: None,
            address: None,
            phones: &["750 139"],
            emails: &["joelle.golinski@miselerland.lu"],
        }],
        websites: &[],
        other_info: None,
    },
    // 17. line 1356
    Fiche {
        first_line: 1356,
        last_line: 1403,
        title: "Move Together, magazine sur l'intégration des diverses cultures",
        subtitle: None,
        institution: Some("Mouvement pour l'Égalité des Chances, pour tous – MEC asbl"),
        organisers: None,
        objectives: Some(whole(
            "Favoriser l'intégration des nouveaux arrivants et la cohésion sociale",
        )),
        description: Some(long(
            1298,
            "Move Together est un magazine qui a pour objectif d'informer",
            " enrichir culturellement les nouveaux arrivants arabophones.",
        )),
        results: Some(long(
            329,
            "Grâce à l'accès à l'information, les nouveaux arrivants peuv",
            "e vie de la société d'accueil et favorise le vivre ensemble.",
        )),
        target_public: Some("Les nouveaux arrivants"),
        place_periodicity: Some("Tous les foyers d'accueil du Luxembourg"),
        costs: Some(
            "Le projet est soutenu financièrement par l'Oeuvre Nationale de Secours Grande-Duchesse Charlotte (appel à projets mateneen).",
        ),
        contacts: &[Person {
            name: Some("Pattou Aurélia"),
            role: None,
            organisation: None,
            address: None,
            phones: &["26.72.00.35"],
            emails: &["aurelia.pattou@mecasbl.lu"],
        }],
        websites: &["www.mecasbl.lu"],
        other_info: None,
    },
    // 18. line 1409
    Fiche {
        first_line: 1409,
        last_line: 1464,
        title: "Brochure d'information destinée aux administrations communales « tout savoir sur l'accueil de DPI dans ma commune »",
        subtitle: None,
        institution: Some("OLAI - Office Luxembourgeois de l'Accueil et de l'Intégration"),
        organisers: None,
        objectives: Some(whole(
            "Offrir un catalogue de réponses aux communes qui ont, ou qui vont dans le future, accueillir des demandeurs d'asile sur leur territoire.",
        )),
        description: Some(long(
            1009,
            "Il s'agit de soutenir les administrations communales dans le",
            "e qui s'adresse avant tout aux agents communaux et aux élus.",
        )),
        results: Some(long(
            447,
            "Les informations ont été recueillies en collaboration avec l",
            " dans l'ouverture et la gestion de structures d'hébergement.",
        )),
        target_public: Some("Administrations communales et décideurs politiques"),
        place_periodicity: None,
        costs: Some(
            "La brochure sera téléchargeable gratuitement sur le site de l'OLAI (et de ses partenaires)",
        ),
        contacts: &[
            Person {
                name: Some("Sandy FOURNELLE"),
                role: None,
                organisation: None,
                address: None,
                phones: &["247 85752"],
                emails: &["sandy.fournelle@olai.etat.lu"],
            },
            Person {
                name: Some("Nathalie MEDERNACH"),
                role: None,
                organisation: None,
                address: None,
                phones: &["247 85753"],
                emails: &["nathalie.medernach@olai.etat.lu"],
            },
        ],
        websites: &[],
        other_info: None,
    },
    // 19. line 1470
    Fiche {
        first_line: 1470,
        last_line: 1524,
        title: "Projets favorisant l'intégration dans la commune de Remich",
        subtitle: Some(
            "Nopeschfest, Poterowend, Café social, Café des parents et Ambassadeurs de voisinage",
        ),
        institution: Some("Commune de Remich"),
        organisers: None,
        objectives: Some(whole(
            "Ces projets visent à favoriser le contact, de développer des liens sociaux et d'aider les nouveaux arrivants à mieux s'implanter dans la vie locale au sein de la commune.",
        )),
        description: Some(long(
            2594,
            "- Le «Nopeschfest» est une bonne occasion de rencontrer ses ",
            "sur les changements administratifs survenus dans la commune.",
        )),
        results: Some(long(
            687,
            "Tous nos projets visent à rapprocher les résidents de notre ",
            "'intégration de tous les nouveaux arrivants au niveau local.",
        )),
        target_public: Some("- Les nouveaux arrivants\n- Les résidents de la commune"),
        place_periodicity: Some(""),
        costs: Some(""),
        contacts: &[Person {
            name: Some("GEIMER Martine"),
            role: Some("Présidente de la commission de l'intégration de Remich"),
            organisation: None,
            address: None,
            phones: &["23 69 21", "661 266 601"],
            emails: &["kema@tango.lu"],
        }],
        websites: &[],
        other_info: None,
    },
    // 20. line 1528
    Fiche {
        first_line: 1528,
        last_line: 1579,
        title: "Nice to meet you - initiative de l'office social Résonord proposant des échanges entre résidents et réfugiés syriens",
        subtitle: None,
        institution: Some("RESONORD"),
        organisers: None,
        objectives: Some(whole(
            "Rapprocher les personnes de différentes origines, favoriser la compréhension et le respect mutuel, éliminer les préjugés entre les différentes cultures, renforcer la cohésion sociale.",
        )),
        description: Some(long(
            983,
            "C'est un échange interculturel qui se fera sous forme d'atel",
            "ttra à surmonter les préjugés et à accepter l'autre culture.",
        )),
        results: Some(whole(
            "- sensibiliser les résidents\n- améliorer l'accessibilité des activités\n- favoriser l'intégration des nouveaux arrivées dans une région rurale\n- renforcement de la cohésion sociale",
        )),
        target_public: Some("Luxembourgeois et Syriens"),
        place_periodicity: Some("6 Ateliers de sujets divers, 2 à 3 fois par an, selon besoin"),
        costs: Some("Frais de personnel encadrant, Interprète, Communication et Publication..."),
        contacts: &[Person {
            name: Some("Julia Gregor"),
            role: None,
            organisation: None,
            address: None,
            phones: &["27 80 27"],
            emails: &["julia.gregor@resonord.lu"],
        }],
        websites: &["www.resonord.lu"],
        // AMBIGUOUS: "facebook" and "flyers" are neither URLs nor people: prose after the contact.
        other_info: Some("facebook\n\nflyers"),
    },
    // 21. line 1583
    Fiche {
        first_line: 1583,
        last_line: 1660,
        title: "Mesures d'aides et d'intégration sociale pour nouveaux arrivants et réfugiés déployées par l'Office social de la Commune de Sanem",
        subtitle: None,
        institution: Some("Office social de la commune de Sanem"),
        organisers: Some("SCHLESSER Jean-Pierre, CROUGHS Geoffrey"),
        objectives: Some(whole(
            "Explication de diverses mesures entreprises en faveur des bénéficiaires de la protection internationale (BPI) du Foyer géré par l'OLAI dans la Commune de Sanem.",
        )),
        description: Some(long(
            2506,
            "Le Foyer géré par l'OLAI se situant dans la Commune de Sanem",
            "le fait que ce montant est remboursable par le bénéficiaire.",
        )),
        results: Some(long(
            350,
            "Le projet permet aux bénéficiaires de protection internation",
            "n que ces derniers ne se sentent pas complètement délaissés.",
        )),
        target_public: Some(
            "BPI de moins de 25 ans et BPI voulant effectuer un regroupement familial endéans les 3 mois suivant l'octroi du statut de protection internationale.",
        ),
        place_periodicity: Some(
            "Toutes ces actions qui ont été approuvées par le conseil d'administration de l'Office social de la Commune de Sanem sont révoquables à tout moment.",
        ),
        costs: Some("Non définissable à l'heure actuelle"),
        contacts: &[Person {
            name: Some("CROUGHS Geoffrey"),
            role: None,
            organisation: None,
            address: None,
            phones: &["59 30 75 - 898"],
            emails: &["geoffrey.crougths@sanem.lu"],
        }],
        websites: &[],
        other_info: None,
    },
    // 22. line 1664
    Fiche {
        first_line: 1664,
        last_line: 1713,
        title: "Café de Babel de la commune de Strassen",
        subtitle: Some(
            "rencontre permettant de pratiquer à la fois une langue étrangère, tout en échangeant sur le quotidien: famille, vie professionnelle, sport, voyages, culture,.. etc.",
        ),
        institution: Some("Commune de Strassen"),
        organisers: None,
        objectives: Some(whole(
            "Se rencontrer, se parler, échanger, se sentir bien ensemble !",
        )),
        description: Some(long(
            672,
            "Strassen est la 1ère commune à avoir conçu un café des langu",
            "ar mois entre 19h00 et 21h00 au Centre culturel Paul Barblé.",
        )),
        results: Some(long(
            548,
            "Café des langues « Café de Babel » constitue une bonne façon",
            "ritable succès. Chaque fois il y a quelque 100 participants.",
        )),
        target_public: Some("Tous et toute citoyen(e)s de la commune de Strassen"),
        place_periodicity: Some("Centre Barblé « Paul Barblé », une fois par mois"),
        costs: Some("Publications, petits snacks"),
        contacts: &[Person {
            name: Some("Luiza SOSNA"),
            role: None,
            organisation: None,
            address: None,
            phones: &["310262270"],
            emails: &["luiza.sosna@strassen.lu"],
        }],
        // AMBIGUOUS: the URL sits in prose followed by a comma, which is punctuation, not URL.
        websites: &["www.strassen.lu"],
        other_info: Some("Flyer, site web www.strassen.lu, press rev"),
    },
    // 23. line 1717
    Fiche {
        first_line: 1717,
        last_line: 1763,
        title: "KUFIKA",
        subtitle: Some(
            "La commune de Strassen et son projet d'initiatives culturelles qui, en collaboration avec le service d'intégration et service jeunesse et une commission culturelle vise à faire découvrir aux enfants les possibles expressions culturelles.",
        ),
        institution: Some("Commune de Strassen"),
        organisers: None,
        objectives: Some(whole(
            "Faire découvrir aux les possibles expressions culturelles et favoriser l'importance du vivre-ensemble, de la cohésion sociale et le bien-être partagé.",
        )),
        description: Some(long(
            572,
            "KUFIKA – un programme culturel gratuit pour les enfants et t",
            "et les interactions dans un cadre convivial et hors l'école.",
        )),
        results: Some(long(
            514,
            "Ce projet soutien le développement de l'éducation générale d",
            ", mais doit être vécu dans toutes les facettes du quotidien.",
        )),
        target_public: Some("Les familles de Strassen, les enfants entre 3 et 12 ans"),
        place_periodicity: Some("4 – 5 fois par ans"),
        costs: Some("Les gages des artistes"),
        contacts: &[Person {
            name: Some("Luiza SOSNA"),
            role: None,
            organisation: None,
            address: None,
            phones: &["310262270"],
            emails: &["luiza.sosna@strassen.lu"],
        }],
        websites: &[],
        other_info: Some("Flyers, presse revue"),
    },
    // 24. line 1767
    Fiche {
        first_line: 1767,
        last_line: 1830,
        title: "PCI de la commune de Strassen",
        subtitle: Some(
            "un plan englobant les engagements et actions de la Charte européenne pour l'égalité des femmes et des hommes, de la Charte de la Diversité et de l'approche du plan d'action d'intégration.",
        ),
        institution: Some("Commune de Strassen"),
        organisers: None,
        objectives: Some(long(
            283,
            "Le plan d'action citoyen basé sur l'inclusion et la particip",
            "nance à la commune et à promouvoir une culture de proximité.",
        )),
        // AMBIGUOUS: "Objectif général du plan d'action citoyen" starts like the heading "Objectif",
        // but objectives is already filled and the line is a sub-heading of the description: it
        // stays there. Likewise "Commune de Strassen" under "Lieu du projet" is the place, not an
        // institution heading.
        description: Some(long(
            2043,
            "Le plan d'action citoyen englobe les engagements et actions ",
            "ace, les différents plannings et les partenariats éventuels.",
        )),
        results: Some(long(
            572,
            "Le Plan Communal Intégration (PCI) est un instrument de gest",
            "\n- Structurée : qui est pensée et organisée étape par étape.",
        )),
        target_public: Some("Tous et toute citoyen(e)s de la commune de Strassen"),
        place_periodicity: Some("Commune de Strassen"),
        costs: Some("Sûrement mais ça dépend des projets prévus dans le plan d'action."),
        contacts: &[Person {
            name: Some("Luiza SOSNA"),
            role: None,
            organisation: None,
            address: None,
            phones: &["310262270"],
            emails: &["luiza.sosna@strassen.lu"],
        }],
        websites: &[],
        other_info: None,
    },
];

fn check_str(out: &mut Vec<String>, field: &str, actual: Option<&str>, expected: Option<&str>) {
    if actual != expected {
        out.push(format!("{field}: expected {expected:?}, found {actual:?}"));
    }
}

fn check_text(out: &mut Vec<String>, field: &str, actual: Option<&str>, expected: Option<&Text>) {
    match (actual, expected) {
        (None, None) => {}
        (Some(a), Some(Text::Whole(e))) if a == *e => {}
        (Some(a), Some(Text::Long { chars, head, tail }))
            if a.chars().count() == *chars && a.starts_with(head) && a.ends_with(tail) => {}
        (a, Some(Text::Whole(e))) => {
            out.push(format!("{field}: expected {e:?}, found {a:?}"));
        }
        (a, Some(Text::Long { chars, head, tail })) => out.push(format!(
            "{field}: expected {chars} characters, starting {head:?} and ending {tail:?}; found {} characters: {a:?}",
            a.map_or(0, |a| a.chars().count())
        )),
        (Some(a), None) => out.push(format!("{field}: expected null (absent section), found {a:?}")),
    }
}

/// Every difference between a parsed practice and what a reader sees in the fiche.
fn differences(p: &PracticeRecord, e: &Fiche, document: &str, lines: (u32, u32)) -> Vec<String> {
    let f = &p.fields;
    let mut out = Vec::new();
    check_str(&mut out, "title", Some(&f.title), Some(e.title));
    check_str(&mut out, "subtitle", f.subtitle.as_deref(), e.subtitle);
    check_str(
        &mut out,
        "institution",
        f.institution.as_deref(),
        e.institution,
    );
    check_str(
        &mut out,
        "organisers",
        f.organisers.as_deref(),
        e.organisers,
    );
    check_text(
        &mut out,
        "objectives",
        f.objectives.as_deref(),
        e.objectives.as_ref(),
    );
    check_text(
        &mut out,
        "description",
        f.description.as_deref(),
        e.description.as_ref(),
    );
    check_text(
        &mut out,
        "results",
        f.results.as_deref(),
        e.results.as_ref(),
    );
    check_str(
        &mut out,
        "target_public",
        f.target_public.as_deref(),
        e.target_public,
    );
    check_str(
        &mut out,
        "place_periodicity",
        f.place_periodicity.as_deref(),
        e.place_periodicity,
    );
    check_str(&mut out, "costs", f.costs.as_deref(), e.costs);
    let contacts: Vec<Contact> = e.contacts.iter().map(Person::to_contact).collect();
    if f.contacts != contacts {
        out.push(format!(
            "contacts: expected {contacts:#?}\nfound {:#?}",
            f.contacts
        ));
    }
    if f.websites != e.websites {
        out.push(format!(
            "websites: expected {:?}, found {:?}",
            e.websites, f.websites
        ));
    }
    check_str(
        &mut out,
        "other_info",
        f.other_info.as_deref(),
        e.other_info,
    );
    let source = Source {
        document: document.to_owned(),
        first_line: lines.0,
        last_line: lines.1,
        truncated: false,
    };
    if p.sources != [source.clone()] {
        out.push(format!(
            "sources: expected [{source:?}], found {:?}",
            p.sources
        ));
    }
    if p.status != Status::Published || p.language != Language::Fr {
        out.push(format!(
            "status/language: expected published/fr, found {}/{}",
            p.status.as_str(),
            p.language.as_str()
        ));
    }
    out
}

/// The practice read from the fiche opening at `first_line`: found by its source, else by its
/// rank in the booklet (so that one misplaced boundary does not hide the other fiches' fields).
fn practice_at(batch: &Batch, rank: usize, first_line: u32) -> &PracticeRecord {
    batch
        .practices
        .iter()
        .find(|p| {
            p.sources
                .first()
                .is_some_and(|s| s.first_line == first_line)
        })
        .or_else(|| batch.practices.get(rank))
        .unwrap_or_else(|| {
            panic!(
                "{BOOKLET}:{first_line}: no practice for fiche {} (the booklet gave {})",
                rank + 1,
                batch.practices.len()
            )
        })
}

fn assert_fiche(number: usize) {
    let e = &FICHES[number - 1];
    let p = practice_at(booklet(), number - 1, e.first_line);
    let diffs = differences(p, e, BOOKLET, (e.first_line, e.last_line));
    assert!(
        diffs.is_empty(),
        "{BOOKLET}:{}: fiche {number} « {} » differs from the source:\n- {}",
        e.first_line,
        e.title,
        diffs.join("\n- ")
    );
}

macro_rules! fiche_tests {
    ($($name:ident => $number:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_fiche($number);
            }
        )*
    };
}

fiche_tests! {
    fiche_01_formation_benevoles => 1,
    fiche_02_agence_immobiliere_sociale => 2,
    fiche_03_contrat_accueil_integration => 3,
    fiche_04_neien_ufank => 4,
    fiche_05_formation_multiplicateurs => 5,
    fiche_06_wok_differdange => 6,
    fiche_07_benevolat_dudelange => 7,
    fiche_08_sport_esch => 8,
    fiche_09_pci_esch => 9,
    fiche_10_hauscare => 10,
    fiche_11_betreit_wunnen => 11,
    fiche_12_equigaart => 12,
    fiche_13_lisko => 13,
    fiche_14_groupe_travail_vdl => 14,
    fiche_15_pci_vdl => 15,
    fiche_16_pci_miselerland => 16,
    fiche_17_move_together => 17,
    fiche_18_brochure_olai => 18,
    fiche_19_remich => 19,
    fiche_20_nice_to_meet_you => 20,
    fiche_21_office_social_sanem => 21,
    fiche_22_cafe_de_babel => 22,
    fiche_23_kufika => 23,
    fiche_24_pci_strassen => 24,
}

#[test]
fn booklet_yields_the_24_fiches_in_order() {
    let batch = booklet();
    let found: Vec<Option<u32>> = batch
        .practices
        .iter()
        .map(|p| p.sources.first().map(|s| s.first_line))
        .collect();
    let expected: Vec<Option<u32>> = FICHES.iter().map(|f| Some(f.first_line)).collect();
    assert_eq!(
        found, expected,
        "first lines of the practices, in booklet order"
    );
    assert_eq!(batch.practices.len(), 24);
    assert_eq!(
        (batch.document.as_str(), batch.format),
        (BOOKLET, Format::Assises)
    );
    // The booklet holds fiches only: no SPIRAL data.
    assert!(batch.platforms.is_empty() && batch.groups.is_empty() && batch.criteria.is_empty());
}

/// Every piece of text of a practice, with the name of the field it sits in.
fn texts(p: &PracticeRecord) -> Vec<(&'static str, &str)> {
    let f = &p.fields;
    let mut out = vec![("title", f.title.as_str())];
    let optional = [
        ("subtitle", &f.subtitle),
        ("institution", &f.institution),
        ("organisers", &f.organisers),
        ("objectives", &f.objectives),
        ("description", &f.description),
        ("results", &f.results),
        ("target_public", &f.target_public),
        ("place_periodicity", &f.place_periodicity),
        ("costs", &f.costs),
        ("other_info", &f.other_info),
    ];
    out.extend(
        optional
            .into_iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (k, v))),
    );
    for c in &f.contacts {
        for (k, v) in [
            ("contact name", &c.name),
            ("contact role", &c.role),
            ("contact organisation", &c.organisation),
            ("contact address", &c.address),
        ] {
            out.extend(v.as_deref().map(|v| (k, v)));
        }
        out.extend(c.phones.iter().map(|v| ("contact phone", v.as_str())));
        out.extend(c.emails.iter().map(|v| ("contact e-mail", v.as_str())));
    }
    out.extend(f.websites.iter().map(|v| ("websites", v.as_str())));
    out
}

#[test]
fn no_page_header_logo_or_markup_leaks_into_a_practice() {
    // Single `*` covers both bold and italic markers: the booklet prints no literal asterisk.
    let forbidden = [
        "Assises nationales",
        "^{",
        "**",
        "*",
        "<sup>",
        "LE GOUVERNEMENT",
        "SYVICOL",
        "Syndicat des Villes",
        "INTERCULTURELLE",
        "LYCÉE TECHNIQUE",
        "Lycée Ermesinde",
    ];
    let mut leaks = Vec::new();
    // The markdown copy is checked too when it parses; its own test reports when it does not.
    let markdown = MARKDOWN_BATCH
        .as_ref()
        .map_or(&[][..], |b| b.practices.as_slice());
    for p in booklet().practices.iter().chain(markdown) {
        for (field, text) in texts(p) {
            for bad in forbidden.iter().filter(|bad| text.contains(*bad)) {
                leaks.push(format!(
                    "« {} » {field} contains {bad:?}: {text:?}",
                    p.fields.title
                ));
            }
        }
    }
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
}

/// Removes the booklet's markup (`**bold**`, `*italic*`, `^{ère}`) and normalises spaces.
fn unmarked(line: &str) -> String {
    let mut s = line.replace('*', "");
    while let Some(start) = s.find("^{") {
        let Some(len) = s[start..].find('}') else {
            break;
        };
        s.replace_range(start + len..=start + len, "");
        s.replace_range(start..start + 2, "");
    }
    normalise_line(&s)
}

/// The section headings of the template, folded, longest first so that a prefix match takes
/// the whole heading.
const HEADINGS: [&str; 20] = [
    "breve description et approche preconisee",
    "resultats / plus-values du projet",
    "lieu du projet et periodicite",
    "organisme gestionnaire",
    "public cible du projet",
    "missions et objectifs",
    "commune/institution",
    "organisateur (s)",
    "couts eventuels",
    "organisateur(s)",
    "lieu du projet",
    "organisateurs",
    "organisateur",
    "presentation",
    "institution",
    "objectifs",
    "objectif",
    "contacts",
    "commune",
    "contact",
];

/// What is left of a line once a heading or a contact label that opens it is taken off.
fn value_after_label(line: &str) -> Option<String> {
    let folded = fold(line);
    // "Autres informations utiles (site web, documents édités,...)": the parenthesis is part of
    // the heading.
    if folded.starts_with("autres informations utiles") {
        return Some(String::new());
    }
    let label_len = HEADINGS
        .iter()
        .find(|h| {
            folded.starts_with(*h)
                && folded[h.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| matches!(c, ' ' | ':' | '|'))
        })
        .map(|h| h.chars().count())
        .or_else(|| {
            [
                "tel", "gsm", "e-mail", "e - mail", "e- mail", "e -mail", "e mail",
            ]
            .iter()
            .find(|l| folded.starts_with(*l))
            .map(|l| l.chars().count())
        })?;
    // Folding keeps one character per accented letter here, so counts match the original.
    let rest: String = line.chars().skip(label_len).collect();
    Some(rest.trim_start_matches([' ', ':', '|']).trim().to_owned())
}

/// A line cut where the contacts section splits values: "a / b", "a ou b", "Name - role".
fn split_values(line: &str) -> Vec<&str> {
    let mut parts = vec![line];
    for separator in [" / ", " ou ", " - ", " – ", "- ", "/"] {
        parts = parts.into_iter().flat_map(|p| p.split(separator)).collect();
    }
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

#[test]
fn every_line_of_the_booklet_lands_in_its_fiche() {
    let source = corpus(BOOKLET);
    let batch = booklet();
    let mut lost = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let number = u32::try_from(index + 1).expect("the booklet has few lines");
        let line = unmarked(raw);
        if line.is_empty()
            || line.contains("Assises nationales")
            || LOGO_LINES.iter().any(|r| r.contains(&number))
        {
            continue;
        }
        let Some(rank) = FICHES.iter().rposition(|f| f.first_line <= number) else {
            lost.push(format!(
                "{BOOKLET}:{number}: text before the first fiche: {line:?}"
            ));
            continue;
        };
        let p = practice_at(batch, rank, FICHES[rank].first_line);
        let fields = texts(p);
        let whole_lines: Vec<&str> = fields.iter().flat_map(|(_, t)| t.lines()).collect();
        let blob: String = fields
            .iter()
            .map(|(_, t)| *t)
            .collect::<Vec<_>>()
            .join("\n");
        let mut candidates = vec![line.clone()];
        if let Some(value) = value_after_label(&line) {
            if value.is_empty() {
                continue; // a bare heading or label
            }
            candidates.push(value);
        }
        let found = candidates.iter().any(|c| {
            whole_lines.contains(&c.as_str())
                || split_values(c).iter().all(|piece| blob.contains(piece))
        });
        if !found {
            lost.push(format!(
                "{BOOKLET}:{number}: {line:?} is in no field of fiche {}",
                rank + 1
            ));
        }
    }
    assert!(
        lost.is_empty(),
        "{} lines lost:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

#[test]
fn markdown_copy_reads_as_booklet_fiche_6() {
    let batch = match &*MARKDOWN_BATCH {
        Ok(batch) => batch,
        Err(e) => panic!("the markdown fiche was refused: {e}"),
    };
    assert_eq!(batch.practices.len(), 1, "{MARKDOWN} holds one fiche");
    let md = &batch.practices[0];
    // Pinned against the reading of the booklet, not only against the booklet parse, so that
    // the same mistake in both cannot pass.
    let diffs = differences(md, &FICHES[5], MARKDOWN, (5, 77));
    assert!(
        diffs.is_empty(),
        "{MARKDOWN} differs from the source:\n- {}",
        diffs.join("\n- ")
    );
    let booklet_wok = practice_at(booklet(), 5, FICHES[5].first_line);
    pretty_assertions::assert_eq!(md.fields, booklet_wok.fields);
}

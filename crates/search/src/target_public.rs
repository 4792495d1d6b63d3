//! The "target public" facet: a short, shared name for whom a practice is for.
//!
//! Fiches describe their public in free text ("Bénévoles intéressés par donner de leur temps…",
//! "DPI/BPI et primo arrivants"), so the raw text would give one facet value per fiche. Instead,
//! each practice gets every category whose keywords its target public mentions (a fiche for
//! volunteers working with refugees is in both). Keywords are matched at the start of words of
//! the folded text, in French, German, English and Luxembourgish; labels are French, the
//! language of the catalogue. A target public that names no category keeps its first line, cut
//! at a word boundary, so nothing is hidden.

use domain::text::{fold, normalise_line};

/// The longest fallback label, in characters.
const FALLBACK_MAX_CHARS: usize = 60;

/// Category labels and the word beginnings that put a practice in them.
const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Bénévoles",
        &[
            "benevol",
            "volunteer",
            "freiwillig",
            "ehrenamt",
            "benevolat",
        ],
    ),
    (
        "Demandeurs et bénéficiaires de protection internationale",
        &[
            "dpi",
            "bpi",
            "protection internationale",
            "demandeur d asile",
            "demandeurs d asile",
            "refugi",
            "refugee",
            "asyl",
            "fluchtling",
            "gefluchtet",
            "syrien",
        ],
    ),
    (
        "Nouveaux arrivants",
        &[
            "nouveaux arrivant",
            "nouvel arrivant",
            "primo arrivant",
            "newcomer",
            "neuankommling",
            "zougezunn",
        ],
    ),
    (
        "Résidents et citoyens",
        &[
            "resident",
            "residant",
            "citoyen",
            "habitant",
            "population",
            "einwohner",
            "burger",
            "citizen",
            "awunner",
        ],
    ),
    ("Associations", &["association", "asbl", "verein", "club"]),
    (
        "Enfants et familles",
        &["enfant", "famil", "kinder", "children", "kanner"],
    ),
    ("Jeunes", &["jeune", "jugend", "youth", "young", "jonk"]),
    (
        "Administrations et élus communaux",
        &[
            "administration",
            "commission",
            "decideur",
            "instances communales",
            "services communaux",
            "gemeindeverwaltung",
        ],
    ),
    (
        "Ménages à revenu modeste",
        &[
            "revenu modeste",
            "loyer modere",
            "exclusion sociale",
            "low income",
            "geringem einkommen",
        ],
    ),
    (
        "Signataires du contrat d'accueil et d'intégration",
        &["signataire", "contrat d accueil"],
    ),
    (
        "Personnes relais",
        &["personnes relais", "personne relais", "multiplicateur"],
    ),
];

/// The facet values of a target public text; empty when there is no text.
pub fn categories(target_public: Option<&str>) -> Vec<String> {
    let Some(text) = target_public.map(str::trim).filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    // Words separated by single spaces, with a leading space so " word" finds word starts.
    let words: String = fold(text)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let haystack = format!(" {}", normalise_line(&words));
    let found: Vec<String> = CATEGORIES
        .iter()
        .filter(|(_, keys)| keys.iter().any(|k| haystack.contains(&format!(" {k}"))))
        .map(|(label, _)| (*label).to_string())
        .collect();
    if found.is_empty() {
        vec![first_line(text)]
    } else {
        found
    }
}

/// The first non-empty line without list dashes, cut at a word boundary.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(|l| normalise_line(l.trim_start_matches(['-', '–', '•', '*', ' '])))
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.chars().count() <= FALLBACK_MAX_CHARS {
        return line;
    }
    let mut out = String::new();
    for word in line.split(' ') {
        if out.chars().count() + 1 + word.chars().count() > FALLBACK_MAX_CHARS - 1 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = line.chars().take(FALLBACK_MAX_CHARS - 1).collect();
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_publics_fall_into_shared_categories() {
        assert_eq!(
            categories(Some(
                "Bénévoles intéressés par donner de leur temps, se rendre utile\nDPI/BPI et primo arrivants"
            )),
            vec![
                "Bénévoles",
                "Demandeurs et bénéficiaires de protection internationale",
                "Nouveaux arrivants"
            ]
        );
        assert_eq!(
            categories(Some("Les bénéficiaires de protection internationale BPI")),
            vec!["Demandeurs et bénéficiaires de protection internationale"]
        );
        assert_eq!(
            categories(Some("Tous et toute citoyen(e)s de la commune de Strassen")),
            vec!["Résidents et citoyens"]
        );
        // Keywords start words: "aéroclub" is not a "club".
        assert_eq!(
            categories(Some("Membres de l'aéroclub")),
            vec!["Membres de l'aéroclub"]
        );
    }

    #[test]
    fn unknown_publics_keep_a_short_first_line() {
        assert_eq!(
            categories(Some("Age minimum: 18 ans\nAge maximum: 30 ans")),
            vec!["Age minimum: 18 ans"]
        );
        let long = "Personnel soignant des maisons de soins et des hôpitaux de la région du Nord et de l'Est";
        let label = &categories(Some(long))[0];
        assert!(label.ends_with('…') && label.chars().count() <= FALLBACK_MAX_CHARS);
        assert!(long.starts_with(label.trim_end_matches('…')));
        assert!(categories(None).is_empty());
        assert!(categories(Some("  ")).is_empty());
    }
}

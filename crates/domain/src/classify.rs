//! Classification suggestions for a criterion: which components its words point to.
//!
//! Two sources, both explainable to a facilitator: criteria of the same platform already
//! classified that share words with this one (the group's own vocabulary), and the codebook's
//! labels and descriptions. No stemmer exists for every language here, so words compare by
//! their folded first four letters ("seule" ~ "seul", "isolées" ~ "isolement").

use std::collections::{BTreeMap, BTreeSet};

use crate::spiral::{Codebook, Criterion};
use crate::text::fold;

/// Words shorter than this carry little meaning ("de", "les", "pas").
const MIN_WORD: usize = 4;
const STEM: usize = 4;

fn stems(text: &str) -> BTreeSet<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= MIN_WORD)
        .map(|w| w.chars().take(STEM).collect())
        .collect()
}

/// Up to `limit` component codes (three characters), best first.
pub fn suggest(
    criterion: &Criterion,
    classified: &[Criterion],
    codebook: Option<&Codebook>,
    limit: usize,
) -> Vec<String> {
    let mut words = stems(&criterion.text);
    if let Some(p) = &criterion.proposition {
        words.extend(stems(p));
    }
    if words.is_empty() {
        return Vec::new();
    }
    let mut scores: BTreeMap<String, u32> = BTreeMap::new();
    for other in classified {
        if other.id.is_some() && other.id == criterion.id {
            continue;
        }
        let Some(code) = &other.component else {
            continue;
        };
        let shared = stems(&other.text).intersection(&words).count() as u32;
        if shared > 0 {
            // A neighbour's classification weighs more than a codebook label: it is how this
            // platform reads its own words.
            *scores.entry(code.component().to_string()).or_default() += 2 * shared;
        }
    }
    if let Some(codebook) = codebook {
        for e in codebook.entries.iter().filter(|e| e.level == "component") {
            let text = [&e.label_fr, &e.label_en, &e.description_en]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            let shared = stems(&text).intersection(&words).count() as u32;
            if shared > 0 {
                *scores.entry(e.code.clone()).or_default() += shared;
            }
        }
    }
    let mut ranked: Vec<(String, u32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.into_iter().take(limit).map(|(c, _)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spiral::{CodebookEntry, ComponentCode};

    fn criterion(id: i64, text: &str, component: Option<&str>) -> Criterion {
        Criterion {
            id: Some(id),
            platform: "p".into(),
            group: "g".into(),
            question: "IB".into(),
            text: text.into(),
            expressions: None,
            component: component.map(|c| ComponentCode::parse(c).unwrap()),
            meaning: None,
            proposition: None,
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn neighbours_then_labels() {
        let codebook = Codebook {
            version: "t".into(),
            entries: vec![CodebookEntry {
                code: "A01".into(),
                level: "component".into(),
                dimension: "A".into(),
                label_en: Some("Food / drink".into()),
                label_fr: Some("Alimentation".into()),
                description_en: None,
                status: "verified".into(),
                source: None,
            }],
        };
        let classified = [
            criterion(1, "Se sentir seule le soir", Some("D00-1/P")),
            criterion(2, "Une alimentation saine", Some("A01")),
            criterion(3, "rien à voir", None),
        ];
        let me = criterion(9, "se sentir seul, manque d'alimentation", None);
        assert_eq!(
            suggest(&me, &classified, Some(&codebook), 5),
            ["D00", "A01"]
        );
        assert!(suggest(&criterion(9, "de la", None), &classified, None, 5).is_empty());
    }
}

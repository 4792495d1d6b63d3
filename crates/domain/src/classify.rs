//! Classification suggestions for a criterion: which components its words point to.
//!
//! Three sources, each explainable to a facilitator: the concepts of the scheme the criterion
//! names (each maps to components), criteria already classified that share words with this
//! one (the platform's own first, then every platform's), and the codebook's labels and
//! descriptions. No stemmer exists for every language here, so words compare by
//! their folded first four letters ("seule" ~ "seul", "isolées" ~ "isolement").

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::concepts::{ConceptScheme, Tag};
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

/// Why a component is suggested, for the facilitator to judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The criterion names a concept of the scheme that maps to the component.
    Concept { concept: String, words: Vec<String> },
    /// A classified criterion shares words with this one.
    Criterion {
        id: Option<i64>,
        text: String,
        same_platform: bool,
    },
    /// The component's codebook label or description shares words with the criterion.
    Codebook,
}

/// A component the criterion's concepts point to, with the concept as its reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// A component code (`A05`); a dimension letter stands for its `X00`.
    pub component: String,
    pub weight: f32,
    pub concept: String,
    pub words: Vec<String>,
}

/// The components of a criterion's concepts: each concept's weight is shared among the
/// components it maps to.
pub fn concept_hints(scheme: &ConceptScheme, tags: &[Tag]) -> Vec<Hint> {
    let mut out = Vec::new();
    for tag in tags {
        let Some(c) = scheme.get(&tag.concept) else {
            continue;
        };
        if c.components.is_empty() {
            continue;
        }
        let share = tag.weight / c.components.len() as f32;
        for code in &c.components {
            let component = if code.len() == 1 {
                format!("{code}00")
            } else {
                code.clone()
            };
            out.push(Hint {
                component,
                weight: share,
                concept: c.id.clone(),
                words: tag.words.clone(),
            });
        }
    }
    out
}

/// A suggested component, its score and its reasons, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub code: String,
    pub score: f32,
    pub reasons: Vec<Reason>,
}

/// Per shared word with a criterion of the same platform: how this platform reads its words.
const SAME_PLATFORM: f32 = 2.0;
/// Per shared word with a criterion of another platform: a new platform is not cold.
const OTHER_PLATFORM: f32 = 1.0;
/// Per shared word with a codebook label or description.
const CODEBOOK: f32 = 1.0;
/// Per unit of a concept's weight (about 0.7 for one mention, more for several).
const CONCEPT: f32 = 3.0;
/// At most this many reasons of one kind per suggestion.
const MAX_REASONS: usize = 3;

/// Up to `limit` components (three characters) for `criterion`, best first, each with its
/// score and reasons. Three sources, all explainable: the concepts the criterion names
/// (`hints`), classified criteria sharing its words (those of its own platform weigh double),
/// and the codebook's labels and descriptions.
pub fn suggestions(
    criterion: &Criterion,
    classified: &[Criterion],
    codebook: Option<&Codebook>,
    hints: &[Hint],
    limit: usize,
) -> Vec<Suggestion> {
    let mut words = stems(&criterion.text);
    if let Some(p) = &criterion.proposition {
        words.extend(stems(p));
    }
    let mut scores: BTreeMap<String, (f32, Vec<Reason>)> = BTreeMap::new();
    let mut add = |code: &str, score: f32, reason: Reason| {
        let entry = scores.entry(code.to_string()).or_insert((0.0, Vec::new()));
        entry.0 += score;
        let same_kind = entry
            .1
            .iter()
            .filter(|r| std::mem::discriminant(*r) == std::mem::discriminant(&reason))
            .count();
        if same_kind < MAX_REASONS && !entry.1.contains(&reason) {
            entry.1.push(reason);
        }
    };
    for h in hints {
        if let Some(code) = h.component.get(..3) {
            add(
                code,
                CONCEPT * h.weight,
                Reason::Concept {
                    concept: h.concept.clone(),
                    words: h.words.clone(),
                },
            );
        }
    }
    if !words.is_empty() {
        // A word most criteria share ("avoir", "plus") says little: shared words weigh by
        // their rarity among the classified criteria (inverse document frequency).
        let texts: Vec<BTreeSet<String>> = classified.iter().map(|o| stems(&o.text)).collect();
        let n = texts.len() as f32 + 1.0;
        let rarity = |w: &String| -> f32 {
            let df = texts.iter().filter(|t| t.contains(w)).count() as f32;
            (n / (df + 0.5)).ln().max(0.0)
        };
        for (other, other_words) in classified.iter().zip(&texts) {
            if other.id.is_some() && other.id == criterion.id {
                continue;
            }
            let Some(code) = &other.component else {
                continue;
            };
            let shared: f32 = other_words.intersection(&words).map(rarity).sum();
            if shared > 0.0 {
                let same_platform = other.platform == criterion.platform;
                let weight = if same_platform {
                    SAME_PLATFORM
                } else {
                    OTHER_PLATFORM
                };
                add(
                    code.component(),
                    weight * shared,
                    Reason::Criterion {
                        id: other.id,
                        text: other.text.clone(),
                        same_platform,
                    },
                );
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
                let shared: f32 = stems(&text).intersection(&words).map(rarity).sum();
                if shared > 0.0 {
                    add(&e.code, CODEBOOK * shared, Reason::Codebook);
                }
            }
        }
    }
    let mut ranked: Vec<Suggestion> = scores
        .into_iter()
        .map(|(code, (score, reasons))| Suggestion {
            code,
            score,
            reasons,
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.code.cmp(&b.code))
    });
    ranked.truncate(limit);
    ranked
}

/// Up to `limit` component codes (three characters), best first, from classified criteria
/// and the codebook alone.
pub fn suggest(
    criterion: &Criterion,
    classified: &[Criterion],
    codebook: Option<&Codebook>,
    limit: usize,
) -> Vec<String> {
    suggestions(criterion, classified, codebook, &[], limit)
        .into_iter()
        .map(|s| s.code)
        .collect()
}

/// Suggestions measured leave-one-out: each classified criterion is classified from the others,
/// compared with its own code by the first three characters (`A01-11/P15/k` counts as `A01`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Classified criteria measured.
    pub criteria: usize,
    /// Share whose code is the first suggestion.
    pub top1: f64,
    /// Share whose code is among the first three.
    pub top3: f64,
    /// Share whose code is the most frequent code of the others (the baseline).
    pub majority: f64,
    /// The criteria missed in the first three: text, code, and the three suggested.
    pub misses: Vec<(String, String, Vec<String>)>,
}

/// Classifies every classified criterion of `all` from the others (those of every platform,
/// its own weighing double), the codebook and the concepts `hints` finds in its text.
pub fn leave_one_out(
    all: &[Criterion],
    codebook: Option<&Codebook>,
    hints: &dyn Fn(&str) -> Vec<Hint>,
) -> Evaluation {
    let classified: Vec<&Criterion> = all.iter().filter(|c| c.component.is_some()).collect();
    let (mut top1, mut top3, mut majority) = (0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &classified {
        if let Some(code) = &c.component {
            *counts.entry(code.component()).or_default() += 1;
        }
    }
    for (i, c) in classified.iter().enumerate() {
        let Some(code) = &c.component else { continue };
        let truth = code.component();
        let others: Vec<Criterion> = classified
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| (*o).clone())
            .collect();
        let words = match &c.proposition {
            Some(p) => format!("{} {p}", c.text),
            None => c.text.clone(),
        };
        let ranked: Vec<String> = suggestions(c, &others, codebook, &hints(&words), 3)
            .into_iter()
            .map(|s| s.code)
            .collect();
        top1 += usize::from(ranked.first().map(String::as_str) == Some(truth));
        let hit = ranked.iter().any(|r| r == truth);
        top3 += usize::from(hit);
        if !hit {
            misses.push((c.text.clone(), truth.to_string(), ranked));
        }
        // The majority class of the others: this criterion's own code counts one less.
        let most = counts
            .iter()
            .map(|(k, n)| (*k, if *k == truth { n - 1 } else { *n }))
            .max_by_key(|(k, n)| (*n, std::cmp::Reverse(*k)))
            .map(|(k, _)| k);
        majority += usize::from(most == Some(truth));
    }
    let n = classified.len().max(1) as f64;
    Evaluation {
        criteria: classified.len(),
        top1: top1 as f64 / n,
        top3: top3 as f64 / n,
        majority: majority as f64 / n,
        misses,
    }
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

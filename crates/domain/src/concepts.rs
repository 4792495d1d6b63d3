//! The concept scheme of local integration (SKOS in spirit; EuroVoc and ELSST are the models),
//! and the rule that finds its concepts in a text written in any of the four languages.
//!
//! A concept has a preferred label and alternative labels in French, German, Luxembourgish
//! and English, broader and related concepts, and the SPIRAL components it maps to. The
//! scheme's top concepts are the catalogue's themes.
//!
//! Finding concepts ([`Matcher`]) needs the same text analysis as the search index (folding,
//! elision, stop words, stemming), which lives with the index; so the matcher is built from
//! an analysis function, and the rule itself — longest label first, compounds split where no
//! label matches whole — is written once here, for query expansion and for tagging alike.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::Language;

/// The languages every concept is labelled in, in the order of [`Concept::labels`].
pub const LANGUAGES: [Language; 4] = [Language::Fr, Language::De, Language::Lb, Language::En];

fn language_index(language: Language) -> usize {
    LANGUAGES
        .iter()
        .position(|l| *l == language)
        .expect("every language is a scheme language")
}

/// The labels of a concept in one language: `skos:prefLabel` and `skos:altLabel`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub pref: String,
    #[serde(default)]
    pub alt: Vec<String>,
}

/// One concept of the scheme (`skos:Concept`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concept {
    /// A stable ASCII name (`language-course`), the last segment of its URI.
    pub id: String,
    /// A top concept: one of the catalogue's themes.
    pub top: bool,
    pub broader: Vec<String>,
    pub related: Vec<String>,
    /// SPIRAL component codes (`A05`, `D00`…).
    pub components: Vec<String>,
    /// In [`LANGUAGES`] order.
    pub labels: [Labels; 4],
}

impl Concept {
    pub fn labels(&self, language: Language) -> &Labels {
        &self.labels[language_index(language)]
    }

    /// The preferred label in `language`.
    pub fn pref(&self, language: Language) -> &str {
        &self.labels(language).pref
    }
}

/// Why a scheme is not usable. Each names the concept; the importer adds the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemeError {
    #[error("concept id {0:?} is not a lower-case ASCII name (letters, digits and '-')")]
    BadId(String),
    #[error("concept {0:?} is defined twice")]
    Duplicate(String),
    #[error("concept {concept:?} has no preferred label in {language}")]
    MissingPref { concept: String, language: String },
    #[error("concept {concept:?} names {link} {target:?}, which is not a concept of the scheme")]
    UnknownLink {
        concept: String,
        link: &'static str,
        target: String,
    },
    #[error("concept {0:?} is broader than itself (a cycle of broader links)")]
    Cycle(String),
}

/// A version of the concept scheme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConceptScheme {
    pub version: u32,
    pub concepts: Vec<Concept>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl ConceptScheme {
    /// A scheme whose links all resolve, with no broader cycle and four preferred labels on
    /// every concept.
    pub fn new(version: u32, concepts: Vec<Concept>) -> Result<Self, SchemeError> {
        let mut ids = HashSet::new();
        for c in &concepts {
            if !is_id(&c.id) {
                return Err(SchemeError::BadId(c.id.clone()));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(SchemeError::Duplicate(c.id.clone()));
            }
            for (language, labels) in LANGUAGES.iter().zip(&c.labels) {
                if labels.pref.trim().is_empty() {
                    return Err(SchemeError::MissingPref {
                        concept: c.id.clone(),
                        language: language.as_str().to_string(),
                    });
                }
            }
        }
        for c in &concepts {
            for (link, targets) in [("broader", &c.broader), ("related", &c.related)] {
                if let Some(target) = targets.iter().find(|t| !ids.contains(t.as_str())) {
                    return Err(SchemeError::UnknownLink {
                        concept: c.id.clone(),
                        link,
                        target: target.clone(),
                    });
                }
            }
        }
        let scheme = Self { version, concepts };
        for c in &scheme.concepts {
            if scheme.ancestors(&c.id).contains(&c.id.as_str()) {
                return Err(SchemeError::Cycle(c.id.clone()));
            }
        }
        Ok(scheme)
    }

    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }

    /// The top concepts: the catalogue's themes.
    pub fn top(&self) -> impl Iterator<Item = &Concept> {
        self.concepts.iter().filter(|c| c.top)
    }

    /// Every concept broader than `id`, transitively (not `id` itself unless in a cycle).
    pub fn ancestors(&self, id: &str) -> Vec<&str> {
        let by_id: HashMap<&str, &Concept> =
            self.concepts.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut out: Vec<&str> = Vec::new();
        let mut todo: Vec<&str> = by_id
            .get(id)
            .map(|c| c.broader.iter().map(String::as_str).collect())
            .unwrap_or_default();
        while let Some(next) = todo.pop() {
            if out.contains(&next) {
                continue;
            }
            out.push(next);
            if let Some(c) = by_id.get(next) {
                todo.extend(c.broader.iter().map(String::as_str));
            }
        }
        out
    }
}

/// One analysed word of a text: its term and where it stands (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    pub from: usize,
    pub to: usize,
}

/// Splits and normalises text in one language as the search index does.
pub type Analyse<'a> = dyn Fn(Language, &str) -> Vec<Token> + 'a;

/// A label of the scheme, analysed.
#[derive(Debug, Clone)]
struct Entry {
    terms: Vec<String>,
    concept: usize,
    preferred: bool,
}

/// Where a concept was found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Index into the scheme's concepts.
    pub concept: usize,
    /// The language whose label matched.
    pub language: Language,
    /// The words of the text that matched, as written.
    pub words: String,
    /// Byte offsets of those words in the text.
    pub from: usize,
    pub to: usize,
    /// 1 for a whole label; less for a label found inside a compound word, or an alternative
    /// label.
    pub strength: f32,
}

/// A match of a label inside a compound is weaker than a whole label.
const COMPOUND_STRENGTH: f32 = 0.7;
/// An alternative label is a little weaker than the preferred one.
const ALT_STRENGTH: f32 = 0.9;
/// Parts of a compound shorter than this are not looked up: too many false friends.
const MIN_COMPOUND_PART: usize = 4;
/// Linking elements between the parts of a German or Luxembourgish compound
/// (Wohnung-s-suche, Sprooch-e-cours).
const LINKS: &[&str] = &["", "s", "es", "n", "en", "e", "er"];

/// Finds the scheme's concepts in texts.
pub struct Matcher {
    /// Per language (in [`LANGUAGES`] order), labels by their first term, longest first.
    by_first: [HashMap<String, Vec<Entry>>; 4],
    /// Per language, one-term labels (for compound parts): term → concepts.
    single: [HashMap<String, Vec<usize>>; 4],
}

impl Matcher {
    pub fn new(scheme: &ConceptScheme, analyse: &Analyse<'_>) -> Self {
        let mut by_first: [HashMap<String, Vec<Entry>>; 4] = Default::default();
        let mut single: [HashMap<String, Vec<usize>>; 4] = Default::default();
        for (concept, c) in scheme.concepts.iter().enumerate() {
            for (li, language) in LANGUAGES.iter().enumerate() {
                let labels = &c.labels[li];
                let all = std::iter::once((&labels.pref, true))
                    .chain(labels.alt.iter().map(|a| (a, false)));
                for (label, preferred) in all {
                    let terms: Vec<String> = analyse(*language, label)
                        .into_iter()
                        .map(|t| t.term)
                        .collect();
                    let Some(first) = terms.first().cloned() else {
                        continue;
                    };
                    if terms.len() == 1 {
                        let concepts = single[li].entry(first.clone()).or_default();
                        if !concepts.contains(&concept) {
                            concepts.push(concept);
                        }
                    }
                    let entries = by_first[li].entry(first).or_default();
                    if let Some(e) = entries
                        .iter_mut()
                        .find(|e| e.concept == concept && e.terms == terms)
                    {
                        e.preferred |= preferred;
                    } else {
                        entries.push(Entry {
                            terms,
                            concept,
                            preferred,
                        });
                    }
                }
            }
        }
        for map in &mut by_first {
            for entries in map.values_mut() {
                entries.sort_by(|a, b| {
                    b.terms
                        .len()
                        .cmp(&a.terms.len())
                        .then(b.preferred.cmp(&a.preferred))
                        .then(a.concept.cmp(&b.concept))
                });
            }
        }
        Self { by_first, single }
    }

    /// The concepts of `text` read as `language`: at each word the longest label that starts
    /// there; where none does, in German and Luxembourgish, the labels that make up the word.
    /// Several concepts sharing one label are all found.
    pub fn find(&self, text: &str, language: Language, analyse: &Analyse<'_>) -> Vec<Found> {
        let li = language_index(language);
        let tokens = analyse(language, text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut matched = 0;
            if let Some(entries) = self.by_first[li].get(&tokens[i].term) {
                for e in entries {
                    let n = e.terms.len();
                    if n < matched {
                        break;
                    }
                    if i + n <= tokens.len()
                        && tokens[i..i + n]
                            .iter()
                            .zip(&e.terms)
                            .all(|(t, term)| &t.term == term)
                    {
                        matched = n;
                        let (from, to) = (tokens[i].from, tokens[i + n - 1].to);
                        out.push(Found {
                            concept: e.concept,
                            language,
                            words: text.get(from..to).unwrap_or_default().to_string(),
                            from,
                            to,
                            strength: if e.preferred { 1.0 } else { ALT_STRENGTH },
                        });
                    }
                }
            }
            if matched == 0 {
                if matches!(language, Language::De | Language::Lb) {
                    out.extend(self.compound(li, language, text, &tokens[i]));
                }
                i += 1;
            } else {
                i += matched;
            }
        }
        out
    }

    /// The labels a compound word is made of: the longest known head and a known tail,
    /// with or without a linking element between them.
    fn compound(&self, li: usize, language: Language, text: &str, token: &Token) -> Vec<Found> {
        let term = token.term.as_str();
        if !term.is_ascii() || term.len() < 2 * MIN_COMPOUND_PART {
            return Vec::new();
        }
        let words = text.get(token.from..token.to).unwrap_or_default();
        let single = &self.single[li];
        for split in (MIN_COMPOUND_PART..=term.len() - MIN_COMPOUND_PART).rev() {
            let (head, rest) = term.split_at(split);
            let Some(tail_concepts) = single.get(rest) else {
                continue;
            };
            let head_concepts = LINKS.iter().find_map(|link| {
                head.strip_suffix(link)
                    .filter(|h| h.len() >= MIN_COMPOUND_PART || link.is_empty())
                    .and_then(|h| single.get(h))
            });
            let Some(head_concepts) = head_concepts else {
                continue;
            };
            return head_concepts
                .iter()
                .chain(tail_concepts)
                .map(|&concept| Found {
                    concept,
                    language,
                    words: words.to_string(),
                    from: token.from,
                    to: token.to,
                    strength: COMPOUND_STRENGTH,
                })
                .collect();
        }
        Vec::new()
    }
}

/// A concept found in a text, with its weight and the words that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub concept: String,
    pub weight: f32,
    pub words: Vec<String>,
}

/// The concepts of a text, heaviest first: each found occurrence adds its strength, with
/// diminishing returns, so that a concept named five times outweighs one named once without
/// drowning the rest.
pub fn tags(scheme: &ConceptScheme, found: &[Found]) -> Vec<Tag> {
    let mut by_concept: BTreeMap<usize, (f32, Vec<String>)> = BTreeMap::new();
    for f in found {
        let entry = by_concept.entry(f.concept).or_default();
        entry.0 += f.strength;
        let words = f.words.to_lowercase();
        if !entry.1.contains(&words) {
            entry.1.push(words);
        }
    }
    let mut out: Vec<Tag> = by_concept
        .into_iter()
        .map(|(concept, (sum, words))| Tag {
            concept: scheme.concepts[concept].id.clone(),
            weight: (1.0 + sum).ln(),
            words,
        })
        .collect();
    out.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.concept.cmp(&b.concept))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lower-case words, folded only: enough to test the matching rule.
    fn analyse(_: Language, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    let term = crate::text::fold(&text[s..i]);
                    if !["de", "la", "le", "fir", "d"].contains(&term.as_str()) {
                        out.push(Token {
                            term,
                            from: s,
                            to: i,
                        });
                    }
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    fn concept(id: &str, fr: &[&str], de: &[&str]) -> Concept {
        let labels = |l: &[&str]| Labels {
            pref: l[0].to_string(),
            alt: l[1..].iter().map(|s| (*s).to_string()).collect(),
        };
        Concept {
            id: id.into(),
            labels: [labels(fr), labels(de), labels(&[id]), labels(&[id])],
            ..Concept::default()
        }
    }

    fn scheme() -> ConceptScheme {
        ConceptScheme::new(
            1,
            vec![
                concept("language", &["langue"], &["Sprache", "sprach"]),
                concept("course", &["cours"], &["Kurs"]),
                concept(
                    "language-course",
                    &["cours de langue", "apprentissage de la langue"],
                    &["Sprachkurs"],
                ),
                concept("housing", &["logement"], &["Wohnung"]),
                concept("search", &["recherche"], &["Suche"]),
            ],
        )
        .unwrap()
    }

    fn ids(s: &ConceptScheme, found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|f| s.concepts[f.concept].id.clone())
            .collect()
    }

    #[test]
    fn the_longest_label_wins_and_alternatives_count() {
        let s = scheme();
        let m = Matcher::new(&s, &analyse);
        let found = m.find(
            "Un cours de langue, puis l'apprentissage de la langue",
            Language::Fr,
            &analyse,
        );
        assert_eq!(ids(&s, &found), ["language-course", "language-course"]);
        assert_eq!(found[0].words, "cours de langue");
        assert!((found[1].strength - ALT_STRENGTH).abs() < f32::EPSILON);
        let found = m.find("un cours, une langue", Language::Fr, &analyse);
        assert_eq!(ids(&s, &found), ["course", "language"]);
    }

    #[test]
    fn compounds_split_where_no_label_matches_whole() {
        let s = scheme();
        let m = Matcher::new(&s, &analyse);
        assert_eq!(
            ids(&s, &m.find("Sprachkurs", Language::De, &analyse)),
            ["language-course"]
        );
        let found = m.find("Wohnungssuche", Language::De, &analyse);
        assert_eq!(ids(&s, &found), ["housing", "search"]);
        assert_eq!(found[0].words, "Wohnungssuche");
        // French words are never split.
        assert!(
            m.find("logementrecherche", Language::Fr, &analyse)
                .is_empty()
        );
    }

    #[test]
    fn tags_weigh_repeats_with_diminishing_returns() {
        let s = scheme();
        let m = Matcher::new(&s, &analyse);
        let found = m.find("logement logement logement cours", Language::Fr, &analyse);
        let tags = tags(&s, &found);
        assert_eq!(tags[0].concept, "housing");
        assert_eq!(tags[0].words, ["logement"]);
        assert!(tags[0].weight > tags[1].weight);
        assert!(tags[0].weight < 3.0 * tags[1].weight);
    }

    #[test]
    fn a_broken_scheme_is_refused_with_the_concept_named() {
        let mut a = concept("a", &["x"], &["y"]);
        a.broader = vec!["b".into()];
        let mut b = concept("b", &["z"], &["w"]);
        b.broader = vec!["a".into()];
        assert_eq!(
            ConceptScheme::new(1, vec![a.clone(), b]),
            Err(SchemeError::Cycle("a".into()))
        );
        a.broader = vec!["nowhere".into()];
        assert!(matches!(
            ConceptScheme::new(1, vec![a.clone()]),
            Err(SchemeError::UnknownLink { .. })
        ));
        let mut empty = concept("c", &["x"], &["y"]);
        empty.labels[2].pref = " ".into();
        assert!(matches!(
            ConceptScheme::new(1, vec![empty]),
            Err(SchemeError::MissingPref { .. })
        ));
        assert_eq!(
            ConceptScheme::new(
                1,
                vec![concept("a", &["x"], &["y"]), concept("a", &["x"], &["y"])]
            ),
            Err(SchemeError::Duplicate("a".into()))
        );
    }
}

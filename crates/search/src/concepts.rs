//! The concept scheme as the index sees it: the matcher built with the index's own analyzers,
//! the concepts of a practice at indexing time, and the expansions of a query.

use std::collections::BTreeMap;

use domain::Language;
use domain::concepts::{self, ConceptScheme, Found, Matcher, Token};
use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TokenStream;

use crate::analysis;

/// Analyses `text` with the index's analyzer for `language`, keeping where each word stands.
pub fn analyse(language: Language, text: &str) -> Vec<Token> {
    let mut analyzer = analysis::analyzer(language);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push(Token {
            term: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

/// A scheme with its matcher, ready for the index.
pub struct Concepts {
    pub scheme: ConceptScheme,
    matcher: Matcher,
}

impl Concepts {
    pub fn new(scheme: ConceptScheme) -> Self {
        let matcher = Matcher::new(&scheme, &analyse);
        Self { scheme, matcher }
    }

    /// Concepts named in `text` read as `language`.
    pub fn find(&self, text: &str, language: Language) -> Vec<Found> {
        self.matcher.find(text, language, &analyse)
    }

    /// Concepts named in `text` in any of the four languages: a query's language is not
    /// declared. A span found in several languages counts once per concept.
    pub fn find_any(&self, text: &str) -> Vec<Found> {
        let mut out: Vec<Found> = Vec::new();
        for language in concepts::LANGUAGES {
            for f in self.find(text, language) {
                match out
                    .iter_mut()
                    .find(|o| o.concept == f.concept && o.from == f.from && o.to == f.to)
                {
                    Some(o) if o.strength >= f.strength => {}
                    Some(o) => *o = f,
                    None => out.push(f),
                }
            }
        }
        out
    }

    /// The concepts of a text in any of the four languages, heaviest first.
    pub fn tags(&self, text: &str) -> Vec<concepts::Tag> {
        concepts::tags(&self.scheme, &self.find_any(text))
    }

    /// The concepts of a practice's text, as written in its declared language, with how often
    /// each is named; a broader concept counts the mentions of the narrower ones (a fiche about
    /// a language course is about language learning too).
    pub fn of_text(&self, text: &str, language: Language) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for f in self.find(text, language) {
            let id = self.scheme.concepts[f.concept].id.as_str();
            for id in std::iter::once(id).chain(self.scheme.ancestors(id)) {
                match out.iter_mut().find(|(o, _)| o == id) {
                    Some((_, n)) => *n += 1,
                    None => out.push((id.to_string(), 1)),
                }
            }
        }
        out
    }
}

/// How a query was widened: the words typed, the concept they name, and the concept's
/// preferred labels, by which the other languages' fiches were searched too.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expansion {
    /// The words of the query, as typed.
    pub words: String,
    /// The concept's id in the scheme.
    pub concept: String,
    /// Preferred labels by language code (`fr`, `de`, `lb`, `en`).
    pub labels: BTreeMap<String, String>,
}

impl Expansion {
    pub fn new(scheme: &ConceptScheme, found: &Found) -> Self {
        let c = &scheme.concepts[found.concept];
        Self {
            words: found.words.clone(),
            concept: c.id.clone(),
            labels: concepts::LANGUAGES
                .iter()
                .map(|l| (l.as_str().to_string(), c.pref(*l).to_string()))
                .collect(),
        }
    }

    /// The label to show a reader of `language`.
    pub fn label(&self, language: &str) -> &str {
        self.labels
            .get(language)
            .or_else(|| self.labels.get("fr"))
            .map_or("", String::as_str)
    }
}

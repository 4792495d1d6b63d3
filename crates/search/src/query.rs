//! From what a person typed to a tantivy query: one clause per word, each clause matching the
//! word in the fields of every language present in the index.

use std::collections::BTreeMap;

use tantivy::query::{BoostQuery, ConstScoreQuery, FuzzyTermQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{Searcher, Term};

use crate::analysis::{LANGUAGES, WordTokenizer, terms};
use crate::schema::Fields;

pub const TITLE_BOOST: f32 = 3.0;
pub const INSTITUTION_BOOST: f32 = 2.0;
/// A word found through a typo correction counts half as much as the word typed.
pub const CORRECTION_WEIGHT: f32 = 0.5;
/// Shorter words are not corrected: at distance 1 they have too many neighbours.
pub const MIN_FUZZY_CHARS: usize = 5;
/// At most this many corrections per word, the most frequent first.
const MAX_CORRECTIONS: usize = 8;
/// Words after this many are ignored: a query is typed by a person, and a pasted page of
/// text should not become a query of thousands of clauses.
pub const MAX_WORDS: usize = 32;

/// The analyzers a query needs, cloned from the index's prototypes for each query.
#[derive(Clone)]
pub struct Analyzers {
    /// In [`LANGUAGES`] order.
    pub languages: [TextAnalyzer; 4],
    pub words: TextAnalyzer,
}

/// A query, analysed.
pub struct TextQuery {
    /// One clause per word that is not a stop word in every language.
    pub clauses: Vec<Box<dyn Query>>,
    /// Per language (in [`LANGUAGES`] order), the terms to highlight and their weight.
    pub highlights: [BTreeMap<String, f32>; 4],
}

/// The words of `q` as typed, one per token of the word tokenizer.
fn raw_words(q: &str) -> Vec<String> {
    let mut tokenizer = WordTokenizer::default();
    let mut stream = tokenizer.token_stream(q);
    let mut out = Vec::new();
    while out.len() < MAX_WORDS && stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Words of the index spelled within distance 1 of `word`, the most frequent first.
fn corrections(searcher: &Searcher, fields: &Fields, word: &str) -> tantivy::Result<Vec<String>> {
    let automaton =
        FuzzyTermQuery::new(Term::from_field_text(fields.words, word), 1, true).automaton()?;
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.words)?;
        let mut stream = inverted.terms().search(&automaton).into_stream()?;
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                *found.entry(term.to_string()).or_insert(0) += u64::from(stream.value().doc_freq);
            }
        }
    }
    found.remove(word);
    let mut found: Vec<(String, u64)> = found.into_iter().collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(found
        .into_iter()
        .take(MAX_CORRECTIONS)
        .map(|(w, _)| w)
        .collect())
}

/// Queries for one analysed term in one language's fields, weighted.
fn term_queries(
    fields: &Fields,
    language_index: usize,
    term: &str,
    weight: f32,
) -> [Box<dyn Query>; 3] {
    let f = &fields.text[language_index];
    [
        (f.title, TITLE_BOOST),
        (f.institution, INSTITUTION_BOOST),
        (f.body, 1.0),
    ]
    .map(|(field, boost)| {
        let q = TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        );
        Box::new(BoostQuery::new(Box::new(q), boost * weight)) as Box<dyn Query>
    })
}

/// Analyses `q` for every language present in the index.
pub fn analyse(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    q: &str,
) -> tantivy::Result<TextQuery> {
    let mut present = [false; 4];
    for (i, language) in LANGUAGES.iter().enumerate() {
        let term = Term::from_field_text(fields.language, language.as_str());
        present[i] = searcher.doc_freq(&term)? > 0;
    }
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    let mut highlights: [BTreeMap<String, f32>; 4] = Default::default();

    for word in raw_words(q) {
        let stems: Vec<Vec<String>> = analyzers
            .languages
            .iter_mut()
            .map(|a| terms(a, &word))
            .collect();
        if (0..4).all(|i| !present[i] || stems[i].is_empty()) {
            continue;
        }
        let mut should: Vec<Box<dyn Query>> = Vec::new();
        for i in (0..4).filter(|&i| present[i]) {
            if stems[i].is_empty() {
                // A stop word in this language: it asks nothing of this language's documents.
                let only_this_language = TermQuery::new(
                    Term::from_field_text(fields.language, LANGUAGES[i].as_str()),
                    IndexRecordOption::Basic,
                );
                should.push(Box::new(ConstScoreQuery::new(
                    Box::new(only_this_language),
                    0.0,
                )));
            }
            for stem in &stems[i] {
                should.extend(term_queries(fields, i, stem, 1.0));
                highlights[i].insert(stem.clone(), 1.0);
            }
        }

        // A word the index has never seen is taken for a typo.
        let spelled = terms(&mut analyzers.words, &word);
        if let [spelled] = spelled.as_slice()
            && spelled.chars().count() >= MIN_FUZZY_CHARS
            && searcher.doc_freq(&Term::from_field_text(fields.words, spelled))? == 0
        {
            for correction in corrections(searcher, fields, spelled)? {
                for i in (0..4).filter(|&i| present[i]) {
                    for stem in terms(&mut analyzers.languages[i], &correction) {
                        if stems[i].contains(&stem) {
                            continue;
                        }
                        should.extend(term_queries(fields, i, &stem, CORRECTION_WEIGHT));
                        highlights[i].entry(stem).or_insert(CORRECTION_WEIGHT);
                    }
                }
            }
        }
        clauses.push(Box::new(tantivy::query::BooleanQuery::union(should)));
    }
    Ok(TextQuery {
        clauses,
        highlights,
    })
}

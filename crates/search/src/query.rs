//! From what a person typed to a tantivy query: one clause per word, each clause matching the
//! word in the fields of every language present in the index.

use std::collections::BTreeMap;

use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{Searcher, Term};

use domain::concepts::{Concept, Found};

use crate::analysis::{LANGUAGES, WordTokenizer, terms};
use crate::concepts::Concepts;
use crate::schema::Fields;

pub const TITLE_BOOST: f32 = 3.0;
pub const INSTITUTION_BOOST: f32 = 2.0;
/// A word found through a typo correction counts half as much as the word typed.
pub const CORRECTION_WEIGHT: f32 = 0.5;
/// Shorter words are not corrected: at distance 1 they have too many neighbours.
pub const MIN_FUZZY_CHARS: usize = 5;
/// At most this many corrections per word, the most frequent first.
const MAX_CORRECTIONS: usize = 8;
/// A label of a concept the query names counts this much of a word typed: an expansion never
/// outranks the word itself.
pub const EXPANSION_WEIGHT: f32 = 0.6;
/// A document tagged with a concept the query names, whatever its words.
pub const CONCEPT_WEIGHT: f32 = 0.4;
/// A broader concept widens the query at this share of the concept's own weight.
pub const BROADER_FACTOR: f32 = 0.5;
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
    /// One clause per word that is not a stop word in every language. A word that is a stop
    /// word in some language lets every document of that language through, so that "all
    /// words" asks nothing of them for it.
    pub clauses: Vec<Box<dyn Query>>,
    /// The same clauses without that pass-through: what "any word" may match on.
    pub matching: Vec<Box<dyn Query>>,
    /// Per language (in [`LANGUAGES`] order), the terms to highlight and their weight.
    pub highlights: [BTreeMap<String, f32>; 4],
    /// The concepts the query names, by which it was widened.
    pub expansions: Vec<Found>,
}

/// A word as typed, and where it stands in the query (byte offsets).
struct RawWord {
    text: String,
    from: usize,
    to: usize,
}

/// The words of `q` as typed, one per token of the word tokenizer.
fn raw_words(q: &str) -> Vec<RawWord> {
    let mut tokenizer = WordTokenizer::default();
    let mut stream = tokenizer.token_stream(q);
    let mut out = Vec::new();
    while out.len() < MAX_WORDS && stream.advance() {
        let t = stream.token();
        out.push(RawWord {
            text: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
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

/// The clauses by which a concept found in the query widens it: documents tagged with the
/// concept, and documents that use any of its labels, in every language present; then, at
/// half that weight, the same for its broader concepts that are not themes (a "language
/// course" is a kind of "language learning"; a theme is too wide to stand for it).
fn expansion(
    fields: &Fields,
    analyzers: &mut Analyzers,
    concepts: &Concepts,
    found: &Found,
    present: [bool; 4],
    highlights: &mut [BTreeMap<String, f32>; 4],
) -> Box<dyn Query> {
    let scheme = &concepts.scheme;
    let concept = &scheme.concepts[found.concept];
    let mut widen: Vec<(&Concept, f32)> = vec![(concept, found.strength)];
    widen.extend(
        concept
            .broader
            .iter()
            .filter_map(|id| scheme.get(id))
            .filter(|b| !b.top)
            .map(|b| (b, found.strength * BROADER_FACTOR)),
    );
    let mut should: Vec<Box<dyn Query>> = Vec::new();
    let mut seen: Vec<Vec<Vec<String>>> = analyzers
        .languages
        .iter_mut()
        .map(|a| vec![terms(a, &found.words)])
        .collect();
    for (c, strength) in widen {
        let tagged = TermQuery::new(
            Term::from_field_text(fields.concepts, &c.id),
            IndexRecordOption::Basic,
        );
        should.push(Box::new(BoostQuery::new(
            Box::new(ConstScoreQuery::new(Box::new(tagged), 1.0)),
            CONCEPT_WEIGHT * strength,
        )));
        let weight = EXPANSION_WEIGHT * strength;
        for i in (0..4).filter(|&i| present[i]) {
            let labels = c.labels(LANGUAGES[i]);
            for label in std::iter::once(&labels.pref).chain(&labels.alt) {
                let label_terms = terms(&mut analyzers.languages[i], label);
                if label_terms.is_empty() || seen[i].contains(&label_terms) {
                    continue;
                }
                let share = weight / label_terms.len() as f32;
                let parts: Vec<Box<dyn Query>> = label_terms
                    .iter()
                    .map(|t| {
                        highlights[i].entry(t.clone()).or_insert(share);
                        Box::new(BooleanQuery::union(
                            term_queries(fields, i, t, share).into(),
                        )) as Box<dyn Query>
                    })
                    .collect();
                should.push(if parts.len() == 1 {
                    parts.into_iter().next().expect("one part")
                } else {
                    Box::new(BooleanQuery::intersection(parts))
                });
                seen[i].push(label_terms);
            }
        }
    }
    Box::new(BooleanQuery::union(should))
}

/// Analyses `q` for every language present in the index, widened by the concepts it names.
pub fn analyse(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    concepts: Option<&Concepts>,
    q: &str,
) -> tantivy::Result<TextQuery> {
    let mut present = [false; 4];
    for (i, language) in LANGUAGES.iter().enumerate() {
        let term = Term::from_field_text(fields.language, language.as_str());
        present[i] = searcher.doc_freq(&term)? > 0;
    }
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    let mut matching: Vec<Box<dyn Query>> = Vec::new();
    let mut highlights: [BTreeMap<String, f32>; 4] = Default::default();

    let words = raw_words(q);
    let end = words.last().map_or(0, |w| w.to);
    let expansions: Vec<Found> = concepts.map(|c| c.find_any(&q[..end])).unwrap_or_default();
    let widened: Vec<Box<dyn Query>> = match concepts {
        Some(c) => expansions
            .iter()
            .map(|f| expansion(fields, analyzers, c, f, present, &mut highlights))
            .collect(),
        None => Vec::new(),
    };

    for word in words {
        let stems: Vec<Vec<String>> = analyzers
            .languages
            .iter_mut()
            .map(|a| terms(a, &word.text))
            .collect();
        let covering: Vec<Box<dyn Query>> = expansions
            .iter()
            .zip(&widened)
            .filter(|(f, _)| f.from <= word.from && word.to <= f.to)
            .map(|(_, q)| q.box_clone())
            .collect();
        if covering.is_empty() && (0..4).all(|i| !present[i] || stems[i].is_empty()) {
            continue;
        }
        let mut should: Vec<Box<dyn Query>> = covering;
        let mut pass: Vec<Box<dyn Query>> = Vec::new();
        let word = word.text;
        for i in (0..4).filter(|&i| present[i]) {
            if stems[i].is_empty() {
                // A stop word in this language: it asks nothing of this language's documents.
                let only_this_language = TermQuery::new(
                    Term::from_field_text(fields.language, LANGUAGES[i].as_str()),
                    IndexRecordOption::Basic,
                );
                pass.push(Box::new(ConstScoreQuery::new(
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
        if !should.is_empty() {
            matching.push(Box::new(BooleanQuery::union(
                should.iter().map(|q| q.box_clone()).collect(),
            )));
        }
        should.extend(pass);
        clauses.push(Box::new(BooleanQuery::union(should)));
    }
    Ok(TextQuery {
        clauses,
        matching,
        highlights,
        expansions,
    })
}

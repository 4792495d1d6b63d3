//! The bridge from what citizens say to what communes have done: the practices that answer a
//! SPIRAL criterion, ranked by the concepts and the component they share with it, then by
//! text, each with the concepts it shares as its reason.

use std::collections::BTreeSet;

use domain::concepts::{self, Found};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::concepts::Expansion;
use crate::index::TantivyIndex;
use crate::query;
use crate::{Answer, Result};

/// A concept shared with the criterion, per unit of the concept's weight in the criterion.
const SHARED_CONCEPT: f32 = 6.0;
/// A broader concept (not a theme) shared, per unit of weight.
const SHARED_BROADER: f32 = 2.0;
/// The criterion's component given to, or derived for, the practice.
const SHARED_COMPONENT: f32 = 4.0;
/// Only the dimension of the criterion's component.
const SHARED_DIMENSION: f32 = 1.0;
/// The text's own BM25 score, at this share: it orders what concepts leave tied.
const TEXT_SHARE: f32 = 0.5;

fn constant(query: Box<dyn Query>, weight: f32) -> (Occur, Box<dyn Query>) {
    (
        Occur::Should,
        Box::new(BoostQuery::new(
            Box::new(ConstScoreQuery::new(query, 1.0)),
            weight,
        )),
    )
}

/// A concept of the criterion, scored by BM25 over the practice's concept mentions.
fn weighted(field: Field, id: &str, weight: f32) -> (Occur, Box<dyn Query>) {
    (
        Occur::Should,
        Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(field, id),
                IndexRecordOption::WithFreqs,
            )),
            weight,
        )),
    )
}

impl TantivyIndex {
    pub(crate) fn bridge(
        &self,
        text: &str,
        component: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Answer>> {
        if limit == 0 || text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };

        // The criterion's concepts, with the words that named them.
        let scheme = self.concepts();
        let found: Vec<Found> = scheme
            .as_deref()
            .map(|c| c.find_any(text))
            .unwrap_or_default();
        // Reasons name specific concepts before themes.
        let mut own: Vec<(String, Expansion)> = Vec::new();
        let mut own_themes: Vec<(String, Expansion)> = Vec::new();
        if let Some(c) = scheme.as_deref() {
            for tag in concepts::tags(&c.scheme, &found) {
                let Some(concept) = c.scheme.get(&tag.concept) else {
                    continue;
                };
                clauses.push(weighted(
                    f.concepts,
                    &concept.id,
                    SHARED_CONCEPT * tag.weight,
                ));
                for broader in concept.broader.iter().filter_map(|b| c.scheme.get(b)) {
                    if !broader.top {
                        clauses.push(weighted(
                            f.concepts,
                            &broader.id,
                            SHARED_BROADER * tag.weight,
                        ));
                    }
                }
                if let Some(first) = found
                    .iter()
                    .find(|x| c.scheme.concepts[x.concept].id == concept.id)
                {
                    let reason = (concept.id.clone(), Expansion::new(&c.scheme, first));
                    if concept.top {
                        own_themes.push(reason);
                    } else {
                        own.push(reason);
                    }
                }
            }
        }
        own.extend(own_themes);

        if let Some(code) = component.and_then(|c| c.get(..3)) {
            let dimension = &code[..1];
            if code.ends_with("00") {
                clauses.push(constant(term(f.components, dimension), SHARED_COMPONENT));
            } else {
                clauses.push(constant(term(f.components, code), SHARED_COMPONENT));
                clauses.push(constant(term(f.components, dimension), SHARED_DIMENSION));
            }
        }

        let mut analyzers = self.analyzers.clone();
        let words = query::analyse(&searcher, f, &mut analyzers, scheme.as_deref(), text)?;
        if !words.matching.is_empty() {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(BooleanQuery::union(words.matching)),
                    TEXT_SHARE,
                )),
            ));
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        top.into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                let theirs: BTreeSet<&str> =
                    doc.get_all(f.concepts).filter_map(|v| v.as_str()).collect();
                let component = component.and_then(|c| c.get(..3)).is_some_and(|code| {
                    doc.get_all(f.components)
                        .filter_map(|v| v.as_str())
                        .any(|c| c == code)
                });
                let shared = own
                    .iter()
                    .filter(|(id, _)| theirs.contains(id.as_str()))
                    .map(|(_, e)| e.clone())
                    .collect();
                Ok(Answer {
                    hit: self.hit(&searcher, address, score, &mut |_, _| None)?,
                    shared,
                    component,
                })
            })
            .collect()
    }
}

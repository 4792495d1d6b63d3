//! Highlighted excerpts: the passage of a text where the query's words are densest, escaped,
//! with those words in `<mark>`.
//!
//! tantivy's `SnippetGenerator` runs the whole analyzer (folding, stemming…) on every word of
//! every hit's text, about 0.25 ms for a 4 kB fiche, which made snippets most of the cost of a
//! search page. Here a word is analysed only when its folded beginning could give one of the
//! query's terms, which leaves a handful of analyses per text; the rest is splitting words.

use std::collections::BTreeMap;

use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};

use crate::analysis::WordTokenizer;

/// Letters of a term a word must start with to be analysed (see [`Highlighter::keys`]).
const KEY_CHARS: usize = 5;
/// Context kept before the first highlighted word, in bytes.
const CONTEXT_BEFORE: usize = 40;
/// A repeated word adds this much to a passage; a new word adds its full weight.
const REPEAT_WEIGHT: f32 = 0.1;

pub struct Highlighter {
    analyzer: TextAnalyzer,
    /// Analysed terms of the query and their weight (typo corrections weigh less).
    terms: BTreeMap<String, f32>,
    /// The folded beginning any word analysing to a term starts with: the term less its last
    /// letter (stemmers rewrite endings: "sociaux" gives "social"), at most [`KEY_CHARS`].
    keys: Vec<String>,
}

/// A highlighted word: byte range in the text, and which term it is.
struct Mark {
    start: usize,
    end: usize,
    term: usize,
}

impl Highlighter {
    pub fn new(analyzer: TextAnalyzer, terms: BTreeMap<String, f32>) -> Self {
        let keys = terms
            .keys()
            .map(|t| {
                let n = t.chars().count().saturating_sub(1).clamp(1, KEY_CHARS);
                t.chars().take(n).collect()
            })
            .collect();
        Self {
            analyzer,
            terms,
            keys,
        }
    }

    /// Whether `word`, folded, starts with a key. `buffer` is reused between words: this runs
    /// for every word of every hit.
    fn could_match(&self, word: &str, buffer: &mut String) -> bool {
        buffer.clear();
        for c in word.chars() {
            if buffer.len() >= KEY_CHARS {
                break;
            }
            if c.is_ascii() {
                buffer.push(c.to_ascii_lowercase());
            } else if let Some(ascii) = deunicode::deunicode_char(c) {
                buffer.extend(ascii.chars().map(|a| a.to_ascii_lowercase()));
            }
        }
        self.keys.iter().any(|k| buffer.starts_with(k.as_str()))
    }

    fn marks(&mut self, text: &str) -> Vec<Mark> {
        let mut marks = Vec::new();
        let mut buffer = String::with_capacity(2 * KEY_CHARS);
        let mut words = WordTokenizer::default();
        let mut stream = words.token_stream(text);
        while stream.advance() {
            let (from, to) = (stream.token().offset_from, stream.token().offset_to);
            let word = &text[from..to];
            // After an elided article ("l'intégration") the word proper starts later.
            let after_apostrophe = word
                .char_indices()
                .rev()
                .find(|(_, c)| matches!(c, '\'' | '\u{2019}' | '\u{02bc}'))
                .map(|(at, c)| &word[at + c.len_utf8()..]);
            if !self.could_match(word, &mut buffer)
                && !after_apostrophe.is_some_and(|w| self.could_match(w, &mut buffer))
            {
                continue;
            }
            let mut analysed = self.analyzer.token_stream(word);
            while analysed.advance() {
                let token = analysed.token();
                if let Some(term) = self.terms.keys().position(|t| *t == token.text) {
                    marks.push(Mark {
                        start: from + token.offset_from,
                        end: from + token.offset_to,
                        term,
                    });
                }
            }
        }
        marks
    }

    /// The best passage of at most about `max_bytes` bytes, as HTML; `None` when no word of
    /// the query occurs in `text`.
    pub fn snippet(&mut self, text: &str, max_bytes: usize) -> Option<String> {
        let marks = self.marks(text);
        if marks.is_empty() {
            return None;
        }
        let weights: Vec<f32> = self.terms.values().copied().collect();
        let reach = max_bytes.saturating_sub(CONTEXT_BEFORE);
        let mut best = (f32::MIN, 0);
        for (i, first) in marks.iter().enumerate() {
            let mut seen = vec![false; weights.len()];
            let mut score = 0.0;
            for mark in marks[i..]
                .iter()
                .take_while(|m| m.end <= first.start + reach)
            {
                score += if seen[mark.term] {
                    REPEAT_WEIGHT
                } else {
                    weights[mark.term]
                };
                seen[mark.term] = true;
            }
            if score > best.0 {
                best = (score, i);
            }
        }
        let first = &marks[best.1];

        let mut start = text.floor_char_boundary(first.start.saturating_sub(CONTEXT_BEFORE));
        if start > 0 {
            // Start at a word: after the first space of the context, if there is one.
            if let Some(space) = text[start..first.start].find(char::is_whitespace) {
                start += space + 1;
            }
        }
        let mut end = text
            .floor_char_boundary((start + max_bytes).min(text.len()))
            .max(first.end);
        if end < text.len()
            && let Some(space) = text[first.end..end].rfind(char::is_whitespace)
        {
            end = first.end + space;
        }

        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut at = start;
        for mark in marks.iter().filter(|m| m.start >= start && m.end <= end) {
            escape_into(&mut out, &text[at..mark.start]);
            out.push_str("<mark>");
            escape_into(&mut out, &text[mark.start..mark.end]);
            out.push_str("</mark>");
            at = mark.end;
        }
        escape_into(&mut out, &text[at..end]);
        if end < text.len() {
            out.truncate(out.trim_end().len());
            out.push('…');
        }
        Some(out)
    }
}

/// HTML-escapes `text` for element content and double-quoted attributes, with white space
/// runs as one space.
pub fn escape_into(out: &mut String, text: &str) {
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// The beginning of `text`, cut at a word boundary, escaped: the snippet when nothing matched.
pub fn lead(text: &str, max_bytes: usize) -> String {
    let mut end = text.len();
    if end > max_bytes {
        end = text.floor_char_boundary(max_bytes);
        if let Some(space) = text[..end].rfind(char::is_whitespace) {
            end = space;
        }
    }
    let mut out = String::new();
    escape_into(&mut out, text[..end].trim_end());
    if end < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use domain::Language;

    use super::*;
    use crate::analysis::analyzer;

    fn highlighter(words: &[&str]) -> Highlighter {
        let mut a = analyzer(Language::Fr);
        let mut terms = BTreeMap::new();
        for w in words {
            for t in crate::analysis::terms(&mut a, w) {
                terms.insert(t, 1.0);
            }
        }
        Highlighter::new(a, terms)
    }

    #[test]
    fn marks_every_form_of_the_words() {
        let mut h = highlighter(&["réfugié", "social"]);
        let html = h
            .snippet(
                "Les Réfugiés & l’intégration : des services sociaux <ici>.",
                200,
            )
            .unwrap();
        assert_eq!(
            html,
            "Les <mark>Réfugiés</mark> &amp; l’intégration : des services <mark>sociaux</mark> &lt;ici&gt;."
        );
        assert!(h.snippet("Rien à voir.", 200).is_none());
    }

    #[test]
    fn picks_the_passage_with_most_words() {
        let mut h = highlighter(&["logement", "réfugiés"]);
        let filler = "autre chose encore ".repeat(20);
        let text = format!("Un logement ici. {filler}Le logement des réfugiés là. {filler}");
        let html = h.snippet(&text, 120).unwrap();
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>logement</mark> des <mark>réfugiés</mark>"));
        assert!(html.len() < 200);
    }

    #[test]
    fn leads_are_cut_at_words() {
        assert_eq!(lead("Un texte <court>", 100), "Un texte &lt;court&gt;");
        assert_eq!(lead("Un texte assez long", 12), "Un texte…");
        assert_eq!(lead("Intégration", 3), "Int…");
    }
}

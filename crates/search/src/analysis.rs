//! Text analysis: one analyzer per practice language, and a folding-only one for typo lookup.
//!
//! Every analyzer reads words with [`WordTokenizer`] (apostrophes inside a word are kept, so
//! that elision can see them), lower-cases, removes elided articles ([`ElisionFilter`]), folds
//! to ASCII, drops stop words and, for French, German and English, stems (Snowball).
//! Folding comes before stop words and stemming so that "réfugiés" and "refugies" give the same
//! term, whichever way the author or the searcher typed it; the stop word lists are folded too.

use std::sync::Arc;

use domain::Language;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, RemoveLongFilter, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Every language a practice can be written in, in a fixed order (schema fields follow it).
pub const LANGUAGES: [Language; 4] = [Language::Fr, Language::De, Language::En, Language::Lb];

/// The analyzer with folding and elision only, shared by all languages: its dictionary is where
/// typos are looked up.
pub const WORDS_ANALYZER: &str = "zs_words";

/// Words longer than this (in bytes) are not words but URLs or glued text; tantivy would refuse
/// terms over 65 kB anyway.
const MAX_TOKEN_BYTES: usize = 40;

/// The analyzer registered for a practice language.
pub fn analyzer_name(language: Language) -> &'static str {
    match language {
        Language::Fr => "zs_fr",
        Language::De => "zs_de",
        Language::En => "zs_en",
        Language::Lb => "zs_lb",
    }
}

/// Elided articles and pronouns of French (l'école, qu'il, lorsqu'on…).
const FRENCH_ELISIONS: &[&str] = &[
    "l", "d", "qu", "j", "n", "s", "c", "m", "t", "lorsqu", "puisqu", "jusqu", "quoiqu",
];

/// Luxembourgish elides the article "d'" (d'Gemeng, d'Kanner).
const LUXEMBOURGISH_ELISIONS: &[&str] = &["d"];

/// French stop words, folded (after elision, so "l'", "d'" are already gone).
const FRENCH_STOP_WORDS: &[&str] = &[
    "a", "ai", "aie", "as", "au", "aux", "avec", "avait", "avaient", "avais", "avez", "avons",
    "ayant", "c", "ce", "ceci", "cela", "celle", "celles", "celui", "ces", "cet", "cette", "ceux",
    "d", "dans", "de", "des", "du", "elle", "elles", "en", "es", "est", "et", "etaient", "etait",
    "etant", "ete", "etre", "eu", "eux", "il", "ils", "j", "je", "l", "la", "le", "les", "leur",
    "leurs", "lui", "m", "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "nos",
    "notre", "nous", "on", "ont", "ou", "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se",
    "sera", "ses", "soit", "son", "sont", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu", "un",
    "une", "vos", "votre", "vous", "y",
];

/// German stop words, folded ("für" is "fur" once folded).
const GERMAN_STOP_WORDS: &[&str] = &[
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "auch", "auf",
    "aus", "bei", "bin", "bis", "bist", "da", "damit", "dann", "das", "dass", "dein", "deine",
    "dem", "den", "denn", "der", "des", "dich", "die", "dies", "diese", "diesem", "diesen",
    "dieser", "dieses", "dir", "doch", "du", "durch", "ein", "eine", "einem", "einen", "einer",
    "eines", "er", "es", "fur", "hat", "hatte", "ich", "ihm", "ihn", "ihr", "ihre", "im", "in",
    "ins", "ist", "jede", "jeder", "kann", "man", "mit", "nach", "nicht", "noch", "nur", "ob",
    "oder", "ohne", "sehr", "sein", "seine", "sich", "sie", "sind", "so", "um", "und", "uns",
    "unter", "uber", "vom", "von", "vor", "war", "waren", "was", "weil", "wenn", "werden", "wie",
    "wir", "wird", "zu", "zum", "zur",
];

/// Lucene's English list, the one tantivy uses.
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Luxembourgish function words, folded ("dës" is "des", "wéi" is "wei"). No stemmer exists
/// for Luxembourgish, so this list and fuzzy matching are all the help it gets.
const LUXEMBOURGISH_STOP_WORDS: &[&str] = &[
    "a", "all", "am", "an", "ass", "awer", "bei", "d", "dat", "de", "dee", "deen", "dei", "dem",
    "den", "der", "des", "dest", "du", "ech", "eis", "en", "eng", "engem", "enger", "et", "fir",
    "gett", "ginn", "hatt", "hien", "hir", "hunn", "huet", "iech", "iwwer", "mat", "mer", "mir",
    "nach", "net", "no", "och", "oder", "op", "si", "sain", "sinn", "um", "vum", "vun", "war",
    "wat", "wann", "wei", "ze", "zu",
];

/// Registers the four language analyzers and the words analyzer.
pub fn register(manager: &TokenizerManager) {
    for language in LANGUAGES {
        manager.register(analyzer_name(language), analyzer(language));
    }
    manager.register(WORDS_ANALYZER, words_analyzer());
}

/// The analyzer for text written in `language`.
pub fn analyzer(language: Language) -> TextAnalyzer {
    let base = TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(ElisionFilter::new(match language {
            Language::Lb => LUXEMBOURGISH_ELISIONS,
            // French names and places appear in German and English fiches too.
            Language::Fr | Language::De | Language::En => FRENCH_ELISIONS,
        }))
        .filter(AsciiFoldingFilter);
    match language {
        Language::Fr => base
            .filter(stop_words(FRENCH_STOP_WORDS))
            .filter(Stemmer::new(StemLanguage::French))
            .build(),
        Language::De => base
            .filter(stop_words(GERMAN_STOP_WORDS))
            .filter(Stemmer::new(StemLanguage::German))
            .build(),
        Language::En => base
            .filter(stop_words(ENGLISH_STOP_WORDS))
            .filter(Stemmer::new(StemLanguage::English))
            .build(),
        Language::Lb => base.filter(stop_words(LUXEMBOURGISH_STOP_WORDS)).build(),
    }
}

/// Folding and elision only: the spelling of a word, whatever its language.
pub fn words_analyzer() -> TextAnalyzer {
    let elisions: Vec<&'static str> = FRENCH_ELISIONS.to_vec();
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(ElisionFilter {
            prefixes: Arc::from(elisions),
        })
        .filter(AsciiFoldingFilter)
        .build()
}

fn stop_words(words: &[&str]) -> StopWordFilter {
    StopWordFilter::remove(words.iter().map(|w| (*w).to_string()))
}

/// The terms `analyzer` makes of `text`, in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |token| out.push(token.text.clone()));
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

/// Splits on everything that is not a letter or a digit, except an apostrophe between two
/// letters or digits, which stays in the word ("l'intégration", "d’Gemeng", "aujourd'hui").
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

pub struct WordTokenStream<'a> {
    text: &'a str,
    offset: usize,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            offset: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.offset..];
        let Some((start, _)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
            self.offset = self.text.len();
            return false;
        };
        let start = self.offset + start;
        let mut end = start;
        let mut chars = self.text[start..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                end = start + i + c.len_utf8();
            } else if !(is_apostrophe(c)
                && chars.peek().is_some_and(|(_, next)| next.is_alphanumeric()))
            {
                break;
            }
        }
        self.offset = end;
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end]);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Removes an elided article or pronoun at the start of a word ("l'", "qu’", "d'"), whichever
/// apostrophe was typed, and moves the token's start past it so that highlighting marks the
/// word only. Other apostrophes are normalised to `'`. Expects lower-cased tokens.
#[derive(Clone)]
pub struct ElisionFilter {
    prefixes: Arc<[&'static str]>,
}

impl ElisionFilter {
    pub fn new(prefixes: &[&'static str]) -> Self {
        Self {
            prefixes: Arc::from(prefixes),
        }
    }
}

impl TokenFilter for ElisionFilter {
    type Tokenizer<T: Tokenizer> = ElisionTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ElisionTokenizer<T> {
        ElisionTokenizer {
            prefixes: self.prefixes,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct ElisionTokenizer<T> {
    prefixes: Arc<[&'static str]>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ElisionTokenizer<T> {
    type TokenStream<'a> = ElisionTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ElisionTokenStream {
            prefixes: self.prefixes.clone(),
            tail: self.inner.token_stream(text),
        }
    }
}

pub struct ElisionTokenStream<T> {
    prefixes: Arc<[&'static str]>,
    tail: T,
}

impl<T: TokenStream> TokenStream for ElisionTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some((at, apostrophe)) = token.text.char_indices().find(|(_, c)| is_apostrophe(*c)) {
            let cut = at + apostrophe.len_utf8();
            if self.prefixes.contains(&&token.text[..at]) && cut < token.text.len() {
                token.text.drain(..cut);
                token.offset_from += cut;
            }
            if token.text.contains(|c: char| is_apostrophe(c) && c != '\'') {
                token.text = token
                    .text
                    .chars()
                    .map(|c| if is_apostrophe(c) { '\'' } else { c })
                    .collect();
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> Vec<String> {
        terms(&mut analyzer(Language::Fr), text)
    }

    #[test]
    fn words_keep_inner_apostrophes_only() {
        let mut a = TextAnalyzer::builder(WordTokenizer::default()).build();
        let mut out = Vec::new();
        a.token_stream("L'école d’été, 'cité' aujourd'hui l'")
            .process(&mut |t| {
                out.push((t.text.clone(), t.offset_from, t.offset_to));
            });
        assert_eq!(
            out,
            vec![
                ("L'école".to_string(), 0, 8),
                ("d’été".to_string(), 9, 18),
                ("cité".to_string(), 21, 26),
                ("aujourd'hui".to_string(), 28, 39),
                ("l".to_string(), 40, 41),
            ]
        );
    }

    #[test]
    fn french_elides_folds_and_stems_both_apostrophes() {
        assert_eq!(fr("l'intégration"), fr("integration"));
        assert_eq!(fr("L’Intégration"), fr("intégration"));
        assert_eq!(fr("qu'aujourd’hui"), fr("aujourd'hui"));
        assert_eq!(fr("réfugiés"), fr("refugies"));
        assert_eq!(fr("bénévoles"), fr("benevole"));
        assert_eq!(fr("lorsqu'il"), fr("il"));
        // Stop words are gone, accented or not.
        assert!(fr("à la de été où").is_empty());
        assert_eq!(fr("logement pour les réfugiés").len(), 2);
    }

    #[test]
    fn elision_moves_the_highlight_past_the_article() {
        let mut a = analyzer(Language::Fr);
        let mut out = Vec::new();
        a.token_stream("vers l’accueil")
            .process(&mut |t| out.push((t.offset_from, t.offset_to)));
        assert_eq!(out, vec![(0, 4), (9, 16)]);
    }

    #[test]
    fn german_and_english_stem() {
        let mut de = analyzer(Language::De);
        assert_eq!(
            terms(&mut de, "Flüchtlinge"),
            terms(&mut de, "Flüchtlingen")
        );
        assert!(terms(&mut de, "für die und").is_empty());
        let mut en = analyzer(Language::En);
        assert_eq!(terms(&mut en, "volunteers"), terms(&mut en, "volunteer"));
        assert_eq!(terms(&mut en, "the children's"), terms(&mut en, "children"));
    }

    #[test]
    fn luxembourgish_folds_without_stemming() {
        let mut lb = analyzer(Language::Lb);
        assert_eq!(
            terms(&mut lb, "d'Gemeng vun der Stad an d’Integratioun"),
            vec!["gemeng", "stad", "integratioun"]
        );
        assert_eq!(terms(&mut lb, "Flüchtlingen"), vec!["fluchtlingen"]);
    }
}

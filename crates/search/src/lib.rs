//! Full-text search over practices: the [`SearchIndex`] trait and its tantivy implementation.
//!
//! The index is derived data: the store is the source of truth and the index can be rebuilt
//! from it at any time ([`SearchIndex::rebuild`]). It only holds what it is given; which
//! statuses are public is the caller's decision (the status facet is there for editors).
//!
//! How a query is answered, in short:
//! - each practice is indexed in the fields of its declared language (French, German, English
//!   with Snowball stemming; Luxembourgish folded only), and a query is analysed once per
//!   language, so a French word finds French fiches whatever the interface language;
//! - BM25, with the title weighing ×3 and the institution ×2 against the body;
//! - all words are required ("logement réfugiés" wants both); when that finds nothing, any word
//!   will do, best matches first;
//! - a word of 5 letters or more that occurs nowhere in the index is taken for a typo and
//!   matched at edit distance 1 ("equigart" finds Equigaart), at half weight;
//! - facets count the documents that match the query *and* the filters (plain drill-down: a
//!   count is what clicking the value would give);
//! - within one facet, several values are alternatives (OR); different facets combine (AND).
//!   Filter values compare as [`domain::text::identity_key`], so "esch-sur-alzette" (a slug)
//!   and "Esch-sur-Alzette" select the same commune.

mod analysis;
mod bridge;
pub mod concepts;
mod facets;
mod index;
mod query;
mod schema;
mod snippet;
pub mod target_public;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use concepts::Expansion;
pub use index::TantivyIndex;

/// Results per page when the query does not say.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// The most results one page may hold; larger requests are cut to this.
pub const MAX_PER_PAGE: u32 = 100;

/// A search request. An empty `q`, or one made of stop words only ("de la"), lists every
/// practice that passes the filters, by id. Words after the 32nd are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    pub themes: Vec<String>,
    pub communes: Vec<String>,
    pub institutions: Vec<String>,
    /// Values of the target public facet (see [`target_public`]).
    pub target_publics: Vec<String>,
    /// Source document names, e.g. `assises-2-fiches.txt`.
    pub sources: Vec<String>,
    /// `draft`, `submitted`, `published`, `archived`.
    pub statuses: Vec<String>,
    /// Ids of concepts of the scheme (`language-course`): practices tagged with any of them.
    pub concepts: Vec<String>,
    /// SPIRAL component codes (`D02`) or dimensions (`D`): practices carrying any of them.
    pub components: Vec<String>,
    /// 1-based; 0 is read as 1.
    pub page: u32,
    /// 0 is read as [`DEFAULT_PER_PAGE`]; more than [`MAX_PER_PAGE`] as [`MAX_PER_PAGE`].
    pub per_page: u32,
}

impl Default for SearchQuery {
    fn default() -> Self {
        Self {
            q: String::new(),
            themes: Vec::new(),
            communes: Vec::new(),
            institutions: Vec::new(),
            target_publics: Vec::new(),
            sources: Vec::new(),
            statuses: Vec::new(),
            concepts: Vec::new(),
            components: Vec::new(),
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl SearchQuery {
    /// A first page of results for `q`, without filters.
    pub fn text(q: impl Into<String>) -> Self {
        Self {
            q: q.into(),
            ..Self::default()
        }
    }
}

/// One result. Every field is plain text except `snippet`, which is HTML.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// White space normalised (the booklet breaks some institutions over two lines).
    pub institution: Option<String>,
    pub communes: Vec<String>,
    pub themes: Vec<String>,
    /// An excerpt of the objectives, description and results, HTML-escaped, with the words
    /// that matched wrapped in `<mark>`. Without a match there, the excerpt's beginning.
    pub snippet: String,
    /// BM25 relevance; 0 when the query was empty (results then come by id).
    pub score: f32,
}

/// Number of matching documents per facet value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Facets {
    pub themes: BTreeMap<String, u64>,
    pub communes: BTreeMap<String, u64>,
    pub institutions: BTreeMap<String, u64>,
    pub target_publics: BTreeMap<String, u64>,
    pub sources: BTreeMap<String, u64>,
    pub statuses: BTreeMap<String, u64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Matching documents in all pages.
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The concepts the query named, by whose labels in every language it was widened
    /// ("Sprachkurs" → cours de langue).
    #[serde(default)]
    pub expansions: Vec<Expansion>,
}

/// What an indexed practice is tagged with, from its text through the concept scheme.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PracticeTags {
    /// Top concepts of the scheme (themes) the practice reaches, most mentioned first.
    pub themes: Vec<String>,
    /// Other concepts its text names, most mentioned first.
    pub concepts: Vec<String>,
    /// SPIRAL components (`D02`): those its author gave and those of its concepts.
    pub components: Vec<String>,
}

/// A practice that answers a SPIRAL criterion, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub hit: Hit,
    /// The concepts the practice shares with the criterion, specific ones before themes, each
    /// with the criterion's words that named it.
    pub shared: Vec<Expansion>,
    /// The practice carries the criterion's component (given by its author or derived from
    /// its concepts).
    pub component: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index in {dir}: {source}")]
    Open {
        dir: PathBuf,
        source: Box<tantivy::TantivyError>,
    },
    #[error("search index in {dir}: cannot create the directory: {source}")]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "search index{}: cannot write, another process holds the index lock \
         (is `zesummen serve` running on the same data directory?): {source}",
        dir.as_ref().map(|d| format!(" in {}", d.display())).unwrap_or_default()
    )]
    Locked {
        dir: Option<PathBuf>,
        source: Box<tantivy::TantivyError>,
    },
    #[error("search index: {0}")]
    Index(#[from] Box<tantivy::TantivyError>),
    /// Reading the practices to index failed: the rebuild stops and the old content stays.
    #[error("reading the practices to index: {0}")]
    Source(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(Box::new(e))
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// A full-text index of practices. Writes are committed before they return: the next search
/// sees them.
pub trait SearchIndex: Send + Sync {
    /// Adds practices, or replaces those with the same id.
    fn upsert(&self, practices: &[domain::Practice]) -> Result<()>;
    /// Removes practices by id; unknown ids are ignored.
    fn remove(&self, ids: &[i64]) -> Result<()>;
    /// Replaces the whole content with `practices`, calling `progress` with the number indexed
    /// so far. Searches see the old content until the new one is complete; an error among the
    /// practices (a store read that failed midway) stops it, and the old content stays.
    /// Returns the count.
    fn rebuild(
        &self,
        practices: &mut dyn Iterator<Item = Result<domain::Practice>>,
        progress: &dyn Fn(u64),
    ) -> Result<u64>;
    fn search(&self, query: &SearchQuery) -> Result<SearchResults>;
    /// The ids of every practice the search finds, in result order (its page and page size
    /// are ignored): what an export reads from the store a batch at a time.
    fn ids(&self, query: &SearchQuery) -> Result<Vec<i64>>;
    /// Practices like `id` (more-like-this), best first, never `id` itself; empty when `id` is
    /// not in the index.
    fn similar(&self, id: i64, limit: usize) -> Result<Vec<Hit>>;
    /// Practices like a text that is not (yet) a practice: a draft being typed, a SPIRAL
    /// criterion looking for practices that answer it.
    fn similar_to_text(
        &self,
        title: &str,
        text: &str,
        language: domain::Language,
        limit: usize,
    ) -> Result<Vec<Hit>>;
    /// The practices that answer a SPIRAL criterion's text (classified into `component`, when
    /// it is): those sharing its concepts and component first, then by text.
    fn answers(&self, text: &str, component: Option<&str>, limit: usize) -> Result<Vec<Answer>> {
        let _ = component;
        Ok(self
            .similar_to_text("", text, domain::Language::Fr, limit)?
            .into_iter()
            .map(|hit| Answer {
                hit,
                shared: Vec::new(),
                component: false,
            })
            .collect())
    }
    /// The concepts a text names in any of the four languages, heaviest first, with the
    /// words that named them; empty without a concept scheme.
    fn concepts_of(&self, text: &str) -> Vec<domain::concepts::Tag> {
        let _ = text;
        Vec::new()
    }
    /// The SPIRAL components the concepts of a text map to, for classification suggestions.
    fn component_hints(&self, text: &str) -> Vec<domain::classify::Hint> {
        let _ = text;
        Vec::new()
    }
    /// Replaces the concept scheme that tags practices and widens queries (an editor's new
    /// version). Practices keep their old tags until they are indexed again (`rebuild`).
    fn set_concepts(&self, scheme: domain::concepts::ConceptScheme) {
        let _ = scheme;
    }
    /// A concept's preferred label in `language`; none for an unknown id.
    fn concept_label(&self, id: &str, language: domain::Language) -> Option<String> {
        let _ = (id, language);
        None
    }
    /// The theme (top concept) one of whose labels, in any language, is `name` without case
    /// or accents: `Langues`, `Sprachen` and `languages` all name `languages`.
    fn theme_named(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
    /// The themes, concepts and components an indexed practice is tagged with; `None` when
    /// `id` is not in the index.
    fn tags_of(&self, id: i64) -> Result<Option<PracticeTags>> {
        let _ = id;
        Ok(None)
    }
    /// The version of the concept scheme in use; none without one.
    fn concepts_version(&self) -> Option<u32> {
        None
    }
    /// Number of practices in the index.
    fn len(&self) -> Result<u64>;
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }
}

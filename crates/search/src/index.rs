//! The tantivy implementation of [`SearchIndex`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use domain::concepts::ConceptScheme;
use domain::text::identity_key;
use domain::{Language, Practice};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, MoreLikeThisQuery, Occur,
    Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, Order, ReloadPolicy, Searcher,
    TantivyDocument, TantivyError, Term,
};

use crate::analysis::{self, LANGUAGES};
use crate::concepts::{Concepts, Expansion};
use crate::facets::FacetCounter;
use crate::query::{self, Analyzers, TextQuery};
use crate::schema::{self, FacetKind, Fields};
use crate::snippet::{self, Highlighter};
use crate::{
    Answer, DEFAULT_PER_PAGE, Facets, Hit, MAX_PER_PAGE, PracticeTags, Result, SearchError,
    SearchIndex, SearchQuery, SearchResults,
};

/// What having every word of the query adds, as a multiple of the words' own score: a fiche
/// with every word comes before one that has fewer, unless their words weigh far more.
const COORDINATION_ALL: f32 = 3.0;
/// What having all words but one adds, for each such set of words (queries of 3 to
/// [`MAX_COORDINATED_WORDS`] words): coordination graded by the number of words present.
const COORDINATION_ALL_BUT_ONE: f32 = 1.0;
const MAX_COORDINATED_WORDS: usize = 6;
/// Snippet length, in bytes of the source text.
const SNIPPET_BYTES: usize = 220;
/// Indexing memory per writer thread; tantivy needs at least 15 MB.
const WRITER_BYTES_PER_THREAD: usize = 40_000_000;
/// "Similar" ignores words found in more than this share of the documents.
const SIMILAR_MAX_DOC_SHARE: f64 = 0.5;
/// A shared theme counts like a good shared word in "similar".
const SIMILAR_THEME_BOOST: f32 = 0.5;

/// One page of hits (score, address), the total, and the facets.
type Page = (Vec<(f32, DocAddress)>, u64, Facets);

/// A tantivy index of practices, on disk ([`TantivyIndex::open`]) or in memory
/// ([`TantivyIndex::in_memory`]).
///
/// The writer is created at the first write and kept: it holds the directory's lock, so a
/// second process writing the same index gets [`SearchError::Locked`].
/// A query made ready to run (see [`TantivyIndex::analysed`]).
struct Analysed {
    filters: Vec<Box<dyn Query>>,
    analyzers: Analyzers,
    concepts: Option<Arc<Concepts>>,
    text: TextQuery,
}

/// What a search runs.
enum Plan {
    /// Every practice, by id.
    Listing,
    Run {
        query: Box<dyn Query>,
        by_score: bool,
    },
}

/// Answers of [`SearchIndex::similar`] for one searcher generation: any commit (a write on
/// this node, or a change another node logged and this one applied) starts an empty one, so
/// an answer is never older than the index. Bounded: past [`SimilarCache::MAX`] answers it
/// starts again.
#[derive(Default)]
struct SimilarCache {
    generation: u64,
    answers: HashMap<(i64, usize), Vec<Hit>>,
}

impl SimilarCache {
    const MAX: usize = 20_000;

    fn get(&mut self, generation: u64, key: (i64, usize)) -> Option<Vec<Hit>> {
        if self.generation != generation {
            self.generation = generation;
            self.answers.clear();
        }
        self.answers.get(&key).cloned()
    }

    fn put(&mut self, generation: u64, key: (i64, usize), hits: Vec<Hit>) {
        if self.generation != generation {
            return;
        }
        if self.answers.len() >= Self::MAX {
            self.answers.clear();
        }
        self.answers.insert(key, hits);
    }
}

/// The concepts of short texts under one scheme (see [`TantivyIndex::concepts_epoch`]).
#[derive(Default)]
struct TagMemo {
    epoch: u64,
    tags: HashMap<String, Vec<domain::concepts::Tag>>,
}

impl TagMemo {
    /// Texts longer than this are tagged each time (a fiche is tagged once, when indexed).
    const MAX_TEXT: usize = 2000;
    const MAX: usize = 50_000;
}

pub struct TantivyIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    /// Facet counts of the whole index, for the searcher generation they were counted on.
    listing_facets: Mutex<Option<(u64, Facets)>>,
    /// Practices like a practice, for the searcher generation (and scheme) they were found
    /// with: a fiche page asks the same question until the index changes.
    similar_cache: Mutex<SimilarCache>,
    /// Concepts of short texts (criteria, post-its), per scheme: a fiche's page tags the same
    /// latest criteria on every request.
    tag_memo: Mutex<TagMemo>,
    /// Counts scheme replacements: a memo made under another scheme is dropped.
    concepts_epoch: std::sync::atomic::AtomicU64,
    pub(crate) fields: Fields,
    pub(crate) analyzers: Analyzers,
    dir: Option<PathBuf>,
    /// The concept scheme that tags practices and widens queries; none, no widening. An
    /// editor's new version replaces it while the index serves ([`SearchIndex::set_concepts`]).
    concepts: RwLock<Option<Arc<Concepts>>>,
}

impl TantivyIndex {
    /// "More like this" over given title and body text: the practices sharing the most
    /// distinctive words, boosted when they share a theme, without `exclude`.
    #[allow(clippy::too_many_arguments)]
    fn more_like(
        &self,
        searcher: &tantivy::Searcher,
        title: Vec<OwnedValue>,
        body: Vec<OwnedValue>,
        language: Language,
        themes: &[String],
        exclude: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Hit>> {
        let f = &self.fields;
        let fields = f.for_language(language);
        let num_docs = searcher.num_docs();
        let like_this = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(if exclude.is_some() { 2 } else { 1 })
            .with_max_doc_frequency(((num_docs as f64 * SIMILAR_MAX_DOC_SHARE) as u64).max(2))
            .with_min_term_frequency(1)
            .with_max_query_terms(30)
            .with_min_word_length(3)
            .with_document_fields(vec![(fields.title, title), (fields.body, body)]);

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(like_this))];
        let theme_key = f.facet_key(FacetKind::Theme);
        for theme in themes {
            let same_theme = TermQuery::new(
                Term::from_field_text(theme_key, &identity_key(theme)),
                IndexRecordOption::Basic,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(ConstScoreQuery::new(Box::new(same_theme), 1.0)),
                    SIMILAR_THEME_BOOST,
                )),
            ));
        }
        if let Some(id) = exclude {
            let by_id = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
            clauses.push((Occur::MustNot, Box::new(by_id)));
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        top.into_iter()
            .map(|(score, address)| self.hit(searcher, address, score, &mut |_, _| None))
            .collect()
    }
    /// Opens the index in `dir`, creating the directory and an empty index when missing.
    /// An index written with another schema (an older zesummen) is derived data: it is
    /// replaced by an empty one, and `len()` then tells the caller to rebuild.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let open_err = |e: TantivyError| SearchError::Open {
            dir: dir.to_path_buf(),
            source: Box::new(e),
        };
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir).map_err(|e| open_err(e.into()))?;
        let index = match Index::open_or_create(directory, schema.clone()) {
            Ok(index) => index,
            Err(TantivyError::SchemaError(_)) => {
                let directory = MmapDirectory::open(dir).map_err(|e| open_err(e.into()))?;
                Index::create(directory, schema, IndexSettings::default()).map_err(open_err)?
            }
            Err(e) => return Err(open_err(e)),
        };
        Self::with_index(index, fields, Some(dir.to_path_buf())).map_err(|e| match e {
            SearchError::Index(source) => SearchError::Open {
                dir: dir.to_path_buf(),
                source,
            },
            other => other,
        })
    }

    /// An index that lives and dies with this value (tests, demos).
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields, None)
    }

    fn with_index(index: Index, fields: Fields, dir: Option<PathBuf>) -> Result<Self> {
        analysis::register(index.tokenizers());
        // Commits of another process (`zesummen reindex`) show up by themselves; our own
        // commits reload explicitly so that the next search sees them.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let analyzers = Analyzers {
            languages: LANGUAGES.map(analysis::analyzer),
            words: analysis::words_analyzer(),
        };
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            listing_facets: Mutex::new(None),
            similar_cache: Mutex::new(SimilarCache::default()),
            tag_memo: Mutex::new(TagMemo::default()),
            concepts_epoch: std::sync::atomic::AtomicU64::new(0),
            fields,
            analyzers,
            dir,
            concepts: RwLock::new(None),
        })
    }

    /// Tags practices with `scheme`'s concepts as they are indexed, and widens queries by the
    /// concepts they name. Practices indexed before keep their tags until they are indexed
    /// again (`rebuild`).
    #[must_use]
    pub fn with_concepts(self, scheme: ConceptScheme) -> Self {
        self.replace_concepts(scheme);
        self
    }

    fn replace_concepts(&self, scheme: ConceptScheme) {
        let concepts = Some(Arc::new(Concepts::new(scheme)));
        match self.concepts.write() {
            Ok(mut guard) => *guard = concepts,
            Err(poisoned) => *poisoned.into_inner() = concepts,
        }
        self.concepts_epoch
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Similar practices may rank by concepts: the old scheme's answers go.
        self.similar_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .answers
            .clear();
    }

    /// The concept scheme in use, for one search or one batch of indexing.
    pub(crate) fn concepts(&self) -> Option<Arc<Concepts>> {
        match self.concepts.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>> {
        let mut guard = match self.writer.lock() {
            Ok(guard) => guard,
            // A write panicked half-way: drop what it added before anything else commits.
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                if let Some(writer) = guard.as_mut() {
                    writer.rollback()?;
                }
                self.writer.clear_poison();
                guard
            }
        };
        if guard.is_none() {
            let threads = std::thread::available_parallelism()
                .map_or(1, std::num::NonZero::get)
                .clamp(1, 4);
            let writer = self
                .index
                .writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)
                .map_err(|e| match e {
                    TantivyError::LockFailure(..) => SearchError::Locked {
                        dir: self.dir.clone(),
                        source: Box::new(e),
                    },
                    e => e.into(),
                })?;
            *guard = Some(writer);
        }
        Ok(guard)
    }

    /// Runs `change`, commits, and makes it visible; rolls back if anything fails.
    fn write<T>(&self, change: impl FnOnce(&mut IndexWriter) -> Result<T>) -> Result<T> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer() creates the writer");
        let outcome = change(writer).and_then(|value| {
            writer.commit()?;
            Ok(value)
        });
        if outcome.is_err() {
            writer.rollback()?;
        }
        let value = outcome?;
        self.reader.reload()?;
        Ok(value)
    }

    fn id_term(&self, id: i64) -> Term {
        Term::from_field_i64(self.fields.id, id)
    }

    fn filters(&self, query: &SearchQuery) -> Vec<Box<dyn Query>> {
        let lists = [
            (FacetKind::Theme, &query.themes),
            (FacetKind::Commune, &query.communes),
            (FacetKind::Institution, &query.institutions),
            (FacetKind::TargetPublic, &query.target_publics),
            (FacetKind::Source, &query.sources),
            (FacetKind::Status, &query.statuses),
        ];
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        for (kind, values) in lists {
            let alternatives: Vec<Box<dyn Query>> = values
                .iter()
                .map(|v| identity_key(v))
                .filter(|k| !k.is_empty())
                .map(|key| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.facet_key(kind), &key),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect();
            if !alternatives.is_empty() {
                let any = BooleanQuery::union(alternatives);
                filters.push(Box::new(ConstScoreQuery::new(Box::new(any), 0.0)));
            } else if !values.is_empty() {
                // A value that folds to nothing (`!!!`, `%FF`) names no practice: it must not
                // widen the filter to every practice.
                filters.push(Box::new(EmptyQuery));
            }
        }
        // Concepts and components are exact codes: `language-course`, `D02`, `D`.
        let exact = [
            (self.fields.concepts, &query.concepts, false),
            (self.fields.components, &query.components, true),
        ];
        for (field, values, upper) in exact {
            let alternatives: Vec<Box<dyn Query>> = values
                .iter()
                .map(|v| {
                    let v = v.trim();
                    if upper {
                        v.to_ascii_uppercase()
                    } else {
                        v.to_ascii_lowercase()
                    }
                })
                .filter(|v| !v.is_empty())
                .map(|v| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &v),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect();
            if !alternatives.is_empty() {
                let any = BooleanQuery::union(alternatives);
                filters.push(Box::new(ConstScoreQuery::new(Box::new(any), 0.0)));
            } else if !values.is_empty() {
                // A value that folds to nothing (`!!!`, `%FF`) names no practice: it must not
                // widen the filter to every practice.
                filters.push(Box::new(EmptyQuery));
            }
        }
        filters
    }

    /// A query's filters and analysed words, with the analyzers and the concept scheme that
    /// analysed them (snippets and expansions use the same).
    fn analysed(&self, searcher: &Searcher, query: &SearchQuery) -> Result<Analysed> {
        let mut analyzers = self.analyzers.clone();
        let concepts = self.concepts();
        let text = query::analyse(
            searcher,
            &self.fields,
            &mut analyzers,
            concepts.as_deref(),
            &query.q,
        )?;
        Ok(Analysed {
            filters: self.filters(query),
            analyzers,
            concepts,
            text,
        })
    }

    /// What a search runs: every practice by id (the listing, whose facets are kept), or one
    /// query, ranked by score when there are words.
    fn plan(text: &TextQuery, filters: &[Box<dyn Query>], q: &str) -> Plan {
        let with_filters = |text: Option<Box<dyn Query>>| -> Box<dyn Query> {
            let mut must: Vec<Box<dyn Query>> = text.into_iter().collect();
            must.extend(filters.iter().map(|f| f.box_clone()));
            match must.len() {
                0 => Box::new(AllQuery),
                1 => must.pop().expect("one query"),
                _ => Box::new(BooleanQuery::intersection(must)),
            }
        };
        if text.clauses.is_empty() && !q.trim().is_empty() {
            // Words that fold to nothing (`�`, `!!!`, stop words alone) name no practice:
            // they must not widen the answer to every practice.
            return Plan::Run {
                query: Box::new(EmptyQuery),
                by_score: false,
            };
        }
        if text.clauses.is_empty() && filters.is_empty() {
            return Plan::Listing;
        }
        if text.clauses.is_empty() {
            return Plan::Run {
                query: with_filters(None),
                by_score: false,
            };
        }
        // Any word will do, so that a fiche is never lost for one word it lacks; the more of
        // the words a fiche has, the higher it ranks (the coordination of classic IR).
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            Box::new(BooleanQuery::union(
                text.matching.iter().map(|c| c.box_clone()).collect(),
            )),
        )];
        let n = text.clauses.len();
        if n > 1 {
            let every_word =
                BooleanQuery::intersection(text.clauses.iter().map(|c| c.box_clone()).collect());
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(every_word), COORDINATION_ALL)),
            ));
        }
        if (3..=MAX_COORDINATED_WORDS).contains(&n) {
            for left_out in 0..n {
                let all_but_one = BooleanQuery::intersection(
                    (0..n)
                        .filter(|&i| i != left_out)
                        .map(|i| text.clauses[i].box_clone())
                        .collect(),
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(all_but_one),
                        COORDINATION_ALL_BUT_ONE,
                    )),
                ));
            }
        }
        Plan::Run {
            query: with_filters(Some(Box::new(BooleanQuery::new(should)))),
            by_score: true,
        }
    }

    /// [`SearchIndex::similar`] computed on `searcher`.
    fn similar_uncached(&self, searcher: &Searcher, id: i64, limit: usize) -> Result<Vec<Hit>> {
        let by_id = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
        let found = searcher.search(&by_id, &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, address)) = found.first() else {
            return Ok(Vec::new());
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &self.fields;
        let strings = |field: Field| -> Vec<OwnedValue> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(|s| OwnedValue::Str(s.to_string())))
                .collect()
        };
        let language = doc
            .get_first(f.language)
            .and_then(|v| v.as_str())
            .and_then(Language::parse)
            .unwrap_or_default();
        let mut body = strings(f.excerpt);
        body.extend(strings(f.context));
        let themes: Vec<String> = doc
            .get_all(f.facet(FacetKind::Theme))
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        self.more_like(
            searcher,
            strings(f.title),
            body,
            language,
            &themes,
            Some(id),
            limit,
        )
    }

    /// Runs one query: the page of hits (score, address), the total and the facets.
    fn collect(
        searcher: &Searcher,
        query: &dyn Query,
        by_score: bool,
        offset: usize,
        limit: usize,
    ) -> Result<Page> {
        if offset >= searcher.num_docs() as usize {
            let (count, facets) = searcher.search(query, &(Count, FacetCounter))?;
            return Ok((Vec::new(), count as u64, facets.into()));
        }
        let top = TopDocs::with_limit(limit).and_offset(offset);
        if by_score {
            let (hits, count, facets) =
                searcher.search(query, &(top.order_by_score(), Count, FacetCounter))?;
            Ok((hits, count as u64, facets.into()))
        } else {
            let (hits, count, facets) = searcher.search(
                query,
                &(
                    top.order_by_fast_field::<i64>("id", Order::Asc),
                    Count,
                    FacetCounter,
                ),
            )?;
            let hits = hits
                .into_iter()
                .map(|(_, address)| (0.0, address))
                .collect();
            Ok((hits, count as u64, facets.into()))
        }
    }

    /// Every practice, by id: the home page and an empty search. Counting the facets of every
    /// document is the costliest thing a search does (9 ms at 100,000 practices), so they are
    /// kept until the index changes.
    fn listing(&self, searcher: &Searcher, offset: usize, limit: usize) -> Result<Page> {
        let generation = searcher.generation().generation_id();
        let cached = self
            .listing_facets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, facets)| facets.clone());
        let facets = if let Some(facets) = cached {
            facets
        } else {
            let facets: Facets = searcher.search(&AllQuery, &FacetCounter)?.into();
            *self
                .listing_facets
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some((generation, facets.clone()));
            facets
        };
        let total = searcher.num_docs();
        let hits = if offset as u64 >= total {
            Vec::new()
        } else {
            let by_id = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_fast_field::<i64>("id", Order::Asc);
            searcher
                .search(&AllQuery, &by_id)?
                .into_iter()
                .map(|(_, address)| (0.0, address))
                .collect()
        };
        Ok((hits, total, facets))
    }

    pub(crate) fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        snippets: &mut dyn FnMut(Language, &str) -> Option<String>,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let all = |field: Field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let language = Language::parse(&text(f.language)).unwrap_or_default();
        let excerpt = all(f.excerpt).join("\n");
        let snippet =
            snippets(language, &excerpt).unwrap_or_else(|| snippet::lead(&excerpt, SNIPPET_BYTES));
        let institution = text(f.facet(FacetKind::Institution));
        Ok(Hit {
            id: doc
                .get_first(f.id)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            slug: text(f.slug),
            title: text(f.title),
            institution: (!institution.is_empty()).then_some(institution),
            communes: all(f.facet(FacetKind::Commune)),
            themes: all(f.facet(FacetKind::Theme)),
            snippet,
            score,
        })
    }
}

impl SearchIndex for TantivyIndex {
    fn upsert(&self, practices: &[Practice]) -> Result<()> {
        if practices.is_empty() {
            return Ok(());
        }
        let concepts = self.concepts();
        self.write(|writer| {
            for practice in practices {
                writer.delete_term(self.id_term(practice.id));
                writer.add_document(schema::document(
                    &self.fields,
                    concepts.as_deref(),
                    practice,
                ))?;
            }
            Ok(())
        })
    }

    fn remove(&self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.write(|writer| {
            for &id in ids {
                writer.delete_term(self.id_term(id));
            }
            Ok(())
        })
    }

    fn rebuild(
        &self,
        practices: &mut dyn Iterator<Item = Result<Practice>>,
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        let concepts = self.concepts();
        let count = self.write(|writer| {
            writer.delete_all_documents()?;
            let mut count = 0;
            for practice in practices {
                let practice = practice?;
                writer.add_document(schema::document(
                    &self.fields,
                    concepts.as_deref(),
                    &practice,
                ))?;
                count += 1;
                progress(count);
            }
            Ok(count)
        })?;
        // One segment searches fastest; a rebuild is the moment to pay for the merge.
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            let mut guard = self.writer()?;
            let writer = guard.as_mut().expect("writer() creates the writer");
            writer.merge(&segments).wait()?;
            self.reader.reload()?;
        }
        Ok(count)
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let per_page = match query.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        } as usize;
        let offset = (query.page.max(1) as usize - 1).saturating_mul(per_page);
        let Analysed {
            filters,
            analyzers,
            concepts,
            text,
        } = self.analysed(&searcher, query)?;

        let (hits, total, facets) = match Self::plan(&text, &filters, &query.q) {
            Plan::Listing => self.listing(&searcher, offset, per_page)?,
            Plan::Run { query: q, by_score } => {
                Self::collect(&searcher, &*q, by_score, offset, per_page)?
            }
        };

        let mut highlighters: BTreeMap<usize, Highlighter> = BTreeMap::new();
        let mut snippets = |language: Language, excerpt: &str| -> Option<String> {
            let i = LANGUAGES.iter().position(|l| *l == language)?;
            if text.highlights[i].is_empty() {
                return None;
            }
            highlighters
                .entry(i)
                .or_insert_with(|| {
                    Highlighter::new(analyzers.languages[i].clone(), text.highlights[i].clone())
                })
                .snippet(excerpt, SNIPPET_BYTES)
        };
        let hits = hits
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, address, score, &mut snippets))
            .collect::<Result<Vec<_>>>()?;
        let mut expansions: Vec<Expansion> = Vec::new();
        if let Some(concepts) = &concepts {
            for found in &text.expansions {
                let e = Expansion::new(&concepts.scheme, found);
                if !expansions
                    .iter()
                    .any(|x| x.concept == e.concept && x.words == e.words)
                {
                    expansions.push(e);
                }
            }
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
            expansions,
        })
    }

    fn ids(&self, query: &SearchQuery) -> Result<Vec<i64>> {
        let searcher = self.reader.searcher();
        let Analysed { filters, text, .. } = self.analysed(&searcher, query)?;
        let (q, by_score): (Box<dyn Query>, bool) = match Self::plan(&text, &filters, &query.q) {
            Plan::Listing => (Box::new(AllQuery), false),
            Plan::Run { query, by_score } => (query, by_score),
        };
        let count = searcher.search(&*q, &Count)?;
        if count == 0 {
            return Ok(Vec::new());
        }
        let addresses: Vec<DocAddress> = if by_score {
            searcher
                .search(&*q, &TopDocs::with_limit(count).order_by_score())?
                .into_iter()
                .map(|(_, address)| address)
                .collect()
        } else {
            searcher
                .search(
                    &*q,
                    &TopDocs::with_limit(count).order_by_fast_field::<i64>("id", Order::Asc),
                )?
                .into_iter()
                .map(|(_, address)| address)
                .collect()
        };
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().i64("id"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(addresses
            .into_iter()
            .filter_map(|a| columns[a.segment_ord as usize].first(a.doc_id))
            .collect())
    }

    fn similar(&self, id: i64, limit: usize) -> Result<Vec<Hit>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let cached = self
            .similar_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(generation, (id, limit));
        if let Some(hits) = cached {
            return Ok(hits);
        }
        let hits = self.similar_uncached(&searcher, id, limit)?;
        self.similar_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(generation, (id, limit), hits.clone());
        Ok(hits)
    }

    fn similar_to_text(
        &self,
        title: &str,
        text: &str,
        language: Language,
        limit: usize,
    ) -> Result<Vec<Hit>> {
        if limit == 0 || (title.trim().is_empty() && text.trim().is_empty()) {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        self.more_like(
            &searcher,
            vec![OwnedValue::Str(title.to_string())],
            vec![OwnedValue::Str(text.to_string())],
            language,
            &[],
            None,
            limit,
        )
    }

    fn answers(&self, text: &str, component: Option<&str>, limit: usize) -> Result<Vec<Answer>> {
        self.bridge(text, component, limit)
    }

    fn concepts_of(&self, text: &str) -> Vec<domain::concepts::Tag> {
        let epoch = self
            .concepts_epoch
            .load(std::sync::atomic::Ordering::SeqCst);
        let memo = || self.tag_memo.lock().unwrap_or_else(PoisonError::into_inner);
        let short = text.len() <= TagMemo::MAX_TEXT;
        if short {
            let mut m = memo();
            if m.epoch != epoch {
                m.epoch = epoch;
                m.tags.clear();
            }
            if let Some(tags) = m.tags.get(text) {
                return tags.clone();
            }
        }
        let tags = self
            .concepts()
            .as_deref()
            .map(|c| c.tags(text))
            .unwrap_or_default();
        if short {
            let mut m = memo();
            // Made under the scheme of `epoch`: kept only while it is still the one in use.
            if m.epoch == epoch {
                if m.tags.len() >= TagMemo::MAX {
                    m.tags.clear();
                }
                m.tags.insert(text.to_string(), tags.clone());
            }
        }
        tags
    }

    fn component_hints(&self, text: &str) -> Vec<domain::classify::Hint> {
        self.concepts()
            .as_deref()
            .map(|c| domain::classify::concept_hints(&c.scheme, &c.tags(text)))
            .unwrap_or_default()
    }

    fn set_concepts(&self, scheme: ConceptScheme) {
        self.replace_concepts(scheme);
    }

    fn concept_label(&self, id: &str, language: Language) -> Option<String> {
        let concepts = self.concepts()?;
        concepts
            .scheme
            .get(id)
            .map(|c| c.pref(language).to_string())
    }

    fn concepts_version(&self) -> Option<u32> {
        self.concepts().map(|c| c.scheme.version)
    }

    fn theme_named(&self, name: &str) -> Option<String> {
        let wanted = domain::text::fold(name);
        if wanted.is_empty() {
            return None;
        }
        let concepts = self.concepts()?;
        concepts
            .scheme
            .concepts
            .iter()
            .filter(|c| c.top)
            .find(|c| {
                c.labels.iter().any(|l| {
                    std::iter::once(&l.pref)
                        .chain(&l.alt)
                        .any(|label| domain::text::fold(label) == wanted)
                })
            })
            .map(|c| c.id.clone())
    }

    fn tags_of(&self, id: i64) -> Result<Option<PracticeTags>> {
        let searcher = self.reader.searcher();
        let by_id = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
        let found = searcher.search(&by_id, &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, address)) = found.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &self.fields;
        // A concept is stored once per mention.
        let mut mentions: Vec<(String, usize)> = Vec::new();
        for id in doc.get_all(f.concepts).filter_map(|v| v.as_str()) {
            match mentions.iter_mut().find(|(c, _)| c == id) {
                Some((_, n)) => *n += 1,
                None => mentions.push((id.to_string(), 1)),
            }
        }
        mentions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let scheme = self.concepts();
        let top = |id: &str| {
            scheme
                .as_deref()
                .and_then(|c| c.scheme.get(id))
                .is_some_and(|c| c.top)
        };
        let (themes, concepts): (Vec<String>, Vec<String>) = mentions
            .into_iter()
            .map(|(id, _)| id)
            .partition(|id| top(id));
        let components = doc
            .get_all(f.components)
            .filter_map(|v| v.as_str())
            .filter(|c| c.len() == 3)
            .map(str::to_string)
            .collect();
        Ok(Some(PracticeTags {
            themes,
            concepts,
            components,
        }))
    }

    fn len(&self) -> Result<u64> {
        Ok(self.reader.searcher().num_docs())
    }
}

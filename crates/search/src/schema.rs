//! The index schema, and how a practice becomes a document.

use domain::text::{identity_key, normalise_line};
use domain::{Language, Practice};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{LANGUAGES, WORDS_ANALYZER, analyzer_name};
use crate::concepts::Concepts;
use crate::target_public;

/// The facets, in the order of [`crate::Facets`]' fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetKind {
    Theme,
    Commune,
    Institution,
    TargetPublic,
    Source,
    Status,
}

impl FacetKind {
    pub const ALL: [FacetKind; 6] = [
        FacetKind::Theme,
        FacetKind::Commune,
        FacetKind::Institution,
        FacetKind::TargetPublic,
        FacetKind::Source,
        FacetKind::Status,
    ];

    /// The fast field holding the values as shown.
    pub fn field_name(self) -> &'static str {
        match self {
            FacetKind::Theme => "theme",
            FacetKind::Commune => "commune",
            FacetKind::Institution => "institution",
            FacetKind::TargetPublic => "target_public",
            FacetKind::Source => "source",
            FacetKind::Status => "status",
        }
    }

    fn key_field_name(self) -> String {
        format!("{}_key", self.field_name())
    }
}

/// The text fields of one language.
#[derive(Debug, Clone, Copy)]
pub struct LanguageFields {
    pub language: Language,
    pub title: Field,
    pub institution: Field,
    pub body: Field,
}

#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub slug: Field,
    pub title: Field,
    pub language: Field,
    /// Objectives, description and results, stored for snippets and "similar".
    pub excerpt: Field,
    /// Subtitle and target public, stored for "similar".
    pub context: Field,
    /// Every word as spelled (folded), for typo lookup.
    pub words: Field,
    /// Ids of the concepts the practice's text names, with their broader concepts (see
    /// [`crate::concepts`]); stored, so that an answer can say which concepts it shares.
    pub concepts: Field,
    /// SPIRAL components of the practice: those its author gave, those of its concepts, and
    /// their dimension letters (`D02` also gives `D`).
    pub components: Field,
    pub text: [LanguageFields; 4],
    /// Facet values as shown (fast, multi-valued), in [`FacetKind::ALL`] order.
    pub facets: [Field; 6],
    /// Facet values as identity keys, for filters.
    pub facet_keys: [Field; 6],
}

impl Fields {
    pub fn for_language(&self, language: Language) -> &LanguageFields {
        self.text
            .iter()
            .find(|f| f.language == language)
            .expect("every language has fields")
    }

    pub fn facet(&self, kind: FacetKind) -> Field {
        self.facets[kind as usize]
    }

    pub fn facet_key(&self, kind: FacetKind) -> Field {
        self.facet_keys[kind as usize]
    }
}

fn text_options(analyzer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    )
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_i64_field("id", INDEXED | STORED | FAST);
    let slug = b.add_text_field("slug", STORED);
    let title = b.add_text_field("title", STORED);
    let language = b.add_text_field("language", STRING | STORED);
    let excerpt = b.add_text_field("excerpt", STORED);
    let context = b.add_text_field("context", STORED);
    // Only the dictionary matters here: positions and frequencies would be dead weight.
    let words = b.add_text_field(
        "words",
        text_options(WORDS_ANALYZER, IndexRecordOption::Basic),
    );
    // Once per mention, with frequencies: a fiche that is mostly about a concept outweighs one
    // that names it in passing among many others (BM25 on this field).
    let concepts = b.add_text_field(
        "concepts",
        text_options("raw", IndexRecordOption::WithFreqs).set_stored(),
    );
    let components = b.add_text_field("components", STRING | STORED);
    let text = LANGUAGES.map(|language| {
        let name = analyzer_name(language);
        let suffix = language.as_str();
        // No phrase queries: frequencies are enough for BM25.
        let options = text_options(name, IndexRecordOption::WithFreqs);
        LanguageFields {
            language,
            title: b.add_text_field(&format!("title_{suffix}"), options.clone()),
            institution: b.add_text_field(&format!("institution_{suffix}"), options.clone()),
            body: b.add_text_field(&format!("body_{suffix}"), options),
        }
    });
    let facets = FacetKind::ALL.map(|kind| {
        let shown = matches!(
            kind,
            FacetKind::Theme | FacetKind::Commune | FacetKind::Institution
        );
        let options = TextOptions::default().set_fast("raw");
        let options = if shown { options.set_stored() } else { options };
        b.add_text_field(kind.field_name(), options)
    });
    let facet_keys = FacetKind::ALL.map(|kind| b.add_text_field(&kind.key_field_name(), STRING));
    let fields = Fields {
        id,
        slug,
        title,
        language,
        excerpt,
        context,
        words,
        concepts,
        components,
        text,
        facets,
        facet_keys,
    };
    (b.build(), fields)
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The facet values of a practice, as shown, deduplicated.
pub fn facet_values(practice: &Practice, kind: FacetKind) -> Vec<String> {
    let f = &practice.fields;
    let mut values: Vec<String> = match kind {
        FacetKind::Theme => f.themes.iter().map(|t| normalise_line(t)).collect(),
        FacetKind::Commune => f.communes.iter().map(|c| normalise_line(c)).collect(),
        FacetKind::Institution => non_empty(f.institution.as_ref())
            .map(normalise_line)
            .into_iter()
            .collect(),
        FacetKind::TargetPublic => target_public::categories(f.target_public.as_deref()),
        FacetKind::Source => practice
            .sources
            .iter()
            .map(|s| s.document.clone())
            .collect(),
        FacetKind::Status => vec![practice.status.as_str().to_string()],
    };
    values.retain(|v| !v.is_empty());
    let mut seen = std::collections::HashSet::new();
    values.retain(|v| seen.insert(v.clone()));
    values
}

/// Objectives, description and results: what a snippet is cut from.
pub fn excerpt_parts(practice: &Practice) -> Vec<&str> {
    let f = &practice.fields;
    [&f.objectives, &f.description, &f.results]
        .into_iter()
        .filter_map(|s| non_empty(s.as_ref()))
        .collect()
}

pub fn document(
    fields: &Fields,
    concepts: Option<&Concepts>,
    practice: &Practice,
) -> TantivyDocument {
    let f = &practice.fields;
    let mut doc = TantivyDocument::default();
    doc.add_i64(fields.id, practice.id);
    doc.add_text(fields.slug, &practice.slug);
    doc.add_text(fields.title, &f.title);
    doc.add_text(fields.language, practice.language.as_str());
    for part in excerpt_parts(practice) {
        doc.add_text(fields.excerpt, part);
    }
    for part in [&f.subtitle, &f.target_public]
        .into_iter()
        .filter_map(|s| non_empty(s.as_ref()))
    {
        doc.add_text(fields.context, part);
    }

    let lang = fields.for_language(practice.language);
    doc.add_text(lang.title, &f.title);
    if let Some(institution) = non_empty(f.institution.as_ref()) {
        doc.add_text(lang.institution, institution);
    }
    // Contacts are personal data: they are shown on the fiche, not searched.
    let body = [
        &f.subtitle,
        &f.organisers,
        &f.objectives,
        &f.description,
        &f.results,
        &f.target_public,
        &f.place_periodicity,
        &f.costs,
        &f.other_info,
    ]
    .into_iter()
    .filter_map(|s| non_empty(s.as_ref()))
    .map(str::to_string)
    .chain(f.communes.iter().cloned())
    .chain(f.themes.iter().cloned());
    let mut all = f.title.clone();
    for part in body {
        doc.add_text(lang.body, &part);
        doc.add_text(fields.words, &part);
        all.push('\n');
        all.push_str(&part);
    }
    let mut components: Vec<String> = f.spiral_components.clone();
    if let Some(concepts) = concepts {
        for (id, mentions) in concepts.of_text(&all, practice.language) {
            if let Some(c) = concepts.scheme.get(&id) {
                components.extend(c.components.iter().cloned());
            }
            for _ in 0..mentions {
                doc.add_text(fields.concepts, &id);
            }
        }
    }
    let dimensions: Vec<String> = components
        .iter()
        .filter_map(|c| c.get(..1))
        .map(str::to_string)
        .collect();
    components.extend(dimensions);
    components.sort();
    components.dedup();
    for c in components {
        doc.add_text(fields.components, c);
    }
    doc.add_text(fields.words, &f.title);
    if let Some(institution) = non_empty(f.institution.as_ref()) {
        doc.add_text(fields.words, institution);
    }

    for kind in FacetKind::ALL {
        for value in facet_values(practice, kind) {
            doc.add_text(fields.facet_key(kind), identity_key(&value));
            doc.add_text(fields.facet(kind), value);
        }
    }
    doc
}

//! PDF with typst: the booklet of practices (livret), one fiche, and the SPIRAL print synthesis.
//!
//! The templates (`*.typ` beside this file) are compiled into the binary, and so are the fonts
//! (Libertinus Serif and DejaVu Sans Mono from typst-assets: full Latin coverage, ë é ß « » œ ’),
//! so no system font is read at run time.
//!
//! Data never becomes typst source: it is serialised to JSON and handed to the template as
//! bytes in `sys.inputs.data`, which the template decodes with `json(…)`. A title such as
//! `#set page(width: 1pt)` is therefore printed, never evaluated, and nothing is escaped by hand.
//!
//! Results are cached by content: the key is a SHA-256 over the templates, the kind of
//! document and the serialised input, so the same input returns the stored bytes and any change
//! of data (an edit bumps `updated_at` too) or of a template gives a new key.

use std::sync::{Arc, LazyLock};

use domain::Practice;
use quick_cache::Weighter;
use serde::Serialize;
use sha2::{Digest, Sha256};
use typst::diag::SourceDiagnostic;
use typst::foundations::{Bytes, Dict, IntoValue};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

/// Bump when the meaning of the inputs changes without a template changing.
const FORMAT_VERSION: &str = "1";

const COMMON: &str = include_str!("common.typ");
const BOOKLET: &str = include_str!("booklet.typ");
const FICHE: &str = include_str!("fiche.typ");
const SYNTHESIS: &str = include_str!("synthesis.typ");

/// At most this many bytes of PDF stay in the cache; the least used go first.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The template could not be laid out: a defect of the template, never of the data.
    #[error("typst could not lay out the {kind}: {message}")]
    Layout { kind: &'static str, message: String },
    #[error("writing the {kind} as PDF failed: {message}")]
    Export { kind: &'static str, message: String },
    #[error("serialising the {kind}'s data failed: {source}")]
    Data {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// A practice as the booklet prints it: the practice, and the names of its attachments (the
/// files themselves are not embedded).
#[derive(Debug, Clone, Serialize)]
pub struct FicheData {
    #[serde(flatten)]
    pub practice: Practice,
    pub attachments: Vec<String>,
}

impl From<Practice> for FicheData {
    fn from(practice: Practice) -> Self {
        Self {
            practice,
            attachments: Vec::new(),
        }
    }
}

/// What the cover of a booklet says, besides the practices.
#[derive(Debug, Clone, Serialize)]
pub struct BookletOptions {
    /// The reader's language for the booklet's own words (cover, contents, labels): fr, de,
    /// en or lb. Each fiche is set in its own language.
    pub lang: String,
    /// The date printed on the cover, already formatted (time is a parameter).
    pub generated: String,
    /// The filters that chose the practices, one phrase each ("Commune : Differdange"); empty
    /// for every published practice.
    pub filters: Vec<String>,
}

/// One row of counts: a label, one count per question, and the total.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    pub label: String,
    pub counts: Vec<u64>,
    pub total: u64,
}

/// A table of counts with its first column's header.
#[derive(Debug, Clone, Serialize)]
pub struct CountTable {
    pub first_col: String,
    pub rows: Vec<CountRow>,
}

/// The print synthesis of a SPIRAL platform, with every word already in the reader's language
/// (the web layer owns the UI strings and the codebook labels).
#[derive(Debug, Clone, Serialize)]
pub struct SynthesisReport {
    pub lang: String,
    pub title: String,
    /// "Généré le 2026-11-01".
    pub generated: String,
    /// The questions' labels, as the columns of every table.
    pub questions: Vec<String>,
    pub total_label: String,
    pub groups_heading: String,
    pub totals: CountTable,
    pub groups: CountTable,
    pub dimensions_table: CountTable,
    /// SVG charts from [`crate::charts`], drawn as images (typst reads SVG).
    pub dimensions_chart: String,
    pub groups_chart: String,
    pub dimensions: Vec<ReportDimension>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportDimension {
    pub title: String,
    pub count: u64,
    /// The components of this dimension as an SVG chart, when it has any.
    pub chart: Option<String>,
    pub components: Vec<ReportComponent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportComponent {
    pub title: String,
    pub count: u64,
    pub questions: Vec<ReportQuestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportQuestion {
    pub label: String,
    pub criteria: Vec<ReportCriterion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportCriterion {
    pub text: String,
    pub expressions: Option<u32>,
    pub group: String,
}

/// The booklet's input: its cover's words and its practices.
#[derive(Serialize)]
struct BookletInput<'a> {
    #[serde(flatten)]
    options: &'a BookletOptions,
    practices: &'a [FicheData],
}

/// The booklet: a cover, contents by theme and by commune, one fiche per section, an index
/// of communes. Practices print in the order given.
pub fn booklet(practices: &[FicheData], options: &BookletOptions) -> Result<Vec<u8>, PdfError> {
    produce(Kind::Booklet, &BookletInput { options, practices })
}

/// The content key of [`booklet`]'s result for this input, in hex: equal keys, equal bytes.
/// A store keeps booklets under it, so that a booklet one node made serves every node.
pub fn booklet_key(practices: &[FicheData], options: &BookletOptions) -> Result<String, PdfError> {
    let data = serialise(Kind::Booklet, &BookletInput { options, practices })?;
    Ok(cache_key(Kind::Booklet, &data)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write;
            let _ = write!(hex, "{b:02x}");
            hex
        }))
}

/// One fiche, laid out as one section of the booklet.
pub fn fiche(fiche: &FicheData, lang: &str) -> Result<Vec<u8>, PdfError> {
    #[derive(Serialize)]
    struct Input<'a> {
        lang: &'a str,
        practice: &'a FicheData,
    }
    produce(
        Kind::Fiche,
        &Input {
            lang,
            practice: fiche,
        },
    )
}

/// The print synthesis of a SPIRAL platform.
pub fn synthesis(report: &SynthesisReport) -> Result<Vec<u8>, PdfError> {
    produce(Kind::Synthesis, report)
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Booklet,
    Fiche,
    Synthesis,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Booklet => "booklet",
            Kind::Fiche => "fiche",
            Kind::Synthesis => "synthesis",
        }
    }

    fn main_file(self) -> &'static str {
        match self {
            Kind::Booklet => "booklet.typ",
            Kind::Fiche => "fiche.typ",
            Kind::Synthesis => "synthesis.typ",
        }
    }
}

#[derive(Clone)]
struct ByteLength;

impl Weighter<[u8; 32], Arc<Vec<u8>>> for ByteLength {
    fn weight(&self, _key: &[u8; 32], pdf: &Arc<Vec<u8>>) -> u64 {
        pdf.len() as u64 + 1
    }
}

type Cache = quick_cache::sync::Cache<[u8; 32], Arc<Vec<u8>>, ByteLength>;

static CACHE: LazyLock<Cache> =
    LazyLock::new(|| Cache::with_weighter(256, CACHE_BYTES, ByteLength));

static ENGINE: LazyLock<TypstEngine> = LazyLock::new(|| {
    TypstEngine::builder()
        .fonts(typst_assets::fonts())
        .with_static_source_file_resolver([
            ("common.typ", COMMON),
            ("booklet.typ", BOOKLET),
            ("fiche.typ", FICHE),
            ("synthesis.typ", SYNTHESIS),
        ])
        .build()
});

/// The cache key: what the bytes of a document depend on, and nothing else.
fn cache_key(kind: Kind, data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [
        FORMAT_VERSION,
        COMMON,
        BOOKLET,
        FICHE,
        SYNTHESIS,
        kind.name(),
    ] {
        // Length-prefixed, so that no two different inputs hash the same bytes.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update((data.len() as u64).to_le_bytes());
    h.update(data);
    h.finalize().into()
}

fn serialise(kind: Kind, input: &impl Serialize) -> Result<Vec<u8>, PdfError> {
    serde_json::to_vec(input).map_err(|source| PdfError::Data {
        kind: kind.name(),
        source,
    })
}

fn produce(kind: Kind, input: &impl Serialize) -> Result<Vec<u8>, PdfError> {
    let data = serialise(kind, input)?;
    let key = cache_key(kind, &data);
    if let Some(pdf) = CACHE.get(&key) {
        return Ok(pdf.as_ref().clone());
    }
    let pdf = compile(kind, data)?;
    CACHE.insert(key, Arc::new(pdf.clone()));
    Ok(pdf)
}

/// Lays out and writes one document, bypassing the cache.
fn compile(kind: Kind, data: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let mut inputs = Dict::new();
    inputs.insert("data".into(), Bytes::new(data).into_value());
    let world = ENGINE
        .world_builder(kind.main_file())
        .with_inputs(inputs)
        .build()
        .map_err(|e| PdfError::Layout {
            kind: kind.name(),
            message: e.to_string(),
        })?;
    let laid_out: Result<PagedDocument, _> = typst::compile(&world).output;
    // Memoised layout results are only useful within one document.
    typst::comemo::evict(0);
    let doc = laid_out.map_err(|errors| PdfError::Layout {
        kind: kind.name(),
        message: describe(&world, &errors),
    })?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errors| PdfError::Export {
        kind: kind.name(),
        message: describe(&world, &errors),
    })
}

/// Each diagnostic with the template file and line it points at.
fn describe(world: &dyn typst::World, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|d| {
            let place = d
                .span
                .id()
                .and_then(|id| {
                    let range = typst::WorldExt::range(world, d.span)?;
                    let line = world.source(id).ok()?.lines().byte_to_line(range.start)? + 1;
                    Some(format!("{}:{line}: ", id.vpath().get_without_slash()))
                })
                .unwrap_or_default();
            let mut s = format!("{place}{}", d.message);
            for hint in &d.hints {
                s.push_str("; hint: ");
                s.push_str(&hint.v);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// How many documents the cache holds now (for tests and metrics).
pub fn cached_documents() -> usize {
    CACHE.len()
}

#[cfg(test)]
mod tests;

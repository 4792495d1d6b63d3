//! PDF downloads: the booklet of a selection (`/livret.pdf`), one fiche
//! (`/pratiques/{id}.pdf`) and the SPIRAL print synthesis
//! (`/spiral/plateformes/{id}/synthese.pdf`). typst lays them out in `render::pdf`, behind the
//! cargo feature `pdf`; without it these addresses answer 501 and the pages link to none.
//!
//! Layout takes CPU time (0.4 s for the demo booklet in a release build, 9 s for a thousand
//! fiches), so it runs on the blocking pool, never on a request thread, at most one layout per
//! core at a time; `render::pdf` caches results by content, and booklets are kept in the store
//! for every node.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::i18n::Lang;
use crate::page::PageError;
#[cfg(feature = "pdf")]
use crate::params::Selection;

/// Whether this build makes PDFs: pages show their PDF links only then.
pub const ENABLED: bool = cfg!(feature = "pdf");

pub fn router() -> Router<AppState> {
    Router::new().route("/livret.pdf", get(booklet_pdf))
}

/// A link to a PDF, or none when this build makes no PDF.
pub fn href(path: String) -> Option<String> {
    ENABLED.then_some(path)
}

/// The answer of a PDF address in a build without the feature.
pub fn unavailable() -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "PDF export is not part of this build of zesummen: build it with the cargo feature `pdf` \
         (the default of the `cli` crate).",
    )
        .into_response()
}

/// A PDF to show in the browser, saved under `filename` (ASCII: slugs and numbers).
pub fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// How many layouts a node runs at once: one per core, at most 4. A booklet of a thousand
/// fiches holds a core for seconds and about a GiB of memory, so the others wait their turn
/// rather than exhaust the node.
#[cfg(feature = "pdf")]
static LAYOUTS: std::sync::LazyLock<std::sync::Arc<tokio::sync::Semaphore>> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        std::sync::Arc::new(tokio::sync::Semaphore::new(cores.min(4)))
    });

/// Runs a layout on the blocking pool once a layout slot is free. The slot goes with the
/// work, so a request given up while its layout runs still counts until the layout ends.
#[cfg(feature = "pdf")]
async fn run_layout<F>(work: F) -> Result<Vec<u8>, String>
where
    F: FnOnce() -> Result<Vec<u8>, render::pdf::PdfError> + Send + 'static,
{
    let slot = LAYOUTS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Runs a layout off the request thread (see [`run_layout`]).
#[cfg(feature = "pdf")]
pub async fn lay_out<F>(work: F) -> Result<Vec<u8>, PageError>
where
    F: FnOnce() -> Result<Vec<u8>, render::pdf::PdfError> + Send + 'static,
{
    run_layout(work).await.map_err(PageError::internal)
}

/// The filters of a selection as the cover prints them ("Commune : Differdange").
#[cfg(feature = "pdf")]
pub fn filter_phrases(sel: &Selection, lang: &Lang) -> Vec<String> {
    let mut out = Vec::new();
    if !sel.q.is_empty() {
        out.push(lang.t_args(
            "filter-label",
            &[
                ("facet", lang.t("booklet-query").into()),
                ("value", lang.with("quoted", "text", &sel.q).into()),
            ],
        ));
    }
    out.extend(sel.filters.iter().map(|(f, v)| {
        lang.t_args(
            "filter-label",
            &[
                ("facet", lang.t(&format!("facet-{}", f.facet())).into()),
                ("value", v.clone().into()),
            ],
        )
    }));
    out
}

/// A practice with the names of its attachments.
#[cfg(feature = "pdf")]
pub async fn fiche_data(
    state: &AppState,
    practice: domain::Practice,
) -> Result<render::pdf::FicheData, store::StoreError> {
    let attachments = state
        .store
        .attachments(practice.id)
        .await?
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    Ok(render::pdf::FicheData {
        practice,
        attachments,
    })
}

/// What the booklet of a selection holds: the published practices the search page shows for
/// it (every page, in result order), and its cover. `zesummen export --format pdf` uses it too.
#[cfg(feature = "pdf")]
pub async fn booklet_input(
    state: &AppState,
    sel: &Selection,
    lang: &Lang,
) -> Result<(Vec<render::pdf::FicheData>, render::pdf::BookletOptions), crate::error::ApiError> {
    let practices = crate::catalogue::select_all(state, sel).await?;
    let mut fiches = Vec::with_capacity(practices.len());
    for p in practices {
        fiches.push(fiche_data(state, p).await?);
    }
    let options = render::pdf::BookletOptions {
        lang: lang.code().to_string(),
        generated: lang.date(state.clock.now().date_naive()),
        filters: filter_phrases(sel, lang),
    };
    Ok((fiches, options))
}

/// The booklet of a selection as a stored document, and how many practices it holds: the
/// one the store keeps under the same content key (laid out by any node before), else laid
/// out here on the blocking pool and kept for every node.
#[cfg(feature = "pdf")]
pub async fn booklet_document(
    state: &AppState,
    sel: &Selection,
    lang: &Lang,
) -> Result<(store::Document, usize), crate::error::ApiError> {
    use crate::error::ApiError;

    let (fiches, options) = booklet_input(state, sel, lang).await?;
    let count = fiches.len();
    let key = format!(
        "booklet-{}",
        render::pdf::booklet_key(&fiches, &options).map_err(ApiError::internal)?
    );
    if let Some(doc) = state.store.document(&key).await? {
        return Ok((doc, count));
    }
    let bytes = run_layout(move || render::pdf::booklet(&fiches, &options))
        .await
        .map_err(ApiError::internal)?;
    let doc = store::Document {
        key,
        media_type: "application/pdf".into(),
        file_name: "livret.pdf".into(),
        bytes,
        created_at: state.clock.now(),
    };
    state.store.put_document(&doc).await?;
    Ok((doc, count))
}

#[cfg(feature = "pdf")]
async fn booklet_pdf(
    State(state): State<AppState>,
    lang: Lang,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let sel = Selection::parse(raw.as_deref())
        .map_err(|e| PageError::invalid(format!("{}: {}", e.name, e.message)))?;
    let (doc, _) = booklet_document(&state, &sel, &lang)
        .await
        .map_err(PageError::internal)?;
    Ok(pdf_response(doc.bytes, &doc.file_name))
}

#[cfg(not(feature = "pdf"))]
#[allow(clippy::unused_async)] // a handler's signature
async fn booklet_pdf(
    State(_): State<AppState>,
    _lang: Lang,
    RawQuery(_): RawQuery,
) -> Result<Response, PageError> {
    Ok(unavailable())
}

/// `/pratiques/{id}.pdf`: one published practice; drafts and unknown ids are not found.
#[cfg(feature = "pdf")]
pub async fn practice_pdf(
    state: &AppState,
    lang: &Lang,
    raw_id: &str,
) -> Result<Response, PageError> {
    let id: i64 = raw_id
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(PageError::not_found)?;
    let p = crate::catalogue::published(state, id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let filename = if p.slug.is_empty() {
        format!("pratique-{}.pdf", p.id)
    } else {
        format!("{}.pdf", p.slug)
    };
    let fiche = fiche_data(state, p).await?;
    let code = lang.code();
    let pdf = lay_out(move || render::pdf::fiche(&fiche, code)).await?;
    Ok(pdf_response(pdf, &filename))
}

#[cfg(not(feature = "pdf"))]
#[allow(clippy::unused_async)]
pub async fn practice_pdf(
    _state: &AppState,
    _lang: &Lang,
    _raw_id: &str,
) -> Result<Response, PageError> {
    Ok(unavailable())
}

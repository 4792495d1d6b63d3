//! `zesummen export --format pdf`: the booklet of the published practices that the search
//! page shows for the filters, exactly as `/livret.pdf` lays it out.

use std::path::Path;
#[cfg(feature = "pdf")]
use std::sync::Arc;

#[cfg(feature = "pdf")]
use anyhow::Context;
use store::Store;

use crate::failure::Failure;

#[cfg(feature = "pdf")]
pub async fn export(
    store: Arc<dyn Store>,
    themes: Vec<String>,
    communes: Vec<String>,
    q: Option<String>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    use std::io::Write;

    use web::params::{Filter, Selection};

    let bar = stages();
    bar.set_message("load: reading the practices");
    let sel = Selection {
        q: q.unwrap_or_default().trim().to_string(),
        filters: themes
            .into_iter()
            .map(|t| (Filter::Theme, t))
            .chain(communes.into_iter().map(|c| (Filter::Commune, c)))
            .collect(),
        page: 1,
        per_page: web::params::DEFAULT_PER_PAGE,
    };
    // Filters and queries go through the search, as on the site. A private in-memory index
    // leaves a running server's index (and its lock) alone.
    let mut index =
        search::TantivyIndex::in_memory().map_err(|e| anyhow::anyhow!("search index: {e}"))?;
    if let Some(scheme) = store.active_concepts().await? {
        index = index.with_concepts(scheme);
    }
    // The selection's ids come from the index, as on the site: every published practice.
    let index: Arc<dyn search::SearchIndex> = Arc::new(index);
    web::indexing::rebuild(store.as_ref(), &index, &|_, _| {})
        .await
        .map_err(|e| anyhow::anyhow!("search index: {e}"))?;
    let state = web::AppState::new(store, index);
    let (fiches, options) = web::pdf::booklet_input(&state, &sel, &web::i18n::Lang::french())
        .await
        .map_err(|e| anyhow::anyhow!("selecting the practices: {e}"))?;
    let count = fiches.len();
    bar.inc(1);
    bar.set_message(format!("layout: {count} practices"));
    let pdf = tokio::task::spawn_blocking(move || render::pdf::booklet(&fiches, &options))
        .await
        .context("the layout task stopped")?
        .context("laying out the booklet")?;
    bar.inc(1);
    bar.set_message("write");
    match out {
        None => std::io::stdout()
            .lock()
            .write_all(&pdf)
            .context("writing to standard output")?,
        Some(path) => crate::output::write_atomically(path, &pdf)?,
    }
    bar.inc(1);
    bar.finish_and_clear();
    if let Some(path) = out {
        eprintln!(
            "booklet: {count} practices, {} bytes, {}",
            pdf.len(),
            path.display()
        );
    }
    Ok(())
}

/// Three stages, shown on a terminal only: load, layout, write.
#[cfg(feature = "pdf")]
fn stages() -> indicatif::ProgressBar {
    use std::io::IsTerminal;

    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(3);
    bar.set_style(
        indicatif::ProgressStyle::with_template("booklet [{bar:20}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

#[cfg(not(feature = "pdf"))]
#[allow(clippy::unused_async, clippy::needless_pass_by_value)] // the signature of the PDF build
pub async fn export(
    _store: std::sync::Arc<dyn Store>,
    _themes: Vec<String>,
    _communes: Vec<String>,
    _q: Option<String>,
    _out: Option<&Path>,
) -> Result<(), Failure> {
    Err(Failure::Input(
        "--format pdf: this zesummen was built without the cargo feature `pdf`".into(),
    ))
}

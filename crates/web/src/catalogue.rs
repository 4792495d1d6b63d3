//! The public catalogue: only published practices are ever shown to the public, one at a time
//! or a whole selection.

use domain::{Practice, Status};

use crate::AppState;
use crate::error::ApiError;
use crate::params::Selection;
use store::StoreError;

/// A published practice, or `None` (drafts are invisible to the public).
pub async fn published(state: &AppState, id: i64) -> Result<Option<Practice>, store::StoreError> {
    Ok(state
        .store
        .practice(id)
        .await?
        .filter(|p| p.status == Status::Published))
}

/// Practices read from the store per batch of a selection.
pub const BATCH: usize = 200;

/// The published practices of a selection, in result order, read from the store a batch at a
/// time: the index gives the ids (one pass, no page of hits), the store the practices (one
/// read per batch, never one per hit). Memory holds one batch, whatever the selection.
pub struct Selected {
    state: AppState,
    ids: Vec<i64>,
    next: usize,
    batch: usize,
}

impl Selected {
    pub fn new(state: &AppState, sel: &Selection) -> Result<Self, ApiError> {
        Ok(Self {
            state: state.clone(),
            ids: state.search.ids(&sel.all_pages().to_query())?,
            next: 0,
            batch: BATCH,
        })
    }

    /// Reads `batch` practices per store read instead of [`BATCH`].
    #[must_use]
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// The next batch (the published ones among its ids: the store has the last word), or
    /// `None` at the end.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Practice>>, StoreError> {
        if self.next >= self.ids.len() {
            return Ok(None);
        }
        let end = (self.next + self.batch).min(self.ids.len());
        let ids = &self.ids[self.next..end];
        self.next = end;
        Ok(Some(
            self.state
                .store
                .practices_by_ids(ids)
                .await?
                .into_iter()
                .filter(|p| p.status == Status::Published)
                .collect(),
        ))
    }

    /// The selection as a stream of encoded chunks, `head` first and `tail` last, each batch
    /// encoded by `encode` (told whether it is the first): the body of a streamed download.
    pub fn stream<F>(
        self,
        head: Vec<u8>,
        tail: Vec<u8>,
        mut encode: F,
    ) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static
    where
        F: FnMut(&[Practice], bool) -> std::io::Result<Vec<u8>> + Send + 'static,
    {
        use futures_util::{StreamExt, TryStreamExt, future, stream};
        let batches = stream::try_unfold((self, true), |(mut sel, first)| async move {
            match sel.next_batch().await {
                Ok(batch) => Ok(batch.map(|b| ((b, first), (sel, false)))),
                Err(e) => {
                    tracing::error!(error = %e, "a streamed export stopped");
                    Err(std::io::Error::other(e.to_string()))
                }
            }
        })
        .and_then(move |(batch, first)| future::ready(encode(&batch, first)));
        stream::once(future::ready(Ok(head)))
            .chain(batches)
            .chain(stream::once(future::ready(Ok(tail))))
    }
}

/// Every published practice of a selection, in result order: what the PDF booklet of a
/// search holds (it lays them all out at once).
pub async fn select_all(state: &AppState, sel: &Selection) -> Result<Vec<Practice>, ApiError> {
    let mut selected = Selected::new(state, sel)?;
    let mut out = Vec::new();
    while let Some(batch) = selected.next_batch().await? {
        out.extend(batch);
    }
    Ok(out)
}

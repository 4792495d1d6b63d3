//! What every handler can reach.

use std::sync::Arc;

use search::SearchIndex;
use store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub search: Arc<dyn SearchIndex>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, search: Arc<dyn SearchIndex>) -> Self {
        Self { store, search }
    }
}

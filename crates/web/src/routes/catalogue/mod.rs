//! The public catalogue: the home page, search, communes and themes, a practice's page, the
//! practices API (JSON and CSV) and the Atom feed of practices.

pub mod api;
pub mod feeds;
pub mod pages;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(pages::router())
        .merge(api::router())
        .merge(feeds::router())
}

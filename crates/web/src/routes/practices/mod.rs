//! Contribution and moderation of the catalogue: the write path ([`commands`]), the practice
//! write API and the contributor's and editor's pages.

pub mod api;
pub mod commands;
pub mod forms;
pub mod pages;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(pages::router())
        .merge(forms::router())
        .merge(api::router())
}

//! Contribution and moderation of the catalogue: the write path ([`commands`]), the practice
//! write API and the contributor's and editor's pages.

pub mod api;
pub mod commands;
pub mod forms;
pub mod pages;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        // The form's page and its post share an address: one route holds both.
        .route(
            "/pratiques/nouvelle",
            get(pages::new_form).post(forms::create),
        )
        .route(
            "/pratiques/{id}/modifier",
            get(pages::edit_form).post(forms::update),
        )
        .merge(pages::router())
        .merge(forms::router())
        .merge(api::router())
}

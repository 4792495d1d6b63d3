//! SPIRAL on the web: platforms, homogeneous groups, criteria, codebook, syntheses, statistics,
//! pilot actions and progress indicators, as pages (French URLs), JSON and Atom.

pub mod api;
pub mod classify;
pub mod commands;
pub mod feeds;
pub mod forms;
pub mod labels;
pub mod pages;
pub mod params;
pub mod suggest;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(pages::router())
        .merge(forms::router())
        .merge(classify::router())
        .merge(api::router())
        .merge(feeds::router())
}

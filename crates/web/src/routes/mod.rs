//! Every router of the site, one folder per feature (`health`: the operator's probes). Features share the page kit
//! ([`crate::page`]) and the write kit ([`crate::write`]), never each other's insides in a
//! circle.

pub mod account;
pub mod catalogue;
pub mod health;
pub mod jobs;
pub mod openapi;
pub mod pdf;
pub mod practices;
pub mod spiral;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(catalogue::router())
        .merge(spiral::router())
        .merge(practices::router())
        .merge(account::router())
        .merge(pdf::router())
        .merge(jobs::router())
        .merge(openapi::router())
        .merge(health::router())
}

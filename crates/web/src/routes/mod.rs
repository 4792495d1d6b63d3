pub mod api;
pub mod feeds;
pub mod login;
pub mod pages;
pub mod practices;
pub mod spiral;

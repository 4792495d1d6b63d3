pub mod api;
pub mod login;
pub mod pages;
pub mod spiral;

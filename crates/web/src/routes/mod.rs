pub mod api;
pub mod login;
pub mod pages;
pub mod practices;
pub mod spiral;

//! Output formats beyond the HTML pages: SVG charts of SPIRAL syntheses (charts-rs, no system
//! fonts needed), Atom feeds, and PDF (typst, behind the cargo feature `pdf`). Pure functions
//! from domain values to bytes, so that the web pages, the print report and the PDF draw the
//! same charts.

pub mod atom;
pub mod charts;
#[cfg(feature = "pdf")]
pub mod pdf;

pub use atom::{FeedEntry, FeedMeta};
pub use charts::{ChartError, Labels};

//! Output formats beyond the HTML pages: SVG charts of SPIRAL syntheses (charts-rs, no system
//! fonts needed) and Atom feeds. Pure functions from domain values to text, so that the web
//! pages, the print report and (later) the PDF draw the same charts.

pub mod atom;
pub mod charts;

pub use atom::{FeedEntry, FeedMeta};
pub use charts::{ChartError, Labels};

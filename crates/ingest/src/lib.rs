//! Turns bytes into domain values. One module per source format; every problem names the file
//! and the line.
//!
//! Parsing never touches the store: a file is parsed whole into a [`Batch`] first, so that a
//! file with an error is refused before anything is written.
//!
//! Nothing is lost quietly: a file that ends mid-record is refused as cut (unless the caller
//! accepts it, see [`Options`]), a value longer than its field accepts is refused with its line
//! (the limits of the web forms and the API, [`domain::limits`]), and control characters are
//! removed with a warning naming their lines.

pub mod assises;
pub mod communes;
pub mod concepts;
pub mod csv_format;
pub mod detect;
mod error;
mod guard;
pub mod json;
mod lines;
mod parsed;
mod quote;
pub mod reference;
pub mod spiral_criteria;
pub mod sud;

use domain::{Batch, Format};

pub use error::{ErrorKind, IngestError, decode};
pub use parsed::{Cut, Options, Parsed};

/// Parses one file, refusing one that ends mid-record. `document` is the name recorded in
/// sources and messages (usually the file name); `format` forces a format instead of detecting
/// it from the content.
pub fn parse(document: &str, bytes: &[u8], format: Option<Format>) -> Result<Batch, IngestError> {
    parse_with(
        document,
        bytes,
        Options {
            format,
            accept_cut: false,
        },
    )
    .map(|p| p.batch)
}

/// Parses one file with the given [`Options`].
///
/// Before a format reads the text, control characters other than tab and line breaks are
/// removed (one warning names their lines), and a line longer than any field could hold is
/// refused. Every record is checked against the field limits of [`domain::limits`], and a
/// file that ends mid-record is refused as cut unless `options.accept_cut`.
pub fn parse_with(document: &str, bytes: &[u8], options: Options) -> Result<Parsed, IngestError> {
    let text = decode(document, bytes)?;
    let format = match options.format {
        Some(f) => f,
        None => detect::detect(document, text)?,
    };
    let (text, control_warning) = guard::strip_controls(text, format == Format::Json);
    if matches!(
        format,
        Format::Assises | Format::Sud | Format::SpiralCriteria
    ) {
        guard::check_line_lengths(document, &text)?;
    }
    let mut parsed = match format {
        Format::Assises => assises::read(document, &text)?,
        Format::Sud => sud::read(document, &text)?,
        Format::SpiralCriteria => {
            spiral_criteria::read(document, &text, &reference::bundled_question_codes())?
        }
        Format::Csv => csv_format::read(document, &text)?,
        Format::Json => Parsed::new(json::parse(document, &text)?),
    };
    if parsed.batch.is_empty() {
        if let Some(cut) = &parsed.cut {
            return Err(cut.error(document));
        }
        return Err(IngestError::new(
            document,
            0,
            format!("no recognisable record: expected at least one {format} record"),
        ));
    }
    if let Some(cut) = &parsed.cut {
        if !options.accept_cut {
            return Err(cut.error(document));
        }
        parsed.batch.warnings.push(domain::Diagnostic::new(
            cut.line,
            format!("{}; imported as read, as asked", cut.message),
        ));
    }
    parsed
        .batch
        .criterion_lines
        .clone_from(&parsed.criterion_lines);
    // JSON escapes control characters, so they are only found in the values.
    guard::remove_controls_from_values(&mut parsed.batch);
    if let Some(w) = control_warning {
        parsed.batch.warnings.insert(0, w);
    }
    Ok(parsed)
}

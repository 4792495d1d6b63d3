//! Turns bytes into domain values. One module per source format; every problem names the file
//! and the line.
//!
//! Parsing never touches the store: a file is parsed whole into a [`Batch`] first, so that a
//! file with an error is refused before anything is written.

pub mod assises;
pub mod communes;
pub mod csv_format;
pub mod detect;
pub mod json;
pub mod reference;
pub mod spiral_criteria;
pub mod sud;

use std::fmt;

use domain::{Batch, Format};

/// Why a file was refused. Displayed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IngestError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole (e.g. empty).
    pub line: u32,
    pub message: String,
}

impl IngestError {
    pub fn new(file: impl Into<String>, line: u32, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Decodes a file as UTF-8 text, refusing binary content with the line where it starts.
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, IngestError> {
    // Counting lines only happens on the error path; no need for a faster byte counter.
    #[allow(clippy::naive_bytecount)]
    let line_of =
        |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32;
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(IngestError::new(
            file,
            line_of(pos),
            "binary content (a NUL byte): expected UTF-8 text",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(e) => Err(IngestError::new(
            file,
            line_of(e.valid_up_to()),
            format!(
                "invalid UTF-8 at byte {}: expected UTF-8 text",
                e.valid_up_to()
            ),
        )),
    }
}

/// Parses one file. `document` is the name recorded in sources and messages (usually the file
/// name); `format` forces a format instead of detecting it from the content.
pub fn parse(document: &str, bytes: &[u8], format: Option<Format>) -> Result<Batch, IngestError> {
    let text = decode(document, bytes)?;
    let format = match format {
        Some(f) => f,
        None => detect::detect(document, text)?,
    };
    let batch = match format {
        Format::Assises => assises::parse(document, text)?,
        Format::Sud => sud::parse(document, text)?,
        Format::SpiralCriteria => spiral_criteria::parse(document, text)?,
        Format::Csv => csv_format::parse(document, text)?,
        Format::Json => json::parse(document, text)?,
    };
    if batch.is_empty() {
        return Err(IngestError::new(
            document,
            0,
            format!("no recognisable record: expected at least one {format} record"),
        ));
    }
    Ok(batch)
}

//! Why a file was refused, and the first check every file passes: that it is UTF-8 text.

use std::fmt;

/// What kind of refusal an [`IngestError`] is, for callers that treat some differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorKind {
    /// The content does not have the expected shape.
    #[default]
    Invalid,
    /// The file ends in the middle of a record: it was probably cut (a failed copy, a
    /// download stopped short). [`Options::accept_cut`] imports it as read instead.
    Cut,
    /// A value is longer than its field accepts (see [`domain::limits`]).
    TooLong,
}

/// Why a file was refused. Displayed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IngestError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole (e.g. empty).
    pub line: u32,
    pub message: String,
    pub kind: ErrorKind,
}

impl IngestError {
    pub fn new(file: impl Into<String>, line: u32, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line,
            message: message.into(),
            kind: ErrorKind::Invalid,
        }
    }

    #[must_use]
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Whether the file was refused because it ends mid-record.
    pub fn is_cut(&self) -> bool {
        self.kind == ErrorKind::Cut
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

//! What reading a file gives: its batch, where it was cut, and how to read it.

use domain::{Batch, Format};

use crate::error::{ErrorKind, IngestError};

/// Where a file ends in the middle of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The file's last line of text.
    pub line: u32,
    /// What is unfinished, naming the last line's text.
    pub message: String,
}

impl Cut {
    pub(crate) fn new(line: u32, what: impl std::fmt::Display, last: &str) -> Self {
        Self {
            line,
            message: format!(
                "{what}: the file is probably cut (last line {line}: `{}`)",
                tail(last.trim())
            ),
        }
    }

    pub(crate) fn error(&self, document: &str) -> IngestError {
        IngestError::new(
            document,
            self.line,
            format!(
                "{}; refused so that a shortened file does not overwrite complete records \
                 (import it anyway with the option to accept a cut file)",
                self.message
            ),
        )
        .with_kind(ErrorKind::Cut)
    }
}

/// The end of a line, where a cut shows: at most 60 characters.
fn tail(s: &str) -> String {
    const MAX: usize = 60;
    let n = s.chars().count();
    if n <= MAX {
        s.to_string()
    } else {
        format!("…{}", s.chars().skip(n - MAX).collect::<String>())
    }
}

/// How to read a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Forces a format instead of detecting it from the content.
    pub format: Option<Format>,
    /// Imports a file that ends mid-record as read, with a warning and its last record marked
    /// `truncated`, instead of refusing it (the command line's `--accept-cut`). A JSON file
    /// cannot be read past a cut, so a cut one is refused all the same.
    pub accept_cut: bool,
}

/// A file read whole: its batch, and what the importer knows beyond the domain values.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub batch: Batch,
    /// Where the file ends mid-record, when [`Options::accept_cut`] let it through.
    pub cut: Option<Cut>,
    /// The line of each criterion in the file, in the order of `batch.criteria`; empty for
    /// formats that do not tell (JSON). For the store's warnings about criteria.
    pub criterion_lines: Vec<u32>,
}

impl Parsed {
    pub(crate) fn new(batch: Batch) -> Self {
        Self {
            batch,
            cut: None,
            criterion_lines: Vec::new(),
        }
    }

    /// The batch, or the cut as an error.
    pub(crate) fn strict(self) -> Result<Batch, IngestError> {
        if let Some(cut) = self.cut {
            return Err(cut.error(&self.batch.document));
        }
        let mut batch = self.batch;
        batch.criterion_lines = self.criterion_lines;
        Ok(batch)
    }
}

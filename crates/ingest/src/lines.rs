//! Where a CSV record starts, as a line number that messages can name.

use crate::error::IngestError;

/// The delimiter of a header line: `;` when it separates more columns than `,` (spreadsheets
/// in French locales), else `,`. Delimiters inside double quotes do not count.
pub fn sniff_delimiter(header_line: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in header_line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Line numbers of CSV records, from their byte offsets: the csv crate's own line count
/// leaves out blank lines and counts `\r\n` oddly, and messages must name the real line.
pub(crate) struct LineIndex<'a> {
    text: &'a [u8],
    byte: usize,
    line: u32,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record that starts at `position` (blank lines before it skipped).
    pub(crate) fn line(&mut self, position: Option<&csv::Position>) -> u32 {
        let Some(position) = position else { return 0 };
        let mut byte = (position.byte() as usize).min(self.text.len());
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte < self.byte {
            (self.byte, self.line) = (0, 1);
        }
        // One pass over the file in all: not worth a dependency.
        #[allow(clippy::naive_bytecount)]
        let newlines = self.text[self.byte..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.line += newlines;
        self.byte = byte;
        self.line
    }
}

pub(crate) fn csv_error(document: &str, e: &csv::Error, lines: &mut LineIndex) -> IngestError {
    let line = lines.line(e.position());
    IngestError::new(
        document,
        line,
        format!("unreadable CSV ({e}): expected delimited UTF-8 text"),
    )
}

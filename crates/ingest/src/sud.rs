//! The Good Practices SUD table (`good-practices-sud-2016.txt`): the PRO-SUD web page of the
//! communes of the Région Sud, as text.
//!
//! After a preamble, a table `COMMUNES | GOOD PRACTICES | THEMES |` prints each cell on its own
//! line ending with ` |`, and a lone `|` line closes each row. Where the page cut a cell at a
//! line break, its text line has no ` |` and a lone `|` follows it: the row is kept, marked
//! `truncated`, and its text is never completed.

use domain::text::{fold, normalise_block, normalise_line};
use domain::{Batch, Diagnostic, Format, PracticeFields, PracticeRecord, Source};

use crate::quote::{excerpt, ranges};
use crate::{Cut, IngestError, Parsed};

/// A first sentence longer than this is not a title; it is cut to [`TITLE_CUT`] characters.
const TITLE_MAX: usize = 120;
const TITLE_CUT: usize = 100;

const EXPECTED_ROW: &str =
    "expected a row `commune |`, `practice |`, `themes |`, closed by a lone `|` line";

/// Reads the table; one practice per row. A table that ends inside a row is refused as cut.
pub fn parse(document: &str, text: &str) -> Result<Batch, IngestError> {
    read(document, text)?.strict()
}

/// Reads the table, reporting a last row left open (the file ends inside a cell, or before the
/// lone `|` that closes the row) as a cut; that row is kept, marked truncated, when it has a
/// commune and a practice.
pub(crate) fn read(document: &str, text: &str) -> Result<Parsed, IngestError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut batch = Batch::new(document, Format::Sud);

    let header = lines
        .iter()
        .position(|l| l.split('|').next().is_some_and(|c| fold(c.trim()) == "communes") && l.contains('|'))
        .ok_or_else(|| {
            IngestError::new(
                document,
                1,
                "found no table header: expected the lines `COMMUNES |`, `GOOD PRACTICES |`, `THEMES |`",
            )
        })?;
    let preamble: Vec<u32> = (0..header)
        .filter(|&i| !lines[i].trim().is_empty())
        .map(|i| i as u32 + 1)
        .collect();
    if let (Some(&first), Some(&last)) = (preamble.first(), preamble.last()) {
        batch.warnings.push(Diagnostic::new(
            first,
            format!(
                "lines {}: preamble (title, introduction, download link), not a practice: skipped",
                if first == last {
                    first.to_string()
                } else {
                    format!("{first}–{last}")
                }
            ),
        ));
    }

    let (rows, blank_lines) = tokenise(&lines, header);
    let cut = rows.last().filter(|r| r.open).map(|r| {
        let last = lines[r.last_line as usize - 1];
        let what = if r.cells.last().is_some_and(|c| c.cut && c.at_end) {
            "the table ends inside a cell, without its ` |`"
        } else {
            "the table's last row is not closed by a lone `|` line"
        };
        Cut::new(r.last_line, what, last)
    });
    let mut rows = rows.into_iter();
    let header_row = rows.next().filter(|r| {
        let names: Vec<String> = r.cells.iter().map(|c| fold(&c.joined())).collect();
        names == ["communes", "good practices", "themes"]
    });
    if header_row.is_none() {
        if cut.is_some() && rows.as_slice().is_empty() {
            // The file ends inside the header row.
            let mut parsed = Parsed::new(batch);
            parsed.cut = cut;
            return Ok(parsed);
        }
        return Err(IngestError::new(
            document,
            header as u32 + 1,
            "found a malformed table header: expected the cells `COMMUNES |`, `GOOD PRACTICES |`, \
             `THEMES |` closed by a lone `|` line",
        ));
    }

    for row in rows {
        if row.open && row.cells.len() < 2 {
            // Cut before its practice: nothing of the row can be kept.
            continue;
        }
        match row.cells.len() {
            0 => batch.warnings.push(Diagnostic::new(
                row.last_line,
                "empty row (a lone `|` line with no cells before it): skipped",
            )),
            1 => {
                return Err(IngestError::new(
                    document,
                    row.first_line,
                    format!(
                        "found a row with one cell `{}`: {EXPECTED_ROW}",
                        excerpt(&row.cells[0].joined())
                    ),
                ));
            }
            2 | 3 => {
                if row.cells.len() == 2 && !row.open {
                    batch.warnings.push(Diagnostic::new(
                        row.first_line,
                        format!(
                            "row of `{}` has no themes cell: kept without themes",
                            excerpt(&row.cells[0].joined())
                        ),
                    ));
                }
                let record = practice(document, &row, &mut batch.warnings);
                if let Err(breach) = domain::limits::check_practice(&record.fields) {
                    return Err(crate::guard::too_long(
                        document,
                        row.first_line,
                        &format!("the row of `{}`", excerpt(&row.cells[0].joined())),
                        &breach,
                    ));
                }
                batch.practices.push(record);
            }
            n => {
                return Err(IngestError::new(
                    document,
                    row.first_line,
                    format!(
                        "found a row with {n} cells (lines {}–{}): {EXPECTED_ROW}; \
                         is a closing `|` line missing?",
                        row.first_line, row.last_line
                    ),
                ));
            }
        }
    }

    let table_end = batch.practices.last().map_or(0, |p| p.sources[0].last_line);
    let inside: Vec<u32> = blank_lines.into_iter().filter(|&l| l < table_end).collect();
    if !inside.is_empty() {
        batch.warnings.push(Diagnostic::new(
            inside[0],
            format!("blank {} inside the table: ignored", ranges(&inside)),
        ));
    }
    let mut parsed = Parsed::new(batch);
    parsed.cut = cut;
    Ok(parsed)
}

struct Cell<'a> {
    lines: Vec<&'a str>,
    /// Closed by a lone `|` instead of a trailing ` |`: the source cut the text.
    cut: bool,
    /// Left open by the end of the file.
    at_end: bool,
}

impl Cell<'_> {
    fn joined(&self) -> String {
        normalise_line(&self.lines.join(" "))
    }
}

struct Row<'a> {
    cells: Vec<Cell<'a>>,
    first_line: u32,
    /// The lone `|` that closes the row (or the last line read, for a row the file leaves open).
    last_line: u32,
    /// The file ends before the row's closing `|`.
    open: bool,
}

/// Splits the table into rows of cells, from the header line on. Also returns the blank lines.
fn tokenise<'a>(lines: &[&'a str], start: usize) -> (Vec<Row<'a>>, Vec<u32>) {
    let mut rows = Vec::new();
    let mut blanks = Vec::new();
    let mut row = Row {
        cells: Vec::new(),
        first_line: 0,
        last_line: 0,
        open: false,
    };
    let mut open: Option<Cell<'a>> = None;
    for (index, raw) in lines.iter().enumerate().skip(start) {
        let line_no = index as u32 + 1;
        let line = raw.trim();
        if line.is_empty() {
            blanks.push(line_no);
            continue;
        }
        if row.first_line == 0 {
            row.first_line = line_no;
        }
        row.last_line = line_no;
        if line == "|" {
            if let Some(mut cell) = open.take() {
                cell.cut = true;
                row.cells.push(cell);
            } else {
                rows.push(std::mem::replace(
                    &mut row,
                    Row {
                        cells: Vec::new(),
                        first_line: 0,
                        last_line: 0,
                        open: false,
                    },
                ));
            }
            continue;
        }
        // Usually one cell per line; a line may also hold several (`a | b |`).
        let mut segments = line.split('|').peekable();
        while let Some(segment) = segments.next() {
            let segment = segment.trim();
            let cell = open.get_or_insert_with(|| Cell {
                lines: Vec::new(),
                cut: false,
                at_end: false,
            });
            if !segment.is_empty() {
                cell.lines.push(segment);
            }
            if segments.peek().is_some() {
                // A `|` with nothing before it on the line closes no cell.
                row.cells
                    .extend(open.take().filter(|c| !c.lines.is_empty()));
            }
        }
        // A line that ends with `|` leaves an empty cell open: drop it.
        if open.as_ref().is_some_and(|c| c.lines.is_empty()) {
            open = None;
        }
    }
    if let Some(mut cell) = open.take() {
        cell.cut = true;
        cell.at_end = true;
        row.cells.push(cell);
    }
    if !row.cells.is_empty() {
        row.open = true;
        rows.push(row);
    }
    (rows, blanks)
}

fn practice(document: &str, row: &Row, warnings: &mut Vec<Diagnostic>) -> PracticeRecord {
    let printed = row.cells[0].joined();
    // One spelling per commune, so that search facets and identity keys agree across sources.
    let commune = if let Some(name) = crate::communes::registry().canonical(&printed) {
        name.to_string()
    } else {
        warnings.push(Diagnostic::new(
            row.first_line,
            format!("commune `{printed}` is not in the registry of communes: kept as printed"),
        ));
        printed
    };
    let description = normalise_block(&row.cells[1].lines.join("\n"));
    let themes = row
        .cells
        .get(2)
        .map(|c| themes(&c.joined()))
        .unwrap_or_default();
    let fields = PracticeFields {
        title: title(&normalise_line(&description)),
        communes: vec![commune],
        themes,
        description: Some(description),
        ..PracticeFields::default()
    };
    let source = Source {
        document: document.to_string(),
        first_line: row.first_line,
        last_line: row.last_line,
        truncated: row.open || row.cells.iter().any(|c| c.cut),
    };
    PracticeRecord::from_source(fields, source)
}

/// Themes are printed as `Social - Intégration` or `Social, Intégration`.
fn themes(cell: &str) -> Vec<String> {
    cell.split(" - ")
        .flat_map(|part| part.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The table prints no title: the first sentence of the practice stands for one, cut at a word
/// boundary when it is too long to read as a title (the description keeps the whole text).
fn title(text: &str) -> String {
    // An ellipsis (`... `) does not end the sentence.
    let end = text
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| !text[..i].ends_with('.'));
    let sentence = match end {
        Some(end) => &text[..end],
        // A lone final full stop is punctuation, not part of a title; an ellipsis is kept.
        None if text.ends_with('.') && !text.ends_with("..") => &text[..text.len() - 1],
        None => text,
    };
    if sentence.chars().count() <= TITLE_MAX {
        return sentence.to_string();
    }
    let mut cut = String::new();
    for word in sentence.split(' ') {
        let extra = usize::from(!cut.is_empty()) + word.chars().count();
        if cut.chars().count() + extra > TITLE_CUT {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    let cut = cut.trim_end_matches([',', ';', ':', ' ']);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_first_sentences_cut_at_words() {
        assert_eq!(title("Court. Suite du texte."), "Court");
        assert_eq!(title("Une seule phrase."), "Une seule phrase");
        assert_eq!(
            title("Des points... de suspension"),
            "Des points... de suspension"
        );
        let long = "mot ".repeat(40);
        let t = title(long.trim());
        assert!(t.ends_with('…'));
        assert!(t.chars().count() <= TITLE_CUT + 1, "{t}");
        assert!(!t.contains("mo…"), "cut at a word boundary: {t}");
    }

    #[test]
    fn themes_split_on_dashes_and_commas() {
        assert_eq!(themes("Social - Intégration"), ["Social", "Intégration"]);
        assert_eq!(themes("Social, Intégration"), ["Social", "Intégration"]);
        assert_eq!(themes("Bien-être"), ["Bien-être"]);
    }
}

//! Tells a file's format from its content, never from its name: communes rename files.

use domain::Format;
use domain::text::fold;

use crate::IngestError;
use crate::quote::excerpt;

/// Fiche section headings of the Assises template, folded; two of them make a fiche.
const FICHE_HEADINGS: [&str; 8] = [
    "objectifs",
    "breve description",
    "resultats / plus-values",
    "public cible du projet",
    "lieu du projet",
    "couts eventuels",
    "contacts",
    "autres informations utiles",
];

/// Detects the format. Checked in this order, most specific marker first: JSON (`{` or `[`),
/// a CSV header line, a wikispiral table header, the SUD table header, an Assises page header
/// or fiche headings.
pub fn detect(document: &str, text: &str) -> Result<Format, IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Ok(Format::Json);
    }
    if is_csv_header(text.lines().next().unwrap_or("")) {
        return Ok(Format::Csv);
    }
    let folded: Vec<String> = text.lines().map(|l| fold(l.trim())).collect();
    let starts_row = |prefix: &str| {
        folded.iter().any(|l| {
            l.strip_prefix(prefix)
                .is_some_and(|rest| rest.trim_start().starts_with('|'))
        })
    };
    if folded.iter().any(|l| is_spiral_header(l)) {
        return Ok(Format::SpiralCriteria);
    }
    if starts_row("communes") && starts_row("good practices") {
        return Ok(Format::Sud);
    }
    if folded.iter().any(|l| is_assises_page_header(l)) || fiche_headings(&folded) >= 2 {
        return Ok(Format::Assises);
    }
    let found = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map_or_else(
            || "an empty file".to_string(),
            |l| format!("`{}`", excerpt(l)),
        );
    Err(IngestError::new(
        document,
        1,
        format!(
            "no recognisable record: expected one of assises, sud, spiral-criteria, csv, json; \
             found {found}"
        ),
    ))
}

/// `Crit ID | …` or `Nom du groupe | Plate-forme | …` (folded, possibly a markdown table).
fn is_spiral_header(folded: &str) -> bool {
    let cells: Vec<&str> = folded
        .trim_start_matches('|')
        .split('|')
        .map(str::trim)
        .collect();
    match cells.as_slice() {
        [first, ..] if *first == "crit id" && cells.len() > 1 => true,
        [first, second, ..] => *first == "nom du groupe" && *second == "plate-forme",
        _ => false,
    }
}

/// `2^{èmes} Assises nationales de l'intégration au niveau local`, as extracted from the PDF
/// or as `## 2<sup>èmes</sup> Assises …` in markdown.
fn is_assises_page_header(folded: &str) -> bool {
    let line = folded.trim_start_matches(['#', ' ', '*']);
    line.len() < 120
        && line.starts_with(|c: char| c.is_ascii_digit())
        && line.contains("assises nationales de l")
}

/// How many distinct fiche headings stand on their own line (markdown `###`/`**` allowed).
fn fiche_headings(folded: &[String]) -> usize {
    let mut seen = [false; FICHE_HEADINGS.len()];
    for line in folded {
        let line = line.trim_matches(['#', '*', ' ', ':']);
        if line.len() > 80 {
            continue;
        }
        if let Some(i) = FICHE_HEADINGS.iter().position(|h| line.starts_with(h)) {
            seen[i] = true;
        }
    }
    seen.iter().filter(|&&s| s).count()
}

/// A first line of column names (`,` or `;` separated) naming `title`, or `question` and `text`.
fn is_csv_header(line: &str) -> bool {
    let delimiter = char::from(crate::lines::sniff_delimiter(line));
    if !line.contains(delimiter) {
        return false;
    }
    let names: Vec<String> = line
        .split(delimiter)
        .map(|n| n.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    let is_name = |n: &String| {
        !n.is_empty()
            && n.len() <= 40
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    if !names.iter().all(is_name) {
        return false;
    }
    let has = |name: &str| names.iter().any(|n| n == name);
    has("title") || (has("question") && has("text"))
}

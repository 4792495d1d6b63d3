//! SPIRAL reference data (codebook, meaning codes, questions, scale) read from the TSV files in
//! `data/spiral/`, or a codebook a coordinator imports as a new version (TSV or CSV).
//!
//! Columns are found by their header name, so a file may order them as it likes. An empty
//! label stays `None`: a code without a known name is shown as such, never given one.

use std::collections::{HashMap, HashSet};

use domain::{
    Codebook, CodebookEntry, ComponentCode, MeaningCode, MeaningEntry, QuestionEntry, Reference,
    ScaleLevel,
};

use crate::IngestError;
use crate::lines::{LineIndex, csv_error};

/// The version name of the codebook bundled with zesummen: what was known of the 2015 key.
pub const BUNDLED_VERSION: &str = "2015-known";

const CODEBOOK_TSV: &str = include_str!("../../../data/spiral/codebook.tsv");
const MEANINGS_TSV: &str = include_str!("../../../data/spiral/meaning-codes.tsv");
const QUESTIONS_TSV: &str = include_str!("../../../data/spiral/questions.tsv");
const SCALE_TSV: &str = include_str!("../../../data/spiral/scale.tsv");

/// The reference data bundled with zesummen (`data/spiral/*.tsv`).
///
/// The files are compiled in and covered by tests, so a parse failure here is a build defect.
pub fn bundled() -> Reference {
    Reference {
        codebook: parse_codebook("codebook.tsv", BUNDLED_VERSION, CODEBOOK_TSV)
            .unwrap_or_else(|e| expect(&e)),
        meanings: parse_meanings("meaning-codes.tsv", MEANINGS_TSV).unwrap_or_else(|e| expect(&e)),
        questions: parse_questions("questions.tsv", QUESTIONS_TSV).unwrap_or_else(|e| expect(&e)),
        scale: parse_scale("scale.tsv", SCALE_TSV).unwrap_or_else(|e| expect(&e)),
    }
}

fn expect<T>(e: &IngestError) -> T {
    panic!("bundled SPIRAL reference data is malformed: {e}")
}

/// The question codes of the bundled reference (`WB`, `IB`, `ACT`).
pub fn bundled_question_codes() -> Vec<String> {
    parse_questions("questions.tsv", QUESTIONS_TSV)
        .map(|qs| qs.into_iter().map(|q| q.code).collect())
        .unwrap_or_default()
}

/// Reads a codebook (TSV, or CSV with `,` or `;`) as version `version`.
///
/// Required columns: `code`, `level`, `dimension`. Optional: `label_en`, `label_fr`,
/// `description_en`, `status`, `source`. An empty `status` becomes `code-only` when the row has
/// no label and `imported` otherwise, so that an official codebook needs no status column.
pub fn parse_codebook(document: &str, version: &str, text: &str) -> Result<Codebook, IngestError> {
    let table = Table::read(
        document,
        text,
        &["code", "level", "dimension"],
        "code, level, dimension, label_en, label_fr, description_en, status, source",
    )?;
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(table.rows.len());
    for row in table.rows() {
        let code = row.required("code")?;
        let level = row.required("level")?.to_ascii_lowercase();
        let dimension = row.required("dimension")?;
        match level.as_str() {
            "dimension" => {
                let mut chars = code.chars();
                let is_letter = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_ascii_uppercase());
                if !is_letter {
                    return Err(row.error(
                        "code",
                        format!("found `{code}`: expected a dimension letter (A–Z) for level `dimension`"),
                    ));
                }
            }
            "component" => {
                ComponentCode::parse(code).map_err(|e| row.error("code", e.to_string()))?;
            }
            other => {
                return Err(row.error(
                    "level",
                    format!("found `{other}`: expected `dimension` or `component`"),
                ));
            }
        }
        if !code.starts_with(dimension) || dimension.chars().count() != 1 {
            return Err(row.error(
                "dimension",
                format!("found `{dimension}` for code `{code}`: expected the code's letter"),
            ));
        }
        if !seen.insert(code.to_string()) {
            return Err(row.error(
                "code",
                format!("found `{code}` a second time: expected each code once"),
            ));
        }
        let label_en = row.optional("label_en");
        let label_fr = row.optional("label_fr");
        let status = row.optional("status").unwrap_or_else(|| {
            if label_en.is_none() && label_fr.is_none() {
                "code-only"
            } else {
                "imported"
            }
            .to_string()
        });
        entries.push(CodebookEntry {
            code: code.to_string(),
            level,
            dimension: dimension.to_string(),
            label_en,
            label_fr,
            description_en: row.optional("description_en"),
            status,
            source: row.optional("source"),
        });
    }
    Ok(Codebook {
        version: version.to_string(),
        entries,
    })
}

/// Reads the meaning codes (`code`, `label_en`, `label_fr`, `step`, `status`, `source`).
pub fn parse_meanings(document: &str, text: &str) -> Result<Vec<MeaningEntry>, IngestError> {
    let table = Table::read(
        document,
        text,
        &["code", "status"],
        "code, label_en, label_fr, step, status, source",
    )?;
    table
        .rows()
        .map(|row| {
            let code = row.required("code")?;
            MeaningCode::parse(code).map_err(|e| row.error("code", e.to_string()))?;
            let step = match row.optional("step") {
                None => None,
                Some(s) => Some(s.parse::<u32>().map_err(|_| {
                    row.error(
                        "step",
                        format!("found `{s}`: expected a whole number or nothing"),
                    )
                })?),
            };
            Ok(MeaningEntry {
                code: code.to_string(),
                label_en: row.optional("label_en"),
                label_fr: row.optional("label_fr"),
                step,
                status: row.required("status")?.to_string(),
                source: row.optional("source"),
            })
        })
        .collect()
}

/// Reads the questions asked to homogeneous groups.
pub fn parse_questions(document: &str, text: &str) -> Result<Vec<QuestionEntry>, IngestError> {
    let columns = ["code", "wording_fr", "wording_en", "kind", "status"];
    let table = Table::read(document, text, &columns, &columns.join(", "))?;
    table
        .rows()
        .map(|row| {
            Ok(QuestionEntry {
                code: row.required("code")?.to_string(),
                wording_fr: row.required("wording_fr")?.to_string(),
                wording_en: row.required("wording_en")?.to_string(),
                kind: row.required("kind")?.to_string(),
                status: row.required("status")?.to_string(),
            })
        })
        .collect()
}

/// Reads the 5-level scale of progress indicators.
pub fn parse_scale(document: &str, text: &str) -> Result<Vec<ScaleLevel>, IngestError> {
    let columns = ["level", "label_fr", "label_en"];
    let table = Table::read(document, text, &columns, &columns.join(", "))?;
    table
        .rows()
        .map(|row| {
            let level = row.required("level")?;
            Ok(ScaleLevel {
                level: level.parse().map_err(|_| {
                    row.error("level", format!("found `{level}`: expected a whole number"))
                })?,
                label_fr: row.required("label_fr")?.to_string(),
                label_en: row.required("label_en")?.to_string(),
            })
        })
        .collect()
}

/// A delimited table with a header, its cells trimmed, each row knowing its line.
struct Table<'a> {
    document: &'a str,
    columns: HashMap<String, usize>,
    rows: Vec<(u32, Vec<String>)>,
}

struct Row<'t> {
    table: &'t Table<'t>,
    line: u32,
    cells: &'t [String],
}

impl<'a> Table<'a> {
    fn read(
        document: &'a str,
        text: &str,
        required: &[&str],
        expected_header: &str,
    ) -> Result<Table<'a>, IngestError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let header_line = text.lines().next().unwrap_or("");
        let delimiter = if header_line.contains('\t') {
            b'\t'
        } else {
            crate::lines::sniff_delimiter(header_line)
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            // Tab-separated reference files are not quoted; an apostrophe or quote is text.
            .quoting(delimiter != b'\t')
            .from_reader(text.as_bytes());
        let mut lines = LineIndex::new(text);
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(csv_error(document, &e, &mut lines)),
            None => {
                return Err(IngestError::new(
                    document,
                    1,
                    format!("found an empty file: expected a header line `{expected_header}`"),
                ));
            }
        };
        let mut columns = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            columns.entry(name.trim().to_ascii_lowercase()).or_insert(i);
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !columns.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            return Err(IngestError::new(
                document,
                1,
                format!(
                    "missing column{} {}: expected a header with {expected_header}",
                    if missing.len() > 1 { "s" } else { "" },
                    missing
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|e| csv_error(document, &e, &mut lines))?;
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = lines.line(record.position());
            rows.push((line, record.iter().map(|c| c.trim().to_string()).collect()));
        }
        Ok(Table {
            document,
            columns,
            rows,
        })
    }

    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, cells)| Row {
            table: self,
            line: *line,
            cells,
        })
    }
}

impl Row<'_> {
    fn cell(&self, column: &str) -> &str {
        self.table
            .columns
            .get(column)
            .and_then(|&i| self.cells.get(i))
            .map_or("", String::as_str)
    }

    fn optional(&self, column: &str) -> Option<String> {
        Some(self.cell(column))
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    }

    fn required(&self, column: &str) -> Result<&str, IngestError> {
        let cell = self.cell(column);
        if cell.is_empty() {
            Err(self.error(column, "found an empty cell: expected a value"))
        } else {
            Ok(cell)
        }
    }

    fn error(&self, column: &str, message: impl AsRef<str>) -> IngestError {
        IngestError::new(
            self.table.document,
            self.line,
            format!("column `{column}`: {}", message.as_ref()),
        )
    }
}

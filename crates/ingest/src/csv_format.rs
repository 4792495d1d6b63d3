//! zesummen's own CSV, for communes that prepare practices or criteria in a spreadsheet.
//!
//! One definition serves both directions: [`PRACTICE_COLUMNS`] and [`CRITERION_COLUMNS`] name
//! the columns, the writers emit them in that order, and [`parse`] reads them back by header
//! name (any order, `,` or `;`, with or without a UTF-8 BOM).
//!
//! An empty cell is `null`: CSV cannot tell an absent section from an empty one, so a section
//! that is present but empty (`""`) comes back as absent. The JSON export keeps the difference.

use std::collections::HashMap;
use std::io;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use domain::{
    Batch, ComponentCode, Contact, Criterion, Diagnostic, Format, Language, MeaningCode, Practice,
    PracticeFields, PracticeRecord, Source, Status,
};

use crate::guard::{ends_mid_line, last_text_line, too_long};
pub use crate::lines::sniff_delimiter;
use crate::lines::{LineIndex, csv_error};
use crate::{Cut, IngestError, Parsed};

/// One column of the CSV format, as the README documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// A file of this kind must have the column (and, for text, a value in it).
    pub required: bool,
    pub description: &'static str,
}

const fn col(name: &'static str, required: bool, description: &'static str) -> Column {
    Column {
        name,
        required,
        description,
    }
}

/// Columns of a practices file, in the order the writer emits them.
pub const PRACTICE_COLUMNS: &[Column] = &[
    col("id", false, "zesummen id; empty for a new practice"),
    col(
        "slug",
        false,
        "URL slug; written on export, ignored on import (derived from the title)",
    ),
    col("title", true, "title of the practice"),
    col("subtitle", false, "subtitle"),
    col(
        "institution",
        false,
        "commune or institution that carries the practice",
    ),
    col("organisers", false, "organisers (organisateurs)"),
    col("communes", false, "communes concerned, separated by \"; \""),
    col("themes", false, "themes, separated by \"; \""),
    col("objectives", false, "objectives (objectifs)"),
    col(
        "description",
        false,
        "short description and approach (brève description)",
    ),
    col(
        "results",
        false,
        "results and added value (résultats / plus-values)",
    ),
    col("target_public", false, "target public (public cible)"),
    col(
        "place_periodicity",
        false,
        "place and periodicity (lieu et périodicité)",
    ),
    col("costs", false, "costs (coûts éventuels)"),
    col(
        "other_info",
        false,
        "other useful information (autres informations utiles)",
    ),
    col(
        "contacts",
        false,
        "JSON array of contacts: [{\"name\", \"role\", \"organisation\", \"phones\": [], \"emails\": []}]",
    ),
    col("websites", false, "websites, separated by \"; \""),
    col(
        "spiral_components",
        false,
        "SPIRAL component codes (A01, D00, …), separated by \"; \"",
    ),
    col(
        "sources",
        false,
        "JSON array of sources: [{\"document\", \"first_line\", \"last_line\"}]",
    ),
    col(
        "status",
        false,
        "draft, submitted, published (default) or archived",
    ),
    col("language", false, "fr (default), de, en or lb"),
    col(
        "created_at",
        false,
        "creation time, RFC 3339 (2018-10-31T13:27:00Z)",
    ),
    col(
        "updated_at",
        false,
        "last change, RFC 3339 (2018-10-31T13:27:00Z)",
    ),
];

/// Columns of a criteria file, in the order the writer emits them.
pub const CRITERION_COLUMNS: &[Column] = &[
    col(
        "id",
        false,
        "criterion id (wikispiral Crit ID); empty for a new criterion",
    ),
    col("platform", true, "platform (plate-forme) name"),
    col("group", true, "homogeneous group (groupe homogène) name"),
    col(
        "question",
        true,
        "question code: WB (well-being), IB (ill-being) or ACT (action)",
    ),
    col(
        "expressions",
        false,
        "number of individual expressions merged into the criterion",
    ),
    col("text", true, "the post-it text, verbatim"),
    col(
        "component",
        false,
        "component code (A01, or a fine code such as A01-11/P15/k)",
    ),
    col(
        "meaning",
        false,
        "meaning code (sens): P, O, Q, S, R or a letter and two digits",
    ),
    col(
        "proposition",
        false,
        "reformulation used to build a progress indicator",
    ),
    col(
        "created_at",
        false,
        "creation time, local (2018-10-31T13:27:00)",
    ),
    col(
        "updated_at",
        false,
        "last change, local (2018-10-31T13:27:00)",
    ),
];

/// Writes practices as CSV (`,`-separated, header first) in [`PRACTICE_COLUMNS`] order.
pub fn write_practices<W: io::Write>(w: W, practices: &[Practice]) -> io::Result<()> {
    write_practice_rows(w, practices, true)
}

/// Writes practices as CSV rows, the header first when `header`: a file written a batch at
/// a time (a streamed download) is the header and then each batch's rows.
pub fn write_practice_rows<W: io::Write>(
    w: W,
    practices: &[Practice],
    header: bool,
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    if header {
        out.write_record(PRACTICE_COLUMNS.iter().map(|c| c.name))?;
    }
    for p in practices {
        let record = PRACTICE_COLUMNS.iter().map(|c| practice_cell(p, c.name));
        out.write_record(record)?;
    }
    out.flush()
}

/// Writes criteria as CSV (`,`-separated, header first) in [`CRITERION_COLUMNS`] order.
pub fn write_criteria<W: io::Write>(w: W, criteria: &[Criterion]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CRITERION_COLUMNS.iter().map(|c| c.name))?;
    for c in criteria {
        out.write_record(
            CRITERION_COLUMNS
                .iter()
                .map(|col| criterion_cell(c, col.name)),
        )?;
    }
    out.flush()
}

fn practice_cell(p: &Practice, column: &str) -> String {
    let f = &p.fields;
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    match column {
        "id" => p.id.to_string(),
        "slug" => p.slug.clone(),
        "title" => f.title.clone(),
        "subtitle" => text(&f.subtitle),
        "institution" => text(&f.institution),
        "organisers" => text(&f.organisers),
        "communes" => f.communes.join(LIST_SEPARATOR),
        "themes" => f.themes.join(LIST_SEPARATOR),
        "objectives" => text(&f.objectives),
        "description" => text(&f.description),
        "results" => text(&f.results),
        "target_public" => text(&f.target_public),
        "place_periodicity" => text(&f.place_periodicity),
        "costs" => text(&f.costs),
        "other_info" => text(&f.other_info),
        "contacts" => json_list(&f.contacts),
        "websites" => f.websites.join(LIST_SEPARATOR),
        "spiral_components" => f.spiral_components.join(LIST_SEPARATOR),
        "sources" => json_list(&p.sources),
        "status" => p.status.as_str().to_string(),
        "language" => p.language.as_str().to_string(),
        "created_at" => utc_cell(p.created_at),
        "updated_at" => utc_cell(p.updated_at),
        other => unreachable!("practice column `{other}` has no writer"),
    }
}

fn criterion_cell(c: &Criterion, column: &str) -> String {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    match column {
        "id" => c.id.map(|i| i.to_string()).unwrap_or_default(),
        "platform" => c.platform.clone(),
        "group" => c.group.clone(),
        "question" => c.question.clone(),
        "expressions" => c.expressions.map(|n| n.to_string()).unwrap_or_default(),
        "text" => c.text.clone(),
        "component" => c
            .component
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        "meaning" => c
            .meaning
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        "proposition" => text(&c.proposition),
        "created_at" => c.created_at.map(local_cell).unwrap_or_default(),
        "updated_at" => c.updated_at.map(local_cell).unwrap_or_default(),
        other => unreachable!("criterion column `{other}` has no writer"),
    }
}

const LIST_SEPARATOR: &str = "; ";

fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        serde_json::to_string(items).expect("contacts and sources serialise")
    }
}

fn utc_cell(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn local_cell(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Practices,
    Criteria,
}

/// Reads a practices or criteria CSV file; the header tells which. A file that ends mid-record
/// is refused as cut.
pub fn parse(document: &str, text: &str) -> Result<Batch, IngestError> {
    read(document, text)?.strict()
}

/// Reads a CSV file, reporting as cut a file that stops without a final line break in a record
/// with fewer cells than the header names, or inside a quoted cell.
///
/// The line of each criterion is kept for messages about it.
pub(crate) fn read(document: &str, text: &str) -> Result<Parsed, IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(header_line))
        .has_headers(false)
        .flexible(true)
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
                format!(
                    "found an empty file: expected a header line `{}`",
                    header_of(PRACTICE_COLUMNS)
                ),
            ));
        }
    };
    let names: Vec<String> = header
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let kind = kind_of(document, &names)?;
    let known = match kind {
        Kind::Practices => PRACTICE_COLUMNS,
        Kind::Criteria => CRITERION_COLUMNS,
    };
    let mut batch = Batch::new(document, Format::Csv);
    let mut columns = HashMap::new();
    let mut unknown = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if !known.iter().any(|c| c.name == name) {
            unknown.push(format!("`{name}`"));
        } else if columns.insert(name.as_str(), i).is_some() {
            return Err(IngestError::new(
                document,
                1,
                format!("found column `{name}` twice: expected each column once"),
            ));
        }
    }
    if !unknown.is_empty() {
        batch.warnings.push(Diagnostic::new(
            1,
            format!(
                "unknown column{} {} ignored: expected columns among {}",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.join(", "),
                header_of(known)
            ),
        ));
    }
    let question_codes = crate::reference::bundled_question_codes();
    let mut criterion_lines = Vec::new();
    let mut last_cells = names.len();
    for record in records {
        let record = record.map_err(|e| csv_error(document, &e, &mut lines))?;
        let line = lines.line(record.position());
        // Spreadsheets leave rows with nothing but delimiters.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > names.len() {
            return Err(IngestError::new(
                document,
                line,
                format!(
                    "found {} cells: expected at most {}, one per header column",
                    record.len(),
                    names.len()
                ),
            ));
        }
        last_cells = record.len();
        let row = Row {
            document,
            line,
            columns: &columns,
            record: &record,
        };
        match kind {
            Kind::Practices => {
                let practice = row.practice()?;
                if let Err(breach) = domain::limits::check_practice(&practice.fields) {
                    return Err(too_long(document, line, "the practice", &breach));
                }
                batch.practices.push(practice);
            }
            Kind::Criteria => {
                let criterion = row.criterion()?;
                if let Err(breach) = domain::limits::check_criterion(&criterion) {
                    return Err(too_long(document, line, "the criterion", &breach));
                }
                criterion_lines.push(line);
                if !question_codes.contains(&criterion.question) {
                    batch.warnings.push(Diagnostic::new(
                        line,
                        format!(
                            "question `{}` is not in the reference questions: expected one of {}",
                            criterion.question,
                            question_codes.join(", ")
                        ),
                    ));
                }
                batch.criteria.push(criterion);
            }
        }
    }
    if kind == Kind::Criteria {
        add_platforms_and_groups(&mut batch);
    }
    let cut = last_text_line(text).and_then(|(no, last)| {
        // Quoted cells hold their quotes doubled: an odd count leaves the last one open.
        let what = if text.matches('"').count() % 2 == 1 {
            "the file stops inside a quoted cell"
        } else if ends_mid_line(text) && last_cells < names.len() {
            "the file stops without a final line break in a record with fewer cells than the \
             header names"
        } else {
            return None;
        };
        Some(Cut::new(no, what, last))
    });
    Ok(Parsed {
        batch,
        cut,
        criterion_lines,
    })
}

/// Criteria name their platform and group; a file of criteria brings those along.
fn add_platforms_and_groups(batch: &mut Batch) {
    for c in &batch.criteria {
        if !batch.platforms.iter().any(|p| p.name == c.platform) {
            batch.platforms.push(domain::Platform {
                id: None,
                name: c.platform.clone(),
                country: None,
                languages: Vec::new(),
                description: None,
                coordination: None,
                created_at: None,
            });
        }
        if !batch
            .groups
            .iter()
            .any(|g| g.name == c.group && g.platform == c.platform)
        {
            batch.groups.push(domain::HomogeneousGroup {
                id: None,
                name: c.group.clone(),
                platform: c.platform.clone(),
                language: None,
                profile: None,
                created_at: None,
            });
        }
    }
}

fn header_of(columns: &[Column]) -> String {
    columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
}

/// Tells practices from criteria by which kind's own columns the header has most of.
fn kind_of(document: &str, names: &[String]) -> Result<Kind, IngestError> {
    let own = |columns: &[Column], other: &[Column]| {
        names
            .iter()
            .filter(|n| columns.iter().any(|c| c.name == *n) && !other.iter().any(|c| c.name == *n))
            .count()
    };
    let practice_score = own(PRACTICE_COLUMNS, CRITERION_COLUMNS);
    let criterion_score = own(CRITERION_COLUMNS, PRACTICE_COLUMNS);
    let kind = if names.iter().any(|n| n == "title") || practice_score > criterion_score {
        Kind::Practices
    } else if criterion_score > practice_score {
        Kind::Criteria
    } else {
        return Err(IngestError::new(
            document,
            1,
            format!(
                "found header `{}`: expected practices (required column `title`; header `{}`) \
                 or criteria (required columns `platform`, `group`, `question`, `text`; header `{}`)",
                names.join(","),
                header_of(PRACTICE_COLUMNS),
                header_of(CRITERION_COLUMNS)
            ),
        ));
    };
    let columns = if kind == Kind::Practices {
        PRACTICE_COLUMNS
    } else {
        CRITERION_COLUMNS
    };
    let missing: Vec<String> = columns
        .iter()
        .filter(|c| c.required && !names.iter().any(|n| n == c.name))
        .map(|c| format!("`{}`", c.name))
        .collect();
    if !missing.is_empty() {
        let what = if kind == Kind::Practices {
            "practices"
        } else {
            "criteria"
        };
        return Err(IngestError::new(
            document,
            1,
            format!(
                "missing required column{} {} for {what}: expected a header like `{}`",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                header_of(columns)
            ),
        ));
    }
    Ok(kind)
}

struct Row<'a> {
    document: &'a str,
    line: u32,
    columns: &'a HashMap<&'a str, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn cell(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    fn error(&self, column: &str, message: impl AsRef<str>) -> IngestError {
        IngestError::new(
            self.document,
            self.line,
            format!("column `{column}`: {}", message.as_ref()),
        )
    }

    fn text(&self, column: &str) -> Option<String> {
        Some(self.cell(column))
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    }

    fn required(&self, column: &str) -> Result<String, IngestError> {
        self.text(column)
            .ok_or_else(|| self.error(column, "found an empty cell: expected a value"))
    }

    fn list(&self, column: &str) -> Vec<String> {
        self.cell(column)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        column: &str,
        shape: &str,
    ) -> Result<Vec<T>, IngestError> {
        let cell = self.cell(column);
        if cell.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(cell).map_err(|e| {
            self.error(
                column,
                format!("found invalid JSON ({e}): expected {shape}"),
            )
        })
    }

    fn number<T: std::str::FromStr>(
        &self,
        column: &str,
        what: &str,
    ) -> Result<Option<T>, IngestError> {
        let cell = self.cell(column);
        if cell.is_empty() {
            return Ok(None);
        }
        cell.parse()
            .map(Some)
            .map_err(|_| self.error(column, format!("found `{cell}`: expected {what}")))
    }

    fn utc(&self, column: &str) -> Result<Option<DateTime<Utc>>, IngestError> {
        let cell = self.cell(column);
        if cell.is_empty() {
            return Ok(None);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(cell) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        // A spreadsheet may drop the zone; zesummen's times are UTC.
        parse_local(cell).map(|t| Some(t.and_utc())).ok_or_else(|| {
            self.error(
                column,
                format!("found `{cell}`: expected a date and time like 2018-10-31T13:27:00Z"),
            )
        })
    }

    fn local(&self, column: &str) -> Result<Option<NaiveDateTime>, IngestError> {
        let cell = self.cell(column);
        if cell.is_empty() {
            return Ok(None);
        }
        parse_local(cell)
            .or_else(|| {
                DateTime::parse_from_rfc3339(cell)
                    .ok()
                    .map(|t| t.naive_local())
            })
            .map(Some)
            .ok_or_else(|| {
                self.error(
                    column,
                    format!("found `{cell}`: expected a date and time like 2018-10-31T13:27:00"),
                )
            })
    }

    fn practice(&self) -> Result<PracticeRecord, IngestError> {
        let status = match self.cell("status") {
            "" => Status::default(),
            s => Status::parse(s).ok_or_else(|| {
                self.error(
                    "status",
                    format!("found `{s}`: expected draft, submitted, published or archived"),
                )
            })?,
        };
        let language = match self.cell("language") {
            "" => Language::default(),
            s => Language::parse(s).ok_or_else(|| {
                self.error(
                    "language",
                    format!("found `{s}`: expected fr, de, en or lb"),
                )
            })?,
        };
        let fields = PracticeFields {
            title: self.required("title")?,
            subtitle: self.text("subtitle"),
            institution: self.text("institution"),
            organisers: self.text("organisers"),
            communes: self.list("communes"),
            themes: self.list("themes"),
            objectives: self.text("objectives"),
            description: self.text("description"),
            results: self.text("results"),
            target_public: self.text("target_public"),
            place_periodicity: self.text("place_periodicity"),
            costs: self.text("costs"),
            other_info: self.text("other_info"),
            contacts: self.json::<Contact>(
                "contacts",
                "a JSON array of contacts like [{\"name\": \"…\", \"emails\": [\"…\"]}]",
            )?,
            websites: self.list("websites"),
            spiral_components: self.list("spiral_components"),
        };
        Ok(PracticeRecord {
            id: self.number("id", "a whole number")?,
            fields,
            sources: self.json::<Source>(
                "sources",
                "a JSON array of sources like [{\"document\": \"…\", \"first_line\": 1, \"last_line\": 9}]",
            )?,
            status,
            language,
            created_at: self.utc("created_at")?,
            updated_at: self.utc("updated_at")?,
        })
    }

    fn criterion(&self) -> Result<Criterion, IngestError> {
        let component = match self.cell("component") {
            "" => None,
            s => Some(ComponentCode::parse(s).map_err(|e| self.error("component", e.to_string()))?),
        };
        let meaning = match self.cell("meaning") {
            "" => None,
            s => Some(MeaningCode::parse(s).map_err(|e| self.error("meaning", e.to_string()))?),
        };
        Ok(Criterion {
            id: self.number("id", "a whole number")?,
            platform: self.required("platform")?,
            group: self.required("group")?,
            question: self.required("question")?.to_ascii_uppercase(),
            text: self.required("text")?,
            expressions: self.number("expressions", "a whole number of expressions")?,
            component,
            meaning,
            proposition: self.text("proposition"),
            created_at: self.local("created_at")?,
            updated_at: self.local("updated_at")?,
        })
    }
}

/// Parses a zone-less date and time as wikispiral and spreadsheets print them.
pub(crate) fn parse_local(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
}

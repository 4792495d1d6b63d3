//! The wikispiral export of a platform page (`data/corpus/spiral-blegny.txt`): the platform
//! (`Country - Name` and a description paragraph), its homogeneous groups, and its criteria.
//!
//! wikispiral prints criteria rows with fewer cells than the header announces (the post-it
//! stands where *NB express* should be, and the dates are shifted), so the criteria cells are
//! mapped by what they hold, not by where they stand. See `data/spiral/README.md`.

use std::sync::LazyLock;

use domain::text::{fold, normalise_block, normalise_line};
use domain::{
    Batch, ComponentCode, Criterion, Diagnostic, Format, HomogeneousGroup, Language, MeaningCode,
    Platform,
};
use regex::Regex;

use crate::csv_format::parse_local;
use crate::guard::{ends_mid_line, last_text_line, too_long};
use crate::quote::{excerpt, ranges};
use crate::{Cut, IngestError, Parsed};

static DATE_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?$").expect("regex"));

/// Reads a wikispiral export, taking question codes from the bundled reference (WB, IB, ACT).
/// An export that ends mid-row is refused as cut.
pub fn parse(document: &str, text: &str) -> Result<Batch, IngestError> {
    parse_with_questions(document, text, &crate::reference::bundled_question_codes())
}

/// Reads a wikispiral export with the given question codes (those of the active reference).
pub fn parse_with_questions(
    document: &str,
    text: &str,
    questions: &[String],
) -> Result<Batch, IngestError> {
    read(document, text, questions)?.strict()
}

/// Reads a wikispiral export, reporting where it ends mid-record:
/// - its last line stops without a final line break, and without the `|` that closes a row or
///   the punctuation that ends a sentence;
/// - its last table row stops before its closing `|`;
/// - its last criterion has fewer dates than the header announces (`Créé le`,
///   `dernière modif.`);
/// - a platform page (opened by `Country - Name`) ends before its criteria table.
pub(crate) fn read(
    document: &str,
    text: &str,
    questions: &[String],
) -> Result<Parsed, IngestError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut batch = Batch::new(document, Format::SpiralCriteria);
    let mut criterion_lines = Vec::new();
    let mut next = 0;

    let mut page = false;
    if let Some((platform, after)) = platform_header(&lines) {
        let line = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0) as u32 + 1;
        if let Err(breach) = domain::limits::check_platform(&platform) {
            return Err(too_long(document, line, "the platform", &breach));
        }
        batch.platforms.push(platform);
        next = after;
        page = true;
    }

    let mut region = Region::Outside;
    let mut skipped: Vec<u32> = Vec::new();
    let mut announced_dates = 0;
    let mut criteria_table = false;
    // The last table row: its line, whether it is closed by `|`, and its dates when a criterion.
    let mut last_row: Option<(u32, bool, Option<usize>)> = None;
    let last_line = last_text_line(text).map_or(0, |(no, _)| no);
    for (index, raw) in lines.iter().enumerate().skip(next) {
        let line_no = index as u32 + 1;
        let line = raw.trim();
        if line.is_empty() || is_separator(line) {
            continue;
        }
        let cells = cells(line);
        if let Some(columns) = group_header(&cells) {
            region = Region::Groups(columns);
            last_row = Some((line_no, line.ends_with('|'), None));
            continue;
        }
        if is_criteria_header(&cells) {
            region = Region::Criteria;
            criteria_table = true;
            announced_dates = cells.iter().filter(|c| is_date_column(c)).count();
            last_row = Some((line_no, line.ends_with('|'), None));
            continue;
        }
        if !line.contains('|') {
            // Page navigation ("Statistics page", "Accès aux synthèses", …) ends a table.
            region = Region::Outside;
            skipped.push(line_no);
            last_row = None;
            continue;
        }
        let closed = line.ends_with('|');
        if !closed && line_no == last_line && !matches!(region, Region::Outside) {
            // A row cut before its end cannot be mapped: its last cell may be a fragment of
            // anything (a date, a language).
            last_row = Some((line_no, closed, None));
            break;
        }
        match &region {
            Region::Groups(columns) => {
                let group = group_row(document, line_no, &cells, columns, &mut batch.warnings)?;
                if let Err(breach) = domain::limits::check_group(&group) {
                    return Err(too_long(document, line_no, "the group row", &breach));
                }
                batch.groups.push(group);
                last_row = Some((line_no, closed, None));
            }
            Region::Criteria => {
                let criterion = criterion_row(document, line_no, &cells, questions)?;
                if let Err(breach) = domain::limits::check_criterion(&criterion) {
                    return Err(too_long(
                        document,
                        line_no,
                        &format!("criterion {}", criterion.id.unwrap_or_default()),
                        &breach,
                    ));
                }
                let dates = usize::from(criterion.created_at.is_some())
                    + usize::from(criterion.updated_at.is_some());
                batch.criteria.push(criterion);
                criterion_lines.push(line_no);
                last_row = Some((line_no, closed, Some(dates)));
            }
            Region::Outside => {
                return Err(IngestError::new(
                    document,
                    line_no,
                    format!(
                        "found a table row `{}` outside a table: expected a `Crit ID | …` or \
                         `Nom du groupe | Plate-forme | …` header line before it",
                        excerpt(line)
                    ),
                ));
            }
        }
    }

    let cut = last_text_line(text).and_then(|(no, last)| {
        let what = match last_row {
            Some((row, false, _)) if row == no => {
                "the last table row stops before its closing `|`".to_string()
            }
            Some((row, true, Some(dates))) if row == no && dates < announced_dates => format!(
                "the last criterion has {dates} of the {announced_dates} dates its header announces"
            ),
            _ if ends_mid_line(text) && !ends_record(last) => {
                "the file stops in the middle of a line".to_string()
            }
            _ if page && !criteria_table => {
                "the platform page stops before its criteria table (`Crit ID | …`)".to_string()
            }
            _ => return None,
        };
        Some(Cut::new(no, what, last))
    });
    if let Some(Cut { line, .. }) = &cut {
        skipped.retain(|l| l != line);
    }
    if !skipped.is_empty() {
        batch.warnings.push(Diagnostic::new(
            skipped[0],
            format!(
                "skipped {} line{} of page navigation ({}): they hold no platform, group or criterion",
                skipped.len(),
                if skipped.len() > 1 { "s" } else { "" },
                ranges(&skipped)
            ),
        ));
    }
    add_named_platforms_and_groups(&mut batch);
    Ok(Parsed {
        batch,
        cut,
        criterion_lines,
    })
}

/// A last line that can end a file: a closed row, or a sentence.
fn ends_record(line: &str) -> bool {
    line.trim_end()
        .ends_with(['|', '.', '!', '?', '»', ')', '"'])
}

/// `Créé le` or `dernière modif.`, folded.
fn is_date_column(cell: &str) -> bool {
    let f = fold(cell);
    f.starts_with("cree le") || f.starts_with("derniere modif")
}

/// A line of the page's navigation rather than prose: short, and not ending a sentence.
fn is_navigation(line: &str) -> bool {
    let line = line.trim();
    line.chars().count() <= 60 && !line.ends_with(['.', '!', '?', ';', ':', '»', ')'])
}

enum Region {
    Outside,
    /// Inside the group table, with the header's column positions.
    Groups(GroupColumns),
    Criteria,
}

struct GroupColumns {
    name: usize,
    platform: usize,
    language: Option<usize>,
    created: Option<usize>,
}

/// `Country - Name` on the first line and, when a line ending with ` |` closes it before any
/// table, the description paragraph. Returns the platform and the index of the next line.
fn platform_header(lines: &[&str]) -> Option<(Platform, usize)> {
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let head = lines[first].trim();
    if head.contains('|') {
        return None;
    }
    let (country, name) = head.split_once(" - ")?;
    let (country, name) = (normalise_line(country), normalise_line(name));
    if country.is_empty() || name.is_empty() {
        return None;
    }
    let mut description = None;
    let mut next = first + 1;
    let mut closed = false;
    for (i, line) in lines.iter().enumerate().skip(first + 1) {
        let line = line.trim_end();
        let cells = cells(line);
        if group_header(&cells).is_some() || is_criteria_header(&cells) {
            break;
        }
        if let Some(last) = line.strip_suffix('|') {
            if !last.contains('|') {
                let mut paragraph: Vec<&str> = lines[first + 1..i].to_vec();
                paragraph.push(last);
                description = Some(normalise_block(&paragraph.join("\n")));
                next = i + 1;
                closed = true;
            }
            break;
        }
    }
    if !closed {
        // A description written without wikispiral's closing `|`: its lines up to the page's
        // navigation or the first table.
        let end = lines[first + 1..]
            .iter()
            .position(|l| {
                let l = l.trim();
                l.contains('|') || (!l.is_empty() && is_navigation(l))
            })
            .map_or(lines.len(), |p| first + 1 + p);
        let paragraph = normalise_block(&lines[first + 1..end].join("\n"));
        if !paragraph.is_empty() {
            description = Some(paragraph);
            next = end;
        }
    }
    let platform = Platform {
        id: None,
        name,
        country: Some(country),
        languages: Vec::new(),
        description,
        coordination: None,
        created_at: None,
    };
    Some((platform, next))
}

/// The cells of a table line, trimmed; a leading `|` (markdown tables) is not a cell.
fn cells(line: &str) -> Vec<&str> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    line.split('|').map(str::trim).collect()
}

/// `---|---|` lines under a header.
fn is_separator(line: &str) -> bool {
    line.contains("---") && line.chars().all(|c| matches!(c, '-' | '|' | ':' | ' '))
}

fn group_header(cells: &[&str]) -> Option<GroupColumns> {
    let folded: Vec<String> = cells.iter().map(|c| fold(c)).collect();
    let find = |name: &str| folded.iter().position(|c| c == name);
    if folded.first().map(String::as_str) != Some("nom du groupe") {
        return None;
    }
    Some(GroupColumns {
        name: 0,
        platform: find("plate-forme")?,
        language: find("langue"),
        created: find("cree le"),
    })
}

fn is_criteria_header(cells: &[&str]) -> bool {
    cells.first().is_some_and(|c| fold(c) == "crit id")
}

fn group_row(
    document: &str,
    line: u32,
    cells: &[&str],
    columns: &GroupColumns,
    warnings: &mut Vec<Diagnostic>,
) -> Result<HomogeneousGroup, IngestError> {
    let cell = |i: usize| cells.get(i).copied().unwrap_or("");
    let required = |i: usize, what: &str| {
        let value = cell(i);
        if value.is_empty() {
            Err(IngestError::new(
                document,
                line,
                format!(
                    "found no {what} in group row `{}`: expected `Nom du groupe | Plate-forme | Langue | Créé le |`",
                    excerpt(&cells.join(" | "))
                ),
            ))
        } else {
            Ok(normalise_line(value))
        }
    };
    let name = required(columns.name, "group name")?;
    let platform = required(columns.platform, "platform")?;
    let language = columns
        .language
        .map(cell)
        .filter(|l| !l.is_empty())
        .map(|printed| {
            language_code(printed).map_or_else(
                || {
                    warnings.push(Diagnostic::new(
                        line,
                        format!(
                            "language `{printed}` has no known ISO 639-1 code: kept as printed"
                        ),
                    ));
                    printed.to_string()
                },
                str::to_string,
            )
        });
    let created_at = match columns.created.map(cell).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(parse_local(c).ok_or_else(|| {
            IngestError::new(
                document,
                line,
                format!("found `{c}` in column `Créé le`: expected a date and time like 2018-10-31 09:54"),
            )
        })?),
    };
    Ok(HomogeneousGroup {
        id: None,
        name,
        platform,
        language,
        profile: None,
        created_at,
    })
}

/// The ISO 639-1 code of a language as wikispiral prints its name ("Français" → "fr").
fn language_code(printed: &str) -> Option<&'static str> {
    if let Some(l) = Language::parse(printed) {
        return Some(l.as_str());
    }
    match fold(printed.trim()).as_str() {
        "espanol" | "espagnol" | "spanish" | "es" => Some("es"),
        "italiano" | "italien" | "italian" | "it" => Some("it"),
        "portugues" | "portugais" | "portuguese" | "pt" => Some("pt"),
        "nederlands" | "neerlandais" | "dutch" | "nl" => Some("nl"),
        _ => None,
    }
}

/// Maps one criteria row by content. The first three cells are the id (a whole number), the
/// platform and the group, in every layout. After them, empty cells are skipped and:
/// - a question code of the reference (WB, IB, ACT) is the question;
/// - a bare whole number is the number of expressions (`NB express`);
/// - `YYYY-MM-DD HH:MM` cells are the creation, then the modification date;
/// - the first component-shaped code is the component, unless the cell right after the post-it
///   is empty (no component); a further code is the meaning (`Sens`);
/// - the first free-text cell is the post-it, the second the proposition.
fn criterion_row(
    document: &str,
    line: u32,
    cells: &[&str],
    questions: &[String],
) -> Result<Criterion, IngestError> {
    let error = |message: String| IngestError::new(document, line, message);
    let expected_row = "expected `Crit ID | Plate-forme | Nom du groupe homogène | Questions | \
                        [NB express |] Post-it | Composante | [Sens |] [Proposition |] Créé le | \
                        dernière modif. |`";
    let first = cells.first().copied().unwrap_or("");
    let id: i64 = first.parse().map_err(|_| {
        error(format!(
            "found `{}` in the first cell: expected a criterion id (a whole number); {expected_row}",
            excerpt(first)
        ))
    })?;
    let platform = cells.get(1).copied().unwrap_or("");
    let group = cells.get(2).copied().unwrap_or("");
    if platform.is_empty() || group.is_empty() {
        return Err(error(format!(
            "found no platform or group after criterion id {id}: {expected_row}"
        )));
    }

    let mut question = None;
    let mut expressions = None;
    let mut texts: Vec<&str> = Vec::new();
    let mut component = None;
    let mut meaning = None;
    let mut dates = Vec::new();
    // The cell right after the post-it is the component's (`Composante`) in both layouts; when
    // it is empty there is no component, and a code further on (`O21`) is the meaning.
    let mut component_slot_next = false;
    let mut component_closed = false;
    for &cell in cells.iter().skip(3) {
        let slot = std::mem::take(&mut component_slot_next);
        if cell.is_empty() {
            component_closed |= slot;
            continue;
        }
        if question.is_none() && questions.iter().any(|q| q.eq_ignore_ascii_case(cell)) {
            question = Some(cell.to_ascii_uppercase());
        } else if expressions.is_none() && cell.bytes().all(|b| b.is_ascii_digit()) {
            expressions = Some(cell.parse::<u32>().map_err(|_| {
                error(format!("found `{cell}` as the number of expressions: expected a whole number below 2^32"))
            })?);
        } else if DATE_TIME.is_match(cell) {
            let t = parse_local(cell).ok_or_else(|| {
                error(format!(
                    "found `{cell}`: expected a valid date and time like 2018-10-31 13:27"
                ))
            })?;
            if dates.len() == 2 {
                return Err(error(format!(
                    "found a third date `{cell}`: expected a creation and a modification date only"
                )));
            }
            dates.push(t);
        } else if let Some(code) = (component.is_none() && !component_closed)
            .then(|| ComponentCode::parse(cell).ok())
            .flatten()
        {
            component = Some(code);
        } else if let Some(code) = meaning
            .is_none()
            .then(|| MeaningCode::parse(cell).ok())
            .flatten()
        {
            meaning = Some(code);
        } else if texts.len() < 2 {
            component_slot_next = texts.is_empty();
            texts.push(cell);
        } else {
            return Err(error(format!(
                "found a third free-text cell `{}`: expected at most a post-it and a proposition; {expected_row}",
                excerpt(cell)
            )));
        }
    }
    let question = question.ok_or_else(|| {
        error(format!(
            "found no question code in criterion {id}: expected one of {}",
            questions.join(", ")
        ))
    })?;
    let Some(&text) = texts.first() else {
        return Err(error(format!(
            "found no post-it text in criterion {id}: {expected_row}"
        )));
    };
    Ok(Criterion {
        id: Some(id),
        platform: normalise_line(platform),
        group: normalise_line(group),
        question,
        text: normalise_line(text),
        expressions,
        component,
        meaning,
        proposition: texts.get(1).map(|p| normalise_line(p)),
        created_at: dates.first().copied(),
        updated_at: dates.get(1).copied(),
    })
}

/// Platforms and groups named by criteria but not printed in a header or group table.
fn add_named_platforms_and_groups(batch: &mut Batch) {
    let named = batch
        .groups
        .iter()
        .map(|g| g.platform.clone())
        .chain(batch.criteria.iter().map(|c| c.platform.clone()))
        .collect::<Vec<_>>();
    for name in named {
        if !batch.platforms.iter().any(|p| p.name == name) {
            batch.platforms.push(Platform {
                id: None,
                name,
                country: None,
                languages: Vec::new(),
                description: None,
                coordination: None,
                created_at: None,
            });
        }
    }
    for i in 0..batch.criteria.len() {
        let c = &batch.criteria[i];
        if !batch
            .groups
            .iter()
            .any(|g| g.name == c.group && g.platform == c.platform)
        {
            let group = HomogeneousGroup {
                id: None,
                name: c.group.clone(),
                platform: c.platform.clone(),
                language: None,
                profile: None,
                created_at: None,
            };
            batch.groups.push(group);
        }
    }
}

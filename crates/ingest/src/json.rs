//! zesummen's own JSON export: `{"practices": [...], "platforms": [...], "groups": [...],
//! "criteria": [...]}` (any key may be missing), or a bare array of practices.
//!
//! The shapes are the domain types' own serialisation (see DESIGN.md), so an export re-imports
//! losslessly: ids, timestamps, status, and `null` versus `""`.
//!
//! Files can hold 100,000 practices: the document is deserialised straight from the text into
//! the records, never through a `serde_json::Value`.

use std::fmt;

use chrono::{DateTime, Utc};
use domain::{
    Batch, Contact, Criterion, Diagnostic, Format, HomogeneousGroup, Language, Platform,
    PracticeFields, PracticeRecord, Source, Status,
};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::{ErrorKind, IngestError};

const EXPECTED: &str = "expected zesummen's JSON export: {\"practices\": […], \"platforms\": […], \
                        \"groups\": […], \"criteria\": […]} or an array of practices";

/// Reads an export. A syntax or shape error names the line and column serde_json stopped at.
pub fn parse(document: &str, text: &str) -> Result<Batch, IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut batch = Batch::new(document, Format::Json);
    let mut de = serde_json::Deserializer::from_str(text);
    let export = Export::deserialize(&mut de).and_then(|e| de.end().map(|()| e));
    let export = export.map_err(|e| json_error(document, text, &e))?;
    batch.practices = export.practices.into_iter().map(|p| p.0).collect();
    batch.platforms = export.platforms.into_iter().map(|p| p.0).collect();
    batch.groups = export.groups.into_iter().map(|g| g.0).collect();
    batch.criteria = export.criteria.into_iter().map(|c| c.0).collect();
    if !export.unknown_keys.is_empty() {
        let line = key_line(text, &export.unknown_keys[0]);
        batch.warnings.push(Diagnostic::new(
            line,
            format!(
                "unknown top-level key{} {} ignored: expected practices, platforms, groups, criteria",
                if export.unknown_keys.len() > 1 { "s" } else { "" },
                export.unknown_keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(batch)
}

/// The line where `"key":` first stands (1 when it cannot be found, e.g. written with escapes).
fn key_line(text: &str, key: &str) -> u32 {
    let quoted = serde_json::to_string(key).unwrap_or_default();
    let mut from = 0;
    while let Some(at) = text[from..].find(&quoted) {
        let end = from + at + quoted.len();
        if text[end..].trim_start().starts_with(':') {
            #[allow(clippy::naive_bytecount)]
            let newlines = text.as_bytes()[..from + at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            return newlines as u32 + 1;
        }
        from = end;
    }
    1
}

/// Marks a record over a field limit in a serde error, so that [`json_error`] names it as such.
const LIMIT_MARK: &str = "\u{1}limit: ";

/// A record checked against the field limits as soon as it is read, while serde_json still
/// knows the line it stands on.
struct Checked<T>(T);

trait Limited {
    const WHAT: &'static str;
    fn check(&self) -> Result<(), domain::limits::Breach>;
}

impl Limited for Platform {
    const WHAT: &'static str = "the platform";
    fn check(&self) -> Result<(), domain::limits::Breach> {
        domain::limits::check_platform(self)
    }
}

impl Limited for HomogeneousGroup {
    const WHAT: &'static str = "the group";
    fn check(&self) -> Result<(), domain::limits::Breach> {
        domain::limits::check_group(self)
    }
}

impl Limited for Criterion {
    const WHAT: &'static str = "the criterion";
    fn check(&self) -> Result<(), domain::limits::Breach> {
        domain::limits::check_criterion(self)
    }
}

/// The serde error for a record over a limit: the mark, the start of the offending value (to
/// find its line), and the message.
fn limit_error<E: de::Error>(what: &str, b: &domain::limits::Breach) -> E {
    E::custom(format_args!(
        "{LIMIT_MARK}{}{LIMIT_MARK}{what}: {b}",
        b.start
    ))
}

impl<'de, T: Deserialize<'de> + Limited> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = T::deserialize(d)?;
        value.check().map_err(|b| limit_error(T::WHAT, &b))?;
        Ok(Checked(value))
    }
}

/// A practice, converted and checked as it is read.
struct CheckedPractice(PracticeRecord);

impl<'de> Deserialize<'de> for CheckedPractice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let record = PracticeRecord::from(PracticeJson::deserialize(d)?);
        domain::limits::check_practice(&record.fields).map_err(|b| {
            let what = format!(
                "the practice «{}»",
                crate::quote::excerpt(&record.fields.title)
            );
            limit_error::<D::Error>(&what, &b)
        })?;
        Ok(CheckedPractice(record))
    }
}

/// The line where a string value starting with `start` is written, if it is written as
/// serde_json writes it.
fn value_line(text: &str, start: &str) -> Option<u32> {
    if start.is_empty() {
        return None;
    }
    let quoted = serde_json::to_string(start).ok()?;
    let open = &quoted[..quoted.len() - 1];
    let at = text.find(open)?;
    #[allow(clippy::naive_bytecount)]
    let newlines = text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    Some(newlines as u32 + 1)
}

fn json_error(document: &str, text: &str, e: &serde_json::Error) -> IngestError {
    // serde_json appends " at line L column C"; the line goes into the error, the column stays.
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let line = e.line() as u32;
    if let Some((start, message)) = message
        .strip_prefix(LIMIT_MARK)
        .and_then(|m| m.split_once(LIMIT_MARK))
    {
        // serde_json stops after the array that holds the record: the value itself names the
        // line, where it can be found.
        let line = value_line(text, start).unwrap_or(line);
        return IngestError::new(document, line, message).with_kind(ErrorKind::TooLong);
    }
    if e.is_eof() {
        return IngestError::new(
            document,
            line,
            format!(
                "the file stops in the middle of the JSON document (column {}): the file is \
                 probably cut; refused so that a shortened file does not overwrite complete \
                 records",
                e.column()
            ),
        )
        .with_kind(ErrorKind::Cut);
    }
    IngestError::new(
        document,
        line,
        format!(
            "found invalid JSON at column {} ({message}): {EXPECTED}",
            e.column()
        ),
    )
}

struct Export {
    practices: Vec<CheckedPractice>,
    platforms: Vec<Checked<Platform>>,
    groups: Vec<Checked<HomogeneousGroup>>,
    criteria: Vec<Checked<Criterion>>,
    unknown_keys: Vec<String>,
}

impl<'de> Deserialize<'de> for Export {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ExportVisitor)
    }
}

struct ExportVisitor;

impl<'de> Visitor<'de> for ExportVisitor {
    type Value = Export;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "an object with practices, platforms, groups, criteria, or an array of practices",
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Export, A::Error> {
        let mut practices = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(p) = seq.next_element()? {
            practices.push(p);
        }
        Ok(Export {
            practices,
            platforms: Vec::new(),
            groups: Vec::new(),
            criteria: Vec::new(),
            unknown_keys: Vec::new(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Export, A::Error> {
        let mut export = Export {
            practices: Vec::new(),
            platforms: Vec::new(),
            groups: Vec::new(),
            criteria: Vec::new(),
            unknown_keys: Vec::new(),
        };
        let mut seen = [false; 4];
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "practices" => 0,
                "platforms" => 1,
                "groups" => 2,
                "criteria" => 3,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    export.unknown_keys.push(key);
                    continue;
                }
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            // `null` for a list is an empty list, as when the key is missing.
            match slot {
                0 => export.practices = map.next_value::<Option<_>>()?.unwrap_or_default(),
                1 => export.platforms = map.next_value::<Option<_>>()?.unwrap_or_default(),
                2 => export.groups = map.next_value::<Option<_>>()?.unwrap_or_default(),
                _ => export.criteria = map.next_value::<Option<_>>()?.unwrap_or_default(),
            }
        }
        Ok(export)
    }
}

/// A practice as exported. Written out field by field rather than with the domain type's
/// `#[serde(flatten)]`, which would buffer every practice before reading it; `id`, `slug` and
/// the timestamps may be missing in hand-written files (the store assigns them).
#[derive(Deserialize)]
struct PracticeJson {
    #[serde(default)]
    id: Option<i64>,
    /// Derived from the title by the store; accepted so that an export reads back.
    #[serde(default, rename = "slug")]
    _slug: IgnoredAny,
    title: String,
    #[serde(default)]
    subtitle: Option<String>,
    #[serde(default)]
    institution: Option<String>,
    #[serde(default)]
    organisers: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    communes: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    themes: Vec<String>,
    #[serde(default)]
    objectives: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    results: Option<String>,
    #[serde(default)]
    target_public: Option<String>,
    #[serde(default)]
    place_periodicity: Option<String>,
    #[serde(default)]
    costs: Option<String>,
    #[serde(default)]
    other_info: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    contacts: Vec<Contact>,
    #[serde(default, deserialize_with = "null_as_empty")]
    websites: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    spiral_components: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    sources: Vec<Source>,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    language: Language,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl From<PracticeJson> for PracticeRecord {
    fn from(p: PracticeJson) -> Self {
        PracticeRecord {
            id: p.id,
            fields: PracticeFields {
                title: p.title,
                subtitle: p.subtitle,
                institution: p.institution,
                organisers: p.organisers,
                communes: p.communes,
                themes: p.themes,
                objectives: p.objectives,
                description: p.description,
                results: p.results,
                target_public: p.target_public,
                place_periodicity: p.place_periodicity,
                costs: p.costs,
                other_info: p.other_info,
                contacts: p.contacts,
                websites: p.websites,
                spiral_components: p.spiral_components,
            },
            sources: p.sources,
            status: p.status,
            language: p.language,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

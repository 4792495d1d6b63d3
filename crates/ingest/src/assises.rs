//! The fiches of the *Assises nationales de l'intégration au niveau local*: the booklet as text
//! extracted from PDF, or one fiche written in markdown.
//!
//! The extraction is messy: page headers fall in the middle of sections, headings are written in
//! many ways and sometimes carry their value on the same line, partners' logos stand between
//! fiches as loose words. The parser works in three passes:
//! 1. every line is cleaned of markup and classified (page header, blank, text);
//! 2. pages (text between page headers) are grouped into fiches, and logo text is set aside;
//! 3. each fiche is split into the template's sections, and its contact section into contacts,
//!    websites and leftover prose (kept in `other_info`, so no line of text is lost).

use std::sync::LazyLock;

use domain::text::{fold, normalise_line};
use domain::{Batch, Contact, Diagnostic, Format, PracticeFields, PracticeRecord, Source};
use regex::Regex;

use crate::guard::{ends_mid_line, last_text_line, too_long};
use crate::{Cut, IngestError, Parsed};

/// Parses a booklet or a markdown fiche into practices, in the order they are printed. A file
/// that ends mid-fiche is refused as cut.
pub fn parse(document: &str, text: &str) -> Result<Batch, IngestError> {
    read(document, text)?.strict()
}

/// Reads a booklet or a markdown fiche, reporting where it ends mid-fiche:
/// - its last line stops without a final line break and without the punctuation that ends a
///   sentence (a file written whole ends with a line break, or with a sentence);
/// - its last fiche stops right after a section heading, or before its contact section (every
///   fiche of the template ends with one, before the optional other information).
///
/// A fiche cut at a line break inside its contact or other information cannot be told from a
/// shorter fiche (the booklet itself ends a fiche with a person printed without telephone or
/// e-mail); the store holds back updates that shrink stored values.
pub(crate) fn read(document: &str, text: &str) -> Result<Parsed, IngestError> {
    let lines = classify(text);
    let mut batch = Batch::new(document, Format::Assises);
    let fiches = group_fiches(&lines, &mut batch.warnings);
    if fiches.is_empty() {
        return Err(IngestError::new(
            document,
            1,
            "no fiche found: expected text with section headings such as \
             \"Objectifs\", \"Public cible du projet\" or \"Contact\"",
        ));
    }
    for fiche in &fiches {
        let record = build_practice(document, fiche, &mut batch.warnings)?;
        if let Err(breach) = domain::limits::check_practice(&record.fields) {
            return Err(too_long(
                document,
                fiche.first_line,
                &format!(
                    "the fiche «{}» (lines {}–{})",
                    crate::quote::excerpt(&record.fields.title),
                    fiche.first_line,
                    fiche.last_text_line()
                ),
                &breach,
            ));
        }
        batch.practices.push(record);
    }
    let cut = last_text_line(text).and_then(|(no, last)| {
        let what = if ends_mid_line(text) && !ends_sentence(last) {
            "the file stops in the middle of a line".to_string()
        } else {
            unfinished(fiches.last()?, batch.practices.last()?)?
        };
        Some(Cut::new(no, what, last))
    });
    if cut.is_some()
        && let Some(p) = batch.practices.last_mut()
    {
        p.sources[0].truncated = true;
    }
    let mut parsed = Parsed::new(batch);
    parsed.cut = cut;
    Ok(parsed)
}

/// A line that can end a file written whole: a sentence, a quotation, a parenthesis.
fn ends_sentence(line: &str) -> bool {
    clean(line).ends_with(['.', '!', '?', '…', '»', '"', ')'])
}

/// What the last fiche of a file lacks when the file was cut inside it.
fn unfinished(fiche: &Fiche, practice: &PracticeRecord) -> Option<String> {
    let title = crate::quote::excerpt(&practice.fields.title);
    let mut zone = Section::Title;
    let mut title_seen = false;
    // The last heading, and whether any text followed it.
    let mut last: Option<(String, bool)> = None;
    for item in &fiche.items {
        let Item::Text(_, text) = item else { continue };
        let at_start = zone == Section::Title && !title_seen;
        title_seen = true;
        match (!at_start).then(|| heading(text, zone)).flatten() {
            Some(h) if h.section != zone => {
                zone = h.section;
                last = Some((text.clone(), h.value.is_some()));
            }
            _ => {
                if let Some(l) = &mut last {
                    l.1 = true;
                }
            }
        }
    }
    if let Some((heading, false)) = &last {
        return Some(format!(
            "the fiche «{title}» stops right after its heading «{}»",
            crate::quote::excerpt(heading)
        ));
    }
    if last.is_none() || !fiche.has_contacts() {
        return Some(format!(
            "the fiche «{title}» stops before its contact section"
        ));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Pass 1: lines

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    PageHeader,
    Blank,
    Text(String),
}

#[derive(Debug, Clone)]
struct Line {
    no: u32,
    kind: Kind,
}

static PAGE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*\d*\s*(?:e|è|ème|èmes|eme|emes|ième|ièmes|ieme|iemes)?\s*assises nationales\b",
    )
    .expect("regex")
});
static MD_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]*)\]\(([^)\s]*)\)").expect("regex"));
static SUPERSCRIPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\^\{([^}]*)\}|<sup>([^<]*)</sup>").expect("regex"));
static MD_HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*#{1,6}\s+").expect("regex"));

/// Removes the markup that PDF extraction or markdown adds around the printed text.
fn clean(raw: &str) -> String {
    let s = MD_HEADING.replace(raw, "");
    let s = MD_LINK.replace_all(&s, "$1");
    let s = SUPERSCRIPT.replace_all(&s, "$1$2");
    let s = s.replace('*', "");
    normalise_line(&s)
}

fn classify(text: &str) -> Vec<Line> {
    text.lines()
        .enumerate()
        .map(|(i, raw)| {
            let no = i as u32 + 1;
            let cleaned = clean(raw);
            let kind = if cleaned.is_empty() {
                Kind::Blank
            } else if cleaned.chars().count() < 100 && PAGE_HEADER.is_match(&cleaned) {
                Kind::PageHeader
            } else {
                Kind::Text(cleaned)
            };
            Line { no, kind }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Headings

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Title,
    Institution,
    Organisers,
    Objectives,
    Description,
    Results,
    TargetPublic,
    Place,
    Costs,
    Contacts,
    OtherInfo,
}

impl Section {
    /// Sections that open a fiche, where a one-word heading may carry its value after a space
    /// ("Institution Agence du Bénévolat"). Elsewhere that would catch ordinary sentences.
    fn is_header_zone(self) -> bool {
        matches!(
            self,
            Section::Title | Section::Institution | Section::Organisers
        )
    }
}

/// Heading variants, folded (lower case, no accents), longest first within a section.
const HEADINGS: &[(Section, &str)] = &[
    (Section::Institution, "commune / institution"),
    (Section::Institution, "commune/institution"),
    (Section::Institution, "institution"),
    (Section::Institution, "commune"),
    (Section::Organisers, "organisme gestionnaire"),
    (Section::Organisers, "organisateur (s)"),
    (Section::Organisers, "organisateur(s)"),
    (Section::Organisers, "organisatrices"),
    (Section::Organisers, "organisateurs"),
    (Section::Organisers, "organisateur"),
    (Section::Objectives, "missions et objectifs"),
    (Section::Objectives, "but du projet"),
    (Section::Objectives, "objectifs"),
    (Section::Objectives, "objectif"),
    (
        Section::Description,
        "breve description et approche preconisee",
    ),
    (Section::Description, "breve description"),
    (Section::Description, "description"),
    (Section::Description, "presentation"),
    (Section::Results, "resultats / plus-values du projet"),
    (Section::Results, "resultats/plus-values du projet"),
    (Section::Results, "resultats / plus-values"),
    (Section::Results, "resultats et plus-values"),
    (Section::Results, "resultats"),
    (Section::Results, "plus-values"),
    (Section::TargetPublic, "public cible du projet"),
    (Section::TargetPublic, "public cible"),
    (Section::TargetPublic, "publics cibles"),
    (Section::TargetPublic, "groupe cible"),
    (Section::Place, "lieu du projet et periodicite"),
    (Section::Place, "lieu du projet"),
    (Section::Place, "lieu et periodicite"),
    (Section::Place, "periodicite et lieu"),
    (Section::Place, "lieux du projet"),
    (Section::Costs, "couts eventuels"),
    (Section::Costs, "couts"),
    (Section::Costs, "cout"),
    (Section::Contacts, "personnes de contact"),
    (Section::Contacts, "personne de contact"),
    (Section::Contacts, "contacts"),
    (Section::Contacts, "contact"),
    (Section::OtherInfo, "autres informations utiles"),
    (Section::OtherInfo, "autres informations"),
    (Section::OtherInfo, "informations utiles"),
    (Section::OtherInfo, "pour en savoir plus"),
];

static PLURAL_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\p{L})\((?:s|x|e|es)\)").expect("regex"));

#[derive(Debug, Clone, PartialEq, Eq)]
struct Heading {
    section: Section,
    /// Text printed on the heading's line after it, if any.
    value: Option<String>,
}

fn strip_separators(s: &str) -> &str {
    s.trim_matches(|c: char| c == ':' || c == '|' || c.is_whitespace())
}

/// Recognises a section heading. `zone` is the section the line stands in.
fn heading(line: &str, zone: Section) -> Option<Heading> {
    let words: Vec<&str> = line.split_whitespace().collect();
    // "Lieu(x)", "Public(s) cible(s)", "Coût(s)": the plural marks are not part of the word.
    let folded: Vec<String> = words
        .iter()
        .map(|w| {
            let f = fold(w);
            PLURAL_MARK.replace_all(&f, "$1").into_owned()
        })
        .collect();
    for &(section, variant) in HEADINGS {
        let vwords: Vec<&str> = variant.split(' ').collect();
        if folded.len() < vwords.len() {
            continue;
        }
        let n = vwords.len();
        // The last word of the heading may carry the separator: "Objectifs:" or "Objectifs :".
        let matches = vwords.iter().enumerate().all(|(i, v)| {
            let w = folded[i].as_str();
            if i + 1 == n {
                strip_separators(w) == *v
            } else {
                w == *v
            }
        });
        if !matches {
            continue;
        }
        let rest_words = &words[n..];
        let rest = rest_words.join(" ");
        let had_separator = folded[n - 1].ends_with(':')
            || folded[n - 1].ends_with('|')
            || rest.starts_with(':')
            || rest.starts_with('|');
        let value = strip_separators(&rest).to_string();
        // "Autres informations utiles (site web, documents édités,...)": the parenthesis is
        // part of the heading, not a value.
        if value.is_empty() || (value.starts_with('(') && value.ends_with(')')) {
            return Some(Heading {
                section,
                value: None,
            });
        }
        let single_word = n == 1;
        if had_separator {
            return Some(Heading {
                section,
                value: Some(value),
            });
        }
        if single_word {
            // "Commune Commune de Strassen" is a heading; "Commune de Strassen" is a value.
            let starts_upper = value
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '«' || c == '"');
            if zone.is_header_zone()
                && matches!(section, Section::Institution | Section::Organisers)
                && starts_upper
            {
                return Some(Heading {
                    section,
                    value: Some(value),
                });
            }
            return None;
        }
        if line.chars().count() <= 200 {
            return Some(Heading {
                section,
                value: Some(value),
            });
        }
        return None;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Pass 2: fiches

#[derive(Debug, Clone)]
enum Item {
    Text(u32, String),
    Blank,
    PageBreak,
}

#[derive(Debug, Default)]
struct Fiche {
    first_line: u32,
    items: Vec<Item>,
}

impl Fiche {
    fn last_text_line(&self) -> u32 {
        self.items
            .iter()
            .rev()
            .find_map(|i| match i {
                Item::Text(no, _) => Some(*no),
                _ => None,
            })
            .unwrap_or(self.first_line)
    }

    fn has_contacts(&self) -> bool {
        self.items.iter().any(|i| match i {
            Item::Text(_, t) => {
                heading(t, Section::Costs).is_some_and(|h| h.section == Section::Contacts)
            }
            _ => false,
        })
    }
}

struct Page<'a> {
    /// The page header's line, or the first line of a document without headers.
    header_line: u32,
    lines: &'a [Line],
}

impl Page<'_> {
    fn texts(&self) -> impl Iterator<Item = (u32, &str)> {
        self.lines.iter().filter_map(|l| match &l.kind {
            Kind::Text(t) => Some((l.no, t.as_str())),
            _ => None,
        })
    }
}

fn split_pages(lines: &[Line]) -> Vec<Page<'_>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut header_line = 1;
    for (i, line) in lines.iter().enumerate() {
        if line.kind == Kind::PageHeader {
            if start < i {
                pages.push(Page {
                    header_line,
                    lines: &lines[start..i],
                });
            }
            start = i + 1;
            header_line = line.no;
        }
    }
    if start < lines.len() {
        pages.push(Page {
            header_line,
            lines: &lines[start..],
        });
    }
    // A leading segment without any text (blank lines before the first header) is nothing.
    pages.retain(|p| p.texts().next().is_some());
    pages
}

/// Logo captions are short loose words: no digits, no addresses, no sentences.
fn is_logo_like(text: &str) -> bool {
    text.chars().count() <= 60
        && !text.chars().any(|c| c.is_ascii_digit())
        && !text.contains('@')
        && !text.contains("www")
        && !text.contains(':')
        && !text.ends_with('.')
        && !text.starts_with('-')
        && heading(text, Section::Description).is_none()
}

fn is_logo_block<'a>(mut texts: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    let all = texts.all(|t| {
        any = true;
        is_logo_like(t)
    });
    any && all
}

/// Whether a page opens a new fiche because of its own shape: title lines, then an institution
/// heading before any other section.
fn opens_with_title_and_institution(page: &Page<'_>) -> bool {
    let mut texts = page.texts();
    let Some((_, first)) = texts.next() else {
        return false;
    };
    if heading(first, Section::Title).is_some() {
        return false;
    }
    for (_, t) in texts.take(6) {
        if let Some(h) = heading(t, Section::Title) {
            return h.section == Section::Institution;
        }
    }
    false
}

/// Whether a page continues the contact part of the fiche before it: it opens with contact
/// details, a person, or the other information; or it holds no section heading at all (a
/// fiche starts with its title and sections, so a page without any is the end of the one
/// before).
fn continues_contacts(page: &Page<'_>) -> bool {
    let Some((_, first)) = page.texts().next() else {
        return true;
    };
    if let Some(h) = heading(first, Section::Contacts) {
        return matches!(h.section, Section::Contacts | Section::OtherInfo);
    }
    matches!(
        contact_line(first),
        ContactLine::Phone(_) | ContactLine::Email(_) | ContactLine::Url
    ) || is_address(first)
        || person_line(first).is_some()
        || !page
            .texts()
            .any(|(_, t)| heading(t, Section::Description).is_some())
}

fn group_fiches(lines: &[Line], warnings: &mut Vec<Diagnostic>) -> Vec<Fiche> {
    let mut fiches: Vec<Fiche> = Vec::new();
    for page in split_pages(lines) {
        let has_heading = page
            .texts()
            .any(|(_, t)| heading(t, Section::Description).is_some());
        let current_done = fiches.last().is_none_or(Fiche::has_contacts);
        if current_done && !has_heading && is_logo_block(page.texts().map(|(_, t)| t)) {
            note_noise(&page.lines.iter().collect::<Vec<_>>(), warnings);
            continue;
        }
        let new_fiche = fiches.is_empty()
            || opens_with_title_and_institution(&page)
            || (current_done && !continues_contacts(&page));
        if new_fiche {
            fiches.push(Fiche {
                first_line: page.header_line,
                items: Vec::new(),
            });
        } else {
            fiches
                .last_mut()
                .expect("a fiche")
                .items
                .push(Item::PageBreak);
        }
        let fiche = fiches.last_mut().expect("a fiche");
        append_page(fiche, &page, warnings);
    }
    fiches
}

/// Appends a page's lines to a fiche, setting aside a trailing logo block: after the contact
/// part, past a gap of three or more blank lines, only logo-like lines up to the page's end.
fn append_page(fiche: &mut Fiche, page: &Page<'_>, warnings: &mut Vec<Diagnostic>) {
    let mut end = page.lines.len();
    let mut blanks = 0;
    let mut contacts_seen = fiche.has_contacts();
    for (i, line) in page.lines.iter().enumerate() {
        match &line.kind {
            Kind::Blank => blanks += 1,
            Kind::Text(t) => {
                if contacts_seen
                    && blanks >= 3
                    && is_logo_block(page.lines[i..].iter().filter_map(|l| match &l.kind {
                        Kind::Text(t) => Some(t.as_str()),
                        _ => None,
                    }))
                {
                    end = i;
                    break;
                }
                if heading(t, Section::Costs).is_some_and(|h| h.section == Section::Contacts) {
                    contacts_seen = true;
                }
                blanks = 0;
            }
            Kind::PageHeader => blanks = 0,
        }
    }
    if end < page.lines.len() {
        note_noise(&page.lines[end..].iter().collect::<Vec<_>>(), warnings);
    }
    for line in &page.lines[..end] {
        fiche.items.push(match &line.kind {
            Kind::Text(t) => Item::Text(line.no, t.clone()),
            _ => Item::Blank,
        });
    }
}

fn note_noise(lines: &[&Line], warnings: &mut Vec<Diagnostic>) {
    let texts: Vec<&Line> = lines
        .iter()
        .copied()
        .filter(|l| matches!(l.kind, Kind::Text(_)))
        .collect();
    if let (Some(first), Some(last)) = (texts.first(), texts.last()) {
        let words: Vec<&str> = texts
            .iter()
            .filter_map(|l| match &l.kind {
                Kind::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        warnings.push(Diagnostic::new(
            first.no,
            format!(
                "lines {}-{}: logo text between fiches, not part of any fiche: {}",
                first.no,
                last.no,
                words.join(" / ")
            ),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 3: sections

/// The lines of one section, with the blank lines and page breaks between them.
#[derive(Debug, Default, Clone)]
struct Block {
    items: Vec<Item>,
}

impl Block {
    fn is_empty(&self) -> bool {
        !self.items.iter().any(|i| matches!(i, Item::Text(..)))
    }

    fn push_text(&mut self, no: u32, text: String) {
        self.items.push(Item::Text(no, text));
    }

    /// Paragraphs joined by a blank line, lines of a paragraph by a newline; a sentence cut by
    /// a page break is joined back with a space.
    fn render(&self) -> String {
        let mut paragraphs: Vec<Vec<String>> = Vec::new();
        let mut open = false;
        let mut pending_break = false;
        for item in &self.items {
            match item {
                Item::Blank => open = false,
                Item::PageBreak => {
                    open = false;
                    pending_break = true;
                }
                Item::Text(_, t) => {
                    if pending_break && continues_sentence(paragraphs.last(), t) {
                        let last = paragraphs.last_mut().and_then(|p| p.last_mut());
                        if let Some(last) = last {
                            last.push(' ');
                            last.push_str(t);
                        }
                    } else if open {
                        paragraphs
                            .last_mut()
                            .expect("open paragraph")
                            .push(t.clone());
                    } else {
                        paragraphs.push(vec![t.clone()]);
                    }
                    open = true;
                    pending_break = false;
                }
            }
        }
        paragraphs
            .iter()
            .map(|p| p.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn texts(&self) -> impl Iterator<Item = (u32, &str)> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(no, t) => Some((*no, t.as_str())),
            _ => None,
        })
    }
}

fn continues_sentence(previous: Option<&Vec<String>>, next: &str) -> bool {
    let Some(prev) = previous.and_then(|p| p.last()) else {
        return false;
    };
    let ends_open = !prev.ends_with(['.', '!', '?', ':', ';', '»', ')']);
    let starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    ends_open && starts_lower
}

#[derive(Default)]
struct Sections {
    title: Block,
    institution: Option<Block>,
    organisers: Option<Block>,
    objectives: Option<Block>,
    description: Option<Block>,
    results: Option<Block>,
    target_public: Option<Block>,
    place: Option<Block>,
    costs: Option<Block>,
    contacts: Option<Block>,
    other_info: Option<Block>,
}

impl Sections {
    fn slot(&mut self, s: Section) -> &mut Option<Block> {
        match s {
            Section::Title => unreachable!("the title is not an optional section"),
            Section::Institution => &mut self.institution,
            Section::Organisers => &mut self.organisers,
            Section::Objectives => &mut self.objectives,
            Section::Description => &mut self.description,
            Section::Results => &mut self.results,
            Section::TargetPublic => &mut self.target_public,
            Section::Place => &mut self.place,
            Section::Costs => &mut self.costs,
            Section::Contacts => &mut self.contacts,
            Section::OtherInfo => &mut self.other_info,
        }
    }

    fn block(&mut self, s: Section) -> &mut Block {
        if s == Section::Title {
            return &mut self.title;
        }
        self.slot(s).get_or_insert_with(Block::default)
    }
}

fn split_sections(fiche: &Fiche) -> Sections {
    let mut sections = Sections::default();
    let mut zone = Section::Title;
    for item in &fiche.items {
        let Item::Text(no, text) = item else {
            sections.block(zone).items.push(item.clone());
            continue;
        };
        // The first line of a fiche is its title, whatever it says.
        let at_start = zone == Section::Title && sections.title.is_empty();
        let h = if at_start { None } else { heading(text, zone) };
        match h {
            // "Commune/Institution" then "Commune Commune de Strassen", or a second
            // "Objectifs :" inside the objectives: a line of text of the open section.
            Some(h) if h.section == zone => sections.block(zone).push_text(*no, text.clone()),
            Some(h) => {
                zone = h.section;
                let block = sections.block(zone);
                if let Some(v) = h.value {
                    block.push_text(*no, v);
                }
            }
            None => sections.block(zone).push_text(*no, text.clone()),
        }
    }
    sections
}

fn rendered(block: Option<&Block>) -> Option<String> {
    block.map(Block::render)
}

fn build_practice(
    document: &str,
    fiche: &Fiche,
    warnings: &mut Vec<Diagnostic>,
) -> Result<PracticeRecord, IngestError> {
    let mut sections = split_sections(fiche);
    let title_block = std::mem::take(&mut sections.title);
    let mut title_lines = title_block.texts();
    let title = match title_lines.next() {
        Some((_, t)) => t.to_string(),
        None => {
            return Err(IngestError::new(
                document,
                fiche.first_line,
                "fiche without a title: expected the title on the lines after the page header, \
                 before the first section heading",
            ));
        }
    };
    let subtitle = {
        let mut rest = Block::default();
        let mut seen_title = false;
        for item in &title_block.items {
            match item {
                Item::Text(..) if !seen_title => seen_title = true,
                _ if !seen_title => {}
                other => rest.items.push(other.clone()),
            }
        }
        (!rest.is_empty()).then(|| rest.render())
    };

    let contact_part = sections
        .contacts
        .as_ref()
        .map(parse_contacts)
        .unwrap_or_default();
    let mut websites = contact_part.websites;
    if let Some(other) = &sections.other_info {
        for (_, t) in other.texts() {
            for url in urls_in(t) {
                push_unique(&mut websites, url);
            }
        }
    }
    let mut other_parts: Vec<String> = Vec::new();
    if let Some(other) = rendered(sections.other_info.as_ref()) {
        other_parts.push(other);
    }
    if !contact_part.prose.is_empty() {
        other_parts.push(contact_part.prose.render());
    }
    let other_info = if other_parts.is_empty() {
        None
    } else {
        Some(
            other_parts
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n"),
        )
    };

    let fields = PracticeFields {
        title,
        subtitle,
        institution: rendered(sections.institution.as_ref()),
        organisers: rendered(sections.organisers.as_ref()),
        communes: Vec::new(),
        themes: Vec::new(),
        objectives: rendered(sections.objectives.as_ref()),
        description: rendered(sections.description.as_ref()),
        results: rendered(sections.results.as_ref()),
        target_public: rendered(sections.target_public.as_ref()),
        place_periodicity: rendered(sections.place.as_ref()),
        costs: rendered(sections.costs.as_ref()),
        other_info,
        contacts: contact_part.contacts,
        websites,
        spiral_components: Vec::new(),
    };
    // The communes a fiche is about are the ones its heading parts name: title, institution,
    // organisers, place. The description names many others in passing.
    let mut fields = fields;
    let named = [
        Some(&fields.title),
        fields.subtitle.as_ref(),
        fields.institution.as_ref(),
        fields.organisers.as_ref(),
        fields.place_periodicity.as_ref(),
    ];
    let heading_text = named
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    fields.communes = crate::communes::registry().find_in(&heading_text);
    if fields.institution.is_none() && fields.organisers.is_none() {
        warnings.push(Diagnostic::new(
            fiche.first_line,
            format!(
                "fiche \"{}\" names no institution and no organiser",
                fields.title
            ),
        ));
    }
    let source = Source {
        document: document.to_string(),
        first_line: fiche.first_line,
        last_line: fiche.last_text_line(),
        truncated: false,
    };
    Ok(PracticeRecord::from_source(fields, source))
}

// ---------------------------------------------------------------------------------------------
// Contacts

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("regex"));
static EMAIL_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^e\s*-?\s*mail\b").expect("regex"));
static PHONE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:t[ée]l(?:[ée]phone)?|tel|gsm|mobile|portable|fax)\.?\s*:?\s*(.*)$")
        .expect("regex")
});
static PHONE_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+/\s+|\s+ou\s+").expect("regex"));
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://[^\s,;]+|www\.[^\s,;]+)").expect("regex"));
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\d+[a-z]?\s*,|\d+[a-z]?\s+(?:rue|route|avenue|av\.|boulevard|bd|place|chemin|allée)\b|l\s*-\s*\d{4}\b|\d{4}\s+\p{Lu})")
        .expect("regex")
});

enum ContactLine {
    Phone(Vec<String>),
    Email(Vec<String>),
    Url,
    Other,
}

fn contact_line(line: &str) -> ContactLine {
    if let Some(c) = PHONE_LABEL.captures(line) {
        let value = c.get(1).map_or("", |m| m.as_str()).trim();
        if value.chars().any(|c| c.is_ascii_digit()) {
            let phones = PHONE_SPLIT
                .split(value)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            return ContactLine::Phone(phones);
        }
    }
    let emails: Vec<String> = EMAIL
        .find_iter(line)
        .map(|m| m.as_str().to_string())
        .collect();
    if !emails.is_empty()
        && (EMAIL_LABEL.is_match(line)
            || EMAIL
                .replace_all(line, "")
                .trim()
                .trim_matches('/')
                .trim()
                .is_empty())
    {
        return ContactLine::Email(emails);
    }
    if URL
        .find(line)
        .is_some_and(|m| m.start() == 0 && m.end() == line.len())
    {
        return ContactLine::Url;
    }
    ContactLine::Other
}

fn urls_in(line: &str) -> Vec<String> {
    URL.find_iter(line)
        .map(|m| m.as_str().trim_end_matches(['.', ')']).to_string())
        .filter(|u| !EMAIL.is_match(u))
        .collect()
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

fn is_address(line: &str) -> bool {
    ADDRESS.is_match(line)
}

/// A word of a person's name: capitalised, letters with inner hyphens or apostrophes.
fn is_name_word(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && w.chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '.')
        && !w.ends_with('-')
}

fn is_person_name(s: &str) -> bool {
    s.split('/').all(|person| {
        let words: Vec<&str> = person.split_whitespace().collect();
        (2..=4).contains(&words.len())
            && words.iter().all(|w| is_name_word(w))
            // "LE GOUVERNEMENT" is a caption, not a person: names have a word in mixed case.
            && words.iter().any(|w| w.chars().any(char::is_lowercase))
            // "Service Intégration" or "Chef Service" are capitalised words too: a name has
            // no word of a job title or of an institution.
            && !words.iter().any(|w| is_title_or_body_word(w))
    })
}

fn is_title_or_body_word(word: &str) -> bool {
    let w = fold(word);
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '.');
    ROLE_WORDS.contains(&w) || ORGANISATION_WORDS.contains(&w)
}

/// "Mike Hagen - président" → ("Mike Hagen", Some("président")); "Julia Gregor" → (…, None).
fn person_line(line: &str) -> Option<(String, Option<String>)> {
    if is_person_name(line) {
        return Some((line.to_string(), None));
    }
    for sep in [" - ", " – ", " — ", "- "] {
        if let Some((left, right)) = line.split_once(sep) {
            let (left, right) = (left.trim(), right.trim());
            // "Paul Estgen- secrétaire", but not "Lëtzebuurger Integratiouns- a Sozial…": a
            // hyphen glued to the name must be followed by a role or an organisation.
            let glued = sep == "- ";
            if is_person_name(left) && (!glued || is_role(right) || is_organisation(right)) {
                return Some((
                    left.to_string(),
                    (!right.is_empty()).then(|| right.to_string()),
                ));
            }
        }
    }
    None
}

/// Words a job title starts with (fonction), folded: French, German and English.
const ROLE_WORDS: &[&str] = &[
    "chef",
    "cheffe",
    "agent",
    "agente",
    "attache",
    "attachee",
    "adjoint",
    "adjointe",
    "referent",
    "referente",
    "mediateur",
    "mediatrice",
    "travailleur",
    "travailleuse",
    "employe",
    "employee",
    "collaborateur",
    "collaboratrice",
    "stagiaire",
    "delegue",
    "deleguee",
    "inspecteur",
    "inspectrice",
    "formateur",
    "formatrice",
    "intervenant",
    "intervenante",
    "fondateur",
    "fondatrice",
    "administrateur",
    "administratrice",
    "psychologue",
    "juriste",
    "professeur",
    "professeure",
    "instituteur",
    "institutrice",
    "vice-president",
    "vice-presidente",
    "maire",
    "echevine",
    "leiter",
    "leiterin",
    "beauftragte",
    "beauftragter",
    "head",
    "director",
    "coordinator",
    "manager",
    "officer",
    "president",
    "presidente",
    "directeur",
    "directrice",
    "charge",
    "chargee",
    "responsable",
    "coordinateur",
    "coordinatrice",
    "secretaire",
    "enseignant",
    "enseignante",
    "assistant",
    "assistante",
    "educateur",
    "educatrice",
    "tresorier",
    "tresoriere",
    "membre",
    "echevin",
    "bourgmestre",
    "conseiller",
    "conseillere",
    "gestionnaire",
    "animateur",
    "animatrice",
];
/// Words that name an institution or a part of one (service, commune, …), folded.
const ORGANISATION_WORDS: &[&str] = &[
    "maison",
    "departement",
    "direction",
    "division",
    "bureau",
    "cellule",
    "commission",
    "comite",
    "conseil",
    "mairie",
    "gemeng",
    "gemeinde",
    "stadt",
    "verein",
    "reseau",
    "universite",
    "foyer",
    "asbl",
    "a.s.b.l.",
    "service",
    "commune",
    "ville",
    "office",
    "agence",
    "croix-rouge",
    "croix",
    "caritas",
    "centre",
    "ministere",
    "association",
    "fondation",
    "syndicat",
    "syndikat",
    "administration",
    "ecole",
    "lycee",
    "federation",
    "institut",
    "s.a.",
    "sarl",
];

fn is_role(line: &str) -> bool {
    let first = line.split_whitespace().next().map(fold).unwrap_or_default();
    ROLE_WORDS
        .iter()
        .any(|w| first.trim_end_matches([',', ':']) == *w)
}

fn is_organisation(line: &str) -> bool {
    let words: Vec<String> = line.split_whitespace().map(fold).collect();
    let acronym = line.split_whitespace().count() <= 2
        && line.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && line
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    acronym
        || words.iter().any(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '.');
            ORGANISATION_WORDS.contains(&w)
        })
}

#[derive(Default)]
struct ContactPart {
    contacts: Vec<Contact>,
    websites: Vec<String>,
    /// Lines that are not contact details, kept for `other_info`.
    prose: Block,
}

fn append(slot: &mut Option<String>, text: &str) {
    match slot {
        Some(s) => {
            s.push('\n');
            s.push_str(text);
        }
        None => *slot = Some(text.to_string()),
    }
}

/// Files a line printed under a contact's name: role, organisation or address.
fn attach(contact: &mut Contact, line: &str) {
    if is_address(line) || contact.address.is_some() {
        append(&mut contact.address, line);
    } else if contact.name.is_none() {
        append(&mut contact.organisation, line);
    } else if is_role(line) && contact.role.is_none() {
        contact.role = Some(line.to_string());
    } else if is_organisation(line) && contact.organisation.is_none() {
        contact.organisation = Some(line.to_string());
    } else if contact.role.is_none() {
        contact.role = Some(line.to_string());
    } else if contact.organisation.is_none() {
        contact.organisation = Some(line.to_string());
    } else {
        append(&mut contact.address, line);
    }
}

/// The empty field of a person's contact that a line printed after their details fills: a
/// short line, not a sentence, naming a job title or an institution.
fn trailing_slot<'a>(contact: &'a mut Contact, line: &str) -> Option<&'a mut Option<String>> {
    if line.chars().count() > 100
        || line.ends_with(['.', '!', '?', ':'])
        || !urls_in(line).is_empty()
    {
        return None;
    }
    if is_role(line) {
        return contact.role.is_none().then_some(&mut contact.role);
    }
    if is_organisation(line) {
        return contact
            .organisation
            .is_none()
            .then_some(&mut contact.organisation);
    }
    None
}

enum Ahead {
    Person,
    Details,
    Nothing,
}

/// What follows a loose line: a person (the line labels them), contact details (the line names
/// an organisation to contact) or neither (the line is prose).
fn look_ahead(lines: &[(u32, &str)]) -> Ahead {
    for (_, t) in lines.iter().take(4) {
        if t.starts_with("- ") || t.starts_with("• ") {
            return Ahead::Nothing;
        }
        if person_line(t).is_some() {
            return Ahead::Person;
        }
        match contact_line(t) {
            ContactLine::Phone(_) | ContactLine::Email(_) => return Ahead::Details,
            ContactLine::Url => return Ahead::Nothing,
            ContactLine::Other => {}
        }
    }
    Ahead::Nothing
}

fn parse_contacts(block: &Block) -> ContactPart {
    let mut part = ContactPart::default();
    let lines: Vec<(u32, &str)> = block.texts().collect();
    // Which line numbers are prose, to rebuild their paragraphs from the block's layout.
    let mut prose_lines: Vec<u32> = Vec::new();
    let mut current: Option<usize> = None;
    let mut has_details = false;
    let mut label: Option<String> = None;
    for (i, &(no, line)) in lines.iter().enumerate() {
        match contact_line(line) {
            ContactLine::Phone(phones) => {
                let idx = *current.get_or_insert_with(|| {
                    part.contacts.push(Contact::default());
                    part.contacts.len() - 1
                });
                part.contacts[idx].phones.extend(phones);
                has_details = true;
                continue;
            }
            ContactLine::Email(emails) => {
                let idx = *current.get_or_insert_with(|| {
                    part.contacts.push(Contact::default());
                    part.contacts.len() - 1
                });
                part.contacts[idx].emails.extend(emails);
                has_details = true;
                continue;
            }
            ContactLine::Url => {
                for url in urls_in(line) {
                    push_unique(&mut part.websites, url);
                }
                continue;
            }
            ContactLine::Other => {}
        }
        let listed = line.starts_with("- ") || line.starts_with("• ");
        if !listed && let Some((name, rest)) = person_line(line) {
            // "Agence X" then "Jean Dupont" then "Tél": one contact, the person at the agency.
            let open_organisation = current
                .filter(|&i| !has_details && part.contacts[i].name.is_none())
                .map(|i| part.contacts.remove(i));
            let mut contact = Contact {
                name: Some(name),
                ..Contact::default()
            };
            if let Some(org) = open_organisation {
                contact.organisation = org.organisation;
                contact.address = org.address;
            }
            if let Some(l) = label.take() {
                attach(&mut contact, &l);
            }
            if let Some(rest) = rest {
                if is_role(&rest) || !is_organisation(&rest) {
                    if contact.role.is_none() {
                        contact.role = Some(rest);
                    } else {
                        contact.organisation = Some(rest);
                    }
                } else {
                    contact.organisation = Some(rest);
                }
            }
            part.contacts.push(contact);
            current = Some(part.contacts.len() - 1);
            has_details = false;
            continue;
        }
        if !listed && let Some(idx) = current.filter(|_| !has_details) {
            attach(&mut part.contacts[idx], line);
            continue;
        }
        match if listed {
            Ahead::Nothing
        } else {
            look_ahead(&lines[i + 1..])
        } {
            Ahead::Person => label = Some(line.to_string()),
            Ahead::Details => {
                part.contacts.push(Contact {
                    organisation: Some(line.to_string()),
                    ..Contact::default()
                });
                current = Some(part.contacts.len() - 1);
                has_details = false;
            }
            Ahead::Nothing => {
                // A contact is a person with the lines that follow, up to the next person: a
                // job title or a service printed after the details is still theirs.
                if !listed
                    && let Some(contact) = current.map(|i| &mut part.contacts[i])
                    && contact.name.is_some()
                    && let Some(slot) = trailing_slot(contact, line)
                {
                    *slot = Some(line.to_string());
                    continue;
                }
                for url in urls_in(line) {
                    push_unique(&mut part.websites, url);
                }
                prose_lines.push(no);
            }
        }
    }
    if let Some(l) = label {
        // A label with no person after it is prose after all.
        if let Some(&(no, _)) = lines.iter().find(|(_, t)| *t == l) {
            prose_lines.push(no);
        }
    }
    part.prose = Block {
        items: block
            .items
            .iter()
            .filter(|item| match item {
                Item::Text(no, _) => prose_lines.contains(no),
                _ => true,
            })
            .cloned()
            .collect(),
    };
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_removes_markup_only() {
        assert_eq!(clean("## 2<sup>èmes</sup> Assises"), "2èmes Assises");
        assert_eq!(
            clean("**Commune/Institution Ville de Differdange**"),
            "Commune/Institution Ville de Differdange"
        );
        assert_eq!(clean("E-mail: [a@b.lu](mailto:a@b.lu)"), "E-mail: a@b.lu");
        assert_eq!(
            clean("Strassen est la 1^{ère} commune"),
            "Strassen est la 1ère commune"
        );
        assert_eq!(clean("  Local \u{a0} \"WOK\"  "), "Local \"WOK\"");
    }

    #[test]
    fn page_headers_in_their_spellings() {
        for h in [
            "2^{èmes} Assises nationales de l'intégration au niveau local",
            "2^{ièmes} Assises nationales de l'intégration au niveau local",
            "## 2<sup>èmes</sup> Assises nationales de l'intégration au niveau local",
        ] {
            assert_eq!(classify(h)[0].kind, Kind::PageHeader, "{h}");
        }
    }

    #[test]
    fn headings_with_inline_values() {
        let h = heading("Coûts éventuels gratuit", Section::Place).unwrap();
        assert_eq!(
            (h.section, h.value.as_deref()),
            (Section::Costs, Some("gratuit"))
        );
        let h = heading(
            "Public cible du projet | Les nouveaux arrivants",
            Section::Results,
        )
        .unwrap();
        assert_eq!(h.value.as_deref(), Some("Les nouveaux arrivants"));
        let h = heading("Missions et Objectifs: Service d'aide", Section::Organisers).unwrap();
        assert_eq!(
            (h.section, h.value.as_deref()),
            (Section::Objectives, Some("Service d'aide"))
        );
        let h = heading("Institution Agence du Bénévolat", Section::Title).unwrap();
        assert_eq!(h.value.as_deref(), Some("Agence du Bénévolat"));
        assert!(
            heading(
                "Autres informations utiles (site web, documents édités,...)",
                Section::Contacts
            )
            .unwrap()
            .value
            .is_none()
        );
        // Ordinary sentences are not headings.
        assert!(heading("Commune de Strassen", Section::Place).is_none());
        assert!(heading("Commune de Strassen", Section::Title).is_none());
        assert!(heading("Contact régulier avec les familles", Section::Description).is_none());
    }

    #[test]
    fn people_and_organisations() {
        assert!(person_line("Frederic MERTZ").is_some());
        assert!(person_line("Esther Cornero / Madeleine Kayser - Service Intégration").is_some());
        assert_eq!(
            person_line("Paul Estgen- secrétaire"),
            Some(("Paul Estgen".into(), Some("secrétaire".into())))
        );
        for not in [
            "LE GOUVERNEMENT",
            "Agence du Bénévolat",
            "Croix-Rouge – LISKO",
            "facebook",
            "CEFIS",
        ] {
            assert!(person_line(not).is_none(), "{not}");
        }
        assert!(is_organisation("CEFIS"));
        assert!(is_organisation("Bach asbl"));
        assert!(is_role("Directeur de l'Agence Immobilière Sociale - AIS"));
    }

    #[test]
    fn phones_split_on_slash_and_ou() {
        let ContactLine::Phone(p) = contact_line("Tél : 26 36 02 77 ou 661 36 02 88") else {
            panic!()
        };
        assert_eq!(p, ["26 36 02 77", "661 36 02 88"]);
        let ContactLine::Phone(p) = contact_line("Tél : 2755 - 5602") else {
            panic!()
        };
        assert_eq!(p, ["2755 - 5602"]);
        let ContactLine::Email(e) = contact_line("E - mail : luiza.sosna@strassen.lu") else {
            panic!()
        };
        assert_eq!(e, ["luiza.sosna@strassen.lu"]);
    }
}

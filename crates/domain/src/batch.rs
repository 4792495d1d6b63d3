//! What an importer hands to the store: the records of one file, and what it noticed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::practice::PracticeRecord;
use crate::spiral::{Criterion, HomogeneousGroup, Platform};

/// The source formats zesummen reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The Assises booklet (text extracted from PDF) or a fiche in markdown.
    Assises,
    /// The Good Practices SUD table.
    Sud,
    /// The wikispiral criteria export.
    SpiralCriteria,
    /// zesummen's own CSV (practices or criteria).
    Csv,
    /// zesummen's own JSON export.
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Assises => "assises",
            Format::Sud => "sud",
            Format::SpiralCriteria => "spiral-criteria",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "assises" => Some(Format::Assises),
            "sud" => Some(Format::Sud),
            "spiral-criteria" => Some(Format::SpiralCriteria),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something an importer noticed but did not refuse: a line it skipped, a code it did not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub line: u32,
    pub message: String,
}

impl Diagnostic {
    pub fn new(line: u32, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

/// Everything read from one file. The store writes a batch in one transaction, or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The document name recorded in sources (the file name, without directories).
    pub document: String,
    pub format: Format,
    pub practices: Vec<PracticeRecord>,
    pub platforms: Vec<Platform>,
    pub groups: Vec<HomogeneousGroup>,
    pub criteria: Vec<Criterion>,
    /// The line of each criterion in its file, in the order of `criteria`; empty when the
    /// format does not tell (JSON). Warnings about a criterion name it.
    pub criterion_lines: Vec<u32>,
    pub warnings: Vec<Diagnostic>,
}

impl Batch {
    pub fn new(document: impl Into<String>, format: Format) -> Self {
        Self {
            document: document.into(),
            format,
            practices: Vec::new(),
            platforms: Vec::new(),
            groups: Vec::new(),
            criteria: Vec::new(),
            criterion_lines: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.practices.is_empty()
            && self.platforms.is_empty()
            && self.groups.is_empty()
            && self.criteria.is_empty()
    }
}

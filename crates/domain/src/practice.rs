//! A good practice (fiche de bonne pratique), as communes document and share them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::text::{identity_key, slugify};

/// The longest slug we generate; titles of fiches can be whole sentences.
pub const SLUG_MAX: usize = 80;

/// Publication status of a practice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Submitted,
    #[default]
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "draft" => Some(Status::Draft),
            "submitted" => Some(Status::Submitted),
            "published" => Some(Status::Published),
            "archived" => Some(Status::Archived),
            _ => None,
        }
    }
}

/// The language a practice is written in, as its author declares it.
/// No detector exists for Luxembourgish, so this is never guessed from the text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    De,
    En,
    Lb,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::De => "de",
            Language::En => "en",
            Language::Lb => "lb",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "français" | "francais" | "french" => Some(Language::Fr),
            "de" | "deutsch" | "allemand" | "german" => Some(Language::De),
            "en" | "english" | "anglais" => Some(Language::En),
            "lb" | "lu" | "lëtzebuergesch" | "letzebuergesch" | "luxembourgeois"
            | "luxembourgish" => Some(Language::Lb),
            _ => None,
        }
    }
}

/// A contact person or organisation printed on a fiche. Contacts are personal data.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contact {
    pub name: Option<String>,
    pub role: Option<String>,
    pub organisation: Option<String>,
    /// Postal address lines, when the fiche prints one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
}

/// Where a practice was read from: a document and the range of lines (1-based, inclusive).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    pub document: String,
    pub first_line: u32,
    pub last_line: u32,
    /// The source cut some of this record's text (e.g. a table cell broken at a line end).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// The content of a fiche, section by section, in the template's order.
///
/// A section absent from the source is `None`; present but empty is `Some("")`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PracticeFields {
    pub title: String,
    pub subtitle: Option<String>,
    pub institution: Option<String>,
    pub organisers: Option<String>,
    #[serde(default)]
    pub communes: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub objectives: Option<String>,
    pub description: Option<String>,
    pub results: Option<String>,
    pub target_public: Option<String>,
    pub place_periodicity: Option<String>,
    pub costs: Option<String>,
    pub other_info: Option<String>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub websites: Vec<String>,
    #[serde(default)]
    pub spiral_components: Vec<String>,
}

impl PracticeFields {
    /// The key that says "same practice", across documents: folded title, plus the institution
    /// (or, for sources that print none, the communes). The WOK fiche of the booklet and its
    /// markdown copy share it.
    pub fn identity_key(&self) -> String {
        let owner = match &self.institution {
            Some(i) if !i.trim().is_empty() => identity_key(i),
            _ => identity_key(&self.communes.join(" ")),
        };
        format!("{}|{}", identity_key(&self.title), owner)
    }

    pub fn slug(&self) -> String {
        slugify(&self.title, SLUG_MAX)
    }
}

/// A stored practice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    pub id: i64,
    pub slug: String,
    #[serde(flatten)]
    pub fields: PracticeFields,
    pub sources: Vec<Source>,
    pub status: Status,
    pub language: Language,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A practice as an importer hands it over: identity and timestamps are known only when the
/// input is the project's own export (JSON or CSV with ids); otherwise the store assigns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeRecord {
    pub id: Option<i64>,
    #[serde(flatten)]
    pub fields: PracticeFields,
    pub sources: Vec<Source>,
    pub status: Status,
    pub language: Language,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl PracticeRecord {
    /// A new record read from a source document, published and in French unless said otherwise.
    pub fn from_source(fields: PracticeFields, source: Source) -> Self {
        Self {
            id: None,
            fields,
            sources: vec![source],
            status: Status::Published,
            language: Language::Fr,
            created_at: None,
            updated_at: None,
        }
    }
}

impl From<Practice> for PracticeRecord {
    fn from(p: Practice) -> Self {
        Self {
            id: Some(p.id),
            fields: p.fields,
            sources: p.sources,
            status: p.status,
            language: p.language,
            created_at: Some(p.created_at),
            updated_at: Some(p.updated_at),
        }
    }
}

/// A digest of everything a user could see change in a practice except its sources and
/// timestamps. Two imports with the same digest are the same content.
pub fn content_hash(fields: &PracticeFields, status: Status, language: Language) -> String {
    let mut hasher = Sha256::new();
    let json = serde_json::to_vec(&(fields, status, language)).expect("fields serialise");
    hasher.update(&json);
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write;
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, institution: Option<&str>, communes: &[&str]) -> PracticeFields {
        PracticeFields {
            title: title.into(),
            institution: institution.map(Into::into),
            communes: communes.iter().map(|c| (*c).to_string()).collect(),
            ..PracticeFields::default()
        }
    }

    #[test]
    fn identity_uses_institution_else_communes() {
        let a = fields(
            "« WOK – fir Inklusioun »",
            Some("Ville de Differdange"),
            &[],
        );
        let b = fields(
            "\"WOK - fir Inklusioun\"",
            Some("ville de differdange"),
            &["X"],
        );
        assert_eq!(a.identity_key(), b.identity_key());
        let c = fields("Tandem de langues", None, &["Dudelange"]);
        let d = fields("Tandem de langues", None, &["Sanem"]);
        assert_ne!(c.identity_key(), d.identity_key());
    }

    #[test]
    fn absent_and_empty_sections_differ_in_json() {
        let mut f = fields("T", None, &[]);
        f.costs = Some(String::new());
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["costs"], "");
        assert!(v["results"].is_null());
        assert_ne!(
            content_hash(&f, Status::Published, Language::Fr),
            content_hash(&fields("T", None, &[]), Status::Published, Language::Fr)
        );
    }
}

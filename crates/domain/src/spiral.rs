//! The Council of Europe SPIRAL method: platforms (territories), homogeneous groups, criteria
//! (post-its) and the codebook that classifies them.
//!
//! The codebook, meaning codes, questions and scale are *reference data*, loaded from files
//! and versioned; nothing here hard-codes their labels.

use std::fmt;
use std::sync::LazyLock;

use chrono::NaiveDateTime;
use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A SPIRAL platform (plate-forme): one territory or institution and its coordination group.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub id: Option<i64>,
    pub name: String,
    pub country: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    pub description: Option<String>,
    /// Members of the coordination group, as free text.
    pub coordination: Option<String>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub created_at: Option<NaiveDateTime>,
}

/// A homogeneous group (groupe homogène) of citizens who write post-its together.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomogeneousGroup {
    pub id: Option<i64>,
    pub name: String,
    /// The platform's name.
    pub platform: String,
    /// ISO 639-1 code ("fr") where known.
    pub language: Option<String>,
    /// Who the members are, e.g. "single parents".
    pub profile: Option<String>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub created_at: Option<NaiveDateTime>,
}

/// A criterion (critère): one post-it answering one question, with its classification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: Option<i64>,
    pub platform: String,
    pub group: String,
    /// A question code from the reference data: WB, IB, ACT.
    pub question: String,
    pub text: String,
    /// How many individual expressions were merged into this criterion.
    pub expressions: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "A01"))]
    pub component: Option<ComponentCode>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "P"))]
    pub meaning: Option<MeaningCode>,
    pub proposition: Option<String>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub created_at: Option<NaiveDateTime>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub updated_at: Option<NaiveDateTime>,
}

static COMPONENT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Z])(\d{2})(?:[-/][0-9A-Za-z/\-]*)?$").expect("regex"));
static MEANING_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[A-Z]|[A-Z]\d{2})$").expect("regex"));

/// A component code: a dimension letter and two digits (`A01`, `D00`), possibly extended with
/// object, meaning and beneficiary (`A01-11/P15/k`). Fine codes aggregate by their first three
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentCode(String);

impl ComponentCode {
    /// Accepts any well-formed code; whether the active codebook knows it is a separate question.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        if COMPONENT_RE.is_match(s) {
            Ok(Self(s.to_string()))
        } else {
            Err(CodeError::Component(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The component the code aggregates to: `A01-11/P15/k` → `A01`.
    pub fn component(&self) -> &str {
        &self.0[..3]
    }

    /// The dimension letter: `A01` → `A`.
    pub fn dimension(&self) -> &str {
        &self.0[..1]
    }

    pub fn is_fine(&self) -> bool {
        self.0.len() > 3
    }
}

impl fmt::Display for ComponentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A meaning code (sens): P, O, Q, S, R, or a letter with two digits (`O21`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeaningCode(String);

impl MeaningCode {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        if MEANING_RE.is_match(s) {
            Ok(Self(s.to_string()))
        } else {
            Err(CodeError::Meaning(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MeaningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "`{0}` is not a component code: expected a dimension letter and two digits (A01), \
         optionally extended (A01-11/P15/k)"
    )]
    Component(String),
    #[error(
        "`{0}` is not a meaning code: expected one letter (P, O, Q, S, R) or a letter and two digits (O21)"
    )]
    Meaning(String),
}

macro_rules! string_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
string_serde!(ComponentCode);
string_serde!(MeaningCode);

/// How far a codebook row can be trusted (see `data/spiral/README.md`).
/// Kept as text: a future codebook may bring new statuses.
pub type CodeStatus = String;

/// One row of the codebook: a dimension (`A`) or a component (`A01`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodebookEntry {
    pub code: String,
    /// `dimension` or `component`.
    pub level: String,
    pub dimension: String,
    /// `None` when no label is known: never invented.
    pub label_en: Option<String>,
    pub label_fr: Option<String>,
    pub description_en: Option<String>,
    pub status: CodeStatus,
    pub source: Option<String>,
}

/// One version of the codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    pub version: String,
    pub entries: Vec<CodebookEntry>,
}

impl Codebook {
    pub fn get(&self, code: &str) -> Option<&CodebookEntry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// Whether the codebook knows the component a code aggregates to.
    pub fn knows(&self, code: &ComponentCode) -> bool {
        self.get(code.component()).is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeaningEntry {
    pub code: String,
    pub label_en: Option<String>,
    pub label_fr: Option<String>,
    pub step: Option<u32>,
    pub status: String,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionEntry {
    pub code: String,
    pub wording_fr: String,
    pub wording_en: String,
    pub kind: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleLevel {
    pub level: u32,
    pub label_fr: String,
    pub label_en: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_codes_aggregate_by_first_three_characters() {
        let fine = ComponentCode::parse("A01-11/P15/k").unwrap();
        assert_eq!(fine.component(), "A01");
        assert_eq!(fine.dimension(), "A");
        assert!(fine.is_fine());
        assert!(!ComponentCode::parse("D00").unwrap().is_fine());
        for bad in ["", "A1", "a01", "A001", "01", "A01 x"] {
            assert!(ComponentCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn meaning_codes() {
        for ok in ["P", "O", "Q", "S", "R", "O21"] {
            assert!(MeaningCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "PO", "O2", "o21"] {
            assert!(MeaningCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_serialise_as_strings() {
        let c: ComponentCode = serde_json::from_str("\"I07\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"I07\"");
        assert!(serde_json::from_str::<ComponentCode>("\"nope\"").is_err());
    }
}

/// The SPIRAL reference data known so far, as one set: codebook, meaning codes, questions, scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub codebook: Codebook,
    pub meanings: Vec<MeaningEntry>,
    pub questions: Vec<QuestionEntry>,
    pub scale: Vec<ScaleLevel>,
}

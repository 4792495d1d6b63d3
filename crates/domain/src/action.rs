//! Co-responsibility pilot actions (actions pilotes de coresponsabilité) and progress indicators
//! (indicateurs de progrès), the last phases of the SPIRAL method.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::spiral::{ComponentCode, Criterion};

/// Where a pilot action stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Idea,
    Decided,
    InProgress,
    Evaluated,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Idea,
        ActionStatus::Decided,
        ActionStatus::InProgress,
        ActionStatus::Evaluated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Idea => "idea",
            ActionStatus::Decided => "decided",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Evaluated => "evaluated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// A co-responsibility pilot action decided by a platform.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotAction {
    pub id: Option<i64>,
    /// The platform's name.
    pub platform: String,
    pub title: String,
    pub description: Option<String>,
    /// The actors committed (citizens, services, associations), as free text.
    pub actors: Option<String>,
    /// Ids of the criteria the action answers.
    #[serde(default)]
    pub criteria: Vec<i64>,
    /// The components it answers.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["D00"])))]
    pub components: Vec<ComponentCode>,
    pub status: ActionStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The co-evaluation, once done.
    pub evaluation: Option<String>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub created_at: Option<NaiveDateTime>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub updated_at: Option<NaiveDateTime>,
}

/// A progress indicator for one component of a platform: a description of each level of the
/// 5-level scale (`scale.tsv`), from "very unsatisfactory" to "good", built from the
/// propositions of the component's criteria.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: Option<i64>,
    /// The platform's name.
    pub platform: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "D00"))]
    pub component: ComponentCode,
    pub title: String,
    /// One description per scale level, level 1 first. Always as many as the scale has levels.
    pub levels: Vec<String>,
    #[serde(default, with = "crate::local_time")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime, example = "2018-10-31T13:22:00+01:00"))]
    pub created_at: Option<NaiveDateTime>,
}

/// A co-evaluation score of an indicator, at a date, by a group or the whole platform.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub id: Option<i64>,
    pub indicator_id: i64,
    /// The group that evaluated; `None` for the platform as a whole.
    pub group: Option<String>,
    pub date: NaiveDate,
    /// A level of the scale, 1 to the scale's length.
    pub level: u32,
    pub comment: Option<String>,
}

/// Why an indicator or an evaluation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error(
        "an indicator needs one description per scale level: expected {expected}, found {found}"
    )]
    Levels { expected: usize, found: usize },
    #[error("level {level} is not on the scale: expected 1 to {max}")]
    Level { level: u32, max: u32 },
    #[error("the title is empty")]
    EmptyTitle,
}

impl Indicator {
    /// Checks the indicator against the scale's length.
    pub fn validate(&self, scale_len: usize) -> Result<(), IndicatorError> {
        if self.title.trim().is_empty() {
            return Err(IndicatorError::EmptyTitle);
        }
        if self.levels.len() != scale_len {
            return Err(IndicatorError::Levels {
                expected: scale_len,
                found: self.levels.len(),
            });
        }
        Ok(())
    }

    /// A first draft of the level descriptions from a component's criteria. A proposition is the
    /// reformulation of a criterion as the situation to reach, so it describes the top level;
    /// without one, an ill-being post-it describes the bottom level and a well-being post-it the
    /// top one. Actions (ACT) describe no situation and only count through their proposition.
    /// The middle levels stay for the group to write: nothing here is final.
    pub fn draft_levels(criteria: &[Criterion], scale_len: usize) -> Vec<String> {
        let mut levels = vec![String::new(); scale_len];
        if scale_len == 0 {
            return levels;
        }
        let low = 0;
        let high = scale_len - 1;
        for c in criteria {
            let (text, slot) = match (c.proposition.as_deref(), c.question.as_str()) {
                (Some(p), _) if !p.trim().is_empty() => (p.trim(), high),
                (_, "IB") => (c.text.trim(), low),
                (_, "WB") => (c.text.trim(), high),
                _ => continue,
            };
            if text.is_empty() {
                continue;
            }
            let level = &mut levels[slot];
            if !level.is_empty() {
                level.push_str("; ");
            }
            level.push_str(text);
        }
        levels
    }
}

impl Evaluation {
    pub fn validate(&self, scale_len: usize) -> Result<(), IndicatorError> {
        if self.level == 0 || self.level as usize > scale_len {
            return Err(IndicatorError::Level {
                level: self.level,
                max: scale_len as u32,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips() {
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ActionStatus::parse("done"), None);
        assert_eq!(
            serde_json::to_string(&ActionStatus::InProgress).unwrap(),
            "\"in_progress\""
        );
    }

    #[test]
    fn draft_levels_put_ill_being_low_and_well_being_high() {
        let c = |q: &str, text: &str, prop: Option<&str>| Criterion {
            id: None,
            platform: "p".into(),
            group: "g".into(),
            question: q.into(),
            text: text.into(),
            expressions: None,
            component: None,
            meaning: None,
            proposition: prop.map(Into::into),
            created_at: None,
            updated_at: None,
        };
        let levels = Indicator::draft_levels(
            &[
                c("IB", "se sentir seul", Some("Personne ne se sent seul")),
                c("WB", "avoir des amis", None),
                c("IB", "l'isolement", None),
                c("ACT", "aller voir ses voisins", None),
            ],
            5,
        );
        assert_eq!(levels.len(), 5);
        assert_eq!(levels[0], "l'isolement");
        assert_eq!(levels[4], "Personne ne se sent seul; avoir des amis");
        assert!(levels[2].is_empty());
    }

    #[test]
    fn evaluation_level_must_be_on_the_scale() {
        let mut e = Evaluation {
            id: None,
            indicator_id: 1,
            group: None,
            date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            level: 5,
            comment: None,
        };
        assert!(e.validate(5).is_ok());
        e.level = 6;
        assert_eq!(
            e.validate(5),
            Err(IndicatorError::Level { level: 6, max: 5 })
        );
        e.level = 0;
        assert!(e.validate(5).is_err());
    }
}

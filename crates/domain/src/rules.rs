//! What a value must be before it is stored: the rules every writer applies alike (the store,
//! whatever its backend; forms and imports may check early with the same functions). Each
//! refusal says what was found and what was expected.
//!
//! The rules that need stored data take it as arguments (the question codes, the scale's
//! length, the platforms of listed criteria): the caller reads it, the rule decides.

use std::collections::{HashMap, HashSet};

use crate::PracticeFields;
use crate::{Criterion, Evaluation, HomogeneousGroup, Indicator, PilotAction, Platform};

/// A value refused by a rule: the message says what was found and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(String);

fn blank(what: &str) -> Invalid {
    Invalid(format!("the {what} is empty: expected some text"))
}

/// A practice needs a title.
pub fn practice(fields: &PracticeFields) -> Result<(), Invalid> {
    if fields.title.trim().is_empty() {
        return Err(Invalid(
            "the title is empty: expected the practice's title".to_string(),
        ));
    }
    Ok(())
}

/// An attachment needs a file name without a path, and a media type.
pub fn attachment(file_name: &str, media_type: &str) -> Result<(), Invalid> {
    if file_name.trim().is_empty() || file_name.contains(['/', '\\', '\0']) {
        return Err(Invalid(format!(
            "`{file_name}` is not a file name: expected a name without path, e.g. flyer.pdf"
        )));
    }
    if !media_type.contains('/') || media_type.chars().any(char::is_whitespace) {
        return Err(Invalid(format!(
            "`{media_type}` is not a media type: expected e.g. application/pdf"
        )));
    }
    Ok(())
}

/// A platform needs a name.
pub fn platform(platform: &Platform) -> Result<(), Invalid> {
    if platform.name.trim().is_empty() {
        return Err(blank("platform's name"));
    }
    Ok(())
}

/// A group needs a name.
pub fn group(group: &HomogeneousGroup) -> Result<(), Invalid> {
    if group.name.trim().is_empty() {
        return Err(blank("group's name"));
    }
    Ok(())
}

/// A criterion needs a question that the reference data knows (`questions`: their codes) and
/// some text.
pub fn criterion(criterion: &Criterion, questions: &[String]) -> Result<(), Invalid> {
    if !questions.contains(&criterion.question) {
        return Err(Invalid(format!(
            "`{}` is not a question code: expected one of {}",
            criterion.question,
            if questions.is_empty() {
                "the questions of the reference data, which is not loaded".to_string()
            } else {
                questions.join(", ")
            }
        )));
    }
    if criterion.text.trim().is_empty() {
        return Err(blank("criterion's text"));
    }
    Ok(())
}

/// A pilot action needs, apart from its references, a title, dates in order, and each
/// criterion and component once.
pub fn action(action: &PilotAction) -> Result<(), Invalid> {
    if action.title.trim().is_empty() {
        return Err(blank("pilot action's title"));
    }
    if let (Some(start), Some(end)) = (action.starts_on, action.ends_on)
        && start > end
    {
        return Err(Invalid(format!(
            "the pilot action ends on {end}, before it starts on {start}: expected an end on \
             or after the start"
        )));
    }
    let mut seen = HashSet::new();
    if let Some(id) = action.criteria.iter().find(|id| !seen.insert(**id)) {
        return Err(Invalid(format!(
            "criterion {id} is listed twice: expected each criterion once"
        )));
    }
    let mut seen = HashSet::new();
    if let Some(code) = action.components.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(Invalid(format!(
            "component `{code}` is listed twice: expected each component once"
        )));
    }
    Ok(())
}

/// Every criterion an action lists (`listed`) must be one of `platform`'s; `found` pairs each
/// criterion that exists with its platform's name.
pub fn action_criteria(
    listed: &[i64],
    platform: &str,
    found: &[(i64, String)],
) -> Result<(), Invalid> {
    let found: HashMap<i64, &str> = found.iter().map(|(id, p)| (*id, p.as_str())).collect();
    for id in listed {
        match found.get(id).copied() {
            Some(p) if p == platform => {}
            None => {
                return Err(Invalid(format!(
                    "criterion {id} does not exist: expected the id of a criterion of platform \
                     `{platform}`"
                )));
            }
            Some(other) => {
                return Err(Invalid(format!(
                    "criterion {id} is a criterion of platform `{other}`: expected one of \
                     platform `{platform}`"
                )));
            }
        }
    }
    Ok(())
}

fn scale(scale_len: usize) -> Result<(), Invalid> {
    if scale_len == 0 {
        return Err(Invalid(
            "the scale of progress indicators is empty: load the SPIRAL reference data first"
                .to_string(),
        ));
    }
    Ok(())
}

/// [`Indicator::validate`] against the stored scale's length, which must not be empty.
pub fn indicator(indicator: &Indicator, scale_len: usize) -> Result<(), Invalid> {
    scale(scale_len)?;
    indicator
        .validate(scale_len)
        .map_err(|e| Invalid(e.to_string()))
}

/// [`Evaluation::validate`] against the stored scale's length, which must not be empty.
pub fn evaluation(evaluation: &Evaluation, scale_len: usize) -> Result<(), Invalid> {
    scale(scale_len)?;
    evaluation
        .validate(scale_len)
        .map_err(|e| Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ActionStatus;

    #[test]
    fn actions_list_each_criterion_once_and_end_after_they_start() {
        let mut a = PilotAction {
            id: None,
            platform: "p".into(),
            title: "Jardin partagé".into(),
            description: None,
            actors: None,
            criteria: vec![1, 2],
            components: Vec::new(),
            status: ActionStatus::Idea,
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
            ends_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1),
            evaluation: None,
            created_at: None,
            updated_at: None,
        };
        assert!(action(&a).is_ok());
        a.criteria.push(1);
        let err = action(&a).unwrap_err().to_string();
        assert!(err.contains("criterion 1 is listed twice"), "{err}");
        a.criteria.pop();
        a.ends_on = chrono::NaiveDate::from_ymd_opt(2026, 2, 1);
        let err = action(&a).unwrap_err().to_string();
        assert!(err.contains("before it starts on 2026-03-01"), "{err}");
        a.ends_on = None;
        a.title = "  ".into();
        let err = action(&a).unwrap_err().to_string();
        assert!(err.contains("pilot action's title is empty"), "{err}");
    }

    #[test]
    fn an_action_lists_only_criteria_of_its_platform() {
        let found = vec![(1, "Blégny".to_string()), (2, "Mons".to_string())];
        assert!(action_criteria(&[1], "Blégny", &found).is_ok());
        let err = action_criteria(&[1, 2], "Blégny", &found)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("criterion 2 is a criterion of platform `Mons`"),
            "{err}"
        );
        let err = action_criteria(&[3], "Blégny", &found)
            .unwrap_err()
            .to_string();
        assert!(err.contains("criterion 3 does not exist"), "{err}");
    }

    #[test]
    fn attachments_need_a_plain_name_and_a_media_type() {
        assert!(attachment("flyer.pdf", "application/pdf").is_ok());
        assert!(attachment("../etc/passwd", "text/plain").is_err());
        assert!(attachment(" ", "text/plain").is_err());
        assert!(attachment("a.txt", "text plain").is_err());
        assert!(attachment("a.txt", "plain").is_err());
    }

    #[test]
    fn a_criterion_needs_a_known_question_and_text() {
        let questions = vec!["WB".to_string(), "IB".to_string()];
        let mut c = Criterion {
            id: None,
            platform: "p".into(),
            group: "g".into(),
            question: "WB".into(),
            text: "se sentir accueilli".into(),
            expressions: None,
            component: None,
            meaning: None,
            proposition: None,
            created_at: None,
            updated_at: None,
        };
        assert!(criterion(&c, &questions).is_ok());
        assert!(
            criterion(&c, &[])
                .unwrap_err()
                .to_string()
                .contains("not loaded")
        );
        c.question = "XX".into();
        let err = criterion(&c, &questions).unwrap_err().to_string();
        assert_eq!(err, "`XX` is not a question code: expected one of WB, IB");
        c.question = "WB".into();
        c.text = " ".into();
        assert!(criterion(&c, &questions).is_err());
    }
}

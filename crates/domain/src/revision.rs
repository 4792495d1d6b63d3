//! The history of a practice (révisions) and its editorial workflow: what changed between two
//! contents, which moves of status are allowed, and how a contact person is erased from a
//! content and from a recorded diff. Pure rules; the store records the revisions.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::practice::{Contact, PracticeFields, Status};

/// What a revision records as its action. A store writes one of these; readers should still
/// accept others (a newer node may write a new kind).
pub mod actions {
    pub const CREATE: &str = "create";
    pub const EDIT: &str = "edit";
    pub const SUBMIT: &str = "submit";
    pub const PUBLISH: &str = "publish";
    pub const REJECT: &str = "reject";
    pub const ARCHIVE: &str = "archive";
    pub const RESTORE: &str = "restore";
    pub const ERASE_CONTACT: &str = "erase_contact";
    pub const IMPORT: &str = "import";
    pub const ATTACH: &str = "attach";
    pub const DETACH: &str = "detach";
}

/// The comment of an `erase_contact` revision: it says that something was erased, never what.
pub const CONTACT_ERASED: &str = "a contact was erased";

/// One field that differs between two contents, with its whole value before and after.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name in the JSON shape of a practice: `title`, `contacts`, …
    pub field: String,
    /// As in the JSON shape: `null` for an absent section, a string for a text, a list for
    /// a list (`[]` when empty); any JSON value.
    pub before: Value,
    pub after: Value,
}

/// The fields that differ from `before` to `after`, in the template's order, each with its
/// whole value on both sides (a list changes as a whole: its order is meaningful).
pub fn diff(before: &PracticeFields, after: &PracticeFields) -> Vec<FieldChange> {
    let mut out = Vec::new();
    // Destructured so that a new field cannot be forgotten here.
    let PracticeFields {
        title,
        subtitle,
        institution,
        organisers,
        communes,
        themes,
        objectives,
        description,
        results,
        target_public,
        place_periodicity,
        costs,
        other_info,
        contacts,
        websites,
        spiral_components,
    } = before;
    macro_rules! compare {
        ($($name:ident),*) => {$(
            if *$name != after.$name {
                out.push(FieldChange {
                    field: stringify!($name).to_string(),
                    before: serde_json::to_value($name).expect("fields serialise"),
                    after: serde_json::to_value(&after.$name).expect("fields serialise"),
                });
            }
        )*};
    }
    compare!(
        title,
        subtitle,
        institution,
        organisers,
        communes,
        themes,
        objectives,
        description,
        results,
        target_public,
        place_periodicity,
        costs,
        other_info,
        contacts,
        websites,
        spiral_components
    );
    out
}

/// Whether `contact` is the person called exactly `name`.
fn is_named(contact: &Contact, name: &str) -> bool {
    contact.name.as_deref() == Some(name)
}

/// Removes every contact called exactly `name` from `fields`; returns whether one was there.
pub fn erase_contact(fields: &mut PracticeFields, name: &str) -> bool {
    let before = fields.contacts.len();
    fields.contacts.retain(|c| !is_named(c, name));
    fields.contacts.len() != before
}

/// Removes every contact called exactly `name` from the `contacts` changes of a recorded diff,
/// and drops a change that no longer changes anything. Returns whether anything was removed.
pub fn erase_contact_in_changes(changes: &mut Vec<FieldChange>, name: &str) -> bool {
    let mut erased = false;
    for change in changes.iter_mut().filter(|c| c.field == "contacts") {
        for side in [&mut change.before, &mut change.after] {
            if let Value::Array(list) = side {
                let n = list.len();
                list.retain(|c| c.get("name").and_then(Value::as_str) != Some(name));
                erased |= list.len() != n;
            }
        }
    }
    changes.retain(|c| c.before != c.after);
    erased
}

/// A move along the editorial workflow, named as the revision that records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transition {
    /// draft → submitted: the author asks for review.
    Submit,
    /// submitted → published: an editor accepts it.
    Publish,
    /// submitted or published → draft, with a comment for the author.
    Reject,
    /// draft, submitted or published → archived: out of sight, kept with its history.
    Archive,
}

impl Transition {
    pub const ALL: [Transition; 4] = [
        Transition::Submit,
        Transition::Publish,
        Transition::Reject,
        Transition::Archive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => actions::SUBMIT,
            Transition::Publish => actions::PUBLISH,
            Transition::Reject => actions::REJECT,
            Transition::Archive => actions::ARCHIVE,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The status a practice has after the move.
    pub fn target(self) -> Status {
        match self {
            Transition::Submit => Status::Submitted,
            Transition::Publish => Status::Published,
            Transition::Reject => Status::Draft,
            Transition::Archive => Status::Archived,
        }
    }

    /// The statuses the move starts from.
    pub fn sources(self) -> &'static [Status] {
        match self {
            Transition::Submit => &[Status::Draft],
            Transition::Publish => &[Status::Submitted],
            Transition::Reject => &[Status::Submitted, Status::Published],
            Transition::Archive => &[Status::Draft, Status::Submitted, Status::Published],
        }
    }

    /// Checks a requested move: `action` names it, `to` is where the caller expects the
    /// practice to end, `from` is where it is now. A reject needs a comment for the author.
    pub fn check(
        action: &str,
        from: Status,
        to: Status,
        comment: Option<&str>,
    ) -> Result<Self, TransitionError> {
        let t = Self::parse(action).ok_or_else(|| TransitionError::Unknown(action.to_string()))?;
        if t.target() != to {
            return Err(TransitionError::WrongTarget { transition: t, to });
        }
        if !t.sources().contains(&from) {
            return Err(TransitionError::NotFrom {
                transition: t,
                from,
            });
        }
        if t == Transition::Reject && comment.is_none_or(|c| c.trim().is_empty()) {
            return Err(TransitionError::CommentRequired);
        }
        Ok(t)
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a move is refused. [`TransitionError::NotFrom`] is a conflict with the practice's
/// current state; the others are bad requests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("`{0}` is not a transition: expected submit, publish, reject or archive")]
    Unknown(String),
    #[error("{transition} moves a practice to {}, not to {}", transition.target().as_str(), to.as_str())]
    WrongTarget { transition: Transition, to: Status },
    #[error(
        "cannot {transition} a practice that is {}: {transition} moves {} to {}",
        from.as_str(),
        statuses(transition.sources()),
        transition.target().as_str()
    )]
    NotFrom {
        transition: Transition,
        from: Status,
    },
    #[error("a reject needs a comment that tells the author what to change")]
    CommentRequired,
}

/// `draft`, `draft or submitted`, `draft, submitted or published`.
fn statuses(among: &[Status]) -> String {
    let names: Vec<&str> = among.iter().map(|s| s.as_str()).collect();
    match names.split_last() {
        None => String::new(),
        Some((final_one, [])) => (*final_one).to_string(),
        Some((final_one, others)) => format!("{} or {final_one}", others.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields() -> PracticeFields {
        PracticeFields {
            title: "Café des langues".into(),
            communes: vec!["Strassen".into()],
            description: Some("On se rencontre".into()),
            contacts: vec![
                Contact {
                    name: Some("Marie Muller".into()),
                    phones: vec!["691 123 456".into()],
                    emails: vec!["marie@strassen.lu".into()],
                    ..Contact::default()
                },
                Contact {
                    name: Some("Service social".into()),
                    ..Contact::default()
                },
            ],
            ..PracticeFields::default()
        }
    }

    #[test]
    fn diff_names_only_the_changed_fields_with_whole_values() {
        let a = fields();
        assert_eq!(diff(&a, &a), Vec::new());
        let mut b = a.clone();
        b.description = None;
        b.costs = Some(String::new());
        b.communes.push("Bertrange".into());
        let d = diff(&a, &b);
        assert_eq!(
            d,
            vec![
                FieldChange {
                    field: "communes".into(),
                    before: json!(["Strassen"]),
                    after: json!(["Strassen", "Bertrange"]),
                },
                FieldChange {
                    field: "description".into(),
                    before: json!("On se rencontre"),
                    after: json!(null),
                },
                FieldChange {
                    field: "costs".into(),
                    before: json!(null),
                    after: json!(""),
                },
            ]
        );
        // Reordering a list is a change.
        let mut c = a.clone();
        c.contacts.reverse();
        assert_eq!(
            diff(&a, &c)
                .iter()
                .map(|c| c.field.as_str())
                .collect::<Vec<_>>(),
            ["contacts"]
        );
    }

    #[test]
    fn erasing_a_contact_removes_it_from_fields_and_diffs() {
        let mut f = fields();
        assert!(
            !erase_contact(&mut f, "marie muller"),
            "the name matches exactly"
        );
        assert!(erase_contact(&mut f, "Marie Muller"));
        assert_eq!(f.contacts.len(), 1);
        assert!(!erase_contact(&mut f, "Marie Muller"));

        // Added in one revision: the change becomes empty and goes.
        let mut added = diff(
            &PracticeFields {
                contacts: vec![],
                ..fields()
            },
            &fields(),
        );
        added.extend(diff(
            &PracticeFields::default(),
            &PracticeFields {
                title: "T".into(),
                ..PracticeFields::default()
            },
        ));
        assert!(erase_contact_in_changes(&mut added, "Marie Muller"));
        assert_eq!(added.len(), 2, "{added:?}");
        assert_eq!(
            added[0].after,
            json!([{"name": "Service social", "role": null,
            "organisation": null, "phones": [], "emails": []}])
        );
        assert!(
            !serde_json::to_string(&added)
                .unwrap()
                .contains("691 123 456")
        );

        // Changed beside another contact: the change stays, without her.
        let mut other = fields();
        other.contacts[1].role = Some("Accueil".into());
        let mut changed = diff(&fields(), &other);
        assert!(erase_contact_in_changes(&mut changed, "Marie Muller"));
        assert_eq!(changed.len(), 1);
        assert!(!serde_json::to_string(&changed).unwrap().contains("Marie"));
        assert!(!erase_contact_in_changes(&mut changed, "Marie Muller"));
    }

    #[test]
    fn the_workflow_allows_only_its_moves() {
        use Status::{Archived, Draft, Published, Submitted};
        let ok = |action, from, to| Transition::check(action, from, to, Some("à revoir"));
        assert_eq!(ok("submit", Draft, Submitted), Ok(Transition::Submit));
        assert_eq!(ok("publish", Submitted, Published), Ok(Transition::Publish));
        assert_eq!(ok("reject", Submitted, Draft), Ok(Transition::Reject));
        assert_eq!(ok("reject", Published, Draft), Ok(Transition::Reject));
        for from in [Draft, Submitted, Published] {
            assert_eq!(ok("archive", from, Archived), Ok(Transition::Archive));
        }

        let refused = Transition::check("publish", Draft, Published, None).unwrap_err();
        assert!(matches!(refused, TransitionError::NotFrom { .. }));
        assert_eq!(
            refused.to_string(),
            "cannot publish a practice that is draft: publish moves submitted to published"
        );
        assert_eq!(
            ok("archive", Archived, Archived).unwrap_err().to_string(),
            "cannot archive a practice that is archived: archive moves draft, submitted or \
             published to archived"
        );
        assert!(matches!(
            ok("submit", Submitted, Submitted),
            Err(TransitionError::NotFrom { .. })
        ));
        assert!(matches!(
            ok("reject", Draft, Draft),
            Err(TransitionError::NotFrom { .. })
        ));
        assert_eq!(
            ok("publish", Submitted, Draft).unwrap_err().to_string(),
            "publish moves a practice to published, not to draft"
        );
        assert!(matches!(
            ok("unpublish", Published, Draft),
            Err(TransitionError::Unknown(_))
        ));
        assert_eq!(
            Transition::check("reject", Submitted, Draft, Some("  ")),
            Err(TransitionError::CommentRequired)
        );
        assert_eq!(
            Transition::check("reject", Submitted, Draft, None),
            Err(TransitionError::CommentRequired)
        );
    }
}

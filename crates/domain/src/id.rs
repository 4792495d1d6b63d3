//! Ids of stored things, one type each, so that a practice's id is never passed where a
//! criterion's is expected. An id parses once, at the edge (a path, a form, a file), with an
//! error that names what was expected; serialised, it is the bare number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A text that is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not the id of {what}: expected a whole number, e.g. 42")]
pub struct IdError {
    /// What the id was to name, e.g. "a practice".
    pub what: &'static str,
    pub found: String,
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident: $what:literal;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                s.trim().parse().map(Self).map_err(|_| IdError {
                    what: $what,
                    found: s.to_string(),
                })
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids! {
    /// A practice (fiche de bonne pratique).
    PracticeId: "a practice";
    /// A SPIRAL platform (plateforme).
    PlatformId: "a platform";
    /// A homogeneous group (groupe homogène).
    GroupId: "a homogeneous group";
    /// A criterion (critère), as wikispiral numbered it or the store gave it.
    CriterionId: "a criterion";
    /// A pilot action (action pilote).
    ActionId: "a pilot action";
    /// A progress indicator (indicateur de progrès).
    IndicatorId: "a progress indicator";
    /// A file kept with a practice.
    AttachmentId: "an attachment";
    /// A user account.
    AccountId: "an account";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_print_and_serialise_as_numbers() {
        let id: PracticeId = " 7 ".parse().unwrap();
        assert_eq!(id, PracticeId::new(7));
        assert_eq!(id.to_string(), "7");
        assert_eq!(i64::from(id), 7);
        assert_eq!(serde_json::to_string(&id).unwrap(), "7");
        assert_eq!(
            serde_json::from_str::<CriterionId>("295019").unwrap().get(),
            295_019
        );
        let err = "A01".parse::<CriterionId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`A01` is not the id of a criterion: expected a whole number, e.g. 42"
        );
        assert!("".parse::<GroupId>().is_err());
        assert!("1.5".parse::<PlatformId>().is_err());
    }
}

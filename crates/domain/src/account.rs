//! Accounts, roles and the permission rules. Hashing and sessions live outside the domain;
//! what each role may do is decided here, once, for every page, API route and CLI command.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::practice::PracticeFields;
use crate::text::fold;

/// What an account may do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including accounts and roles.
    Admin,
    /// Reviews and publishes any practice.
    Editor,
    /// Writes practices of the communes or institutions the account is bound to.
    Contributor,
    /// Manages groups, criteria, actions and indicators of the platforms the account is bound to.
    Facilitator,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Editor,
        Role::Contributor,
        Role::Facilitator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Contributor => "contributor",
            Role::Facilitator => "facilitator",
        }
    }

    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(AccountError::Role(s))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An e-mail address, trimmed and lower-cased: the account's login.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim().to_lowercase();
        let bad = || AccountError::Email(s.clone());
        if s.len() > Self::MAX_LEN || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = AccountError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed, checked for length before it is hashed. Never stored, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(s: &str) -> Result<Self, AccountError> {
        let s = s.trim_end_matches(['\r', '\n']);
        if s.chars().count() < Self::MIN_CHARS || s.len() > Self::MAX_BYTES {
            return Err(AccountError::Password);
        }
        Ok(Self(s.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("`{0}` is not a role: expected admin, editor, contributor or facilitator")]
    Role(String),
    #[error("`{0}` is not an e-mail address: expected name@domain.tld")]
    Email(String),
    #[error("a password needs at least {min} characters and at most {max} bytes", min = Password::MIN_CHARS, max = Password::MAX_BYTES)]
    Password,
}

/// An account as the application sees it (the password hash stays in the store).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub email: Email,
    pub role: Role,
    /// Communes a contributor writes for.
    #[serde(default)]
    pub communes: Vec<String>,
    /// Institutions a contributor writes for.
    #[serde(default)]
    pub institutions: Vec<String>,
    /// Platforms (by name) a facilitator manages.
    #[serde(default)]
    pub platforms: Vec<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// The permission rules. Every check takes the account, never `Option`: anonymous visitors are
/// refused before these are asked.
impl Account {
    pub fn is_active(&self) -> bool {
        !self.disabled
    }

    /// Publish, reject, archive, restore a revision: editors and admins.
    pub fn may_review(&self) -> bool {
        self.is_active() && matches!(self.role, Role::Admin | Role::Editor)
    }

    /// Erase a contact person from a practice and its history.
    pub fn may_erase_personal_data(&self) -> bool {
        self.may_review()
    }

    pub fn may_manage_accounts(&self) -> bool {
        self.is_active() && self.role == Role::Admin
    }

    /// Create a draft: contributors, editors and admins.
    pub fn may_contribute(&self) -> bool {
        self.is_active() && matches!(self.role, Role::Admin | Role::Editor | Role::Contributor)
    }

    /// Edit (and submit) a practice. A contributor only edits practices of a commune or
    /// institution they are bound to; names compare folded ("Strassen" = "strassen").
    pub fn may_edit_practice(&self, fields: &PracticeFields) -> bool {
        if !self.is_active() {
            return false;
        }
        match self.role {
            Role::Admin | Role::Editor => true,
            Role::Facilitator => false,
            Role::Contributor => {
                let commune = fields
                    .communes
                    .iter()
                    .any(|c| self.communes.iter().any(|mine| fold(mine) == fold(c)));
                let institution = fields
                    .institution
                    .as_deref()
                    .is_some_and(|i| self.institutions.iter().any(|mine| fold(mine) == fold(i)));
                commune || institution
            }
        }
    }

    /// Write groups, criteria, actions and indicators of a platform.
    pub fn may_write_platform(&self, platform: &str) -> bool {
        if !self.is_active() {
            return false;
        }
        match self.role {
            Role::Admin => true,
            Role::Facilitator => self.platforms.iter().any(|p| fold(p) == fold(platform)),
            Role::Editor | Role::Contributor => false,
        }
    }

    /// Create a new platform: admins only (a facilitator is bound to platforms that exist).
    pub fn may_create_platform(&self) -> bool {
        self.is_active() && self.role == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role) -> Account {
        Account {
            id: 1,
            email: Email::parse("a@b.lu").unwrap(),
            role,
            communes: vec!["Strassen".into()],
            institutions: vec![],
            platforms: vec!["Blégny".into()],
            disabled: false,
            created_at: DateTime::default(),
        }
    }

    fn practice(commune: &str) -> PracticeFields {
        PracticeFields {
            title: "t".into(),
            communes: vec![commune.into()],
            ..PracticeFields::default()
        }
    }

    #[test]
    fn emails_and_roles_parse() {
        assert_eq!(
            Email::parse(" Ana@Commune.LU ").unwrap().as_str(),
            "ana@commune.lu"
        );
        for bad in [
            "", "ana", "ana@", "@x.lu", "a@b", "a b@c.lu", "a@@c.lu", "a@.lu",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Role::parse("Editor").unwrap(), Role::Editor);
        assert!(Role::parse("root").is_err());
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough pass\n").is_ok());
    }

    #[test]
    fn contributors_edit_their_communes_only() {
        let c = account(Role::Contributor);
        assert!(c.may_edit_practice(&practice("strassen")));
        assert!(!c.may_edit_practice(&practice("Differdange")));
        assert!(!c.may_review());
        assert!(account(Role::Editor).may_edit_practice(&practice("Differdange")));
        assert!(!account(Role::Facilitator).may_edit_practice(&practice("Strassen")));
        let mut off = account(Role::Admin);
        off.disabled = true;
        assert!(!off.may_review());
    }

    #[test]
    fn facilitators_write_their_platforms_only() {
        let f = account(Role::Facilitator);
        assert!(f.may_write_platform("Blegny"));
        assert!(!f.may_write_platform("Mons"));
        assert!(!f.may_create_platform());
        assert!(!account(Role::Editor).may_write_platform("Blégny"));
        assert!(account(Role::Admin).may_write_platform("Mons"));
    }
}

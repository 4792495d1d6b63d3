//! The longest value each field accepts, in characters, and the control characters no field
//! keeps. One place for the web forms, the JSON API and the importers: whatever an import
//! stores can be saved again from the web, and no file can store what a person could not type.

use std::fmt;

use crate::practice::{Contact, PracticeFields};
use crate::spiral::{Criterion, HomogeneousGroup, Platform};

/// A practice's title.
pub const TITLE: usize = 300;
/// Short texts: subtitle, institution, one item of a list, a contact's name, role, organisation.
pub const SHORT: usize = 500;
/// Prose sections of a practice: objectives, description, results, …
pub const TEXT: usize = 20_000;
/// A contact's postal address.
pub const ADDRESS: usize = 2_000;
/// Most items in a list (communes, themes, websites, contacts, components, phones, e-mails).
pub const ITEMS: usize = 50;
/// SPIRAL names: a platform's, a group's.
pub const NAME: usize = 200;
/// A criterion's post-it text, or its proposition.
pub const CRITERION_TEXT: usize = 2_000;
/// Long SPIRAL texts: a platform's description or coordination, a group's profile.
pub const LONG_TEXT: usize = 10_000;

/// The longest line any field could hold: a line longer than this cannot be stored whole,
/// whatever section it belongs to, so importers refuse it before building anything from it.
pub const LINE: usize = TEXT;

/// A field over its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The field, as the JSON shapes name it (`description`, `contacts[0].role`, `websites`).
    pub field: String,
    /// Characters found, or items for a list.
    pub found: usize,
    pub max: usize,
    /// Whether `found` counts items of a list rather than characters.
    pub items: bool,
    /// The first characters of the value (of its first item, for a list), to find it again.
    pub start: String,
}

/// How much of a value [`Breach::start`] keeps.
const START: usize = 40;

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.items { "items" } else { "characters" };
        write!(
            f,
            "field `{}` has {} {unit}: expected at most {}",
            self.field, self.found, self.max
        )
    }
}

impl std::error::Error for Breach {}

fn text(field: &str, value: &str, max: usize) -> Result<(), Breach> {
    // Counting characters is only needed when the bytes could exceed the limit.
    if value.len() <= max {
        return Ok(());
    }
    let found = value.chars().count();
    if found > max {
        return Err(Breach {
            field: field.to_string(),
            found,
            max,
            items: false,
            start: value.chars().take(START).collect(),
        });
    }
    Ok(())
}

fn optional(field: &str, value: Option<&String>, max: usize) -> Result<(), Breach> {
    value.map_or(Ok(()), |v| text(field, v, max))
}

fn list(field: &str, values: &[String]) -> Result<(), Breach> {
    if values.len() > ITEMS {
        return Err(Breach {
            field: field.to_string(),
            found: values.len(),
            max: ITEMS,
            items: true,
            start: values[0].chars().take(START).collect(),
        });
    }
    values.iter().try_for_each(|v| text(field, v, SHORT))
}

/// Checks every field of a practice against the limits the web forms and the API apply.
pub fn check_practice(f: &PracticeFields) -> Result<(), Breach> {
    text("title", &f.title, TITLE)?;
    optional("subtitle", f.subtitle.as_ref(), SHORT)?;
    optional("institution", f.institution.as_ref(), SHORT)?;
    for (field, value) in [
        ("organisers", &f.organisers),
        ("objectives", &f.objectives),
        ("description", &f.description),
        ("results", &f.results),
        ("target_public", &f.target_public),
        ("place_periodicity", &f.place_periodicity),
        ("costs", &f.costs),
        ("other_info", &f.other_info),
    ] {
        optional(field, value.as_ref(), TEXT)?;
    }
    list("communes", &f.communes)?;
    list("themes", &f.themes)?;
    list("websites", &f.websites)?;
    list("spiral_components", &f.spiral_components)?;
    if f.contacts.len() > ITEMS {
        return Err(Breach {
            field: "contacts".into(),
            found: f.contacts.len(),
            max: ITEMS,
            items: true,
            start: String::new(),
        });
    }
    f.contacts
        .iter()
        .enumerate()
        .try_for_each(|(i, c)| check_contact(i, c))
}

fn check_contact(i: usize, c: &Contact) -> Result<(), Breach> {
    let field = |name: &str| format!("contacts[{i}].{name}");
    optional(&field("name"), c.name.as_ref(), SHORT)?;
    optional(&field("role"), c.role.as_ref(), SHORT)?;
    optional(&field("organisation"), c.organisation.as_ref(), SHORT)?;
    optional(&field("address"), c.address.as_ref(), ADDRESS)?;
    list(&field("phones"), &c.phones)?;
    list(&field("emails"), &c.emails)
}

/// Checks a criterion against the limits of the SPIRAL forms.
pub fn check_criterion(c: &Criterion) -> Result<(), Breach> {
    text("platform", &c.platform, NAME)?;
    text("group", &c.group, NAME)?;
    text("question", &c.question, NAME)?;
    text("text", &c.text, CRITERION_TEXT)?;
    optional("proposition", c.proposition.as_ref(), CRITERION_TEXT)
}

/// Checks a platform against the limits of the SPIRAL forms.
pub fn check_platform(p: &Platform) -> Result<(), Breach> {
    text("name", &p.name, NAME)?;
    optional("country", p.country.as_ref(), NAME)?;
    list("languages", &p.languages)?;
    optional("description", p.description.as_ref(), LONG_TEXT)?;
    optional("coordination", p.coordination.as_ref(), LONG_TEXT)
}

/// Checks a homogeneous group against the limits of the SPIRAL forms.
pub fn check_group(g: &HomogeneousGroup) -> Result<(), Breach> {
    text("name", &g.name, NAME)?;
    text("platform", &g.platform, NAME)?;
    optional("language", g.language.as_ref(), NAME)?;
    optional("profile", g.profile.as_ref(), LONG_TEXT)
}

/// A control character no field keeps: every one (C0, DEL and C1) but tab and line breaks.
/// They are invisible, break search and exports, and never belong to the text a person wrote.
/// The carriage return stays: browsers send a textarea's lines as CRLF, and an export must read
/// back unchanged.
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses a value holding a stray control character (see [`is_stray_control`]), naming the
/// character and where it is, for a person to find and remove it.
pub fn refuse_controls(value: &str) -> Result<(), String> {
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| is_stray_control(*c))
    {
        Some((i, c)) => Err(format!(
            "contains the control character U+{:04X} at character {}: only tabs and line \
             breaks are allowed",
            c as u32,
            i + 1
        )),
        None => Ok(()),
    }
}

/// `s` without its stray control characters (see [`is_stray_control`]); borrowed when it has
/// none, which is nearly always.
pub fn remove_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_stray_control) {
        std::borrow::Cow::Owned(s.chars().filter(|&c| !is_stray_control(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        let mut f = PracticeFields {
            title: "é".repeat(TITLE),
            ..PracticeFields::default()
        };
        assert_eq!(check_practice(&f), Ok(()));
        f.title.push('é');
        let e = check_practice(&f).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.found, e.max),
            ("title", TITLE + 1, TITLE)
        );
        assert_eq!(
            e.to_string(),
            "field `title` has 301 characters: expected at most 300"
        );
    }

    #[test]
    fn contacts_and_lists_are_checked() {
        let f = PracticeFields {
            title: "T".into(),
            contacts: vec![Contact {
                role: Some("x".repeat(SHORT + 1)),
                ..Contact::default()
            }],
            ..PracticeFields::default()
        };
        assert_eq!(check_practice(&f).unwrap_err().field, "contacts[0].role");
        let f = PracticeFields {
            title: "T".into(),
            websites: vec!["w".into(); ITEMS + 1],
            ..PracticeFields::default()
        };
        let e = check_practice(&f).unwrap_err();
        assert!(e.items && e.found == ITEMS + 1, "{e}");
    }

    #[test]
    fn controls_are_refused_by_name_and_place() {
        assert_eq!(refuse_controls("a\tb\r\nc"), Ok(()));
        let e = refuse_controls("ab\u{7}c").unwrap_err();
        assert!(e.contains("U+0007 at character 3"), "{e}");
        assert!(refuse_controls("x\u{9D}").unwrap_err().contains("U+009D"));
    }

    #[test]
    fn controls_but_tab_and_newline_are_removed() {
        assert_eq!(
            remove_controls("a\u{7}b\u{1d}c\td\r\ne\u{7f}\u{85}"),
            "abc\td\r\ne"
        );
        assert!(matches!(
            remove_controls("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}

//! UI languages. Every UI string goes through Fluent; practice content is shown as written.
//!
//! The language comes from, in order: the `lang` cookie that the visible switcher sets, then
//! the browser's `Accept-Language`, then French.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        // Unicode isolation marks would show up in HTML, CSV and PDF output.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The UI languages, in the order the switcher shows them.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("en", "English"),
    ("lb", "Lëtzebuergesch"),
];

pub const COOKIE_NAME: &str = "lang";

/// The language of one request's UI.
#[derive(Debug, Clone)]
pub struct Lang {
    code: &'static str,
    id: LanguageIdentifier,
}

impl Lang {
    pub fn from_code(code: &str) -> Option<Self> {
        let code = LANGUAGES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))?
            .0;
        let id = match code {
            "de" => langid!("de"),
            "en" => langid!("en"),
            "lb" => langid!("lb"),
            _ => langid!("fr"),
        };
        Some(Self { code, id })
    }

    pub fn french() -> Self {
        Self::from_code("fr").expect("French is a UI language")
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// A UI string.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// A UI string, or `None` when no language has it (labels of codes a newer node may
    /// write).
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.id, key)
    }

    /// A UI string with arguments (`$count`, `$name`, …).
    pub fn t_args(&self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
            .collect();
        LOCALES.lookup_with_args(&self.id, key, &map)
    }

    pub fn count(&self, key: &str, count: u64) -> String {
        self.t_args(key, &[("count", FluentValue::from(count))])
    }

    pub fn with(&self, key: &str, name: &'static str, value: &str) -> String {
        self.t_args(key, &[(name, FluentValue::from(value.to_string()))])
    }

    /// Picks the best UI language from an `Accept-Language` header.
    pub fn negotiate(header: &str) -> Option<Self> {
        let mut ranges: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.trim().split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!tag.is_empty() && q > 0.0).then_some((q, tag))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges.iter().find_map(|(_, tag)| {
            let primary = tag.split(['-', '_']).next().unwrap_or(tag);
            Self::from_code(primary)
        })
    }
}

fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(name)?.strip_prefix('='))
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = cookie_value(parts, COOKIE_NAME).and_then(Lang::from_code) {
            return Ok(lang);
        }
        let header = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Ok(header
            .and_then(Lang::negotiate)
            .unwrap_or_else(Lang::french))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_quality() {
        assert_eq!(
            Lang::negotiate("en-GB,en;q=0.9,fr;q=0.8").unwrap().code(),
            "en"
        );
        assert_eq!(
            Lang::negotiate("pt-PT, de;q=0.5, fr;q=0.7").unwrap().code(),
            "fr"
        );
        assert_eq!(Lang::negotiate("lb-LU").unwrap().code(), "lb");
        assert!(Lang::negotiate("pt, es;q=0.4").is_none());
    }

    #[test]
    fn strings_have_no_isolation_marks_and_fall_back_to_french() {
        let en = Lang::from_code("en").unwrap();
        assert_eq!(en.count("results-count", 3), "3 practices found");
        assert!(!en.count("results-count", 3).contains('\u{2068}'));
        let de = Lang::from_code("de").unwrap();
        // Not translated into German yet: French is shown rather than a key.
        assert_eq!(de.t("source-truncated"), "texte coupé dans la source");
        assert_eq!(de.try_t("no-such-key"), None);
        assert_eq!(
            Lang::french().count("results-count", 1),
            "1 pratique trouvée"
        );
    }
}

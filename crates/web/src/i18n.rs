//! UI languages. Every UI string goes through Fluent; practice content is shown as written.
//!
//! The language comes from, in order: the `lang` cookie that the visible switcher sets, then
//! the browser's `Accept-Language`, then French.
//!
//! Numbers (inside Fluent messages too) and dates follow each language's conventions
//! (CLDR): `1 234` in French, `1.234` in German and Luxembourgish, `1,234` in English.

use std::borrow::{Borrow, Cow};
use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::fluent_bundle::types::FluentNumber;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use intl_memoizer::Memoizable;
use intl_memoizer::concurrent::IntlLangMemoizer;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| {
            // Unicode isolation marks would show up in HTML, CSV and PDF output.
            bundle.set_use_isolating(false);
            // Fluent itself prints numbers without grouping, whatever the language.
            bundle.set_formatter(Some(format_fluent_number));
        },
    };
}

/// How a UI language writes numbers and dates (CLDR's conventions for it). Times are UTC,
/// as stored, and say so.
struct Conventions {
    group: &'static str,
    decimal: &'static str,
    date: &'static str,
    date_time: &'static str,
}

const FRENCH: Conventions = Conventions {
    // CLDR's French group separator is the narrow no-break space.
    group: "\u{202f}",
    decimal: ",",
    date: "%d/%m/%Y",
    date_time: "%d/%m/%Y %H:%M UTC",
};

const GERMAN: Conventions = Conventions {
    group: ".",
    decimal: ",",
    date: "%d.%m.%Y",
    date_time: "%d.%m.%Y %H:%M UTC",
};

/// Luxembourgish writes numbers and dates as German does.
const LUXEMBOURGISH: Conventions = GERMAN;

/// British usage: day before month, as English is read in Luxembourg and in the EU.
const ENGLISH: Conventions = Conventions {
    group: ",",
    decimal: ".",
    date: "%d/%m/%Y",
    date_time: "%d/%m/%Y %H:%M UTC",
};

fn conventions(code: &str) -> &'static Conventions {
    match code {
        "de" => &GERMAN,
        "lb" => &LUXEMBOURGISH,
        "en" => &ENGLISH,
        _ => &FRENCH,
    }
}

impl Conventions {
    /// `digits` is a plain decimal number as Rust prints it (`-1234.5`).
    fn number(&self, digits: &str) -> String {
        let (sign, unsigned) = digits
            .strip_prefix('-')
            .map_or(("", digits), |rest| ("-", rest));
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let mut out = String::from(sign);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push_str(self.group);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push_str(self.decimal);
            out.push_str(frac);
        }
        out
    }
}

/// The conventions of one bundle's language, kept by Fluent's per-language memoizer.
struct NumberStyle(&'static Conventions);

impl Memoizable for NumberStyle {
    type Args = ();
    type Error = std::convert::Infallible;

    fn construct(lang: LanguageIdentifier, (): ()) -> Result<Self, Self::Error> {
        Ok(Self(conventions(lang.language.as_str())))
    }
}

fn format_fluent_number(value: &FluentValue, memo: &IntlLangMemoizer) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    if !n.options.use_grouping {
        return None;
    }
    let plain = FluentNumber::as_string(n);
    memo.with_try_get::<NumberStyle, _, _>((), |style| style.0.number(&plain))
        .ok()
}

/// A moment as stored: in UTC, with its zone or without.
pub trait Moment {
    fn utc(&self) -> NaiveDateTime;
}

impl Moment for NaiveDateTime {
    fn utc(&self) -> NaiveDateTime {
        *self
    }
}

impl Moment for DateTime<Utc> {
    fn utc(&self) -> NaiveDateTime {
        self.naive_utc()
    }
}

impl<T: Moment> Moment for &T {
    fn utc(&self) -> NaiveDateTime {
        (*self).utc()
    }
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

    /// The UI language as a content language (for concept labels).
    pub fn language(&self) -> domain::Language {
        domain::Language::parse(self.code).unwrap_or_default()
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

    /// A whole number as this language groups its digits.
    pub fn number(&self, n: impl Borrow<u64>) -> String {
        conventions(self.code).number(&n.borrow().to_string())
    }

    pub fn date(&self, d: impl Borrow<NaiveDate>) -> String {
        d.borrow().format(conventions(self.code).date).to_string()
    }

    /// The day of a moment.
    pub fn day(&self, at: impl Moment) -> String {
        self.date(at.utc().date())
    }

    pub fn date_time(&self, at: impl Moment) -> String {
        at.utc()
            .format(conventions(self.code).date_time)
            .to_string()
    }

    /// The name of a language (`fr`, `de`, `en`, `lb`) in this UI language.
    pub fn language_name(&self, code: &str) -> String {
        self.t(&format!("language-{code}"))
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
        assert_eq!(de.t("source-truncated"), "Text in der Quelle abgeschnitten");
        assert_eq!(de.try_t("no-such-key"), None);
        assert_eq!(
            Lang::french().count("results-count", 1),
            "1 pratique trouvée"
        );
    }

    #[test]
    fn numbers_follow_each_language_inside_messages_too() {
        let lang = |c| Lang::from_code(c).unwrap();
        assert_eq!(
            lang("fr").count("results-count", 12_345),
            "12\u{202f}345 pratiques trouvées"
        );
        assert_eq!(
            lang("de").count("results-count", 12_345),
            "12.345 Praktiken gefunden"
        );
        assert_eq!(
            lang("lb").count("results-count", 1_234_567),
            "1.234.567 Praktike fonnt"
        );
        assert_eq!(
            lang("en").count("results-count", 1234),
            "1,234 practices found"
        );
        // Plural selection still sees the number, not the grouped text.
        assert_eq!(lang("de").count("results-count", 1), "1 Praxis gefunden");
        assert_eq!(lang("lb").count("results-count", 0), "Keng Praxis fonnt");
        assert_eq!(lang("de").number(999_u64), "999");
        assert_eq!(lang("de").number(1000_u64), "1.000");
        assert_eq!(lang("fr").number(100_000_u64), "100\u{202f}000");
        assert_eq!(
            lang("de").t_args("size-mib", &[("n", FluentValue::from(1.5))]),
            "1,5 MB"
        );
        assert_eq!(
            lang("en").t_args("size-mib", &[("n", FluentValue::from(-1.5))]),
            "-1.5 MB"
        );
    }

    #[test]
    fn dates_follow_each_language() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let at = day.and_hms_opt(9, 7, 0).unwrap().and_utc();
        let lang = |c| Lang::from_code(c).unwrap();
        assert_eq!(lang("fr").date(day), "05/11/2026");
        assert_eq!(lang("de").date(day), "05.11.2026");
        assert_eq!(lang("lb").date(day), "05.11.2026");
        assert_eq!(lang("en").date(day), "05/11/2026");
        assert_eq!(lang("de").date_time(at), "05.11.2026 09:07 UTC");
        assert_eq!(lang("fr").date_time(at), "05/11/2026 09:07 UTC");
    }

    #[test]
    fn language_names_in_each_language() {
        assert_eq!(
            Lang::from_code("de").unwrap().language_name("fr"),
            "Französisch"
        );
        assert_eq!(
            Lang::from_code("lb").unwrap().language_name("fr"),
            "Franséisch"
        );
        assert_eq!(Lang::french().language_name("lb"), "luxembourgeois");
        assert_eq!(
            Lang::from_code("lb")
                .unwrap()
                .with("fiche-language", "language", "Franséisch"),
            "Dës Praxis gëtt et nëmmen op Franséisch."
        );
    }
}

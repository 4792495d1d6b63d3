//! The four UI languages are complete: every key that a template or the Rust code asks for,
//! and every key any language defines, exists in fr, de, lb and en, with the same variables.
//! A key built at run time (`format!("facet-{}", …)`) counts once per value it can take.
//!
//! The sources are read as text, so a new `lang.t("…")` or a new key family is checked
//! without anyone listing it here, except the values of a new family, which the test asks for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use domain::{ActionStatus, Language, Role, Status, Transition};
use fluent_templates::LanguageIdentifier;
use fluent_templates::fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

const LOCALES: [&str; 4] = ["fr", "de", "lb", "en"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ftl_path(locale: &str) -> PathBuf {
    crate_dir().join("locales").join(locale).join("main.ftl")
}

/// One language's messages: id → (line, source text of the value, its variables).
struct Locale {
    messages: BTreeMap<String, Message>,
    text: String,
}

struct Message {
    line: usize,
    value: String,
    variables: BTreeSet<String>,
}

fn variables(value: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn load(locale: &str) -> Locale {
    let path = ftl_path(locale);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: cannot read ({e})", path.display()));
    if let Err((_, errors)) = FluentResource::try_new(text.clone()) {
        let described: Vec<String> = errors
            .iter()
            .map(|e| {
                let line = text[..e.pos.start].lines().count().max(1);
                format!("line {line}: {:?}", e.kind)
            })
            .collect();
        panic!("{}: Fluent syntax errors: {described:#?}", path.display());
    }
    let mut messages: BTreeMap<String, Message> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if starts_message {
            let (id, value) = line.split_once('=').unwrap_or_else(|| {
                panic!(
                    "{}:{}: expected `key = value`, found {line:?}",
                    path.display(),
                    i + 1
                )
            });
            let id = id.trim().to_string();
            if let Some(first) = messages.get(&id) {
                panic!(
                    "{}:{}: `{id}` is defined twice (first on line {})",
                    path.display(),
                    i + 1,
                    first.line
                );
            }
            messages.insert(
                id.clone(),
                Message {
                    line: i + 1,
                    value: value.trim().to_string(),
                    variables: BTreeSet::new(),
                },
            );
            current = Some(id);
        } else if line.starts_with(' ') {
            // A continuation line (the variants of a plural) belongs to the message above.
            if let Some(m) = current.as_ref().and_then(|id| messages.get_mut(id)) {
                m.value.push('\n');
                m.value.push_str(line.trim());
            }
        } else {
            current = None;
        }
    }
    for m in messages.values_mut() {
        m.variables = variables(&m.value);
    }
    Locale { messages, text }
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every template and Rust source of the crate, with its text.
fn sources() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    files(&crate_dir().join("src"), "rs", &mut paths);
    files(&crate_dir().join("templates"), "html", &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.strip_prefix(crate_dir()).unwrap().display().to_string();
            (name, text)
        })
        .collect()
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].lines().count().max(1)
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// The methods of `Lang` that take a key first.
const LOOKUPS: [&str; 5] = ["t", "try_t", "t_args", "count", "with"];

/// Where a key is asked for: `file:line`.
type Uses = BTreeMap<String, String>;

/// Key literals passed to a lookup: `lang.t("key")`, `lang.t_args(\n "key", …)`.
fn literal_keys(sources: &[(String, String)]) -> Uses {
    let mut out = Uses::new();
    for (name, text) in sources {
        for method in LOOKUPS {
            let needle = format!(".{method}(");
            for (at, _) in text.match_indices(&needle) {
                let rest = text[at + needle.len()..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let key: String = rest.chars().take_while(|c| *c != '"').collect();
                if !key.is_empty() && key.chars().all(is_key_char) {
                    out.entry(key)
                        .or_insert_with(|| format!("{name}:{}", line_of(text, at)));
                }
            }
        }
    }
    out
}

/// Keys built at run time: `lang.t(&format!("facet-{}", …))` → the family `facet-`. A
/// `format!("prefix-{…}")` counts when it is the argument of a lookup, or when its prefix is
/// the prefix of a defined key (`let key = format!("question-{}", …); lang.t(&key)`).
fn dynamic_families(sources: &[(String, String)], defined: &BTreeSet<String>) -> Uses {
    let mut out = Uses::new();
    for (name, text) in sources {
        for (at, _) in text.match_indices("format!(\"") {
            let rest = &text[at + "format!(\"".len()..];
            let prefix: String = rest.chars().take_while(|c| is_key_char(*c)).collect();
            let after = &rest[prefix.len()..];
            // `"facet-{}"`: a prefix and one value; `"contact-{i}-{name}"` is no key.
            let one_value = after.starts_with('{')
                && after
                    .find('}')
                    .is_some_and(|end| after[end + 1..].starts_with('"'));
            if !(prefix.ends_with('-')
                && prefix.len() > 1
                && prefix.starts_with(|c: char| c.is_ascii_lowercase())
                && one_value)
            {
                continue;
            }
            let before = text[..at].trim_end().trim_end_matches('&');
            let in_lookup = LOOKUPS.iter().any(|m| before.ends_with(&format!(".{m}(")));
            if in_lookup || defined.iter().any(|k| k.starts_with(&prefix)) {
                out.entry(prefix)
                    .or_insert_with(|| format!("{name}:{}", line_of(text, at)));
            }
        }
    }
    out
}

/// Statuses, with a match that stops compiling when a variant is added without its key.
fn statuses() -> Vec<&'static str> {
    let all = [
        Status::Draft,
        Status::Submitted,
        Status::Published,
        Status::Archived,
    ];
    for s in all {
        match s {
            Status::Draft | Status::Submitted | Status::Published | Status::Archived => {}
        }
    }
    let mut out: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
    // Shown in the lists for a draft sent back with a comment.
    out.push("rejected");
    out
}

fn languages() -> Vec<&'static str> {
    let all = [Language::Fr, Language::De, Language::En, Language::Lb];
    for l in all {
        match l {
            Language::Fr | Language::De | Language::En | Language::Lb => {}
        }
    }
    all.iter().map(|l| l.as_str()).collect()
}

/// The values each run-time key family takes. A family found in the sources and missing here
/// fails the test: its values have to be listed (from the domain where it has them).
fn family_values(prefix: &str) -> Option<Vec<String>> {
    let owned = |v: Vec<&str>| Some(v.into_iter().map(str::to_string).collect());
    match prefix {
        "status-" => owned(statuses()),
        "step-" => owned(Transition::ALL.iter().map(|t| t.as_str()).collect()),
        "action-status-" => owned(ActionStatus::ALL.iter().map(|s| s.as_str()).collect()),
        "role-" => owned(Role::ALL.iter().map(|r| r.as_str()).collect()),
        "language-" => owned(languages()),
        "facet-" => owned(
            web::params::Filter::ALL
                .iter()
                .map(|f| f.facet())
                .chain(["statuses"])
                .collect(),
        ),
        "question-" => Some(ingest::reference::bundled_question_codes()),
        "revision-action-" => owned(vec![
            domain::revision::actions::CREATE,
            domain::revision::actions::EDIT,
            domain::revision::actions::SUBMIT,
            domain::revision::actions::PUBLISH,
            domain::revision::actions::REJECT,
            domain::revision::actions::ARCHIVE,
            domain::revision::actions::RESTORE,
            domain::revision::actions::ERASE_CONTACT,
            domain::revision::actions::IMPORT,
            domain::revision::actions::ATTACH,
            domain::revision::actions::DETACH,
        ]),
        // The sortable columns of the criteria list (`CRITERIA_COLUMNS`).
        "criteria-col-" => owned(vec![
            "id",
            "platform",
            "group",
            "question",
            "expressions",
            "text",
            "component",
            "meaning",
            "proposition",
            "created",
            "modified",
        ]),
        // The practice's fields as the form and the error summary name them.
        "field-" => owned(vec![
            "title",
            "subtitle",
            "institution",
            "organisers",
            "communes",
            "themes",
            "objectives",
            "description",
            "results",
            "target_public",
            "place_periodicity",
            "costs",
            "other_info",
            "websites",
            "spiral_components",
            "language",
            "contacts",
        ]),
        "contact-field-" => owned(vec![
            "name",
            "role",
            "organisation",
            "address",
            "phones",
            "emails",
        ]),
        _ => None,
    }
}

/// Every key the code can ask for, with where.
fn used_keys(sources: &[(String, String)], defined: &BTreeSet<String>) -> (Uses, Vec<String>) {
    let mut keys = literal_keys(sources);
    let mut unknown_families = Vec::new();
    for (prefix, at) in dynamic_families(sources, defined) {
        match family_values(&prefix) {
            Some(values) => {
                for v in values {
                    keys.entry(format!("{prefix}{v}"))
                        .or_insert_with(|| format!("{at} (`{prefix}{{…}}`)"));
                }
            }
            None => unknown_families.push(format!(
                "{at}: the key family `{prefix}…` is built at run time; list its values in \
                 family_values() of tests/locales.rs"
            )),
        }
    }
    // The i18n unit test looks up a key that must stay undefined.
    keys.remove("no-such-key");
    (keys, unknown_families)
}

#[test]
fn every_key_exists_in_every_language() {
    let locales: BTreeMap<&str, Locale> = LOCALES.iter().map(|l| (*l, load(l))).collect();
    let defined: BTreeSet<String> = locales
        .values()
        .flat_map(|l| l.messages.keys().cloned())
        .collect();
    let sources = sources();
    let (used, unknown_families) = used_keys(&sources, &defined);
    assert!(unknown_families.is_empty(), "{unknown_families:#?}");
    assert!(
        used.len() > 300,
        "only {} keys found in the sources: the scan is broken",
        used.len()
    );

    let mut wanted: BTreeMap<String, String> = used.clone();
    for (code, locale) in &locales {
        for (id, m) in &locale.messages {
            wanted
                .entry(id.clone())
                .or_insert_with(|| format!("locales/{code}/main.ftl:{}", m.line));
        }
    }
    let mut missing = Vec::new();
    for (code, locale) in &locales {
        for (key, at) in &wanted {
            if !locale.messages.contains_key(key) {
                missing.push(format!(
                    "locales/{code}/main.ftl lacks `{key}` (asked for at {at})"
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} missing keys:\n{}",
        missing.len(),
        missing.join("\n")
    );

    // Same variables everywhere: a translation that drops `{ $query }` loses information,
    // one that adds a variable the code never passes shows an error marker.
    let french = &locales["fr"];
    let mut mismatched = Vec::new();
    for (code, locale) in &locales {
        for (id, m) in &locale.messages {
            let fr = &french.messages[id];
            if m.variables != fr.variables {
                mismatched.push(format!(
                    "locales/{code}/main.ftl:{}: `{id}` uses {:?}, French uses {:?}",
                    m.line, m.variables, fr.variables
                ));
            }
        }
    }
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
}

/// Every message formats without a Fluent error in every language, given its variables.
#[test]
fn every_message_formats() {
    let mut failures = Vec::new();
    for code in LOCALES {
        let locale = load(code);
        let id: LanguageIdentifier = code.parse().unwrap();
        let mut bundle = FluentBundle::new(vec![id]);
        bundle.set_use_isolating(false);
        bundle
            .add_resource(FluentResource::try_new(locale.text.clone()).unwrap())
            .unwrap_or_else(|e| panic!("locales/{code}/main.ftl: {e:?}"));
        for (key, m) in &locale.messages {
            let mut args = FluentArgs::new();
            for v in &m.variables {
                args.set(v.clone(), FluentValue::from(2));
            }
            let pattern = bundle
                .get_message(key)
                .and_then(|msg| msg.value())
                .unwrap_or_else(|| panic!("locales/{code}/main.ftl: `{key}` has no value"));
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            if !errors.is_empty() || text.trim().is_empty() {
                failures.push(format!(
                    "locales/{code}/main.ftl:{}: `{key}` → {text:?} {errors:?}",
                    m.line
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Keys whose value is rightly the same as the French one: names, codes and words the
/// languages share.
const SAME_AS_FRENCH: &[(&str, &[&str])] = &[
    (
        "de",
        &[
            "site-name",
            "nav-spiral",
            "spiral-postit",
            "criteria-col-text",
            "facet-institutions",
            "spiral-description",
            "spiral-dimension",
            "codebook-code",
            "codebook-description",
            "codebook-version",
            "contact-field-organisation",
            "contact-field-address",
            "history-revision",
            "spiral-total",
            "codebook-entries",
            "spiral-profile",
        ],
    ),
    (
        "lb",
        &[
            "site-name",
            "nav-spiral",
            "spiral-postit",
            "criteria-col-text",
            "spiral-total",
            "codebook-code",
            "history-revision",
            // Luxembourgish takes these from French.
            "codebook-file",
            "field-file",
            "history-who",
            "indicator-level",
            "spiral-profile",
        ],
    ),
    (
        "en",
        &[
            "site-name",
            "nav-spiral",
            "spiral-postit",
            "criteria-col-text",
            "spiral-total",
            "facet-institutions",
            "field-communes",
            "field-contacts",
            "field-sources",
            "home-communes",
            "question-ACT",
            "spiral-description",
            "spiral-dimension",
            "spiral-suggestions",
            "criteria-col-question",
            "criteria-col-proposition",
            "codebook-code",
            "codebook-description",
            "codebook-questions",
            "codebook-version",
            "codebook-versions",
            "contact-field-organisation",
            "history-revision",
            "criteria-col-id",
            "indicator-date",
            "action-components",
            "codebook-entries",
            "action-dates",
            "facet-communes",
            "pagination",
            "nav-moderation",
            "spiral-filter",
            "spiral-languages",
            "spiral-created",
            "spiral-statistics",
            "field-file",
            "attachments-title",
            "codebook-active-col",
            "contact-block",
            "field-institution",
            "history-when",
        ],
    ),
];

/// A value identical to the French one is, but for the listed keys, a string left untranslated.
#[test]
fn no_language_shows_french_by_copy() {
    let french = load("fr");
    let mut copies = Vec::new();
    for (code, allowed) in SAME_AS_FRENCH {
        let locale = load(code);
        for (id, m) in &locale.messages {
            if french.messages[id].value == m.value && !allowed.contains(&id.as_str()) {
                copies.push(format!(
                    "locales/{code}/main.ftl:{}: `{id}` = {:?} as in French",
                    m.line, m.value
                ));
            }
        }
    }
    assert!(copies.is_empty(), "{}", copies.join("\n"));
}

/// Words that are German and never Luxembourgish: Luxembourgish is not written as German.
const GERMAN_ONLY: &[&str] = &[
    "und",
    "ist",
    "nicht",
    "ein",
    "eine",
    "einen",
    "keine",
    "kein",
    "auf",
    "mit",
    "von",
    "für",
    "sind",
    "wird",
    "werden",
    "Seite",
    "Suche",
    "suchen",
    "Gemeinde",
    "Gemeinden",
    "Ergebnisse",
    "Anmelden",
    "Abmelden",
    "Zielgruppe",
    "Sprache",
    "Ziele",
    "Datei",
    "Kontakte",
    "Verlauf",
    "Zurück",
    "zurück",
    "löschen",
    "speichern",
    "Speichern",
    "hinzufügen",
    "Entwurf",
    "Beschreibung",
    "Passwort",
    "Fehler",
    "Anzahl",
    "Bearbeiten",
    "Rolle",
];

#[test]
fn luxembourgish_is_not_written_as_german() {
    let lb = load("lb");
    let mut german = Vec::new();
    for (id, m) in &lb.messages {
        let words: Vec<&str> = m
            .value
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .collect();
        for w in GERMAN_ONLY {
            if words.contains(w) || m.value.contains('ß') {
                german.push(format!(
                    "locales/lb/main.ftl:{}: `{id}` has the German {w:?}: {:?}",
                    m.line, m.value
                ));
            }
        }
    }
    assert!(german.is_empty(), "{}", german.join("\n"));
    // The words the issue names, in Luxembourgish spelling, where the UI uses them.
    for (key, word) in [
        ("nav-search", "Sichen"),
        ("booklet-query", "Sich"),
        ("nav-login", "Aloggen"),
        ("facet-communes", "Gemeng"),
        ("field-results", "Resultater"),
        ("search-label", "Praxis"),
        ("facet-target_publics", "Zilpublikum"),
        ("contact-block", "Kontakt"),
    ] {
        assert!(
            lb.messages[key].value.contains(word),
            "`{key}` in Luxembourgish: {:?}, expected {word:?}",
            lb.messages[key].value
        );
    }
}

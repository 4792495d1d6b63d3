//! schema.org structured data (JSON-LD) for fiche pages, so that search engines and portals
//! read a practice as what it is.
//!
//! A fiche is a `CreativeWork`: a written description of something a commune or an NGO does.
//! (`Event` would need dates most fiches lack; `HowTo` would need steps they do not have.)
//! Contacts are left out: they are personal data, shown to readers, not handed to crawlers.
//!
//! The JSON sits in a `<script type="application/ld+json">` data block, which browsers never
//! run (so the CSP's `script-src` does not apply). Its text still ends at the first
//! `</script`, so [`JsonLd`] escapes `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`: JSON
//! allows those characters only inside strings, where the escapes mean the same characters.

use std::fmt;

use domain::Practice;
use serde_json::{Value, json};

/// JSON made safe to embed in an HTML `<script>` data block. The only way to build one is
/// [`JsonLd::new`], which escapes; askama then writes it as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonLd(String);

impl JsonLd {
    pub fn new(value: &Value) -> Self {
        let mut out = String::new();
        for c in value.to_string().chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                c => out.push(c),
            }
        }
        Self(out)
    }
}

impl fmt::Display for JsonLd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for JsonLd {}

fn text(s: Option<&String>) -> Option<&str> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn organisation(name: &str) -> Value {
    json!({"@type": "Organization", "name": name})
}

/// A commune as a `Place`; a commune of the registry is in the Grand Duchy.
fn place(commune: &str) -> Value {
    match ingest::communes::registry().canonical(commune) {
        Some(name) => json!({
            "@type": "Place",
            "name": name,
            "containedInPlace": {"@type": "Country", "name": "Luxembourg", "identifier": "LU"},
        }),
        None => json!({"@type": "Place", "name": commune}),
    }
}

/// The structured data of one published practice whose page is at `url` (absolute).
pub fn practice(p: &Practice, url: &str) -> Value {
    let f = &p.fields;
    let mut doc = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        doc.insert(key.to_string(), value);
    };
    put("@context", json!("https://schema.org"));
    put("@type", json!("CreativeWork"));
    put("@id", json!(url));
    put("url", json!(url));
    put("name", json!(f.title));
    if let Some(s) = text(f.subtitle.as_ref()) {
        put("alternativeHeadline", json!(s));
    }
    if let Some(d) = text(f.description.as_ref()).or(text(f.objectives.as_ref())) {
        put("description", json!(d));
    }
    if let Some(o) = text(f.objectives.as_ref()) {
        put("abstract", json!(o));
    }
    if !f.themes.is_empty() {
        put(
            "about",
            f.themes
                .iter()
                .map(|t| json!({"@type": "Thing", "name": t}))
                .collect(),
        );
        put("keywords", json!(f.themes.join(", ")));
    }
    if !f.communes.is_empty() {
        put(
            "spatialCoverage",
            f.communes.iter().map(|c| place(c)).collect(),
        );
    }
    if let Some(i) = text(f.institution.as_ref()) {
        put("author", organisation(i));
        put("publisher", organisation(i));
    }
    if let Some(o) = text(f.organisers.as_ref()) {
        put("contributor", organisation(o));
    }
    if let Some(t) = text(f.target_public.as_ref()) {
        put("audience", json!({"@type": "Audience", "audienceType": t}));
    }
    put("inLanguage", json!(p.language.as_str()));
    put("dateCreated", json!(p.created_at.to_rfc3339()));
    put("dateModified", json!(p.updated_at.to_rfc3339()));
    if !p.sources.is_empty() {
        put(
            "isBasedOn",
            p.sources
                .iter()
                .map(|s| {
                    json!({
                        "@type": "CreativeWork",
                        "name": s.document,
                        "description": format!("lines {}–{}", s.first_line, s.last_line),
                    })
                })
                .collect(),
        );
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_mean_the_same() {
        let v = json!({"name": "</script><script>alert(1)</script> & co"});
        let ld = JsonLd::new(&v);
        assert!(!ld.0.contains(['<', '>', '&']), "{ld}");
        let back: Value = serde_json::from_str(&ld.0).unwrap();
        assert_eq!(back, v);
    }
}

//! Atom feeds (RFC 4287), written with `atom_syndication`, which escapes every text.

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, Utc};

/// What a feed says about itself.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    /// A stable IRI, e.g. `https://host/flux/pratiques.atom?commune=Strassen`.
    pub id: String,
    pub title: String,
    /// The page the feed follows.
    pub alternate: String,
    /// The feed's own address.
    pub self_link: String,
    pub author: String,
    /// When nothing is in the feed yet, the time it was generated.
    pub updated: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub link: String,
    pub summary: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: DateTime<Utc>,
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(mime.map(str::to_string));
    l
}

fn fixed(t: DateTime<Utc>) -> FixedDateTime {
    t.fixed_offset()
}

/// The feed as XML. Entries keep the order given (newest first is the caller's choice).
pub fn feed(meta: &FeedMeta, entries: &[FeedEntry]) -> String {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(meta.updated);
    let mut author = Person::default();
    author.set_name(meta.author.clone());
    let mut f = Feed::default();
    f.set_id(meta.id.clone());
    f.set_title(Text::plain(meta.title.clone()));
    f.set_updated(fixed(updated));
    f.set_authors(vec![author]);
    f.set_links(vec![
        link(&meta.alternate, "alternate", Some("text/html")),
        link(&meta.self_link, "self", Some("application/atom+xml")),
    ]);
    f.set_entries(
        entries
            .iter()
            .map(|e| {
                let mut entry = Entry::default();
                entry.set_id(e.id.clone());
                entry.set_title(Text::plain(e.title.clone()));
                entry.set_updated(fixed(e.updated));
                entry.set_published(e.published.map(fixed));
                entry.set_links(vec![link(&e.link, "alternate", Some("text/html"))]);
                entry.set_summary(e.summary.clone().map(Text::plain));
                entry
            })
            .collect::<Vec<_>>(),
    );
    f.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_are_valid_xml_with_escaped_text() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .to_utc();
        let meta = FeedMeta {
            id: "http://x/flux".into(),
            title: "Groupes & critères".into(),
            alternate: "http://x/".into(),
            self_link: "http://x/flux.atom".into(),
            author: "zesummen".into(),
            updated: at,
        };
        let xml = feed(
            &meta,
            &[FeedEntry {
                id: "http://x/1".into(),
                title: "<script>alert(1)</script>".into(),
                link: "http://x/1".into(),
                summary: Some("se sentir seul".into()),
                published: Some(at),
                updated: at,
            }],
        );
        let parsed: Feed = xml.parse().unwrap();
        assert_eq!(parsed.entries().len(), 1);
        assert_eq!(
            parsed.entries()[0].title().as_str(),
            "<script>alert(1)</script>"
        );
        assert!(xml.contains("&lt;script&gt;"));
        assert!(xml.contains("Groupes &amp; critères"));
        assert_eq!(parsed.updated().to_rfc3339(), "2026-11-22T10:00:00+00:00");
    }
}

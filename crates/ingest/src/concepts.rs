//! The concept scheme's files: the curated TSV of `data/concepts/` and SKOS in Turtle.
//!
//! The TSV is what people edit; SKOS is how the scheme leaves the platform and comes back
//! (`skos:prefLabel`/`skos:altLabel` with language tags, `skos:broader`, `skos:related`,
//! `skos:topConceptOf`, and the SPIRAL components as `skos:closeMatch` to component URIs).
//! Either way in, the scheme is checked whole ([`ConceptScheme::new`]) before it is used.

use std::collections::HashMap;

use domain::Language;
use domain::concepts::{Concept, ConceptScheme, LANGUAGES, Labels, SchemeError};
use oxrdf::vocab::rdf;
use oxrdf::{Literal, LiteralRef, NamedNode, NamedNodeRef, Term, TripleRef};
use oxttl::{TurtleParser, TurtleSerializer};

use crate::{IngestError, decode};

/// The bundled scheme's file, compiled in.
const BUNDLED: &str = include_str!("../../../data/concepts/concepts.tsv");
/// Its name in messages.
pub const BUNDLED_NAME: &str = "data/concepts/concepts.tsv";

/// Namespace of the scheme's concepts.
pub const CONCEPT_NS: &str = "https://zesummen.lu/concepts/";
/// Namespace of SPIRAL components.
pub const COMPONENT_NS: &str = "https://zesummen.lu/spiral/components/";
const SCHEME_IRI: &str = "https://zesummen.lu/concepts";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const OWL_VERSION_INFO: &str = "http://www.w3.org/2002/07/owl#versionInfo";

const COLUMNS: [&str; 13] = [
    "id",
    "top",
    "broader",
    "related",
    "components",
    "pref_fr",
    "alt_fr",
    "pref_de",
    "alt_de",
    "pref_lb",
    "alt_lb",
    "pref_en",
    "alt_en",
];

/// The scheme shipped with the platform, version 1.
pub fn bundled() -> ConceptScheme {
    parse_tsv(BUNDLED_NAME, BUNDLED.as_bytes(), 1).expect("the bundled concept scheme is valid")
}

fn list(cell: &str) -> Vec<String> {
    cell.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A dimension (`D`) or a component (`D02`) of the SPIRAL codebook.
fn component_ok(code: &str) -> bool {
    let b = code.as_bytes();
    match b {
        [d] => d.is_ascii_uppercase(),
        [d, x, y] => d.is_ascii_uppercase() && x.is_ascii_digit() && y.is_ascii_digit(),
        _ => false,
    }
}

/// The line of the concept a scheme error names, for the message.
fn scheme_error(file: &str, e: &SchemeError, lines: &HashMap<String, u32>) -> IngestError {
    let concept = match e {
        SchemeError::BadId(c)
        | SchemeError::Duplicate(c)
        | SchemeError::Cycle(c)
        | SchemeError::MissingPref { concept: c, .. }
        | SchemeError::UnknownLink { concept: c, .. } => c,
    };
    IngestError::new(
        file,
        lines.get(concept).copied().unwrap_or(0),
        e.to_string(),
    )
}

/// Parses the TSV form (see `data/concepts/README.md` for its columns).
pub fn parse_tsv(file: &str, bytes: &[u8], version: u32) -> Result<ConceptScheme, IngestError> {
    let text = decode(file, bytes)?;
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Err(IngestError::new(
            file,
            0,
            "empty file: expected a header line",
        ));
    };
    let header: Vec<&str> = header.split('\t').map(str::trim).collect();
    if header != COLUMNS {
        return Err(IngestError::new(
            file,
            1,
            format!(
                "header {:?}: expected the columns {}",
                header.join(" "),
                COLUMNS.join(", ")
            ),
        ));
    }
    let mut concepts = Vec::new();
    let mut line_of: HashMap<String, u32> = HashMap::new();
    for (i, line) in lines {
        let n = i as u32 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        if cells.len() != COLUMNS.len() {
            return Err(IngestError::new(
                file,
                n,
                format!(
                    "{} cells: expected {} ({}); a file cut short, or a tab missing?",
                    cells.len(),
                    COLUMNS.len(),
                    COLUMNS.join(", ")
                ),
            ));
        }
        let top = match cells[1] {
            "" => false,
            "yes" => true,
            other => {
                return Err(IngestError::new(
                    file,
                    n,
                    format!("column top: {other:?}, expected \"yes\" or nothing"),
                ));
            }
        };
        let components = list(cells[4]);
        if let Some(bad) = components.iter().find(|c| !component_ok(c)) {
            return Err(IngestError::new(
                file,
                n,
                format!(
                    "column components: {bad:?} is not a SPIRAL dimension or component code \
                     like D or A05"
                ),
            ));
        }
        let labels = [0, 1, 2, 3].map(|k| Labels {
            pref: cells[5 + 2 * k].to_string(),
            alt: list(cells[6 + 2 * k]),
        });
        line_of.insert(cells[0].to_string(), n);
        concepts.push(Concept {
            id: cells[0].to_string(),
            top,
            broader: list(cells[2]),
            related: list(cells[3]),
            components,
            labels,
        });
    }
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(IngestError::new(
            file,
            text.lines().count() as u32,
            "the file ends without a final line break: probably cut; expected whole lines",
        ));
    }
    ConceptScheme::new(version, concepts).map_err(|e| scheme_error(file, &e, &line_of))
}

/// The TSV form of a scheme; [`parse_tsv`] reads it back to the same scheme.
pub fn to_tsv(scheme: &ConceptScheme) -> String {
    let mut out = COLUMNS.join("\t");
    out.push('\n');
    for c in &scheme.concepts {
        let mut cells = vec![
            c.id.clone(),
            if c.top { "yes".into() } else { String::new() },
            c.broader.join("|"),
            c.related.join("|"),
            c.components.join("|"),
        ];
        for labels in &c.labels {
            cells.push(labels.pref.clone());
            cells.push(labels.alt.join("|"));
        }
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

fn skos(name: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{name}"))
}

/// The scheme as SKOS in Turtle. Concepts, labels and links come in the scheme's order, so the
/// same scheme always gives the same bytes.
pub fn to_skos(scheme: &ConceptScheme) -> String {
    let mut ser = TurtleSerializer::new()
        .with_prefix("skos", SKOS)
        .and_then(|s| s.with_prefix("zc", CONCEPT_NS))
        .and_then(|s| s.with_prefix("spiral", COMPONENT_NS))
        .expect("the prefixes are valid IRIs")
        .for_writer(Vec::new());
    let scheme_node = NamedNode::new_unchecked(SCHEME_IRI);
    let mut put = |s: &NamedNode, p: &NamedNode, o: Term| {
        ser.serialize_triple(TripleRef::new(s, p, &o))
            .expect("writing to memory");
    };
    put(
        &scheme_node,
        &rdf::TYPE.into_owned(),
        skos("ConceptScheme").into(),
    );
    put(
        &scheme_node,
        &NamedNode::new_unchecked(OWL_VERSION_INFO),
        Literal::new_simple_literal(scheme.version.to_string()).into(),
    );
    for c in &scheme.concepts {
        let node = NamedNode::new_unchecked(format!("{CONCEPT_NS}{}", c.id));
        put(&node, &rdf::TYPE.into_owned(), skos("Concept").into());
        put(&node, &skos("inScheme"), scheme_node.clone().into());
        if c.top {
            put(&node, &skos("topConceptOf"), scheme_node.clone().into());
        }
        for (language, labels) in LANGUAGES.iter().zip(&c.labels) {
            let literal = |s: &str| {
                Literal::new_language_tagged_literal_unchecked(s, language.as_str()).into()
            };
            put(&node, &skos("prefLabel"), literal(&labels.pref));
            for alt in &labels.alt {
                put(&node, &skos("altLabel"), literal(alt));
            }
        }
        for (property, targets) in [("broader", &c.broader), ("related", &c.related)] {
            for t in targets {
                put(
                    &node,
                    &skos(property),
                    NamedNode::new_unchecked(format!("{CONCEPT_NS}{t}")).into(),
                );
            }
        }
        for code in &c.components {
            put(
                &node,
                &skos("closeMatch"),
                NamedNode::new_unchecked(format!("{COMPONENT_NS}{code}")).into(),
            );
        }
    }
    String::from_utf8(ser.finish().expect("writing to memory")).expect("Turtle is UTF-8")
}

/// Reads SKOS in Turtle back into a scheme, as version `version`. Only concepts of
/// [`CONCEPT_NS`] count; statements the scheme has no place for are ignored.
pub fn parse_skos(file: &str, bytes: &[u8], version: u32) -> Result<ConceptScheme, IngestError> {
    let mut order: Vec<String> = Vec::new();
    let mut concepts: HashMap<String, Concept> = HashMap::new();
    let mut line_of: HashMap<String, u32> = HashMap::new();
    let skos_name = |p: NamedNodeRef<'_>| p.as_str().strip_prefix(SKOS).map(str::to_string);
    for triple in TurtleParser::new().for_slice(bytes) {
        let triple = triple.map_err(|e| {
            IngestError::new(
                file,
                e.location().start.line as u32 + 1,
                format!("not valid Turtle: {}", e.message()),
            )
        })?;
        let oxrdf::NamedOrBlankNode::NamedNode(subject) = &triple.subject else {
            continue;
        };
        let Some(id) = subject.as_str().strip_prefix(CONCEPT_NS) else {
            continue;
        };
        let c = concepts.entry(id.to_string()).or_insert_with(|| {
            order.push(id.to_string());
            Concept {
                id: id.to_string(),
                ..Concept::default()
            }
        });
        let Some(property) = skos_name(triple.predicate.as_ref()) else {
            continue;
        };
        match (property.as_str(), &triple.object) {
            ("topConceptOf", _) => c.top = true,
            ("broader" | "related", Term::NamedNode(o)) => {
                if let Some(target) = o.as_str().strip_prefix(CONCEPT_NS) {
                    let list = if property == "broader" {
                        &mut c.broader
                    } else {
                        &mut c.related
                    };
                    list.push(target.to_string());
                }
            }
            ("closeMatch", Term::NamedNode(o)) => {
                if let Some(code) = o.as_str().strip_prefix(COMPONENT_NS) {
                    c.components.push(code.to_string());
                }
            }
            ("prefLabel" | "altLabel", Term::Literal(l)) => {
                let literal: LiteralRef<'_> = l.as_ref();
                let Some(language) = literal.language().and_then(Language::parse) else {
                    continue;
                };
                let k = LANGUAGES
                    .iter()
                    .position(|x| *x == language)
                    .expect("a scheme language");
                let labels = &mut c.labels[k];
                if property == "prefLabel" {
                    if !labels.pref.is_empty() {
                        return Err(IngestError::new(
                            file,
                            0,
                            format!(
                                "concept {id:?} has two skos:prefLabel in {}: expected one",
                                language.as_str()
                            ),
                        ));
                    }
                    labels.pref = literal.value().to_string();
                } else {
                    labels.alt.push(literal.value().to_string());
                }
            }
            _ => {}
        }
        line_of.entry(id.to_string()).or_insert(0);
    }
    let concepts: Vec<Concept> = order
        .into_iter()
        .map(|id| concepts.remove(&id).expect("every ordered id is a concept"))
        .collect();
    ConceptScheme::new(version, concepts).map_err(|e| scheme_error(file, &e, &line_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_scheme_round_trips_through_skos_and_tsv() {
        let scheme = bundled();
        assert!(scheme.concepts.len() >= 400, "{}", scheme.concepts.len());
        let turtle = to_skos(&scheme);
        let back = parse_skos("scheme.ttl", turtle.as_bytes(), 2).unwrap();
        assert_eq!(back.concepts, scheme.concepts);
        assert_eq!(to_skos(&ConceptScheme { version: 1, ..back }), turtle);
        let tsv = to_tsv(&scheme);
        assert_eq!(tsv, BUNDLED.replace("\r\n", "\n"));
        assert_eq!(parse_tsv("x.tsv", tsv.as_bytes(), 1).unwrap(), scheme);
    }

    #[test]
    fn a_broken_file_names_its_line() {
        let header = COLUMNS.join("\t");
        let row =
            |id: &str, broader: &str| format!("{id}\t\t{broader}\t\t\tfr\t\tde\t\tlb\t\ten\t\n");
        let text = format!("{header}\n{}{}", row("a", ""), row("b", "nowhere"));
        let e = parse_tsv("c.tsv", text.as_bytes(), 1).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("nowhere"), "{e}");
        let cut = format!("{header}\n{}", row("a", "")).replace("en\t\n", "e");
        let e = parse_tsv("c.tsv", cut.as_bytes(), 1).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse_tsv("c.tsv", b"id\tlabel\n", 1).unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse_skos(
            "c.ttl",
            b"@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b ;",
            1,
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }
}

//! Each corpus file cut at ten points: inside a word, between two words of a line, and at the
//! end of a whole record. A cut inside a record is refused as cut, naming the last line; a cut
//! at a record's end cannot be told from a shorter file, so there the result must be a strict
//! subset of the whole file's records (the store holds back updates that shrink stored
//! values). The points are spread evenly over each file, not chosen by hand.

use domain::{Batch, Format};
use ingest::{ErrorKind, Options};

const FILES: [(&str, Format); 4] = [
    ("assises-2-fiches.txt", Format::Assises),
    ("assises-2-wok-differdange.md", Format::Assises),
    ("good-practices-sud-2016.txt", Format::Sud),
    ("spiral-blegny.txt", Format::SpiralCriteria),
];

fn corpus(name: &str) -> String {
    let path = format!("{}/../../data/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    MidWord,
    MidLine,
    RecordEnd,
    /// For a file of one record, which has no inner record end: after a whole line of it,
    /// line break included.
    LineEnd,
}

/// Byte offsets where each record's last line ends, line break included.
fn record_ends(text: &str, name: &str, format: Format) -> Vec<usize> {
    let parsed = ingest::parse_with(
        name,
        text.as_bytes(),
        Options {
            format: Some(format),
            accept_cut: false,
        },
    )
    .unwrap();
    let mut last_lines: Vec<u32> = parsed
        .batch
        .practices
        .iter()
        .map(|p| p.sources[0].last_line)
        .chain(parsed.criterion_lines.iter().copied())
        .collect();
    last_lines.sort_unstable();
    // Line n ends after the n-th line break (or at the end of the file).
    let breaks: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
    last_lines
        .iter()
        .map(|&n| breaks.get(n as usize - 1).copied().unwrap_or(text.len()))
        .collect()
}

/// The byte offset where the first record starts: a cut before it leaves no record at all,
/// which is refused as a file without records rather than as a cut one.
fn first_record_start(text: &str, name: &str, format: Format) -> usize {
    if format == Format::SpiralCriteria {
        // The platform header on the first line is a record.
        return 0;
    }
    let batch = ingest::parse(name, text.as_bytes(), Some(format)).unwrap();
    let first = batch
        .practices
        .iter()
        .map(|p| p.sources[0].first_line)
        .min()
        .unwrap();
    text.split_inclusive('\n')
        .take(first as usize - 1)
        .map(str::len)
        .sum()
}

/// The ten cut points of a file: evenly spread targets, each moved forward to the nearest
/// place of its kind (kinds in turn).
fn cut_points(text: &str, ends: &[usize]) -> Vec<(Kind, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |offset: usize| chars.partition_point(|&(i, _)| i < offset);
    (1..=10)
        .map(|k| {
            let target = text.len() * k / 11;
            let kind = [Kind::MidWord, Kind::MidLine, Kind::RecordEnd][k % 3];
            let offset = match kind {
                Kind::MidWord => {
                    let i = (at(target).max(1)..chars.len())
                        .find(|&i| chars[i - 1].1.is_alphanumeric() && chars[i].1.is_alphanumeric())
                        .expect("a word after the target");
                    chars[i].0
                }
                Kind::MidLine => {
                    let i = (at(target).max(1)..chars.len())
                        .find(|&i| {
                            chars[i].1 == ' '
                                && !chars[i - 1].1.is_whitespace()
                                && chars.get(i + 1).is_some_and(|c| !c.1.is_whitespace())
                        })
                        .expect("a space inside a line after the target");
                    chars[i].0
                }
                Kind::RecordEnd if ends.len() < 2 => {
                    return (
                        Kind::LineEnd,
                        target + text[target..].find('\n').unwrap() + 1,
                    );
                }
                Kind::RecordEnd => {
                    // The ends of the records before the last one.
                    let inner = &ends[..ends.len() - 1];
                    inner
                        .iter()
                        .copied()
                        .find(|&e| e >= target)
                        .or_else(|| inner.last().copied())
                        .expect("a record before the last one")
                }
                Kind::LineEnd => unreachable!("only chosen for files of one record"),
            };
            (kind, offset)
        })
        .collect()
}

fn last_line_of(text: &str) -> u32 {
    text.split('\n')
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .last()
        .map_or(0, |(i, _)| i as u32 + 1)
}

/// Every record of `part` equals one of `whole`, and `part` has fewer records.
fn assert_strict_subset(part: &Batch, whole: &Batch, context: &str) {
    for p in &part.practices {
        assert!(
            whole.practices.contains(p),
            "{context}: practice «{}» differs from the whole file's",
            p.fields.title
        );
    }
    for c in &part.criteria {
        assert!(
            whole.criteria.contains(c),
            "{context}: criterion {:?} differs",
            c.id
        );
    }
    for g in &part.groups {
        assert!(
            whole.groups.contains(g),
            "{context}: group {} differs",
            g.name
        );
    }
    for p in &part.platforms {
        assert!(
            whole.platforms.contains(p),
            "{context}: platform {} differs",
            p.name
        );
    }
    assert!(
        part.practices.len() + part.criteria.len() < whole.practices.len() + whole.criteria.len(),
        "{context}: not fewer records"
    );
}

#[test]
fn every_corpus_file_cut_at_ten_points_is_refused_or_a_strict_subset() {
    let mut refused = 0;
    for (name, format) in FILES {
        let text = corpus(name);
        let whole = ingest::parse(name, text.as_bytes(), Some(format)).unwrap();
        let ends = record_ends(&text, name, format);
        let points = cut_points(&text, &ends);
        let start = first_record_start(&text, name, format);
        assert_eq!(points.len(), 10);
        for (kind, offset) in points {
            let cut = &text[..offset];
            let context = format!("{name} cut at byte {offset} ({kind:?}): …{:?}", {
                let from = cut.char_indices().rev().nth(30).map_or(0, |(i, _)| i);
                &cut[from..]
            });
            let strict = ingest::parse(name, cut.as_bytes(), Some(format));
            eprintln!(
                "{context} => {}",
                strict
                    .as_ref()
                    .map_or_else(ToString::to_string, |b| format!(
                        "accepted: {} practices, {} criteria",
                        b.practices.len(),
                        b.criteria.len()
                    ))
            );
            match (kind, strict) {
                (Kind::RecordEnd, Ok(part)) => assert_strict_subset(&part, &whole, &context),
                (_, Ok(_)) => panic!("{context}: a cut inside a record was accepted"),
                (_, Err(e)) => {
                    refused += 1;
                    if offset > start && kind != Kind::RecordEnd {
                        assert_eq!(e.kind, ErrorKind::Cut, "{context}: {e}");
                        assert_eq!(e.line, last_line_of(cut), "{context}: {e}");
                        assert!(e.to_string().contains("probably cut"), "{context}: {e}");
                        assert!(e.to_string().starts_with(&format!("{name}:")), "{e}");
                    }
                    // Accepting the cut imports what was read, and says where it stops.
                    if e.is_cut() {
                        let accepted = ingest::parse_with(
                            name,
                            cut.as_bytes(),
                            Options {
                                format: Some(format),
                                accept_cut: true,
                            },
                        );
                        if let Ok(parsed) = accepted {
                            let cut_at = parsed.cut.as_ref().expect("the cut is reported");
                            assert_eq!(cut_at.line, e.line, "{context}");
                            assert!(
                                parsed.batch.warnings.iter().any(|w| w.line == e.line
                                    && w.message.contains("probably cut")),
                                "{context}: {:?}",
                                parsed.batch.warnings
                            );
                            // A last practice read short is marked; a row cut before its
                            // practice is left out.
                            if let Some(last) = parsed.batch.practices.last()
                                && !whole.practices.iter().any(|w| w.fields == last.fields)
                            {
                                assert!(last.sources[0].truncated, "{context}");
                            }
                        }
                    }
                }
            }
        }
    }
    // The mid-word and mid-line points (seven per file) are all refused.
    assert!(refused >= 28, "{refused}");
}

#[test]
fn the_cuts_named_in_the_issue_are_refused() {
    // Practice 11's costs cut to "Les frais d'".
    let text = corpus("assises-2-fiches.txt");
    let at = text.find("Les frais d'").expect("practice 11's costs") + "Les frais d'".len();
    let e = ingest::parse("assises-2-fiches.txt", &text.as_bytes()[..at], None).unwrap_err();
    assert!(e.is_cut(), "{e}");
    assert!(e.message.contains("Les frais d'"), "{e}");

    // A SUD theme cut to "Action so".
    let text = corpus("good-practices-sud-2016.txt");
    let at = text.find("Action so").unwrap() + "Action so".len();
    let e = ingest::parse("sud.txt", &text.as_bytes()[..at], None).unwrap_err();
    assert!(e.is_cut(), "{e}");
    assert_eq!(e.line, last_line_of(&text[..at]));
    assert!(e.message.contains("`Action so`"), "{e}");

    // A wikispiral date cut to "2018-10-".
    let text = corpus("spiral-blegny.txt");
    let row = text.find("295019 |").unwrap();
    let at = row + text[row..].find("| 2018-10-31 13:27 |").unwrap() + "| 2018-10-".len();
    let e = ingest::parse("spiral.txt", &text.as_bytes()[..at], None).unwrap_err();
    assert!(e.is_cut(), "{e}");
    assert!(e.message.contains("2018-10-"), "{e}");
    // Accepted, the cut row is left out rather than read with a date in its proposition.
    let parsed = ingest::parse_with(
        "spiral.txt",
        &text.as_bytes()[..at],
        Options {
            format: None,
            accept_cut: true,
        },
    )
    .unwrap();
    assert!(parsed.batch.criteria.is_empty());
    assert!(parsed.batch.criteria.iter().all(|c| {
        c.proposition
            .as_deref()
            .is_none_or(|p| !p.contains("2018-10-"))
    }));
}

#[test]
fn a_criterion_missing_its_last_date_is_cut() {
    let text = corpus("spiral-blegny.txt");
    let row = text.find("295019 |").unwrap();
    let at = row + text[row..].find("13:27 |").unwrap() + "13:27 |".len();
    let e = ingest::parse("spiral.txt", format!("{}\n", &text[..at]).as_bytes(), None).unwrap_err();
    assert!(e.is_cut(), "{e}");
    assert!(e.message.contains("1 of the 2 dates"), "{e}");
}

#[test]
fn every_record_end_of_the_corpus_reads_as_a_strict_subset() {
    // The checks for a cut never refuse a file that stops after a whole record: a complete
    // fiche, row or criterion is not mistaken for a cut one.
    for (name, format) in FILES {
        let text = corpus(name);
        let whole = ingest::parse(name, text.as_bytes(), Some(format)).unwrap();
        let ends = record_ends(&text, name, format);
        for &end in &ends[..ends.len() - 1] {
            let context = format!("{name} stopped at byte {end}");
            let part = ingest::parse(name, &text.as_bytes()[..end], Some(format))
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_strict_subset(&part, &whole, &context);
        }
    }
}

#[test]
fn no_warning_of_the_corpus_lacks_its_line() {
    for (name, _) in FILES {
        let batch = ingest::parse(name, corpus(name).as_bytes(), None).unwrap();
        for w in &batch.warnings {
            assert_ne!(w.line, 0, "{name}: {}", w.message);
        }
    }
}

//! Checks every format shares: control characters, the field limits, and the signs of a file
//! that ends mid-record.

use std::borrow::Cow;
use std::sync::LazyLock;

use domain::limits::{self, Breach, is_stray_control};
use domain::{Batch, Contact, Diagnostic, PracticeFields};
use regex::Regex;

use crate::quote::ranges;
use crate::{ErrorKind, IngestError};

fn is_removed(c: char) -> bool {
    is_stray_control(c)
}

/// JSON's escapes of control characters: `\u0007`, `\b`, `\f` (an escaped backslash before
/// them is skipped by matching it first).
static JSON_CONTROL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\\\\|\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|\\[bf]")
        .expect("regex")
});

/// Removes the control characters no field keeps, with one warning naming the lines where they
/// stood. In JSON they are escaped inside strings: those are named here and removed from the
/// values after parsing ([`remove_controls_from_values`]).
pub(crate) fn strip_controls(text: &str, json: bool) -> (Cow<'_, str>, Option<Diagnostic>) {
    let mut lines: Vec<u32> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut count = 0usize;
    let mut note = |no: u32, code: String| {
        count += 1;
        if lines.last() != Some(&no) {
            lines.push(no);
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    };
    let has_raw = text.chars().any(is_removed);
    let has_escaped = json && text.contains('\\');
    if !has_raw && !has_escaped {
        return (Cow::Borrowed(text), None);
    }
    for (i, line) in text.split('\n').enumerate() {
        let no = i as u32 + 1;
        for c in line.chars().filter(|&c| is_removed(c)) {
            note(no, format!("U+{:04X}", u32::from(c)));
        }
        if json {
            for m in JSON_CONTROL.find_iter(line) {
                let escape = m.as_str();
                if escape != "\\\\" {
                    note(no, format!("`{escape}`"));
                }
            }
        }
    }
    if lines.is_empty() {
        return (Cow::Borrowed(text), None);
    }
    let warning = Diagnostic::new(
        lines[0],
        format!(
            "removed {count} control character{} ({}) on {}: invisible characters no field keeps",
            if count > 1 { "s" } else { "" },
            codes.join(", "),
            ranges(&lines)
        ),
    );
    let text = if has_raw {
        Cow::Owned(text.chars().filter(|&c| !is_removed(c)).collect())
    } else {
        Cow::Borrowed(text)
    };
    (text, Some(warning))
}

/// Removes stray control characters from every value of a batch.
pub(crate) fn remove_controls_from_values(batch: &mut Batch) {
    fn clean(s: &mut String) {
        if let Cow::Owned(c) = limits::remove_controls(s) {
            *s = c;
        }
    }
    fn clean_opt(s: &mut Option<String>) {
        if let Some(s) = s {
            clean(s);
        }
    }
    fn clean_all(v: &mut [String]) {
        v.iter_mut().for_each(clean);
    }
    for p in &mut batch.practices {
        let f: &mut PracticeFields = &mut p.fields;
        clean(&mut f.title);
        for s in [
            &mut f.subtitle,
            &mut f.institution,
            &mut f.organisers,
            &mut f.objectives,
            &mut f.description,
            &mut f.results,
            &mut f.target_public,
            &mut f.place_periodicity,
            &mut f.costs,
            &mut f.other_info,
        ] {
            clean_opt(s);
        }
        clean_all(&mut f.communes);
        clean_all(&mut f.themes);
        clean_all(&mut f.websites);
        clean_all(&mut f.spiral_components);
        for c in &mut f.contacts {
            let Contact {
                name,
                role,
                organisation,
                address,
                phones,
                emails,
            } = c;
            for s in [name, role, organisation, address] {
                clean_opt(s);
            }
            clean_all(phones);
            clean_all(emails);
        }
    }
    for p in &mut batch.platforms {
        clean(&mut p.name);
        clean_opt(&mut p.country);
        clean_all(&mut p.languages);
        clean_opt(&mut p.description);
        clean_opt(&mut p.coordination);
    }
    for g in &mut batch.groups {
        clean(&mut g.name);
        clean(&mut g.platform);
        clean_opt(&mut g.language);
        clean_opt(&mut g.profile);
    }
    for c in &mut batch.criteria {
        clean(&mut c.platform);
        clean(&mut c.group);
        clean(&mut c.question);
        clean(&mut c.text);
        clean_opt(&mut c.proposition);
    }
}

/// Refuses a line longer than any field holds, before a parser builds anything from it: a
/// 50 MB line would otherwise be cleaned, folded and copied many times over.
pub(crate) fn check_line_lengths(document: &str, text: &str) -> Result<(), IngestError> {
    for (i, line) in text.split('\n').enumerate() {
        // Only a line with more bytes than the limit can have more characters.
        if line.len() <= limits::LINE {
            continue;
        }
        let chars = line.chars().count();
        if chars > limits::LINE {
            return Err(IngestError::new(
                document,
                i as u32 + 1,
                format!(
                    "found a line of {chars} characters: expected at most {} (the longest \
                     field, a practice's section, holds {} characters)",
                    limits::LINE,
                    limits::TEXT
                ),
            )
            .with_kind(ErrorKind::TooLong));
        }
    }
    Ok(())
}

/// The error for a record over a field limit: `what` names the record (`the fiche «…»`).
pub(crate) fn too_long(document: &str, line: u32, what: &str, breach: &Breach) -> IngestError {
    IngestError::new(document, line, format!("{what}: {breach}")).with_kind(ErrorKind::TooLong)
}

/// Whether the text stops without a final line break: a file written whole ends with one,
/// a file cut at a byte count usually does not.
pub(crate) fn ends_mid_line(text: &str) -> bool {
    !text.is_empty() && !text.ends_with('\n')
}

/// The last line with text: its number (1-based) and content.
pub(crate) fn last_text_line(text: &str) -> Option<(u32, &str)> {
    text.split('\n')
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .last()
        .map(|(i, l)| (i as u32 + 1, l.trim_end_matches('\r')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_removed_and_named_by_line() {
        let (text, w) = strip_controls("a\u{7}b\nok\r\nc\u{1d}\u{1d}\n", false);
        assert_eq!(text, "ab\nok\r\nc\n");
        let w = w.unwrap();
        assert_eq!(w.line, 1);
        assert!(
            w.message
                .starts_with("removed 3 control characters (U+0007, U+001D) on lines 1, 3"),
            "{}",
            w.message
        );
        let (text, w) = strip_controls("{\"a\": \"x\\u0007y\\\\u0007\\n\"}", true);
        assert_eq!(text, "{\"a\": \"x\\u0007y\\\\u0007\\n\"}");
        let w = w.unwrap();
        assert!(
            w.message
                .contains("removed 1 control character (`\\u0007`) on line 1"),
            "{}",
            w.message
        );
        assert!(strip_controls("tab\tand\nlines\r\n", false).1.is_none());
    }

    #[test]
    fn last_lines_and_final_breaks() {
        assert_eq!(last_text_line("a\nb\n\n  \n"), Some((2, "b")));
        assert!(ends_mid_line("a\nb"));
        assert!(!ends_mid_line("a\nb\n"));
    }
}

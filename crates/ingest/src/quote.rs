//! How the importer quotes a file in its messages: line ranges and short excerpts.

/// `3–9, 13–15` for lines 3,4,…,9,13,14,15.
pub(crate) fn ranges(lines: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut start = lines[0];
    let mut end = lines[0];
    for &l in &lines[1..] {
        if l == end + 1 {
            end = l;
        } else {
            out.push(range(start, end));
            (start, end) = (l, l);
        }
    }
    out.push(range(start, end));
    format!(
        "line{} {}",
        if lines.len() > 1 { "s" } else { "" },
        out.join(", ")
    )
}

fn range(start: u32, end: u32) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}–{end}")
    }
}

pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

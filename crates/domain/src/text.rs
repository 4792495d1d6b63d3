//! Text rules shared by importers, the store and search: folding, slugs, whitespace.

/// Lower-cases and strips accents ("Déifferdeng" → "deifferdeng"), for comparisons and keys.
/// White space (line breaks included, which `deunicode` alone would drop) stays a space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() {
            out.push(' ');
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(ascii) = deunicode::deunicode_char(c) {
            out.extend(ascii.chars().map(|a| a.to_ascii_lowercase()));
        }
    }
    out
}

/// A key for "is this the same thing?": folded, with every run of non-alphanumerics removed.
/// `« WOK – fir Inklusioun »` and `"WOK - fir  Inklusioun"` give the same key.
pub fn identity_key(s: &str) -> String {
    fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A URL slug: folded, words joined by `-`, at most `max` characters, cut at a word boundary.
pub fn slugify(s: &str, max: usize) -> String {
    let folded = fold(s);
    let mut out = String::new();
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() && out.len() + 1 + word.len() > max {
            break;
        }
        if out.is_empty() && word.len() > max {
            out.push_str(&word[..max]);
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    out
}

/// Collapses runs of white space inside a line (including no-break spaces) into one space, and trims.
pub fn normalise_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises a block of text: each line as [`normalise_line`], at most one blank line in a row,
/// no leading or trailing blank lines.
pub fn normalise_block(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in s.lines() {
        let line = normalise_line(line);
        if line.is_empty() && out.last().is_none_or(String::is_empty) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_accents_punctuation_and_spacing() {
        assert_eq!(
            identity_key("« WOK – fir Inklusioun zu Déifferdeng »"),
            identity_key("\"WOK - fir  Inklusioun zu Deifferdeng\"")
        );
        assert_ne!(
            identity_key("Café de Babel"),
            identity_key("Café de Babels")
        );
    }

    #[test]
    fn folding_keeps_line_breaks_as_spaces() {
        assert_eq!(fold("Commune de\nStrassen"), "commune de strassen");
        assert_eq!(fold("Déifferdeng «WOK»"), "deifferdeng <<wok>>");
    }

    #[test]
    fn slugs_are_folded_and_bounded() {
        assert_eq!(
            slugify("« WOK – fir Inklusioun zu Déifferdeng »", 80),
            "wok-fir-inklusioun-zu-deifferdeng"
        );
        assert_eq!(slugify("Équipe d'été, ça marche", 12), "equipe-d-ete");
        assert_eq!(slugify("«»", 10), "");
    }

    #[test]
    fn blocks_keep_single_blank_lines() {
        assert_eq!(normalise_block("\n a  b \n\n\n\u{a0}\nc\n\n"), "a b\n\nc");
    }
}

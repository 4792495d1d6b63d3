//! Communes as reference data: a registry loaded from a file, and the rule that finds the
//! communes a text names ("Ville de Dudelange", "Office social de la commune de Sanem").

use crate::text::fold;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommuneEntry {
    pub name: String,
    pub canton: Option<String>,
    pub aliases: Vec<String>,
    /// The bare name is ambiguous (Luxembourg is also the country): only aliases count.
    pub alias_only: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommuneRegistry {
    entries: Vec<CommuneEntry>,
}

impl CommuneRegistry {
    /// Reads the tab-separated registry (`name canton aliases alias_only note`, `#` comments).
    /// Returns the 1-based line and a message for a malformed row.
    pub fn from_tsv(text: &str) -> Result<Self, (u32, String)> {
        let mut entries = Vec::new();
        let mut header_seen = false;
        for (i, line) in text.lines().enumerate() {
            let no = i as u32 + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            if !header_seen {
                if cells.first().map(|c| c.trim()) != Some("name") {
                    return Err((
                        no,
                        "expected the header `name\tcanton\taliases\talias_only\tnote`".into(),
                    ));
                }
                header_seen = true;
                continue;
            }
            let cell = |i: usize| cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty());
            let Some(name) = cell(0) else {
                return Err((no, "a row without a commune name".into()));
            };
            entries.push(CommuneEntry {
                name: name.to_string(),
                canton: cell(1).map(str::to_string),
                aliases: cell(2)
                    .map(|a| {
                        a.split('|')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                alias_only: cell(3).is_some_and(|v| v.eq_ignore_ascii_case("yes")),
                note: cell(4).map(str::to_string),
            });
        }
        Ok(Self { entries })
    }

    pub fn entries(&self) -> &[CommuneEntry] {
        &self.entries
    }

    /// The canonical name for a name or alias, if the registry knows it.
    pub fn canonical(&self, name: &str) -> Option<&str> {
        let key = fold(name);
        self.entries
            .iter()
            .find(|e| fold(&e.name) == key || e.aliases.iter().any(|a| fold(a) == key))
            .map(|e| e.name.as_str())
    }

    /// Up to `n` commune names closest to a misspelt one ("Strasen" → Strassen), closest
    /// first, compared without case or accents; only names that are really close.
    pub fn closest(&self, name: &str, n: usize) -> Vec<&str> {
        let key = fold(name);
        let mut scored: Vec<(f64, &str)> = self
            .entries
            .iter()
            .flat_map(|e| {
                std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .map(move |label| (label, e.name.as_str()))
            })
            .map(|(label, canonical)| {
                (
                    strsim::normalized_damerau_levenshtein(&key, &fold(label)),
                    canonical,
                )
            })
            .filter(|(score, _)| *score >= 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut out: Vec<&str> = Vec::new();
        for (_, name) in scored {
            if !out.contains(&name) {
                out.push(name);
            }
            if out.len() == n {
                break;
            }
        }
        out
    }

    /// The communes a text names, in order of first mention, each once. Matches whole words
    /// only, accent- and case-insensitively.
    pub fn find_in(&self, text: &str) -> Vec<String> {
        let haystack = fold(text);
        let mut found: Vec<(usize, &str)> = Vec::new();
        for e in &self.entries {
            let names = std::iter::once(&e.name)
                .filter(|_| !e.alias_only)
                .chain(e.aliases.iter());
            let first = names.filter_map(|n| find_word(&haystack, &fold(n))).min();
            if let Some(pos) = first {
                found.push((pos, e.name.as_str()));
            }
        }
        found.sort_by_key(|&(pos, name)| (pos, std::cmp::Reverse(name.len())));
        // "Esch-sur-Alzette" must not also count "Esch-sur-Sûre"-like shorter overlaps; names
        // are distinct words, so a plain de-duplication suffices.
        let mut out: Vec<String> = Vec::new();
        for (_, name) in found {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
        out
    }
}

/// Byte offset of `needle` in `haystack` as a whole word (letters and digits do not touch it).
fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric();
    let mut start = 0;
    while let Some(rel) = haystack[start..].find(needle) {
        let pos = start + rel;
        let end = pos + needle.len();
        let before = haystack[..pos].chars().next_back();
        let after = haystack[end..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return Some(pos);
        }
        start = pos + needle.len().max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "# comment\nname\tcanton\taliases\talias_only\tnote\n\
        Luxembourg\tLuxembourg\tVille de Luxembourg|Luxembourg-Ville\tyes\t\n\
        Redange\tRedange\tRedange/Attert\t\t\n\
        Ell\tRedange\t\t\t\n\
        Esch-sur-Alzette\tEsch\tVille d'Esch\t\t\n";

    #[test]
    fn misspelt_communes_find_their_closest_names() {
        let r = CommuneRegistry::from_tsv(TSV).unwrap();
        let first = r.entries()[0].name.clone();
        let mut typo = first.clone();
        typo.pop();
        assert_eq!(r.closest(&typo, 3).first().copied(), Some(first.as_str()));
        assert!(r.closest("zzzzzzzzzzzz", 3).is_empty());
    }

    #[test]
    fn finds_whole_words_in_order() {
        let r = CommuneRegistry::from_tsv(TSV).unwrap();
        assert_eq!(
            r.find_in("les communes de Ell, Redange/Attert"),
            ["Ell", "Redange"]
        );
        assert_eq!(r.find_in("Elle habite Bellevue"), Vec::<String>::new());
        assert_eq!(
            r.find_in("Café de Babel de la commune\nde Redange"),
            ["Redange"]
        );
        assert_eq!(r.find_in("Ville d'ESCH-sur-Alzette"), ["Esch-sur-Alzette"]);
    }

    #[test]
    fn ambiguous_names_need_an_alias() {
        let r = CommuneRegistry::from_tsv(TSV).unwrap();
        assert!(r.find_in("les foyers d'accueil du Luxembourg").is_empty());
        assert_eq!(r.find_in("Ville de Luxembourg"), ["Luxembourg"]);
        assert_eq!(r.canonical("luxembourg-ville"), Some("Luxembourg"));
    }

    #[test]
    fn malformed_registry_names_the_line() {
        assert_eq!(CommuneRegistry::from_tsv("nom\tx\n").unwrap_err().0, 1);
    }
}

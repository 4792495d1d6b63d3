//! The real corpus, parsed with `ingest` and numbered 1..n as a store would.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use domain::{Practice, PracticeRecord};

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus")
}

/// Every practice of `data/corpus/`, in file-name order. A fiche printed in two documents (the
/// WOK fiche of the booklet and its markdown copy) is one practice with two sources, as the
/// store makes it.
pub fn corpus() -> Vec<Practice> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("data/corpus exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    files.sort();
    let mut records: Vec<PracticeRecord> = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).expect("readable corpus file");
        let batch =
            ingest::parse(&name, &bytes, None).unwrap_or_else(|e| panic!("the corpus parses: {e}"));
        for record in batch.practices {
            let key = record.fields.identity_key();
            match records.iter_mut().find(|r| r.fields.identity_key() == key) {
                Some(existing) => existing.sources.extend(record.sources),
                None => records.push(record),
            }
        }
    }
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| Practice {
            id: i as i64 + 1,
            slug: r.fields.slug(),
            fields: r.fields,
            sources: r.sources,
            status: r.status,
            language: r.language,
            created_at: at,
            updated_at: at,
        })
        .collect()
}

/// The id of the only practice whose title contains `needle`.
pub fn id_of(practices: &[Practice], needle: &str) -> i64 {
    let found: Vec<&Practice> = practices
        .iter()
        .filter(|p| p.fields.title.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "one title contains {needle:?}");
    found[0].id
}

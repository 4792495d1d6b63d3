//! What SPIRAL pages, the API and the PDF read alongside the data: question labels, the active
//! codebook's labels, a platform's synthesis and chart labels.

use std::collections::BTreeMap;

use domain::synthesis::UNCLASSIFIED;
use domain::{Codebook, CodebookEntry, Synthesis};
use store::StoreError;

use crate::AppState;
use crate::i18n::Lang;

/// The question codes in display order, with their short label in the reader's language.
/// Codes come from the reference data; a code without a UI string shows as itself.
pub async fn question_labels(
    state: &AppState,
    lang: &Lang,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(state
        .store
        .questions()
        .await?
        .into_iter()
        .map(|q| {
            let key = format!("question-{}", q.code);
            let label = lang.t(&key);
            let label = if label == key { q.code.clone() } else { label };
            (q.code, label)
        })
        .collect())
}

/// The active codebook, read once per request, with labels in the reader's language.
pub struct Labels {
    entries: BTreeMap<String, CodebookEntry>,
    english: bool,
    to_confirm: String,
    unclassified: String,
}

impl Labels {
    pub async fn load(state: &AppState, lang: &Lang) -> Result<Self, StoreError> {
        let codebook = state.store.active_codebook().await?;
        Ok(Self::new(codebook.as_ref(), lang))
    }

    pub fn new(codebook: Option<&Codebook>, lang: &Lang) -> Self {
        Self {
            entries: codebook
                .map(|c| {
                    c.entries
                        .iter()
                        .map(|e| (e.code.clone(), e.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            // The codebook has French and English labels; German and English readers get
            // English, French and Luxembourgish readers French.
            english: matches!(lang.code(), "en" | "de"),
            to_confirm: lang.t("codebook-to-confirm"),
            unclassified: lang.t("spiral-unclassified"),
        }
    }

    /// A code's label, or `None` when the codebook gives none: never invented.
    pub fn label(&self, code: &str) -> Option<String> {
        let e = self.entries.get(code)?;
        let (first, second) = if self.english {
            (&e.label_en, &e.label_fr)
        } else {
            (&e.label_fr, &e.label_en)
        };
        first.clone().or_else(|| second.clone())
    }

    /// "A01 — Alimentation", or "A08 — A · label to be confirmed" for a code without a label.
    pub fn describe(&self, code: &str) -> String {
        if code == UNCLASSIFIED {
            return self.unclassified.clone();
        }
        let aggregate = code.get(..3).unwrap_or(code);
        match self.label(aggregate) {
            Some(l) if aggregate == code => format!("{code} — {l}"),
            Some(l) => format!("{code} ({aggregate} — {l})"),
            None => format!("{code} — {} · {}", &code[..1], self.to_confirm),
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &CodebookEntry> {
        self.entries.values()
    }

    pub fn is_known(&self, code: &str) -> bool {
        self.entries.contains_key(code.get(..3).unwrap_or(code))
    }
}

/// The synthesis of a platform, or of one of its groups.
pub async fn synthesis(
    state: &AppState,
    platform_id: i64,
    group_id: Option<i64>,
) -> Result<Synthesis, StoreError> {
    let rows = state.store.synthesis_rows(platform_id, group_id).await?;
    Ok(Synthesis::from_rows(&rows))
}

pub fn chart_labels(lang: &Lang, title: String, questions: &[(String, String)]) -> render::Labels {
    render::Labels {
        title,
        questions: questions.to_vec(),
        unclassified: lang.t("spiral-unclassified"),
    }
}

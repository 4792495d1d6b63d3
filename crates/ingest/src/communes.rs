//! The bundled registry of communes (`data/reference/communes-lu.tsv`).

use std::sync::LazyLock;

use domain::communes::CommuneRegistry;

static REGISTRY: LazyLock<CommuneRegistry> = LazyLock::new(|| {
    CommuneRegistry::from_tsv(include_str!("../../../data/reference/communes-lu.tsv"))
        .unwrap_or_else(|(line, msg)| panic!("data/reference/communes-lu.tsv:{line}: {msg}"))
});

/// The communes of Luxembourg, with the spellings documents use.
pub fn registry() -> &'static CommuneRegistry {
    &REGISTRY
}

//! `zesummen concepts`: the concept scheme's versions, exported as SKOS (Turtle) or TSV, and a
//! new version imported from either. A running `serve` follows the new active version within
//! a second, on every node.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use domain::Clock;
use domain::concepts::ConceptScheme;
use store::Store;

use crate::failure::Failure;
use crate::output::write_atomically;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeFormat {
    /// SKOS in Turtle (`skos:prefLabel`, `skos:broader`, …).
    Skos,
    /// The curated tab-separated file of `data/concepts/`.
    Tsv,
}

#[derive(Debug, Subcommand)]
pub enum ConceptsCommand {
    /// List the scheme's versions, the active one marked.
    List,
    /// Write a version of the scheme (the active one unless `--version`).
    Export {
        #[arg(long, value_enum, default_value = "skos")]
        format: SchemeFormat,
        #[arg(long)]
        version: Option<u32>,
        /// Write to this file (whole or not at all) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Store a scheme file as a new version and make it active. A file identical to the
    /// active version changes nothing.
    Import {
        file: PathBuf,
        /// Read as this format instead of guessing from the extension (`.ttl` is SKOS).
        #[arg(long, value_enum)]
        format: Option<SchemeFormat>,
        /// What changed, kept in the history.
        #[arg(long, default_value = "imported from a file")]
        note: String,
    },
}

/// The format of a file, from its extension.
fn format_of(path: &Path) -> SchemeFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("ttl") => SchemeFormat::Skos,
        _ => SchemeFormat::Tsv,
    }
}

/// Reads a scheme file; a bad one is refused naming the file and line.
pub fn read(path: &Path, format: Option<SchemeFormat>) -> Result<ConceptScheme, Failure> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Failure::Input(format!("{shown}: {e}")))?;
    let parsed = match format.unwrap_or_else(|| format_of(path)) {
        SchemeFormat::Skos => ingest::concepts::parse_skos(&shown, &bytes, 0),
        SchemeFormat::Tsv => ingest::concepts::parse_tsv(&shown, &bytes, 0),
    };
    parsed.map_err(|e| Failure::Input(e.to_string()))
}

pub fn write(scheme: &ConceptScheme, format: SchemeFormat) -> String {
    match format {
        SchemeFormat::Skos => ingest::concepts::to_skos(scheme),
        SchemeFormat::Tsv => ingest::concepts::to_tsv(scheme),
    }
}

pub async fn run(
    store: &dyn Store,
    command: ConceptsCommand,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    match command {
        ConceptsCommand::List => {
            let mut out = std::io::stdout().lock();
            for v in store.concept_versions().await? {
                writeln!(
                    out,
                    "{}{}\t{} concepts\t{}\t{}\t{}",
                    v.version,
                    if v.active { " (active)" } else { "" },
                    v.concepts,
                    v.created_at.format("%Y-%m-%d %H:%M"),
                    v.author.as_deref().unwrap_or("-"),
                    v.note
                )
                .context("writing to standard output")?;
            }
            Ok(())
        }
        ConceptsCommand::Export {
            format,
            version,
            out,
        } => {
            let scheme = match version {
                Some(v) => store
                    .concepts_version(v)
                    .await?
                    .ok_or_else(|| Failure::Input(format!("--version {v}: no such version")))?,
                None => store
                    .active_concepts()
                    .await?
                    .ok_or_else(|| Failure::Input("the store has no concept scheme".into()))?,
            };
            let text = write(&scheme, format);
            match out {
                Some(path) => write_atomically(&path, text.as_bytes()),
                None => std::io::stdout()
                    .lock()
                    .write_all(text.as_bytes())
                    .context("writing to standard output")
                    .map_err(Failure::from),
            }
        }
        ConceptsCommand::Import { file, format, note } => {
            let scheme = read(&file, format)?;
            let before = store
                .concept_versions()
                .await?
                .into_iter()
                .find(|v| v.active)
                .map(|v| v.version);
            let version = store
                .put_concepts(&scheme, Some("import"), &note, clock.now())
                .await?;
            if before == Some(version) {
                println!("unchanged: the file is the active version {version}");
            } else {
                println!(
                    "concept scheme version {version} is active ({} concepts)",
                    scheme.concepts.len()
                );
            }
            Ok(())
        }
    }
}

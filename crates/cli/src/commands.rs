//! The commands. Each returns a [`Failure`] that says whether the user's input was at fault
//! (exit code 2) or something else went wrong (exit code 1).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use domain::{Batch, Clock, Diagnostic, SystemClock};
use serde::Serialize;
use store::{CriteriaFilter, Store};

use crate::args::{Cli, Command, ExportFormat, What};
use crate::failure::Failure;
use crate::output::{progress, write_atomically};
use crate::storage::open_store;

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let clock = SystemClock;
    let Cli {
        data_dir,
        database,
        read_database,
        command,
        ..
    } = cli;
    let open = || {
        open_store(
            &data_dir,
            database.as_deref(),
            read_database.as_deref(),
            &clock,
        )
    };
    match command {
        Command::Migrate => {
            let store = open().await?;
            let counts = store.counts().await?;
            println!(
                "schema up to date: {} practices, {} platforms, {} groups, {} criteria",
                counts.practices, counts.platforms, counts.groups, counts.criteria
            );
            Ok(())
        }
        Command::Import {
            format,
            json,
            accept_cut,
            paths,
        } => {
            // Every file is read and parsed before anything is written: a bad file changes nothing.
            let options = ingest::Options {
                format: format.map(Into::into),
                accept_cut,
            };
            let batches = parse_all(&paths, options)?;
            let store = open().await?;
            import(store.as_ref(), batches, json, &clock).await
        }
        Command::Serve {
            addr,
            demo,
            secure_cookies,
            trusted_proxies,
            outbox_retention_days,
        } => {
            let store = open().await?;
            let options = crate::serve::ServeOptions {
                addr,
                demo,
                secure_cookies,
                trusted_proxies,
                outbox_retention: chrono::TimeDelta::days(i64::from(outbox_retention_days)),
            };
            crate::serve::serve(store, &data_dir, &options, Arc::new(clock)).await
        }
        Command::Reindex => {
            let store = open().await?;
            let index: Arc<dyn search::SearchIndex> = crate::serve::open_index(&data_dir)?;
            std::fs::remove_file(data_dir.join("index").join("cursor")).ok();
            crate::serve::prepare_index(store.as_ref(), &index, &data_dir).await?;
            let n = search::SearchIndex::len(index.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("search index: {n} practices");
            Ok(())
        }
        Command::Concepts { command } => {
            let store = open().await?;
            crate::concepts::run(store.as_ref(), command, &clock).await
        }
        Command::EvaluateSuggestions { platform, json } => {
            let store = open().await?;
            Ok(crate::evaluate::run(store.as_ref(), platform, json).await?)
        }
        Command::User { command } => {
            // Checked before the store opens: a refused command writes nothing.
            let checked = crate::user::check(command, &mut std::io::stdin().lock())?;
            let store = open().await?;
            crate::user::run(store.as_ref(), checked, &clock).await
        }
        Command::Backup { out } => crate::backup::run(&data_dir, database.as_deref(), &out).await,
        Command::Export {
            format,
            what,
            theme,
            commune,
            q,
            out,
        } => {
            let filtered = !theme.is_empty() || !commune.is_empty() || q.is_some();
            if format == ExportFormat::Pdf {
                if what.is_some() {
                    return Err(Failure::Input(
                        "--what: the PDF booklet holds practices; choose them with --theme, \
                         --commune and --q"
                            .into(),
                    ));
                }
                let store = open().await?;
                return crate::booklet::export(store, theme, commune, q, out.as_deref()).await;
            }
            if filtered {
                return Err(Failure::Input(
                    "--theme, --commune and --q choose the practices of the PDF booklet \
                     (--format pdf); json and csv export the whole store"
                        .into(),
                ));
            }
            let store = open().await?;
            export(store.as_ref(), format, what, out.as_deref()).await
        }
    }
}

/// Expands directories into the files they hold, sorted by name.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

struct Parsed {
    path: PathBuf,
    batch: Batch,
}

fn parse_all(paths: &[PathBuf], options: ingest::Options) -> Result<Vec<Parsed>, Failure> {
    let files = expand(paths)?;
    let bar = progress(files.len(), "reading");
    let mut parsed = Vec::with_capacity(files.len());
    for path in files {
        let shown = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| Failure::Input(format!("{shown}: {e}")))?;
        let name = path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
        let batch = ingest::parse_with(&name, &bytes, options)
            .map_err(|mut e| {
                // Messages name the path as the user typed it.
                e.file.clone_from(&shown);
                Failure::Input(e.to_string())
            })?
            .batch;
        parsed.push(Parsed { path, batch });
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(parsed)
}

fn batch_len(batch: &Batch) -> usize {
    batch.practices.len() + batch.platforms.len() + batch.groups.len() + batch.criteria.len()
}

#[derive(Serialize)]
struct FileSummary {
    path: String,
    format: String,
    created: u64,
    updated: u64,
    unchanged: u64,
    warnings: Vec<Diagnostic>,
}

#[derive(Serialize)]
struct Summary {
    files: Vec<FileSummary>,
}

async fn import(
    store: &dyn Store,
    batches: Vec<Parsed>,
    json: bool,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    let bar = progress(batches.len(), "importing");
    let mut files = Vec::with_capacity(batches.len());
    for Parsed { path, batch } in batches {
        bar.set_message(format!(
            "{} ({} records)",
            path.display(),
            batch_len(&batch)
        ));
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        let result = store.import(&batch, clock.now()).await.with_context(|| {
            format!(
                "{}: import failed, nothing from this file was written",
                path.display()
            )
        })?;
        let mut warnings = batch.warnings;
        warnings.extend(result.warnings);
        files.push(FileSummary {
            path: path.display().to_string(),
            format: batch.format.to_string(),
            created: result.created,
            updated: result.updated,
            unchanged: result.unchanged,
            warnings,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    // What was imported sits in the database file itself, not only in SQLite's log: a copy of
    // the file alone is whole.
    store.checkpoint().await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &Summary { files }).context("writing summary")?;
        writeln!(out).context("writing summary")?;
    } else {
        for f in &files {
            let what = if f.created == 0 && f.updated == 0 {
                format!("unchanged ({} records)", f.unchanged)
            } else {
                format!(
                    "{} created, {} updated, {} unchanged",
                    f.created, f.updated, f.unchanged
                )
            };
            writeln!(out, "{} ({}): {what}", f.path, f.format).context("writing summary")?;
            for w in &f.warnings {
                writeln!(out, "  warning: {}:{}: {}", f.path, w.line, w.message)
                    .context("writing summary")?;
            }
        }
        let counts = store.counts().await?;
        writeln!(
            out,
            "store: {} practices, {} platforms, {} groups, {} criteria",
            counts.practices, counts.platforms, counts.groups, counts.criteria
        )
        .context("writing summary")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonExport {
    #[serde(skip_serializing_if = "Option::is_none")]
    practices: Option<Vec<domain::Practice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platforms: Option<Vec<domain::Platform>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<domain::HomogeneousGroup>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    criteria: Option<Vec<domain::Criterion>>,
}

async fn export(
    store: &dyn Store,
    format: ExportFormat,
    what: Option<What>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let what = what.unwrap_or(match format {
        ExportFormat::Json => What::All,
        ExportFormat::Csv | ExportFormat::Pdf => What::Practices,
    });
    let mut buffer: Vec<u8> = Vec::new();
    match format {
        ExportFormat::Json => {
            let with_practices = matches!(what, What::Practices | What::All);
            let with_spiral = matches!(what, What::Criteria | What::All);
            let doc = JsonExport {
                practices: if with_practices {
                    Some(store.practices().await?)
                } else {
                    None
                },
                platforms: if with_spiral {
                    Some(store.platforms().await?)
                } else {
                    None
                },
                groups: if with_spiral {
                    Some(store.groups().await?)
                } else {
                    None
                },
                criteria: if with_spiral {
                    Some(store.criteria(&CriteriaFilter::default()).await?)
                } else {
                    None
                },
            };
            serde_json::to_writer_pretty(&mut buffer, &doc).context("serialising the export")?;
            buffer.push(b'\n');
        }
        // `run` hands the booklet to crate::booklet.
        ExportFormat::Pdf => return Err(anyhow::anyhow!("the booklet has its own export").into()),
        ExportFormat::Csv => match what {
            What::Practices => {
                ingest::csv_format::write_practices(&mut buffer, &store.practices().await?)
                    .context("writing CSV")?;
            }
            What::Criteria => {
                let criteria = store.criteria(&CriteriaFilter::default()).await?;
                ingest::csv_format::write_criteria(&mut buffer, &criteria)
                    .context("writing CSV")?;
            }
            What::All => {
                return Err(Failure::Input(
                    "a CSV file holds one kind of record: use --what practices or --what criteria"
                        .into(),
                ));
            }
        },
    }
    match out {
        None => std::io::stdout()
            .lock()
            .write_all(&buffer)
            .context("writing to standard output")?,
        Some(path) => write_atomically(path, &buffer)?,
    }
    Ok(())
}

//! An import, once for every backend: read what the batch can touch, [`plan`], write, all in
//! one write transaction. The rules are [`crate::plan`]'s; the SQL is the backend's.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{Batch, PracticeFields};

use crate::contribution::{NewRevision, import_revision};
use crate::plan::{self, CriterionRow, Existing, Lookups, Plan, PracticeWrite, Write};
use crate::steps::{Backend, Steps};
use crate::{ImportSummary, Result, StoreError};

/// What `Store::import` does on every backend: one write transaction, all or nothing; a
/// refusal names the batch's document.
pub async fn import<B: Backend>(
    backend: &B,
    batch: &Batch,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    let in_document = |e: StoreError| match e {
        StoreError::Database(m) => StoreError::Database(format!("{}: {m}", batch.document)),
        StoreError::Invalid(m) => StoreError::Invalid(format!("{}: {m}", batch.document)),
        other => other,
    };
    let mut tx = backend.begin_write().await.map_err(in_document)?;
    let summary = write(&mut tx, batch, now).await.map_err(in_document)?;
    tx.commit().await.map_err(in_document)?;
    Ok(summary)
}

/// One import inside the caller's write transaction.
async fn write<T: Steps>(tx: &mut T, batch: &Batch, now: DateTime<Utc>) -> Result<ImportSummary> {
    let lookups = Lookups::of(batch);
    let has_spiral =
        !(batch.platforms.is_empty() && batch.groups.is_empty() && batch.criteria.is_empty());
    let existing = Existing {
        practices: tx.stored_practices(&lookups).await?,
        // Only a batch with SPIRAL data needs them (all of them: they are few).
        platforms: if has_spiral {
            tx.platforms(None).await?
        } else {
            Vec::new()
        },
        groups: if has_spiral {
            tx.groups(None).await?
        } else {
            Vec::new()
        },
        criteria: tx.stored_criteria(&lookups).await?,
        codebook: if batch.criteria.is_empty() {
            None
        } else {
            tx.active_codebook().await?
        },
    };
    let mut plan = plan::plan(batch, &existing, now);
    for conflict in &plan.conflicts {
        let stored = tx
            .practices_by_id(&[conflict.practice_id])
            .await?
            .pop()
            .ok_or_else(|| {
                StoreError::Corrupt(format!("practice {} vanished", conflict.practice_id))
            })?;
        plan.summary.warnings.push(plan::deferred_warning(
            conflict,
            (&stored.fields, stored.status, stored.language),
        ));
    }
    // Each new practice and each changed content leaves a revision, diffed against the
    // content as stored before: read it now, before it is overwritten.
    let changed: Vec<i64> = plan
        .practices
        .iter()
        .filter_map(|w| match w {
            PracticeWrite::Update {
                id,
                content: Some(_),
                ..
            } => Some(*id),
            _ => None,
        })
        .collect();
    let before: HashMap<i64, PracticeFields> = tx
        .practices_by_id(&changed)
        .await?
        .into_iter()
        .map(|p| (p.id, p.fields))
        .collect();
    let ids = tx.write_practices(&plan.practices, now).await?;
    let history: Vec<NewRevision> = plan
        .practices
        .iter()
        .zip(&ids)
        .filter_map(|(w, id)| match w {
            PracticeWrite::Insert { content, .. } => Some(import_revision(*id, content, None, now)),
            PracticeWrite::Update {
                content: Some(content),
                ..
            } => Some(import_revision(*id, content, before.get(id), now)),
            PracticeWrite::Update { content: None, .. } => None,
        })
        .collect();
    tx.append_revisions(&history).await?;
    write_spiral(tx, &plan, &existing).await?;
    Ok(plan.summary)
}

/// Writes the planned platforms, groups and criteria: each names its parent by name, which
/// the store or the batch must hold.
async fn write_spiral<T: Steps>(tx: &mut T, plan: &Plan, existing: &Existing) -> Result<()> {
    let mut platform_ids: HashMap<String, i64> = existing
        .platforms
        .iter()
        .filter_map(|p| Some((p.name.clone(), p.id?)))
        .collect();
    for w in &plan.platforms {
        let id = tx.write_platform(w).await?;
        platform_ids.insert(w.value().name.clone(), id);
    }

    let mut group_ids: HashMap<(String, String), i64> = existing
        .groups
        .iter()
        .filter_map(|g| Some(((g.platform.clone(), g.name.clone()), g.id?)))
        .collect();
    for w in &plan.groups {
        let g = w.value();
        let platform = *platform_ids.get(&g.platform).ok_or_else(|| {
            StoreError::Invalid(format!(
                "group «{}» names platform «{}», which is neither stored nor in the batch",
                g.name, g.platform
            ))
        })?;
        let id = tx.write_group(w, platform).await?;
        group_ids.insert((g.platform.clone(), g.name.clone()), id);
    }

    if plan.criteria.is_empty() {
        return Ok(());
    }
    let given_max = plan
        .criteria
        .iter()
        .filter_map(|w| match w {
            Write::Insert(c) => c.id,
            Write::Update(_) => None,
        })
        .max()
        .unwrap_or(0);
    let mut next = tx.next_criterion_id().await?.max(given_max + 1);
    let mut rows = Vec::with_capacity(plan.criteria.len());
    for w in &plan.criteria {
        let c = w.value();
        let group_id = *group_ids
            .get(&(c.platform.clone(), c.group.clone()))
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "criterion «{}» names group «{}» of «{}», which is neither stored nor in \
                     the batch",
                    c.text, c.group, c.platform
                ))
            })?;
        let id = c.id.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        let insert = matches!(w, Write::Insert(_));
        rows.push(CriterionRow {
            insert,
            id,
            group_id,
            criterion: c,
        });
    }
    tx.write_criteria(&rows).await
}

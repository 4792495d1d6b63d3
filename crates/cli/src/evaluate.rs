//! `zesummen evaluate-suggestions`: the classification suggestions measured leave-one-out on
//! the classified criteria in the store, beside the majority class. The concept scheme and the
//! codebook are the store's active versions, as `serve` uses them.

use anyhow::Context;
use search::{SearchIndex, TantivyIndex};
use store::{CriteriaFilter, CriteriaSort, CriteriaSortKey, Store};

pub async fn run(store: &dyn Store, platform: Option<String>, json: bool) -> anyhow::Result<()> {
    let criteria = store
        .criteria_page(
            &CriteriaFilter {
                platform: platform.clone(),
                ..CriteriaFilter::default()
            },
            CriteriaSort {
                key: CriteriaSortKey::Id,
                descending: false,
            },
            0,
            u32::MAX.into(),
        )
        .await
        .context("reading the criteria")?
        .items;
    let codebook = store
        .active_codebook()
        .await
        .context("reading the codebook")?;
    let mut index = TantivyIndex::in_memory().map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(scheme) = store
        .active_concepts()
        .await
        .context("reading the concept scheme")?
    {
        index = index.with_concepts(scheme);
    }
    let e = domain::classify::leave_one_out(&criteria, codebook.as_ref(), &|text| {
        index.component_hints(text)
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(());
    }
    let scope = platform.map_or_else(|| "every platform".to_string(), |p| format!("platform {p}"));
    println!(
        "leave-one-out on {} classified criteria of {scope} (codes by their first three characters)",
        e.criteria
    );
    println!("  top-1           {:.3}", e.top1);
    println!("  top-3           {:.3}", e.top3);
    println!("  majority class  {:.3}", e.majority);
    if !e.misses.is_empty() {
        println!("missed in the first three ({}):", e.misses.len());
        for (text, truth, codes) in &e.misses {
            println!("  {truth} {text:?} → {}", codes.join(" "));
        }
    }
    Ok(())
}

//! Classification suggestions, measured leave-one-out on every classified criterion of the
//! corpus (Blégny): each criterion is classified from the others, the codebook and the concepts
//! it names, and compared with the facilitators' own code by its first three characters
//! (`A01-11/P15/k` counts as `A01`). Printed beside the majority class of the others.
//!
//! `cargo test -p search --test suggestions -- --nocapture` prints the figures.

use std::collections::BTreeMap;
use std::path::Path;

use domain::Criterion;
use domain::classify::{Reason, suggestions};
use search::{SearchIndex, TantivyIndex};

fn criteria() -> Vec<Criterion> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus/spiral-blegny.txt");
    let bytes = std::fs::read(&path).unwrap();
    let batch = ingest::parse("spiral-blegny.txt", &bytes, None).unwrap();
    batch
        .criteria
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c.id = Some(i as i64 + 1);
            c
        })
        .filter(|c| c.component.is_some())
        .collect()
}

#[test]
fn leave_one_out_accuracy_beside_the_majority_class() {
    let all = criteria();
    assert!(all.len() >= 30, "{} classified criteria", all.len());
    let codebook = ingest::reference::bundled().codebook;
    let index = TantivyIndex::in_memory()
        .unwrap()
        .with_concepts(ingest::concepts::bundled());
    let (mut top1, mut top3, mut majority, mut without) = (0, 0, 0, 0);
    for (i, c) in all.iter().enumerate() {
        let truth = c.component.as_ref().unwrap().component().to_string();
        let others: Vec<Criterion> = all
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| o.clone())
            .collect();
        let hints = index.component_hints(&c.text);
        let ranked = suggestions(c, &others, Some(&codebook), &hints, 3);
        let codes: Vec<&str> = ranked.iter().map(|s| s.code.as_str()).collect();
        top1 += usize::from(codes.first() == Some(&truth.as_str()));
        top3 += usize::from(codes.contains(&truth.as_str()));
        let plain = suggestions(c, &others, Some(&codebook), &[], 3);
        without += usize::from(plain.iter().any(|s| s.code == truth));
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for o in &others {
            *counts
                .entry(o.component.as_ref().unwrap().component())
                .or_default() += 1;
        }
        let most = counts
            .iter()
            .max_by_key(|(code, n)| (**n, std::cmp::Reverse(**code)))
            .map(|(code, _)| *code);
        majority += usize::from(most == Some(truth.as_str()));
        for s in &ranked {
            assert!(
                !s.reasons.is_empty(),
                "{}: {} has no reason",
                c.text,
                s.code
            );
        }
        if !codes.contains(&truth.as_str()) {
            println!("  {truth} {:?} → {codes:?}", c.text);
        }
    }
    let n = all.len() as f64;
    let share = |k: usize| k as f64 / n;
    println!(
        "leave-one-out on {} classified criteria of Blégny: top-1 {:.3}, top-3 {:.3}; \
         without concepts top-3 {:.3}; majority class {:.3}",
        all.len(),
        share(top1),
        share(top3),
        share(without),
        share(majority)
    );
    // Measured when this was written: top-1 0.111, top-3 0.333 (0.278 without concepts),
    // majority 0. Ten of the 36 codes occur once in the set, six of them code-only
    // components no label or concept names, so leave-one-out cannot reach them.
    assert!(share(top3) > share(majority));
    assert!(share(top3) >= 0.3, "top-3 fell to {:.3}", share(top3));
    let concepts_gave_a_reason = all.iter().any(|c| {
        suggestions(c, &[], None, &index.component_hints(&c.text), 3)
            .iter()
            .any(|s| matches!(s.reasons[0], Reason::Concept { .. }))
    });
    assert!(concepts_gave_a_reason);
}

//! Counting facet values over the matching documents, from the fast (columnar) fields.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::Facets;
use crate::schema::FacetKind;

/// Counts, for every facet, how many matching documents carry each value.
pub struct FacetCounter;

pub struct SegmentFacetCounter {
    columns: Vec<Option<StrColumn>>,
    /// Per facet, a count per term ordinal of the segment's dictionary.
    counts: Vec<Vec<u64>>,
}

type Counts = [BTreeMap<String, u64>; 6];

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(FacetKind::ALL.len());
        let mut counts = Vec::with_capacity(FacetKind::ALL.len());
        for kind in FacetKind::ALL {
            // A segment where no document has the facet has no column.
            let column = reader.fast_fields().str(kind.field_name())?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(SegmentFacetCounter { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut total = Counts::default();
        for fruit in fruits {
            for (into, from) in total.iter_mut().zip(fruit) {
                for (value, n) in from {
                    *into.entry(value).or_insert(0) += n;
                }
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(&mut self.counts) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::default();
        for ((column, counts), into) in self.columns.iter().zip(self.counts).zip(&mut out) {
            let Some(column) = column else { continue };
            let mut value = String::new();
            for (ord, n) in counts.into_iter().enumerate() {
                if n == 0 {
                    continue;
                }
                value.clear();
                // An ordinal from the column's own dictionary always resolves.
                if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    into.insert(value.clone(), n);
                }
            }
        }
        out
    }
}

impl From<Counts> for Facets {
    fn from(counts: Counts) -> Self {
        let [
            themes,
            communes,
            institutions,
            target_publics,
            sources,
            statuses,
        ] = counts;
        Facets {
            themes,
            communes,
            institutions,
            target_publics,
            sources,
            statuses,
        }
    }
}

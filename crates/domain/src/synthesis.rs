//! SPIRAL syntheses and statistics: counting criteria by question, dimension and component.
//!
//! The store answers one aggregate (`group × question × component → count`), computed by the
//! database; the rules that turn it into the synthesis shapes live here, once, so that every
//! backend and every page counts the same way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Criteria counted by key (a dimension letter, a component code, a month, …), in key order.
pub type Tally = BTreeMap<String, u64>;

/// The key under which unclassified criteria are counted in dimension and component tallies.
pub const UNCLASSIFIED: &str = "?";

/// One row of the aggregate a synthesis is built from: how many criteria of `group` answer
/// `question` within `component` (the three-character code a fine code aggregates to, `None`
/// when the criterion is not classified yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthesisRow {
    pub group: String,
    pub question: String,
    pub component: Option<String>,
    pub count: u64,
}

/// One group's counts within a synthesis.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSynthesis {
    /// Criteria per question.
    pub totals: Tally,
    /// Question → dimension → criteria.
    pub by_question: BTreeMap<String, Tally>,
}

/// The synthesis of a platform (or of one group): criteria per dimension for each question,
/// components per question, and the groups side by side.
///
/// Unclassified criteria count in `totals` and under [`UNCLASSIFIED`] in the tallies, so that
/// every tally of a question sums to its total.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synthesis {
    /// Criteria per question (`{"WB": 11, "IB": 17, "ACT": 8}`).
    pub totals: Tally,
    /// Question → dimension → criteria.
    pub by_question: BTreeMap<String, Tally>,
    /// Question → component → criteria.
    pub by_component: BTreeMap<String, Tally>,
    /// Group → its own counts.
    pub groups: BTreeMap<String, GroupSynthesis>,
}

impl Synthesis {
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a SynthesisRow>) -> Self {
        let mut s = Synthesis::default();
        for row in rows {
            let component = row.component.as_deref().unwrap_or(UNCLASSIFIED);
            let dimension = row
                .component
                .as_deref()
                .and_then(|c| c.get(..1))
                .unwrap_or(UNCLASSIFIED);
            *s.totals.entry(row.question.clone()).or_default() += row.count;
            *s.by_question
                .entry(row.question.clone())
                .or_default()
                .entry(dimension.to_string())
                .or_default() += row.count;
            *s.by_component
                .entry(row.question.clone())
                .or_default()
                .entry(component.to_string())
                .or_default() += row.count;
            let group = s.groups.entry(row.group.clone()).or_default();
            *group.totals.entry(row.question.clone()).or_default() += row.count;
            *group
                .by_question
                .entry(row.question.clone())
                .or_default()
                .entry(dimension.to_string())
                .or_default() += row.count;
        }
        s
    }

    /// All criteria counted.
    pub fn total(&self) -> u64 {
        self.totals.values().sum()
    }

    /// Every dimension that has at least one criterion, in order (unclassified last).
    pub fn dimensions(&self) -> Vec<String> {
        let mut dims: Vec<String> = self
            .by_question
            .values()
            .flat_map(|t| t.keys().cloned())
            .collect();
        dims.sort_by(|a, b| (a == UNCLASSIFIED, a).cmp(&(b == UNCLASSIFIED, b)));
        dims.dedup();
        dims
    }

    /// The components of one dimension, per question: component → question → criteria.
    pub fn components_of(&self, dimension: &str) -> BTreeMap<String, Tally> {
        let mut out: BTreeMap<String, Tally> = BTreeMap::new();
        for (question, tally) in &self.by_component {
            for (component, n) in tally {
                let dim = if component == UNCLASSIFIED {
                    UNCLASSIFIED
                } else {
                    &component[..1]
                };
                if dim == dimension {
                    *out.entry(component.clone())
                        .or_default()
                        .entry(question.clone())
                        .or_default() += n;
                }
            }
        }
        out
    }
}

/// Counts over every platform: what `/spiral/statistiques` shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    pub platforms: u64,
    pub groups: u64,
    pub criteria: u64,
    /// Criteria per question.
    pub by_question: Tally,
    /// Criteria per dimension letter ([`UNCLASSIFIED`] for those without a component).
    pub by_dimension: Tally,
    /// Criteria per month of creation, `YYYY-MM`.
    pub by_month: Tally,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: &str, question: &str, component: Option<&str>, count: u64) -> SynthesisRow {
        SynthesisRow {
            group: group.into(),
            question: question.into(),
            component: component.map(Into::into),
            count,
        }
    }

    #[test]
    fn every_tally_of_a_question_sums_to_its_total() {
        let rows = [
            row("g1", "WB", Some("A01"), 2),
            row("g1", "WB", Some("A02"), 1),
            row("g2", "WB", Some("D00"), 3),
            row("g2", "WB", None, 4),
            row("g1", "IB", Some("D00"), 5),
        ];
        let s = Synthesis::from_rows(&rows);
        assert_eq!(s.totals["WB"], 10);
        assert_eq!(s.totals["IB"], 5);
        assert_eq!(s.total(), 15);
        assert_eq!(s.by_question["WB"]["A"], 3);
        assert_eq!(s.by_question["WB"]["D"], 3);
        assert_eq!(s.by_question["WB"][UNCLASSIFIED], 4);
        assert_eq!(s.by_question["WB"].values().sum::<u64>(), 10);
        assert_eq!(s.by_component["WB"].values().sum::<u64>(), 10);
        assert_eq!(s.groups["g1"].totals["WB"], 3);
        assert_eq!(s.groups["g2"].by_question["WB"][UNCLASSIFIED], 4);
        assert_eq!(s.dimensions(), ["A", "D", UNCLASSIFIED]);
        let d = s.components_of("D");
        assert_eq!(d["D00"]["WB"], 3);
        assert_eq!(d["D00"]["IB"], 5);
    }
}

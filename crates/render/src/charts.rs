//! SVG charts of a SPIRAL synthesis: criteria per dimension for each question, the components
//! within one dimension, and groups side by side.
//!
//! charts-rs escapes every text it draws (titles, series names, axis labels), so group names
//! typed by facilitators are safe to inline.

use charts_rs::{BarChart, Box as Margin, Color, HorizontalBarChart, LegendCategory, Series};
use domain::synthesis::{Synthesis, Tally, UNCLASSIFIED};

#[derive(Debug, thiserror::Error)]
#[error("drawing the chart `{chart}` failed: {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

/// The words a chart shows, in the reader's language.
#[derive(Debug, Clone)]
pub struct Labels {
    pub title: String,
    /// Question code → its short label ("WB" → "Bien-être"), in display order.
    pub questions: Vec<(String, String)>,
    /// Shown instead of [`UNCLASSIFIED`].
    pub unclassified: String,
}

impl Labels {
    fn axis(&self, key: &str) -> String {
        if key == UNCLASSIFIED {
            self.unclassified.clone()
        } else {
            key.to_string()
        }
    }
}

/// Series colours, one per question in order: well-being green, ill-being red, action blue;
/// contrast-checked against white.
const QUESTION_COLOURS: [&str; 3] = ["#2e7d32", "#c62828", "#1565c0"];
/// Colours for groups side by side.
const GROUP_COLOURS: [&str; 8] = [
    "#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#c62828", "#00838f", "#5d4037", "#ad1457",
];

const WIDTH: f32 = 720.0;
const HEIGHT: f32 = 360.0;

fn colour(hex: &str) -> Color {
    Color::from(hex)
}

fn bar_chart(
    name: &str,
    labels: &Labels,
    x: Vec<String>,
    series: Vec<(String, Vec<f32>, &str)>,
) -> Result<String, ChartError> {
    let series_colors = series.iter().map(|(_, _, c)| colour(c)).collect();
    let series_list: Vec<Series> = series
        .into_iter()
        .map(|(name, data, _)| {
            let mut s = Series::new(name, data);
            s.label_show = true;
            s
        })
        .collect();
    let most = series_list
        .iter()
        .flat_map(|s| s.data.iter().copied())
        .fold(0.0_f32, f32::max);
    let mut chart = BarChart::new(series_list, x);
    // Counts are whole: ticks at whole steps, with room above the tallest bar for its label.
    if let Some(y) = chart.y_axis_configs.first_mut() {
        let (splits, top) = count_axis(most);
        y.axis_split_number = splits;
        y.axis_max = Some(top);
    }
    chart.width = WIDTH;
    chart.height = HEIGHT;
    chart.title_text.clone_from(&labels.title);
    chart.title_font_size = 16.0;
    chart.legend_category = LegendCategory::Rect;
    chart.legend_margin = Some(Margin {
        top: 28.0,
        bottom: 8.0,
        ..Default::default()
    });
    chart.series_colors = series_colors;
    chart.series_label_font_size = 11.0;
    chart.background_color = colour("#ffffff");
    chart.svg().map_err(|e| ChartError {
        chart: name.to_string(),
        message: e.to_string(),
    })
}

/// A count axis for bars up to `most`: whole steps (1, 2, 3, …), at most 5 of them, and a
/// top above `most` (charts-rs honours a maximum only above the data).
fn count_axis(most: f32) -> (usize, f32) {
    let top = most.ceil() as usize + 1;
    let step = top.div_ceil(5).max(1);
    let splits = top.div_ceil(step);
    (splits, (step * splits) as f32)
}

fn values(tally: Option<&Tally>, keys: &[String]) -> Vec<f32> {
    keys.iter()
        .map(|k| tally.and_then(|t| t.get(k)).copied().unwrap_or(0) as f32)
        .collect()
}

/// Criteria per dimension (x axis), one bar per question.
pub fn dimensions(synthesis: &Synthesis, labels: &Labels) -> Result<String, ChartError> {
    let dims = synthesis.dimensions();
    let series = labels
        .questions
        .iter()
        .zip(QUESTION_COLOURS.iter().cycle())
        .map(|((code, label), c)| {
            (
                label.clone(),
                values(synthesis.by_question.get(code), &dims),
                *c,
            )
        })
        .collect();
    let x = dims.iter().map(|d| labels.axis(d)).collect();
    bar_chart("dimensions", labels, x, series)
}

/// The components of one dimension (x axis), one bar per question.
pub fn components(
    synthesis: &Synthesis,
    dimension: &str,
    labels: &Labels,
) -> Result<String, ChartError> {
    let per_component = synthesis.components_of(dimension);
    let keys: Vec<String> = per_component.keys().cloned().collect();
    let series = labels
        .questions
        .iter()
        .zip(QUESTION_COLOURS.iter().cycle())
        .map(|((code, label), c)| {
            let data = keys
                .iter()
                .map(|k| per_component[k].get(code).copied().unwrap_or(0) as f32)
                .collect();
            (label.clone(), data, *c)
        })
        .collect();
    let x = keys.iter().map(|k| labels.axis(k)).collect();
    bar_chart("components", labels, x, series)
}

/// Groups side by side: criteria per dimension (x axis), one bar per group, for one question
/// or, with `None`, all questions together.
pub fn groups(
    synthesis: &Synthesis,
    question: Option<&str>,
    labels: &Labels,
) -> Result<String, ChartError> {
    let dims = synthesis.dimensions();
    let series = synthesis
        .groups
        .iter()
        .zip(GROUP_COLOURS.iter().cycle())
        .map(|((name, g), c)| {
            let data = dims
                .iter()
                .map(|d| {
                    g.by_question
                        .iter()
                        .filter(|(q, _)| question.is_none_or(|want| want == q.as_str()))
                        .map(|(_, t)| t.get(d).copied().unwrap_or(0))
                        .sum::<u64>() as f32
                })
                .collect();
            (name.clone(), data, *c)
        })
        .collect();
    let x = dims.iter().map(|d| labels.axis(d)).collect();
    bar_chart("groups", labels, x, series)
}

/// One tally as horizontal bars (statistics: per dimension, per month).
pub fn tally(name: &str, tally: &Tally, labels: &Labels) -> Result<String, ChartError> {
    let keys: Vec<String> = tally.keys().cloned().collect();
    let data = keys.iter().map(|k| tally[k] as f32).collect();
    let mut series = Series::new(labels.title.clone(), data);
    series.label_show = true;
    let height = (keys.len() as f32).mul_add(26.0, 90.0).max(160.0);
    let mut chart =
        HorizontalBarChart::new(vec![series], keys.iter().map(|k| labels.axis(k)).collect());
    chart.width = WIDTH;
    chart.height = height;
    chart.title_text.clone_from(&labels.title);
    chart.title_font_size = 16.0;
    chart.legend_show = Some(false);
    chart.series_colors = vec![colour(GROUP_COLOURS[0])];
    chart.background_color = colour("#ffffff");
    chart.svg().map_err(|e| ChartError {
        chart: name.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use domain::synthesis::SynthesisRow;

    use super::*;

    fn labels() -> Labels {
        Labels {
            title: "Critères <par> dimension".into(),
            questions: vec![
                ("WB".into(), "Bien-être".into()),
                ("IB".into(), "Mal-être".into()),
                ("ACT".into(), "Actions".into()),
            ],
            unclassified: "non classé".into(),
        }
    }

    fn synthesis() -> Synthesis {
        let row = |g: &str, q: &str, c: Option<&str>, n| SynthesisRow {
            group: g.into(),
            question: q.into(),
            component: c.map(Into::into),
            count: n,
        };
        Synthesis::from_rows(&[
            row("Parents <b>", "WB", Some("A01"), 3),
            row("Parents <b>", "IB", Some("D00"), 7),
            row("Jeunes", "IB", None, 2),
            row("Jeunes", "ACT", Some("D02"), 1),
        ])
    }

    /// charts-rs writes each text on its own line inside `<text>`.
    fn has_text(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">\n{text}\n<"))
    }

    fn xml_ok(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed XML: {e}\n{svg}"),
            }
        }
    }

    #[test]
    fn dimension_chart_draws_every_dimension_and_question_with_escaped_text() {
        let svg = dimensions(&synthesis(), &labels()).unwrap();
        xml_ok(&svg);
        assert!(svg.starts_with("<svg"));
        for text in ["A", "D", "non classé", "Bien-être", "Mal-être", "7"] {
            assert!(has_text(&svg, text), "{text} missing");
        }
        assert!(svg.contains("Critères &lt;par&gt; dimension"));
        assert!(!svg.contains("<par>"));
    }

    #[test]
    fn component_and_group_charts() {
        let s = synthesis();
        let svg = components(&s, "D", &labels()).unwrap();
        xml_ok(&svg);
        assert!(has_text(&svg, "D00") && has_text(&svg, "D02") && !has_text(&svg, "A01"));
        let svg = groups(&s, None, &labels()).unwrap();
        xml_ok(&svg);
        assert!(has_text(&svg, "Parents &lt;b&gt;") && has_text(&svg, "Jeunes"));
        let svg = tally("months", &s.totals, &labels()).unwrap();
        xml_ok(&svg);
        assert!(has_text(&svg, "WB"));
    }

    #[test]
    fn count_axes_step_by_whole_numbers_above_the_tallest_bar() {
        for (most, expected) in [
            (0.0, (1, 1.0)),
            (2.0, (3, 3.0)),
            (7.0, (4, 8.0)),
            (11.0, (4, 12.0)),
            (36.0, (5, 40.0)),
            (1000.0, (5, 1005.0)),
        ] {
            assert_eq!(count_axis(most), expected, "{most}");
            let (splits, top) = expected;
            assert!(top > most);
            assert_eq!((top as usize) % splits, 0, "whole steps for {most}");
        }
    }
}

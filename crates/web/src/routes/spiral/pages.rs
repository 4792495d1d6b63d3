//! SPIRAL pages. They work without JavaScript; every list links to its CSV or JSON.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::synthesis::{Tally, UNCLASSIFIED};
use domain::{
    ActionStatus, Criterion, Evaluation, HomogeneousGroup, Indicator, PilotAction, Platform,
    Synthesis,
};
use store::{ActionFilter, CriteriaFilter};

use super::labels::{Labels, chart_labels, question_labels, synthesis};
use super::params::{
    ActionsQuery, CriteriaSelection, GroupQuery, IndicatorsQuery, SynthesisQuery, Vocabulary,
};
use crate::AppState;
use crate::i18n::Lang;
use crate::page::{AnswerView, Layout, Link, PageError, path_id, path_segment, render};
use crate::params::PageQuery;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/spiral",
            get(|| async { Redirect::permanent("/spiral/plateformes") }),
        )
        .route("/spiral/plateformes", get(platforms_page))
        .route("/spiral/plateformes/{id}", get(platform_page))
        .route("/spiral/plateformes/{id}/synthese", get(synthesis_page))
        .route(
            "/spiral/plateformes/{id}/synthese/impression",
            get(print_page),
        )
        .route("/spiral/plateformes/{id}/synthese.pdf", get(synthesis_pdf))
        .route("/spiral/groupes/{id}", get(group_page))
        .route("/spiral/criteres", get(criteria_page))
        .route("/spiral/criteres/{id}", get(criterion_page))
        .route("/spiral/codebook", get(codebook_page))
        .route("/spiral/statistiques", get(statistics_page))
        .route("/spiral/actions", get(actions_page))
        .route("/spiral/actions/{id}", get(action_page))
        .route("/spiral/indicateurs", get(indicators_page))
        .route("/spiral/indicateurs/{id}", get(indicator_page))
}

pub fn platform_href(id: Option<i64>) -> String {
    format!("/spiral/plateformes/{}", id.unwrap_or_default())
}

pub fn group_href(id: Option<i64>) -> String {
    format!("/spiral/groupes/{}", id.unwrap_or_default())
}

/// One row of counts per question, in the questions' order, and the total.
#[derive(Clone)]
pub struct CountRow {
    pub label: String,
    pub href: String,
    pub counts: Vec<u64>,
    pub total: u64,
}

fn count_row(
    label: String,
    href: String,
    totals: &Tally,
    questions: &[(String, String)],
) -> CountRow {
    CountRow {
        label,
        href,
        counts: questions
            .iter()
            .map(|(q, _)| totals.get(q).copied().unwrap_or(0))
            .collect(),
        total: totals.values().sum(),
    }
}

// ---------------------------------------------------------------- platforms

#[derive(Template)]
#[template(path = "spiral/platforms.html")]
struct PlatformsPage {
    lang: Lang,
    layout: Layout,
    questions: Vec<(String, String)>,
    rows: Vec<CountRow>,
    may_create: bool,
    csrf: String,
}

async fn platforms_page(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let platforms = state.store.platforms().await?;
    let questions = question_labels(&state, lang).await?;
    let mut rows = Vec::with_capacity(platforms.len());
    for p in &platforms {
        let s = synthesis(&state, p.id.unwrap_or_default(), None).await?;
        rows.push(count_row(
            p.name.clone(),
            platform_href(p.id),
            &s.totals,
            &questions,
        ));
    }
    let page = PlatformsPage {
        layout: layout.at("/spiral/plateformes"),
        questions,
        rows,
        may_create: viewer
            .account()
            .is_some_and(domain::Account::may_create_platform),
        csrf: viewer.csrf(),
        lang: lang.clone(),
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "spiral/platform.html")]
struct PlatformPage {
    lang: Lang,
    layout: Layout,
    p: Platform,
    questions: Vec<(String, String)>,
    groups: Vec<(HomogeneousGroup, CountRow)>,
    total: CountRow,
    criteria_href: String,
    actions: Vec<PilotAction>,
    indicators: Vec<Indicator>,
    may_write: bool,
    csrf: String,
}

async fn platform_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let (id, p) = platform_of(&state, &id).await?;
    let questions = question_labels(&state, lang).await?;
    let s = synthesis(&state, id, None).await?;
    let groups = state
        .store
        .groups()
        .await?
        .into_iter()
        .filter(|g| g.platform == p.name)
        .map(|g| {
            let totals = s
                .groups
                .get(&g.name)
                .map(|x| x.totals.clone())
                .unwrap_or_default();
            let row = count_row(g.name.clone(), group_href(g.id), &totals, &questions);
            (g, row)
        })
        .collect();
    let mut all = CriteriaSelection::default();
    all.filter.platform = Some(p.name.clone());
    let actions = state
        .store
        .actions(&ActionFilter {
            platform: Some(p.name.clone()),
            ..ActionFilter::default()
        })
        .await?;
    let indicators = state.store.indicators(Some(&p.name)).await?;
    let page = PlatformPage {
        layout: layout.at(platform_href(p.id)),
        total: count_row(lang.t("spiral-total"), String::new(), &s.totals, &questions),
        questions,
        groups,
        criteria_href: all.href("/spiral/criteres", Vocabulary::Page),
        actions,
        indicators,
        may_write: viewer.may_write_platform(&p.name),
        csrf: viewer.csrf(),
        p,
        lang: lang.clone(),
    };
    render(&page)
}

// ---------------------------------------------------------------- groups

pub struct CriterionView {
    pub c: Criterion,
    pub href: String,
    pub question: String,
    pub component: Option<String>,
    pub known: bool,
}

fn criterion_views(
    criteria: Vec<Criterion>,
    labels: &Labels,
    questions: &[(String, String)],
) -> Vec<CriterionView> {
    criteria
        .into_iter()
        .map(|c| CriterionView {
            href: format!("/spiral/criteres/{}", c.id.unwrap_or_default()),
            question: questions
                .iter()
                .find(|(q, _)| *q == c.question)
                .map_or_else(|| c.question.clone(), |(_, l)| l.clone()),
            component: c
                .component
                .as_ref()
                .map(|code| labels.describe(code.as_str())),
            known: c
                .component
                .as_ref()
                .is_none_or(|code| labels.is_known(code.as_str())),
            c,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "spiral/group.html")]
struct GroupPage {
    lang: Lang,
    layout: Layout,
    g: HomogeneousGroup,
    platform_href: String,
    questions: Vec<(String, String)>,
    counts: CountRow,
    criteria: Vec<CriterionView>,
    chart: String,
    may_write: bool,
    csrf: String,
    /// The question the entry form keeps selected between post-its.
    entry_question: String,
    saved: bool,
}

async fn group_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<GroupQuery>,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let g = state
        .store
        .group(id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let platform = state
        .store
        .platforms()
        .await?
        .into_iter()
        .find(|p| p.name == g.platform)
        .ok_or_else(PageError::not_found)?;
    let questions = question_labels(&state, lang).await?;
    let labels = Labels::load(&state, lang).await?;
    let s = synthesis(&state, platform.id.unwrap_or_default(), Some(id)).await?;
    let criteria = state
        .store
        .criteria(&CriteriaFilter {
            platform: Some(g.platform.clone()),
            group: Some(g.name.clone()),
            ..CriteriaFilter::default()
        })
        .await?;
    let chart_title = lang.with("spiral-chart-dimensions-of", "name", &g.name);
    let chart = render::charts::dimensions(&s, &chart_labels(lang, chart_title, &questions))?;
    let entry_question = query
        .question
        .filter(|q| questions.iter().any(|(c, _)| c == q))
        .or_else(|| questions.first().map(|(c, _)| c.clone()))
        .unwrap_or_default();
    let page = GroupPage {
        layout: layout.at(group_href(g.id)),
        platform_href: platform_href(platform.id),
        counts: count_row(g.name.clone(), String::new(), &s.totals, &questions),
        criteria: criterion_views(criteria, &labels, &questions),
        questions,
        chart,
        may_write: viewer.may_write_platform(&g.platform),
        csrf: viewer.csrf(),
        entry_question,
        saved: query.saved,
        g,
        lang: lang.clone(),
    };
    render(&page)
}

// ---------------------------------------------------------------- criteria

pub struct SortLink {
    pub label: String,
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub state: &'static str,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The codebook's components under their dimensions, as the choices of a classification
/// list, `selected` chosen.
pub fn component_choices(labels: &Labels, selected: Option<&str>) -> Vec<(String, Vec<Choice>)> {
    let mut components: Vec<(String, Vec<Choice>)> = Vec::new();
    for e in labels.entries() {
        if e.level == "dimension" {
            components.push((labels.describe(&e.code), Vec::new()));
        } else if let Some((_, list)) = components.last_mut() {
            list.push(Choice {
                value: e.code.clone(),
                label: labels.describe(&e.code),
                selected: selected == Some(e.code.as_str()),
            });
        }
    }
    components
}

#[derive(Template)]
#[template(path = "spiral/criteria.html")]
struct CriteriaPage {
    lang: Lang,
    layout: Layout,
    count_text: String,
    columns: Vec<SortLink>,
    rows: Vec<CriterionView>,
    platforms: Vec<Choice>,
    groups: Vec<Choice>,
    questions: Vec<Choice>,
    dimensions: Vec<Choice>,
    component: String,
    sort: String,
    page_text: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    csv_href: String,
    json_href: String,
}

/// The columns of the wikispiral criteria table, with their sort keys.
pub const CRITERIA_COLUMNS: [&str; 11] = [
    "id",
    "platform",
    "group",
    "question",
    "expressions",
    "text",
    "component",
    "meaning",
    "proposition",
    "created",
    "modified",
];

async fn criteria_page(
    State(state): State<AppState>,
    layout: Layout,
    PageQuery(sel): PageQuery<CriteriaSelection>,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let found = state
        .store
        .criteria_page(
            &sel.filter,
            sel.sort(),
            sel.offset(),
            u64::from(sel.per_page),
        )
        .await?;
    let questions = question_labels(&state, lang).await?;
    let labels = Labels::load(&state, lang).await?;
    let pages = found.total.div_ceil(u64::from(sel.per_page)).max(1);
    let path = "/spiral/criteres";
    let columns = CRITERIA_COLUMNS
        .iter()
        .map(|key| SortLink {
            label: lang.t(&format!("criteria-col-{key}")),
            href: sel.sorted_by(key).href(path, Vocabulary::Page),
            state: if sel.sort == *key {
                "ascending"
            } else if sel.sort.strip_prefix('-') == Some(key) {
                "descending"
            } else {
                "none"
            },
        })
        .collect();
    let platforms = state.store.platforms().await?;
    let groups = state.store.groups().await?;
    let f = &sel.filter;
    let choice = |value: &str, label: String, current: Option<&String>| Choice {
        value: value.to_string(),
        label,
        selected: current.is_some_and(|c| c == value),
    };
    let page = CriteriaPage {
        layout: layout.at(sel.href(path, Vocabulary::Page)),
        count_text: lang.count("criteria-count", found.total),
        columns,
        rows: criterion_views(found.items, &labels, &questions),
        platforms: platforms
            .iter()
            .map(|p| choice(&p.name, p.name.clone(), f.platform.as_ref()))
            .collect(),
        groups: groups
            .iter()
            .filter(|g| f.platform.as_ref().is_none_or(|p| *p == g.platform))
            .map(|g| choice(&g.name, g.name.clone(), f.group.as_ref()))
            .collect(),
        questions: questions
            .iter()
            .map(|(q, l)| choice(q, l.clone(), f.question.as_ref()))
            .collect(),
        dimensions: labels
            .entries()
            .filter(|e| e.level == "dimension")
            .map(|e| choice(&e.code, labels.describe(&e.code), f.dimension.as_ref()))
            .collect(),
        component: f.component.clone().unwrap_or_default(),
        sort: sel.sort.clone(),
        page_text: lang.t_args(
            "page-of",
            &[
                ("page", u64::from(sel.page).into()),
                ("pages", pages.into()),
            ],
        ),
        prev_href: (sel.page > 1).then(|| sel.at_page(sel.page - 1).href(path, Vocabulary::Page)),
        next_href: (u64::from(sel.page) < pages)
            .then(|| sel.at_page(sel.page + 1).href(path, Vocabulary::Page)),
        csv_href: sel
            .all_pages()
            .href("/api/v1/spiral/criteria.csv", Vocabulary::Api),
        json_href: sel.href("/api/v1/spiral/criteria", Vocabulary::Api),
        lang: lang.clone(),
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "spiral/criterion.html")]
struct CriterionPage {
    lang: Lang,
    layout: Layout,
    v: CriterionView,
    group_href: String,
    components: Vec<(String, Vec<Choice>)>,
    suggestions: Vec<Choice>,
    meanings: Vec<Choice>,
    actions: Vec<PilotAction>,
    practices: Vec<AnswerView>,
    may_write: bool,
    csrf: String,
}

async fn criterion_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let c = state
        .store
        .criterion(id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let group = state
        .store
        .groups()
        .await?
        .into_iter()
        .find(|g| g.platform == c.platform && g.name == c.group);
    let questions = question_labels(&state, lang).await?;
    let labels = Labels::load(&state, lang).await?;
    let current = c.component.as_ref().map(|x| x.as_str().to_string());
    let components = component_choices(&labels, current.as_deref());
    let words = match &c.proposition {
        Some(p) => format!("{} {p}", c.text),
        None => c.text.clone(),
    };
    let suggestions = super::suggest::suggestions(&state, &c, 5)
        .await?
        .into_iter()
        .map(|s| Choice {
            label: labels.describe(&s.code),
            selected: current.as_deref() == Some(s.code.as_str()),
            value: s.code,
        })
        .collect();
    let meanings = state
        .store
        .meaning_codes()
        .await?
        .into_iter()
        .map(|m| {
            let label = if lang.code() == "en" || lang.code() == "de" {
                m.label_en.clone().or(m.label_fr.clone())
            } else {
                m.label_fr.clone().or(m.label_en.clone())
            };
            Choice {
                selected: c.meaning.as_ref().is_some_and(|x| x.as_str() == m.code),
                label: label.map_or_else(|| m.code.clone(), |l| format!("{} — {l}", m.code)),
                value: m.code,
            }
        })
        .collect();
    let actions = state
        .store
        .actions(&ActionFilter {
            criterion: Some(id),
            ..ActionFilter::default()
        })
        .await?;
    // The bridge to the catalogue: practices that share what this criterion speaks of.
    let code = c.component.as_ref().and_then(|x| x.as_str().get(..3));
    let found = state.answers(words, code, 5).await?;
    let practices = AnswerView::all(&found, code, lang.code());
    let may_write = viewer.may_write_platform(&c.platform);
    let mut views = criterion_views(vec![c], &labels, &questions);
    let v = views.remove(0);
    let page = CriterionPage {
        layout: layout.at(v.href.clone()),
        group_href: group.map(|g| group_href(g.id)).unwrap_or_default(),
        components,
        suggestions,
        meanings,
        actions,
        practices,
        may_write,
        csrf: viewer.csrf(),
        v,
        lang: lang.clone(),
    };
    render(&page)
}

// ---------------------------------------------------------------- codebook

pub struct CodeRow {
    pub code: String,
    pub level: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub status: String,
    pub source: Option<String>,
}

#[derive(Template)]
#[template(path = "spiral/codebook.html")]
struct CodebookPage {
    lang: Lang,
    layout: Layout,
    version: String,
    versions: Vec<store::CodebookVersion>,
    rows: Vec<CodeRow>,
    meanings: Vec<domain::MeaningEntry>,
    questions: Vec<domain::QuestionEntry>,
    scale: Vec<domain::ScaleLevel>,
    may_import: bool,
    csrf: String,
}

async fn codebook_page(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let codebook = state.store.active_codebook().await?;
    let labels = Labels::new(codebook.as_ref(), lang);
    let rows = codebook
        .as_ref()
        .map(|c| {
            c.entries
                .iter()
                .map(|e| CodeRow {
                    code: e.code.clone(),
                    level: e.level.clone(),
                    label: labels.label(&e.code),
                    description: e.description_en.clone(),
                    status: e.status.clone(),
                    source: e.source.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = CodebookPage {
        layout: layout.at("/spiral/codebook"),
        version: codebook.map(|c| c.version).unwrap_or_default(),
        versions: state.store.codebook_versions().await?,
        rows,
        meanings: state.store.meaning_codes().await?,
        questions: state.store.questions().await?,
        scale: state.store.scale().await?,
        may_import: viewer
            .account()
            .is_some_and(domain::Account::may_create_platform),
        csrf: viewer.csrf(),
        lang: lang.clone(),
    };
    render(&page)
}

// ---------------------------------------------------------------- syntheses

/// A table of counts: one row per key, one column per question.
pub struct TallyTable {
    pub caption: String,
    pub rows: Vec<CountRow>,
}

fn dimension_table(
    s: &Synthesis,
    labels: &Labels,
    questions: &[(String, String)],
    caption: String,
) -> TallyTable {
    let rows = s
        .dimensions()
        .into_iter()
        .map(|d| {
            let totals: Tally = s
                .by_question
                .iter()
                .map(|(q, t)| (q.clone(), t.get(&d).copied().unwrap_or(0)))
                .collect();
            count_row(labels.describe(&d), String::new(), &totals, questions)
        })
        .collect();
    TallyTable { caption, rows }
}

#[derive(Template)]
#[template(path = "spiral/synthesis.html")]
struct SynthesisPage {
    lang: Lang,
    layout: Layout,
    p: Platform,
    group: Option<HomogeneousGroup>,
    groups: Vec<Choice>,
    questions: Vec<(String, String)>,
    totals: CountRow,
    dimension_chart: String,
    dimension_table: TallyTable,
    dimension_links: Vec<Choice>,
    component_chart: String,
    component_table: TallyTable,
    groups_chart: String,
    groups_table: Vec<CountRow>,
    answers: Vec<DimensionAnswers>,
    print_href: String,
    json_href: String,
    pdf_href: Option<String>,
}

/// One of the most frequent ill-being dimensions of a synthesis, and the practices of the
/// catalogue that answer its criteria.
pub struct DimensionAnswers {
    pub label: String,
    pub criteria: u64,
    pub href: String,
    pub practices: Vec<AnswerView>,
}

/// The ill-being dimensions a synthesis answers with practices: the most frequent ones.
const ANSWERED_DIMENSIONS: usize = 3;
/// Criteria of a dimension whose words are read: its latest.
const ANSWERED_CRITERIA: u64 = 100;

/// For the most frequent ill-being dimensions of a platform or a group, the practices that
/// answer its criteria taken together, sharing their concepts and the dimension.
async fn ill_being_answers(
    state: &AppState,
    platform: &str,
    group: Option<&str>,
    s: &Synthesis,
    labels: &Labels,
    lang: &Lang,
) -> Result<Vec<DimensionAnswers>, PageError> {
    let mut dims: Vec<(&String, u64)> = s
        .by_question
        .get("IB")
        .map(|t| {
            t.iter()
                .filter(|(d, _)| d.as_str() != domain::synthesis::UNCLASSIFIED)
                .map(|(d, n)| (d, *n))
                .collect()
        })
        .unwrap_or_default();
    dims.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut out = Vec::new();
    for (dimension, n) in dims.into_iter().take(ANSWERED_DIMENSIONS) {
        let filter = CriteriaFilter {
            platform: Some(platform.to_string()),
            group: group.map(str::to_string),
            question: Some("IB".to_string()),
            dimension: Some(dimension.clone()),
            ..CriteriaFilter::default()
        };
        let criteria = state
            .store
            .criteria_page(
                &filter,
                store::CriteriaSort {
                    key: store::CriteriaSortKey::Id,
                    descending: true,
                },
                0,
                ANSWERED_CRITERIA,
            )
            .await?
            .items;
        let words: Vec<&str> = criteria.iter().map(|c| c.text.as_str()).collect();
        let code = format!("{dimension}00");
        let found = state.answers(words.join("\n"), Some(&code), 3).await?;
        let practices = AnswerView::all(&found, None, lang.code());
        let mut sel = CriteriaSelection {
            filter,
            ..CriteriaSelection::default()
        };
        sel.filter.platform = Some(platform.to_string());
        out.push(DimensionAnswers {
            label: labels.describe(dimension),
            criteria: n,
            href: sel.href("/spiral/criteres", Vocabulary::Page),
            practices,
        });
    }
    Ok(out)
}

async fn synthesis_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<SynthesisQuery>,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let (id, p) = platform_of(&state, &id).await?;
    let all_groups: Vec<HomogeneousGroup> = state
        .store
        .groups()
        .await?
        .into_iter()
        .filter(|g| g.platform == p.name)
        .collect();
    // A group of another platform is as unknown as no group at all.
    let group = match query.group {
        Some(id) => Some(
            all_groups
                .iter()
                .find(|g| g.id == Some(id))
                .cloned()
                .ok_or_else(PageError::bad_request)?,
        ),
        None => None,
    };
    let questions = question_labels(&state, lang).await?;
    let labels = Labels::load(&state, lang).await?;
    let s = synthesis(&state, id, group.as_ref().and_then(|g| g.id)).await?;
    let scope = group.as_ref().map_or(&p.name, |g| &g.name).clone();
    let dimension_chart = render::charts::dimensions(
        &s,
        &chart_labels(
            lang,
            lang.with("spiral-chart-dimensions-of", "name", &scope),
            &questions,
        ),
    )?;
    let dims = s.dimensions();
    let dimension = query
        .dimension
        .filter(|d| dims.contains(d))
        .or_else(|| dims.first().cloned())
        .unwrap_or_default();
    let component_chart = if dimension.is_empty() {
        String::new()
    } else {
        render::charts::components(
            &s,
            &dimension,
            &chart_labels(
                lang,
                lang.with(
                    "spiral-chart-components-of",
                    "name",
                    &labels.describe(&dimension),
                ),
                &questions,
            ),
        )?
    };
    let component_table = TallyTable {
        caption: lang.with(
            "spiral-chart-components-of",
            "name",
            &labels.describe(&dimension),
        ),
        rows: s
            .components_of(&dimension)
            .iter()
            .map(|(c, t)| count_row(labels.describe(c), String::new(), t, &questions))
            .collect(),
    };
    let groups_chart = render::charts::groups(
        &s,
        None,
        &chart_labels(lang, lang.t("spiral-chart-groups"), &questions),
    )?;
    let groups_table = s
        .groups
        .iter()
        .map(|(name, g)| count_row(name.clone(), String::new(), &g.totals, &questions))
        .collect();
    let answers = ill_being_answers(
        &state,
        &p.name,
        group.as_ref().map(|g| g.name.as_str()),
        &s,
        &labels,
        lang,
    )
    .await?;
    let base = format!("/spiral/plateformes/{id}/synthese");
    let group_param = group
        .as_ref()
        .and_then(|g| g.id)
        .map(|g| format!("groupe={g}&"))
        .unwrap_or_default();
    let page = SynthesisPage {
        layout: layout.at(base.clone()),
        groups: all_groups
            .iter()
            .map(|g| Choice {
                value: g.id.unwrap_or_default().to_string(),
                label: g.name.clone(),
                selected: group.as_ref().is_some_and(|x| x.id == g.id),
            })
            .collect(),
        totals: count_row(lang.t("spiral-total"), String::new(), &s.totals, &questions),
        dimension_table: dimension_table(
            &s,
            &labels,
            &questions,
            lang.with("spiral-chart-dimensions-of", "name", &scope),
        ),
        dimension_links: dims
            .iter()
            .map(|d| Choice {
                value: format!("{base}?{group_param}dimension={}", path_segment(d)),
                label: labels.describe(d),
                selected: *d == dimension,
            })
            .collect(),
        component_chart,
        component_table,
        groups_chart,
        groups_table,
        answers,
        print_href: format!("{base}/impression"),
        pdf_href: crate::routes::pdf::href(format!("{base}.pdf")),
        json_href: format!("/api/v1/spiral/platforms/{id}/synthesis"),
        dimension_chart,
        questions,
        group,
        p,
        lang: lang.clone(),
    };
    render(&page)
}

/// The print report: every criterion grouped by dimension and component, then by question.
pub struct PrintDimension {
    pub title: String,
    /// The dimension's letter, or [`UNCLASSIFIED`]. Only the PDF report reads it.
    #[cfg_attr(not(feature = "pdf"), allow(dead_code))]
    pub code: String,
    pub count: u64,
    pub components: Vec<PrintComponent>,
}

pub struct PrintComponent {
    pub title: String,
    pub count: u64,
    pub questions: Vec<(String, Vec<Criterion>)>,
}

/// component → question (by position) → criteria.
type ComponentTree = BTreeMap<String, BTreeMap<usize, Vec<Criterion>>>;

/// The platform a page's `{id}` names, with its id: 404 when the id is malformed or unknown.
async fn platform_of(state: &AppState, raw_id: &str) -> Result<(i64, Platform), PageError> {
    let id = path_id(raw_id)?;
    let p = state
        .store
        .platform(id)
        .await?
        .ok_or_else(PageError::not_found)?;
    Ok((id, p))
}

/// What the print report and its PDF are made of: the platform, the labels, its synthesis and
/// every criterion by dimension and component.
struct PrintInputs {
    id: i64,
    p: Platform,
    questions: Vec<(String, String)>,
    labels: Labels,
    s: Synthesis,
    dimensions: Vec<PrintDimension>,
}

impl PrintInputs {
    async fn load(state: &AppState, lang: &Lang, raw_id: &str) -> Result<Self, PageError> {
        let (id, p) = platform_of(state, raw_id).await?;
        let questions = question_labels(state, lang).await?;
        let labels = Labels::load(state, lang).await?;
        let s = synthesis(state, id, None).await?;
        let dimensions = print_dimensions(state, &p, &questions, &labels).await?;
        Ok(Self {
            id,
            p,
            questions,
            labels,
            s,
            dimensions,
        })
    }
}

/// Every criterion of a platform by dimension and component, then by question: the body of
/// the print report and of its PDF.
async fn print_dimensions(
    state: &AppState,
    p: &Platform,
    questions: &[(String, String)],
    labels: &Labels,
) -> Result<Vec<PrintDimension>, store::StoreError> {
    let criteria = state
        .store
        .criteria(&CriteriaFilter {
            platform: Some(p.name.clone()),
            ..CriteriaFilter::default()
        })
        .await?;
    // dimension → component → question → criteria, in codebook and question order.
    let mut tree: BTreeMap<(bool, String), ComponentTree> = BTreeMap::new();
    for c in criteria {
        let component = c
            .component
            .as_ref()
            .map_or_else(|| UNCLASSIFIED.to_string(), |x| x.component().to_string());
        let dimension = component.get(..1).unwrap_or(UNCLASSIFIED).to_string();
        let qi = questions
            .iter()
            .position(|(q, _)| *q == c.question)
            .unwrap_or(usize::MAX);
        tree.entry((dimension == UNCLASSIFIED, dimension))
            .or_default()
            .entry(component)
            .or_default()
            .entry(qi)
            .or_default()
            .push(c);
    }
    Ok(tree
        .into_iter()
        .map(|((_, d), comps)| {
            let components: Vec<PrintComponent> = comps
                .into_iter()
                .map(|(code, by_q)| {
                    let questions: Vec<(String, Vec<Criterion>)> = by_q
                        .into_iter()
                        .map(|(qi, list)| {
                            let label = questions
                                .get(qi)
                                .map_or_else(|| list[0].question.clone(), |(_, l)| l.clone());
                            (label, list)
                        })
                        .collect();
                    PrintComponent {
                        title: labels.describe(&code),
                        count: questions.iter().map(|(_, l)| l.len() as u64).sum(),
                        questions,
                    }
                })
                .collect();
            PrintDimension {
                title: labels.describe(&d),
                code: d,
                count: components.iter().map(|c| c.count).sum(),
                components,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "spiral/print.html")]
struct PrintPage {
    lang: Lang,
    layout: Layout,
    p: Platform,
    generated: String,
    questions: Vec<(String, String)>,
    totals: CountRow,
    groups: Vec<CountRow>,
    dimension_chart: String,
    dimension_table: TallyTable,
    dimensions: Vec<PrintDimension>,
}

async fn print_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let PrintInputs {
        id,
        p,
        questions,
        labels,
        s,
        dimensions,
    } = PrintInputs::load(&state, lang, &id).await?;
    let dimension_chart = render::charts::dimensions(
        &s,
        &chart_labels(
            lang,
            lang.with("spiral-chart-dimensions-of", "name", &p.name),
            &questions,
        ),
    )?;
    let page = PrintPage {
        layout: layout.at(format!("/spiral/plateformes/{id}/synthese/impression")),
        generated: lang.date(state.clock.now().date_naive()),
        totals: count_row(lang.t("spiral-total"), String::new(), &s.totals, &questions),
        groups: s
            .groups
            .iter()
            .map(|(name, g)| count_row(name.clone(), String::new(), &g.totals, &questions))
            .collect(),
        dimension_table: dimension_table(
            &s,
            &labels,
            &questions,
            lang.with("spiral-chart-dimensions-of", "name", &p.name),
        ),
        dimension_chart,
        dimensions,
        questions,
        p,
        lang: lang.clone(),
    };
    render(&page)
}

/// The print report as PDF, with the synthesis page's charts: criteria per dimension, groups
/// side by side, and the components of each dimension.
#[cfg(feature = "pdf")]
async fn synthesis_pdf(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    use render::pdf as doc;

    let PrintInputs {
        id,
        p,
        questions,
        labels,
        s,
        dimensions,
    } = PrintInputs::load(&state, &lang, &id).await?;
    let dimensions_title = lang.with("spiral-chart-dimensions-of", "name", &p.name);
    let dimensions_chart = render::charts::dimensions(
        &s,
        &chart_labels(&lang, dimensions_title.clone(), &questions),
    )?;
    let groups_chart = render::charts::groups(
        &s,
        None,
        &chart_labels(&lang, lang.t("spiral-chart-groups"), &questions),
    )?;
    let row = |r: CountRow| doc::CountRow {
        label: r.label,
        counts: r.counts,
        total: r.total,
    };
    let known = s.dimensions();
    let mut report_dimensions = Vec::with_capacity(dimensions.len());
    for d in dimensions {
        let chart = if d.code != UNCLASSIFIED && known.contains(&d.code) {
            let title = lang.with("spiral-chart-components-of", "name", &d.title);
            Some(render::charts::components(
                &s,
                &d.code,
                &chart_labels(&lang, title, &questions),
            )?)
        } else {
            None
        };
        report_dimensions.push(doc::ReportDimension {
            title: d.title,
            count: d.count,
            chart,
            components: d
                .components
                .into_iter()
                .map(|c| doc::ReportComponent {
                    title: c.title,
                    count: c.count,
                    questions: c
                        .questions
                        .into_iter()
                        .map(|(label, list)| doc::ReportQuestion {
                            label,
                            criteria: list
                                .into_iter()
                                .map(|x| doc::ReportCriterion {
                                    text: x.text,
                                    expressions: x.expressions,
                                    group: x.group,
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    let report = doc::SynthesisReport {
        lang: lang.code().to_string(),
        title: format!("{} — {}", lang.t("spiral-synthesis"), p.name),
        generated: lang.with(
            "spiral-generated",
            "date",
            &lang.date(state.clock.now().date_naive()),
        ),
        total_label: lang.t("spiral-total"),
        groups_heading: lang.t("spiral-groups"),
        totals: doc::CountTable {
            first_col: lang.t("criteria-col-question"),
            rows: vec![row(count_row(
                lang.t("spiral-total"),
                String::new(),
                &s.totals,
                &questions,
            ))],
        },
        groups: doc::CountTable {
            first_col: lang.t("spiral-group"),
            rows: s
                .groups
                .iter()
                .map(|(name, g)| {
                    row(count_row(
                        name.clone(),
                        String::new(),
                        &g.totals,
                        &questions,
                    ))
                })
                .collect(),
        },
        dimensions_table: doc::CountTable {
            first_col: lang.t("spiral-dimension"),
            rows: dimension_table(&s, &labels, &questions, dimensions_title)
                .rows
                .into_iter()
                .map(row)
                .collect(),
        },
        questions: questions.into_iter().map(|(_, l)| l).collect(),
        dimensions_chart,
        groups_chart,
        dimensions: report_dimensions,
    };
    let pdf = crate::routes::pdf::lay_out(move || doc::synthesis(&report)).await?;
    Ok(crate::routes::pdf::pdf_response(
        pdf,
        &format!("synthese-{id}.pdf"),
    ))
}

#[cfg(not(feature = "pdf"))]
#[allow(clippy::unused_async)] // a handler's signature
async fn synthesis_pdf(Path(_): Path<String>) -> Response {
    crate::routes::pdf::unavailable()
}

// ---------------------------------------------------------------- statistics

#[derive(Template)]
#[template(path = "spiral/statistics.html")]
struct StatisticsPage {
    lang: Lang,
    layout: Layout,
    stats: domain::Statistics,
    questions: Vec<(String, String)>,
    by_dimension: Vec<(String, u64)>,
    dimension_chart: String,
    month_chart: String,
}

async fn statistics_page(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Html<String>, PageError> {
    let lang = &layout.lang;
    let figures = state.store.statistics().await?;
    let questions = question_labels(&state, lang).await?;
    let labels = Labels::load(&state, lang).await?;
    let by_dimension: Vec<(String, u64)> = figures
        .by_dimension
        .iter()
        .map(|(d, n)| (labels.describe(d), *n))
        .collect();
    let chart = |name: &str, title: String, t: &Tally| {
        render::charts::tally(name, t, &chart_labels(lang, title, &questions))
    };
    let page = StatisticsPage {
        layout: layout.at("/spiral/statistiques"),
        dimension_chart: chart(
            "dimensions",
            lang.t("stats-by-dimension"),
            &figures.by_dimension,
        )?,
        month_chart: chart("months", lang.t("stats-by-month"), &figures.by_month)?,
        by_dimension,
        questions,
        stats: figures,
        lang: lang.clone(),
    };
    render(&page)
}

// ---------------------------------------------------------------- pilot actions

pub struct ActionView {
    pub a: PilotAction,
    pub href: String,
    pub status: String,
    pub components: Vec<String>,
}

fn action_view(a: PilotAction, lang: &Lang, labels: &Labels) -> ActionView {
    ActionView {
        href: format!("/spiral/actions/{}", a.id.unwrap_or_default()),
        status: lang.t(&format!("action-status-{}", a.status.as_str())),
        components: a
            .components
            .iter()
            .map(|c| labels.describe(c.as_str()))
            .collect(),
        a,
    }
}

#[derive(Template)]
#[template(path = "spiral/actions.html")]
struct ActionsPage {
    lang: Lang,
    layout: Layout,
    actions: Vec<ActionView>,
    platforms: Vec<Choice>,
    statuses: Vec<Choice>,
    component: String,
    writable_platforms: Vec<String>,
    csrf: String,
}

async fn actions_page(
    State(state): State<AppState>,
    layout: Layout,
    PageQuery(ActionsQuery { filter }): PageQuery<ActionsQuery>,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let labels = Labels::load(&state, lang).await?;
    let actions = state
        .store
        .actions(&filter)
        .await?
        .into_iter()
        .map(|a| action_view(a, lang, &labels))
        .collect();
    let platforms = state.store.platforms().await?;
    let page = ActionsPage {
        layout: layout.at("/spiral/actions"),
        actions,
        writable_platforms: platforms
            .iter()
            .filter(|p| viewer.may_write_platform(&p.name))
            .map(|p| p.name.clone())
            .collect(),
        platforms: platforms
            .iter()
            .map(|p| Choice {
                value: p.name.clone(),
                label: p.name.clone(),
                selected: filter.platform.as_deref() == Some(p.name.as_str()),
            })
            .collect(),
        statuses: ActionStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_string(),
                label: lang.t(&format!("action-status-{}", s.as_str())),
                selected: filter.status == Some(*s),
            })
            .collect(),
        component: filter.component.clone().unwrap_or_default(),
        csrf: viewer.csrf(),
        lang: lang.clone(),
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "spiral/action.html")]
struct ActionPage {
    lang: Lang,
    layout: Layout,
    v: ActionView,
    criteria: Vec<Link>,
    practices: Vec<AnswerView>,
    statuses: Vec<Choice>,
    may_write: bool,
    csrf: String,
}

async fn action_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let a = state
        .store
        .action(id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let labels = Labels::load(&state, lang).await?;
    let mut criteria = Vec::new();
    // What the action is about: its own words and those of the criteria it answers.
    let mut words = format!(
        "{}\n{}",
        a.title,
        a.description.as_deref().unwrap_or_default()
    );
    for cid in &a.criteria {
        if let Some(c) = state.store.criterion(*cid).await? {
            words.push('\n');
            words.push_str(&c.text);
            criteria.push(Link {
                label: format!("{} · {}", c.question, c.text),
                href: format!("/spiral/criteres/{cid}"),
            });
        }
    }
    // Practices of other communes that did something of the kind.
    let code = a.components.first().and_then(|c| c.as_str().get(..3));
    let found = state.answers(words, code, 5).await?;
    let practices = AnswerView::all(&found, code, lang.code());
    let statuses = ActionStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            label: lang.t(&format!("action-status-{}", s.as_str())),
            selected: a.status == *s,
        })
        .collect();
    let may_write = viewer.may_write_platform(&a.platform);
    let page = ActionPage {
        layout: layout.at(format!("/spiral/actions/{id}")),
        v: action_view(a, lang, &labels),
        criteria,
        practices,
        statuses,
        may_write,
        csrf: viewer.csrf(),
        lang: lang.clone(),
    };
    render(&page)
}

// ---------------------------------------------------------------- indicators

pub struct IndicatorView {
    pub i: Indicator,
    pub href: String,
    pub component: String,
    pub latest: Option<u32>,
}

#[derive(Template)]
#[template(path = "spiral/indicators.html")]
struct IndicatorsPage {
    lang: Lang,
    layout: Layout,
    indicators: Vec<IndicatorView>,
    platform: String,
    writable_platforms: Vec<String>,
    components: Vec<Choice>,
    csrf: String,
}

async fn indicators_page(
    State(state): State<AppState>,
    layout: Layout,
    PageQuery(IndicatorsQuery { platform }): PageQuery<IndicatorsQuery>,
) -> Result<Html<String>, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let labels = Labels::load(&state, lang).await?;
    let mut indicators = Vec::new();
    for i in state.store.indicators(platform.as_deref()).await? {
        let latest = state
            .store
            .evaluations(i.id.unwrap_or_default())
            .await?
            .last()
            .map(|e| e.level);
        indicators.push(IndicatorView {
            href: format!("/spiral/indicateurs/{}", i.id.unwrap_or_default()),
            component: labels.describe(i.component.as_str()),
            latest,
            i,
        });
    }
    let platforms = state.store.platforms().await?;
    let page = IndicatorsPage {
        layout: layout.at("/spiral/indicateurs"),
        indicators,
        platform: platform.unwrap_or_default(),
        writable_platforms: platforms
            .iter()
            .filter(|p| viewer.may_write_platform(&p.name))
            .map(|p| p.name.clone())
            .collect(),
        components: labels
            .entries()
            .filter(|e| e.level == "component")
            .map(|e| Choice {
                value: e.code.clone(),
                label: labels.describe(&e.code),
                selected: false,
            })
            .collect(),
        csrf: viewer.csrf(),
        lang: lang.clone(),
    };
    render(&page)
}

pub struct LevelView {
    pub level: u32,
    pub label: String,
    pub description: String,
}

pub struct EvaluationView {
    pub e: Evaluation,
    pub scope: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "spiral/indicator.html")]
struct IndicatorPage {
    lang: Lang,
    layout: Layout,
    v: IndicatorView,
    levels: Vec<LevelView>,
    evaluations: Vec<EvaluationView>,
    groups: Vec<String>,
    today: String,
    may_write: bool,
    csrf: String,
}

async fn indicator_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (lang, viewer) = (&layout.lang, &layout.viewer);
    let id = path_id(&id)?;
    let i = state
        .store
        .indicator(id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let labels = Labels::load(&state, lang).await?;
    let scale = state.store.scale().await?;
    let scale_label = |level: u32| {
        scale
            .iter()
            .find(|s| s.level == level)
            .map(|s| {
                if lang.code() == "en" {
                    s.label_en.clone()
                } else {
                    s.label_fr.clone()
                }
            })
            .unwrap_or_default()
    };
    let levels = i
        .levels
        .iter()
        .enumerate()
        .map(|(n, d)| LevelView {
            level: n as u32 + 1,
            label: scale_label(n as u32 + 1),
            description: d.clone(),
        })
        .collect();
    let evaluations = state
        .store
        .evaluations(id)
        .await?
        .into_iter()
        .map(|e| EvaluationView {
            scope: e.group.clone().unwrap_or_else(|| i.platform.clone()),
            label: scale_label(e.level),
            e,
        })
        .collect::<Vec<_>>();
    let groups = state
        .store
        .groups()
        .await?
        .into_iter()
        .filter(|g| g.platform == i.platform)
        .map(|g| g.name)
        .collect();
    let may_write = viewer.may_write_platform(&i.platform);
    let page = IndicatorPage {
        layout: layout.at(format!("/spiral/indicateurs/{id}")),
        v: IndicatorView {
            href: format!("/spiral/indicateurs/{id}"),
            component: labels.describe(i.component.as_str()),
            latest: evaluations.last().map(|e| e.e.level),
            i,
        },
        levels,
        evaluations,
        groups,
        today: state.clock.now().format("%Y-%m-%d").to_string(),
        may_write,
        csrf: viewer.csrf(),
        lang: lang.clone(),
    };
    Ok(render(&page)?.into_response())
}

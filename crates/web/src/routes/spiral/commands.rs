//! SPIRAL writes, once for the HTML forms and the JSON API: permission, validation, store
//! call, audit. Forms and API only translate their input and the [`WriteError`].

use chrono::NaiveDate;
use domain::{
    Account, ActionStatus, ComponentCode, Criterion, Evaluation, HomogeneousGroup, Indicator,
    MeaningCode, PilotAction, Platform,
};
use serde::Deserialize;

use crate::AppState;
use crate::write::{Result, WriteError, audit, invalid, list};

/// Longest texts accepted, in characters.
pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 2000;
pub const MAX_LONG_TEXT: usize = 10_000;

/// A required text: trimmed, not empty, at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    optional(field, Some(v), max).map(Option::unwrap_or_default)
}

/// An optional text: trimmed; empty reads as absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    domain::limits::refuse_controls(v).map_err(|m| invalid(field, m))?;
    let n = v.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("{n} characters, at most {max} allowed"),
        ));
    }
    Ok(Some(v.to_string()))
}

pub fn component(field: &str, value: Option<&str>) -> Result<Option<ComponentCode>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => ComponentCode::parse(v)
            .map(Some)
            .map_err(|e| invalid(field, e.to_string())),
    }
}

pub fn meaning(field: &str, value: Option<&str>) -> Result<Option<MeaningCode>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => MeaningCode::parse(v)
            .map(Some)
            .map_err(|e| invalid(field, e.to_string())),
    }
}

pub fn expressions(field: &str, value: Option<u32>) -> Result<Option<u32>> {
    match value {
        Some(0) => Err(invalid(field, "must be at least 1")),
        Some(n) if n > 100_000 => Err(invalid(field, "at most 100000")),
        other => Ok(other),
    }
}

pub fn date(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(field, format!("`{v}` is not a date: expected YYYY-MM-DD"))),
    }
}

fn may_write(who: &Account, platform: &str) -> Result<()> {
    if who.may_write_platform(platform) {
        Ok(())
    } else {
        Err(WriteError::Forbidden)
    }
}

async fn platform_of_id(state: &AppState, id: i64) -> Result<Platform> {
    state
        .store
        .platform(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no platform with id {id}")))
}

// ---------------------------------------------------------------- platforms and groups

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PlatformInput {
    pub name: String,
    pub country: Option<String>,
    /// ISO 639-1 codes, or one string "fr, de" from a form.
    #[serde(default)]
    pub languages: Vec<String>,
    pub description: Option<String>,
    pub coordination: Option<String>,
}

impl PlatformInput {
    fn to_platform(&self) -> Result<Platform> {
        let languages = self
            .languages
            .iter()
            .flat_map(|l| list(l))
            .map(|l| l.to_ascii_lowercase())
            .collect::<Vec<_>>();
        if let Some(bad) = languages
            .iter()
            .find(|l| l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()))
        {
            return Err(invalid(
                "languages",
                format!("`{bad}` is not a language code: expected two letters (fr, de, lb)"),
            ));
        }
        Ok(Platform {
            id: None,
            name: required("name", &self.name, MAX_NAME)?,
            country: optional("country", self.country.as_deref(), 100)?,
            languages,
            description: optional("description", self.description.as_deref(), MAX_LONG_TEXT)?,
            coordination: optional("coordination", self.coordination.as_deref(), MAX_LONG_TEXT)?,
            created_at: None,
        })
    }
}

pub async fn create_platform(
    state: &AppState,
    who: &Account,
    input: &PlatformInput,
) -> Result<i64> {
    if !who.may_create_platform() {
        return Err(WriteError::Forbidden);
    }
    let p = input.to_platform()?;
    let id = state.store.create_platform(&p, state.clock.now()).await?;
    audit(
        state,
        who,
        "platform_create",
        format!("platform:{id}"),
        serde_json::json!({"name": p.name}),
    )
    .await?;
    Ok(id)
}

pub async fn update_platform(
    state: &AppState,
    who: &Account,
    id: i64,
    input: &PlatformInput,
) -> Result<()> {
    let old = platform_of_id(state, id).await?;
    may_write(who, &old.name)?;
    if input.name.trim() != old.name && !who.may_create_platform() {
        // Facilitators are bound to platforms by name: renaming is an admin's decision.
        return Err(WriteError::Forbidden);
    }
    let p = input.to_platform()?;
    state
        .store
        .update_platform(id, &p, state.clock.now())
        .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct GroupInput {
    pub name: String,
    pub language: Option<String>,
    pub profile: Option<String>,
}

pub async fn create_group(
    state: &AppState,
    who: &Account,
    platform_id: i64,
    input: &GroupInput,
) -> Result<i64> {
    let p = platform_of_id(state, platform_id).await?;
    may_write(who, &p.name)?;
    let now = state.clock.now();
    let g = HomogeneousGroup {
        id: None,
        name: required("name", &input.name, MAX_NAME)?,
        platform: p.name.clone(),
        language: optional("language", input.language.as_deref(), 8)?,
        profile: optional("profile", input.profile.as_deref(), 500)?,
        created_at: Some(now.naive_utc()),
    };
    Ok(state.store.create_group(&g, now).await?)
}

pub async fn update_group(
    state: &AppState,
    who: &Account,
    id: i64,
    input: &GroupInput,
) -> Result<()> {
    let old = state
        .store
        .group(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no group with id {id}")))?;
    may_write(who, &old.platform)?;
    let g = HomogeneousGroup {
        name: required("name", &input.name, MAX_NAME)?,
        language: optional("language", input.language.as_deref(), 8)?,
        profile: optional("profile", input.profile.as_deref(), 500)?,
        ..old
    };
    Ok(state.store.update_group(id, &g, state.clock.now()).await?)
}

// ---------------------------------------------------------------- criteria

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CriterionInput {
    /// WB, IB, ACT (the question codes of the reference data).
    pub question: String,
    pub text: String,
    pub expressions: Option<u32>,
    pub component: Option<String>,
    pub meaning: Option<String>,
    pub proposition: Option<String>,
}

/// A post-it for a group. Returns the new criterion's id.
pub async fn add_criterion(
    state: &AppState,
    who: &Account,
    group_id: i64,
    input: &CriterionInput,
) -> Result<i64> {
    let g = state
        .store
        .group(group_id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no group with id {group_id}")))?;
    may_write(who, &g.platform)?;
    let c = Criterion {
        id: None,
        platform: g.platform,
        group: g.name,
        question: required("question", &input.question, 8)?.to_ascii_uppercase(),
        text: required("text", &input.text, MAX_TEXT)?,
        expressions: expressions("expressions", input.expressions)?,
        component: component("component", input.component.as_deref())?,
        meaning: meaning("meaning", input.meaning.as_deref())?,
        proposition: optional("proposition", input.proposition.as_deref(), MAX_TEXT)?,
        created_at: None,
        updated_at: None,
    };
    Ok(state.store.create_criterion(&c, state.clock.now()).await?)
}

/// A change to a criterion; absent fields stay as they are. `Some("")` clears a code.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CriterionPatch {
    pub question: Option<String>,
    pub text: Option<String>,
    pub expressions: Option<u32>,
    pub component: Option<String>,
    pub meaning: Option<String>,
    pub proposition: Option<String>,
}

pub async fn update_criterion(
    state: &AppState,
    who: &Account,
    id: i64,
    patch: &CriterionPatch,
) -> Result<()> {
    let mut c = state
        .store
        .criterion(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no criterion with id {id}")))?;
    may_write(who, &c.platform)?;
    if let Some(q) = &patch.question {
        c.question = required("question", q, 8)?.to_ascii_uppercase();
    }
    if let Some(t) = &patch.text {
        c.text = required("text", t, MAX_TEXT)?;
    }
    if patch.expressions.is_some() {
        c.expressions = expressions("expressions", patch.expressions)?;
    }
    if let Some(x) = &patch.component {
        c.component = component("component", Some(x))?;
    }
    if let Some(x) = &patch.meaning {
        c.meaning = meaning("meaning", Some(x))?;
    }
    if let Some(x) = &patch.proposition {
        c.proposition = optional("proposition", Some(x), MAX_TEXT)?;
    }
    Ok(state
        .store
        .update_criterion(id, &c, state.clock.now())
        .await?)
}

pub async fn delete_criterion(state: &AppState, who: &Account, id: i64) -> Result<()> {
    let c = state
        .store
        .criterion(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no criterion with id {id}")))?;
    may_write(who, &c.platform)?;
    state.store.delete_criterion(id).await?;
    audit(
        state,
        who,
        "delete",
        format!("criterion:{id}"),
        serde_json::json!({"text": c.text, "group": c.group}),
    )
    .await
}

// ---------------------------------------------------------------- pilot actions

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionInput {
    pub platform: String,
    pub title: String,
    pub description: Option<String>,
    pub actors: Option<String>,
    #[serde(default)]
    pub criteria: Vec<i64>,
    #[serde(default)]
    pub components: Vec<String>,
    /// idea, decided, in_progress, evaluated
    pub status: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub evaluation: Option<String>,
}

impl ActionInput {
    fn to_action(&self) -> Result<PilotAction> {
        let status = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => ActionStatus::Idea,
            Some(s) => ActionStatus::parse(s).ok_or_else(|| {
                invalid(
                    "status",
                    format!(
                        "`{s}` is not a status: expected idea, decided, in_progress or evaluated"
                    ),
                )
            })?,
        };
        let components = self
            .components
            .iter()
            .flat_map(|c| list(c))
            .map(|c| ComponentCode::parse(&c).map_err(|e| invalid("components", e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        let starts_on = date("starts_on", self.starts_on.as_deref())?;
        let ends_on = date("ends_on", self.ends_on.as_deref())?;
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            return Err(invalid("ends_on", "ends before it starts"));
        }
        Ok(PilotAction {
            id: None,
            platform: self.platform.trim().to_string(),
            title: required("title", &self.title, 300)?,
            description: optional("description", self.description.as_deref(), MAX_LONG_TEXT)?,
            actors: optional("actors", self.actors.as_deref(), MAX_LONG_TEXT)?,
            criteria: self.criteria.clone(),
            components,
            status,
            starts_on,
            ends_on,
            evaluation: optional("evaluation", self.evaluation.as_deref(), MAX_LONG_TEXT)?,
            created_at: None,
            updated_at: None,
        })
    }
}

pub async fn create_action(state: &AppState, who: &Account, input: &ActionInput) -> Result<i64> {
    let a = input.to_action()?;
    may_write(who, &a.platform)?;
    Ok(state.store.create_action(&a, state.clock.now()).await?)
}

pub async fn update_action(
    state: &AppState,
    who: &Account,
    id: i64,
    input: &ActionInput,
) -> Result<()> {
    let old = state
        .store
        .action(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no pilot action with id {id}")))?;
    may_write(who, &old.platform)?;
    let mut a = input.to_action()?;
    a.platform = old.platform;
    Ok(state.store.update_action(id, &a, state.clock.now()).await?)
}

// ---------------------------------------------------------------- indicators

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct IndicatorInput {
    pub platform: String,
    pub component: String,
    pub title: String,
    /// One description per scale level; absent: drafted from the component's propositions.
    pub levels: Option<Vec<String>>,
}

pub async fn create_indicator(
    state: &AppState,
    who: &Account,
    input: &IndicatorInput,
) -> Result<i64> {
    let platform = input.platform.trim().to_string();
    may_write(who, &platform)?;
    let code = component("component", Some(&input.component))?
        .ok_or_else(|| invalid("component", "must not be empty"))?;
    let scale = state.store.scale().await?;
    let levels = if let Some(l) = &input.levels {
        l.iter().map(|x| x.trim().to_string()).collect()
    } else {
        let criteria = state
            .store
            .criteria(&store::CriteriaFilter {
                platform: Some(platform.clone()),
                component: Some(code.component().to_string()),
                ..store::CriteriaFilter::default()
            })
            .await?;
        Indicator::draft_levels(&criteria, scale.len())
    };
    let i = Indicator {
        id: None,
        platform,
        component: code,
        title: required("title", &input.title, 300)?,
        levels,
        created_at: None,
    };
    i.validate(scale.len())
        .map_err(|e| invalid("levels", e.to_string()))?;
    Ok(state.store.create_indicator(&i, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct IndicatorPatch {
    pub title: String,
    pub levels: Vec<String>,
}

pub async fn update_indicator(
    state: &AppState,
    who: &Account,
    id: i64,
    patch: &IndicatorPatch,
) -> Result<()> {
    let old = state
        .store
        .indicator(id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no indicator with id {id}")))?;
    may_write(who, &old.platform)?;
    let scale = state.store.scale().await?;
    let i = Indicator {
        title: required("title", &patch.title, 300)?,
        levels: patch.levels.iter().map(|x| x.trim().to_string()).collect(),
        ..old
    };
    i.validate(scale.len())
        .map_err(|e| invalid("levels", e.to_string()))?;
    Ok(state
        .store
        .update_indicator(id, &i, state.clock.now())
        .await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EvaluationInput {
    /// YYYY-MM-DD
    pub date: String,
    /// A group of the platform; absent for the platform as a whole.
    pub group: Option<String>,
    pub level: u32,
    pub comment: Option<String>,
}

pub async fn add_evaluation(
    state: &AppState,
    who: &Account,
    indicator_id: i64,
    input: &EvaluationInput,
) -> Result<i64> {
    let i = state
        .store
        .indicator(indicator_id)
        .await?
        .ok_or_else(|| WriteError::NotFound(format!("no indicator with id {indicator_id}")))?;
    may_write(who, &i.platform)?;
    let e = Evaluation {
        id: None,
        indicator_id,
        group: optional("group", input.group.as_deref(), MAX_NAME)?,
        date: date("date", Some(&input.date))?
            .ok_or_else(|| invalid("date", "must not be empty"))?,
        level: input.level,
        comment: optional("comment", input.comment.as_deref(), MAX_LONG_TEXT)?,
    };
    // A co-evaluation says what a group saw: never a day to come (a day's margin for zones).
    let today = state.clock.now().date_naive();
    if e.date > today + chrono::Days::new(1) {
        return Err(invalid(
            "date",
            format!("{} is in the future: expected a day up to today", e.date),
        ));
    }
    let scale = state.store.scale().await?;
    e.validate(scale.len())
        .map_err(|x| invalid("level", x.to_string()))?;
    Ok(state.store.add_evaluation(&e, state.clock.now()).await?)
}

// ---------------------------------------------------------------- codebook

/// A new codebook version from a TSV or CSV file (the columns of `data/spiral/codebook.tsv`).
pub async fn import_codebook(
    state: &AppState,
    who: &Account,
    version: &str,
    file_name: &str,
    text: &str,
    activate: bool,
) -> Result<usize> {
    if !who.may_create_platform() {
        return Err(WriteError::Forbidden);
    }
    let version = required("version", version, 50)?;
    let codebook = ingest::reference::parse_codebook(file_name, &version, text)
        .map_err(|e| invalid("file", e.to_string()))?;
    let n = codebook.entries.len();
    state
        .store
        .import_codebook(&codebook, activate, state.clock.now())
        .await?;
    audit(
        state,
        who,
        "codebook_import",
        format!("codebook:{version}"),
        serde_json::json!({"entries": n, "activate": activate}),
    )
    .await?;
    Ok(n)
}

pub async fn activate_codebook(state: &AppState, who: &Account, version: &str) -> Result<()> {
    if !who.may_create_platform() {
        return Err(WriteError::Forbidden);
    }
    state.store.activate_codebook(version.trim()).await?;
    audit(
        state,
        who,
        "codebook_activate",
        format!("codebook:{}", version.trim()),
        serde_json::Value::Null,
    )
    .await
}

//! SPIRAL in JSON under `/api/v1/spiral`: platforms, groups, criteria (filters, sort, pages,
//! CSV), syntheses, codebook, statistics, pilot actions, indicators; and their writes, which
//! need a session (bearer token, or cookie plus `X-CSRF-Token`) and the right role.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{
    ActionStatus, CodebookEntry, Criterion, Evaluation, HomogeneousGroup, Indicator, MeaningEntry,
    PilotAction, Platform, QuestionEntry, ScaleLevel, Statistics, Synthesis, Tally,
};
use serde::Serialize;
use store::CodebookVersion;
use utoipa::OpenApi;

use super::commands::{
    self, ActionInput, CriterionInput, CriterionPatch, EvaluationInput, GroupInput, IndicatorInput,
    IndicatorPatch, PlatformInput,
};
use super::params::{
    ActionsQuery, AnswersQuery, CriteriaSelection, IndicatorsQuery, SuggestionsQuery,
    SynthesisQuery,
};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::params::{ApiQuery, id_param};
use crate::session::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/spiral/platforms",
            get(list_platforms).post(create_platform),
        )
        .route(
            "/api/v1/spiral/platforms/{id}",
            get(get_platform).patch(update_platform),
        )
        .route(
            "/api/v1/spiral/platforms/{id}/synthesis",
            get(get_synthesis),
        )
        .route("/api/v1/spiral/platforms/{id}/groups", post(create_group))
        .route(
            "/api/v1/spiral/groups/{id}",
            get(get_group).patch(update_group),
        )
        .route("/api/v1/spiral/groups/{id}/criteria", post(add_criterion))
        .route("/api/v1/spiral/criteria", get(list_criteria))
        .route("/api/v1/spiral/criteria.csv", get(criteria_csv))
        .route(
            "/api/v1/spiral/criteria/{id}",
            get(get_criterion)
                .patch(update_criterion)
                .delete(delete_criterion),
        )
        .route(
            "/api/v1/spiral/criteria/{id}/practices",
            get(criterion_practices),
        )
        .route("/api/v1/spiral/suggestions", get(get_suggestions))
        .route("/api/v1/spiral/codebook", get(get_codebook))
        .route("/api/v1/spiral/statistics", get(get_statistics))
        .route(
            "/api/v1/spiral/actions",
            get(list_actions).post(create_action),
        )
        .route(
            "/api/v1/spiral/actions/{id}",
            get(get_action).patch(update_action),
        )
        .route(
            "/api/v1/spiral/indicators",
            get(list_indicators).post(create_indicator),
        )
        .route(
            "/api/v1/spiral/indicators/{id}",
            get(get_indicator).patch(update_indicator),
        )
        .route(
            "/api/v1/spiral/indicators/{id}/evaluations",
            post(add_evaluation),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_platforms,
        get_platform,
        create_platform,
        update_platform,
        get_synthesis,
        create_group,
        get_group,
        update_group,
        add_criterion,
        list_criteria,
        criteria_csv,
        get_criterion,
        update_criterion,
        delete_criterion,
        criterion_practices,
        get_suggestions,
        get_codebook,
        get_statistics,
        list_actions,
        get_action,
        create_action,
        update_action,
        list_indicators,
        get_indicator,
        create_indicator,
        update_indicator,
        add_evaluation
    ),
    components(schemas(
        Platform,
        HomogeneousGroup,
        Criterion,
        PilotAction,
        ActionStatus,
        Indicator,
        Evaluation,
        Synthesis,
        domain::GroupSynthesis,
        Statistics,
        PlatformBody,
        PlatformsBody,
        CriteriaBody,
        AnswersBody,
        SuggestionsBody,
        SuggestionBody,
        search::Answer,
        search::Expansion,
        CodebookBody,
        CodeBody,
        IndicatorBody,
        ActionsBody,
        IndicatorsBody,
        Created,
        PlatformInput,
        GroupInput,
        CriterionInput,
        CriterionPatch,
        ActionInput,
        IndicatorInput,
        IndicatorPatch,
        EvaluationInput
    ))
)]
pub struct SpiralDoc;

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(ApiError::from)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

fn created(id: i64) -> Response {
    (StatusCode::CREATED, Json(Created { id })).into_response()
}

// ---------------------------------------------------------------- platforms

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlatformBody {
    #[serde(flatten)]
    pub platform: Platform,
    pub groups: Vec<HomogeneousGroup>,
    /// Criteria per question.
    #[schema(value_type = Object)]
    pub totals: Tally,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlatformsBody {
    pub platforms: Vec<PlatformBody>,
}

async fn platform_body(
    state: &AppState,
    p: Platform,
    groups: &[HomogeneousGroup],
) -> Result<PlatformBody, ApiError> {
    let totals = super::labels::synthesis(state, p.id.unwrap_or_default(), None)
        .await?
        .totals;
    Ok(PlatformBody {
        groups: groups
            .iter()
            .filter(|g| g.platform == p.name)
            .cloned()
            .collect(),
        platform: p,
        totals,
    })
}

/// Every platform, with its groups and criteria per question.
#[utoipa::path(get, path = "/api/v1/spiral/platforms", responses((status = 200, body = PlatformsBody)))]
async fn list_platforms(State(state): State<AppState>) -> Result<Json<PlatformsBody>, ApiError> {
    let groups = state.store.groups().await?;
    let mut platforms = Vec::new();
    for p in state.store.platforms().await? {
        platforms.push(platform_body(&state, p, &groups).await?);
    }
    Ok(Json(PlatformsBody { platforms }))
}

/// One platform, with its groups.
#[utoipa::path(get, path = "/api/v1/spiral/platforms/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PlatformBody), (status = 404, body = ErrorBody)))]
async fn get_platform(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PlatformBody>, ApiError> {
    let id = id_param("id", &id)?;
    let p = state
        .store
        .platform(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no platform with id {id}")))?;
    let groups = state.store.groups().await?;
    Ok(Json(platform_body(&state, p, &groups).await?))
}

/// Creates a platform (admins).
#[utoipa::path(post, path = "/api/v1/spiral/platforms", request_body = PlatformInput,
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_platform(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    b: Result<Json<PlatformInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let input = body(b)?;
    Ok(created(
        commands::create_platform(&state, who, &input).await?,
    ))
}

/// Changes a platform (its facilitators; renaming: admins).
#[utoipa::path(patch, path = "/api/v1/spiral/platforms/{id}", params(("id" = i64, Path)), request_body = PlatformInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_platform(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<PlatformInput>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let input = body(b)?;
    commands::update_platform(&state, who, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The synthesis of a platform (or of one group with `?group=ID`): criteria per question,
/// per dimension and per component, and each group's counts.
#[utoipa::path(get, path = "/api/v1/spiral/platforms/{id}/synthesis",
    params(("id" = i64, Path), ("group" = Option<i64>, Query)),
    responses((status = 200, body = Synthesis), (status = 404, body = ErrorBody)))]
async fn get_synthesis(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(SynthesisQuery { group, .. }): ApiQuery<SynthesisQuery>,
) -> Result<Json<Synthesis>, ApiError> {
    let id = id_param("id", &id)?;
    let platform = state
        .store
        .platform(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no platform with id {id}")))?;
    if let Some(g) = group {
        let belongs = state
            .store
            .group(g)
            .await?
            .is_some_and(|x| x.platform == platform.name);
        if !belongs {
            return Err(ApiError::NotFound(format!(
                "no group with id {g} on platform {id}"
            )));
        }
    }
    Ok(Json(super::labels::synthesis(&state, id, group).await?))
}

// ---------------------------------------------------------------- groups and criteria

/// Creates a homogeneous group on a platform (its facilitators, admins).
#[utoipa::path(post, path = "/api/v1/spiral/platforms/{id}/groups", params(("id" = i64, Path)), request_body = GroupInput,
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_group(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<GroupInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let input = body(b)?;
    Ok(created(
        commands::create_group(&state, who, id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/spiral/groups/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = HomogeneousGroup), (status = 404, body = ErrorBody)))]
async fn get_group(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<HomogeneousGroup>, ApiError> {
    let id = id_param("id", &id)?;
    state
        .store
        .group(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no group with id {id}")))
}

#[utoipa::path(patch, path = "/api/v1/spiral/groups/{id}", params(("id" = i64, Path)), request_body = GroupInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_group(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<GroupInput>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let input = body(b)?;
    commands::update_group(&state, who, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a post-it (criterion) to a group.
#[utoipa::path(post, path = "/api/v1/spiral/groups/{id}/criteria", params(("id" = i64, Path)), request_body = CriterionInput,
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_criterion(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<CriterionInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let input = body(b)?;
    Ok(created(
        commands::add_criterion(&state, who, id, &input).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CriteriaBody {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<Criterion>,
}

/// Criteria, filtered by platform, group, question, dimension and component (a fine code
/// matches its component), sorted and paginated.
#[utoipa::path(get, path = "/api/v1/spiral/criteria",
    params(
        ("platform" = Option<String>, Query), ("group" = Option<String>, Query),
        ("question" = Option<String>, Query, description = "WB, IB, ACT"),
        ("dimension" = Option<String>, Query, description = "A to I"),
        ("component" = Option<String>, Query, description = "D00; A01-11/P15/k matches A01"),
        ("sort" = Option<String>, Query, description = "id, platform, group, question, expressions, text, component, meaning, proposition, created, modified; `-` first for descending"),
        ("page" = Option<u64>, Query, minimum = 1, description = "1-based, default 1"), ("per_page" = Option<u64>, Query, minimum = 1, maximum = 500, description = "1 to 500, default 50"),
    ),
    responses((status = 200, body = CriteriaBody), (status = 400, body = ErrorBody)))]
async fn list_criteria(
    State(state): State<AppState>,
    ApiQuery(sel): ApiQuery<CriteriaSelection>,
) -> Result<Json<CriteriaBody>, ApiError> {
    let found = state
        .store
        .criteria_page(
            &sel.filter,
            sel.sort(),
            sel.offset(),
            u64::from(sel.per_page),
        )
        .await?;
    Ok(Json(CriteriaBody {
        total: found.total,
        page: sel.page,
        per_page: sel.per_page,
        items: found.items,
    }))
}

/// The same selection as CSV (the documented criteria columns), every page.
#[utoipa::path(get, path = "/api/v1/spiral/criteria.csv",
    params(("platform" = Option<String>, Query), ("group" = Option<String>, Query), ("question" = Option<String>, Query), ("dimension" = Option<String>, Query), ("component" = Option<String>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody)))]
async fn criteria_csv(
    State(state): State<AppState>,
    ApiQuery(sel): ApiQuery<CriteriaSelection>,
) -> Result<Response, ApiError> {
    let found = state
        .store
        .criteria_page(&sel.filter, sel.sort(), 0, u64::MAX >> 1)
        .await?;
    let mut out = Vec::new();
    ingest::csv_format::write_criteria(&mut out, &found.items).map_err(ApiError::internal)?;
    Ok(crate::download::csv_download("criteres.csv", &out))
}

#[utoipa::path(get, path = "/api/v1/spiral/criteria/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Criterion), (status = 404, body = ErrorBody)))]
async fn get_criterion(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Criterion>, ApiError> {
    let id = id_param("id", &id)?;
    state
        .store
        .criterion(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no criterion with id {id}")))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswersBody {
    pub criterion: i64,
    /// Practices that answer the criterion, best first, each with the concepts it shares with
    /// it and whether it carries the criterion's component.
    pub practices: Vec<search::Answer>,
}

/// The practices of the catalogue that answer a criterion: ranked by the concepts and the
/// component they share with it, then by text, each with its reasons.
#[utoipa::path(get, path = "/api/v1/spiral/criteria/{id}/practices",
    params(("id" = i64, Path), ("limit" = Option<usize>, Query, description = "1 to 50, default 10")),
    responses((status = 200, body = AnswersBody), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn criterion_practices(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AnswersQuery>,
) -> Result<Json<AnswersBody>, ApiError> {
    let id = id_param("id", &id)?;
    let c = state
        .store
        .criterion(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no criterion with id {id}")))?;
    let words = match &c.proposition {
        Some(p) => format!("{} {p}", c.text),
        None => c.text.clone(),
    };
    let code = c.component.as_ref().and_then(|x| x.as_str().get(..3));
    Ok(Json(AnswersBody {
        criterion: id,
        practices: state.answers(words, code, q.limit).await?,
    }))
}

/// Why a component is suggested: a concept the text names (`concept`, with its `words`), a
/// classified criterion sharing its words (`criterion`), or the codebook's labels
/// (`codebook`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionBody {
    #[schema(example = "B02")]
    pub code: String,
    pub score: f32,
    /// The component's label in the codebook, when known.
    pub label: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<domain::classify::Reason>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionsBody {
    pub suggestions: Vec<SuggestionBody>,
}

/// Classification suggestions for a criterion's text, as a facilitator types it: the top
/// components with their scores and reasons.
#[utoipa::path(get, path = "/api/v1/spiral/suggestions",
    params(("text" = String, Query), ("question" = Option<String>, Query, description = "WB, IB or ACT"),
        ("platform" = Option<String>, Query), ("limit" = Option<usize>, Query, description = "1 to 50, default 5")),
    responses((status = 200, body = SuggestionsBody), (status = 400, body = ErrorBody)))]
async fn get_suggestions(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SuggestionsQuery>,
) -> Result<Json<SuggestionsBody>, ApiError> {
    let criterion = Criterion {
        id: None,
        platform: q.platform.unwrap_or_default(),
        group: String::new(),
        question: q.question.unwrap_or_default(),
        text: q.text,
        expressions: None,
        component: None,
        meaning: None,
        proposition: None,
        created_at: None,
        updated_at: None,
    };
    let codebook = state.store.active_codebook().await?;
    let label = |code: &str| {
        codebook.as_ref().and_then(|b| {
            b.entries
                .iter()
                .find(|e| e.code == code)
                .and_then(|e| e.label_fr.clone().or(e.label_en.clone()))
        })
    };
    let suggestions = super::suggest::suggestions(&state, &criterion, q.limit)
        .await?
        .into_iter()
        .map(|s| SuggestionBody {
            label: label(&s.code),
            code: s.code,
            score: s.score,
            reasons: s.reasons,
        })
        .collect();
    Ok(Json(SuggestionsBody { suggestions }))
}

/// Classifies or corrects a criterion; absent fields stay, `""` clears a code.
#[utoipa::path(patch, path = "/api/v1/spiral/criteria/{id}", params(("id" = i64, Path)), request_body = CriterionPatch,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_criterion(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<CriterionPatch>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let patch = body(b)?;
    commands::update_criterion(&state, who, id, &patch).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/spiral/criteria/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_criterion(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    commands::delete_criterion(&state, who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- codebook and statistics

#[derive(Serialize, utoipa::ToSchema)]
pub struct CodeBody {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub entry: CodebookEntry,
    /// `true` when the codebook gives a label; `false`: "label to be confirmed", never invented.
    pub label_known: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CodebookBody {
    /// The active version.
    pub version: Option<String>,
    pub entries: Vec<CodeBody>,
    #[schema(value_type = Vec<Object>)]
    pub meanings: Vec<MeaningEntry>,
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<QuestionEntry>,
    #[schema(value_type = Vec<Object>)]
    pub scale: Vec<ScaleLevel>,
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<CodebookVersion>,
}

/// The active codebook: every code with its labels (null when unknown) and status.
#[utoipa::path(get, path = "/api/v1/spiral/codebook", responses((status = 200, body = CodebookBody)))]
async fn get_codebook(State(state): State<AppState>) -> Result<Json<CodebookBody>, ApiError> {
    let codebook = state.store.active_codebook().await?;
    Ok(Json(CodebookBody {
        version: codebook.as_ref().map(|c| c.version.clone()),
        entries: codebook
            .map(|c| {
                c.entries
                    .into_iter()
                    .map(|e| CodeBody {
                        label_known: e.label_en.is_some() || e.label_fr.is_some(),
                        entry: e,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        meanings: state.store.meaning_codes().await?,
        questions: state.store.questions().await?,
        scale: state.store.scale().await?,
        versions: state.store.codebook_versions().await?,
    }))
}

/// Platforms, groups and criteria counted by question, dimension and month.
#[utoipa::path(get, path = "/api/v1/spiral/statistics", responses((status = 200, body = Statistics)))]
async fn get_statistics(State(state): State<AppState>) -> Result<Json<Statistics>, ApiError> {
    Ok(Json(state.store.statistics().await?))
}

// ---------------------------------------------------------------- pilot actions

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionsBody {
    pub actions: Vec<PilotAction>,
}

/// Pilot actions, filtered by platform, status, component and criterion.
#[utoipa::path(get, path = "/api/v1/spiral/actions",
    params(("platform" = Option<String>, Query), ("status" = Option<String>, Query), ("component" = Option<String>, Query), ("criterion" = Option<i64>, Query)),
    responses((status = 200, body = ActionsBody), (status = 400, body = ErrorBody)))]
async fn list_actions(
    State(state): State<AppState>,
    ApiQuery(ActionsQuery { filter }): ApiQuery<ActionsQuery>,
) -> Result<Json<ActionsBody>, ApiError> {
    Ok(Json(ActionsBody {
        actions: state.store.actions(&filter).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/spiral/actions/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PilotAction), (status = 404, body = ErrorBody)))]
async fn get_action(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PilotAction>, ApiError> {
    let id = id_param("id", &id)?;
    state
        .store
        .action(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no pilot action with id {id}")))
}

#[utoipa::path(post, path = "/api/v1/spiral/actions", request_body = ActionInput,
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_action(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    b: Result<Json<ActionInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let input = body(b)?;
    Ok(created(commands::create_action(&state, who, &input).await?))
}

#[utoipa::path(patch, path = "/api/v1/spiral/actions/{id}", params(("id" = i64, Path)), request_body = ActionInput,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_action(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<ActionInput>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let input = body(b)?;
    commands::update_action(&state, who, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- indicators

#[derive(Serialize, utoipa::ToSchema)]
pub struct IndicatorsBody {
    pub indicators: Vec<Indicator>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IndicatorBody {
    #[serde(flatten)]
    pub indicator: Indicator,
    /// Co-evaluations, oldest first: the indicator's evolution.
    pub evaluations: Vec<Evaluation>,
}

#[utoipa::path(get, path = "/api/v1/spiral/indicators", params(("platform" = Option<String>, Query)),
    responses((status = 200, body = IndicatorsBody)))]
async fn list_indicators(
    State(state): State<AppState>,
    ApiQuery(IndicatorsQuery { platform }): ApiQuery<IndicatorsQuery>,
) -> Result<Json<IndicatorsBody>, ApiError> {
    Ok(Json(IndicatorsBody {
        indicators: state.store.indicators(platform.as_deref()).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/spiral/indicators/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = IndicatorBody), (status = 404, body = ErrorBody)))]
async fn get_indicator(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<IndicatorBody>, ApiError> {
    let id = id_param("id", &id)?;
    let indicator = state
        .store
        .indicator(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no indicator with id {id}")))?;
    Ok(Json(IndicatorBody {
        evaluations: state.store.evaluations(id).await?,
        indicator,
    }))
}

/// Creates an indicator for a component; without `levels`, they are drafted from the
/// component's propositions.
#[utoipa::path(post, path = "/api/v1/spiral/indicators", request_body = IndicatorInput,
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    b: Result<Json<IndicatorInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let input = body(b)?;
    Ok(created(
        commands::create_indicator(&state, who, &input).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/spiral/indicators/{id}", params(("id" = i64, Path)), request_body = IndicatorPatch,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<IndicatorPatch>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let patch = body(b)?;
    commands::update_indicator(&state, who, id, &patch).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a co-evaluation score (a level of the scale) at a date, by a group or the platform.
#[utoipa::path(post, path = "/api/v1/spiral/indicators/{id}/evaluations", params(("id" = i64, Path)), request_body = EvaluationInput,
    responses((status = 201, body = Created), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_evaluation(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<EvaluationInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let who = viewer.for_api_write(&headers)?;
    let id = id_param("id", &id)?;
    let input = body(b)?;
    Ok(created(
        commands::add_evaluation(&state, who, id, &input).await?,
    ))
}

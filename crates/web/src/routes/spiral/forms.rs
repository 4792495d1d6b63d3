//! The HTML forms of SPIRAL: they post, the server checks the session's CSRF token, writes
//! through [`commands`], and redirects (303) to the page that shows the result, so that a
//! facilitator types a post-it, presses Enter, and types the next.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

use super::commands;
use crate::AppState;
use crate::i18n::Lang;
use crate::page::{PageError, path_id};
use crate::session::Viewer;
use crate::write::{Fields, form_account, list};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/spiral/plateformes", post(create_platform))
        .route("/spiral/plateformes/{id}/groupes", post(create_group))
        .route("/spiral/groupes/{id}/criteres", post(add_criterion))
        .route("/spiral/criteres/{id}", post(classify))
        .route("/spiral/criteres/{id}/supprimer", post(delete_criterion))
        .route("/spiral/actions", post(create_action))
        .route("/spiral/actions/{id}", post(update_action))
        .route("/spiral/indicateurs", post(create_indicator))
        .route("/spiral/indicateurs/{id}", post(update_indicator))
        .route("/spiral/indicateurs/{id}/evaluations", post(add_evaluation))
        .route("/spiral/codebook", post(import_codebook))
        .route("/spiral/codebook/activer", post(activate_codebook))
}

fn see(path: &str) -> Response {
    Redirect::to(path).into_response()
}

async fn create_platform(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let input = commands::PlatformInput {
        name: f.text("name"),
        country: f.get("country").map(str::to_string),
        languages: vec![f.text("languages")],
        description: f.get("description").map(str::to_string),
        coordination: f.get("coordination").map(str::to_string),
    };
    let id = commands::create_platform(&state, who, &input).await?;
    Ok(see(&format!("/spiral/plateformes/{id}")))
}

async fn create_group(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let platform_id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let input = commands::GroupInput {
        name: f.text("name"),
        language: f.get("language").map(str::to_string),
        profile: f.get("profile").map(str::to_string),
    };
    let id = commands::create_group(&state, who, platform_id, &input).await?;
    Ok(see(&format!("/spiral/groupes/{id}")))
}

async fn add_criterion(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let group_id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let question = f.text("question");
    let input = commands::CriterionInput {
        question: question.clone(),
        text: f.text("text"),
        expressions: f.number(&lang, "expressions")?,
        ..commands::CriterionInput::default()
    };
    commands::add_criterion(&state, who, group_id, &input).await?;
    // Back to the entry form, the same question still chosen, ready for the next post-it.
    // No fragment: a fragment target would stop the browser from focusing the post-it field.
    let q: String = form_urlencoded::byte_serialize(question.as_bytes()).collect();
    Ok(see(&format!(
        "/spiral/groupes/{group_id}?question={q}&enregistre=1"
    )))
}

async fn classify(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    // A fine code typed by hand wins over the list.
    let component = f
        .get("fine")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .or(f.get("component"))
        .unwrap_or_default()
        .to_string();
    let patch = commands::CriterionPatch {
        component: Some(component),
        meaning: Some(f.text("meaning")),
        proposition: Some(f.text("proposition")),
        ..commands::CriterionPatch::default()
    };
    commands::update_criterion(&state, who, id, &patch).await?;
    let group = match state.store.criterion(id).await {
        Ok(Some(c)) => state.store.groups().await.ok().and_then(|gs| {
            gs.into_iter()
                .find(|g| g.platform == c.platform && g.name == c.group)
        }),
        _ => None,
    };
    Ok(match group.and_then(|g| g.id) {
        Some(g) => see(&format!("/spiral/groupes/{g}")),
        None => see(&format!("/spiral/criteres/{id}")),
    })
}

async fn delete_criterion(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    commands::delete_criterion(&state, who, id).await?;
    Ok(see("/spiral/criteres"))
}

fn action_input(lang: &Lang, f: &Fields) -> Result<commands::ActionInput, PageError> {
    let criteria = list(&f.text("criteria"))
        .iter()
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                PageError::invalid(format!("criteria: `{c}` {}", lang.t("error-not-a-number")))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(commands::ActionInput {
        platform: f.text("platform"),
        title: f.text("title"),
        description: f.get("description").map(str::to_string),
        actors: f.get("actors").map(str::to_string),
        criteria,
        components: vec![f.text("components")],
        status: f.get("status").map(str::to_string),
        starts_on: f.get("starts_on").map(str::to_string),
        ends_on: f.get("ends_on").map(str::to_string),
        evaluation: f.get("evaluation").map(str::to_string),
    })
}

async fn create_action(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let input = action_input(&lang, &f)?;
    let id = commands::create_action(&state, who, &input).await?;
    Ok(see(&format!("/spiral/actions/{id}")))
}

async fn update_action(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let input = action_input(&lang, &f)?;
    commands::update_action(&state, who, id, &input).await?;
    Ok(see(&format!("/spiral/actions/{id}")))
}

async fn create_indicator(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let input = commands::IndicatorInput {
        platform: f.text("platform"),
        component: f.text("component"),
        title: f.text("title"),
        levels: None,
    };
    let id = commands::create_indicator(&state, who, &input).await?;
    Ok(see(&format!("/spiral/indicateurs/{id}")))
}

async fn update_indicator(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let patch = commands::IndicatorPatch {
        title: f.text("title"),
        levels: f.all("level"),
    };
    commands::update_indicator(&state, who, id, &patch).await?;
    Ok(see(&format!("/spiral/indicateurs/{id}")))
}

async fn add_evaluation(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    let input = commands::EvaluationInput {
        date: f.text("date"),
        group: f.get("group").map(str::to_string),
        level: f.number(&lang, "level")?.unwrap_or_default(),
        comment: f.get("comment").map(str::to_string),
    };
    commands::add_evaluation(&state, who, id, &input).await?;
    Ok(see(&format!("/spiral/indicateurs/{id}")))
}

/// The codebook upload: `multipart/form-data` with `csrf`, `version`, `file`, `activate`.
async fn import_codebook(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let (mut csrf, mut version, mut file_name, mut text, mut activate) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        false,
    );
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| PageError::invalid(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            file_name = field.file_name().unwrap_or("codebook.tsv").to_string();
        }
        let value = field
            .text()
            .await
            .map_err(|e| PageError::invalid(format!("{name}: {}", e.body_text())))?;
        match name.as_str() {
            "csrf" => csrf = value,
            "version" => version = value,
            "file" => text = value,
            "activate" => activate = !value.is_empty(),
            _ => {}
        }
    }
    let who = form_account(&viewer, &lang, &csrf)?;
    commands::import_codebook(&state, who, &version, &file_name, &text, activate).await?;
    Ok(see("/spiral/codebook"))
}

async fn activate_codebook(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let who = form_account(&viewer, &lang, f.get("csrf").unwrap_or_default())?;
    commands::activate_codebook(&state, who, &f.text("version")).await?;
    Ok(see("/spiral/codebook"))
}

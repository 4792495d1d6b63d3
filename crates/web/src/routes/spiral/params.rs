//! The criteria selection — platform, group, question, dimension, component, sort, page — read
//! from a URL and written back to one. Pages use French parameter names, the API English ones;
//! both are read by the same parser so that a list, its pages and its CSV share one definition.

use domain::{ActionStatus, ComponentCode};
use store::{ActionFilter, CriteriaFilter, CriteriaSort};

use crate::params::{ParamError, QueryParams, id_param};

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;

/// Which vocabulary a URL speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// `/spiral/criteres?plateforme=…&groupe=…&composante=…&tri=…`
    Page,
    /// `/api/v1/spiral/criteria?platform=…&group=…&component=…&sort=…`
    Api,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriteriaSelection {
    pub filter: CriteriaFilter,
    /// As written in the URL (`text`, `-created`); empty for the default order.
    pub sort: String,
    pub page: u32,
    pub per_page: u32,
}

impl Default for CriteriaSelection {
    fn default() -> Self {
        Self {
            filter: CriteriaFilter::default(),
            sort: String::new(),
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

fn bad(name: &str, message: impl Into<String>) -> ParamError {
    ParamError::new(name, message)
}

/// The pairs of a query string with a value, trimmed: an empty value reads as absent.
fn pairs(raw: Option<&str>) -> impl Iterator<Item = (String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
}

/// The scope of a synthesis: `groupe` (`group` in the API), a group id of the platform, and
/// on the page the `dimension` whose components it charts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthesisQuery {
    pub group: Option<i64>,
    pub dimension: Option<String>,
}

impl QueryParams for SynthesisQuery {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut q = Self::default();
        for (k, v) in pairs(raw) {
            match k.as_str() {
                "groupe" | "group" => q.group = Some(id_param(&k, &v)?),
                "dimension" => q.dimension = Some(v),
                _ => {}
            }
        }
        Ok(q)
    }
}

/// Which pilot actions a list shows: `plateforme`, `statut`, `composante` (`platform`,
/// `status`, `component` in the API) and `criterion`.
#[derive(Debug, Clone, Default)]
pub struct ActionsQuery {
    pub filter: ActionFilter,
}

impl QueryParams for ActionsQuery {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut filter = ActionFilter::default();
        for (k, v) in pairs(raw) {
            match k.as_str() {
                "plateforme" | "platform" => filter.platform = Some(v),
                "statut" | "status" => {
                    filter.status = Some(ActionStatus::parse(&v).ok_or_else(|| {
                        bad(
                            &k,
                            format!("`{v}`: expected idea, decided, in_progress or evaluated"),
                        )
                    })?);
                }
                "composante" | "component" => {
                    let c = ComponentCode::parse(&v).map_err(|e| bad(&k, e.to_string()))?;
                    filter.component = Some(c.component().to_string());
                }
                "criterion" => filter.criterion = Some(id_param(&k, &v)?),
                _ => {}
            }
        }
        Ok(Self { filter })
    }
}

/// A group's page: the `question` its entry form starts on, and `enregistre` (with any value
/// or none), the notice after a post-it was saved.
#[derive(Debug, Clone, Default)]
pub struct GroupQuery {
    pub question: Option<String>,
    pub saved: bool,
}

impl QueryParams for GroupQuery {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        Ok(Self {
            question: pairs(raw)
                .filter(|(k, _)| k == "question")
                .map(|(_, v)| v)
                .last(),
            saved: form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .any(|(k, _)| k == "enregistre"),
        })
    }
}

/// Which indicators a list shows: `plateforme` (`platform` in the API).
#[derive(Debug, Clone, Default)]
pub struct IndicatorsQuery {
    pub platform: Option<String>,
}

impl QueryParams for IndicatorsQuery {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut q = Self::default();
        for (k, v) in pairs(raw) {
            if matches!(k.as_str(), "plateforme" | "platform") {
                q.platform = Some(v);
            }
        }
        Ok(q)
    }
}

/// `GET /api/v1/spiral/suggestions?text=&question=&platform=&limit=`: a criterion being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuggestionsQuery {
    pub text: String,
    pub question: Option<String>,
    pub platform: Option<String>,
    pub limit: usize,
}

/// At most this many suggestions or answers in one call.
pub const MAX_LIMIT: usize = 50;

fn limit(v: &str) -> Result<usize, ParamError> {
    match v.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(bad(
            "limit",
            format!("expected a number from 1 to {MAX_LIMIT}"),
        )),
    }
}

impl QueryParams for SuggestionsQuery {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut q = Self {
            limit: 5,
            ..Self::default()
        };
        for (k, v) in pairs(raw) {
            match k.as_str() {
                "text" | "texte" => q.text = v,
                "question" => q.question = Some(v.to_uppercase()),
                "platform" | "plateforme" => q.platform = Some(v),
                "limit" => q.limit = limit(&v)?,
                _ => {}
            }
        }
        if q.text.is_empty() {
            return Err(bad("text", "expected the criterion's text"));
        }
        if !q.text.chars().any(char::is_alphanumeric) {
            return Err(bad("text", "expected words (letters or digits)"));
        }
        Ok(q)
    }
}

/// `?limit=` of a criterion's practices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswersQuery {
    pub limit: usize,
}

impl QueryParams for AnswersQuery {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut q = Self { limit: 10 };
        for (k, v) in pairs(raw) {
            if k == "limit" {
                q.limit = limit(&v)?;
            }
        }
        Ok(q)
    }
}

impl QueryParams for CriteriaSelection {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        Self::parse(raw)
    }
}

fn non_empty(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

impl CriteriaSelection {
    /// Reads a query string in either vocabulary. Unknown parameters are ignored; known ones
    /// with a bad value are refused, naming the parameter.
    pub fn parse(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut sel = Self::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match k.as_ref() {
                "plateforme" | "platform" => sel.filter.platform = non_empty(&v),
                "groupe" | "group" => sel.filter.group = non_empty(&v),
                "question" => {
                    sel.filter.question = non_empty(&v.to_ascii_uppercase());
                    if let Some(q) = &sel.filter.question
                        && (q.len() > 8 || !q.chars().all(|c| c.is_ascii_alphabetic()))
                    {
                        return Err(bad(
                            &k,
                            format!("`{v}` is not a question code (WB, IB, ACT)"),
                        ));
                    }
                }
                "dimension" => {
                    let d = v.trim().to_ascii_uppercase();
                    if d.is_empty() {
                        sel.filter.dimension = None;
                    } else if d.len() == 1 && d.chars().all(|c| c.is_ascii_uppercase()) {
                        sel.filter.dimension = Some(d);
                    } else {
                        return Err(bad(
                            &k,
                            format!("`{v}` is not a dimension: expected one letter A–I"),
                        ));
                    }
                }
                "composante" | "component" => {
                    let c = v.trim();
                    if c.is_empty() {
                        sel.filter.component = None;
                    } else {
                        let code = ComponentCode::parse(c).map_err(|e| bad(&k, e.to_string()))?;
                        sel.filter.component = Some(code.component().to_string());
                    }
                }
                "tri" | "sort" => {
                    let s = v.trim();
                    if !s.is_empty() {
                        CriteriaSort::parse(s).map_err(|e| bad(&k, e.to_string()))?;
                    }
                    sel.sort = s.to_string();
                }
                "page" => {
                    sel.page = v
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|p| *p >= 1)
                        .ok_or_else(|| {
                            bad("page", format!("`{v}` is not a page number (1, 2, …)"))
                        })?;
                }
                "per_page" => {
                    sel.per_page = v
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                        .ok_or_else(|| {
                            bad(
                                "per_page",
                                format!("`{v}` is not between 1 and {MAX_PER_PAGE}"),
                            )
                        })?;
                }
                _ => {}
            }
        }
        Ok(sel)
    }

    pub fn sort(&self) -> CriteriaSort {
        CriteriaSort::parse(&self.sort).unwrap_or_default()
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    /// The URL of this selection on `path`, in the vocabulary `path` speaks.
    pub fn href(&self, path: &str, vocabulary: Vocabulary) -> String {
        let names = match vocabulary {
            Vocabulary::Page => ["plateforme", "groupe", "composante", "tri"],
            Vocabulary::Api => ["platform", "group", "component", "sort"],
        };
        let f = &self.filter;
        let mut out = form_urlencoded::Serializer::new(String::new());
        let pairs = [
            (names[0], f.platform.as_deref()),
            (names[1], f.group.as_deref()),
            ("question", f.question.as_deref()),
            ("dimension", f.dimension.as_deref()),
            (names[2], f.component.as_deref()),
            (names[3], Some(self.sort.as_str()).filter(|s| !s.is_empty())),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                out.append_pair(k, v);
            }
        }
        if self.page > 1 {
            out.append_pair("page", &self.page.to_string());
        }
        if self.per_page != DEFAULT_PER_PAGE {
            out.append_pair("per_page", &self.per_page.to_string());
        }
        let q = out.finish();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    }

    pub fn at_page(&self, page: u32) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// Sorted by `key`; the same key again flips the direction.
    pub fn sorted_by(&self, key: &str) -> Self {
        let sort = if self.sort == key {
            format!("-{key}")
        } else {
            key.to_string()
        };
        Self {
            sort,
            page: 1,
            ..self.clone()
        }
    }

    /// The same selection without paging (for downloads).
    pub fn all_pages(&self) -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_vocabularies_read_the_same_selection() {
        let page = CriteriaSelection::parse(Some(
            "plateforme=Bl%C3%A9gny&question=ib&composante=D00-1/P&tri=-text&page=2",
        ))
        .unwrap();
        let api = CriteriaSelection::parse(Some(
            "platform=Bl%C3%A9gny&question=IB&component=D00&sort=-text&page=2",
        ))
        .unwrap();
        assert_eq!(page, api);
        assert_eq!(page.filter.component.as_deref(), Some("D00"));
        assert_eq!(page.offset(), u64::from(DEFAULT_PER_PAGE));
        let href = page.href("/spiral/criteres", Vocabulary::Page);
        assert_eq!(
            CriteriaSelection::parse(href.split_once('?').map(|x| x.1)).unwrap(),
            page
        );
        assert!(href.contains("plateforme=Bl%C3%A9gny") && href.contains("tri=-text"));
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (raw, name) in [
            ("composante=Z1", "composante"),
            ("dimension=AB", "dimension"),
            ("tri=colour", "tri"),
            ("page=0", "page"),
            ("per_page=100000", "per_page"),
            ("question=W%20B", "question"),
        ] {
            assert_eq!(
                CriteriaSelection::parse(Some(raw)).unwrap_err().name,
                name,
                "{raw}"
            );
        }
    }

    #[test]
    fn sorting_again_flips_the_direction() {
        let s = CriteriaSelection::default().sorted_by("text");
        assert_eq!(s.sort, "text");
        assert_eq!(s.sorted_by("text").sort, "-text");
        assert_eq!(s.sorted_by("created").sort, "created");
    }
}

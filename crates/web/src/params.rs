//! The selection a list shows — query, filters, page — read from and written back to URLs, so
//! that every list, its pages, its facets and its CSV share one definition.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use search::SearchQuery;

use crate::error::ApiError;
use crate::page::PageError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;

/// A filter dimension: its URL parameter and its facet name in search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Theme,
    Commune,
    Institution,
    Public,
    Source,
    /// A concept of the scheme, by id (`language-course`): no facet, a link from a fiche.
    Concept,
    /// A SPIRAL component or dimension (`D02`, `D`): no facet, a link from a fiche.
    Component,
}

impl Filter {
    /// The filters with a facet on result pages.
    pub const ALL: [Filter; 5] = [
        Filter::Theme,
        Filter::Commune,
        Filter::Institution,
        Filter::Public,
        Filter::Source,
    ];
    /// Every filter a URL may name.
    pub const PARAMS: [Filter; 7] = [
        Filter::Theme,
        Filter::Commune,
        Filter::Institution,
        Filter::Public,
        Filter::Source,
        Filter::Concept,
        Filter::Component,
    ];

    pub fn param(self) -> &'static str {
        match self {
            Filter::Theme => "theme",
            Filter::Commune => "commune",
            Filter::Institution => "institution",
            Filter::Public => "public",
            Filter::Source => "source",
            Filter::Concept => "concept",
            Filter::Component => "component",
        }
    }

    /// The key of the facet in search results and of its UI label (`facet-…`).
    pub fn facet(self) -> &'static str {
        match self {
            Filter::Theme => "themes",
            Filter::Commune => "communes",
            Filter::Institution => "institutions",
            Filter::Public => "target_publics",
            Filter::Source => "sources",
            Filter::Concept => "concepts",
            Filter::Component => "components",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub q: String,
    /// (filter, value) pairs, in the order they were added.
    pub filters: Vec<(Filter, String)>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub name: String,
    pub message: String,
}

/// Query parameters a handler reads as one typed struct, the same way on every route.
pub trait QueryParams: Sized {
    /// Reads a query string. Unknown parameters are ignored, as a browser may add some; a known
    /// one with a bad value is refused, naming the parameter.
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError>;
}

/// The typed query of a page: a bad parameter answers the "bad request" page.
pub struct PageQuery<T>(pub T);

/// The typed query of an API call: a bad parameter answers `bad_parameter`, naming it.
pub struct ApiQuery<T>(pub T);

impl<T: QueryParams, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        Ok(Self(T::from_query(parts.uri.query())?))
    }
}

impl<T: QueryParams, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(T::from_query(parts.uri.query())?))
    }
}

impl From<ParamError> for PageError {
    fn from(e: ParamError) -> Self {
        PageError::bad_parameter(&e.name)
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        ApiError::bad_parameter(&e.name, e.message)
    }
}

impl ParamError {
    pub fn new(name: &str, message: impl Into<String>) -> Self {
        Self {
            name: name.to_string(),
            message: message.into(),
        }
    }
}

/// An id parameter: a positive integer.
pub fn id_param(name: &str, raw: &str) -> Result<i64, ParamError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ParamError::new(name, format!("`{raw}` is not an id")))
}

impl QueryParams for Selection {
    fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        Self::parse(raw)
    }
}

impl Selection {
    /// Reads `q`, `theme`, `commune`, `institution`, `public`, `source`, `concept`,
    /// `component` (each repeatable),
    /// `page` and `per_page`. Unknown parameters are ignored, as a browser may add some.
    pub fn parse(query: Option<&str>) -> Result<Self, ParamError> {
        let mut s = Selection {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..Selection::default()
        };
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value = value.trim().to_string();
            match key.as_ref() {
                "q" => s.q = value,
                "page" => s.page = number(&key, &value, 1, u32::MAX)?,
                "per_page" => s.per_page = number(&key, &value, 1, MAX_PER_PAGE)?,
                other => {
                    if let Some(f) = Filter::PARAMS.into_iter().find(|f| f.param() == other)
                        && !value.is_empty()
                        && !s.filters.contains(&(f, value.clone()))
                    {
                        s.filters.push((f, value));
                    }
                }
            }
        }
        Ok(s)
    }

    pub fn values(&self, f: Filter) -> Vec<String> {
        self.filters
            .iter()
            .filter(|(g, _)| *g == f)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, f: Filter, value: &str) -> bool {
        self.filters.iter().any(|(g, v)| *g == f && v == value)
    }

    /// The search for this selection. Only published practices are public, and the index
    /// that `serve` keeps holds nothing else (see `cli::serve`): no status filter is needed,
    /// which also lets the index answer the unfiltered listing from its facet cache.
    pub fn to_query(&self) -> SearchQuery {
        SearchQuery {
            q: self.q.clone(),
            themes: self.values(Filter::Theme),
            communes: self.values(Filter::Commune),
            institutions: self.values(Filter::Institution),
            target_publics: self.values(Filter::Public),
            sources: self.values(Filter::Source),
            statuses: Vec::new(),
            concepts: self.values(Filter::Concept),
            components: self.values(Filter::Component),
            page: self.page,
            per_page: self.per_page,
        }
    }

    /// The query string of this selection (without `page` when it is 1).
    pub fn query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        for (f, v) in &self.filters {
            out.append_pair(f.param(), v);
        }
        if self.page > 1 {
            out.append_pair("page", &self.page.to_string());
        }
        if self.per_page != DEFAULT_PER_PAGE {
            out.append_pair("per_page", &self.per_page.to_string());
        }
        out.finish()
    }

    pub fn href(&self, path: &str) -> String {
        let qs = self.query_string();
        if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        }
    }

    /// The same selection with a filter added, or removed when present; back to page 1.
    #[must_use]
    pub fn toggled(&self, f: Filter, value: &str) -> Self {
        let mut s = self.clone();
        s.page = 1;
        if s.has(f, value) {
            s.filters.retain(|(g, v)| !(*g == f && v == value));
        } else {
            s.filters.push((f, value.to_string()));
        }
        s
    }

    #[must_use]
    pub fn at_page(&self, page: u32) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// The whole selection, every page: what a CSV or JSON download holds.
    #[must_use]
    pub fn all_pages(&self) -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..self.clone()
        }
    }
}

fn number(name: &str, value: &str, min: u32, max: u32) -> Result<u32, ParamError> {
    match value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ParamError {
            name: name.to_string(),
            message: format!("`{value}` is not a whole number from {min} to {max}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_back() {
        let s = Selection::parse(Some(
            "q=caf%C3%A9+langues&theme=Langues&commune=Strassen&page=2&x=1",
        ))
        .unwrap();
        assert_eq!(s.q, "café langues");
        assert_eq!(s.values(Filter::Commune), ["Strassen"]);
        assert_eq!(s.page, 2);
        let again = Selection::parse(Some(&s.query_string())).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn toggling_adds_and_removes_and_resets_the_page() {
        let s = Selection::parse(Some("q=x&page=3")).unwrap();
        let t = s.toggled(Filter::Theme, "Sport");
        assert_eq!(
            (t.page, t.values(Filter::Theme)),
            (1, vec!["Sport".to_string()])
        );
        assert!(t.toggled(Filter::Theme, "Sport").filters.is_empty());
    }

    #[test]
    fn bad_numbers_name_the_parameter() {
        let e = Selection::parse(Some("per_page=1000")).unwrap_err();
        assert_eq!(e.name, "per_page");
        assert_eq!(Selection::parse(Some("page=0")).unwrap_err().name, "page");
        assert_eq!(Selection::parse(Some("page=abc")).unwrap_err().name, "page");
    }
}

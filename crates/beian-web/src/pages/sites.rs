//! `/sites`: search, filters (severity of the worst unresolved finding, subject, access
//! provider, status, tag), pagination, and bulk actions on the ticked rows (add or remove a
//! tag, check now; `POST /sites/bulk`, the same code as the API's). Only sites of the
//! user's organisations are listed; the finding figures of each row come from the store's
//! count tables and the tag drop-down from its tag counts, so a page costs the same at any
//! number of sites and findings.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use beian_core::finding::Severity;
use beian_core::model::{Record, RecordKind, Website};
use beian_store::{CountScope, ListQuery, Role, Store};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser, percent_encode};
use super::{PageError, local_path, render};
use crate::AppState;
use crate::error::ApiError;
use crate::site_bulk::{self, BulkAction};

const PER_PAGE: u32 = 25;
/// Tags offered in the filter's drop-down (by name); a tag past these is still filtered by
/// `?tag=`.
const TAG_OPTIONS: u32 = 500;

#[derive(Debug, Default, Deserialize)]
pub struct SiteListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    severity: String,
    /// Subject name or id number (substring).
    #[serde(default)]
    subject: String,
    /// Access provider name (exact).
    #[serde(default)]
    provider: String,
    /// `active` or `closed`.
    #[serde(default)]
    status: String,
    #[serde(default)]
    tag: String,
    page: Option<u32>,
}

/// An entry of a filter's drop-down.
pub struct FilterOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

pub struct SeverityOption {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// A site in the list with its most severe unresolved finding and how many it has.
pub struct SiteRow {
    pub site: Website,
    pub worst: Option<Severity>,
    pub unresolved: u64,
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    c: Chrome,
    q: String,
    subject: String,
    severities: Vec<SeverityOption>,
    providers: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    tags: Vec<FilterOption>,
    sites: Vec<SiteRow>,
    total: u64,
    page: u32,
    pages: u32,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn websites(records: Vec<Record>) -> impl Iterator<Item = Website> {
    records.into_iter().filter_map(|record| match record {
        Record::Website(site) => Some(site),
        _ => None,
    })
}

/// `GET /sites`.
pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    params: Result<Query<SiteListParams>, QueryRejection>,
) -> Result<Response, PageError> {
    // A malformed query string shows the first page rather than an error.
    let Query(params) = params.unwrap_or_else(|_| Query(Default::default()));
    let page = params.page.unwrap_or(1).max(1);
    let severity = Severity::parse(&params.severity);
    let search = params.q.trim().to_owned();
    let subject = params.subject.trim().to_owned();
    let provider = params.provider.trim().to_owned();
    let tag = params.tag.trim().to_owned();
    let status = match params.status.trim() {
        "active" => "active",
        "closed" => "closed",
        _ => "",
    };
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let query = ListQuery {
        search: (!search.is_empty()).then(|| search.clone()),
        subject_search: (!subject.is_empty()).then(|| subject.clone()),
        access_provider: (!provider.is_empty()).then(|| provider.clone()),
        status: (!status.is_empty()).then(|| status.to_owned()),
        min_finding_severity: severity,
        tag: (!tag.is_empty()).then(|| tag.clone()),
        limit: PER_PAGE,
        offset,
        ..ListQuery::of(RecordKind::Website)
    };
    let listed = state
        .store()
        .list_sites_in(user.principal.organisations(), &query)
        .await
        .map_err(|e| user.error(e))?;
    let total = listed.total;
    let sites: Vec<Website> = websites(listed.items).collect();
    let ids: Vec<i64> = sites.iter().map(|site| site.id).collect();
    let counts = state
        .store()
        .site_finding_counts(&ids)
        .await
        .map_err(|e| user.error(e))?;
    let rows = sites
        .into_iter()
        .map(|site| {
            let counts = counts.get(&site.id).copied().unwrap_or_default();
            SiteRow {
                worst: counts.worst(),
                unresolved: counts.total(),
                site,
            }
        })
        .collect();
    let provider_names: Vec<String> = state
        .store()
        .list(&ListQuery {
            limit: 0,
            ..ListQuery::of(RecordKind::AccessProvider)
        })
        .await
        .map_err(|e| user.error(e))?
        .items
        .into_iter()
        .filter_map(|record| match record {
            Record::AccessProvider(p) => Some(p.name),
            _ => None,
        })
        .collect();
    let tag_counts = state
        .store()
        .site_tags(
            CountScope::Organisations(user.principal.organisations()),
            TAG_OPTIONS,
        )
        .await
        .map_err(|e| user.error(e))?;
    let pages = u32::try_from(total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let severity_code = severity.map_or("", Severity::as_str);
    let href = |page: u32| {
        format!(
            "/sites?q={}&severity={severity_code}&subject={}&provider={}&status={status}&tag={}&page={page}",
            percent_encode(&search),
            percent_encode(&subject),
            percent_encode(&provider),
            percent_encode(&tag),
        )
    };
    let c = user.chrome(&href(page));
    let severities = Severity::ALL
        .into_iter()
        .rev()
        .map(|s| SeverityOption {
            code: s.as_str(),
            label: c.severity(&s),
            selected: Some(s) == severity,
        })
        .collect();
    let providers = provider_names
        .into_iter()
        .map(|name| FilterOption {
            selected: name == provider,
            label: name.clone(),
            code: name,
        })
        .collect();
    let statuses = [
        ("active", "运行中", "active"),
        ("closed", "已关闭", "closed"),
    ]
    .into_iter()
    .map(|(code, zh, en)| FilterOption {
        code: code.to_owned(),
        label: c.t(zh, en).to_owned(),
        selected: code == status,
    })
    .collect();
    let tags = tag_counts
        .into_iter()
        .map(|(name, sites)| FilterOption {
            selected: name == tag,
            label: format!("{name} ({sites})"),
            code: name,
        })
        .collect();
    let view = SitesPage {
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        c,
        q: search,
        subject,
        severities,
        providers,
        statuses,
        tags,
        sites: rows,
        total,
        page,
        pages,
    };
    Ok(render(&view))
}

/// `POST /sites/bulk`: the ticked sites (`site`, repeated), the `action` (`add_tag`,
/// `remove_tag`, `check_now`), the `tag`, the CSRF token and the page to go back to.
pub async fn bulk(
    State(state): State<AppState>,
    user: PageUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    };
    user.check_csrf(field("csrf"))?;
    user.require(Role::Operator)?;
    let mut site_ids = Vec::new();
    for (_, value) in fields.iter().filter(|(key, _)| key == "site") {
        let id = value.trim().parse().map_err(|_| {
            user.error(ApiError::invalid(
                format!("网站编号 {value:?} 无效"),
                format!("site id {value:?} is not a number"),
            ))
        })?;
        site_ids.push(id);
    }
    let tag = Some(field("tag")).filter(|tag| !tag.trim().is_empty());
    let action = BulkAction::parse(field("action"), tag).map_err(|e| user.error(e))?;
    site_bulk::apply(&state, &user.principal, &site_ids, &action)
        .await
        .map_err(|e| user.error(e))?;
    Ok(Redirect::to(local_path(field("back")).unwrap_or("/sites")).into_response())
}

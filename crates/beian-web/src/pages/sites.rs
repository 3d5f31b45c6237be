//! `/sites`: search, filter by severity, pagination. Only sites of the user's
//! organisations are listed.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use beian_core::finding::Severity;
use beian_core::model::{Record, RecordId, RecordKind, Website};
use beian_store::{FindingQuery, ListQuery, Store};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser, percent_encode};
use super::{PageError, render};
use crate::AppState;

const PER_PAGE: u32 = 25;

#[derive(Debug, Default, Deserialize)]
pub struct SiteListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    severity: String,
    page: Option<u32>,
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
    severities: Vec<SeverityOption>,
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
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let orgs = user.principal.organisations();
    let (sites, total) = match severity {
        None => {
            let query = ListQuery {
                search: (!search.is_empty()).then(|| search.clone()),
                limit: PER_PAGE,
                offset,
                ..ListQuery::of(RecordKind::Website)
            };
            let listed = state
                .store()
                .list_sites_in(orgs, &query)
                .await
                .map_err(|e| user.error(e))?;
            (websites(listed.items).collect::<Vec<_>>(), listed.total)
        }
        Some(severity) => {
            // Sites with an unresolved finding at least this severe, most severe first.
            // The store has no site filter by finding severity, so the site ids come
            // from the findings and the page is cut here.
            let findings = state
                .store()
                .list_findings_in(
                    orgs,
                    &FindingQuery {
                        min_severity: Some(severity),
                        limit: 0,
                        ..FindingQuery::default()
                    },
                )
                .await
                .map_err(|e| user.error(e))?;
            let mut ids: Vec<RecordId> = Vec::new();
            for finding in &findings.items {
                if !ids.contains(&finding.site_id) {
                    ids.push(finding.site_id);
                }
            }
            let needle = search.to_lowercase();
            let mut matching = Vec::new();
            for id in ids {
                if let Some(Record::Website(site)) = state
                    .store()
                    .get(RecordKind::Website, id)
                    .await
                    .map_err(|e| user.error(e))?
                    && (needle.is_empty()
                        || site.name.to_lowercase().contains(&needle)
                        || site.home_url.to_lowercase().contains(&needle))
                {
                    matching.push(site);
                }
            }
            let total = matching.len() as u64;
            let sites = matching
                .into_iter()
                .skip(offset as usize)
                .take(PER_PAGE as usize)
                .collect();
            (sites, total)
        }
    };
    let mut rows = Vec::with_capacity(sites.len());
    for site in sites {
        // Findings list most severe first: the first one is the worst.
        let findings = state
            .store()
            .list_findings(&FindingQuery {
                site_id: Some(site.id),
                limit: 1,
                ..FindingQuery::default()
            })
            .await
            .map_err(|e| user.error(e))?;
        rows.push(SiteRow {
            worst: findings.items.first().map(|f| f.severity),
            unresolved: findings.total,
            site,
        });
    }
    let pages = u32::try_from(total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let severity_code = severity.map_or("", Severity::as_str);
    let href = |page: u32| {
        format!(
            "/sites?q={}&severity={severity_code}&page={page}",
            percent_encode(&search)
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
    let view = SitesPage {
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        c,
        q: search,
        severities,
        sites: rows,
        total,
        page,
        pages,
    };
    Ok(render(&view))
}

//! `/`: what needs attention first — the most severe findings, domains expiring within
//! 90 days, sites by status and findings by severity (with a bar chart in inline SVG,
//! which the CSP allows: it is markup, not script).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use beian_core::case::deadlines::beijing_date;
use beian_core::finding::{Finding, Severity};
use beian_core::model::{Record, RecordKind};
use beian_store::{DEFAULT_ORGANISATION, FindingQuery, ListQuery, Store};
use chrono::{Duration, Utc};

use super::chrome::{Chrome, PageUser, SiteNames};
use super::{PageError, render};
use crate::AppState;

/// How far ahead the overview looks for expiring domains.
const EXPIRY_HORIZON_DAYS: i64 = 90;
/// How many of the most severe findings the overview lists.
const TOP_FINDINGS: u32 = 10;
/// How many expiring domains the overview lists.
const EXPIRY_ROWS: u32 = 50;

pub struct SeverityCount {
    pub severity: Severity,
    pub count: u64,
    /// Bar height in the chart, 0–100.
    pub height: u64,
    /// The bar's top edge (the chart is 120 high with a 10-unit margin).
    pub y: u64,
    pub x: u64,
}

pub struct Expiry {
    pub domain: String,
    pub site_id: Option<i64>,
    pub expires_on: String,
    pub days_left: i64,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    c: Chrome,
    findings: Vec<Finding>,
    names: SiteNames,
    severities: Vec<SeverityCount>,
    active_sites: u64,
    closed_sites: u64,
    expiries: Vec<Expiry>,
}

async fn severity_counts(
    state: &AppState,
    user: &PageUser,
) -> Result<Vec<SeverityCount>, PageError> {
    // The store counts "at least this severe"; the difference of neighbours is the count
    // of one severity. Limit 1: only the totals are needed.
    let mut at_least = Vec::with_capacity(Severity::ALL.len());
    for severity in Severity::ALL {
        let page = state
            .store()
            .list_findings_in(
                user.principal.organisations(),
                &FindingQuery {
                    min_severity: Some(severity),
                    limit: 1,
                    ..FindingQuery::default()
                },
            )
            .await
            .map_err(|e| user.error(e))?;
        at_least.push(page.total);
    }
    let counts: Vec<u64> = (0..at_least.len())
        .map(|i| at_least[i].saturating_sub(at_least.get(i + 1).copied().unwrap_or(0)))
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    Ok(Severity::ALL
        .into_iter()
        .rev()
        .zip(counts.into_iter().rev())
        .enumerate()
        .map(|(i, (severity, count))| {
            let height = count * 100 / max;
            SeverityCount {
                severity,
                count,
                height,
                y: 110 - height,
                x: 10 + i as u64 * 60,
            }
        })
        .collect())
}

async fn site_total(state: &AppState, user: &PageUser, status: &str) -> Result<u64, PageError> {
    let query = ListQuery {
        status: Some(status.to_owned()),
        limit: 1,
        ..ListQuery::of(RecordKind::Website)
    };
    Ok(state
        .store()
        .list_sites_in(user.principal.organisations(), &query)
        .await
        .map_err(|e| user.error(e))?
        .total)
}

/// Domains of the user's sites expiring (or expired) before the horizon, soonest first.
async fn expiries(state: &AppState, user: &PageUser) -> Result<Vec<Expiry>, PageError> {
    let today = beijing_date(Utc::now());
    let query = ListQuery {
        expiring_before: Some(today + Duration::days(EXPIRY_HORIZON_DAYS + 1)),
        limit: EXPIRY_ROWS * 4,
        ..ListQuery::of(RecordKind::Domain)
    };
    let domains: Vec<_> = state
        .store()
        .list(&query)
        .await
        .map_err(|e| user.error(e))?
        .items
        .into_iter()
        .filter_map(|record| match record {
            Record::Domain(domain) => Some(domain),
            _ => None,
        })
        .collect();
    let site_ids: Vec<i64> = domains.iter().filter_map(|d| d.website_id).collect();
    let owners = state
        .store()
        .site_organisations(&site_ids)
        .await
        .map_err(|e| user.error(e))?;
    Ok(domains
        .into_iter()
        .filter(|domain| {
            // A domain without a site belongs to the default organisation, like a case.
            let owner = domain
                .website_id
                .map_or(Some(DEFAULT_ORGANISATION), |site| {
                    owners.get(&site).copied()
                });
            owner.is_some_and(|owner| user.principal.sees(owner))
        })
        .filter_map(|domain| {
            let expires_on = domain.expires_on?;
            Some(Expiry {
                domain: domain.unicode_name,
                site_id: domain.website_id,
                expires_on: expires_on.to_string(),
                days_left: (expires_on - today).num_days(),
            })
        })
        .take(EXPIRY_ROWS as usize)
        .collect())
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let findings = state
        .store()
        .list_findings_in(
            user.principal.organisations(),
            &FindingQuery {
                limit: TOP_FINDINGS,
                ..FindingQuery::default()
            },
        )
        .await
        .map_err(|e| user.error(e))?
        .items;
    let page = OverviewPage {
        c: user.chrome("/"),
        names: SiteNames::load(&state, &user, findings.iter().map(|f| f.site_id).collect()).await?,
        findings,
        severities: severity_counts(&state, &user).await?,
        active_sites: site_total(&state, &user, "active").await?,
        closed_sites: site_total(&state, &user, "closed").await?,
        expiries: expiries(&state, &user).await?,
    };
    Ok(render(&page))
}

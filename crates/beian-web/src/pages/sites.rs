//! `/sites` (search, filter by severity, pagination) and `/sites/{id}` (inventory, the
//! latest observation with its signals and snippets, findings, cases, audit timeline).
//! Only sites of the user's organisations are listed; any other id answers 404.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use beian_core::audit::AuditEntry;
use beian_core::case::Case;
use beian_core::facts::{RegistrationObservation, SiteObservation, WebFacts};
use beian_core::finding::{Finding, FindingState, Severity};
use beian_core::model::{Domain, Filing, Record, RecordId, RecordKind, Website};
use beian_store::{AuditQuery, CaseQuery, FindingQuery, ListQuery, Store};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser, SiteNames, percent_encode};
use super::{PageError, render};
use crate::AppState;
use crate::api::visible_site;
use crate::error::ApiError;

const PER_PAGE: u32 = 25;
/// Audit entries shown on a site's timeline, newest last.
const TIMELINE_ENTRIES: usize = 50;

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

/// One domain as the latest scan saw it (registration fields come from WHOIS/RDAP and
/// are attacker-controlled text: the template escapes them like everything else).
pub struct DomainSeen {
    pub name: String,
    /// `registered`, `not_registered` or `unknown`.
    pub state: &'static str,
    pub detail: String,
    pub registrar: String,
    pub registrant: String,
    pub expires_on: String,
    pub statuses: String,
    pub nameservers: String,
    pub addresses: String,
}

/// The latest observation as the page shows it.
pub struct Latest {
    pub observed_at: String,
    pub domains: Vec<DomainSeen>,
    pub web: Option<WebFacts>,
}

fn latest_view(c: &Chrome, seen: SiteObservation) -> Latest {
    let domains = seen
        .domains
        .into_iter()
        .map(|domain| {
            let addresses = domain.dns.as_ref().map_or_else(String::new, |dns| {
                let ips: Vec<String> = dns.addresses.iter().map(ToString::to_string).collect();
                format!("{} {}", dns.rcode, ips.join(", "))
            });
            let mut row = DomainSeen {
                name: domain.name,
                state: "unknown",
                detail: String::new(),
                registrar: String::new(),
                registrant: String::new(),
                expires_on: String::new(),
                statuses: String::new(),
                nameservers: String::new(),
                addresses,
            };
            match domain.registration {
                RegistrationObservation::Unknown { detail } => row.detail = detail,
                RegistrationObservation::NotRegistered => row.state = "not_registered",
                RegistrationObservation::Registered(facts) => {
                    row.state = "registered";
                    row.detail = facts.source;
                    row.registrar = facts.registrar.unwrap_or_default();
                    row.registrant = facts.registrant.unwrap_or_default();
                    row.expires_on = facts.expires_on.map(|d| d.to_string()).unwrap_or_default();
                    row.statuses = facts.statuses.join(", ");
                    row.nameservers = facts.nameservers.join(", ");
                }
            }
            row
        })
        .collect();
    Latest {
        observed_at: c.when(&seen.observed_at),
        domains,
        web: seen.web,
    }
}

#[derive(Template)]
#[template(path = "site.html")]
struct SitePage {
    c: Chrome,
    site: Website,
    domains: Vec<Domain>,
    filings: Vec<Filing>,
    latest: Option<Latest>,
    /// An observation is stored but cannot be read (written by another version).
    unreadable: bool,
    findings: Vec<Finding>,
    names: SiteNames,
    cases: Vec<Case>,
    timeline: Vec<AuditEntry>,
}

async fn records_of_site(
    state: &AppState,
    user: &PageUser,
    kind: RecordKind,
    site_id: RecordId,
) -> Result<Vec<Record>, PageError> {
    let query = ListQuery {
        website_id: Some(site_id),
        limit: 0,
        ..ListQuery::of(kind)
    };
    Ok(state
        .store()
        .list(&query)
        .await
        .map_err(|e| user.error(e))?
        .items)
}

/// The audit entries of the site, its findings and its cases, in chain order, the
/// newest [`TIMELINE_ENTRIES`].
async fn timeline(
    state: &AppState,
    user: &PageUser,
    subjects: &[(&str, RecordId)],
) -> Result<Vec<AuditEntry>, PageError> {
    let mut entries = Vec::new();
    for (entity, entity_id) in subjects {
        entries.extend(
            state
                .store()
                .audit_entries(&AuditQuery {
                    entity: Some((*entity).to_owned()),
                    entity_id: Some(*entity_id),
                    limit: 0,
                    ..AuditQuery::default()
                })
                .await
                .map_err(|e| user.error(e))?,
        );
    }
    entries.sort_by_key(|entry| entry.seq);
    let skip = entries.len().saturating_sub(TIMELINE_ENTRIES);
    entries.drain(..skip);
    Ok(entries)
}

/// `GET /sites/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || user.error(ApiError::not_found("site", "网站"));
    let id: RecordId = id.parse().map_err(|_| not_found())?;
    visible_site(&state, &user.principal, id)
        .await
        .map_err(|e| user.error(e))?;
    let store = state.store();
    let Some(Record::Website(site)) = store
        .get(RecordKind::Website, id)
        .await
        .map_err(|e| user.error(e))?
    else {
        return Err(not_found());
    };
    let domains = records_of_site(&state, &user, RecordKind::Domain, id)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            Record::Domain(d) => Some(d),
            _ => None,
        })
        .collect();
    let filings = records_of_site(&state, &user, RecordKind::Filing, id)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            Record::Filing(f) => Some(f),
            _ => None,
        })
        .collect();
    let c = user.chrome(&format!("/sites/{id}"));
    let (latest, unreadable) = match store
        .latest_observations(id, 1)
        .await
        .map_err(|e| user.error(e))?
        .into_iter()
        .next()
    {
        None => (None, false),
        Some(stored) => match serde_json::from_str::<SiteObservation>(&stored.body) {
            Ok(seen) => (Some(latest_view(&c, seen)), false),
            Err(error) => {
                tracing::warn!(site = id, %error, "stored observation is not readable");
                (None, true)
            }
        },
    };
    let all_findings = store
        .list_findings(&FindingQuery {
            site_id: Some(id),
            include_resolved: true,
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .map_err(|e| user.error(e))?
        .items;
    let cases = store
        .list_cases(&CaseQuery {
            site_id: Some(id),
            kind: None,
            states: Vec::new(),
            include_terminal: true,
        })
        .await
        .map_err(|e| user.error(e))?;
    let mut subjects: Vec<(&str, i64)> = vec![("website", id)];
    subjects.extend(all_findings.iter().map(|f| ("finding", f.id)));
    subjects.extend(cases.iter().map(|c| ("case", c.id)));
    let timeline = timeline(&state, &user, &subjects).await?;
    let findings = all_findings
        .into_iter()
        .filter(|f| f.state != FindingState::Resolved)
        .collect();
    let names = SiteNames(std::iter::once((site.id, site.name.clone())).collect());
    let view = SitePage {
        names,
        c,
        site,
        domains,
        filings,
        latest,
        unreadable,
        findings,
        cases,
        timeline,
    };
    Ok(render(&view))
}

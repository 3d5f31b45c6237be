//! `/sites/{id}`: one site's inventory, the latest observation with its signals and
//! snippets, findings, cases and audit timeline. Any id outside the user's organisations
//! answers 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use beian_core::audit::AuditEntry;
use beian_core::case::Case;
use beian_core::facts::{RegistrationObservation, SiteObservation, WebFacts};
use beian_core::finding::{Finding, FindingState};
use beian_core::model::{Domain, Filing, Record, RecordId, RecordKind, Website};
use beian_engine::personas::PersonaFetch;
use beian_store::{AuditQuery, CaseQuery, FindingQuery, ListQuery, Store};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser, SiteNames};
use super::{PageError, render};
use crate::AppState;
use crate::api::visible_site;
use crate::error::ApiError;

/// Audit entries shown on a site's timeline, newest last.
const TIMELINE_ENTRIES: usize = 50;

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
    /// Each persona's fetch with its redirect chain (empty for observations stored before
    /// the engine kept them).
    pub personas: Vec<PersonaFetch>,
}

/// The part of a stored observation beyond [`SiteObservation`] that the page shows.
#[derive(Deserialize)]
struct PersonaEvidence {
    #[serde(default)]
    personas: Vec<PersonaFetch>,
}

fn latest_view(c: &Chrome, seen: SiteObservation, personas: Vec<PersonaFetch>) -> Latest {
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
        personas,
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
            Ok(seen) => {
                // Older records lack the fetches: shown as none rather than unreadable.
                let personas = serde_json::from_str::<PersonaEvidence>(&stored.body)
                    .map(|evidence| evidence.personas)
                    .unwrap_or_default();
                (Some(latest_view(&c, seen, personas)), false)
            }
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

//! Read and act routes over sites, findings and cases. Every item is checked against the
//! caller's organisations; one outside them answers 404, exactly like one that does not
//! exist, so ids of other clients' sites cannot be probed.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use beian_core::case::{Case, CaseEvent, CaseKind, CaseState};
use beian_core::finding::{Finding, FindingState, Severity};
use beian_core::model::{Record, RecordId, RecordKind, Website};
use beian_store::{CaseQuery, FindingQuery, ListQuery, OrganisationId, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{Body, Id, Params};

const DEFAULT_PER_PAGE: u32 = 50;
const MAX_PER_PAGE: u32 = 500;

/// One page of a listing.
#[derive(Debug, Serialize)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// How many match; at least this many when `total_exact` is false (a findings
    /// listing filtered by rule or state stops counting at [`beian_store::COUNT_CAP`]).
    pub total: u64,
    pub total_exact: bool,
}

/// `page`/`per_page` as `(limit, offset)`, refused when out of range.
fn pagination(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32, u32), ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page == 0 {
        return Err(ApiError::invalid("page 从 1 开始", "page counts from 1"));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::invalid(
            format!("per_page 须在 1 到 {MAX_PER_PAGE} 之间"),
            format!("per_page must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    let offset = (page - 1)
        .checked_mul(per_page)
        .ok_or_else(|| ApiError::invalid("page 太大", "page is too large"))?;
    Ok((page, per_page, offset))
}

/// Comma-separated codes, each parsed or named in the error.
fn codes<T>(
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
    field: &str,
    expected: &str,
) -> Result<Vec<T>, ApiError> {
    text.map(|text| {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|code| {
                parse(code).ok_or_else(|| {
                    ApiError::invalid(
                        format!("{field} 的值 {code:?} 无效"),
                        format!("{field} cannot be {code:?}; use {expected}"),
                    )
                })
            })
            .collect()
    })
    .unwrap_or_else(|| Ok(Vec::new()))
}

/// The organisation of a site, if the caller may see it.
pub(crate) async fn visible_site(
    state: &AppState,
    principal: &Principal,
    site_id: RecordId,
) -> Result<OrganisationId, ApiError> {
    let owners = state.store().site_organisations(&[site_id]).await?;
    owners
        .get(&site_id)
        .copied()
        .filter(|owner| principal.sees(*owner))
        .ok_or(ApiError::not_found("site", "网站"))
}

pub async fn health() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

pub async fn openapi() -> impl IntoResponse {
    Json(crate::openapi::document())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteParams {
    page: Option<u32>,
    per_page: Option<u32>,
    q: Option<String>,
    status: Option<String>,
    subject_id: Option<RecordId>,
    /// Subject name or id number (substring).
    subject: Option<String>,
    /// Access provider name (exact).
    provider: Option<String>,
    /// Sites with an unresolved finding at least this severe.
    min_severity: Option<String>,
    tag: Option<String>,
}

pub async fn list_sites(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Params(params): Params<SiteParams>,
) -> Result<Json<PageOf<Website>>, ApiError> {
    let (page, per_page, offset) = pagination(params.page, params.per_page)?;
    let min_finding_severity = match params.min_severity.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(Severity::parse(code).ok_or_else(|| {
            ApiError::invalid(
                format!("未知的严重程度 {code:?}"),
                format!("unknown severity {code:?}; use info, low, medium, high or critical"),
            )
        })?),
    };
    let query = ListQuery {
        search: params.q,
        status: params.status,
        subject_id: params.subject_id,
        subject_search: params.subject,
        access_provider: params.provider,
        min_finding_severity,
        tag: params.tag,
        limit: per_page,
        offset,
        ..ListQuery::of(RecordKind::Website)
    };
    let listed = state
        .store()
        .list_sites_in(principal.organisations(), &query)
        .await?;
    let items = listed
        .items
        .into_iter()
        .filter_map(|record| match record {
            Record::Website(site) => Some(site),
            _ => None,
        })
        .collect();
    Ok(Json(PageOf {
        items,
        page,
        per_page,
        total: listed.total,
        total_exact: true,
    }))
}

/// `POST /api/v1/sites/bulk`: one action on many sites (see [`crate::site_bulk`]).
pub async fn bulk_sites(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Body(body): Body<crate::site_bulk::BulkRequest>,
) -> Result<Json<crate::site_bulk::BulkOutcome>, ApiError> {
    let action = crate::site_bulk::BulkAction::parse(&body.action, body.tag.as_deref())?;
    crate::site_bulk::apply(&state, &principal, &body.site_ids, &action)
        .await
        .map(Json)
}

#[derive(Debug, Serialize)]
pub struct SiteDetail {
    #[serde(flatten)]
    pub site: Website,
    pub organisation_id: OrganisationId,
}

pub async fn get_site(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
) -> Result<Json<SiteDetail>, ApiError> {
    let organisation_id = visible_site(&state, &principal, id).await?;
    match state.store().get(RecordKind::Website, id).await? {
        Some(Record::Website(site)) => Ok(Json(SiteDetail {
            site,
            organisation_id,
        })),
        _ => Err(ApiError::not_found("site", "网站")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingParams {
    page: Option<u32>,
    per_page: Option<u32>,
    site_id: Option<RecordId>,
    rule_id: Option<String>,
    state: Option<String>,
    min_severity: Option<String>,
    #[serde(default)]
    include_resolved: bool,
}

pub async fn list_findings(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Params(params): Params<FindingParams>,
) -> Result<Json<PageOf<Finding>>, ApiError> {
    let (page, per_page, offset) = pagination(params.page, params.per_page)?;
    let min_severity = codes(
        params.min_severity.as_deref(),
        Severity::parse,
        "min_severity",
        "info, low, medium, high or critical",
    )?
    .into_iter()
    .next();
    let query = FindingQuery {
        site_id: params.site_id,
        rule_id: params.rule_id,
        states: codes(
            params.state.as_deref(),
            FindingState::parse,
            "state",
            "open, acknowledged, suppressed, resolved",
        )?,
        min_severity,
        include_resolved: params.include_resolved,
        offset,
        limit: per_page,
    };
    let listed = state
        .store()
        .list_findings_in(principal.organisations(), &query)
        .await?;
    Ok(Json(PageOf {
        items: listed.items,
        page,
        per_page,
        total: listed.total,
        total_exact: listed.total_exact,
    }))
}

/// The finding, if the caller may see it.
async fn visible_finding(
    state: &AppState,
    principal: &Principal,
    id: RecordId,
) -> Result<Finding, ApiError> {
    let not_found = || ApiError::not_found("finding", "发现");
    let finding = state.store().get_finding(id).await?.ok_or_else(not_found)?;
    visible_site(state, principal, finding.site_id)
        .await
        .map_err(|_| not_found())?;
    Ok(finding)
}

pub async fn get_finding(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
) -> Result<Json<Finding>, ApiError> {
    visible_finding(&state, &principal, id).await.map(Json)
}

pub async fn acknowledge_finding(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
) -> Result<Json<Finding>, ApiError> {
    visible_finding(&state, &principal, id).await?;
    let finding = state
        .store()
        .acknowledge_finding(&principal.actor(), id)
        .await?;
    Ok(Json(finding))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppress {
    reason: String,
    /// RFC 3339, e.g. `2030-01-31T00:00:00Z`.
    until: DateTime<Utc>,
}

pub async fn suppress_finding(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
    Body(body): Body<Suppress>,
) -> Result<Json<Finding>, ApiError> {
    visible_finding(&state, &principal, id).await?;
    let finding = state
        .store()
        .suppress_finding(&principal.actor(), id, &body.reason, body.until, Utc::now())
        .await?;
    Ok(Json(finding))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseParams {
    page: Option<u32>,
    per_page: Option<u32>,
    site_id: Option<RecordId>,
    kind: Option<String>,
    state: Option<String>,
    #[serde(default)]
    include_terminal: bool,
}

pub async fn list_cases(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Params(params): Params<CaseParams>,
) -> Result<Json<PageOf<Case>>, ApiError> {
    let (page, per_page, offset) = pagination(params.page, params.per_page)?;
    let query = CaseQuery {
        site_id: params.site_id,
        kind: codes(
            params.kind.as_deref(),
            CaseKind::parse,
            "kind",
            "a case kind such as icp_cancel_website",
        )?
        .into_iter()
        .next(),
        states: codes(
            params.state.as_deref(),
            CaseState::parse,
            "state",
            "case states such as draft, preparing, closed",
        )?,
        include_terminal: params.include_terminal,
    };
    // The store lists cases unpaged (there are few); the page is cut here.
    let cases = state
        .store()
        .list_cases_in(principal.organisations(), &query)
        .await?;
    let total = cases.len() as u64;
    let items = cases
        .into_iter()
        .skip(offset as usize)
        .take(per_page as usize)
        .collect();
    Ok(Json(PageOf {
        items,
        page,
        per_page,
        total,
        total_exact: true,
    }))
}

#[derive(Debug, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub events: Vec<CaseEvent>,
}

pub async fn get_case(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
) -> Result<Json<CaseDetail>, ApiError> {
    let case = crate::api_cases::visible_case(&state, &principal, id).await?;
    let events = state.store().case_events(id).await?;
    Ok(Json(CaseDetail { case, events }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_bounds() {
        assert_eq!(pagination(None, None).ok(), Some((1, 50, 0)));
        assert_eq!(pagination(Some(3), Some(20)).ok(), Some((3, 20, 40)));
        assert!(pagination(Some(0), None).is_err());
        assert!(pagination(None, Some(0)).is_err());
        assert!(pagination(None, Some(501)).is_err());
        assert!(pagination(Some(u32::MAX), Some(500)).is_err());
    }

    #[test]
    fn codes_name_the_bad_one() {
        let parsed = codes(Some("open, resolved"), FindingState::parse, "state", "…");
        assert_eq!(
            parsed.ok(),
            Some(vec![FindingState::Open, FindingState::Resolved])
        );
        let bad = codes(Some("open,gone"), FindingState::parse, "state", "…");
        assert!(bad.is_err_and(|e| e.to_string().contains("\"gone\"")));
    }
}

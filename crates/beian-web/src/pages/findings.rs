//! `/findings` with acknowledge and suppress forms (operator and above; suppressing
//! needs a reason and an end date).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use beian_core::case::deadlines::end_of_beijing_day;
use beian_core::finding::{Finding, FindingState, Severity};
use beian_core::model::RecordId;
use beian_store::{FindingQuery, Role, Store};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser, SiteNames};
use super::{PageError, local_path, render};
use crate::AppState;
use crate::api::visible_site;
use crate::error::ApiError;

const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct FindingListParams {
    page: Option<u32>,
    /// `open`, `acknowledged`, `suppressed` or `resolved`; empty means every unresolved.
    #[serde(default)]
    state: String,
    /// Only findings at least this severe (`info` … `critical`); empty means any.
    #[serde(default)]
    severity: String,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    c: Chrome,
    findings: Vec<Finding>,
    names: SiteNames,
    total: u64,
    /// False when the total is a lower bound (see [`beian_store::COUNT_CAP`]).
    total_exact: bool,
    page: u32,
    state: String,
    severity: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `GET /findings`.
pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    params: Result<Query<FindingListParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = params.unwrap_or_else(|_| Query(Default::default()));
    let page = params.page.unwrap_or(1).max(1);
    let filter = FindingState::parse(&params.state);
    let min_severity = Severity::parse(&params.severity);
    let listed = state
        .store()
        .list_findings_in(
            user.principal.organisations(),
            &FindingQuery {
                states: filter.into_iter().collect(),
                min_severity,
                offset: (page - 1).saturating_mul(PER_PAGE),
                limit: PER_PAGE,
                ..FindingQuery::default()
            },
        )
        .await
        .map_err(|e| user.error(e))?;
    let state_code = filter.map_or("", FindingState::as_str);
    let severity_code = min_severity.map_or("", Severity::as_str);
    let href =
        |page: u32| format!("/findings?state={state_code}&severity={severity_code}&page={page}");
    let shown_to = u64::from(page) * u64::from(PER_PAGE);
    let names = SiteNames::load(
        &state,
        &user,
        listed.items.iter().map(|f| f.site_id).collect(),
    )
    .await?;
    let view = FindingsPage {
        names,
        c: user.chrome(&href(page)),
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (shown_to < listed.total).then(|| href(page + 1)),
        findings: listed.items,
        total: listed.total,
        total_exact: listed.total_exact,
        page,
        state: state_code.to_owned(),
        severity: severity_code.to_owned(),
    };
    Ok(render(&view))
}

/// The finding, if the user may see it (404 otherwise, as in the API).
async fn visible_finding(
    state: &AppState,
    user: &PageUser,
    id: &str,
) -> Result<RecordId, PageError> {
    let not_found = || user.error(ApiError::not_found("finding", "发现"));
    let id: RecordId = id.parse().map_err(|_| not_found())?;
    let finding = state
        .store()
        .get_finding(id)
        .await
        .map_err(|e| user.error(e))?
        .ok_or_else(not_found)?;
    visible_site(state, &user.principal, finding.site_id)
        .await
        .map_err(|_| not_found())?;
    Ok(id)
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    back: String,
}

fn back_to(back: &str) -> Response {
    Redirect::to(local_path(back).unwrap_or("/findings")).into_response()
}

/// `POST /findings/{id}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Operator)?;
    let id = visible_finding(&state, &user, &id).await?;
    state
        .store()
        .acknowledge_finding(&user.principal.actor(), id)
        .await
        .map_err(|e| user.error(e))?;
    Ok(back_to(&form.back))
}

#[derive(Deserialize)]
pub struct SuppressForm {
    csrf: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    reason: String,
    /// A date (`YYYY-MM-DD`, Beijing): the suppression ends at the end of that day.
    #[serde(default)]
    until: String,
}

/// `POST /findings/{id}/suppress`.
pub async fn suppress(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<SuppressForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Operator)?;
    let id = visible_finding(&state, &user, &id).await?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(user.error(ApiError::invalid(
            "屏蔽须填写原因",
            "a suppression needs a reason",
        )));
    }
    let until = NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d").map_err(|_| {
        user.error(ApiError::invalid(
            format!("截止日期 {:?} 无效，应为 YYYY-MM-DD", form.until),
            format!("the end date {:?} must be YYYY-MM-DD", form.until),
        ))
    })?;
    state
        .store()
        .suppress_finding(
            &user.principal.actor(),
            id,
            reason,
            end_of_beijing_day(until),
            Utc::now(),
        )
        .await
        .map_err(|e| user.error(e))?;
    Ok(back_to(&form.back))
}

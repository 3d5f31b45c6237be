//! `/cases`: a board of the unfinished cases by state with their deadlines in working
//! days; `/cases/{id}`: one case with its checklist (operators tick items), deadlines and
//! history.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use beian_core::calendar::HolidayCalendar;
use beian_core::case::{Case, CaseEvent, CaseState, Deadline, deadline_status, tick};
use beian_core::model::RecordId;
use beian_store::{CaseQuery, DEFAULT_ORGANISATION, Role, Store};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser};
use super::{PageError, render};
use crate::AppState;
use crate::api::visible_site;
use crate::error::ApiError;

pub struct DeadlineView {
    pub label_zh: String,
    pub label_en: String,
    pub due: String,
    pub working_days_left: i64,
    pub overdue: bool,
}

fn deadline_views(c: &Chrome, deadlines: &[Deadline], now: DateTime<Utc>) -> Vec<DeadlineView> {
    let calendar = HolidayCalendar::bundled();
    deadlines
        .iter()
        .map(|deadline| {
            let status = deadline_status(deadline, now, calendar).value;
            DeadlineView {
                label_zh: deadline.label_zh.clone(),
                label_en: deadline.label_en.clone(),
                due: c.when(&deadline.due),
                working_days_left: status.working_days_left,
                overdue: status.overdue,
            }
        })
        .collect()
}

pub struct CaseCard {
    pub case: Case,
    pub deadlines: Vec<DeadlineView>,
    pub done: usize,
    pub items: usize,
}

pub struct Column {
    pub state: CaseState,
    pub cards: Vec<CaseCard>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    c: Chrome,
    columns: Vec<Column>,
}

/// `GET /cases`: a board of the unfinished cases, one column per state.
pub async fn board(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let cases = state
        .store()
        .list_cases_in(
            user.principal.organisations(),
            &CaseQuery {
                site_id: None,
                kind: None,
                states: Vec::new(),
                include_terminal: false,
            },
        )
        .await
        .map_err(|e| user.error(e))?;
    let now = Utc::now();
    let c = user.chrome("/cases");
    let mut columns: Vec<Column> = CaseState::ALL
        .into_iter()
        .filter(|state| !state.is_terminal())
        .map(|state| Column {
            state,
            cards: Vec::new(),
        })
        .collect();
    for case in cases {
        let deadlines = deadline_views(&c, &case.deadlines, now);
        let card = CaseCard {
            done: case.checklist.iter().filter(|item| item.done).count(),
            items: case.checklist.len(),
            deadlines,
            case,
        };
        if let Some(column) = columns.iter_mut().find(|col| col.state == card.case.state) {
            column.cards.push(card);
        }
    }
    Ok(render(&CasesPage { c, columns }))
}

/// The case, if the user may see it: by its site's organisation, or the default
/// organisation for a case without a site (as in the API); 404 otherwise.
async fn visible_case(state: &AppState, user: &PageUser, id: &str) -> Result<Case, PageError> {
    let not_found = || user.error(ApiError::not_found("case", "工单"));
    let id: RecordId = id.parse().map_err(|_| not_found())?;
    let case = state
        .store()
        .get_case(id)
        .await
        .map_err(|e| user.error(e))?
        .ok_or_else(not_found)?;
    let visible = match case.site_id {
        Some(site) => visible_site(state, &user.principal, site).await.is_ok(),
        None => user.principal.sees(DEFAULT_ORGANISATION),
    };
    if visible { Ok(case) } else { Err(not_found()) }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    case: Case,
    deadlines: Vec<DeadlineView>,
    events: Vec<CaseEvent>,
}

/// `GET /cases/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let case = visible_case(&state, &user, &id).await?;
    let events = state
        .store()
        .case_events(case.id)
        .await
        .map_err(|e| user.error(e))?;
    let c = user.chrome(&format!("/cases/{}", case.id));
    let view = CasePage {
        deadlines: deadline_views(&c, &case.deadlines, Utc::now()),
        c,
        case,
        events,
    };
    Ok(render(&view))
}

#[derive(Deserialize)]
pub struct TickForm {
    csrf: String,
    item: String,
    /// `1` ticks the item, anything else unticks it.
    #[serde(default)]
    done: String,
}

/// `POST /cases/{id}/tick`: ticks or unticks one checklist item, as `beian case tick`.
pub async fn tick_item(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<TickForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Operator)?;
    let case = visible_case(&state, &user, &id).await?;
    let done = form.done == "1";
    let next = tick(&case, &form.item, done, Utc::now())
        .map_err(|error| user.error(ApiError::Invalid(error.to_string())))?;
    let note = format!(
        "{} {}",
        form.item.trim(),
        if done { "done" } else { "undone" }
    );
    state
        .store()
        .update_case(&user.principal.actor(), &next, case.state, "tick", &note)
        .await
        .map_err(|e| user.error(e))?;
    Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response())
}

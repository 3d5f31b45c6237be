//! `/cases`: a board of the unfinished cases by state with their deadlines in working
//! days; `/cases/{id}`: one case with its checklist (operators tick items), deadlines and
//! history.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use beian_core::calendar::HolidayCalendar;
use beian_core::case::{
    Case, CaseEvent, CaseState, Deadline, allowed_transitions, deadline_status,
};
use beian_core::model::RecordId;
use beian_store::{CaseQuery, Role, Store};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser};
use super::{PageError, render};
use crate::AppState;
use crate::api_cases::{
    self, CaseDocument, advance_case, case_document_bytes, case_document_response, note_case,
    tick_case,
};
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

/// The case, if the user may see it (404 otherwise), as in the API.
async fn visible_case(state: &AppState, user: &PageUser, id: &str) -> Result<Case, PageError> {
    let id: RecordId = id
        .parse()
        .map_err(|_| user.error(ApiError::not_found("case", "工单")))?;
    api_cases::visible_case(state, &user.principal, id)
        .await
        .map_err(|e| user.error(e))
}

/// A download offered on the case page.
pub struct DocumentLink {
    pub href: String,
    pub label: &'static str,
}

fn document_links(c: &Chrome, case: &Case) -> Vec<DocumentLink> {
    if case.site_id.is_none() {
        return Vec::new();
    }
    CaseDocument::ALL
        .into_iter()
        .map(|document| DocumentLink {
            href: format!("/cases/{}/documents/{}", case.id, document.name()),
            label: match document {
                CaseDocument::CancellationPdf => c.t(
                    "下载注销申请 (PDF)",
                    "Download cancellation application (PDF)",
                ),
                CaseDocument::CancellationDocx => c.t(
                    "下载注销申请 (Word)",
                    "Download cancellation application (Word)",
                ),
                CaseDocument::EvidencePdf => {
                    c.t("下载证据报告 (PDF)", "Download evidence report (PDF)")
                }
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    case: Case,
    deadlines: Vec<DeadlineView>,
    events: Vec<CaseEvent>,
    /// The states the case may move to now (the state machine's order).
    next_states: Vec<CaseState>,
    documents: Vec<DocumentLink>,
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
        next_states: allowed_transitions(case.kind, case.state),
        documents: document_links(&c, &case),
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
    tick_case(&state, &user.principal, &case, &form.item, form.done == "1")
        .await
        .map_err(|e| user.error(e))?;
    Ok(back_to(&case))
}

fn back_to(case: &Case) -> Response {
    Redirect::to(&format!("/cases/{}", case.id)).into_response()
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    csrf: String,
    to: String,
    #[serde(default)]
    note: String,
}

/// `POST /cases/{id}/advance`: moves the case to an allowed next state.
pub async fn advance_step(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<AdvanceForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Operator)?;
    let case = visible_case(&state, &user, &id).await?;
    advance_case(&state, &user.principal, &case, &form.to, &form.note)
        .await
        .map_err(|e| user.error(e))?;
    Ok(back_to(&case))
}

#[derive(Deserialize)]
pub struct NoteForm {
    csrf: String,
    text: String,
}

/// `POST /cases/{id}/note`: adds a note to the history.
pub async fn add_note(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Operator)?;
    let case = visible_case(&state, &user, &id).await?;
    note_case(&state, &user.principal, &case, &form.text)
        .await
        .map_err(|e| user.error(e))?;
    Ok(back_to(&case))
}

/// `GET /cases/{id}/documents/{name}`: the case's cancellation application (PDF or
/// Word) or its site's evidence report, as an attachment; any role may download.
pub async fn document(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, name)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let case = visible_case(&state, &user, &id).await?;
    let document = CaseDocument::parse(&name)
        .map_err(|_| user.error(ApiError::not_found("document", "文档")))?;
    let bytes = case_document_bytes(&state, &case, document)
        .await
        .map_err(|e| user.error(e))?;
    Ok(case_document_response(&case, document, bytes))
}

//! Case steps, notes, checklist ticks, case documents and the portfolio reports: the API
//! handlers, and the functions behind them that the case page calls too, so a step taken
//! in the browser is the step the API and `beian case advance` take.
//!
//! Documents are built by `beian-report` from the inputs `beian_engine::documents`
//! gathers, exactly as `beian report` does. PDFs need a CJK font; without one the answer
//! is a 500 naming the Debian packages to install.

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use beian_core::calendar::HolidayCalendar;
use beian_core::case::deadlines::beijing_date;
use beian_core::case::{Case, CaseState, advance, allowed_transitions, tick};
use beian_core::model::{Record, RecordId, RecordKind};
use beian_engine::documents::{self, DocumentError, Scope};
use beian_report::{
    CjkFont, Document, FONT_ENV, ReportError, cancellation_documents, evidence_document,
    findings_xlsx, portfolio_html, render_docx, render_pdf,
};
use beian_store::{DEFAULT_ORGANISATION, Store};
use chrono::Utc;
use serde::Deserialize;

use crate::AppState;
use crate::api::{CaseDetail, visible_site};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{Body, Id, Params};

/// The case `id`, if `principal` may see it: by its site's organisation, or the default
/// organisation for a case without a site; 404 otherwise.
pub(crate) async fn visible_case(
    state: &AppState,
    principal: &Principal,
    id: RecordId,
) -> Result<Case, ApiError> {
    let not_found = || ApiError::not_found("case", "工单");
    let case = state.store().get_case(id).await?.ok_or_else(not_found)?;
    let visible = match case.site_id {
        Some(site) => visible_site(state, principal, site).await.is_ok(),
        None => principal.sees(DEFAULT_ORGANISATION),
    };
    if visible { Ok(case) } else { Err(not_found()) }
}

/// The states as `a, b, c` for a message.
fn state_list(states: &[CaseState]) -> String {
    if states.is_empty() {
        return "-".to_owned();
    }
    states
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Moves `case` to the state named `to`, as `beian case advance`: only along the state
/// machine; otherwise the answer names the states allowed from here.
pub(crate) async fn advance_case(
    state: &AppState,
    principal: &Principal,
    case: &Case,
    to: &str,
    note: &str,
) -> Result<Case, ApiError> {
    let allowed = allowed_transitions(case.kind, case.state);
    let target = CaseState::parse(to.trim()).ok_or_else(|| {
        ApiError::invalid(
            format!(
                "没有名为 {to:?} 的工单状态；可转到：{}",
                state_list(&allowed)
            ),
            format!(
                "there is no case state {to:?}; allowed from {}: {}",
                case.state.as_str(),
                state_list(&allowed)
            ),
        )
    })?;
    let next = advance(case, target, Utc::now(), HolidayCalendar::bundled())
        .map_err(|error| ApiError::Conflict(error.to_string()))?;
    Ok(state
        .store()
        .update_case(
            &principal.actor(),
            &next,
            case.state,
            "advance",
            note.trim(),
        )
        .await?)
}

/// Adds a note to the case's history.
pub(crate) async fn note_case(
    state: &AppState,
    principal: &Principal,
    case: &Case,
    text: &str,
) -> Result<Case, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid(
            "备注为空，请填写内容",
            "the note is empty; write the note text",
        ));
    }
    Ok(state
        .store()
        .update_case(&principal.actor(), case, case.state, "note", text)
        .await?)
}

/// Ticks (or unticks) checklist item `item`, as `beian case tick`.
pub(crate) async fn tick_case(
    state: &AppState,
    principal: &Principal,
    case: &Case,
    item: &str,
    done: bool,
) -> Result<Case, ApiError> {
    let next =
        tick(case, item, done, Utc::now()).map_err(|error| ApiError::Invalid(error.to_string()))?;
    let note = format!("{} {}", item.trim(), if done { "done" } else { "undone" });
    Ok(state
        .store()
        .update_case(&principal.actor(), &next, case.state, "tick", &note)
        .await?)
}

/// The documents a case offers for download, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseDocument {
    CancellationPdf,
    CancellationDocx,
    EvidencePdf,
}

impl CaseDocument {
    pub const ALL: [CaseDocument; 3] = [
        CaseDocument::CancellationPdf,
        CaseDocument::CancellationDocx,
        CaseDocument::EvidencePdf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CaseDocument::CancellationPdf => "cancellation.pdf",
            CaseDocument::CancellationDocx => "cancellation.docx",
            CaseDocument::EvidencePdf => "evidence.pdf",
        }
    }

    pub fn parse(name: &str) -> Result<CaseDocument, ApiError> {
        CaseDocument::ALL
            .into_iter()
            .find(|doc| doc.name() == name)
            .ok_or_else(|| {
                let names = CaseDocument::ALL.map(CaseDocument::name).join(", ");
                ApiError::invalid(
                    format!("没有名为 {name:?} 的文档；可选：{names}"),
                    format!("there is no document {name:?}; use one of: {names}"),
                )
            })
    }

    fn content_type(self) -> &'static str {
        match self {
            CaseDocument::CancellationPdf | CaseDocument::EvidencePdf => "application/pdf",
            CaseDocument::CancellationDocx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    fn is_pdf(self) -> bool {
        self != CaseDocument::CancellationDocx
    }
}

/// The CJK font for PDFs: `BEIAN_PDF_FONT` or the system's, found once and kept (a font
/// collection is tens of megabytes; reading it per download would be wasteful). A
/// failure is not kept, so installing the font later works without a restart.
fn pdf_font() -> Result<&'static CjkFont, ReportError> {
    static FONT: OnceLock<CjkFont> = OnceLock::new();
    if let Some(font) = FONT.get() {
        return Ok(font);
    }
    let configured = std::env::var_os(FONT_ENV).map(PathBuf::from);
    let font = CjkFont::discover(configured.as_deref())?;
    Ok(FONT.get_or_init(|| font))
}

fn report_error(error: ReportError) -> ApiError {
    tracing::error!(%error, "producing a document failed");
    ApiError::Document(error.to_string())
}

fn document_error(error: DocumentError) -> ApiError {
    match error {
        DocumentError::Store(error) => error.into(),
        // The case's records cannot fill the document: a state of the data, fixable.
        other => ApiError::Conflict(other.to_string()),
    }
}

/// Renders documents off the async threads (font subsetting and compression are CPU work).
async fn render(documents: Vec<Document>, pdf: bool) -> Result<Vec<u8>, ApiError> {
    let rendered = tokio::task::spawn_blocking(move || {
        if pdf {
            render_pdf(&documents, pdf_font()?)
        } else {
            render_docx(&documents)
        }
    })
    .await;
    match rendered {
        Ok(result) => result.map_err(report_error),
        Err(error) => {
            tracing::error!(%error, "the document renderer stopped");
            Err(ApiError::Internal)
        }
    }
}

/// The bytes of `document` for `case`, as `beian report` writes them for its site.
pub(crate) async fn case_document_bytes(
    state: &AppState,
    case: &Case,
    document: CaseDocument,
) -> Result<Vec<u8>, ApiError> {
    if document.is_pdf() {
        // Fail fast, before reading the store, when no font is installed.
        pdf_font().map_err(report_error)?;
    }
    let documents = match document {
        CaseDocument::CancellationPdf | CaseDocument::CancellationDocx => {
            let today = beijing_date(Utc::now());
            let input = documents::case_cancellation(state.store(), case, today)
                .await
                .map_err(document_error)?;
            cancellation_documents(&input)
        }
        CaseDocument::EvidencePdf => {
            let site_id = case.site_id.ok_or_else(|| {
                document_error(DocumentError::CaseWithoutSite {
                    case_id: case.id,
                    kind: case.kind.as_str(),
                    what: "evidence report",
                    what_zh: "证据报告",
                })
            })?;
            let Some(Record::Website(website)) =
                state.store().get(RecordKind::Website, site_id).await?
            else {
                return Err(document_error(DocumentError::UnknownSite(site_id)));
            };
            let evidence = documents::site_evidence(state.store(), website)
                .await
                .map_err(document_error)?;
            vec![evidence_document(&evidence.report(Utc::now()))]
        }
    };
    render(documents, document.is_pdf()).await
}

/// A download: the bytes with their type and `Content-Disposition: attachment`.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `case-12-cancellation.pdf`.
pub(crate) fn case_document_response(
    case: &Case,
    document: CaseDocument,
    bytes: Vec<u8>,
) -> Response {
    attachment(
        bytes,
        document.content_type(),
        &format!("case-{}-{}", case.id, document.name()),
    )
}

/// A case id and a name from the path (`/cases/{id}/documents/{name}`), with the API's
/// JSON error when the id is not a number.
pub struct IdAndName(pub RecordId, pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdAndName {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<(RecordId, String)>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path((id, name))| IdAndName(id, name))
            .map_err(|_| {
                ApiError::invalid(
                    "路径中的 id 必须是整数",
                    "the id in the path must be a whole number",
                )
            })
    }
}

async fn detail(state: &AppState, case: Case) -> Result<Json<CaseDetail>, ApiError> {
    let events = state.store().case_events(case.id).await?;
    Ok(Json(CaseDetail { case, events }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// The state to move to, e.g. `preparing`.
    to: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/cases/{id}/advance`.
pub async fn advance_handler(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
    Body(body): Body<Advance>,
) -> Result<Json<CaseDetail>, ApiError> {
    let case = visible_case(&state, &principal, id).await?;
    let next = advance_case(&state, &principal, &case, &body.to, &body.note).await?;
    detail(&state, next).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    text: String,
}

/// `POST /api/v1/cases/{id}/notes`.
pub async fn note_handler(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
    Body(body): Body<Note>,
) -> Result<Json<CaseDetail>, ApiError> {
    let case = visible_case(&state, &principal, id).await?;
    let next = note_case(&state, &principal, &case, &body.text).await?;
    detail(&state, next).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TickParams {
    /// `false` unticks the item; ticks by default.
    done: Option<bool>,
}

/// `POST /api/v1/cases/{id}/checklist/{item}[?done=false]`.
pub async fn tick_handler(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    IdAndName(id, item): IdAndName,
    Params(params): Params<TickParams>,
) -> Result<Json<CaseDetail>, ApiError> {
    let case = visible_case(&state, &principal, id).await?;
    let next = tick_case(
        &state,
        &principal,
        &case,
        &item,
        params.done.unwrap_or(true),
    )
    .await?;
    detail(&state, next).await
}

/// `GET /api/v1/cases/{id}/documents/{name}`.
pub async fn document_handler(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    IdAndName(id, name): IdAndName,
) -> Result<Response, ApiError> {
    let document = CaseDocument::parse(&name)?;
    let case = visible_case(&state, &principal, id).await?;
    let bytes = case_document_bytes(&state, &case, document).await?;
    Ok(case_document_response(&case, document, bytes))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingsReportParams {
    #[serde(default)]
    include_resolved: bool,
}

/// `GET /api/v1/reports/findings.xlsx`: the findings of the caller's organisations.
pub async fn findings_report(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Params(params): Params<FindingsReportParams>,
) -> Result<Response, ApiError> {
    let scope = Scope::Organisations(principal.organisations());
    let rows = documents::finding_rows(state.store(), scope, params.include_resolved)
        .await
        .map_err(document_error)?;
    let bytes = findings_xlsx(&rows).map_err(report_error)?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "findings.xlsx",
    ))
}

/// `GET /api/v1/reports/portfolio.html`: the portfolio of the caller's organisations, as
/// a self-contained HTML file to download (not rendered inside the dashboard).
pub async fn portfolio_report(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, ApiError> {
    let scope = Scope::Organisations(principal.organisations());
    let report = documents::portfolio(state.store(), beijing_date(Utc::now()), scope)
        .await
        .map_err(document_error)?;
    Ok(attachment(
        portfolio_html(&report).into_bytes(),
        "text/html; charset=utf-8",
        "portfolio.html",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_round_trip() {
        for document in CaseDocument::ALL {
            assert_eq!(CaseDocument::parse(document.name()).ok(), Some(document));
        }
        let unknown = CaseDocument::parse("../etc/passwd");
        assert!(unknown.is_err_and(|e| e.to_string().contains("cancellation.pdf")));
    }

    #[test]
    fn a_missing_font_names_the_packages() {
        let error = report_error(ReportError::NoCjkFont {
            searched: "/usr/share/fonts".to_owned(),
        });
        assert_eq!(error.status().as_u16(), 500);
        assert!(error.to_string().contains("fonts-noto-cjk"));
    }
}

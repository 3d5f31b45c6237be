//! `/import`: upload a portfolio sheet (CSV or XLSX), see the dry run — every row error
//! with its column and fix, the planned inserts and updates per kind — and apply it.
//!
//! The uploaded file is kept in memory between the preview and "apply" (a few uploads,
//! each for half an hour, bound to the user who sent it), so what is applied is exactly
//! what was previewed, without sending it twice.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::multipart::Multipart;
use axum::extract::{Form, State};
use axum::response::Response;
use beian_engine::import::{ImportReport, SheetFormat};
use beian_store::{Role, UserId};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser};
use super::{PageError, render};
use crate::AppState;
use crate::api_import::{
    MAX_ROWS, MAX_UPLOAD_BYTES, check_may_import, import_bytes, sheet_format, too_large,
    unsupported_format,
};
use crate::auth::random_hex;
use crate::error::ApiError;

/// How many previewed uploads are kept at once, and for how long.
const PENDING_UPLOADS: usize = 4;
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

struct Pending {
    token: String,
    user: UserId,
    file: String,
    format: SheetFormat,
    bytes: Vec<u8>,
    at: Instant,
}

/// Previewed uploads waiting for "apply". Process-wide: tokens are random and bound to
/// their user, so servers in one process (tests) cannot take each other's.
static PENDING: Mutex<Vec<Pending>> = Mutex::new(Vec::new());

fn keep(pending: Pending) {
    let mut kept = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    kept.retain(|p| p.at.elapsed() < PENDING_FOR && p.user != pending.user);
    if kept.len() >= PENDING_UPLOADS {
        kept.remove(0);
    }
    kept.push(pending);
}

fn take(token: &str, user: UserId) -> Option<Pending> {
    let mut kept = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    kept.retain(|p| p.at.elapsed() < PENDING_FOR);
    let index = kept
        .iter()
        .position(|p| p.user == user && super::chrome::same_secret(&p.token, token))?;
    Some(kept.remove(index))
}

/// One kind's planned counts, labelled.
pub struct SummaryRow {
    pub kind: &'static str,
    pub insert: usize,
    pub update: usize,
    pub unchanged: usize,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    max_mb: usize,
    max_rows: usize,
    report: Option<ImportReport>,
    summary: Vec<SummaryRow>,
    /// The token of the previewed upload, when it can be applied.
    apply_token: Option<String>,
}

fn page(c: Chrome, report: Option<ImportReport>, apply_token: Option<String>) -> Response {
    let summary = report
        .as_ref()
        .map(|r| {
            r.summary
                .iter()
                .map(|(kind, counts)| SummaryRow {
                    kind: c.t(kind.label_zh(), kind.as_str()),
                    insert: counts.insert,
                    update: counts.update,
                    unchanged: counts.unchanged,
                })
                .collect()
        })
        .unwrap_or_default();
    render(&ImportPage {
        c,
        max_mb: MAX_UPLOAD_BYTES / (1024 * 1024),
        max_rows: MAX_ROWS,
        report,
        summary,
        apply_token,
    })
}

fn allowed(user: &PageUser) -> Result<(), PageError> {
    user.require(Role::Operator)?;
    check_may_import(&user.principal).map_err(|e| user.error(e))
}

/// `GET /import`.
pub async fn form(user: PageUser) -> Result<Response, PageError> {
    allowed(&user)?;
    Ok(page(user.chrome("/import"), None, None))
}

/// `POST /import` (multipart: `csrf`, `file`): the dry run.
pub async fn preview(
    State(state): State<AppState>,
    user: PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut upload: Option<(String, String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                return Err(user.error(if error.status().as_u16() == 413 {
                    too_large()
                } else {
                    ApiError::invalid(
                        format!("上传的表单无法读取：{error}"),
                        format!("the uploaded form cannot be read: {error}"),
                    )
                }));
            }
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                let content_type = field.content_type().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| user.error(too_large()))?;
                upload = Some((name, content_type, bytes.to_vec()));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    allowed(&user)?;
    let Some((file, content_type, bytes)) = upload.filter(|(_, _, b)| !b.is_empty()) else {
        return Err(user.error(ApiError::invalid(
            "请选择要上传的 CSV 或 XLSX 文件",
            "choose a CSV or XLSX file to upload",
        )));
    };
    let format =
        sheet_format(&content_type, &file).ok_or_else(|| user.error(unsupported_format()))?;
    let report = import_bytes(&state, &user.principal, &file, &bytes, format, true)
        .await
        .map_err(|e| user.error(e))?;
    let token = (report.is_ok() && report.changes > 0).then(|| {
        let token = random_hex(16);
        keep(Pending {
            token: token.clone(),
            user: user.principal.user.id,
            file,
            format,
            bytes,
            at: Instant::now(),
        });
        token
    });
    Ok(page(user.chrome("/import"), Some(report), token))
}

#[derive(Deserialize)]
pub struct ApplyForm {
    csrf: String,
    token: String,
}

/// `POST /import/apply`: applies the previewed upload.
pub async fn apply(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<ApplyForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    allowed(&user)?;
    let pending = take(&form.token, user.principal.user.id).ok_or_else(|| {
        user.error(ApiError::invalid(
            "预览已过期或已应用，请重新上传文件",
            "the preview expired or was applied already; upload the file again",
        ))
    })?;
    let report = import_bytes(
        &state,
        &user.principal,
        &pending.file,
        &pending.bytes,
        pending.format,
        false,
    )
    .await
    .map_err(|e| user.error(e))?;
    Ok(page(user.chrome("/import"), Some(report), None))
}

//! Importing a portfolio sheet over the web: `POST /api/v1/import` takes the file's bytes,
//! the `/import` page takes a multipart upload. Both run [`beian_engine::import`], the
//! code `beian import` runs, with the upload bounded in bytes and rows.
//!
//! Imports write the shared inventory: new sites land in the default organisation and
//! existing records are matched across the whole database, so only operators who are
//! members of the default organisation may import.

use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use beian_core::case::deadlines::beijing_date;
use beian_core::identifier::FileableTlds;
use beian_engine::import::{self, ImportError, ImportOptions, ImportReport, SheetFormat};
use beian_store::DEFAULT_ORGANISATION;
use chrono::Utc;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::Params;

/// The largest sheet accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The most data rows one upload may hold; larger portfolios go through `beian import`.
pub const MAX_ROWS: usize = 100_000;

/// The XLSX media type.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The sheet format a media type or file name says, if it is one we read.
pub fn sheet_format(content_type: &str, file_name: &str) -> Option<SheetFormat> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "text/csv" | "application/csv" => return Some(SheetFormat::Csv),
        XLSX_TYPE => return Some(SheetFormat::Workbook),
        _ => {}
    }
    let name = file_name.to_ascii_lowercase();
    if name.ends_with(".csv") {
        Some(SheetFormat::Csv)
    } else if name.ends_with(".xlsx") {
        Some(SheetFormat::Workbook)
    } else {
        None
    }
}

pub fn unsupported_format() -> ApiError {
    ApiError::invalid(
        "只接受 CSV（text/csv）或 XLSX 文件；可用 `beian import --template xlsx` 生成模板",
        format!(
            "send a CSV (Content-Type text/csv) or XLSX ({XLSX_TYPE}) file; `beian import --template xlsx` writes a template"
        ),
    )
}

pub fn too_large() -> ApiError {
    ApiError::invalid(
        format!(
            "文件超过 {} MB 上限；请拆分后分别导入，或用命令行 `beian import`",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
        format!(
            "the file exceeds the {} MB limit; split it, or use `beian import`",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Store(error) | ImportError::Apply { source: error, .. } => error.into(),
        other => ApiError::Invalid(other.to_string()),
    }
}

/// Refuses callers who may not import (see the module's note).
pub fn check_may_import(principal: &Principal) -> Result<(), ApiError> {
    if principal.sees(DEFAULT_ORGANISATION) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            needed: "operator in the default organisation",
            needed_zh: "默认组织中的操作员",
        })
    }
}

/// Reads and imports `bytes` (or only plans them, when `dry_run`).
pub async fn import_bytes(
    state: &AppState,
    principal: &Principal,
    file: &str,
    bytes: &[u8],
    format: SheetFormat,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    check_may_import(principal)?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(too_large());
    }
    let started = std::time::Instant::now();
    let sheet = import::read_sheet(file, bytes, format).map_err(import_error)?;
    let read = started.elapsed().as_secs_f64();
    let options = ImportOptions {
        dry_run,
        actor: principal.actor(),
        today: beijing_date(Utc::now()),
        fileable_tlds: FileableTlds::bundled(),
        max_rows: Some(MAX_ROWS),
    };
    import::run_import(state.store(), file, sheet, read, &options)
        .await
        .map_err(import_error)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Plan only (the default); `false` applies the sheet when it has no errors.
    dry_run: Option<bool>,
}

/// `POST /api/v1/import?dry_run=true|false` with the file as the body: the report (row
/// errors, planned changes per kind, whether it was applied) as JSON. A sheet with errors
/// answers 200 with `errors` filled and nothing written, like `beian import`.
pub async fn import_handler(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Params(params): Params<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = sheet_format(content_type, "").ok_or_else(unsupported_format)?;
    check_may_import(&principal)?;
    // One byte over the limit is enough to know the body is too large.
    let bytes = axum::body::to_bytes(body, MAX_UPLOAD_BYTES + 1)
        .await
        .map_err(|_| too_large())?;
    let file = match format {
        SheetFormat::Csv => "upload.csv",
        SheetFormat::Workbook => "upload.xlsx",
    };
    let report = import_bytes(
        &state,
        &principal,
        file,
        &bytes,
        format,
        params.dry_run.unwrap_or(true),
    )
    .await?;
    Ok(Json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_media_type_or_the_name() {
        assert_eq!(
            sheet_format("text/csv; charset=utf-8", ""),
            Some(SheetFormat::Csv)
        );
        assert_eq!(sheet_format(XLSX_TYPE, ""), Some(SheetFormat::Workbook));
        assert_eq!(
            sheet_format("application/octet-stream", "站点.XLSX"),
            Some(SheetFormat::Workbook)
        );
        assert_eq!(sheet_format("application/json", "a.json"), None);
    }
}

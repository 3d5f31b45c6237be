//! Importing a portfolio sheet: reading it (XLSX via calamine, or CSV in UTF-8 or the
//! GBK/GB18030 that Chinese Excel writes), planning it against the stored inventory and
//! applying it in one transaction — or, on any error, writing nothing and reporting every
//! problem by row and column. `beian import` and the dashboard's import both run this.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::Instant;

use beian_core::identifier::{FileableTlds, ValidationContext};
use beian_core::inventory::{
    ChangeCounts, InventorySnapshot, RowError, RowWarning, Table, TableRow, column_letters,
    plan_import,
};
use beian_core::model::RecordKind;
use beian_store::{ListQuery, Store, StoreError};
use calamine::{Data, Reader};
use chrono::NaiveDate;
use serde::Serialize;

/// Why a sheet could not be read or imported at all (problems in the rows are not errors:
/// they are in the [`ImportReport`]).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{file}：无法读取工作簿（{reason}）/ {file}: cannot read the workbook ({reason}); 修复 / fix: \
         确认是有效的 XLSX 文件，或在 Excel 中另存为 XLSX / check that it is a valid XLSX file, or save it again as XLSX"
    )]
    Workbook { file: String, reason: String },

    #[error(
        "{file}：工作簿没有工作表 / {file}: the workbook has no sheets; 修复 / fix: \
         用 `beian import --template xlsx` 生成模板 / start from `beian import --template xlsx`"
    )]
    NoSheets { file: String },

    #[error(
        "{file}：既不是 UTF-8 也不是 GBK 编码 / {file}: neither UTF-8 nor GBK text; 修复 / fix: \
         在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 XLSX / save it as CSV UTF-8 or XLSX"
    )]
    Encoding { file: String },

    #[error(
        "{file}：CSV 格式错误 / {file}: malformed CSV: {reason}; 修复 / fix: \
         检查引号是否成对，或在 Excel 中重新另存为 CSV / check the quotes, or save the file again from Excel"
    )]
    Csv { file: String, reason: String },

    #[error(
        "{file}：{rows} 行超过上限 {limit} 行 / {file}: {rows} rows exceed the limit of {limit}; 修复 / fix: \
         拆分为多个文件分别导入，或用命令行 `beian import` / split the file, or use `beian import`"
    )]
    TooManyRows {
        file: String,
        rows: usize,
        limit: usize,
    },

    #[error(
        "{file}：导入失败，未写入任何数据 / {file}: the import failed; nothing was written: {source}"
    )]
    Apply { file: String, source: StoreError },

    #[error("无法读取清单 / cannot read the inventory: {0}")]
    Store(#[from] StoreError),
}

/// The formats a sheet may come in as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// XLSX (also XLS, XLSB, ODS: calamine tells them apart by content).
    Workbook,
    Csv,
}

/// A sheet read from a file, with the cells that could not be read as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub table: Table,
    /// `xlsx`, `csv` or `json`.
    pub format: &'static str,
    /// The worksheet read (XLSX) or the text encoding detected (CSV).
    pub source: String,
    pub cell_errors: Vec<RowError>,
}

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// Who the audit log names for every change.
    pub actor: String,
    pub today: NaiveDate,
    pub fileable_tlds: FileableTlds,
    /// Refuse sheets with more data rows than this (the web bounds uploads; the CLI
    /// imports whatever it is given).
    pub max_rows: Option<usize>,
}

/// What an import did or would do. `errors` not empty ⇒ nothing was written.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    /// `xlsx`, `csv` or `json`.
    pub format: &'static str,
    /// The worksheet read (XLSX) or the text encoding detected (CSV).
    pub source: String,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    pub dry_run: bool,
    /// True when the changes were written.
    pub applied: bool,
    /// Number of inserts and updates planned.
    pub changes: usize,
    pub summary: BTreeMap<RecordKind, ChangeCounts>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowWarning>,
    pub timings: ImportTimings,
}

/// Where the time went, in seconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ImportTimings {
    pub read: f64,
    pub load: f64,
    pub plan: f64,
    pub apply: f64,
}

impl ImportReport {
    /// No errors (the import was applied, or would be).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Imports `sheet` (read from `file`, `read_seconds` ago) into `store`: all changes in
/// one `apply`, or none.
///
/// Returns `Err` only when the sheet is too large or the store cannot be used; problems in
/// the data are in the report (`is_ok() == false`).
pub async fn run_import(
    store: &impl Store,
    file: &str,
    sheet: Sheet,
    read_seconds: f64,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    if let Some(limit) = options.max_rows
        && sheet.table.rows.len() > limit
    {
        return Err(ImportError::TooManyRows {
            file: file.to_owned(),
            rows: sheet.table.rows.len(),
            limit,
        });
    }
    let started = Instant::now();
    let existing = load_inventory(store).await?;
    let load = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let ctx = ValidationContext {
        today: options.today,
        fileable_tlds: options.fileable_tlds.clone(),
    };
    let mut plan = plan_import(&sheet.table, &existing, &ctx);
    plan.errors.extend(sheet.cell_errors);
    plan.errors.sort_by_key(|e| e.row);
    let plan_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let write = plan.is_applicable() && !options.dry_run && !plan.changes.is_empty();
    if write {
        store
            .apply(&options.actor, &plan.changes)
            .await
            .map_err(|source| ImportError::Apply {
                file: file.to_owned(),
                source,
            })?;
    }
    let apply = started.elapsed().as_secs_f64();

    Ok(ImportReport {
        file: file.to_owned(),
        format: sheet.format,
        source: sheet.source,
        rows: plan.rows,
        dry_run: options.dry_run,
        applied: write,
        changes: plan.changes.len(),
        summary: plan.summary,
        errors: plan.errors,
        warnings: plan.warnings,
        timings: ImportTimings {
            read: read_seconds,
            load,
            plan: plan_seconds,
            apply,
        },
    })
}

/// Every stored record, read page by page.
pub async fn load_inventory(store: &impl Store) -> Result<InventorySnapshot, StoreError> {
    const PAGE: u32 = 5_000;
    let mut records = Vec::new();
    for kind in RecordKind::ALL {
        let mut offset: u32 = 0;
        loop {
            let query = ListQuery {
                kind,
                limit: PAGE,
                offset,
                ..ListQuery::default()
            };
            let page = store.list(&query).await?;
            let count = page.items.len();
            records.extend(page.items);
            offset = offset.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
            if count < PAGE as usize || u64::from(offset) >= page.total {
                break;
            }
        }
    }
    Ok(InventorySnapshot::new(records))
}

/// Reads a sheet from the bytes of `file` in `format`.
pub fn read_sheet(file: &str, bytes: &[u8], format: SheetFormat) -> Result<Sheet, ImportError> {
    match format {
        SheetFormat::Workbook => read_workbook(file, bytes),
        SheetFormat::Csv => read_csv(file, bytes),
    }
}

/// The worksheet to import: one named like 网站 / portfolio, else the first.
fn pick_sheet(names: &[String]) -> Option<&String> {
    names
        .iter()
        .find(|n| n.contains("网站") || n.to_lowercase().contains("portfolio"))
        .or_else(|| names.first())
}

fn read_workbook(file: &str, bytes: &[u8]) -> Result<Sheet, ImportError> {
    let unreadable = |reason: String| ImportError::Workbook {
        file: file.to_owned(),
        reason,
    };
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(e.to_string()))?;
    let names = workbook.sheet_names();
    let Some(name) = pick_sheet(&names).cloned() else {
        return Err(ImportError::NoSheets {
            file: file.to_owned(),
        });
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| unreadable(e.to_string()))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::with_capacity(range.height());
    let mut cell_errors = Vec::new();
    for (offset, cells) in range.rows().enumerate() {
        let number = first_row as usize + offset + 1;
        let mut texts = vec![String::new(); first_column as usize];
        texts.reserve(cells.len());
        for (position, cell) in cells.iter().enumerate() {
            let index = first_column as usize + position;
            match cell_text(cell) {
                Ok(text) => texts.push(text),
                Err(shown) => {
                    cell_errors.push(RowError {
                        row: number,
                        column: Some(format!(
                            "第 {} 列 ({}) / column {}",
                            index + 1,
                            column_letters(index),
                            column_letters(index)
                        )),
                        value: shown.clone(),
                        problem: format!(
                            "单元格是 Excel 错误值 {shown} / the cell holds an Excel error"
                        ),
                        fix: "修正该单元格的公式，或改为填写值 / fix the formula or enter a value"
                            .to_owned(),
                    });
                    texts.push(String::new());
                }
            }
        }
        rows.push(TableRow {
            number,
            cells: texts,
        });
    }
    Ok(Sheet {
        table: split_header(rows),
        format: "xlsx",
        source: name,
        cell_errors,
    })
}

/// A cell as the text a person sees: whole numbers without ".0", dates as YYYY-MM-DD.
/// `Err` carries the shown text of an error cell (#N/A, #REF! …).
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => return Err(error.to_string()),
    })
}

fn float_text(value: f64) -> String {
    // Integral values within f64's exact range print as integers (13800138000, not 13800138000.0).
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// The first non-blank row is the header; the rest are data.
pub fn split_header(rows: Vec<TableRow>) -> Table {
    let mut rows = rows
        .into_iter()
        .skip_while(|r| r.cells.iter().all(|c| c.trim().is_empty()));
    match rows.next() {
        Some(header) => Table {
            header_row: header.number,
            headers: header.cells,
            rows: rows.collect(),
        },
        None => Table {
            header_row: 1,
            headers: Vec::new(),
            rows: Vec::new(),
        },
    }
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<Sheet, ImportError> {
    let (text, encoding) = decode_csv(bytes).ok_or_else(|| ImportError::Encoding {
        file: file.to_owned(),
    })?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Csv {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
        // Line numbers match what an editor shows (and Excel, unless a cell spans lines).
        let number = record.position().map_or(rows.len() + 1, |p| {
            usize::try_from(p.line()).unwrap_or(usize::MAX)
        });
        rows.push(TableRow {
            number,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    Ok(Sheet {
        table: split_header(rows),
        format: "csv",
        source: encoding.to_owned(),
        cell_errors: Vec::new(),
    })
}

/// Text of a CSV file: by its BOM (UTF-8/UTF-16), else UTF-8, else GB18030 (the
/// superset of GBK that Chinese Excel writes). `None` when GB18030 fails too.
fn decode_csv(bytes: &[u8]) -> Option<(String, &'static str)> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return (!had_errors).then(|| (text.into_owned(), encoding.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some((text.to_owned(), "UTF-8"));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| (text.into_owned(), "GB18030"))
}

/// Comma unless the header line has more tabs or semicolons (European Excel uses `;`).
fn sniff_delimiter(text: &str) -> u8 {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let count = |c: char| line.chars().filter(|x| *x == c).count();
    let (commas, tabs, semicolons) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_is_decoded_from_utf8_bom_and_gbk() {
        let plain = "主体名称,证件号码\n".as_bytes();
        assert_eq!(
            decode_csv(plain),
            Some(("主体名称,证件号码\n".to_owned(), "UTF-8"))
        );
        let bom = [&[0xEF, 0xBB, 0xBF][..], plain].concat();
        assert_eq!(
            decode_csv(&bom).map(|(t, _)| t).as_deref(),
            Some("主体名称,证件号码\n")
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("主体名称,北京云杉科技有限公司\n");
        assert_eq!(
            decode_csv(&gbk),
            Some(("主体名称,北京云杉科技有限公司\n".to_owned(), "GB18030"))
        );
        assert_eq!(decode_csv(&[0x81, 0x20]), None);
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header_line() {
        assert_eq!(sniff_delimiter("a,b,c\n1;2;3"), b',');
        assert_eq!(sniff_delimiter("\na;b;c\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn cells_read_as_people_see_them() {
        assert_eq!(
            cell_text(&Data::Float(13_800_138_000.0)),
            Ok("13800138000".to_owned())
        );
        assert_eq!(cell_text(&Data::Float(1.5)), Ok("1.5".to_owned()));
        assert_eq!(cell_text(&Data::Int(-3)), Ok("-3".to_owned()));
        let date =
            calamine::ExcelDateTime::new(45_296.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&Data::DateTime(date)),
            Ok("2024-01-05".to_owned())
        );
        assert!(cell_text(&Data::Error(calamine::CellErrorType::NA)).is_err());
    }

    #[test]
    fn the_portfolio_sheet_is_found_by_name() {
        let names: Vec<String> = ["说明 Help", "网站 portfolio"].map(str::to_owned).into();
        assert_eq!(
            pick_sheet(&names).map(String::as_str),
            Some("网站 portfolio")
        );
        let names: Vec<String> = ["Sheet1", "Sheet2"].map(str::to_owned).into();
        assert_eq!(pick_sheet(&names).map(String::as_str), Some("Sheet1"));
    }

    #[test]
    fn garbage_is_not_a_workbook_and_names_the_file() {
        let error = read_sheet("x.xlsx", b"not a zip", SheetFormat::Workbook);
        assert!(error.is_err_and(|e| e.to_string().contains("x.xlsx")));
    }
}

//! `beian import`: reads a portfolio sheet (XLSX via calamine, or CSV in UTF-8 or the
//! GBK/GB18030 that Chinese Excel writes), plans it against the stored inventory and
//! applies it in one transaction — or, on any error, writes nothing and reports every
//! problem by row and column. Also writes the import template.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use beian_core::identifier::{FileableTlds, ValidationContext};
use beian_core::inventory::{
    ChangeCounts, Column, InventorySnapshot, RowError, RowWarning, Table, TableRow, column_letters,
    plan_import,
};
use beian_core::model::RecordKind;
use beian_store::{AnyStore, ListQuery, Store};
use calamine::{Data, Reader};
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, Workbook};
use serde::Serialize;

use crate::config::Language;
use crate::error::UserError;
use crate::output::{self, header};

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// Who the audit log names for every change.
    pub actor: String,
    pub today: NaiveDate,
    pub fileable_tlds: FileableTlds,
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

    /// The report for a person: counts per kind, then every error and warning with
    /// row, column, value, problem and fix, then one line saying what happened.
    pub fn render(&self, language: Language) -> String {
        let mut text = String::new();
        let mut counts = output::table(
            language,
            &[
                header("类型", "Kind"),
                header("新增", "Insert"),
                header("更新", "Update"),
                header("不变", "Unchanged"),
            ],
        );
        for (kind, c) in &self.summary {
            let name = match language {
                Language::Zh => kind.label_zh(),
                Language::En => kind.as_str(),
            };
            counts.add_row([
                name.to_owned(),
                c.insert.to_string(),
                c.update.to_string(),
                c.unchanged.to_string(),
            ]);
        }
        if !self.summary.is_empty() {
            let _ = writeln!(text, "{counts}");
        }
        if !self.errors.is_empty() {
            let _ = writeln!(text, "错误 / errors ({}):", self.errors.len());
            let mut table = problem_table(language, header("修复", "Fix"));
            for e in &self.errors {
                table.add_row([
                    e.row.to_string(),
                    column_text(&e.column),
                    e.value.clone(),
                    e.problem.clone(),
                    e.fix.clone(),
                ]);
            }
            let _ = writeln!(text, "{table}");
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(text, "警告 / warnings ({}):", self.warnings.len());
            let mut table = problem_table(language, header("建议", "Hint"));
            for w in &self.warnings {
                let hint = w.hint.clone().unwrap_or_default();
                table.add_row([
                    w.row.to_string(),
                    column_text(&w.column),
                    w.value.clone(),
                    w.message.clone(),
                    hint,
                ]);
            }
            let _ = writeln!(text, "{table}");
        }
        let outcome = if !self.errors.is_empty() {
            format!(
                "{} 行中发现 {} 个错误，未写入任何数据 / {} errors in {} rows; nothing was written",
                self.rows,
                self.errors.len(),
                self.errors.len(),
                self.rows
            )
        } else if self.dry_run {
            format!(
                "试运行：{} 行可导入，{} 项变更，未写入 / dry run: {} rows, {} changes, nothing written",
                self.rows, self.changes, self.rows, self.changes
            )
        } else if self.applied {
            format!(
                "已导入 {} 行，{} 项变更 / imported {} rows, {} changes",
                self.rows, self.changes, self.rows, self.changes
            )
        } else {
            format!(
                "{} 行，没有需要写入的变更 / {} rows, nothing to change",
                self.rows, self.rows
            )
        };
        let _ = writeln!(text, "{outcome}");
        text
    }
}

fn problem_table(language: Language, last: output::Header) -> comfy_table::Table {
    output::table(
        language,
        &[
            header("行", "Row"),
            header("列", "Column"),
            header("值", "Value"),
            header("问题", "Problem"),
            last,
        ],
    )
}

fn column_text(column: &Option<String>) -> String {
    column.clone().unwrap_or_else(|| "-".to_owned())
}

/// Imports `path` into `store`: all changes in one `apply`, or none.
///
/// Returns `Err` only when the file or the store cannot be used; problems in the data
/// are in the report (`is_ok() == false`), for the caller to print and exit 2.
pub async fn run_import(
    store: &AnyStore,
    path: &Path,
    options: &ImportOptions,
) -> anyhow::Result<ImportReport> {
    let started = Instant::now();
    let sheet = read_sheet(path)?;
    let read = started.elapsed().as_secs_f64();

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
            .with_context(|| {
                format!(
                    "导入 {} 失败，未写入任何数据 / importing {} failed; nothing was written",
                    path.display(),
                    path.display()
                )
            })?;
    }
    let apply = started.elapsed().as_secs_f64();

    Ok(ImportReport {
        file: path.display().to_string(),
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
            read,
            load,
            plan: plan_seconds,
            apply,
        },
    })
}

/// Every stored record, read page by page.
pub async fn load_inventory(store: &AnyStore) -> anyhow::Result<InventorySnapshot> {
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
            let page = store.list(&query).await.with_context(|| {
                format!(
                    "无法读取{}列表 / cannot list {} records",
                    kind.label_zh(),
                    kind.as_str()
                )
            })?;
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

/// A sheet read from a file, with the cells that could not be read as text.
struct Sheet {
    table: Table,
    format: &'static str,
    source: String,
    cell_errors: Vec<RowError>,
}

fn read_sheet(path: &Path) -> anyhow::Result<Sheet> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => read_workbook(path),
        "csv" | "txt" | "tsv" => read_csv(path),
        "json" => read_json(path),
        _ => Err(UserError::input(format!("{}: 不支持的文件类型 / unsupported file type", path.display()))
            .with_fix(
                "导入 .xlsx、.csv 或 beian export 的 .json 文件（beian import --template xlsx 可生成模板）/ \
                 import an .xlsx, .csv or exported .json file",
            )
            .into()),
    }
}

fn unreadable(path: &Path, what: impl std::fmt::Display) -> UserError {
    UserError::input(format!("无法读取 {}：{what} / cannot read {}", path.display(), path.display()))
        .with_fix("确认文件存在、未被其他程序占用，且是有效的 XLSX/CSV / check that the file exists and is a valid XLSX or CSV")
}

/// The worksheet to import: one named like 网站 / portfolio, else the first.
fn pick_sheet(names: &[String]) -> Option<&String> {
    names
        .iter()
        .find(|n| n.contains("网站") || n.to_lowercase().contains("portfolio"))
        .or_else(|| names.first())
}

fn read_workbook(path: &Path) -> anyhow::Result<Sheet> {
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| unreadable(path, e))?;
    let names = workbook.sheet_names();
    let Some(name) = pick_sheet(&names).cloned() else {
        return Err(unreadable(path, "工作簿没有工作表 / the workbook has no sheets").into());
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| unreadable(path, e))?;
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
fn split_header(rows: Vec<TableRow>) -> Table {
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

fn read_csv(path: &Path) -> anyhow::Result<Sheet> {
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, e))?;
    let (text, encoding) = decode_csv(&bytes).ok_or_else(|| {
        UserError::input(format!(
            "{}: 既不是 UTF-8 也不是 GBK 编码 / neither UTF-8 nor GBK text",
            path.display()
        ))
        .with_fix("在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 XLSX / save it as CSV UTF-8 or XLSX")
    })?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            UserError::input(format!("{}: CSV 格式错误 / malformed CSV: {e}", path.display()))
                .with_fix("检查引号是否成对，或在 Excel 中重新另存为 CSV / check the quotes, or save the file again from Excel")
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

/// A `beian export --format json` document, read back as the portfolio sheet it
/// describes: one row per website. (Records the sheet has no column for — apps,
/// subjects without sites, extra contacts — are not imported from JSON.)
fn read_json(path: &Path) -> anyhow::Result<Sheet> {
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, e))?;
    let document: crate::export::InventoryDocument = serde_json::from_str(&text).map_err(|e| {
        UserError::input(format!("{}: 不是 beian export 的 JSON / not a beian JSON export: {e}", path.display()))
            .with_fix("JSON 导入只接受 beian export --format json 的输出；其他数据请用 XLSX/CSV 模板 / use the XLSX or CSV template for other data")
    })?;
    let inventory = document.into_inventory();
    let rows = beian_core::inventory::portfolio_rows(&inventory)
        .into_iter()
        .enumerate()
        .map(|(index, cells)| TableRow {
            number: index + 2,
            cells,
        })
        .collect();
    let table = Table {
        header_row: 1,
        headers: Column::ALL.iter().map(|c| c.header()).collect(),
        rows,
    };
    Ok(Sheet {
        table,
        format: "json",
        source: "beian-inventory".to_owned(),
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

/// The template kinds `beian import --template` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    Xlsx,
    Csv,
}

/// Writes an empty portfolio sheet whose header cells carry both languages
/// ("主体名称(subject_name)"), which the importer reads back. XLSX adds drop-down
/// lists and a "说明 Help" sheet describing each column with an example.
pub fn write_template(path: &Path, format: TemplateFormat) -> anyhow::Result<()> {
    let headers: Vec<String> = Column::ALL.iter().map(|c| c.header()).collect();
    match format {
        TemplateFormat::Csv => crate::export::write_csv_file(path, &headers, &[]),
        TemplateFormat::Xlsx => {
            let mut workbook = Workbook::new();
            let sheet = crate::export::add_sheet(
                &mut workbook,
                crate::export::PORTFOLIO_SHEET,
                &headers,
                &[],
            )?;
            for (column, choices) in [
                (Column::SubjectKind, &["企业", "个人", "其他组织"][..]),
                (Column::SiteStatus, &["运行中", "已关闭"][..]),
                (Column::FilingStatus, &["已备案", "审核中", "已注销"][..]),
            ] {
                let position = Column::ALL
                    .iter()
                    .position(|c| *c == column)
                    .unwrap_or_default();
                let validation = DataValidation::new().allow_list_strings(choices)?;
                let col = u16::try_from(position).context("column index fits a sheet")?;
                sheet.add_data_validation(1, col, 100_000, col, &validation)?;
            }
            write_help_sheet(&mut workbook)?;
            workbook.save(path).map_err(|e| {
                UserError::input(format!(
                    "无法写入 {}：{e} / cannot write {}",
                    path.display(),
                    path.display()
                ))
                .with_fix("确认目录存在且可写 / check that the directory exists and is writable")
            })?;
            Ok(())
        }
    }
}

fn write_help_sheet(workbook: &mut Workbook) -> anyhow::Result<()> {
    let rules = [
        "每行一个网站；同一主体的多个网站重复填写主体信息（证件号码相同即为同一主体）。/ One row per website; repeat the subject on each of its sites.",
        "主体备案号由网站备案号推出（京ICP备…号-1 → 京ICP备…号）。/ The subject filing number is derived from the website number.",
        "空单元格保留数据库中已有的值；清空字段请用 beian … edit。/ An empty cell keeps the stored value; clear fields with beian … edit.",
        "导入要么全部成功，要么不写入任何数据；先用 --dry-run 检查。/ Imports are all or nothing; check with --dry-run first.",
        "日期可写 2024-03-01、2024/3/1 或 Excel 日期；多个值用 ; 分隔。/ Dates: 2024-03-01, 2024/3/1 or Excel dates; separate lists with ;.",
    ];
    let headers: Vec<String> = [
        "列 Column",
        "必填 Required",
        "说明",
        "Description",
        "示例 Example",
    ]
    .map(str::to_owned)
    .into();
    let rows: Vec<Vec<String>> = Column::ALL
        .iter()
        .map(|column| {
            let help = column.help();
            vec![
                column.header(),
                if help.required { "是 yes" } else { "" }.to_owned(),
                help.zh.to_owned(),
                help.en.to_owned(),
                help.example.to_owned(),
            ]
        })
        .chain(std::iter::once(Vec::new()))
        .chain(rules.iter().map(|rule| vec![(*rule).to_owned()]))
        .collect();
    let sheet = crate::export::add_sheet(workbook, "说明 Help", &headers, &rows)?;
    let wrap = Format::new().set_text_wrap();
    sheet
        .set_column_width_pixels(2, 360)?
        .set_column_format(2, &wrap)?;
    sheet
        .set_column_width_pixels(3, 360)?
        .set_column_format(3, &wrap)?;
    Ok(())
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
}

//! `beian import`: reads a portfolio sheet file and imports it with
//! [`beian_engine::import`] (which the dashboard's import uses too) — in one transaction,
//! or, on any error, writing nothing and reporting every problem by row and column. Adds
//! what only the CLI has: reading `beian export` JSON, the report as a table for the
//! terminal, and the import template.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use beian_core::identifier::FileableTlds;
use beian_core::inventory::{Column, InventorySnapshot, Table, TableRow};
use beian_engine::import::{self, ImportError, Sheet, SheetFormat};
use beian_store::AnyStore;
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, Workbook};

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

pub use beian_engine::import::ImportReport;

/// The report as the terminal shows it.
pub trait RenderReport {
    fn render(&self, language: Language) -> String;
}

impl RenderReport for ImportReport {
    /// The report for a person: counts per kind, then every error and warning with
    /// row, column, value, problem and fix, then one line saying what happened.
    fn render(&self, language: Language) -> String {
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
    let file = path.display().to_string();
    let sheet = read_sheet(path)?;
    let read = started.elapsed().as_secs_f64();
    let options = import::ImportOptions {
        dry_run: options.dry_run,
        actor: options.actor.clone(),
        today: options.today,
        fileable_tlds: options.fileable_tlds.clone(),
        max_rows: None,
    };
    import::run_import(store, &file, sheet, read, &options)
        .await
        .map_err(import_error)
}

/// A file that cannot be read is the input's fault (exit 2, with its fix); a store failure
/// stays one.
fn import_error(error: ImportError) -> anyhow::Error {
    match error {
        ImportError::Store(error) => {
            anyhow::Error::from(error).context("无法读取清单 / cannot read the inventory")
        }
        ImportError::Apply { .. } => error.into(),
        other => UserError::input(other.to_string()).into(),
    }
}

/// Every stored record ([`beian_engine::import::load_inventory`]).
pub async fn load_inventory(store: &AnyStore) -> anyhow::Result<InventorySnapshot> {
    import::load_inventory(store)
        .await
        .context("无法读取清单 / cannot read the inventory")
}

fn read_sheet(path: &Path) -> anyhow::Result<Sheet> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let format = match extension.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => SheetFormat::Workbook,
        "csv" | "txt" | "tsv" => SheetFormat::Csv,
        "json" => return read_json(path),
        _ => return Err(UserError::input(format!("{}: 不支持的文件类型 / unsupported file type", path.display()))
            .with_fix(
                "导入 .xlsx、.csv 或 beian export 的 .json 文件（beian import --template xlsx 可生成模板）/ \
                 import an .xlsx, .csv or exported .json file",
            )
            .into()),
    };
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, e))?;
    import::read_sheet(&path.display().to_string(), &bytes, format).map_err(import_error)
}

fn unreadable(path: &Path, what: impl std::fmt::Display) -> UserError {
    UserError::input(format!("无法读取 {}：{what} / cannot read {}", path.display(), path.display()))
        .with_fix("确认文件存在、未被其他程序占用，且是有效的 XLSX/CSV / check that the file exists and is a valid XLSX or CSV")
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

//! `beian export`: the inventory as XLSX (the portfolio sheet in import format plus
//! subject, domain and filing sheets), CSV (the portfolio sheet) or JSON (every record).
//!
//! Spreadsheet cells are written as strings and passed through
//! [`neutralise_formula`]: site names and WHOIS fields come from strangers, and a cell
//! starting with `=`, `+`, `-` or `@` would otherwise run as a formula in the reader's
//! spreadsheet.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use beian_core::inventory::{Column, InventorySnapshot, neutralise_formula, portfolio_rows};
use beian_core::model::{
    AccessProvider, Domain, Filing, FilingKind, Person, Provenance, Record, Subject, Website,
};
use beian_store::AnyStore;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde::{Deserialize, Serialize};

use crate::error::UserError;
use crate::import::load_inventory;

/// The sheet the importer looks for first.
pub const PORTFOLIO_SHEET: &str = "网站 portfolio";

/// Formats `beian export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Json,
}

/// Exports the whole inventory; CSV and JSON go to stdout when `output` is `None`.
pub async fn run_export(
    store: &AnyStore,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let inventory = load_inventory(store).await?;
    match (format, output) {
        (ExportFormat::Xlsx, Some(path)) => write_xlsx(&inventory, path),
        (ExportFormat::Xlsx, None) => Err(UserError::input(
            "XLSX 导出需要输出文件 / an XLSX export needs an output file",
        )
        .with_fix("加上 --output inventory.xlsx / add --output inventory.xlsx")
        .into()),
        (ExportFormat::Csv, path) => {
            let headers = portfolio_headers();
            let rows = portfolio_rows(&inventory);
            match path {
                Some(path) => write_csv_file(path, &headers, &rows),
                None => {
                    let mut stdout = std::io::stdout().lock();
                    write_csv(&mut stdout, &headers, &rows)
                }
            }
        }
        (ExportFormat::Json, path) => {
            let document = InventoryDocument::new(inventory);
            let mut text = serde_json::to_string_pretty(&document)?;
            text.push('\n');
            match path {
                Some(path) => std::fs::write(path, text).map_err(|e| cannot_write(path, e).into()),
                None => crate::output::print_text(&text),
            }
        }
    }
}

/// The JSON export: every record of every kind, as stored.
#[derive(Serialize, Deserialize)]
pub struct InventoryDocument {
    format: String,
    version: u32,
    subjects: Vec<Subject>,
    websites: Vec<Website>,
    domains: Vec<Domain>,
    filings: Vec<Filing>,
    persons: Vec<Person>,
    providers: Vec<AccessProvider>,
}

impl InventoryDocument {
    fn new(inventory: InventorySnapshot) -> InventoryDocument {
        InventoryDocument {
            format: "beian-inventory".to_owned(),
            version: 1,
            subjects: inventory.subjects,
            websites: inventory.websites,
            domains: inventory.domains,
            filings: inventory.filings,
            persons: inventory.persons,
            providers: inventory.providers,
        }
    }

    /// The records again, indexed for planning.
    pub fn into_inventory(self) -> InventorySnapshot {
        let records = self
            .subjects
            .into_iter()
            .map(Record::Subject)
            .chain(self.websites.into_iter().map(Record::Website))
            .chain(self.domains.into_iter().map(Record::Domain))
            .chain(self.filings.into_iter().map(Record::Filing))
            .chain(self.persons.into_iter().map(Record::Person))
            .chain(self.providers.into_iter().map(Record::AccessProvider));
        InventorySnapshot::new(records)
    }
}

fn portfolio_headers() -> Vec<String> {
    Column::ALL.iter().map(|c| c.header()).collect()
}

fn cannot_write(path: &Path, error: impl std::fmt::Display) -> UserError {
    UserError::input(format!(
        "无法写入 {}：{error} / cannot write {}",
        path.display(),
        path.display()
    ))
    .with_fix("确认目录存在且可写 / check that the directory exists and is writable")
}

/// Writes a CSV file with a UTF-8 BOM, which Excel needs to read Chinese correctly.
pub fn write_csv_file(path: &Path, headers: &[String], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).map_err(|e| cannot_write(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all("\u{feff}".as_bytes())
        .map_err(|e| cannot_write(path, e))?;
    write_csv(&mut out, headers, rows)?;
    out.flush().map_err(|e| cannot_write(path, e))?;
    Ok(())
}

fn write_csv(out: &mut impl Write, headers: &[String], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for record in std::iter::once(headers).chain(rows.iter().map(Vec::as_slice)) {
        for cell in record {
            writer.write_field(neutralise_formula(cell).as_bytes())?;
        }
        // An empty record after `write_field` calls ends the current line.
        writer.write_record(std::iter::empty::<&[u8]>())?;
    }
    match writer.flush() {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Adds a sheet with a bold, frozen header row and the rows as neutralised strings.
pub fn add_sheet<'w>(
    workbook: &'w mut Workbook,
    name: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> anyhow::Result<&'w mut Worksheet> {
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    for (col, text) in headers.iter().enumerate() {
        let col = u16::try_from(col).context("too many columns for a sheet")?;
        sheet.write_string_with_format(0, col, neutralise_formula(text).as_ref(), &bold)?;
        let width = text
            .chars()
            .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
            .sum::<f64>()
            .clamp(10.0, 40.0);
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (index, row) in rows.iter().enumerate() {
        let row_number = u32::try_from(index + 1).context("too many rows for a sheet")?;
        for (col, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                let col = u16::try_from(col).context("too many columns for a sheet")?;
                sheet.write_string(row_number, col, neutralise_formula(cell).as_ref())?;
            }
        }
    }
    Ok(sheet)
}

/// Writes portfolio rows as an importable workbook (one sheet).
pub fn write_portfolio_xlsx(path: &Path, rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut workbook = Workbook::new();
    add_sheet(&mut workbook, PORTFOLIO_SHEET, &portfolio_headers(), rows)?;
    workbook.save(path).map_err(|e| cannot_write(path, e))?;
    Ok(())
}

fn write_xlsx(inventory: &InventorySnapshot, path: &Path) -> anyhow::Result<()> {
    let mut workbook = Workbook::new();
    add_sheet(
        &mut workbook,
        PORTFOLIO_SHEET,
        &portfolio_headers(),
        &portfolio_rows(inventory),
    )?;
    let (headers, rows) = subject_sheet(inventory);
    add_sheet(&mut workbook, "主体 subjects", &headers, &rows)?;
    let (headers, rows) = domain_sheet(inventory);
    add_sheet(&mut workbook, "域名 domains", &headers, &rows)?;
    let (headers, rows) = filing_sheet(inventory);
    add_sheet(&mut workbook, "备案 filings", &headers, &rows)?;
    workbook.save(path).map_err(|e| cannot_write(path, e))?;
    Ok(())
}

type SheetData = (Vec<String>, Vec<Vec<String>>);

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn date(value: Option<chrono::NaiveDate>) -> String {
    value
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn subject_sheet(inventory: &InventorySnapshot) -> SheetData {
    let rows = inventory
        .subjects
        .iter()
        .map(|s| {
            let sites = inventory
                .websites
                .iter()
                .filter(|w| w.subject_id == s.id)
                .count();
            let province = s.province.as_deref().map(|code| {
                beian_core::identifier::province::by_code(code)
                    .map_or(code, |p| p.name)
                    .to_owned()
            });
            vec![
                s.name.clone(),
                s.kind.label_zh().to_owned(),
                s.id_number.clone(),
                s.principal.clone(),
                province.unwrap_or_default(),
                s.status.label_zh().to_owned(),
                date(s.closed_on),
                sites.to_string(),
                s.notes.clone(),
            ]
        })
        .collect();
    let names = [
        "主体名称 name",
        "主体性质 kind",
        "证件号码 id_number",
        "主体负责人 principal",
        "省份 province",
        "状态 status",
        "关闭日期 closed_on",
        "网站数 websites",
        "备注 notes",
    ];
    (headers(&names), rows)
}

fn domain_sheet(inventory: &InventorySnapshot) -> SheetData {
    let rows = inventory
        .domains
        .iter()
        .map(|d| {
            let site = d
                .website_id
                .and_then(|id| inventory.website(id))
                .map(|w| w.home_url.clone());
            vec![
                d.unicode_name.clone(),
                d.name.clone(),
                site.unwrap_or_default(),
                d.registrar.clone(),
                d.holder.clone(),
                date(d.expires_on),
                d.expiry_source
                    .map(Provenance::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                d.notes.clone(),
            ]
        })
        .collect();
    let names = [
        "域名 domain",
        "ASCII",
        "网站 website",
        "注册商 registrar",
        "持有者 holder",
        "到期日 expires_on",
        "到期日来源 expiry_source",
        "备注 notes",
    ];
    (headers(&names), rows)
}

fn filing_sheet(inventory: &InventorySnapshot) -> SheetData {
    let rows = inventory
        .filings
        .iter()
        .map(|f| {
            let subject = inventory.subject(f.subject_id).map(|s| s.name.clone());
            let site = f
                .website_id
                .and_then(|id| inventory.website(id))
                .map(|w| w.home_url.clone());
            let parent = f
                .parent_id
                .and_then(|id| inventory.filing(id))
                .map(|p| p.number.clone());
            vec![
                f.number.clone(),
                FilingKind::label_zh(f.kind).to_owned(),
                f.status.label_zh().to_owned(),
                subject.unwrap_or_default(),
                site.unwrap_or_default(),
                parent.unwrap_or_default(),
                date(f.filed_on),
                date(f.cancelled_on),
                f.notes.clone(),
            ]
        })
        .collect();
    let names = [
        "备案号 number",
        "类型 kind",
        "状态 status",
        "主体 subject",
        "网站 website",
        "主体备案号 parent",
        "备案日期 filed_on",
        "注销日期 cancelled_on",
        "备注 notes",
    ];
    (headers(&names), rows)
}

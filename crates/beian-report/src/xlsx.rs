//! Findings as an XLSX workbook. Every cell is written as a string through
//! [`neutralise_formula`]: explanations quote page titles and WHOIS fields, and a cell
//! starting with `=`, `+`, `-` or `@` would otherwise run as a formula when opened.

use beian_core::inventory::neutralise_formula;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::ReportError;
use crate::findings::{FindingRow, severity_label, state_label_zh};
use crate::portfolio::findings_by_rule;
use crate::text::timestamp;

/// The findings sheet's name; the summary follows it.
pub const FINDINGS_SHEET: &str = "发现 findings";
pub const SUMMARY_SHEET: &str = "汇总 summary";

const FINDING_HEADERS: [&str; 12] = [
    "ID",
    "网站 site",
    "规则 rule",
    "标题 title",
    "严重程度 severity",
    "状态 state",
    "对象 key",
    "首次发现 first seen",
    "最近发现 last seen",
    "解决时间 resolved",
    "说明 explanation",
    "屏蔽 suppression",
];

/// The workbook bytes: one row per finding, then counts by severity and by rule.
pub fn findings_xlsx(findings: &[FindingRow]) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let rows: Vec<Vec<String>> = findings.iter().map(finding_cells).collect();
    let sheet = add_text_sheet(&mut workbook, FINDINGS_SHEET, &FINDING_HEADERS, &rows)?;
    if !rows.is_empty() {
        let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        sheet.autofilter(0, 0, last_row, (FINDING_HEADERS.len() - 1) as u16)?;
    }
    sheet.set_column_width(10, 60)?;

    let mut summary: Vec<Vec<String>> = beian_core::finding::Severity::ALL
        .iter()
        .rev()
        .map(|severity| {
            let count = findings.iter().filter(|f| f.severity == *severity).count();
            vec![
                "严重程度 severity".to_owned(),
                severity_label(*severity),
                count.to_string(),
            ]
        })
        .collect();
    summary.extend(
        findings_by_rule(findings)
            .into_iter()
            .map(|c| vec!["规则 rule".to_owned(), c.label, c.value.to_string()]),
    );
    add_text_sheet(
        &mut workbook,
        SUMMARY_SHEET,
        &["分组 group", "值 value", "数量 count"],
        &summary,
    )?;
    Ok(workbook.save_to_buffer()?)
}

fn finding_cells(finding: &FindingRow) -> Vec<String> {
    vec![
        finding.id.to_string(),
        finding.site.clone(),
        finding.rule_id.clone(),
        finding.title.clone(),
        severity_label(finding.severity),
        state_label_zh(finding.state).to_owned(),
        finding.key.clone(),
        timestamp(finding.first_seen),
        timestamp(finding.last_seen),
        finding.resolved_at.map(timestamp).unwrap_or_default(),
        finding.explanation.clone(),
        finding.suppression.clone().unwrap_or_default(),
    ]
}

/// Adds a sheet with a bold, frozen header row and every cell as a neutralised string.
pub fn add_text_sheet<'w>(
    workbook: &'w mut Workbook,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<&'w mut Worksheet, ReportError> {
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    for (col, text) in headers.iter().enumerate() {
        let col = column(col);
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
        // Excel's limit is 1,048,576 rows; rust_xlsxwriter reports rows past it as an error.
        let row_number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        for (col, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(row_number, column(col), neutralise_formula(cell).as_ref())?;
            }
        }
    }
    Ok(sheet)
}

/// Column index; the sheets here have a dozen columns, far below Excel's 16,384.
fn column(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

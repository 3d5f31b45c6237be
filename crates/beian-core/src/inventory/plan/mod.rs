//! Import planning: a portfolio sheet (one row per website) checked against the stored
//! inventory, turned into one change set the store applies in a single transaction.
//!
//! Rules the planner keeps:
//! - An empty cell keeps the stored value (or the default for a new record); a column
//!   left out of the sheet keeps every stored value. Clearing a field is `beian … edit`.
//! - Subjects are shared by rows with the same ID number; the subject filing
//!   (主体备案号) is derived from the website number and created once per stem.
//! - A stored record is updated only when a field differs, so re-importing an export
//!   changes nothing.
//! - Every problem in every row is reported; a plan with errors must not be applied.

mod rows;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::columns::{Column, HeaderMatch, column_letters, known_columns_list, match_header};
use super::draft::{
    DomainDraft, FilingDraft, PersonDraft, SubjectDraft, WebsiteDraft, registrable_domain_of,
    subject_filing_number,
};
use super::field::{Entry, Field, FieldErrors, FieldWarning, canonical_home_url, split_list};
use super::snapshot::ExistingKeys;
use crate::identifier::{self, ValidationContext};
use crate::model::{
    AccessProvider, Change, Filing, FilingKind, FilingStatus, Links, Provenance, Record, RecordId,
    RecordKind, RecordRef, RecordStatus, Subject, Website,
};

/// A sheet as read from a file: the header row and the data rows, every cell as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// 1-based sheet row number of the header row.
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// One data row with its 1-based sheet row number (what the user sees in Excel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub number: usize,
    pub cells: Vec<String>,
}

impl TableRow {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|cell| cell.trim().is_empty())
    }
}

/// A problem that stops the import: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Sheet row number (the header row for column problems).
    pub row: usize,
    /// The column as "中文 / english", or the header text for unknown columns.
    pub column: Option<String>,
    pub value: String,
    pub problem: String,
    pub fix: String,
}

/// Something worth a look that does not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowWarning {
    pub row: usize,
    pub column: Option<String>,
    pub value: String,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// How many records of one kind the plan inserts, updates or leaves alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    pub insert: usize,
    pub update: usize,
    pub unchanged: usize,
}

/// The outcome of planning: the change set, or why it cannot be applied.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportPlan {
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    pub changes: Vec<Change>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowWarning>,
    pub summary: BTreeMap<RecordKind, ChangeCounts>,
}

impl ImportPlan {
    /// No errors: the change set may be applied.
    pub fn is_applicable(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Plans the import of a portfolio sheet against the stored inventory.
pub fn plan_import(table: &Table, existing: &ExistingKeys, ctx: &ValidationContext) -> ImportPlan {
    let mut planner = Planner::new(existing, ctx);
    let rows: Vec<&TableRow> = table.rows.iter().filter(|row| !row.is_blank()).collect();
    // Without the required columns the rows cannot be read; the header errors say why.
    if let Some(layout) = planner.read_headers(table) {
        for row in &rows {
            planner.plan_row(&RowCells {
                row,
                layout: &layout,
            });
        }
    }
    planner.finish(rows.len())
}

fn column_label(column: Column) -> String {
    format!("{} / {}", column.zh(), column.en())
}

/// Which cell index holds which column.
struct Layout {
    index: HashMap<Column, usize>,
}

/// One row, read through the layout.
struct RowCells<'a> {
    row: &'a TableRow,
    layout: &'a Layout,
}

impl RowCells<'_> {
    /// The trimmed cell, or `None` when the column is absent or the cell empty
    /// (which both mean "keep what is stored").
    fn get(&self, column: Column) -> Option<&str> {
        let index = *self.layout.index.get(&column)?;
        let text = self.row.cells.get(index)?.trim();
        let text = restore_neutralised(text);
        (!text.is_empty()).then_some(text)
    }

    fn number(&self) -> usize {
        self.row.number
    }
}

/// Undoes [`super::neutralise_formula`], so that exported cells import as they were.
fn restore_neutralised(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// A record the plan refers to: stored already, or inserted by change `New(i)`.
#[derive(Debug, Clone, Copy)]
struct Planned {
    reference: RecordRef,
    row: usize,
}

impl Planned {
    fn stored_id(self) -> Option<RecordId> {
        match self.reference {
            RecordRef::Stored(id) => Some(id),
            RecordRef::New(_) => None,
        }
    }
}

struct PlannedSubject {
    planned: Planned,
    draft: SubjectDraft,
    record: Subject,
}

struct PlannedSubjectFiling {
    planned: Planned,
    subject: RecordRef,
    /// Index of the insert change, to raise its status as more rows name the stem.
    insert_index: Option<usize>,
}

struct Planner<'a> {
    existing: &'a ExistingKeys,
    ctx: &'a ValidationContext,
    changes: Vec<Change>,
    errors: Vec<RowError>,
    warnings: Vec<RowWarning>,
    summary: BTreeMap<RecordKind, ChangeCounts>,
    subjects: HashMap<String, PlannedSubject>,
    websites: HashMap<String, usize>,
    filing_numbers: HashMap<String, (usize, Column)>,
    subject_filings: HashMap<String, PlannedSubjectFiling>,
    domains: HashMap<String, usize>,
    providers: HashSet<String>,
}

/// How a draft's fields map to the sheet's columns, for error messages.
type FieldColumns = fn(Field) -> Column;

fn subject_columns(field: Field) -> Column {
    match field {
        Field::SubjectKind => Column::SubjectKind,
        Field::IdNumber => Column::SubjectIdNumber,
        Field::Principal => Column::Principal,
        Field::Province => Column::Province,
        _ => Column::SubjectName,
    }
}

fn website_columns(field: Field) -> Column {
    match field {
        Field::HomeUrl => Column::HomeUrl,
        Field::AccessProviders => Column::AccessProviders,
        Field::ServerIps => Column::ServerIps,
        Field::Tags => Column::Tags,
        Field::GoLiveOn => Column::GoLiveOn,
        Field::SiteStatus => Column::SiteStatus,
        Field::ClosedOn => Column::ClosedOn,
        Field::Notes => Column::Notes,
        _ => Column::SiteName,
    }
}

fn domain_columns(field: Field) -> Column {
    match field {
        Field::Registrar => Column::Registrar,
        Field::Holder => Column::DomainHolder,
        Field::ExpiresOn => Column::DomainExpiresOn,
        _ => Column::Domains,
    }
}

fn icp_columns(field: Field) -> Column {
    match field {
        Field::FilingStatus | Field::CancelledOn => Column::FilingStatus,
        Field::FiledOn => Column::FiledOn,
        _ => Column::IcpNumber,
    }
}

fn psb_columns(field: Field) -> Column {
    match field {
        Field::FiledOn => Column::PsbFiledOn,
        _ => Column::PsbNumber,
    }
}

fn contact_columns(field: Field) -> Column {
    match field {
        Field::Phone => Column::SiteContactPhone,
        _ => Column::SiteContact,
    }
}

impl<'a> Planner<'a> {
    fn new(existing: &'a ExistingKeys, ctx: &'a ValidationContext) -> Planner<'a> {
        Planner {
            existing,
            ctx,
            changes: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            summary: BTreeMap::new(),
            subjects: HashMap::new(),
            websites: HashMap::new(),
            filing_numbers: HashMap::new(),
            subject_filings: HashMap::new(),
            domains: HashMap::new(),
            providers: HashSet::new(),
        }
    }

    fn finish(self, rows: usize) -> ImportPlan {
        ImportPlan {
            rows,
            changes: self.changes,
            errors: self.errors,
            warnings: self.warnings,
            summary: self.summary,
        }
    }

    fn error(
        &mut self,
        row: usize,
        column: Option<Column>,
        value: &str,
        problem: String,
        fix: String,
    ) {
        self.errors.push(RowError {
            row,
            column: column.map(column_label),
            value: value.to_owned(),
            problem,
            fix,
        });
    }

    fn field_errors(&mut self, row: usize, errors: FieldErrors, columns: FieldColumns) {
        for error in errors.0 {
            self.error(
                row,
                Some(columns(error.field)),
                &error.value,
                error.problem,
                error.fix,
            );
        }
    }

    fn field_warnings(&mut self, row: usize, warnings: Vec<FieldWarning>, columns: FieldColumns) {
        for warning in warnings {
            self.warnings.push(RowWarning {
                row,
                column: Some(column_label(columns(warning.field))),
                value: warning.value,
                code: warning.code,
                message: warning.message,
                hint: warning.hint,
            });
        }
    }

    /// Keeps a validated entry's warnings and returns its record, or reports its errors.
    fn accept<T>(
        &mut self,
        row: usize,
        result: Result<Entry<T>, FieldErrors>,
        columns: FieldColumns,
    ) -> Option<T> {
        match result {
            Ok(entry) => {
                self.field_warnings(row, entry.warnings, columns);
                Some(entry.record)
            }
            Err(errors) => {
                self.field_errors(row, errors, columns);
                None
            }
        }
    }

    fn count(&mut self, kind: RecordKind) -> &mut ChangeCounts {
        self.summary.entry(kind).or_default()
    }

    fn insert(&mut self, record: Record, links: Links) -> RecordRef {
        self.count(record.kind()).insert += 1;
        self.changes.push(Change::Insert { record, links });
        RecordRef::New(self.changes.len() - 1)
    }

    /// Updates a stored record when it differs; returns its reference either way.
    fn update_if_changed(&mut self, stored: &Record, record: Record) -> RecordRef {
        let reference = RecordRef::Stored(record.id());
        if *stored == record {
            self.count(record.kind()).unchanged += 1;
        } else {
            self.count(record.kind()).update += 1;
            self.changes.push(Change::Update { record });
        }
        reference
    }

    /// Remembers the row that first names `key`; `Err(first_row)` when an earlier row did.
    fn first_occurrence(
        seen: &mut HashMap<String, usize>,
        key: &str,
        row: usize,
    ) -> Result<(), usize> {
        match seen.get(key) {
            Some(&first) => Err(first),
            None => {
                seen.insert(key.to_owned(), row);
                Ok(())
            }
        }
    }

    fn duplicate(&mut self, row: usize, first: usize, column: Column, value: &str) {
        self.error(
            row,
            Some(column),
            value,
            format!("与第 {first} 行重复 / duplicate of row {first}"),
            format!("每个{}只能出现一行：删除第 {row} 行或第 {first} 行之一 / keep one of rows {first} and {row}", column.zh()),
        );
    }

    /// An update cannot point a stored record at one inserted by the same import
    /// (`Change::Update` carries no links); say how to get there in two steps.
    fn relink_error(&mut self, row: usize, column: Column, value: &str, what: &str) {
        self.error(
            row,
            Some(column),
            value,
            format!(
                "已存储的{what}要改挂到本次新建的记录上，一次导入无法完成 / \
                     a stored {what} would move to a record created by this same import"
            ),
            "先导入不含此行的表格，再导入此行；或用 beian … edit 调整 / \
             import the sheet without this row first, then this row; or use beian … edit"
                .to_owned(),
        );
    }

    // ---- headers -------------------------------------------------------------------

    fn read_headers(&mut self, table: &Table) -> Option<Layout> {
        let row = table.header_row;
        let mut index: HashMap<Column, usize> = HashMap::new();
        let width = table
            .rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0)
            .max(table.headers.len());
        for position in 0..width {
            let header = table.headers.get(position).map_or("", String::as_str);
            let place = format!(
                "第 {} 列 ({}) / column {}",
                position + 1,
                column_letters(position),
                column_letters(position)
            );
            match match_header(header) {
                HeaderMatch::Column(column) => {
                    if let Some(&earlier) = index.get(&column) {
                        self.error(
                            row,
                            Some(column),
                            header,
                            format!(
                                "{place} 与第 {} 列是同一列 / the column appears twice",
                                earlier + 1
                            ),
                            "删除重复的列 / delete one of the two columns".to_owned(),
                        );
                    } else {
                        index.insert(column, position);
                    }
                }
                HeaderMatch::Blank => {
                    let has_data = table
                        .rows
                        .iter()
                        .any(|r| r.cells.get(position).is_some_and(|c| !c.trim().is_empty()));
                    if has_data {
                        self.errors.push(RowError {
                            row,
                            column: None,
                            value: String::new(),
                            problem: format!("{place} 有数据但没有表头 / has data but no header"),
                            fix: format!("补上表头（可用的列：{}）或删除该列 / add a header or delete the column", known_columns_list()),
                        });
                    }
                }
                HeaderMatch::Unknown { suggestion } => {
                    let hint = suggestion
                        .map(|c| format!("是否指 {}？/ did you mean {}? ", c.header(), c.en()))
                        .unwrap_or_default();
                    self.errors.push(RowError {
                        row,
                        column: Some(header.to_owned()),
                        value: header.to_owned(),
                        problem: format!("{place} 不是已知的列 / unknown column"),
                        fix: format!("{hint}改成已知列名或删除该列。已知列：{} / rename it to a known column or delete it", known_columns_list()),
                    });
                }
                HeaderMatch::Conflicting(a, b) => {
                    self.errors.push(RowError {
                        row,
                        column: Some(header.to_owned()),
                        value: header.to_owned(),
                        problem: format!(
                            "{place} 同时指向 {} 和 {} / names two columns",
                            a.header(),
                            b.header()
                        ),
                        fix: "表头只写一列的中文或英文名 / name one column per header".to_owned(),
                    });
                }
            }
        }
        let missing: Vec<Column> = Column::REQUIRED
            .into_iter()
            .filter(|c| !index.contains_key(c))
            .collect();
        for column in &missing {
            self.errors.push(RowError {
                row,
                column: Some(column_label(*column)),
                value: String::new(),
                problem: format!("缺少必需的列 {} / required column missing", column.header()),
                fix: format!("在表头加上 {}（可用 beian import --template 生成模板）/ add the column; `beian import --template` writes a template", column.header()),
            });
        }
        missing.is_empty().then_some(Layout { index })
    }
}

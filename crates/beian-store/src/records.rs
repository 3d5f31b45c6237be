//! How each kind of record maps onto its table: column lists, the values to bind, and
//! decoding a row back. Both backends share this, so there is one mapping to keep right.

use std::sync::LazyLock;

use beian_core::model::{
    AccessProvider, Domain, Filing, FilingKind, FilingStatus, Person, PersonRole, Provenance,
    Record, RecordKind, RecordStatus, Subject, SubjectKind, Website,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::any::AnyRow;
use sqlx::{Row, ValueRef};

use crate::error::StoreError;

/// A value bound to a statement parameter. `Any` carries integers and text; dates,
/// instants, enums and lists are text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SqlValue {
    Int(Option<i64>),
    Text(Option<String>),
}

impl SqlValue {
    pub(crate) fn text(value: impl Into<String>) -> SqlValue {
        SqlValue::Text(Some(value.into()))
    }

    pub(crate) fn date(value: Option<NaiveDate>) -> SqlValue {
        SqlValue::Text(value.map(format_date))
    }

    pub(crate) fn instant(value: DateTime<Utc>) -> SqlValue {
        SqlValue::Text(Some(format_instant(value)))
    }

    fn list(values: &[String]) -> SqlValue {
        // A Vec<String> always serialises.
        SqlValue::Text(Some(
            serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned()),
        ))
    }
}

pub(crate) fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub(crate) fn format_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Binds values in order onto a query.
pub(crate) fn bind_values<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: impl IntoIterator<Item = SqlValue>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for value in values {
        query = match value {
            SqlValue::Int(v) => query.bind(v),
            SqlValue::Text(v) => query.bind(v),
        };
    }
    query
}

/// Parameters of a statement built at run time; `push` returns the placeholder to splice.
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: Vec<SqlValue>,
}

impl Params {
    pub(crate) fn push(&mut self, value: SqlValue) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    pub(crate) fn into_values(self) -> Vec<SqlValue> {
        self.values
    }
}

/// A page size where 0 means "everything" (LIMIT takes a number in both dialects).
pub(crate) fn limit_or_all(limit: u32) -> i64 {
    if limit == 0 {
        i64::MAX
    } else {
        i64::from(limit)
    }
}

/// A table holding one kind of record.
pub(crate) struct Table {
    pub kind: RecordKind,
    pub name: &'static str,
    /// Columns a free-text search looks in.
    pub search: &'static [&'static str],
    /// SQL built once from the above.
    pub sql: TableSql,
}

pub(crate) struct TableSql {
    pub select_columns: String,
    pub select_by_id: String,
    pub select_by_key: Option<String>,
    pub insert: String,
    /// `INSERT INTO t (id, …) VALUES ` — rows follow, see [`multi_row_values`].
    pub insert_with_ids: String,
    /// Values per row of `insert_with_ids`.
    pub row_width: usize,
    pub update: String,
    pub delete: String,
}

fn numbered(from: usize, count: usize) -> impl Iterator<Item = String> {
    (from..from + count).map(|n| format!("${n}"))
}

/// Rows per multi-row INSERT. SQLite looks parameter names up linearly, so binding
/// costs grow with the square of a statement's parameters: a dozen rows of a dozen
/// values keeps that small while cutting round trips tenfold and more.
pub(crate) const ROWS_PER_INSERT: usize = 16;

/// `($1, …, $w), ($w+1, …)` for `rows` rows of `width` values.
pub(crate) fn multi_row_values(width: usize, rows: usize) -> String {
    let rows: Vec<String> = (0..rows)
        .map(|row| {
            format!(
                "({})",
                numbered(row * width + 1, width)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    rows.join(", ")
}

impl Table {
    fn new(
        kind: RecordKind,
        name: &'static str,
        columns: &'static [&'static str],
        natural_key: Option<&'static str>,
        search: &'static [&'static str],
    ) -> Table {
        let select_columns = format!("id, {}", columns.join(", "));
        let placeholders: Vec<String> = numbered(1, columns.len()).collect();
        let assignments: Vec<String> = columns
            .iter()
            .zip(&placeholders)
            .map(|(column, placeholder)| format!("{column} = {placeholder}"))
            .collect();
        let sql = TableSql {
            select_by_id: format!("SELECT {select_columns} FROM {name} WHERE id = $1"),
            select_by_key: natural_key
                .map(|key| format!("SELECT {select_columns} FROM {name} WHERE {key} = $1")),
            insert: format!(
                "INSERT INTO {name} ({}) VALUES ({}) RETURNING id",
                columns.join(", "),
                placeholders.join(", ")
            ),
            insert_with_ids: format!("INSERT INTO {name} ({select_columns}) VALUES "),
            row_width: columns.len() + 1,
            update: format!(
                "UPDATE {name} SET {} WHERE id = ${}",
                assignments.join(", "),
                columns.len() + 1
            ),
            delete: format!("DELETE FROM {name} WHERE id = $1"),
            select_columns,
        };
        Table {
            kind,
            name,
            search,
            sql,
        }
    }
}

const TIMESTAMPS: [&str; 2] = ["created_at", "updated_at"];

static TABLES: LazyLock<[Table; 6]> = LazyLock::new(|| {
    [
        Table::new(
            RecordKind::Subject,
            "subjects",
            &[
                "name",
                "kind",
                "id_number",
                "principal",
                "province",
                "status",
                "closed_on",
                "notes",
                TIMESTAMPS[0],
                TIMESTAMPS[1],
            ],
            Some("id_number"),
            &["name", "id_number", "principal"],
        ),
        Table::new(
            RecordKind::Website,
            "websites",
            &[
                "subject_id",
                "name",
                "home_url",
                "access_providers",
                "server_ips",
                "tags",
                "go_live_on",
                "status",
                "closed_on",
                "notes",
                TIMESTAMPS[0],
                TIMESTAMPS[1],
            ],
            Some("home_url"),
            &["name", "home_url"],
        ),
        Table::new(
            RecordKind::Domain,
            "domains",
            &[
                "name",
                "unicode_name",
                "website_id",
                "registrar",
                "holder",
                "expires_on",
                "expiry_source",
                "notes",
                TIMESTAMPS[0],
                TIMESTAMPS[1],
            ],
            Some("name"),
            &["name", "unicode_name", "registrar", "holder"],
        ),
        Table::new(
            RecordKind::Filing,
            "filings",
            &[
                "kind",
                "number",
                "status",
                "subject_id",
                "website_id",
                "parent_id",
                "filed_on",
                "cancelled_on",
                "notes",
                TIMESTAMPS[0],
                TIMESTAMPS[1],
            ],
            Some("number"),
            &["number", "notes"],
        ),
        Table::new(
            RecordKind::Person,
            "persons",
            &[
                "subject_id",
                "website_id",
                "role",
                "name",
                "phone",
                "email",
                TIMESTAMPS[0],
                TIMESTAMPS[1],
            ],
            None,
            &["name", "phone", "email"],
        ),
        Table::new(
            RecordKind::AccessProvider,
            "access_providers",
            &["name", "console_url", TIMESTAMPS[0], TIMESTAMPS[1]],
            Some("name"),
            &["name", "console_url"],
        ),
    ]
});

/// The table of a kind.
pub(crate) fn table(kind: RecordKind) -> &'static Table {
    TABLES
        .iter()
        .find(|table| table.kind == kind)
        .expect("TABLES lists every RecordKind (checked by a unit test)")
}

/// The values of every non-id column, in the order of the table's column list.
pub(crate) fn column_values(record: &Record) -> Vec<SqlValue> {
    use SqlValue::{Int, Text};
    match record {
        Record::Subject(r) => vec![
            SqlValue::text(&r.name),
            SqlValue::text(r.kind.as_str()),
            SqlValue::text(&r.id_number),
            SqlValue::text(&r.principal),
            Text(r.province.clone()),
            SqlValue::text(r.status.as_str()),
            SqlValue::date(r.closed_on),
            SqlValue::text(&r.notes),
            SqlValue::instant(r.created_at),
            SqlValue::instant(r.updated_at),
        ],
        Record::Website(r) => vec![
            Int(Some(r.subject_id)),
            SqlValue::text(&r.name),
            SqlValue::text(&r.home_url),
            SqlValue::list(&r.access_providers),
            SqlValue::list(&r.server_ips),
            SqlValue::list(&r.tags),
            SqlValue::date(r.go_live_on),
            SqlValue::text(r.status.as_str()),
            SqlValue::date(r.closed_on),
            SqlValue::text(&r.notes),
            SqlValue::instant(r.created_at),
            SqlValue::instant(r.updated_at),
        ],
        Record::Domain(r) => vec![
            SqlValue::text(&r.name),
            SqlValue::text(&r.unicode_name),
            Int(r.website_id),
            SqlValue::text(&r.registrar),
            SqlValue::text(&r.holder),
            SqlValue::date(r.expires_on),
            Text(r.expiry_source.map(|source| source.as_str().to_owned())),
            SqlValue::text(&r.notes),
            SqlValue::instant(r.created_at),
            SqlValue::instant(r.updated_at),
        ],
        Record::Filing(r) => vec![
            SqlValue::text(r.kind.as_str()),
            SqlValue::text(&r.number),
            SqlValue::text(r.status.as_str()),
            Int(Some(r.subject_id)),
            Int(r.website_id),
            Int(r.parent_id),
            SqlValue::date(r.filed_on),
            SqlValue::date(r.cancelled_on),
            SqlValue::text(&r.notes),
            SqlValue::instant(r.created_at),
            SqlValue::instant(r.updated_at),
        ],
        Record::Person(r) => vec![
            Int(Some(r.subject_id)),
            Int(r.website_id),
            SqlValue::text(r.role.as_str()),
            SqlValue::text(&r.name),
            SqlValue::text(&r.phone),
            SqlValue::text(&r.email),
            SqlValue::instant(r.created_at),
            SqlValue::instant(r.updated_at),
        ],
        Record::AccessProvider(r) => vec![
            SqlValue::text(&r.name),
            SqlValue::text(&r.console_url),
            SqlValue::instant(r.created_at),
            SqlValue::instant(r.updated_at),
        ],
    }
}

/// Reads typed values out of a row, naming table and column when a value is not what
/// the store writes (someone edited the database by hand).
pub(crate) struct RowReader<'r> {
    row: &'r AnyRow,
    table: &'static str,
    target: &'r str,
}

impl<'r> RowReader<'r> {
    pub(crate) fn new(row: &'r AnyRow, table: &'static str, target: &'r str) -> Self {
        RowReader { row, table, target }
    }

    fn unreadable(&self, column: &'static str, detail: impl ToString) -> StoreError {
        StoreError::UnreadableValue {
            target: self.target.to_owned(),
            table: self.table,
            column,
            detail: detail.to_string(),
        }
    }

    pub(crate) fn opt_int(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.row
            .try_get::<Option<i64>, _>(column)
            .map_err(|e| self.unreadable(column, e))
    }

    pub(crate) fn int(&self, column: &'static str) -> Result<i64, StoreError> {
        self.opt_int(column)?
            .ok_or_else(|| self.unreadable(column, "NULL"))
    }

    pub(crate) fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        // An empty PostgreSQL text is still text; only SQL NULL is None.
        let raw = self
            .row
            .try_get_raw(column)
            .map_err(|e| self.unreadable(column, e))?;
        if raw.is_null() {
            return Ok(None);
        }
        self.row
            .try_get::<String, _>(column)
            .map(Some)
            .map_err(|e| self.unreadable(column, e))
    }

    pub(crate) fn text(&self, column: &'static str) -> Result<String, StoreError> {
        self.opt_text(column)?
            .ok_or_else(|| self.unreadable(column, "NULL"))
    }

    pub(crate) fn opt_date(&self, column: &'static str) -> Result<Option<NaiveDate>, StoreError> {
        self.opt_text(column)?
            .map(|text| {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|e| self.unreadable(column, format!("{text:?}: {e}")))
            })
            .transpose()
    }

    pub(crate) fn instant(&self, column: &'static str) -> Result<DateTime<Utc>, StoreError> {
        let text = self.text(column)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|e| self.unreadable(column, format!("{text:?}: {e}")))
    }

    pub(crate) fn opt_instant(
        &self,
        column: &'static str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self.opt_text(column)? {
            None => Ok(None),
            Some(_) => self.instant(column).map(Some),
        }
    }

    fn list(&self, column: &'static str) -> Result<Vec<String>, StoreError> {
        self.json(column)
    }

    /// A JSON text column decoded into `T`.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        &self,
        column: &'static str,
    ) -> Result<T, StoreError> {
        let text = self.text(column)?;
        serde_json::from_str(&text).map_err(|e| self.unreadable(column, format!("{text:?}: {e}")))
    }

    pub(crate) fn code<T>(
        &self,
        column: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let text = self.text(column)?;
        parse(&text).ok_or_else(|| self.unreadable(column, format!("unknown value {text:?}")))
    }

    pub(crate) fn opt_code<T>(
        &self,
        column: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        self.opt_text(column)?
            .map(|text| {
                parse(&text)
                    .ok_or_else(|| self.unreadable(column, format!("unknown value {text:?}")))
            })
            .transpose()
    }
}

/// Decodes a row selected with `Table::sql.select_columns`.
pub(crate) fn decode(kind: RecordKind, row: &AnyRow, target: &str) -> Result<Record, StoreError> {
    let r = RowReader::new(row, table(kind).name, target);
    Ok(match kind {
        RecordKind::Subject => Record::Subject(Subject {
            id: r.int("id")?,
            name: r.text("name")?,
            kind: r.code("kind", SubjectKind::parse)?,
            id_number: r.text("id_number")?,
            principal: r.text("principal")?,
            province: r.opt_text("province")?,
            status: r.code("status", RecordStatus::parse)?,
            closed_on: r.opt_date("closed_on")?,
            notes: r.text("notes")?,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        }),
        RecordKind::Website => Record::Website(Website {
            id: r.int("id")?,
            subject_id: r.int("subject_id")?,
            name: r.text("name")?,
            home_url: r.text("home_url")?,
            access_providers: r.list("access_providers")?,
            server_ips: r.list("server_ips")?,
            tags: r.list("tags")?,
            go_live_on: r.opt_date("go_live_on")?,
            status: r.code("status", RecordStatus::parse)?,
            closed_on: r.opt_date("closed_on")?,
            notes: r.text("notes")?,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        }),
        RecordKind::Domain => Record::Domain(Domain {
            id: r.int("id")?,
            name: r.text("name")?,
            unicode_name: r.text("unicode_name")?,
            website_id: r.opt_int("website_id")?,
            registrar: r.text("registrar")?,
            holder: r.text("holder")?,
            expires_on: r.opt_date("expires_on")?,
            expiry_source: r.opt_code("expiry_source", Provenance::parse)?,
            notes: r.text("notes")?,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        }),
        RecordKind::Filing => Record::Filing(Filing {
            id: r.int("id")?,
            kind: r.code("kind", FilingKind::parse)?,
            number: r.text("number")?,
            status: r.code("status", FilingStatus::parse)?,
            subject_id: r.int("subject_id")?,
            website_id: r.opt_int("website_id")?,
            parent_id: r.opt_int("parent_id")?,
            filed_on: r.opt_date("filed_on")?,
            cancelled_on: r.opt_date("cancelled_on")?,
            notes: r.text("notes")?,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        }),
        RecordKind::Person => Record::Person(Person {
            id: r.int("id")?,
            subject_id: r.int("subject_id")?,
            website_id: r.opt_int("website_id")?,
            role: r.code("role", PersonRole::parse)?,
            name: r.text("name")?,
            phone: r.text("phone")?,
            email: r.text("email")?,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        }),
        RecordKind::AccessProvider => Record::AccessProvider(AccessProvider {
            id: r.int("id")?,
            name: r.text("name")?,
            console_url: r.text("console_url")?,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        }),
    })
}

/// Sets the id and both timestamps of a record about to be written.
pub(crate) fn stamp(
    record: &mut Record,
    id: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) {
    macro_rules! set {
        ($r:expr) => {{
            $r.id = id;
            $r.created_at = created_at;
            $r.updated_at = updated_at;
        }};
    }
    match record {
        Record::Subject(r) => set!(r),
        Record::Website(r) => set!(r),
        Record::Domain(r) => set!(r),
        Record::Filing(r) => set!(r),
        Record::Person(r) => set!(r),
        Record::AccessProvider(r) => set!(r),
    }
}

/// When a stored record was created.
pub(crate) fn created_at(record: &Record) -> DateTime<Utc> {
    match record {
        Record::Subject(r) => r.created_at,
        Record::Website(r) => r.created_at,
        Record::Domain(r) => r.created_at,
        Record::Filing(r) => r.created_at,
        Record::Person(r) => r.created_at,
        Record::AccessProvider(r) => r.created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_table_whose_columns_match_its_values() {
        let at = Utc::now();
        for kind in RecordKind::ALL {
            let table = table(kind);
            assert_eq!(table.kind, kind);
            let sample = crate::records::tests::sample(kind, at);
            let placeholders = table.sql.insert.matches('$').count();
            assert_eq!(column_values(&sample).len(), placeholders, "{kind:?}");
        }
    }

    pub(crate) fn sample(kind: RecordKind, at: DateTime<Utc>) -> Record {
        match kind {
            RecordKind::Subject => Record::Subject(Subject {
                id: 0,
                name: String::new(),
                kind: SubjectKind::Company,
                id_number: String::new(),
                principal: String::new(),
                province: None,
                status: RecordStatus::Active,
                closed_on: None,
                notes: String::new(),
                created_at: at,
                updated_at: at,
            }),
            RecordKind::Website => Record::Website(Website {
                id: 0,
                subject_id: 0,
                name: String::new(),
                home_url: String::new(),
                access_providers: vec![],
                tags: Vec::new(),
                server_ips: vec![],
                go_live_on: None,
                status: RecordStatus::Active,
                closed_on: None,
                notes: String::new(),
                created_at: at,
                updated_at: at,
            }),
            RecordKind::Domain => Record::Domain(Domain {
                id: 0,
                name: String::new(),
                unicode_name: String::new(),
                website_id: None,
                registrar: String::new(),
                holder: String::new(),
                expires_on: None,
                expiry_source: None,
                notes: String::new(),
                created_at: at,
                updated_at: at,
            }),
            RecordKind::Filing => Record::Filing(Filing {
                id: 0,
                kind: FilingKind::IcpSubject,
                number: String::new(),
                status: FilingStatus::Active,
                subject_id: 0,
                website_id: None,
                parent_id: None,
                filed_on: None,
                cancelled_on: None,
                notes: String::new(),
                created_at: at,
                updated_at: at,
            }),
            RecordKind::Person => Record::Person(Person {
                id: 0,
                subject_id: 0,
                website_id: None,
                role: PersonRole::Principal,
                name: String::new(),
                phone: String::new(),
                email: String::new(),
                created_at: at,
                updated_at: at,
            }),
            RecordKind::AccessProvider => Record::AccessProvider(AccessProvider {
                id: 0,
                name: String::new(),
                console_url: String::new(),
                created_at: at,
                updated_at: at,
            }),
        }
    }
}

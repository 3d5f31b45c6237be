//! Listing records with filters and pagination.

use beian_core::finding::Severity;
use beian_core::model::{FilingKind, FilingStatus, Record, RecordId, RecordKind, RecordStatus};
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;

use crate::engine::Engine;
use crate::error::{StoreError, from_sqlx};
use crate::findings::severity_rank;
use crate::records::{
    Params, RowReader, SqlValue, bind_values, decode, format_date, limit_or_all, table,
};

/// What to list. Filters that do not apply to `kind` are refused, not ignored, so a
/// mistyped query never silently lists everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub kind: RecordKind,
    /// Case-insensitive substring of the name, number, URL or key fields.
    pub search: Option<String>,
    /// Records of this subject (for domains: of its websites).
    pub subject_id: Option<RecordId>,
    /// Records of this website.
    pub website_id: Option<RecordId>,
    /// Subjects and websites: `active`/`closed`; filings: `active`/`pending`/`cancelled`
    /// (Chinese labels accepted).
    pub status: Option<String>,
    pub filing_kind: Option<FilingKind>,
    /// Domains expiring strictly before this date (listed soonest first).
    pub expiring_before: Option<NaiveDate>,
    /// Websites whose subject's name or id number contains this (case-insensitive).
    pub subject_search: Option<String>,
    /// Websites hosted by this access provider (exact name, as stored).
    pub access_provider: Option<String>,
    /// Websites with an unresolved finding at least this severe.
    pub min_finding_severity: Option<Severity>,
    /// Websites carrying this tag (exact, as stored).
    pub tag: Option<String>,
    /// Page size; 0 means no limit.
    pub limit: u32,
    pub offset: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            kind: RecordKind::Subject,
            search: None,
            subject_id: None,
            website_id: None,
            status: None,
            filing_kind: None,
            expiring_before: None,
            subject_search: None,
            access_provider: None,
            min_finding_severity: None,
            tag: None,
            limit: 50,
            offset: 0,
        }
    }
}

impl ListQuery {
    /// No filter but (possibly) the status: what the count tables can total.
    pub(crate) fn filters_only_status(&self) -> bool {
        let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
        blank(&self.search)
            && self.subject_id.is_none()
            && self.website_id.is_none()
            && self.filing_kind.is_none()
            && self.expiring_before.is_none()
            && blank(&self.subject_search)
            && blank(&self.access_provider)
            && self.min_finding_severity.is_none()
            && blank(&self.tag)
    }

    /// The first page of every record of a kind.
    pub fn of(kind: RecordKind) -> ListQuery {
        ListQuery {
            kind,
            ..ListQuery::default()
        }
    }
}

/// One page of a listing and how many records match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Record>,
    pub total: u64,
}

/// `LIKE` pattern for a literal substring of a lower-cased column: `\` escapes the
/// wildcards in both dialects.
fn contains_pattern(text: &str) -> String {
    contains_pattern_exact_case(&text.to_lowercase())
}

/// `LIKE` pattern for a literal substring, case kept.
fn contains_pattern_exact_case(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The WHERE conditions of a query, with their parameters.
pub(crate) fn conditions(
    query: &ListQuery,
    params: &mut Params,
) -> Result<Vec<String>, StoreError> {
    use RecordKind as K;
    let kind = query.kind;
    let unsupported = |filter| StoreError::UnsupportedFilter { kind, filter };
    let mut out = Vec::new();

    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let placeholder = params.push(SqlValue::Text(Some(contains_pattern(search))));
        let alternatives: Vec<String> = table(kind)
            .search
            .iter()
            .map(|column| format!("LOWER({column}) LIKE {placeholder} ESCAPE '\\'"))
            .collect();
        out.push(format!("({})", alternatives.join(" OR ")));
    }
    if let Some(subject_id) = query.subject_id {
        let p = params.push(SqlValue::Int(Some(subject_id)));
        out.push(match kind {
            K::Subject => format!("id = {p}"),
            K::Website | K::Filing | K::Person => format!("subject_id = {p}"),
            K::Domain => format!("website_id IN (SELECT id FROM websites WHERE subject_id = {p})"),
            K::AccessProvider => return Err(unsupported("subject_id")),
        });
    }
    if let Some(website_id) = query.website_id {
        let p = params.push(SqlValue::Int(Some(website_id)));
        out.push(match kind {
            K::Website => format!("id = {p}"),
            K::Domain | K::Filing | K::Person => format!("website_id = {p}"),
            K::Subject | K::AccessProvider => return Err(unsupported("website_id")),
        });
    }
    if let Some(status) = &query.status {
        let canonical = match kind {
            K::Subject | K::Website => RecordStatus::parse(status).map(RecordStatus::as_str),
            K::Filing => FilingStatus::parse(status).map(FilingStatus::as_str),
            K::Domain | K::Person | K::AccessProvider => return Err(unsupported("status")),
        };
        let Some(canonical) = canonical else {
            return Err(StoreError::InvalidFilterValue {
                filter: "status",
                value: status.clone(),
                expected: if kind == K::Filing {
                    "active, pending, cancelled（已备案、审核中、已注销）"
                } else {
                    "active, closed（运行中、已关闭）"
                },
            });
        };
        out.push(format!(
            "status = {}",
            params.push(SqlValue::Text(Some(canonical.to_owned())))
        ));
    }
    if let Some(filing_kind) = query.filing_kind {
        if kind != K::Filing {
            return Err(unsupported("filing_kind"));
        }
        let p = params.push(SqlValue::Text(Some(filing_kind.as_str().to_owned())));
        out.push(format!("kind = {p}"));
    }
    if let Some(date) = query.expiring_before {
        if kind != K::Domain {
            return Err(unsupported("expiring_before"));
        }
        // ISO dates compare as text in date order.
        let p = params.push(SqlValue::Text(Some(format_date(date))));
        out.push(format!("expires_on IS NOT NULL AND expires_on < {p}"));
    }
    if let Some(search) = query
        .subject_search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if kind != K::Website {
            return Err(unsupported("subject_search"));
        }
        let p = params.push(SqlValue::Text(Some(contains_pattern(search))));
        out.push(format!(
            "subject_id IN (SELECT id FROM subjects WHERE LOWER(name) LIKE {p} ESCAPE '\\' \
             OR LOWER(id_number) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(provider) = &query.access_provider {
        if kind != K::Website {
            return Err(unsupported("access_provider"));
        }
        // The providers are a JSON array of strings: match one whole element.
        let element = serde_json::to_string(provider.trim()).unwrap_or_default();
        let p = params.push(SqlValue::Text(Some(contains_pattern_exact_case(&element))));
        out.push(format!("access_providers LIKE {p} ESCAPE '\\'"));
    }
    if let Some(tag) = query
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if kind != K::Website {
            return Err(unsupported("tag"));
        }
        // website_tags is kept by triggers (migration 0008) and indexed by tag.
        let p = params.push(SqlValue::Text(Some(tag.to_owned())));
        out.push(format!(
            "id IN (SELECT website_id FROM website_tags WHERE tag = {p})"
        ));
    }
    if let Some(min) = query.min_finding_severity {
        if kind != K::Website {
            return Err(unsupported("min_finding_severity"));
        }
        let p = params.push(SqlValue::Int(Some(severity_rank(min))));
        out.push(format!(
            "id IN (SELECT site_id FROM site_finding_counts WHERE n > 0 AND severity_rank >= {p})"
        ));
    }
    Ok(out)
}

impl Engine {
    pub(crate) async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let table = table(query.kind);
        let mut params = Params::default();
        let conditions = conditions(query, &mut params)?;
        let order = if query.expiring_before.is_some() {
            "expires_on, id"
        } else {
            "id"
        };
        let (total, rows) = self
            .select_page(
                PageSelect {
                    table: table.name,
                    columns: &table.sql.select_columns,
                    conditions,
                    order,
                    limit: query.limit,
                    offset: query.offset,
                    counting: Counting::Exact,
                    count_context: "counting records",
                    list_context: "listing records",
                },
                params.into_values(),
            )
            .await?;
        let items = rows
            .iter()
            .map(|row| decode(query.kind, row, &self.target))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            total: total.count,
        })
    }
}

/// How a listing learns its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counting {
    /// `COUNT(*)` of every matching row.
    Exact,
    /// Already known (from the count tables).
    Known(u64),
    /// Counted up to this many and no further: past it the total is a lower bound, because
    /// counting a million rows costs more than the page itself.
    UpTo(u64),
}

/// A listing's total and whether it is exact (else: at least this many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Total {
    pub count: u64,
    pub exact: bool,
}

/// One page of a filtered listing: `SELECT columns FROM table WHERE conditions ORDER BY order`
/// with its total count, the filter values bound in both statements.
pub(crate) struct PageSelect<'a> {
    pub table: &'static str,
    pub columns: &'a str,
    pub conditions: Vec<String>,
    pub order: &'a str,
    /// 0 means no limit.
    pub limit: u32,
    pub offset: u32,
    pub counting: Counting,
    /// How error messages name the two statements, e.g. `counting findings`.
    pub count_context: &'static str,
    pub list_context: &'static str,
}

impl Engine {
    /// The total number of matching rows and the rows of the page.
    pub(crate) async fn select_page(
        &self,
        select: PageSelect<'_>,
        values: Vec<SqlValue>,
    ) -> Result<(Total, Vec<sqlx::any::AnyRow>), StoreError> {
        let where_clause = if select.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", select.conditions.join(" AND "))
        };
        let limit = values.len() + 1;
        let page_sql = format!(
            "SELECT {} FROM {} {where_clause} ORDER BY {} LIMIT ${limit} OFFSET ${}",
            select.columns,
            select.table,
            select.order,
            limit + 1
        );
        let rows = bind_values(sqlx::query(AssertSqlSafe(page_sql)), values.iter().cloned())
            .bind(limit_or_all(select.limit))
            .bind(i64::from(select.offset))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| from_sqlx(&self.target, select.list_context, e))?;
        // A page that is not full ends the listing, so it tells the total itself and the
        // count statement is not needed (most drop-downs and small listings).
        let short_page = select.limit == 0 || rows.len() < select.limit as usize;
        let total = match select.counting {
            Counting::Known(count) => Total { count, exact: true },
            _ if short_page && (!rows.is_empty() || select.offset == 0) => Total {
                count: u64::from(select.offset) + rows.len() as u64,
                exact: true,
            },
            Counting::Exact => Total {
                count: self
                    .count_rows(
                        format!("SELECT COUNT(*) AS n FROM {} {where_clause}", select.table),
                        &values,
                        &select,
                    )
                    .await?,
                exact: true,
            },
            Counting::UpTo(cap) => {
                let counted = self
                    .count_rows(
                        format!(
                            "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {} {where_clause} \
                             LIMIT {}) capped",
                            select.table,
                            cap.saturating_add(1)
                        ),
                        &values,
                        &select,
                    )
                    .await?;
                Total {
                    count: counted.min(cap),
                    exact: counted <= cap,
                }
            }
        };
        Ok((total, rows))
    }

    async fn count_rows(
        &self,
        sql: String,
        values: &[SqlValue],
        select: &PageSelect<'_>,
    ) -> Result<u64, StoreError> {
        let row = bind_values(sqlx::query(AssertSqlSafe(sql)), values.iter().cloned())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| from_sqlx(&self.target, select.count_context, e))?;
        let counted = RowReader::new(&row, select.table, &self.target).int("n")?;
        Ok(u64::try_from(counted).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_wildcards_are_literal() {
        assert_eq!(contains_pattern("100%_a\\B"), "%100\\%\\_a\\\\b%");
    }

    #[test]
    fn filters_that_do_not_apply_are_refused() {
        let query = ListQuery {
            status: Some("active".into()),
            ..ListQuery::of(RecordKind::Domain)
        };
        assert!(matches!(
            conditions(&query, &mut Params::default()),
            Err(StoreError::UnsupportedFilter {
                filter: "status",
                ..
            })
        ));
        let query = ListQuery {
            status: Some("gone".into()),
            ..ListQuery::of(RecordKind::Filing)
        };
        assert!(matches!(
            conditions(&query, &mut Params::default()),
            Err(StoreError::InvalidFilterValue { .. })
        ));
    }
}

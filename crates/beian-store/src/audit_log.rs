//! The append-only audit log: sealing entries onto the chain inside a write transaction,
//! reading them back, and walking the whole chain.

use beian_core::audit::{AuditEntry, ChainVerdict, ChainVerifier};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::error::{StoreError, from_sqlx};
use crate::records::{
    Params, ROWS_PER_INSERT, RowReader, SqlValue, bind_values, format_instant, limit_or_all,
    multi_row_values,
};

/// Which entries to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// `subject`, `website`, … or a non-inventory entity such as `scan`.
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// Only entries with a larger `seq` (for paging through the log).
    pub after_seq: Option<i64>,
    /// At most this many entries; 0 means no limit.
    pub limit: u32,
}

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            entity: None,
            entity_id: None,
            after_seq: None,
            limit: 100,
        }
    }
}

const COLUMNS: &str =
    r#"seq, at, actor, action, entity, entity_id, "before", "after", prev_hash, hash"#;
const COLUMN_COUNT: usize = 10;
/// Entries fetched per page while verifying, so memory stays flat for any log size.
const VERIFY_PAGE: i64 = 2_000;

/// Entries sealed during one write transaction, waiting to be inserted with it.
pub(crate) struct PendingChain {
    last: Option<(String, i64)>,
    pending: Vec<AuditEntry>,
}

/// One event to record; `before`/`after` are JSON text.
pub(crate) struct AuditEvent<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl PendingChain {
    /// Picks up the chain where the database ends it. Call only under the write lock,
    /// or two writers would both extend the same entry and fork the chain.
    pub(crate) async fn resume(conn: &mut AnyConnection, target: &str) -> Result<Self, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(conn)
            .await
            .map_err(|e| from_sqlx(target, "reading the end of the audit log", e))?;
        let last = match row {
            Some(row) => {
                let reader = RowReader::new(&row, "audit_log", target);
                Some((reader.text("hash")?, reader.int("seq")?))
            }
            None => None,
        };
        Ok(PendingChain {
            last,
            pending: Vec::new(),
        })
    }

    /// Seals the next entry onto the chain (in memory until [`PendingChain::flush`]).
    pub(crate) fn push(&mut self, event: AuditEvent<'_>) -> &AuditEntry {
        let entry = AuditEntry::seal(
            self.last.as_ref().map(|(hash, seq)| (hash.as_str(), *seq)),
            event.at,
            event.actor,
            event.action,
            event.entity,
            event.entity_id,
            event.before,
            event.after,
        );
        self.last = Some((entry.hash.clone(), entry.seq));
        self.pending.push(entry);
        self.pending.last().expect("an entry was pushed just above")
    }

    /// Writes the sealed entries inside the caller's transaction.
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        target: &str,
    ) -> Result<(), StoreError> {
        for chunk in self.pending.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO audit_log ({COLUMNS}) VALUES {}",
                multi_row_values(COLUMN_COUNT, chunk.len())
            );
            let values = chunk.iter().flat_map(|entry| {
                [
                    SqlValue::Int(Some(entry.seq)),
                    SqlValue::Text(Some(format_instant(entry.at))),
                    SqlValue::Text(Some(entry.actor.clone())),
                    SqlValue::Text(Some(entry.action.clone())),
                    SqlValue::Text(Some(entry.entity.clone())),
                    SqlValue::Int(entry.entity_id),
                    SqlValue::Text(entry.before.clone()),
                    SqlValue::Text(entry.after.clone()),
                    SqlValue::Text(Some(entry.prev_hash.clone())),
                    SqlValue::Text(Some(entry.hash.clone())),
                ]
            });
            bind_values(sqlx::query(AssertSqlSafe(sql)), values)
                .execute(&mut *conn)
                .await
                .map_err(|e| from_sqlx(target, "appending to the audit log", e))?;
        }
        self.pending.clear();
        Ok(())
    }
}

fn decode_entry(row: &AnyRow, target: &str) -> Result<AuditEntry, StoreError> {
    let r = RowReader::new(row, "audit_log", target);
    Ok(AuditEntry {
        seq: r.int("seq")?,
        at: r.instant("at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        entity: r.text("entity")?,
        entity_id: r.opt_int("entity_id")?,
        before: r.opt_text("before")?,
        after: r.opt_text("after")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// Entries matching `query`, in `seq` order.
pub(crate) async fn entries(
    pool: &sqlx::AnyPool,
    target: &str,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut params = Params::default();
    let mut clauses = Vec::new();
    if let Some(entity) = &query.entity {
        clauses.push(format!(
            "entity = {}",
            params.push(SqlValue::Text(Some(entity.clone())))
        ));
    }
    if let Some(id) = query.entity_id {
        clauses.push(format!(
            "entity_id = {}",
            params.push(SqlValue::Int(Some(id)))
        ));
    }
    if let Some(seq) = query.after_seq {
        clauses.push(format!("seq > {}", params.push(SqlValue::Int(Some(seq)))));
    }
    let where_clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let limit = params.push(SqlValue::Int(Some(limit_or_all(query.limit))));
    let sql = format!("SELECT {COLUMNS} FROM audit_log {where_clause} ORDER BY seq LIMIT {limit}");
    let values = params.into_values();
    let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), values)
        .fetch_all(pool)
        .await
        .map_err(|e| from_sqlx(target, "reading the audit log", e))?;
    rows.iter().map(|row| decode_entry(row, target)).collect()
}

/// Walks every entry in `seq` order, a page at a time, and names the first broken one.
pub(crate) async fn verify(pool: &sqlx::AnyPool, target: &str) -> Result<ChainVerdict, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
    let mut verifier = ChainVerifier::default();
    let mut after = i64::MIN;
    loop {
        let rows = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(after)
            .bind(VERIFY_PAGE)
            .fetch_all(pool)
            .await
            .map_err(|e| from_sqlx(target, "reading the audit log", e))?;
        for row in &rows {
            let entry = decode_entry(row, target)?;
            if let Err(verdict) = verifier.check(&entry) {
                return Ok(verdict);
            }
            after = entry.seq;
        }
        if rows.len() < VERIFY_PAGE as usize {
            return Ok(verifier.finish());
        }
    }
}

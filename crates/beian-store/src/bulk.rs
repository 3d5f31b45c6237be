//! Inserts of one `apply` gathered into multi-row statements. Ids are reserved up front
//! under the write lock, so links inside the batch resolve without a round trip per
//! row; an import of 10,000 rows becomes a few thousand statements instead of 40,000.

use std::collections::{HashMap, VecDeque};

use beian_core::model::{Change, Record, RecordId, RecordKind};
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::engine::Dialect;
use crate::error::{StoreError, from_sqlx};
use crate::records::{
    ROWS_PER_INSERT, RowReader, SqlValue, bind_values, column_values, multi_row_values, table,
};

/// Parents before children, so every foreign key points at a row already written (or
/// written by the same statement: both backends check at the end of a statement).
fn dependency_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Subject => 0,
        RecordKind::AccessProvider => 1,
        RecordKind::Website => 2,
        RecordKind::Domain => 3,
        RecordKind::Filing => 4,
        RecordKind::Person => 5,
    }
}

/// A multi-row statement failed on a constraint; which row is at fault is unknown,
/// so the caller replays the batch one row at a time to name it.
pub(crate) struct Rejected(pub sqlx::Error);

pub(crate) struct BulkInserts {
    ids: HashMap<RecordKind, VecDeque<RecordId>>,
    pending: Vec<(RecordKind, Vec<SqlValue>)>,
}

impl BulkInserts {
    /// Reserves one id per insert in `changes`. Call under the write lock: on SQLite
    /// the ids are computed from the table, and a concurrent writer would collide.
    pub(crate) async fn reserve(
        conn: &mut AnyConnection,
        dialect: Dialect,
        changes: &[Change],
        target: &str,
    ) -> Result<BulkInserts, StoreError> {
        let mut wanted: HashMap<RecordKind, i64> = HashMap::new();
        for change in changes {
            if let Change::Insert { record, .. } = change {
                *wanted.entry(record.kind()).or_default() += 1;
            }
        }
        let mut ids = HashMap::new();
        for (kind, count) in wanted {
            let name = table(kind).name;
            let reserved: VecDeque<RecordId> = match dialect {
                Dialect::Sqlite => {
                    // AUTOINCREMENT never reuses an id: continue after the largest ever
                    // handed out (sqlite_sequence), not just the largest present.
                    let sql = format!(
                        "SELECT MAX(COALESCE((SELECT MAX(id) FROM {name}), 0), \
                         COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{name}'), 0)) AS last"
                    );
                    let row = sqlx::query(AssertSqlSafe(sql))
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(|e| from_sqlx(target, "reserving record ids", e))?;
                    let last = RowReader::new(&row, name, target).int("last")?;
                    (last + 1..=last + count).collect()
                }
                Dialect::Postgres => {
                    let sql = format!(
                        "SELECT nextval(pg_get_serial_sequence('{name}', 'id')) AS id \
                         FROM generate_series(1, $1)"
                    );
                    let rows = sqlx::query(AssertSqlSafe(sql))
                        .bind(count)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(|e| from_sqlx(target, "reserving record ids", e))?;
                    rows.iter()
                        .map(|row| RowReader::new(row, name, target).int("id"))
                        .collect::<Result<_, _>>()?
                }
            };
            ids.insert(kind, reserved);
        }
        Ok(BulkInserts {
            ids,
            pending: Vec::new(),
        })
    }

    /// The id the next insert of `kind` gets; `None` once the reservation is used up
    /// (cannot happen for the batch it was reserved for).
    pub(crate) fn next_id(&mut self, kind: RecordKind) -> Option<RecordId> {
        self.ids.get_mut(&kind).and_then(VecDeque::pop_front)
    }

    /// Queues a record whose id is already set.
    pub(crate) fn push(&mut self, record: &Record) {
        let mut values = Vec::with_capacity(table(record.kind()).sql.row_width);
        values.push(SqlValue::Int(Some(record.id())));
        values.extend(column_values(record));
        self.pending.push((record.kind(), values));
    }

    /// Writes everything queued. Must run before anything reads or changes rows that
    /// queued inserts could affect (updates, deletes, reference checks).
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        target: &str,
    ) -> Result<Result<(), Rejected>, StoreError> {
        // Stable: within a table, rows keep the order of the changes, so a filing's
        // parent (always an earlier change) lands in the same or an earlier statement.
        self.pending.sort_by_key(|(kind, _)| dependency_rank(*kind));
        let pending = std::mem::take(&mut self.pending);
        for group in pending.chunk_by(|(a, _), (b, _)| a == b) {
            let sql = &table(group[0].0).sql;
            for rows in group.chunks(ROWS_PER_INSERT) {
                let statement = format!(
                    "{}{}",
                    sql.insert_with_ids,
                    multi_row_values(sql.row_width, rows.len())
                );
                let values = rows.iter().flat_map(|(_, values)| values.iter().cloned());
                match bind_values(sqlx::query(AssertSqlSafe(statement)), values)
                    .execute(&mut *conn)
                    .await
                {
                    Ok(_) => {}
                    Err(error) if is_constraint_violation(&error) => {
                        return Ok(Err(Rejected(error)));
                    }
                    Err(error) => return Err(from_sqlx(target, "writing records", error)),
                }
            }
        }
        Ok(Ok(()))
    }
}

fn is_constraint_violation(error: &sqlx::Error) -> bool {
    use sqlx::error::ErrorKind;
    matches!(
        error,
        sqlx::Error::Database(db) if matches!(
            db.kind(),
            ErrorKind::UniqueViolation
                | ErrorKind::ForeignKeyViolation
                | ErrorKind::NotNullViolation
                | ErrorKind::CheckViolation
        )
    )
}

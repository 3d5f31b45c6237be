//! The one implementation of the store's operations, over a sqlx `Any` pool. The backends
//! differ only in how they connect, migrate and take the write lock ([`Dialect`]).

use std::collections::HashMap;

use beian_core::audit::{AuditEntry, ChainVerdict};
use beian_core::model::{
    Change, Filing, Links, Record, RecordId, RecordKind, RecordRef, Website, check_filing_relations,
};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use sqlx::{AnyPool, AssertSqlSafe, Row};

use crate::audit_log::{self, AuditEvent, AuditQuery, PendingChain};
use crate::bulk::{BulkInserts, Rejected};
use crate::error::{BackendFault, StoreError, classify, from_sqlx};
use crate::records::{self, bind_values, column_values, decode, table};

/// How a backend serialises writers so the audit chain never forks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `BEGIN IMMEDIATE` takes SQLite's write lock up front, across processes, waiting
    /// for it up to the busy timeout.
    Sqlite,
    /// A table lock on `audit_log` that only writers take; readers are not blocked.
    Postgres,
}

/// Records referring to another: (referenced kind, referring kind, referring column).
const REFERENCES: [(RecordKind, RecordKind, &str); 7] = [
    (RecordKind::Subject, RecordKind::Website, "subject_id"),
    (RecordKind::Subject, RecordKind::Filing, "subject_id"),
    (RecordKind::Subject, RecordKind::Person, "subject_id"),
    (RecordKind::Website, RecordKind::Domain, "website_id"),
    (RecordKind::Website, RecordKind::Filing, "website_id"),
    (RecordKind::Website, RecordKind::Person, "website_id"),
    (RecordKind::Filing, RecordKind::Filing, "parent_id"),
];

/// `pub` only so the sealed trait may name it; the module is private.
pub struct Engine {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// How messages name the database (path, or URL without password).
    pub(crate) target: String,
}

/// How `apply` writes inserts: gathered into multi-row statements (fast), or one
/// statement each (names the change at fault when a constraint fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InsertMode {
    Bulk,
    OneByOne,
}

/// Records written so far in one `apply`, by kind and id, so later changes of the same
/// batch see them without a round trip.
#[derive(Default)]
struct Batch {
    results: Vec<Record>,
    live: HashMap<(RecordKind, RecordId), usize>,
}

impl Batch {
    fn record(&mut self, record: Record) {
        self.live
            .insert((record.kind(), record.id()), self.results.len());
        self.results.push(record);
    }

    fn forget(&mut self, kind: RecordKind, id: RecordId) {
        self.live.remove(&(kind, id));
    }

    fn get(&self, kind: RecordKind, id: RecordId) -> Option<&Record> {
        self.live
            .get(&(kind, id))
            .map(|&index| &self.results[index])
    }
}

fn to_json(record: &Record) -> String {
    serde_json::to_string(record).expect("Record serialises: plain data, string map keys only")
}

/// Microsecond precision, as stored, so returned records equal what `get` reads back.
pub(crate) fn now_micros() -> DateTime<Utc> {
    to_micros(Utc::now())
}

/// An instant cut to the microsecond precision instants are stored with.
pub(crate) fn to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

impl Engine {
    pub(crate) fn fail(&self, context: &'static str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        move |error| from_sqlx(&self.target, context, error)
    }

    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        match self.dialect {
            Dialect::Sqlite => self
                .pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(self.fail("starting a write")),
            Dialect::Postgres => {
                let mut tx = self
                    .pool
                    .begin()
                    .await
                    .map_err(self.fail("starting a write"))?;
                sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .map_err(self.fail("locking the audit log for writing"))?;
                Ok(tx)
            }
        }
    }

    pub(crate) async fn apply(
        &self,
        actor: &str,
        changes: &[Change],
    ) -> Result<Vec<Record>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        match self.apply_once(actor, changes, InsertMode::Bulk).await? {
            Ok(records) => Ok(records),
            // Some row broke a constraint inside a multi-row statement. Everything was
            // rolled back; replay one row at a time to name the change at fault.
            Err(Rejected(_)) => match self
                .apply_once(actor, changes, InsertMode::OneByOne)
                .await?
            {
                Ok(records) => Ok(records),
                Err(Rejected(error)) => Err(from_sqlx(&self.target, "writing records", error)),
            },
        }
    }

    async fn apply_once(
        &self,
        actor: &str,
        changes: &[Change],
        mode: InsertMode,
    ) -> Result<Result<Vec<Record>, Rejected>, StoreError> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let mut chain = PendingChain::resume(&mut tx, &self.target).await?;
        let mut bulk = match mode {
            InsertMode::Bulk => {
                Some(BulkInserts::reserve(&mut tx, self.dialect, changes, &self.target).await?)
            }
            InsertMode::OneByOne => None,
        };
        let mut batch = Batch::default();
        for (index, change) in changes.iter().enumerate() {
            if !matches!(change, Change::Insert { .. })
                && let Some(bulk) = bulk.as_mut()
                && let Err(rejected) = bulk.flush(&mut tx, &self.target).await?
            {
                return Ok(Err(rejected));
            }
            let (action, before, stored) = match change {
                Change::Insert { record, links } => {
                    let mut record = record.clone();
                    link(&mut record, links, index, &batch)?;
                    records::stamp(&mut record, 0, now, now);
                    self.check_relations(&mut tx, &record, &batch).await?;
                    let reserved = bulk.as_mut().and_then(|bulk| bulk.next_id(record.kind()));
                    let id = match reserved {
                        Some(id) => id,
                        None => self.write(&mut tx, index, &record, None).await?,
                    };
                    records::stamp(&mut record, id, now, now);
                    if let (Some(bulk), Some(_)) = (bulk.as_mut(), reserved) {
                        bulk.push(&record);
                    }
                    ("insert", None, record)
                }
                Change::Update { record } => {
                    let before = self
                        .require(&mut tx, &batch, record.kind(), record.id())
                        .await?;
                    let mut record = record.clone();
                    records::stamp(&mut record, before.id(), records::created_at(&before), now);
                    self.check_relations(&mut tx, &record, &batch).await?;
                    self.write(&mut tx, index, &record, Some(before.id()))
                        .await?;
                    ("update", Some(before), record)
                }
                Change::Delete { kind, id } => {
                    let before = self.require(&mut tx, &batch, *kind, *id).await?;
                    self.refuse_if_referenced(&mut tx, &before).await?;
                    sqlx::query(AssertSqlSafe(table(*kind).sql.delete.as_str()))
                        .bind(*id)
                        .execute(&mut *tx)
                        .await
                        .map_err(self.fail("deleting a record"))?;
                    batch.forget(*kind, *id);
                    ("delete", None, before)
                }
            };
            let (before_json, after_json) = match action {
                "delete" => (Some(to_json(&stored)), None),
                _ => (before.as_ref().map(to_json), Some(to_json(&stored))),
            };
            chain.push(AuditEvent {
                at: now,
                actor,
                action,
                entity: stored.kind().as_str(),
                entity_id: Some(stored.id()),
                before: before_json,
                after: after_json,
            });
            if action == "delete" {
                batch.results.push(stored);
            } else {
                batch.record(stored);
            }
        }
        if let Some(bulk) = bulk.as_mut()
            && let Err(rejected) = bulk.flush(&mut tx, &self.target).await?
        {
            return Ok(Err(rejected));
        }
        chain.flush(&mut tx, &self.target).await?;
        tx.commit()
            .await
            .map_err(self.fail("committing the changes"))?;
        Ok(Ok(batch.results))
    }

    /// Inserts (`id = None`, returning the new id) or updates a record, naming duplicates
    /// and dangling references in the terms of the change that caused them.
    async fn write(
        &self,
        conn: &mut AnyConnection,
        index: usize,
        record: &Record,
        id: Option<RecordId>,
    ) -> Result<RecordId, StoreError> {
        let sql = &table(record.kind()).sql;
        let values = column_values(record);
        let result = match id {
            None => bind_values(sqlx::query(AssertSqlSafe(sql.insert.as_str())), values)
                .fetch_one(&mut *conn)
                .await
                .and_then(|row| row.try_get::<i64, _>(0)),
            Some(id) => bind_values(sqlx::query(AssertSqlSafe(sql.update.as_str())), values)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map(|_| id),
        };
        result.map_err(|error| match classify(&error) {
            BackendFault::UniqueViolation => StoreError::Duplicate {
                kind: record.kind(),
                key: record.natural_key().to_owned(),
            },
            BackendFault::ForeignKeyViolation => StoreError::InvalidChange {
                index,
                kind: record.kind(),
                reason: "引用的主体、网站或上级备案不存在 / it refers to a subject, website or \
                         parent filing that does not exist"
                    .to_owned(),
            },
            _ => from_sqlx(&self.target, "writing a record", error),
        })
    }

    async fn fetch(
        &self,
        conn: &mut AnyConnection,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<Option<Record>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(table(kind).sql.select_by_id.as_str()))
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(self.fail("reading a record"))?;
        row.map(|row| decode(kind, &row, &self.target)).transpose()
    }

    /// The record as this transaction sees it: written earlier in the batch, or stored.
    async fn current(
        &self,
        conn: &mut AnyConnection,
        batch: &Batch,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<Option<Record>, StoreError> {
        match batch.get(kind, id) {
            Some(record) => Ok(Some(record.clone())),
            None => self.fetch(conn, kind, id).await,
        }
    }

    async fn require(
        &self,
        conn: &mut AnyConnection,
        batch: &Batch,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<Record, StoreError> {
        self.current(conn, batch, kind, id)
            .await?
            .ok_or(StoreError::NotFound { kind, id })
    }

    /// DESIGN §3.1: a website filing hangs under its subject filing, a PSB filing under
    /// a website — checked against parent and website as this transaction sees them.
    async fn check_relations(
        &self,
        conn: &mut AnyConnection,
        record: &Record,
        batch: &Batch,
    ) -> Result<(), StoreError> {
        let Record::Filing(filing) = record else {
            return Ok(());
        };
        let parent: Option<Filing> = match filing.parent_id {
            Some(id) => match self.current(conn, batch, RecordKind::Filing, id).await? {
                Some(Record::Filing(parent)) => Some(parent),
                _ => None,
            },
            None => None,
        };
        let website: Option<Website> = match filing.website_id {
            Some(id) => match self.current(conn, batch, RecordKind::Website, id).await? {
                Some(Record::Website(website)) => Some(website),
                _ => None,
            },
            None => None,
        };
        check_filing_relations(filing, parent.as_ref(), website.as_ref())?;
        Ok(())
    }

    async fn refuse_if_referenced(
        &self,
        conn: &mut AnyConnection,
        record: &Record,
    ) -> Result<(), StoreError> {
        let kind = record.kind();
        for (referenced, referrer, column) in REFERENCES {
            if referenced != kind {
                continue;
            }
            let sql = format!(
                "SELECT COUNT(*) AS n, MIN(id) AS first FROM {} WHERE {column} = $1",
                table(referrer).name
            );
            let row = sqlx::query(AssertSqlSafe(sql))
                .bind(record.id())
                .fetch_one(&mut *conn)
                .await
                .map_err(self.fail("looking for records that refer to this one"))?;
            let reader = records::RowReader::new(&row, table(referrer).name, &self.target);
            let count = reader.int("n")?;
            if let (true, Some(first)) = (count > 0, reader.opt_int("first")?) {
                return Err(StoreError::StillReferenced {
                    kind,
                    id: record.id(),
                    key: record.natural_key().to_owned(),
                    referenced_by: referrer,
                    count: u64::try_from(count).unwrap_or_default(),
                    first_referrer: first,
                });
            }
        }
        Ok(())
    }

    pub(crate) async fn get(
        &self,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<Option<Record>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        self.fetch(&mut conn, kind, id).await
    }

    pub(crate) async fn find(
        &self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<Record>, StoreError> {
        let Some(sql) = &table(kind).sql.select_by_key else {
            return Ok(None);
        };
        let row = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.fail("looking up a record"))?;
        row.map(|row| decode(kind, &row, &self.target)).transpose()
    }

    pub(crate) async fn audit_entries(
        &self,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit_log::entries(&self.pool, &self.target, query).await
    }

    pub(crate) async fn verify_audit_chain(&self) -> Result<ChainVerdict, StoreError> {
        audit_log::verify(&self.pool, &self.target).await
    }

    /// Appends one entry for something other than an inventory change (an import
    /// summary, a scan, a case step), under the same write lock as `apply`.
    pub(crate) async fn append_audit(
        &self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<AuditEntry, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut chain = PendingChain::resume(&mut tx, &self.target).await?;
        let entry = chain
            .push(AuditEvent {
                at: now_micros(),
                actor,
                action,
                entity,
                entity_id,
                before,
                after,
            })
            .clone();
        chain.flush(&mut tx, &self.target).await?;
        tx.commit()
            .await
            .map_err(self.fail("committing the audit entry"))?;
        Ok(entry)
    }
}

/// Resolves a change's links into the record's foreign-key fields.
fn link(record: &mut Record, links: &Links, index: usize, batch: &Batch) -> Result<(), StoreError> {
    let kind = record.kind();
    let invalid = |reason: String| StoreError::InvalidChange {
        index,
        kind,
        reason,
    };
    let resolve = |reference: Option<RecordRef>,
                   expected: RecordKind|
     -> Result<Option<RecordId>, StoreError> {
        match reference {
            None => Ok(None),
            Some(RecordRef::Stored(id)) => Ok(Some(id)),
            Some(RecordRef::New(earlier)) if earlier >= index => Err(invalid(format!(
                "引用了第 {} 项变更，但它不在本项之前 / it links to change #{}, which does not \
                 come before it",
                earlier + 1,
                earlier + 1
            ))),
            Some(RecordRef::New(earlier)) => match batch.results.get(earlier) {
                Some(target) if target.kind() == expected => Ok(Some(target.id())),
                Some(target) => Err(invalid(format!(
                    "第 {} 项变更是{}，不是{} / change #{} is a {}, not a {}",
                    earlier + 1,
                    target.kind().label_zh(),
                    expected.label_zh(),
                    earlier + 1,
                    target.kind().as_str(),
                    expected.as_str()
                ))),
                None => Err(invalid(format!("change #{} does not exist", earlier + 1))),
            },
        }
    };
    let subject = resolve(links.subject, RecordKind::Subject)?;
    let website = resolve(links.website, RecordKind::Website)?;
    let parent = resolve(links.parent, RecordKind::Filing)?;
    let unsupported = |name: &str| {
        invalid(format!(
            "{}没有“{name}”关联 / a {} has no {name} link",
            kind.label_zh(),
            kind.as_str()
        ))
    };
    let (takes_subject, takes_website, takes_parent) = match record {
        Record::Subject(_) | Record::AccessProvider(_) => (false, false, false),
        Record::Website(_) => (true, false, false),
        Record::Domain(_) => (false, true, false),
        Record::Person(_) => (true, true, false),
        Record::Filing(_) => (true, true, true),
    };
    for (given, takes, name) in [
        (subject.is_some(), takes_subject, "subject"),
        (website.is_some(), takes_website, "website"),
        (parent.is_some(), takes_parent, "parent"),
    ] {
        if given && !takes {
            return Err(unsupported(name));
        }
    }
    match record {
        Record::Website(r) => r.subject_id = subject.unwrap_or(r.subject_id),
        Record::Domain(r) => r.website_id = website.or(r.website_id),
        Record::Person(r) => {
            r.subject_id = subject.unwrap_or(r.subject_id);
            r.website_id = website.or(r.website_id);
        }
        Record::Filing(r) => {
            r.subject_id = subject.unwrap_or(r.subject_id);
            r.website_id = website.or(r.website_id);
            r.parent_id = parent.or(r.parent_id);
        }
        Record::Subject(_) | Record::AccessProvider(_) => {}
    }
    Ok(())
}

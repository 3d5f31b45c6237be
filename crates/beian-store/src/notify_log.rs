//! The notification log: what each channel was last told about each finding (the
//! notifier's dedupe key), so one problem sends one message across restarts and processes.
//!
//! The store keeps the mark as opaque text (the notifier's JSON): the store does not
//! depend on the notifier, and a new mark field needs no migration. The marks of a batch
//! and the `notify.send` audit entries of its deliveries are written in one transaction,
//! so the log never claims a delivery the audit log does not show.

use beian_core::finding::Finding;
use beian_core::model::RecordId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::{Engine, now_micros, to_micros};
use crate::error::{Entity, StoreError};
use crate::findings::{FINDING_COLUMNS, decode_finding};
use crate::records::{RowReader, format_instant};
use crate::write::AuditedWrite;

/// What `channel` was last told about `finding_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyMark {
    pub channel: String,
    pub finding_id: RecordId,
    /// The notifier's JSON; stored and returned as is.
    pub mark: String,
    pub sent_at: DateTime<Utc>,
}

/// One delivery for the audit log (`notify.send`): what was sent where and how it ended.
/// `detail` is JSON the caller built without secrets (channel names, statuses, the
/// notifier's scrubbed failure texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyAudit {
    /// The finding the message is about (the audit entry's entity).
    pub finding_id: RecordId,
    pub detail: String,
}

/// Rows read per statement: well under every backend's bind-parameter limit.
const CHUNK: usize = 500;

impl Engine {
    pub(crate) async fn notify_marks(
        &self,
        finding_ids: &[RecordId],
    ) -> Result<Vec<NotifyMark>, StoreError> {
        let mut marks = Vec::new();
        for chunk in finding_ids.chunks(CHUNK) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT channel, finding_id, mark, sent_at FROM notification_log \
                 WHERE finding_id IN ({}) ORDER BY finding_id, channel",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            let rows = query
                .fetch_all(&self.pool)
                .await
                .map_err(self.fail("reading the notification log"))?;
            for row in &rows {
                let r = RowReader::new(row, "notification_log", &self.target);
                marks.push(NotifyMark {
                    channel: r.text("channel")?,
                    finding_id: r.int("finding_id")?,
                    mark: r.text("mark")?,
                    sent_at: r.instant("sent_at")?,
                });
            }
        }
        Ok(marks)
    }

    pub(crate) async fn record_notifications(
        &self,
        actor: &str,
        marks: &[NotifyMark],
        audits: &[NotifyAudit],
    ) -> Result<(), StoreError> {
        if marks.is_empty() && audits.is_empty() {
            return Ok(());
        }
        let mut write = AuditedWrite::begin(self).await?;
        for mark in marks {
            sqlx::query(
                "INSERT INTO notification_log (channel, finding_id, mark, sent_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (finding_id, channel) \
                 DO UPDATE SET mark = excluded.mark, sent_at = excluded.sent_at",
            )
            .bind(mark.channel.as_str())
            .bind(mark.finding_id)
            .bind(mark.mark.as_str())
            .bind(format_instant(to_micros(mark.sent_at)))
            .execute(write.conn())
            .await
            .map_err(write.fail("writing the notification log"))?;
        }
        for audit in audits {
            write.audit(
                actor,
                "notify.send",
                Entity::Finding,
                audit.finding_id,
                None,
                Some(audit.detail.clone()),
            );
        }
        write.commit().await
    }

    /// The daily digest's findings: opened or resolved at or after `since`, oldest first.
    pub(crate) async fn findings_changed_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<Finding>, StoreError> {
        let since = format_instant(to_micros(since));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FINDING_COLUMNS} FROM findings \
             WHERE first_seen >= $1 OR resolved_at >= $1 ORDER BY id"
        )))
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("reading the findings changed since the last digest"))?;
        let now = now_micros();
        rows.iter()
            .map(|row| decode_finding(row, &self.target, now))
            .collect()
    }
}

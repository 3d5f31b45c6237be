//! The scheduler's state: when each active website is next due for a scan, and a lease
//! while a worker scans it, so two workers (threads, processes, machines on one
//! PostgreSQL) never scan the same site at once and a restart resumes where it stopped.
//!
//! Claiming is one conditional `UPDATE`: on SQLite writers are serialised by the file
//! lock; on PostgreSQL the second of two concurrent updaters waits for the first's row
//! lock and then re-checks the condition against the row the first wrote, so exactly one
//! sees its update applied. The schedule is bookkeeping, not a change to the inventory:
//! it is not written to the audit log (the scans it starts are).

use beian_core::model::{RecordId, RecordKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::{Engine, to_micros};
use crate::error::{BackendFault, StoreError, classify};
use crate::records::{RowReader, format_instant, limit_or_all};

/// A website the scheduler should look at now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueSite {
    pub site_id: RecordId,
    /// When it was due; `None` if it has never been scheduled (the caller picks its
    /// first run with [`crate::Store::schedule_new_site`]).
    pub next_run_at: Option<DateTime<Utc>>,
}

impl Engine {
    pub(crate) async fn due_sites(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueSite>, StoreError> {
        let rows = sqlx::query(
            "SELECT w.id AS site_id, s.next_run_at AS next_run_at \
             FROM websites w LEFT JOIN site_schedule s ON s.site_id = w.id \
             WHERE w.status = 'active' AND (s.site_id IS NULL OR (s.next_run_at <= $1 \
                   AND (s.lease_until IS NULL OR s.lease_until <= $1))) \
             ORDER BY CASE WHEN s.next_run_at IS NULL THEN 0 ELSE 1 END, s.next_run_at, w.id \
             LIMIT $2",
        )
        .bind(format_instant(now))
        .bind(limit_or_all(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("listing the sites due for a scan"))?;
        rows.iter()
            .map(|row| {
                let r = RowReader::new(row, "site_schedule", &self.target);
                Ok(DueSite {
                    site_id: r.int("site_id")?,
                    next_run_at: r.opt_instant("next_run_at")?,
                })
            })
            .collect()
    }

    pub(crate) async fn claim_site(
        &self,
        site_id: RecordId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if lease_until <= now {
            return Err(invalid_lease());
        }
        let done = sqlx::query(
            "UPDATE site_schedule SET lease_until = $3 \
             WHERE site_id = $1 AND next_run_at <= $2 \
               AND (lease_until IS NULL OR lease_until <= $2)",
        )
        .bind(site_id)
        .bind(format_instant(now))
        .bind(format_instant(to_micros(lease_until)))
        .execute(&self.pool)
        .await
        .map_err(self.fail("claiming a site for a scan"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn set_next_run(
        &self,
        site_id: RecordId,
        next_run_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO site_schedule (site_id, next_run_at, lease_until) VALUES ($1, $2, NULL) \
             ON CONFLICT (site_id) \
             DO UPDATE SET next_run_at = excluded.next_run_at, lease_until = NULL",
        )
        .bind(site_id)
        .bind(format_instant(to_micros(next_run_at)))
        .execute(&self.pool)
        .await;
        self.schedule_written(site_id, result, "scheduling a site's next scan")
            .map(|_| ())
    }

    pub(crate) async fn schedule_new_site(
        &self,
        site_id: RecordId,
        first_run_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO site_schedule (site_id, next_run_at, lease_until) VALUES ($1, $2, NULL) \
             ON CONFLICT (site_id) DO NOTHING",
        )
        .bind(site_id)
        .bind(format_instant(to_micros(first_run_at)))
        .execute(&self.pool)
        .await;
        self.schedule_written(site_id, result, "scheduling a site's first scan")
    }

    /// Whether a row was written; an unknown site is [`StoreError::NotFound`].
    fn schedule_written(
        &self,
        site_id: RecordId,
        result: Result<sqlx::any::AnyQueryResult, sqlx::Error>,
        context: &'static str,
    ) -> Result<bool, StoreError> {
        match result {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(error) if matches!(classify(&error), BackendFault::ForeignKeyViolation) => {
                Err(StoreError::NotFound {
                    kind: RecordKind::Website,
                    id: site_id,
                })
            }
            Err(error) => Err(self.fail(context)(error)),
        }
    }
}

fn invalid_lease() -> StoreError {
    StoreError::Invalid {
        field: "lease_until",
        zh: "租约结束时间必须晚于现在".to_owned(),
        en: "the lease must end after now; pass now plus the longest a scan may take".to_owned(),
    }
}

//! Scan runs and what each one observed per site. A scan that is interrupted stays
//! unfinished; [`crate::Store::scan_sites_done`] tells a rerun which sites it already holds.

use beian_core::model::RecordId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::engine::{Engine, now_micros};
use crate::error::{Entity, StoreError, from_sqlx};
use crate::records::{RowReader, SqlValue, bind_values, format_instant, limit_or_all};
use crate::write::{AuditedWrite, audit_json};

/// One run of the pipeline over part of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRun {
    pub id: RecordId,
    /// What was scanned, as the caller describes it (`all`, `site:12`, …).
    pub scope: String,
    pub started_at: DateTime<Utc>,
    /// `None` while running, or when the run was interrupted.
    pub finished_at: Option<DateTime<Utc>>,
    pub actor: String,
    /// The caller's summary (JSON text), set when the scan finishes.
    pub summary_json: Option<String>,
}

/// What one scan saw of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredObservation {
    pub scan_id: RecordId,
    pub site_id: RecordId,
    /// When the judgement that stored it was made.
    pub observed_at: DateTime<Utc>,
    /// JSON of a `beian_core::facts::SiteObservation`.
    pub body: String,
}

const SCAN_COLUMNS: &str = "id, scope, actor, started_at, finished_at, summary";

fn decode_scan(row: &AnyRow, target: &str) -> Result<ScanRun, StoreError> {
    let r = RowReader::new(row, "scans", target);
    Ok(ScanRun {
        id: r.int("id")?,
        scope: r.text("scope")?,
        started_at: r.instant("started_at")?,
        finished_at: r.opt_instant("finished_at")?,
        actor: r.text("actor")?,
        summary_json: r.opt_text("summary")?,
    })
}

/// Refuses text that is not JSON, naming the field.
pub(crate) fn require_json(field: &'static str, text: &str) -> Result<(), StoreError> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|error| StoreError::Invalid {
            field,
            zh: format!("不是有效的 JSON（{error}）"),
            en: format!("not valid JSON ({error}); pass the serialised value"),
        })
}

/// The scan with this id, or [`StoreError::Missing`].
pub(crate) async fn load_scan(
    conn: &mut AnyConnection,
    target: &str,
    id: RecordId,
) -> Result<ScanRun, StoreError> {
    let sql = format!("SELECT {SCAN_COLUMNS} FROM scans WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| from_sqlx(target, "reading a scan", e))?;
    match row {
        Some(row) => decode_scan(&row, target),
        None => Err(StoreError::Missing {
            entity: Entity::Scan,
            id,
        }),
    }
}

/// A finished scan takes no more judgements and cannot finish twice.
pub(crate) fn require_running(scan: &ScanRun) -> Result<(), StoreError> {
    match scan.finished_at {
        None => Ok(()),
        Some(_) => Err(StoreError::StateConflict {
            entity: Entity::Scan,
            id: scan.id,
            expected: "running".to_owned(),
            actual: "finished".to_owned(),
            hint: "该扫描已结束，请开始新的扫描 / that scan has finished; start a new scan",
        }),
    }
}

/// Stores what a scan saw of a site; a rerun of the same scan replaces it.
pub(crate) async fn upsert_observation(
    write: &mut AuditedWrite<'_>,
    scan_id: RecordId,
    site_id: RecordId,
    at: DateTime<Utc>,
    body: Option<&str>,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "INSERT INTO observations (scan_id, site_id, observed_at, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (scan_id, site_id) \
         DO UPDATE SET observed_at = excluded.observed_at, body = excluded.body",
    );
    let values = [
        SqlValue::Int(Some(scan_id)),
        SqlValue::Int(Some(site_id)),
        SqlValue::instant(at),
        SqlValue::Text(body.map(str::to_owned)),
    ];
    bind_values(query, values)
        .execute(&mut *write.conn())
        .await
        .map_err(write.fail("storing an observation"))?;
    Ok(())
}

impl Engine {
    pub(crate) async fn begin_scan(&self, actor: &str, scope: &str) -> Result<ScanRun, StoreError> {
        let mut write = AuditedWrite::begin(self).await?;
        let started_at = now_micros();
        let row = sqlx::query(
            "INSERT INTO scans (scope, actor, started_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(scope)
        .bind(actor)
        .bind(format_instant(started_at))
        .fetch_one(&mut *write.conn())
        .await
        .map_err(write.fail("starting a scan"))?;
        let scan = ScanRun {
            id: RowReader::new(&row, "scans", write.target()).int("id")?,
            scope: scope.to_owned(),
            started_at,
            finished_at: None,
            actor: actor.to_owned(),
            summary_json: None,
        };
        write.audit(
            actor,
            "scan.start",
            Entity::Scan,
            scan.id,
            None,
            Some(audit_json(&scan)),
        );
        write.commit().await?;
        Ok(scan)
    }

    pub(crate) async fn finish_scan(
        &self,
        actor: &str,
        scan_id: RecordId,
        summary_json: &str,
    ) -> Result<ScanRun, StoreError> {
        require_json("summary_json", summary_json)?;
        let mut write = AuditedWrite::begin(self).await?;
        let target = write.target().to_owned();
        let before = load_scan(write.conn(), &target, scan_id).await?;
        require_running(&before)?;
        let scan = ScanRun {
            finished_at: Some(now_micros()),
            summary_json: Some(summary_json.to_owned()),
            ..before.clone()
        };
        sqlx::query("UPDATE scans SET finished_at = $1, summary = $2 WHERE id = $3")
            .bind(scan.finished_at.map(format_instant))
            .bind(summary_json)
            .bind(scan_id)
            .execute(&mut *write.conn())
            .await
            .map_err(write.fail("finishing a scan"))?;
        write.audit(
            actor,
            "scan.finish",
            Entity::Scan,
            scan_id,
            Some(audit_json(&before)),
            Some(audit_json(&scan)),
        );
        write.commit().await?;
        Ok(scan)
    }

    pub(crate) async fn scan_sites_done(
        &self,
        scan_id: RecordId,
    ) -> Result<Vec<RecordId>, StoreError> {
        let rows =
            sqlx::query("SELECT site_id FROM observations WHERE scan_id = $1 ORDER BY site_id")
                .bind(scan_id)
                .fetch_all(&self.pool)
                .await
                .map_err(self.fail("reading the sites a scan has done"))?;
        if rows.is_empty() {
            // Tell "nothing done yet" from "no such scan".
            let mut conn = self
                .pool
                .acquire()
                .await
                .map_err(self.fail("reading a scan"))?;
            load_scan(&mut conn, &self.target, scan_id).await?;
        }
        rows.iter()
            .map(|row| RowReader::new(row, "observations", &self.target).int("site_id"))
            .collect()
    }

    pub(crate) async fn latest_observations(
        &self,
        site_id: RecordId,
        limit: u32,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        let rows = sqlx::query(
            "SELECT scan_id, site_id, observed_at, body FROM observations \
             WHERE site_id = $1 AND body IS NOT NULL \
             ORDER BY observed_at DESC, id DESC LIMIT $2",
        )
        .bind(site_id)
        .bind(limit_or_all(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("reading observations"))?;
        rows.iter()
            .map(|row| {
                let r = RowReader::new(row, "observations", &self.target);
                Ok(StoredObservation {
                    scan_id: r.int("scan_id")?,
                    site_id: r.int("site_id")?,
                    observed_at: r.instant("observed_at")?,
                    body: r.text("body")?,
                })
            })
            .collect()
    }
}

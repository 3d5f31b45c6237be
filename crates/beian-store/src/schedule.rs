//! The scheduler's state: when each check of each active website is next due, and leases
//! while a worker runs them, so two workers (threads, processes, machines on one
//! PostgreSQL) never run the same check of a site at once and a restart resumes where it
//! stopped.
//!
//! Two tables. `check_schedule` has a row per (site, check) with its own `next_run_at`
//! and lease. `site_schedule` has a row per site whose `next_run_at` is the earliest of
//! its checks' and whose lease is the site-wide one: a worker first takes the site (one
//! conditional `UPDATE`), then leases the site's due checks. Holding the site while its
//! checks run means two partial scans of one site never interleave (each carries the
//! other checks' facts over from the latest observation, so they must not race), and
//! "what is due" stays one range of one index however many checks there are.
//!
//! Claiming is one conditional `UPDATE`: on SQLite writers are serialised by the file
//! lock; on PostgreSQL the second of two concurrent updaters waits for the first's row
//! lock and then re-checks the condition against the row the first wrote, so exactly one
//! sees its update applied. The schedule is bookkeeping, not a change to the inventory:
//! it is not written to the audit log (the scans it starts are) — except a person's "check
//! now" ([`Engine::check_sites_now`]), which is their decision and is audited per site.

use std::collections::BTreeMap;

use beian_core::model::{
    AccessProvider, Domain, Filing, Record, RecordId, RecordKind, Subject, Website,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::audit_log::{AuditEvent, PendingChain};
use crate::engine::{Dialect, Engine, now_micros, to_micros};
use crate::error::{BackendFault, StoreError, classify};
use crate::records::{RowReader, decode, format_date, format_instant, limit_or_all, table};

/// One kind of check the scheduler runs on its own interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduledCheck {
    /// RDAP / WHOIS of the site's registrable domains.
    Registration,
    /// DNS of the host and the site's zones.
    Dns,
    /// The home page as every persona, the content detectors and the random paths.
    Http,
    /// The certificate.
    Tls,
}

impl ScheduledCheck {
    /// Every check, in the order reports list them.
    pub const ALL: [ScheduledCheck; 4] = [
        ScheduledCheck::Registration,
        ScheduledCheck::Dns,
        ScheduledCheck::Http,
        ScheduledCheck::Tls,
    ];

    /// The name kept in the database and shown in metrics and config keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduledCheck::Registration => "registration",
            ScheduledCheck::Dns => "dns",
            ScheduledCheck::Http => "http",
            ScheduledCheck::Tls => "tls",
        }
    }

    pub fn parse(name: &str) -> Option<ScheduledCheck> {
        ScheduledCheck::ALL
            .into_iter()
            .find(|check| check.as_str() == name)
    }
}

impl std::fmt::Display for ScheduledCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A website the scheduler should look at now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueSite {
    pub site_id: RecordId,
    /// When its earliest check was due; `None` if it has never been scheduled (the caller
    /// picks its checks' first runs with [`crate::Store::schedule_site_checks`]).
    pub next_run_at: Option<DateTime<Utc>>,
}

/// The inventory records a batch of websites needs to be judged: the sites, their
/// subjects, domains and filings (with the subject filings they hang under), and the
/// access providers (cases name their consoles).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteRecords {
    pub subjects: Vec<Subject>,
    pub websites: Vec<Website>,
    pub domains: Vec<Domain>,
    pub filings: Vec<Filing>,
    pub access_providers: Vec<AccessProvider>,
}

/// Ids bound per statement: well under every backend's bind-parameter limit.
const CHUNK: usize = 500;

impl Engine {
    /// Two reads rather than one outer join sorted over the whole inventory: the
    /// never-scheduled active sites (`NOT IN` the schedule's key list, ~12 ms at 100,000
    /// sites on SQLite), then the scheduled ones from the range of `site_schedule_due` up
    /// to `now` (under 1 ms: it reads about the batch).
    pub(crate) async fn due_sites(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueSite>, StoreError> {
        let fresh = sqlx::query(
            "SELECT w.id AS site_id FROM websites w \
             WHERE w.id NOT IN (SELECT site_id FROM site_schedule) AND w.status = 'active' \
             ORDER BY w.id LIMIT $1",
        )
        .bind(limit_or_all(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("listing the sites never scheduled"))?;
        let mut out = Vec::with_capacity(fresh.len());
        for row in &fresh {
            out.push(DueSite {
                site_id: RowReader::new(row, "websites", &self.target).int("site_id")?,
                next_run_at: None,
            });
        }
        let room = if limit == 0 {
            0
        } else {
            match limit.saturating_sub(u32::try_from(out.len()).unwrap_or(u32::MAX)) {
                0 => return Ok(out),
                room => room,
            }
        };
        let rows = sqlx::query(
            "SELECT s.site_id AS site_id, s.next_run_at AS next_run_at \
             FROM site_schedule s JOIN websites w ON w.id = s.site_id \
             WHERE s.next_run_at <= $1 AND (s.lease_until IS NULL OR s.lease_until <= $1) \
               AND w.status = 'active' \
             ORDER BY s.next_run_at, s.site_id LIMIT $2",
        )
        .bind(format_instant(now))
        .bind(limit_or_all(room))
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("listing the sites due for a scan"))?;
        for row in &rows {
            let r = RowReader::new(row, "site_schedule", &self.target);
            out.push(DueSite {
                site_id: r.int("site_id")?,
                next_run_at: Some(r.instant("next_run_at")?),
            });
        }
        Ok(out)
    }

    /// A transaction for schedule rows only: SQLite takes its write lock up front (no
    /// lock upgrade to deadlock on); PostgreSQL needs no table lock (row locks suffice).
    async fn schedule_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
        .map_err(self.fail("starting a schedule update"))
    }

    pub(crate) async fn schedule_site_checks(
        &self,
        site_id: RecordId,
        first_runs: &[(ScheduledCheck, DateTime<Utc>)],
    ) -> Result<bool, StoreError> {
        let Some(earliest) = first_runs.iter().map(|(_, at)| *at).min() else {
            return Err(no_checks());
        };
        let mut tx = self.schedule_tx().await?;
        let result = sqlx::query(
            "INSERT INTO site_schedule (site_id, next_run_at, lease_until) VALUES ($1, $2, NULL) \
             ON CONFLICT (site_id) DO NOTHING",
        )
        .bind(site_id)
        .bind(format_instant(to_micros(earliest)))
        .execute(&mut *tx)
        .await;
        if !self.schedule_written(site_id, result, "scheduling a site's first checks")? {
            // Scheduled already (by another worker): its leases are not touched.
            return Ok(false);
        }
        for (check, at) in first_runs {
            sqlx::query(
                "INSERT INTO check_schedule (site_id, check_kind, next_run_at, lease_until) \
                 VALUES ($1, $2, $3, NULL) ON CONFLICT (site_id, check_kind) DO NOTHING",
            )
            .bind(site_id)
            .bind(check.as_str())
            .bind(format_instant(to_micros(*at)))
            .execute(&mut *tx)
            .await
            .map_err(self.fail("scheduling a site's first checks"))?;
        }
        tx.commit()
            .await
            .map_err(self.fail("scheduling a site's first checks"))?;
        Ok(true)
    }

    pub(crate) async fn claim_site_checks(
        &self,
        site_id: RecordId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Vec<ScheduledCheck>>, StoreError> {
        if lease_until <= now {
            return Err(invalid_lease());
        }
        let now_text = format_instant(now);
        let lease_text = format_instant(to_micros(lease_until));
        let site = sqlx::query(
            "UPDATE site_schedule SET lease_until = $3 \
             WHERE site_id = $1 AND next_run_at <= $2 \
               AND (lease_until IS NULL OR lease_until <= $2)",
        )
        .bind(site_id)
        .bind(now_text.as_str())
        .bind(lease_text.as_str())
        .execute(&self.pool)
        .await
        .map_err(self.fail("claiming a site for its due checks"))?;
        if site.rows_affected() != 1 {
            return Ok(None);
        }
        // Only the holder of the site's lease gets here, so these rows are ours to lease.
        let rows = sqlx::query(
            "UPDATE check_schedule SET lease_until = $3 \
             WHERE site_id = $1 AND next_run_at <= $2 \
               AND (lease_until IS NULL OR lease_until <= $2) \
             RETURNING check_kind",
        )
        .bind(site_id)
        .bind(now_text.as_str())
        .bind(lease_text.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("claiming a site's due checks"))?;
        let mut checks = Vec::with_capacity(rows.len());
        for row in &rows {
            let name = RowReader::new(row, "check_schedule", &self.target).text("check_kind")?;
            // A check this version does not know (written by a newer one) is left alone.
            if let Some(check) = ScheduledCheck::parse(&name) {
                checks.push(check);
            }
        }
        checks.sort_unstable();
        Ok(Some(checks))
    }

    pub(crate) async fn finish_site_checks(
        &self,
        site_id: RecordId,
        next_runs: &[(ScheduledCheck, DateTime<Utc>)],
    ) -> Result<(), StoreError> {
        let mut tx = self.schedule_tx().await?;
        for (check, at) in next_runs {
            let result = sqlx::query(
                "INSERT INTO check_schedule (site_id, check_kind, next_run_at, lease_until) \
                 VALUES ($1, $2, $3, NULL) ON CONFLICT (site_id, check_kind) \
                 DO UPDATE SET next_run_at = excluded.next_run_at, lease_until = NULL",
            )
            .bind(site_id)
            .bind(check.as_str())
            .bind(format_instant(to_micros(*at)))
            .execute(&mut *tx)
            .await;
            self.schedule_written(site_id, result, "scheduling a site's next checks")?;
        }
        // The site is due when its earliest check is; its lease ends with this write.
        let fallback = next_runs
            .iter()
            .map(|(_, at)| *at)
            .min()
            .unwrap_or_else(Utc::now);
        let result = sqlx::query(
            "INSERT INTO site_schedule (site_id, next_run_at, lease_until) \
             VALUES ($1, COALESCE((SELECT MIN(next_run_at) FROM check_schedule WHERE site_id = $1), $2), NULL) \
             ON CONFLICT (site_id) DO UPDATE SET next_run_at = excluded.next_run_at, lease_until = NULL",
        )
        .bind(site_id)
        .bind(format_instant(to_micros(fallback)))
        .execute(&mut *tx)
        .await;
        self.schedule_written(site_id, result, "scheduling a site's next checks")?;
        tx.commit()
            .await
            .map_err(self.fail("scheduling a site's next checks"))
    }

    /// Makes every check of these sites due at `now` (a person's "check now"), audited
    /// as `site.check_now` per site, in one transaction; returns how many sites were
    /// scheduled already and moved (a never-scheduled site is due first anyway). A lease
    /// a worker holds is kept: the checks run again once that worker finishes.
    pub(crate) async fn check_sites_now(
        &self,
        actor: &str,
        site_ids: &[RecordId],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let at = format_instant(to_micros(now));
        let mut tx = self.begin_write().await?;
        let mut chain = PendingChain::resume(&mut tx, &self.target).await?;
        let mut moved = 0;
        for site_id in site_ids {
            sqlx::query("UPDATE check_schedule SET next_run_at = $1 WHERE site_id = $2")
                .bind(&at)
                .bind(site_id)
                .execute(&mut *tx)
                .await
                .map_err(self.fail("making a site's checks due now"))?;
            moved += sqlx::query("UPDATE site_schedule SET next_run_at = $1 WHERE site_id = $2")
                .bind(&at)
                .bind(site_id)
                .execute(&mut *tx)
                .await
                .map_err(self.fail("making a site's checks due now"))?
                .rows_affected();
            chain.push(AuditEvent {
                at: now_micros(),
                actor,
                action: "site.check_now",
                entity: "website",
                entity_id: Some(*site_id),
                before: None,
                after: Some(format!("{{\"due_at\":\"{at}\"}}")),
            });
        }
        chain.flush(&mut tx, &self.target).await?;
        tx.commit()
            .await
            .map_err(self.fail("making sites' checks due now"))?;
        Ok(moved)
    }

    pub(crate) async fn site_check_schedule(
        &self,
        site_id: RecordId,
    ) -> Result<BTreeMap<ScheduledCheck, DateTime<Utc>>, StoreError> {
        let rows =
            sqlx::query("SELECT check_kind, next_run_at FROM check_schedule WHERE site_id = $1")
                .bind(site_id)
                .fetch_all(&self.pool)
                .await
                .map_err(self.fail("reading a site's check schedule"))?;
        let mut out = BTreeMap::new();
        for row in &rows {
            let r = RowReader::new(row, "check_schedule", &self.target);
            if let Some(check) = ScheduledCheck::parse(&r.text("check_kind")?) {
                out.insert(check, r.instant("next_run_at")?);
            }
        }
        Ok(out)
    }

    pub(crate) async fn due_check_counts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<ScheduledCheck, u64>, StoreError> {
        let rows = sqlx::query(
            // Driven by the `check_schedule_due` range, each row's site looked up by key
            // (a join let SQLite scan every website: 200 ms rather than 10 at 100,000).
            "SELECT c.check_kind AS check_kind, COUNT(*) AS due FROM check_schedule c \
             WHERE c.next_run_at <= $1 \
               AND EXISTS (SELECT 1 FROM websites w WHERE w.id = c.site_id AND w.status = 'active') \
             GROUP BY c.check_kind",
        )
        .bind(format_instant(now))
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("counting the checks due"))?;
        let mut out: BTreeMap<ScheduledCheck, u64> =
            ScheduledCheck::ALL.into_iter().map(|c| (c, 0)).collect();
        for row in &rows {
            let r = RowReader::new(row, "check_schedule", &self.target);
            if let Some(check) = ScheduledCheck::parse(&r.text("check_kind")?) {
                out.insert(check, u64::try_from(r.int("due")?).unwrap_or(0));
            }
        }
        Ok(out)
    }

    pub(crate) async fn claim_daily_job(
        &self,
        job: &str,
        day: NaiveDate,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if lease_until <= now {
            return Err(invalid_lease());
        }
        let day = format_date(day);
        let lease = format_instant(to_micros(lease_until));
        let inserted = sqlx::query(
            "INSERT INTO scheduler_jobs (job, day, lease_until, done_at) VALUES ($1, $2, $3, NULL) \
             ON CONFLICT (job, day) DO NOTHING",
        )
        .bind(job)
        .bind(day.as_str())
        .bind(lease.as_str())
        .execute(&self.pool)
        .await
        .map_err(self.fail("claiming a daily job"))?;
        if inserted.rows_affected() == 1 {
            return Ok(true);
        }
        // Taken before: free again only if its holder died (lease lapsed, never done).
        let retaken = sqlx::query(
            "UPDATE scheduler_jobs SET lease_until = $3 \
             WHERE job = $1 AND day = $2 AND done_at IS NULL AND lease_until <= $4",
        )
        .bind(job)
        .bind(day.as_str())
        .bind(lease.as_str())
        .bind(format_instant(now))
        .execute(&self.pool)
        .await
        .map_err(self.fail("claiming a daily job"))?;
        Ok(retaken.rows_affected() == 1)
    }

    pub(crate) async fn finish_daily_job(
        &self,
        job: &str,
        day: NaiveDate,
        done_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE scheduler_jobs SET done_at = $3 WHERE job = $1 AND day = $2")
            .bind(job)
            .bind(format_date(day))
            .bind(format_instant(to_micros(done_at)))
            .execute(&self.pool)
            .await
            .map_err(self.fail("finishing a daily job"))?;
        Ok(())
    }

    pub(crate) async fn site_records(
        &self,
        site_ids: &[RecordId],
    ) -> Result<SiteRecords, StoreError> {
        let mut out = SiteRecords::default();
        for record in self
            .records_where(RecordKind::Website, "id", site_ids)
            .await?
        {
            if let Record::Website(site) = record {
                out.websites.push(site);
            }
        }
        let mut subject_ids: Vec<RecordId> = out.websites.iter().map(|w| w.subject_id).collect();
        subject_ids.sort_unstable();
        subject_ids.dedup();
        for record in self
            .records_where(RecordKind::Subject, "id", &subject_ids)
            .await?
        {
            if let Record::Subject(subject) = record {
                out.subjects.push(subject);
            }
        }
        let found: Vec<RecordId> = out.websites.iter().map(|w| w.id).collect();
        for record in self
            .records_where(RecordKind::Domain, "website_id", &found)
            .await?
        {
            if let Record::Domain(domain) = record {
                out.domains.push(domain);
            }
        }
        for record in self
            .records_where(RecordKind::Filing, "website_id", &found)
            .await?
        {
            if let Record::Filing(filing) = record {
                out.filings.push(filing);
            }
        }
        let mut parents: Vec<RecordId> = out
            .filings
            .iter()
            .filter_map(|filing| filing.parent_id)
            .filter(|id| !out.filings.iter().any(|filing| filing.id == *id))
            .collect();
        parents.sort_unstable();
        parents.dedup();
        for record in self
            .records_where(RecordKind::Filing, "id", &parents)
            .await?
        {
            if let Record::Filing(filing) = record {
                out.filings.push(filing);
            }
        }
        let providers = table(RecordKind::AccessProvider);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {}",
            providers.sql.select_columns, providers.name
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("reading the access providers"))?;
        for row in &rows {
            if let Record::AccessProvider(provider) =
                decode(RecordKind::AccessProvider, row, &self.target)?
            {
                out.access_providers.push(provider);
            }
        }
        Ok(out)
    }

    /// Records of `kind` whose `column` (a fixed column name, never input) is one of `ids`.
    async fn records_where(
        &self,
        kind: RecordKind,
        column: &'static str,
        ids: &[RecordId],
    ) -> Result<Vec<Record>, StoreError> {
        let table = table(kind);
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {} FROM {} WHERE {column} IN ({}) ORDER BY id",
                table.sql.select_columns,
                table.name,
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            let rows = query
                .fetch_all(&self.pool)
                .await
                .map_err(self.fail("reading the records of a batch of sites"))?;
            for row in &rows {
                out.push(decode(kind, row, &self.target)?);
            }
        }
        Ok(out)
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

fn no_checks() -> StoreError {
    StoreError::Invalid {
        field: "first_runs",
        zh: "至少要安排一项检查".to_owned(),
        en: "schedule at least one check; pass every ScheduledCheck with its first run".to_owned(),
    }
}

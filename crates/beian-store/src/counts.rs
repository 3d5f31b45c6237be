//! How many unresolved findings there are, by severity: per organisation and per site,
//! read from the count tables that triggers keep exact (migration 0007), so a dashboard
//! view costs a handful of rows at any number of findings; sites by status; and the
//! daily trend of the organisation counts.

use std::collections::{BTreeMap, HashMap};

use beian_core::finding::Severity;
use beian_core::model::RecordId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::engine::Engine;
use crate::error::StoreError;
use crate::organisations::{OrganisationId, in_list};
use crate::records::{Params, RowReader, SqlValue, bind_values, format_instant};

/// Unresolved findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    /// Indexed by severity rank: info 0 … critical 4.
    by_rank: [u64; 5],
}

impl SeverityCounts {
    pub fn of(&self, severity: Severity) -> u64 {
        self.by_rank[rank(severity)]
    }

    /// Findings at least as severe as `severity`.
    pub fn at_least(&self, severity: Severity) -> u64 {
        self.by_rank[rank(severity)..].iter().sum()
    }

    pub fn total(&self) -> u64 {
        self.by_rank.iter().sum()
    }

    /// The most severe level with a finding.
    pub fn worst(&self) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .rev()
            .find(|&severity| self.of(severity) > 0)
    }

    /// Adds `n` findings of the severity stored as `rank`; ranks outside 0–4 (a row the
    /// schema's CHECK would refuse) are ignored rather than trusted as an index.
    fn add(&mut self, stored_rank: i64, n: i64) {
        if let (Ok(index), Ok(n)) = (usize::try_from(stored_rank), u64::try_from(n))
            && let Some(slot) = self.by_rank.get_mut(index)
        {
            *slot += n;
        }
    }
}

fn rank(severity: Severity) -> usize {
    // `Severity::ALL` is in rank order, info first, like `severity_rank` in the tables.
    Severity::ALL
        .iter()
        .position(|&s| s == severity)
        .unwrap_or_default()
}

/// Which sites a count covers: every site, or the sites of some organisations.
#[derive(Debug, Clone, Copy)]
pub enum CountScope<'a> {
    All,
    Organisations(&'a [OrganisationId]),
}

impl CountScope<'_> {
    /// ` AND <column> IN (…)` for an organisation scope, nothing for all.
    fn condition(&self, column: &str, params: &mut Params) -> String {
        match self {
            CountScope::All => String::new(),
            CountScope::Organisations(ids) => format!(" AND {column} {}", in_list(ids, params)),
        }
    }
}

impl Engine {
    /// Unresolved findings by severity over the sites in `scope`.
    pub(crate) async fn finding_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<SeverityCounts, StoreError> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT severity_rank, CAST(SUM(n) AS BIGINT) AS n FROM organisation_finding_counts \
             WHERE n <> 0{} GROUP BY severity_rank",
            scope.condition("organisation_id", &mut params)
        );
        let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("counting findings by severity"))?;
        let mut counts = SeverityCounts::default();
        for row in &rows {
            let r = RowReader::new(row, "organisation_finding_counts", &self.target);
            counts.add(r.int("severity_rank")?, r.int("n")?);
        }
        Ok(counts)
    }

    /// Unresolved findings by severity over the sites in `scope`, and its sites by status
    /// — in one statement, as a findings listing and the overview need both.
    pub(crate) async fn scope_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<(SeverityCounts, BTreeMap<String, u64>), StoreError> {
        let mut params = Params::default();
        let findings_scope = scope.condition("organisation_id", &mut params);
        let sites_scope = scope.condition("organisation_id", &mut params);
        let sql = format!(
            "SELECT 0 AS part, severity_rank AS k, '' AS status, CAST(SUM(n) AS BIGINT) AS n \
             FROM organisation_finding_counts WHERE n <> 0{findings_scope} GROUP BY severity_rank \
             UNION ALL \
             SELECT 1 AS part, 0 AS k, status, CAST(SUM(n) AS BIGINT) AS n \
             FROM organisation_site_counts WHERE n <> 0{sites_scope} GROUP BY status"
        );
        let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("counting findings and sites"))?;
        let mut counts = SeverityCounts::default();
        let mut sites = BTreeMap::new();
        for row in &rows {
            let r = RowReader::new(row, "organisation_finding_counts", &self.target);
            let n = r.int("n")?;
            if r.int("part")? == 0 {
                counts.add(r.int("k")?, n);
            } else {
                sites.insert(r.text("status")?, u64::try_from(n).unwrap_or(0));
            }
        }
        Ok((counts, sites))
    }

    /// Unresolved findings by severity of one site, if it is in `scope` (else zero).
    pub(crate) async fn site_finding_count(
        &self,
        site_id: RecordId,
        scope: CountScope<'_>,
    ) -> Result<SeverityCounts, StoreError> {
        let mut params = Params::default();
        let site = params.push(SqlValue::Int(Some(site_id)));
        let sql = format!(
            "SELECT c.severity_rank AS severity_rank, c.n AS n FROM site_finding_counts c \
             JOIN websites w ON w.id = c.site_id WHERE c.site_id = {site}{}",
            scope.condition("w.organisation_id", &mut params)
        );
        let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("counting a site's findings"))?;
        let mut counts = SeverityCounts::default();
        for row in &rows {
            let r = RowReader::new(row, "site_finding_counts", &self.target);
            counts.add(r.int("severity_rank")?, r.int("n")?);
        }
        Ok(counts)
    }

    /// Unresolved findings by severity of each of these sites; sites without any are
    /// left out.
    pub(crate) async fn site_finding_counts(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, SeverityCounts>, StoreError> {
        let mut out: HashMap<RecordId, SeverityCounts> = HashMap::new();
        // Bounded statements: SQLite limits the number of parameters of one.
        for chunk in site_ids.chunks(500) {
            let mut params = Params::default();
            let sql = format!(
                "SELECT site_id, severity_rank, n FROM site_finding_counts \
                 WHERE n <> 0 AND site_id {}",
                in_list(chunk, &mut params)
            );
            let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
                .fetch_all(&self.pool)
                .await
                .map_err(self.fail("counting the sites' findings"))?;
            for row in &rows {
                let r = RowReader::new(row, "site_finding_counts", &self.target);
                out.entry(r.int("site_id")?)
                    .or_default()
                    .add(r.int("severity_rank")?, r.int("n")?);
            }
        }
        Ok(out)
    }

    /// Websites by status (`active`, `closed`) over the sites in `scope`, from the
    /// trigger-kept `organisation_site_counts` (migration 0009).
    pub(crate) async fn site_status_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM organisation_site_counts \
             WHERE n <> 0{} GROUP BY status",
            scope.condition("organisation_id", &mut params)
        );
        let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("counting sites by status"))?;
        let mut out = BTreeMap::new();
        for row in &rows {
            let r = RowReader::new(row, "websites", &self.target);
            out.insert(r.text("status")?, u64::try_from(r.int("n")?).unwrap_or(0));
        }
        Ok(out)
    }

    /// The tags of the sites in `scope` with how many sites carry each, by tag, at most
    /// `limit` (from the trigger-kept `organisation_tag_counts`, migration 0008).
    pub(crate) async fn site_tags(
        &self,
        scope: CountScope<'_>,
        limit: u32,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT tag, CAST(SUM(n) AS BIGINT) AS n FROM organisation_tag_counts WHERE n > 0{} \
             GROUP BY tag ORDER BY tag LIMIT {}",
            scope.condition("organisation_id", &mut params),
            limit.max(1)
        );
        let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("listing site tags"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let r = RowReader::new(row, "organisation_tag_counts", &self.target);
            out.push((r.text("tag")?, u64::try_from(r.int("n")?).unwrap_or(0)));
        }
        Ok(out)
    }

    /// Writes every organisation's counts as they stand now as the trend point of `day`
    /// (replacing an earlier point of the same day).
    pub(crate) async fn record_finding_trend(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO finding_trend (organisation_id, day, severity_rank, n, recorded_at) \
             SELECT organisation_id, $1, severity_rank, n, $2 FROM organisation_finding_counts \
             WHERE 1 = 1 \
             ON CONFLICT (organisation_id, day, severity_rank) \
             DO UPDATE SET n = excluded.n, recorded_at = excluded.recorded_at",
        )
        .bind(day.to_string())
        .bind(format_instant(now))
        .execute(&mut *write)
        .await
        .map_err(self.fail("recording the findings trend"))?;
        write
            .commit()
            .await
            .map_err(self.fail("committing the findings trend"))
    }

    /// When the trend point of `day` was last written, if it was.
    pub(crate) async fn finding_trend_recorded_at(
        &self,
        day: NaiveDate,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT MAX(recorded_at) AS at FROM finding_trend WHERE day = $1")
            .bind(day.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(self.fail("reading the findings trend"))?;
        RowReader::new(&row, "finding_trend", &self.target).opt_instant("at")
    }

    /// The trend points from `since` on, oldest first, summed over the organisations in
    /// `scope`.
    pub(crate) async fn finding_trend(
        &self,
        scope: CountScope<'_>,
        since: NaiveDate,
    ) -> Result<Vec<(NaiveDate, SeverityCounts)>, StoreError> {
        let mut params = Params::default();
        let since = params.push(SqlValue::text(since.to_string()));
        let sql = format!(
            "SELECT day, severity_rank, CAST(SUM(n) AS BIGINT) AS n FROM finding_trend \
             WHERE day >= {since}{} GROUP BY day, severity_rank ORDER BY day",
            scope.condition("organisation_id", &mut params)
        );
        let rows = bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("reading the findings trend"))?;
        let mut out: BTreeMap<NaiveDate, SeverityCounts> = BTreeMap::new();
        for row in &rows {
            let r = RowReader::new(row, "finding_trend", &self.target);
            let day = r.text("day")?;
            // Written by `record_finding_trend` as ISO dates; anything else is skipped.
            if let Ok(day) = day.parse::<NaiveDate>() {
                out.entry(day)
                    .or_default()
                    .add(r.int("severity_rank")?, r.int("n")?);
            }
        }
        Ok(out.into_iter().collect())
    }
}

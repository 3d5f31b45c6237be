//! The scheduler: runs each check of each active website — registration, DNS, HTTP, TLS —
//! again and again on its own interval, with every `next_run_at` kept in the store so a
//! restart resumes where it stopped; and, once a day across all processes, the
//! notification digest.
//!
//! Each [`Scheduler::tick`] asks the store for the sites due now (a site is due when its
//! earliest check is). A site never scheduled gets each check's first run spread over that
//! check's interval by [`jitter`] (a hash of site and check, so a restart, or a thousand
//! sites imported at once, does not fire everything together). A due site is claimed with a
//! lease ([`Store::claim_site_checks`]), which leases its due checks with it: of any number
//! of schedulers on one database exactly one runs them, and if that one dies the leases
//! lapse and another takes over. The claimed sites go through
//! [`Scanner::run_checks`] — each with only its due checks, the other facts carried over —
//! reading only those sites' records; afterwards each check gets its next run, the
//! registration check sooner while the site's domain is expiring or has lapsed. With a
//! [`Notifier`] the scan's findings are then announced exactly as `beian scan` does (the
//! store's sent log dedupes across processes).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use beian_core::case::deadlines::beijing_date;
use beian_core::model::RecordId;
use beian_core::rules::ids;
use beian_probe::ProbeSettings;
use beian_store::Store;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;

use crate::checks::{CheckSet, ScheduledCheck};
use crate::error::EngineError;
use crate::metrics::{ScanMetrics, ScanOutcome};
use crate::notify::{Notifier, NotifyReport};
use crate::probes::ScanProbes;
use crate::scan::{Quiet, ScanOptions, ScanResult, ScanSummary, Scanner, SiteReport};

/// The daily job name of the digest in the store.
pub const DIGEST_JOB: &str = "notify.digest";

/// How often each check runs, and how the scheduler works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSettings {
    /// Between two registration (RDAP / WHOIS) lookups of a site.
    pub registration_interval: Duration,
    /// Between two registration lookups while the site's domain is expiring or lapsed.
    pub registration_near_expiry_interval: Duration,
    /// Between two DNS checks.
    pub dns_interval: Duration,
    /// Between two fetches of the pages (personas, content, random paths).
    pub http_interval: Duration,
    /// Between two certificate checks.
    pub tls_interval: Duration,
    /// How long a claimed site stays with its scheduler; longer than a scan takes.
    pub lease: Duration,
    /// Sites claimed and scanned per tick.
    pub batch: u32,
    /// Pause between ticks that found nothing to do.
    pub poll: StdDuration,
    /// When the daily digest goes out, Beijing time.
    pub digest_at: NaiveTime,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            registration_interval: Duration::days(1),
            registration_near_expiry_interval: Duration::hours(1),
            dns_interval: Duration::minutes(15),
            http_interval: Duration::hours(1),
            tls_interval: Duration::days(1),
            lease: Duration::hours(1),
            batch: 64,
            poll: StdDuration::from_secs(30),
            digest_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        }
    }
}

impl ScheduleSettings {
    /// The regular interval of a check.
    pub fn interval(&self, check: ScheduledCheck) -> Duration {
        match check {
            ScheduledCheck::Registration => self.registration_interval,
            ScheduledCheck::Dns => self.dns_interval,
            ScheduledCheck::Http => self.http_interval,
            ScheduledCheck::Tls => self.tls_interval,
        }
    }

    /// The shortest interval: how soon checks given back after a failed round retry.
    fn retry(&self) -> Duration {
        ScheduledCheck::ALL
            .into_iter()
            .map(|check| self.interval(check))
            .chain(std::iter::once(self.registration_near_expiry_interval))
            .min()
            .unwrap_or(self.dns_interval)
    }
}

/// Which day the rules count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Today {
    /// The Beijing date of each tick (a server running for weeks).
    Clock,
    /// A fixed date (`BEIAN_TODAY`, the lab, replaying a past day).
    Pinned(NaiveDate),
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TickOutcome {
    /// Sites seen for the first time, given their checks' first runs.
    pub first_scheduled: Vec<RecordId>,
    /// Sites this scheduler claimed and scanned, with the checks it ran.
    pub scanned: Vec<(RecordId, Vec<ScheduledCheck>)>,
    /// Due sites another scheduler claimed first.
    pub taken_by_others: Vec<RecordId>,
    /// The scan's summary, when one ran.
    pub scan: Option<ScanSummary>,
    /// The notifications of the scan, when a notifier is set.
    pub notified: Option<NotifyReport>,
}

impl TickOutcome {
    fn did_work(&self) -> bool {
        !self.scanned.is_empty() || !self.first_scheduled.is_empty()
    }
}

/// Where in `[0, interval)` a site's runs of `check` fall: the same for the same site and
/// check on every start (splitmix64, not the process-seeded std hasher), spread evenly
/// over sites, and different per check so a site's checks do not all fire together.
pub fn jitter(site_id: RecordId, check: ScheduledCheck, interval: Duration) -> Duration {
    let millis = u64::try_from(interval.num_milliseconds()).unwrap_or(0);
    if millis == 0 {
        return Duration::zero();
    }
    let salt = ScheduledCheck::ALL
        .iter()
        .position(|known| *known == check)
        .unwrap_or(0) as u64;
    let mut z = (site_id as u64)
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Duration::milliseconds(i64::try_from(z % millis).unwrap_or(0))
}

/// The interval until a check's next run after `report`: registration runs at the short
/// interval while the rules hold an expiring or lapsed domain for the site.
pub fn interval_after(
    check: ScheduledCheck,
    report: &SiteReport,
    settings: &ScheduleSettings,
) -> Duration {
    let regular = settings.interval(check);
    if check != ScheduledCheck::Registration {
        return regular;
    }
    let near_expiry = report.findings.iter().any(|finding| {
        finding.rule_id == ids::DOMAIN_EXPIRING
            || finding.rule_id == ids::DOMAIN_LAPSED_FILING_ACTIVE
    });
    if near_expiry {
        settings.registration_near_expiry_interval.min(regular)
    } else {
        regular
    }
}

/// The instant of `day`'s digest: `at` on that Beijing date.
pub fn digest_instant(day: NaiveDate, at: NaiveTime) -> DateTime<Utc> {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    china
        .from_local_datetime(&day.and_time(at))
        .single()
        .map_or_else(
            || day.and_time(at).and_utc(),
            |local| local.with_timezone(&Utc),
        )
}

/// Runs scheduled scans over one store.
pub struct Scheduler<'a, S: Store> {
    store: &'a S,
    probe: ProbeSettings,
    options: ScanOptions,
    today: Today,
    settings: ScheduleSettings,
    notifier: Option<Notifier>,
    metrics: Option<Arc<dyn ScanMetrics>>,
    /// The last Beijing date whose digest this process saw done (saves a store round trip
    /// per tick for the rest of the day).
    digest_done: std::cell::Cell<Option<NaiveDate>>,
}

impl<'a, S: Store> Scheduler<'a, S> {
    /// `options.today` is replaced on each tick unless `today` is pinned.
    pub fn new(
        store: &'a S,
        probe: ProbeSettings,
        options: ScanOptions,
        today: Today,
        settings: ScheduleSettings,
    ) -> Scheduler<'a, S> {
        Scheduler {
            store,
            probe,
            options,
            today,
            settings,
            notifier: None,
            metrics: None,
            digest_done: std::cell::Cell::new(None),
        }
    }

    /// Announces each scheduled scan's findings, and sends the daily digest.
    pub fn with_notifier(mut self, notifier: Notifier) -> Scheduler<'a, S> {
        self.notifier = Some(notifier);
        self
    }

    /// Reports scans, probe latencies and ticks to `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<dyn ScanMetrics>) -> Scheduler<'a, S> {
        self.metrics = Some(metrics);
        self
    }

    /// One round at `now`: schedules new sites, claims the due ones, runs their due checks
    /// and sets their next runs, then notifies. A failed scan gives its checks back to be
    /// retried after the shortest interval, and the error is returned.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickOutcome, EngineError> {
        let result = self.round(now).await;
        if let Some(metrics) = &self.metrics {
            metrics.tick(Utc::now().max(now));
        }
        result
    }

    async fn round(&self, now: DateTime<Utc>) -> Result<TickOutcome, EngineError> {
        let mut outcome = TickOutcome::default();
        let due = self.store.due_sites(now, self.settings.batch).await?;
        let mut claimed: Vec<(RecordId, CheckSet)> = Vec::new();
        for site in due {
            match site.next_run_at {
                None => {
                    let first_runs: Vec<(ScheduledCheck, DateTime<Utc>)> = ScheduledCheck::ALL
                        .into_iter()
                        .map(|check| {
                            let interval = self.settings.interval(check);
                            (check, now + jitter(site.site_id, check, interval))
                        })
                        .collect();
                    if self
                        .store
                        .schedule_site_checks(site.site_id, &first_runs)
                        .await?
                    {
                        outcome.first_scheduled.push(site.site_id);
                    }
                }
                Some(_) => {
                    match self
                        .store
                        .claim_site_checks(site.site_id, now, now + self.settings.lease)
                        .await?
                    {
                        None => outcome.taken_by_others.push(site.site_id),
                        // The site's own due time was stale: its write recomputes it.
                        Some(checks) if checks.is_empty() => {
                            self.release(site.site_id, &[]).await;
                        }
                        Some(checks) => claimed.push((site.site_id, CheckSet::of(&checks))),
                    }
                }
            }
        }
        if claimed.is_empty() {
            return Ok(outcome);
        }
        match self.scan(&claimed, now).await {
            Ok(result) => {
                let finished = Utc::now().max(now);
                for report in &result.sites {
                    let Some((_, checks)) = claimed.iter().find(|(id, _)| *id == report.site_id)
                    else {
                        continue;
                    };
                    let next: Vec<(ScheduledCheck, DateTime<Utc>)> = checks
                        .checks()
                        .into_iter()
                        .map(|check| {
                            (
                                check,
                                finished + interval_after(check, report, &self.settings),
                            )
                        })
                        .collect();
                    self.store.finish_site_checks(report.site_id, &next).await?;
                }
                // A claimed site the scan did not report on (deleted meanwhile) is released.
                for (id, checks) in claimed
                    .iter()
                    .filter(|(id, _)| !result.sites.iter().any(|r| r.site_id == *id))
                {
                    let later: Vec<(ScheduledCheck, DateTime<Utc>)> = checks
                        .checks()
                        .into_iter()
                        .map(|check| (check, finished + self.settings.interval(check)))
                        .collect();
                    self.release(*id, &later).await;
                }
                self.count(ScanOutcome::Completed);
                if let Some(notifier) = &self.notifier {
                    // A failed delivery is retried by the next scan of the site (the sent
                    // log only records what went out); a store failure here is logged.
                    match notifier
                        .after_scan(self.store, &self.options.actor, &result)
                        .await
                    {
                        Ok(report) => outcome.notified = Some(report),
                        Err(error) => {
                            tracing::error!(%error, "notifications of a scheduled scan failed");
                        }
                    }
                }
                outcome.scanned = claimed
                    .iter()
                    .map(|(id, checks)| (*id, checks.checks()))
                    .collect();
                outcome.scan = Some(result.summary);
                Ok(outcome)
            }
            Err(error) => {
                self.count(ScanOutcome::Failed);
                let retry = now + self.settings.retry();
                for (id, checks) in &claimed {
                    let back: Vec<(ScheduledCheck, DateTime<Utc>)> = checks
                        .checks()
                        .into_iter()
                        .map(|check| (check, retry))
                        .collect();
                    self.release(*id, &back).await;
                }
                Err(error)
            }
        }
    }

    fn count(&self, outcome: ScanOutcome) {
        if let Some(metrics) = &self.metrics {
            metrics.scan_finished(outcome);
        }
    }

    fn options_at(&self, now: DateTime<Utc>) -> ScanOptions {
        let mut options = self.options.clone();
        if let Today::Pinned(day) = self.today {
            options.today = day;
        } else {
            options.today = beijing_date(now);
        }
        options.validation.today = options.today;
        options
    }

    async fn scan(
        &self,
        claimed: &[(RecordId, CheckSet)],
        now: DateTime<Utc>,
    ) -> Result<ScanResult, EngineError> {
        // Built per scan: the probes hold the pools, caches and limits of one scan.
        let probes = ScanProbes::new(&self.probe)?;
        let mut scanner = Scanner::new(self.store, probes, self.options_at(now));
        if let Some(metrics) = &self.metrics {
            scanner = scanner.with_metrics(Arc::clone(metrics));
        }
        match scanner.run_checks(claimed, &Quiet).await {
            // A site deleted since it was claimed: scan the others.
            Err(EngineError::UnknownSite(gone)) => {
                let rest: Vec<(RecordId, CheckSet)> = claimed
                    .iter()
                    .copied()
                    .filter(|(id, _)| *id != gone)
                    .collect();
                if rest.is_empty() {
                    return Ok(ScanResult {
                        summary: ScanSummary::default(),
                        sites: Vec::new(),
                    });
                }
                Ok(scanner.run_checks(&rest, &Quiet).await?)
            }
            other => other,
        }
    }

    /// Gives a site back; a failure here only delays it until its lease lapses.
    async fn release(&self, site_id: RecordId, next_runs: &[(ScheduledCheck, DateTime<Utc>)]) {
        if let Err(error) = self.store.finish_site_checks(site_id, next_runs).await {
            tracing::warn!(site = site_id, %error, "could not release a scheduled site; its lease will lapse");
        }
    }

    /// Sends the digest of the day of `now` if its time has come, no process has sent it
    /// yet, and a notifier is set; `Some` when this call sent it.
    pub async fn digest_if_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<NotifyReport>, EngineError> {
        let Some(notifier) = self.notifier.as_ref().filter(|n| n.takes_digest()) else {
            return Ok(None);
        };
        let day = match self.today {
            Today::Pinned(day) => day,
            Today::Clock => beijing_date(now),
        };
        let at = digest_instant(day, self.settings.digest_at);
        if self.digest_done.get() == Some(day) || (self.today == Today::Clock && now < at) {
            return Ok(None);
        }
        if !self
            .store
            .claim_daily_job(DIGEST_JOB, day, now, now + self.settings.lease)
            .await?
        {
            // Sent (or being sent) by another process.
            self.digest_done.set(Some(day));
            return Ok(None);
        }
        let since = at - Duration::days(1);
        let report = notifier.digest(self.store, day, since).await?;
        self.store
            .finish_daily_job(DIGEST_JOB, day, Utc::now())
            .await?;
        self.digest_done.set(Some(day));
        Ok(Some(report))
    }

    /// Ticks until `shutdown` completes: straight on while there is work, else after
    /// [`ScheduleSettings::poll`]; the digest is looked at every round. Errors are logged
    /// and retried, never fatal. With `once`, returns after the first round that found
    /// nothing to do.
    pub async fn run(&self, once: bool, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let now = Utc::now();
            let outcome = self.tick(now).await;
            // After the round: a digest due now includes what this round found.
            match self.digest_if_due(Utc::now()).await {
                Ok(Some(report)) => tracing::info!(
                    delivered = report.delivered,
                    failed = report.failed,
                    "daily digest sent"
                ),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "the daily digest failed"),
            }
            let pause = match outcome {
                Ok(outcome) => {
                    if outcome.did_work() {
                        tracing::info!(
                            scanned = outcome.scanned.len(),
                            first_scheduled = outcome.first_scheduled.len(),
                            "scheduled scan round"
                        );
                        // Straight on while there is work: a large import is scheduled a
                        // batch per round, not a batch per poll.
                        StdDuration::ZERO
                    } else if once {
                        return;
                    } else {
                        self.settings.poll
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "scheduled scan round failed");
                    if once {
                        return;
                    }
                    self.settings.poll
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }
}

//! The scheduler: scans each active website again and again, at an interval, with its
//! `next_run_at` kept in the store so a restart resumes where it stopped.
//!
//! Each [`Scheduler::tick`] asks the store for the sites due now. A site never scheduled
//! gets its first run spread over one interval by [`jitter`] (a hash of its id, so a
//! restart, or a thousand sites imported at once, does not fire everything together). A
//! due site is claimed with a lease ([`Store::claim_site`]): of any number of schedulers
//! on one database, exactly one scans it, and if that one dies the lease lapses and
//! another takes over. The claimed sites go through the [`Scanner`] with
//! [`ScanScope::Sites`]; afterwards each gets its next run: sooner when its domain is
//! expiring or has lapsed (the phase where a day matters), else after the interval.

use std::future::Future;
use std::time::Duration as StdDuration;

use beian_core::case::deadlines::beijing_date;
use beian_core::model::RecordId;
use beian_core::rules::ids;
use beian_probe::ProbeSettings;
use beian_store::Store;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::error::EngineError;
use crate::probes::ScanProbes;
use crate::scan::{Quiet, ScanOptions, ScanScope, ScanSummary, Scanner, SiteReport};

/// How often sites are scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSettings {
    /// Between two scans of a site.
    pub interval: Duration,
    /// Between two scans of a site whose domain is expiring or has lapsed.
    pub near_expiry_interval: Duration,
    /// How long a claimed site stays with its scheduler; longer than a scan takes.
    pub lease: Duration,
    /// Sites claimed and scanned per tick.
    pub batch: u32,
    /// Pause between ticks that found nothing to do.
    pub poll: StdDuration,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            interval: Duration::hours(1),
            near_expiry_interval: Duration::minutes(15),
            lease: Duration::hours(1),
            batch: 64,
            poll: StdDuration::from_secs(30),
        }
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
    /// Sites seen for the first time, given their first run.
    pub first_scheduled: Vec<RecordId>,
    /// Sites this scheduler claimed and scanned.
    pub scanned: Vec<RecordId>,
    /// Due sites another scheduler claimed first.
    pub taken_by_others: Vec<RecordId>,
    /// The scan's summary, when one ran.
    pub scan: Option<ScanSummary>,
}

/// Where in `[0, interval)` a site's runs fall: the same for the same id on every
/// start (splitmix64 of the id, not the process-seeded std hasher), spread evenly
/// over ids.
pub fn jitter(site_id: RecordId, interval: Duration) -> Duration {
    let millis = u64::try_from(interval.num_milliseconds()).unwrap_or(0);
    if millis == 0 {
        return Duration::zero();
    }
    let mut z = (site_id as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Duration::milliseconds(i64::try_from(z % millis).unwrap_or(0))
}

/// The interval until a scanned site's next run: the short one while the rules hold an
/// expiring or lapsed domain for it.
pub fn interval_after(report: &SiteReport, settings: &ScheduleSettings) -> Duration {
    let near_expiry = report.findings.iter().any(|finding| {
        finding.rule_id == ids::DOMAIN_EXPIRING
            || finding.rule_id == ids::DOMAIN_LAPSED_FILING_ACTIVE
    });
    if near_expiry {
        settings.near_expiry_interval.min(settings.interval)
    } else {
        settings.interval
    }
}

/// Runs scheduled scans over one store.
pub struct Scheduler<'a, S: Store> {
    store: &'a S,
    probe: ProbeSettings,
    options: ScanOptions,
    today: Today,
    settings: ScheduleSettings,
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
        }
    }

    /// One round at `now`: schedules new sites, claims the due ones, scans them and sets
    /// their next runs. A failed scan gives its sites back to be retried after the short
    /// interval, and the error is returned.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickOutcome, EngineError> {
        let mut outcome = TickOutcome::default();
        let due = self.store.due_sites(now, self.settings.batch).await?;
        let mut claimed = Vec::new();
        for site in due {
            match site.next_run_at {
                None => {
                    let first = now + jitter(site.site_id, self.settings.interval);
                    if self.store.schedule_new_site(site.site_id, first).await? {
                        outcome.first_scheduled.push(site.site_id);
                    }
                }
                Some(_) => {
                    if self
                        .store
                        .claim_site(site.site_id, now, now + self.settings.lease)
                        .await?
                    {
                        claimed.push(site.site_id);
                    } else {
                        outcome.taken_by_others.push(site.site_id);
                    }
                }
            }
        }
        if claimed.is_empty() {
            return Ok(outcome);
        }
        match self.scan(&claimed, now).await {
            Ok((summary, reports)) => {
                let finished = Utc::now().max(now);
                for report in &reports {
                    let next = finished + interval_after(report, &self.settings);
                    self.store.set_next_run(report.site_id, next).await?;
                }
                // A claimed site the scan did not report on (deleted meanwhile) is released.
                for id in claimed
                    .iter()
                    .filter(|id| !reports.iter().any(|r| r.site_id == **id))
                {
                    self.release(*id, finished + self.settings.interval).await;
                }
                outcome.scanned = claimed;
                outcome.scan = Some(summary);
                Ok(outcome)
            }
            Err(error) => {
                let retry = now
                    + self
                        .settings
                        .near_expiry_interval
                        .min(self.settings.interval);
                for id in &claimed {
                    self.release(*id, retry).await;
                }
                Err(error)
            }
        }
    }

    async fn scan(
        &self,
        claimed: &[RecordId],
        now: DateTime<Utc>,
    ) -> Result<(ScanSummary, Vec<SiteReport>), EngineError> {
        // Built per scan: the probes hold the pools, caches and limits of one scan.
        let probes = ScanProbes::new(&self.probe)?;
        let mut options = self.options.clone();
        if self.today == Today::Clock {
            options.today = beijing_date(now);
            options.validation.today = options.today;
        }
        let scanner = Scanner::new(self.store, probes, options);
        let scope = ScanScope::Sites(claimed.to_vec());
        let result = match scanner.run(&scope, &Quiet).await {
            // A site deleted since it was claimed: scan the others.
            Err(EngineError::UnknownSite(gone)) => {
                let rest: Vec<RecordId> =
                    claimed.iter().copied().filter(|id| *id != gone).collect();
                if rest.is_empty() {
                    return Ok((ScanSummary::default(), Vec::new()));
                }
                scanner.run(&ScanScope::Sites(rest), &Quiet).await?
            }
            other => other?,
        };
        Ok((result.summary, result.sites))
    }

    /// Gives a site back; a failure here only delays it until its lease lapses.
    async fn release(&self, site_id: RecordId, next_run_at: DateTime<Utc>) {
        if let Err(error) = self.store.set_next_run(site_id, next_run_at).await {
            tracing::warn!(site = site_id, %error, "could not release a scheduled site; its lease will lapse");
        }
    }

    /// Ticks until `shutdown` completes: straight on while there is work, else after
    /// [`ScheduleSettings::poll`]. Errors are logged and retried, never fatal.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let pause = match self.tick(Utc::now()).await {
                Ok(outcome) => {
                    if !outcome.scanned.is_empty() || !outcome.first_scheduled.is_empty() {
                        tracing::info!(
                            scanned = outcome.scanned.len(),
                            first_scheduled = outcome.first_scheduled.len(),
                            "scheduled scan round"
                        );
                    }
                    // Straight on while there is work: a large import is scheduled a
                    // batch per round, not a batch per poll.
                    if outcome.scanned.is_empty() && outcome.first_scheduled.is_empty() {
                        self.settings.poll
                    } else {
                        StdDuration::ZERO
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "scheduled scan round failed");
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

//! The scheduler: jitter spreads first runs per (site, check), two claimers never get the
//! same site or check, a restart resumes from the stored `next_run_at`s, a tick runs a due
//! lab site's due checks and sets each check's next run on its own interval, a DNS-only
//! run carries the other facts over and leaves registration findings alone, and the daily
//! digest is claimed once. The store scenarios run on SQLite, and on PostgreSQL when
//! `BEIAN_TEST_DATABASE_URL` names a server.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use beian_core::facts::{RegistrationObservation, SiteObservation};
use beian_core::finding::Severity;
use beian_core::identifier::ValidationContext;
use beian_core::model::{RecordId, RecordStatus};
use beian_core::rules::RuleSettings;
use beian_core::rules::ids;
use beian_engine::scheduler::{
    DIGEST_JOB, ScheduleSettings, Scheduler, Today, interval_after, jitter,
};
use beian_engine::{FindingRef, ScanOptions, ScheduledCheck, SiteReport};
use beian_lab::{Catalogue, ScenarioKind};
use beian_probe::ProbeSettings;
use beian_store::{AnyStore, FindingQuery, OpenMode, Store, StoreLocation};
use chrono::{DateTime, Duration, Utc};
use sqlx::migrate::MigrateDatabase;

use crate::support::{ACTOR, SiteSpec, add_site, lab, lab_settings};

const DATABASE_URL_VAR: &str = "BEIAN_TEST_DATABASE_URL";

/// A fresh store on one backend, and how to open it again ("after a restart").
enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

static SERIAL: AtomicU32 = AtomicU32::new(0);

impl Db {
    fn sqlite() -> Db {
        Db::Sqlite(tempfile::tempdir().expect("a temporary directory"))
    }

    /// `None` when no PostgreSQL server is configured.
    fn postgres() -> Option<Db> {
        let Ok(admin) = std::env::var(DATABASE_URL_VAR) else {
            eprintln!("{DATABASE_URL_VAR} is not set: PostgreSQL half of this test not run");
            return None;
        };
        let mut url = url::Url::parse(&admin).expect("BEIAN_TEST_DATABASE_URL is a URL");
        url.set_path(&format!(
            "beian_sched_{}_{}_{}",
            std::process::id(),
            Utc::now().timestamp_subsec_nanos(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        Some(Db::Postgres(url.to_string()))
    }

    fn location(&self) -> StoreLocation {
        match self {
            Db::Sqlite(dir) => StoreLocation::Sqlite(dir.path().join("beian.db")),
            Db::Postgres(url) => StoreLocation::Postgres(url.clone()),
        }
    }

    async fn open(&self) -> AnyStore {
        beian_store::open(&self.location(), OpenMode::CreateIfMissing)
            .await
            .expect("open the test store")
    }

    async fn finish(self) {
        if let Db::Postgres(url) = self
            && let Err(error) = sqlx::Postgres::force_drop_database(&url).await
        {
            eprintln!("could not drop test database {url}: {error}");
        }
    }
}

/// Runs `scenario` on SQLite and, when configured, on PostgreSQL.
async fn on_every_backend<F>(scenario: impl Fn(Arc<Db>) -> F)
where
    F: Future<Output = ()>,
{
    let sqlite = Arc::new(Db::sqlite());
    scenario(Arc::clone(&sqlite)).await;
    if let Some(postgres) = Db::postgres() {
        let postgres = Arc::new(postgres);
        scenario(Arc::clone(&postgres)).await;
        if let Ok(db) = Arc::try_unwrap(postgres) {
            db.finish().await;
        }
    }
}

async fn seed(store: &AnyStore, count: usize) -> Vec<RecordId> {
    let mut ids = Vec::new();
    for index in 0..count {
        let domain = format!("sched{index}.example.cn");
        ids.push(
            add_site(
                store,
                index,
                &SiteSpec {
                    company: &format!("北京调度测试{index}有限公司"),
                    home_url: &format!("https://{domain}/"),
                    domain: &domain,
                    icp: &format!("京ICP备20240{index:05}号-1"),
                    status: RecordStatus::Active,
                },
            )
            .await,
        );
    }
    ids
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).expect("2030-01-01")
}

fn options(today: chrono::NaiveDate) -> ScanOptions {
    ScanOptions {
        actor: ACTOR.to_owned(),
        today,
        concurrency: 4,
        rules: RuleSettings::default(),
        validation: ValidationContext::new(today),
    }
}

#[test]
fn jitter_is_stable_and_spreads_sites_over_the_interval() {
    let interval = Duration::hours(1);
    for check in ScheduledCheck::ALL {
        let mut buckets = [0u32; 10];
        for id in 1..=10_000 {
            let offset = jitter(id, check, interval);
            assert!(
                offset >= Duration::zero() && offset < interval,
                "{id}: {offset}"
            );
            assert_eq!(
                offset,
                jitter(id, check, interval),
                "the same site and check, the same offset"
            );
            let bucket = offset.num_milliseconds() * 10 / interval.num_milliseconds();
            buckets[usize::try_from(bucket).expect("0..10")] += 1;
        }
        // 1,000 expected per tenth of the hour; a restart fires at most ~12 % at once.
        for (tenth, count) in buckets.iter().enumerate() {
            assert!(
                (850..=1150).contains(count),
                "{check} tenth {tenth}: {count} sites, {buckets:?}"
            );
        }
    }
    // Consecutive ids (an import) do not land together.
    let first: BTreeSet<i64> = (1..=20)
        .map(|id| jitter(id, ScheduledCheck::Dns, interval).num_minutes())
        .collect();
    assert!(first.len() >= 12, "{first:?}");
    // Nor do one site's checks.
    let checks: BTreeSet<i64> = ScheduledCheck::ALL
        .into_iter()
        .map(|check| jitter(7, check, interval).num_seconds())
        .collect();
    assert_eq!(checks.len(), 4, "{checks:?}");
    assert_eq!(
        jitter(7, ScheduledCheck::Tls, Duration::zero()),
        Duration::zero()
    );
}

#[test]
fn each_check_has_its_interval_and_registration_speeds_up_near_expiry() {
    let settings = ScheduleSettings::default();
    assert_eq!(
        settings.interval(ScheduledCheck::Registration),
        Duration::days(1)
    );
    assert_eq!(
        settings.interval(ScheduledCheck::Dns),
        Duration::minutes(15)
    );
    assert_eq!(settings.interval(ScheduledCheck::Http), Duration::hours(1));
    assert_eq!(settings.interval(ScheduledCheck::Tls), Duration::days(1));
    let report = |rules: &[&str]| SiteReport {
        site_id: 1,
        name: "站点".to_owned(),
        home_url: "https://a.example.cn/".to_owned(),
        verdict: None,
        unchecked: None,
        failed: None,
        findings: rules
            .iter()
            .map(|rule| FindingRef {
                rule_id: (*rule).to_owned(),
                key: String::new(),
                severity: Severity::High,
            })
            .collect(),
        opened: Vec::new(),
        resolved: Vec::new(),
        cases_opened: Vec::new(),
    };
    let registration = ScheduledCheck::Registration;
    assert_eq!(
        interval_after(registration, &report(&[]), &settings),
        Duration::days(1)
    );
    assert_eq!(
        interval_after(registration, &report(&["footer.icp_missing"]), &settings),
        Duration::days(1)
    );
    for rule in [ids::DOMAIN_EXPIRING, ids::DOMAIN_LAPSED_FILING_ACTIVE] {
        assert_eq!(
            interval_after(
                registration,
                &report(&["footer.icp_missing", rule]),
                &settings
            ),
            Duration::hours(1),
            "{rule}"
        );
        // Only registration speeds up: the other checks keep their intervals.
        for check in [
            ScheduledCheck::Dns,
            ScheduledCheck::Http,
            ScheduledCheck::Tls,
        ] {
            assert_eq!(
                interval_after(check, &report(&[rule]), &settings),
                settings.interval(check)
            );
        }
    }
    // The short interval never makes a check wait longer than the normal one.
    let short = ScheduleSettings {
        registration_interval: Duration::minutes(5),
        ..ScheduleSettings::default()
    };
    assert_eq!(
        interval_after(registration, &report(&[ids::DOMAIN_EXPIRING]), &short),
        Duration::minutes(5)
    );
}

/// Every check of `site` due at `at`.
async fn all_due(store: &AnyStore, site: RecordId, at: DateTime<Utc>) {
    let due: Vec<(ScheduledCheck, DateTime<Utc>)> =
        ScheduledCheck::ALL.into_iter().map(|c| (c, at)).collect();
    store
        .finish_site_checks(site, &due)
        .await
        .expect("schedule every check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_claimers_never_get_the_same_site_or_check() {
    on_every_backend(|db| async move {
        let store = db.open().await;
        let ids = seed(&store, 30).await;
        for id in &ids {
            all_due(&store, *id, t0()).await;
        }
        // A site never scheduled cannot be claimed.
        assert_eq!(
            store
                .claim_site_checks(9_999, t0(), t0() + Duration::hours(1))
                .await
                .expect("claim"),
            None
        );

        let now = t0() + Duration::seconds(1);
        let lease = now + Duration::hours(1);
        let claimers = [Arc::new(db.open().await), Arc::new(db.open().await)];
        let mut tasks = Vec::new();
        for (n, claimer) in claimers.iter().enumerate() {
            let claimer = Arc::clone(claimer);
            let mut order = ids.clone();
            if n == 1 {
                order.reverse();
            }
            tasks.push(tokio::spawn(async move {
                let mut won = Vec::new();
                for id in order {
                    if let Some(checks) = claimer
                        .claim_site_checks(id, now, lease)
                        .await
                        .expect("claim")
                    {
                        won.push((id, checks));
                    }
                }
                won
            }));
        }
        let mut won = Vec::new();
        for task in tasks {
            won.push(task.await.expect("claimer task"));
        }
        let all: BTreeSet<RecordId> = won.iter().flatten().map(|(id, _)| *id).collect();
        assert_eq!(
            won[0].len() + won[1].len(),
            ids.len(),
            "each site claimed once: {won:?}"
        );
        assert_eq!(all, ids.iter().copied().collect(), "every site claimed");
        assert!(
            won.iter()
                .flatten()
                .all(|(_, checks)| checks == &ScheduledCheck::ALL),
            "the winner leases every due check: {won:?}"
        );
        // Leased sites are not due for anyone until the lease lapses.
        assert!(store.due_sites(now, 0).await.expect("due").is_empty());
        assert_eq!(
            store
                .claim_site_checks(ids[0], now, lease)
                .await
                .expect("claim"),
            None
        );
        let lapsed = lease + Duration::seconds(1);
        assert_eq!(
            store.due_sites(lapsed, 0).await.expect("due").len(),
            ids.len()
        );
        // After a DNS-only run: DNS is due later, the other checks stay due, and a second
        // claim gets only them — never DNS again until its own next run.
        let site = ids[0];
        store
            .finish_site_checks(
                site,
                &[(ScheduledCheck::Dns, lapsed + Duration::minutes(15))],
            )
            .await
            .expect("finish DNS");
        let others = store
            .claim_site_checks(site, lapsed, lapsed + Duration::hours(1))
            .await
            .expect("claim")
            .expect("the other checks are still due");
        assert_eq!(
            others,
            [
                ScheduledCheck::Registration,
                ScheduledCheck::Http,
                ScheduledCheck::Tls
            ]
        );
        let after: Vec<(ScheduledCheck, DateTime<Utc>)> = others
            .iter()
            .map(|check| (*check, lapsed + Duration::days(1)))
            .collect();
        store
            .finish_site_checks(site, &after)
            .await
            .expect("finish");
        // Released; due again at its earliest check (DNS, 15 minutes on).
        assert_eq!(
            store
                .claim_site_checks(site, lapsed, lapsed + Duration::hours(1))
                .await
                .expect("claim"),
            None
        );
        let dns_due = lapsed + Duration::minutes(15);
        let due = store.due_sites(dns_due, 0).await.expect("due");
        let ours = due.iter().find(|d| d.site_id == site).expect("due again");
        assert_eq!(ours.next_run_at, Some(dns_due));
        assert_eq!(
            store
                .claim_site_checks(site, dns_due, dns_due + Duration::hours(1))
                .await
                .expect("claim"),
            Some(vec![ScheduledCheck::Dns])
        );
        let counts = store.due_check_counts(lapsed).await.expect("counts");
        assert_eq!(
            counts.get(&ScheduledCheck::Dns),
            Some(&(ids.len() as u64 - 1))
        );
        assert!(
            store
                .finish_site_checks(424_242, &[(ScheduledCheck::Dns, t0())])
                .await
                .is_err(),
            "unknown site"
        );
        for claimer in &claimers {
            claimer.close().await;
        }
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_from_the_stored_next_runs() {
    on_every_backend(|db| async move {
        let settings = ScheduleSettings::default();
        let store = db.open().await;
        let ids = seed(&store, 5).await;
        // Probes that could reach nothing: this test must never scan.
        let probe = ProbeSettings::default();
        let today = t0().date_naive();
        let first = Scheduler::new(
            &store,
            probe.clone(),
            options(today),
            Today::Pinned(today),
            settings.clone(),
        )
        .tick(t0())
        .await
        .expect("first tick");
        assert_eq!(first.first_scheduled, ids, "every new site gets first runs");
        assert!(
            first.scanned.is_empty(),
            "first runs are spread, none fires at once"
        );
        // A second look (another worker) leaves the first runs as they are.
        let again = Scheduler::new(
            &store,
            probe.clone(),
            options(today),
            Today::Pinned(today),
            settings.clone(),
        )
        .tick(t0() + Duration::seconds(1))
        .await
        .expect("second tick");
        assert!(
            again.first_scheduled.is_empty() && again.scanned.is_empty(),
            "{again:?}"
        );
        store.close().await;

        // "Restart": a new handle and a new scheduler see the stored schedule.
        let store = db.open().await;
        let earliest = ids
            .iter()
            .flat_map(|id| {
                ScheduledCheck::ALL
                    .into_iter()
                    .map(|check| jitter(*id, check, settings.interval(check)))
            })
            .min()
            .expect("sites");
        assert!(
            earliest > Duration::seconds(1),
            "precondition: no check due at once"
        );
        let resumed = Scheduler::new(
            &store,
            probe,
            options(today),
            Today::Pinned(today),
            settings.clone(),
        )
        .tick(t0() + Duration::seconds(1))
        .await
        .expect("tick after restart");
        assert!(
            resumed.first_scheduled.is_empty() && resumed.scanned.is_empty(),
            "{resumed:?}"
        );
        for id in &ids {
            let stored = store.site_check_schedule(*id).await.expect("schedule");
            for check in ScheduledCheck::ALL {
                assert_eq!(
                    stored.get(&check),
                    Some(&(t0() + jitter(*id, check, settings.interval(check)))),
                    "site {id} {check}"
                );
            }
        }
        let due = store
            .due_sites(t0() + Duration::days(1), 0)
            .await
            .expect("due");
        assert_eq!(due.len(), ids.len());
        store.close().await;
    })
    .await;
}

fn scenarios(kinds: &[ScenarioKind]) -> Vec<beian_lab::Scenario> {
    Catalogue::standard()
        .into_iter()
        .filter(|scenario| kinds.contains(&scenario.kind))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_runs_the_due_checks_and_sets_each_next_run() {
    let today = Utc::now().date_naive();
    let lab = lab(scenarios(&[ScenarioKind::Healthy]), today).await;
    let db = Db::sqlite();
    let store = db.open().await;
    let site = add_site(
        &store,
        0,
        &SiteSpec {
            company: "北京青禾网络科技有限公司",
            home_url: "https://healthy-shop.com/",
            domain: "healthy-shop.com",
            icp: "京ICP备2024031876号-1",
            status: RecordStatus::Active,
        },
    )
    .await;
    let settings = ScheduleSettings::default();
    let scheduler = Scheduler::new(
        &store,
        lab_settings(&lab),
        options(today),
        Today::Pinned(today),
        settings.clone(),
    );
    let now = Utc::now();
    all_due(&store, site, now).await;
    let outcome = scheduler.tick(now).await.expect("tick");
    assert_eq!(outcome.scanned, [(site, ScheduledCheck::ALL.to_vec())]);
    let summary = outcome.scan.expect("a scan ran");
    assert_eq!((summary.sites, summary.failed), (1, 0), "{summary:?}");
    assert_eq!(summary.scope, format!("site:{site}"));
    // Each check is next due one of its own intervals later, and nobody holds the site.
    let stored = store.site_check_schedule(site).await.expect("schedule");
    for check in ScheduledCheck::ALL {
        let next = stored[&check];
        let interval = settings.interval(check);
        assert!(
            next >= now + interval && next <= Utc::now() + interval,
            "{check}: {next} not one interval after {now}"
        );
    }
    assert!(
        store
            .due_sites(now + Duration::minutes(14), 0)
            .await
            .expect("due")
            .is_empty()
    );
    // Fifteen minutes on, only DNS is due: the next tick runs DNS alone.
    let dns_time = Utc::now() + Duration::minutes(15);
    let outcome = scheduler.tick(dns_time).await.expect("tick");
    assert_eq!(outcome.scanned, [(site, vec![ScheduledCheck::Dns])]);
    let after = store.site_check_schedule(site).await.expect("schedule");
    // (Instants are stored to the microsecond.)
    assert!(
        after[&ScheduledCheck::Dns] >= dns_time + Duration::minutes(15) - Duration::milliseconds(1)
    );
    for check in [
        ScheduledCheck::Registration,
        ScheduledCheck::Http,
        ScheduledCheck::Tls,
    ] {
        assert_eq!(after[&check], stored[&check], "{check} untouched");
    }
    store.close().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dns_only_run_carries_the_other_facts_and_keeps_registration_findings() {
    let today = Utc::now().date_naive();
    let lab = lab(scenarios(&[ScenarioKind::ExpiredFilingActive]), today).await;
    let db = Db::sqlite();
    let store = db.open().await;
    let site = add_site(
        &store,
        0,
        &SiteSpec {
            company: "北京远山教育咨询有限公司",
            home_url: "http://expired-filing.com/",
            domain: "expired-filing.com",
            icp: "京ICP备2019034521号-1",
            status: RecordStatus::Active,
        },
    )
    .await;
    let probes = Arc::new(ProbeRecorder::default());
    let scheduler = Scheduler::new(
        &store,
        lab_settings(&lab),
        options(today),
        Today::Pinned(today),
        ScheduleSettings::default(),
    )
    .with_metrics(probes.clone());
    let now = Utc::now();
    all_due(&store, site, now).await;
    let full = scheduler.tick(now).await.expect("full tick");
    let opened = full.scan.expect("scanned").findings_opened;
    let lapsed = store
        .list_findings(&FindingQuery {
            site_id: Some(site),
            rule_id: Some(ids::DOMAIN_LAPSED_FILING_ACTIVE.to_owned()),
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .expect("findings");
    assert_eq!(
        lapsed.items.len(),
        1,
        "the full run opened it ({opened} opened)"
    );
    // Registration of a lapsed domain comes back within the short interval.
    let schedule = store.site_check_schedule(site).await.expect("schedule");
    assert!(schedule[&ScheduledCheck::Registration] <= Utc::now() + Duration::hours(1));

    // Now only DNS is due: a DNS-only run does not look at registration, and the
    // registration facts it did not gather must neither resolve nor reopen anything.
    let later = Utc::now() + Duration::seconds(1);
    store
        .finish_site_checks(site, &[(ScheduledCheck::Dns, later)])
        .await
        .expect("DNS due");
    let dns_only = scheduler.tick(later).await.expect("DNS tick");
    assert_eq!(dns_only.scanned, [(site, vec![ScheduledCheck::Dns])]);
    let summary = dns_only.scan.expect("scanned");
    assert_eq!(
        (summary.findings_opened, summary.findings_resolved),
        (0, 0),
        "{summary:?}"
    );
    let still = unresolved_ids(&store, site).await;
    assert!(
        still.contains(&lapsed.items[0].id),
        "the registration finding is still open: {still:?}"
    );
    // The stored observation is complete: registration carried over, not "unknown".
    let observation = latest_observation(&store, site).await;
    assert_registration_known(&observation, "expired-filing.com");
    assert!(observation.web.is_some(), "page facts carried over");

    // Now only the pages are due: the web check runs without asking RDAP/WHOIS (daily
    // work), and the registration facts come over from the last observation.
    let later = later + Duration::seconds(1);
    store
        .finish_site_checks(site, &[(ScheduledCheck::Http, later)])
        .await
        .expect("HTTP due");
    probes.take();
    let http_only = scheduler.tick(later).await.expect("HTTP tick");
    let ran = probes.take();
    assert!(ran.contains(&ScheduledCheck::Http), "{ran:?}");
    assert!(
        !ran.contains(&ScheduledCheck::Registration),
        "no RDAP/WHOIS lookup on a pages-only run: {ran:?}"
    );
    assert_eq!(http_only.scanned, [(site, vec![ScheduledCheck::Http])]);
    let summary = http_only.scan.expect("scanned");
    assert_eq!(summary.findings_resolved, 0, "{summary:?}");
    let after_http = unresolved_ids(&store, site).await;
    assert!(
        after_http.contains(&lapsed.items[0].id),
        "the registration finding stays open: {after_http:?}"
    );
    assert_registration_known(
        &latest_observation(&store, site).await,
        "expired-filing.com",
    );
    store.close().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_job_is_claimed_once_across_processes() {
    on_every_backend(|db| async move {
        let day = t0().date_naive();
        let lease = t0() + Duration::hours(1);
        let stores = [Arc::new(db.open().await), Arc::new(db.open().await)];
        let mut tasks = Vec::new();
        for store in &stores {
            let store = Arc::clone(store);
            tasks.push(tokio::spawn(async move {
                store
                    .claim_daily_job(DIGEST_JOB, day, t0(), lease)
                    .await
                    .expect("claim")
            }));
        }
        let mut won = 0;
        for task in tasks {
            won += u32::from(task.await.expect("task"));
        }
        assert_eq!(won, 1, "exactly one process claims the day");
        // A holder that died: after its lease, the day can be taken over …
        let after = lease + Duration::seconds(1);
        assert!(
            stores[0]
                .claim_daily_job(DIGEST_JOB, day, after, after + Duration::hours(1))
                .await
                .expect("claim")
        );
        stores[0]
            .finish_daily_job(DIGEST_JOB, day, after)
            .await
            .expect("done");
        // … but once done, never again that day; the next day is new.
        let much_later = after + Duration::days(2);
        assert!(
            !stores[1]
                .claim_daily_job(DIGEST_JOB, day, much_later, much_later + Duration::hours(1))
                .await
                .expect("claim")
        );
        assert!(
            stores[1]
                .claim_daily_job(
                    DIGEST_JOB,
                    day.succ_opt().expect("a next day"),
                    much_later,
                    much_later + Duration::hours(1)
                )
                .await
                .expect("claim")
        );
        for store in &stores {
            store.close().await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_ticking_at_once_never_run_one_check_twice() {
    let today = Utc::now().date_naive();
    let lab = Arc::new(lab(scenarios(&[ScenarioKind::Healthy]), today).await);
    let probe = lab_settings(&lab);
    on_every_backend(|db| {
        let probe = probe.clone();
        async move {
            let store = db.open().await;
            let ids = seed(&store, 3).await;
            let now = Utc::now();
            for id in &ids {
                all_due(&store, *id, now).await;
            }
            let mut tasks = Vec::new();
            for _ in 0..2 {
                let db = Arc::clone(&db);
                let probe = probe.clone();
                // Each scheduler on its own connection pool, as in its own process.
                tasks.push(tokio::task::spawn_blocking(move || {
                    tokio::runtime::Handle::current().block_on(async move {
                        let store = db.open().await;
                        let outcome = Scheduler::new(
                            &store,
                            probe,
                            options(today),
                            Today::Pinned(today),
                            ScheduleSettings::default(),
                        )
                        .tick(now)
                        .await
                        .expect("tick");
                        store.close().await;
                        outcome.scanned
                    })
                }));
            }
            let mut runs: Vec<(RecordId, ScheduledCheck)> = Vec::new();
            for task in tasks {
                for (id, checks) in task.await.expect("scheduler task") {
                    runs.extend(checks.into_iter().map(|check| (id, check)));
                }
            }
            runs.sort();
            let unique: BTreeSet<(RecordId, ScheduledCheck)> = runs.iter().copied().collect();
            assert_eq!(runs.len(), unique.len(), "a check ran twice: {runs:?}");
            assert_eq!(runs.len(), ids.len() * 4, "every due check ran: {runs:?}");
            for id in &ids {
                assert_eq!(
                    store
                        .latest_observations(*id, 10)
                        .await
                        .expect("observations")
                        .len(),
                    1,
                    "site {id} scanned once"
                );
            }
            store.close().await;
        }
    })
    .await;
    if let Ok(lab) = Arc::try_unwrap(lab) {
        lab.shutdown().await;
    }
}

/// The probes a scheduler reports having run, in order.
#[derive(Default)]
struct ProbeRecorder(std::sync::Mutex<Vec<ScheduledCheck>>);

impl ProbeRecorder {
    fn take(&self) -> Vec<ScheduledCheck> {
        self.0
            .lock()
            .map(|mut ran| std::mem::take(&mut *ran))
            .unwrap_or_default()
    }
}

impl beian_engine::ScanMetrics for ProbeRecorder {
    fn probe_latency(&self, check: ScheduledCheck, _elapsed_ms: u64) {
        if let Ok(mut ran) = self.0.lock() {
            ran.push(check);
        }
    }

    fn scan_finished(&self, _outcome: beian_engine::ScanOutcome) {}

    fn tick(&self, _at: DateTime<Utc>) {}
}

/// Ids of the site's unresolved findings.
async fn unresolved_ids(store: &AnyStore, site: RecordId) -> Vec<RecordId> {
    store
        .list_findings(&FindingQuery {
            site_id: Some(site),
            limit: 0,
            ..FindingQuery::default()
        })
        .await
        .expect("findings")
        .items
        .iter()
        .map(|f| f.id)
        .collect()
}

async fn latest_observation(store: &AnyStore, site: RecordId) -> SiteObservation {
    let stored = store
        .latest_observations(site, 1)
        .await
        .expect("observations");
    serde_json::from_str(&stored[0].body).expect("a SiteObservation")
}

/// The observation holds `domain`'s registration (carried over when not looked up).
fn assert_registration_known(observation: &SiteObservation, domain: &str) {
    let observed = observation.domain(domain).expect("the domain was observed");
    assert!(
        !matches!(
            observed.registration,
            RegistrationObservation::Unknown { .. }
        ),
        "{:?}",
        observed.registration
    );
}

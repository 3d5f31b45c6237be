//! The scheduler: jitter spreads first runs, two claimers never get the same site, a
//! restart resumes from the stored `next_run_at`, and a tick scans a due lab site and sets
//! its next run. The store scenarios run on SQLite, and on PostgreSQL when
//! `BEIAN_TEST_DATABASE_URL` names a server.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use beian_core::finding::Severity;
use beian_core::identifier::ValidationContext;
use beian_core::model::{RecordId, RecordStatus};
use beian_core::rules::RuleSettings;
use beian_core::rules::ids;
use beian_engine::scheduler::{ScheduleSettings, Scheduler, Today, interval_after, jitter};
use beian_engine::{FindingRef, ScanOptions, SiteReport};
use beian_lab::{Catalogue, ScenarioKind};
use beian_probe::ProbeSettings;
use beian_store::{AnyStore, OpenMode, Store, StoreLocation};
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
    let mut buckets = [0u32; 10];
    for id in 1..=10_000 {
        let offset = jitter(id, interval);
        assert!(
            offset >= Duration::zero() && offset < interval,
            "{id}: {offset}"
        );
        assert_eq!(offset, jitter(id, interval), "the same id, the same offset");
        let bucket = offset.num_milliseconds() * 10 / interval.num_milliseconds();
        buckets[usize::try_from(bucket).expect("0..10")] += 1;
    }
    // 1,000 expected per tenth of the hour; a restart fires at most ~12 % at once.
    for (tenth, count) in buckets.iter().enumerate() {
        assert!(
            (850..=1150).contains(count),
            "tenth {tenth}: {count} sites, {buckets:?}"
        );
    }
    // Consecutive ids (an import) do not land together.
    let first: BTreeSet<i64> = (1..=20)
        .map(|id| jitter(id, interval).num_minutes())
        .collect();
    assert!(first.len() >= 12, "{first:?}");
    assert_eq!(jitter(7, Duration::zero()), Duration::zero());
}

#[test]
fn expiring_and_lapsed_domains_are_scanned_more_often() {
    let settings = ScheduleSettings::default();
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
    assert_eq!(interval_after(&report(&[]), &settings), settings.interval);
    assert_eq!(
        interval_after(&report(&["footer.icp_missing"]), &settings),
        settings.interval
    );
    for rule in [ids::DOMAIN_EXPIRING, ids::DOMAIN_LAPSED_FILING_ACTIVE] {
        assert_eq!(
            interval_after(&report(&["footer.icp_missing", rule]), &settings),
            settings.near_expiry_interval,
            "{rule}"
        );
    }
    // The short interval never makes a site wait longer than the normal one.
    let short = ScheduleSettings {
        interval: Duration::minutes(5),
        ..ScheduleSettings::default()
    };
    assert_eq!(
        interval_after(&report(&[ids::DOMAIN_EXPIRING]), &short),
        Duration::minutes(5)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_claimers_never_get_the_same_site() {
    on_every_backend(|db| async move {
        let store = db.open().await;
        let ids = seed(&store, 30).await;
        for id in &ids {
            store.set_next_run(*id, t0()).await.expect("schedule");
        }
        // A site never scheduled cannot be claimed; one scheduled later is not yet due.
        assert!(
            !store
                .claim_site(9_999, t0(), t0() + Duration::hours(1))
                .await
                .expect("claim")
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
                    if claimer.claim_site(id, now, lease).await.expect("claim") {
                        won.push(id);
                    }
                }
                won
            }));
        }
        let mut won = Vec::new();
        for task in tasks {
            won.push(task.await.expect("claimer task"));
        }
        let all: BTreeSet<RecordId> = won.iter().flatten().copied().collect();
        assert_eq!(
            won[0].len() + won[1].len(),
            ids.len(),
            "each site claimed once: {won:?}"
        );
        assert_eq!(all, ids.iter().copied().collect(), "every site claimed");
        // Leased sites are not due for anyone until the lease lapses.
        assert!(store.due_sites(now, 0).await.expect("due").is_empty());
        let lapsed = lease + Duration::seconds(1);
        assert_eq!(
            store.due_sites(lapsed, 0).await.expect("due").len(),
            ids.len()
        );
        assert!(
            store
                .claim_site(ids[0], lapsed, lapsed + Duration::hours(1))
                .await
                .expect("claim")
        );
        // After a run: released, due again only at its next run.
        store
            .set_next_run(ids[0], lapsed + Duration::hours(1))
            .await
            .expect("release");
        assert!(
            !store
                .claim_site(ids[0], lapsed, lapsed + Duration::hours(1))
                .await
                .expect("claim")
        );
        assert!(
            store.set_next_run(424_242, t0()).await.is_err(),
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
async fn a_restart_resumes_from_the_stored_next_run() {
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
        assert_eq!(
            first.first_scheduled, ids,
            "every new site gets a first run"
        );
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
            .map(|id| jitter(*id, settings.interval))
            .min()
            .expect("sites");
        assert!(
            earliest > Duration::seconds(1),
            "precondition: no site due at once"
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
        let due = store
            .due_sites(t0() + settings.interval, 0)
            .await
            .expect("due");
        assert_eq!(due.len(), ids.len());
        for site in due {
            assert_eq!(
                site.next_run_at,
                Some(t0() + jitter(site.site_id, settings.interval))
            );
        }
        store.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_scans_the_due_site_and_sets_its_next_run() {
    let today = Utc::now().date_naive();
    let lab = lab(
        Catalogue::standard()
            .into_iter()
            .filter(|scenario| scenario.kind == ScenarioKind::Healthy)
            .collect(),
        today,
    )
    .await;
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
    store.set_next_run(site, now).await.expect("due now");
    let outcome = scheduler.tick(now).await.expect("tick");
    assert_eq!(outcome.scanned, [site]);
    let summary = outcome.scan.expect("a scan ran");
    assert_eq!((summary.sites, summary.failed), (1, 0), "{summary:?}");
    assert_eq!(summary.scope, format!("site:{site}"));
    // Not due again until about one interval later, and nobody holds it now.
    assert!(
        store
            .due_sites(now + settings.interval - Duration::minutes(1), 0)
            .await
            .expect("due")
            .is_empty()
    );
    let later = store
        .due_sites(Utc::now() + settings.interval, 0)
        .await
        .expect("due");
    assert_eq!(later.iter().map(|s| s.site_id).collect::<Vec<_>>(), [site]);
    store.close().await;
}

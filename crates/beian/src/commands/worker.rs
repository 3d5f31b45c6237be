//! `beian worker [--once]`: the scheduler alone, without the web server. Any number of
//! workers and `beian serve` processes share one queue in the database — PostgreSQL for
//! workers on several machines, SQLite for processes on one machine — and the leases in
//! the store make sure each (site, check) runs in one of them at a time, and each problem
//! is announced once. With `--once` the worker runs rounds until one finds nothing due,
//! then exits (cron, tests).
//!
//! [`run_scheduler`] is the one scheduler loop: `beian serve` runs it too.

use std::future::Future;
use std::sync::Arc;

use beian_engine::scheduler::{Scheduler, Today};
use beian_engine::{Notifier, ScanMetrics, ScanOptions, ScanOutcome, ScheduledCheck};
use beian_store::{OpenMode, Store};
use beian_web::metrics::SchedulerMetrics;
use chrono::{DateTime, Utc};
use clap::Args;

use crate::commands::open_store;
use crate::commands::serve::shutdown_signal;
use crate::config::{Settings, TODAY_VARIABLE};
use crate::error::{Exit, UserError};

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// 运行到没有到期的检查就退出 / run rounds until nothing is due, then exit
    #[arg(long)]
    pub once: bool,
}

pub async fn run(args: &WorkerArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let store = open_store(&settings.database, OpenMode::MustExist).await?;
    eprintln!(
        "备案卫士定时检查已启动 / worker started (数据库 / database: {})",
        store.display_name()
    );
    let outcome = run_scheduler(&store, settings, None, args.once, async {
        shutdown_signal().await;
        eprintln!("正在停止 / shutting down");
    })
    .await;
    store.close().await;
    outcome.map(|()| Exit::Success)
}

/// The scheduler loop of `beian serve` and `beian worker`: scans due checks on `store`
/// with the configured probes, rules and `[schedule]`, announces findings through
/// `[notify]` (and sends the daily digest), reports to `metrics`, until `shutdown`
/// completes (or, with `once`, until a round finds nothing due). Errors inside the loop
/// are logged and retried; only a bad `[notify]` fails it up front.
pub async fn run_scheduler<S: Store>(
    store: &S,
    settings: &Settings,
    metrics: Option<Arc<SchedulerMetrics>>,
    once: bool,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let options = ScanOptions {
        actor: "scheduler".to_owned(),
        today: settings.today(),
        concurrency: settings.scan_concurrency,
        rules: settings.rules.clone(),
        validation: settings.validation.clone(),
    };
    // A pinned day stays pinned; otherwise each round counts from its own Beijing date.
    let today = if std::env::var_os(TODAY_VARIABLE).is_some() {
        Today::Pinned(settings.today())
    } else {
        Today::Clock
    };
    let mut scheduler = Scheduler::new(
        store,
        settings.probe.clone(),
        options,
        today,
        settings.schedule.clone(),
    );
    if let Some(notify) = &settings.notify {
        let notifier =
            Notifier::new(Arc::clone(notify), settings.validation.clone()).map_err(|error| {
                UserError::input(format!(
                    "无法准备通知 / cannot set up notifications: {error}"
                ))
                .with_fix(
                    "检查 beian.toml 的 [notify] 部分 / check the [notify] section of beian.toml",
                )
            })?;
        scheduler = scheduler.with_notifier(notifier);
    }
    if let Some(metrics) = metrics {
        scheduler = scheduler.with_metrics(Arc::new(WebMetrics(metrics)));
    }
    scheduler.run(once, shutdown).await;
    Ok(())
}

/// The web server's registry behind the engine's metrics trait (the web crate does not
/// know the scheduler).
struct WebMetrics(Arc<SchedulerMetrics>);

impl ScanMetrics for WebMetrics {
    fn probe_latency(&self, check: ScheduledCheck, elapsed_ms: u64) {
        self.0
            .probe_latency(check.as_str(), std::time::Duration::from_millis(elapsed_ms));
    }

    fn scan_finished(&self, outcome: ScanOutcome) {
        self.0.scan_finished(outcome.as_str());
    }

    fn tick(&self, at: DateTime<Utc>) {
        self.0
            .tick(u64::try_from(at.timestamp_micros()).unwrap_or(0));
    }
}

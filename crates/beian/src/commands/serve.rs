//! `beian serve [--bind ADDR] [--no-scheduler]`: the REST API `/api/v1` (and `/healthz`)
//! of beian-web on the configured store, and in the background the scheduler loop of
//! `beian worker` (each check of each active site at its `[schedule]` interval, findings
//! announced through `[notify]`, the daily digest), until Ctrl-C or SIGTERM.
//!
//! First run: a store without any user gets an administrator `admin` with a generated
//! password, printed once on stderr, so the API can be signed in to at all. The bound
//! address is printed on stderr as `listening on http://ADDR` (with `--bind …:0` the
//! port the system chose), which scripts and tests read.

use std::time::Duration;

use beian_store::{OpenMode, Store};
use beian_web::{AppState, WebConfig};
use clap::Args;

use crate::commands::open_store;
use crate::commands::user::{bootstrap_admin, print_created};
use crate::commands::worker::run_scheduler;
use crate::config::Settings;
use crate::error::{Exit, UserError};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 监听地址 ip:port（默认取 [web] bind，再默认 127.0.0.1:8080；端口 0 表示任选）/ address to listen on (default: [web] bind, else 127.0.0.1:8080; port 0 picks a free one)
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// 不在本进程中运行定时扫描 / do not run the scheduled scans in this process
    #[arg(long)]
    pub no_scheduler: bool,
}

/// How long a scan in progress may take to finish its current round at shutdown before
/// it is cut off (its sites' leases then lapse and another run picks them up).
const SCHEDULER_GRACE: Duration = Duration::from_secs(10);

pub async fn run(args: &ServeArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let bind = args.bind.as_deref().unwrap_or(&settings.web.bind);
    let store = open_store(&settings.database, OpenMode::MustExist).await?;
    let config = WebConfig {
        secure_cookies: settings.web.secure_cookies,
        metrics: settings.web.metrics,
        metrics_loopback_only: settings.web.metrics_loopback_only,
        session_ttl: settings.web.session_ttl,
        settings: beian_web::SettingsView::new(settings.notify.as_deref(), &settings.schedule),
        ..WebConfig::default()
    };
    let outcome = async {
        if let Some(created) = bootstrap_admin(&store, &settings.actor, config.password_cost).await?
        {
            print_created(&created, "首次启动：");
        }
        let listener = tokio::net::TcpListener::bind(bind).await.map_err(|error| {
            UserError::input(format!(
                "无法监听 {bind} / cannot listen on {bind}: {error}"
            ))
            .with_fix("换一个地址或端口（--bind 或 [web] bind），或停止占用它的进程 / pick another address or port (--bind or [web] bind), or stop the process using it")
        })?;
        let local = listener.local_addr()?;
        eprintln!(
            "备案卫士正在监听 / listening on http://{local} (数据库 / database: {})",
            store.display_name()
        );
        anyhow::Ok(listener)
    }
    .await;
    let listener = match outcome {
        Ok(listener) => listener,
        Err(error) => {
            store.close().await;
            return Err(error);
        }
    };
    let state = AppState::new(store, config).await;
    // The scheduler runs as a local task of this thread (see `spawn_scheduler`).
    let served = tokio::task::LocalSet::new()
        .run_until(async {
            let scheduler = (!args.no_scheduler).then(|| spawn_scheduler(&state, settings));
            let served = tokio::select! {
                served = beian_web::serve(listener, state.clone()) => served.map_err(|error| {
                    anyhow::anyhow!("服务器出错 / the server failed: {error}")
                }),
                () = shutdown_signal() => {
                    eprintln!("正在停止 / shutting down");
                    Ok(())
                }
            };
            if let Some((stop, mut task)) = scheduler {
                let _ = stop.send(());
                if tokio::time::timeout(SCHEDULER_GRACE, &mut task)
                    .await
                    .is_err()
                {
                    task.abort();
                }
            }
            served
        })
        .await;
    // Lets SQLite checkpoint its WAL, as every other command does on the way out.
    state.store().close().await;
    served.map(|()| Exit::Success)
}

/// Starts the scheduler loop (the one `beian worker` runs) on the server's store, with
/// the server's `/metrics` registry; the sender stops it between rounds.
fn spawn_scheduler(
    state: &AppState,
    settings: &Settings,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let state = state.clone();
    let settings = settings.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // Local: a scan's progress observer is not `Sync`, so the scheduler's future stays on
    // the thread driving `serve`; the scan's probes still run on the runtime's workers.
    let task = tokio::task::spawn_local(async move {
        let metrics = Some(std::sync::Arc::clone(state.scheduler_metrics()));
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(error) = run_scheduler(state.store(), &settings, metrics, false, shutdown).await
        {
            tracing::error!(%error, "the scheduler could not start");
            eprintln!("{error:#}");
        }
    });
    (stop, task)
}

/// Ctrl-C, or SIGTERM on Unix (what service managers and `kill` send).
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}

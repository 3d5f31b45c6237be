//! `beian demo [--bind ADDR] [--dir DIR]`: the whole product on the simulated internet in one
//! command. Starts the lab, writes a `beian.toml` that points every probe at it, creates the
//! database, imports a portfolio of about fifty websites — one per lab scenario, the rest the
//! lab's healthy bulk sites, each with its subject and valid filings — runs the first scan
//! (findings and the cancellation cases the rules open) and serves the dashboard, with the
//! demo administrator's password printed once on the terminal and how long each step took.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use beian_store::{OpenMode, Store};
use clap::Args;

use crate::cli::{GlobalArgs, ImportArgs, ProbeArgs};
use crate::commands::{lab, open_store, scan, serve, transfer};
use crate::config;
use crate::error::{Exit, UserError};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// 仪表盘监听地址 / address the dashboard listens on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// 演示数据目录（默认：系统临时目录下新建）/ folder for the demo's config and database
    /// (default: a new one under the system temp folder)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// How many websites the demo portfolio holds: every scenario, topped up with healthy sites
/// so the lists page and the overview look like a real portfolio.
const DEMO_SITES: usize = 50;

/// Sites scanned at once: all of them, so the hostile servers' timeouts overlap.
const DEMO_SCAN_CONCURRENCY: usize = DEMO_SITES;

/// What the timing line reports: when the demo started, how long the lab took, how many
/// sites the portfolio lists.
struct Progress {
    started: Instant,
    lab_ready: Duration,
    sites: usize,
}

/// Seconds, one decimal, for the timing line.
fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

pub async fn run(args: &DemoArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("beian-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|error| {
        UserError::input(format!(
            "无法创建演示目录 {} / cannot create the demo folder {}: {error}",
            dir.display(),
            dir.display()
        ))
        .with_fix("用 --dir 指定一个可写的目录 / name a writable folder with --dir")
    })?;
    let started = Instant::now();
    let bulk = DEMO_SITES.saturating_sub(beian_lab::portfolio_rows().len());
    let lab = lab::start_lab(bulk).await?;
    let lab_ready = started.elapsed();
    let config_path = dir.join("beian.toml");
    let portfolio_path = dir.join("portfolio.csv");
    // Plain HTTP on loopback: a Secure cookie would never come back to the browser.
    let toml = format!(
        "{}\n[web]\nsecure_cookies = false\n\n[scan]\nconcurrency = {DEMO_SCAN_CONCURRENCY}\n",
        lab.beian_toml()
    );
    let portfolio = beian_lab::portfolio_csv(&lab);
    let progress = Progress {
        started,
        lab_ready,
        sites: portfolio.lines().skip(1).count(),
    };
    let written = std::fs::write(&config_path, toml)
        .and_then(|()| std::fs::write(&portfolio_path, portfolio));
    if let Err(error) = written {
        lab.shutdown().await;
        return Err(UserError::input(format!(
            "无法写入 {} / cannot write into {}: {error}",
            dir.display(),
            dir.display()
        ))
        .with_fix("用 --dir 指定一个可写的目录 / name a writable folder with --dir")
        .into());
    }
    eprintln!(
        "演示目录 / demo folder: {}（配置 config beian.toml，清单 portfolio portfolio.csv）",
        dir.display()
    );
    let outcome = seed_scan_and_serve(args, global, config_path, portfolio_path, &progress).await;
    lab.shutdown().await;
    outcome
}

async fn seed_scan_and_serve(
    args: &DemoArgs,
    global: &GlobalArgs,
    config_path: PathBuf,
    portfolio_path: PathBuf,
    progress: &Progress,
) -> anyhow::Result<Exit> {
    let settings = config::resolve(&GlobalArgs {
        config: Some(config_path),
        database: None,
        lang: global.lang,
        verbose: global.verbose,
    })?;
    let store = open_store(&settings.database, OpenMode::CreateIfMissing).await?;
    store.close().await;
    eprintln!("导入演示清单 / importing the demo portfolio …");
    transfer::import(
        &ImportArgs {
            file: Some(portfolio_path),
            dry_run: false,
            template: None,
            output: None,
            json: false,
        },
        &settings,
    )
    .await?;
    let imported = progress.started.elapsed();
    eprintln!("首次扫描 / first scan …");
    scan::run(
        &scan::ScanArgs {
            all: true,
            sites: Vec::new(),
            json: false,
            fail_on: None,
            probe: ProbeArgs {
                // The hostile servers hang: two seconds each is enough to show it.
                timeout: Some("2".to_owned()),
                ..ProbeArgs::default()
            },
        },
        &settings,
    )
    .await?;
    let scanned = progress.started.elapsed();
    eprintln!(
        "演示数据就绪 / demo ready: {} 个网站 sites — 实验室 lab {}, 导入 import {}, \
         首次扫描 first scan {}, 合计 total {}",
        progress.sites,
        seconds(progress.lab_ready),
        seconds(imported.saturating_sub(progress.lab_ready)),
        seconds(scanned.saturating_sub(imported)),
        seconds(scanned),
    );
    serve::run(
        &serve::ServeArgs {
            bind: Some(args.bind.clone()),
            no_scheduler: false,
        },
        &settings,
    )
    .await
}

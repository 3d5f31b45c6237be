//! `beian bench serve [--sites N] [--findings M] [--clients C] [--seconds S]`: seeds a
//! temporary SQLite store (the import bench's portfolio through the real import, then M
//! findings through the scan path, `record_site_judgement`, one transaction per site),
//! starts beian-web in this process on 127.0.0.1:0, signs in once as an administrator and
//! has C concurrent clients request the overview, sites and findings pages and the list
//! APIs for S seconds. Prints JSON with the sizes used, the seeding time, and p50/p95 and
//! errors per route. Defaults: 100,000 sites and 500,000 findings, not the issue's
//! 1,000,000: one judgement transaction per site makes a million take about four minutes
//! to seed on two cores (pass `--findings 1000000` for the full size, and `--bench-store
//! PATH` to keep the seeded store and reuse it on the next run). `--with-scan` keeps a
//! writer recording judgements through the same store path a scan uses while the clients
//! run, so the figures show the pages during a scan.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use beian_core::finding::{FindingDraft, Severity};
use beian_core::identifier::FileableTlds;
use beian_core::model::{RecordId, RecordKind};
use beian_core::rules::ids;
use beian_store::{
    AnyStore, DEFAULT_ORGANISATION, ListQuery, OpenMode, Role, Store, StoreLocation,
};
use beian_web::{AppState, PasswordCost, WebConfig};
use chrono::Utc;
use serde_json::json;

use crate::commands::user::add_user;
use crate::config::today_in_china;
use crate::error::Exit;
use crate::import::{ImportOptions, run_import};
use crate::{bench, output};

/// What the load target names: the dashboard's pages and its list APIs.
pub const ROUTES: [&str; 5] = [
    "/",
    "/sites",
    "/findings",
    "/api/v1/sites",
    "/api/v1/findings",
];

const ACTOR: &str = "bench";
const ADMIN: &str = "bench-admin";
/// Generous: a request slower than this counts as an error rather than hanging the run.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The session cookie beian-web sets on login.
const SESSION_COOKIE: &str = "beian_session";

/// The sizes of one run.
#[derive(Debug, Clone)]
pub struct ServeBench {
    pub sites: usize,
    pub findings: usize,
    pub clients: usize,
    pub seconds: u64,
    /// Where the seeded store is kept (and reused from when it exists); a temporary
    /// directory when `None`.
    pub database: Option<PathBuf>,
    /// Write judgements while the clients run.
    pub with_scan: bool,
}

pub async fn run(bench: ServeBench) -> anyhow::Result<Exit> {
    output::print_json(&bench_serve(bench).await?)?;
    Ok(Exit::Success)
}

/// Seeds, serves and drives one run; the JSON the command prints.
pub async fn bench_serve(bench: ServeBench) -> anyhow::Result<serde_json::Value> {
    ensure!(
        bench.sites > 0,
        "网站数必须大于 0 / --sites must be at least 1"
    );
    ensure!(
        bench.clients > 0,
        "客户端数必须大于 0 / --clients must be at least 1"
    );
    let dir =
        tempfile::tempdir().context("无法创建临时目录 / cannot create a temporary directory")?;
    let database = bench
        .database
        .clone()
        .unwrap_or_else(|| dir.path().join("bench-serve.db"));
    let reused = database.exists();
    let store = beian_store::open(
        &StoreLocation::Sqlite(database.clone()),
        OpenMode::CreateIfMissing,
    )
    .await
    .with_context(|| {
        format!(
            "无法打开压测数据库 / cannot open the bench database {}",
            database.display()
        )
    })?;

    let seeding = Instant::now();
    let seeded = if reused {
        stored_sizes(&store).await
    } else {
        seed(&store, dir.path(), &bench).await
    };
    let seed_seconds = seeding.elapsed().as_secs_f64();
    // Every run signs in as its own administrator, so a reused store needs no password.
    let admin = format!("{ADMIN}-{}", beian_web::auth::random_hex(4));
    let seeded = match seeded {
        Ok(seeded) => add_admin(&store, &admin)
            .await
            .map(|password| (seeded, password)),
        Err(error) => Err(error),
    };
    let (seeded, password) = match seeded {
        Ok(seeded) => seeded,
        Err(error) => {
            store.close().await;
            return Err(error);
        }
    };

    let config = WebConfig {
        // Plain HTTP on loopback: a `Secure` cookie would be a header we then ignore anyway.
        secure_cookies: false,
        ..WebConfig::default()
    };
    let state = AppState::new(store, config).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("无法监听 127.0.0.1:0 / cannot listen on 127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(beian_web::serve(listener, state.clone()));

    let driving = Instant::now();
    let deadline = driving + Duration::from_secs(bench.seconds);
    // The writer has its own connection pool on the same file, as a scanning worker would.
    let writer = if bench.with_scan {
        let store = beian_store::open(
            &StoreLocation::Sqlite(database.clone()),
            OpenMode::MustExist,
        )
        .await
        .context("无法为写入任务打开数据库 / cannot open the store for the writer")?;
        Some(tokio::spawn(write_like_a_scan(store, deadline)))
    } else {
        None
    };
    let driven = drive(&base, &admin, &password, &bench, deadline).await;
    // Longer than `seconds` when requests were still in flight at the deadline.
    let drive_seconds = driving.elapsed().as_secs_f64();
    let scan = match writer {
        Some(writer) => Some(
            writer
                .await
                .context("压测写入任务崩溃 / the bench writer panicked")??,
        ),
        None => None,
    };
    server.abort();
    state.store().close().await;
    let routes = driven?;
    Ok(json!({
        "sites": seeded.sites,
        "findings": seeded.findings,
        "reused_database": reused,
        "scan_while_serving": scan,
        "clients": bench.clients,
        "seconds": bench.seconds,
        "seed_seconds": seed_seconds,
        "drive_seconds": drive_seconds,
        "seed_phases_seconds": {
            "import_sites": seeded.import_seconds,
            "record_findings": seeded.findings_seconds,
        },
        "routes": routes,
    }))
}

/// What seeding stored, and how long its two phases took.
struct Seeded {
    sites: usize,
    findings: usize,
    import_seconds: f64,
    findings_seconds: f64,
}

/// Imports the synthetic portfolio, records the findings and creates the administrator;
/// what was stored and the administrator's password.
async fn seed(
    store: &AnyStore,
    dir: &std::path::Path,
    bench: &ServeBench,
) -> anyhow::Result<Seeded> {
    let importing = Instant::now();
    let today = today_in_china();
    let workbook = dir.join("bench-serve-portfolio.xlsx");
    crate::export::write_portfolio_xlsx(
        &workbook,
        &bench::synthetic_portfolio(bench.sites, today),
    )?;
    let options = ImportOptions {
        dry_run: false,
        actor: ACTOR.to_owned(),
        today,
        fileable_tlds: FileableTlds::bundled(),
    };
    let report = run_import(store, &workbook, &options).await?;
    ensure!(
        report.is_ok() && report.applied,
        "生成的工作簿未能导入（程序缺陷）/ the generated workbook did not import (a bug): {:?}",
        report.errors.first()
    );
    let sites = store
        .list(&ListQuery {
            kind: RecordKind::Website,
            limit: 0,
            ..ListQuery::default()
        })
        .await?;
    let site_ids: Vec<RecordId> = sites.items.iter().map(|record| record.id()).collect();
    let import_seconds = importing.elapsed().as_secs_f64();
    let recording = Instant::now();
    let findings = seed_findings(store, &site_ids, bench.findings).await?;
    Ok(Seeded {
        sites: site_ids.len(),
        findings,
        import_seconds,
        findings_seconds: recording.elapsed().as_secs_f64(),
    })
}

/// What a reused store holds (its sizes may differ from the flags: they are reported).
async fn stored_sizes(store: &AnyStore) -> anyhow::Result<Seeded> {
    let sites = store
        .list(&ListQuery {
            limit: 1,
            ..ListQuery::of(RecordKind::Website)
        })
        .await?
        .total;
    let findings = store
        .list_findings(&beian_store::FindingQuery {
            limit: 1,
            ..beian_store::FindingQuery::default()
        })
        .await?
        .total;
    Ok(Seeded {
        sites: usize::try_from(sites)?,
        findings: usize::try_from(findings)?,
        import_seconds: 0.0,
        findings_seconds: 0.0,
    })
}

/// Creates the run's administrator in the default organisation; its password.
async fn add_admin(store: &AnyStore, name: &str) -> anyhow::Result<String> {
    // A cheap hash: login cost is not what this bench measures.
    let cost = PasswordCost {
        memory_kib: 1024,
        iterations: 1,
    };
    let password = beian_web::auth::random_hex(16);
    add_user(
        store,
        ACTOR,
        name,
        Role::Admin,
        &[DEFAULT_ORGANISATION],
        Some(password.clone()),
        cost,
    )
    .await?;
    Ok(password)
}

/// Until `deadline`, judges sites one after another as a scan does (one transaction per
/// site through `record_site_judgement`, findings opening and resolving as the rotating
/// drafts change); how many sites it wrote and how fast.
async fn write_like_a_scan(
    store: AnyStore,
    deadline: Instant,
) -> anyhow::Result<serde_json::Value> {
    let sites = store
        .list(&ListQuery {
            limit: 0,
            ..ListQuery::of(RecordKind::Website)
        })
        .await?;
    let site_ids: Vec<RecordId> = sites.items.iter().map(|record| record.id()).collect();
    ensure!(
        !site_ids.is_empty(),
        "压测数据库没有网站 / the bench store has no sites"
    );
    let scan = store.begin_scan(ACTOR, "bench serve (writer)").await?;
    let started = Instant::now();
    let mut written = 0_usize;
    let mut changed = 0_usize;
    while Instant::now() < deadline {
        let site_id = site_ids[written % site_ids.len()];
        // A different rotation each pass: some findings resolve, others open.
        let drafts: Vec<FindingDraft> = (0..4).map(|n| draft(site_id, written + n, n)).collect();
        let outcome = store
            .record_site_judgement(ACTOR, scan.id, site_id, None, &drafts, Utc::now())
            .await?;
        changed += outcome.opened.len() + outcome.resolved.len();
        written += 1;
    }
    store
        .finish_scan(ACTOR, scan.id, &json!({ "bench_writer": true }).to_string())
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    Ok(json!({
        "sites_written": written,
        "findings_opened_or_resolved": changed,
        "sites_per_second": written as f64 / seconds.max(f64::EPSILON),
    }))
}

/// Spreads `total` findings over the sites (the first `total % sites` get one more), in
/// one scan, with rules and severities cycling so every filter has something to find.
async fn seed_findings(
    store: &AnyStore,
    site_ids: &[RecordId],
    total: usize,
) -> anyhow::Result<usize> {
    if site_ids.is_empty() || total == 0 {
        return Ok(0);
    }
    let scan = store.begin_scan(ACTOR, "bench serve").await?;
    let per_site = total / site_ids.len();
    let extra = total % site_ids.len();
    let now = Utc::now();
    let mut stored = 0;
    for (index, &site_id) in site_ids.iter().enumerate() {
        let count = per_site + usize::from(index < extra);
        let drafts: Vec<FindingDraft> = (0..count).map(|n| draft(site_id, index + n, n)).collect();
        let outcome = store
            .record_site_judgement(ACTOR, scan.id, site_id, None, &drafts, now)
            .await?;
        stored += outcome.opened.len();
    }
    store
        .finish_scan(ACTOR, scan.id, &json!({ "bench": true }).to_string())
        .await?;
    Ok(stored)
}

fn draft(site_id: RecordId, cycle: usize, n: usize) -> FindingDraft {
    let rule_id = ids::ALL[cycle % ids::ALL.len()];
    let severity = Severity::ALL[cycle % Severity::ALL.len()];
    FindingDraft {
        rule_id: rule_id.to_owned(),
        site_id,
        // Distinct per site, so several findings of one rule may coexist.
        key: format!("bench-{n}"),
        severity,
        explanation_zh: format!("压测生成的问题 {n}"),
        explanation_en: format!("finding {n} generated by the bench"),
        evidence: json!({ "bench": n }),
    }
}

/// What the clients measured on one route.
#[derive(Default)]
struct RouteFigures {
    micros: Vec<u64>,
    errors: u64,
}

/// Signs in once, then runs the clients until the time is up.
async fn drive(
    base: &str,
    admin: &str,
    password: &str,
    bench: &ServeBench,
    deadline: Instant,
) -> anyhow::Result<serde_json::Value> {
    let client = http_client()?;
    let login = client
        .post(format!("{base}/api/v1/session"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(json!({ "name": admin, "password": password }).to_string())
        .send()
        .await
        .context("登录请求失败 / the login request failed")?;
    ensure!(
        login.status().is_success(),
        "压测管理员登录失败 / the bench administrator could not sign in: {}",
        login.status()
    );
    let cookie = login
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            let pair = value.split(';').next()?.trim();
            pair.starts_with(&format!("{SESSION_COOKIE}="))
                .then(|| pair.to_owned())
        })
        .context("登录应答没有会话 Cookie / the login answer set no session cookie")?;

    let mut tasks = tokio::task::JoinSet::new();
    for client_index in 0..bench.clients {
        let client = client.clone();
        let cookie = cookie.clone();
        let base = base.to_owned();
        tasks.spawn(async move {
            let mut figures: Vec<RouteFigures> =
                ROUTES.iter().map(|_| RouteFigures::default()).collect();
            // Each client starts on another route so they all get load from the start.
            let mut turn = client_index;
            while Instant::now() < deadline {
                let route = turn % ROUTES.len();
                turn += 1;
                let started = Instant::now();
                let answer = client
                    .get(format!("{base}{}", ROUTES[route]))
                    .header(reqwest::header::COOKIE, &cookie)
                    .send()
                    .await;
                // The body is part of the answer's cost: read it before stopping the clock.
                let ok = match answer {
                    Ok(response) => {
                        let status = response.status();
                        response.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                let elapsed = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                let slot = &mut figures[route];
                if ok {
                    slot.micros.push(elapsed);
                } else {
                    slot.errors += 1;
                }
            }
            figures
        });
    }
    let mut totals: Vec<RouteFigures> = ROUTES.iter().map(|_| RouteFigures::default()).collect();
    while let Some(done) = tasks.join_next().await {
        let figures = done.context("压测客户端崩溃 / a bench client panicked")?;
        for (total, part) in totals.iter_mut().zip(figures) {
            total.micros.extend(part.micros);
            total.errors += part.errors;
        }
    }
    Ok(route_report(totals))
}

fn route_report(totals: Vec<RouteFigures>) -> serde_json::Value {
    let routes: BTreeMap<&str, serde_json::Value> = ROUTES
        .iter()
        .zip(totals)
        .map(|(route, mut figures)| {
            figures.micros.sort_unstable();
            let millis = |percent| {
                super::bench_probes::percentile(&figures.micros, percent).map(|m| m as f64 / 1000.0)
            };
            (
                *route,
                json!({
                    "requests": figures.micros.len() as u64 + figures.errors,
                    "p50_ms": millis(50),
                    "p95_ms": millis(95),
                    "errors": figures.errors,
                }),
            )
        })
        .collect();
    json!(routes)
}

/// Plain HTTP to loopback only; the TLS configuration is required by the client builder
/// (no default provider in the workspace) but never used.
fn http_client() -> anyhow::Result<reqwest::Client> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS 配置失败 / the TLS configuration failed")?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .pool_max_idle_per_host(256)
        .build()
        .context("无法创建 HTTP 客户端 / cannot build the HTTP client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tiny_run_reports_every_route() {
        let report = bench_serve(ServeBench {
            sites: 20,
            findings: 50,
            clients: 2,
            seconds: 1,
            database: None,
            with_scan: true,
        })
        .await
        .expect("a tiny bench run");
        assert_eq!(report["sites"], 20);
        assert_eq!(report["findings"], 50);
        assert_eq!(report["clients"], 2);
        assert!(report["seed_seconds"].as_f64().is_some_and(|s| s > 0.0));
        assert!(report["drive_seconds"].as_f64().is_some_and(|s| s >= 1.0));
        for route in ROUTES {
            let figures = &report["routes"][route];
            assert!(
                figures["requests"].as_u64().is_some_and(|n| n > 0),
                "{route}: {figures}"
            );
            assert_eq!(figures["errors"], 0, "{route}: {figures}");
            assert!(figures["p95_ms"].as_f64().is_some(), "{route}: {figures}");
        }
    }
}

//! `beian bench probes --sites N`: starts the lab with N bulk healthy sites, points the probes
//! at it through the same config path a user's `beian.toml` takes, checks every bulk site (DNS,
//! RDAP or WHOIS, HTTP as two personas, TLS on HTTPS sites) and prints throughput, peak memory,
//! per-probe p50/p95 and failure counts as JSON.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use beian_lab::ScenarioKind;
use beian_probe::check::{CheckTarget, FailedProbe, PROBES, SiteChecker};
use beian_probe::{Persona, PersonaKind};
use serde_json::json;
use tokio::sync::Semaphore;

use crate::commands::check::build_checker;
use crate::commands::lab::start_lab;
use crate::config::{self, Settings};
use crate::error::{Exit, UserError};
use crate::output;

/// The lab's servers are ours: the per-server rate limits that protect real registries
/// would only measure the limiter.
const LAB_SERVER_QUERIES_PER_MINUTE: u32 = 60_000_000;

/// What one check contributes to the totals.
struct CheckFigures {
    timings: Vec<(&'static str, u64)>,
    failures: Vec<FailedProbe>,
}

pub async fn run(sites: u32, concurrency: u32, settings: &Settings) -> anyhow::Result<Exit> {
    let sites = usize::try_from(sites).context("--sites 超出范围 / --sites out of range")?;
    let concurrency = usize::try_from(concurrency).context("--concurrency 超出范围")?;
    let lab_clock = Instant::now();
    let lab = start_lab(sites).await?;
    let lab_start_seconds = lab_clock.elapsed().as_secs_f64();

    let dir =
        tempfile::tempdir().context("无法创建临时目录 / cannot create a temporary directory")?;
    let config_path = dir.path().join(config::CONFIG_FILE_NAME);
    std::fs::write(&config_path, lab.beian_toml())
        .with_context(|| format!("无法写入 / cannot write {}", config_path.display()))?;
    let mut probe = config::probe_settings_from_file(&config_path)?;
    probe.http.personas = vec![
        Persona {
            kind: PersonaKind::DesktopBrowser,
            baidu_referer: false,
        },
        Persona {
            kind: PersonaKind::Baiduspider,
            baidu_referer: false,
        },
    ];
    // Many sites at once overall, but each lab address keeps the polite per-IP limit.
    probe.limits.global_concurrency = probe.limits.global_concurrency.max(concurrency);
    probe.whois.per_server_per_minute = LAB_SERVER_QUERIES_PER_MINUTE;
    probe.rdap.per_server_per_minute = LAB_SERVER_QUERIES_PER_MINUTE;
    let checker = Arc::new(build_checker(&probe)?);

    let targets = lab
        .sites()
        .iter()
        .filter(|site| site.scenario == ScenarioKind::BulkHealthy)
        .map(|site| {
            CheckTarget::parse(site.url.as_str(), &settings.validation).map_err(|error| {
                UserError::input(format!(
                    "实验室网站 {} 无法检查 / lab site {} cannot be checked: {error}",
                    site.url, site.url
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let clock = Instant::now();
    let figures = check_bounded(&checker, targets, concurrency).await;
    let seconds = clock.elapsed().as_secs_f64();
    lab.shutdown().await;

    output::print_json(&report(&figures, seconds, lab_start_seconds, concurrency))?;
    Ok(Exit::Success)
}

/// Runs every check with at most `concurrency` in flight; only the figures are kept, so
/// memory does not grow with the number of sites.
async fn check_bounded(
    checker: &Arc<SiteChecker>,
    targets: Vec<CheckTarget>,
    concurrency: usize,
) -> Vec<CheckFigures> {
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut figures = Vec::with_capacity(targets.len());
    for target in targets {
        let permit = Arc::clone(&slots)
            .acquire_owned()
            .await
            .expect("the bench semaphore is never closed");
        let checker = Arc::clone(checker);
        tasks.spawn(async move {
            let report = checker.check(&target).await;
            drop(permit);
            CheckFigures {
                timings: report.probe_timings(),
                failures: report.failures(),
            }
        });
        while let Some(done) = tasks.try_join_next() {
            figures.extend(done.ok());
        }
    }
    while let Some(done) = tasks.join_next().await {
        figures.extend(done.ok());
    }
    figures
}

fn report(
    figures: &[CheckFigures],
    seconds: f64,
    lab_start_seconds: f64,
    concurrency: usize,
) -> serde_json::Value {
    let mut per_probe: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut failures: BTreeMap<String, u64> = BTreeMap::new();
    // One example per failure kind says more than a count when something goes wrong.
    let mut examples: BTreeMap<String, &str> = BTreeMap::new();
    for site in figures {
        for (probe, elapsed) in &site.timings {
            per_probe.entry(probe).or_default().push(*elapsed);
        }
        for failed in &site.failures {
            let key = format!("{}.{}", failed.probe, failed.kind);
            examples.entry(key.clone()).or_insert(&failed.detail);
            *failures.entry(key).or_default() += 1;
        }
    }
    let probes: serde_json::Map<String, serde_json::Value> = PROBES
        .iter()
        .map(|probe| {
            let mut values = per_probe.remove(probe).unwrap_or_default();
            values.sort_unstable();
            (
                (*probe).to_owned(),
                json!({
                    "count": values.len(),
                    "p50_ms": percentile(&values, 50),
                    "p95_ms": percentile(&values, 95),
                    "max_ms": values.last(),
                }),
            )
        })
        .collect();
    let sites = figures.len();
    json!({
        "sites": sites,
        "seconds": seconds,
        "sites_per_second": if seconds > 0.0 { sites as f64 / seconds } else { 0.0 },
        "peak_rss_bytes": peak_rss_bytes(),
        "concurrency": concurrency,
        "lab_start_seconds": lab_start_seconds,
        "note": "peak_rss_bytes includes the in-process lab / 峰值内存包含进程内的实验室",
        "probes": probes,
        "failures": failures,
        "failure_examples": examples,
    })
}

/// The nearest-rank percentile of sorted values; `None` when there are none.
pub(crate) fn percentile(sorted: &[u64], percent: usize) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// VmHWM (peak resident set) from /proc/self/status; `None` off Linux.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50), Some(50));
        assert_eq!(percentile(&values, 95), Some(95));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|bytes| bytes > 0));
        }
    }
}

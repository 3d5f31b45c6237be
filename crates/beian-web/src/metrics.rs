//! Prometheus `/metrics`: HTTP requests by route template, method and status, request
//! durations by route, findings by severity, sites by status and checks due by check
//! (counted in the store at scrape time), the scheduler's scans by outcome, probe
//! latencies by probe and last round ([`SchedulerMetrics`]), and `beian_build_info`.
//!
//! The scheduler lives in beian-engine, which sits right of this crate: the engine only
//! knows a trait, and `beian serve` hands it this state's [`SchedulerMetrics`] behind it.
//!
//! Written over atomics in the Prometheus text exposition format (version 0.0.4) rather
//! than with the `metrics` facade and its exporter: the exporter's recorder is global to
//! the process, while every [`AppState`] here (and every test) keeps its own counters,
//! and the whole format needed is a few lines of text. No new dependency.
//!
//! `/metrics` needs no session (scrapers carry none). [`crate::WebConfig::metrics`] turns
//! it off (the path then answers 404 like any unknown path) and
//! [`crate::WebConfig::metrics_loopback_only`] limits it to callers on 127.0.0.0/8 and ::1.
//! It shows counts across every organisation, never names, so a multi-tenant server
//! should keep it on loopback or behind its proxy.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use beian_core::finding::Severity;
use beian_core::model::RecordKind;
use beian_store::{FindingQuery, ListQuery, Store, StoreError};

use crate::auth::ClientIp;
use crate::{ApiError, AppState};

/// The content type Prometheus expects for the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The route label of requests no route matched: never the raw path, which the caller
/// chooses and would make one series per probe of a scanner.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Upper bounds of the duration histogram's buckets, in seconds (the client libraries'
/// defaults: the pages aim at p95 < 100 ms, so the fine buckets sit below that).
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Site statuses counted by `beian_sites`.
const SITE_STATUSES: [&str; 2] = ["active", "closed"];

/// Method label and route template.
type RouteKey = (&'static str, String);
/// Method label, route template and status code.
type RequestKey = (&'static str, String, u16);

/// Upper bounds of the probe latency buckets, in seconds: probes wait on remote servers
/// (WHOIS, slow sites) up to their timeouts, so the range reaches a minute.
const PROBE_BUCKETS: [f64; 12] = [
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The probe kinds timed by `beian_probe_duration_seconds`.
pub const PROBE_KINDS: [&str; 4] = ["registration", "dns", "http", "tls"];

/// How a scheduled scan round ended, as counted by `beian_scans_total`.
pub const SCAN_OUTCOMES: [&str; 2] = ["completed", "failed"];

/// Durations: a count per bucket of `bounds` (not cumulative; the exposition sums them),
/// the total count and the sum in microseconds.
struct Histogram<const N: usize> {
    buckets: [AtomicU64; N],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl<const N: usize> Default for Histogram<N> {
    fn default() -> Self {
        Histogram {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }
}

impl<const N: usize> Histogram<N> {
    fn observe(&self, bounds: &[f64; N], elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(index) = bounds.iter().position(|bound| seconds <= *bound) {
            self.buckets[index].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The `_bucket`, `_sum` and `_count` lines of `name` with `labels`.
    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64; N]) {
        // Read count first: buckets incremented meanwhile make `+Inf` at least the sum of
        // the finite buckets, as the format requires.
        let count = self.count.load(Ordering::Relaxed);
        let mut cumulative = 0;
        for (bound, bucket) in bounds.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels},le=\"{bound}\"}} {}",
                cumulative.min(count)
            );
        }
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels},le=\"+Inf\"}} {count}\n\
             {name}_sum{{{labels}}} {sum}\n\
             {name}_count{{{labels}}} {count}"
        );
    }
}

/// The scheduler's figures: scheduled scan rounds by outcome, probe latencies by probe
/// kind, and when the last round ended. Fixed series (every label value known up front),
/// so they read 0 rather than missing until the scheduler has run.
#[derive(Default)]
pub struct SchedulerMetrics {
    scans: [AtomicU64; SCAN_OUTCOMES.len()],
    probes: [Histogram<{ PROBE_BUCKETS.len() }>; PROBE_KINDS.len()],
    /// Unix time of the last round in microseconds; 0 before the first.
    last_tick_micros: AtomicU64,
}

impl std::fmt::Debug for SchedulerMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchedulerMetrics").finish_non_exhaustive()
    }
}

impl SchedulerMetrics {
    /// Counts a scheduled scan round that ended as `outcome` (one of [`SCAN_OUTCOMES`];
    /// anything else is ignored so callers cannot mint series).
    pub fn scan_finished(&self, outcome: &str) {
        if let Some(index) = SCAN_OUTCOMES.iter().position(|known| *known == outcome) {
            self.scans[index].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Times one probe of kind `probe` (one of [`PROBE_KINDS`]; others are ignored).
    pub fn probe_latency(&self, probe: &str, elapsed: Duration) {
        if let Some(index) = PROBE_KINDS.iter().position(|known| *known == probe) {
            self.probes[index].observe(&PROBE_BUCKETS, elapsed);
        }
    }

    /// Notes the end of a scheduler round, as Unix microseconds.
    pub fn tick(&self, unix_micros: u64) {
        self.last_tick_micros.store(unix_micros, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String) {
        header_lines(
            out,
            "beian_scans_total",
            "counter",
            "Scheduled scan rounds, by outcome",
        );
        for (outcome, count) in SCAN_OUTCOMES.iter().zip(&self.scans) {
            let _ = writeln!(
                out,
                "beian_scans_total{{outcome=\"{outcome}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        header_lines(
            out,
            "beian_probe_duration_seconds",
            "histogram",
            "Time one probe of a scheduled scan took, by probe kind",
        );
        for (probe, histogram) in PROBE_KINDS.iter().zip(&self.probes) {
            histogram.render(
                out,
                "beian_probe_duration_seconds",
                &format!("probe=\"{probe}\""),
                &PROBE_BUCKETS,
            );
        }
        header_lines(
            out,
            "beian_scheduler_last_tick_timestamp_seconds",
            "gauge",
            "Unix time the scheduler in this process last finished a round (0: never)",
        );
        let micros = self.last_tick_micros.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "beian_scheduler_last_tick_timestamp_seconds {}",
            micros as f64 / 1e6
        );
    }
}

/// The HTTP counters of one [`AppState`]. Series are created on first use; after that a
/// request costs a read lock and two atomic increments.
#[derive(Default)]
pub struct HttpMetrics {
    requests: RwLock<HashMap<RequestKey, Arc<AtomicU64>>>,
    durations: RwLock<HashMap<RouteKey, Arc<Histogram<{ BUCKETS.len() }>>>>,
}

impl std::fmt::Debug for HttpMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpMetrics").finish_non_exhaustive()
    }
}

/// The series for `key`, created if missing. A poisoned lock still holds valid
/// counters (increments cannot tear), so it is used as is.
fn series<K, V>(map: &RwLock<HashMap<K, Arc<V>>>, key: K) -> Arc<V>
where
    K: std::hash::Hash + Eq,
    V: Default,
{
    if let Some(found) = map.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return Arc::clone(found);
    }
    Arc::clone(
        map.write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default(),
    )
}

/// Methods by name; any other method is `other`, so callers cannot mint series.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

impl HttpMetrics {
    /// Counts one answered request to `route` (a template such as `/api/v1/sites/{id}`).
    pub fn record(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        let method = method_label(method);
        series(&self.requests, (method, route.to_owned(), status.as_u16()))
            .fetch_add(1, Ordering::Relaxed);
        series(&self.durations, (method, route.to_owned())).observe(&BUCKETS, elapsed);
    }

    /// The HTTP series in the text format, sorted so scrapes diff cleanly.
    fn render(&self, out: &mut String) {
        let mut requests: Vec<_> = self
            .requests
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(key, count)| (key.clone(), count.load(Ordering::Relaxed)))
            .collect();
        requests.sort();
        header_lines(
            out,
            "beian_http_requests_total",
            "counter",
            "HTTP requests answered, by route template, method and status",
        );
        for ((method, route, status), count) in requests {
            let _ = writeln!(
                out,
                "beian_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                escape(&route)
            );
        }

        let mut durations: Vec<_> = self
            .durations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(key, histogram)| (key.clone(), Arc::clone(histogram)))
            .collect();
        durations.sort_by(|a, b| a.0.cmp(&b.0));
        header_lines(
            out,
            "beian_http_request_duration_seconds",
            "histogram",
            "Time to answer an HTTP request (until the response head), by route template and method",
        );
        for ((method, route), histogram) in durations {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(&route));
            histogram.render(
                out,
                "beian_http_request_duration_seconds",
                &labels,
                &BUCKETS,
            );
        }
    }
}

fn header_lines(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware on the whole router: times each request and counts it under its route
/// template ([`UNMATCHED_ROUTE`] when none matched).
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || UNMATCHED_ROUTE.to_owned(),
        |path| path.as_str().to_owned(),
    );
    let response = next.run(request).await;
    state
        .http_metrics()
        .record(&method, &route, response.status(), started.elapsed());
    response
}

/// Counts read from the store for one scrape.
struct StoreCounts {
    /// Unresolved findings (open, acknowledged or suppressed), by severity.
    findings: Vec<(Severity, u64)>,
    sites: Vec<(&'static str, u64)>,
    /// Checks of active sites due now, by check.
    due: Vec<(&'static str, u64)>,
}

/// Only totals: each query asks for one row and reads the match count.
async fn store_counts(store: &impl Store) -> Result<StoreCounts, StoreError> {
    // Findings at least as severe as each level; the differences are the per-level counts.
    let mut at_least = Vec::with_capacity(Severity::ALL.len());
    for severity in Severity::ALL {
        let page = store
            .list_findings(&FindingQuery {
                min_severity: Some(severity),
                limit: 1,
                ..FindingQuery::default()
            })
            .await?;
        at_least.push(page.total);
    }
    let findings = Severity::ALL
        .iter()
        .enumerate()
        .map(|(i, severity)| {
            let above = at_least.get(i + 1).copied().unwrap_or(0);
            (*severity, at_least[i].saturating_sub(above))
        })
        .collect();
    let mut sites = Vec::with_capacity(SITE_STATUSES.len());
    for status in SITE_STATUSES {
        let page = store
            .list(&ListQuery {
                status: Some(status.to_owned()),
                limit: 1,
                ..ListQuery::of(RecordKind::Website)
            })
            .await?;
        sites.push((status, page.total));
    }
    let due = store
        .due_check_counts(chrono::Utc::now())
        .await?
        .into_iter()
        .map(|(check, count)| (check.as_str(), count))
        .collect();
    Ok(StoreCounts {
        findings,
        sites,
        due,
    })
}

/// The whole exposition of `state`: HTTP series, store gauges and build info. A store
/// failure leaves the store gauges out and sets `beian_metrics_store_up` to 0, so the
/// HTTP series still reach the scraper while it is down.
pub async fn render(state: &AppState) -> String {
    let mut out = String::with_capacity(4096);
    header_lines(
        &mut out,
        "beian_build_info",
        "gauge",
        "Always 1; the labels name the running build",
    );
    let _ = writeln!(
        out,
        "beian_build_info{{version=\"{}\"}} 1",
        escape(env!("CARGO_PKG_VERSION"))
    );
    state.http_metrics().render(&mut out);
    state.scheduler_metrics().render(&mut out);

    let counts = store_counts(state.store()).await;
    header_lines(
        &mut out,
        "beian_metrics_store_up",
        "gauge",
        "1 when this scrape could read the counts from the database, else 0",
    );
    let _ = writeln!(out, "beian_metrics_store_up {}", u8::from(counts.is_ok()));
    match counts {
        Ok(counts) => {
            header_lines(
                &mut out,
                "beian_findings",
                "gauge",
                "Unresolved findings (open, acknowledged or suppressed), by severity",
            );
            for (severity, count) in counts.findings {
                let _ = writeln!(
                    out,
                    "beian_findings{{severity=\"{}\"}} {count}",
                    severity.as_str()
                );
            }
            header_lines(&mut out, "beian_sites", "gauge", "Websites, by status");
            for (status, count) in counts.sites {
                let _ = writeln!(out, "beian_sites{{status=\"{status}\"}} {count}");
            }
            header_lines(
                &mut out,
                "beian_checks_due",
                "gauge",
                "Scheduled checks of active sites due now (the queue), by check",
            );
            for (check, count) in counts.due {
                let _ = writeln!(out, "beian_checks_due{{check=\"{check}\"}} {count}");
            }
        }
        Err(error) => tracing::warn!(%error, "metrics: reading counts from the store failed"),
    }
    out
}

/// `GET /metrics`. Mounted only when [`crate::WebConfig::metrics`] is on.
pub(crate) async fn scrape(State(state): State<AppState>, ClientIp(ip): ClientIp) -> Response {
    if state.config().metrics_loopback_only && !ip.is_loopback() {
        // As if the path did not exist: nothing to learn from a refusal.
        return ApiError::not_found("path", "路径").into_response();
    }
    let body = render(&state).await;
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labels_escaped() {
        let metrics = HttpMetrics::default();
        metrics.record(
            &Method::GET,
            "/a\"b",
            StatusCode::OK,
            Duration::from_millis(3),
        );
        metrics.record(
            &Method::GET,
            "/a\"b",
            StatusCode::OK,
            Duration::from_millis(70),
        );
        metrics.record(
            &Method::from_bytes(b"BREW").expect("a valid token"),
            "/a\"b",
            StatusCode::NOT_FOUND,
            Duration::from_secs(60),
        );
        let mut out = String::new();
        metrics.render(&mut out);
        let route = r#"route="/a\"b""#;
        for line in [
            format!("beian_http_requests_total{{{route},method=\"GET\",status=\"200\"}} 2"),
            format!("beian_http_requests_total{{{route},method=\"other\",status=\"404\"}} 1"),
            format!(
                "beian_http_request_duration_seconds_bucket{{{route},method=\"GET\",le=\"0.005\"}} 1"
            ),
            format!(
                "beian_http_request_duration_seconds_bucket{{{route},method=\"GET\",le=\"0.1\"}} 2"
            ),
            format!(
                "beian_http_request_duration_seconds_bucket{{{route},method=\"other\",le=\"10\"}} 0"
            ),
            format!(
                "beian_http_request_duration_seconds_bucket{{{route},method=\"other\",le=\"+Inf\"}} 1"
            ),
            format!("beian_http_request_duration_seconds_count{{{route},method=\"GET\"}} 2"),
        ] {
            assert!(out.lines().any(|l| l == line), "{line} not in\n{out}");
        }
    }

    #[test]
    fn scheduler_series_are_fixed_and_count() {
        let metrics = SchedulerMetrics::default();
        let mut out = String::new();
        metrics.render(&mut out);
        for line in [
            "beian_scans_total{outcome=\"completed\"} 0",
            "beian_scans_total{outcome=\"failed\"} 0",
            "beian_probe_duration_seconds_count{probe=\"registration\"} 0",
            "beian_scheduler_last_tick_timestamp_seconds 0",
        ] {
            assert!(out.lines().any(|l| l == line), "{line} not in\n{out}");
        }
        metrics.scan_finished("completed");
        metrics.scan_finished("invented");
        metrics.probe_latency("dns", Duration::from_millis(20));
        metrics.probe_latency("whois?", Duration::from_millis(20));
        metrics.tick(1_700_000_000_500_000);
        let mut out = String::new();
        metrics.render(&mut out);
        for line in [
            "beian_scans_total{outcome=\"completed\"} 1",
            "beian_probe_duration_seconds_bucket{probe=\"dns\",le=\"0.01\"} 0",
            "beian_probe_duration_seconds_bucket{probe=\"dns\",le=\"0.025\"} 1",
            "beian_probe_duration_seconds_count{probe=\"dns\"} 1",
            "beian_probe_duration_seconds_count{probe=\"http\"} 0",
            "beian_scheduler_last_tick_timestamp_seconds 1700000000.5",
        ] {
            assert!(out.lines().any(|l| l == line), "{line} not in\n{out}");
        }
        assert!(
            !out.contains("invented") && !out.contains("whois?"),
            "{out}"
        );
    }
}

//! Prometheus `/metrics`: HTTP requests by route template, method and status, request
//! durations by route, findings by severity and sites by status (counted in the store at
//! scrape time), and `beian_build_info`.
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

/// Durations of one route and method: a count per bucket (not cumulative; the
/// exposition sums them), the total count and the sum in microseconds.
#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(index) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[index].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// The HTTP counters of one [`AppState`]. Series are created on first use; after that a
/// request costs a read lock and two atomic increments.
#[derive(Default)]
pub struct HttpMetrics {
    requests: RwLock<HashMap<RequestKey, Arc<AtomicU64>>>,
    durations: RwLock<HashMap<RouteKey, Arc<Histogram>>>,
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
        series(&self.durations, (method, route.to_owned())).observe(elapsed);
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
            // Read count first: buckets incremented meanwhile make `+Inf` at least the
            // sum of the finite buckets, as the format requires.
            let count = histogram.count.load(Ordering::Relaxed);
            let mut cumulative = 0;
            for (bound, bucket) in BUCKETS.iter().zip(&histogram.buckets) {
                cumulative += bucket.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "beian_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    cumulative.min(count)
                );
            }
            let sum = histogram.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "beian_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\n\
                 beian_http_request_duration_seconds_sum{{{labels}}} {sum}\n\
                 beian_http_request_duration_seconds_count{{{labels}}} {count}"
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
    Ok(StoreCounts { findings, sites })
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
}

//! `/`: what needs attention first — the most severe findings, domains expiring within
//! 90 days, sites by status, findings by severity and their trend over 30 days (charts
//! in inline SVG, which the CSP allows: it is markup, not script).
//!
//! Every figure comes from the store's count tables or an indexed page, so the page costs
//! the same at a million findings as at ten.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use beian_core::case::deadlines::beijing_date;
use beian_core::finding::{Finding, Severity};
use beian_store::{CountScope, FindingQuery, SeverityCounts, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

use super::chrome::{Chrome, PageUser, SiteNames};
use super::{PageError, render};
use crate::AppState;

/// How far ahead the overview looks for expiring domains.
const EXPIRY_HORIZON_DAYS: i64 = 90;
/// How many of the most severe findings the overview lists.
const TOP_FINDINGS: u32 = 10;
/// How many expiring domains the overview lists.
const EXPIRY_ROWS: u32 = 50;
/// Days the trend chart covers.
const TREND_DAYS: i64 = 30;
/// How stale today's trend point may get before a page view writes it again.
const TREND_REFRESH: Duration = Duration::minutes(10);
/// The trend chart's drawing area, in SVG units.
const TREND_WIDTH: i64 = 600;
const TREND_HEIGHT: i64 = 120;

pub struct SeverityCount {
    pub severity: Severity,
    pub count: u64,
    /// Bar height in the chart, 0–100.
    pub height: u64,
    /// The bar's top edge (the chart is 120 high with a 10-unit margin).
    pub y: u64,
    pub x: u64,
}

pub struct Expiry {
    pub domain: String,
    pub site_id: Option<i64>,
    pub expires_on: String,
    pub days_left: i64,
}

/// One line of the trend chart: a severity band's unresolved findings per day.
pub struct TrendLine {
    /// `total` or a severity code, for the CSS class.
    pub class: &'static str,
    pub label: String,
    /// SVG polyline points, `x,y x,y …`.
    pub points: String,
    /// The latest value, shown in the legend.
    pub latest: u64,
}

/// The trend chart: its lines and the first and last day it shows.
pub struct Trend {
    pub lines: Vec<TrendLine>,
    pub first_day: String,
    pub last_day: String,
    pub max: u64,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    c: Chrome,
    findings: Vec<Finding>,
    names: SiteNames,
    severities: Vec<SeverityCount>,
    active_sites: u64,
    closed_sites: u64,
    expiries: Vec<Expiry>,
    trend: Option<Trend>,
}

/// The bars of the severity chart, most severe first.
fn severity_bars(counts: &SeverityCounts) -> Vec<SeverityCount> {
    let max = Severity::ALL
        .into_iter()
        .map(|s| counts.of(s))
        .max()
        .unwrap_or(0)
        .max(1);
    Severity::ALL
        .into_iter()
        .rev()
        .enumerate()
        .map(|(i, severity)| {
            let count = counts.of(severity);
            let height = count * 100 / max;
            SeverityCount {
                severity,
                count,
                height,
                y: 110 - height,
                x: 10 + i as u64 * 60,
            }
        })
        .collect()
}

/// Unix minute of the last trend write by this process: one page view at a time writes.
static TREND_WRITTEN_MINUTE: AtomicI64 = AtomicI64::new(i64::MIN);

/// Writes today's trend point when it is missing or older than [`TREND_REFRESH`], so the
/// chart has a point per day the dashboard (or a scan) was used; at most one view per
/// process and refresh period pays for the write.
async fn refresh_trend(
    state: &AppState,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), beian_store::StoreError> {
    let minute = now.timestamp() / 60;
    let last = TREND_WRITTEN_MINUTE.load(Ordering::Relaxed);
    if minute.saturating_sub(last) < TREND_REFRESH.num_minutes()
        || TREND_WRITTEN_MINUTE
            .compare_exchange(last, minute, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return Ok(());
    }
    let recorded = state.store().finding_trend_recorded_at(today).await?;
    if recorded.is_none_or(|at| now - at >= TREND_REFRESH) {
        state.store().record_finding_trend(today, now).await?;
    }
    Ok(())
}

/// A trend line's CSS class, label and value of a day.
type TrendSeries<'a> = (&'static str, &'a str, fn(&SeverityCounts) -> u64);

/// The chart's lines from the stored trend points (none with fewer than two days).
fn trend_chart(
    c: &Chrome,
    points: &[(NaiveDate, SeverityCounts)],
    today: NaiveDate,
) -> Option<Trend> {
    let (first, _) = points.first()?;
    let (last, _) = points.last()?;
    if first == last {
        return None;
    }
    let start = today - Duration::days(TREND_DAYS - 1);
    let series: [TrendSeries; 3] = [
        (
            "total",
            c.t("全部未解决", "all unresolved"),
            SeverityCounts::total,
        ),
        ("critical", c.severity(&Severity::Critical), |counts| {
            counts.of(Severity::Critical)
        }),
        ("high", c.t("高及以上", "high or worse"), |counts| {
            counts.at_least(Severity::High)
        }),
    ];
    let max = points
        .iter()
        .map(|(_, counts)| counts.total())
        .max()
        .unwrap_or(0)
        .max(1);
    let lines = series
        .into_iter()
        .map(|(class, label, value)| {
            let polyline = points
                .iter()
                .map(|(day, counts)| {
                    let x = (*day - start).num_days().clamp(0, TREND_DAYS - 1) * TREND_WIDTH
                        / (TREND_DAYS - 1);
                    let v = i64::try_from(value(counts)).unwrap_or(i64::MAX);
                    let max = i64::try_from(max).unwrap_or(i64::MAX);
                    let y = TREND_HEIGHT - v.saturating_mul(TREND_HEIGHT) / max;
                    format!("{},{}", x + 40, y + 10)
                })
                .collect::<Vec<_>>()
                .join(" ");
            TrendLine {
                class,
                label: label.to_owned(),
                points: polyline,
                latest: points.last().map_or(0, |(_, counts)| value(counts)),
            }
        })
        .collect();
    Some(Trend {
        lines,
        first_day: first.to_string(),
        last_day: last.to_string(),
        max,
    })
}

/// Domains of the user's sites expiring (or expired) before the horizon, soonest first.
async fn expiries(state: &AppState, user: &PageUser, sites: u64) -> Result<Vec<Expiry>, PageError> {
    let today = beijing_date(Utc::now());
    // Scoped in the store (a domain without a site belongs to the default organisation,
    // like a case), so another organisation's many expiries cannot crowd out the user's.
    let domains = state
        .store()
        .expiring_domains_in(
            user.principal.organisations(),
            sites,
            today + Duration::days(EXPIRY_HORIZON_DAYS + 1),
            EXPIRY_ROWS,
        )
        .await
        .map_err(|e| user.error(e))?;
    Ok(domains
        .into_iter()
        .filter_map(|domain| {
            let expires_on = domain.expires_on?;
            Some(Expiry {
                domain: domain.unicode_name,
                site_id: domain.website_id,
                expires_on: expires_on.to_string(),
                days_left: (expires_on - today).num_days(),
            })
        })
        .take(EXPIRY_ROWS as usize)
        .collect())
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let scope = CountScope::Organisations(user.principal.organisations());
    let now = Utc::now();
    let today = beijing_date(now);
    let findings = state
        .store()
        .list_findings_in(
            user.principal.organisations(),
            &FindingQuery {
                limit: TOP_FINDINGS,
                ..FindingQuery::default()
            },
        )
        .await
        .map_err(|e| user.error(e))?
        .items;
    let (counts, by_status) = state
        .store()
        .scope_counts(scope)
        .await
        .map_err(|e| user.error(e))?;
    refresh_trend(&state, today, now)
        .await
        .map_err(|e| user.error(e))?;
    let trend_points = state
        .store()
        .finding_trend(scope, today - Duration::days(TREND_DAYS - 1))
        .await
        .map_err(|e| user.error(e))?;
    let c = user.chrome("/");
    let page = OverviewPage {
        names: SiteNames::load(&state, &user, findings.iter().map(|f| f.site_id).collect()).await?,
        findings,
        severities: severity_bars(&counts),
        active_sites: by_status.get("active").copied().unwrap_or(0),
        closed_sites: by_status.get("closed").copied().unwrap_or(0),
        expiries: expiries(&state, &user, by_status.values().sum()).await?,
        trend: trend_chart(&c, &trend_points, today),
        c,
    };
    Ok(render(&page))
}

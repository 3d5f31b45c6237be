//! One scan: every site of the scope through probes, detection and rules, recorded site by
//! site. Network work runs concurrently (bounded); store writes happen one site at a time in
//! the driving loop, each site in its own transaction, so an interrupted scan keeps every
//! site it finished and nothing half-written.

use std::collections::BTreeMap;
use std::sync::Arc;

use beian_core::facts::SiteObservation;
use beian_core::finding::{FindingDraft, Severity};
use beian_core::identifier::{ValidationContext, validate_domain};
use beian_core::model::{RecordId, Website};
use beian_core::rules::{RuleSettings, judge};
use beian_detect::DetectContext;
use beian_detect::lexicon::Lexicon;
use beian_probe::check::CheckTarget;
use beian_store::{FindingQuery, JudgementOutcome, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tokio::task::JoinSet;

use crate::cases::{OpenedCase, open_auto_cases};
use crate::checks::{CheckSet, ScheduledCheck, carry_over, hold_skipped};
use crate::error::EngineError;
use crate::evidence::{DetectionInput, PageFingerprint, analyse};
use crate::hold::carry_unknown;
use crate::metrics::ScanMetrics;
use crate::observe::{ObservationRecord, history_of, observe};
use crate::portfolio::Portfolio;
use crate::probes::ScanProbes;

/// Stored observations read per site to find the previous one and the baseline.
const HISTORY: u32 = 50;

/// Which sites a scan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanScope {
    All,
    Sites(Vec<RecordId>),
}

impl ScanScope {
    /// How the scan run names its scope: `all`, `site:12`, `sites:3,7`.
    pub fn label(&self) -> String {
        match self {
            ScanScope::All => "all".to_owned(),
            ScanScope::Sites(ids) if ids.len() == 1 => format!("site:{}", ids[0]),
            ScanScope::Sites(ids) => format!(
                "sites:{}",
                ids.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }
}

/// How a scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Who the audit log names.
    pub actor: String,
    /// Beijing date the rules count from.
    pub today: NaiveDate,
    /// Sites probed at once (the politeness limits bound requests further).
    pub concurrency: usize,
    pub rules: RuleSettings,
    /// Parses home URLs and finds registrable domains (fileable TLDs, today).
    pub validation: ValidationContext,
}

/// What happened to one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteReport {
    pub site_id: RecordId,
    pub name: String,
    pub home_url: String,
    /// The detectors' verdict on the pages (`clean`, `suspicious`, `hijacked`), when fetched.
    pub verdict: Option<String>,
    /// Why the site was judged on its inventory alone (home URL not checkable).
    pub unchecked: Option<String>,
    /// Why nothing was recorded for the site (its findings stay as they were).
    pub failed: Option<String>,
    /// Every finding the rules hold now (the site's unresolved findings after this scan).
    pub findings: Vec<FindingRef>,
    pub opened: Vec<FindingRef>,
    pub resolved: Vec<FindingRef>,
    pub cases_opened: Vec<OpenedCase>,
}

/// A finding named by its identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingRef {
    pub rule_id: String,
    pub key: String,
    pub severity: Severity,
}

impl FindingRef {
    fn of(rule_id: &str, key: &str, severity: Severity) -> FindingRef {
        FindingRef {
            rule_id: rule_id.to_owned(),
            key: key.to_owned(),
            severity,
        }
    }
}

/// The scan's totals, stored with the finished scan run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanSummary {
    pub scan_id: RecordId,
    pub scope: String,
    pub sites: usize,
    /// Sites judged on their inventory alone.
    pub unchecked: usize,
    /// Sites not recorded because their analysis failed.
    pub failed: usize,
    pub findings_opened: usize,
    pub findings_resolved: usize,
    /// Findings the rules hold after the scan, by severity (over the scanned sites).
    pub open_by_severity: BTreeMap<Severity, usize>,
    pub cases_opened: usize,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The summary and the per-site details (the latter are not stored: they are in the
/// findings and the audit log already).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanResult {
    pub summary: ScanSummary,
    pub sites: Vec<SiteReport>,
}

/// Told about progress (the CLI's progress bar). Calls come from the driving task.
pub trait ScanObserver {
    fn started(&self, _total: usize) {}
    fn site_done(&self, _site: &SiteReport, _summary: &ScanSummary) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl ScanObserver for Quiet {}

/// Runs scans over one store.
pub struct Scanner<'a, S: Store> {
    store: &'a S,
    probes: Arc<ScanProbes>,
    options: ScanOptions,
    detect: Arc<DetectContext>,
    metrics: Option<Arc<dyn ScanMetrics>>,
}

/// What a site task hands back to the driving loop.
struct Gathered {
    index: usize,
    observed: Observed,
    /// How long each probe that ran took, in milliseconds.
    timings: Vec<(ScheduledCheck, u64)>,
}

/// How a site's probing ended.
enum Observed {
    Seen(Box<ObservationRecord>),
    /// The home URL cannot be checked: the site is judged on its inventory.
    Uncheckable(String),
    /// The analysis broke (a bug): nothing is recorded, the findings stay as they were.
    Failed(String),
}

/// What the driving loop prepared for one site's task.
struct SitePlan {
    index: usize,
    checks: CheckSet,
    target: Result<CheckTarget, String>,
    names: Vec<String>,
    zones: Vec<String>,
    domains: Vec<beian_core::model::Domain>,
    baseline: Option<PageFingerprint>,
    expected: (Option<String>, Option<String>),
}

impl<'a, S: Store> Scanner<'a, S> {
    pub fn new(store: &'a S, probes: ScanProbes, options: ScanOptions) -> Scanner<'a, S> {
        let detect = Arc::new(DetectContext {
            lexicon: Lexicon::bundled(),
            validation: options.validation.clone(),
        });
        Scanner {
            store,
            probes: Arc::new(probes),
            options,
            detect,
            metrics: None,
        }
    }

    /// Reports probe latencies to `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<dyn ScanMetrics>) -> Scanner<'a, S> {
        self.metrics = Some(metrics);
        self
    }

    /// Scans the sites of `scope` with every check: begins a scan run, records every
    /// site, finishes the run.
    pub async fn run(
        &self,
        scope: &ScanScope,
        observer: &dyn ScanObserver,
    ) -> Result<ScanResult, EngineError> {
        let portfolio = Portfolio::load(self.store).await?;
        let sites: Vec<(Website, CheckSet)> = match scope {
            ScanScope::All => portfolio
                .websites()
                .iter()
                .map(|site| (site.clone(), CheckSet::ALL))
                .collect(),
            ScanScope::Sites(ids) => ids
                .iter()
                .map(|id| {
                    portfolio
                        .website(*id)
                        .map(|site| (site.clone(), CheckSet::ALL))
                        .ok_or(EngineError::UnknownSite(*id))
                })
                .collect::<Result<_, _>>()?,
        };
        self.run_sites(&portfolio, sites, &scope.label(), observer)
            .await
    }

    /// Scans each listed site with its own checks, reading only these sites' records (a
    /// scheduler batch costs the same at any inventory size). The facts of the checks a
    /// site did not run are carried over from its latest observation, and findings of
    /// those checks are neither opened nor resolved ([`crate::checks`]).
    pub async fn run_checks(
        &self,
        plan: &[(RecordId, CheckSet)],
        observer: &dyn ScanObserver,
    ) -> Result<ScanResult, EngineError> {
        let ids: Vec<RecordId> = plan.iter().map(|(id, _)| *id).collect();
        let portfolio = Portfolio::load_sites(self.store, &ids).await?;
        let sites = plan
            .iter()
            .map(|(id, checks)| {
                portfolio
                    .website(*id)
                    .map(|site| (site.clone(), *checks))
                    .ok_or(EngineError::UnknownSite(*id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.run_sites(&portfolio, sites, &ScanScope::Sites(ids).label(), observer)
            .await
    }

    async fn run_sites(
        &self,
        portfolio: &Portfolio,
        sites: Vec<(Website, CheckSet)>,
        label: &str,
        observer: &dyn ScanObserver,
    ) -> Result<ScanResult, EngineError> {
        let run = self.store.begin_scan(&self.options.actor, label).await?;
        let mut summary = ScanSummary {
            scan_id: run.id,
            scope: run.scope.clone(),
            sites: sites.len(),
            started_at: Some(run.started_at),
            ..ScanSummary::default()
        };
        observer.started(sites.len());
        let mut reports: Vec<Option<SiteReport>> = vec![None; sites.len()];
        let mut previous: Vec<Option<SiteObservation>> = vec![None; sites.len()];
        let mut tasks: JoinSet<Gathered> = JoinSet::new();
        let mut next = 0;
        let concurrency = self.options.concurrency.max(1);
        loop {
            while tasks.len() < concurrency && next < sites.len() {
                let (site, checks) = &sites[next];
                let (plan, before) = self.plan(next, site, *checks, portfolio, run.id).await?;
                previous[next] = before;
                self.spawn(&mut tasks, plan);
                next += 1;
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let gathered = joined.map_err(|error| EngineError::Task(error.to_string()))?;
            let (site, checks) = &sites[gathered.index];
            if let Some(metrics) = &self.metrics {
                for (check, elapsed_ms) in &gathered.timings {
                    metrics.probe_latency(*check, *elapsed_ms);
                }
            }
            let report = match gathered.observed {
                Observed::Failed(reason) => {
                    tracing::error!(site = site.id, %reason, "a site was not recorded");
                    SiteReport {
                        failed: Some(reason),
                        ..site_report(
                            site,
                            None,
                            None,
                            &[],
                            &JudgementOutcome::default(),
                            Vec::new(),
                        )
                    }
                }
                observed => {
                    self.record(
                        run.id,
                        site,
                        *checks,
                        portfolio,
                        observed,
                        previous[gathered.index].take(),
                    )
                    .await?
                }
            };
            summary.findings_opened += report.opened.len();
            summary.findings_resolved += report.resolved.len();
            summary.cases_opened += report.cases_opened.len();
            summary.unchecked += usize::from(report.unchecked.is_some());
            summary.failed += usize::from(report.failed.is_some());
            for finding in &report.findings {
                *summary
                    .open_by_severity
                    .entry(finding.severity)
                    .or_default() += 1;
            }
            observer.site_done(&report, &summary);
            reports[gathered.index] = Some(report);
        }
        summary.finished_at = Some(Utc::now());
        let summary_json = serde_json::to_string(&summary).map_err(|error| {
            EngineError::Task(format!(
                "扫描摘要无法序列化 / cannot serialise the summary: {error}"
            ))
        })?;
        let finished = self
            .store
            .finish_scan(&self.options.actor, run.id, &summary_json)
            .await?;
        summary.finished_at = finished.finished_at;
        Ok(ScanResult {
            summary,
            sites: reports.into_iter().flatten().collect(),
        })
    }

    /// Reads what the site's task needs: its target, domains, baseline and the previous
    /// observation (returned apart: the rules need it, the task does not).
    async fn plan(
        &self,
        index: usize,
        site: &Website,
        checks: CheckSet,
        portfolio: &Portfolio,
        scan_id: RecordId,
    ) -> Result<(SitePlan, Option<SiteObservation>), EngineError> {
        let history = self.store.latest_observations(site.id, HISTORY).await?;
        let (previous, baseline) = history_of(site.id, &history, scan_id);
        let domains = portfolio.domains(site.id).to_vec();
        let names: Vec<String> = domains.iter().map(|domain| domain.name.clone()).collect();
        let mut zones: Vec<String> = names
            .iter()
            .filter_map(|name| {
                validate_domain(name, &self.options.validation)
                    .part("registrable")
                    .map(str::to_owned)
            })
            .collect();
        zones.sort_unstable();
        zones.dedup();
        let target = CheckTarget::parse(&site.home_url, &self.options.validation)
            .map(|mut target| {
                // When HTTPS cannot even be negotiated (an expired, self-signed or foreign
                // certificate), what the name serves over plain HTTP is still the evidence
                // that matters: a parking page, a cloud bucket's error, hijacked pages.
                target.may_fall_back_to_http = true;
                target
            })
            .map_err(|error| error.to_string());
        Ok((
            SitePlan {
                index,
                checks,
                target,
                names,
                zones,
                domains,
                baseline,
                expected: portfolio.expected_footer(site.id),
            },
            previous,
        ))
    }

    /// Probes and analyses one site off the driving loop.
    fn spawn(&self, tasks: &mut JoinSet<Gathered>, plan: SitePlan) {
        let probes = Arc::clone(&self.probes);
        let detect = Arc::clone(&self.detect);
        tasks.spawn(async move {
            let index = plan.index;
            let target = match plan.target {
                Ok(target) => target,
                Err(reason) => {
                    return Gathered {
                        index,
                        observed: Observed::Uncheckable(reason),
                        timings: Vec::new(),
                    };
                }
            };
            let evidence = probes
                .gather_checks(&target, &plan.names, &plan.zones, plan.checks)
                .await;
            let timings = probe_timings(&evidence);
            // Page analysis is CPU work: keep it off the threads that drive the sockets.
            let analysed = tokio::task::spawn_blocking(move || {
                let (icp, psb) = &plan.expected;
                let analysis = analyse(
                    &DetectionInput {
                        report: &evidence.report,
                        random_paths: &evidence.random_paths,
                        baseline: plan.baseline.as_ref(),
                        expected_icp: icp.as_deref(),
                        expected_psb: psb.as_deref(),
                    },
                    &detect,
                );
                observe(
                    &evidence,
                    &analysis,
                    &plan.domains,
                    Utc::now(),
                    &detect.validation,
                )
            })
            .await;
            let observed = match analysed {
                Ok(record) => Observed::Seen(Box::new(record)),
                Err(error) => Observed::Failed(format!("分析失败 / the analysis failed: {error}")),
            };
            Gathered {
                index,
                observed,
                timings,
            }
        });
    }

    /// Judges one site and records the judgement; opens the cases its findings call for.
    async fn record(
        &self,
        scan_id: RecordId,
        site: &Website,
        checks: CheckSet,
        portfolio: &Portfolio,
        observed: Observed,
        previous: Option<SiteObservation>,
    ) -> Result<SiteReport, EngineError> {
        let (mut record, unchecked) = match observed {
            Observed::Seen(record) => (Some(*record), None),
            Observed::Uncheckable(reason) | Observed::Failed(reason) => (None, Some(reason)),
        };
        if let Some(record) = record.as_mut() {
            // What the rules judge and what is stored: complete, the facts of the checks
            // that did not run carried over from the latest observation.
            carry_over(&mut record.observation, previous.as_ref(), checks);
            if !checks.contains(ScheduledCheck::Http) {
                record.home_fingerprint = None;
            }
        }
        let current = record.as_ref().map(|record| record.observation.clone());
        let verdict = current
            .as_ref()
            .and_then(|observation| observation.web.as_ref())
            .map(|web| web.verdict.clone());
        let facts = portfolio.facts(site, self.options.today, current, previous);
        let mut drafts = judge(&facts, &self.options.rules);
        let held = self
            .store
            .list_findings(&FindingQuery {
                site_id: Some(site.id),
                limit: 0,
                ..FindingQuery::default()
            })
            .await?;
        hold_skipped(&mut drafts, &held.items, checks);
        carry_unknown(&mut drafts, &held.items, facts.current.as_ref());
        let body = record
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|error| {
                EngineError::Task(format!(
                    "观察结果无法序列化 / cannot serialise the observation: {error}"
                ))
            })?;
        let outcome = self
            .store
            .record_site_judgement(
                &self.options.actor,
                scan_id,
                site.id,
                body.as_deref(),
                &drafts,
                Utc::now(),
            )
            .await?;
        let cases_opened =
            open_auto_cases(self.store, &self.options.actor, site, portfolio, &outcome).await?;
        Ok(site_report(
            site,
            verdict,
            unchecked,
            &drafts,
            &outcome,
            cases_opened,
        ))
    }
}

/// The latency of every probe that ran, by the check it belongs to.
fn probe_timings(evidence: &crate::observe::SiteEvidence) -> Vec<(ScheduledCheck, u64)> {
    evidence
        .report
        .probe_timings()
        .into_iter()
        .filter_map(|(probe, elapsed_ms)| {
            let check = ScheduledCheck::parse(probe)?;
            evidence
                .probed
                .contains(check)
                .then_some((check, elapsed_ms))
        })
        .collect()
}

fn site_report(
    site: &Website,
    verdict: Option<String>,
    unchecked: Option<String>,
    drafts: &[FindingDraft],
    outcome: &JudgementOutcome,
    cases_opened: Vec<OpenedCase>,
) -> SiteReport {
    let refs = |findings: &[beian_core::finding::Finding]| {
        let mut refs: Vec<FindingRef> = findings
            .iter()
            .map(|f| FindingRef::of(&f.rule_id, &f.key, f.severity))
            .collect();
        refs.sort();
        refs
    };
    SiteReport {
        site_id: site.id,
        name: site.name.clone(),
        home_url: site.home_url.clone(),
        verdict,
        unchecked,
        failed: None,
        findings: drafts
            .iter()
            .map(|d| FindingRef::of(&d.rule_id, &d.key, d.severity))
            .collect(),
        opened: refs(&outcome.opened),
        resolved: refs(&outcome.resolved),
        cases_opened,
    }
}

//! `beian scan [--all | --site S] [--json] [--fail-on SEVERITY]`: the engine over the
//! inventory, with a progress bar on stderr and a summary at the end. Exit 1 when a finding
//! at or above `--fail-on` is open (suppressed ones do not count) on the scanned sites.
//! With a `[notify]` section, the scanned sites' findings are then announced (deduped
//! through the store, so a second scan with nothing new sends nothing) and the delivery
//! counts close the summary (`notifications` in `--json`).

use std::io::IsTerminal;
use std::time::Duration;

use beian_core::finding::{FindingState, Severity};
use beian_core::model::{Record, RecordKind};
use beian_engine::{
    Notifier, NotifyReport, ScanObserver, ScanOptions, ScanProbes, ScanResult, ScanScope,
    ScanSummary, Scanner, SiteReport,
};
use beian_store::{AnyStore, FindingQuery, Store};
use clap::{ArgGroup, Args};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::ProbeArgs;
use crate::commands::inventory::Inventory;
use crate::commands::tables::rows_table;
use crate::commands::with_store;
use crate::config::probe::apply_probe_args;
use crate::config::{Language, Settings};
use crate::error::{Exit, UserError};
use crate::output::{self, header};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("scope").required(true).args(["all", "sites"])))]
pub struct ScanArgs {
    /// 扫描清单中的全部网站 / scan every website in the inventory
    #[arg(long)]
    pub all: bool,
    /// 只扫描这个网站：ID 或首页网址（可多次给出）/ scan only this site: id or home URL (repeatable)
    #[arg(long = "site", value_name = "SITE")]
    pub sites: Vec<String>,
    /// 输出扫描结果 JSON（不显示进度条）/ print the result as JSON (no progress bar)
    #[arg(long)]
    pub json: bool,
    /// 有此严重程度及以上的未处理发现时退出码为 1 / exit 1 when a finding at or above this severity is open
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    #[command(flatten)]
    pub probe: ProbeArgs,
}

/// `info`, `low`, `medium`, `high`, `critical` or their Chinese names.
pub fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| {
        format!(
            "「{text}」不是严重程度，可用 info、low、medium、high、critical / '{text}' is not a severity; use info, low, medium, high or critical"
        )
    })
}

pub async fn run(args: &ScanArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let mut probe = settings.probe.clone();
    apply_probe_args(&mut probe, &args.probe)?;
    let probes = ScanProbes::new(&probe).map_err(|error| {
        UserError::input(format!("无法准备探测 / cannot set up the probes: {error}")).with_fix(
            "检查 beian.toml 的 [dns]、[rdap]、[http] 部分 / check the [dns], [rdap] and [http] sections of beian.toml",
        )
    })?;
    // Set up before scanning: a broken notifier should stop the run, not follow it.
    let notifier = match &settings.notify {
        Some(notify) => Some(
            Notifier::new(std::sync::Arc::clone(notify), settings.validation.clone()).map_err(
                |error| {
                    UserError::input(format!(
                        "无法准备通知 / cannot set up notifications: {error}"
                    ))
                    .with_fix("检查 beian.toml 的 [notify] 部分 / check the [notify] section of beian.toml")
                },
            )?,
        ),
        None => None,
    };
    with_store(settings, async |store| {
        let scope = scope_of(args, store, settings).await?;
        let options = ScanOptions {
            actor: settings.actor.clone(),
            today: settings.today(),
            concurrency: settings.scan_concurrency,
            rules: settings.rules.clone(),
            validation: settings.validation.clone(),
        };
        let progress = Progress::new(args.json, settings.language);
        let result = Scanner::new(store, probes, options)
            .run(&scope, &progress)
            .await;
        progress.bar.finish_and_clear();
        let result = result?;
        let notifications = match &notifier {
            Some(notifier) => Some(notifier.after_scan(store, &settings.actor, &result).await?),
            None => None,
        };
        if args.json {
            output::print_json(&ScanOutput {
                result: &result,
                notifications: notifications.clone().unwrap_or_default(),
            })?;
        } else {
            let mut text = render(&result, settings.language);
            if let Some(report) = &notifications {
                text.push_str(&render_notifications(report, settings.language));
            }
            output::print_text(&text)?;
        }
        match args.fail_on {
            Some(threshold) if open_at_or_above(store, &scope, threshold).await? => {
                Ok(Exit::Findings)
            }
            _ => Ok(Exit::Success),
        }
    })
    .await
}

/// `--json`: the scan result with the notification counts beside it.
#[derive(Serialize)]
struct ScanOutput<'a> {
    #[serde(flatten)]
    result: &'a ScanResult,
    notifications: NotifyReport,
}

/// The notification lines of the text summary: the counts, then each failure (the
/// notifier's text, already scrubbed of the channel's secrets).
fn render_notifications(report: &NotifyReport, language: Language) -> String {
    let mut text = match language {
        Language::Zh => format!(
            "通知：已送达 {}，失败 {}\n",
            report.delivered, report.failed
        ),
        Language::En => format!(
            "Notifications: {} delivered, {} failed\n",
            report.delivered, report.failed
        ),
    };
    for failure in &report.failures {
        text.push_str(&format!("  {failure}\n"));
    }
    text
}

async fn scope_of(
    args: &ScanArgs,
    store: &AnyStore,
    settings: &Settings,
) -> anyhow::Result<ScanScope> {
    if args.all {
        return Ok(ScanScope::All);
    }
    let inventory = Inventory { store, settings };
    let mut ids = Vec::with_capacity(args.sites.len());
    for site in &args.sites {
        if let Record::Website(website) = inventory.resolve(RecordKind::Website, site).await?
            && !ids.contains(&website.id)
        {
            ids.push(website.id);
        }
    }
    Ok(ScanScope::Sites(ids))
}

/// Whether the scanned sites hold a finding at or above `threshold` that nobody suppressed.
async fn open_at_or_above(
    store: &AnyStore,
    scope: &ScanScope,
    threshold: Severity,
) -> anyhow::Result<bool> {
    let query = |site_id| FindingQuery {
        site_id,
        states: vec![FindingState::Open, FindingState::Acknowledged],
        min_severity: Some(threshold),
        limit: 1,
        ..FindingQuery::default()
    };
    match scope {
        ScanScope::All => Ok(store.list_findings(&query(None)).await?.total > 0),
        ScanScope::Sites(ids) => {
            for id in ids {
                if store.list_findings(&query(Some(*id))).await?.total > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

/// The progress bar: sites done of total, findings so far, rate and ETA, on stderr; hidden
/// for `--json` and when stderr is not a terminal.
struct Progress {
    bar: ProgressBar,
    language: Language,
}

impl Progress {
    fn new(json: bool, language: Language) -> Progress {
        let bar = if json || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let template = match language {
                Language::Zh => {
                    "{spinner} [{bar:30}] {pos}/{len} 站点 · {msg} · {per_sec} · 剩余 {eta}"
                }
                Language::En => {
                    "{spinner} [{bar:30}] {pos}/{len} sites · {msg} · {per_sec} · ETA {eta}"
                }
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        Progress { bar, language }
    }
}

impl ScanObserver for Progress {
    fn started(&self, total: usize) {
        self.bar
            .set_length(u64::try_from(total).unwrap_or(u64::MAX));
        self.bar.set_message(findings_message(0, self.language));
    }

    fn site_done(&self, _site: &SiteReport, summary: &ScanSummary) {
        let held: usize = summary.open_by_severity.values().sum();
        self.bar.set_message(findings_message(held, self.language));
        self.bar.inc(1);
    }
}

fn findings_message(findings: usize, language: Language) -> String {
    match language {
        Language::Zh => format!("发现 {findings} 项"),
        Language::En => format!("{findings} findings"),
    }
}

/// The summary for a person: the totals, the findings opened by this scan, the cases it
/// opened, the sites it could not check.
fn render(result: &ScanResult, language: Language) -> String {
    let summary = &result.summary;
    let en = language == Language::En;
    let mut text = String::new();
    let severities: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|severity| {
            let count = summary.open_by_severity.get(severity).copied().unwrap_or(0);
            let name = if en {
                severity.as_str()
            } else {
                severity.label_zh()
            };
            format!("{name} {count}")
        })
        .collect();
    let totals = output::detail_table(
        language,
        &[
            (
                header("扫描", "Scan"),
                format!("#{} ({})", summary.scan_id, summary.scope),
            ),
            (header("网站", "Sites"), summary.sites.to_string()),
            (
                header("未能检查", "Not checked"),
                summary.unchecked.to_string(),
            ),
            (
                header("分析失败未记录", "Not recorded"),
                summary.failed.to_string(),
            ),
            (
                header("新发现", "Opened"),
                summary.findings_opened.to_string(),
            ),
            (
                header("已解决", "Resolved"),
                summary.findings_resolved.to_string(),
            ),
            (
                header("未解决（按严重程度）", "Open by severity"),
                severities.join(" · "),
            ),
            (
                header("新开工单", "Cases opened"),
                summary.cases_opened.to_string(),
            ),
        ],
    );
    text.push_str(&format!("{totals}\n"));
    let opened: Vec<(&SiteReport, &beian_engine::FindingRef)> = result
        .sites
        .iter()
        .flat_map(|site| site.opened.iter().map(move |finding| (site, finding)))
        .collect();
    if !opened.is_empty() {
        let table = rows_table(
            language,
            [
                header("网站", "Site"),
                header("严重程度", "Severity"),
                header("规则", "Rule"),
                header("对象", "Key"),
            ],
            &opened,
            |(site, finding)| {
                [
                    format!("#{} {}", site.site_id, site.home_url),
                    if en {
                        finding.severity.as_str().to_owned()
                    } else {
                        finding.severity.label_zh().to_owned()
                    },
                    finding.rule_id.clone(),
                    output::or_dash(Some(&finding.key).filter(|key| !key.is_empty())),
                ]
            },
        );
        text.push_str(if en {
            "New findings:\n"
        } else {
            "新发现：\n"
        });
        text.push_str(&format!("{table}\n"));
    }
    for site in &result.sites {
        for case in &site.cases_opened {
            text.push_str(&format!(
                "{} #{} {} ({} #{})\n",
                if en { "Case opened" } else { "已开工单" },
                case.case_id,
                case.title,
                case.rule_id,
                case.finding_id
            ));
        }
        if let Some(reason) = &site.unchecked {
            text.push_str(&format!(
                "{} #{} {}: {reason}\n",
                if en { "Not checked" } else { "未能检查" },
                site.site_id,
                site.home_url
            ));
        }
        if let Some(reason) = &site.failed {
            text.push_str(&format!(
                "{} #{} {}: {reason}\n",
                if en {
                    "Not recorded"
                } else {
                    "分析失败未记录"
                },
                site.site_id,
                site.home_url
            ));
        }
    }
    text
}

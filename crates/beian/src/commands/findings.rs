//! `beian findings list|show|ack|suppress`: what the rules concluded, and what people decided
//! about it. A suppression needs both a reason and an end date (audited); acknowledging
//! lifts one.

use std::collections::BTreeMap;

use beian_core::case::deadlines::end_of_beijing_day;
use beian_core::finding::{Finding, Severity};
use beian_core::model::{Record, RecordId, RecordKind};
use beian_core::rules::RuleCatalogue;
use beian_store::{AnyStore, FindingQuery, Store};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::commands::inventory::Inventory;
use crate::commands::scan::parse_severity;
use crate::commands::tables::rows_table;
use crate::commands::with_store;
use crate::config::{Language, Settings};
use crate::error::{Exit, UserError, input_error};
use crate::output::printable;
use crate::output::{self, header};

#[derive(Debug, Subcommand)]
pub enum FindingsCommand {
    /// 列出未解决的发现（严重的在前）/ list unresolved findings, most severe first
    List(FindingsListArgs),
    /// 显示一项发现：说明、证据、法律依据、处理步骤 / show a finding: explanation, evidence, legal basis, remedy
    Show {
        id: RecordId,
        #[arg(long)]
        json: bool,
    },
    /// 确认已知悉（解除屏蔽）/ acknowledge a finding (lifts a suppression)
    Ack {
        id: RecordId,
        #[arg(long)]
        json: bool,
    },
    /// 屏蔽一项发现到某日，须给出原因 / suppress a finding until a date, with a reason
    Suppress {
        id: RecordId,
        /// 屏蔽原因（必填）/ why (required)
        #[arg(long)]
        reason: Option<String>,
        /// 屏蔽到哪天（含当天，北京时间），如 2026-06-30 / until which day (inclusive, Beijing)
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct FindingsListArgs {
    /// 只列这个网站的：ID 或首页网址 / only this site's: id or home URL
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// 至少这个严重程度 / at least this severe
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub severity: Option<Severity>,
    /// 只列这条规则的，如 domain.expiring / only this rule's
    #[arg(long, value_name = "RULE")]
    pub rule: Option<String>,
    /// 连已解决的也列出 / include resolved findings
    #[arg(long)]
    pub all: bool,
    /// 最多列出多少条（0 不限）/ at most this many (0: no limit)
    #[arg(long, default_value_t = 200)]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(command: &FindingsCommand, settings: &Settings) -> anyhow::Result<Exit> {
    with_store(settings, async |store| match command {
        FindingsCommand::List(args) => list(args, store, settings).await,
        FindingsCommand::Show { id, json } => show(*id, *json, store, settings).await,
        FindingsCommand::Ack { id, json } => {
            require(store, *id).await?;
            let finding = store.acknowledge_finding(&settings.actor, *id).await?;
            done(&finding, *json, settings.language, ("已确认", "acknowledged"))
        }
        FindingsCommand::Suppress {
            id,
            reason,
            until,
            json,
        } => {
            let (Some(reason), Some(until)) = (
                reason.as_deref().map(str::trim).filter(|r| !r.is_empty()),
                until.as_deref(),
            ) else {
                return input_error(
                    "屏蔽发现须同时给出 --reason 和 --until / a suppression needs both --reason and --until",
                    "例如 / e.g. beian findings suppress 12 --reason \"已在处理\" --until 2026-06-30",
                );
            };
            let until = parse_until(until)?;
            require(store, *id).await?;
            let finding = store
                .suppress_finding(&settings.actor, *id, reason, until, Utc::now())
                .await?;
            done(&finding, *json, settings.language, ("已屏蔽", "suppressed"))
        }
    })
    .await
}

/// `YYYY-MM-DD` (to the end of that Beijing day) or an RFC 3339 instant.
fn parse_until(text: &str) -> Result<DateTime<Utc>, UserError> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(end_of_beijing_day(date));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            UserError::input(format!(
                "--until {text} 不是日期 / --until {text} is not a date"
            ))
            .with_fix("写成 YYYY-MM-DD，如 2026-06-30 / write YYYY-MM-DD, e.g. 2026-06-30")
        })
}

async fn require(store: &AnyStore, id: RecordId) -> anyhow::Result<Finding> {
    store.get_finding(id).await?.ok_or_else(|| {
        UserError::input(format!("没有编号为 {id} 的发现 / no finding with id {id}"))
            .with_fix("用 `beian findings list` 查看编号 / see the ids with `beian findings list`")
            .into()
    })
}

fn done(
    finding: &Finding,
    json: bool,
    language: Language,
    (zh, en): (&str, &str),
) -> anyhow::Result<Exit> {
    if json {
        output::print_json(finding)?;
    } else {
        let word = if language == Language::En { en } else { zh };
        output::print_text(&format!("#{} {} {word}\n", finding.id, finding.rule_id))?;
    }
    Ok(Exit::Success)
}

#[derive(Serialize)]
struct ListOutput<'a> {
    items: &'a [Finding],
    total: u64,
}

async fn list(
    args: &FindingsListArgs,
    store: &AnyStore,
    settings: &Settings,
) -> anyhow::Result<Exit> {
    let site_id = match &args.site {
        Some(site) => Some(site_id(store, settings, site).await?),
        None => None,
    };
    let page = store
        .list_findings(&FindingQuery {
            site_id,
            rule_id: args.rule.clone(),
            min_severity: args.severity,
            include_resolved: args.all,
            limit: args.limit,
            ..FindingQuery::default()
        })
        .await?;
    if args.json {
        output::print_json(&ListOutput {
            items: &page.items,
            total: page.total,
        })?;
        return Ok(Exit::Success);
    }
    let urls = site_urls(store, &page.items).await?;
    let language = settings.language;
    let table = rows_table(
        language,
        [
            header("编号", "Id"),
            header("严重程度", "Severity"),
            header("规则", "Rule"),
            header("网站", "Site"),
            header("对象", "Key"),
            header("状态", "State"),
            header("最后发现", "Last seen"),
        ],
        &page.items,
        |finding| {
            [
                finding.id.to_string(),
                severity_label(finding.severity, language),
                finding.rule_id.clone(),
                urls.get(&finding.site_id)
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", finding.site_id)),
                output::or_dash(Some(&finding.key).filter(|key| !key.is_empty())),
                finding.state.as_str().to_owned(),
                // Beijing wall-clock time, as the case tables and the consoles show it.
                beian_core::case::deadlines::to_beijing(finding.last_seen)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            ]
        },
    );
    output::print_text(&format!(
        "{}\n{} {}/{}\n",
        printable(&table.to_string()),
        if language == Language::En {
            "shown"
        } else {
            "显示"
        },
        page.items.len(),
        page.total
    ))?;
    Ok(Exit::Success)
}

async fn site_id(store: &AnyStore, settings: &Settings, site: &str) -> anyhow::Result<RecordId> {
    match (Inventory { store, settings })
        .resolve(RecordKind::Website, site)
        .await?
    {
        Record::Website(website) => Ok(website.id),
        other => Ok(other.id()),
    }
}

/// `#id home_url` of every site the findings name.
async fn site_urls(
    store: &AnyStore,
    findings: &[Finding],
) -> anyhow::Result<BTreeMap<RecordId, String>> {
    let mut urls = BTreeMap::new();
    for finding in findings {
        if urls.contains_key(&finding.site_id) {
            continue;
        }
        if let Some(Record::Website(site)) = store.get(RecordKind::Website, finding.site_id).await?
        {
            urls.insert(site.id, format!("#{} {}", site.id, site.home_url));
        }
    }
    Ok(urls)
}

fn severity_label(severity: Severity, language: Language) -> String {
    match language {
        Language::Zh => severity.label_zh().to_owned(),
        Language::En => severity.as_str().to_owned(),
    }
}

/// A finding with what the catalogue says about its rule, for `show --json`.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    rule: Option<&'a beian_core::rules::Rule>,
}

async fn show(
    id: RecordId,
    json: bool,
    store: &AnyStore,
    settings: &Settings,
) -> anyhow::Result<Exit> {
    let finding = require(store, id).await?;
    let rule = RuleCatalogue::bundled().get(&finding.rule_id);
    if json {
        output::print_json(&Shown {
            finding: &finding,
            rule,
        })?;
        return Ok(Exit::Success);
    }
    let language = settings.language;
    let en = language == Language::En;
    let site = match store.get(RecordKind::Website, finding.site_id).await? {
        Some(Record::Website(site)) => format!("#{} {} ({})", site.id, site.name, site.home_url),
        _ => format!("#{}", finding.site_id),
    };
    let mut rows = vec![
        (header("编号", "Id"), finding.id.to_string()),
        (
            header("规则", "Rule"),
            match rule {
                Some(rule) if en => format!("{} — {}", finding.rule_id, rule.title_en),
                Some(rule) => format!("{} — {}", finding.rule_id, rule.title_zh),
                None => finding.rule_id.clone(),
            },
        ),
        (
            header("严重程度", "Severity"),
            severity_label(finding.severity, language),
        ),
        (header("状态", "State"), finding.state.as_str().to_owned()),
        (header("网站", "Site"), site),
        (
            header("对象", "Key"),
            output::or_dash(Some(&finding.key).filter(|k| !k.is_empty())),
        ),
        (
            header("首次发现", "First seen"),
            finding.first_seen.to_rfc3339(),
        ),
        (
            header("最后发现", "Last seen"),
            finding.last_seen.to_rfc3339(),
        ),
        (
            header("解决于", "Resolved"),
            output::or_dash(finding.resolved_at.map(|at| at.to_rfc3339())),
        ),
        (
            header("说明", "Explanation"),
            if en {
                finding.explanation_en.clone()
            } else {
                finding.explanation_zh.clone()
            },
        ),
    ];
    if let Some(suppression) = &finding.suppression {
        rows.push((
            header("屏蔽", "Suppressed"),
            format!(
                "{} → {} ({}, {})",
                suppression.reason,
                suppression.until.to_rfc3339(),
                suppression.by,
                suppression.at.to_rfc3339()
            ),
        ));
    }
    if let Some(rule) = rule {
        let basis: Vec<String> = rule
            .legal_basis
            .iter()
            .map(|basis| format!("{}{}", basis.regulation, basis.article))
            .collect();
        rows.push((header("法律依据", "Legal basis"), output::joined(&basis)));
        let steps = if en {
            &rule.remediation_en
        } else {
            &rule.remediation_zh
        };
        let numbered: Vec<String> = steps
            .iter()
            .enumerate()
            .map(|(n, step)| format!("{}. {step}", n + 1))
            .collect();
        rows.push((header("处理步骤", "Remedy"), numbered.join("\n")));
        rows.push((
            header("链接", "Links"),
            output::joined(&rule.links_for(None)),
        ));
    }
    rows.push((
        header("证据", "Evidence"),
        serde_json::to_string_pretty(&finding.evidence).unwrap_or_default(),
    ));
    let table = output::detail_table(language, &rows);
    output::print_text(&format!("{}\n", printable(&table.to_string())))?;
    Ok(Exit::Success)
}

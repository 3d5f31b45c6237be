//! The evidence report for one site (DESIGN §3.6): what was monitored, when, what was seen,
//! what was done about it, and the audit-chain hashes that show the record was not edited
//! afterwards. Bilingual headings; the content is whatever the scans and people recorded.

use beian_core::audit::{AuditEntry, ChainBreak, ChainVerdict};
use beian_core::case::{Case, CaseEvent};
use beian_core::facts::{RegistrationObservation, SiteObservation};
use beian_core::model::{Domain, Filing, Subject, Website};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::document::{Block, DATE_BLANK, Document, SIGNATURE_BLANK, Table};
use crate::findings::{FindingRow, severity_label, state_label_zh};
use crate::text::{date, or_dash, timestamp};

/// Everything the evidence report shows; the CLI fills it from the store.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceReport {
    pub generated_at: DateTime<Utc>,
    pub subject: Option<Subject>,
    pub website: Website,
    pub filings: Vec<Filing>,
    pub domains: Vec<Domain>,
    pub period: MonitoringPeriod,
    /// Newest first, as many as the caller chose to include.
    pub observations: Vec<ObservationSummary>,
    pub findings: Vec<FindingRow>,
    pub cases: Vec<CaseRecord>,
    /// Entries touching the site and its records, in `seq` order.
    pub audit: Vec<AuditEntry>,
    /// The whole log's verification at the time of the report.
    pub chain: Option<ChainVerdict>,
}

/// When the site was watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MonitoringPeriod {
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// How many scans observed the site.
    pub scans: usize,
}

impl MonitoringPeriod {
    /// The span of the given observation times.
    pub fn spanning(times: impl IntoIterator<Item = DateTime<Utc>>) -> MonitoringPeriod {
        times
            .into_iter()
            .fold(MonitoringPeriod::default(), |period, at| MonitoringPeriod {
                first: Some(period.first.map_or(at, |first| first.min(at))),
                last: Some(period.last.map_or(at, |last| last.max(at))),
                scans: period.scans + 1,
            })
    }
}

/// One scan of the site in a few readable lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservationSummary {
    pub observed_at: DateTime<Utc>,
    pub lines: Vec<String>,
}

impl ObservationSummary {
    /// Registration and DNS per domain, then what the pages and the certificate showed.
    pub fn from_observation(observation: &SiteObservation) -> ObservationSummary {
        let mut lines = Vec::new();
        for domain in &observation.domains {
            let registration = match &domain.registration {
                RegistrationObservation::Unknown { detail } => format!("注册信息未知（{detail}）"),
                RegistrationObservation::NotRegistered => "未注册，任何人可注册".to_owned(),
                RegistrationObservation::Registered(facts) => {
                    let mut parts = vec![format!("已注册（{}）", facts.source)];
                    parts.push(format!("创建 {}", date(facts.created_on)));
                    parts.push(format!("到期 {}", date(facts.expires_on)));
                    if let Some(registrar) = &facts.registrar {
                        parts.push(format!("注册商 {registrar}"));
                    }
                    if let Some(registrant) = &facts.registrant {
                        parts.push(format!("持有者 {registrant}"));
                    }
                    if !facts.statuses.is_empty() {
                        parts.push(format!("状态 {}", facts.statuses.join(", ")));
                    }
                    parts.join("，")
                }
            };
            let dns = domain.dns.as_ref().map(|dns| {
                let mut text = format!("DNS {}", dns.rcode);
                if !dns.cname_chain.is_empty() {
                    text.push_str(&format!(" CNAME {}", dns.cname_chain.join(" → ")));
                }
                if !dns.addresses.is_empty() {
                    let addresses: Vec<String> =
                        dns.addresses.iter().map(ToString::to_string).collect();
                    text.push_str(&format!(" → {}", addresses.join(", ")));
                }
                if !dns.nameservers.is_empty() {
                    text.push_str(&format!("；NS {}", dns.nameservers.join(", ")));
                }
                text
            });
            lines.push(match dns {
                Some(dns) => format!("{}：{registration}；{dns}", domain.name),
                None => format!("{}：{registration}", domain.name),
            });
        }
        if let Some(web) = &observation.web {
            let reach = if web.reachable {
                "可访问"
            } else {
                "无法访问"
            };
            let mut line = format!("网页 {}：{reach}，结论 {}", web.url, web.verdict);
            if let Some(title) = &web.title {
                line.push_str(&format!("，标题「{title}」"));
            }
            lines.push(line);
            if web.footer.is_empty() {
                lines.push("页脚：未见备案号".to_owned());
            }
            for footer in &web.footer {
                let link = match (&footer.link, footer.link_ok) {
                    (None, _) => "无链接",
                    (Some(_), true) => "链接正确",
                    (Some(_), false) => "链接错误",
                };
                lines.push(format!(
                    "页脚：{} {}（{link}）",
                    footer.kind.label_zh(),
                    footer.number
                ));
            }
            for signal in &web.signals {
                lines.push(format!(
                    "信号 {}/{}（置信度 {:.2}）：{}",
                    signal.technique, signal.kind, signal.confidence, signal.explanation
                ));
                lines.extend(signal.snippets.iter().take(3).map(|s| format!("  · {s}")));
            }
            if let Some(tls) = &web.tls {
                let mut line = format!("TLS 证书：{}", tls.verdict);
                if let Some(days) = tls.days_left {
                    line.push_str(&format!("，剩余 {days} 天"));
                }
                if let Some(issuer) = &tls.issuer {
                    line.push_str(&format!("，签发者 {issuer}"));
                }
                lines.push(line);
            }
        }
        if lines.is_empty() {
            lines.push("本次扫描未记录到任何结果".to_owned());
        }
        ObservationSummary {
            observed_at: observation.observed_at,
            lines,
        }
    }
}

/// A case and its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    pub case: Case,
    pub events: Vec<CaseEvent>,
}

/// Builds the report document.
pub fn evidence_document(report: &EvidenceReport) -> Document {
    let site = &report.website;
    let mut doc = Document::new(
        "网站监测证据报告",
        Some(format!(
            "Website monitoring evidence report · {} · {}",
            site.name,
            timestamp(report.generated_at)
        )),
    );
    doc.push(Block::Heading("一、概况 Overview".to_owned()));
    doc.push(Block::Fields(overview(report)));

    doc.push(Block::Heading("二、监测内容 What was monitored".to_owned()));
    doc.push(Block::Paragraph(monitored(report)));

    doc.push(Block::Heading("三、观测记录 What was seen".to_owned()));
    if report.observations.is_empty() {
        doc.push(Block::Paragraph(
            "尚无扫描记录 / no scan has observed this site yet".to_owned(),
        ));
    } else {
        let mut table = Table::new(&[("时间 Time", 2), ("观测结果 Observation", 8)]);
        for observation in &report.observations {
            table.row([
                timestamp(observation.observed_at),
                observation.lines.join("\n"),
            ]);
        }
        doc.push(Block::Table(table));
    }

    doc.push(Block::Heading("四、发现 Findings".to_owned()));
    if report.findings.is_empty() {
        doc.push(Block::Paragraph("无 / none".to_owned()));
    } else {
        let mut table = Table::new(&[
            ("规则 Rule", 3),
            ("严重程度 Severity", 2),
            ("状态 State", 2),
            ("首次发现 First seen", 2),
            ("最近发现 Last seen", 2),
            ("说明 Explanation", 5),
        ]);
        for finding in &report.findings {
            let mut explanation = finding.explanation.clone();
            if let Some(suppression) = &finding.suppression {
                explanation.push_str(&format!("\n屏蔽原因：{suppression}"));
            }
            table.row([
                format!("{}\n{}", finding.title, finding.rule_id) + &key_suffix(&finding.key),
                severity_label(finding.severity),
                match finding.resolved_at {
                    Some(at) => format!("{}\n{}", state_label_zh(finding.state), timestamp(at)),
                    None => state_label_zh(finding.state).to_owned(),
                },
                timestamp(finding.first_seen),
                timestamp(finding.last_seen),
                explanation,
            ]);
        }
        doc.push(Block::Table(table));
    }

    doc.push(Block::Heading("五、处置 What was done".to_owned()));
    if report.cases.is_empty() {
        doc.push(Block::Paragraph("无工单 / no case".to_owned()));
    }
    for record in &report.cases {
        let case = &record.case;
        doc.push(Block::Paragraph(format!(
            "工单 #{} {}（{}），当前状态 {}，{} 由 {} 开立",
            case.id,
            case.title,
            case.kind.as_str(),
            case.state.as_str(),
            timestamp(case.opened_at),
            case.opened_by
        )));
        let mut table = Table::new(&[
            ("时间 Time", 3),
            ("操作人 Actor", 2),
            ("动作 Action", 2),
            ("状态 State", 4),
            ("备注 Note", 5),
        ]);
        for event in &record.events {
            let states = match (event.from_state, event.to_state) {
                (Some(from), Some(to)) => format!("{} → {}", from.as_str(), to.as_str()),
                (None, Some(to)) => to.as_str().to_owned(),
                (Some(from), None) => from.as_str().to_owned(),
                (None, None) => "-".to_owned(),
            };
            table.row([
                timestamp(event.at),
                event.actor.clone(),
                event.action.clone(),
                states,
                or_dash(&event.note),
            ]);
        }
        doc.push(Block::Table(table));
    }

    doc.push(Block::Heading("六、审计链 Audit chain".to_owned()));
    doc.push(Block::Paragraph(
        "每条审计记录的哈希为 SHA-256（前一条哈希 + 本条各字段），任何改动、删除或重排都会使校验失败。\
         Each entry's hash is SHA-256 over the previous hash and its own fields: any edit, deletion or reordering breaks verification."
            .to_owned(),
    ));
    doc.push(Block::Paragraph(chain_line(report.chain.as_ref())));
    if report.audit.is_empty() {
        doc.push(Block::Paragraph(
            "无相关审计记录 / no related entries".to_owned(),
        ));
    } else {
        let mut table = Table::new(&[
            ("序号 Seq", 2),
            ("时间 Time", 3),
            ("操作 Action", 3),
            ("对象 Entity", 3),
            ("哈希 Hash", 5),
            ("前一哈希 Previous", 5),
        ]);
        for entry in &report.audit {
            table.row([
                entry.seq.to_string(),
                format!("{}\n{}", timestamp(entry.at), entry.actor),
                entry.action.clone(),
                match entry.entity_id {
                    Some(id) => format!("{} #{id}", entry.entity),
                    None => entry.entity.clone(),
                },
                entry.hash.clone(),
                entry.prev_hash.clone(),
            ]);
        }
        doc.push(Block::Table(table));
    }
    doc.push(Block::Signatures(vec![
        format!("制作人 Prepared by：{SIGNATURE_BLANK}"),
        format!("审核人 Reviewed by：{SIGNATURE_BLANK}"),
        format!("日期 Date：{DATE_BLANK}"),
    ]));
    doc
}

fn key_suffix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("\n{key}")
    }
}

fn overview(report: &EvidenceReport) -> Vec<(String, String)> {
    let site = &report.website;
    let mut fields = vec![
        ("网站名称 Site".to_owned(), or_dash(&site.name)),
        ("首页网址 Home URL".to_owned(), or_dash(&site.home_url)),
    ];
    if let Some(subject) = &report.subject {
        fields.push(("主体 Subject".to_owned(), or_dash(&subject.name)));
        fields.push(("证件号码 ID number".to_owned(), or_dash(&subject.id_number)));
    }
    let filings: Vec<String> = report
        .filings
        .iter()
        .map(|f| {
            format!(
                "{}（{}，{}）",
                f.number,
                f.kind.label_zh(),
                f.status.label_zh()
            )
        })
        .collect();
    fields.push(("备案 Filings".to_owned(), or_dash(&filings.join("\n"))));
    let domains: Vec<String> = report
        .domains
        .iter()
        .map(|d| {
            let name = if d.unicode_name.is_empty() || d.unicode_name == d.name {
                d.name.clone()
            } else {
                format!("{}（{}）", d.unicode_name, d.name)
            };
            format!("{name}，到期 {}", date(d.expires_on))
        })
        .collect();
    fields.push(("域名 Domains".to_owned(), or_dash(&domains.join("\n"))));
    fields.push((
        "网站状态 Status".to_owned(),
        site.status.label_zh().to_owned(),
    ));
    let period = match (report.period.first, report.period.last) {
        (Some(first), Some(last)) => format!(
            "{} 至 {}，共 {} 次扫描 / {} scans",
            timestamp(first),
            timestamp(last),
            report.period.scans,
            report.period.scans
        ),
        _ => "尚未扫描 / not scanned yet".to_owned(),
    };
    fields.push(("监测期间 Period".to_owned(), period));
    fields.push((
        "报告生成 Generated".to_owned(),
        timestamp(report.generated_at),
    ));
    fields
}

/// Which checks the recorded scans actually contain.
fn monitored(report: &EvidenceReport) -> String {
    let names: Vec<&str> = report.domains.iter().map(|d| d.name.as_str()).collect();
    let mut parts = vec![format!(
        "监测对象：网站 {}；域名 {}。",
        or_dash(&report.website.home_url),
        or_dash(&names.join("、"))
    )];
    if report.observations.is_empty() {
        parts.push("尚无扫描结果。".to_owned());
    } else {
        parts.push(
            "每次扫描检查：域名注册信息（RDAP/WHOIS：到期、状态、持有者）、DNS 解析（A/AAAA、CNAME、NS）、\
             网站首页（多种访问身份，识别劫持、跳转、停放页）、页脚备案号及其链接、TLS 证书。"
                .to_owned(),
        );
    }
    parts.join("")
}

fn chain_line(verdict: Option<&ChainVerdict>) -> String {
    match verdict {
        None => "审计链未校验 / the chain was not verified for this report".to_owned(),
        Some(ChainVerdict::Intact { entries, last_hash }) => format!(
            "报告生成时审计链完整：共 {entries} 条记录，最后哈希 {last_hash}。\
             / Chain intact when the report was made: {entries} entries, last hash {last_hash}."
        ),
        Some(ChainVerdict::Broken { seq, reason, .. }) => {
            let why = match reason {
                ChainBreak::HashMismatch => "记录被改动 / an entry was edited",
                ChainBreak::PrevHashMismatch => {
                    "记录被删除或重排 / an entry was removed or reordered"
                }
                ChainBreak::SeqGap => "序号不连续 / seq skips or repeats",
            };
            format!(
                "警告：审计链在第 {seq} 条损坏（{why}），以下记录不能作为完整证据。\
                 / Warning: the chain is broken at entry {seq}; the entries below are not complete evidence."
            )
        }
    }
}

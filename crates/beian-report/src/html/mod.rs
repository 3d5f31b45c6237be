//! The portfolio report as one self-contained HTML file: inline CSS and SVG, no script and
//! a Content-Security-Policy that forbids loading anything, so it can be mailed around and
//! opened offline. Site names, page titles and explanations come from strangers: every
//! text goes through [`escape`].

mod svg;

use std::fmt::Write as _;

use crate::findings::{FindingRow, severity_colour, severity_label, state_label_zh};
use crate::portfolio::PortfolioReport;
use crate::text::{date, escape, timestamp};
use svg::{Bar, bar_chart, column_chart};

/// Expiries within this many days are listed in the table.
const EXPIRY_TABLE_DAYS: i64 = 90;

const STYLE: &str = "body{font-family:-apple-system,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#111827}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}\
.meta{color:#6b7280;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #e5e7eb;border-radius:6px;padding:.6rem 1rem;min-width:8rem}\
.card b{display:block;font-size:1.5rem}table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #e5e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f4f6}.sev{color:#fff;border-radius:3px;padding:0 .4rem;white-space:nowrap}.muted{color:#6b7280}td.wrap{word-break:break-all}";

/// The whole page.
pub fn portfolio_html(report: &PortfolioReport) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let _ = write!(
        html,
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<p class="meta">生成时间 generated {generated} · 基准日期 as of {today}</p>
"#,
        title = escape(&report.title),
        generated = escape(&timestamp(report.generated_at)),
        today = escape(&date(Some(report.today))),
    );
    summary_cards(&mut html, report);

    html.push_str("<h2>域名到期（未来 12 个月）/ Domain expiries, next 12 months</h2>\n");
    let months = report.expiries_by_month();
    let bars: Vec<Bar<'_>> = months
        .iter()
        .map(|c| Bar {
            label: &c.label,
            value: c.value,
            colour: "#2563eb",
            tooltip: None,
        })
        .collect();
    html.push_str(&column_chart("域名到期 / domain expiries by month", &bars));
    let expired = report.expired();
    if !expired.is_empty() {
        let _ = writeln!(
            html,
            "<p>另有 {} 个域名记录的到期日已过 / {} more domains are past their recorded expiry date.</p>",
            expired.len(),
            expired.len()
        );
    }

    html.push_str("<h2>发现按严重程度 / Findings by severity</h2>\n");
    let severities = report.findings_by_severity();
    let labels: Vec<String> = severities.iter().map(|(s, _)| severity_label(*s)).collect();
    let bars: Vec<Bar<'_>> = severities
        .iter()
        .zip(&labels)
        .map(|((severity, count), label)| Bar {
            label,
            value: *count,
            colour: severity_colour(*severity),
            tooltip: None,
        })
        .collect();
    html.push_str(&bar_chart("发现按严重程度 / findings by severity", &bars));

    html.push_str("<h2>发现按规则 / Findings by rule</h2>\n");
    let rules = report.findings_by_rule();
    let titles: Vec<String> = rules
        .iter()
        .map(|c| {
            report
                .findings
                .iter()
                .find(|f| f.rule_id == c.label)
                .map_or_else(|| c.label.clone(), |f| format!("{} {}", f.title, f.rule_id))
        })
        .collect();
    let bars: Vec<Bar<'_>> = rules
        .iter()
        .zip(&titles)
        .map(|(c, title)| Bar {
            label: &c.label,
            value: c.value,
            colour: "#4b5563",
            tooltip: Some(title),
        })
        .collect();
    html.push_str(&bar_chart("发现按规则 / findings by rule", &bars));

    expiry_table(&mut html, report);
    findings_table(&mut html, &report.findings);
    sites_table(&mut html, report);
    html.push_str("<p class=\"meta\">备案卫士 Beian Guard</p>\n</body>\n</html>\n");
    html
}

fn summary_cards(html: &mut String, report: &PortfolioReport) {
    let critical = report
        .findings
        .iter()
        .filter(|f| f.severity == beian_core::finding::Severity::Critical)
        .count();
    let cards = [
        ("网站 sites", report.sites.len()),
        ("域名 domains", report.domains.len()),
        (
            "90 天内到期 expiring ≤90 d",
            report.expiring_within(EXPIRY_TABLE_DAYS).len(),
        ),
        ("已过期 expired", report.expired().len()),
        ("发现 findings", report.findings.len()),
        ("严重 critical", critical),
    ];
    html.push_str("<div class=\"cards\">");
    for (label, value) in cards {
        let _ = write!(
            html,
            "<div class=\"card\"><b>{value}</b>{}</div>",
            escape(label)
        );
    }
    html.push_str("</div>\n");
}

fn expiry_table(html: &mut String, report: &PortfolioReport) {
    let _ = writeln!(
        html,
        "<h2>{EXPIRY_TABLE_DAYS} 天内到期的域名 / Domains expiring within {EXPIRY_TABLE_DAYS} days</h2>"
    );
    let soon = report.expiring_within(EXPIRY_TABLE_DAYS);
    if soon.is_empty() {
        html.push_str("<p class=\"muted\">无 / none</p>\n");
        return;
    }
    html.push_str("<table><thead><tr><th>域名 domain</th><th>网站 site</th><th>到期日 expires</th><th>剩余天数 days left</th></tr></thead><tbody>\n");
    for domain in soon {
        let left = domain
            .expires_on
            .map(|d| (d - report.today).num_days().to_string())
            .unwrap_or_default();
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&domain.name),
            escape(&domain.site),
            escape(&date(domain.expires_on)),
            escape(&left)
        );
    }
    html.push_str("</tbody></table>\n");
}

fn findings_table(html: &mut String, findings: &[FindingRow]) {
    html.push_str("<h2>发现 / Findings</h2>\n");
    if findings.is_empty() {
        html.push_str("<p class=\"muted\">无 / none</p>\n");
        return;
    }
    let mut sorted: Vec<&FindingRow> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.site.cmp(&b.site))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    html.push_str("<table><thead><tr><th>严重程度 severity</th><th>网站 site</th><th>规则 rule</th><th>对象 key</th><th>状态 state</th><th>首次 / 最近 first / last seen</th><th>说明 explanation</th></tr></thead><tbody>\n");
    for finding in sorted {
        let _ = writeln!(
            html,
            "<tr><td><span class=\"sev\" style=\"background:{colour}\">{severity}</span></td><td>{site}</td><td>{title}<br><span class=\"muted\">{rule}</span></td><td class=\"wrap\">{key}</td><td>{state}</td><td>{first}<br>{last}</td><td>{explanation}</td></tr>",
            colour = severity_colour(finding.severity),
            severity = escape(&severity_label(finding.severity)),
            site = escape(&finding.site),
            title = escape(&finding.title),
            rule = escape(&finding.rule_id),
            key = escape(&finding.key),
            state = escape(state_label_zh(finding.state)),
            first = escape(&timestamp(finding.first_seen)),
            last = escape(&timestamp(finding.last_seen)),
            explanation = escape(&finding.explanation),
        );
    }
    html.push_str("</tbody></table>\n");
}

fn sites_table(html: &mut String, report: &PortfolioReport) {
    html.push_str("<h2>网站 / Sites</h2>\n");
    if report.sites.is_empty() {
        html.push_str("<p class=\"muted\">无 / none</p>\n");
        return;
    }
    html.push_str("<table><thead><tr><th>网站 site</th><th>首页 home</th><th>主体 subject</th><th>状态 status</th><th>备案 filings</th></tr></thead><tbody>\n");
    for site in &report.sites {
        let filings: Vec<String> = site.filings.iter().map(|f| escape(f)).collect();
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"wrap\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&site.name),
            escape(&site.home_url),
            escape(&site.subject),
            escape(&site.status),
            filings.join("<br>")
        );
    }
    html.push_str("</tbody></table>\n");
}

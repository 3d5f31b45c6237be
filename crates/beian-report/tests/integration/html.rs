//! The HTML portfolio report: self-contained, escaped, charts with the right counts.

use beian_core::finding::Severity;
use beian_report::{FindingRow, PortfolioDomain, PortfolioReport, PortfolioSite, portfolio_html};

use crate::support::{HOSTILE, at, day, finding};

fn report() -> PortfolioReport {
    let hostile_finding = finding(
        1,
        "content.title_replaced",
        Severity::Critical,
        &format!("标题被替换为 {HOSTILE}"),
    );
    let low = finding(2, "domain.expiring", Severity::Low, "域名 60 天后到期");
    let low2 = finding(3, "domain.expiring", Severity::Low, "域名 80 天后到期");
    PortfolioReport {
        title: format!("资产报告 {HOSTILE}"),
        generated_at: at(20, 12),
        today: day(2026, 3, 20),
        sites: vec![PortfolioSite {
            name: "<img src=x onerror=alert(1)>".to_owned(),
            home_url: "javascript:alert(1)".to_owned(),
            subject: "北京云杉科技有限公司".to_owned(),
            status: "运行中".to_owned(),
            filings: vec!["京ICP备2021034567号-1".to_owned()],
        }],
        domains: vec![
            domain("a.com", Some(day(2026, 3, 25))),
            domain("b.com", Some(day(2026, 3, 31))),
            domain("c.com", Some(day(2026, 5, 2))),
            domain("d.com", Some(day(2027, 2, 28))),
            // Outside the 12 months, expired, unknown.
            domain("e.com", Some(day(2027, 3, 1))),
            domain("f.com", Some(day(2026, 3, 1))),
            domain("g.com", None),
        ],
        findings: vec![
            FindingRow::new(&hostile_finding, HOSTILE, Some(HOSTILE)),
            FindingRow::new(&low, "云杉官网", Some("域名即将到期")),
            FindingRow::new(&low2, "云杉官网", Some("域名即将到期")),
        ],
    }
}

fn domain(name: &str, expires_on: Option<chrono::NaiveDate>) -> PortfolioDomain {
    PortfolioDomain {
        name: name.to_owned(),
        site: "云杉官网".to_owned(),
        expires_on,
    }
}

#[test]
fn hostile_titles_are_escaped_everywhere() {
    let html = portfolio_html(&report());
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a script tag got through");
    assert!(!lower.contains("<img"), "an img tag got through");
    assert!(
        !lower.contains("href="),
        "no links: a javascript: URL must stay text"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn the_page_is_self_contained() {
    let html = portfolio_html(&report());
    let lower = html.to_lowercase();
    for forbidden in ["<link", "src=\"", "url(", "@import"] {
        assert!(!lower.contains(forbidden), "external asset via {forbidden}");
    }
    // The only URL is the SVG namespace.
    assert_eq!(
        lower.matches("http://").count() + lower.matches("https://").count(),
        lower.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(html.contains("default-src 'none'"));
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
}

#[test]
fn charts_count_expiries_by_month_and_findings_by_severity_and_rule() {
    let report = report();
    let months = report.expiries_by_month();
    assert_eq!(months.len(), 12);
    assert_eq!((months[0].label.as_str(), months[0].value), ("2026-03", 2));
    assert_eq!((months[2].label.as_str(), months[2].value), ("2026-05", 1));
    assert_eq!(
        (months[11].label.as_str(), months[11].value),
        ("2027-02", 1)
    );
    assert_eq!(months.iter().map(|m| m.value).sum::<usize>(), 4);
    assert_eq!(report.expired().len(), 1);

    let severities = report.findings_by_severity();
    assert_eq!(severities[0], (Severity::Critical, 1));
    assert_eq!(severities[3], (Severity::Low, 2));
    let rules = report.findings_by_rule();
    assert_eq!(
        (rules[0].label.as_str(), rules[0].value),
        ("domain.expiring", 2)
    );

    let html = portfolio_html(&report);
    // The value labels of the bars are in the SVG.
    assert!(html.contains(">2026-05</text>"));
    assert!(html.contains(">domain.expiring<title>"));
}

//! Footer records and footer signals (FACTS §1.5 V9/V10, numbers vs the owner's record).

use beian_core::identifier::IdentifierKind;
use beian_detect::footer::footer_records;
use beian_detect::page::extract;
use beian_detect::{ExpectedFooter, Technique, Verdict};

use crate::{analyse, context};

const ICP: &str = "京ICP备13027746号-1";
const PSB: &str = "京公网安备11010502030143号";

fn expected() -> Option<ExpectedFooter> {
    Some(ExpectedFooter {
        icp: Some(ICP.to_string()),
        psb: Some(PSB.to_string()),
    })
}

fn page(footer: &str) -> String {
    format!(
        "<html><head><title>某某科技</title></head><body><p>产品与服务</p><div class=\"footer\">{footer}</div></body></html>"
    )
}

const GOOD_FOOTER: &str = r#"©2026 某某科技有限公司 版权所有
    <a href="https://beian.miit.gov.cn/" target="_blank">京ICP备13027746号-1</a>
    <a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143" target="_blank"><img src="/ga.png">京公网安备 11010502030143号</a>"#;

#[test]
fn correct_footer_gives_records_and_no_signal() {
    let html = page(GOOD_FOOTER);
    let analysis = analyse(
        &html,
        "https://www.example.com.cn/",
        "example.com.cn",
        expected(),
    );
    assert_eq!(analysis.footer.len(), 2, "{:#?}", analysis.footer);
    let icp = &analysis.footer[0];
    assert_eq!(icp.kind(), Some(IdentifierKind::IcpWebsite));
    assert_eq!(
        icp.link.as_ref().and_then(|l| l.host.as_deref()),
        Some("beian.miit.gov.cn")
    );
    assert!(icp.link_issues.is_empty());
    assert_eq!(analysis.footer[1].kind(), Some(IdentifierKind::Psb));
    assert!(analysis.footer[1].link_issues.is_empty());
    assert!(analysis.signals.is_empty(), "{:#?}", analysis.signals);
    assert_eq!(analysis.verdict, Verdict::Clean);
}

#[test]
fn psb_link_code_mismatch_is_v9() {
    let footer = GOOD_FOOTER.replace("code=11010502030143", "code=11010502030999");
    let analysis = analyse(
        &page(&footer),
        "https://www.example.com.cn/",
        "example.com.cn",
        expected(),
    );
    let signal = analysis
        .signals
        .iter()
        .find(|s| s.kind == "psb_link_mismatch")
        .expect("V9 signal");
    assert_eq!(signal.technique, Technique::Footer);
    assert!(signal.explanation.contains("V9"));
    assert!(
        analysis.footer[1]
            .link_issues
            .iter()
            .any(|i| i.code == "V9")
    );
}

#[test]
fn missing_psb_is_reported() {
    let footer = r#"<a href="https://beian.miit.gov.cn/">京ICP备13027746号-1</a>"#;
    let analysis = analyse(
        &page(footer),
        "https://www.example.com.cn/",
        "example.com.cn",
        expected(),
    );
    let kinds: Vec<&str> = analysis.signals.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, vec!["psb_missing"]);
    assert_eq!(analysis.verdict, Verdict::Suspicious);
}

#[test]
fn wrong_icp_is_reported() {
    let footer = GOOD_FOOTER.replace("京ICP备13027746号-1", "沪ICP备2023018852号-1");
    let analysis = analyse(
        &page(&footer),
        "https://www.example.com.cn/",
        "example.com.cn",
        expected(),
    );
    let signal = analysis
        .signals
        .iter()
        .find(|s| s.kind == "icp_mismatch")
        .expect("mismatch");
    assert!(
        signal
            .evidence
            .iter()
            .any(|e| e.snippet.contains("沪ICP备2023018852号-1"))
    );
    assert_eq!(analysis.verdict, Verdict::Suspicious);
}

#[test]
fn subject_number_satisfies_a_website_record() {
    let footer = GOOD_FOOTER.replace("京ICP备13027746号-1", "京ICP备13027746号");
    let analysis = analyse(
        &page(&footer),
        "https://www.example.com.cn/",
        "example.com.cn",
        expected(),
    );
    assert!(analysis.signals.is_empty(), "{:#?}", analysis.signals);
}

#[test]
fn unlinked_obsolete_and_invalid_numbers() {
    let facts = extract(
        &page(
            r#"京ICP备13027746号-1 <a href="http://www.miibeian.gov.cn/">京ICP备13027746号-2</a> 京ICP备00000000号 增值电信业务经营许可证：京B2-20202418"#,
        ),
        None,
    );
    let records = footer_records(&facts, &context().validation);
    let numbers: Vec<&str> = records.iter().map(|r| r.number.as_str()).collect();
    assert_eq!(
        numbers,
        vec![
            "京ICP备13027746号-2",
            "京ICP备13027746号-1",
            "京ICP备00000000号",
            "京B2-20202418"
        ]
    );
    assert!(records[0].link_issues.iter().any(|i| i.code == "V10"));
    assert!(!records[2].validation.is_valid());
    assert_eq!(records[3].kind(), Some(IdentifierKind::VatLicence));
}

#[test]
fn footer_at_the_end_of_a_long_page_is_found() {
    let body = "<p>很长的正文内容。</p>".repeat(20_000);
    let html = format!("<html><body>{body}<div>{GOOD_FOOTER}</div></body></html>");
    let analysis = analyse(
        &html,
        "https://www.example.com.cn/",
        "example.com.cn",
        expected(),
    );
    assert_eq!(analysis.footer.len(), 2);
    assert!(analysis.signals.is_empty(), "{:#?}", analysis.signals);
}

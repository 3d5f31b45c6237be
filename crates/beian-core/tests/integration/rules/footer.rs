//! Footer rules: ICP and PSB numbers present, equal to the record, linked right.

use beian_core::facts::{FooterFact, SiteFacts};
use beian_core::finding::Severity;
use beian_core::model::{FilingKind, FilingStatus};
use beian_core::rules::ids;

use super::{ICP_SITE, ICP_SUBJECT, PSB, filing, healthy, of, one, run, web};

fn without_footer() -> SiteFacts {
    let mut facts = healthy();
    web(&mut facts).footer.clear();
    facts
}

fn wrong_numbers() -> SiteFacts {
    let mut facts = healthy();
    let page = web(&mut facts);
    page.footer[0].number = "京ICP备14016851号-2".to_owned();
    page.footer[1].number = "京公网安备11010502030144号".to_owned();
    facts
}

fn bad_links() -> SiteFacts {
    let mut facts = healthy();
    let page = web(&mut facts);
    page.footer[0].link = None;
    page.footer[0].link_ok = false;
    page.footer[1].link = Some("http://www.beian.gov.cn/".to_owned());
    page.footer[1].link_ok = false;
    facts
}

pub fn scenarios() -> Vec<SiteFacts> {
    vec![without_footer(), wrong_numbers(), bad_links()]
}

#[test]
fn missing_numbers_fire_once_each() {
    let drafts = run(&without_footer());
    let icp = one(&drafts, ids::FOOTER_ICP_MISSING);
    assert_eq!((icp.key.as_str(), icp.severity), ("", Severity::High));
    assert!(icp.explanation_zh.contains(ICP_SITE));
    let psb = one(&drafts, ids::FOOTER_PSB_MISSING);
    assert_eq!(psb.severity, Severity::Medium);
    assert_eq!(psb.evidence["expected"], serde_json::json!([PSB]));
    assert_eq!(drafts.len(), 2);
}

#[test]
fn footer_rules_are_silent_when_unreachable_or_nothing_is_on_record() {
    let mut facts = without_footer();
    web(&mut facts).reachable = false;
    assert!(run(&facts).is_empty());
    let mut facts = without_footer();
    for filing in facts
        .filings
        .iter_mut()
        .filter(|filing| filing.website_id.is_some())
    {
        filing.status = FilingStatus::Cancelled;
    }
    let drafts = run(&facts);
    assert!(of(&drafts, ids::FOOTER_ICP_MISSING).is_empty());
    assert!(of(&drafts, ids::FOOTER_PSB_MISSING).is_empty());
}

#[test]
fn a_number_not_on_record_is_a_mismatch_keyed_by_what_was_shown() {
    let drafts = run(&wrong_numbers());
    let icp = one(&drafts, ids::FOOTER_ICP_MISMATCH);
    assert_eq!(icp.key, "京ICP备14016851号-2");
    assert_eq!(icp.evidence["expected"], serde_json::json!([ICP_SITE]));
    let psb = one(&drafts, ids::FOOTER_PSB_MISMATCH);
    assert_eq!(psb.key, "京公网安备11010502030144号");
    assert!(of(&drafts, ids::FOOTER_ICP_MISSING).is_empty());
    assert!(
        of(&drafts, ids::FOOTER_ICP_LINK).is_empty(),
        "a wrong number is not also a link problem"
    );
}

#[test]
fn the_subject_number_is_accepted_and_a_cancelled_number_is_named() {
    let mut facts = healthy();
    web(&mut facts).footer[0] = FooterFact {
        kind: FilingKind::IcpSubject,
        number: ICP_SUBJECT.to_owned(),
        link: Some("https://beian.miit.gov.cn/".to_owned()),
        link_ok: true,
    };
    assert!(run(&facts).is_empty());

    let mut facts = wrong_numbers();
    let mut old = filing(
        26,
        FilingKind::IcpWebsite,
        "京ICP备14016851号-2",
        Some(super::SITE_ID),
    );
    old.status = FilingStatus::Cancelled;
    facts.filings.push(old);
    let drafts = run(&facts);
    let draft = one(&drafts, ids::FOOTER_ICP_MISMATCH);
    assert_eq!(draft.evidence["cancelled"], true);
    assert!(draft.explanation_zh.contains("已注销"));
}

#[test]
fn wrong_links_fire_per_number() {
    let drafts = run(&bad_links());
    let icp = one(&drafts, ids::FOOTER_ICP_LINK);
    assert_eq!(
        (icp.key.as_str(), icp.severity),
        (ICP_SITE, Severity::Medium)
    );
    assert!(icp.explanation_zh.contains("没有链接"));
    let psb = one(&drafts, ids::FOOTER_PSB_LINK);
    assert_eq!((psb.key.as_str(), psb.severity), (PSB, Severity::Low));
    assert!(psb.explanation_en.contains("http://www.beian.gov.cn/"));
    assert_eq!(
        psb.evidence["expected_link"],
        "https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143"
    );
    assert_eq!(drafts.len(), 2);
}

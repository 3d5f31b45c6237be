//! Inventory rules: closed site with live filings, PSB deadline, invalid stored numbers.

use beian_core::facts::SiteFacts;
use beian_core::finding::Severity;
use beian_core::model::{FilingKind, FilingStatus, RecordStatus};
use beian_core::rules::ids;

use super::{ICP_SITE, PSB, d, filing, healthy, of, one, run};

fn closed() -> SiteFacts {
    let mut facts = healthy();
    facts.website.status = RecordStatus::Closed;
    facts.website.closed_on = Some(d("2026-02-01"));
    facts
}

/// `healthy()` without a PSB filing, gone live `days_ago` days before today.
fn without_psb(days_ago: u64) -> SiteFacts {
    let mut facts = healthy();
    facts
        .filings
        .retain(|filing| filing.kind != FilingKind::Psb);
    facts.website.go_live_on = facts.today.checked_sub_days(chrono::Days::new(days_ago));
    // The footer still shows a PSB number, which is not this rule's business.
    facts
}

fn bad_numbers() -> SiteFacts {
    let mut facts = healthy();
    facts.filings.push(filing(
        24,
        FilingKind::IcpApp,
        "京ICP备12022551号-0",
        Some(super::SITE_ID),
    ));
    if let Some(subject) = facts.subject.as_mut() {
        subject.id_number = "91110108551385082A".to_owned();
    }
    facts
}

pub fn scenarios() -> Vec<SiteFacts> {
    vec![closed(), without_psb(40), bad_numbers()]
}

#[test]
fn closed_site_with_live_filings_is_high_and_lists_them() {
    let drafts = run(&closed());
    let draft = one(&drafts, ids::SITE_CLOSED_FILINGS_ACTIVE);
    assert_eq!(draft.severity, Severity::High);
    assert_eq!(draft.key, "");
    assert!(draft.explanation_zh.contains(ICP_SITE) && draft.explanation_zh.contains(PSB));
    assert!(draft.explanation_zh.contains("2026-02-01"));
    let numbers: Vec<&str> = draft.evidence["filings"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|filing| filing["number"].as_str())
        .collect();
    assert_eq!(
        numbers,
        vec![ICP_SITE, PSB],
        "the subject filing may cover other sites"
    );
}

#[test]
fn closed_site_is_silent_once_its_filings_are_cancelled() {
    let mut facts = closed();
    for filing in facts
        .filings
        .iter_mut()
        .filter(|filing| filing.website_id.is_some())
    {
        filing.status = FilingStatus::Cancelled;
    }
    assert!(of(&run(&facts), ids::SITE_CLOSED_FILINGS_ACTIVE).is_empty());
    // A pending filing is not cancelled.
    let mut facts = closed();
    for filing in facts
        .filings
        .iter_mut()
        .filter(|filing| filing.website_id.is_some())
    {
        filing.status = FilingStatus::Pending;
    }
    assert_eq!(of(&run(&facts), ids::SITE_CLOSED_FILINGS_ACTIVE).len(), 1);
}

#[test]
fn psb_missing_warns_before_the_due_date_and_is_high_after_it() {
    for (days_ago, severity) in [
        (15, None),
        (19, None),
        (20, Some(Severity::Medium)),
        (30, Some(Severity::Medium)),
        (31, Some(Severity::High)),
        (400, Some(Severity::High)),
    ] {
        let drafts = run(&without_psb(days_ago));
        let found = of(&drafts, ids::PSB_MISSING);
        match severity {
            None => assert!(found.is_empty(), "{days_ago} days after go-live"),
            Some(severity) => {
                assert_eq!(found.len(), 1, "{days_ago}");
                assert_eq!(found[0].severity, severity, "{days_ago}");
                assert_eq!(found[0].evidence["days_to_due"], 30 - days_ago as i64);
            }
        }
    }
    let draft = one(&run(&without_psb(40)), ids::PSB_MISSING).clone();
    assert!(
        draft.explanation_zh.contains("已逾期 10 天"),
        "{}",
        draft.explanation_zh
    );
}

#[test]
fn psb_missing_is_silent_with_a_pending_filing_a_closed_site_or_no_go_live() {
    let mut facts = without_psb(40);
    let mut pending = filing(25, FilingKind::Psb, PSB, Some(super::SITE_ID));
    pending.status = FilingStatus::Pending;
    facts.filings.push(pending);
    assert!(of(&run(&facts), ids::PSB_MISSING).is_empty());
    let mut facts = without_psb(40);
    facts.website.go_live_on = None;
    assert!(of(&run(&facts), ids::PSB_MISSING).is_empty());
    let mut facts = without_psb(40);
    facts.website.status = RecordStatus::Closed;
    assert!(of(&run(&facts), ids::PSB_MISSING).is_empty());
}

#[test]
fn invalid_stored_numbers_are_keyed_by_the_number() {
    let drafts = run(&bad_numbers());
    let found = of(&drafts, ids::INVENTORY_IDENTIFIER_INVALID);
    let keys: Vec<&str> = found.iter().map(|draft| draft.key.as_str()).collect();
    assert_eq!(keys, vec!["91110108551385082A", "京ICP备12022551号-0"]);
    for draft in found {
        assert_eq!(draft.severity, Severity::Medium);
        assert!(
            !draft.evidence["issue_codes"]
                .as_array()
                .expect("codes")
                .is_empty()
        );
    }
    // The ID number itself stays out of the explanation (it may be a person's ID).
    let subject = &of(&drafts, ids::INVENTORY_IDENTIFIER_INVALID)[0];
    assert!(!subject.explanation_zh.contains("91110108551385082A"));
    assert!(subject.explanation_zh.contains(super::SUBJECT_NAME));
}

#[test]
fn a_number_recorded_under_the_wrong_kind_is_invalid() {
    let mut facts = healthy();
    facts.filings[1].kind = FilingKind::IcpSubject;
    let drafts = run(&facts);
    let draft = one(&drafts, ids::INVENTORY_IDENTIFIER_INVALID);
    assert_eq!(draft.key, ICP_SITE);
    assert_eq!(
        draft.evidence["issue_codes"],
        serde_json::json!(["kind_mismatch"])
    );
}

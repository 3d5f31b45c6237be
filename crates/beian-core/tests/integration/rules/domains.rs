//! Domain rules: expiring, lapsed and re-registered while filed, TLD, holder.

use beian_core::facts::{RegistrationObservation, SiteFacts};
use beian_core::finding::Severity;
use beian_core::model::{Domain, FilingStatus};
use beian_core::rules::ids;
use chrono::Days;

use super::{
    ICP_SITE, ICP_SUBJECT, SUBJECT_NAME, current_registration, d, healthy, of, one,
    previous_registration, registered, run,
};

/// `healthy()` with the domain expiring `days` after today (negative: expired).
fn expiring_in(days: i64) -> SiteFacts {
    let mut facts = healthy();
    let expiry = if days >= 0 {
        facts.today.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        facts.today.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .expect("date in range");
    registered(current_registration(&mut facts, "example.com")).expires_on = Some(expiry);
    registered(previous_registration(&mut facts, "example.com")).expires_on = Some(expiry);
    facts.domains[0].expires_on = Some(expiry);
    facts
}

fn with_tld_domain() -> SiteFacts {
    let mut facts = healthy();
    facts.domains.push(Domain {
        id: 12,
        name: "example.io".to_owned(),
        unicode_name: "example.io".to_owned(),
        ..facts.domains[0].clone()
    });
    facts
}

fn reregistered() -> SiteFacts {
    let mut facts = healthy();
    let now = registered(current_registration(&mut facts, "example.com"));
    now.created_on = Some(d("2026-03-05"));
    now.registrant = Some("某某网络工作室".to_owned());
    facts
}

fn holder_mismatch() -> SiteFacts {
    let mut facts = healthy();
    registered(current_registration(&mut facts, "example.com")).registrant =
        Some("李四".to_owned());
    facts
}

pub fn scenarios() -> Vec<SiteFacts> {
    vec![
        expiring_in(25),
        expiring_in(-10),
        reregistered(),
        with_tld_domain(),
        holder_mismatch(),
    ]
}

#[test]
fn expiring_is_graded_by_the_thresholds_and_keyed_by_domain() {
    for (days, severity) in [
        (90, Some(Severity::Low)),
        (31, Some(Severity::Low)),
        (30, Some(Severity::Medium)),
        (8, Some(Severity::Medium)),
        (7, Some(Severity::High)),
        (1, Some(Severity::High)),
        (91, None),
        (0, None),
    ] {
        let drafts = run(&expiring_in(days));
        let found = of(&drafts, ids::DOMAIN_EXPIRING);
        match severity {
            None => assert!(found.is_empty(), "day {days}: {found:?}"),
            Some(severity) => {
                assert_eq!(found.len(), 1, "day {days}");
                assert_eq!(found[0].severity, severity, "day {days}");
                assert_eq!(found[0].key, "example.com");
                assert_eq!(found[0].evidence["days_left"], days);
                assert!(found[0].explanation_zh.contains(&format!("还剩 {days} 天")));
            }
        }
    }
}

#[test]
fn expiring_uses_the_inventory_date_before_the_first_scan() {
    let mut facts = expiring_in(20);
    facts.current = None;
    facts.previous = None;
    let drafts = run(&facts);
    let draft = one(&drafts, ids::DOMAIN_EXPIRING);
    assert_eq!(
        draft.evidence["source"], "rdap",
        "the inventory's own provenance"
    );
    // Without a scan, an expired inventory date alone never raises the critical rule.
    let mut facts = expiring_in(-20);
    facts.current = None;
    facts.previous = None;
    assert!(run(&facts).is_empty());
}

#[test]
fn lapsed_while_filed_is_critical_and_names_the_earliest_reregistration() {
    let drafts = run(&expiring_in(-10));
    let draft = one(&drafts, ids::DOMAIN_LAPSED_FILING_ACTIVE);
    assert_eq!(draft.severity, Severity::Critical);
    assert_eq!(draft.key, "example.com");
    assert_eq!(draft.evidence["phase"], "expired_grace");
    // .com, still renewable with a lock status seen today: today + 30 + 5.
    assert_eq!(draft.evidence["earliest_reregistration"], "2026-04-14");
    assert!(
        draft.explanation_zh.contains("2026-04-14"),
        "{}",
        draft.explanation_zh
    );
    assert!(draft.explanation_en.contains("2026-04-14"));
    assert!(draft.explanation_zh.contains(ICP_SITE));
    assert_eq!(
        draft.evidence["filings"],
        serde_json::json!([ICP_SUBJECT, ICP_SITE])
    );
    assert!(
        of(&drafts, ids::DOMAIN_EXPIRING).is_empty(),
        "expired is not expiring"
    );
}

#[test]
fn a_dropped_domain_is_lapsed_and_available_now() {
    let mut facts = healthy();
    *current_registration(&mut facts, "example.com") = RegistrationObservation::NotRegistered;
    let drafts = run(&facts);
    let draft = one(&drafts, ids::DOMAIN_LAPSED_FILING_ACTIVE);
    assert_eq!(draft.evidence["phase"], "dropped");
    assert_eq!(draft.evidence["earliest_reregistration"], "2026-03-10");
    assert!(
        draft.explanation_zh.contains("任何人现在都可以注册"),
        "{}",
        draft.explanation_zh
    );
}

#[test]
fn lapsed_is_silent_without_an_active_icp_filing_or_a_definite_answer() {
    let mut facts = expiring_in(-10);
    for filing in &mut facts.filings {
        filing.status = FilingStatus::Cancelled;
    }
    assert!(of(&run(&facts), ids::DOMAIN_LAPSED_FILING_ACTIVE).is_empty());
    let mut facts = expiring_in(-10);
    *current_registration(&mut facts, "example.com") = RegistrationObservation::Unknown {
        detail: "rate limited".to_owned(),
    };
    let drafts = run(&facts);
    assert!(of(&drafts, ids::DOMAIN_LAPSED_FILING_ACTIVE).is_empty());
    assert!(of(&drafts, ids::DOMAIN_EXPIRING).is_empty());
}

#[test]
fn reregistration_by_creation_date_or_registrant_is_critical() {
    let drafts = run(&reregistered());
    let draft = one(&drafts, ids::DOMAIN_REREGISTERED_FILING_ACTIVE);
    assert_eq!(draft.severity, Severity::Critical);
    assert_eq!(draft.key, "example.com");
    assert!(draft.explanation_zh.contains("2026-03-05"));
    assert!(draft.explanation_zh.contains("某某网络工作室"));
    assert_eq!(draft.evidence["previous"]["created_on"], "2014-04-01");
    assert_eq!(draft.evidence["current"]["created_on"], "2026-03-05");
    assert!(of(&drafts, ids::DOMAIN_LAPSED_FILING_ACTIVE).is_empty());

    // Same creation date, but the registrant went from the subject to a stranger.
    let mut facts = healthy();
    registered(current_registration(&mut facts, "example.com")).registrant =
        Some("陌生公司".to_owned());
    let drafts = run(&facts);
    let draft = one(&drafts, ids::DOMAIN_REREGISTERED_FILING_ACTIVE);
    assert!(draft.explanation_en.contains("陌生公司"));
}

#[test]
fn reregistration_is_silent_for_renewals_redaction_and_unfiled_sites() {
    let mut facts = healthy();
    let now = registered(current_registration(&mut facts, "example.com"));
    now.expires_on = Some(d("2028-04-01"));
    now.registrant = Some("REDACTED FOR PRIVACY".to_owned());
    assert!(
        run(&facts).is_empty(),
        "a renewal with a redacted registrant is fine"
    );
    let mut facts = reregistered();
    for filing in &mut facts.filings {
        filing.status = FilingStatus::Cancelled;
    }
    assert!(of(&run(&facts), ids::DOMAIN_REREGISTERED_FILING_ACTIVE).is_empty());
}

#[test]
fn unfileable_tld_fires_per_domain() {
    let drafts = run(&with_tld_domain());
    let draft = one(&drafts, ids::DOMAIN_TLD_NOT_FILEABLE);
    assert_eq!(draft.key, "example.io");
    assert_eq!(draft.evidence["tld"], "io");
    assert!(draft.explanation_zh.contains(".io"));
    assert!(of(&run(&healthy()), ids::DOMAIN_TLD_NOT_FILEABLE).is_empty());
}

#[test]
fn holder_mismatch_compares_normalised_names() {
    let drafts = run(&holder_mismatch());
    let draft = one(&drafts, ids::DOMAIN_HOLDER_MISMATCH);
    assert_eq!(draft.key, "example.com");
    assert_eq!(draft.evidence["holder"], "李四");
    assert_eq!(draft.evidence["source"], "rdap");

    // Full-width brackets and spaces do not make a mismatch; the principal may hold it.
    let mut facts = healthy();
    if let Some(subject) = facts.subject.as_mut() {
        subject.name = "北京示例科技有限公司（分公司）".to_owned();
    }
    registered(current_registration(&mut facts, "example.com")).registrant =
        Some(" 北京示例科技有限公司 (分公司) ".to_owned());
    facts.domains[0].holder = "张三".to_owned();
    registered(previous_registration(&mut facts, "example.com")).registrant =
        Some("北京示例科技有限公司(分公司)".to_owned());
    assert!(run(&facts).is_empty(), "{:?}", super::ids_of(&run(&facts)));

    // A redacted registrant falls back to the inventory holder.
    let mut facts = healthy();
    registered(current_registration(&mut facts, "example.com")).registrant =
        Some("Data Protected".to_owned());
    registered(previous_registration(&mut facts, "example.com")).registrant =
        Some("Data Protected".to_owned());
    facts.domains[0].holder = "王五".to_owned();
    let drafts = run(&facts);
    let draft = one(&drafts, ids::DOMAIN_HOLDER_MISMATCH);
    assert_eq!(draft.evidence["source"], "inventory");
    assert_eq!(draft.evidence["holder"], "王五");
    assert!(draft.explanation_zh.contains(SUBJECT_NAME));
}

/// Regression (lab re_registered scenario): on the first scan there is no earlier
/// registration to compare with, but a creation date after the filing date and a stranger as
/// registrant already prove the name was lost and taken.
#[test]
fn reregistration_is_seen_on_a_first_scan_from_the_dates() {
    let mut facts = reregistered();
    facts.previous = None;
    let filed = facts
        .filings
        .iter()
        .filter_map(|filing| filing.filed_on)
        .min();
    assert!(
        filed.is_some_and(|filed| filed < d("2026-03-05")),
        "fixture: filed before the new creation date, {filed:?}"
    );
    let drafts = run(&facts);
    let draft = one(&drafts, ids::DOMAIN_REREGISTERED_FILING_ACTIVE);
    assert!(
        draft.explanation_zh.contains("晚于备案或上线日期"),
        "{draft:?}"
    );
    // The next scan sees the same registration as before: still re-registered (no flapping).
    let mut facts = reregistered();
    facts.previous = facts.current.clone();
    let drafts = run(&facts);
    one(&drafts, ids::DOMAIN_REREGISTERED_FILING_ACTIVE);

    // A name created after filing but held by the subject itself is a renewal gone odd,
    // not a stranger: silent.
    let mut facts = reregistered();
    facts.previous = None;
    registered(current_registration(&mut facts, "example.com")).registrant =
        Some(SUBJECT_NAME.to_owned());
    assert!(of(&run(&facts), ids::DOMAIN_REREGISTERED_FILING_ACTIVE).is_empty());
}

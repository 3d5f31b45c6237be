//! The rules: a healthy site gives no finding; each rule fires on its own fault and stays
//! silent without it; overrides, ordering, determinism and the catalogue.

mod content_dns_tls;
mod domains;
mod footer;
mod inventory;
mod settings;

use std::collections::BTreeSet;

use beian_core::facts::{
    DnsFacts, DomainObservation, FooterFact, RegistrationFacts, RegistrationObservation,
    SignalFact, SiteFacts, SiteObservation, TlsFacts, WebFacts,
};
use beian_core::finding::{FindingDraft, Severity};
use beian_core::model::{
    Domain, Filing, FilingKind, FilingStatus, Provenance, RecordStatus, Subject, SubjectKind,
    Website,
};
use beian_core::rules::{RuleCatalogue, RuleSettings, ids, judge};
use chrono::{DateTime, NaiveDate, Utc};

pub const SITE_ID: i64 = 7;
pub const SUBJECT_NAME: &str = "北京示例科技有限公司";
pub const ICP_SUBJECT: &str = "京ICP备14016851号";
pub const ICP_SITE: &str = "京ICP备14016851号-1";
pub const PSB: &str = "京公网安备11010502030143号";

pub fn d(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

pub fn t(text: &str) -> DateTime<Utc> {
    text.parse().expect("test timestamp")
}

pub fn subject() -> Subject {
    Subject {
        id: 3,
        name: SUBJECT_NAME.to_owned(),
        kind: SubjectKind::Company,
        id_number: "91110108551385082Q".to_owned(),
        principal: "张三".to_owned(),
        province: Some("11".to_owned()),
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: t("2020-01-01T00:00:00Z"),
        updated_at: t("2020-01-01T00:00:00Z"),
    }
}

pub fn filing(id: i64, kind: FilingKind, number: &str, website_id: Option<i64>) -> Filing {
    Filing {
        id,
        kind,
        number: number.to_owned(),
        status: FilingStatus::Active,
        subject_id: 3,
        website_id,
        parent_id: None,
        filed_on: Some(d("2014-05-01")),
        cancelled_on: None,
        notes: String::new(),
        created_at: t("2020-01-01T00:00:00Z"),
        updated_at: t("2020-01-01T00:00:00Z"),
    }
}

pub fn registration(created: &str, expires: &str) -> RegistrationFacts {
    RegistrationFacts {
        source: "rdap".to_owned(),
        created_on: Some(d(created)),
        expires_on: Some(d(expires)),
        updated_on: None,
        statuses: vec!["client transfer prohibited".to_owned()],
        registrar: Some("示例注册商".to_owned()),
        registrant: Some(SUBJECT_NAME.to_owned()),
        nameservers: vec!["ns1.dns.example".to_owned(), "ns2.dns.example".to_owned()],
    }
}

fn observation(at: &str) -> SiteObservation {
    SiteObservation {
        observed_at: t(at),
        domains: vec![
            DomainObservation {
                name: "example.com".to_owned(),
                registration: RegistrationObservation::Registered(registration(
                    "2014-04-01",
                    "2027-04-01",
                )),
                dns: Some(DnsFacts {
                    rcode: "no_error".to_owned(),
                    addresses: vec!["203.0.113.9".parse().expect("ip")],
                    cname_chain: vec![],
                    nameservers: vec!["ns1.dns.example".to_owned(), "ns2.dns.example".to_owned()],
                }),
            },
            DomainObservation {
                name: "www.example.com".to_owned(),
                registration: RegistrationObservation::Unknown {
                    detail: "host, not a registrable name".to_owned(),
                },
                dns: Some(DnsFacts {
                    rcode: "no_error".to_owned(),
                    addresses: vec!["203.0.113.10".parse().expect("ip")],
                    cname_chain: vec![],
                    nameservers: vec!["ns1.dns.example".to_owned(), "ns2.dns.example".to_owned()],
                }),
            },
        ],
        web: Some(WebFacts {
            url: "https://www.example.com/".to_owned(),
            verdict: "clean".to_owned(),
            reachable: true,
            title: Some("示例科技".to_owned()),
            signals: vec![],
            footer: vec![
                FooterFact {
                    kind: FilingKind::IcpWebsite,
                    number: ICP_SITE.to_owned(),
                    link: Some("https://beian.miit.gov.cn/".to_owned()),
                    link_ok: true,
                },
                FooterFact {
                    kind: FilingKind::Psb,
                    number: PSB.to_owned(),
                    link: Some(
                        "https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143".to_owned(),
                    ),
                    link_ok: true,
                },
            ],
            tls: Some(TlsFacts {
                not_after: Some(t("2026-06-01T00:00:00Z")),
                days_left: Some(83),
                issuer: Some("Example CA".to_owned()),
                verdict: "valid".to_owned(),
                detail: None,
            }),
        }),
    }
}

/// A site with nothing wrong: filed, footer right, domain valid for a year, PSB filed.
pub fn healthy() -> SiteFacts {
    SiteFacts {
        today: d("2026-03-10"),
        subject: Some(subject()),
        website: Website {
            id: SITE_ID,
            subject_id: 3,
            name: "示例科技官网".to_owned(),
            home_url: "https://www.example.com/".to_owned(),
            access_providers: vec!["阿里云".to_owned()],
            tags: Vec::new(),
            server_ips: vec!["203.0.113.10".to_owned()],
            go_live_on: Some(d("2014-06-01")),
            status: RecordStatus::Active,
            closed_on: None,
            notes: String::new(),
            created_at: t("2020-01-01T00:00:00Z"),
            updated_at: t("2020-01-01T00:00:00Z"),
        },
        domains: vec![Domain {
            id: 11,
            name: "example.com".to_owned(),
            unicode_name: "example.com".to_owned(),
            website_id: Some(SITE_ID),
            registrar: "示例注册商".to_owned(),
            holder: SUBJECT_NAME.to_owned(),
            expires_on: Some(d("2027-04-01")),
            expiry_source: Some(Provenance::Rdap),
            notes: String::new(),
            created_at: t("2020-01-01T00:00:00Z"),
            updated_at: t("2020-01-01T00:00:00Z"),
        }],
        filings: vec![
            filing(21, FilingKind::IcpSubject, ICP_SUBJECT, None),
            filing(22, FilingKind::IcpWebsite, ICP_SITE, Some(SITE_ID)),
            filing(23, FilingKind::Psb, PSB, Some(SITE_ID)),
        ],
        current: Some(observation("2026-03-10T02:00:00Z")),
        previous: Some(observation("2026-03-09T02:00:00Z")),
    }
}

/// The current observation's registration facts of `name`, for editing.
pub fn current_registration<'a>(
    facts: &'a mut SiteFacts,
    name: &str,
) -> &'a mut RegistrationObservation {
    let observation = facts.current.as_mut().expect("current observation");
    &mut observation
        .domains
        .iter_mut()
        .find(|domain| domain.name == name)
        .expect("observed domain")
        .registration
}

pub fn previous_registration<'a>(
    facts: &'a mut SiteFacts,
    name: &str,
) -> &'a mut RegistrationObservation {
    let observation = facts.previous.as_mut().expect("previous observation");
    &mut observation
        .domains
        .iter_mut()
        .find(|domain| domain.name == name)
        .expect("observed domain")
        .registration
}

pub fn registered(observation: &mut RegistrationObservation) -> &mut RegistrationFacts {
    match observation {
        RegistrationObservation::Registered(facts) => facts,
        other => panic!("expected a registered observation, got {other:?}"),
    }
}

pub fn web(facts: &mut SiteFacts) -> &mut WebFacts {
    facts
        .current
        .as_mut()
        .and_then(|observation| observation.web.as_mut())
        .expect("web facts")
}

pub fn signal(technique: &str, kind: &str, confidence: f32) -> SignalFact {
    SignalFact {
        technique: technique.to_owned(),
        kind: kind.to_owned(),
        confidence,
        explanation: format!("{kind} 信号 / {kind} signal"),
        snippets: vec![format!(
            "desktop_browser https://www.example.com/: {kind} 证据"
        )],
    }
}

pub fn run(facts: &SiteFacts) -> Vec<FindingDraft> {
    judge(facts, &RuleSettings::default())
}

/// The drafts of one rule.
pub fn of<'a>(drafts: &'a [FindingDraft], rule_id: &str) -> Vec<&'a FindingDraft> {
    drafts
        .iter()
        .filter(|draft| draft.rule_id == rule_id)
        .collect()
}

/// Exactly one draft of `rule_id`, and its key.
pub fn one<'a>(drafts: &'a [FindingDraft], rule_id: &str) -> &'a FindingDraft {
    let found = of(drafts, rule_id);
    assert_eq!(found.len(), 1, "{rule_id} in {:#?}", ids_of(drafts));
    found[0]
}

pub fn ids_of(drafts: &[FindingDraft]) -> Vec<(String, String)> {
    drafts
        .iter()
        .map(|draft| (draft.rule_id.clone(), draft.key.clone()))
        .collect()
}

#[test]
fn a_healthy_site_has_no_finding() {
    let drafts = run(&healthy());
    assert!(drafts.is_empty(), "{:#?}", ids_of(&drafts));
}

#[test]
fn empty_facts_do_not_panic_and_give_nothing_to_scan_rules() {
    let mut facts = healthy();
    facts.subject = None;
    facts.domains.clear();
    facts.filings.clear();
    facts.current = None;
    facts.previous = None;
    facts.website.home_url = String::new();
    facts.website.go_live_on = None;
    assert!(run(&facts).is_empty());
    // An observation with nothing in it, and a web with no facts, are fine too.
    facts.current = Some(SiteObservation {
        observed_at: t("2026-03-10T00:00:00Z"),
        domains: vec![],
        web: Some(WebFacts {
            url: String::new(),
            verdict: String::new(),
            reachable: false,
            title: None,
            signals: vec![],
            footer: vec![],
            tls: None,
        }),
    });
    facts.previous = facts.current.clone();
    assert!(run(&facts).is_empty());
}

/// A site with many faults at once, for ordering and determinism.
fn troubled() -> SiteFacts {
    let mut facts = healthy();
    facts.today = d("2027-03-20");
    facts.website.go_live_on = Some(d("2027-02-01"));
    facts
        .filings
        .retain(|filing| filing.kind != FilingKind::Psb);
    let page = web(&mut facts);
    page.verdict = "hijacked".to_owned();
    page.signals = vec![
        signal("hostile_content", "gambling_terms", 0.9),
        signal("js_redirect", "referrer_redirect", 0.85),
        signal("hidden_links", "offscreen_links", 0.6),
    ];
    page.footer.clear();
    facts
}

#[test]
fn output_is_sorted_by_rule_and_key_and_identical_on_reruns() {
    let facts = troubled();
    let first = run(&facts);
    assert!(first.len() >= 5, "{:#?}", ids_of(&first));
    let mut sorted = ids_of(&first);
    sorted.sort();
    assert_eq!(ids_of(&first), sorted);
    let identities: BTreeSet<_> = first.iter().map(|draft| draft.identity()).collect();
    assert_eq!(identities.len(), first.len(), "no duplicate identity");
    for _ in 0..3 {
        assert_eq!(run(&facts), first);
    }
    // Every draft is attributed to the site and explained in both languages.
    for draft in &first {
        assert_eq!(draft.site_id, SITE_ID);
        assert!(!draft.explanation_zh.is_empty() && !draft.explanation_en.is_empty());
        assert!(draft.evidence.is_object(), "{}", draft.rule_id);
    }
}

#[test]
fn severity_override_pins_the_rule_and_leaves_others() {
    let facts = troubled();
    let settings = RuleSettings::from_toml(
        "[severity]\n\"content.hijack\" = \"low\"\n\"psb.missing\" = \"严重\"\n",
    )
    .expect("valid settings");
    let drafts = judge(&facts, &settings);
    assert_eq!(one(&drafts, ids::CONTENT_HIJACK).severity, Severity::Low);
    assert_eq!(one(&drafts, ids::PSB_MISSING).severity, Severity::Critical);
    assert_eq!(
        one(&drafts, ids::CONTENT_JS_REDIRECT).severity,
        Severity::Critical
    );
    let default = run(&facts);
    assert_eq!(
        one(&default, ids::CONTENT_HIJACK).severity,
        Severity::Critical
    );
}

/// Each scenario of the other test modules, collected: together they fire every rule.
#[test]
fn every_catalogue_rule_is_emitted_by_some_scenario_and_nothing_else_is() {
    let mut seen = BTreeSet::new();
    for facts in domains::scenarios()
        .into_iter()
        .chain(inventory::scenarios())
        .chain(footer::scenarios())
        .chain(content_dns_tls::scenarios())
    {
        for draft in run(&facts) {
            seen.insert(draft.rule_id);
        }
    }
    let catalogue: BTreeSet<String> = RuleCatalogue::bundled().ids().map(str::to_owned).collect();
    assert_eq!(seen, catalogue);
    for rule in RuleCatalogue::bundled().all() {
        assert!(!rule.legal_basis.is_empty(), "{}", rule.id);
        assert!(!rule.remediation_zh.is_empty(), "{}", rule.id);
    }
}

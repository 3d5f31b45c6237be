//! Content (hijack) rules from detector signals, DNS takeover and change rules, TLS rules.

use beian_core::facts::SiteFacts;
use beian_core::finding::Severity;
use beian_core::rules::ids;

use super::{healthy, of, one, run, signal, web};

/// Every content technique, with the verdict given.
fn hijacked(verdict: &str) -> SiteFacts {
    let mut facts = healthy();
    let page = web(&mut facts);
    page.verdict = verdict.to_owned();
    page.signals = [
        ("hostile_content", "gambling_terms"),
        ("cloaking", "spider_differs"),
        ("js_redirect", "referrer_redirect"),
        ("iframe_overlay", "fullscreen_iframe"),
        ("hidden_links", "offscreen_links"),
        ("parasite_pages", "random_path_200"),
        ("title_replacement", "title_changed"),
        ("parking", "parking_page"),
    ]
    .into_iter()
    .map(|(technique, kind)| signal(technique, kind, 0.9))
    .collect();
    facts
}

fn dangling() -> SiteFacts {
    let mut facts = healthy();
    let observation = facts.current.as_mut().expect("current");
    let host = &mut observation.domains[1];
    let dns = host.dns.as_mut().expect("dns");
    dns.rcode = "nx_domain".to_owned();
    dns.addresses.clear();
    dns.cname_chain = vec!["site-bucket.oss-cn-beijing.aliyuncs.com".to_owned()];
    web(&mut facts)
        .signals
        .push(signal("takeover", "dangling_cname", 0.95));
    facts
}

fn dns_changed() -> SiteFacts {
    let mut facts = healthy();
    let observation = facts.current.as_mut().expect("current");
    for domain in &mut observation.domains {
        let dns = domain.dns.as_mut().expect("dns");
        dns.nameservers = vec![
            "ns1.parking.example".to_owned(),
            "ns2.parking.example".to_owned(),
        ];
        dns.addresses = vec!["198.51.100.7".parse().expect("ip")];
    }
    facts
}

fn tls(verdict: &str, days_left: i64) -> SiteFacts {
    let mut facts = healthy();
    let certificate = web(&mut facts).tls.as_mut().expect("tls");
    certificate.verdict = verdict.to_owned();
    certificate.days_left = Some(days_left);
    certificate.detail = Some("issuer not trusted".to_owned());
    facts
}

pub fn scenarios() -> Vec<SiteFacts> {
    vec![
        hijacked("hijacked"),
        dangling(),
        dns_changed(),
        tls("valid", 5),
        tls("self_signed", 40),
    ]
}

#[test]
fn each_technique_raises_its_rule_critical_when_hijacked() {
    let drafts = run(&hijacked("hijacked"));
    for (rule, severity) in [
        (ids::CONTENT_HIJACK, Severity::Critical),
        (ids::CONTENT_JS_REDIRECT, Severity::Critical),
        (ids::CONTENT_IFRAME_OVERLAY, Severity::Critical),
        (ids::CONTENT_PARASITE_PAGES, Severity::Critical),
        (ids::CONTENT_CLOAKING, Severity::High),
        (ids::CONTENT_HIDDEN_LINKS, Severity::High),
        (ids::CONTENT_TITLE_REPLACED, Severity::High),
        (ids::CONTENT_PARKED, Severity::High),
    ] {
        let draft = one(&drafts, rule);
        assert_eq!(draft.severity, severity, "{rule}");
        assert_eq!(draft.key, "");
        assert_eq!(draft.evidence["confidence"], "0.90");
        assert!(
            draft.explanation_zh.contains("证据"),
            "{rule}: {}",
            draft.explanation_zh
        );
    }
    let suspicious = run(&hijacked("suspicious"));
    assert_eq!(
        one(&suspicious, ids::CONTENT_HIJACK).severity,
        Severity::High
    );
}

#[test]
fn the_strongest_signal_explains_and_weak_ones_are_ignored() {
    let mut facts = healthy();
    web(&mut facts).signals = vec![
        signal("hostile_content", "porn_terms", 0.6),
        signal("hostile_content", "gambling_terms", 0.95),
        signal("hostile_content", "fraud_terms", 0.7),
    ];
    let drafts = run(&facts);
    let draft = one(&drafts, ids::CONTENT_HIJACK);
    assert_eq!(draft.evidence["kind"], "gambling_terms");
    assert_eq!(draft.evidence["signals"], 3);

    let mut facts = healthy();
    web(&mut facts).signals = vec![
        signal("js_redirect", "maybe", 0.3),
        signal("footer", "icp_missing", 0.9),
    ];
    assert!(
        run(&facts).is_empty(),
        "below the threshold, and footer signals are not content"
    );
}

#[test]
fn dangling_dns_is_one_critical_finding_per_host() {
    let drafts = run(&dangling());
    let draft = one(&drafts, ids::DNS_TAKEOVER_RISK);
    assert_eq!(draft.key, "www.example.com");
    assert_eq!(draft.severity, Severity::Critical);
    assert_eq!(
        draft.evidence["evidence"].as_array().map(Vec::len),
        Some(2),
        "DNS and detector merged"
    );
    assert!(
        draft
            .explanation_zh
            .contains("site-bucket.oss-cn-beijing.aliyuncs.com")
    );

    // A CNAME chain that resolves is fine; NXDOMAIN without a CNAME is a missing host, not a takeover.
    let mut facts = dangling();
    web(&mut facts).signals.clear();
    let host = &mut facts.current.as_mut().expect("current").domains[1];
    host.dns.as_mut().expect("dns").rcode = "no_error".to_owned();
    assert!(of(&run(&facts), ids::DNS_TAKEOVER_RISK).is_empty());
    let mut facts = dangling();
    web(&mut facts).signals.clear();
    let host = &mut facts.current.as_mut().expect("current").domains[1];
    host.dns.as_mut().expect("dns").cname_chain.clear();
    assert!(of(&run(&facts), ids::DNS_TAKEOVER_RISK).is_empty());
}

#[test]
fn ns_change_fires_once_per_registrable_domain() {
    let drafts = run(&dns_changed());
    let draft = one(&drafts, ids::DNS_NS_CHANGED);
    assert_eq!(draft.key, "example.com");
    assert_eq!(draft.severity, Severity::High);
    assert_eq!(draft.evidence["current"][0], "ns1.parking.example");
    assert_eq!(draft.evidence["previous"][0], "ns1.dns.example");
    // Same set in another order or case is no change.
    let mut facts = healthy();
    let dns = facts.current.as_mut().expect("current").domains[0]
        .dns
        .as_mut()
        .expect("dns");
    dns.nameservers = vec!["NS2.dns.example.".to_owned(), "ns1.dns.example".to_owned()];
    assert!(run(&facts).is_empty());
}

#[test]
fn address_change_needs_a_complete_change_or_leaving_the_filed_servers() {
    let drafts = run(&dns_changed());
    let found = of(&drafts, ids::DNS_A_CHANGED);
    let keys: Vec<&str> = found.iter().map(|draft| draft.key.as_str()).collect();
    assert_eq!(keys, vec!["example.com", "www.example.com"]);
    let www = found[1];
    assert_eq!(www.severity, Severity::Medium);
    assert!(
        www.explanation_zh.contains("203.0.113.10") && www.explanation_zh.contains("198.51.100.7")
    );
    assert_eq!(www.evidence["server_ips"][0], "203.0.113.10");

    // One address added next to the old one: CDN churn, not a change.
    let mut facts = healthy();
    let dns = facts.current.as_mut().expect("current").domains[1]
        .dns
        .as_mut()
        .expect("dns");
    dns.addresses.push("198.51.100.8".parse().expect("ip"));
    assert!(run(&facts).is_empty());

    // No previous scan: only the filed server addresses count, and only for the site's host.
    let mut facts = dns_changed();
    facts.previous = None;
    let drafts = run(&facts);
    let keys: Vec<&str> = of(&drafts, ids::DNS_A_CHANGED)
        .iter()
        .map(|draft| draft.key.as_str())
        .collect();
    assert_eq!(keys, vec!["www.example.com"]);
    facts.website.server_ips.clear();
    assert!(of(&run(&facts), ids::DNS_A_CHANGED).is_empty());
}

#[test]
fn tls_expiring_and_invalid() {
    let drafts = run(&tls("valid", 5));
    let draft = one(&drafts, ids::TLS_EXPIRING);
    assert_eq!(
        (draft.key.as_str(), draft.severity),
        ("www.example.com", Severity::Medium)
    );
    assert!(draft.explanation_zh.contains("还剩 5 天"));
    assert!(run(&tls("valid", 15)).is_empty());
    assert!(of(&run(&tls("valid", 14)), ids::TLS_EXPIRING).len() == 1);

    let drafts = run(&tls("self_signed", 40));
    let draft = one(&drafts, ids::TLS_INVALID);
    assert_eq!(draft.severity, Severity::High);
    assert!(draft.explanation_en.contains("self-signed"));
    assert_eq!(draft.evidence["verdict"], "self_signed");
    assert!(
        run(&tls("failed", 0)).is_empty(),
        "no certificate at all is not this rule"
    );
}

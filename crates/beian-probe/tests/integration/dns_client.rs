//! The DNS client against a local authoritative responder: every record type with its
//! response code, CNAME chains (dangling, looping), and servers that fail or misbehave.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use beian_probe::dns::{DnsEvidence, DnsProbe};
use beian_probe::{Outcome, ProbeFailure};

use crate::dns_server::{DnsMode, dns_settings, start_dns, test_zone};

async fn probe(mode: DnsMode) -> DnsProbe {
    let server = start_dns(mode, test_zone()).await;
    DnsProbe::new(&dns_settings(server)).expect("test settings build a resolver")
}

fn evidence(outcome: Outcome<DnsEvidence>) -> DnsEvidence {
    match outcome {
        Outcome::Ok(evidence) => evidence,
        Outcome::Failed(failure) => panic!("expected evidence, got {failure:?}"),
    }
}

#[tokio::test]
async fn every_record_type_with_its_rcode() {
    let dns = probe(DnsMode::Authoritative).await;
    let found = evidence(dns.lookup("Example.Test.").await.outcome);
    assert_eq!(found.name, "example.test");
    assert_eq!(found.a, vec![Ipv4Addr::new(192, 0, 2, 1)]);
    assert_eq!(
        found.aaaa,
        vec!["2001:db8::1".parse::<Ipv6Addr>().expect("literal")]
    );
    assert_eq!(found.ns, vec!["ns1.example.test"]);
    assert_eq!(found.mx.len(), 1);
    assert_eq!(found.mx[0].exchange, "mail.example.test");
    assert_eq!(found.mx[0].preference, 10);
    assert_eq!(found.txt, vec!["v=spf1 -all"]);
    let soa = found.soa.as_ref().expect("the apex has an SOA");
    assert_eq!(
        (soa.zone.as_str(), soa.serial),
        ("example.test", 2026010101)
    );
    assert!(found.cname_chain.is_empty());
    for record_type in ["A", "AAAA", "NS", "SOA", "MX", "TXT"] {
        assert_eq!(found.rcodes[record_type], "NOERROR", "{record_type}");
    }
    // No CNAME at the apex: a NODATA answer.
    assert_eq!(found.rcodes["CNAME"], "NOERROR");
    let json = serde_json::to_string(&found).expect("evidence serialises");
    let back: DnsEvidence = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, found);
}

#[tokio::test]
async fn cname_chain_is_followed_and_recorded() {
    let dns = probe(DnsMode::Authoritative).await;
    let found = evidence(dns.lookup("www.example.test").await.outcome);
    let hops: Vec<(&str, &str)> = found
        .cname_chain
        .iter()
        .map(|link| (link.from.as_str(), link.to.as_str()))
        .collect();
    assert_eq!(
        hops,
        [
            ("www.example.test", "web.example.test"),
            ("web.example.test", "edge.cdn.test")
        ]
    );
    assert_eq!(found.cname_target_rcode.as_deref(), Some("NOERROR"));
    assert!(!found.cname_chain_cut);
    assert_eq!(found.a, vec![Ipv4Addr::new(192, 0, 2, 80)]);
}

#[tokio::test]
async fn dangling_cname_is_evidence_not_failure() {
    let dns = probe(DnsMode::Authoritative).await;
    let found = evidence(dns.lookup("static.example.test").await.outcome);
    assert_eq!(found.cname_chain.len(), 1);
    assert_eq!(
        found.cname_chain[0].to,
        "bucket.oss-cn-hangzhou.aliyuncs.test"
    );
    assert_eq!(found.cname_target_rcode.as_deref(), Some("NXDOMAIN"));
    assert_eq!(found.rcodes["A"], "NXDOMAIN");
    assert!(found.a.is_empty());
}

#[tokio::test]
async fn nxdomain_name_is_evidence_with_the_zone_soa() {
    let dns = probe(DnsMode::Authoritative).await;
    let found = evidence(dns.lookup("nothing-here.example.test").await.outcome);
    for record_type in ["A", "AAAA", "CNAME", "NS", "SOA", "MX", "TXT"] {
        assert_eq!(found.rcodes[record_type], "NXDOMAIN", "{record_type}");
    }
    assert_eq!(
        found.soa.map(|soa| soa.zone).as_deref(),
        Some("example.test"),
        "the negative answer's authority SOA names the zone"
    );
    assert_eq!(
        dns.resolve_ips("nothing-here.example.test").await,
        Err(ProbeFailure::NxDomain {
            name: "nothing-here.example.test".to_owned()
        })
    );
}

#[tokio::test]
async fn cname_loop_is_cut() {
    let dns = probe(DnsMode::Authoritative).await;
    let found = evidence(dns.lookup("loop1.example.test").await.outcome);
    assert!(found.cname_chain_cut);
    assert_eq!(found.cname_chain.len(), 2);
}

#[tokio::test]
async fn resolve_ips_gives_v4_then_v6_and_passes_literals() {
    let dns = probe(DnsMode::Authoritative).await;
    let addresses = dns
        .resolve_ips("example.test")
        .await
        .expect("the apex resolves");
    assert_eq!(
        addresses,
        ["192.0.2.1", "2001:db8::1"].map(|ip| ip.parse::<std::net::IpAddr>().expect("literal"))
    );
    let literal = dns
        .resolve_ips("[::1]")
        .await
        .expect("a literal needs no DNS");
    assert_eq!(
        literal,
        vec!["::1".parse::<std::net::IpAddr>().expect("literal")]
    );
}

#[tokio::test]
async fn servfail_is_evidence() {
    let dns = probe(DnsMode::ServFail).await;
    let found = evidence(dns.lookup("example.test").await.outcome);
    assert_eq!(found.rcodes["A"], "SERVFAIL");
    assert_eq!(found.rcodes["SOA"], "SERVFAIL");
}

#[tokio::test]
async fn silent_server_costs_bounded_time() {
    let dns = probe(DnsMode::Silent).await;
    let clock = Instant::now();
    let timed = dns.lookup("example.test").await;
    let elapsed = clock.elapsed();
    assert!(elapsed < Duration::from_millis(2500), "took {elapsed:?}");
    assert!(
        matches!(timed.outcome, Outcome::Failed(ProbeFailure::Timeout { .. })),
        "{:?}",
        timed.outcome
    );
}

#[tokio::test]
async fn garbage_answer_is_malformed_not_a_panic() {
    let dns = probe(DnsMode::Garbage).await;
    let clock = Instant::now();
    let timed = dns.lookup("example.test").await;
    assert!(clock.elapsed() < Duration::from_millis(2500));
    assert!(
        matches!(
            timed.outcome,
            Outcome::Failed(ProbeFailure::Malformed { .. })
        ),
        "{:?}",
        timed.outcome
    );
}

#[tokio::test]
async fn invalid_names_are_refused_without_a_query() {
    let dns = probe(DnsMode::Authoritative).await;
    let timed = dns.lookup("bad name.example").await;
    assert!(matches!(
        timed.outcome,
        Outcome::Failed(ProbeFailure::Malformed { .. })
    ));
}

//! Parking and registrar-expiry indicators from DNS and page bodies (FACTS §7.4).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use beian_detect::parking::{body_signals, dns_signals};
use beian_detect::site::{Capture, SiteInput, analyse_site};
use beian_detect::{Evidence, Technique, Verdict};
use beian_probe::dns::{CnameLink, DnsEvidence};

use crate::context;

pub fn dns(name: &str) -> DnsEvidence {
    DnsEvidence {
        name: name.to_string(),
        a: Vec::new(),
        aaaa: Vec::new(),
        cname_chain: Vec::new(),
        cname_target_rcode: None,
        cname_chain_cut: false,
        ns: Vec::new(),
        soa: None,
        mx: Vec::new(),
        txt: Vec::new(),
        rcodes: BTreeMap::new(),
    }
}

pub fn cname(from: &str, to: &str) -> CnameLink {
    CnameLink {
        from: from.to_string(),
        to: to.to_string(),
    }
}

fn no_evidence(marker: &str) -> Evidence {
    Evidence {
        snippet: marker.to_string(),
        region: None,
        persona: None,
        url: None,
    }
}

#[test]
fn aliyun_expiry_cname_is_registrar_expiry() {
    let mut evidence = dns("www.example-company.cn");
    evidence.cname_chain = vec![cname("www.example-company.cn", "overdue.aliyun.com.")];
    evidence.a = vec![Ipv4Addr::new(170, 33, 9, 230)];
    let signals = dns_signals(&evidence);
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].kind, "registrar_expiry_dns");
    assert_eq!(signals[0].technique, Technique::Parking);
    assert!(signals[0].confidence >= 0.8);
}

#[test]
fn parking_ns_and_ranges() {
    let mut evidence = dns("example-company.com");
    evidence.ns = vec![
        "ns1.sedoparking.com.".to_string(),
        "ns2.sedoparking.com.".to_string(),
    ];
    evidence.a = vec![Ipv4Addr::new(199, 59, 242, 150)];
    let signals = dns_signals(&evidence);
    assert_eq!(signals.len(), 2, "{signals:#?}");
    assert!(signals.iter().all(|s| s.kind == "parking_dns"));
    assert!(signals[0].explanation.contains("Sedo"));
    assert!(signals[1].explanation.contains("Bodis"));
}

#[test]
fn ordinary_dns_is_not_parking() {
    let mut evidence = dns("www.example-company.cn");
    evidence.cname_chain = vec![cname(
        "www.example-company.cn",
        "www.example-company.cn.w.kunlunsl.com",
    )];
    evidence.ns = vec![
        "dns1.hichina.com".to_string(),
        "dns2.hichina.com".to_string(),
    ];
    evidence.a = vec![
        Ipv4Addr::new(47, 91, 170, 223),
        Ipv4Addr::new(91, 195, 242, 1),
    ];
    assert!(dns_signals(&evidence).is_empty());
}

#[test]
fn godaddy_lander_and_chinese_expiry_pages() {
    let lander = r#"<html><head><script>window.LANDER_SYSTEM="PW"</script><link rel="stylesheet" href="https://img1.wsimg.com/parking-lander/static/css/main.css"></head><body></body></html>"#;
    let found = body_signals(lander, no_evidence);
    assert_eq!(found.len(), 1);
    assert!(found[0].confidence >= 0.8);

    let expired = "<html><head><title>域名到期</title></head><body><h1>此域名已过期</h1><p>请联系注册商续费。本域名出售，域名出售请联系 QQ。</p></body></html>";
    let found = body_signals(expired, no_evidence);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, "parking_page");
    assert!(found[0].confidence >= 0.7);

    let caf = r#"<script src="//www.google.com/adsense/domains/caf.js"></script><p>This domain may be for sale</p>"#;
    assert!(body_signals(caf, no_evidence)[0].confidence >= 0.7);
}

#[test]
fn ordinary_pages_mentioning_domains_are_not_parking() {
    let page = "<html><body><p>我们提供域名注册、云服务器和网站建设服务。域名到期前请及时续费。</p><script>window.LANDER=1</script></body></html>";
    assert!(body_signals(page, no_evidence).is_empty());
}

#[test]
fn parked_site_verdict() {
    let mut evidence = dns("www.example-company.cn");
    evidence.cname_chain = vec![cname("www.example-company.cn", "domainparking-dnspod.cn")];
    let input = SiteInput {
        host: "www.example-company.cn".to_string(),
        captures: vec![Capture {
            requested_url: "http://www.example-company.cn/".to_string(),
            final_url: "http://www.example-company.cn/".to_string(),
            status: 200,
            html: "<html><body>该域名已过期，域名停放中</body></html>".to_string(),
            ..Capture::default()
        }],
        dns: Some(evidence),
        ..SiteInput::default()
    };
    let analysis = analyse_site(&input, &context());
    let kinds: Vec<&str> = analysis.signals.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, vec!["parking_page", "registrar_expiry_dns"]);
    assert_eq!(analysis.verdict, Verdict::Hijacked);
}

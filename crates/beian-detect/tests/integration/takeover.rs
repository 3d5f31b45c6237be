//! Takeover and dangling DNS (FACTS §7.5).

use beian_detect::site::{Capture, SiteInput, analyse_site};
use beian_detect::takeover::{Response, TakeoverInput, takeover_signals};
use beian_detect::{Signal, Technique, Verdict};

use crate::context;
use crate::parking::{cname, dns};

fn response(status: u16, body: &str) -> Response<'_> {
    Response {
        url: Some("http://static.example-company.cn/"),
        status: Some(status),
        body,
        server_header: None,
    }
}

fn check(dns: &beian_probe::dns::DnsEvidence, responses: &[Response<'_>]) -> Vec<Signal> {
    takeover_signals(&TakeoverInput {
        dns,
        responses,
        ns_domains_unregistered: &[],
    })
}

const OSS_GONE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist.</Message><RequestId>65F1C0D2E3</RequestId><HostId>x.oss-cn-hangzhou.aliyuncs.com</HostId><BucketName>x</BucketName></Error>"#;

#[test]
fn aliyun_oss_bucket_gone_is_an_edge_case() {
    let mut evidence = dns("static.example-company.cn");
    evidence.cname_chain = vec![cname(
        "static.example-company.cn",
        "x.oss-cn-hangzhou.aliyuncs.com",
    )];
    let mut answer = response(404, OSS_GONE);
    answer.server_header = Some("AliyunOSS");
    let signals = check(&evidence, &[answer]);
    assert_eq!(signals.len(), 1, "{signals:#?}");
    assert_eq!(signals[0].kind, "takeover_fingerprint");
    assert_eq!(signals[0].technique, Technique::Takeover);
    assert!((signals[0].confidence - 0.6).abs() < 1e-6);
    assert!(signals[0].explanation.contains("Aliyun OSS"));
    assert!(signals[0].explanation.contains("AliyunOSS"));
}

#[test]
fn s3_bucket_gone_is_vulnerable() {
    let mut evidence = dns("assets.example-company.com");
    evidence.cname_chain = vec![cname(
        "assets.example-company.com",
        "assets-example.s3.amazonaws.com",
    )];
    let body = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
    let signals = check(&evidence, &[response(404, body)]);
    assert_eq!(signals.len(), 1, "{signals:#?}");
    assert!(signals[0].explanation.contains("AWS/S3"));
    assert!((signals[0].confidence - 0.9).abs() < 1e-6);
}

#[test]
fn nxdomain_cname_target_is_dangling() {
    let mut evidence = dns("shop.example-company.cn");
    evidence.cname_chain = vec![cname(
        "shop.example-company.cn",
        "old-campaign.example-agency.net",
    )];
    evidence.cname_target_rcode = Some("NXDOMAIN".to_string());
    let signals = check(&evidence, &[]);
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].kind, "dangling_cname");
    assert!(signals[0].confidence >= 0.5);

    // A fingerprinted NXDOMAIN service (Azure) is rated by its fingerprint.
    evidence.cname_chain = vec![cname(
        "shop.example-company.cn",
        "shop-example.azurewebsites.net",
    )];
    let signals = check(&evidence, &[]);
    assert_eq!(signals[0].kind, "takeover_fingerprint");
    assert!((signals[0].confidence - 0.9).abs() < 1e-6);
}

#[test]
fn unregistered_ns_domain_is_a_takeover() {
    let mut evidence = dns("example-company.cn");
    evidence.ns = vec!["ns1.lapsed-dns-host.com".to_string()];
    let signals = takeover_signals(&TakeoverInput {
        dns: &evidence,
        responses: &[],
        ns_domains_unregistered: &["lapsed-dns-host.com".to_string()],
    });
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].kind, "ns_domain_unregistered");
    assert!(signals[0].confidence >= 0.9);
}

#[test]
fn normal_cdn_cname_answering_200_is_nothing() {
    let mut evidence = dns("www.example-company.cn");
    evidence.cname_chain = vec![
        cname(
            "www.example-company.cn",
            "www.example-company.cn.w.kunlunsl.com",
        ),
        cname(
            "www.example-company.cn.w.kunlunsl.com",
            "cdn-node-1.kunlunsl.com",
        ),
    ];
    evidence.cname_target_rcode = Some("NOERROR".to_string());
    let page = "<html><head><title>示例公司</title></head><body>欢迎</body></html>";
    assert!(check(&evidence, &[response(200, page)]).is_empty());

    let input = SiteInput {
        host: "www.example-company.cn".to_string(),
        captures: vec![Capture {
            requested_url: "https://www.example-company.cn/".to_string(),
            final_url: "https://www.example-company.cn/".to_string(),
            status: 200,
            html: page.to_string(),
            ..Capture::default()
        }],
        dns: Some(evidence),
        ..SiteInput::default()
    };
    let analysis = analyse_site(&input, &context());
    assert!(analysis.signals.is_empty(), "{:#?}", analysis.signals);
    assert_eq!(analysis.verdict, Verdict::Clean);
}

#[test]
fn site_analysis_reports_the_takeover() {
    let mut evidence = dns("static.example-company.cn");
    evidence.cname_chain = vec![cname(
        "static.example-company.cn",
        "x.oss-cn-hangzhou.aliyuncs.com",
    )];
    let input = SiteInput {
        host: "static.example-company.cn".to_string(),
        owner_domain: Some("example-company.cn".to_string()),
        captures: vec![Capture {
            requested_url: "http://static.example-company.cn/".to_string(),
            final_url: "http://static.example-company.cn/".to_string(),
            status: 404,
            html: OSS_GONE.to_string(),
            server_header: Some("AliyunOSS".to_string()),
            ..Capture::default()
        }],
        dns: Some(evidence),
        ..SiteInput::default()
    };
    let analysis = analyse_site(&input, &context());
    assert!(
        analysis
            .signals
            .iter()
            .any(|s| s.technique == Technique::Takeover)
    );
    assert_eq!(analysis.verdict, Verdict::Suspicious);
}

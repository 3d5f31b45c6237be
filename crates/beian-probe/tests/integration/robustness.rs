//! The parsers are total and linear: arbitrary input never panics, huge input stays fast.

use std::time::{Duration, Instant};

use beian_probe::{decode_whois_bytes, parse_rdap_domain, parse_whois};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn whois_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let text = decode_whois_bytes(&bytes);
        let parse = parse_whois(&text, None, None);
        prop_assert_eq!(parse.record.registered, parse.outcome == beian_probe::WhoisOutcome::Registered);
    }

    #[test]
    fn whois_never_panics_on_keyed_junk(
        lines in proptest::collection::vec(
            (
                prop::sample::select(vec![
                    "Domain Name", "Registry Expiry Date", "Expiration Time", "Registrar", "Registrant",
                    "Name Server", "Domain Status", "nic-hdl", "holder-c", "[Expires on]", "Record expires on",
                    "Registrar WHOIS Server", "paid-till", "Name servers", "   ", "\t",
                ]),
                "[ -~\u{4e00}-\u{4e10}:\\[\\]\t]{0,40}",
            ),
            0..60,
        ),
        server in proptest::option::of("[a-z.]{0,20}"),
        domain in proptest::option::of("[a-z.\u{4e2d}\u{56fd}]{0,20}"),
    ) {
        let text: String = lines.iter().map(|(key, value)| format!("{key}: {value}\n")).collect();
        let _ = parse_whois(&text, server.as_deref(), domain.as_deref());
    }

    #[test]
    fn rdap_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_rdap_domain(&bytes);
    }

    #[test]
    fn rdap_never_panics_on_odd_shapes(
        events in "[\\[\\]{}\",:a-z0-9 -]{0,200}",
        status in "[\\[\\]{}\",:a-z0-9 -]{0,100}",
    ) {
        let json = format!(
            r#"{{"objectClassName":"domain","events":[{events}],"status":[{status}],"entities":[{{"roles":["registrar"],"vcardArray":["vcard",[["fn",{{}},"text",{status}]]]}}]}}"#
        );
        let _ = parse_rdap_domain(json.as_bytes());
    }
}

#[test]
fn ten_megabyte_answers_parse_in_bounded_time() {
    let generous = Duration::from_secs(5);
    let junk_line = "Registrar: x\tName Server: ns1.example.com %% No match [Expires on] 2020/01/01 :::: \u{4e2d}\n";
    let cases = [
        junk_line.repeat(10 * 1024 * 1024 / junk_line.len()),
        "a".repeat(10 * 1024 * 1024),
        ":".repeat(10 * 1024 * 1024),
        "\n".repeat(10 * 1024 * 1024),
        "Domain Status: ".to_owned() + &"ok,".repeat(3 * 1024 * 1024),
    ];
    for text in &cases {
        let start = Instant::now();
        let parse = parse_whois(text, Some("whois.example"), Some("example.com"));
        let took = start.elapsed();
        println!("{} bytes parsed in {took:?}", text.len());
        assert!(took < generous, "10 MB answer took {took:?}");
        assert!(parse.record.nameservers.len() <= 32 && parse.record.statuses.len() <= 32);
        assert!(parse.record.warnings.len() <= 8);
    }
}

#[test]
fn bench_runs_over_the_fixtures() {
    let report = beian_probe::bench::bench_whois_parse(&crate::fixtures("whois"), 1)
        .expect("fixtures present");
    assert_eq!(report["answers"], 209 + 88);
    assert!(
        report["responses_per_second"]
            .as_f64()
            .is_some_and(|rate| rate > 0.0)
    );
    assert!(beian_probe::bench::bench_whois_parse(&crate::fixtures("nowhere"), 1).is_err());
}

//! RDAP domain answers from meeb/whoisit and icann/icann-rdap (see NOTICE).

use std::fs;

use beian_probe::{RdapBootstrap, parse_rdap_domain};

use crate::fixtures;

fn read(name: &str) -> beian_probe::RegistrationRecord {
    let bytes = fs::read(fixtures("rdap").join(name)).expect("fixture");
    parse_rdap_domain(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn instant(value: Option<chrono::DateTime<chrono::FixedOffset>>) -> Option<String> {
    value.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

#[test]
fn every_fixture_gives_its_documented_expiry() {
    let cases = [
        (
            "whoisit-data_rdap_response_domain1.json",
            Some("2028-09-14T04:00:00Z"),
        ),
        ("whoisit-data_rdap_response_domain2.json", None),
        (
            "whoisit-data_rdap_response_domain3.json",
            Some("2022-03-16T17:07:37Z"),
        ),
        ("icann-domain_afnic_fr.json", Some("2029-07-18T08:26:59Z")),
        (
            "icann-lookup_with_redaction.json",
            Some("2021-06-03T04:00:00Z"),
        ),
        (
            "icann-xn--fo-5ja_example.json",
            Some("2016-12-31T23:59:59Z"),
        ),
        ("icann-home.moscow.json", Some("2024-10-19T19:28:12Z")),
        ("icann-lemonde.fr.json", Some("2025-06-09T22:08:09Z")),
        (
            "icann-microsoft.click.json",
            Some("2024-11-12T19:15:55.283Z"),
        ),
    ];
    for (name, expires) in cases {
        let record = read(name);
        assert!(record.registered, "{name}");
        assert_eq!(instant(record.expires_at).as_deref(), expires, "{name}");
        assert!(record.created_at.is_some(), "{name}: registration event");
        assert!(!record.nameservers.is_empty(), "{name}: name servers");
        assert!(
            record
                .nameservers
                .iter()
                .all(|ns| ns == &ns.to_lowercase() && !ns.ends_with('.')),
            "{name}: {:?}",
            record.nameservers
        );
        assert!(record.warnings.is_empty(), "{name}: {:?}", record.warnings);
        let json = serde_json::to_value(&record).expect("serialises");
        assert_eq!(json["expires_at"].as_str(), expires, "{name}");
        assert_eq!(json["source"], "rdap");
    }
}

#[test]
fn nested_events_do_not_leak_into_the_domain() {
    let record = read("icann-xn--fo-5ja_example.json");
    assert_eq!(
        instant(record.created_at).as_deref(),
        Some("1990-12-31T23:59:59Z")
    );
    assert_eq!(
        instant(record.updated_at).as_deref(),
        Some("1991-12-31T23:59:59Z")
    );
    assert_eq!(record.domain.as_deref(), Some("xn--fo-5ja.example"));
}

#[test]
fn statuses_registrar_and_registrant() {
    let google = read("whoisit-data_rdap_response_domain1.json");
    assert_eq!(
        google.statuses,
        [
            "clientDeleteProhibited",
            "clientTransferProhibited",
            "clientUpdateProhibited",
            "serverDeleteProhibited",
            "serverTransferProhibited",
            "serverUpdateProhibited"
        ]
    );
    assert_eq!(google.registrar.as_deref(), Some("MarkMonitor Inc."));
    assert_eq!(google.nameservers[0], "ns1.google.com");

    let afnic = read("icann-domain_afnic_fr.json");
    assert_eq!(afnic.statuses, ["ok"], "RFC 8056 `active` is EPP `ok`");

    let example = read("icann-xn--fo-5ja_example.json");
    assert_eq!(
        example.statuses,
        ["locked", "transfer prohibited"],
        "non-EPP statuses stay verbatim"
    );

    let redacted = read("icann-lookup_with_redaction.json");
    assert!(
        redacted
            .registrant
            .as_deref()
            .is_none_or(|r| !r.to_lowercase().contains("redacted")),
        "{:?}",
        redacted.registrant
    );

    let norway = read("whoisit-data_rdap_response_domain2.json");
    assert_eq!(norway.expires_at, None, "norway.no has no expiration event");
    assert!(norway.updated_at.is_some());
}

#[test]
fn bootstrap_routes_the_fixture_tlds() {
    let bootstrap = RdapBootstrap::bundled();
    for tld in ["com", "fr", "moscow", "click", "no"] {
        assert!(bootstrap.base_urls_for(tld).is_some(), "{tld} has RDAP");
    }
    for tld in ["cn", "xn--fiqs8s", "中国"] {
        assert!(bootstrap.base_urls_for(tld).is_none(), "{tld} has no RDAP");
    }
}

//! The WHOIS parser over the whole likexian/whois-parser fixture set (see NOTICE).

use std::fs;
use std::path::Path;

use beian_probe::{WhoisOutcome, parse_whois};
use chrono::NaiveDate;
use serde_json::Value;

use crate::fixtures;

/// Raw answers in `dir` as (file name, domain asked for, text).
fn answers(dir: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("fixture folder exists") {
        let path = entry.expect("readable entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.ends_with(".json") || name.starts_with("LICENSE") {
            continue;
        }
        let bytes = fs::read(&path).expect("readable fixture");
        let text = beian_probe::decode_whois_bytes(&bytes);
        let domain = name
            .split_once('_')
            .map(|(_, d)| d.to_owned())
            .unwrap_or_default();
        out.push((name, domain, text));
    }
    out.sort();
    out
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The calendar date an expected `expiration_date` string names, in its own notation:
/// `2028-09-13T00:00:00-0700`, `2021-03-17 12:48:36`, `31-Jul-2022`, `4.7.2020 10:15:55`,
/// `2020. 05. 19.`, `03/02/2020` (day first, as the expected `_in_time` values confirm).
fn expected_date(raw: &str) -> Option<NaiveDate> {
    let mut numbers: Vec<&str> = Vec::new();
    let mut month_word = None;
    // Tokens are runs of digits or runs of letters ("13T00" is 13, T, 00).
    let mut rest = raw;
    while !rest.is_empty() && numbers.len() < 3 {
        let start = rest.find(|c: char| c.is_ascii_alphanumeric())?;
        rest = &rest[start..];
        let digits = rest.starts_with(|c: char| c.is_ascii_digit());
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() || c.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let token = &rest[..end];
        if digits {
            numbers.push(token);
        } else if let Some(index) = MONTHS
            .iter()
            .position(|m| token.to_lowercase().starts_with(m))
        {
            month_word = Some(u32::try_from(index + 1).ok()?);
        }
        rest = &rest[end..];
    }
    let number = |i: usize| numbers.get(i).and_then(|n| n.parse::<u32>().ok());
    match (numbers.first(), month_word) {
        (Some(first), None) if first.len() == 4 => {
            NaiveDate::from_ymd_opt(i32::try_from(number(0)?).ok()?, number(1)?, number(2)?)
        }
        (_, Some(month)) => {
            NaiveDate::from_ymd_opt(i32::try_from(number(1)?).ok()?, month, number(0)?)
        }
        _ => NaiveDate::from_ymd_opt(i32::try_from(number(2)?).ok()?, number(1)?, number(0)?),
    }
}

fn squeeze(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn expected_dates_are_read_in_their_own_notation() {
    let cases = [
        ("2028-09-13T00:00:00-0700", (2028, 9, 13)),
        ("31-Jul-2022", (2022, 7, 31)),
        ("4.7.2020 10:15:55", (2020, 7, 4)),
        ("2020. 05. 19.", (2020, 5, 19)),
        ("03/02/2020", (2020, 2, 3)),
        ("2021-11-09 00:00:00 (UTC+8)", (2021, 11, 9)),
    ];
    for (raw, (y, m, d)) in cases {
        assert_eq!(
            expected_date(raw),
            NaiveDate::from_ymd_opt(y, m, d),
            "{raw}"
        );
    }
}

#[test]
fn whois_fixture_set_meets_the_accuracy_bar() {
    let registered = answers(&fixtures("whois/registered"));
    assert_eq!(
        registered.len(),
        209,
        "the registered folder holds 209 answers"
    );
    let (mut with_expiry, mut expiry_hits) = (0usize, 0usize);
    let (mut with_registrar, mut registrar_hits) = (0usize, 0usize);
    let mut misses = Vec::new();
    let mut misread_as_free = Vec::new();
    let mut unrecognised = Vec::new();
    let mut tlds_with_expiry = std::collections::BTreeSet::new();

    for (name, domain, text) in &registered {
        let parse = parse_whois(text, None, Some(domain));
        match parse.outcome {
            WhoisOutcome::Registered => {}
            WhoisOutcome::Unrecognised => unrecognised.push(name.clone()),
            _ => misread_as_free.push(format!("{name}: {:?}", parse.outcome)),
        }
        let expected_path = fixtures("whois/registered").join(format!("{name}.json"));
        let expected: Value = serde_json::from_slice(
            &fs::read(&expected_path).expect("expected parse beside each answer"),
        )
        .expect("expected parse is JSON");
        if let Some(raw) = expected["domain"]["expiration_date"].as_str() {
            with_expiry += 1;
            tlds_with_expiry.insert(name.split('_').next().unwrap_or_default().to_owned());
            let want = expected_date(raw);
            let got = parse.record.expires_at.map(|t| t.date_naive());
            if want.is_some() && want == got {
                expiry_hits += 1;
            } else {
                misses.push(format!(
                    "{name}: expected {raw} ({want:?}), got {:?}",
                    parse.record.expires_at
                ));
            }
        }
        if let Some(want) = expected["registrar"]["name"].as_str() {
            with_registrar += 1;
            let got = parse
                .record
                .registrar
                .as_deref()
                .map(squeeze)
                .unwrap_or_default();
            let want_squeezed = squeeze(want);
            if !got.is_empty() && (got.contains(&want_squeezed) || want_squeezed.contains(&got)) {
                registrar_hits += 1;
            } else {
                misses.push(format!(
                    "{name}: registrar expected {want:?}, got {:?}",
                    parse.record.registrar
                ));
            }
        }
    }

    let not_registered = answers(&fixtures("whois/not-registered"));
    assert_eq!(
        not_registered.len(),
        88,
        "the not-registered folder holds 88 answers"
    );
    let mut free_misses = Vec::new();
    for (name, domain, text) in &not_registered {
        let parse = parse_whois(text, None, Some(domain));
        let free = matches!(
            parse.outcome,
            WhoisOutcome::NotRegistered | WhoisOutcome::Reserved
        );
        if !free || parse.record.registered {
            free_misses.push(format!("{name}: {:?}", parse.outcome));
        }
    }

    let expiry_rate = expiry_hits as f64 / with_expiry as f64;
    let registrar_rate = registrar_hits as f64 / with_registrar as f64;
    println!(
        "WHOIS expiry by date: {expiry_hits}/{with_expiry} = {:.1}% over {} TLDs \
         (cn_apple.cn reuses cn_google.cn's timestamps: not an independent case)",
        expiry_rate * 100.0,
        tlds_with_expiry.len()
    );
    println!(
        "WHOIS registrar: {registrar_hits}/{with_registrar} = {:.1}%",
        registrar_rate * 100.0
    );
    println!(
        "not-registered recognised: {}/{}",
        not_registered.len() - free_misses.len(),
        not_registered.len()
    );
    println!("registered answers read as unrecognised: {unrecognised:?}");
    for miss in &misses {
        println!("miss: {miss}");
    }
    assert_eq!(with_expiry, 166, "166 fixtures carry an expiry");
    assert!(
        expiry_rate >= 0.98,
        "expiry right by date for {expiry_rate:.3} < 0.98: {misses:#?}"
    );
    assert!(
        free_misses.is_empty(),
        "not recognised as not registered: {free_misses:#?}"
    );
    assert!(
        misread_as_free.is_empty(),
        "registered answers read as free: {misread_as_free:#?}"
    );
    assert!(
        registrar_rate >= 0.95,
        "registrar right for {registrar_rate:.3} < 0.95"
    );
}

#[test]
fn cnnic_fixtures_are_beijing_time() {
    let dir = fixtures("whois/registered");
    let cases = [
        (
            "cn_google.cn",
            "google.cn",
            "2021-03-17T12:48:36+08:00",
            "厦门易名科技股份有限公司",
            "北京谷翔信息技术有限公司",
        ),
        (
            "xn--fiqs8s_xn--vhq524a.xn--fiqs8s",
            "xn--vhq524a.xn--fiqs8s",
            "2021-08-05T07:36:09+08:00",
            "浙江贰贰网络有限公司",
            "萍乡大唐网络科技有限公司",
        ),
    ];
    for (file, domain, expires, registrar, registrant) in cases {
        let text = fs::read_to_string(dir.join(file)).expect("fixture");
        for (server, hint) in [(Some("whois.cnnic.cn"), Some(domain)), (None, None)] {
            let record = parse_whois(&text, server, hint).record;
            assert_eq!(
                record.expires_at.map(|t| t.to_rfc3339()).as_deref(),
                Some(expires),
                "{file}"
            );
            assert_eq!(record.registrar.as_deref(), Some(registrar), "{file}");
            assert_eq!(record.registrant.as_deref(), Some(registrant), "{file}");
            assert!(
                record.statuses.iter().all(|s| !s.contains(' ')),
                "{file}: {:?}",
                record.statuses
            );
            assert!(!record.nameservers.is_empty(), "{file}");
        }
    }
}

#[test]
fn thin_and_registrar_records_are_both_kept() {
    let text = fs::read_to_string(fixtures("whois/registered").join("com_rockcreekcc.com"))
        .expect("fixture");
    let parse = parse_whois(
        &text,
        Some("whois.verisign-grs.com"),
        Some("rockcreekcc.com"),
    );
    let record = &parse.record;
    assert_eq!(
        record.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2022-07-12T15:48:26+00:00")
    );
    assert!(record.registrar_expires_at.is_some());
    assert_eq!(record.registrar.as_deref(), Some("Tucows Domains Inc."));
    assert_eq!(
        record.registrant, None,
        "REDACTED FOR PRIVACY is not a registrant"
    );
    assert_eq!(parse.referral.as_deref(), Some("whois.tucows.com"));
    assert_eq!(
        record.statuses,
        ["clientTransferProhibited", "clientUpdateProhibited"]
    );
    assert_eq!(record.nameservers, ["ns1.sterlink.net", "ns2.sterlink.net"]);
}

#[test]
fn iana_answer_gives_the_registry_referral() {
    let text = fs::read_to_string(fixtures("whois/registered").join("cn_cn")).expect("fixture");
    let parse = parse_whois(&text, Some("whois.iana.org"), Some("cn"));
    assert_eq!(parse.referral.as_deref(), Some("whois.cnnic.cn"));
    assert_eq!(parse.outcome, WhoisOutcome::Registered);
}

#[test]
fn inspect_json_shape_is_stable() {
    let text =
        fs::read_to_string(fixtures("whois/registered").join("cn_google.cn")).expect("fixture");
    let record = parse_whois(&text, Some("whois.cnnic.cn"), Some("google.cn")).record;
    // Order as written (serde_json's Value would sort the keys).
    let text = serde_json::to_string(&record).expect("serialises");
    let positions: Vec<usize> = [
        "registered",
        "created_at",
        "expires_at",
        "updated_at",
        "registrar",
        "registrant",
        "statuses",
        "nameservers",
    ]
    .iter()
    .map(|key| {
        text.find(&format!("\"{key}\":"))
            .expect("documented key present")
    })
    .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "keys out of order: {text}"
    );
    assert!(text.starts_with("{\"registered\":true,"));
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["expires_at"], "2021-03-17T12:48:36+08:00");
    assert_eq!(json["created_at"], "2003-03-17T12:20:05+08:00");
    assert_eq!(json["source"], "whois");
}

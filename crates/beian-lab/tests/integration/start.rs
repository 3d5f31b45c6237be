//! Start-up cost, the site list, the generated configuration, footers that validate.

use std::time::Instant;

use beian_core::identifier::{ValidationContext, links, validate};
use beian_lab::{Catalogue, Lab, LabOptions, ScenarioKind, Signal, portfolio_csv, portfolio_rows};

use crate::{host, http_get, start_lab, today};

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn standard_catalogue_starts_fast_and_stops() {
    let started = Instant::now();
    let lab = Lab::start(LabOptions {
        today: today(),
        ..LabOptions::default()
    })
    .await
    .expect("the lab starts");
    let elapsed = started.elapsed();
    eprintln!("standard catalogue: started in {elapsed:?}");
    assert!(elapsed.as_secs_f64() < 3.0, "start took {elapsed:?}");
    assert_eq!(lab.sites().len(), Catalogue::standard().len());
    assert_eq!(lab.endpoints().vhost_addresses.len(), 16);
    let http = lab.endpoints().http_port;
    lab.shutdown().await;
    let refused = tokio::net::TcpStream::connect(("127.0.0.2", http)).await;
    assert!(
        refused.is_err(),
        "the HTTP port still accepts after shutdown"
    );
}

#[tokio::test]
async fn ten_thousand_bulk_sites_start_in_reasonable_time() {
    let before = rss_kib();
    let started = Instant::now();
    let lab = Lab::start(LabOptions {
        today: today(),
        bulk_healthy_sites: 10_000,
        ..LabOptions::default()
    })
    .await
    .expect("the lab starts with bulk sites");
    let elapsed = started.elapsed();
    let after = rss_kib();
    eprintln!(
        "10,000 bulk sites: started in {elapsed:?}; process RSS {before:?} KiB → {after:?} KiB (tests share the process)"
    );
    assert!(elapsed.as_secs_f64() < 20.0, "start took {elapsed:?}");
    let bulk: Vec<_> = lab
        .sites()
        .iter()
        .filter(|site| site.scenario == ScenarioKind::BulkHealthy)
        .collect();
    assert_eq!(bulk.len(), 10_000);
    let last = bulk[9_999];
    let page = http_get(&lab, last.address, &host(last), "/", &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ICP备"));
    let https = bulk
        .iter()
        .find(|site| site.url.scheme() == "https")
        .expect("some bulk sites have HTTPS");
    let secure = crate::https_get(&lab, https.address, &host(https), "/")
        .await
        .expect("a valid certificate");
    assert_eq!(secure.status, 200);
}

#[tokio::test]
async fn beian_toml_names_every_server() {
    let lab = start_lab().await;
    let toml = lab.beian_toml();
    let endpoints = lab.endpoints();
    assert!(toml.contains(&format!("nameservers = [\"{}\"]", endpoints.dns)));
    assert!(toml.contains(&format!("com = \"{}\"", endpoints.whois_registry)));
    assert!(toml.contains(&format!("cn = \"{}\"", endpoints.whois_cnnic)));
    assert!(toml.contains(&format!("xn--fiqs8s = \"{}\"", endpoints.whois_cnnic)));
    assert!(toml.contains(&format!("com = \"{}\"", endpoints.rdap_base)));
    assert!(toml.contains(&format!("http_port = {}", endpoints.http_port)));
    assert!(toml.contains("-----BEGIN CERTIFICATE-----"));
    assert!(toml.contains("allow_private = true"));
    let parsed: toml::Table = toml
        .parse()
        .expect("the generated beian.toml is valid TOML");
    let roots = parsed["http"]["extra_roots_pem"]
        .as_array()
        .expect("a list of PEM strings");
    assert_eq!(roots[0].as_str(), Some(endpoints.ca_pem.as_str()));
    assert_eq!(
        parsed["rdap"]["servers"]["net"].as_str(),
        Some(endpoints.rdap_base.as_str())
    );
}

/// Extracts the text and href of every footer link to a filing system.
fn filing_links(html: &str) -> Vec<(String, String)> {
    html.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, after) = rest.split_once('"')?;
            let text = after.split_once('>')?.1.split_once("</a>")?.0;
            let text = text.rsplit('>').next()?.to_owned();
            href.contains("beian.").then(|| (href.to_owned(), text))
        })
        .collect()
}

#[tokio::test]
async fn footers_carry_valid_linked_numbers() {
    let lab = start_lab().await;
    let context = ValidationContext::new(today());
    let mut checked = 0;
    for site in lab.sites() {
        if !site.expected.signals.contains(&Signal::FooterCorrect)
            || site.scenario == ScenarioKind::GbkPage
        {
            continue;
        }
        let mut page = http_get(&lab, site.address, &host(site), "/", &[]).await;
        if let Some(path) = page.same_host_redirect().map(str::to_owned) {
            page = http_get(&lab, site.address, &host(site), &path, &[]).await;
        }
        let found = filing_links(&page.text());
        assert_eq!(
            found.len(),
            2,
            "{}: two filing links expected, got {found:?}",
            site.domain
        );
        for (href, text) in found {
            let validation = validate(&text, &context);
            assert!(
                validation.is_valid(),
                "{}: {text} invalid: {validation:?}",
                site.domain
            );
            assert_eq!(
                validation.warnings().count(),
                0,
                "{}: {text} warns: {validation:?}",
                site.domain
            );
            let issues = if href.contains("mps") {
                links::check_psb_link(&validation, &href)
            } else {
                links::check_icp_link(&href)
            };
            assert!(issues.is_empty(), "{}: {href} → {issues:?}", site.domain);
            checked += 1;
        }
    }
    assert!(checked >= 16, "only {checked} numbers checked");
}

#[tokio::test]
async fn bulk_filing_numbers_are_valid() {
    let lab = Lab::start(LabOptions {
        today: today(),
        catalogue: Vec::new(),
        bulk_healthy_sites: 60,
        ip_range: 2,
    })
    .await
    .expect("the lab starts");
    let context = ValidationContext::new(today());
    for site in lab.sites() {
        let page = http_get(&lab, site.address, &host(site), "/", &[]).await;
        for (_, text) in filing_links(&page.text()) {
            let validation = validate(&text, &context);
            assert!(
                validation.is_valid() && validation.warnings().count() == 0,
                "{text}: {validation:?}"
            );
        }
    }
}

/// The sheet the demo imports: every catalogue scenario once, then every bulk site with its own
/// subject and the very filing numbers its footer shows.
#[tokio::test]
async fn portfolio_lists_the_catalogue_then_each_bulk_site_with_its_footer_numbers() {
    let lab = Lab::start(LabOptions {
        today: today(),
        bulk_healthy_sites: 23,
        ip_range: 4,
        ..LabOptions::default()
    })
    .await
    .expect("the lab starts");
    let csv = portfolio_csv(&lab);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let (subject, uscc, url, icp, psb) = (
        column("subject_name"),
        column("subject_id_number"),
        column("home_url"),
        column("icp_number"),
        column("psb_number"),
    );
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), portfolio_rows().len() + 23, "{csv}");
    assert!(rows.iter().all(|row| row.len() == header.len()), "{csv}");

    let bulk: Vec<_> = lab
        .sites()
        .iter()
        .filter(|site| site.scenario == ScenarioKind::BulkHealthy)
        .collect();
    for (row, site) in rows[portfolio_rows().len()..].iter().zip(&bulk) {
        assert_eq!(row[url], site.url.as_str());
        let page = http_get(&lab, site.address, &host(site), "/", &[]).await;
        let shown: Vec<String> = filing_links(&page.text())
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert_eq!(shown, [row[icp], row[psb]], "{}", site.domain);
    }
    // One identity number per subject, and a different one for every subject.
    let mut ids = std::collections::BTreeMap::new();
    for row in &rows {
        let previous = ids.insert(row[subject], row[uscc]);
        assert!(
            previous.is_none_or(|id| id == row[uscc]),
            "{}",
            row[subject]
        );
    }
    let distinct: std::collections::BTreeSet<_> = ids.values().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
}

#[tokio::test]
async fn bad_ip_range_is_an_error_naming_it() {
    let error = Lab::start(LabOptions {
        ip_range: 0,
        ..LabOptions::default()
    })
    .await
    .expect_err("ip_range 0 is refused");
    assert!(error.to_string().contains("ip_range"));
}

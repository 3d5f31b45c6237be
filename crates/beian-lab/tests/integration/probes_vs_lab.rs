//! The real probes against every well-behaved lab scenario: what they report must match what
//! the scenario declares a correct probe sees (its `ExpectedEvidence`).

use beian_lab::{DnsHint, LabSite, ScenarioKind, TlsKind};
use beian_probe::tls::TlsVerdict;
use beian_probe::{Outcome, ProbeFailure, RecordSource};

use crate::lab_probes::{
    BROWSER, BROWSER_FROM_BAIDU, LabProbes, SiteRun, cnnic_registrar_name, content_url,
    describe_http, is_hostile, start_lab_today, title_of,
};

/// TLDs whose registry is CNNIC (WHOIS only, Chinese registrar names).
fn is_cnnic(site: &LabSite) -> bool {
    let ascii = &site.domain_ascii;
    ascii.ends_with(".cn") || ascii.ends_with(".xn--fiqs8s")
}

fn dns_differences(site: &LabSite, run: &SiteRun, out: &mut Vec<String>) {
    let expected = &site.expected;
    let Outcome::Ok(dns) = &run.dns.value.outcome else {
        out.push(format!("DNS failed: {:?}", run.dns.value.outcome));
        return;
    };
    match expected.dns {
        DnsHint::NoError => {
            if dns.a.is_empty() {
                out.push(format!("DNS: no A record (rcodes {:?})", dns.rcodes));
            }
            if expected.cname_target.is_none() && !dns.a.contains(&site.address) {
                out.push(format!(
                    "DNS: A {:?} lacks the site address {}",
                    dns.a, site.address
                ));
            }
        }
        DnsHint::NxDomain => {
            if dns.rcodes.get("A").map(String::as_str) != Some("NXDOMAIN") {
                out.push(format!("DNS: A rcode is not NXDOMAIN: {:?}", dns.rcodes));
            }
            if !dns.a.is_empty() {
                out.push(format!("DNS: NXDOMAIN name has addresses {:?}", dns.a));
            }
        }
        other => out.push(format!(
            "DNS: unexpected hint {other:?} for a healthy scenario"
        )),
    }
    let seen_target = dns.cname_chain.first().map(|link| link.to.as_str());
    let wanted_target = expected
        .cname_target
        .as_deref()
        .map(|target| target.trim_end_matches('.'));
    if seen_target != wanted_target {
        out.push(format!(
            "DNS: CNAME target {seen_target:?}, expected {wanted_target:?}"
        ));
    }
    if wanted_target.is_some() && dns.cname_target_rcode.as_deref() != Some("NOERROR") {
        out.push(format!(
            "DNS: the CNAME target answered {:?}, expected NOERROR (the lab serves it)",
            dns.cname_target_rcode
        ));
    }
}

fn registration_differences(site: &LabSite, run: &SiteRun, out: &mut Vec<String>) {
    let expected = &site.expected;
    let evidence = &run.registration.value;
    let wanted_source = if is_cnnic(site) {
        RecordSource::Whois
    } else {
        RecordSource::Rdap
    };
    if evidence.source != wanted_source {
        out.push(format!(
            "registration: source {:?}, expected {wanted_source:?}",
            evidence.source
        ));
    }
    let Some(record) = &evidence.record else {
        out.push(format!(
            "registration: no record (rdap {:?}, whois {:?})",
            evidence.rdap.as_ref().map(|a| &a.outcome),
            evidence.whois.as_ref().map(|a| a.outcome.failure())
        ));
        return;
    };
    if record.registered != expected.registered {
        out.push(format!(
            "registration: registered {}, expected {}",
            record.registered, expected.registered
        ));
    }
    let expires_on = record.expires_at.map(|at| at.date_naive());
    if expires_on != expected.expires_on {
        out.push(format!(
            "registration: expires on {expires_on:?}, expected {:?}",
            expected.expires_on
        ));
    }
    let created_on = record.created_at.map(|at| at.date_naive());
    if created_on != expected.created_on {
        out.push(format!(
            "registration: created on {created_on:?}, expected {:?}",
            expected.created_on
        ));
    }
    for status in &expected.statuses {
        if !record.statuses.contains(status) {
            out.push(format!(
                "registration: status {status} missing from {:?}",
                record.statuses
            ));
        }
    }
    let wanted_registrar = match (&expected.registrar, is_cnnic(site)) {
        (Some(english), true) => match cnnic_registrar_name(english) {
            Some(chinese) => Some(chinese.to_owned()),
            None => {
                out.push(format!("test table lacks the CNNIC name of {english}"));
                return;
            }
        },
        (wanted, _) => wanted.clone(),
    };
    if record.registrar != wanted_registrar {
        out.push(format!(
            "registration: registrar {:?}, expected {wanted_registrar:?}",
            record.registrar
        ));
    }
}

fn http_differences(site: &LabSite, run: &SiteRun, out: &mut Vec<String>) {
    let browser = &run.browser.value;
    match (site.expected.http_final_status, &browser.outcome) {
        (Some(status), Outcome::Ok(page)) => {
            if page.status != status {
                out.push(format!(
                    "HTTP: browser got {}, expected {status}",
                    describe_http(browser)
                ));
            }
            if page.error.is_some() || page.truncated {
                out.push(format!(
                    "HTTP: browser fetch incomplete: {}",
                    describe_http(browser)
                ));
            }
        }
        (None, Outcome::Failed(ProbeFailure::NxDomain { .. })) => {}
        (wanted, _) => out.push(format!(
            "HTTP: browser {}, expected status {wanted:?} (None: the name does not resolve)",
            describe_http(browser)
        )),
    }
}

fn tls_differences(site: &LabSite, run: &SiteRun, out: &mut Vec<String>) {
    let wanted = match site.expected.tls {
        TlsKind::None => {
            if run.tls.is_some() || site.url.scheme() != "http" {
                out.push(format!(
                    "TLS: a site without HTTPS has the URL {}",
                    site.url
                ));
            }
            return;
        }
        TlsKind::Valid => TlsVerdict::Valid,
        TlsKind::Expired => TlsVerdict::Expired,
        TlsKind::SelfSigned => TlsVerdict::SelfSigned,
        TlsKind::WrongName => TlsVerdict::NameMismatch,
    };
    let Some(tls) = &run.tls else {
        out.push("TLS: not probed".to_owned());
        return;
    };
    match &tls.value.outcome {
        Outcome::Ok(facts) => {
            if facts.verdict != wanted {
                out.push(format!(
                    "TLS: verdict {:?}, expected {wanted:?}",
                    facts.verdict
                ));
            }
            let names_host = site.expected.tls != TlsKind::WrongName;
            if facts.san_matches != names_host {
                out.push(format!(
                    "TLS: san_matches {} for SAN {:?}",
                    facts.san_matches, facts.san
                ));
            }
            if site.expected.tls == TlsKind::Expired && facts.days_left >= 0 {
                out.push(format!(
                    "TLS: expired certificate has {} days left",
                    facts.days_left
                ));
            }
        }
        Outcome::Failed(failure) => out.push(format!("TLS: failed: {failure:?}")),
    }
}

/// A certificate the verifier rejects must stop the HTTPS fetch with a TLS failure (the
/// content checks then read the plain-HTTP page).
async fn https_refusal_differences(probes: &LabProbes, site: &LabSite, out: &mut Vec<String>) {
    if matches!(site.expected.tls, TlsKind::Valid | TlsKind::None) {
        return;
    }
    let over_https = probes.http.fetch(&site.url, BROWSER).await;
    if !matches!(
        over_https.outcome,
        Outcome::Failed(ProbeFailure::Tls { .. })
    ) {
        out.push(format!(
            "HTTPS with a {:?} certificate: {}, expected a TLS failure",
            site.expected.tls,
            describe_http(&over_https)
        ));
    }
}

/// Persona-dependent scenarios: the pages must really differ between personas.
async fn persona_differences(
    probes: &LabProbes,
    site: &LabSite,
    run: &SiteRun,
    out: &mut Vec<String>,
) {
    const GAMBLING_TERM: &str = "澳门新葡京";
    const PACKER: &str = "eval(function(p,a,c,k,e,d)";
    match site.scenario {
        ScenarioKind::SpiderCloaking => {
            let (Some(browser), Some(spider)) = (
                run.browser.value.outcome.ok(),
                run.spider.value.outcome.ok(),
            ) else {
                out.push("cloaking: a persona fetch failed".to_owned());
                return;
            };
            let (browser_title, spider_title) = (title_of(&browser.body), title_of(&spider.body));
            if browser_title.is_none() || browser_title == spider_title {
                out.push(format!(
                    "cloaking: titles do not differ: browser {browser_title:?}, spider {spider_title:?}"
                ));
            }
            if !spider_title.is_some_and(|title| title.contains(GAMBLING_TERM))
                || browser.body.contains(GAMBLING_TERM)
            {
                out.push(format!(
                    "cloaking: the gambling title should reach Baiduspider only \
                     (browser {browser_title:?}, spider {spider_title:?})"
                ));
            }
        }
        ScenarioKind::BaiduReferrerRedirect => {
            let page = content_url(site);
            let from_baidu = probes.http.fetch(&page, BROWSER_FROM_BAIDU).await;
            let direct = probes.http.fetch(&page, BROWSER).await;
            match (from_baidu.outcome.ok(), direct.outcome.ok()) {
                (Some(from_baidu), Some(direct)) => {
                    if !from_baidu.body.contains(PACKER) {
                        out.push(
                            "referrer: the Baidu visitor's page lacks the packed script".to_owned(),
                        );
                    }
                    if direct.body.contains(PACKER) {
                        out.push(
                            "referrer: the direct visitor's page has the packed script".to_owned(),
                        );
                    }
                }
                _ => out.push(format!(
                    "referrer: a fetch failed: {} / {}",
                    describe_http(&from_baidu),
                    describe_http(&direct)
                )),
            }
        }
        ScenarioKind::GbkPage => {
            if let Some(page) = run.browser.value.outcome.ok()
                && (page.charset != "GBK" || !page.body.contains("国货老店"))
            {
                out.push(format!(
                    "GBK page: decoded as {} and the shop name is {}",
                    page.charset,
                    if page.body.contains("国货老店") {
                        "present"
                    } else {
                        "missing"
                    }
                ));
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_healthy_scenario_matches_its_expected_evidence() {
    let lab = start_lab_today().await;
    let probes = LabProbes::for_lab(&lab);
    let sites: Vec<&LabSite> = lab
        .sites()
        .iter()
        .filter(|s| !is_hostile(s.scenario))
        .collect();
    assert_eq!(
        sites.len(),
        18,
        "the standard catalogue's well-behaved scenarios"
    );
    let mut report = Vec::new();
    for site in sites {
        let run = probes.probe_site(site).await;
        let mut differences = probes.time_violations(&run);
        dns_differences(site, &run, &mut differences);
        registration_differences(site, &run, &mut differences);
        http_differences(site, &run, &mut differences);
        tls_differences(site, &run, &mut differences);
        https_refusal_differences(&probes, site, &mut differences).await;
        persona_differences(&probes, site, &run, &mut differences).await;
        println!(
            "{:<24} {:>5} ms  {}",
            site.scenario.as_str(),
            run.wall.as_millis(),
            if differences.is_empty() {
                "ok"
            } else {
                "DIFFERS"
            }
        );
        for difference in differences {
            report.push(format!(
                "{} ({}): {difference}",
                site.scenario.as_str(),
                site.domain
            ));
        }
    }
    assert!(
        report.is_empty(),
        "probes and lab disagree:\n{}",
        report.join("\n")
    );
}

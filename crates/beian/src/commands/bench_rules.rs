//! `beian bench rules --sites N`: builds N synthetic sites in memory (the import bench's
//! portfolio plus two scans each: healthy, expiring, lapsed, dropped, re-registered,
//! hijacked, footer, DNS, TLS and PSB faults, chosen by a fixed seed), judges them all
//! three times on one thread and three times on every core, and prints the medians as JSON.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use beian_core::facts::{
    DnsFacts, DomainObservation, FooterFact, RegistrationFacts, RegistrationObservation,
    SignalFact, SiteFacts, SiteObservation, TlsFacts, WebFacts,
};
use beian_core::inventory::Column;
use beian_core::model::{
    Domain, Filing, FilingKind, FilingStatus, Provenance, RecordStatus, Subject, SubjectKind,
    Website,
};
use beian_core::rules::{RuleSettings, judge};
use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use serde_json::json;

use crate::error::Exit;
use crate::output;

const RUNS: usize = 3;
/// A fixed judgement date keeps the findings of every run and every machine identical.
const TODAY: (i32, u32, u32) = (2026, 3, 10);
const SEED: u64 = 0x5EED_0005;

pub fn run(sites: u32) -> anyhow::Result<Exit> {
    let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap_or(NaiveDate::MIN);
    let generating = Instant::now();
    let facts = synthetic_sites(sites as usize, today);
    let generation_seconds = generating.elapsed().as_secs_f64();
    let settings = RuleSettings::default();

    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for site in &facts {
        for draft in judge(site, &settings) {
            *by_rule.entry(draft.rule_id).or_default() += 1;
        }
    }
    let findings: usize = by_rule.values().sum();

    let runs: Vec<f64> = (0..RUNS).map(|_| time_single(&facts, &settings)).collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let parallel_runs: Vec<f64> = (0..RUNS)
        .map(|_| time_parallel(&facts, &settings, threads))
        .collect();
    let seconds = median(&runs);
    let parallel_seconds = median(&parallel_runs);
    let rate = |seconds: f64| {
        if seconds > 0.0 {
            facts.len() as f64 / seconds
        } else {
            0.0
        }
    };
    output::print_json(&json!({
        "sites": facts.len(),
        "seconds": seconds,
        "runs": runs,
        "findings": findings,
        "sites_per_second": rate(seconds),
        "parallel": {
            "threads": threads,
            "seconds": parallel_seconds,
            "runs": parallel_runs,
            "sites_per_second": rate(parallel_seconds),
        },
        "findings_by_rule": by_rule,
        "generation_seconds": generation_seconds,
        "today": today,
        "note": "seconds: one thread, median of 3 / 单线程三次运行的中位数",
    }))?;
    Ok(Exit::Success)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// Judges every site; the drafts are counted so the work cannot be optimised away.
fn time_single(facts: &[SiteFacts], settings: &RuleSettings) -> f64 {
    let started = Instant::now();
    let count: usize = facts.iter().map(|site| judge(site, settings).len()).sum();
    std::hint::black_box(count);
    started.elapsed().as_secs_f64()
}

fn time_parallel(facts: &[SiteFacts], settings: &RuleSettings, threads: usize) -> f64 {
    let chunk = facts.len().div_ceil(threads.max(1)).max(1);
    let started = Instant::now();
    let count: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = facts
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|site| judge(site, settings).len())
                        .sum::<usize>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or(0))
            .sum()
    });
    std::hint::black_box(count);
    started.elapsed().as_secs_f64()
}

/// SplitMix64: a tiny deterministic generator, enough to vary synthetic sites.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

/// The fault a synthetic site carries, with its share in per cent.
#[derive(Debug, Clone, Copy)]
enum Profile {
    Healthy,
    Expiring,
    Lapsed,
    Dropped,
    Reregistered,
    Hijacked,
    Footer,
    Dns,
    Tls,
    PsbMissing,
    Closed,
}

fn profile(roll: u64) -> Profile {
    match roll {
        0..60 => Profile::Healthy,
        60..70 => Profile::Expiring,
        70..75 => Profile::Lapsed,
        75..77 => Profile::Dropped,
        77..79 => Profile::Reregistered,
        79..86 => Profile::Hijacked,
        86..92 => Profile::Footer,
        92..95 => Profile::Dns,
        95..97 => Profile::Tls,
        97..99 => Profile::PsbMissing,
        _ => Profile::Closed,
    }
}

fn timestamp() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

fn add(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(TimeDelta::days(days))
        .unwrap_or(date)
}

/// The import bench's portfolio (`rows` valid sites, ten per company), turned into facts
/// with a current and a previous scan.
pub fn synthetic_sites(count: usize, today: NaiveDate) -> Vec<SiteFacts> {
    let position = |column: Column| Column::ALL.iter().position(|c| *c == column).unwrap_or(0);
    let rows = crate::bench::synthetic_portfolio(count, today);
    let mut rng = Rng(SEED);
    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            let cell = |column: Column| row.get(position(column)).map_or("", String::as_str);
            let mut facts = healthy_site(index, &cell, today, &mut rng);
            let kind = profile(rng.below(100));
            apply(kind, &mut facts, &mut rng);
            facts
        })
        .collect()
}

fn healthy_site<'a>(
    index: usize,
    cell: &impl Fn(Column) -> &'a str,
    today: NaiveDate,
    rng: &mut Rng,
) -> SiteFacts {
    let site_id = index as i64 + 1;
    let subject_id = (index / 10) as i64 + 1;
    let date = |column: Column| cell(column).parse::<NaiveDate>().ok();
    let subject = Subject {
        id: subject_id,
        name: cell(Column::SubjectName).to_owned(),
        kind: SubjectKind::Company,
        id_number: cell(Column::SubjectIdNumber).to_owned(),
        principal: cell(Column::Principal).to_owned(),
        province: Some("11".to_owned()),
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: timestamp(),
        updated_at: timestamp(),
    };
    let domain_name = cell(Column::Domains).to_owned();
    let host = format!("www.{domain_name}");
    let expires_on = date(Column::DomainExpiresOn).unwrap_or(add(today, 400));
    let server_ip: IpAddr = cell(Column::ServerIps)
        .parse()
        .unwrap_or(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1)));
    let website = Website {
        id: site_id,
        subject_id,
        name: cell(Column::SiteName).to_owned(),
        home_url: cell(Column::HomeUrl).to_owned(),
        access_providers: vec![cell(Column::AccessProviders).to_owned()],
        tags: Vec::new(),
        server_ips: vec![server_ip.to_string()],
        go_live_on: date(Column::GoLiveOn),
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: timestamp(),
        updated_at: timestamp(),
    };
    let site_number = cell(Column::IcpNumber).to_owned();
    let subject_number = site_number
        .rsplit_once('-')
        .map_or(site_number.as_str(), |(stem, _)| stem)
        .to_owned();
    let psb_number = cell(Column::PsbNumber).to_owned();
    let filing = |id: i64, kind: FilingKind, number: &str, website_id: Option<i64>| Filing {
        id,
        kind,
        number: number.to_owned(),
        status: FilingStatus::Active,
        subject_id,
        website_id,
        parent_id: None,
        filed_on: date(Column::FiledOn),
        cancelled_on: None,
        notes: String::new(),
        created_at: timestamp(),
        updated_at: timestamp(),
    };
    let filings = vec![
        filing(site_id * 3, FilingKind::IcpSubject, &subject_number, None),
        filing(
            site_id * 3 + 1,
            FilingKind::IcpWebsite,
            &site_number,
            Some(site_id),
        ),
        filing(site_id * 3 + 2, FilingKind::Psb, &psb_number, Some(site_id)),
    ];
    let nameservers = if index.is_multiple_of(2) {
        vec!["dns1.hichina.com".to_owned(), "dns2.hichina.com".to_owned()]
    } else {
        vec![
            "f1g1ns1.dnspod.net".to_owned(),
            "f1g1ns2.dnspod.net".to_owned(),
        ]
    };
    let registration = RegistrationFacts {
        source: if domain_name.ends_with(".cn") {
            "whois"
        } else {
            "rdap"
        }
        .to_owned(),
        created_on: Some(add(
            NaiveDate::from_ymd_opt(2012, 1, 1).unwrap_or(today),
            rng.below(4000) as i64,
        )),
        expires_on: Some(expires_on),
        updated_on: None,
        statuses: vec!["client transfer prohibited".to_owned()],
        registrar: Some("阿里云计算有限公司（万网）".to_owned()),
        registrant: Some(subject.name.clone()),
        nameservers: nameservers.clone(),
    };
    let dns = |addresses: Vec<IpAddr>| DnsFacts {
        rcode: "no_error".to_owned(),
        addresses,
        cname_chain: vec![],
        nameservers: nameservers.clone(),
    };
    let observation = SiteObservation {
        observed_at: timestamp(),
        domains: vec![
            DomainObservation {
                name: domain_name.clone(),
                registration: RegistrationObservation::Registered(registration),
                dns: Some(dns(vec![server_ip])),
            },
            DomainObservation {
                name: host.clone(),
                registration: RegistrationObservation::Unknown {
                    detail: "host name".to_owned(),
                },
                dns: Some(dns(vec![server_ip])),
            },
        ],
        web: Some(WebFacts {
            url: website.home_url.clone(),
            verdict: "clean".to_owned(),
            reachable: true,
            title: Some(website.name.clone()),
            signals: vec![],
            footer: vec![
                FooterFact {
                    kind: FilingKind::IcpWebsite,
                    number: site_number.clone(),
                    link: Some("https://beian.miit.gov.cn/".to_owned()),
                    link_ok: true,
                },
                FooterFact {
                    kind: FilingKind::Psb,
                    number: psb_number.clone(),
                    link: Some(format!(
                        "https://beian.mps.gov.cn/#/query/webSearch?code={}",
                        psb_digits(&psb_number)
                    )),
                    link_ok: true,
                },
            ],
            tls: Some(TlsFacts {
                not_after: None,
                days_left: Some(30 + rng.below(335) as i64),
                issuer: Some("Encryption Everywhere DV TLS CA - G2".to_owned()),
                verdict: "valid".to_owned(),
                detail: None,
            }),
        }),
    };
    let mut previous = observation.clone();
    previous.observed_at = timestamp() - TimeDelta::days(1);
    SiteFacts {
        today,
        subject: Some(subject),
        website,
        domains: vec![Domain {
            id: site_id,
            name: domain_name.clone(),
            unicode_name: domain_name,
            website_id: Some(site_id),
            registrar: "阿里云计算有限公司（万网）".to_owned(),
            holder: cell(Column::SubjectName).to_owned(),
            expires_on: Some(expires_on),
            expiry_source: Some(Provenance::Rdap),
            notes: String::new(),
            created_at: timestamp(),
            updated_at: timestamp(),
        }],
        filings,
        current: Some(observation),
        previous: Some(previous),
    }
}

fn psb_digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

fn registration(facts: &mut SiteFacts) -> Option<&mut RegistrationObservation> {
    facts
        .current
        .as_mut()
        .and_then(|observation| observation.domains.first_mut())
        .map(|domain| &mut domain.registration)
}

fn web(facts: &mut SiteFacts) -> Option<&mut WebFacts> {
    facts
        .current
        .as_mut()
        .and_then(|observation| observation.web.as_mut())
}

const TECHNIQUES: [(&str, &str); 8] = [
    ("hostile_content", "gambling_terms"),
    ("cloaking", "spider_differs"),
    ("js_redirect", "referrer_redirect"),
    ("iframe_overlay", "fullscreen_iframe"),
    ("hidden_links", "offscreen_links"),
    ("parasite_pages", "random_path_200"),
    ("title_replacement", "title_changed"),
    ("parking", "registrar_parking"),
];

fn apply(profile: Profile, facts: &mut SiteFacts, rng: &mut Rng) {
    let today = facts.today;
    match profile {
        Profile::Healthy => {}
        Profile::Expiring => {
            let expiry = add(today, 1 + rng.below(90) as i64);
            facts.domains[0].expires_on = Some(expiry);
            if let Some(RegistrationObservation::Registered(now)) = registration(facts) {
                now.expires_on = Some(expiry);
            }
        }
        Profile::Lapsed => {
            let expiry = add(today, -(rng.below(100) as i64));
            let statuses = match rng.below(3) {
                0 => vec!["client hold".to_owned()],
                1 => vec!["redemption period".to_owned(), "pending delete".to_owned()],
                _ => vec!["pending delete".to_owned()],
            };
            if let Some(RegistrationObservation::Registered(now)) = registration(facts) {
                now.expires_on = Some(expiry);
                now.statuses = statuses;
            }
        }
        Profile::Dropped => {
            if let Some(observation) = registration(facts) {
                *observation = RegistrationObservation::NotRegistered;
            }
        }
        Profile::Reregistered => {
            if let Some(RegistrationObservation::Registered(now)) = registration(facts) {
                now.created_on = Some(add(today, -(rng.below(20) as i64)));
                now.expires_on = Some(add(today, 345));
                now.registrant = Some("某某网络工作室".to_owned());
            }
        }
        Profile::Hijacked => {
            let hijacked = rng.below(2) == 0;
            if let Some(page) = web(facts) {
                page.verdict = if hijacked { "hijacked" } else { "suspicious" }.to_owned();
                for _ in 0..1 + rng.below(3) {
                    let (technique, kind) = TECHNIQUES[rng.below(TECHNIQUES.len() as u64) as usize];
                    page.signals.push(SignalFact {
                        technique: technique.to_owned(),
                        kind: kind.to_owned(),
                        confidence: 0.5 + rng.below(50) as f32 / 100.0,
                        explanation: format!("{kind} 信号 / {kind} signal"),
                        snippets: vec![format!("baiduspider {}: 澳门葡京 在线娱乐", page.url)],
                    });
                }
            }
        }
        Profile::Footer => {
            let choice = rng.below(3);
            if let Some(page) = web(facts) {
                match choice {
                    0 => page.footer.clear(),
                    1 => page.footer[0].number.push('0'),
                    _ => page.footer.iter_mut().for_each(|fact| fact.link_ok = false),
                }
            }
        }
        Profile::Dns => {
            let takeover = rng.below(3) == 0;
            if let Some(observation) = facts.current.as_mut() {
                for domain in &mut observation.domains {
                    if let Some(dns) = domain.dns.as_mut() {
                        if takeover {
                            dns.rcode = "nx_domain".to_owned();
                            dns.addresses.clear();
                            dns.cname_chain =
                                vec![format!("{}.oss-cn-hangzhou.aliyuncs.com", domain.name)];
                        } else {
                            dns.nameservers = vec![
                                "ns1.parkingcrew.net".to_owned(),
                                "ns2.parkingcrew.net".to_owned(),
                            ];
                            dns.addresses = vec![IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))];
                        }
                    }
                }
            }
        }
        Profile::Tls => {
            let expiring = rng.below(2) == 0;
            if let Some(tls) = web(facts).and_then(|page| page.tls.as_mut()) {
                if expiring {
                    tls.days_left = Some(rng.below(14) as i64);
                } else {
                    tls.verdict = "name_mismatch".to_owned();
                    tls.detail = Some("certificate names *.parking.example".to_owned());
                }
            }
        }
        Profile::PsbMissing => {
            facts
                .filings
                .retain(|filing| filing.kind != FilingKind::Psb);
            facts.website.go_live_on = Some(add(today, -(rng.below(60) as i64)));
            if let Some(page) = web(facts) {
                page.footer.retain(|fact| fact.kind != FilingKind::Psb);
            }
        }
        Profile::Closed => {
            facts.website.status = RecordStatus::Closed;
            facts.website.closed_on = today.checked_sub_days(Days::new(rng.below(200)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_sites_are_deterministic_and_varied() {
        let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).expect("valid date");
        let first = synthetic_sites(400, today);
        assert_eq!(first, synthetic_sites(400, today));
        let settings = RuleSettings::default();
        let mut rules = std::collections::BTreeSet::new();
        let mut clean = 0;
        for site in &first {
            let drafts = judge(site, &settings);
            clean += usize::from(drafts.is_empty());
            rules.extend(drafts.into_iter().map(|draft| draft.rule_id));
        }
        // Most sites are healthy, and the faults reach every area of the catalogue.
        assert!(clean > 200 && clean < 300, "{clean} clean sites of 400");
        for rule in [
            "domain.expiring",
            "domain.lapsed_filing_active",
            "domain.reregistered_filing_active",
            "content.hijack",
            "footer.icp_missing",
            "dns.takeover_risk",
            "tls.invalid",
            "psb.missing",
            "site.closed_filings_active",
        ] {
            assert!(rules.contains(rule), "{rule} missing from {rules:?}");
        }
        assert!(
            !rules.contains("inventory.identifier_invalid"),
            "the portfolio's numbers are valid"
        );
    }
}

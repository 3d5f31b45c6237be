//! A lab, a store and a small inventory for the engine tests.

use std::time::Duration;

use beian_core::identifier::{ValidationContext, uscc_check_character};
use beian_core::model::{
    Change, Domain, Filing, FilingKind, FilingStatus, Links, Record, RecordId, RecordRef,
    RecordStatus, Subject, SubjectKind, Website,
};
use beian_core::rules::RuleSettings;
use beian_engine::{Quiet, ScanOptions, ScanProbes, ScanResult, ScanScope, Scanner};
use beian_lab::{Lab, LabOptions, Scenario};
use beian_probe::ProbeSettings;
use beian_store::{AnyStore, OpenMode, Store, StoreLocation};
use chrono::{NaiveDate, Utc};
use tempfile::TempDir;

pub const ACTOR: &str = "test:engine";

/// A fresh SQLite store in a temporary directory (kept alive by the returned guard).
pub async fn store() -> (TempDir, AnyStore) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = beian_store::open(
        &StoreLocation::Sqlite(dir.path().join("beian.db")),
        OpenMode::CreateIfMissing,
    )
    .await
    .expect("create the store");
    (dir, store)
}

/// The lab serving only `scenarios`, dated `today`.
pub async fn lab(scenarios: Vec<Scenario>, today: NaiveDate) -> Lab {
    Lab::start(LabOptions {
        catalogue: scenarios,
        today,
        ip_range: 4,
        ..LabOptions::default()
    })
    .await
    .expect("the lab starts")
}

/// Probe settings pointing at the lab, with short timeouts and no client-side rate limits.
pub fn lab_settings(lab: &Lab) -> ProbeSettings {
    let endpoints = lab.endpoints();
    let mut settings = ProbeSettings::default();
    settings.dns.nameservers = vec![endpoints.dns];
    settings.dns.timeout = Duration::from_secs(1);
    settings.dns.attempts = 1;
    settings.whois.servers = endpoints
        .whois_tlds
        .iter()
        .filter_map(|tld| Some((tld.clone(), endpoints.whois_server_for(tld)?.to_string())))
        .collect();
    settings.whois.timeout = Duration::from_secs(2);
    settings.whois.per_server_per_minute = 0;
    settings.rdap.servers = endpoints
        .rdap_tlds
        .iter()
        .map(|tld| (tld.clone(), endpoints.rdap_base.clone()))
        .collect();
    settings.rdap.timeout = Duration::from_secs(2);
    settings.rdap.per_server_per_minute = 0;
    settings.http.http_port = endpoints.http_port;
    settings.http.https_port = endpoints.https_port;
    settings.http.timeout = Duration::from_secs(2);
    settings.http.connect_timeout = Duration::from_secs(2);
    settings.http.extra_roots_pem = vec![endpoints.ca_pem.clone()];
    settings.network.allow_private = true;
    settings
}

/// Scans `scope` of the store with probes pointed at `lab`.
pub async fn scan(store: &AnyStore, lab: &Lab, scope: &ScanScope) -> ScanResult {
    let probes = ScanProbes::new(&lab_settings(lab)).expect("probes for the lab");
    let options = ScanOptions {
        actor: ACTOR.to_owned(),
        today: lab.today(),
        concurrency: 4,
        rules: RuleSettings::default(),
        validation: ValidationContext::new(lab.today()),
    };
    Scanner::new(store, probes, options)
        .run(scope, &Quiet)
        .await
        .expect("the scan runs")
}

/// What the inventory says about one site.
pub struct SiteSpec<'a> {
    pub company: &'a str,
    pub home_url: &'a str,
    pub domain: &'a str,
    pub icp: &'a str,
    pub status: RecordStatus,
}

/// Inserts a subject, its website, the website's domain, its ICP website filing and the
/// subject filing it hangs under; returns the website id.
pub async fn add_site(store: &AnyStore, index: usize, spec: &SiteSpec<'_>) -> RecordId {
    let now = Utc::now();
    let first17 = format!("91110108MA{:07}", 2000 + index * 41);
    let check = uscc_check_character(&first17).expect("a USCC prefix");
    let subject = Subject {
        id: 0,
        name: spec.company.to_owned(),
        kind: SubjectKind::Company,
        id_number: format!("{first17}{check}"),
        principal: "张伟".to_owned(),
        province: None,
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: now,
        updated_at: now,
    };
    let website = Website {
        id: 0,
        subject_id: 0,
        name: spec.company.to_owned(),
        home_url: spec.home_url.to_owned(),
        access_providers: Vec::new(),
        tags: Vec::new(),
        server_ips: Vec::new(),
        go_live_on: None,
        status: spec.status,
        closed_on: None,
        notes: String::new(),
        created_at: now,
        updated_at: now,
    };
    let domain = Domain {
        id: 0,
        name: spec.domain.to_owned(),
        unicode_name: spec.domain.to_owned(),
        website_id: None,
        registrar: String::new(),
        holder: spec.company.to_owned(),
        expires_on: None,
        expiry_source: None,
        notes: String::new(),
        created_at: now,
        updated_at: now,
    };
    let filing = |kind: FilingKind, number: &str| Filing {
        id: 0,
        kind,
        number: number.to_owned(),
        status: FilingStatus::Active,
        subject_id: 0,
        website_id: None,
        parent_id: None,
        filed_on: None,
        cancelled_on: None,
        notes: String::new(),
        created_at: now,
        updated_at: now,
    };
    let stem = spec.icp.split('-').next().expect("a website number");
    let changes = [
        Change::Insert {
            record: Record::Subject(subject),
            links: Links::default(),
        },
        Change::Insert {
            record: Record::Website(website),
            links: Links {
                subject: Some(RecordRef::New(0)),
                ..Links::default()
            },
        },
        Change::Insert {
            record: Record::Domain(domain),
            links: Links {
                website: Some(RecordRef::New(1)),
                ..Links::default()
            },
        },
        Change::Insert {
            record: Record::Filing(filing(FilingKind::IcpSubject, stem)),
            links: Links {
                subject: Some(RecordRef::New(0)),
                ..Links::default()
            },
        },
        Change::Insert {
            record: Record::Filing(filing(FilingKind::IcpWebsite, spec.icp)),
            links: Links {
                subject: Some(RecordRef::New(0)),
                website: Some(RecordRef::New(1)),
                parent: Some(RecordRef::New(3)),
            },
        },
    ];
    let stored = store.apply(ACTOR, &changes).await.expect("insert the site");
    stored
        .get(1)
        .map(Record::id)
        .expect("the website was stored second")
}

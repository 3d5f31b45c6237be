//! `beian scan` and `beian findings` end to end on the lab: a portfolio with one website per
//! lab scenario is imported and scanned, and the exact findings and auto-opened cases of
//! every site are asserted — none missing, none extra.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use beian_lab::{Lab, LabOptions, ScenarioKind, portfolio_csv, portfolio_rows};
use serde_json::Value;

use crate::Workspace;

/// The lab on its own runtime, so its servers answer while the test thread waits.
pub struct ScanLab {
    runtime: tokio::runtime::Runtime,
    lab: Option<Lab>,
}

impl ScanLab {
    pub fn start() -> ScanLab {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the lab");
        let lab = runtime
            .block_on(Lab::start(LabOptions::default()))
            .expect("the lab starts");
        ScanLab {
            runtime,
            lab: Some(lab),
        }
    }

    pub fn lab(&self) -> &Lab {
        self.lab.as_ref().expect("the lab runs until drop")
    }

    /// The day every scenario date counts from, for `BEIAN_TODAY`.
    pub fn today(&self) -> String {
        self.lab().today().format("%Y-%m-%d").to_string()
    }

    /// An initialised workspace whose probes point at the lab, `concurrency` sites at once,
    /// with the lab portfolio imported.
    pub fn workspace(&self, concurrency: usize) -> Workspace {
        let workspace = Workspace::initialised();
        let config = format!(
            "{}\n[scan]\nconcurrency = {concurrency}\n",
            self.lab().beian_toml()
        );
        std::fs::write(workspace.config_path(), config).expect("write the lab config");
        let csv = workspace.path().join("portfolio.csv");
        std::fs::write(&csv, portfolio_csv(self.lab())).expect("write the portfolio");
        let output = run(
            self,
            &workspace,
            &["import", csv.to_str().expect("UTF-8 path")],
        );
        assert!(output.status.success(), "import: {}", text(&output.stderr));
        workspace
    }
}

impl Drop for ScanLab {
    fn drop(&mut self) {
        if let Some(lab) = self.lab.take() {
            self.runtime.block_on(lab.shutdown());
        }
    }
}

/// Runs beian in the workspace with "today" pinned to the lab's day.
pub fn run(lab: &ScanLab, workspace: &Workspace, args: &[&str]) -> Output {
    workspace
        .beian()
        .env("BEIAN_TODAY", lab.today())
        .args(args)
        .output()
        .expect("run beian")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `beian scan --all --json` with a short probe timeout (the hostile servers cost it once).
pub const SCAN_ALL: [&str; 5] = ["scan", "--all", "--json", "--timeout", "2"];

const DOMAIN: &str = "<domain>";
const HOST: &str = "<host>";

/// What every scenario must give, and why.
/// (rule, key, severity) a site must hold; `HOST` and `DOMAIN` stand for the scenario's
/// site host and registrable domain (A-labels).
type Expected = &'static [(&'static str, &'static str, &'static str)];

fn expected(kind: ScenarioKind) -> Expected {
    use ScenarioKind as K;
    match kind {
        // Correct footer, valid certificate, a year of registration left.
        K::Healthy => &[],
        // Five days left: inside the 7-day threshold.
        K::ExpiringSoon => &[("domain.expiring", DOMAIN, "high")],
        // Expired 10 days ago (client hold) with the filing active; the registrar's expiry
        // page shows no filing number.
        K::ExpiredFilingActive => &[
            ("content.parked", "", "high"),
            ("domain.lapsed_filing_active", DOMAIN, "critical"),
            ("footer.icp_missing", "", "high"),
        ],
        K::Redemption | K::PendingDelete => &[("domain.lapsed_filing_active", DOMAIN, "critical")],
        K::Dropped => &[
            ("domain.lapsed_filing_active", DOMAIN, "critical"),
            ("site.closed_filings_active", "", "high"),
        ],
        // A stranger's gambling page behind the old footer (which matches the record, so no
        // footer finding); the registry names the stranger as registrant, and the domain was
        // created 20 days ago, long after its ICP filing: re-registered, on the first scan.
        K::ReRegistered => &[
            ("content.hijack", "", "critical"),
            ("domain.holder_mismatch", DOMAIN, "medium"),
            ("domain.reregistered_filing_active", DOMAIN, "critical"),
        ],
        // Server hold: nothing answers; no PSB filing 200 days after go-live.
        K::NxDomain => &[("psb.missing", "", "high")],
        // Held by a domain investor, parked, self-signed; the parking page shows no filing.
        // The name was created 400 days ago, years after its 2020 filing, by the investor:
        // lost and caught again, so re-registered while the filing is active.
        K::Parked => &[
            ("content.parked", "", "high"),
            ("domain.holder_mismatch", DOMAIN, "medium"),
            ("domain.reregistered_filing_active", DOMAIN, "critical"),
            ("footer.icp_missing", "", "high"),
            ("tls.invalid", HOST, "high"),
        ],
        // The bucket's error page (over plain HTTP: the certificate is the cloud's).
        K::DanglingOssCname => &[
            ("dns.takeover_risk", HOST, "critical"),
            ("footer.icp_missing", "", "high"),
            ("tls.invalid", HOST, "high"),
        ],
        K::GamblingHijack => &[("content.hijack", "", "critical")],
        K::SpiderCloaking => &[
            ("content.cloaking", "", "high"),
            ("content.hijack", "", "critical"),
            ("tls.invalid", HOST, "high"),
        ],
        K::BaiduReferrerRedirect => &[("content.js_redirect", "", "critical")],
        K::IframeOverlay => &[("content.iframe_overlay", "", "critical")],
        K::HiddenLinkFarm => &[
            ("content.hidden_links", "", "high"),
            ("content.hijack", "", "critical"),
        ],
        K::ParasitePages => &[("content.parasite_pages", "", "critical")],
        // 90 days left: the first threshold.
        K::GbkPage => &[("domain.expiring", DOMAIN, "low")],
        // Its markup is for the dashboard to escape, not a finding; but the registry names a
        // registrant (markup and all) that is not the holder on record.
        K::MarkupInjection => &[("domain.holder_mismatch", DOMAIN, "medium")],
        // Hostile servers cost time, not findings: their registrations are in order and
        // they have no filings to check.
        _ => &[],
    }
}

/// The auto-opened cases per scenario: (kind, rule of the finding that opened it).
fn expected_cases(kind: ScenarioKind) -> &'static [(&'static str, &'static str)] {
    use ScenarioKind as K;
    match kind {
        K::ExpiredFilingActive | K::Redemption | K::PendingDelete | K::Dropped => {
            &[("icp_cancel_website", "domain.lapsed_filing_active")]
        }
        _ => &[],
    }
}

/// Home URL → every (rule, key, severity) the lab says it must hold.
pub fn expected_findings(lab: &Lab) -> BTreeMap<String, BTreeSet<(String, String, String)>> {
    portfolio_rows()
        .iter()
        .map(|row| {
            let site = lab.site(row.kind).expect("the catalogue has it");
            let host = site.url.host_str().expect("lab URLs have hosts").to_owned();
            let findings = expected(row.kind)
                .iter()
                .map(|(rule, key, severity)| {
                    let key = match *key {
                        DOMAIN => site.domain_ascii.clone(),
                        HOST => host.clone(),
                        other => other.to_owned(),
                    };
                    ((*rule).to_owned(), key, (*severity).to_owned())
                })
                .collect();
            (site.url.to_string(), findings)
        })
        .collect()
}

fn findings_of(site: &Value, field: &str) -> BTreeSet<(String, String, String)> {
    site[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} in {site:#}"))
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule").to_owned(),
                f["key"].as_str().expect("key").to_owned(),
                f["severity"].as_str().expect("severity").to_owned(),
            )
        })
        .collect()
}

fn site_by_url<'a>(result: &'a Value, url: &str) -> &'a Value {
    result["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .find(|site| site["home_url"] == url)
        .unwrap_or_else(|| panic!("a site {url} in the scan result"))
}

#[test]
fn scan_finds_exactly_what_every_lab_scenario_shows() {
    let lab = ScanLab::start();
    let workspace = lab.workspace(16);
    let output = run(&lab, &workspace, &SCAN_ALL);
    assert!(output.status.success(), "scan: {}", text(&output.stderr));
    let result: Value = serde_json::from_slice(&output.stdout).expect("scan JSON");
    let expected = expected_findings(lab.lab());
    assert_eq!(
        result["summary"]["sites"],
        expected.len(),
        "{:#}",
        result["summary"]
    );
    assert_eq!(result["summary"]["unchecked"], 0, "{:#}", result["summary"]);
    assert_eq!(result["summary"]["failed"], 0, "{:#}", result["summary"]);

    let mut wrong = Vec::new();
    for (url, want) in &expected {
        let site = site_by_url(&result, url);
        let got = findings_of(site, "findings");
        if &got != want {
            wrong.push(format!(
                "{url}:\n  missing {:?}\n  extra   {:?}",
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(want).collect::<Vec<_>>()
            ));
        }
        // First scan: everything it holds it opened.
        assert_eq!(findings_of(site, "opened"), got, "{url}");
    }
    assert!(wrong.is_empty(), "findings differ:\n{}", wrong.join("\n"));

    // Auto-opened cases: exactly the cancellations, one per site, linked to the finding.
    for row in portfolio_rows() {
        let url = lab.lab().site(row.kind).expect("scenario").url.to_string();
        let site = site_by_url(&result, &url);
        let cases: Vec<(String, String)> = site["cases_opened"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|case| {
                (
                    case["kind"].as_str().expect("kind").to_owned(),
                    case["rule_id"].as_str().expect("rule").to_owned(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = expected_cases(row.kind)
            .iter()
            .map(|(kind, rule)| ((*kind).to_owned(), (*rule).to_owned()))
            .collect();
        assert_eq!(cases, want, "{url}");
    }

    // The stored findings are the scan's, once each.
    let listed = run(
        &lab,
        &workspace,
        &["findings", "list", "--json", "--limit", "0"],
    );
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("findings JSON");
    let total: usize = expected.values().map(BTreeSet::len).sum();
    assert_eq!(listed["total"], total, "{listed:#}");

    // A second scan changes nothing: no finding opened or resolved, no case opened.
    let again = run(&lab, &workspace, &SCAN_ALL);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let again: Value = serde_json::from_slice(&again.stdout).expect("scan JSON");
    for field in ["findings_opened", "findings_resolved", "cases_opened"] {
        assert_eq!(
            again["summary"][field], 0,
            "{field}: {:#}",
            again["summary"]
        );
    }
}

#[test]
fn fail_on_suppress_and_acknowledge() {
    let lab = ScanLab::start();
    let workspace = lab.workspace(4);
    let parasite = lab
        .lab()
        .site(ScenarioKind::ParasitePages)
        .expect("scenario")
        .url
        .to_string();
    let healthy = lab
        .lab()
        .site(ScenarioKind::Healthy)
        .expect("scenario")
        .url
        .to_string();
    let scan = |site: &str, fail_on: &str| {
        run(
            &lab,
            &workspace,
            &[
                "scan",
                "--site",
                site,
                "--fail-on",
                fail_on,
                "--timeout",
                "2",
            ],
        )
    };
    let output = scan(&healthy, "info");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let output = scan(&parasite, "critical");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("content.parasite_pages"));

    let listed = run(
        &lab,
        &workspace,
        &["findings", "list", "--json", "--severity", "critical"],
    );
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("findings JSON");
    assert_eq!(listed["total"], 1, "{listed:#}");
    let id = listed["items"][0]["id"]
        .as_i64()
        .expect("an id")
        .to_string();

    // Refused without both a reason and an end date; nothing is written.
    for args in [
        vec!["findings", "suppress", id.as_str(), "--reason", "在处理"],
        vec!["findings", "suppress", id.as_str(), "--until", "2099-01-01"],
        vec![
            "findings",
            "suppress",
            id.as_str(),
            "--reason",
            " ",
            "--until",
            "2099-01-01",
        ],
    ] {
        let output = run(&lab, &workspace, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).contains("--reason"),
            "{}",
            text(&output.stderr)
        );
    }
    let output = run(
        &lab,
        &workspace,
        &[
            "findings",
            "suppress",
            &id,
            "--reason",
            "已联系主机商清理",
            "--until",
            "2099-01-01",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let shown: Value = serde_json::from_slice(&output.stdout).expect("finding JSON");
    assert_eq!(shown["state"], "suppressed", "{shown:#}");

    // Suppressed findings do not fail the build, and a rescan keeps the suppression.
    let output = scan(&parasite, "critical");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let output = run(&lab, &workspace, &["findings", "show", &id, "--json"]);
    let shown: Value = serde_json::from_slice(&output.stdout).expect("finding JSON");
    assert_eq!(shown["state"], "suppressed");
    assert_eq!(shown["rule"]["id"], "content.parasite_pages", "{shown:#}");

    // Acknowledging lifts the suppression: the build fails again.
    let output = run(&lab, &workspace, &["findings", "ack", &id]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = scan(&parasite, "critical");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));

    // Every step is on the audit chain.
    let audit = run(
        &lab,
        &workspace,
        &["audit-log", "list", "--json", "--limit", "100000"],
    );
    let audit: Value = serde_json::from_slice(&audit.stdout).expect("audit JSON");
    let actions: BTreeSet<&str> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for action in [
        "scan.start",
        "scan.finish",
        "finding.open",
        "finding.suppress",
        "finding.acknowledge",
    ] {
        assert!(actions.contains(action), "{action}: {actions:?}");
    }
    let verify = run(&lab, &workspace, &["audit-log", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}

#[test]
fn scan_needs_a_scope_and_a_known_site() {
    let workspace = Workspace::initialised();
    let output = workspace
        .beian()
        .args(["scan"])
        .output()
        .expect("run beian");
    assert_eq!(output.status.code(), Some(2));
    let stderr = workspace.fails(2, &["scan", "--site", "https://nowhere.example.com/"]);
    assert!(stderr.contains("nowhere.example.com"), "{stderr}");
    let stderr = workspace.fails(2, &["scan", "--all", "--fail-on", "severe"]);
    assert!(stderr.contains("severe"), "{stderr}");
}

#[test]
fn bad_today_is_refused() {
    let workspace = Workspace::initialised();
    let output = workspace
        .beian()
        .env("BEIAN_TODAY", "2026-02-30")
        .args(["scan", "--all"])
        .output()
        .expect("run beian");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("BEIAN_TODAY"),
        "{}",
        text(&output.stderr)
    );
}

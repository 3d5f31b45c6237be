//! `beian scan` and `beian findings` end to end on the lab: a portfolio with one website per
//! lab scenario is imported and scanned, and the exact findings and auto-opened cases of
//! every site are asserted — none missing, none extra.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::Output;

use beian_core::identifier::uscc_check_character;
use beian_lab::{Lab, LabOptions, ScenarioKind};
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

/// One website of the portfolio: the scenario it is served by and what the inventory says.
struct Row {
    kind: ScenarioKind,
    company: &'static str,
    site: &'static str,
    icp: Option<&'static str>,
    psb: Option<&'static str>,
    /// Go-live, days from today (the PSB deadline counts from it).
    go_live: Option<i64>,
    closed: bool,
    /// Whether the server address on record is the one the lab's DNS gives (false for
    /// sites whose name is a CNAME to someone else's host).
    own_address: bool,
}

const fn row(
    kind: ScenarioKind,
    company: &'static str,
    site: &'static str,
    icp: Option<&'static str>,
    psb: Option<&'static str>,
    go_live: Option<i64>,
) -> Row {
    Row {
        kind,
        company,
        site,
        icp,
        psb,
        go_live,
        closed: false,
        own_address: true,
    }
}

const HOSTILE: &str = "敌意测试有限公司";

/// The portfolio: every scenario of the standard catalogue, none skipped (the hostile
/// servers are websites like any other: a scan must get through them). Filing numbers are
/// the ones the scenarios' footers show; sites whose pages show none get a plausible one of
/// their subject. Go-live dates only where a PSB filing exists, except the unresolvable site,
/// which has none and is overdue.
fn rows() -> Vec<Row> {
    use ScenarioKind as K;
    let mut rows = vec![
        row(
            K::Healthy,
            "北京青禾网络科技有限公司",
            "青禾网络",
            Some("京ICP备2024031876号-1"),
            Some("京公网安备11010502031876号"),
            Some(-700),
        ),
        row(
            K::ExpiringSoon,
            "上海明远贸易有限公司",
            "明远贸易",
            Some("沪ICP备2023018472号-1"),
            Some("沪公网安备31010402009281号"),
            Some(-600),
        ),
        Row {
            own_address: false,
            ..row(
                K::ExpiredFilingActive,
                "北京远山教育咨询有限公司",
                "远山教育",
                Some("京ICP备2019034521号-1"),
                None,
                None,
            )
        },
        row(
            K::Redemption,
            "深圳市海川电子有限公司",
            "海川电子",
            Some("粤ICP备2019045127号-1"),
            None,
            None,
        ),
        row(
            K::PendingDelete,
            "深圳市海川电子有限公司",
            "海川商城",
            Some("粤ICP备2019045127号-2"),
            None,
            None,
        ),
        // Closed, its filing never cancelled, and its domain dropped: two findings that call
        // for the same cancellation, one case.
        Row {
            closed: true,
            ..row(
                K::Dropped,
                "深圳市海川电子有限公司",
                "海川旧站",
                Some("粤ICP备2019045127号-3"),
                None,
                None,
            )
        },
        row(
            K::ReRegistered,
            "杭州禾木文化传播有限公司",
            "禾木文化",
            Some("浙ICP备2019027415号-1"),
            Some("浙公网安备33010602011348号"),
            Some(-800),
        ),
        row(
            K::NxDomain,
            "成都云栖软件有限公司",
            "云栖软件",
            Some("蜀ICP备2020031742号-1"),
            None,
            Some(-200),
        ),
        row(
            K::Parked,
            "宁波东海贸易有限公司",
            "东海贸易",
            Some("浙ICP备2020051836号-1"),
            None,
            None,
        ),
        Row {
            own_address: false,
            ..row(
                K::DanglingOssCname,
                "广州星河传媒有限公司",
                "星河静态资源",
                Some("粤ICP备2019062714号-2"),
                None,
                None,
            )
        },
        row(
            K::GamblingHijack,
            "深圳南山融媒科技有限公司",
            "南山融媒",
            Some("粤ICP备2022056318号-2"),
            Some("粤公网安备44030502008127号"),
            Some(-500),
        ),
        row(
            K::SpiderCloaking,
            "南京启明职业培训学校",
            "启明培训",
            Some("苏ICP备2021039264号-1"),
            Some("苏公网安备32010602010587号"),
            Some(-900),
        ),
        row(
            K::BaiduReferrerRedirect,
            "济南泉城机械制造有限公司",
            "泉城机械",
            Some("鲁ICP备2020047731号-1"),
            Some("鲁公网安备37010202001746号"),
            Some(-1000),
        ),
        row(
            K::IframeOverlay,
            "厦门鹭岛酒店管理有限公司",
            "鹭岛酒店",
            Some("闽ICP备2023006925号-1"),
            Some("闽公网安备35020302035617号"),
            Some(-400),
        ),
        row(
            K::HiddenLinkFarm,
            "郑州中原五金制品有限公司",
            "中原五金",
            Some("豫ICP备2022014483号-1"),
            Some("豫公网安备41010502004952号"),
            Some(-600),
        ),
        row(
            K::ParasitePages,
            "长沙湘江职业技术学院",
            "湘江职院",
            Some("湘ICP备2021008896号-3"),
            Some("湘公网安备43010202000863号"),
            Some(-1100),
        ),
        row(
            K::GbkPage,
            "天津国货老店商贸有限公司",
            "国货老店",
            Some("津ICP备2024017739号-1"),
            Some("津公网安备12010102000958号"),
            Some(-300),
        ),
    ];
    for (kind, site) in [
        (K::HostileHang, "敌意-挂起"),
        (K::HostileTrickle, "敌意-慢速"),
        (K::HostileHugeBody, "敌意-巨型响应"),
        (K::HostileGzipBomb, "敌意-压缩炸弹"),
        (K::HostileRedirectLoop, "敌意-重定向循环"),
        (K::HostileMalformedDns, "敌意-畸形DNS"),
        (K::HostileSilentDns, "敌意-静默DNS"),
        (K::HostileHugeWhois, "敌意-巨型WHOIS"),
        (K::HostileRateLimited, "敌意-限流"),
    ] {
        rows.push(row(kind, HOSTILE, site, None, None, None));
    }
    rows
}

/// A company USCC with a valid check character, one per subject name.
fn uscc(index: usize) -> String {
    let first17 = format!("91110108MA{:07}", 1000 + index * 37);
    let check = uscc_check_character(&first17).expect("17 characters of the USCC alphabet");
    format!("{first17}{check}")
}

/// The portfolio sheet (English headers), one website per scenario.
pub fn portfolio_csv(lab: &Lab) -> String {
    let today = lab.today();
    let date = |days: i64| {
        today
            .checked_add_signed(chrono::TimeDelta::days(days))
            .expect("a date near today")
            .format("%Y-%m-%d")
            .to_string()
    };
    let mut csv = String::from(
        "subject_name,subject_kind,subject_id_number,principal,site_name,home_url,domains,\
         server_ips,go_live_on,site_status,closed_on,icp_number,filing_status,filed_on,\
         psb_number,psb_filed_on,domain_holder\n",
    );
    let mut subjects: Vec<&str> = Vec::new();
    for row in rows() {
        let site = lab
            .site(row.kind)
            .unwrap_or_else(|| panic!("the catalogue has {:?}", row.kind));
        let index = subjects
            .iter()
            .position(|name| *name == row.company)
            .unwrap_or_else(|| {
                subjects.push(row.company);
                subjects.len() - 1
            });
        let filed = row.go_live.map_or(-900, |days| days - 20);
        let cells = [
            row.company.to_owned(),
            "企业".to_owned(),
            uscc(index),
            "张伟".to_owned(),
            row.site.to_owned(),
            site.url.to_string(),
            site.domain.clone(),
            if row.own_address {
                site.address.to_string()
            } else {
                String::new()
            },
            row.go_live.map(date).unwrap_or_default(),
            if row.closed { "closed" } else { "active" }.to_owned(),
            if row.closed { date(-60) } else { String::new() },
            row.icp.unwrap_or_default().to_owned(),
            if row.icp.is_some() { "active" } else { "" }.to_owned(),
            if row.icp.is_some() {
                date(filed)
            } else {
                String::new()
            },
            row.psb.unwrap_or_default().to_owned(),
            if row.psb.is_some() {
                date(filed + 40)
            } else {
                String::new()
            },
            row.company.to_owned(),
        ];
        let _ = writeln!(csv, "{}", cells.join(","));
    }
    csv
}

/// (rule, key, severity) a site must hold; `HOST` and `DOMAIN` stand for the scenario's
/// site host and registrable domain (A-labels).
type Expected = &'static [(&'static str, &'static str, &'static str)];

const DOMAIN: &str = "<domain>";
const HOST: &str = "<host>";

/// What every scenario must give, and why.
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
    rows()
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
    for row in rows() {
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

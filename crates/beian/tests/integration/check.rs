//! `beian check` against the lab, started in this test process: the binary is pointed at it
//! with the `beian.toml` the lab prints, exactly as a user of `beian lab` would.

use std::time::{Duration, Instant};

use beian_lab::{Lab, LabOptions, ScenarioKind};
use serde_json::Value;

use crate::Workspace;

/// The probe timeout the hostile case is held to, and the margin allowed on top of it.
const TIMEOUT: Duration = Duration::from_secs(2);
const MARGIN: Duration = Duration::from_millis(1500);

/// The lab on its own runtime: its servers keep answering while the test thread waits for
/// the binary.
struct RunningLab {
    runtime: tokio::runtime::Runtime,
    lab: Option<Lab>,
}

impl RunningLab {
    fn start() -> RunningLab {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the lab");
        let lab = runtime
            .block_on(Lab::start(LabOptions::default()))
            .expect("the lab starts");
        RunningLab {
            runtime,
            lab: Some(lab),
        }
    }

    fn lab(&self) -> &Lab {
        self.lab.as_ref().expect("the lab runs until drop")
    }

    fn url(&self, kind: ScenarioKind) -> String {
        self.lab()
            .site(kind)
            .unwrap_or_else(|| panic!("the catalogue has {kind:?}"))
            .url
            .to_string()
    }
}

impl Drop for RunningLab {
    fn drop(&mut self) {
        if let Some(lab) = self.lab.take() {
            self.runtime.block_on(lab.shutdown());
        }
    }
}

fn report_for<'a>(reports: &'a [Value], url: &str) -> &'a Value {
    reports
        .iter()
        .find(|report| report["target"] == url)
        .unwrap_or_else(|| panic!("a report for {url}"))
}

fn ms(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("milliseconds, got {value}"))
}

#[test]
fn check_reports_what_the_lab_serves() {
    let lab = RunningLab::start();
    let workspace = Workspace::empty();
    std::fs::write(workspace.config_path(), lab.lab().beian_toml()).expect("write the lab config");
    let healthy = lab.url(ScenarioKind::Healthy);
    let expiring = lab.url(ScenarioKind::ExpiringSoon);
    let dropped = lab.url(ScenarioKind::Dropped);
    let nxdomain = lab.url(ScenarioKind::NxDomain);
    let hang = lab.url(ScenarioKind::HostileHang);

    let clock = Instant::now();
    let output = workspace
        .beian()
        .args(["check", "--json", "--timeout", "2"])
        .args(["--persona", "desktop_browser", "--persona", "baiduspider"])
        .args([&healthy, &expiring, &dropped, &nxdomain, &hang])
        .output()
        .expect("run beian check");
    let wall = clock.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).expect("a JSON array");
    assert_eq!(reports.len(), 5);

    let report = report_for(&reports, &healthy);
    assert_eq!(
        report["summary"]["registration"], "registered",
        "{report:#}"
    );
    assert_eq!(report["summary"]["tls_verdict"], "valid", "{report:#}");
    let http = report["http"].as_array().expect("http list");
    assert_eq!(http.len(), 2);
    for fetch in http {
        assert_eq!(fetch["status"], "ok", "{fetch:#}");
        assert_eq!(fetch["data"]["status"], 200, "{fetch:#}");
    }
    assert!(
        report["summary"]["days_left"]
            .as_i64()
            .is_some_and(|d| d > 30)
    );

    let report = report_for(&reports, &expiring);
    assert_eq!(report["summary"]["registration"], "registered");
    let days = report["summary"]["days_left"].as_i64().expect("days left");
    // The lab counts from its UTC date, the summary in Beijing time: 5 or 4 by time of day.
    assert!((4..=5).contains(&days), "{days}");

    let report = report_for(&reports, &dropped);
    assert_eq!(
        report["summary"]["registration"], "not_registered",
        "{report:#}"
    );
    assert_eq!(
        report["registration"]["data"]["record"]["registered"],
        false
    );

    let report = report_for(&reports, &nxdomain);
    assert_eq!(report["summary"]["dns_rcode"], "NXDOMAIN", "{report:#}");
    assert_eq!(report["summary"]["registration"], "registered");

    // The hanging server costs the HTTP probe its timeout, nothing more, and the other probes
    // still report.
    let report = report_for(&reports, &hang);
    let bound = u64::try_from((TIMEOUT + MARGIN).as_millis()).expect("small");
    assert!(
        ms(&report["elapsed_ms"]) <= bound,
        "{}",
        report["elapsed_ms"]
    );
    for fetch in report["http"].as_array().expect("http list") {
        assert_eq!(fetch["status"], "failed", "{fetch:#}");
        assert!(ms(&fetch["elapsed_ms"]) <= bound, "{fetch:#}");
    }
    assert!(
        report["http"]
            .as_array()
            .expect("http list")
            .iter()
            .any(|fetch| fetch["data"]["failure"] == "timeout"),
        "{:#}",
        report["http"]
    );
    assert_eq!(report["dns"]["status"], "ok");
    assert_eq!(report["summary"]["registration"], "registered");
    assert!(
        wall <= TIMEOUT + MARGIN + Duration::from_secs(3),
        "{wall:?}"
    );
}

#[test]
fn readable_table_names_probes_and_meaning() {
    let lab = RunningLab::start();
    let workspace = Workspace::empty();
    std::fs::write(workspace.config_path(), lab.lab().beian_toml()).expect("write the lab config");
    let dropped = lab.url(ScenarioKind::Dropped);
    let stdout = workspace.ok(&[
        "--lang",
        "en",
        "check",
        "--persona",
        "desktop_browser",
        "--timeout",
        "2",
        &dropped,
    ]);
    for expected in [
        "DNS",
        "registration",
        "not registered",
        "NXDOMAIN",
        "anyone can register it",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
}

#[test]
fn invalid_target_is_an_input_error_before_any_probe() {
    let workspace = Workspace::unconfigured();
    let stderr = workspace.fails(
        2,
        &["check", "example.com", "not a domain", "ftp://example.com/"],
    );
    assert!(stderr.contains("not a domain"), "{stderr}");
    assert!(stderr.contains("ftp://example.com/"), "{stderr}");
}

#[test]
fn unknown_http_key_names_the_key_and_the_file() {
    let workspace = Workspace::empty();
    std::fs::write(
        workspace.config_path(),
        "[http]\ntimeout_ms = 1000\nproxy = \"x\"\n",
    )
    .expect("write config");
    let stderr = workspace.fails(2, &["check", "example.com"]);
    assert!(stderr.contains("proxy"), "{stderr}");
    assert!(stderr.contains("beian.toml"), "{stderr}");
}

#[test]
fn invalid_probe_values_name_the_key() {
    let workspace = Workspace::empty();
    std::fs::write(
        workspace.config_path(),
        "[dns]\nnameservers = [\"8.8.8.8\"]\n",
    )
    .expect("write config");
    let stderr = workspace.fails(2, &["check", "example.com"]);
    assert!(stderr.contains("dns.nameservers"), "{stderr}");

    let workspace = Workspace::unconfigured();
    let stderr = workspace.fails(2, &["check", "--nameserver", "nowhere", "example.com"]);
    assert!(stderr.contains("--nameserver"), "{stderr}");
    let stderr = workspace
        .beian()
        .env("BEIAN_DNS_NAMESERVERS", "127.0.0.1")
        .args(["check", "example.com"])
        .output()
        .expect("run beian");
    assert_eq!(stderr.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&stderr.stderr);
    assert!(stderr.contains("BEIAN_DNS_NAMESERVERS"), "{stderr}");
}

/// `beian check --json` carries the detectors' verdict beside the evidence: the stable
/// `detection.verdict` / `detection.signals[].{kind,confidence,evidence}` interface.
#[test]
fn check_json_carries_detection_verdicts() {
    let lab = RunningLab::start();
    let workspace = Workspace::empty();
    std::fs::write(workspace.config_path(), lab.lab().beian_toml()).expect("write the lab config");
    let healthy = lab.url(ScenarioKind::Healthy);
    let hijacked = lab.url(ScenarioKind::GamblingHijack);
    let output = workspace
        .beian()
        .args(["check", "--json", "--timeout", "2"])
        .args([&healthy, &hijacked])
        .output()
        .expect("run beian check");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).expect("a JSON array");

    let clean = &report_for(&reports, &healthy)["detection"];
    assert_eq!(clean["verdict"], "clean", "{clean:#}");
    assert_eq!(
        clean["signals"].as_array().map(Vec::len),
        Some(0),
        "{clean:#}"
    );

    let detection = &report_for(&reports, &hijacked)["detection"];
    assert_eq!(detection["verdict"], "hijacked", "{detection:#}");
    let signals = detection["signals"].as_array().expect("a signal list");
    assert!(!signals.is_empty(), "{detection:#}");
    for signal in signals {
        assert!(signal["kind"].is_string(), "{signal:#}");
        assert!(signal["confidence"].is_number(), "{signal:#}");
        assert!(signal["evidence"].is_array(), "{signal:#}");
    }
}

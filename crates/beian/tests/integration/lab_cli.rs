//! `beian lab` and `beian bench probes`.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Workspace;

#[test]
fn lab_help_renders() {
    let stdout = Workspace::unconfigured().ok(&["lab", "--help"]);
    for expected in ["--bulk", "--write-config", "beian.toml"] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
}

#[test]
fn bench_probes_reports_throughput_memory_and_percentiles() {
    let workspace = Workspace::unconfigured();
    let stdout = workspace.ok(&["bench", "probes", "--sites", "12", "--concurrency", "4"]);
    let value: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(value["sites"], 12, "{value:#}");
    assert!(value["seconds"].as_f64().is_some_and(|s| s > 0.0));
    assert!(value["sites_per_second"].as_f64().is_some_and(|s| s > 0.0));
    assert!(value["peak_rss_bytes"].as_u64().is_some_and(|b| b > 0));
    for probe in ["dns", "registration", "http"] {
        assert!(
            value["probes"][probe]["p50_ms"].is_u64(),
            "{probe}: {value:#}"
        );
        assert!(
            value["probes"][probe]["p95_ms"].is_u64(),
            "{probe}: {value:#}"
        );
    }
    // Two personas per site; TLS on the bulk sites that serve HTTPS (every other one).
    assert_eq!(value["probes"]["http"]["count"], 24, "{value:#}");
    assert_eq!(value["probes"]["tls"]["count"], 6, "{value:#}");
    // Healthy sites: nothing fails.
    assert_eq!(value["failures"], serde_json::json!({}), "{value:#}");
}

/// Kills the standalone lab however the test ends.
struct Standalone(std::process::Child);

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn standalone_lab_writes_a_config_the_cli_can_use() {
    let workspace = Workspace::unconfigured();
    let config = workspace.path().join("lab.toml");
    let _lab = Standalone(
        std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
            .current_dir(workspace.path())
            .env_remove("BEIAN_CONFIG")
            .args(["lab", "--write-config"])
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start beian lab"),
    );
    // The lab binds every server before it writes the file; `[network]` is its last section.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&config).is_ok_and(|text| text.contains("allow_private")) {
        assert!(Instant::now() < deadline, "beian lab wrote no config");
        std::thread::sleep(Duration::from_millis(50));
    }
    let config = config.display().to_string();
    let stdout = workspace.ok(&[
        "--config",
        &config,
        "check",
        "--json",
        "--persona",
        "desktop_browser",
        "--timeout",
        "2",
        "healthy-shop.com",
    ]);
    let reports: Value = serde_json::from_str(&stdout).expect("JSON");
    let report = &reports[0];
    assert_eq!(
        report["summary"]["registration"], "registered",
        "{report:#}"
    );
    assert_eq!(report["http"][0]["data"]["status"], 200, "{report:#}");
    assert_eq!(report["summary"]["tls_verdict"], "valid", "{report:#}");
}

//! `beian lab` and `beian bench probes`.

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

//! Throughput of the registration-data parsers over the bundled WHOIS fixtures.
//!
//! Used by `cargo run --release -p beian-probe --example bench_whois` and by the test suite (which
//! only checks that it runs). Target: ≥ 50,000 answers per second in a release build.

use std::path::Path;
use std::time::Instant;

use serde_json::json;

use crate::whois::parse_whois;

/// Parses every WHOIS answer under `fixtures` (`registered/` and `not-registered/`, files
/// without a `.json` or licence suffix) `iterations` times and reports answers per second.
/// Returns an error message naming the folder when it holds no answers.
pub fn bench_whois_parse(fixtures: &Path, iterations: usize) -> Result<serde_json::Value, String> {
    let mut answers = Vec::new();
    for folder in ["registered", "not-registered"] {
        let dir = fixtures.join(folder);
        let entries = std::fs::read_dir(&dir).map_err(|error| {
            format!(
                "读不了 / cannot read {}: {error}; pass the tests/fixtures/whois folder",
                dir.display()
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            if name.ends_with(".json") || name.starts_with("LICENSE") {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                let domain = name.split_once('_').map(|(_, domain)| domain.to_owned());
                answers.push((crate::whois::decode_whois_bytes(&bytes), domain));
            }
        }
    }
    if answers.is_empty() {
        return Err(format!(
            "{} 下没有 WHOIS 答复 / no WHOIS answers under {}",
            fixtures.display(),
            fixtures.display()
        ));
    }
    let iterations = iterations.max(1);
    let bytes: usize = answers.iter().map(|(text, _)| text.len()).sum();
    let start = Instant::now();
    let mut registered = 0usize;
    for _ in 0..iterations {
        for (text, domain) in &answers {
            let parse = parse_whois(text, None, domain.as_deref());
            registered += usize::from(parse.record.registered);
        }
    }
    let seconds = start.elapsed().as_secs_f64().max(f64::EPSILON);
    let parsed = answers.len() * iterations;
    Ok(json!({
        "answers": answers.len(),
        "iterations": iterations,
        "parsed": parsed,
        "registered_seen": registered,
        "seconds": seconds,
        "responses_per_second": parsed as f64 / seconds,
        "megabytes_per_second": (bytes * iterations) as f64 / seconds / 1e6,
    }))
}

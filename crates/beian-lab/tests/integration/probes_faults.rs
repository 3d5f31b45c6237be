//! Issue 3 point 5: every hostile server costs the probes bounded time (the configured timeout
//! plus a small margin) and bounded memory, and the other probes of the same site — and the
//! other sites checked at the same time — still get their evidence.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use beian_lab::{LabSite, ScenarioKind, hostile};
use beian_probe::http::HttpEvidence;
use beian_probe::{Outcome, ProbeFailure, RecordSource, Timed};
use tokio::task::JoinSet;

use crate::lab_probes::{
    LabProbes, SiteRun, describe_http, is_hostile, proc_status_kib, start_lab_today,
};

/// Growth of resident memory allowed for the whole hostile run: the HTTP body cap is 2 MiB
/// per fetch, WHOIS keeps 1 MiB; holding a 100 MB body or an inflated 1 GiB bomb would blow it.
const MEMORY_BUDGET_KIB: u64 = 64 * 1024;

/// Checks on one run; each returns what was wrong.
type Check = fn(&LabProbes, &LabSite, &SiteRun) -> Vec<String>;

fn both_personas(run: &SiteRun) -> [(&str, &Timed<HttpEvidence>); 2] {
    [
        ("browser", &run.browser.value),
        ("Baiduspider", &run.spider.value),
    ]
}

/// The DNS evidence is there and names the site's address.
fn dns_answered(site: &LabSite, run: &SiteRun) -> Vec<String> {
    match &run.dns.value.outcome {
        Outcome::Ok(dns) if dns.a.contains(&site.address) => Vec::new(),
        other => vec![format!("DNS evidence missing: {other:?}")],
    }
}

/// The registry's answer is there: registered.
fn registration_answered(run: &SiteRun) -> Vec<String> {
    match &run.registration.value.record {
        Some(record) if record.registered => Vec::new(),
        other => vec![format!("registration evidence missing: {other:?}")],
    }
}

/// Both personas got the page with `status`, complete.
fn pages_answered(run: &SiteRun, status: u16) -> Vec<String> {
    both_personas(run)
        .into_iter()
        .filter_map(|(who, timed)| match &timed.outcome {
            Outcome::Ok(page) if page.status == status && page.error.is_none() => None,
            _ => Some(format!("{who}: page missing: {}", describe_http(timed))),
        })
        .collect()
}

/// Both personas failed with the failure `wanted` accepts.
fn pages_failed(run: &SiteRun, wanted: fn(&ProbeFailure) -> bool, what: &str) -> Vec<String> {
    both_personas(run)
        .into_iter()
        .filter_map(|(who, timed)| match &timed.outcome {
            Outcome::Failed(failure) if wanted(failure) => None,
            _ => Some(format!("{who}: {}, expected {what}", describe_http(timed))),
        })
        .collect()
}

/// Both personas got a 200 whose body was cut at exactly the cap, with no error.
fn pages_capped(probes: &LabProbes, run: &SiteRun) -> Vec<String> {
    let cap = u64::try_from(probes.settings.http.max_body_bytes).unwrap_or(u64::MAX);
    both_personas(run)
        .into_iter()
        .filter_map(|(who, timed)| match &timed.outcome {
            Outcome::Ok(page)
                if page.status == 200
                    && page.truncated
                    && page.body_bytes == cap
                    && page.error.is_none() =>
            {
                None
            }
            _ => Some(format!(
                "{who}: {}, expected 200 truncated at {cap} bytes",
                describe_http(timed)
            )),
        })
        .collect()
}

fn hang(probes: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let mut problems = pages_failed(
        run,
        |failure| matches!(failure, ProbeFailure::Timeout { .. }),
        "Timeout",
    );
    // It really waited for the server (a hang, not an instant refusal).
    let waited = probes.settings.http.timeout.mul_f32(0.9);
    if run.browser.wall < waited {
        problems.push(format!("the hang ended after only {:?}", run.browser.wall));
    }
    problems.extend(dns_answered(site, run));
    problems.extend(registration_answered(run));
    problems
}

fn trickle(_: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let mut problems: Vec<String> = both_personas(run)
        .into_iter()
        .filter_map(|(who, timed)| match &timed.outcome {
            Outcome::Ok(page)
                if page.status == 200
                    && page.truncated
                    && page.body_bytes < hostile::TRICKLE_BYTES
                    && matches!(page.error, Some(ProbeFailure::Timeout { .. })) =>
            {
                None
            }
            _ => Some(format!(
                "{who}: {}, expected 200 cut short by a Timeout",
                describe_http(timed)
            )),
        })
        .collect();
    problems.extend(dns_answered(site, run));
    problems.extend(registration_answered(run));
    problems
}

fn capped(probes: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let mut problems = pages_capped(probes, run);
    problems.extend(dns_answered(site, run));
    problems.extend(registration_answered(run));
    problems
}

fn redirect_loop(probes: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let most_hops = usize::try_from(probes.settings.http.max_redirects).unwrap_or(usize::MAX) + 1;
    let mut problems: Vec<String> = both_personas(run)
        .into_iter()
        .filter_map(|(who, timed)| match &timed.outcome {
            Outcome::Ok(page)
                if page.status == 302
                    && matches!(page.error, Some(ProbeFailure::TooManyRedirects { .. }))
                    && (2..=most_hops).contains(&page.hops.len()) =>
            {
                None
            }
            _ => Some(format!(
                "{who}: {}, expected a 302 chain stopped by TooManyRedirects",
                describe_http(timed)
            )),
        })
        .collect();
    problems.extend(dns_answered(site, run));
    problems.extend(registration_answered(run));
    problems
}

fn malformed_dns(_: &LabProbes, _: &LabSite, run: &SiteRun) -> Vec<String> {
    let mut problems = Vec::new();
    if !matches!(
        run.dns.value.outcome,
        Outcome::Failed(ProbeFailure::Malformed { .. })
    ) {
        problems.push(format!(
            "DNS: {:?}, expected Malformed",
            run.dns.value.outcome
        ));
    }
    problems.extend(pages_failed(
        run,
        |failure| matches!(failure, ProbeFailure::Malformed { .. }),
        "Malformed (the name cannot be resolved)",
    ));
    problems.extend(registration_answered(run));
    problems
}

fn silent_dns(_: &LabProbes, _: &LabSite, run: &SiteRun) -> Vec<String> {
    let mut problems = Vec::new();
    if !matches!(
        run.dns.value.outcome,
        Outcome::Failed(ProbeFailure::Timeout { .. })
    ) {
        problems.push(format!(
            "DNS: {:?}, expected Timeout",
            run.dns.value.outcome
        ));
    }
    problems.extend(pages_failed(
        run,
        |failure| matches!(failure, ProbeFailure::Timeout { .. }),
        "Timeout (the name never resolves)",
    ));
    problems.extend(registration_answered(run));
    problems
}

fn huge_whois(probes: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let limit = probes.settings.whois.max_answer_bytes;
    let evidence = &run.registration.value;
    let mut problems = registration_answered(run);
    if evidence.source != RecordSource::Whois {
        problems.push(format!(
            "registration source {:?}, expected WHOIS",
            evidence.source
        ));
    }
    let hops = evidence
        .whois
        .as_ref()
        .and_then(|whois| whois.outcome.ok())
        .map(|whois| whois.hops.as_slice())
        .unwrap_or_default();
    let cut_at_limit = hops.iter().any(|hop| {
        hop.bytes == limit
            && hop.failure
                == Some(ProbeFailure::TooLarge {
                    limit_bytes: u64::try_from(limit).unwrap_or(u64::MAX),
                })
    });
    if !cut_at_limit {
        problems.push(format!(
            "WHOIS: no hop cut at {limit} bytes with TooLarge (of {} bytes sent): {hops:?}",
            hostile::OVERSIZED_WHOIS_BYTES
        ));
    }
    problems.extend(dns_answered(site, run));
    problems.extend(pages_answered(run, 200));
    problems
}

fn rate_limited(_: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let evidence = &run.registration.value;
    let mut problems = Vec::new();
    let retry_after = u64::from(hostile::RATE_LIMIT_RETRY_AFTER_SECS);
    match evidence.rdap.as_ref().map(|rdap| &rdap.outcome) {
        Some(Outcome::Failed(ProbeFailure::RateLimited { retry_after_s, .. }))
            if *retry_after_s == Some(retry_after) => {}
        other => problems.push(format!(
            "RDAP: {other:?}, expected RateLimited with Retry-After {retry_after}"
        )),
    }
    match evidence.whois.as_ref().map(|whois| &whois.outcome) {
        Some(Outcome::Failed(ProbeFailure::RateLimited { .. })) => {}
        other => problems.push(format!("WHOIS fallback: {other:?}, expected RateLimited")),
    }
    if evidence.record.is_some() {
        problems.push(format!(
            "a rate-limited registry produced a record: {:?}",
            evidence.record
        ));
    }
    problems.extend(dns_answered(site, run));
    problems.extend(pages_answered(run, 200));
    problems
}

fn healthy(_: &LabProbes, site: &LabSite, run: &SiteRun) -> Vec<String> {
    let mut problems = dns_answered(site, run);
    problems.extend(registration_answered(run));
    problems.extend(pages_answered(run, 200));
    if !run
        .tls
        .as_ref()
        .is_some_and(|tls| matches!(tls.value.outcome, Outcome::Ok(_)))
    {
        problems.push(format!("TLS evidence missing: {:?}", run.tls));
    }
    problems
}

fn check_for(kind: ScenarioKind) -> Check {
    use ScenarioKind::*;
    match kind {
        HostileHang => hang,
        HostileTrickle => trickle,
        HostileHugeBody | HostileGzipBomb => capped,
        HostileRedirectLoop => redirect_loop,
        HostileMalformedDns => malformed_dns,
        HostileSilentDns => silent_dns,
        HostileHugeWhois => huge_whois,
        HostileRateLimited => rate_limited,
        _ => healthy,
    }
}

/// Set in the child process that runs the hostile check alone.
const ALONE_ENV: &str = "BEIAN_LAB_HOSTILE_RUN_ALONE";

/// The memory figures are per process and the other tests of this binary run in parallel
/// threads (starting labs, inflating 16 MiB of gzip…), so the check re-runs this very test in a
/// child process of its own, where VmRSS and VmHWM measure the probes and the lab only.
#[test]
fn hostile_servers_cost_bounded_time_and_memory_and_spare_the_rest() {
    if std::env::var_os(ALONE_ENV).is_some() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        runtime.block_on(hostile_run());
        return;
    }
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, module)| module);
    let test = format!("{module}::hostile_servers_cost_bounded_time_and_memory_and_spare_the_rest");
    let output = std::process::Command::new(
        std::env::current_exe().expect("the test binary knows its path"),
    )
    .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
    .env(ALONE_ENV, "1")
    .output()
    .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(output.status.success(), "the hostile run failed alone");
    assert!(
        stdout.contains("1 passed"),
        "the child process did not run {test}"
    );
}

async fn hostile_run() {
    let lab = start_lab_today().await;
    let probes = Arc::new(LabProbes::for_lab(&lab));
    let hostile_sites: Vec<LabSite> = lab
        .sites()
        .iter()
        .filter(|site| is_hostile(site.scenario))
        .cloned()
        .collect();
    assert_eq!(hostile_sites.len(), 9, "the catalogue's hostile scenarios");
    let healthy_site = lab
        .site(ScenarioKind::Healthy)
        .expect("the catalogue has a healthy site")
        .clone();
    let sites: BTreeMap<ScenarioKind, LabSite> = hostile_sites
        .into_iter()
        .chain([healthy_site])
        .map(|site| (site.scenario, site))
        .collect();

    let rss_before = proc_status_kib("VmRSS").expect("Linux reports VmRSS");
    let peak_before = proc_status_kib("VmHWM").expect("Linux reports VmHWM");
    let clock = Instant::now();
    let mut tasks = JoinSet::new();
    for site in sites.values() {
        let (probes, site) = (Arc::clone(&probes), site.clone());
        tasks.spawn(async move { probes.probe_site(&site).await });
    }
    let mut runs = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let run = joined.expect("a site's probes never panic");
        runs.insert(run.kind, run);
    }
    let total = clock.elapsed();
    let rss_after = proc_status_kib("VmRSS").expect("Linux reports VmRSS");
    let peak_after = proc_status_kib("VmHWM").expect("Linux reports VmHWM");

    let mut report = Vec::new();
    for (kind, site) in &sites {
        let run = &runs[kind];
        println!(
            "{:<24} dns {:>5} ms  reg {:>5} ms  browser {:>5} ms  spider {:>5} ms  | {}",
            kind.as_str(),
            run.dns.wall.as_millis(),
            run.registration.wall.as_millis(),
            run.browser.wall.as_millis(),
            run.spider.wall.as_millis(),
            describe_http(&run.browser.value),
        );
        let mut problems = probes.time_violations(run);
        problems.extend(check_for(*kind)(&probes, site, run));
        report.extend(
            problems
                .into_iter()
                .map(|problem| format!("{} ({}): {problem}", kind.as_str(), site.domain)),
        );
    }

    // One bad server must not stall the others: the healthy site, checked alongside, finishes
    // well before any hostile timeout could have elapsed.
    let healthy_run = &runs[&ScenarioKind::Healthy];
    let fast = probes.settings.http.timeout / 2;
    if healthy_run.wall > fast {
        report.push(format!(
            "healthy: took {:?} beside the hostile sites (limit {fast:?})",
            healthy_run.wall
        ));
    }

    let rss_growth = rss_after.saturating_sub(rss_before);
    let peak_growth = peak_after.saturating_sub(peak_before);
    println!(
        "hostile run: {} ms in all; VmRSS {rss_before} → {rss_after} KiB (+{rss_growth} KiB), \
         VmHWM {peak_before} → {peak_after} KiB (+{peak_growth} KiB), budget {MEMORY_BUDGET_KIB} KiB",
        total.as_millis()
    );
    if rss_growth > MEMORY_BUDGET_KIB {
        report.push(format!("VmRSS grew by {rss_growth} KiB"));
    }
    // The high-water mark catches a spike that was freed again before the end.
    if peak_growth > MEMORY_BUDGET_KIB {
        report.push(format!("VmHWM grew by {peak_growth} KiB"));
    }
    assert!(
        report.is_empty(),
        "hostile run problems:\n{}",
        report.join("\n")
    );
}

/// The client-side WHOIS rate limit (politeness towards registries): the second query to the
/// same server within the window waits for its token instead of hammering the server.
#[tokio::test]
async fn whois_rate_limit_spaces_queries_to_one_server() {
    use beian_probe::politeness::ServerRateLimits;
    use beian_probe::whois::client::WhoisClient;

    let lab = start_lab_today().await;
    let mut settings = crate::lab_probes::lab_settings(&lab).whois;
    settings.cache_ttl = Duration::ZERO;
    let window = Duration::from_millis(800);
    let client =
        WhoisClient::new(&settings).with_rate_limits(ServerRateLimits::with_window(1, window));
    let clock = Instant::now();
    let first = client.lookup("expiring-soon.cn").await;
    let after_first = clock.elapsed();
    let second = client.lookup("linkfarm-factory.cn").await;
    let after_second = clock.elapsed();
    for (domain, timed) in [
        ("expiring-soon.cn", &first),
        ("linkfarm-factory.cn", &second),
    ] {
        assert!(
            timed
                .outcome
                .ok()
                .is_some_and(|whois| whois.parse.registered),
            "{domain}: {:?}",
            timed.outcome
        );
    }
    assert!(
        after_second - after_first >= window.mul_f32(0.9),
        "the second query went out after {:?}, not after the {window:?} window",
        after_second - after_first
    );
    assert!(
        after_second < window + Duration::from_secs(2),
        "took {after_second:?}"
    );
}

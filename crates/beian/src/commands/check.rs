//! `beian check DOMAIN|URL…`: a live check that needs no database. Every target is
//! validated first (a bad one is exit 2 before anything is sent), then all are checked at
//! once; the evidence is printed as one table per target or as a JSON array of reports.

use std::sync::Arc;

use beian_detect::corpus::all_signals;
use beian_detect::{DetectContext, Signal, Verdict};
use beian_engine::DetectionInput;
use beian_probe::check::{
    CheckReport, CheckTarget, NoteLevel, SiteChecker, failure_kind, verdict_label,
};
use beian_probe::dns::DnsEvidence;
use beian_probe::registration_probe::RegistrationEvidence;
use beian_probe::{Outcome, ProbeSettings, Timed};
use serde::Serialize;

use crate::cli::CheckArgs;
use crate::config::probe::{apply_probe_args, persona_label};
use crate::config::{Language, Settings};
use crate::error::{Exit, UserError, input_error};
use crate::output::printable;
use crate::output::{self, header};

pub async fn run(args: &CheckArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let mut targets = Vec::with_capacity(args.targets.len());
    let mut invalid = Vec::new();
    for input in &args.targets {
        match CheckTarget::parse(input, &settings.validation) {
            Ok(target) => targets.push(target),
            Err(error) => invalid.push(error.to_string()),
        }
    }
    if !invalid.is_empty() {
        return input_error(
            invalid.join("\n"),
            "改正或去掉上面的目标后重试 / fix or drop the targets above and run again",
        );
    }
    let mut probe = settings.probe.clone();
    apply_probe_args(&mut probe, &args.probe)?;
    let checker = Arc::new(build_checker(&probe)?);
    let reports = check_all(&checker, targets).await;
    let ctx = DetectContext::bundled(settings.today());
    let judged: Vec<JudgedReport<'_>> = reports
        .iter()
        .map(|report| JudgedReport {
            report,
            detection: detect(report, &ctx),
        })
        .collect();
    if args.json {
        output::print_json(&judged)?;
    } else {
        let mut text = String::new();
        for judged in &judged {
            // The detection lines belong to the report: drop its closing blank line first.
            let report = render_report(judged.report, settings.language);
            text.push_str(report.strip_suffix('\n').unwrap_or(&report));
            text.push_str(&render_detection(&judged.detection, settings.language));
        }
        output::print_text(&text)?;
    }
    Ok(Exit::Success)
}

/// A report with the detectors' judgement of its evidence under the `detection` key.
#[derive(Serialize)]
struct JudgedReport<'a> {
    #[serde(flatten)]
    report: &'a CheckReport,
    detection: Detection,
}

/// What `beian inspect site` would say about the pages the personas fetched.
#[derive(Serialize)]
struct Detection {
    verdict: Verdict,
    signals: Vec<Signal>,
}

/// Signals shown under a report's table; `--json` has them all.
const SIGNALS_SHOWN: usize = 5;

/// Runs the site analysis over the evidence a check gathered, through the engine's one
/// evidence → detection conversion (no random-path probe and no baseline here: those need
/// the inventory, so parasite pages and title replacement are judged by `beian scan`).
fn detect(report: &CheckReport, ctx: &DetectContext) -> Detection {
    let analysis = beian_engine::analyse(&DetectionInput::of_report(report), ctx);
    let mut signals = all_signals(&analysis);
    signals.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    Detection {
        verdict: analysis.verdict,
        signals,
    }
}

fn render_detection(detection: &Detection, language: Language) -> String {
    let verdict = match detection.verdict {
        Verdict::Clean => in_language(language, "✓ 未发现劫持迹象", "✓ clean"),
        Verdict::Suspicious => {
            in_language(language, "! 可疑，请人工查看", "! suspicious: have a look")
        }
        Verdict::Hijacked => in_language(language, "✗ 已被劫持", "✗ hijacked"),
    };
    let mut text = format!(
        "  {} {verdict}\n",
        in_language(language, "检测结论", "Detection")
    );
    for signal in detection.signals.iter().take(SIGNALS_SHOWN) {
        let snippet = signal
            .evidence
            .first()
            .map(|evidence| {
                format!(
                    " «{}»",
                    printable(
                        &beian_detect::clip_snippet(&evidence.snippet, 60).replace('\n', " ")
                    )
                )
            })
            .unwrap_or_default();
        text.push_str(&format!(
            "    - {}/{} {:.2}{snippet}\n",
            signal.technique.as_str(),
            signal.kind,
            signal.confidence
        ));
    }
    if detection.signals.len() > SIGNALS_SHOWN {
        text.push_str(&format!(
            "    … {} {}\n",
            detection.signals.len() - SIGNALS_SHOWN,
            in_language(language, "条更多信号见 --json", "more signals in --json")
        ));
    }
    text.push('\n');
    text
}

/// The checker for `settings`; a setup error is the user's configuration to fix.
pub fn build_checker(settings: &ProbeSettings) -> Result<SiteChecker, UserError> {
    SiteChecker::new(settings).map_err(|error| {
        UserError::input(format!("无法准备探测 / cannot set up the probes: {error}")).with_fix(
            "检查 beian.toml 的 [dns]、[rdap]、[http] 部分 / check the [dns], [rdap] and [http] sections of beian.toml",
        )
    })
}

/// Checks every target at once; the reports come back in the targets' order.
async fn check_all(checker: &Arc<SiteChecker>, targets: Vec<CheckTarget>) -> Vec<CheckReport> {
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.into_iter().enumerate() {
        let checker = Arc::clone(checker);
        tasks.spawn(async move { (index, checker.check(&target).await) });
    }
    let mut reports: Vec<(usize, CheckReport)> = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(done) => reports.push(done),
            // A check never panics by design; if one did, say so rather than hide it.
            Err(error) => tracing::error!(%error, "a check task ended abnormally"),
        }
    }
    reports.sort_by_key(|(index, _)| *index);
    reports.into_iter().map(|(_, report)| report).collect()
}

fn in_language(language: Language, zh: &str, en: &str) -> String {
    match language {
        Language::Zh => zh.to_owned(),
        Language::En => en.to_owned(),
    }
}

fn outcome_cell<T>(timed: &Timed<T>, language: Language) -> String {
    match &timed.outcome {
        Outcome::Ok(_) => in_language(language, "成功", "ok"),
        Outcome::Failed(failure) => failure_kind(failure).to_owned(),
    }
}

pub fn render_report(report: &CheckReport, language: Language) -> String {
    let mut table = output::table(
        language,
        &[
            header("探测", "Probe"),
            header("结果", "Outcome"),
            header("要点", "Key facts"),
            header("耗时 ms", "ms"),
        ],
    );
    table.add_row([
        "DNS".to_owned(),
        outcome_cell(&report.dns, language),
        printable(&dns_facts(&report.dns)),
        report.dns.elapsed_ms.to_string(),
    ]);
    table.add_row([
        in_language(language, "注册信息", "registration"),
        registration_outcome(&report.registration, language),
        printable(&registration_facts(&report.registration, report, language)),
        report.registration.elapsed_ms.to_string(),
    ]);
    for (fetch, result) in report.http.iter().zip(&report.summary.http) {
        let facts = match (&result.status, &result.final_url) {
            (Some(status), Some(final_url)) => {
                let mut line = format!("{status} {final_url}");
                if let Some(title) = &result.title {
                    line.push_str(&format!("\n«{title}»"));
                }
                if let Some(failure) = &result.failure {
                    line.push_str(&format!("\n{failure}"));
                }
                line
            }
            _ => result.failure.clone().unwrap_or_default(),
        };
        table.add_row([
            format!("HTTP {}", persona_label(result.persona)),
            outcome_cell(fetch, language),
            printable(&facts),
            fetch.elapsed_ms.to_string(),
        ]);
    }
    if let Some(tls) = &report.tls {
        let facts = match &tls.outcome {
            Outcome::Ok(facts) => format!(
                "{} · {} {} · {} {}\nSAN {}",
                verdict_label(&facts.verdict),
                in_language(language, "剩余天数", "days left"),
                facts.days_left,
                in_language(language, "签发者", "issuer"),
                facts.issuer,
                if facts.san_matches { "✓" } else { "✗" },
            ),
            Outcome::Failed(failure) => failure.to_string(),
        };
        table.add_row([
            "TLS".to_owned(),
            outcome_cell(tls, language),
            printable(&facts),
            tls.elapsed_ms.to_string(),
        ]);
    }
    let mut text = format!(
        "== {} ({} · {} {}) · {} ms ==\n{table}\n",
        printable(&report.target),
        report.url,
        in_language(language, "注册域名", "registrable"),
        report.registrable_domain,
        report.elapsed_ms
    );
    for note in &report.summary.notes {
        let mark = match note.level {
            NoteLevel::Ok => "✓",
            NoteLevel::Info => "·",
            NoteLevel::Warning => "!",
            NoteLevel::Problem => "✗",
        };
        let words = in_language(language, &note.zh, &note.en);
        text.push_str(&format!(
            "  {mark} [{}] {}\n",
            note.probe,
            printable(&words)
        ));
    }
    text.push('\n');
    text
}

fn dns_facts(dns: &Timed<DnsEvidence>) -> String {
    let evidence = match &dns.outcome {
        Outcome::Ok(evidence) => evidence,
        Outcome::Failed(failure) => return failure.to_string(),
    };
    let mut lines = Vec::new();
    let rcode = evidence.rcodes.get("A").map_or("-", String::as_str);
    lines.push(format!("rcode {rcode}"));
    let addresses: Vec<String> = evidence
        .a
        .iter()
        .map(ToString::to_string)
        .chain(evidence.aaaa.iter().map(ToString::to_string))
        .collect();
    if !addresses.is_empty() {
        lines.push(format!("A/AAAA {}", addresses.join(", ")));
    }
    for link in &evidence.cname_chain {
        lines.push(format!("CNAME {} → {}", link.from, link.to));
    }
    if let Some(rcode) = &evidence.cname_target_rcode
        && !evidence.cname_chain.is_empty()
    {
        lines.push(format!("CNAME target {rcode}"));
    }
    if !evidence.ns.is_empty() {
        lines.push(format!("NS {}", evidence.ns.join(", ")));
    }
    lines.join("\n")
}

fn registration_outcome(registration: &Timed<RegistrationEvidence>, language: Language) -> String {
    match registration
        .outcome
        .ok()
        .and_then(|evidence| evidence.record.as_ref())
    {
        Some(record) if record.registered => in_language(language, "已注册", "registered"),
        Some(_) => in_language(language, "未注册", "not registered"),
        None => in_language(language, "未知", "unknown"),
    }
}

fn registration_facts(
    registration: &Timed<RegistrationEvidence>,
    report: &CheckReport,
    language: Language,
) -> String {
    let Some(evidence) = registration.outcome.ok() else {
        return String::new();
    };
    let source = match evidence.source {
        beian_probe::RecordSource::Rdap => "RDAP",
        beian_probe::RecordSource::Whois => "WHOIS",
    };
    let Some(record) = &evidence.record else {
        let why = evidence
            .whois
            .as_ref()
            .and_then(|whois| whois.outcome.failure())
            .or_else(|| {
                evidence
                    .rdap
                    .as_ref()
                    .and_then(|rdap| rdap.outcome.failure())
            })
            .map_or_else(String::new, ToString::to_string);
        return format!("{source}: {why}");
    };
    let mut lines = vec![format!("{source} {}", evidence.domain)];
    if let Some(expires_at) = record.expires_at {
        let days = report.summary.days_left.map_or_else(String::new, |days| {
            format!(" ({days} {})", in_language(language, "天", "days"))
        });
        lines.push(format!(
            "{} {}{days}",
            in_language(language, "到期", "expires"),
            expires_at.to_rfc3339()
        ));
    }
    if let Some(registrar) = &record.registrar {
        lines.push(format!(
            "{} {registrar}",
            in_language(language, "注册商", "registrar")
        ));
    }
    if !record.statuses.is_empty() {
        lines.push(record.statuses.join(", "));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\u{FFFD}[2Jb\nc");
    }
}

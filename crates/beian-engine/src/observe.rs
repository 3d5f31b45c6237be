//! Evidence and detection reduced to the core's [`SiteObservation`]: what the rules judge and
//! what the store keeps per site and scan. Raw bodies stay out; dates become Beijing dates;
//! EPP statuses become the lower-case words the rules match on.

use std::collections::BTreeMap;
use std::net::IpAddr;

use beian_core::facts::{
    DnsFacts, DomainObservation, FooterFact, RegistrationFacts, RegistrationObservation,
    SignalFact, SiteObservation, TlsFacts, WebFacts,
};
use beian_core::identifier::{ValidationContext, validate_domain};
use beian_core::model::{Domain, RecordId};
use beian_detect::footer::FooterRecord;
use beian_detect::site::SiteAnalysis;
use beian_detect::{Signal, Verdict};
use beian_probe::check::CheckReport;
use beian_probe::dns::DnsEvidence;
use beian_probe::http::HttpEvidence;
use beian_probe::registration_probe::RegistrationEvidence;
use beian_probe::tls::{TlsEvidence, TlsVerdict};
use beian_probe::{Outcome, Persona, RecordSource, Timed};
use beian_store::StoredObservation;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::checks::CheckSet;
use crate::evidence::{PageFingerprint, reference_page};

/// Snippets kept per signal: enough for a person to see what was found.
const SNIPPETS_PER_SIGNAL: usize = 5;

/// Everything the probes gathered about one site in one scan.
#[derive(Debug, Clone)]
pub struct SiteEvidence {
    /// The home URL checked: DNS of its host, registration of its registrable domain, the
    /// page as every persona, the certificate.
    pub report: CheckReport,
    /// Paths that should not exist, fetched as a browser and as a spider.
    pub random_paths: Vec<Timed<HttpEvidence>>,
    /// Registration of the site's other registrable domains, by A-label name.
    pub registrations: BTreeMap<String, RegistrationEvidence>,
    /// DNS of the site's domains other than the host (their NS are the zone's), by name.
    pub zone_dns: BTreeMap<String, Timed<DnsEvidence>>,
    /// The probes that ran (whose timings are real): every one for a full check.
    pub probed: CheckSet,
}

/// What the store keeps per site and scan: the core observation (the JSON is a superset of
/// [`SiteObservation`], which reads it back ignoring the extra field) and the home page's
/// fingerprint, the baseline of later scans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationRecord {
    #[serde(flatten)]
    pub observation: SiteObservation,
    #[serde(default)]
    pub home_fingerprint: Option<PageFingerprint>,
    /// Each persona's fetch with its redirect chain, for the site page.
    #[serde(default)]
    pub personas: Vec<crate::personas::PersonaFetch>,
}

/// Builds the observation of one site from its evidence and the detectors' analysis.
/// `domains` are the site's inventory domains.
pub fn observe(
    evidence: &SiteEvidence,
    analysis: &SiteAnalysis,
    domains: &[Domain],
    observed_at: DateTime<Utc>,
    validation: &ValidationContext,
) -> ObservationRecord {
    let report = &evidence.report;
    let reference = reference_page(report, analysis);
    let reachable = report.http.iter().any(|fetch| fetch.outcome.ok().is_some());
    let web = WebFacts {
        url: report.url.to_string(),
        verdict: verdict_name(analysis.verdict).to_owned(),
        reachable,
        title: reference
            .map(|page| page.facts.title.trim().to_owned())
            .filter(|title| !title.is_empty()),
        signals: signal_facts(analysis),
        footer: reference
            .map(|page| page.footer.iter().filter_map(footer_fact).collect())
            .unwrap_or_default(),
        tls: report.tls.as_ref().map(tls_facts),
    };
    ObservationRecord {
        observation: SiteObservation {
            observed_at,
            domains: domain_observations(evidence, domains, validation),
            web: Some(web),
        },
        home_fingerprint: reference.filter(|_| reachable).map(PageFingerprint::of),
        personas: crate::personas::persona_fetches(report),
    }
}

/// Just what the baseline search reads of a stored observation (cheaper than the whole).
#[derive(Deserialize)]
struct BaselineView {
    web: Option<BaselineWeb>,
    #[serde(default)]
    home_fingerprint: Option<PageFingerprint>,
}

#[derive(Deserialize)]
struct BaselineWeb {
    reachable: bool,
    verdict: String,
}

/// From a site's stored history (newest first): the previous observation (the newest from
/// another scan) and the owner's baseline (the oldest clean home page kept). Parses only
/// what it needs; an unreadable body is skipped with a warning.
pub fn history_of(
    site_id: RecordId,
    history: &[StoredObservation],
    scan_id: RecordId,
) -> (Option<SiteObservation>, Option<PageFingerprint>) {
    let unreadable = |stored: &StoredObservation, error: serde_json::Error| {
        tracing::warn!(site = site_id, scan = stored.scan_id, %error, "an unreadable stored observation is skipped");
    };
    let previous = history
        .iter()
        .filter(|stored| stored.scan_id != scan_id)
        .find_map(|stored| {
            serde_json::from_str::<SiteObservation>(&stored.body)
                .map_err(|error| unreadable(stored, error))
                .ok()
        });
    let baseline = history.iter().rev().find_map(|stored| {
        let view = serde_json::from_str::<BaselineView>(&stored.body)
            .map_err(|error| unreadable(stored, error))
            .ok()?;
        let clean = view
            .web
            .is_some_and(|web| web.reachable && web.verdict == "clean");
        view.home_fingerprint.filter(|_| clean)
    });
    (previous, baseline)
}

/// One observation per inventory domain, plus the home URL's host when it is not one of them
/// (host rules key on it, domain rules on the registered names).
fn domain_observations(
    evidence: &SiteEvidence,
    domains: &[Domain],
    validation: &ValidationContext,
) -> Vec<DomainObservation> {
    let report = &evidence.report;
    let registrable = |name: &str| {
        validate_domain(name, validation)
            .part("registrable")
            .map_or_else(|| name.to_owned(), str::to_owned)
    };
    let registration_of = |name: &str| {
        let zone = registrable(name);
        if zone == report.registrable_domain {
            registration_observation(report.registration.outcome.ok())
        } else {
            registration_observation(evidence.registrations.get(&zone))
        }
    };
    let zone_ns = |name: &str| -> Vec<String> {
        let zone = registrable(name);
        if zone == report.host {
            return report
                .dns
                .outcome
                .ok()
                .map(|dns| nameservers(&dns.ns))
                .unwrap_or_default();
        }
        evidence
            .zone_dns
            .get(&zone)
            .and_then(|dns| dns.outcome.ok())
            .map(|dns| nameservers(&dns.ns))
            .unwrap_or_default()
    };
    let mut out: Vec<DomainObservation> = domains
        .iter()
        .map(|domain| {
            let dns = if domain.name == report.host {
                Some(&report.dns)
            } else {
                evidence.zone_dns.get(&domain.name)
            };
            DomainObservation {
                name: domain.name.clone(),
                registration: registration_of(&domain.name),
                dns: dns.map(|dns| dns_facts(dns, zone_ns(&domain.name))),
            }
        })
        .collect();
    if !out.iter().any(|observed| observed.name == report.host) {
        out.push(DomainObservation {
            name: report.host.clone(),
            registration: registration_of(&report.host),
            dns: Some(dns_facts(&report.dns, zone_ns(&report.host))),
        });
    }
    out
}

/// What RDAP/WHOIS said, or why nothing definite was learnt.
pub fn registration_observation(
    evidence: Option<&RegistrationEvidence>,
) -> RegistrationObservation {
    let Some(evidence) = evidence else {
        return RegistrationObservation::Unknown {
            detail: "未查询注册信息 / registration was not looked up".to_owned(),
        };
    };
    let Some(record) = &evidence.record else {
        let detail = evidence
            .whois
            .as_ref()
            .and_then(|whois| whois.outcome.failure())
            .or_else(|| {
                evidence
                    .rdap
                    .as_ref()
                    .and_then(|rdap| rdap.outcome.failure())
            })
            .map_or_else(
                || {
                    "RDAP 与 WHOIS 均无明确答复 / neither RDAP nor WHOIS gave a definite answer"
                        .to_owned()
                },
                ToString::to_string,
            );
        return RegistrationObservation::Unknown { detail };
    };
    if !record.registered {
        return RegistrationObservation::NotRegistered;
    }
    let mut statuses: Vec<String> = record.statuses.iter().map(|s| status_words(s)).collect();
    statuses.dedup();
    RegistrationObservation::Registered(RegistrationFacts {
        source: match record.source {
            RecordSource::Rdap => "rdap",
            RecordSource::Whois => "whois",
        }
        .to_owned(),
        created_on: record.created_at.map(beijing_date),
        expires_on: record.expires_at.map(beijing_date),
        updated_on: record.updated_at.map(beijing_date),
        statuses,
        registrar: record.registrar.clone(),
        registrant: record.registrant.clone(),
        nameservers: nameservers(&record.nameservers),
    })
}

/// Registry dates are Beijing dates for filings and for people reading them.
fn beijing_date(instant: DateTime<FixedOffset>) -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    instant.with_timezone(&china).date_naive()
}

/// `clientHold` → `client hold`; `redemption period` stays; anything else lower case.
pub fn status_words(status: &str) -> String {
    let mut words = String::with_capacity(status.len() + 4);
    let trimmed = status.trim();
    let camel = !trimmed.contains(' ');
    for (index, c) in trimmed.chars().enumerate() {
        if camel && c.is_ascii_uppercase() && index > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

fn nameservers(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn dns_facts(dns: &Timed<DnsEvidence>, zone_nameservers: Vec<String>) -> DnsFacts {
    let Outcome::Ok(evidence) = &dns.outcome else {
        return DnsFacts {
            rcode: "failed".to_owned(),
            addresses: Vec::new(),
            cname_chain: Vec::new(),
            nameservers: zone_nameservers,
        };
    };
    let rcode = evidence
        .rcodes
        .get("A")
        .map_or_else(|| "failed".to_owned(), |code| rcode_name(code));
    DnsFacts {
        rcode,
        addresses: evidence
            .a
            .iter()
            .map(|ip| IpAddr::V4(*ip))
            .chain(evidence.aaaa.iter().map(|ip| IpAddr::V6(*ip)))
            .collect(),
        cname_chain: evidence
            .cname_chain
            .iter()
            .map(|link| link.to.trim_end_matches('.').to_ascii_lowercase())
            .collect(),
        nameservers: zone_nameservers,
    }
}

/// `NXDOMAIN` → `nx_domain`, `SERVFAIL` → `serv_fail`; the probe's own `timeout`,
/// `malformed`, `network` stay as they are.
fn rcode_name(code: &str) -> String {
    match code {
        "NOERROR" => "no_error".to_owned(),
        "NXDOMAIN" => "nx_domain".to_owned(),
        "SERVFAIL" => "serv_fail".to_owned(),
        "REFUSED" => "refused".to_owned(),
        "FORMERR" => "form_err".to_owned(),
        "NOTIMP" => "not_imp".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

fn tls_facts(tls: &Timed<TlsEvidence>) -> TlsFacts {
    match &tls.outcome {
        Outcome::Ok(evidence) => {
            let (verdict, detail) = match &evidence.verdict {
                TlsVerdict::Valid => ("valid", None),
                TlsVerdict::Expired => ("expired", None),
                TlsVerdict::NotYetValid => ("not_yet_valid", None),
                TlsVerdict::SelfSigned => ("self_signed", None),
                TlsVerdict::UnknownIssuer => ("unknown_issuer", None),
                TlsVerdict::NameMismatch => ("name_mismatch", None),
                TlsVerdict::Other(detail) => ("other", Some(detail.clone())),
            };
            TlsFacts {
                not_after: Some(evidence.not_after),
                days_left: Some(evidence.days_left),
                issuer: Some(evidence.issuer.clone()),
                verdict: verdict.to_owned(),
                detail,
            }
        }
        Outcome::Failed(failure) => TlsFacts {
            not_after: None,
            days_left: None,
            issuer: None,
            verdict: "failed".to_owned(),
            detail: Some(failure.to_string()),
        },
    }
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Clean => "clean",
        Verdict::Suspicious => "suspicious",
        Verdict::Hijacked => "hijacked",
    }
}

/// The site's signals and its home pages' (random paths only feed the parasite check),
/// the strongest of each technique and kind, in a stable order.
fn signal_facts(analysis: &SiteAnalysis) -> Vec<SignalFact> {
    let mut strongest: BTreeMap<(&str, &str), &Signal> = BTreeMap::new();
    for signal in analysis
        .signals
        .iter()
        .chain(analysis.pages.iter().flat_map(|page| &page.signals))
    {
        let key = (signal.technique.as_str(), signal.kind.as_str());
        match strongest.get(&key) {
            Some(kept) if kept.confidence >= signal.confidence => {}
            _ => {
                strongest.insert(key, signal);
            }
        }
    }
    strongest
        .into_values()
        .map(|signal| SignalFact {
            technique: signal.technique.as_str().to_owned(),
            kind: signal.kind.clone(),
            confidence: signal.confidence,
            explanation: signal.explanation.clone(),
            snippets: signal
                .evidence
                .iter()
                .take(SNIPPETS_PER_SIGNAL)
                .map(|evidence| {
                    format!(
                        "{} {}: {}",
                        persona_name(evidence.persona),
                        evidence.url.as_deref().unwrap_or("-"),
                        evidence.snippet
                    )
                })
                .collect(),
        })
        .collect()
}

fn persona_name(persona: Option<Persona>) -> String {
    match persona {
        Some(p) if p.baidu_referer => format!("{}+baidu_referer", p.kind.as_str()),
        Some(p) => p.kind.as_str().to_owned(),
        None => "-".to_owned(),
    }
}

/// A footer number the core can name (filing and licence numbers; others are dropped).
fn footer_fact(record: &FooterRecord) -> Option<FooterFact> {
    let kind = record.kind()?.filing_kind()?;
    Some(FooterFact {
        kind,
        number: record.display().to_owned(),
        link: record.link.as_ref().map(|link| link.href.clone()),
        link_ok: record.link.is_some() && record.link_issues.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_words() {
        assert_eq!(status_words("clientHold"), "client hold");
        assert_eq!(status_words("redemptionPeriod"), "redemption period");
        assert_eq!(status_words("pendingDelete"), "pending delete");
        assert_eq!(status_words("ok"), "ok");
        assert_eq!(status_words("Redemption Period"), "redemption period");
    }

    #[test]
    fn rcodes_are_snake_case() {
        assert_eq!(rcode_name("NXDOMAIN"), "nx_domain");
        assert_eq!(rcode_name("NOERROR"), "no_error");
        assert_eq!(rcode_name("timeout"), "timeout");
    }
}

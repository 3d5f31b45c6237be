//! Subdomain takeover and dangling DNS (FACTS §7.5): a CNAME chain into a fingerprinted
//! cloud whose answer says the resource is gone, a CNAME target that no longer exists
//! (NXDOMAIN), and name servers in a domain nobody holds.
//!
//! Fingerprints rated "Vulnerable" give 0.9; "Edge case" (claimability unverified — all our
//! Chinese-cloud entries) give 0.6; "Not vulnerable" services never signal a takeover.

mod fingerprints;

use crate::page::text::clip_bytes as clip;
use beian_probe::dns::DnsEvidence;

use crate::page::registrable_domain;
use crate::signal::{Evidence, Region, Signal, Technique, clip_snippet};

pub use fingerprints::{
    BUNDLED, Fingerprint, FingerprintError, TakeoverStatus, glob_matches, parse_bundled,
};

/// The generic "bucket gone" answers of S3-compatible object stores.
const GENERIC_BUCKET_MARKERS: [&str; 2] = ["NoSuchBucket", "The specified bucket does not exist"];
/// Bodies are searched in their first bytes only: error pages are small.
const BODY_SCAN_BYTES: usize = 256 * 1024;

/// One HTTP answer of the name under test.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    pub url: Option<&'a str>,
    pub status: Option<u16>,
    pub body: &'a str,
    pub server_header: Option<&'a str>,
}

/// What the takeover check reads.
#[derive(Debug, Clone, Copy)]
pub struct TakeoverInput<'a> {
    pub dns: &'a DnsEvidence,
    pub responses: &'a [Response<'a>],
    /// Registrable domains of the zone's name servers known (from WHOIS/RDAP) to be unregistered.
    pub ns_domains_unregistered: &'a [String],
}

fn dns_evidence(snippet: String) -> Evidence {
    Evidence {
        snippet: clip_snippet(&snippet, 200),
        region: Some(Region::Dns),
        persona: None,
        url: None,
    }
}

fn body_evidence(response: &Response<'_>, marker: &str) -> Evidence {
    Evidence {
        snippet: clip_snippet(
            &format!(
                "HTTP {} · {marker}",
                response.status.map_or("-".to_string(), |s| s.to_string())
            ),
            200,
        ),
        region: Some(Region::Body),
        persona: None,
        url: response.url.map(str::to_string),
    }
}

fn is_nxdomain(dns: &DnsEvidence) -> bool {
    dns.cname_target_rcode
        .as_deref()
        .is_some_and(|code| code.eq_ignore_ascii_case("NXDOMAIN"))
}

/// Takeover signals with the bundled fingerprints.
pub fn takeover_signals(input: &TakeoverInput<'_>) -> Vec<Signal> {
    takeover_signals_with(input, &BUNDLED)
}

/// Takeover signals with the given fingerprints.
pub fn takeover_signals_with(
    input: &TakeoverInput<'_>,
    fingerprints: &[Fingerprint],
) -> Vec<Signal> {
    let dns = input.dns;
    let mut signals = Vec::new();
    let chain: Vec<&str> = dns.cname_chain.iter().map(|l| l.to.as_str()).collect();
    let chain_text = dns
        .cname_chain
        .iter()
        .map(|l| format!("{} → {}", l.from, l.to))
        .collect::<Vec<_>>()
        .join(", ");
    let nxdomain = is_nxdomain(dns);

    let mut matched_service = false;
    let mut not_vulnerable_service: Option<&Fingerprint> = None;
    for fingerprint in fingerprints {
        let Some(host) = chain.iter().find(|host| fingerprint.matches_host(host)) else {
            continue;
        };
        if fingerprint.status == TakeoverStatus::NotVulnerable {
            not_vulnerable_service.get_or_insert(fingerprint);
            continue;
        }
        let mut evidence = vec![dns_evidence(chain_text.clone())];
        let mut why: Vec<String> = Vec::new();
        if fingerprint.nxdomain && nxdomain {
            why.push(format!("CNAME 目标 {host} NXDOMAIN"));
        }
        for response in input.responses {
            let body = clip(response.body, BODY_SCAN_BYTES);
            if let Some(marker) = fingerprint.body_match(body) {
                let server = fingerprint
                    .server_header
                    .as_deref()
                    .filter(|s| response.server_header.is_some_and(|h| h.contains(*s)));
                why.push(match server {
                    Some(s) => format!("「{marker}」(Server: {s})"),
                    None => format!("「{marker}」"),
                });
                evidence.push(body_evidence(response, &marker));
                break;
            }
            if let (Some(expected), Some(status)) = (fingerprint.http_status, response.status)
                && expected == status
                && fingerprint.body_markers.is_empty()
            {
                why.push(format!("HTTP {status}"));
                evidence.push(body_evidence(response, &format!("HTTP_STATUS={status}")));
                break;
            }
        }
        if why.is_empty() {
            continue;
        }
        matched_service = true;
        let (zh, en) = match fingerprint.status {
            TakeoverStatus::Vulnerable => ("可被他人认领", "claimable by others"),
            _ => ("可能可被认领（待核实）", "possibly claimable (unverified)"),
        };
        signals.push(Signal {
            kind: "takeover_fingerprint".to_string(),
            technique: Technique::Takeover,
            confidence: fingerprint.status.confidence(),
            explanation: format!(
                "CNAME 指向 {service} 的 {host}，该资源已不存在（{why}），{zh} / the CNAME points at {host} on {service}, whose resource is gone ({why}); {en}",
                service = fingerprint.service,
                why = why.join("; "),
            ),
            evidence,
        });
    }

    if !matched_service
        && nxdomain
        && let Some(target) = chain.last()
    {
        let (confidence, note_zh, note_en) = match not_vulnerable_service {
            Some(f) => (
                0.3,
                format!("（{} 通常不可被认领）", f.service),
                format!(" ({} is usually not claimable)", f.service),
            ),
            None => (0.6, String::new(), String::new()),
        };
        signals.push(Signal {
            kind: "dangling_cname".to_string(),
            technique: Technique::Takeover,
            confidence,
            explanation: format!(
                "CNAME 目标 {target} 不存在（NXDOMAIN），属悬挂解析{note_zh} / the CNAME target {target} does not exist (NXDOMAIN): a dangling record{note_en}"
            ),
            evidence: vec![dns_evidence(format!("{chain_text} · NXDOMAIN"))],
        });
    }

    if !matched_service && !chain.is_empty() {
        let found = input.responses.iter().find_map(|r| {
            let body = clip(r.body, BODY_SCAN_BYTES);
            GENERIC_BUCKET_MARKERS
                .iter()
                .find(|m| body.contains(**m))
                .map(|m| (r, *m))
        });
        if let Some((response, marker)) = found {
            signals.push(Signal {
                kind: "cname_bucket_missing".to_string(),
                technique: Technique::Takeover,
                confidence: 0.6,
                explanation: format!(
                    "CNAME 指向的对象存储桶不存在（「{marker}」）：{chain_text} / the CNAME points at an object-storage bucket that does not exist ('{marker}'): {chain_text}"
                ),
                evidence: vec![dns_evidence(chain_text.clone()), body_evidence(response, marker)],
            });
        }
    }

    let unregistered: Vec<&String> = dns
        .ns
        .iter()
        .filter(|ns| {
            let domain = registrable_domain(ns);
            input
                .ns_domains_unregistered
                .iter()
                .any(|u| registrable_domain(u) == domain)
        })
        .collect();
    if !unregistered.is_empty() {
        let list = unregistered
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        signals.push(Signal {
            kind: "ns_domain_unregistered".to_string(),
            technique: Technique::Takeover,
            confidence: 0.9,
            explanation: format!(
                "域名服务器 {list} 所在的域名未注册，任何人注册后即可接管解析 / the name servers {list} are in an unregistered domain: whoever registers it controls this zone"
            ),
            evidence: unregistered
                .iter()
                .map(|ns| dns_evidence(format!("{} NS {ns}", dns.name)))
                .collect(),
        });
    }
    signals
}

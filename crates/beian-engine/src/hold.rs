//! Evidence that could not be gathered is not evidence that a condition cleared. The rules
//! stay silent when a registry did not answer or a site did not load; left alone, the
//! store would resolve every finding that rested on that evidence and open it again at the
//! next scan that gets through, with a new first-seen date (and, for a lapsed domain, a new
//! finding that could open another case). So before a judgement is recorded, an unresolved
//! finding whose evidence is unknown this time is carried as it stands.

use beian_core::facts::{RegistrationObservation, SiteObservation};
use beian_core::finding::{Finding, FindingDraft};

/// Rcodes that are an answer (the name exists or it does not); anything else means DNS could
/// not be asked.
const DNS_ANSWERS: [&str; 2] = ["no_error", "nx_domain"];

/// Adds to `drafts` every finding of `held` (the site's unresolved findings) that the current
/// observation cannot confirm or clear; keeps `drafts` sorted by rule and key.
pub fn carry_unknown(
    drafts: &mut Vec<FindingDraft>,
    held: &[Finding],
    current: Option<&SiteObservation>,
) {
    let before = drafts.len();
    for finding in held {
        let judged = drafts
            .iter()
            .any(|draft| draft.rule_id == finding.rule_id && draft.key == finding.key);
        if judged || !evidence_unknown(finding, current) {
            continue;
        }
        drafts.push(finding.as_draft());
    }
    if drafts.len() != before {
        drafts.sort_by(|a, b| (&a.rule_id, &a.key).cmp(&(&b.rule_id, &b.key)));
    }
}

/// Whether what the finding's rule needs was missing from this scan.
fn evidence_unknown(finding: &Finding, current: Option<&SiteObservation>) -> bool {
    let area = finding.rule_id.split('.').next().unwrap_or_default();
    let Some(current) = current else {
        // Nothing was probed: only the inventory rules were judged.
        return matches!(area, "domain" | "content" | "footer" | "tls" | "dns");
    };
    let web = current.web.as_ref();
    match area {
        // Keyed by the domain: its registration decides.
        "domain" => current.domain(&finding.key).is_none_or(|domain| {
            matches!(domain.registration, RegistrationObservation::Unknown { .. })
        }),
        "content" | "footer" => web.is_none_or(|web| !web.reachable),
        "tls" => web
            .and_then(|web| web.tls.as_ref())
            .is_none_or(|tls| tls.verdict == "failed"),
        // Keyed by host (takeover, addresses) or registrable domain (NS): unknown when that
        // name, or every name, got no DNS answer.
        "dns" => {
            let answered = |name: &str| {
                current.domain(name).is_some_and(|domain| {
                    domain
                        .dns
                        .as_ref()
                        .is_some_and(|dns| DNS_ANSWERS.contains(&dns.rcode.as_str()))
                })
            };
            if current.domain(&finding.key).is_some() {
                !answered(&finding.key)
            } else {
                !current.domains.iter().any(|domain| answered(&domain.name))
            }
        }
        // Inventory rules (site, psb, inventory) need no probe.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use beian_core::facts::{DnsFacts, DomainObservation, WebFacts};
    use beian_core::finding::{FindingState, Severity};
    use chrono::Utc;

    use super::*;

    fn finding(rule_id: &str, key: &str) -> Finding {
        Finding {
            id: 1,
            rule_id: rule_id.to_owned(),
            site_id: 7,
            key: key.to_owned(),
            severity: Severity::Critical,
            state: FindingState::Open,
            explanation_zh: "说明".to_owned(),
            explanation_en: "explanation".to_owned(),
            evidence: serde_json::json!({"k": 1}),
            first_seen: Utc::now(),
            last_seen: Utc::now(),
            resolved_at: None,
            suppression: None,
        }
    }

    fn observation(registration: RegistrationObservation, reachable: bool) -> SiteObservation {
        SiteObservation {
            observed_at: Utc::now(),
            domains: vec![DomainObservation {
                name: "example.com".to_owned(),
                registration,
                dns: Some(DnsFacts {
                    rcode: "timeout".to_owned(),
                    addresses: Vec::new(),
                    cname_chain: Vec::new(),
                    nameservers: Vec::new(),
                }),
            }],
            web: Some(WebFacts {
                url: "https://example.com/".to_owned(),
                verdict: "clean".to_owned(),
                reachable,
                title: None,
                signals: Vec::new(),
                footer: Vec::new(),
                tls: None,
            }),
        }
    }

    #[test]
    fn unknown_evidence_carries_the_finding_and_known_evidence_clears_it() {
        let held = [
            finding("domain.lapsed_filing_active", "example.com"),
            finding("content.hijack", ""),
            finding("psb.missing", ""),
            finding("dns.takeover_risk", "example.com"),
        ];
        let unknown = RegistrationObservation::Unknown {
            detail: "timeout".to_owned(),
        };
        let mut drafts = Vec::new();
        carry_unknown(&mut drafts, &held, Some(&observation(unknown, false)));
        let carried: Vec<&str> = drafts.iter().map(|d| d.rule_id.as_str()).collect();
        assert_eq!(
            carried,
            [
                "content.hijack",
                "dns.takeover_risk",
                "domain.lapsed_filing_active"
            ]
        );
        assert_eq!(drafts[0].severity, Severity::Critical);

        let mut drafts = Vec::new();
        carry_unknown(
            &mut drafts,
            &held,
            Some(&observation(RegistrationObservation::NotRegistered, true)),
        );
        let carried: Vec<&str> = drafts.iter().map(|d| d.rule_id.as_str()).collect();
        assert_eq!(carried, ["dns.takeover_risk"]);
    }
}

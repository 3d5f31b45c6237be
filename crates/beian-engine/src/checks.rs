//! Partial scans: which checks run, and how a scan that ran only some of them still hands
//! the rules a complete picture.
//!
//! The scheduler runs each check of a site on its own interval (DNS every 15 minutes,
//! registration daily …), so most scans run one or two checks. The facts of the checks
//! that did not run are carried over from the site's latest stored observation
//! ([`carry_over`]): the rules compare the new observation with that same observation, so
//! a fact that was not looked at again reads as unchanged, never as missing. And a
//! finding that rests on a check that did not run is neither opened nor resolved by such a
//! scan ([`hold_skipped`]): the unresolved ones are carried as they stand, new drafts
//! wait for the check's own run.

use beian_core::facts::SiteObservation;
use beian_core::finding::{Finding, FindingDraft};
use beian_core::rules::ids;
pub use beian_store::ScheduledCheck;

/// A set of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CheckSet(u8);

impl CheckSet {
    /// Every check: what `beian scan` runs.
    pub const ALL: CheckSet = CheckSet(0b1111);
    pub const NONE: CheckSet = CheckSet(0);

    fn bit(check: ScheduledCheck) -> u8 {
        match check {
            ScheduledCheck::Registration => 1,
            ScheduledCheck::Dns => 2,
            ScheduledCheck::Http => 4,
            ScheduledCheck::Tls => 8,
        }
    }

    pub fn of(checks: &[ScheduledCheck]) -> CheckSet {
        CheckSet(
            checks
                .iter()
                .fold(0, |bits, check| bits | CheckSet::bit(*check)),
        )
    }

    /// This set less `check`.
    pub fn without(self, check: ScheduledCheck) -> CheckSet {
        CheckSet(self.0 & !CheckSet::bit(check))
    }

    pub fn contains(self, check: ScheduledCheck) -> bool {
        self.0 & CheckSet::bit(check) != 0
    }

    pub fn is_all(self) -> bool {
        self == CheckSet::ALL
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The checks of the set, in [`ScheduledCheck::ALL`] order.
    pub fn checks(self) -> Vec<ScheduledCheck> {
        ScheduledCheck::ALL
            .into_iter()
            .filter(|check| self.contains(*check))
            .collect()
    }

    /// Whether the home page must be fetched: the content checks need the pages, and the
    /// certificate is read by the same check of the home URL.
    pub fn needs_web(self) -> bool {
        self.contains(ScheduledCheck::Http) || self.contains(ScheduledCheck::Tls)
    }
}

/// The check whose evidence a rule judges; `None` for rules over the inventory alone,
/// which every scan judges.
pub fn check_of_rule(rule_id: &str) -> Option<ScheduledCheck> {
    if rule_id == ids::DOMAIN_TLD_NOT_FILEABLE {
        return None;
    }
    match rule_id.split('.').next().unwrap_or_default() {
        "domain" => Some(ScheduledCheck::Registration),
        "dns" => Some(ScheduledCheck::Dns),
        "content" | "footer" => Some(ScheduledCheck::Http),
        "tls" => Some(ScheduledCheck::Tls),
        _ => None,
    }
}

/// Completes `current` (what the checks in `ran` observed) with the facts of the other
/// checks from `previous`, the site's latest stored observation. Without a previous
/// observation the facts stay as gathered (unknown), which [`crate::hold`] treats as
/// evidence missing.
pub fn carry_over(
    current: &mut SiteObservation,
    previous: Option<&SiteObservation>,
    ran: CheckSet,
) {
    if ran.is_all() {
        return;
    }
    let Some(previous) = previous else { return };
    for domain in &mut current.domains {
        let Some(before) = previous.domain(&domain.name) else {
            continue;
        };
        if !ran.contains(ScheduledCheck::Registration) {
            domain.registration = before.registration.clone();
        }
        if !ran.contains(ScheduledCheck::Dns) {
            domain.dns = before.dns.clone();
        }
    }
    match (current.web.as_mut(), previous.web.as_ref()) {
        (Some(web), Some(before)) => {
            if !ran.contains(ScheduledCheck::Http) {
                let tls = web.tls.take();
                *web = before.clone();
                web.tls = tls;
            }
            if !ran.contains(ScheduledCheck::Tls) {
                web.tls = before.tls.clone();
            }
        }
        (None, Some(before)) if !ran.needs_web() => current.web = Some(before.clone()),
        _ => {}
    }
}

/// Replaces the drafts of rules whose check did not run with the site's unresolved
/// findings of those rules (`held`): a scan neither opens nor resolves what it did not
/// look at. Keeps `drafts` sorted by rule and key.
pub fn hold_skipped(drafts: &mut Vec<FindingDraft>, held: &[Finding], ran: CheckSet) {
    if ran.is_all() {
        return;
    }
    let skipped = |rule_id: &str| check_of_rule(rule_id).is_some_and(|check| !ran.contains(check));
    drafts.retain(|draft| !skipped(&draft.rule_id));
    for finding in held.iter().filter(|finding| skipped(&finding.rule_id)) {
        drafts.push(finding.as_draft());
    }
    drafts.sort_by(|a, b| (&a.rule_id, &a.key).cmp(&(&b.rule_id, &b.key)));
}

#[cfg(test)]
mod tests {
    use beian_core::facts::{DnsFacts, DomainObservation, RegistrationObservation, WebFacts};
    use beian_core::finding::{FindingState, Severity};
    use chrono::Utc;

    use super::*;

    fn observation(
        rcode: &str,
        registration: RegistrationObservation,
        title: &str,
    ) -> SiteObservation {
        SiteObservation {
            observed_at: Utc::now(),
            domains: vec![DomainObservation {
                name: "example.com".to_owned(),
                registration,
                dns: Some(DnsFacts {
                    rcode: rcode.to_owned(),
                    addresses: Vec::new(),
                    cname_chain: Vec::new(),
                    nameservers: Vec::new(),
                }),
            }],
            web: Some(WebFacts {
                url: "https://example.com/".to_owned(),
                verdict: "clean".to_owned(),
                reachable: true,
                title: Some(title.to_owned()),
                signals: Vec::new(),
                footer: Vec::new(),
                tls: None,
            }),
        }
    }

    #[test]
    fn facts_of_checks_that_did_not_run_come_from_the_previous_observation() {
        let previous = observation("no_error", RegistrationObservation::NotRegistered, "old");
        let unknown = RegistrationObservation::Unknown {
            detail: "not looked up".to_owned(),
        };
        let mut current = observation("nx_domain", unknown, "new");
        carry_over(
            &mut current,
            Some(&previous),
            CheckSet::of(&[ScheduledCheck::Dns]),
        );
        let domain = &current.domains[0];
        assert_eq!(domain.registration, RegistrationObservation::NotRegistered);
        assert_eq!(
            domain.dns.as_ref().map(|d| d.rcode.as_str()),
            Some("nx_domain")
        );
        assert_eq!(
            current.web.as_ref().and_then(|w| w.title.as_deref()),
            Some("old")
        );
    }

    #[test]
    fn skipped_checks_neither_open_nor_resolve() {
        let held = Finding {
            id: 1,
            rule_id: "domain.expiring".to_owned(),
            site_id: 7,
            key: "example.com".to_owned(),
            severity: Severity::High,
            state: FindingState::Open,
            explanation_zh: "说明".to_owned(),
            explanation_en: "explanation".to_owned(),
            evidence: serde_json::json!({}),
            first_seen: Utc::now(),
            last_seen: Utc::now(),
            resolved_at: None,
            suppression: None,
        };
        let draft = |rule_id: &str| FindingDraft {
            rule_id: rule_id.to_owned(),
            site_id: 7,
            key: String::new(),
            severity: Severity::Low,
            explanation_zh: String::new(),
            explanation_en: String::new(),
            evidence: serde_json::json!({}),
        };
        let mut drafts = vec![
            draft("content.parked"),
            draft("dns.a_changed"),
            draft("psb.missing"),
        ];
        hold_skipped(&mut drafts, &[held], CheckSet::of(&[ScheduledCheck::Dns]));
        let rules: Vec<&str> = drafts.iter().map(|d| d.rule_id.as_str()).collect();
        assert_eq!(rules, ["dns.a_changed", "domain.expiring", "psb.missing"]);
        assert_eq!(check_of_rule(ids::DOMAIN_TLD_NOT_FILEABLE), None);
        assert_eq!(check_of_rule("tls.invalid"), Some(ScheduledCheck::Tls));
    }
}

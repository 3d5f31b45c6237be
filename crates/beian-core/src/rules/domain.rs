//! Domain rules, one finding per inventory domain: expiring, lapsed or re-registered while
//! an ICP filing is active (FACTS §4.3), TLD not fileable (§3), holder not the subject
//! (工信部信管〔2017〕264号).

use serde_json::{Value, json};

use super::{Drafts, RuleSettings, SiteView, ids, normalise_name};
use crate::facts::{RegistrationFacts, RegistrationObservation};
use crate::finding::Severity;
use crate::lifecycle::{DomainLifecycle, LifecyclePhase, assess};
use crate::model::Domain;

/// Registrant values that hide the holder (GDPR redaction, privacy services): they say
/// nothing about who holds the name, so they never count as a mismatch or a change.
const REDACTED_MARKERS: [&str; 11] = [
    "redacted",
    "privacy",
    "protected",
    "withheld",
    "not disclosed",
    "gdpr",
    "proxy",
    "隐私",
    "保密",
    "未公开",
    "不公开",
];

pub(super) fn judge(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    for domain in &site.facts.domains {
        let current = site.current_domain(&domain.name);
        let previous = site.previous_domain(&domain.name);
        // Lifecycle only from what a scan saw: an old spreadsheet date alone must not raise
        // a critical finding (and open a cancellation case).
        let lifecycle = current.map(|observation| {
            assess(
                &observation.registration,
                previous.map(|before| &before.registration),
                &domain.name,
                &settings.lifecycle,
                site.today(),
            )
        });
        let registration = current.and_then(|observation| match &observation.registration {
            RegistrationObservation::Registered(facts) => Some(facts),
            _ => None,
        });
        let previous_registration =
            previous.and_then(|observation| match &observation.registration {
                RegistrationObservation::Registered(facts) => Some(facts),
                _ => None,
            });
        expiring(
            site,
            settings,
            domain,
            lifecycle.as_ref(),
            registration,
            drafts,
        );
        if !site.icp_active.is_empty() {
            if let Some(lifecycle) = &lifecycle {
                lapsed(site, domain, lifecycle, registration, drafts);
            }
            reregistered(
                site,
                domain,
                lifecycle.as_ref(),
                registration,
                previous_registration,
                drafts,
            );
        }
        tld_not_fileable(site, settings, domain, drafts);
        holder_mismatch(site, domain, registration, drafts);
    }
}

fn expiring(
    site: &SiteView,
    settings: &RuleSettings,
    domain: &Domain,
    lifecycle: Option<&DomainLifecycle>,
    registration: Option<&RegistrationFacts>,
    drafts: &mut Drafts,
) {
    let phase = lifecycle.map_or(LifecyclePhase::Unknown, |lifecycle| lifecycle.phase);
    if !matches!(phase, LifecyclePhase::Active | LifecyclePhase::Unknown) {
        return;
    }
    let observed = lifecycle
        .filter(|lifecycle| lifecycle.phase == LifecyclePhase::Active)
        .and_then(|lifecycle| lifecycle.expires_on);
    let (expires_on, source) = match (observed, domain.expires_on) {
        (Some(date), _) => (
            date,
            registration.map_or("registry", |facts| facts.source.as_str()),
        ),
        (None, Some(date)) => (
            date,
            domain
                .expiry_source
                .map_or("inventory", |source| source.as_str()),
        ),
        (None, None) => return,
    };
    let days_left = (expires_on - site.today()).num_days();
    let Some(severity) = settings.expiry_severity(days_left) else {
        return;
    };
    let (_, timeline) = settings.lifecycle.timeline_for(&domain.name);
    let earliest = expires_on
        .checked_add_days(chrono::Days::new(timeline.earliest_drop_offset()))
        .unwrap_or(expires_on);
    let name = &domain.unicode_name;
    let filed_zh = if site.icp_active.is_empty() {
        String::new()
    } else {
        format!(
            "；该网站的 ICP 备案（{}）依赖此域名",
            site.icp_active_numbers().join("、")
        )
    };
    let filed_en = if site.icp_active.is_empty() {
        String::new()
    } else {
        format!(
            "; the site's ICP filing ({}) depends on it",
            site.icp_active_numbers().join(", ")
        )
    };
    drafts.push(
        ids::DOMAIN_EXPIRING,
        domain.name.clone(),
        severity,
        (
            format!(
                "域名 {name} 将于 {expires_on} 到期，还剩 {days_left} 天（来源：{source}）{filed_zh}。若不续费，最早 {earliest} 起他人即可注册。"
            ),
            format!(
                "Domain {name} expires on {expires_on}, in {days_left} days (source: {source}){filed_en}. If it is not renewed, a stranger could register it from {earliest}."
            ),
        ),
        json!({
            "domain": domain.name,
            "expires_on": expires_on,
            "days_left": days_left,
            "source": source,
            "thresholds": settings.expiry_days,
            "earliest_reregistration_if_not_renewed": earliest,
            "filings": site.icp_active_numbers(),
        }),
    );
}

fn registration_json(facts: Option<&RegistrationFacts>) -> Value {
    match facts {
        None => Value::Null,
        Some(facts) => json!({
            "source": facts.source,
            "created_on": facts.created_on,
            "expires_on": facts.expires_on,
            "updated_on": facts.updated_on,
            "statuses": facts.statuses,
            "registrar": facts.registrar,
            "registrant": facts.registrant,
            "nameservers": facts.nameservers,
        }),
    }
}

fn lapsed(
    site: &SiteView,
    domain: &Domain,
    lifecycle: &DomainLifecycle,
    registration: Option<&RegistrationFacts>,
    drafts: &mut Drafts,
) {
    if !lifecycle.phase.is_lapsed() {
        return;
    }
    let numbers = site.icp_active_numbers();
    // The lifecycle explanation already names the phase, the dates and the earliest
    // re-registration; this adds what it means for the filing.
    let (then_zh, then_en) = if lifecycle.phase == LifecyclePhase::Dropped {
        (
            "备案号随时可能挂在他人的网站上",
            "The filing number may hang on a stranger's site at any moment",
        )
    } else {
        (
            "届时备案号会挂在他人的网站上",
            "From then on the filing number would hang on a stranger's site",
        )
    };
    drafts.push(
        ids::DOMAIN_LAPSED_FILING_ACTIVE,
        domain.name.clone(),
        Severity::Critical,
        (
            format!(
                "ICP 备案 {} 仍然有效，但{}。{then_zh}；请续费，或在此之前注销备案。",
                numbers.join("、"),
                lifecycle.explanation_zh
            ),
            format!(
                "ICP filing {} is still active, but {}. {then_en}; renew the domain, or cancel the filing before then.",
                numbers.join(", "),
                lifecycle.explanation_en
            ),
        ),
        json!({
            "domain": domain.name,
            "phase": lifecycle.phase,
            "expires_on": lifecycle.expires_on,
            "days_since_expiry": lifecycle.days_since_expiry,
            "earliest_reregistration": lifecycle.earliest_reregistration,
            "timeline_key": lifecycle.timeline_key,
            "timeline": lifecycle.timeline,
            "registration": registration_json(registration),
            "filings": numbers,
        }),
    );
}

/// Case-insensitive (ASCII) search without allocating: the markers are ASCII or CJK.
fn is_redacted(value: &str) -> bool {
    let bytes = value.as_bytes();
    REDACTED_MARKERS.iter().any(|marker| {
        bytes
            .windows(marker.len())
            .any(|window| window.eq_ignore_ascii_case(marker.as_bytes()))
    })
}

/// A registrant worth comparing: present, not blank, not a privacy placeholder.
fn disclosed(registrant: Option<&str>) -> Option<&str> {
    registrant
        .map(str::trim)
        .filter(|value| !value.is_empty() && !is_redacted(value))
}

/// The names that may lawfully hold the domain: the subject, its principal, and the
/// holder recorded in the inventory (`holder`, normalised).
fn is_own(value: &str, site: &SiteView, holder: &str) -> bool {
    let value = normalise_name(value);
    site.is_subject_name(&value) || (!value.is_empty() && value == holder)
}

/// The earliest date the site is known to have existed under its filing: the first active
/// ICP filing date, else the go-live date.
fn earliest_site_date(site: &SiteView) -> Option<chrono::NaiveDate> {
    site.icp_active
        .iter()
        .filter_map(|filing| filing.filed_on)
        .chain(site.facts.website.go_live_on)
        .min()
}

fn reregistered(
    site: &SiteView,
    domain: &Domain,
    lifecycle: Option<&DomainLifecycle>,
    current: Option<&RegistrationFacts>,
    previous: Option<&RegistrationFacts>,
    drafts: &mut Drafts,
) {
    let subject = site.facts.subject.as_ref();
    let mut reasons_zh = Vec::new();
    let mut reasons_en = Vec::new();
    if let Some(lifecycle) =
        lifecycle.filter(|lifecycle| lifecycle.phase == LifecyclePhase::Reregistered)
    {
        reasons_zh.push(lifecycle.explanation_zh.clone());
        reasons_en.push(lifecycle.explanation_en.clone());
    }
    let before = previous.and_then(|facts| disclosed(facts.registrant.as_deref()));
    let now = current.and_then(|facts| disclosed(facts.registrant.as_deref()));
    if let (Some(before), Some(now)) = (before, now)
        && before != now
        && is_own(before, site, &normalise_name(&domain.holder))
        && !is_own(now, site, &normalise_name(&domain.holder))
    {
        reasons_zh.push(format!("注册人由本主体（{before}）变为 {now}"));
        reasons_en.push(format!(
            "the registrant changed from the subject ({before}) to {now}"
        ));
    }
    // The dates alone can prove it, with or without an earlier scan to compare with: a name
    // created after the site was filed (or went live) cannot be the name that was filed, and
    // a stranger holds it. (Tied to no earlier scan, so the finding does not flap.)
    if let Some(facts) = current
        && let (Some(created), Some(now)) = (facts.created_on, now)
        && let Some(filed) = earliest_site_date(site)
        && created > filed
        && !is_own(now, site, &normalise_name(&domain.holder))
    {
        reasons_zh.push(format!(
            "注册日期 {created} 晚于备案或上线日期 {filed}，注册人为 {now}"
        ));
        reasons_en.push(format!(
            "it was created on {created}, after the site was filed or went live ({filed}), and {now} holds it"
        ));
    }
    if reasons_zh.is_empty() {
        return;
    }
    let numbers = site.icp_active_numbers();
    let name = &domain.unicode_name;
    drafts.push(
        ids::DOMAIN_REREGISTERED_FILING_ACTIVE,
        domain.name.clone(),
        Severity::Critical,
        (
            format!(
                "域名 {name} 已被他人注册：{}。ICP 备案 {} 仍然有效，备案号可能正被他人的网站使用，请立即注销备案并保存证据。",
                reasons_zh.join("；"),
                numbers.join("、")
            ),
            format!(
                "Domain {name} has been registered by someone else: {}. ICP filing {} is still active and may now cover a stranger's site; cancel it now and keep the evidence.",
                reasons_en.join("; "),
                numbers.join(", ")
            ),
        ),
        json!({
            "domain": domain.name,
            "previous": registration_json(previous),
            "current": registration_json(current),
            "inventory_holder": domain.holder,
            "subject": subject.map(|subject| subject.name.as_str()),
            "filings": numbers,
        }),
    );
}

fn tld_not_fileable(
    site: &SiteView,
    settings: &RuleSettings,
    domain: &Domain,
    drafts: &mut Drafts,
) {
    let name = domain.name.trim_end_matches('.');
    let tld = name.rsplit('.').next().unwrap_or(name);
    if tld.is_empty() || settings.fileable_tlds.contains(tld) {
        return;
    }
    let unicode_tld = domain
        .unicode_name
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or(tld);
    let (legacy_zh, legacy_en) = if site.icp_active.is_empty() {
        ("", "")
    } else {
        (
            "现有备案可能是历史遗留，注销后无法以此后缀重新备案。",
            " An existing legacy filing may stay, but it cannot be filed again once cancelled.",
        )
    };
    drafts.push(
        ids::DOMAIN_TLD_NOT_FILEABLE,
        domain.name.clone(),
        Severity::Medium,
        (
            format!(
                "域名 {} 的后缀 .{unicode_tld} 不在可备案后缀名单中（名单可能已过时，请到 domain.miit.gov.cn 核对）。{legacy_zh}",
                domain.unicode_name
            ),
            format!(
                "The TLD .{unicode_tld} of {} is not on the list of TLDs approved for filing (the list may be outdated; check domain.miit.gov.cn).{legacy_en}",
                domain.unicode_name
            ),
        ),
        json!({
            "domain": domain.name,
            "tld": tld,
            "filings": site.icp_active_numbers(),
        }),
    );
}

fn holder_mismatch(
    site: &SiteView,
    domain: &Domain,
    registration: Option<&RegistrationFacts>,
    drafts: &mut Drafts,
) {
    let Some(subject) = site.facts.subject.as_ref() else {
        return;
    };
    let observed = registration.and_then(|facts| disclosed(facts.registrant.as_deref()));
    let (holder, source) = match observed {
        Some(registrant) => (
            registrant,
            registration.map_or("registry", |facts| facts.source.as_str()),
        ),
        None => match disclosed(Some(domain.holder.as_str())) {
            Some(holder) => (holder, "inventory"),
            None => return,
        },
    };
    if site.is_subject_name(&normalise_name(holder)) {
        return;
    }
    drafts.push(
        ids::DOMAIN_HOLDER_MISMATCH,
        domain.name.clone(),
        Severity::Medium,
        (
            format!(
                "域名 {} 的持有者为“{holder}”（来源：{source}），与备案主体“{}”不一致。备案要求域名由主体本身（或其股东、负责人、高级管理人员）持有。",
                domain.unicode_name, subject.name
            ),
            format!(
                "Domain {} is held by \"{holder}\" (source: {source}), not by the filing subject \"{}\". Filings need the domain held by the subject (or its shareholder, principal or senior manager).",
                domain.unicode_name, subject.name
            ),
        ),
        json!({
            "domain": domain.name,
            "holder": holder,
            "source": source,
            "subject": subject.name,
            "principal": subject.principal,
        }),
    );
}

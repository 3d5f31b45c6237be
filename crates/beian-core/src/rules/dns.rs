//! DNS rules: dangling records anyone could take over (FACTS §7.5), and NS or address
//! records that changed since the previous scan (or left the filed server addresses).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{Value, json};

use super::{Drafts, RuleSettings, SiteView, ids, parse_ips};
use crate::facts::DomainObservation;
use crate::finding::Severity;

pub(super) fn judge(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    takeover(site, settings, drafts);
    ns_changed(site, drafts);
    a_changed(site, drafts);
}

/// Why one host is at risk, in both languages, with the evidence of each reason.
#[derive(Default)]
struct Reasons {
    zh: Vec<String>,
    en: Vec<String>,
    evidence: Vec<Value>,
}

fn takeover(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    // Merged by host so one host gives one finding.
    let mut hosts: BTreeMap<String, Reasons> = BTreeMap::new();
    if let Some(observation) = site.current() {
        for domain in &observation.domains {
            let Some(dns) = &domain.dns else { continue };
            if dns.rcode != "nx_domain" || dns.cname_chain.is_empty() {
                continue;
            }
            let chain = dns.cname_chain.join(" → ");
            let target = dns.cname_chain.last().map_or("", String::as_str);
            let entry = hosts.entry(domain.name.clone()).or_default();
            entry.zh.push(format!(
                "CNAME 链 {chain} 的终点 {target} 不存在（NXDOMAIN）"
            ));
            entry.en.push(format!(
                "the CNAME chain {chain} ends at {target}, which does not exist (NXDOMAIN)"
            ));
            entry.evidence.push(json!({
                "source": "dns",
                "host": domain.name,
                "cname_chain": dns.cname_chain,
                "rcode": dns.rcode,
            }));
        }
    }
    if let Some(web) = site.web() {
        let strongest = web
            .signals
            .iter()
            .filter(|signal| {
                signal.technique == "takeover"
                    && signal.confidence >= settings.content_min_confidence
            })
            .max_by(|a, b| {
                a.confidence
                    .total_cmp(&b.confidence)
                    .then_with(|| b.kind.cmp(&a.kind))
            });
        if let (Some(signal), Some(host)) = (strongest, site.site_host()) {
            let entry = hosts.entry(host.to_owned()).or_default();
            entry
                .zh
                .push(format!("检测器：{}（{}）", signal.explanation, signal.kind));
            entry.en.push(format!(
                "detector: {} ({})",
                signal.explanation, signal.kind
            ));
            entry.evidence.push(json!({
                "source": "detector",
                "kind": signal.kind,
                "confidence": format!("{:.2}", signal.confidence),
                "explanation": signal.explanation,
                "snippets": signal.snippets.iter().take(5).collect::<Vec<_>>(),
            }));
        }
    }
    for (host, Reasons { zh, en, evidence }) in hosts {
        drafts.push(
            ids::DNS_TAKEOVER_RISK,
            host.clone(),
            Severity::Critical,
            (
                format!(
                    "{host} 存在悬空解析，他人可能接管并以本站备案号发布内容：{}。",
                    zh.join("；")
                ),
                format!(
                    "{host} has dangling DNS that someone else could claim and serve content under this site's filing: {}.",
                    en.join("; ")
                ),
            ),
            json!({ "host": host, "evidence": evidence }),
        );
    }
}

/// NS of an observation, sorted: from DNS when it answered, else from the registry.
fn nameservers(observation: &DomainObservation, from_dns: bool) -> Vec<String> {
    let list = if from_dns {
        observation
            .dns
            .as_ref()
            .map(|dns| dns.nameservers.as_slice())
    } else {
        match &observation.registration {
            crate::facts::RegistrationObservation::Registered(facts) => {
                Some(facts.nameservers.as_slice())
            }
            _ => None,
        }
    };
    let mut names: Vec<String> = list
        .unwrap_or_default()
        .iter()
        .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The registrable domain of a host (`www.example.com.cn` → `example.com.cn`).
fn registrable(host: &str) -> String {
    psl::domain_str(host).unwrap_or(host).to_owned()
}

fn ns_changed(site: &SiteView, drafts: &mut Drafts) {
    let (Some(current), Some(previous)) = (site.current(), site.previous()) else {
        return;
    };
    // Several hosts of one domain share its NS: key by the registrable domain.
    let mut changed: BTreeMap<String, (Vec<String>, Vec<String>, &'static str)> = BTreeMap::new();
    for now in &current.domains {
        let Some(before) = previous.domain(&now.name) else {
            continue;
        };
        for (from_dns, source) in [(true, "dns"), (false, "registry")] {
            let (old, new) = (nameservers(before, from_dns), nameservers(now, from_dns));
            if old.is_empty() || new.is_empty() {
                continue;
            }
            if old != new {
                changed
                    .entry(registrable(&now.name))
                    .or_insert((old, new, source));
            }
            // The DNS answer is the better witness; the registry is only the fallback.
            break;
        }
    }
    for (domain, (old, new, source)) in changed {
        drafts.push(
            ids::DNS_NS_CHANGED,
            domain.clone(),
            Severity::High,
            (
                format!(
                    "{domain} 的域名服务器由 {} 变为 {}（来源：{source}，上次检查 {}）。",
                    old.join("、"),
                    new.join("、"),
                    previous.observed_at.format("%Y-%m-%d %H:%M UTC")
                ),
                format!(
                    "The nameservers of {domain} changed from {} to {} (source: {source}; previous check {}).",
                    old.join(", "),
                    new.join(", "),
                    previous.observed_at.format("%Y-%m-%d %H:%M UTC")
                ),
            ),
            json!({
                "domain": domain,
                "previous": old,
                "current": new,
                "source": source,
                "previous_observed_at": previous.observed_at,
                "current_observed_at": current.observed_at,
            }),
        );
    }
}

fn sorted(addresses: &[IpAddr]) -> Vec<IpAddr> {
    let mut list = addresses.to_vec();
    list.sort();
    list.dedup();
    list
}

fn join(addresses: &[IpAddr], separator: &str) -> String {
    addresses
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

fn disjoint(a: &[IpAddr], b: &[IpAddr]) -> bool {
    !a.iter().any(|address| b.contains(address))
}

fn a_changed(site: &SiteView, drafts: &mut Drafts) {
    let Some(current) = site.current() else {
        return;
    };
    let server_ips = parse_ips(&site.facts.website.server_ips);
    let site_host = site.site_host();
    let host_observed = site_host.is_some_and(|host| current.domain(host).is_some());
    for now in &current.domains {
        let Some(dns) = &now.dns else { continue };
        let addresses = sorted(&dns.addresses);
        if addresses.is_empty() {
            continue;
        }
        let mut zh = Vec::new();
        let mut en = Vec::new();
        let mut previous_addresses = Value::Null;
        // Only a complete change counts: CDNs rotate some addresses all the time.
        let before = site
            .previous()
            .and_then(|previous| previous.domain(&now.name))
            .and_then(|before| before.dns.as_ref())
            .map(|dns| sorted(&dns.addresses))
            .filter(|old| !old.is_empty());
        if let Some(old) = before.filter(|old| disjoint(&addresses, old)) {
            zh.push(format!(
                "由 {} 变为 {}",
                join(&old, "、"),
                join(&addresses, "、")
            ));
            en.push(format!(
                "changed from {} to {}",
                join(&old, ", "),
                join(&addresses, ", ")
            ));
            previous_addresses = json!(old);
        }
        // The filed server addresses apply to the site's own host (or every observed name
        // when the host itself was not observed).
        let is_site_host = !host_observed || site_host == Some(now.name.as_str());
        if is_site_host && !server_ips.is_empty() && disjoint(&addresses, &server_ips) {
            zh.push(format!(
                "不在登记的服务器地址 {} 之中",
                join(&server_ips, "、")
            ));
            en.push(format!(
                "none is among the recorded server addresses {}",
                join(&server_ips, ", ")
            ));
        }
        if zh.is_empty() {
            continue;
        }
        drafts.push(
            ids::DNS_A_CHANGED,
            now.name.clone(),
            Severity::Medium,
            (
                format!(
                    "{} 的解析地址 {}：{}。",
                    now.name,
                    join(&addresses, "、"),
                    zh.join("；")
                ),
                format!(
                    "The addresses of {} ({}): {}.",
                    now.name,
                    join(&addresses, ", "),
                    en.join("; ")
                ),
            ),
            json!({
                "host": now.name,
                "current": addresses,
                "previous": previous_addresses,
                "server_ips": server_ips,
            }),
        );
    }
}

//! Port-43 WHOIS answers: a table-driven parser (CNNIC included), "not registered" detection
//! and referral discovery.
//!
//! [`parse_whois`] is total: any text gives a [`WhoisParse`], in time linear in its length.
//! The tables (field names per meaning, section titles, per-TLD zones and overrides, absence
//! phrases) live in `table`; the one engine that reads them in `engine`; timestamps in `date`.
//!
//! Choices worth knowing:
//! * Registry and registrar expiry: `Registry Expiry Date` (thin registry record) wins over the
//!   registrar's `Registrar Registration Expiration Date`; the latter is kept in
//!   `registrar_expires_at` and used as `expires_at` only when the registry's is absent.
//! * Zone-less timestamps take the TLD's zone (Beijing time for .cn/.中国), else UTC — see
//!   `table::TLD_PROFILES`.
//! * An answer that carries registration data counts as registered even if it also contains a
//!   "not found" phrase (a warning says so); a "no match" answer carries none.

mod date;
mod engine;
mod table;

pub mod client;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::registration::{RecordSource, RegistrationRecord, is_placeholder};
use date::{DateContext, parse_timestamp};
use engine::{Engine, Findings, MAX_LIST};
use table::{DEFAULT_PROFILE, SERVER_TLDS, TldProfile, UNICODE_TLDS, normalise_key, profile_for};

/// What a WHOIS answer says about the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhoisOutcome {
    /// The registry holds the name.
    Registered,
    /// "No match": the name is free.
    NotRegistered,
    /// Not registered and not registrable (reserved, prohibited).
    Reserved,
    /// The server refused to answer because of its rate limit; ask again later.
    RateLimited,
    /// Neither registration data nor a known "no match" phrase: treat as unknown.
    Unrecognised,
}

/// The result of reading one WHOIS answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoisParse {
    pub outcome: WhoisOutcome,
    /// `record.registered` is true exactly when `outcome` is [`WhoisOutcome::Registered`].
    pub record: RegistrationRecord,
    /// The next server to ask (`Registrar WHOIS Server:`, `refer:`, `whois:`), when the answer
    /// names one other than `server` itself; `host` or `host:port`, lower case.
    pub referral: Option<String>,
    /// The TLD (A-label) whose profile was used, if known.
    pub tld: Option<String>,
}

/// Most warnings kept per answer, so a hostile answer cannot grow the record.
const MAX_WARNINGS: usize = 8;
/// Lines looked at to find the domain when the caller gave neither domain nor server.
const PRESCAN_LINES: usize = 400;

/// Reads a WHOIS answer. `server` is the host that gave it and `domain` the name asked for;
/// both only help (TLD profile, self-referral); the parser works without them.
pub fn parse_whois(text: &str, server: Option<&str>, domain: Option<&str>) -> WhoisParse {
    let tld = domain
        .and_then(tld_of)
        .or_else(|| server.and_then(tld_of_server))
        .or_else(|| prescan_tld(text));
    let profile = tld.as_deref().map_or(&DEFAULT_PROFILE, profile_for);
    let findings = Engine::new(profile, server).run(text);
    let mut parse = assemble(findings, profile);
    parse.record.server = server.map(|host| host.trim().to_lowercase());
    if parse.record.domain.is_none() {
        parse.record.domain = domain.map(|name| name.trim().trim_end_matches('.').to_lowercase());
    }
    parse.tld = tld;
    parse
}

/// Decodes raw port-43 bytes: UTF-8 when valid (BOM dropped), else GB18030, the superset of
/// GBK that Chinese registrars answer in. Never fails: undecodable bytes become U+FFFD.
pub fn decode_whois_bytes(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The TLD of a domain as an A-label, lower case (`你好.中国` → `xn--fiqs8s`).
pub(crate) fn tld_of(domain: &str) -> Option<String> {
    let label = domain
        .trim()
        .trim_end_matches('.')
        .rsplit('.')
        .next()?
        .trim();
    if label.is_empty() {
        return None;
    }
    let lower = label.to_lowercase();
    let mapped = UNICODE_TLDS
        .iter()
        .find(|(unicode, _)| *unicode == lower)
        .map_or(lower, |(_, ascii)| (*ascii).to_owned());
    Some(mapped)
}

fn tld_of_server(server: &str) -> Option<String> {
    let server = server.trim().trim_end_matches('.');
    SERVER_TLDS
        .iter()
        .find(|(host, _)| host.eq_ignore_ascii_case(server))
        .map(|(_, tld)| (*tld).to_owned())
}

/// Finds the TLD from the answer itself: its `Domain Name:` line, or CNNIC's `ROID: …-cn`.
fn prescan_tld(text: &str) -> Option<String> {
    for line in text.lines().take(PRESCAN_LINES) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() || key.len() > 40 {
            continue;
        }
        match normalise_key(key).as_str() {
            "domain name" | "domain" => {
                if let Some(name) = value.split_whitespace().next()
                    && name.contains('.')
                {
                    return tld_of(name);
                }
            }
            "roid" if value.to_ascii_lowercase().ends_with("-cn") => return Some("cn".to_owned()),
            _ => {}
        }
    }
    None
}

fn assemble(found: Findings<'_>, profile: &TldProfile) -> WhoisParse {
    let mut record = RegistrationRecord::empty(RecordSource::Whois);
    let mut warnings = Vec::new();
    let context = DateContext {
        zone: FixedOffset::east_opt(profile.zone_seconds).unwrap_or(utc()),
        day_first: profile.day_first,
    };
    let mut read = |slot: Option<(&str, &str)>| -> Option<DateTime<FixedOffset>> {
        let (key, value) = slot?;
        let parsed = parse_timestamp(value, context);
        if parsed.is_none() && warnings.len() < MAX_WARNINGS {
            let shown: String = value.chars().take(64).collect();
            warnings.push(format!(
                "无法识别的日期 / unreadable date in `{key}`: {shown}"
            ));
        }
        parsed
    };
    let registry_expiry = read(found.expiry.map(|(_, key, value)| (key, value)));
    record.registrar_expires_at = read(found.registrar_expiry);
    record.created_at = read(found.created);
    record.updated_at = read(found.updated);
    record.expires_at = registry_expiry.or(record.registrar_expires_at);

    record.registrar = found.registrar.or(found.registrar_handle);
    record.registrant = found
        .registrant_organisation
        .or(found.registrant_name)
        .or_else(|| {
            let handle = found.registrant_handle.as_deref()?;
            let contact = found
                .contacts
                .iter()
                .find(|contact| contact.handle.eq_ignore_ascii_case(handle))?;
            contact
                .organisation
                .clone()
                .or_else(|| contact.name.clone())
        })
        .or(found.loose_organisation)
        .filter(|name| !is_placeholder(name));
    record.domain = found.domain;

    let has_data = record.expires_at.is_some()
        || record.created_at.is_some()
        || record.registrar.is_some()
        || record.registrant.is_some()
        || !found.nameservers.is_empty();
    let outcome = match (has_data, found.absence) {
        (true, absence) => {
            if absence.is_some() && warnings.len() < MAX_WARNINGS {
                warnings.push(
                    "答复同时含有“未找到”字样与注册数据，按已注册处理 / the answer has both a \
                     \"not found\" phrase and registration data; read as registered"
                        .to_owned(),
                );
            }
            WhoisOutcome::Registered
        }
        (false, Some(absence)) => absence,
        (false, None) if record.domain.is_some() && !found.statuses.is_empty() => {
            WhoisOutcome::Registered
        }
        (false, None) => WhoisOutcome::Unrecognised,
    };
    if found.lists_truncated && warnings.len() < MAX_WARNINGS {
        warnings.push(format!(
            "状态或域名服务器超过 {MAX_LIST} 个，其余已略去 / more than {MAX_LIST} statuses or name servers; the rest were dropped"
        ));
    }
    record.registered = outcome == WhoisOutcome::Registered;
    if record.registered {
        record.statuses = found.statuses;
        record.nameservers = found.nameservers;
    } else {
        // A "no match" answer's fields (`Domain Status: No Object Found`) describe nothing.
        record.created_at = None;
        record.expires_at = None;
        record.updated_at = None;
        record.registrar_expires_at = None;
    }
    record.warnings = warnings;
    WhoisParse {
        outcome,
        record,
        referral: found.referral,
        tld: None,
    }
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("a zero offset is always in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CNNIC: &str = "Domain Name: example.cn\nROID: 20030311s10001s00033735-cn\n\
        Domain Status: clientDeleteProhibited\nRegistrant: 北京某某科技有限公司\n\
        Sponsoring Registrar: 厦门易名科技股份有限公司\nName Server: NS1.Example.CN.\n\
        Registration Time: 2003-03-17 12:20:05\nExpiration Time: 2021-03-17 12:48:36\n";

    #[test]
    fn cnnic_times_are_beijing_time_even_without_hints() {
        let parse = parse_whois(CNNIC, None, None);
        assert_eq!(parse.outcome, WhoisOutcome::Registered);
        assert_eq!(parse.tld.as_deref(), Some("cn"));
        let expires = parse.record.expires_at.map(|t| t.to_rfc3339());
        assert_eq!(expires.as_deref(), Some("2021-03-17T12:48:36+08:00"));
        assert_eq!(
            parse.record.registrar.as_deref(),
            Some("厦门易名科技股份有限公司")
        );
        assert_eq!(
            parse.record.registrant.as_deref(),
            Some("北京某某科技有限公司")
        );
        assert_eq!(parse.record.nameservers, vec!["ns1.example.cn"]);
        assert_eq!(parse.record.statuses, vec!["clientDeleteProhibited"]);
    }

    #[test]
    fn cnnic_absence_and_reservation() {
        let free = parse_whois(
            "No matching record.\n",
            Some("whois.cnnic.cn"),
            Some("x.cn"),
        );
        assert_eq!(free.outcome, WhoisOutcome::NotRegistered);
        assert!(!free.record.registered);
        let reserved = parse_whois(
            "The domain you requested is prohibited.\n",
            Some("cwhois.cnnic.cn"),
            None,
        );
        assert_eq!(reserved.outcome, WhoisOutcome::Reserved);
    }

    #[test]
    fn registry_expiry_wins_and_registrar_expiry_is_kept() {
        let text = "Domain Name: X.COM\nRegistrar WHOIS Server: whois.registrar.example\n\
            Registry Expiry Date: 2022-07-12T15:48:26Z\n\
            Registrar Registration Expiration Date: 2022-07-13T00:00:00-0700\nRegistrar: R Inc.\n";
        let parse = parse_whois(text, Some("whois.verisign-grs.com"), Some("x.com"));
        let record = &parse.record;
        assert_eq!(
            record.expires_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2022-07-12T15:48:26+00:00")
        );
        assert_eq!(
            record
                .registrar_expires_at
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2022-07-13T00:00:00-07:00")
        );
        assert_eq!(parse.referral.as_deref(), Some("whois.registrar.example"));
    }

    #[test]
    fn self_referral_is_not_a_referral() {
        let text =
            "Domain Name: a.au\nRegistrar WHOIS Server: whois.auda.org.au\nRegistrar Name: R\n";
        assert_eq!(
            parse_whois(text, Some("whois.auda.org.au"), None).referral,
            None
        );
    }

    #[test]
    fn gbk_bytes_decode() {
        let (bytes, _, _) = encoding_rs::GBK.encode("注册商: 厦门易名");
        assert_eq!(decode_whois_bytes(&bytes), "注册商: 厦门易名");
        assert_eq!(decode_whois_bytes("plain ✓".as_bytes()), "plain ✓");
        assert_eq!(decode_whois_bytes(b"\xEF\xBB\xBFx"), "x");
    }

    #[test]
    fn empty_and_junk_are_unrecognised() {
        assert_eq!(
            parse_whois("", None, None).outcome,
            WhoisOutcome::Unrecognised
        );
        assert_eq!(
            parse_whois(":::\n[\n]\t\n", None, None).outcome,
            WhoisOutcome::Unrecognised
        );
    }
}

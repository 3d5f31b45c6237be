//! The registration record: what RDAP and WHOIS say about a domain, in one stable shape.
//!
//! # JSON shape (stable interface; `beian inspect` prints it and scripts read it)
//!
//! The first eight keys are fixed, in this order:
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `registered` | bool | the registry holds the name (false for "no match", reserved or unreadable answers) |
//! | `created_at` | string or null | RFC 3339 with offset, e.g. `2003-03-17T12:20:05+08:00` |
//! | `expires_at` | string or null | registry expiry; the registrar's expiry only when the registry's is absent |
//! | `updated_at` | string or null | last change of the registration |
//! | `registrar` | string or null | sponsoring registrar's name |
//! | `registrant` | string or null | organisation, else name; never a redaction placeholder |
//! | `statuses` | list of strings | EPP names (`clientTransferProhibited`, `pendingDelete`, `redemptionPeriod`, `serverHold`…); RDAP's RFC 8056 strings mapped to them; unknown values verbatim |
//! | `nameservers` | list of strings | lower case, no trailing dot, in answer order, no duplicates |
//!
//! Further keys follow and may grow: `domain`, `source` (`"whois"`/`"rdap"`), `server`,
//! `registrar_expires_at` (the registrar's own expiry when the answer carries it) and
//! `warnings` (what the parser could not read).
//!
//! Offsets: an explicit offset in the answer is kept; zone-less WHOIS timestamps get the
//! per-TLD zone documented in `whois::table` (Beijing time for CNNIC), else UTC.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::{Deserialize, Serialize, Serializer};

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordSource {
    Whois,
    Rdap,
}

/// Registration data of one domain. See the module documentation for the JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRecord {
    pub registered: bool,
    #[serde(serialize_with = "serialize_instant")]
    pub created_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "serialize_instant")]
    pub expires_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "serialize_instant")]
    pub updated_at: Option<DateTime<FixedOffset>>,
    pub registrar: Option<String>,
    pub registrant: Option<String>,
    pub statuses: Vec<String>,
    pub nameservers: Vec<String>,
    pub domain: Option<String>,
    pub source: RecordSource,
    pub server: Option<String>,
    #[serde(serialize_with = "serialize_instant")]
    pub registrar_expires_at: Option<DateTime<FixedOffset>>,
    pub warnings: Vec<String>,
}

impl RegistrationRecord {
    /// An empty record from `source`: not registered, nothing known.
    pub fn empty(source: RecordSource) -> Self {
        RegistrationRecord {
            registered: false,
            created_at: None,
            expires_at: None,
            updated_at: None,
            registrar: None,
            registrant: None,
            statuses: Vec::new(),
            nameservers: Vec::new(),
            domain: None,
            source,
            server: None,
            registrar_expires_at: None,
            warnings: Vec::new(),
        }
    }
}

/// RFC 3339 with the answer's own offset; `Z` for UTC, fractional seconds only when present.
fn serialize_instant<S: Serializer>(
    value: &Option<DateTime<FixedOffset>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(instant) => {
            serializer.serialize_str(&instant.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        None => serializer.serialize_none(),
    }
}

/// EPP status names (RFC 5731 §2.3, RFC 3915 §3.1) in their canonical spelling.
const EPP_STATUSES: &[&str] = &[
    "ok",
    "inactive",
    "linked",
    "clientDeleteProhibited",
    "clientHold",
    "clientRenewProhibited",
    "clientTransferProhibited",
    "clientUpdateProhibited",
    "serverDeleteProhibited",
    "serverHold",
    "serverRenewProhibited",
    "serverTransferProhibited",
    "serverUpdateProhibited",
    "pendingCreate",
    "pendingDelete",
    "pendingRenew",
    "pendingRestore",
    "pendingTransfer",
    "pendingUpdate",
    "addPeriod",
    "autoRenewPeriod",
    "renewPeriod",
    "transferPeriod",
    "redemptionPeriod",
];

/// RFC 8056 §2 RDAP status strings whose words differ from the EPP name.
/// ("client hold" and the like need no entry: dropping the spaces already gives the EPP name.)
const RDAP_STATUS_ALIASES: &[(&str, &str)] = &[("active", "ok"), ("associated", "linked")];

/// Normalises one status value: EPP names in canonical case, RFC 8056 strings mapped to the
/// EPP name, anything else verbatim (trimmed). Returns None for an empty value.
pub fn normalise_status(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let squeezed: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    for (rdap, epp) in RDAP_STATUS_ALIASES {
        if squeezed == *rdap {
            return Some((*epp).to_owned());
        }
    }
    if let Some(epp) = EPP_STATUSES
        .iter()
        .find(|name| name.eq_ignore_ascii_case(&squeezed))
    {
        return Some((*epp).to_owned());
    }
    Some(trimmed.to_owned())
}

/// True for a canonical EPP status name (as [`normalise_status`] returns them).
pub fn is_epp_status(status: &str) -> bool {
    EPP_STATUSES.contains(&status)
}

/// A host name as listed: lower case, no trailing dot. None if it is not a plausible host name
/// (empty, an IP address, or characters a host name cannot have).
pub fn normalise_nameserver(raw: &str) -> Option<String> {
    let host = raw.trim().trim_end_matches('.');
    if host.is_empty() || host.len() > 253 || !host.contains('.') {
        return None;
    }
    let plausible = host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let ipv4 = host.chars().all(|c| c.is_ascii_digit() || c == '.');
    if !plausible || ipv4 {
        return None;
    }
    Some(host.to_lowercase())
}

/// Redaction and privacy placeholders that must never be reported as the registrant.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "redacted",
    "privacy",
    "not disclosed",
    "data protected",
    "withheld",
    "gdpr",
    "not displayed",
    "hidden",
    "not shown",
    "non-public",
    "private person",
    "private registrant",
    "ano nymous",
    "statutory masking",
    "contact privacy",
    "whois agent",
    "n/a",
];

/// True when `value` is a redaction or privacy placeholder rather than a real holder.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.trim().to_lowercase();
    lower.is_empty()
        || lower == "-"
        || lower == "none"
        || PLACEHOLDER_MARKERS
            .iter()
            .any(|marker| lower.contains(marker))
}

/// Appends `item` unless already present; keeps at most `cap` items so hostile answers stay bounded.
pub(crate) fn push_unique(list: &mut Vec<String>, item: String, cap: usize) -> bool {
    if list.len() >= cap {
        return false;
    }
    if !list.contains(&item) {
        list.push(item);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_normalise_to_epp_names() {
        assert_eq!(
            normalise_status("client transfer prohibited").as_deref(),
            Some("clientTransferProhibited")
        );
        assert_eq!(
            normalise_status("redemption period").as_deref(),
            Some("redemptionPeriod")
        );
        assert_eq!(
            normalise_status("PENDINGDELETE").as_deref(),
            Some("pendingDelete")
        );
        assert_eq!(normalise_status("active").as_deref(), Some("ok"));
        assert_eq!(
            normalise_status("server hold").as_deref(),
            Some("serverHold")
        );
        assert_eq!(
            normalise_status("transfer prohibited").as_deref(),
            Some("transfer prohibited")
        );
        assert_eq!(normalise_status("  "), None);
    }

    #[test]
    fn nameservers_are_lowercased_without_trailing_dot() {
        assert_eq!(
            normalise_nameserver("NS1.Google.COM.").as_deref(),
            Some("ns1.google.com")
        );
        assert_eq!(normalise_nameserver("203.119.25.1"), None);
        assert_eq!(normalise_nameserver("localhost"), None);
        assert_eq!(normalise_nameserver("a b.com"), None);
    }

    #[test]
    fn placeholders_are_recognised() {
        assert!(is_placeholder("REDACTED FOR PRIVACY"));
        assert!(is_placeholder("Not Disclosed - Visit www.internet.ee"));
        assert!(!is_placeholder("北京谷翔信息技术有限公司"));
        assert!(!is_placeholder("Google LLC"));
    }

    #[test]
    fn json_has_the_documented_keys_in_order() {
        let mut record = RegistrationRecord::empty(RecordSource::Whois);
        record.expires_at = DateTime::parse_from_rfc3339("2021-03-17T12:48:36+08:00").ok();
        let json = serde_json::to_string(&record).expect("a record always serialises");
        assert!(json.starts_with(
            r#"{"registered":false,"created_at":null,"expires_at":"2021-03-17T12:48:36+08:00","updated_at":null,"registrar":null,"registrant":null,"statuses":[],"nameservers":[]"#
        ));
        let back: RegistrationRecord = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, record);
    }
}

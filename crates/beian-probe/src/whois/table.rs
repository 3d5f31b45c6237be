//! The data behind the WHOIS parser: field names per meaning, section titles, per-TLD
//! profiles (zone, date order, field overrides) and the "no such domain" phrases.
//!
//! Keys are compared after [`normalise_key`]: lower case, single spaces, `_` as a space, no
//! `[]` brackets, no parenthesised remarks, no trailing dots (`expires............` →
//! `expires`), no `a. ` enumeration prefix (JPRS).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::WhoisOutcome;

/// What a field means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    DomainName,
    Created,
    Updated,
    /// Registry expiry; among several, the lowest rank wins, then the first seen.
    Expiry(u8),
    /// The registrar's own expiry (ICANN registrar records); kept apart from the registry's.
    RegistrarExpiry,
    Registrar,
    RegistrantOrganisation,
    RegistrantName,
    /// Generic `organisation:` / `org:` outside any contact section: the holder in RIPE-like
    /// answers (.ru, IANA), weaker than any registrant-specific field.
    LooseOrganisation,
    /// A handle naming the registrant's contact object (`holder-c:`), resolved via `nic-hdl:`.
    RegistrantHandle,
    /// Names a contact object in RIPE-like answers (`nic-hdl:`).
    ContactHandle,
    /// A person's or organisation's name inside a contact object (`person:`, `contact:`).
    ContactName,
    Status,
    Nameserver,
    Referral,
    /// Deliberately not read (a per-TLD override that shadows a global synonym).
    Ignored,
}

use Meaning::*;

/// Field names valid everywhere, per meaning.
pub(crate) const GLOBAL_KEYS: &[(&str, Meaning)] = &[
    // domain
    ("domain name", DomainName),
    ("domain", DomainName),
    // registry expiry, best first
    ("registry expiry date", Expiry(0)),
    ("registry expiration date", Expiry(0)),
    ("expiration time", Expiry(1)), // CNNIC
    ("expiry date", Expiry(1)),
    ("expiration date", Expiry(1)),
    ("expire date", Expiry(1)),
    ("expiry", Expiry(1)),
    ("expires", Expiry(1)),
    ("expires on", Expiry(1)),
    ("expire", Expiry(1)),
    ("expire-date", Expiry(1)),
    ("expired", Expiry(1)),
    ("expires at", Expiry(1)),
    ("expiration", Expiry(1)),
    ("domain expires", Expiry(1)),
    ("domain expiration date", Expiry(1)),
    ("paid-till", Expiry(1)),
    ("renewal date", Expiry(1)), // NASK .pl; "option expiration date" is something else
    ("valid until", Expiry(1)),
    ("validity", Expiry(1)),
    ("record will expire on", Expiry(1)),
    ("record expires on", Expiry(1)),
    ("domain record expires", Expiry(1)),
    ("registrar registration expiration date", RegistrarExpiry),
    ("registrar expiration date", RegistrarExpiry),
    // creation
    ("creation date", Created),
    ("created", Created),
    ("created on", Created),
    ("created date", Created),
    ("registration time", Created), // CNNIC
    ("registration date", Created),
    ("registered", Created),
    ("registered on", Created),
    ("registered date", Created),
    ("record created", Created),
    ("record created on", Created),
    ("domain created", Created),
    ("domain record activated", Created),
    ("domain registration date", Created),
    ("domain name commencement date", Created),
    ("first registration date", Created),
    ("commencement date", Created),
    // last change
    ("updated date", Updated),
    ("updated", Updated),
    ("last updated", Updated),
    ("last updated date", Updated),
    ("last updated on", Updated),
    ("last update", Updated),
    ("last-update", Updated),
    ("last-updated", Updated),
    ("last modified", Updated),
    ("modified", Updated),
    ("modification date", Updated),
    ("changed", Updated),
    ("domain record last updated", Updated),
    ("record last updated on", Updated),
    ("domain datelastmodified", Updated),
    // registrar
    ("registrar", Registrar),
    ("sponsoring registrar", Registrar), // CNNIC
    ("registrar name", Registrar),
    ("registrar organization", Registrar),
    ("sponsoring registrar organization", Registrar),
    ("registration service provider", Registrar), // TWNIC
    ("authorized agency", Registrar),             // KRNIC
    ("current registar", Registrar),              // KazNIC (sic)
    ("current registrar", Registrar),
    // registrant
    ("registrant organization", RegistrantOrganisation),
    ("registrant organisation", RegistrantOrganisation),
    ("registrant", RegistrantOrganisation), // CNNIC, .au, JPRS: organisation or person
    ("owner", RegistrantOrganisation),
    ("organization name", RegistrantOrganisation),
    ("registrant name", RegistrantName),
    ("registrant contact name", RegistrantName),
    ("holder english name", RegistrantName), // HKIRC, individuals
    ("company english name", RegistrantOrganisation), // HKIRC, companies
    ("holder", RegistrantHandle),
    ("holder-c", RegistrantHandle),
    ("owner-c", RegistrantHandle),
    ("registrant-c", RegistrantHandle),
    ("domain registrant", RegistrantHandle),
    ("organization", LooseOrganisation),
    ("organisation", LooseOrganisation),
    ("org", LooseOrganisation),
    ("nic-hdl", ContactHandle),
    ("nic-hdl-br", ContactHandle),
    ("person", ContactName),
    ("personname", ContactName),
    ("contact", ContactName),
    // status
    ("domain status", Status),
    ("status", Status),
    ("state", Status),
    ("query status", Status),
    // name servers
    ("name server", Nameserver),
    ("name servers", Nameserver),
    ("nameserver", Nameserver),
    ("nameservers", Nameserver),
    ("nserver", Nameserver),
    ("name server handle", Ignored),
    ("primary server", Nameserver),
    ("secondary server", Nameserver),
    ("dns", Nameserver),
    ("ns name 01", Nameserver),
    ("ns name 02", Nameserver),
    ("ns name 03", Nameserver),
    ("ns name 04", Nameserver),
    ("ns name 05", Nameserver),
    ("ns name 06", Nameserver),
    // where to ask next
    ("registrar whois server", Referral),
    ("whois server", Referral),
    ("refer", Referral),
    ("whois", Referral),
    ("referral url", Ignored),
];

/// Kinds of block a header line opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SectionKind {
    Domain,
    Registrar,
    Registrant,
    /// Admin, tech, billing… contacts: their names, organisations and dates are not the domain's.
    OtherContact,
    Nameservers,
    Statuses,
    /// A block whose lines are read with the global table only.
    Neutral,
}

/// Header lines (`Registrar:` with nothing after it, or a bare `Holder`) and what they open.
pub(crate) const SECTION_TITLES: &[(&str, SectionKind)] = &[
    ("domain", SectionKind::Domain),
    ("domain name", SectionKind::Domain),
    ("registrar", SectionKind::Registrar),
    ("sponsoring registrar", SectionKind::Registrar),
    ("registrar contact information", SectionKind::Registrar),
    ("registrant", SectionKind::Registrant),
    ("registrant contact", SectionKind::Registrant),
    ("registrant contact information", SectionKind::Registrant),
    ("holder", SectionKind::Registrant),
    ("domain holder", SectionKind::Registrant),
    ("owner contact", SectionKind::Registrant),
    ("organization using domain name", SectionKind::Registrant),
    ("organisation", SectionKind::Registrant), // Freenom .tk: `Organisation:` then the holder
    ("administrative contact", SectionKind::OtherContact),
    ("administrative contact/agent", SectionKind::OtherContact),
    ("administrative", SectionKind::OtherContact),
    ("admin contact", SectionKind::OtherContact),
    ("technical contact", SectionKind::OtherContact),
    ("technical contacts", SectionKind::OtherContact),
    ("technical contact information", SectionKind::OtherContact),
    ("technical", SectionKind::OtherContact),
    ("tech", SectionKind::OtherContact),
    ("tech contact", SectionKind::OtherContact),
    ("billing contact", SectionKind::OtherContact),
    ("billing contact information", SectionKind::OtherContact),
    ("abuse contact", SectionKind::OtherContact),
    ("reseller", SectionKind::OtherContact),
    ("name servers", SectionKind::Nameservers),
    ("nameservers", SectionKind::Nameservers),
    ("name server", SectionKind::Nameservers),
    ("domain nameservers", SectionKind::Nameservers),
    ("domain servers in listed order", SectionKind::Nameservers),
    ("name servers information", SectionKind::Nameservers),
    ("nameserver in listed order", SectionKind::Nameservers),
    ("nameservers in listed order", SectionKind::Nameservers),
    ("domain name servers", SectionKind::Nameservers),
    ("primary name server", SectionKind::Nameservers), // KRNIC
    ("secondary name server", SectionKind::Nameservers),
    ("domain status", SectionKind::Statuses),
    ("status", SectionKind::Statuses),
    ("relevant dates", SectionKind::Neutral),
    ("dnssec", SectionKind::Neutral),
];

/// Field names that mean something else inside a section.
pub(crate) const SECTION_KEYS: &[(SectionKind, &str, Meaning)] = &[
    (SectionKind::Registrar, "name", Registrar),
    (SectionKind::Registrar, "organization", Registrar),
    (SectionKind::Registrar, "organisation", Registrar),
    (SectionKind::Registrar, "org", Registrar),
    (SectionKind::Registrant, "name", RegistrantName),
    (
        SectionKind::Registrant,
        "organization",
        RegistrantOrganisation,
    ),
    (
        SectionKind::Registrant,
        "organisation",
        RegistrantOrganisation,
    ),
    (SectionKind::Registrant, "org", RegistrantOrganisation),
    (
        SectionKind::Registrant,
        "company name",
        RegistrantOrganisation,
    ),
    (SectionKind::Registrant, "contact", RegistrantOrganisation),
    (SectionKind::Nameservers, "hostname", Nameserver),
    (SectionKind::Nameservers, "host name", Nameserver),
    (SectionKind::Domain, "name", DomainName),
];

/// Phrases that start a line (after spaces and `% # > *`) in a "no such domain" answer.
/// Matching is on the lower-cased line. `Contains` phrases are specific enough to match
/// anywhere; the other phrases must start the line so notices and legal text do not match.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phrase {
    StartsWith(&'static str),
    Contains(&'static str),
    /// Line starts with the first and ends with the second (`domain "x.se" not found.`).
    Around(&'static str, &'static str),
}

pub(crate) const ABSENCE_PHRASES: &[(Phrase, WhoisOutcome)] = &[
    (Phrase::StartsWith("no match"), WhoisOutcome::NotRegistered),
    (Phrase::StartsWith("not found"), WhoisOutcome::NotRegistered),
    (Phrase::StartsWith("no found"), WhoisOutcome::NotRegistered),
    (
        Phrase::StartsWith("domain not found"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("no data found"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("no entries found"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("no matching record"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("no object found"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("object does not exist"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("the queried object does not exist"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("the domain name is not registered"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("the domain has not been registered"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("this domain name has not been registered"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("nothing found for this query"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("no information available about domain name"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("this query returned 0 objects"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("invalid query or domain name not known"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("nincs talalat"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("status: free"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("status: available"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::StartsWith("query_status: 220 available"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::Contains("is available for registration"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::Contains("error:101: no entries found"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::Contains("error:103: domain is not registered"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::Contains("등록되어 있지 않습니다"),
        WhoisOutcome::NotRegistered,
    ),
    (
        Phrase::Around("domain \"", "\" not found."),
        WhoisOutcome::NotRegistered,
    ),
    (Phrase::Around("", " is free"), WhoisOutcome::NotRegistered),
    (
        Phrase::StartsWith("the domain you requested is prohibited"),
        WhoisOutcome::Reserved,
    ),
    (
        Phrase::StartsWith("not available for registration"),
        WhoisOutcome::Reserved,
    ),
    (
        Phrase::StartsWith("not available for second level registration"),
        WhoisOutcome::Reserved,
    ),
    (
        Phrase::StartsWith("this domain is reserved"),
        WhoisOutcome::Reserved,
    ),
    (
        Phrase::StartsWith("reserved domain"),
        WhoisOutcome::Reserved,
    ),
    (
        Phrase::Contains("query rate limit exceeded"),
        WhoisOutcome::RateLimited,
    ),
    (
        Phrase::Contains("limit exceeded"),
        WhoisOutcome::RateLimited,
    ),
    (
        Phrase::Contains("too many requests"),
        WhoisOutcome::RateLimited,
    ),
    (
        Phrase::Contains("exceeded the maximum allowable"),
        WhoisOutcome::RateLimited,
    ),
    (Phrase::Contains("查询过于频繁"), WhoisOutcome::RateLimited),
];

/// Status values that say the name is free (`Domain Status: No Object Found`, `Status: free`).
pub(crate) const ABSENT_STATUS_VALUES: &[&str] = &[
    "no object found",
    "free",
    "available",
    "220 available",
    "not registered",
];

/// How one TLD's registry writes its answers, where it differs from the defaults.
#[derive(Debug)]
pub(crate) struct TldProfile {
    pub tlds: &'static [&'static str],
    /// Offset, in seconds east of UTC, for timestamps printed without a zone.
    pub zone_seconds: i32,
    /// Numeric dates not starting with the year are day first (`11-07-2020` = 11 July).
    pub day_first: bool,
    pub key_overrides: &'static [(&'static str, Meaning)],
}

/// Per-TLD profiles. Zone choices, each documented:
/// * cn / 中国 / 中國 (CNNIC): Beijing time, UTC+8 — CNNIC prints wall-clock time without a zone
///   (FACTS §4.4).
/// * hk (HKIRC), mo (MONIC), tw (TWNIC; it labels some lines "(UTC+8)"): UTC+8, local registries
///   printing local dates.
/// * jp (JPRS labels its times "JST") and kr (KISA): UTC+9.
/// * Every other TLD: zone-less timestamps are taken as UTC (most registries run on UTC; .pl, .fi
///   and .rs print local time without saying so, a few hours that never move the date by more than
///   one day — compare those by date).
pub(crate) const TLD_PROFILES: &[TldProfile] = &[
    TldProfile {
        tlds: &["cn", "xn--fiqs8s", "xn--fiqz9s"],
        zone_seconds: 8 * 3600,
        day_first: true,
        key_overrides: &[],
    },
    TldProfile {
        tlds: &["hk", "xn--j6w193g", "mo", "xn--mix082f", "xn--mix891f"],
        zone_seconds: 8 * 3600,
        day_first: true,
        key_overrides: &[],
    },
    TldProfile {
        tlds: &["tw", "xn--kpry57d", "xn--kprw13d"],
        zone_seconds: 8 * 3600,
        day_first: true,
        key_overrides: &[],
    },
    // JPRS labels its times "JST"; `[Organization]` there is the holder, not a contact's.
    TldProfile {
        tlds: &["jp"],
        zone_seconds: 9 * 3600,
        day_first: true,
        key_overrides: &[("organization", RegistrantOrganisation)],
    },
    TldProfile {
        tlds: &["kr", "xn--3e0b707e"],
        zone_seconds: 9 * 3600,
        day_first: true,
        key_overrides: &[],
    },
    // DK Hostmaster's `DNS:` line repeats the domain itself, not a name server.
    TldProfile {
        tlds: &["dk"],
        zone_seconds: 0,
        day_first: true,
        key_overrides: &[("dns", Ignored)],
    },
];

/// The default for TLDs without a profile.
pub(crate) const DEFAULT_PROFILE: TldProfile = TldProfile {
    tlds: &[],
    zone_seconds: 0,
    day_first: true,
    key_overrides: &[],
};

/// WHOIS servers whose TLD cannot be told from the query (e.g. a bare handle) but is known.
pub(crate) const SERVER_TLDS: &[(&str, &str)] = &[
    ("whois.cnnic.cn", "cn"),
    ("whois.cnnic.net.cn", "cn"),
    ("cwhois.cnnic.cn", "xn--fiqs8s"),
    ("whois.hkirc.hk", "hk"),
    ("whois.monic.mo", "mo"),
    ("whois.twnic.net.tw", "tw"),
    ("whois.jprs.jp", "jp"),
    ("whois.kr", "kr"),
    ("whois.dk-hostmaster.dk", "dk"),
    ("whois.punktum.dk", "dk"),
];

/// Unicode TLDs as users type them, mapped to their A-label.
pub(crate) const UNICODE_TLDS: &[(&str, &str)] = &[
    ("中国", "xn--fiqs8s"),
    ("中國", "xn--fiqz9s"),
    ("香港", "xn--j6w193g"),
    ("台灣", "xn--kpry57d"),
    ("台湾", "xn--kprw13d"),
    ("澳門", "xn--mix891f"),
    ("澳门", "xn--mix082f"),
    ("한국", "xn--3e0b707e"),
];

/// Finds the profile of `tld` (an A-label, lower case).
pub(crate) fn profile_for(tld: &str) -> &'static TldProfile {
    TLD_PROFILES
        .iter()
        .find(|profile| profile.tlds.contains(&tld))
        .unwrap_or(&DEFAULT_PROFILE)
}

/// Looks `key` up: per-TLD override, then the section's own names, then the global table.
pub(crate) fn meaning_of(key: &str, section: SectionKind, profile: &TldProfile) -> Option<Meaning> {
    if let Some((_, meaning)) = profile.key_overrides.iter().find(|(name, _)| *name == key) {
        return Some(*meaning);
    }
    if let Some((_, _, meaning)) = SECTION_KEYS
        .iter()
        .find(|(kind, name, _)| *kind == section && *name == key)
    {
        return Some(*meaning);
    }
    global_keys().get(key).copied()
}

/// [`GLOBAL_KEYS`] as a hash map: every field line is looked up, often several times.
fn global_keys() -> &'static HashMap<&'static str, Meaning> {
    static MAP: OnceLock<HashMap<&'static str, Meaning>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::with_capacity(GLOBAL_KEYS.len());
        for (key, meaning) in GLOBAL_KEYS {
            // The first entry of a key wins, as a linear search would.
            map.entry(*key).or_insert(*meaning);
        }
        map
    })
}

pub(crate) fn section_titled(key: &str) -> Option<SectionKind> {
    static MAP: OnceLock<HashMap<&'static str, SectionKind>> = OnceLock::new();
    MAP.get_or_init(|| SECTION_TITLES.iter().copied().collect())
        .get(key)
        .copied()
}

/// Line prefixes that carry a value without a colon (`Record expires on 2021-02-05`).
pub(crate) const PHRASE_KEYS: &[(&str, Meaning)] = &[
    ("record expires on ", Expiry(1)),
    ("record created on ", Created),
    ("record last updated on ", Updated),
    ("registered on ", Created),
    ("expiry date ", Expiry(1)),
];

/// Normalises a field name for table look-up. Returns an empty string for junk.
pub(crate) fn normalise_key(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    normalise_key_into(raw, &mut out);
    out
}

/// [`normalise_key`] into a reused buffer (the engine calls it for every field line).
pub(crate) fn normalise_key_into(raw: &str, out: &mut String) {
    out.clear();
    let mut key = raw.trim();
    // JPRS enumerates fields: "a. [Domain Name]".
    if let [letter, b'.', b' ', ..] = key.as_bytes()
        && letter.is_ascii_lowercase()
    {
        key = key[3..].trim_start();
    }
    let mut depth = 0usize;
    let mut pending_space = false;
    for c in key.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '[' | ']' => pending_space = !out.is_empty(),
            '_' | ' ' | '\t' => pending_space = !out.is_empty(),
            _ => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.extend(c.to_lowercase());
                }
            }
        }
    }
    let trimmed_len = out.trim_end_matches(['.', ' ']).len();
    out.truncate(trimmed_len);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalise() {
        assert_eq!(normalise_key("expires............"), "expires");
        assert_eq!(normalise_key("a. [Domain Name]"), "domain name");
        assert_eq!(normalise_key("[Expires on]"), "expires on");
        assert_eq!(
            normalise_key("domain_datelastmodified"),
            "domain datelastmodified"
        );
        assert_eq!(
            normalise_key("Holder English Name (It should be the same as your legal name)"),
            "holder english name"
        );
        assert_eq!(normalise_key("Admin Contact(s)"), "admin contact");
        assert_eq!(normalise_key("Last modified "), "last modified");
    }

    #[test]
    fn overrides_win_over_the_global_table() {
        assert_eq!(
            meaning_of("dns", SectionKind::Neutral, profile_for("dk")),
            Some(Ignored)
        );
        assert_eq!(
            meaning_of("dns", SectionKind::Neutral, profile_for("rs")),
            Some(Nameserver)
        );
        assert_eq!(profile_for("cn").zone_seconds, 8 * 3600);
        assert_eq!(profile_for("jp").zone_seconds, 9 * 3600);
        assert_eq!(
            meaning_of("organization", SectionKind::Neutral, profile_for("jp")),
            Some(RegistrantOrganisation)
        );
        assert_eq!(profile_for("com").zone_seconds, 0);
    }

    #[test]
    fn every_global_key_is_already_normalised() {
        for (key, _) in GLOBAL_KEYS {
            assert_eq!(normalise_key(key), *key, "table key {key}");
        }
        for (key, _) in SECTION_TITLES {
            assert_eq!(normalise_key(key), *key, "title {key}");
        }
    }
}

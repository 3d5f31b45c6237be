//! DNS evidence: A, AAAA, the CNAME chain, NS, SOA, MX and TXT of one name, each with the
//! response code it came with.
//!
//! Negative answers are evidence, not failures: a CNAME whose target is NXDOMAIN is exactly
//! what a takeover check looks for (FACTS §7.5). Only when no query got a usable answer
//! (all timed out, were refused or unreadable) is the lookup [`Outcome::Failed`].
//!
//! The resolver keeps no cache between lookups (we want fresh evidence), ignores the hosts
//! file, and asks the configured servers over UDP, falling back to TCP for truncated answers.

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::lookup::Lookup;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::settings::DnsSettings;
use crate::setup::ProbeSetupError;

/// Longest CNAME chain followed; longer chains (and loops) are cut and flagged.
pub const MAX_CNAME_HOPS: usize = 8;
/// Most records kept per type, so a hostile zone cannot grow the evidence.
const MAX_RECORDS: usize = 64;
/// Longest TXT string kept, in characters.
const MAX_TXT_CHARS: usize = 4096;

/// Response-code labels used in [`DnsEvidence::rcodes`] besides the DNS names
/// (`NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, …).
pub const RCODE_TIMEOUT: &str = "timeout";
pub const RCODE_MALFORMED: &str = "malformed";
pub const RCODE_NETWORK: &str = "network";

/// What the DNS says about one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsEvidence {
    /// The name asked for, as an A-label without the trailing dot.
    pub name: String,
    pub a: Vec<Ipv4Addr>,
    pub aaaa: Vec<Ipv6Addr>,
    /// Each CNAME hop from `name`, in order.
    pub cname_chain: Vec<CnameLink>,
    /// Response code for the chain's last target (`NXDOMAIN` there means a dangling CNAME).
    pub cname_target_rcode: Option<String>,
    /// The chain was cut: a loop, or more than [`MAX_CNAME_HOPS`] hops.
    pub cname_chain_cut: bool,
    pub ns: Vec<String>,
    /// The zone's SOA: from the answer, or from the authority section of a negative answer.
    pub soa: Option<SoaRecord>,
    pub mx: Vec<MxRecord>,
    pub txt: Vec<String>,
    /// Record type (`A`, `AAAA`, `CNAME`, `NS`, `SOA`, `MX`, `TXT`) → response code, or
    /// `timeout` / `malformed` / `network` when no answer could be read.
    pub rcodes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CnameLink {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoaRecord {
    /// The zone the SOA belongs to.
    pub zone: String,
    pub mname: String,
    pub rname: String,
    pub serial: u32,
    pub refresh: i32,
    pub retry: i32,
    pub expire: i32,
    pub minimum: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRecord {
    pub preference: u16,
    pub exchange: String,
}

/// A DNS client for evidence. Cheap to share behind an `Arc`; one per run.
pub struct DnsProbe {
    resolver: TokioResolver,
    /// Upper bound for one query including retries; a whole lookup never exceeds it.
    budget: Duration,
    /// Who answers, for failure messages.
    servers: String,
}

impl std::fmt::Debug for DnsProbe {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("DnsProbe")
            .field("servers", &self.servers)
            .field("budget", &self.budget)
            .finish()
    }
}

impl DnsProbe {
    /// `settings.attempts` is the number of tries per query (at least one); each try waits at
    /// most `settings.timeout`. An empty nameserver list uses the system's resolvers.
    pub fn new(settings: &DnsSettings) -> Result<DnsProbe, ProbeSetupError> {
        let tries = settings.attempts.max(1);
        let mut options = ResolverOpts::default();
        options.timeout = settings.timeout;
        options.attempts = tries - 1;
        options.cache_size = 0;
        options.use_hosts_file = ResolveHosts::Never;
        options.preserve_intermediates = true;
        options.try_tcp_on_error = true;

        let provider = TokioRuntimeProvider::default();
        let (builder, servers) = if settings.nameservers.is_empty() {
            let builder =
                TokioResolver::builder(provider).map_err(|error| ProbeSetupError::Resolver {
                    detail: format!("system configuration: {error}"),
                })?;
            (builder, "system resolver".to_owned())
        } else {
            let name_servers = settings
                .nameservers
                .iter()
                .map(|address| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = address.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = address.port();
                    NameServerConfig::new(address.ip(), true, vec![udp, tcp])
                })
                .collect();
            let config = ResolverConfig::from_name_servers(name_servers);
            let listed: Vec<String> = settings.nameservers.iter().map(|a| a.to_string()).collect();
            (
                TokioResolver::builder_with_config(config, provider),
                listed.join(", "),
            )
        };
        let resolver =
            builder
                .with_options(options)
                .build()
                .map_err(|error| ProbeSetupError::Resolver {
                    detail: error.to_string(),
                })?;
        let tries = u32::try_from(tries).unwrap_or(u32::MAX);
        Ok(DnsProbe {
            resolver,
            budget: settings.timeout.saturating_mul(tries) + Duration::from_millis(250),
            servers,
        })
    }

    /// Looks up every record type of `name` at once and follows its CNAME chain.
    pub async fn lookup(&self, name: &str) -> Timed<DnsEvidence> {
        Timed::measure(self.lookup_inner(name)).await
    }

    async fn lookup_inner(&self, name: &str) -> Outcome<DnsEvidence> {
        let fqdn = match to_fqdn(name) {
            Ok(fqdn) => fqdn,
            Err(failure) => return Outcome::Failed(failure),
        };
        let deadline = Instant::now() + self.budget;
        let (a, aaaa, ns, soa, mx, txt, chain) = tokio::join!(
            self.query(&fqdn, RecordType::A, deadline),
            self.query(&fqdn, RecordType::AAAA, deadline),
            self.query(&fqdn, RecordType::NS, deadline),
            self.query(&fqdn, RecordType::SOA, deadline),
            self.query(&fqdn, RecordType::MX, deadline),
            self.query(&fqdn, RecordType::TXT, deadline),
            self.follow_cnames(&fqdn, deadline),
        );

        let mut evidence = DnsEvidence {
            name: fqdn.trim_end_matches('.').to_owned(),
            a: Vec::new(),
            aaaa: Vec::new(),
            cname_chain: chain.links,
            cname_target_rcode: chain.target_rcode,
            cname_chain_cut: chain.cut,
            ns: Vec::new(),
            soa: None,
            mx: Vec::new(),
            txt: Vec::new(),
            rcodes: BTreeMap::new(),
        };
        evidence
            .rcodes
            .insert("CNAME".to_owned(), chain.first_rcode);
        for (record_type, result) in [
            (RecordType::A, &a),
            (RecordType::AAAA, &aaaa),
            (RecordType::NS, &ns),
            (RecordType::SOA, &soa),
            (RecordType::MX, &mx),
            (RecordType::TXT, &txt),
        ] {
            evidence
                .rcodes
                .insert(record_type.to_string(), rcode_of(result));
        }
        for rdata in answers(&a) {
            if let RData::A(address) = rdata {
                push_capped(&mut evidence.a, address.0);
            }
        }
        for rdata in answers(&aaaa) {
            if let RData::AAAA(address) = rdata {
                push_capped(&mut evidence.aaaa, address.0);
            }
        }
        for rdata in answers(&ns) {
            if let RData::NS(host) = rdata {
                push_capped(&mut evidence.ns, host_text(&host.0));
            }
        }
        for rdata in answers(&mx) {
            if let RData::MX(mx) = rdata {
                push_capped(
                    &mut evidence.mx,
                    MxRecord {
                        preference: mx.preference,
                        exchange: host_text(&mx.exchange),
                    },
                );
            }
        }
        for rdata in answers(&txt) {
            if let RData::TXT(txt) = rdata {
                let joined: Vec<u8> = txt
                    .txt_data
                    .iter()
                    .flat_map(|part| part.iter())
                    .copied()
                    .collect();
                let text: String = String::from_utf8_lossy(&joined)
                    .chars()
                    .take(MAX_TXT_CHARS)
                    .collect();
                push_capped(&mut evidence.txt, text);
            }
        }
        evidence.soa = soa_of(&soa);

        match total_failure(&evidence.rcodes, &self.servers, &evidence.name, self.budget) {
            Some(failure) => Outcome::Failed(failure),
            None => Outcome::Ok(evidence),
        }
    }

    /// The addresses of `name` (A then AAAA), for connecting to it. An IP literal is
    /// returned as is.
    pub async fn resolve_ips(&self, name: &str) -> Result<Vec<IpAddr>, ProbeFailure> {
        let bare = name.trim().trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let fqdn = to_fqdn(name)?;
        let deadline = Instant::now() + self.budget;
        let (v4, v6) = tokio::join!(
            self.query(&fqdn, RecordType::A, deadline),
            self.query(&fqdn, RecordType::AAAA, deadline),
        );
        let mut addresses = Vec::new();
        for rdata in answers(&v4).chain(answers(&v6)) {
            match rdata {
                RData::A(address) => push_capped(&mut addresses, IpAddr::V4(address.0)),
                RData::AAAA(address) => push_capped(&mut addresses, IpAddr::V6(address.0)),
                _ => {}
            }
        }
        if !addresses.is_empty() {
            return Ok(addresses);
        }
        let display = fqdn.trim_end_matches('.').to_owned();
        let rcodes = BTreeMap::from([
            ("A".to_owned(), rcode_of(&v4)),
            ("AAAA".to_owned(), rcode_of(&v6)),
        ]);
        if let Some(failure) = total_failure(&rcodes, &self.servers, &display, self.budget) {
            return Err(failure);
        }
        if rcodes.values().any(|code| code == "NXDOMAIN") {
            Err(ProbeFailure::NxDomain { name: display })
        } else {
            Err(ProbeFailure::NoRecords { name: display })
        }
    }

    async fn query(
        &self,
        fqdn: &str,
        record_type: RecordType,
        deadline: Instant,
    ) -> Result<Lookup, NetError> {
        match tokio::time::timeout_at(deadline, self.resolver.lookup(fqdn, record_type)).await {
            Ok(result) => result,
            Err(_) => Err(NetError::Timeout),
        }
    }

    async fn follow_cnames(&self, fqdn: &str, deadline: Instant) -> CnameChain {
        let mut chain = CnameChain {
            links: Vec::new(),
            first_rcode: String::new(),
            target_rcode: None,
            cut: false,
        };
        let mut seen = HashSet::from([fqdn.to_ascii_lowercase()]);
        let mut current = fqdn.to_owned();
        loop {
            let result = self.query(&current, RecordType::CNAME, deadline).await;
            let rcode = rcode_of(&result);
            let target = answers(&result).find_map(|rdata| match rdata {
                RData::CNAME(target) => Some(target.0.to_ascii()),
                _ => None,
            });
            if chain.links.is_empty() {
                chain.first_rcode = rcode.clone();
            }
            let Some(target) = target else {
                if !chain.links.is_empty() {
                    chain.target_rcode = Some(rcode);
                }
                return chain;
            };
            chain.links.push(CnameLink {
                from: current.trim_end_matches('.').to_ascii_lowercase(),
                to: target.trim_end_matches('.').to_ascii_lowercase(),
            });
            if !seen.insert(target.to_ascii_lowercase()) || chain.links.len() >= MAX_CNAME_HOPS {
                chain.cut = true;
                return chain;
            }
            current = target;
        }
    }
}

struct CnameChain {
    links: Vec<CnameLink>,
    first_rcode: String,
    target_rcode: Option<String>,
    cut: bool,
}

/// `Bücher.example` → `xn--bcher-kva.example.` (absolute, so no search domain is tried).
fn to_fqdn(name: &str) -> Result<String, ProbeFailure> {
    let trimmed = name.trim().trim_end_matches('.');
    let ascii = ascii_domain(trimmed).ok_or_else(|| ProbeFailure::Malformed {
        detail: format!(
            "不是合法域名 / not a valid domain name: {}",
            shorten(trimmed)
        ),
    })?;
    Ok(format!("{ascii}."))
}

/// A domain name as lower-case A-labels without the trailing dot, or `None` when it is not a
/// plausible DNS name (empty labels, spaces, control characters, over 253 bytes). Shared by
/// every client, so nothing but a clean name ever reaches a server's query line.
pub(crate) fn ascii_domain(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches('.');
    let ascii = idna::domain_to_ascii(name).ok()?;
    let clean = !ascii.is_empty()
        && ascii.len() <= 253
        && ascii.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        });
    clean.then_some(ascii)
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

fn answers(result: &Result<Lookup, NetError>) -> impl Iterator<Item = &RData> {
    result
        .iter()
        .flat_map(|lookup| lookup.answers().iter().map(|record| &record.data))
}

fn push_capped<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.len() < MAX_RECORDS && !list.contains(&item) {
        list.push(item);
    }
}

fn host_text(name: &hickory_resolver::proto::rr::Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

fn soa_of(result: &Result<Lookup, NetError>) -> Option<SoaRecord> {
    let from_answer = result
        .iter()
        .flat_map(|lookup| lookup.answers())
        .find_map(|record| match &record.data {
            RData::SOA(soa) => Some((host_text(&record.name), soa.clone())),
            _ => None,
        });
    let from_authority = || match result {
        Err(NetError::Dns(DnsError::NoRecordsFound(negative))) => negative
            .soa
            .as_ref()
            .map(|record| (host_text(&record.name), record.data.clone())),
        _ => None,
    };
    let (zone, soa) = from_answer.or_else(from_authority)?;
    Some(SoaRecord {
        zone,
        mname: host_text(&soa.mname),
        rname: host_text(&soa.rname),
        serial: soa.serial,
        refresh: soa.refresh,
        retry: soa.retry,
        expire: soa.expire,
        minimum: soa.minimum,
    })
}

fn rcode_of(result: &Result<Lookup, NetError>) -> String {
    match result {
        Ok(_) => "NOERROR".to_owned(),
        Err(NetError::Dns(DnsError::NoRecordsFound(negative))) => {
            rcode_name(negative.response_code)
        }
        Err(NetError::Dns(DnsError::ResponseCode(code))) => rcode_name(*code),
        Err(NetError::Timeout) => RCODE_TIMEOUT.to_owned(),
        Err(NetError::Proto(_)) => RCODE_MALFORMED.to_owned(),
        Err(_) => RCODE_NETWORK.to_owned(),
    }
}

fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".to_owned(),
        ResponseCode::FormErr => "FORMERR".to_owned(),
        ResponseCode::ServFail => "SERVFAIL".to_owned(),
        ResponseCode::NXDomain => "NXDOMAIN".to_owned(),
        ResponseCode::NotImp => "NOTIMP".to_owned(),
        ResponseCode::Refused => "REFUSED".to_owned(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

/// `Some` when no query got an answer from a server that understood it: every code is a
/// timeout, a refusal, an unreadable answer or a network error. The most telling kind wins.
fn total_failure(
    rcodes: &BTreeMap<String, String>,
    servers: &str,
    name: &str,
    budget: Duration,
) -> Option<ProbeFailure> {
    let failed = |code: &String| {
        matches!(
            code.as_str(),
            RCODE_TIMEOUT | RCODE_MALFORMED | RCODE_NETWORK | "REFUSED"
        )
    };
    if rcodes.is_empty() || !rcodes.values().all(failed) {
        return None;
    }
    let any = |wanted: &str| rcodes.values().any(|code| code == wanted);
    Some(if any(RCODE_MALFORMED) {
        ProbeFailure::Malformed {
            detail: format!("DNS 答复无法解析 / unreadable DNS answer for {name} from {servers}"),
        }
    } else if any("REFUSED") {
        ProbeFailure::Refused {
            peer: servers.to_owned(),
        }
    } else if any(RCODE_NETWORK) {
        ProbeFailure::Network {
            detail: format!("DNS 服务器不可达 / cannot reach DNS server {servers} for {name}"),
        }
    } else {
        ProbeFailure::Timeout {
            after_ms: u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_absolute_a_labels() {
        assert_eq!(
            to_fqdn("Bücher.Example.").ok().as_deref(),
            Some("xn--bcher-kva.example.")
        );
        assert_eq!(
            to_fqdn("例子.中国").ok().as_deref(),
            Some("xn--fsqu00a.xn--fiqs8s.")
        );
        assert!(to_fqdn("").is_err());
        assert!(to_fqdn("a b.example").is_err());
    }

    #[test]
    fn only_unanswered_lookups_fail() {
        let codes = |list: &[&str]| -> BTreeMap<String, String> {
            list.iter()
                .enumerate()
                .map(|(i, code)| (i.to_string(), (*code).to_owned()))
                .collect()
        };
        let budget = Duration::from_secs(1);
        assert_eq!(
            total_failure(&codes(&["NXDOMAIN", "timeout"]), "s", "n", budget),
            None
        );
        assert_eq!(total_failure(&codes(&["SERVFAIL"]), "s", "n", budget), None);
        assert!(matches!(
            total_failure(&codes(&["timeout", "timeout"]), "s", "n", budget),
            Some(ProbeFailure::Timeout { .. })
        ));
        assert!(matches!(
            total_failure(&codes(&["timeout", "malformed"]), "s", "n", budget),
            Some(ProbeFailure::Malformed { .. })
        ));
        assert!(matches!(
            total_failure(&codes(&["REFUSED", "timeout"]), "s", "n", budget),
            Some(ProbeFailure::Refused { .. })
        ));
    }
}

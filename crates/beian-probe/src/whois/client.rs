//! The port-43 WHOIS client: server choice, referral following, rate limits and a cache.
//!
//! Server choice: `whois.servers[tld]` when configured, else the built-in CNNIC servers for
//! .cn and .中国, else the IANA server, whose `refer:` names the registry. A registry answer
//! that is "thin" (registered, but no registrant: Verisign's model) is completed from the
//! registrar's server it names. At most [`MAX_HOPS`] servers are asked per lookup, none twice.
//!
//! Each exchange (connect, query, read to EOF) is bounded by `whois.timeout` and the answer by
//! `whois.max_answer_bytes`; a larger answer is cut there, and its prefix is still read when it
//! says something definite (the hop records `TooLarge`). The per-server rate limit makes the
//! caller wait; a server that answers "rate limit exceeded" makes the lookup `RateLimited`.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{WhoisOutcome, WhoisParse, decode_whois_bytes, parse_whois};
use crate::dns::DnsProbe;
use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::politeness::ServerRateLimits;
use crate::registration::RegistrationRecord;
use crate::settings::WhoisSettings;

/// Most servers asked for one name (IANA → registry → registrar).
pub const MAX_HOPS: usize = 3;
/// Longest raw answer kept in the evidence, in bytes of UTF-8.
const MAX_RAW_KEPT: usize = 64 * 1024;
/// Most names kept in the cache.
const MAX_CACHED: usize = 10_000;
const DEFAULT_PORT: u16 = 43;

/// Built-in servers for registries that publish no RDAP and that IANA's `refer:` may not
/// name the way we want (FACTS §4.4). `whois.servers` overrides them.
const BUILT_IN_SERVERS: &[(&str, &str)] = &[
    ("cn", "whois.cnnic.cn"),
    ("xn--fiqs8s", "cwhois.cnnic.cn"),
    ("xn--fiqz9s", "cwhois.cnnic.cn"),
];

/// Servers that need more than the bare name to answer about a domain in a readable way.
const QUERY_FORMATS: &[(&str, &str, &str)] = &[
    ("whois.denic.de", "-T dn,ace ", ""),
    ("whois.jprs.jp", "", "/e"),
    ("whois.verisign-grs.com", "domain ", ""),
];

/// One server asked during a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoisHop {
    /// `host:port` as asked.
    pub server: String,
    /// Answer bytes read (at most `max_answer_bytes`).
    pub bytes: usize,
    pub elapsed_ms: u64,
    /// What the answer said; `None` when there was no readable answer.
    pub outcome: Option<WhoisOutcome>,
    /// What went wrong on this hop, if anything (a `TooLarge` hop may still have an outcome).
    pub failure: Option<ProbeFailure>,
    /// The server this answer pointed to.
    pub referral: Option<String>,
}

/// What WHOIS says about one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoisEvidence {
    /// The name asked for, as an A-label.
    pub domain: String,
    pub hops: Vec<WhoisHop>,
    /// The registry's answer (the one the dates come from), cut at 64 KiB.
    pub raw: String,
    /// The registry's record, completed from the registrar's answer when it was thin.
    pub parse: RegistrationRecord,
    pub outcome: WhoisOutcome,
    pub from_cache: bool,
}

/// A port-43 WHOIS client. One per run; share it behind an `Arc`.
pub struct WhoisClient {
    settings: WhoisSettings,
    rate_limits: ServerRateLimits,
    cache: Mutex<HashMap<String, CacheEntry>>,
    resolver: Option<Arc<DnsProbe>>,
}

impl std::fmt::Debug for WhoisClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WhoisClient")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

struct CacheEntry {
    evidence: WhoisEvidence,
    stored_at: Instant,
}

/// One answer read and parsed.
struct Answer {
    hop: WhoisHop,
    text: String,
    parse: Option<WhoisParse>,
}

impl WhoisClient {
    /// Server host names are resolved by the system resolver; see [`WhoisClient::with_resolver`].
    pub fn new(settings: &WhoisSettings) -> WhoisClient {
        WhoisClient {
            settings: settings.clone(),
            rate_limits: ServerRateLimits::new(settings.per_server_per_minute),
            cache: Mutex::new(HashMap::new()),
            resolver: None,
        }
    }

    /// Resolves server host names with `resolver` (the configured `dns.nameservers`), so an
    /// internal resolver or the lab can name the registrars' servers.
    pub fn with_resolver(mut self, resolver: Arc<DnsProbe>) -> WhoisClient {
        self.resolver = Some(resolver);
        self
    }

    /// Replaces the per-server rate limit (tests use short windows).
    pub fn with_rate_limits(mut self, rate_limits: ServerRateLimits) -> WhoisClient {
        self.rate_limits = rate_limits;
        self
    }

    pub async fn lookup(&self, domain: &str) -> Timed<WhoisEvidence> {
        Timed::measure(self.lookup_inner(domain)).await
    }

    async fn lookup_inner(&self, domain: &str) -> Outcome<WhoisEvidence> {
        let ascii = match domain_ascii(domain) {
            Ok(ascii) => ascii,
            Err(failure) => return Outcome::Failed(failure),
        };
        if let Some(mut evidence) = self.cached(&ascii) {
            evidence.from_cache = true;
            return Outcome::Ok(evidence);
        }
        let tld = ascii.rsplit('.').next().unwrap_or_default().to_owned();
        let iana = server_key(&self.settings.iana_server);
        let mut server = match self.server_for_tld(&tld) {
            Some(server) => server_key(&server),
            None => iana.clone(),
        };

        let mut hops = Vec::new();
        let mut asked = HashSet::new();
        let mut registry: Option<Answer> = None;
        let mut registrar: Option<Answer> = None;
        let mut failure = None;
        while hops.len() < MAX_HOPS && asked.insert(server.clone()) {
            let answer = self.ask(&server, &ascii).await;
            hops.push(answer.hop.clone());
            let referral = answer.hop.referral.as_deref().map(server_key);
            let outcome = answer.parse.as_ref().map(|parse| parse.outcome);
            // IANA's answer describes the TLD, not the name: only its referral counts.
            if server == iana || outcome == Some(WhoisOutcome::Unrecognised) || outcome.is_none() {
                match referral {
                    Some(next) if answer.hop.failure.is_none() => {
                        server = next;
                        continue;
                    }
                    _ => {
                        failure = Some(answer.hop.failure.clone().unwrap_or_else(|| {
                            no_answer_failure(&server, &iana, &tld, answer.hop.bytes)
                        }));
                        break;
                    }
                }
            }
            if outcome == Some(WhoisOutcome::RateLimited) {
                failure = answer.hop.failure.clone();
                break;
            }
            if registry.is_some() {
                registrar = Some(answer);
                break;
            }
            let thin = answer
                .parse
                .as_ref()
                .is_some_and(|parse| parse.record.registered && parse.record.registrant.is_none());
            registry = Some(answer);
            match referral {
                Some(next) if thin && self.settings.follow_referrals => server = next,
                _ => break,
            }
        }

        let Some(registry) = registry else {
            return Outcome::Failed(failure.unwrap_or_else(|| ProbeFailure::NoServer {
                what: format!(
                    "WHOIS 服务器 / WHOIS server for .{tld} (referral loop or too many hops)"
                ),
            }));
        };
        let Some(registry_parse) = registry.parse else {
            return Outcome::Failed(ProbeFailure::Malformed {
                detail: format!("WHOIS 答复无法读取 / unreadable WHOIS answer for {ascii}"),
            });
        };
        let mut record = registry_parse.record;
        if let Some(registrar_parse) = registrar.and_then(|answer| answer.parse) {
            complete_from_registrar(&mut record, registrar_parse.record);
        }
        let evidence = WhoisEvidence {
            domain: ascii.clone(),
            hops,
            raw: cut_text(registry.text, MAX_RAW_KEPT),
            parse: record,
            outcome: registry_parse.outcome,
            from_cache: false,
        };
        self.remember(&ascii, &evidence);
        Outcome::Ok(evidence)
    }

    fn server_for_tld(&self, tld: &str) -> Option<String> {
        self.settings.servers.get(tld).cloned().or_else(|| {
            BUILT_IN_SERVERS
                .iter()
                .find(|(known, _)| *known == tld)
                .map(|(_, server)| (*server).to_owned())
        })
    }

    /// Waits for the server's rate limit, then asks it about `domain` and reads the answer.
    async fn ask(&self, server: &str, domain: &str) -> Answer {
        self.rate_limits.until_ready(server).await;
        let host = host_of(server);
        let query = query_line(&host, domain);
        let clock = Instant::now();
        let mut bytes = Vec::new();
        let limit = self.settings.max_answer_bytes;
        let exchange = self.exchange(server, &query, &mut bytes, limit);
        let mut failure = match tokio::time::timeout(self.settings.timeout, exchange).await {
            Ok(Ok(())) => None,
            Ok(Err(failure)) => Some(failure),
            Err(_) => Some(ProbeFailure::Timeout {
                after_ms: millis(self.settings.timeout),
            }),
        };
        let elapsed_ms = millis(clock.elapsed());
        let usable = matches!(failure, None | Some(ProbeFailure::TooLarge { .. }));
        let text = decode_whois_bytes(&bytes);
        let parse =
            (usable && !bytes.is_empty()).then(|| parse_whois(&text, Some(&host), Some(domain)));
        if let Some(parse) = &parse
            && parse.outcome == WhoisOutcome::RateLimited
        {
            failure = Some(ProbeFailure::RateLimited {
                server: server.to_owned(),
                retry_after_s: None,
            });
        }
        let hop = WhoisHop {
            server: server.to_owned(),
            bytes: bytes.len(),
            elapsed_ms,
            outcome: parse.as_ref().map(|parse| parse.outcome),
            failure,
            referral: parse.as_ref().and_then(|parse| parse.referral.clone()),
        };
        Answer { hop, text, parse }
    }

    /// Connects, sends the query and reads into `answer` until EOF or `limit` bytes.
    async fn exchange(
        &self,
        server: &str,
        query: &str,
        answer: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), ProbeFailure> {
        let mut stream = self.connect(server).await?;
        stream
            .write_all(format!("{query}\r\n").as_bytes())
            .await
            .map_err(|error| io_failure(server, &error))?;
        let mut chunk = vec![0_u8; 16 * 1024];
        loop {
            // Read one byte past the limit, to tell "exactly the limit" from "more".
            let room = (limit + 1).saturating_sub(answer.len()).min(chunk.len());
            let read = stream
                .read(&mut chunk[..room])
                .await
                .map_err(|error| io_failure(server, &error))?;
            if read == 0 {
                return Ok(());
            }
            answer.extend_from_slice(&chunk[..read]);
            if answer.len() > limit {
                answer.truncate(limit);
                return Err(ProbeFailure::TooLarge {
                    limit_bytes: u64::try_from(limit).unwrap_or(u64::MAX),
                });
            }
        }
    }

    async fn connect(&self, server: &str) -> Result<TcpStream, ProbeFailure> {
        let host = host_of(server);
        let port = port_of(server);
        let addresses: Vec<SocketAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
            vec![SocketAddr::new(ip, port)]
        } else if let Some(resolver) = &self.resolver {
            resolver
                .resolve_ips(&host)
                .await?
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .collect()
        } else {
            tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|error| ProbeFailure::Network {
                    detail: format!(
                        "无法解析 WHOIS 服务器 / cannot resolve WHOIS server {host}: {error}"
                    ),
                })?
                .collect()
        };
        let mut last = ProbeFailure::NoServer {
            what: format!("WHOIS 服务器地址 / addresses of {host}"),
        };
        for address in addresses {
            match TcpStream::connect(address).await {
                Ok(stream) => return Ok(stream),
                Err(error) => last = io_failure(server, &error),
            }
        }
        Err(last)
    }

    fn cached(&self, domain: &str) -> Option<WhoisEvidence> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = cache.get(domain)?;
        (entry.stored_at.elapsed() < self.settings.cache_ttl).then(|| entry.evidence.clone())
    }

    /// Keeps definite answers only: a rate-limited or unreadable answer is asked again.
    fn remember(&self, domain: &str, evidence: &WhoisEvidence) {
        let definite = matches!(
            evidence.outcome,
            WhoisOutcome::Registered | WhoisOutcome::NotRegistered | WhoisOutcome::Reserved
        );
        if !definite || self.settings.cache_ttl.is_zero() {
            return;
        }
        let ttl = self.settings.cache_ttl;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, entry| entry.stored_at.elapsed() < ttl);
        }
        if cache.len() >= MAX_CACHED {
            let oldest = cache
                .iter()
                .min_by_key(|(_, entry)| entry.stored_at)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            domain.to_owned(),
            CacheEntry {
                evidence: evidence.clone(),
                stored_at: Instant::now(),
            },
        );
    }
}

/// Fills what a thin registry record lacks from the registrar's answer. The registry stays
/// authoritative for dates, statuses and registration state.
fn complete_from_registrar(record: &mut RegistrationRecord, registrar: RegistrationRecord) {
    if !registrar.registered {
        return;
    }
    if record.registrant.is_none() {
        record.registrant = registrar.registrant;
    }
    if record.registrar.is_none() {
        record.registrar = registrar.registrar;
    }
    if record.registrar_expires_at.is_none() {
        record.registrar_expires_at = registrar.registrar_expires_at.or(registrar.expires_at);
    }
    if record.created_at.is_none() {
        record.created_at = registrar.created_at;
    }
    if record.expires_at.is_none() {
        record.expires_at = record.registrar_expires_at;
    }
    if record.nameservers.is_empty() {
        record.nameservers = registrar.nameservers;
    }
}

fn no_answer_failure(server: &str, iana: &str, tld: &str, bytes: usize) -> ProbeFailure {
    if server == iana {
        ProbeFailure::NoServer {
            what: format!(
                "WHOIS 服务器 / WHOIS server for .{tld} (IANA names none; set whois.servers.{tld})"
            ),
        }
    } else if bytes == 0 {
        ProbeFailure::Malformed {
            detail: format!("WHOIS 服务器 {server} 返回空答复 / empty WHOIS answer from {server}"),
        }
    } else {
        ProbeFailure::Malformed {
            detail: format!("WHOIS 答复无法识别 / unrecognised WHOIS answer from {server}"),
        }
    }
}

/// The name as the registry's A-label, lower case, without the trailing dot.
fn domain_ascii(domain: &str) -> Result<String, ProbeFailure> {
    match crate::dns::ascii_domain(domain) {
        Some(ascii) if ascii.contains('.') => Ok(ascii),
        _ => Err(ProbeFailure::Malformed {
            detail: format!(
                "不是可查询的域名 / not a registrable domain name: {}",
                domain.trim().chars().take(80).collect::<String>()
            ),
        }),
    }
}

/// `Host` → `host:43`; `host:4301` and `[::1]:43` stay as they are (lower case).
fn server_key(server: &str) -> String {
    let server = server.trim().trim_end_matches('/').to_ascii_lowercase();
    let has_port = if server.starts_with('[') {
        server.contains("]:")
    } else {
        server.matches(':').count() == 1
    };
    if has_port {
        server
    } else if server.contains(':') {
        format!("[{server}]:{DEFAULT_PORT}")
    } else {
        format!("{server}:{DEFAULT_PORT}")
    }
}

fn host_of(server: &str) -> String {
    let host = match server.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => host,
        _ => server,
    };
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned()
}

fn port_of(server: &str) -> u16 {
    server
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or(DEFAULT_PORT)
}

fn query_line(host: &str, domain: &str) -> String {
    QUERY_FORMATS
        .iter()
        .find(|(server, _, _)| server.eq_ignore_ascii_case(host))
        .map_or_else(
            || domain.to_owned(),
            |(_, before, after)| format!("{before}{domain}{after}"),
        )
}

fn io_failure(server: &str, error: &std::io::Error) -> ProbeFailure {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => ProbeFailure::Refused {
            peer: server.to_owned(),
        },
        _ => ProbeFailure::Network {
            detail: format!("WHOIS {server}: {error}"),
        },
    }
}

fn cut_text(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_keys_always_carry_a_port() {
        assert_eq!(server_key("Whois.IANA.org"), "whois.iana.org:43");
        assert_eq!(server_key("127.0.0.1:4301"), "127.0.0.1:4301");
        assert_eq!(server_key("::1"), "[::1]:43");
        assert_eq!(server_key("[::1]:4300"), "[::1]:4300");
        assert_eq!(host_of("[::1]:4300"), "::1");
        assert_eq!(host_of("whois.cnnic.cn:43"), "whois.cnnic.cn");
        assert_eq!(port_of("whois.cnnic.cn"), 43);
    }

    #[test]
    fn names_are_asked_as_a_labels() {
        assert_eq!(
            domain_ascii("例子.中国.").ok().as_deref(),
            Some("xn--fsqu00a.xn--fiqs8s")
        );
        assert!(domain_ascii("localhost").is_err());
        assert_eq!(query_line("whois.denic.de", "a.de"), "-T dn,ace a.de");
        assert_eq!(query_line("whois.cnnic.cn", "a.cn"), "a.cn");
    }

    #[test]
    fn raw_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut_text("注册商".to_owned(), 4), "注");
        assert_eq!(cut_text("abc".to_owned(), 10), "abc");
    }
}

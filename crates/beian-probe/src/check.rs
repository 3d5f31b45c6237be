//! A live check of one domain or URL (`beian check`, the probe benchmark): DNS of the host,
//! registration of the registrable domain, the page as every configured persona and the
//! certificate, all at once, plus a plain-words summary of what the evidence means.
//!
//! Every probe is bounded by its own timeout and none waits for another, so a hanging web
//! server costs the HTTP and TLS probes their timeout while DNS and registration still report.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use beian_core::identifier::{ValidationContext, validate_domain};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use url::Url;

use crate::dns::{DnsEvidence, DnsProbe};
use crate::http::{BoxFuture, HostResolver, HttpEvidence, HttpProbe, private_address_kind};
use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::politeness::Politeness;
use crate::rdap::client::RdapClient;
use crate::registration_probe::{RegistrationEvidence, RegistrationProbe};
use crate::settings::{HttpSettings, Persona, ProbeSettings};
use crate::setup::ProbeSetupError;
use crate::tls::{TlsEvidence, TlsVerdict, tls_facts};
use crate::whois::client::WhoisClient;

/// What to check: the URL to fetch first and the names to ask about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckTarget {
    /// The text as given.
    pub input: String,
    /// The first URL fetched: as given, or `https://host/` for a bare domain.
    pub url: Url,
    /// Whether `http://` may be tried when HTTPS cannot connect (only when no scheme was given).
    pub may_fall_back_to_http: bool,
    /// The host as an A-label.
    pub host: String,
    /// The name a registry holds (`example.com.cn` for `www.example.com.cn`), as an A-label.
    pub registrable_domain: String,
}

/// Why a target cannot be checked. Messages name the input and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "「{input}」不是可检查的网址（{detail}）/ '{input}' is not a URL that can be checked ({detail}); give a domain such as example.com or an http(s):// URL"
    )]
    Url { input: String, detail: String },
    #[error(
        "「{input}」不是有效的域名：{reasons} / '{input}' is not a valid domain; give a registered name such as example.com or 例子.中国"
    )]
    Domain { input: String, reasons: String },
}

impl CheckTarget {
    /// A domain (`example.com`, `例子.中国`, `www.example.com/path`) or an http(s) URL. IP
    /// addresses are refused: registration and filings are about names.
    pub fn parse(input: &str, context: &ValidationContext) -> Result<CheckTarget, TargetError> {
        let text = input.trim();
        let has_scheme = text.contains("://");
        let url_text = if has_scheme {
            text.to_owned()
        } else {
            format!("https://{text}")
        };
        let url_error = |detail: String| TargetError::Url {
            input: input.to_owned(),
            detail,
        };
        let mut url = Url::parse(&url_text).map_err(|error| url_error(error.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(url_error(format!(
                "协议 {} 不受支持 / scheme {} is not supported",
                url.scheme(),
                url.scheme()
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| url_error("没有主机名 / no host".to_owned()))?
            .to_owned();
        let validation = validate_domain(&host, context);
        let (Some(ascii), Some(registrable)) = (
            validation
                .canonical
                .clone()
                .filter(|_| validation.is_valid()),
            validation.part("registrable").map(str::to_owned),
        ) else {
            let reasons: Vec<&str> = validation.errors().map(|i| i.message.as_str()).collect();
            return Err(TargetError::Domain {
                input: input.to_owned(),
                reasons: reasons.join("; "),
            });
        };
        // The validator strips a trailing dot; the URL keeps the host as validated.
        if url.host_str() != Some(ascii.as_str()) {
            url.set_host(Some(&ascii))
                .map_err(|error| url_error(error.to_string()))?;
        }
        Ok(CheckTarget {
            input: input.to_owned(),
            url,
            may_fall_back_to_http: !has_scheme,
            host: ascii,
            registrable_domain: registrable,
        })
    }
}

/// Everything one check found, and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub target: String,
    pub host: String,
    pub registrable_domain: String,
    /// The URL the personas fetched (after the HTTPS → HTTP fallback, if any).
    pub url: Url,
    pub started_at: DateTime<Utc>,
    pub elapsed_ms: u64,
    pub dns: Timed<DnsEvidence>,
    pub registration: Timed<RegistrationEvidence>,
    /// One fetch per persona, in the configured order.
    pub http: Vec<Timed<HttpEvidence>>,
    /// Certificate facts, when the URL is (or was first tried as) HTTPS.
    pub tls: Option<Timed<TlsEvidence>>,
    pub summary: CheckSummary,
}

/// The probe names used in [`CheckReport::probe_timings`] and [`CheckReport::failures`].
pub const PROBES: [&str; 4] = ["dns", "registration", "http", "tls"];

impl CheckReport {
    /// (probe, elapsed ms) for every probe that ran; `http` once per persona.
    pub fn probe_timings(&self) -> Vec<(&'static str, u64)> {
        let mut timings = vec![
            ("dns", self.dns.elapsed_ms),
            ("registration", self.registration.elapsed_ms),
        ];
        timings.extend(self.http.iter().map(|fetch| ("http", fetch.elapsed_ms)));
        if let Some(tls) = &self.tls {
            timings.push(("tls", tls.elapsed_ms));
        }
        timings
    }

    /// (probe, failure kind) for every probe that produced no evidence.
    pub fn failures(&self) -> Vec<(&'static str, &'static str)> {
        let mut failures = Vec::new();
        if let Some(failure) = self.dns.outcome.failure() {
            failures.push(("dns", failure_kind(failure)));
        }
        if let Outcome::Ok(registration) = &self.registration.outcome
            && registration.record.is_none()
        {
            let attempt_failure = registration
                .whois
                .as_ref()
                .and_then(|whois| whois.outcome.failure())
                .or_else(|| {
                    registration
                        .rdap
                        .as_ref()
                        .and_then(|rdap| rdap.outcome.failure())
                });
            failures.push((
                "registration",
                attempt_failure.map_or("no_definite_answer", failure_kind),
            ));
        }
        for fetch in &self.http {
            if let Some(failure) = fetch.outcome.failure() {
                failures.push(("http", failure_kind(failure)));
            }
        }
        if let Some(failure) = self.tls.as_ref().and_then(|tls| tls.outcome.failure()) {
            failures.push(("tls", failure_kind(failure)));
        }
        failures
    }
}

/// The snake_case name of a failure, as it appears in JSON (`timeout`, `nx_domain`, …).
pub fn failure_kind(failure: &ProbeFailure) -> &'static str {
    match failure {
        ProbeFailure::Timeout { .. } => "timeout",
        ProbeFailure::Refused { .. } => "refused",
        ProbeFailure::NxDomain { .. } => "nx_domain",
        ProbeFailure::NoRecords { .. } => "no_records",
        ProbeFailure::RateLimited { .. } => "rate_limited",
        ProbeFailure::Malformed { .. } => "malformed",
        ProbeFailure::TooLarge { .. } => "too_large",
        ProbeFailure::TooManyRedirects { .. } => "too_many_redirects",
        ProbeFailure::Tls { .. } => "tls",
        ProbeFailure::Forbidden { .. } => "forbidden",
        ProbeFailure::NoServer { .. } => "no_server",
        ProbeFailure::Network { .. } => "network",
    }
}

/// Runs the probes of a check. Build one per run: it holds the clients, their connection
/// pools, the WHOIS cache and the politeness limits every check shares.
pub struct SiteChecker {
    dns: Arc<DnsProbe>,
    registration: RegistrationProbe,
    http: HttpProbe,
    http_settings: HttpSettings,
    allow_private: bool,
}

impl std::fmt::Debug for SiteChecker {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SiteChecker")
            .field("dns", &self.dns)
            .finish_non_exhaustive()
    }
}

/// The DNS probe as the HTTP probe's resolver, so pages are fetched from the addresses the
/// configured nameservers give (an internal resolver, the lab).
struct DnsHostResolver(Arc<DnsProbe>);

impl HostResolver for DnsHostResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, ProbeFailure>> {
        Box::pin(self.0.resolve_ips(host))
    }
}

impl SiteChecker {
    pub fn new(settings: &ProbeSettings) -> Result<SiteChecker, ProbeSetupError> {
        let dns = Arc::new(DnsProbe::new(&settings.dns)?);
        let politeness = Politeness::new(&settings.limits);
        let whois = WhoisClient::new(&settings.whois).with_resolver(Arc::clone(&dns));
        let rdap = RdapClient::with_default_http(&settings.rdap, &settings.http.extra_roots_pem)?;
        let http = HttpProbe::new(
            &settings.http,
            &settings.network,
            Arc::new(DnsHostResolver(Arc::clone(&dns))),
            Some(politeness),
        )?;
        Ok(SiteChecker {
            dns,
            registration: RegistrationProbe::new(Arc::new(rdap), Arc::new(whois)),
            http,
            http_settings: settings.http.clone(),
            allow_private: settings.network.allow_private,
        })
    }

    /// Checks one target; never fails — every problem is evidence in the report.
    pub async fn check(&self, target: &CheckTarget) -> CheckReport {
        let started_at = Utc::now();
        let clock = std::time::Instant::now();
        let (dns, registration, (url, http, tls)) = tokio::join!(
            self.dns.lookup(&target.host),
            Timed::measure(async {
                Outcome::Ok(self.registration.lookup(&target.registrable_domain).await)
            }),
            self.web(target),
        );
        let summary = CheckSummary::of(
            &dns,
            &registration,
            &http,
            &self.http_settings.personas,
            tls.as_ref(),
            today_in_china(),
        );
        CheckReport {
            target: target.input.clone(),
            host: target.host.clone(),
            registrable_domain: target.registrable_domain.clone(),
            url,
            started_at,
            elapsed_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            dns,
            registration,
            http,
            tls,
            summary,
        }
    }

    /// The personas' fetches and, for HTTPS, the certificate; a bare domain whose HTTPS does
    /// not connect at all is fetched again over plain HTTP.
    async fn web(
        &self,
        target: &CheckTarget,
    ) -> (Url, Vec<Timed<HttpEvidence>>, Option<Timed<TlsEvidence>>) {
        let url = target.url.clone();
        if url.scheme() != "https" {
            let http = self.fetch_personas(&url).await;
            return (url, http, None);
        }
        let (http, tls) = tokio::join!(self.fetch_personas(&url), self.tls(&target.host, &url));
        if target.may_fall_back_to_http && !http.is_empty() && http.iter().all(could_not_connect) {
            let mut plain = url.clone();
            if plain.set_scheme("http").is_ok() {
                let http = self.fetch_personas(&plain).await;
                return (plain, http, Some(tls));
            }
        }
        (url, http, Some(tls))
    }

    /// Fetches `url` as every configured persona, in settings order. The per-host limit
    /// queues personas behind each other, so a host that hangs would cost one timeout per
    /// round of personas: once one persona times out, the ones still waiting are given up and
    /// recorded as not attempted, and the check costs about one timeout.
    async fn fetch_personas(&self, url: &Url) -> Vec<Timed<HttpEvidence>> {
        let personas = &self.http_settings.personas;
        let started_at = Utc::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (index, persona) in personas.iter().copied().enumerate() {
            let http = self.http.clone();
            let url = url.clone();
            tasks.spawn(async move { (index, http.fetch(&url, persona).await) });
        }
        let mut results: Vec<Option<Timed<HttpEvidence>>> = vec![None; personas.len()];
        let mut timed_out: Option<Persona> = None;
        while let Some(joined) = tasks.join_next().await {
            // Only tasks aborted below end without a result.
            let Ok((index, fetch)) = joined else { continue };
            if timed_out.is_none()
                && matches!(fetch.outcome.failure(), Some(ProbeFailure::Timeout { .. }))
            {
                timed_out = personas.get(index).copied();
                tasks.abort_all();
            }
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(fetch);
            }
        }
        let elapsed_ms = u64::try_from((Utc::now() - started_at).num_milliseconds()).unwrap_or(0);
        results
            .into_iter()
            .map(|slot| {
                slot.unwrap_or_else(|| {
                    let cause = timed_out.map_or_else(String::new, |p| p.kind.as_str().to_owned());
                    Timed {
                        started_at,
                        elapsed_ms,
                        outcome: Outcome::Failed(ProbeFailure::Network {
                            detail: format!(
                                "未尝试：{url} 对 {cause} 已超时 / not attempted: {url} timed out for {cause}"
                            ),
                        }),
                    }
                })
            })
            .collect()
    }

    async fn tls(&self, host: &str, url: &Url) -> Timed<TlsEvidence> {
        let port = url.port().unwrap_or(self.http_settings.https_port);
        let address = match self.http_settings.resolve.get(host) {
            // Operator overrides are trusted as configured, as the HTTP probe trusts them.
            Some(address) => Ok(*address),
            None => self
                .dns
                .resolve_ips(host)
                .await
                .and_then(|ips| self.first_allowed(host, &ips))
                .map(|ip| SocketAddr::new(ip, port)),
        };
        match address {
            Ok(address) => tls_facts(host, address, &self.http_settings).await,
            Err(failure) => Timed {
                started_at: Utc::now(),
                elapsed_ms: 0,
                outcome: Outcome::Failed(failure),
            },
        }
    }

    /// The first address, unless any is refused by the private-address policy (a name that
    /// mixes public and private records is refused whole, as the HTTP probe does).
    fn first_allowed(&self, host: &str, ips: &[IpAddr]) -> Result<IpAddr, ProbeFailure> {
        if !self.allow_private
            && let Some((ip, kind)) = ips
                .iter()
                .find_map(|ip| private_address_kind(*ip).map(|kind| (*ip, kind)))
        {
            return Err(ProbeFailure::Forbidden {
                detail: format!(
                    "{host} 解析到{kind}地址 {ip}，未设置 network.allow_private 时拒绝探测 / \
                     {host} resolves to the {kind} address {ip}; set network.allow_private to probe it"
                ),
            });
        }
        ips.first().copied().ok_or_else(|| ProbeFailure::NoRecords {
            name: host.to_owned(),
        })
    }
}

/// A fetch that never reached a server: worth retrying over plain HTTP. A timeout is not
/// (the server is there and slow; trying again only doubles the wait).
fn could_not_connect(fetch: &Timed<HttpEvidence>) -> bool {
    matches!(
        fetch.outcome.failure(),
        Some(
            ProbeFailure::Refused { .. } | ProbeFailure::Network { .. } | ProbeFailure::Tls { .. }
        )
    )
}

/// Filing and expiry dates are Beijing dates.
fn today_in_china() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

/// How worrying a summary line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    Ok,
    Info,
    Warning,
    Problem,
}

/// One sentence about the evidence, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub probe: &'static str,
    pub level: NoteLevel,
    pub zh: String,
    pub en: String,
}

/// Registration state in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    Registered,
    NotRegistered,
    Unknown,
}

/// What one persona ended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonaResult {
    pub persona: Persona,
    pub status: Option<u16>,
    pub final_url: Option<Url>,
    pub title: Option<String>,
    pub failure: Option<String>,
}

/// What the evidence means, for people and for `--json` consumers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckSummary {
    pub registration: RegistrationState,
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// Days from today (Beijing) to the expiry date (Beijing); negative once expired.
    pub days_left: Option<i64>,
    pub statuses: Vec<String>,
    /// The response code of the host's A query (`NOERROR`, `NXDOMAIN`, `timeout` …).
    pub dns_rcode: Option<String>,
    pub addresses: Vec<IpAddr>,
    /// The host's CNAME chain ends in a name that does not exist: a takeover risk.
    pub dangling_cname: bool,
    pub http: Vec<PersonaResult>,
    /// Personas that got an answer ended on different URLs or titles (possible cloaking).
    pub personas_differ: bool,
    pub tls_verdict: Option<TlsVerdict>,
    pub tls_days_left: Option<i64>,
    pub notes: Vec<Note>,
}

impl CheckSummary {
    pub fn of(
        dns: &Timed<DnsEvidence>,
        registration: &Timed<RegistrationEvidence>,
        http: &[Timed<HttpEvidence>],
        personas: &[Persona],
        tls: Option<&Timed<TlsEvidence>>,
        today: NaiveDate,
    ) -> CheckSummary {
        let mut notes = Vec::new();
        let mut summary = CheckSummary {
            registration: RegistrationState::Unknown,
            expires_at: None,
            days_left: None,
            statuses: Vec::new(),
            dns_rcode: None,
            addresses: Vec::new(),
            dangling_cname: false,
            http: Vec::new(),
            personas_differ: false,
            tls_verdict: None,
            tls_days_left: None,
            notes: Vec::new(),
        };
        summary.read_registration(registration, today, &mut notes);
        summary.read_dns(dns, &mut notes);
        summary.read_http(http, personas, &mut notes);
        summary.read_tls(tls, &mut notes);
        summary.notes = notes;
        summary
    }

    fn read_registration(
        &mut self,
        registration: &Timed<RegistrationEvidence>,
        today: NaiveDate,
        notes: &mut Vec<Note>,
    ) {
        let evidence = registration.outcome.ok();
        let Some(record) = evidence.and_then(|e| e.record.as_ref()) else {
            notes.push(note(
                "registration",
                NoteLevel::Warning,
                "注册信息未知：RDAP 与 WHOIS 都没有给出明确答复".to_owned(),
                "registration unknown: neither RDAP nor WHOIS gave a definite answer".to_owned(),
            ));
            return;
        };
        if !record.registered {
            self.registration = RegistrationState::NotRegistered;
            notes.push(note(
                "registration",
                NoteLevel::Problem,
                "域名未注册：任何人都可以注册它".to_owned(),
                "the domain is not registered: anyone can register it".to_owned(),
            ));
            return;
        }
        self.registration = RegistrationState::Registered;
        self.statuses = record.statuses.clone();
        self.expires_at = record.expires_at;
        let Some(expires_at) = record.expires_at else {
            notes.push(note(
                "registration",
                NoteLevel::Info,
                "已注册，注册局未公布到期日".to_owned(),
                "registered; the registry publishes no expiry date".to_owned(),
            ));
            return;
        };
        let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
        let expiry_date = expires_at.with_timezone(&china).date_naive();
        let days = (expiry_date - today).num_days();
        self.days_left = Some(days);
        let (level, zh, en) = if days < 0 {
            (
                NoteLevel::Problem,
                format!("域名已于 {expiry_date} 过期（{} 天前）", -days),
                format!("the domain expired on {expiry_date} ({} days ago)", -days),
            )
        } else if days <= 30 {
            (
                NoteLevel::Warning,
                format!("域名将于 {expiry_date} 到期，还剩 {days} 天"),
                format!("the domain expires on {expiry_date}, in {days} days"),
            )
        } else {
            (
                NoteLevel::Ok,
                format!("已注册，{expiry_date} 到期（还剩 {days} 天）"),
                format!("registered until {expiry_date} ({days} days left)"),
            )
        };
        notes.push(note("registration", level, zh, en));
        let hold: Vec<&String> = record
            .statuses
            .iter()
            .filter(|s| {
                let lower = s.to_ascii_lowercase();
                lower.contains("hold")
                    || lower.contains("redemption")
                    || lower.contains("pendingdelete")
            })
            .collect();
        if !hold.is_empty() {
            let list = hold
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            notes.push(note(
                "registration",
                NoteLevel::Problem,
                format!("注册状态 {list}：域名可能停止解析或即将删除"),
                format!("status {list}: the name may stop resolving or be deleted"),
            ));
        }
    }

    fn read_dns(&mut self, dns: &Timed<DnsEvidence>, notes: &mut Vec<Note>) {
        let evidence = match &dns.outcome {
            Outcome::Ok(evidence) => evidence,
            Outcome::Failed(failure) => {
                self.dns_rcode = Some(failure_kind(failure).to_owned());
                notes.push(note(
                    "dns",
                    NoteLevel::Problem,
                    format!("DNS 查询失败：{failure}"),
                    format!("DNS lookup failed: {failure}"),
                ));
                return;
            }
        };
        self.dns_rcode = evidence.rcodes.get("A").cloned();
        self.addresses = evidence
            .a
            .iter()
            .map(|ip| IpAddr::V4(*ip))
            .chain(evidence.aaaa.iter().map(|ip| IpAddr::V6(*ip)))
            .collect();
        self.dangling_cname = !evidence.cname_chain.is_empty()
            && evidence.cname_target_rcode.as_deref() == Some("NXDOMAIN");
        if self.dangling_cname {
            let target = evidence
                .cname_chain
                .last()
                .map_or("?", |link| link.to.as_str());
            notes.push(note(
                "dns",
                NoteLevel::Problem,
                format!("CNAME 指向不存在的 {target}：可能被他人认领接管"),
                format!("the CNAME points at {target}, which does not exist: a takeover risk"),
            ));
        } else if self.dns_rcode.as_deref() == Some("NXDOMAIN") {
            notes.push(note(
                "dns",
                NoteLevel::Problem,
                format!("{} 不存在（NXDOMAIN）：网站无法访问", evidence.name),
                format!(
                    "{} does not exist (NXDOMAIN): the site is unreachable",
                    evidence.name
                ),
            ));
        } else if self.addresses.is_empty() {
            let rcode = self.dns_rcode.clone().unwrap_or_else(|| "-".to_owned());
            notes.push(note(
                "dns",
                NoteLevel::Warning,
                format!("{} 没有 A/AAAA 记录（{rcode}）", evidence.name),
                format!("{} has no A/AAAA records ({rcode})", evidence.name),
            ));
        } else {
            let list: Vec<String> = self.addresses.iter().map(ToString::to_string).collect();
            notes.push(note(
                "dns",
                NoteLevel::Ok,
                format!("解析到 {}", list.join(", ")),
                format!("resolves to {}", list.join(", ")),
            ));
        }
    }

    /// `personas` is the order the fetches were made in: a failed fetch carries no persona.
    fn read_http(
        &mut self,
        http: &[Timed<HttpEvidence>],
        personas: &[Persona],
        notes: &mut Vec<Note>,
    ) {
        for (fetch, persona) in http.iter().zip(personas) {
            let result = match &fetch.outcome {
                Outcome::Ok(page) => PersonaResult {
                    persona: page.persona,
                    status: Some(page.status),
                    final_url: Some(page.final_url.clone()),
                    title: page_title(&page.body),
                    failure: page.error.as_ref().map(ToString::to_string),
                },
                Outcome::Failed(failure) => PersonaResult {
                    persona: *persona,
                    status: None,
                    final_url: None,
                    title: None,
                    failure: Some(failure.to_string()),
                },
            };
            self.http.push(result);
        }
        let answered: Vec<&PersonaResult> =
            self.http.iter().filter(|r| r.status.is_some()).collect();
        let distinct: BTreeMap<(Option<&str>, Option<&str>), usize> =
            answered.iter().fold(BTreeMap::new(), |mut seen, result| {
                let key = (
                    result.final_url.as_ref().map(Url::as_str),
                    result.title.as_deref(),
                );
                *seen.entry(key).or_default() += 1;
                seen
            });
        self.personas_differ = distinct.len() > 1;
        if http.is_empty() {
            return;
        }
        if answered.is_empty() {
            // The persona that actually failed says more than the ones given up after it.
            let failure = http
                .iter()
                .filter_map(|fetch| fetch.outcome.failure())
                .min_by_key(|failure| matches!(failure, ProbeFailure::Network { .. }))
                .map(ToString::to_string)
                .unwrap_or_default();
            notes.push(note(
                "http",
                NoteLevel::Problem,
                format!("网站无法访问：{failure}"),
                format!("the site could not be fetched: {failure}"),
            ));
            return;
        }
        let statuses: Vec<String> = answered
            .iter()
            .filter_map(|r| r.status)
            .map(|s| s.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let all_ok = answered.iter().all(|r| r.status == Some(200));
        let level = if all_ok && answered.len() == http.len() {
            NoteLevel::Ok
        } else {
            NoteLevel::Warning
        };
        notes.push(note(
            "http",
            level,
            format!(
                "{}/{} 个访问身份得到应答，状态码 {}",
                answered.len(),
                http.len(),
                statuses.join(", ")
            ),
            format!(
                "{} of {} personas answered, status {}",
                answered.len(),
                http.len(),
                statuses.join(", ")
            ),
        ));
        if self.personas_differ {
            notes.push(note(
                "http",
                NoteLevel::Warning,
                "不同访问身份看到的最终网址或标题不同：可能存在蜘蛛或来路劫持".to_owned(),
                "personas ended on different URLs or titles: possible spider or referrer cloaking"
                    .to_owned(),
            ));
        }
    }

    fn read_tls(&mut self, tls: Option<&Timed<TlsEvidence>>, notes: &mut Vec<Note>) {
        let Some(tls) = tls else { return };
        match &tls.outcome {
            Outcome::Ok(facts) => {
                self.tls_verdict = Some(facts.verdict.clone());
                self.tls_days_left = Some(facts.days_left);
                let (level, zh, en) = match &facts.verdict {
                    TlsVerdict::Valid if facts.days_left <= 14 => (
                        NoteLevel::Warning,
                        format!("证书有效，但 {} 天后到期", facts.days_left),
                        format!("certificate valid but expires in {} days", facts.days_left),
                    ),
                    TlsVerdict::Valid => (
                        NoteLevel::Ok,
                        format!("证书有效，还剩 {} 天", facts.days_left),
                        format!("certificate valid, {} days left", facts.days_left),
                    ),
                    other => (
                        NoteLevel::Problem,
                        format!("证书无效（{}）", verdict_label(other)),
                        format!("certificate not valid ({})", verdict_label(other)),
                    ),
                };
                notes.push(note("tls", level, zh, en));
            }
            Outcome::Failed(failure) => notes.push(note(
                "tls",
                NoteLevel::Warning,
                format!("无法取得证书：{failure}"),
                format!("no certificate obtained: {failure}"),
            )),
        }
    }
}

/// The verdict's snake_case name.
pub fn verdict_label(verdict: &TlsVerdict) -> String {
    match verdict {
        TlsVerdict::Valid => "valid".to_owned(),
        TlsVerdict::Expired => "expired".to_owned(),
        TlsVerdict::NotYetValid => "not_yet_valid".to_owned(),
        TlsVerdict::SelfSigned => "self_signed".to_owned(),
        TlsVerdict::UnknownIssuer => "unknown_issuer".to_owned(),
        TlsVerdict::NameMismatch => "name_mismatch".to_owned(),
        TlsVerdict::Other(detail) => format!("other: {detail}"),
    }
}

fn note(probe: &'static str, level: NoteLevel, zh: String, en: String) -> Note {
    Note {
        probe,
        level,
        zh,
        en,
    }
}

/// Longest title kept, in characters: a stuffed title is evidence, but not all of it.
const MAX_TITLE_CHARS: usize = 200;

/// The text of the first `<title>`, whitespace collapsed. Attacker-controlled input: one
/// linear scan, no HTML parsing (the detection issue brings a real parser).
pub fn page_title(html: &str) -> Option<String> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    let open_end = loop {
        let found = from + lower.get(from..)?.find("<title")?;
        let after = found + "<title".len();
        match lower.as_bytes().get(after) {
            Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r') => {
                break after + lower.get(after..)?.find('>')? + 1;
            }
            _ => from = after,
        }
    };
    let close = open_end + lower.get(open_end..)?.find("</title")?;
    let text: String = html
        .get(open_end..close)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text: String = text.chars().take(MAX_TITLE_CHARS).collect();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use beian_core::identifier::FileableTlds;

    use super::*;

    fn context() -> ValidationContext {
        ValidationContext {
            today: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date"),
            fileable_tlds: FileableTlds::bundled(),
        }
    }

    #[test]
    fn bare_domain_becomes_https_with_fallback() {
        let target = CheckTarget::parse("WWW.Example.com.cn", &context()).expect("valid");
        assert_eq!(target.url.as_str(), "https://www.example.com.cn/");
        assert!(target.may_fall_back_to_http);
        assert_eq!(target.host, "www.example.com.cn");
        assert_eq!(target.registrable_domain, "example.com.cn");
    }

    #[test]
    fn url_keeps_scheme_and_path_and_idn_is_an_a_label() {
        let target = CheckTarget::parse("http://例子.中国/新闻?a=1", &context()).expect("valid");
        assert_eq!(target.url.scheme(), "http");
        assert!(!target.may_fall_back_to_http);
        assert_eq!(target.host, "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(target.registrable_domain, "xn--fsqu00a.xn--fiqs8s");
        assert!(target.url.path().starts_with('/'));
    }

    #[test]
    fn bad_targets_are_refused() {
        for bad in [
            "",
            "not a domain",
            "ftp://example.com/",
            "http://127.0.0.1/",
            "com",
        ] {
            assert!(CheckTarget::parse(bad, &context()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn title_is_the_first_title_text() {
        assert_eq!(
            page_title("<html><head><TITLE lang=zh>\n  欢迎  光临 </title><title>two</title>"),
            Some("欢迎 光临".to_owned())
        );
        assert_eq!(page_title("<titles>x</titles>"), None);
        assert_eq!(page_title("<title>unclosed"), None);
        assert_eq!(page_title(""), None);
    }
}

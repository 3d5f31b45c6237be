//! A live check of one domain or URL (`beian check`, the probe benchmark): DNS of the host,
//! registration of the registrable domain, the page as every configured persona and the
//! certificate, all at once, plus a plain-words summary of what the evidence means.
//!
//! Every probe is bounded by its own timeout and none waits for another, so a hanging web
//! server costs the HTTP and TLS probes their timeout while DNS and registration still report.

mod resolver;
mod summary;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use beian_core::identifier::{ValidationContext, validate_domain};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use url::Url;

use crate::dns::{DnsEvidence, DnsProbe};
use crate::http::{HostResolver, HttpEvidence, HttpProbe, private_address_kind};
use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::politeness::Politeness;
use crate::rdap::client::RdapClient;
use crate::registration_probe::{RegistrationEvidence, RegistrationProbe};
use crate::settings::{HttpSettings, Persona, ProbeSettings};
use crate::setup::ProbeSetupError;
use crate::tls::{TlsEvidence, tls_facts};
use crate::whois::client::WhoisClient;
use resolver::SharedResolver;
pub use summary::{
    CheckSummary, Note, NoteLevel, PersonaResult, RegistrationState, page_title, verdict_label,
};

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

    /// Every probe that produced no evidence: which, why (a [`failure_kind`] name) and the
    /// failure's own words.
    pub fn failures(&self) -> Vec<FailedProbe> {
        let failed = |probe: &'static str, failure: &ProbeFailure| FailedProbe {
            probe,
            kind: failure_kind(failure),
            detail: failure.to_string(),
        };
        let mut failures = Vec::new();
        if let Some(failure) = self.dns.outcome.failure() {
            failures.push(failed("dns", failure));
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
            failures.push(match attempt_failure {
                Some(failure) => failed("registration", failure),
                None => FailedProbe {
                    probe: "registration",
                    kind: "no_definite_answer",
                    detail: "neither RDAP nor WHOIS gave a definite answer".to_owned(),
                },
            });
        }
        for fetch in &self.http {
            if let Some(failure) = fetch.outcome.failure() {
                failures.push(failed("http", failure));
            }
        }
        if let Some(failure) = self.tls.as_ref().and_then(|tls| tls.outcome.failure()) {
            failures.push(failed("tls", failure));
        }
        failures
    }
}

/// A probe of a check that produced no evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedProbe {
    pub probe: &'static str,
    pub kind: &'static str,
    pub detail: String,
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
    resolver: Arc<SharedResolver>,
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

impl SiteChecker {
    pub fn new(settings: &ProbeSettings) -> Result<SiteChecker, ProbeSetupError> {
        let dns = Arc::new(DnsProbe::new(&settings.dns)?);
        let resolver = Arc::new(SharedResolver::new(Arc::clone(&dns)));
        let politeness = Politeness::new(&settings.limits);
        let whois = WhoisClient::new(&settings.whois).with_resolver(Arc::clone(&dns));
        let rdap = RdapClient::with_default_http(&settings.rdap, &settings.http.extra_roots_pem)?;
        let http = HttpProbe::new(
            &settings.http,
            &settings.network,
            Arc::clone(&resolver) as Arc<dyn HostResolver>,
            Some(politeness),
        )?;
        Ok(SiteChecker {
            dns,
            resolver,
            registration: RegistrationProbe::new(Arc::new(rdap), Arc::new(whois)),
            http,
            http_settings: settings.http.clone(),
            allow_private: settings.network.allow_private,
        })
    }

    /// Checks one target; never fails — every problem is evidence in the report.
    pub async fn check(&self, target: &CheckTarget) -> CheckReport {
        self.check_with(target, true).await
    }

    /// [`SiteChecker::check`], with the registration lookup only when `registration` is
    /// set (else "not run"): a scheduler fetches pages hourly but asks RDAP/WHOIS daily,
    /// since registries rate-limit and registration changes slowly.
    pub async fn check_with(&self, target: &CheckTarget, registration: bool) -> CheckReport {
        let started_at = Utc::now();
        let clock = Instant::now();
        let (dns, registration, (url, http, tls)) = tokio::join!(
            self.dns.lookup(&target.host),
            async {
                if registration {
                    Timed::measure(async {
                        Outcome::Ok(self.registration.lookup(&target.registrable_domain).await)
                    })
                    .await
                } else {
                    Timed::not_run(started_at)
                }
            },
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
                .resolver
                .addresses(host)
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
}

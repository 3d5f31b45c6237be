//! The RDAP client (RFC 9082/9083): one `GET {base}domain/{name}` per lookup.
//!
//! The base URL comes from `rdap.servers[tld]`, else the IANA bootstrap (`rdap.bootstrap_json`
//! or the bundled copy). Redirects (registry → registrar) are followed by us, at most
//! [`MAX_REDIRECTS`]. A 404 is evidence ("not registered"), a 429 is `RateLimited` with the
//! server's Retry-After. Bodies are streamed and cut at `rdap.max_answer_bytes`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, CONTENT_LENGTH, LOCATION, RETRY_AFTER};
use reqwest::{Client, Response, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;

use super::{RdapBootstrap, parse_rdap_domain};
use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::politeness::ServerRateLimits;
use crate::registration::RegistrationRecord;
use crate::settings::RdapSettings;
use crate::setup::ProbeSetupError;
use crate::whois::tld_of;

/// Most redirects followed for one lookup.
pub const MAX_REDIRECTS: u32 = 5;
const ACCEPT_RDAP: &str = "application/rdap+json, application/json;q=0.9";

/// What RDAP says about one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RdapEvidence {
    /// The name asked for, as an A-label.
    pub domain: String,
    /// The URL that gave the final answer.
    pub url: String,
    pub status: u16,
    /// False exactly when the server answered 404.
    pub registered: bool,
    pub record: Option<RegistrationRecord>,
    /// URLs that redirected, in order (empty without redirects).
    pub redirects: Vec<String>,
}

/// An RDAP client. One per run; share it behind an `Arc`.
pub struct RdapClient {
    http: Client,
    bootstrap: Option<Arc<RdapBootstrap>>,
    servers: BTreeMap<String, Url>,
    timeout: Duration,
    max_answer_bytes: usize,
    rate_limits: ServerRateLimits,
}

impl std::fmt::Debug for RdapClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RdapClient")
            .field("servers", &self.servers)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RdapClient {
    /// Uses `http` as given; build it with automatic redirects off (we follow them, with a
    /// limit) — a client that follows them itself only hides the registry's hop.
    pub fn new(settings: &RdapSettings, http: Client) -> Result<RdapClient, ProbeSetupError> {
        let bootstrap = match &settings.bootstrap_json {
            Some(json) => Some(Arc::new(RdapBootstrap::from_json(json.as_bytes())?)),
            None => None,
        };
        let servers = settings
            .servers
            .iter()
            .map(|(tld, url)| (tld.trim_matches('.').to_lowercase(), as_base(url.clone())))
            .collect();
        Ok(RdapClient {
            http,
            bootstrap,
            servers,
            timeout: settings.timeout,
            max_answer_bytes: settings.max_answer_bytes,
            rate_limits: ServerRateLimits::new(settings.per_server_per_minute),
        })
    }

    /// Builds its own HTTPS client: rustls with ring, webpki-roots plus `extra_roots_pem`.
    pub fn with_default_http(
        settings: &RdapSettings,
        extra_roots_pem: &[String],
    ) -> Result<RdapClient, ProbeSetupError> {
        let roots = Arc::new(crate::tls::root_store(extra_roots_pem)?);
        let http_error = |error: &dyn std::fmt::Display| ProbeSetupError::HttpClient {
            purpose: "RDAP",
            detail: error.to_string(),
        };
        let mut tls = rustls::ClientConfig::builder_with_provider(crate::tls::crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(|error| http_error(&error))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let http = Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.timeout)
            .user_agent(concat!(
                "beian-guard/",
                env!("CARGO_PKG_VERSION"),
                " (RDAP)"
            ))
            .build()
            .map_err(|error| http_error(&error))?;
        RdapClient::new(settings, http)
    }

    /// Replaces the per-server rate limit (tests use short windows).
    pub fn with_rate_limits(mut self, rate_limits: ServerRateLimits) -> RdapClient {
        self.rate_limits = rate_limits;
        self
    }

    /// The base URL that answers for `domain`: the per-TLD override, else the bootstrap's
    /// (HTTPS first). `None` when the registry publishes no RDAP service (e.g. .cn).
    pub fn base_url_for(&self, domain: &str) -> Option<Url> {
        let tld = tld_of(domain)?;
        if let Some(url) = self.servers.get(&tld) {
            return Some(url.clone());
        }
        let bootstrap = self
            .bootstrap
            .as_deref()
            .unwrap_or_else(|| RdapBootstrap::bundled());
        let ascii = crate::dns::ascii_domain(domain)?;
        bootstrap
            .base_urls_for_domain(&ascii)
            .and_then(|urls| urls.first())
            .cloned()
    }

    pub async fn lookup(&self, domain: &str) -> Timed<RdapEvidence> {
        Timed::measure(self.lookup_inner(domain)).await
    }

    async fn lookup_inner(&self, domain: &str) -> Outcome<RdapEvidence> {
        let trimmed = domain.trim().trim_end_matches('.');
        let ascii = match crate::dns::ascii_domain(trimmed) {
            Some(ascii) if ascii.contains('.') => ascii,
            _ => {
                return Outcome::Failed(ProbeFailure::Malformed {
                    detail: format!(
                        "不是可查询的域名 / not a registrable domain name: {}",
                        trimmed.chars().take(80).collect::<String>()
                    ),
                });
            }
        };
        let Some(base) = self.base_url_for(&ascii) else {
            let tld = tld_of(&ascii).unwrap_or_default();
            return Outcome::Failed(ProbeFailure::NoServer {
                what: format!("RDAP 服务 / RDAP service for .{tld} (set rdap.servers.{tld})"),
            });
        };
        let mut url = match base.join(&format!("domain/{ascii}")) {
            Ok(url) => url,
            Err(error) => {
                return Outcome::Failed(ProbeFailure::Malformed {
                    detail: format!("RDAP URL {base}: {error}"),
                });
            }
        };
        let mut redirects = Vec::new();
        loop {
            let host = url.host_str().unwrap_or_default().to_owned();
            self.rate_limits.until_ready(&host).await;
            let exchange = self.fetch(&url);
            let (status, location, body) = match tokio::time::timeout(self.timeout, exchange).await
            {
                Ok(Ok(answer)) => answer,
                Ok(Err(failure)) => return Outcome::Failed(failure),
                Err(_) => {
                    return Outcome::Failed(ProbeFailure::Timeout {
                        after_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                    });
                }
            };
            if status.is_redirection() {
                let Some(next) = location.and_then(|location| url.join(&location).ok()) else {
                    return Outcome::Failed(ProbeFailure::Malformed {
                        detail: format!("RDAP {url}: HTTP {status} without a usable Location"),
                    });
                };
                if redirects.len() >= MAX_REDIRECTS as usize {
                    return Outcome::Failed(ProbeFailure::TooManyRedirects {
                        limit: MAX_REDIRECTS,
                    });
                }
                redirects.push(url.to_string());
                url = next;
                continue;
            }
            return match body {
                Answer::RateLimited { retry_after_s } => {
                    Outcome::Failed(ProbeFailure::RateLimited {
                        server: host,
                        retry_after_s,
                    })
                }
                Answer::Body(bytes) => interpret(ascii, url, status, &bytes, redirects),
            };
        }
    }

    /// One request: status, Location, and the body (read only for final answers).
    async fn fetch(&self, url: &Url) -> Result<(StatusCode, Option<String>, Answer), ProbeFailure> {
        let response = self
            .http
            .get(url.clone())
            .header(ACCEPT, ACCEPT_RDAP)
            .send()
            .await
            .map_err(|error| request_failure(url, &error))?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        if status.is_redirection() {
            return Ok((status, location, Answer::Body(Vec::new())));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after_s = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| retry_after_seconds(value, Utc::now()));
            return Ok((status, location, Answer::RateLimited { retry_after_s }));
        }
        let body = self.read_capped(response, url).await?;
        Ok((status, location, Answer::Body(body)))
    }

    async fn read_capped(
        &self,
        mut response: Response,
        url: &Url,
    ) -> Result<Vec<u8>, ProbeFailure> {
        let limit = self.max_answer_bytes;
        let too_large = ProbeFailure::TooLarge {
            limit_bytes: u64::try_from(limit).unwrap_or(u64::MAX),
        };
        let announced = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if announced.is_some_and(|length| length > limit as u64) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| request_failure(url, &error))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

enum Answer {
    Body(Vec<u8>),
    RateLimited { retry_after_s: Option<u64> },
}

fn interpret(
    domain: String,
    url: Url,
    status: StatusCode,
    body: &[u8],
    redirects: Vec<String>,
) -> Outcome<RdapEvidence> {
    let evidence = |registered, record| RdapEvidence {
        domain: domain.clone(),
        url: url.to_string(),
        status: status.as_u16(),
        registered,
        record,
        redirects: redirects.clone(),
    };
    if status == StatusCode::NOT_FOUND {
        return Outcome::Ok(evidence(false, None));
    }
    if !status.is_success() {
        let detail = format!("RDAP {url}: HTTP {status}");
        return Outcome::Failed(if status.is_server_error() {
            ProbeFailure::Network { detail }
        } else {
            ProbeFailure::Malformed { detail }
        });
    }
    match parse_rdap_domain(body) {
        Ok(record) => Outcome::Ok(evidence(true, Some(record))),
        Err(error) => Outcome::Failed(ProbeFailure::Malformed {
            detail: format!("RDAP {url}: {error}"),
        }),
    }
}

/// Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); a past date is 0.
fn retry_after_seconds(value: &str, now: DateTime<Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let when = DateTime::parse_from_rfc2822(value).ok()?;
    let seconds = (when.with_timezone(&Utc) - now).num_seconds();
    Some(u64::try_from(seconds).unwrap_or(0))
}

fn request_failure(url: &Url, error: &reqwest::Error) -> ProbeFailure {
    let mut detail = format!("RDAP {url}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    if error.is_timeout() {
        ProbeFailure::Timeout { after_ms: 0 }
    } else if error.is_connect() && detail.to_lowercase().contains("refused") {
        ProbeFailure::Refused {
            peer: url.host_str().unwrap_or_default().to_owned(),
        }
    } else if detail.contains("certificate") || detail.to_lowercase().contains("tls") {
        ProbeFailure::Tls { detail }
    } else {
        ProbeFailure::Network { detail }
    }
}

/// A base URL ends in `/` so `domain/<name>` joins under it rather than replacing its last
/// path segment.
fn as_base(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .expect("a valid instant")
            .with_timezone(&Utc);
        assert_eq!(retry_after_seconds("120", now), Some(120));
        assert_eq!(
            retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(60)
        );
        assert_eq!(
            retry_after_seconds("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(retry_after_seconds("soon", now), None);
    }

    #[test]
    fn bases_end_with_a_slash() {
        let url = Url::parse("https://rdap.example/v1").expect("a valid URL");
        assert_eq!(as_base(url).as_str(), "https://rdap.example/v1/");
    }

    #[test]
    fn bootstrap_and_overrides_choose_the_server() {
        let mut settings = crate::settings::ProbeSettings::default().rdap;
        settings.servers.insert(
            "example".to_owned(),
            Url::parse("http://127.0.0.1:9/rdap").expect("a valid URL"),
        );
        let client = RdapClient::with_default_http(&settings, &[]).expect("bundled bootstrap");
        assert_eq!(
            client.base_url_for("a.example").map(|u| u.to_string()),
            Some("http://127.0.0.1:9/rdap/".to_owned())
        );
        assert!(client.base_url_for("a.com").is_some());
        assert_eq!(client.base_url_for("a.cn"), None);
        assert_eq!(client.base_url_for("例子.中国"), None);
    }
}

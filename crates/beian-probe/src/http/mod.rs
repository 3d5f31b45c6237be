//! HTTP(S) evidence: a page fetched as one persona, with every redirect hop recorded, the body
//! capped and decoded (DESIGN §3.2, FACTS §7.9).
//!
//! Result shape: when at least one hop answered, the outcome is `Ok` and a failure later in the
//! chain (a timeout on hop 3, a redirect to a forbidden address, too many redirects) is kept in
//! [`HttpEvidence::error`] beside the hops seen so far; when nothing answered, `Failed`.

mod charset;
mod fetch;
mod html_meta;
pub mod persona;
mod redirect;
mod resolve;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

pub use charset::{CharsetSource, DecodedBody, decode_body, header_charset};
pub use resolve::{BoxFuture, HostResolver, StaticResolver, SystemResolver, private_address_kind};

use crate::outcome::ProbeFailure;
use crate::politeness::Politeness;
use crate::settings::{HttpSettings, NetworkSettings, Persona, PersonaKind};
use crate::setup::ProbeSetupError;

/// One request in a redirect chain and what answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub url: Url,
    pub status: u16,
    /// The raw `Location` header (before resolving against `url`).
    pub location: Option<String>,
    /// The target of a `<meta http-equiv=refresh>` or `Refresh` header, as written.
    pub meta_refresh: Option<String>,
    pub remote_addr: Option<SocketAddr>,
    pub elapsed_ms: u64,
    pub server: Option<String>,
    pub content_type: Option<String>,
}

/// A page as one persona saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpEvidence {
    pub requested_url: Url,
    pub persona: Persona,
    pub hops: Vec<Hop>,
    /// The last URL that answered.
    pub final_url: Url,
    /// The last answer's status.
    pub status: u16,
    pub content_type: Option<String>,
    /// WHATWG name of the encoding the body was decoded with.
    pub charset: String,
    pub charset_source: CharsetSource,
    /// The final page's body, decoded (empty when the chain ended on a redirect).
    pub body: String,
    /// Bytes of the decoded-from-transfer-encoding body kept (never more than the cap).
    pub body_bytes: u64,
    /// The body was longer than `http.max_body_bytes` (or cut by the timeout) and was cut.
    pub truncated: bool,
    /// Selected response headers of the final answer (lowercase names; `set-cookie` holds only
    /// the cookie names, comma-separated).
    pub headers: BTreeMap<String, String>,
    /// What stopped the chain early, if anything (see the module documentation).
    pub error: Option<ProbeFailure>,
    /// The URL whose request failed, when `error` is set.
    pub failed_url: Option<Url>,
}

/// Headers kept in [`HttpEvidence::headers`]: those that say who serves the page and how.
pub const RECORDED_HEADERS: &[&str] = &[
    "server",
    "content-type",
    "content-length",
    "content-encoding",
    "location",
    "refresh",
    "x-powered-by",
    "set-cookie",
    "cache-control",
    "content-security-policy",
    "strict-transport-security",
    "x-frame-options",
    "via",
    "x-cache",
    "last-modified",
];

/// A persona's clients, one per scheme: reqwest's resolver hook does not see the scheme, and the
/// port mapping differs between http and https.
struct PersonaClients {
    plain: reqwest::Client,
    secure: reqwest::Client,
}

/// Fetches pages as personas. Cheap to clone: clones share the clients and their pools.
#[derive(Clone)]
pub struct HttpProbe {
    inner: Arc<ProbeInner>,
}

struct ProbeInner {
    settings: HttpSettings,
    allow_private: bool,
    clients: BTreeMap<PersonaKind, PersonaClients>,
    politeness: Option<Arc<Politeness>>,
}

impl HttpProbe {
    /// Builds one client pair per persona kind (reused for every fetch: connection pools),
    /// trusting webpki-roots plus `settings.extra_roots_pem`, with automatic redirects off.
    pub fn new(
        settings: &HttpSettings,
        network: &NetworkSettings,
        resolver: Arc<dyn HostResolver>,
        politeness: Option<Arc<Politeness>>,
    ) -> Result<HttpProbe, ProbeSetupError> {
        let roots = Arc::new(crate::tls::root_store(&settings.extra_roots_pem)?);
        let tls = rustls::ClientConfig::builder_with_provider(crate::tls::crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(|error| ProbeSetupError::HttpClient {
                purpose: "HTTP",
                detail: error.to_string(),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut clients = BTreeMap::new();
        for kind in PersonaKind::ALL {
            let client_for = |default_port: u16| {
                let resolver = resolve::PolicyResolver {
                    overrides: settings.resolve.clone(),
                    resolver: Arc::clone(&resolver),
                    default_port,
                    allow_private: network.allow_private,
                };
                build_client(kind, settings, tls.clone(), resolver)
            };
            clients.insert(
                kind,
                PersonaClients {
                    plain: client_for(settings.http_port)?,
                    secure: client_for(settings.https_port)?,
                },
            );
        }
        Ok(HttpProbe {
            inner: Arc::new(ProbeInner {
                settings: settings.clone(),
                allow_private: network.allow_private,
                clients,
                politeness,
            }),
        })
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.inner.settings
    }
}

fn build_client(
    kind: PersonaKind,
    settings: &HttpSettings,
    tls: rustls::ClientConfig,
    resolver: resolve::PolicyResolver,
) -> Result<reqwest::Client, ProbeSetupError> {
    use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(persona::accept(kind)));
    headers.insert(
        ACCEPT_LANGUAGE,
        HeaderValue::from_static(persona::accept_language(kind)),
    );
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .user_agent(persona::user_agent(kind))
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        // Proxies would bypass our resolver and its address policy.
        .no_proxy()
        .connect_timeout(settings.connect_timeout)
        // A scan visits thousands of hosts once each: an idle pooled connection would
        // hold a socket (ours and the server's) for minutes and exhaust descriptors.
        // Keep-alive within one fetch's redirect chain is not worth that.
        .pool_max_idle_per_host(0)
        .dns_resolver(Arc::new(resolver))
        .build()
        .map_err(|error| ProbeSetupError::HttpClient {
            purpose: kind.as_str(),
            detail: error.to_string(),
        })
}

/// A socket error as a probe failure naming `peer`.
pub(crate) fn io_failure(error: &std::io::Error, peer: &str) -> ProbeFailure {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => ProbeFailure::Refused {
            peer: peer.to_owned(),
        },
        std::io::ErrorKind::TimedOut => ProbeFailure::Timeout { after_ms: 0 },
        _ => ProbeFailure::Network {
            detail: format!("{peer}: {error}"),
        },
    }
}

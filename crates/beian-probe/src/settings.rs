//! Everything a probe needs to know about the outside world, as validated plain data.
//! The CLI fills it from `beian.toml` / flags / `BEIAN_*`; the lab fills it to point the
//! probes at the simulated internet. Defaults are polite values for the real internet.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use url::Url;

/// One HTTP identity a page is fetched as (DESIGN §3.2, FACTS §7.9).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PersonaKind {
    DesktopBrowser,
    MobileWechat,
    Baiduspider,
    SogouSpider,
    Spider360,
}

impl PersonaKind {
    pub const ALL: [PersonaKind; 5] = [
        PersonaKind::DesktopBrowser,
        PersonaKind::MobileWechat,
        PersonaKind::Baiduspider,
        PersonaKind::SogouSpider,
        PersonaKind::Spider360,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonaKind::DesktopBrowser => "desktop_browser",
            PersonaKind::MobileWechat => "mobile_wechat",
            PersonaKind::Baiduspider => "baiduspider",
            PersonaKind::SogouSpider => "sogou_spider",
            PersonaKind::Spider360 => "spider_360",
        }
    }

    pub fn parse(text: &str) -> Option<PersonaKind> {
        PersonaKind::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// A persona and whether it arrives from a Baidu search result page (Referer set).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Persona {
    pub kind: PersonaKind,
    pub baidu_referer: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DnsSettings {
    /// Resolvers as ip:port; empty means the system's (/etc/resolv.conf).
    pub nameservers: Vec<SocketAddr>,
    pub timeout: Duration,
    pub attempts: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WhoisSettings {
    /// Per-TLD server overrides (TLD in ASCII without dot → "host:port" or "host").
    pub servers: BTreeMap<String, String>,
    /// Where referral chains start for TLDs without an override.
    pub iana_server: String,
    pub timeout: Duration,
    pub max_answer_bytes: usize,
    pub follow_referrals: bool,
    /// Queries per minute to any one WHOIS server.
    pub per_server_per_minute: u32,
    pub cache_ttl: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RdapSettings {
    /// A newer IANA bootstrap file's contents; `None` uses the bundled one.
    pub bootstrap_json: Option<String>,
    /// Per-TLD base-URL overrides (take precedence over the bootstrap).
    pub servers: BTreeMap<String, Url>,
    pub timeout: Duration,
    pub per_server_per_minute: u32,
    pub max_answer_bytes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpSettings {
    /// host → ip:port overrides, checked before DNS (like curl's --resolve).
    pub resolve: BTreeMap<String, SocketAddr>,
    /// Port used for http:// URLs without a port (80; the lab uses its own).
    pub http_port: u16,
    /// Port used for https:// URLs without a port (443; the lab uses its own).
    pub https_port: u16,
    pub personas: Vec<Persona>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: u32,
    /// Extra trusted root certificates (PEM), e.g. the lab's test CA.
    pub extra_roots_pem: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub global_concurrency: usize,
    pub per_host_concurrency: usize,
    pub per_ip_concurrency: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSettings {
    /// Probe private, loopback and link-local addresses (the lab and demo need it;
    /// server mode refuses them otherwise — DESIGN §5 security).
    pub allow_private: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProbeSettings {
    pub dns: DnsSettings,
    pub whois: WhoisSettings,
    pub rdap: RdapSettings,
    pub http: HttpSettings,
    pub limits: Limits,
    pub network: NetworkSettings,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        let personas = PersonaKind::ALL
            .into_iter()
            .flat_map(|kind| {
                [false, true].map(|baidu_referer| Persona {
                    kind,
                    baidu_referer,
                })
            })
            .collect();
        ProbeSettings {
            dns: DnsSettings {
                nameservers: Vec::new(),
                timeout: Duration::from_secs(5),
                attempts: 2,
            },
            whois: WhoisSettings {
                servers: BTreeMap::new(),
                iana_server: "whois.iana.org:43".to_owned(),
                timeout: Duration::from_secs(10),
                max_answer_bytes: 1024 * 1024,
                follow_referrals: true,
                per_server_per_minute: 30,
                cache_ttl: Duration::from_secs(6 * 3600),
            },
            rdap: RdapSettings {
                bootstrap_json: None,
                servers: BTreeMap::new(),
                timeout: Duration::from_secs(10),
                per_server_per_minute: 60,
                max_answer_bytes: 1024 * 1024,
            },
            http: HttpSettings {
                resolve: BTreeMap::new(),
                http_port: 80,
                https_port: 443,
                personas,
                timeout: Duration::from_secs(15),
                connect_timeout: Duration::from_secs(5),
                max_body_bytes: 2 * 1024 * 1024,
                max_redirects: 10,
                extra_roots_pem: Vec::new(),
            },
            limits: Limits {
                global_concurrency: 64,
                per_host_concurrency: 2,
                per_ip_concurrency: 8,
            },
            network: NetworkSettings {
                allow_private: false,
            },
        }
    }
}

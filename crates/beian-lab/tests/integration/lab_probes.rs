//! The real probes pointed at a running lab: settings built from the lab's endpoints, the
//! probe clients built from them, and one site's probes run side by side, each one timed from
//! the outside.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use beian_lab::{Lab, LabOptions, LabSite, ScenarioKind, TlsKind};
use beian_probe::dns::{DnsEvidence, DnsProbe};
use beian_probe::http::{BoxFuture, HostResolver, HttpEvidence, HttpProbe};
use beian_probe::politeness::Politeness;
use beian_probe::rdap::client::RdapClient;
use beian_probe::registration_probe::{RegistrationEvidence, RegistrationProbe};
use beian_probe::settings::ProbeSettings;
use beian_probe::tls::{TlsEvidence, tls_facts};
use beian_probe::whois::client::WhoisClient;
use beian_probe::{Outcome, Persona, PersonaKind, ProbeFailure, Timed};
use url::Url;

/// What a probe may take beyond its configured timeout (scheduling, a loaded test machine).
pub const MARGIN: Duration = Duration::from_millis(1500);

pub const BROWSER: Persona = Persona {
    kind: PersonaKind::DesktopBrowser,
    baidu_referer: false,
};
pub const BROWSER_FROM_BAIDU: Persona = Persona {
    kind: PersonaKind::DesktopBrowser,
    baidu_referer: true,
};
pub const BAIDUSPIDER: Persona = Persona {
    kind: PersonaKind::Baiduspider,
    baidu_referer: false,
};

/// A lab whose "today" is the real date, so its certificates are valid (or expired) by the
/// clock the TLS verifier reads.
pub async fn start_lab_today() -> Lab {
    Lab::start(LabOptions {
        ip_range: 8,
        ..LabOptions::default()
    })
    .await
    .expect("the lab starts")
}

/// Probe settings pointing at the lab, with short timeouts and no client-side rate limits.
pub fn lab_settings(lab: &Lab) -> ProbeSettings {
    let endpoints = lab.endpoints();
    let mut settings = ProbeSettings::default();
    settings.dns.nameservers = vec![endpoints.dns];
    settings.dns.timeout = Duration::from_secs(1);
    settings.dns.attempts = 1;
    settings.whois.servers = endpoints
        .whois_tlds
        .iter()
        .filter_map(|tld| {
            let server = endpoints.whois_server_for(tld)?;
            Some((tld.clone(), server.to_string()))
        })
        .collect();
    settings.whois.timeout = Duration::from_secs(2);
    settings.whois.per_server_per_minute = 0;
    settings.rdap.servers = endpoints
        .rdap_tlds
        .iter()
        .map(|tld| (tld.clone(), endpoints.rdap_base.clone()))
        .collect();
    settings.rdap.timeout = Duration::from_secs(2);
    settings.rdap.per_server_per_minute = 0;
    settings.http.http_port = endpoints.http_port;
    settings.http.https_port = endpoints.https_port;
    settings.http.timeout = Duration::from_secs(2);
    settings.http.connect_timeout = Duration::from_secs(2);
    settings.http.max_body_bytes = 2 * 1024 * 1024;
    settings.http.extra_roots_pem = vec![endpoints.ca_pem.clone()];
    settings.http.personas = vec![BROWSER, BAIDUSPIDER];
    settings.network.allow_private = true;
    settings
}

/// The DNS probe as the HTTP probe's resolver, so pages come from the addresses the lab DNS
/// gives (the DNS probe does not implement [`HostResolver`] itself).
struct LabDnsResolver(Arc<DnsProbe>);

impl HostResolver for LabDnsResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, ProbeFailure>> {
        Box::pin(self.0.resolve_ips(host))
    }
}

/// Every probe client, built once per test from [`lab_settings`].
pub struct LabProbes {
    pub settings: ProbeSettings,
    pub dns: Arc<DnsProbe>,
    pub registration: RegistrationProbe,
    pub http: HttpProbe,
}

/// A value and the wall time it took, measured by the caller.
#[derive(Debug)]
pub struct Measured<T> {
    pub wall: Duration,
    pub value: T,
}

async fn measured<T>(work: impl Future<Output = T>) -> Measured<T> {
    let clock = Instant::now();
    let value = work.await;
    Measured {
        wall: clock.elapsed(),
        value,
    }
}

/// Everything the probes found about one site.
#[derive(Debug)]
pub struct SiteRun {
    pub kind: ScenarioKind,
    pub dns: Measured<Timed<DnsEvidence>>,
    pub registration: Measured<RegistrationEvidence>,
    pub browser: Measured<Timed<HttpEvidence>>,
    pub spider: Measured<Timed<HttpEvidence>>,
    /// `None` when the site has no HTTPS host.
    pub tls: Option<Measured<Timed<TlsEvidence>>>,
    pub wall: Duration,
}

impl LabProbes {
    pub fn new(settings: ProbeSettings) -> LabProbes {
        let dns = Arc::new(DnsProbe::new(&settings.dns).expect("the lab DNS settings are valid"));
        let whois = WhoisClient::new(&settings.whois).with_resolver(Arc::clone(&dns));
        let rdap = RdapClient::with_default_http(&settings.rdap, &settings.http.extra_roots_pem)
            .expect("the lab RDAP settings are valid");
        let http = HttpProbe::new(
            &settings.http,
            &settings.network,
            Arc::new(LabDnsResolver(Arc::clone(&dns))),
            Some(Politeness::new(&settings.limits)),
        )
        .expect("the lab HTTP settings are valid");
        LabProbes {
            settings,
            dns,
            registration: RegistrationProbe::new(Arc::new(rdap), Arc::new(whois)),
            http,
        }
    }

    pub fn for_lab(lab: &Lab) -> LabProbes {
        LabProbes::new(lab_settings(lab))
    }

    /// Runs every probe of `site` at once: DNS of the site host, registration of its domain,
    /// the home page as a browser and as Baiduspider, and the certificate when it has HTTPS.
    pub async fn probe_site(&self, site: &LabSite) -> SiteRun {
        let clock = Instant::now();
        let host = site_host(site);
        let page = content_url(site);
        let (dns, registration, browser, spider, tls) = tokio::join!(
            measured(self.dns.lookup(&host)),
            measured(self.registration.lookup(&site.domain)),
            measured(self.http.fetch(&page, BROWSER)),
            measured(self.http.fetch(&page, BAIDUSPIDER)),
            self.certificate(site, &host),
        );
        SiteRun {
            kind: site.scenario,
            dns,
            registration,
            browser,
            spider,
            tls,
            wall: clock.elapsed(),
        }
    }

    /// The certificate presented for the site host at the address the lab DNS gives it.
    async fn certificate(
        &self,
        site: &LabSite,
        host: &str,
    ) -> Option<Measured<Timed<TlsEvidence>>> {
        if site.expected.tls == TlsKind::None {
            return None;
        }
        let address = match self.dns.resolve_ips(host).await {
            Ok(addresses) => addresses
                .first()
                .copied()
                .unwrap_or(IpAddr::V4(site.address)),
            Err(failure) => panic!("{host} (an HTTPS site) does not resolve: {failure}"),
        };
        let addr = SocketAddr::new(address, self.settings.http.https_port);
        Some(measured(tls_facts(host, addr, &self.settings.http)).await)
    }

    /// The longest a registration lookup may take: RDAP's timeout when RDAP was asked, plus
    /// WHOIS's per asked server, plus the margin.
    pub fn registration_bound(&self, evidence: &RegistrationEvidence) -> Duration {
        let rdap = if evidence.rdap.is_some() {
            self.settings.rdap.timeout
        } else {
            Duration::ZERO
        };
        let whois_servers = evidence
            .whois
            .as_ref()
            .map_or(0, |whois| match &whois.outcome {
                Outcome::Ok(answer) => answer.hops.len().max(1),
                Outcome::Failed(_) => beian_probe::whois::client::MAX_HOPS,
            });
        let per_server = self.settings.whois.timeout + self.dns_bound_without_margin();
        rdap + per_server * u32::try_from(whois_servers).unwrap_or(u32::MAX) + MARGIN
    }

    fn dns_bound_without_margin(&self) -> Duration {
        let tries = u32::try_from(self.settings.dns.attempts.max(1)).unwrap_or(u32::MAX);
        self.settings.dns.timeout * tries
    }

    pub fn dns_bound(&self) -> Duration {
        self.dns_bound_without_margin() + MARGIN
    }

    pub fn http_bound(&self) -> Duration {
        self.settings.http.timeout + MARGIN
    }

    /// Time bound violations of one run, as messages.
    pub fn time_violations(&self, run: &SiteRun) -> Vec<String> {
        let mut violations = Vec::new();
        let mut check = |what: &str, wall: Duration, bound: Duration| {
            if wall > bound {
                violations.push(format!("{what} took {wall:?}, bound {bound:?}"));
            }
        };
        check("DNS", run.dns.wall, self.dns_bound());
        check(
            "registration",
            run.registration.wall,
            self.registration_bound(&run.registration.value),
        );
        check("HTTP (browser)", run.browser.wall, self.http_bound());
        check("HTTP (Baiduspider)", run.spider.wall, self.http_bound());
        if let Some(tls) = &run.tls {
            check("TLS", tls.wall, self.http_bound());
        }
        violations
    }
}

/// The catalogue's hostile scenarios (DESIGN §5 reliability).
pub fn is_hostile(kind: ScenarioKind) -> bool {
    use ScenarioKind::*;
    matches!(
        kind,
        HostileHang
            | HostileTrickle
            | HostileHugeBody
            | HostileGzipBomb
            | HostileRedirectLoop
            | HostileMalformedDns
            | HostileSilentDns
            | HostileHugeWhois
            | HostileRateLimited
    )
}

/// The site's host name as an A-label (what DNS and TLS see).
pub fn site_host(site: &LabSite) -> String {
    site.url
        .host_str()
        .expect("lab site URLs have a host")
        .to_owned()
}

/// The `<title>` text of a page, trimmed.
pub fn title_of(body: &str) -> Option<&str> {
    let start = body.find("<title>")? + "<title>".len();
    let end = body[start..].find("</title>")? + start;
    Some(body[start..end].trim())
}

/// An HTTP outcome, one line, for failure messages.
pub fn describe_http(timed: &Timed<HttpEvidence>) -> String {
    match &timed.outcome {
        Outcome::Ok(page) => format!(
            "status {} at {} ({} bytes, truncated {}, error {:?})",
            page.status, page.final_url, page.body_bytes, page.truncated, page.error
        ),
        Outcome::Failed(failure) => format!("failed: {failure:?}"),
    }
}

/// Where the site's pages are read: its URL, or plain HTTP when its certificate is one the
/// HTTP probe rightly refuses (expired, self-signed, wrong name) — as a checker falls back.
pub fn content_url(site: &LabSite) -> Url {
    let mut url = site.url.clone();
    if !matches!(site.expected.tls, TlsKind::Valid | TlsKind::None) {
        url.set_scheme("http")
            .expect("http and https URLs switch schemes freely");
    }
    url
}

/// Reads a `/proc/self/status` field in KiB (`VmRSS`, `VmHWM`); `None` off Linux.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|line| line.starts_with(&format!("{field}:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Chinese names CNNIC shows for the registrars the catalogue uses (the RDAP and gTLD WHOIS
/// answers carry the English ones).
pub fn cnnic_registrar_name(english: &str) -> Option<&'static str> {
    let names = BTreeMap::from([
        (
            "Alibaba Cloud Computing (Beijing) Co., Ltd.",
            "阿里云计算有限公司（万网）",
        ),
        ("DNSPod, Inc.", "腾讯云计算（北京）有限责任公司"),
        (
            "Xin Net Technology Corporation",
            "北京新网数码信息技术有限公司",
        ),
        // markup_injection's registrar: the markup must come through the parser untouched.
        (
            "Jiangcheng Names <img src=x onerror=alert(1)> Ltd.",
            "江城域名<img src=x onerror=alert(1)>有限公司",
        ),
    ]);
    names.get(english).copied()
}

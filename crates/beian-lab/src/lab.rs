//! Starting, describing and stopping the lab.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use url::Url;

use crate::net::{ShutdownSignal, bind_one, bind_same_port, bind_udp_and_tcp};
use crate::scenario::infra::REGISTRAR_WHOIS_HOST;
use crate::scenario::{Catalogue, Scenario, ScenarioKind, bulk_healthy_site};
use crate::tls::{CertificateMint, server_config};
use crate::whois::WhoisStyle;
use crate::world::{LabSite, World, vhost_address};
use crate::{dns, http, rdap, whois};

/// The most 127.0.0.x addresses the lab spreads virtual hosts over (127.0.0.2 … .201).
const MAX_IP_RANGE: usize = 200;
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(
        "实验室无法监听 {what}（{address}）/ the lab cannot listen for {what} on {address}: {source}. \
         请确认本机回环地址 127.0.0.x 可用 / check that loopback addresses are usable"
    )]
    Bind {
        what: String,
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "场景 {domain} 无效 / scenario {domain} is invalid: {reason}. 请修正场景定义 / fix the scenario"
    )]
    Scenario { domain: String, reason: String },
    #[error("无法生成 {what} / cannot make {what}: {detail}")]
    Certificate { what: String, detail: String },
    #[error(
        "ip_range 必须在 1 到 {MAX_IP_RANGE} 之间，收到 {0} / ip_range must be 1..={MAX_IP_RANGE}, got {0}"
    )]
    IpRange(usize),
}

/// What to serve.
#[derive(Debug, Clone)]
pub struct LabOptions {
    pub catalogue: Vec<Scenario>,
    /// Extra healthy sites for benchmarks (`bulk-site-00000.com` …).
    pub bulk_healthy_sites: usize,
    /// The date scenario offsets are relative to.
    pub today: NaiveDate,
    /// How many 127.0.0.x addresses (from 127.0.0.2) the virtual hosts are spread over.
    pub ip_range: usize,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            catalogue: Catalogue::standard(),
            bulk_healthy_sites: 0,
            today: chrono::Utc::now().date_naive(),
            ip_range: 16,
        }
    }
}

/// Everything a probe configuration needs.
#[derive(Debug, Clone, Serialize)]
pub struct LabEndpoints {
    /// Authoritative DNS, UDP and TCP.
    pub dns: SocketAddr,
    /// The gTLD registry WHOIS (`.com`, `.net`).
    pub whois_registry: SocketAddr,
    /// The registrar WHOIS the registry refers to.
    pub whois_registrar: SocketAddr,
    /// How registry answers name the registrar server (`whois.lab-registrar.net:PORT`; the lab
    /// DNS resolves the host to 127.0.0.1).
    pub whois_registrar_referral: String,
    /// CNNIC-style WHOIS (`.cn`, `.com.cn`, `.中国`).
    pub whois_cnnic: SocketAddr,
    /// `http://127.0.0.1:PORT/rdap/`.
    pub rdap_base: Url,
    pub http_port: u16,
    pub https_port: u16,
    /// The addresses virtual hosts listen on.
    pub vhost_addresses: Vec<Ipv4Addr>,
    /// The test CA that issued every lab certificate (PEM).
    pub ca_pem: String,
    /// TLDs (A-labels) with RDAP at `rdap_base`.
    pub rdap_tlds: Vec<String>,
    /// TLDs (A-labels) with a lab WHOIS server.
    pub whois_tlds: Vec<String>,
}

impl LabEndpoints {
    /// The WHOIS server for a TLD (A-label, no dot).
    pub fn whois_server_for(&self, tld: &str) -> Option<SocketAddr> {
        match tld {
            "com" | "net" => Some(self.whois_registry),
            "cn" | "xn--fiqs8s" => Some(self.whois_cnnic),
            _ => None,
        }
    }
}

/// The running lab. Dropping it stops every server.
pub struct Lab {
    endpoints: LabEndpoints,
    world: Arc<World>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("endpoints", &self.endpoints)
            .field("sites", &self.world.sites.len())
            .finish_non_exhaustive()
    }
}

impl Lab {
    /// Builds the world and starts every server (needs a Tokio runtime).
    pub async fn start(options: LabOptions) -> Result<Lab, LabError> {
        if options.ip_range == 0 || options.ip_range > MAX_IP_RANGE {
            return Err(LabError::IpRange(options.ip_range));
        }
        let ip_count =
            u8::try_from(options.ip_range).map_err(|_| LabError::IpRange(options.ip_range))?;
        let mut scenarios = options.catalogue;
        scenarios.extend((0..options.bulk_healthy_sites).map(bulk_healthy_site));
        let world = Arc::new(World::build(scenarios, options.today, ip_count)?);

        let (shutdown, receiver) = watch::channel(false);
        let signal = ShutdownSignal::new(receiver);
        let mut tasks = Vec::new();
        let local = |listener: &TcpListener, what: &str| {
            listener.local_addr().map_err(|source| LabError::Bind {
                what: what.to_owned(),
                address: "127.0.0.1".to_owned(),
                source,
            })
        };

        let (udp, tcp) = bind_udp_and_tcp("DNS").await?;
        let dns = local(&tcp, "DNS")?;
        tasks.push(dns::spawn_udp(udp, Arc::clone(&world), signal.clone()));
        tasks.push(dns::spawn_tcp(tcp, Arc::clone(&world), signal.clone()));

        let registrar_listener = bind_one("registrar WHOIS").await?;
        let whois_registrar = local(&registrar_listener, "registrar WHOIS")?;
        let referral: Arc<str> =
            Arc::from(format!("{REGISTRAR_WHOIS_HOST}:{}", whois_registrar.port()));
        let registry_listener = bind_one("registry WHOIS").await?;
        let whois_registry = local(&registry_listener, "registry WHOIS")?;
        let cnnic_listener = bind_one("CNNIC WHOIS").await?;
        let whois_cnnic = local(&cnnic_listener, "CNNIC WHOIS")?;
        for (listener, style) in [
            (registrar_listener, WhoisStyle::Registrar),
            (registry_listener, WhoisStyle::Registry),
            (cnnic_listener, WhoisStyle::Cnnic),
        ] {
            tasks.push(whois::spawn(
                listener,
                Arc::clone(&world),
                style,
                Arc::clone(&referral),
                signal.clone(),
            ));
        }

        let rdap_listener = bind_one("RDAP").await?;
        let rdap_address = local(&rdap_listener, "RDAP")?;
        let rdap_base_text = format!("http://{rdap_address}/rdap/");
        let rdap_base = Url::parse(&rdap_base_text).map_err(|error| LabError::Bind {
            what: "RDAP".to_owned(),
            address: rdap_base_text.clone(),
            source: std::io::Error::other(error),
        })?;
        tasks.push(rdap::spawn(
            rdap_listener,
            Arc::clone(&world),
            Arc::from(rdap_base_text),
            signal.clone(),
        ));

        let addresses: Vec<Ipv4Addr> = (0..options.ip_range)
            .map(|i| vhost_address(i, ip_count))
            .collect();
        let http_listeners = bind_same_port("HTTP virtual hosts", &addresses).await?;
        let https_listeners = bind_same_port("HTTPS virtual hosts", &addresses).await?;
        let http_port = http_listeners
            .first()
            .map_or(Ok(0), |l| local(l, "HTTP").map(|a| a.port()))?;
        let https_port = https_listeners
            .first()
            .map_or(Ok(0), |l| local(l, "HTTPS").map(|a| a.port()))?;
        let mint = Arc::new(CertificateMint::new(Arc::clone(&world))?);
        let ca_pem = mint.ca_pem().to_owned();
        let acceptor = TlsAcceptor::from(Arc::new(server_config(mint)?));
        for listener in http_listeners {
            tasks.push(http::spawn_http(
                listener,
                Arc::clone(&world),
                signal.clone(),
            ));
        }
        for listener in https_listeners {
            tasks.push(http::spawn_https(
                listener,
                Arc::clone(&world),
                acceptor.clone(),
                signal.clone(),
            ));
        }

        let endpoints = LabEndpoints {
            dns,
            whois_registry,
            whois_registrar,
            whois_registrar_referral: referral.to_string(),
            whois_cnnic,
            rdap_base,
            http_port,
            https_port,
            vhost_addresses: addresses,
            ca_pem,
            rdap_tlds: rdap::RDAP_TLDS.iter().map(|t| (*t).to_owned()).collect(),
            whois_tlds: ["com", "net", "cn", "xn--fiqs8s"]
                .map(str::to_owned)
                .to_vec(),
        };
        Ok(Lab {
            endpoints,
            world,
            shutdown,
            tasks,
        })
    }

    pub fn endpoints(&self) -> &LabEndpoints {
        &self.endpoints
    }

    /// Every site, catalogue first, then the bulk sites.
    pub fn sites(&self) -> &[LabSite] {
        &self.world.sites
    }

    /// The first site of a scenario kind.
    pub fn site(&self, kind: ScenarioKind) -> Option<&LabSite> {
        self.world.sites.iter().find(|site| site.scenario == kind)
    }

    pub fn today(&self) -> NaiveDate {
        self.world.today
    }

    /// The `beian.toml` that points the CLI's probes at this lab. The CA goes inline as PEM
    /// text in `http.extra_roots_pem` (a list of PEM strings), so no file has to outlive the lab.
    pub fn beian_toml(&self) -> String {
        let e = &self.endpoints;
        let mut toml = String::new();
        let _ = writeln!(
            toml,
            "# 备案卫士实验室 / Beian Guard lab — generated by `beian lab`."
        );
        let _ = writeln!(
            toml,
            "# 所有探测都指向本机模拟互联网 / every probe points at the simulated internet.\n"
        );
        let _ = writeln!(toml, "[dns]\nnameservers = [\"{}\"]\n", e.dns);
        // The lab's servers are ours and local: the real registries' politeness limits would
        // only make a scan of many lab sites wait (400 sites took minutes at 30/min).
        let _ = writeln!(
            toml,
            "[whois]\nper_server_per_minute = 60000\n\n[rdap]\nper_server_per_minute = 60000\n"
        );
        let _ = writeln!(toml, "[whois.servers]");
        for tld in &e.whois_tlds {
            if let Some(server) = e.whois_server_for(tld) {
                let _ = writeln!(toml, "{tld} = \"{server}\"");
            }
        }
        let _ = writeln!(toml, "\n[rdap.servers]");
        for tld in &e.rdap_tlds {
            let _ = writeln!(toml, "{tld} = \"{}\"", e.rdap_base);
        }
        let _ = writeln!(
            toml,
            "\n[http]\nhttp_port = {}\nhttps_port = {}\n# 实验室测试 CA（内联 PEM）/ the lab's test CA, inline PEM\n\
             extra_roots_pem = ['''\n{}''']\n",
            e.http_port,
            e.https_port,
            e.ca_pem.trim_end().to_owned() + "\n",
        );
        let _ = writeln!(toml, "[network]\nallow_private = true");
        toml
    }

    /// Stops every server and waits (briefly) for their tasks to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        let tasks = std::mem::take(&mut self.tasks);
        for task in tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

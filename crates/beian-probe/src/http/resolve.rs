//! Name resolution for the HTTP probe, and the private-address policy (DESIGN §5 security).
//!
//! reqwest asks [`PolicyResolver`] for every connection it opens, so the policy is applied to
//! every redirect hop, not only to the first URL: a public page that redirects to 127.0.0.1 is
//! the classic SSRF and must be stopped at that hop.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use crate::outcome::ProbeFailure;

/// A boxed, sendable future (what [`HostResolver`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Turns a host name into addresses. The DNS probe implements it (so HTTP uses the configured
/// nameservers); [`SystemResolver`] and [`StaticResolver`] serve the CLI defaults and tests.
pub trait HostResolver: Send + Sync {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, ProbeFailure>>;
}

/// The operating system's resolver (getaddrinfo through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl HostResolver for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, ProbeFailure>> {
        Box::pin(async move {
            match tokio::net::lookup_host((host, 0)).await {
                Ok(addrs) => {
                    let mut ips: Vec<IpAddr> = addrs.map(|addr| addr.ip()).collect();
                    ips.dedup();
                    if ips.is_empty() {
                        Err(ProbeFailure::NoRecords {
                            name: host.to_owned(),
                        })
                    } else {
                        Ok(ips)
                    }
                }
                // getaddrinfo does not say NXDOMAIN in a portable way; its EAI_NONAME text does.
                Err(error) if error.to_string().contains("No address associated") => {
                    Err(ProbeFailure::NoRecords {
                        name: host.to_owned(),
                    })
                }
                Err(error) if error.to_string().contains("not known") => {
                    Err(ProbeFailure::NxDomain {
                        name: host.to_owned(),
                    })
                }
                Err(error) => Err(ProbeFailure::Network {
                    detail: format!("解析 {host} 失败 / resolving {host} failed: {error}"),
                }),
            }
        })
    }
}

/// A fixed host → addresses table; a host not in it is NXDOMAIN. For tests and the lab.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver(pub BTreeMap<String, Vec<IpAddr>>);

impl HostResolver for StaticResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, ProbeFailure>> {
        let answer = match self.0.get(&host.to_ascii_lowercase()) {
            Some(ips) if !ips.is_empty() => Ok(ips.clone()),
            Some(_) => Err(ProbeFailure::NoRecords {
                name: host.to_owned(),
            }),
            None => Err(ProbeFailure::NxDomain {
                name: host.to_owned(),
            }),
        };
        Box::pin(std::future::ready(answer))
    }
}

/// Why `ip` must not be probed unless `network.allow_private` is set, or `None` if it may be.
pub fn private_address_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => private_v4_kind(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4_kind(v4),
            None => private_v6_kind(v6),
        },
    }
}

fn private_v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [first, second, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || first == 0 {
        Some("unspecified")
    } else if first == 100 && (64..128).contains(&second) {
        // RFC 6598 carrier-grade NAT space: reaches the provider's internal network.
        Some("shared (CGNAT)")
    } else if ip.is_broadcast() || ip.is_multicast() {
        Some("broadcast/multicast")
    } else {
        None
    }
}

fn private_v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    let first_segment = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first_segment & 0xfe00 == 0xfc00 {
        Some("unique-local")
    } else if first_segment & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("broadcast/multicast")
    } else {
        None
    }
}

/// The policy failure for `host` resolving to `ip`, if the policy refuses it.
pub(crate) fn check_address(
    host: &str,
    ip: IpAddr,
    allow_private: bool,
) -> Result<(), ProbeFailure> {
    match private_address_kind(ip) {
        Some(kind) if !allow_private => Err(ProbeFailure::Forbidden {
            detail: format!(
                "{host} 解析到{kind}地址 {ip}，未设置 network.allow_private 时拒绝探测 / \
                 {host} resolves to the {kind} address {ip}; set network.allow_private to probe it"
            ),
        }),
        _ => Ok(()),
    }
}

/// A resolver failure carried through reqwest's error chain, recovered by the fetcher.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ResolveFailure(pub(crate) ProbeFailure);

/// What reqwest calls for every connection: `http.resolve` overrides (operator configuration,
/// trusted like curl's `--resolve`, so the policy does not apply to them), then the
/// [`HostResolver`] with the private-address policy, then the scheme's mapped port (the lab
/// serves every virtual host on one pair of ports). A URL's explicit port still wins: reqwest
/// replaces the returned port with it.
pub(crate) struct PolicyResolver {
    pub(crate) overrides: BTreeMap<String, SocketAddr>,
    pub(crate) resolver: Arc<dyn HostResolver>,
    pub(crate) default_port: u16,
    pub(crate) allow_private: bool,
}

impl PolicyResolver {
    pub(crate) fn override_for(&self, host: &str) -> Option<SocketAddr> {
        self.overrides
            .get(host)
            .or_else(|| self.overrides.get(&host.to_ascii_lowercase()))
            .copied()
    }
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        if let Some(addr) = self.override_for(&host) {
            let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(addr));
            return Box::pin(std::future::ready(Ok(addrs)));
        }
        let resolver = Arc::clone(&self.resolver);
        let port = self.default_port;
        let allow_private = self.allow_private;
        let rejected = |failure| -> Box<dyn std::error::Error + Send + Sync> {
            Box::new(ResolveFailure(failure))
        };
        Box::pin(async move {
            let ips = resolver.resolve(&host).await.map_err(rejected)?;
            // Any refused address refuses the host: mixing a public and a private record is how
            // DNS rebinding slips past a check of only the first address.
            for ip in &ips {
                check_address(&host, *ip, allow_private).map_err(rejected)?;
            }
            let addrs: reqwest::dns::Addrs =
                Box::new(ips.into_iter().map(move |ip| SocketAddr::new(ip, port)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_classified() {
        for (text, expected) in [
            ("127.0.0.1", Some("loopback")),
            ("10.1.2.3", Some("private")),
            ("172.16.0.1", Some("private")),
            ("192.168.1.1", Some("private")),
            ("169.254.1.1", Some("link-local")),
            ("0.0.0.0", Some("unspecified")),
            ("100.64.0.1", Some("shared (CGNAT)")),
            ("::1", Some("loopback")),
            ("fd00::1", Some("unique-local")),
            ("fe80::1", Some("link-local")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::", Some("unspecified")),
            ("93.184.216.34", None),
            ("100.128.0.1", None),
            ("2606:4700::1111", None),
        ] {
            let ip: IpAddr = text.parse().expect("test literal is an address");
            assert_eq!(private_address_kind(ip), expected, "{text}");
        }
    }

    #[test]
    fn forbidden_message_names_the_address() {
        let ip: IpAddr = "127.0.0.1".parse().expect("literal");
        let failure = check_address("evil.example", ip, false).expect_err("loopback refused");
        assert!(failure.to_string().contains("127.0.0.1"));
        assert!(check_address("evil.example", ip, true).is_ok());
    }
}

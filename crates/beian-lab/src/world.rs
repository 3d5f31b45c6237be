//! The compiled world: scenarios turned into the tables the servers answer from.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use url::Url;

use crate::LabError;
use crate::dns::{DnsTable, StoredRecord, ZoneMode};
use crate::scenario::infra::{InfraAddress, infrastructure};
use crate::scenario::{
    DnsSetup, ExpectedEvidence, RecordData, Registration, RegistryBehaviour, Scenario,
    ScenarioKind, TlsKind, Web,
};

/// One site the lab serves, with what a correct probe should see.
#[derive(Debug, Clone, Serialize)]
pub struct LabSite {
    pub scenario: ScenarioKind,
    /// The registrable domain as declared (Unicode for IDNs).
    pub domain: String,
    /// The same in A-label form (what DNS, RDAP and WHOIS see).
    pub domain_ascii: String,
    /// The site's URL (https when it has an HTTPS host, else http), without the lab port:
    /// probes add `http.http_port` / `http.https_port` from the lab's configuration.
    pub url: Url,
    /// The 127.0.0.x address its A record names (infrastructure CNAME targets differ).
    pub address: Ipv4Addr,
    pub description_zh: &'static str,
    pub description_en: &'static str,
    pub expected: ExpectedEvidence,
}

/// What the registry knows about one domain.
#[derive(Debug, Clone)]
pub(crate) struct RegistryEntry {
    pub domain_ascii: String,
    pub domain_unicode: String,
    pub registration: Option<Registration>,
    pub behaviour: RegistryBehaviour,
}

/// One virtual host: its pages and its certificate kind.
#[derive(Debug)]
pub(crate) struct Vhost {
    pub web: Web,
    pub tls: TlsKind,
}

pub(crate) struct World {
    pub today: NaiveDate,
    pub dns: DnsTable,
    pub registry: HashMap<String, RegistryEntry>,
    pub vhosts: HashMap<String, Arc<Vhost>>,
    pub sites: Vec<LabSite>,
}

/// `Name.中国` → `name.xn--fiqs8s`; trailing dot removed.
pub(crate) fn to_ascii(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches('.');
    if name.is_empty() {
        return None;
    }
    idna::domain_to_ascii(name)
        .ok()
        .filter(|ascii| !ascii.is_empty())
}

/// The first vhost address and how many there are: 127.0.0.2 … 127.0.0.(1 + count).
pub(crate) fn vhost_address(index: usize, ip_count: u8) -> Ipv4Addr {
    let slot = u8::try_from(index % usize::from(ip_count.max(1))).unwrap_or(0);
    Ipv4Addr::new(127, 0, 0, 2 + slot)
}

impl World {
    pub(crate) fn build(
        scenarios: Vec<Scenario>,
        today: NaiveDate,
        ip_count: u8,
    ) -> Result<World, LabError> {
        let mut world = World {
            today,
            dns: DnsTable::new(),
            registry: HashMap::with_capacity(scenarios.len()),
            vhosts: HashMap::with_capacity(scenarios.len() * 2),
            sites: Vec::with_capacity(scenarios.len()),
        };
        for infra in infrastructure() {
            let address = match infra.address {
                InfraAddress::VirtualHost => vhost_address(0, ip_count),
                InfraAddress::Loopback => Ipv4Addr::LOCALHOST,
            };
            world.dns.insert(infra.host, StoredRecord::A(address));
            if let Some(web) = infra.web {
                world.vhosts.insert(
                    infra.host.to_owned(),
                    Arc::new(Vhost {
                        web,
                        tls: infra.tls,
                    }),
                );
            }
        }
        for (index, scenario) in scenarios.into_iter().enumerate() {
            world.add(scenario, vhost_address(index + 1, ip_count))?;
        }
        Ok(world)
    }

    fn add(&mut self, scenario: Scenario, address: Ipv4Addr) -> Result<(), LabError> {
        let invalid = |reason: &str| LabError::Scenario {
            domain: scenario.domain.clone(),
            reason: reason.to_owned(),
        };
        let apex = to_ascii(&scenario.domain).ok_or_else(|| invalid("not a valid domain name"))?;
        if self.registry.contains_key(&apex) {
            return Err(invalid("the domain appears twice in the catalogue"));
        }
        let host =
            to_ascii(&scenario.site_host()).ok_or_else(|| invalid("not a valid host name"))?;
        let owner_name = |owner: &str| -> String {
            match owner {
                "@" => apex.clone(),
                absolute if absolute.ends_with('.') => {
                    absolute.trim_end_matches('.').to_ascii_lowercase()
                }
                relative => format!("{}.{apex}", relative.to_ascii_lowercase()),
            }
        };
        match &scenario.dns {
            DnsSetup::Records(records) => {
                self.dns.add_zone(&apex, ZoneMode::Normal);
                for record in records {
                    let stored = match &record.data {
                        RecordData::SiteAddress => StoredRecord::A(address),
                        RecordData::A(ip) => StoredRecord::A(*ip),
                        RecordData::Aaaa(ip) => StoredRecord::Aaaa(*ip),
                        RecordData::Cname(target) => StoredRecord::Cname(owner_name(target)),
                        RecordData::Ns(name) => StoredRecord::Ns(owner_name(name)),
                        RecordData::Mx(preference, name) => {
                            StoredRecord::Mx(*preference, owner_name(name))
                        }
                        RecordData::Txt(text) => StoredRecord::Txt(text.clone()),
                    };
                    self.dns.insert(&owner_name(&record.owner), stored);
                }
                let declares_ns = records.iter().any(|r| matches!(r.data, RecordData::Ns(_)));
                if !declares_ns {
                    let nameservers = scenario.registration.iter().flat_map(|r| &r.nameservers);
                    for ns in nameservers {
                        self.dns
                            .insert(&apex, StoredRecord::Ns(ns.to_ascii_lowercase()));
                    }
                }
            }
            DnsSetup::NxDomain => self.dns.add_zone(&apex, ZoneMode::NxDomain),
            DnsSetup::Malformed => self.dns.add_zone(&apex, ZoneMode::Malformed),
            DnsSetup::Silent => self.dns.add_zone(&apex, ZoneMode::Silent),
        }
        let expected = scenario.expected(self.today);
        let (_, description_zh, description_en) = scenario.kind.describe();
        let scheme = if scenario.tls == TlsKind::None {
            "http"
        } else {
            "https"
        };
        let url = Url::parse(&format!("{scheme}://{host}/"))
            .map_err(|error| invalid(&format!("no URL for its host: {error}")))?;
        self.sites.push(LabSite {
            scenario: scenario.kind,
            domain: scenario.domain.clone(),
            domain_ascii: apex.clone(),
            url,
            address,
            description_zh,
            description_en,
            expected,
        });
        self.registry.insert(
            apex.clone(),
            RegistryEntry {
                domain_ascii: apex.clone(),
                domain_unicode: scenario.domain.clone(),
                registration: scenario.registration,
                behaviour: scenario.registry,
            },
        );
        if let Some(web) = scenario.web {
            let vhost = Arc::new(Vhost {
                web,
                tls: scenario.tls,
            });
            if scenario.site_label.is_none() {
                self.vhosts
                    .insert(format!("www.{apex}"), Arc::clone(&vhost));
            }
            self.vhosts.insert(host, vhost);
        }
        Ok(())
    }

    /// The registry's record for a queried name (any case, Unicode or A-label).
    pub(crate) fn registry_entry(&self, name: &str) -> Option<&RegistryEntry> {
        self.registry.get(&to_ascii(name)?)
    }

    pub(crate) fn vhost(&self, host: &str) -> Option<&Arc<Vhost>> {
        let host = host.trim_end_matches('.');
        match self.vhosts.get(host) {
            Some(vhost) => Some(vhost),
            None => self.vhosts.get(&to_ascii(host)?),
        }
    }
}

//! Gathering one site's evidence: the [`SiteChecker`] check of its home URL (DNS, registration,
//! every persona, TLS), then the fetches only a scan makes — random paths that must answer
//! 404, the registration of the site's other registrable domains, the DNS of its zones.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::Arc;

use beian_core::case::deadlines::beijing_date;
use beian_probe::check::{CheckReport, CheckSummary, CheckTarget, SiteChecker};
use beian_probe::dns::DnsProbe;
use beian_probe::http::{BoxFuture, HostResolver, HttpEvidence, HttpProbe};
use beian_probe::politeness::Politeness;
use beian_probe::rdap::client::RdapClient;
use beian_probe::registration_probe::RegistrationProbe;
use beian_probe::whois::client::WhoisClient;
use beian_probe::{
    Outcome, Persona, PersonaKind, ProbeFailure, ProbeSettings, ProbeSetupError, Timed,
};
use chrono::Utc;
use url::Url;

use crate::checks::{CheckSet, ScheduledCheck};
use crate::observe::SiteEvidence;

/// Who fetches the random paths: a browser (programs that answer every path) and Baiduspider
/// (parasite programs that only feed spiders).
const RANDOM_PATH_PERSONAS: [Persona; 2] = [
    Persona {
        kind: PersonaKind::DesktopBrowser,
        baidu_referer: false,
    },
    Persona {
        kind: PersonaKind::Baiduspider,
        baidu_referer: false,
    },
];

/// The probes of one scan. Build once per scan: they hold the connection pools, the WHOIS
/// cache and the politeness limits.
pub struct ScanProbes {
    checker: SiteChecker,
    dns: Arc<DnsProbe>,
    http: HttpProbe,
    registration: RegistrationProbe,
    personas: Vec<Persona>,
}

impl std::fmt::Debug for ScanProbes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanProbes")
            .field("checker", &self.checker)
            .finish_non_exhaustive()
    }
}

/// The DNS probe as the random-path fetcher's resolver (the configured nameservers, the lab).
struct DnsResolver(Arc<DnsProbe>);

impl HostResolver for DnsResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, ProbeFailure>> {
        Box::pin(self.0.resolve_ips(host))
    }
}

impl ScanProbes {
    pub fn new(settings: &ProbeSettings) -> Result<ScanProbes, ProbeSetupError> {
        let checker = SiteChecker::new(settings)?;
        let dns = Arc::new(DnsProbe::new(&settings.dns)?);
        // The checker keeps its clients private; the scan's own fetches get their own, with
        // the same settings and limits. They run after the site's check, never beside it, so
        // one host never sees more than the per-host limit from this scan.
        let http = HttpProbe::new(
            &settings.http,
            &settings.network,
            Arc::new(DnsResolver(Arc::clone(&dns))),
            Some(Politeness::new(&settings.limits)),
        )?;
        let whois = WhoisClient::new(&settings.whois).with_resolver(Arc::clone(&dns));
        let rdap = RdapClient::with_default_http(&settings.rdap, &settings.http.extra_roots_pem)?;
        Ok(ScanProbes {
            checker,
            dns,
            http,
            registration: RegistrationProbe::new(Arc::new(rdap), Arc::new(whois)),
            personas: settings.http.personas.clone(),
        })
    }

    /// Everything a scan learns about one site. `zones` are the registrable domains of the
    /// site's domains; `names` its inventory domain names. Never fails: every problem is
    /// evidence.
    pub async fn gather(
        &self,
        target: &CheckTarget,
        names: &[String],
        zones: &[String],
    ) -> SiteEvidence {
        self.gather_checks(target, names, zones, CheckSet::ALL)
            .await
    }

    /// What the checks in `checks` learn about one site. The home URL's check (DNS,
    /// registration, personas, certificate together) runs whenever the pages or the
    /// certificate are due, since only it follows the HTTPS → HTTP fallback; otherwise
    /// only the due lookups run, and the rest of the report holds "not run" failures that
    /// the scan replaces with the previous observation's facts.
    pub async fn gather_checks(
        &self,
        target: &CheckTarget,
        names: &[String],
        zones: &[String],
        checks: CheckSet,
    ) -> SiteEvidence {
        let registration_due = checks.contains(ScheduledCheck::Registration);
        let dns_due = checks.contains(ScheduledCheck::Dns);
        let other_zones: BTreeSet<&String> = zones
            .iter()
            .filter(|zone| registration_due && **zone != target.registrable_domain)
            .collect();
        // DNS of every zone and inventory name except the host (the check asks for the host).
        let dns_names: BTreeSet<&String> = names
            .iter()
            .chain(zones)
            .chain(std::iter::once(&target.registrable_domain))
            .filter(|name| dns_due && **name != target.host)
            .collect();
        let registrations = async {
            let mut found = BTreeMap::new();
            for zone in &other_zones {
                found.insert(
                    (*zone).clone(),
                    self.registration.lookup(zone.as_str()).await,
                );
            }
            found
        };
        let zone_dns = async {
            let mut found = BTreeMap::new();
            for name in &dns_names {
                found.insert((*name).clone(), self.dns.lookup(name.as_str()).await);
            }
            found
        };
        let (report, registrations, zone_dns) =
            tokio::join!(self.home_report(target, checks), registrations, zone_dns);
        let random_paths =
            if checks.contains(ScheduledCheck::Http) && worth_random_paths(&report.http) {
                self.random_paths(&report.url).await
            } else {
                Vec::new()
            };
        // The web check also looks up the host's DNS; registration only when due.
        let probed = if checks.needs_web() && registration_due {
            CheckSet::ALL
        } else if checks.needs_web() {
            CheckSet::ALL.without(ScheduledCheck::Registration)
        } else {
            checks
        };
        SiteEvidence {
            report,
            random_paths,
            registrations,
            zone_dns,
            probed,
        }
    }

    /// The home URL's report: the full check when the web is due, else just the due
    /// lookups of the host.
    async fn home_report(&self, target: &CheckTarget, checks: CheckSet) -> CheckReport {
        if checks.needs_web() {
            return self
                .checker
                .check_with(target, checks.contains(ScheduledCheck::Registration))
                .await;
        }
        let started_at = Utc::now();
        let dns = async {
            if checks.contains(ScheduledCheck::Dns) {
                self.dns.lookup(&target.host).await
            } else {
                Timed::not_run(started_at)
            }
        };
        let registration = async {
            if checks.contains(ScheduledCheck::Registration) {
                Timed::measure(async {
                    Outcome::Ok(self.registration.lookup(&target.registrable_domain).await)
                })
                .await
            } else {
                Timed::not_run(started_at)
            }
        };
        let (dns, registration) = tokio::join!(dns, registration);
        let summary = CheckSummary::of(
            &dns,
            &registration,
            &[],
            &self.personas,
            None,
            beijing_date(started_at),
        );
        CheckReport {
            target: target.input.clone(),
            host: target.host.clone(),
            registrable_domain: target.registrable_domain.clone(),
            url: target.url.clone(),
            started_at,
            elapsed_ms: u64::try_from((Utc::now() - started_at).num_milliseconds()).unwrap_or(0),
            dns,
            registration,
            http: Vec::new(),
            tls: None,
            summary,
        }
    }

    /// Two paths that cannot exist on an honest site: a doorway-shaped one as Baiduspider and
    /// a random file as a browser. Random per scan so a farm cannot cache an answer for us.
    async fn random_paths(&self, home: &Url) -> Vec<Timed<HttpEvidence>> {
        let state = RandomState::new();
        let a = state.hash_one(home.as_str());
        let b = state.hash_one((home.as_str(), a));
        let paths = [
            format!("/{a:016x}.html"),
            format!("/{}/{}.html", letters(b), b % 10_000_000_000),
        ];
        let mut fetches = Vec::with_capacity(paths.len());
        for (path, persona) in paths.iter().zip(RANDOM_PATH_PERSONAS) {
            let Ok(url) = home.join(path) else { continue };
            fetches.push(self.http.fetch(&url, persona).await);
        }
        fetches
    }
}

/// The evidence of a probe a partial scan did not run (replaced by carried-over facts).
/// Six lower-case letters from a number (a plausible directory name).
fn letters(mut n: u64) -> String {
    let mut out = String::with_capacity(6);
    for _ in 0..6 {
        let offset = u8::try_from(n % 26).unwrap_or(0);
        out.push(char::from(b'a' + offset));
        n /= 26;
    }
    out
}

/// Random paths are worth fetching only from a server that answered the home page in time: a
/// hanging or trickling server would cost its timeout twice more.
fn worth_random_paths(home: &[Timed<HttpEvidence>]) -> bool {
    let answered = home.iter().any(|fetch| fetch.outcome.ok().is_some());
    let timed_out = home.iter().any(|fetch| {
        matches!(fetch.outcome.failure(), Some(ProbeFailure::Timeout { .. }))
            || fetch
                .outcome
                .ok()
                .is_some_and(|e| matches!(e.error, Some(ProbeFailure::Timeout { .. })))
    });
    answered && !timed_out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_six_lower_case() {
        let word = letters(u64::MAX);
        assert_eq!(word.len(), 6);
        assert!(word.bytes().all(|b| b.is_ascii_lowercase()));
    }
}

//! What the rules judge: a site's inventory (subject, website, domains, filings) together
//! with what the probes and the detector saw at the latest scan and at the one before.
//!
//! These are plain data owned by the core so the rules stay pure and the engine, the store
//! and the benchmarks can build them from wherever they come from. The engine stores a
//! [`SiteObservation`] per site and scan as JSON; rules never see raw HTTP bodies.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Domain, Filing, FilingKind, Subject, Website};

/// Everything one judgement of one site needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteFacts {
    /// Beijing date of the judgement: deadlines and expiries count from it.
    pub today: NaiveDate,
    pub subject: Option<Subject>,
    pub website: Website,
    /// Domains whose `website_id` is this site.
    pub domains: Vec<Domain>,
    /// Filings of this site (website, app, PSB …) and the subject filings they hang under.
    pub filings: Vec<Filing>,
    /// The latest scan; `None` before the first (inventory-only rules still run).
    pub current: Option<SiteObservation>,
    /// The scan before the latest one: the baseline for "changed" rules.
    pub previous: Option<SiteObservation>,
}

/// What one scan saw of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteObservation {
    pub observed_at: DateTime<Utc>,
    pub domains: Vec<DomainObservation>,
    /// `None` when the site's pages were not fetched.
    pub web: Option<WebFacts>,
}

impl SiteObservation {
    /// The observation of one domain, by ASCII name.
    pub fn domain(&self, name: &str) -> Option<&DomainObservation> {
        self.domains.iter().find(|domain| domain.name == name)
    }
}

/// Registration and DNS of one domain (the registrable name and the site's host).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainObservation {
    /// ASCII name as in the inventory.
    pub name: String,
    pub registration: RegistrationObservation,
    pub dns: Option<DnsFacts>,
}

/// What RDAP/WHOIS said about a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegistrationObservation {
    /// Neither RDAP nor WHOIS gave a definite answer (the detail says why); rules that need
    /// registration facts stay silent rather than guess.
    Unknown {
        detail: String,
    },
    /// RDAP 404 or a WHOIS "no match": anyone can register it.
    NotRegistered,
    Registered(RegistrationFacts),
}

/// Registration facts as the registry or registrar reported them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationFacts {
    /// `rdap` or `whois`.
    pub source: String,
    pub created_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub updated_on: Option<NaiveDate>,
    /// RFC 8056 / EPP status names as reported, lower case with spaces
    /// (`client hold`, `redemption period`, `pending delete`, `ok`).
    pub statuses: Vec<String>,
    pub registrar: Option<String>,
    pub registrant: Option<String>,
    /// Lower-case host names without the trailing dot.
    pub nameservers: Vec<String>,
}

/// DNS of the site's host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsFacts {
    /// `no_error`, `nx_domain`, `serv_fail`, … or `failed` when no answer came.
    pub rcode: String,
    pub addresses: Vec<IpAddr>,
    /// The CNAME chain from the host, in order, without trailing dots.
    pub cname_chain: Vec<String>,
    /// NS of the registrable domain, lower case, sorted.
    pub nameservers: Vec<String>,
}

/// What the pages of the site showed, as the detector judged them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebFacts {
    /// The URL the personas fetched.
    pub url: String,
    /// `clean`, `suspicious` or `hijacked` (beian-detect's verdict).
    pub verdict: String,
    /// Whether any persona got an HTTP answer at all.
    pub reachable: bool,
    /// Title as the desktop browser saw it.
    pub title: Option<String>,
    pub signals: Vec<SignalFact>,
    /// Filing numbers found on the home page (desktop browser persona).
    pub footer: Vec<FooterFact>,
    pub tls: Option<TlsFacts>,
}

/// One detector signal, reduced to what rules and people need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalFact {
    /// beian-detect's technique name: `hostile_content`, `cloaking`, `js_redirect`,
    /// `iframe_overlay`, `hidden_links`, `parasite_pages`, `title_replacement`, `parking`,
    /// `takeover`, `footer`.
    pub technique: String,
    /// The signal's own kind, e.g. `gambling_terms`.
    pub kind: String,
    pub confidence: f32,
    pub explanation: String,
    /// Short snippets with where they came from (`persona url: text`).
    pub snippets: Vec<String>,
}

/// A filing or licence number found in a page footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FooterFact {
    pub kind: FilingKind,
    /// Canonical number (as `beian-core` normalises it).
    pub number: String,
    /// The href around the number, if any.
    pub link: Option<String>,
    /// Whether the link goes where it must (beian.miit.gov.cn for ICP numbers,
    /// beian.mps.gov.cn with `code=` equal to the number for PSB numbers).
    pub link_ok: bool,
}

/// Certificate facts of the site's host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFacts {
    pub not_after: Option<DateTime<Utc>>,
    pub days_left: Option<i64>,
    pub issuer: Option<String>,
    /// `valid`, `expired`, `not_yet_valid`, `self_signed`, `name_mismatch`, `unknown_issuer`, `other`,
    /// or `failed` when no certificate could be read.
    pub verdict: String,
    pub detail: Option<String>,
}

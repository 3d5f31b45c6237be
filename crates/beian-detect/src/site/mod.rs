//! Site-level analysis: what only shows when several fetches of one site are compared —
//! cloaking between personas, parasite pages on random paths, changes against the owner's
//! known-good baseline, parking and takeover from DNS (FACTS §7.9).

mod analyse_site;
mod baseline;
mod cloaking;
mod parasite;
mod similarity;

use beian_probe::Persona;
use beian_probe::dns::DnsEvidence;
use serde::Serialize;

use crate::analyse_page::PageAnalysis;
use crate::footer::ExpectedFooter;
use crate::signal::{Signal, Verdict};

pub use analyse_site::analyse_site;
pub use similarity::{Shingles, jaccard};

/// One fetch of one URL of the site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capture {
    /// Who fetched (UA profile, Baidu referrer); `None` for an unspecified fetch.
    pub persona: Option<Persona>,
    pub requested_url: String,
    pub final_url: String,
    pub status: u16,
    /// Decoded body.
    pub html: String,
    /// Redirect chain, first request to last.
    pub hops: Vec<String>,
    /// The `Server` response header (helps recognise cloud error pages).
    pub server_header: Option<String>,
}

/// The owner's known-good fingerprint of the site's home page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    pub title: String,
    pub meta_keywords: String,
    pub meta_description: String,
    /// Hosts of the scripts the page loads.
    pub script_hosts: Vec<String>,
    /// Hosts the page links to.
    pub outbound_hosts: Vec<String>,
}

/// Everything gathered about one site.
#[derive(Debug, Clone, Default)]
pub struct SiteInput {
    pub host: String,
    /// Registrable domain of the site; defaults to the host's.
    pub owner_domain: Option<String>,
    /// The home page (or watched URL) under several personas.
    pub captures: Vec<Capture>,
    /// Random paths that should answer 404.
    pub random_path_captures: Vec<Capture>,
    pub dns: Option<DnsEvidence>,
    pub baseline: Option<Baseline>,
    pub expected_footer: Option<ExpectedFooter>,
    /// Registrable domains of the zone's name servers that WHOIS/RDAP shows unregistered.
    pub ns_domains_unregistered: Vec<String>,
}

/// The result for one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteAnalysis {
    /// One per capture, in order (page signals include script screening).
    pub pages: Vec<PageAnalysis>,
    /// One per random-path capture, in order.
    pub random_pages: Vec<PageAnalysis>,
    /// Signals only the comparison of captures, the baseline or DNS can give.
    pub signals: Vec<Signal>,
    pub verdict: Verdict,
    /// Noisy-or of the strongest signal of each kind over pages and site.
    pub score: f32,
}

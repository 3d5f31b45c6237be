//! The one place where live probe evidence becomes detector input: a [`CheckReport`] (the
//! home page as every persona), the random-path fetches and the owner's baseline go through
//! `beian-detect`'s site analysis exactly as saved captures do (`beian inspect site`, the
//! corpus), so `beian check`, `beian scan` and the corpus judge a page the same way.

use beian_detect::corpus::{
    BaselineSpec, CapturedPage, SiteCapture, SiteCaseInput, analyse_site_case,
};
use beian_detect::site::SiteAnalysis;
use beian_detect::{DetectContext, PageAnalysis};
use beian_probe::check::CheckReport;
use beian_probe::http::HttpEvidence;
use beian_probe::{PersonaKind, Timed};
use serde::{Deserialize, Serialize};

/// The look of a site's home page as a desktop browser saw it, kept with every observation so
/// a later scan can compare against the owner's known-good page (a replaced title, new
/// third-party scripts, a sudden crowd of outbound links).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFingerprint {
    pub title: String,
    pub meta_keywords: String,
    pub meta_description: String,
    /// Hosts of the off-site scripts the page loads, sorted, without duplicates.
    pub script_hosts: Vec<String>,
    /// Registrable domains of the off-site links, sorted, without duplicates.
    pub outbound_hosts: Vec<String>,
}

impl PageFingerprint {
    /// The fingerprint of an analysed page.
    pub fn of(page: &PageAnalysis) -> PageFingerprint {
        let facts = &page.facts;
        let mut script_hosts: Vec<String> = facts
            .scripts
            .iter()
            .filter_map(|script| script.src.as_ref())
            .filter(|target| target.off_site)
            .filter_map(|target| target.host.as_deref().map(str::to_string))
            .collect();
        script_hosts.sort_unstable();
        script_hosts.dedup();
        let mut outbound_hosts: Vec<String> = facts
            .links
            .iter()
            .filter(|link| link.target.off_site)
            .filter_map(|link| link.target.domain.as_deref().map(str::to_string))
            .collect();
        outbound_hosts.sort_unstable();
        outbound_hosts.dedup();
        PageFingerprint {
            title: facts.title.clone(),
            meta_keywords: facts.meta_keywords.clone(),
            meta_description: facts.meta_description.clone(),
            script_hosts,
            outbound_hosts,
        }
    }

    fn as_baseline(&self) -> BaselineSpec {
        BaselineSpec {
            title: Some(self.title.clone()),
            keywords: Some(self.meta_keywords.clone()),
            description: Some(self.meta_description.clone()),
            script_hosts: self.script_hosts.clone(),
            outbound_hosts: self.outbound_hosts.clone(),
        }
    }
}

/// Everything the detectors get about one site.
#[derive(Debug, Clone, Copy)]
pub struct DetectionInput<'a> {
    /// The home page as every persona, its DNS, registration and certificate.
    pub report: &'a CheckReport,
    /// Paths that should answer 404 (parasite pages answer 200).
    pub random_paths: &'a [Timed<HttpEvidence>],
    /// The owner's known-good home page; `None` before the first clean scan.
    pub baseline: Option<&'a PageFingerprint>,
    /// The numbers the footer must show, from the site's filings.
    pub expected_icp: Option<&'a str>,
    pub expected_psb: Option<&'a str>,
}

impl<'a> DetectionInput<'a> {
    /// A check alone: no random paths, no baseline, no filings (what `beian check` knows).
    pub fn of_report(report: &'a CheckReport) -> DetectionInput<'a> {
        DetectionInput {
            report,
            random_paths: &[],
            baseline: None,
            expected_icp: None,
            expected_psb: None,
        }
    }
}

/// Runs the site analysis over live evidence.
pub fn analyse(input: &DetectionInput<'_>, ctx: &DetectContext) -> SiteAnalysis {
    let report = input.report;
    let site = SiteCapture {
        host: report.host.clone(),
        captures: captured(&report.http),
        random_paths: captured(input.random_paths),
        baseline: input.baseline.map(PageFingerprint::as_baseline),
        dns: report.dns.outcome.ok().cloned(),
        // Whether the zone's name servers sit in lapsed domains would need a registration
        // probe per NS domain; not gathered yet (see the crate documentation).
        ns_domains_unregistered: Vec::new(),
    };
    analyse_site_case(
        &SiteCaseInput {
            site: &site,
            url: report.url.as_str(),
            owner_domain: &report.registrable_domain,
            expected_icp: input.expected_icp,
            expected_psb: input.expected_psb,
        },
        ctx,
    )
}

/// The fetches that got an answer, as captures. A fetch that failed before any answer has
/// nothing to analyse; its failure stays in the report.
fn captured(fetches: &[Timed<HttpEvidence>]) -> Vec<CapturedPage> {
    fetches
        .iter()
        .filter_map(|fetch| fetch.outcome.ok())
        .map(|evidence| CapturedPage {
            file: String::new(),
            persona: evidence.persona,
            requested_url: evidence.requested_url.to_string(),
            final_url: evidence.final_url.to_string(),
            status: evidence.status,
            hops: evidence
                .hops
                .iter()
                .map(|hop| hop.url.to_string())
                .collect(),
            server_header: evidence.headers.get("server").cloned(),
            html: evidence.body.clone(),
        })
        .collect()
}

/// The page people see: the desktop browser without a search referrer, else the first page
/// analysed (mirrors the detector's own reference choice).
pub fn reference_page<'a>(
    report: &CheckReport,
    analysis: &'a SiteAnalysis,
) -> Option<&'a PageAnalysis> {
    let answered: Vec<&HttpEvidence> = report
        .http
        .iter()
        .filter_map(|fetch| fetch.outcome.ok())
        .collect();
    let index = answered
        .iter()
        .position(|evidence| {
            evidence.persona.kind == PersonaKind::DesktopBrowser && !evidence.persona.baidu_referer
        })
        .unwrap_or(0);
    analysis.pages.get(index)
}

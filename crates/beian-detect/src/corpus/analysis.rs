//! The one place where saved captures become detector inputs, shared by the corpus runner and
//! `beian inspect page|site`, so both analyse a saved page exactly the same way.

use beian_probe::Persona;

use super::{CapturedPage, SiteCapture};
use url::Url;

use crate::site::{Baseline, Capture, SiteAnalysis, SiteInput, analyse_site};
use crate::{
    DetectContext, ExpectedFooter, PageAnalysis, PageInput, Signal, Verdict, analyse_page,
};

/// A single saved page and what is known about it.
#[derive(Debug, Clone, Copy)]
pub struct PageCaseInput<'a> {
    pub url: &'a str,
    pub persona: Persona,
    pub html: &'a str,
    pub owner_domain: &'a str,
    pub expected_icp: Option<&'a str>,
    pub expected_psb: Option<&'a str>,
}

/// A folder of persona captures of one site.
#[derive(Debug, Clone, Copy)]
pub struct SiteCaseInput<'a> {
    pub site: &'a SiteCapture,
    pub url: &'a str,
    pub owner_domain: &'a str,
    pub expected_icp: Option<&'a str>,
    pub expected_psb: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub enum CaseInput<'a> {
    Page(PageCaseInput<'a>),
    Site(SiteCaseInput<'a>),
}

pub fn analyse_page_case(page: &PageCaseInput<'_>, ctx: &DetectContext) -> PageAnalysis {
    analyse_page(
        &PageInput {
            url: Url::parse(page.url).ok(),
            persona: Some(page.persona),
            html: page.html,
            owner_domain: Some(page.owner_domain.to_string()).filter(|d| !d.is_empty()),
            expected_footer: expected_footer(page.expected_icp, page.expected_psb),
        },
        ctx,
    )
}

fn expected_footer(icp: Option<&str>, psb: Option<&str>) -> Option<ExpectedFooter> {
    (icp.is_some() || psb.is_some()).then(|| ExpectedFooter {
        icp: icp.map(str::to_string),
        psb: psb.map(str::to_string),
    })
}

pub fn analyse_site_case(site: &SiteCaseInput<'_>, ctx: &DetectContext) -> SiteAnalysis {
    let capture = |page: &CapturedPage| Capture {
        persona: Some(page.persona),
        requested_url: page.requested_url.clone(),
        final_url: page.final_url.clone(),
        status: page.status,
        html: page.html.clone(),
        hops: page.hops.clone(),
        server_header: page.server_header.clone(),
    };
    let capture_set = site.site;
    let host = if capture_set.host.is_empty() {
        Url::parse(site.url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_string))
            .unwrap_or_default()
    } else {
        capture_set.host.clone()
    };
    analyse_site(
        &SiteInput {
            host,
            owner_domain: Some(site.owner_domain.to_string()).filter(|d| !d.is_empty()),
            captures: capture_set.captures.iter().map(capture).collect(),
            random_path_captures: capture_set.random_paths.iter().map(capture).collect(),
            dns: capture_set.dns.clone(),
            baseline: capture_set.baseline.as_ref().map(|spec| Baseline {
                title: spec.title.clone().unwrap_or_default(),
                meta_keywords: spec.keywords.clone().unwrap_or_default(),
                meta_description: spec.description.clone().unwrap_or_default(),
                script_hosts: spec.script_hosts.clone(),
                outbound_hosts: spec.outbound_hosts.clone(),
            }),
            expected_footer: expected_footer(site.expected_icp, site.expected_psb),
            ns_domains_unregistered: capture_set.ns_domains_unregistered.clone(),
        },
        ctx,
    )
}

/// Every signal of a site analysis: the site-level ones, then each page's.
pub fn all_signals(analysis: &SiteAnalysis) -> Vec<Signal> {
    analysis
        .signals
        .iter()
        .chain(analysis.pages.iter().flat_map(|page| &page.signals))
        .chain(analysis.random_pages.iter().flat_map(|page| &page.signals))
        .cloned()
        .collect()
}

/// The verdict and every signal of a case, page or site.
pub fn analyse_case(case: &CaseInput<'_>, ctx: &DetectContext) -> (Verdict, Vec<Signal>) {
    match case {
        CaseInput::Page(page) => {
            let analysis = analyse_page_case(page, ctx);
            (analysis.verdict, analysis.signals)
        }
        CaseInput::Site(site) => {
            let analysis = analyse_site_case(site, ctx);
            (analysis.verdict, all_signals(&analysis))
        }
    }
}

//! `beian inspect page FILE` and `beian inspect site DIR`: the detectors over saved captures.
//!
//! Stable interface (README "Stable interfaces"): one JSON object whose first keys are
//! `verdict` (`clean` | `suspicious` | `hijacked`) and `signals` (objects with at least `kind`,
//! `confidence` and `evidence`); keys after them (`score`, `facts`, `footer`, `pages` …) may
//! grow.

use std::path::Path;

use beian_detect::corpus::{
    self, CapturedPage, PageCaseInput, SiteCaseInput, analyse_page_case, analyse_site_case,
    decode_html,
};
use beian_detect::lexicon::LexiconScore;
use beian_detect::page::PageFacts;
use beian_detect::{DetectContext, FooterRecord, PageAnalysis, Signal, Verdict};
use serde::Serialize;

use super::read_file;
use crate::error::{Exit, UserError};
use crate::output;

pub struct PageRequest<'a> {
    pub file: &'a Path,
    pub url: Option<&'a str>,
    pub persona: &'a str,
    pub owner_domain: Option<&'a str>,
    pub expected_icp: Option<&'a str>,
    pub expected_psb: Option<&'a str>,
}

#[derive(Serialize)]
struct PageReport<'a> {
    verdict: Verdict,
    signals: &'a [Signal],
    file: String,
    url: &'a str,
    persona: &'a str,
    score: f32,
    facts: &'a PageFacts,
    footer: &'a [FooterRecord],
    lexicon: &'a LexiconScore,
}

#[derive(Serialize)]
struct SiteReport<'a> {
    verdict: Verdict,
    /// Site-level signals first, then each capture's page signals.
    signals: &'a [Signal],
    dir: String,
    host: &'a str,
    score: f32,
    pages: Vec<CapturedPageReport<'a>>,
    random_pages: Vec<CapturedPageReport<'a>>,
}

/// One capture's page analysis, named by the file it came from.
#[derive(Serialize)]
struct CapturedPageReport<'a> {
    file: &'a str,
    persona: String,
    verdict: Verdict,
    score: f32,
    title: &'a str,
}

fn describe<'a>(
    pages: &'a [CapturedPage],
    analyses: &'a [PageAnalysis],
) -> Vec<CapturedPageReport<'a>> {
    pages
        .iter()
        .zip(analyses)
        .map(|(page, analysis)| CapturedPageReport {
            file: &page.file,
            persona: corpus::persona_name(page.persona),
            verdict: analysis.verdict,
            score: analysis.score,
            title: &analysis.facts.title,
        })
        .collect()
}

fn context() -> DetectContext {
    DetectContext::bundled(crate::config::today_in_china())
}

/// The registrable-looking part of a URL's host, for pages saved without `--owner-domain`.
fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
}

pub fn inspect_page(request: &PageRequest<'_>) -> anyhow::Result<Exit> {
    let persona = corpus::parse_persona(request.persona).ok_or_else(|| {
        UserError::input(format!(
            "未知访问身份 / unknown persona {:?}",
            request.persona
        ))
        .with_fix("如 desktop_browser、baiduspider、mobile_wechat，可加 +baidu_referer / e.g. desktop_browser, baiduspider, optionally +baidu_referer")
    })?;
    let html = decode_html(&read_file(request.file)?, None);
    let url = request.url.unwrap_or("http://localhost/");
    let owner_domain = request
        .owner_domain
        .map(str::to_owned)
        .or_else(|| request.url.and_then(host_of))
        .unwrap_or_default();
    let analysis = analyse_page_case(
        &PageCaseInput {
            url,
            persona,
            html: &html,
            owner_domain: &owner_domain,
            expected_icp: request.expected_icp,
            expected_psb: request.expected_psb,
        },
        &context(),
    );
    output::print_json(&PageReport {
        verdict: analysis.verdict,
        signals: &analysis.signals,
        file: request.file.display().to_string(),
        url,
        persona: request.persona,
        score: analysis.score,
        facts: &analysis.facts,
        footer: &analysis.footer,
        lexicon: &analysis.lexicon,
    })?;
    Ok(Exit::Success)
}

pub fn inspect_site(
    dir: &Path,
    owner_domain: Option<&str>,
    expected_icp: Option<&str>,
    expected_psb: Option<&str>,
) -> anyhow::Result<Exit> {
    let site = corpus::load_site_dir(dir).map_err(|error| {
        UserError::input(error.to_string()).with_fix(
            "目录中放 <persona>.html（如 desktop_browser.html、baiduspider.html）与可选的 capture.toml / put <persona>.html files and an optional capture.toml in the folder",
        )
    })?;
    let owner_domain = owner_domain
        .map(str::to_owned)
        .unwrap_or_else(|| site.host.trim_start_matches("www.").to_owned());
    let url = if site.host.is_empty() {
        site.captures
            .first()
            .map(|page| page.requested_url.clone())
            .unwrap_or_default()
    } else {
        format!("https://{}/", site.host)
    };
    let analysis = analyse_site_case(
        &SiteCaseInput {
            site: &site,
            url: &url,
            owner_domain: &owner_domain,
            expected_icp,
            expected_psb,
        },
        &context(),
    );
    let signals = corpus::all_signals(&analysis);
    output::print_json(&SiteReport {
        verdict: analysis.verdict,
        signals: &signals,
        dir: dir.display().to_string(),
        host: &site.host,
        score: analysis.score,
        pages: describe(&site.captures, &analysis.pages),
        random_pages: describe(&site.random_paths, &analysis.random_pages),
    })?;
    Ok(Exit::Success)
}

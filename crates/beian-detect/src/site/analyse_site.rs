//! Runs every site-level check and combines pages and site signals into one verdict.

use beian_probe::{Persona, PersonaKind};
use url::Url;

use super::{Capture, SiteAnalysis, SiteInput, baseline, cloaking, parasite};
use crate::analyse_page::{DetectContext, PageAnalysis, PageInput, analyse_page, combine};
use crate::page::registrable_domain;
use crate::signal::{Evidence, Region, Signal, Technique, Verdict, clip_snippet};
use crate::takeover::{Response, TakeoverInput, takeover_signals};
use crate::{js, parking};

/// Analyses every capture, then compares them, the baseline and DNS.
pub fn analyse_site(input: &SiteInput, ctx: &DetectContext) -> SiteAnalysis {
    let owner = input
        .owner_domain
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map_or_else(|| registrable_domain(&input.host), registrable_domain);
    let analyse = |capture: &Capture| analyse_capture(capture, &owner, input, ctx);
    let pages: Vec<PageAnalysis> = input.captures.iter().map(analyse).collect();
    let random_pages: Vec<PageAnalysis> = input.random_path_captures.iter().map(analyse).collect();

    let mut signals = Vec::new();
    signals.extend(cloaking::signals(&input.captures, &pages, &owner));
    signals.extend(parasite::signals(
        &input.random_path_captures,
        &random_pages,
        reference(&input.captures, &pages).map(|(_, p)| p),
        &owner,
    ));
    if let Some(known) = &input.baseline {
        signals.extend(baseline::signals(known, &input.captures, &pages, ctx));
    }
    if let Some(found) = input.captures.iter().find_map(|c| {
        let found =
            parking::body_signals(&c.html, |marker| capture_evidence(c, marker, Region::Body));
        (!found.is_empty()).then_some(found)
    }) {
        signals.extend(found);
    }
    if let Some(dns) = &input.dns {
        signals.extend(parking::dns_signals(dns));
        let responses: Vec<Response<'_>> = input
            .captures
            .iter()
            .map(|c| Response {
                url: Some(c.final_url.as_str()),
                status: Some(c.status),
                body: &c.html,
                server_header: c.server_header.as_deref(),
            })
            .collect();
        signals.extend(takeover_signals(&TakeoverInput {
            dns,
            responses: &responses,
            ns_domains_unregistered: &input.ns_domains_unregistered,
        }));
    }

    // Random paths feed the parasite check; their own page signals are not the site's.
    let (verdict, score) = site_verdict(&pages, &signals);
    SiteAnalysis {
        pages,
        random_pages,
        signals,
        verdict,
        score,
    }
}

/// One capture through the page analysis, with its inline scripts screened too (the page
/// analysis leaves scripts to `js`; screening is skipped when it already did it).
fn analyse_capture(
    capture: &Capture,
    owner: &str,
    input: &SiteInput,
    ctx: &DetectContext,
) -> PageAnalysis {
    let url = Url::parse(&capture.final_url)
        .or_else(|_| Url::parse(&capture.requested_url))
        .ok();
    let page_input = PageInput {
        url,
        persona: capture.persona,
        html: &capture.html,
        owner_domain: Some(owner.to_string()),
        expected_footer: input.expected_footer.clone(),
    };
    let mut page = analyse_page(&page_input, ctx);
    if !page.signals.iter().any(js::is_script_signal) {
        let mut found = js::screen_scripts(&page.facts.scripts, Some(owner));
        for signal in &mut found {
            for e in &mut signal.evidence {
                e.persona = capture.persona;
                e.url = Some(capture.final_url.clone());
            }
        }
        if !found.is_empty() {
            page.signals.extend(found);
            let (verdict, score) = combine(&page.signals);
            page.verdict = verdict;
            page.score = score;
        }
    }
    page
}

/// The strongest signal of each kind, so one finding repeated on every persona's page
/// counts once.
fn strongest_per_kind<'a>(signals: impl Iterator<Item = &'a Signal>) -> Vec<Signal> {
    let mut out: Vec<Signal> = Vec::new();
    for signal in signals {
        match out
            .iter_mut()
            .find(|s| s.kind == signal.kind && s.technique == signal.technique)
        {
            Some(existing) if existing.confidence < signal.confidence => *existing = signal.clone(),
            Some(_) => {}
            None => out.push(signal.clone()),
        }
    }
    out
}

/// The combination rule of the page analysis over the site's pages and site signals.
fn site_verdict(pages: &[PageAnalysis], site: &[Signal]) -> (Verdict, f32) {
    let all = strongest_per_kind(
        pages
            .iter()
            .flat_map(|p| p.signals.iter())
            .chain(site.iter()),
    );
    let (combined, score) = combine(&all);
    let verdict = pages.iter().map(|p| p.verdict).fold(combined, Verdict::max);
    (verdict, score)
}

/// The capture people see: a desktop browser without a search referrer, else the first
/// capture without a persona, else the first one.
pub(super) fn reference<'a>(
    captures: &'a [Capture],
    pages: &'a [PageAnalysis],
) -> Option<(&'a Capture, &'a PageAnalysis)> {
    let index = captures
        .iter()
        .position(|c| {
            c.persona
                .is_some_and(|p| p.kind == PersonaKind::DesktopBrowser && !p.baidu_referer)
        })
        .or_else(|| captures.iter().position(|c| c.persona.is_none()))
        .or(if captures.is_empty() { None } else { Some(0) })?;
    Some((captures.get(index)?, pages.get(index)?))
}

pub(super) fn is_spider(persona: Option<Persona>) -> bool {
    persona.is_some_and(|p| {
        matches!(
            p.kind,
            PersonaKind::Baiduspider | PersonaKind::SogouSpider | PersonaKind::Spider360
        )
    })
}

pub(super) fn persona_label(persona: Option<Persona>) -> String {
    match persona {
        Some(p) if p.baidu_referer => format!("{}+baidu_referer", p.kind.as_str()),
        Some(p) => p.kind.as_str().to_string(),
        None => "default".to_string(),
    }
}

/// The strongest hostile-content confidence of a page.
pub(super) fn hostile_confidence(page: &PageAnalysis) -> f32 {
    page.signals
        .iter()
        .filter(|s| s.technique == Technique::HostileContent && s.kind.ends_with("_terms"))
        .map(|s| s.confidence)
        .fold(0.0, f32::max)
}

/// Titles compared loosely: whitespace collapsed, case and digits folded.
pub(super) fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                '0'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Registrable domain of a URL's host, when it has one.
pub(super) fn url_domain(url: &str) -> Option<String> {
    Url::parse(url).ok()?.host_str().map(registrable_domain)
}

pub(super) fn capture_evidence(capture: &Capture, snippet: &str, region: Region) -> Evidence {
    Evidence {
        snippet: clip_snippet(snippet, 200),
        region: Some(region),
        persona: capture.persona,
        url: Some(if capture.final_url.is_empty() {
            capture.requested_url.clone()
        } else {
            capture.final_url.clone()
        }),
    }
}

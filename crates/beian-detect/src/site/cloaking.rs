//! Cloaking: spiders, search-referred visitors and plain browsers shown different things
//! (FACTS §7.1, §7.9.1). Each persona's capture is compared with the reference (a desktop
//! browser without referrer): final host, hostile content, title and visible text.

use super::Capture;
use super::analyse_site::{
    capture_evidence, hostile_confidence, is_spider, persona_label, reference, title_key,
    url_domain,
};
use super::similarity::{Shingles, jaccard};
use crate::analyse_page::{PageAnalysis, SUSPICIOUS_CONFIDENCE};
use crate::signal::{Region, Signal, Technique};

/// Below this Jaccard similarity two views of one page are "different content".
const DIFFERENT_CONTENT: f32 = 0.3;
/// Texts shorter than this many shingles are too small to compare.
const MIN_SHINGLES: usize = 40;

pub fn signals(captures: &[Capture], pages: &[PageAnalysis], owner: &str) -> Vec<Signal> {
    let Some((ref_capture, ref_page)) = reference(captures, pages) else {
        return Vec::new();
    };
    let ref_domain = final_domain(ref_capture);
    let ref_on_site = ref_domain.as_deref().is_none_or(|d| d == owner);
    let ref_hostile = hostile_confidence(ref_page);
    let ref_title = title_key(&ref_page.facts.title);
    let ref_text = Shingles::of(&ref_page.facts.text);

    let mut out: Vec<Signal> = Vec::new();
    for (capture, page) in captures.iter().zip(pages) {
        if std::ptr::eq(capture, ref_capture) {
            continue;
        }
        let who = persona_label(capture.persona);
        let spider = is_spider(capture.persona);
        let referred = capture.persona.is_some_and(|p| p.baidu_referer);
        let mut push =
            |kind: &str, confidence: f32, explanation: String, snippet: &str, region: Region| {
                out.push(Signal {
                    kind: kind.to_string(),
                    technique: Technique::Cloaking,
                    confidence,
                    explanation,
                    evidence: vec![capture_evidence(capture, snippet, region)],
                });
            };

        let domain = final_domain(capture);
        if ref_on_site && let Some(domain) = domain.as_deref().filter(|d| *d != owner) {
            let confidence = if spider || referred { 0.9 } else { 0.6 };
            push(
                "persona_redirect_offsite",
                confidence,
                format!(
                    "以 {who} 访问时被带到站外 {domain}，普通浏览器访问时没有 / as {who} the site sends the visitor off-site to {domain}, but not a plain browser"
                ),
                &format!("{} → {}", capture.requested_url, capture.final_url),
                Region::Header,
            );
            continue;
        }

        let hostile = hostile_confidence(page);
        if hostile >= SUSPICIOUS_CONFIDENCE && ref_hostile < SUSPICIOUS_CONFIDENCE {
            push(
                "persona_hostile_content",
                if spider || referred { 0.9 } else { 0.8 },
                format!(
                    "以 {who} 访问时页面含违规内容，普通浏览器看不到 / as {who} the page carries hostile content a plain browser does not see"
                ),
                &page.facts.title,
                Region::Title,
            );
            continue;
        }

        let title = title_key(&page.facts.title);
        let title_differs = !ref_title.is_empty() && !title.is_empty() && title != ref_title;
        let text = Shingles::of(&page.facts.text);
        let similarity = jaccard(&ref_text, &text);
        let comparable = ref_text.len() >= MIN_SHINGLES && text.len() >= MIN_SHINGLES;
        let content_differs = comparable && similarity < DIFFERENT_CONTENT;
        // Mobile views legitimately differ; spiders should see what people see.
        let weight = if spider || referred { 1.0 } else { 0.6 };
        if title_differs {
            push(
                "persona_title_differs",
                0.5 * weight,
                format!(
                    "以 {who} 访问时标题不同：「{}」 vs 「{}」 / as {who} the title differs: '{}' vs '{}'",
                    page.facts.title, ref_page.facts.title, page.facts.title, ref_page.facts.title
                ),
                &page.facts.title,
                Region::Title,
            );
        }
        if content_differs {
            push(
                "persona_content_differs",
                if title_differs {
                    0.6 * weight
                } else {
                    0.45 * weight
                },
                format!(
                    "以 {who} 访问时正文与普通浏览器差异很大（相似度 {similarity:.2}） / as {who} the visible text differs sharply from a plain browser's (similarity {similarity:.2})"
                ),
                &page.facts.text,
                Region::Body,
            );
        }
    }
    out
}

fn final_domain(capture: &Capture) -> Option<String> {
    let last = capture
        .hops
        .last()
        .filter(|_| capture.final_url.is_empty())
        .unwrap_or(&capture.final_url);
    url_domain(last).or_else(|| url_domain(&capture.requested_url))
}

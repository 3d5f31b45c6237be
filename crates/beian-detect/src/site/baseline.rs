//! Changes against the owner's known-good baseline (FACTS §7.9.2): a replaced title or meta
//! carrying hostile terms, and third-party script hosts that were not there before.

use std::collections::BTreeSet;

use super::analyse_site::{capture_evidence, title_key};
use super::{Baseline, Capture};
use crate::analyse_page::{DetectContext, PageAnalysis};
use crate::lexicon::{Category, Lexicon};
use crate::page::registrable_domain;
use crate::signal::{Region, Signal, Technique};

/// Off-site link domains new since the baseline from which a link farm is suspected.
const NEW_OUTBOUND_DOMAINS: usize = 5;

pub fn signals(
    baseline: &Baseline,
    captures: &[Capture],
    pages: &[PageAnalysis],
    ctx: &DetectContext,
) -> Vec<Signal> {
    let mut out: Vec<Signal> = Vec::new();
    let mut push = |signal: Signal| {
        if !out.iter().any(|s| s.kind == signal.kind) {
            out.push(signal);
        }
    };
    let known_scripts = domains(&baseline.script_hosts);
    let known_outbound = domains(&baseline.outbound_hosts);
    for (capture, page) in captures.iter().zip(pages) {
        let facts = &page.facts;
        let regions = [
            (
                &baseline.title,
                &facts.title,
                Region::Title,
                "标题",
                "title",
            ),
            (
                &baseline.meta_keywords,
                &facts.meta_keywords,
                Region::MetaKeywords,
                "关键词",
                "meta keywords",
            ),
            (
                &baseline.meta_description,
                &facts.meta_description,
                Region::MetaDescription,
                "描述",
                "meta description",
            ),
        ];
        for (known, now, region, zh, en) in regions {
            if known.trim().is_empty() || title_key(known) == title_key(now) {
                continue;
            }
            if let Some(term) = hostile_term(&ctx.lexicon, now, region) {
                let kind = if region == Region::Title {
                    "title_replaced"
                } else {
                    "meta_replaced"
                };
                push(Signal {
                    kind: kind.to_string(),
                    technique: Technique::TitleReplacement,
                    confidence: if region == Region::Title { 0.9 } else { 0.85 },
                    explanation: format!(
                        "页面{zh}被替换并含违规词「{term}」：原为「{known}」，现为「{now}」 / the page {en} was replaced with hostile terms ('{term}'): was '{known}', now '{now}'"
                    ),
                    evidence: vec![capture_evidence(capture, now, region)],
                });
            } else if region == Region::Title && !now.trim().is_empty() {
                push(Signal {
                    kind: "title_changed".to_string(),
                    technique: Technique::TitleReplacement,
                    confidence: 0.3,
                    explanation: format!(
                        "页面标题与基线不同：原为「{known}」，现为「{now}」 / the page title differs from the baseline: was '{known}', now '{now}'"
                    ),
                    evidence: vec![capture_evidence(capture, now, region)],
                });
            }
        }

        let new_scripts: BTreeSet<String> = facts
            .scripts
            .iter()
            .filter_map(|s| s.src.as_ref())
            .filter(|t| t.off_site)
            .filter_map(|t| t.host.as_deref())
            .filter(|host| !known_scripts.contains(&registrable_domain(host)))
            .map(str::to_string)
            .collect();
        if !new_scripts.is_empty() {
            let hostile = new_scripts
                .iter()
                .find_map(|h| hostile_term(&ctx.lexicon, h, Region::Link));
            let list = new_scripts
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            push(Signal {
                kind: "new_script_host".to_string(),
                technique: Technique::TitleReplacement,
                confidence: if hostile.is_some() { 0.7 } else { 0.4 },
                explanation: format!(
                    "页面加载了基线中没有的站外脚本：{list} / the page loads off-site scripts absent from the baseline: {list}"
                ),
                evidence: new_scripts
                    .iter()
                    .take(5)
                    .map(|h| capture_evidence(capture, h, Region::Script))
                    .collect(),
            });
        }

        let new_outbound: BTreeSet<&str> = facts
            .links
            .iter()
            .filter(|l| l.target.off_site)
            .filter_map(|l| l.target.domain.as_deref())
            .filter(|d| !known_outbound.contains(*d))
            .collect();
        if new_outbound.len() >= NEW_OUTBOUND_DOMAINS {
            let list = new_outbound
                .iter()
                .take(8)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            push(Signal {
                kind: "new_outbound_domains".to_string(),
                technique: Technique::TitleReplacement,
                confidence: 0.3,
                explanation: format!(
                    "页面新增 {} 个基线中没有的外链域名：{list} / the page links to {} off-site domains absent from the baseline: {list}",
                    new_outbound.len(),
                    new_outbound.len()
                ),
                evidence: new_outbound
                    .iter()
                    .take(5)
                    .map(|d| capture_evidence(capture, d, Region::Link))
                    .collect(),
            });
        }
    }
    out
}

fn domains(hosts: &[String]) -> BTreeSet<String> {
    hosts.iter().map(|h| registrable_domain(h)).collect()
}

/// A term that makes the text hostile on its own: a strong term or two distinct ones.
fn hostile_term(lexicon: &Lexicon, text: &str, region: Region) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    let score = lexicon.score(text, region);
    Category::ALL.into_iter().find_map(|category| {
        let c = score.category(category);
        (c.strong() >= 1 || c.distinct() >= 2)
            .then(|| c.terms.keys().next().cloned())
            .flatten()
    })
}

//! Page-level analysis: facts → signals → a verdict.
//!
//! ## How signals combine into a verdict
//!
//! Each detector reports a confidence in 0.0–1.0. The page verdict is:
//! * **hijacked** when any signal is ≥ 0.8 (e.g. a gambling brand in the title, hidden
//!   off-site links whose text is gambling, a full-screen off-site iframe overlay), or when
//!   signals ≥ 0.5 of at least two different hijack techniques agree (e.g. hostile content
//!   and an off-site meta refresh);
//! * **suspicious** when any signal is ≥ 0.5, or the combined score is ≥ 0.6;
//! * **clean** otherwise (weak signals such as a new `noarchive` or an off-site form stay
//!   listed for a person or for the baseline rules, but do not move the verdict alone).
//!
//! Footer signals (technique `footer`) are compliance findings: they can make a page
//! suspicious but never count towards "several techniques agree".
//!
//! The combined `score` is the noisy-or of all confidences: 1 − Π(1 − cᵢ).

use rustc_hash::FxHashMap;

use beian_core::identifier::ValidationContext;
use beian_probe::Persona;
use chrono::NaiveDate;
use serde::Serialize;
use url::Url;

use crate::footer::{ExpectedFooter, FooterRecord, footer_records, footer_signals};
use crate::lexicon::{Category, CategoryScore, Lexicon, LexiconScore};
use crate::page::{self, LinkFact, PageFacts, Target};
use crate::signal::{Evidence, Region, Signal, Technique, Verdict, clip_snippet};

/// What the analysis needs besides the page: loaded once, shared by every page.
#[derive(Debug, Clone)]
pub struct DetectContext {
    pub lexicon: Lexicon,
    pub validation: ValidationContext,
}

impl DetectContext {
    /// The bundled lexicon and TLD list; `today` bounds the year checks of filing numbers.
    pub fn bundled(today: NaiveDate) -> DetectContext {
        DetectContext {
            lexicon: Lexicon::bundled(),
            validation: ValidationContext::new(today),
        }
    }
}

/// One page to analyse.
#[derive(Debug, Clone)]
pub struct PageInput<'a> {
    pub url: Option<Url>,
    pub persona: Option<Persona>,
    pub html: &'a str,
    /// Registrable domain of the site (decides what is off-site); defaults to the URL's.
    pub owner_domain: Option<String>,
    pub expected_footer: Option<ExpectedFooter>,
}

/// The result for one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageAnalysis {
    pub facts: PageFacts,
    pub footer: Vec<FooterRecord>,
    pub lexicon: LexiconScore,
    pub signals: Vec<Signal>,
    pub verdict: Verdict,
    /// Noisy-or of the signal confidences.
    pub score: f32,
}

/// Confidence from which a single signal makes the page hijacked.
pub const HIJACKED_CONFIDENCE: f32 = 0.8;
/// Confidence from which a signal makes the page suspicious (and counts as "agreeing").
pub const SUSPICIOUS_CONFIDENCE: f32 = 0.5;
const SUSPICIOUS_SCORE: f32 = 0.6;
const MAX_EVIDENCE: usize = 5;

/// Analyses one page: facts, footer records, signals and the verdict.
pub fn analyse_page(input: &PageInput<'_>, ctx: &DetectContext) -> PageAnalysis {
    let mut facts = page::extract(input.html, input.url.as_ref());
    if let Some(owner) = input
        .owner_domain
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        facts.rebase_site(owner);
    }
    let page_url = input.url.as_ref().map(Url::to_string);
    let evidence = |snippet: &str, region: Region| Evidence {
        snippet: clip_snippet(snippet, 200),
        region: Some(region),
        persona: input.persona,
        url: page_url.clone(),
    };

    // Inline scripts are decoded once for what they write (links, titles) and for the
    // signals of their screening.
    let (outputs, mut script_signals) =
        crate::js::outputs_and_signals(&facts.scripts, facts.site_domain.as_deref());
    let lexicon = score_page(&facts, &outputs.titles, &ctx.lexicon);
    let mut signals = Vec::new();
    let link_hits = offsite_link_hits(&facts.links, &ctx.lexicon);
    signals.extend(hostile_content(&lexicon, &link_hits, &evidence));
    // Links a script writes (FACTS §7.3 f) are judged like the page's own.
    let written = written_links(&outputs.written_html, input, &facts);
    let written_hits = offsite_link_hits(&written, &ctx.lexicon);
    let all_links: Vec<(&LinkFact, &Option<(Category, String)>)> = facts
        .links
        .iter()
        .zip(&link_hits)
        .chain(written.iter().zip(&written_hits))
        .collect();
    signals.extend(hidden_links(&all_links, &evidence));
    signals.extend(crate::script_sources::external_script_signals(
        &facts,
        &ctx.lexicon,
        &evidence,
    ));
    signals.extend(iframes(&facts, &ctx.lexicon, &evidence));
    signals.extend(meta_refresh(&facts, &ctx.lexicon, &evidence));
    signals.extend(robots_and_forms(&facts, &evidence));
    for e in script_signals
        .iter_mut()
        .flat_map(|s| s.evidence.iter_mut())
    {
        e.persona = e.persona.or(input.persona);
        e.url = e.url.take().or_else(|| page_url.clone());
    }
    signals.extend(script_signals);

    let footer = footer_records(&facts, &ctx.validation);
    if let Some(expected) = &input.expected_footer {
        let mut footer_found = footer_signals(&footer, expected, &ctx.validation);
        for signal in &mut footer_found {
            for e in &mut signal.evidence {
                e.persona = input.persona;
                e.url = page_url.clone();
            }
        }
        signals.extend(footer_found);
    } else {
        signals.extend(footer_signals(
            &footer,
            &ExpectedFooter::default(),
            &ctx.validation,
        ));
    }

    let (verdict, score) = combine(&signals);
    PageAnalysis {
        facts,
        footer,
        lexicon,
        signals,
        verdict,
        score,
    }
}

/// The combination rule documented at the top of this module.
pub fn combine(signals: &[Signal]) -> (Verdict, f32) {
    let score = 1.0
        - signals
            .iter()
            .map(|s| 1.0 - s.confidence.clamp(0.0, 1.0))
            .product::<f32>();
    let max = signals.iter().map(|s| s.confidence).fold(0.0_f32, f32::max);
    let mut agreeing: Vec<Technique> = signals
        .iter()
        .filter(|s| s.confidence >= SUSPICIOUS_CONFIDENCE && s.technique != Technique::Footer)
        .map(|s| s.technique)
        .collect();
    agreeing.sort_unstable();
    agreeing.dedup();
    let verdict = if max >= HIJACKED_CONFIDENCE || agreeing.len() >= 2 {
        Verdict::Hijacked
    } else if max >= SUSPICIOUS_CONFIDENCE || score >= SUSPICIOUS_SCORE {
        Verdict::Suspicious
    } else {
        Verdict::Clean
    };
    (verdict, score)
}

/// Links in the markup that inline scripts write, resolved like the page's own links and
/// relative to the same site; capped like the page's links.
fn written_links(
    written_html: &[String],
    input: &PageInput<'_>,
    facts: &PageFacts,
) -> Vec<LinkFact> {
    let mut links = Vec::new();
    for html in written_html {
        let mut written = page::extract(html, input.url.as_ref());
        if let Some(site) = facts.site_domain.as_deref() {
            written.rebase_site(site);
        }
        let room = page::caps::LINKS.saturating_sub(links.len());
        links.extend(written.links.into_iter().take(room));
    }
    links
}

/// Lexicon score of the page's regions (title ×4, meta ×3, link text ×1.5, body ×1).
/// Titles that scripts assign count as the title: the browser shows them.
fn score_page(facts: &PageFacts, script_titles: &[String], lexicon: &Lexicon) -> LexiconScore {
    let mut score = LexiconScore::default();
    let regions = [
        (facts.title.as_str(), Region::Title),
        (facts.meta_keywords.as_str(), Region::MetaKeywords),
        (facts.meta_description.as_str(), Region::MetaDescription),
    ];
    let script_titles = script_titles.iter().map(|t| (t.as_str(), Region::Title));
    for (text, region) in regions.into_iter().chain(script_titles) {
        if !text.is_empty() {
            lexicon.score_into(text, region, &mut score);
        }
    }
    for text in facts.text_parts() {
        lexicon.score_into(text, Region::Body, &mut score);
    }
    // Link texts are part of the body text already; the extra weight comes from the
    // off-site ones only (a link farm points away from the site).
    let mut offsite_text = String::new();
    for link in facts
        .links
        .iter()
        .filter(|l| l.target.off_site && !l.text.is_empty())
    {
        if offsite_text.len() > page::caps::TEXT_SAMPLE_BYTES {
            break;
        }
        offsite_text.push_str(&link.text);
        offsite_text.push('\n');
    }
    if !offsite_text.is_empty() {
        let mut links = LexiconScore::default();
        lexicon.score_into(&offsite_text, Region::Link, &mut links);
        for category in Category::ALL {
            // Only the extra half of the ×1.5 link weight: the body already counted ×1.
            let extra = links.category(category).weighted / 3.0;
            score.add_weight(category, extra);
        }
    }
    score
}

/// A link or URL whose text or address hits the lexicon (a gambling brand in `w88my.com`).
fn target_hits(lexicon: &Lexicon, target: &Target, text: &str) -> Option<(Category, String)> {
    // Matched as the one string "text host" (a term may span the two: normalisation glues
    // CJK characters and digits across the space), without building it.
    let host = target.host.as_deref().unwrap_or_default();
    lexicon
        .first_hit_in(&[text, " ", host])
        .map(|term| (term.category, term.text.clone()))
}

/// The lexicon hit of every off-site link (None for on-site links), computed once per
/// distinct (text, host): link farms and menus repeat the same links many times.
fn offsite_link_hits(links: &[LinkFact], lexicon: &Lexicon) -> Vec<Option<(Category, String)>> {
    let mut cache: FxHashMap<(&str, &str), Option<(Category, String)>> = FxHashMap::default();
    links
        .iter()
        .map(|link| {
            if !link.target.off_site {
                return None;
            }
            let key = (
                link.text.as_str(),
                link.target.host.as_deref().unwrap_or_default(),
            );
            cache
                .entry(key)
                .or_insert_with(|| target_hits(lexicon, &link.target, &link.text))
                .clone()
        })
        .collect()
}

fn kind_for(category: Category) -> &'static str {
    match category {
        Category::Gambling => "gambling_terms",
        Category::Porn => "porn_terms",
        Category::Fraud => "fraud_terms",
        Category::Context => "context_terms",
    }
}

fn label(category: Category) -> (&'static str, &'static str) {
    match category {
        Category::Gambling => ("赌博", "gambling"),
        Category::Porn => ("色情", "porn"),
        Category::Fraud => ("诈骗", "fraud"),
        Category::Context => ("报道", "reporting"),
    }
}

/// How sure the lexicon evidence of one category is. Hard negatives (a sports-lottery news
/// page, a film review that says 赌场 once) carry weak or single terms; hijacked pages carry
/// brands in the title or many distinct terms.
fn hostile_confidence(c: &CategoryScore, offsite_hits: usize, context: &CategoryScore) -> f32 {
    let confidence = raw_hostile_confidence(c, offsite_hits);
    // A page that talks ABOUT gambling or fraud (police notice, court case, news, film
    // review) uses the same words but names no brand and links to no hostile site.
    // News names brands in the body ("以「威尼斯人」名义搭建赌博网站"); a hijack puts them in the
    // title or meta.
    let prominent_brands = c
        .terms
        .values()
        .filter(|t| {
            t.weight >= 5.0
                && t.regions.iter().any(|r| {
                    matches!(
                        r,
                        Region::Title | Region::MetaKeywords | Region::MetaDescription
                    )
                })
        })
        .count();
    // The reporting words must frame the page (its title) when hostile words sit in the
    // title: a law firm whose title was replaced by 六合彩 keeps 律师 in its body and meta.
    let context_in_title = context
        .terms
        .values()
        .any(|t| t.regions.contains(&Region::Title));
    if context.distinct() >= 2
        && (context_in_title || c.prominent == 0.0)
        && prominent_brands == 0
        && offsite_hits == 0
    {
        confidence.min(0.35)
    } else {
        confidence
    }
}

fn raw_hostile_confidence(c: &CategoryScore, offsite_hits: usize) -> f32 {
    let multiplier = match offsite_hits {
        0 => 1.0,
        1..=2 => 1.25,
        _ => 1.5,
    };
    let weighted = c.weighted * multiplier;
    let (distinct, strong, strong_prominent) =
        (c.distinct_meaningful(), c.strong(), c.strong_prominent());
    if strong_prominent >= 1 && (c.prominent >= 16.0 || distinct >= 2)
        || strong >= 2 && weighted >= 20.0
        || distinct >= 5 && weighted >= 30.0
        || strong >= 1 && offsite_hits >= 3
    {
        0.9
    } else if strong_prominent >= 1
        || strong >= 1 && weighted >= 10.0
        || distinct >= 3 && weighted >= 15.0
    {
        0.6
    } else if distinct >= 2 && weighted >= 8.0 {
        0.35
    } else {
        0.0
    }
}

fn hostile_content<F>(
    score: &LexiconScore,
    link_hits: &[Option<(Category, String)>],
    evidence: &F,
) -> Vec<Signal>
where
    F: Fn(&str, Region) -> Evidence,
{
    let mut offsite_hits = [0_usize; 4];
    for (category, _) in link_hits.iter().flatten() {
        offsite_hits[*category as usize] += 1;
    }
    let mut signals = Vec::new();
    for category in Category::ALL {
        let c = score.category(category);
        let offsite = offsite_hits[category as usize];
        let confidence = hostile_confidence(c, offsite, score.category(Category::Context));
        if confidence <= 0.0 {
            continue;
        }
        let (zh, en) = label(category);
        let terms: Vec<&str> = c.terms.keys().map(String::as_str).take(8).collect();
        signals.push(Signal {
            kind: kind_for(category).to_string(),
            technique: Technique::HostileContent,
            confidence,
            explanation: format!(
                "页面含{zh}词 {} 个（加权 {:.0}，标题/meta {:.0}，站外{zh}链接 {offsite} 个）：{} / the page has {} distinct {en} terms (weighted {:.0}, title/meta {:.0}, {offsite} off-site {en} links): {}",
                c.distinct(),
                c.weighted,
                c.prominent,
                terms.join("、"),
                c.distinct(),
                c.weighted,
                c.prominent,
                terms.join(", "),
            ),
            evidence: c
                .snippets
                .iter()
                .map(|s| evidence(&s.text, s.region))
                .collect(),
        });
    }
    signals
}

fn link_evidence<F>(link: &LinkFact, evidence: &F) -> Evidence
where
    F: Fn(&str, Region) -> Evidence,
{
    evidence(
        &format!("{} → {}", link.text, link.target.href),
        Region::Link,
    )
}

fn hidden_links<F>(links: &[(&LinkFact, &Option<(Category, String)>)], evidence: &F) -> Vec<Signal>
where
    F: Fn(&str, Region) -> Evidence,
{
    let hidden_offsite: Vec<(&LinkFact, &Option<(Category, String)>)> = links
        .iter()
        .copied()
        .filter(|(l, _)| l.hidden.is_some() && l.target.off_site)
        .collect();
    if hidden_offsite.is_empty() {
        return Vec::new();
    }
    let spam: Vec<(&LinkFact, Category, &str)> = hidden_offsite
        .iter()
        .filter_map(|(l, hit)| hit.as_ref().map(|(c, t)| (*l, *c, t.as_str())))
        .collect();
    let hidden_offsite: Vec<&LinkFact> = hidden_offsite.into_iter().map(|(l, _)| l).collect();
    if let Some((_, category, term)) = spam.first() {
        let (zh, en) = label(*category);
        return vec![Signal {
            kind: "hidden_spam_links".to_string(),
            technique: Technique::HiddenLinks,
            confidence: 0.9,
            explanation: format!(
                "页面藏有 {} 个指向站外的{zh}链接（如「{term}」），访客看不到、蜘蛛能看到 / the page hides {} off-site {en} links (e.g. '{term}') from people but not from spiders",
                spam.len(),
                spam.len()
            ),
            evidence: spam
                .iter()
                .take(MAX_EVIDENCE)
                .map(|(l, _, _)| link_evidence(l, evidence))
                .collect(),
        }];
    }
    let mut domains: Vec<&str> = hidden_offsite
        .iter()
        .filter_map(|l| l.target.domain.as_deref())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    // Dropdown menus hide a few social links legitimately; a farm hides many, to many domains.
    let confidence = if hidden_offsite.len() >= 3 && domains.len() >= 2 {
        0.55
    } else {
        0.3
    };
    vec![Signal {
        kind: "hidden_offsite_links".to_string(),
        technique: Technique::HiddenLinks,
        confidence,
        explanation: format!(
            "页面藏有 {} 个指向 {} 个站外域名的链接 / the page hides {} links to {} off-site domains",
            hidden_offsite.len(),
            domains.len(),
            hidden_offsite.len(),
            domains.len()
        ),
        evidence: hidden_offsite
            .iter()
            .take(MAX_EVIDENCE)
            .map(|l| link_evidence(l, evidence))
            .collect(),
    }]
}

fn iframes<F>(facts: &PageFacts, lexicon: &Lexicon, evidence: &F) -> Vec<Signal>
where
    F: Fn(&str, Region) -> Evidence,
{
    let mut signals = Vec::new();
    for iframe in &facts.iframes {
        let Some(src) = iframe.src.as_ref().filter(|s| s.off_site) else {
            continue;
        };
        let placement = iframe.placement;
        let huge_z = placement.z_index.is_some_and(|z| z >= 9999);
        let lexicon_hit = target_hits(lexicon, src, "");
        let snippet = format!(
            "iframe {} ({}×{}, z-index {})",
            src.href,
            iframe.width.as_deref().unwrap_or("?"),
            iframe.height.as_deref().unwrap_or("?"),
            placement.z_index.map_or("-".to_string(), |z| z.to_string())
        );
        let (kind, confidence, zh, en) = if iframe.full_screen && (placement.positioned || huge_z) {
            (
                "iframe_overlay",
                0.9,
                "全屏覆盖的站外 iframe",
                "a full-screen off-site iframe laid over the page",
            )
        } else if iframe.full_screen && lexicon_hit.is_some() {
            (
                "iframe_overlay",
                0.85,
                "全屏的站外违规 iframe",
                "a full-screen off-site iframe to a hostile host",
            )
        } else if huge_z && placement.positioned {
            (
                "iframe_overlay",
                0.6,
                "置顶的站外 iframe",
                "an off-site iframe placed on top of the page",
            )
        } else if iframe.hidden.is_some() {
            match lexicon_hit {
                Some(_) => (
                    "hidden_iframe",
                    0.8,
                    "隐藏的站外违规 iframe",
                    "a hidden off-site iframe to a hostile host",
                ),
                // Tag managers hide their iframes inside <noscript>, which is not parsed as
                // markup, so a hidden off-site iframe in the live DOM deserves a look.
                None => (
                    "hidden_iframe",
                    0.55,
                    "隐藏的站外 iframe",
                    "a hidden off-site iframe",
                ),
            }
        } else if lexicon_hit.is_some() {
            (
                "hostile_iframe",
                0.6,
                "指向违规站点的 iframe",
                "an iframe to a hostile host",
            )
        } else {
            continue;
        };
        // FACTS §7.3 (f) lists the 0×0 iframe among hidden-link tricks.
        let technique = if kind == "hidden_iframe" {
            Technique::HiddenLinks
        } else {
            Technique::IframeOverlay
        };
        signals.push(Signal {
            kind: kind.to_string(),
            technique,
            confidence,
            explanation: format!("页面有{zh}：{} / the page has {en}: {}", src.href, src.href),
            evidence: vec![evidence(&snippet, Region::Iframe)],
        });
        if signals.len() >= MAX_EVIDENCE {
            break;
        }
    }
    signals
}

fn meta_refresh<F>(facts: &PageFacts, lexicon: &Lexicon, evidence: &F) -> Vec<Signal>
where
    F: Fn(&str, Region) -> Evidence,
{
    let Some(refresh) = facts.meta_refresh.as_ref().filter(|r| r.off_site) else {
        return Vec::new();
    };
    let target = refresh.target.clone().unwrap_or_default();
    let hostile = target_hits(
        lexicon,
        &Target {
            host: refresh.host.as_deref().map(std::sync::Arc::from),
            ..Target::default()
        },
        "",
    )
    .is_some();
    let immediate = refresh.delay_seconds.is_some_and(|d| d <= 3.0);
    let confidence = match (hostile, immediate) {
        (true, _) => 0.9,
        (false, true) => 0.6,
        (false, false) => 0.4,
    };
    vec![Signal {
        kind: "meta_refresh_offsite".to_string(),
        technique: Technique::JsRedirect,
        confidence,
        explanation: format!(
            "页面用 meta refresh 跳转到站外：{target} / the page redirects off-site with a meta refresh: {target}"
        ),
        evidence: vec![evidence(&target, Region::Header)],
    }]
}

fn robots_and_forms<F>(facts: &PageFacts, evidence: &F) -> Vec<Signal>
where
    F: Fn(&str, Region) -> Evidence,
{
    let mut signals = Vec::new();
    if facts.noarchive {
        signals.push(Signal {
            kind: "noarchive".to_string(),
            technique: Technique::Cloaking,
            confidence: 0.2,
            explanation: "页面禁止搜索引擎快照（noarchive），劫持页常用来隐藏快照 / the page forbids search-engine snapshots (noarchive), which hijacks use to hide the cloaked page".to_string(),
            evidence: vec![evidence(facts.robots.as_deref().unwrap_or("noarchive"), Region::Header)],
        });
    }
    let offsite_forms: Vec<_> = facts
        .forms
        .iter()
        .filter(|f| f.action.as_ref().is_some_and(|a| a.off_site))
        .collect();
    if let Some(form) = offsite_forms
        .iter()
        .find(|f| f.has_password)
        .or(offsite_forms.first())
    {
        let action = form.action.as_ref().map_or("", |a| a.href.as_str());
        signals.push(Signal {
            kind: "form_posts_offsite".to_string(),
            technique: Technique::HostileContent,
            confidence: if form.has_password { 0.4 } else { 0.25 },
            explanation: format!(
                "表单提交到站外{}：{action} / a form{} posts off-site: {action}",
                if form.has_password {
                    "（含密码框）"
                } else {
                    ""
                },
                if form.has_password {
                    " with a password field"
                } else {
                    ""
                },
            ),
            evidence: vec![evidence(action, Region::Body)],
        });
    }
    signals
}

//! Content rules: one finding per hijack technique the detector saw (FACTS §7), from its
//! strongest signal. Techniques that put visitors on hostile pages are critical when the
//! detector's verdict is `hijacked`; the rest are high.

use serde_json::json;

use super::{Drafts, RuleSettings, SiteView, clip, ids};
use crate::facts::SignalFact;
use crate::finding::Severity;

/// Detector technique → rule id, label, and whether a `hijacked` verdict makes it critical.
const TECHNIQUES: [(&str, &str, &str, &str, bool); 8] = [
    (
        "hostile_content",
        ids::CONTENT_HIJACK,
        "赌博、色情或诈骗内容",
        "gambling, porn or fraud content",
        true,
    ),
    (
        "cloaking",
        ids::CONTENT_CLOAKING,
        "对搜索引擎伪装（蜘蛛与访客看到不同内容）",
        "cloaking (spiders and visitors see different pages)",
        false,
    ),
    (
        "js_redirect",
        ids::CONTENT_JS_REDIRECT,
        "恶意跳转代码",
        "an injected redirect",
        true,
    ),
    (
        "iframe_overlay",
        ids::CONTENT_IFRAME_OVERLAY,
        "全屏 iframe 覆盖",
        "a full-screen iframe overlay",
        true,
    ),
    (
        "hidden_links",
        ids::CONTENT_HIDDEN_LINKS,
        "隐藏链接（黑链）",
        "hidden links",
        false,
    ),
    (
        "parasite_pages",
        ids::CONTENT_PARASITE_PAGES,
        "寄生虫／泛目录页面",
        "parasite pages",
        true,
    ),
    (
        "title_replacement",
        ids::CONTENT_TITLE_REPLACED,
        "标题或描述被篡改",
        "a replaced title or description",
        false,
    ),
    (
        "parking",
        ids::CONTENT_PARKED,
        "停放页或到期页",
        "a parking or expiry page",
        false,
    ),
];

/// Snippets kept in the evidence; the detector already clips each one.
const MAX_SNIPPETS: usize = 5;

pub(super) fn judge(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    let Some(web) = site.web() else {
        return;
    };
    let hijacked = web.verdict == "hijacked";
    for (technique, rule_id, label_zh, label_en, critical_when_hijacked) in TECHNIQUES {
        let mut signals = web.signals.iter().filter(|signal| {
            signal.technique == technique && signal.confidence >= settings.content_min_confidence
        });
        let Some(first) = signals.next() else {
            continue;
        };
        let mut count = 1;
        // Strongest signal; ties go to the smaller kind name so reruns agree.
        let strongest: &SignalFact = signals.fold(first, |best, signal| {
            count += 1;
            let better = signal.confidence > best.confidence
                || (signal.confidence == best.confidence && signal.kind < best.kind);
            if better { signal } else { best }
        });
        let severity = if critical_when_hijacked && hijacked {
            Severity::Critical
        } else {
            Severity::High
        };
        let snippet = strongest
            .snippets
            .first()
            .map(|snippet| clip(snippet, 120))
            .unwrap_or_default();
        let (snippet_zh, snippet_en) = if snippet.is_empty() {
            (String::new(), String::new())
        } else {
            (format!("证据：{snippet}"), format!(" Evidence: {snippet}"))
        };
        let confidence = format!("{:.2}", strongest.confidence);
        drafts.push(
            rule_id,
            "",
            severity,
            (
                format!(
                    "{} 检测到{label_zh}（{}，置信度 {confidence}，整体判定 {}）：{}。{snippet_zh}",
                    web.url, strongest.kind, web.verdict, strongest.explanation
                ),
                format!(
                    "{} shows {label_en} ({}, confidence {confidence}, verdict {}): {}.{snippet_en}",
                    web.url, strongest.kind, web.verdict, strongest.explanation
                ),
            ),
            json!({
                "url": web.url,
                "technique": technique,
                "kind": strongest.kind,
                "confidence": confidence,
                "verdict": web.verdict,
                "title": web.title,
                "explanation": strongest.explanation,
                "snippets": strongest.snippets.iter().take(MAX_SNIPPETS).collect::<Vec<_>>(),
                "signals": count,
            }),
        );
    }
}

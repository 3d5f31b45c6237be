//! Parasite page farms (泛目录 / 寄生虫, FACTS §7.3 g): random paths that should answer 404
//! answer 200 with titles that change per URL and carry gambling or porn terms.

use super::Capture;
use super::analyse_site::{capture_evidence, hostile_confidence, is_spider, title_key, url_domain};
use crate::analyse_page::PageAnalysis;
use crate::signal::{Region, Signal, Technique};

/// Title words of an honest "not found" page served with status 200 (a soft 404).
const NOT_FOUND_WORDS: [&str; 9] = [
    "404",
    "not found",
    "找不到",
    "不存在",
    "未找到",
    "页面丢失",
    "出错",
    "error",
    "无法访问",
];

pub fn signals(
    captures: &[Capture],
    pages: &[PageAnalysis],
    home: Option<&PageAnalysis>,
    owner: &str,
) -> Vec<Signal> {
    let home_title = home.map(|p| title_key(&p.facts.title)).unwrap_or_default();
    let answered: Vec<(&Capture, &PageAnalysis)> = captures
        .iter()
        .zip(pages)
        .filter(|(c, p)| {
            let title = title_key(&p.facts.title);
            (200..300).contains(&c.status)
                && url_domain(&c.final_url).is_none_or(|d| d == owner)
                && title != home_title
                && !NOT_FOUND_WORDS.iter().any(|w| title.contains(w))
        })
        .collect();
    if answered.is_empty() {
        return Vec::new();
    }
    let hostile = answered
        .iter()
        .map(|(_, p)| hostile_confidence(p))
        .fold(0.0, f32::max);
    let mut titles: Vec<String> = answered
        .iter()
        .map(|(_, p)| title_key(&p.facts.title))
        .collect();
    titles.sort_unstable();
    titles.dedup();
    let spider = answered.iter().any(|(c, _)| is_spider(c.persona));
    let varying = titles.len() >= 2;

    let (confidence, zh, en) = if hostile >= 0.35 {
        (
            if spider || varying { 0.9 } else { 0.85 },
            "且含违规词",
            " with hostile terms",
        )
    } else if varying {
        (0.5, "且标题各不相同", " with titles that change per URL")
    } else {
        (0.3, "", "")
    };
    vec![Signal {
        kind: "parasite_pages".to_string(),
        technique: Technique::ParasitePages,
        confidence,
        explanation: format!(
            "随机不存在的路径返回 200{zh}（{} 个），疑似泛目录/寄生虫 / random paths that should not exist answer 200{en} ({}), like a parasite page farm",
            answered.len(),
            answered.len()
        ),
        evidence: answered
            .iter()
            .take(5)
            .map(|(c, p)| {
                capture_evidence(
                    c,
                    &format!("{} · {}", c.status, p.facts.title),
                    Region::Title,
                )
            })
            .collect(),
    }]
}

//! Signals: what the analysis concluded, how sure it is, and the evidence behind it.
//! Every detector in this crate speaks this one vocabulary, so rules (next issue),
//! `beian inspect` and the corpus benchmark read one shape.

use beian_probe::Persona;
use serde::{Deserialize, Serialize};

/// The hijack / takeover / footer technique a signal belongs to; the corpus
/// benchmark reports precision and recall per technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    /// Gambling, porn or fraud content on the page (lexicon).
    HostileContent,
    /// Spiders, browsers and Baidu-referred visitors are shown different things.
    Cloaking,
    /// Script (or meta refresh) that sends visitors off-site, often only search visitors.
    JsRedirect,
    /// A full-screen iframe laid over the real page.
    IframeOverlay,
    /// Links hidden from people but visible to spiders (link farms).
    HiddenLinks,
    /// Random paths answer 200 with stuffed titles (泛目录 / 寄生虫).
    ParasitePages,
    /// Title or meta replaced compared with the site's baseline.
    TitleReplacement,
    /// A parking or registrar-expiry page, or parking DNS.
    Parking,
    /// Dangling DNS: a CNAME into an unclaimed cloud resource, NXDOMAIN targets, NS in an unregistered domain.
    Takeover,
    /// ICP / PSB numbers in the footer missing, wrong or badly linked.
    Footer,
}

impl Technique {
    pub const ALL: [Technique; 10] = [
        Technique::HostileContent,
        Technique::Cloaking,
        Technique::JsRedirect,
        Technique::IframeOverlay,
        Technique::HiddenLinks,
        Technique::ParasitePages,
        Technique::TitleReplacement,
        Technique::Parking,
        Technique::Takeover,
        Technique::Footer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Technique::HostileContent => "hostile_content",
            Technique::Cloaking => "cloaking",
            Technique::JsRedirect => "js_redirect",
            Technique::IframeOverlay => "iframe_overlay",
            Technique::HiddenLinks => "hidden_links",
            Technique::ParasitePages => "parasite_pages",
            Technique::TitleReplacement => "title_replacement",
            Technique::Parking => "parking",
            Technique::Takeover => "takeover",
            Technique::Footer => "footer",
        }
    }

    pub fn parse(text: &str) -> Option<Technique> {
        Technique::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Where on the page a snippet was found; title and meta weigh more than body text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Title,
    MetaKeywords,
    MetaDescription,
    Body,
    Link,
    Script,
    Iframe,
    Footer,
    Header,
    Dns,
}

/// One piece of supporting evidence: a short snippet and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// At most ~200 characters of the offending text, as found (attacker-controlled:
    /// escape it wherever it is shown).
    pub snippet: String,
    pub region: Option<Region>,
    pub persona: Option<Persona>,
    pub url: Option<String>,
}

/// A finding of the analysis, before the rules judge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Stable snake_case name, e.g. `gambling_terms`, `referrer_redirect`, `dangling_cname`.
    pub kind: String,
    pub technique: Technique,
    /// 0.0 – 1.0: how sure the detector is that this is hostile.
    pub confidence: f32,
    /// One sentence in Chinese then English saying what was seen.
    pub explanation: String,
    pub evidence: Vec<Evidence>,
}

/// The overall judgement of a page or site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Clean,
    Suspicious,
    Hijacked,
}

/// Snippets are attacker-controlled and can be huge: cut on a character boundary.
pub fn clip_snippet(text: &str, max_chars: usize) -> String {
    // Slice at the byte offset of the cut rather than collecting characters one by one.
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => {
            let mut out = String::with_capacity(cut + '…'.len_utf8());
            out.push_str(&text[..cut]);
            out.push('…');
            out
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Slicing at the cut gives what collecting the first characters gave.
        #[test]
        fn clip_snippet_keeps_the_first_characters(text in "\\PC{0,12}", max in 0usize..10) {
            let mut expected: String = text.chars().take(max).collect();
            if text.chars().count() > max {
                expected.push('…');
            }
            proptest::prop_assert_eq!(clip_snippet(&text, max), expected);
        }
    }
}

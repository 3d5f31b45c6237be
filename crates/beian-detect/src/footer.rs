//! Footer records: every ICP / ICP-licence / VAT-licence / PSB number shown on a page,
//! validated with beian-core, with the link around it (FACTS §1.5 V9, V10), and the
//! signals that compare them with what the owner's record says.
//!
//! Numbers are found cheaply: a substring prefilter ("ICP", "公网安备", "B2" …) picks
//! small windows of text; only those are normalised and scanned (see [`number_scan`]).

use std::borrow::Cow;
use std::sync::LazyLock;

use beian_core::identifier::links::{check_icp_link, check_psb_link};
use beian_core::identifier::{
    IdentifierKind, Issue, IssueSeverity, Validation, ValidationContext, normalise,
    validate_filing_number,
};
use serde::{Deserialize, Serialize};

use crate::page::text::is_ascii_white_space;
use crate::page::{LinkFact, PageFacts};
use crate::signal::{Evidence, Region, Signal, Technique, clip_snippet};

mod number_scan;

/// The numbers the owner's record says the page must show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedFooter {
    pub icp: Option<String>,
    pub psb: Option<String>,
}

/// The link wrapped around a displayed number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FooterLink {
    pub href: String,
    pub host: Option<String>,
}

/// One filing or licence number shown on the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FooterRecord {
    /// The number as matched in the normalised text.
    pub number: String,
    pub validation: Validation,
    pub link: Option<FooterLink>,
    /// V9 / V10 findings about the link (empty when linked correctly or not checkable).
    pub link_issues: Vec<Issue>,
}

impl FooterRecord {
    pub fn kind(&self) -> Option<IdentifierKind> {
        self.validation.kind
    }

    /// The canonical form when it parsed, else the matched text.
    pub fn display(&self) -> &str {
        self.validation.canonical.as_deref().unwrap_or(&self.number)
    }
}

/// At most this many records per page (a hostile page can repeat numbers endlessly).
const MAX_RECORDS: usize = 32;
/// Anchors examined per text (bounds work on a page stuffed with "ICP").
const MAX_ANCHORS: usize = 256;
const WINDOW_BEFORE: usize = 12;
const WINDOW_AFTER: usize = 96;
/// Where a number may be: these substrings start a window that the scanner looks at. No
/// anchor's suffix is another's prefix, so their occurrences never overlap. The ASCII
/// anchors start with one of [`ASCII_ANCHOR_FIRST_BYTES`]; the others are searched as strings.
const ASCII_ANCHORS: [&str; 4] = ["ICP", "icp", "B2", "B1"];
const ASCII_ANCHOR_FIRST_BYTES: (u8, u8, u8) = (b'I', b'i', b'B');
const WIDE_ANCHORS: [&str; 3] = ["ＩＣＰ", "公网安备", "Ｂ２"];

/// One packed (SIMD) search for all seven anchors where the CPU has one: a single pass
/// over the text, for less than a byte search for the ASCII anchors plus a substring search
/// per wide anchor, whose rare-byte prefilters meet the multi-byte characters of Chinese
/// text at every step. The anchors never overlap, so one leftmost search finds them all.
static ANCHOR_SEARCHER: LazyLock<Option<aho_corasick::packed::Searcher>> = LazyLock::new(|| {
    aho_corasick::packed::Config::new()
        .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(ASCII_ANCHORS)
        .extend(WIDE_ANCHORS)
        .build()
});

static WIDE_FINDERS: LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    LazyLock::new(|| WIDE_ANCHORS.map(memchr::memmem::Finder::new));

/// The start of every anchor in `text`, in order, the first `limit` of them. SIMD searches
/// rather than one automaton over all seven: the automaton walked every byte of the page
/// text and cost as much as the lexicon scan. Without a packed search: a byte search for
/// the ASCII anchors and a substring search per wide anchor.
fn anchor_starts(text: &str, limit: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    match &*ANCHOR_SEARCHER {
        Some(searcher) => searcher
            .find_iter(bytes)
            .map(|m| m.start())
            .take(limit)
            .collect(),
        None => anchor_starts_unpacked(bytes, limit),
    }
}

/// [`anchor_starts`] where no packed search can be built.
fn anchor_starts_unpacked(bytes: &[u8], limit: usize) -> Vec<usize> {
    let (first, second, third) = ASCII_ANCHOR_FIRST_BYTES;
    let mut starts: Vec<usize> = memchr::memchr3_iter(first, second, third, bytes)
        .filter(|at| {
            ASCII_ANCHORS
                .iter()
                .any(|anchor| bytes[*at..].starts_with(anchor.as_bytes()))
        })
        .take(limit)
        .collect();
    for finder in WIDE_FINDERS.iter() {
        starts.extend(finder.find_iter(bytes).take(limit));
    }
    starts.sort_unstable();
    starts.truncate(limit);
    starts
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// What `beian_core::identifier::normalise` makes of a text window, without its NFKC and
/// entity passes when the window is plain ASCII (no `&`) and CJK ideographs, which they
/// leave alone: then only the whitespace goes, and a window without whitespace is returned
/// as it is. Page text is mostly that, and the general normalisation was the costliest step
/// of finding numbers. One byte loop both checks and copies (U+4E00..=U+9FFF are the
/// three-byte sequences led by E5..=E9, or by E4 with a second byte of B8 or more): decoding
/// every character cost as much as the matching. `buffer` holds the result when it differs
/// from `window` (reused across the windows of one text).
fn normalise_window<'a>(window: &'a str, buffer: &'a mut String) -> &'a str {
    let bytes = window.as_bytes();
    buffer.clear();
    // Once whitespace has been seen, `buffer` holds `window[..copied]` without it.
    let mut copied = 0;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'&' => {
                *buffer = normalise(window);
                return buffer;
            }
            _ if is_ascii_white_space(b) => {
                buffer.push_str(&window[copied..at]);
                at += 1;
                copied = at;
            }
            0x00..=0x7F => at += 1,
            0xE5..=0xE9 => at += 3,
            0xE4 if bytes.get(at + 1).is_some_and(|second| *second >= 0xB8) => at += 3,
            _ => {
                *buffer = normalise(window);
                return buffer;
            }
        }
    }
    if copied == 0 {
        // No whitespace: the window is its own normalisation.
        return window;
    }
    buffer.push_str(&window[copied..]);
    buffer
}

/// The windows of `text` around its anchors where numbers are looked for, in order; an
/// anchor inside the previous window (but for its last bytes) starts none.
fn anchor_windows(text: &str) -> impl Iterator<Item = &str> {
    let mut covered_until = 0;
    anchor_starts(text, MAX_ANCHORS)
        .into_iter()
        .filter_map(move |at| {
            if at < covered_until {
                return None;
            }
            let start = floor_boundary(text, at.saturating_sub(WINDOW_BEFORE));
            let end = ceil_boundary(text, (at + WINDOW_AFTER).min(text.len()));
            covered_until = end.saturating_sub(WINDOW_BEFORE);
            Some(&text[start..end])
        })
}

/// Filing-number-shaped strings in `text`, normalised, in order, without duplicates.
pub fn find_numbers(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut buffer = String::new();
    for window in anchor_windows(text) {
        let window = normalise_window(window, &mut buffer);
        for number in number_scan::numbers(window) {
            if !found.iter().any(|f| f == number) {
                found.push(number.to_string());
            }
        }
    }
    found
}

fn is_icp_kind(kind: Option<IdentifierKind>) -> bool {
    matches!(
        kind,
        Some(
            IdentifierKind::IcpSubject
                | IdentifierKind::IcpWebsite
                | IdentifierKind::IcpApp
                | IdentifierKind::IcpMiniProgram
                | IdentifierKind::IcpQuickApp
        )
    )
}

fn link_issues(validation: &Validation, link: Option<&FooterLink>) -> Vec<Issue> {
    let Some(link) = link else {
        return Vec::new();
    };
    match validation.kind {
        Some(IdentifierKind::Psb) if validation.part("serial").is_some_and(|s| s.len() == 14) => {
            check_psb_link(validation, &link.href)
        }
        kind if is_icp_kind(kind) => check_icp_link(&link.href),
        _ => Vec::new(),
    }
}

/// Every filing or licence number shown on the page: link texts first (so a number keeps
/// the link around it), then the visible text.
pub fn footer_records(facts: &PageFacts, ctx: &ValidationContext) -> Vec<FooterRecord> {
    let mut records: Vec<FooterRecord> = Vec::new();
    let add = |number: String, link: Option<&LinkFact>, records: &mut Vec<FooterRecord>| {
        // The numbers seen are those of the records (at most MAX_RECORDS of them): a scan
        // of the records needs no set and no copy of each number.
        if records.len() >= MAX_RECORDS || records.iter().any(|r| r.number == number) {
            return;
        }
        let validation = validate_filing_number(&number, ctx);
        let link = link.map(|l| FooterLink {
            href: l.target.href.clone(),
            host: l.target.host.as_deref().map(str::to_string),
        });
        let link_issues = link_issues(&validation, link.as_ref());
        records.push(FooterRecord {
            number,
            validation,
            link,
            link_issues,
        });
    };
    for link in facts
        .links
        .iter()
        .filter(|l| crate::page::has_filing_marker(&l.text))
    {
        for number in find_numbers(&link.text) {
            add(number, Some(link), &mut records);
        }
    }
    // find_numbers is its own prefilter (substring anchors before any regex).
    for text in facts.text_parts() {
        for number in find_numbers(text) {
            add(number, None, &mut records);
        }
    }
    records
}

/// The subject part of an ICP number (up to its 号): a footer may show the subject number
/// where the record has the website number (Guangdong practice, FACTS §1.2).
fn icp_subject(number: &str) -> &str {
    number
        .find('号')
        .map_or(number, |at| &number[..at + '号'.len_utf8()])
}

fn canonical(number: &str, ctx: &ValidationContext) -> String {
    let v = validate_filing_number(number, ctx);
    v.canonical.unwrap_or(v.normalised)
}

/// The canonical form of the recorded number, borrowed when a record on the page already
/// shows exactly that text (the usual healthy footer): validation is the costliest step of
/// footer analysis, and a number that equals a canonical display needs none.
fn wanted<'a>(expected: &'a str, shown: &[&FooterRecord], ctx: &ValidationContext) -> Cow<'a, str> {
    let expected_trimmed = expected.trim();
    if shown
        .iter()
        .any(|r| r.validation.canonical.as_deref() == Some(expected_trimmed))
    {
        Cow::Borrowed(expected_trimmed)
    } else {
        Cow::Owned(canonical(expected, ctx))
    }
}

fn evidence(text: &str) -> Evidence {
    Evidence {
        snippet: clip_snippet(text, 200),
        region: Some(Region::Footer),
        persona: None,
        url: None,
    }
}

fn signal(kind: &str, confidence: f32, explanation: String, evidence: Vec<Evidence>) -> Signal {
    Signal {
        kind: kind.to_string(),
        technique: Technique::Footer,
        confidence,
        explanation,
        evidence,
    }
}

fn shown(records: &[&FooterRecord]) -> Vec<Evidence> {
    records.iter().map(|r| evidence(r.display())).collect()
}

/// Footer signals: numbers missing or different from the record, invalid numbers, and
/// links that do not point where they must. Compliance findings: they make a page
/// suspicious, never hijacked on their own.
pub fn footer_signals(
    records: &[FooterRecord],
    expected: &ExpectedFooter,
    ctx: &ValidationContext,
) -> Vec<Signal> {
    let mut signals = Vec::new();
    let icp: Vec<&FooterRecord> = records.iter().filter(|r| is_icp_kind(r.kind())).collect();
    let psb: Vec<&FooterRecord> = records
        .iter()
        .filter(|r| r.kind() == Some(IdentifierKind::Psb))
        .collect();

    if let Some(expected_icp) = expected.icp.as_deref() {
        let want = wanted(expected_icp, &icp, ctx);
        if icp.is_empty() {
            signals.push(signal(
                "icp_missing",
                0.55,
                format!("页面未显示 ICP 备案号（应为 {want}）/ the page shows no ICP filing number (expected {want})"),
                Vec::new(),
            ));
        } else if !icp
            .iter()
            .any(|r| r.display() == want || icp_subject(r.display()) == icp_subject(&want))
        {
            signals.push(signal(
                "icp_mismatch",
                0.7,
                format!("页面显示的 ICP 备案号与记录（{want}）不符 / the ICP number shown differs from the record ({want})"),
                shown(&icp),
            ));
        }
    }
    if let Some(expected_psb) = expected.psb.as_deref() {
        let want = wanted(expected_psb, &psb, ctx);
        if psb.is_empty() {
            signals.push(signal(
                "psb_missing",
                0.5,
                format!("页面未显示公网安备号（应为 {want}）/ the page shows no PSB number (expected {want})"),
                Vec::new(),
            ));
        } else if !psb.iter().any(|r| r.display() == want) {
            signals.push(signal(
                "psb_mismatch",
                0.7,
                format!("页面显示的公网安备号与记录（{want}）不符 / the PSB number shown differs from the record ({want})"),
                shown(&psb),
            ));
        }
    }

    let invalid: Vec<&FooterRecord> = records
        .iter()
        .filter(|r| !r.validation.is_valid())
        .collect();
    if !invalid.is_empty() {
        let reasons: Vec<String> = invalid
            .iter()
            .flat_map(|r| r.validation.errors().map(|i| i.message.clone()))
            .take(3)
            .collect();
        signals.push(signal(
            "invalid_filing_number",
            0.5,
            format!(
                "页面上的备案号格式无效 / a filing number on the page is invalid: {}",
                reasons.join("; ")
            ),
            shown(&invalid),
        ));
    }

    let bad_psb_links: Vec<&FooterRecord> = psb
        .iter()
        .copied()
        .filter(|r| {
            r.link_issues
                .iter()
                .any(|i| i.severity == IssueSeverity::Error)
        })
        .collect();
    if !bad_psb_links.is_empty() {
        let message = bad_psb_links
            .iter()
            .flat_map(|r| r.link_issues.iter().map(|i| i.message.clone()))
            .next()
            .unwrap_or_default();
        signals.push(signal(
            "psb_link_mismatch",
            0.55,
            format!("公网安备号的链接有误（V9）/ the PSB number's link is wrong (V9): {message}"),
            bad_psb_links
                .iter()
                .map(|r| {
                    evidence(&format!(
                        "{} → {}",
                        r.display(),
                        r.link.as_ref().map_or("", |l| l.href.as_str())
                    ))
                })
                .collect(),
        ));
    }

    if !icp.is_empty() && icp.iter().all(|r| r.link.is_none()) {
        signals.push(signal(
            "icp_not_linked",
            0.5,
            "ICP 备案号未链接到 https://beian.miit.gov.cn/ / the ICP number is not linked to https://beian.miit.gov.cn/".to_string(),
            shown(&icp),
        ));
    }
    let bad_icp_links: Vec<&FooterRecord> = icp
        .iter()
        .copied()
        .filter(|r| !r.link_issues.is_empty())
        .collect();
    if !bad_icp_links.is_empty() {
        let obsolete_only = bad_icp_links.iter().all(|r| {
            r.link
                .as_ref()
                .and_then(|l| l.host.as_deref())
                .is_some_and(|h| h.contains("miibeian") || h.contains("miitbeian"))
        });
        let message = bad_icp_links
            .iter()
            .flat_map(|r| r.link_issues.iter().map(|i| i.message.clone()))
            .next()
            .unwrap_or_default();
        signals.push(signal(
            "icp_link_wrong",
            if obsolete_only { 0.5 } else { 0.55 },
            format!("ICP 备案号的链接有误（V10）/ the ICP number's link is wrong (V10): {message}"),
            bad_icp_links
                .iter()
                .map(|r| {
                    evidence(&format!(
                        "{} → {}",
                        r.display(),
                        r.link.as_ref().map_or("", |l| l.href.as_str())
                    ))
                })
                .collect(),
        ));
    }
    signals
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// The pattern the scanner implements, kept as its oracle.
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?x)
            \p{Han}?(?i:icp)[备证][0-9]{4,12}号?(?:-[0-9]{1,4}(?i:[axk])?)?号?
            | (?:合字|\p{Han})?(?:A2\.)?(?:B1\.)?(?:B[12]|A2)-[0-9]{8}(?:-[0-9]{1,4})?号?
            | \p{Han}?公网安备[0-9]{10,16}(?:-[0-9]{1,3})?号?",
        )
        .expect("the footer number pattern is a valid regex")
    });

    /// The window normalisation before the byte-level shape check and the reused buffer.
    fn normalise_window_reference(window: &str) -> String {
        let plain = window
            .chars()
            .all(|c| (c.is_ascii() && c != '&') || matches!(c, '\u{4E00}'..='\u{9FFF}'));
        if plain {
            window.chars().filter(|c| !c.is_whitespace()).collect()
        } else {
            normalise(window)
        }
    }

    /// `find_numbers` as it was with the regex: the reference for the scanner's.
    fn find_numbers_with_regex(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for window in anchor_windows(text) {
            let window = normalise_window_reference(window);
            for m in NUMBER.find_iter(&window) {
                let number = m.as_str().to_string();
                if !found.contains(&number) {
                    found.push(number);
                }
            }
        }
        found
    }

    /// Byte ranges of the regex's matches in `text`.
    fn regex_matches(text: &str) -> Vec<(usize, usize)> {
        NUMBER
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    /// Byte ranges of the scanner's matches in `text` (its matches are slices of `text`).
    fn scanner_matches(text: &str) -> Vec<(usize, usize)> {
        number_scan::numbers(text)
            .map(|m| {
                let start = m.as_ptr().addr() - text.as_ptr().addr();
                (start, start + m.len())
            })
            .collect()
    }

    /// Inputs where the regex's optional parts, alternatives and bounded repeats decide.
    #[test]
    fn scanner_matches_the_regex_on_edge_cases() {
        let cases = [
            "京ICP备12022551号-1",
            "ICP备1234",
            "ICP备123",
            "icp证123456789012345号",
            "IcP备1234号-12345号",
            "京ICP备1234-1a号ICP备5678-99K号",
            "京ICP备1234-1\u{212A}",
            "京ICP备1234号号号ICP备5678",
            "ICP备1234号号ICP备5678",
            "京ICP备1234京ICP备5678",
            "京京ICP备1234",
            "İCP备1234 ıcp备1234",
            "合字B2-20170010",
            "合B2-20170010 字B2-20170010 合字合字B1-12345678",
            "沪B2-2010004 沪B2-201000431-12345号",
            "A2.B1.B2-12345678 A2.B2-12345678 B1.A2-12345678 A2.A2.B2-12345678",
            "A2.B1.B1.B2-12345678",
            "B3-12345678 B2.12345678 A1-12345678 B2-1234567",
            "公网安备1234567890",
            "京公网安备12345678901234567890-1234号",
            "公公网安备12345678901",
            "公网安备公网安备12345678901",
            "公网安备123456789",
            "〇ICP备1234 𠀀公网安备1234567890 ⺀B1-12345678 a京ICP备1234",
            "ICP备1234-",
            "ICP备1234-x号",
            "B2-12345678-",
            "B2-12345678-12345号",
        ];
        for text in cases {
            assert_eq!(scanner_matches(text), regex_matches(text), "{text:?}");
        }
    }

    /// Every string of up to four pieces of footers matches the same as with the regex.
    #[test]
    fn scanner_matches_the_regex_on_all_short_sequences() {
        let pieces = [
            "京",
            "合字",
            "合",
            "ICP",
            "icp",
            "备",
            "证",
            "公网安备",
            "B1",
            "B2",
            "A2",
            "A2.",
            "B1.",
            "-",
            ".",
            "1",
            "1234",
            "12345678",
            "1234567890123",
            "12345678901234567",
            "号",
            " ",
            "a",
            "K",
        ];
        let mut text = String::new();
        let mut stack = vec![0usize];
        // Odometer over all sequences of 1..=4 pieces.
        loop {
            text.clear();
            for &piece in &stack {
                text.push_str(pieces[piece]);
            }
            assert_eq!(scanner_matches(&text), regex_matches(&text), "{text:?}");
            if stack.len() < 4 {
                stack.push(0);
                continue;
            }
            while let Some(last) = stack.pop() {
                if last + 1 < pieces.len() {
                    stack.push(last + 1);
                    break;
                }
            }
            if stack.is_empty() {
                break;
            }
        }
    }

    /// Every corpus page, as raw HTML and as extracted text and link texts: the scanner
    /// finds what the regex found.
    #[test]
    fn find_numbers_matches_the_regex_on_the_corpus() {
        fn html_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let entries = std::fs::read_dir(dir).expect("the corpus directory is readable");
            for entry in entries {
                let path = entry.expect("a readable corpus entry").path();
                if path.is_dir() {
                    html_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "html") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        html_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
            &mut files,
        );
        assert!(files.len() > 100, "the corpus has its pages");
        let mut numbers = 0;
        for file in files {
            let bytes = std::fs::read(&file).expect("a readable corpus page");
            let html = String::from_utf8_lossy(&bytes);
            let facts = crate::page::extract(&html, None);
            let texts = std::iter::once(html.as_ref())
                .chain(facts.links.iter().map(|l| l.text.as_str()))
                .chain(facts.text_parts());
            for text in texts {
                let found = find_numbers(text);
                assert_eq!(found, find_numbers_with_regex(text), "{}", file.display());
                numbers += found.len();
            }
        }
        assert!(numbers > 100, "the corpus shows numbers ({numbers})");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Footer-like text: the scanner returns the regex's matches, at the same places.
        #[test]
        fn scanner_matches_the_regex_on_footer_like_text(
            text in "(京|沪|粤|合字|合|字|[iI][cC][pP]|备|证|公网安备|公网|公|B1|B2|A2|A2\\.|B1\\.|-|\\.|[0-9]{1,20}|号|[ \t]|中|文|[a-zA-Z]|\u{212A}|ſ|İ|ı|〇|𠀀|㐀|\\PC){0,40}"
        ) {
            proptest::prop_assert_eq!(scanner_matches(&text), regex_matches(&text));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Near-numbers: prefixes, heads, digit runs and tails put together the way footers
        /// put them, so most cases come close to a match (token soup rarely does).
        #[test]
        fn scanner_matches_the_regex_on_near_numbers(
            text in "(((京|合字|合|字|公|〇|𠀀|a| ){0,2}([iI][cC][pP][备证]|(A2\\.)?(B1\\.)?(B[123]|A[12])[-.]|公网安备|公网安)[0-9]{0,20}号?(-[0-9]{0,6}[axkAXK\u{212A}b]?)?号?)|[ 号.-]|[0-9]{1,9}){0,8}"
        ) {
            proptest::prop_assert_eq!(scanner_matches(&text), regex_matches(&text));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// The same over whole texts through `find_numbers`, windows and normalisation
        /// included: numbers among runs of filler that move them across window edges.
        #[test]
        fn find_numbers_matches_the_regex_implementation(
            text in "((京|合字| )?([iI][cC][pP]|ＩＣＰ)[ ]?[备证][ ]?[0-9]{3,14}号?(-[0-9]{1,5}[ak]?)?|(A2\\.)?(B[12]|Ｂ２|A2)[-—][0-9]{6,10}|京?公网安备 ?[0-9]{9,17}号?|[ \t\u{3000}\u{a0}]|＆|&nbsp;|&|１２|[a-z]{1,30}|[中文京]{1,20}|\\PC){0,40}"
        ) {
            proptest::prop_assert_eq!(find_numbers(&text), find_numbers_with_regex(&text));
        }

        /// The plain-window shortcut gives what beian-core's normalisation gives.
        #[test]
        fn windows_normalise_like_beian_core(
            window in "([a-zA-Z0-9]|[ \t\n\r\u{b}\u{c}\u{1c}\u{a0}\u{3000}]|&|&nbsp;|京|中|\u{4DFF}|\u{4E00}|\u{9FFF}|\u{A000}|㐀|ＩＣＰ|—|\\PC){0,30}"
        ) {
            let mut buffer = String::new();
            proptest::prop_assert_eq!(normalise_window(&window, &mut buffer), normalise(&window));
            proptest::prop_assert_eq!(normalise_window_reference(&window), normalise(&window));
        }
    }

    const ANCHORS: [&str; 7] = ["ICP", "icp", "ＩＣＰ", "公网安备", "B2", "B1", "Ｂ２"];

    #[test]
    fn numbers_in_text() {
        let text = "版权所有 某某公司 京ICP备 12022551号-1 京公网安备 11010502030143号 增值电信业务经营许可证：沪B2-20100043 ICP证 合字B2-20170010";
        assert_eq!(
            find_numbers(text),
            vec![
                "京ICP备12022551号-1",
                "京公网安备11010502030143号",
                "沪B2-20100043",
                "合字B2-20170010"
            ]
        );
        assert!(find_numbers("ICP ICP ICP no numbers here").is_empty());
    }

    /// The byte and substring searches find what one automaton over all anchors finds.
    #[test]
    fn anchor_starts_match_an_automaton() {
        let automaton = aho_corasick::AhoCorasick::new(ANCHORS).expect("literal anchors");
        let texts = [
            "版权所有 京ICP备12022551号 京公网安备11010502030143号 沪B2-20100043",
            "ICPicpＩＣＰ公网安备B2B1Ｂ２ IB iB Bi ICp B3 ＩＣ 公网安 ICPICP B2B2",
            "",
            "no anchors at all, just Bits and Icons",
        ];
        for text in texts {
            let expected: Vec<usize> = automaton.find_iter(text).map(|m| m.start()).collect();
            assert_eq!(anchor_starts(text, usize::MAX), expected, "{text:?}");
            assert_eq!(
                anchor_starts(text, 3),
                expected.iter().copied().take(3).collect::<Vec<_>>()
            );
            assert_eq!(
                anchor_starts_unpacked(text.as_bytes(), usize::MAX),
                expected,
                "{text:?}"
            );
            assert_eq!(
                anchor_starts_unpacked(text.as_bytes(), 3),
                expected.iter().copied().take(3).collect::<Vec<_>>()
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn anchor_starts_match_an_automaton_on_any_text(
            text in "(ICP|icp|ＩＣＰ|公网安备|公网|B2|B1|Ｂ２|Ｂ|I|i|B|C|P|c|p|2|1|京|号| |\\PC){0,40}"
        ) {
            let automaton = aho_corasick::AhoCorasick::new(ANCHORS).expect("literal anchors");
            let expected: Vec<usize> = automaton.find_iter(&text).map(|m| m.start()).collect();
            proptest::prop_assert_eq!(anchor_starts(&text, 5), expected.iter().copied().take(5).collect::<Vec<_>>());
            proptest::prop_assert_eq!(anchor_starts_unpacked(text.as_bytes(), 5), expected.iter().copied().take(5).collect::<Vec<_>>());
            proptest::prop_assert_eq!(anchor_starts_unpacked(text.as_bytes(), usize::MAX), expected.clone());
            proptest::prop_assert_eq!(anchor_starts(&text, usize::MAX), expected);
        }
    }

    #[test]
    fn plain_windows_normalise_like_beian_core() {
        for window in [
            "版权所有 某某公司 京ICP备 12022551号-1",
            " 京 ICP 备\t09031924号 ",
            "ICP\u{b}备12345678号",
            "沪B2-20100043 ICP证 合字B2-20170010",
            "京ICP备&nbsp;12022551号",
            "京ＩＣＰ备　１２０２２５５１号",
            "京ICP备12022551号\u{2014}1",
        ] {
            let mut buffer = String::new();
            assert_eq!(
                normalise_window(window, &mut buffer),
                normalise(window),
                "{window:?}"
            );
        }
    }
}

//! The hijack catalogue over decoded script text, and the signals it adds up to.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use regex::Regex;
use url::Url;

use super::decode::DecodedLevel;
use crate::page::registrable_domain;
use crate::signal::{Evidence, Region, Signal, Technique, clip_snippet};

/// Every signal kind this module emits.
pub const SIGNAL_KINDS: [&str; 9] = [
    "referrer_redirect",
    "referrer_check",
    "ua_gated_redirect",
    "offsite_redirect",
    "script_writes_iframe",
    "script_writes_script",
    "obfuscated_script",
    "spider_ua_check",
    "remote_decision",
];

/// Targets a script may send people to without that being a hijack (search engines and
/// their analytics): a redirect to Baidu is not a gambling landing page.
const BENIGN_TARGET_DOMAINS: [&str; 15] = [
    "baidu.com",
    "sogou.com",
    "so.com",
    "sm.cn",
    "google.com",
    "bing.com",
    "360.cn",
    "haosou.com",
    // Obfuscators stamp their own URL into the output.
    "sojson.com",
    "jsjiami.com",
    // Analytics that are written into pages with document.write or injected elements.
    "cnzz.com",
    "51.la",
    "umeng.com",
    "google-analytics.com",
    "googletagmanager.com",
];

/// Counts gathered while decoding.
#[derive(Debug, Clone, Default)]
pub struct DecodeMarkers {
    pub source_bytes: usize,
    pub escapes: usize,
    pub ascii_escapes: usize,
    pub char_code_calls: usize,
    pub unescape_calls: usize,
    pub atob_calls: usize,
    pub packers: usize,
}

impl DecodeMarkers {
    pub fn add(&mut self, level: &DecodedLevel) {
        self.escapes += level.escapes;
        self.ascii_escapes += level.ascii_escapes;
        self.char_code_calls += level.char_code_calls;
        self.unescape_calls += level.unescape_calls;
        self.atob_calls += level.atob_calls;
        self.packers += level.packers;
    }
}

/// How a script reaches a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// `location = …`, `location.replace(…)`, `window.open(…)`.
    Navigation,
    /// `document.write('<iframe src=…')`.
    WrittenIframe,
    /// `document.write('<script src=…')`.
    WrittenScript,
    /// A bare URL literal in a script that navigates through computed names (obfuscated).
    UrlLiteral,
    /// The endpoint of an XHR / fetch / jQuery request.
    Request,
}

/// A URL the script sends people to or writes into the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    pub host: Option<String>,
    pub off_site: bool,
    pub sink: Sink,
}

/// What the catalogue found in one script.
#[derive(Debug, Clone, Default)]
pub struct ScriptFeatures {
    pub targets: Vec<Target>,
    /// `document.referrer` tested against search-engine names.
    pub referrer_targeting: Option<String>,
    pub spider_ua_test: Option<String>,
    pub mobile_ua_test: bool,
    pub huge_z_index: Option<u64>,
    pub full_screen: bool,
    pub obfuscation: Vec<&'static str>,
    /// The script writes a server response into the page (remote decision, FACTS §7.3 c).
    pub writes_response: bool,
    /// The script sets `document.title`.
    pub sets_title: bool,
    /// The script sends the referrer or User-Agent somewhere.
    pub sends_visitor: bool,
    pub markers: DecodeMarkers,
}

const ENGINES: &str = r"baidu|sogou|soso|google|youdao|yahoo|bing|118114|biso|gougou|ifeng|ivc|sooule|niuhu|360|haosou|haoso|so\.com|sm\.cn|sm|so";

static ENGINE_ALTERNATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(?:{ENGINES})\s*\|\s*(?:{ENGINES})\b"))
        .expect("the search-engine alternation pattern is a valid regex")
});
static REFERRER_ENGINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)referrer.{0,160}?["'/](?:www\.)?(?:baidu|sogou|so\.com|360|sm\.cn|google|bing|haosou|soso)"#)
        .expect("the referrer-engine pattern is a valid regex")
});
static NAVIGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:location(?:\.href|\[\s*["']href["']\s*\])?\s*=|location\.(?:replace|assign)\s*\(|window\.open\s*\()\s*["'`]([^"'`\s]+)"#,
    )
    .expect("the navigation pattern is a valid regex")
});
static DOCUMENT_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)document\.write(?:ln)?\s*\(")
        .expect("the document.write pattern is a valid regex")
});
static WRITTEN_ELEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<(iframe|script)\b[^>]{0,400}?\bsrc\s*=\s*\\?["']?([^"'\s>\\]+)"#)
        .expect("the written-element pattern is a valid regex")
});
/// The `src` part of [`WRITTEN_ELEMENT`], anchored at the end of its match (see
/// [`written_element_parts`]).
static WRITTEN_SRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bsrc\s*=\s*\\?["']?([^"'\s>\\]+)$"#)
        .expect("the written-src pattern is a valid regex")
});
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:\.open\s*\(\s*["'](?:POST|GET)["']\s*,|fetch\s*\(|\$\.(?:post|get|ajax)\s*\(\s*(?:\{\s*url\s*:)?)\s*["'`]([^"'`\s]+)"#,
    )
    .expect("the request pattern is a valid regex")
});
static WRITES_RESPONSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:document\.write(?:ln)?\s*\(|innerhtml\s*=)\s*[\w$.]*(?:responsetext|response|data|html|res)\b")
        .expect("the response-write pattern is a valid regex")
});
static CREATED_IFRAME_SRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\.src\s*=\s*["'`]([^"'`\s]+)"#).expect("the src pattern is a valid regex")
});
static CREATED_IFRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)createElement\s*\(\s*["'`]iframe["'`]"#)
        .expect("the createElement pattern is a valid regex")
});
static URL_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bhttps?://[^"'`\s<>\\()]+"#).expect("the URL pattern is a valid regex")
});
static SPIDER_UA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)baiduspider|googlebot|360spider|yisouspider|bytespider|sogou\s*(?:web\s*)?spider",
    )
    .expect("the spider pattern is a valid regex")
});
static MOBILE_UA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)iphone|android|ipad|ipod|windows phone|symbianos|baiduboxapp|micromessenger")
        .expect("the mobile pattern is a valid regex")
});
static Z_INDEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)z-?index\s*[:=]\s*['\x22]?(\d{5,12})")
        .expect("the z-index pattern is a valid regex")
});
static FULL_WIDTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)width\s*[:=]\s*\\?["']?100%"#).expect("the width pattern is a valid regex")
});
static FULL_HEIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)height\s*[:=]\s*\\?["']?(?:100%|100vh|[1-9]\d{3,}px)"#)
        .expect("the height pattern is a valid regex")
});
static OBFUSCATOR_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b_0x[0-9a-f]{4,6}\b").expect("the obfuscator-name pattern is a valid regex")
});

/// Caps on what one script contributes, so a hostile script of a million URLs stays cheap.
const MAX_TARGETS: usize = 32;
/// A target URL is read up to this many bytes.
const MAX_URL_BYTES: usize = 2048;

/// The words the catalogue tests for in a lower-cased copy of the script.
///
/// Besides the marker words, the list holds a literal each costly `(?i)` pattern below needs
/// in order to match, so a pattern runs only on scripts that can match it: most scripts are
/// a few hundred bytes, where starting a regex search costs more than a substring search.
/// Such a gate is exact only for literals without `k` or `s`: Unicode case folding lets
/// `(?i)k` match the KELVIN SIGN and `(?i)s` the LONG S, which a lower-cased copy does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    // Parts of longer words, looked up first so the longer ones mostly need no search.
    Html,
    Document,
    // Markers (some also gate patterns).
    InnerHtml,
    InsertAdjacentHtml,
    DocumentTitle,
    DocumentTitleSet,
    DocumentTitleSpacedSet,
    EncodedReferrer,
    EncodedUserAgent,
    AppendedReferrer,
    AppendedUserAgent,
    Location,
    WindowOpen,
    Referrer,
    UserAgent,
    SojsonEncode,
    Sojson,
    Jsjiami,
    Eval,
    DocumentWrite,
    // Gates of patterns only (none contains `k` or `s`, see the tests).
    CreateElement,
    DotOpen,
    Fetch,
    JqueryCall,
    Index,
    Width,
    UrlScheme,
    ObfuscatorPrefix,
}

/// Each [`Word`] with its lower-case text, in declaration order.
const WORDS: [(Word, &str); 28] = [
    (Word::Html, "html"),
    (Word::Document, "document."),
    (Word::InnerHtml, "innerhtml"),
    (Word::InsertAdjacentHtml, "insertadjacenthtml"),
    (Word::DocumentTitle, "document.title"),
    (Word::DocumentTitleSet, "document.title="),
    (Word::DocumentTitleSpacedSet, "document.title ="),
    (
        Word::EncodedReferrer,
        "encodeuricomponent(document.referrer",
    ),
    (
        Word::EncodedUserAgent,
        "encodeuricomponent(navigator.useragent",
    ),
    (Word::AppendedReferrer, "+document.referrer"),
    (Word::AppendedUserAgent, "+navigator.useragent"),
    (Word::Location, "location"),
    (Word::WindowOpen, "window.open"),
    (Word::Referrer, "referrer"),
    (Word::UserAgent, "useragent"),
    (Word::SojsonEncode, "__encode"),
    (Word::Sojson, "sojson"),
    (Word::Jsjiami, "jsjiami"),
    (Word::Eval, "eval("),
    (Word::DocumentWrite, "document.write"),
    (Word::CreateElement, "createelement"),
    (Word::DotOpen, ".open"),
    (Word::Fetch, "fetch"),
    (Word::JqueryCall, "$."),
    (Word::Index, "index"),
    (Word::Width, "width"),
    (Word::UrlScheme, "://"),
    (Word::ObfuscatorPrefix, "_0x"),
];

/// A searcher per word, built once (building one costs more than running it over a short
/// script).
static WORD_FINDERS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| WORDS.iter().map(|(_, text)| Finder::new(text)).collect());

/// A script's text with ASCII lower-cased, for the [`Word`] tests.
struct Lower(Vec<u8>);

impl Lower {
    fn of(text: &str) -> Lower {
        Lower(text.as_bytes().to_ascii_lowercase())
    }

    fn has(&self, word: Word) -> bool {
        WORD_FINDERS
            .get(word as usize)
            .is_some_and(|finder| finder.find(&self.0).is_some())
    }
}

pub fn extract(text: &str, markers: &DecodeMarkers, owner_domain: Option<&str>) -> ScriptFeatures {
    // Words are looked up when a decision needs them, each at most once per script, and a
    // longer word only once a shorter one it contains is known to be there.
    let lower = Lower::of(text);
    let has = |word: Word| lower.has(word);
    let owner = owner_domain.map(registrable_domain);
    let mut features = ScriptFeatures {
        markers: markers.clone(),
        ..ScriptFeatures::default()
    };
    let add_target = |raw: &str, sink: Sink, targets: &mut Vec<Target>| {
        // The patterns take URLs of any length (a bounded repeat of a Unicode class compiles
        // to a huge automaton); the URL is cut here instead.
        let raw = super::clip(raw, MAX_URL_BYTES);
        if targets.len() >= MAX_TARGETS || targets.iter().any(|t| t.url == raw && t.sink == sink) {
            return;
        }
        if let Some(target) = resolve(raw, sink, owner.as_deref()) {
            targets.push(target);
        }
    };

    // `window.open` contains `.open`, `innerHTML` and `insertAdjacentHTML` contain `html`,
    // the `document.` calls contain `document.`: the longer words are looked up only when
    // the shorter one is there.
    let dot_open = has(Word::DotOpen);
    let document = has(Word::Document);
    let html = has(Word::Html);
    let navigates = has(Word::Location) || (dot_open && has(Word::WindowOpen));
    if navigates {
        for found in NAVIGATION.find_iter(text).take(MAX_TARGETS) {
            add_target(
                quoted_tail(found.as_str()),
                Sink::Navigation,
                &mut features.targets,
            );
        }
    }
    // The written HTML is often built from decoded fragments that sit elsewhere in the
    // decoded text, so any element markup counts once the script writes HTML at all.
    let writes = document && has(Word::DocumentWrite);
    let inner_html = html && has(Word::InnerHtml);
    if (writes && DOCUMENT_WRITE.is_match(text))
        || inner_html
        || (html && has(Word::InsertAdjacentHtml))
    {
        for element in WRITTEN_ELEMENT.find_iter(text).take(MAX_TARGETS) {
            let Some((iframe, src)) = written_element_parts(text, element) else {
                continue;
            };
            let sink = if iframe {
                Sink::WrittenIframe
            } else {
                Sink::WrittenScript
            };
            add_target(src, sink, &mut features.targets);
        }
    }
    // `createElement('iframe')` then `.src = …`: the same overlay without document.write.
    if has(Word::CreateElement) && CREATED_IFRAME.is_match(text) {
        for src in CREATED_IFRAME_SRC.find_iter(text).take(MAX_TARGETS) {
            add_target(
                quoted_tail(src.as_str()),
                Sink::WrittenIframe,
                &mut features.targets,
            );
        }
    }
    if dot_open || has(Word::Fetch) || has(Word::JqueryCall) {
        for request in REQUEST.find_iter(text).take(MAX_TARGETS) {
            add_target(
                quoted_tail(request.as_str()),
                Sink::Request,
                &mut features.targets,
            );
        }
    }
    features.writes_response = (writes || inner_html) && WRITES_RESPONSE.is_match(text);
    features.sets_title = document
        && has(Word::DocumentTitle)
        && (has(Word::DocumentTitleSet) || has(Word::DocumentTitleSpacedSet));
    let referrer = has(Word::Referrer);
    let user_agent = has(Word::UserAgent);
    features.sends_visitor = (referrer
        && (has(Word::EncodedReferrer) || has(Word::AppendedReferrer)))
        || (user_agent && (has(Word::EncodedUserAgent) || has(Word::AppendedUserAgent)));
    // Obfuscated scripts reach `location` through computed names (`window[_0x12ab[3]]`), so
    // a navigation word plus a URL literal is the best a static reader gets.
    if navigates
        && has(Word::UrlScheme)
        && !features.targets.iter().any(|t| t.sink == Sink::Navigation)
    {
        for url in URL_LITERAL.find_iter(text).take(MAX_TARGETS) {
            add_target(url.as_str(), Sink::UrlLiteral, &mut features.targets);
        }
    }

    if referrer {
        features.referrer_targeting = ENGINE_ALTERNATION
            .find(text)
            .or_else(|| REFERRER_ENGINE.find(text))
            .map(|m| clip_snippet(m.as_str(), 120));
    }
    if user_agent {
        features.spider_ua_test = SPIDER_UA.find(text).map(|m| m.as_str().to_string());
        features.mobile_ua_test = MOBILE_UA.is_match(text);
    }
    if has(Word::Index) {
        features.huge_z_index = Z_INDEX
            .captures_iter(text)
            .take(64)
            .filter_map(|c| c.get(1)?.as_str().parse::<u64>().ok())
            .filter(|z| *z >= 99_999)
            .max();
    }
    features.full_screen =
        has(Word::Width) && FULL_WIDTH.is_match(text) && FULL_HEIGHT.is_match(text);

    if markers.packers > 0 {
        features
            .obfuscation
            .push("packer eval(function(p,a,c,k,e,d)");
    }
    if has(Word::Sojson) && has(Word::SojsonEncode) {
        features.obfuscation.push("sojson __encode");
    }
    if has(Word::Jsjiami) {
        features.obfuscation.push("jsjiami");
    }
    if has(Word::ObfuscatorPrefix) && OBFUSCATOR_NAME.find_iter(text).take(8).count() >= 3 {
        features.obfuscation.push("_0x… names");
    }
    // Obfuscators escape plain ASCII words; bundled libraries escape non-ASCII tables.
    if markers.ascii_escapes >= 16 && markers.ascii_escapes * 4 * 10 >= markers.source_bytes {
        features.obfuscation.push("dense \\x/\\u escapes of ASCII");
    }
    if markers.char_code_calls + markers.atob_calls + markers.unescape_calls > 0
        && (writes || has(Word::Eval))
    {
        features
            .obfuscation
            .push("fromCharCode/atob/unescape into eval or document.write");
    }
    features
}

/// The URL at the end of a [`NAVIGATION`], [`REQUEST`] or [`CREATED_IFRAME_SRC`] match.
/// Those patterns end in a quote and then `([^"'`\s]+)`, so the URL is what follows the
/// match's last quote. Reading it off the match spares a capture search, whose setup
/// clears memory in proportion to the pattern's (Unicode-sized) automaton.
fn quoted_tail(found: &str) -> &str {
    found
        .rfind(['"', '\'', '`'])
        .map_or(found, |quote| &found[quote + 1..])
}

/// Whether a [`WRITTEN_ELEMENT`] match is an iframe, and its `src` value: the pattern's
/// groups, read without a capture search over the whole pattern (its `{0,400}` repeat of a
/// Unicode class makes that search clear a large table for every match).
///
/// The tag is the word after `<`; only ASCII spells `iframe` case-insensitively (it has
/// no `k` or `s`). The value is the capture of [`WRITTEN_SRC`] searched in the match, from
/// after the `<` (so `\b` still sees the text before) to the match's end: the element
/// pattern takes the first `src` whose value has at least one character and reads that
/// value to the end of its match, and every earlier `src` fails the anchored pattern too.
fn written_element_parts<'t>(text: &'t str, element: regex::Match<'t>) -> Option<(bool, &'t str)> {
    let iframe = text.as_bytes()[element.start() + 1..]
        .get(..6)
        .is_some_and(|tag| tag.eq_ignore_ascii_case(b"iframe"));
    let src = WRITTEN_SRC
        .captures_at(&text[..element.end()], element.start() + 1)?
        .get(1)?
        .as_str();
    Some((iframe, src))
}

/// A target's host and whether it leaves the owner's registrable domain (the `m.`/`www.`
/// twins share it). Relative URLs stay on the site.
fn resolve(raw: &str, sink: Sink, owner: Option<&str>) -> Option<Target> {
    let raw = raw.trim_end_matches([';', ',', '.']);
    let absolute = if raw.starts_with("//") {
        format!("http:{raw}")
    } else {
        raw.to_string()
    };
    let host = match Url::parse(&absolute) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            url.host_str().map(str::to_ascii_lowercase)
        }
        Ok(_) => return None,
        Err(_) => None,
    };
    let off_site = match (&host, owner) {
        (Some(host), Some(owner)) => registrable_domain(host) != owner,
        (Some(_), None) => true,
        (None, _) => false,
    };
    Some(Target {
        url: clip_snippet(raw, 200),
        host,
        off_site,
        sink,
    })
}

fn is_benign(target: &Target) -> bool {
    target.host.as_deref().is_some_and(|host| {
        let domain = registrable_domain(host);
        BENIGN_TARGET_DOMAINS.contains(&domain.as_str())
    })
}

fn hostile_targets<'a>(features: &'a ScriptFeatures, sinks: &[Sink]) -> Vec<&'a Target> {
    features
        .targets
        .iter()
        .filter(|t| t.off_site && sinks.contains(&t.sink) && !is_benign(t))
        .collect()
}

fn evidence(snippet: &str) -> Evidence {
    Evidence {
        snippet: clip_snippet(snippet, 200),
        region: Some(Region::Script),
        persona: None,
        url: None,
    }
}

fn signal(
    kind: &str,
    technique: Technique,
    confidence: f32,
    explanation: String,
    evidence: Vec<Evidence>,
) -> Signal {
    Signal {
        kind: kind.to_string(),
        technique,
        confidence,
        explanation,
        evidence,
    }
}

fn target_evidence(targets: &[&Target]) -> Vec<Evidence> {
    targets
        .iter()
        .take(5)
        .map(|t| evidence(&format!("{} → {}", t.host.as_deref().unwrap_or("?"), t.url)))
        .collect()
}

fn hosts(targets: &[&Target]) -> String {
    let mut hosts: Vec<&str> = targets.iter().filter_map(|t| t.host.as_deref()).collect();
    hosts.dedup();
    hosts.truncate(5);
    hosts.join(", ")
}

/// The signals one script's features add up to.
pub fn signals(features: &ScriptFeatures) -> Vec<Signal> {
    let mut out = Vec::new();
    let all_sinks = [Sink::Navigation, Sink::WrittenIframe, Sink::UrlLiteral];
    let conditioned = hostile_targets(features, &all_sinks);
    let obfuscated = !features.obfuscation.is_empty();

    if let Some(test) = &features.referrer_targeting {
        if conditioned.is_empty() {
            if features.targets.is_empty() {
                out.push(signal(
                    "referrer_check",
                    Technique::JsRedirect,
                    0.2,
                    format!("脚本按搜索引擎来路做判断，但未见站外目标（正常站点也用于移动端跳转）：{test} / the script tests the referrer against search engines, with no off-site target seen (legitimate sites do this for mobile redirects): {test}"),
                    vec![evidence(test)],
                ));
            }
        } else {
            let hosts = hosts(&conditioned);
            let mut items = vec![evidence(test)];
            items.extend(target_evidence(&conditioned));
            out.push(signal(
                "referrer_redirect",
                Technique::JsRedirect,
                0.9,
                format!("脚本只对搜索引擎来访者跳转到站外：{hosts} / the script sends visitors from search engines off-site, to {hosts}"),
                items,
            ));
        }
    } else if (features.spider_ua_test.is_some() || features.mobile_ua_test)
        && !conditioned.is_empty()
    {
        let hosts = hosts(&conditioned);
        let confidence = if obfuscated { 0.75 } else { 0.6 };
        out.push(signal(
            "ua_gated_redirect",
            Technique::JsRedirect,
            confidence,
            format!("脚本按 User-Agent（手机/蜘蛛）把访客送到站外：{hosts} / the script sends visitors off-site by User-Agent (mobile or spider), to {hosts}"),
            target_evidence(&conditioned),
        ));
    } else {
        let navigation = hostile_targets(features, &[Sink::Navigation]);
        let literal = hostile_targets(features, &[Sink::UrlLiteral]);
        if !navigation.is_empty() || obfuscated && !literal.is_empty() {
            let targets = if navigation.is_empty() {
                literal
            } else {
                navigation
            };
            let hosts = hosts(&targets);
            let confidence = if obfuscated { 0.65 } else { 0.5 };
            out.push(signal(
                "offsite_redirect",
                Technique::JsRedirect,
                confidence,
                format!("脚本把所有访客跳转到站外：{hosts} / the script redirects every visitor off-site, to {hosts}"),
                target_evidence(&targets),
            ));
        }
    }

    let iframes = hostile_targets(features, &[Sink::WrittenIframe]);
    if !iframes.is_empty() {
        let hosts = hosts(&iframes);
        let overlay = features.full_screen || features.huge_z_index.is_some();
        let (confidence, zh, en) = if features.full_screen && features.huge_z_index.is_some() {
            (0.9, "全屏置顶覆盖", "a full-screen top-most overlay")
        } else if overlay {
            (0.7, "覆盖页面", "an overlay")
        } else {
            (0.45, "", "")
        };
        let mut items = target_evidence(&iframes);
        if let Some(z) = features.huge_z_index {
            items.push(evidence(&format!("z-index:{z}")));
        }
        out.push(signal(
            "script_writes_iframe",
            Technique::IframeOverlay,
            confidence,
            format!("脚本用 document.write 写入站外 iframe{zh}：{hosts} / the script writes an off-site iframe{} with document.write: {hosts}", if en.is_empty() { String::new() } else { format!(" as {en}") }),
            items,
        ));
    }

    let scripts = hostile_targets(features, &[Sink::WrittenScript]);
    if !scripts.is_empty() {
        let hosts = hosts(&scripts);
        out.push(signal(
            "script_writes_script",
            Technique::JsRedirect,
            if obfuscated { 0.6 } else { 0.5 },
            format!("脚本用 document.write 加载站外脚本：{hosts} / the script loads an off-site script with document.write: {hosts}"),
            target_evidence(&scripts),
        ));
    }

    let requests = hostile_targets(features, &[Sink::Request]);
    if !requests.is_empty() && features.writes_response {
        let hosts = hosts(&requests);
        let (confidence, zh, en) = if features.sets_title || features.sends_visitor {
            (
                0.85,
                "，并上报来路/UA 或改写标题",
                ", reporting the referrer/UA or rewriting the title",
            )
        } else {
            (0.55, "", "")
        };
        out.push(signal(
            "remote_decision",
            Technique::JsRedirect,
            confidence,
            format!("脚本向站外 {hosts} 请求内容并写入页面{zh} / the script fetches content from off-site {hosts} and writes it into the page{en}"),
            target_evidence(&requests),
        ));
    }

    if let Some(spider) = &features.spider_ua_test {
        out.push(signal(
            "spider_ua_check",
            Technique::Cloaking,
            0.35,
            format!("脚本判断访客是否为搜索引擎蜘蛛（{spider}） / the script tests whether the visitor is a search spider ({spider})"),
            vec![evidence(spider)],
        ));
    }

    if obfuscated {
        let markers = features.obfuscation.join(", ");
        let confidence = if features.obfuscation.len() >= 2 {
            0.3
        } else {
            0.2
        };
        out.push(signal(
            "obfuscated_script",
            Technique::JsRedirect,
            confidence,
            format!("脚本经过混淆/加壳：{markers} / the script is obfuscated or packed: {markers}"),
            vec![evidence(&markers)],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_listed_in_declaration_order() {
        for (index, (word, _)) in WORDS.iter().enumerate() {
            assert_eq!(*word as usize, index, "{word:?}");
        }
    }

    #[test]
    fn pattern_gates_have_no_case_folding_letters() {
        let gates = [
            Word::Location,
            Word::WindowOpen,
            Word::DocumentWrite,
            Word::InnerHtml,
            Word::CreateElement,
            Word::DotOpen,
            Word::Fetch,
            Word::JqueryCall,
            Word::Index,
            Word::Width,
            Word::UrlScheme,
            Word::ObfuscatorPrefix,
        ];
        for gate in gates {
            let text = WORDS[gate as usize].1;
            assert!(!text.contains(['k', 's']), "{text}");
        }
    }

    /// Pieces that make the patterns match, almost match and fold case.
    const PIECES: [&str; 40] = [
        "location",
        "LoCaTion",
        ".href",
        "['href']",
        "=",
        " ",
        "\t",
        "\"",
        "'",
        "`",
        "\\",
        "http://a.example/x",
        "//b.example",
        "src",
        "SRC",
        "ſrc",
        "<iframe",
        "<IFRAME",
        "<script",
        "<ſcript",
        "<scrıpt",
        ">",
        "x",
        "=y",
        "window.open(",
        ".replace(",
        "fetch(",
        "$.get(",
        "$.ajax({url:",
        ".open(",
        "'POST',",
        "createElement('iframe')",
        ".src",
        "z-index:",
        "zindex=",
        "123456",
        "٣",
        "_0x1a2b",
        "K",
        "é",
    ];

    fn script() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..48)
            .prop_map(|pieces| pieces.concat())
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        #[test]
        fn tails_read_off_matches_equal_the_captures(text in script()) {
            for pattern in [&*NAVIGATION, &*REQUEST, &*CREATED_IFRAME_SRC] {
                let captured: Vec<&str> = pattern
                    .captures_iter(&text)
                    .filter_map(|c| Some(c.get(1)?.as_str()))
                    .collect();
                let read: Vec<&str> =
                    pattern.find_iter(&text).map(|m| quoted_tail(m.as_str())).collect();
                proptest::prop_assert_eq!(captured, read);
            }
            let captured: Vec<(bool, &str)> = WRITTEN_ELEMENT
                .captures_iter(&text)
                .filter_map(|c| {
                    Some((c.get(1)?.as_str().eq_ignore_ascii_case("iframe"), c.get(2)?.as_str()))
                })
                .collect();
            let read: Vec<(bool, &str)> = WRITTEN_ELEMENT
                .find_iter(&text)
                .filter_map(|m| written_element_parts(&text, m))
                .collect();
            proptest::prop_assert_eq!(captured, read);
        }

        #[test]
        fn gated_patterns_never_match_without_their_word(text in script()) {
            let lower = Lower::of(&text);
            let gated: [(&Regex, &[Word]); 8] = [
                (&NAVIGATION, &[Word::Location, Word::WindowOpen]),
                (&DOCUMENT_WRITE, &[Word::DocumentWrite]),
                (&CREATED_IFRAME, &[Word::CreateElement]),
                (&REQUEST, &[Word::DotOpen, Word::Fetch, Word::JqueryCall]),
                (&WRITES_RESPONSE, &[Word::DocumentWrite, Word::InnerHtml]),
                (&URL_LITERAL, &[Word::UrlScheme]),
                (&Z_INDEX, &[Word::Index]),
                (&FULL_WIDTH, &[Word::Width]),
            ];
            for (pattern, words) in gated {
                if pattern.is_match(&text) {
                    proptest::prop_assert!(words.iter().any(|w| lower.has(*w)), "{pattern}");
                }
            }
            if OBFUSCATOR_NAME.is_match(&text) {
                proptest::prop_assert!(lower.has(Word::ObfuscatorPrefix));
            }
        }
    }
}

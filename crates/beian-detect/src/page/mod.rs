//! Page facts: everything the page-level detectors look at, gathered in ONE pass over the
//! page with our own HTML tokenizer (`tokenizer`). Every list and buffer is capped, so a
//! 50 MB link farm costs bounded memory and the facts stay small enough to serialise into a
//! report.
//!
//! Why our own tokenizer rather than lol_html (the streaming rewriter the design first
//! chose): the page pass is the hot path of `beian bench detect`, whose target is 200 MB/s
//! per core, and lol_html alone — with just a `*` element handler and a text handler, no
//! detector work — measured 93–146 MB/s on the labelled corpus (average page ~3.7 KB, where
//! its per-page rewriter and selector setup and per-token bookkeeping dominate). We only read
//! the page, never rewrite it, and need tags, attributes and text nodes: a tokenizer over the
//! page in memory that hands out borrowed slices does that without per-token allocation.
//!
//! Attribute values and text come raw (entities undecoded); we decode numeric and common
//! named entities ourselves where the detectors look, because hijack templates write
//! gambling footers as `&#x6FB3;&#x95E8;…`.

mod handlers;
mod resolve;
mod style;
pub(crate) mod text;
mod tokenizer;

use std::net::IpAddr;
use std::sync::Arc;

use handlers::run_pass;
use resolve::Resolver;
use tokenizer::{StartTag, TextKind};

use serde::Serialize;
use url::Url;

pub use style::{Hiding, HidingRules, Placement, StyleFacts, parse_declarations};
pub use text::{CollapsedText, TailText, decode_entities};

/// Caps of the page pass (hostile pages are huge on purpose).
pub mod caps {
    /// Visible-text sample from the start of the page.
    pub const TEXT_SAMPLE_BYTES: usize = 64 * 1024;
    /// Visible text kept from the end of the page (footers live there).
    pub const TEXT_TAIL_BYTES: usize = 16 * 1024;
    pub const TITLE_BYTES: usize = 4 * 1024;
    pub const META_BYTES: usize = 4 * 1024;
    pub const LINKS: usize = 2000;
    /// Links beyond [`LINKS`] still kept when they carry a filing number (the footer).
    pub const FILING_LINKS: usize = 64;
    pub const LINK_TEXT_BYTES: usize = 512;
    pub const URL_BYTES: usize = 2048;
    pub const SCRIPTS: usize = 256;
    pub const SCRIPT_BODY_BYTES: usize = 256 * 1024;
    pub const SCRIPT_TOTAL_BYTES: usize = 1024 * 1024;
    pub const IFRAMES: usize = 128;
    pub const FORMS: usize = 64;
    /// Nested styled elements tracked for inherited hiding / placement.
    pub const STYLE_FRAMES: usize = 4096;
    /// Pages longer than HEAD + TAIL are analysed on their first HEAD and last TAIL bytes
    /// only: injections sit at the top (title, meta, head scripts) or the bottom (footer
    /// link farms), and this bounds the time of any page (`PageFacts::skipped_bytes`).
    pub const ANALYSED_HEAD_BYTES: usize = 4 * 1024 * 1024;
    pub const ANALYSED_TAIL_BYTES: usize = 1024 * 1024;
    /// Open (not yet closed) elements tracked; deeper ones are parsed but their end tags
    /// are not matched (`PageFacts::parse_error` says so).
    pub const OPEN_ELEMENTS: usize = 128 * 1024;
}

/// `<meta http-equiv="refresh" content="0;url=…">`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRefresh {
    pub delay_seconds: Option<f64>,
    pub target: Option<String>,
    pub host: Option<String>,
    pub off_site: bool,
}

/// Where a URL on the page points.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The URL as written (entities decoded, clipped).
    pub href: String,
    /// Lower-case host of the resolved URL, when it has one. Shared (`Arc`): a page's links
    /// point at a handful of hosts, and a copy per link was the page pass's costliest
    /// allocation.
    pub host: Option<Arc<str>>,
    /// Registrable domain of the host (the host itself for IP addresses).
    pub domain: Option<Arc<str>>,
    /// The domain differs from the site's registrable domain.
    pub off_site: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkFact {
    #[serde(flatten)]
    pub target: Target,
    /// Link text, entities decoded, whitespace collapsed, clipped.
    pub text: String,
    /// Why people cannot see it (own style, an ancestor's style, a hiding class, a tiny marquee).
    pub hidden: Option<Hiding>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptFact {
    /// External script (`src`), when it has one.
    pub src: Option<Target>,
    /// Inline body, clipped to [`caps::SCRIPT_BODY_BYTES`] (and the page total).
    pub text: String,
    /// Bytes of inline body seen, including what was clipped.
    pub text_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IframeFact {
    pub src: Option<Target>,
    pub width: Option<String>,
    pub height: Option<String>,
    /// Its own placement, or the nearest positioned ancestor's when it has none.
    pub placement: Placement,
    /// Covers the viewport: 100% (or ≥ 1000px) both ways.
    pub full_screen: bool,
    pub hidden: Option<Hiding>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormFact {
    pub action: Option<Target>,
    pub has_password: bool,
}

/// How many of each element the page had, so a reader sees what the caps dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ElementCounts {
    pub links: usize,
    pub scripts: usize,
    pub iframes: usize,
    pub forms: usize,
}

/// What one pass over a page found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PageFacts {
    pub url: Option<String>,
    /// Registrable domain the `off_site` flags are relative to.
    pub site_domain: Option<String>,
    pub title: String,
    pub meta_keywords: String,
    pub meta_description: String,
    /// `<meta name="robots">` content (lower case).
    pub robots: Option<String>,
    /// robots (or googlebot/baiduspider) says `noarchive`: no search-engine snapshot.
    pub noarchive: bool,
    pub meta_refresh: Option<MetaRefresh>,
    /// Visible text from the start of the page (no script/style), whitespace collapsed.
    pub text: String,
    /// The last part of the visible text when it did not fit in `text` (empty otherwise).
    pub text_tail: String,
    /// Bytes of visible text on the page.
    pub text_bytes: usize,
    pub links: Vec<LinkFact>,
    pub scripts: Vec<ScriptFact>,
    pub iframes: Vec<IframeFact>,
    pub forms: Vec<FormFact>,
    pub counts: ElementCounts,
    /// Some cap dropped part of the page.
    pub truncated: bool,
    /// Bytes in the middle of a huge page that were not analysed (see `caps::ANALYSED_HEAD_BYTES`).
    pub skipped_bytes: usize,
    /// The parser could not follow the page's structure exactly (nesting deeper than
    /// `caps::OPEN_ELEMENTS`); the facts past that point are best effort.
    pub parse_error: Option<String>,
}

impl PageFacts {
    /// Recomputes every `off_site` flag against `domain` (the owner's registrable domain,
    /// which may differ from the fetched URL's, e.g. a CDN-served copy).
    pub fn rebase_site(&mut self, domain: &str) {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let rebase = |target: &mut Target| target.off_site = is_off_site(target, Some(&domain));
        self.links.iter_mut().for_each(|l| rebase(&mut l.target));
        self.scripts
            .iter_mut()
            .filter_map(|s| s.src.as_mut())
            .for_each(rebase);
        self.iframes
            .iter_mut()
            .filter_map(|i| i.src.as_mut())
            .for_each(rebase);
        self.forms
            .iter_mut()
            .filter_map(|f| f.action.as_mut())
            .for_each(rebase);
        if let Some(refresh) = &mut self.meta_refresh {
            let target = Target {
                host: refresh.host.as_deref().map(Arc::from),
                domain: refresh.host.as_deref().map(shared_registrable_domain),
                ..Target::default()
            };
            refresh.off_site = is_off_site(&target, Some(&domain));
        }
        self.site_domain = Some(domain);
    }

    /// The visible text to scan: the head sample and, for long pages, the tail.
    pub fn text_parts(&self) -> impl Iterator<Item = &str> {
        [self.text.as_str(), self.text_tail.as_str()]
            .into_iter()
            .filter(|t| !t.is_empty())
    }
}

/// Registrable domain (eTLD+1) of a host; IP addresses and unknown suffixes are themselves.
pub fn registrable_domain(host: &str) -> String {
    with_registrable_domain(host, str::to_string)
}

/// [`registrable_domain`], shared: one allocation for what the page's links point at.
fn shared_registrable_domain(host: &str) -> Arc<str> {
    with_registrable_domain(host, |domain| Arc::from(domain))
}

/// Calls `with` on the registrable domain of `host`, lower-casing a copy of the host only
/// when it has capitals (hosts from parsed URLs never do): the domain is a slice of it.
fn with_registrable_domain<T>(host: &str, with: impl FnOnce(&str) -> T) -> T {
    let host = host.trim_end_matches('.');
    let domain_of = |host: &str| -> T {
        if host.parse::<IpAddr>().is_ok() || host.starts_with('[') {
            return with(host);
        }
        with(psl::domain_str(host).unwrap_or(host))
    };
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        domain_of(&host.to_ascii_lowercase())
    } else {
        domain_of(host)
    }
}

fn is_off_site(target: &Target, site: Option<&str>) -> bool {
    match (target.domain.as_deref(), site) {
        (Some(domain), Some(site)) => domain != site,
        _ => false,
    }
}

fn clip_bytes(text: &str, cap: usize) -> &str {
    if text.len() <= cap {
        return text;
    }
    let end = (0..=cap)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    &text[..end]
}

/// A styled ancestor that is still open.
#[derive(Debug, Clone, Copy)]
struct Frame {
    id: u64,
    hiding: Option<Hiding>,
    placement: Placement,
    /// Text (= background) colour of a same-colour frame.
    colour: Option<u32>,
}

#[derive(Default)]
struct State {
    facts: PageFacts,
    resolver: Resolver,
    text: CollapsedText,
    tail: TailText,
    title: CollapsedText,
    frames: Vec<Frame>,
    next_frame_id: u64,
    hiding_rules: HidingRules,
    stylesheet_bytes: usize,
    open_link: Option<LinkFact>,
    /// Text of the open link (one buffer for all links of the page).
    link_text: CollapsedText,
    filing_links_kept: usize,
    open_script: Option<usize>,
    script_bytes_total: usize,
    open_form: Option<usize>,
    /// Whose raw text (RCDATA / RAWTEXT) the next text chunks are.
    raw_text: RawTextOwner,
}

/// The element whose unparsed text follows (see `on_element`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum RawTextOwner {
    #[default]
    Other,
    Title,
    Style,
}

impl State {
    /// How an open ancestor hides the element; `own_colour` is the element's own text
    /// colour, which makes it visible again inside a same-colour block unless it matches.
    fn inherited_hiding(&self, own_colour: Option<u32>) -> Option<Hiding> {
        self.frames
            .iter()
            .find_map(|f| match (f.hiding, own_colour) {
                (Some(Hiding::SameColour), Some(own)) if Some(own) != f.colour => None,
                (hiding, _) => hiding,
            })
    }

    fn inherited_placement(&self) -> Option<Placement> {
        // Overlay wrappers are the direct parent or close to it; a bounded look keeps deep
        // nesting linear.
        self.frames
            .iter()
            .rev()
            .take(8)
            .map(|f| f.placement)
            .find(|p| p.positioned || p.z_index.is_some())
    }

    /// The element's own style (inline `style`, `hidden`, the page's class/id rules), in
    /// one pass over the attributes (a later duplicate wins here, as it always has in this
    /// pass; attribute lookups by name take the first).
    fn compute_style(&self, tag: &StartTag<'_, '_>) -> StyleFacts {
        // Many tags (`<p>`, `<li>`, `<td>` …) have no attributes: nothing to read or look up.
        if tag.attributes.is_empty() {
            return StyleFacts::default();
        }
        let rules = !self.hiding_rules.is_empty();
        let (mut style, mut hidden, mut class, mut id) = (None, false, None, None);
        for attribute in tag.attributes {
            let name = attribute.name;
            if style::is_named(name, b"style") {
                style = Some(attribute.value);
            } else if style::is_named(name, b"hidden") {
                hidden = true;
            } else if rules && style::is_named(name, b"class") {
                class = Some(attribute.value);
            } else if rules && style::is_named(name, b"id") {
                id = Some(attribute.value);
            }
        }
        let mut facts = style.map(parse_declarations).unwrap_or_default();
        if facts.hiding.is_none() && hidden {
            facts.hiding = Some(Hiding::HiddenAttribute);
        }
        if (class.is_some() || id.is_some())
            && (facts.hiding.is_none() || !facts.placement.positioned)
            && let Some(sheet) = self.hiding_rules.style_of(class, id)
        {
            facts.hiding = facts.hiding.or(sheet.hiding);
            facts.colour = facts.colour.or(sheet.colour);
            if !facts.placement.positioned && facts.placement.z_index.is_none() {
                let own = facts.placement;
                facts.placement = sheet.placement;
                facts.placement.full_width |= own.full_width;
                facts.placement.full_height |= own.full_height;
            }
        }
        facts
    }

    fn finish_link(&mut self) {
        let Some(mut link) = self.open_link.take() else {
            return;
        };
        // The text was collected in a buffer that every link reuses; the link keeps an
        // exact-size copy (none for the many links whose text is empty, e.g. image links).
        link.text = match decode_entities(&self.link_text.text) {
            std::borrow::Cow::Owned(decoded) => decoded.trim().to_string(),
            // Collapsed text has no leading whitespace and at most one trailing space, so
            // that is all `trim` would remove (and it decodes characters from both ends).
            std::borrow::Cow::Borrowed(text) => {
                debug_assert_eq!(text.strip_suffix(' ').unwrap_or(text), text.trim());
                text.strip_suffix(' ').unwrap_or(text).to_string()
            }
        };
        self.link_text.clear();
        if self.facts.links.len() < caps::LINKS {
            self.facts.links.push(link);
        } else if self.filing_links_kept < caps::FILING_LINKS && looks_like_filing(&link) {
            self.filing_links_kept += 1;
            self.facts.links.push(link);
        } else {
            self.facts.truncated = true;
        }
    }

    fn on_text(&mut self, content: &str, kind: TextKind, last_in_node: bool) {
        match kind {
            TextKind::Data => {
                self.facts.text_bytes += content.len();
                // The tail only matters once the head sample is full.
                if self.text.is_full() {
                    self.tail.push(content);
                } else if !self.text.push(content) {
                    self.facts.truncated = true;
                }
                if self.open_link.is_some() {
                    self.link_text.push(content);
                }
                if last_in_node {
                    if self.text.is_full() {
                        self.tail.push(" ");
                    } else {
                        self.text.separate();
                    }
                    if self.open_link.is_some() {
                        self.link_text.separate();
                    }
                }
            }
            TextKind::ScriptData => self.on_script_text(content),
            TextKind::RcData if self.raw_text == RawTextOwner::Title => {
                self.title.push(content);
            }
            TextKind::RawText if self.raw_text == RawTextOwner::Style => {
                self.hiding_rules.feed(content, &mut self.stylesheet_bytes);
            }
            _ => {}
        }
    }

    fn on_script_text(&mut self, content: &str) {
        let Some(index) = self.open_script else {
            return;
        };
        let Some(script) = self.facts.scripts.get_mut(index) else {
            return;
        };
        script.text_bytes += content.len();
        let room = caps::SCRIPT_BODY_BYTES
            .saturating_sub(script.text.len())
            .min(caps::SCRIPT_TOTAL_BYTES.saturating_sub(self.script_bytes_total));
        let kept = clip_bytes(content, room);
        script.text.push_str(kept);
        self.script_bytes_total += kept.len();
        if kept.len() < content.len() {
            self.facts.truncated = true;
        }
    }
}

/// Footer links are rescued past the link cap: their text names a filing number or they
/// point at a filing system.
fn looks_like_filing(link: &LinkFact) -> bool {
    let host = link.target.host.as_deref().unwrap_or_default();
    host.contains("beian") || host.contains("miit") || has_filing_marker(&link.text)
}

/// Markers of text that may hold a filing number.
const FILING_MARKERS: [&str; 7] = ["ICP", "icp", "ＩＣＰ", "公网安备", "B2-", "B1-", "备案"];

/// Not a byte that [`MARKER_TRIGGERS`] looks at.
const NOT_A_TRIGGER: u8 = u8::MAX;

/// For each byte, how far before it a marker would start when the byte is its trigger: the
/// first byte of the ASCII markers, and a continuation byte of the wide ones (Ｉ is EF BC A9,
/// 公 is E5 85 AC, 备 is E5 A4 87). A lead byte such as 公's and 备's 0xE5 starts a sixth of
/// all CJK characters, and trying the markers at each was a visible cost.
static MARKER_TRIGGERS: [u8; 256] = {
    let mut back = [NOT_A_TRIGGER; 256];
    back[b'I' as usize] = 0;
    back[b'i' as usize] = 0;
    back[b'B' as usize] = 0;
    back[0xA9] = 2;
    back[0x85] = 1;
    back[0xA4] = 1;
    back
};

/// Cheap prefilter for text that may hold a filing number (before any regex). This runs
/// for every link, whose text is short: one byte loop that tries the markers only at the
/// rare trigger bytes costs less than setting up a vector search.
pub fn has_filing_marker(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, byte)| {
        let back = MARKER_TRIGGERS[usize::from(*byte)];
        back != NOT_A_TRIGGER
            && at.checked_sub(usize::from(back)).is_some_and(|start| {
                FILING_MARKERS
                    .iter()
                    .any(|marker| bytes[start..].starts_with(marker.as_bytes()))
            })
    })
}

/// Extracts the facts of a page in one pass. `page_url` resolves relative links
/// and decides what is off-site (its registrable domain); without it only absolute URLs
/// get hosts and nothing counts as off-site until [`PageFacts::rebase_site`].
pub fn extract(html: &str, page_url: Option<&Url>) -> PageFacts {
    let site = page_url
        .and_then(|u| u.host_str())
        .map(|h| registrable_domain(h.trim_matches(['[', ']'])));
    let mut s = State {
        facts: PageFacts {
            url: page_url.map(|u| clip_bytes(u.as_str(), caps::URL_BYTES).to_string()),
            site_domain: site.clone(),
            // About a link per 150 bytes of markup on the corpus: room up front rather than
            // growing (and copying) the list three or four times a page.
            links: Vec::with_capacity((html.len() / 128).min(caps::LINKS)),
            ..PageFacts::default()
        },
        resolver: Resolver::new(page_url.cloned(), site),
        // Visible text is about a quarter of a page's markup.
        text: CollapsedText::with_capacity(caps::TEXT_SAMPLE_BYTES, html.len() / 4),
        tail: TailText::with_cap(caps::TEXT_TAIL_BYTES),
        title: CollapsedText::with_cap(caps::TITLE_BYTES),
        link_text: CollapsedText::with_cap(caps::LINK_TEXT_BYTES),
        ..State::default()
    };
    let (head, tail) = split_for_analysis(html);
    match tail {
        None => run_pass(head, &mut s),
        // The tail follows the head as if the middle were not there, as a streaming parser
        // fed both would see it (a tag cut at the seam joins the tail's first bytes).
        Some(tail) => run_pass(&[head, tail].concat(), &mut s),
    }
    s.finish_link();
    let mut facts = std::mem::take(&mut s.facts);
    facts.title = decode_entities(&s.title.text).trim().to_string();
    facts.text = decoded_text(std::mem::take(&mut s.text.text));
    if s.text.dropped > 0 {
        facts.text_tail = decoded_text(s.tail.finish());
    }
    if tail.is_some() {
        facts.skipped_bytes = html.len() - head.len() - tail.map_or(0, str::len);
        facts.truncated = true;
    }
    facts
}

/// `text` with its entities decoded: the buffer itself when it has none (most pages), so
/// the page's text is not copied once more.
fn decoded_text(text: String) -> String {
    match decode_entities(&text) {
        std::borrow::Cow::Owned(decoded) => decoded,
        std::borrow::Cow::Borrowed(_) => text,
    }
}

/// The parts of a page that are analysed: all of it, or its head and tail when huge.
fn split_for_analysis(html: &str) -> (&str, Option<&str>) {
    if html.len() <= caps::ANALYSED_HEAD_BYTES + caps::ANALYSED_TAIL_BYTES {
        return (html, None);
    }
    let head_end = (0..=caps::ANALYSED_HEAD_BYTES)
        .rev()
        .find(|i| html.is_char_boundary(*i))
        .unwrap_or(0);
    let tail_start = (html.len() - caps::ANALYSED_TAIL_BYTES..html.len())
        .find(|i| html.is_char_boundary(*i))
        .unwrap_or(html.len());
    (&html[..head_end], Some(&html[tail_start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filing_markers() {
        for text in [
            "京ICP备1号",
            "icp",
            "ＩＣＰ证",
            "公网安备",
            "沪B2-2010",
            "B1-x",
            "已备案",
        ] {
            assert!(has_filing_marker(text), "{text}");
        }
        for text in ["", "ICp", "B2 ", "B3-", "公网", "首页 关于我们", "Ｂ２"] {
            assert!(!has_filing_marker(text), "{text}");
        }
    }

    /// Every marker tried at every byte: the reference for the trigger-byte search.
    fn has_filing_marker_everywhere(text: &str) -> bool {
        (0..text.len()).any(|at| {
            FILING_MARKERS
                .iter()
                .any(|marker| text.as_bytes()[at..].starts_with(marker.as_bytes()))
        })
    }

    proptest::proptest! {
        #[test]
        fn filing_markers_are_found_wherever_they_are(
            text in "(ICP|icp|IC|ＩＣＰ|ＩＣ|公网安备|公网|安备|B2-|B1-|B2|备案|备|案|公|Ｉ|[iIbB]|\\PC){0,12}"
        ) {
            proptest::prop_assert_eq!(has_filing_marker(&text), has_filing_marker_everywhere(&text));
        }
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("www.example.com.cn"), "example.com.cn");
        assert_eq!(registrable_domain("a.b.example.com"), "example.com");
        assert_eq!(registrable_domain("203.0.113.5"), "203.0.113.5");
    }
}

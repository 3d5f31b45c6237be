//! Page facts: everything the page-level detectors look at, gathered in ONE streaming pass
//! with lol_html. Every list and buffer is capped, so a 50 MB link farm costs bounded memory
//! and the facts stay small enough to serialise into a report.
//!
//! Attribute values and text come from lol_html raw (entities undecoded); we decode numeric
//! and common named entities ourselves, because hijack templates write gambling footers as
//! `&#x6FB3;&#x95E8;…`.

mod style;
mod text;

use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk, TextType};
use lol_html::{HtmlRewriter, MemorySettings, Settings, doc_text, element, end_tag, text};
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
    /// lol_html's own buffering limit (one enormous tag or attribute).
    pub const PARSER_MEMORY_BYTES: usize = 32 * 1024 * 1024;
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
    /// Lower-case host of the resolved URL, when it has one.
    pub host: Option<String>,
    /// Registrable domain of the host (the host itself for IP addresses).
    pub domain: Option<String>,
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
    /// The parser gave up (memory limit); the facts cover the page up to that point.
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
                host: refresh.host.clone(),
                domain: refresh.host.as_deref().map(registrable_domain),
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
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<IpAddr>().is_ok() || host.starts_with('[') {
        return host;
    }
    psl::domain_str(&host).map_or(host.clone(), str::to_string)
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

struct Resolver {
    base: Option<Url>,
    site: Option<String>,
}

impl Resolver {
    fn target(&self, raw: &str) -> Target {
        let decoded = decode_entities(raw.trim());
        let href = clip_bytes(&decoded, caps::URL_BYTES).to_string();
        let url = match &self.base {
            Some(base) => base.join(&href).ok(),
            None => Url::parse(&href).ok(),
        }
        .or_else(|| {
            // Protocol-relative links without a base: `//evil.example/x`.
            href.starts_with("//")
                .then(|| Url::parse(&format!("http:{href}")).ok())
                .flatten()
        });
        let host = url
            .as_ref()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(|u| u.host_str())
            .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase());
        let domain = host.as_deref().map(registrable_domain);
        let mut target = Target {
            href,
            host,
            domain,
            off_site: false,
        };
        target.off_site = is_off_site(&target, self.site.as_deref());
        target
    }
}

/// A styled ancestor that is still open.
#[derive(Debug, Clone, Copy)]
struct Frame {
    id: u64,
    hiding: Option<Hiding>,
    placement: Placement,
}

#[derive(Default)]
struct State {
    facts: PageFacts,
    resolver: Option<Resolver>,
    text: CollapsedText,
    tail: TailText,
    title: CollapsedText,
    frames: Vec<Frame>,
    next_frame_id: u64,
    hiding_rules: HidingRules,
    stylesheet_bytes: usize,
    open_link: Option<LinkFact>,
    link_text: CollapsedText,
    filing_links_kept: usize,
    open_script: Option<usize>,
    script_bytes_total: usize,
    open_form: Option<usize>,
}

impl State {
    fn resolver(&self) -> &Resolver {
        self.resolver
            .as_ref()
            .expect("the resolver is set before the rewriter runs")
    }

    fn inherited_hiding(&self) -> Option<Hiding> {
        self.frames.iter().find_map(|f| f.hiding)
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

    fn element_style(&self, el: &Element) -> StyleFacts {
        let mut facts = el
            .get_attribute("style")
            .map(|s| parse_declarations(&s))
            .unwrap_or_default();
        if facts.hiding.is_none() && el.has_attribute("hidden") {
            facts.hiding = Some(Hiding::HiddenAttribute);
        }
        if !self.hiding_rules.is_empty()
            && (facts.hiding.is_none() || !facts.placement.positioned)
            && let Some(sheet) = self.hiding_rules.style_of(
                el.get_attribute("class").as_deref(),
                el.get_attribute("id").as_deref(),
            )
        {
            facts.hiding = facts.hiding.or(sheet.hiding);
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
        let text = std::mem::take(&mut self.link_text);
        link.text = decode_entities(&text.text).trim().to_string();
        if self.facts.links.len() < caps::LINKS {
            self.facts.links.push(link);
        } else if self.filing_links_kept < caps::FILING_LINKS && looks_like_filing(&link) {
            self.filing_links_kept += 1;
            self.facts.links.push(link);
        } else {
            self.facts.truncated = true;
        }
    }

    fn on_text(&mut self, chunk: &TextChunk) {
        let content = chunk.as_str();
        match chunk.text_type() {
            TextType::Data => {
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
                if chunk.last_in_text_node() {
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
            TextType::ScriptData => self.on_script_text(content),
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

/// Cheap prefilter for text that may hold a filing number (before any regex).
pub fn has_filing_marker(text: &str) -> bool {
    text.contains("ICP")
        || text.contains("icp")
        || text.contains("ＩＣＰ")
        || text.contains("公网安备")
        || text.contains("B2-")
        || text.contains("B1-")
        || text.contains("备案")
}

fn parse_meta_refresh(content: &str, resolver: &Resolver) -> MetaRefresh {
    let content = decode_entities(content);
    let (delay, rest) = match content.find([';', ',']) {
        Some(at) => (&content[..at], &content[at + 1..]),
        None => (content.as_ref(), ""),
    };
    let rest = rest.trim();
    let target = rest
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("url"))
        .map(|_| rest[3..].trim_start())
        .and_then(|r| r.strip_prefix('='))
        .unwrap_or(rest)
        .trim()
        .trim_matches(['\'', '"']);
    let resolved = (!target.is_empty()).then(|| resolver.target(target));
    MetaRefresh {
        delay_seconds: delay.trim().parse().ok(),
        off_site: resolved.as_ref().is_some_and(|t| t.off_site),
        host: resolved.as_ref().and_then(|t| t.host.clone()),
        target: resolved.map(|t| t.href),
    }
}

fn attribute_px(value: Option<&str>) -> Option<f64> {
    let value = value?.trim().trim_end_matches("px");
    value.parse().ok()
}

type Shared = Rc<RefCell<State>>;

/// Pushes a frame for a styled element and pops it (and anything left open inside it) at
/// its end tag.
fn push_frame(state: &Shared, el: &mut Element, hiding: Option<Hiding>, placement: Placement) {
    if !el.can_have_content() {
        return;
    }
    let id = {
        let mut s = state.borrow_mut();
        if s.frames.len() >= caps::STYLE_FRAMES {
            return;
        }
        s.next_frame_id += 1;
        let id = s.next_frame_id;
        s.frames.push(Frame {
            id,
            hiding,
            placement,
        });
        id
    };
    let state = Rc::clone(state);
    // Cannot fail: can_have_content() was checked above.
    let _ = el.on_end_tag(end_tag!(move |_end| {
        let mut s = state.borrow_mut();
        if let Some(at) = s.frames.iter().rposition(|f| f.id == id) {
            s.frames.truncate(at);
        }
        Ok(())
    }));
}

fn on_any_element(state: &Shared, el: &mut Element) {
    if !el.has_attribute("style")
        && !el.has_attribute("hidden")
        && (state.borrow().hiding_rules.is_empty()
            || !(el.has_attribute("class") || el.has_attribute("id")))
    {
        return;
    }
    let facts = state.borrow().element_style(el);
    let placement = facts.placement;
    if facts.hiding.is_some() || placement.positioned || placement.z_index.is_some() {
        push_frame(state, el, facts.hiding, placement);
    }
}

fn on_marquee(state: &Shared, el: &mut Element) {
    let tiny =
        |name: &str| attribute_px(el.get_attribute(name).as_deref()).is_some_and(|px| px <= 5.0);
    let style = state.borrow().element_style(el);
    if tiny("height") || tiny("width") || style.hiding.is_some() {
        push_frame(state, el, Some(Hiding::TinyMarquee), Placement::default());
    }
}

fn on_link(state: &Shared, el: &mut Element) {
    let Some(href) = el.get_attribute("href") else {
        return;
    };
    let mut s = state.borrow_mut();
    s.finish_link();
    s.facts.counts.links += 1;
    let own = s.element_style(el).hiding;
    let link = LinkFact {
        target: s.resolver().target(&href),
        text: String::new(),
        hidden: own.or_else(|| s.inherited_hiding()),
    };
    s.open_link = Some(link);
    s.link_text = CollapsedText::with_cap(caps::LINK_TEXT_BYTES);
    drop(s);
    if el.can_have_content() {
        let state = Rc::clone(state);
        let _ = el.on_end_tag(end_tag!(move |_end| {
            state.borrow_mut().finish_link();
            Ok(())
        }));
    }
}

fn on_script(state: &Shared, el: &mut Element) {
    let mut s = state.borrow_mut();
    s.facts.counts.scripts += 1;
    s.open_script = None;
    if s.facts.scripts.len() >= caps::SCRIPTS {
        s.facts.truncated = true;
        return;
    }
    let src = el.get_attribute("src").map(|src| s.resolver().target(&src));
    s.facts.scripts.push(ScriptFact {
        src,
        text: String::new(),
        text_bytes: 0,
    });
    let index = s.facts.scripts.len() - 1;
    s.open_script = Some(index);
    drop(s);
    let state = Rc::clone(state);
    let _ = el.on_end_tag(end_tag!(move |_end| {
        state.borrow_mut().open_script = None;
        Ok(())
    }));
}

fn on_iframe(state: &Shared, el: &mut Element) {
    let mut s = state.borrow_mut();
    s.facts.counts.iframes += 1;
    if s.facts.iframes.len() >= caps::IFRAMES {
        s.facts.truncated = true;
        return;
    }
    let style = s.element_style(el);
    let width = el.get_attribute("width");
    let height = el.get_attribute("height");
    let own = style.placement;
    let placement = if own.positioned || own.z_index.is_some() {
        own
    } else {
        s.inherited_placement().unwrap_or(own)
    };
    let attr_full = |v: &Option<String>| {
        v.as_deref().is_some_and(|v| {
            v.trim() == "100%" || attribute_px(Some(v)).is_some_and(|px| px >= 1000.0)
        })
    };
    let full_width = own.full_width || attr_full(&width) || placement.full_width;
    let full_height = own.full_height || attr_full(&height) || placement.full_height;
    let zero = |v: &Option<String>| attribute_px(v.as_deref()).is_some_and(|px| px <= 1.0);
    let hidden = style
        .hiding
        .or_else(|| (zero(&width) && zero(&height)).then_some(Hiding::ZeroSize))
        .or_else(|| s.inherited_hiding());
    let iframe = IframeFact {
        src: el.get_attribute("src").map(|src| s.resolver().target(&src)),
        width: width.map(|w| clip_bytes(&w, 32).to_string()),
        height: height.map(|h| clip_bytes(&h, 32).to_string()),
        placement,
        full_screen: full_width && full_height,
        hidden,
    };
    s.facts.iframes.push(iframe);
}

fn on_form(state: &Shared, el: &mut Element) {
    let mut s = state.borrow_mut();
    s.facts.counts.forms += 1;
    if s.facts.forms.len() >= caps::FORMS {
        s.facts.truncated = true;
        s.open_form = None;
        return;
    }
    let action = el.get_attribute("action").map(|a| s.resolver().target(&a));
    s.facts.forms.push(FormFact {
        action,
        has_password: false,
    });
    s.open_form = Some(s.facts.forms.len() - 1);
    drop(s);
    if el.can_have_content() {
        let state = Rc::clone(state);
        let _ = el.on_end_tag(end_tag!(move |_end| {
            state.borrow_mut().open_form = None;
            Ok(())
        }));
    }
}

fn on_meta(state: &Shared, el: &mut Element) {
    let content = el.get_attribute("content").unwrap_or_default();
    let mut s = state.borrow_mut();
    if let Some(equiv) = el.get_attribute("http-equiv") {
        if equiv.trim().eq_ignore_ascii_case("refresh") && s.facts.meta_refresh.is_none() {
            let refresh = parse_meta_refresh(&content, s.resolver());
            s.facts.meta_refresh = Some(refresh);
        }
        return;
    }
    let name = el
        .get_attribute("name")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let value = || clip_bytes(decode_entities(&content).trim(), caps::META_BYTES).to_string();
    match name.trim() {
        "keywords" if s.facts.meta_keywords.is_empty() => s.facts.meta_keywords = value(),
        "description" if s.facts.meta_description.is_empty() => {
            s.facts.meta_description = value();
        }
        "robots" | "googlebot" | "baiduspider" | "bingbot" | "sogou spider" | "360spider" => {
            let robots = value().to_ascii_lowercase();
            s.facts.noarchive |= robots.contains("noarchive");
            if s.facts.robots.is_none() || robots.contains("noarchive") {
                s.facts.robots = Some(robots);
            }
        }
        _ => {}
    }
}

/// Extracts the facts of a page in one streaming pass. `page_url` resolves relative links
/// and decides what is off-site (its registrable domain); without it only absolute URLs
/// get hosts and nothing counts as off-site until [`PageFacts::rebase_site`].
pub fn extract(html: &str, page_url: Option<&Url>) -> PageFacts {
    let site = page_url
        .and_then(|u| u.host_str())
        .map(|h| registrable_domain(h.trim_matches(['[', ']'])));
    let state: Shared = Rc::new(RefCell::new(State {
        facts: PageFacts {
            url: page_url.map(|u| clip_bytes(u.as_str(), caps::URL_BYTES).to_string()),
            site_domain: site.clone(),
            ..PageFacts::default()
        },
        resolver: Some(Resolver {
            base: page_url.cloned(),
            site,
        }),
        text: CollapsedText::with_cap(caps::TEXT_SAMPLE_BYTES),
        tail: TailText::with_cap(caps::TEXT_TAIL_BYTES),
        title: CollapsedText::with_cap(caps::TITLE_BYTES),
        ..State::default()
    }));
    let (head, tail) = split_for_analysis(html);
    let result = run_rewriter(head, tail, &state);
    let mut s = state.take();
    s.finish_link();
    let mut facts = std::mem::take(&mut s.facts);
    facts.title = decode_entities(&s.title.text).trim().to_string();
    facts.text = decode_entities(&s.text.text).into_owned();
    if s.text.dropped > 0 {
        facts.text_tail = decode_entities(&s.tail.finish()).into_owned();
    }
    if tail.is_some() {
        facts.skipped_bytes = html.len() - head.len() - tail.map_or(0, str::len);
        facts.truncated = true;
    }
    if let Err(error) = result {
        facts.parse_error = Some(error);
        facts.truncated = true;
    }
    facts
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

fn run_rewriter(html: &str, tail: Option<&str>, state: &Shared) -> Result<(), String> {
    let on = |f: fn(&Shared, &mut Element)| {
        let state = Rc::clone(state);
        move |el: &mut Element| {
            f(&state, el);
            Ok(())
        }
    };
    let text_state = Rc::clone(state);
    let title_state = Rc::clone(state);
    let style_state = Rc::clone(state);
    let base_state = Rc::clone(state);
    let input_state = Rc::clone(state);
    let settings = Settings::new()
        .with_strict(false)
        .with_memory_settings(
            MemorySettings::new().with_max_allowed_memory_usage(caps::PARSER_MEMORY_BYTES),
        )
        .append_element_content_handler(element!("base[href]", move |el| {
            let mut s = base_state.borrow_mut();
            if let (Some(href), Some(resolver)) = (el.get_attribute("href"), s.resolver.as_mut()) {
                let decoded = decode_entities(&href);
                let joined = match &resolver.base {
                    Some(base) => base.join(&decoded).ok(),
                    None => Url::parse(&decoded).ok(),
                };
                if joined.is_some() {
                    resolver.base = joined;
                }
            }
            Ok(())
        }))
        .append_element_content_handler(element!("*", on(on_any_element)))
        .append_element_content_handler(element!("marquee", on(on_marquee)))
        .append_element_content_handler(element!("a[href]", on(on_link)))
        .append_element_content_handler(element!("script", on(on_script)))
        .append_element_content_handler(element!("iframe", on(on_iframe)))
        .append_element_content_handler(element!("form", on(on_form)))
        .append_element_content_handler(element!("meta", on(on_meta)))
        .append_element_content_handler(element!("input[type]", move |el| {
            let is_password = el
                .get_attribute("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("password"));
            let mut s = input_state.borrow_mut();
            if is_password
                && let Some(form) = s.open_form.and_then(|i| s.facts.forms.get(i).map(|_| i))
            {
                s.facts.forms[form].has_password = true;
            }
            Ok(())
        }))
        .append_element_content_handler(text!("title", move |chunk| {
            let mut s = title_state.borrow_mut();
            s.title.push(chunk.as_str());
            Ok(())
        }))
        .append_element_content_handler(text!("style", move |chunk| {
            let mut guard = style_state.borrow_mut();
            let s = &mut *guard;
            s.hiding_rules.feed(chunk.as_str(), &mut s.stylesheet_bytes);
            Ok(())
        }))
        .append_document_content_handler(doc_text!(move |chunk| {
            text_state.borrow_mut().on_text(chunk);
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter
        .write(html.as_bytes())
        .and_then(|()| tail.map_or(Ok(()), |tail| rewriter.write(tail.as_bytes())))
        .and_then(|()| rewriter.end())
        .map_err(|error| {
            format!("HTML 解析中止 / HTML parsing stopped: {error}（其余内容未分析 / the rest was not analysed）")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("www.example.com.cn"), "example.com.cn");
        assert_eq!(registrable_domain("a.b.example.com"), "example.com");
        assert_eq!(registrable_domain("203.0.113.5"), "203.0.113.5");
    }
}

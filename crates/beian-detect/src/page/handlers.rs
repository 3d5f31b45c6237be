//! The page pass over the tokenizer: start tags dispatch on the element name, text goes to
//! `State::on_text`, and end tags close what the stack of open elements says they close
//! (styled ancestors, links, scripts, forms). Everything fills the [`State`].

use super::resolve::Resolver;
use super::tokenizer::{LowerName, Sink, StartTag, TextKind, Tokenizer, names};
use super::{
    FormFact, Frame, Hiding, IframeFact, LinkFact, MetaRefresh, RawTextOwner, ScriptFact, State,
    StyleFacts, caps, clip_bytes, decode_entities,
};

fn parse_meta_refresh(content: &str, resolver: &mut Resolver) -> MetaRefresh {
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
        host: resolved
            .as_ref()
            .and_then(|t| t.host.as_deref().map(str::to_string)),
        target: resolved.map(|t| t.href),
    }
}

fn attribute_px(value: Option<&str>) -> Option<f64> {
    let value = value?.trim().trim_end_matches("px");
    value.parse().ok()
}

/// What the end of an open element must finish.
mod ends {
    pub const LINK: u8 = 1;
    pub const SCRIPT: u8 = 2;
    pub const FORM: u8 = 4;
}

/// Open elements an end tag is matched against, below the innermost: an end tag with no
/// open element of its name nearby closes nothing (a browser would search the whole stack,
/// but a page of stray end tags must not cost depth × tags).
const END_TAG_SEARCH_DEPTH: usize = 512;
/// Open elements reserved per page (a typical page nests a dozen deep).
const OPEN_ELEMENTS_RESERVE: usize = 16;
/// Buckets of the open-name counts (a power of two).
const NAME_BUCKETS: usize = 64;

/// An element whose end tag has not been seen.
#[derive(Debug, Clone, Copy)]
struct OpenElement<'a> {
    name: &'a str,
    lower: LowerName,
    /// The first style frame this element pushed: its end pops it and everything above.
    frame: Option<u64>,
    ends: u8,
    /// `bucket(lower)`, kept so a pop does not hash the name again.
    bucket: u8,
}

fn bucket(lower: LowerName) -> u8 {
    // The top six bits of the hash: below `NAME_BUCKETS`, so the cast keeps them all.
    (lower.hash() >> 58) as u8 & (NAME_BUCKETS - 1) as u8
}

/// The stack of open elements, capped at [`caps::OPEN_ELEMENTS`], with a count of open
/// names per hash bucket so an end tag of a name that is not open costs O(1).
struct OpenElements<'a> {
    items: Vec<OpenElement<'a>>,
    open_per_bucket: [u32; NAME_BUCKETS],
}

impl<'a> OpenElements<'a> {
    fn new() -> OpenElements<'a> {
        OpenElements {
            items: Vec::with_capacity(OPEN_ELEMENTS_RESERVE),
            open_per_bucket: [0; NAME_BUCKETS],
        }
    }

    /// False when the stack is full (the element is not tracked).
    fn push(&mut self, element: OpenElement<'a>) -> bool {
        if self.items.len() >= caps::OPEN_ELEMENTS {
            return false;
        }
        self.open_per_bucket[usize::from(element.bucket)] += 1;
        self.items.push(element);
        true
    }

    /// How many elements (from the top) the end tag `name` closes: the nearest open element
    /// of that name and everything opened inside it.
    fn closed_by(&self, name: &str, lower: LowerName) -> usize {
        let matches = |e: &OpenElement<'_>| {
            e.lower == lower && (lower.is_exact() || e.name.eq_ignore_ascii_case(name))
        };
        // Most end tags close the innermost element: no bucket lookup, no search.
        if self.items.last().is_some_and(matches) {
            return 1;
        }
        if self.open_per_bucket[usize::from(bucket(lower))] == 0 {
            return 0;
        }
        self.items
            .iter()
            .rev()
            .take(END_TAG_SEARCH_DEPTH)
            .position(matches)
            .map_or(0, |from_top| from_top + 1)
    }

    fn pop(&mut self) -> Option<OpenElement<'a>> {
        let element = self.items.pop()?;
        self.open_per_bucket[usize::from(element.bucket)] -= 1;
        Some(element)
    }
}

/// The page pass: the tokenizer's sink.
struct Pass<'s, 'a> {
    state: &'s mut State,
    open: OpenElements<'a>,
}

/// The elements the page pass looks at, by lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    Link,
    Script,
    Iframe,
    Form,
    Meta,
    Marquee,
    Input,
    Base,
    Title,
    Style,
    Other,
}

impl Element {
    fn of(name: LowerName) -> Element {
        match name {
            names::A => Element::Link,
            names::SCRIPT => Element::Script,
            names::IFRAME => Element::Iframe,
            names::FORM => Element::Form,
            names::META => Element::Meta,
            names::MARQUEE => Element::Marquee,
            names::INPUT => Element::Input,
            names::BASE => Element::Base,
            names::TITLE => Element::Title,
            names::STYLE => Element::Style,
            _ => Element::Other,
        }
    }
}

impl State {
    /// Pushes a style frame for an element that can have content; its id, for the end tag.
    fn push_frame(&mut self, tag: &StartTag<'_, '_>, facts: StyleFacts) -> Option<u64> {
        if !tag.can_have_content || self.frames.len() >= caps::STYLE_FRAMES {
            return None;
        }
        self.next_frame_id += 1;
        let id = self.next_frame_id;
        self.frames.push(Frame {
            id,
            hiding: facts.hiding,
            placement: facts.placement,
            colour: facts.colour,
        });
        Some(id)
    }

    fn on_marquee(&mut self, tag: &StartTag<'_, '_>, style: StyleFacts) -> Option<u64> {
        let tiny = |name: &str| attribute_px(tag.attribute(name)).is_some_and(|px| px <= 5.0);
        if tiny("height") || tiny("width") || style.hiding.is_some() {
            let hiding = StyleFacts {
                hiding: Some(Hiding::TinyMarquee),
                ..StyleFacts::default()
            };
            return self.push_frame(tag, hiding);
        }
        None
    }

    /// A link with an `href`: true when its end tag must finish it.
    fn on_link(&mut self, tag: &StartTag<'_, '_>, own: StyleFacts) -> bool {
        let Some(href) = tag.attribute("href") else {
            return false;
        };
        self.finish_link();
        self.facts.counts.links += 1;
        let link = LinkFact {
            target: self.resolver.target(href),
            text: String::new(),
            hidden: own.hiding.or_else(|| self.inherited_hiding(own.colour)),
        };
        self.open_link = Some(link);
        self.link_text.clear();
        true
    }

    fn on_script(&mut self, tag: &StartTag<'_, '_>) {
        self.facts.counts.scripts += 1;
        self.open_script = None;
        if self.facts.scripts.len() >= caps::SCRIPTS {
            self.facts.truncated = true;
            return;
        }
        let src = tag.attribute("src").map(|src| self.resolver.target(src));
        self.facts.scripts.push(ScriptFact {
            src,
            text: String::new(),
            text_bytes: 0,
        });
        self.open_script = Some(self.facts.scripts.len() - 1);
    }

    fn on_iframe(&mut self, tag: &StartTag<'_, '_>, style: StyleFacts) {
        self.facts.counts.iframes += 1;
        if self.facts.iframes.len() >= caps::IFRAMES {
            self.facts.truncated = true;
            return;
        }
        let width = tag.attribute("width");
        let height = tag.attribute("height");
        let own = style.placement;
        let placement = if own.positioned || own.z_index.is_some() {
            own
        } else {
            self.inherited_placement().unwrap_or(own)
        };
        let attr_full = |v: Option<&str>| {
            v.is_some_and(|v| {
                v.trim() == "100%" || attribute_px(Some(v)).is_some_and(|px| px >= 1000.0)
            })
        };
        let full_width = own.full_width || attr_full(width) || placement.full_width;
        let full_height = own.full_height || attr_full(height) || placement.full_height;
        let zero = |v: Option<&str>| attribute_px(v).is_some_and(|px| px <= 1.0);
        let hidden = style
            .hiding
            .or_else(|| (zero(width) && zero(height)).then_some(Hiding::ZeroSize))
            .or_else(|| self.inherited_hiding(None));
        let iframe = IframeFact {
            src: tag.attribute("src").map(|src| self.resolver.target(src)),
            width: width.map(|w| clip_bytes(w, 32).to_string()),
            height: height.map(|h| clip_bytes(h, 32).to_string()),
            placement,
            full_screen: full_width && full_height,
            hidden,
        };
        self.facts.iframes.push(iframe);
    }

    /// A form: true when its end tag must close it.
    fn on_form(&mut self, tag: &StartTag<'_, '_>) -> bool {
        self.facts.counts.forms += 1;
        if self.facts.forms.len() >= caps::FORMS {
            self.facts.truncated = true;
            self.open_form = None;
            return false;
        }
        let action = tag.attribute("action").map(|a| self.resolver.target(a));
        self.facts.forms.push(FormFact {
            action,
            has_password: false,
        });
        self.open_form = Some(self.facts.forms.len() - 1);
        true
    }

    fn on_meta(&mut self, tag: &StartTag<'_, '_>) {
        let content = tag.attribute("content").unwrap_or_default();
        if let Some(equiv) = tag.attribute("http-equiv") {
            if equiv.trim().eq_ignore_ascii_case("refresh") && self.facts.meta_refresh.is_none() {
                let refresh = parse_meta_refresh(content, &mut self.resolver);
                self.facts.meta_refresh = Some(refresh);
            }
            return;
        }
        let name = tag
            .attribute("name")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let value = || clip_bytes(decode_entities(content).trim(), caps::META_BYTES).to_string();
        match name.trim() {
            "keywords" if self.facts.meta_keywords.is_empty() => {
                self.facts.meta_keywords = value();
            }
            "description" if self.facts.meta_description.is_empty() => {
                self.facts.meta_description = value();
            }
            "robots" | "googlebot" | "baiduspider" | "bingbot" | "sogou spider" | "360spider" => {
                let robots = value().to_ascii_lowercase();
                self.facts.noarchive |= robots.contains("noarchive");
                if self.facts.robots.is_none() || robots.contains("noarchive") {
                    self.facts.robots = Some(robots);
                }
            }
            _ => {}
        }
    }

    fn on_input(&mut self, tag: &StartTag<'_, '_>) {
        let is_password = tag
            .attribute("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("password"));
        if is_password && let Some(form) = self.open_form.and_then(|i| self.facts.forms.get_mut(i))
        {
            form.has_password = true;
        }
    }

    /// What the end of an element finishes.
    fn on_element_end(&mut self, element: &OpenElement<'_>) {
        if let Some(id) = element.frame
            && let Some(at) = self.frames.iter().rposition(|f| f.id == id)
        {
            self.frames.truncate(at);
        }
        if element.ends & ends::LINK != 0 {
            self.finish_link();
        }
        if element.ends & ends::SCRIPT != 0 {
            self.open_script = None;
        }
        if element.ends & ends::FORM != 0 {
            self.open_form = None;
        }
    }
}

impl<'a> Sink<'a> for Pass<'_, 'a> {
    fn start_tag(&mut self, tag: &StartTag<'_, 'a>) {
        let s = &mut *self.state;
        let element = Element::of(tag.lower);
        // Title and style hold no elements, so their text follows before any other start tag.
        s.raw_text = match element {
            Element::Title => RawTextOwner::Title,
            Element::Style => RawTextOwner::Style,
            _ => RawTextOwner::Other,
        };
        let style = s.compute_style(tag);
        let placement = style.placement;
        let mut frame = None;
        if style.hiding.is_some() || placement.positioned || placement.z_index.is_some() {
            frame = s.push_frame(tag, style);
        }
        let mut ends = 0;
        match element {
            Element::Link => {
                if s.on_link(tag, style) {
                    ends |= ends::LINK;
                }
            }
            Element::Script => {
                s.on_script(tag);
                ends |= ends::SCRIPT;
            }
            Element::Iframe => s.on_iframe(tag, style),
            Element::Form => {
                if s.on_form(tag) {
                    ends |= ends::FORM;
                }
            }
            Element::Meta => s.on_meta(tag),
            Element::Marquee => {
                let marquee = s.on_marquee(tag, style);
                frame = frame.or(marquee);
            }
            Element::Input => s.on_input(tag),
            Element::Base => {
                if let Some(href) = tag.attribute("href") {
                    s.resolver.rebase(href);
                }
            }
            Element::Title | Element::Style | Element::Other => {}
        }
        if !tag.can_have_content {
            return;
        }
        let open = OpenElement {
            name: tag.name,
            lower: tag.lower,
            frame,
            ends,
            bucket: bucket(tag.lower),
        };
        if !self.open.push(open) {
            s.facts.truncated = true;
            s.facts.parse_error.get_or_insert_with(|| {
                format!(
                    "元素嵌套超过 {} 层，更深的元素未跟踪 / nesting deeper than {} elements: deeper elements were not tracked",
                    caps::OPEN_ELEMENTS,
                    caps::OPEN_ELEMENTS
                )
            });
        }
    }

    fn end_tag(&mut self, name: &'a str, lower: LowerName) {
        for _ in 0..self.open.closed_by(name, lower) {
            if let Some(element) = self.open.pop() {
                self.state.on_element_end(&element);
            }
        }
    }

    fn text(&mut self, text: &'a str, kind: TextKind, last_in_node: bool) {
        self.state.on_text(text, kind, last_in_node);
    }
}

/// Runs the page pass over `html` into `state`.
pub(super) fn run_pass(html: &str, state: &mut State) {
    let mut pass = Pass {
        state,
        open: OpenElements::new(),
    };
    Tokenizer::new(html).run(&mut pass);
}

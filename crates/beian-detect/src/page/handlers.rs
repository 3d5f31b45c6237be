//! The lol_html handlers of the page pass: one element handler that dispatches on the tag
//! name, and the text handler in `State::on_text`. They fill the shared [`State`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{Attribute, Element};
use lol_html::{HtmlRewriter, MemorySettings, Settings, doc_text, element, end_tag};

use super::resolve::Resolver;
use super::{
    CollapsedText, FormFact, Frame, Hiding, IframeFact, LinkFact, MetaRefresh, RawTextOwner,
    ScriptFact, State, StyleFacts, caps, clip_bytes, decode_entities,
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
        host: resolved.as_ref().and_then(|t| t.host.clone()),
        target: resolved.map(|t| t.href),
    }
}

fn attribute_px(value: Option<&str>) -> Option<f64> {
    let value = value?.trim().trim_end_matches("px");
    value.parse().ok()
}

pub(super) type Shared = Rc<RefCell<State>>;

/// The bytes lol_html is fed (the head and, for huge pages, the tail), so attribute names
/// can be compared where they stand instead of being copied out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source<'a> {
    head: &'a [u8],
    tail: &'a [u8],
}

impl<'a> Source<'a> {
    /// The bytes at a source location (offsets count the head, then the tail).
    pub(super) fn get(&self, range: std::ops::Range<usize>) -> Option<&'a [u8]> {
        if range.end <= self.head.len() {
            self.head.get(range)
        } else {
            let skip = self.head.len();
            self.tail
                .get(range.start.checked_sub(skip)?..range.end - skip)
        }
    }

    /// The name of an attribute as written, without lol_html's copy.
    pub(super) fn name_of(&self, attribute: &Attribute<'_>) -> Option<&'a [u8]> {
        attribute
            .name_source_location()
            .and_then(|at| self.get(at.bytes()))
    }

    /// The raw value of an attribute (entities as written, like lol_html's `value()`),
    /// borrowed from the source; empty for an attribute written without a value.
    pub(super) fn value_of(&self, attribute: &Attribute<'_>) -> Cow<'a, str> {
        let Some(at) = attribute.value_source_location() else {
            return if attribute.name_source_location().is_some() {
                Cow::Borrowed("")
            } else {
                Cow::Owned(attribute.value())
            };
        };
        match self.get(at.bytes()).map(std::str::from_utf8) {
            Some(Ok(value)) => Cow::Borrowed(value),
            _ => Cow::Owned(attribute.value()),
        }
    }

    /// `el.get_attribute(name)` without its allocations (name lower-casing, copies).
    pub(super) fn attribute(&self, el: &Element, name: &str) -> Option<Cow<'a, str>> {
        el.attributes().iter().find_map(|attribute| {
            let matches = match self.name_of(attribute) {
                Some(written) => written.eq_ignore_ascii_case(name.as_bytes()),
                None => attribute.name() == name,
            };
            matches.then(|| self.value_of(attribute))
        })
    }
}

/// Pushes a frame for a styled element and pops it (and anything left open inside it) at
/// its end tag.
fn push_frame(state: &Shared, el: &mut Element, facts: StyleFacts) {
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
            hiding: facts.hiding,
            placement: facts.placement,
            colour: facts.colour,
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

fn on_any_element(state: &Shared, source: Source<'_>, el: &mut Element) {
    let facts = state.borrow_mut().element_style(el, source);
    let placement = facts.placement;
    if facts.hiding.is_some() || placement.positioned || placement.z_index.is_some() {
        push_frame(state, el, facts);
    }
}

fn on_marquee(state: &Shared, source: Source<'_>, el: &mut Element) {
    let tiny = |name: &str| {
        attribute_px(source.attribute(el, name).as_deref()).is_some_and(|px| px <= 5.0)
    };
    let style = state.borrow_mut().element_style(el, source);
    if tiny("height") || tiny("width") || style.hiding.is_some() {
        push_frame(
            state,
            el,
            StyleFacts {
                hiding: Some(Hiding::TinyMarquee),
                ..StyleFacts::default()
            },
        );
    }
}

fn on_link(state: &Shared, source: Source<'_>, el: &mut Element) {
    let Some(href) = source.attribute(el, "href") else {
        return;
    };
    let mut s = state.borrow_mut();
    s.finish_link();
    s.facts.counts.links += 1;
    let own = s.element_style(el, source);
    let link = LinkFact {
        target: s.resolver.target(&href),
        text: String::new(),
        hidden: own.hiding.or_else(|| s.inherited_hiding(own.colour)),
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

fn on_script(state: &Shared, source: Source<'_>, el: &mut Element) {
    let mut s = state.borrow_mut();
    s.facts.counts.scripts += 1;
    s.open_script = None;
    if s.facts.scripts.len() >= caps::SCRIPTS {
        s.facts.truncated = true;
        return;
    }
    let src = source
        .attribute(el, "src")
        .map(|src| s.resolver.target(&src));
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

fn on_iframe(state: &Shared, source: Source<'_>, el: &mut Element) {
    let mut s = state.borrow_mut();
    s.facts.counts.iframes += 1;
    if s.facts.iframes.len() >= caps::IFRAMES {
        s.facts.truncated = true;
        return;
    }
    let style = s.element_style(el, source);
    let width = source.attribute(el, "width");
    let height = source.attribute(el, "height");
    let own = style.placement;
    let placement = if own.positioned || own.z_index.is_some() {
        own
    } else {
        s.inherited_placement().unwrap_or(own)
    };
    let attr_full = |v: &Option<Cow<'_, str>>| {
        v.as_deref().is_some_and(|v| {
            v.trim() == "100%" || attribute_px(Some(v)).is_some_and(|px| px >= 1000.0)
        })
    };
    let full_width = own.full_width || attr_full(&width) || placement.full_width;
    let full_height = own.full_height || attr_full(&height) || placement.full_height;
    let zero = |v: &Option<Cow<'_, str>>| attribute_px(v.as_deref()).is_some_and(|px| px <= 1.0);
    let hidden = style
        .hiding
        .or_else(|| (zero(&width) && zero(&height)).then_some(Hiding::ZeroSize))
        .or_else(|| s.inherited_hiding(None));
    let iframe = IframeFact {
        src: source
            .attribute(el, "src")
            .map(|src| s.resolver.target(&src)),
        width: width.map(|w| clip_bytes(&w, 32).to_string()),
        height: height.map(|h| clip_bytes(&h, 32).to_string()),
        placement,
        full_screen: full_width && full_height,
        hidden,
    };
    s.facts.iframes.push(iframe);
}

fn on_form(state: &Shared, source: Source<'_>, el: &mut Element) {
    let mut s = state.borrow_mut();
    s.facts.counts.forms += 1;
    if s.facts.forms.len() >= caps::FORMS {
        s.facts.truncated = true;
        s.open_form = None;
        return;
    }
    let action = source
        .attribute(el, "action")
        .map(|a| s.resolver.target(&a));
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

fn on_meta(state: &Shared, source: Source<'_>, el: &mut Element) {
    let content = source.attribute(el, "content").unwrap_or_default();
    let mut s = state.borrow_mut();
    if let Some(equiv) = source.attribute(el, "http-equiv") {
        if equiv.trim().eq_ignore_ascii_case("refresh") && s.facts.meta_refresh.is_none() {
            let refresh = parse_meta_refresh(&content, &mut s.resolver);
            s.facts.meta_refresh = Some(refresh);
        }
        return;
    }
    let name = source
        .attribute(el, "name")
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

/// The tag name as written in the source (`<A HREF…` → `A`), without the copy lol_html
/// makes; `None` when the source bytes are not at hand.
fn tag_name<'a>(el: &Element, source: Source<'a>) -> Option<&'a [u8]> {
    let tag = source.get(el.source_location().bytes())?;
    let name = tag.strip_prefix(b"<")?;
    let end = name
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
        .unwrap_or(name.len());
    Some(&name[..end])
}

fn on_element(state: &Shared, source: Source<'_>, el: &mut Element) {
    let owned;
    let name = match tag_name(el, source) {
        Some(name) => name,
        None => {
            owned = el.tag_name();
            owned.as_bytes()
        }
    };
    let is = |tag: &str| name.eq_ignore_ascii_case(tag.as_bytes());
    // Title and style hold no elements, so their text follows before any other start tag.
    state.borrow_mut().raw_text = if is("title") {
        RawTextOwner::Title
    } else if is("style") {
        RawTextOwner::Style
    } else {
        RawTextOwner::Other
    };
    on_any_element(state, source, el);
    if is("a") {
        on_link(state, source, el);
    } else if is("script") {
        on_script(state, source, el);
    } else if is("iframe") {
        on_iframe(state, source, el);
    } else if is("form") {
        on_form(state, source, el);
    } else if is("meta") {
        on_meta(state, source, el);
    } else if is("marquee") {
        on_marquee(state, source, el);
    } else if is("input") {
        on_input(state, source, el);
    } else if is("base")
        && let Some(href) = source.attribute(el, "href")
    {
        state.borrow_mut().resolver.rebase(&href);
    }
}

fn on_input(state: &Shared, source: Source<'_>, el: &mut Element) {
    let is_password = source
        .attribute(el, "type")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("password"));
    let mut s = state.borrow_mut();
    if is_password && let Some(form) = s.open_form.and_then(|i| s.facts.forms.get(i).map(|_| i)) {
        s.facts.forms[form].has_password = true;
    }
}

pub(super) fn run_rewriter(html: &str, tail: Option<&str>, state: &Shared) -> Result<(), String> {
    let source = Source {
        head: html.as_bytes(),
        tail: tail.map_or(&[][..], str::as_bytes),
    };
    let element_state = Rc::clone(state);
    let text_state = Rc::clone(state);
    // One element handler that dispatches on the tag name, and one text handler: each
    // selector is compiled per page and matched per element, and on small pages that
    // fixed cost was a large part of the analysis.
    let settings = Settings::new()
        .with_strict(false)
        .with_memory_settings(
            MemorySettings::new().with_max_allowed_memory_usage(caps::PARSER_MEMORY_BYTES),
        )
        .append_element_content_handler(element!("*", move |el| {
            on_element(&element_state, source, el);
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

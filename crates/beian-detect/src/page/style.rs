//! Just enough CSS to see what hijackers do with it: inline `style` declarations that hide
//! an element or lay it over the page, and the page's own `<style>` rules that hide a class
//! or an id (`.lk{display:none}`). No cascade, no specificity: a link farm is hidden by one
//! blunt declaration, and that is what we look for.

use std::collections::HashMap;

use serde::Serialize;

use super::text::is_ascii_white_space;

/// Why an element is invisible to people (while spiders still read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hiding {
    DisplayNone,
    VisibilityHidden,
    OpacityZero,
    /// left/top/text-indent/margin or a translate ≤ -999px.
    OffScreen,
    FontSizeZero,
    /// width or height 0 (or 1px) with overflow hidden.
    ZeroSize,
    /// clip: rect(0 …) or clip-path: circle(0) / inset(50%).
    Clipped,
    /// z-index ≤ -99: behind the page.
    BehindPage,
    /// Inside a `<marquee>` of a pixel or two.
    TinyMarquee,
    /// The `hidden` attribute.
    HiddenAttribute,
    /// Text in the background colour (`color:#fff;background:#fff`).
    SameColour,
}

/// Overlay-relevant geometry from one style attribute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Placement {
    /// position: fixed or absolute.
    pub positioned: bool,
    /// top and left both 0 (or inset: 0).
    pub at_origin: bool,
    pub z_index: Option<i64>,
    /// width and height of 100% / 100vw / 100vh (or ≥ 1000px).
    pub full_width: bool,
    pub full_height: bool,
}

/// What a `style` attribute says about visibility and placement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StyleFacts {
    pub hiding: Option<Hiding>,
    pub placement: Placement,
    /// The element's own text colour (0xRRGGBB), when it declares one: a link that sets its
    /// own colour is not hidden by an ancestor's same-colour trick unless it matches.
    pub colour: Option<u32>,
}

/// Pixel value of a CSS length, when it is one we can read (px, pt, em, bare numbers).
fn length_px(value: &str) -> Option<f64> {
    // Bytes, not characters: the number's characters are all ASCII.
    let number_end = value
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+'))
        .unwrap_or(value.len());
    let number = parse_number(&value[..number_end])?;
    let unit = trim(&value[number_end..]);
    match unit {
        "" | "px" | "pt" => Some(number),
        "em" | "rem" => Some(number * 16.0),
        _ => None,
    }
}

/// `number.parse::<f64>()`, with the usual case, a short integer (`12`, `-9999`), read
/// directly: it converts exactly, and the general float parser costs several times more.
fn parse_number(number: &str) -> Option<f64> {
    let (negative, digits) = match number.as_bytes() {
        [b'-', digits @ ..] => (true, digits),
        [b'+', digits @ ..] => (false, digits),
        digits => (false, digits),
    };
    // Up to 9 digits fit a u32, which converts to f64 exactly (as the parser would round).
    if (1..=9).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) {
        let integer = digits
            .iter()
            .fold(0_u32, |n, &d| n * 10 + u32::from(d - b'0'));
        let magnitude = f64::from(integer);
        return Some(if negative { -magnitude } else { magnitude });
    }
    number.parse().ok()
}

fn is_zero(value: &str) -> bool {
    match length_px(value) {
        Some(px) => px == 0.0,
        // A length is never also a number with another tail; only `0e0` and the like are
        // zeros that `length_px` does not read.
        None => value.parse::<f64>() == Ok(0.0),
    }
}

/// `value` is trimmed, and `px` is its `length_px`.
fn is_full(value: &str, px: Option<f64>) -> bool {
    matches!(value, "100%" | "100vw" | "100vh") || px.is_some_and(|px| px >= 1000.0)
}

fn is_far_off_screen(value: &str) -> bool {
    length_px(value).is_some_and(|px| px <= -999.0)
}

/// An opaque colour as 0xRRGGBB: `#rgb`, `#rrggbb`, `rgb(r,g,b)` and the few names that
/// hijack templates use. Transparent and unknown values are `None` (never "equal").
fn parse_colour(value: &str) -> Option<u32> {
    let value = trim(value);
    if let Some(hex) = value.strip_prefix('#') {
        // Length first: any other length is no colour, and a digit loop is cheaper than
        // `from_str_radix`.
        if !matches!(hex.len(), 3 | 6) {
            return None;
        }
        let number = hex
            .bytes()
            .try_fold(0_u32, |n, b| Some((n << 4) | char::from(b).to_digit(16)?))?;
        return match hex.len() {
            // #rgb: each digit doubled.
            3 => {
                let (r, g, b) = (number >> 8, (number >> 4) & 0xF, number & 0xF);
                Some(((r * 17) << 16) | ((g * 17) << 8) | (b * 17))
            }
            6 => Some(number),
            _ => None,
        };
    }
    if let Some(args) = value
        .strip_prefix("rgb(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let mut channels = args.split(',').map(|c| trim(c).parse::<u8>().ok());
        return match (
            channels.next(),
            channels.next(),
            channels.next(),
            channels.next(),
        ) {
            (Some(Some(r)), Some(Some(g)), Some(Some(b)), None) => {
                Some((u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b))
            }
            _ => None,
        };
    }
    match value {
        "white" => Some(0xFF_FF_FF),
        "black" => Some(0),
        "red" => Some(0xFF_00_00),
        "silver" => Some(0xC0_C0_C0),
        "gray" | "grey" => Some(0x80_80_80),
        _ => None,
    }
}

/// `str::trim` by bytes: `trim_matches` decodes every character, and declarations are
/// trimmed several times each. An edge that is not ASCII may be Unicode whitespace
/// (U+3000 …), so that rare case goes through `str::trim` to stay the same.
#[inline]
fn trim(text: &str) -> &str {
    match text.as_bytes() {
        // Nothing to trim, the common case (`display`, `none`): decided on the two edges.
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => trim_edges(text),
    }
}

fn trim_edges(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_ascii_white_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_ascii_white_space(b))
        .map_or(start, |at| at + 1);
    // Only ASCII bytes were skipped, so both ends are character boundaries.
    let trimmed = &text[start..end];
    match (trimmed.as_bytes().first(), trimmed.as_bytes().last()) {
        (Some(first), Some(last)) if !first.is_ascii() || !last.is_ascii() => trimmed.trim(),
        _ => trimmed,
    }
}

/// Whether `value` with its spaces (U+0020 only) removed starts with `prefix`, without
/// building that copy.
fn starts_with_spaceless(value: &str, prefix: &str) -> bool {
    let mut rest = value.bytes().filter(|&b| b != b' ');
    prefix.bytes().all(|p| rest.next() == Some(p))
}

/// The properties `parse_declarations` reads; every other one is skipped before its value
/// is even trimmed (most of a stylesheet is fonts, margins and padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    Display,
    Visibility,
    Opacity,
    Left,
    Top,
    Right,
    /// text-indent, margin-left, margin-top: hide when far off screen, nothing else.
    Offset,
    Transform,
    FontSize,
    Clip,
    ClipPath,
    Position,
    Inset,
    ZIndex,
    Width,
    Height,
    Overflow,
    Color,
    BackgroundColor,
    Background,
}

impl Property {
    /// `name` is trimmed and lower-cased.
    fn of(name: &str) -> Option<Property> {
        Some(match name {
            "display" => Property::Display,
            "visibility" => Property::Visibility,
            "opacity" => Property::Opacity,
            "left" => Property::Left,
            "top" => Property::Top,
            "right" => Property::Right,
            "text-indent" | "margin-left" | "margin-top" => Property::Offset,
            "transform" => Property::Transform,
            "font-size" => Property::FontSize,
            "clip" => Property::Clip,
            "clip-path" => Property::ClipPath,
            "position" => Property::Position,
            "inset" => Property::Inset,
            "z-index" => Property::ZIndex,
            "width" => Property::Width,
            "height" => Property::Height,
            "overflow" | "overflow-x" | "overflow-y" => Property::Overflow,
            "color" => Property::Color,
            "background-color" => Property::BackgroundColor,
            "background" => Property::Background,
            _ => return None,
        })
    }
}

/// Reads `prop: value; …` (lower-cased, `!important` dropped). Cheap: no allocation
/// besides a lower-cased copy when the text has upper-case letters (most has none).
pub fn parse_declarations(style: &str) -> StyleFacts {
    // A fold rather than `any`: upper case is rare, so the scan runs to the end anyway, and
    // without the early exit the compiler may vectorise it.
    let lowered;
    let style = if style
        .bytes()
        .fold(false, |upper, b| upper | b.is_ascii_uppercase())
    {
        lowered = style.to_ascii_lowercase();
        lowered.as_str()
    } else {
        style
    };
    let mut reader = Declarations::default();
    // Declarations are `;`-separated, a property ends at its first `:`, and one without a
    // `:` says nothing. `:` and `;` are ASCII, so every cut is a character boundary.
    let bytes = style.as_bytes();
    let mut start = 0;
    while let Some(at) = find_either(&bytes[start..], b':', b';') {
        let colon = start + at;
        if bytes[colon] == b';' {
            start = colon + 1;
            continue;
        }
        let end =
            find_either(&bytes[colon + 1..], b';', b';').map_or(bytes.len(), |at| colon + 1 + at);
        reader.read(&style[start..colon], &style[colon + 1..end]);
        start = (end + 1).min(bytes.len());
    }
    reader.finish()
}

/// The offset of the first `a` or `b` in `bytes`, eight bytes at a time: a byte loop spends
/// several instructions on every byte of long values (font lists, URLs), and a SIMD search
/// costs more to set up than it saves on declarations this short.
fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // The high bit of each zero byte of `x`; the lowest one is exact (a borrow can only
    // mark bytes above a zero byte), which is all a first match needs.
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let (words, tail) = bytes.as_chunks::<8>();
    for (index, word) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        let hits =
            zero_bytes(word ^ (ONES * u64::from(a))) | zero_bytes(word ^ (ONES * u64::from(b)));
        if hits != 0 {
            return Some(index * 8 + (hits.trailing_zeros() / 8) as usize);
        }
    }
    tail.iter()
        .position(|&byte| byte == a || byte == b)
        .map(|at| words.len() * 8 + at)
}

/// What the declarations read so far say.
#[derive(Default)]
struct Declarations {
    facts: StyleFacts,
    width_tiny: bool,
    height_tiny: bool,
    overflow_hidden: bool,
    top_zero: bool,
    left_zero: bool,
    colour: Option<u32>,
    background: Option<u32>,
}

impl Declarations {
    /// One `property: value` (lower-case, not yet trimmed).
    fn read(&mut self, property: &str, value: &str) {
        // Most declarations are fonts, margins and padding: leave before the value.
        let Some(property) = Property::of(trim(property)) else {
            return;
        };
        let mut value = trim(value);
        // `strip_suffix` in a loop is `trim_end_matches` without building a substring
        // searcher for every declaration.
        while let Some(shorter) = value.strip_suffix("!important") {
            value = shorter;
        }
        let value = trim(value);
        let hiding = match property {
            Property::Display if value == "none" => Some(Hiding::DisplayNone),
            Property::Visibility if matches!(value, "hidden" | "collapse") => {
                Some(Hiding::VisibilityHidden)
            }
            Property::Opacity if value.parse::<f64>().is_ok_and(|o| o <= 0.01) => {
                Some(Hiding::OpacityZero)
            }
            Property::Left | Property::Top | Property::Right | Property::Offset
                if is_far_off_screen(value) =>
            {
                Some(Hiding::OffScreen)
            }
            Property::Transform
                if value
                    .split(['(', ')', ','])
                    .any(|part| is_far_off_screen(trim(part))) =>
            {
                Some(Hiding::OffScreen)
            }
            Property::FontSize if is_zero(value) => Some(Hiding::FontSizeZero),
            Property::Clip if starts_with_spaceless(value, "rect(0") && !value.contains("auto") => {
                Some(Hiding::Clipped)
            }
            Property::ClipPath
                if starts_with_spaceless(value, "circle(0")
                    || starts_with_spaceless(value, "inset(50%") =>
            {
                Some(Hiding::Clipped)
            }
            _ => None,
        };
        let facts = &mut self.facts;
        if hiding.is_some() && facts.hiding.is_none() {
            facts.hiding = hiding;
        }
        match property {
            Property::Position => {
                facts.placement.positioned = matches!(value, "fixed" | "absolute");
            }
            Property::Top => self.top_zero = is_zero(value),
            Property::Left => self.left_zero = is_zero(value),
            Property::Inset => {
                self.top_zero = value.split_whitespace().all(is_zero);
                self.left_zero = self.top_zero;
            }
            Property::ZIndex => {
                facts.placement.z_index = value.parse().ok();
            }
            Property::Width => {
                let px = length_px(value);
                facts.placement.full_width = is_full(value, px);
                self.width_tiny = px.is_some_and(|px| px <= 1.0);
            }
            Property::Height => {
                let px = length_px(value);
                facts.placement.full_height = is_full(value, px);
                self.height_tiny = px.is_some_and(|px| px <= 1.0);
            }
            Property::Overflow => self.overflow_hidden |= value == "hidden",
            Property::Color => self.colour = parse_colour(value),
            Property::BackgroundColor => self.background = parse_colour(value),
            // The shorthand names its colour among images and positions.
            Property::Background => {
                self.background = value.split_whitespace().find_map(parse_colour);
            }
            _ => {}
        }
    }

    fn finish(self) -> StyleFacts {
        let mut facts = self.facts;
        facts.placement.at_origin = self.top_zero && self.left_zero;
        facts.colour = self.colour;
        if facts.hiding.is_none() && self.colour.is_some() && self.colour == self.background {
            facts.hiding = Some(Hiding::SameColour);
        }
        if facts.hiding.is_none() {
            if (self.width_tiny || self.height_tiny) && self.overflow_hidden {
                facts.hiding = Some(Hiding::ZeroSize);
            } else if facts.placement.z_index.is_some_and(|z| z <= -99) {
                facts.hiding = Some(Hiding::BehindPage);
            }
        }
        facts
    }
}

/// Classes and ids the page's own stylesheet hides or positions (overlays) with a simple
/// selector.
#[derive(Debug, Clone, Default)]
pub struct HidingRules {
    classes: NameRules,
    ids: NameRules,
    /// Unfinished rule text carried between `<style>` chunks.
    pending: String,
}

/// A stylesheet larger than this is not read further (budget for hostile pages).
const MAX_STYLESHEET_BYTES: usize = 256 * 1024;
const MAX_RULES: usize = 4096;

impl HidingRules {
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty() && self.ids.is_empty()
    }

    /// Feeds a chunk of `<style>` text; complete `selector { … }` rules are read as they close.
    pub fn feed(&mut self, css: &str, budget_used: &mut usize) {
        if *budget_used >= MAX_STYLESHEET_BYTES {
            return;
        }
        let take = css.len().min(MAX_STYLESHEET_BYTES - *budget_used);
        let take = (0..=take)
            .rev()
            .find(|i| css.is_char_boundary(*i))
            .unwrap_or(0);
        *budget_used += take;
        let chunk = &css[..take];
        // Rules complete within the chunk are read in place; only an unfinished rule is
        // carried (stylesheets arrive in few chunks, and copying every rule was costly).
        let mut rest = chunk;
        if !self.pending.is_empty() {
            let Some(close) = memchr::memchr(b'}', rest.as_bytes()) else {
                self.pending.push_str(rest);
                return;
            };
            let mut rule = std::mem::take(&mut self.pending);
            rule.push_str(&rest[..close]);
            self.read_rule(&rule);
            rest = &rest[close + 1..];
        }
        // SIMD byte search: `}` is ASCII, so its offset is a character boundary.
        while let Some(close) = memchr::memchr(b'}', rest.as_bytes()) {
            self.read_rule(&rest[..close]);
            rest = &rest[close + 1..];
        }
        // A rule that never closes cannot grow past the budget, which bounds `pending`.
        self.pending.push_str(rest);
    }

    fn read_rule(&mut self, rule: &str) {
        // `rsplit_once('{')` by SIMD search: the standard library's reverse search walks
        // the whole body byte by byte. `{` is ASCII, so its offset is a character boundary.
        let Some(open) = memchr::memrchr(b'{', rule.as_bytes()) else {
            return;
        };
        let (selectors, body) = (&rule[..open], &rule[open + 1..]);
        if self.classes.len() + self.ids.len() >= MAX_RULES {
            return;
        }
        // Only a class or an id selector is kept (below): `body { … }` and the like need no
        // reading at all.
        if !selectors.bytes().any(|b| b == b'.' || b == b'#') {
            return;
        }
        let facts = parse_declarations(body);
        if facts.hiding.is_none()
            && !facts.placement.positioned
            && facts.placement.z_index.is_none()
        {
            return;
        }
        for selector in selectors.split(',') {
            // The last compound with a class or id decides what is hidden: `.box a.lk` hides
            // `.lk`; `#farm a` hides the links of `#farm`, so `#farm` counts as hiding.
            let Some(last) = selector
                .split(|c: char| c.is_whitespace() || c == '>' || c == '+' || c == '~')
                .rev()
                .find(|compound| compound.contains(['.', '#']))
            else {
                continue;
            };
            if let Some((_, class)) = last.rsplit_once('.') {
                if is_simple_name(class) {
                    self.classes.insert(class, facts);
                }
            } else if let Some((_, id)) = last.rsplit_once('#')
                && is_simple_name(id)
            {
                self.ids.insert(id, facts);
            }
        }
    }

    /// What the stylesheet says about an element with this `class` / `id` attribute: the
    /// first matching rule that hides or positions it.
    #[inline]
    pub fn style_of(&self, class: Option<&str>, id: Option<&str>) -> Option<StyleFacts> {
        class
            .and_then(|class| self.class_style(class))
            .or_else(|| id.and_then(|id| self.ids.get(trim(id))))
    }

    /// The first class of a `class` attribute that a rule names. Inlined: most calls end in
    /// a few instructions, fewer than a call costs.
    #[inline]
    fn class_style(&self, class: &str) -> Option<StyleFacts> {
        // Most pages hide no class: no need to split the attribute at all.
        if self.classes.is_empty() {
            return None;
        }
        // Most attributes are one name: printable ASCII only (no whitespace, no control, no
        // Unicode) means nothing to split. A fold, as most attributes pass to the end.
        if class
            .bytes()
            .fold(true, |plain, b| plain & (b'!'..=0x7F).contains(&b))
        {
            return self.classes.get(class);
        }
        self.class_list_style(class)
    }

    /// `class_style` for an attribute that may hold several names.
    fn class_list_style(&self, class: &str) -> Option<StyleFacts> {
        // `split_whitespace` by bytes, in one pass: it decodes every character, but ASCII
        // text needs none of that.
        let mut name_start = None;
        for (at, &byte) in class.as_bytes().iter().enumerate() {
            if !byte.is_ascii() {
                // Unicode whitespace (U+3000 …) separates classes too. The names before
                // this one matched nothing, so starting over finds the same first match.
                return class
                    .split_whitespace()
                    .find_map(|name| self.classes.get(name));
            }
            if is_ascii_white_space(byte) {
                if let Some(start) = name_start.take()
                    && let Some(facts) = self.classes.get(&class[start..at])
                {
                    return Some(facts);
                }
            } else if name_start.is_none() {
                name_start = Some(at);
            }
        }
        name_start.and_then(|start| self.classes.get(&class[start..]))
    }

    /// How the stylesheet hides an element with this `class` / `id` attribute, if it does.
    pub fn hides(&self, class: Option<&str>, id: Option<&str>) -> Option<Hiding> {
        self.style_of(class, id).and_then(|s| s.hiding)
    }
}

/// The class or id names a stylesheet hides or positions, with what it says of each (a later
/// rule replaces an earlier one).
#[derive(Debug, Clone, Default)]
struct NameRules {
    /// One bit per name (see `filter_bit`): most class names on a page match no rule, and
    /// their bit rules them out before any comparison or hashing.
    filter: u64,
    /// Pages hide a handful of names: a list search compares a name or two where a hash map
    /// would hash every name looked up.
    list: Vec<(String, StyleFacts)>,
    /// Past `SMALL_NAME_RULES` names (hostile stylesheets hold thousands) the names move
    /// here; the map keeps its DoS-resistant hasher, since the page chooses its keys.
    map: HashMap<String, StyleFacts>,
}

const SMALL_NAME_RULES: usize = 8;

impl NameRules {
    fn len(&self) -> usize {
        self.list.len() + self.map.len()
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.map.is_empty()
    }

    fn insert(&mut self, name: &str, facts: StyleFacts) {
        self.filter |= filter_bit(name);
        if !self.map.is_empty() {
            self.map.insert(name.to_string(), facts);
        } else if let Some(entry) = self.list.iter_mut().find(|(known, _)| known == name) {
            entry.1 = facts;
        } else if self.list.len() < SMALL_NAME_RULES {
            self.list.push((name.to_string(), facts));
        } else {
            self.map = std::mem::take(&mut self.list).into_iter().collect();
            self.map.insert(name.to_string(), facts);
        }
    }

    /// Inlined: the filter turns most names away, and that test costs less than a call.
    #[inline]
    fn get(&self, name: &str) -> Option<StyleFacts> {
        if self.filter & filter_bit(name) == 0 {
            return None;
        }
        self.search(name)
    }

    fn search(&self, name: &str) -> Option<StyleFacts> {
        if self.map.is_empty() {
            self.list
                .iter()
                .find(|(known, _)| known == name)
                .map(|&(_, facts)| facts)
        } else {
            self.map.get(name).copied()
        }
    }
}

/// A bit for a name in a 64-bit filter of a set of names, from its length and its first and
/// last bytes (cheap, and enough to tell apart the few names a page's rules hide). The empty
/// name, which no rule can hold, has none.
fn filter_bit(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return 0;
    };
    let mix = bytes.len().wrapping_mul(31) ^ usize::from(first).wrapping_mul(7) ^ usize::from(last);
    1 << (mix % 64)
}

/// `name.eq_ignore_ascii_case(lower)` for a lower-case, letters-only `lower` (attribute
/// names such as `style`): on letters, setting bit 0x20 is exactly ASCII lower-casing, one
/// OR per byte where `eq_ignore_ascii_case` range-tests and lower-cases both sides.
pub(super) fn is_named(name: &str, lower: &[u8]) -> bool {
    name.len() == lower.len()
        && name
            .bytes()
            .zip(lower)
            .fold(true, |same, (b, &l)| same & (b | 0x20 == l))
}

fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiding_declarations() {
        let cases = [
            ("display:none", Hiding::DisplayNone),
            ("DISPLAY: NONE !important", Hiding::DisplayNone),
            ("visibility:hidden", Hiding::VisibilityHidden),
            ("opacity:0", Hiding::OpacityZero),
            ("position:absolute;left:-9999px", Hiding::OffScreen),
            ("text-indent:-999px", Hiding::OffScreen),
            ("transform:translateX(-9999px)", Hiding::OffScreen),
            ("font-size:0", Hiding::FontSizeZero),
            ("height:0;overflow:hidden", Hiding::ZeroSize),
            ("width:1px;height:1px;overflow:hidden", Hiding::ZeroSize),
            ("position:absolute;clip:rect(0,0,0,0)", Hiding::Clipped),
            ("z-index:-9999;position:absolute", Hiding::BehindPage),
            (
                "color:#ffffff;background:#ffffff;font-size:1px",
                Hiding::SameColour,
            ),
            (
                "color:#FFF;background-color:rgb(255, 255, 255)",
                Hiding::SameColour,
            ),
            (
                "color:white;background:#fff url(x.png) no-repeat",
                Hiding::SameColour,
            ),
        ];
        for (style, hiding) in cases {
            assert_eq!(parse_declarations(style).hiding, Some(hiding), "{style}");
        }
        for visible in [
            "display:block",
            "left:-10px",
            "height:0",
            "opacity:0.8",
            "font-size:12px",
            "color:#fff;background:#0b4f8a",
            "color:transparent;background:transparent",
            "color:#fff",
        ] {
            assert_eq!(parse_declarations(visible).hiding, None, "{visible}");
        }
    }

    #[test]
    fn overlay_placement() {
        let facts = parse_declarations(
            "position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647",
        );
        assert!(facts.placement.positioned && facts.placement.at_origin);
        assert!(facts.placement.full_width && facts.placement.full_height);
        assert_eq!(facts.placement.z_index, Some(2_147_483_647));
    }

    #[test]
    fn stylesheet_classes() {
        let mut rules = HidingRules::default();
        let mut used = 0;
        rules.feed("body{color:red} .links a.lk, #farm {disp", &mut used);
        rules.feed("lay:none} .menu{display:block}", &mut used);
        assert_eq!(rules.hides(Some("x lk"), None), Some(Hiding::DisplayNone));
        assert_eq!(rules.hides(None, Some("farm")), Some(Hiding::DisplayNone));
        assert_eq!(rules.hides(Some("menu"), None), None);
    }

    /// The parser as it was before it was made fast, to check that it still reads
    /// everything the same (the corpus alone does not reach every branch).
    mod reference {
        use super::super::{Hiding, StyleFacts};

        fn length_px(value: &str) -> Option<f64> {
            let number_end = value
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
                .unwrap_or(value.len());
            let number: f64 = value[..number_end].parse().ok()?;
            let unit = value[number_end..].trim();
            match unit {
                "" | "px" | "pt" => Some(number),
                "em" | "rem" => Some(number * 16.0),
                _ => None,
            }
        }

        fn is_zero(value: &str) -> bool {
            length_px(value) == Some(0.0) || value.parse::<f64>() == Ok(0.0)
        }

        fn is_full(value: &str) -> bool {
            let value = value.trim();
            matches!(value, "100%" | "100vw" | "100vh")
                || length_px(value).is_some_and(|px| px >= 1000.0)
        }

        fn is_far_off_screen(value: &str) -> bool {
            length_px(value).is_some_and(|px| px <= -999.0)
        }

        /// An opaque colour as 0xRRGGBB: `#rgb`, `#rrggbb`, `rgb(r,g,b)` and the few names that
        /// hijack templates use. Transparent and unknown values are `None` (never "equal").
        fn parse_colour(value: &str) -> Option<u32> {
            let value = value.trim();
            if let Some(hex) = value.strip_prefix('#') {
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let number = u32::from_str_radix(hex, 16).ok()?;
                return match hex.len() {
                    // #rgb: each digit doubled.
                    3 => {
                        let (r, g, b) = (number >> 8, (number >> 4) & 0xF, number & 0xF);
                        Some(((r * 17) << 16) | ((g * 17) << 8) | (b * 17))
                    }
                    6 => Some(number),
                    _ => None,
                };
            }
            if let Some(args) = value
                .strip_prefix("rgb(")
                .and_then(|rest| rest.strip_suffix(')'))
            {
                let mut channels = args.split(',').map(|c| c.trim().parse::<u8>().ok());
                return match (
                    channels.next(),
                    channels.next(),
                    channels.next(),
                    channels.next(),
                ) {
                    (Some(Some(r)), Some(Some(g)), Some(Some(b)), None) => {
                        Some((u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b))
                    }
                    _ => None,
                };
            }
            match value {
                "white" => Some(0xFF_FF_FF),
                "black" => Some(0),
                "red" => Some(0xFF_00_00),
                "silver" => Some(0xC0_C0_C0),
                "gray" | "grey" => Some(0x80_80_80),
                _ => None,
            }
        }

        /// Reads `prop: value; …` (lower-cased, `!important` dropped). Cheap: no allocation
        /// besides a lower-cased copy when the text has upper-case letters (most has none).
        pub fn parse_declarations(style: &str) -> StyleFacts {
            let style: std::borrow::Cow<'_, str> = if style.bytes().any(|b| b.is_ascii_uppercase())
            {
                std::borrow::Cow::Owned(style.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(style)
            };
            let mut facts = StyleFacts::default();
            let mut width_tiny = false;
            let mut height_tiny = false;
            let mut overflow_hidden = false;
            let (mut top_zero, mut left_zero) = (false, false);
            let (mut colour, mut background) = (None, None);
            for declaration in style.split(';') {
                let Some((property, value)) = declaration.split_once(':') else {
                    continue;
                };
                let property = property.trim();
                // `strip_suffix` in a loop is `trim_end_matches` without building a substring
                // searcher for every declaration.
                let mut value = value.trim();
                while let Some(shorter) = value.strip_suffix("!important") {
                    value = shorter;
                }
                let value = value.trim();
                let hiding = match property {
                    "display" if value == "none" => Some(Hiding::DisplayNone),
                    "visibility" if matches!(value, "hidden" | "collapse") => {
                        Some(Hiding::VisibilityHidden)
                    }
                    "opacity" if value.parse::<f64>().is_ok_and(|o| o <= 0.01) => {
                        Some(Hiding::OpacityZero)
                    }
                    "left" | "top" | "text-indent" | "margin-left" | "margin-top" | "right"
                        if is_far_off_screen(value) =>
                    {
                        Some(Hiding::OffScreen)
                    }
                    "transform"
                        if value
                            .split(['(', ')', ','])
                            .any(|part| is_far_off_screen(part.trim())) =>
                    {
                        Some(Hiding::OffScreen)
                    }
                    "font-size" if is_zero(value) => Some(Hiding::FontSizeZero),
                    "clip"
                        if value.replace(' ', "").starts_with("rect(0")
                            && !value.contains("auto") =>
                    {
                        Some(Hiding::Clipped)
                    }
                    "clip-path"
                        if value.replace(' ', "").starts_with("circle(0")
                            || value.replace(' ', "").starts_with("inset(50%") =>
                    {
                        Some(Hiding::Clipped)
                    }
                    _ => None,
                };
                if hiding.is_some() && facts.hiding.is_none() {
                    facts.hiding = hiding;
                }
                match property {
                    "position" => {
                        facts.placement.positioned = matches!(value, "fixed" | "absolute")
                    }
                    "top" => top_zero = is_zero(value),
                    "left" => left_zero = is_zero(value),
                    "right" | "bottom" => {}
                    "inset" => {
                        top_zero = value.split_whitespace().all(is_zero);
                        left_zero = top_zero;
                    }
                    "z-index" => {
                        facts.placement.z_index = value.parse().ok();
                    }
                    "width" => {
                        facts.placement.full_width = is_full(value);
                        width_tiny = length_px(value).is_some_and(|px| px <= 1.0);
                    }
                    "height" => {
                        facts.placement.full_height = is_full(value);
                        height_tiny = length_px(value).is_some_and(|px| px <= 1.0);
                    }
                    "overflow" | "overflow-x" | "overflow-y" => {
                        overflow_hidden |= value == "hidden"
                    }
                    "color" => colour = parse_colour(value),
                    "background-color" => background = parse_colour(value),
                    // The shorthand names its colour among images and positions.
                    "background" => background = value.split_whitespace().find_map(parse_colour),
                    _ => {}
                }
            }
            facts.placement.at_origin = top_zero && left_zero;
            facts.colour = colour;
            if facts.hiding.is_none() && colour.is_some() && colour == background {
                facts.hiding = Some(Hiding::SameColour);
            }
            if facts.hiding.is_none() {
                if (width_tiny || height_tiny) && overflow_hidden {
                    facts.hiding = Some(Hiding::ZeroSize);
                } else if facts.placement.z_index.is_some_and(|z| z <= -99) {
                    facts.hiding = Some(Hiding::BehindPage);
                }
            }
            facts
        }
    }

    #[test]
    fn declarations_read_as_before() {
        let properties = [
            "display",
            "DISPLAY",
            " visibility ",
            "opacity",
            "left",
            "top",
            "Top",
            "right",
            "text-indent",
            "margin-left",
            "margin-top",
            "transform",
            "font-size",
            "clip",
            "clip-path",
            "position",
            "inset",
            "z-index",
            "width",
            "height",
            "overflow",
            "overflow-x",
            "overflow-y",
            "color",
            "background-color",
            "background",
            "bottom",
            "font-family",
            "\u{3000}display",
            "display\u{a0}",
            "\x0bwidth",
            "",
        ];
        let values = [
            "none",
            "NONE",
            " none !important",
            "none!important!important",
            "none !important !important",
            "hidden",
            "collapse",
            "0",
            "0.0",
            "0.01",
            "0.5",
            "-0",
            "+0",
            "-9999px",
            "-999",
            "-998px",
            "-1e4px",
            "translateX(-9999px)",
            "translate( -999px , 0)",
            "0px",
            "0pt",
            "0em",
            "0 px",
            "1px",
            "1.5px",
            "0e0",
            "100%",
            "100vw",
            "100vh",
            "1000px",
            "1200px",
            "62.5em",
            "-62.5rem",
            "rect(0,0,0,0)",
            "rect( 0 0 0 0 )",
            "rect(0, auto, 0, 0)",
            "circle(0)",
            "inset( 50% )",
            "fixed",
            "absolute",
            "ABSOLUTE",
            "0 0 0 0",
            "0 1px",
            "-99",
            "-100",
            "2147483647",
            "99999999999999999999",
            "#fff",
            "#FFF",
            "#ffffff",
            "#fffffff",
            "#ff",
            "#gggggg",
            "#",
            "#+ff",
            "rgb(255, 255, 255)",
            "rgb(255,255,256)",
            "rgb(1,2,3,4)",
            "white",
            "White",
            "black",
            "grey",
            "transparent",
            "#fff url(x.png) no-repeat",
            "url(http://x/y.png) #0b4f8a",
            "\u{3000}none\u{3000}",
            "123456789px",
            "1234567890px",
            "1234567890",
            "",
            "  ",
            "1-2px",
            "--1px",
            "+-1",
            ".5px",
            "5.px",
        ];
        let mut declarations = Vec::new();
        for property in properties {
            for value in values {
                let declaration = format!("{property}:{value}");
                assert_eq!(
                    parse_declarations(&declaration),
                    reference::parse_declarations(&declaration),
                    "{declaration:?}"
                );
                declarations.push(declaration);
            }
        }
        // Several declarations: which one wins, and the rules that combine them (same
        // colour, zero size, position at the origin).
        let some: Vec<&String> = declarations.iter().step_by(7).collect();
        for first in &some {
            for second in &some {
                for joined in [
                    format!("{first};{second}"),
                    format!("{first} ; {second};"),
                    format!("{first};;no colon;{second}"),
                    format!("{first};{second}:x"),
                ] {
                    assert_eq!(
                        parse_declarations(&joined),
                        reference::parse_declarations(&joined),
                        "{joined:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn find_either_finds_the_first() {
        // Bytes next to the separators' values and the high-bit ones that a word test
        // could confuse with them.
        let alphabet = [
            b'a', b':', b';', 0, 1, 0x39, 0x3C, 0x7F, 0x80, 0xBA, 0xBB, 0xFF,
        ];
        let mut state = 1_u32;
        for len in 0..40 {
            for _ in 0..50 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        alphabet[(state >> 16) as usize % alphabet.len()]
                    })
                    .collect();
                for (a, b) in [(b':', b';'), (b';', b';')] {
                    assert_eq!(
                        find_either(&bytes, a, b),
                        bytes.iter().position(|&c| c == a || c == b),
                        "{bytes:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for text in [
            "",
            " ",
            "\x0b",
            "a",
            " a ",
            "\ta b\r\n",
            "\u{3000}a\u{3000}",
            " \u{a0} a \u{85}",
            "é",
            " é ",
            "a\u{3000}",
            "\u{2028}",
            "中文 ",
            "\x0c\x0bx\x0b",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn numbers_read_as_floats() {
        for number in [
            "",
            "-",
            "+",
            "0",
            "-0",
            "+0",
            "+5",
            "007",
            "123456789",
            "-123456789",
            "1234567890",
            "1.5",
            "-1.5",
            ".5",
            "5.",
            "--1",
            "1-2",
            "+-1",
            "1.2.3",
        ] {
            let parsed = parse_number(number);
            let expected = number.parse::<f64>().ok();
            assert_eq!(parsed, expected, "{number:?}");
            assert_eq!(
                parsed.map(f64::is_sign_negative),
                expected.map(f64::is_sign_negative),
                "{number:?}"
            );
        }
    }

    #[test]
    fn attribute_names_ignore_case() {
        for name in [
            "style",
            "STYLE",
            "StYlE",
            "stylf",
            "styl",
            "styles",
            "sty1e",
            "s\u{17f}yle",
            "class",
            "CLASS",
            "c1ass",
            "[lass",
            "{lass",
            "id",
            "ID",
            "iD",
            "i",
            "hidden",
            "HIDDEN",
            "",
        ] {
            for lower in ["style", "class", "id", "hidden"] {
                assert_eq!(
                    is_named(name, lower.as_bytes()),
                    name.eq_ignore_ascii_case(lower),
                    "{name:?} {lower:?}"
                );
            }
        }
    }

    #[test]
    fn class_lists_split_on_whitespace() {
        let mut rules = HidingRules::default();
        let mut used = 0;
        rules.feed(".lk{display:none} .op{opacity:0}", &mut used);
        for class in [
            "lk",
            " lk ",
            "a lk",
            "a\tlk",
            "a\x0blk",
            "a\x01lk",
            "a\u{3000}lk",
            "a\u{a0}lk",
            "é lk",
            "lké",
            "alk",
            "",
            " ",
            "op lk",
            "lk op",
            "x\u{3000}op lk",
            "lk\n",
        ] {
            let expected = class
                .split_whitespace()
                .find_map(|name| rules.classes.get(name))
                .and_then(|facts| facts.hiding);
            assert_eq!(rules.hides(Some(class), None), expected, "{class:?}");
        }
        assert_eq!(rules.hides(Some("op lk"), None), Some(Hiding::OpacityZero));
        assert_eq!(rules.hides(None, Some(" lk ")), None);
    }

    #[test]
    fn only_class_and_id_rules_are_kept() {
        let mut rules = HidingRules::default();
        let mut used = 0;
        rules.feed(
            "body{display:none} html,body{position:fixed} a>b{z-index:-999}",
            &mut used,
        );
        assert!(rules.is_empty());
        rules.feed("ul li .x a{display:none} p#y{position:absolute}", &mut used);
        assert_eq!(rules.hides(Some("x"), None), Some(Hiding::DisplayNone));
        assert_eq!(
            rules
                .style_of(None, Some("y"))
                .map(|s| s.placement.positioned),
            Some(true)
        );
    }

    #[test]
    fn many_hidden_names() {
        let mut rules = HidingRules::default();
        let mut used = 0;
        rules.feed(".a{display:none} .a{opacity:0} #i{display:none}", &mut used);
        assert_eq!(rules.hides(Some("a"), None), Some(Hiding::OpacityZero));
        // Past the short list the names move to a map; a later rule still wins.
        for n in 0..20 {
            rules.feed(&format!(".n{n}{{display:none}}"), &mut used);
        }
        rules.feed(".n3{visibility:hidden} .a{font-size:0}", &mut used);
        assert_eq!(
            rules.hides(Some("n3"), None),
            Some(Hiding::VisibilityHidden)
        );
        assert_eq!(rules.hides(Some("n19"), None), Some(Hiding::DisplayNone));
        assert_eq!(rules.hides(Some("a"), None), Some(Hiding::FontSizeZero));
        assert_eq!(rules.hides(Some("n20"), None), None);
        assert_eq!(rules.hides(None, Some(" i ")), Some(Hiding::DisplayNone));
    }
}

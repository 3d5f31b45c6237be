//! Just enough CSS to see what hijackers do with it: inline `style` declarations that hide
//! an element or lay it over the page, and the page's own `<style>` rules that hide a class
//! or an id (`.lk{display:none}`). No cascade, no specificity: a link farm is hidden by one
//! blunt declaration, and that is what we look for.

use std::collections::HashMap;

use serde::Serialize;

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
    matches!(value, "100%" | "100vw" | "100vh") || length_px(value).is_some_and(|px| px >= 1000.0)
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
    let style: std::borrow::Cow<'_, str> = if style.bytes().any(|b| b.is_ascii_uppercase()) {
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
            "opacity" if value.parse::<f64>().is_ok_and(|o| o <= 0.01) => Some(Hiding::OpacityZero),
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
            "clip" if value.replace(' ', "").starts_with("rect(0") && !value.contains("auto") => {
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
            "position" => facts.placement.positioned = matches!(value, "fixed" | "absolute"),
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
            "overflow" | "overflow-x" | "overflow-y" => overflow_hidden |= value == "hidden",
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

/// Classes and ids the page's own stylesheet hides or positions (overlays) with a simple
/// selector.
#[derive(Debug, Clone, Default)]
pub struct HidingRules {
    classes: HashMap<String, StyleFacts>,
    ids: HashMap<String, StyleFacts>,
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
        let Some((selectors, body)) = rule.rsplit_once('{') else {
            return;
        };
        if self.classes.len() + self.ids.len() >= MAX_RULES {
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
                    self.classes.insert(class.to_string(), facts);
                }
            } else if let Some((_, id)) = last.rsplit_once('#')
                && is_simple_name(id)
            {
                self.ids.insert(id.to_string(), facts);
            }
        }
    }

    /// What the stylesheet says about an element with this `class` / `id` attribute: the
    /// first matching rule that hides or positions it.
    pub fn style_of(&self, class: Option<&str>, id: Option<&str>) -> Option<StyleFacts> {
        class
            .and_then(|c| {
                c.split_whitespace()
                    .find_map(|c| self.classes.get(c).copied())
            })
            .or_else(|| id.and_then(|id| self.ids.get(id.trim()).copied()))
    }

    /// How the stylesheet hides an element with this `class` / `id` attribute, if it does.
    pub fn hides(&self, class: Option<&str>, id: Option<&str>) -> Option<Hiding> {
        self.style_of(class, id).and_then(|s| s.hiding)
    }
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
}

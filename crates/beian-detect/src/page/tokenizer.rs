//! The byte-level HTML tokenizer of the page pass (WHATWG tokenizer states, with the little
//! tree-construction feedback a tokenizer needs: which text state follows a start tag, and
//! when `<svg>` / `<math>` content starts and ends).
//!
//! It works on the whole page in memory and hands out borrowed slices: tag names, attribute
//! names and values as written (entities undecoded, see `text::decode_entities`), and text
//! nodes. It allocates nothing per token (one reused attribute list, capped at
//! [`MAX_ATTRIBUTES`]), and every state moves forward, so any input costs linear time.
//! Data, raw text and quoted values are crossed with `memchr` (SIMD byte search).
//!
//! What it deliberately leaves out: character references (decoded later, only where the
//! detectors look), NUL / CR replacement, and parse errors (hostile pages are full of them
//! and the states recover exactly as a browser does).

use memchr::{memchr, memchr2};

/// Attributes kept per tag; the rest of a tag with more is still lexed, then ignored (the
/// first attribute of a name wins in browsers, so the first ones are the ones that count).
pub(super) const MAX_ATTRIBUTES: usize = 256;
/// Nested `<svg>` / `<math>` / integration points tracked; deeper ones stay in the current
/// namespace (that only changes which text state a tag switches to).
const MAX_NAMESPACES: usize = 1024;

/// How the text of a node was tokenized (which element's content it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextKind {
    /// Ordinary (visible) text.
    Data,
    /// `<title>`, `<textarea>`.
    RcData,
    /// `<style>`, `<iframe>`, `<xmp>`, `<noembed>`, `<noframes>`, `<noscript>`.
    RawText,
    /// `<script>`.
    ScriptData,
    /// Everything after `<plaintext>`.
    PlainText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Attribute<'a> {
    /// As written (any case).
    pub name: &'a str,
    /// As written, quotes removed; empty for an attribute without a value.
    pub value: &'a str,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct StartTag<'t, 'a> {
    /// As written (any case).
    pub name: &'a str,
    pub lower: LowerName,
    pub attributes: &'t [Attribute<'a>],
    /// False for void HTML elements and self-closing foreign ones: no content, no end tag.
    pub can_have_content: bool,
}

impl<'a> StartTag<'_, 'a> {
    /// The value of the first attribute called `name` (ASCII lower case).
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value)
    }
}

/// What the tokenizer reports, in document order.
pub(super) trait Sink<'a> {
    fn start_tag(&mut self, tag: &StartTag<'_, 'a>);
    fn end_tag(&mut self, name: &'a str, lower: LowerName);
    /// A piece of a text node; `last_in_node` on its last piece (a text node ends at any tag,
    /// comment or doctype), so adjacent nodes' words can be kept apart.
    fn text(&mut self, text: &'a str, kind: TextKind, last_in_node: bool);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Html,
    Svg,
    MathMl,
}

/// The text state after the current position, with the end tag that leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Data,
    /// RCDATA, RAWTEXT or script data, ended by `</end_tag`.
    Raw {
        kind: TextKind,
        end_tag: &'static str,
    },
    PlainText,
}

/// Byte classes of the tag states, one table lookup per byte.
mod class {
    pub const SPACE: u8 = 1;
    pub const SLASH: u8 = 2;
    pub const GREATER: u8 = 4;
    pub const EQUALS: u8 = 8;
}

static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'\t' as usize] = class::SPACE;
    table[b'\n' as usize] = class::SPACE;
    table[0x0C] = class::SPACE;
    table[b'\r' as usize] = class::SPACE;
    table[b' ' as usize] = class::SPACE;
    table[b'/' as usize] = class::SLASH;
    table[b'>' as usize] = class::GREATER;
    table[b'=' as usize] = class::EQUALS;
    table
};

fn is_space(byte: u8) -> bool {
    CLASSES[usize::from(byte)] & class::SPACE != 0
}

/// The first position from `at` whose byte is in one of the `classes`, or the end.
fn scan_to(bytes: &[u8], at: usize, classes: u8) -> usize {
    scan(bytes, at, |byte| CLASSES[usize::from(byte)] & classes != 0)
}

/// The first position from `at` whose byte is `stop`, or the end (`at` may be past it).
fn scan(bytes: &[u8], at: usize, stop: impl Fn(u8) -> bool) -> usize {
    let rest = bytes.get(at..).unwrap_or_default();
    rest.iter()
        .position(|b| stop(*b))
        .map_or(bytes.len().max(at), |offset| at + offset)
}

/// The end of a tag or attribute name starting at `at`.
fn name_end(bytes: &[u8], at: usize, stop_at_equals: bool) -> usize {
    let stops = class::SPACE | class::SLASH | class::GREATER;
    scan_to(
        bytes,
        at,
        if stop_at_equals {
            stops | class::EQUALS
        } else {
            stops
        },
    )
}

fn skip_space(bytes: &[u8], at: usize) -> usize {
    scan(bytes, at, |byte| !is_space(byte))
}

/// A tag lexed up to its `>`.
#[derive(Debug, Clone, Copy)]
struct Lexed {
    name_end: usize,
    /// Just after the `>`.
    end: usize,
    self_closing: bool,
}

const BYTES_01: u128 = u128::MAX / 0xFF;

/// `u8::to_ascii_lowercase` of each of the 16 bytes of `word` at once: each byte below 0x80
/// in `A..=Z` gets 0x20 added. The sums stay within their byte (at most 0x7F + 0x3F), so no
/// byte carries into the next.
fn ascii_lowercase_bytes(word: u128) -> u128 {
    let high_bits = BYTES_01 * 0x80;
    let low_seven = word & (BYTES_01 * 0x7F);
    let at_least_a = low_seven + BYTES_01 * (0x80 - u128::from(b'A'));
    let above_z = low_seven + BYTES_01 * (0x80 - u128::from(b'Z') - 1);
    let upper = at_least_a & !above_z & !word & high_bits;
    word | (upper >> 2)
}

/// A tag name in ASCII lower case, packed into one integer (little-endian, zero-padded)
/// with its length: built once per tag by the tokenizer and handed to the sink, so neither
/// side lower-cases or hashes the name again, and two names compare as two integers.
/// Writing a lower-case copy byte by byte and then comparing it stalled every tag (a wide
/// load of bytes just stored one at a time cannot be forwarded from the stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LowerName {
    packed: u128,
    /// 0 for names longer than 16 bytes, which neither side looks for.
    len: u8,
}

impl LowerName {
    /// A name the pass knows (lower-case ASCII, at most 16 bytes), for `match` patterns.
    const fn known(name: &str) -> LowerName {
        let bytes = name.as_bytes();
        assert!(
            bytes.len() <= 16 && !bytes.is_empty(),
            "a known tag name fits the key"
        );
        let mut packed = 0_u128;
        let mut at = 0;
        while at < bytes.len() {
            assert!(
                !bytes[at].is_ascii_uppercase(),
                "known tag names are lower case"
            );
            packed |= (bytes[at] as u128) << (8 * at);
            at += 1;
        }
        LowerName {
            packed,
            len: bytes.len() as u8,
        }
    }

    #[cfg(test)]
    pub(super) fn of(name: &str) -> LowerName {
        LowerName::in_text(name.as_bytes(), 0, name.len())
    }

    /// The name at `start..end` of `text`. Where 16 bytes follow `start`, they are read at
    /// once and lower-cased together; a byte at a time only near the end of the text.
    fn in_text(text: &[u8], start: usize, end: usize) -> LowerName {
        let len = end.saturating_sub(start);
        if len > 16 {
            return LowerName { packed: 0, len: 0 };
        }
        let packed = match text
            .get(start..start + 16)
            .and_then(|window| <[u8; 16]>::try_from(window).ok())
        {
            Some(window) => {
                let mask = u128::MAX.checked_shr(8 * (16 - len) as u32).unwrap_or(0);
                ascii_lowercase_bytes(u128::from_le_bytes(window) & mask)
            }
            None => text
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .fold(0_u128, |packed, (at, byte)| {
                    packed | (u128::from(byte.to_ascii_lowercase()) << (8 * at))
                }),
        };
        LowerName {
            packed,
            // At most 16, checked above.
            len: len as u8,
        }
    }

    /// Whether equal keys mean equal names (false for names longer than 16 bytes, which all
    /// share one key).
    pub(super) fn is_exact(self) -> bool {
        self.len > 0
    }

    /// A well-spread hash of the key.
    pub(super) fn hash(self) -> u64 {
        ((self.packed as u64) ^ ((self.packed >> 64) as u64) ^ u64::from(self.len))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// The tag names the tokenizer and the page pass look for, as [`LowerName`] keys: a
/// `match` on them compares integers instead of calling `memcmp` arm after arm.
pub(super) mod names {
    use super::LowerName;

    macro_rules! known_names {
        ($($name:ident = $text:literal),* $(,)?) => {
            $(pub(in crate::page) const $name: LowerName = LowerName::known($text);)*
        };
    }

    known_names! {
        AREA = "area",
        BASE = "base",
        BASEFONT = "basefont",
        BGSOUND = "bgsound",
        BR = "br",
        COL = "col",
        EMBED = "embed",
        HR = "hr",
        IMG = "img",
        INPUT = "input",
        KEYGEN = "keygen",
        LINK = "link",
        META = "meta",
        PARAM = "param",
        SOURCE = "source",
        TRACK = "track",
        WBR = "wbr",
        B = "b",
        BIG = "big",
        BLOCKQUOTE = "blockquote",
        BODY = "body",
        CENTER = "center",
        CODE = "code",
        DD = "dd",
        DIV = "div",
        DL = "dl",
        DT = "dt",
        EM = "em",
        H1 = "h1",
        H2 = "h2",
        H3 = "h3",
        H4 = "h4",
        H5 = "h5",
        H6 = "h6",
        HEAD = "head",
        I = "i",
        LI = "li",
        LISTING = "listing",
        MENU = "menu",
        NOBR = "nobr",
        OL = "ol",
        P = "p",
        PRE = "pre",
        RUBY = "ruby",
        S = "s",
        SMALL = "small",
        SPAN = "span",
        STRONG = "strong",
        STRIKE = "strike",
        SUB = "sub",
        SUP = "sup",
        TABLE = "table",
        TT = "tt",
        U = "u",
        UL = "ul",
        VAR = "var",
        DESC = "desc",
        TITLE = "title",
        FOREIGNOBJECT = "foreignobject",
        MI = "mi",
        MO = "mo",
        MN = "mn",
        MS = "ms",
        MTEXT = "mtext",
        TEXTAREA = "textarea",
        SCRIPT = "script",
        STYLE = "style",
        IFRAME = "iframe",
        XMP = "xmp",
        NOEMBED = "noembed",
        NOFRAMES = "noframes",
        NOSCRIPT = "noscript",
        PLAINTEXT = "plaintext",
        SVG = "svg",
        MATH = "math",
        FONT = "font",
        ANNOTATION_XML = "annotation-xml",
        A = "a",
        FORM = "form",
        MARQUEE = "marquee",
    }
}

fn is_void(name: LowerName) -> bool {
    matches!(
        name,
        names::AREA
            | names::BASE
            | names::BASEFONT
            | names::BGSOUND
            | names::BR
            | names::COL
            | names::EMBED
            | names::HR
            | names::IMG
            | names::INPUT
            | names::KEYGEN
            | names::LINK
            | names::META
            | names::PARAM
            | names::SOURCE
            | names::TRACK
            | names::WBR
    )
}

/// HTML start tags that end foreign content (spec 13.2.6.5).
fn leaves_foreign_content(name: LowerName) -> bool {
    matches!(
        name,
        names::B
            | names::BIG
            | names::BLOCKQUOTE
            | names::BODY
            | names::BR
            | names::CENTER
            | names::CODE
            | names::DD
            | names::DIV
            | names::DL
            | names::DT
            | names::EM
            | names::EMBED
            | names::H1
            | names::H2
            | names::H3
            | names::H4
            | names::H5
            | names::H6
            | names::HEAD
            | names::HR
            | names::I
            | names::IMG
            | names::LI
            | names::LISTING
            | names::MENU
            | names::META
            | names::NOBR
            | names::OL
            | names::P
            | names::PRE
            | names::RUBY
            | names::S
            | names::SMALL
            | names::SPAN
            | names::STRONG
            | names::STRIKE
            | names::SUB
            | names::SUP
            | names::TABLE
            | names::TT
            | names::U
            | names::UL
            | names::VAR
    )
}

fn is_integration_point(ns: Namespace, name: LowerName) -> bool {
    match ns {
        Namespace::Svg => matches!(name, names::DESC | names::TITLE | names::FOREIGNOBJECT),
        Namespace::MathMl => matches!(
            name,
            names::MI | names::MO | names::MN | names::MS | names::MTEXT
        ),
        Namespace::Html => false,
    }
}

/// The text state an HTML start tag switches to.
fn mode_after(name: LowerName) -> Mode {
    let raw = |kind, end_tag| Mode::Raw { kind, end_tag };
    match name {
        names::TITLE => raw(TextKind::RcData, "title"),
        names::TEXTAREA => raw(TextKind::RcData, "textarea"),
        names::SCRIPT => raw(TextKind::ScriptData, "script"),
        names::STYLE => raw(TextKind::RawText, "style"),
        names::IFRAME => raw(TextKind::RawText, "iframe"),
        names::XMP => raw(TextKind::RawText, "xmp"),
        names::NOEMBED => raw(TextKind::RawText, "noembed"),
        names::NOFRAMES => raw(TextKind::RawText, "noframes"),
        // Scripting is on in the browsers we model, so `<noscript>` content is raw text.
        names::NOSCRIPT => raw(TextKind::RawText, "noscript"),
        names::PLAINTEXT => Mode::PlainText,
        _ => Mode::Data,
    }
}

/// Where the tokenizer is in the script-data escape states (spec 13.2.5.4–13.2.5.31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptState {
    Data,
    Escaped,
    EscapedDash,
    EscapedDashDash,
    DoubleEscaped,
    DoubleEscapedDash,
    DoubleEscapedDashDash,
}

pub(super) struct Tokenizer<'a> {
    html: &'a str,
    bytes: &'a [u8],
    pos: usize,
    mode: Mode,
    namespaces: Vec<Namespace>,
    attributes: Vec<Attribute<'a>>,
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(html: &'a str) -> Tokenizer<'a> {
        Tokenizer {
            html,
            bytes: html.as_bytes(),
            pos: 0,
            mode: Mode::Data,
            namespaces: vec![Namespace::Html],
            attributes: Vec::new(),
        }
    }

    /// Tokenizes the whole input into `sink`.
    pub(super) fn run(mut self, sink: &mut impl Sink<'a>) {
        while self.pos < self.bytes.len() {
            match self.mode {
                Mode::Data => self.data(sink),
                Mode::Raw { kind, end_tag } => self.raw(kind, end_tag, sink),
                Mode::PlainText => {
                    sink.text(
                        self.slice(self.pos, self.bytes.len()),
                        TextKind::PlainText,
                        true,
                    );
                    self.pos = self.bytes.len();
                }
            }
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        // Every boundary the states cut at is an ASCII byte or the end, so a char boundary.
        self.html.get(start..end).unwrap_or_default()
    }

    fn namespace(&self) -> Namespace {
        self.namespaces.last().copied().unwrap_or(Namespace::Html)
    }

    fn enter(&mut self, ns: Namespace) {
        if self.namespaces.len() < MAX_NAMESPACES {
            self.namespaces.push(ns);
        }
    }

    fn leave(&mut self) {
        if self.namespaces.len() > 1 {
            self.namespaces.pop();
        }
    }

    /// Data state: text up to the next markup, then that markup.
    fn data(&mut self, sink: &mut impl Sink<'a>) {
        let bytes = self.bytes;
        let mut node_start = self.pos;
        let mut search = self.pos;
        // Part of the current text node was already handed out (before a `</>`).
        let mut node_open = false;
        loop {
            // Most text nodes are indentation between tags: white space is crossed a byte
            // at a time, and `memchr` is called only when something else follows it.
            let after_space = skip_space(bytes, search);
            let lt = if bytes.get(after_space) == Some(&b'<') {
                after_space
            } else {
                let Some(offset) = memchr(b'<', bytes.get(after_space..).unwrap_or_default())
                else {
                    self.end_text(node_start, bytes.len(), node_open, sink);
                    self.pos = bytes.len();
                    return;
                };
                after_space + offset
            };
            match bytes.get(lt + 1).copied() {
                Some(b) if b.is_ascii_alphabetic() => {
                    self.end_text(node_start, lt, node_open, sink);
                    self.start_tag(lt + 1, sink);
                    return;
                }
                Some(b'/') => match bytes.get(lt + 2).copied() {
                    Some(b) if b.is_ascii_alphabetic() => {
                        self.end_text(node_start, lt, node_open, sink);
                        self.end_tag(lt + 2, sink);
                        return;
                    }
                    Some(b'>') => {
                        // `</>` is dropped without ending the text node.
                        if lt > node_start {
                            sink.text(self.slice(node_start, lt), TextKind::Data, false);
                            node_open = true;
                        }
                        node_start = lt + 3;
                        search = lt + 3;
                    }
                    // `</` at the end of input is text.
                    None => search = lt + 1,
                    Some(_) => {
                        self.end_text(node_start, lt, node_open, sink);
                        self.pos = self.bogus_comment_end(lt + 2);
                        return;
                    }
                },
                Some(b'!') => {
                    self.end_text(node_start, lt, node_open, sink);
                    self.markup_declaration(lt + 2, sink);
                    return;
                }
                Some(b'?') => {
                    self.end_text(node_start, lt, node_open, sink);
                    self.pos = self.bogus_comment_end(lt + 1);
                    return;
                }
                _ => search = lt + 1,
            }
        }
    }

    /// Hands out the rest of a text node and ends it.
    fn end_text(&self, start: usize, end: usize, node_open: bool, sink: &mut impl Sink<'a>) {
        if end > start || node_open {
            sink.text(self.slice(start, end), TextKind::Data, true);
        }
    }

    /// Just after the `>` ending a bogus comment that starts at `at` (or the end of input).
    fn bogus_comment_end(&self, at: usize) -> usize {
        memchr(b'>', &self.bytes[at.min(self.bytes.len())..])
            .map_or(self.bytes.len(), |i| at + i + 1)
    }

    /// `<!` seen; `at` is just after it.
    fn markup_declaration(&mut self, at: usize, sink: &mut impl Sink<'a>) {
        let rest = &self.bytes[at.min(self.bytes.len())..];
        if rest.starts_with(b"--") {
            self.pos = self.comment_end(at + 2);
        } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
            // A `>` ends a doctype anywhere, even inside a quoted identifier.
            self.pos = self.bogus_comment_end(at + 7);
        } else if rest.starts_with(b"[CDATA[") && self.namespace() != Namespace::Html {
            let start = at + 7;
            let (end, after) = match memchr::memmem::find(&self.bytes[start..], b"]]>") {
                Some(i) => (start + i, start + i + 3),
                None => (self.bytes.len(), self.bytes.len()),
            };
            if end > start {
                sink.text(self.slice(start, end), TextKind::Data, true);
            }
            self.pos = after;
        } else {
            self.pos = self.bogus_comment_end(at);
        }
    }

    /// Just after the end of a comment whose text starts at `at` (after `<!--`).
    fn comment_end(&self, at: usize) -> usize {
        let bytes = self.bytes;
        // `<!-->` and `<!--->` are complete (empty) comments.
        if bytes.get(at) == Some(&b'>') {
            return at + 1;
        }
        if bytes.get(at..at + 2) == Some(b"->") {
            return at + 2;
        }
        let mut search = at;
        while let Some(offset) = memchr(b'>', &bytes[search..]) {
            let gt = search + offset;
            let before = &bytes[at..gt];
            if before.ends_with(b"--") || before.ends_with(b"--!") {
                return gt + 1;
            }
            search = gt + 1;
        }
        bytes.len()
    }

    /// Lexes a tag whose name starts at `at`; `None` when the input ends inside it (the
    /// spec drops such a tag). Attributes go to `self.attributes`.
    fn lex_tag(&mut self, at: usize) -> Option<Lexed> {
        let bytes = self.bytes;
        let name_end = name_end(bytes, at, false);
        self.attributes.clear();
        let mut i = name_end;
        loop {
            i = skip_space(bytes, i);
            match *bytes.get(i)? {
                b'>' => {
                    return Some(Lexed {
                        name_end,
                        end: i + 1,
                        self_closing: false,
                    });
                }
                b'/' => {
                    i += 1;
                    if *bytes.get(i)? == b'>' {
                        return Some(Lexed {
                            name_end,
                            end: i + 1,
                            self_closing: true,
                        });
                    }
                    // A stray `/` is dropped; what follows starts the next attribute.
                    continue;
                }
                _ => {}
            }
            // An attribute name may start with `=`.
            let attribute_start = i;
            i = name_end_after_first(bytes, i);
            let attribute_end = i;
            i = skip_space(bytes, i);
            let (value_start, value_end) = if bytes.get(i) == Some(&b'=') {
                i = skip_space(bytes, i + 1);
                match *bytes.get(i)? {
                    quote @ (b'"' | b'\'') => {
                        let start = i + 1;
                        let end = start + memchr(quote, &bytes[start..])?;
                        i = end + 1;
                        (start, end)
                    }
                    b'>' => (i, i),
                    _ => {
                        let start = i;
                        i = scan_to(bytes, i, class::SPACE | class::GREATER);
                        (start, i)
                    }
                }
            } else {
                (i, i)
            };
            if self.attributes.len() < MAX_ATTRIBUTES {
                self.attributes.push(Attribute {
                    name: self.slice(attribute_start, attribute_end),
                    value: self.slice(value_start, value_end),
                });
            }
        }
    }

    /// A start tag whose name starts at `at` (just after `<`).
    fn start_tag(&mut self, at: usize, sink: &mut impl Sink<'a>) {
        let Some(lexed) = self.lex_tag(at) else {
            self.pos = self.bytes.len();
            return;
        };
        self.pos = lexed.end;
        let name = self.slice(at, lexed.name_end);
        let lower = LowerName::in_text(self.bytes, at, lexed.name_end);
        self.mode = Mode::Data;
        // Tree-construction feedback, as a browser's tree builder would give it.
        let ns = self.namespace();
        if lower == names::SVG {
            self.enter(Namespace::Svg);
        } else if lower == names::MATH {
            self.enter(Namespace::MathMl);
        } else if ns != Namespace::Html {
            if leaves_foreign_content(lower) {
                self.leave();
            } else if is_integration_point(ns, lower) {
                if !lexed.self_closing {
                    self.enter(Namespace::Html);
                }
            } else if lower == names::FONT {
                let presentational = self.attributes.iter().any(|a| {
                    ["color", "size", "face"]
                        .iter()
                        .any(|n| a.name.eq_ignore_ascii_case(n))
                });
                if presentational {
                    self.leave();
                }
            } else if ns == Namespace::MathMl
                && lower == names::ANNOTATION_XML
                && !lexed.self_closing
                && self.attributes.iter().any(|a| {
                    a.name.eq_ignore_ascii_case("encoding")
                        && (a.value.eq_ignore_ascii_case("text/html")
                            || a.value.eq_ignore_ascii_case("application/xhtml+xml"))
                })
            {
                self.enter(Namespace::Html);
            }
        } else {
            self.mode = mode_after(lower);
        }
        let can_have_content = if self.namespace() == Namespace::Html {
            !is_void(lower)
        } else {
            !lexed.self_closing
        };
        sink.start_tag(&StartTag {
            name,
            lower,
            attributes: &self.attributes,
            can_have_content,
        });
    }

    /// An end tag whose name starts at `at` (just after `</`).
    fn end_tag(&mut self, at: usize, sink: &mut impl Sink<'a>) {
        let Some(lexed) = self.lex_tag(at) else {
            self.pos = self.bytes.len();
            return;
        };
        self.pos = lexed.end;
        self.mode = Mode::Data;
        let name = self.slice(at, lexed.name_end);
        let lower = LowerName::in_text(self.bytes, at, lexed.name_end);
        let ns = self.namespace();
        if ns == Namespace::Html {
            // Leaving an integration point returns to the foreign content around it.
            let outer = self
                .namespaces
                .len()
                .checked_sub(2)
                .and_then(|i| self.namespaces.get(i).copied());
            let leaves = match outer {
                Some(outer @ Namespace::Svg) => is_integration_point(outer, lower),
                Some(outer @ Namespace::MathMl) => {
                    is_integration_point(outer, lower) || lower == names::ANNOTATION_XML
                }
                _ => false,
            };
            if leaves {
                self.leave();
            }
        } else if (ns == Namespace::Svg && lower == names::SVG)
            || (ns == Namespace::MathMl && lower == names::MATH)
            || lower == names::P
            || lower == names::BR
        {
            self.leave();
        }
        sink.end_tag(name, lower);
    }

    /// RCDATA / RAWTEXT / script data up to `</end_tag`, then that end tag.
    fn raw(&mut self, kind: TextKind, end_tag: &'static str, sink: &mut impl Sink<'a>) {
        let start = self.pos;
        let end = if kind == TextKind::ScriptData {
            self.script_end(start)
        } else {
            self.raw_end(start, end_tag)
        };
        match end {
            Some(lt) => {
                if lt > start {
                    sink.text(self.slice(start, lt), kind, true);
                }
                self.end_tag(lt + 2, sink);
            }
            None => {
                sink.text(self.slice(start, self.bytes.len()), kind, true);
                self.pos = self.bytes.len();
            }
        }
    }

    /// Whether an appropriate end tag (`</` + `name`, then space, `/` or `>`) starts at `lt`.
    fn is_end_tag_at(&self, lt: usize, name: &str) -> bool {
        let bytes = self.bytes;
        let name_at = lt + 2;
        bytes.get(lt + 1) == Some(&b'/')
            && bytes
                .get(name_at..name_at + name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && bytes
                .get(name_at + name.len())
                .is_some_and(|b| is_space(*b) || *b == b'/' || *b == b'>')
    }

    /// The `<` of the end tag closing RCDATA / RAWTEXT that starts at `from`.
    fn raw_end(&self, from: usize, name: &str) -> Option<usize> {
        let mut search = from;
        loop {
            let lt = search + memchr(b'<', &self.bytes[search..])?;
            if self.is_end_tag_at(lt, name) {
                return Some(lt);
            }
            search = lt + 1;
        }
    }

    /// The `<` of the `</script` ending script data that starts at `from`, through the
    /// escape states (`<!--` … `<script>` … `</script>` … `-->` stays script text).
    fn script_end(&self, from: usize) -> Option<usize> {
        let bytes = self.bytes;
        let mut state = ScriptState::Data;
        let mut i = from;
        loop {
            match state {
                ScriptState::Data => {
                    let lt = i + memchr(b'<', &bytes[i..])?;
                    if self.is_end_tag_at(lt, "script") {
                        return Some(lt);
                    }
                    if bytes.get(lt + 1..lt + 4) == Some(b"!--") {
                        state = ScriptState::EscapedDashDash;
                        i = lt + 4;
                    } else {
                        i = lt + 1;
                    }
                }
                ScriptState::Escaped | ScriptState::DoubleEscaped => {
                    let at = i + memchr2(b'-', b'<', &bytes[i..])?;
                    let double = state == ScriptState::DoubleEscaped;
                    if bytes[at] == b'-' {
                        state = if double {
                            ScriptState::DoubleEscapedDash
                        } else {
                            ScriptState::EscapedDash
                        };
                        i = at + 1;
                    } else {
                        (state, i) = self.escaped_less_than(at, double);
                        if state == ScriptState::Data {
                            return Some(at);
                        }
                    }
                }
                ScriptState::EscapedDash
                | ScriptState::EscapedDashDash
                | ScriptState::DoubleEscapedDash
                | ScriptState::DoubleEscapedDashDash => {
                    let double = matches!(
                        state,
                        ScriptState::DoubleEscapedDash | ScriptState::DoubleEscapedDashDash
                    );
                    let dash_dash = matches!(
                        state,
                        ScriptState::EscapedDashDash | ScriptState::DoubleEscapedDashDash
                    );
                    let byte = *bytes.get(i)?;
                    let (escaped, escaped_dash_dash) = if double {
                        (
                            ScriptState::DoubleEscaped,
                            ScriptState::DoubleEscapedDashDash,
                        )
                    } else {
                        (ScriptState::Escaped, ScriptState::EscapedDashDash)
                    };
                    match byte {
                        b'-' => {
                            state = escaped_dash_dash;
                            i += 1;
                        }
                        b'<' => {
                            (state, i) = self.escaped_less_than(i, double);
                            if state == ScriptState::Data {
                                return Some(i);
                            }
                        }
                        b'>' if dash_dash => {
                            state = ScriptState::Data;
                            i += 1;
                        }
                        _ => {
                            state = escaped;
                            i += 1;
                        }
                    }
                }
            }
        }
    }

    /// A `<` at `lt` in (double-)escaped script data: the state and position that follow.
    /// `ScriptState::Data` with `lt` means `lt` starts the end tag of the script.
    fn escaped_less_than(&self, lt: usize, double: bool) -> (ScriptState, usize) {
        let bytes = self.bytes;
        let escaped = if double {
            ScriptState::DoubleEscaped
        } else {
            ScriptState::Escaped
        };
        if !double && self.is_end_tag_at(lt, "script") {
            return (ScriptState::Data, lt);
        }
        // `<script` (escaped) enters double escaping, `</script` (double escaped) leaves it.
        let name_at = match (double, bytes.get(lt + 1)) {
            (false, Some(b)) if b.is_ascii_alphabetic() => lt + 1,
            (true, Some(b'/')) => lt + 2,
            _ => return (escaped, lt + 1),
        };
        let mut end = name_at;
        while bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
            end += 1;
        }
        let terminated = bytes
            .get(end)
            .is_some_and(|b| is_space(*b) || *b == b'/' || *b == b'>');
        if terminated && bytes[name_at..end].eq_ignore_ascii_case(b"script") {
            let next = if double {
                ScriptState::Escaped
            } else {
                ScriptState::DoubleEscaped
            };
            (next, end)
        } else {
            (escaped, end.max(lt + 1))
        }
    }
}

/// The end of an attribute name starting at `at`: its first character may be `=`.
fn name_end_after_first(bytes: &[u8], at: usize) -> usize {
    name_end(bytes, at + 1, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Token {
        Start(String, Vec<(String, String)>, bool),
        End(String),
        Text(String, TextKind, bool),
    }

    #[derive(Default)]
    struct Collect(Vec<Token>);

    impl<'a> Sink<'a> for Collect {
        fn start_tag(&mut self, tag: &StartTag<'_, 'a>) {
            let attributes = tag
                .attributes
                .iter()
                .map(|a| (a.name.to_string(), a.value.to_string()))
                .collect();
            self.0.push(Token::Start(
                tag.name.to_string(),
                attributes,
                tag.can_have_content,
            ));
        }
        fn end_tag(&mut self, name: &'a str, _lower: LowerName) {
            self.0.push(Token::End(name.to_string()));
        }
        fn text(&mut self, text: &'a str, kind: TextKind, last_in_node: bool) {
            self.0
                .push(Token::Text(text.to_string(), kind, last_in_node));
        }
    }

    fn tokens(html: &str) -> Vec<Token> {
        let mut sink = Collect::default();
        Tokenizer::new(html).run(&mut sink);
        sink.0
    }

    fn start(name: &str, attributes: &[(&str, &str)], content: bool) -> Token {
        Token::Start(
            name.to_string(),
            attributes
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            content,
        )
    }

    fn text(text: &str, kind: TextKind) -> Token {
        Token::Text(text.to_string(), kind, true)
    }

    fn end(name: &str) -> Token {
        Token::End(name.to_string())
    }

    /// The 16-byte lower-casing equals a byte at a time, for every byte value in every lane.
    #[test]
    fn lower_names_lower_case_every_byte_like_u8() {
        for byte in 0..=u8::MAX {
            for lane in 0..16 {
                let mut window = [b'x'; 16];
                window[lane] = byte;
                let mut expected = window;
                expected
                    .iter_mut()
                    .for_each(|b| *b = b.to_ascii_lowercase());
                let lowered = ascii_lowercase_bytes(u128::from_le_bytes(window));
                assert_eq!(
                    lowered.to_le_bytes(),
                    expected,
                    "byte {byte:#x} in lane {lane}"
                );
            }
        }
        let text = b"<DiV class=x><SCRIPT>";
        let near_end = LowerName::in_text(text, 14, 20);
        let far = LowerName::in_text(b"<SCRIPT>                ", 1, 7);
        assert_eq!(near_end, far);
        assert_eq!(near_end, names::SCRIPT);
        assert_eq!(LowerName::in_text(text, 1, 4), LowerName::of("div"));
        assert!(!LowerName::in_text(&[b'a'; 40], 0, 17).is_exact());
    }

    #[test]
    fn tags_attributes_and_text() {
        assert_eq!(
            tokens(r#"a<DIV Class="x y" id='z' hidden data-v=1>b</div><br/>c"#),
            vec![
                text("a", TextKind::Data),
                start(
                    "DIV",
                    &[
                        ("Class", "x y"),
                        ("id", "z"),
                        ("hidden", ""),
                        ("data-v", "1")
                    ],
                    true
                ),
                text("b", TextKind::Data),
                end("div"),
                start("br", &[], false),
                text("c", TextKind::Data),
            ]
        );
    }

    #[test]
    fn attribute_edge_states() {
        assert_eq!(
            tokens(r#"<a href = "x>y" =b c= / d=e/f g='h'i>"#),
            vec![start(
                "a",
                &[
                    ("href", "x>y"),
                    ("=b", ""),
                    ("c", "/"),
                    ("d", "e/f"),
                    ("g", "h"),
                    ("i", "")
                ],
                true
            )]
        );
        assert_eq!(
            tokens("<a b=>x"),
            vec![start("a", &[("b", "")], true), text("x", TextKind::Data)]
        );
    }

    #[test]
    fn unfinished_markup_and_stray_less_than() {
        assert_eq!(tokens("a < b <3"), vec![text("a < b <3", TextKind::Data)]);
        assert_eq!(tokens("x<a href=\"y"), vec![text("x", TextKind::Data)]);
        assert_eq!(tokens("x</"), vec![text("x</", TextKind::Data)]);
        assert_eq!(
            tokens("a</>b"),
            vec![
                Token::Text("a".into(), TextKind::Data, false),
                text("b", TextKind::Data)
            ]
        );
    }

    #[test]
    fn comments_doctype_and_bogus_comments_end_text_nodes() {
        assert_eq!(
            tokens("<!DOCTYPE html>a<!-- <p> -- -->b<!-->c<!--->d<?php x ?>e</ x>f<!x>g<!--x--!>h"),
            ["a", "b", "c", "d", "e", "f", "g", "h"]
                .iter()
                .map(|t| text(t, TextKind::Data))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            tokens("a<!-- never closed <p>"),
            vec![text("a", TextKind::Data)]
        );
    }

    #[test]
    fn raw_text_elements() {
        assert_eq!(
            tokens("<title>a<b>&amp;</titlex></TITLE ><style>p{}</p></style><textarea></textarea>"),
            vec![
                start("title", &[], true),
                text("a<b>&amp;</titlex>", TextKind::RcData),
                end("TITLE"),
                start("style", &[], true),
                text("p{}</p>", TextKind::RawText),
                end("style"),
                start("textarea", &[], true),
                end("textarea"),
            ]
        );
        assert_eq!(
            tokens("<noscript><a href=x>y</a></noscript>z"),
            vec![
                start("noscript", &[], true),
                text("<a href=x>y</a>", TextKind::RawText),
                end("noscript"),
                text("z", TextKind::Data),
            ]
        );
        assert_eq!(
            tokens("<plaintext></plaintext><p>"),
            vec![
                start("plaintext", &[], true),
                text("</plaintext><p>", TextKind::PlainText)
            ]
        );
        assert_eq!(
            tokens("<style>never closed"),
            vec![
                start("style", &[], true),
                text("never closed", TextKind::RawText)
            ]
        );
    }

    #[test]
    fn script_end_and_escapes() {
        let script = |body: &str| {
            vec![
                start("script", &[], true),
                text(body, TextKind::ScriptData),
                end("script"),
            ]
        };
        assert_eq!(tokens("<script>a</p>b</script>"), script("a</p>b"));
        assert_eq!(
            tokens("<script>if(a<b)document.write('<\\/script>')</script >"),
            script("if(a<b)document.write('<\\/script>')")
        );
        // Escaped: a `</script>` still ends it.
        assert_eq!(tokens("<script><!-- x </script>"), script("<!-- x "));
        // Double escaped: `<script>` inside `<!--` hides the next `</script>`.
        let body = "<!-- document.write('<script src=x></script>'); -->";
        assert_eq!(tokens(&format!("<script>{body}</script>")), script(body));
        let body = "<!-- <script> --> ";
        assert_eq!(tokens(&format!("<script>{body}</script>")), script(body));
        assert_eq!(tokens("<script><!--></script>"), script("<!-->"));
        assert_eq!(
            tokens("<script>a</scriptx>"),
            vec![
                start("script", &[], true),
                text("a</scriptx>", TextKind::ScriptData)
            ]
        );
    }

    #[test]
    fn foreign_content() {
        assert_eq!(
            tokens("<svg><style>a</style><path/><title>t</title></svg><style>b</style>"),
            vec![
                start("svg", &[], true),
                start("style", &[], true),
                text("a", TextKind::Data),
                end("style"),
                start("path", &[], false),
                start("title", &[], true),
                text("t", TextKind::Data),
                end("title"),
                end("svg"),
                start("style", &[], true),
                text("b", TextKind::RawText),
                end("style"),
            ]
        );
        // An HTML tag ends foreign content; CDATA is text only there.
        assert_eq!(
            tokens("<math><![CDATA[x<y]]><div><![CDATA[z]]>"),
            vec![
                start("math", &[], true),
                text("x<y", TextKind::Data),
                start("div", &[], true),
            ]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Any input: no panic, tokens in document order within the input, bounded count.
        #[test]
        fn arbitrary_input_is_tokenized(input in proptest::string::string_regex(
            "([<>/!?=\"' a-zA-Z-]|script|style|title|svg|math|<!--|-->|\\]\\]>|<!\\[CDATA\\[|é){0,64}"
        ).expect("a valid regex")) {
            let all = tokens(&input);
            let text: usize = all.iter().map(|t| match t {
                Token::Text(t, ..) => t.len(),
                _ => 0,
            }).sum();
            proptest::prop_assert!(text <= input.len());
            proptest::prop_assert!(all.len() <= input.len() + 1);
        }

        #[test]
        fn arbitrary_bytes_are_tokenized(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let input = String::from_utf8_lossy(&bytes);
            let all = tokens(&input);
            proptest::prop_assert!(all.len() <= input.len() + 1);
        }
    }
}

//! Text helpers for the page pass: entity decoding (the tokenizer hands over raw text and
//! attribute values, and a gambling footer is often written as `&#x6FB3;&#x95E8;…`) and
//! bounded, whitespace-collapsing buffers.

use std::borrow::Cow;

/// Named entities worth decoding for analysis; anything else is left as written.
const NAMED: [(&str, char); 9] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", ' '),
    ("copy", '©'),
    ("middot", '·'),
    ("ensp", ' '),
];

/// The longest entity body we try (`#x10FFFF`, `middot`), so a stray `&` costs O(1).
const MAX_ENTITY_BODY: usize = 10;

fn decode_one(body: &str) -> Option<char> {
    if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return Some(char::from_u32(code).unwrap_or('\u{FFFD}'));
    }
    let lower = body.to_ascii_lowercase();
    NAMED
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, c)| *c)
}

/// The first `max` bytes of `text` at most, cut back to a character boundary: for bounding
/// work on untrusted text without splitting a character.
pub(crate) fn clip_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    &text[..end]
}

/// Decodes numeric (`&#x…;`, `&#…;`) and the common named entities. Linear; borrows when
/// there is nothing to decode.
pub fn decode_entities(text: &str) -> Cow<'_, str> {
    // SIMD byte search (`&` is ASCII): most text has no entity at all.
    if memchr::memchr(b'&', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        // Cut at a character boundary: the text after `&` is untrusted and may be
        // multi-byte right at the limit.
        let window = clip_bytes(after, MAX_ENTITY_BODY + 1);
        let decoded = window
            .find(';')
            .and_then(|end| decode_one(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// ASCII whitespace as `char::is_whitespace` sees it (with U+000B, which
/// `u8::is_ascii_whitespace` leaves out).
pub(crate) const fn is_ascii_white_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Whether the UTF-8 lead byte `byte` can start a non-ASCII `char::is_whitespace`
/// character (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000).
const fn may_start_unicode_space(byte: u8) -> bool {
    matches!(byte, 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `word` that may start a whitespace character, as their high bits: a byte
/// below 0x21, 0xC2, or 0xE0–0xE3 (a superset of [`may_start_unicode_space`]; false
/// positives only cost a look). Each test may also flag bytes after its first real hit (a
/// borrow runs upwards), never before it, so the lowest flagged byte is a real candidate.
fn whitespace_candidates(word: u64) -> u64 {
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word;
    let below_0x21 = word.wrapping_sub(ONES * 0x21) & !word;
    let c2 = zero_bytes(word ^ (ONES * 0xC2));
    let e0_to_e3 = zero_bytes((word & (ONES * 0xFC)) ^ (ONES * 0xE0));
    (below_0x21 | c2 | e0_to_e3) & HIGH_BITS
}

const NOT_WHITESPACE: u8 = 0;
const ASCII_WHITESPACE: u8 = 1;
const MAY_START_UNICODE_SPACE: u8 = 2;

/// What a byte may start, for [`whitespace_at`]: one table load per byte rather than two
/// range tests (words between tags are mostly shorter than eight bytes, so looked at byte
/// by byte).
static WHITESPACE_STARTS: [u8; 256] = {
    let mut table = [NOT_WHITESPACE; 256];
    let mut byte = 0;
    while byte < 256 {
        if is_ascii_white_space(byte as u8) {
            table[byte] = ASCII_WHITESPACE;
        } else if may_start_unicode_space(byte as u8) {
            table[byte] = MAY_START_UNICODE_SPACE;
        }
        byte += 1;
    }
    table
};

/// Whether a `char::is_whitespace` character starts at `at` (a character boundary or a
/// continuation byte, which never starts one): its length.
#[inline]
fn whitespace_at(text: &str, at: usize) -> Option<usize> {
    let byte = *text.as_bytes().get(at)?;
    match WHITESPACE_STARTS[usize::from(byte)] {
        NOT_WHITESPACE => None,
        ASCII_WHITESPACE => Some(1),
        _ => {
            let c = text.get(at..)?.chars().next()?;
            c.is_whitespace().then(|| c.len_utf8())
        }
    }
}

/// The next `char::is_whitespace` character in `text`: its offset and length. Eight bytes
/// at a time, going straight to the first byte where one may start: decoding every
/// character was the costliest part of collecting page text.
#[inline]
fn next_whitespace(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(word) = bytes
        .get(at..at + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    {
        let candidates = whitespace_candidates(u64::from_le_bytes(word));
        if candidates == 0 {
            at += 8;
            continue;
        }
        // Little-endian: the lowest set bit is the first flagged byte.
        let candidate = at + (candidates.trailing_zeros() / 8) as usize;
        if let Some(len) = whitespace_at(text, candidate) {
            return Some((candidate, len));
        }
        at = candidate + 1;
    }
    (at..bytes.len())
        .find_map(|candidate| whitespace_at(text, candidate).map(|len| (candidate, len)))
}

/// `text.split(char::is_whitespace)`, faster (see [`next_whitespace`]).
struct WhitespaceSplit<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for WhitespaceSplit<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match next_whitespace(rest) {
            Some((at, len)) => {
                self.rest = Some(&rest[at + len..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

fn split_whitespace_runs(text: &str) -> WhitespaceSplit<'_> {
    WhitespaceSplit { rest: Some(text) }
}

/// A text buffer with a byte cap that collapses runs of whitespace to one space.
#[derive(Debug, Clone, Default)]
pub struct CollapsedText {
    pub text: String,
    cap: usize,
    /// Bytes of text offered after the cap was reached.
    pub dropped: usize,
}

impl CollapsedText {
    pub fn with_cap(cap: usize) -> CollapsedText {
        CollapsedText {
            text: String::new(),
            cap,
            dropped: 0,
        }
    }

    /// An empty buffer with room for `expected` bytes (at most the cap) up front, where the
    /// caller knows about how much text will come: growing it step by step copied it each
    /// time.
    pub fn with_capacity(cap: usize, expected: usize) -> CollapsedText {
        CollapsedText {
            text: String::with_capacity(expected.min(cap)),
            cap,
            dropped: 0,
        }
    }

    /// Full once the cap was reached or something had to be dropped (a character that did
    /// not fit): from then on, text goes elsewhere (the tail).
    pub fn is_full(&self) -> bool {
        self.dropped > 0 || self.text.len() >= self.cap
    }

    /// Empties the buffer for reuse (its capacity stays).
    pub fn clear(&mut self) {
        self.text.clear();
        self.dropped = 0;
    }

    /// Appends `chunk`, collapsing whitespace; returns false once the cap is reached.
    /// Inlined for the chunks it settles at once (a full buffer, indentation between tags,
    /// most text nodes of a page): the call cost more than the work.
    #[inline]
    pub fn push(&mut self, chunk: &str) -> bool {
        if self.is_full() {
            self.dropped += chunk.len();
            return chunk.is_empty();
        }
        if chunk.bytes().all(is_ascii_white_space) {
            // At most one space, which fits (the buffer is not full); nothing for an empty
            // chunk. What `push_words` makes of it, without its loops.
            if !chunk.is_empty() && !self.text.is_empty() && !self.text.ends_with(' ') {
                self.text.push(' ');
            }
            return true;
        }
        self.push_words(chunk)
    }

    /// [`CollapsedText::push`] of a chunk with words in it, into a buffer that is not full.
    #[inline(never)]
    fn push_words(&mut self, chunk: &str) -> bool {
        if self.text.len() + chunk.len() <= self.cap {
            // Everything fits (collapsing never lengthens text): the loop below without its
            // cap checks, for the usual chunk.
            let mut rest = chunk;
            while let Some((at, len)) = next_whitespace(rest) {
                self.text.push_str(&rest[..at]);
                if !self.text.is_empty() && !self.text.ends_with(' ') {
                    self.text.push(' ');
                }
                // The rest of the run (indentation between tags is most text nodes) would
                // each collapse into that one space: skipped here without a search.
                let mut after = at + len;
                while rest
                    .as_bytes()
                    .get(after)
                    .is_some_and(|b| is_ascii_white_space(*b))
                {
                    after += 1;
                }
                rest = &rest[after..];
            }
            self.text.push_str(rest);
            return true;
        }
        let mut consumed = 0;
        for (index, piece) in split_whitespace_runs(chunk).enumerate() {
            if index > 0 && !self.text.is_empty() && !self.text.ends_with(' ') {
                if self.text.len() >= self.cap {
                    self.dropped += chunk.len() - consumed;
                    return false;
                }
                self.text.push(' ');
            }
            let room = self.cap - self.text.len();
            if piece.len() > room {
                let end = (0..=room)
                    .rev()
                    .find(|i| piece.is_char_boundary(*i))
                    .unwrap_or(0);
                self.text.push_str(&piece[..end]);
                self.dropped += chunk.len() - consumed - end;
                return false;
            }
            self.text.push_str(piece);
            // The separator's length does not matter for `dropped` precision.
            consumed += piece.len() + 1;
        }
        true
    }

    /// Separates text nodes so words of adjacent elements do not run together.
    #[inline]
    pub fn separate(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with(' ') && !self.is_full() {
            self.text.push(' ');
        }
    }
}

/// The last `cap` bytes (about) of a text stream: footers sit at the end of big pages.
/// Keeps up to twice the cap and drops the older half when full, so it is amortised linear.
#[derive(Debug, Clone, Default)]
pub struct TailText {
    pub text: String,
    cap: usize,
}

impl TailText {
    pub fn with_cap(cap: usize) -> TailText {
        TailText {
            text: String::new(),
            cap,
        }
    }

    pub fn push(&mut self, chunk: &str) {
        let chunk = if chunk.len() > self.cap {
            let start = chunk.len() - self.cap;
            let start = (start..chunk.len())
                .find(|i| chunk.is_char_boundary(*i))
                .unwrap_or(chunk.len());
            self.text.clear();
            &chunk[start..]
        } else {
            chunk
        };
        for (index, piece) in split_whitespace_runs(chunk).enumerate() {
            if index > 0 && !self.text.is_empty() && !self.text.ends_with(' ') {
                self.text.push(' ');
            }
            self.text.push_str(piece);
        }
        if self.text.len() > 2 * self.cap {
            let cut = self.text.len() - self.cap;
            let cut = (cut..self.text.len())
                .find(|i| self.text.is_char_boundary(*i))
                .unwrap_or(self.text.len());
            self.text.drain(..cut);
        }
    }

    /// The kept tail (at most twice the cap).
    pub fn finish(mut self) -> String {
        if self.text.len() > self.cap {
            let cut = self.text.len() - self.cap;
            let cut = (cut..self.text.len())
                .find(|i| self.text.is_char_boundary(*i))
                .unwrap_or(self.text.len());
            self.text.drain(..cut);
        }
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("Copyright©&#x6FB3;&#x95E8;&#x8461;&#x4EAC;&#x8D4C;&#x573A;"),
            "Copyright©澳门葡京赌场"
        );
        assert_eq!(
            decode_entities("a&amp;b &#20140;ICP &nope; & x"),
            "a&b 京ICP &nope; & x"
        );
        assert_eq!(decode_entities("&#xFFFFFFFFFF;"), "&#xFFFFFFFFFF;");
        assert_eq!(decode_entities("&#55296;"), "\u{FFFD}");
    }

    /// Regression: an `&` followed by multi-byte text that crosses the entity window's byte
    /// limit panicked on a char boundary (a lab hijack page found it).
    #[test]
    fn ampersand_before_multibyte_text_does_not_panic() {
        for prefix in ["", "a", "ab", "abc"] {
            let text = format!("&{prefix}澳门葡京赌场在线娱乐平台");
            assert_eq!(decode_entities(&text), text);
        }
    }

    #[test]
    fn whitespace_split_is_char_is_whitespace_split() {
        for text in [
            "",
            " ",
            "a b\tc\u{0B}d\u{0C}e\r\nf",
            "澳门\u{3000}新葡京\u{A0}x\u{85}y\u{2028}z\u{205F}w\u{1680}v",
            "\u{2030}\u{C3A9}é中文  ",
            "\u{200B}zero-width is not whitespace",
            // Bytes that the eight-byte test flags but that start no whitespace, before
            // real whitespace within the same eight bytes and past them.
            "ab\u{1}cd\u{7F}e f\u{2030}ghijklmn\u{C0}opq\u{3000}rst\0\0\0\0\0\0\0\0\0uv w",
            "\u{E000}\u{E000}\u{E000}\u{E000} \u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}x\u{85}",
        ] {
            let fast: Vec<&str> = split_whitespace_runs(text).collect();
            let slow: Vec<&str> = text.split(char::is_whitespace).collect();
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn whitespace_split_matches_std(
            text in "([ \t\n\u{0B}\u{0C}\r\u{85}\u{A0}\u{1680}\u{2000}\u{2028}\u{205F}\u{3000}\u{2030}\u{C0}\u{E000}]|[a-z]{1,9}|中文|\\PC){0,40}"
        ) {
            let fast: Vec<&str> = split_whitespace_runs(&text).collect();
            let slow: Vec<&str> = text.split(char::is_whitespace).collect();
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    proptest::proptest! {
        /// Chunks that fit and chunks that reach the cap collapse alike: a small and a large
        /// cap keep the same text up to the small one.
        #[test]
        fn collapsing_does_not_depend_on_the_cap(
            chunks in proptest::collection::vec("([ \t\n\u{3000}a-z]|中|\\PC){0,12}", 0..8),
            cap in 1usize..48
        ) {
            let mut small = CollapsedText::with_cap(cap);
            let mut large = CollapsedText::with_cap(4096);
            for chunk in &chunks {
                small.push(chunk);
                large.push(chunk);
            }
            proptest::prop_assert!(large.text.starts_with(&small.text));
            proptest::prop_assert!(small.text.len() <= cap);
            let offered: usize = chunks.iter().map(String::len).sum();
            if offered <= cap {
                proptest::prop_assert_eq!(&small.text, &large.text);
                proptest::prop_assert_eq!(small.dropped, 0);
            }
        }
    }

    #[test]
    fn collapsing_and_caps() {
        let mut text = CollapsedText::with_cap(8);
        assert!(text.push("  a \n\t b  "));
        assert!(!text.push("cdefghij"));
        assert_eq!(text.text, "a b cdef");
        let mut tail = TailText::with_cap(4);
        for chunk in ["abc", "defg", "  hij"] {
            tail.push(chunk);
        }
        assert_eq!(tail.finish(), "hij");
    }
}

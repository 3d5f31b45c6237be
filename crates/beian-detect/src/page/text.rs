//! Text helpers for the page pass: entity decoding (lol_html hands over raw text and
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
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
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

    /// Full once the cap was reached or something had to be dropped (a character that did
    /// not fit): from then on, text goes elsewhere (the tail).
    pub fn is_full(&self) -> bool {
        self.dropped > 0 || self.text.len() >= self.cap
    }

    /// Appends `chunk`, collapsing whitespace; returns false once the cap is reached.
    pub fn push(&mut self, chunk: &str) -> bool {
        if self.is_full() {
            self.dropped += chunk.len();
            return chunk.is_empty();
        }
        if chunk.is_empty() {
            return true;
        }
        let mut consumed = 0;
        for (index, piece) in chunk.split(char::is_whitespace).enumerate() {
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
        for (index, piece) in chunk.split(char::is_whitespace).enumerate() {
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

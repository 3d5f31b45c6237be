//! Light, offline decoding of obfuscated script text — no JS engine.
//!
//! Hijack scripts hide their strings behind `\xNN` / `\uXXXX` escapes, `String.fromCharCode`,
//! `unescape('%..')`, `atob('…')` and the Dean-Edwards packer. Each decoder here recognises
//! one literal form and returns the plain text; nothing is executed. Every step is linear in
//! its input and the total output is capped, so a hostile 10 MB script costs milliseconds.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use memchr::{memchr, memchr2};

use crate::page::text::clip_bytes as prefix;

/// The decoded text one decoding level produces, never more than this many bytes.
pub const MAX_DECODED_BYTES: usize = 2 * 1024 * 1024;
/// At most this many decoded fragments (packer payloads, `atob` literals …) per level.
const MAX_FRAGMENTS: usize = 64;
/// `String.fromCharCode` with more arguments than this is cut (the text is already clear).
const MAX_CHAR_CODES: usize = 64 * 1024;
/// `unescape`/`atob` literals and packer word lists longer than this are not decoded: an
/// unterminated quote must not make every call scan the rest of a huge script.
const MAX_LITERAL_BYTES: usize = 256 * 1024;

/// What one decoding level found.
#[derive(Debug, Default)]
pub struct DecodedLevel {
    /// The input with `\xNN` / `\uXXXX` escapes resolved.
    pub unescaped: String,
    /// Texts recovered from `fromCharCode`, `unescape`, `atob` and packers.
    pub fragments: Vec<String>,
    /// Escapes resolved, and how many of them stood for printable ASCII (obfuscators escape
    /// plain words; bundled libraries escape non-ASCII tables).
    pub escapes: usize,
    pub ascii_escapes: usize,
    pub char_code_calls: usize,
    pub unescape_calls: usize,
    pub atob_calls: usize,
    pub packers: usize,
}

/// The calls the decoders start at.
const FROM_CHAR_CODE: &str = "fromCharCode(";
const UNESCAPE: &str = "unescape(";
const ATOB: &str = "atob(";
const PACKER: &str = "eval(function(p,a,c,k,e,";

/// Searchers for the calls above, built once: most scripts are a few hundred bytes, where
/// building a substring searcher costs more than running it.
static CALL_FINDERS: LazyLock<[Finder<'static>; 4]> =
    LazyLock::new(|| [FROM_CHAR_CODE, UNESCAPE, ATOB, PACKER].map(Finder::new));

/// Runs every decoder over `source` once.
pub fn decode_level(source: &str) -> DecodedLevel {
    let mut level = DecodedLevel::default();
    let (text, escapes, ascii_escapes) = unescape_js(source);
    level.escapes = escapes;
    level.ascii_escapes = ascii_escapes;
    let mut budget = MAX_DECODED_BYTES.saturating_sub(text.len());
    let mut push = |fragment: String, fragments: &mut Vec<String>| {
        if fragments.len() >= MAX_FRAGMENTS || fragment.is_empty() {
            return;
        }
        let fragment = clip_to(fragment, budget);
        budget = budget.saturating_sub(fragment.len());
        if !fragment.is_empty() {
            fragments.push(fragment);
        }
    };
    let [char_code_calls, unescape_calls, atob_calls, packers] = &*CALL_FINDERS;
    for start in find_all(&text, char_code_calls) {
        level.char_code_calls += 1;
        if let Some(decoded) = from_char_code(&text[start + FROM_CHAR_CODE.len()..]) {
            push(decoded, &mut level.fragments);
        }
    }
    for start in find_all(&text, unescape_calls) {
        level.unescape_calls += 1;
        if let Some((literal, _)) = string_literal(
            skip_space(&text[start + UNESCAPE.len()..]),
            MAX_LITERAL_BYTES,
        ) {
            push(percent_decode(&literal), &mut level.fragments);
        }
    }
    for start in find_all(&text, atob_calls) {
        level.atob_calls += 1;
        if let Some((literal, _)) =
            string_literal(skip_space(&text[start + ATOB.len()..]), MAX_LITERAL_BYTES)
            && let Some(bytes) = base64_decode(&literal)
        {
            push(
                String::from_utf8_lossy(&bytes).into_owned(),
                &mut level.fragments,
            );
        }
    }
    for start in find_all(&text, packers) {
        level.packers += 1;
        if let Some(unpacked) = unpack_packer(&text[start..]) {
            push(unpacked, &mut level.fragments);
        }
    }
    level.unescaped = text;
    level
}

/// Byte offsets of the first [`MAX_FRAGMENTS`] occurrences of `finder`'s needle: each one
/// costs a bounded scan, so the count bounds the work on a script made of nothing else.
fn find_all<'a>(text: &'a str, finder: &'a Finder<'static>) -> impl Iterator<Item = usize> + 'a {
    finder.find_iter(text.as_bytes()).take(MAX_FRAGMENTS)
}

fn clip_to(mut text: String, cap: usize) -> String {
    if text.len() > cap {
        let end = (0..=cap)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        text.truncate(end);
    }
    text
}

fn skip_space(text: &str) -> &str {
    text.trim_start()
}

/// Resolves `\xNN`, `\uXXXX` and `\u{…}` escapes; returns the text, the number of escapes
/// and how many of them were printable ASCII. Other backslashes stay as they are.
pub fn unescape_js(source: &str) -> (String, usize, usize) {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len().min(MAX_DECODED_BYTES));
    let (mut escapes, mut ascii) = (0, 0);
    let mut copied_to = 0;
    let mut i = 0;
    // Jump from backslash to backslash: most scripts have none.
    while let Some(offset) = memchr(b'\\', &bytes[i..]) {
        i += offset;
        if i + 1 >= bytes.len() {
            break;
        }
        let decoded = match bytes[i + 1] {
            b'x' => hex_value(bytes.get(i + 2..i + 4)).map(|v| (v, 4)),
            b'u' if bytes.get(i + 2) == Some(&b'{') => {
                let close = bytes[i + 3..].iter().take(7).position(|b| *b == b'}');
                close.and_then(|len| hex_value(bytes.get(i + 3..i + 3 + len)).map(|v| (v, len + 4)))
            }
            b'u' => hex_value(bytes.get(i + 2..i + 6)).map(|v| (v, 6)),
            b'\\' => {
                // An escaped backslash: keep both so `\\x41` is not read as an escape.
                i += 2;
                continue;
            }
            _ => None,
        };
        let Some((value, len)) = decoded else {
            i += 1;
            continue;
        };
        out.push_str(&source[copied_to..i]);
        let ch = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
        out.push(ch);
        escapes += 1;
        if ch.is_ascii_graphic() || ch == ' ' {
            ascii += 1;
        }
        i += len;
        copied_to = i;
        if out.len() > MAX_DECODED_BYTES {
            return (clip_to(out, MAX_DECODED_BYTES), escapes, ascii);
        }
    }
    out.push_str(&source[copied_to..]);
    (clip_to(out, MAX_DECODED_BYTES), escapes, ascii)
}

fn hex_value(digits: Option<&[u8]>) -> Option<u32> {
    let digits = digits?;
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    digits.iter().try_fold(0_u32, |acc, b| {
        (*b as char).to_digit(16).map(|d| acc * 16 + d)
    })
}

/// `String.fromCharCode(104,116,0x74,…)` after the opening parenthesis: the numeric
/// arguments as text; `None` when the first argument is not a number literal.
fn from_char_code(args: &str) -> Option<String> {
    let window = &args.as_bytes()[..args.len().min(MAX_CHAR_CODES * 8)];
    let close = window.iter().position(|b| *b == b')')?;
    let mut out = String::new();
    for raw in args[..close].split(',').take(MAX_CHAR_CODES) {
        let token = raw.trim();
        let value = match token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
        {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => token.parse::<u32>().ok(),
        };
        match value.and_then(char::from_u32) {
            Some(ch) => out.push(ch),
            None => break,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A JS string literal at the start of `text` (quotes `'`, `"` or `` ` ``): its value with
/// simple escapes resolved, and the rest of the text after the closing quote.
pub fn string_literal(text: &str, max_bytes: usize) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let quote = *bytes.first()?;
    if !matches!(quote, b'\'' | b'"' | b'`') {
        return None;
    }
    let mut value = String::new();
    let mut at = 1;
    loop {
        // Plain characters up to the next quote or backslash are copied as one run. The
        // search stops where the value would exceed `max_bytes`: past that the literal is
        // refused anyway, and an unterminated quote must not scan the rest of the script.
        let window = max_bytes.saturating_sub(value.len()) + 1;
        let rest = &bytes[at..];
        let run = memchr2(quote, b'\\', &rest[..rest.len().min(window)])?;
        value.push_str(&text[at..at + run]);
        at += run;
        if bytes[at] == quote {
            return Some((value, &text[at + 1..]));
        }
        let escaped = text[at + 1..].chars().next()?;
        value.push(match escaped {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            other => other,
        });
        if value.len() > max_bytes {
            return None;
        }
        at += 1 + escaped.len_utf8();
    }
}

/// `%3C` and `%u4E2D` sequences of `unescape`.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut raw: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut out = String::new();
    let flush = |raw: &mut Vec<u8>, out: &mut String| {
        out.push_str(&String::from_utf8_lossy(raw));
        raw.clear();
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if bytes.get(i + 1) == Some(&b'u')
                && let Some(v) = hex_value(bytes.get(i + 2..i + 6))
            {
                flush(&mut raw, &mut out);
                out.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER));
                i += 6;
                continue;
            }
            if let Some(v) = hex_value(bytes.get(i + 1..i + 3)) {
                // Two hex digits always fit a byte.
                raw.push(u8::try_from(v).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        raw.push(bytes[i]);
        i += 1;
    }
    flush(&mut raw, &mut out);
    out
}

/// Standard or URL-safe base64, padding optional; `None` on any other character.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

/// Unpacks `eval(function(p,a,c,k,e,d){…}('payload',base,count,'w0|w1|…'.split('|'),0,{}))`
/// starting at `text`: every word of the payload that reads as a number in `base` is
/// replaced by that entry of the word list (the packer's own decoder, done offline).
pub fn unpack_packer(text: &str) -> Option<String> {
    // The argument list follows the function body: `}('` or `}("`.
    let window = prefix(text, 4096);
    let body_end = window.find("}('").or_else(|| window.find("}(\""))?;
    let (payload, rest) = string_literal(&text[body_end + 2..], MAX_DECODED_BYTES / 4)?;
    let mut rest = rest.trim_start().strip_prefix(',')?;
    let base = leading_number(&mut rest)?;
    rest = rest.trim_start().strip_prefix(',')?;
    let _count = leading_number(&mut rest)?;
    rest = rest.trim_start().strip_prefix(',')?;
    let (word_list, _) = string_literal(rest.trim_start(), MAX_LITERAL_BYTES)?;
    if !(2..=62).contains(&base) {
        return None;
    }
    let words: Vec<&str> = word_list.split('|').collect();
    let mut out = String::with_capacity(payload.len() * 2);
    let mut word_start: Option<usize> = None;
    let flush = |out: &mut String, word: &str| match packed_index(word, base)
        .and_then(|i| words.get(i))
        .filter(|w| !w.is_empty())
    {
        Some(replacement) => out.push_str(replacement),
        None => out.push_str(word),
    };
    for (i, ch) in payload.char_indices() {
        let is_word = ch.is_ascii_alphanumeric() || ch == '_';
        match (is_word, word_start) {
            (true, None) => word_start = Some(i),
            (false, Some(start)) => {
                flush(&mut out, &payload[start..i]);
                word_start = None;
                out.push(ch);
            }
            (false, None) => out.push(ch),
            (true, Some(_)) => {}
        }
        if out.len() > MAX_DECODED_BYTES {
            return Some(clip_to(out, MAX_DECODED_BYTES));
        }
    }
    if let Some(start) = word_start {
        flush(&mut out, &payload[start..]);
    }
    Some(out)
}

fn leading_number(text: &mut &str) -> Option<usize> {
    let trimmed = text.trim_start();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    let value = trimmed.get(..digits)?.parse().ok()?;
    *text = &trimmed[digits..];
    Some(value)
}

/// The packer's word index: digits 0-9, a-z (10–35), A-Z (36–61) in `base`.
fn packed_index(word: &str, base: usize) -> Option<usize> {
    if word.len() > 8 {
        return None;
    }
    word.bytes().try_fold(0_usize, |acc, b| {
        let digit = match b {
            b'0'..=b'9' => usize::from(b - b'0'),
            b'a'..=b'z' => usize::from(b - b'a') + 10,
            b'A'..=b'Z' => usize::from(b - b'A') + 36,
            _ => return None,
        };
        (digit < base).then(|| acc * base + digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_resolve_and_count_ascii() {
        let (text, escapes, ascii) = unescape_js(r"'\x72\x65f' + '\u4e2d' + '\\x41' + '\u{1F600}'");
        assert_eq!(text, "'ref' + '中' + '\\\\x41' + '😀'");
        assert_eq!((escapes, ascii), (4, 2));
    }

    #[test]
    fn char_codes_unescape_and_atob() {
        let level = decode_level(
            "String.fromCharCode(104, 0x69); unescape('%3Cscript%20src%3D%u4E2D'); atob('aGk=')",
        );
        assert_eq!(level.fragments, vec!["hi", "<script src=中", "hi"]);
    }

    #[test]
    fn packer_unpacks() {
        let packed = r"eval(function(p,a,c,k,e,d){e=function(c){return c};return p}('0.1(\'2\')',3,3,'window|alert|hi'.split('|'),0,{}))";
        assert_eq!(unpack_packer(packed).as_deref(), Some("window.alert('hi')"));
    }

    #[test]
    fn packer_base_62_indices() {
        assert_eq!(packed_index("Z", 62), Some(61));
        assert_eq!(packed_index("10", 62), Some(62));
        assert_eq!(packed_index("z", 36), Some(35));
        assert_eq!(packed_index("A", 36), None);
    }

    /// The character-by-character reading `string_literal` copies runs of.
    fn string_literal_by_chars(text: &str, max_bytes: usize) -> Option<(String, &str)> {
        let mut chars = text.char_indices();
        let (_, quote) = chars.next()?;
        if !matches!(quote, '\'' | '"' | '`') {
            return None;
        }
        let mut value = String::new();
        let mut escaped = false;
        for (i, ch) in chars {
            if escaped {
                value.push(match ch {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    other => other,
                });
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == quote {
                return Some((value, &text[i + ch.len_utf8()..]));
            } else {
                value.push(ch);
            }
            if value.len() > max_bytes {
                return None;
            }
        }
        None
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        #[test]
        fn literal_runs_read_like_characters(
            text in proptest::string::string_regex("[\'\"`][\'\"`\\\\ntaé中 ]{0,24}")
                .expect("a valid strategy pattern"),
            max_bytes in 0_usize..24,
        ) {
            proptest::prop_assert_eq!(
                string_literal(&text, max_bytes),
                string_literal_by_chars(&text, max_bytes)
            );
        }
    }
}

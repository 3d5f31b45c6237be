//! The one normalisation applied to page text AND to lexicon terms (so both sides agree):
//! hijack templates dodge keyword filters with full-width letters, zero-width characters,
//! spaces or symbols between characters (菠 菜), Chinese numerals (六合彩 / 6合彩),
//! traditional characters (澳門) and homophones (菠菜 = 博彩).

use std::sync::LazyLock;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::matcher::{TermMatcher, TermStart};

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
    )
}

fn is_cjk(c: u32) -> bool {
    matches!(c, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

/// Characters used to break up a word: whitespace, ASCII and CJK punctuation, symbols.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{3000}'..='\u{303F}' // CJK punctuation 、。〈〉《》「」【】
                | '\u{2010}'..='\u{2027}' // dashes, quotes, bullets, …
                | '\u{2030}'..='\u{205E}'
                | '\u{00A0}'..='\u{00BF}'
                | '\u{00D7}'
                | '\u{2190}'..='\u{2BFF}' // arrows, shapes, stars ★ ☆
                | '\u{FE10}'..='\u{FE6F}'
                | '\u{30FB}' // katakana middle dot
        )
}

/// Chinese numerals as the source lists write them (六合彩 → 6合彩, 一夜情 → 1夜情).
/// 十 stays: the lists keep it (十6浦).
fn numeral(c: char) -> Option<char> {
    Some(match c {
        '一' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        _ => return None,
    })
}

/// Traditional → simplified for the characters our terms use (not a general converter).
fn simplified(c: char) -> char {
    match c {
        '門' => '门',
        '賭' => '赌',
        '場' => '场',
        '娛' => '娱',
        '樂' => '乐',
        '國' => '国',
        '際' => '际',
        '網' => '网',
        '體' => '体',
        '開' => '开',
        '雲' => '云',
        '亞' => '亚',
        '萬' => '万',
        '偉' => '伟',
        '陽' => '阳',
        '視' => '视',
        '訊' => '讯',
        '電' => '电',
        '遊' => '游',
        '藝' => '艺',
        '魚' => '鱼',
        '註' => '注',
        '滾' => '滚',
        '時' => '时',
        '發' => '发',
        '財' => '财',
        '龍' => '龙',
        '會' => '会',
        '線' => '线',
        '現' => '现',
        '錢' => '钱',
        '贏' => '赢',
        '寶' => '宝',
        '號' => '号',
        '碼' => '码',
        '機' => '机',
        '輪' => '轮',
        '盤' => '盘',
        '莊' => '庄',
        '買' => '买',
        '賣' => '卖',
        '單' => '单',
        '亂' => '乱',
        '倫' => '伦',
        '約' => '约',
        '頻' => '频',
        '愛' => '爱',
        '無' => '无',
        '黃' => '黄',
        '陰' => '阴',
        '賺' => '赚',
        '獎' => '奖',
        '戲' => '戏',
        '籌' => '筹',
        '幣' => '币',
        '紅' => '红',
        '華' => '华',
        '選' => '选',
        '導' => '导',
        '擔' => '担',
        '費' => '费',
        '戶' => '户',
        '銀' => '银',
        '辦' => '办',
        '證' => '证',
        '貸' => '贷',
        '騙' => '骗',
        '殺' => '杀',
        '豬' => '猪',
        '鴨' => '鸭',
        '攝' => '摄',
        '夠' => '够',
        '鬥' => '斗',
        '臺' => '台',
        '灣' => '湾',
        other => other,
    }
}

/// Homophone and shape-alike swaps, applied on the normalised stream: (first, second, replacement).
const SWAPS: [(char, char, &str); 2] = [('菠', '菜', "博彩"), ('波', '菜', "博彩")];

/// The common CJK block, where page text lives.
const IDEOGRAPHS: std::ops::RangeInclusive<char> = '\u{4E00}'..='\u{9FFF}';

/// Whether `numeral`, `simplified` or a swap may change the ideograph `c`.
fn is_mapped_ideograph(c: char) -> bool {
    numeral(c).is_some() || simplified(c) != c || SWAPS.iter().any(|(_, second, _)| *second == c)
}

/// Words of a bitmap with one bit per code point of the Basic Multilingual Plane: any
/// character decoded from three bytes has a bit, without a bounds check.
const BMP_WORDS: usize = 0x1_0000 / 64;

fn set_bit(bits: &mut [u64; BMP_WORDS], c: char) {
    let code = u32::from(c) as usize;
    bits[code / 64] |= 1 << (code % 64);
}

/// Whether the bit of code point `code` (at most 16 bits) is set.
#[inline]
fn has_bit(bits: &[u64; BMP_WORDS], code: u32) -> bool {
    let index = code as usize;
    bits[index / 64] & (1 << (index % 64)) != 0
}

/// Set for the three-byte characters that normalisation writes as they are: the
/// ideographs of [`IDEOGRAPHS`] that no table or swap changes, and U+FFFD (text decoded
/// from the wrong encoding is full of it). Built once (8 KB); page text is mostly such
/// characters and ASCII, and one bit test spares them the table lookups and NFKC.
static KEPT: LazyLock<[u64; BMP_WORDS]> = LazyLock::new(|| {
    let mut bits = [0u64; BMP_WORDS];
    IDEOGRAPHS
        .filter(|c| !is_mapped_ideograph(*c))
        .chain([char::REPLACEMENT_CHARACTER])
        .for_each(|c| set_bit(&mut bits, c));
    bits
});

/// Set for the three-byte separators ([`is_separator`]) that NFKC leaves as they are
/// (、。《》“” — not U+3000, which NFKC makes a space), in the blocks where Chinese text
/// takes its punctuation: they need no NFKC.
static SEPARATORS: LazyLock<[u64; BMP_WORDS]> = LazyLock::new(|| {
    let mut bits = [0u64; BMP_WORDS];
    ('\u{2000}'..='\u{2BFF}')
        .chain('\u{3000}'..='\u{303F}')
        .chain('\u{FE10}'..='\u{FE6F}')
        .chain(['\u{30FB}'])
        .filter(|c| {
            !is_zero_width(*c)
                && is_separator(*c)
                && is_nfkc_quick(std::iter::once(*c)) == IsNormalized::Yes
        })
        .for_each(|c| set_bit(&mut bits, c));
    bits
});

/// Normalised text, and the byte offsets in it where a lexicon term may start.
#[derive(Default)]
pub(crate) struct MarkedText {
    pub text: String,
    /// Ascending; every offset where the matcher's pair filter says a term may start (a
    /// superset of where one does), with the pair written there.
    pub term_starts: Vec<TermStart>,
}

/// What normalisation notes about the characters it writes: each is given, as a code point,
/// with the one written before it (a code point and its byte offset in the output).
trait Marker {
    /// The last character written and its offset, if it is tracked.
    fn last_written(&self) -> Option<(u32, usize)>;
    fn set_last_written(&mut self, last: Option<(u32, usize)>);
    /// `c` is written right after `before`.
    fn pair(&mut self, before: (u32, usize), c: u32);

    /// `c` is written at byte offset `at` of the output.
    #[inline]
    fn written(&mut self, c: u32, at: usize) {
        if let Some(before) = self.last_written() {
            self.pair(before, c);
        }
        self.set_last_written(Some((c, at)));
    }
}

/// Plain normalisation ([`normalise_for_lexicon`]): nothing to note.
struct NoMarks;

impl Marker for NoMarks {
    #[inline]
    fn last_written(&self) -> Option<(u32, usize)> {
        None
    }

    #[inline]
    fn set_last_written(&mut self, _: Option<(u32, usize)>) {}

    #[inline]
    fn pair(&mut self, _: (u32, usize), _: u32) {}
}

/// Tests every character written, with the one written before it, against the matcher's
/// filter of term-start pairs, so the matcher need not decode the text again to find where
/// terms may start (it was a second walk over all page text).
struct TermStarts<'m> {
    matcher: &'m TermMatcher,
    starts: Vec<TermStart>,
    last_written: Option<(u32, usize)>,
}

impl Marker for TermStarts<'_> {
    #[inline]
    fn last_written(&self) -> Option<(u32, usize)> {
        self.last_written
    }

    #[inline]
    fn set_last_written(&mut self, last: Option<(u32, usize)>) {
        self.last_written = last;
    }

    /// The pair `c` ends may start a term where `before` was written.
    #[inline]
    fn pair(&mut self, (before, before_at): (u32, usize), c: u32) {
        if let Some(pair) = self.matcher.pair_may_start(before, c) {
            match self.starts.last_mut() {
                // After a swap, the character before the replacement is tested again, with
                // the replacement: the pair there is now this one.
                Some(last) if last.at == before_at => last.pair = pair,
                _ => self.starts.push(TermStart {
                    at: before_at,
                    pair,
                }),
            }
        }
    }
}

/// Builds the normalised string one character at a time.
struct Normaliser<M> {
    out: String,
    pending_separator: bool,
    last: Option<char>,
    marks: M,
}

impl<M: Marker> Normaliser<M> {
    fn new(capacity: usize, marks: M) -> Normaliser<M> {
        Normaliser {
            out: String::with_capacity(capacity),
            pending_separator: false,
            last: None,
            marks,
        }
    }

    /// Writes one character.
    fn write(&mut self, c: char) {
        self.marks.written(u32::from(c), self.out.len());
        self.out.push(c);
    }

    /// Letters and digits, the bulk of ASCII text: nothing to strip, map or swap.
    fn feed_ascii_alphanumeric(&mut self, c: char) {
        let c = c.to_ascii_lowercase();
        self.separate_before(c);
        self.write(c);
        self.last = Some(c);
    }

    /// A pending separator becomes one space, except between CJK characters (and digits
    /// next to them), where it is a trick to break up a word (菠 菜, 6 合 彩).
    fn separate_before(&mut self, c: char) {
        if self.pending_separator {
            self.pending_separator = false;
            if !self
                .last
                .is_some_and(|last| glues(u32::from(last), u32::from(c)))
            {
                self.write(' ');
            }
        }
    }

    fn feed(&mut self, c: char) {
        if c.is_ascii_alphanumeric() {
            self.feed_ascii_alphanumeric(c);
            return;
        }
        if is_zero_width(c) {
            return;
        }
        if is_separator(c) {
            self.pending_separator = self.last.is_some();
            return;
        }
        self.feed_mapped(c);
    }

    /// A character that is neither zero-width nor a separator (CJK ideographs always).
    fn feed_mapped(&mut self, c: char) {
        let c = numeral(c).unwrap_or_else(|| simplified(c.to_ascii_lowercase()));
        self.separate_before(c);
        if let Some(&(_, _, replacement)) = SWAPS
            .iter()
            .find(|(first, second, _)| self.last == Some(*first) && c == *second)
        {
            self.out.pop();
            // The replacement follows the character before the one it replaces.
            let at = self.out.len();
            let previous = self.out.chars().next_back();
            self.marks
                .set_last_written(previous.map(|b| (u32::from(b), at - b.len_utf8())));
            replacement.chars().for_each(|r| self.write(r));
            self.last = replacement.chars().last();
            return;
        }
        self.write(c);
        self.last = Some(c);
    }

    /// Normalises `text` onto what was written so far, as if it followed it in one string
    /// (characters are normalised one at a time, so this is the same).
    fn push_text(&mut self, text: &str) {
        let tables = Tables {
            kept: &KEPT,
            separators: &SEPARATORS,
        };
        let mut at = 0;
        while at < text.len() {
            at = self.push_simple(text, at, &tables);
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            if IDEOGRAPHS.contains(&c) {
                // Not in `KEPT`: a table or swap may change it.
                self.feed_mapped(c);
            } else if let Some(ascii) = fullwidth_ascii(c) {
                self.feed(ascii);
            } else {
                std::iter::once(c).nfkc().for_each(|d| self.feed(d));
            }
        }
    }

    /// Normalises the stretch of simple characters of `text` that starts at `start` —
    /// ASCII, and the three-byte characters of [`KEPT`] and [`SEPARATORS`] — and returns
    /// where it ends: at the end of `text`, or at a character of another kind.
    ///
    /// Page text is mostly such stretches, and this is what [`Normaliser::feed`] does for
    /// them, without its tests: the characters written as they are (all but capitals,
    /// separators and the spaces that replace them) are copied as slices of `text`
    /// (decoding and encoding every character again was the most expensive part of
    /// normalising), and runs of them go through [`walk_as_is`].
    fn push_simple(&mut self, text: &str, start: usize, tables: &Tables) -> usize {
        let bytes = text.as_bytes();
        // `text[copy_from..at]` is written as it is, at `out.len()`, before anything else is.
        let mut copy_from = start;
        let mut at = start;
        while let Some(&lead) = bytes.get(at) {
            // The character at `at` as written, and whether it is written as it is.
            let (c, as_is) = match ASCII_CLASSES.get(usize::from(lead)) {
                Some(AsciiClass::Kept) => (u32::from(lead), true),
                Some(AsciiClass::Upper) => (u32::from(lead.to_ascii_lowercase()), false),
                Some(AsciiClass::Separator) => {
                    self.separator(text, copy_from, at);
                    at += 1;
                    copy_from = at;
                    continue;
                }
                None => match three_byte_char(bytes, at) {
                    Some(c) if has_bit(tables.kept, c) => (c, true),
                    Some(c) if has_bit(tables.separators, c) => {
                        self.separator(text, copy_from, at);
                        at += 3;
                        copy_from = at;
                        continue;
                    }
                    _ => break,
                },
            };
            if self.pending_separator {
                // What `separate_before` does; nothing is waiting to be copied, since the
                // separator was not.
                self.pending_separator = false;
                if !self.last.is_some_and(|last| glues(u32::from(last), c)) {
                    self.write(' ');
                }
            }
            let len = if c < 0x80 { 1 } else { 3 };
            if !as_is {
                self.out.push_str(&text[copy_from..at]);
                copy_from = at + len;
                // Only capitals are not written as they are.
                self.write(char::from(lead.to_ascii_lowercase()));
            } else {
                let c_at = self.out.len() + at - copy_from;
                self.marks.written(c, c_at);
            }
            // A character at input offset `i` is (or will be) at `out.len() + i - copy_from`
            // in `out`, summed before subtracting: after a capital, `copy_from` is past it.
            let (end, last, last_at) = walk_as_is(bytes, at + len, tables.kept, (c, at), |pair| {
                let ((before, before_at), c) = pair;
                let before_out = self.out.len() + before_at - copy_from;
                self.marks.pair((before, before_out), c);
            });
            if end != at + len {
                self.marks
                    .set_last_written(Some((last, self.out.len() + last_at - copy_from)));
            }
            // Simple characters are valid scalar values.
            self.last = char::from_u32(last);
            at = end;
        }
        self.out.push_str(&text[copy_from..at]);
        at
    }

    /// A separator at `at` in [`Normaliser::push_simple`], where `text[copy_from..at]` waits
    /// to be copied.
    fn separator(&mut self, text: &str, copy_from: usize, at: usize) {
        self.out.push_str(&text[copy_from..at]);
        self.pending_separator = self.last.is_some();
    }
}

/// The bitmaps [`Normaliser::push_simple`] tests.
struct Tables<'t> {
    kept: &'t [u64; BMP_WORDS],
    separators: &'t [u64; BMP_WORDS],
}

/// Walks the characters written as they are — ASCII letters, digits and control
/// characters, and the three-byte characters of [`KEPT`] — from `at`, calling `pair` for
/// each with the one before it (code points and input offsets; `previous` is the one
/// before `at`). Returns where the walk stopped, and the last character walked (`previous`
/// if none).
#[inline]
fn walk_as_is(
    bytes: &[u8],
    mut at: usize,
    kept: &[u64; BMP_WORDS],
    previous: (u32, usize),
    mut pair: impl FnMut(((u32, usize), u32)),
) -> (usize, u32, usize) {
    let (mut last, mut last_at) = previous;
    while let Some(&lead) = bytes.get(at) {
        let (c, len) = if lead.is_ascii() {
            if ASCII_CLASSES[usize::from(lead)] != AsciiClass::Kept {
                break;
            }
            (u32::from(lead), 1)
        } else if let Some(c) = three_byte_char(bytes, at)
            && has_bit(kept, c)
        {
            (c, 3)
        } else {
            break;
        };
        pair(((last, last_at), c));
        (last, last_at) = (c, at);
        at += len;
    }
    (at, last, last_at)
}

/// Whether a separator between `last` and `c` (code points) is dropped: CJK characters
/// and the digits next to them are glued (菠 菜 → 菠菜, 6 合 彩 → 6合彩).
#[inline]
fn glues(last: u32, c: u32) -> bool {
    let digit = |x: u32| (u32::from(b'0')..=u32::from(b'9')).contains(&x);
    match (is_cjk(last), is_cjk(c)) {
        (true, true) => true,
        (true, false) => digit(c),
        (false, true) => digit(last),
        (false, false) => false,
    }
}

/// What normalisation does with an ASCII character (see [`ASCII_CLASSES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AsciiClass {
    /// Written as it is: lower-case letters, digits, and the control characters that are not
    /// whitespace (neither a table nor a swap changes them).
    Kept,
    /// Written lower-cased.
    Upper,
    /// Whitespace and punctuation ([`is_separator`]).
    Separator,
}

/// The class of each ASCII character (checked against [`Normaliser::feed`] by a test).
const ASCII_CLASSES: [AsciiClass; 128] = {
    let mut classes = [AsciiClass::Kept; 128];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        classes[byte] = if b.is_ascii_uppercase() {
            AsciiClass::Upper
        } else if b.is_ascii_punctuation() || matches!(b, b' ' | b'\t'..=b'\r') {
            // `char::is_whitespace` in ASCII: space, tab, line feed, vertical tab, form feed
            // and carriage return.
            AsciiClass::Separator
        } else {
            AsciiClass::Kept
        };
        byte += 1;
    }
    classes
};

/// Normalises text for lexicon matching: NFKC (full → half width), lower-case ASCII,
/// zero-width characters removed, separators between CJK characters dropped (菠 菜 → 菠菜)
/// and other separator runs collapsed to one space, Chinese numerals → digits, a small
/// traditional → simplified table, 菠菜 → 博彩. Linear in the input.
///
/// NFKC runs per character and only on characters it can change: page text is mostly ASCII
/// and CJK ideographs, which NFKC leaves alone, and full NFKC was the most expensive step
/// of page analysis. Per-character NFKC does not recompose combining sequences across
/// characters, which the lexicon (CJK and ASCII terms) does not need.
pub fn normalise_for_lexicon(text: &str) -> String {
    let mut normaliser = Normaliser::new(text.len(), NoMarks);
    normaliser.push_text(text);
    normaliser.out
}

/// [`normalise_for_lexicon`], also marking where `matcher`'s terms may start.
#[cfg(test)]
pub(crate) fn normalise_marking_term_starts(text: &str, matcher: &TermMatcher) -> MarkedText {
    normalise_parts_marking_term_starts(&[text], matcher)
}

/// [`normalise_marking_term_starts`] of the concatenation of `parts`, without building it.
pub(crate) fn normalise_parts_marking_term_starts(
    parts: &[&str],
    matcher: &TermMatcher,
) -> MarkedText {
    let mut marked = MarkedText::default();
    normalise_parts_into(parts, matcher, &mut marked);
    marked
}

/// [`normalise_parts_marking_term_starts`] into `marked`, whose buffers are reused.
pub(crate) fn normalise_parts_into(parts: &[&str], matcher: &TermMatcher, marked: &mut MarkedText) {
    let capacity: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = std::mem::take(&mut marked.text);
    out.clear();
    out.reserve(capacity);
    let mut starts = std::mem::take(&mut marked.term_starts);
    starts.clear();
    // Past the few first pushes, growing the list cost more than the spare room: page text
    // has a marked start every 20 to 30 bytes.
    starts.reserve(capacity / 16 + 4);
    let marks = TermStarts {
        matcher,
        starts,
        last_written: None,
    };
    let mut normaliser = Normaliser {
        out,
        pending_separator: false,
        last: None,
        marks,
    };
    for part in parts {
        normaliser.push_text(part);
    }
    marked.text = normaliser.out;
    marked.term_starts = normaliser.marks.starts;
}

/// The code point of the character at `at` when it has three bytes (at most 16 bits).
#[inline]
fn three_byte_char(bytes: &[u8], at: usize) -> Option<u32> {
    // `bytes` is UTF-8: a three-byte lead is followed by two continuation bytes.
    let &[lead @ 0xE0..=0xEF, second, third, ..] = bytes.get(at..)? else {
        return None;
    };
    Some((u32::from(lead & 0x0F) << 12) | (u32::from(second & 0x3F) << 6) | u32::from(third & 0x3F))
}

/// NFKC of the full-width forms of ASCII (U+FF01–U+FF5E: `，：（）` in Chinese text), which
/// is the ASCII character itself: these are common enough that the general NFKC step for
/// them was a visible cost.
fn fullwidth_ascii(c: char) -> Option<char> {
    ('\u{FF01}'..='\u{FF5E}')
        .contains(&c)
        .then(|| char::from_u32(u32::from(c) - 0xFEE0))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normalisation without the shortcuts (simple stretches, kept characters, the
    /// separator and ASCII tables): every character through `feed`.
    fn normalise_by_char(text: &str) -> String {
        let mut normaliser = Normaliser::new(text.len(), NoMarks);
        for c in text.chars() {
            if c.is_ascii() {
                normaliser.feed(c);
            } else if IDEOGRAPHS.contains(&c) {
                normaliser.feed_mapped(c);
            } else {
                std::iter::once(c).nfkc().for_each(|d| normaliser.feed(d));
            }
        }
        normaliser.out
    }

    #[test]
    fn fullwidth_ascii_is_its_nfkc() {
        for c in '\u{FF01}'..='\u{FF5E}' {
            let nfkc: Vec<char> = std::iter::once(c).nfkc().collect();
            assert_eq!(fullwidth_ascii(c).map(|a| vec![a]), Some(nfkc), "{c}");
        }
        assert_eq!(fullwidth_ascii('\u{FF5F}'), None);
        assert_eq!(fullwidth_ascii('a'), None);
    }

    /// The bitmap shortcut gives what the table lookups give, for every ideograph, alone,
    /// after a swap's first character and among others.
    #[test]
    fn plain_ideographs_are_unchanged_by_the_tables() {
        for c in IDEOGRAPHS {
            for text in [format!("{c}"), format!("菠{c}"), format!("澳{c}门 {c}a{c}")] {
                assert_eq!(
                    normalise_for_lexicon(&text),
                    normalise_by_char(&text),
                    "{c}"
                );
            }
        }
    }

    /// Every character of the Basic Multilingual Plane, whichever path it takes (ASCII
    /// classes, kept characters, separators, full width, NFKC), in contexts that reach the
    /// separator and swap rules.
    #[test]
    fn every_bmp_character_normalises_like_the_reference() {
        for c in '\0'..='\u{FFFF}' {
            for text in [
                format!("{c}"),
                format!("a {c} 1"),
                format!("菠{c}菜"),
                format!("澳 {c}{c}6 X{c}"),
            ] {
                assert_eq!(
                    normalise_for_lexicon(&text),
                    normalise_by_char(&text),
                    "{:?}",
                    c
                );
            }
        }
    }

    #[test]
    fn the_tables_hold_what_they_say() {
        for byte in 0..128u8 {
            let c = char::from(byte);
            let class = ASCII_CLASSES[usize::from(byte)];
            assert_eq!(class == AsciiClass::Upper, c.is_ascii_uppercase(), "{c:?}");
            assert_eq!(class == AsciiClass::Separator, is_separator(c), "{c:?}");
        }
        assert!(has_bit(&KEPT, 0x4E2D), "中");
        assert!(!has_bit(&KEPT, u32::from('門')));
        assert!(
            !has_bit(&KEPT, u32::from('菜')),
            "the second character of a swap"
        );
        assert!(has_bit(&KEPT, u32::from(char::REPLACEMENT_CHARACTER)));
        for c in ['、', '。', '《', '“', '—'] {
            assert!(has_bit(&SEPARATORS, u32::from(c)), "{c}");
        }
        // NFKC makes it a space: not a separator as it is.
        assert!(!has_bit(&SEPARATORS, 0x3000));
    }

    proptest::proptest! {
        #[test]
        fn the_shortcut_normalises_like_the_tables(
            text in "([a-zA-Z0-9 ,.★\u{3000}\u{200B}\u{FFFD}]|菠|菜|六|門|澳|葡|京|赌|场|、|。|“|ＢＥＴ|\\PC){0,40}"
        ) {
            proptest::prop_assert_eq!(normalise_for_lexicon(&text), normalise_by_char(&text));
        }

        /// Normalising parts one after the other is normalising their concatenation.
        #[test]
        fn parts_normalise_like_their_concatenation(
            parts in proptest::collection::vec(
                "([a-zA-Z0-9 ,.★\u{200B}]|菠|菜|六|澳|门|赌|场|、|ＢＥＴ|\\PC){0,8}",
                0..4,
            )
        ) {
            let terms = ["澳门", "赌场", "博彩", "6合", "bet", "a b", "1 2"];
            let matcher = TermMatcher::new(terms.iter().copied());
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let joined = parts.concat();
            let whole = normalise_marking_term_starts(&joined, &matcher);
            let in_parts = normalise_parts_marking_term_starts(&parts, &matcher);
            proptest::prop_assert_eq!(&in_parts.text, &whole.text);
            proptest::prop_assert_eq!(&in_parts.term_starts, &whole.term_starts);
        }
    }

    #[test]
    fn normalisation_cases() {
        assert_eq!(normalise_for_lexicon("ＢＥＴ３６５"), "bet365");
        assert_eq!(normalise_for_lexicon("百\u{200B}家\u{FEFF}乐"), "百家乐");
        assert_eq!(normalise_for_lexicon("菠 菜 导 航"), "博彩导航");
        assert_eq!(normalise_for_lexicon("六合彩"), "6合彩");
        assert_eq!(normalise_for_lexicon("六 合 彩"), "6合彩");
        assert_eq!(normalise_for_lexicon("澳門新葡京"), "澳门新葡京");
        assert_eq!(normalise_for_lexicon("真★人★视★讯"), "真人视讯");
        assert_eq!(normalise_for_lexicon("hello,  world"), "hello world");
        assert_eq!(normalise_for_lexicon("  a"), "a");
    }
}

//! The one normalisation applied to page text AND to lexicon terms (so both sides agree):
//! hijack templates dodge keyword filters with full-width letters, zero-width characters,
//! spaces or symbols between characters (菠 菜), Chinese numerals (六合彩 / 6合彩),
//! traditional characters (澳門) and homophones (菠菜 = 博彩).

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

use super::matcher::TermMatcher;

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
    )
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
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

/// One bit per character of [`IDEOGRAPHS`]: set when `numeral`, `simplified` or a swap may
/// change it. Built once (2.6 KB); most ideographs are left as they are, and this spares
/// them the table lookups.
static MAPPED_IDEOGRAPHS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let first = u32::from(*IDEOGRAPHS.start());
    let mut bits = vec![0u64; (u32::from(*IDEOGRAPHS.end()) - first) as usize / 64 + 1];
    for c in IDEOGRAPHS {
        let swapped = SWAPS.iter().any(|(_, second, _)| *second == c);
        if numeral(c).is_some() || simplified(c) != c || swapped {
            let at = (u32::from(c) - first) as usize;
            bits[at / 64] |= 1 << (at % 64);
        }
    }
    bits
});

/// Whether the character `offset` places after the start of [`IDEOGRAPHS`] is an ideograph
/// kept as it is (`mapped`: [`MAPPED_IDEOGRAPHS`]); false past the end of the block.
fn is_plain_ideograph(mapped: &[u64], offset: usize) -> bool {
    mapped
        .get(offset / 64)
        .is_some_and(|word| word & (1 << (offset % 64)) == 0)
}

/// Normalised text, and the byte offsets in it where a lexicon term may start.
pub(crate) struct MarkedText {
    pub text: String,
    /// Ascending; every offset where the matcher's pair filter says a term may start (a
    /// superset of where one does).
    pub term_starts: Vec<usize>,
}

/// Builds the normalised string one character at a time.
struct Normaliser<'m> {
    out: String,
    pending_separator: bool,
    last: Option<char>,
    /// When set, every character written is tested, with the one written before it, against
    /// the matcher's filter of term-start pairs, so the matcher need not decode the text
    /// again to find where terms may start (it was a second walk over all page text).
    matcher: Option<&'m TermMatcher>,
    term_starts: Vec<usize>,
    /// The last character written to `out` and its offset (only tracked with a matcher).
    last_written: Option<(char, usize)>,
}

impl Normaliser<'_> {
    fn new(capacity: usize, matcher: Option<&TermMatcher>) -> Normaliser<'_> {
        Normaliser {
            out: String::with_capacity(capacity),
            pending_separator: false,
            last: None,
            matcher,
            term_starts: Vec::new(),
            last_written: None,
        }
    }

    /// Writes one character.
    fn write(&mut self, c: char) {
        self.mark(c, self.out.len());
        self.out.push(c);
    }

    /// Notes that `c` is written at `at`: the pair it ends may start a term where the
    /// character before it was written.
    #[inline]
    fn mark(&mut self, c: char, at: usize) {
        if let Some(matcher) = self.matcher {
            if let Some((before, before_at)) = self.last_written
                && matcher.pair_may_start(u32::from(before), u32::from(c))
                && self.term_starts.last() != Some(&before_at)
            {
                self.term_starts.push(before_at);
            }
            self.last_written = Some((c, at));
        }
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
            let joins = |x: char| is_cjk(x) || x.is_ascii_digit();
            let glue = self
                .last
                .is_some_and(|l| joins(l) && joins(c) && (is_cjk(l) || is_cjk(c)));
            if !glue {
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
            if self.matcher.is_some() {
                // The replacement follows the character before the one it replaces.
                let at = self.out.len();
                self.last_written = self.out.chars().next_back().map(|b| (b, at - b.len_utf8()));
            }
            replacement.chars().for_each(|r| self.write(r));
            self.last = replacement.chars().last();
            return;
        }
        self.write(c);
        self.last = Some(c);
    }
}

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
    normalise(text, None).text
}

/// [`normalise_for_lexicon`], also marking where `matcher`'s terms may start.
pub(crate) fn normalise_marking_term_starts(text: &str, matcher: &TermMatcher) -> MarkedText {
    normalise(text, Some(matcher))
}

fn normalise(text: &str, matcher: Option<&TermMatcher>) -> MarkedText {
    let mut normaliser = Normaliser::new(text.len(), matcher);
    let mapped: &[u64] = &MAPPED_IDEOGRAPHS;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < text.len() {
        if let Some((first_code, first_len)) = plain_char(bytes, at, mapped) {
            at = normaliser.copy_plain_run(text, at, first_code, first_len, mapped);
            continue;
        }
        let lead = bytes[at];
        if lead.is_ascii() {
            // Spaces, punctuation and capitals: no character to decode.
            normaliser.feed(char::from(lead));
            at += 1;
            continue;
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        at += c.len_utf8();
        if IDEOGRAPHS.contains(&c) {
            // Not plain (a plain one would have started a run): a table or swap may change it.
            normaliser.feed_mapped(c);
        } else if let Some(ascii) = fullwidth_ascii(c) {
            normaliser.feed(ascii);
        } else {
            std::iter::once(c).nfkc().for_each(|d| normaliser.feed(d));
        }
    }
    MarkedText {
        text: normaliser.out,
        term_starts: normaliser.term_starts,
    }
}

impl Normaliser<'_> {
    /// Copies the run of plain characters (see [`plain_char`]) that starts at `at` with the
    /// character `first_code` of `first_len` bytes, and returns where the run ends. Page
    /// text is mostly such runs; copying them whole instead of decoding and re-encoding every
    /// character halved the cost of normalising.
    fn copy_plain_run(
        &mut self,
        text: &str,
        at: usize,
        first_code: u32,
        first_len: usize,
        mapped: &[u64],
    ) -> usize {
        let bytes = text.as_bytes();
        // Plain characters are ASCII or ideographs, all valid scalar values.
        let first = char::from_u32(first_code).unwrap_or(char::REPLACEMENT_CHARACTER);
        // What `feed` does before each of these characters, done once for the run.
        self.separate_before(first);
        let out_start = self.out.len();
        self.mark(first, out_start);
        let mut end = at + first_len;
        let (mut last_code, mut last_at) = (first_code, at);
        while let Some((code, len)) = plain_char(bytes, end, mapped) {
            if let Some(matcher) = self.matcher
                && matcher.pair_may_start(last_code, code)
            {
                self.term_starts.push(out_start + (last_at - at));
            }
            (last_code, last_at) = (code, end);
            end += len;
        }
        self.out.push_str(&text[at..end]);
        let last = char::from_u32(last_code).unwrap_or(char::REPLACEMENT_CHARACTER);
        self.last = Some(last);
        if self.matcher.is_some() {
            self.last_written = Some((last, out_start + (last_at - at)));
        }
        end
    }
}

/// The character at `at` when normalisation keeps it as it is — a lower-case ASCII letter, a
/// digit or a plain ideograph (see [`MAPPED_IDEOGRAPHS`]) — as its code point and length.
#[inline]
fn plain_char(bytes: &[u8], at: usize, mapped: &[u64]) -> Option<(u32, usize)> {
    let lead = *bytes.get(at)?;
    if lead.is_ascii_lowercase() || lead.is_ascii_digit() {
        return Some((u32::from(lead), 1));
    }
    // The three-byte sequences of U+4000–U+9FFF; `bytes` is UTF-8, so the two bytes after
    // the lead are continuation bytes.
    if !(0xE4..=0xE9).contains(&lead) || at + 2 >= bytes.len() {
        return None;
    }
    let code = (u32::from(lead & 0x0F) << 12)
        | (u32::from(bytes[at + 1] & 0x3F) << 6)
        | u32::from(bytes[at + 2] & 0x3F);
    let offset = code.checked_sub(u32::from(*IDEOGRAPHS.start()))?;
    is_plain_ideograph(mapped, offset as usize).then_some((code, 3))
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

    /// The normalisation without the plain-ideograph shortcut.
    fn normalise_by_char(text: &str) -> String {
        let mut normaliser = Normaliser::new(text.len(), None);
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

    proptest::proptest! {
        #[test]
        fn the_shortcut_normalises_like_the_tables(
            text in "([a-zA-Z0-9 ,.★\u{3000}\u{200B}]|菠|菜|六|門|澳|葡|京|赌|场|ＢＥＴ|\\PC){0,40}"
        ) {
            proptest::prop_assert_eq!(normalise_for_lexicon(&text), normalise_by_char(&text));
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

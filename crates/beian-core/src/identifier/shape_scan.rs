//! Hand-written readers of the loose ICP and PSB shapes. They return exactly the groups
//! that the reference regexes (`ICP_SHAPE` in `icp.rs`, `PSB_SHAPE` in `psb.rs`) capture,
//! at a small fraction of the cost of a backtracking capture search; the regexes stay as
//! test oracles (see the proptests below).
//!
//! Why a linear scan is exact: the digit classes exclude 号 and '-', and the tail after
//! the digits must start with 号, '-' or the end of the text, so the lazy digit group
//! always ends up as the maximal run; likewise the site digits and the optional suffix
//! letter. The tail `(号)?(?:-N[L])?(号)?$` has a single reading except for a lone 号,
//! which the greedy first group takes. Only the lazy Han prefix before a PSB label needs
//! a search: the shortest prefix for which the rest matches, labels tried in the regex's
//! alternation order at each length.
//!
//! The licence reader ([`licence_tail`]) follows `LICENCE_TAIL` in `licence.rs`, which is
//! unanchored at the start: it tries each start in turn, as the regex's leftmost search
//! does. See its comment for why each step has a single reading.

use std::sync::LazyLock;

use regex::Regex;

/// Groups of `ICP_SHAPE`: `^(prefix)(icp)(label)(digits)(号)?(?:-(site)(suffix)?)?(号)?$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IcpShape<'a> {
    pub prefix: &'a str,
    pub icp: &'a str,
    pub label: &'a str,
    pub digits: &'a str,
    pub hao1: bool,
    pub site: Option<&'a str>,
    pub suffix: Option<&'a str>,
    pub hao2: bool,
}

/// Groups of `PSB_SHAPE`: `^(prefix)(label)(digits)(号)?(?:-(site))?(号)?$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PsbShape<'a> {
    pub prefix: &'a str,
    pub label: &'a str,
    pub digits: &'a str,
    pub hao1: bool,
    pub site: Option<&'a str>,
    pub hao2: bool,
}

/// The PSB labels in the order of the regex alternation, which decides ties.
const PSB_LABELS: [&str; 3] = ["公网安备", "公安网备", "公网备"];

/// `\p{Han}` (Script=Han) exactly: ASCII never is, the CJK Unified Ideographs block
/// U+4E00–U+9FFF always is (checked against the regex in a test), anything else asks the
/// regex's own Unicode tables rather than a hand-kept range list.
pub fn is_han(c: char) -> bool {
    static HAN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\p{Han}$").expect("static regex compiles"));
    if c.is_ascii() {
        return false;
    }
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return true;
    }
    let mut buf = [0u8; 4];
    HAN.is_match(c.encode_utf8(&mut buf))
}

/// Length in bytes of the longest prefix of `s` whose bytes all satisfy `class` (the
/// classes are ASCII-only, so the result is a char boundary).
fn run_len(s: &str, class: impl Fn(u8) -> bool) -> usize {
    s.bytes().take_while(|b| class(*b)).count()
}

/// What follows the digits.
struct Tail<'a> {
    hao1: bool,
    site: Option<&'a str>,
    suffix: Option<&'a str>,
    hao2: bool,
}

/// The tail after the digits: `(号)?(?:-([0-9]+)([A-Za-z])?)?(号)?$`, the suffix letter
/// only when `with_suffix`.
fn tail(s: &str, with_suffix: bool) -> Option<Tail<'_>> {
    let (hao1, s) = match s.strip_prefix('号') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (site, suffix, s) = match s.strip_prefix('-') {
        Some(rest) => {
            let n = run_len(rest, |b| b.is_ascii_digit());
            if n == 0 {
                return None;
            }
            let (site, rest) = rest.split_at(n);
            let letter =
                with_suffix && rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
            if letter {
                (Some(site), Some(&rest[..1]), &rest[1..])
            } else {
                (Some(site), None, rest)
            }
        }
        None => (None, None, s),
    };
    let (hao2, s) = match s.strip_prefix('号') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    s.is_empty().then_some(Tail {
        hao1,
        site,
        suffix,
        hao2,
    })
}

/// Reads the ICP shape. The label starts with an ASCII letter, so the Han prefix is the
/// whole leading Han run: no other split can match.
pub(crate) fn icp(text: &str) -> Option<IcpShape<'_>> {
    let prefix_len: usize = text
        .chars()
        .take_while(|c| is_han(*c))
        .map(char::len_utf8)
        .sum();
    let (prefix, rest) = text.split_at(prefix_len);
    let icp = rest.get(..3)?;
    let is_icp = matches!(icp.as_bytes(), [b'I' | b'i', b'C' | b'c', b'P' | b'p']);
    if !is_icp {
        return None;
    }
    let rest = &rest[3..];
    let label_len = if rest.starts_with('备') || rest.starts_with('证') {
        '备'.len_utf8()
    } else {
        return None;
    };
    let (label, rest) = rest.split_at(label_len);
    let n = run_len(rest, |b| b.is_ascii_alphanumeric() || b == b'*');
    let (digits, rest) = rest.split_at(n);
    let t = tail(rest, true)?;
    Some(IcpShape {
        prefix,
        icp,
        label,
        digits,
        hao1: t.hao1,
        site: t.site,
        suffix: t.suffix,
        hao2: t.hao2,
    })
}

/// Reads the PSB shape: the shortest all-Han prefix after which a label and the rest
/// match, trying the labels in alternation order at each prefix length.
pub(crate) fn psb(text: &str) -> Option<PsbShape<'_>> {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        for label in PSB_LABELS {
            let Some(after) = rest.strip_prefix(label) else {
                continue;
            };
            let n = run_len(after, |b| {
                b.is_ascii_digit() || matches!(b, b'X' | b'x' | b'*')
            });
            let (digits, after) = after.split_at(n);
            if let Some(t) = tail(after, false) {
                return Some(PsbShape {
                    prefix: &text[..at],
                    label,
                    digits,
                    hao1: t.hao1,
                    site: t.site,
                    hao2: t.hao2,
                });
            }
        }
        let c = rest.chars().next()?;
        if !is_han(c) {
            return None;
        }
        at += c.len_utf8();
    }
}

/// Groups of `LICENCE_TAIL` (licence.rs), read case-insensitively for the ASCII letters
/// as the regex reads the upper-cased text: `start` is where the match begins, the
/// slices are of the text as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LicenceTail<'a> {
    pub start: usize,
    pub prefix: Option<&'a str>,
    pub cats: &'a str,
    pub number: &'a str,
    pub site: Option<&'a str>,
    pub hao: bool,
}

/// The prefix class of `LICENCE_TAIL` (合字 is handled apart).
fn is_licence_province(c: char) -> bool {
    matches!(
        c,
        '京' | '津'
            | '冀'
            | '晋'
            | '蒙'
            | '辽'
            | '吉'
            | '黑'
            | '沪'
            | '苏'
            | '浙'
            | '皖'
            | '闽'
            | '赣'
            | '鲁'
            | '豫'
            | '鄂'
            | '湘'
            | '粤'
            | '桂'
            | '琼'
            | '渝'
            | '川'
            | '蜀'
            | '黔'
            | '贵'
            | '滇'
            | '云'
            | '藏'
            | '陕'
            | '甘'
            | '陇'
            | '青'
            | '宁'
            | '新'
    )
}

/// Every licence has its categories end in a digit right before the '-' of the number,
/// which starts with a digit, X or *: "d-d" somewhere. Nearly every ICP and PSB number
/// lacks it ("号-1" has 号 before the dash), so most texts are turned away here.
fn may_hold_licence(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        w[1] == b'-' && w[0].is_ascii_digit() && matches!(w[2], b'0'..=b'9' | b'X' | b'x' | b'*')
    })
}

/// The byte at `at`, upper-cased as `find` upper-cases the text before matching.
fn upper_at(bytes: &[u8], at: usize) -> Option<u8> {
    bytes.get(at).map(u8::to_ascii_uppercase)
}

fn digit_at(bytes: &[u8], at: usize) -> bool {
    bytes.get(at).is_some_and(u8::is_ascii_digit)
}

/// `-(?P<number>[0-9X*]+)(?:-(?P<site>[0-9]+))?(?P<hao>号)?$` at `at`. Single reading:
/// neither run can stop early (what follows a shorter run would be a run character,
/// where only '-', 号 or the end fit), and when the site group cannot match, the '-'
/// left over fits nothing else either.
fn licence_rest(text: &str, at: usize) -> Option<(&str, Option<&str>, bool)> {
    let rest = text.get(at..)?.strip_prefix('-')?;
    let n = run_len(rest, |b| {
        b.is_ascii_digit() || matches!(b, b'X' | b'x' | b'*')
    });
    if n == 0 {
        return None;
    }
    let (number, rest) = rest.split_at(n);
    let (site, rest) = match rest.strip_prefix('-') {
        Some(after) => {
            let n = run_len(after, |b| b.is_ascii_digit());
            if n == 0 {
                return None;
            }
            let (site, after) = after.split_at(n);
            (Some(site), after)
        }
        None => (None, rest),
    };
    match rest {
        "" => Some((number, site, false)),
        "号" => Some((number, site, true)),
        _ => None,
    }
}

/// The regex from one start: the optional prefix (greedy, and without it the Han
/// character at `at` could not start the categories anyway), then the category
/// alternatives in order. `[AB][0-9](\.[AB][0-9])*` takes every repetition, since a
/// shorter one leaves '.' where '-' must follow; `[AB](-[0-9]){1,2}` tries two
/// repetitions, then one; the alternatives differ in their second character, so at
/// most one applies.
fn licence_at(text: &str, at: usize, c: char) -> Option<LicenceTail<'_>> {
    let bytes = text.as_bytes();
    let p = if text[at..].starts_with("合字") {
        at + "合字".len()
    } else if is_licence_province(c) {
        at + c.len_utf8()
    } else {
        at
    };
    let prefix = (p > at).then(|| &text[at..p]);
    let tail = |cats_end: usize| {
        licence_rest(text, cats_end).map(|(number, site, hao)| LicenceTail {
            start: at,
            prefix,
            cats: &text[p..cats_end],
            number,
            site,
            hao,
        })
    };
    match upper_at(bytes, p)? {
        b'A' | b'B' if digit_at(bytes, p + 1) => {
            let mut end = p + 2;
            while bytes.get(end) == Some(&b'.')
                && matches!(upper_at(bytes, end + 1), Some(b'A' | b'B'))
                && digit_at(bytes, end + 2)
            {
                end += 3;
            }
            tail(end)
        }
        b'A' | b'B' if bytes.get(p + 1) == Some(&b'-') && digit_at(bytes, p + 2) => {
            let two = bytes.get(p + 3) == Some(&b'-') && digit_at(bytes, p + 4);
            two.then(|| tail(p + 5)).flatten().or_else(|| tail(p + 3))
        }
        b'D' if bytes.get(p + 1) == Some(&b'3') => tail(p + 2),
        _ => None,
    }
}

/// Reads a licence at the end of `text` as `LICENCE_TAIL` finds it in the upper-cased
/// text: the leftmost start from which the rest matches.
pub(crate) fn licence_tail(text: &str) -> Option<LicenceTail<'_>> {
    if !may_hold_licence(text.as_bytes()) {
        return None;
    }
    text.char_indices()
        .find_map(|(at, c)| licence_at(text, at, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Captures;

    /// The groups as the regex reports them, in pattern order.
    fn groups<'a>(m: &Captures<'a>, names: &[&str]) -> Vec<Option<&'a str>> {
        names
            .iter()
            .map(|n| m.name(n).map(|x| x.as_str()))
            .collect()
    }

    fn hao(present: bool) -> Option<&'static str> {
        present.then_some("号")
    }

    const ICP_GROUPS: [&str; 8] = [
        "prefix", "icp", "label", "digits", "hao1", "site", "suffix", "hao2",
    ];
    const PSB_GROUPS: [&str; 6] = ["prefix", "label", "digits", "hao1", "site", "hao2"];

    fn icp_scanned(text: &str) -> Option<Vec<Option<&str>>> {
        icp(text).map(|s| {
            vec![
                Some(s.prefix),
                Some(s.icp),
                Some(s.label),
                Some(s.digits),
                hao(s.hao1),
                s.site,
                s.suffix,
                hao(s.hao2),
            ]
        })
    }

    fn psb_scanned(text: &str) -> Option<Vec<Option<&str>>> {
        psb(text).map(|s| {
            vec![
                Some(s.prefix),
                Some(s.label),
                Some(s.digits),
                hao(s.hao1),
                s.site,
                hao(s.hao2),
            ]
        })
    }

    fn icp_oracle(text: &str) -> Option<Vec<Option<&str>>> {
        crate::identifier::icp::icp_shape_regex()
            .captures(text)
            .map(|m| groups(&m, &ICP_GROUPS))
    }

    fn psb_oracle(text: &str) -> Option<Vec<Option<&str>>> {
        crate::identifier::psb::psb_shape_regex()
            .captures(text)
            .map(|m| groups(&m, &PSB_GROUPS))
    }

    #[test]
    fn cjk_block_is_han_for_the_regex() {
        let han = Regex::new(r"^\p{Han}$").expect("static regex compiles");
        for c in '\u{4E00}'..='\u{9FFF}' {
            assert!(han.is_match(&c.to_string()), "U+{:04X}", c as u32);
        }
        for c in [
            '〇',
            '々',
            '〆',
            '⺀',
            '\u{3400}',
            '\u{20000}',
            '\u{F900}',
            'ア',
            '，',
        ] {
            assert_eq!(is_han(c), han.is_match(&c.to_string()), "{c}");
        }
    }

    /// Footer numbers as found on real pages (FACTS §1.2, §1.3, §1.4) and their typos.
    const FOOTERS: &[&str] = &[
        "京ICP备12022551号-1",
        "京ICP备12022551号",
        "京ICP证030173号",
        "京ICP证040867号-3",
        "粤ICP备2021050471号-1",
        "沪ICP备13002172号-3",
        "浙ICP备14016851号-1",
        "京ICP备14016851-1号",
        "京ICP备14016851号-1号",
        "蜀ICP备2023012345号-2A",
        "川ICP备12345678号",
        "京icp备12022551号",
        "网站备案粤ICP备2021050471号",
        "ICP备12345678号",
        "京ICP备********号",
        "京ICP备号",
        "京ICP备12022551号-",
        "京ICP备12022551号-0X",
        "京ICP备12022551号号",
        "京公网安备11010502030143号",
        "沪公网安备31011502000001号",
        "粤公网安备44030502008569号",
        "京公网安备11000002000001号",
        "京公网安备110105000501号",
        "京公网安备11010502030143号-1",
        "京公安网备11010502030143号",
        "京公网备11010502030143号",
        "公网安备11010502030143号",
        "川公网安备51010702001234号",
        "浙公网安备 33010602011771号",
        "京公网安备11010X02030143号",
        "公网公网安备11010502030143号",
        "京公网安备公网安备11010502030143号",
        "粤B2-20090059",
    ];

    #[test]
    fn real_footers_read_as_the_regex_reads_them() {
        for text in FOOTERS {
            assert_eq!(icp_scanned(text), icp_oracle(text), "ICP {text}");
            assert_eq!(psb_scanned(text), psb_oracle(text), "PSB {text}");
        }
        // And the scanner does read the common forms, not just agree on "no match".
        let s = icp("京ICP备12022551号-1").expect("matches");
        assert_eq!(
            (s.prefix, s.digits, s.site, s.hao1),
            ("京", "12022551", Some("1"), true)
        );
        let s = psb("京公网安备11010502030143号").expect("matches");
        assert_eq!(
            (s.prefix, s.label, s.digits, s.hao2),
            ("京", "公网安备", "11010502030143", false)
        );
    }

    /// Footer-like pieces: province and label characters, other Han, the labels whole,
    /// digits, letters, `*`, 号, '-' and a few non-Han characters.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "京", "沪", "粤", "浙", "公", "安", "网", "备", "证", "号", "号", "-", "-",
                "网站", "〇", "々", "ア", "：", " ", "ICP", "icp", "IcP", "ICP备", "ICP证",
                "公网安备", "公安网备", "公网备", "X", "x", "*", "A", "k", "B2",
            ])
            .prop_map(String::from),
            3 => "[0-9]{1,14}",
            1 => "[0-9A-Za-z*]{1,4}",
        ]
    }

    fn footer() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..9).prop_map(|parts| parts.concat())
    }

    /// Strings that usually do match: a prefix, a label, digits and a tail.
    fn shaped(label: &'static [&'static str]) -> impl Strategy<Value = String> {
        (
            prop::collection::vec(
                prop::sample::select(vec!["京", "沪", "粤", "浙", "公", "网", "安", "备"]),
                0..4,
            ),
            prop::sample::select(label.to_vec()),
            "[0-9Xx*]{0,15}",
            prop::sample::select(vec![
                "", "号", "号号", "-", "-1", "-12A", "号-3", "-0x号", "号-1号",
            ]),
        )
            .prop_map(|(prefix, label, digits, tail)| {
                format!("{}{label}{digits}{tail}", prefix.concat())
            })
    }

    const LICENCE_GROUPS: [&str; 5] = ["prefix", "cats", "number", "site", "hao"];

    /// The scanner's reading as the regex reports it on the upper-cased text: start,
    /// then the groups, upper-cased.
    fn licence_scanned(text: &str) -> Option<(usize, Vec<Option<String>>)> {
        licence_tail(text).map(|t| {
            let groups = [t.prefix, Some(t.cats), Some(t.number), t.site, hao(t.hao)];
            (
                t.start,
                groups
                    .iter()
                    .map(|g| g.map(str::to_ascii_uppercase))
                    .collect(),
            )
        })
    }

    fn licence_oracle(text: &str) -> Option<(usize, Vec<Option<String>>)> {
        let upper = text.to_ascii_uppercase();
        crate::identifier::licence::licence_tail_regex()
            .captures(&upper)
            .map(|m| {
                let start = m.get(0).map_or(0, |x| x.start());
                let groups = groups(&m, &LICENCE_GROUPS);
                (start, groups.iter().map(|g| g.map(String::from)).collect())
            })
    }

    /// Licence footers (FACTS §1.3 B) and near misses.
    const LICENCES: &[&str] = &[
        "粤B2-20090059",
        "京B2-20202418",
        "A2.B1.B2-20090003",
        "合字B1.B2-20130004",
        "浙B2-20080101-4",
        "粤A2-20044005号",
        "辽B-2-4-20080039",
        "辽B-2-20080039",
        "B-2-4",
        "浙D3-20210002",
        "浙D3-20210002-1",
        "ICP证粤B2-20160194",
        "京ICP证B2-20171701号",
        "京ICP证 京B2-20171652号",
        "沪B2-20100043",
        "川b2-2025xxxx",
        "合B2-20130004",
        "12京B2-20202418",
        "京B2.B1-20202418",
        "京B2-20202418-",
        "京B2-20202418-1A",
        "京B2-20202418号号",
        "A2.B-20090003",
        "京ICP备12022551号-1",
        "京公网安备11010502030143号",
    ];

    #[test]
    fn licence_footers_read_as_the_regex_reads_them() {
        for text in LICENCES.iter().chain(FOOTERS) {
            assert_eq!(licence_scanned(text), licence_oracle(text), "{text}");
        }
        let t = licence_tail("京ICP证B2-20171701号").expect("matches");
        assert_eq!(
            (t.start, t.prefix, t.cats, t.number, t.site, t.hao),
            ("京ICP证".len(), None, "B2", "20171701", None, true)
        );
        let t = licence_tail("辽B-2-4-20080039").expect("matches");
        assert_eq!(
            (t.prefix, t.cats, t.number),
            (Some("辽"), "B-2-4", "20080039")
        );
    }

    /// Licence-like pieces: prefixes, 合字, categories and their separators, labels,
    /// digits, X and *, 号, '-' and letters in both cases.
    fn licence_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            5 => prop::sample::select(vec![
                "京", "沪", "粤", "浙", "合字", "合", "字", "A2.", "B1.", "B1", "B2", "A2", "A1",
                "b2", "a", "B", "D3", "d3", "D", "3", "ICP证", "icp证", "ICP备", "-", "-", "-",
                ".", "号", "X", "x", "*", " ", "网", "证",
            ])
            .prop_map(String::from),
            2 => "[0-9]{1,9}",
            1 => "[0-9A-Za-z*.-]{1,4}",
        ]
    }

    fn licence_text() -> impl Strategy<Value = String> {
        prop::collection::vec(licence_piece(), 0..10).prop_map(|parts| parts.concat())
    }

    /// Strings that usually do match: label, prefix, categories, number and a tail.
    fn shaped_licence() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["", "ICP证", "京ICP证", "沪ICP证 ", "12", "网站"]),
            prop::sample::select(vec!["", "京", "粤", "合字", "合", "字"]),
            prop::sample::select(vec![
                "B2", "B1.B2", "A2.B1.B2", "a2.b1", "B-2", "B-2-4", "A-1-2-3", "D3", "d3", "B2.",
                "C2", "B22",
            ]),
            "-[0-9Xx*]{0,10}",
            prop::sample::select(vec!["", "号", "-1", "-12号", "-", "-1A", "号号", "-0x"]),
        )
            .prop_map(|(label, prefix, cats, number, tail)| {
                format!("{label}{prefix}{cats}{number}{tail}")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn icp_scanner_matches_regex(text in footer()) {
            prop_assert_eq!(icp_scanned(&text), icp_oracle(&text));
        }

        #[test]
        fn psb_scanner_matches_regex(text in footer()) {
            prop_assert_eq!(psb_scanned(&text), psb_oracle(&text));
        }

        #[test]
        fn shaped_icp_matches_regex(text in shaped(&["ICP备", "icp证", "IcP备", "ICP"])) {
            prop_assert_eq!(icp_scanned(&text), icp_oracle(&text));
        }

        #[test]
        fn licence_scanner_matches_regex(text in licence_text()) {
            prop_assert_eq!(licence_scanned(&text), licence_oracle(&text));
        }

        #[test]
        fn shaped_licence_matches_regex(text in shaped_licence()) {
            prop_assert_eq!(licence_scanned(&text), licence_oracle(&text));
        }

        #[test]
        fn footer_licence_matches_regex(text in footer()) {
            prop_assert_eq!(licence_scanned(&text), licence_oracle(&text));
        }

        #[test]
        fn shaped_psb_matches_regex(text in shaped(&["公网安备", "公安网备", "公网备", "公网公网备"])) {
            prop_assert_eq!(psb_scanned(&text), psb_oracle(&text));
        }
    }
}

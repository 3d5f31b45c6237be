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
fn is_han(c: char) -> bool {
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
        fn shaped_psb_matches_regex(text in shaped(&["公网安备", "公安网备", "公网备", "公网公网备"])) {
            prop_assert_eq!(psb_scanned(&text), psb_oracle(&text));
        }
    }
}

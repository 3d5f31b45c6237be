//! A hand-written matcher for the footer number pattern: the leftmost-first,
//! non-overlapping matches of
//!
//! ```text
//!   \p{Han}?(?i:icp)[备证][0-9]{4,12}号?(?:-[0-9]{1,4}(?i:[axk])?)?号?
//! | (?:合字|\p{Han})?(?:A2\.)?(?:B1\.)?(?:B[12]|A2)-[0-9]{8}(?:-[0-9]{1,4})?号?
//! | \p{Han}?公网安备[0-9]{10,16}(?:-[0-9]{1,3})?号?
//! ```
//!
//! that `Regex::find_iter` returns (the regex stays in the tests as the oracle). The lazy
//! DFA's forward and reverse passes over every window were half the cost of finding numbers.
//!
//! Why a direct scan gives the regex's answer:
//! * Every match has a *core* that starts with an ASCII `i`/`I` (the ICP alternative), `A`/`B`
//!   (the licence alternative) or `公` (the PSB alternative), preceded by at most one Han
//!   character or `合字`. The prefixes are non-ASCII and never start a core, so a later core
//!   can never give an earlier match start: the first core (in text order) that matches gives
//!   the leftmost match, with its prefix when the prefix lies in the unsearched part.
//! * After the digit counts everything is optional, so the greedy path never fails and a
//!   regex backtracking engine keeps it: a digit run longer than the maximum ends the match
//!   after the maximum, one shorter than the minimum fails.
//! * `(?:A2\.)?(?:B1\.)?(?:B[12]|A2)-`: skipping an optional `A2.` or `B1.` that is present
//!   leaves a `.` where the `-` must be, so taking each one when present is the only way.
//! * At one position at most one alternative (and one prefix choice) can match: they need
//!   different characters right after the prefix.

use beian_core::identifier::is_han;

const BEI: &str = "备";
const ZHENG: &str = "证";
const HAO: &str = "号";
const HEZI: &str = "合字";
const PSB: &str = "公网安备";
/// U+212A KELVIN SIGN, which `(?i:k)` matches by Unicode simple case folding.
const KELVIN: &str = "\u{212A}";

/// Number of ASCII digits at `at`.
fn digit_run(bytes: &[u8], at: usize) -> usize {
    bytes.get(at..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    })
}

fn has(bytes: &[u8], at: usize, literal: &str) -> bool {
    bytes
        .get(at..)
        .is_some_and(|rest| rest.starts_with(literal.as_bytes()))
}

/// `at` past an optional `号`.
fn skip_hao(bytes: &[u8], at: usize) -> usize {
    if has(bytes, at, HAO) {
        at + HAO.len()
    } else {
        at
    }
}

/// `at` past an optional `-[0-9]{1,max}` (greedy: as many digits as there are, up to max).
fn skip_dash_digits(bytes: &[u8], at: usize, max: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'-') {
        return None;
    }
    match digit_run(bytes, at + 1) {
        0 => None,
        run => Some(at + 1 + run.min(max)),
    }
}

/// End of `(?i:icp)[备证][0-9]{4,12}号?(?:-[0-9]{1,4}(?i:[axk])?)?号?` at `at`.
fn icp_end(bytes: &[u8], at: usize) -> Option<usize> {
    let icp = bytes.get(at..at + 3)?;
    if !matches!(icp, [b'I' | b'i', b'C' | b'c', b'P' | b'p']) {
        return None;
    }
    let mut end = at + 3;
    if has(bytes, end, BEI) || has(bytes, end, ZHENG) {
        end += BEI.len();
    } else {
        return None;
    }
    let digits = digit_run(bytes, end);
    if digits < 4 {
        return None;
    }
    end = skip_hao(bytes, end + digits.min(12));
    if let Some(after) = skip_dash_digits(bytes, end, 4) {
        end = after;
        if matches!(
            bytes.get(end),
            Some(b'a' | b'A' | b'x' | b'X' | b'k' | b'K')
        ) {
            end += 1;
        } else if has(bytes, end, KELVIN) {
            end += KELVIN.len();
        }
    }
    Some(skip_hao(bytes, end))
}

/// End of `(?:A2\.)?(?:B1\.)?(?:B[12]|A2)-[0-9]{8}(?:-[0-9]{1,4})?号?` at `at`.
fn licence_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = at;
    if has(bytes, end, "A2.") {
        end += 3;
    }
    if has(bytes, end, "B1.") {
        end += 3;
    }
    let kind = bytes.get(end..end + 3)?;
    if !matches!(kind, [b'B', b'1' | b'2', b'-'] | [b'A', b'2', b'-']) {
        return None;
    }
    end += 3;
    if digit_run(bytes, end) < 8 {
        return None;
    }
    end += 8;
    end = skip_dash_digits(bytes, end, 4).unwrap_or(end);
    Some(skip_hao(bytes, end))
}

/// End of `公网安备[0-9]{10,16}(?:-[0-9]{1,3})?号?` at `at`.
fn psb_end(bytes: &[u8], at: usize) -> Option<usize> {
    if !has(bytes, at, PSB) {
        return None;
    }
    let mut end = at + PSB.len();
    let digits = digit_run(bytes, end);
    if digits < 10 {
        return None;
    }
    end += digits.min(16);
    end = skip_dash_digits(bytes, end, 3).unwrap_or(end);
    Some(skip_hao(bytes, end))
}

/// Start of the match whose core is at `core`: one Han character before it (or `合字` for a
/// licence number) when that lies at or after `from`, where the search resumed.
fn match_start(text: &str, from: usize, core: usize, allow_hezi: bool) -> usize {
    let before = &text[from..core];
    if allow_hezi && before.ends_with(HEZI) {
        return core - HEZI.len();
    }
    match before.chars().next_back() {
        Some(c) if is_han(c) => core - c.len_utf8(),
        _ => core,
    }
}

/// The footer number pattern's matches in `text`, as `Regex::find_iter` returns them.
pub(super) fn numbers(text: &str) -> Numbers<'_> {
    Numbers { text, at: 0 }
}

pub(super) struct Numbers<'a> {
    text: &'a str,
    /// Where the search resumes: the end of the previous match.
    at: usize,
}

impl<'a> Iterator for Numbers<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.text;
        let bytes = text.as_bytes();
        let from = self.at;
        for core in from..bytes.len() {
            let (end, allow_hezi) = match bytes[core] {
                b'I' | b'i' => (icp_end(bytes, core), false),
                b'A' | b'B' => (licence_end(bytes, core), true),
                // The first byte of 公 (U+516C).
                0xE5 => (psb_end(bytes, core), false),
                _ => continue,
            };
            if let Some(end) = end {
                let start = match_start(text, from, core, allow_hezi);
                self.at = end;
                return Some(&text[start..end]);
            }
        }
        self.at = bytes.len();
        None
    }
}

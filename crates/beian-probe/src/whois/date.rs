//! Timestamps as WHOIS servers print them.
//!
//! One small grammar instead of a list of format strings, because registries combine the same
//! few parts in many ways: a date (`2020-05-31`, `2020/05/31`, `2020. 05. 19.`, `20230303`,
//! `31-Jul-2022`, `30th April 2003`, `4.7.2020`, `11-07-2020`, `Jul 31, 2022`), an optional time
//! (`T10:32:43.85`, ` at 14:12:16`, `-T10:32:43`), and an optional zone (`Z`, `-0700`, `+03`,
//! `+08:00`, `UTC`, `(UTC+8)`, `(GMT+0:00)`, `(JST)`). Numeric dates that do not start with the
//! year are read day first unless the TLD's profile says month first.
//! Work is bounded: only the first [`MAX_VALUE_CHARS`] characters are looked at.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// Longest value prefix considered; every real timestamp is far shorter.
const MAX_VALUE_CHARS: usize = 96;
/// Longest digit run kept as a number (8 for YYYYMMDD, 9 for nanoseconds).
const MAX_DIGITS: usize = 9;

/// How to read a timestamp that leaves things out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateContext {
    /// Offset for timestamps that carry no zone.
    pub zone: FixedOffset,
    /// `4.7.2020` is 4 July (true) or April 7 (false).
    pub day_first: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number { value: u32, digits: usize },
    Word(String),
    Sep(char),
    Space,
}

fn tokenize(value: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = value.chars().take(MAX_VALUE_CHARS).peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut digits = 1;
            let mut number = c.to_digit(10).unwrap_or(0);
            while let Some(next) = chars.peek().and_then(|d| d.to_digit(10)) {
                chars.next();
                digits += 1;
                if digits <= MAX_DIGITS {
                    number = number * 10 + next;
                }
            }
            if digits > MAX_DIGITS {
                tokens.push(Token::Word(String::new()));
            } else {
                tokens.push(Token::Number {
                    value: number,
                    digits,
                });
            }
        } else if c.is_alphabetic() {
            let mut word: String = c.to_lowercase().collect();
            while let Some(&next) = chars.peek() {
                if !next.is_alphabetic() {
                    break;
                }
                chars.next();
                word.extend(next.to_lowercase());
            }
            tokens.push(Token::Word(word));
        } else if c.is_whitespace() {
            if tokens.last() != Some(&Token::Space) {
                tokens.push(Token::Space);
            }
        } else {
            tokens.push(Token::Sep(c));
        }
    }
    tokens
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|name| {
            name.starts_with(word) || (word.starts_with(&name[..3]) && word.len() <= name.len())
        })
        .and_then(|index| u32::try_from(index + 1).ok())
}

/// Zone abbreviations seen in WHOIS answers; only unambiguous ones (no "CST": China or US?).
const ZONE_WORDS: &[(&str, i32)] = &[
    ("z", 0),
    ("utc", 0),
    ("gmt", 0),
    ("ut", 0),
    ("jst", 9 * 3600),
    ("kst", 9 * 3600),
    ("hkt", 8 * 3600),
    ("eet", 2 * 3600),
    ("eest", 3 * 3600),
    ("cet", 3600),
    ("cest", 2 * 3600),
    ("msk", 3 * 3600),
];

struct Cursor<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn skip_spaces(&mut self) {
        while self.peek() == Some(&Token::Space) {
            self.at += 1;
        }
    }
    fn number(&mut self, allowed_digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
        self.skip_spaces();
        match self.peek() {
            Some(Token::Number { value, digits }) if allowed_digits.contains(digits) => {
                let value = *value;
                self.at += 1;
                Some(value)
            }
            _ => None,
        }
    }
    /// A date separator (`-`, `/`, `.`) with optional spaces around it, or just spaces when
    /// `space_ok` (for `30 April 2003`).
    fn date_separator(&mut self, space_ok: bool) -> bool {
        let start = self.at;
        self.skip_spaces();
        if let Some(Token::Sep('-' | '/' | '.' | ',')) = self.peek() {
            self.at += 1;
            self.skip_spaces();
            return true;
        }
        if space_ok && self.at > start {
            return true;
        }
        self.at = start;
        false
    }
    fn ordinal_suffix(&mut self) {
        if let Some(Token::Word(word)) = self.peek()
            && matches!(word.as_str(), "st" | "nd" | "rd" | "th")
        {
            self.at += 1;
        }
    }
    fn month_word(&mut self) -> Option<u32> {
        self.skip_spaces();
        if let Some(Token::Word(word)) = self.peek()
            && let Some(month) = month_number(word)
        {
            self.at += 1;
            return Some(month);
        }
        None
    }
}

/// Reads the date part starting at the cursor, as (year, month, day).
fn read_date(cursor: &mut Cursor<'_>, day_first: bool) -> Option<(i32, u32, u32)> {
    let start = cursor.at;
    // YYYYMMDD
    if let Some(Token::Number { value, digits: 8 }) = cursor.peek() {
        let value = *value;
        cursor.at += 1;
        return Some((
            i32::try_from(value / 10_000).ok()?,
            value / 100 % 100,
            value % 100,
        ));
    }
    // YYYY-MM-DD and friends
    if let Some(year) = cursor.number(4..=4) {
        if cursor.date_separator(false) {
            let month = cursor.number(1..=2).or_else(|| cursor.month_word())?;
            if cursor.date_separator(false) {
                let day = cursor.number(1..=2)?;
                return Some((i32::try_from(year).ok()?, month, day));
            }
        }
        cursor.at = start;
        return None;
    }
    // Mon D, YYYY
    if let Some(month) = cursor.month_word() {
        let day = cursor.number(1..=2)?;
        cursor.ordinal_suffix();
        cursor.date_separator(true);
        let year = cursor.number(4..=4)?;
        return Some((i32::try_from(year).ok()?, month, day));
    }
    // D-Mon-YYYY, D.M.YYYY, M/D/YYYY
    let first = cursor.number(1..=2)?;
    cursor.ordinal_suffix();
    if !cursor.date_separator(true) {
        return None;
    }
    if let Some(month) = cursor.month_word() {
        cursor.date_separator(true);
        let year = cursor.number(4..=4)?;
        return Some((i32::try_from(year).ok()?, month, first));
    }
    let second = cursor.number(1..=2)?;
    if !cursor.date_separator(false) {
        return None;
    }
    let year = cursor.number(4..=4)?;
    let (day, month) = if day_first {
        (first, second)
    } else {
        (second, first)
    };
    Some((i32::try_from(year).ok()?, month, day))
}

/// Reads `H:MM[:SS[.fraction]]` after optional glue (`T`, `-T`, `at`, spaces, a trailing `.`).
fn read_time(cursor: &mut Cursor<'_>) -> Option<NaiveTime> {
    let start = cursor.at;
    loop {
        match cursor.peek() {
            Some(Token::Space | Token::Sep('-' | '.' | ',')) => cursor.at += 1,
            Some(Token::Word(word)) if word == "t" || word == "at" => cursor.at += 1,
            _ => break,
        }
    }
    let Some(Token::Number {
        value: hour,
        digits: 1..=2,
    }) = cursor.peek().cloned()
    else {
        cursor.at = start;
        return None;
    };
    cursor.at += 1;
    if cursor.peek() != Some(&Token::Sep(':')) {
        cursor.at = start;
        return None;
    }
    cursor.at += 1;
    let Some(Token::Number {
        value: minute,
        digits: 2,
    }) = cursor.peek().cloned()
    else {
        cursor.at = start;
        return None;
    };
    cursor.at += 1;
    let mut second = 0;
    let mut nanos = 0;
    if cursor.peek() == Some(&Token::Sep(':'))
        && let Some(Token::Number { value, digits: 2 }) = cursor.tokens.get(cursor.at + 1)
    {
        second = *value;
        cursor.at += 2;
        if cursor.peek() == Some(&Token::Sep('.'))
            && let Some(Token::Number { value, digits }) = cursor.tokens.get(cursor.at + 1)
        {
            let scale = 10u32.pow(u32::try_from(MAX_DIGITS - digits).unwrap_or(0));
            nanos = value.saturating_mul(scale);
            cursor.at += 2;
        }
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)
}

/// Reads a zone after the time: `Z`, `+08:00`, `-0700`, `+03`, `UTC+8`, `GMT+0:00`, `JST`.
fn read_zone(cursor: &mut Cursor<'_>) -> Option<FixedOffset> {
    while let Some(token) = cursor.peek().cloned() {
        cursor.at += 1;
        match token {
            Token::Space | Token::Sep('(' | ')' | '[' | ']') => {}
            Token::Sep(sign @ ('+' | '-')) => return signed_offset(cursor, sign, 0),
            Token::Word(word) => {
                let base = ZONE_WORDS.iter().find(|(name, _)| *name == word)?.1;
                if let Some(Token::Sep(sign @ ('+' | '-'))) = cursor.peek().cloned() {
                    cursor.at += 1;
                    return signed_offset(cursor, sign, base);
                }
                return FixedOffset::east_opt(base);
            }
            _ => return None,
        }
    }
    None
}

fn signed_offset(cursor: &mut Cursor<'_>, sign: char, base: i32) -> Option<FixedOffset> {
    let Some(Token::Number { value, digits }) = cursor.peek().cloned() else {
        return None;
    };
    cursor.at += 1;
    let (hours, mut minutes) = match digits {
        1 | 2 => (value, 0),
        4 => (value / 100, value % 100),
        _ => return None,
    };
    if digits <= 2
        && cursor.peek() == Some(&Token::Sep(':'))
        && let Some(Token::Number { value, digits: 2 }) = cursor.tokens.get(cursor.at + 1)
    {
        minutes = *value;
        cursor.at += 2;
    }
    if hours > 14 || minutes > 59 {
        return None;
    }
    let magnitude = i32::try_from(hours * 3600 + minutes * 60).ok()?;
    let seconds = if sign == '-' { -magnitude } else { magnitude };
    FixedOffset::east_opt(base + seconds)
}

/// Parses a WHOIS timestamp; None when the value holds no recognisable date.
pub(crate) fn parse_timestamp(value: &str, context: DateContext) -> Option<DateTime<FixedOffset>> {
    let tokens = tokenize(value);
    // The date is the first thing that reads as one; leading words ("Fri,", "on") are skipped.
    for start in 0..tokens.len().min(8) {
        if matches!(tokens[start], Token::Space | Token::Sep(_)) {
            continue;
        }
        let mut cursor = Cursor {
            tokens: &tokens,
            at: start,
        };
        let Some((year, month, day)) = read_date(&mut cursor, context.day_first) else {
            continue;
        };
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        let time = read_time(&mut cursor);
        let zone = match time {
            Some(_) => read_zone(&mut cursor).unwrap_or(context.zone),
            None => context.zone,
        };
        let local = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
        return zone.from_local_datetime(&local).single();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> DateContext {
        DateContext {
            zone: FixedOffset::east_opt(0).expect("zero offset is valid"),
            day_first: true,
        }
    }

    fn rfc(value: &str, context: DateContext) -> Option<String> {
        parse_timestamp(value, context).map(|t| t.to_rfc3339())
    }

    #[test]
    fn reads_the_formats_seen_in_the_fixtures() {
        let cases = [
            ("2028-09-13T00:00:00-0700", "2028-09-13T00:00:00-07:00"),
            ("2020-02-28T03:58:55.78Z", "2020-02-28T03:58:55.780+00:00"),
            ("2020-06-14-T10:32:43Z", "2020-06-14T10:32:43+00:00"),
            ("2023-07-21 18:03:50+03", "2023-07-21T18:03:50+03:00"),
            ("2010-07-04 04:34:46 +03:00", "2010-07-04T04:34:46+03:00"),
            ("2021-11-09 00:00:00 (UTC+8)", "2021-11-09T00:00:00+08:00"),
            ("2020-05-23 (YYYY-MM-DD)", "2020-05-23T00:00:00+00:00"),
            (
                "2003-08-18 11:20:09 (GMT+0:00)",
                "2003-08-18T11:20:09+00:00",
            ),
            ("2019/06/01 04:52:02 (JST)", "2019-06-01T04:52:02+09:00"),
            ("2020. 05. 19.", "2020-05-19T00:00:00+00:00"),
            ("31-Jul-2022", "2022-07-31T00:00:00+00:00"),
            ("4.7.2020 10:15:55", "2020-07-04T10:15:55+00:00"),
            ("11-07-2020", "2020-07-11T00:00:00+00:00"),
            ("03/02/2020", "2020-02-03T00:00:00+00:00"),
            ("2032.03.16 01:08:04", "2032-03-16T01:08:04+00:00"),
            ("20230303 09:38:55", "2023-03-03T09:38:55+00:00"),
            ("19961206 #24302", "1996-12-06T00:00:00+00:00"),
            (
                "30th April 2003 at 00:00:00.000",
                "2003-04-30T00:00:00+00:00",
            ),
            ("31 May 1999", "1999-05-31T00:00:00+00:00"),
            (
                "Fri, 6 Dec 2024 at 14:12:16 GMT",
                "2024-12-06T14:12:16+00:00",
            ),
            ("Jul 31, 2022", "2022-07-31T00:00:00+00:00"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                rfc(input, utc()).as_deref(),
                Some(expected),
                "input {input}"
            );
        }
    }

    #[test]
    fn zone_less_values_take_the_context_zone() {
        let beijing = DateContext {
            zone: FixedOffset::east_opt(8 * 3600).expect("+08:00 is valid"),
            day_first: true,
        };
        assert_eq!(
            rfc("2021-03-17 12:48:36", beijing).as_deref(),
            Some("2021-03-17T12:48:36+08:00")
        );
        let month_first = DateContext {
            day_first: false,
            ..utc()
        };
        assert_eq!(
            rfc("03/02/2020", month_first).as_deref(),
            Some("2020-03-02T00:00:00+00:00")
        );
    }

    #[test]
    fn rejects_non_dates() {
        for input in [
            "",
            "Registered until cancelled",
            "2020-13-45",
            "99999999999999",
            "12:30",
        ] {
            assert_eq!(rfc(input, utc()), None, "input {input}");
        }
    }
}
